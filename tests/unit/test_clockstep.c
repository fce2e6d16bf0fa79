/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * When sets of the real-time clock add up to a step (daemon/clockstep.c):
 * sets to the time the clock already has and slewing never do, however
 * many; small sets that add up do, however they are cut; a big step does
 * at once, either way.
 */

#include <stdint.h>
#include <stdlib.h>

#include <check.h>

#include "../../daemon/clockstep.h"

#define MS 1000000LL
#define SEC 1000000000LL

/* @n sets of @move each, @interval apart: how many were reported */
static unsigned int add_many(struct clockstep *cs, unsigned long n,
			     int64_t move, int64_t interval)
{
	unsigned int reports = 0;
	unsigned long i;
	int64_t step;
	uint64_t sets;

	for (i = 0; i < n; i++)
		if (clockstep_add(cs, move, interval, &step, &sets))
			reports++;
	return reports;
}

START_TEST(test_clockstep_same_time)
{
	struct clockstep cs = { 0 };
	int64_t step = 7;
	uint64_t sets = 7;
	unsigned long i;

	/* a day of an agent setting the clock to its own time 3 times a
	 * second, the reading off by up to 20 us either way */
	for (i = 0; i < 3 * 86400UL; i++)
		ck_assert(!clockstep_add(&cs, (int64_t)(i % 41) * 1000 - 20000,
					 SEC / 3, &step, &sets));
	/* nothing written when nothing is reported */
	ck_assert_int_eq(step, 7);
	ck_assert_uint_eq(sets, 7);
	ck_assert_uint_eq(cs.pending_sets, 3 * 86400UL);
	ck_assert_int_lt(cs.pending_ns < 0 ? -cs.pending_ns : cs.pending_ns,
			 SEC);
}
END_TEST

START_TEST(test_clockstep_slewing)
{
	struct clockstep cs = { 0 };

	/* at the fastest slew, 500 ppm, either way: a million sets, each
	 * measuring the slew since the last look, add up to nothing */
	ck_assert_uint_eq(add_many(&cs, 1000000, 500000, SEC), 0);
	ck_assert_uint_eq(add_many(&cs, 1000000, -500000, SEC), 0);
	ck_assert_uint_eq(add_many(&cs, 1000000, 50000, 100 * MS), 0);
	ck_assert_int_eq(cs.pending_ns, 0);
	/* a look late by a minute (a stalled loop) allows 30 ms */
	ck_assert_uint_eq(add_many(&cs, 1000, 30 * MS, 60 * SEC), 0);
	ck_assert_int_eq(cs.pending_ns, 0);
	/* a bit faster than slewing adds up: 0.1 ms a second over it */
	ck_assert_uint_eq(add_many(&cs, 9999, 600000, SEC), 0);
	ck_assert_uint_eq(add_many(&cs, 1, 600000, SEC), 1);
}
END_TEST

START_TEST(test_clockstep_small_sets_add_up)
{
	struct clockstep cs = { 0 };
	int64_t step;
	uint64_t sets;
	int i;

	/* 0.4 s ten times a second: the third set reports 1.2 s, less
	 * 0.05 ms of slewing for each */
	ck_assert(!clockstep_add(&cs, 400 * MS, 100 * MS, &step, &sets));
	ck_assert(!clockstep_add(&cs, 400 * MS, 100 * MS, &step, &sets));
	ck_assert(clockstep_add(&cs, 400 * MS, 100 * MS, &step, &sets));
	ck_assert_int_eq(step, 1200 * MS - 3 * 50000);
	ck_assert_uint_eq(sets, 3);
	/* and the sum starts again */
	ck_assert_int_eq(cs.pending_ns, 0);
	ck_assert_uint_eq(cs.pending_sets, 0);
	ck_assert_uint_eq(add_many(&cs, 30, 400 * MS, 100 * MS), 10);

	/* backwards, one second in ten sets of 0.1 s: exactly the threshold */
	for (i = 0; i < 9; i++)
		ck_assert(!clockstep_add(&cs, -100 * MS, 0, &step, &sets));
	ck_assert(clockstep_add(&cs, -100 * MS, 0, &step, &sets));
	ck_assert_int_eq(step, -SEC);
	ck_assert_uint_eq(sets, 10);

	/* however far apart: 0.3 s an hour is 1.2 s after four hours */
	ck_assert_uint_eq(add_many(&cs, 3, 300 * MS, 10 * MS), 0);
	ck_assert(clockstep_add(&cs, 300 * MS, 10 * MS, &step, &sets));
	ck_assert_uint_eq(sets, 4);
}
END_TEST

START_TEST(test_clockstep_back_and_forth)
{
	struct clockstep cs = { 0 };

	/* sets that undo each other leave the clock where it was */
	ck_assert_uint_eq(add_many(&cs, 1, 900 * MS, 0), 0);
	ck_assert_uint_eq(add_many(&cs, 1, -900 * MS, 0), 0);
	ck_assert_uint_eq(add_many(&cs, 1, 900 * MS, 0), 0);
	ck_assert_uint_eq(add_many(&cs, 1, -900 * MS, 0), 0);
	ck_assert_int_eq(cs.pending_ns, 0);
	ck_assert_uint_eq(cs.pending_sets, 4);
}
END_TEST

START_TEST(test_clockstep_big_step)
{
	struct clockstep cs = { 0 };
	int64_t step;
	uint64_t sets;

	ck_assert(!clockstep_add(&cs, 2 * MS, SEC, &step, &sets));
	ck_assert(clockstep_add(&cs, 3600 * SEC, SEC, &step, &sets));
	ck_assert_int_eq(step, 3600 * SEC + 2 * MS - 1000000);
	ck_assert_uint_eq(sets, 2);
	ck_assert(clockstep_add(&cs, -600 * SEC, 0, &step, &sets));
	ck_assert_int_eq(step, -600 * SEC);
	ck_assert_uint_eq(sets, 1);
	/* a negative interval (cannot happen) allows no slewing */
	ck_assert(clockstep_add(&cs, SEC, -SEC, &step, &sets));
	ck_assert_int_eq(step, SEC);
	/* the ends of int64_t hold instead of wrapping */
	ck_assert(!clockstep_add(&cs, 900 * MS, 0, &step, &sets));
	ck_assert(clockstep_add(&cs, INT64_MAX, 0, &step, &sets));
	ck_assert_int_eq(step, INT64_MAX);
	ck_assert(!clockstep_add(&cs, -900 * MS, 0, &step, &sets));
	ck_assert(clockstep_add(&cs, INT64_MIN, 0, &step, &sets));
	ck_assert_int_eq(step, INT64_MIN);
}
END_TEST

static Suite *clockstep_suite(void)
{
	Suite *s = suite_create("clockstep");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_clockstep_same_time);
	tcase_add_test(tc, test_clockstep_slewing);
	tcase_add_test(tc, test_clockstep_small_sets_add_up);
	tcase_add_test(tc, test_clockstep_back_and_forth);
	tcase_add_test(tc, test_clockstep_big_step);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(clockstep_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
