/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The gateway itself (zoned.conf(5), "The gateway itself"): the input and
 * output hooks of table inet zoned.  The gateway touches every tier, so
 * what it accepts for itself is as narrow as the forward path: replies
 * of its own flows, loopback, IPv6 neighbour discovery and ICMP errors of
 * existing flows (conntrack's related state), then the management rules
 * (in) and outbound rules (out) of the config's gateway block, and
 * nothing else.  The rest is logged as "gateway" and dropped, or only
 * logged in monitor mode.
 */

#include <sys/socket.h>

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>

#include <zone/mark.h>
#include <zone/model.h>
#include <zone/verdict.h>

#include "nft_plan.h"
#include "nft_rule.h"

#define GW_IF_MAX 64
/* VRRP's IP protocol number (RFC 5798); the libc headers have no name */
#define HA_PROTO_VRRP 112
/* ha_rule()'s "port" of the IGMP rule */
#define HA_PORT_IGMP 1

/*
 * The conntrack mark of a flow the gateway's rules let in (or, in
 * monitor mode, let by), so that the watcher tells it from one that
 * bypassed them (see mark.h).
 */
static uint32_t gw_mark(enum zone_rule rule)
{
	struct zone_verdict v = {
		.action = ZONE_ACTION_ALLOW,
		.rule = rule,
		.path = ZONE_PATH_INPUT,
	};

	return zone_verdict_mark(NULL, &v);
}

static int gw_commit(struct nft_rb *rb, const char *chain, int line,
		     const char *comment)
{
	struct nft_origin o = { .line = line };

	snprintf(o.what, sizeof(o.what), "chain %s", chain);
	return nft_rb_commit(rb, &o, comment);
}

/* what one of gw_always()'s rules matches */
enum gw_match {
	GW_MATCH_CT_STATE, /* ct state established,related */
	GW_MATCH_LOOPBACK, /* iifname/oifname "lo" */
	GW_MATCH_ICMPV6, /* icmpv6 type first-last */
};

/*
 * The rules every gateway chain starts with, all "accept", in this
 * order.  Neighbour discovery (133-136) and the multicast listener
 * reports it relies on (130-132, 143) are accepted because conntrack
 * does not track them, and the kernel's ndisc refuses any whose hop
 * limit shows it was routed, so they never reach beyond the link.  A
 * table, so that the four rules share one builder instead of four
 * copies of it.
 */
static const struct {
	enum gw_match match;
	uint8_t first;
	uint8_t last;
	const char *comment;
} gw_always_rules[] = {
	{ GW_MATCH_CT_STATE, 0, 0, NULL },
	{ GW_MATCH_LOOPBACK, 0, 0, NULL },
	{ GW_MATCH_ICMPV6, 130, 136, "neighbour discovery" },
	{ GW_MATCH_ICMPV6, 143, 143, NULL },
};

/* ct state established,related / loopback / neighbour discovery */
static int gw_always(struct zone_ruleset *rs, const char *chain, bool out)
{
	static const char *const lo[] = { "lo" };
	struct nft_rb *rb;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(gw_always_rules) / sizeof(gw_always_rules[0]);
	     i++) {
		rb = nft_rb_new(rs, chain);
		if (!rb)
			return -ENOMEM;
		switch (gw_always_rules[i].match) {
		case GW_MATCH_CT_STATE:
			nft_rb_ct_state(rb,
					NF_CT_STATE_BIT(IP_CT_ESTABLISHED) |
						NF_CT_STATE_BIT(IP_CT_RELATED));
			break;
		case GW_MATCH_LOOPBACK:
			nft_rb_ifname(rb, out, false, lo, 1);
			break;
		case GW_MATCH_ICMPV6:
			nft_rb_icmpv6_types(rb, gw_always_rules[i].first,
					    gw_always_rules[i].last);
			break;
		}
		nft_rb_verdict(rb, NF_ACCEPT, NULL);
		ret = gw_commit(rb, chain, 0, gw_always_rules[i].comment);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* one rule of a gateway rule: one family, one service */
static int gw_rule_one(struct zone_ruleset *rs, const char *chain,
		       const struct zone_gw_rule *r, int af,
		       const struct zone_service *svc)
{
	const struct zone_segment *seg = zone_gw_rule_segment(r);
	bool out = zone_gw_rule_is_outbound(r);
	const char *names[GW_IF_MAX];
	struct zone_prefix *hosts;
	char comment[NFT_NAME_LEN + 16];
	size_t n_if = zone_segment_interface_count(seg);
	size_t n = 0;
	size_t i;
	struct nft_rb *rb;

	if (n_if == 0 || n_if > GW_IF_MAX)
		return n_if ? -E2BIG : 0;
	hosts = calloc(zone_gw_rule_host_count(r) + 1, sizeof(*hosts));
	if (!hosts)
		return -ENOMEM;
	for (i = 0; i < zone_gw_rule_host_count(r); i++) {
		if (zone_gw_rule_host(r, i)->addr.family == af)
			hosts[n++] = *zone_gw_rule_host(r, i);
	}
	if (n == 0) {
		free(hosts);
		return 0;
	}
	for (i = 0; i < n_if; i++)
		names[i] = zone_segment_interface(seg, i);
	rb = nft_rb_new(rs, chain);
	if (!rb) {
		free(hosts);
		return -ENOMEM;
	}
	nft_rb_ifname(rb, out, false, names, n_if);
	nft_rb_addr(rb, af, out, hosts, n);
	free(hosts);
	nft_rb_service(rb, svc);
	nft_rb_ct_mark_set(rb, gw_mark(out ? ZONE_RULE_OUTBOUND :
					     ZONE_RULE_MANAGEMENT));
	nft_rb_verdict(rb, NF_ACCEPT, NULL);
	snprintf(comment, sizeof(comment), "%s %s",
		 out ? "outbound" : "management", zone_gw_rule_name(r));
	return gw_commit(rb, chain, zone_gw_rule_line(r), comment);
}

static int gw_rules(struct zone_ruleset *rs, const struct zone_model *m,
		    const char *chain, bool out)
{
	static const int afs[] = { AF_INET, AF_INET6 };
	size_t i;
	size_t k;
	size_t f;
	int ret;

	for (i = 0; i < zone_model_gw_rule_count(m); i++) {
		const struct zone_gw_rule *r = zone_model_gw_rule(m, i);

		if (zone_gw_rule_is_outbound(r) != out)
			continue;
		for (f = 0; f < 2; f++) {
			for (k = 0; k < zone_gw_rule_service_count(r); k++) {
				ret = gw_rule_one(rs, chain, r, afs[f],
						  zone_gw_rule_service(r, k));
				if (ret < 0)
					return ret;
			}
		}
	}
	return 0;
}

/*
 * gateway.ha: the pair's own traffic, on the sync interface, with the
 * peer only.  One rule: VRRP adverts to their group (RFC 5798: IP
 * protocol 112 to 224.0.0.18 or ff02::12), from the peer coming in; or
 * UDP to @port (conntrackd's replication, zoned's policy hashes), from
 * the peer coming in and to it going out; or (HA_PORT_IGMP) the IGMP
 * reports of the gateway's membership in the VRRP group, going out
 * (IPv6's MLD reports pass for every interface, see gw_always()).
 */
static int ha_rule(struct zone_ruleset *rs, const struct zone_model *m,
		   const char *chain, bool out, uint16_t port)
{
	static const uint8_t group4[4] = { 224, 0, 0, 18 };
	static const uint8_t group6[16] = { 0xff, 0x02, [15] = 0x12 };
	const char *ifname = zone_model_ha_interface(m);
	struct zone_prefix peer = { .addr = *zone_model_ha_peer(m) };
	struct zone_prefix group = { .addr.family = peer.addr.family };
	struct zone_service svc = { IPPROTO_UDP, port, port };
	char comment[32];
	struct nft_rb *rb;
	bool v4 = peer.addr.family == AF_INET;

	peer.len = v4 ? 32 : 128;
	group.len = peer.len;
	memcpy(group.addr.bytes, v4 ? group4 : group6, v4 ? 4 : 16);
	rb = nft_rb_new(rs, chain);
	if (!rb)
		return -ENOMEM;
	nft_rb_ifname(rb, out, false, &ifname, 1);
	if (port == HA_PORT_IGMP) {
		svc = (struct zone_service){ IPPROTO_IGMP, 0, 65535 };
		snprintf(comment, sizeof(comment), "ha igmp");
	} else if (port == 0) {
		svc = (struct zone_service){ HA_PROTO_VRRP, 0, 65535 };
		if (!out)
			nft_rb_addr(rb, peer.addr.family, false, &peer, 1);
		nft_rb_addr(rb, peer.addr.family, true, &group, 1);
		snprintf(comment, sizeof(comment), "ha vrrp");
	} else {
		nft_rb_addr(rb, peer.addr.family, out, &peer, 1);
		snprintf(comment, sizeof(comment), "ha %s",
			 port == ZONE_HA_ZONED_PORT ? "zoned" : "conntrackd");
	}
	nft_rb_service(rb, &svc);
	nft_rb_ct_mark_set(rb, gw_mark(ZONE_RULE_HA));
	nft_rb_verdict(rb, NF_ACCEPT, NULL);
	return gw_commit(rb, chain, zone_model_ha_line(m), comment);
}

static int ha_rules(struct zone_ruleset *rs, const struct zone_model *m,
		    const char *chain, bool out)
{
	static const uint16_t ports[] = { 0, ZONE_HA_CONNTRACKD_PORT,
					  ZONE_HA_ZONED_PORT, HA_PORT_IGMP };
	size_t i;
	int ret;

	if (!zone_model_ha_interface(m) || !zone_model_ha_peer(m))
		return 0;
	for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		/* IGMP: the reports of the VRRP group, going out, IPv4 */
		if (ports[i] == HA_PORT_IGMP &&
		    (!out || zone_model_ha_peer(m)->family != AF_INET))
			continue;
		ret = ha_rule(rs, m, chain, out, ports[i]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* the rest: logged as "gateway in|out", then dropped (or let by) */
static int gw_rest(struct zone_ruleset *rs, const char *chain, bool out)
{
	char prefix[64];
	struct nft_rb *rb;
	int ret;

	snprintf(prefix, sizeof(prefix), ZONE_LOG_PREFIX "%s gateway %s",
		 rs->monitor ? "monitor" : "deny", out ? "out" : "in");
	rb = nft_rb_new(rs, chain);
	if (!rb)
		return -ENOMEM;
	nft_rb_limit_log(rb, prefix);
	ret = gw_commit(rb, chain, 0,
			out ? "from the gateway: no outbound rule" :
			      "to the gateway: no management rule");
	if (ret < 0)
		return ret;
	rb = nft_rb_new(rs, chain);
	if (!rb)
		return -ENOMEM;
	if (rs->monitor)
		nft_rb_ct_mark_set(rb, gw_mark(ZONE_RULE_GATEWAY));
	nft_rb_verdict(rb, rs->monitor ? NF_ACCEPT : NF_DROP, NULL);
	return gw_commit(rb, chain, 0, NULL);
}

/**
 * nft_compile_gateway - the input and output chains of the plan
 * @rs: the plan being compiled
 * @m: its model
 *
 * Returns 0 or -errno.
 */
int nft_compile_gateway(struct zone_ruleset *rs, const struct zone_model *m)
{
	/* the two chains, input then output, built alike */
	static const struct {
		const char *chain;
		uint32_t hook;
		bool out;
	} hooks[] = {
		{ "input", NF_INET_LOCAL_IN, false },
		{ "output", NF_INET_LOCAL_OUT, true },
	};
	struct nft_origin o = { .line = 0 };
	size_t i;
	int ret = 0;

	for (i = 0; ret == 0 && i < 2; i++) {
		snprintf(o.what, sizeof(o.what), "chain %s", hooks[i].chain);
		ret = nft_plan_add_hook_chain(rs, hooks[i].chain, hooks[i].hook,
					      &o);
	}
	for (i = 0; ret == 0 && i < 2; i++) {
		ret = gw_always(rs, hooks[i].chain, hooks[i].out);
		if (ret == 0)
			ret = ha_rules(rs, m, hooks[i].chain, hooks[i].out);
		if (ret == 0)
			ret = gw_rules(rs, m, hooks[i].chain, hooks[i].out);
		if (ret == 0)
			ret = gw_rest(rs, hooks[i].chain, hooks[i].out);
	}
	return ret;
}
