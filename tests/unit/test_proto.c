/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the one table of protocol names (libzone/proto.c) that
 * alerts, zonectl explain and the config's services use.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <zone/proto.h>

#include "conf_priv.h"

static int number(const char *name)
{
	return zone_proto_number(name, strlen(name));
}

START_TEST(test_proto_names_round_trip)
{
	static const uint8_t named[] = {
		IPPROTO_TCP,  IPPROTO_UDP,     IPPROTO_ICMP, IPPROTO_ICMPV6,
		IPPROTO_SCTP, IPPROTO_UDPLITE, IPPROTO_DCCP,
	};
	char buf[4];
	size_t i;

	for (i = 0; i < sizeof(named); i++) {
		const char *name = zone_proto_name(named[i], buf, sizeof(buf));

		ck_assert_ptr_ne(name, buf);
		ck_assert_int_eq(number(name), named[i]);
	}
	ck_assert_str_eq(zone_proto_name(IPPROTO_ICMPV6, buf, sizeof(buf)),
			 "ipv6-icmp");
	ck_assert_str_eq(zone_proto_name(IPPROTO_GRE, buf, sizeof(buf)), "47");
}
END_TEST

START_TEST(test_proto_number)
{
	ck_assert_int_eq(number("tcp"), IPPROTO_TCP);
	ck_assert_int_eq(number("UDP"), IPPROTO_UDP);
	ck_assert_int_eq(number("icmpv6"), IPPROTO_ICMPV6);
	ck_assert_int_eq(number("IPv6-ICMP"), IPPROTO_ICMPV6);
	ck_assert_int_eq(number("gre"), -ENOENT);
	ck_assert_int_eq(number(""), -ENOENT);
	ck_assert_int_eq(number("tc"), -ENOENT);
	ck_assert_int_eq(number("tcpx"), -ENOENT);
	/* only the @len bytes count */
	ck_assert_int_eq(zone_proto_number("udp/53", 3), IPPROTO_UDP);
}
END_TEST

START_TEST(test_proto_has_ports)
{
	ck_assert(zone_proto_has_ports(IPPROTO_TCP));
	ck_assert(zone_proto_has_ports(IPPROTO_UDP));
	ck_assert(zone_proto_has_ports(IPPROTO_UDPLITE));
	ck_assert(zone_proto_has_ports(IPPROTO_SCTP));
	ck_assert(zone_proto_has_ports(IPPROTO_DCCP));
	ck_assert(!zone_proto_has_ports(IPPROTO_ICMP));
	ck_assert(!zone_proto_has_ports(IPPROTO_ICMPV6));
	ck_assert(!zone_proto_has_ports(IPPROTO_GRE));
}
END_TEST

/* The config takes tcp and udp only, in lower case, as it prints them. */
START_TEST(test_proto_config_service)
{
	struct zone_service svc;

	ck_assert_ptr_null(conf_parse_service("tcp/25", &svc));
	ck_assert_uint_eq(svc.proto, IPPROTO_TCP);
	ck_assert_ptr_null(conf_parse_service("udp/8000-8010", &svc));
	ck_assert_uint_eq(svc.proto, IPPROTO_UDP);
	ck_assert_uint_eq(svc.port_first, 8000);
	ck_assert_uint_eq(svc.port_last, 8010);
	ck_assert_str_eq(conf_parse_service("TCP/25", &svc),
			 "the protocol must be tcp or udp");
	ck_assert_str_eq(conf_parse_service("sctp/25", &svc),
			 "the protocol must be tcp or udp");
	ck_assert_str_eq(conf_parse_service("icmp/1", &svc),
			 "the protocol must be tcp or udp");
	ck_assert_str_eq(conf_parse_service("/25", &svc),
			 "the protocol must be tcp or udp");
	ck_assert_str_eq(conf_parse_service("tcp", &svc),
			 "it is not proto/port or proto/first-last");
}
END_TEST

static Suite *proto_suite(void)
{
	Suite *s = suite_create("proto");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_proto_names_round_trip);
	tcase_add_test(tc, test_proto_number);
	tcase_add_test(tc, test_proto_has_ports);
	tcase_add_test(tc, test_proto_config_service);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(proto_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
