/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_CTL_AUDIT_H
#define ZONED_CTL_AUDIT_H

/* Shared by the two files of zonectl audit: ctl_audit.c, ctl_audit_inv.c. */

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <zone/model.h>
#include <zone/verdict.h>

struct zoned;
struct ctl_out;
struct zone_counter;

struct audit {
	struct zoned *z;
	struct ctl_out *o;
	time_t now;
	bool ok; /* no problem found */
	struct zone_counter *counters;
	size_t n_counters;
	bool have_counters;
};

/* audit_invariant - the hard invariant, judged again; clears a->ok */
void audit_invariant(struct audit *a);
/*
 * audit_unnarrowed - true when the cell @s -> @d is allowed towards an
 * attachment that no narrow entry names; the rule in *@ret_rule
 */
bool audit_unnarrowed(const struct zone_model *m,
		      const struct zone_segment *s,
		      const struct zone_segment *d, enum zone_rule *ret_rule);

#endif
