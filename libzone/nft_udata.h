/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NFT_UDATA_H
#define NFT_UDATA_H

/*
 * The user data nft records with a set: the byte orders it needs to print
 * the elements back (nftables src/mnl.c mnl_nft_set_add).  Named sets
 * (nft_batch.c) and the anonymous sets of rules (nft_rule.c) both write
 * it, so it is written in one place.
 */

#include <stdbool.h>
#include <stdint.h>

struct nftnl_set;

int nft_set_udata(struct nftnl_set *s, uint32_t key_order, bool map,
		  uint32_t data_order, bool data_interval);

#endif
