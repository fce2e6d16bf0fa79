/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_CONFWATCH_H
#define ZONED_CONFWATCH_H

struct zoned;
struct confwatch;

/*
 * confwatch_open - watch the directory of @path (editors write by rename,
 * so the file itself cannot be watched) and call @changed once a burst
 * of changes to the file has ended (confwatch.c).  Returns the watch, or
 * NULL with errno set (a directory that cannot be watched is logged).
 */
struct confwatch *confwatch_open(struct zoned *z, const char *path,
				 void (*changed)(struct zoned *z));
/* confwatch_close - stop watching; NULL is fine */
void confwatch_close(struct zoned *z, struct confwatch *w);

#endif
