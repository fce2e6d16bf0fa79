/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A restart onto the table the last zoned left in force has to know what
 * the table's sets hold before it can send only what changed.  Reading
 * them back costs the square of a set's size (nft_dump_elems.c), so the
 * largest are otherwise flushed and refilled: at a million prefixes one
 * batch of every element, whose memory is the daemon's peak.
 *
 * The kernel moves the ruleset's generation (NFT_MSG_GETGEN) with every
 * committed transaction of any writer in the network namespace, and
 * nothing changes a table without one.  So when the generation is still
 * the one at which the last zoned's table was exactly its plan, the sets
 * still hold that plan's elements, and when the new plan's elements
 * digest to the same value as that plan's, they are the new plan's: the
 * daemon records both after every apply (zoned(8), Tampering while
 * stopped) and hands them back at start (zone_nft_trust()).  Any commit
 * in between, of zoned's own timed name sets, of another table, or of
 * someone changing this one, moves the generation, and the sets are read
 * back or refilled as before.  The batch itself carries the generation it
 * was computed at, so a commit after the check fails it (-ERESTART).
 */

#include <stdio.h>
#include <string.h>

#include <linux/netfilter/nf_tables.h>

#include <zone/ruleset.h>
#include <zone/sha256.h>

#include "nft_batch.h"
#include "nft_sess.h"

static void digest_u32(struct zone_sha256_ctx *ctx, uint32_t v)
{
	zone_sha256_update(ctx, &v, sizeof(v));
}

static void digest_str(struct zone_sha256_ctx *ctx, const char *s)
{
	if (!s)
		s = "";
	zone_sha256_update(ctx, s, strlen(s) + 1);
}

void zone_ruleset_elems_digest(const struct zone_ruleset *rs,
			       char hex[SHA256_HEX_LEN])
{
	struct zone_sha256_ctx ctx;
	size_t i;
	size_t j;

	zone_sha256_init(&ctx);
	for (i = 0; i < rs->n_sets; i++) {
		const struct nft_pset *p = &rs->sets[i];
		const struct nft_elems *es = p->elems;

		/* timed elements are the resolver's (nft_names.c) */
		if (p->flags & NFT_SET_TIMEOUT)
			continue;
		digest_str(&ctx, p->name);
		digest_u32(&ctx, p->flags);
		digest_u32(&ctx, p->key_type);
		digest_u32(&ctx, p->key_len);
		digest_u32(&ctx, p->data_type);
		digest_u32(&ctx, (uint32_t)nft_pset_count(p));
		for (j = 0; j < nft_pset_count(p); j++) {
			const struct nft_eval *v = nft_elems_val(es, j);

			zone_sha256_update(&ctx, nft_elems_key(es, j),
					   es->key_len);
			digest_u32(&ctx, v->flags);
			digest_u32(&ctx, v->data);
			digest_str(&ctx, v->chain >= 0 ?
						 rs->chains[v->chain].name :
						 NULL);
		}
	}
	zone_sha256_final_hex(&ctx, hex);
}

uint32_t zone_nft_applied_generation(const struct zone_nft *nft)
{
	return nft->applied_gen;
}

void zone_nft_trust(struct zone_nft *nft, uint32_t genid, const char *digest)
{
	nft->trust_gen = 0;
	if (genid == 0 || !digest || strlen(digest) != SHA256_HEX_LEN - 1)
		return;
	nft->trust_gen = genid;
	memcpy(nft->trust_digest, digest, SHA256_HEX_LEN);
}

bool nft_trust_holds(const struct zone_nft *nft, const struct zone_ruleset *rs,
		     uint32_t genid)
{
	char hex[SHA256_HEX_LEN];

	if (nft->trust_gen == 0 || nft->trust_gen != genid)
		return false;
	zone_ruleset_elems_digest(rs, hex);
	return strcmp(hex, nft->trust_digest) == 0;
}

void nft_trust_record(struct nft_kstate *ks, const struct zone_ruleset *rs)
{
	size_t i;

	for (i = 0; i < rs->n_sets; i++) {
		const struct nft_pset *p = &rs->sets[i];
		int k = nft_name_index(ks->sets, ks->n_sets, sizeof(*ks->sets),
				       p->name);

		if (k >= 0 && nft_kset_matches(&ks->sets[k], p) &&
		    !(p->flags & NFT_SET_TIMEOUT))
			nft_kset_record(&ks->sets[k], p);
	}
}
