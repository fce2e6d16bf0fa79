/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_POLICYDIFF_H
#define ZONED_POLICYDIFF_H

#include <stdbool.h>
#include <stdio.h>

/*
 * The difference between two policies, for zonectl diff and for the
 * summary of the policy alert: shared by zonectl and zoned.
 */

struct zone_model;

/* The names of what changed, comma-separated, cut to fit. */
struct json;

struct policy_diff_sum {
	char added[256]; /* channels */
	char removed[256];
	char changed[256];
	char zones[256]; /* zones and attachments added, removed, changed */
	unsigned int n_added;
	unsigned int n_removed;
	unsigned int n_changed;
	unsigned int n_zones;
};

struct policy_diff {
	FILE *out; /* NULL: only the summary */
	struct json *json; /* else JSON objects into this open array */
	bool any;
	struct policy_diff_sum sum;
	/* the details of the change being built */
	bool pending; /* one there is, not formatted (d->out NULL) */
	FILE *detail;
	char *text;
	size_t len;
};

/*
 * policy_diff - compare @a (old) with @b (new): each change is printed to
 * d->out as text, or added to d->json as an object, and counted in d->sum.
 */
void policy_diff(struct policy_diff *d, const struct zone_model *a,
		 const struct zone_model *b);

/* policy_diff_summary - @s as one line for the history, into @buf */
void policy_diff_summary(const struct policy_diff_sum *s, char *buf,
			 size_t size);

#endif
