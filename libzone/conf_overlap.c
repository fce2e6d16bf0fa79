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

#define NO_NETWORK SIZE_MAX

struct net_entry {
	const struct zone_prefix *prefix;
	size_t seg;
	size_t k; /* index in the segment's networks */
	size_t first_container; /* earliest containing network, by order */
	size_t first_contained; /* earliest network it contains */
};

/* A container still open in the sweep, with the earliest one below it. */
struct open_net {
	size_t order;
	size_t earliest; /* min order of this and every open below */
};

static int net_cmp(const void *a, const void *b, void *arg)
{
	const struct net_entry *nets = arg;
	const struct zone_prefix *p = nets[*(const size_t *)a].prefix;
	const struct zone_prefix *q = nets[*(const size_t *)b].prefix;
	int r;

	if (p->addr.family != q->addr.family)
		return p->addr.family < q->addr.family ? -1 : 1;
	r = memcmp(p->addr.bytes, q->addr.bytes, sizeof(p->addr.bytes));
	if (r)
		return r;
	if (p->len != q->len)
		return p->len < q->len ? -1 : 1;
	/* Equal prefixes: the one written first contains the other. */
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static bool net_contains(const struct zone_prefix *outer,
			 const struct zone_prefix *inner)
{
	return outer->addr.family == inner->addr.family &&
	       outer->len <= inner->len &&
	       zone_prefix_contains(outer, &inner->addr);
}

static size_t min_order(size_t a, size_t b)
{
	return a < b ? a : b;
}

/*
 * Close the innermost open network: what it contains, and itself, is
 * contained in the network below it on the stack.
 */
static void pop_open(struct net_entry *nets, struct open_net *stack,
		     size_t *depth)
{
	struct net_entry *closed = &nets[stack[--*depth].order];
	struct net_entry *parent;

	if (*depth == 0)
		return;
	parent = &nets[stack[*depth - 1].order];
	parent->first_contained = min_order(parent->first_contained,
					    min_order(stack[*depth].order,
						      closed->first_contained));
}

static void sweep(struct net_entry *nets, const size_t *sorted, size_t n,
		  struct open_net *stack)
{
	size_t depth = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		size_t o = sorted[i];

		while (depth &&
		       !net_contains(nets[stack[depth - 1].order].prefix,
				     nets[o].prefix))
			pop_open(nets, stack, &depth);
		nets[o].first_container = depth ? stack[depth - 1].earliest :
						  NO_NETWORK;
		stack[depth].order = o;
		stack[depth].earliest =
			depth ? min_order(o, stack[depth - 1].earliest) : o;
		depth++;
	}
	while (depth)
		pop_open(nets, stack, &depth);
}

static void report(struct conf_loader *ld, const struct net_entry *nets,
		   size_t o)
{
	const struct net_entry *e = &nets[o];
	size_t first = min_order(e->first_container, e->first_contained);
	const struct net_entry *q;
	char a[ZONE_PREFIX_STRLEN];
	char b[ZONE_PREFIX_STRLEN];
	int line = ld->seg_aux[e->seg].net_lines[e->k];
	const char *what = ld->seg_aux[e->seg].what;

	if (first >= o)
		return; /* overlaps nothing written before it */
	q = &nets[first];
	zone_prefix_format(e->prefix, a, sizeof(a));
	zone_prefix_format(q->prefix, b, sizeof(b));
	if (q->seg != e->seg)
		conf_error(ld, line,
			   "%s: network %s overlaps %s of %s (line %d)", what,
			   a, b, ld->seg_aux[q->seg].what,
			   ld->seg_aux[q->seg].net_lines[q->k]);
	else if (e->prefix->len == q->prefix->len)
		conf_error(ld, line, "%s: duplicate network %s (line %d)", what,
			   a, ld->seg_aux[q->seg].net_lines[q->k]);
	else
		conf_error(
			ld, line,
			"%s: network %s is redundant with %s (line %d): one contains the other",
			what, a, b, ld->seg_aux[q->seg].net_lines[q->k]);
}

void conf_check_networks(struct conf_loader *ld)
{
	const struct zone_model *m = ld->model;
	struct net_entry *nets;
	struct open_net *stack;
	size_t *sorted;
	size_t n = 0;
	size_t i;
	size_t k;

	for (i = 0; i < m->n_segments; i++)
		n += m->segments[i].n_networks;
	nets = calloc(n ? n : 1, sizeof(*nets));
	sorted = calloc(n ? n : 1, sizeof(*sorted));
	stack = calloc(n ? n : 1, sizeof(*stack));
	if (!nets || !sorted || !stack) {
		ld->nomem = true;
		goto out_free;
	}
	/* The order of a network is its place in the config. */
	n = 0;
	for (i = 0; i < m->n_segments; i++) {
		for (k = 0; k < m->segments[i].n_networks; k++, n++) {
			nets[n].prefix = &m->segments[i].networks[k];
			nets[n].seg = i;
			nets[n].k = k;
			nets[n].first_contained = NO_NETWORK;
			sorted[n] = n;
		}
	}
	qsort_r(sorted, n, sizeof(*sorted), net_cmp, nets);
	sweep(nets, sorted, n, stack);
	for (i = 0; i < n; i++)
		report(ld, nets, i);
out_free:
	free(stack);
	free(sorted);
	free(nets);
}
