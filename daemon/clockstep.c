/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * When a set of the real-time clock is worth an alert.  Some hosts set the
 * clock several times a second to the time it already has (a time agent
 * or a hypervisor's guest tools): alerting on each set floods the log
 * with "+0.000s" lines an operator learns to ignore.  What matters is how
 * far real time moved against monotonic time, because channel expiries
 * and windows are judged by real time in seconds and minutes
 * (zoned.conf(5)).  So the moves of the sets are summed, and a step is
 * reported when the sum since the last report reaches one second; the sum
 * then starts again at zero.  Summing means that many small sets that add
 * up (0.4 s ten times a second) are reported within a fraction of a
 * second, however they are cut.
 *
 * One second: Debian's chrony.conf (makestep 1 3) has chronyd step the
 * clock only when it is off by more than that and slew a smaller offset,
 * so smaller sets are clock maintenance, not something that opens a
 * channel a minute early.
 *
 * A set's move is measured over the interval since the last look (at most
 * about a second: clockwatch looks every second), and slewing (adjtimex(2),
 * at most 500 ppm, 0.5 ms a second) moves real time against monotonic time
 * during that interval too.  That part is taken off each set's move, so
 * that slewing never adds up to a step, however many sets there are.
 */
#include <stdbool.h>
#include <stdint.h>

#include "clockstep.h"

/* @a + @b, held at the ends of int64_t instead of overflowing */
static int64_t add_sat(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

/* @delta_ns less what slewing can do in @interval_ns, toward zero */
static int64_t unslewed(int64_t delta_ns, int64_t interval_ns)
{
	int64_t slew;

	if (interval_ns < 0)
		interval_ns = 0;
	slew = interval_ns / (1000000 / CLOCKSTEP_SLEW_PPM);
	if (delta_ns > slew)
		return delta_ns - slew;
	if (delta_ns < -slew)
		return delta_ns + slew;
	return 0;
}

/**
 * clockstep_add - account one set of the clock
 * @cs: the sum of the sets not reported yet (zeroed to start)
 * @delta_ns: how far the set moved real time against monotonic time, as
 *	measured since the last look
 * @interval_ns: the monotonic time since the last look
 * @ret_step_ns: the step to report
 * @ret_sets: how many sets made it, this one included
 *
 * Returns true when the sets since the last report add up to at least
 * CLOCKSTEP_THRESHOLD_NS either way: @ret_step_ns and @ret_sets are then
 * written and the sum starts again.  Returns false otherwise.
 */
bool clockstep_add(struct clockstep *cs, int64_t delta_ns, int64_t interval_ns,
		   int64_t *ret_step_ns, uint64_t *ret_sets)
{
	cs->pending_ns =
		add_sat(cs->pending_ns, unslewed(delta_ns, interval_ns));
	cs->pending_sets++;
	if (cs->pending_ns > -CLOCKSTEP_THRESHOLD_NS &&
	    cs->pending_ns < CLOCKSTEP_THRESHOLD_NS)
		return false;
	*ret_step_ns = cs->pending_ns;
	*ret_sets = cs->pending_sets;
	cs->pending_ns = 0;
	cs->pending_sets = 0;
	return true;
}
