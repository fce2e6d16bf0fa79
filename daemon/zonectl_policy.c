/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The zonectl commands that parse a candidate config here, with libzone,
 * exactly as the daemon would (the ownership check included): check, diff
 * and try.  The daemon never reads a file on a client's behalf.
 */
#include <sys/stat.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
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
#include <zone/ruleset.h>

#include "ctlmsg.h"
#include "json.h"
#include "policydiff.h"
#include "zonectl.h"


/*
 * Load @path as the daemon would (ownership checked) and compile it, so
 * that a config that passes here also passes a reload.
 */
static int load_candidate(const char *path, struct zone_diag *diag,
			  struct zone_model **ret_model)
{
	struct zone_compile_args args = { .now = time(NULL) };
	struct zone_ruleset *rs;
	int ret;

	ret = zone_conf_load(path, 0, diag, ret_model);
	if (ret < 0)
		return ret;
	rs = zone_ruleset_compile(*ret_model, &args);
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

int cmd_check(int argc, char **argv)
{
	struct zone_model *model = NULL;
	struct zone_diag *diag;
	char *path;
	size_t i;
	int ret;

	path = argc ? strdup(argv[0]) : running_conf_path(true);
	diag = zone_diag_new();
	if (!path || !diag) {
		warnx("check: %s", strerror(ENOMEM));
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

/*
 * A model from the config text the daemon prints for @cmd: the running
 * config (@arg NULL, loaded as "(running)"), or the kept policy @arg.
 * The text comes as a file (ctl_call_file), parsed as a stream, so that
 * no reply cap cuts it.  Its errors are printed after @label and @arg.
 * @none is returned when the daemon refuses the request.
 */
static int daemon_model(enum ctl_cmd cmd, const char *arg, const char *label,
			int none, struct zone_model **ret_model)
{
	const char *name = arg ? arg : "(running)";
	struct zone_diag *diag;
	bool json = arg_json;
	const char *args[1] = { arg };
	struct stat st;
	size_t i;
	int ret;
	int fd;

	arg_json = false; /* the config text itself */
	ret = ctl_call_file(cmd, arg ? 1 : 0, arg ? args : NULL, stdout, stderr,
			    &fd);
	arg_json = json;
	if (ret != 0)
		return ret < 0 ? ret : none;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > ZONE_CONF_MAX_SIZE) {
		warnx("%s%s: the daemon's file is not a config text", label,
		      arg ? arg : "");
		close(fd);
		return -EBADMSG;
	}
	diag = zone_diag_new();
	ret = diag ? zone_conf_load_fd(fd, (size_t)st.st_size, name, diag,
				       ret_model) :
		     -ENOMEM;
	for (i = 0; diag && ret < 0 && i < zone_diag_count(diag); i++)
		warnx("%s%s: %s", label, arg ? arg : "",
		      zone_diag_line(diag, i));
	zone_diag_free(diag);
	close(fd);
	return ret;
}

/* The kept policy's text from @fd, whole, copied to stdout; 0 or -errno. */
static int show_copy(int fd)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0 ||
	       (n < 0 && errno == EINTR)) {
		if (n > 0 && fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			break;
	}
	return n == 0 && fflush(stdout) == 0 ? 0 : -errno;
}

/*
 * --json: the object of "hash" and "config", the text quoted as it is
 * read from @fd, so that it is whole at any size; @hash is the daemon's
 * text (the full hash and a newline).  Returns 0 or -errno.
 */
static int show_json(int fd, char *hash)
{
	struct json j;
	int ret;

	hash[strcspn(hash, "\n")] = '\0';
	if (strlen(hash) != 64 || strspn(hash, "0123456789abcdef") != 64) {
		warnx("show: the daemon sent no hash");
		return -EBADMSG;
	}
	json_start(&j, stdout);
	json_object(&j, NULL);
	json_string(&j, "hash", hash);
	ret = json_string_fd(&j, "config", fd, SIZE_MAX);
	json_finish(&j);
	if (fflush(stdout) != 0 && ret == 0)
		ret = -errno;
	return ret;
}

/*
 * zonectl show HASH: the kept policy's text, whole, copied to stdout, or
 * with --json quoted into one document: the daemon sends the file itself
 * either way, so no reply cap cuts it.
 */
int cmd_show(const char *hash)
{
	const char *args[1] = { hash };
	char none[1] = "";
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int ret;
	int fd;

	out = arg_json ? open_memstream(&text, &len) : stdout;
	if (!out) {
		warn("show");
		return EXIT_FAIL;
	}
	ret = ctl_call_file(CTL_CMD_SHOW, 1, args, out, stderr, &fd);
	if (out != stdout)
		fclose(out);
	if (ret != 0) {
		free(text);
		return EXIT_FAIL;
	}
	fflush(stdout);
	ret = arg_json ? show_json(fd, text ? text : none) : show_copy(fd);
	close(fd);
	free(text);
	if (ret < 0) {
		if (ret != -EBADMSG)
			warnx("show: %s", strerror(-ret));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* The running model, from the daemon's normalised print of it. */
static int running_model(struct zone_model **ret_model)
{
	return daemon_model(CTL_CMD_CONFIG, NULL, "running config", -EIO,
			    ret_model);
}

/* A policy kept in the daemon's history, by hash or unique prefix. */
static int kept_model(const char *hash, struct zone_model **ret_model)
{
	return daemon_model(CTL_CMD_SHOW, hash, "policy ", -ENOENT, ret_model);
}

static bool looks_like_hash(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n >= 4 && n <= 64 && s[n] == '\0';
}

/*
 * The changes from @a to @b, as text or (--json) an object naming the two
 * by @ka and @kb, and the candidate's @file when there is one; @same is
 * the policy named when nothing changed.
 */
static void show_diff(const struct zone_model *a, const struct zone_model *b,
		      const char *ka, const char *kb, const char *file,
		      const struct zone_model *same)
{
	struct policy_diff d = { .out = stdout };
	struct json j;

	if (arg_json) {
		json_start(&j, stdout);
		json_object(&j, NULL);
		json_string(&j, ka, zone_model_hash(a));
		json_string(&j, kb, zone_model_hash(b));
		if (file)
			json_string(&j, "file", file);
		json_array(&j, "changes");
		d.json = &j;
	}
	policy_diff(&d, a, b);
	if (arg_json)
		json_finish(&j);
	else if (!d.any)
		printf("no changes (policy %s)\n", zone_model_hash(same));
	else
		printf("policy %s -> %s\n", zone_model_hash(a),
		       zone_model_hash(b));
}

/* zonectl diff HASH [HASH]: two kept policies, or one and the running. */
static int diff_kept(int argc, char **argv)
{
	struct zone_model *a = NULL;
	struct zone_model *b = NULL;
	int ret;

	ret = kept_model(argv[0], &a);
	if (ret == 0)
		ret = argc > 1 ? kept_model(argv[1], &b) : running_model(&b);
	if (ret < 0)
		goto out;
	show_diff(a, b, "from", "to", NULL, b);
out:
	zone_model_free(a);
	zone_model_free(b);
	return ret < 0 ? EXIT_FAIL : EXIT_OK;
}

int cmd_diff(int argc, char **argv)
{
	struct zone_model *cand = NULL;
	struct zone_model *run = NULL;
	struct zone_diag *diag;
	char *path;
	size_t i;
	int ret;

	if (argc == 2 || (argc == 1 && access(argv[0], F_OK) < 0 &&
			  looks_like_hash(argv[0])))
		return diff_kept(argc, argv);
	if (running_model(&run) < 0)
		return EXIT_FAIL;
	path = argc ? strdup(argv[0]) : running_conf_path(false);
	diag = zone_diag_new();
	if (!path || !diag) {
		ret = -ENOMEM;
		warnx("diff: %s", strerror(ENOMEM));
		goto out;
	}
	ret = load_candidate(path, diag, &cand);
	for (i = 0; i < zone_diag_count(diag); i++)
		fprintf(stderr, "%s\n", zone_diag_line(diag, i));
	if (ret < 0) {
		warnx("%s: the candidate has errors", path);
		goto out;
	}
	show_diff(run, cand, "running", "candidate", path, run);
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
int cmd_try(const char *file, const char *secs)
{
	struct zone_model *model = NULL;
	struct zone_diag *diag;
	const char *args[2];
	char *path;
	char *end;
	long v;
	int fd;
	int ret;
	size_t i;

	if (!secs)
		secs = TRY_DEFAULT_S;
	errno = 0;
	v = strtol(secs, &end, 10);
	if (errno || end == secs || *end || v < TRY_MIN_S || v > TRY_MAX_S) {
		warnx("try: --confirm-within %s is out of range %d..%d seconds",
		       secs, TRY_MIN_S, TRY_MAX_S);
		return EXIT_USAGE;
	}
	diag = zone_diag_new();
	path = realpath(file, NULL);
	if (!diag || !path) {
		warnx("try: %s: %s", file, strerror(errno));
		zone_diag_free(diag);
		free(path);
		return EXIT_FAIL;
	}
	ret = load_candidate(path, diag, &model);
	for (i = 0; i < zone_diag_count(diag); i++)
		fprintf(stderr, "%s\n", zone_diag_line(diag, i));
	zone_model_free(model);
	zone_diag_free(diag);
	if (ret < 0) {
		warnx("try: %s has errors, nothing changed", path);
		free(path);
		return EXIT_FAIL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		warnx("try: %s: %s", path, strerror(errno));
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
