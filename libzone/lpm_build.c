/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Building a longest-prefix-match table (lpm.c describes the layout):
 * sort the prefixes of each family in place, sweep them into disjoint
 * breakpoints with a stack of the open prefixes, then index the top 16
 * bits.
 *
 * At a million prefixes the build is what sets the daemon's peak memory,
 * so it allocates nothing it can avoid: the sort works in place (no merge
 * buffer, no second key array), a first sweep only counts the breakpoints
 * so that their array is allocated once at its final size, and each
 * family's prefixes are freed as soon as its breakpoints are written.
 */

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <zone/lpm.h>

#include "lpm_table.h"

/* Wider prefixes first among equal starts, so parents precede children. */
static int entry_cmp(const struct lpm_family *f, size_t a, size_t b)
{
	struct lpm_key ka = entry_first(f, a);
	struct lpm_key kb = entry_first(f, b);
	int c = key_cmp(&ka, &kb);
	uint8_t la = entry_len(f, a);
	uint8_t lb = entry_len(f, b);

	if (c)
		return c;
	return (la > lb) - (la < lb);
}

static void entry_swap(struct lpm_family *f, size_t a, size_t b)
{
	if (f->bits == 128) {
		struct lpm_entry6 t = f->e6[a];

		f->e6[a] = f->e6[b];
		f->e6[b] = t;
	} else {
		uint64_t t = f->e4[a];

		f->e4[a] = f->e4[b];
		f->e4[b] = t;
	}
}

/*
 * The sort key is the address, most significant byte first, then the
 * length: digit @d of prefix @i, and how many digits a key has.
 */
static unsigned int entry_digit(const struct lpm_family *f, size_t i,
				unsigned int d)
{
	if (f->bits == 128) {
		const struct lpm_entry6 *e = &f->e6[i];

		if (d < 8)
			return e->first.hi >> (56 - 8 * d) & 0xff;
		if (d < 16)
			return e->first.lo >> (56 - 8 * (d - 8)) & 0xff;
		return e->len;
	}
	if (d < 4)
		return f->e4[i] >> (56 - 8 * d) & 0xff;
	return entry_len(f, i);
}

static unsigned int key_digits(const struct lpm_family *f)
{
	return f->bits / 8 + 1;
}

/* Below this many prefixes, an insertion sort beats another radix pass. */
#define RADIX_SMALL 24

static void insertion_sort(struct lpm_family *f, size_t lo, size_t hi)
{
	size_t i;
	size_t j;

	for (i = lo + 1; i < hi; i++) {
		for (j = i; j > lo && entry_cmp(f, j - 1, j) > 0; j--)
			entry_swap(f, j - 1, j);
	}
}

/*
 * An in-place most-significant-digit radix sort ("American flag sort",
 * McIlroy, Bostic and McIlroy 1993) of prefixes [@lo, @hi) that agree on
 * the digits before @d: count the digit values, then swap each prefix
 * straight into its bucket, then sort each bucket on the next digit.  It
 * needs no buffer beside the prefixes (the recursion is at most 17 deep,
 * 4 KiB a level), and a million IPv4 prefixes take a few passes.
 */
static void radix_sort(struct lpm_family *f, size_t lo, size_t hi,
		       unsigned int d)
{
	size_t next[256];
	size_t end[256];
	size_t start;
	unsigned int b;
	size_t i;

	if (hi - lo <= RADIX_SMALL) {
		insertion_sort(f, lo, hi);
		return;
	}
	memset(end, 0, sizeof(end));
	for (i = lo; i < hi; i++)
		end[entry_digit(f, i, d)]++;
	start = lo;
	for (b = 0; b < 256; b++) {
		next[b] = start;
		start += end[b];
		end[b] = start;
	}
	for (b = 0; b < 256; b++) {
		while (next[b] < end[b]) {
			unsigned int v = entry_digit(f, next[b], d);

			if (v == b)
				next[b]++;
			else
				entry_swap(f, next[b], next[v]++);
		}
	}
	if (d + 1 == key_digits(f))
		return; /* the prefixes of a bucket are equal now */
	start = lo;
	for (b = 0; b < 256; b++) {
		if (end[b] - start > 1)
			radix_sort(f, start, end[b], d + 1);
		start = end[b];
	}
}

/* Order the prefixes by start, parents before their children. */
static void family_sort(struct lpm_family *f)
{
	if (f->n_entries > 1)
		radix_sort(f, 0, f->n_entries, 0);
}

/*
 * The sweep's output: without @write it only counts the breakpoints.  It
 * remembers the last breakpoint and the value of the one before, which is
 * all a new point is compared with, so counting needs no array.
 */
struct lpm_sweep {
	struct lpm_family *f;
	bool write;
	size_t n;
	struct lpm_key last; /* start of breakpoint n - 1, if last_known */
	bool last_known;
	uint32_t last_value; /* value of breakpoint n - 1 */
	uint32_t prev_value; /* value of breakpoint n - 2 */
};

static void sweep_set(struct lpm_sweep *s, size_t i, struct lpm_key at,
		      uint32_t value)
{
	struct lpm_family *f = s->f;

	if (!s->write)
		return;
	if (f->bits == 128) {
		f->bp6[i].start = at;
		f->bp6[i].value = value;
	} else {
		bp4_set(&f->bp4[i], (uint32_t)at.lo, value);
	}
}

/*
 * From @at on, the answer is @value.  Points come in ascending order.  A
 * later point at the same address overrides an earlier one (a child
 * starting where its sibling ended), and a point that does not change the
 * answer is dropped, so neighbouring intervals never share a value.
 *
 * When an override restores the value before it, the breakpoint goes
 * away, and the start of the one now last is not remembered: every later
 * point lies past it, as the point that removed it did.
 */
static void sweep_point(struct lpm_sweep *s, struct lpm_key at, uint32_t value)
{
	if (s->n > 0) {
		if (s->last_known && key_cmp(&s->last, &at) == 0) {
			if (s->n > 1 && s->prev_value == value) {
				s->n--;
				s->last_known = false;
				s->last_value = s->prev_value;
			} else {
				s->last_value = value;
				sweep_set(s, s->n - 1, at, value);
			}
			return;
		}
		if (s->last_value == value)
			return;
	}
	sweep_set(s, s->n, at, value);
	s->prev_value = s->last_value;
	s->last = at;
	s->last_known = true;
	s->last_value = value;
	s->n++;
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

/*
 * Prefix @i repeats prefix @i - 1 (they are sorted): 1 when both carry
 * the same value, -EEXIST when not, 0 for a new prefix.
 */
static int entry_repeat(const struct lpm_family *f, size_t i)
{
	if (i == 0 || entry_cmp(f, i - 1, i) != 0)
		return 0;
	return entry_value(f, i - 1) == entry_value(f, i) ? 1 : -EEXIST;
}

/*
 * Prefixes nest or are disjoint, never partly overlap, so a stack of the
 * prefixes that contain the current position resolves the nesting: the
 * top of the stack is the most specific one.  Writes the breakpoints
 * when @write (f->n of them, as the counting sweep found), and sets
 * *ret_n to their number.  Returns 0, or -EEXIST when a prefix repeats
 * with another value.
 */
static int sweep_family(struct lpm_family *f, bool write, size_t *ret_n)
{
	struct lpm_sweep s = { .f = f, .write = write };
	struct lpm_open stack[129];
	struct lpm_key max = family_max(f);
	struct lpm_key zero = { 0, 0 };
	size_t depth = 0;
	size_t i;

	sweep_point(&s, zero, ZONE_LPM_NONE);
	for (i = 0; i < f->n_entries; i++) {
		struct lpm_key first = entry_first(f, i);
		uint32_t value = entry_value(f, i);
		struct lpm_key host = host_mask(f->bits - entry_len(f, i));
		int rep = entry_repeat(f, i);

		if (rep < 0)
			return rep;
		if (rep)
			continue;
		while (depth && key_cmp(&stack[depth - 1].last, &first) < 0) {
			struct lpm_key end = stack[--depth].last;

			/* end < first <= max: end + 1 cannot wrap */
			sweep_point(&s, key_inc(end),
				    outer_value(stack, depth));
		}
		sweep_point(&s, first, value);
		stack[depth].last.hi = first.hi | host.hi;
		stack[depth].last.lo = first.lo | host.lo;
		stack[depth].value = value;
		depth++;
	}
	while (depth) {
		struct lpm_key end = stack[--depth].last;

		/* Everything still open ends at max: nothing follows. */
		if (key_cmp(&end, &max) == 0)
			break;
		sweep_point(&s, key_inc(end), outer_value(stack, depth));
	}
	*ret_n = s.n;
	return 0;
}

/* idx[k]: the breakpoint that holds at the first address of block k. */
static void family_index(struct lpm_family *f)
{
	unsigned int shift = f->bits == 32 ? 32 - LPM_INDEX_BITS :
					     64 - LPM_INDEX_BITS;
	size_t i = 0;
	size_t k;

	if (!f->index)
		return;
	for (k = 0; k < LPM_INDEX_SIZE; k++) {
		if (f->bits == 32) {
			uint32_t block = (uint32_t)k << shift;

			while (i + 1 < f->n && bp4_start(&f->bp4[i + 1]) <= block)
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
}

/*
 * The breakpoints keep each value next to its start, so that a lookup's
 * last probe brings the answer into cache; an IPv4 one takes 6 bytes.
 * The counting sweep gave f->n, so they are allocated at their size.
 */
static int family_alloc(struct lpm_family *f)
{
	if (f->bits == 128)
		f->bp6 = reallocarray(NULL, f->n, sizeof(*f->bp6));
	else
		f->bp4 = reallocarray(NULL, f->n, sizeof(*f->bp4));
	if (!f->bp4 && !f->bp6)
		return -ENOMEM;
	if (f->n < LPM_INDEX_MIN)
		return 0;
	f->index = malloc((LPM_INDEX_SIZE + 1) * sizeof(*f->index));
	return f->index ? 0 : -ENOMEM;
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

/*
 * Sort and count both families: nothing is allocated yet, and a repeated
 * prefix (only a sized table keeps them) is found here.
 */
static int families_count(struct zone_lpm *lpm)
{
	int ret;
	int i;

	for (i = 0; i < 2; i++) {
		struct lpm_family *f = &lpm->fam[i];

		family_sort(f);
		ret = sweep_family(f, false, &f->n);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/**
 * zone_lpm_build - make the table ready for lookups
 * @lpm: the table
 *
 * Resolves the nesting of every prefix added so far; after it is called,
 * adding fails with -EBUSY.  Building twice is harmless.  Returns 0,
 * -EEXIST when a table from zone_lpm_new_sized() holds a prefix twice
 * with different values, or -ENOMEM; on failure the table stays unbuilt,
 * keeps its prefixes and may be built again.
 */
int zone_lpm_build(struct zone_lpm *lpm)
{
	int ret;
	int i;

	if (lpm->built)
		return 0;
	lpm->sealed = true;
	/* the hash only refused repeats while adding */
	for (i = 0; i < 2; i++) {
		free(lpm->fam[i].slots);
		lpm->fam[i].slots = NULL;
		lpm->fam[i].n_slots = 0;
	}
	ret = families_count(lpm);
	if (ret < 0)
		goto out_unbuild;
	for (i = 0; i < 2; i++) {
		ret = family_alloc(&lpm->fam[i]);
		if (ret < 0)
			goto out_unbuild;
	}
	/* nothing fails from here on */
	for (i = 0; i < 2; i++) {
		struct lpm_family *f = &lpm->fam[i];
		size_t n = 0;

		sweep_family(f, true, &n);
		assert(n == f->n);
		family_index(f);
		lpm_family_release_input(f);
	}
	lpm->built = true;
	return 0;

out_unbuild:
	for (i = 0; i < 2; i++)
		family_unbuild(&lpm->fam[i]);
	return ret;
}
