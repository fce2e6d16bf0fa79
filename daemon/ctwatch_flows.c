/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The listing of zonectl flows: a conntrack dump on a non-blocking socket
 * of its own, read a slice at a time from the loop.  A netlink dump goes
 * on only as fast as it is read, so the daemon holds one datagram of it at
 * a time, and with the slice bounded in time the loop serves its other
 * sockets (the watchers, other clients) between two slices however large
 * the table is.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include <zone/mark.h>
#include <zone/verdict.h>

#include "ctwatch.h"
#include "ctwatch_priv.h"
#include "monotime.h"
#include "nlbuf.h"
#include "zoned.h"

/* The most time one call spends reading and formatting. */
#define CT_FLOWDUMP_SLICE_US 2000

struct ctwatch_flowdump {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	/* for the message callback */
	struct zoned *z;
	ctwatch_flow_cb cb;
	void *arg;
	long buf[32768 / sizeof(long)];
};

/**
 * ctwatch_flowdump_start - ask the kernel for the whole conntrack table
 *
 * Returns the dump, or NULL with errno set (ENOTCONN when the watcher or
 * the model is missing).
 */
struct ctwatch_flowdump *ctwatch_flowdump_start(struct zoned *z)
{
	struct ctwatch_flowdump *d;
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	int err;

	if (!z->ct || !z->model) {
		errno = ENOTCONN;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->nl = mnl_socket_open2(NETLINK_NETFILTER,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!d->nl || mnl_socket_bind(d->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out_free;
	d->portid = mnl_socket_get_portid(d->nl);
	d->seq = (uint32_t)time(NULL);
	nlh = mnl_nlmsg_put_header(d->buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = d->seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	if (mnl_socket_sendto(d->nl, nlh, nlh->nlmsg_len) < 0)
		goto out_free;
	return d;

out_free:
	err = errno;
	ctwatch_flowdump_free(d);
	errno = err;
	return NULL;
}

/* ctwatch_flowdump_fd - the dump's socket, for the loop */
int ctwatch_flowdump_fd(const struct ctwatch_flowdump *d)
{
	return mnl_socket_get_fd(d->nl);
}

/* The channel or matrix rule that admitted a flow, from its mark. */
static const char *ct_admitted_by(const struct zoned *z,
				  const struct ct_flow *fl,
				  const struct zone_verdict *v, char *buf,
				  size_t size)
{
	const char *channel;

	if ((fl->mark & ZONE_MARK_MAGIC_MASK) != ZONE_MARK_MAGIC)
		return "bypass";
	channel = ct_channel_by_mark(z, fl->mark, buf, size);
	if (channel)
		return channel;
	if ((fl->mark & ZONE_MARK_TYPE_MASK) == ZONE_MARK_T_RULE) {
		unsigned int rule = (fl->mark & ZONE_MARK_PAYLOAD_MASK) >> 16;

		if (rule < ZONE_RULE_MAX)
			return zone_rule_name(rule);
	}
	return zone_rule_name(v->rule);
}

/* One entry of the dump: handed on when it crosses segments. */
static void ct_flowdump_one(struct ctwatch_flowdump *d,
			    const struct nf_conntrack *ct)
{
	struct zoned *z = d->z;
	struct ctwatch_flow out;
	struct zone_verdict v;
	struct ct_flow fl;
	char buf[16];

	if (ct_decode(ct, &fl) < 0)
		return;
	zone_verdict(z->model, &fl.f, time(NULL), &v);
	if (v.rule == ZONE_RULE_INTRA_ZONE || ct_is_local(z->ct, &fl))
		return;
	memset(&out, 0, sizeof(out));
	out.proto = fl.f.proto;
	out.src = fl.f.src;
	out.dst = fl.f.dst;
	out.sport = fl.sport;
	out.dport = fl.f.dport;
	out.src_seg = v.src ? zone_segment_name(v.src) : "-";
	out.dst_seg = v.dst ? zone_segment_name(v.dst) : "-";
	snprintf(out.admitted_by, sizeof(out.admitted_by), "%s",
		 ct_admitted_by(z, &fl, &v, buf, sizeof(buf)));
	out.packets = fl.packets;
	out.bytes = fl.bytes;
	d->cb(&out, d->arg);
}

static int ct_flowdump_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ctwatch_flowdump *d = data;
	struct nf_conntrack *ct;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_CTNETLINK ||
	    NFNL_MSG_TYPE(nlh->nlmsg_type) != IPCTNL_MSG_CT_NEW)
		return MNL_CB_OK;
	ct = nfct_new();
	if (!ct)
		return MNL_CB_ERROR;
	if (nfct_nlmsg_parse(nlh, ct) == 0)
		ct_flowdump_one(d, ct);
	nfct_destroy(ct);
	return MNL_CB_OK;
}

/**
 * ctwatch_flowdump_next - handle what has arrived of the dump, one slice
 * @cb: called for each cross-segment flow
 *
 * Returns 1 while more is to come (wait for the socket), 0 when the dump
 * is complete, or -errno.
 */
int ctwatch_flowdump_next(struct zoned *z, struct ctwatch_flowdump *d,
			  ctwatch_flow_cb cb, void *arg)
{
	struct timespec start;
	ssize_t n;
	int ret;

	if (!z->ct || !z->model)
		return -ENOTCONN;
	d->z = z;
	d->cb = cb;
	d->arg = arg;
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		n = nl_recv_kernel(mnl_socket_get_fd(d->nl), d->buf,
				   sizeof(d->buf));
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 1;
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			continue;
		if (!nl_datagram_ok(d->buf, (size_t)n))
			return -EBADMSG;
		ret = mnl_cb_run(d->buf, (size_t)n, d->seq, d->portid,
				 ct_flowdump_msg_cb, d);
		if (ret < 0)
			return -errno;
		if (ret == MNL_CB_STOP)
			return 0;
	} while (mono_us_since(&start) < CT_FLOWDUMP_SLICE_US);
	return 1;
}

/* ctwatch_flowdump_free - close the dump; NULL is fine */
void ctwatch_flowdump_free(struct ctwatch_flowdump *d)
{
	if (!d)
		return;
	if (d->nl)
		mnl_socket_close(d->nl);
	free(d);
}
