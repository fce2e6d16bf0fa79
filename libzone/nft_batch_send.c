/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sending a batch (nft_batch.c describes it) and reading every reply:
 * each kernel error is named by the config object whose message caused
 * it, through the sequence numbers the encoders recorded.
 */

#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>

#include <zone/diag.h>

#include "nft_batch.h"
#include "nft_batch_priv.h"

static const struct nft_origin *batch_origin(const struct nft_batch *b,
					     uint32_t seq)
{
	size_t lo = 0;
	size_t hi = b->n_map;

	/* seqs were recorded in ascending order */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (b->map[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < b->n_map && b->map[lo].seq == seq)
		return b->map[lo].origin;
	return NULL;
}

static int extack_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, NLMSGERR_ATTR_MAX) < 0)
		return MNL_CB_OK;
	if (type == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_ERROR;
	tb[type] = attr;
	return MNL_CB_OK;
}

/*
 * The kernel checks every message of a failed batch, so one cause (say,
 * EPERM on a table someone else owns) can fail them all: report the first
 * few and count the rest.
 */
#define REPLY_ERRORS_MAX 5

struct reply_ctx {
	struct nft_batch *b;
	const char *file;
	struct zone_diag *diag;
	int first_err;
	size_t n_errors;
	bool end_acked;
};

static void reply_error(struct reply_ctx *r, const struct nlmsghdr *nlh,
			const struct nlmsgerr *err)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
	const struct nft_origin *o = batch_origin(r->b, err->msg.nlmsg_seq);
	const char *ext = NULL;
	size_t off = sizeof(*err);

	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(err->msg);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    mnl_attr_parse(nlh, (unsigned int)off, extack_cb, tb) >= 0 &&
	    tb[NLMSGERR_ATTR_MSG])
		ext = mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]);
	if (!r->first_err || r->first_err == -ERESTART)
		r->first_err = err->error;
	if (!r->diag || err->error == -ERESTART ||
	    ++r->n_errors > REPLY_ERRORS_MAX)
		return;
	zone_diag_add(r->diag, r->file, o ? o->line : 0,
		      "kernel rejected %s: %s%s%s%s",
		      o ? o->what : "the ruleset", strerror(-err->error),
		      ext ? " (" : "", ext ? ext : "", ext ? ")" : "");
}

static int reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct reply_ctx *r = data;
	const struct nlmsgerr *err;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
		return MNL_CB_ERROR;
	err = mnl_nlmsg_get_payload(nlh);
	if (err->error == 0) {
		if (err->msg.nlmsg_seq == r->b->end_seq)
			r->end_acked = true;
		return MNL_CB_OK;
	}
	reply_error(r, nlh, err);
	return MNL_CB_OK;
}

static void batch_sndbuf(int fd, size_t need)
{
	int cur = 0;
	socklen_t len = sizeof(cur);
	int want;

	if (need > (size_t)1 << 30)
		need = (size_t)1 << 30;
	want = (int)need;
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &cur, &len) == 0 &&
	    cur / 2 >= want)
		return;
	/* FORCE needs CAP_NET_ADMIN, which a writer has anyway */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof(want)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof(want));
}

static int batch_recv(int fd, struct reply_ctx *r)
{
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = reply_cb };
	char buf[32768];
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0)
			return -errno;
		/* seq 0: accept any; replies are matched by their seq */
		if (mnl_cb_run2(buf, (size_t)n, 0, 0, NULL, r, ctl,
				NLMSG_MIN_TYPE) < 0)
			return -errno;
		if (r->end_acked)
			return 0;
	}
}

int nft_batch_send(struct nft_batch *b, int fd, const char *file,
		   struct zone_diag *diag)
{
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK };
	struct reply_ctx r = { .b = b, .file = file, .diag = diag };
	int n_iov = nftnl_batch_iovec_len(b->nb);
	struct msghdr msg = { 0 };
	struct iovec *iov;
	size_t total = 0;
	int i;
	int ret;

	if (b->err)
		return b->err;
	iov = calloc((size_t)n_iov, sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	nftnl_batch_iovec(b->nb, iov, (uint32_t)n_iov);
	for (i = 0; i < n_iov; i++)
		total += iov[i].iov_len;
	batch_sndbuf(fd, total + (64u << 10));
	msg.msg_name = &snl;
	msg.msg_namelen = sizeof(snl);
	msg.msg_iov = iov;
	msg.msg_iovlen = (size_t)n_iov;
	/* the kernel runs the whole batch inside sendmsg() */
	if (sendmsg(fd, &msg, 0) < 0) {
		ret = -errno;
		free(iov);
		return ret;
	}
	free(iov);
	ret = batch_recv(fd, &r);
	if (r.diag && r.n_errors > REPLY_ERRORS_MAX)
		zone_diag_add(r.diag, file, 0, "and %zu more kernel errors",
			      r.n_errors - REPLY_ERRORS_MAX);
	if (ret < 0)
		return ret;
	if (r.first_err)
		return r.first_err;
	return 0;
}
