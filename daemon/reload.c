/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reload and re-apply: a new config is parsed, validated, compiled and
 * committed, its switch in one batch, before it replaces the one in force
 * (HACKING.md, Conventions); any failure keeps everything as it was.  Reloads come from
 * SIGHUP, zonectl and inotify on the config's directory (editors write by
 * rename, so the file itself cannot be watched); a channel's expiry
 * re-applies the current model without it.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zone/conf.h>

#include "alert.h"
#include "confwatch.h"
#include "ctlout.h"
#include "ctwatch.h"
#include "ha.h"
#include "history.h"
#include "isolation.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "monotime.h"
#include "notify.h"
#include "policydiff.h"
#include "reload.h"
#include "resolver.h"
#include "tablestate.h"
#include "trial.h"
#include "zoned.h"

/*
 * A re-apply the kernel refused (an isolation, a release, a drift repair,
 * an expiry) is tried again after 1 s, then twice as long each time, at
 * most every 10 s (the table may be missing meanwhile), until one goes
 * through.
 */
#define RETRY_FIRST_MS 1000
#define RETRY_MAX_MS 10000

struct reload {
	struct confwatch *watch; /* the config file's (confwatch.c) */
	int expiry_fd; /* CLOCK_REALTIME, the next channel expiry or window close */
	time_t expiry_checked; /* expiries up to here were reported */
	int retry_fd; /* CLOCK_MONOTONIC, one shot: a failed re-apply */
	uint64_t retry_ms; /* the next wait; 0 while nothing is pending */
	long utc_off; /* the local UTC offset the windows were compiled with */
};

/* the earliest of @a and @b, where 0 means none */
static time_t earliest(time_t a, time_t b)
{
	return a == 0 || (b != 0 && b < a) ? b : a;
}

/* Log every diagnostic and keep the first for the alert and zonectl. */
static void report_diag(struct zoned *z, const struct zone_diag *diag, int err)
{
	size_t n = zone_diag_count(diag);
	size_t i;

	for (i = 0; i < n; i++)
		log_warnx("%s", zone_diag_line(diag, i));
	if (n > 0)
		snprintf(z->last_error, sizeof(z->last_error), "%s",
			 zone_diag_line(diag, 0));
	else
		snprintf(z->last_error, sizeof(z->last_error), "%s: %s",
			 z->conf_path, strerror(-err));
}

/* Report the channels of a new model that have already expired. */
static void report_expired(struct zoned *z, const struct zone_model *model,
			   time_t now)
{
	size_t n = zone_model_channel_count(model);
	size_t i;

	for (i = 0; i < n; i++) {
		const struct zone_channel *c = zone_model_channel(model, i);

		if (!zone_channel_expired(c, now))
			continue;
		log_info("channel %s expired at %s, left out of the ruleset",
			 zone_channel_name(c), zone_channel_expires_text(c));
		alert_emit(z->alerts, ALERT_CHANNEL_EXPIRED, "channel",
			   zone_channel_name(c), "expires",
			   zone_channel_expires_text(c), NULL);
	}
}

/* Arm the expiry timer for the next channel to expire after @now. */
static void arm_expiry(struct zoned *z, time_t now)
{
	struct reload *r = z->reload;
	size_t n = zone_model_channel_count(z->model);
	time_t next = 0;
	time_t when;
	size_t i;
	int ret;

	bool windows = false;
	time_t open;
	size_t k;

	for (i = 0; i < n; i++) {
		const struct zone_channel *c = zone_model_channel(z->model, i);

		if (zone_channel_expires(c, &when) && when > now &&
		    (next == 0 || when < next))
			next = when;
		if (zone_channel_expired(c, now))
			continue;
		/* a window's close cuts its flows (see on_expiry) */
		for (k = 0; k < zone_channel_window_count(c); k++) {
			zone_channel_window_next(c, k, now, &open, &when);
			next = earliest(next, when);
			windows = true;
		}
	}
	/* the kernel checks windows in UTC: recompile when the offset moves */
	if (windows)
		next = earliest(next, zone_window_offset_change(now));
	r->expiry_checked = now;
	if (next == 0)
		ret = loop_timer_arm(r->expiry_fd, 0, 0);
	else
		ret = loop_timer_arm_at(r->expiry_fd, next);
	if (ret < 0)
		log_warnx("channel expiry timer: %s, ignoring", strerror(-ret));
}

/**
 * zoned_apply_model - compile and commit @model; swap it in on success
 * @model: taken over on success (it may be z->model itself: a re-apply)
 * @diag: receives why it failed
 *
 * On failure the kernel, z->model and z->ruleset are unchanged.
 * Returns 0 or -errno.
 */
int zoned_apply_model(struct zoned *z, struct zone_model *model,
		      struct zone_diag *diag)
{
	struct zone_compile_args args = { .now = time(NULL),
					  .ifindex = z->ifindex,
					  .ifindex_arg = z->links };
	struct zone_ruleset *rs = NULL;
	int ret;

	ret = isolation_prefixes(z->iso, model, &args.isolated,
				 &args.n_isolated);
	/* windows are local time: a new /etc/localtime counts from here */
	tzset();
	if (ret == 0 && (rs = zone_ruleset_compile(model, &args)) == NULL)
		ret = -errno;
	if (ret < 0) {
		zone_diag_add(diag, zone_model_file(model), 0,
			      "cannot compile the ruleset: %s", strerror(-ret));
		return ret;
	}
	zoned_commit_begin(z);
	ret = zone_nft_apply(z->nft, rs, diag);
	zoned_commit_end(z);
	if (ret < 0) {
		if (zone_diag_count(diag) == 0)
			zone_diag_add(diag, zone_model_file(model), 0,
				      "cannot apply the ruleset: %s",
				      strerror(-ret));
		zone_ruleset_free(rs);
		malloc_trim(0);
		return ret;
	}
	if (zone_nft_commits(z->nft) > 1) /* a staged load, zoned(8) */
		log_info("policy loaded in %u transactions: its new sets filled first, then the switch",
			 zone_nft_commits(z->nft));
	/* The old ruleset borrows the old model: free it first. */
	zone_ruleset_free(z->ruleset);
	z->ruleset = rs;
	if (model != z->model) {
		resolver_carry(z, model);
		zone_model_free(z->model);
		z->model = model;
		ctl_shared_free(&z->print); /* the old policy's print */
		if (z->alerts != NULL)
			alerts_set_facility(z->alerts,
					    zone_model_alert_facility(model));
	}
	/* the pages the compile and the policy replaced left free go back
	 * to the kernel: glibc keeps them otherwise, and at a million
	 * networks the daemon stayed at 230 MiB between reloads, not 85 */
	malloc_trim(0);
	z->applied_at = args.now;
	if (z->reload != NULL && z->reload->retry_ms) {
		z->reload->retry_ms = 0;
		loop_timer_arm(z->reload->retry_fd, 0, 0);
	}
	tablestate_save(z, zone_model_hash(z->model), z->ruleset);
	resolver_applied(z);
	if (z->reload != NULL) {
		z->reload->utc_off = zone_window_utc_offset(args.now);
		arm_expiry(z, args.now);
	}
	return 0;
}

/* Judge the existing flows against the policy just committed. */
static void sweep(struct zoned *z)
{
	int ret;

	if (z->ct != NULL && (ret = ctwatch_sweep(z)) < 0)
		log_warnx("conntrack sweep: %s, ignoring", strerror(-ret));
}

/* Who applied a policy, when no user did: from the trigger. */
static const char *who_of(const char *why)
{
	return strcmp(why, "config changed") == 0 ? "file-edit" : why;
}

/**
 * zoned_policy_applied_by - announce a newly loaded config in force
 * @why: the trigger key ("start", "SIGHUP", ...)
 * @who: who applied it (the peer's user name, "file-edit", "SIGHUP", ...)
 * @sum: what changed from the policy before, or NULL when unknown
 *
 * Raises policy result=applied, keeps the policy in the history, then
 * raises channel-expired for the channels the config lists that have
 * already expired, then sweeps conntrack (when the watcher is open), so
 * the log reads cause before effect.
 */
void zoned_policy_applied_by(struct zoned *z, const char *why, const char *who,
			     const struct policy_diff_sum *sum)
{
	char changes[1100];
	int ret;

	z->last_error[0] = '\0';
	if (sum)
		policy_diff_summary(sum, changes, sizeof(changes));
	log_info("policy %s applied from %s (%s, by %s)",
		 zone_model_hash(z->model), z->conf_path, why, who);
	alert_emit(z->alerts, ALERT_POLICY_APPLIED, "hash",
		   zone_model_hash(z->model), "file", z->conf_path, "trigger",
		   why, "who", who, "channels_added",
		   sum && sum->n_added ? sum->added : NULL, "channels_removed",
		   sum && sum->n_removed ? sum->removed : NULL,
		   "channels_changed",
		   sum && sum->n_changed ? sum->changed : NULL, "zones_changed",
		   sum && sum->n_zones ? sum->zones : NULL, NULL);
	ret = history_record(z, who, why, sum ? changes : NULL);
	if (ret < 0)
		log_warnx("cannot keep policy %s in the history under %s: %s",
			  zone_model_hash(z->model), z->state_dir,
			  strerror(-ret));
	report_expired(z, z->model, z->applied_at);
	sweep(z);
	metrics_configure(z);
	ha_update(z);
}

/*
 * zoned_policy_applied - zoned_policy_applied_by() with who from @why; the
 * change is the one from the newest policy of the history, when there is
 * one (at start: what changed while zoned was not running)
 */
void zoned_policy_applied(struct zoned *z, const char *why)
{
	struct policy_diff d = { 0 };

	if (history_diff_last(z, &d) == 0)
		zoned_policy_applied_by(z, why, who_of(why), &d.sum);
	else
		zoned_policy_applied_by(z, why, who_of(why), NULL);
	/* the kept policy parsed for the diff */
	malloc_trim(0);
}

static void notify_status(struct zoned *z)
{
	notify_sendf(
		"READY=1\nSTATUS=enforcing %s policy %.12s (%zu segments, %zu channels)",
		zone_mode_name(zone_model_mode(z->model)),
		zone_model_hash(z->model), zone_model_segment_count(z->model),
		zone_model_channel_count(z->model));
}

static void reject(struct zoned *z, const struct zone_diag *diag, int err,
		   const char *why)
{
	report_diag(z, diag, err);
	log_warnx("reload failed, keeping current configuration");
	alert_emit(z->alerts, ALERT_POLICY_REJECTED, "hash",
		   zone_model_hash(z->model), "file", z->conf_path, "trigger",
		   why, "error", z->last_error, NULL);
}

/**
 * zoned_reload_as - parse, validate and apply the config file again
 * @why: what asked for it, for the log and the alert's trigger key
 * @who: who asked (the history's who)
 *
 * Any failure keeps the configuration in force and raises policy
 * result=rejected; so does a try in progress (-EBUSY), which only
 * confirm or the rollback ends.  Returns 0 or -errno.
 */
int zoned_reload_as(struct zoned *z, const char *why, const char *who)
{
	struct policy_diff d = { 0 };
	struct zone_model *model = NULL;
	struct zone_diag *diag;
	int ret;

	if (trial_refuse(z, why) < 0)
		return -EBUSY;
	notify_send("RELOADING=1\nSTATUS=reloading");
	log_info("reloading %s (%s)", z->conf_path, why);
	diag = zone_diag_new();
	if (diag == NULL) {
		ret = -ENOMEM;
		log_warnx("reload failed, keeping current configuration");
		goto out;
	}
	ret = zone_conf_load(z->conf_path, 0, diag, &model);
	if (ret == 0) {
		policy_diff(&d, z->model, model);
		ret = zoned_apply_model(z, model, diag);
		if (ret < 0)
			zone_model_free(model);
	}
	if (ret < 0) {
		reject(z, diag, ret, why);
		goto out_free;
	}
	zoned_policy_applied_by(z, why, who, &d.sum);
out_free:
	zone_diag_free(diag);
out:
	/* a rejected config's parse, too */
	if (ret < 0)
		malloc_trim(0);
	notify_status(z);
	return ret;
}

/*
 * The kernel refused a re-apply: say so (policy result=rejected, with
 * when the next try comes) and try again later, waiting longer each time.
 */
static void retry_later(struct zoned *z, const char *why,
			const struct zone_diag *diag, int err)
{
	struct reload *r = z->reload;
	char error[512];
	char wait[32];

	snprintf(error, sizeof(error), "%s",
		 zone_diag_count(diag) ? zone_diag_line(diag, 0) :
					 strerror(-err));
	if (r == NULL) {
		alert_emit(z->alerts, ALERT_POLICY_REJECTED, "hash",
			   zone_model_hash(z->model), "trigger", why, "error",
			   error, NULL);
		return;
	}
	if (r->retry_ms == 0)
		r->retry_ms = RETRY_FIRST_MS;
	snprintf(wait, sizeof(wait), "%llus",
		 (unsigned long long)(r->retry_ms / 1000));
	alert_emit(z->alerts, ALERT_POLICY_REJECTED, "hash",
		   zone_model_hash(z->model), "trigger", why, "error", error,
		   "retry", wait, NULL);
	log_warnx("trying again in %s", wait);
	loop_timer_arm(r->retry_fd, r->retry_ms, 0);
	r->retry_ms = r->retry_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS :
						       r->retry_ms * 2;
}

static void on_retry(struct zoned *z, int fd, uint32_t events, void *arg)
{
	(void)events;
	(void)arg;
	if (loop_timer_read(fd) <= 0)
		return;
	if (zoned_reapply(z, "retry") == 0)
		alert_emit(z->alerts, ALERT_POLICY_APPLIED, "hash",
			   zone_model_hash(z->model), "file", z->conf_path,
			   "trigger", "retry", NULL);
}

/* zoned_reload - zoned_reload_as() with who from @why */
int zoned_reload(struct zoned *z, const char *why)
{
	return zoned_reload_as(z, why, who_of(why));
}

/**
 * zoned_reapply - compile the model in force again and commit it (after
 * an isolation change, a channel expiry or drift), then sweep conntrack
 *
 * Returns 0 or -errno; on failure the kernel keeps its table.
 */
int zoned_reapply(struct zoned *z, const char *why)
{
	int ret = zoned_reapply_nosweep(z, why);

	if (ret == 0)
		sweep(z);
	return ret;
}

/**
 * zoned_reapply_nosweep - zoned_reapply() without the conntrack sweep,
 * for a caller that reports the repair first and sweeps after it
 */
int zoned_reapply_nosweep(struct zoned *z, const char *why)
{
	struct zone_diag *diag;
	size_t i;
	int ret;

	diag = zone_diag_new();
	if (diag == NULL) {
		log_warnx("cannot re-apply the policy (%s): %s", why,
			  strerror(ENOMEM));
		return -ENOMEM;
	}
	ret = zoned_apply_model(z, z->model, diag);
	if (ret < 0) {
		for (i = 0; i < zone_diag_count(diag); i++)
			log_warnx("%s", zone_diag_line(diag, i));
		log_warnx(
			"cannot re-apply the policy (%s), the kernel keeps its table",
			why);
		retry_later(z, why, diag, ret);
	} else {
		log_info("policy %s re-applied (%s)", zone_model_hash(z->model),
			 why);
	}
	zone_diag_free(diag);
	return ret;
}

/*
 * Report the channels a window of which closed in (@since, @now] and that
 * are closed at @now (an adjacent window may keep a channel open).
 * Returns whether any closed.
 */
static bool report_closed(struct zoned *z, time_t since, time_t now)
{
	size_t n = zone_model_channel_count(z->model);
	bool any = false;
	time_t open;
	time_t close;
	size_t i;
	size_t k;

	for (i = 0; i < n; i++) {
		const struct zone_channel *c = zone_model_channel(z->model, i);

		if (zone_channel_expired(c, now) || zone_channel_open(c, now))
			continue;
		for (k = 0; k < zone_channel_window_count(c); k++) {
			zone_channel_window_next(c, k, since, &open, &close);
			if (close <= since || close > now)
				continue;
			any = true;
			log_info("channel %s closed (window %s)",
				 zone_channel_name(c),
				 zone_channel_window_text(c, k));
			alert_emit(z->alerts, ALERT_CHANNEL_CLOSED, "channel",
				   zone_channel_name(c), "vendor",
				   zone_channel_vendor(c), "window",
				   zone_channel_window_text(c, k), NULL);
			break;
		}
	}
	return any;
}

static void on_expiry(struct zoned *z, int fd, uint32_t events, void *arg)
{
	struct reload *r = arg;
	size_t n = zone_model_channel_count(z->model);
	time_t now = time(NULL);
	bool expired = false;
	bool closed;
	time_t when;
	int64_t ret;
	size_t i;

	(void)events;
	/* -ECANCELED: the clock was set; judge by the new time all the same. */
	ret = loop_timer_read(fd);
	if (ret == 0)
		return;
	for (i = 0; i < n; i++) {
		const struct zone_channel *c = zone_model_channel(z->model, i);

		if (!zone_channel_expires(c, &when) ||
		    when <= r->expiry_checked || when > now)
			continue;
		expired = true;
		log_info("channel %s expired", zone_channel_name(c));
		alert_emit(z->alerts, ALERT_CHANNEL_EXPIRED, "channel",
			   zone_channel_name(c), "expires",
			   zone_channel_expires_text(c), NULL);
	}
	closed = report_closed(z, r->expiry_checked, now);
	if (expired) {
		if (zoned_reapply(z, "channel expired") < 0)
			arm_expiry(z, now);
		return;
	}
	if (zone_window_utc_offset(now) != r->utc_off) {
		/* daylight saving time began or ended: windows move in UTC */
		if (zoned_reapply(z, "UTC offset changed") < 0)
			arm_expiry(z, now);
		return;
	}
	/* the kernel stops new flows itself; open ones are cut here */
	if (closed)
		sweep(z);
	arm_expiry(z, now);
}

static void on_conf_changed(struct zoned *z)
{
	zoned_reload(z, "config changed");
}

/**
 * reload_open - watch the config's directory and arm the channel expiry
 * timer.  Returns 0 or -errno (everything opened is closed again).
 */
int reload_open(struct zoned *z)
{
	struct reload *r;
	int ret;

	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	r->expiry_fd = r->retry_fd = -1;
	z->reload = r;
	r->watch = confwatch_open(z, z->conf_path, on_conf_changed);
	if (r->watch == NULL) {
		ret = -errno;
		goto out_close;
	}
	ret = r->expiry_fd = loop_timer_add(z, CLOCK_REALTIME, on_expiry, r);
	if (ret < 0)
		goto out_close;
	ret = r->retry_fd = loop_timer_add(z, CLOCK_MONOTONIC, on_retry, r);
	if (ret < 0)
		goto out_close;
	arm_expiry(z, z->applied_at ? z->applied_at : time(NULL));
	return 0;

out_close:
	reload_close(z);
	return ret;
}

/* reload_close - undo reload_open(); NULL z->reload is fine */
void reload_close(struct zoned *z)
{
	struct reload *r = z->reload;

	if (r == NULL)
		return;
	loop_timer_del(z, r->retry_fd);
	loop_timer_del(z, r->expiry_fd);
	confwatch_close(z, r->watch);
	free(r);
	z->reload = NULL;
}
