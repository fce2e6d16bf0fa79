/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The read-only reports of the control socket: status, explain, flows and
 * audit (the self-inspection of doc/design.md 6).  Each asks
 * the live state (the model in force, the kernel's table, conntrack, the
 * watchers' counts), never a copy of it.
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
#include <time.h>

#include <zone/addr.h>
#include <zone/diag.h>
#include <zone/model.h>
#include <zone/proto.h>
#include <zone/ruleset.h>
#include <zone/verdict.h>

#include "clockwatch.h"
#include "control.h"
#include "control_priv.h"
#include "ctlmsg.h"
#include "ha.h"
#include "metrics.h"
#include "stats.h"
#include "textesc.h"
#include "watch.h"
#include "zoned.h"

/* Channels that expire within this many seconds are flagged by audit. */
#define AUDIT_EXPIRY_WARN (30 * 24 * 3600)

/* JSON helpers: "key": then a value, each with its leading comma. */
static void json_key(struct ctl_out *o, bool *first, const char *key)
{
	if (!*first)
		fputc(',', o->out);
	*first = false;
	ctl_json_string(o->out, key);
	fputc(':', o->out);
}

static void json_str(struct ctl_out *o, bool *first, const char *key,
		     const char *val)
{
	json_key(o, first, key);
	ctl_json_string(o->out, val);
}

static void json_u64(struct ctl_out *o, bool *first, const char *key,
		     uint64_t val)
{
	json_key(o, first, key);
	fprintf(o->out, "%" PRIu64, val);
}

static void json_bool(struct ctl_out *o, bool *first, const char *key, bool val)
{
	json_key(o, first, key);
	fputs(val ? "true" : "false", o->out);
}

/* ---- time-boxed channels (status and audit) ---- */

static bool channel_timed(const struct zone_channel *ch)
{
	return zone_channel_window_count(ch) ||
	       zone_channel_not_before_text(ch) || zone_channel_vendor(ch);
}

/*
 * The channels with windows, not_before or a vendor: each window's next
 * opening and closing (or its closing, while open).
 */
static void windows_text(const struct zone_model *m, time_t now,
			 struct ctl_out *o)
{
	size_t n = zone_model_channel_count(m);
	char a[32];
	char b[32];
	time_t open;
	time_t close;
	bool head = false;
	size_t i;
	size_t k;

	for (i = 0; i < n; i++) {
		const struct zone_channel *ch = zone_model_channel(m, i);

		if (!channel_timed(ch) || zone_channel_expired(ch, now))
			continue;
		if (!head)
			fputs("time-boxed channels:\n", o->out);
		head = true;
		fprintf(o->out, "  %s: %s", zone_channel_name(ch),
			zone_channel_open(ch, now) ? "open" : "closed");
		if (zone_channel_vendor(ch)) {
			fputs(", vendor \"", o->out);
			text_fputs(o->out, zone_channel_vendor(ch));
			fputc('"', o->out);
		}
		if (zone_channel_not_before(ch, &open) && open > now)
			fprintf(o->out, ", not before %s",
				ctl_time(open, a, sizeof(a)));
		fputc('\n', o->out);
		for (k = 0; k < zone_channel_window_count(ch); k++) {
			bool in = zone_channel_window_next(ch, k, now, &open,
							   &close);

			if (in)
				fprintf(o->out,
					"    window \"%s\": open now, closes %s\n",
					zone_channel_window_text(ch, k),
					ctl_time(close, b, sizeof(b)));
			else
				fprintf(o->out,
					"    window \"%s\": next open %s, closes %s\n",
					zone_channel_window_text(ch, k),
					ctl_time(open, a, sizeof(a)),
					ctl_time(close, b, sizeof(b)));
		}
	}
}

static void windows_json(const struct zone_model *m, time_t now, bool *first,
			 struct ctl_out *o)
{
	size_t n = zone_model_channel_count(m);
	bool comma = false;
	char a[32];
	time_t open;
	time_t close;
	size_t i;
	size_t k;

	json_key(o, first, "time_boxed");
	fputc('[', o->out);
	for (i = 0; i < n; i++) {
		const struct zone_channel *ch = zone_model_channel(m, i);
		bool f = true;

		if (!channel_timed(ch) || zone_channel_expired(ch, now))
			continue;
		fputs(comma ? ",{" : "{", o->out);
		comma = true;
		json_str(o, &f, "channel", zone_channel_name(ch));
		json_str(o, &f, "vendor", zone_channel_vendor(ch));
		json_str(o, &f, "not_before",
			 zone_channel_not_before(ch, &open) ?
				 ctl_time(open, a, sizeof(a)) :
				 NULL);
		json_bool(o, &f, "open", zone_channel_open(ch, now));
		json_key(o, &f, "windows");
		fputc('[', o->out);
		for (k = 0; k < zone_channel_window_count(ch); k++) {
			bool g = true;
			bool in = zone_channel_window_next(ch, k, now, &open,
							   &close);

			fputs(k ? ",{" : "{", o->out);
			json_str(o, &g, "window",
				 zone_channel_window_text(ch, k));
			json_bool(o, &g, "open", in);
			json_str(o, &g, "opens", ctl_time(open, a, sizeof(a)));
			json_str(o, &g, "closes",
				 ctl_time(close, a, sizeof(a)));
			fputc('}', o->out);
		}
		fputs("]}", o->out);
	}
	fputc(']', o->out);
}

/* ---- status ---- */

static size_t expired_channels(const struct zone_model *model, time_t now)
{
	size_t n = zone_model_channel_count(model);
	size_t expired = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (zone_channel_expired(zone_model_channel(model, i), now))
			expired++;
	return expired;
}

static size_t zone_count(const struct zone_model *model)
{
	size_t n = zone_model_segment_count(model);
	size_t zones = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (zone_segment_is_zone(zone_model_segment(model, i)))
			zones++;
	return zones;
}

static void status_counters_text(const struct zone_counter *c, size_t n,
				 struct ctl_out *o)
{
	size_t i;

	if (n)
		fprintf(o->out, "counters:\n  %-40s %14s %16s\n", "name",
			"packets", "bytes");
	for (i = 0; i < n; i++)
		fprintf(o->out, "  %-40s %14" PRIu64 " %16" PRIu64 "\n",
			c[i].name, c[i].packets, c[i].bytes);
}

static void status_counters_json(const struct zone_counter *c, size_t n,
				 struct ctl_out *o)
{
	size_t i;

	fputc('[', o->out);
	for (i = 0; i < n; i++) {
		bool first = true;

		fputs(i ? ",{" : "{", o->out);
		json_str(o, &first, "name", c[i].name);
		json_u64(o, &first, "packets", c[i].packets);
		json_u64(o, &first, "bytes", c[i].bytes);
		fputc('}', o->out);
	}
	fputc(']', o->out);
}

/* What guards the table while zoned is not repairing it (zoned(8)). */
static void protection_text(struct zoned *z, struct ctl_out *o,
			    const char *label)
{
	enum zone_nft_protection p = zone_nft_protection(z->nft);

	fprintf(o->out, "%s%s (%s)\n", label, zone_nft_protection_name(p),
		p == ZONE_NFT_OWNER_PERSIST ?
			"other writers refused, table outlives zoned" :
			"kernel without the persist flag: repaired on drift");
}

static void clock_text(struct zoned *z, struct ctl_out *o, const char *label)
{
	struct clockwatch_state cs;
	char when[32];

	clockwatch_get(z, &cs);
	fprintf(o->out, "%s%s, %" PRIu64 " step%s since start", label,
		cs.sync == CLOCK_SYNC	  ? "synchronised" :
		cs.sync == CLOCK_UNSYNC ? "NOT synchronised" :
					  "synchronisation unknown",
		cs.steps, cs.steps == 1 ? "" : "s");
	if (cs.steps)
		fprintf(o->out, " (last %s at %s)", cs.last_delta,
			ctl_time(cs.last_step, when, sizeof(when)));
	fputc('\n', o->out);
}

/* The same as JSON keys: protection, clock_synchronised, clock_steps... */
static void protection_clock_json(struct zoned *z, struct ctl_out *o,
				  bool *first)
{
	struct clockwatch_state cs;
	char when[32];

	clockwatch_get(z, &cs);
	json_str(o, first, "protection",
		 zone_nft_protection_name(zone_nft_protection(z->nft)));
	/* true, false, or null where adjtimex(2) may not be called */
	if (cs.sync == CLOCK_UNKNOWN) {
		json_key(o, first, "clock_synchronised");
		fputs("null", o->out);
	} else {
		json_bool(o, first, "clock_synchronised", cs.sync == CLOCK_SYNC);
	}
	json_u64(o, first, "clock_steps", cs.steps);
	json_str(o, first, "clock_last_step",
		 cs.steps ? ctl_time(cs.last_step, when, sizeof(when)) : NULL);
	json_str(o, first, "clock_last_delta",
		 cs.steps ? cs.last_delta : NULL);
}

static void status_text(struct zoned *z, struct ctl_out *o, time_t now)
{
	const struct zone_model *m = z->model;
	size_t segs = zone_model_segment_count(m);
	size_t zones = zone_count(m);
	const char *confirmed;
	time_t deadline;
	char when[32];

	fprintf(o->out, "mode:        %s\n",
		zone_mode_name(zone_model_mode(m)));
	fprintf(o->out, "profile:     %s",
		zone_profile_name(zone_model_profile(m)));
	if (zone_model_profile_approved(m))
		fprintf(o->out, " (approved: %s)",
			zone_model_profile_approved(m));
	fprintf(o->out, "\npolicy:      %s\n", zone_model_hash(m));
	fprintf(o->out, "config:      %s\n", z->conf_path);
	if (trial_pending(z, &deadline, &confirmed))
		fprintf(o->out,
			"on trial:    until %s, then policy %s comes back "
			"(zonectl confirm keeps it)\n",
			ctl_time(deadline, when, sizeof(when)), confirmed);
	fprintf(o->out, "applied:     %s\n",
		ctl_time(z->applied_at, when, sizeof(when)));
	if (z->last_error[0]) {
		fputs("last reload: rejected: ", o->out);
		text_fputs(o->out, z->last_error);
		fputc('\n', o->out);
	}
	fprintf(o->out, "segments:    %zu (%zu zones, %zu attachments)\n", segs,
		zones, segs - zones);
	fprintf(o->out, "channels:    %zu (%zu expired)\n",
		zone_model_channel_count(m), expired_channels(m, now));
	fprintf(o->out, "isolated:    %zu\n", isolation_count(z->iso));
	fprintf(o->out, "denied:      %" PRIu64 "\n",
		stats_total(z->stats, STAT_DENY));
	fprintf(o->out, "violations:  %" PRIu64 " (%" PRIu64 " killed)\n",
		stats_total(z->stats, STAT_VIOLATION),
		stats_total(z->stats, STAT_KILLED));
	fprintf(o->out, "spoofed:     %" PRIu64 "\n",
		stats_total(z->stats, STAT_SPOOF));
	fprintf(o->out, "drift:       %" PRIu64 "\n",
		stats_total(z->stats, STAT_DRIFT));
	fprintf(o->out, "events lost: %" PRIu64 "\n",
		stats_total(z->stats, STAT_EVENTS_LOST));
	protection_text(z, o, "protection:  ");
	clock_text(z, o, "clock:       ");
	ha_status_text(z, o->out);
	windows_text(m, now, o);
}

static void status_json(struct zoned *z, struct ctl_out *o, time_t now)
{
	const struct zone_model *m = z->model;
	size_t segs = zone_model_segment_count(m);
	size_t zones = zone_count(m);
	const char *confirmed;
	time_t deadline;
	bool first = true;
	char when[32];
	int k;

	fputc('{', o->out);
	json_str(o, &first, "mode", zone_mode_name(zone_model_mode(m)));
	json_str(o, &first, "profile",
		 zone_profile_name(zone_model_profile(m)));
	json_str(o, &first, "profile_approved", zone_model_profile_approved(m));
	json_str(o, &first, "policy_hash", zone_model_hash(m));
	json_str(o, &first, "config", z->conf_path);
	json_str(o, &first, "applied",
		 ctl_time(z->applied_at, when, sizeof(when)));
	json_str(o, &first, "last_error",
		 z->last_error[0] ? z->last_error : NULL);
	if (trial_pending(z, &deadline, &confirmed)) {
		bool f = true;

		json_key(o, &first, "trial");
		fputc('{', o->out);
		json_str(o, &f, "until",
			 ctl_time(deadline, when, sizeof(when)));
		json_str(o, &f, "rollback_to", confirmed);
		fputc('}', o->out);
	}
	json_u64(o, &first, "segments", segs);
	json_u64(o, &first, "zones", zones);
	json_u64(o, &first, "attachments", segs - zones);
	json_u64(o, &first, "channels", zone_model_channel_count(m));
	json_u64(o, &first, "channels_expired", expired_channels(m, now));
	protection_clock_json(z, o, &first);
	json_key(o, &first, "totals");
	fputc('{', o->out);
	for (k = 0; k < STAT_MAX; k++) {
		bool f = k == 0;

		json_u64(o, &f, stats_kind_name(k), stats_total(z->stats, k));
	}
	fputc('}', o->out);
	ha_status_json(z, o->out);
	windows_json(m, now, &first, o);
	json_key(o, &first, "isolated");
	isolation_print(z->iso, o);
}

/**
 * ctl_status - zonectl status: the policy in force, the counts since start
 * and the kernel's counters per channel and segment pair
 */
void ctl_status(struct zoned *z, const struct ctl_request *req,
		struct ctl_out *o)
{
	struct zone_counter *c = NULL;
	time_t now = time(NULL);
	size_t n = 0;
	int ret;

	if (req->flags & CTL_F_PROMETHEUS) {
		if (metrics_print(z, o->out) < 0)
			ctl_fail(o, "cannot print the metrics");
		return;
	}
	ret = zone_nft_counters(z->nft, &c, &n);
	if (o->json) {
		bool first = false;

		status_json(z, o, now);
		json_key(o, &first, "counters");
		if (ret < 0)
			fputs("null", o->out);
		else
			status_counters_json(c, n, o);
		fputs("}\n", o->out);
	} else {
		status_text(z, o, now);
		if (isolation_count(z->iso))
			isolation_print(z->iso, o);
		if (ret == 0)
			status_counters_text(c, n, o);
	}
	if (ret < 0)
		fprintf(o->err, "zonectl: reading the kernel's counters: %s\n",
			strerror(-ret));
	free(c);
}

/* ---- explain ---- */

/* "tcp/25", "udp/53", "sctp/2905", "icmp", "icmpv6" */
static int parse_service(const char *text, struct zone_flow *flow)
{
	const char *slash = strchr(text, '/');
	size_t len = slash ? (size_t)(slash - text) : strlen(text);
	int proto = zone_proto_number(text, len);
	unsigned long port;
	char *end;

	if (proto < 0)
		return -EINVAL;
	flow->proto = (uint8_t)proto;
	if (!zone_proto_has_ports(flow->proto))
		return slash ? -EINVAL : 0;
	if (!slash || !slash[1])
		return -EINVAL;
	errno = 0;
	port = strtoul(slash + 1, &end, 10);
	if (errno || *end || port == 0 || port > 65535 ||
	    slash[1] == '-' || slash[1] == '+')
		return -EINVAL;
	flow->dport = (uint16_t)port;
	return 0;
}

/* The isolation that cuts @addr off, or NULL. */
static const char *isolated_by(const struct isolation *iso,
			       const struct zone_addr *addr)
{
	struct isolation_entry e;
	size_t i;
	size_t j;

	for (i = 0; i < isolation_count(iso); i++) {
		isolation_get(iso, i, &e);
		for (j = 0; j < e.n_prefixes; j++)
			if (zone_prefix_contains(&e.prefixes[j], addr))
				return e.target;
	}
	return NULL;
}

struct explain {
	struct zone_flow flow;
	const char *iif; /* --in, or NULL */
	const char *oif; /* --out, or NULL */
	bool has_service;
	struct zone_verdict v;
	time_t at; /* the instant judged: --at, or now */
	bool has_at;
	const char *isolated; /* the isolation that overrides the verdict */
	bool allowed; /* what the kernel does in enforce mode */
};

static void explain_seg_text(const char *side, const struct zone_addr *a,
			     const struct zone_segment *seg, struct ctl_out *o)
{
	char buf[ZONE_PREFIX_STRLEN];

	zone_addr_format(a, buf, sizeof(buf));
	if (!seg) {
		fprintf(o->out, "%-9s %s in no segment (treated as internet)\n",
			side, buf);
		return;
	}
	fprintf(o->out, "%-9s %s in %s %s (%s, %s)\n", side, buf,
		zone_segment_is_zone(seg) ? "zone" : "attachment",
		zone_segment_name(seg), zone_segment_label(seg),
		zone_role_name(zone_segment_role(seg)));
}

static void explain_channel_text(const struct zone_channel *ch, time_t at,
				 struct ctl_out *o)
{
	char a[32];
	char b[32];
	time_t open;
	time_t close;
	size_t k;

	fprintf(o->out, "channel:  %s (%s, %s -> %s)\n", zone_channel_name(ch),
		zone_channel_kind_name(zone_channel_kind(ch)),
		zone_segment_name(zone_channel_from(ch)),
		zone_segment_name(zone_channel_to(ch)));
	fputs("reason:   ", o->out);
	text_fputs(o->out, zone_channel_reason(ch));
	fputs("\napproved: ", o->out);
	text_fputs(o->out, zone_channel_approved(ch));
	fputc('\n', o->out);
	if (zone_channel_expires_text(ch))
		fprintf(o->out, "expires:  %s\n",
			zone_channel_expires_text(ch));
	if (zone_channel_not_before_text(ch))
		fprintf(o->out, "not before: %s\n",
			zone_channel_not_before_text(ch));
	if (zone_channel_vendor(ch)) {
		fputs("vendor:   ", o->out);
		text_fputs(o->out, zone_channel_vendor(ch));
		fputc('\n', o->out);
	}
	if (zone_channel_from_mac_count(ch)) {
		char mac[ZONE_MAC_STRLEN];

		fputs("from MACs:", o->out);
		for (k = 0; k < zone_channel_from_mac_count(ch); k++)
			fprintf(o->out, " %s",
				zone_mac_format(zone_channel_from_mac(ch, k),
						mac, sizeof(mac)));
		fputs(" (only these Ethernet sources)\n", o->out);
	}
	for (k = 0; k < zone_channel_window_count(ch); k++) {
		bool in = zone_channel_window_next(ch, k, at, &open, &close);

		fprintf(o->out, "window:   \"%s\": %s %s, closes %s\n",
			zone_channel_window_text(ch, k),
			in ? "open since" : "next open",
			ctl_time(open, a, sizeof(a)),
			ctl_time(close, b, sizeof(b)));
	}
}

/* Without a service: the channels that would admit some service. */
static size_t explain_channels(const struct zone_model *m,
			       const struct explain *ex, time_t now,
			       const struct zone_channel **out, size_t max)
{
	size_t n = 0;
	size_t i;
	size_t j;

	for (i = 0; i < zone_model_channel_count(m) && n < max; i++) {
		const struct zone_channel *ch = zone_model_channel(m, i);

		for (j = 0; j < zone_channel_service_count(ch); j++) {
			const struct zone_service *s =
				zone_channel_service(ch, j);
			struct zone_flow f = ex->flow;
			struct zone_verdict v;

			f.proto = s->proto;
			f.dport = s->port_first;
			zone_verdict(m, &f, now, &v);
			if (v.action == ZONE_ACTION_ALLOW && v.channel == ch) {
				out[n++] = ch;
				break;
			}
		}
	}
	return n;
}

/*
 * The first instant after @at at which @ch holds by its time alone (its
 * not_before, or the opening of one of its windows), or 0 when it holds
 * at @at already or never will.
 */
static time_t channel_next_open(const struct zone_channel *ch, time_t at)
{
	time_t start = at;
	time_t best = 0;
	time_t open;
	time_t close;
	size_t k;

	if (zone_channel_expired(ch, at))
		return 0;
	if (zone_channel_not_before(ch, &open) && open > at)
		start = open;
	for (k = 0; k < zone_channel_window_count(ch); k++) {
		if (zone_channel_window_next(ch, k, start, &open, &close))
			return start > at ? start : 0;
		if (best == 0 || open < best)
			best = open;
	}
	if (zone_channel_window_count(ch) == 0)
		return start > at ? start : 0;
	return best;
}

/*
 * A flow denied at @ex->at that a time-boxed channel admits at its next
 * opening: say which channel and when, so that "deny" reads as "not now".
 */
static void explain_closed_text(const struct zone_model *m,
				const struct explain *ex, struct ctl_out *o)
{
	char when[32];
	size_t i;

	for (i = 0; i < zone_model_channel_count(m); i++) {
		const struct zone_channel *ch = zone_model_channel(m, i);
		time_t t = channel_next_open(ch, ex->at);
		struct zone_verdict v;

		if (t == 0 || zone_channel_expired(ch, t))
			continue;
		zone_verdict(m, &ex->flow, t, &v);
		if (v.action != ZONE_ACTION_ALLOW || v.channel != ch)
			continue;
		fprintf(o->out, "closed:   channel %s admits it from %s\n",
			zone_channel_name(ch), ctl_time(t, when, sizeof(when)));
	}
}

static void explain_services_text(const struct zone_channel *ch,
				  struct ctl_out *o)
{
	char buf[ZONE_SERVICE_STRLEN];
	size_t j;

	fprintf(o->out, "  %s:", zone_channel_name(ch));
	for (j = 0; j < zone_channel_service_count(ch); j++) {
		const struct zone_service *s = zone_channel_service(ch, j);

		fprintf(o->out, " %s",
			zone_service_format(s, buf, sizeof(buf)));
	}
	fputc('\n', o->out);
}

static void explain_text(struct zoned *z, const struct explain *ex,
			 const struct zone_channel **chans, size_t n_chans,
			 struct ctl_out *o)
{
	bool monitor = zone_model_mode(z->model) == ZONE_MODE_MONITOR;
	char buf[8];
	size_t i;

	if (ex->v.path == ZONE_PATH_OUTPUT)
		fprintf(o->out, "%-9s the gateway itself\n", "from:");
	else
		explain_seg_text("from:", &ex->flow.src, ex->v.src, o);
	if (ex->v.path == ZONE_PATH_INPUT)
		fprintf(o->out, "%-9s the gateway itself\n", "to:");
	else
		explain_seg_text("to:", &ex->flow.dst, ex->v.dst, o);
	if (ex->iif)
		fprintf(o->out, "%-9s %s\n", "in:", ex->iif);
	if (ex->oif)
		fprintf(o->out, "%-9s %s\n", "out:", ex->oif);
	if (ex->has_at) {
		char when[32];

		fprintf(o->out, "at:       %s\n",
			ctl_time(ex->at, when, sizeof(when)));
	}
	if (ex->has_service) {
		fprintf(o->out, "service:  %s",
			zone_proto_name(ex->flow.proto, buf, sizeof(buf)));
		if (ex->flow.dport)
			fprintf(o->out, "/%u", ex->flow.dport);
		fputc('\n', o->out);
	}
	fprintf(o->out, "verdict:  %s%s\n", ex->allowed ? "allow" : "deny",
		!ex->allowed && monitor ? " (monitor mode: reported, "
					  "not dropped)" :
					  "");
	if (ex->isolated)
		fprintf(o->out,
			"rule:     isolated (zonectl isolate %s); the "
			"matrix says %s by %s\n",
			ex->isolated,
			ex->v.action == ZONE_ACTION_ALLOW ? "allow" : "deny",
			zone_rule_name(ex->v.rule));
	else
		fprintf(o->out, "rule:     %s\n", zone_rule_name(ex->v.rule));
	if (ex->v.channel)
		explain_channel_text(ex->v.channel, ex->at, o);
	else if (!ex->allowed && ex->has_service &&
		 ex->v.path == ZONE_PATH_FORWARD)
		explain_closed_text(z->model, ex, o);
	if (ex->v.gw_rule)
		fprintf(o->out, "%s %s\nreason:   %s\napproved: %s\n",
			zone_gw_rule_is_outbound(ex->v.gw_rule) ?
				"outbound:" :
				"management:",
			zone_gw_rule_name(ex->v.gw_rule),
			zone_gw_rule_reason(ex->v.gw_rule),
			zone_gw_rule_approved(ex->v.gw_rule));
	if (n_chans)
		fprintf(o->out, "channels open between these hosts:\n");
	for (i = 0; i < n_chans; i++)
		explain_services_text(chans[i], o);
}

static void explain_seg_json(struct ctl_out *o, const struct zone_addr *a,
			     const struct zone_segment *seg, bool gateway)
{
	char buf[ZONE_PREFIX_STRLEN];
	bool first = true;

	if (gateway) {
		fputs("{\"addr\":null,\"segment\":\"gateway\","
		      "\"label\":\"gateway\",\"role\":\"gateway\","
		      "\"zone\":false}",
		      o->out);
		return;
	}
	fputc('{', o->out);
	json_str(o, &first, "addr", zone_addr_format(a, buf, sizeof(buf)));
	json_str(o, &first, "segment", seg ? zone_segment_name(seg) : NULL);
	json_str(o, &first, "label", seg ? zone_segment_label(seg) : NULL);
	json_str(o, &first, "role",
		 seg ? zone_role_name(zone_segment_role(seg)) : NULL);
	json_key(o, &first, "zone");
	fputs(seg && zone_segment_is_zone(seg) ? "true" : "false", o->out);
	fputc('}', o->out);
}

static void explain_channel_json(struct ctl_out *o,
				 const struct zone_channel *ch)
{
	bool first = true;

	if (!ch) {
		fputs("null", o->out);
		return;
	}
	fputc('{', o->out);
	json_str(o, &first, "name", zone_channel_name(ch));
	json_str(o, &first, "kind",
		 zone_channel_kind_name(zone_channel_kind(ch)));
	json_str(o, &first, "from", zone_segment_name(zone_channel_from(ch)));
	json_str(o, &first, "to", zone_segment_name(zone_channel_to(ch)));
	json_str(o, &first, "reason", zone_channel_reason(ch));
	json_str(o, &first, "approved", zone_channel_approved(ch));
	json_str(o, &first, "expires", zone_channel_expires_text(ch));
	fputc('}', o->out);
}

static void explain_json(struct zoned *z, const struct explain *ex,
			 const struct zone_channel **chans, size_t n_chans,
			 struct ctl_out *o)
{
	bool first = true;
	char when[32];
	char buf[8];
	size_t i;

	fputc('{', o->out);
	json_str(o, &first, "at", ctl_time(ex->at, when, sizeof(when)));
	json_key(o, &first, "src");
	explain_seg_json(o, &ex->flow.src, ex->v.src,
			 ex->v.path == ZONE_PATH_OUTPUT);
	json_key(o, &first, "dst");
	explain_seg_json(o, &ex->flow.dst, ex->v.dst,
			 ex->v.path == ZONE_PATH_INPUT);
	json_str(o, &first, "in", ex->iif);
	json_str(o, &first, "out", ex->oif);
	json_str(o, &first, "proto",
		 ex->has_service ?
			 zone_proto_name(ex->flow.proto, buf, sizeof(buf)) :
			 NULL);
	json_u64(o, &first, "dport", ex->flow.dport);
	json_str(o, &first, "verdict", ex->allowed ? "allow" : "deny");
	json_str(o, &first, "rule",
		 ex->isolated ? "isolated" : zone_rule_name(ex->v.rule));
	json_str(o, &first, "matrix_rule", zone_rule_name(ex->v.rule));
	json_str(o, &first, "isolated_by", ex->isolated);
	json_str(o, &first, "mode", zone_mode_name(zone_model_mode(z->model)));
	json_str(o, &first, "gateway_rule",
		 ex->v.gw_rule ? zone_gw_rule_name(ex->v.gw_rule) : NULL);
	json_key(o, &first, "channel");
	explain_channel_json(o, ex->v.channel);
	json_key(o, &first, "open_channels");
	fputc('[', o->out);
	for (i = 0; i < n_chans; i++) {
		fputs(i ? "," : "", o->out);
		ctl_json_string(o->out, zone_channel_name(chans[i]));
	}
	fputs("]}\n", o->out);
}

/*
 * SRC and DST of explain: an address, or "gateway" (the gateway itself,
 * then judged by its management or outbound rules).  The gateway's side
 * gets the unspecified address of the other side's family.
 */
static int explain_ends(const char *src, const char *dst, struct explain *ex,
			enum zone_path *ret_path)
{
	bool src_gw = strcmp(src, "gateway") == 0;
	bool dst_gw = strcmp(dst, "gateway") == 0;

	if (src_gw && dst_gw)
		return -EINVAL;
	if ((!src_gw && zone_addr_parse(src, &ex->flow.src) < 0) ||
	    (!dst_gw && zone_addr_parse(dst, &ex->flow.dst) < 0))
		return -EINVAL;
	if (src_gw)
		ex->flow.src.family = ex->flow.dst.family;
	if (dst_gw)
		ex->flow.dst.family = ex->flow.src.family;
	*ret_path = src_gw ? ZONE_PATH_OUTPUT :
		    dst_gw ? ZONE_PATH_INPUT :
			     ZONE_PATH_FORWARD;
	return 0;
}

/* in=IFACE and out=IFACE (zonectl's --in, --out); the rest positional */
/* "at=SECONDS": the instant zonectl explain --at converted */
static bool parse_at(const char *s, time_t *ret)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0)
		return false;
	*ret = (time_t)v;
	return true;
}

static int explain_args(const struct ctl_request *req, struct explain *ex,
			const char **pos, size_t *ret_n)
{
	size_t n = 0;
	size_t i;

	for (i = 0; i < req->argc; i++) {
		const char *a = req->argv[i];

		if (strncmp(a, "in=", 3) == 0 && a[3])
			ex->iif = a + 3;
		else if (strncmp(a, "out=", 4) == 0 && a[4])
			ex->oif = a + 4;
		else if (strncmp(a, "at=", 3) == 0 && parse_at(a + 3, &ex->at))
			ex->has_at = true;
		else if (n < 3)
			pos[n++] = a;
		else
			return -EINVAL;
	}
	*ret_n = n;
	return n >= 2 ? 0 : -EINVAL;
}

/**
 * ctl_explain - zonectl explain SRC DST [PROTO/PORT] [--in IFACE]
 * [--out IFACE]: the verdict the live model gives the flow, and the
 * matrix rule, channel, interface binding or gateway rule behind it.
 * An isolation overrides the matrix, as in the kernel.
 */
void ctl_explain(struct zoned *z, const struct ctl_request *req,
		 struct ctl_out *o)
{
	const struct zone_channel *chans[32];
	struct explain ex = { 0 };
	time_t now = time(NULL);
	enum zone_path path;
	const char *pos[3];
	size_t n_pos = 0;
	size_t n_chans = 0;

	if (explain_args(req, &ex, pos, &n_pos) < 0 ||
	    explain_ends(pos[0], pos[1], &ex, &path) < 0) {
		ctl_fail(o, "explain: SRC and DST must be addresses, "
			    "or one of them \"gateway\"");
		return;
	}
	if (ex.flow.src.family != ex.flow.dst.family) {
		ctl_fail(o, "explain: SRC and DST are of different families");
		return;
	}
	if (n_pos == 3) {
		if (parse_service(pos[2], &ex.flow) < 0) {
			ctl_fail(o,
				 "explain: %s: expected tcp/PORT, udp/PORT, "
				 "sctp/PORT, udplite/PORT, dccp/PORT, icmp or "
				 "icmpv6",
				 pos[2]);
			return;
		}
		ex.has_service = true;
	}
	if (ex.has_at)
		now = ex.at;
	ex.at = now;
	zone_verdict_edge(z->model, &ex.flow, path, ex.iif, ex.oif, now,
			  &ex.v);
	/* the kernel drops everything it forwards to or from an isolation */
	if (path == ZONE_PATH_FORWARD) {
		ex.isolated = isolated_by(z->iso, &ex.flow.src);
		if (!ex.isolated)
			ex.isolated = isolated_by(z->iso, &ex.flow.dst);
	}
	ex.allowed = ex.v.action == ZONE_ACTION_ALLOW && !ex.isolated;
	if (path == ZONE_PATH_FORWARD && !ex.has_service && !ex.allowed &&
	    !ex.isolated && ex.v.rule < ZONE_RULE_UNKNOWN_INTERFACE)
		n_chans = explain_channels(z->model, &ex, now, chans,
					   sizeof(chans) / sizeof(chans[0]));
	if (o->json)
		explain_json(z, &ex, chans, n_chans, o);
	else
		explain_text(z, &ex, chans, n_chans, o);
}

/* ---- flows ---- */

static void flow_text(const struct ctwatch_flow *f, struct ctl_out *o)
{
	char src[ZONE_PREFIX_STRLEN];
	char dst[ZONE_PREFIX_STRLEN];
	char buf[8];
	bool v6 = f->src.family == AF_INET6;

	zone_addr_format(&f->src, src, sizeof(src));
	zone_addr_format(&f->dst, dst, sizeof(dst));
	fprintf(o->out,
		"%-6s %s%s%s:%u -> %s%s%s:%u  %s -> %s  by %s  "
		"packets=%" PRIu64 " bytes=%" PRIu64 "\n",
		zone_proto_name(f->proto, buf, sizeof(buf)), v6 ? "[" : "", src,
		v6 ? "]" : "", f->sport, v6 ? "[" : "", dst, v6 ? "]" : "",
		f->dport, f->src_seg ? f->src_seg : "-",
		f->dst_seg ? f->dst_seg : "-",
		f->admitted_by[0] ? f->admitted_by : "(unmarked)", f->packets,
		f->bytes);
}

static void flow_json(const struct ctwatch_flow *f, bool comma,
		      struct ctl_out *o)
{
	char src[ZONE_PREFIX_STRLEN];
	char dst[ZONE_PREFIX_STRLEN];
	char buf[8];
	bool first = true;

	fputs(comma ? ",{" : "{", o->out);
	json_str(o, &first, "proto",
		 zone_proto_name(f->proto, buf, sizeof(buf)));
	json_str(o, &first, "src", zone_addr_format(&f->src, src, sizeof(src)));
	json_u64(o, &first, "sport", f->sport);
	json_str(o, &first, "dst", zone_addr_format(&f->dst, dst, sizeof(dst)));
	json_u64(o, &first, "dport", f->dport);
	json_str(o, &first, "src_zone", f->src_seg);
	json_str(o, &first, "dst_zone", f->dst_seg);
	json_str(o, &first, "admitted_by",
		 f->admitted_by[0] ? f->admitted_by : NULL);
	json_u64(o, &first, "packets", f->packets);
	json_u64(o, &first, "bytes", f->bytes);
	fputc('}', o->out);
}

/**
 * ctl_flow_print - one line of zonectl flows, as text or a JSON object
 * @comma: JSON: a comma goes before the object (not the first)
 */
void ctl_flow_print(const struct ctwatch_flow *f, bool json, bool comma,
		    FILE *out)
{
	struct ctl_out o = { .out = out, .json = json };

	if (json)
		flow_json(f, comma, &o);
	else
		flow_text(f, &o);
}

/* ---- audit ---- */

struct audit {
	struct zoned *z;
	struct ctl_out *o;
	time_t now;
	bool ok; /* no problem found */
	bool first; /* JSON: the next key is the first */
	struct zone_counter *counters;
	size_t n_counters;
	bool have_counters;
};

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
		bool first = true;

		json_key(o, &a->first, "kernel_table");
		fputc('{', o->out);
		json_bool(o, &first, "ok", ret == 0);
		json_str(o, &first, "error",
			 ret < 0 && ret != -EUCLEAN ? strerror(-ret) : NULL);
		json_key(o, &first, "differences");
		fputc('[', o->out);
		for (i = 0; i < n; i++) {
			fputs(i ? "," : "", o->out);
			ctl_json_string(o->out, zone_diag_line(diag, i));
		}
		fputs("]}", o->out);
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

static bool role_internet_side(enum zone_role r)
{
	return r == ZONE_ROLE_INTERNET_TIER || r == ZONE_ROLE_INTERNET ||
	       r == ZONE_ROLE_SECURITY_CLOUD;
}

/* the resident tier and its gov-cloud extension */
static bool role_resident_side(enum zone_role r)
{
	return r == ZONE_ROLE_RESIDENT || r == ZONE_ROLE_GOV_CLOUD;
}

#define AUDIT_ADDRS_MAX 64

/*
 * Addresses that stand for @seg: the first address of each of its
 * networks; for the catch-all, which has none, the first of a few
 * documentation and well-known addresses that it owns in this model.
 */
static size_t audit_addrs(const struct zone_model *m,
			  const struct zone_segment *seg, struct zone_addr *out)
{
	static const char *const probes[] = {
		"203.0.113.1",
		"198.51.100.1",
		"192.0.2.1",
		"8.8.8.8",
		"1.1.1.1",
		"2001:db8::1",
		"2001:4860:4860::8888",
	};
	size_t n = 0;
	size_t i;

	for (i = 0; i < zone_segment_network_count(seg) && n < AUDIT_ADDRS_MAX;
	     i++)
		out[n++] = zone_segment_network(seg, i)->addr;
	if (n || zone_model_catchall(m) != seg)
		return n;
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		struct zone_addr a;

		if (zone_addr_parse(probes[i], &a) == 0 &&
		    zone_classify(m, &a) == seg)
			out[n++] = a;
	}
	return n;
}

/*
 * Every pair of addresses standing for @s and @d must be denied by the
 * hard invariant.  Returns the number of pairs judged.
 */
static size_t audit_pair(struct audit *a, const struct zone_segment *s,
			 const struct zone_segment *d, FILE *problems)
{
	struct zone_addr as[AUDIT_ADDRS_MAX];
	struct zone_addr ad[AUDIT_ADDRS_MAX];
	struct zone_flow f = { .proto = IPPROTO_TCP, .dport = 443 };
	struct zone_verdict v;
	size_t ns = audit_addrs(a->z->model, s, as);
	size_t nd = audit_addrs(a->z->model, d, ad);
	size_t judged = 0;
	size_t i;
	size_t j;

	for (i = 0; i < ns; i++) {
		for (j = 0; j < nd; j++) {
			if (as[i].family != ad[j].family)
				continue;
			f.src = as[i];
			f.dst = ad[j];
			zone_verdict(a->z->model, &f, a->now, &v);
			judged++;
			if (v.action == ZONE_ACTION_DENY &&
			    v.rule == ZONE_RULE_HARD_INVARIANT)
				continue;
			fprintf(problems, "%s -> %s judged %s by %s\n",
				zone_segment_name(s), zone_segment_name(d),
				v.action == ZONE_ACTION_ALLOW ? "allow" :
								"deny",
				zone_rule_name(v.rule));
		}
	}
	return judged;
}

/* A channel whose ends straddle the invariant must not exist. */
static void audit_channels_invariant(struct audit *a, FILE *problems)
{
	const struct zone_model *m = a->z->model;
	size_t i;

	for (i = 0; i < zone_model_channel_count(m); i++) {
		const struct zone_channel *ch = zone_model_channel(m, i);
		enum zone_role f = zone_segment_role(zone_channel_from(ch));
		enum zone_role t = zone_segment_role(zone_channel_to(ch));

		if ((role_resident_side(f) && role_internet_side(t)) ||
		    (role_resident_side(t) && role_internet_side(f)))
			fprintf(problems,
				"channel %s crosses the hard "
				"invariant\n",
				zone_channel_name(ch));
	}
}

/*
 * The hard invariant (resident never meets the internet side), judged by
 * the same verdict function the kernel plan is compiled from, for every
 * pair of networks in both directions.
 */
static void audit_invariant(struct audit *a)
{
	const struct zone_model *m = a->z->model;
	size_t n = zone_model_segment_count(m);
	struct ctl_out *o = a->o;
	char *text = NULL;
	size_t len = 0;
	size_t pairs = 0;
	FILE *problems;
	size_t i;
	size_t j;

	problems = open_memstream(&text, &len);
	if (!problems) {
		ctl_fail(o, "audit: %s", strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		const struct zone_segment *s = zone_model_segment(m, i);

		for (j = 0; j < n; j++) {
			const struct zone_segment *d = zone_model_segment(m, j);
			enum zone_role rs = zone_segment_role(s);
			enum zone_role rd = zone_segment_role(d);

			if (!(role_resident_side(rs) &&
			      role_internet_side(rd)) &&
			    !(role_resident_side(rd) &&
			      role_internet_side(rs)))
				continue;
			pairs += audit_pair(a, s, d, problems);
		}
	}
	audit_channels_invariant(a, problems);
	fclose(problems);
	if (len)
		a->ok = false;
	if (o->json) {
		bool first = true;
		char *line;
		char *save = NULL;
		bool comma = false;

		json_key(o, &a->first, "hard_invariant");
		fputc('{', o->out);
		json_bool(o, &first, "ok", len == 0);
		json_u64(o, &first, "pairs_judged", pairs);
		json_key(o, &first, "problems");
		fputc('[', o->out);
		for (line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			fputs(comma ? "," : "", o->out);
			ctl_json_string(o->out, line);
			comma = true;
		}
		fputs("]}", o->out);
	} else {
		fprintf(o->out,
			"hard invariant: %s (%zu address pairs "
			"judged)\n",
			len ? "PROBLEM" : "holds", pairs);
		if (len)
			fprintf(o->out, "%s", text);
	}
	free(text);
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

static void audit_chan_json(const struct audit_chan *ac, bool comma,
			    struct ctl_out *o)
{
	bool first = true;
	char when[32];

	fputs(comma ? ",{" : "{", o->out);
	json_str(o, &first, "name", zone_channel_name(ac->ch));
	json_str(o, &first, "kind",
		 zone_channel_kind_name(zone_channel_kind(ac->ch)));
	json_str(o, &first, "from",
		 zone_segment_name(zone_channel_from(ac->ch)));
	json_str(o, &first, "to", zone_segment_name(zone_channel_to(ac->ch)));
	json_str(o, &first, "reason", zone_channel_reason(ac->ch));
	json_str(o, &first, "approved", zone_channel_approved(ac->ch));
	json_str(o, &first, "expires",
		 ac->expires ? ctl_time(ac->when, when, sizeof(when)) : NULL);
	json_bool(o, &first, "expired", ac->expired);
	json_bool(o, &first, "expiring_soon", ac->soon);
	json_key(o, &first, "packets");
	if (ac->counter)
		fprintf(o->out, "%" PRIu64, ac->counter->packets);
	else
		fputs("null", o->out);
	json_key(o, &first, "never_used");
	if (ac->counter && !ac->expired)
		fputs(ac->counter->packets == 0 ? "true" : "false", o->out);
	else
		fputs("null", o->out);
	fputc('}', o->out);
}

/* Channels expiring within 30 days, expired, or never used. */
static void audit_channels(struct audit *a)
{
	size_t n = zone_model_channel_count(a->z->model);
	struct ctl_out *o = a->o;
	struct audit_chan ac;
	size_t i;

	if (o->json) {
		json_key(o, &a->first, "channels");
		fputc('[', o->out);
	} else {
		fprintf(o->out, "channels: %zu%s\n", n,
			a->have_counters ?
				"" :
				" (the kernel's counters could not be read)");
	}
	for (i = 0; i < n; i++) {
		audit_chan_get(a, i, &ac);
		if (o->json)
			audit_chan_json(&ac, i > 0, o);
		else
			audit_chan_text(&ac, o);
	}
	if (o->json) {
		fputc(']', o->out);
		windows_json(a->z->model, a->now, &a->first, o);
	} else {
		windows_text(a->z->model, a->now, o);
	}
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
		bool first = true;

		fputs(ap->n ? ",{" : "{", o->out);
		json_str(o, &first, "src_zone", src);
		json_str(o, &first, "dst_zone", dst);
		for (k = 0; k < STAT_MAX; k++)
			json_u64(o, &first, stats_kind_name(k), counts[k]);
		fputc('}', o->out);
	}
	ap->n++;
}

/* Denials, violations, kills and spoofs per segment pair since start. */
static void audit_stats(struct audit *a)
{
	struct audit_pairs ap = { .o = a->o };
	struct ctl_out *o = a->o;

	if (o->json) {
		json_key(o, &a->first, "pairs");
		fputc('[', o->out);
	} else {
		fputs("events per zone pair since start:\n", o->out);
	}
	stats_foreach(a->z->stats, audit_pair_cb, &ap);
	if (o->json) {
		fputc(']', o->out);
		json_u64(o, &a->first, "drift",
			 stats_total(a->z->stats, STAT_DRIFT));
		json_u64(o, &a->first, "events_lost",
			 stats_total(a->z->stats, STAT_EVENTS_LOST));
		protection_clock_json(a->z, o, &a->first);
	} else {
		if (ap.n == 0)
			fputs("  none\n", o->out);
		fprintf(o->out, "drift events: %" PRIu64 "\n",
			stats_total(a->z->stats, STAT_DRIFT));
		fprintf(o->out, "events lost: %" PRIu64 "\n",
			stats_total(a->z->stats, STAT_EVENTS_LOST));
		protection_text(a->z, o, "table protection: ");
		clock_text(a->z, o, "clock: ");
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
		json_key(o, &a->first, "foreign_forward_chains");
		fputc('[', o->out);
	} else {
		fprintf(o->out, "other forward-hook chains: %zu\n", n);
	}
	for (i = 0; i < n; i++) {
		bool first = true;

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
		fputs(i ? ",{" : "{", o->out);
		json_str(o, &first, "family", h[i].family);
		json_str(o, &first, "table", h[i].table);
		json_str(o, &first, "chain", h[i].chain);
		json_key(o, &first, "priority");
		fprintf(o->out, "%d", (int)h[i].priority);
		json_str(o, &first, "policy",
			 h[i].policy_drop ? "drop" : "accept");
		fputc('}', o->out);
	}
	if (o->json)
		fputc(']', o->out);
}

/* An allowed cell towards an attachment that no narrow entry names. */
static bool audit_unnarrowed(const struct zone_model *m,
			     const struct zone_segment *s,
			     const struct zone_segment *d,
			     enum zone_rule *ret_rule)
{
	struct zone_addr as[AUDIT_ADDRS_MAX];
	struct zone_addr ad[AUDIT_ADDRS_MAX];
	struct zone_flow f = { 0 };
	struct zone_verdict v;
	size_t ns;
	size_t nd;
	size_t i;
	size_t j;

	if (s == d || zone_segment_is_zone(d) ||
	    zone_model_cell_narrowed(m, s, d))
		return false;
	ns = audit_addrs(m, s, as);
	nd = audit_addrs(m, d, ad);
	for (i = 0; i < ns; i++) {
		for (j = 0; j < nd; j++) {
			if (as[i].family != ad[j].family)
				continue;
			f.src = as[i];
			f.dst = ad[j];
			zone_verdict(m, &f, time(NULL), &v);
			if (v.rule != ZONE_RULE_LGWAN_WAN &&
			    v.rule != ZONE_RULE_SECURE_EGRESS)
				return false;
			*ret_rule = v.rule;
			return true;
		}
	}
	return false;
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

static void audit_gw_rule_json(const struct zone_gw_rule *r, bool comma,
			       struct ctl_out *o)
{
	char buf[ZONE_PREFIX_STRLEN];
	bool first = true;
	size_t i;

	fputs(comma ? ",{" : "{", o->out);
	json_str(o, &first, "kind",
		 zone_gw_rule_is_outbound(r) ? "outbound" : "management");
	json_str(o, &first, "name", zone_gw_rule_name(r));
	json_str(o, &first, zone_gw_rule_is_outbound(r) ? "to" : "from",
		 zone_segment_name(zone_gw_rule_segment(r)));
	json_key(o, &first, "hosts");
	fputc('[', o->out);
	for (i = 0; i < zone_gw_rule_host_count(r); i++) {
		fputs(i ? "," : "", o->out);
		ctl_json_string(o->out,
				zone_prefix_format(zone_gw_rule_host(r, i),
						   buf, sizeof(buf)));
	}
	fputc(']', o->out);
	json_key(o, &first, "services");
	fputc('[', o->out);
	for (i = 0; i < zone_gw_rule_service_count(r); i++) {
		fputs(i ? "," : "", o->out);
		ctl_json_string(o->out,
				zone_service_format(zone_gw_rule_service(r, i),
						    buf, sizeof(buf)));
	}
	fputc(']', o->out);
	json_str(o, &first, "reason", zone_gw_rule_reason(r));
	json_str(o, &first, "approved", zone_gw_rule_approved(r));
	fputc('}', o->out);
}

static void audit_cells(struct audit *a)
{
	const struct zone_model *m = a->z->model;
	size_t n = zone_model_segment_count(m);
	struct ctl_out *o = a->o;
	enum zone_rule rule;
	bool comma = false;
	size_t i;
	size_t j;

	if (o->json) {
		json_key(o, &a->first, "unnarrowed_cells");
		fputc('[', o->out);
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			const struct zone_segment *s = zone_model_segment(m, i);
			const struct zone_segment *d = zone_model_segment(m, j);
			bool first = true;

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
			fputs(comma ? ",{" : "{", o->out);
			json_str(o, &first, "from", zone_segment_name(s));
			json_str(o, &first, "to", zone_segment_name(d));
			json_str(o, &first, "rule", zone_rule_name(rule));
			fputc('}', o->out);
			comma = true;
		}
	}
	if (o->json)
		fputc(']', o->out);
}

/* Interfaces of the gateway that the config does not name. */
static void audit_ifaces(struct audit *a)
{
	struct if_nameindex *ifs = if_nameindex();
	struct ctl_out *o = a->o;
	bool comma = false;
	size_t i;

	if (o->json) {
		json_key(o, &a->first, "unknown_interfaces");
		fputc('[', o->out);
	}
	for (i = 0; ifs && ifs[i].if_index; i++) {
		const char *name = ifs[i].if_name;

		if (strcmp(name, "lo") == 0 ||
		    zone_model_knows_interface(a->z->model, name))
			continue;
		if (o->json) {
			fputs(comma ? "," : "", o->out);
			ctl_json_string(o->out, name);
			comma = true;
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
		fputc(']', o->out);
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
		json_key(o, &a->first, "gateway_rules");
		fputc('[', o->out);
	} else {
		fprintf(o->out, "gateway rules: %zu%s\n", n,
			n ? "" : " (nobody may reach the gateway, and it "
				 "may reach nothing)");
	}
	for (i = 0; i < n; i++) {
		if (o->json)
			audit_gw_rule_json(zone_model_gw_rule(m, i), i > 0, o);
		else
			audit_gw_rule_text(zone_model_gw_rule(m, i), o);
	}
	if (o->json)
		fputc(']', o->out);
	audit_ifaces(a);
}

static void audit_head(struct audit *a)
{
	const struct zone_model *m = a->z->model;
	struct ctl_out *o = a->o;
	char when[32];

	ctl_time(a->z->applied_at, when, sizeof(when));
	if (o->json) {
		json_str(o, &a->first, "policy_hash", zone_model_hash(m));
		json_str(o, &a->first, "profile",
			 zone_profile_name(zone_model_profile(m)));
		json_str(o, &a->first, "mode",
			 zone_mode_name(zone_model_mode(m)));
		json_str(o, &a->first, "applied", when);
		json_str(o, &a->first, "generated",
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
	struct audit a = {
		.z = z, .o = o, .now = time(NULL), .ok = true, .first = true
	};

	(void)req;
	a.have_counters =
		zone_nft_counters(z->nft, &a.counters, &a.n_counters) == 0;
	if (o->json)
		fputc('{', o->out);
	audit_head(&a);
	audit_table(&a);
	audit_invariant(&a);
	audit_channels(&a);
	audit_edges(&a);
	audit_stats(&a);
	audit_hooks(&a);
	if (o->json) {
		json_key(o, &a.first, "isolated");
		isolation_print(z->iso, o);
		json_bool(o, &a.first, "ok", a.ok);
		fputs("}\n", o->out);
	} else {
		if (isolation_count(z->iso))
			isolation_print(z->iso, o);
		fprintf(o->out, "result: %s\n", a.ok ? "ok" : "PROBLEMS FOUND");
	}
	if (!a.ok)
		o->status = 1;
	free(a.counters);
}
