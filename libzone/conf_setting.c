/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Groups and lists of the config checked for their type before the
 * loader reads them, each mistake reported once in the same words:
 * "WHAT must be a group { ... }", "WHAT: entry N must be a group { ... }".
 */

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
