/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Networks that overlap.  Two prefixes either nest or are disjoint, so
 * every overlap is a containment.  Sorting the networks by address and
 * then by length puts each one right after everything that contains it,
 * and a stack of the prefixes still "open" at that point holds exactly its
 * containers.  One pass over the sorted list therefore finds, for every
 * network, the first network written before it in the config that it
 * overlaps: O(n log n), where comparing every pair took half a minute at
 * 100,000 networks.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf_priv.h"

/*
 * The sweep keeps 4 bytes a network besides the sort's index (at a million
 * networks the check would otherwise need more memory than the model): a
 * network is known by its order, and its prefix is found from the order
 * through the segments' first orders.
 */
#define NO_NETWORK UINT32_MAX

struct net_index {
	const struct zone_model *m;
	uint32_t *seg_first; /* order of each segment's first network */
	size_t n_segs;
};

/* A container still open in the sweep, with the earliest one below it. */
struct open_net {
	uint32_t order;
	uint32_t earliest; /* min order of this and every open below */
};

struct overlap_sweep {
	const struct net_index *ix;
	/*
	 * per network: the earliest network, by order, that contains it or
	 * that it contains, or a later one (itself, NO_NETWORK) when none
	 */
	uint32_t *first;
	struct open_net *stack;
	size_t depth;
	size_t cap;
};

static size_t seg_of(const struct net_index *ix, uint32_t o)
{
	size_t lo = 0;
	size_t hi = ix->n_segs;

	/* the last segment whose first order is <= o */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix->seg_first[mid] <= o)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static const struct zone_prefix *prefix_of(const struct net_index *ix,
					   uint32_t o, size_t *ret_seg,
					   size_t *ret_k)
{
	size_t seg = seg_of(ix, o);
	size_t k = o - ix->seg_first[seg];

	if (ret_seg)
		*ret_seg = seg;
	if (ret_k)
		*ret_k = k;
	return &ix->m->segments[seg].networks[k];
}

static int net_cmp(const void *a, const void *b, void *arg)
{
	const struct net_index *ix = arg;
	uint32_t oa = *(const uint32_t *)a;
	uint32_t ob = *(const uint32_t *)b;
	const struct zone_prefix *p = prefix_of(ix, oa, NULL, NULL);
	const struct zone_prefix *q = prefix_of(ix, ob, NULL, NULL);
	int r;

	if (p->addr.family != q->addr.family)
		return p->addr.family < q->addr.family ? -1 : 1;
	r = memcmp(p->addr.bytes, q->addr.bytes, sizeof(p->addr.bytes));
	if (r)
		return r;
	if (p->len != q->len)
		return p->len < q->len ? -1 : 1;
	/* Equal prefixes: the one written first contains the other. */
	return oa < ob ? -1 : 1;
}

static bool net_contains(const struct zone_prefix *outer,
			 const struct zone_prefix *inner)
{
	return outer->addr.family == inner->addr.family &&
	       outer->len <= inner->len &&
	       zone_prefix_contains(outer, &inner->addr);
}

static uint32_t min_order(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/*
 * Close the innermost open network: what it contains, and itself, is
 * contained in the network below it on the stack.  Its own first may name
 * its containers, which are the parent's containers or the parent itself:
 * a parent's first that names the parent means, as a later one, nothing.
 */
static void pop_open(struct overlap_sweep *w)
{
	uint32_t closed = w->stack[--w->depth].order;
	uint32_t *parent;

	if (w->depth == 0)
		return;
	parent = &w->first[w->stack[w->depth - 1].order];
	*parent = min_order(*parent, min_order(closed, w->first[closed]));
}

/* Push @o; the stack grows with the nesting (duplicates nest too). */
static int push_open(struct overlap_sweep *w, uint32_t o)
{
	if (w->depth == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		struct open_net *s = realloc(w->stack, cap * sizeof(*s));

		if (!s)
			return -1;
		w->stack = s;
		w->cap = cap;
	}
	w->stack[w->depth].order = o;
	w->stack[w->depth].earliest =
		w->depth ? min_order(o, w->stack[w->depth - 1].earliest) : o;
	w->depth++;
	return 0;
}

static int sweep(struct overlap_sweep *w, const uint32_t *sorted, size_t n)
{
	const struct net_index *ix = w->ix;
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t o = sorted[i];
		const struct zone_prefix *p = prefix_of(ix, o, NULL, NULL);

		while (w->depth &&
		       !net_contains(prefix_of(ix, w->stack[w->depth - 1].order,
					       NULL, NULL),
				     p))
			pop_open(w);
		w->first[o] = w->depth ? w->stack[w->depth - 1].earliest :
					 NO_NETWORK;
		if (push_open(w, o) < 0)
			return -1;
	}
	while (w->depth)
		pop_open(w);
	return 0;
}

static void report(struct conf_loader *ld, const struct net_index *ix,
		   uint32_t o, uint32_t first)
{
	const struct zone_prefix *p;
	const struct zone_prefix *q;
	char a[ZONE_PREFIX_STRLEN];
	char b[ZONE_PREFIX_STRLEN];
	size_t seg, k, qseg, qk;
	const char *what;
	int line;
	int qline;

	if (first >= o)
		return; /* overlaps nothing written before it */
	p = prefix_of(ix, o, &seg, &k);
	q = prefix_of(ix, first, &qseg, &qk);
	line = ld->seg_aux[seg].net_lines[k];
	qline = ld->seg_aux[qseg].net_lines[qk];
	what = ld->seg_aux[seg].what;
	zone_prefix_format(p, a, sizeof(a));
	zone_prefix_format(q, b, sizeof(b));
	if (qseg != seg)
		conf_error(ld, line,
			   "%s: network %s overlaps %s of %s (line %d)", what,
			   a, b, ld->seg_aux[qseg].what, qline);
	else if (p->len == q->len)
		conf_error(ld, line, "%s: duplicate network %s (line %d)", what,
			   a, qline);
	else
		conf_error(
			ld, line,
			"%s: network %s is redundant with %s (line %d): one contains the other",
			what, a, b, qline);
}

void conf_check_networks(struct conf_loader *ld)
{
	const struct zone_model *m = ld->model;
	struct net_index ix = { .m = m, .n_segs = m->n_segments };
	struct overlap_sweep w = { .ix = &ix };
	uint32_t *sorted = NULL;
	size_t n = 0;
	size_t i;

	if (m->n_segments == 0)
		return;
	ix.seg_first = calloc(m->n_segments, sizeof(*ix.seg_first));
	if (!ix.seg_first)
		goto out_nomem;
	/* The order of a network is its place in the config. */
	for (i = 0; i < m->n_segments; i++) {
		ix.seg_first[i] = (uint32_t)n;
		n += m->segments[i].n_networks;
	}
	if (n >= NO_NETWORK) {
		conf_error(ld, 0, "more than %u networks", NO_NETWORK - 1);
		goto out_free;
	}
	sorted = calloc(n ? n : 1, sizeof(*sorted));
	w.first = calloc(n ? n : 1, sizeof(*w.first));
	if (!sorted || !w.first)
		goto out_nomem;
	for (i = 0; i < n; i++)
		sorted[i] = (uint32_t)i;
	qsort_r(sorted, n, sizeof(*sorted), net_cmp, &ix);
	if (sweep(&w, sorted, n) < 0)
		goto out_nomem;
	/* the sort's index is no longer needed: the reports go in order */
	free(sorted);
	sorted = NULL;
	for (i = 0; i < n; i++)
		report(ld, &ix, (uint32_t)i, w.first[i]);
	goto out_free;

out_nomem:
	ld->nomem = true;
out_free:
	free(w.stack);
	free(w.first);
	free(sorted);
	free(ix.seg_first);
}
