/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Config loading: read the file safely, parse it with libconfig, turn
 * every setting into the model and report each problem as "FILE:LINE:
 * message".  Nothing stops at the first error: all of them are collected
 * (the semantic checks live in conf_check.c), then the load fails as a
 * whole.
 */

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <libconfig.h>

#include <zone/conf.h>

#include "conf_priv.h"


void conf_error(struct conf_loader *ld, int line, const char *fmt, ...)
{
	struct conf_msg *msgs;
	va_list ap;
	char *msg;
	int ret;

	ld->errors++;
	msgs = reallocarray(ld->msgs, ld->n_msgs + 1, sizeof(*msgs));
	if (!msgs) {
		ld->nomem = true;
		return;
	}
	ld->msgs = msgs;
	va_start(ap, fmt);
	ret = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (ret < 0) {
		ld->nomem = true;
		return;
	}
	msgs[ld->n_msgs].line = line;
	msgs[ld->n_msgs].text = msg;
	ld->n_msgs++;
}

/* Line order, and the order of discovery within a line (stable). */
static void sort_msgs(struct conf_msg *v, size_t n)
{
	struct conf_msg tmp;
	size_t i;
	size_t j;

	for (i = 1; i < n; i++) {
		tmp = v[i];
		for (j = i; j > 0 && v[j - 1].line > tmp.line; j--)
			v[j] = v[j - 1];
		v[j] = tmp;
	}
}

/* Hand the collected messages to @diag in line order and free them. */
static void flush_msgs(struct conf_loader *ld)
{
	size_t i;

	sort_msgs(ld->msgs, ld->n_msgs);
	for (i = 0; i < ld->n_msgs; i++) {
		if (zone_diag_add(ld->diag, ld->file, ld->msgs[i].line, "%s",
				  ld->msgs[i].text) < 0)
			ld->nomem = true;
		free(ld->msgs[i].text);
	}
	free(ld->msgs);
	ld->msgs = NULL;
	ld->n_msgs = 0;
}

int conf_line_of(const config_setting_t *s)
{
	return (int)config_setting_source_line(s);
}

char *conf_strdup(struct conf_loader *ld, const char *s)
{
	char *copy = strdup(s);

	if (!copy)
		ld->nomem = true;
	return copy;
}

/*
 * Refuse every key of @group that is not in the NULL-ended @known list.
 * @what prefixes the message ("" at the top level).
 */
void conf_check_keys(struct conf_loader *ld, const config_setting_t *group,
		       const char *what, const char *const *known)
{
	const config_setting_t *s;
	const char *name;
	size_t k;
	int i;

	for (i = 0; i < config_setting_length(group); i++) {
		s = config_setting_get_elem(group, (unsigned int)i);
		name = config_setting_name(s);
		for (k = 0; known[k]; k++) {
			if (strcmp(known[k], name) == 0)
				break;
		}
		if (!known[k])
			conf_error(ld, conf_line_of(s), "%s%sunknown key \"%s\"",
				   what, *what ? ": " : "", name);
	}
}

/*
 * A string setting: NULL when absent (an error when @required) or of the
 * wrong type (always an error).  @line_default is where "missing" points.
 */
const char *conf_get_string(struct conf_loader *ld,
			      const config_setting_t *group, const char *key,
			      const char *what, bool required, int line_default,
			      const config_setting_t **ret)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	const char *sep = *what ? ": " : "";

	if (ret)
		*ret = s;
	if (!s) {
		if (required)
			conf_error(ld, line_default, "%s%smissing %s", what,
				   sep, key);
		return NULL;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		conf_error(ld, conf_line_of(s), "%s%s%s must be a string", what, sep,
			   key);
		return NULL;
	}
	return config_setting_get_string(s);
}

/* A free-text setting, copied; NULL when absent or invalid. */
char *conf_get_text(struct conf_loader *ld, const config_setting_t *group,
		      const char *key, const char *what, bool required,
		      int line_default, size_t max)
{
	const config_setting_t *s;
	const char *v;
	const char *why;
	const char *sep = *what ? ": " : "";

	v = conf_get_string(ld, group, key, what, required, line_default, &s);
	if (!v)
		return NULL;
	why = conf_text_problem(v, max);
	if (why) {
		if (strcmp(why, "is too long") == 0)
			conf_error(
				ld, conf_line_of(s),
				"%s%s%s is too long (%zu bytes, at most %zu)",
				what, sep, key, strlen(v), max);
		else
			conf_error(ld, conf_line_of(s), "%s%s%s %s", what, sep, key,
				   why);
		return NULL;
	}
	return conf_strdup(ld, v);
}

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

/* A list setting ([ ] or ( )) of strings; NULL when absent or invalid. */
const config_setting_t *conf_get_string_list(struct conf_loader *ld,
					       const config_setting_t *group,
					       const char *key,
					       const char *what)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	const config_setting_t *e;
	int i;

	if (!s)
		return NULL;
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		conf_error(ld, conf_line_of(s), "%s: %s must be a list of strings",
			   what, key);
		return NULL;
	}
	for (i = 0; i < config_setting_length(s); i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			conf_error(ld, conf_line_of(e),
				   "%s: %s entries must be strings", what, key);
			return NULL;
		}
	}
	return s;
}

int *conf_alloc_lines(struct conf_loader *ld, size_t n)
{
	int *lines = calloc(n ? n : 1, sizeof(int));

	if (!lines)
		ld->nomem = true;
	return lines;
}

/*
 * Parse the prefixes of @key into a new array.  Entries that do not parse
 * are reported and left out.  Returns false when the setting is absent or
 * unusable.
 */
bool conf_parse_prefixes(struct conf_loader *ld,
			   const config_setting_t *group, const char *key,
			   const char *what, struct zone_prefix **ret,
			   size_t *ret_n, int **ret_lines)
{
	const config_setting_t *list;
	const config_setting_t *e;
	struct zone_prefix *v;
	const char *text;
	size_t n = 0;
	int *lines;
	int len;
	int i;

	list = conf_get_string_list(ld, group, key, what);
	if (!list)
		return false;
	len = config_setting_length(list);
	v = calloc(len ? (size_t)len : 1, sizeof(*v));
	lines = conf_alloc_lines(ld, (size_t)len);
	if (!v || !lines) {
		ld->nomem = true;
		free(v);
		free(lines);
		return false;
	}
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(list, (unsigned int)i);
		text = config_setting_get_string(e);
		if (zone_prefix_parse(text, &v[n]) < 0) {
			conf_error(ld, conf_line_of(e), "%s: %s entry \"%.60s\" %s",
				   what, key, text, conf_prefix_problem(text));
			continue;
		}
		lines[n++] = conf_line_of(e);
	}
	*ret = v;
	*ret_n = n;
	*ret_lines = lines;
	return true;
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

/* The name of an object, and the `zone "x"` / `zone #3` it is called by. */
char *conf_parse_name(struct conf_loader *ld, const config_setting_t *group,
			const char *type, int pos, char *what)
{
	const config_setting_t *s;
	const char *v;

	snprintf(what, CONF_WHAT_LEN, "%s #%d", type, pos);
	v = conf_get_string(ld, group, "name", what, true, conf_line_of(group), &s);
	if (!v)
		return NULL;
	if (!conf_name_valid(v)) {
		conf_error(
			ld, conf_line_of(s),
			"%s: name \"%.40s\" must be 1-31 characters of a-z 0-9 _ - starting with a letter or digit",
			what, v);
		return NULL;
	}
	snprintf(what, CONF_WHAT_LEN, "%s \"%s\"", type, v);
	return conf_strdup(ld, v);
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
		aux->nets_bad = seg->n_networks !=
				(size_t)config_setting_length(s);
		if (config_setting_length(s) == 0)
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

/* The zones or attachments list: each entry a group. */
static void parse_segment_list(struct conf_loader *ld,
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

static void parse_services(struct conf_loader *ld,
			   const config_setting_t *group,
			   struct zone_channel *chan, struct conf_chan_aux *aux)
{
	const config_setting_t *list;

	list = conf_parse_services(ld, group, aux->what, &chan->services,
				   &chan->n_services, &aux->svc_lines);
	if (list)
		aux->services_line = conf_line_of(list);
}

static void parse_channel_expires(struct conf_loader *ld,
				  const config_setting_t *group,
				  struct zone_channel *chan,
				  struct conf_chan_aux *aux)
{
	const config_setting_t *s;
	const char *v;
	const char *why;

	v = conf_get_string(ld, group, "expires", aux->what, false, 0, &s);
	if (!v)
		return;
	why = conf_parse_expires(v, &chan->expires);
	if (why) {
		conf_error(ld, conf_line_of(s), "%s: expires \"%.40s\" %s",
			   aux->what, v, why);
		return;
	}
	chan->expires_text = conf_strdup(ld, v);
}

static void parse_channel_not_before(struct conf_loader *ld,
				     const config_setting_t *group,
				     struct zone_channel *chan,
				     struct conf_chan_aux *aux)
{
	const config_setting_t *s;
	const char *v;
	const char *why;

	v = conf_get_string(ld, group, "not_before", aux->what, false, 0, &s);
	if (!v)
		return;
	why = conf_parse_not_before(v, &chan->not_before);
	if (why) {
		conf_error(ld, conf_line_of(s), "%s: not_before \"%.40s\" %s",
			   aux->what, v, why);
		return;
	}
	chan->not_before_text = conf_strdup(ld, v);
	if (chan->not_before_text && chan->expires_text &&
	    chan->not_before >= chan->expires)
		conf_error(ld, conf_line_of(s),
			   "%s: not_before \"%.40s\" is not before expires \"%.40s\": the channel would never hold",
			   aux->what, v, chan->expires_text);
}

/* One window line into chan->windows; NULL or why it is refused. */
static const char *add_window(struct zone_channel *chan, const char *v,
			      size_t text, size_t *ret_clash)
{
	struct zone_window w[ZONE_WINDOW_DAYS_MAX];
	const char *why;
	size_t n;
	size_t i;
	size_t k;

	why = zone_window_parse(v, w, &n);
	if (why)
		return why;
	for (i = 0; i < n; i++) {
		for (k = 0; k < chan->n_windows; k++) {
			if (zone_window_overlap(&w[i], &chan->windows[k])) {
				*ret_clash = chan->windows[k].text;
				return "overlaps";
			}
		}
	}
	for (i = 0; i < n; i++) {
		w[i].text = (uint16_t)text;
		chan->windows[chan->n_windows++] = w[i];
	}
	return NULL;
}

/*
 * windows: recurring weekly windows in local time.  Overlapping windows of
 * one channel are refused: they are a typo more often than intent, and
 * their union is better written as one window.
 */
static void parse_channel_windows(struct conf_loader *ld,
				  const config_setting_t *group,
				  struct zone_channel *chan,
				  struct conf_chan_aux *aux)
{
	const config_setting_t *list;
	const config_setting_t *e;
	const char *why;
	const char *v;
	size_t clash = 0;
	int len;
	int i;

	list = conf_get_string_list(ld, group, "windows", aux->what);
	if (!list)
		return;
	len = config_setting_length(list);
	if (len == 0) {
		conf_error(ld, conf_line_of(list),
			   "%s: windows is empty (leave it out for a channel open at any time)",
			   aux->what);
		return;
	}
	if (len > ZONE_WINDOW_MAX) {
		conf_error(ld, conf_line_of(list),
			   "%s: windows lists %d windows, at most %d",
			   aux->what, len, ZONE_WINDOW_MAX);
		return;
	}
	chan->window_texts = calloc((size_t)len, sizeof(*chan->window_texts));
	chan->windows = calloc((size_t)len * ZONE_WINDOW_DAYS_MAX,
			       sizeof(*chan->windows));
	if (!chan->window_texts || !chan->windows) {
		ld->nomem = true;
		return;
	}
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(list, (unsigned int)i);
		v = config_setting_get_string(e);
		why = add_window(chan, v, chan->n_window_texts, &clash);
		if (why && strcmp(why, "overlaps") == 0) {
			conf_error(ld, conf_line_of(e),
				   "%s: window \"%.40s\" overlaps window \"%.40s\"",
				   aux->what, v, chan->window_texts[clash]);
			continue;
		}
		if (why) {
			conf_error(ld, conf_line_of(e), "%s: window \"%.40s\" %s",
				   aux->what, v, why);
			continue;
		}
		chan->window_texts[chan->n_window_texts++] = conf_strdup(ld, v);
	}
}

/* "02:00:5e:10:00:01" (either case) into @mac; NULL or why refused */
static const char *parse_mac(const char *s, uint8_t *mac)
{
	unsigned int v[6];
	int n = 0;
	int i;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &n) != 6 ||
	    n != 17)
		return "is not an Ethernet address (six hex octets separated by colons)";
	for (i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return "is not an Ethernet address (six hex octets separated by colons)";
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	if (mac[0] & 1)
		return "is a group (multicast or broadcast) address, never a source";
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return "is all zeros";
	return NULL;
}

/*
 * from_macs: the Ethernet source addresses of the pinned hosts.  The
 * kernel sees only the last hop's address, so they mean something only
 * for a source zone on the gateway's own link (checked with the channel).
 */
static void parse_channel_macs(struct conf_loader *ld,
			       const config_setting_t *group,
			       struct zone_channel *chan,
			       struct conf_chan_aux *aux)
{
	const config_setting_t *list;
	const config_setting_t *e;
	const char *why;
	const char *v;
	size_t k;
	int len;
	int i;

	list = conf_get_string_list(ld, group, "from_macs", aux->what);
	if (!list)
		return;
	aux->from_macs_line = conf_line_of(list);
	len = config_setting_length(list);
	if (len == 0) {
		conf_error(ld, conf_line_of(list),
			   "%s: from_macs is empty (leave it out to admit any Ethernet source)",
			   aux->what);
		return;
	}
	chan->from_macs = calloc((size_t)len, sizeof(*chan->from_macs));
	if (!chan->from_macs) {
		ld->nomem = true;
		return;
	}
	for (i = 0; i < len; i++) {
		uint8_t *mac = chan->from_macs[chan->n_from_macs];

		e = config_setting_get_elem(list, (unsigned int)i);
		v = config_setting_get_string(e);
		why = parse_mac(v, mac);
		if (why) {
			conf_error(ld, conf_line_of(e), "%s: from_macs \"%.40s\" %s",
				   aux->what, v, why);
			continue;
		}
		for (k = 0; k < chan->n_from_macs; k++)
			if (memcmp(chan->from_macs[k], mac, 6) == 0)
				break;
		if (k < chan->n_from_macs) {
			conf_error(ld, conf_line_of(e),
				   "%s: from_macs \"%.40s\" is listed twice",
				   aux->what, v);
			continue;
		}
		chan->n_from_macs++;
	}
}

/* from/to: resolved against the segments, dangling names reported. */
static const struct zone_segment *
parse_end(struct conf_loader *ld, const config_setting_t *group,
	  const char *key, struct conf_chan_aux *aux, int *ret_line)
{
	return conf_get_segment(ld, group, key, aux->what, ret_line);
}

static void parse_channel_kind(struct conf_loader *ld,
			       const config_setting_t *group,
			       struct zone_channel *chan,
			       struct conf_chan_aux *aux, bool *ok)
{
	const config_setting_t *s;
	const char *v;
	int i;

	*ok = false;
	v = conf_get_string(ld, group, "kind", aux->what, true, conf_line_of(group), &s);
	if (!v)
		return;
	for (i = 0; i < ZONE_CHANNEL_KIND_MAX; i++) {
		if (strcmp(zone_channel_kind_name((enum zone_channel_kind)i),
			   v) == 0) {
			chan->kind = (enum zone_channel_kind)i;
			*ok = true;
			return;
		}
	}
	conf_error(
		ld, conf_line_of(s),
		"%s: kind \"%.40s\" is not one of system-pair, public-system, screen-transfer, sanitize, breakout, inbound",
		aux->what, v);
}

/* Entries of a list as written: -1 when absent, 1 when not a list. */
int conf_raw_length(const config_setting_t *group, const char *key)
{
	const config_setting_t *s = config_setting_get_member(group, key);

	if (!s)
		return -1;
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST)
		return 1;
	return config_setting_length(s);
}

static void parse_channel(struct conf_loader *ld, const config_setting_t *group,
			  size_t index, int pos)
{
	static const char *const keys[] = {
		"name",	      "kind",	  "from",     "to",
		"from_hosts", "to_hosts", "services", "reason",
		"approved",   "expires",  "not_before", "windows",
		"vendor",     "from_macs", NULL
	};
	struct zone_channel *chan = &ld->model->channels[index];
	struct conf_chan_aux *aux = &ld->chan_aux[index];
	const config_setting_t *s;
	bool kind_ok;

	chan->index = index;
	chan->line = conf_line_of(group);
	chan->name = conf_parse_name(ld, group, "channel", pos, aux->what);
	conf_check_keys(ld, group, aux->what, keys);
	parse_channel_kind(ld, group, chan, aux, &kind_ok);
	chan->from = parse_end(ld, group, "from", aux, &aux->from_line);
	chan->to = parse_end(ld, group, "to", aux, &aux->to_line);
	aux->ends_ok = kind_ok && chan->from && chan->to &&
		       ld->seg_aux[chan->from->index].role_ok &&
		       ld->seg_aux[chan->to->index].role_ok;
	aux->from_hosts_line = chan->line;
	aux->to_hosts_line = chan->line;
	aux->services_line = chan->line;
	if (conf_parse_prefixes(ld, group, "from_hosts", aux->what,
			   &chan->from_hosts, &chan->n_from_hosts,
			   &aux->from_lines)) {
		s = config_setting_get_member(group, "from_hosts");
		aux->from_hosts_line = conf_line_of(s);
	}
	if (conf_parse_prefixes(ld, group, "to_hosts", aux->what, &chan->to_hosts,
			   &chan->n_to_hosts, &aux->to_lines)) {
		s = config_setting_get_member(group, "to_hosts");
		aux->to_hosts_line = conf_line_of(s);
	}
	parse_services(ld, group, chan, aux);
	aux->from_hosts_len = conf_raw_length(group, "from_hosts");
	aux->to_hosts_len = conf_raw_length(group, "to_hosts");
	aux->services_len = conf_raw_length(group, "services");
	chan->reason = conf_get_text(ld, group, "reason", aux->what, true,
				chan->line, TEXT_MAX);
	chan->approved = conf_get_text(ld, group, "approved", aux->what, true,
				  chan->line, TEXT_MAX);
	parse_channel_expires(ld, group, chan, aux);
	parse_channel_not_before(ld, group, chan, aux);
	parse_channel_windows(ld, group, chan, aux);
	chan->vendor = conf_get_text(ld, group, "vendor", aux->what, false,
				     chan->line, TEXT_MAX);
	parse_channel_macs(ld, group, chan, aux);
}

static void parse_channel_list(struct conf_loader *ld,
			       const config_setting_t *list)
{
	const config_setting_t *e;
	int i;

	for (i = 0; i < config_setting_length(list); i++) {
		e = conf_entry(ld, list, i, "channels");
		if (!e)
			continue;
		parse_channel(ld, e, ld->model->n_channels++, i + 1);
	}
}

static void parse_alerts(struct conf_loader *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "facility", NULL };
	const config_setting_t *alerts =
		config_setting_get_member(root, "alerts");
	const config_setting_t *s;
	const char *v;

	ld->model->alert_facility = LOG_AUTHPRIV;
	if (!conf_typed(ld, alerts, CONFIG_TYPE_GROUP, "alerts"))
		return;
	conf_check_keys(ld, alerts, "alerts", keys);
	v = conf_get_string(ld, alerts, "facility", "alerts", false, 0, &s);
	if (!v)
		return;
	if (conf_facility_lookup(v, &ld->model->alert_facility))
		return;
	conf_error(
		ld, conf_line_of(s),
		"alerts: facility \"%.40s\" is not one of auth, authpriv, daemon, user, local0..local7",
		v);
}

/* Bounds of the metrics interval, in seconds. */
#define METRICS_INTERVAL_DEFAULT 15
#define METRICS_INTERVAL_MAX 3600

static void parse_metrics_interval(struct conf_loader *ld,
				   const config_setting_t *metrics)
{
	const config_setting_t *s =
		config_setting_get_member(metrics, "interval");
	long long v;

	ld->model->metrics_interval = METRICS_INTERVAL_DEFAULT;
	if (!s)
		return;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		conf_error(ld, conf_line_of(s),
			   "metrics: interval must be a number of seconds");
		return;
	}
	v = config_setting_get_int64(s);
	if (v < 1 || v > METRICS_INTERVAL_MAX) {
		conf_error(ld, conf_line_of(s),
			   "metrics: interval %lld is out of range (1..%d seconds)",
			   v, METRICS_INTERVAL_MAX);
		return;
	}
	ld->model->metrics_interval = (unsigned int)v;
}

/*
 * metrics = { file = "/run/zoned/zoned.prom"; interval = 15; }: off when
 * absent.  node_exporter's textfile collector reads only *.prom files, so
 * any other name would be written and never read: refused.
 */
static void parse_metrics(struct conf_loader *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "file", "interval", NULL };
	const config_setting_t *metrics =
		config_setting_get_member(root, "metrics");
	const config_setting_t *s;
	const char *v;
	size_t n;

	if (!conf_typed(ld, metrics, CONFIG_TYPE_GROUP, "metrics"))
		return;
	conf_check_keys(ld, metrics, "metrics", keys);
	parse_metrics_interval(ld, metrics);
	v = conf_get_string(ld, metrics, "file", "metrics", true, conf_line_of(metrics),
		       &s);
	if (!v)
		return;
	n = strlen(v);
	if (v[0] != '/' || n < 6 || n > 200 || strcmp(v + n - 5, ".prom") ||
	    v[n - 6] == '/' || strchr(v, '\n'))
		conf_error(
			ld, conf_line_of(s),
			"metrics: file \"%.60s\" must be an absolute path ending in NAME.prom (at most 200 bytes)",
			v);
	else
		ld->model->metrics_file = conf_strdup(ld, v);
}

static void parse_profile(struct conf_loader *ld, const config_setting_t *root)
{
	const config_setting_t *s;
	const char *v;
	int i;

	ld->model->profile = ZONE_PROFILE_ALPHA;
	ld->profile_line = 0;
	v = conf_get_string(ld, root, "profile", "", false, 0, &s);
	if (!v)
		return;
	ld->profile_line = conf_line_of(s);
	for (i = 0; i < ZONE_PROFILE_MAX; i++) {
		if (strcmp(zone_profile_name((enum zone_profile)i), v) == 0) {
			ld->model->profile = (enum zone_profile)i;
			return;
		}
	}
	ld->profile_bad = true;
	conf_error(
		ld, conf_line_of(s),
		"profile \"%.40s\" is not one of alpha, alpha-prime, beta, beta-prime",
		v);
}

/*
 * A profile other than alpha is allowed only with organisational measures
 * approved on record.  An approval given for alpha is refused too: it
 * most likely means the profile line was lost or mistyped, and the
 * operator believes a different model is in force.
 */
static void parse_approval(struct conf_loader *ld, const config_setting_t *root)
{
	const config_setting_t *s =
		config_setting_get_member(root, "profile_approved");
	struct zone_model *m = ld->model;

	if (ld->profile_bad)
		return;
	if (m->profile == ZONE_PROFILE_ALPHA) {
		if (s)
			conf_error(
				ld, conf_line_of(s),
				"profile_approved is only valid with a profile other than alpha");
		return;
	}
	if (!s) {
		conf_error(
			ld, ld->profile_line,
			"profile %s needs profile_approved (the approval of its organisational measures)",
			zone_profile_name(m->profile));
		return;
	}
	m->profile_approved =
		conf_get_text(ld, root, "profile_approved", "", true, 0, TEXT_MAX);
}

static void parse_mode(struct conf_loader *ld, const config_setting_t *root)
{
	const config_setting_t *s;
	const char *v;

	ld->model->mode = ZONE_MODE_ENFORCE;
	v = conf_get_string(ld, root, "mode", "", false, 0, &s);
	if (!v)
		return;
	if (strcmp(v, "monitor") == 0)
		ld->model->mode = ZONE_MODE_MONITOR;
	else if (strcmp(v, "enforce") != 0)
		conf_error(ld, conf_line_of(s),
			   "mode \"%.40s\" is not one of enforce, monitor", v);
}

/* A top-level list setting, or NULL (reported when it is not a list). */
static const config_setting_t *
get_list(struct conf_loader *ld, const config_setting_t *root, const char *key)
{
	return conf_typed(ld, config_setting_get_member(root, key),
			  CONFIG_TYPE_LIST, key);
}

static int count_of(const config_setting_t *list)
{
	return list ? config_setting_length(list) : 0;
}

static void alloc_model(struct conf_loader *ld, size_t n_segs, size_t n_chans)
{
	struct zone_model *m = ld->model;

	m->segments = calloc(n_segs ? n_segs : 1, sizeof(*m->segments));
	ld->seg_aux = calloc(n_segs ? n_segs : 1, sizeof(*ld->seg_aux));
	m->channels = calloc(n_chans ? n_chans : 1, sizeof(*m->channels));
	ld->chan_aux = calloc(n_chans ? n_chans : 1, sizeof(*ld->chan_aux));
	if (!m->segments || !ld->seg_aux || !m->channels || !ld->chan_aux)
		ld->nomem = true;
}

static void parse_root(struct conf_loader *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "profile",	   "profile_approved",
					    "mode",	   "zones",
					    "attachments", "channels",
					    "alerts",	   "narrow",
					    "gateway",	   "metrics",
					    "history",
					    NULL };
	const config_setting_t *zones;
	const config_setting_t *atts;
	const config_setting_t *chans;
	size_t next = 0;

	conf_check_keys(ld, root, "", keys);
	parse_profile(ld, root);
	parse_approval(ld, root);
	parse_mode(ld, root);
	parse_alerts(ld, root);
	parse_metrics(ld, root);
	zones = get_list(ld, root, "zones");
	atts = get_list(ld, root, "attachments");
	chans = get_list(ld, root, "channels");
	if (!config_setting_get_member(root, "zones"))
		conf_error(ld, 0, "missing zones");
	alloc_model(ld, (size_t)(count_of(zones) + count_of(atts)),
		    (size_t)count_of(chans));
	if (ld->nomem)
		return;
	if (zones)
		parse_segment_list(ld, zones, &next, true);
	ld->model->n_zones = next;
	if (zones && next == 0 && count_of(zones) == 0)
		conf_error(ld, conf_line_of(zones),
			   "zones must list at least one zone");
	if (atts)
		parse_segment_list(ld, atts, &next, false);
	ld->model->n_segments = next;
	conf_check_segments(ld);
	if (chans)
		parse_channel_list(ld, chans);
	conf_check_channels(ld);
	conf_parse_narrow(ld, root);
	conf_parse_gateway(ld, root);
	conf_parse_history(ld, root);
}

static void loader_release(struct conf_loader *ld)
{
	size_t i;

	if (ld->seg_aux) {
		for (i = 0; i < ld->model->n_segments; i++) {
			free(ld->seg_aux[i].net_lines);
			free(ld->seg_aux[i].if_lines);
		}
	}
	if (ld->chan_aux) {
		for (i = 0; i < ld->model->n_channels; i++) {
			free(ld->chan_aux[i].from_lines);
			free(ld->chan_aux[i].to_lines);
			free(ld->chan_aux[i].svc_lines);
		}
	}
	free(ld->seg_aux);
	free(ld->chan_aux);
}

/* libconfig keeps line numbers in an unsigned short. */
#define CONF_MAX_LINES 65535

/*
 * Before libconfig sees the text: @include would pull in a file that
 * escaped the ownership check (and libconfig resolves it against the
 * working directory), and past CONF_MAX_LINES the line numbers of the
 * diagnostics would wrap.  Refuse both.
 */
static void prescan(struct conf_loader *ld, const char *text)
{
	const char *p = text;
	int line = 1;

	while (*p) {
		if (line > CONF_MAX_LINES) {
			conf_error(ld, 0, "more than %d lines", CONF_MAX_LINES);
			return;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "@include", 8) == 0)
			conf_error(ld, line, "@include is not supported");
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
		line++;
	}
}

/* Parse @text into ld->model, collecting every error in @ld. */
static void parse_text(struct conf_loader *ld, const char *text)
{
	config_t cf;

	prescan(ld, text);
	if (ld->errors)
		return;
	config_init(&cf);
	if (config_read_string(&cf, text) != CONFIG_TRUE)
		conf_error(ld, config_error_line(&cf), "%s",
			   config_error_text(&cf) ? config_error_text(&cf) :
						    "syntax error");
	else
		parse_root(ld, config_root_setting(&cf));
	config_destroy(&cf);
	loader_release(ld);
}

static int load_text(const char *text, const char *name, struct zone_diag *diag,
		     struct zone_model **ret_model)
{
	struct conf_loader ld = { .file = name, .diag = diag };
	int ret;

	ld.model = calloc(1, sizeof(*ld.model));
	if (!ld.model)
		return -ENOMEM;
	if (name) {
		ld.model->file = strdup(name);
		if (!ld.model->file) {
			ret = -ENOMEM;
			goto out_free;
		}
	}
	parse_text(&ld, text);
	flush_msgs(&ld);
	ret = ld.nomem ? -ENOMEM : ld.errors ? -EINVAL : 0;
	if (ret < 0)
		goto out_free;
	ret = model_finish(ld.model);
	if (ret < 0)
		goto out_free;
	*ret_model = ld.model;
	return 0;

out_free:
	zone_model_free(ld.model);
	return ret;
}

/**
 * zone_conf_load_string - load a config held in memory
 * @text: the config text
 * @name: the name diagnostics use for the file; NULL prints "(stdin)"
 * @diag: receives every error
 * @ret_model: the new model on success; the caller owns it
 *
 * Returns 0, -EINVAL when the config has errors, or -ENOMEM.
 */
int zone_conf_load_string(const char *text, const char *name,
			  struct zone_diag *diag, struct zone_model **ret_model)
{
	return load_text(text, name, diag, ret_model);
}

/**
 * zone_conf_load - read, parse and validate a config file
 * @path: the file; diagnostics name it as given
 * @flags: zone_conf_flags
 * @diag: receives every error, each "FILE:LINE: message" ("FILE: message"
 *	for problems of the file as a whole)
 * @ret_model: the new model on success; the caller owns it
 *
 * Returns 0, -EINVAL when the config has errors, -EPERM when the file's
 * owner or mode is unsafe, or another -errno when it cannot be read.
 */
int zone_conf_load(const char *path, unsigned int flags, struct zone_diag *diag,
		   struct zone_model **ret_model)
{
	char *text = NULL;
	int ret;

	ret = conf_read_file(path, flags, diag, &text);
	if (ret < 0)
		return ret;
	ret = load_text(text, path, diag, ret_model);
	free(text);
	return ret;
}
