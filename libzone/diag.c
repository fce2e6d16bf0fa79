/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A growing list of "FILE:LINE: message" lines.  libzone fills it and
 * never prints; the daemon and zonectl decide where the lines go.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <zone/diag.h>

struct zone_diag {
	char **lines;
	size_t count;
	size_t alloc;
};

/* zone_diag_new - an empty list, or NULL with errno set */
struct zone_diag *zone_diag_new(void)
{
	return calloc(1, sizeof(struct zone_diag));
}

/* zone_diag_free - release the list; NULL is fine */
void zone_diag_free(struct zone_diag *diag)
{
	size_t i;

	if (!diag)
		return;
	for (i = 0; i < diag->count; i++)
		free(diag->lines[i]);
	free(diag->lines);
	free(diag);
}

/* zone_diag_count - the number of lines */
size_t zone_diag_count(const struct zone_diag *diag)
{
	return diag->count;
}

/* zone_diag_line - the i-th line, borrowed from the list; NULL past the end */
const char *zone_diag_line(const struct zone_diag *diag, size_t i)
{
	return i < diag->count ? diag->lines[i] : NULL;
}

static int diag_grow(struct zone_diag *diag)
{
	size_t alloc = diag->alloc ? diag->alloc * 2 : 8;
	char **lines;

	lines = reallocarray(diag->lines, alloc, sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	diag->lines = lines;
	diag->alloc = alloc;
	return 0;
}

/**
 * zone_diag_add - append "FILE:LINE: message"
 * @diag: the list
 * @file: the file name; NULL prints as "(stdin)"
 * @line: the line number; 0 leaves it out
 * @fmt: printf format of the message
 *
 * Returns 0 or -ENOMEM (the list is unchanged then).
 */
int zone_diag_add(struct zone_diag *diag, const char *file, int line,
		  const char *fmt, ...)
{
	char *msg;
	char *text;
	va_list ap;
	int ret;

	if (diag->count == diag->alloc && diag_grow(diag) < 0)
		return -ENOMEM;
	va_start(ap, fmt);
	ret = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (ret < 0)
		return -ENOMEM;
	if (line > 0)
		ret = asprintf(&text, "%s:%d: %s", file ? file : "(stdin)",
			       line, msg);
	else
		ret = asprintf(&text, "%s: %s", file ? file : "(stdin)", msg);
	free(msg);
	if (ret < 0)
		return -ENOMEM;
	diag->lines[diag->count++] = text;
	return 0;
}
