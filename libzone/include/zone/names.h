/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONE_NAMES_H
#define ZONE_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <zone/addr.h>
#include <zone/model.h>

/*
 * Breakout by name (zoned.conf(5), to_names): an alpha-prime breakout
 * channel may name its destinations by FQDN.  The model keeps, per name,
 * the addresses the resolver last found and until when each holds (the
 * record's TTL bounded by names.ttl_min and names.ttl_max); the kernel
 * keeps the same addresses as set elements with the same timeouts, so
 * they age out by themselves when zoned is not there to refresh them.
 *
 * The resolved addresses are the one part of a model that changes after
 * loading: only the daemon's resolver writes them, between packets of
 * the event loop, and the verdict reads them.
 */

/* Bounds of a resolved address's lifetime, in seconds. */
#define ZONE_NAMES_TTL_MIN_DEFAULT 60
#define ZONE_NAMES_TTL_MAX_DEFAULT 3600
#define ZONE_NAMES_TTL_FLOOR 5 /* below: a refresh storm */
#define ZONE_NAMES_TTL_CEILING 86400 /* above: a stale address for days */
/* At most this many addresses are kept per name and family. */
#define ZONE_NAMES_ADDRS_MAX 32
/* FQDN length, as RFC 1035 counts it in text (no trailing dot). */
#define ZONE_NAME_LEN 253

/* One resolved address and the first instant it no longer holds. */
struct zone_name_addr {
	struct zone_addr addr;
	time_t expires;
};

/* zone_model_names_ttl - names.ttl_min and names.ttl_max, in seconds */
void zone_model_names_ttl(const struct zone_model *model, unsigned int *ret_min,
			  unsigned int *ret_max);
/* zone_model_name_total - the names of every channel together */
size_t zone_model_name_total(const struct zone_model *model);

size_t zone_channel_name_count(const struct zone_channel *chan);
/* zone_channel_fqdn - the @i-th name of to_names, as written */
const char *zone_channel_fqdn(const struct zone_channel *chan, size_t i);
/*
 * zone_channel_fqdn_addrs - the addresses name @i resolved to, with their
 * expiry; some may have expired already (@now decides, not this call)
 */
size_t zone_channel_fqdn_addrs(const struct zone_channel *chan, size_t i,
			       const struct zone_name_addr **ret);
/* zone_channel_fqdn_nft_set - the kernel set of @family: "names4_mail" */
int zone_channel_fqdn_nft_set(const struct zone_channel *chan, int family,
			      char *buf, size_t size);

/**
 * zone_model_fqdn_update - record an answer for one name
 * @model: the model in force (its channels are not otherwise changed)
 * @chan: index of the channel
 * @name: index in its to_names
 * @addrs: the answer's addresses (both families), @n of them
 * @expires: the instant the answer stops holding (now + bounded TTL)
 * @now: addresses expired at @now are dropped from the record
 *
 * Addresses of the answer get @expires; addresses the answer no longer
 * has keep the expiry they had, as the kernel's elements do.  Returns 0,
 * -EINVAL for a bad index, or -ENOMEM (the record is then unchanged).
 */
int zone_model_fqdn_update(struct zone_model *model, size_t chan, size_t name,
			   const struct zone_addr *addrs, size_t n,
			   time_t expires, time_t now);

/**
 * zone_model_fqdn_carry - keep what @from resolved across a reload
 * For every (channel name, FQDN) of @to that @from also has, the record
 * is copied.  Returns 0 or -ENOMEM.
 */
int zone_model_fqdn_carry(struct zone_model *to, const struct zone_model *from);

/**
 * zone_channel_fqdn_match - the name @addr was resolved from, if any
 * Returns the FQDN whose unexpired addresses at @now include @addr, or
 * NULL.
 */
const char *zone_channel_fqdn_match(const struct zone_channel *chan,
				    const struct zone_addr *addr, time_t now);

/*
 * zone_fqdn_problem - NULL when @s is a host name zoned resolves (LDH
 * labels of 1..63, at least two labels, no trailing dot, at most
 * ZONE_NAME_LEN), else why not
 */
const char *zone_fqdn_problem(const char *s);

struct zone_nft;
/**
 * zone_nft_names_refresh - put addresses into a channel's kernel sets
 * @nft: the writer session
 * @chan: the channel (of the model in force)
 * @addrs: the addresses, both families, @n of them
 * @timeout: seconds each element lives from now
 *
 * One batch: each element is added (a no-op when present), deleted and
 * added again with @timeout, so that the expiry is reset on every kernel
 * (before Linux 6.12 a second add keeps the old expiry).  Returns 0 or
 * -errno; on error the kernel keeps what it had.
 */
int zone_nft_names_refresh(struct zone_nft *nft,
			   const struct zone_channel *chan,
			   const struct zone_addr *addrs, size_t n,
			   unsigned int timeout);

/**
 * zone_nft_names_remove - take addresses out of a channel's kernel sets
 * at once (a name left the config), in one batch; absent ones are fine.
 * Returns 0 or -errno.
 */
int zone_nft_names_remove(struct zone_nft *nft, const struct zone_channel *chan,
			  const struct zone_addr *addrs, size_t n);

#endif
