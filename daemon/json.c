/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON emitter of zonectl's replies (see json.h): one place that
 * writes commas, brackets and escaped strings.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <zone/utf8.h>

#include "json.h"

/*
 * Write the bytes from @p to @end escaped, without quotes.  Unless @last,
 * a sequence the end cuts in the middle is left for the next call, with
 * the bytes that complete it: the return value is where to go on.
 */
static const unsigned char *quote_bytes(FILE *out, const unsigned char *p,
					const unsigned char *end, bool last)
{
	while (p < end) {
		unsigned int cp = 0;
		size_t n = zone_utf8_len(p, (size_t)(end - p), &cp);

		if (n == 0 && !last && end - p < 4) {
			break;
		} else if (n == 0) {
			fputs("\\ufffd", out);
			p++;
		} else if (*p == '"' || *p == '\\') {
			fprintf(out, "\\%c", *p++);
		} else if (*p == '\n') {
			fputs("\\n", out);
			p++;
		} else if (*p == '\t') {
			fputs("\\t", out);
			p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(out, "\\u%04x", *p++);
		} else if (n > 1 && zone_cp_unsafe(cp)) {
			/*
			 * C1 controls and bidirectional formatting characters
			 * are valid JSON, but whoever cats the output to a
			 * terminal would get them raw.
			 */
			fprintf(out, "\\u%04x", cp);
			p += n;
		} else {
			fwrite(p, 1, n, out);
			p += n;
		}
	}
	return p;
}

/* json_quote - see json.h */
void json_quote(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	quote_bytes(out, p, p + strlen(s), true);
	fputc('"', out);
}

/*
 * Up to @max of @fd's bytes as one JSON string, read a slice at a time so
 * that a file of any size is never held: 0, or -errno when reading
 * failed (the string is closed all the same).
 */
static int quote_fd(FILE *out, int fd, size_t max)
{
	unsigned char buf[65536];
	const unsigned char *next;
	size_t have = 0;
	size_t want;
	ssize_t n;
	int ret = 0;

	fputc('"', out);
	while (max > 0) {
		want = sizeof(buf) - have < max ? sizeof(buf) - have : max;
		n = read(fd, buf + have, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ret = -errno;
		if (n <= 0)
			break;
		max -= (size_t)n;
		have += (size_t)n;
		next = quote_bytes(out, buf, buf + have, false);
		/* at most three bytes of a sequence cut by the read */
		have -= (size_t)(next - buf);
		memmove(buf, next, have);
	}
	quote_bytes(out, buf, buf + have, true);
	fputc('"', out);
	return ret;
}

void json_start(struct json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->deeper = 0;
	j->more[0] = false;
}

/*
 * The comma and the key before a value at the current level.  False
 * inside containers deeper than JSON_DEPTH_MAX: what is there is left out
 * rather than written unbalanced.
 */
static bool json_member(struct json *j, const char *key)
{
	if (j->deeper)
		return false;
	if (j->more[j->depth])
		fputc(',', j->out);
	j->more[j->depth] = true;
	if (j->depth > 0 && j->close[j->depth] == '}') {
		json_quote(j->out, key);
		fputc(':', j->out);
	}
	return true;
}

static void json_open(struct json *j, const char *key, char open, char close)
{
	if (j->depth == JSON_DEPTH_MAX || !json_member(j, key)) {
		j->deeper++;
		return;
	}
	fputc(open, j->out);
	j->depth++;
	j->more[j->depth] = false;
	j->close[j->depth] = close;
}

void json_object(struct json *j, const char *key)
{
	json_open(j, key, '{', '}');
}

void json_array(struct json *j, const char *key)
{
	json_open(j, key, '[', ']');
}

void json_end(struct json *j)
{
	if (j->deeper) {
		j->deeper--;
		return;
	}
	if (j->depth == 0)
		return;
	fputc(j->close[j->depth], j->out);
	j->depth--;
}

void json_finish(struct json *j)
{
	j->deeper = 0;
	while (j->depth > 0)
		json_end(j);
	fputc('\n', j->out);
}

void json_string(struct json *j, const char *key, const char *s)
{
	if (json_member(j, key))
		json_quote(j->out, s);
}

void json_uint(struct json *j, const char *key, uint64_t v)
{
	if (json_member(j, key))
		fprintf(j->out, "%" PRIu64, v);
}

void json_int(struct json *j, const char *key, int64_t v)
{
	if (json_member(j, key))
		fprintf(j->out, "%" PRId64, v);
}

void json_bool(struct json *j, const char *key, bool v)
{
	if (json_member(j, key))
		fputs(v ? "true" : "false", j->out);
}

/**
 * json_string_fd - member @key: the text of @fd, from its offset to its
 * end or @max bytes, as one string, streamed
 * @j: the document
 * @key: ignored inside an array
 * @fd: open for reading; stays the caller's
 * @max: the most bytes read (SIZE_MAX: all)
 *
 * Escaped as json_quote() escapes; a NUL byte becomes \u0000.  Returns
 * 0, or -errno when reading failed: the string holds what was read and
 * the document stays well formed.
 */
int json_string_fd(struct json *j, const char *key, int fd, size_t max)
{
	if (!json_member(j, key))
		return 0;
	return quote_fd(j->out, fd, max);
}

void json_null(struct json *j, const char *key)
{
	if (json_member(j, key))
		fputs("null", j->out);
}
