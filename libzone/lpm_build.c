/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Building a longest-prefix-match table (lpm.c describes the layout):
 * sort the prefixes of each family, sweep them into disjoint breakpoints
 * with a stack of the open prefixes, then index the top 16 bits.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <zone/lpm.h>

#include "lpm_table.h"

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

/*
 * Give back the room the sweep did not use: neighbouring prefixes share
 * their breakpoints, so a table of many adjacent networks keeps about one
 * a prefix of the two allocated (the old and the new model's tables are
 * both alive during a reload).
 */
static void family_shrink(struct lpm_family *f)
{
	void *p;

	if (f->bits == 128)
		p = realloc(f->bp6, f->n * sizeof(*f->bp6));
	else
		p = realloc(f->bp4, f->n * sizeof(*f->bp4));
	if (!p)
		return; /* the larger block serves as well */
	if (f->bits == 128)
		f->bp6 = p;
	else
		f->bp4 = p;
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
	family_shrink(f);
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
		lpm_family_release_input(&lpm->fam[i]);
	lpm->built = true;
	return 0;

out_unbuild:
	for (i = 0; i < 2; i++)
		family_unbuild(&lpm->fam[i]);
	return ret;
}
