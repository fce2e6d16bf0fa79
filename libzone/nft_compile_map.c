/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The address maps of the forward chain (doc/design.md 3): the classifier's
 * intervals flattened into the interval maps zone4/zone6, the exact-match
 * hash maps net4/net6 of a policy's many longest prefixes, and the sets of
 * isolated hosts.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <zone/lpm.h>

#include "lpm_priv.h"
#include "nft_compile.h"

/*
 * What the classifier's intervals of one family tell the pair chains:
 * which ids have addresses, and one address of each (its lowest), with
 * the first address no interval covers going to the catch-all.  Walked
 * rather than kept: at a million prefixes the intervals took 36 bytes
 * each only to be read once.
 */
struct rep_walk {
	struct compile *c;
	int f;
	size_t len;
	uint8_t next[16]; /* the first address not yet seen covered */
	bool gap_known; /* next is the first gap, or there is none */
	bool full; /* the intervals cover every address */
};

/* the id of an interval's value: beyond the segments, the catch-all */
static uint32_t interval_id(const struct compile *c, uint32_t value)
{
	if (value >= zone_model_segment_count(c->model))
		return c->catch_id;
	return value;
}

static void rep_note(struct compile *c, int f, uint32_t id, const uint8_t *addr,
		     size_t len)
{
	c->present[f][id] = true;
	c->rep[f][id].family = (uint8_t)fam_af[f];
	memcpy(c->rep[f][id].bytes, addr, len);
}

static int rep_cb(const struct zone_addr *first, const struct zone_addr *last,
		  uint32_t value, void *data)
{
	struct rep_walk *w = data;
	uint32_t id = interval_id(w->c, value);

	if (!w->c->present[w->f][id])
		rep_note(w->c, w->f, id, first->bytes, w->len);
	if (w->gap_known)
		return 0;
	if (memcmp(first->bytes, w->next, w->len) > 0) {
		w->gap_known = true;
		return 0;
	}
	memcpy(w->next, last->bytes, w->len);
	if (!nft_key_inc(w->next, w->len))
		w->gap_known = w->full = true;
	return 0;
}

/* the classifier's intervals of one family: who is present, and where */
int nftc_flatten(struct compile *c, int f)
{
	struct rep_walk w = { .c = c, .f = f, .len = nft_addr_len(fam_af[f]) };
	const struct zone_lpm *lpm = c->model->classifier;
	int ret;

	if (lpm) {
		ret = lpm_foreach_interval(lpm, fam_af[f], rep_cb, &w);
		if (ret < 0)
			return ret;
	}
	/* unassigned addresses belong to the catch-all */
	if (!w.full)
		rep_note(c, f, c->catch_id, w.next, w.len);
	return 0;
}

/*
 * The hash split of one family: when the longest prefix length has at
 * least NFT_HASH_MIN prefixes, they go to the hash map (being the longest,
 * each wins over whatever else covers its addresses), and the interval
 * map is flattened from a table of the other prefixes alone.  The hashed
 * prefixes are not copied: compile_hash_map() reads them from the model.
 */
#define NFT_HASH_MIN 1024

int nftc_split(struct compile *c, int f)
{
	const struct zone_model *m = c->model;
	size_t count[129] = { 0 };
	struct zone_lpm *lpm = NULL;
	unsigned int top = 0;
	size_t rest = 0;
	size_t i;
	size_t j;
	int ret = 0;

	for (i = 0; i < m->n_segments; i++) {
		for (j = 0; j < m->segments[i].n_networks; j++) {
			const struct zone_prefix *p =
				&m->segments[i].networks[j];

			if (p->addr.family != fam_af[f])
				continue;
			count[p->len]++;
			if (p->len > top)
				top = p->len;
		}
	}
	if (top == 0 || count[top] < NFT_HASH_MIN)
		return 0;
	for (i = 0; i < top; i++)
		rest += count[i];
	/* the model refused repeats already: exact arrays, no repeat hash */
	lpm = zone_lpm_new_sized(fam_af[f] == AF_INET ? rest : 0,
				 fam_af[f] == AF_INET6 ? rest : 0);
	if (!lpm)
		return -ENOMEM;
	for (i = 0; i < m->n_segments && ret == 0; i++) {
		for (j = 0; j < m->segments[i].n_networks && ret == 0; j++) {
			const struct zone_prefix *p =
				&m->segments[i].networks[j];

			if (p->addr.family == fam_af[f] && p->len < top)
				ret = zone_lpm_add(lpm, p, (uint32_t)i);
		}
	}
	if (ret == 0)
		ret = zone_lpm_build(lpm);
	if (ret < 0) {
		zone_lpm_free(lpm);
		return ret;
	}
	c->hash_len[f] = top;
	c->n_hashed[f] = count[top];
	c->rest[f] = lpm;
	return 0;
}

/* the start of [@lo, @hi] = @data/@chain, and its end unless @hi is last */
static int set_add_range(struct nft_pset *s, const uint8_t *lo,
			 const uint8_t *hi, uint32_t data, int32_t chain)
{
	uint8_t end[16];
	int ret;

	ret = nft_pset_add(s, lo, 0, data, chain);
	if (ret < 0)
		return ret;
	memcpy(end, hi, s->key_len);
	if (!nft_key_inc(end, s->key_len))
		return 0;
	return nft_pset_add(s, end, NFT_SET_ELEM_INTERVAL_END, 0, -1);
}

static int set_fill_ranges(struct nft_pset *s, const struct nft_range *r,
			   size_t n)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = set_add_range(s, r[i].lo, r[i].hi, r[i].value, -1);
		if (ret < 0)
			return ret;
	}
	nft_pset_sort(s);
	return 0;
}

/* the chain seg_<id> of every id, or -1 */
static void seg_chains(const struct compile *c, int32_t *chain_of)
{
	char chain[NFT_NAME_LEN];
	size_t id;

	for (id = 0; id < c->n_ids; id++) {
		snprintf(chain, sizeof(chain), "seg_%s",
			 id_name(c, (uint32_t)id));
		chain_of[id] = nft_plan_chain_index(c->rs, chain);
	}
}

/* net4/net6: a prefix of the hashed length -> jump seg_<segment> */
static int compile_hash_map(struct compile *c, int f, const int32_t *chain_of)
{
	const struct zone_model *m = c->model;
	char name[NFT_NAME_LEN];
	struct nft_pset *s;
	size_t i;
	size_t j;
	int ret;

	snprintf(name, sizeof(name), "net%s", fam_suffix[f]);
	s = nft_plan_add_set(c->rs, name, NFT_SET_MAP,
			     f ? NFT_TYPE_IP6ADDR : NFT_TYPE_IPADDR,
			     nft_addr_len(fam_af[f]), NFT_DATA_VERDICT, 0);
	if (!s)
		return -errno;
	ret = nft_pset_reserve(s, c->n_hashed[f]);
	for (i = 0; i < m->n_segments && ret == 0; i++) {
		for (j = 0; j < m->segments[i].n_networks && ret == 0; j++) {
			const struct zone_prefix *p =
				&m->segments[i].networks[j];

			if (p->addr.family != fam_af[f] ||
			    p->len != c->hash_len[f])
				continue;
			ret = nft_pset_add(s, p->addr.bytes, 0, NFT_JUMP,
					   chain_of[i]);
		}
	}
	nft_pset_sort(s);
	return ret;
}

/* the interval map's elements, straight from a table's intervals */
struct map_walk {
	struct compile *c;
	struct nft_pset *s;
	const int32_t *chain_of;
};

static int map_cb(const struct zone_addr *first, const struct zone_addr *last,
		  uint32_t value, void *data)
{
	struct map_walk *w = data;

	return set_add_range(w->s, first->bytes, last->bytes, NFT_JUMP,
			     w->chain_of[interval_id(w->c, value)]);
}

/* zone4/zone6: address -> jump seg_<segment> */
int nftc_maps(struct compile *c)
{
	int32_t chain_of[NFT_SEG_MAX + 1];
	struct map_walk w = { .c = c, .chain_of = chain_of };
	const struct zone_lpm *lpm;
	char name[NFT_NAME_LEN];
	size_t n;
	int f;
	int ret;

	seg_chains(c, chain_of);
	for (f = 0; f < FAM_N; f++) {
		snprintf(name, sizeof(name), "zone%s", fam_suffix[f]);
		w.s = nft_plan_add_set(c->rs, name,
				       NFT_SET_MAP | NFT_SET_INTERVAL,
				       f ? NFT_TYPE_IP6ADDR : NFT_TYPE_IPADDR,
				       nft_addr_len(fam_af[f]),
				       NFT_DATA_VERDICT, 0);
		if (!w.s)
			return -errno;
		/* the intervals come in order: no sort is needed */
		lpm = c->hash_len[f] ? c->rest[f] : c->model->classifier;
		n = lpm ? lpm_interval_count(lpm, fam_af[f]) : 0;
		ret = nft_pset_reserve(w.s, 2 * n);
		if (ret == 0 && n)
			ret = lpm_foreach_interval(lpm, fam_af[f], map_cb, &w);
		if (ret == 0)
			nft_pset_sort(w.s);
		if (ret == 0 && c->hash_len[f])
			ret = compile_hash_map(c, f, chain_of);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int nftc_isolated(struct compile *c, const struct zone_prefix *iso,
			    size_t n_iso)
{
	struct nft_range *r;
	struct nft_pset *s;
	char name[NFT_NAME_LEN];
	size_t i;
	size_t k;
	int f;
	int m;
	int ret;

	r = calloc(n_iso + 1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (f = 0; f < FAM_N; f++) {
		uint32_t klen = nft_addr_len(fam_af[f]);

		snprintf(name, sizeof(name), "isolated%s", fam_suffix[f]);
		s = nft_plan_add_set(c->rs, name, NFT_SET_INTERVAL,
				     f ? NFT_TYPE_IP6ADDR : NFT_TYPE_IPADDR,
				     klen, 0, 0);
		if (!s) {
			free(r);
			return -errno;
		}
		for (i = 0, k = 0; i < n_iso; i++) {
			if (iso[i].addr.family == fam_af[f])
				nft_range_from_prefix(&iso[i], 0, &r[k++]);
		}
		m = nft_ranges_merge(r, k, klen);
		ret = m < 0 ? m : set_fill_ranges(s, r, (size_t)m);
		if (ret < 0) {
			free(r);
			return ret;
		}
		c->n_isolated[f] = (size_t)m;
	}
	free(r);
	return 0;
}

