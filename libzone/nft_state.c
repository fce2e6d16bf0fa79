/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel state a batch is computed against: a snapshot of the plan
 * this session committed, or what a dump found.
 */

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter/nf_tables.h>

#include "nft_batch.h"

void nft_kstate_free(struct nft_kstate *ks)
{
	size_t i;

	if (!ks)
		return;
	for (i = 0; i < ks->n_sets; i++)
		nft_elems_unref(ks->sets[i].elems);
	free(ks->sets);
	free(ks->chains);
	free(ks->objs);
	free(ks->signature);
	free(ks);
}

/* nft_name_index() reads each entry's name at its start */
_Static_assert(offsetof(struct nft_kset, name) == 0, "name first");

const struct nft_kset *nft_kstate_set(const struct nft_kstate *ks,
				      const char *name)
{
	int i = nft_name_index(ks->sets, ks->n_sets, sizeof(*ks->sets), name);

	return i < 0 ? NULL : &ks->sets[i];
}

bool nft_kset_matches(const struct nft_kset *k, const struct nft_pset *p)
{
	return k->flags == p->flags && k->key_type == p->key_type &&
	       k->key_len == p->key_len &&
	       (!(p->flags & NFT_SET_MAP) || k->data_type == p->data_type);
}

static int names_add(char (**v)[NFT_NAME_LEN], size_t *n, const char *name)
{
	char(*p)[NFT_NAME_LEN];

	p = realloc(*v, (*n + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	*v = p;
	snprintf(p[*n], NFT_NAME_LEN, "%s", name);
	(*n)++;
	return 0;
}

int nft_kstate_add_chain(struct nft_kstate *ks, const char *name)
{
	return names_add(&ks->chains, &ks->n_chains, name);
}

int nft_kstate_add_obj(struct nft_kstate *ks, const char *name)
{
	return names_add(&ks->objs, &ks->n_objs, name);
}

struct nft_kset *nft_kstate_add_set(struct nft_kstate *ks, const char *name)
{
	struct nft_kset *p;

	p = realloc(ks->sets, (ks->n_sets + 1) * sizeof(*p));
	if (!p)
		return NULL;
	ks->sets = p;
	p = &ks->sets[ks->n_sets++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	return p;
}

void nft_kset_record(struct nft_kset *k, const struct nft_pset *ps)
{
	k->flags = ps->flags;
	k->key_type = ps->key_type;
	k->key_len = ps->key_len;
	k->data_type = ps->data_type;
	k->elems_known = true;
	/*
	 * The plan's own list, not a copy: it never changes once built, and
	 * the kernel's elements are then held once however long the caller
	 * keeps the plan.
	 */
	nft_elems_unref(k->elems);
	k->elems = nft_elems_ref(ps->elems);
}

static int snapshot_set(struct nft_kstate *ks, const struct nft_pset *ps)
{
	struct nft_kset *k = nft_kstate_add_set(ks, ps->name);

	if (!k)
		return -ENOMEM;
	/* the chain indexes stay valid: the snapshot copies the plan's
	 * chain list in order */
	nft_kset_record(k, ps);
	return 0;
}

struct nft_kstate *nft_kstate_snapshot(const struct zone_ruleset *rs)
{
	struct nft_kstate *ks;
	size_t i;
	int ret = 0;

	ks = calloc(1, sizeof(*ks));
	if (!ks)
		return NULL;
	ks->exists = true;
	ks->flags = rs->table_flags;
	ks->signature = strdup(rs->signature ? rs->signature : "");
	if (!ks->signature)
		ret = -ENOMEM;
	for (i = 0; i < rs->n_chains && ret == 0; i++)
		ret = nft_kstate_add_chain(ks, rs->chains[i].name);
	for (i = 0; i < rs->n_objs && ret == 0; i++)
		ret = nft_kstate_add_obj(ks, rs->objs[i].name);
	for (i = 0; i < rs->n_sets && ret == 0; i++)
		ret = snapshot_set(ks, &rs->sets[i]);
	if (ret < 0) {
		nft_kstate_free(ks);
		errno = -ret;
		return NULL;
	}
	return ks;
}
