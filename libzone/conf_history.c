/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The history block: how many applied policies zoned keeps in its state
 * directory, and how many bytes they may take (zoned.conf(5)).  The bound
 * is part of the policy, so that the annual review knows what was kept.
 */
#include <errno.h>
#include <libconfig.h>

#include "conf_priv.h"
#include "model_priv.h"

static void get_bounded(struct conf_loader *ld, const config_setting_t *group,
			const char *key, long long min, long long max,
			long long *ret)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	long long v;

	if (!s)
		return;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		conf_error(ld, conf_line_of(s), "history: %s must be a number",
			   key);
		return;
	}
	v = config_setting_get_int64(s);
	if (v < min || v > max) {
		conf_error(ld, conf_line_of(s),
			   "history: %s %lld is out of range %lld..%lld", key,
			   v, min, max);
		return;
	}
	*ret = v;
}

/**
 * conf_parse_history - the optional history = { entries; max_bytes; }
 * @root: the config's root group
 *
 * Unset keys keep their defaults (ZONE_HISTORY_ENTRIES_DEFAULT,
 * ZONE_HISTORY_BYTES_DEFAULT).
 */
void conf_parse_history(struct conf_loader *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "entries", "max_bytes", NULL };
	const config_setting_t *h = config_setting_get_member(root, "history");
	long long entries = ZONE_HISTORY_ENTRIES_DEFAULT;
	long long bytes = ZONE_HISTORY_BYTES_DEFAULT;

	h = conf_typed(ld, h, CONFIG_TYPE_GROUP, "history");
	if (h) {
		conf_check_keys(ld, h, "history", keys);
		get_bounded(ld, h, "entries", ZONE_HISTORY_ENTRIES_MIN,
			    ZONE_HISTORY_ENTRIES_MAX, &entries);
		get_bounded(ld, h, "max_bytes", ZONE_HISTORY_BYTES_MIN,
			    ZONE_HISTORY_BYTES_MAX, &bytes);
	}
	ld->model->history_entries = (size_t)entries;
	ld->model->history_bytes = (size_t)bytes;
}
