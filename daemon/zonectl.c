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
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>
#include <net/if.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zone/conf.h>
#include <zone/diag.h>
#include <zone/model.h>
#include <zone/proto.h>
#include <zone/ruleset.h>

#include "ctlmsg.h"
#include "json.h"
#include "policydiff.h"

#define ZONECTL_TIMEOUT_S 120

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
};

static const char *arg_socket = ZONED_SOCKET_DEFAULT;
static bool arg_json;
static bool arg_prometheus; /* status --prometheus */

static void __attribute__((noreturn)) usage_to(bool help)
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

/* a bad command line: the usage on stderr */
static void __attribute__((noreturn)) usage(void)
{
	usage_to(false);
}

static void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warnx_(const char *fmt, ...)
{
	va_list ap;

	fputs("zonectl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- talking to the daemon ---- */

static int ctl_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = ZONECTL_TIMEOUT_S };
	int fd;

	if (strlen(arg_socket) >= sizeof(sun.sun_path)) {
		warnx_("%s: %s", arg_socket, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	strcpy(sun.sun_path, arg_socket);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* a wedged daemon must not hang a script forever */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

/* Read replies until END; returns the daemon's status or -errno. */
static int ctl_read_replies(int fd, FILE *out, FILE *err)
{
	char buf[CTL_MSG_MAX];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct ctl_reply r;
	ssize_t n;
	int ret;

	for (;;) {
		msg.msg_flags = 0;
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		if (n == 0)
			return -ECONNRESET;
		if (msg.msg_flags & MSG_TRUNC)
			return -EBADMSG;
		ret = ctl_reply_decode(buf, (size_t)n, &r);
		if (ret < 0)
			return ret;
		if (r.type == CTL_T_END)
			return r.status;
		fwrite(r.text, 1, r.len, r.type == CTL_T_OUT ? out : err);
	}
}

/*
 * ctl_call - send one request and copy the reply to @out and @err
 * Returns the daemon's exit status, or -errno after printing why.
 */
static int ctl_call_fd(enum ctl_cmd cmd, size_t argc, const char **argv,
		       int pass_fd, FILE *out, FILE *err);

static int ctl_call(enum ctl_cmd cmd, size_t argc, const char **argv, FILE *out,
		    FILE *err)
{
	return ctl_call_fd(cmd, argc, argv, -1, out, err);
}

/* Send @len bytes of @buf, with @pass_fd (SCM_RIGHTS) unless negative. */
static ssize_t send_request(int fd, const char *buf, size_t len, int pass_fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf,
			     .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (pass_fd >= 0) {
		memset(&cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof(cbuf.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &pass_fd, sizeof(int));
	}
	return sendmsg(fd, &msg, MSG_NOSIGNAL);
}

/*
 * ctl_call_fd - ctl_call() passing the open file @pass_fd along
 */
static int ctl_call_fd(enum ctl_cmd cmd, size_t argc, const char **argv,
		       int pass_fd, FILE *out, FILE *err)
{
	struct ctl_request req = { .cmd = cmd, .argc = argc };
	char buf[CTL_MSG_MAX];
	ssize_t len;
	size_t i;
	int fd;
	int ret;

	if (arg_json)
		req.flags |= CTL_F_JSON;
	if (arg_prometheus)
		req.flags |= CTL_F_PROMETHEUS;
	for (i = 0; i < argc; i++)
		req.argv[i] = argv[i];
	len = ctl_request_encode(&req, buf, sizeof(buf));
	if (len < 0) {
		warnx_("%s: arguments too long", ctl_cmd_name(cmd));
		return (int)len;
	}
	fd = ctl_connect();
	if (fd < 0) {
		warnx_("%s: %s%s", arg_socket, strerror(-fd),
		       fd == -ENOENT || fd == -ECONNREFUSED ?
			       " (is zoned running?)" :
			       "");
		return fd;
	}
	/*
	 * A daemon without a slot for us answers with the reason and hangs
	 * up, maybe before the request went out: read its answer anyway.
	 */
	if (send_request(fd, buf, (size_t)len, pass_fd) < 0 && errno != EPIPE)
		ret = -errno;
	else
		ret = ctl_read_replies(fd, out, err);
	close(fd);
	if (ret < 0)
		warnx_("%s: %s", arg_socket, strerror(-ret));
	return ret;
}

static int simple_command(enum ctl_cmd cmd, size_t argc, const char **argv)
{
	int ret = ctl_call(cmd, argc, argv, stdout, stderr);

	fflush(stdout);
	if (ret < 0)
		return EXIT_FAIL;
	return ret == 0 ? EXIT_OK : EXIT_FAIL;
}

/*
 * The running config's path, from the daemon, or the default when no
 * daemon answers.  The caller frees it.
 */
static char *running_conf_path(bool quiet_fallback)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	FILE *err;
	int ret;

	out = open_memstream(&text, &len);
	err = fopen("/dev/null", "we");
	if (!out || !err) {
		if (out)
			fclose(out);
		free(text);
		return strdup(ZONE_CONF_DEFAULT_PATH);
	}
	ret = ctl_call(CTL_CMD_CONF_PATH, 0, NULL, out,
		       quiet_fallback ? err : stderr);
	fclose(out);
	fclose(err);
	if (ret != 0 || len == 0) {
		free(text);
		return strdup(ZONE_CONF_DEFAULT_PATH);
	}
	text[strcspn(text, "\n")] = '\0';
	return text;
}

/* ---- check ---- */


/*
 * Load @path as the daemon would (ownership checked) and compile it, so
 * that a config that passes here also passes a reload.
 */
static int load_candidate(const char *path, struct zone_diag *diag,
			  struct zone_model **ret_model)
{
	struct zone_ruleset *rs;
	int ret;

	ret = zone_conf_load(path, 0, diag, ret_model);
	if (ret < 0)
		return ret;
	rs = zone_ruleset_compile(*ret_model, NULL, 0, time(NULL));
	if (!rs) {
		ret = -errno;
		zone_diag_add(diag, path, 0, "cannot compile the ruleset: %s",
			      strerror(errno));
		zone_model_free(*ret_model);
		*ret_model = NULL;
		return ret;
	}
	zone_ruleset_free(rs);
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	struct zone_model *model = NULL;
	struct zone_diag *diag;
	char *path;
	size_t i;
	int ret;

	if (argc > 1)
		usage();
	path = argc ? strdup(argv[0]) : running_conf_path(true);
	diag = zone_diag_new();
	if (!path || !diag) {
		warnx_("check: %s", strerror(ENOMEM));
		return EXIT_FAIL;
	}
	ret = load_candidate(path, diag, &model);
	if (arg_json) {
		struct json j;

		json_start(&j, stdout);
		json_object(&j, NULL);
		json_string(&j, "file", path);
		json_bool(&j, "ok", ret == 0);
		json_string(&j, "policy_hash",
			    model ? zone_model_hash(model) : NULL);
		json_array(&j, "errors");
		for (i = 0; i < zone_diag_count(diag); i++)
			json_string(&j, NULL, zone_diag_line(diag, i));
		json_finish(&j);
	} else {
		for (i = 0; i < zone_diag_count(diag); i++)
			fprintf(stderr, "%s\n", zone_diag_line(diag, i));
		if (ret == 0)
			printf("%s: configuration OK, policy %s\n", path,
			       zone_model_hash(model));
	}
	zone_model_free(model);
	zone_diag_free(diag);
	free(path);
	return ret == 0 ? EXIT_OK : EXIT_FAIL;
}

/* The running model, from the daemon's normalised print of it. */
static int running_model(struct zone_model **ret_model)
{
	struct zone_diag *diag;
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	size_t i;
	int ret;

	out = open_memstream(&text, &len);
	if (!out)
		return -errno;
	ret = ctl_call(CTL_CMD_CONFIG, 0, NULL, out, stderr);
	fclose(out);
	if (ret != 0) {
		free(text);
		return ret < 0 ? ret : -EIO;
	}
	diag = zone_diag_new();
	ret = diag ? zone_conf_load_string(text, "(running)", diag, ret_model) :
		     -ENOMEM;
	for (i = 0; diag && ret < 0 && i < zone_diag_count(diag); i++)
		warnx_("running config: %s", zone_diag_line(diag, i));
	zone_diag_free(diag);
	free(text);
	return ret;
}

/* A policy kept in the daemon's history, by hash or unique prefix. */
static int kept_model(const char *hash, struct zone_model **ret_model)
{
	struct zone_diag *diag;
	bool json = arg_json;
	char *text = NULL;
	const char *args[1] = { hash };
	size_t len = 0;
	FILE *out;
	size_t i;
	int ret;

	out = open_memstream(&text, &len);
	if (!out)
		return -errno;
	arg_json = false; /* the config text itself */
	ret = ctl_call(CTL_CMD_SHOW, 1, args, out, stderr);
	arg_json = json;
	fclose(out);
	if (ret != 0) {
		free(text);
		return ret < 0 ? ret : -ENOENT;
	}
	diag = zone_diag_new();
	ret = diag ? zone_conf_load_string(text, hash, diag, ret_model) :
		     -ENOMEM;
	for (i = 0; diag && ret < 0 && i < zone_diag_count(diag); i++)
		warnx_("policy %s: %s", hash, zone_diag_line(diag, i));
	zone_diag_free(diag);
	free(text);
	return ret;
}

static bool looks_like_hash(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n >= 4 && n <= 64 && s[n] == '\0';
}

/* zonectl diff HASH [HASH]: two kept policies, or one and the running. */
static int diff_kept(int argc, char **argv)
{
	struct zone_model *a = NULL;
	struct zone_model *b = NULL;
	struct policy_diff d = { .out = stdout };
	struct json j;
	int ret;

	ret = kept_model(argv[0], &a);
	if (ret == 0)
		ret = argc > 1 ? kept_model(argv[1], &b) : running_model(&b);
	if (ret < 0)
		goto out;
	if (arg_json) {
		json_start(&j, stdout);
		json_object(&j, NULL);
		json_string(&j, "from", zone_model_hash(a));
		json_string(&j, "to", zone_model_hash(b));
		json_array(&j, "changes");
		d.json = &j;
	}
	policy_diff(&d, a, b);
	if (arg_json)
		json_finish(&j);
	else if (!d.any)
		printf("no changes (policy %s)\n", zone_model_hash(b));
	else
		printf("policy %s -> %s\n", zone_model_hash(a),
		       zone_model_hash(b));
out:
	zone_model_free(a);
	zone_model_free(b);
	return ret < 0 ? EXIT_FAIL : EXIT_OK;
}

static int cmd_diff(int argc, char **argv)
{
	struct zone_model *cand = NULL;
	struct zone_model *run = NULL;
	struct policy_diff d = { .out = stdout };
	struct zone_diag *diag;
	struct json j;
	char *path;
	size_t i;
	int ret;

	if (argc == 2 || (argc == 1 && access(argv[0], F_OK) < 0 &&
			  looks_like_hash(argv[0])))
		return diff_kept(argc, argv);
	if (argc > 1)
		usage();
	if (running_model(&run) < 0)
		return EXIT_FAIL;
	path = argc ? strdup(argv[0]) : running_conf_path(false);
	diag = zone_diag_new();
	if (!path || !diag) {
		ret = -ENOMEM;
		warnx_("diff: %s", strerror(ENOMEM));
		goto out;
	}
	ret = load_candidate(path, diag, &cand);
	for (i = 0; i < zone_diag_count(diag); i++)
		fprintf(stderr, "%s\n", zone_diag_line(diag, i));
	if (ret < 0) {
		warnx_("%s: the candidate has errors", path);
		goto out;
	}
	if (arg_json) {
		json_start(&j, stdout);
		json_object(&j, NULL);
		json_string(&j, "running", zone_model_hash(run));
		json_string(&j, "candidate", zone_model_hash(cand));
		json_string(&j, "file", path);
		json_array(&j, "changes");
		d.json = &j;
	}
	policy_diff(&d, run, cand);
	if (arg_json)
		json_finish(&j);
	else if (!d.any)
		printf("no changes (policy %s)\n", zone_model_hash(run));
	else
		printf("policy %s -> %s\n", zone_model_hash(run),
		       zone_model_hash(cand));
out:
	zone_model_free(cand);
	zone_model_free(run);
	zone_diag_free(diag);
	free(path);
	return ret < 0 ? EXIT_FAIL : EXIT_OK;
}

/* ---- try ---- */

#define TRY_DEFAULT_S "120"
#define TRY_MIN_S 5
#define TRY_MAX_S 3600

/*
 * zonectl try FILE [--confirm-within SECONDS]: checked here as check
 * does, then the open file goes to the daemon, which never opens a path
 * on a client's behalf.
 */
static int cmd_try(int argc, char **argv)
{
	const char *secs = TRY_DEFAULT_S;
	const char *file = NULL;
	struct zone_model *model = NULL;
	struct zone_diag *diag;
	const char *args[2];
	char *path;
	char *end;
	long v;
	int fd;
	int ret;
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			arg_json = true;
		else if (strcmp(argv[i], "--confirm-within") == 0 &&
			 i + 1 < argc)
			secs = argv[++i];
		else if (strncmp(argv[i], "--confirm-within=", 17) == 0)
			secs = argv[i] + 17;
		else if (argv[i][0] == '-' || file)
			usage();
		else
			file = argv[i];
	}
	if (!file)
		usage();
	errno = 0;
	v = strtol(secs, &end, 10);
	if (errno || end == secs || *end || v < TRY_MIN_S || v > TRY_MAX_S) {
		warnx_("try: --confirm-within %s is out of range %d..%d seconds",
		       secs, TRY_MIN_S, TRY_MAX_S);
		return EXIT_USAGE;
	}
	diag = zone_diag_new();
	path = realpath(file, NULL);
	if (!diag || !path) {
		warnx_("try: %s: %s", file, strerror(errno));
		zone_diag_free(diag);
		free(path);
		return EXIT_FAIL;
	}
	ret = load_candidate(path, diag, &model);
	for (i = 0; i < (int)zone_diag_count(diag); i++)
		fprintf(stderr, "%s\n", zone_diag_line(diag, i));
	zone_model_free(model);
	zone_diag_free(diag);
	if (ret < 0) {
		warnx_("try: %s has errors, nothing changed", path);
		free(path);
		return EXIT_FAIL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		warnx_("try: %s: %s", path, strerror(errno));
		free(path);
		return EXIT_FAIL;
	}
	args[0] = secs;
	args[1] = path;
	ret = ctl_call_fd(CTL_CMD_TRY, 2, args, fd, stdout, stderr);
	fflush(stdout);
	close(fd);
	free(path);
	return ret == 0 ? EXIT_OK : EXIT_FAIL;
}

/* ---- the command line ---- */

/*
 * Take --json wherever it appears after the command, --reason TEXT (or
 * --reason=TEXT) when @reason is given, --in IFACE / --out IFACE into
 * @iface[0] / @iface[1] when @iface is given, and --prometheus when
 * @prometheus is.  The rest stay in order.
 */
static int take_options(int *argc, char **argv, const char **reason,
			const char **iface, const char **at, bool *prometheus)
{
	int n = 0;
	int i;

	for (i = 0; i < *argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			arg_json = true;
		} else if (at && strcmp(argv[i], "--at") == 0) {
			if (i + 1 == *argc)
				return -EINVAL;
			*at = argv[++i];
		} else if (at && strncmp(argv[i], "--at=", 5) == 0) {
			*at = argv[i] + 5;
		} else if (iface && (strcmp(argv[i], "--in") == 0 ||
				     strcmp(argv[i], "--out") == 0)) {
			if (i + 1 == *argc)
				return -EINVAL;
			iface[argv[i][2] == 'o'] = argv[i + 1];
			i++;
		} else if (prometheus && strcmp(argv[i], "--prometheus") == 0) {
			*prometheus = true;
		} else if (reason && strcmp(argv[i], "--reason") == 0) {
			if (i + 1 == *argc)
				return -EINVAL;
			*reason = argv[++i];
		} else if (reason && strncmp(argv[i], "--reason=", 9) == 0) {
			*reason = argv[i] + 9;
		} else if (strcmp(argv[i], "--") == 0) {
			while (++i < *argc)
				argv[n++] = argv[i];
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			return -EINVAL;
		} else {
			argv[n++] = argv[i];
		}
	}
	*argc = n;
	return 0;
}

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

struct command {
	const char *name;
	enum ctl_cmd cmd; /* 0: handled here */
	int argc_min;
	int argc_max;
};

static const struct command commands[] = {
	{ "status", CTL_CMD_STATUS, 0, 0 },
	{ "check", 0, 0, 1 },
	{ "diff", 0, 0, 2 },
	{ "reload", CTL_CMD_RELOAD, 0, 0 },
	{ "explain", CTL_CMD_EXPLAIN, 2, 3 },
	{ "flows", CTL_CMD_FLOWS, 0, 0 },
	{ "isolate", CTL_CMD_ISOLATE, 1, 1 },
	{ "release", CTL_CMD_RELEASE, 1, 1 },
	{ "audit", CTL_CMD_AUDIT, 0, 0 },
	{ "history", CTL_CMD_HISTORY, 0, 0 },
	{ "show", CTL_CMD_SHOW, 1, 1 },
	{ "try", CTL_CMD_TRY, 1, 3 },
	{ "confirm", CTL_CMD_CONFIRM, 0, 0 },
};

static int run_command(const struct command *c, int argc, char **argv)
{
	const char *reason = NULL;
	const char *iface[2] = { NULL, NULL };
	const char *at = NULL;
	char at_arg[32];
	time_t when;
	const char *args[CTL_ARGS_MAX];
	char in[8 + IF_NAMESIZE];
	char out[8 + IF_NAMESIZE];
	int i;

	if (c->cmd == CTL_CMD_TRY)
		return cmd_try(argc, argv);
	if (take_options(&argc, argv,
			 c->cmd == CTL_CMD_ISOLATE ? &reason : NULL,
			 c->cmd == CTL_CMD_EXPLAIN ? iface : NULL,
			 c->cmd == CTL_CMD_EXPLAIN ? &at : NULL,
			 c->cmd == CTL_CMD_STATUS ? &arg_prometheus : NULL) < 0)
		usage();
	if (argc < c->argc_min || argc > c->argc_max)
		usage();
	if (c->cmd == CTL_CMD_ISOLATE && (!reason || !reason[0]))
		usage();
	if (strcmp(c->name, "check") == 0)
		return cmd_check(argc, argv);
	if (strcmp(c->name, "diff") == 0)
		return cmd_diff(argc, argv);
	for (i = 0; i < argc; i++)
		args[i] = argv[i];
	if (reason)
		args[argc++] = reason;
	/* the daemon takes them as in=IFACE and out=IFACE */
	for (i = 0; i < 2; i++) {
		if (iface[i] && strlen(iface[i]) >= IF_NAMESIZE)
			usage();
	}
	if (iface[0]) {
		snprintf(in, sizeof(in), "in=%s", iface[0]);
		args[argc++] = in;
	}
	if (iface[1]) {
		snprintf(out, sizeof(out), "out=%s", iface[1]);
		args[argc++] = out;
	}
	if (at) {
		if (parse_time(at, &when) < 0) {
			warnx_("--at \"%.40s\": expected YYYY-MM-DDTHH:MM[:SS] "
			       "(local time, or with Z or +09:00) or @SECONDS",
			       at);
			return EXIT_USAGE;
		}
		snprintf(at_arg, sizeof(at_arg), "at=%lld", (long long)when);
		args[argc++] = at_arg;
	}
	return simple_command(c->cmd, (size_t)argc, args);
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
			usage_to(true);
		case 's':
			arg_socket = optarg;
			break;
		case 'j':
			arg_json = true;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			return run_command(&commands[i], argc - 1, argv + 1);
	warnx_("unknown command %s", argv[0]);
	usage();
}
