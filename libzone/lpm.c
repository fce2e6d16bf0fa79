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
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <zone/lpm.h>

#include "lpm_priv.h"

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

struct lpm_entry {
	struct lpm_key first;
	uint32_t value;
	uint8_t len;
};

/* A breakpoint: from @start up to the next one, the answer is @value. */
struct lpm_bp4 {
	uint32_t start;
	uint32_t value;
};

struct lpm_bp6 {
	struct lpm_key start;
	uint32_t value;
};

struct lpm_family {
	unsigned int bits; /* 32 or 128 */
	/* before the build: the prefixes and a hash of them for -EEXIST */
	struct lpm_entry *entries;
	size_t n_entries;
	size_t cap_entries;
	/* hash bits << 32 | entry index + 1; 0 is empty */
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
	struct lpm_family fam[2];
};

static int key_cmp(const struct lpm_key *a, const struct lpm_key *b)
{
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return 0;
}

static bool key_le(const struct lpm_key *a, const struct lpm_key *b)
{
	return a->hi < b->hi || (a->hi == b->hi && a->lo <= b->lo);
}

static struct lpm_key key_inc(struct lpm_key k)
{
	k.lo++;
	if (k.lo == 0)
		k.hi++;
	return k;
}

static struct lpm_key key_dec(struct lpm_key k)
{
	if (k.lo == 0)
		k.hi--;
	k.lo--;
	return k;
}

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

/* The key with the low @host bits set (host bits <= 128). */
static struct lpm_key host_mask(unsigned int host)
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

static struct lpm_key family_max(const struct lpm_family *f)
{
	return host_mask(f->bits);
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

static void family_release_input(struct lpm_family *f)
{
	free(f->entries);
	free(f->slots);
	f->entries = NULL;
	f->slots = NULL;
	f->n_entries = f->cap_entries = f->n_slots = 0;
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

		family_release_input(f);
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
		const struct lpm_entry *e;

		if (s == 0)
			return i;
		e = &f->entries[(uint32_t)s - 1];
		if (s >> 32 == tag && e->len == len &&
		    key_cmp(&e->first, first) == 0)
			return i;
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
		const struct lpm_entry *e = &f->entries[i];
		uint64_t h = entry_hash(&e->first, e->len);
		size_t slot = slot_find(f, &e->first, e->len, h);

		f->slots[slot] = (h >> 32) << 32 | (i + 1);
	}
	free(old);
	return 0;
}

static int entries_reserve(struct lpm_family *f)
{
	struct lpm_entry *n;
	size_t cap;

	if (f->n_entries < f->cap_entries)
		return 0;
	/* Slot values are entry index + 1 in 32 bits. */
	if (f->n_entries >= UINT32_MAX / 4)
		return -ENOMEM;
	cap = f->cap_entries ? f->cap_entries * 2 : 64;
	n = realloc(f->entries, cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	f->entries = n;
	f->cap_entries = cap;
	return 0;
}

static int family_add(struct lpm_family *f, const struct zone_prefix *prefix,
		      uint32_t value)
{
	struct lpm_key addr = addr_key(&prefix->addr);
	struct lpm_key host = host_mask(f->bits - prefix->len);
	struct lpm_entry e;
	uint64_t h;
	uint64_t s;
	size_t slot;
	int ret;

	/* Clear stray host bits so that equal prefixes compare equal. */
	e.first.hi = addr.hi & ~host.hi;
	e.first.lo = addr.lo & ~host.lo;
	e.value = value;
	e.len = prefix->len;
	h = entry_hash(&e.first, e.len);

	if ((f->n_entries + 1) * 2 > f->n_slots) {
		ret = slots_grow(f);
		if (ret < 0)
			return ret;
	}
	slot = slot_find(f, &e.first, e.len, h);
	s = f->slots[slot];
	if (s)
		return f->entries[(uint32_t)s - 1].value == value ? 0 : -EEXIST;
	ret = entries_reserve(f);
	if (ret < 0)
		return ret;
	f->entries[f->n_entries++] = e;
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
 * @value: anything but ZONE_LPM_NONE
 *
 * Returns 0 (also when the same prefix is added again with the same
 * value), -EEXIST when it was added with another value, -EINVAL for an
 * unknown family, a length past the family's width or ZONE_LPM_NONE,
 * -EBUSY once the table is built, or -ENOMEM.
 */
int zone_lpm_add(struct zone_lpm *lpm, const struct zone_prefix *prefix,
		 uint32_t value)
{
	struct lpm_family *f = family_of(lpm, prefix->addr.family);

	if (!f || prefix->len > f->bits || value == ZONE_LPM_NONE)
		return -EINVAL;
	if (lpm->built)
		return -EBUSY;
	return family_add(f, prefix, value);
}

/* Wider prefixes first among equal starts, so parents precede children. */
static int entry_cmp(const void *pa, const void *pb)
{
	const struct lpm_entry *a = pa;
	const struct lpm_entry *b = pb;
	int c = key_cmp(&a->first, &b->first);

	if (c)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

#define RADIX_IDX_BITS 26
#define RADIX_IDX_MASK (((uint64_t)1 << RADIX_IDX_BITS) - 1)
#define RADIX_BITS 13

/*
 * IPv4 tables are the big ones, and a comparison sort of 100,000 entries
 * is a third of the build: sort 64-bit keys (address, length, entry
 * index) by LSD radix instead, three passes over the 38 key bits.
 * Returns the sorted keys (the caller frees them), or NULL.
 */
static uint64_t *sort_v4(const struct lpm_family *f)
{
	size_t n = f->n_entries;
	uint64_t *a = malloc(n * sizeof(*a));
	uint64_t *b = malloc(n * sizeof(*b));
	unsigned int shift;
	size_t i;

	if (!a || !b) {
		free(a);
		free(b);
		return NULL;
	}
	for (i = 0; i < n; i++)
		a[i] = f->entries[i].first.lo << 32 |
		       (uint64_t)f->entries[i].len << RADIX_IDX_BITS | i;
	for (shift = RADIX_IDX_BITS; shift < 64; shift += RADIX_BITS) {
		size_t count[1u << RADIX_BITS] = { 0 };
		size_t mask = (1u << RADIX_BITS) - 1;
		size_t sum = 0;
		uint64_t *t;

		for (i = 0; i < n; i++)
			count[a[i] >> shift & mask]++;
		for (i = 0; i <= mask; i++) {
			size_t c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			b[count[a[i] >> shift & mask]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	free(b);
	return a;
}

/*
 * Order the prefixes by start, parents before their children: IPv4 by
 * radix into *ret_order (entry i of the order is entries[order[i] &
 * RADIX_IDX_MASK]), anything else in place (*ret_order stays NULL).
 */
static int family_sort(struct lpm_family *f, uint64_t **ret_order)
{
	*ret_order = NULL;
	if (f->n_entries < 2)
		return 0;
	if (f->bits == 32 && f->n_entries <= RADIX_IDX_MASK) {
		*ret_order = sort_v4(f);
		return *ret_order ? 0 : -ENOMEM;
	}
	qsort(f->entries, f->n_entries, sizeof(*f->entries), entry_cmp);
	return 0;
}

static struct lpm_key family_start(const struct lpm_family *f, size_t i)
{
	struct lpm_key k = { 0, 0 };

	if (f->bits == 128)
		return f->bp6[i].start;
	k.lo = f->bp4[i].start;
	return k;
}

static uint32_t family_value(const struct lpm_family *f, size_t i)
{
	return f->bits == 128 ? f->bp6[i].value : f->bp4[i].value;
}

static void family_set(struct lpm_family *f, size_t i, struct lpm_key at,
		       uint32_t value)
{
	if (f->bits == 128) {
		f->bp6[i].start = at;
		f->bp6[i].value = value;
	} else {
		f->bp4[i].start = (uint32_t)at.lo;
		f->bp4[i].value = value;
	}
}

/*
 * From @at on, the answer is @value.  A later point at the same address
 * overrides an earlier one (a child starting where its sibling ended), and
 * a point that does not change the answer is dropped, so neighbouring
 * intervals never share a value.  The breakpoint array has room for every
 * point the sweep can make.
 */
static void sweep_point(struct lpm_family *f, struct lpm_key at, uint32_t value)
{
	size_t n = f->n;
	struct lpm_key last;

	if (n > 0) {
		last = family_start(f, n - 1);
		if (key_cmp(&last, &at) == 0) {
			if (n > 1 && family_value(f, n - 2) == value)
				f->n--;
			else
				family_set(f, n - 1, at, value);
			return;
		}
		if (family_value(f, n - 1) == value)
			return;
	}
	family_set(f, n, at, value);
	f->n++;
}

/* An open prefix during the sweep: where it ends, and its value. */
struct lpm_open {
	struct lpm_key last;
	uint32_t value;
};

/* The value that holds once the innermost open prefix has ended. */
static uint32_t outer_value(const struct lpm_open *stack, size_t depth)
{
	return depth ? stack[depth - 1].value : ZONE_LPM_NONE;
}

static const struct lpm_entry *sorted_entry(const struct lpm_family *f,
					    const uint64_t *order, size_t i)
{
	return &f->entries[order ? order[i] & RADIX_IDX_MASK : i];
}

/*
 * Prefixes nest or are disjoint, never partly overlap, so a stack of the
 * prefixes that contain the current position resolves the nesting: the
 * top of the stack is the most specific one.
 */
static void sweep_family(struct lpm_family *f, const uint64_t *order)
{
	struct lpm_open stack[129];
	struct lpm_key max = family_max(f);
	struct lpm_key zero = { 0, 0 };
	size_t depth = 0;
	size_t i;

	sweep_point(f, zero, ZONE_LPM_NONE);
	for (i = 0; i < f->n_entries; i++) {
		const struct lpm_entry *e = sorted_entry(f, order, i);
		struct lpm_key host = host_mask(f->bits - e->len);

		while (depth &&
		       key_cmp(&stack[depth - 1].last, &e->first) < 0) {
			struct lpm_key end = stack[--depth].last;

			/* end < e->first <= max: end + 1 cannot wrap */
			sweep_point(f, key_inc(end), outer_value(stack, depth));
		}
		sweep_point(f, e->first, e->value);
		stack[depth].last.hi = e->first.hi | host.hi;
		stack[depth].last.lo = e->first.lo | host.lo;
		stack[depth].value = e->value;
		depth++;
	}
	while (depth) {
		struct lpm_key end = stack[--depth].last;

		/* Everything still open ends at max: nothing follows. */
		if (key_cmp(&end, &max) == 0)
			break;
		sweep_point(f, key_inc(end), outer_value(stack, depth));
	}
}

/* idx[k]: the breakpoint that holds at the first address of block k. */
static int family_index(struct lpm_family *f)
{
	unsigned int shift = f->bits == 32 ? 32 - LPM_INDEX_BITS :
					     64 - LPM_INDEX_BITS;
	size_t i = 0;
	size_t k;

	if (f->n < LPM_INDEX_MIN)
		return 0;
	f->index = malloc((LPM_INDEX_SIZE + 1) * sizeof(*f->index));
	if (!f->index)
		return -ENOMEM;
	for (k = 0; k < LPM_INDEX_SIZE; k++) {
		if (f->bits == 32) {
			uint32_t block = (uint32_t)k << shift;

			while (i + 1 < f->n && f->bp4[i + 1].start <= block)
				i++;
		} else {
			struct lpm_key block = { (uint64_t)k << shift, 0 };

			while (i + 1 < f->n &&
			       key_le(&f->bp6[i + 1].start, &block))
				i++;
		}
		f->index[k] = i;
	}
	f->index[LPM_INDEX_SIZE] = f->n - 1;
	return 0;
}

/*
 * The breakpoints keep each value next to its start, so that a lookup's
 * last probe brings the answer into cache; IPv4 starts take 32 bits.
 */
static int family_alloc(struct lpm_family *f)
{
	/* each prefix adds at most two breakpoints */
	size_t cap = 2 * f->n_entries + 1;

	if (f->bits == 128)
		f->bp6 = malloc(cap * sizeof(*f->bp6));
	else
		f->bp4 = malloc(cap * sizeof(*f->bp4));
	f->n = 0;
	return f->bp4 || f->bp6 ? 0 : -ENOMEM;
}

static int family_build(struct lpm_family *f)
{
	uint64_t *order;
	int ret;

	ret = family_alloc(f);
	if (ret < 0)
		return ret;
	ret = family_sort(f, &order);
	if (ret < 0)
		return ret;
	sweep_family(f, order);
	free(order);
	return family_index(f);
}

static void family_unbuild(struct lpm_family *f)
{
	free(f->bp4);
	free(f->bp6);
	free(f->index);
	f->bp4 = NULL;
	f->bp6 = NULL;
	f->index = NULL;
	f->n = 0;
}

/**
 * zone_lpm_build - make the table ready for lookups
 * @lpm: the table
 *
 * Resolves the nesting of every prefix added so far; after it, adding
 * fails with -EBUSY.  Building twice is harmless.  Returns 0 or -ENOMEM
 * (the table then stays unbuilt and keeps its prefixes).
 */
int zone_lpm_build(struct zone_lpm *lpm)
{
	int ret;
	int i;

	if (lpm->built)
		return 0;
	for (i = 0; i < 2; i++) {
		ret = family_build(&lpm->fam[i]);
		if (ret < 0)
			goto out_unbuild;
	}
	for (i = 0; i < 2; i++)
		family_release_input(&lpm->fam[i]);
	lpm->built = true;
	return 0;

out_unbuild:
	for (i = 0; i < 2; i++)
		family_unbuild(&lpm->fam[i]);
	return ret;
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

		if (bp[mid].start <= a)
			lo = mid;
		else
			hi = mid - 1;
	}
	return bp[lo].value;
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
