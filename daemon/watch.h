/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_WATCH_H
#define ZONED_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zone/addr.h>

struct zoned;

/*
 * The watchers of DESIGN.md section 4.  Each _open registers its sockets
 * with the loop and stores its state in struct zoned; each _close undoes
 * that and accepts a watcher that was never opened.
 */

/* Conntrack: new/destroyed flows judged against the model. */
int ctwatch_open(struct zoned *z);
void ctwatch_close(struct zoned *z);
/*
 * ctwatch_sweep - judge every existing flow against the current model
 * (after start, every apply, and after lost events).  Returns 0 or -errno.
 */
int ctwatch_sweep(struct zoned *z);
/*
 * ctwatch_kill - delete every cross-segment flow with an end inside
 * @prefix (zonectl isolate).  Returns the number killed or -errno.
 */
int ctwatch_kill(struct zoned *z, const struct zone_prefix *prefix);

/* One live cross-segment flow, for `zonectl flows`. */
struct ctwatch_flow {
	uint8_t proto;
	struct zone_addr src;
	struct zone_addr dst;
	uint16_t sport;
	uint16_t dport;
	const char *src_seg;	/* borrowed from the model */
	const char *dst_seg;
	char admitted_by[64];	/* channel or matrix rule, from the ct mark */
	uint64_t packets;
	uint64_t bytes;
};
/*
 * ctwatch_flows - dump the live cross-segment flows
 * @ret_flows: an array the caller frees with free()
 * Returns 0 or -errno.
 */
int ctwatch_flows(struct zoned *z, struct ctwatch_flow **ret_flows,
		  size_t *ret_n);

/* NFLOG: dropped attempts become aggregated deny alerts. */
int nflog_open(struct zoned *z);
void nflog_close(struct zoned *z);

/* nftables monitor: changes zoned did not make raise drift and repair. */
int nftmon_open(struct zoned *z);
void nftmon_close(struct zoned *z);

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
