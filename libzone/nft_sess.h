/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NFT_SESS_H
#define NFT_SESS_H

/*
 * The netlink session behind struct zone_nft: one socket that writes
 * batches (the table's owner) and one that reads (dumps, GETGEN), as
 * STYLE.md 23 asks.
 */

#include <stdbool.h>
#include <stdint.h>

#include "nft_batch.h"

struct mnl_socket;

struct zone_nft {
	struct mnl_socket *wr;
	struct mnl_socket *rd;
	uint32_t seq;
	bool committed; /* the last apply sent a batch */
	uint32_t genid_before; /* the genid that batch was checked at */
	struct nft_kstate *snap; /* what this session committed last */
};

/* nft_dump.c */
int nft_getgen(struct zone_nft *nft, uint32_t *ret_genid);
/* the table's flags and owner; -ENOENT when it does not exist */
int nft_table_get(struct zone_nft *nft, uint32_t *ret_flags,
		  uint32_t *ret_owner);
/* the names of what the table holds (no elements) */
int nft_dump_kstate(struct zone_nft *nft, struct nft_kstate **ret_ks);

#endif
