/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading settings: the typed getters of the loader (strings, free
 * text, lists, prefixes, names, unknown keys, groups and lists checked for
 * their type, the segment a setting names, service lists), each reporting
 * a setting of the wrong shape through conf_error() as "FILE:LINE:
 * message", in the same words wherever the setting stands.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include <zone/addr.h>

#include "conf_priv.h"

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

const config_setting_t *
conf_get_nonempty_list(struct conf_loader *ld, const config_setting_t *group,
		       const char *key, const char *what, const char *unset,
		       int *ret_line, int *ret_len)
{
	const config_setting_t *list;

	list = conf_get_string_list(ld, group, key, what);
	if (!list)
		return NULL;
	if (ret_line)
		*ret_line = conf_line_of(list);
	*ret_len = config_setting_length(list);
	if (*ret_len == 0) {
		conf_error(ld, conf_line_of(list), "%s: %s is empty (%s)", what,
			   key, unset);
		return NULL;
	}
	return list;
}

void conf_each_string(struct conf_loader *ld, const config_setting_t *list,
		      const char *what, const char *key,
		      const char *(*add)(struct conf_loader *ld, void *ctx,
					 const char *v, int line),
		      void *ctx)
{
	const config_setting_t *e;
	const char *why;
	const char *v;
	int i;

	for (i = 0; i < config_setting_length(list); i++) {
		e = config_setting_get_elem(list, (unsigned int)i);
		v = config_setting_get_string(e);
		why = add(ld, ctx, v, conf_line_of(e));
		if (why)
			conf_error(ld, conf_line_of(e), "%s: %s \"%.40s\" %s",
				   what, key, v, why);
	}
}

int *conf_alloc_lines(struct conf_loader *ld, size_t n)
{
	int *lines = calloc(n ? n : 1, sizeof(int));

	if (!lines)
		ld->nomem = true;
	return lines;
}

/*
 * The arrays a parsed list is stored in: @len values of @size bytes and,
 * unless @ret_lines is NULL, their lines (at least one of each, so that an
 * empty list is not mistaken for a failure); NULL with ld->nomem set, and
 * nothing allocated, when either fails.  Prefixes and services share it.
 */
static void *alloc_entries(struct conf_loader *ld, int len, size_t size,
			   int **ret_lines)
{
	void *v = calloc(len ? (size_t)len : 1, size);
	int *lines = NULL;

	if (ret_lines)
		lines = conf_alloc_lines(ld, (size_t)len);
	if (!v || (ret_lines && !lines)) {
		ld->nomem = true;
		free(v);
		free(lines);
		return NULL;
	}
	if (ret_lines)
		*ret_lines = lines;
	return v;
}

/*
 * A list the stream lifted (conf_lift.c): its bad entries reported as
 * below, its arrays handed over as they are.
 */
static bool take_lifted(struct conf_loader *ld, struct conf_lifted *l,
			const char *key, const char *what,
			struct zone_prefix **ret, size_t *ret_n,
			int **ret_lines)
{
	size_t i;

	/* as alloc_entries(): an empty list has arrays all the same */
	if (!l->v) {
		l->v = calloc(1, sizeof(*l->v));
		l->lines = calloc(1, sizeof(*l->lines));
		if (!l->v || !l->lines) {
			ld->nomem = true;
			return false;
		}
	}
	for (i = 0; i < l->n_bad; i++)
		conf_error(ld, l->bad[i].line, "%s: %s entry \"%.60s\" %s", what,
			   key, l->bad[i].text,
			   conf_prefix_problem(l->bad[i].text));
	*ret = l->v;
	*ret_n = l->n;
	*ret_lines = l->lines;
	l->v = NULL;
	l->lines = NULL;
	l->n = 0;
	return true;
}

/**
 * conf_list_length - the entries of @list as written, also when the stream
 * lifted them out of libconfig's tree
 */
int conf_list_length(const config_setting_t *list)
{
	const struct conf_lifted *l = config_setting_get_hook(list);

	return l ? (int)l->n_entries : config_setting_length(list);
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
	if (config_setting_get_hook(list))
		return take_lifted(ld, config_setting_get_hook(list), key, what,
				   ret, ret_n, ret_lines);
	len = config_setting_length(list);
	v = alloc_entries(ld, len, sizeof(*v), &lines);
	if (!v)
		return false;
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
	v = alloc_entries(ld, len, sizeof(*v), ret_lines ? &lines : NULL);
	if (!v)
		return NULL;
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
