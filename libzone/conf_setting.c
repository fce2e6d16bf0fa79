/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Settings that stand in several places of the config, read the same way
 * wherever they stand: groups and lists checked for their type before the
 * loader reads them, each mistake reported in the same words ("WHAT must
 * be a group { ... }", "WHAT: entry N must be a group { ... }"), the
 * segments that channels, gateway rules and narrow entries name, and
 * their service lists.
 */

#include <stdlib.h>

#include <libconfig.h>

#include "conf_priv.h"

const config_setting_t *conf_typed(struct conf_loader *ld,
				   const config_setting_t *s, int type,
				   const char *what)
{
	if (!s || config_setting_type(s) == type)
		return s;
	if (type == CONFIG_TYPE_GROUP)
		conf_error(ld, conf_line_of(s), "%s must be a group { ... }",
			   what);
	else
		conf_error(ld, conf_line_of(s),
			   "%s must be a list ( { ... }, ... )", what);
	return NULL;
}

const config_setting_t *conf_entry(struct conf_loader *ld,
				   const config_setting_t *list, int i,
				   const char *what)
{
	const config_setting_t *e =
		config_setting_get_elem(list, (unsigned int)i);

	if (config_setting_type(e) == CONFIG_TYPE_GROUP)
		return e;
	conf_error(ld, conf_line_of(e), "%s: entry %d must be a group { ... }",
		   what, i + 1);
	return NULL;
}

const struct zone_segment *conf_get_segment(struct conf_loader *ld,
					    const config_setting_t *group,
					    const char *key, const char *what,
					    int *ret_line)
{
	const struct zone_segment *seg;
	const config_setting_t *s;
	const char *v;

	v = conf_get_string(ld, group, key, what, true, conf_line_of(group),
			    &s);
	if (ret_line)
		*ret_line = s ? conf_line_of(s) : conf_line_of(group);
	if (!v)
		return NULL;
	seg = conf_name_valid(v) ? zone_model_segment_by_name(ld->model, v) :
				   NULL;
	if (!seg)
		conf_error(ld, conf_line_of(s),
			   "%s: %s \"%.40s\" names no zone or attachment", what,
			   key, v);
	return seg;
}

const config_setting_t *conf_parse_services(struct conf_loader *ld,
					    const config_setting_t *group,
					    const char *what,
					    struct zone_service **ret,
					    size_t *ret_n, int **ret_lines)
{
	const config_setting_t *list;
	const config_setting_t *e;
	struct zone_service *v;
	int *lines = NULL;
	const char *why;
	size_t n = 0;
	int len;
	int i;

	list = conf_get_string_list(ld, group, "services", what);
	if (!list)
		return NULL;
	len = config_setting_length(list);
	v = calloc(len ? (size_t)len : 1, sizeof(*v));
	if (ret_lines)
		lines = conf_alloc_lines(ld, (size_t)len);
	if (!v || (ret_lines && !lines)) {
		ld->nomem = true;
		free(v);
		free(lines);
		return NULL;
	}
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(list, (unsigned int)i);
		why = conf_parse_service(config_setting_get_string(e), &v[n]);
		if (why) {
			conf_error(ld, conf_line_of(e),
				   "%s: service \"%s\": %s", what,
				   config_setting_get_string(e), why);
			continue;
		}
		if (lines)
			lines[n] = conf_line_of(e);
		n++;
	}
	*ret = v;
	*ret_n = n;
	if (ret_lines)
		*ret_lines = lines;
	return list;
}
