/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NFT_RULE_PRIV_H
#define NFT_RULE_PRIV_H

/*
 * The rule builder's state and expression helpers, shared by nft_rule.c
 * (addresses, services, conntrack, verdicts) and nft_rule_meta.c (time,
 * Ethernet, interfaces, ICMPv6, the flow binding).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nft_plan.h"

struct nftnl_expr;
struct nftnl_rule;
struct nftnl_set;

struct nft_rb {
	struct zone_ruleset *rs;
	struct nftnl_rule *rule;
	struct nftnl_set **anon;
	size_t n_anon;
	int err;
	int nfproto; /* family already checked, or 0 */
	uint8_t l4proto; /* protocol already checked, or 0 */
};

struct nftnl_expr *nft_rbi_expr(struct nft_rb *rb, const char *name);
/* meta @key into register 1 */
void nft_rbi_meta_load(struct nft_rb *rb, uint32_t key);
void nft_rbi_cmp(struct nft_rb *rb, uint32_t op, const void *data,
		 uint32_t len);
void nft_rbi_payload(struct nft_rb *rb, uint32_t base, uint32_t offset,
		     uint32_t len);
/* meta nfproto @family, once per rule */
void nft_rbi_nfproto(struct nft_rb *rb, int family);
/* an anonymous set the rule binds, filled by nft_rbi_anon_elem() */
struct nftnl_set *nft_rbi_anon(struct nft_rb *rb, const char *name,
			       uint32_t flags, uint32_t key_type,
			       uint32_t key_len);
void nft_rbi_anon_elem(struct nft_rb *rb, struct nftnl_set *s,
		       const void *key, uint32_t len, uint32_t flags);
void nft_rbi_lookup_flags(struct nft_rb *rb, const char *set, uint32_t set_id,
			  int dreg, uint32_t flags);

#endif
