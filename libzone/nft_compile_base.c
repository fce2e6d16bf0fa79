/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every part of the compiler shares (nft_compile.c, the map, pair
 * and edge files): names fit for chain names, where a rule comes from,
 * the plan's sets by name.  It calls none of them, so that the compiler's
 * files call one way: nft_compile.c down to the parts, the parts down to
 * this file.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "nft_compile.h"

/* A segment name usable inside chain names: [A-Za-z0-9-], short. */
bool nftc_name_is_plain(const char *name)
{
	size_t n = strlen(name);
	size_t i;

	if (n == 0 || n > 24)
		return false;
	for (i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-'))
			return false;
	}
	return true;
}

void nftc_origin(struct nft_origin *o, int line, const char *fmt, ...)
{
	va_list ap;

	o->line = line;
	va_start(ap, fmt);
	vsnprintf(o->what, sizeof(o->what), fmt, ap);
	va_end(ap);
}

const struct nft_pset *nftc_plan_set(const struct compile *c,
				       const char *name)
{
	return nft_plan_set(c->rs, name);
}
