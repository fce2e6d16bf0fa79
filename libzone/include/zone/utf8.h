/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONE_UTF8_H
#define ZONE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Text from outside (config labels and reasons, kernel object names,
 * isolation reasons, control requests) is checked, escaped or quoted
 * before an operator reads it.  Every one of those places decodes UTF-8
 * with zone_utf8_len() and asks zone_cp_unsafe() which characters must not
 * reach a terminal or a log line as they are.
 */

/**
 * zone_utf8_len - decode the UTF-8 sequence at @s
 * @s: the text
 * @n: the bytes left at @s
 * @ret_cp: the code point, set when the sequence is valid
 *
 * Returns the length of the sequence (1 to 4), or 0 when it is not valid
 * UTF-8 (RFC 3629): a stray continuation byte, a sequence cut short by
 * @n or by a byte that does not continue it, an overlong form, a
 * surrogate (U+D800..U+DFFF) or a code point past U+10FFFF; 0 also when
 * @n is 0.
 */
size_t zone_utf8_len(const unsigned char *s, size_t n, unsigned int *ret_cp);

/**
 * zone_cp_unsafe - whether @cp must be escaped before a terminal or a log
 * shows it: the C0 controls, DEL, the C1 controls, and the bidirectional
 * formatting characters (ALM, LRM, RLM, the embeddings, overrides and
 * isolates), which make a line read differently from what it holds
 */
bool zone_cp_unsafe(unsigned int cp);

#endif
