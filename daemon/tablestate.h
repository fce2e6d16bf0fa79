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
void tablestate_save(struct zoned *z, const char *policy);
void tablestate_free(struct zoned *z);

#endif
