/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every control command uses to write its reply (see ctlout.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <time.h>

#include "ctlout.h"
#include "textesc.h"

/**
 * ctl_fail - report a failed command to the client
 * @o: the reply
 * @fmt: the message, lower case, no trailing period
 *
 * Writes "zonectl: MESSAGE" to the reply's error stream and sets its exit
 * status to 1.  Messages echo the client's arguments: they are escaped.
 */
void ctl_fail(struct ctl_out *o, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fputs("zonectl: ", o->err);
	text_fputs(o->err, msg);
	fputc('\n', o->err);
	o->status = 1;
}

/**
 * ctl_policy_result - reply that the policy @hash was @result ("applied",
 * "confirmed"), as text or as the JSON document
 */
void ctl_policy_result(struct ctl_out *o, const char *hash, const char *result)
{
	if (!o->json) {
		fprintf(o->out, "policy %s %s\n", hash, result);
		return;
	}
	json_object(&o->j, NULL);
	json_string(&o->j, "result", result);
	json_string(&o->j, "hash", hash);
	json_finish(&o->j);
}

/**
 * ctl_time - format @t as ISO 8601 local time with its UTC offset
 * @buf: at least 32 bytes
 *
 * Returns @buf.
 */
const char *ctl_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (!localtime_r(&t, &tm) ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%S%z", &tm) == 0)
		snprintf(buf, size, "%lld", (long long)t);
	return buf;
}

/* A stream into a reply's text that drops what the reply cannot carry. */
struct ctl_capped {
	FILE *to;
	size_t left;
};

static ssize_t capped_write(void *cookie, const char *buf, size_t size)
{
	struct ctl_capped *c = cookie;
	size_t n = size < c->left ? size : c->left;

	if (n && fwrite(buf, 1, n, c->to) != n)
		return -1;
	c->left -= n;
	return (ssize_t)size;
}

static int capped_close(void *cookie)
{
	free(cookie);
	return 0;
}

/**
 * ctl_out_capped - a stream into @o's text that keeps one byte more than
 * a reply carries and drops the rest
 * @o: the reply
 *
 * The reply is cut at CTL_REPLY_MAX when it is sent, so what it would
 * cut need not be held first: a policy of a million networks prints 25
 * MB.  The byte kept past the bound makes the cut, and its notice, come
 * as they would.  Returns the stream (fclose() it before the reply is
 * sent), or NULL without memory.
 */
FILE *ctl_out_capped(struct ctl_out *o)
{
	static const cookie_io_functions_t io = {
		.write = capped_write,
		.close = capped_close,
	};
	struct ctl_capped *c = calloc(1, sizeof(*c));
	off_t used = ftello(o->out);
	FILE *f;

	if (!c)
		return NULL;
	c->to = o->out;
	if (used >= 0 && used <= CTL_REPLY_MAX)
		c->left = CTL_REPLY_MAX + 1 - (size_t)used;
	f = fopencookie(c, "w", io);
	if (!f)
		free(c);
	return f;
}
