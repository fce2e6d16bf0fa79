/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of breakout by name on the model's side (<zone/names.h>):
 * which names are refused, how an answer is merged into a name's record
 * (a dropped address keeps its expiry, expired ones go), what the verdict
 * admits before, during and after an address's lifetime, and that a
 * reload keeps what was resolved.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <zone/addr.h>
#include <zone/conf.h>
#include <zone/diag.h>
#include <zone/model.h>
#include <zone/names.h>
#include <zone/verdict.h>

#define NOW ((time_t)1800000000)

static const char conf_text[] =
	"profile = \"alpha-prime\"; profile_approved = \"t\";\n"
	"zones = (\n"
	"  { name = \"m\"; tier = \"resident\"; interfaces = [ \"e1\" ];"
	" networks = [ \"10.1.0.0/16\" ]; },\n"
	"  { name = \"l\"; tier = \"lgwan\"; interfaces = [ \"e2\" ];"
	" networks = [ \"10.2.0.0/16\", \"fd00:2::/48\" ]; },\n"
	"  { name = \"i\"; tier = \"internet\"; interfaces = [ \"e3\" ];"
	" networks = [ \"10.3.0.0/16\" ]; }\n"
	");\n"
	"attachments = ( { name = \"inet\"; kind = \"internet\";"
	" interfaces = [ \"e4\" ]; } );\n"
	"channels = (\n"
	"  { name = \"cloud\"; kind = \"breakout\"; from = \"l\"; to = \"inet\";"
	" to_names = [ \"meet.example.jp\", \"files.example.jp\" ];"
	" services = [ \"tcp/443\" ]; reason = \"r\"; approved = \"a\"; },\n"
	"  { name = \"both\"; kind = \"breakout\"; from = \"l\"; to = \"inet\";"
	" to_hosts = [ \"192.0.2.0/24\" ]; to_names = [ \"x.example.jp\" ];"
	" services = [ \"tcp/80\" ]; reason = \"r\"; approved = \"a\"; }\n"
	");\n"
	"gateway = { management = ( ); outbound = ( ); };\n"
	"names = { ttl_min = 10; ttl_max = 100; };\n";

static struct zone_model *load(void)
{
	struct zone_diag *diag = zone_diag_new();
	struct zone_model *m = NULL;
	int ret;

	ck_assert_ptr_nonnull(diag);
	ret = zone_conf_load_string(conf_text, "t.conf", diag, &m);
	ck_assert_msg(ret == 0, "refused: %s",
		      zone_diag_count(diag) ? zone_diag_line(diag, 0) : "?");
	zone_diag_free(diag);
	return m;
}

static struct zone_addr addr(const char *s)
{
	struct zone_addr a;

	ck_assert_int_eq(zone_addr_parse(s, &a), 0);
	return a;
}

/* the verdict of lgwan host -> @dst on tcp/@port at @now */
static bool admits(const struct zone_model *m, const char *dst, int port,
		   time_t now, const char **chan)
{
	struct zone_flow f = { .src = addr("10.2.0.10"),
			       .dst = addr(dst),
			       .proto = 6,
			       .dport = (uint16_t)port };
	struct zone_verdict v;

	if (strchr(dst, ':'))
		f.src = addr("fd00:2::10");
	zone_verdict(m, &f, now, &v);
	*chan = v.channel ? zone_channel_name(v.channel) : NULL;
	return v.action == ZONE_ACTION_ALLOW;
}

START_TEST(test_names_problem)
{
	ck_assert_ptr_null(zone_fqdn_problem("meet.example.jp"));
	ck_assert_ptr_null(zone_fqdn_problem("a-1.B2.example"));
	ck_assert_ptr_nonnull(zone_fqdn_problem(""));
	ck_assert_ptr_nonnull(zone_fqdn_problem("localhost"));
	ck_assert_ptr_nonnull(zone_fqdn_problem("example.jp."));
	ck_assert_ptr_nonnull(zone_fqdn_problem("a..example.jp"));
	ck_assert_ptr_nonnull(zone_fqdn_problem("-a.example.jp"));
	ck_assert_ptr_nonnull(zone_fqdn_problem("a-.example.jp"));
	ck_assert_ptr_nonnull(zone_fqdn_problem("a_b.example.jp"));
	ck_assert_ptr_nonnull(zone_fqdn_problem("*.example.jp"));
	ck_assert_ptr_nonnull(zone_fqdn_problem("10.1.2.3"));
	ck_assert_ptr_nonnull(zone_fqdn_problem(
		"a234567890123456789012345678901234567890123456789012345678901234.jp"));
}
END_TEST

START_TEST(test_names_verdict)
{
	struct zone_model *m = load();
	struct zone_addr a[2] = { addr("203.0.113.11"),
				  addr("2001:db8:113::11") };
	struct zone_addr b = addr("203.0.113.12");
	unsigned int lo;
	unsigned int hi;
	const char *ch;

	zone_model_names_ttl(m, &lo, &hi);
	ck_assert_uint_eq(lo, 10);
	ck_assert_uint_eq(hi, 100);
	/* nothing resolved: a names-only channel admits nothing */
	ck_assert(!admits(m, "203.0.113.11", 443, NOW, &ch));
	ck_assert(!admits(m, "203.0.113.99", 443, NOW, &ch));
	ck_assert_int_eq(zone_model_fqdn_update(m, 0, 0, a, 2, NOW + 10, NOW),
			 0);
	ck_assert(admits(m, "203.0.113.11", 443, NOW, &ch));
	ck_assert_str_eq(ch, "cloud");
	ck_assert(admits(m, "2001:db8:113::11", 443, NOW + 9, &ch));
	ck_assert(!admits(m, "203.0.113.11", 80, NOW, &ch));
	ck_assert(!admits(m, "203.0.113.12", 443, NOW, &ch));
	ck_assert(!admits(m, "203.0.113.11", 443, NOW + 10, &ch));
	ck_assert_str_eq(zone_channel_fqdn_match(zone_model_channel(m, 0),
						 &a[1], NOW),
			 "meet.example.jp");
	/* the record moves: the old address holds until its expiry */
	ck_assert_int_eq(
		zone_model_fqdn_update(m, 0, 0, &b, 1, NOW + 15, NOW + 5), 0);
	ck_assert(admits(m, "203.0.113.11", 443, NOW + 9, &ch));
	ck_assert(admits(m, "203.0.113.12", 443, NOW + 14, &ch));
	ck_assert(!admits(m, "203.0.113.11", 443, NOW + 10, &ch));
	/* expired entries are dropped at the next answer */
	ck_assert_int_eq(
		zone_model_fqdn_update(m, 0, 0, &b, 1, NOW + 30, NOW + 12), 0);
	{
		const struct zone_name_addr *v;

		ck_assert_uint_eq(zone_channel_fqdn_addrs(
					  zone_model_channel(m, 0), 0, &v),
				  1);
		ck_assert_int_eq(v[0].expires, NOW + 30);
	}
	/* to_hosts and to_names: either admits */
	ck_assert(admits(m, "192.0.2.7", 80, NOW, &ch));
	ck_assert_str_eq(ch, "both");
	ck_assert(!admits(m, "198.51.100.7", 80, NOW, &ch));
	ck_assert_int_eq(zone_model_fqdn_update(m, 1, 0, &b, 1, NOW + 10, NOW),
			 0);
	ck_assert(admits(m, "203.0.113.12", 80, NOW, &ch));
	ck_assert_int_eq(zone_model_fqdn_update(m, 1, 1, &b, 1, NOW, NOW),
			 -EINVAL);
	zone_model_free(m);
}
END_TEST

START_TEST(test_names_carry)
{
	struct zone_model *m = load();
	struct zone_model *n = load();
	struct zone_addr a = addr("203.0.113.11");
	const char *ch;

	ck_assert_int_eq(zone_model_fqdn_update(m, 0, 1, &a, 1, NOW + 50, NOW),
			 0);
	ck_assert(!admits(n, "203.0.113.11", 443, NOW, &ch));
	ck_assert_int_eq(zone_model_fqdn_carry(n, m), 0);
	zone_model_free(m);
	ck_assert(admits(n, "203.0.113.11", 443, NOW + 49, &ch));
	ck_assert_str_eq(zone_channel_fqdn_match(zone_model_channel(n, 0), &a,
						 NOW),
			 "files.example.jp");
	zone_model_free(n);
}
END_TEST

static Suite *names_suite(void)
{
	Suite *s = suite_create("names");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_names_problem);
	tcase_add_test(tc, test_names_verdict);
	tcase_add_test(tc, test_names_carry);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(names_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
