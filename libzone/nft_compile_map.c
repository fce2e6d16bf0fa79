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

struct flat_walk {
	struct nft_range *r;
	size_t n;
	size_t cap;
	size_t len;
};

static int flat_cb(const struct zone_addr *first, const struct zone_addr *last,
		   uint32_t value, void *data)
{
	struct flat_walk *w = data;
	struct nft_range *r;

	if (nft_plan_grow(&w->r, &w->cap, w->n, sizeof(*w->r)))
		return -ENOMEM;
	r = &w->r[w->n++];
	memset(r, 0, sizeof(*r));
	memcpy(r->lo, first->bytes, w->len);
	memcpy(r->hi, last->bytes, w->len);
	r->value = value;
	return 0;
}

/* the first address no interval covers; false when they cover all */
static bool first_gap(const struct nft_range *r, size_t n, size_t len,
		      uint8_t *ret)
{
	uint8_t cur[16] = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		if (memcmp(r[i].lo, cur, len) > 0)
			break;
		memcpy(cur, r[i].hi, len);
		if (!nft_key_inc(cur, len))
			return false;
	}
	memcpy(ret, cur, len);
	return true;
}

/* the classifier's intervals of one family; gaps stay gaps */
int nftc_flatten(struct compile *c, int f)
{
	struct flat_walk w = { .len = nft_addr_len(fam_af[f]) };
	const struct zone_lpm *lpm = c->model->classifier;
	uint8_t gap[16];
	size_t i;
	int ret;

	if (lpm) {
		ret = lpm_foreach_interval(lpm, fam_af[f], flat_cb, &w);
		if (ret < 0) {
			free(w.r);
			return ret;
		}
	}
	for (i = 0; i < w.n; i++) {
		if (w.r[i].value >= zone_model_segment_count(c->model))
			w.r[i].value = c->catch_id;
	}
	c->flat[f] = w.r;
	c->n_flat[f] = w.n;
	for (i = w.n; i-- > 0;) {
		uint32_t id = w.r[i].value;

		c->present[f][id] = true;
		c->rep[f][id].family = (uint8_t)fam_af[f];
		memcpy(c->rep[f][id].bytes, w.r[i].lo, w.len);
	}
	/* unassigned addresses belong to the catch-all */
	if (first_gap(w.r, w.n, w.len, gap)) {
		c->present[f][c->catch_id] = true;
		c->rep[f][c->catch_id].family = (uint8_t)fam_af[f];
		memcpy(c->rep[f][c->catch_id].bytes, gap, w.len);
	}
	return 0;
}

/*
 * The hash split of one family: when the longest prefix length has at
 * least NFT_HASH_MIN prefixes, they go to the hash map (being the longest,
 * each wins over whatever else covers its addresses), and the interval
 * map is flattened from the other prefixes alone.
 */
#define NFT_HASH_MIN 1024

int nftc_split(struct compile *c, int f)
{
	const struct zone_model *m = c->model;
	struct flat_walk w = { .len = nft_addr_len(fam_af[f]) };
	size_t count[129] = { 0 };
	struct zone_lpm *lpm = NULL;
	unsigned int top = 0;
	size_t n = 0;
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
	c->hashed[f] = calloc(count[top], sizeof(*c->hashed[f]));
	c->hashed_id[f] = calloc(count[top], sizeof(*c->hashed_id[f]));
	lpm = zone_lpm_new();
	if (!c->hashed[f] || !c->hashed_id[f] || !lpm) {
		zone_lpm_free(lpm);
		return -ENOMEM;
	}
	for (i = 0; i < m->n_segments && ret == 0; i++) {
		for (j = 0; j < m->segments[i].n_networks && ret == 0; j++) {
			const struct zone_prefix *p =
				&m->segments[i].networks[j];

			if (p->addr.family != fam_af[f])
				continue;
			if (p->len < top) {
				ret = zone_lpm_add(lpm, p, (uint32_t)i);
				continue;
			}
			c->hashed[f][n] = *p;
			c->hashed_id[f][n++] = (uint32_t)i;
		}
	}
	if (ret == 0)
		ret = zone_lpm_build(lpm);
	if (ret == 0)
		ret = lpm_foreach_interval(lpm, fam_af[f], flat_cb, &w);
	zone_lpm_free(lpm);
	if (ret < 0) {
		free(w.r);
		return ret;
	}
	c->hash_len[f] = top;
	c->n_hashed[f] = n;
	c->mflat[f] = w.r;
	c->n_mflat[f] = w.n;
	/* nftc_flatten() took what it needed: the maps use mflat[] now */
	free(c->flat[f]);
	c->flat[f] = NULL;
	c->n_flat[f] = 0;
	return 0;
}

static int set_fill_ranges(struct nft_pset *s, const struct nft_range *r,
			   size_t n, bool verdict)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		uint8_t end[16];

		ret = nft_pset_add(s, r[i].lo, 0,
				   verdict ? (uint32_t)NFT_JUMP : r[i].value,
				   verdict ? (int32_t)r[i].value : -1);
		if (ret < 0)
			return ret;
		memcpy(end, r[i].hi, s->key_len);
		if (!nft_key_inc(end, s->key_len))
			continue;
		ret = nft_pset_add(s, end, NFT_SET_ELEM_INTERVAL_END, 0, -1);
		if (ret < 0)
			return ret;
	}
	nft_pset_sort(s);
	return 0;
}

/* net4/net6: a prefix of the hashed length -> jump seg_<segment> */
static int compile_hash_map(struct compile *c, int f)
{
	char name[NFT_NAME_LEN];
	char chain[NFT_NAME_LEN];
	struct nft_pset *s;
	size_t i;
	int ret = 0;

	snprintf(name, sizeof(name), "net%s", fam_suffix[f]);
	s = nft_plan_add_set(c->rs, name, NFT_SET_MAP,
			     f ? NFT_TYPE_IP6ADDR : NFT_TYPE_IPADDR,
			     nft_addr_len(fam_af[f]), NFT_DATA_VERDICT, 0);
	if (!s)
		return -errno;
	for (i = 0; i < c->n_hashed[f] && ret == 0; i++) {
		snprintf(chain, sizeof(chain), "seg_%s",
			 id_name(c, c->hashed_id[f][i]));
		ret = nft_pset_add(s, c->hashed[f][i].addr.bytes, 0, NFT_JUMP,
				   nft_plan_chain_index(c->rs, chain));
	}
	nft_pset_sort(s);
	return ret;
}

/* zone4/zone6: address -> jump seg_<segment> */
int nftc_maps(struct compile *c)
{
	const struct nft_range *flat;
	struct nft_range *r;
	size_t n;
	struct nft_pset *s;
	char name[NFT_NAME_LEN];
	char chain[NFT_NAME_LEN];
	size_t i;
	int f;
	int ret;

	for (f = 0; f < FAM_N; f++) {
		snprintf(name, sizeof(name), "zone%s", fam_suffix[f]);
		s = nft_plan_add_set(c->rs, name,
				     NFT_SET_MAP | NFT_SET_INTERVAL,
				     f ? NFT_TYPE_IP6ADDR : NFT_TYPE_IPADDR,
				     nft_addr_len(fam_af[f]), NFT_DATA_VERDICT,
				     0);
		if (!s)
			return -errno;
		flat = c->hash_len[f] ? c->mflat[f] : c->flat[f];
		n = c->hash_len[f] ? c->n_mflat[f] : c->n_flat[f];
		r = calloc(n + 1, sizeof(*r));
		if (!r)
			return -ENOMEM;
		for (i = 0; i < n; i++) {
			r[i] = flat[i];
			snprintf(chain, sizeof(chain), "seg_%s",
				 id_name(c, flat[i].value));
			r[i].value =
				(uint32_t)nft_plan_chain_index(c->rs, chain);
		}
		ret = set_fill_ranges(s, r, n, true);
		free(r);
		if (ret == 0 && c->hash_len[f])
			ret = compile_hash_map(c, f);
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
		ret = m < 0 ? m : set_fill_ranges(s, r, (size_t)m, false);
		if (ret < 0) {
			free(r);
			return ret;
		}
		c->n_isolated[f] = (size_t)m;
	}
	free(r);
	return 0;
}

