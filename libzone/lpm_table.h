/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONE_LPM_TABLE_H
#define ZONE_LPM_TABLE_H

/*
 * The layout of a longest-prefix-match table, shared by the code that
 * fills and searches it (lpm.c) and the code that builds it (lpm_build.c),
 * with the 128-bit key arithmetic both use.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zone/lpm.h>

#define LPM_V4 0
#define LPM_V6 1
#define LPM_INDEX_BITS 16
#define LPM_INDEX_SIZE ((size_t)1 << LPM_INDEX_BITS)
/* Below this many breakpoints a plain binary search is as fast. */
#define LPM_INDEX_MIN 256

struct lpm_key {
	uint64_t hi;
	uint64_t lo;
};

/*
 * A prefix before the build, one array per family.  An IPv4 one is a
 * 64-bit number: its address, its length and its value from the top
 * down, so a million take 8 MB and sorting the numbers sorts the
 * prefixes (zone_lpm_add() keeps values to ZONE_LPM_VALUE_MAX).
 */
#define LPM_E4_VALUE_BITS 26
#define LPM_E4_VALUE_MASK ((UINT64_C(1) << LPM_E4_VALUE_BITS) - 1)

static inline uint64_t e4_pack(uint32_t first, uint8_t len, uint32_t value)
{
	return (uint64_t)first << 32 | (uint64_t)len << LPM_E4_VALUE_BITS |
	       value;
}

struct lpm_entry6 {
	struct lpm_key first;
	uint32_t value;
	uint8_t len;
};

/*
 * A breakpoint: from its start up to the next one, the answer is its
 * value.  An IPv4 one is three 16-bit halves, 6 bytes with no padding
 * and no unaligned access (a million prefixes of the classifier take
 * 6 MB, not 8): the start's high and low half, and the value, where
 * LPM_BP4_NONE stands for ZONE_LPM_NONE (bp4_set(), bp4_start(),
 * bp4_value()).
 */
struct lpm_bp4 {
	uint16_t start_hi;
	uint16_t start_lo;
	uint16_t value;
};

#define LPM_BP4_NONE UINT16_MAX

static inline void bp4_set(struct lpm_bp4 *bp, uint32_t start, uint32_t value)
{
	bp->start_hi = (uint16_t)(start >> 16);
	bp->start_lo = (uint16_t)start;
	bp->value = value == ZONE_LPM_NONE ? LPM_BP4_NONE : (uint16_t)value;
}

static inline uint32_t bp4_start(const struct lpm_bp4 *bp)
{
	return (uint32_t)bp->start_hi << 16 | bp->start_lo;
}

static inline uint32_t bp4_value(const struct lpm_bp4 *bp)
{
	return bp->value == LPM_BP4_NONE ? ZONE_LPM_NONE : bp->value;
}

struct lpm_bp6 {
	struct lpm_key start;
	uint32_t value;
};

struct lpm_family {
	unsigned int bits; /* 32 or 128 */
	/* before the build: the prefixes (e4 or e6, as bits says) */
	uint64_t *e4;
	struct lpm_entry6 *e6;
	size_t n_entries;
	size_t cap_entries;
	/*
	 * and, unless the table was sized up front, a hash of them for
	 * -EEXIST: hash bits << 32 | entry index + 1; 0 is empty
	 */
	uint64_t *slots;
	size_t n_slots; /* a power of two */
	/* after the build: n >= 1 breakpoints, the first at address 0 */
	size_t n;
	struct lpm_bp4 *bp4; /* IPv4 */
	struct lpm_bp6 *bp6; /* IPv6 */
	uint32_t *index; /* LPM_INDEX_SIZE + 1 entries, or NULL */
};

struct zone_lpm {
	bool built;
	bool sealed; /* zone_lpm_build() was called: no more adding */
	bool sized; /* zone_lpm_new_sized(): no hash, the build finds repeats */
	struct lpm_family fam[2];
};

static inline int key_cmp(const struct lpm_key *a, const struct lpm_key *b)
{
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return 0;
}

static inline bool key_le(const struct lpm_key *a, const struct lpm_key *b)
{
	return a->hi < b->hi || (a->hi == b->hi && a->lo <= b->lo);
}

static inline struct lpm_key key_inc(struct lpm_key k)
{
	k.lo++;
	if (k.lo == 0)
		k.hi++;
	return k;
}

static inline struct lpm_key key_dec(struct lpm_key k)
{
	if (k.lo == 0)
		k.hi--;
	k.lo--;
	return k;
}

/* The key with the low @host bits set (host bits <= 128). */
static inline struct lpm_key host_mask(unsigned int host)
{
	struct lpm_key m = { 0, 0 };

	if (host >= 128)
		return (struct lpm_key){ UINT64_MAX, UINT64_MAX };
	if (host >= 64) {
		m.lo = UINT64_MAX;
		m.hi = host == 64 ? 0 : UINT64_MAX >> (128 - host);
	} else if (host > 0) {
		m.lo = UINT64_MAX >> (64 - host);
	}
	return m;
}

static inline struct lpm_key family_max(const struct lpm_family *f)
{
	return host_mask(f->bits);
}

/* The start and the value of breakpoint @i of a built family. */
static inline struct lpm_key family_start(const struct lpm_family *f, size_t i)
{
	struct lpm_key k = { 0, 0 };

	if (f->bits == 128)
		return f->bp6[i].start;
	k.lo = bp4_start(&f->bp4[i]);
	return k;
}

static inline uint32_t family_value(const struct lpm_family *f, size_t i)
{
	return f->bits == 128 ? f->bp6[i].value : bp4_value(&f->bp4[i]);
}

/* The start, length and value of prefix @i before the build. */
static inline struct lpm_key entry_first(const struct lpm_family *f, size_t i)
{
	struct lpm_key k = { 0, 0 };

	if (f->bits == 128)
		return f->e6[i].first;
	k.lo = f->e4[i] >> 32;
	return k;
}

static inline uint8_t entry_len(const struct lpm_family *f, size_t i)
{
	if (f->bits == 128)
		return f->e6[i].len;
	return (uint8_t)(f->e4[i] >> LPM_E4_VALUE_BITS & 0x3f);
}

static inline uint32_t entry_value(const struct lpm_family *f, size_t i)
{
	if (f->bits == 128)
		return f->e6[i].value;
	return (uint32_t)(f->e4[i] & LPM_E4_VALUE_MASK);
}

/* lpm_family_release_input - free the prefixes once they are built (lpm.c) */
void lpm_family_release_input(struct lpm_family *f);

#endif
