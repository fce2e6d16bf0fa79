/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zonectl try and confirm, the commands: the candidate applied, the
 * confirmed policy kept (trial.c) and brought back at the deadline unless
 * confirm comes in time.
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
#include "ctlcmd.h"
#include "history.h"
#include "json.h"
#include "log.h"
#include "loop.h"
#include "policydiff.h"
#include "reload.h"
#include "trial_int.h"
#include "zoned.h"

/* The deadline passed: bring the confirmed policy back. */
static void on_deadline(struct zoned *z, int fd, uint32_t events, void *arg)
{
	struct policy_diff d = { 0 };
	struct trial *t = arg;
	char cand[65];
	struct zone_diag *diag;
	size_t i;
	int ret;

	(void)events;
	if (loop_timer_read(fd) <= 0 || !t->confirmed)
		return;
	snprintf(cand, sizeof(cand), "%s", zone_model_hash(z->model));
	policy_diff(&d, z->model, t->confirmed);
	diag = zone_diag_new();
	ret = diag ? zoned_apply_model(z, t->confirmed, diag) : -ENOMEM;
	for (i = 0; diag && i < zone_diag_count(diag); i++)
		log_warnx("%s", zone_diag_line(diag, i));
	zone_diag_free(diag);
	if (ret < 0) {
		/* the candidate stays until the kernel takes the batch */
		log_warnx("cannot roll back to policy %s: %s, trying again",
			  zone_model_hash(t->confirmed), strerror(-ret));
		loop_timer_arm(t->timer_fd, TRIAL_RETRY_MS, 0);
		return;
	}
	t->confirmed = NULL; /* now z->model */
	log_warnx("try of policy %s not confirmed in time, policy %s restored",
		  cand, zone_model_hash(z->model));
	alert_emit(z->alerts, ALERT_POLICY_ROLLED_BACK, "hash",
		   zone_model_hash(z->model), "candidate", cand, "trigger",
		   "try-timeout", "who", t->who, NULL);
	trial_end(z);
	zoned_policy_applied_by(z, "rollback", "try-timeout", &d.sum);
}

static int parse_seconds(const char *s, long *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < TRIAL_MIN_S || v > TRIAL_MAX_S)
		return -ERANGE;
	*ret = v;
	return 0;
}

/*
 * The candidate, parsed from the regular file zonectl passed as a stream
 * from its start: at a million networks its text is 25 MB, which need
 * not be held whole beside the parse.
 */
static struct zone_model *load_candidate(int fd, const char *name,
					 struct ctl_out *o)
{
	struct zone_model *model = NULL;
	struct zone_diag *diag;
	struct stat st;
	struct stat after;
	size_t i;
	int ret;

	if (fd < 0) {
		ctl_fail(o, "try: no file came with the request");
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		ctl_fail(o, "try: the candidate is not a regular file");
		return NULL;
	}
	if (st.st_size > TRIAL_CONF_MAX) {
		ctl_fail(o, "try: the candidate is larger than %ld bytes",
			 TRIAL_CONF_MAX);
		return NULL;
	}
	diag = zone_diag_new();
	if (!diag) {
		ctl_fail(o, "try: %s", strerror(ENOMEM));
		return NULL;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		ctl_fail(o, "try: reading the candidate: %s", strerror(errno));
		zone_diag_free(diag);
		return NULL;
	}
	ret = zone_conf_load_fd(fd, (size_t)st.st_size, name, diag, &model);
	/* a file cut short while it was read is not the candidate */
	if (ret == 0 &&
	    (fstat(fd, &after) < 0 || after.st_size != st.st_size)) {
		ctl_fail(o, "try: reading the candidate: %s", strerror(EIO));
		zone_model_free(model);
		zone_diag_free(diag);
		return NULL;
	}
	if (ret < 0) {
		for (i = 0; i < zone_diag_count(diag); i++)
			fprintf(o->err, "%s\n", zone_diag_line(diag, i));
		ctl_fail(o, "try: the candidate has errors, nothing changed");
		model = NULL;
	}
	zone_diag_free(diag);
	return model;
}

static void try_reply(struct zoned *z, struct ctl_out *o, long seconds)
{
	struct trial *t = z->trial;
	char when[32];

	ctl_time(t->deadline, when, sizeof(when));
	if (o->json) {
		json_object(&o->j, NULL);
		json_string(&o->j, "result", "on-trial");
		json_string(&o->j, "hash", zone_model_hash(z->model));
		json_string(&o->j, "confirmed", zone_model_hash(t->confirmed));
		json_int(&o->j, "confirm_within", seconds);
		json_string(&o->j, "rollback_at", when);
		json_finish(&o->j);
		return;
	}
	fprintf(o->out,
		"policy %s on trial: run zonectl confirm within %ld s, or "
		"policy %s comes back at %s\n",
		zone_model_hash(z->model), seconds,
		zone_model_hash(t->confirmed), when);
}

/* zonectl try FILE: SECONDS NAME, the file's descriptor passed along. */
void ctl_try(struct zoned *z, const struct ctl_request *req, struct ctl_out *o)
{
	struct policy_diff d = { 0 };
	struct zone_model *cand;
	struct zone_model *saved;
	struct zone_diag *diag;
	struct trial *t;
	char when[32];
	long seconds;
	size_t i;
	int ret;

	if (trial_active(z)) {
		ctl_fail(o,
			 "try: policy %.12s is already on trial until %s; "
			 "zonectl confirm, or wait for the rollback",
			 zone_model_hash(z->model),
			 ctl_time(z->trial->deadline, when, sizeof(when)));
		return;
	}
	if (parse_seconds(req->argv[0], &seconds) < 0) {
		ctl_fail(o, "try: --confirm-within %s is out of range %d..%d",
			 req->argv[0], TRIAL_MIN_S, TRIAL_MAX_S);
		return;
	}
	t = trial_get(z);
	if (!t) {
		ctl_fail(o, "try: %s", strerror(ENOMEM));
		return;
	}
	if (t->timer_fd < 0) {
		t->timer_fd =
			loop_timer_add(z, CLOCK_MONOTONIC, on_deadline, t);
		if (t->timer_fd < 0) {
			ctl_fail(o, "try: timer: %s", strerror(-t->timer_fd));
			return;
		}
	}
	cand = load_candidate(o->fd, req->argv[1], o);
	if (!cand)
		return;
	if (strcmp(zone_model_hash(cand), zone_model_hash(z->model)) == 0) {
		ctl_fail(o, "try: the candidate is policy %s, already in force",
			 zone_model_hash(z->model));
		zone_model_free(cand);
		return;
	}
	ret = keep_state(z, z->model, cand);
	if (ret < 0) {
		ctl_fail(o, "try: cannot keep the confirmed policy in %s: %s",
			 z->state_dir, strerror(-ret));
		remove_state(z);
		zone_model_free(cand);
		return;
	}
	policy_diff(&d, z->model, cand);
	diag = zone_diag_new();
	/*
	 * Take the confirmed model out of z->model, so that applying the
	 * candidate does not free it: it is the rollback's.
	 */
	saved = z->model;
	z->model = NULL;
	ret = diag ? zoned_apply_model(z, cand, diag) : -ENOMEM;
	if (ret < 0) {
		z->model = saved;
		for (i = 0; diag && i < zone_diag_count(diag); i++)
			fprintf(o->err, "%s\n", zone_diag_line(diag, i));
		ctl_fail(o,
			 "try: cannot apply the candidate: %s, nothing "
			 "changed",
			 strerror(-ret));
		remove_state(z);
		zone_model_free(cand);
		zone_diag_free(diag);
		return;
	}
	zone_diag_free(diag);
	t->confirmed = saved;
	t->deadline = time(NULL) + seconds;
	snprintf(t->who, sizeof(t->who), "%s", o->who);
	loop_timer_arm(t->timer_fd, (uint64_t)seconds * 1000, 0);
	log_info("policy %s on trial for %ld s, policy %s comes back unless "
		 "confirmed",
		 zone_model_hash(z->model), seconds,
		 zone_model_hash(t->confirmed));
	zoned_policy_applied_by(z, "try", o->who, &d.sum);
	try_reply(z, o, seconds);
}

/* zonectl confirm: the candidate on trial stays. */
void ctl_confirm(struct zoned *z, const struct ctl_request *req,
		 struct ctl_out *o)
{
	struct trial *t = z->trial;
	int ret;

	(void)req;
	if (!trial_active(z)) {
		ctl_fail(o, "confirm: no try in progress");
		return;
	}
	zone_model_free(t->confirmed);
	t->confirmed = NULL;
	trial_end(z);
	log_info("policy %s confirmed by %s", zone_model_hash(z->model),
		 o->who);
	alert_emit(z->alerts, ALERT_POLICY_CONFIRMED, "hash",
		   zone_model_hash(z->model), "who", o->who, NULL);
	ret = history_record(z, o->who, "confirm", "confirmed");
	if (ret < 0)
		log_warnx("cannot keep policy %s in the history: %s",
			  zone_model_hash(z->model), strerror(-ret));
	ctl_policy_result(o, zone_model_hash(z->model), "confirmed");
}
