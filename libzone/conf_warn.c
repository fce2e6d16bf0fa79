// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Warnings on a valid config (zoned -t): things that load and are
 * enforced as written but are probably not what the operator meant.
 * They never refuse a config: an expired channel is simply left out, and
 * an allowed cell left wide open is the matrix's own default.
 */
#include <stdio.h>
#include <time.h>

#include <zone/conf.h>
#include <zone/diag.h>

#include "model_priv.h"
#include "verdict_priv.h"

static void warn_expired(const struct zone_model *m, time_t now,
			 struct zone_diag *diag)
{
	size_t i;

	for (i = 0; i < m->n_channels; i++) {
		const struct zone_channel *c = &m->channels[i];

		if (!zone_channel_expired(c, now))
			continue;
		zone_diag_add(diag, m->file, c->line,
			      "warning: channel \"%s\" expired at %s: it is left out of the ruleset",
			      c->name, c->expires_text);
	}
}

/*
 * An allowed cell towards an attachment (lgwan-wan, secure-egress) that
 * no narrow entry names lets every host of the source reach every host
 * and port of the attachment.
 */
static void warn_unnarrowed(const struct zone_model *m, struct zone_diag *diag)
{
	size_t i;
	size_t j;

	for (i = 0; i < m->n_segments; i++) {
		const struct zone_segment *s = &m->segments[i];

		for (j = 0; j < m->n_segments; j++) {
			const struct zone_segment *d = &m->segments[j];
			enum zone_rule r;

			if (i == j || zone_segment_is_zone(d))
				continue;
			r = verdict_matrix_rule(s->role, d->role);
			if (r != ZONE_RULE_LGWAN_WAN &&
			    r != ZONE_RULE_SECURE_EGRESS)
				continue;
			if (zone_model_cell_narrowed(m, s, d))
				continue;
			zone_diag_add(diag, m->file, d->line,
				      "warning: %s -> %s is allowed by %s to every host and port of \"%s\": no narrow entry names it",
				      s->name, d->name,
				      zone_rule_name(r), d->name);
		}
	}
}

/**
 * zone_conf_warnings - what zoned -t warns about in a valid config
 * @model: the loaded model
 * @now: the time expiry is judged at
 * @diag: receives "FILE:LINE: warning: ..." lines
 *
 * Returns the number of warnings added.
 */
size_t zone_conf_warnings(const struct zone_model *model, time_t now,
			  struct zone_diag *diag)
{
	size_t before = zone_diag_count(diag);

	warn_expired(model, now, diag);
	warn_unnarrowed(model, diag);
	return zone_diag_count(diag) - before;
}
