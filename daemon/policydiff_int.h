/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_POLICYDIFF_INT_H
#define ZONED_POLICYDIFF_INT_H

#include <stddef.h>

/*
 * The policy diff's inner step (policydiff_blocks.c): the entries of the
 * narrow and gateway blocks, compared as lines.
 */

struct zone_model;

struct policy_entries {
	char **v; /* "LIST { KEY = VALUE; ... }", LIST "narrow", "gateway ..." */
	size_t n;
};

/* policy_block_entries - @m's narrow and gateway entries; 0 or -1 */
int policy_block_entries(const struct zone_model *m, struct policy_entries *e);
/* policy_entries_free - free @e's entries (@e itself is the caller's) */
void policy_entries_free(struct policy_entries *e);

#endif
