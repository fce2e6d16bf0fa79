/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zonectl isolate and release: a host, a network, a zone or an attachment
 * cut off from every other segment at once, and let back.
 *
 * Record first (isolation.c writes the state file), then the kernel, then
 * the live flows are cut: a crash at any point leaves the isolation
 * recorded, and the next start enforces it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zone/addr.h>

#include "alert.h"
#include "ctlcmd.h"
#include "ctwatch.h"
#include "isolation.h"
#include "log.h"
#include "reload.h"
#include "textesc.h"
#include "zoned.h"

static void iso_prefixes_text(const struct isolation_entry *e, FILE *out)
{
	char buf[ZONE_PREFIX_STRLEN];
	size_t i;

	for (i = 0; i < e->n_prefixes; i++)
		fprintf(out, "%s%s", i ? "," : "",
			zone_prefix_format(&e->prefixes[i], buf, sizeof(buf)));
}

static void iso_prefixes_json(const struct isolation_entry *e,
			      struct json *j)
{
	char buf[ZONE_PREFIX_STRLEN];
	size_t i;

	json_array(j, "prefixes");
	for (i = 0; i < e->n_prefixes; i++)
		json_string(j, NULL,
			    zone_prefix_format(&e->prefixes[i], buf,
					       sizeof(buf)));
	json_end(j);
}

/* ctl_isolation_print - see ctlcmd.h */
void ctl_isolation_print(const struct isolation *iso, struct ctl_out *o)
{
	struct isolation_entry e;
	char when[32];
	size_t i;

	if (o->json)
		json_array(&o->j, "isolated");
	for (i = 0; i < isolation_count(iso); i++) {
		isolation_get(iso, i, &e);
		ctl_time(e.since, when, sizeof(when));
		if (o->json) {
			json_object(&o->j, NULL);
			json_string(&o->j, "target", e.target);
			json_string(&o->j, "since", when);
			json_string(&o->j, "reason", e.reason);
			iso_prefixes_json(&e, &o->j);
			json_end(&o->j);
			continue;
		}
		fputs("isolated ", o->out);
		text_fputs(o->out, e.target);
		fprintf(o->out, " since %s (", when);
		iso_prefixes_text(&e, o->out);
		fputs("): ", o->out);
		text_fputs(o->out, e.reason);
		fputc('\n', o->out);
	}
	if (o->json)
		json_end(&o->j);
}

static const char *iso_resolve_error(int err)
{
	switch (err) {
	case -ENOENT:
		return "not an address, prefix, zone or attachment";
	case -EDOM:
		return "has no networks; isolate its prefixes instead";
	default:
		return strerror(-err);
	}
}

/*
 * Put the new set in the kernel and cut the live flows of the isolation
 * just added (the last one).  Compiling resolves names again, so the
 * entry is read after it.
 */
static void iso_enforce(struct zoned *z, struct ctl_out *o)
{
	struct isolation_entry last;
	const struct isolation_entry *e = &last;
	int killed = 0;
	size_t i;
	int ret;

	ret = zoned_reapply(z, "isolate");
	isolation_get(z->iso, isolation_count(z->iso) - 1, &last);
	if (ret < 0)
		ctl_fail(o,
			 "isolate %s: recorded, but the kernel table was "
			 "not updated: %s",
			 e->target, strerror(-ret));
	for (i = 0; i < e->n_prefixes; i++) {
		ret = ctwatch_kill(z, &e->prefixes[i]);
		if (ret < 0)
			ctl_fail(o, "isolate %s: cutting live flows: %s",
				 e->target, strerror(-ret));
		else
			killed += ret;
	}
	if (o->json) {
		json_object(&o->j, NULL);
		json_string(&o->j, "isolated", e->target);
		iso_prefixes_json(e, &o->j);
		json_int(&o->j, "flows_cut", killed);
		json_finish(&o->j);
	} else {
		fprintf(o->out, "isolated %s (", e->target);
		iso_prefixes_text(e, o->out);
		fprintf(o->out, "), %d live flow%s cut\n", killed,
			killed == 1 ? "" : "s");
	}
}

/**
 * ctl_isolate - zonectl isolate TARGET --reason TEXT
 *
 * Isolating a target twice keeps the first record.
 */
void ctl_isolate(struct zoned *z, const struct ctl_request *req,
		 struct ctl_out *o)
{
	struct isolation_entry e;
	const char *reason = req->argv[1];
	const char *why;
	bool io;
	int ret;

	if (!z->iso) {
		ctl_fail(o, "isolation state is unavailable");
		return;
	}
	/* kept, and shown again on terminals and in syslog */
	why = text_problem(reason);
	if (why) {
		ctl_fail(o,
			 "the reason %s: it must be UTF-8 text without "
			 "control or bidirectional formatting characters",
			 why);
		return;
	}
	ret = isolation_add(z->iso, req->argv[0], z->model, reason,
			    time(NULL), &e, &io);
	if (ret == -EEXIST) {
		fprintf(o->json ? o->err : o->out, "%s is already isolated\n",
			e.target);
		if (o->json) {
			json_object(&o->j, NULL);
			json_finish(&o->j);
		}
		return;
	}
	if (ret == -EMSGSIZE) {
		ctl_fail(o, "the reason must be 1 to %d bytes",
			 ISOLATION_REASON_MAX);
		return;
	}
	if (ret < 0 && io) {
		/* not on disk: nothing enforced that a restart would lose */
		log_warnx("isolate %s: writing %s: %s", req->argv[0],
			  isolation_path(z->iso), strerror(-ret));
		ctl_fail(o, "isolate: cannot write the state file %s: %s",
			 isolation_path(z->iso), strerror(-ret));
		return;
	}
	if (ret == -ENOENT || ret == -EDOM) {
		ctl_fail(o, "%s: %s", req->argv[0], iso_resolve_error(ret));
		return;
	}
	if (ret < 0) {
		ctl_fail(o, "isolate: %s", strerror(-ret));
		return;
	}
	alert_emit(z->alerts, ALERT_ISOLATE, "target", e.target, "reason",
		   reason, NULL);
	iso_enforce(z, o);
}

/**
 * ctl_release - zonectl release TARGET
 */
void ctl_release(struct zoned *z, const struct ctl_request *req,
		 struct ctl_out *o)
{
	struct zone_prefix p;
	char canon[ZONE_PREFIX_STRLEN];
	const char *target = req->argv[0];
	char *gone = NULL;
	int ret;

	if (!z->iso) {
		ctl_fail(o, "isolation state is unavailable");
		return;
	}
	ret = isolation_remove(z->iso, target, &gone);
	if (ret == -ENOENT) {
		if (zone_prefix_parse(target, &p) == 0)
			target = zone_prefix_format(&p, canon, sizeof(canon));
		ctl_fail(o, "%s is not isolated", target);
		return;
	}
	if (ret < 0) {
		ctl_fail(o, "release: cannot write the state file %s: %s",
			 isolation_path(z->iso), strerror(-ret));
		return;
	}
	alert_emit(z->alerts, ALERT_RELEASE, "target", gone, NULL);
	ret = zoned_reapply(z, "release");
	if (ret < 0)
		ctl_fail(o,
			 "release %s: recorded, but the kernel table was "
			 "not updated: %s",
			 gone, strerror(-ret));
	if (o->json) {
		json_object(&o->j, NULL);
		json_string(&o->j, "released", gone);
		json_finish(&o->j);
	} else {
		fprintf(o->out, "released %s\n", gone);
	}
	free(gone);
}
