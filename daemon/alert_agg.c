/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Summaries of the deny and flow alerts a budget could not send (see
 * alert_agg.h): a flood from one host becomes one count= line per window
 * instead of being lost or flooding syslog.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_agg.h"
#include "fnv.h"

#define AGG_BUCKETS 64

struct agg_entry {
	struct agg_entry *next;		/* hash chain */
	enum alert_event event;
	uint64_t window_end;
	uint64_t count;
	uint64_t packets;
	uint64_t bytes;
	bool has_counters;
	size_t n_pairs;
	struct alert_pair pairs[ALERT_MAX_PAIRS];
	size_t key_len;
	char key[];			/* "key\0value\0..." */
};

struct alert_agg {
	struct agg_entry *buckets[AGG_BUCKETS];
	size_t n;
};

/* alert_agg_new - an empty aggregation table */
struct alert_agg *alert_agg_new(void)
{
	return calloc(1, sizeof(struct alert_agg));
}

/* alert_agg_free - free the table and its entries; NULL is fine */
void alert_agg_free(struct alert_agg *agg)
{
	size_t i;

	if (!agg)
		return;
	for (i = 0; i < AGG_BUCKETS; i++) {
		while (agg->buckets[i]) {
			struct agg_entry *e = agg->buckets[i];

			agg->buckets[i] = e->next;
			free(e);
		}
	}
	free(agg);
}

/* The keys that differ from flow to flow of one flood. */
static bool agg_per_flow(const char *key)
{
	return strcmp(key, "sport") == 0 || strcmp(key, "count") == 0 ||
	       strcmp(key, "packets") == 0 || strcmp(key, "bytes") == 0;
}

static uint64_t agg_number(const char *value)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(value, &end, 10);
	if (errno || *end || end == value)
		return 0;
	return v;
}

/* The key of an alert: its event and every pair but the per-flow ones. */
static size_t agg_key(enum alert_event event, const struct alert_pair *pairs,
		      size_t n, char *buf, size_t size)
{
	size_t len;
	size_t i;

	len = (size_t)snprintf(buf, size, "%d", (int)event) + 1;
	for (i = 0; i < n && len < size; i++) {
		if (!pairs[i].value || agg_per_flow(pairs[i].key))
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s",
					pairs[i].key) + 1;
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s",
						pairs[i].value) + 1;
	}
	return len < size ? len : 0;
}

static unsigned int agg_hash(const char *key, size_t len)
{
	return fnv1a(FNV1A_INIT, key, len) % AGG_BUCKETS;
}

/* Point the entry's pairs into its key copy. */
static void agg_entry_pairs(struct agg_entry *e)
{
	const char *p = e->key + strlen(e->key) + 1;
	const char *end = e->key + e->key_len;

	e->n_pairs = 0;
	while (p < end && e->n_pairs < ALERT_MAX_PAIRS) {
		e->pairs[e->n_pairs].key = p;
		p += strlen(p) + 1;
		e->pairs[e->n_pairs++].value = p;
		p += strlen(p) + 1;
	}
}

static void agg_count(struct agg_entry *e, const struct alert_pair *pairs,
		      size_t n)
{
	uint64_t count = 1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!pairs[i].value)
			continue;
		if (strcmp(pairs[i].key, "count") == 0) {
			count = agg_number(pairs[i].value);
		} else if (strcmp(pairs[i].key, "packets") == 0) {
			e->packets += agg_number(pairs[i].value);
			e->has_counters = true;
		} else if (strcmp(pairs[i].key, "bytes") == 0) {
			e->bytes += agg_number(pairs[i].value);
			e->has_counters = true;
		}
	}
	e->count += count;
}

/**
 * alert_agg_add - count one alert under its key
 *
 * Returns 0, -ENOSPC (table full) or -ENOMEM.
 */
int alert_agg_add(struct alert_agg *agg, enum alert_event event,
		  const struct alert_pair *pairs, size_t n_pairs,
		  uint64_t now_ns)
{
	char key[ALERT_LINE_MAX];
	struct agg_entry *e;
	unsigned int h;
	size_t len;

	len = agg_key(event, pairs, n_pairs, key, sizeof(key));
	if (len == 0)
		return -ENOSPC;
	h = agg_hash(key, len);
	for (e = agg->buckets[h]; e; e = e->next)
		if (e->key_len == len && memcmp(e->key, key, len) == 0)
			break;
	if (!e) {
		if (agg->n >= ALERT_AGG_MAX_KEYS)
			return -ENOSPC;
		e = calloc(1, sizeof(*e) + len);
		if (!e)
			return -ENOMEM;
		e->event = event;
		e->window_end = now_ns + ALERT_AGG_WINDOW_NS;
		e->key_len = len;
		memcpy(e->key, key, len);
		agg_entry_pairs(e);
		e->next = agg->buckets[h];
		agg->buckets[h] = e;
		agg->n++;
	}
	agg_count(e, pairs, n_pairs);
	return 0;
}

static void agg_say(struct agg_entry *e, alert_agg_cb cb, void *arg)
{
	struct alert_pair pairs[ALERT_MAX_PAIRS + 3];
	char count[24];
	char packets[24];
	char bytes[24];
	size_t n = e->n_pairs;

	memcpy(pairs, e->pairs, n * sizeof(pairs[0]));
	snprintf(count, sizeof(count), "%" PRIu64, e->count);
	pairs[n].key = "count";
	pairs[n++].value = count;
	if (e->has_counters) {
		snprintf(packets, sizeof(packets), "%" PRIu64, e->packets);
		snprintf(bytes, sizeof(bytes), "%" PRIu64, e->bytes);
		pairs[n].key = "packets";
		pairs[n++].value = packets;
		pairs[n].key = "bytes";
		pairs[n++].value = bytes;
	}
	cb(arg, e->event, pairs, n);
}

/**
 * alert_agg_flush - one summary per entry whose window ended (or every
 * entry when @all), then forget it
 *
 * Returns the number of summaries.
 */
size_t alert_agg_flush(struct alert_agg *agg, uint64_t now_ns, bool all,
		       alert_agg_cb cb, void *arg)
{
	size_t said = 0;
	size_t i;

	for (i = 0; i < AGG_BUCKETS; i++) {
		struct agg_entry **pp = &agg->buckets[i];

		while (*pp) {
			struct agg_entry *e = *pp;

			if (!all && e->window_end > now_ns) {
				pp = &e->next;
				continue;
			}
			*pp = e->next;
			agg->n--;
			agg_say(e, cb, arg);
			free(e);
			said++;
		}
	}
	return said;
}
