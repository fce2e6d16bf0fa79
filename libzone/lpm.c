/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Longest-prefix match by flattening.
 *
 * Prefixes are collected per family, then zone_lpm_build() turns them into
 * a sorted array of breakpoints: breakpoint i says "from starts[i] up to
 * the next breakpoint, the answer is values[i]" (ZONE_LPM_NONE for
 * addresses no prefix covers).  Nesting is resolved once, at build time,
 * by a sweep that keeps the open prefixes on a stack, so a lookup is a
 * binary search for the last breakpoint not above the address.
 *
 * A 65537-entry index on the top 16 address bits narrows that search to
 * the few breakpoints of one /16 (v4) or one 16-bit v6 block, which keeps
 * the hot part of the search inside a cache line or two.  Small tables
 * skip the index: their whole array fits in cache anyway.
 *
 * Both families are swept with one 128-bit key type; IPv4 breakpoints are
 * stored with 32-bit starts, which halves the memory touched per probe.
 *
 * This file fills, searches and walks a table; the build is lpm_build.c,
 * the layout they share lpm_table.h.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <zone/lpm.h>

#include "lpm_priv.h"
#include "lpm_table.h"

static uint64_t load_be64(const uint8_t *b)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static void store_be64(uint8_t *b, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		b[i] = v & 0xff;
		v >>= 8;
	}
}

static inline uint32_t load_be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

/* IPv4 keys live in the low 32 bits of the 128-bit key. */
static struct lpm_key addr_key(const struct zone_addr *addr)
{
	struct lpm_key k;

	if (addr->family == AF_INET) {
		k.hi = 0;
		k.lo = load_be32(addr->bytes);
	} else {
		k.hi = load_be64(addr->bytes);
		k.lo = load_be64(addr->bytes + 8);
	}
	return k;
}

static void key_addr(const struct lpm_key *k, int family, struct zone_addr *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->family = family;
	if (family == AF_INET) {
		ret->bytes[0] = k->lo >> 24;
		ret->bytes[1] = k->lo >> 16;
		ret->bytes[2] = k->lo >> 8;
		ret->bytes[3] = k->lo;
	} else {
		store_be64(ret->bytes, k->hi);
		store_be64(ret->bytes + 8, k->lo);
	}
}

/**
 * zone_lpm_new - an empty table
 *
 * Returns the table (the caller owns it; zone_lpm_free() releases it), or
 * NULL with errno set to ENOMEM.
 */
struct zone_lpm *zone_lpm_new(void)
{
	struct zone_lpm *lpm = calloc(1, sizeof(*lpm));

	if (!lpm)
		return NULL;
	lpm->fam[LPM_V4].bits = 32;
	lpm->fam[LPM_V6].bits = 128;
	return lpm;
}

/*
 * lpm_family_release_input - free the prefixes of @f and its hash of
 * them: once built, the breakpoints are all a table needs
 */
void lpm_family_release_input(struct lpm_family *f)
{
	free(f->e4);
	free(f->e6);
	free(f->slots);
	f->e4 = NULL;
	f->e6 = NULL;
	f->slots = NULL;
	f->n_entries = f->cap_entries = f->n_slots = 0;
}

_Static_assert(ZONE_LPM_VALUE_MAX <= LPM_E4_VALUE_MASK,
	       "an IPv4 prefix packs its value into LPM_E4_VALUE_BITS");
_Static_assert(ZONE_LPM_VALUE_MAX < LPM_BP4_NONE,
	       "an IPv4 breakpoint keeps its value in 16 bits");

/* Room for exactly @n prefixes of @f, allocated once. */
static int entries_size(struct lpm_family *f, size_t n)
{
	if (n == 0)
		return 0;
	if (f->bits == 128)
		f->e6 = reallocarray(NULL, n, sizeof(*f->e6));
	else
		f->e4 = reallocarray(NULL, n, sizeof(*f->e4));
	if (!f->e4 && !f->e6)
		return -ENOMEM;
	f->cap_entries = n;
	return 0;
}

/**
 * zone_lpm_new_sized - an empty table for a known number of prefixes
 * @n_v4: how many IPv4 prefixes will be added
 * @n_v6: how many IPv6 prefixes will be added
 *
 * For a caller that knows its prefixes up front (a model's networks):
 * the prefixes are kept in arrays of exactly that size and without the
 * hash zone_lpm_add() otherwise keeps to refuse a repeat at once, so a
 * prefix repeated with another value is refused by zone_lpm_build()
 * instead (-EEXIST), and adding past the sizes fails with -ENOSPC.
 * Lookups answer as for a table from zone_lpm_new().
 *
 * Returns the table (the caller owns it; zone_lpm_free() releases it), or
 * NULL with errno set to ENOMEM.
 */
struct zone_lpm *zone_lpm_new_sized(size_t n_v4, size_t n_v6)
{
	struct zone_lpm *lpm = zone_lpm_new();

	if (!lpm)
		return NULL;
	lpm->sized = true;
	if (entries_size(&lpm->fam[LPM_V4], n_v4) < 0 ||
	    entries_size(&lpm->fam[LPM_V6], n_v6) < 0) {
		zone_lpm_free(lpm);
		errno = ENOMEM;
		return NULL;
	}
	return lpm;
}

/**
 * zone_lpm_free - release a table, built or not
 * @lpm: the table; NULL is fine
 */
void zone_lpm_free(struct zone_lpm *lpm)
{
	int i;

	if (!lpm)
		return;
	for (i = 0; i < 2; i++) {
		struct lpm_family *f = &lpm->fam[i];

		lpm_family_release_input(f);
		free(f->bp4);
		free(f->bp6);
		free(f->index);
	}
	free(lpm);
}

static uint64_t entry_hash(const struct lpm_key *first, uint8_t len)
{
	/* splitmix64 finaliser over the mixed words */
	uint64_t h = first->hi * 0x9e3779b97f4a7c15ull ^ first->lo ^
		     (uint64_t)len << 56;

	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 31;
	return h;
}

/*
 * The slot holding the prefix, or the empty slot where it would go.  The
 * slot keeps the hash's upper half, so a probe past another prefix rarely
 * has to touch that prefix's entry.
 */
static size_t slot_find(const struct lpm_family *f, const struct lpm_key *first,
			uint8_t len, uint64_t h)
{
	size_t mask = f->n_slots - 1;
	size_t i = h & mask;
	uint64_t tag = h >> 32;

	for (;;) {
		uint64_t s = f->slots[i];
		size_t e;
		struct lpm_key k;

		if (s == 0)
			return i;
		e = (uint32_t)s - 1;
		if (s >> 32 == tag && entry_len(f, e) == len) {
			k = entry_first(f, e);
			if (key_cmp(&k, first) == 0)
				return i;
		}
		i = (i + 1) & mask;
	}
}

/* Keep the hash at most half full so probe chains stay short. */
static int slots_grow(struct lpm_family *f)
{
	size_t n = f->n_slots ? f->n_slots * 2 : 64;
	uint64_t *old = f->slots;
	size_t i;

	f->slots = calloc(n, sizeof(*f->slots));
	if (!f->slots) {
		f->slots = old;
		return -ENOMEM;
	}
	f->n_slots = n;
	for (i = 0; i < f->n_entries; i++) {
		struct lpm_key k = entry_first(f, i);
		uint8_t len = entry_len(f, i);
		uint64_t h = entry_hash(&k, len);
		size_t slot = slot_find(f, &k, len, h);

		f->slots[slot] = (h >> 32) << 32 | (i + 1);
	}
	free(old);
	return 0;
}

/* Room for one more prefix in a table that grows as it is filled. */
static int entries_reserve(struct lpm_family *f)
{
	size_t cap;
	void *p;

	if (f->n_entries < f->cap_entries)
		return 0;
	/* Slot values are entry index + 1 in 32 bits. */
	if (f->n_entries >= UINT32_MAX / 4)
		return -ENOMEM;
	cap = f->cap_entries ? f->cap_entries * 2 : 64;
	if (f->bits == 128)
		p = reallocarray(f->e6, cap, sizeof(*f->e6));
	else
		p = reallocarray(f->e4, cap, sizeof(*f->e4));
	if (!p)
		return -ENOMEM;
	if (f->bits == 128)
		f->e6 = p;
	else
		f->e4 = p;
	f->cap_entries = cap;
	return 0;
}

static void entry_append(struct lpm_family *f, const struct lpm_key *first,
			 uint8_t len, uint32_t value)
{
	size_t i = f->n_entries++;

	if (f->bits == 128) {
		f->e6[i].first = *first;
		f->e6[i].value = value;
		f->e6[i].len = len;
	} else {
		f->e4[i] = e4_pack((uint32_t)first->lo, len, value);
	}
}

static int family_add(struct lpm_family *f, bool sized,
		      const struct zone_prefix *prefix, uint32_t value)
{
	struct lpm_key addr = addr_key(&prefix->addr);
	struct lpm_key host = host_mask(f->bits - prefix->len);
	struct lpm_key first;
	uint64_t h;
	uint64_t s;
	size_t slot;
	int ret;

	/* Clear stray host bits so that equal prefixes compare equal. */
	first.hi = addr.hi & ~host.hi;
	first.lo = addr.lo & ~host.lo;
	if (sized) {
		if (f->n_entries == f->cap_entries)
			return -ENOSPC;
		entry_append(f, &first, prefix->len, value);
		return 0;
	}
	h = entry_hash(&first, prefix->len);
	if ((f->n_entries + 1) * 2 > f->n_slots) {
		ret = slots_grow(f);
		if (ret < 0)
			return ret;
	}
	slot = slot_find(f, &first, prefix->len, h);
	s = f->slots[slot];
	if (s)
		return entry_value(f, (uint32_t)s - 1) == value ? 0 : -EEXIST;
	ret = entries_reserve(f);
	if (ret < 0)
		return ret;
	entry_append(f, &first, prefix->len, value);
	f->slots[slot] = (h >> 32) << 32 | f->n_entries;
	return 0;
}

static struct lpm_family *family_of(struct zone_lpm *lpm, int family)
{
	if (family == AF_INET)
		return &lpm->fam[LPM_V4];
	if (family == AF_INET6)
		return &lpm->fam[LPM_V6];
	return NULL;
}

/**
 * zone_lpm_add - add a prefix before the table is built
 * @lpm: the table
 * @prefix: copied; host bits past its length are ignored
 * @value: at most ZONE_LPM_VALUE_MAX
 *
 * Returns 0 (also when the same prefix is added again with the same
 * value), -EEXIST when it was added with another value (a table from
 * zone_lpm_new_sized() leaves that to zone_lpm_build()), -EINVAL for an
 * unknown family, a length past the family's width or a value past
 * ZONE_LPM_VALUE_MAX,
 * -EBUSY once zone_lpm_build() was called, -ENOSPC past a sized table's
 * room, or -ENOMEM.
 */
int zone_lpm_add(struct zone_lpm *lpm, const struct zone_prefix *prefix,
		 uint32_t value)
{
	struct lpm_family *f = family_of(lpm, prefix->addr.family);

	if (!f || prefix->len > f->bits || value > ZONE_LPM_VALUE_MAX)
		return -EINVAL;
	if (lpm->sealed)
		return -EBUSY;
	return family_add(f, lpm->sized, prefix, value);
}

/* The search range for @top (the top 16 bits of the address). */
static void family_range(const struct lpm_family *f, size_t top, size_t *lo,
			 size_t *hi)
{
	if (f->index) {
		*lo = f->index[top];
		*hi = f->index[top + 1];
	} else {
		*lo = 0;
		*hi = f->n - 1;
	}
}

static uint32_t lookup4(const struct lpm_family *f, uint32_t a)
{
	const struct lpm_bp4 *bp = f->bp4;
	size_t lo;
	size_t hi;

	family_range(f, a >> (32 - LPM_INDEX_BITS), &lo, &hi);
	/* the last breakpoint <= a; bp[lo].start <= a always holds */
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;

		if (bp4_start(&bp[mid]) <= a)
			lo = mid;
		else
			hi = mid - 1;
	}
	return bp4_value(&bp[lo]);
}

static uint32_t lookup6(const struct lpm_family *f, const struct lpm_key *a)
{
	const struct lpm_bp6 *bp = f->bp6;
	size_t lo;
	size_t hi;

	family_range(f, a->hi >> (64 - LPM_INDEX_BITS), &lo, &hi);
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;

		if (key_le(&bp[mid].start, a))
			lo = mid;
		else
			hi = mid - 1;
	}
	return bp[lo].value;
}

/**
 * zone_lpm_lookup - the value of the longest prefix containing @addr
 * @lpm: a built table (an unbuilt one answers ZONE_LPM_NONE)
 * @addr: an IPv4 or IPv6 address; the families never match each other
 *
 * Takes no lock and allocates nothing.  Returns the value, or
 * ZONE_LPM_NONE when no prefix contains @addr.
 */
uint32_t zone_lpm_lookup(const struct zone_lpm *lpm,
			 const struct zone_addr *addr)
{
	struct lpm_key k;

	if (!lpm->built)
		return ZONE_LPM_NONE;
	if (addr->family == AF_INET)
		return lookup4(&lpm->fam[LPM_V4], load_be32(addr->bytes));
	if (addr->family != AF_INET6)
		return ZONE_LPM_NONE;
	k = addr_key(addr);
	return lookup6(&lpm->fam[LPM_V6], &k);
}

static const struct lpm_family *built_family(const struct zone_lpm *lpm,
					     int family)
{
	if (!lpm->built)
		return NULL;
	if (family == AF_INET)
		return &lpm->fam[LPM_V4];
	if (family == AF_INET6)
		return &lpm->fam[LPM_V6];
	return NULL;
}

/* lpm_foreach_interval - see lpm_priv.h */
int lpm_foreach_interval(const struct zone_lpm *lpm, int family,
			 int (*fn)(const struct zone_addr *first,
				   const struct zone_addr *last, uint32_t value,
				   void *data),
			 void *data)
{
	const struct lpm_family *f = built_family(lpm, family);
	size_t i;

	if (!f)
		return -EINVAL;
	for (i = 0; i < f->n; i++) {
		struct lpm_key first = family_start(f, i);
		struct lpm_key last;
		struct zone_addr a;
		struct zone_addr b;
		int ret;

		if (family_value(f, i) == ZONE_LPM_NONE)
			continue;
		last = i + 1 < f->n ? key_dec(family_start(f, i + 1)) :
				      family_max(f);
		key_addr(&first, family, &a);
		key_addr(&last, family, &b);
		ret = fn(&a, &b, family_value(f, i), data);
		if (ret)
			return ret;
	}
	return 0;
}

/* lpm_interval_count - see lpm_priv.h */
size_t lpm_interval_count(const struct zone_lpm *lpm, int family)
{
	const struct lpm_family *f = built_family(lpm, family);
	size_t n = 0;
	size_t i;

	if (!f)
		return 0;
	for (i = 0; i < f->n; i++)
		n += family_value(f, i) != ZONE_LPM_NONE;
	return n;
}
