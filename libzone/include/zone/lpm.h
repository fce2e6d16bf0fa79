/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONE_LPM_H
#define ZONE_LPM_H

#include <stddef.h>
#include <stdint.h>

#include <zone/addr.h>

/*
 * Longest-prefix match over IPv4 and IPv6 prefixes, each carrying a value.
 * Built once, then read only: lookups take no locks and allocate nothing.
 */
struct zone_lpm;

#define ZONE_LPM_NONE UINT32_MAX
/*
 * The largest value a prefix can carry (values are segment numbers, 254
 * at most): an IPv4 breakpoint keeps its value in 16 bits, the last of
 * which stands for ZONE_LPM_NONE.
 */
#define ZONE_LPM_VALUE_MAX (UINT32_C(0xfffe))

/* zone_lpm_new - an empty table, or NULL with errno set */
struct zone_lpm *zone_lpm_new(void);
/*
 * zone_lpm_new_sized - an empty table with room for exactly @n_v4 IPv4
 * and @n_v6 IPv6 prefixes, or NULL with errno set.  It keeps no hash of
 * them: zone_lpm_build() refuses a prefix repeated with another value.
 */
struct zone_lpm *zone_lpm_new_sized(size_t n_v4, size_t n_v6);
/* zone_lpm_free - release the table; NULL is fine */
void zone_lpm_free(struct zone_lpm *lpm);

/**
 * zone_lpm_add - add a prefix before the table is built
 * @value: at most ZONE_LPM_VALUE_MAX
 *
 * Returns 0, -EINVAL for a bad prefix or value, -EEXIST when the same prefix was added with another value
 * (not for a sized table), -EBUSY once zone_lpm_build() was called,
 * -ENOSPC past a sized table's room, or -ENOMEM.
 */
int zone_lpm_add(struct zone_lpm *lpm, const struct zone_prefix *prefix,
		 uint32_t value);

/*
 * zone_lpm_build - make the table ready for lookups; 0, -EEXIST (a sized
 * table holds a prefix twice with different values) or -ENOMEM
 */
int zone_lpm_build(struct zone_lpm *lpm);

/**
 * zone_lpm_lookup - the value of the longest prefix containing @addr,
 * or ZONE_LPM_NONE.  The table must be built.
 */
uint32_t zone_lpm_lookup(const struct zone_lpm *lpm,
			 const struct zone_addr *addr);

#endif
