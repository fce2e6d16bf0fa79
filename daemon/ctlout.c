/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every control command uses to write its reply (see ctlout.h).
 */
#include <stdarg.h>
#include <stdio.h>
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
