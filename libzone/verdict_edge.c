/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The edges of the verdict: interface bindings of forwarded packets and
 * the gateway's own traffic (management in, outbound out), judged in the
 * order the kernel ruleset checks them (nft_compile.c, nft_gateway.c), so
 * that `zonectl explain` and the kernel agree.
 */

#include <netinet/in.h>
#include <string.h>

#include <zone/model.h>
#include <zone/verdict.h>

#include "model_priv.h"
#include "verdict_priv.h"

bool zone_segment_has_interface(const struct zone_segment *seg,
				const char *ifname)
{
	size_t i;

	for (i = 0; seg && i < seg->n_interfaces; i++) {
		if (strcmp(seg->interfaces[i], ifname) == 0)
			return true;
	}
	return false;
}

bool zone_model_knows_interface(const struct zone_model *model,
				const char *ifname)
{
	size_t i;

	for (i = 0; i < model->n_segments; i++) {
		if (zone_segment_has_interface(&model->segments[i], ifname))
			return true;
	}
	return false;
}

static bool gw_hosts_match(const struct zone_gw_rule *r,
			   const struct zone_addr *addr)
{
	size_t i;

	for (i = 0; i < r->n_hosts; i++) {
		if (zone_prefix_contains(&r->hosts[i], addr))
			return true;
	}
	return false;
}

/*
 * A gateway rule admits a packet that crosses one of its segment's
 * interfaces (when the caller knows it), from or to one of its hosts
 * (which lie inside the segment), on one of its services.
 */
static bool gw_rule_admits(const struct zone_gw_rule *r,
			   const struct zone_flow *flow, const char *ifname)
{
	const struct zone_addr *far = r->outbound ? &flow->dst : &flow->src;

	if (ifname && !zone_segment_has_interface(r->seg, ifname))
		return false;
	return gw_hosts_match(r, far) &&
	       verdict_services_admit(r->services, r->n_services, flow);
}

/* VRRP, IP protocol 112 (RFC 5798); the libc headers have no name */
#define HA_PROTO_VRRP 112

static bool addr_equal(const struct zone_addr *a, const struct zone_addr *b)
{
	size_t len = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && memcmp(a->bytes, b->bytes, len) == 0;
}

/* VRRP's group: 224.0.0.18 or ff02::12 */
static bool vrrp_group(const struct zone_addr *a)
{
	static const uint8_t v4[4] = { 224, 0, 0, 18 };
	static const uint8_t v6[16] = { 0xff, 0x02, [15] = 0x12 };

	return a->family == AF_INET ? memcmp(a->bytes, v4, 4) == 0 :
				      memcmp(a->bytes, v6, 16) == 0;
}

/*
 * gateway.ha: between this gateway and its peer, on the sync interface
 * only (when the caller knows it): VRRP adverts to their group, UDP to
 * conntrackd's and zoned's ports, and IGMP going out, as nft_gateway.c
 * lets them pass.
 */
static bool ha_admits(const struct zone_model *model,
		      const struct zone_flow *flow, bool outbound,
		      const char *ifname)
{
	const struct zone_ha *ha = model->ha;
	const struct zone_addr *far = outbound ? &flow->dst : &flow->src;

	if (!ha || !ha->interface)
		return false;
	if (ifname && strcmp(ifname, ha->interface) != 0)
		return false;
	/* the reports of the gateway's own membership in the VRRP group */
	if (flow->proto == IPPROTO_IGMP)
		return outbound && ha->peer.addr.family == AF_INET;
	if (flow->proto == HA_PROTO_VRRP)
		return (outbound || addr_equal(&flow->src,
						    &ha->peer.addr)) &&
		       vrrp_group(&flow->dst);
	return flow->proto == IPPROTO_UDP &&
	       addr_equal(far, &ha->peer.addr) &&
	       (flow->dport == ZONE_HA_CONNTRACKD_PORT ||
		flow->dport == ZONE_HA_ZONED_PORT);
}

static void gateway_verdict(const struct zone_model *model,
			    const struct zone_flow *flow, bool outbound,
			    const char *ifname, struct zone_verdict *ret)
{
	size_t i;

	ret->src = outbound ? NULL : zone_classify(model, &flow->src);
	ret->dst = outbound ? zone_classify(model, &flow->dst) : NULL;
	ret->channel = NULL;
	ret->gw_rule = NULL;
	ret->path = outbound ? ZONE_PATH_OUTPUT : ZONE_PATH_INPUT;
	ret->rule = ZONE_RULE_GATEWAY;
	ret->action = ZONE_ACTION_DENY;
	if (ha_admits(model, flow, outbound, ifname)) {
		ret->rule = ZONE_RULE_HA;
		ret->action = ZONE_ACTION_ALLOW;
		return;
	}
	for (i = 0; i < model->n_gw_rules; i++) {
		const struct zone_gw_rule *r = &model->gw_rules[i];

		if (r->outbound != outbound || !gw_rule_admits(r, flow, ifname))
			continue;
		ret->gw_rule = r;
		ret->rule = outbound ? ZONE_RULE_OUTBOUND :
				       ZONE_RULE_MANAGEMENT;
		ret->action = ZONE_ACTION_ALLOW;
		return;
	}
}

static void edge_deny(struct zone_verdict *ret, enum zone_rule rule)
{
	ret->rule = rule;
	ret->action = ZONE_ACTION_DENY;
	ret->channel = NULL;
}

void zone_verdict_edge(const struct zone_model *model,
		       const struct zone_flow *flow, enum zone_path path,
		       const char *iif, const char *oif, time_t now,
		       struct zone_verdict *ret)
{
	const struct zone_segment *src;
	const struct zone_segment *dst;

	if (path != ZONE_PATH_FORWARD) {
		gateway_verdict(model, flow, path == ZONE_PATH_OUTPUT,
				path == ZONE_PATH_OUTPUT ? oif : iif, ret);
		return;
	}
	zone_verdict(model, flow, now, ret);
	src = ret->src;
	dst = ret->dst;
	if (iif && !zone_model_knows_interface(model, iif))
		edge_deny(ret, ZONE_RULE_UNKNOWN_INTERFACE);
	/* an unassigned source (no catch-all) arrives on no interface */
	else if (iif && !zone_segment_has_interface(src, iif))
		edge_deny(ret, ZONE_RULE_SPOOF);
	else if (oif && !zone_model_knows_interface(model, oif))
		edge_deny(ret, ZONE_RULE_UNKNOWN_INTERFACE);
	else if (oif && dst && !zone_segment_has_interface(dst, oif))
		edge_deny(ret, ZONE_RULE_WRONG_EGRESS);
}
