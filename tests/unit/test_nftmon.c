/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the nftables monitor (daemon/nftmon.c): notifications as
 * the kernel multicasts them, built with libnftnl, go through its message
 * callback; the drift alerts, the repairs asked of zoned_reapply() and the
 * list of foreign forward hooks are checked.  nftmon.o comes from the
 * daemon archive; the loop, the log and the alerts from fake_daemon.o, and
 * the nftables session from fake_nft.o, and the reapply is stubbed below.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <zone/diag.h>
#include <zone/ruleset.h>

#include "../../daemon/nftmon_int.h"
#include "../../daemon/reload.h"
#include "../../daemon/stats.h"
#include "../../daemon/ctwatch.h"
#include "../../daemon/nftmon.h"
#include "../../daemon/zoned.h"

/* --- stubs --------------------------------------------------------------- */

static int n_reapply;
static int reapply_ret;

int zoned_reapply(struct zoned *z, const char *why)
{
	(void)z;
	ck_assert_str_eq(why, "drift");
	n_reapply++;
	return reapply_ret;
}

int zoned_reapply_nosweep(struct zoned *z, const char *why)
{
	return zoned_reapply(z, why);
}

int ctwatch_sweep(struct zoned *z)
{
	(void)z;
	return 0;
}

#include "fake_daemon.h"
#include "fake_nft.h"

/* --- fixture ------------------------------------------------------------- */

static struct zoned z;
static struct zone_nft nft;

static void setup(void)
{
	memset(&z, 0, sizeof(z));
	z.nft = &nft;
	z.stats = stats_new();
	z.alerts = (struct alerts *)&z;	/* only the stub sees it */
	z.mon = calloc(1, sizeof(*z.mon));
	ck_assert_ptr_nonnull(z.mon);
	n_lines = 0;
	n_reapply = 0;
	reapply_ret = 0;
}

static void teardown(void)
{
	free(z.mon);
	stats_free(z.stats);
	fake_alerts_clear();
}

static char buf[8192];

static void deliver(struct nlmsghdr *nlh, uint32_t pid)
{
	nlh->nlmsg_pid = pid;
	ck_assert_int_eq(mon_msg_cb(nlh, &z), MNL_CB_OK);
}

static void table_msg(int type, int family, const char *table, uint32_t pid)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
	nlh = nftnl_table_nlmsg_build_hdr(buf, type, family, 0, 1);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	deliver(nlh, pid);
}

static void rule_msg(int type, int family, const char *table, uint32_t pid)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, "forward");
	nlh = nftnl_rule_nlmsg_build_hdr(buf, type, family, 0, 1);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	deliver(nlh, pid);
}

static void chain_msg(int type, int family, const char *table,
		      const char *chain, int hook, int prio, uint32_t pid)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, chain);
	if (hook >= 0) {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, (uint32_t)hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	}
	nlh = nftnl_chain_nlmsg_build_hdr(buf, type, family, 0, 1);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	deliver(nlh, pid);
}

static void newgen_id(uint32_t id, uint32_t pid, const char *comm)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NFTA_GEN_ID, htonl(id));
	mnl_attr_put_u32(nlh, NFTA_GEN_PROC_PID, htonl(pid));
	mnl_attr_put_strz(nlh, NFTA_GEN_PROC_NAME, comm);
	deliver(nlh, 0);
}

static void newgen(uint32_t pid, const char *comm)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NFTA_GEN_ID, htonl(7));
	mnl_attr_put_u32(nlh, NFTA_GEN_PROC_PID, htonl(pid));
	mnl_attr_put_strz(nlh, NFTA_GEN_PROC_NAME, comm);
	deliver(nlh, 0);
}

/* --- tests --------------------------------------------------------------- */

START_TEST(test_nftmon_foreign_rule_is_drift)
{
	rule_msg(NFT_MSG_NEWRULE, NFPROTO_INET, "zoned", 999);
	ck_assert_int_eq(n_reapply, 0);	/* not before the transaction ends */
	newgen(321, "nft");
	ck_assert_int_eq(n_reapply, 1);
	ck_assert_int_eq(n_lines, 1);
	ck_assert_str_eq(lines[0],
		"drift table=inet/zoned change=new-rule action=restored pid=321 comm=nft");
	ck_assert_uint_eq(stats_total(z.stats, STAT_DRIFT), 1);
	/* the next generation, our own repair, is quiet */
	rule_msg(NFT_MSG_NEWRULE, NFPROTO_INET, "zoned", FAKE_NFT_PORTID);
	newgen(1, "zoned");
	ck_assert_int_eq(n_reapply, 1);
	ck_assert_int_eq(n_lines, 1);
}
END_TEST

/*
 * Read while zoned applies (nftmon_quiet_begin drains the socket): the
 * repair waits for the loop, with what the alert will say kept.
 */
START_TEST(test_nftmon_quiet_defers_drift)
{
	z.mon->quiet = true;
	rule_msg(NFT_MSG_NEWRULE, NFPROTO_INET, "zoned", 999);
	newgen(321, "nft");
	ck_assert_int_eq(n_reapply, 0);
	ck_assert_int_eq(n_lines, 0);
	ck_assert(z.mon->deferred);
	ck_assert_str_eq(z.mon->deferred_change, "new-rule");
	ck_assert_uint_eq(z.mon->deferred_pid, 321);
	ck_assert_str_eq(z.mon->deferred_comm, "nft");
	ck_assert(!z.mon->pending);
}
END_TEST

/* NEWGEN moves the generation read so far forward, never back. */
START_TEST(test_nftmon_newgen_tracks_generation)
{
	newgen_id(10, 1, "nft");
	ck_assert(!z.mon->gen_known);	/* unknown stays unknown */
	z.mon->gen_known = true;
	z.mon->gen = 10;
	newgen_id(11, 1, "nft");
	ck_assert_uint_eq(z.mon->gen, 11);
	newgen_id(9, 1, "nft");
	ck_assert_uint_eq(z.mon->gen, 11);
	z.mon->gen = 0xffffffffu;
	newgen_id(1, 1, "nft");	/* the kernel skips 0 when it wraps */
	ck_assert_uint_eq(z.mon->gen, 1);
}
END_TEST

START_TEST(test_nftmon_ignores_ours_and_others)
{
	rule_msg(NFT_MSG_NEWRULE, NFPROTO_INET, "zoned", FAKE_NFT_PORTID);
	rule_msg(NFT_MSG_DELRULE, NFPROTO_INET, "zoned", 0);
	rule_msg(NFT_MSG_NEWRULE, NFPROTO_INET, "filter", 999);
	rule_msg(NFT_MSG_NEWRULE, NFPROTO_IPV4, "zoned", 999);
	newgen(5, "nft");
	ck_assert_int_eq(n_reapply, 0);
	ck_assert_int_eq(n_lines, 0);
}
END_TEST

START_TEST(test_nftmon_one_repair_per_transaction)
{
	/* nft delete table: contents first, the table last */
	rule_msg(NFT_MSG_DELRULE, NFPROTO_INET, "zoned", 999);
	rule_msg(NFT_MSG_DELRULE, NFPROTO_INET, "zoned", 999);
	chain_msg(NFT_MSG_DELCHAIN, NFPROTO_INET, "zoned", "forward", -1, 0,
		  999);
	table_msg(NFT_MSG_DELTABLE, NFPROTO_INET, "zoned", 999);
	newgen(77, "nft");
	ck_assert_int_eq(n_reapply, 1);
	ck_assert_int_eq(n_lines, 1);
	ck_assert_ptr_nonnull(strstr(lines[0], " change=delete-table "));
}
END_TEST

START_TEST(test_nftmon_failed_repair_said)
{
	reapply_ret = -EPERM;
	table_msg(NFT_MSG_DELTABLE, NFPROTO_INET, "zoned", 999);
	newgen(77, "nft");
	ck_assert_int_eq(n_lines, 1);
	ck_assert_ptr_nonnull(strstr(lines[0], " action=restore-failed "));
}
END_TEST

START_TEST(test_nftmon_foreign_forward_hooks)
{
	const struct nftmon_hook *h;
	size_t n;

	chain_msg(NFT_MSG_NEWCHAIN, NFPROTO_IPV4, "other", "early",
		  NF_INET_FORWARD, -300, 999);
	chain_msg(NFT_MSG_NEWCHAIN, NFPROTO_INET, "other6", "in",
		  NF_INET_LOCAL_IN, 0, 999);
	chain_msg(NFT_MSG_NEWCHAIN, NFPROTO_INET, "other6", "plain", -1, 0,
		  999);
	chain_msg(NFT_MSG_NEWCHAIN, NFPROTO_INET, "other6", "fwd",
		  NF_INET_FORWARD, 10, 999);
	newgen(1, "nft");
	h = nftmon_foreign_hooks(&z, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(h[0].family, "ip");
	ck_assert_str_eq(h[0].table, "other");
	ck_assert_str_eq(h[0].chain, "early");
	ck_assert_int_eq(h[0].priority, -300);
	ck_assert_str_eq(h[1].table, "other6");
	/* not drift: another table's business */
	ck_assert_int_eq(n_lines, 0);
	chain_msg(NFT_MSG_DELCHAIN, NFPROTO_INET, "other6", "fwd", -1, 0, 999);
	table_msg(NFT_MSG_DELTABLE, NFPROTO_IPV4, "other", 999);
	newgen(1, "nft");
	h = nftmon_foreign_hooks(&z, &n);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(h);
}
END_TEST

static Suite *nftmon_suite(void)
{
	Suite *s = suite_create("nftmon");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_nftmon_foreign_rule_is_drift);
	tcase_add_test(tc, test_nftmon_ignores_ours_and_others);
	tcase_add_test(tc, test_nftmon_quiet_defers_drift);
	tcase_add_test(tc, test_nftmon_newgen_tracks_generation);
	tcase_add_test(tc, test_nftmon_one_repair_per_transaction);
	tcase_add_test(tc, test_nftmon_failed_repair_said);
	tcase_add_test(tc, test_nftmon_foreign_forward_hooks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(nftmon_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
