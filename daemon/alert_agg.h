/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_ALERT_AGG_H
#define ZONED_ALERT_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "alert_fmt.h"

/*
 * Aggregation of the bulk alerts (deny, flow-start, flow-end) that their
 * budget cannot send: alerts that differ only in their per-flow keys
 * (sport, count, packets, bytes) share one entry, and at the end of its
 * window each entry becomes one summary line with count= (and the sums of
 * packets= and bytes=).  No I/O here, so the unit tests can check it.
 */

/* The most keys at once; past that, alerts are only counted. */
#define ALERT_AGG_MAX_KEYS 256
/* One summary per key per window. */
#define ALERT_AGG_WINDOW_NS (10 * 1000000000ull)

struct alert_agg;

/* alert_agg_new - an empty table; NULL with errno set */
struct alert_agg *alert_agg_new(void);
/* alert_agg_free - drop every entry unsaid; NULL is fine */
void alert_agg_free(struct alert_agg *agg);

/**
 * alert_agg_add - count one alert the budget did not send
 * @pairs: its key/value pairs (copied); a "count" value is added as is,
 *         an absent one as 1
 * @now_ns: CLOCK_MONOTONIC; a new key's window ends ALERT_AGG_WINDOW_NS
 *          later
 *
 * Returns 0, -ENOSPC when the table is full or -ENOMEM: the caller then
 * counts the alert as suppressed.
 */
int alert_agg_add(struct alert_agg *agg, enum alert_event event,
		  const struct alert_pair *pairs, size_t n_pairs,
		  uint64_t now_ns);

/* What alert_agg_flush() hands out for each summary (borrowed). */
typedef void (*alert_agg_cb)(void *arg, enum alert_event event,
			     const struct alert_pair *pairs, size_t n_pairs);

/**
 * alert_agg_flush - summarise and forget the entries whose window ended
 * @all: every entry, whatever its window (at exit)
 *
 * Returns the number of summaries handed to @cb.
 */
size_t alert_agg_flush(struct alert_agg *agg, uint64_t now_ns, bool all,
		       alert_agg_cb cb, void *arg);

#endif
