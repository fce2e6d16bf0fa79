/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Weekly windows: the parser's forms, overlap around the week's end, where
 * an instant falls (TZ=Asia/Tokyo) and the (meta day, meta hour) pieces
 * the kernel checks, with the kernel's timezone at UTC and at JST.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "window.h"

#define JST (9 * 3600L)

static struct zone_window one(const char *s)
{
	struct zone_window w[ZONE_WINDOW_DAYS_MAX];
	size_t n = 0;

	ck_assert_ptr_null(zone_window_parse(s, w, &n));
	ck_assert_uint_ge(n, 1);
	return w[0];
}

static void piece_is(const struct zone_window_piece *p, int day, long lo,
		     long hi)
{
	ck_assert_int_eq(p->day, day);
	ck_assert_int_eq(p->lo, lo);
	ck_assert_int_eq(p->hi, hi);
}

START_TEST(test_window_parse)
{
	struct zone_window w[ZONE_WINDOW_DAYS_MAX];
	size_t n;

	ck_assert_ptr_null(zone_window_parse("Mon-Fri 09:00-17:00", w, &n));
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(w[0].start, 1440 + 540);
	ck_assert_int_eq(w[0].len, 480);
	/* a range that wraps the week, and a list */
	ck_assert_ptr_null(zone_window_parse("Fri-Mon 10:00-11:00", w, &n));
	ck_assert_uint_eq(n, 4);
	ck_assert_ptr_null(zone_window_parse("Sat,Sun 00:00-24:00", w, &n));
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(w[0].len, 1440);
	/* crossing midnight: Tuesday 22:00 to Wednesday 02:00 */
	ck_assert_ptr_null(zone_window_parse("Tue 22:00-02:00", w, &n));
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(w[0].start, 2 * 1440 + 1320);
	ck_assert_int_eq(w[0].len, 240);
	ck_assert_ptr_nonnull(zone_window_parse("Tue 22:00-22:00", w, &n));
	ck_assert_ptr_nonnull(zone_window_parse("tue 22:00-23:00", w, &n));
	ck_assert_ptr_nonnull(zone_window_parse("Tue 22:00-23:00 ", w, &n));
	ck_assert_ptr_nonnull(zone_window_parse("Tue 22:60-23:00", w, &n));
	ck_assert_ptr_nonnull(zone_window_parse("Mon-Fri,Wed 10:00-11:00", w,
						&n));
}
END_TEST

START_TEST(test_window_overlap)
{
	struct zone_window sat = one("Sat 23:00-01:00");
	struct zone_window sun = one("Sun 00:30-02:00");
	struct zone_window sun2 = one("Sun 01:00-02:00");
	struct zone_window mon = one("Mon 09:00-17:00");
	struct zone_window mon2 = one("Mon 17:00-18:00");

	ck_assert(zone_window_overlap(&sat, &sun));
	ck_assert(zone_window_overlap(&sun, &sat));
	ck_assert(!zone_window_overlap(&sat, &sun2));
	/* adjacent windows do not overlap */
	ck_assert(!zone_window_overlap(&mon, &mon2));
}
END_TEST

START_TEST(test_window_pieces)
{
	struct zone_window_piece p[4];
	struct zone_window w;

	/* JST Tue 22:00-02:00 is Tue 13:00-17:00 UTC */
	w = one("Tue 22:00-02:00");
	ck_assert_uint_eq(zone_window_pieces(&w, JST, 0, p), 1);
	piece_is(&p[0], 2, 13 * 3600, 17 * 3600 - 1);
	/* JST Mon 07:00-10:00 starts on Sunday in UTC */
	w = one("Mon 07:00-10:00");
	ck_assert_uint_eq(zone_window_pieces(&w, JST, 0, p), 2);
	piece_is(&p[0], 0, 22 * 3600, 86399);
	piece_is(&p[1], 1, 0, 3600 - 1);
	/* a kernel timezone at JST (minutes west -540) counts it Monday */
	ck_assert_uint_eq(zone_window_pieces(&w, JST, -540, p), 2);
	piece_is(&p[0], 1, 22 * 3600, 86399);
	piece_is(&p[1], 1, 0, 3600 - 1);
	/* JST Tue 23:00-01:00 with the kernel at JST: its midnight cuts too */
	w = one("Tue 23:00-01:00");
	ck_assert_uint_eq(zone_window_pieces(&w, JST, -540, p), 2);
	piece_is(&p[0], 2, 14 * 3600, 15 * 3600 - 1);
	piece_is(&p[1], 3, 15 * 3600, 16 * 3600 - 1);
	/* the week wraps: UTC Sat 23:00 to Sun 01:00 */
	w = one("Sat 23:00-01:00");
	ck_assert_uint_eq(zone_window_pieces(&w, 0, 0, p), 2);
	piece_is(&p[0], 6, 23 * 3600, 86399);
	piece_is(&p[1], 0, 0, 3600 - 1);
	w = one("Sun 00:00-24:00");
	ck_assert_uint_eq(zone_window_pieces(&w, 0, 0, p), 1);
	piece_is(&p[0], 0, 0, 86399);
}
END_TEST

START_TEST(test_window_at)
{
	struct zone_window w = one("Tue 22:00-02:00");
	struct tm tm = { .tm_year = 126, .tm_mon = 11, .tm_mday = 1,
			 .tm_hour = 13, .tm_min = 30 };
	time_t t = timegm(&tm); /* Tue 2026-12-01 22:30 JST */
	time_t open;
	time_t close;

	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	ck_assert_int_eq(zone_window_utc_offset(t), JST);
	ck_assert(zone_window_at(&w, t, &open, &close));
	ck_assert_int_eq(open, t - 30 * 60);
	ck_assert_int_eq(close, t + 210 * 60);
	/* just closed: the next occurrence is a week later */
	ck_assert(!zone_window_at(&w, close, &open, &close));
	ck_assert_int_eq(open, t - 30 * 60 + 7 * 86400);
	ck_assert_int_eq(close, open + 240 * 60);
	/* one second before it opens */
	ck_assert(!zone_window_at(&w, t - 30 * 60 - 1, &open, &close));
	ck_assert_int_eq(open, t - 30 * 60);
}
END_TEST

/* Berlin leaves CET for CEST at 2026-03-29 01:00 UTC; Tokyo never moves. */
START_TEST(test_window_offset_change)
{
	struct tm tm = { .tm_year = 126, .tm_mon = 2, .tm_mday = 29,
			 .tm_hour = 1 };
	time_t change = timegm(&tm);

	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	ck_assert_int_eq(zone_window_offset_change(change - 5 * 86400), change);
	ck_assert_int_eq(zone_window_offset_change(change - 1), change);
	ck_assert_int_eq(zone_window_offset_change(change - 9 * 86400), 0);
	ck_assert_int_eq(zone_window_utc_offset(change), 7200);
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	ck_assert_int_eq(zone_window_offset_change(change - 5 * 86400), 0);
}
END_TEST

static Suite *window_suite(void)
{
	Suite *s = suite_create("window");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_window_parse);
	tcase_add_test(tc, test_window_overlap);
	tcase_add_test(tc, test_window_pieces);
	tcase_add_test(tc, test_window_at);
	tcase_add_test(tc, test_window_offset_change);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(window_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
