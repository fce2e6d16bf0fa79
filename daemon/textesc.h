/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_TEXTESC_H
#define ZONED_TEXTESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Text from outside (kernel object names, interface names, isolation
 * reasons, arguments of zonectl) printed where an operator reads it: in a
 * log line or zonectl's text, a newline could forge a line, an escape
 * sequence drive the terminal, a bidirectional override reorder what is
 * shown.  Such text is escaped wherever it is printed, and an isolation
 * reason, which is kept and shown again, must not hold any of it.
 */

/*
 * text_problem - NULL when @s is valid UTF-8 without C0 or C1 controls,
 * DEL or bidirectional formatting characters; else what is wrong, to
 * follow "the reason ..."
 */
const char *text_problem(const char *s);

/**
 * text_escape - @s with every byte of a control character (C0, DEL, C1),
 * a bidirectional formatting character or invalid UTF-8 as \xHH, and '\'
 * as \\; valid UTF-8 text, Japanese included, is kept
 *
 * Returns the length the result needs, snprintf style; @buf is
 * NUL-terminated when @size is not 0.
 */
size_t text_escape(char *buf, size_t size, const char *s);

/* text_fputs - text_escape() @s to @f */
void text_fputs(FILE *f, const char *s);

#endif
