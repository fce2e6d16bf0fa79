/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text forms of a plan: the summary `zoned -T` prints, and the full
 * libnftnl rendering the unit tests compare with golden .payload files.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/common.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>

#include <zone/ruleset.h>

#include "nft_plan.h"

static size_t plan_elem_count(const struct zone_ruleset *rs)
{
	size_t n = 0;
	size_t i;

	for (i = 0; i < rs->n_sets; i++)
		n += nft_pset_count(&rs->sets[i]);
	return n;
}

/**
 * zone_ruleset_print - the plan summary `zoned -T` shows
 * @rs: the plan
 * @out: where to write
 *
 * One line for the table, one per named set and one per counter (each
 * counter is a segment pair with its matrix verdict, or a channel).
 * Returns 0 or -errno.
 */
int zone_ruleset_print(const struct zone_ruleset *rs, FILE *out)
{
	size_t i;

	fprintf(out,
		"table inet zoned (%s): %zu chains, %zu rules, "
		"%zu sets, %zu elements, %zu counters\n",
		!rs->model  ? "lockdown" :
		rs->monitor ? "monitor" :
			      "enforce",
		rs->n_chains, rs->n_rules, rs->n_sets, plan_elem_count(rs),
		rs->n_objs);
	for (i = 0; i < rs->n_ids; i++)
		fprintf(out, "segment id %zu: %s\n", i, rs->id_names[i]);
	for (i = 0; i < rs->n_sets; i++)
		fprintf(out, "%s %s: %zu elements\n",
			rs->sets[i].flags & NFT_SET_MAP ? "map" : "set",
			rs->sets[i].name, nft_pset_count(&rs->sets[i]));
	for (i = 0; i < rs->n_objs; i++)
		fprintf(out, "counter %s: %s\n", rs->objs[i].name,
			rs->objs[i].comment);
	return ferror(out) ? -EIO : 0;
}

static void print_elem(FILE *out, const struct zone_ruleset *rs,
		       const struct nft_pset *s, size_t j)
{
	const uint8_t *key = nft_elems_key(s->elems, j);
	const struct nft_eval *e = nft_elems_val(s->elems, j);
	uint32_t i;

	fputs("  element ", out);
	for (i = 0; i < s->key_len; i++)
		fprintf(out, "%02x", key[i]);
	if (e->flags & NFT_SET_ELEM_INTERVAL_END) {
		fputs(" end\n", out);
		return;
	}
	if (e->chain >= 0)
		fprintf(out, " : %s %s\n",
			e->data == (uint32_t)NFT_JUMP ? "jump" : "goto",
			rs->chains[e->chain].name);
	else if (s->flags & NFT_SET_MAP)
		fprintf(out, " : 0x%08x\n", e->data);
	else
		fputc('\n', out);
}

/**
 * nft_plan_fprint - every object of the plan as text
 * @rs: the plan
 * @out: where to write
 *
 * Chains, named sets with their elements, counters, then each rule with
 * its anonymous sets, in libnftnl's own notation.  Returns 0 or -EIO.
 */
int nft_plan_fprint(const struct zone_ruleset *rs, FILE *out)
{
	char buf[8192];
	size_t i;
	size_t j;

	fprintf(out, "table inet zoned flags %#x\n", rs->table_flags);
	for (i = 0; i < rs->n_chains; i++)
		fprintf(out, "chain %s%s%s\n", rs->chains[i].name,
			!rs->chains[i].base ? "" :
			rs->chains[i].hook == NF_INET_LOCAL_IN ? " hook input" :
			rs->chains[i].hook == NF_INET_LOCAL_OUT ?
								 " hook output" :
								 " hook forward",
			rs->chains[i].base ? " priority 0 policy drop" : "");
	for (i = 0; i < rs->n_sets; i++) {
		const struct nft_pset *s = &rs->sets[i];

		fprintf(out, "set %s flags %#x key %u/%u data %u/%u\n", s->name,
			s->flags, s->key_type, s->key_len, s->data_type,
			s->data_len);
		for (j = 0; j < nft_pset_count(s); j++)
			print_elem(out, rs, s, j);
	}
	for (i = 0; i < rs->n_objs; i++) {
		nftnl_obj_snprintf(buf, sizeof(buf), rs->objs[i].obj,
				   NFTNL_OUTPUT_DEFAULT, 0);
		fprintf(out, "%s\n", buf);
	}
	for (i = 0; i < rs->n_rules; i++) {
		for (j = 0; j < rs->rules[i].n_anon; j++) {
			nftnl_set_snprintf(buf, sizeof(buf),
					   rs->rules[i].anon[j],
					   NFTNL_OUTPUT_DEFAULT, 0);
			fprintf(out, "%s\n", buf);
		}
		nftnl_rule_snprintf(buf, sizeof(buf), rs->rules[i].rule,
				    NFTNL_OUTPUT_DEFAULT, 0);
		fprintf(out, "%s\n", buf);
	}
	return ferror(out) ? -EIO : 0;
}
