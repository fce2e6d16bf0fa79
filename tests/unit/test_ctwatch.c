/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the conntrack watcher's judging (daemon/ctwatch_judge.c):
 * conntrack objects built with libnetfilter_conntrack go through
 * ct_judge() and ct_destroyed() under a loaded model, and the alerts and
 * deletes they cause are captured.  ctwatch_judge.o comes from the daemon
 * archive; the alerts, the log and the loop from fake_daemon.o, and
 * nfct_query (the delete) is stubbed below.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include <zone/conf.h>
#include <zone/diag.h>
#include <zone/mark.h>
#include <zone/model.h>

#include "../../daemon/ctwatch_priv.h"
#include "../../daemon/stats.h"
#include "../../daemon/zoned.h"

/* --- stubs --------------------------------------------------------------- */

#include "fake_daemon.h"

static int n_deletes;
static int delete_errno;

/* The delete: counted, and failing with @delete_errno when set. */
int nfct_query(struct nfct_handle *h, const enum nf_conntrack_query query,
	       const void *data)
{
	(void)h;
	(void)data;
	if (query != NFCT_Q_DESTROY)
		return -1;
	n_deletes++;
	if (delete_errno) {
		errno = delete_errno;
		return -1;
	}
	return 0;
}

/* --- fixture ------------------------------------------------------------- */

static const char conf_fmt[] =
	"profile = \"alpha\";\n"
	"mode = \"%s\";\n"
	"zones = (\n"
	"  { name = \"jumin\"; tier = \"resident\"; label = \"J\";\n"
	"    interfaces = [ \"eth1\" ]; networks = [ \"10.1.0.0/16\" ]; },\n"
	"  { name = \"lgwan\"; tier = \"lgwan\"; interfaces = [ \"eth2\" ];\n"
	"    networks = [ \"10.2.0.0/16\" ]; },\n"
	"  { name = \"naibu\"; tier = \"internet\"; interfaces = [ \"eth3\" ];\n"
	"    networks = [ \"10.3.0.0/16\" ]; }\n"
	");\n"
	"attachments = (\n"
	"  { name = \"internet\"; kind = \"internet\"; interfaces = [ \"eth5\" ]; }\n"
	");\n"
	"gateway = {\n"
	"  management = ( { name = \"ssh\"; from = \"lgwan\";\n"
	"    from_hosts = [ \"10.2.0.5\" ]; services = [ \"tcp/22\" ];\n"
	"    reason = \"r\"; approved = \"a\"; } );\n"
	"  outbound = ( { name = \"web\"; to = \"lgwan\";\n"
	"    to_hosts = [ \"10.2.0.50\" ]; services = [ \"tcp/8080\" ];\n"
	"    reason = \"r\"; approved = \"a\"; } );\n"
	"};\n"
	"%s";

static const char channel[] =
	"channels = (\n"
	"  { name = \"mail\"; kind = \"sanitize\"; from = \"naibu\"; to = \"lgwan\";\n"
	"    from_hosts = [ \"10.3.0.25\" ]; to_hosts = [ \"10.2.0.25\" ];\n"
	"    services = [ \"tcp/25\" ]; reason = \"relay\"; approved = \"T-1\"; }\n"
	");\n";

static struct zoned z;

static struct zone_model *load(const char *mode, bool with_channel)
{
	struct zone_diag *diag = zone_diag_new();
	struct zone_model *m = NULL;
	char text[2048];
	int ret;

	snprintf(text, sizeof(text), conf_fmt, mode,
		 with_channel ? channel : "");
	ret = zone_conf_load_string(text, "test.conf", diag, &m);
	if (ret < 0 && zone_diag_count(diag))
		fprintf(stderr, "%s\n", zone_diag_line(diag, 0));
	ck_assert_int_eq(ret, 0);
	zone_diag_free(diag);
	return m;
}

static void use_model(const char *mode)
{
	zone_model_free(z.model);
	z.model = load(mode, true);
}

static void setup(void)
{
	memset(&z, 0, sizeof(z));
	z.model = load("enforce", true);
	z.stats = stats_new();
	z.alerts = (struct alerts *)&z;	/* only the stub sees it */
	z.ct = calloc(1, sizeof(*z.ct));
	ck_assert_ptr_nonnull(z.ct);
	/* the gateway's own address, fresh so no refresh replaces it */
	z.ct->local = calloc(1, sizeof(*z.ct->local));
	zone_addr_parse("10.3.0.1", z.ct->local);
	z.ct->n_local = 1;
	clock_gettime(CLOCK_MONOTONIC, &z.ct->local_at);
	z.ct->local_at.tv_sec += 3600;
	n_lines = 0;
	n_deletes = 0;
	delete_errno = 0;
}

static void teardown(void)
{
	ct_entries_free(z.ct);
	free(z.ct->local);
	free(z.ct);
	stats_free(z.stats);
	zone_model_free(z.model);
	fake_alerts_clear();
}

/*
 * A TCP flow @src:@sport -> @dst:@dport whose reply comes from @real (the
 * DNAT target; NULL: @dst), with conntrack id @id and mark @mark.
 */
static struct nf_conntrack *flow(const char *src, uint16_t sport,
				 const char *dst, uint16_t dport,
				 const char *real, uint32_t id, uint32_t mark)
{
	struct nf_conntrack *ct = nfct_new();
	struct in_addr a;

	ck_assert_ptr_nonnull(ct);
	nfct_set_attr_u8(ct, ATTR_ORIG_L3PROTO, AF_INET);
	nfct_set_attr_u8(ct, ATTR_ORIG_L4PROTO, IPPROTO_TCP);
	nfct_set_attr_u8(ct, ATTR_REPL_L3PROTO, AF_INET);
	nfct_set_attr_u8(ct, ATTR_REPL_L4PROTO, IPPROTO_TCP);
	inet_pton(AF_INET, src, &a);
	nfct_set_attr_u32(ct, ATTR_ORIG_IPV4_SRC, a.s_addr);
	nfct_set_attr_u32(ct, ATTR_REPL_IPV4_DST, a.s_addr);
	inet_pton(AF_INET, dst, &a);
	nfct_set_attr_u32(ct, ATTR_ORIG_IPV4_DST, a.s_addr);
	inet_pton(AF_INET, real ? real : dst, &a);
	nfct_set_attr_u32(ct, ATTR_REPL_IPV4_SRC, a.s_addr);
	nfct_set_attr_u16(ct, ATTR_ORIG_PORT_SRC, htons(sport));
	nfct_set_attr_u16(ct, ATTR_ORIG_PORT_DST, htons(dport));
	nfct_set_attr_u16(ct, ATTR_REPL_PORT_SRC, htons(dport));
	nfct_set_attr_u16(ct, ATTR_REPL_PORT_DST, htons(sport));
	nfct_set_attr_u32(ct, ATTR_ID, id);
	nfct_set_attr_u32(ct, ATTR_MARK, mark);
	return ct;
}

#define MARK_RULE (ZONE_MARK_MAGIC | ZONE_MARK_T_RULE)

static void put_counters(struct nlmsghdr *nlh, int type, uint64_t packets,
			 uint64_t bytes)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u64(nlh, CTA_COUNTERS_PACKETS, htobe64(packets));
	mnl_attr_put_u64(nlh, CTA_COUNTERS_BYTES, htobe64(bytes));
	mnl_attr_nest_end(nlh, nest);
}

/*
 * @ct as a DESTROY event with accounting would carry it: the library has
 * no setter for counters, so the event is built and parsed back.
 * Takes ownership of @ct and returns the new object.
 */
static struct nf_conntrack *with_counters(struct nf_conntrack *ct,
					  uint64_t op, uint64_t ob,
					  uint64_t rp, uint64_t rb)
{
	char buf[4096];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nf_conntrack *out = nfct_new();
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	ck_assert_int_eq(nfct_nlmsg_build(nlh, ct), 0);
	put_counters(nlh, CTA_COUNTERS_ORIG, op, ob);
	put_counters(nlh, CTA_COUNTERS_REPLY, rp, rb);
	ck_assert_int_eq(nfct_nlmsg_parse(nlh, out), 0);
	/* the builder leaves the id out; an event has it */
	nfct_set_attr_u32(out, ATTR_ID, nfct_get_attr_u32(ct, ATTR_ID));
	nfct_destroy(ct);
	return out;
}

/* --- tests --------------------------------------------------------------- */

START_TEST(test_ctwatch_enforce_kills_once)
{
	struct nf_conntrack *ct = flow("10.1.0.10", 40000, "10.3.0.10", 22,
				       NULL, 7, 0);

	ct_judge(&z, ct, false);
	ck_assert_int_eq(n_deletes, 1);
	ck_assert_int_eq(n_lines, 1);
	ck_assert_str_eq(lines[0],
		"violation src_zone=jumin dst_zone=naibu proto=tcp src=10.1.0.10 sport=40000 dst=10.3.0.10 dport=22 rule=hard-invariant action=killed bypass=yes src_label=J");
	/* its queued event, or the next sweep: said once */
	ct_judge(&z, ct, true);
	ck_assert_int_eq(n_deletes, 1);
	ck_assert_int_eq(n_lines, 1);
	ck_assert_uint_eq(stats_total(z.stats, STAT_KILLED), 1);
	ct_destroyed(&z, ct);
	ck_assert_ptr_null(ct_entry_find(z.ct, 7));
	ck_assert_int_eq(n_lines, 1);
	nfct_destroy(ct);
}
END_TEST

/* An entry without its original addresses (found by fuzz_ctevent). */
START_TEST(test_ctwatch_entry_without_addresses)
{
	struct nf_conntrack *ct = nfct_new();

	ck_assert_ptr_nonnull(ct);
	nfct_set_attr_u8(ct, ATTR_ORIG_L3PROTO, AF_INET6);
	nfct_set_attr_u8(ct, ATTR_ORIG_L4PROTO, IPPROTO_TCP);
	nfct_set_attr_u32(ct, ATTR_ID, 9);
	ct_judge(&z, ct, false);
	ct_destroyed(&z, ct);
	nfct_set_attr_u8(ct, ATTR_ORIG_L3PROTO, AF_INET);
	ct_judge(&z, ct, false);
	ck_assert_int_eq(n_lines, 0);
	ck_assert_int_eq(n_deletes, 0);
	nfct_destroy(ct);
}
END_TEST

START_TEST(test_ctwatch_marked_flow_is_no_bypass)
{
	struct nf_conntrack *ct = flow("10.2.0.10", 40000, "10.3.0.10", 80,
				       NULL, 8, MARK_RULE);

	ct_judge(&z, ct, false);
	ck_assert_int_eq(n_lines, 1);
	ck_assert_ptr_nonnull(strstr(lines[0], " rule=split-path "));
	ck_assert_ptr_null(strstr(lines[0], "bypass"));
	nfct_destroy(ct);
}
END_TEST

START_TEST(test_ctwatch_failed_delete_is_reported)
{
	struct nf_conntrack *ct = flow("10.1.0.10", 40000, "10.3.0.10", 22,
				       NULL, 9, 0);

	delete_errno = EPERM;
	ct_judge(&z, ct, false);
	ck_assert_int_eq(n_lines, 1);
	ck_assert_ptr_nonnull(strstr(lines[0], " action=reported"));
	ck_assert_uint_eq(stats_total(z.stats, STAT_KILLED), 0);
	nfct_destroy(ct);
}
END_TEST

START_TEST(test_ctwatch_monitor_reports_then_enforce_kills)
{
	struct nf_conntrack *ct = flow("10.1.0.10", 40000, "10.3.0.10", 22,
				       NULL, 10, MARK_RULE);

	use_model("monitor");
	ct_judge(&z, ct, false);
	ct_judge(&z, ct, true);
	ck_assert_int_eq(n_deletes, 0);
	ck_assert_int_eq(n_lines, 1);
	ck_assert_ptr_nonnull(strstr(lines[0], " action=reported"));
	use_model("enforce");
	ct_judge(&z, ct, true);
	ck_assert_int_eq(n_deletes, 1);
	ck_assert_int_eq(n_lines, 2);
	ck_assert_ptr_nonnull(strstr(lines[1], " action=killed"));
	nfct_destroy(ct);
}
END_TEST

START_TEST(test_ctwatch_dnat_judged_by_real_destination)
{
	/* to the gateway's address, forwarded to a naibu host: judged */
	struct nf_conntrack *ct = flow("10.1.0.10", 40000, "10.3.0.1", 8080,
				       "10.3.0.10", 11, 0);

	ct_judge(&z, ct, false);
	ck_assert_int_eq(n_lines, 1);
	ck_assert_ptr_nonnull(strstr(lines[0], " dst=10.3.0.10 dport=8080 "));
	nfct_destroy(ct);
}
END_TEST

/*
 * The gateway's own flows are judged by the gateway block: a management
 * or outbound rule admits them, anything else is a violation naming the
 * gateway; multicast and flows inside a zone are nobody's business.
 */
START_TEST(test_ctwatch_judges_gateway_flows)
{
	struct nf_conntrack *to_gw = flow("10.1.0.10", 40000, "10.3.0.1", 22,
					  NULL, 12, 0);
	struct nf_conntrack *mdns = flow("10.1.0.10", 5353, "224.0.0.251",
					 5353, NULL, 13, 0);
	struct nf_conntrack *intra = flow("10.1.0.10", 40000, "10.1.0.20",
					  22, NULL, 14, 0);
	struct nf_conntrack *mgmt = flow("10.2.0.5", 40000, "10.3.0.1", 22,
					 NULL, 15, 0);
	struct nf_conntrack *out_ok = flow("10.3.0.1", 40000, "10.2.0.50",
					   8080, NULL, 16, 0);
	struct nf_conntrack *out_bad = flow("10.3.0.1", 40000, "10.2.0.51",
					    8080, NULL, 17, 0);

	ct_judge(&z, mdns, false);
	ct_judge(&z, intra, false);
	ct_judge(&z, mgmt, false);
	ct_judge(&z, out_ok, false);
	ck_assert_int_eq(n_lines, 0);
	ck_assert_int_eq(n_deletes, 0);
	ct_judge(&z, to_gw, false);
	ck_assert_int_eq(n_lines, 1);
	ck_assert_ptr_nonnull(strstr(lines[0], "violation src_zone=jumin "
					       "dst_zone=gateway "));
	ck_assert_ptr_nonnull(strstr(lines[0], " rule=gateway "));
	ct_judge(&z, out_bad, false);
	ck_assert_int_eq(n_lines, 2);
	ck_assert_ptr_nonnull(strstr(lines[1], "violation src_zone=gateway "
					       "dst_zone=lgwan "));
	nfct_destroy(to_gw);
	nfct_destroy(mdns);
	nfct_destroy(intra);
	nfct_destroy(mgmt);
	nfct_destroy(out_ok);
	nfct_destroy(out_bad);
}
END_TEST

START_TEST(test_ctwatch_channel_start_and_end)
{
	struct nf_conntrack *ct = flow("10.3.0.25", 40000, "10.2.0.25", 25,
				       NULL, 15, 0);

	ct_judge(&z, ct, false);
	ct_judge(&z, ct, true);
	ck_assert_int_eq(n_lines, 1);
	ck_assert_str_eq(lines[0],
		"flow-start channel=mail proto=tcp src=10.3.0.25 sport=40000 dst=10.2.0.25 dport=25 src_zone=naibu dst_zone=lgwan");
	ct = with_counters(ct, 10, 1000, 8, 500);
	ct_destroyed(&z, ct);
	ck_assert_int_eq(n_lines, 2);
	ck_assert_str_eq(lines[1],
		"flow-end channel=mail proto=tcp src=10.3.0.25 sport=40000 dst=10.2.0.25 dport=25 packets=18 bytes=1500 src_zone=naibu dst_zone=lgwan");
	ck_assert_ptr_null(ct_entry_find(z.ct, 15));
	nfct_destroy(ct);
}
END_TEST

START_TEST(test_ctwatch_channel_removed_by_reload)
{
	struct nf_conntrack *ct = flow("10.3.0.25", 40000, "10.2.0.25", 25,
				       NULL, 16, 0);
	struct zone_model *m;

	ct_judge(&z, ct, false);
	/* the same zones without the channel */
	m = z.model;
	z.model = load("enforce", false);
	ct_judge(&z, ct, true);
	ck_assert_int_eq(n_lines, 2);
	ck_assert_ptr_nonnull(strstr(lines[1], "violation src_zone=naibu dst_zone=lgwan "));
	ck_assert_ptr_nonnull(strstr(lines[1], " rule=split-path action=killed"));
	/* the channel flow still gets its flow-end, under its name */
	ct_destroyed(&z, ct);
	ck_assert_int_eq(n_lines, 3);
	ck_assert_ptr_nonnull(strstr(lines[2], "flow-end channel=mail "));
	zone_model_free(m);
	nfct_destroy(ct);
}
END_TEST

START_TEST(test_ctwatch_sweep_forgets_vanished_flows)
{
	struct nf_conntrack *a = flow("10.3.0.25", 40000, "10.2.0.25", 25,
				      NULL, 17, 0);
	struct nf_conntrack *b = flow("10.3.0.25", 40001, "10.2.0.25", 25,
				      NULL, 18, 0);

	ct_judge(&z, a, false);
	ct_judge(&z, b, false);
	ck_assert_uint_eq(z.ct->n_entries, 2);
	/* a sweep sees only b: a's DESTROY was lost */
	z.ct->gen++;
	ct_judge(&z, b, true);
	ct_entries_prune(z.ct, z.ct->gen);
	ck_assert_ptr_null(ct_entry_find(z.ct, 17));
	ck_assert_ptr_nonnull(ct_entry_find(z.ct, 18));
	ck_assert_int_eq(n_lines, 2);
	nfct_destroy(a);
	nfct_destroy(b);
}
END_TEST

/* @ct as a UDP flow */
static struct nf_conntrack *udp(struct nf_conntrack *ct)
{
	nfct_set_attr_u8(ct, ATTR_ORIG_L4PROTO, IPPROTO_UDP);
	nfct_set_attr_u8(ct, ATTR_REPL_L4PROTO, IPPROTO_UDP);
	return ct;
}

/*
 * Entries conntrackd commits at failover arrive as new flows with the
 * master's tag.  The tag never decides: a replicated flow the running
 * policy allows is no violation (a channel's still starts as that
 * channel), one it forbids is cut however its tag claims it was let in,
 * and the alert says what the tag claimed.
 */
START_TEST(test_ctwatch_replicated_flows)
{
	const struct zone_channel *mail =
		zone_model_channel_by_name(z.model, "mail");
	uint32_t chan = ZONE_MARK_MAGIC | ZONE_MARK_T_CHANNEL |
			zone_channel_tag(mail);
	/* lgwan -> lgwan-wan under the peer's rule; naibu -> lgwan by mail */
	struct nf_conntrack *ok = flow("10.3.0.25", 40000, "10.2.0.25", 25,
				       NULL, 30, chan);
	struct nf_conntrack *intra = flow("10.2.0.10", 40000, "10.2.0.20", 80,
					  NULL, 31, MARK_RULE);
	/* the peer's channel, from a host this policy's channel lacks */
	struct nf_conntrack *wider = flow("10.3.0.26", 40000, "10.2.0.25", 25,
					  NULL, 32, chan);
	/* a rule of the peer's policy, a cell this one denies */
	struct nf_conntrack *rule = flow("10.2.0.10", 40000, "10.3.0.10", 80,
					 NULL, 33,
					 MARK_RULE | ZONE_RULE_LGWAN_WAN << 16);

	ct_judge(&z, ok, false);
	ct_judge(&z, intra, false);
	ck_assert_int_eq(n_deletes, 0);
	ck_assert_int_eq(n_lines, 1);
	ck_assert_ptr_nonnull(strstr(lines[0], "flow-start channel=mail "));
	ct_judge(&z, wider, false);
	ck_assert_int_eq(n_deletes, 1);
	ck_assert_int_eq(n_lines, 2);
	ck_assert_ptr_nonnull(strstr(lines[1], "violation src_zone=naibu "));
	ck_assert_ptr_nonnull(strstr(lines[1], " action=killed tag=channel:mail"));
	ck_assert_ptr_null(strstr(lines[1], "bypass"));
	ct_judge(&z, rule, false);
	ck_assert_int_eq(n_deletes, 2);
	ck_assert_ptr_nonnull(strstr(lines[2], " rule=split-path action=killed tag=rule:lgwan-wan"));
	nfct_destroy(ok);
	nfct_destroy(intra);
	nfct_destroy(wider);
	nfct_destroy(rule);
}
END_TEST

/*
 * gateway.ha: the pair's own conntrackd and zoned traffic on the sync
 * link is no violation; the same ports from another host, or another
 * service of the peer's, are.
 */
START_TEST(test_ctwatch_ha_sync_flows)
{
	struct zone_diag *diag = zone_diag_new();
	char text[4096];
	char *end;
	struct nf_conntrack *sync_in = udp(flow("10.255.0.2", 3780,
						"10.255.0.1", 3780, NULL, 40, 0));
	struct nf_conntrack *hash_out = udp(flow("10.255.0.1", 40000,
						 "10.255.0.2", 3781, NULL, 41,
						 0));
	struct nf_conntrack *other = udp(flow("10.255.0.3", 3780,
					      "10.255.0.1", 3780, NULL, 42, 0));
	struct nf_conntrack *ssh = flow("10.255.0.2", 40000, "10.255.0.1", 22,
					NULL, 43, 0);

	snprintf(text, sizeof(text), conf_fmt, "enforce", "");
	end = strstr(text, "};\n");
	ck_assert_ptr_nonnull(end);
	memmove(end + 80, end, strlen(end) + 1);
	memcpy(end, "ha = { interface = \"sync0\"; peer = \"10.255.0.2\"; "
		    "key_file = \"/k\"; };                   ", 80);
	zone_model_free(z.model);
	z.model = NULL;
	ck_assert_int_eq(zone_conf_load_string(text, "ha.conf", diag, &z.model),
			 0);
	zone_diag_free(diag);
	zone_addr_parse("10.255.0.1", z.ct->local);
	ct_judge(&z, sync_in, false);
	ct_judge(&z, hash_out, false);
	ck_assert_int_eq(n_lines, 0);
	ck_assert_int_eq(n_deletes, 0);
	ct_judge(&z, other, false);
	ct_judge(&z, ssh, false);
	ck_assert_int_eq(n_lines, 2);
	ck_assert_int_eq(n_deletes, 2);
	ck_assert_ptr_nonnull(strstr(lines[0], "dst_zone=gateway proto=udp src=10.255.0.3 "));
	ck_assert_ptr_nonnull(strstr(lines[1], "dst_zone=gateway proto=tcp src=10.255.0.2 "));
	nfct_destroy(sync_in);
	nfct_destroy(hash_out);
	nfct_destroy(other);
	nfct_destroy(ssh);
}
END_TEST

static Suite *ctwatch_suite(void)
{
	Suite *s = suite_create("ctwatch");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ctwatch_enforce_kills_once);
	tcase_add_test(tc, test_ctwatch_marked_flow_is_no_bypass);
	tcase_add_test(tc, test_ctwatch_failed_delete_is_reported);
	tcase_add_test(tc, test_ctwatch_monitor_reports_then_enforce_kills);
	tcase_add_test(tc, test_ctwatch_dnat_judged_by_real_destination);
	tcase_add_test(tc, test_ctwatch_judges_gateway_flows);
	tcase_add_test(tc, test_ctwatch_channel_start_and_end);
	tcase_add_test(tc, test_ctwatch_channel_removed_by_reload);
	tcase_add_test(tc, test_ctwatch_sweep_forgets_vanished_flows);
	tcase_add_test(tc, test_ctwatch_entry_without_addresses);
	tcase_add_test(tc, test_ctwatch_replicated_flows);
	tcase_add_test(tc, test_ctwatch_ha_sync_flows);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ctwatch_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
