/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_METRICS_H
#define ZONED_METRICS_H

#include <stdio.h>

/*
 * zoned's counters and states in the Prometheus text exposition format,
 * written to a file for node_exporter's textfile collector at the interval
 * the config's metrics group sets, and printed by `zonectl status
 * --prometheus`.
 */

struct zoned;

/**
 * metrics_print - the exposition of @z's state
 * @out: where to write
 *
 * Returns 0, or -EIO when writing failed.
 */
int metrics_print(struct zoned *z, FILE *out);

/**
 * metrics_configure - follow the metrics group of the config in force
 *
 * Called after every applied config: (re)arms the timer, writes the file
 * at once, and removes the file of an earlier config that named another
 * one or none.  A file that cannot be written is logged once, and again
 * only when the reason changes; enforcement never depends on it.
 */
void metrics_configure(struct zoned *z);

/* metrics_close - stop writing and remove the file (NULL-safe state) */
void metrics_close(struct zoned *z);

#endif
