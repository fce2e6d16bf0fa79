/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONE_MARK_H
#define ZONE_MARK_H

#include <stdint.h>

/*
 * What the kernel ruleset and the watchers agree on.
 *
 * Conntrack mark of a forwarded flow (zoned owns the ct mark of flows that
 * cross its forward chain; documented in zoned(8)):
 *
 *   31..28  ZONE_MARK_MAGIC: zoned's rules saw the flow's first packet
 *   27..24  type: ZONE_MARK_T_*
 *   23..0   payload
 *
 *   T_RULE     payload = rule << 16 | src index << 8 | dst index
 *              (a matrix rule of <zone/verdict.h> admitted the flow; for
 *              the gateway's own flows the rule is management, outbound
 *              or, in monitor mode, gateway, and the gateway's end is
 *              index 0xff)
 *   T_CHANNEL  payload = zone_channel_tag() of the admitting channel
 *   T_SCRATCH  used by the ruleset while it classifies a new flow:
 *              payload = ZONE_MARK_SCRATCH_UNSET before the source address
 *              is classified, then the source's segment index; never left
 *              on a flow that was accepted
 *
 * zone_verdict_mark() of <zone/verdict.h> computes the mark of a verdict;
 * the compiler and the watcher both use it.  The segment indexes are the
 * model's, so a reload that numbers the segments anew changes the mark a
 * flow should carry: the watcher then re-marks the live allowed flows
 * (zoned(8), "Conntrack marks").
 *
 * A cross-segment flow whose mark lacks the magic never passed zoned's
 * rules: the watcher reports it as a bypass when it is forbidden, and
 * marks it when it is allowed.
 */
#define ZONE_MARK_MAGIC		0xa0000000u
#define ZONE_MARK_MAGIC_MASK	0xf0000000u
#define ZONE_MARK_TYPE_MASK	0x0f000000u
#define ZONE_MARK_PAYLOAD_MASK	0x00ffffffu
#define ZONE_MARK_T_SCRATCH	0x01000000u
#define ZONE_MARK_T_RULE	0x02000000u
#define ZONE_MARK_T_CHANNEL	0x03000000u
#define ZONE_MARK_SCRATCH_UNSET	0x000000ffu
/* the segment index of the gateway's own end in a T_RULE mark */
#define ZONE_MARK_GATEWAY_END	0xffu

/* The NFLOG group the ruleset logs drops to and zoned listens on. */
#define ZONE_NFLOG_GROUP	2701

/*
 * NFLOG prefixes: "zoned deny <rule>", "zoned spoof <segment>",
 * "zoned monitor <rule>" (would have been dropped), "zoned isolate".
 * The receiver re-judges the packet itself; the prefix only says which
 * rule of the table logged it.
 */
#define ZONE_LOG_PREFIX		"zoned "

/* The table every ruleset lives in. */
#define ZONE_TABLE_FAMILY_NAME	"inet"
#define ZONE_TABLE_NAME		"zoned"

#endif
