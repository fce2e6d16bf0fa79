/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a batch holds (nft_batch.c describes the batch): the messages that
 * turn the kernel's table, as a snapshot or a dump found it, into the
 * plan.  When only elements changed, only they are sent; else the rules
 * are flushed and rebuilt in the same batch.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/object.h>
#include <libnftnl/set.h>

#include <zone/mark.h>

#include "nft_batch.h"
#include "nft_batch_priv.h"

static bool names_have(const char (*v)[NFT_NAME_LEN], size_t n,
		       const char *name)
{
	return nft_name_index(v, n, sizeof(*v), name) >= 0;
}

static bool elem_same(const struct nft_eval *a, const struct elem_src *sa,
		      const struct nft_eval *b, const struct elem_src *sb)
{
	const char *ca = nft_batch_elem_chain(sa, a);
	const char *cb = nft_batch_elem_chain(sb, b);

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
 * flags, so one merge walk finds what to delete and what to add.  The
 * index lists grow with the changes, not with the sets (a 1% change of a
 * million elements lists twenty thousand, not two million); a set whose
 * elements are all added (a new one, or after a flush) lists none: add
 * NULL stands for every element.
 */
struct elem_diff {
	uint32_t *del;
	size_t n_del;
	size_t cap_del;
	uint32_t *add;
	size_t n_add;
	size_t cap_add;
};

static int idx_push(uint32_t **v, size_t *n, size_t *cap, size_t i)
{
	if (nft_plan_grow(v, cap, *n, sizeof(**v)))
		return -ENOMEM;
	(*v)[(*n)++] = (uint32_t)i;
	return 0;
}

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
	return nft_elems_cmp(old->elems, i, new->elems, j) == 0 &&
	       elem_same(nft_elems_val(old->elems, i), old,
			 nft_elems_val(new->elems, j), new);
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
	int ret = 0;

	memset(d, 0, sizeof(*d));
	/* the batch's element indexes are 32 bits */
	if (old->n > UINT32_MAX || new->n > UINT32_MAX)
		return -E2BIG;
	if (old->n == 0) {
		d->n_add = new->n;
		return 0;
	}
	while ((i < old->n || j < new->n) && ret == 0) {
		int c;

		if (i == old->n)
			c = 1;
		else if (j == new->n)
			c = -1;
		else
			c = nft_elems_cmp(old->elems, i, new->elems, j);
		if (c < 0) {
			ret = idx_push(&d->del, &d->n_del, &d->cap_del, i++);
		} else if (c > 0) {
			ret = idx_push(&d->add, &d->n_add, &d->cap_add, j++);
		} else {
			if ((interval &&
			     !elem_neighbours_same(old, i, new, j)) ||
			    !elem_same(nft_elems_val(old->elems, i), old,
				       nft_elems_val(new->elems, j), new)) {
				ret = idx_push(&d->del, &d->n_del, &d->cap_del,
					       i);
				if (ret == 0)
					ret = idx_push(&d->add, &d->n_add,
						       &d->cap_add, j);
			}
			i++;
			j++;
		}
	}
	return ret;
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
		const struct nft_kset *k = nft_kstate_set(x->ks, p->name);
		struct elem_src ns = { p->elems, nft_pset_count(p), NULL,
				       rs->chains };
		struct elem_src os;

		/* timed elements are the resolver's (nft_names.c) */
		if (p->flags & NFT_SET_TIMEOUT)
			continue;
		if (k && nft_kset_matches(k, p) && k->elems == p->elems) {
			/* the kernel holds this very list: the staged load
			 * filled the set (nft_stage.c), or this plan is the
			 * snapshot's own */
			continue;
		} else if (!k || !nft_kset_matches(k, p)) {
			/* new set: every element is an addition */
			os = (struct elem_src){ NULL, 0, NULL, NULL };
		} else if (!k->elems_known) {
			nft_batch_flush_set(x->b, p->name);
			os = (struct elem_src){ NULL, 0, NULL, NULL };
		} else {
			os = (struct elem_src){
				k->elems, k->elems ? k->elems->n : 0,
				(const char(*)[NFT_NAME_LEN])x->ks->chains, NULL
			};
		}
		ret = elem_diff(&os, &ns, p->flags & NFT_SET_INTERVAL,
				&x->diffs[i]);
		if (ret < 0)
			return ret;
		if (x->diffs[i].n_del)
			nft_batch_elems(x->b, NFT_MSG_DELSETELEM, p, p->name,
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
			    nft_kset_matches(k, &rs->sets[j]))
				break;
		}
		if (j == rs->n_sets)
			nft_batch_set_def(x->b, NFT_MSG_DELSET, NULL, k->name);
	}
	for (i = 0; i < ks->n_chains; i++) {
		if (nft_plan_chain_index(rs, ks->chains[i]) < 0)
			nft_batch_chain(x->b, NFT_MSG_DELCHAIN, ks->chains[i],
					false, 0, &nft_batch_origin_table);
	}
	for (i = 0; i < ks->n_objs; i++) {
		if (nft_plan_obj_index(rs, ks->objs[i]) < 0)
			nft_batch_obj(x->b, NFT_MSG_DELOBJ, NULL, ks->objs[i],
				      &nft_batch_origin_table);
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
			nft_batch_obj(x->b, NFT_MSG_NEWOBJ, rs->objs[i].obj,
				      NULL, &rs->objs[i].origin);
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
			nft_batch_chain(x->b, NFT_MSG_NEWCHAIN, c->name,
					c->base, c->hook, &c->origin);
		}
	}
	for (i = 0; i < rs->n_sets; i++) {
		const struct nft_kset *k = nft_kstate_set(ks, rs->sets[i].name);

		if (!k || !nft_kset_matches(k, &rs->sets[i]))
			nft_batch_set_def(x->b, NFT_MSG_NEWSET, &rs->sets[i],
					  rs->sets[i].name);
	}
}

static void plan_elem_additions(struct plan_ctx *x)
{
	const struct zone_ruleset *rs = x->rs;
	size_t i;

	for (i = 0; i < rs->n_sets; i++) {
		const struct nft_pset *p = &rs->sets[i];
		struct elem_src ns = { p->elems, nft_pset_count(p), NULL,
				       rs->chains };

		if (x->diffs[i].n_add)
			nft_batch_elems(x->b, NFT_MSG_NEWSETELEM, p, p->name,
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
static bool plan_adopts_new_hook(uint32_t flags, const struct zone_ruleset *rs,
				 const struct nft_kstate *ks)
{
	size_t i;

	if (!ks->exists || ks->flags == flags)
		return false;
	for (i = 0; i < rs->n_chains; i++) {
		if (rs->chains[i].base &&
		    !names_have((const char(*)[NFT_NAME_LEN])ks->chains,
				ks->n_chains, rs->chains[i].name))
			return true;
	}
	return false;
}

bool nft_batch_replaces(uint32_t table_flags, const struct zone_ruleset *rs,
			const struct nft_kstate *ks)
{
	return ks->replace || plan_adopts_new_hook(table_flags, rs, ks);
}

int nft_batch_plan(struct nft_batch *b, const struct zone_ruleset *rs,
		   const struct nft_kstate *ks, uint32_t genid, bool *ret_empty)
{
	static const struct nft_kstate none;
	/* the flags the batch's NEWTABLE carries (nft_batch_table()) */
	bool replace = nft_batch_replaces(
		b->table_set ? b->table_flags : rs->table_flags, rs, ks);
	struct plan_ctx x = { .b = b, .rs = rs };
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
	nft_batch_open(b, genid);
	/* one batch: the old table never goes without the new one */
	if (replace)
		nft_batch_table(b, NFT_MSG_DELTABLE, 0);
	nft_batch_table(b, NFT_MSG_NEWTABLE, rs->table_flags);
	if (x.structural && ks->exists)
		nft_batch_flush_rules(b);
	ret = plan_elem_removals(&x);
	if (ret == 0 && x.structural) {
		plan_deletions(&x);
		plan_creations(&x);
	}
	if (ret == 0)
		plan_elem_additions(&x);
	for (i = 0; ret == 0 && x.structural && i < rs->n_rules; i++)
		nft_batch_rule(b, &rs->rules[i]);
	if (ret == 0) {
		nft_batch_close(b);
		*ret_empty = !plan_has_changes(&x);
	}
	for (i = 0; i < rs->n_sets; i++)
		elem_diff_free(&x.diffs[i]);
	free(x.diffs);
	return ret ? ret : b->err;
}
