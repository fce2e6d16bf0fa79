/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The elements of a named set: records of the set's key length and a
 * value index (nft_plan.h), appended by the compiler, ordered in place,
 * and shared by counted references between a plan and the applier.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter/nf_tables.h>

#include "nft_plan.h"

/*
 * nft_elems_new - an empty list of keys of @key_len bytes (at most 16),
 * with one reference.  Returns NULL on ENOMEM.
 */
struct nft_elems *nft_elems_new(uint32_t key_len)
{
	struct nft_elems *es;

	if (key_len == 0 || key_len > NFT_EREC_MAX - sizeof(uint16_t)) {
		errno = EINVAL;
		return NULL;
	}
	es = calloc(1, sizeof(*es));
	if (!es)
		return NULL;
	es->refs = 1;
	es->key_len = key_len;
	es->stride = key_len + sizeof(uint16_t);
	return es;
}

struct nft_elems *nft_elems_ref(struct nft_elems *es)
{
	if (es)
		es->refs++;
	return es;
}

void nft_elems_unref(struct nft_elems *es)
{
	if (!es || --es->refs > 0)
		return;
	free(es->rec);
	free(es->vals);
	free(es);
}

/*
 * Grow @arr (@n used of *@cap items of @size bytes) so that one more
 * fits: doubling, 16 at first.  0 or -ENOMEM (then *@arr is unchanged).
 */
static int grow(void *arr, size_t *cap, size_t n, size_t size)
{
	void **p = arr;
	size_t ncap;
	void *q;

	if (n < *cap)
		return 0;
	ncap = *cap ? 2 * *cap : 16;
	if (ncap > SIZE_MAX / size)
		return -ENOMEM;
	q = realloc(*p, ncap * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = ncap;
	return 0;
}

int nft_pset_reserve(struct nft_pset *s, size_t n)
{
	struct nft_elems *es = s->elems;
	uint8_t *q;

	if (n <= es->cap)
		return 0;
	if (n > SIZE_MAX / es->stride)
		return -ENOMEM;
	q = realloc(es->rec, n * es->stride);
	if (!q)
		return -ENOMEM;
	es->rec = q;
	es->cap = n;
	return 0;
}

static bool eval_eq(const struct nft_eval *v, uint32_t flags, uint32_t data,
		    int32_t chain)
{
	return v->flags == flags && v->data == data && v->chain == chain;
}

/*
 * The index of the value (@flags, @data, @chain), added when new.  The
 * compiler adds runs of one value, or starts and ends in turn, so the
 * last value found and the one after it are tried before the others.
 */
static int eval_index(struct nft_elems *es, uint32_t flags, uint32_t data,
		      int32_t chain)
{
	size_t try[2] = { es->last_val, es->last_val + 1 };
	struct nft_eval *v;
	size_t i;

	for (i = 0; i < 2; i++) {
		if (try[i] < es->n_vals &&
		    eval_eq(&es->vals[try[i]], flags, data, chain))
			return (int)(es->last_val = try[i]);
	}
	for (i = 0; i < es->n_vals; i++) {
		if (eval_eq(&es->vals[i], flags, data, chain))
			return (int)(es->last_val = i);
	}
	if (es->n_vals >= NFT_EVAL_MAX)
		return -E2BIG;
	if (grow(&es->vals, &es->cap_vals, es->n_vals, sizeof(*es->vals)))
		return -ENOMEM;
	v = &es->vals[es->n_vals];
	v->flags = flags;
	v->data = data;
	v->chain = chain;
	return (int)(es->last_val = es->n_vals++);
}

int nft_elems_add(struct nft_elems *es, const void *key, uint32_t flags,
		  uint32_t data, int32_t chain)
{
	uint16_t v;
	uint8_t *r;
	int idx;

	idx = eval_index(es, flags, data, chain);
	if (idx < 0)
		return idx;
	if (grow(&es->rec, &es->cap, es->n, es->stride))
		return -ENOMEM;
	r = es->rec + es->n++ * es->stride;
	v = (uint16_t)idx;
	memcpy(r, key, es->key_len);
	memcpy(r + es->key_len, &v, sizeof(v));
	return 0;
}

int nft_pset_add(struct nft_pset *s, const void *key, uint32_t flags,
		 uint32_t data, int32_t chain)
{
	return nft_elems_add(s->elems, key, flags, data, chain);
}

int nft_elems_cmp(const struct nft_elems *a, size_t i,
		  const struct nft_elems *b, size_t j)
{
	uint32_t fa;
	uint32_t fb;
	int d;

	d = memcmp(nft_elems_key(a, i), nft_elems_key(b, j), a->key_len);
	if (d)
		return d;
	fa = nft_elems_val(a, i)->flags;
	fb = nft_elems_val(b, j)->flags;
	return (fa < fb) - (fa > fb);
}

/*
 * The in-place sort: glibc's qsort() mallocs a merge buffer as large as
 * the array (a second copy of the biggest set), so the elements are
 * ordered here with an introsort instead: quicksort on the middle of
 * three, insertion sort for short runs, heapsort past a depth bound.  The
 * order is total (a set's keys are unique), so any sort gives the same.
 */
static int rec_cmp(const struct nft_elems *es, size_t i, size_t j)
{
	return nft_elems_cmp(es, i, es, j);
}

static void rec_swap(struct nft_elems *es, size_t i, size_t j)
{
	uint8_t t[NFT_EREC_MAX];
	uint8_t *a = es->rec + i * es->stride;
	uint8_t *b = es->rec + j * es->stride;

	memcpy(t, a, es->stride);
	memcpy(a, b, es->stride);
	memcpy(b, t, es->stride);
}

static void insertion_sort(struct nft_elems *es, size_t lo, size_t hi)
{
	size_t i;
	size_t j;

	for (i = lo + 1; i < hi; i++) {
		for (j = i; j > lo && rec_cmp(es, j - 1, j) > 0; j--)
			rec_swap(es, j - 1, j);
	}
}

static void sift_down(struct nft_elems *es, size_t lo, size_t root, size_t n)
{
	size_t child;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n &&
		    rec_cmp(es, lo + child, lo + child + 1) < 0)
			child++;
		if (rec_cmp(es, lo + root, lo + child) >= 0)
			return;
		rec_swap(es, lo + root, lo + child);
		root = child;
	}
}

static void heap_sort(struct nft_elems *es, size_t lo, size_t hi)
{
	size_t n = hi - lo;
	size_t i;

	for (i = n / 2; i-- > 0;)
		sift_down(es, lo, i, n);
	for (i = n; i-- > 1;) {
		rec_swap(es, lo, lo + i);
		sift_down(es, lo, 0, i);
	}
}

/* of elements @a, @b and @c, the one whose key lies between */
static size_t median3(const struct nft_elems *es, size_t a, size_t b, size_t c)
{
	if (rec_cmp(es, a, b) < 0) {
		if (rec_cmp(es, b, c) < 0)
			return b;
		return rec_cmp(es, a, c) < 0 ? c : a;
	}
	if (rec_cmp(es, a, c) < 0)
		return a;
	return rec_cmp(es, b, c) < 0 ? c : b;
}

/*
 * The pivot, moved to @lo: Tukey's ninther over the whole run.  The first,
 * middle and last alone fail on what the compiler hands over, a sorted
 * run of prefixes per segment one after the other (the pivot would be
 * the second run's first, among the smallest).
 */
static void pivot_first(struct nft_elems *es, size_t lo, size_t hi)
{
	size_t n = hi - lo;
	size_t e = n / 8;
	size_t m;

	m = median3(es, lo + e, lo + 2 * e, lo + 3 * e);
	m = median3(es, m,
		    median3(es, lo + 3 * e + e / 2, lo + 4 * e,
			    lo + 4 * e + e / 2),
		    median3(es, lo + 5 * e, lo + 6 * e, lo + 7 * e));
	rec_swap(es, lo, m);
}

/* [lo, hi) around the pivot at @lo; returns the pivot's place */
static size_t partition(struct nft_elems *es, size_t lo, size_t hi)
{
	size_t i = lo;
	size_t j = hi;

	for (;;) {
		while (++i < hi && rec_cmp(es, i, lo) < 0)
			;
		while (rec_cmp(es, --j, lo) > 0)
			;
		if (i >= j)
			break;
		rec_swap(es, i, j);
	}
	rec_swap(es, lo, j);
	return j;
}

static void intro_sort(struct nft_elems *es, size_t lo, size_t hi,
		       unsigned int depth)
{
	while (hi - lo > 16) {
		size_t p;

		if (depth-- == 0) {
			heap_sort(es, lo, hi);
			return;
		}
		pivot_first(es, lo, hi);
		p = partition(es, lo, hi);
		/* recurse into the smaller side: the stack stays O(log n) */
		if (p - lo < hi - p - 1) {
			intro_sort(es, lo, p, depth);
			lo = p + 1;
		} else {
			intro_sort(es, p + 1, hi, depth);
			hi = p;
		}
	}
	insertion_sort(es, lo, hi);
}

void nft_elems_sort(struct nft_elems *es)
{
	unsigned int depth = 0;
	size_t i;
	size_t n;

	for (i = 1; i < es->n && rec_cmp(es, i - 1, i) <= 0; i++)
		;
	if (i >= es->n)
		return;
	for (n = es->n; n > 1; n >>= 1)
		depth += 2;
	intro_sort(es, 0, es->n, depth);
}

void nft_pset_sort(struct nft_pset *s)
{
	nft_elems_sort(s->elems);
}
