/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Alert lines (quoting, escaping, UTF-8), journal fields and the rate
 * budget; the end-to-end cases read real datagrams from a socket standing
 * in for the journal's.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <check.h>

#include "../../daemon/alert.h"
#include "../../daemon/alert_agg.h"
#include "../../daemon/alert_fmt.h"

static char line[ALERT_LINE_MAX];

static const char *value(const char *v)
{
	static char buf[512];

	alert_format_value(buf, sizeof(buf), v);
	return buf;
}

START_TEST(test_alert_line_plain)
{
	struct alert_pair p[] = {
		{ "src_zone", "jumin" },      { "dst_zone", "naibu" },
		{ "proto", "tcp" },	      { "src", "10.1.0.5" },
		{ "dst", "10.3.0.9" },	      { "dport", "443" },
		{ "rule", "hard-invariant" }, { "count", "3" },
	};
	size_t n;

	n = alert_format_line(line, sizeof(line), ALERT_DENY, p, 8);
	ck_assert_str_eq(line, "deny src_zone=jumin dst_zone=naibu proto=tcp "
			       "src=10.1.0.5 dst=10.3.0.9 dport=443 "
			       "rule=hard-invariant count=3");
	ck_assert_uint_eq(n, strlen(line));
}
END_TEST

START_TEST(test_alert_value_quoting)
{
	ck_assert_str_eq(value("plain"), "plain");
	ck_assert_str_eq(value("fd00:1::/48"), "fd00:1::/48");
	ck_assert_str_eq(value(""), "\"\"");
	ck_assert_str_eq(value("CISO 2026-014"), "\"CISO 2026-014\"");
	ck_assert_str_eq(value("a=b"), "\"a=b\"");
	ck_assert_str_eq(value("say \"hi\""), "\"say \\\"hi\\\"\"");
	ck_assert_str_eq(value("back\\slash"), "\"back\\\\slash\"");
}
END_TEST

START_TEST(test_alert_value_control_chars)
{
	/* A forged value must never start a new log line or field. */
	ck_assert_str_eq(value("a\nb"), "\"a\\nb\"");
	ck_assert_str_eq(value("a\rb\tc"), "\"a\\rb\\tc\"");
	ck_assert_str_eq(value("x\001y"), "\"x\\x01y\"");
	ck_assert_str_eq(value("del\177"), "\"del\\x7f\"");
	ck_assert_str_eq(value("fake\n policy result=applied"),
			 "\"fake\\n policy result=applied\"");
	/* nor reorder what the line shows */
	ck_assert_str_eq(value("rlo\xe2\x80\xae"), "\"rlo\\xe2\\x80\\xae\"");
	ck_assert_str_eq(value("lri\xe2\x81\xa6"), "\"lri\\xe2\\x81\\xa6\"");
}
END_TEST

START_TEST(test_alert_value_utf8)
{
	/* Labels in Japanese stay readable, unquoted unless they need it. */
	ck_assert_str_eq(value("住民情報系"), "住民情報系");
	ck_assert_str_eq(value("無害化 メール"), "\"無害化 メール\"");
	/* Invalid UTF-8, overlong forms, surrogates and C1 controls. */
	ck_assert_str_eq(value("\xff"), "\"\\xff\"");
	ck_assert_str_eq(value("\xc0\xaf"), "\"\\xc0\\xaf\"");
	ck_assert_str_eq(value("\xed\xa0\x80"), "\"\\xed\\xa0\\x80\"");
	ck_assert_str_eq(value("a\xc2\x85"), "\"a\\xc2\\x85\"");
	ck_assert_str_eq(value("\xe4\xbd"), "\"\\xe4\\xbd\"");
	ck_assert_str_eq(value("é"), "é");
}
END_TEST

START_TEST(test_alert_line_policy_result)
{
	struct alert_pair ok[] = { { "hash", "ab12" }, { "file", "/x.conf" } };
	struct alert_pair bad[] = {
		{ "file", "/x.conf" },
		{ "error", "/x.conf:7: unknown zone \"foo\"" },
	};

	alert_format_line(line, sizeof(line), ALERT_POLICY_APPLIED, ok, 2);
	ck_assert_str_eq(line, "policy result=applied hash=ab12 file=/x.conf");
	alert_format_line(line, sizeof(line), ALERT_POLICY_REJECTED, bad, 2);
	ck_assert_str_eq(line, "policy result=rejected file=/x.conf "
			       "error=\"/x.conf:7: unknown zone \\\"foo\\\"\"");
}
END_TEST

START_TEST(test_alert_line_null_value_left_out)
{
	struct alert_pair p[] = { { "channel", "mail" },
				  { "expires", NULL },
				  { "reason", "x" } };

	alert_format_line(line, sizeof(line), ALERT_CHANNEL_EXPIRED, p, 3);
	ck_assert_str_eq(line, "channel-expired channel=mail reason=x");
}
END_TEST

START_TEST(test_alert_line_truncated)
{
	static char big[3000];
	struct alert_pair p[] = { { "target", "10.1.0.1" },
				  { "reason", big },
				  { "after", "x" } };
	size_t n;

	memset(big, 'a', sizeof(big) - 1);
	n = alert_format_line(line, sizeof(line), ALERT_ISOLATE, p, 3);
	ck_assert_uint_eq(n, strlen(line));
	ck_assert_uint_lt(n, ALERT_LINE_MAX);
	ck_assert_str_eq(line, "isolate target=10.1.0.1 truncated=yes");
}
END_TEST

START_TEST(test_alert_priorities)
{
	ck_assert_int_eq(alert_event_priority(ALERT_DENY), LOG_WARNING);
	ck_assert_int_eq(alert_event_priority(ALERT_VIOLATION), LOG_ALERT);
	ck_assert_int_eq(alert_event_priority(ALERT_SPOOF), LOG_ALERT);
	ck_assert_int_eq(alert_event_priority(ALERT_FLOW_START), LOG_INFO);
	ck_assert_int_eq(alert_event_priority(ALERT_FLOW_END), LOG_INFO);
	ck_assert_int_eq(alert_event_priority(ALERT_DRIFT), LOG_CRIT);
	ck_assert_int_eq(alert_event_priority(ALERT_POLICY_APPLIED),
			 LOG_NOTICE);
	ck_assert_int_eq(alert_event_priority(ALERT_POLICY_REJECTED), LOG_ERR);
	ck_assert_int_eq(alert_event_priority(ALERT_ISOLATE), LOG_ALERT);
	ck_assert_int_eq(alert_event_priority(ALERT_RELEASE), LOG_NOTICE);
	ck_assert_int_eq(alert_event_priority(ALERT_CHANNEL_EXPIRED),
			 LOG_NOTICE);
	ck_assert_int_eq(alert_event_priority(ALERT_EVENTS_LOST), LOG_CRIT);
	ck_assert_int_eq(alert_event_priority(ALERT_CLOCK), LOG_CRIT);
	ck_assert_str_eq(alert_event_name(ALERT_CLOCK), "clock");
	ck_assert_str_eq(alert_event_name(ALERT_FLOW_END), "flow-end");
	ck_assert_str_eq(alert_event_name(ALERT_EVENTS_LOST), "events-lost");
}
END_TEST

START_TEST(test_alert_journal_fields)
{
	struct alert_pair p[] = { { "src_zone", "jumin" },
				  { "src_label", "住民情報系" },
				  { "note", "two\nlines" } };
	static const char bin[] = "ZONED_NOTE\n\x09\0\0\0\0\0\0\0two\nlines\n";
	char buf[2048];
	size_t n;

	n = alert_format_journal(buf, sizeof(buf), "violation src_zone=jumin",
				 LOG_ALERT, LOG_AUTHPRIV, "violation", p, 3);
	ck_assert_uint_gt(n, 0);
	ck_assert_ptr_nonnull(
		memmem(buf, n, "MESSAGE=violation src_zone=jumin\n", 33));
	ck_assert_ptr_nonnull(memmem(buf, n, "PRIORITY=1\n", 11));
	ck_assert_ptr_nonnull(memmem(buf, n, "SYSLOG_FACILITY=10\n", 19));
	ck_assert_ptr_nonnull(memmem(buf, n, "SYSLOG_IDENTIFIER=zoned\n", 24));
	ck_assert_ptr_nonnull(memmem(buf, n, "ZONED_EVENT=violation\n", 22));
	ck_assert_ptr_nonnull(memmem(buf, n, "ZONED_SRC_ZONE=jumin\n", 21));
	ck_assert_ptr_nonnull(memmem(buf, n, "ZONED_SRC_LABEL=住民情報系\n",
				     strlen("ZONED_SRC_LABEL=住民情報系\n")));
	/* A newline in a value takes the binary form: name, LE64 size. */
	ck_assert_ptr_nonnull(memmem(buf, n, bin, sizeof(bin) - 1));
	ck_assert_uint_eq(alert_format_journal(buf, 16, "x", 1, 0, "x", p, 3),
			  0);
}
END_TEST

START_TEST(test_alert_budget_burst_and_rate)
{
	struct alert_budget b;
	uint64_t t = 5000000000ull;
	int i;

	alert_budget_init(&b, 100, 200, t);
	for (i = 0; i < 200; i++)
		ck_assert(alert_budget_take(&b, t));
	ck_assert(!alert_budget_take(&b, t));
	/* 10 ms at 100/s earns exactly one line. */
	ck_assert(alert_budget_take(&b, t + 10000000ull));
	ck_assert(!alert_budget_take(&b, t + 10000000ull));
	/* One second earns 100 more, not more. */
	t += 1010000000ull;
	for (i = 0; i < 100; i++)
		ck_assert(alert_budget_take(&b, t));
	ck_assert(!alert_budget_take(&b, t));
	/* A long quiet spell refills to the burst, never beyond. */
	t += 3600ull * 1000000000ull;
	for (i = 0; i < 200; i++)
		ck_assert(alert_budget_take(&b, t));
	ck_assert(!alert_budget_take(&b, t));
}
END_TEST

/* A datagram socket standing in for /run/systemd/journal/socket. */
static int journal_listen(char *path, size_t size)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	snprintf(path, size, "/tmp/zoned-test-journal.%d", (int)getpid());
	unlink(path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	strcpy(sun.sun_path, path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static ssize_t recv_dgram(int fd, char *buf, size_t size)
{
	ssize_t n = recv(fd, buf, size - 1, MSG_DONTWAIT);

	if (n >= 0)
		buf[n] = '\0';
	return n;
}

START_TEST(test_alert_classes_have_their_own_budget)
{
	static const enum alert_event protected[] = {
		ALERT_VIOLATION, ALERT_SPOOF, ALERT_DRIFT,
		ALERT_POLICY_APPLIED, ALERT_POLICY_REJECTED, ALERT_CLOCK,
	};
	size_t i;

	ck_assert_int_eq(alert_event_class(ALERT_DENY), ALERT_CLASS_DENY);
	ck_assert_int_eq(alert_event_class(ALERT_FLOW_START), ALERT_CLASS_FLOW);
	ck_assert_int_eq(alert_event_class(ALERT_FLOW_END), ALERT_CLASS_FLOW);
	ck_assert(alert_class_aggregates(ALERT_CLASS_DENY));
	ck_assert(alert_class_aggregates(ALERT_CLASS_FLOW));
	for (i = 0; i < sizeof(protected) / sizeof(protected[0]); i++) {
		enum alert_class c = alert_event_class(protected[i]);

		ck_assert_int_ne(c, ALERT_CLASS_DENY);
		ck_assert_int_ne(c, ALERT_CLASS_FLOW);
		ck_assert(!alert_class_aggregates(c));
	}
	ck_assert_int_ne(alert_event_class(ALERT_VIOLATION),
			 alert_event_class(ALERT_SPOOF));
	ck_assert_int_ne(alert_event_class(ALERT_DRIFT),
			 alert_event_class(ALERT_CLOCK));
	ck_assert_int_ne(alert_event_class(ALERT_POLICY_APPLIED),
			 alert_event_class(ALERT_DRIFT));
	ck_assert_int_eq(alert_event_class(ALERT_POLICY_APPLIED),
			 alert_event_class(ALERT_POLICY_REJECTED));
	ck_assert_str_eq(alert_event_name(ALERT_CLOCK), "clock");
}
END_TEST

START_TEST(test_alert_emit_to_journal)
{
	char path[108];
	char buf[8192];
	struct alerts *a;
	ssize_t n;
	int fd;

	fd = journal_listen(path, sizeof(path));
	a = alerts_new(LOG_AUTHPRIV);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(alerts_set_journal_path(a, path), 0);
	alert_emit(a, ALERT_VIOLATION, "src_zone", "jumin", "dst_zone",
		   "internet", "proto", "tcp", "src", "10.1.0.5", "sport",
		   "40000", "dst", "198.51.100.7", "dport", "443", "rule",
		   "hard-invariant", "action", "killed", "src_label", NULL,
		   NULL);
	n = recv_dgram(fd, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_ptr_nonnull(strstr(buf,
				     "MESSAGE=violation src_zone=jumin "
				     "dst_zone=internet proto=tcp "
				     "src=10.1.0.5 sport=40000 "
				     "dst=198.51.100.7 dport=443 "
				     "rule=hard-invariant action=killed\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nPRIORITY=1\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nSYSLOG_FACILITY=10\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nZONED_ACTION=killed\n"));
	ck_assert_ptr_null(strstr(buf, "ZONED_SRC_LABEL"));

	/* The facility follows the config; policy carries ZONED_RESULT. */
	alerts_set_facility(a, LOG_LOCAL3);
	alert_emit(a, ALERT_POLICY_APPLIED, "hash", "0123abcd", NULL);
	n = recv_dgram(fd, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_ptr_nonnull(strstr(buf, "MESSAGE=policy result=applied "
					  "hash=0123abcd\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nPRIORITY=5\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nSYSLOG_FACILITY=19\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nZONED_RESULT=applied\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nZONED_EVENT=policy\n"));
	alerts_free(a);
	close(fd);
	unlink(path);
}
END_TEST

START_TEST(test_alert_storm_is_summarised)
{
	struct alerts_stats st;
	char want[64];
	char path[108];
	char buf[8192];
	struct alerts *a;
	int got = 0;
	int i;
	int fd;

	fd = journal_listen(path, sizeof(path));
	a = alerts_new(LOG_AUTHPRIV);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(alerts_set_journal_path(a, path), 0);
	for (i = 0; i < ALERT_BURST + 50; i++) {
		alert_emit(a, ALERT_VIOLATION, "src", "10.3.0.9", NULL);
		/* Drain as we go: the socket queues only a few datagrams. */
		while (recv_dgram(fd, buf, sizeof(buf)) > 0)
			got++;
	}
	/*
	 * The burst goes out, the rest is suppressed; a slow (sanitizer)
	 * run may earn a few tokens back meanwhile, at 100 a second.
	 */
	alerts_get_stats(a, &st);
	ck_assert_uint_ge(st.sent, ALERT_BURST);
	ck_assert_uint_le(st.sent, ALERT_BURST + 10);
	ck_assert_uint_eq(st.sent + st.suppressed, ALERT_BURST + 50);
	ck_assert_uint_gt(st.suppressed, 0);
	ck_assert_uint_eq(st.aggregated, 0);
	ck_assert_uint_eq(st.lost, 0);
	ck_assert_int_eq(got, (int)st.sent);
	snprintf(want, sizeof(want),
		 "MESSAGE=alerts-suppressed class=violation count=%llu\n",
		 (unsigned long long)st.suppressed);
	/* A flood of one class cannot hide another. */
	alert_emit(a, ALERT_DRIFT, "table", "inet/zoned", "change", "del-table",
		   "action", "restored", NULL);
	ck_assert_int_gt(recv_dgram(fd, buf, sizeof(buf)), 0);
	ck_assert_ptr_nonnull(strstr(buf,
				     "MESSAGE=drift table=inet/zoned "
				     "change=del-table action=restored\n"));
	alert_emit(a, ALERT_SPOOF, "iface", "eth1", NULL);
	ck_assert_int_gt(recv_dgram(fd, buf, sizeof(buf)), 0);
	ck_assert_ptr_nonnull(strstr(buf, "MESSAGE=spoof iface=eth1\n"));
	/* No summary before a second has passed... */
	alerts_tick(a);
	ck_assert_int_lt(recv_dgram(fd, buf, sizeof(buf)), 0);
	/* ... then one with the count, and only one. */
	usleep(1100000);
	alerts_tick(a);
	ck_assert_int_gt(recv_dgram(fd, buf, sizeof(buf)), 0);
	ck_assert_ptr_nonnull(strstr(buf, want));
	alerts_tick(a);
	ck_assert_int_lt(recv_dgram(fd, buf, sizeof(buf)), 0);
	alerts_free(a);
	close(fd);
	unlink(path);
}
END_TEST

/*
 * A flood of flow-start lines from one host: the burst goes out line by
 * line, the rest becomes one count= summary per key (sport left out), and
 * the counts add up; violations keep their own budget meanwhile.
 */
START_TEST(test_alert_flow_flood_is_aggregated)
{
	struct alerts_stats st;
	char path[108];
	char buf[8192];
	char sport[16];
	struct alerts *a;
	uint64_t sum = 0;
	int lines = 0;
	int summaries = 0;
	int violations = 0;
	int i;
	int fd;

	fd = journal_listen(path, sizeof(path));
	a = alerts_new(LOG_AUTHPRIV);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(alerts_set_journal_path(a, path), 0);
	for (i = 0; i < 2000; i++) {
		snprintf(sport, sizeof(sport), "%d", 10000 + i);
		alert_emit(a, ALERT_FLOW_START, "channel", "mail", "proto",
			   "udp", "src", "10.3.0.25", "sport", sport, "dst",
			   "10.2.0.25", "dport", "9000", NULL);
		if (i % 200 == 0)
			alert_emit(a, ALERT_VIOLATION, "src", "10.1.0.9",
				   "sport", sport, NULL);
		while (recv_dgram(fd, buf, sizeof(buf)) > 0) {
			if (strstr(buf, "MESSAGE=violation "))
				violations++;
			else if (strstr(buf, "MESSAGE=flow-start "))
				lines++;
		}
	}
	alerts_get_stats(a, &st);
	ck_assert_int_eq(violations, 10);
	ck_assert_uint_gt(st.aggregated, 0);
	/* at exit the summary goes out whatever its window */
	alerts_free(a);
	while (recv_dgram(fd, buf, sizeof(buf)) > 0) {
		const char *c = strstr(buf, " count=");

		if (!strstr(buf, "MESSAGE=flow-start ") || !c) {
			if (strstr(buf, "MESSAGE=flow-start "))
				lines++;
			continue;
		}
		ck_assert_ptr_null(strstr(buf, "sport="));
		ck_assert_ptr_nonnull(strstr(buf, "channel=mail"));
		sum += strtoull(c + 7, NULL, 10);
		summaries++;
	}
	ck_assert_int_eq(summaries, 1);
	ck_assert_uint_eq(sum + (uint64_t)lines, 2000);
	ck_assert_uint_eq(sum, st.aggregated);
	close(fd);
	unlink(path);
}
END_TEST

static char agg_out[8][ALERT_LINE_MAX];
static int agg_n;

static void agg_cb(void *arg, enum alert_event event,
		   const struct alert_pair *pairs, size_t n_pairs)
{
	(void)arg;
	if (agg_n < 8)
		alert_format_line(agg_out[agg_n], sizeof(agg_out[0]), event,
				  pairs, n_pairs);
	agg_n++;
}

/* flow-end summaries add up count, packets and bytes; keys are bounded */
START_TEST(test_alert_agg_sums_and_bounds)
{
	struct alert_pair a[] = {
		{ "channel", "mail" }, { "src", "10.3.0.25" },
		{ "sport", "40000" }, { "dport", "25" },
		{ "packets", "3" }, { "bytes", "300" },
	};
	struct alert_agg *agg = alert_agg_new();
	char port[16];
	int i;

	ck_assert_ptr_nonnull(agg);
	ck_assert_int_eq(alert_agg_add(agg, ALERT_FLOW_END, a, 6, 0), 0);
	a[2].value = "40001";
	a[4].value = "4";
	a[5].value = "400";
	ck_assert_int_eq(alert_agg_add(agg, ALERT_FLOW_END, a, 6, 1), 0);
	a[3].value = "26";
	ck_assert_int_eq(alert_agg_add(agg, ALERT_FLOW_END, a, 6, 2), 0);
	/* not before the window ends, then one line per key */
	agg_n = 0;
	ck_assert_uint_eq(alert_agg_flush(agg, ALERT_AGG_WINDOW_NS - 1, false,
					  agg_cb, NULL), 0);
	ck_assert_uint_eq(alert_agg_flush(agg, ALERT_AGG_WINDOW_NS + 2, false,
					  agg_cb, NULL), 2);
	ck_assert_int_eq(agg_n, 2);
	ck_assert(strcmp(agg_out[0], "flow-end channel=mail src=10.3.0.25 dport=25 count=2 packets=7 bytes=700") == 0 ||
		  strcmp(agg_out[1], "flow-end channel=mail src=10.3.0.25 dport=25 count=2 packets=7 bytes=700") == 0);
	for (i = 0; i < ALERT_AGG_MAX_KEYS; i++) {
		snprintf(port, sizeof(port), "%d", i);
		a[3].value = port;
		ck_assert_int_eq(alert_agg_add(agg, ALERT_FLOW_END, a, 6, 0),
				 0);
	}
	a[3].value = "one too many";
	ck_assert_int_eq(alert_agg_add(agg, ALERT_FLOW_END, a, 6, 0), -ENOSPC);
	agg_n = 0;
	ck_assert_uint_eq(alert_agg_flush(agg, 0, true, agg_cb, NULL),
			  ALERT_AGG_MAX_KEYS);
	alert_agg_free(agg);
}
END_TEST

static Suite *alert_suite(void)
{
	Suite *s = suite_create("alert");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_alert_line_plain);
	tcase_add_test(tc, test_alert_value_quoting);
	tcase_add_test(tc, test_alert_value_control_chars);
	tcase_add_test(tc, test_alert_value_utf8);
	tcase_add_test(tc, test_alert_line_policy_result);
	tcase_add_test(tc, test_alert_line_null_value_left_out);
	tcase_add_test(tc, test_alert_line_truncated);
	tcase_add_test(tc, test_alert_priorities);
	tcase_add_test(tc, test_alert_journal_fields);
	tcase_add_test(tc, test_alert_budget_burst_and_rate);
	tcase_add_test(tc, test_alert_classes_have_their_own_budget);
	tcase_add_test(tc, test_alert_flow_flood_is_aggregated);
	tcase_add_test(tc, test_alert_agg_sums_and_bounds);
	tcase_add_test(tc, test_alert_emit_to_journal);
	tcase_add_test(tc, test_alert_storm_is_summarised);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(alert_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
