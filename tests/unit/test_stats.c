/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of daemon/stats.c, linked from the daemon archive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "../../daemon/stats.h"

struct seen {
	int pairs;
	uint64_t deny_ab;
	uint64_t kill_ab;
	uint64_t deny_dash;
	uint64_t sum[STAT_MAX];
};

static void collect(const char *src, const char *dst,
		    const uint64_t counts[STAT_MAX], void *arg)
{
	struct seen *seen = arg;
	int k;

	seen->pairs++;
	if (strcmp(src, "a") == 0 && strcmp(dst, "b") == 0) {
		seen->deny_ab = counts[STAT_DENY];
		seen->kill_ab = counts[STAT_KILLED];
	}
	if (strcmp(src, "-") == 0 && strcmp(dst, "-") == 0)
		seen->deny_dash = counts[STAT_DENY];
	for (k = 0; k < STAT_MAX; k++)
		seen->sum[k] += counts[k];
}

START_TEST(test_stats_counts_per_pair)
{
	struct stats *st = stats_new();
	struct seen seen = { 0 };

	ck_assert_ptr_nonnull(st);
	stats_count(st, STAT_DENY, "a", "b", 3);
	stats_count(st, STAT_DENY, "a", "b", 2);
	stats_count(st, STAT_KILLED, "a", "b", 1);
	stats_count(st, STAT_DENY, "b", "a", 7);
	stats_count(st, STAT_DENY, NULL, NULL, 4);
	stats_count(st, STAT_SPOOF, "a", "b", 0);
	stats_foreach(st, collect, &seen);
	ck_assert_int_eq(seen.pairs, 3);
	ck_assert_uint_eq(seen.deny_ab, 5);
	ck_assert_uint_eq(seen.kill_ab, 1);
	ck_assert_uint_eq(seen.deny_dash, 4);
	ck_assert_uint_eq(stats_total(st, STAT_DENY), 16);
	ck_assert_uint_eq(stats_total(st, STAT_SPOOF), 0);
	stats_free(st);
}
END_TEST

START_TEST(test_stats_names_not_split)
{
	struct stats *st = stats_new();
	struct seen seen = { 0 };

	/* "ab"+"c" and "a"+"bc" are different pairs */
	stats_count(st, STAT_DENY, "ab", "c", 1);
	stats_count(st, STAT_DENY, "a", "bc", 1);
	stats_foreach(st, collect, &seen);
	ck_assert_int_eq(seen.pairs, 2);
	stats_free(st);
}
END_TEST

START_TEST(test_stats_names_copied)
{
	struct stats *st = stats_new();
	struct seen seen = { 0 };
	char src[8] = "a";
	char dst[8] = "b";

	stats_count(st, STAT_DENY, src, dst, 2);
	strcpy(src, "x");
	strcpy(dst, "y");
	stats_foreach(st, collect, &seen);
	ck_assert_uint_eq(seen.deny_ab, 2);
	stats_free(st);
}
END_TEST

START_TEST(test_stats_bounded_pairs)
{
	struct stats *st = stats_new();
	struct seen seen = { 0 };
	char name[32];
	int i;

	for (i = 0; i < STATS_MAX_PAIRS + 100; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		stats_count(st, STAT_DENY, name, "b", 1);
	}
	stats_foreach(st, collect, &seen);
	/* every count kept; the overflow lands on ("-", "-") */
	ck_assert_uint_eq(seen.sum[STAT_DENY], STATS_MAX_PAIRS + 100);
	ck_assert_int_le(seen.pairs, STATS_MAX_PAIRS + 1);
	ck_assert_uint_eq(seen.deny_dash, 100);
	stats_free(st);
}
END_TEST

START_TEST(test_stats_kind_names)
{
	ck_assert_str_eq(stats_kind_name(STAT_DENY), "deny");
	ck_assert_str_eq(stats_kind_name(STAT_EVENTS_LOST), "events-lost");
	ck_assert_ptr_null(stats_kind_name(STAT_MAX));
	stats_free(NULL);
	ck_assert_uint_eq(stats_total(NULL, STAT_DENY), 0);
}
END_TEST

static Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_stats_counts_per_pair);
	tcase_add_test(tc, test_stats_names_not_split);
	tcase_add_test(tc, test_stats_names_copied);
	tcase_add_test(tc, test_stats_bounded_pairs);
	tcase_add_test(tc, test_stats_kind_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(stats_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
