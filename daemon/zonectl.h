/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_ZONECTL_H
#define ZONED_ZONECTL_H

/*
 * Shared by the files of zonectl: zonectl.c (the command line),
 * zonectl_call.c (talking to the daemon) and zonectl_policy.c (check,
 * diff and try, which load a candidate here).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ctlmsg.h"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
};

/* zonectl_call.c: how to ask the daemon (-s, --json, --prometheus) */
extern bool arg_json;
extern bool arg_prometheus;
extern const char *arg_socket;

/*
 * ctl_call - send one request and copy the reply to @out and @err
 * Returns the daemon's exit status, or -errno after printing why.
 */
int ctl_call(enum ctl_cmd cmd, size_t argc, const char **argv, FILE *out,
	     FILE *err);
/* ctl_call_fd - ctl_call() passing the open file @pass_fd along */
int ctl_call_fd(enum ctl_cmd cmd, size_t argc, const char **argv,
		int pass_fd, FILE *out, FILE *err);
/* running_conf_path - the daemon's config file, or the default */
char *running_conf_path(bool quiet_fallback);

/*
 * ctl_call_file - ctl_call() for the whole text of a policy (config,
 * show) as a file: its descriptor, read-only at offset 0, in @ret_fd
 * (the caller closes it) when the command succeeds; the reply's text,
 * if any, goes to @out
 */
int ctl_call_file(enum ctl_cmd cmd, size_t argc, const char **argv,
		  FILE *out, FILE *err, int *ret_fd);
int cmd_show(const char *hash);
int cmd_check(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_try(const char *file, const char *secs);

#endif
