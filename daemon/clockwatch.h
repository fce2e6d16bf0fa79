/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_CLOCKWATCH_H
#define ZONED_CLOCKWATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Steps and synchronisation of the real-time clock: see clockwatch.c. */

struct zoned;

struct clockwatch_state {
	bool synchronised;	/* adjtimex: STA_UNSYNC clear */
	uint64_t steps;		/* since start */
	time_t last_step;	/* 0 if none */
	char last_delta[32];	/* "+3600.000s", "" if none */
};

int clockwatch_open(struct zoned *z);
void clockwatch_close(struct zoned *z);
void clockwatch_tick(struct zoned *z);
void clockwatch_get(const struct zoned *z, struct clockwatch_state *ret);

#endif
