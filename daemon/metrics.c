/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Metrics for Prometheus: the text exposition format (version 0.0.4) of
 * what `zonectl status` shows, for node_exporter's textfile collector.
 * The file is written whole under a temporary name and renamed over the
 * old one, so the collector never reads half a file.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zone/model.h>
#include <zone/ruleset.h>

#include "clockwatch.h"
#include "isolation.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "stats.h"
#include "zoned.h"

#ifndef ZONED_VERSION
#define ZONED_VERSION "0.1.0"
#endif

struct metrics {
	int tfd; /* the interval timer, -1 when off */
	char *path; /* the file being written, NULL when off */
	unsigned int interval;
	int last_err; /* errno of the last failed write, 0 if none */
};

/* A label value: backslash, double quote and newline escaped. */
static void put_label(FILE *out, const char *name, const char *value)
{
	const char *p;

	fprintf(out, "%s=\"", name);
	for (p = value ? value : ""; *p; p++) {
		if (*p == '\\' || *p == '"')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void put_head(FILE *out, const char *name, const char *type,
		     const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void put_u64(FILE *out, const char *name, uint64_t v)
{
	fprintf(out, "%s %" PRIu64 "\n", name, v);
}

/*
 * The states, each a gauge of value 1 whose label names the state, the
 * way `zonectl status --json` names it.  One entry per state: the table's
 * protection and the clock's state go here, next to the mode, each with
 * the getter that reads it from the daemon.
 */
struct metrics_state {
	const char *metric;
	const char *label;
	const char *help;
	const char *(*get)(const struct zoned *z);
};

static const char *state_mode(const struct zoned *z)
{
	return zone_mode_name(zone_model_mode(z->model));
}

static const char *state_protection(const struct zoned *z)
{
	return zone_nft_protection_name(zone_nft_protection(z->nft));
}

static const char *state_clock(const struct zoned *z)
{
	struct clockwatch_state cs;

	clockwatch_get(z, &cs);
	return clock_sync_name(cs.sync);
}

static const struct metrics_state metrics_states[] = {
	{ "zoned_mode", "mode",
	  "The mode in force (enforce or monitor), as value 1.", state_mode },
	{ "zoned_table_protection", "protection",
	  "How the kernel protects table inet zoned (owner-persist or "
	  "monitor-only), as value 1.",
	  state_protection },
	{ "zoned_clock_state", "state",
	  "The clock (synchronised, unsynchronised, or unknown where "
	  "adjtimex is refused), as value 1.",
	  state_clock },
};

/*
 * Clock steps since start: an operator alerts on any increase.  The sets
 * are every set of the clock, also those too small to add up to a step.
 */
static void print_clock(struct zoned *z, FILE *out)
{
	struct clockwatch_state cs;

	clockwatch_get(z, &cs);
	put_head(out, "zoned_clock_steps_total", "counter",
		 "Steps of the real-time clock seen since zoned started.");
	put_u64(out, "zoned_clock_steps_total", cs.steps);
	put_head(
		out, "zoned_clock_sets_total", "counter",
		"Sets of the real-time clock seen since zoned started, also those too small to add up to a step.");
	put_u64(out, "zoned_clock_sets_total", cs.sets);
}

static void print_states(struct zoned *z, FILE *out)
{
	const struct metrics_state *st;
	const char *v;
	size_t i;

	for (i = 0; i < sizeof(metrics_states) / sizeof(metrics_states[0]);
	     i++) {
		st = &metrics_states[i];
		v = st->get(z);
		if (v == NULL)
			continue;
		put_head(out, st->metric, "gauge", st->help);
		fprintf(out, "%s{", st->metric);
		put_label(out, st->label, v);
		fputs("} 1\n", out);
	}
}

static void print_policy(struct zoned *z, FILE *out)
{
	const struct zone_model *m = z->model;
	size_t n = zone_model_channel_count(m);
	size_t expired = 0;
	time_t now = time(NULL);
	size_t i;

	put_head(
		out, "zoned_policy_info", "gauge",
		"The policy in force, as value 1: its hash, profile and mode.");
	fputs("zoned_policy_info{", out);
	put_label(out, "policy_hash", zone_model_hash(m));
	fputc(',', out);
	put_label(out, "profile", zone_profile_name(zone_model_profile(m)));
	fputc(',', out);
	put_label(out, "mode", zone_mode_name(zone_model_mode(m)));
	fputc(',', out);
	put_label(out, "version", ZONED_VERSION);
	fputs("} 1\n", out);
	put_head(out, "zoned_policy_applied_timestamp_seconds", "gauge",
		 "When the policy in force was applied (Unix time).");
	fprintf(out, "zoned_policy_applied_timestamp_seconds %lld\n",
		(long long)z->applied_at);
	put_head(
		out, "zoned_policy_last_reload_rejected", "gauge",
		"1 when the last reload was rejected and the previous policy stayed in force.");
	put_u64(out, "zoned_policy_last_reload_rejected",
		z->last_error[0] ? 1 : 0);
	for (i = 0; i < n; i++)
		if (zone_channel_expired(zone_model_channel(m, i), now))
			expired++;
	put_head(out, "zoned_channels", "gauge",
		 "Channels in the config, and how many have expired.");
	fputs("zoned_channels{state=\"configured\"} ", out);
	fprintf(out, "%zu\nzoned_channels{state=\"expired\"} %zu\n", n,
		expired);
}

static void print_isolation(struct zoned *z, FILE *out)
{
	struct isolation_entry e;
	size_t n = isolation_count(z->iso);
	size_t i;

	put_head(out, "zoned_isolated", "gauge",
		 "Hosts and zones isolated by zonectl isolate.");
	put_u64(out, "zoned_isolated", n);
	if (n == 0)
		return;
	put_head(out, "zoned_isolated_since_timestamp_seconds", "gauge",
		 "When each isolation began (Unix time).");
	for (i = 0; i < n; i++) {
		isolation_get(z->iso, i, &e);
		fputs("zoned_isolated_since_timestamp_seconds{", out);
		put_label(out, "target", e.target);
		fprintf(out, "} %lld\n", (long long)e.since);
	}
}

static void print_totals(struct zoned *z, FILE *out)
{
	int k;

	put_head(
		out, "zoned_events_total", "counter",
		"Events since zoned started: deny, violation, killed, spoof, drift, events-lost.");
	for (k = 0; k < STAT_MAX; k++) {
		fputs("zoned_events_total{", out);
		put_label(out, "event", stats_kind_name(k));
		fprintf(out, "} %" PRIu64 "\n", stats_total(z->stats, k));
	}
}

static void pair_cb(const char *src, const char *dst,
		    const uint64_t counts[STAT_MAX], void *arg)
{
	FILE *out = arg;
	int k;

	for (k = 0; k < STAT_MAX; k++) {
		if (counts[k] == 0)
			continue;
		fputs("zoned_pair_events_total{", out);
		put_label(out, "event", stats_kind_name(k));
		fputc(',', out);
		put_label(out, "src_zone", src);
		fputc(',', out);
		put_label(out, "dst_zone", dst);
		fprintf(out, "} %" PRIu64 "\n", counts[k]);
	}
}

static void print_pair_events(struct zoned *z, FILE *out)
{
	put_head(
		out, "zoned_pair_events_total", "counter",
		"Events since zoned started, per source and destination zone.");
	stats_foreach(z->stats, pair_cb, out);
}

/*
 * The kernel's named counters: "chan_NAME" (or "chan__INDEX" for a name
 * that cannot be part of an object name) per channel, "pair_SRC_DST" per
 * segment pair; anything else by its object name.
 */
enum counter_kind { CNT_CHANNEL, CNT_PAIR, CNT_OTHER, CNT_MAX };

static const char *const counter_metric[CNT_MAX] = {
	[CNT_CHANNEL] = "zoned_channel",
	[CNT_PAIR] = "zoned_pair",
	[CNT_OTHER] = "zoned_counter",
};

static enum counter_kind counter_kind(const char *name)
{
	if (strncmp(name, "chan_", 5) == 0 && name[5])
		return CNT_CHANNEL;
	if (strncmp(name, "pair_", 5) == 0 && strchr(name + 5, '_'))
		return CNT_PAIR;
	return CNT_OTHER;
}

static void counter_labels(struct zoned *z, const char *name,
			   enum counter_kind kind, FILE *out)
{
	const struct zone_model *m = z->model;
	char *end;
	unsigned long idx;
	const char *sep;

	switch (kind) {
	case CNT_CHANNEL:
		name += 5;
		if (name[0] == '_') {
			idx = strtoul(name + 1, &end, 10);
			if (*end == '\0' && idx < zone_model_channel_count(m))
				name = zone_channel_name(
					zone_model_channel(m, idx));
		}
		put_label(out, "channel", name);
		break;
	case CNT_PAIR:
		sep = strchr(name + 5, '_');
		fprintf(out, "src_zone=\"%.*s\",", (int)(sep - name - 5),
			name + 5);
		put_label(out, "dst_zone", sep + 1);
		break;
	default:
		put_label(out, "counter", name);
		break;
	}
}

static void print_counters(struct zoned *z, FILE *out)
{
	static const char *const what[2] = { "packets", "bytes" };
	struct zone_counter *c = NULL;
	size_t n = 0;
	size_t i;
	int kind;
	int w;

	if (zone_nft_counters(z->nft, &c, &n) < 0) {
		put_head(out, "zoned_counters_readable", "gauge",
			 "0 when the kernel's counters could not be read.");
		put_u64(out, "zoned_counters_readable", 0);
		return;
	}
	for (kind = 0; kind < CNT_MAX; kind++) {
		for (w = 0; w < 2; w++) {
			bool head = false;

			for (i = 0; i < n; i++) {
				if ((int)counter_kind(c[i].name) != kind)
					continue;
				if (!head) {
					fprintf(out,
						"# HELP %s_%s_total What the kernel's counter counted.\n"
						"# TYPE %s_%s_total counter\n",
						counter_metric[kind], what[w],
						counter_metric[kind], what[w]);
					head = true;
				}
				fprintf(out, "%s_%s_total{",
					counter_metric[kind], what[w]);
				counter_labels(z, c[i].name, kind, out);
				fprintf(out, "} %" PRIu64 "\n",
					w ? c[i].bytes : c[i].packets);
			}
		}
	}
	free(c);
}

/**
 * metrics_print - write the exposition of the daemon's state
 * @z: the daemon, with a policy in force
 * @out: where to write
 *
 * Counters are totals since zoned started (the kernel's since the table
 * was created).  Returns 0, or -EIO when writing failed.
 */
int metrics_print(struct zoned *z, FILE *out)
{
	put_head(out, "zoned_up", "gauge",
		 "1 while zoned runs (the file is removed when it exits).");
	put_u64(out, "zoned_up", 1);
	print_policy(z, out);
	print_states(z, out);
	print_clock(z, out);
	print_isolation(z, out);
	print_totals(z, out);
	print_pair_events(z, out);
	print_counters(z, out);
	return ferror(out) ? -EIO : 0;
}

/* Write @path.tmp, then rename it over @path.  Returns 0 or -errno. */
static int write_file(struct zoned *z, const char *path)
{
	char tmp[256];
	FILE *f;
	int fd;
	int ret;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0644);
	if (fd < 0)
		return -errno;
	/* The unit's UMask=0077 would keep node_exporter out. */
	if (fchmod(fd, 0644) < 0 || (f = fdopen(fd, "w")) == NULL) {
		ret = -errno;
		close(fd);
		goto out_unlink;
	}
	ret = metrics_print(z, f);
	if (fclose(f) != 0 && ret == 0)
		ret = -errno;
	if (ret == 0 && rename(tmp, path) < 0)
		ret = -errno;
	if (ret == 0)
		return 0;
out_unlink:
	unlink(tmp);
	return ret;
}

static void write_now(struct zoned *z)
{
	struct metrics *m = z->metrics;
	int ret = write_file(z, m->path);

	if (ret < 0 && -ret != m->last_err)
		log_warnx("cannot write the metrics to %s: %s, ignoring",
			  m->path, strerror(-ret));
	else if (ret == 0 && m->last_err)
		log_info("writing the metrics to %s again", m->path);
	m->last_err = ret < 0 ? -ret : 0;
}

static void on_timer(struct zoned *z, int fd, uint32_t events, void *arg)
{
	(void)events;
	(void)arg;
	if (loop_timer_read(fd) > 0)
		write_now(z);
}

/* Stop: disarm, and remove the file so that no stale one looks alive. */
static void metrics_stop(struct zoned *z)
{
	struct metrics *m = z->metrics;

	loop_timer_del(z, m->tfd);
	m->tfd = -1;
	if (m->path)
		unlink(m->path);
	free(m->path);
	m->path = NULL;
	m->last_err = 0;
}

/**
 * metrics_configure - follow the metrics group of the config in force
 *
 * Called after every applied config.  Allocation failures are logged
 * and leave metrics off: they never stop enforcement.
 */
void metrics_configure(struct zoned *z)
{
	const char *path = zone_model_metrics_file(z->model);
	unsigned int interval = zone_model_metrics_interval(z->model);
	struct metrics *m = z->metrics;
	int ret;

	if (m == NULL) {
		if (path == NULL)
			return;
		m = calloc(1, sizeof(*m));
		if (m == NULL) {
			log_warn("metrics, ignoring");
			return;
		}
		m->tfd = -1;
		z->metrics = m;
	}
	if (m->path && (path == NULL || strcmp(path, m->path) != 0))
		metrics_stop(z);
	if (path == NULL)
		return;
	if (m->path == NULL && (m->path = strdup(path)) == NULL) {
		log_warn("metrics, ignoring");
		return;
	}
	if (m->tfd < 0 || m->interval != interval) {
		loop_timer_del(z, m->tfd);
		ret = loop_timer_every(z, interval * 1000ULL, on_timer, NULL);
		m->tfd = ret;
		if (ret < 0) {
			log_warnx("cannot arm the metrics timer: %s, ignoring",
				  strerror(-ret));
			metrics_stop(z);
			return;
		}
		m->interval = interval;
	}
	write_now(z);
}

/**
 * metrics_close - stop writing, remove the file and free the state
 */
void metrics_close(struct zoned *z)
{
	if (z->metrics == NULL)
		return;
	metrics_stop(z);
	free(z->metrics);
	z->metrics = NULL;
}
