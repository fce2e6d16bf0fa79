/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zonectl reload, and the running config that zonectl check and diff
 * compare a candidate with (they parse the candidate themselves).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <zone/conf.h>
#include <zone/diag.h>
#include <zone/model.h>

#include "ctlcmd.h"
#include "reload.h"
#include "zoned.h"

static int print_model(const void *model, FILE *f)
{
	return zone_model_print(model, f);
}

/*
 * The whole running config as a file (CTL_F_FILE), printed once per
 * policy and shared by every client (z->print, dropped with the policy
 * by reload.c): zonectl diff parses it at any size, and a client who
 * keeps the files it is sent cannot make the daemon write (and its
 * memory cgroup pay for) one copy a request.
 */
static void ctl_config_file(struct zoned *z, struct ctl_out *o)
{
	int ret = ctl_shared_send(&z->print, o, zone_model_hash(z->model),
				  print_model, z->model);

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
