/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NFT_UDATA_H
#define NFT_UDATA_H

/*
 * The user data nft records with the objects of a table: the byte orders
 * of a set, which it needs to print the elements back (nftables src/mnl.c
 * mnl_nft_set_add), and the comment of a table, rule or object.  Several
 * files write them (nft_batch.c, nft_plan.c, nft_rule.c), so they are
 * encoded in one place.
 */

#include <stdbool.h>
#include <stdint.h>

#include <libnftnl/udata.h>

/* the size of a comment's user data: the longest comment and its TLV */
#define NFT_UDATA_COMMENT_SIZE (NFTNL_UDATA_COMMENT_MAXLEN + 4)

struct nftnl_set;

int nft_set_udata(struct nftnl_set *s, uint32_t key_order, bool map,
		  uint32_t data_order, bool data_interval);

int nft_udata_comment(uint8_t *buf, uint8_t type, const char *text);

#endif
