/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zonectl - control zoned(8).
 *
 * Most commands are sent to the daemon over its control socket and its
 * reply is printed as it arrives.  `check` and `diff` parse the candidate
 * file here, with libzone, exactly as the daemon would (the ownership
 * check included), so that a candidate can be checked before it is
 * installed and the daemon never reads a file on a client's behalf.
 */
#include <net/if.h>
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zone/conf.h>

#include "ctlmsg.h"
#include "zonectl.h"


/* usage - the usage line (and with @help the commands); exits */
static void __attribute__((noreturn)) usage(bool help)
{
	fprintf(help ? stdout : stderr,
		"usage: zonectl [-h] [-s socket] [--json] command [argument ...]\n");
	if (help)
		fputs("commands: status [--prometheus], check [file], "
		      "diff [file | hash [hash]], reload,\n"
		      "  explain src dst [proto/port] [--in iface] [--out iface] [--at time],\n"
		      "  flows, isolate target --reason text, release target, audit,\n"
		      "  history, show hash, try file [--confirm-within seconds], confirm\n",
		      stdout);
	exit(help ? 0 : EXIT_USAGE);
}

/* ---- the command line ---- */

/*
 * --at TIME: "@SECONDS" since the epoch, or ISO 8601 "YYYY-MM-DDTHH:MM"
 * with optional ":SS", in local time or followed by Z or +HH:MM.
 */
static int parse_time(const char *s, time_t *ret)
{
	struct tm tm = { 0 };
	const char *p;
	char *end;
	long long v;
	int sign;
	int oh;
	int om;

	if (s[0] == '@') {
		errno = 0;
		v = strtoll(s + 1, &end, 10);
		if (errno || end == s + 1 || *end || v < 0)
			return -EINVAL;
		*ret = (time_t)v;
		return 0;
	}
	p = strptime(s, "%Y-%m-%dT%H:%M", &tm);
	if (!p)
		return -EINVAL;
	if (*p == ':') {
		p = strptime(p, ":%S", &tm);
		if (!p)
			return -EINVAL;
	}
	if (*p == '\0') {
		tm.tm_isdst = -1;
		*ret = mktime(&tm);
		return *ret == (time_t)-1 ? -EINVAL : 0;
	}
	*ret = timegm(&tm);
	if (strcmp(p, "Z") == 0)
		return 0;
	if ((p[0] != '+' && p[0] != '-') ||
	    sscanf(p + 1, "%2d:%2d", &oh, &om) != 2 || strlen(p) != 6 ||
	    oh > 23 || om > 59)
		return -EINVAL;
	sign = p[0] == '+' ? 1 : -1;
	*ret -= sign * (oh * 3600 + om * 60);
	return 0;
}

/* The options of a command, as getopt_long(3) takes them. */
enum {
	OPT_JSON = 'j',
	OPT_PROMETHEUS = 'P',
	OPT_REASON = 'r',
	OPT_IN = 'i',
	OPT_OUT = 'o',
	OPT_AT = 'a',
	OPT_CONFIRM = 'c',
};

#define OPT(name, has_arg, val) { name, has_arg, NULL, val }
#define OPT_END { NULL, 0, NULL, 0 }

static const struct option opts_plain[] = {
	OPT("json", no_argument, OPT_JSON), OPT_END
};
static const struct option opts_status[] = {
	OPT("json", no_argument, OPT_JSON),
	OPT("prometheus", no_argument, OPT_PROMETHEUS), OPT_END
};
static const struct option opts_explain[] = {
	OPT("json", no_argument, OPT_JSON), OPT("in", required_argument, OPT_IN),
	OPT("out", required_argument, OPT_OUT),
	OPT("at", required_argument, OPT_AT), OPT_END
};
static const struct option opts_isolate[] = {
	OPT("json", no_argument, OPT_JSON),
	OPT("reason", required_argument, OPT_REASON), OPT_END
};
static const struct option opts_try[] = {
	OPT("json", no_argument, OPT_JSON),
	OPT("confirm-within", required_argument, OPT_CONFIRM), OPT_END
};

struct command {
	const char *name;
	enum ctl_cmd cmd; /* 0: handled here */
	int argc_min;
	int argc_max;
	const struct option *opts;
};

static const struct command commands[] = {
	{ "status", CTL_CMD_STATUS, 0, 0, opts_status },
	{ "check", 0, 0, 1, opts_plain },
	{ "diff", 0, 0, 2, opts_plain },
	{ "reload", CTL_CMD_RELOAD, 0, 0, opts_plain },
	{ "explain", CTL_CMD_EXPLAIN, 2, 3, opts_explain },
	{ "flows", CTL_CMD_FLOWS, 0, 0, opts_plain },
	{ "isolate", CTL_CMD_ISOLATE, 1, 1, opts_isolate },
	{ "release", CTL_CMD_RELEASE, 1, 1, opts_plain },
	{ "audit", CTL_CMD_AUDIT, 0, 0, opts_plain },
	{ "history", CTL_CMD_HISTORY, 0, 0, opts_plain },
	{ "show", CTL_CMD_SHOW, 1, 1, opts_plain },
	{ "try", CTL_CMD_TRY, 1, 1, opts_try },
	{ "confirm", CTL_CMD_CONFIRM, 0, 0, opts_plain },
};

/* What the options of a command said. */
struct cmd_opts {
	const char *reason;
	const char *iface[2]; /* --in, --out */
	const char *at;
	const char *secs; /* --confirm-within */
};

/*
 * The options of command @c, anywhere among its arguments (getopt_long
 * permutes them); argv[0] is the program, for getopt's messages.  Returns
 * the index of the first argument.
 */
static int parse_cmd_opts(const struct command *c, int argc, char **argv,
			  struct cmd_opts *co)
{
	int ch;

	optind = 0; /* glibc: start again, after main's options */
	while ((ch = getopt_long(argc, argv, "", c->opts, NULL)) != -1) {
		switch (ch) {
		case OPT_JSON:
			arg_json = true;
			break;
		case OPT_PROMETHEUS:
			arg_prometheus = true;
			break;
		case OPT_REASON:
			co->reason = optarg;
			break;
		case OPT_IN:
		case OPT_OUT:
			if (strlen(optarg) >= IF_NAMESIZE)
				usage(false);
			co->iface[ch == OPT_OUT] = optarg;
			break;
		case OPT_AT:
			co->at = optarg;
			break;
		case OPT_CONFIRM:
			co->secs = optarg;
			break;
		default:
			usage(false);
		}
	}
	if (argc - optind < c->argc_min || argc - optind > c->argc_max)
		usage(false);
	if (c->cmd == CTL_CMD_ISOLATE && (!co->reason || !co->reason[0]))
		usage(false);
	return optind;
}

static int run_command(const struct command *c, int argc, char **argv)
{
	struct cmd_opts co = { 0 };
	const char *args[CTL_ARGS_MAX];
	char in[8 + IF_NAMESIZE];
	char out[8 + IF_NAMESIZE];
	char at_arg[32];
	time_t when;
	int first;
	int n = 0;
	int ret;
	int i;

	first = parse_cmd_opts(c, argc, argv, &co);
	argc -= first;
	argv += first;
	if (c->cmd == CTL_CMD_TRY)
		return cmd_try(argv[0], co.secs);
	if (strcmp(c->name, "check") == 0)
		return cmd_check(argc, argv);
	if (strcmp(c->name, "diff") == 0)
		return cmd_diff(argc, argv);
	if (c->cmd == CTL_CMD_SHOW)
		return cmd_show(argv[0]);
	for (i = 0; i < argc; i++)
		args[n++] = argv[i];
	if (co.reason)
		args[n++] = co.reason;
	/* the daemon takes them as in=IFACE and out=IFACE */
	if (co.iface[0]) {
		snprintf(in, sizeof(in), "in=%s", co.iface[0]);
		args[n++] = in;
	}
	if (co.iface[1]) {
		snprintf(out, sizeof(out), "out=%s", co.iface[1]);
		args[n++] = out;
	}
	if (co.at) {
		if (parse_time(co.at, &when) < 0) {
			warnx("--at \"%.40s\": expected YYYY-MM-DDTHH:MM[:SS] "
			      "(local time, or with Z or +09:00) or @SECONDS",
			      co.at);
			return EXIT_USAGE;
		}
		snprintf(at_arg, sizeof(at_arg), "at=%lld", (long long)when);
		args[n++] = at_arg;
	}
	ret = ctl_call(c->cmd, (size_t)n, args, stdout, stderr);
	fflush(stdout);
	return ret == 0 ? EXIT_OK : EXIT_FAIL;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	size_t i;
	int ch;

	while ((ch = getopt_long(argc, argv, "+hs:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(true);
		case 's':
			arg_socket = optarg;
			break;
		case 'j':
			arg_json = true;
			break;
		default:
			usage(false);
		}
	}
	if (optind >= argc)
		usage(false);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) != 0)
			continue;
		/* the command's own options: its name stands in for argv[0] */
		argv[optind] = argv[0];
		return run_command(&commands[i], argc - optind, argv + optind);
	}
	warnx("unknown command %s", argv[optind]);
	usage(false);
}
