/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_FNV_H
#define ZONED_FNV_H

#include <stddef.h>
#include <stdint.h>

/*
 * FNV-1a, 32 bits: the bucket hash of the daemon's small in-memory
 * tables (alert aggregation, pair statistics, NFLOG aggregation), each
 * bounded in entries, so that a bad spread costs a longer chain walk and
 * nothing else.  Start from FNV1A_INIT; chain calls to hash several parts.
 */
#define FNV1A_INIT 2166136261u

static inline uint32_t fnv1a(uint32_t h, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

#endif
