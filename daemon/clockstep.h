/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_CLOCKSTEP_H
#define ZONED_CLOCKSTEP_H

#include <stdbool.h>
#include <stdint.h>

/* Whether sets of the real-time clock add up to a step: see clockstep.c. */

/* A step of at least this much is reported (zoned(8), "The clock"). */
#define CLOCKSTEP_THRESHOLD_NS 1000000000LL
/* The fastest the kernel slews the clock: 500 ppm (adjtimex(2)). */
#define CLOCKSTEP_SLEW_PPM 500

struct clockstep {
	int64_t pending_ns; /* the unreported sets' moves, summed */
	uint64_t pending_sets; /* how many sets that sum holds */
};

bool clockstep_add(struct clockstep *cs, int64_t delta_ns, int64_t interval_ns,
		   int64_t *ret_step_ns, uint64_t *ret_sets);

#endif
