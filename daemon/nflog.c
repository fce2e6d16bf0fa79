/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The NFLOG receiver of doc/design.md section 4: the packets the ruleset drops
 * (after its in-kernel rate limit) arrive on group ZONE_NFLOG_GROUP, are
 * judged again with zone_verdict() and become deny and spoof alerts,
 * aggregated per (source, destination, protocol, port): the first one at
 * once with count=1, then one summary per window with the count since.
 * nflog_decode.c reads each message; this file binds, aggregates and
 * alerts.
 *
 * libmnl only: one socket, bound with an ACK
 * so that a group held by another listener is a clear error.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>

#include <zone/mark.h>
#include <zone/model.h>
#include <zone/proto.h>
#include <zone/verdict.h>

#include "alert.h"
#include "fnv.h"
#include "log.h"
#include "loop.h"
#include "monotime.h"
#include "nflog.h"
#include "nflog_decode.h"
#include "nflog_int.h"
#include "nlbuf.h"
#include "stats.h"
#include "zoned.h"

#define NFLOG_RCVBUF (16 << 20)
#define NFLOG_COPY_RANGE 128
#define NFLOG_TIMEOUT 10	/* 1/100 s: flush the kernel's queue at 100 ms */
#define NFLOG_QTHRESH 64
#define NFLOG_NLBUFSIZ 32768
#define NFLOG_BATCH 64		/* datagrams read per wakeup */
#define NFLOG_WINDOW_MS 10000	/* one summary per key per window */

/* --- configuration ------------------------------------------------------- */

static struct nlmsghdr *nflog_cfg_hdr(char *buf, uint16_t group, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(group);
	return nlh;
}

/* Send one config message and wait for its ACK.  Returns 0 or -errno. */
static int nflog_cfg_send(struct nflog *nf, struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;

	if (mnl_socket_sendto(nf->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do /* a datagram another process sent is no answer */
		n = nl_recv_kernel(mnl_socket_get_fd(nf->nl), buf, sizeof(buf));
	while (n == 0);
	if (n < 0)
		return -errno;
	if (!nl_datagram_ok(buf, (size_t)n))
		return -EBADMSG;
	if (mnl_cb_run(buf, n, nlh->nlmsg_seq, nf->portid, NULL, NULL) < 0)
		return -errno;
	return 0;
}

static int nflog_bind(struct nflog *nf)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nfulnl_msg_config_cmd cmd = { .command = NFULNL_CFG_CMD_BIND };
	struct nfulnl_msg_config_mode mode = {
		.copy_range = htonl(NFLOG_COPY_RANGE),
		.copy_mode = NFULNL_COPY_PACKET,
	};
	struct nlmsghdr *nlh;
	int err;

	nlh = nflog_cfg_hdr(buf, ZONE_NFLOG_GROUP, 1);
	mnl_attr_put(nlh, NFULA_CFG_CMD, sizeof(cmd), &cmd);
	err = nflog_cfg_send(nf, nlh);
	if (err == -EBUSY || err == -EPERM) {
		log_warnx("nflog group %d already has a listener (another zoned or ulogd?)",
			  ZONE_NFLOG_GROUP);
		return err;
	}
	if (err < 0)
		return err;
	nlh = nflog_cfg_hdr(buf, ZONE_NFLOG_GROUP, 2);
	mnl_attr_put(nlh, NFULA_CFG_MODE, sizeof(mode), &mode);
	mnl_attr_put_u32(nlh, NFULA_CFG_TIMEOUT, htonl(NFLOG_TIMEOUT));
	mnl_attr_put_u32(nlh, NFULA_CFG_QTHRESH, htonl(NFLOG_QTHRESH));
	mnl_attr_put_u32(nlh, NFULA_CFG_NLBUFSIZ, htonl(NFLOG_NLBUFSIZ));
	mnl_attr_put_u16(nlh, NFULA_CFG_FLAGS, htons(NFULNL_CFG_F_SEQ));
	return nflog_cfg_send(nf, nlh);
}

/* --- aggregation ------------------------------------------------------------ */

static unsigned int nflog_hash(const struct nflog_rec *r, uint32_t iface)
{
	uint32_t kind = (uint32_t)r->kind;
	uint32_t h = FNV1A_INIT;

	h = fnv1a(h, r->f.src.bytes, sizeof(r->f.src.bytes));
	h = fnv1a(h, r->f.dst.bytes, sizeof(r->f.dst.bytes));
	h = fnv1a(h, &r->f.proto, sizeof(r->f.proto));
	h = fnv1a(h, &r->f.dport, sizeof(r->f.dport));
	h = fnv1a(h, &iface, sizeof(iface));
	return fnv1a(h, &kind, sizeof(kind)) % NFLOG_BUCKETS;
}

static bool nflog_same(const struct nflog_agg *a, const struct nflog_rec *r,
		       uint32_t iface)
{
	return a->kind == r->kind && a->iface == iface &&
	       a->f.proto == r->f.proto && a->f.dport == r->f.dport &&
	       memcmp(&a->f.src, &r->f.src, sizeof(a->f.src)) == 0 &&
	       memcmp(&a->f.dst, &r->f.dst, sizeof(a->f.dst)) == 0;
}

/* One line for @a with @count records. */
static void nflog_emit(struct zoned *z, const struct nflog_agg *a,
		       uint64_t count)
{
	char src[ZONE_PREFIX_STRLEN], dst[ZONE_PREFIX_STRLEN];
	char dport[8], cnt[24], pbuf[8];
	const char *action;

	zone_addr_format(&a->f.src, src, sizeof(src));
	snprintf(cnt, sizeof(cnt), "%llu", (unsigned long long)count);
	if (a->kind == NFLOG_SPOOF) {
		alert_emit(z->alerts, ALERT_SPOOF, "iface", a->ifname,
			   "zone", a->src_zone, "src", src, "count", cnt,
			   NULL);
		return;
	}
	zone_addr_format(&a->f.dst, dst, sizeof(dst));
	snprintf(dport, sizeof(dport), "%u", a->f.dport);
	action = a->kind == NFLOG_MONITOR ? "reported" : "dropped";
	alert_emit(z->alerts, ALERT_DENY, "src_zone", a->src_zone,
		   "dst_zone", a->dst_zone,
		   "proto", zone_proto_name(a->f.proto, pbuf, sizeof(pbuf)),
		   "src", src, "dst", dst,
		   "dport", a->has_ports ? dport : NULL, "rule", a->rule,
		   "count", cnt, "action", action, NULL);
}

static void nflog_queue_del(struct nflog *nf, struct nflog_agg *a)
{
	if (a->prev)
		a->prev->next = a->next;
	else
		nf->head = a->next;
	if (a->next)
		a->next->prev = a->prev;
	else
		nf->tail = a->prev;
	a->prev = NULL;
	a->next = NULL;
}

static void nflog_queue_add(struct nflog *nf, struct nflog_agg *a)
{
	a->prev = nf->tail;
	a->next = NULL;
	if (nf->tail)
		nf->tail->next = a;
	else
		nf->head = a;
	nf->tail = a;
}

static void nflog_agg_free(struct nflog *nf, struct nflog_agg *a)
{
	unsigned int h;
	struct nflog_agg **pp;
	struct nflog_rec r = { .kind = a->kind, .f = a->f };

	h = nflog_hash(&r, a->iface);
	for (pp = &nf->buckets[h]; *pp; pp = &(*pp)->hnext) {
		if (*pp == a) {
			*pp = a->hnext;
			break;
		}
	}
	nflog_queue_del(nf, a);
	nf->n_keys--;
	free(a);
}

/* Say what @a counted since its last line; forget it when it was quiet. */
static void nflog_window_end(struct zoned *z, struct nflog_agg *a, int64_t now,
			     bool forget)
{
	struct nflog *nf = z->nflog;

	if (a->pending == 0 || forget) {
		if (a->pending)
			nflog_emit(z, a, a->pending);
		nflog_agg_free(nf, a);
		return;
	}
	nflog_emit(z, a, a->pending);
	a->pending = 0;
	a->window_end = now + NFLOG_WINDOW_MS;
	nflog_queue_del(nf, a);
	nflog_queue_add(nf, a);
}

static void nflog_fill_names(struct zoned *z, struct nflog_agg *a,
			     const struct nflog_rec *r)
{
	struct zone_verdict v;
	const char *rule;

	const char *edge = nflog_edge_rule(r);

	zone_verdict(z->model, &r->f, time(NULL), &v);
	snprintf(a->src_zone, sizeof(a->src_zone), "%s",
		 v.src ? zone_segment_name(v.src) : "-");
	snprintf(a->dst_zone, sizeof(a->dst_zone), "%s",
		 v.dst ? zone_segment_name(v.dst) : "-");
	/* "gateway in|out": the gateway itself is one end */
	if (edge && strcmp(edge, "gateway") == 0)
		snprintf(strcmp(r->arg, "gateway out") == 0 ? a->src_zone :
							      a->dst_zone,
			 sizeof(a->src_zone), "gateway");
	/*
	 * The verdict names the rule; the prefix only says which kind of
	 * rule logged.  When the two disagree (a reload raced the packet)
	 * the kernel's word is kept.  The interface bindings and the
	 * gateway's own rules need the packet's interfaces and hook, which
	 * only the kernel saw: their prefix names the rule.
	 */
	if (r->kind == NFLOG_ISOLATE)
		rule = "isolated";
	else if (edge)
		rule = edge;
	else if (v.action == ZONE_ACTION_DENY)
		rule = zone_rule_name(v.rule);
	else
		rule = *r->arg ? r->arg : "unknown";
	snprintf(a->rule, sizeof(a->rule), "%s", rule);
	if (r->kind == NFLOG_SPOOF && !if_indextoname(r->indev, a->ifname))
		snprintf(a->ifname, sizeof(a->ifname), "if%u", r->indev);
}

static void nflog_record(struct zoned *z, const struct nflog_rec *r)
{
	struct nflog *nf = z->nflog;
	uint32_t iface = r->kind == NFLOG_SPOOF ? r->indev : 0;
	unsigned int h = nflog_hash(r, iface);
	int64_t now = (int64_t)mono_ms();
	struct nflog_agg *a;

	for (a = nf->buckets[h]; a; a = a->hnext)
		if (nflog_same(a, r, iface))
			break;
	if (a) {
		a->pending++;
	} else {
		if (nf->n_keys >= NFLOG_MAX_KEYS) {
			nf->evicted++;
			nflog_window_end(z, nf->head, now, true);
		}
		a = calloc(1, sizeof(*a));
		if (!a)
			return;
		a->kind = r->kind;
		a->f = r->f;
		a->has_ports = r->has_ports;
		a->iface = iface;
		a->window_end = now + NFLOG_WINDOW_MS;
		nflog_fill_names(z, a, r);
		a->hnext = nf->buckets[h];
		nf->buckets[h] = a;
		nflog_queue_add(nf, a);
		nf->n_keys++;
		nflog_emit(z, a, 1);
	}
	stats_count(z->stats, r->kind == NFLOG_SPOOF ? STAT_SPOOF : STAT_DENY,
		    a->src_zone, r->kind == NFLOG_SPOOF ? NULL : a->dst_zone,
		    1);
}

/* --- receiving ---------------------------------------------------------------- */

static void nflog_seq(struct nflog *nf, const struct nlattr *attr)
{
	uint32_t seq;

	if (!attr)
		return;
	seq = ntohl(mnl_attr_get_u32(attr));
	if (nf->have_seq && seq != nf->next_seq)
		nf->lost += (uint32_t)(seq - nf->next_seq);
	nf->have_seq = true;
	nf->next_seq = seq + 1;
}

int nflog_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct zoned *z = data;
	struct nflog *nf = z->nflog;
	const struct nlattr *tb[NFULA_MAX + 1] = { NULL };
	struct nflog_rec rec;

	if (nlh->nlmsg_type != ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET))
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), nflog_attr_cb,
			   tb) < 0) {
		nf->malformed++;
		return MNL_CB_OK;
	}
	nflog_seq(nf, tb[NFULA_SEQ]);
	if (nflog_decode(tb, &rec) < 0 || rec.kind == NFLOG_OTHER) {
		nf->malformed++;
		return MNL_CB_OK;
	}
	if (z->model)
		nflog_record(z, &rec);
	return MNL_CB_OK;
}

/* One datagram of log records; a malformed one is counted and skipped. */
void nflog_datagram(struct zoned *z, void *buf, size_t n)
{
	if (!nl_datagram_ok(buf, n)) {
		z->nflog->malformed++;
		return;
	}
	mnl_cb_run(buf, n, 0, 0, nflog_msg_cb, z);
}

static void nflog_ready(struct zoned *z, int fd, uint32_t events, void *arg)
{
	struct nflog *nf = z->nflog;

	(void)fd;
	(void)events;
	(void)arg;
	/* an overrun is counted; the sequence gap tells how many were lost */
	nf->overruns += nl_recv_batch(z, mnl_socket_get_fd(nf->nl), nf->buf,
				      sizeof(nf->buf), NFLOG_BATCH,
				      nflog_datagram, NULL, "nflog receive");
}

static void nflog_report_lost(struct zoned *z)
{
	struct nflog *nf = z->nflog;
	char count[24], overruns[24];

	if (!nf->lost)
		return;
	snprintf(count, sizeof(count), "%llu", (unsigned long long)nf->lost);
	snprintf(overruns, sizeof(overruns), "%llu",
		 (unsigned long long)nf->overruns);
	alert_emit(z->alerts, ALERT_EVENTS_LOST, "count", count,
		   "source", "nflog", "overruns", overruns, NULL);
	stats_count(z->stats, STAT_EVENTS_LOST, NULL, NULL, nf->lost);
	nf->lost = 0;
	nf->overruns = 0;
}

/* Once a second: close the windows that ended, report lost records. */
void nflog_tick(struct zoned *z, int fd, uint32_t events, void *arg)
{
	struct nflog *nf = z->nflog;
	int64_t now = (int64_t)mono_ms();

	(void)events;
	(void)arg;
	loop_timer_read(fd);
	while (nf->head && nf->head->window_end <= now)
		nflog_window_end(z, nf->head, now, false);
	nflog_report_lost(z);
}

/**
 * nflog_open - bind the NFLOG group and start receiving
 *
 * Returns 0 or -errno (-EBUSY or -EPERM when another socket holds the
 * group); on error nothing is left open.
 */
int nflog_open(struct zoned *z)
{
	struct nflog *nf;
	int fd, err;

	nf = calloc(1, sizeof(*nf));
	if (!nf)
		return -ENOMEM;
	nf->tfd = -1;
	z->nflog = nf;
	/* blocking until the group is bound: nflog_bind() waits for acks */
	nf->nl = nl_sock_open(NETLINK_NETFILTER, 0, 0);
	if (!nf->nl) {
		err = -errno;
		goto out_close;
	}
	nf->portid = mnl_socket_get_portid(nf->nl);
	fd = mnl_socket_get_fd(nf->nl);
	(void)nl_sock_rcvbuf(fd, NFLOG_RCVBUF);
	err = nflog_bind(nf);
	if (err < 0)
		goto out_close;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		err = -errno;
		goto out_close;
	}
	err = loop_add(z, fd, EPOLLIN, nflog_ready, NULL);
	if (err < 0)
		goto out_close;
	nf->registered = true;
	err = loop_timer_every(z, 1000, nflog_tick, NULL);
	if (err < 0)
		goto out_close;
	nf->tfd = err;
	return 0;

out_close:
	log_warnx("nflog group %d: %s", ZONE_NFLOG_GROUP, strerror(-err));
	nflog_close(z);
	return err;
}

/**
 * nflog_close - say the pending counts and stop; NULL-safe
 *
 * Summaries still due go out first, so the counts of every deny key add
 * up to the records received even across a shutdown.
 */
void nflog_close(struct zoned *z)
{
	struct nflog *nf = z->nflog;
	int64_t now = (int64_t)mono_ms();

	if (!nf)
		return;
	while (nf->head) {
		if (z->alerts)
			nflog_window_end(z, nf->head, now, true);
		else
			nflog_agg_free(nf, nf->head);
	}
	if (z->alerts)
		nflog_report_lost(z);
	if (nf->tfd >= 0)
		loop_timer_del(z, nf->tfd);
	nl_sock_close(z, nf->nl, nf->registered);
	if (nf->evicted)
		log_info("nflog: %llu aggregation keys evicted early",
			 (unsigned long long)nf->evicted);
	free(nf);
	z->nflog = NULL;
}
