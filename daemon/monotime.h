/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_MONOTIME_H
#define ZONED_MONOTIME_H

#include <stdint.h>
#include <time.h>

/*
 * The daemon's clock readings, in one place.  Alert budgets, aggregation
 * windows, timeouts and latencies are intervals: they use CLOCK_MONOTONIC,
 * which settimeofday(2) and NTP do not step (clock_gettime(2)).  What is
 * judged against the calendar (channel expiry and windows, the time an
 * isolation began) reads time(2) where it is judged.
 */

/* timespec_ns - @ts in nanoseconds */
static inline int64_t timespec_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* timespec_ms - @ts in milliseconds, rounded down */
static inline int64_t timespec_ms(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

/* clock_ns - the time of @clk in nanoseconds */
static inline uint64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)timespec_ns(&ts);
}

/* mono_ns - CLOCK_MONOTONIC in nanoseconds */
static inline uint64_t mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* mono_ms - CLOCK_MONOTONIC in milliseconds */
static inline uint64_t mono_ms(void)
{
	return mono_ns() / 1000000;
}

/* mono_ms_since - milliseconds since @then, a CLOCK_MONOTONIC reading */
static inline int64_t mono_ms_since(const struct timespec *then)
{
	return ((int64_t)mono_ns() - timespec_ns(then)) / 1000000;
}

/* mono_us_since - microseconds since @then, a CLOCK_MONOTONIC reading */
static inline int64_t mono_us_since(const struct timespec *then)
{
	return ((int64_t)mono_ns() - timespec_ns(then)) / 1000;
}

#endif
