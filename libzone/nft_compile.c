/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Compile a zone model into the plan of table inet zoned (doc/design.md 3).
 *
 * Per packet the forward chain runs a fixed handful of rules whatever the
 * model's size.  One interval verdict map per family (zone4, zone6) sends
 * an address to the chain of its segment, seg_<name>, and it is looked up
 * twice: first with the source address while the ct mark holds "source
 * unclassified" (seg_<name> then writes its segment id into the ct mark
 * and returns), then with the destination address (seg_<name> then
 * dispatches on the source id in the ct mark to pair_<src>_<dst>, which
 * holds the pair's channels, narrow entries and matrix verdict).  nft
 * 1.0.6 cannot print a concatenation of two map lookups, hence the ct
 * mark as the register between them (see mark.h); one map for both
 * lookups halves the elements the kernel has to hold and load.  Addresses
 * no network names miss the map and fall to the catch-all's chain.  A
 * policy's many longest prefixes are looked up first in an exact-match
 * hash map (net4, net6; nft_compile_map.c).
 *
 * An established flow's packets never get that far: the first rule
 * accepts them by one lookup of their direction, ct mark and interfaces,
 * so that the bindings hold for every packet (nft_compile_edge.c).
 *
 * The interfaces bind both lookups (zoned.conf(5), Interfaces).  Between
 * them, the input interface's entry in the iface map jumps to an ingress
 * chain whose one ct mark lookup goes on to the destination lookup (chain
 * route) only for the segments that interface carries: anything else is
 * spoofed, and an interface the map lacks falls through to the
 * unknown-interface drop.  Each seg_<name> checks the output interface
 * against its segment's before it dispatches (wrong_egress, unknown_out).
 * Attachment to attachment is the matrix's no-transit.  The gateway's
 * own traffic has chains of its own (nft_gateway.c).
 */

#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/udata.h>

#include <zone/mark.h>
#include <zone/ruleset.h>
#include <zone/verdict.h>

#include "lpm_priv.h"
#include "model_priv.h"
#include "nft_compile.h"
#include "nft_plan.h"
#include "nft_range.h"
#include "nft_rule.h"
#include "verdict_priv.h"

static int compile_ids(struct compile *c)
{
	const struct zone_model *m = c->model;
	size_t n = zone_model_segment_count(m);
	const struct zone_segment *catchall = zone_model_catchall(m);
	size_t i;

	if (n + 1 > NFT_SEG_MAX)
		return -E2BIG;
	c->n_ids = catchall ? n : n + 1;
	c->catch_id = catchall ? (uint32_t)zone_segment_index(catchall) :
				 (uint32_t)n;
	c->rs->id_names = calloc(n + 1, sizeof(*c->rs->id_names));
	if (!c->rs->id_names)
		return -ENOMEM;
	c->rs->n_ids = c->n_ids;
	for (i = 0; i < n; i++) {
		const char *name = zone_segment_name(zone_model_segment(m, i));

		/* "_3" cannot clash: plain names have no underscore */
		if (nftc_name_is_plain(name))
			snprintf(c->rs->id_names[i], NFT_NAME_LEN, "%s", name);
		else
			snprintf(c->rs->id_names[i], NFT_NAME_LEN, "_%zu", i);
	}
	if (!catchall)
		strcpy(c->rs->id_names[n], "_unassigned");
	return 0;
}

/* ---- rules ---- */

static int rule_simple(struct compile *c, const char *chain,
		       const struct nft_origin *o, const char *comment,
		       void (*body)(struct nft_rb *, const void *),
		       const void *arg)
{
	struct nft_rb *rb = nft_rb_new(c->rs, chain);

	if (!rb)
		return -ENOMEM;
	body(rb, arg);
	return nft_rb_commit(rb, o, comment);
}

static void body_isolate_log(struct nft_rb *rb, const void *arg)
{
	(void)arg;
	nft_rb_limit_log(rb, ZONE_LOG_PREFIX "isolate");
}

static void body_drop(struct nft_rb *rb, const void *arg)
{
	(void)arg;
	nft_rb_verdict(rb, NF_DROP, NULL);
}

static int compile_isolate_chain(struct compile *c)
{
	struct nft_origin o;
	int ret;

	nftc_origin(&o, 0, "%s", "isolation");
	ret = rule_simple(c, "isolate", &o, "isolated by zonectl",
			  body_isolate_log, NULL);
	if (ret < 0)
		return ret;
	return rule_simple(c, "isolate", &o, NULL, body_drop, NULL);
}

static int compile_chains(struct compile *c)
{
	/* the jump targets of the forward chain, as "chain forward" made them */
	static const char *const fixed[] = { "isolate", "route", "wrong_egress",
					     "unknown_out" };
	char name[NFT_NAME_LEN];
	struct nft_origin o = { 0 };
	uint32_t d;
	int f;
	int ret;

	nftc_origin(&o, 0, "%s", "chain forward");
	ret = nft_plan_add_chain(c->rs, "forward", true, &o);
	if (ret == 0)
		ret = nft_plan_add_chains(c->rs, fixed,
					  sizeof(fixed) / sizeof(fixed[0]), &o);
	for (d = 0; d < c->n_ids && ret == 0; d++) {
		bool used = false;

		for (f = 0; f < FAM_N; f++)
			used |= c->present[f][d];
		if (!used)
			continue;
		snprintf(name, sizeof(name), "seg_%s", id_name(c, d));
		nftc_origin(&o, 0, "chain %s", name);
		ret = nft_plan_add_chain(c->rs, name, false, &o);
	}
	return ret;
}

static int chain_rule(struct compile *c, const char *chain,
		      void (*body)(struct nft_rb *, struct compile *, int),
		      int arg, const char *comment)
{
	struct nft_origin o = { .line = 0 };
	struct nft_rb *rb = nft_rb_new(c->rs, chain);

	snprintf(o.what, sizeof(o.what), "chain %s", chain);
	if (!rb)
		return -ENOMEM;
	body(rb, c, arg);
	return nft_rb_commit(rb, &o, comment);
}

static int forward_rule(struct compile *c,
			void (*body)(struct nft_rb *, struct compile *, int),
			int arg, const char *comment)
{
	struct nft_origin o = { .line = 0, .what = "chain forward" };
	struct nft_rb *rb = nft_rb_new(c->rs, "forward");

	if (!rb)
		return -ENOMEM;
	body(rb, c, arg);
	return nft_rb_commit(rb, &o, comment);
}

static void fw_lookup(struct nft_rb *rb, struct compile *c, const char *name,
		      int f, bool dst, int dreg)
{
	char set[NFT_NAME_LEN];

	snprintf(set, sizeof(set), "%s%s", name, fam_suffix[f]);
	nft_rb_addr_lookup(rb, fam_af[f], dst, set, nftc_plan_set(c, set)->id, dreg);
}

/* arg: family index * 2 + (destination) */
static void fw_isolated(struct nft_rb *rb, struct compile *c, int arg)
{
	fw_lookup(rb, c, "isolated", arg / 2, arg % 2, -1);
	nft_rb_verdict(rb, NFT_JUMP, "isolate");
}

static void fw_invalid(struct nft_rb *rb, struct compile *c, int arg)
{
	(void)c;
	(void)arg;
	nft_rb_ct_state(rb, NF_CT_STATE_INVALID_BIT);
	nft_rb_verdict(rb, NF_DROP, NULL);
}

static void fw_unset(struct nft_rb *rb, struct compile *c, int arg)
{
	(void)c;
	(void)arg;
	nft_rb_ct_mark_set(rb, scratch_mark(NFT_SCRATCH_UNSET));
}

/*
 * ip saddr vmap @zone4, or ip daddr vmap @zone4 (arg: family * 2 + dst).
 * Behind a hash map, the source lookup runs only when the hash missed
 * (the source's chain returns with the mark set).
 */
static void fw_zone(struct nft_rb *rb, struct compile *c, int arg)
{
	if (c->hash_len[arg / 2] && !(arg % 2))
		nft_rb_ct_mark_eq(rb, scratch_mark(NFT_SCRATCH_UNSET));
	fw_lookup(rb, c, "zone", arg / 2, arg % 2, NFT_REG_VERDICT);
}

/* ip saddr & <mask> vmap @net4 (arg: family * 2 + dst) */
static void fw_net(struct nft_rb *rb, struct compile *c, int arg)
{
	char set[NFT_NAME_LEN];
	int f = arg / 2;

	snprintf(set, sizeof(set), "net%s", fam_suffix[f]);
	nft_rb_addr_masked_lookup(rb, fam_af[f], arg % 2, c->hash_len[f], set,
				  nftc_plan_set(c, set)->id, NFT_REG_VERDICT);
}

static void fw_src_catchall(struct nft_rb *rb, struct compile *c, int arg)
{
	(void)arg;
	nft_rb_ct_mark_eq(rb, scratch_mark(NFT_SCRATCH_UNSET));
	nft_rb_ct_mark_set(rb, scratch_mark(c->catch_id));
}

static void fw_iface(struct nft_rb *rb, struct compile *c, int arg)
{
	(void)arg;
	nft_rb_iifname_vmap(rb, "iface", nftc_plan_set(c, "iface")->id);
}

static void fw_dst_catchall(struct nft_rb *rb, struct compile *c, int arg)
{
	char name[NFT_NAME_LEN];

	(void)arg;
	snprintf(name, sizeof(name), "seg_%s", id_name(c, c->catch_id));
	nft_rb_verdict(rb, NFT_GOTO, name);
}

static void fw_drop(struct nft_rb *rb, struct compile *c, int arg)
{
	(void)c;
	(void)arg;
	nft_rb_verdict(rb, NF_DROP, NULL);
}

/* whether some address falls to the catch-all (it has a chain then) */
static bool catchall_chain(const struct compile *c)
{
	char name[NFT_NAME_LEN];

	snprintf(name, sizeof(name), "seg_%s", id_name(c, c->catch_id));
	return nft_plan_chain_index(c->rs, name) >= 0;
}

/*
 * route: the destination lookup, reached by goto from an ingress chain
 * once the source is bound to its interface.  Every path out of it ends
 * in a verdict (the pair chains, the fail-closed drop).
 */
static int compile_route(struct compile *c)
{
	int f;
	int ret = 0;

	for (f = 0; f < FAM_N && ret >= 0; f++) {
		if (c->hash_len[f])
			ret = chain_rule(c, "route", fw_net, 2 * f + 1, NULL);
		if (ret == 0)
			ret = chain_rule(c, "route", fw_zone, 2 * f + 1, NULL);
	}
	if (ret == 0 && catchall_chain(c))
		ret = chain_rule(c, "route", fw_dst_catchall, 0, NULL);
	if (ret == 0)
		ret = chain_rule(c, "route", fw_drop, 0, NULL);
	return ret;
}

static int compile_forward(struct compile *c)
{
	int f;
	int ret = 0;

	/*
	 * Isolation comes before the established accept, so that it cuts
	 * live flows too; it is looked up only while something is isolated,
	 * so that every forwarded packet does not pay for empty sets.
	 */
	for (f = 0; f < 2 * FAM_N && ret == 0; f++) {
		if (c->n_isolated[f / 2])
			ret = forward_rule(c, fw_isolated, f, NULL);
	}
	if (ret == 0)
		ret = nftc_flow_bind(c);
	if (ret == 0)
		ret = forward_rule(c, fw_invalid, 0, NULL);
	if (ret == 0)
		ret = forward_rule(c, fw_unset, 0, NULL);
	for (f = 0; f < FAM_N && ret >= 0; f++) {
		if (c->hash_len[f])
			ret = forward_rule(c, fw_net, 2 * f, NULL);
		if (ret == 0)
			ret = forward_rule(c, fw_zone, 2 * f, NULL);
	}
	if (ret == 0)
		ret = forward_rule(c, fw_src_catchall, 0, NULL);
	/* a known interface's chain goes on to route or drops */
	if (ret == 0)
		ret = forward_rule(c, fw_iface, 0, NULL);
	if (ret == 0)
		ret = nftc_log_then(c, "forward", "unknown-interface",
			       c->rs->monitor ? NFT_GOTO : NF_DROP,
			       c->rs->monitor ? "route" : NULL,
			       "ingress interface not in the config");
	if (ret == 0)
		ret = compile_route(c);
	return ret;
}

static int compile_all(struct compile *c, const struct zone_prefix *iso,
		       size_t n_iso)
{
	struct nft_pset *iface;
	struct nft_pset *names;
	uint32_t s;
	uint32_t d;
	int f;
	int ret;

	ret = compile_ids(c);
	for (f = 0; f < FAM_N && ret >= 0; f++)
		ret = nftc_flatten(c, f);
	for (f = 0; f < FAM_N && ret >= 0; f++)
		ret = nftc_split(c, f);
	if (ret == 0)
		ret = compile_chains(c);
	if (ret == 0)
		ret = nftc_isolated(c, iso, iso ? n_iso : 0);
	if (ret == 0)
		ret = nftc_maps(c);
	if (ret < 0)
		return ret;
	iface = nft_plan_add_set(c->rs, "iface", NFT_SET_MAP, NFT_TYPE_IFNAME,
				 NFT_IFNAME_LEN, NFT_DATA_VERDICT, 0);
	if (!iface)
		return -errno;
	names = nft_plan_add_set(c->rs, "ifnames", 0, NFT_TYPE_IFNAME,
				 NFT_IFNAME_LEN, 0, 0);
	if (!names)
		return -errno;
	/* the plan's sets may have moved: look iface up again */
	iface = &c->rs->sets[c->rs->n_sets - 2];
	ret = compile_isolate_chain(c);
	if (ret == 0)
		ret = nftc_spoof(c, iface, names);
	if (ret == 0)
		ret = nftc_egress_chains(c);
	if (ret == 0)
		ret = nftc_channel_counters(c);
	for (s = 0; s < c->n_ids && ret == 0; s++) {
		for (d = 0; d < c->n_ids && ret == 0; d++)
			ret = nftc_pair(c, s, d);
	}
	for (d = 0; d < c->n_ids && ret == 0; d++)
		ret = nftc_seg_chain(c, d);
	if (ret == 0)
		ret = compile_forward(c);
	if (ret == 0)
		ret = nft_compile_gateway(c->rs, c->model);
	if (ret == 0)
		ret = nft_plan_sign(c->rs);
	return ret;
}

struct zone_ruleset *zone_ruleset_compile(const struct zone_model *model,
					  const struct zone_compile_args *args)
{
	struct compile *c;
	struct zone_ruleset *rs;
	int ret;
	int f;

	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	rs = nft_plan_new();
	if (!rs) {
		free(c);
		return NULL;
	}
	rs->model = model;
	rs->now = args->now;
	rs->monitor = zone_model_mode(model) == ZONE_MODE_MONITOR;
	c->rs = rs;
	c->model = model;
	c->args = args;
	/* the matrix verdict of a pair, with no channel to admit it */
	c->bare = *model;
	c->bare.n_channels = 0;
	c->bare.verdict_index = NULL;
	c->bare.n_narrows = 0;
	ret = compile_all(c, args->isolated, args->n_isolated);
	for (f = 0; f < FAM_N; f++) {
		zone_lpm_free(c->rest[f]);
	}
	free(c->tags);
	free(c);
	if (ret < 0) {
		zone_ruleset_free(rs);
		errno = -ret;
		return NULL;
	}
	return rs;
}

