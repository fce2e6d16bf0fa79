/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The conntrack watcher of doc/design.md section 4: NEW and DESTROY events on
 * a non-blocking socket with a large receive buffer, full-table sweeps
 * after start, every apply and every overrun, and the dump-based kills of
 * zonectl isolate (zonectl flows reads its own dump: ctwatch_flows.c).
 *
 * Three sockets, one per purpose (HACKING.md, Conventions): events are
 * read with libmnl and decoded with nfct_nlmsg_parse() so that each
 * wakeup does a bounded amount of work; dumps and deletes use blocking
 * libnetfilter_conntrack handles of their own.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include <zone/mark.h>
#include <zone/verdict.h>

#include "alert.h"
#include "ctwatch.h"
#include "ctwatch_priv.h"
#include "log.h"
#include "loop.h"
#include "monotime.h"
#include "nlbuf.h"
#include "stats.h"
#include "zoned.h"

/* 32 MiB: some 40k queued events at about 800 bytes of skb each. */
#define CT_RCVBUF_DEFAULT (32 << 20)
#define CT_RCVBUF_MAX (256 << 20)
/* Datagrams (one event each) read per wakeup before yielding. */
#define CT_BATCH 256
/* The least time between two resync sweeps after overruns. */
#define CT_RESYNC_MIN_MS 2000

static int sysctl_read(const char *path)
{
	char buf[16];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return atoi(buf);
}

static int sysctl_write(const char *path, const char *value)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	close(fd);
	return n < 0 ? -errno : 0;
}

/*
 * Conntrack events are off with nf_conntrack_events=0 (2, the default,
 * is fine: it attaches events while a listener exists, and we listen
 * before we sweep), and flow-end has no counters without
 * nf_conntrack_acct.  Both sysctls are per network namespace; zoned sets
 * them when it may (systemd/zoned-sysctl.conf ships them as well) and
 * otherwise says what is missing.
 */
static void ct_sysctl_on(const char *name, const char *off_means)
{
	char path[96];

	snprintf(path, sizeof(path), "/proc/sys/net/netfilter/%s", name);
	if (sysctl_read(path) != 0)
		return;
	if (sysctl_write(path, "1") == 0)
		log_info("set %s to 1", name);
	else
		log_warnx("%s is 0: %s", name, off_means);
}

static void ct_check_sysctls(void)
{
	ct_sysctl_on("nf_conntrack_events",
		     "no conntrack events, only sweeps will find violations");
	ct_sysctl_on("nf_conntrack_acct", "flow-end will carry no counters");
}

static void ct_schedule_resync(struct zoned *z)
{
	struct ctwatch *cw = z->ct;
	int64_t since = mono_ms_since(&cw->last_resync);
	int64_t delay;

	if (cw->resync_armed)
		return;
	delay = since >= CT_RESYNC_MIN_MS ? 1 : CT_RESYNC_MIN_MS - since;
	if (loop_timer_arm(cw->resync_tfd, delay, 0) < 0) {
		log_warnx("cannot arm the conntrack resync timer, ignoring");
		return;
	}
	cw->resync_armed = true;
}

/*
 * The kernel dropped events: state was lost.  Count it, give the socket
 * more room (unless a fixed size was asked for) and sweep soon, but not
 * more often than every CT_RESYNC_MIN_MS however long the storm lasts.
 */
static void ct_overrun(struct zoned *z)
{
	struct ctwatch *cw = z->ct;
	int fd = mnl_socket_get_fd(cw->ev);

	cw->lost++;
	cw->lost_total++;
	stats_count(z->stats, STAT_EVENTS_LOST, NULL, NULL, 1);
	if (!cw->rcvbuf_fixed && cw->rcvbuf < CT_RCVBUF_MAX &&
	    nl_sock_rcvbuf(fd, cw->rcvbuf * 2) == 0) {
		cw->rcvbuf *= 2;
		log_info("conntrack event buffer grown to %d bytes",
			 cw->rcvbuf);
	}
	ct_schedule_resync(z);
}

static void ct_resync_timer(struct zoned *z, int fd, uint32_t events,
			    void *arg)
{
	struct ctwatch *cw = z->ct;
	char count[24];

	(void)events;
	(void)arg;
	loop_timer_read(fd);
	cw->resync_armed = false;
	if (cw->lost) {
		snprintf(count, sizeof(count), "%llu",
			 (unsigned long long)cw->lost);
		alert_emit(z->alerts, ALERT_EVENTS_LOST, "count", count,
			   "source", "conntrack", NULL);
		cw->lost = 0;
	}
	ctwatch_sweep(z);
}

/* Counted for the summary at close (and bench/ctevents.sh). */
static void ct_event_stamp(struct ctwatch *cw)
{
	if (cw->n_events++ == 0)
		clock_gettime(CLOCK_MONOTONIC, &cw->first_event);
	clock_gettime(CLOCK_MONOTONIC, &cw->last_event);
}

static int ct_event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct zoned *z = data;
	uint8_t type = NFNL_MSG_TYPE(nlh->nlmsg_type);
	struct nf_conntrack *ct;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_CTNETLINK)
		return MNL_CB_OK;
	if (type != IPCTNL_MSG_CT_NEW && type != IPCTNL_MSG_CT_DELETE)
		return MNL_CB_OK;
	ct = nfct_new();
	if (!ct)
		return MNL_CB_OK;
	ct_event_stamp(z->ct);
	if (nfct_nlmsg_parse(nlh, ct) == 0) {
		if (type == IPCTNL_MSG_CT_NEW)
			ct_judge(z, ct, false);
		else
			ct_destroyed(z, ct);
	}
	nfct_destroy(ct);
	return MNL_CB_OK;
}

/* One datagram of events; a malformed one is skipped. */
void ct_event_datagram(struct zoned *z, void *buf, size_t n)
{
	if (!nl_datagram_ok(buf, n)) {
		log_warnx("conntrack events: malformed datagram, ignoring");
		return;
	}
	mnl_cb_run(buf, n, 0, 0, ct_event_cb, z);
}

static void ct_event_ready(struct zoned *z, int fd, uint32_t events,
			   void *arg)
{
	struct ctwatch *cw = z->ct;

	(void)fd;
	(void)events;
	(void)arg;
	nl_recv_batch(z, mnl_socket_get_fd(cw->ev), cw->buf, sizeof(cw->buf),
		      CT_BATCH, ct_event_datagram, ct_overrun,
		      "conntrack events");
}

/* --- dumps ------------------------------------------------------------------ */

struct ct_kill_arg {
	const struct zone_prefix *prefix;
	int killed;
};

static void ct_kill_one(struct zoned *z, struct nf_conntrack *ct,
			struct ct_kill_arg *ka)
{
	struct zone_verdict v;
	struct ct_flow fl;

	if (ct_decode(ct, &fl) < 0)
		return;
	if (!zone_prefix_contains(ka->prefix, &fl.f.src) &&
	    !zone_prefix_contains(ka->prefix, &fl.f.dst))
		return;
	zone_verdict(z->model, &fl.f, time(NULL), &v);
	if (v.rule == ZONE_RULE_INTRA_ZONE || ct_is_local(z->ct, &fl))
		return;
	if (ct_delete(z->ct, ct) == 0)
		ka->killed++;
}

static int ct_dump_cb(const struct nlmsghdr *nlh,
		      enum nf_conntrack_msg_type type, struct nf_conntrack *ct,
		      void *data)
{
	struct zoned *z = data;
	struct ctwatch *cw = z->ct;

	(void)nlh;
	(void)type;
	switch (cw->dump_mode) {
	case CT_DUMP_SWEEP:
		ct_judge(z, ct, true);
		break;
	case CT_DUMP_KILL:
		ct_kill_one(z, ct, cw->dump_arg);
		break;
	}
	return NFCT_CB_CONTINUE;
}

static int ct_dump(struct zoned *z, int mode, void *arg)
{
	struct ctwatch *cw = z->ct;
	uint32_t family = AF_UNSPEC;

	cw->dump_mode = mode;
	cw->dump_arg = arg;
	if (nfct_query(cw->dump, NFCT_Q_DUMP, &family) < 0)
		return -errno;
	return 0;
}

/**
 * ctwatch_sweep - judge every flow of the table under the model in force
 *
 * Violations are raised (and killed in enforce mode) once per flow, and
 * channel flows get their flow-start if they have none yet.  Allowed
 * forwarded flows whose ct mark the table in force does not admit (begun
 * before it was loaded, or marked under segment indexes a reload changed)
 * are given the mark it admits.  Flows the
 * watcher remembers that the dump no longer holds are forgotten: their
 * DESTROY events were lost.  Returns 0 or -errno.
 */
int ctwatch_sweep(struct zoned *z)
{
	struct ctwatch *cw = z->ct;
	uint64_t remarked;
	int err;

	if (!cw || !z->model)
		return 0;
	remarked = cw->n_remarked;
	clock_gettime(CLOCK_MONOTONIC, &cw->last_resync);
	ct_local_refresh(cw);
	cw->gen++;
	cw->n_sweeps++;
	err = ct_dump(z, CT_DUMP_SWEEP, NULL);
	if (err < 0) {
		log_warnx("conntrack sweep: %s", strerror(-err));
		return err;
	}
	ct_entries_prune(cw, cw->gen);
	if (cw->n_remarked != remarked)
		log_info("conntrack sweep: %llu allowed flows re-marked for the policy in force",
			 (unsigned long long)(cw->n_remarked - remarked));
	return 0;
}

/**
 * ctwatch_kill - delete every cross-segment flow with an end in @prefix
 *
 * Returns the number deleted, or -errno when the table cannot be read.
 */
int ctwatch_kill(struct zoned *z, const struct zone_prefix *prefix)
{
	struct ct_kill_arg ka = { .prefix = prefix };
	int err;

	if (!z->ct || !z->model)
		return -ENOTCONN;
	err = ct_dump(z, CT_DUMP_KILL, &ka);
	if (err < 0)
		return err;
	return ka.killed;
}

/* --- the gateway's own addresses ------------------------------------------ */

/*
 * An address was added or removed: read the list again now, so that the
 * events themselves never wait for a dump of the addresses.  What the
 * notifications say does not matter; a lost one (ENOBUFS) is a change
 * too.
 */
static void ct_addr_ready(struct zoned *z, int fd, uint32_t events,
			  void *arg)
{
	struct ctwatch *cw = z->ct;
	bool changed = false;
	ssize_t n;

	(void)events;
	(void)arg;
	for (;;) {
		n = recv(fd, cw->buf, sizeof(cw->buf), MSG_DONTWAIT);
		if (n >= 0 || errno == ENOBUFS) {
			changed = true;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			log_warn("address notifications, ignoring");
		break;
	}
	if (changed)
		ct_local_refresh(cw);
}

/* Without notifications the list is refreshed by age instead. */
static void ct_open_addr_watch(struct zoned *z)
{
	struct ctwatch *cw = z->ct;
	int err;

	cw->rt = nl_sock_open(NETLINK_ROUTE, SOCK_NONBLOCK,
			      RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR);
	if (!cw->rt)
		goto out_warn;
	err = loop_add(z, mnl_socket_get_fd(cw->rt), EPOLLIN, ct_addr_ready,
		       NULL);
	if (err < 0) {
		errno = -err;
		goto out_close;
	}
	cw->rt_registered = true;
	return;

out_close:
	mnl_socket_close(cw->rt);
	cw->rt = NULL;
out_warn:
	log_warn("address notifications, reading the addresses every second");
}

/* --- open and close --------------------------------------------------------- */

static int ct_rcvbuf_wanted(struct ctwatch *cw)
{
	const char *env = getenv("ZONED_CT_RCVBUF");
	long v;

	if (!env || !*env)
		return CT_RCVBUF_DEFAULT;
	v = strtol(env, NULL, 0);
	if (v <= 0 || v > CT_RCVBUF_MAX) {
		log_warnx("ZONED_CT_RCVBUF=%s out of range, ignoring", env);
		return CT_RCVBUF_DEFAULT;
	}
	cw->rcvbuf_fixed = true;
	log_info("conntrack event buffer fixed at %ld bytes (ZONED_CT_RCVBUF)",
		 v);
	return (int)v;
}

static int ct_open_events(struct ctwatch *cw)
{
	int err;

	cw->ev = nl_sock_open(NETLINK_NETFILTER, SOCK_NONBLOCK,
			      NF_NETLINK_CONNTRACK_NEW |
				      NF_NETLINK_CONNTRACK_DESTROY);
	if (!cw->ev)
		return -errno;
	cw->rcvbuf = ct_rcvbuf_wanted(cw);
	err = nl_sock_rcvbuf(mnl_socket_get_fd(cw->ev), cw->rcvbuf);
	if (err < 0)
		log_warnx("conntrack event buffer: %s, ignoring",
			  strerror(-err));
	return 0;
}

static struct nfct_handle *ct_open_handle(void)
{
	struct nfct_handle *h = nfct_open(CONNTRACK, 0);

	if (h)
		fcntl(nfct_fd(h), F_SETFD, FD_CLOEXEC);
	return h;
}

/**
 * ctwatch_open - subscribe to conntrack events
 *
 * The caller sweeps right after: subscribing first means no flow created
 * meanwhile is missed (the sweep and the events may both see a flow; each
 * is said once).
 * Returns 0 or -errno; on error nothing is left open.
 */
int ctwatch_open(struct zoned *z)
{
	struct ctwatch *cw;
	int err;

	cw = calloc(1, sizeof(*cw));
	if (!cw)
		return -ENOMEM;
	cw->resync_tfd = -1;
	z->ct = cw;
	ct_check_sysctls();
	err = ct_open_events(cw);
	if (err < 0)
		goto out_close;
	cw->dump = ct_open_handle();
	cw->cmd = ct_open_handle();
	if (!cw->dump || !cw->cmd) {
		err = -errno;
		goto out_close;
	}
	nfct_callback_register2(cw->dump, NFCT_T_ALL, ct_dump_cb, z);
	err = loop_add(z, mnl_socket_get_fd(cw->ev), EPOLLIN, ct_event_ready,
		       NULL);
	if (err < 0)
		goto out_close;
	cw->registered = true;
	err = loop_timer_add(z, CLOCK_MONOTONIC, ct_resync_timer, NULL);
	if (err < 0)
		goto out_close;
	cw->resync_tfd = err;
	/* subscribed first, so no address added meanwhile is missed */
	ct_open_addr_watch(z);
	ct_local_refresh(cw);
	return 0;

out_close:
	log_warnx("conntrack watcher: %s", strerror(-err));
	ctwatch_close(z);
	return err;
}

/**
 * ctwatch_close - stop watching; a watcher never opened is fine
 */
void ctwatch_close(struct zoned *z)
{
	struct ctwatch *cw = z->ct;

	if (!cw)
		return;
	log_info("conntrack watcher: %llu events in %.3f s, %llu overruns, %llu sweeps, %llu flows re-marked",
		 (unsigned long long)cw->n_events,
		 (double)(timespec_ns(&cw->last_event) -
			  timespec_ns(&cw->first_event)) / 1e9,
		 (unsigned long long)cw->lost_total,
		 (unsigned long long)cw->n_sweeps,
		 (unsigned long long)cw->n_remarked);
	if (cw->resync_tfd >= 0)
		loop_timer_del(z, cw->resync_tfd);
	nl_sock_close(z, cw->ev, cw->registered);
	nl_sock_close(z, cw->rt, cw->rt_registered);
	if (cw->dump)
		nfct_close(cw->dump);
	if (cw->cmd)
		nfct_close(cw->cmd);
	ct_entries_free(cw);
	free(cw->local);
	free(cw);
	z->ct = NULL;
}
