/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The nftables session's stand-in: fake_nft.h says what it answers. */
#include <stdint.h>

#include <zone/diag.h>
#include <zone/ruleset.h>

#include "fake_nft.h"

uint32_t zone_nft_portid(const struct zone_nft *nft)
{
	(void)nft;
	return FAKE_NFT_PORTID;
}

int zone_nft_generation(struct zone_nft *nft, uint32_t *ret_gen)
{
	(void)nft;
	*ret_gen = 1;
	return 0;
}

enum zone_nft_protection zone_nft_protection(const struct zone_nft *nft)
{
	(void)nft;
	return ZONE_NFT_OWNER_PERSIST;
}

unsigned int zone_nft_commits(const struct zone_nft *nft)
{
	(void)nft;
	return 1;
}

int zone_nft_verify(struct zone_nft *nft, const struct zone_ruleset *rs,
		    struct zone_diag *diag)
{
	(void)nft;
	(void)rs;
	(void)diag;
	return 0;
}
