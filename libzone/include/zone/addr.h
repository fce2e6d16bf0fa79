/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONE_ADDR_H
#define ZONE_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Addresses and prefixes are small values, not objects: they are copied,
 * compared and hashed freely, so they are plain structs.  Bytes are in
 * network order; an IPv4 address uses the first four bytes and the rest
 * stay zero, so two equal addresses are equal by memcmp().
 */
struct zone_addr {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t bytes[16];
};

struct zone_prefix {
	struct zone_addr addr;	/* host bits are zero */
	uint8_t len;		/* 0..32 or 0..128 */
};

/* Longest text zone_prefix_format() writes, NUL included. */
#define ZONE_PREFIX_STRLEN 50

/**
 * zone_addr_parse - parse an IPv4 or IPv6 address
 * @text: "192.0.2.1" or "2001:db8::1"
 * @ret_addr: written on success
 *
 * Returns 0, or -EINVAL when @text is not an address.
 */
int zone_addr_parse(const char *text, struct zone_addr *ret_addr);

/**
 * zone_prefix_parse - parse an address or a prefix in CIDR notation
 * @text: "10.1.0.0/16", "fd00::/8" or a bare address (a host prefix)
 * @ret_prefix: written on success
 *
 * A prefix with bits set past its length is refused (-EINVAL), as nft
 * refuses it, so that a typo such as 10.1.2.0/16 never silently widens.
 * Returns 0 or -EINVAL.
 */
int zone_prefix_parse(const char *text, struct zone_prefix *ret_prefix);

/**
 * zone_addr_format / zone_prefix_format - print in canonical form
 * @buf: at least ZONE_PREFIX_STRLEN bytes
 *
 * A host prefix prints without "/len".  Returns @buf.
 */
char *zone_addr_format(const struct zone_addr *addr, char *buf, size_t size);
char *zone_prefix_format(const struct zone_prefix *prefix, char *buf,
			 size_t size);

/* zone_prefix_contains - true when @addr lies inside @prefix */
bool zone_prefix_contains(const struct zone_prefix *prefix,
			  const struct zone_addr *addr);

/* zone_prefix_overlaps - true when the two prefixes share an address */
bool zone_prefix_overlaps(const struct zone_prefix *a,
			  const struct zone_prefix *b);

/* zone_prefix_is_host - true for a /32 (IPv4) or /128 (IPv6) prefix */
bool zone_prefix_is_host(const struct zone_prefix *prefix);

#endif
