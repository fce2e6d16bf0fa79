/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The conntrack mark of a verdict: what the ruleset stamps on a flow it
 * lets in, computed in one place for the compiler (which writes it into
 * the table) and the conntrack watcher (which re-marks live flows whose
 * mark the table in force no longer admits).  See <zone/mark.h>.
 */

#include <zone/mark.h>
#include <zone/model.h>
#include <zone/verdict.h>

/**
 * zone_verdict_end_index - the segment index of one end in a rule mark
 * @model: the model the verdict was judged under
 * @seg: a verdict's src or dst; NULL (unassigned) is the index after the
 *	last segment, as the compiler numbers it
 */
uint32_t zone_verdict_end_index(const struct zone_model *model,
				const struct zone_segment *seg)
{
	return seg ? (uint32_t)zone_segment_index(seg) :
		     (uint32_t)zone_model_segment_count(model);
}

/**
 * zone_verdict_mark - the ct mark the ruleset gives a flow of verdict @v
 * @model: the model @v was judged under; may be NULL for a channel's
 *	verdict and for the gateway's own paths, whose ends are
 *	ZONE_MARK_GATEWAY_END
 * @v: a verdict of zone_verdict() or zone_verdict_edge()
 *
 * A channel's flow carries the channel's tag; any other flow its rule and
 * the segment indexes of its ends.  The action is not looked at: in
 * monitor mode the ruleset lets a denied flow by with the denying rule's
 * mark.
 */
uint32_t zone_verdict_mark(const struct zone_model *model,
			   const struct zone_verdict *v)
{
	uint32_t s = ZONE_MARK_GATEWAY_END;
	uint32_t d = ZONE_MARK_GATEWAY_END;

	if (v->rule == ZONE_RULE_CHANNEL && v->channel)
		return ZONE_MARK_MAGIC | ZONE_MARK_T_CHANNEL |
		       (zone_channel_tag(v->channel) & ZONE_MARK_PAYLOAD_MASK);
	if (v->path == ZONE_PATH_FORWARD) {
		s = zone_verdict_end_index(model, v->src) & 0xffu;
		d = zone_verdict_end_index(model, v->dst) & 0xffu;
	}
	return ZONE_MARK_MAGIC | ZONE_MARK_T_RULE |
	       ((uint32_t)v->rule & 0xffu) << 16 | s << 8 | d;
}
