/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NFT_RULE_H
#define NFT_RULE_H

/*
 * A rule builder that emits the same expressions nft 1.0.6 emits for the
 * equivalent rule text, dependencies included (meta nfproto before an ip
 * or ip6 payload, meta l4proto before a transport payload), so that
 * `nft list table inet zoned` prints every rule back as nft syntax.
 *
 * The builder keeps a sticky error: the nft_rb_* emitters return nothing,
 * and nft_rb_commit() reports the first failure.
 */

#include <stddef.h>
#include <stdint.h>

#include <zone/addr.h>
#include <zone/model.h>

#include "nft_plan.h"

/* match the source (false) or destination (true) address */
void nft_rb_addr(struct nft_rb *rb, int family, bool dst,
		 const struct zone_prefix *list, size_t n);
/* ip saddr @set (lookup, optionally into a map register) */
void nft_rb_addr_lookup(struct nft_rb *rb, int family, bool dst,
			const char *set, uint32_t set_id, int dreg);
/* ip saddr & <prefix of @plen> vmap @set (into @dreg) */
void nft_rb_addr_masked_lookup(struct nft_rb *rb, int family, bool dst,
			       unsigned int plen, const char *set,
			       uint32_t set_id, int dreg);
void nft_rb_service(struct nft_rb *rb, const struct zone_service *svc);
/* meta time < @ns (UTC nanoseconds) */
void nft_rb_time_before(struct nft_rb *rb, uint64_t ns);
/* meta iiftype ether ether saddr @mac */
void nft_rb_ether_saddr(struct nft_rb *rb, const uint8_t *mac);
/* meta time >= @ns (UTC nanoseconds) */
void nft_rb_time_after(struct nft_rb *rb, uint64_t ns);
/* meta day @day meta hour @lo-@hi (UTC seconds of the day, inclusive) */
void nft_rb_day_hour(struct nft_rb *rb, uint8_t day, uint32_t lo,
		     uint32_t hi);
/* ct state & @mask != 0 */
void nft_rb_ct_state(struct nft_rb *rb, uint32_t mask);
void nft_rb_ct_mark_eq(struct nft_rb *rb, uint32_t mark);
/* ct mark set <register 1>, after a map lookup */
void nft_rb_ct_mark_set_reg(struct nft_rb *rb);
void nft_rb_ct_mark_set(struct nft_rb *rb, uint32_t mark);
/* iifname vmap @set */
void nft_rb_iifname_vmap(struct nft_rb *rb, const char *set, uint32_t set_id);
/* ct mark vmap { marks[i] : goto chains[i] } */
void nft_rb_ct_mark_vmap(struct nft_rb *rb, const uint32_t *marks,
			 const char *const *chains, size_t n);
/* iifname/oifname [!=] "x" or { "x", "y" } (@out: oifname) */
void nft_rb_ifname(struct nft_rb *rb, bool out, bool neg,
		   const char *const *names, size_t n);
/* iifname/oifname [!=] @set */
void nft_rb_ifname_set(struct nft_rb *rb, bool out, bool neg, const char *set,
		       uint32_t set_id);
/* icmpv6 type first-last */
/*
 * The key of an established flow's interface binding: ct direction . ct
 * mark . iifname [. oifname], laid out as the kernel's registers hold it.
 */
struct nft_flow_key {
	uint8_t dir; /* IP_CT_DIR_ORIGINAL or IP_CT_DIR_REPLY */
	uint32_t mark;
	char iif[NFT_IFNAME_LEN];
	char oif[NFT_IFNAME_LEN];
};

/* ct direction . ct mark . iifname [. oifname @oif] { keys } */
void nft_rb_flow_lookup(struct nft_rb *rb, const struct nft_flow_key *keys,
			size_t n, bool oif);
/* ct direction . ct mark . meta iif . meta oif @set */
void nft_rb_flow_index_lookup(struct nft_rb *rb, const char *set,
			      uint32_t set_id);
void nft_rb_icmpv6_types(struct nft_rb *rb, uint8_t first, uint8_t last);
void nft_rb_counter(struct nft_rb *rb);
void nft_rb_objref(struct nft_rb *rb, const char *counter);
/* limit rate NFT_LOG_RATE/second log prefix @prefix group ZONE_NFLOG_GROUP */
void nft_rb_limit_log(struct nft_rb *rb, const char *prefix);
/* accept, drop, return, or jump/goto @chain */
void nft_rb_verdict(struct nft_rb *rb, int code, const char *chain);

#endif
