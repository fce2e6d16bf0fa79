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

/* The example config with @old replaced by @new, as a model. */
static struct zone_model *load_with(const char *old, const char *new)
{
	char *text = replace(read_text(SRCDIR "/conf/zoned.conf"), old, new);
	struct zone_model *m = load(text);

	free(text);
	return m;
}

/* The narrow block and both gateway lists changed: one change per block. */
START_TEST(test_policydiff_blocks)
{
	static const char narrow[] =
		"to_hosts = [ \"192.0.2.80\", \"192.0.2.25\" ];";
	struct policy_diff_sum sum;
	struct zone_model *a;
	struct zone_model *b;
	char *text;

	a = load_with(narrow, narrow);
	text = replace(read_text(SRCDIR "/conf/zoned.conf"), narrow,
		       "to_hosts = [ \"192.0.2.80\" ];");
	text = replace(text, "services = [ \"tcp/22\" ];",
		       "services = [ \"tcp/2222\" ];");
	text = replace(text, "to_hosts = [ \"10.2.0.50\" ];",
		       "to_hosts = [ \"10.2.0.51\" ];");
	b = load(text);
	free(text);
	text = diff(a, b, false, &sum);
	ck_assert_str_eq(
		text,
		"~ narrow\n"
		"    +narrow { from = \"naibu\"; to = \"seccloud\"; to_hosts = [ \"192.0.2.80\" ]; services = [ \"tcp/8080\", \"tcp/25\" ]; }\n"
		"    -narrow { from = \"naibu\"; to = \"seccloud\"; to_hosts = [ \"192.0.2.80\", \"192.0.2.25\" ]; services = [ \"tcp/8080\", \"tcp/25\" ]; }\n"
		"~ gateway\n"
		"    +gateway management { name = \"ssh-admin\"; from = \"lgwan\"; from_hosts = [ \"10.2.0.5\" ]; services = [ \"tcp/2222\" ]; reason = \"ゲートウェイ保守\"; approved = \"CISO 2026-030\"; }\n"
		"    +gateway outbound { name = \"syslog\"; to = \"lgwan\"; to_hosts = [ \"10.2.0.51\" ]; services = [ \"udp/514\" ]; reason = \"ログ転送\"; approved = \"CISO 2026-032\"; }\n"
		"    -gateway management { name = \"ssh-admin\"; from = \"lgwan\"; from_hosts = [ \"10.2.0.5\" ]; services = [ \"tcp/22\" ]; reason = \"ゲートウェイ保守\"; approved = \"CISO 2026-030\"; }\n"
		"    -gateway outbound { name = \"syslog\"; to = \"lgwan\"; to_hosts = [ \"10.2.0.50\" ]; services = [ \"udp/514\" ]; reason = \"ログ転送\"; approved = \"CISO 2026-032\"; }\n");
	free(text);
	zone_model_free(a);
	zone_model_free(b);
}
END_TEST

#define MANY 1000

/* Nothing printed, nothing counted. */
static void assert_no_change(const struct zone_model *a,
			     const struct zone_model *b)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct policy_diff d = { .out = out };

	ck_assert_ptr_nonnull(out);
	policy_diff(&d, a, b);
	fclose(out);
	ck_assert_msg(!d.any && len == 0, "a change:\n%s", text);
	free(text);
}

/*
 * jumin's networks: MANY /28s of 100.64.0.0/10 in an order given by
 * @order (0 ascending, 1 scrambled, 2 descending), all but the /28 number
 * @skip, then @extra: with @order 0 and @extra ascending, the whole list
 * is in prefix order (IPv4 before IPv6).
 */
static char *many_networks(int order, size_t skip, const char *extra)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	size_t i;
	size_t k;

	ck_assert_ptr_nonnull(f);
	fputs("networks = [ \"10.1.0.0/16\"", f);
	for (i = 0; i < MANY; i++) {
		k = order == 0 ? i :
		    order == 1 ? (i * 7919) % MANY :
				 MANY - 1 - i;
		if (k != skip)
			fprintf(f, ", \"100.%zu.%zu.%zu/28\"",
				64 + k * 16 / 65536, k * 16 / 256 % 256,
				k * 16 % 256);
	}
	fprintf(f, "%s, \"fd00:1::/48\" ];", extra);
	fclose(f);
	return text;
}

static struct zone_model *load_networks(int order, size_t skip,
					const char *extra)
{
	char *nets = many_networks(order, skip, extra);
	struct zone_model *m = load_with(
		"networks = [ \"10.1.0.0/16\", \"fd00:1::/48\" ];", nets);

	free(nets);
	return m;
}

/*
 * Large network lists in any order: the lines are those of a set
 * difference, added in the new list's order, removed in the old one's; a
 * prefix differs from another of the same address by its length.
 */
START_TEST(test_policydiff_networks_order)
{
	static const char want[] = "~ zone jumin\n"
				   "    network +100.126.0.0/28\n"
				   "    network +100.127.0.0/25\n"
				   "    network -100.64.0.16/28\n"
				   "    network -100.127.0.0/24\n";
	struct policy_diff_sum sum;
	struct zone_model *a;
	struct zone_model *b;
	char *text;
	int oa;
	int ob;

	for (oa = 0; oa < 3; oa++) {
		for (ob = 0; ob < 3; ob++) {
			a = load_networks(oa, MANY, ", \"100.127.0.0/24\"");
			b = load_networks(ob, 1,
					  ", \"100.126.0.0/28\", "
					  "\"100.127.0.0/25\"");
			text = diff(a, b, false, &sum);
			ck_assert_msg(strcmp(text, want) == 0,
				      "order %d -> %d:\n%s", oa, ob, text);
			ck_assert_str_eq(sum.zones, "jumin");
			free(text);
			zone_model_free(b);
			/* the same set in another order is no change */
			b = load_networks(ob, MANY, ", \"100.127.0.0/24\"");
			assert_no_change(a, b);
			zone_model_free(a);
			zone_model_free(b);
		}
	}
}
END_TEST

/* The summary alone (d->out NULL) counts what the full diff prints. */
static void assert_same_sum(const struct zone_model *a,
			    const struct zone_model *b)
{
	struct policy_diff d = { .out = NULL };
	struct policy_diff_sum sum;
	char *text = diff(a, b, false, &sum);

	policy_diff(&d, a, b);
	ck_assert(d.any);
	ck_assert_str_eq(d.sum.added, sum.added);
	ck_assert_str_eq(d.sum.removed, sum.removed);
	ck_assert_str_eq(d.sum.changed, sum.changed);
	ck_assert_str_eq(d.sum.zones, sum.zones);
	ck_assert_uint_eq(d.sum.n_added, sum.n_added);
	ck_assert_uint_eq(d.sum.n_removed, sum.n_removed);
	ck_assert_uint_eq(d.sum.n_changed, sum.n_changed);
	ck_assert_uint_eq(d.sum.n_zones, sum.n_zones);
	free(text);
}

START_TEST(test_policydiff_summary_only)
{
	struct zone_model *a;
	struct zone_model *b;

	load_pair(&a, &b);
	assert_same_sum(a, b);
	assert_same_sum(b, a);
	zone_model_free(a);
	zone_model_free(b);
	/* one change late in a long list, after an early one elsewhere */
	a = load_networks(1, MANY, "");
	b = load_networks(2, MANY - 1, "");
	assert_same_sum(a, b);
	assert_same_sum(b, a);
	zone_model_free(b);
	b = load_with("label = \"住民情報系\";", "label = \"住民\";");
	assert_same_sum(a, b);
	zone_model_free(a);
	zone_model_free(b);
}
END_TEST

/*
 * "services = [ "tcp/1000", ..., "tcp/LAST" ];": @n services, the last
 * one @last, so that two lists of the same @n print the same for more
 * than 5000 bytes when @n is 600 and differ only after.
 */
static char *long_services(size_t n, unsigned int last)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	size_t i;

	ck_assert_ptr_nonnull(f);
	fputs("services = [ ", f);
	for (i = 0; i + 1 < n; i++)
		fprintf(f, "\"tcp/%zu\", ", 1000 + i);
	fprintf(f, "\"tcp/%u\" ];", last);
	fclose(f);
	return text;
}

/*
 * A narrow entry and a gateway entry whose print is the same for 5000
 * bytes and differs after: each is one change, with the entry whole (an
 * entry cut to a fixed size made the two policies compare equal).
 */
START_TEST(test_policydiff_blocks_long)
{
	static const char narrow[] = "services = [ \"tcp/8080\", \"tcp/25\" ];";
	static const char mgmt[] = "services = [ \"tcp/22\" ];";
	char *sa = long_services(600, 2998);
	char *sb = long_services(600, 2999);
	struct policy_diff_sum sum;
	struct zone_model *a;
	struct zone_model *b;
	char *text;
	char *want;
	char *la;
	char *lb;

	/* the print of either list: the config's text without its key */
	la = strchr(sa, '[');
	lb = strchr(sb, '[');
	ck_assert_int_gt(strlen(la), 5000);
	text = replace(read_text(SRCDIR "/conf/zoned.conf"), narrow, sa);
	text = replace(text, mgmt, sa);
	a = load(text);
	free(text);
	text = replace(read_text(SRCDIR "/conf/zoned.conf"), narrow, sb);
	text = replace(text, mgmt, sb);
	b = load(text);
	free(text);
	text = diff(a, b, false, &sum);
	ck_assert_int_ge(
		asprintf(&want,
			 "~ narrow\n"
			 "    +narrow { from = \"naibu\"; to = \"seccloud\"; to_hosts = [ \"192.0.2.80\", \"192.0.2.25\" ]; services = %.*s; }\n"
			 "    -narrow { from = \"naibu\"; to = \"seccloud\"; to_hosts = [ \"192.0.2.80\", \"192.0.2.25\" ]; services = %.*s; }\n"
			 "~ gateway\n"
			 "    +gateway management { name = \"ssh-admin\"; from = \"lgwan\"; from_hosts = [ \"10.2.0.5\" ]; services = %.*s; reason = \"ゲートウェイ保守\"; approved = \"CISO 2026-030\"; }\n"
			 "    -gateway management { name = \"ssh-admin\"; from = \"lgwan\"; from_hosts = [ \"10.2.0.5\" ]; services = %.*s; reason = \"ゲートウェイ保守\"; approved = \"CISO 2026-030\"; }\n",
			 (int)strlen(lb) - 1, lb, (int)strlen(la) - 1, la,
			 (int)strlen(lb) - 1, lb, (int)strlen(la) - 1, la),
		0);
	ck_assert_str_eq(text, want);
	free(want);
	free(text);
	/* the summary alone sees the change too */
	assert_same_sum(a, b);
	zone_model_free(a);
	zone_model_free(b);
	free(sa);
	free(sb);
}
END_TEST

static Suite *policydiff_suite(void)
{
	Suite *s = suite_create("policydiff");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_policydiff_every_list);
	tcase_add_test(tc, test_policydiff_same);
	tcase_add_test(tc, test_policydiff_blocks);
	tcase_add_test(tc, test_policydiff_networks_order);
	tcase_add_test(tc, test_policydiff_summary_only);
	tcase_add_test(tc, test_policydiff_blocks_long);
	/* nine pairs of models of a thousand networks, under ASan on a busy machine */
	tcase_set_timeout(tc, 60);
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
