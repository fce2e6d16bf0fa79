/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NFT_COMPILE_H
#define NFT_COMPILE_H

/*
 * The state of one compile of a zone model into a plan, shared by its
 * parts: nft_compile.c (forward and route chains, the entry point),
 * nft_compile_map.c (the address maps), nft_compile_pair.c (pair and
 * segment chains, channels, narrow entries) and nft_compile_edge.c (the
 * interface bindings).  Nothing here is public.
 */

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zone/mark.h>
#include <zone/model.h>

#include "model_priv.h"
#include "nft_plan.h"
#include "nft_range.h"

#define FAM_N 2
static const int fam_af[FAM_N] = { AF_INET, AF_INET6 };
static const char *const fam_suffix[FAM_N] = { "4", "6" };

/* a ct mark the ruleset leaves on the flows of a pair (s -> d) */
struct nftc_tag {
	uint32_t mark;
	uint32_t src;
	uint32_t dst;
};

struct compile {
	struct zone_ruleset *rs;
	const struct zone_model *model;
	const struct zone_compile_args *args;
	struct zone_model bare; /* the model without its channels */
	bool to_names; /* channel_rule: destination from the names sets */
	size_t n_ids; /* segments, plus "unassigned" */
	uint32_t catch_id;
	bool present[FAM_N][NFT_SEG_MAX + 1];
	struct zone_addr rep[FAM_N][NFT_SEG_MAX + 1];
	/* the pair chain of (src, dst), or -1 */
	int pair[NFT_SEG_MAX + 1][NFT_SEG_MAX + 1];
	/* isolated intervals per family: no rules look them up when none */
	size_t n_isolated[FAM_N];
	/*
	 * Many prefixes of the longest length go to an exact-match hash map
	 * (net4/net6, looked up with the address masked to hash_len), the
	 * rest to the interval map: one hash lookup instead of a descent
	 * through a tree of every interval.  hash_len 0: no hash map, and
	 * the interval map holds the classifier's intervals.
	 */
	unsigned int hash_len[FAM_N];
	struct zone_lpm *rest[FAM_N]; /* the other prefixes, when hashed */
	size_t n_hashed[FAM_N];
	/* every mark an accepted flow can carry, for the flow binding */
	struct nftc_tag *tags;
	size_t n_tags;
	size_t cap_tags;
};

static inline uint32_t scratch_mark(uint32_t id)
{
	return ZONE_MARK_MAGIC | ZONE_MARK_T_SCRATCH | id;
}

static inline const char *id_name(const struct compile *c, uint32_t id)
{
	return c->rs->id_names[id];
}

/* nft_compile.c */
bool nftc_name_is_plain(const char *name);
void nftc_origin(struct nft_origin *o, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const struct nft_pset *nftc_plan_set(const struct compile *c,
				     const char *name);

/* nft_compile_map.c */
int nftc_flatten(struct compile *c, int f);
int nftc_split(struct compile *c, int f);
int nftc_maps(struct compile *c);
int nftc_isolated(struct compile *c, const struct zone_prefix *iso,
		  size_t n_iso);

/* nft_compile_pair.c */
int nftc_pair(struct compile *c, uint32_t s, uint32_t d);
int nftc_channel_counters(struct compile *c);
int nftc_seg_chain(struct compile *c, uint32_t d);
int nftc_tag_note(struct compile *c, uint32_t mark, uint32_t s, uint32_t d);

/* nft_compile_edge.c */
int nftc_spoof(struct compile *c, struct nft_pset *map, struct nft_pset *names);
int nftc_egress_rule(struct compile *c, uint32_t d, const char *chain,
		     const struct nft_origin *o);
int nftc_egress_chains(struct compile *c);
int nftc_log_then(struct compile *c, const char *chain, const char *rule,
		  int verdict, const char *target, const char *comment);
int nftc_flow_bind(struct compile *c);

#endif
