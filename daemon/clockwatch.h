/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_CLOCKWATCH_H
#define ZONED_CLOCKWATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Steps and synchronisation of the real-time clock: see clockwatch.c. */

struct zoned;

enum clock_sync {
	CLOCK_UNKNOWN, /* adjtimex(2) refused */
	CLOCK_SYNC, /* STA_UNSYNC clear */
	CLOCK_UNSYNC,
};

const char *clock_sync_name(enum clock_sync s);

struct clockwatch_state {
	enum clock_sync sync;
	uint64_t sets; /* since start, every one */
	uint64_t steps; /* since start, the sets that added up to a step */
	time_t last_step; /* 0 if none */
	char last_delta[32]; /* "+3600.000s", "" if none */
};

int clockwatch_open(struct zoned *z);
void clockwatch_close(struct zoned *z);
void clockwatch_tick(struct zoned *z);
void clockwatch_get(const struct zoned *z, struct clockwatch_state *ret);

#endif
