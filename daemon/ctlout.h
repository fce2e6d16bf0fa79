/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_CTLOUT_H
#define ZONED_CTLOUT_H

/*
 * A command's reply, as the control commands (ctl_*.c) write it: text on
 * stdout and stderr, or one JSON document through @j, and an exit status.
 * control.c builds it, runs the command, and sends what was written.
 */

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "json.h"

/* The most text one reply may carry; the rest is cut with a notice. */
#define CTL_REPLY_MAX (1024 * 1024)

struct ctl_out {
	FILE *out;
	FILE *err;
	bool json;
	struct json j; /* the JSON document on @out, when @json */
	int status; /* 0 ok, 1 failed */
	const char *who; /* the peer's user name (history_peer_name) */
	int fd; /* a file the peer passed (SCM_RIGHTS), else -1 */
	int reply_fd; /* the text as a file (CTL_F_FILE), else -1 */
};

/* ctl_fail - print "zonectl: MESSAGE" to the error stream; status 1 */
void ctl_fail(struct ctl_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * ctl_policy_result - the whole reply of a command that changed the policy
 * in force: "policy HASH RESULT", or {"result": RESULT, "hash": HASH}
 */
void ctl_policy_result(struct ctl_out *o, const char *hash, const char *result);

/*
 * ctl_out_capped - a stream into o->out that drops what a reply cannot
 * carry (past CTL_REPLY_MAX and one byte); NULL without memory
 */
FILE *ctl_out_capped(struct ctl_out *o);

/*
 * ctl_file_start - a stream into a new anonymous file that becomes the
 * reply's text (CTL_F_FILE); NULL and errno on failure
 */
FILE *ctl_file_start(struct ctl_out *o);

/*
 * ctl_file_finish - close @f (from ctl_file_start) and seal the file for
 * sending; on failure (-errno) the file is dropped and @o has none
 */
int ctl_file_finish(struct ctl_out *o, FILE *f);

/*
 * ctl_file_reopen - send the file @fd as the text, through a read-only
 * description of its own (/proc/self/fd), so that replies share a file
 */
int ctl_file_reopen(struct ctl_out *o, int fd);

/* ctl_file_pass - send a copy of the open, read-only @fd as the text */
int ctl_file_pass(struct ctl_out *o, int fd);

/*
 * One sealed file that every reply sending it shares (ctl_file.c), so
 * that clients who keep what they are sent cost no copy more; NULL is
 * none.
 */
struct ctl_shared;

/*
 * ctl_shared_send - send *@s as @o's text, written first by @print(@arg,
 * stream) when there is none or it holds another @key; 0 or -errno
 */
int ctl_shared_send(struct ctl_shared **s, struct ctl_out *o, const char *key,
		    int (*print)(const void *arg, FILE *f), const void *arg);
/* ctl_shared_free - close *@s (NULL is fine) and make it NULL */
void ctl_shared_free(struct ctl_shared **s);

/* ctl_time - ISO 8601 local time of @t into @buf (at least 32 bytes) */
const char *ctl_time(time_t t, char *buf, size_t size);

#endif
