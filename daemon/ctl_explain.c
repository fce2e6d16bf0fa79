/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zonectl explain SRC DST [PROTO/PORT]: the verdict of the policy in force
 * for one flow, the rule behind it and the channel that admits it, judged
 * by the same functions the watchers use (libzone's verdict), with the
 * isolations in force on top.  The question is gathered into a struct
 * explain once; explain_text() and explain_json() render it.
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
#include <zone/model.h>
#include <zone/proto.h>
#include <zone/verdict.h>

#include "ctlcmd.h"
#include "isolation.h"
#include "resolver.h"
#include "textesc.h"
#include "zoned.h"

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

static void explain_ifaces(const struct zone_segment *seg, struct ctl_out *o)
{
	size_t i;

	for (i = 0; i < zone_segment_interface_count(seg); i++)
		fprintf(o->out, "%s%s", i ? "," : "",
			zone_segment_interface(seg, i));
}

/* the interfaces every packet of an admitted flow is bound to */
static void explain_bound_text(const struct explain *ex, struct ctl_out *o)
{
	const struct zone_segment *s = ex->v.src;
	const struct zone_segment *d = ex->v.dst;

	if (ex->v.path != ZONE_PATH_FORWARD || !s || !d ||
	    !zone_segment_interface_count(s) || !zone_segment_interface_count(d))
		return;
	fputs("bound:    every packet, not only the first: in by ", o->out);
	explain_ifaces(s, o);
	fputs(" out by ", o->out);
	explain_ifaces(d, o);
	fputs("; replies the other way\n", o->out);
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
	if (ex->allowed)
		explain_bound_text(ex, o);
	if (ex->v.channel)
		explain_channel_text(ex->v.channel, ex->at, o);
	else if (!ex->allowed && ex->has_service &&
		 ex->v.path == ZONE_PATH_FORWARD)
		explain_closed_text(z->model, ex, o);
	resolver_explain(z, ex->v.channel, &ex->flow.dst, ex->at, o);
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

static void explain_seg_json(struct json *j, const char *key,
			     const struct zone_addr *a,
			     const struct zone_segment *seg, bool gateway)
{
	char buf[ZONE_PREFIX_STRLEN];

	json_object(j, key);
	if (gateway) {
		json_null(j, "addr");
		json_string(j, "segment", "gateway");
		json_string(j, "label", "gateway");
		json_string(j, "role", "gateway");
		json_bool(j, "zone", false);
		json_end(j);
		return;
	}
	json_string(j, "addr", zone_addr_format(a, buf, sizeof(buf)));
	json_string(j, "segment", seg ? zone_segment_name(seg) : NULL);
	json_string(j, "label", seg ? zone_segment_label(seg) : NULL);
	json_string(j, "role",
		    seg ? zone_role_name(zone_segment_role(seg)) : NULL);
	json_bool(j, "zone", seg && zone_segment_is_zone(seg));
	json_end(j);
}

static void explain_channel_json(struct json *j,
				 const struct zone_channel *ch)
{
	if (!ch) {
		json_null(j, "channel");
		return;
	}
	json_object(j, "channel");
	json_string(j, "name", zone_channel_name(ch));
	json_string(j, "kind", zone_channel_kind_name(zone_channel_kind(ch)));
	json_string(j, "from", zone_segment_name(zone_channel_from(ch)));
	json_string(j, "to", zone_segment_name(zone_channel_to(ch)));
	json_string(j, "reason", zone_channel_reason(ch));
	json_string(j, "approved", zone_channel_approved(ch));
	json_string(j, "expires", zone_channel_expires_text(ch));
	json_end(j);
}

static void explain_json(struct zoned *z, const struct explain *ex,
			 const struct zone_channel **chans, size_t n_chans,
			 struct ctl_out *o)
{
	struct json *j = &o->j;
	char when[32];
	char buf[8];
	size_t i;

	json_object(j, NULL);
	json_string(j, "at", ctl_time(ex->at, when, sizeof(when)));
	explain_seg_json(j, "src", &ex->flow.src, ex->v.src,
			 ex->v.path == ZONE_PATH_OUTPUT);
	explain_seg_json(j, "dst", &ex->flow.dst, ex->v.dst,
			 ex->v.path == ZONE_PATH_INPUT);
	json_string(j, "in", ex->iif);
	json_string(j, "out", ex->oif);
	json_string(j, "proto",
		    ex->has_service ?
			    zone_proto_name(ex->flow.proto, buf, sizeof(buf)) :
			    NULL);
	json_uint(j, "dport", ex->flow.dport);
	json_string(j, "verdict", ex->allowed ? "allow" : "deny");
	json_string(j, "rule",
		    ex->isolated ? "isolated" : zone_rule_name(ex->v.rule));
	json_string(j, "matrix_rule", zone_rule_name(ex->v.rule));
	json_string(j, "isolated_by", ex->isolated);
	json_string(j, "mode", zone_mode_name(zone_model_mode(z->model)));
	json_string(j, "gateway_rule",
		    ex->v.gw_rule ? zone_gw_rule_name(ex->v.gw_rule) : NULL);
	explain_channel_json(j, ex->v.channel);
	resolver_explain(z, ex->v.channel, &ex->flow.dst, ex->at, o);
	json_array(j, "open_channels");
	for (i = 0; i < n_chans; i++)
		json_string(j, NULL, zone_channel_name(chans[i]));
	json_finish(j);
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
