/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The elements a dump finds in the table's sets.  A table this session
 * did not commit, or may not trust (the table the last zoned left in
 * force, adopted on a restart; a plain table, which other processes may
 * write: zoned(8), The table), is then diffed like a snapshot: an
 * unchanged policy sends no element and a 1% change 1% of them, where
 * flushing and refilling every set put the whole policy into one batch
 * (a restart onto a million prefixes peaked at 83 MiB so, above the
 * start and the reload, and sent every element through the kernel
 * again).  The dump is the kernel's truth: what was changed while no
 * zoned ran is changed back.
 *
 * A set whose elements do not read back as the plan writes them (a range
 * key, a catch-all element, a value of another length, a verdict into a
 * chain the dump did not list) stays unknown, and is flushed and refilled
 * in the batch as before.  So does a set the plan gives more than
 * DUMP_ELEMS_DEFAULT elements, unless an earlier session's record says
 * what it holds (nft_trust.c): the kernel dumps a set in messages of at most
 * 32 KiB (a few hundred elements), and walks the set from its start again
 * for each (net/netfilter/nft_set_hash.c and nft_set_rbtree.c skip the
 * elements dumped before), so a dump costs the square of the set's size:
 * `nft list set` of a hash set of 100,000 addresses takes 0.5 s, of
 * 400,000 4.7 s, and this dump of a million elements took a minute, where
 * the refill is linear.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <libmnl/libmnl.h>

#include "nft_batch.h"
#include "nft_sess.h"

/* the largest set that is dumped rather than refilled */
#define DUMP_ELEMS_DEFAULT 65536

/* one set's dump: its elements into @es, until one does not fit */
struct elem_walk {
	const struct nft_kstate *ks;
	struct nft_elems *es;
	bool map;
	int chain; /* the last verdict chain found: runs share one */
	int err; /* -ENOMEM or -E2BIG: stop the walk */
	bool odd; /* an element the plan's lists cannot hold */
};

static int chain_index(struct elem_walk *w, const struct nlattr *attr)
{
	const char *name = mnl_attr_get_str(attr);

	if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return -1;
	if (w->chain >= 0 && (size_t)w->chain < w->ks->n_chains &&
	    strcmp(w->ks->chains[w->chain], name) == 0)
		return w->chain;
	w->chain = nft_name_index(w->ks->chains, w->ks->n_chains,
				  sizeof(*w->ks->chains), name);
	return w->chain;
}

/* NFTA_SET_ELEM_DATA as the plan holds it: a verdict or a 4-byte value */
static bool value_parse(struct elem_walk *w, const struct nlattr *nest,
			uint32_t *data, int32_t *chain)
{
	const struct nlattr *a;
	const struct nlattr *v;
	bool code = false;

	mnl_attr_for_each_nested(a, nest)
	{
		if (mnl_attr_get_type(a) == NFTA_DATA_VALUE) {
			if (mnl_attr_get_payload_len(a) != sizeof(*data))
				return false;
			memcpy(data, mnl_attr_get_payload(a), sizeof(*data));
			return true;
		}
		if (mnl_attr_get_type(a) != NFTA_DATA_VERDICT ||
		    mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return false;
		mnl_attr_for_each_nested(v, a)
		{
			if (mnl_attr_get_type(v) == NFTA_VERDICT_CODE &&
			    mnl_attr_validate(v, MNL_TYPE_U32) == 0) {
				*data = ntohl(mnl_attr_get_u32(v));
				code = true;
			} else if (mnl_attr_get_type(v) == NFTA_VERDICT_CHAIN &&
				   (*chain = chain_index(w, v)) < 0) {
				return false;
			}
		}
		return code;
	}
	return false;
}

static void elem_parse(struct elem_walk *w, const struct nlattr *el)
{
	const struct nlattr *tb[NFTA_SET_ELEM_MAX + 1] = { NULL };
	const struct nlattr *key = NULL;
	const struct nlattr *a;
	uint32_t flags = 0;
	uint32_t data = 0;
	int32_t chain = -1;
	int ret;

	mnl_attr_for_each_nested(a, el)
	{
		if (mnl_attr_get_type(a) <= NFTA_SET_ELEM_MAX)
			tb[mnl_attr_get_type(a)] = a;
	}
	if (!tb[NFTA_SET_ELEM_KEY] || tb[NFTA_SET_ELEM_KEY_END] ||
	    mnl_attr_validate(tb[NFTA_SET_ELEM_KEY], MNL_TYPE_NESTED) < 0) {
		w->odd = true;
		return;
	}
	mnl_attr_for_each_nested(a, tb[NFTA_SET_ELEM_KEY])
	{
		if (mnl_attr_get_type(a) == NFTA_DATA_VALUE)
			key = a;
	}
	if (tb[NFTA_SET_ELEM_FLAGS] &&
	    mnl_attr_validate(tb[NFTA_SET_ELEM_FLAGS], MNL_TYPE_U32) == 0)
		flags = ntohl(mnl_attr_get_u32(tb[NFTA_SET_ELEM_FLAGS]));
	if (!key || mnl_attr_get_payload_len(key) != w->es->key_len ||
	    (flags & ~(uint32_t)NFT_SET_ELEM_INTERVAL_END)) {
		w->odd = true;
		return;
	}
	/* an interval's end carries no value, as the plan adds it */
	if (w->map && !(flags & NFT_SET_ELEM_INTERVAL_END) &&
	    (!tb[NFTA_SET_ELEM_DATA] ||
	     mnl_attr_validate(tb[NFTA_SET_ELEM_DATA], MNL_TYPE_NESTED) < 0 ||
	     !value_parse(w, tb[NFTA_SET_ELEM_DATA], &data, &chain))) {
		w->odd = true;
		return;
	}
	ret = nft_elems_add(w->es, mnl_attr_get_payload(key), flags, data,
			    chain);
	if (ret == -E2BIG)
		w->odd = true; /* more values than a list holds */
	else if (ret < 0)
		w->err = ret;
}

static int elems_cb(const struct nlmsghdr *nlh, void *data)
{
	struct elem_walk *w = data;
	const struct nlattr *attr;
	const struct nlattr *el;

	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg))
	{
		if (mnl_attr_get_type(attr) != NFTA_SET_ELEM_LIST_ELEMENTS ||
		    mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			continue;
		mnl_attr_for_each_nested(el, attr)
		{
			if (mnl_attr_get_type(el) != NFTA_LIST_ELEM ||
			    mnl_attr_validate(el, MNL_TYPE_NESTED) < 0) {
				w->odd = true;
				continue;
			}
			if (!w->odd && !w->err)
				elem_parse(w, el);
		}
	}
	/* an odd set is read to its end: the dump is one request */
	return w->err ? MNL_CB_ERROR : MNL_CB_OK;
}

static int kset_dump(struct zone_nft *nft, const struct nft_kstate *ks,
		     struct nft_kset *k)
{
	struct elem_walk w = { .ks = ks,
			       .map = k->flags & NFT_SET_MAP,
			       .chain = -1 };
	int ret;

	w.es = nft_elems_new(k->key_len);
	if (!w.es)
		return -errno;
	ret = nft_dump_run(nft, NFT_MSG_GETSETELEM, NFPROTO_INET, NLM_F_DUMP,
			   nft_fill_elems, k->name, elems_cb, &w);
	if (w.err)
		ret = w.err;
	if (ret == 0 && !w.odd) {
		nft_elems_sort(w.es);
		nft_elems_unref(k->elems);
		k->elems = w.es;
		k->elems_known = true;
		return 0;
	}
	nft_elems_unref(w.es);
	return ret;
}

int nft_dump_kstate_elems(struct zone_nft *nft, struct nft_kstate *ks,
			  const struct zone_ruleset *rs)
{
	/* ZONED_NFT_DUMP_ELEMS (zoned(8), for tests): another limit */
	size_t limit = nft_env_count("ZONED_NFT_DUMP_ELEMS", DUMP_ELEMS_DEFAULT);
	size_t i;
	int ret;

	for (i = 0; i < rs->n_sets; i++) {
		const struct nft_pset *p = &rs->sets[i];
		int k = nft_name_index(ks->sets, ks->n_sets, sizeof(*ks->sets),
				       p->name);

		/* a set to be created anew, the resolver's timed one
		 * (nft_names.c), or one too large to dump: no diff is made
		 * against them */
		if (k < 0 || !nft_kset_matches(&ks->sets[k], p) ||
		    (p->flags & NFT_SET_TIMEOUT) || nft_pset_count(p) > limit)
			continue;
		ret = kset_dump(nft, ks, &ks->sets[k]);
		if (ret < 0)
			return ret;
	}
	return 0;
}
