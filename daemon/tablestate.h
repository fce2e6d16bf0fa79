/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_TABLESTATE_H
#define ZONED_TABLESTATE_H

#include <stdbool.h>

/*
 * The record of what zoned last applied (STATE_DIR/table) and the
 * table's signature: see tablestate.c.
 */

struct zoned;

int tablestate_start(struct zoned *z);
bool tablestate_keep(const struct zoned *z);
void tablestate_report(struct zoned *z, const char *action);
/* @rs: the plan applied, whose elements the record digests; NULL: none */
struct zone_ruleset;
void tablestate_save(struct zoned *z, const char *policy,
		     const struct zone_ruleset *rs);
void tablestate_free(struct zoned *z);

#endif
