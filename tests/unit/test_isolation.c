/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of daemon/isolation.c and ctl_isolate.c: the state file, the
 * order of an isolation (disk first, then the kernel, then the live
 * flows), target resolution against the model, and the disjoint prefix
 * list handed to the compiler.  The objects under test come from the
 * daemon archive; the daemon functions they call are recorded by the
 * fakes below, which the linker takes before the archive's.
 */
#include <sys/stat.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include <zone/conf.h>

#include "../../daemon/alert.h"
#include "../../daemon/ctlcmd.h"
#include "../../daemon/isolation.h"
#include "../../daemon/log.h"
#include "../../daemon/reload.h"
#include "../../daemon/ctwatch.h"
#include "../../daemon/zoned.h"

/* ---- fakes of the daemon around the file under test ---- */

static struct {
	int reapplies;
	bool on_disk_at_reapply; /* the state file held the target */
	const char *expect_on_disk;
	int kills;
	struct zone_prefix killed[8];
	int alerts;
	enum alert_event last_alert;
	int reapply_ret;
} fake;

static char state_dir[64];

int zoned_reapply(struct zoned *z, const char *why)
{
	char path[128];
	char buf[4096] = "";
	FILE *f;

	(void)z;
	(void)why;
	fake.reapplies++;
	snprintf(path, sizeof(path), "%s/isolation", state_dir);
	f = fopen(path, "r");
	if (f) {
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);

		buf[n] = '\0';
		fclose(f);
	}
	fake.on_disk_at_reapply = fake.expect_on_disk &&
				  strstr(buf, fake.expect_on_disk);
	return fake.reapply_ret;
}

int ctwatch_kill(struct zoned *z, const struct zone_prefix *prefix)
{
	(void)z;
	if (fake.kills < 8)
		fake.killed[fake.kills] = *prefix;
	fake.kills++;
	return 2;
}

void alert_emit(struct alerts *alerts, enum alert_event event, ...)
{
	(void)alerts;
	fake.alerts++;
	fake.last_alert = event;
}

void log_warnx(const char *fmt, ...)
{
	(void)fmt;
}

void ctl_fail(struct ctl_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(o->err, fmt, ap);
	va_end(ap);
	o->status = 1;
}

const char *ctl_time(time_t t, char *buf, size_t size)
{
	snprintf(buf, size, "%lld", (long long)t);
	return buf;
}

/* ---- fixtures ---- */

static const char conf_a[] =
	"profile = \"alpha\";\n"
	"zones = (\n"
	" { name = \"jumin\"; interfaces = [ \"e1\" ]; tier = \"resident\"; networks = [ \"10.1.0.0/16\" ]; },\n"
	" { name = \"lgwan\"; interfaces = [ \"e2\" ]; tier = \"lgwan\"; networks = [ \"10.2.0.0/16\", \"fd00:2::/48\" ]; },\n"
	" { name = \"naibu\"; interfaces = [ \"e3\" ]; tier = \"internet\"; networks = [ \"10.3.0.0/16\" ]; }\n"
	");\n"
	"attachments = ( { name = \"inet\"; kind = \"internet\"; interfaces = [ \"e5\" ]; } );\n"
	"gateway = { management = ( ); outbound = ( ); };\n";

/* The same, but lgwan moved to other networks. */
static const char conf_b[] =
	"profile = \"alpha\";\n"
	"zones = (\n"
	" { name = \"jumin\"; interfaces = [ \"e1\" ]; tier = \"resident\"; networks = [ \"10.1.0.0/16\" ]; },\n"
	" { name = \"lgwan\"; interfaces = [ \"e2\" ]; tier = \"lgwan\"; networks = [ \"10.20.0.0/16\" ]; },\n"
	" { name = \"naibu\"; interfaces = [ \"e3\" ]; tier = \"internet\"; networks = [ \"10.3.0.0/16\" ]; }\n"
	");\n"
	"attachments = ( { name = \"inet\"; kind = \"internet\"; interfaces = [ \"e5\" ]; } );\n"
	"gateway = { management = ( ); outbound = ( ); };\n";

/* And without lgwan at all. */
static const char conf_c[] =
	"profile = \"alpha\";\n"
	"zones = (\n"
	" { name = \"jumin\"; interfaces = [ \"e1\" ]; tier = \"resident\"; networks = [ \"10.1.0.0/16\" ]; },\n"
	" { name = \"naibu\"; interfaces = [ \"e3\" ]; tier = \"internet\"; networks = [ \"10.3.0.0/16\" ]; }\n"
	");\n"
	"attachments = ( { name = \"inet\"; kind = \"internet\"; interfaces = [ \"e5\" ]; } );\n"
	"gateway = { management = ( ); outbound = ( ); };\n";

static struct zone_model *model(const char *text)
{
	struct zone_diag *diag = zone_diag_new();
	struct zone_model *m = NULL;
	int ret;

	ck_assert_ptr_nonnull(diag);
	ret = zone_conf_load_string(text, "test", diag, &m);
	if (ret < 0 && zone_diag_count(diag))
		ck_abort_msg("%s", zone_diag_line(diag, 0));
	ck_assert_int_eq(ret, 0);
	zone_diag_free(diag);
	return m;
}

struct run {
	struct zoned z;
	char *out;
	size_t out_len;
	char *err;
	size_t err_len;
	int status;
};

/* run_cmd - one control command against @z, its output kept in @r */
static void run_cmd(struct run *r, enum ctl_cmd cmd, const char *a0,
		    const char *a1)
{
	struct ctl_request req = { .cmd = cmd,
				   .argc = a1 ? 2 : 1,
				   .argv = { a0, a1 } };
	struct ctl_out o = { 0 };

	free(r->out);
	free(r->err);
	o.out = open_memstream(&r->out, &r->out_len);
	o.err = open_memstream(&r->err, &r->err_len);
	if (cmd == CTL_CMD_ISOLATE)
		ctl_isolate(&r->z, &req, &o);
	else
		ctl_release(&r->z, &req, &o);
	fclose(o.out);
	fclose(o.err);
	r->status = o.status;
}

static void setup(void)
{
	memset(&fake, 0, sizeof(fake));
	snprintf(state_dir, sizeof(state_dir), "/tmp/zoned-iso-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(state_dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state_dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void run_init(struct run *r, const char *conf)
{
	memset(r, 0, sizeof(*r));
	r->z.model = model(conf);
	r->z.iso = isolation_load(state_dir);
	ck_assert_ptr_nonnull(r->z.iso);
}

static void run_fini(struct run *r)
{
	isolation_free(r->z.iso);
	zone_model_free(r->z.model);
	free(r->out);
	free(r->err);
}

static bool has_prefix(const struct zone_prefix *p, size_t n, const char *text)
{
	struct zone_prefix want;
	size_t i;

	ck_assert_int_eq(zone_prefix_parse(text, &want), 0);
	for (i = 0; i < n; i++)
		if (p[i].len == want.len &&
		    memcmp(&p[i].addr, &want.addr, sizeof(want.addr)) == 0)
			return true;
	return false;
}

/* ---- tests ---- */

START_TEST(test_isolation_missing_file_is_empty)
{
	struct isolation *iso = isolation_load(state_dir);
	const struct zone_prefix *p = NULL;
	size_t n = 99;

	ck_assert_ptr_nonnull(iso);
	ck_assert_uint_eq(isolation_count(iso), 0);
	ck_assert_int_eq(isolation_prefixes(iso, NULL, &p, &n), 0);
	ck_assert_ptr_null(p);
	ck_assert_uint_eq(n, 0);
	isolation_free(iso);
	isolation_free(NULL);
}
END_TEST

START_TEST(test_isolation_disk_before_kernel_before_flows)
{
	struct isolation_entry e;
	struct run r;

	run_init(&r, conf_a);
	fake.expect_on_disk = "\t10.2.0.17\t10.2.0.17\tINC-1 感染";
	run_cmd(&r, CTL_CMD_ISOLATE, "10.2.0.17", "INC-1 感染");
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_int_eq(fake.reapplies, 1);
	ck_assert_msg(fake.on_disk_at_reapply,
		      "the kernel was changed before the state file");
	ck_assert_int_eq(fake.kills, 1);
	ck_assert(has_prefix(fake.killed, 1, "10.2.0.17"));
	ck_assert_int_eq(fake.alerts, 1);
	ck_assert_int_eq(fake.last_alert, ALERT_ISOLATE);
	ck_assert_str_eq(r.out,
			 "isolated 10.2.0.17 (10.2.0.17), 2 live flows cut\n");
	ck_assert_uint_eq(isolation_count(r.z.iso), 1);
	isolation_get(r.z.iso, 0, &e);
	ck_assert_str_eq(e.target, "10.2.0.17");
	ck_assert_str_eq(e.reason, "INC-1 感染");
	run_fini(&r);
}
END_TEST

START_TEST(test_isolation_survives_reload_of_state)
{
	struct isolation_entry e;
	struct isolation *iso;
	struct stat st;
	char path[128];
	struct run r;

	run_init(&r, conf_a);
	run_cmd(&r, CTL_CMD_ISOLATE, "fd00:2:0:0::10/128", "v6 host");
	ck_assert_int_eq(r.status, 0);
	run_cmd(&r, CTL_CMD_ISOLATE, "lgwan", "zone");
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(fake.kills, 3); /* one v6 host, two networks */

	snprintf(path, sizeof(path), "%s/isolation", state_dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	iso = isolation_load(state_dir);
	ck_assert_ptr_nonnull(iso);
	ck_assert_uint_eq(isolation_count(iso), 2);
	isolation_get(iso, 0, &e);
	ck_assert_str_eq(e.target, "fd00:2::10"); /* canonical */
	ck_assert_str_eq(e.reason, "v6 host");
	isolation_get(iso, 1, &e);
	ck_assert_str_eq(e.target, "lgwan");
	ck_assert_uint_eq(e.n_prefixes, 2);
	ck_assert(has_prefix(e.prefixes, 2, "10.2.0.0/16"));
	ck_assert(has_prefix(e.prefixes, 2, "fd00:2::/48"));
	isolation_free(iso);
	run_fini(&r);
}
END_TEST

START_TEST(test_isolation_prefixes_disjoint)
{
	const struct zone_prefix *p;
	struct run r;
	size_t n;

	run_init(&r, conf_a);
	run_cmd(&r, CTL_CMD_ISOLATE, "10.2.0.17", "host");
	run_cmd(&r, CTL_CMD_ISOLATE, "lgwan", "zone");
	run_cmd(&r, CTL_CMD_ISOLATE, "10.2.0.0/24", "net");
	run_cmd(&r, CTL_CMD_ISOLATE, "10.1.0.5", "other");
	ck_assert_uint_eq(isolation_count(r.z.iso), 4);
	ck_assert_int_eq(isolation_prefixes(r.z.iso, r.z.model, &p, &n), 0);
	/* the host and the /24 lie inside lgwan's /16 and are left out */
	ck_assert_uint_eq(n, 3);
	ck_assert(has_prefix(p, n, "10.2.0.0/16"));
	ck_assert(has_prefix(p, n, "fd00:2::/48"));
	ck_assert(has_prefix(p, n, "10.1.0.5"));
	ck_assert(!has_prefix(p, n, "10.2.0.17"));
	run_fini(&r);
}
END_TEST

START_TEST(test_isolation_names_follow_the_model)
{
	struct zone_model *b = model(conf_b);
	struct zone_model *c = model(conf_c);
	const struct zone_prefix *p;
	struct run r;
	size_t n;

	run_init(&r, conf_a);
	run_cmd(&r, CTL_CMD_ISOLATE, "lgwan", "zone");
	ck_assert_int_eq(r.status, 0);
	/* a reload moved lgwan: the isolation follows its networks */
	ck_assert_int_eq(isolation_prefixes(r.z.iso, b, &p, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert(has_prefix(p, n, "10.20.0.0/16"));
	/* a reload removed lgwan: its last networks stay isolated */
	ck_assert_int_eq(isolation_prefixes(r.z.iso, c, &p, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert(has_prefix(p, n, "10.20.0.0/16"));
	zone_model_free(b);
	zone_model_free(c);
	run_fini(&r);
}
END_TEST

START_TEST(test_isolation_bad_targets_change_nothing)
{
	struct run r;

	run_init(&r, conf_a);
	run_cmd(&r, CTL_CMD_ISOLATE, "nosuch", "x");
	ck_assert_int_eq(r.status, 1);
	run_cmd(&r, CTL_CMD_ISOLATE, "10.2.0.0/8", "x"); /* host bits */
	ck_assert_int_eq(r.status, 1);
	run_cmd(&r, CTL_CMD_ISOLATE, "inet", "x"); /* no networks */
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "no networks"));
	run_cmd(&r, CTL_CMD_ISOLATE, "10.2.0.1", "two\nlines");
	ck_assert_int_eq(r.status, 1);
	run_cmd(&r, CTL_CMD_ISOLATE, "10.2.0.1", "");
	ck_assert_int_eq(r.status, 1);
	run_cmd(&r, CTL_CMD_RELEASE, "10.2.0.1", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_int_eq(fake.reapplies, 0);
	ck_assert_int_eq(fake.kills, 0);
	ck_assert_int_eq(fake.alerts, 0);
	ck_assert_uint_eq(isolation_count(r.z.iso), 0);
	run_fini(&r);
}
END_TEST

START_TEST(test_isolation_unwritable_state_refuses)
{
	struct run r;
	char file[128];
	FILE *f;

	run_init(&r, conf_a);
	/* the state directory replaced by a regular file: nothing is written */
	snprintf(file, sizeof(file), "%s", state_dir);
	ck_assert_int_eq(rmdir(state_dir), 0);
	f = fopen(file, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	run_cmd(&r, CTL_CMD_ISOLATE, "10.2.0.17", "x");
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "state file"));
	/* not on disk, so neither in the kernel nor in memory */
	ck_assert_int_eq(fake.reapplies, 0);
	ck_assert_int_eq(fake.kills, 0);
	ck_assert_uint_eq(isolation_count(r.z.iso), 0);
	run_fini(&r);
}
END_TEST

START_TEST(test_isolation_release)
{
	struct isolation *iso;
	const struct zone_prefix *p;
	struct run r;
	size_t n;

	run_init(&r, conf_a);
	run_cmd(&r, CTL_CMD_ISOLATE, "10.2.0.17", "a");
	run_cmd(&r, CTL_CMD_ISOLATE, "naibu", "b");
	fake.alerts = 0;
	fake.reapplies = 0;
	/* any spelling of the same prefix */
	run_cmd(&r, CTL_CMD_RELEASE, "10.2.0.17/32", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "released 10.2.0.17\n");
	ck_assert_int_eq(fake.alerts, 1);
	ck_assert_int_eq(fake.last_alert, ALERT_RELEASE);
	ck_assert_int_eq(fake.reapplies, 1);
	iso = isolation_load(state_dir);
	ck_assert_uint_eq(isolation_count(iso), 1);
	isolation_free(iso);
	run_cmd(&r, CTL_CMD_RELEASE, "10.2.0.17", NULL);
	ck_assert_int_eq(r.status, 1);
	run_cmd(&r, CTL_CMD_RELEASE, "naibu", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(isolation_prefixes(r.z.iso, r.z.model, &p, &n), 0);
	ck_assert_ptr_null(p);
	run_fini(&r);
}
END_TEST

static void write_state(const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/isolation", state_dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_isolation_damaged_file_refused)
{
	static const char *const bad[] = {
		"",
		"zoned-isolation 2\n",
		"zoned-isolation 1\n1\t10.2.0.1\t10.2.0.1\n",
		"zoned-isolation 1\nx\t10.2.0.1\t10.2.0.1\tr\n",
		"zoned-isolation 1\n1\t10.2.0.1\t10.2.0.1/8\tr\n",
		"zoned-isolation 1\n1\t10.2.0.1\t\tr\n",
		"zoned-isolation 1\n1\t10.2.0.1\t10.2.0.1\t\n",
		"zoned-isolation 1\n-5\t10.2.0.1\t10.2.0.1\tr\n",
	};
	struct isolation *iso;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_state(bad[i]);
		errno = 0;
		iso = isolation_load(state_dir);
		ck_assert_msg(!iso, "accepted damaged state %zu", i);
		ck_assert_int_eq(errno, EINVAL);
	}
	write_state(
		"zoned-isolation 1\n7\tlgwan\t10.2.0.0/16,fd00:2::/48\tr r\n");
	iso = isolation_load(state_dir);
	ck_assert_ptr_nonnull(iso);
	ck_assert_uint_eq(isolation_count(iso), 1);
	isolation_free(iso);
}
END_TEST

static Suite *isolation_suite(void)
{
	Suite *s = suite_create("isolation");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_isolation_missing_file_is_empty);
	tcase_add_test(tc, test_isolation_disk_before_kernel_before_flows);
	tcase_add_test(tc, test_isolation_survives_reload_of_state);
	tcase_add_test(tc, test_isolation_prefixes_disjoint);
	tcase_add_test(tc, test_isolation_names_follow_the_model);
	tcase_add_test(tc, test_isolation_bad_targets_change_nothing);
	tcase_add_test(tc, test_isolation_unwritable_state_refuses);
	tcase_add_test(tc, test_isolation_release);
	tcase_add_test(tc, test_isolation_damaged_file_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(isolation_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
