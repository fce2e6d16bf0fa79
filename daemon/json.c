/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON emitter of zonectl's replies (see json.h): one place that
 * writes commas, brackets and escaped strings.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include "json.h"

/*
 * The length of the UTF-8 sequence at @s, or 0 when it is not valid; the
 * code point in @ret_cp.
 */
static size_t utf8_len(const unsigned char *s, unsigned int *ret_cp)
{
	size_t n;
	size_t i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong forms, surrogates and code points past U+10FFFF */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	*ret_cp = s[0] & (0x7f >> n);
	for (i = 1; i < n; i++)
		*ret_cp = *ret_cp << 6 | (s[i] & 0x3f);
	return n;
}

/*
 * C1 controls and the bidirectional formatting characters are valid in
 * JSON, but whoever cats the output to a terminal would get them raw.
 */
static bool json_cp_escaped(unsigned int cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
	       cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
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
	while (*p) {
		unsigned int cp = 0;
		size_t n = utf8_len(p, &cp);

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
		} else if (n > 1 && json_cp_escaped(cp)) {
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
