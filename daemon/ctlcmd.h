/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_CTLCMD_H
#define ZONED_CTLCMD_H

/*
 * The commands of the control socket, one file per family; control.c
 * dispatches to them.  Each writes its reply into @o (ctlout.h), as text
 * or, with o->json, one JSON document through o->j.
 *
 *   ctl_status.c   status (and the parts audit shares)
 *   ctl_windows.c  the time-boxed channels (status and audit)
 *   ctl_explain.c  explain
 *   ctl_flows.c    flows (streamed by control.c)
 *   ctl_audit.c    audit (and ctl_audit_inv.c, the model judged again)
 *   ctl_isolate.c  isolate, release (the set itself: isolation.c)
 *   ctl_reload.c   reload, and the running config for zonectl check/diff
 *   ctl_try.c      try, confirm (the state of a try: trial.c)
 *   history.c      history, show
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <zone/ruleset.h>

#include "clockwatch.h"
#include "ctlmsg.h"
#include "ctlout.h"

struct zoned;
struct zone_model;
struct isolation;
struct ctwatch_flow;

typedef void ctl_cmd_fn(struct zoned *z, const struct ctl_request *req,
			struct ctl_out *o);

ctl_cmd_fn ctl_status;
ctl_cmd_fn ctl_explain;
ctl_cmd_fn ctl_audit;
ctl_cmd_fn ctl_isolate;
ctl_cmd_fn ctl_release;
ctl_cmd_fn ctl_reload;
ctl_cmd_fn ctl_config;
ctl_cmd_fn ctl_conf_path;
ctl_cmd_fn ctl_try;
ctl_cmd_fn ctl_confirm;
ctl_cmd_fn ctl_history;
ctl_cmd_fn ctl_show;

/* ctl_windows.c: the time-boxed channels, as text or JSON by o->json */
void ctl_windows_print(const struct zone_model *m, time_t now,
		       struct ctl_out *o);
/*
 * ctl_status.c: what status and audit both show, the table's protection
 * and the clock, read once by ctl_guard_get() and printed from @g: a text
 * line each after @label, or the JSON members of the open object
 */
struct ctl_guard {
	enum zone_nft_protection protection;
	struct clockwatch_state clock;
};

void ctl_guard_get(struct zoned *z, struct ctl_guard *g);
void ctl_protection_text(const struct ctl_guard *g, struct ctl_out *o,
			 const char *label);
void ctl_clock_text(const struct ctl_guard *g, struct ctl_out *o,
		    const char *label);
void ctl_guard_json(const struct ctl_guard *g, struct ctl_out *o);

/*
 * ctl_isolation_print - the isolations in force, for status and audit: a
 * text line each, or the member "isolated" (an array)
 */
void ctl_isolation_print(const struct isolation *iso, struct ctl_out *o);

/*
 * zonectl flows, streamed: control.c reads the conntrack dump a slice at
 * a time, each slice into a new @out.  ctl_flows_head() starts the reply,
 * ctl_flows_one() adds a flow, ctl_flows_tail() ends it (@err: the dump's
 * -errno, or 0).
 */
struct ctl_flows {
	bool json;
	struct json j;
	size_t n;
};

void ctl_flows_head(struct ctl_flows *f, bool json, FILE *out);
void ctl_flows_one(struct ctl_flows *f, const struct ctwatch_flow *flow,
		   FILE *out);
void ctl_flows_tail(struct ctl_flows *f, int err, FILE *out);

#endif
