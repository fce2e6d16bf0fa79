/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zonectl try and confirm, the state (the commands are in ctl_try.c): a
 * candidate policy is applied in one batch and
 * the policy it replaced comes back, in one batch, unless `zonectl
 * confirm` comes in time, so that a change that cuts the administrator's
 * own path undoes itself.
 *
 * While a try is in progress the confirmed policy is kept twice: as a
 * model in memory, for the rollback, and in the state directory
 * (STATEDIR/confirmed.conf, normalised, and the marker STATEDIR/trial), so
 * that a zoned restarted during the try, even after kill -9, starts with
 * the confirmed policy and not with the candidate nor the config file.
 * Reloads are refused meanwhile: the operator would otherwise not know
 * which of the three policies is in force.
 */
#include <sys/stat.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zone/conf.h>
#include <zone/diag.h>
#include <zone/model.h>

#include "alert.h"
#include "ctlout.h"
#include "history.h"
#include "log.h"
#include "loop.h"
#include "trial.h"
#include "trial_int.h"
#include "zoned.h"

static char *state_path(const struct zoned *z, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", z->state_dir, name) < 0)
		return NULL;
	return p;
}

void remove_state(const struct zoned *z)
{
	char *marker = state_path(z, TRIAL_MARKER);
	char *conf = state_path(z, TRIAL_CONFIRMED);

	/* the marker first: a confirmed.conf without it means nothing */
	if (marker && unlink(marker) < 0 && errno != ENOENT)
		log_warn("cannot remove %s", marker);
	if (conf && unlink(conf) < 0 && errno != ENOENT)
		log_warn("cannot remove %s", conf);
	free(marker);
	free(conf);
}

/* trial_keep_state - see trial_int.h */
int keep_state(const struct zoned *z, const struct zone_model *confirmed,
		      const struct zone_model *candidate)
{
	char marker[160];
	size_t len;
	char *path;
	int ret;

	if (mkdir(z->state_dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	path = state_path(z, TRIAL_CONFIRMED);
	ret = path ? history_write_with(path, history_fill_policy, confirmed) :
		     -ENOMEM;
	free(path);
	if (ret < 0)
		return ret;
	len = (size_t)snprintf(marker, sizeof(marker), "%s %s\n",
			       zone_model_hash(confirmed),
			       zone_model_hash(candidate));
	path = state_path(z, TRIAL_MARKER);
	ret = path ? history_write_file(path, marker, len) : -ENOMEM;
	free(path);
	return ret;
}

struct trial *trial_get(struct zoned *z)
{
	if (!z->trial) {
		z->trial = calloc(1, sizeof(*z->trial));
		if (z->trial)
			z->trial->timer_fd = -1;
	}
	return z->trial;
}

bool trial_active(const struct zoned *z)
{
	return z->trial && z->trial->confirmed;
}

void trial_end(struct zoned *z)
{
	struct trial *t = z->trial;

	loop_timer_arm(t->timer_fd, 0, 0);
	remove_state(z);
	if (t->edit_refused)
		log_warnx(
			"%s changed during the try; zonectl reload applies it",
			z->conf_path);
	t->edit_refused = false;
}

/**
 * trial_refuse - refuse a reload while a try is in progress
 * @why: the reload's trigger
 *
 * Returns 0 when no try is in progress, else -EBUSY after logging,
 * alerting and saying why in z->last_error.
 */
int trial_refuse(struct zoned *z, const char *why)
{
	struct trial *t = z->trial;
	char when[32];

	if (!trial_active(z))
		return 0;
	snprintf(z->last_error, sizeof(z->last_error),
		 "reload refused: policy %.12s is on trial until %s; "
		 "zonectl confirm, or wait for the rollback to policy %.12s",
		 zone_model_hash(z->model),
		 ctl_time(t->deadline, when, sizeof(when)),
		 zone_model_hash(t->confirmed));
	log_warnx("%s (%s)", z->last_error, why);
	alert_emit(z->alerts, ALERT_POLICY_REJECTED, "hash",
		   zone_model_hash(z->model), "file", z->conf_path, "trigger",
		   why, "error", z->last_error, NULL);
	if (strcmp(why, "zonectl") != 0)
		t->edit_refused = true;
	return -EBUSY;
}

/**
 * trial_restore - at start: the confirmed policy of an interrupted try
 * @ret_model: the confirmed policy, the caller's, when 1 is returned
 *
 * Returns 1 when a try was in progress and its confirmed policy loads, 0
 * otherwise (the config file is then loaded as usual; a kept policy that
 * does not load is logged).
 */
int trial_restore(struct zoned *z, struct zone_model **ret_model)
{
	char *marker = state_path(z, TRIAL_MARKER);
	char *conf = state_path(z, TRIAL_CONFIRMED);
	char line[160] = "";
	char confirmed[65] = "";
	char cand[65] = "";
	struct zone_diag *diag = NULL;
	struct trial *t;
	FILE *f;
	size_t i;
	int ret = 0;

	f = marker ? fopen(marker, "re") : NULL;
	if (!f)
		goto out;
	if (!fgets(line, sizeof(line), f) ||
	    sscanf(line, "%64s %64s", confirmed, cand) != 2) {
		log_warnx("%s is damaged, starting from %s", marker,
			  z->conf_path);
		goto out;
	}
	diag = zone_diag_new();
	if (!diag || history_state_load(conf, diag, ret_model) < 0) {
		for (i = 0; diag && i < zone_diag_count(diag); i++)
			log_warnx("%s", zone_diag_line(diag, i));
		log_warnx("cannot load the confirmed policy of the try that "
			  "was in progress, starting from %s",
			  z->conf_path);
		goto out;
	}
	t = trial_get(z);
	if (!t || strcmp(zone_model_hash(*ret_model), confirmed) != 0) {
		log_warnx("%s is not policy %s, starting from %s", conf,
			  confirmed, z->conf_path);
		zone_model_free(*ret_model);
		*ret_model = NULL;
		goto out;
	}
	t->restored = true;
	snprintf(t->candidate, sizeof(t->candidate), "%s", cand);
	log_warnx("a try of policy %.12s was in progress: restoring the "
		  "confirmed policy %.12s",
		  cand, confirmed);
	ret = 1;
out:
	if (f)
		fclose(f);
	if (f && ret == 0)
		remove_state(z);
	zone_diag_free(diag);
	free(marker);
	free(conf);
	return ret;
}

/* trial_started - the restored policy is in force: say so, forget the try */
void trial_started(struct zoned *z)
{
	struct trial *t = z->trial;

	if (!t || !t->restored)
		return;
	t->restored = false;
	alert_emit(z->alerts, ALERT_POLICY_ROLLED_BACK, "hash",
		   zone_model_hash(z->model), "candidate", t->candidate,
		   "trigger", "restart", NULL);
	remove_state(z);
}

/**
 * trial_pending - the try in progress, for zonectl status
 * @ret_deadline: when it is rolled back
 * @ret_confirmed: the hash of the policy it is rolled back to (borrowed)
 *
 * Returns false when no try is in progress.
 */
bool trial_pending(const struct zoned *z, time_t *ret_deadline,
		   const char **ret_confirmed)
{
	if (!trial_active(z))
		return false;
	*ret_deadline = z->trial->deadline;
	*ret_confirmed = zone_model_hash(z->trial->confirmed);
	return true;
}

/* trial_free - at exit; a try in progress stays on disk for the restart */
void trial_free(struct zoned *z)
{
	struct trial *t = z->trial;

	if (!t)
		return;
	loop_timer_del(z, t->timer_fd);
	zone_model_free(t->confirmed);
	free(t);
	z->trial = NULL;
}
