/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The zones and attachments lists: each entry into a segment of the
 * model, with the source lines the checks of conf_check_segment.c report.
 */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "conf_priv.h"

/*
 * A segment's label: counted in characters, not bytes, so that a Japanese
 * label (three bytes a character in UTF-8) has the same room as a Latin one.
 */
static char *parse_label(struct conf_loader *ld, const config_setting_t *group,
			 const char *what)
{
	const config_setting_t *s;
	const char *v;
	const char *why;
	size_t n;

	v = conf_get_string(ld, group, "label", what, false, 0, &s);
	if (!v)
		return NULL;
	why = conf_text_problem(v, strlen(v));
	if (why) {
		conf_error(ld, conf_line_of(s), "%s: label %s", what, why);
		return NULL;
	}
	n = conf_utf8_chars(v);
	if (n > LABEL_MAX_CHARS) {
		conf_error(ld, conf_line_of(s),
			   "%s: label is too long (%zu characters, at most %d)",
			   what, n, LABEL_MAX_CHARS);
		return NULL;
	}
	return conf_strdup(ld, v);
}

static void parse_interfaces(struct conf_loader *ld,
			     const config_setting_t *group,
			     struct zone_segment *seg, struct conf_seg_aux *aux)
{
	const config_setting_t *list;
	const config_setting_t *e;
	const char *name;
	int len;
	int i;

	list = conf_get_string_list(ld, group, "interfaces", aux->what);
	if (!list) {
		/* every packet is bound to the interfaces of its segment */
		if (!config_setting_get_member(group, "interfaces"))
			conf_error(ld, seg->line, "%s: missing interfaces",
				   aux->what);
		return;
	}
	len = config_setting_length(list);
	if (len == 0)
		conf_error(ld, conf_line_of(list),
			   "%s: interfaces must list at least one interface",
			   aux->what);
	seg->interfaces = calloc(len ? (size_t)len : 1, sizeof(char *));
	aux->if_lines = conf_alloc_lines(ld, (size_t)len);
	if (!seg->interfaces || !aux->if_lines) {
		ld->nomem = true;
		return;
	}
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(list, (unsigned int)i);
		name = config_setting_get_string(e);
		if (!conf_ifname_valid(name)) {
			conf_error(
				ld, conf_line_of(e),
				"%s: interface \"%s\" is not a valid interface name (1-15 of A-Z a-z 0-9 . _ -)",
				aux->what, name);
			continue;
		}
		aux->if_lines[seg->n_interfaces] = conf_line_of(e);
		seg->interfaces[seg->n_interfaces] = conf_strdup(ld, name);
		if (seg->interfaces[seg->n_interfaces])
			seg->n_interfaces++;
	}
}

static const char *const tier_names[] = { "resident", "lgwan", "internet",
					  NULL };

static const char *const kind_names[] = { "lgwan-wan",	    "public-system",
					  "security-cloud", "internet",
					  "gov-cloud",	    NULL };

static int lookup_name(const char *const *names, const char *v)
{
	int i;

	for (i = 0; names[i]; i++) {
		if (strcmp(names[i], v) == 0)
			return i;
	}
	return -1;
}

static void parse_role(struct conf_loader *ld, const config_setting_t *group,
		       struct zone_segment *seg, struct conf_seg_aux *aux,
		       bool is_zone)
{
	const char *key = is_zone ? "tier" : "kind";
	const config_setting_t *s;
	const char *v;
	int i;

	v = conf_get_string(ld, group, key, aux->what, true, conf_line_of(group), &s);
	if (!v)
		return;
	i = lookup_name(is_zone ? tier_names : kind_names, v);
	if (i < 0) {
		conf_error(
			ld, conf_line_of(s),
			is_zone ?
				"%s: tier \"%s\" is not one of resident, lgwan, internet" :
				"%s: kind \"%s\" is not one of lgwan-wan, public-system, security-cloud, internet, gov-cloud",
			aux->what, v);
		return;
	}
	seg->role = (enum zone_role)(is_zone ? i : ZONE_ROLE_LGWAN_WAN + i);
	aux->role_ok = true;
}

static void parse_segment(struct conf_loader *ld, const config_setting_t *group,
			  size_t index, int pos, bool is_zone)
{
	static const char *const zone_keys[] = { "name",     "tier",
						 "label",    "interfaces",
						 "networks", NULL };
	static const char *const att_keys[] = { "name",	    "kind",
						"label",    "interfaces",
						"networks", NULL };
	struct zone_segment *seg = &ld->model->segments[index];
	struct conf_seg_aux *aux = &ld->seg_aux[index];
	const char *const *keys = is_zone ? zone_keys : att_keys;
	const config_setting_t *s;

	seg->index = index;
	seg->line = conf_line_of(group);
	seg->name = conf_parse_name(ld, group, is_zone ? "zone" : "attachment", pos,
			       aux->what);
	conf_check_keys(ld, group, aux->what, keys);
	parse_role(ld, group, seg, aux, is_zone);
	if (config_setting_get_member(group, "label"))
		seg->label = parse_label(ld, group, aux->what);
	parse_interfaces(ld, group, seg, aux);
	s = config_setting_get_member(group, "networks");
	if (conf_parse_prefixes(ld, group, "networks", aux->what, &seg->networks,
			   &seg->n_networks, &aux->net_lines)) {
		aux->nets_bad = seg->n_networks != (size_t)conf_list_length(s);
		if (conf_list_length(s) == 0)
			conf_error(ld, conf_line_of(s),
				   "%s: networks must not be empty", aux->what);
	} else if (s) {
		aux->nets_bad = true;
	} else if ((is_zone ||
		    (aux->role_ok && seg->role != ZONE_ROLE_INTERNET))) {
		conf_error(
			ld, seg->line, "%s: missing networks%s", aux->what,
			is_zone ?
				"" :
				" (only the internet attachment may omit them)");
	}
}

/*
 * conf_parse_segment_list - the zones (@is_zone) or attachments @list, each
 * entry a group, into ld->model->segments from index *@next on
 */
void conf_parse_segment_list(struct conf_loader *ld,
			       const config_setting_t *list, size_t *next,
			       bool is_zone)
{
	const config_setting_t *e;
	int i;

	for (i = 0; i < config_setting_length(list); i++) {
		e = conf_entry(ld, list, i, is_zone ? "zones" : "attachments");
		if (!e)
			continue;
		parse_segment(ld, e, (*next)++, i + 1, is_zone);
	}
}
