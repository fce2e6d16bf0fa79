/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the longest-prefix match: the edge cases by hand, then
 * random tables checked against a brute-force scan (the oracle), and the
 * flattened interval list checked against lookups.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <zone/addr.h>
#include <zone/lpm.h>

#include "lpm_priv.h"

/* Parse "a.b.c.d/len" or "v6/len" independently of libzone's parser. */
static struct zone_prefix pfx(const char *text)
{
	struct zone_prefix p;
	char buf[64];
	char *slash;

	memset(&p, 0, sizeof(p));
	snprintf(buf, sizeof(buf), "%s", text);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, p.addr.bytes) == 1) {
		p.addr.family = AF_INET;
		p.len = slash ? atoi(slash + 1) : 32;
	} else {
		ck_assert_int_eq(inet_pton(AF_INET6, buf, p.addr.bytes), 1);
		p.addr.family = AF_INET6;
		p.len = slash ? atoi(slash + 1) : 128;
	}
	return p;
}

static struct zone_addr adr(const char *text)
{
	return pfx(text).addr;
}

static void add_ok(struct zone_lpm *lpm, const char *prefix, uint32_t value)
{
	struct zone_prefix p = pfx(prefix);

	ck_assert_int_eq(zone_lpm_add(lpm, &p, value), 0);
}

static uint32_t look(const struct zone_lpm *lpm, const char *addr)
{
	struct zone_addr a = adr(addr);

	return zone_lpm_lookup(lpm, &a);
}

static struct zone_lpm *new_lpm(void)
{
	struct zone_lpm *lpm = zone_lpm_new();

	ck_assert_ptr_nonnull(lpm);
	return lpm;
}

START_TEST(test_lpm_empty)
{
	struct zone_lpm *lpm = new_lpm();

	ck_assert_int_eq(zone_lpm_build(lpm), 0);
	ck_assert_uint_eq(look(lpm, "0.0.0.0"), ZONE_LPM_NONE);
	ck_assert_uint_eq(look(lpm, "255.255.255.255"), ZONE_LPM_NONE);
	ck_assert_uint_eq(look(lpm, "::"), ZONE_LPM_NONE);
	ck_assert_uint_eq(look(lpm, "2001:db8::1"), ZONE_LPM_NONE);
	ck_assert_uint_eq(lpm_interval_count(lpm, AF_INET), 0);
	ck_assert_uint_eq(lpm_interval_count(lpm, AF_INET6), 0);
	zone_lpm_free(lpm);
	zone_lpm_free(NULL);
}
END_TEST

START_TEST(test_lpm_nested)
{
	struct zone_lpm *lpm = new_lpm();

	add_ok(lpm, "10.1.2.3/32", 4);
	add_ok(lpm, "10.0.0.0/8", 1);
	add_ok(lpm, "10.1.2.0/24", 3);
	add_ok(lpm, "10.1.0.0/16", 2);
	ck_assert_int_eq(zone_lpm_build(lpm), 0);
	ck_assert_uint_eq(look(lpm, "9.255.255.255"), ZONE_LPM_NONE);
	ck_assert_uint_eq(look(lpm, "10.0.0.0"), 1);
	ck_assert_uint_eq(look(lpm, "10.1.0.0"), 2);
	ck_assert_uint_eq(look(lpm, "10.1.1.255"), 2);
	ck_assert_uint_eq(look(lpm, "10.1.2.0"), 3);
	ck_assert_uint_eq(look(lpm, "10.1.2.2"), 3);
	ck_assert_uint_eq(look(lpm, "10.1.2.3"), 4);
	ck_assert_uint_eq(look(lpm, "10.1.2.4"), 3);
	ck_assert_uint_eq(look(lpm, "10.1.2.255"), 3);
	ck_assert_uint_eq(look(lpm, "10.1.3.0"), 2);
	ck_assert_uint_eq(look(lpm, "10.1.255.255"), 2);
	ck_assert_uint_eq(look(lpm, "10.2.0.0"), 1);
	ck_assert_uint_eq(look(lpm, "10.255.255.255"), 1);
	ck_assert_uint_eq(look(lpm, "11.0.0.0"), ZONE_LPM_NONE);
	zone_lpm_free(lpm);
}
END_TEST

START_TEST(test_lpm_default_route_and_hosts)
{
	struct zone_lpm *lpm = new_lpm();

	add_ok(lpm, "0.0.0.0/0", 7);
	add_ok(lpm, "0.0.0.0/32", 1);
	add_ok(lpm, "255.255.255.255/32", 2);
	add_ok(lpm, "255.0.0.0/8", 3);
	add_ok(lpm, "::/0", 8);
	add_ok(lpm, "::/128", 5);
	add_ok(lpm, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", 6);
	ck_assert_int_eq(zone_lpm_build(lpm), 0);
	ck_assert_uint_eq(look(lpm, "0.0.0.0"), 1);
	ck_assert_uint_eq(look(lpm, "0.0.0.1"), 7);
	ck_assert_uint_eq(look(lpm, "128.0.0.1"), 7);
	ck_assert_uint_eq(look(lpm, "254.255.255.255"), 7);
	ck_assert_uint_eq(look(lpm, "255.0.0.0"), 3);
	ck_assert_uint_eq(look(lpm, "255.255.255.254"), 3);
	ck_assert_uint_eq(look(lpm, "255.255.255.255"), 2);
	ck_assert_uint_eq(look(lpm, "::"), 5);
	ck_assert_uint_eq(look(lpm, "::1"), 8);
	ck_assert_uint_eq(look(lpm, "8000::"), 8);
	ck_assert_uint_eq(look(lpm, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"),
			  8);
	ck_assert_uint_eq(look(lpm, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
			  6);
	zone_lpm_free(lpm);
}
END_TEST

START_TEST(test_lpm_v6_nested)
{
	struct zone_lpm *lpm = new_lpm();

	add_ok(lpm, "2001:db8::/32", 1);
	add_ok(lpm, "2001:db8:1::/48", 2);
	add_ok(lpm, "2001:db8:1:0:8000::/65", 3);
	add_ok(lpm, "2001:db8:1::1/128", 4);
	ck_assert_int_eq(zone_lpm_build(lpm), 0);
	ck_assert_uint_eq(look(lpm, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff"),
			  ZONE_LPM_NONE);
	ck_assert_uint_eq(look(lpm, "2001:db8::"), 1);
	ck_assert_uint_eq(look(lpm, "2001:db8:1::"), 2);
	ck_assert_uint_eq(look(lpm, "2001:db8:1::1"), 4);
	ck_assert_uint_eq(look(lpm, "2001:db8:1::2"), 2);
	ck_assert_uint_eq(look(lpm, "2001:db8:1:0:7fff:ffff:ffff:ffff"), 2);
	ck_assert_uint_eq(look(lpm, "2001:db8:1:0:8000::"), 3);
	ck_assert_uint_eq(look(lpm, "2001:db8:1:0:ffff:ffff:ffff:ffff"), 3);
	ck_assert_uint_eq(look(lpm, "2001:db8:1:1::"), 2);
	ck_assert_uint_eq(look(lpm, "2001:db8:2::"), 1);
	ck_assert_uint_eq(look(lpm, "2001:db9::"), ZONE_LPM_NONE);
	zone_lpm_free(lpm);
}
END_TEST

START_TEST(test_lpm_families_never_mix)
{
	struct zone_lpm *lpm = new_lpm();

	add_ok(lpm, "0.0.0.0/0", 1);
	add_ok(lpm, "2001:db8::/32", 2);
	ck_assert_int_eq(zone_lpm_build(lpm), 0);
	/* an IPv4-mapped or -compatible v6 address is still v6 */
	ck_assert_uint_eq(look(lpm, "::ffff:10.0.0.1"), ZONE_LPM_NONE);
	ck_assert_uint_eq(look(lpm, "::"), ZONE_LPM_NONE);
	ck_assert_uint_eq(look(lpm, "10.0.0.1"), 1);
	/* 32.1.13.184 has the bytes of 2001:db8:: */
	ck_assert_uint_eq(look(lpm, "32.1.13.184"), 1);
	zone_lpm_free(lpm);

	lpm = new_lpm();
	add_ok(lpm, "::/0", 3);
	ck_assert_int_eq(zone_lpm_build(lpm), 0);
	ck_assert_uint_eq(look(lpm, "10.0.0.1"), ZONE_LPM_NONE);
	ck_assert_uint_eq(look(lpm, "0.0.0.0"), ZONE_LPM_NONE);
	ck_assert_uint_eq(look(lpm, "::ffff:10.0.0.1"), 3);
	zone_lpm_free(lpm);
}
END_TEST

START_TEST(test_lpm_adjacent)
{
	struct zone_lpm *lpm = new_lpm();

	add_ok(lpm, "10.0.0.0/25", 1);
	add_ok(lpm, "10.0.0.128/25", 2);
	add_ok(lpm, "10.0.1.0/24", 2);
	add_ok(lpm, "10.0.2.0/24", 1);
	ck_assert_int_eq(zone_lpm_build(lpm), 0);
	ck_assert_uint_eq(look(lpm, "10.0.0.127"), 1);
	ck_assert_uint_eq(look(lpm, "10.0.0.128"), 2);
	ck_assert_uint_eq(look(lpm, "10.0.1.255"), 2);
	ck_assert_uint_eq(look(lpm, "10.0.2.0"), 1);
	ck_assert_uint_eq(look(lpm, "10.0.3.0"), ZONE_LPM_NONE);
	/* 10.0.0.128/25 and 10.0.1.0/24 touch with one value: merged */
	ck_assert_uint_eq(lpm_interval_count(lpm, AF_INET), 3);
	zone_lpm_free(lpm);
}
END_TEST

START_TEST(test_lpm_add_errors)
{
	struct zone_lpm *lpm = new_lpm();
	struct zone_prefix p = pfx("10.1.0.0/16");
	struct zone_prefix stray = pfx("10.1.2.3/16");
	struct zone_prefix bad = pfx("10.0.0.0/8");

	ck_assert_int_eq(zone_lpm_add(lpm, &p, 1), 0);
	/* the same prefix again: fine with its value, refused with another */
	ck_assert_int_eq(zone_lpm_add(lpm, &p, 1), 0);
	ck_assert_int_eq(zone_lpm_add(lpm, &p, 2), -EEXIST);
	/* host bits past the length do not make it another prefix */
	ck_assert_int_eq(zone_lpm_add(lpm, &stray, 2), -EEXIST);
	ck_assert_int_eq(zone_lpm_add(lpm, &p, ZONE_LPM_NONE), -EINVAL);
	ck_assert_int_eq(zone_lpm_add(lpm, &p, ZONE_LPM_VALUE_MAX + 1),
			 -EINVAL);
	/* the largest value survives the build's packing */
	add_ok(lpm, "10.9.0.0/16", ZONE_LPM_VALUE_MAX);
	bad.len = 33;
	ck_assert_int_eq(zone_lpm_add(lpm, &bad, 1), -EINVAL);
	bad = pfx("2001:db8::/32");
	bad.len = 129;
	ck_assert_int_eq(zone_lpm_add(lpm, &bad, 1), -EINVAL);
	bad.len = 32;
	bad.addr.family = AF_UNIX;
	ck_assert_int_eq(zone_lpm_add(lpm, &bad, 1), -EINVAL);
	/* same bytes, other family: a different prefix */
	bad.addr = p.addr;
	bad.addr.family = AF_INET6;
	bad.len = 16;
	ck_assert_int_eq(zone_lpm_add(lpm, &bad, 2), 0);
	ck_assert_int_eq(zone_lpm_build(lpm), 0);
	ck_assert_int_eq(zone_lpm_build(lpm), 0);
	ck_assert_int_eq(zone_lpm_add(lpm, &p, 1), -EBUSY);
	ck_assert_uint_eq(look(lpm, "10.1.2.3"), 1);
	ck_assert_uint_eq(look(lpm, "a01::"), 2);
	ck_assert_uint_eq(look(lpm, "10.9.255.255"), ZONE_LPM_VALUE_MAX);
	ck_assert_uint_eq(look(lpm, "10.10.0.0"), ZONE_LPM_NONE);
	zone_lpm_free(lpm);
}
END_TEST

/*
 * A sized table keeps no hash: a repeat takes room, and the build, not
 * the add, refuses one with another value; past its room adding fails.
 */
START_TEST(test_lpm_sized_errors)
{
	struct zone_lpm *lpm = zone_lpm_new_sized(3, 1);
	struct zone_prefix p = pfx("10.1.0.0/16");
	struct zone_prefix stray = pfx("10.1.2.3/16");
	struct zone_prefix v6 = pfx("2001:db8::/32");

	ck_assert_ptr_nonnull(lpm);
	ck_assert_int_eq(zone_lpm_add(lpm, &p, 1), 0);
	ck_assert_int_eq(zone_lpm_add(lpm, &stray, 1), 0);
	ck_assert_int_eq(zone_lpm_add(lpm, &v6, 2), 0);
	ck_assert_int_eq(zone_lpm_add(lpm, &v6, 2), -ENOSPC);
	ck_assert_int_eq(zone_lpm_add(lpm, &p, ZONE_LPM_NONE), -EINVAL);
	add_ok(lpm, "10.0.0.0/8", 3);
	ck_assert_int_eq(zone_lpm_add(lpm, &p, 1), -ENOSPC);
	/* a repeat with its own value is harmless */
	ck_assert_int_eq(zone_lpm_build(lpm), 0);
	ck_assert_int_eq(zone_lpm_add(lpm, &p, 1), -EBUSY);
	ck_assert_uint_eq(look(lpm, "10.1.255.255"), 1);
	ck_assert_uint_eq(look(lpm, "10.2.0.0"), 3);
	ck_assert_uint_eq(look(lpm, "2001:db8:ffff::1"), 2);
	ck_assert_uint_eq(lpm_interval_count(lpm, AF_INET), 3);
	zone_lpm_free(lpm);

	/* with another value it is refused, also when built again */
	lpm = zone_lpm_new_sized(3, 0);
	ck_assert_ptr_nonnull(lpm);
	add_ok(lpm, "10.0.0.0/8", 3);
	ck_assert_int_eq(zone_lpm_add(lpm, &p, 1), 0);
	ck_assert_int_eq(zone_lpm_add(lpm, &stray, 2), 0);
	ck_assert_int_eq(zone_lpm_add(lpm, &v6, 2), -ENOSPC);
	ck_assert_int_eq(zone_lpm_build(lpm), -EEXIST);
	ck_assert_int_eq(zone_lpm_add(lpm, &p, 1), -EBUSY);
	ck_assert_int_eq(zone_lpm_build(lpm), -EEXIST);
	ck_assert_uint_eq(look(lpm, "10.1.0.1"), ZONE_LPM_NONE);
	zone_lpm_free(lpm);

	/* an empty sized table builds and answers nothing */
	lpm = zone_lpm_new_sized(0, 0);
	ck_assert_ptr_nonnull(lpm);
	ck_assert_int_eq(zone_lpm_add(lpm, &p, 1), -ENOSPC);
	ck_assert_int_eq(zone_lpm_build(lpm), 0);
	ck_assert_uint_eq(look(lpm, "10.1.0.1"), ZONE_LPM_NONE);
	zone_lpm_free(lpm);
}
END_TEST

START_TEST(test_lpm_unbuilt)
{
	struct zone_lpm *lpm = new_lpm();
	struct zone_addr a = adr("10.0.0.1");

	add_ok(lpm, "10.0.0.0/8", 1);
	ck_assert_uint_eq(zone_lpm_lookup(lpm, &a), ZONE_LPM_NONE);
	ck_assert_uint_eq(lpm_interval_count(lpm, AF_INET), 0);
	zone_lpm_free(lpm);
}
END_TEST

struct collected {
	struct zone_addr first[16];
	struct zone_addr last[16];
	uint32_t value[16];
	int n;
	int stop_at;
};

static int collect(const struct zone_addr *first, const struct zone_addr *last,
		   uint32_t value, void *data)
{
	struct collected *c = data;

	ck_assert_int_lt(c->n, 16);
	c->first[c->n] = *first;
	c->last[c->n] = *last;
	c->value[c->n] = value;
	c->n++;
	return c->n == c->stop_at ? 42 : 0;
}

static void check_interval(const struct collected *c, int i, const char *first,
			   const char *last, uint32_t value)
{
	struct zone_addr f = adr(first);
	struct zone_addr l = adr(last);

	ck_assert_mem_eq(&c->first[i], &f, sizeof(f));
	ck_assert_mem_eq(&c->last[i], &l, sizeof(l));
	ck_assert_uint_eq(c->value[i], value);
}

START_TEST(test_lpm_intervals)
{
	struct zone_lpm *lpm = new_lpm();
	struct collected c = { .stop_at = -1 };

	add_ok(lpm, "10.0.0.0/8", 1);
	add_ok(lpm, "10.1.0.0/16", 2);
	add_ok(lpm, "10.1.2.3/32", 3);
	add_ok(lpm, "255.255.255.255/32", 4);
	add_ok(lpm, "2001:db8::/32", 5);
	add_ok(lpm, "2001:db8:1::/48", 5);
	ck_assert_int_eq(lpm_foreach_interval(lpm, AF_INET, collect, &c),
			 -EINVAL);
	ck_assert_int_eq(zone_lpm_build(lpm), 0);
	ck_assert_int_eq(lpm_foreach_interval(lpm, AF_UNIX, collect, &c),
			 -EINVAL);
	ck_assert_int_eq(lpm_foreach_interval(lpm, AF_INET, collect, &c), 0);
	ck_assert_int_eq(c.n, 6);
	ck_assert_uint_eq(lpm_interval_count(lpm, AF_INET), 6);
	check_interval(&c, 0, "10.0.0.0", "10.0.255.255", 1);
	check_interval(&c, 1, "10.1.0.0", "10.1.2.2", 2);
	check_interval(&c, 2, "10.1.2.3", "10.1.2.3", 3);
	check_interval(&c, 3, "10.1.2.4", "10.1.255.255", 2);
	check_interval(&c, 4, "10.2.0.0", "10.255.255.255", 1);
	check_interval(&c, 5, "255.255.255.255", "255.255.255.255", 4);

	/* a nested prefix with its parent's value adds no interval */
	c.n = 0;
	ck_assert_int_eq(lpm_foreach_interval(lpm, AF_INET6, collect, &c), 0);
	ck_assert_int_eq(c.n, 1);
	check_interval(&c, 0,
		       "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
		       5);

	/* the callback's non-zero return stops the walk */
	c.n = 0;
	c.stop_at = 2;
	ck_assert_int_eq(lpm_foreach_interval(lpm, AF_INET, collect, &c), 42);
	ck_assert_int_eq(c.n, 2);
	zone_lpm_free(lpm);
}
END_TEST

/* Random tables against the brute-force oracle. */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*, seeded per test so failures reproduce */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void mask_prefix(struct zone_prefix *p)
{
	unsigned int bits = p->addr.family == AF_INET ? 32 : 128;
	unsigned int i;

	for (i = p->len; i < bits; i++)
		p->addr.bytes[i / 8] &= ~(0x80 >> (i % 8));
}

static bool oracle_contains(const struct zone_prefix *p,
			    const struct zone_addr *a)
{
	unsigned int full = p->len / 8;
	uint8_t mask = 0xff << (8 - p->len % 8);

	if (p->addr.family != a->family)
		return false;
	if (memcmp(p->addr.bytes, a->bytes, full) != 0)
		return false;
	return p->len % 8 == 0 ||
	       ((p->addr.bytes[full] ^ a->bytes[full]) & mask) == 0;
}

/* The oracle: the value of the longest prefix containing @a, by scanning. */
static uint32_t oracle(const struct zone_prefix *ps, const uint32_t *vs,
		       size_t n, const struct zone_addr *a)
{
	uint32_t best = ZONE_LPM_NONE;
	int best_len = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (oracle_contains(&ps[i], a) && ps[i].len > best_len) {
			best_len = ps[i].len;
			best = vs[i];
		}
	}
	return best;
}

/* What zone_lpm_add() must answer given the prefixes added so far. */
static int oracle_exact(const struct zone_prefix *ps, const uint32_t *vs,
			size_t n, const struct zone_prefix *p, uint32_t v)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (ps[i].len == p->len &&
		    memcmp(&ps[i].addr, &p->addr, sizeof(p->addr)) == 0)
			return vs[i] == v ? 0 : -EEXIST;
	}
	return 0;
}

/*
 * A random prefix of @family.  Most start in a small region (v4
 * 10.0.0.0/12, v6 2001:db8::/40) so that prefixes nest, touch and repeat.
 */
static struct zone_prefix random_prefix(int family)
{
	struct zone_prefix p;
	unsigned int bits = family == AF_INET ? 32 : 128;
	uint64_t r = rnd();
	unsigned int i;

	memset(&p, 0, sizeof(p));
	p.addr.family = family;
	for (i = 0; i < bits / 8; i++)
		p.addr.bytes[i] = rnd();
	if (r % 4 != 0) {
		if (family == AF_INET) {
			p.addr.bytes[0] = 10;
			p.addr.bytes[1] &= 0x0f;
		} else {
			memcpy(p.addr.bytes, "\x20\x01\x0d\xb8\x00", 5);
		}
	}
	if (family == AF_INET)
		p.len = (r >> 8) % 8 == 0 ? (r >> 16) % 33 : 8 + (r >> 16) % 25;
	else
		p.len = (r >> 8) % 8 == 0 ? (r >> 16) % 129 :
					    32 + (r >> 16) % 97;
	mask_prefix(&p);
	return p;
}

/* An address on or next to a prefix's edges, or anywhere. */
static struct zone_addr random_probe(const struct zone_prefix *ps, size_t n,
				     int family)
{
	const struct zone_prefix *p = &ps[rnd() % n];
	unsigned int bits = family == AF_INET ? 32 : 128;
	struct zone_addr a = p->addr;
	uint64_t r = rnd();
	unsigned int i;
	int carry;

	switch (r % 4) {
	case 0: /* the first address */
		break;
	case 1: /* the last address */
	case 2: /* one past it */
		for (i = p->len; i < bits; i++)
			a.bytes[i / 8] |= 0x80 >> (i % 8);
		if (r % 4 == 1)
			break;
		carry = 1;
		for (i = bits / 8; i-- > 0 && carry;) {
			a.bytes[i]++;
			carry = a.bytes[i] == 0;
		}
		break;
	default: /* random inside the prefix's region */
		for (i = p->len; i < bits; i++) {
			if (rnd() & 1)
				a.bytes[i / 8] |= 0x80 >> (i % 8);
		}
		break;
	}
	a.family = family;
	return a;
}

struct walk_check {
	const struct zone_lpm *lpm;
	struct zone_addr prev_last;
	uint32_t prev_value;
	int n;
};

static int cmp_addr(const struct zone_addr *a, const struct zone_addr *b)
{
	return memcmp(a->bytes, b->bytes, sizeof(a->bytes));
}

/* Each interval is in order, answers its own value at both ends. */
static int walk_cb(const struct zone_addr *first, const struct zone_addr *last,
		   uint32_t value, void *data)
{
	struct walk_check *w = data;

	ck_assert_uint_ne(value, ZONE_LPM_NONE);
	ck_assert_int_le(cmp_addr(first, last), 0);
	ck_assert_uint_eq(zone_lpm_lookup(w->lpm, first), value);
	ck_assert_uint_eq(zone_lpm_lookup(w->lpm, last), value);
	if (w->n > 0) {
		ck_assert_int_lt(cmp_addr(&w->prev_last, first), 0);
	}
	w->prev_last = *last;
	w->prev_value = value;
	w->n++;
	return 0;
}

static void cross_check(int family, size_t n_prefixes, size_t n_probes,
			uint64_t seed)
{
	struct zone_prefix *ps = calloc(n_prefixes, sizeof(*ps));
	uint32_t *vs = calloc(n_prefixes, sizeof(*vs));
	struct zone_lpm *lpm = new_lpm();
	struct walk_check w = { .lpm = lpm };
	size_t n = 0;
	size_t i;

	ck_assert_ptr_nonnull(ps);
	ck_assert_ptr_nonnull(vs);
	rng_state = seed;
	while (n < n_prefixes) {
		struct zone_prefix p = random_prefix(family);
		uint32_t v = rnd() % 50;
		int ret = zone_lpm_add(lpm, &p, v);

		/* a repeat with another value is refused and not kept */
		ck_assert_int_eq(ret, oracle_exact(ps, vs, n, &p, v));
		if (ret == 0) {
			ps[n] = p;
			vs[n] = v;
			n++;
		}
	}
	ck_assert_int_eq(zone_lpm_build(lpm), 0);
	for (i = 0; i < n_probes; i++) {
		struct zone_addr a = random_probe(ps, n, family);

		ck_assert_uint_eq(zone_lpm_lookup(lpm, &a),
				  oracle(ps, vs, n, &a));
	}
	ck_assert_int_eq(lpm_foreach_interval(lpm, family, walk_cb, &w), 0);
	ck_assert_uint_eq((size_t)w.n, lpm_interval_count(lpm, family));
	zone_lpm_free(lpm);
	free(ps);
	free(vs);
}

struct interval {
	struct zone_addr first;
	struct zone_addr last;
	uint32_t value;
};

struct interval_list {
	struct interval *v;
	size_t n;
};

static int collect_cb(const struct zone_addr *first,
		      const struct zone_addr *last, uint32_t value, void *data)
{
	struct interval_list *l = data;

	l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	ck_assert_ptr_nonnull(l->v);
	memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
	l->v[l->n].first = *first;
	l->v[l->n].last = *last;
	l->v[l->n].value = value;
	l->n++;
	return 0;
}

/* Both tables flatten to the same intervals, value for value. */
static void assert_same_intervals(const struct zone_lpm *a,
				  const struct zone_lpm *b, int family)
{
	struct interval_list la = { NULL, 0 };
	struct interval_list lb = { NULL, 0 };
	size_t i;

	ck_assert_int_eq(lpm_foreach_interval(a, family, collect_cb, &la), 0);
	ck_assert_int_eq(lpm_foreach_interval(b, family, collect_cb, &lb), 0);
	ck_assert_uint_eq(la.n, lb.n);
	for (i = 0; i < la.n; i++) {
		ck_assert_int_eq(cmp_addr(&la.v[i].first, &lb.v[i].first), 0);
		ck_assert_int_eq(cmp_addr(&la.v[i].last, &lb.v[i].last), 0);
		ck_assert_uint_eq(la.v[i].value, lb.v[i].value);
	}
	free(la.v);
	free(lb.v);
}

/*
 * A sized table against the oracle and against a table from
 * zone_lpm_new() given the same prefixes: one in eight adds repeats an
 * earlier prefix with its value, which the sized table keeps until the
 * build.  Then one repeat with another value makes its build fail.
 */
static void cross_check_sized(int family, size_t n_prefixes, size_t n_probes,
			      uint64_t seed)
{
	struct zone_prefix *ps = calloc(n_prefixes, sizeof(*ps));
	uint32_t *vs = calloc(n_prefixes, sizeof(*vs));
	size_t room = n_prefixes + n_prefixes / 4 + 1;
	struct zone_lpm *sized = family == AF_INET ?
					 zone_lpm_new_sized(room, 0) :
					 zone_lpm_new_sized(0, room);
	struct zone_lpm *hashed = new_lpm();
	struct zone_lpm *clash;
	size_t added = 0;
	size_t n = 0;
	size_t i;

	ck_assert_ptr_nonnull(ps);
	ck_assert_ptr_nonnull(vs);
	ck_assert_ptr_nonnull(sized);
	rng_state = seed;
	while (n < n_prefixes) {
		struct zone_prefix p;
		uint32_t v;

		if (n > 0 && rnd() % 8 == 0) {
			i = rnd() % n;
			ck_assert_int_eq(zone_lpm_add(sized, &ps[i], vs[i]), 0);
			added++;
			continue;
		}
		p = random_prefix(family);
		v = rnd() % 50;
		if (oracle_exact(ps, vs, n, &p, v) != 0)
			continue;
		ck_assert_int_eq(zone_lpm_add(sized, &p, v), 0);
		ck_assert_int_eq(zone_lpm_add(hashed, &p, v), 0);
		added++;
		ps[n] = p;
		vs[n] = v;
		n++;
	}
	ck_assert_uint_le(added, room);
	ck_assert_int_eq(zone_lpm_build(sized), 0);
	ck_assert_int_eq(zone_lpm_build(hashed), 0);
	for (i = 0; i < n_probes; i++) {
		struct zone_addr a = random_probe(ps, n, family);

		ck_assert_uint_eq(zone_lpm_lookup(sized, &a),
				  oracle(ps, vs, n, &a));
	}
	assert_same_intervals(sized, hashed, family);

	clash = zone_lpm_new_sized(family == AF_INET ? n + 1 : 0,
				   family == AF_INET ? 0 : n + 1);
	ck_assert_ptr_nonnull(clash);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(zone_lpm_add(clash, &ps[i], vs[i]), 0);
	i = rnd() % n;
	ck_assert_int_eq(zone_lpm_add(clash, &ps[i], vs[i] + 1), 0);
	ck_assert_int_eq(zone_lpm_build(clash), -EEXIST);
	zone_lpm_free(clash);
	zone_lpm_free(sized);
	zone_lpm_free(hashed);
	free(ps);
	free(vs);
}

START_TEST(test_lpm_sized_random)
{
	cross_check_sized(AF_INET, 50, 3000, 0x4242 + _i);
	cross_check_sized(AF_INET, 3000, 6000, 0x1357 + _i);
	cross_check_sized(AF_INET6, 50, 3000, 0x2468 + _i);
	cross_check_sized(AF_INET6, 3000, 6000, 0x3579 + _i);
}
END_TEST

START_TEST(test_lpm_random_v4)
{
	cross_check(AF_INET, 50, 5000, 0x1234 + _i);
	cross_check(AF_INET, 3000, 6000, 0x5678 + _i);
}
END_TEST

START_TEST(test_lpm_random_v6)
{
	cross_check(AF_INET6, 50, 5000, 0x9abc + _i);
	cross_check(AF_INET6, 3000, 6000, 0xdef0 + _i);
}
END_TEST

static Suite *lpm_suite(void)
{
	Suite *s = suite_create("lpm");
	TCase *tc = tcase_create("lpm");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_lpm_empty);
	tcase_add_test(tc, test_lpm_nested);
	tcase_add_test(tc, test_lpm_default_route_and_hosts);
	tcase_add_test(tc, test_lpm_v6_nested);
	tcase_add_test(tc, test_lpm_families_never_mix);
	tcase_add_test(tc, test_lpm_adjacent);
	tcase_add_test(tc, test_lpm_add_errors);
	tcase_add_test(tc, test_lpm_sized_errors);
	tcase_add_test(tc, test_lpm_unbuilt);
	tcase_add_test(tc, test_lpm_intervals);
	tcase_add_loop_test(tc, test_lpm_random_v4, 0, 4);
	tcase_add_loop_test(tc, test_lpm_random_v6, 0, 4);
	tcase_add_loop_test(tc, test_lpm_sized_random, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lpm_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
