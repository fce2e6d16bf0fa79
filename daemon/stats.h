/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_STATS_H
#define ZONED_STATS_H

#include <stdint.h>

/*
 * What the daemon saw since it started, per segment pair, for `zonectl
 * status` and `zonectl audit`.  Segment names, not indexes, key the table
 * so that counts survive a reload that renumbers segments.
 */
enum stat_kind {
	STAT_DENY,		/* NFLOG deny records */
	STAT_VIOLATION,		/* forbidden flows found in conntrack */
	STAT_KILLED,		/* ... and deleted */
	STAT_SPOOF,
	STAT_DRIFT,		/* foreign changes to our table */
	STAT_EVENTS_LOST,	/* conntrack/NFLOG/monitor overruns */
	STAT_MAX
};

struct stats;

/* More pairs than any sane model has; past it counts go to ("-", "-"). */
#define STATS_MAX_PAIRS 4096

struct stats *stats_new(void);
void stats_free(struct stats *stats);
/* stats_count - add @n to (@src, @dst, @kind); NULL names count as "-" */
void stats_count(struct stats *stats, enum stat_kind kind, const char *src,
		 const char *dst, uint64_t n);
uint64_t stats_total(const struct stats *stats, enum stat_kind kind);
const char *stats_kind_name(enum stat_kind kind);

typedef void (*stats_pair_cb)(const char *src, const char *dst,
			      const uint64_t counts[STAT_MAX], void *arg);
/* stats_foreach - call @cb for every pair with a non-zero count */
void stats_foreach(const struct stats *stats, stats_pair_cb cb, void *arg);

#endif
