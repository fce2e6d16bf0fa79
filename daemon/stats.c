/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Counters per segment pair.  The pairs are few (segments squared, plus
 * "-" for addresses no segment claims), so a small open hash keyed by the
 * two names is plenty; the names are copied so that a reload that frees
 * the old model leaves the counts readable.
 */
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "stats.h"

#define STATS_BUCKETS 256

struct stat_pair {
	struct stat_pair *next;
	char *src;
	char *dst;
	uint64_t counts[STAT_MAX];
};

struct stats {
	struct stat_pair *buckets[STATS_BUCKETS];
	size_t n_pairs;
	uint64_t totals[STAT_MAX];
};

static const char *const stat_kind_names[STAT_MAX] = {
	[STAT_DENY] = "deny",
	[STAT_VIOLATION] = "violation",
	[STAT_KILLED] = "killed",
	[STAT_SPOOF] = "spoof",
	[STAT_DRIFT] = "drift",
	[STAT_EVENTS_LOST] = "events-lost",
};

/**
 * stats_new - an empty set of counters
 *
 * Returns the counters, or NULL with errno set.
 */
struct stats *stats_new(void)
{
	return calloc(1, sizeof(struct stats));
}

/**
 * stats_free - release the counters; NULL is fine
 */
void stats_free(struct stats *stats)
{
	size_t i;

	if (!stats)
		return;
	for (i = 0; i < STATS_BUCKETS; i++) {
		struct stat_pair *p = stats->buckets[i];

		while (p) {
			struct stat_pair *next = p->next;

			free(p->src);
			free(p->dst);
			free(p);
			p = next;
		}
	}
	free(stats);
}

/* FNV-1a over both names, with a separator so ("ab","c") != ("a","bc"). */
static unsigned int pair_hash(const char *src, const char *dst)
{
	static const uint8_t sep = 0xff;
	uint32_t h = fnv1a(FNV1A_INIT, src, strlen(src));

	h = fnv1a(h, &sep, 1);
	return fnv1a(h, dst, strlen(dst)) % STATS_BUCKETS;
}

static struct stat_pair *pair_find(const struct stats *stats, const char *src,
				   const char *dst, unsigned int h)
{
	struct stat_pair *p;

	for (p = stats->buckets[h]; p; p = p->next)
		if (strcmp(p->src, src) == 0 && strcmp(p->dst, dst) == 0)
			return p;
	return NULL;
}

static struct stat_pair *pair_add(struct stats *stats, const char *src,
				  const char *dst, unsigned int h)
{
	struct stat_pair *p;

	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->src = strdup(src);
	p->dst = strdup(dst);
	if (!p->src || !p->dst) {
		free(p->src);
		free(p->dst);
		free(p);
		return NULL;
	}
	p->next = stats->buckets[h];
	stats->buckets[h] = p;
	stats->n_pairs++;
	return p;
}

/* pair_get - find or make the pair; NULL only when memory runs out */
static struct stat_pair *pair_get(struct stats *stats, const char *src,
				  const char *dst)
{
	unsigned int h = pair_hash(src, dst);
	struct stat_pair *p;

	p = pair_find(stats, src, dst, h);
	if (p)
		return p;
	if (stats->n_pairs >= STATS_MAX_PAIRS) {
		src = "-";
		dst = "-";
		h = pair_hash(src, dst);
		p = pair_find(stats, src, dst, h);
		if (p)
			return p;
	}
	return pair_add(stats, src, dst, h);
}

/**
 * stats_count - add to a counter
 * @kind: what happened
 * @src, @dst: segment names; NULL counts as "-"
 * @n: how many times
 *
 * Never fails: when memory runs out the total still counts, only the
 * per-pair breakdown misses it.
 */
void stats_count(struct stats *stats, enum stat_kind kind, const char *src,
		 const char *dst, uint64_t n)
{
	struct stat_pair *p;

	if (!stats || kind >= STAT_MAX || n == 0)
		return;
	stats->totals[kind] += n;
	p = pair_get(stats, src ? src : "-", dst ? dst : "-");
	if (p)
		p->counts[kind] += n;
}

/**
 * stats_total - the sum of a counter over every pair
 */
uint64_t stats_total(const struct stats *stats, enum stat_kind kind)
{
	if (!stats || kind >= STAT_MAX)
		return 0;
	return stats->totals[kind];
}

/**
 * stats_kind_name - "deny", "violation", ...; NULL for an unknown kind
 */
const char *stats_kind_name(enum stat_kind kind)
{
	if (kind >= STAT_MAX)
		return NULL;
	return stat_kind_names[kind];
}

/**
 * stats_foreach - call @cb for every pair with a count
 *
 * The order is that of the hash table: callers that print sort first.
 * @cb must not change @stats.
 */
void stats_foreach(const struct stats *stats, stats_pair_cb cb, void *arg)
{
	const struct stat_pair *p;
	size_t i;
	int k;

	if (!stats)
		return;
	for (i = 0; i < STATS_BUCKETS; i++) {
		for (p = stats->buckets[i]; p; p = p->next) {
			for (k = 0; k < STAT_MAX; k++)
				if (p->counts[k])
					break;
			if (k < STAT_MAX)
				cb(p->src, p->dst, p->counts, arg);
		}
	}
}
