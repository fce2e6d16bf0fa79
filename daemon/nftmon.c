/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The nftables monitor of doc/design.md section 4.  A socket of its own joins
 * NFNLGRP_NFTABLES; a change to table inet zoned that another socket made
 * raises drift and puts the policy back at once.  The kernel announces a
 * transaction as its object messages followed by NEWGEN, so the messages
 * of one transaction are gathered and acted on once, at NEWGEN.
 *
 * With the table's owner flag the kernel refuses foreign writes outright
 * (EPERM, and no events); the monitor catches what gets past that: an
 * orphaned table after a restart, a kernel without the flag, a writer
 * with zoned's own privileges racing a restart.
 *
 * It also keeps the list of other tables' base chains on the forward
 * hook, which `zonectl audit` shows.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <zone/diag.h>
#include <zone/mark.h>
#include <zone/ruleset.h>

#include "alert.h"
#include "ctwatch.h"
#include "log.h"
#include "loop.h"
#include "nftmon.h"
#include "nftmon_int.h"
#include "nlbuf.h"
#include "reload.h"
#include "stats.h"
#include "zoned.h"

#define NFTMON_RCVBUF (16 << 20)
#define NFTMON_BATCH 64

/* "new-rule", "delete-table", ... for the drift alert */
static const char *change_name(int type)
{
	switch (type) {
	case NFT_MSG_NEWTABLE:
		return "new-table";
	case NFT_MSG_DELTABLE:
		return "delete-table";
	case NFT_MSG_NEWCHAIN:
		return "new-chain";
	case NFT_MSG_DELCHAIN:
		return "delete-chain";
	case NFT_MSG_NEWRULE:
		return "new-rule";
	case NFT_MSG_DELRULE:
		return "delete-rule";
	case NFT_MSG_NEWSET:
		return "new-set";
	case NFT_MSG_DELSET:
		return "delete-set";
	case NFT_MSG_NEWSETELEM:
		return "new-element";
	case NFT_MSG_DELSETELEM:
		return "delete-element";
	case NFT_MSG_NEWOBJ:
		return "new-object";
	case NFT_MSG_DELOBJ:
		return "delete-object";
	case NFT_MSG_NEWFLOWTABLE:
		return "new-flowtable";
	case NFT_MSG_DELFLOWTABLE:
		return "delete-flowtable";
	default:
		return NULL;
	}
}

static int change_rank(int type)
{
	switch (type) {
	case NFT_MSG_DELTABLE:
		return 3;
	case NFT_MSG_DELCHAIN:
	case NFT_MSG_NEWTABLE:
		return 2;
	default:
		return 1;
	}
}

/* --- drift -------------------------------------------------------------------- */

static void drift_restore(struct zoned *z, const char *change, uint32_t pid,
			  const char *comm)
{
	char pidbuf[16];
	int err;

	/*
	 * The repair is said before the sweep: judging every flow again can
	 * take long on a big conntrack table, and the alert must not wait.
	 */
	err = zoned_reapply_nosweep(z, "drift");
	snprintf(pidbuf, sizeof(pidbuf), "%u", pid);
	alert_emit(z->alerts, ALERT_DRIFT,
		   "table", ZONE_TABLE_FAMILY_NAME "/" ZONE_TABLE_NAME,
		   "change", change,
		   "action", err < 0 ? "restore-failed" : "restored",
		   "pid", pid ? pidbuf : NULL, "comm", comm, NULL);
	stats_count(z->stats, STAT_DRIFT, NULL, NULL, 1);
	if (err < 0)
		log_warnx("cannot restore the policy after drift: %s",
			  strerror(-err));
	else if (z->ct && (err = ctwatch_sweep(z)) < 0)
		log_warnx("conntrack sweep: %s, ignoring", strerror(-err));
}

static int gen_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, NFTA_GEN_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case NFTA_GEN_ID:
	case NFTA_GEN_PROC_PID:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		break;
	case NFTA_GEN_PROC_NAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		break;
	default:
		return MNL_CB_OK;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

/*
 * A foreign change read while zoned applies (nftmon_quiet_begin drains the
 * socket) is repaired from the loop, after the apply, not inside it.
 */
static void drift_defer(struct nftmon *nm, uint32_t pid, const char *comm)
{
	nm->deferred = true;
	snprintf(nm->deferred_change, sizeof(nm->deferred_change), "%s",
		 nm->change);
	nm->deferred_pid = pid;
	nm->deferred_has_comm = comm != NULL;
	snprintf(nm->deferred_comm, sizeof(nm->deferred_comm), "%s",
		 comm ? comm : "");
}

/* The end of a transaction: act on what it did to our table. */
static void on_newgen(struct zoned *z, const struct nlmsghdr *nlh)
{
	struct nftmon *nm = z->mon;
	const struct nlattr *tb[NFTA_GEN_MAX + 1] = { NULL };
	const char *comm = NULL;
	uint32_t pid = 0;
	bool parsed;

	parsed = mnl_attr_parse(nlh, sizeof(struct nfgenmsg), gen_attr_cb,
				tb) >= 0;
	/*
	 * Every commit ends with NEWGEN carrying its generation, in commit
	 * order (nf_tables_commit() in net/netfilter/nf_tables_api.c): the
	 * commits up to it have all been read.
	 */
	if (parsed && tb[NFTA_GEN_ID] && nm->gen_known) {
		uint32_t id = ntohl(mnl_attr_get_u32(tb[NFTA_GEN_ID]));

		if ((int32_t)(id - nm->gen) > 0)
			nm->gen = id;
	}
	if (!nm->pending)
		return;
	nm->pending = false;
	if (parsed) {
		if (tb[NFTA_GEN_PROC_PID])
			pid = ntohl(mnl_attr_get_u32(tb[NFTA_GEN_PROC_PID]));
		if (tb[NFTA_GEN_PROC_NAME])
			comm = mnl_attr_get_str(tb[NFTA_GEN_PROC_NAME]);
	}
	if (nm->quiet)
		drift_defer(nm, pid, comm);
	else
		drift_restore(z, nm->change, pid, comm);
}

/* Attribute 1 of every object message names its table. */
static int table_attr_cb(const struct nlattr *attr, void *data)
{
	const char **table = data;

	if (mnl_attr_get_type(attr) != 1)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_ERROR;
	*table = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

/* The table an object message is about, or NULL. */
static const char *msg_table(const struct nlmsghdr *nlh)
{
	const char *table = NULL;

	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), table_attr_cb,
			   &table) < 0)
		return NULL;
	return table;
}

static void on_foreign_chain(struct nftmon *nm, const struct nlmsghdr *nlh,
			     int type, int family, const char *table)
{
	struct nftnl_chain *c;

	if (type == NFT_MSG_DELTABLE) {
		hooks_forget(nm, family_name(family), table, NULL);
		return;
	}
	c = nftnl_chain_alloc();
	if (!c)
		return;
	if (nftnl_chain_nlmsg_parse(nlh, c) == 0) {
		if (type == NFT_MSG_NEWCHAIN)
			hooks_note(nm, c, true);
		else if (nftnl_chain_is_set(c, NFTNL_CHAIN_NAME))
			hooks_forget(nm, family_name(family), table,
				     nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
	}
	nftnl_chain_free(c);
}

int mon_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct zoned *z = data;
	struct nftmon *nm = z->mon;
	const struct nfgenmsg *nfg;
	int type = NFNL_MSG_TYPE(nlh->nlmsg_type);
	const char *change, *table;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return MNL_CB_OK;
	if (type == NFT_MSG_NEWGEN) {
		on_newgen(z, nlh);
		return MNL_CB_OK;
	}
	change = change_name(type);
	if (!change || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*nfg)))
		return MNL_CB_OK;
	nfg = mnl_nlmsg_get_payload(nlh);
	table = msg_table(nlh);
	if (!table)
		return MNL_CB_OK;
	if (!is_our_table(nfg->nfgen_family, table)) {
		if (type == NFT_MSG_NEWCHAIN || type == NFT_MSG_DELCHAIN ||
		    type == NFT_MSG_DELTABLE)
			on_foreign_chain(nm, nlh, type, nfg->nfgen_family,
					 table);
		return MNL_CB_OK;
	}
	/*
	 * Our own writes carry our writer's port id; port id 0 is the
	 * kernel's own housekeeping (expired elements).
	 */
	if (!z->nft || nlh->nlmsg_pid == zone_nft_portid(z->nft) ||
	    nlh->nlmsg_pid == 0)
		return MNL_CB_OK;
	/*
	 * A transaction deletes a table's contents before the table: name
	 * the weightiest change it made, not the first message.
	 */
	if (!nm->pending || change_rank(type) > nm->change_rank) {
		nm->pending = true;
		nm->pending_pid = nlh->nlmsg_pid;
		nm->change_rank = change_rank(type);
		snprintf(nm->change, sizeof(nm->change), "%s", change);
	}
	return MNL_CB_OK;
}

/* Read the table back and repair it if it is not what we applied. */
static void table_check(struct zoned *z, const char *when)
{
	struct zone_diag *diag;
	int err;

	if (!z->nft || !z->ruleset)
		return;
	diag = zone_diag_new();
	err = zone_nft_verify(z->nft, z->ruleset, diag);
	if (err == -EUCLEAN || err == -ENOENT) {
		if (diag && zone_diag_count(diag))
			log_warnx("table differs: %s", zone_diag_line(diag, 0));
		drift_restore(z, "unknown", 0, NULL);
	} else if (err < 0) {
		log_warnx("cannot verify table %s: %s", when, strerror(-err));
	}
	zone_diag_free(diag);
}

/*
 * Notifications were lost: what they said is unknown, so read the table
 * back and repair it if it is not what we applied.
 */
static void mon_resync(struct zoned *z)
{
	char count[] = "1";

	alert_emit(z->alerts, ALERT_EVENTS_LOST, "count", count,
		   "source", "nftables", NULL);
	stats_count(z->stats, STAT_EVENTS_LOST, NULL, NULL, 1);
	z->mon->pending = false;
	/* which commits were lost is unknown: the next quiet window checks */
	z->mon->gen_known = false;
	hooks_reload(z->mon);
	table_check(z, "after lost events");
}

/* One datagram of notifications; a malformed one is skipped. */
void mon_datagram(struct zoned *z, void *buf, size_t n)
{
	if (!nl_datagram_ok(buf, n)) {
		log_warnx("nftables monitor: malformed datagram, ignoring");
		return;
	}
	mnl_cb_run(buf, n, 0, 0, mon_msg_cb, z);
}

static void mon_ready(struct zoned *z, int fd, uint32_t events, void *arg)
{
	struct nftmon *nm = z->mon;

	(void)fd;
	(void)events;
	(void)arg;
	if (nl_recv_batch(z, mnl_socket_get_fd(nm->nl), nm->buf,
			  sizeof(nm->buf), NFTMON_BATCH, mon_datagram, NULL,
			  "nftables monitor"))
		mon_resync(z);
}

/* --- quiet while zoned applies ---------------------------------------------- */

/*
 * While any socket is in NFNLGRP_NFTABLES, the kernel builds one
 * notification of NLMSG_GOODSIZE for every object a commit adds or deletes
 * and holds them all until the commit ends (nf_tables_setelem_notify(),
 * nft_notify_enqueue() and nft_commit_notify() in
 * net/netfilter/nf_tables_api.c): a re-apply of N set elements costs N
 * such buffers at once, charged to no cgroup.  Whether anyone listens is
 * one mask per netlink protocol for the whole host, every namespace's
 * sockets together (netlink_has_listeners() and netlink_update_listeners()
 * in net/netlink/af_netlink.c): leaving saves the memory only where no
 * other socket on the host listens.  Our own socket's receive queue is
 * spared either way.  The monitor would only ignore our own changes, so it
 * leaves the group around our commits (NETLINK_DROP_MEMBERSHIP,
 * netlink(7)) and accounts for the window with the ruleset generation,
 * which the kernel moves once per commit of any writer in the namespace.
 */

/* the generation after @gen: the kernel skips 0 when it wraps */
static uint32_t gen_next(uint32_t gen)
{
	return gen + 1 ? gen + 1 : 1;
}

static int mon_membership(struct nftmon *nm, int opt)
{
	int group = NFNLGRP_NFTABLES;

	return mnl_socket_setsockopt(nm->nl, opt, &group, sizeof(group)) < 0 ?
		       -errno :
		       0;
}

/*
 * Read what the kernel queued for the monitor before it left the group.
 * Leaving does not empty the receive queue, but this must be read now
 * to know up to which commit everything arrived.  False when something
 * was lost.
 */
static bool quiet_drain(struct zoned *z)
{
	struct nftmon *nm = z->mon;
	int fd = mnl_socket_get_fd(nm->nl);
	bool ok = true;
	ssize_t n;

	for (;;) {
		n = nl_recv_kernel(fd, nm->qbuf, sizeof(nm->qbuf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			if (errno == ENOBUFS) {
				ok = false;
				continue;
			}
			log_warn("nftables monitor");
			return false;
		}
		mon_datagram(z, nm->qbuf, (size_t)n);
	}
	return ok;
}

/**
 * nftmon_quiet_begin - leave the notification group before zoned commits
 *
 * The queue is read first, then the generation: a commit whose NEWGEN
 * came before the leave was read; any other commit up to that generation
 * (its notifications sent after the leave) leaves the monitor in doubt.
 */
void nftmon_quiet_begin(struct zoned *z)
{
	struct nftmon *nm = z->mon;
	uint32_t gen;
	int err;

	if (!nm || !z->nft || nm->quiet || nm->rejoin)
		return;
	err = mon_membership(nm, NETLINK_DROP_MEMBERSHIP);
	if (err < 0) {
		/* still in the group: the commit is seen, as before */
		log_warnx("nftables monitor: cannot leave the group: %s, ignoring",
			  strerror(-err));
		return;
	}
	nm->quiet = true;
	if (!quiet_drain(z))
		nm->doubt = true;
	/* a transaction whose NEWGEN was not sent before the leave */
	if (nm->pending) {
		nm->pending = false;
		nm->doubt = true;
	}
	err = zone_nft_generation(z->nft, &gen);
	if (err < 0) {
		nm->doubt = true;
		nm->gen_known = false;
		return;
	}
	if (!nm->gen_known)
		nm->doubt = true;
	else if (gen != nm->gen)
		nm->doubt = nm->unseen = true;
	nm->quiet_gen = gen;
	nm->gen = gen;
	nm->gen_known = true;
}

/**
 * nftmon_quiet_end - join the notification group again after zoned's commit
 *
 * The apply's commits are counted by zone_nft_commits(), whatever it
 * returned: a failed staged load may have committed stages.
 * Joined first, then the generation read: a commit after the join is
 * delivered, and one inside the window shows as a generation that moved
 * more than our own commit.  Anything but the expected generation is
 * checked from the loop as after lost events.
 */
void nftmon_quiet_end(struct zoned *z)
{
	struct nftmon *nm = z->mon;
	uint32_t gen, want;
	unsigned int n;
	int err;

	if (!nm || !nm->quiet)
		return;
	nm->quiet = false;
	err = mon_membership(nm, NETLINK_ADD_MEMBERSHIP);
	if (err < 0) {
		log_warnx("nftables monitor: cannot join the group again: %s, retrying",
			  strerror(-err));
		nm->rejoin = true;
		nm->gen_known = false;
		(void)loop_timer_arm(nm->recheck_fd, 1000, 0);
		return;
	}
	/*
	 * Each batch zone_nft_apply() committed carried the generation it
	 * was computed at (NFNL_BATCH_GENID): each moved the generation by
	 * one, the stages of a staged load too, and those of a failed one.
	 */
	want = nm->quiet_gen;
	for (n = zone_nft_commits(z->nft); n > 0; n--)
		want = gen_next(want);
	if (!nm->gen_known || zone_nft_generation(z->nft, &gen) < 0) {
		nm->doubt = true;
		nm->gen_known = false;
	} else {
		if (gen != want)
			nm->doubt = nm->unseen = true;
		nm->gen = gen;
	}
	if (nm->doubt || nm->deferred)
		(void)loop_timer_arm(nm->recheck_fd, 1, 0);
}

/* After a quiet window: repair what was read, check what may be unseen. */
static void mon_recheck(struct zoned *z, int fd, uint32_t events, void *arg)
{
	struct nftmon *nm = z->mon;
	int err;

	(void)events;
	(void)arg;
	(void)loop_timer_read(fd);
	if (nm->rejoin) {
		err = mon_membership(nm, NETLINK_ADD_MEMBERSHIP);
		if (err < 0) {
			(void)loop_timer_arm(nm->recheck_fd, 1000, 0);
			return;
		}
		log_info("nftables monitor: in the group again");
		nm->rejoin = false;
		nm->doubt = true;
	}
	if (nm->deferred) {
		nm->deferred = false;
		drift_restore(z, nm->deferred_change, nm->deferred_pid,
			      nm->deferred_has_comm ? nm->deferred_comm : NULL);
	}
	if (!nm->doubt)
		return;
	nm->doubt = false;
	hooks_reload_announce(nm);
	/*
	 * A plain table takes any writer's changes, and our own commit may
	 * have overwritten one that landed before it: an unread foreign
	 * commit is drift, whatever the table reads back.  An owned table
	 * refuses other writers (NFT_TABLE_F_OWNER): reading it back is
	 * enough.
	 */
	if (nm->unseen && zone_nft_protection(z->nft) != ZONE_NFT_OWNER_PERSIST) {
		nm->unseen = false;
		drift_restore(z, "unknown", 0, NULL);
		return;
	}
	nm->unseen = false;
	table_check(z, "after applying");
}

/**
 * nftmon_open - join the nftables notification group
 *
 * Returns 0 or -errno; on error nothing is left open.
 */
int nftmon_open(struct zoned *z)
{
	struct nftmon *nm;
	int group = NFNLGRP_NFTABLES;
	int fd, err;

	nm = calloc(1, sizeof(*nm));
	if (!nm)
		return -ENOMEM;
	z->mon = nm;
	nm->recheck_fd = -1;
	nm->nl = nl_sock_open(NETLINK_NETFILTER, SOCK_NONBLOCK, 0);
	if (!nm->nl || mnl_socket_setsockopt(nm->nl, NETLINK_ADD_MEMBERSHIP,
					     &group, sizeof(group)) < 0) {
		err = -errno;
		goto out_close;
	}
	fd = mnl_socket_get_fd(nm->nl);
	(void)nl_sock_rcvbuf(fd, NFTMON_RCVBUF);
	/* subscribed first, so no chain added meanwhile is missed */
	err = hooks_reload(nm);
	if (err < 0)
		log_warnx("cannot list chains: %s, ignoring", strerror(-err));
	/* in the group first: every later commit is read or accounted for */
	nm->gen_known = z->nft && zone_nft_generation(z->nft, &nm->gen) == 0;
	err = loop_timer_add(z, CLOCK_MONOTONIC, mon_recheck, NULL);
	if (err < 0)
		goto out_close;
	nm->recheck_fd = err;
	err = loop_add(z, fd, EPOLLIN, mon_ready, NULL);
	if (err < 0)
		goto out_close;
	nm->registered = true;
	z->commit_begin = nftmon_quiet_begin;
	z->commit_end = nftmon_quiet_end;
	return 0;

out_close:
	log_warnx("nftables monitor: %s", strerror(-err));
	nftmon_close(z);
	return err;
}

/**
 * nftmon_close - stop monitoring; NULL-safe
 */
void nftmon_close(struct zoned *z)
{
	struct nftmon *nm = z->mon;

	if (!nm)
		return;
	z->commit_begin = NULL;
	z->commit_end = NULL;
	loop_timer_del(z, nm->recheck_fd);
	nl_sock_close(z, nm->nl, nm->registered);
	free(nm);
	z->mon = NULL;
}
