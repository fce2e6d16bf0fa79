/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The interface bindings of the forward chain (zoned.conf(5), Interfaces):
 * the ingress chains that bind a new flow's source to the interface it
 * came in by, the egress check of its destination, and the binding of
 * every packet of an established flow to the interfaces its first packet
 * was admitted on.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tuple_common.h>
#include <linux/netfilter/nf_tables.h>

#include <zone/ruleset.h>

#include "nft_compile.h"
#include "nft_rule.h"

/* interfaces grouped by the set of segments that list them */
struct iface_group {
	char chain[NFT_NAME_LEN];
	char who[96]; /* segment names for the log prefix */
	uint32_t ids[NFT_SEG_MAX];
	size_t n_ids;
};

struct iface {
	char name[NFT_IFNAME_LEN];
	struct iface_group g;
};

static int ifaces_collect(struct compile *c, struct iface **ret, size_t *ret_n)
{
	const struct zone_model *m = c->model;
	struct iface *v = NULL;
	size_t n = 0;
	size_t i;
	size_t j;
	size_t k;

	for (i = 0; i < zone_model_segment_count(m); i++) {
		const struct zone_segment *seg = zone_model_segment(m, i);

		for (j = 0; j < zone_segment_interface_count(seg); j++) {
			const char *ifn = zone_segment_interface(seg, j);
			struct iface *p;

			if (strlen(ifn) >= NFT_IFNAME_LEN) {
				free(v);
				return -EINVAL;
			}
			for (k = 0; k < n && strcmp(v[k].name, ifn); k++)
				;
			if (k == n) {
				p = realloc(v, (n + 1) * sizeof(*v));
				if (!p) {
					free(v);
					return -ENOMEM;
				}
				v = p;
				memset(&v[n], 0, sizeof(v[n]));
				strcpy(v[n++].name, ifn);
			}
			if (v[k].g.n_ids && v[k].g.ids[v[k].g.n_ids - 1] == i)
				continue;
			v[k].g.ids[v[k].g.n_ids++] = (uint32_t)i;
		}
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/*
 * spoof_<seg>[_<seg>...] for the segments sharing the interfaces; a name
 * too long for that becomes "spoofif_<interface>" (cut names could clash)
 */
static void group_names(struct compile *c, struct iface_group *g, size_t k)
{
	size_t i;
	size_t off = 0;
	size_t woff = 0;

	off += (size_t)snprintf(g->chain, sizeof(g->chain), "spoof");
	for (i = 0; i < g->n_ids; i++) {
		const char *seg = zone_segment_name(
			zone_model_segment(c->model, g->ids[i]));

		if (off < sizeof(g->chain))
			off += (size_t)snprintf(g->chain + off,
						sizeof(g->chain) - off, "_%s",
						id_name(c, g->ids[i]));
		if (woff < sizeof(g->who))
			woff += (size_t)snprintf(g->who + woff,
						 sizeof(g->who) - woff, "%s%s",
						 i ? "," : "", seg);
	}
	if (off >= sizeof(g->chain))
		snprintf(g->chain, sizeof(g->chain), "spoofif_%zu", k);
}

/* one rule of an ingress chain: a log prefix, or a verdict */
static int spoof_rule(struct compile *c, const struct iface_group *g,
		      const struct nft_origin *o, const char *prefix,
		      int verdict, const char *chain)
{
	struct nft_rb *rb = nft_rb_new(c->rs, g->chain);

	if (!rb)
		return -ENOMEM;
	if (prefix)
		nft_rb_limit_log(rb, prefix);
	else
		nft_rb_verdict(rb, verdict, chain);
	return nft_rb_commit(rb, o, prefix ? "spoofed source address" : NULL);
}

/*
 * The source binding (zoned.conf(5), Interfaces): a packet arriving on an
 * interface comes from the networks of a segment that interface carries
 * (the catch-all's id stands for addresses of no other segment), or it is
 * spoofed.  One ct mark lookup sends a bound packet on to the destination
 * lookup; the log is rate-limited, so the drop is a rule of its own.
 */
static int spoof_chain(struct compile *c, const struct iface_group *g)
{
	const struct zone_segment *seg;
	uint32_t marks[NFT_SEG_MAX];
	const char *chains[NFT_SEG_MAX];
	struct nft_origin o;
	struct nft_rb *rb;
	char prefix[128];
	size_t i;
	int ret;

	seg = zone_model_segment(c->model, g->ids[0]);
	nftc_origin(&o, zone_segment_line(seg), "interfaces of %s",
		   zone_segment_name(seg));
	snprintf(prefix, sizeof(prefix), ZONE_LOG_PREFIX "%sspoof %s",
		 c->rs->monitor ? "monitor " : "", g->who);
	for (i = 0; i < g->n_ids; i++) {
		marks[i] = scratch_mark(g->ids[i]);
		chains[i] = "route";
	}
	rb = nft_rb_new(c->rs, g->chain);
	if (!rb)
		return -ENOMEM;
	nft_rb_ct_mark_vmap(rb, marks, chains, g->n_ids);
	ret = nft_rb_commit(rb, &o, NULL);
	if (ret == 0)
		ret = spoof_rule(c, g, &o, prefix, 0, NULL);
	if (ret == 0)
		ret = spoof_rule(c, g, &o, NULL,
				 c->rs->monitor ? NFT_GOTO : NF_DROP,
				 c->rs->monitor ? "route" : NULL);
	return ret;
}

int nftc_spoof(struct compile *c, struct nft_pset *map,
			 struct nft_pset *names)
{
	struct iface *v = NULL;
	size_t n = 0;
	size_t i;
	int ret;

	ret = ifaces_collect(c, &v, &n);
	if (ret < 0)
		return ret;
	for (i = 0; i < n && ret == 0; i++) {
		struct nft_origin o = { 0 };
		int idx;

		group_names(c, &v[i].g, i);
		nftc_origin(&o,
			   zone_segment_line(
				   zone_model_segment(c->model, v[i].g.ids[0])),
			   "interface %s", v[i].name);
		idx = nft_plan_chain_index(c->rs, v[i].g.chain);
		if (idx < 0) {
			ret = nft_plan_add_chain(c->rs, v[i].g.chain, false,
						 &o);
			if (ret == 0)
				ret = spoof_chain(c, &v[i].g);
			idx = nft_plan_chain_index(c->rs, v[i].g.chain);
		}
		if (ret == 0) {
			uint8_t key[NFT_IFNAME_LEN] = { 0 };

			memcpy(key, v[i].name, strlen(v[i].name));
			ret = nft_pset_add(map, key, 0, NFT_JUMP, idx);
			if (ret == 0)
				ret = nft_pset_add(names, key, 0, 0, -1);
		}
	}
	free(v);
	nft_pset_sort(map);
	nft_pset_sort(names);
	return ret;
}

/*
 * The destination binding: a packet to a segment's networks leaves by one
 * of that segment's interfaces, or it goes to wrong_egress.  Unassigned
 * addresses (no catch-all attachment) have no door at all; the matrix
 * denies every flow to them.
 */
int nftc_egress_rule(struct compile *c, uint32_t d, const char *chain,
		       const struct nft_origin *o)
{
	const struct zone_segment *seg = zone_model_segment(c->model, d);
	const char *names[64];
	struct nft_rb *rb;
	size_t n;
	size_t i;

	if (!seg || zone_segment_interface_count(seg) == 0)
		return 0;
	n = zone_segment_interface_count(seg);
	if (n > sizeof(names) / sizeof(names[0]))
		return -E2BIG;
	for (i = 0; i < n; i++)
		names[i] = zone_segment_interface(seg, i);
	rb = nft_rb_new(c->rs, chain);
	if (!rb)
		return -ENOMEM;
	nft_rb_ifname(rb, true, true, names, n);
	nft_rb_verdict(rb, NFT_JUMP, "wrong_egress");
	return nft_rb_commit(rb, o, NULL);
}

/* log @prefix (rate-limited), then @verdict (to @target) in @chain */
int nftc_log_then(struct compile *c, const char *chain, const char *rule,
		    int verdict, const char *target, const char *comment)
{
	struct nft_origin o;
	char prefix[64];
	struct nft_rb *rb;
	int ret;

	nftc_origin(&o, 0, "chain %s", chain);
	snprintf(prefix, sizeof(prefix), ZONE_LOG_PREFIX "%s %s",
		 c->rs->monitor ? "monitor" : "deny", rule);
	rb = nft_rb_new(c->rs, chain);
	if (!rb)
		return -ENOMEM;
	nft_rb_limit_log(rb, prefix);
	ret = nft_rb_commit(rb, &o, comment);
	if (ret < 0 || verdict == NFT_CONTINUE)
		return ret;
	rb = nft_rb_new(c->rs, chain);
	if (!rb)
		return -ENOMEM;
	nft_rb_verdict(rb, verdict, target);
	return nft_rb_commit(rb, &o, NULL);
}

/*
 * wrong_egress, jumped to by a seg_<id> chain when the packet would leave
 * by an interface that is not the destination's: an interface the config
 * does not name (unknown_out) or another segment's.  In monitor mode both
 * report and return, so that the pair chain still judges the flow.
 */
int nftc_egress_chains(struct compile *c)
{
	const struct nft_pset *names = nftc_plan_set(c, "ifnames");
	struct nft_origin o;
	struct nft_rb *rb;
	int verdict = c->rs->monitor ? NFT_CONTINUE : NF_DROP;
	int ret;

	if (!names)
		return -EINVAL;
	nftc_origin(&o, 0, "%s", "chain wrong_egress");
	rb = nft_rb_new(c->rs, "wrong_egress");
	if (!rb)
		return -ENOMEM;
	nft_rb_ifname_set(rb, true, true, "ifnames", names->id);
	nft_rb_verdict(rb, NFT_GOTO, "unknown_out");
	ret = nft_rb_commit(rb, &o, NULL);
	if (ret == 0)
		ret = nftc_log_then(c, "wrong_egress", "wrong-egress", verdict,
			       NULL, "wrong egress interface");
	if (ret == 0)
		ret = nftc_log_then(c, "unknown_out", "unknown-interface", verdict,
			       NULL, "egress interface not in the config");
	return ret;
}


/* the interfaces of segment @id, or 0 for one with none ("unassigned") */
static size_t seg_ifaces(const struct compile *c, uint32_t id,
			 const char **names, size_t max)
{
	const struct zone_segment *seg = zone_model_segment(c->model, id);
	size_t n = seg ? zone_segment_interface_count(seg) : 0;
	size_t i;

	if (n > max)
		n = max;
	for (i = 0; i < n; i++)
		names[i] = zone_segment_interface(seg, i);
	return n;
}

static int key_add(struct nft_flow_key **v, size_t *n, size_t *cap,
		   uint8_t dir, uint32_t mark, const char *iif, const char *oif)
{
	struct nft_flow_key *k;

	if (strlen(iif) >= NFT_IFNAME_LEN || (oif && strlen(oif) >=
						       NFT_IFNAME_LEN))
		return -EINVAL;
	if (*n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 64;

		k = realloc(*v, ncap * sizeof(*k));
		if (!k)
			return -ENOMEM;
		*v = k;
		*cap = ncap;
	}
	k = &(*v)[(*n)++];
	memset(k, 0, sizeof(*k));
	k->dir = dir;
	k->mark = mark;
	memcpy(k->iif, iif, strlen(iif));
	if (oif)
		memcpy(k->oif, oif, strlen(oif));
	return 0;
}

/*
 * The keys of every flow the table can admit: for each mark and its pair
 * (s -> d), the original direction enters by an interface of s and leaves
 * by one of d, the reply the other way round.  With @oif false, only the
 * ingress half.
 */
static int flow_keys(struct compile *c, bool oif, struct nft_flow_key **keys,
		     size_t *ret_n)
{
	const char *in[64];
	const char *out[64];
	struct nft_flow_key *v = NULL;
	size_t n = 0;
	size_t cap = 0;
	size_t t;
	size_t i;
	size_t j;
	int ret = 0;

	for (t = 0; t < c->n_tags && ret == 0; t++) {
		const struct nftc_tag *g = &c->tags[t];
		size_t ni = seg_ifaces(c, g->src, in, 64);
		size_t no = seg_ifaces(c, g->dst, out, 64);

		if (!oif) {
			for (i = 0; i < ni && ret == 0; i++)
				ret = key_add(&v, &n, &cap, IP_CT_DIR_ORIGINAL,
					      g->mark, in[i], NULL);
			for (j = 0; j < no && ret == 0; j++)
				ret = key_add(&v, &n, &cap, IP_CT_DIR_REPLY,
					      g->mark, out[j], NULL);
			continue;
		}
		for (i = 0; i < ni && ret == 0; i++) {
			for (j = 0; j < no && ret == 0; j++) {
				ret = key_add(&v, &n, &cap, IP_CT_DIR_ORIGINAL,
					      g->mark, in[i], out[j]);
				if (ret == 0)
					ret = key_add(&v, &n, &cap,
						      IP_CT_DIR_REPLY, g->mark,
						      out[j], in[i]);
			}
		}
	}
	if (ret < 0) {
		free(v);
		return ret;
	}
	*keys = v;
	*ret_n = n;
	return 0;
}

enum { FLOW_NONE, FLOW_IN, FLOW_BOTH, FLOW_INDEX };

/* ct_dir . mark . iface_index . iface_index, as nft names the types */
#define FLOWBIND_TYPE                                                     \
	((((uint32_t)NFT_TYPE_CT_DIR << 6 | NFT_TYPE_MARK) << 6 |         \
	  NFT_TYPE_IFINDEX) << 6 | NFT_TYPE_IFINDEX)

/*
 * set flowbind: the keys of every flow the table can admit, with the
 * indexes the interfaces have now.  A key with an interface that does not
 * exist (or that no source can resolve) is left out, so that its packets
 * fall through to the binding by name: a missing element costs time, never
 * a wrong accept.
 */
static int flow_index_set(struct compile *c)
{
	struct nft_flow_key *keys = NULL;
	struct nft_pset *s;
	uint8_t key[16];
	size_t n = 0;
	size_t i;
	int ret;

	s = nft_plan_add_set(c->rs, "flowbind", 0, FLOWBIND_TYPE, 16, 0, 0);
	if (!s)
		return -errno;
	ret = c->args->ifindex ? flow_keys(c, true, &keys, &n) : 0;
	for (i = 0; i < n && ret == 0; i++) {
		uint32_t iif =
			c->args->ifindex(keys[i].iif, c->args->ifindex_arg);
		uint32_t oif =
			c->args->ifindex(keys[i].oif, c->args->ifindex_arg);

		if (!iif || !oif)
			continue;
		memset(key, 0, sizeof(key));
		key[0] = keys[i].dir;
		memcpy(key + 4, &keys[i].mark, 4);
		memcpy(key + 8, &iif, 4);
		memcpy(key + 12, &oif, 4);
		ret = nft_pset_add(s, key, 0, 0, -1);
	}
	free(keys);
	if (ret == 0)
		nft_pset_sort(s);
	return ret;
}

/* rule: [ct state established,related] [flow lookup] verdict */
static int flow_rule(struct compile *c, const char *chain, bool est,
		     int lookup, int verdict, const char *target)
{
	bool oif = lookup == FLOW_BOTH;
	struct nft_flow_key *keys = NULL;
	struct nft_origin o;
	struct nft_rb *rb;
	size_t n = 0;
	int ret;

	ret = lookup == FLOW_NONE || lookup == FLOW_INDEX ?
		      0 : flow_keys(c, oif, &keys, &n);
	if (ret < 0)
		return ret;
	/* no flow can be admitted at all: nothing can match */
	if (lookup != FLOW_NONE && lookup != FLOW_INDEX && n == 0)
		return 0;
	nftc_origin(&o, 0, "chain %s", chain);
	rb = nft_rb_new(c->rs, chain);
	if (!rb) {
		free(keys);
		return -ENOMEM;
	}
	if (est)
		nft_rb_ct_state(rb, NF_CT_STATE_BIT(IP_CT_ESTABLISHED) |
					    NF_CT_STATE_BIT(IP_CT_RELATED));
	if (n)
		nft_rb_flow_lookup(rb, keys, n, oif);
	free(keys);
	if (lookup == FLOW_INDEX) {
		const struct nft_pset *s = nftc_plan_set(c, "flowbind");

		if (!s) {
			nft_rb_free(rb);
			return -EINVAL;
		}
		nft_rb_flow_index_lookup(rb, "flowbind", s->id);
	}
	nft_rb_verdict(rb, verdict, target);
	return nft_rb_commit(rb, &o, NULL);
}

/*
 * flow_unbound: an established packet that set flowbind does not bind.
 * After the binding by name (nftc_flow_bind) has accepted those only the
 * indexes missed, it says why the rest are not its flow's (an interface
 * the config does not name, the right ingress but the wrong egress, or
 * else the wrong ingress: spoof), then drops, or in monitor mode lets the
 * packet by.
 */
static int flow_unbound(struct compile *c)
{
	const struct nft_pset *names = nftc_plan_set(c, "ifnames");
	int verdict = c->rs->monitor ? NF_ACCEPT : NF_DROP;
	const char *ch = "flow_unbound";
	struct nft_origin o;
	struct nft_rb *rb;
	char prefix[64];
	int ret = 0;
	int k;

	if (!names)
		return -EINVAL;
	nftc_origin(&o, 0, "chain %s", ch);
	for (k = 0; k < 2 && ret == 0; k++) {
		rb = nft_rb_new(c->rs, ch);
		if (!rb)
			return -ENOMEM;
		nft_rb_ifname_set(rb, k, true, "ifnames", names->id);
		nft_rb_verdict(rb, NFT_GOTO, "flow_unknown");
		ret = nft_rb_commit(rb, &o, NULL);
	}
	if (ret == 0)
		ret = flow_rule(c, ch, false, FLOW_IN, NFT_GOTO,
				"flow_egress");
	snprintf(prefix, sizeof(prefix), ZONE_LOG_PREFIX "%sspoof flow",
		 c->rs->monitor ? "monitor " : "");
	rb = ret == 0 ? nft_rb_new(c->rs, ch) : NULL;
	if (ret == 0 && !rb)
		return -ENOMEM;
	if (ret == 0) {
		nft_rb_limit_log(rb, prefix);
		ret = nft_rb_commit(rb, &o, "established packet, wrong ingress");
	}
	if (ret == 0) {
		rb = nft_rb_new(c->rs, ch);
		if (!rb)
			return -ENOMEM;
		nft_rb_verdict(rb, verdict, NULL);
		ret = nft_rb_commit(rb, &o, NULL);
	}
	if (ret == 0)
		ret = nftc_log_then(c, "flow_unknown", "unknown-interface",
				    verdict, NULL,
				    "established packet, interface not in the config");
	if (ret == 0)
		ret = nftc_log_then(c, "flow_egress", "wrong-egress", verdict,
				    NULL, "established packet, wrong egress");
	return ret;
}

/*
 * nftc_flow_bind - the established path of the forward chain: a packet of
 * an admitted flow is accepted by one lookup of its direction, ct mark and
 * interfaces, and anything else of an established flow goes to
 * flow_unbound.  The bindings thus hold for every packet, not only for a
 * flow's first (zoned.conf(5), Interfaces).
 *
 * The lookup is made twice, by index (set flowbind, 16 bytes: four
 * registers loaded without copying a name) and, when that misses, by name
 * (40 bytes, two names copied per packet) as flow_unbound's first rule, so
 * that a new flow's packets pass one test of the ct state, not two.  The
 * names are the policy; the indexes are a cache of them that the daemon
 * rebuilds when a link of a configured name changes, so that an interface
 * created again under a new index is bound at once by name and soon by
 * index again.
 */
int nftc_flow_bind(struct compile *c)
{
	struct nft_origin o;
	int ret;

	nftc_origin(&o, 0, "%s", "chain flow_unbound");
	ret = nft_plan_add_chain(c->rs, "flow_unbound", false, &o);
	if (ret == 0)
		ret = nft_plan_add_chain(c->rs, "flow_unknown", false, &o);
	if (ret == 0)
		ret = nft_plan_add_chain(c->rs, "flow_egress", false, &o);
	if (ret == 0)
		ret = flow_index_set(c);
	if (ret == 0)
		ret = flow_rule(c, "forward", true, FLOW_INDEX, NF_ACCEPT,
				NULL);
	if (ret == 0)
		ret = flow_rule(c, "forward", true, FLOW_NONE, NFT_GOTO,
				"flow_unbound");
	/* the binding by name, first in flow_unbound: new flows skip it */
	if (ret == 0)
		ret = flow_rule(c, "flow_unbound", false, FLOW_BOTH, NF_ACCEPT,
				NULL);
	if (ret == 0)
		ret = flow_unbound(c);
	return ret;
}
