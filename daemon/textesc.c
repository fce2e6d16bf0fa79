/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Escaping of text from outside before it is printed (textesc.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zone/utf8.h>

#include "textesc.h"

/* text_problem - why @s may not be kept as an isolation reason, or NULL */
const char *text_problem(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	unsigned int cp;
	size_t len;

	while (n) {
		len = zone_utf8_len(p, n, &cp);
		if (len == 0)
			return "is not valid UTF-8";
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return "holds a control character (C0, DEL or C1)";
		if (zone_cp_unsafe(cp))
			return "holds a bidirectional formatting character";
		p += len;
		n -= len;
	}
	return NULL;
}

static void put(char *buf, size_t size, size_t *pos, const char *s, size_t n)
{
	size_t room;

	if (*pos + 1 < size) {
		room = size - *pos - 1;
		memcpy(buf + *pos, s, n < room ? n : room);
	}
	*pos += n;
	if (size)
		buf[*pos < size ? *pos : size - 1] = '\0';
}

/**
 * text_escape - @s escaped for a log line or a terminal
 *
 * Returns the length needed, NUL excluded.
 */
size_t text_escape(char *buf, size_t size, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	size_t pos = 0;
	unsigned int cp;
	char esc[5];
	size_t len;
	size_t i;

	if (size)
		buf[0] = '\0';
	while (n) {
		len = zone_utf8_len(p, n, &cp);
		if (len == 1 && *p == '\\') {
			put(buf, size, &pos, "\\\\", 2);
		} else if (len == 0 || zone_cp_unsafe(cp)) {
			if (len == 0)
				len = 1;
			for (i = 0; i < len; i++) {
				snprintf(esc, sizeof(esc), "\\x%02x", p[i]);
				put(buf, size, &pos, esc, 4);
			}
		} else {
			put(buf, size, &pos, (const char *)p, len);
		}
		p += len;
		n -= len;
	}
	return pos;
}

/* text_fputs - write @s escaped to @f */
void text_fputs(FILE *f, const char *s)
{
	char small[256];
	size_t len;
	char *big;

	len = text_escape(small, sizeof(small), s);
	if (len < sizeof(small)) {
		fputs(small, f);
		return;
	}
	big = malloc(len + 1);
	if (!big) {
		fputs("(no memory)", f);
		return;
	}
	text_escape(big, len + 1, s);
	fputs(big, f);
	free(big);
}
