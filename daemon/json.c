/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON emitter of zonectl's replies (see json.h): one place that
 * writes commas, brackets and escaped strings.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <zone/utf8.h>

#include "json.h"

/* json_quote - see json.h */
void json_quote(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end;

	if (!s) {
		fputs("null", out);
		return;
	}
	end = p + strlen(s);
	fputc('"', out);
	while (*p) {
		unsigned int cp = 0;
		size_t n = zone_utf8_len(p, (size_t)(end - p), &cp);

		if (n == 0) {
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
	fputc('"', out);
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

void json_null(struct json *j, const char *key)
{
	if (json_member(j, key))
		fputs("null", j->out);
}
