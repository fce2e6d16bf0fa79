// SPDX-License-Identifier: GPL-2.0-or-later
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
 * Both families are swept with one 128-bit key type; the IPv4 result is
 * then narrowed to 32-bit keys, which halves the memory touched per probe.
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
	struct lpm_key last;
	uint32_t value;
	uint8_t len;
};

struct lpm_family {
	unsigned int bits;		/* 32 or 128 */
	/* before the build: the prefixes and a hash of them for -EEXIST */
	struct lpm_entry *entries;
	size_t n_entries;
	size_t cap_entries;
	uint32_t *slots;		/* entry index + 1; 0 is empty */
	size_t n_slots;			/* a power of two */
	/* after the build: n >= 1 breakpoints, starts[0] is address 0 */
	size_t n;
	uint32_t *starts32;		/* IPv4 */
	struct lpm_key *starts128;	/* IPv6 */
	uint32_t *values;
	uint32_t *index;		/* LPM_INDEX_SIZE + 1 entries, or NULL */
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

static void key_addr(const struct lpm_key *k, int family,
		     struct zone_addr *ret)
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

void zone_lpm_free(struct zone_lpm *lpm)
{
	int i;

	if (!lpm)
		return;
	for (i = 0; i < 2; i++) {
		struct lpm_family *f = &lpm->fam[i];

		family_release_input(f);
		free(f->starts32);
		free(f->starts128);
		free(f->values);
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

/* The slot holding the prefix, or the empty slot where it would go. */
static size_t slot_find(const struct lpm_family *f, const struct lpm_key *first,
			uint8_t len)
{
	size_t mask = f->n_slots - 1;
	size_t i = entry_hash(first, len) & mask;

	for (;;) {
		uint32_t s = f->slots[i];
		const struct lpm_entry *e;

		if (s == 0)
			return i;
		e = &f->entries[s - 1];
		if (e->len == len && key_cmp(&e->first, first) == 0)
			return i;
		i = (i + 1) & mask;
	}
}

/* Keep the hash at most half full so probe chains stay short. */
static int slots_grow(struct lpm_family *f)
{
	size_t n = f->n_slots ? f->n_slots * 2 : 64;
	uint32_t *old = f->slots;
	size_t i;

	f->slots = calloc(n, sizeof(*f->slots));
	if (!f->slots) {
		f->slots = old;
		return -ENOMEM;
	}
	f->n_slots = n;
	for (i = 0; i < f->n_entries; i++) {
		const struct lpm_entry *e = &f->entries[i];

		f->slots[slot_find(f, &e->first, e->len)] = i + 1;
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
	size_t slot;
	int ret;

	/* Clear stray host bits so that equal prefixes compare equal. */
	e.first.hi = addr.hi & ~host.hi;
	e.first.lo = addr.lo & ~host.lo;
	e.last.hi = e.first.hi | host.hi;
	e.last.lo = e.first.lo | host.lo;
	e.value = value;
	e.len = prefix->len;

	if ((f->n_entries + 1) * 2 > f->n_slots) {
		ret = slots_grow(f);
		if (ret < 0)
			return ret;
	}
	slot = slot_find(f, &e.first, e.len);
	if (f->slots[slot])
		return f->entries[f->slots[slot] - 1].value == value ? 0 :
								       -EEXIST;
	ret = entries_reserve(f);
	if (ret < 0)
		return ret;
	f->entries[f->n_entries++] = e;
	f->slots[slot] = f->n_entries;
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

/* The breakpoint list while it is being swept out. */
struct lpm_sweep {
	struct lpm_key *starts;
	uint32_t *values;
	size_t n;
};

/*
 * From @at on, the answer is @value.  A later point at the same address
 * overrides an earlier one (a child starting where its sibling ended), and
 * a point that does not change the answer is dropped, so neighbouring
 * intervals never share a value.
 */
static void sweep_point(struct lpm_sweep *s, struct lpm_key at, uint32_t value)
{
	if (s->n > 0 && key_cmp(&s->starts[s->n - 1], &at) == 0) {
		s->values[s->n - 1] = value;
		if (s->n > 1 && s->values[s->n - 2] == value)
			s->n--;
		return;
	}
	if (s->n > 0 && s->values[s->n - 1] == value)
		return;
	s->starts[s->n] = at;
	s->values[s->n] = value;
	s->n++;
}

/* The value that holds once the innermost open prefix has ended. */
static uint32_t outer_value(struct lpm_entry *const *stack, size_t depth)
{
	return depth ? stack[depth - 1]->value : ZONE_LPM_NONE;
}

/*
 * Prefixes nest or are disjoint, never partly overlap, so a stack of the
 * prefixes that contain the current position resolves the nesting: the
 * top of the stack is the most specific one.
 */
static void sweep_family(struct lpm_family *f, struct lpm_sweep *s)
{
	struct lpm_entry *stack[129];
	struct lpm_key max = family_max(f);
	struct lpm_key zero = { 0, 0 };
	size_t depth = 0;
	size_t i;

	if (f->n_entries)
		qsort(f->entries, f->n_entries, sizeof(*f->entries),
		      entry_cmp);
	sweep_point(s, zero, ZONE_LPM_NONE);
	for (i = 0; i < f->n_entries; i++) {
		struct lpm_entry *e = &f->entries[i];

		while (depth && key_cmp(&stack[depth - 1]->last, &e->first) < 0) {
			struct lpm_key end = stack[--depth]->last;

			/* end < e->first <= max: end + 1 cannot wrap */
			sweep_point(s, key_inc(end), outer_value(stack, depth));
		}
		sweep_point(s, e->first, e->value);
		stack[depth++] = e;
	}
	while (depth) {
		struct lpm_key end = stack[--depth]->last;

		/* Everything still open ends at max: nothing follows. */
		if (key_cmp(&end, &max) == 0)
			break;
		sweep_point(s, key_inc(end), outer_value(stack, depth));
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

			while (i + 1 < f->n && f->starts32[i + 1] <= block)
				i++;
		} else {
			struct lpm_key block = { (uint64_t)k << shift, 0 };

			while (i + 1 < f->n &&
			       key_le(&f->starts128[i + 1], &block))
				i++;
		}
		f->index[k] = i;
	}
	f->index[LPM_INDEX_SIZE] = f->n - 1;
	return 0;
}

/* Keep the sweep's result, narrowed to 32-bit keys for IPv4. */
static int family_store(struct lpm_family *f, struct lpm_sweep *s)
{
	size_t i;

	f->n = s->n;
	f->values = s->values;
	s->values = NULL;
	if (f->bits == 128) {
		f->starts128 = s->starts;
		s->starts = NULL;
		return 0;
	}
	f->starts32 = malloc(s->n * sizeof(*f->starts32));
	if (!f->starts32)
		return -ENOMEM;
	for (i = 0; i < s->n; i++)
		f->starts32[i] = (uint32_t)s->starts[i].lo;
	return 0;
}

static int family_build(struct lpm_family *f)
{
	/* each prefix adds at most two breakpoints */
	size_t cap = 2 * f->n_entries + 1;
	struct lpm_sweep s = { NULL, NULL, 0 };
	int ret = -ENOMEM;

	s.starts = malloc(cap * sizeof(*s.starts));
	s.values = malloc(cap * sizeof(*s.values));
	if (!s.starts || !s.values)
		goto out_free_sweep;
	sweep_family(f, &s);
	ret = family_store(f, &s);
	if (ret < 0)
		goto out_free_sweep;
	ret = family_index(f);
out_free_sweep:
	free(s.starts);
	free(s.values);
	return ret;
}

static void family_unbuild(struct lpm_family *f)
{
	free(f->starts32);
	free(f->starts128);
	free(f->values);
	free(f->index);
	f->starts32 = NULL;
	f->starts128 = NULL;
	f->values = NULL;
	f->index = NULL;
	f->n = 0;
}

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
	/* The input is kept, so a later build can still succeed. */
	for (i = 0; i < 2; i++)
		family_unbuild(&lpm->fam[i]);
	return ret;
}

/* The search range for @top (the top 16 bits of the address). */
static void family_range(const struct lpm_family *f, size_t top,
			 size_t *lo, size_t *hi)
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
	const uint32_t *s = f->starts32;
	size_t lo;
	size_t hi;

	family_range(f, a >> (32 - LPM_INDEX_BITS), &lo, &hi);
	/* the last breakpoint <= a; s[lo] <= a always holds */
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;

		if (s[mid] <= a)
			lo = mid;
		else
			hi = mid - 1;
	}
	return f->values[lo];
}

static uint32_t lookup6(const struct lpm_family *f, const struct lpm_key *a)
{
	const struct lpm_key *s = f->starts128;
	size_t lo;
	size_t hi;

	family_range(f, a->hi >> (64 - LPM_INDEX_BITS), &lo, &hi);
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;

		if (key_le(&s[mid], a))
			lo = mid;
		else
			hi = mid - 1;
	}
	return f->values[lo];
}

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

static struct lpm_key family_start(const struct lpm_family *f, size_t i)
{
	struct lpm_key k = { 0, 0 };

	if (f->bits == 128)
		return f->starts128[i];
	k.lo = f->starts32[i];
	return k;
}

int lpm_foreach_interval(const struct zone_lpm *lpm, int family,
			 int (*fn)(const struct zone_addr *first,
				   const struct zone_addr *last,
				   uint32_t value, void *data),
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

		if (f->values[i] == ZONE_LPM_NONE)
			continue;
		last = i + 1 < f->n ? key_dec(family_start(f, i + 1)) :
				      family_max(f);
		key_addr(&first, family, &a);
		key_addr(&last, family, &b);
		ret = fn(&a, &b, f->values[i], data);
		if (ret)
			return ret;
	}
	return 0;
}

size_t lpm_interval_count(const struct zone_lpm *lpm, int family)
{
	const struct lpm_family *f = built_family(lpm, family);
	size_t n = 0;
	size_t i;

	if (!f)
		return 0;
	for (i = 0; i < f->n; i++)
		n += f->values[i] != ZONE_LPM_NONE;
	return n;
}
