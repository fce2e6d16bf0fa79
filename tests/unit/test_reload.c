/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the reload decisions that come before the kernel
 * (daemon/reload.c, trial.c): a config that does not load keeps the
 * policy in force, says why in z->last_error (what zonectl reload and
 * status show) and raises policy result=rejected; a reload during a try
 * is refused before the file is read.  reload.o and trial.o come from the
 * daemon archive, with fake_daemon.o around them (alerts as lines).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include <zone/conf.h>
#include <zone/diag.h>
#include <zone/model.h>

#include "../../daemon/reload.h"
#include "../../daemon/trial_int.h"
#include "../../daemon/zoned.h"
#include "fake_daemon.h"

static const char conf[] =
	"zones = (\n"
	" { name = \"jumin\"; interfaces = [ \"e1\" ]; tier = \"resident\"; networks = [ \"10.1.0.0/16\" ]; },\n"
	" { name = \"lgwan\"; interfaces = [ \"e2\" ]; tier = \"lgwan\"; networks = [ \"10.2.0.0/16\" ]; }\n"
	");\n"
	"gateway = { management = ( ); outbound = ( ); };\n";

static struct zoned z;
static struct zone_model *in_force;
static char conf_file[] = "/tmp/test_reload.XXXXXX";

static struct zone_model *load(const char *text)
{
	struct zone_diag *diag = zone_diag_new();
	struct zone_model *m = NULL;

	ck_assert_ptr_nonnull(diag);
	if (zone_conf_load_string(text, "test", diag, &m) < 0)
		ck_abort_msg("%s", zone_diag_count(diag) ?
					   zone_diag_line(diag, 0) :
					   "cannot load");
	zone_diag_free(diag);
	return m;
}

/* The config file zoned reads: @text */
static void write_conf(const char *text)
{
	FILE *f = fopen(conf_file, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void setup(void)
{
	int fd = mkstemp(conf_file);

	ck_assert_int_ge(fd, 0);
	close(fd);
	memset(&z, 0, sizeof(z));
	z.conf_path = conf_file;
	in_force = load(conf);
	z.model = in_force;
	fake_alerts_clear();
}

static void teardown(void)
{
	if (z.trial) {
		zone_model_free(z.trial->confirmed);
		free(z.trial);
	}
	zone_model_free(z.model);
	unlink(conf_file);
	strcpy(conf_file, "/tmp/test_reload.XXXXXX");
	fake_alerts_clear();
}

/* @line holds @key_value */
static int has(const char *line, const char *key_value)
{
	return strstr(line, key_value) != NULL;
}

/* A file with an error: the policy stays, its FILE:LINE is kept and said. */
START_TEST(test_bad_file_keeps_policy)
{
	char want[128];

	/* the zone names a tier that does not exist, on line 3 */
	write_conf("zones = (\n"
		   " { name = \"a\"; interfaces = [ \"e1\" ];\n"
		   "   tier = \"nowhere\"; networks = [ \"10.1.0.0/16\" ]; }\n"
		   ");\n"
		   "gateway = { management = ( ); outbound = ( ); };\n");
	ck_assert_int_lt(zoned_reload_as(&z, "SIGHUP", "root"), 0);
	ck_assert_ptr_eq(z.model, in_force);
	snprintf(want, sizeof(want), "%s:3: ", conf_file);
	ck_assert_msg(strncmp(z.last_error, want, strlen(want)) == 0,
		      "last_error: %s", z.last_error);
	ck_assert_int_eq(n_lines, 1);
	ck_assert_msg(strncmp(lines[0], "policy hash=", 12) == 0, "%s",
		      lines[0]);
	ck_assert(has(lines[0], zone_model_hash(in_force)));
	ck_assert(has(lines[0], " trigger=SIGHUP "));
	snprintf(want, sizeof(want), " error=%s:3: ", conf_file);
	ck_assert_msg(has(lines[0], want), "%s", lines[0]);
}
END_TEST

/* No file at all: the loader's diagnostic, with the path. */
START_TEST(test_missing_file_keeps_policy)
{
	char want[160];

	unlink(conf_file);
	ck_assert_int_eq(zoned_reload_as(&z, "config changed", "inotify"),
			 -ENOENT);
	ck_assert_ptr_eq(z.model, in_force);
	snprintf(want, sizeof(want), "%s: cannot open: %s", conf_file,
		 strerror(ENOENT));
	ck_assert_str_eq(z.last_error, want);
	ck_assert_int_eq(n_lines, 1);
	ck_assert(has(lines[0], " trigger=config changed "));
}
END_TEST

/*
 * A try in progress: refused before the file is read (a broken file
 * gives the refusal, not its errors); an edit on disk is remembered for
 * the rollback, a zonectl reload is not.
 */
START_TEST(test_refused_during_try)
{
	write_conf("this is not a config\n");
	z.trial = calloc(1, sizeof(*z.trial));
	ck_assert_ptr_nonnull(z.trial);
	z.trial->timer_fd = -1;
	z.trial->confirmed = load(conf);
	z.trial->deadline = 1700000000;

	ck_assert_int_eq(zoned_reload_as(&z, "zonectl", "alice"), -EBUSY);
	ck_assert_ptr_eq(z.model, in_force);
	ck_assert_msg(strncmp(z.last_error, "reload refused: policy ", 23) == 0,
		      "last_error: %s", z.last_error);
	ck_assert(!z.trial->edit_refused);
	ck_assert_int_eq(n_lines, 1);
	ck_assert(has(lines[0], " trigger=zonectl "));
	ck_assert(has(lines[0], " error=reload refused: policy "));

	ck_assert_int_eq(zoned_reload_as(&z, "config changed", "inotify"),
			 -EBUSY);
	ck_assert(z.trial->edit_refused);
	ck_assert_int_eq(n_lines, 2);
}
END_TEST

static Suite *reload_suite(void)
{
	Suite *s = suite_create("reload");
	TCase *tc = tcase_create("decisions");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bad_file_keeps_policy);
	tcase_add_test(tc, test_missing_file_keeps_policy);
	tcase_add_test(tc, test_refused_during_try);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(reload_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
