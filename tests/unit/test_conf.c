/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The config loader: every bad config under tests/conf/bad gives exactly
 * the diagnostics of its .err file; the goldens under tests/conf/good
 * print exactly their .T file, the output of `zoned -T` (UPDATE_GOLDEN=1
 * rewrites them; tests/shell/config_golden_0 checks zoned itself); the
 * shipped examples load and survive print -> load with the same hash; and
 * each rule has configs it accepts.
 */

#include <sys/socket.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include <zone/conf.h>
#include <zone/lpm.h>
#include <zone/model.h>
#include <zone/ruleset.h>
#include <zone/sha256.h>

#include "model_priv.h"
#include "verdict_priv.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif

/* ---------------------------------------------------------------- helpers */

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t size = 0;
	ssize_t n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	n = getdelim(&text, &size, '\0', f);
	fclose(f);
	if (n < 0) {
		free(text);
		return strdup("");
	}
	return text;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* All diagnostics, one per line. */
static char *diag_text(const struct zone_diag *diag)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	size_t i;

	for (i = 0; i < zone_diag_count(diag); i++)
		fprintf(out, "%s\n", zone_diag_line(diag, i));
	fclose(out);
	return text;
}

/* Load @text as file @name; returns the model or NULL (then *ret_err). */
static struct zone_model *load(const char *text, const char *name,
			       char **ret_err)
{
	struct zone_diag *diag = zone_diag_new();
	struct zone_model *m = NULL;
	int ret;

	ck_assert_ptr_nonnull(diag);
	ret = zone_conf_load_string(text, name, diag, &m);
	if (ret == 0)
		ck_assert_int_eq(zone_diag_count(diag), 0);
	else
		ck_assert_ptr_null(m);
	if (ret_err)
		*ret_err = diag_text(diag);
	zone_diag_free(diag);
	return m;
}

static struct zone_model *load_ok(const char *text)
{
	char *err = NULL;
	struct zone_model *m = load(text, "t.conf", &err);

	ck_assert_msg(m != NULL, "refused:\n%s\n---\n%s", err, text);
	free(err);
	return m;
}

static char *load_err(const char *text)
{
	char *err = NULL;
	struct zone_model *m = load(text, "t.conf", &err);

	ck_assert_msg(m == NULL, "accepted:\n%s", text);
	return err;
}

static char *print_model(const struct zone_model *m)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_int_eq(zone_model_print(m, out), 0);
	fclose(out);
	return text;
}

/* One block of `zoned -T` output, printed by @print into a new string. */
static char *capture(int (*print)(const void *obj, FILE *out), const void *obj)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(print(obj, out), 0);
	fclose(out);
	return text;
}

static int print_tiers(const void *m, FILE *out)
{
	return zone_model_print_tiers(m, out);
}

static int print_edges(const void *m, FILE *out)
{
	return zone_model_print_edges(m, out);
}

static int print_plan(const void *rs, FILE *out)
{
	return zone_ruleset_print(rs, out);
}

/* @text as config comments under @title, as zoned -T prints its blocks. */
static void put_commented(FILE *out, const char *title, char *text)
{
	char *save;
	char *line;

	fprintf(out, "\n# %s\n", title);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		fprintf(out, line[0] == '#' ? "%s\n" : "# %s\n", line);
	free(text);
}

/*
 * What `zoned -T` prints for @m: the normalised config, then the tier
 * mapping, the edges and the compiled plan as comments.
 */
static char *print_dash_T(const struct zone_model *m)
{
	struct zone_compile_args args = { .now = time(NULL) };
	struct zone_ruleset *rs = zone_ruleset_compile(m, &args);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(rs);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(zone_model_print(m, out), 0);
	put_commented(out, "tier mapping", capture(print_tiers, m));
	put_commented(out, "edges", capture(print_edges, m));
	put_commented(out, "compiled plan", capture(print_plan, rs));
	fclose(out);
	zone_ruleset_free(rs);
	return text;
}

/*
 * @got must be @want; else name the first line that differs (a whole
 * -T output is longer than a Check message may be).
 */
static void assert_same_text(const char *path, const char *want,
			     const char *got)
{
	const char *w = want;
	const char *g = got;
	int line = 1;

	while (*w && *w == *g) {
		if (*w == '\n') {
			want = w + 1;
			got = g + 1;
			line++;
		}
		w++;
		g++;
	}
	ck_assert_msg(*w == *g, "%s:%d differs:\nwant: %.*s\ngot:  %.*s", path,
		      line, (int)strcspn(want, "\n"), want,
		      (int)strcspn(got, "\n"), got);
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s);
	size_t k = strlen(suffix);

	return n > k && strcmp(s + n - k, suffix) == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names of the *.conf files of @dir; returns the count. */
static size_t list_confs(const char *dir, char ***ret)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;

	ck_assert_msg(d != NULL, "cannot open %s", dir);
	while ((e = readdir(d))) {
		if (!has_suffix(e->d_name, ".conf"))
			continue;
		v = realloc(v, (n + 1) * sizeof(*v));
		v[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_str);
	*ret = v;
	return n;
}

static void free_list(char **v, size_t n)
{
	while (n--)
		free(v[n]);
	free(v);
}

/* The gateway block every config needs: nobody in, nowhere out. */
#define GW "gateway = { management = ( ); outbound = ( ); };\n"

/* The body of a small valid alpha config; channels and head vary. */
#define ZONES                                                                              \
	"zones = (\n"                                                                      \
	"  { name = \"jumin\"; tier = \"resident\"; interfaces = [ \"eth1\" ];\n"          \
	"    networks = [ \"10.1.0.0/16\", \"fd00:1::/48\" ]; },\n"                        \
	"  { name = \"lgwan\"; tier = \"lgwan\"; interfaces = [ \"eth2\" ];\n"             \
	"    networks = [ \"10.2.0.0/16\" ]; },\n"                                         \
	"  { name = \"naibu\"; tier = \"internet\"; interfaces = [ \"eth3\" ];\n"          \
	"    networks = [ \"10.3.0.0/16\" ]; }\n"                                          \
	");\n"                                                                             \
	"attachments = (\n"                                                                \
	"  { name = \"lgwan-wan\"; kind = \"lgwan-wan\"; interfaces = [ \"eth4\" ];\n" \
	"    networks = [ \"172.16.0.0/12\" ]; },\n"                                       \
	"  { name = \"jukinet\"; kind = \"public-system\"; interfaces = [ \"eth6\" ];\n" \
	"    networks = [ \"198.51.100.0/24\" ]; },\n"                                     \
	"  { name = \"seccloud\"; kind = \"security-cloud\"; interfaces = [ \"eth5\" ];\n" \
	"    networks = [ \"192.0.2.0/24\" ]; },\n"                                        \
	"  { name = \"internet\"; kind = \"internet\"; interfaces = [ \"eth5\" ]; }\n"     \
	");\n" GW


#define WHY "reason = \"r\"; approved = \"a\";"

static char *with_channel(const char *head, const char *channel)
{
	char *text;

	ck_assert_int_ge(asprintf(&text, "%s\n" ZONES "channels = (\n%s\n);\n",
				  head, channel),
			 0);
	return text;
}

/* zoned -t warnings: an expired channel, every un-narrowed allowed cell. */
START_TEST(test_conf_warnings)
{
	const char *chan =
		"{ name = \"old\"; kind = \"sanitize\"; from = \"naibu\"; to = \"lgwan\"; from_hosts = [ \"10.3.0.25\" ]; to_hosts = [ \"10.2.0.25\" ]; services = [ \"tcp/25\" ]; " WHY
		" expires = \"2020-01-31\"; }";
	char *text = with_channel("", chan);
	struct zone_model *m = load_ok(text);
	struct zone_diag *d = zone_diag_new();

	ck_assert_uint_eq(zone_conf_warnings(m, time(NULL), d), 3);
	ck_assert_msg(strstr(zone_diag_line(d, 0),
			     "warning: channel \"old\" expired at 2020-01-31"),
		      "%s", zone_diag_line(d, 0));
	ck_assert_msg(strstr(zone_diag_line(d, 1),
			     "warning: lgwan -> lgwan-wan is allowed by lgwan-wan"),
		      "%s", zone_diag_line(d, 1));
	ck_assert_msg(strstr(zone_diag_line(d, 2),
			     "warning: naibu -> seccloud is allowed by secure-egress"),
		      "%s", zone_diag_line(d, 2));
	zone_model_free(m);
	zone_diag_free(d);
	free(text);
	/* narrowed cells and a live channel: nothing to say */
	text = with_channel(
		"narrow = ( { from = \"lgwan\"; to = \"lgwan-wan\"; services = [ \"tcp/443\" ]; },"
		" { from = \"naibu\"; to = \"seccloud\"; services = [ \"tcp/8080\" ]; } );",
		"{ name = \"new\"; kind = \"sanitize\"; from = \"naibu\"; to = \"lgwan\"; from_hosts = [ \"10.3.0.25\" ]; to_hosts = [ \"10.2.0.25\" ]; services = [ \"tcp/25\" ]; " WHY
		" expires = \"2099-01-31\"; }");
	m = load_ok(text);
	d = zone_diag_new();
	ck_assert_uint_eq(zone_conf_warnings(m, time(NULL), d), 0);
	zone_model_free(m);
	zone_diag_free(d);
	free(text);
}
END_TEST

/* ------------------------------------------------------------ bad configs */

START_TEST(test_conf_bad_configs_exact_diagnostics)
{
	const char *dir = SRCDIR "/tests/conf/bad";
	char path[512];
	char **names;
	size_t n;
	size_t i;

	n = list_confs(dir, &names);
	ck_assert_uint_ge(n, 40);
	for (i = 0; i < n; i++) {
		char *text;
		char *want;
		char *got = NULL;
		struct zone_model *m;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		text = read_text(path);
		snprintf(path + strlen(path) - 5, 6, ".err");
		want = read_text(path);
		ck_assert_msg(*want, "%s is empty", path);
		m = load(text, names[i], &got);
		ck_assert_msg(m == NULL, "%s: accepted", names[i]);
		ck_assert_msg(strcmp(got, want) == 0, "%s:\nwant:\n%sgot:\n%s",
			      names[i], want, got);
		free(text);
		free(want);
		free(got);
	}
	free_list(names, n);
}
END_TEST

/* Every error of a config is reported in the same run. */
START_TEST(test_conf_all_errors_in_one_run)
{
	char *text = read_text(SRCDIR "/tests/conf/bad/84-three-errors.conf");
	struct zone_diag *diag = zone_diag_new();
	struct zone_model *m = NULL;

	ck_assert_int_eq(zone_conf_load_string(text, "x.conf", diag, &m),
			 -EINVAL);
	ck_assert_uint_eq(zone_diag_count(diag), 3);
	ck_assert_str_eq(
		zone_diag_line(diag, 0),
		"x.conf:3: mode \"strict\" is not one of enforce, monitor");
	ck_assert(strncmp(zone_diag_line(diag, 1), "x.conf:14: ", 11) == 0);
	ck_assert(strncmp(zone_diag_line(diag, 2), "x.conf:23: ", 11) == 0);
	zone_diag_free(diag);
	free(text);
}
END_TEST

/* Diagnostics name the file as given, or "(stdin)". */
START_TEST(test_conf_diagnostics_name_the_path)
{
	const char *path = SRCDIR "/tests/conf/bad/02-unknown-top-key.conf";
	struct zone_diag *diag = zone_diag_new();
	struct zone_model *m = NULL;
	char want[600];

	ck_assert_int_eq(zone_conf_load(path, ZONE_CONF_NO_OWNER_CHECK, diag,
					&m),
			 -EINVAL);
	snprintf(want, sizeof(want), "%s:18: unknown key \"policy\"", path);
	ck_assert_str_eq(zone_diag_line(diag, 0), want);
	zone_diag_free(diag);

	diag = zone_diag_new();
	ck_assert_int_eq(zone_conf_load_string("mode = 1; " GW, NULL, diag, &m),
			 -EINVAL);
	ck_assert_str_eq(zone_diag_line(diag, 0), "(stdin): missing zones");
	ck_assert_str_eq(zone_diag_line(diag, 1),
			 "(stdin):1: mode must be a string");
	zone_diag_free(diag);
}
END_TEST

/* A group or list of another type, or a list entry that is no group. */
START_TEST(test_conf_setting_types)
{
	static const struct {
		const char *head;
		const char *gateway; /* NULL: GW */
		const char *want;
	} cases[] = {
		{ "narrow = 5;", NULL,
		  "t.conf:1: narrow must be a list ( { ... }, ... )" },
		{ "narrow = ( 5 );", NULL,
		  "t.conf:1: narrow: entry 1 must be a group { ... }" },
		{ "metrics = 5;", NULL,
		  "t.conf:1: metrics must be a group { ... }" },
		{ "alerts = ( );", NULL,
		  "t.conf:1: alerts must be a group { ... }" },
		{ "", "gateway = 5;\n", "gateway must be a group { ... }" },
		{ "", "gateway = { management = { }; outbound = ( ); };\n",
		  "gateway: management must be a list ( { ... }, ... )" },
		{ "", "gateway = { management = ( ); outbound = ( 5 ); };\n",
		  "gateway: outbound: entry 1 must be a group { ... }" },
		{ "",
		  "gateway = { management = ( ); outbound = ( ); ha = 5; };\n",
		  "gateway: ha must be a group { ... }" },
		/* and the segments they name */
		{ "narrow = ( { from = \"nope\"; to = \"lgwan-wan\"; } );", NULL,
		  "t.conf:1: narrow #1: from \"nope\" names no zone or attachment" },
		{ "",
		  "gateway = { management = ( { name = \"ssh\"; from = \"gone\";"
		  " services = [ \"tcp/22\" ]; } ); outbound = ( ); };\n",
		  "management \"ssh\": from \"gone\" names no zone or attachment" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = with_channel(cases[i].head, "");
		char *gw = strstr(text, GW);
		char *swapped = NULL;
		char *err;

		ck_assert_ptr_nonnull(gw);
		if (cases[i].gateway) {
			*gw = '\0';
			ck_assert_int_ge(asprintf(&swapped, "%s%s%s", text,
						  cases[i].gateway,
						  gw + strlen(GW)),
					 0);
		}
		err = load_err(swapped ? swapped : text);
		ck_assert_msg(strstr(err, cases[i].want), "want %s, got:\n%s",
			      cases[i].want, err);
		free(err);
		free(swapped);
		free(text);
	}
}
END_TEST

/*
 * A million networks one a line: line numbers past 16 bits are reported
 * as they are, and only past 4 Mi lines is a file refused up front.
 */
START_TEST(test_conf_line_limit)
{
	size_t n = 4u << 20;
	char *text = malloc(n + 64);
	char *err;

	memset(text, '\n', n);
	strcpy(text + 70000, "zones = 5; " GW);
	err = load_err(text);
	ck_assert_str_eq(
		err, "t.conf:70001: zones must be a list ( { ... }, ... )\n");
	free(err);
	memset(text, '\n', n);
	strcpy(text + n - 1, "\nzones = 5;\n");
	err = load_err(text);
	ck_assert_str_eq(err, "t.conf: more than 4194304 lines\n");
	free(err);
	free(text);
}
END_TEST

/*
 * The size bound: a file one byte over it is refused before it is read;
 * one at the bound is read (and this one, all NUL bytes, refused then).
 */
START_TEST(test_conf_size_limit)
{
	char path[] = "/tmp/test_conf.XXXXXX";
	struct zone_diag *diag = zone_diag_new();
	struct zone_model *m = NULL;
	char want[200];
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, ZONE_CONF_MAX_SIZE + 1), 0);
	ck_assert_int_eq(zone_conf_load(path, ZONE_CONF_NO_OWNER_CHECK, diag,
					&m),
			 -EINVAL);
	snprintf(want, sizeof(want), "%s: file is larger than 67108864 bytes",
		 path);
	ck_assert_str_eq(zone_diag_line(diag, 0), want);
	zone_diag_free(diag);

	diag = zone_diag_new();
	ck_assert_int_eq(ftruncate(fd, ZONE_CONF_MAX_SIZE), 0);
	ck_assert_int_eq(zone_conf_load(path, ZONE_CONF_NO_OWNER_CHECK, diag,
					&m),
			 -EINVAL);
	snprintf(want, sizeof(want), "%s: file contains a NUL byte", path);
	ck_assert_str_eq(zone_diag_line(diag, 0), want);
	zone_diag_free(diag);
	close(fd);
	unlink(path);
}
END_TEST

/*
 * The file reaches libconfig as a stream read 64 KiB at a time: an
 * @include across the first read's end is still refused, at its line,
 * and "@inc" that is not @include goes through as it was written.
 */
START_TEST(test_conf_stream_include)
{
	char path[] = "/tmp/test_conf.XXXXXX";
	size_t n = (64u << 10) - 3;
	char *text = malloc(n + 200);
	struct zone_diag *diag = zone_diag_new();
	struct zone_model *m = NULL;
	char want[200];
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	memset(text, '\n', n);
	strcpy(text + n, "@include \"/etc/passwd\"\n");
	write_text(path, text);
	ck_assert_int_eq(zone_conf_load(path, ZONE_CONF_NO_OWNER_CHECK, diag,
					&m),
			 -EINVAL);
	snprintf(want, sizeof(want), "%s:%zu: @include is not supported", path,
		 n + 1);
	ck_assert_uint_eq(zone_diag_count(diag), 1);
	ck_assert_str_eq(zone_diag_line(diag, 0), want);
	zone_diag_free(diag);

	diag = zone_diag_new();
	strcpy(text + n, "  @inc = 1;\n");
	write_text(path, text);
	ck_assert_int_eq(zone_conf_load(path, ZONE_CONF_NO_OWNER_CHECK, diag,
					&m),
			 -EINVAL);
	snprintf(want, sizeof(want), "%s:%zu: syntax error", path, n + 1);
	ck_assert_str_eq(zone_diag_line(diag, 0), want);
	zone_diag_free(diag);
	unlink(path);
	free(text);
}
END_TEST

/* Missing files, directories and FIFOs are refused with the reason. */
START_TEST(test_conf_file_not_loadable)
{
	struct zone_diag *diag = zone_diag_new();
	struct zone_model *m = NULL;
	char fifo[64];

	snprintf(fifo, sizeof(fifo), "/tmp/test_conf.%d.fifo", (int)getpid());
	ck_assert_int_eq(zone_conf_load("/nonexistent/zoned.conf", 0, diag, &m),
			 -ENOENT);
	ck_assert_str_eq(
		zone_diag_line(diag, 0),
		"/nonexistent/zoned.conf: cannot open: No such file or directory");
	zone_diag_free(diag);

	/* a directory, or a FIFO that must not block the loader */
	diag = zone_diag_new();
	ck_assert_int_eq(zone_conf_load(SRCDIR "/tests/conf",
					ZONE_CONF_NO_OWNER_CHECK, diag, &m),
			 -EINVAL);
	ck_assert_str_eq(zone_diag_line(diag, 0),
			 SRCDIR "/tests/conf: not a regular file");
	zone_diag_free(diag);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	diag = zone_diag_new();
	ck_assert_int_eq(zone_conf_load(fifo, 0, diag, &m), -EINVAL);
	unlink(fifo);
	ck_assert(strstr(zone_diag_line(diag, 0), ": not a regular file"));
	zone_diag_free(diag);
}
END_TEST

/* Root-owned, not group/world writable; the flag skips the check. */
START_TEST(test_conf_owner_and_mode_check)
{
	char path[] = "/tmp/test_conf.XXXXXX";
	char *text = read_text(SRCDIR "/conf/zoned.conf");
	struct zone_diag *diag;
	struct zone_model *m = NULL;
	char want[200];
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	write_text(path, text);
	free(text);

	ck_assert_int_eq(chmod(path, 0620), 0);
	diag = zone_diag_new();
	ck_assert_int_eq(zone_conf_load(path, 0, diag, &m), -EPERM);
	snprintf(want, sizeof(want), "%s: %s", path,
		 getuid() == 0 ? "file is writable by group or others" :
				 "file is not owned by root");
	ck_assert_str_eq(zone_diag_line(diag, 0), want);
	zone_diag_free(diag);

	ck_assert_int_eq(chmod(path, 0644), 0);
	if (getuid() == 0) {
		diag = zone_diag_new();
		ck_assert_int_eq(zone_conf_load(path, 0, diag, &m), 0);
		zone_model_free(m);
		m = NULL;
		zone_diag_free(diag);
		ck_assert_int_eq(chown(path, 65534, 65534), 0);
	}
	diag = zone_diag_new();
	ck_assert_int_eq(zone_conf_load(path, 0, diag, &m), -EPERM);
	snprintf(want, sizeof(want), "%s: file is not owned by root", path);
	ck_assert_str_eq(zone_diag_line(diag, 0), want);
	zone_diag_free(diag);

	diag = zone_diag_new();
	ck_assert_int_eq(
		zone_conf_load(path, ZONE_CONF_NO_OWNER_CHECK, diag, &m), 0);
	ck_assert_str_eq(zone_model_file(m), path);
	zone_model_free(m);
	zone_diag_free(diag);
	unlink(path);
}
END_TEST

/* ------------------------------------------------- goldens and round trip */

START_TEST(test_conf_golden_outputs)
{
	const char *dir = SRCDIR "/tests/conf/good";
	const char *update = getenv("UPDATE_GOLDEN");
	char path[512];
	char **names;
	size_t n;
	size_t i;

	n = list_confs(dir, &names);
	ck_assert_uint_ge(n, 3);
	for (i = 0; i < n; i++) {
		struct zone_model *m;
		char *text;
		char *got;
		char *want;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		text = read_text(path);
		m = load_ok(text);
		got = print_dash_T(m);
		snprintf(path + strlen(path) - 5, 6, ".T");
		if (update && strcmp(update, "1") == 0)
			write_text(path, got);
		want = read_text(path);
		assert_same_text(path, want, got);
		zone_model_free(m);
		free(text);
		free(got);
		free(want);
	}
	free_list(names, n);
}
END_TEST

/* print -> load gives the same normalised text and the same hash. */
static void check_round_trip(const char *path)
{
	char *text = read_text(path);
	struct zone_model *a = load_ok(text);
	char *printed = print_model(a);
	struct zone_model *b = load_ok(printed);
	char *again = print_model(b);

	ck_assert_str_eq(printed, again);
	ck_assert_str_eq(zone_model_hash(a), zone_model_hash(b));
	ck_assert_uint_eq(strlen(zone_model_hash(a)), 64);
	ck_assert_uint_eq(zone_model_segment_count(a),
			  zone_model_segment_count(b));
	ck_assert_uint_eq(zone_model_channel_count(a),
			  zone_model_channel_count(b));
	zone_model_free(a);
	zone_model_free(b);
	free(text);
	free(printed);
	free(again);
}

START_TEST(test_conf_shipped_examples_load_and_round_trip)
{
	struct zone_diag *diag = zone_diag_new();
	struct zone_model *m = NULL;

	ck_assert_int_eq(zone_conf_load(SRCDIR "/conf/zoned.conf",
					ZONE_CONF_NO_OWNER_CHECK, diag, &m),
			 0);
	ck_assert_int_eq(zone_model_profile(m), ZONE_PROFILE_ALPHA);
	ck_assert_uint_eq(zone_model_channel_count(m), 8);
	zone_model_free(m);
	m = NULL;
	ck_assert_int_eq(zone_conf_load(SRCDIR "/conf/zoned-beta.conf",
					ZONE_CONF_NO_OWNER_CHECK, diag, &m),
			 0);
	ck_assert_int_eq(zone_model_profile(m), ZONE_PROFILE_BETA);
	ck_assert_str_eq(zone_model_profile_approved(m), "CISO 2026-020");
	zone_model_free(m);
	ck_assert_uint_eq(zone_diag_count(diag), 0);
	zone_diag_free(diag);
	check_round_trip(SRCDIR "/conf/zoned.conf");
	check_round_trip(SRCDIR "/conf/zoned-beta.conf");
}
END_TEST

/*
 * metrics: off by default, the interval defaults to 15 s, printed by -T
 * and read back the same, and never part of the policy hash.
 */
START_TEST(test_conf_metrics)
{
	struct zone_model *plain = load_ok(ZONES);
	struct zone_model *m;
	struct zone_model *back;
	char *printed;
	char *err;

	ck_assert_ptr_null(zone_model_metrics_file(plain));
	m = load_ok(ZONES "metrics = { file = \"/run/zoned/zoned.prom\"; };\n");
	ck_assert_str_eq(zone_model_metrics_file(m), "/run/zoned/zoned.prom");
	ck_assert_uint_eq(zone_model_metrics_interval(m), 15);
	ck_assert_str_eq(zone_model_hash(m), zone_model_hash(plain));
	printed = print_model(m);
	ck_assert_ptr_nonnull(strstr(printed,
		"metrics = { file = \"/run/zoned/zoned.prom\"; interval = 15; };\n"));
	back = load_ok(printed);
	ck_assert_str_eq(zone_model_metrics_file(back), "/run/zoned/zoned.prom");
	ck_assert_uint_eq(zone_model_metrics_interval(back), 15);
	zone_model_free(back);
	zone_model_free(m);
	free(printed);

	err = load_err(ZONES "metrics = { file = \"/x/zoned.txt\"; interval = 0;\n"
			     "  colour = 1; };\n");
	ck_assert_ptr_nonnull(strstr(err, "t.conf:20: metrics: unknown key \"colour\""));
	ck_assert_ptr_nonnull(strstr(err, "t.conf:19: metrics: interval 0 is out of range (1..3600 seconds)"));
	ck_assert_ptr_nonnull(strstr(err, "t.conf:19: metrics: file \"/x/zoned.txt\" must be an absolute path ending in NAME.prom"));
	free(err);
	err = load_err(ZONES "metrics = { interval = 5; };\n");
	ck_assert_ptr_nonnull(strstr(err, "t.conf:19: metrics: missing file"));
	free(err);
	zone_model_free(plain);
}
END_TEST

START_TEST(test_conf_goldens_round_trip)
{
	check_round_trip(SRCDIR "/tests/conf/good/1.conf");
	check_round_trip(SRCDIR "/tests/conf/good/2.conf");
	check_round_trip(SRCDIR "/tests/conf/good/3.conf");
	check_round_trip(SRCDIR "/tests/conf/good/4.conf");
	check_round_trip(SRCDIR "/tests/conf/good/5.conf");
}
END_TEST

/*
 * The two gateways of a pair name each other in gateway.ha and agree on
 * all the rest: their hashes are equal, and differ from the same policy
 * on a gateway without ha only where the printed config does.
 */
START_TEST(test_conf_hash_leaves_out_ha)
{
	const char *z = "zones = ( { name = \"z\"; tier = \"lgwan\"; "
			"interfaces = [ \"e\" ]; "
			"networks = [ \"10.2.0.0/16\" ]; } );"
			"gateway = { management = ( ); outbound = ( ); ";
	char *a;
	char *b;
	char *c;
	struct zone_model *ma;
	struct zone_model *mb;
	struct zone_model *mc;

	ck_assert_int_ne(asprintf(&a, "%sha = { interface = \"s\"; "
				      "peer = \"10.255.0.2\"; key_file = \"/k\"; }; };",
				  z), -1);
	ck_assert_int_ne(asprintf(&b, "%sha = { interface = \"s\"; "
				      "peer = \"10.255.0.1\"; key_file = \"/k\"; }; };",
				  z), -1);
	ck_assert_int_ne(asprintf(&c, "%s};", z), -1);
	ma = load_ok(a);
	mb = load_ok(b);
	mc = load_ok(c);
	ck_assert_str_eq(zone_model_hash(ma), zone_model_hash(mb));
	ck_assert_str_eq(zone_model_hash(ma), zone_model_hash(mc));
	ck_assert_str_eq(zone_model_ha_interface(ma), "s");
	ck_assert_ptr_null(zone_model_ha_interface(mc));
	zone_model_free(ma);
	zone_model_free(mb);
	zone_model_free(mc);
	free(a);
	free(b);
	free(c);
}
END_TEST

/* The hash ignores comments, key order and address spelling only. */
START_TEST(test_conf_hash_is_of_the_policy)
{
	const char *a = "profile = \"alpha\"; zones = ( { name = \"z\"; "
			"tier = \"lgwan\"; interfaces = [ \"e\" ]; "
			"networks = [ \"fd00::/8\" ]; } );" GW;
	const char *b = "# comment\nzones = ( { networks = [ \"FD00:0::/8\" ]; "
			"interfaces = [ \"e\" ]; "
			"tier = \"lgwan\"; name = \"z\"; } );\n" GW
			"mode = \"enforce\";";
	const char *c = "zones = ( { name = \"z\"; tier = \"lgwan\"; "
			"interfaces = [ \"e\" ]; "
			"networks = [ \"fd00::/9\" ]; } );" GW;
	struct zone_model *ma = load_ok(a);
	struct zone_model *mb = load_ok(b);
	struct zone_model *mc = load_ok(c);

	ck_assert_str_eq(zone_model_hash(ma), zone_model_hash(mb));
	ck_assert_str_ne(zone_model_hash(ma), zone_model_hash(mc));
	zone_model_free(ma);
	zone_model_free(mb);
	zone_model_free(mc);
}
END_TEST

/* The hash of @m is SHA-256 of exactly the text model_print() writes. */
static void check_hash_of_text(const struct zone_model *m)
{
	char hex[SHA256_HEX_LEN];
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(model_print(m, out, false), 0);
	ck_assert_int_eq(fclose(out), 0);
	zone_sha256_hex(text, len, hex);
	ck_assert_str_eq(zone_model_hash(m), hex);
	free(text);
}

/*
 * The model is hashed as it is printed, never held as text; the history
 * and a restart compare the hash with ones taken before, so it must be
 * the hash of the whole text, whatever stdio's buffering: the shipped
 * examples, the goldens and one model whose text is many buffers long.
 */
START_TEST(test_conf_hash_is_of_the_printed_text)
{
	static const char *const files[] = {
		SRCDIR "/conf/zoned.conf",	  SRCDIR "/conf/zoned-beta.conf",
		SRCDIR "/tests/conf/good/1.conf", SRCDIR "/tests/conf/good/3.conf",
		SRCDIR "/tests/conf/good/6.conf",
	};
	struct zone_model *m;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *conf = read_text(files[i]);

		m = load_ok(conf);
		check_hash_of_text(m);
		zone_model_free(m);
		free(conf);
	}
	ck_assert_ptr_nonnull(f);
	fputs("zones = ( { name = \"z\"; tier = \"lgwan\"; "
	      "interfaces = [ \"e\" ]; networks = [ \"10.0.0.0/24\"",
	      f);
	for (i = 1; i < 5000; i++)
		fprintf(f, ", \"10.%zu.%zu.0/24\"", i / 256, i % 256);
	fputs(" ]; } );" GW, f);
	ck_assert_int_eq(fclose(f), 0);
	m = load_ok(text);
	check_hash_of_text(m);
	zone_model_free(m);
	free(text);
}
END_TEST

/* ----------------------------------------------------------- the model */

START_TEST(test_conf_defaults)
{
	struct zone_model *m = load_ok("zones = ( { name = \"z\"; "
				       "tier = \"lgwan\"; networks = "
				       "[ \"10.0.0.0/8\" ]; "
				       "interfaces = [ \"e\" ]; } );" GW);
	const struct zone_segment *z = zone_model_segment(m, 0);

	ck_assert_int_eq(zone_model_profile(m), ZONE_PROFILE_ALPHA);
	ck_assert_ptr_null(zone_model_profile_approved(m));
	ck_assert_int_eq(zone_model_mode(m), ZONE_MODE_ENFORCE);
	ck_assert_int_eq(zone_model_alert_facility(m), LOG_AUTHPRIV);
	ck_assert_ptr_null(zone_model_catchall(m));
	ck_assert_str_eq(zone_segment_label(z), "z");
	ck_assert_uint_eq(zone_segment_interface_count(z), 1);
	ck_assert_uint_eq(zone_model_gw_rule_count(m), 0);
	ck_assert_uint_eq(zone_model_narrow_count(m), 0);
	ck_assert_uint_eq(zone_model_channel_count(m), 0);
	zone_model_free(m);
}
END_TEST

START_TEST(test_conf_model_getters)
{
	char *text = read_text(SRCDIR "/conf/zoned.conf");
	struct zone_model *m = load_ok(text);
	const struct zone_segment *s = zone_model_segment_by_name(m, "naibu");
	const struct zone_channel *c;
	const struct zone_service *svc;
	char buf[ZONE_PREFIX_STRLEN];

	ck_assert_uint_eq(zone_model_segment_count(m), 8);
	ck_assert_uint_eq(zone_segment_index(s), 2);
	ck_assert(zone_segment_is_zone(s));
	ck_assert_int_eq(zone_segment_role(s), ZONE_ROLE_INTERNET_TIER);
	ck_assert_str_eq(zone_segment_label(s), "内部情報系");
	ck_assert_str_eq(zone_segment_interface(s, 0), "eth3");
	ck_assert_str_eq(zone_prefix_format(zone_segment_network(s, 1), buf,
					    sizeof(buf)),
			 "fd00:3::/48");
	ck_assert_int_eq(zone_segment_line(s), 27);
	ck_assert_str_eq(zone_segment_name(zone_model_catchall(m)), "internet");
	ck_assert(!zone_segment_is_zone(zone_model_catchall(m)));
	ck_assert_ptr_null(zone_model_segment_by_name(m, "nope"));

	c = zone_model_channel_by_name(m, "web-gamen");
	ck_assert_int_eq(zone_channel_kind(c), ZONE_CHANNEL_SCREEN_TRANSFER);
	ck_assert_ptr_eq(zone_channel_from(c),
			 zone_model_segment_by_name(m, "lgwan"));
	ck_assert_ptr_eq(zone_channel_to(c), s);
	ck_assert_uint_eq(zone_channel_from_host_count(c), 1);
	ck_assert_uint_eq(zone_channel_to_host_count(c), 2);
	ck_assert_uint_eq(zone_channel_service_count(c), 2);
	svc = zone_channel_service(c, 1);
	ck_assert_int_eq(svc->proto, 17);
	ck_assert_int_eq(svc->port_first, 3389);
	ck_assert_int_eq(svc->port_last, 3389);
	ck_assert_str_eq(zone_channel_approved(c), "CISO 2026-015");
	ck_assert(!zone_channel_expires(c, NULL));
	ck_assert(!zone_channel_expired(c, time(NULL)));
	ck_assert_ptr_null(zone_channel_expires_text(c));
	ck_assert_int_eq(zone_channel_line(c), 60);
	zone_model_free(m);
	free(text);
}
END_TEST

/* Zones first, then attachments; networks map to their segment index. */
START_TEST(test_conf_classifier)
{
	char *text = read_text(SRCDIR "/conf/zoned.conf");
	struct zone_model *m = load_ok(text);
	struct zone_addr a;

	ck_assert_ptr_nonnull(m->classifier);
	ck_assert_int_eq(zone_addr_parse("10.1.2.3", &a), 0);
	ck_assert_uint_eq(zone_lpm_lookup(m->classifier, &a), 0);
	ck_assert_int_eq(zone_addr_parse("fd00:3::1", &a), 0);
	ck_assert_uint_eq(zone_lpm_lookup(m->classifier, &a), 2);
	ck_assert_int_eq(zone_addr_parse("198.51.100.70", &a), 0);
	ck_assert_uint_eq(
		zone_lpm_lookup(m->classifier, &a),
		zone_segment_index(zone_model_segment_by_name(m, "chukan")));
	ck_assert_int_eq(zone_addr_parse("203.0.113.1", &a), 0);
	ck_assert_uint_eq(zone_lpm_lookup(m->classifier, &a), ZONE_LPM_NONE);
	zone_model_free(m);
	free(text);
}
END_TEST

/*
 * Tags: 20 bits, never 0, unique within a model even when home tags
 * collide (2000 names make collisions likely), and a function of the set
 * of names, not of their order.
 */
START_TEST(test_conf_channel_tags)
{
	enum { N = 2000 };
	char *fwd = NULL;
	char *rev = NULL;
	size_t lf = 0;
	size_t lr = 0;
	FILE *f = open_memstream(&fwd, &lf);
	FILE *r = open_memstream(&rev, &lr);
	struct zone_model *a;
	struct zone_model *b;
	unsigned char *seen = calloc(1 << 20, 1);
	int i;

	fputs("zones = ( { name = \"n\"; tier = \"internet\"; networks = "
	      "[ \"10.3.0.0/16\" ]; interfaces = [ \"e3\" ]; }, "
	      "{ name = \"l\"; tier = \"lgwan\"; interfaces = [ \"e2\" ]; "
	      "networks = [ \"10.2.0.0/16\" ]; } );\n" GW "channels = (\n",
	      f);
	fputs("zones = ( { name = \"n\"; tier = \"internet\"; networks = "
	      "[ \"10.3.0.0/16\" ]; interfaces = [ \"e3\" ]; }, "
	      "{ name = \"l\"; tier = \"lgwan\"; interfaces = [ \"e2\" ]; "
	      "networks = [ \"10.2.0.0/16\" ]; } );\n" GW "channels = (\n",
	      r);
	for (i = 0; i < N; i++) {
		fprintf(f,
			"%s{ name = \"c%d\"; kind = \"sanitize\"; from = \"n\"; to = \"l\"; from_hosts = [ \"10.3.0.1\" ]; to_hosts = [ \"10.2.%d.%d\" ]; services = [ \"tcp/25\" ]; " WHY
			" }\n",
			i ? "," : "", i, i / 200, i % 200 + 1);
		fprintf(r,
			"%s{ name = \"c%d\"; kind = \"sanitize\"; from = \"n\"; to = \"l\"; from_hosts = [ \"10.3.0.1\" ]; to_hosts = [ \"10.2.%d.%d\" ]; services = [ \"tcp/25\" ]; " WHY
			" }\n",
			i ? "," : "", N - 1 - i, i / 200, i % 200 + 1);
	}
	fputs(");\n", f);
	fputs(");\n", r);
	fclose(f);
	fclose(r);
	a = load_ok(fwd);
	b = load_ok(rev);
	for (i = 0; i < N; i++) {
		const struct zone_channel *c = zone_model_channel(a, (size_t)i);
		uint32_t tag = zone_channel_tag(c);

		ck_assert_uint_ne(tag, 0);
		ck_assert_uint_lt(tag, 1u << 20);
		ck_assert_msg(!seen[tag], "tag %u used twice", tag);
		seen[tag] = 1;
		ck_assert_uint_eq(tag,
				  zone_channel_tag(zone_model_channel_by_name(
					  b, zone_channel_name(c))));
	}
	zone_model_free(a);
	zone_model_free(b);
	free(seen);
	free(fwd);
	free(rev);
}
END_TEST

/* ------------------------------------------------ what the rules accept */

/* "2027-03-31" is the end of that day in local time. */
START_TEST(test_conf_expires_date_and_date_time)
{
	struct zone_model *m;
	char *text;
	time_t when;

	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	text = with_channel("",
			    "{ name = \"m\"; kind = \"sanitize\"; "
			    "from = \"naibu\"; to = \"lgwan\"; "
			    "from_hosts = [ \"10.3.0.25\" ]; to_hosts = "
			    "[ \"10.2.0.25\" ]; services = [ \"tcp/25\" ]; " WHY
			    " expires = \"2027-03-31\"; },\n"
			    "{ name = \"n\"; kind = \"sanitize\"; "
			    "from = \"naibu\"; to = \"lgwan\"; "
			    "from_hosts = [ \"10.3.0.25\" ]; to_hosts = "
			    "[ \"10.2.0.26\" ]; services = [ \"tcp/25\" ]; " WHY
			    " expires = \"2027-03-31T18:00:00+09:00\"; },\n"
			    "{ name = \"o\"; kind = \"sanitize\"; "
			    "from = \"naibu\"; to = \"lgwan\"; "
			    "from_hosts = [ \"10.3.0.25\" ]; to_hosts = "
			    "[ \"10.2.0.27\" ]; services = [ \"tcp/25\" ]; " WHY
			    " expires = \"2000-02-29T23:30:00-01:30\"; }");
	m = load_ok(text);
	/* 2027-04-01 00:00 JST */
	ck_assert(zone_channel_expires(zone_model_channel(m, 0), &when));
	ck_assert_int_eq(when, 1806505200);
	ck_assert_str_eq(zone_channel_expires_text(zone_model_channel(m, 0)),
			 "2027-03-31");
	ck_assert(zone_channel_expires(zone_model_channel(m, 1), &when));
	ck_assert_int_eq(when, 1806483600);
	/* an expired channel is valid config; the daemon reports it */
	ck_assert(zone_channel_expires(zone_model_channel(m, 2), &when));
	ck_assert_int_eq(when, 951872400);
	ck_assert(zone_channel_expired(zone_model_channel(m, 2), time(NULL)));
	ck_assert(!zone_channel_expired(zone_model_channel(m, 0), 1806505199));
	ck_assert(zone_channel_expired(zone_model_channel(m, 0), 1806505200));
	zone_model_free(m);
	free(text);
}
END_TEST

static const struct legal_case {
	const char *head;
	const char *channel;
} legal_cases[] = {
	{ "",
	  "kind = \"system-pair\"; from = \"jumin\"; to = \"lgwan\"; from_hosts = [ \"10.1.0.1\", \"fd00:1::1\" ]; to_hosts = [ \"10.2.0.1\" ]; services = [ \"tcp/8443\" ];" },
	{ "",
	  "kind = \"system-pair\"; from = \"lgwan\"; to = \"jumin\"; from_hosts = [ \"10.2.0.1\" ]; to_hosts = [ \"10.1.0.1\" ]; services = [ \"tcp/8000-8010\" ];" },
	{ "",
	  "kind = \"public-system\"; from = \"jumin\"; to = \"jukinet\"; from_hosts = [ \"10.1.0.1\" ]; to_hosts = [ \"198.51.100.1\" ]; services = [ \"tcp/443\" ];" },
	{ "",
	  "kind = \"public-system\"; from = \"jumin\"; to = \"lgwan-wan\"; from_hosts = [ \"10.1.0.1\" ]; to_hosts = [ \"172.16.0.1\" ]; services = [ \"tcp/25\" ];" },
	{ "",
	  "kind = \"screen-transfer\"; from = \"lgwan\"; to = \"naibu\"; to_hosts = [ \"10.3.0.1\" ]; services = [ \"tcp/3389\", \"udp/3389\", \"tcp/5900-5999\", \"tcp/1494\", \"udp/1494\", \"tcp/2598\", \"udp/2598\", \"tcp/4172\", \"udp/4172\", \"tcp/22443\", \"udp/22443\" ];" },
	{ "profile = \"alpha-prime\"; profile_approved = \"x\";",
	  "kind = \"screen-transfer\"; from = \"lgwan\"; to = \"naibu\"; from_hosts = [ \"10.2.0.0/24\" ]; to_hosts = [ \"10.3.0.1\" ]; services = [ \"tcp/5901\" ];" },
	{ "profile = \"beta\"; profile_approved = \"x\";",
	  "kind = \"screen-transfer\"; from = \"naibu\"; to = \"lgwan\"; to_hosts = [ \"10.2.0.1\" ]; services = [ \"tcp/3389\" ];" },
	{ "profile = \"beta-prime\"; profile_approved = \"x\";",
	  "kind = \"screen-transfer\"; from = \"naibu\"; to = \"lgwan\"; to_hosts = [ \"10.2.0.1\" ]; services = [ \"udp/3389\" ];" },
	{ "profile = \"beta\"; profile_approved = \"x\";",
	  "kind = \"screen-transfer\"; from = \"lgwan\"; to = \"jumin\"; from_hosts = [ \"10.2.0.1\" ]; to_hosts = [ \"10.1.0.1\" ]; services = [ \"tcp/3389\" ];" },
	{ "",
	  "kind = \"sanitize\"; from = \"naibu\"; to = \"lgwan\"; from_hosts = [ \"10.3.0.25\" ]; to_hosts = [ \"10.2.0.25\" ]; services = [ \"tcp/25\" ];" },
	{ "profile = \"alpha-prime\"; profile_approved = \"x\";",
	  "kind = \"breakout\"; from = \"lgwan\"; to = \"internet\"; to_hosts = [ \"203.0.113.0/24\" ]; services = [ \"tcp/443\" ];" },
	{ "",
	  "kind = \"inbound\"; from = \"internet\"; to = \"naibu\"; to_hosts = [ \"10.3.0.80\" ]; services = [ \"tcp/443\" ];" },
	{ "",
	  "kind = \"inbound\"; from = \"seccloud\"; to = \"naibu\"; from_hosts = [ \"192.0.2.25\" ]; to_hosts = [ \"10.3.0.25\" ]; services = [ \"tcp/25\" ];" },
	{ "",
	  "kind = \"inbound\"; from = \"internet\"; to = \"naibu\"; from_hosts = [ \"203.0.113.0/24\", \"2001:db8::/32\" ]; to_hosts = [ \"10.3.0.80\" ]; services = [ \"udp/443\" ];" },
};

/* Each kind between the ends and in the profiles the matrix allows. */
START_TEST(test_conf_accepts_legal_channels)
{
	const struct legal_case *lc = &legal_cases[_i];
	char channel[1024];
	struct zone_model *m;
	char *text;

	snprintf(channel, sizeof(channel), "{ name = \"ok\"; %s " WHY " }",
		 lc->channel);
	text = with_channel(lc->head, channel);
	m = load_ok(text);
	ck_assert_uint_eq(zone_model_channel_count(m), 1);
	ck_assert_uint_ne(zone_channel_tag(zone_model_channel(m, 0)), 0);
	zone_model_free(m);
	free(text);
}
END_TEST

/*
 * The hard invariant holds whatever the kind: every kind between the
 * resident tier and the internet side is refused with that message.
 */
START_TEST(test_conf_hard_invariant_every_kind)
{
	static const char *const ends[][2] = {
		{ "jumin", "naibu" },	 { "naibu", "jumin" },
		{ "jumin", "internet" }, { "internet", "jumin" },
		{ "jumin", "seccloud" }, { "seccloud", "jumin" },
	};
	static const char *const profiles[] = {
		"",
		"profile = \"alpha-prime\"; profile_approved = \"x\";",
		"profile = \"beta-prime\"; profile_approved = \"x\";",
	};
	char channel[512];
	size_t e;
	size_t p;
	int k;

	for (k = 0; k < ZONE_CHANNEL_KIND_MAX; k++) {
		for (e = 0; e < 6; e++) {
			for (p = 0; p < 3; p++) {
				char *text;
				char *err;

				snprintf(
					channel, sizeof(channel),
					"{ name = \"x\"; kind = \"%s\"; from = \"%s\"; to = \"%s\"; services = [ \"tcp/443\" ]; " WHY
					" }",
					zone_channel_kind_name(k), ends[e][0],
					ends[e][1]);
				text = with_channel(profiles[p], channel);
				err = load_err(text);
				ck_assert_msg(
					strstr(err,
					       "channel \"x\": hard invariant: the resident tier (zone \"jumin\") never connects to the ") !=
						NULL,
					"%s", err);
				free(err);
				free(text);
			}
		}
	}
}
END_TEST

/* One segment of each role, in enum zone_role order, and a host in it. */
static const char *const matrix_seg[ZONE_ROLE_MAX] = {
	"r", "l", "i", "w", "p", "s", "n", "g",
};
static const char *const matrix_host[ZONE_ROLE_MAX] = {
	"10.1.0.1",	"10.2.0.1",  "10.3.0.1",    "172.16.0.1",
	"198.51.100.1", "192.0.2.1", "203.0.113.1", "100.80.0.1",
};
static const char *const matrix_head[ZONE_PROFILE_MAX] = {
	"profile = \"alpha\";",
	"profile = \"alpha-prime\"; profile_approved = \"x\";",
	"profile = \"beta\"; profile_approved = \"x\";",
	"profile = \"beta-prime\"; profile_approved = \"x\";",
};

#define MATRIX_SEGMENTS                                                                    \
	"zones = ("                                                                        \
	"{ name = \"r\"; tier = \"resident\"; interfaces = [ \"e1\" ];"                 \
	"  networks = [ \"10.1.0.0/16\" ]; },"                                            \
	"{ name = \"l\"; tier = \"lgwan\"; interfaces = [ \"e2\" ];"                    \
	"  networks = [ \"10.2.0.0/16\" ]; },"                                            \
	"{ name = \"i\"; tier = \"internet\"; interfaces = [ \"e3\" ];"                 \
	"  networks = [ \"10.3.0.0/16\" ]; } );\n"                                        \
	"attachments = ("                                                                  \
	"{ name = \"w\"; kind = \"lgwan-wan\"; interfaces = [ \"e4\" ];"                \
	"  networks = [ \"172.16.0.0/12\" ]; },"                                          \
	"{ name = \"p\"; kind = \"public-system\"; interfaces = [ \"e6\" ];"            \
	"  networks = [ \"198.51.100.0/24\" ]; },"                                        \
	"{ name = \"s\"; kind = \"security-cloud\"; interfaces = [ \"e5\" ];"           \
	"  networks = [ \"192.0.2.0/24\" ]; },"                                           \
	"{ name = \"n\"; kind = \"internet\"; interfaces = [ \"e5\" ]; },"           \
	"{ name = \"g\"; kind = \"gov-cloud\"; interfaces = [ \"e7\" ];"              \
	"  networks = [ \"100.80.0.0/16\" ]; } );\n" GW

/*
 * Load one channel of kind @k from role @f to role @t under profile @p,
 * with single hosts and a display port, which meet every kind's own
 * constraints; check that the loader agrees with the verdict's table.
 */
static bool matrix_cell(int p, int k, int f, int t)
{
	bool want = verdict_channel_legal(p, k, f, t);
	struct zone_model *m;
	char *err = NULL;
	char *text;
	bool got;

	ck_assert_int_ge(
		asprintf(&text,
			 "%s\n" MATRIX_SEGMENTS
			 "channels = ( { name = \"c\"; kind = \"%s\"; "
			 "from = \"%s\"; to = \"%s\"; "
			 "from_hosts = [ \"%s\" ]; to_hosts = [ \"%s\" ]; "
			 "services = [ \"tcp/3389\" ]; " WHY " } );\n",
			 matrix_head[p], zone_channel_kind_name(k),
			 matrix_seg[f], matrix_seg[t], matrix_host[f],
			 matrix_host[t]),
		0);
	m = load(text, "t.conf", &err);
	got = m != NULL;
	ck_assert_msg(
		got == want,
		"profile %s kind %s %s -> %s: verdict says %d, loader says:\n%s",
		zone_profile_name(p), zone_channel_kind_name(k),
		zone_role_name(f), zone_role_name(t), want, err);
	zone_model_free(m);
	free(err);
	free(text);
	return got;
}

/*
 * The loader accepts a channel exactly when the verdict would honour it:
 * every profile, kind and pair of distinct roles.
 */
START_TEST(test_conf_matrix_matches_verdict)
{
	unsigned int accepted = 0;
	int p;
	int k;
	int f;
	int t;

	for (p = 0; p < ZONE_PROFILE_MAX; p++) {
		for (k = 0; k < ZONE_CHANNEL_KIND_MAX; k++) {
			for (f = 0; f < ZONE_ROLE_MAX; f++) {
				for (t = 0; t < ZONE_ROLE_MAX; t++)
					accepted += f != t &&
						    matrix_cell(p, k, f, t);
			}
		}
	}
	/*
	 * Per profile: system-pair 4 (resident <-> lgwan, resident <->
	 * gov-cloud), public-system 4 (resident <-> public-system,
	 * resident <-> lgwan-wan), screen-transfer 2 (lgwan -> resident,
	 * and one direction between lgwan and internet tier), sanitize 1,
	 * inbound 2; breakout 1 in alpha-prime only.
	 */
	ck_assert_uint_eq(accepted, 4 * 13 + 1);
}
END_TEST

START_TEST(test_conf_accepts_shared_uplinks_and_free_text)
{
	/* attachments share eth5; labels may be any UTF-8 up to 32 characters */
	char *text = with_channel(
		"mode = \"monitor\"; alerts = { facility = \"local7\"; };",
		"{ name = \"x\"; kind = \"sanitize\"; from = \"naibu\"; to = \"lgwan\"; from_hosts = [ \"10.3.0.25\" ]; to_hosts = [ \"10.2.0.25\" ]; services = [ \"tcp/25\" ]; reason = \"無害化 \\\"relay\\\"\"; approved = \"CISO\"; }");
	struct zone_model *m = load_ok(text);

	ck_assert_int_eq(zone_model_mode(m), ZONE_MODE_MONITOR);
	ck_assert_int_eq(zone_model_alert_facility(m), LOG_LOCAL7);
	ck_assert_str_eq(zone_channel_reason(zone_model_channel(m, 0)),
			 "無害化 \"relay\"");
	ck_assert_str_eq(zone_segment_interface(zone_model_catchall(m), 0),
			 "eth5");
	zone_model_free(m);
	free(text);
}
END_TEST

/*
 * The overlap check sorts and sweeps instead of comparing every pair;
 * the pairwise definition is the oracle.  Prefixes are drawn from a small
 * space so that nesting, duplicates and overlaps between zones all occur.
 */
#define OVL_ZONES 4
#define OVL_NETS 40

struct ovl_net {
	struct zone_prefix p;
	int zone;
	int line;
};

static void ovl_expect(FILE *out, const struct ovl_net *n, size_t i)
{
	char a[ZONE_PREFIX_STRLEN];
	char b[ZONE_PREFIX_STRLEN];
	size_t j;

	for (j = 0; j < i; j++) {
		if (!zone_prefix_overlaps(&n[i].p, &n[j].p))
			continue;
		zone_prefix_format(&n[i].p, a, sizeof(a));
		zone_prefix_format(&n[j].p, b, sizeof(b));
		fprintf(out, "t.conf:%d: zone \"z%d\": ", n[i].line, n[i].zone);
		if (n[i].zone != n[j].zone)
			fprintf(out, "network %s overlaps %s of zone \"z%d\"",
				a, b, n[j].zone);
		else if (n[i].p.len == n[j].p.len)
			fprintf(out, "duplicate network %s", a);
		else
			fprintf(out, "network %s is redundant with %s", a, b);
		fprintf(out, " (line %d)%s\n", n[j].line,
			n[i].zone == n[j].zone && n[i].p.len != n[j].p.len ?
				": one contains the other" :
				"");
		return;
	}
}

START_TEST(test_conf_overlap_matches_pairwise)
{
	static const char *const tiers[OVL_ZONES] = { "resident", "lgwan",
						      "internet", "lgwan" };
	struct ovl_net nets[OVL_NETS];
	char *text = NULL;
	char *want = NULL;
	size_t text_len = 0;
	size_t want_len = 0;
	FILE *conf = open_memstream(&text, &text_len);
	FILE *exp = open_memstream(&want, &want_len);
	struct zone_diag *diag = zone_diag_new();
	struct zone_model *m = NULL;
	unsigned int seed = 7919u * (unsigned int)(_i + 1);
	int line = 1;
	int z;
	int k;
	size_t i = 0;
	char *got;

	fprintf(conf, "zones = (\n");
	line++;
	for (z = 0; z < OVL_ZONES; z++) {
		fprintf(conf,
			"{ name = \"z%d\"; tier = \"%s\"; interfaces = [ \"e%d\" ]; networks = [\n",
			z, tiers[z], z);
		line++;
		for (k = 0; k < OVL_NETS / OVL_ZONES; k++, i++) {
			uint8_t len = (uint8_t)(16 + rand_r(&seed) % 9);
			uint32_t host = (uint32_t)rand_r(&seed) & 0xffffu;
			uint32_t mask = ~0u << (32 - len);
			uint32_t addr = (0x0a000000u | host) & mask;

			memset(&nets[i], 0, sizeof(nets[i]));
			nets[i].p.addr.family = AF_INET;
			nets[i].p.addr.bytes[0] = (uint8_t)(addr >> 24);
			nets[i].p.addr.bytes[1] = (uint8_t)(addr >> 16);
			nets[i].p.addr.bytes[2] = (uint8_t)(addr >> 8);
			nets[i].p.addr.bytes[3] = (uint8_t)addr;
			nets[i].p.len = len;
			nets[i].zone = z;
			nets[i].line = line++;
			fprintf(conf, "  \"%u.%u.%u.%u/%u\"%s", addr >> 24,
				(addr >> 16) & 0xff, (addr >> 8) & 0xff,
				addr & 0xff, len,
				k + 1 < OVL_NETS / OVL_ZONES ? ",\n" : "");
		}
		/* libconfig gives a list's last element the line of "]". */
		fprintf(conf, "]; }%s\n", z + 1 < OVL_ZONES ? "," : "");
	}
	fprintf(conf, ");\n" GW);
	fclose(conf);
	for (i = 0; i < OVL_NETS; i++)
		ovl_expect(exp, nets, i);
	fclose(exp);

	ck_assert_ptr_nonnull(diag);
	zone_conf_load_string(text, "t.conf", diag, &m);
	got = diag_text(diag);
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "config:\n%s\nwant:\n%s\ngot:\n%s", text, want,
			got);
		ck_abort_msg(
			"overlap diagnostics differ from the pairwise ones");
	}
	ck_assert(want_len > 0 || m != NULL);
	zone_model_free(m);
	zone_diag_free(diag);
	free(got);
	free(want);
	free(text);
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_conf_bad_configs_exact_diagnostics);
	tcase_add_test(tc, test_conf_warnings);
	tcase_add_test(tc, test_conf_all_errors_in_one_run);
	tcase_add_test(tc, test_conf_diagnostics_name_the_path);
	tcase_add_test(tc, test_conf_setting_types);
	tcase_add_test(tc, test_conf_line_limit);
	tcase_add_test(tc, test_conf_size_limit);
	tcase_add_test(tc, test_conf_stream_include);
	tcase_add_test(tc, test_conf_file_not_loadable);
	tcase_add_test(tc, test_conf_owner_and_mode_check);
	tcase_add_test(tc, test_conf_golden_outputs);
	tcase_add_test(tc, test_conf_shipped_examples_load_and_round_trip);
	tcase_add_test(tc, test_conf_goldens_round_trip);
	tcase_add_test(tc, test_conf_hash_leaves_out_ha);
	tcase_add_test(tc, test_conf_hash_is_of_the_policy);
	tcase_add_test(tc, test_conf_hash_is_of_the_printed_text);
	tcase_add_test(tc, test_conf_defaults);
	tcase_add_test(tc, test_conf_model_getters);
	tcase_add_test(tc, test_conf_classifier);
	tcase_add_test(tc, test_conf_channel_tags);
	tcase_add_test(tc, test_conf_expires_date_and_date_time);
	tcase_add_loop_test(tc, test_conf_accepts_legal_channels, 0,
			    sizeof(legal_cases) / sizeof(legal_cases[0]));
	tcase_add_test(tc, test_conf_hard_invariant_every_kind);
	tcase_add_test(tc, test_conf_metrics);
	tcase_add_test(tc, test_conf_matrix_matches_verdict);
	tcase_add_test(tc, test_conf_accepts_shared_uplinks_and_free_text);
	tcase_add_loop_test(tc, test_conf_overlap_matches_pairwise, 0, 50);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(conf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
