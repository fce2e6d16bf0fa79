// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Breakout by name in the kernel: each channel with to_names has one set
 * per family, names4_<channel> and names6_<channel>, with the timeout
 * flag, and its rules match the destination against them.  The plan
 * declares the sets but never their elements: the resolver puts each
 * address in with the timeout of its record (zone_nft_names_refresh()),
 * an apply leaves them alone, and the kernel drops an element when its
 * timeout passes, whether zoned is running or not, so a name that is no
 * longer refreshed closes by itself (fail closed).
 */

#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>

#include <zone/mark.h>
#include <zone/names.h>
#include <zone/ruleset.h>

#include "model_priv.h"
#include "names_priv.h"
#include "nft_plan.h"
#include "nft_range.h"
#include "nft_rule.h"
#include "nft_sess.h"

/**
 * nft_names_add_sets - declare the two timed sets of @chan's names
 * Returns 0 (also when @chan has no names) or -errno.
 */
int nft_names_add_sets(struct zone_ruleset *rs, const struct zone_channel *chan)
{
	static const int fam[2] = { AF_INET, AF_INET6 };
	char name[NFT_NAME_LEN];
	struct nft_pset *s;
	int ret;
	int f;

	if (!chan->n_to_names)
		return 0;
	for (f = 0; f < 2; f++) {
		ret = zone_channel_fqdn_nft_set(chan, fam[f], name,
						sizeof(name));
		if (ret < 0)
			return ret;
		if (nft_plan_set(rs, name))
			continue;
		s = nft_plan_add_set(rs, name, NFT_SET_TIMEOUT,
				     f ? NFT_TYPE_IP6ADDR : NFT_TYPE_IPADDR,
				     nft_addr_len(fam[f]), 0, 0);
		if (!s)
			return -errno;
		s->origin.line = chan->line;
		snprintf(s->origin.what, sizeof(s->origin.what),
			 "channel %.40s to_names", chan->name);
	}
	return 0;
}

int nft_names_set(const struct zone_ruleset *rs,
		  const struct zone_channel *chan, int family,
		  const char **ret_name, uint32_t *ret_id)
{
	char name[NFT_NAME_LEN];
	const struct nft_pset *s;
	int ret;

	ret = zone_channel_fqdn_nft_set(chan, family, name, sizeof(name));
	if (ret < 0)
		return ret;
	s = nft_plan_set(rs, name);
	if (!s)
		return -ENOENT;
	*ret_name = s->name;
	*ret_id = s->id;
	return 0;
}

/* ---- the resolver's writes ---- */

static int elem_msg(struct nftnl_batch *nb, uint16_t type, uint32_t seq,
		    const char *set, const struct zone_addr *a,
		    uint64_t timeout_ms)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	struct nlmsghdr *nlh;

	if (!s || !e) {
		nftnl_set_free(s);
		nftnl_set_elem_free(e);
		return -ENOMEM;
	}
	nftnl_set_set_str(s, NFTNL_SET_TABLE, ZONE_TABLE_NAME);
	nftnl_set_set_str(s, NFTNL_SET_NAME, set);
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, a->bytes,
			   a->family == AF_INET ? 4 : 16);
	if (timeout_ms)
		nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_TIMEOUT, timeout_ms);
	nftnl_set_elem_add(s, e);
	nlh = nftnl_nlmsg_build_hdr(
		nftnl_batch_buffer(nb), type, NFPROTO_INET,
		type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0, seq);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	nftnl_batch_update(nb);
	return 0;
}

struct ack_ctx {
	uint32_t end_seq;
	int err;
	bool done;
};

static int ack_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct ack_ctx *x = data;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
		return MNL_CB_ERROR;
	if (err->error && !x->err)
		x->err = err->error;
	if (err->error == 0 && err->msg.nlmsg_seq == x->end_seq)
		x->done = true;
	return MNL_CB_OK;
}

/* send @nb on the writer socket; wait for the END ACK or the first error */
static int batch_run(struct zone_nft *nft, struct nftnl_batch *nb,
		     uint32_t end_seq)
{
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = ack_cb };
	struct ack_ctx x = { .end_seq = end_seq };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK };
	struct iovec iov[4];
	struct msghdr msg = {
		.msg_name = &snl,
		.msg_namelen = sizeof(snl),
		.msg_iov = iov,
	};
	int n_iov = nftnl_batch_iovec_len(nb);
	ssize_t n;

	if (n_iov > 4)
		return -EMSGSIZE;
	nftnl_batch_iovec(nb, iov, (uint32_t)n_iov);
	msg.msg_iovlen = (size_t)n_iov;
	if (sendmsg(mnl_socket_get_fd(nft->wr), &msg, 0) < 0)
		return -errno;
	/* the kernel ran the batch inside sendmsg(): the replies are there */
	while (!x.done && !x.err) {
		n = recv(mnl_socket_get_fd(nft->wr), buf, sizeof(buf),
			 MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? -EIO : -errno;
		if (mnl_cb_run2(buf, (size_t)n, 0, 0, NULL, &x, ctl,
				NLMSG_MIN_TYPE) < 0)
			return -errno;
	}
	return x.err;
}

/*
 * One batch over @addrs: with @timeout, each is added (a no-op when
 * present), deleted and added again with it, so that the expiry is reset
 * on every kernel (before Linux 6.12 a second add keeps the old expiry);
 * without, each is added with a second to live and deleted, so that the
 * delete never meets a missing element (ENOENT would fail the batch).
 */
static int names_batch(struct zone_nft *nft, const struct zone_channel *chan,
		       const struct zone_addr *addrs, size_t n,
		       unsigned int timeout)
{
	char set4[NFT_NAME_LEN];
	char set6[NFT_NAME_LEN];
	struct nftnl_batch *nb;
	struct nlmsghdr *nlh;
	uint64_t ms = timeout ? (uint64_t)timeout * 1000 : 1000;
	uint32_t end_seq;
	size_t i;
	int ret;

	if (n == 0)
		return 0;
	ret = zone_channel_fqdn_nft_set(chan, AF_INET, set4, sizeof(set4));
	if (ret == 0)
		ret = zone_channel_fqdn_nft_set(chan, AF_INET6, set6,
						sizeof(set6));
	if (ret < 0)
		return ret;
	/* three messages of ~100 bytes per address: one page holds all
	 * ZONE_NAMES_ADDRS_MAX of both families of a name */
	nb = nftnl_batch_alloc(1u << 18, MNL_SOCKET_BUFFER_SIZE);
	if (!nb)
		return -ENOMEM;
	nftnl_batch_begin(nftnl_batch_buffer(nb), nft->seq++);
	nftnl_batch_update(nb);
	for (i = 0; ret == 0 && i < n; i++) {
		const char *set = addrs[i].family == AF_INET6 ? set6 : set4;

		ret = elem_msg(nb, NFT_MSG_NEWSETELEM, nft->seq++, set,
			       &addrs[i], ms);
		if (ret == 0)
			ret = elem_msg(nb, NFT_MSG_DELSETELEM, nft->seq++, set,
				       &addrs[i], 0);
		if (ret == 0 && timeout)
			ret = elem_msg(nb, NFT_MSG_NEWSETELEM, nft->seq++, set,
				       &addrs[i], ms);
	}
	if (ret == 0) {
		end_seq = nft->seq++;
		nlh = nftnl_batch_end(nftnl_batch_buffer(nb), end_seq);
		nlh->nlmsg_flags |= NLM_F_ACK;
		nftnl_batch_update(nb);
		ret = batch_run(nft, nb, end_seq);
	}
	nftnl_batch_free(nb);
	return ret;
}

int zone_nft_names_refresh(struct zone_nft *nft,
			   const struct zone_channel *chan,
			   const struct zone_addr *addrs, size_t n,
			   unsigned int timeout)
{
	if (timeout == 0)
		return -EINVAL;
	return names_batch(nft, chan, addrs, n, timeout);
}

int zone_nft_names_remove(struct zone_nft *nft, const struct zone_channel *chan,
			  const struct zone_addr *addrs, size_t n)
{
	return names_batch(nft, chan, addrs, n, 0);
}

/* nft_compile.c: ip daddr @names4_<channel> in a channel's rule */
void nft_names_rb_daddr(struct nft_rb *rb, const struct zone_ruleset *rs,
			const struct zone_channel *chan, int family)
{
	const char *name = NULL;
	uint32_t id = 0;

	/* a missing set fails the commit of the rule: never a wider rule */
	if (nft_names_set(rs, chan, family, &name, &id) < 0)
		name = "";
	nft_rb_addr_lookup(rb, family, true, name, id, -1);
}
