/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Address and prefix parsing, printing and set relations. */

#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>

#include <check.h>

#include <zone/addr.h>

static struct zone_prefix P(const char *text) {
	struct zone_prefix p;

	ck_assert_msg(zone_prefix_parse(text, &p) == 0, "parse %s", text);
	return p;
}

static struct zone_addr
A(const char *text) {
	struct zone_addr a;

	ck_assert_msg(zone_addr_parse(text, &a) == 0, "parse %s", text);
	return a;
}

START_TEST(test_addr_parse_both_families)
{
	struct zone_addr a = A("192.0.2.1");

	ck_assert_int_eq(a.family, AF_INET);
	ck_assert_int_eq(a.bytes[0], 192);
	ck_assert_int_eq(a.bytes[3], 1);
	ck_assert_int_eq(a.bytes[4], 0);
	a = A("2001:db8::1");
	ck_assert_int_eq(a.family, AF_INET6);
	ck_assert_int_eq(a.bytes[0], 0x20);
	ck_assert_int_eq(a.bytes[15], 1);
}
END_TEST

START_TEST(test_addr_parse_rejects_garbage)
{
	static const char *const bad[] = {
		"",
		"1.2.3",
		"1.2.3.4.5",
		"256.0.0.1",
		"10.0.0.1 ",
		" 10.0.0.1",
		"fe80::1%eth0",
		"2001:db8:::1",
		"host.example",
		"10.0.0.1/32",
	};
	struct zone_addr a;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(zone_addr_parse(bad[i], &a) == -EINVAL,
			      "accepted %s", bad[i]);
}
END_TEST

START_TEST(test_addr_prefix_parse)
{
	struct zone_prefix p = P("10.1.0.0/16");

	ck_assert_int_eq(p.len, 16);
	ck_assert_int_eq(p.addr.family, AF_INET);
	p = P("10.1.2.3");
	ck_assert_int_eq(p.len, 32);
	p = P("fd00:1::/48");
	ck_assert_int_eq(p.len, 48);
	p = P("::/0");
	ck_assert_int_eq(p.len, 0);
	p = P("2001:db8::1");
	ck_assert_int_eq(p.len, 128);
}
END_TEST

START_TEST(test_addr_prefix_rejects_host_bits_and_bad_lengths)
{
	static const char *const bad[] = {
		"10.1.2.0/16", "10.0.0.1/31",
		"fd00::1/64",  "10.0.0.0/33",
		"::/129",      "10.0.0.0/",
		"10.0.0.0/-1", "10.0.0.0/08",
		"10.0.0.0/+8", "10.0.0.0/8/8",
		"10.0.0.0 /8", "/8",
		"10.0.0.0/8x", "10.0.0.0/99999999999999999999",
	};
	struct zone_prefix p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(zone_prefix_parse(bad[i], &p) == -EINVAL,
			      "accepted %s", bad[i]);
}
END_TEST

START_TEST(test_addr_format_canonical)
{
	char buf[ZONE_PREFIX_STRLEN];
	struct zone_prefix p = P("2001:0db8:0000::0/32");

	ck_assert_str_eq(zone_prefix_format(&p, buf, sizeof(buf)),
			 "2001:db8::/32");
	p = P("10.1.2.3/32");
	ck_assert_str_eq(zone_prefix_format(&p, buf, sizeof(buf)), "10.1.2.3");
	p = P("FD00::1");
	ck_assert_str_eq(zone_prefix_format(&p, buf, sizeof(buf)), "fd00::1");
	p = P("0.0.0.0/0");
	ck_assert_str_eq(zone_prefix_format(&p, buf, sizeof(buf)), "0.0.0.0/0");
	ck_assert_str_eq(zone_addr_format(&p.addr, buf, sizeof(buf)),
			 "0.0.0.0");
}
END_TEST

START_TEST(test_addr_prefix_contains)
{
	struct zone_prefix net = P("10.1.0.0/16");
	struct zone_prefix all6 = P("::/0");
	struct zone_addr in = A("10.1.255.255");
	struct zone_addr out = A("10.2.0.0");
	struct zone_addr v6 = A("::a01:1");

	ck_assert(zone_prefix_contains(&net, &in));
	ck_assert(!zone_prefix_contains(&net, &out));
	ck_assert(!zone_prefix_contains(&net, &v6));
	ck_assert(zone_prefix_contains(&all6, &v6));
	ck_assert(!zone_prefix_contains(&all6, &in));
	net = P("10.1.0.0/17");
	ck_assert(!zone_prefix_contains(&net, &in));
}
END_TEST

START_TEST(test_addr_prefix_overlaps)
{
	struct zone_prefix a = P("10.1.0.0/16");
	struct zone_prefix b = P("10.1.128.0/17");
	struct zone_prefix c = P("10.2.0.0/16");
	struct zone_prefix d = P("fd00::/8");
	struct zone_prefix e = P("fd00:1::/48");

	ck_assert(zone_prefix_overlaps(&a, &b));
	ck_assert(zone_prefix_overlaps(&b, &a));
	ck_assert(!zone_prefix_overlaps(&a, &c));
	ck_assert(!zone_prefix_overlaps(&a, &d));
	ck_assert(zone_prefix_overlaps(&d, &e));
	ck_assert(zone_prefix_overlaps(&a, &a));
}
END_TEST

START_TEST(test_addr_prefix_is_host)
{
	struct zone_prefix p = P("192.0.2.7");

	ck_assert(zone_prefix_is_host(&p));
	p = P("192.0.2.6/31");
	ck_assert(!zone_prefix_is_host(&p));
	p = P("2001:db8::7/128");
	ck_assert(zone_prefix_is_host(&p));
	p = P("2001:db8::/127");
	ck_assert(!zone_prefix_is_host(&p));
}
END_TEST

static Suite *addr_suite(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_addr_parse_both_families);
	tcase_add_test(tc, test_addr_parse_rejects_garbage);
	tcase_add_test(tc, test_addr_prefix_parse);
	tcase_add_test(tc, test_addr_prefix_rejects_host_bits_and_bad_lengths);
	tcase_add_test(tc, test_addr_format_canonical);
	tcase_add_test(tc, test_addr_prefix_contains);
	tcase_add_test(tc, test_addr_prefix_overlaps);
	tcase_add_test(tc, test_addr_prefix_is_host);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(addr_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
