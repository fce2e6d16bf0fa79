/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One nfnetlink batch per apply (HACKING.md, Conventions): BEGIN with
 * the genid, the table with OWNER|PERSIST, then either only the element
 * changes of the named sets, or a flush and rebuild of every rule; END
 * with NLM_F_ACK.  The kernel commits all of it or none of it.
 *
 * A batch in three files, as libnftnl keeps one object per file: this one
 * holds the batch and encodes its messages, nft_batch_diff.c chooses the
 * messages that turn the kernel's state into the plan, nft_batch_send.c
 * sends them and reads the replies.
 */

#include <sys/socket.h>
#include <sys/uio.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/batch.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include <zone/diag.h>
#include <zone/mark.h>

#include "nft_batch.h"
#include "nft_batch_priv.h"
#include "nft_udata.h"

#define BATCH_PAGE (1u << 20)
#define BATCH_OVERRUN (128u << 10)
/* an element list nest must stay below the 16-bit nla_len */
#define ELEM_NEST_MAX (60u << 10)

const struct nft_origin nft_batch_origin_table = { 0, "table inet zoned" };

struct nft_batch *nft_batch_new(uint32_t seq)
{
	struct nft_batch *b;

	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->nb = nftnl_batch_alloc(BATCH_PAGE, BATCH_OVERRUN);
	if (!b->nb) {
		free(b);
		errno = ENOMEM;
		return NULL;
	}
	b->seq = seq;
	b->first_seq = seq;
	return b;
}

void nft_batch_free(struct nft_batch *b)
{
	if (!b)
		return;
	nftnl_batch_free(b->nb);
	free(b->map);
	free(b);
}

int nft_batch_foreach(struct nft_batch *b,
		      int (*cb)(const struct nlmsghdr *nlh, void *data),
		      void *data)
{
	int n_iov = nftnl_batch_iovec_len(b->nb);
	struct iovec *iov;
	int ret = 0;
	int i;

	iov = calloc((size_t)n_iov, sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	nftnl_batch_iovec(b->nb, iov, (uint32_t)n_iov);
	for (i = 0; i < n_iov && ret == 0; i++) {
		const struct nlmsghdr *nlh = iov[i].iov_base;
		int len = (int)iov[i].iov_len;

		while (ret == 0 && mnl_nlmsg_ok(nlh, len)) {
			ret = cb(nlh, data);
			nlh = mnl_nlmsg_next(nlh, &len);
		}
	}
	free(iov);
	return ret;
}

size_t nft_batch_size(struct nft_batch *b)
{
	return (size_t)nftnl_batch_iovec_len(b->nb) *
	       (BATCH_PAGE + BATCH_OVERRUN);
}

void nft_batch_set_table(struct nft_batch *b, uint32_t flags, const char *sig)
{
	b->table_set = true;
	b->table_flags = flags;
	snprintf(b->table_sig, sizeof(b->table_sig), "%s", sig ? sig : "");
}

uint32_t nft_batch_next_seq(const struct nft_batch *b)
{
	return b->seq;
}

size_t nft_batch_msg_count(const struct nft_batch *b)
{
	return b->n_msgs;
}

void nft_batch_record(struct nft_batch *b, uint32_t seq,
		      const struct nft_origin *o)
{
	if (b->err)
		return;
	if (nft_plan_grow(&b->map, &b->cap_map, b->n_map, sizeof(*b->map))) {
		b->err = -ENOMEM;
		return;
	}
	b->map[b->n_map].seq = seq;
	b->map[b->n_map++].origin = o;
}

/* start a message; finish it with nft_batch_done() */
static struct nlmsghdr *batch_hdr(struct nft_batch *b, uint16_t type,
				  uint16_t flags, const struct nft_origin *o)
{
	uint32_t seq = b->seq++;
	char *buf = nftnl_batch_buffer(b->nb);

	nft_batch_record(b, seq, o);
	b->n_msgs++;
	/*
	 * libmnl 1.0.4 leaves attribute padding as it finds it and libnftnl
	 * writes some names without their NUL: clear the space a message
	 * can take (the page always has BATCH_OVERRUN left), so that what
	 * is sent is deterministic and parses back in user space too.
	 */
	memset(buf, 0, ELEM_NEST_MAX + 4096);
	return nftnl_nlmsg_build_hdr(buf, type, NFPROTO_INET, flags, seq);
}

void nft_batch_done(struct nft_batch *b)
{
	if (nftnl_batch_update(b->nb) < 0 && !b->err)
		b->err = -ENOMEM;
}

/* the signature as a comment, so that `nft list` shows it */
static int table_udata(struct nftnl_table *t, const char *sig)
{
	uint8_t buf[NFT_UDATA_COMMENT_SIZE];
	int len = nft_udata_comment(buf, NFTNL_UDATA_TABLE_COMMENT, sig);

	if (len < 0 || nftnl_table_set_data(t, NFTNL_TABLE_USERDATA, buf,
					    (uint32_t)len) < 0)
		return -ENOMEM;
	return 0;
}

void nft_batch_table(struct nft_batch *b, uint16_t type, uint32_t flags)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t) {
		b->err = -ENOMEM;
		return;
	}
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, ZONE_TABLE_NAME);
	if (type == NFT_MSG_NEWTABLE && b->table_set)
		flags = b->table_flags;
	if (type == NFT_MSG_NEWTABLE)
		nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, flags);
	if (type == NFT_MSG_NEWTABLE && b->table_sig[0] &&
	    table_udata(t, b->table_sig) < 0)
		b->err = -ENOMEM;
	nlh = batch_hdr(b, type, type == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0,
			&nft_batch_origin_table);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	nft_batch_done(b);
}

void nft_batch_open(struct nft_batch *b, uint32_t genid)
{
	struct nlmsghdr *nlh;

	nlh = nftnl_batch_begin(nftnl_batch_buffer(b->nb), b->seq++);
	nft_batch_record(b, nlh->nlmsg_seq, &nft_batch_origin_table);
	if (genid)
		mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(genid));
	nft_batch_done(b);
}

void nft_batch_close(struct nft_batch *b)
{
	struct nlmsghdr *nlh;

	nlh = nftnl_batch_end(nftnl_batch_buffer(b->nb), b->seq++);
	nlh->nlmsg_flags |= NLM_F_ACK;
	b->end_seq = nlh->nlmsg_seq;
	nft_batch_record(b, nlh->nlmsg_seq, &nft_batch_origin_table);
	nft_batch_done(b);
}

/* DELRULE naming only the table: every rule of every chain goes */
void nft_batch_flush_rules(struct nft_batch *b)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	if (!r) {
		b->err = -ENOMEM;
		return;
	}
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, ZONE_TABLE_NAME);
	nlh = batch_hdr(b, NFT_MSG_DELRULE, 0, &nft_batch_origin_table);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	nft_batch_done(b);
}

void nft_batch_chain(struct nft_batch *b, uint16_t type, const char *name,
		     bool base, uint32_t hook, const struct nft_origin *o)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	if (!c) {
		b->err = -ENOMEM;
		return;
	}
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, ZONE_TABLE_NAME);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	if (base && type == NFT_MSG_NEWCHAIN) {
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 0);
		/* fail closed: what no rule accepts is dropped */
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_DROP);
	}
	nlh = batch_hdr(b, type, type == NFT_MSG_NEWCHAIN ? NLM_F_CREATE : 0,
			o);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	nft_batch_done(b);
}

void nft_batch_obj(struct nft_batch *b, uint16_t type, struct nftnl_obj *obj,
		   const char *name, const struct nft_origin *o)
{
	struct nftnl_obj *tmp = NULL;
	struct nlmsghdr *nlh;

	if (!obj) {
		tmp = nftnl_obj_alloc();
		if (!tmp) {
			b->err = -ENOMEM;
			return;
		}
		nftnl_obj_set_u32(tmp, NFTNL_OBJ_FAMILY, NFPROTO_INET);
		nftnl_obj_set_str(tmp, NFTNL_OBJ_TABLE, ZONE_TABLE_NAME);
		nftnl_obj_set_str(tmp, NFTNL_OBJ_NAME, name);
		nftnl_obj_set_u32(tmp, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
		obj = tmp;
	}
	nlh = batch_hdr(b, type, type == NFT_MSG_NEWOBJ ? NLM_F_CREATE : 0, o);
	nftnl_obj_nlmsg_build_payload(nlh, obj);
	if (tmp)
		nftnl_obj_free(tmp);
	nft_batch_done(b);
}

/*
 * The byte orders nft records in a set's user data and needs to print
 * the elements back (nftables src/mnl.c mnl_nft_set_add): addresses are
 * big endian, names and marks host order, verdicts have none.
 */
static int set_udata(struct nftnl_set *s, const struct nft_pset *ps)
{
	return nft_set_udata(s, ps->key_type == NFT_TYPE_IFNAME ? 1 : 2,
			     ps->flags & NFT_SET_MAP,
			     ps->data_type == NFT_TYPE_MARK, true);
}

void nft_batch_set_def(struct nft_batch *b, uint16_t type,
		       const struct nft_pset *ps, const char *name)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;

	if (!s) {
		b->err = -ENOMEM;
		return;
	}
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, ZONE_TABLE_NAME);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	if (type == NFT_MSG_NEWSET) {
		nftnl_set_set_u32(s, NFTNL_SET_ID, ps->id);
		nftnl_set_set_u32(s, NFTNL_SET_FLAGS, ps->flags);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, ps->key_type);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, ps->key_len);
		if (ps->flags & NFT_SET_MAP) {
			nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE,
					  ps->data_type);
			nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, ps->data_len);
		}
		if (set_udata(s, ps) < 0)
			b->err = -ENOMEM;
	}
	nlh = batch_hdr(b, type,
			type == NFT_MSG_NEWSET ? NLM_F_CREATE | NLM_F_EXCL : 0,
			ps ? &ps->origin : &nft_batch_origin_table);
	nftnl_set_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	nft_batch_done(b);
}

const char *nft_batch_elem_chain(const struct elem_src *src,
				 const struct nft_eval *v)
{
	if (v->chain < 0)
		return NULL;
	return src->pchains ? src->pchains[v->chain].name :
			      src->chains[v->chain];
}

static void elem_put(struct nlmsghdr *nlh, const uint8_t *key,
		     const struct nft_eval *e, uint32_t key_len, bool data,
		     const char *chain)
{
	struct nlattr *el = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	struct nlattr *n = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);

	mnl_attr_put(nlh, NFTA_DATA_VALUE, key_len, key);
	mnl_attr_nest_end(nlh, n);
	if (e->flags)
		mnl_attr_put_u32(nlh, NFTA_SET_ELEM_FLAGS, htonl(e->flags));
	if (data && !(e->flags & NFT_SET_ELEM_INTERVAL_END)) {
		n = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_DATA);
		if (chain || e->chain >= 0 || e->data == (uint32_t)NFT_JUMP ||
		    e->data == (uint32_t)NFT_GOTO) {
			struct nlattr *v =
				mnl_attr_nest_start(nlh, NFTA_DATA_VERDICT);

			mnl_attr_put_u32(nlh, NFTA_VERDICT_CODE,
					 htonl(e->data));
			if (chain)
				mnl_attr_put_strz(nlh, NFTA_VERDICT_CHAIN,
						  chain);
			mnl_attr_nest_end(nlh, v);
		} else {
			mnl_attr_put(nlh, NFTA_DATA_VALUE, sizeof(e->data),
				     &e->data);
		}
		mnl_attr_nest_end(nlh, n);
	}
	mnl_attr_nest_end(nlh, el);
}

/*
 * batch_elems - NEWSETELEM or DELSETELEM for @idx[from..n) of @src (for
 * from..n when @idx is NULL), split into messages whose element nest
 * stays below 64 KiB
 */
static void batch_elems(struct nft_batch *b, uint16_t type,
			const struct nft_pset *ps, const char *name,
			uint32_t key_len, const struct elem_src *src,
			const uint32_t *idx, size_t from, size_t n)
{
	/* only a map's elements carry data: the kernel refuses it on a set */
	bool data = type == NFT_MSG_NEWSETELEM && ps &&
		    (ps->flags & NFT_SET_MAP);
	size_t i = from;

	while (i < n && !b->err) {
		struct nlmsghdr *nlh;
		struct nlattr *list;

		nlh = batch_hdr(b, type, data ? NLM_F_CREATE : 0,
				ps ? &ps->origin : &nft_batch_origin_table);
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE,
				  ZONE_TABLE_NAME);
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, name);
		if (ps && data)
			mnl_attr_put_u32(nlh, NFTA_SET_ELEM_LIST_SET_ID,
					 htonl(ps->id));
		list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
		for (; i < n; i++) {
			size_t k = idx ? idx[i] : i;
			const struct nft_eval *v = nft_elems_val(src->elems, k);

			if ((size_t)((char *)mnl_nlmsg_get_payload_tail(nlh) -
				     (char *)list) > ELEM_NEST_MAX)
				break;
			elem_put(nlh, nft_elems_key(src->elems, k), v, key_len,
				 data, nft_batch_elem_chain(src, v));
		}
		mnl_attr_nest_end(nlh, list);
		nft_batch_done(b);
	}
}

void nft_batch_elems(struct nft_batch *b, uint16_t type,
		     const struct nft_pset *ps, const char *name,
		     uint32_t key_len, const struct elem_src *src,
		     const uint32_t *idx, size_t n)
{
	batch_elems(b, type, ps, name, key_len, src, idx, 0, n);
}

void nft_batch_elem_range(struct nft_batch *b, const struct nft_pset *ps,
			  const struct elem_src *src, size_t from, size_t to)
{
	batch_elems(b, NFT_MSG_NEWSETELEM, ps, ps->name, ps->key_len, src, NULL,
		    from, to);
}

/* DELSETELEM with no element list flushes the set */
void nft_batch_flush_set(struct nft_batch *b, const char *name)
{
	struct nlmsghdr *nlh;

	nlh = batch_hdr(b, NFT_MSG_DELSETELEM, 0, &nft_batch_origin_table);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, ZONE_TABLE_NAME);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, name);
	nft_batch_done(b);
}

static void batch_anon_set(struct nft_batch *b, struct nftnl_set *s,
			   const struct nft_origin *o)
{
	struct nlmsghdr *nlh;

	nlh = batch_hdr(b, NFT_MSG_NEWSET, NLM_F_CREATE, o);
	nftnl_set_nlmsg_build_payload(nlh, s);
	nft_batch_done(b);
	nlh = batch_hdr(b, NFT_MSG_NEWSETELEM, NLM_F_CREATE, o);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nft_batch_done(b);
}

void nft_batch_rule(struct nft_batch *b, const struct nft_prule *r)
{
	struct nlmsghdr *nlh;
	size_t i;

	for (i = 0; i < r->n_anon; i++)
		batch_anon_set(b, r->anon[i], &r->origin);
	nlh = batch_hdr(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND,
			&r->origin);
	nftnl_rule_nlmsg_build_payload(nlh, r->rule);
	nft_batch_done(b);
}
