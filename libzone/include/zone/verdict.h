/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONE_VERDICT_H
#define ZONE_VERDICT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <zone/addr.h>
#include <zone/model.h>

/*
 * The matrix of doc/design.md section 1 as one function.  The compiler, the
 * conntrack watcher, the NFLOG receiver and `zonectl explain` all ask it,
 * so the kernel and user space can never disagree about a flow.
 */

/* The matrix rules; each has a stable name used in alerts and comments. */
enum zone_rule {
	ZONE_RULE_INTRA_ZONE,		/* same segment: allowed */
	ZONE_RULE_HARD_INVARIANT,	/* resident <-> internet side: never */
	ZONE_RULE_LGWAN_WAN,		/* lgwan tier <-> lgwan-wan: allowed */
	ZONE_RULE_SECURE_EGRESS,	/* internet tier -> security-cloud */
	ZONE_RULE_CHANNEL,		/* a channel admits it */
	ZONE_RULE_RESIDENT_DEFAULT,	/* resident <-> lgwan side: denied */
	ZONE_RULE_SPLIT_PATH,		/* lgwan <-> internet tier: denied */
	ZONE_RULE_NO_BREAKOUT,		/* lgwan tier -> internet: denied */
	ZONE_RULE_DIRECT_INTERNET,	/* internet tier -> internet: denied */
	ZONE_RULE_INBOUND_DEFAULT,	/* outside -> a zone: denied */
	ZONE_RULE_DEFAULT_DENY,		/* any other cross-segment flow */
	ZONE_RULE_NO_TRANSIT,		/* attachment -> attachment: never */
	ZONE_RULE_NARROWED,		/* an allowed cell's narrow misses */
	/* the edges, judged by zone_verdict_edge() only */
	ZONE_RULE_UNKNOWN_INTERFACE,	/* an interface the config lacks */
	ZONE_RULE_SPOOF,		/* source not of the ingress's segments */
	ZONE_RULE_WRONG_EGRESS,		/* leaves by another segment's door */
	ZONE_RULE_GATEWAY,		/* to/from the gateway: no rule */
	ZONE_RULE_MANAGEMENT,		/* to the gateway: a management rule */
	ZONE_RULE_OUTBOUND,		/* from the gateway: an outbound rule */
	ZONE_RULE_HA,			/* the pair's own: VRRP, sync, hashes */
	ZONE_RULE_MAX
};

enum zone_action {
	ZONE_ACTION_DENY,
	ZONE_ACTION_ALLOW,
};

/* One direction of a flow, as its first packet shows it. */
struct zone_flow {
	struct zone_addr src;
	struct zone_addr dst;
	uint8_t proto;		/* IPPROTO_* */
	uint16_t dport;		/* host order; 0 where the protocol has none */
};

/* Where a packet meets the gateway, for zone_verdict_edge(). */
enum zone_path {
	ZONE_PATH_FORWARD,	/* through the gateway */
	ZONE_PATH_INPUT,	/* to the gateway itself */
	ZONE_PATH_OUTPUT,	/* from the gateway itself */
};

struct zone_verdict {
	enum zone_action action;
	enum zone_rule rule;
	const struct zone_segment *src;	/* NULL: unassigned (internet) */
	const struct zone_segment *dst;
	const struct zone_channel *channel;	/* when rule is CHANNEL */
	/* when rule is MANAGEMENT or OUTBOUND (zone_verdict_edge()) */
	const struct zone_gw_rule *gw_rule;
	/* INPUT: dst is the gateway itself; OUTPUT: src is */
	enum zone_path path;
};

/* zone_rule_name - "intra-zone", "hard-invariant", ... */
const char *zone_rule_name(enum zone_rule rule);

/**
 * zone_classify - the segment an address belongs to
 *
 * Longest-prefix match over every zone and attachment network; an address
 * no network names belongs to the catch-all internet attachment, or, when
 * the config has none, to no segment (NULL), which the verdict treats as
 * the internet.
 */
const struct zone_segment *zone_classify(const struct zone_model *model,
					 const struct zone_addr *addr);

/**
 * zone_verdict - judge a flow under @model at time @now
 * @ret: written always (the function cannot fail)
 *
 * The mode is not applied here: a monitor-mode model still returns DENY
 * for what it would drop.
 */
void zone_verdict(const struct zone_model *model, const struct zone_flow *flow,
		  time_t now, struct zone_verdict *ret);

/**
 * zone_verdict_edge - judge a packet with its interfaces, as the kernel
 * @model: a finished model
 * @flow: the flow's first packet
 * @path: forwarded, to the gateway or from it
 * @iif: the ingress interface, or NULL when unknown to the caller (the
 *	source binding is then not judged); ignored for ZONE_PATH_OUTPUT
 * @oif: the egress interface, or NULL (the destination binding is then
 *	not judged); ignored for ZONE_PATH_INPUT
 * @now: the time channel expiry is judged at
 * @ret: the verdict; written always.  For the gateway paths src (input)
 *	or dst (output) is the segment of the far end, and the rule is
 *	HA (gateway.ha: VRRP, conntrackd's and zoned's sync traffic on
 *	the sync interface, with the peer), MANAGEMENT, OUTBOUND or
 *	GATEWAY.
 *
 * Forwarded packets meet the checks in the kernel's order: unknown
 * ingress interface, source binding (SPOOF), unknown egress interface,
 * destination binding (WRONG_EGRESS), then zone_verdict().
 */
void zone_verdict_edge(const struct zone_model *model,
		       const struct zone_flow *flow, enum zone_path path,
		       const char *iif, const char *oif, time_t now,
		       struct zone_verdict *ret);

/**
 * zone_verdict_end_index - the index of a verdict's end in a ct mark
 * @seg: a segment of @model, or NULL (unassigned): the index after the
 *	last segment
 */
uint32_t zone_verdict_end_index(const struct zone_model *model,
				const struct zone_segment *seg);

/**
 * zone_verdict_mark - the conntrack mark the ruleset gives a flow it lets
 * in with verdict @v (<zone/mark.h>)
 * @model: the model @v was judged under; may be NULL for a channel's
 *	verdict and for the gateway's own paths (ZONE_PATH_INPUT, _OUTPUT),
 *	whose ends are ZONE_MARK_GATEWAY_END
 *
 * A channel's flow carries ZONE_MARK_T_CHANNEL and the channel's tag,
 * any other the rule and the indexes of its ends.  The action is not
 * looked at: in monitor mode a denied flow is let by with its rule's mark.
 */
uint32_t zone_verdict_mark(const struct zone_model *model,
			   const struct zone_verdict *v);

/* zone_segment_has_interface - true when @seg lists interface @ifname */
bool zone_segment_has_interface(const struct zone_segment *seg,
				const char *ifname);

/* zone_model_knows_interface - true when some segment lists @ifname */
bool zone_model_knows_interface(const struct zone_model *model,
				const char *ifname);

#endif
