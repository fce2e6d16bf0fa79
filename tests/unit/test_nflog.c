/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the NFLOG receiver's decoding and aggregation
 * (daemon/nflog.c): synthetic nfnetlink_log messages go through its
 * message callback, and the alerts it raises are captured.  nflog.o,
 * nflog_decode.o and stats.o come from the daemon archive; the loop, log
 * and alert functions they call from fake_daemon.o.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <libmnl/libmnl.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>

#include <zone/conf.h>
#include <zone/diag.h>
#include <zone/mark.h>
#include <zone/model.h>

#include "../../daemon/nflog_int.h"
#include "../../daemon/stats.h"
#include "../../daemon/nflog.h"
#include "../../daemon/zoned.h"
#include "fake_daemon.h"

/* --- fixture ------------------------------------------------------------- */

static const char conf[] =
	"profile = \"alpha\";\n"
	"mode = \"enforce\";\n"
	"zones = (\n"
	"  { name = \"jumin\"; tier = \"resident\"; label = \"J\";\n"
	"    interfaces = [ \"eth1\" ];\n"
	"    networks = [ \"10.1.0.0/16\", \"fd00:1::/48\" ]; },\n"
	"  { name = \"lgwan\"; tier = \"lgwan\"; interfaces = [ \"eth2\" ];\n"
	"    networks = [ \"10.2.0.0/16\" ]; },\n"
	"  { name = \"naibu\"; tier = \"internet\"; interfaces = [ \"eth3\" ];\n"
	"    networks = [ \"10.3.0.0/16\", \"fd00:3::/48\" ]; }\n"
	");\n"
	"attachments = (\n"
	"  { name = \"internet\"; kind = \"internet\"; interfaces = [ \"eth5\" ]; }\n"
	");\n"
	"gateway = { management = ( ); outbound = ( ); };\n";

static struct zoned z;

static void setup(void)
{
	struct zone_diag *diag = zone_diag_new();
	int ret;

	memset(&z, 0, sizeof(z));
	ret = zone_conf_load_string(conf, "test.conf", diag, &z.model);
	if (ret < 0 && zone_diag_count(diag))
		fprintf(stderr, "%s\n", zone_diag_line(diag, 0));
	ck_assert_int_eq(ret, 0);
	zone_diag_free(diag);
	z.stats = stats_new();
	/* never dereferenced: alert_emit() is the stub above */
	z.alerts = (struct alerts *)&z;
	z.nflog = calloc(1, sizeof(*z.nflog));
	z.nflog->tfd = -1;
	ck_assert_ptr_nonnull(z.stats);
	ck_assert_ptr_nonnull(z.nflog);
	n_lines = 0;
}

static void teardown(void)
{
	nflog_close(&z);
	stats_free(z.stats);
	zone_model_free(z.model);
	fake_alerts_clear();
}

/* An IPv4 header (and 4 bytes of ports) from @src to @dst. */
static size_t ipv4(uint8_t *p, const char *src, const char *dst, uint8_t proto,
		   uint16_t dport, uint16_t frag)
{
	memset(p, 0, 24);
	p[0] = 0x45;
	p[6] = (uint8_t)(frag >> 8);
	p[7] = (uint8_t)frag;
	p[9] = proto;
	inet_pton(AF_INET, src, p + 12);
	inet_pton(AF_INET, dst, p + 16);
	p[20] = 0x9c;
	p[21] = 0x40;
	p[22] = (uint8_t)(dport >> 8);
	p[23] = (uint8_t)dport;
	return 24;
}

/* One NFLOG packet message through the receiver. */
static void feed(const char *prefix, const uint8_t *payload, size_t len,
		 int seq, uint32_t indev)
{
	char buf[1024];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfulnl_msg_packet_hdr ph = { .hw_protocol = htons(0x0800) };
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	nfg->res_id = htons(ZONE_NFLOG_GROUP);
	mnl_attr_put(nlh, NFULA_PACKET_HDR, sizeof(ph), &ph);
	mnl_attr_put_strz(nlh, NFULA_PREFIX, prefix);
	if (indev)
		mnl_attr_put_u32(nlh, NFULA_IFINDEX_INDEV, htonl(indev));
	if (seq >= 0)
		mnl_attr_put_u32(nlh, NFULA_SEQ, htonl((uint32_t)seq));
	mnl_attr_put(nlh, NFULA_PAYLOAD, len, payload);
	nflog_msg_cb(nlh, &z);
}

static void feed4(const char *prefix, const char *src, const char *dst,
		  uint8_t proto, uint16_t dport, int seq)
{
	uint8_t p[64];

	feed(prefix, p, ipv4(p, src, dst, proto, dport, 0), seq, 0);
}

/* End every aggregation window now, as the 1 s tick would later. */
static void windows_end(void)
{
	struct nflog_agg *a;

	for (a = z.nflog->head; a; a = a->next)
		a->window_end = 0;
	nflog_tick(&z, -1, 0, NULL);
}

static bool has_line(const char *want)
{
	int i;

	for (i = 0; i < n_lines && i < FAKE_ALERT_LINES; i++)
		if (strcmp(lines[i], want) == 0)
			return true;
	return false;
}

/* --- tests --------------------------------------------------------------- */

START_TEST(test_nflog_first_then_summary)
{
	int i;

	for (i = 0; i < 5; i++)
		feed4("zoned deny hard-invariant", "10.1.0.10", "10.3.0.10",
		      IPPROTO_TCP, 22, -1);
	ck_assert_int_eq(n_lines, 1);
	ck_assert_str_eq(lines[0],
		"deny src_zone=jumin dst_zone=naibu proto=tcp src=10.1.0.10 dst=10.3.0.10 dport=22 rule=hard-invariant count=1 action=dropped");
	windows_end();
	ck_assert_int_eq(n_lines, 2);
	ck_assert_str_eq(lines[1],
		"deny src_zone=jumin dst_zone=naibu proto=tcp src=10.1.0.10 dst=10.3.0.10 dport=22 rule=hard-invariant count=4 action=dropped");
	/* a quiet window: the key is forgotten without a line */
	windows_end();
	ck_assert_int_eq(n_lines, 2);
	ck_assert_ptr_null(z.nflog->head);
	ck_assert_uint_eq(stats_total(z.stats, STAT_DENY), 5);
}
END_TEST

START_TEST(test_nflog_keys_apart)
{
	feed4("zoned deny hard-invariant", "10.1.0.10", "10.3.0.10",
	      IPPROTO_TCP, 22, -1);
	feed4("zoned deny hard-invariant", "10.1.0.10", "10.3.0.10",
	      IPPROTO_TCP, 23, -1);
	feed4("zoned deny hard-invariant", "10.1.0.10", "10.3.0.10",
	      IPPROTO_UDP, 22, -1);
	feed4("zoned deny split-path", "10.2.0.10", "10.3.0.10",
	      IPPROTO_UDP, 22, -1);
	ck_assert_int_eq(n_lines, 4);
	ck_assert(has_line("deny src_zone=lgwan dst_zone=naibu proto=udp src=10.2.0.10 dst=10.3.0.10 dport=22 rule=split-path count=1 action=dropped"));
}
END_TEST

START_TEST(test_nflog_counts_add_up_on_close)
{
	int i;
	long sum = 0;

	for (i = 0; i < 100; i++)
		feed4("zoned deny hard-invariant", "10.1.0.10", "10.3.0.10",
		      IPPROTO_UDP, 53, -1);
	nflog_close(&z);
	for (i = 0; i < n_lines; i++)
		sum += atol(strstr(lines[i], "count=") + 6);
	ck_assert_int_eq(n_lines, 2);
	ck_assert_int_eq(sum, 100);
}
END_TEST

START_TEST(test_nflog_monitor_and_isolate)
{
	feed4("zoned monitor hard-invariant", "10.1.0.10", "10.3.0.10",
	      IPPROTO_TCP, 80, -1);
	feed4("zoned isolate", "10.2.0.10", "10.2.0.11", IPPROTO_TCP, 80, -1);
	ck_assert_int_eq(n_lines, 2);
	ck_assert_ptr_nonnull(strstr(lines[0], " action=reported"));
	ck_assert_ptr_nonnull(strstr(lines[1], " rule=isolated "));
}
END_TEST

START_TEST(test_nflog_seq_gap)
{
	feed4("zoned deny hard-invariant", "10.1.0.10", "10.3.0.10",
	      IPPROTO_TCP, 22, 7);
	feed4("zoned deny hard-invariant", "10.1.0.10", "10.3.0.10",
	      IPPROTO_TCP, 22, 8);
	feed4("zoned deny hard-invariant", "10.1.0.10", "10.3.0.10",
	      IPPROTO_TCP, 22, 12);
	nflog_tick(&z, -1, 0, NULL);
	ck_assert(has_line("events-lost count=3 source=nflog overruns=0"));
	ck_assert_uint_eq(stats_total(z.stats, STAT_EVENTS_LOST), 3);
}
END_TEST

START_TEST(test_nflog_ipv6_extension_headers)
{
	uint8_t p[128] = { 0 };

	p[0] = 0x60;
	p[6] = 0;		/* hop-by-hop options first */
	inet_pton(AF_INET6, "fd00:1::10", p + 8);
	inet_pton(AF_INET6, "fd00:3::10", p + 24);
	p[40] = 60;		/* then destination options */
	p[41] = 0;
	p[48] = IPPROTO_UDP;	/* then UDP */
	p[49] = 1;		/* 16 bytes long */
	p[64 + 2] = 0x01;
	p[64 + 3] = 0xbb;	/* dport 443 */
	feed("zoned deny hard-invariant", p, 72, -1, 0);
	ck_assert_int_eq(n_lines, 1);
	ck_assert_str_eq(lines[0],
		"deny src_zone=jumin dst_zone=naibu proto=udp src=fd00:1::10 dst=fd00:3::10 dport=443 rule=hard-invariant count=1 action=dropped");
}
END_TEST

START_TEST(test_nflog_later_fragment_has_no_port)
{
	uint8_t p[64];
	size_t len = ipv4(p, "10.1.0.10", "10.3.0.10", IPPROTO_UDP, 53, 0x00b9);

	feed("zoned deny hard-invariant", p, len, -1, 0);
	ck_assert_int_eq(n_lines, 1);
	ck_assert_ptr_null(strstr(lines[0], "dport="));
}
END_TEST

START_TEST(test_nflog_rejects_malformed)
{
	char buf[512];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	uint8_t p[64];
	uint16_t shortseq = 1;

	nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct nfgenmsg));
	mnl_attr_put_strz(nlh, NFULA_PREFIX, "zoned deny hard-invariant");
	/* a sequence number two bytes long */
	mnl_attr_put(nlh, NFULA_SEQ, sizeof(shortseq), &shortseq);
	mnl_attr_put(nlh, NFULA_PAYLOAD,
		     ipv4(p, "10.1.0.10", "10.3.0.10", IPPROTO_TCP, 22, 0), p);
	nflog_msg_cb(nlh, &z);
	/* a truncated IPv4 header, and a prefix that is not ours */
	feed("zoned deny hard-invariant", p, 12, -1, 0);
	feed4("other tool", "10.1.0.10", "10.3.0.10", IPPROTO_TCP, 22, -1);
	ck_assert_int_eq(n_lines, 0);
	ck_assert_uint_eq(z.nflog->malformed, 3);
}
END_TEST

START_TEST(test_nflog_spoof)
{
	uint8_t p[64];
	size_t len = ipv4(p, "10.1.0.99", "10.3.0.10", IPPROTO_UDP, 53, 0);

	feed("zoned spoof jumin", p, len, -1, 1);
	feed("zoned spoof jumin", p, len, -1, 1);
	feed("zoned monitor spoof jumin", p, len, -1, 2);
	ck_assert_int_eq(n_lines, 2);
	ck_assert_str_eq(lines[0], "spoof iface=lo zone=jumin src=10.1.0.99 count=1");
	ck_assert_ptr_nonnull(strstr(lines[1], "spoof "));
	ck_assert_uint_eq(stats_total(z.stats, STAT_SPOOF), 3);
	ck_assert_uint_eq(stats_total(z.stats, STAT_DENY), 0);
}
END_TEST

START_TEST(test_nflog_table_bounded)
{
	char src[32];
	long sum = 0;
	int i;

	for (i = 0; i < NFLOG_MAX_KEYS + 10; i++) {
		snprintf(src, sizeof(src), "10.1.%d.%d", i / 250, i % 250 + 1);
		feed4("zoned deny hard-invariant", src, "10.3.0.10",
		      IPPROTO_TCP, 22, -1);
		feed4("zoned deny hard-invariant", src, "10.3.0.10",
		      IPPROTO_TCP, 22, -1);
	}
	ck_assert_uint_le(z.nflog->n_keys, NFLOG_MAX_KEYS);
	ck_assert_uint_eq(z.nflog->evicted, 10);
	nflog_close(&z);
	for (i = 0; i < n_lines && i < FAKE_ALERT_LINES; i++)
		sum += atol(strstr(lines[i], "count=") + 6);
	ck_assert_int_eq(sum, 2 * (NFLOG_MAX_KEYS + 10));
}
END_TEST

static Suite *nflog_suite(void)
{
	Suite *s = suite_create("nflog");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_nflog_first_then_summary);
	tcase_add_test(tc, test_nflog_keys_apart);
	tcase_add_test(tc, test_nflog_counts_add_up_on_close);
	tcase_add_test(tc, test_nflog_monitor_and_isolate);
	tcase_add_test(tc, test_nflog_seq_gap);
	tcase_add_test(tc, test_nflog_ipv6_extension_headers);
	tcase_add_test(tc, test_nflog_later_fragment_has_no_port);
	tcase_add_test(tc, test_nflog_rejects_malformed);
	tcase_add_test(tc, test_nflog_spoof);
	tcase_add_test(tc, test_nflog_table_bounded);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(nflog_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
