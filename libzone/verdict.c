/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The matrix of doc/design.md section 1.
 *
 * Roles: R resident tier, L lgwan tier, I internet tier, W lgwan-wan,
 * P public-system, S security-cloud, N internet attachment (and every
 * address no network names, whether or not the config has a catch-all),
 * G gov-cloud (the resident tier's extension into the government cloud:
 * the hard invariant holds for it as for R, and only system-pair
 * channels reach it from R; the lgwan tier meets it as it meets R).
 * A flow inside one segment is always allowed (intra-zone); for two
 * different segments the cell of their roles decides (source row,
 * destination column):
 *
 *        R        L        I        W        P        S        N        G
 *   R  deny     resid.   HARD     resid.   resid.   HARD     HARD     resid.
 *   L  resid.   deny     split    LGWAN    deny     no-bo    no-bo    resid.
 *   I  HARD     split    deny     split    deny     EGRESS   direct   HARD
 *   W  resid.   LGWAN    inbnd    trans.   trans.   trans.   trans.   trans.
 *   P  resid.   inbnd    inbnd    trans.   trans.   trans.   trans.   trans.
 *   S  HARD     inbnd    inbnd    trans.   trans.   trans.   trans.   HARD
 *   N  HARD     inbnd    inbnd    trans.   trans.   trans.   trans.   HARD
 *   G  resid.   resid.   HARD     trans.   trans.   HARD     HARD     trans.
 *
 *   upper case = allowed (LGWAN lgwan-wan, EGRESS secure-egress) or never
 *   (HARD hard-invariant); the rest deny with the rule named:
 *   resid. resident-default, split split-path, no-bo no-breakout,
 *   direct direct-internet, inbnd inbound-default, deny default-deny,
 *   trans. no-transit (attachment to attachment, the same one included:
 *   the gateway is no transit; inside one zone forwarding is allowed).
 *
 * Cells doc/design.md states: R<->I/S/N hard; R<->L/W/P resident-default
 * (this wins over inbound-default for W->R and P->R, being about the
 * resident tier); L<->W allowed; L<->I split-path; L->S/N no-breakout;
 * I->S allowed; I->N direct-internet; W/P/S/N -> L/I inbound-default.
 * Cells decided here:
 *   - two different segments of the same role (R->R, L->L, I->I, ...):
 *     default-deny.  doc/design.md 1 allows traffic inside one zone only;
 *     a second zone of the same tier is a deliberate separation.
 *   - I->W: split-path.  The LGWAN is the lgwan side of the split of
 *     doc/design.md's introduction (②);
 *     an internet-tier host reaching it bypasses the split as surely as
 *     one reaching the lgwan tier.  (W->I is inbound-default, as stated.)
 *   - L->P, I->P: default-deny.  Public systems are the resident tier's
 *     peers, reached only through public-system channels.
 *   - attachment -> attachment: no-transit (zoned.conf(5), Interfaces).
 *
 * An allowed cell between two segments (lgwan-wan, secure-egress) that
 * the config narrows admits only what one of its narrow entries matches;
 * the rest is denied as narrowed.
 *
 * Channels are consulted in every denying cell except the hard invariant,
 * and only channels whose kind is legal for the cell and the profile
 * count (verdict_channel_legal()):
 *   system-pair      R->L, L->R, R->G, G->R
 *   public-system    R->P, R->W; P->R, W->R (the national system opens
 *                    the connection: single addresses, single ports)
 *   screen-transfer  L->R always; L->I in alpha, alpha-prime;
 *                    I->L in beta, beta-prime
 *   sanitize         I->L
 *   breakout         L->N in alpha-prime
 *   inbound          N->I, S->I
 * So L->L and the other cells with no legal kind stay closed whatever the
 * model holds.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include <zone/lpm.h>
#include <zone/model.h>
#include <zone/verdict.h>

#include "model_priv.h"
#include "names_priv.h"
#include "verdict_priv.h"

#define R ZONE_RULE_RESIDENT_DEFAULT
#define H ZONE_RULE_HARD_INVARIANT
#define W ZONE_RULE_LGWAN_WAN
#define SP ZONE_RULE_SPLIT_PATH
#define NB ZONE_RULE_NO_BREAKOUT
#define E ZONE_RULE_SECURE_EGRESS
#define DI ZONE_RULE_DIRECT_INTERNET
#define IB ZONE_RULE_INBOUND_DEFAULT
#define D ZONE_RULE_DEFAULT_DENY
#define T ZONE_RULE_NO_TRANSIT

/*
 * [from][to] in enum zone_role order: R L I W P S N G, one row per source
 * role as in the table above.
 */
/* clang-format off */
static const enum zone_rule matrix[ZONE_ROLE_MAX][ZONE_ROLE_MAX] = {
	{ D, R, H, R, R, H, H, R },
	{ R, D, SP, W, D, NB, NB, R },
	{ H, SP, D, SP, D, E, DI, H },
	{ R, W, IB, T, T, T, T, T },
	{ R, IB, IB, T, T, T, T, T },
	{ H, IB, IB, T, T, T, T, H },
	{ H, IB, IB, T, T, T, T, H },
	{ R, R, H, T, T, H, H, T },
};
/* clang-format on */

#undef R
#undef H
#undef W
#undef SP
#undef NB
#undef E
#undef DI
#undef IB
#undef D
#undef T

static const char *const rule_names[ZONE_RULE_MAX] = {
	[ZONE_RULE_INTRA_ZONE] = "intra-zone",
	[ZONE_RULE_HARD_INVARIANT] = "hard-invariant",
	[ZONE_RULE_LGWAN_WAN] = "lgwan-wan",
	[ZONE_RULE_SECURE_EGRESS] = "secure-egress",
	[ZONE_RULE_CHANNEL] = "channel",
	[ZONE_RULE_RESIDENT_DEFAULT] = "resident-default",
	[ZONE_RULE_SPLIT_PATH] = "split-path",
	[ZONE_RULE_NO_BREAKOUT] = "no-breakout",
	[ZONE_RULE_DIRECT_INTERNET] = "direct-internet",
	[ZONE_RULE_INBOUND_DEFAULT] = "inbound-default",
	[ZONE_RULE_DEFAULT_DENY] = "default-deny",
	[ZONE_RULE_NO_TRANSIT] = "no-transit",
	[ZONE_RULE_NARROWED] = "narrowed",
	[ZONE_RULE_UNKNOWN_INTERFACE] = "unknown-interface",
	[ZONE_RULE_SPOOF] = "spoof",
	[ZONE_RULE_WRONG_EGRESS] = "wrong-egress",
	[ZONE_RULE_GATEWAY] = "gateway",
	[ZONE_RULE_MANAGEMENT] = "management",
	[ZONE_RULE_OUTBOUND] = "outbound",
	[ZONE_RULE_HA] = "ha",
};

/**
 * zone_rule_name - the stable name of a matrix rule
 * @rule: a zone_rule
 *
 * Returns "intra-zone", "hard-invariant", ...; "?" for a value outside
 * the enumeration.
 */
const char *zone_rule_name(enum zone_rule rule)
{
	return (unsigned int)rule < ZONE_RULE_MAX ? rule_names[rule] : "?";
}

/**
 * verdict_matrix_rule - the cell of the table above
 * @from: the source segment's role (ZONE_ROLE_INTERNET when unassigned)
 * @to: the destination segment's role
 *
 * For two different segments only; a flow inside one segment is
 * intra-zone whatever its role.  Out-of-range roles give default-deny.
 */
enum zone_rule verdict_matrix_rule(enum zone_role from, enum zone_role to)
{
	if ((unsigned int)from >= ZONE_ROLE_MAX ||
	    (unsigned int)to >= ZONE_ROLE_MAX)
		return ZONE_RULE_DEFAULT_DENY;
	return matrix[from][to];
}

static bool rule_allows(enum zone_rule rule)
{
	return rule == ZONE_RULE_INTRA_ZONE || rule == ZONE_RULE_LGWAN_WAN ||
	       rule == ZONE_RULE_SECURE_EGRESS || rule == ZONE_RULE_CHANNEL ||
	       rule == ZONE_RULE_MANAGEMENT || rule == ZONE_RULE_OUTBOUND;
}

static bool profile_is_alpha(enum zone_profile profile)
{
	return profile == ZONE_PROFILE_ALPHA ||
	       profile == ZONE_PROFILE_ALPHA_PRIME;
}

/* LEGAL when @ok, else BAD_ENDS */
static enum verdict_legality ends(bool ok)
{
	return ok ? VERDICT_LEGAL : VERDICT_BAD_ENDS;
}

/* LEGAL when @ok, else BAD_PROFILE */
static enum verdict_legality in_profile(bool ok)
{
	return ok ? VERDICT_LEGAL : VERDICT_BAD_PROFILE;
}

/**
 * verdict_channel_legality - may a channel of @kind run @from -> @to?
 * @profile: the model's profile
 * @kind: the channel's kind
 * @from: the role of the channel's from segment
 * @to: the role of its to segment
 *
 * The "between" column of doc/design.md's channel table (the list at
 * the top of this file).  Returns VERDICT_LEGAL when the loader may
 * accept such a channel and the verdict honours it, VERDICT_BAD_PROFILE
 * when the kind joins these tiers only in another profile, else
 * VERDICT_BAD_ENDS.
 */
enum verdict_legality verdict_channel_legality(enum zone_profile profile,
					       enum zone_channel_kind kind,
					       enum zone_role from,
					       enum zone_role to)
{
	switch (kind) {
	case ZONE_CHANNEL_SYSTEM_PAIR:
		return ends((from == ZONE_ROLE_RESIDENT &&
			     (to == ZONE_ROLE_LGWAN ||
			      to == ZONE_ROLE_GOV_CLOUD)) ||
			    (to == ZONE_ROLE_RESIDENT &&
			     (from == ZONE_ROLE_LGWAN ||
			      from == ZONE_ROLE_GOV_CLOUD)));
	case ZONE_CHANNEL_PUBLIC_SYSTEM:
		/* either way: some national systems open the connection */
		return ends((from == ZONE_ROLE_RESIDENT &&
			     (to == ZONE_ROLE_PUBLIC_SYSTEM ||
			      to == ZONE_ROLE_LGWAN_WAN)) ||
			    (to == ZONE_ROLE_RESIDENT &&
			     (from == ZONE_ROLE_PUBLIC_SYSTEM ||
			      from == ZONE_ROLE_LGWAN_WAN)));
	case ZONE_CHANNEL_SCREEN_TRANSFER:
		if (from == ZONE_ROLE_LGWAN && to == ZONE_ROLE_RESIDENT)
			return VERDICT_LEGAL;
		if (from == ZONE_ROLE_LGWAN && to == ZONE_ROLE_INTERNET_TIER)
			return in_profile(profile_is_alpha(profile));
		if (from == ZONE_ROLE_INTERNET_TIER && to == ZONE_ROLE_LGWAN)
			return in_profile(!profile_is_alpha(profile));
		return VERDICT_BAD_ENDS;
	case ZONE_CHANNEL_SANITIZE:
		return ends(from == ZONE_ROLE_INTERNET_TIER &&
			    to == ZONE_ROLE_LGWAN);
	case ZONE_CHANNEL_BREAKOUT:
		if (from != ZONE_ROLE_LGWAN || to != ZONE_ROLE_INTERNET)
			return VERDICT_BAD_ENDS;
		return in_profile(profile == ZONE_PROFILE_ALPHA_PRIME);
	case ZONE_CHANNEL_INBOUND:
		return ends((from == ZONE_ROLE_INTERNET ||
			     from == ZONE_ROLE_SECURITY_CLOUD) &&
			    to == ZONE_ROLE_INTERNET_TIER);
	default:
		return VERDICT_BAD_ENDS;
	}
}

/**
 * verdict_channel_legal - verdict_channel_legality() is VERDICT_LEGAL
 */
bool verdict_channel_legal(enum zone_profile profile,
			   enum zone_channel_kind kind, enum zone_role from,
			   enum zone_role to)
{
	return verdict_channel_legality(profile, kind, from, to) ==
	       VERDICT_LEGAL;
}

/**
 * zone_classify - the segment an address belongs to
 * @model: a finished model
 * @addr: the address
 *
 * Returns the segment of the longest matching network, else the model's
 * catch-all (NULL when it has none).
 */
const struct zone_segment *zone_classify(const struct zone_model *model,
					 const struct zone_addr *addr)
{
	uint32_t v = ZONE_LPM_NONE;

	if (model->classifier)
		v = zone_lpm_lookup(model->classifier, addr);
	if (v == ZONE_LPM_NONE || v >= model->n_segments)
		return model->catchall;
	return &model->segments[v];
}

/* An empty host list stands for the whole segment. */
static bool hosts_match(const struct zone_prefix *hosts, size_t n,
			const struct zone_addr *addr)
{
	size_t i;

	if (n == 0)
		return true;
	for (i = 0; i < n; i++) {
		if (zone_prefix_contains(&hosts[i], addr))
			return true;
	}
	return false;
}

/* Does @chan, between the flow's segments, admit the flow at @now? */
static bool channel_admits(const struct zone_model *model,
			   const struct zone_channel *chan,
			   const struct zone_flow *flow, time_t now)
{
	if (!verdict_channel_legal(model->profile, chan->kind, chan->from->role,
				   chan->to->role))
		return false;
	if (zone_channel_expired(chan, now) || !zone_channel_open(chan, now))
		return false;
	return hosts_match(chan->from_hosts, chan->n_from_hosts, &flow->src) &&
	       names_to_match(chan, flow, now) &&
	       /* a channel with no services admits nothing (fail closed) */
	       verdict_services_admit(chan->services, chan->n_services, flow);
}

/*
 * The index: every channel, ordered by (from, to) segment index and then
 * by config order, so the channels of one pair are one run found by
 * binary search, and the first match is the first in the config.
 */
struct verdict_index {
	size_t n;
	const struct zone_channel **chans;
};

static int chan_pair_cmp(const struct zone_channel *a,
			 const struct zone_channel *b)
{
	if (a->from->index != b->from->index)
		return a->from->index < b->from->index ? -1 : 1;
	if (a->to->index != b->to->index)
		return a->to->index < b->to->index ? -1 : 1;
	return 0;
}

static int chan_sort_cmp(const void *pa, const void *pb)
{
	const struct zone_channel *const *a = pa;
	const struct zone_channel *const *b = pb;
	int c = chan_pair_cmp(*a, *b);

	if (c)
		return c;
	return ((*a)->index > (*b)->index) - ((*a)->index < (*b)->index);
}

/**
 * verdict_index_build - index the model's channels by segment pair
 * @model: segments and channels filled in; channels' from/to set
 *
 * Replaces any index the model has.  Returns 0 or -ENOMEM (the model
 * then keeps its old index, or none, and the verdict still works).
 */
int verdict_index_build(struct zone_model *model)
{
	struct verdict_index *idx;
	size_t i;

	idx = calloc(1, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	idx->n = model->n_channels;
	if (idx->n) {
		idx->chans = calloc(idx->n, sizeof(*idx->chans));
		if (!idx->chans) {
			free(idx);
			return -ENOMEM;
		}
	}
	for (i = 0; i < idx->n; i++)
		idx->chans[i] = &model->channels[i];
	if (idx->n)
		qsort(idx->chans, idx->n, sizeof(*idx->chans), chan_sort_cmp);
	verdict_index_free(model->verdict_index);
	model->verdict_index = idx;
	return 0;
}

/**
 * verdict_index_free - release a channel index
 * @index: the index; NULL is fine
 */
void verdict_index_free(struct verdict_index *index)
{
	if (!index)
		return;
	free(index->chans);
	free(index);
}

/* The first indexed channel of the pair (src, dst), or idx->n. */
static size_t index_first(const struct verdict_index *idx,
			  const struct zone_segment *src,
			  const struct zone_segment *dst)
{
	struct zone_channel key = { .from = src, .to = dst };
	size_t lo = 0;
	size_t hi = idx->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (chan_pair_cmp(idx->chans[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct zone_channel *
channel_find_indexed(const struct zone_model *model,
		     const struct zone_segment *src,
		     const struct zone_segment *dst,
		     const struct zone_flow *flow, time_t now)
{
	const struct verdict_index *idx = model->verdict_index;
	size_t i;

	for (i = index_first(idx, src, dst); i < idx->n; i++) {
		const struct zone_channel *chan = idx->chans[i];

		if (chan->from != src || chan->to != dst)
			break;
		if (channel_admits(model, chan, flow, now))
			return chan;
	}
	return NULL;
}

static const struct zone_channel *channel_find(const struct zone_model *model,
					       const struct zone_segment *src,
					       const struct zone_segment *dst,
					       const struct zone_flow *flow,
					       time_t now)
{
	size_t i;

	if (model->verdict_index)
		return channel_find_indexed(model, src, dst, flow, now);
	for (i = 0; i < model->n_channels; i++) {
		const struct zone_channel *chan = &model->channels[i];

		if (chan->from == src && chan->to == dst &&
		    channel_admits(model, chan, flow, now))
			return chan;
	}
	return NULL;
}

static bool narrow_entry_admits(const struct zone_narrow *n,
				const struct zone_flow *flow)
{
	if (!hosts_match(n->to_hosts, n->n_to_hosts, &flow->dst))
		return false;
	return n->n_services == 0 ||
	       verdict_services_admit(n->services, n->n_services, flow);
}

/* An allowed cell with no narrow entry admits everything. */
static bool narrow_admits(const struct zone_model *model,
			  const struct zone_segment *src,
			  const struct zone_segment *dst,
			  const struct zone_flow *flow)
{
	bool narrowed = false;
	size_t i;

	for (i = 0; i < model->n_narrows; i++) {
		const struct zone_narrow *n = &model->narrows[i];

		if (n->from != src || n->to != dst)
			continue;
		narrowed = true;
		if (narrow_entry_admits(n, flow))
			return true;
	}
	return !narrowed;
}

static enum zone_role segment_role(const struct zone_segment *seg)
{
	return seg ? seg->role : ZONE_ROLE_INTERNET;
}

/**
 * zone_verdict - judge a flow under @model at time @now
 * @model: a finished model
 * @flow: the flow's first packet
 * @now: the time channel expiry is judged at
 * @ret: the verdict; written always
 *
 * A flow within one segment is allowed; between two segments the matrix
 * cell of their roles decides, and a denying cell other than the hard
 * invariant yields to the first channel (in config order) that admits
 * the flow.  The model's mode is not applied.
 */
void zone_verdict(const struct zone_model *model, const struct zone_flow *flow,
		  time_t now, struct zone_verdict *ret)
{
	const struct zone_segment *src = zone_classify(model, &flow->src);
	const struct zone_segment *dst = zone_classify(model, &flow->dst);
	const struct zone_channel *chan = NULL;
	enum zone_rule rule;

	ret->src = src;
	ret->dst = dst;
	ret->channel = NULL;
	ret->gw_rule = NULL;
	ret->path = ZONE_PATH_FORWARD;
	if (src == dst && (!src || !zone_role_is_tier(src->role))) {
		/* back out of the attachment it came from */
		rule = ZONE_RULE_NO_TRANSIT;
	} else if (src == dst) {
		rule = ZONE_RULE_INTRA_ZONE;
	} else {
		rule = verdict_matrix_rule(segment_role(src),
					   segment_role(dst));
		/* Unassigned addresses (NULL) no channel can name. */
		if (!rule_allows(rule) && rule != ZONE_RULE_HARD_INVARIANT &&
		    src && dst)
			chan = channel_find(model, src, dst, flow, now);
	}
	if (chan) {
		rule = ZONE_RULE_CHANNEL;
		ret->channel = chan;
	}
	if ((rule == ZONE_RULE_LGWAN_WAN || rule == ZONE_RULE_SECURE_EGRESS) &&
	    !narrow_admits(model, src, dst, flow))
		rule = ZONE_RULE_NARROWED;
	ret->rule = rule;
	ret->action = rule_allows(rule) ? ZONE_ACTION_ALLOW : ZONE_ACTION_DENY;
}
