/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Addresses and prefixes: parsing, canonical printing and the few set
 * relations the config checks and the classifier need.
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <zone/addr.h>

static unsigned int addr_bits(const struct zone_addr *addr)
{
	return addr->family == AF_INET ? 32 : 128;
}

/**
 * zone_addr_parse - parse an IPv4 or IPv6 address
 * @text: "192.0.2.1" or "2001:db8::1"
 * @ret_addr: written on success
 *
 * Returns 0, or -EINVAL when @text is not an address.
 */
int zone_addr_parse(const char *text, struct zone_addr *ret_addr)
{
	struct zone_addr addr;

	memset(&addr, 0, sizeof(addr));
	if (inet_pton(AF_INET, text, addr.bytes) == 1) {
		addr.family = AF_INET;
	} else if (inet_pton(AF_INET6, text, addr.bytes) == 1) {
		addr.family = AF_INET6;
	} else {
		return -EINVAL;
	}
	*ret_addr = addr;
	return 0;
}

/* Strict decimal 0..max: no sign, no blanks, no leading zeros. */
static int parse_len(const char *text, unsigned int max, unsigned int *ret)
{
	unsigned int v = 0;
	const char *p;

	if (*text == '\0' || (text[0] == '0' && text[1] != '\0'))
		return -EINVAL;
	for (p = text; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned int)(*p - '0');
		if (v > max)
			return -EINVAL;
	}
	*ret = v;
	return 0;
}

/* True when every bit of @addr from bit @len on is zero. */
static bool host_bits_clear(const struct zone_addr *addr, unsigned int len)
{
	unsigned int i;

	for (i = len; i < addr_bits(addr); i++) {
		if (addr->bytes[i / 8] & (0x80 >> (i % 8)))
			return false;
	}
	return true;
}

/**
 * zone_prefix_parse - parse an address or a prefix in CIDR notation
 * @text: "10.1.0.0/16", "fd00::/8" or a bare address (a host prefix)
 * @ret_prefix: written on success
 *
 * Returns 0, or -EINVAL for anything else, host bits set past the length
 * included.
 */
int zone_prefix_parse(const char *text, struct zone_prefix *ret_prefix)
{
	char buf[INET6_ADDRSTRLEN + 8];
	struct zone_prefix prefix;
	unsigned int len;
	char *slash;

	if (strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (zone_addr_parse(buf, &prefix.addr) < 0)
		return -EINVAL;
	len = addr_bits(&prefix.addr);
	if (slash && parse_len(slash + 1, len, &len) < 0)
		return -EINVAL;
	if (!host_bits_clear(&prefix.addr, len))
		return -EINVAL;
	prefix.len = (uint8_t)len;
	*ret_prefix = prefix;
	return 0;
}

/**
 * zone_addr_format - print an address in canonical form
 * @addr: the address
 * @buf: at least ZONE_PREFIX_STRLEN bytes
 * @size: the size of @buf
 *
 * Returns @buf.
 */
char *zone_addr_format(const struct zone_addr *addr, char *buf, size_t size)
{
	if (!inet_ntop(addr->family == AF_INET ? AF_INET : AF_INET6,
		       addr->bytes, buf, (socklen_t)size) &&
	    size > 0)
		buf[0] = '\0';
	return buf;
}

/**
 * zone_prefix_format - print a prefix in canonical form
 * @prefix: the prefix; a host prefix prints without "/len"
 * @buf: at least ZONE_PREFIX_STRLEN bytes
 * @size: the size of @buf
 *
 * Returns @buf.
 */
char *zone_prefix_format(const struct zone_prefix *prefix, char *buf,
			 size_t size)
{
	size_t used;

	zone_addr_format(&prefix->addr, buf, size);
	if (zone_prefix_is_host(prefix))
		return buf;
	used = strlen(buf);
	if (used < size)
		snprintf(buf + used, size - used, "/%u", prefix->len);
	return buf;
}

/* True when the first @len bits of @a and @b agree. */
static bool same_bits(const uint8_t *a, const uint8_t *b, unsigned int len)
{
	unsigned int full = len / 8;
	unsigned int rest = len % 8;
	uint8_t mask;

	if (memcmp(a, b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return ((a[full] ^ b[full]) & mask) == 0;
}

/**
 * zone_prefix_contains - true when @addr lies inside @prefix
 *
 * An address of the other family never does.
 */
bool zone_prefix_contains(const struct zone_prefix *prefix,
			  const struct zone_addr *addr)
{
	if (prefix->addr.family != addr->family)
		return false;
	return same_bits(prefix->addr.bytes, addr->bytes, prefix->len);
}

/**
 * zone_prefix_overlaps - true when the two prefixes share an address
 *
 * Two prefixes overlap exactly when the shorter one contains the other.
 */
bool zone_prefix_overlaps(const struct zone_prefix *a,
			  const struct zone_prefix *b)
{
	unsigned int len = a->len < b->len ? a->len : b->len;

	if (a->addr.family != b->addr.family)
		return false;
	return same_bits(a->addr.bytes, b->addr.bytes, len);
}

/* zone_prefix_is_host - true for a /32 (IPv4) or /128 (IPv6) prefix */
bool zone_prefix_is_host(const struct zone_prefix *prefix)
{
	return prefix->len == addr_bits(&prefix->addr);
}
