/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The edges of the config: the required gateway block (management: who
 * may reach the gateway's own services; outbound: where the gateway may
 * connect) and narrow (what an allowed cell still lets through).  Parsed
 * after the segments and channels, so that names resolve; every problem
 * is reported, as everywhere in the loader.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zone/proto.h>

#include "conf_priv.h"
#include "verdict_priv.h"

/* from/to of an edge entry, resolved; NULL when absent or dangling. */
static const struct zone_segment *resolve(struct conf_loader *ld,
					  const config_setting_t *group,
					  const char *key, const char *what)
{
	const struct zone_segment *seg;

	seg = conf_get_segment(ld, group, key, what, NULL);
	if (seg && !ld->seg_aux[seg->index].role_ok)
		return NULL; /* its role was reported already */
	return seg;
}

/* True when @p lies inside @seg (the catch-all: outside every other). */
static bool host_inside(const struct zone_model *m,
			const struct zone_segment *seg,
			const struct zone_prefix *p)
{
	size_t i;
	size_t k;

	for (i = 0; i < seg->n_networks; i++) {
		if (seg->networks[i].len <= p->len &&
		    zone_prefix_contains(&seg->networks[i], &p->addr))
			return true;
	}
	if (seg->role != ZONE_ROLE_INTERNET)
		return false;
	for (i = 0; i < m->n_segments; i++) {
		for (k = 0; k < m->segments[i].n_networks; k++) {
			if (zone_prefix_overlaps(&m->segments[i].networks[k],
						 p))
				return false;
		}
	}
	return true;
}

/*
 * Host list @key of an edge entry: required when @required, each entry
 * inside @seg, single addresses when @single, never /0.
 */
static void check_edge_hosts(struct conf_loader *ld,
			     const config_setting_t *group, const char *what,
			     const char *key, const struct zone_segment *seg,
			     const struct zone_prefix *hosts, size_t n,
			     const int *lines, bool required, bool single)
{
	char a[ZONE_PREFIX_STRLEN];
	int raw = conf_raw_length(group, key);
	size_t i;

	if (raw < 0) {
		if (required)
			conf_error(ld, conf_line_of(group),
				   "%s: missing %s (%s)", what, key,
				   single ? "single addresses" :
					    "addresses or prefixes");
		return;
	}
	if (raw == 0) {
		conf_error(ld,
			   conf_line_of(config_setting_get_member(group, key)),
			   "%s: %s must list at least one address", what, key);
		return;
	}
	for (i = 0; i < n; i++) {
		zone_prefix_format(&hosts[i], a, sizeof(a));
		if (single && !zone_prefix_is_host(&hosts[i]))
			conf_error(ld, lines[i],
				   "%s: %s needs single addresses, got %s",
				   what, key, a);
		else if (hosts[i].len == 0)
			conf_error(ld, lines[i],
				   "%s: %s entry %s is everything", what, key,
				   a);
		else if (seg && !ld->seg_aux[seg->index].nets_bad &&
			 !host_inside(ld->model, seg, &hosts[i]))
			conf_error(
				ld, lines[i],
				"%s: %s entry %s is not inside the networks of %s \"%s\"",
				what, key, a, conf_seg_type(ld, seg),
				seg->name);
	}
}

static void check_edge_services(struct conf_loader *ld,
				const config_setting_t *group, const char *what,
				bool required)
{
	int raw = conf_raw_length(group, "services");

	if (raw < 0 && required)
		conf_error(ld, conf_line_of(group), "%s: missing services",
			   what);
	else if (raw == 0)
		conf_error(ld,
			   conf_line_of(config_setting_get_member(group,
								  "services")),
			   "%s: services must list at least one service", what);
}

/* The internet side: the gateway never opens a path to it on its own. */
static bool internet_side(enum zone_role role)
{
	return role == ZONE_ROLE_INTERNET_TIER || role == ZONE_ROLE_INTERNET;
}

static void check_gw_end(struct conf_loader *ld, struct zone_gw_rule *r,
			 const char *what)
{
	const struct zone_segment *seg = r->seg;

	if (!seg)
		return;
	if (!r->outbound && !zone_role_is_tier(seg->role)) {
		conf_error(
			ld, r->line,
			"%s: from \"%s\" is an attachment; the gateway is managed from a zone only",
			what, seg->name);
	} else if (!r->outbound && seg->role == ZONE_ROLE_INTERNET_TIER) {
		conf_error(
			ld, r->line,
			"%s: from \"%s\" is an internet-tier zone; the gateway is never managed from the internet side",
			what, seg->name);
	} else if (r->outbound && internet_side(seg->role)) {
		conf_error(
			ld, r->line,
			"%s: to \"%s\" is on the internet side (%s %s); the gateway may reach it only through the security cloud",
			what, seg->name,
			zone_role_is_tier(seg->role) ? "tier" : "attachment",
			zone_role_name(seg->role));
		r->seg = NULL;
	}
	if (!r->outbound && r->seg &&
	    (!zone_role_is_tier(seg->role) ||
	     seg->role == ZONE_ROLE_INTERNET_TIER))
		r->seg = NULL;
}

static void parse_gw_rule(struct conf_loader *ld, const config_setting_t *group,
			  struct zone_gw_rule *r, bool outbound, int pos)
{
	static const char *const in_keys[] = { "name",	     "from",
					       "from_hosts", "services",
					       "reason",     "approved",
					       NULL };
	static const char *const out_keys[] = {
		"name", "to", "to_hosts", "services", "reason", "approved", NULL
	};
	const char *type = outbound ? "outbound" : "management";
	const char *hkey = outbound ? "to_hosts" : "from_hosts";
	char what[CONF_WHAT_LEN];
	int *lines = NULL;

	r->outbound = outbound;
	r->line = conf_line_of(group);
	r->name = conf_parse_name(ld, group, type, pos, what);
	conf_check_keys(ld, group, what, outbound ? out_keys : in_keys);
	r->seg = resolve(ld, group, outbound ? "to" : "from", what);
	check_gw_end(ld, r, what);
	conf_parse_prefixes(ld, group, hkey, what, &r->hosts, &r->n_hosts,
			    &lines);
	check_edge_hosts(ld, group, what, hkey, r->seg, r->hosts, r->n_hosts,
			 lines, true, !outbound);
	free(lines);
	conf_parse_services(ld, group, what, &r->services, &r->n_services, NULL);
	check_edge_services(ld, group, what, true);
	r->reason = conf_get_text(ld, group, "reason", what, true, r->line,
				  TEXT_MAX);
	r->approved = conf_get_text(ld, group, "approved", what, true, r->line,
				    TEXT_MAX);
}

static void parse_gw_list(struct conf_loader *ld, const config_setting_t *gw,
			  const char *key, bool outbound)
{
	const config_setting_t *list = config_setting_get_member(gw, key);
	const config_setting_t *e;
	struct zone_model *m = ld->model;
	char what[32];
	int i;

	if (!list) {
		conf_error(ld, conf_line_of(gw),
			   "gateway: missing %s (\"%s = ( );\" says %s)", key,
			   key, outbound ? "nowhere" : "nobody");
		return;
	}
	snprintf(what, sizeof(what), "gateway: %s", key);
	if (!conf_typed(ld, list, CONFIG_TYPE_LIST, what))
		return;
	for (i = 0; i < config_setting_length(list); i++) {
		e = conf_entry(ld, list, i, what);
		if (!e)
			continue;
		m->gw_rules[m->n_gw_rules].index = m->n_gw_rules;
		parse_gw_rule(ld, e, &m->gw_rules[m->n_gw_rules++], outbound,
			      i + 1);
	}
}

static void check_gw_names(struct conf_loader *ld)
{
	const struct zone_model *m = ld->model;
	size_t i;
	size_t j;

	for (i = 0; i < m->n_gw_rules; i++) {
		for (j = 0; j < i && m->gw_rules[i].name; j++) {
			if (!m->gw_rules[j].name ||
			    strcmp(m->gw_rules[i].name, m->gw_rules[j].name))
				continue;
			conf_error(
				ld, m->gw_rules[i].line,
				"%s \"%s\": name already used by the gateway rule at line %d",
				m->gw_rules[i].outbound ? "outbound" :
							  "management",
				m->gw_rules[i].name, m->gw_rules[j].line);
			break;
		}
	}
}

/* The segment that lists interface @name, or NULL. */
static const struct zone_segment *segment_on(const struct zone_model *m,
					     const char *name)
{
	size_t i;
	size_t k;

	for (i = 0; i < m->n_segments; i++) {
		for (k = 0; k < m->segments[i].n_interfaces; k++) {
			if (strcmp(m->segments[i].interfaces[k], name) == 0)
				return &m->segments[i];
		}
	}
	return NULL;
}

/* The segment whose networks hold @a, or NULL. */
static const struct zone_segment *segment_holding(const struct zone_model *m,
						  const struct zone_addr *a)
{
	size_t i;
	size_t k;

	for (i = 0; i < m->n_segments; i++) {
		for (k = 0; k < m->segments[i].n_networks; k++) {
			if (zone_prefix_contains(&m->segments[i].networks[k],
						 a))
				return &m->segments[i];
		}
	}
	return NULL;
}

/*
 * The sync interface is a link of its own between the two gateways:
 * were it a segment's, a zone's hosts could speak VRRP or feed
 * conntrackd forged state.
 */
static void ha_interface(struct conf_loader *ld, struct zone_ha *h,
			 const char *v, int line)
{
	const struct zone_segment *seg;

	if (!conf_ifname_valid(v)) {
		conf_error(ld, line,
			   "gateway: ha: interface \"%.40s\" is not a valid interface name",
			   v);
		return;
	}
	seg = segment_on(ld->model, v);
	if (seg) {
		conf_error(
			ld, line,
			"gateway: ha: interface \"%s\" carries %s \"%s\"; the sync link carries no zone or attachment",
			v, conf_seg_type(ld, seg), seg->name);
		return;
	}
	h->interface = conf_strdup(ld, v);
}

/* The peer: one address, off every segment's networks. */
static void ha_peer(struct conf_loader *ld, struct zone_ha *h, const char *v,
		    int line)
{
	const struct zone_segment *seg;
	char a[ZONE_PREFIX_STRLEN];

	if (zone_prefix_parse(v, &h->peer) < 0) {
		conf_error(ld, line, "gateway: ha: peer \"%.60s\": %s", v,
			   conf_prefix_problem(v));
		return;
	}
	zone_prefix_format(&h->peer, a, sizeof(a));
	if (!zone_prefix_is_host(&h->peer)) {
		conf_error(ld, line,
			   "gateway: ha: peer needs a single address, got %s",
			   a);
		return;
	}
	seg = segment_holding(ld->model, &h->peer.addr);
	if (seg)
		conf_error(
			ld, line,
			"gateway: ha: peer %s lies inside the networks of %s \"%s\"; the peer is reached on the sync link only",
			a, conf_seg_type(ld, seg), seg->name);
}

static void ha_key_file(struct conf_loader *ld, struct zone_ha *h,
			const char *v, int line)
{
	if (v[0] != '/' || strlen(v) > 255) {
		conf_error(ld, line,
			   "gateway: ha: key_file must be an absolute path");
		return;
	}
	h->key_file = conf_strdup(ld, v);
}

/*
 * The keys of gateway.ha, each a required string and the function that
 * checks and stores it: one table, so that the three share the reading
 * and the missing-key report.
 */
static const struct {
	const char *key;
	void (*parse)(struct conf_loader *ld, struct zone_ha *h, const char *v,
		      int line);
} ha_keys[] = {
	{ "interface", ha_interface },
	{ "peer", ha_peer },
	{ "key_file", ha_key_file },
};

/* gateway.ha: the pair (optional) */
static void parse_ha(struct conf_loader *ld, const config_setting_t *gw)
{
	static const char *const keys[] = { "interface", "peer", "key_file",
					    NULL };
	const config_setting_t *ha = config_setting_get_member(gw, "ha");
	const config_setting_t *s;
	struct zone_ha *h;
	const char *v;
	size_t i;

	if (!conf_typed(ld, ha, CONFIG_TYPE_GROUP, "gateway: ha"))
		return;
	h = calloc(1, sizeof(*h));
	if (!h) {
		ld->nomem = true;
		return;
	}
	h->line = conf_line_of(ha);
	ld->model->ha = h;
	conf_check_keys(ld, ha, "gateway: ha", keys);
	for (i = 0; i < sizeof(ha_keys) / sizeof(ha_keys[0]); i++) {
		v = conf_get_string(ld, ha, ha_keys[i].key, "gateway: ha", true,
				    h->line, &s);
		if (v)
			ha_keys[i].parse(ld, h, v, conf_line_of(s));
	}
}

static int list_length(const config_setting_t *gw, const char *key)
{
	const config_setting_t *s = config_setting_get_member(gw, key);

	return s && config_setting_type(s) == CONFIG_TYPE_LIST ?
		       config_setting_length(s) :
		       0;
}

/**
 * conf_parse_gateway - parse and check the required gateway block
 * @ld: the loader, segments parsed
 * @root: the config's root group
 */
void conf_parse_gateway(struct conf_loader *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "management", "outbound", "ha",
					    NULL };
	const config_setting_t *gw = config_setting_get_member(root, "gateway");
	struct zone_model *m = ld->model;
	size_t n;

	if (!gw) {
		conf_error(
			ld, 0,
			"missing gateway (who may reach the gateway and where it may go; \"gateway = { management = ( ); outbound = ( ); };\" says nobody and nowhere)");
		return;
	}
	if (!conf_typed(ld, gw, CONFIG_TYPE_GROUP, "gateway"))
		return;
	conf_check_keys(ld, gw, "gateway", keys);
	n = (size_t)list_length(gw, "management") +
	    (size_t)list_length(gw, "outbound");
	m->gw_rules = calloc(n ? n : 1, sizeof(*m->gw_rules));
	if (!m->gw_rules) {
		ld->nomem = true;
		return;
	}
	parse_gw_list(ld, gw, "management", false);
	parse_gw_list(ld, gw, "outbound", true);
	check_gw_names(ld);
	parse_ha(ld, gw);
}

/* An allowed cell, other than inside one segment. */
static void check_narrow_cell(struct conf_loader *ld, struct zone_narrow *n,
			      const char *what)
{
	enum zone_rule rule;

	if (!n->from || !n->to)
		return;
	if (n->from == n->to) {
		conf_error(ld, n->line,
			   "%s: from and to are the same segment \"%s\"", what,
			   n->from->name);
		n->from = NULL;
		return;
	}
	rule = verdict_matrix_rule(n->from->role, n->to->role);
	if (rule == ZONE_RULE_LGWAN_WAN || rule == ZONE_RULE_SECURE_EGRESS)
		return;
	conf_error(
		ld, n->line,
		"%s: the cell %s -> %s is denied by the matrix (%s); only an allowed cell can be narrowed",
		what, n->from->name, n->to->name, zone_rule_name(rule));
	n->from = NULL;
}

static void parse_narrow_entry(struct conf_loader *ld,
			       const config_setting_t *group,
			       struct zone_narrow *n, int pos)
{
	static const char *const keys[] = { "from", "to", "to_hosts",
					    "services", NULL };
	char what[CONF_WHAT_LEN];
	int *lines = NULL;

	snprintf(what, sizeof(what), "narrow #%d", pos);
	n->line = conf_line_of(group);
	conf_check_keys(ld, group, what, keys);
	n->from = resolve(ld, group, "from", what);
	n->to = resolve(ld, group, "to", what);
	check_narrow_cell(ld, n, what);
	conf_parse_prefixes(ld, group, "to_hosts", what, &n->to_hosts,
			    &n->n_to_hosts, &lines);
	check_edge_hosts(ld, group, what, "to_hosts", n->to, n->to_hosts,
			 n->n_to_hosts, lines, false, false);
	free(lines);
	conf_parse_services(ld, group, what, &n->services, &n->n_services, NULL);
	check_edge_services(ld, group, what, false);
	if (conf_raw_length(group, "to_hosts") < 0 &&
	    conf_raw_length(group, "services") < 0)
		conf_error(
			ld, n->line,
			"%s: names neither to_hosts nor services, so it would narrow nothing",
			what);
}

/**
 * conf_parse_narrow - parse and check the optional narrow list
 * @ld: the loader, segments parsed
 * @root: the config's root group
 */
void conf_parse_narrow(struct conf_loader *ld, const config_setting_t *root)
{
	const config_setting_t *list =
		config_setting_get_member(root, "narrow");
	const config_setting_t *e;
	struct zone_model *m = ld->model;
	int len;
	int i;

	if (!conf_typed(ld, list, CONFIG_TYPE_LIST, "narrow"))
		return;
	len = config_setting_length(list);
	m->narrows = calloc(len ? (size_t)len : 1, sizeof(*m->narrows));
	if (!m->narrows) {
		ld->nomem = true;
		return;
	}
	for (i = 0; i < len; i++) {
		e = conf_entry(ld, list, i, "narrow");
		if (!e)
			continue;
		m->narrows[m->n_narrows].index = m->n_narrows;
		parse_narrow_entry(ld, e, &m->narrows[m->n_narrows++], i + 1);
	}
}
