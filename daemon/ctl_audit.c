/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zonectl audit: the self-inspection of doc/design.md 6.  It
 * asks the live state (the model in force, the kernel's table, the
 * watchers' counts), never a copy of it.  The hard invariant's check is in
 * ctl_audit_inv.c.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <net/if.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <zone/addr.h>
#include <zone/diag.h>
#include <zone/model.h>
#include <zone/proto.h>
#include <zone/ruleset.h>
#include <zone/verdict.h>

#include "ctl_audit.h"
#include "ctlcmd.h"
#include "isolation.h"
#include "nftmon.h"
#include "resolver.h"
#include "stats.h"
#include "textesc.h"
#include "zoned.h"

/* Channels that expire within this many seconds are flagged by audit. */
#define AUDIT_EXPIRY_WARN (30 * 24 * 3600)

/* The kernel's table, read back and compared with the model's plan. */
static void audit_table(struct audit *a)
{
	struct ctl_out *o = a->o;
	struct zone_diag *diag = zone_diag_new();
	size_t n;
	size_t i;
	int ret;

	ret = diag ? zone_nft_verify(a->z->nft, a->z->ruleset, diag) : -ENOMEM;
	n = diag ? zone_diag_count(diag) : 0;
	if (ret < 0)
		a->ok = false;
	if (o->json) {
		json_object(&o->j, "kernel_table");
		json_bool(&o->j, "ok", ret == 0);
		json_string(&o->j, "error",
			    ret < 0 && ret != -EUCLEAN ? strerror(-ret) : NULL);
		json_array(&o->j, "differences");
		for (i = 0; i < n; i++)
			json_string(&o->j, NULL, zone_diag_line(diag, i));
		json_end(&o->j);
		json_end(&o->j);
	} else if (ret == 0) {
		fputs("kernel table: matches the policy in force\n", o->out);
	} else {
		fprintf(o->out, "kernel table: PROBLEM: %s\n",
			ret == -EUCLEAN ? "differs from the policy in force" :
					  strerror(-ret));
		for (i = 0; i < n; i++)
			fprintf(o->out, "  %s\n", zone_diag_line(diag, i));
	}
	zone_diag_free(diag);
}

/*
 * The named counter of channel @i, or NULL when the table has none.  The
 * compiler names it "chan_NAME", or "chan__INDEX" for a name nft cannot
 * carry as an object name.
 */
static const struct zone_counter *audit_counter(const struct audit *a,
						const char *channel, size_t i)
{
	char plain[96];
	char indexed[96];
	size_t k;

	snprintf(plain, sizeof(plain), "chan_%s", channel);
	snprintf(indexed, sizeof(indexed), "chan__%zu", i);
	for (k = 0; k < a->n_counters; k++) {
		const char *name = a->counters[k].name;

		if (strcmp(name, plain) == 0 || strcmp(name, indexed) == 0)
			return &a->counters[k];
	}
	return NULL;
}

struct audit_chan {
	const struct zone_channel *ch;
	bool expires;
	time_t when;
	bool expired;
	bool soon;
	const struct zone_counter *counter;
};

static void audit_chan_get(const struct audit *a, size_t i,
			   struct audit_chan *ac)
{
	ac->ch = zone_model_channel(a->z->model, i);
	ac->expires = zone_channel_expires(ac->ch, &ac->when);
	ac->expired = zone_channel_expired(ac->ch, a->now);
	ac->soon = ac->expires && !ac->expired &&
		   ac->when - a->now <= AUDIT_EXPIRY_WARN;
	ac->counter = audit_counter(a, zone_channel_name(ac->ch), i);
}

static void audit_chan_text(const struct audit_chan *ac, struct ctl_out *o)
{
	char when[32];

	fprintf(o->out, "  %-24s %-16s %s -> %s", zone_channel_name(ac->ch),
		zone_channel_kind_name(zone_channel_kind(ac->ch)),
		zone_segment_name(zone_channel_from(ac->ch)),
		zone_segment_name(zone_channel_to(ac->ch)));
	if (ac->expired)
		fprintf(o->out, "  expired %s",
			zone_channel_expires_text(ac->ch));
	else if (ac->soon)
		fprintf(o->out, "  EXPIRES SOON %s",
			ctl_time(ac->when, when, sizeof(when)));
	else if (ac->expires)
		fprintf(o->out, "  expires %s",
			zone_channel_expires_text(ac->ch));
	if (ac->expired)
		;
	else if (!ac->counter)
		fputs("  (no counter)", o->out);
	else if (ac->counter->packets == 0)
		fputs("  NEVER USED", o->out);
	else
		fprintf(o->out, "  used: %" PRIu64 " packets",
			ac->counter->packets);
	fputc('\n', o->out);
}

static void audit_chan_json(const struct audit_chan *ac, struct json *j)
{
	char when[32];

	json_object(j, NULL);
	json_string(j, "name", zone_channel_name(ac->ch));
	json_string(j, "kind",
		    zone_channel_kind_name(zone_channel_kind(ac->ch)));
	json_string(j, "from", zone_segment_name(zone_channel_from(ac->ch)));
	json_string(j, "to", zone_segment_name(zone_channel_to(ac->ch)));
	json_string(j, "reason", zone_channel_reason(ac->ch));
	json_string(j, "approved", zone_channel_approved(ac->ch));
	json_string(j, "expires",
		    ac->expires ? ctl_time(ac->when, when, sizeof(when)) :
				  NULL);
	json_bool(j, "expired", ac->expired);
	json_bool(j, "expiring_soon", ac->soon);
	if (ac->counter)
		json_uint(j, "packets", ac->counter->packets);
	else
		json_null(j, "packets");
	if (ac->counter && !ac->expired)
		json_bool(j, "never_used", ac->counter->packets == 0);
	else
		json_null(j, "never_used");
	json_end(j);
}

/* Channels expiring within 30 days, expired, or never used. */
static void audit_channels(struct audit *a)
{
	size_t n = zone_model_channel_count(a->z->model);
	struct ctl_out *o = a->o;
	struct audit_chan ac;
	size_t i;

	if (o->json) {
		json_array(&o->j, "channels");
	} else {
		fprintf(o->out, "channels: %zu%s\n", n,
			a->have_counters ?
				"" :
				" (the kernel's counters could not be read)");
	}
	for (i = 0; i < n; i++) {
		audit_chan_get(a, i, &ac);
		if (o->json)
			audit_chan_json(&ac, &o->j);
		else
			audit_chan_text(&ac, o);
	}
	if (o->json)
		json_end(&o->j);
	ctl_windows_print(a->z->model, a->now, o);
	resolver_print(a->z, o);
}

struct audit_pairs {
	struct ctl_out *o;
	size_t n;
};

static void audit_pair_cb(const char *src, const char *dst,
			  const uint64_t counts[STAT_MAX], void *arg)
{
	struct audit_pairs *ap = arg;
	struct ctl_out *o = ap->o;
	int k;

	if (!o->json) {
		fprintf(o->out, "  %-16s -> %-16s", src, dst);
		for (k = 0; k < STAT_MAX; k++)
			if (counts[k])
				fprintf(o->out, " %s=%" PRIu64,
					stats_kind_name(k), counts[k]);
		fputc('\n', o->out);
	} else {
		json_object(&o->j, NULL);
		json_string(&o->j, "src_zone", src);
		json_string(&o->j, "dst_zone", dst);
		for (k = 0; k < STAT_MAX; k++)
			json_uint(&o->j, stats_kind_name(k), counts[k]);
		json_end(&o->j);
	}
	ap->n++;
}

/* Denials, violations, kills and spoofs per segment pair since start. */
static void audit_stats(struct audit *a)
{
	struct audit_pairs ap = { .o = a->o };
	struct ctl_out *o = a->o;
	struct ctl_guard g;

	if (o->json) {
		json_array(&o->j, "pairs");
	} else {
		fputs("events per zone pair since start:\n", o->out);
	}
	stats_foreach(a->z->stats, audit_pair_cb, &ap);
	ctl_guard_get(a->z, &g);
	if (o->json) {
		json_end(&o->j);
		json_uint(&o->j, "drift", stats_total(a->z->stats, STAT_DRIFT));
		json_uint(&o->j, "events_lost",
			  stats_total(a->z->stats, STAT_EVENTS_LOST));
		ctl_guard_json(&g, o);
	} else {
		if (ap.n == 0)
			fputs("  none\n", o->out);
		fprintf(o->out, "drift events: %" PRIu64 "\n",
			stats_total(a->z->stats, STAT_DRIFT));
		fprintf(o->out, "events lost: %" PRIu64 "\n",
			stats_total(a->z->stats, STAT_EVENTS_LOST));
		ctl_protection_text(&g, o, "table protection: ");
		ctl_clock_text(&g, o, "clock: ");
	}
}

/*
 * Base chains of other tables on the forward hook.  They cannot let
 * through what our chain drops, but they see the same packets and, at an
 * earlier priority, can change what our rules match on: listed for the
 * auditor, not failed.
 */
static void audit_hooks(struct audit *a)
{
	const struct nftmon_hook *h;
	struct ctl_out *o = a->o;
	size_t n = 0;
	size_t i;

	h = nftmon_foreign_hooks(a->z, &n);
	if (o->json) {
		json_array(&o->j, "foreign_forward_chains");
	} else {
		fprintf(o->out, "other forward-hook chains: %zu\n", n);
	}
	for (i = 0; i < n; i++) {
		if (!o->json) {
			/* other tables' names: anything but NUL */
			fprintf(o->out, "  %s ", h[i].family);
			text_fputs(o->out, h[i].table);
			fputc(' ', o->out);
			text_fputs(o->out, h[i].chain);
			fprintf(o->out, " priority %d policy %s\n",
				(int)h[i].priority,
				h[i].policy_drop ? "drop" : "accept");
			continue;
		}
		json_object(&o->j, NULL);
		json_string(&o->j, "family", h[i].family);
		json_string(&o->j, "table", h[i].table);
		json_string(&o->j, "chain", h[i].chain);
		json_int(&o->j, "priority", h[i].priority);
		json_string(&o->j, "policy",
			    h[i].policy_drop ? "drop" : "accept");
		json_end(&o->j);
	}
	if (o->json)
		json_end(&o->j);
}

static void audit_gw_rule_text(const struct zone_gw_rule *r,
			       struct ctl_out *o)
{
	char buf[ZONE_PREFIX_STRLEN];
	size_t i;

	fprintf(o->out, "  %-10s %-16s %s %s", zone_gw_rule_is_outbound(r) ?
						    "outbound" :
						    "management",
		zone_gw_rule_name(r), zone_gw_rule_is_outbound(r) ? "to" :
								    "from",
		zone_segment_name(zone_gw_rule_segment(r)));
	for (i = 0; i < zone_gw_rule_host_count(r); i++)
		fprintf(o->out, "%s%s", i ? "," : " ",
			zone_prefix_format(zone_gw_rule_host(r, i), buf,
					   sizeof(buf)));
	for (i = 0; i < zone_gw_rule_service_count(r); i++)
		fprintf(o->out, "%s%s", i ? "," : " ",
			zone_service_format(zone_gw_rule_service(r, i), buf,
					    sizeof(buf)));
	fprintf(o->out, "  (%s; %s)\n", zone_gw_rule_reason(r),
		zone_gw_rule_approved(r));
}

static void audit_gw_rule_json(const struct zone_gw_rule *r, struct json *j)
{
	char buf[ZONE_PREFIX_STRLEN];
	size_t i;

	json_object(j, NULL);
	json_string(j, "kind",
		    zone_gw_rule_is_outbound(r) ? "outbound" : "management");
	json_string(j, "name", zone_gw_rule_name(r));
	json_string(j, zone_gw_rule_is_outbound(r) ? "to" : "from",
		    zone_segment_name(zone_gw_rule_segment(r)));
	json_array(j, "hosts");
	for (i = 0; i < zone_gw_rule_host_count(r); i++)
		json_string(j, NULL,
			    zone_prefix_format(zone_gw_rule_host(r, i), buf,
					       sizeof(buf)));
	json_end(j);
	json_array(j, "services");
	for (i = 0; i < zone_gw_rule_service_count(r); i++)
		json_string(j, NULL,
			    zone_service_format(zone_gw_rule_service(r, i),
						buf, sizeof(buf)));
	json_end(j);
	json_string(j, "reason", zone_gw_rule_reason(r));
	json_string(j, "approved", zone_gw_rule_approved(r));
	json_end(j);
}

static void audit_cells(struct audit *a)
{
	const struct zone_model *m = a->z->model;
	size_t n = zone_model_segment_count(m);
	struct ctl_out *o = a->o;
	enum zone_rule rule;
	size_t i;
	size_t j;

	if (o->json)
		json_array(&o->j, "unnarrowed_cells");
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			const struct zone_segment *s = zone_model_segment(m, i);
			const struct zone_segment *d = zone_model_segment(m, j);

			if (!audit_unnarrowed(m, s, d, &rule))
				continue;
			if (!o->json) {
				fprintf(o->out,
					"NOT NARROWED: %s -> %s (allowed by "
					"%s: every host and port)\n",
					zone_segment_name(s),
					zone_segment_name(d),
					zone_rule_name(rule));
				continue;
			}
			json_object(&o->j, NULL);
			json_string(&o->j, "from", zone_segment_name(s));
			json_string(&o->j, "to", zone_segment_name(d));
			json_string(&o->j, "rule", zone_rule_name(rule));
			json_end(&o->j);
		}
	}
	if (o->json)
		json_end(&o->j);
}

/* Interfaces of the gateway that the config does not name. */
static void audit_ifaces(struct audit *a)
{
	struct if_nameindex *ifs = if_nameindex();
	struct ctl_out *o = a->o;
	size_t i;

	if (o->json)
		json_array(&o->j, "unknown_interfaces");
	for (i = 0; ifs && ifs[i].if_index; i++) {
		const char *name = ifs[i].if_name;

		if (strcmp(name, "lo") == 0 ||
		    zone_model_knows_interface(a->z->model, name))
			continue;
		if (o->json) {
			json_string(&o->j, NULL, name);
		} else {
			/* A host's interface name is outside text. */
			fputs("UNKNOWN INTERFACE: ", o->out);
			text_fputs(o->out, name);
			fputs(" is on the gateway but not in the config "
			      "(everything through it is dropped: "
			      "unknown-interface)\n",
			      o->out);
		}
	}
	if (o->json)
		json_end(&o->j);
	if (ifs)
		if_freenameindex(ifs);
}

/*
 * The edges: allowed cells towards an attachment left un-narrowed, who
 * may reach the gateway and where it may go, and interfaces the config
 * does not name.  Reported for the auditor, not failed.
 */
static void audit_edges(struct audit *a)
{
	const struct zone_model *m = a->z->model;
	size_t n = zone_model_gw_rule_count(m);
	struct ctl_out *o = a->o;
	size_t i;

	audit_cells(a);
	if (o->json) {
		json_array(&o->j, "gateway_rules");
	} else {
		fprintf(o->out, "gateway rules: %zu%s\n", n,
			n ? "" : " (nobody may reach the gateway, and it "
				 "may reach nothing)");
	}
	for (i = 0; i < n; i++) {
		if (o->json)
			audit_gw_rule_json(zone_model_gw_rule(m, i), &o->j);
		else
			audit_gw_rule_text(zone_model_gw_rule(m, i), o);
	}
	if (o->json)
		json_end(&o->j);
	audit_ifaces(a);
}

static void audit_head(struct audit *a)
{
	const struct zone_model *m = a->z->model;
	struct ctl_out *o = a->o;
	char when[32];

	ctl_time(a->z->applied_at, when, sizeof(when));
	if (o->json) {
		json_string(&o->j, "policy_hash", zone_model_hash(m));
		json_string(&o->j, "profile",
			    zone_profile_name(zone_model_profile(m)));
		json_string(&o->j, "mode", zone_mode_name(zone_model_mode(m)));
		json_string(&o->j, "applied", when);
		json_string(&o->j, "generated",
			    ctl_time(a->now, when, sizeof(when)));
		return;
	}
	fprintf(o->out, "policy %s (profile %s, mode %s), applied %s\n",
		zone_model_hash(m), zone_profile_name(zone_model_profile(m)),
		zone_mode_name(zone_model_mode(m)), when);
	fprintf(o->out, "audit at %s\n", ctl_time(a->now, when, sizeof(when)));
}

/**
 * ctl_audit - zonectl audit: the self-inspection report.  Exit status 1
 * when the kernel's table differs from the policy or the hard invariant
 * does not hold; expiring and unused channels are reported, not failed.
 */
void ctl_audit(struct zoned *z, const struct ctl_request *req,
	       struct ctl_out *o)
{
	struct audit a = { .z = z, .o = o, .now = time(NULL), .ok = true };

	(void)req;
	a.have_counters =
		zone_nft_counters(z->nft, &a.counters, &a.n_counters) == 0;
	if (o->json)
		json_object(&o->j, NULL);
	audit_head(&a);
	audit_table(&a);
	audit_invariant(&a);
	audit_channels(&a);
	audit_edges(&a);
	audit_stats(&a);
	audit_hooks(&a);
	if (o->json) {
		ctl_isolation_print(z->iso, o);
		json_bool(&o->j, "ok", a.ok);
		json_finish(&o->j);
	} else {
		if (isolation_count(z->iso))
			ctl_isolation_print(z->iso, o);
		fprintf(o->out, "result: %s\n", a.ok ? "ok" : "PROBLEMS FOUND");
	}
	if (!a.ok)
		o->status = 1;
	free(a.counters);
}
