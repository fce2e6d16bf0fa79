/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The loader's error collection: every problem is kept with its line and
 * handed to the caller's zone_diag in line order once the whole file has
 * been read, so that the load reports all of them, not the first.  Every
 * part of the loader calls conf_error(); this unit calls none of them.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <zone/diag.h>

#include "conf_priv.h"

void conf_error(struct conf_loader *ld, int line, const char *fmt, ...)
{
	struct conf_msg *msgs;
	va_list ap;
	char *msg;
	int ret;

	ld->errors++;
	msgs = reallocarray(ld->msgs, ld->n_msgs + 1, sizeof(*msgs));
	if (!msgs) {
		ld->nomem = true;
		return;
	}
	ld->msgs = msgs;
	va_start(ap, fmt);
	ret = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (ret < 0) {
		ld->nomem = true;
		return;
	}
	msgs[ld->n_msgs].line = line;
	msgs[ld->n_msgs].text = msg;
	ld->n_msgs++;
}

/* Line order, and the order of discovery within a line (stable). */
static void sort_msgs(struct conf_msg *v, size_t n)
{
	struct conf_msg tmp;
	size_t i;
	size_t j;

	for (i = 1; i < n; i++) {
		tmp = v[i];
		for (j = i; j > 0 && v[j - 1].line > tmp.line; j--)
			v[j] = v[j - 1];
		v[j] = tmp;
	}
}

/*
 * conf_flush_msgs - hand the collected messages to ld->diag in line order
 * and free them; a failed allocation sets ld->nomem
 */
void conf_flush_msgs(struct conf_loader *ld)
{
	size_t i;

	sort_msgs(ld->msgs, ld->n_msgs);
	for (i = 0; i < ld->n_msgs; i++) {
		if (zone_diag_add(ld->diag, ld->file, ld->msgs[i].line, "%s",
				  ld->msgs[i].text) < 0)
			ld->nomem = true;
		free(ld->msgs[i].text);
	}
	free(ld->msgs);
	ld->msgs = NULL;
	ld->n_msgs = 0;
}
