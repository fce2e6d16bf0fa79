// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Breakout by name in the config (zoned.conf(5)): a channel's to_names
 * and the names = { ttl_min; ttl_max; } block.  A name is only ever a
 * destination of an alpha-prime breakout channel: the one place where the
 * policy lets the lgwan tier reach the internet, and never the resident
 * tier, whose channels are pinned to addresses.
 */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libconfig.h>

#include "conf_priv.h"
#include "model_priv.h"
#include "names_priv.h"

/* to_names entries per channel */
#define NAMES_PER_CHANNEL_MAX 32

/*
 * One to_names entry into chan->to_names; NULL or why it is refused.
 * Refused entries are kept all the same, so that the checks after still
 * see the key; a config with errors never becomes a model.
 */
static const char *add_name(struct conf_loader *ld, void *ctx, const char *v,
			    int line)
{
	struct zone_channel *chan = ctx;
	struct zone_name *nm = &chan->to_names[chan->n_to_names];
	const char *why;
	size_t k;

	why = zone_fqdn_problem(v);
	for (k = 0; !why && k < chan->n_to_names; k++) {
		if (strcasecmp(chan->to_names[k].fqdn, v) == 0)
			why = "is listed twice";
	}
	nm->fqdn = conf_strdup(ld, v);
	nm->line = line;
	chan->n_to_names++;
	return why;
}

/**
 * conf_parse_channel_names - the channel's to_names, if any
 * @group: the channel's group
 * @index: the channel's index in the model
 *
 * Malformed entries are reported and kept (see add_name()).
 */
void conf_parse_channel_names(struct conf_loader *ld,
			      const config_setting_t *group, size_t index)
{
	struct zone_channel *chan = &ld->model->channels[index];
	const char *what = ld->chan_aux[index].what;
	const config_setting_t *list;
	int len;

	list = conf_get_nonempty_list(ld, group, "to_names", what,
				      "leave it out, or list the names", NULL,
				      &len);
	if (!list)
		return;
	if (len > NAMES_PER_CHANNEL_MAX) {
		conf_error(ld, conf_line_of(list),
			   "%s: to_names lists %d names, at most %d", what, len,
			   NAMES_PER_CHANNEL_MAX);
		return;
	}
	chan->to_names = calloc((size_t)len, sizeof(*chan->to_names));
	if (!chan->to_names) {
		ld->nomem = true;
		return;
	}
	conf_each_string(ld, list, what, "to_names", add_name, chan);
}

/**
 * conf_check_channel_names - to_names only where the policy allows it
 * @index: the channel, its kind parsed; its ends may be unresolved
 */
void conf_check_channel_names(struct conf_loader *ld, size_t index)
{
	const struct zone_channel *c = &ld->model->channels[index];
	const struct conf_chan_aux *aux = &ld->chan_aux[index];
	int line;

	if (c->n_to_names == 0)
		return;
	line = c->to_names[0].line;
	if (c->from && c->to && ld->seg_aux[c->from->index].role_ok &&
	    ld->seg_aux[c->to->index].role_ok &&
	    (c->from->role == ZONE_ROLE_RESIDENT ||
	     c->to->role == ZONE_ROLE_RESIDENT)) {
		conf_error(
			ld, line,
			"%s: to_names is never allowed on a channel touching the resident tier (its channels are pinned to addresses)",
			aux->what);
		return;
	}
	if (aux->ends_ok && c->kind != ZONE_CHANNEL_BREAKOUT) {
		conf_error(
			ld, line,
			"%s: to_names is only for kind breakout, not kind %s",
			aux->what, zone_channel_kind_name(c->kind));
		return;
	}
	if (ld->model->profile != ZONE_PROFILE_ALPHA_PRIME && !ld->profile_bad)
		conf_error(
			ld, line,
			"%s: to_names needs profile alpha-prime (breakout by name), not %s",
			aux->what, zone_profile_name(ld->model->profile));
}

static bool get_ttl(struct conf_loader *ld, const config_setting_t *group,
		    const char *key, unsigned int *ret, int *ret_line)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	long long v;

	if (!s)
		return true;
	*ret_line = conf_line_of(s);
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		conf_error(ld, conf_line_of(s),
			   "names: %s must be a number of seconds", key);
		return false;
	}
	v = config_setting_get_int64(s);
	if (v < ZONE_NAMES_TTL_FLOOR || v > ZONE_NAMES_TTL_CEILING) {
		conf_error(ld, conf_line_of(s),
			   "names: %s %lld is out of range %d..%d seconds", key,
			   v, ZONE_NAMES_TTL_FLOOR, ZONE_NAMES_TTL_CEILING);
		return false;
	}
	*ret = (unsigned int)v;
	return true;
}

/**
 * conf_parse_names - the optional names = { ttl_min; ttl_max; }
 * @root: the config's root group
 *
 * A record's TTL is raised to ttl_min (so that a TTL of 0 does not make
 * zoned ask every second) and cut to ttl_max (so that an address a
 * record dropped does not stay open for days).
 */
void conf_parse_names(struct conf_loader *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "ttl_min", "ttl_max", NULL };
	const config_setting_t *g = config_setting_get_member(root, "names");
	unsigned int lo = ZONE_NAMES_TTL_MIN_DEFAULT;
	unsigned int hi = ZONE_NAMES_TTL_MAX_DEFAULT;
	int line = 0;
	bool ok;

	if (g && config_setting_type(g) != CONFIG_TYPE_GROUP) {
		conf_error(ld, conf_line_of(g),
			   "names must be a group { ... }");
		g = NULL;
	}
	if (g) {
		conf_check_keys(ld, g, "names", keys);
		ok = get_ttl(ld, g, "ttl_min", &lo, &line);
		ok = get_ttl(ld, g, "ttl_max", &hi, &line) && ok;
		if (ok && lo > hi)
			conf_error(ld, line,
				   "names: ttl_min %u is above ttl_max %u", lo,
				   hi);
	}
	ld->model->names_ttl_min = lo;
	ld->model->names_ttl_max = hi;
}
