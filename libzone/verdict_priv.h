/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONE_VERDICT_PRIV_H
#define ZONE_VERDICT_PRIV_H

/*
 * The parts of the verdict that other libzone files share: the channel
 * index the model carries, and the table of which channel kinds the
 * matrix lets through which cell.
 */

#include <stdbool.h>

#include <zone/model.h>
#include <zone/verdict.h>

struct zone_model;
struct verdict_index;

/**
 * verdict_index_build - index the model's channels by (from, to) segment
 * @model: a model whose segments and channels are filled in
 *
 * model_finish() calls it, so that zone_verdict() looks at the channels of
 * one segment pair only instead of every channel.  Replaces an index the
 * model already has.  Without an index the verdict scans all channels and
 * gives the same answers.  Returns 0 or -ENOMEM.
 */
int verdict_index_build(struct zone_model *model);

/* verdict_index_free - release an index; NULL is fine */
void verdict_index_free(struct verdict_index *index);

/**
 * verdict_matrix_rule - the matrix rule for a flow between two different
 * segments of roles @from and @to, before any channel is considered
 *
 * An unassigned address plays ZONE_ROLE_INTERNET.
 */
enum zone_rule verdict_matrix_rule(enum zone_role from, enum zone_role to);

/*
 * verdict_services_admit - whether one of the @n services @v (a channel's,
 * a narrow entry's, a gateway rule's) admits @flow's protocol and
 * destination port; none admits nothing
 */
static inline bool verdict_services_admit(const struct zone_service *v,
					  size_t n,
					  const struct zone_flow *flow)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].proto == flow->proto &&
		    flow->dport >= v[i].port_first &&
		    flow->dport <= v[i].port_last)
			return true;
	return false;
}

/* How a channel's kind, ends and profile fit the channel table */
enum verdict_legality {
	VERDICT_LEGAL,
	VERDICT_BAD_ENDS,	/* the kind never joins these tiers */
	VERDICT_BAD_PROFILE,	/* it does, but not in this profile */
};

/*
 * verdict_channel_legality - VERDICT_LEGAL, or why a channel of @kind
 * from a segment of role @from to one of role @to may not exist under
 * @profile (the same table as verdict_channel_legal())
 */
enum verdict_legality verdict_channel_legality(enum zone_profile profile,
					       enum zone_channel_kind kind,
					       enum zone_role from,
					       enum zone_role to);

/**
 * verdict_channel_legal - true when a channel of @kind from a segment of
 * role @from to one of role @to may exist under @profile (doc/design.md 1,
 * the channel table's "between" column).  The verdict ignores channels
 * for which it is false, so a loader that checks the same table can never
 * admit a channel the verdict would not honour.
 */
bool verdict_channel_legal(enum zone_profile profile,
			   enum zone_channel_kind kind, enum zone_role from,
			   enum zone_role to);

#endif
