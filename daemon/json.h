/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_JSON_H
#define ZONED_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * A small JSON emitter, after OpenBSD bgpctl's json.c: the caller opens
 * objects and arrays and adds members; the emitter writes the commas and
 * closes what was opened.  Every string goes through json_quote(), so
 * that no command builds JSON by hand.  Keys are ignored inside arrays
 * and at the top level.  Containers nested deeper than JSON_DEPTH_MAX are
 * left out, with what they hold, so that the document stays valid.  The state is per document, not global: a
 * streamed reply (zonectl flows) keeps its own across callbacks.
 */

#define JSON_DEPTH_MAX 12

struct json {
	FILE *out;
	unsigned int depth;
	unsigned int deeper; /* containers past JSON_DEPTH_MAX, left out */
	bool more[JSON_DEPTH_MAX + 1]; /* a value was written at this level */
	char close[JSON_DEPTH_MAX + 1]; /* '}' or ']' */
};

/* json_start - begin a document on @out (one top-level value) */
void json_start(struct json *j, FILE *out);
/* json_finish - close whatever is open and end the line */
void json_finish(struct json *j);

/* json_object / json_array - open a container as member @key */
void json_object(struct json *j, const char *key);
void json_array(struct json *j, const char *key);
/* json_end - close the innermost container */
void json_end(struct json *j);

/* Members: @key is ignored inside an array. */
void json_string(struct json *j, const char *key, const char *s);
void json_uint(struct json *j, const char *key, uint64_t v);
void json_int(struct json *j, const char *key, int64_t v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* json_string_fd - member @key: @fd's text, @max bytes at most; 0/-errno */
int json_string_fd(struct json *j, const char *key, int fd, size_t max);

/**
 * json_quote - write @s as a JSON string, quotes included
 * @out: the stream
 * @s: the text; NULL writes null
 *
 * Control characters (C0, DEL, C1) and the bidirectional formatting
 * characters are escaped (\uXXXX) and bytes that are not valid UTF-8
 * become U+FFFD, so that the output is valid JSON whatever the input and
 * safe to show on a terminal.
 */
void json_quote(FILE *out, const char *s);

#endif
