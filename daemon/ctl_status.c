/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zonectl status: the policy in force, what the daemon has counted since
 * it started, and the kernel's counters per channel and segment pair.
 * Also the parts audit shows too: the table's protection, the clock and
 * the time-boxed channels.  Each asks the live state, never a copy.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zone/model.h>
#include <zone/ruleset.h>

#include "clockwatch.h"
#include "ctlcmd.h"
#include "ha.h"
#include "isolation.h"
#include "metrics.h"
#include "resolver.h"
#include "stats.h"
#include "textesc.h"
#include "trial.h"
#include "zoned.h"

/* ---- protection and clock (status and audit) ---- */

/**
 * ctl_guard_get - what guards the table and the time: read once, then
 * printed by ctl_protection_text(), ctl_clock_text() or ctl_guard_json()
 */
void ctl_guard_get(struct zoned *z, struct ctl_guard *g)
{
	g->protection = zone_nft_protection(z->nft);
	clockwatch_get(z, &g->clock);
}

/* What guards the table while zoned is not repairing it (zoned(8)). */
void ctl_protection_text(const struct ctl_guard *g, struct ctl_out *o,
			 const char *label)
{
	fprintf(o->out, "%s%s (%s)\n", label,
		zone_nft_protection_name(g->protection),
		g->protection == ZONE_NFT_OWNER_PERSIST ?
			"other writers refused, table outlives zoned" :
			"kernel without the persist flag: repaired on drift");
}

void ctl_clock_text(const struct ctl_guard *g, struct ctl_out *o,
		    const char *label)
{
	const struct clockwatch_state *cs = &g->clock;
	char when[32];

	fprintf(o->out, "%s%s, %" PRIu64 " step%s since start", label,
		cs->sync == CLOCK_SYNC	 ? "synchronised" :
		cs->sync == CLOCK_UNSYNC ? "NOT synchronised" :
					   "synchronisation unknown",
		cs->steps, cs->steps == 1 ? "" : "s");
	if (cs->steps)
		fprintf(o->out, " (last %s at %s)", cs->last_delta,
			ctl_time(cs->last_step, when, sizeof(when)));
	/* Every set, also those too small to add up to a step (zoned(8)) */
	fprintf(o->out, ", set %" PRIu64 " time%s\n", cs->sets,
		cs->sets == 1 ? "" : "s");
}

/*
 * The same as JSON keys: protection, clock_synchronised, clock_steps,
 * clock_sets...
 */
void ctl_guard_json(const struct ctl_guard *g, struct ctl_out *o)
{
	const struct clockwatch_state *cs = &g->clock;
	struct json *j = &o->j;
	char when[32];

	json_string(j, "protection", zone_nft_protection_name(g->protection));
	/* true, false, or null where adjtimex(2) may not be called */
	if (cs->sync == CLOCK_UNKNOWN)
		json_null(j, "clock_synchronised");
	else
		json_bool(j, "clock_synchronised", cs->sync == CLOCK_SYNC);
	json_uint(j, "clock_steps", cs->steps);
	json_uint(j, "clock_sets", cs->sets);
	json_string(j, "clock_last_step",
		    cs->steps ? ctl_time(cs->last_step, when, sizeof(when)) :
				NULL);
	json_string(j, "clock_last_delta", cs->steps ? cs->last_delta : NULL);
}

/* ---- status ---- */

/*
 * What status shows, gathered once by status_get(); status_text() and
 * status_json() print it and read nothing else.  The lists (time-boxed
 * channels, names, isolations) and the pair are each walked once by
 * their own printer, which writes either form.
 */
struct status {
	const struct zone_model *m;
	time_t now;
	const char *conf_path;
	time_t applied_at;
	const char *last_error; /* the last rejected reload, or NULL */
	size_t segs;
	size_t zones;
	size_t expired;
	size_t isolated;
	bool trial;
	time_t deadline;
	const char *confirmed;
	uint64_t totals[STAT_MAX];
	struct ctl_guard guard;
	struct zone_counter *counters;
	size_t n_counters;
	int counters_err;
};

static void status_get(struct zoned *z, time_t now, struct status *s)
{
	const struct zone_model *m = z->model;
	size_t i;
	int k;

	memset(s, 0, sizeof(*s));
	s->m = m;
	s->now = now;
	s->conf_path = z->conf_path;
	s->applied_at = z->applied_at;
	s->last_error = z->last_error[0] ? z->last_error : NULL;
	s->segs = zone_model_segment_count(m);
	for (i = 0; i < s->segs; i++)
		if (zone_segment_is_zone(zone_model_segment(m, i)))
			s->zones++;
	for (i = 0; i < zone_model_channel_count(m); i++)
		if (zone_channel_expired(zone_model_channel(m, i), now))
			s->expired++;
	s->isolated = isolation_count(z->iso);
	s->trial = trial_pending(z, &s->deadline, &s->confirmed);
	for (k = 0; k < STAT_MAX; k++)
		s->totals[k] = stats_total(z->stats, k);
	ctl_guard_get(z, &s->guard);
	s->counters_err = zone_nft_counters(z->nft, &s->counters,
					    &s->n_counters);
}

static void status_text(struct zoned *z, const struct status *s,
			struct ctl_out *o)
{
	const struct zone_model *m = s->m;
	char when[32];
	size_t i;

	fprintf(o->out, "mode:        %s\n",
		zone_mode_name(zone_model_mode(m)));
	fprintf(o->out, "profile:     %s",
		zone_profile_name(zone_model_profile(m)));
	if (zone_model_profile_approved(m))
		fprintf(o->out, " (approved: %s)",
			zone_model_profile_approved(m));
	fprintf(o->out, "\npolicy:      %s\n", zone_model_hash(m));
	fprintf(o->out, "config:      %s\n", s->conf_path);
	if (s->trial)
		fprintf(o->out,
			"on trial:    until %s, then policy %s comes back "
			"(zonectl confirm keeps it)\n",
			ctl_time(s->deadline, when, sizeof(when)),
			s->confirmed);
	fprintf(o->out, "applied:     %s\n",
		ctl_time(s->applied_at, when, sizeof(when)));
	if (s->last_error) {
		fputs("last reload: rejected: ", o->out);
		text_fputs(o->out, s->last_error);
		fputc('\n', o->out);
	}
	fprintf(o->out, "segments:    %zu (%zu zones, %zu attachments)\n",
		s->segs, s->zones, s->segs - s->zones);
	fprintf(o->out, "channels:    %zu (%zu expired)\n",
		zone_model_channel_count(m), s->expired);
	fprintf(o->out, "isolated:    %zu\n", s->isolated);
	fprintf(o->out, "denied:      %" PRIu64 "\n", s->totals[STAT_DENY]);
	fprintf(o->out, "violations:  %" PRIu64 " (%" PRIu64 " killed)\n",
		s->totals[STAT_VIOLATION], s->totals[STAT_KILLED]);
	fprintf(o->out, "spoofed:     %" PRIu64 "\n", s->totals[STAT_SPOOF]);
	fprintf(o->out, "drift:       %" PRIu64 "\n", s->totals[STAT_DRIFT]);
	fprintf(o->out, "events lost: %" PRIu64 "\n",
		s->totals[STAT_EVENTS_LOST]);
	ctl_protection_text(&s->guard, o, "protection:  ");
	ctl_clock_text(&s->guard, o, "clock:       ");
	ha_status_text(z, o->out);
	ctl_windows_print(m, s->now, o);
	resolver_print(z, o);
	if (s->isolated)
		ctl_isolation_print(z->iso, o);
	if (s->counters_err == 0 && s->n_counters)
		fprintf(o->out, "counters:\n  %-40s %14s %16s\n", "name",
			"packets", "bytes");
	for (i = 0; s->counters_err == 0 && i < s->n_counters; i++)
		fprintf(o->out, "  %-40s %14" PRIu64 " %16" PRIu64 "\n",
			s->counters[i].name, s->counters[i].packets,
			s->counters[i].bytes);
}

static void status_json(struct zoned *z, const struct status *s,
			struct ctl_out *o)
{
	const struct zone_model *m = s->m;
	struct json *j = &o->j;
	char when[32];
	size_t i;
	int k;

	json_object(j, NULL);
	json_string(j, "mode", zone_mode_name(zone_model_mode(m)));
	json_string(j, "profile", zone_profile_name(zone_model_profile(m)));
	json_string(j, "profile_approved", zone_model_profile_approved(m));
	json_string(j, "policy_hash", zone_model_hash(m));
	json_string(j, "config", s->conf_path);
	json_string(j, "applied", ctl_time(s->applied_at, when, sizeof(when)));
	json_string(j, "last_error", s->last_error);
	if (s->trial) {
		json_object(j, "trial");
		json_string(j, "until",
			    ctl_time(s->deadline, when, sizeof(when)));
		json_string(j, "rollback_to", s->confirmed);
		json_end(j);
	}
	json_uint(j, "segments", s->segs);
	json_uint(j, "zones", s->zones);
	json_uint(j, "attachments", s->segs - s->zones);
	json_uint(j, "channels", zone_model_channel_count(m));
	json_uint(j, "channels_expired", s->expired);
	ctl_guard_json(&s->guard, o);
	json_object(j, "totals");
	for (k = 0; k < STAT_MAX; k++)
		json_uint(j, stats_kind_name(k), s->totals[k]);
	json_end(j);
	ha_status_json(z, j);
	ctl_windows_print(m, s->now, o);
	resolver_print(z, o);
	ctl_isolation_print(z->iso, o);
	if (s->counters_err < 0) {
		json_null(j, "counters");
	} else {
		json_array(j, "counters");
		for (i = 0; i < s->n_counters; i++) {
			json_object(j, NULL);
			json_string(j, "name", s->counters[i].name);
			json_uint(j, "packets", s->counters[i].packets);
			json_uint(j, "bytes", s->counters[i].bytes);
			json_end(j);
		}
		json_end(j);
	}
	json_finish(j);
}

/**
 * ctl_status - zonectl status: the policy in force, the counts since start
 * and the kernel's counters per channel and segment pair
 */
void ctl_status(struct zoned *z, const struct ctl_request *req,
		struct ctl_out *o)
{
	struct status s;

	if (req->flags & CTL_F_PROMETHEUS) {
		if (metrics_print(z, o->out) < 0)
			ctl_fail(o, "cannot print the metrics");
		return;
	}
	status_get(z, time(NULL), &s);
	if (o->json)
		status_json(z, &s, o);
	else
		status_text(z, &s, o);
	if (s.counters_err < 0)
		fprintf(o->err, "zonectl: reading the kernel's counters: %s\n",
			strerror(-s.counters_err));
	free(s.counters);
}
