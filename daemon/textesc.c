/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Escaping of text from outside before it is printed (textesc.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textesc.h"

/**
 * text_utf8_len - decode one UTF-8 sequence
 *
 * Returns its length (1 to 4) with the code point in @ret_cp, or 0 for
 * an invalid sequence.
 */
size_t text_utf8_len(const unsigned char *s, size_t n, unsigned int *ret_cp)
{
	unsigned int cp;
	size_t len;
	size_t i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*ret_cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	*ret_cp = cp;
	return len;
}

/**
 * text_cp_unsafe - a code point that must not reach a terminal or a log
 * as it is: C0 and C1 controls, DEL, and the bidirectional formatting
 * characters (ALM, LRM, RLM, the embeddings, overrides and isolates),
 * which can make a line read differently from what it holds
 */
bool text_cp_unsafe(unsigned int cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c ||
	       cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* text_problem - why @s may not be kept as an isolation reason, or NULL */
const char *text_problem(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	unsigned int cp;
	size_t len;

	while (n) {
		len = text_utf8_len(p, n, &cp);
		if (len == 0)
			return "is not valid UTF-8";
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return "holds a control character (C0, DEL or C1)";
		if (text_cp_unsafe(cp))
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
		len = text_utf8_len(p, n, &cp);
		if (len == 1 && *p == '\\') {
			put(buf, size, &pos, "\\\\", 2);
		} else if (len == 0 || text_cp_unsafe(cp)) {
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
