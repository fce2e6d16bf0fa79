/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Prefix and range arithmetic for the interval sets of table inet zoned.
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "nft_range.h"

size_t nft_addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

void nft_range_from_prefix(const struct zone_prefix *p, uint32_t value,
			   struct nft_range *ret)
{
	size_t len = nft_addr_len(p->addr.family);
	size_t i;

	memset(ret, 0, sizeof(*ret));
	for (i = 0; i < len; i++) {
		unsigned int bits = p->len > i * 8 ? p->len - i * 8 : 0;
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		ret->lo[i] = p->addr.bytes[i] & mask;
		ret->hi[i] = ret->lo[i] | (uint8_t)~mask;
	}
	ret->value = value;
}

bool nft_key_inc(uint8_t *key, size_t len)
{
	size_t i = len;

	while (i-- > 0) {
		if (++key[i] != 0)
			return true;
	}
	return false;
}

bool nft_key_is_max(const uint8_t *key, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (key[i] != 0xff)
			return false;
	}
	return true;
}

static int range_cmp(const void *a, const void *b)
{
	const struct nft_range *ra = a;
	const struct nft_range *rb = b;
	int d = memcmp(ra->lo, rb->lo, sizeof(ra->lo));

	if (d)
		return d;
	return memcmp(ra->hi, rb->hi, sizeof(ra->hi));
}

/* true when @next starts at or before @cur's end + 1 */
static bool range_touches(const struct nft_range *cur,
			  const struct nft_range *next, size_t len)
{
	uint8_t after[16];

	if (memcmp(next->lo, cur->hi, len) <= 0)
		return true;
	memcpy(after, cur->hi, len);
	if (!nft_key_inc(after, len))
		return true;
	return memcmp(next->lo, after, len) == 0;
}

int nft_ranges_merge(struct nft_range *r, size_t n, size_t len)
{
	size_t out = 0;
	size_t i;

	if (n == 0)
		return 0;
	/* bytes past @len are zero, so a full-width compare is right */
	qsort(r, n, sizeof(*r), range_cmp);
	for (i = 1; i < n; i++) {
		struct nft_range *cur = &r[out];

		if (!range_touches(cur, &r[i], len)) {
			r[++out] = r[i];
			continue;
		}
		if (memcmp(r[i].lo, cur->hi, len) <= 0 &&
		    r[i].value != cur->value)
			return -EINVAL;
		if (r[i].value != cur->value) {
			r[++out] = r[i];
			continue;
		}
		if (memcmp(r[i].hi, cur->hi, len) > 0)
			memcpy(cur->hi, r[i].hi, len);
	}
	return (int)(out + 1);
}

/* append [lo, hi] = value, merging with the last range when equal */
static void fill_push(struct nft_range *out, size_t *n, const uint8_t *lo,
		      const uint8_t *hi, uint32_t value, size_t len)
{
	if (*n > 0 && out[*n - 1].value == value) {
		memcpy(out[*n - 1].hi, hi, len);
		return;
	}
	memset(&out[*n], 0, sizeof(out[*n]));
	memcpy(out[*n].lo, lo, len);
	memcpy(out[*n].hi, hi, len);
	out[*n].value = value;
	(*n)++;
}

int nft_ranges_fill(const struct nft_range *r, size_t n, size_t len,
		    uint32_t fill, struct nft_range **ret_out)
{
	struct nft_range *out;
	uint8_t next[16] = { 0 }; /* first address not yet covered */
	bool done = false;
	size_t k = 0;
	size_t i;

	out = calloc(2 * n + 1, sizeof(*out));
	if (!out)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (memcmp(r[i].lo, next, len) > 0) {
			uint8_t gap_hi[16];
			size_t j = len;

			memcpy(gap_hi, r[i].lo, len);
			while (j-- > 0 && gap_hi[j]-- == 0)
				;
			fill_push(out, &k, next, gap_hi, fill, len);
		}
		fill_push(out, &k, r[i].lo, r[i].hi, r[i].value, len);
		memcpy(next, r[i].hi, len);
		if (!nft_key_inc(next, len)) {
			done = true;
			break;
		}
	}
	if (!done) {
		uint8_t top[16];

		memset(top, 0xff, len);
		fill_push(out, &k, next, top, fill, len);
	}
	*ret_out = out;
	return (int)k;
}
