/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zonectl reload, and the running config that zonectl check and diff
 * compare a candidate with (they parse the candidate themselves).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <zone/conf.h>
#include <zone/diag.h>
#include <zone/model.h>

#include "ctlcmd.h"
#include "reload.h"
#include "zoned.h"

/*
 * The running config's print, sealed, kept for the next `zonectl diff`
 * while that policy is in force: every client gets the one file, so
 * that a client who keeps the files it is sent cannot make the daemon
 * write (and its memory cgroup pay for) one copy a request.
 */
static struct {
	int fd;
	char hash[65];
} running_file = { .fd = -1 };

/* Print the running config into a new sealed file, kept as running_file. */
static int running_file_make(struct zoned *z)
{
	struct ctl_out tmp = { .reply_fd = -1 };
	FILE *f = ctl_file_start(&tmp);
	int ret;

	if (!f)
		return -errno;
	ret = zone_model_print(z->model, f);
	if (ret < 0) {
		fclose(f);
		close(tmp.reply_fd);
		return ret;
	}
	ret = ctl_file_finish(&tmp, f);
	if (ret < 0)
		return ret;
	if (running_file.fd >= 0)
		close(running_file.fd);
	running_file.fd = tmp.reply_fd;
	snprintf(running_file.hash, sizeof(running_file.hash), "%s",
		 zone_model_hash(z->model));
	return 0;
}

/*
 * The whole running config as a file (CTL_F_FILE), printed once per
 * policy: zonectl diff parses it at any size.
 */
static void ctl_config_file(struct zoned *z, struct ctl_out *o)
{
	int ret = 0;

	if (running_file.fd < 0 ||
	    strcmp(running_file.hash, zone_model_hash(z->model)) != 0)
		ret = running_file_make(z);
	if (ret == 0)
		ret = ctl_file_reopen(o, running_file.fd);
	if (ret < 0)
		ctl_fail(o, "printing the running config: %s", strerror(-ret));
}

/*
 * The normalised running config, for `zonectl diff`: as a file, or as
 * text of which no more is held than the reply carries.
 */
void ctl_config(struct zoned *z, const struct ctl_request *req,
		struct ctl_out *o)
{
	FILE *f;
	int ret;

	if (req->flags & CTL_F_FILE) {
		ctl_config_file(z, o);
		return;
	}
	f = ctl_out_capped(o);
	ret = f ? zone_model_print(z->model, f) : -ENOMEM;
	if (f && fclose(f) != 0 && ret == 0)
		ret = -EIO;
	if (ret < 0)
		ctl_fail(o, "printing the running config: %s", strerror(-ret));
}

void ctl_conf_path(struct zoned *z, const struct ctl_request *req,
		   struct ctl_out *o)
{
	(void)req;
	fprintf(o->out, "%s\n", z->conf_path);
}

/* After a failed reload, show the operator why, as `zonectl check` would. */
static void ctl_reload_why(struct zoned *z, int err, struct ctl_out *o)
{
	struct zone_model *model = NULL;
	struct zone_diag *diag;
	size_t i;

	diag = zone_diag_new();
	if (diag && zone_conf_load(z->conf_path, 0, diag, &model) < 0) {
		for (i = 0; i < zone_diag_count(diag); i++)
			fprintf(o->err, "%s\n", zone_diag_line(diag, i));
	} else if (z->last_error[0]) {
		fprintf(o->err, "%s\n", z->last_error);
	} else {
		fprintf(o->err, "%s: applying the policy: %s\n", z->conf_path,
			strerror(-err));
	}
	zone_model_free(model);
	zone_diag_free(diag);
}

/**
 * ctl_reload - zonectl reload: load the config file again and apply it;
 * when that fails, say why (the file's diagnostics, or the refusal)
 */
void ctl_reload(struct zoned *z, const struct ctl_request *req,
		struct ctl_out *o)
{
	int ret;

	(void)req;
	ret = zoned_reload_as(z, "zonectl", o->who);
	if (ret < 0) {
		ctl_reload_why(z, ret, o);
		ctl_fail(o, "reload failed, keeping current configuration");
		return;
	}
	ctl_policy_result(o, zone_model_hash(z->model), "applied");
}
