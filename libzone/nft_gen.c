// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ruleset generation of the session's network namespace, and whether
 * the session's last apply moved it: what a caller needs to tell its own
 * commit from another writer's without reading notifications.
 */

#include <stdbool.h>
#include <stdint.h>

#include <zone/ruleset.h>

#include "nft_sess.h"

/**
 * zone_nft_generation - the namespace's ruleset generation (NFT_MSG_GETGEN)
 * @nft: the session
 * @ret_gen: receives it
 *
 * Returns 0 or -errno.
 */
int zone_nft_generation(struct zone_nft *nft, uint32_t *ret_gen)
{
	return nft_getgen(nft, ret_gen);
}

/**
 * zone_nft_commits - the transactions the last zone_nft_apply() committed
 * @nft: the session
 *
 * The stages of a staged load (nft_stage.c) and the switch each count.
 */
unsigned int zone_nft_commits(const struct zone_nft *nft)
{
	return nft->commits;
}
