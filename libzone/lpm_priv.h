/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONE_LPM_PRIV_H
#define ZONE_LPM_PRIV_H

/*
 * The built LPM table is a sorted list of disjoint address intervals, each
 * with the value of the most specific prefix covering it.  That list is
 * also what an nftables interval map needs, so the ruleset compiler walks
 * it instead of resolving nested prefixes a second time.
 */

#include <stddef.h>
#include <stdint.h>

#include <zone/addr.h>
#include <zone/lpm.h>

/**
 * lpm_foreach_interval - walk the disjoint intervals of one family
 * @lpm: a built table
 * @family: AF_INET or AF_INET6
 * @fn: called for each interval [@first, @last] (both inclusive) in
 *      ascending order; addresses no prefix covers are skipped, and
 *      neighbouring intervals never share a value (they are merged)
 * @data: passed to @fn
 *
 * Returns 0 after the last interval, the first non-zero value @fn
 * returned (the walk stops there), or -EINVAL when @lpm is not built or
 * @family is neither AF_INET nor AF_INET6.
 */
int lpm_foreach_interval(const struct zone_lpm *lpm, int family,
			 int (*fn)(const struct zone_addr *first,
				   const struct zone_addr *last, uint32_t value,
				   void *data),
			 void *data);

/*
 * lpm_interval_count - how many intervals lpm_foreach_interval() reports
 * for @family; 0 when the table is not built.
 */
size_t lpm_interval_count(const struct zone_lpm *lpm, int family);

#endif
