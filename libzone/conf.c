/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Config loading: read the file safely, parse it with libconfig, turn
 * every setting into the model and report each problem as "FILE:LINE:
 * message".  Nothing stops at the first error: all of them are collected
 * (conf_error.c), then the load fails as a whole.  This file is the top:
 * the settings of the root, then the parts in order (conf_segment.c,
 * conf_channel.c, the checks of conf_check.c, conf_edge.c,
 * conf_history.c); none of them calls back here.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <libconfig.h>

#include <zone/conf.h>

#include "conf_priv.h"
#include "names_priv.h"

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
					    "history",	   "names",
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
		conf_parse_segment_list(ld, zones, &next, true);
	ld->model->n_zones = next;
	if (zones && next == 0 && count_of(zones) == 0)
		conf_error(ld, conf_line_of(zones),
			   "zones must list at least one zone");
	if (atts)
		conf_parse_segment_list(ld, atts, &next, false);
	ld->model->n_segments = next;
	conf_check_segments(ld);
	if (chans)
		conf_parse_channel_list(ld, chans);
	conf_check_channels(ld);
	conf_parse_narrow(ld, root);
	conf_parse_gateway(ld, root);
	conf_parse_history(ld, root);
	conf_parse_names(ld, root);
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

/* The tree with the lifted networks lists hung on it (conf_lift.c). */
static void parse_lifted(struct conf_loader *ld, config_setting_t *root)
{
	int ret = conf_lift_attach(ld, root);

	if (ret == -ENOMEM) {
		ld->nomem = true;
		return;
	}
	if (ret < 0) {
		/* never expected: fail rather than read a list for another */
		conf_error(ld, 0, "networks lists out of step with the tree");
		return;
	}
	parse_root(ld, root);
}

/* Parse @src into ld->model, collecting every error in @ld. */
static void parse_source(struct conf_loader *ld, struct conf_source *src)
{
	config_t cf;
	FILE *f;
	int ok;

	f = conf_stream(ld, src);
	if (!f) {
		ld->nomem = true;
		return;
	}
	config_init(&cf);
	ok = config_read(&cf, f);
	fclose(f);
	/* the stream refused the text: libconfig's view of it does not count */
	if (ld->errors == 0 && ok != CONFIG_TRUE)
		conf_error(ld, config_error_line(&cf), "%s",
			   config_error_text(&cf) ? config_error_text(&cf) :
						    "syntax error");
	else if (ld->errors == 0 && !ld->nomem)
		parse_lifted(ld, config_root_setting(&cf));
	config_destroy(&cf);
	conf_lifted_free(ld);
	loader_release(ld);
}

static int load_source(struct conf_source *src, const char *name,
		       struct zone_diag *diag, struct zone_model **ret_model)
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
	parse_source(&ld, src);
	conf_flush_msgs(&ld);
	ret = ld.nomem ? -ENOMEM : src->err ? src->err : ld.errors ? -EINVAL : 0;
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
	struct conf_source src = { .fd = -1, .text = text,
				   .size = strlen(text) };

	return load_source(&src, name, diag, ret_model);
}

/**
 * zone_conf_load_fd - load @size bytes of the open file @fd (see
 * zone/conf.h)
 *
 * Returns 0, -EINVAL when the config has errors or @size is over the
 * bound, or the -errno of a failed read.
 */
int zone_conf_load_fd(int fd, size_t size, const char *name,
		      struct zone_diag *diag, struct zone_model **ret_model)
{
	struct conf_source src = { .fd = fd, .size = size };

	if (size > (size_t)ZONE_CONF_MAX_SIZE)
		return -EINVAL;
	return load_source(&src, name, diag, ret_model);
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
	struct conf_source src;
	int ret;

	ret = conf_open_file(path, flags, diag, &src);
	if (ret < 0)
		return ret;
	ret = load_source(&src, path, diag, ret_model);
	conf_close_file(&src);
	return ret;
}
