/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_CONTROL_PRIV_H
#define ZONED_CONTROL_PRIV_H

/*
 * Shared by the files of the control socket: control.c (socket, clients,
 * dispatch), isolation.c (isolate/release) and audit.c (status, explain,
 * flows, audit).
 */

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include <zone/addr.h>

#include "ctlmsg.h"

struct zoned;
struct isolation;

/* The most text one reply may carry; the rest is cut with a notice. */
#define CTL_REPLY_MAX (1024 * 1024)

/* What a command writes: stdout and stderr text and an exit status. */
struct ctl_out {
	FILE *out;
	FILE *err;
	bool json;
	int status; /* 0 ok, 1 failed */
	const char *who; /* the peer's user name (history_peer_name) */
	int fd; /* a file the peer passed (SCM_RIGHTS), else -1 */
};

/* ctl_fail - print "zonectl: MESSAGE" to the error stream; status 1 */
void ctl_fail(struct ctl_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ctl_time - ISO 8601 local time of @t into @buf (at least 32 bytes) */
const char *ctl_time(time_t t, char *buf, size_t size);

/* The commands; each writes its reply into @o. */
void ctl_status(struct zoned *z, const struct ctl_request *req,
		struct ctl_out *o);
void ctl_explain(struct zoned *z, const struct ctl_request *req,
		 struct ctl_out *o);
void ctl_audit(struct zoned *z, const struct ctl_request *req,
	       struct ctl_out *o);
void ctl_isolate(struct zoned *z, const struct ctl_request *req,
		 struct ctl_out *o);
void ctl_release(struct zoned *z, const struct ctl_request *req,
		 struct ctl_out *o);
/* trial.c */
void ctl_try(struct zoned *z, const struct ctl_request *req,
	     struct ctl_out *o);
void ctl_confirm(struct zoned *z, const struct ctl_request *req,
		 struct ctl_out *o);
/* history.c */
void ctl_history(struct zoned *z, const struct ctl_request *req,
		 struct ctl_out *o);
void ctl_show(struct zoned *z, const struct ctl_request *req,
	      struct ctl_out *o);

struct ctwatch_flow;
/* ctl_flow_print - one flow of zonectl flows (text line or JSON object) */
void ctl_flow_print(const struct ctwatch_flow *f, bool json, bool comma,
		    FILE *out);

/* One isolation, borrowed from the set; valid until it changes. */
struct isolation_entry {
	const char *target; /* a canonical prefix or a segment name */
	const char *reason;
	time_t since;
	const struct zone_prefix *prefixes; /* as last resolved */
	size_t n_prefixes;
};

size_t isolation_count(const struct isolation *iso);
void isolation_get(const struct isolation *iso, size_t i,
		   struct isolation_entry *ret);
/* isolation_print - the list, as text or JSON (an array), for status */
void isolation_print(const struct isolation *iso, struct ctl_out *o);

#endif
