/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the policy diff (daemon/policydiff.c) that zonectl diff,
 * zonectl check and the policy alert show: every list of a zone or a
 * channel (networks, interfaces, hosts, services, windows, MACs) changed
 * at once, in both directions, as text and as JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <zone/conf.h>
#include <zone/diag.h>
#include <zone/model.h>

#include "../../daemon/json.h"
#include "../../daemon/policydiff.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t size = 0;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_ge(getdelim(&text, &size, '\0', f), 0);
	fclose(f);
	return text;
}

/* @text with the first @old replaced by @new (which must be there). */
static char *replace(char *text, const char *old, const char *new)
{
	char *at = strstr(text, old);
	char *out;

	ck_assert_msg(at != NULL, "no %s", old);
	ck_assert_int_ge(asprintf(&out, "%.*s%s%s", (int)(at - text), text,
				  new, at + strlen(old)),
			 0);
	free(text);
	return out;
}

static struct zone_model *load(const char *text)
{
	struct zone_diag *diag = zone_diag_new();
	struct zone_model *m = NULL;

	ck_assert_ptr_nonnull(diag);
	ck_assert_msg(zone_conf_load_string(text, "t.conf", diag, &m) == 0,
		      "%s", zone_diag_count(diag) ? zone_diag_line(diag, 0) :
						    "?");
	zone_diag_free(diag);
	return m;
}

/* The example config, and the same with one change to every kind of list. */
static void load_pair(struct zone_model **ret_a, struct zone_model **ret_b)
{
	char *a = read_text(SRCDIR "/conf/zoned.conf");
	char *b = strdup(a);

	ck_assert_ptr_nonnull(b);
	b = replace(b, "interfaces = [ \"eth1\" ];",
		    "interfaces = [ \"eth1\", \"eth9\" ];");
	b = replace(b, "\"10.1.0.0/16\", ", "\"10.1.0.0/16\", \"10.9.0.0/16\", ");
	b = replace(b, "windows = [ \"Tue 22:00-02:00\" ];",
		    "windows = [ \"Thu 20:00-23:00\" ];"
		    " from_macs = [ \"02:00:5E:10:00:01\" ];");
	b = replace(b, "services = [ \"tcp/3389\", \"udp/3389\" ];",
		    "services = [ \"udp/3389\" ];");
	b = replace(b, "to_hosts = [ \"10.2.0.80\", \"fd00:2::80\" ];",
		    "to_hosts = [ \"10.2.0.81\", \"fd00:2::80\" ];");
	*ret_a = load(a);
	*ret_b = load(b);
	free(a);
	free(b);
}

static char *diff(const struct zone_model *a, const struct zone_model *b,
		  bool json, struct policy_diff_sum *ret_sum)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct policy_diff d = { .out = out };
	struct json j;

	ck_assert_ptr_nonnull(out);
	/* as zonectl diff --json: the changes, objects of an open array */
	if (json) {
		json_start(&j, out);
		json_array(&j, NULL);
		d.json = &j;
	}
	policy_diff(&d, a, b);
	if (json)
		json_finish(&j);
	fclose(out);
	ck_assert(d.any);
	*ret_sum = d.sum;
	return text;
}

START_TEST(test_policydiff_every_list)
{
	struct policy_diff_sum sum;
	struct zone_model *a;
	struct zone_model *b;
	char *text;

	load_pair(&a, &b);
	text = diff(a, b, false, &sum);
	ck_assert_str_eq(text, "~ zone jumin\n"
			       "    network +10.9.0.0/16\n"
			       "    interface +eth9\n"
			       "~ channel web-gamen\n"
			       "    service -tcp/3389\n"
			       "~ channel zaimu-renkei\n"
			       "    to_host +10.2.0.81\n"
			       "    to_host -10.2.0.80\n"
			       "~ channel juki-hoshu\n"
			       "    window +\"Thu 20:00-23:00\"\n"
			       "    window -\"Tue 22:00-02:00\"\n"
			       "    from_mac +02:00:5e:10:00:01\n");
	ck_assert_str_eq(sum.changed, "web-gamen,zaimu-renkei,juki-hoshu");
	ck_assert_str_eq(sum.zones, "jumin");
	free(text);
	/* the other way round, every sign turns */
	text = diff(b, a, false, &sum);
	ck_assert_str_eq(text, "~ zone jumin\n"
			       "    network -10.9.0.0/16\n"
			       "    interface -eth9\n"
			       "~ channel web-gamen\n"
			       "    service +tcp/3389\n"
			       "~ channel zaimu-renkei\n"
			       "    to_host +10.2.0.80\n"
			       "    to_host -10.2.0.81\n"
			       "~ channel juki-hoshu\n"
			       "    window +\"Tue 22:00-02:00\"\n"
			       "    window -\"Thu 20:00-23:00\"\n"
			       "    from_mac -02:00:5e:10:00:01\n");
	free(text);
	text = diff(a, b, true, &sum);
	ck_assert_str_eq(
		text,
		"[{\"op\":\"change\",\"type\":\"zone\",\"name\":\"jumin\","
		"\"details\":[\"network +10.9.0.0/16\",\"interface +eth9\"]},"
		"{\"op\":\"change\",\"type\":\"channel\",\"name\":\"web-gamen\","
		"\"details\":[\"service -tcp/3389\"]},"
		"{\"op\":\"change\",\"type\":\"channel\",\"name\":\"zaimu-renkei\","
		"\"details\":[\"to_host +10.2.0.81\",\"to_host -10.2.0.80\"]},"
		"{\"op\":\"change\",\"type\":\"channel\",\"name\":\"juki-hoshu\","
		"\"details\":[\"window +\\\"Thu 20:00-23:00\\\"\","
		"\"window -\\\"Tue 22:00-02:00\\\"\","
		"\"from_mac +02:00:5e:10:00:01\"]}]\n");
	free(text);
	zone_model_free(a);
	zone_model_free(b);
}
END_TEST

START_TEST(test_policydiff_same)
{
	char *text = read_text(SRCDIR "/conf/zoned.conf");
	struct zone_model *a = load(text);
	struct zone_model *b = load(text);
	struct policy_diff d = { .out = NULL };

	policy_diff(&d, a, b);
	ck_assert(!d.any);
	zone_model_free(a);
	zone_model_free(b);
	free(text);
}
END_TEST

static Suite *policydiff_suite(void)
{
	Suite *s = suite_create("policydiff");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_policydiff_every_list);
	tcase_add_test(tc, test_policydiff_same);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(policydiff_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
