/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_RESOLVER_H
#define ZONED_RESOLVER_H

/*
 * Breakout by name (zoned.conf(5), to_names): resolve each name with the
 * system resolver, keep its addresses in the channel's kernel sets with
 * the record's TTL as their timeout, refresh them before they expire and
 * alert when a name stops resolving (name-unresolved) or comes back
 * (name-resolved).
 */

#include <stdbool.h>
#include <time.h>

#include <zone/addr.h>

struct zoned;
struct zone_model;
struct zone_channel;
struct ctl_out;

/*
 * resolver_open - at start, before the conntrack sweep: resolve every
 * name once (bounded in time), so that the flows the kernel lets through
 * are the ones the verdict admits; then a timer refreshes them.
 * Returns 0 or -errno.
 */
int resolver_open(struct zoned *z);
void resolver_close(struct zoned *z);
/*
 * resolver_carry - before @model replaces z->model: keep the addresses
 * z->model resolved for the names both have
 */
void resolver_carry(struct zoned *z, struct zone_model *model);
/* resolver_applied - after a policy is applied: resolve every name soon */
void resolver_applied(struct zoned *z);
/*
 * resolver_print - the names of zonectl status and audit: text, or the
 * "names" member of the JSON object open on @o
 */
void resolver_print(struct zoned *z, struct ctl_out *o);
/*
 * resolver_explain - the name a channel admitted @dst by, if any: a text
 * line, or the "name" member of the JSON object open on @o
 */
void resolver_explain(struct zoned *z, const struct zone_channel *ch,
		      const struct zone_addr *dst, time_t at, struct ctl_out *o);

#endif
