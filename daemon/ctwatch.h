/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_CTWATCH_H
#define ZONED_CTWATCH_H

#include <stdint.h>

#include <zone/addr.h>

struct zoned;

/*
 * The conntrack watcher (doc/design.md section 4): new and destroyed flows
 * judged against the model.  Its _open registers its sockets with the loop
 * and stores its state in struct zoned; its _close undoes that and accepts
 * a watcher that was never opened.
 */
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
 * An incremental listing of the live cross-segment flows (zonectl flows):
 * a dump of the conntrack table on a non-blocking socket of its own, read
 * a bounded amount at a time from the loop, so that a table of any size
 * neither stalls the daemon nor piles up in its memory (the kernel holds
 * the rest of a dump until it is read).
 */
struct ctwatch_flowdump;
typedef void (*ctwatch_flow_cb)(const struct ctwatch_flow *flow, void *arg);
/* ctwatch_flowdump_start - send the dump request; NULL with errno set */
struct ctwatch_flowdump *ctwatch_flowdump_start(struct zoned *z);
/* ctwatch_flowdump_fd - the socket to watch for EPOLLIN */
int ctwatch_flowdump_fd(const struct ctwatch_flowdump *d);
/*
 * ctwatch_flowdump_next - read what has arrived, for at most about
 * CT_FLOWDUMP_SLICE_US, calling @cb for each cross-segment flow (its
 * segment names are borrowed from the model, valid during the call).
 * Returns 1 while more is to come, 0 at the end, or -errno.
 */
int ctwatch_flowdump_next(struct zoned *z, struct ctwatch_flowdump *d,
			  ctwatch_flow_cb cb, void *arg);
/* ctwatch_flowdump_free - close the dump, read to the end or not */
void ctwatch_flowdump_free(struct ctwatch_flowdump *d);

#endif
