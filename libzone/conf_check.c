/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The semantic checks of the channels of a parsed config (those of the
 * segments, which run first, are in conf_check_segment.c): unique names,
 * and channels that the matrix of doc/design.md section 1 allows for the
 * profile, with the host and port constraints of their kind.  Every
 * problem is reported; none stops the others from being found.
 */

#include <stdio.h>
#include <string.h>

#include <zone/proto.h>

#include "conf_priv.h"
#include "names_priv.h"
#include "verdict_priv.h"

static const char *role_desc(enum zone_role role)
{
	switch (role) {
	case ZONE_ROLE_RESIDENT:
		return "resident tier";
	case ZONE_ROLE_LGWAN:
		return "lgwan tier";
	case ZONE_ROLE_INTERNET_TIER:
		return "internet tier";
	case ZONE_ROLE_LGWAN_WAN:
		return "lgwan-wan attachment";
	case ZONE_ROLE_PUBLIC_SYSTEM:
		return "public-system attachment";
	case ZONE_ROLE_SECURITY_CLOUD:
		return "security-cloud attachment";
	case ZONE_ROLE_INTERNET:
		return "internet attachment";
	case ZONE_ROLE_GOV_CLOUD:
		return "gov-cloud attachment";
	default:
		return "?";
	}
}

static void check_channel_names(struct conf_loader *ld)
{
	struct zone_model *m = ld->model;
	const struct zone_segment *seg;
	struct zone_channel *c;
	size_t i;
	size_t j;

	for (i = 0; i < m->n_channels; i++) {
		c = &m->channels[i];
		if (!c->name)
			continue;
		seg = zone_model_segment_by_name(m, c->name);
		if (seg) {
			conf_error(ld, c->line,
				   "%s: name already used by the %s at line %d",
				   ld->chan_aux[i].what, conf_seg_type(ld, seg),
				   seg->line);
			continue;
		}
		for (j = 0; j < i; j++) {
			if (m->channels[j].name &&
			    strcmp(c->name, m->channels[j].name) == 0) {
				conf_error(
					ld, c->line,
					"%s: name already used by the channel at line %d",
					ld->chan_aux[i].what,
					m->channels[j].line);
				break;
			}
		}
	}
}

/* True when @p lies wholly inside one of @seg's networks. */
static bool inside_segment(const struct zone_segment *seg,
			   const struct zone_prefix *p)
{
	size_t i;

	for (i = 0; i < seg->n_networks; i++) {
		if (seg->networks[i].len <= p->len &&
		    zone_prefix_contains(&seg->networks[i], &p->addr))
			return true;
	}
	return false;
}

/* The first segment other than @seg whose networks meet @p, or NULL. */
static const struct zone_segment *
claimed_elsewhere(const struct zone_model *m, const struct zone_segment *seg,
		  const struct zone_prefix *p)
{
	size_t i;
	size_t k;

	for (i = 0; i < m->n_segments; i++) {
		if (&m->segments[i] == seg)
			continue;
		for (k = 0; k < m->segments[i].n_networks; k++) {
			if (zone_prefix_overlaps(&m->segments[i].networks[k],
						 p))
				return &m->segments[i];
		}
	}
	return NULL;
}

/*
 * Hosts of a channel end lie inside that end's networks; the catch-all
 * internet attachment owns whatever no other segment claims.
 */
static void check_hosts_inside(struct conf_loader *ld, size_t ci,
			       const struct zone_segment *seg,
			       const struct zone_prefix *hosts, size_t n,
			       const int *lines, const char *key)
{
	const struct zone_segment *other;
	char a[ZONE_PREFIX_STRLEN];
	const char *what = ld->chan_aux[ci].what;
	size_t i;

	if (ld->seg_aux[seg->index].nets_bad)
		return; /* its networks were reported already */
	for (i = 0; i < n; i++) {
		zone_prefix_format(&hosts[i], a, sizeof(a));
		if (inside_segment(seg, &hosts[i]))
			continue;
		if (seg->role == ZONE_ROLE_INTERNET) {
			other = claimed_elsewhere(ld->model, seg, &hosts[i]);
			if (!other)
				continue;
			conf_error(
				ld, lines[i],
				"%s: %s entry %s is not internet: it overlaps %s \"%s\"",
				what, key, a, conf_seg_type(ld, other),
				other->name);
			continue;
		}
		conf_error(
			ld, lines[i],
			"%s: %s entry %s is not inside the networks of %s \"%s\"",
			what, key, a, conf_seg_type(ld, seg), seg->name);
	}
}

/* Entries of one host list that repeat or contain each other. */
static void check_host_list(struct conf_loader *ld, size_t ci,
			    const struct zone_prefix *hosts, size_t n,
			    const int *lines, const char *key)
{
	char a[ZONE_PREFIX_STRLEN];
	char b[ZONE_PREFIX_STRLEN];
	size_t i;
	size_t j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++) {
			if (!zone_prefix_overlaps(&hosts[i], &hosts[j]))
				continue;
			zone_prefix_format(&hosts[i], a, sizeof(a));
			zone_prefix_format(&hosts[j], b, sizeof(b));
			if (hosts[i].len == hosts[j].len)
				conf_error(
					ld, lines[i],
					"%s: duplicate %s entry %s (line %d)",
					ld->chan_aux[ci].what, key, a,
					lines[j]);
			else
				conf_error(
					ld, lines[i],
					"%s: %s entry %s is redundant with %s (line %d): one contains the other",
					ld->chan_aux[ci].what, key, a, b,
					lines[j]);
			break;
		}
	}
}

static void check_services(struct conf_loader *ld, size_t ci)
{
	const struct zone_channel *c = &ld->model->channels[ci];
	const struct conf_chan_aux *aux = &ld->chan_aux[ci];
	const struct zone_service *s;
	const struct zone_service *t;
	char a[ZONE_SERVICE_STRLEN];
	char b[ZONE_SERVICE_STRLEN];
	size_t i;
	size_t j;

	for (i = 0; i < c->n_services; i++) {
		s = &c->services[i];
		zone_service_format(s, a, sizeof(a));
		if (s->port_first == 1 && s->port_last == 65535)
			conf_error(
				ld, aux->svc_lines[i],
				"%s: service %s is every port; list the ports the flow needs",
				aux->what, a);
		for (j = 0; j < i; j++) {
			t = &c->services[j];
			if (s->proto != t->proto ||
			    s->port_first > t->port_last ||
			    t->port_first > s->port_last)
				continue;
			conf_error(ld, aux->svc_lines[i],
				   "%s: service %s overlaps %s (line %d)",
				   aux->what, a,
				   zone_service_format(t, b, sizeof(b)),
				   aux->svc_lines[j]);
			break;
		}
	}
}

/* Checks that hold whatever the kind and ends are. */
static void check_channel_lists(struct conf_loader *ld, size_t ci)
{
	const struct zone_channel *c = &ld->model->channels[ci];
	const struct conf_chan_aux *aux = &ld->chan_aux[ci];

	check_host_list(ld, ci, c->from_hosts, c->n_from_hosts, aux->from_lines,
			"from_hosts");
	check_host_list(ld, ci, c->to_hosts, c->n_to_hosts, aux->to_lines,
			"to_hosts");
	check_services(ld, ci);
	if (c->from)
		check_hosts_inside(ld, ci, c->from, c->from_hosts,
				   c->n_from_hosts, aux->from_lines,
				   "from_hosts");
	if (c->to)
		check_hosts_inside(ld, ci, c->to, c->to_hosts, c->n_to_hosts,
				   aux->to_lines, "to_hosts");
}

static bool is_outside_internet(enum zone_role r)
{
	return r == ZONE_ROLE_INTERNET_TIER || r == ZONE_ROLE_INTERNET ||
	       r == ZONE_ROLE_SECURITY_CLOUD;
}

/* The resident tier and its extension into the government cloud. */
static bool is_resident_side(enum zone_role r)
{
	return r == ZONE_ROLE_RESIDENT || r == ZONE_ROLE_GOV_CLOUD;
}

/* doc/design.md section 1: resident <-> the internet side is never allowed. */
static bool hard_invariant(struct conf_loader *ld, size_t ci)
{
	const struct zone_channel *c = &ld->model->channels[ci];
	const struct zone_segment *res;
	const struct zone_segment *other;

	if (is_resident_side(c->from->role) &&
	    is_outside_internet(c->to->role)) {
		res = c->from;
		other = c->to;
	} else if (is_resident_side(c->to->role) &&
		   is_outside_internet(c->from->role)) {
		res = c->to;
		other = c->from;
	} else {
		return false;
	}
	conf_error(
		ld, c->line,
		"%s: hard invariant: the resident tier%s (%s \"%s\") never connects to the %s (%s \"%s\"), whatever the channel",
		ld->chan_aux[ci].what,
		res->role == ZONE_ROLE_GOV_CLOUD ? "'s gov-cloud extension" :
						   "",
		conf_seg_type(ld, res), res->name, role_desc(other->role),
		conf_seg_type(ld, other), other->name);
	return true;
}

static const char *const legal_text[ZONE_CHANNEL_KIND_MAX] = {
	[ZONE_CHANNEL_SYSTEM_PAIR] =
		"resident tier <-> lgwan tier or gov-cloud attachment",
	[ZONE_CHANNEL_PUBLIC_SYSTEM] =
		"resident tier <-> public-system or lgwan-wan attachment",
	[ZONE_CHANNEL_SCREEN_TRANSFER] =
		"lgwan tier -> internet tier (alpha, alpha-prime), internet tier -> lgwan tier (beta, beta-prime), lgwan tier -> resident tier",
	[ZONE_CHANNEL_SANITIZE] = "internet tier -> lgwan tier",
	[ZONE_CHANNEL_BREAKOUT] =
		"lgwan tier -> internet attachment (alpha-prime only)",
	[ZONE_CHANNEL_INBOUND] =
		"internet or security-cloud attachment -> internet tier",
};

static bool check_legality(struct conf_loader *ld, size_t ci)
{
	const struct zone_channel *c = &ld->model->channels[ci];
	const char *what = ld->chan_aux[ci].what;
	enum zone_profile profile = ld->model->profile;

	/*
	 * The verdict's own table: the loader never accepts a channel that
	 * the verdict would not honour, which would silently do nothing.
	 */
	switch (verdict_channel_legality(profile, c->kind, c->from->role,
					 c->to->role)) {
	case VERDICT_LEGAL:
		return true;
	case VERDICT_BAD_PROFILE:
		conf_error(
			ld, c->line,
			"%s: kind %s from the %s to the %s is not allowed in profile %s",
			what, zone_channel_kind_name(c->kind),
			role_desc(c->from->role), role_desc(c->to->role),
			zone_profile_name(profile));
		return false;
	default:
		conf_error(
			ld, c->line,
			"%s: kind %s is not allowed from the %s to the %s (legal: %s)",
			what, zone_channel_kind_name(c->kind),
			role_desc(c->from->role), role_desc(c->to->role),
			legal_text[c->kind]);
		return false;
	}
}

/*
 * One host list of a channel against what its kind (or the resident tier)
 * demands: present, single addresses, or no /0.  @why names the rule.
 */
static void require_hosts(struct conf_loader *ld, size_t ci, bool from,
			  bool single, const char *why)
{
	const struct zone_channel *c = &ld->model->channels[ci];
	const struct conf_chan_aux *aux = &ld->chan_aux[ci];
	const struct zone_prefix *hosts = from ? c->from_hosts : c->to_hosts;
	size_t n = from ? c->n_from_hosts : c->n_to_hosts;
	const int *lines = from ? aux->from_lines : aux->to_lines;
	const char *key = from ? "from_hosts" : "to_hosts";
	char a[ZONE_PREFIX_STRLEN];
	size_t i;

	if (n == 0 && (from ? aux->from_hosts_len : aux->to_hosts_len) > 0)
		return; /* its entries were reported already */
	if (n == 0) {
		conf_error(ld, from ? aux->from_hosts_line : aux->to_hosts_line,
			   "%s: %s needs %s listing %s", aux->what, why, key,
			   single ? "single addresses" :
				    "destination prefixes");
		return;
	}
	for (i = 0; i < n; i++) {
		zone_prefix_format(&hosts[i], a, sizeof(a));
		if (single && !zone_prefix_is_host(&hosts[i]))
			conf_error(
				ld, lines[i],
				"%s: %s needs single addresses in %s, got %s",
				aux->what, why, key, a);
		else if (hosts[i].len == 0)
			conf_error(
				ld, lines[i],
				"%s: %s needs destination prefixes in %s, got %s (everything)",
				aux->what, why, key, a);
	}
}

/*
 * The display protocols a screen-transfer channel may carry: RDP, VNC,
 * Citrix ICA/HDX (with session reliability and EDT over UDP), PCoIP and
 * VMware Blast.  HTTPS (443) is not in it: it carries anything.
 */
static const struct zone_service display_ports[] = {
	{ 6, 3389, 3389 },   { 17, 3389, 3389 },   { 6, 5900, 5999 },
	{ 6, 1494, 1494 },   { 17, 1494, 1494 },   { 6, 2598, 2598 },
	{ 17, 2598, 2598 },  { 6, 4172, 4172 },	   { 17, 4172, 4172 },
	{ 6, 22443, 22443 }, { 17, 22443, 22443 },
};

static bool display_port(const struct zone_service *s)
{
	size_t i;

	for (i = 0; i < sizeof(display_ports) / sizeof(display_ports[0]); i++) {
		if (s->proto == display_ports[i].proto &&
		    s->port_first >= display_ports[i].port_first &&
		    s->port_last <= display_ports[i].port_last)
			return true;
	}
	return false;
}

/*
 * A public-system channel into the resident tier (the national system
 * opens the connection) names each port on its own: no ranges.
 */
static bool single_port(const struct zone_service *s)
{
	return s->port_first == s->port_last;
}

/*
 * Each service of channel @ci that @ok refuses, reported as "WHAT: @need,
 * got SERVICE" at its line: the display-protocol and single-port rules
 * differ only in the test and the wording.
 */
static void check_each_service(struct conf_loader *ld, size_t ci,
			       bool (*ok)(const struct zone_service *s),
			       const char *need)
{
	const struct zone_channel *c = &ld->model->channels[ci];
	const struct conf_chan_aux *aux = &ld->chan_aux[ci];
	char a[ZONE_SERVICE_STRLEN];
	size_t i;

	for (i = 0; i < c->n_services; i++) {
		if (ok(&c->services[i]))
			continue;
		conf_error(ld, aux->svc_lines[i], "%s: %s, got %s", aux->what,
			   need,
			   zone_service_format(&c->services[i], a, sizeof(a)));
	}
}

/* The extra constraints column of the channel table, and the resident rule. */
static void check_kind_constraints(struct conf_loader *ld, size_t ci)
{
	const struct zone_channel *c = &ld->model->channels[ci];
	bool resident = c->from->role == ZONE_ROLE_RESIDENT ||
			c->to->role == ZONE_ROLE_RESIDENT;
	bool pair = c->kind == ZONE_CHANNEL_SYSTEM_PAIR ||
		    c->kind == ZONE_CHANNEL_PUBLIC_SYSTEM;
	/* the gov-cloud end of a channel may be a pool of prefixes */
	bool from_pool = c->from->role == ZONE_ROLE_GOV_CLOUD;
	bool to_pool = c->to->role == ZONE_ROLE_GOV_CLOUD;
	char why[64];

	snprintf(why, sizeof(why), "kind %s", zone_channel_kind_name(c->kind));
	/* the sanitising relays of a sanitize channel are named too */
	if (pair || c->kind == ZONE_CHANNEL_SANITIZE)
		require_hosts(ld, ci, true, !from_pool, why);
	else if (resident)
		require_hosts(ld, ci, true, true,
			      "a channel touching the resident tier");
	switch (c->kind) {
	case ZONE_CHANNEL_BREAKOUT:
		/* to_names may stand in for to_hosts (names_priv.h) */
		if (!c->n_to_names || c->n_to_hosts)
			require_hosts(ld, ci, false, false, why);
		break;
	default:
		/* every other kind names its servers one by one */
		require_hosts(ld, ci, false, !to_pool, why);
		break;
	}
	if (c->kind == ZONE_CHANNEL_SCREEN_TRANSFER)
		check_each_service(
			ld, ci, display_port,
			"kind screen-transfer carries display protocols only (tcp/3389, udp/3389, tcp/5900-5999, tcp/1494, udp/1494, tcp/2598, udp/2598, tcp/4172, udp/4172, tcp/22443, udp/22443)");
	if (c->kind == ZONE_CHANNEL_PUBLIC_SYSTEM &&
	    c->to->role == ZONE_ROLE_RESIDENT)
		check_each_service(
			ld, ci, single_port,
			"kind public-system into the resident tier needs single ports");
}

/*
 * from_macs: the kernel sees the Ethernet source of the last hop only, so
 * the source must be a zone on the gateway's link (not an attachment,
 * which is reached through a router) and the hosts pinned one by one.
 */
static void check_channel_macs(struct conf_loader *ld, size_t ci)
{
	const struct zone_channel *c = &ld->model->channels[ci];
	const struct conf_chan_aux *aux = &ld->chan_aux[ci];
	size_t i;

	if (!aux->from_macs_line)
		return;
	if (!zone_role_is_tier(c->from->role)) {
		conf_error(ld, aux->from_macs_line,
			   "%s: from_macs needs a source zone on the gateway's link, not %s \"%s\" (an attachment is reached through a router, whose address is all the gateway sees)",
			   aux->what, conf_seg_type(ld, c->from), c->from->name);
		return;
	}
	if (c->n_from_hosts == 0)
		conf_error(ld, aux->from_macs_line,
			   "%s: from_macs needs from_hosts (the pinned hosts' addresses)",
			   aux->what);
	for (i = 0; i < c->n_from_hosts; i++) {
		if (!zone_prefix_is_host(&c->from_hosts[i])) {
			conf_error(ld, aux->from_macs_line,
				   "%s: from_macs needs single addresses in from_hosts",
				   aux->what);
			break;
		}
	}
}

static void check_channel(struct conf_loader *ld, size_t ci)
{
	const struct zone_channel *c = &ld->model->channels[ci];
	const struct conf_chan_aux *aux = &ld->chan_aux[ci];

	check_channel_lists(ld, ci);
	conf_check_channel_names(ld, ci);
	if (aux->services_len < 0)
		conf_error(ld, c->line, "%s: missing services", aux->what);
	else if (aux->services_len == 0)
		conf_error(ld, aux->services_line,
			   "%s: services must list at least one service",
			   aux->what);
	if (!aux->ends_ok)
		return;
	if (c->from == c->to) {
		conf_error(ld, aux->to_line,
			   "%s: from and to are the same %s \"%s\"", aux->what,
			   conf_seg_type(ld, c->from), c->from->name);
		return;
	}
	if (hard_invariant(ld, ci) || !check_legality(ld, ci))
		return;
	check_kind_constraints(ld, ci);
	check_channel_macs(ld, ci);
}

/**
 * conf_check_channels - check every channel against the model
 * @ld: the loader, with segments and channels parsed
 */
void conf_check_channels(struct conf_loader *ld)
{
	size_t i;

	check_channel_names(ld);
	for (i = 0; i < ld->model->n_channels; i++)
		check_channel(ld, i);
}
