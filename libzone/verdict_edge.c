/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The edges of the verdict: interface bindings of forwarded packets and
 * the gateway's own traffic (management in, outbound out), judged in the
 * order the kernel ruleset checks them (nft_compile.c, nft_gateway.c), so
 * that `zonectl explain` and the kernel agree.
 */

#include <string.h>

#include <zone/model.h>
#include <zone/verdict.h>

#include "model_priv.h"

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

static bool gw_service_match(const struct zone_gw_rule *r,
			     const struct zone_flow *flow)
{
	size_t i;

	for (i = 0; i < r->n_services; i++) {
		const struct zone_service *s = &r->services[i];

		if (s->proto == flow->proto && flow->dport >= s->port_first &&
		    flow->dport <= s->port_last)
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
	return gw_hosts_match(r, far) && gw_service_match(r, flow);
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
