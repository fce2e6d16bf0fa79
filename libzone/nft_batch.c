/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One nfnetlink batch per apply (HACKING.md, Conventions): BEGIN with
 * the genid, the table with OWNER|PERSIST, then either only the element
 * changes of the named sets, or a flush and rebuild of every rule; END
 * with NLM_F_ACK.  The kernel commits all of it or none of it.
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

#define BATCH_PAGE (1u << 20)
#define BATCH_OVERRUN (128u << 10)
/* an element list nest must stay below the 16-bit nla_len */
#define ELEM_NEST_MAX (60u << 10)

struct seq_origin {
	uint32_t seq;
	const struct nft_origin *origin;
};

struct nft_batch {
	struct nftnl_batch *nb;
	uint32_t seq;
	uint32_t first_seq;
	uint32_t end_seq;
	struct seq_origin *map;
	size_t n_map;
	size_t cap_map;
	size_t n_msgs;
	int err; /* sticky */
	bool table_set; /* nft_batch_set_table() was called */
	uint32_t table_flags;
	char table_sig[64];
};

static const struct nft_origin origin_table = { 0, "table inet zoned" };

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

static void batch_record(struct nft_batch *b, uint32_t seq,
			 const struct nft_origin *o)
{
	struct seq_origin *p;

	if (b->err)
		return;
	if (b->n_map == b->cap_map) {
		size_t cap = b->cap_map ? 2 * b->cap_map : 256;

		p = realloc(b->map, cap * sizeof(*p));
		if (!p) {
			b->err = -ENOMEM;
			return;
		}
		b->map = p;
		b->cap_map = cap;
	}
	b->map[b->n_map].seq = seq;
	b->map[b->n_map++].origin = o;
}

/* start a message; finish it with batch_done() */
static struct nlmsghdr *batch_hdr(struct nft_batch *b, uint16_t type,
				  uint16_t flags, const struct nft_origin *o)
{
	uint32_t seq = b->seq++;
	char *buf = nftnl_batch_buffer(b->nb);

	batch_record(b, seq, o);
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

static void batch_done(struct nft_batch *b)
{
	if (nftnl_batch_update(b->nb) < 0 && !b->err)
		b->err = -ENOMEM;
}

/* the signature as a comment, so that `nft list` shows it */
static int table_udata(struct nftnl_table *t, const char *sig)
{
	struct nftnl_udata_buf *ud;
	int ret = 0;

	ud = nftnl_udata_buf_alloc(NFTNL_UDATA_COMMENT_MAXLEN + 4);
	if (!ud)
		return -ENOMEM;
	if (!nftnl_udata_put_strz(ud, NFTNL_UDATA_TABLE_COMMENT, sig) ||
	    nftnl_table_set_data(t, NFTNL_TABLE_USERDATA,
				 nftnl_udata_buf_data(ud),
				 nftnl_udata_buf_len(ud)) < 0)
		ret = -ENOMEM;
	nftnl_udata_buf_free(ud);
	return ret;
}

static void batch_table(struct nft_batch *b, uint16_t type, uint32_t flags)
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
			&origin_table);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	batch_done(b);
}

/* DELRULE naming only the table: every rule of every chain goes */
static void batch_flush_rules(struct nft_batch *b)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	if (!r) {
		b->err = -ENOMEM;
		return;
	}
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, ZONE_TABLE_NAME);
	nlh = batch_hdr(b, NFT_MSG_DELRULE, 0, &origin_table);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	batch_done(b);
}

static void batch_chain(struct nft_batch *b, uint16_t type, const char *name,
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
	batch_done(b);
}

static void batch_obj(struct nft_batch *b, uint16_t type, struct nftnl_obj *obj,
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
	batch_done(b);
}

/*
 * The byte orders nft records in a set's user data and needs to print
 * the elements back (nftables src/mnl.c mnl_nft_set_add): addresses are
 * big endian, names and marks host order, verdicts have none.
 */
static int set_udata(struct nftnl_set *s, const struct nft_pset *ps)
{
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(64);
	uint32_t key_order = ps->key_type == NFT_TYPE_IFNAME ? 1 : 2;
	bool ok;

	if (!ud)
		return -ENOMEM;
	ok = nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER, key_order);
	if (ps->flags & NFT_SET_MAP) {
		ok = ok &&
		     nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_DATABYTEORDER,
					 ps->data_type == NFT_TYPE_MARK);
		ok = ok &&
		     nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_DATA_INTERVAL, 0);
	}
	if (ok)
		nftnl_set_set_data(s, NFTNL_SET_USERDATA,
				   nftnl_udata_buf_data(ud),
				   nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	return ok ? 0 : -ENOMEM;
}

static void batch_set_def(struct nft_batch *b, uint16_t type,
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
			ps ? &ps->origin : &origin_table);
	nftnl_set_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	batch_done(b);
}

/*
 * Element lists are written with libmnl directly: libnftnl would allocate
 * an object per element, and large maps have hundreds of thousands.
 */
struct elem_src {
	const struct nft_elem *elems;
	size_t n;
	const char (*chains)[NFT_NAME_LEN]; /* verdict targets */
	const struct nft_pchain *pchains; /* or these */
};

static const char *elem_chain(const struct elem_src *src,
			      const struct nft_elem *e)
{
	if (e->chain < 0)
		return NULL;
	return src->pchains ? src->pchains[e->chain].name :
			      src->chains[e->chain];
}

static void elem_put(struct nlmsghdr *nlh, const struct nft_elem *e,
		     uint32_t key_len, bool data, const char *chain)
{
	struct nlattr *el = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	struct nlattr *n = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);

	mnl_attr_put(nlh, NFTA_DATA_VALUE, key_len, e->key);
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
 * batch_elems - NEWSETELEM or DELSETELEM for @idx[0..n) of @src, split
 * into messages whose element nest stays below 64 KiB
 */
static void batch_elems(struct nft_batch *b, uint16_t type,
			const struct nft_pset *ps, const char *name,
			uint32_t key_len, const struct elem_src *src,
			const size_t *idx, size_t n)
{
	/* only a map's elements carry data: the kernel refuses it on a set */
	bool data = type == NFT_MSG_NEWSETELEM && ps &&
		    (ps->flags & NFT_SET_MAP);
	size_t i = 0;

	while (i < n && !b->err) {
		struct nlmsghdr *nlh;
		struct nlattr *list;

		nlh = batch_hdr(b, type, data ? NLM_F_CREATE : 0,
				ps ? &ps->origin : &origin_table);
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE,
				  ZONE_TABLE_NAME);
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, name);
		if (ps && data)
			mnl_attr_put_u32(nlh, NFTA_SET_ELEM_LIST_SET_ID,
					 htonl(ps->id));
		list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
		for (; i < n; i++) {
			const struct nft_elem *e = &src->elems[idx[i]];

			if ((size_t)((char *)mnl_nlmsg_get_payload_tail(nlh) -
				     (char *)list) > ELEM_NEST_MAX)
				break;
			elem_put(nlh, e, key_len, data, elem_chain(src, e));
		}
		mnl_attr_nest_end(nlh, list);
		batch_done(b);
	}
}

/* DELSETELEM with no element list flushes the set */
static void batch_flush_set(struct nft_batch *b, const char *name)
{
	struct nlmsghdr *nlh;

	nlh = batch_hdr(b, NFT_MSG_DELSETELEM, 0, &origin_table);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, ZONE_TABLE_NAME);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, name);
	batch_done(b);
}

static void batch_anon_set(struct nft_batch *b, struct nftnl_set *s,
			   const struct nft_origin *o)
{
	struct nlmsghdr *nlh;

	nlh = batch_hdr(b, NFT_MSG_NEWSET, NLM_F_CREATE, o);
	nftnl_set_nlmsg_build_payload(nlh, s);
	batch_done(b);
	nlh = batch_hdr(b, NFT_MSG_NEWSETELEM, NLM_F_CREATE, o);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	batch_done(b);
}

static void batch_rule(struct nft_batch *b, const struct nft_prule *r)
{
	struct nlmsghdr *nlh;
	size_t i;

	for (i = 0; i < r->n_anon; i++)
		batch_anon_set(b, r->anon[i], &r->origin);
	nlh = batch_hdr(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND,
			&r->origin);
	nftnl_rule_nlmsg_build_payload(nlh, r->rule);
	batch_done(b);
}

/* ---- diffing against the kernel state ---- */

static const struct nft_kset *kset_find(const struct nft_kstate *ks,
					const char *name)
{
	size_t i;

	for (i = 0; i < ks->n_sets; i++) {
		if (strcmp(ks->sets[i].name, name) == 0)
			return &ks->sets[i];
	}
	return NULL;
}

static bool kset_matches(const struct nft_kset *k, const struct nft_pset *p)
{
	return k->flags == p->flags && k->key_type == p->key_type &&
	       k->key_len == p->key_len &&
	       (!(p->flags & NFT_SET_MAP) || k->data_type == p->data_type);
}

static bool names_have(const char (*v)[NFT_NAME_LEN], size_t n,
		       const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i], name) == 0)
			return true;
	}
	return false;
}

static bool elem_same(const struct nft_elem *a, const struct elem_src *sa,
		      const struct nft_elem *b, const struct elem_src *sb)
{
	const char *ca = elem_chain(sa, a);
	const char *cb = elem_chain(sb, b);

	if (a->flags & NFT_SET_ELEM_INTERVAL_END)
		return true;
	if (a->data != b->data)
		return false;
	if (!ca || !cb)
		return ca == cb;
	return strcmp(ca, cb) == 0;
}

/*
 * The element changes of one set: both lists are sorted by key and
 * flags, so one merge walk finds what to delete and what to add.
 */
struct elem_diff {
	size_t *del;
	size_t n_del;
	size_t *add;
	size_t n_add;
};

/*
 * In an interval set the kernel refuses (EEXIST) a new element inside a
 * live interval.  So an element is kept only when its neighbours are kept
 * too: when an interval is split, shortened or merged, its old boundary
 * elements are deleted and added again, and the old interval is gone
 * before the new elements arrive.
 */
static bool elem_at_same(const struct elem_src *old, size_t i,
			 const struct elem_src *new, size_t j)
{
	if (i >= old->n || j >= new->n)
		return i >= old->n && j >= new->n;
	return nft_elem_cmp(&old->elems[i], &new->elems[j]) == 0 &&
	       elem_same(&old->elems[i], old, &new->elems[j], new);
}

static bool elem_neighbours_same(const struct elem_src *old, size_t i,
				 const struct elem_src *new, size_t j)
{
	if ((i == 0) != (j == 0))
		return false;
	if (i > 0 && !elem_at_same(old, i - 1, new, j - 1))
		return false;
	return elem_at_same(old, i + 1, new, j + 1);
}

static int elem_diff(const struct elem_src *old, const struct elem_src *new,
		     bool interval, struct elem_diff *d)
{
	size_t i = 0;
	size_t j = 0;

	d->del = malloc((old->n + 1) * sizeof(*d->del));
	d->add = malloc((new->n + 1) * sizeof(*d->add));
	d->n_del = 0;
	d->n_add = 0;
	if (!d->del || !d->add)
		return -ENOMEM;
	while (i < old->n || j < new->n) {
		int c;

		if (i == old->n)
			c = 1;
		else if (j == new->n)
			c = -1;
		else
			c = nft_elem_cmp(&old->elems[i], &new->elems[j]);
		if (c < 0) {
			d->del[d->n_del++] = i++;
		} else if (c > 0) {
			d->add[d->n_add++] = j++;
		} else {
			if ((interval &&
			     !elem_neighbours_same(old, i, new, j)) ||
			    !elem_same(&old->elems[i], old, &new->elems[j],
				       new)) {
				d->del[d->n_del++] = i;
				d->add[d->n_add++] = j;
			}
			i++;
			j++;
		}
	}
	return 0;
}

static void elem_diff_free(struct elem_diff *d)
{
	free(d->del);
	free(d->add);
}

struct plan_ctx {
	struct nft_batch *b;
	const struct zone_ruleset *rs;
	const struct nft_kstate *ks;
	bool structural;
	struct elem_diff *diffs; /* per plan set */
};

/* what goes before deletions: element removals and set flushes */
static int plan_elem_removals(struct plan_ctx *x)
{
	const struct zone_ruleset *rs = x->rs;
	size_t i;
	int ret;

	for (i = 0; i < rs->n_sets; i++) {
		const struct nft_pset *p = &rs->sets[i];
		const struct nft_kset *k = kset_find(x->ks, p->name);
		struct elem_src ns = { p->elems, p->n_elems, NULL, rs->chains };
		struct elem_src os;

		/* timed elements are the resolver's (nft_names.c) */
		if (p->flags & NFT_SET_TIMEOUT)
			continue;
		if (!k || !kset_matches(k, p)) {
			/* new set: every element is an addition */
			os = (struct elem_src){ NULL, 0, NULL, NULL };
		} else if (!k->elems_known) {
			batch_flush_set(x->b, p->name);
			os = (struct elem_src){ NULL, 0, NULL, NULL };
		} else {
			os = (struct elem_src){
				k->elems, k->n_elems,
				(const char(*)[NFT_NAME_LEN])x->ks->chains, NULL
			};
		}
		ret = elem_diff(&os, &ns, p->flags & NFT_SET_INTERVAL,
				&x->diffs[i]);
		if (ret < 0)
			return ret;
		if (x->diffs[i].n_del)
			batch_elems(x->b, NFT_MSG_DELSETELEM, p, p->name,
				    p->key_len, &os, x->diffs[i].del,
				    x->diffs[i].n_del);
	}
	return 0;
}

static void plan_deletions(struct plan_ctx *x)
{
	const struct zone_ruleset *rs = x->rs;
	const struct nft_kstate *ks = x->ks;
	size_t i;
	size_t j;

	for (i = 0; i < ks->n_sets; i++) {
		const struct nft_kset *k = &ks->sets[i];

		for (j = 0; j < rs->n_sets; j++) {
			if (strcmp(rs->sets[j].name, k->name) == 0 &&
			    kset_matches(k, &rs->sets[j]))
				break;
		}
		if (j == rs->n_sets)
			batch_set_def(x->b, NFT_MSG_DELSET, NULL, k->name);
	}
	for (i = 0; i < ks->n_chains; i++) {
		if (nft_plan_chain_index(rs, ks->chains[i]) < 0)
			batch_chain(x->b, NFT_MSG_DELCHAIN, ks->chains[i],
				    false, 0, &origin_table);
	}
	for (i = 0; i < ks->n_objs; i++) {
		for (j = 0; j < rs->n_objs; j++) {
			if (strcmp(rs->objs[j].name, ks->objs[i]) == 0)
				break;
		}
		if (j == rs->n_objs)
			batch_obj(x->b, NFT_MSG_DELOBJ, NULL, ks->objs[i],
				  &origin_table);
	}
}

static void plan_creations(struct plan_ctx *x)
{
	const struct zone_ruleset *rs = x->rs;
	const struct nft_kstate *ks = x->ks;
	size_t i;
	int pass;

	for (i = 0; i < rs->n_objs; i++) {
		if (!names_have((const char(*)[NFT_NAME_LEN])ks->objs,
				ks->n_objs, rs->objs[i].name))
			batch_obj(x->b, NFT_MSG_NEWOBJ, rs->objs[i].obj, NULL,
				  &rs->objs[i].origin);
	}
	/* jump targets first, the hooked chain last */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < rs->n_chains; i++) {
			const struct nft_pchain *c = &rs->chains[i];

			if (c->base != (pass == 1))
				continue;
			if (!c->base &&
			    names_have((const char(*)[NFT_NAME_LEN])ks->chains,
				       ks->n_chains, c->name))
				continue;
			batch_chain(x->b, NFT_MSG_NEWCHAIN, c->name, c->base,
				    c->hook, &c->origin);
		}
	}
	for (i = 0; i < rs->n_sets; i++) {
		const struct nft_kset *k = kset_find(ks, rs->sets[i].name);

		if (!k || !kset_matches(k, &rs->sets[i]))
			batch_set_def(x->b, NFT_MSG_NEWSET, &rs->sets[i],
				      rs->sets[i].name);
	}
}

static void plan_elem_additions(struct plan_ctx *x)
{
	const struct zone_ruleset *rs = x->rs;
	size_t i;

	for (i = 0; i < rs->n_sets; i++) {
		const struct nft_pset *p = &rs->sets[i];
		struct elem_src ns = { p->elems, p->n_elems, NULL, rs->chains };

		if (x->diffs[i].n_add)
			batch_elems(x->b, NFT_MSG_NEWSETELEM, p, p->name,
				    p->key_len, &ns, x->diffs[i].add,
				    x->diffs[i].n_add);
	}
}

static bool plan_has_changes(const struct plan_ctx *x)
{
	size_t i;

	if (x->structural)
		return true;
	for (i = 0; i < x->rs->n_sets; i++) {
		if (x->diffs[i].n_add || x->diffs[i].n_del)
			return true;
	}
	return false;
}

/*
 * A batch that changes the table's flags (adopting an orphan: OWNER comes
 * back) may not add a base chain to it: the kernel refuses a new base
 * chain after a table flag update in the same transaction (EINVAL).  So a
 * table that gains a hook that way, e.g. the lockdown table (forward only)
 * giving way to a policy with the gateway's input and output hooks, is
 * replaced whole, in the same batch.
 */
static bool plan_adopts_new_hook(const struct zone_ruleset *rs,
				 const struct nft_kstate *ks)
{
	size_t i;

	if (!ks->exists || ks->flags == rs->table_flags)
		return false;
	for (i = 0; i < rs->n_chains; i++) {
		if (rs->chains[i].base &&
		    !names_have((const char(*)[NFT_NAME_LEN])ks->chains,
				ks->n_chains, rs->chains[i].name))
			return true;
	}
	return false;
}

int nft_batch_plan(struct nft_batch *b, const struct zone_ruleset *rs,
		   const struct nft_kstate *ks, uint32_t genid, bool *ret_empty)
{
	static const struct nft_kstate none;
	bool replace = ks->replace || plan_adopts_new_hook(rs, ks);
	struct plan_ctx x = { .b = b, .rs = rs };
	struct nlmsghdr *nlh;
	size_t i;
	int ret;

	if (replace)
		ks = &none;
	x.ks = ks;
	x.structural = !ks->exists || !ks->signature ||
		       strcmp(ks->signature, rs->signature) != 0;
	x.diffs = calloc(rs->n_sets + 1, sizeof(*x.diffs));
	if (!x.diffs)
		return -ENOMEM;
	nlh = nftnl_batch_begin(nftnl_batch_buffer(b->nb), b->seq++);
	batch_record(b, nlh->nlmsg_seq, &origin_table);
	if (genid)
		mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(genid));
	batch_done(b);
	/* one batch: the old table never goes without the new one */
	if (replace)
		batch_table(b, NFT_MSG_DELTABLE, 0);
	batch_table(b, NFT_MSG_NEWTABLE, rs->table_flags);
	if (x.structural && ks->exists)
		batch_flush_rules(b);
	ret = plan_elem_removals(&x);
	if (ret == 0 && x.structural) {
		plan_deletions(&x);
		plan_creations(&x);
	}
	if (ret == 0)
		plan_elem_additions(&x);
	for (i = 0; ret == 0 && x.structural && i < rs->n_rules; i++)
		batch_rule(b, &rs->rules[i]);
	if (ret == 0) {
		nlh = nftnl_batch_end(nftnl_batch_buffer(b->nb), b->seq++);
		nlh->nlmsg_flags |= NLM_F_ACK;
		b->end_seq = nlh->nlmsg_seq;
		batch_record(b, nlh->nlmsg_seq, &origin_table);
		batch_done(b);
		*ret_empty = !plan_has_changes(&x);
	}
	for (i = 0; i < rs->n_sets; i++)
		elem_diff_free(&x.diffs[i]);
	free(x.diffs);
	return ret ? ret : b->err;
}

/* ---- sending and reading the replies ---- */

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
