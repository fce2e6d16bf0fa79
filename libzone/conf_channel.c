/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The channels list: each entry into a channel of the model (kind, ends,
 * hosts, services, approval, expiry, windows, MAC addresses), with the
 * source lines the checks of conf_check.c report.
 */

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libconfig.h>

#include <zone/model.h>

#include "conf_priv.h"
#include "names_priv.h"

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

/*
 * A time setting @key, parsed by @parse into @ret and copied as written
 * into @ret_text; the setting when it did, NULL when it is absent or
 * refused (reported).
 */
static const config_setting_t *
parse_time(struct conf_loader *ld, const config_setting_t *group,
	   const char *key, const char *what,
	   const char *(*parse)(const char *s, time_t *ret), time_t *ret,
	   char **ret_text)
{
	const config_setting_t *s;
	const char *v;
	const char *why;

	v = conf_get_string(ld, group, key, what, false, 0, &s);
	if (!v)
		return NULL;
	why = parse(v, ret);
	if (why) {
		conf_error(ld, conf_line_of(s), "%s: %s \"%.40s\" %s", what,
			   key, v, why);
		return NULL;
	}
	*ret_text = conf_strdup(ld, v);
	return *ret_text ? s : NULL;
}

static void parse_channel_expires(struct conf_loader *ld,
				  const config_setting_t *group,
				  struct zone_channel *chan,
				  struct conf_chan_aux *aux)
{
	parse_time(ld, group, "expires", aux->what, conf_parse_expires,
		   &chan->expires, &chan->expires_text);
}

static void parse_channel_not_before(struct conf_loader *ld,
				     const config_setting_t *group,
				     struct zone_channel *chan,
				     struct conf_chan_aux *aux)
{
	const config_setting_t *s;

	s = parse_time(ld, group, "not_before", aux->what,
		       conf_parse_not_before, &chan->not_before,
		       &chan->not_before_text);
	if (s && chan->expires_text && chan->not_before >= chan->expires)
		conf_error(ld, conf_line_of(s),
			   "%s: not_before \"%.40s\" is not before expires \"%.40s\": the channel would never hold",
			   aux->what, chan->not_before_text, chan->expires_text);
}

/* conf_each_string()'s context of a channel's windows */
struct window_add {
	struct zone_channel *chan;
	char why[64]; /* "overlaps window \"...\"" */
};

/*
 * One window line into chan->windows and its text into
 * chan->window_texts; NULL or why it is refused.
 */
static const char *add_window(struct conf_loader *ld, void *ctx, const char *v,
			      int line)
{
	struct window_add *wa = ctx;
	struct zone_channel *chan = wa->chan;
	struct zone_window w[ZONE_WINDOW_DAYS_MAX];
	const char *why;
	size_t n;
	size_t i;
	size_t k;

	(void)line;
	why = zone_window_parse(v, w, &n);
	if (why)
		return why;
	for (i = 0; i < n; i++) {
		for (k = 0; k < chan->n_windows; k++) {
			if (!zone_window_overlap(&w[i], &chan->windows[k]))
				continue;
			snprintf(wa->why, sizeof(wa->why),
				 "overlaps window \"%.40s\"",
				 chan->window_texts[chan->windows[k].text]);
			return wa->why;
		}
	}
	for (i = 0; i < n; i++) {
		w[i].text = (uint16_t)chan->n_window_texts;
		chan->windows[chan->n_windows++] = w[i];
	}
	chan->window_texts[chan->n_window_texts++] = conf_strdup(ld, v);
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
	struct window_add wa = { .chan = chan };
	const config_setting_t *list;
	int len;

	list = conf_get_nonempty_list(
		ld, group, "windows", aux->what,
		"leave it out for a channel open at any time", NULL, &len);
	if (!list)
		return;
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
	conf_each_string(ld, list, aux->what, "window", add_window, &wa);
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

/* One from_macs entry into chan->from_macs; NULL or why it is refused. */
static const char *add_mac(struct conf_loader *ld, void *ctx, const char *v,
			   int line)
{
	struct zone_channel *chan = ctx;
	uint8_t *mac = chan->from_macs[chan->n_from_macs];
	const char *why;
	size_t k;

	(void)ld;
	(void)line;
	why = parse_mac(v, mac);
	if (why)
		return why;
	for (k = 0; k < chan->n_from_macs; k++)
		if (memcmp(chan->from_macs[k], mac, 6) == 0)
			return "is listed twice";
	chan->n_from_macs++;
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
	int len;

	list = conf_get_nonempty_list(
		ld, group, "from_macs", aux->what,
		"leave it out to admit any Ethernet source",
		&aux->from_macs_line, &len);
	if (!list)
		return;
	chan->from_macs = calloc((size_t)len, sizeof(*chan->from_macs));
	if (!chan->from_macs) {
		ld->nomem = true;
		return;
	}
	conf_each_string(ld, list, aux->what, "from_macs", add_mac, chan);
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

static void parse_channel(struct conf_loader *ld, const config_setting_t *group,
			  size_t index, int pos)
{
	static const char *const keys[] = {
		"name",	      "kind",	  "from",     "to",
		"from_hosts", "to_hosts", "services", "reason",
		"approved",   "expires",  "not_before", "windows",
		"vendor",     "from_macs", "to_names", NULL
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
	conf_parse_channel_names(ld, group, index);
}

/*
 * conf_parse_channel_list - the channels @list, each entry a group, into
 * ld->model->channels
 */
void conf_parse_channel_list(struct conf_loader *ld,
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
