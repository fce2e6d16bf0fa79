/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_NFTMON_H
#define ZONED_NFTMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct zoned;

/*
 * The nftables monitor (doc/design.md section 4): changes zoned did not
 * make raise drift and repair.  Its _open registers its sockets with the
 * loop and stores its state in struct zoned; its _close undoes that and
 * accepts a watcher that was never opened.
 */
int nftmon_open(struct zoned *z);
void nftmon_close(struct zoned *z);

/*
 * Around each commit of zoned's own: nftmon_quiet_begin leaves the
 * notification group, so that the kernel builds no notification for the
 * monitor of each object the commit adds or deletes;
 * nftmon_quiet_end joins it again and compares the ruleset generation
 * with what zoned's commits account for (zone_nft_commits()).
 * A foreign commit that may have gone unseen is checked as after lost
 * events, from the loop.  Both are no-ops while the monitor is not open.
 * nftmon_open() hooks them into z->commit_begin/_end (zoned.h).
 */
void nftmon_quiet_begin(struct zoned *z);
void nftmon_quiet_end(struct zoned *z);

/*
 * A base chain of another table on the forward hook (`zonectl audit`):
 * it sees forwarded packets too, and at a priority before ours it can
 * rewrite what our rules match on.
 */
struct nftmon_hook {
	char family[8];		/* "ip", "ip6", "inet" */
	char table[128];
	char chain[128];
	int32_t priority;
	bool policy_drop;
};
/*
 * nftmon_foreign_hooks - the forward base chains of other tables
 * @ret_n: their number
 * Returns a borrowed array, valid until the loop runs again (NULL when
 * there are none or the monitor is not open).
 */
const struct nftmon_hook *nftmon_foreign_hooks(const struct zoned *z,
					       size_t *ret_n);

#endif
