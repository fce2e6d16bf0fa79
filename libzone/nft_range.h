/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NFT_RANGE_H
#define NFT_RANGE_H

/*
 * Address ranges for the interval sets: prefixes become inclusive
 * [lo, hi] ranges of big-endian bytes, so that memcmp() orders them.
 */

#include <stddef.h>
#include <stdint.h>

#include <zone/addr.h>

struct nft_range {
	uint8_t lo[16];
	uint8_t hi[16];
	uint32_t value;
};

/* nft_addr_len - 4 or 16 bytes for AF_INET or AF_INET6 */
size_t nft_addr_len(int family);

/* nft_range_from_prefix - the range a prefix covers, carrying @value */
void nft_range_from_prefix(const struct zone_prefix *p, uint32_t value,
			   struct nft_range *ret);

/* nft_key_inc - add one to a big-endian key; false when it wraps */
bool nft_key_inc(uint8_t *key, size_t len);
/* nft_key_is_max - true when every byte is 0xff */
bool nft_key_is_max(const uint8_t *key, size_t len);

/**
 * nft_ranges_merge - sort and merge ranges in place
 * @len: key length in bytes
 *
 * Overlapping or adjacent ranges with the same value become one.  Returns
 * the new count, or -EINVAL when ranges with different values overlap.
 */
int nft_ranges_merge(struct nft_range *r, size_t n, size_t len);

/**
 * nft_ranges_fill - cover the whole address space
 * @r: merged ranges; @ret_out gets a new array the caller frees
 * @fill: the value of the gaps
 *
 * Returns the number of ranges in *@ret_out, or -ENOMEM.
 */
int nft_ranges_fill(const struct nft_range *r, size_t n, size_t len,
		    uint32_t fill, struct nft_range **ret_out);

#endif
