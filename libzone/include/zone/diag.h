/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONE_DIAG_H
#define ZONE_DIAG_H

#include <stddef.h>

/*
 * A list of diagnostics, each a complete "FILE:LINE: message" line without
 * the newline.  libzone never prints: it fills a list and the caller
 * decides where the lines go.
 */
struct zone_diag;

/* zone_diag_new - an empty list, or NULL with errno set */
struct zone_diag *zone_diag_new(void);
/* zone_diag_free - release the list; NULL is fine */
void zone_diag_free(struct zone_diag *diag);
size_t zone_diag_count(const struct zone_diag *diag);
/* zone_diag_line - the i-th line, borrowed from the list */
const char *zone_diag_line(const struct zone_diag *diag, size_t i);
/*
 * zone_diag_add - append "FILE:LINE: message"; a NULL @file prints as
 * "(stdin)" and a @line of 0 leaves the line number out.
 * Returns 0 or -ENOMEM.
 */
int zone_diag_add(struct zone_diag *diag, const char *file, int line,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
