/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the verdict: the whole role matrix for each profile, with
 * and without channels of every kind, and the ways a channel can fail to
 * match (host, port, protocol, expiry).
 *
 * The fixtures are built directly on the layout of model_priv.h, so that
 * channels the loader would refuse (illegal kinds, channels across the
 * hard invariant) can be planted to prove the verdict ignores them too.
 *
 * The expected answers come from spec_rule() and spec_legal() below,
 * which restate doc/design.md section 1 sentence by sentence; they share no
 * table with verdict.c.
 */
#include <sys/socket.h>

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <check.h>

#include <zone/addr.h>
#include <zone/conf.h>
#include <zone/diag.h>
#include <zone/model.h>
#include <zone/verdict.h>

#include "model_priv.h"
#include "verdict_priv.h"

#define R ZONE_ROLE_RESIDENT
#define L ZONE_ROLE_LGWAN
#define I ZONE_ROLE_INTERNET_TIER
#define W ZONE_ROLE_LGWAN_WAN
#define P ZONE_ROLE_PUBLIC_SYSTEM
#define S ZONE_ROLE_SECURITY_CLOUD
#define N ZONE_ROLE_INTERNET
#define G ZONE_ROLE_GOV_CLOUD

#define NOW ((time_t)1800000000)

/* Two segments of every role but the internet attachment (one only). */
static const struct segdef {
	const char *name;
	enum zone_role role;
	const char *net; /* NULL: none; its hosts are unassigned */
	const char *host_a;
	const char *host_b;
} segdefs[] = {
	{ "jumin", R, "10.1.0.0/16", "10.1.0.10", "10.1.0.20" },
	{ "jumin2", R, "10.11.0.0/16", "10.11.0.10", "10.11.0.20" },
	{ "lgwan", L, "10.2.0.0/16", "10.2.0.10", "10.2.0.20" },
	{ "lgwan2", L, "10.12.0.0/16", "10.12.0.10", "10.12.0.20" },
	{ "naibu", I, "10.3.0.0/16", "10.3.0.10", "10.3.0.20" },
	{ "naibu2", I, "10.13.0.0/16", "10.13.0.10", "10.13.0.20" },
	{ "lgwan-wan", W, "172.16.0.0/12", "172.16.0.10", "172.16.0.20" },
	{ "lgwan-wan2", W, "100.64.0.0/16", "100.64.0.10", "100.64.0.20" },
	{ "pubsys", P, "198.51.100.0/24", "198.51.100.10", "198.51.100.20" },
	{ "pubsys2", P, "198.18.0.0/16", "198.18.0.10", "198.18.0.20" },
	{ "seccloud", S, "192.0.2.0/24", "192.0.2.10", "192.0.2.20" },
	{ "seccloud2", S, "198.19.0.0/16", "198.19.0.10", "198.19.0.20" },
	{ "govcloud", G, "100.80.0.0/16", "100.80.0.10", "100.80.0.20" },
	{ "govcloud2", G, "100.81.0.0/16", "100.81.0.10", "100.81.0.20" },
	{ "internet", N, NULL, "203.0.113.10", "203.0.113.20" },
};

#define N_SEGDEFS (sizeof(segdefs) / sizeof(segdefs[0]))
#define N_ZONES 6
/* The first segment of each role, in enum zone_role order. */
static const size_t first_of_role[ZONE_ROLE_MAX] = { 0,	2,  4, 6,
						     8, 10, 14, 12 };

static const enum zone_profile profiles[] = {
	ZONE_PROFILE_ALPHA,
	ZONE_PROFILE_ALPHA_PRIME,
	ZONE_PROFILE_BETA,
	ZONE_PROFILE_BETA_PRIME,
};

/* ---- the specification, restated ---- */

static bool is_zone(enum zone_role r)
{
	return r == R || r == L || r == I;
}

/* The cell rule for two different segments (doc/design.md 1, "The matrix"). */
static enum zone_rule spec_rule(enum zone_role from, enum zone_role to)
{
	bool inet_f = from == I || from == N || from == S;
	bool inet_t = to == I || to == N || to == S;
	bool lgside_f = from == L || from == W || from == P;
	bool lgside_t = to == L || to == W || to == P;
	/* gov-cloud: the resident tier's extension */
	bool res_f = from == R || from == G;
	bool res_t = to == R || to == G;

	if ((res_f && inet_t) || (res_t && inet_f))
		return ZONE_RULE_HARD_INVARIANT;
	if ((from == R && lgside_t) || (to == R && lgside_f))
		return ZONE_RULE_RESIDENT_DEFAULT;
	if ((from == R && to == G) || (from == G && to == R) ||
	    (from == L && to == G) || (from == G && to == L))
		return ZONE_RULE_RESIDENT_DEFAULT;
	/* the gateway is no transit between attachments */
	if (!is_zone(from) && !is_zone(to))
		return ZONE_RULE_NO_TRANSIT;
	if ((from == L && to == W) || (from == W && to == L))
		return ZONE_RULE_LGWAN_WAN;
	if ((from == L && to == I) || (from == I && to == L))
		return ZONE_RULE_SPLIT_PATH;
	if (from == L && (to == N || to == S))
		return ZONE_RULE_NO_BREAKOUT;
	if (from == I && to == S)
		return ZONE_RULE_SECURE_EGRESS;
	if (from == I && to == N)
		return ZONE_RULE_DIRECT_INTERNET;
	/* decided in verdict.c: the LGWAN is the lgwan side of the split */
	if (from == I && to == W)
		return ZONE_RULE_SPLIT_PATH;
	if (!is_zone(from) && is_zone(to))
		return ZONE_RULE_INBOUND_DEFAULT;
	return ZONE_RULE_DEFAULT_DENY;
}

static bool spec_allows(enum zone_rule rule)
{
	return rule == ZONE_RULE_INTRA_ZONE || rule == ZONE_RULE_LGWAN_WAN ||
	       rule == ZONE_RULE_SECURE_EGRESS || rule == ZONE_RULE_CHANNEL;
}

/* doc/design.md 1, the channel table's "between" column. */
static bool spec_legal(enum zone_profile prof, enum zone_channel_kind kind,
		       enum zone_role from, enum zone_role to)
{
	bool alpha = prof == ZONE_PROFILE_ALPHA ||
		     prof == ZONE_PROFILE_ALPHA_PRIME;

	switch (kind) {
	case ZONE_CHANNEL_SYSTEM_PAIR:
		return (from == R && (to == L || to == G)) ||
		       ((from == L || from == G) && to == R);
	case ZONE_CHANNEL_PUBLIC_SYSTEM:
		return (from == R && (to == P || to == W)) ||
		       ((from == P || from == W) && to == R);
	case ZONE_CHANNEL_SCREEN_TRANSFER:
		return (from == L && to == I && alpha) ||
		       (from == I && to == L && !alpha) ||
		       (from == L && to == R);
	case ZONE_CHANNEL_SANITIZE:
		return from == I && to == L;
	case ZONE_CHANNEL_BREAKOUT:
		return from == L && to == N && prof == ZONE_PROFILE_ALPHA_PRIME;
	case ZONE_CHANNEL_INBOUND:
		return (from == N || from == S) && to == I;
	default:
		return false;
	}
}

/* ---- fixtures ---- */

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	ck_assert_ptr_nonnull(d);
	return d;
}

static struct zone_prefix prefix(const char *text)
{
	struct zone_prefix p;

	ck_assert_int_eq(zone_prefix_parse(text, &p), 0);
	return p;
}

static struct zone_addr addr(const char *text)
{
	struct zone_addr a;

	ck_assert_int_eq(zone_addr_parse(text, &a), 0);
	return a;
}

/*
 * A model with the segments of segdefs (all but the internet attachment
 * when !catchall) and room for @cap channels, not yet finished.
 */
static struct zone_model *fixture_new(enum zone_profile prof, bool catchall,
				      size_t cap)
{
	struct zone_model *m = calloc(1, sizeof(*m));
	size_t n = catchall ? N_SEGDEFS : N_SEGDEFS - 1;
	size_t i;

	ck_assert_ptr_nonnull(m);
	m->profile = prof;
	if (prof != ZONE_PROFILE_ALPHA)
		m->profile_approved = xstrdup("CISO 2026-020");
	m->mode = ZONE_MODE_ENFORCE;
	m->alert_facility = LOG_AUTHPRIV;
	m->segments = calloc(n, sizeof(*m->segments));
	m->channels = calloc(cap ? cap : 1, sizeof(*m->channels));
	ck_assert_ptr_nonnull(m->segments);
	ck_assert_ptr_nonnull(m->channels);
	for (i = 0; i < n; i++) {
		struct zone_segment *seg = &m->segments[i];

		seg->index = i;
		seg->name = xstrdup(segdefs[i].name);
		seg->role = segdefs[i].role;
		seg->line = 10 + (int)i;
		if (segdefs[i].net) {
			seg->networks = calloc(2, sizeof(*seg->networks));
			ck_assert_ptr_nonnull(seg->networks);
			seg->networks[seg->n_networks++] =
				prefix(segdefs[i].net);
		}
		m->n_segments++;
	}
	/* the resident zone is dual-stack */
	m->segments[0].networks[m->segments[0].n_networks++] =
		prefix("fd00:1::/48");
	m->n_zones = N_ZONES;
	m->catchall = catchall ? &m->segments[N_SEGDEFS - 1] : NULL;
	return m;
}

struct chandef {
	enum zone_channel_kind kind;
	size_t from;
	size_t to;
	const char *from_host; /* NULL: the whole segment */
	const char *to_host;
	uint8_t proto;
	uint16_t port_first;
	uint16_t port_last;
	time_t expires; /* 0: never */
};

static struct zone_channel *fixture_channel(struct zone_model *m,
					    const struct chandef *d)
{
	struct zone_channel *c = &m->channels[m->n_channels];
	char name[32];

	snprintf(name, sizeof(name), "c%zu", m->n_channels);
	c->index = m->n_channels++;
	c->name = xstrdup(name);
	c->kind = d->kind;
	c->from = &m->segments[d->from];
	c->to = &m->segments[d->to];
	c->from_hosts = calloc(1, sizeof(*c->from_hosts));
	c->to_hosts = calloc(1, sizeof(*c->to_hosts));
	c->services = calloc(1, sizeof(*c->services));
	ck_assert_ptr_nonnull(c->from_hosts);
	ck_assert_ptr_nonnull(c->to_hosts);
	ck_assert_ptr_nonnull(c->services);
	if (d->from_host)
		c->from_hosts[c->n_from_hosts++] = prefix(d->from_host);
	if (d->to_host)
		c->to_hosts[c->n_to_hosts++] = prefix(d->to_host);
	c->services[0].proto = d->proto;
	c->services[0].port_first = d->port_first;
	c->services[0].port_last = d->port_last;
	c->n_services = 1;
	c->reason = xstrdup("test");
	c->approved = xstrdup("CISO 2026-001");
	if (d->expires) {
		c->expires_text = xstrdup("2027-01-15T08:00:00Z");
		c->expires = d->expires;
	}
	c->line = 100 + (int)c->index;
	return c;
}

/* Finish the model: classifier, tags, hash and the channel index. */
static void fixture_finish(struct zone_model *m)
{
	ck_assert_int_eq(model_finish(m), 0);
	ck_assert_ptr_nonnull(m->classifier);
	ck_assert_ptr_nonnull(m->verdict_index);
}

static void fixture_free(struct zone_model *m)
{
	zone_model_free(m);
}

static void judge(const struct zone_model *m, const char *src, const char *dst,
		  uint8_t proto, uint16_t dport, time_t now,
		  struct zone_verdict *v)
{
	struct zone_flow f = {
		.src = addr(src),
		.dst = addr(dst),
		.proto = proto,
		.dport = dport,
	};

	memset(v, 0xa5, sizeof(*v));
	zone_verdict(m, &f, now, v);
}

/* ---- the matrix without channels ---- */

static void check_cell(const struct zone_model *m, size_t a, size_t b,
		       const char *src, const char *dst)
{
	const struct zone_segment *sa = a < m->n_segments ? &m->segments[a] :
							    NULL;
	const struct zone_segment *sb = b < m->n_segments ? &m->segments[b] :
							    NULL;
	enum zone_rule want;
	struct zone_verdict v;

	if (a == b)
		want = is_zone(segdefs[a].role) ? ZONE_RULE_INTRA_ZONE :
						  ZONE_RULE_NO_TRANSIT;
	else
		want = spec_rule(segdefs[a].role, segdefs[b].role);
	judge(m, src, dst, IPPROTO_TCP, 443, NOW, &v);
	ck_assert_msg(v.rule == want, "%s -> %s (%s): got %s, want %s",
		      segdefs[a].name, segdefs[b].name,
		      zone_profile_name(m->profile), zone_rule_name(v.rule),
		      zone_rule_name(want));
	ck_assert_int_eq(v.action, spec_allows(want) ? ZONE_ACTION_ALLOW :
						       ZONE_ACTION_DENY);
	ck_assert_ptr_eq(v.src, sa);
	ck_assert_ptr_eq(v.dst, sb);
	ck_assert_ptr_null(v.channel);
}

START_TEST(test_verdict_matrix)
{
	struct zone_model *m = fixture_new(profiles[_i], true, 0);
	size_t a;
	size_t b;

	fixture_finish(m);
	for (a = 0; a < N_SEGDEFS; a++) {
		for (b = 0; b < N_SEGDEFS; b++) {
			/* host_a -> host_b: two hosts even inside one zone */
			check_cell(m, a, b, segdefs[a].host_a,
				   segdefs[b].host_b);
		}
	}
	fixture_free(m);
}
END_TEST

/* Without an internet attachment, unassigned addresses are the internet. */
START_TEST(test_verdict_matrix_no_catchall)
{
	struct zone_model *m = fixture_new(profiles[_i], false, 0);
	const size_t u = N_SEGDEFS - 1; /* segdefs' internet: unassigned */
	size_t a;

	fixture_finish(m);
	ck_assert_ptr_null(zone_classify(m, &(struct zone_addr){ 0 }));
	for (a = 0; a < N_SEGDEFS; a++) {
		check_cell(m, a, u, segdefs[a].host_a, segdefs[u].host_b);
		check_cell(m, u, a, segdefs[u].host_a, segdefs[a].host_b);
	}
	fixture_free(m);
}
END_TEST

START_TEST(test_verdict_classify)
{
	struct zone_model *m = fixture_new(ZONE_PROFILE_ALPHA, true, 0);
	struct zone_addr a;
	size_t i;

	fixture_finish(m);
	for (i = 0; i + 1 < N_SEGDEFS; i++) {
		a = addr(segdefs[i].host_a);
		ck_assert_ptr_eq(zone_classify(m, &a), &m->segments[i]);
	}
	a = addr("fd00:1::5");
	ck_assert_ptr_eq(zone_classify(m, &a), &m->segments[0]);
	a = addr("fd00:2::5");
	ck_assert_ptr_eq(zone_classify(m, &a), m->catchall);
	a = addr("8.8.8.8");
	ck_assert_ptr_eq(zone_classify(m, &a), m->catchall);
	fixture_free(m);
}
END_TEST

START_TEST(test_verdict_ipv6)
{
	struct zone_model *m = fixture_new(ZONE_PROFILE_ALPHA, true, 0);
	struct zone_verdict v;

	fixture_finish(m);
	judge(m, "fd00:1::10", "2001:db8::1", IPPROTO_TCP, 443, NOW, &v);
	ck_assert_int_eq(v.rule, ZONE_RULE_HARD_INVARIANT);
	ck_assert_int_eq(v.action, ZONE_ACTION_DENY);
	judge(m, "fd00:1::10", "fd00:1:0:1::10", IPPROTO_TCP, 443, NOW, &v);
	ck_assert_int_eq(v.rule, ZONE_RULE_INTRA_ZONE);
	ck_assert_int_eq(v.action, ZONE_ACTION_ALLOW);
	fixture_free(m);
}
END_TEST

/* ---- every kind of channel on every pair ---- */

#define CHAN_PORT0 1000

/*
 * One channel of every kind on every ordered pair of distinct roles,
 * pinned to host_a on both sides, each on its own TCP port.
 */
static struct zone_model *fixture_all_channels(enum zone_profile prof)
{
	size_t cap = ZONE_ROLE_MAX * ZONE_ROLE_MAX * ZONE_CHANNEL_KIND_MAX;
	struct zone_model *m = fixture_new(prof, true, cap);
	unsigned int from;
	unsigned int to;
	unsigned int k;

	for (from = 0; from < ZONE_ROLE_MAX; from++) {
		for (to = 0; to < ZONE_ROLE_MAX; to++) {
			size_t a = first_of_role[from];
			size_t b = first_of_role[to];

			if (from == to)
				continue;
			for (k = 0; k < ZONE_CHANNEL_KIND_MAX; k++) {
				struct chandef d = {
					.kind = k,
					.from = a,
					.to = b,
					.from_host = segdefs[a].host_a,
					.to_host = segdefs[b].host_a,
					.proto = IPPROTO_TCP,
					.port_first =
						CHAN_PORT0 + m->n_channels,
					.port_last = CHAN_PORT0 + m->n_channels,
					/* half of them expire later */
					.expires = m->n_channels % 2 ?
							   NOW + 3600 :
							   0,
				};

				fixture_channel(m, &d);
			}
		}
	}
	fixture_finish(m);
	return m;
}

static void check_channel(const struct zone_model *m,
			  const struct zone_channel *c)
{
	const struct segdef *fd = &segdefs[c->from->index];
	const struct segdef *td = &segdefs[c->to->index];
	enum zone_rule base = spec_rule(fd->role, td->role);
	bool opens = !spec_allows(base) &&
		     spec_legal(m->profile, c->kind, fd->role, td->role);
	uint16_t port = c->services[0].port_first;
	struct zone_verdict v;

	judge(m, fd->host_a, td->host_a, IPPROTO_TCP, port, NOW, &v);
	ck_assert_msg(v.rule == (opens ? ZONE_RULE_CHANNEL : base),
		      "%s %s -> %s (%s): got %s",
		      zone_channel_kind_name(c->kind), fd->name, td->name,
		      zone_profile_name(m->profile), zone_rule_name(v.rule));
	ck_assert_int_eq(v.action, spec_allows(v.rule) ? ZONE_ACTION_ALLOW :
							 ZONE_ACTION_DENY);
	ck_assert_ptr_eq(v.channel, opens ? c : NULL);
	if (!opens)
		return;
	/* any one thing off and the cell's own rule answers */
	judge(m, fd->host_b, td->host_a, IPPROTO_TCP, port, NOW, &v);
	ck_assert_int_eq(v.rule, base);
	ck_assert_ptr_null(v.channel);
	judge(m, fd->host_a, td->host_b, IPPROTO_TCP, port, NOW, &v);
	ck_assert_int_eq(v.rule, base);
	judge(m, fd->host_a, td->host_a, IPPROTO_UDP, port, NOW, &v);
	ck_assert_int_eq(v.rule, base);
	judge(m, fd->host_a, td->host_a, IPPROTO_TCP, CHAN_PORT0 - 1, NOW, &v);
	ck_assert_int_eq(v.rule, base);
	ck_assert_int_eq(v.action, ZONE_ACTION_DENY);
	/* the reverse direction is another flow */
	judge(m, td->host_a, fd->host_a, IPPROTO_TCP, port, NOW, &v);
	ck_assert_ptr_ne(v.channel, c);
	if (c->expires_text) {
		judge(m, fd->host_a, td->host_a, IPPROTO_TCP, port, c->expires,
		      &v);
		ck_assert_int_eq(v.rule, base);
		ck_assert_int_eq(v.action, ZONE_ACTION_DENY);
	}
}

START_TEST(test_verdict_channels)
{
	struct zone_model *m = fixture_all_channels(profiles[_i]);
	size_t opened = 0;
	size_t i;

	for (i = 0; i < m->n_channels; i++) {
		check_channel(m, &m->channels[i]);
		opened += verdict_channel_legal(m->profile, m->channels[i].kind,
						m->channels[i].from->role,
						m->channels[i].to->role);
	}
	/*
	 * R<->L 2 + R<->G 2 + R<->P/W 4 + screen-transfer 2 + sanitize +
	 * inbound 2
	 */
	ck_assert_uint_eq(opened,
			  m->profile == ZONE_PROFILE_ALPHA_PRIME ? 14 : 13);
	fixture_free(m);
}
END_TEST

/* Without the index the verdict scans the channels: same answers. */
START_TEST(test_verdict_channels_unindexed)
{
	struct zone_model *m = fixture_all_channels(profiles[_i]);
	size_t i;

	verdict_index_free(m->verdict_index);
	m->verdict_index = NULL;
	for (i = 0; i < m->n_channels; i++)
		check_channel(m, &m->channels[i]);
	fixture_free(m);
}
END_TEST

/* ---- single channels in detail ---- */

START_TEST(test_verdict_channel_expiry)
{
	struct zone_model *m = fixture_new(ZONE_PROFILE_ALPHA, true, 1);
	struct chandef d = {
		.kind = ZONE_CHANNEL_SANITIZE,
		.from = 4,
		.to = 2,
		.from_host = "10.3.0.25",
		.to_host = "10.2.0.25",
		.proto = IPPROTO_TCP,
		.port_first = 25,
		.port_last = 25,
		.expires = NOW,
	};
	struct zone_verdict v;

	fixture_channel(m, &d);
	fixture_finish(m);
	judge(m, "10.3.0.25", "10.2.0.25", IPPROTO_TCP, 25, NOW - 1, &v);
	ck_assert_int_eq(v.rule, ZONE_RULE_CHANNEL);
	ck_assert_int_eq(v.action, ZONE_ACTION_ALLOW);
	ck_assert_ptr_eq(v.channel, &m->channels[0]);
	judge(m, "10.3.0.25", "10.2.0.25", IPPROTO_TCP, 25, NOW, &v);
	ck_assert_int_eq(v.rule, ZONE_RULE_SPLIT_PATH);
	ck_assert_int_eq(v.action, ZONE_ACTION_DENY);
	ck_assert_ptr_null(v.channel);
	judge(m, "10.3.0.25", "10.2.0.25", IPPROTO_TCP, 25, NOW + 86400, &v);
	ck_assert_int_eq(v.rule, ZONE_RULE_SPLIT_PATH);
	fixture_free(m);
}
END_TEST

START_TEST(test_verdict_channel_ranges_and_open_hosts)
{
	struct zone_model *m = fixture_new(ZONE_PROFILE_ALPHA, true, 2);
	struct chandef screen = {
		.kind = ZONE_CHANNEL_SCREEN_TRANSFER,
		.from = 2,
		.to = 4,
		.from_host = NULL,
		.to_host = "10.3.0.0/24",
		.proto = IPPROTO_TCP,
		.port_first = 5900,
		.port_last = 5999,
	};
	struct chandef inbound = {
		.kind = ZONE_CHANNEL_INBOUND,
		.from = N_SEGDEFS - 1,
		.to = 4,
		.to_host = "10.3.0.80",
		.proto = IPPROTO_TCP,
		.port_first = 443,
		.port_last = 443,
	};
	struct zone_verdict v;

	fixture_channel(m, &screen);
	fixture_channel(m, &inbound);
	fixture_finish(m);
	/* an empty from_hosts is the whole segment */
	judge(m, "10.2.200.1", "10.3.0.77", IPPROTO_TCP, 5900, NOW, &v);
	ck_assert_int_eq(v.rule, ZONE_RULE_CHANNEL);
	judge(m, "10.2.0.1", "10.3.0.77", IPPROTO_TCP, 5999, NOW, &v);
	ck_assert_int_eq(v.rule, ZONE_RULE_CHANNEL);
	judge(m, "10.2.0.1", "10.3.0.77", IPPROTO_TCP, 6000, NOW, &v);
	ck_assert_int_eq(v.rule, ZONE_RULE_SPLIT_PATH);
	judge(m, "10.2.0.1", "10.3.0.77", IPPROTO_TCP, 5899, NOW, &v);
	ck_assert_int_eq(v.rule, ZONE_RULE_SPLIT_PATH);
	judge(m, "10.2.0.1", "10.3.1.77", IPPROTO_TCP, 5900, NOW, &v);
	ck_assert_int_eq(v.rule, ZONE_RULE_SPLIT_PATH);
	/* an inbound channel from the catch-all: any unassigned source */
	judge(m, "8.8.8.8", "10.3.0.80", IPPROTO_TCP, 443, NOW, &v);
	ck_assert_int_eq(v.rule, ZONE_RULE_CHANNEL);
	ck_assert_ptr_eq(v.channel, &m->channels[1]);
	judge(m, "8.8.8.8", "10.3.0.81", IPPROTO_TCP, 443, NOW, &v);
	ck_assert_int_eq(v.rule, ZONE_RULE_INBOUND_DEFAULT);
	/* but not from the security cloud: the channel names the internet */
	judge(m, "192.0.2.10", "10.3.0.80", IPPROTO_TCP, 443, NOW, &v);
	ck_assert_int_eq(v.rule, ZONE_RULE_INBOUND_DEFAULT);
	fixture_free(m);
}
END_TEST

START_TEST(test_verdict_first_channel_wins)
{
	struct zone_model *m = fixture_new(ZONE_PROFILE_ALPHA, true, 3);
	struct chandef d = {
		.kind = ZONE_CHANNEL_SYSTEM_PAIR,
		.from = 0,
		.to = 2,
		.from_host = "10.1.0.10",
		.to_host = "10.2.0.10",
		.proto = IPPROTO_TCP,
		.port_first = 1521,
		.port_last = 1521,
	};
	struct zone_verdict v;

	d.expires = NOW - 10; /* expired: skipped */
	fixture_channel(m, &d);
	d.expires = 0;
	fixture_channel(m, &d);
	fixture_channel(m, &d);
	fixture_finish(m);
	judge(m, "10.1.0.10", "10.2.0.10", IPPROTO_TCP, 1521, NOW, &v);
	ck_assert_int_eq(v.rule, ZONE_RULE_CHANNEL);
	ck_assert_ptr_eq(v.channel, &m->channels[1]);
	fixture_free(m);
}
END_TEST

/* A channel with no services admits nothing. */
START_TEST(test_verdict_channel_without_services)
{
	struct zone_model *m = fixture_new(ZONE_PROFILE_ALPHA, true, 1);
	struct chandef d = {
		.kind = ZONE_CHANNEL_SANITIZE,
		.from = 4,
		.to = 2,
		.proto = IPPROTO_TCP,
		.port_first = 25,
		.port_last = 25,
	};
	struct zone_verdict v;

	fixture_channel(m, &d)->n_services = 0;
	fixture_finish(m);
	judge(m, "10.3.0.25", "10.2.0.25", IPPROTO_TCP, 25, NOW, &v);
	ck_assert_int_eq(v.rule, ZONE_RULE_SPLIT_PATH);
	fixture_free(m);
}
END_TEST

START_TEST(test_verdict_rule_names)
{
	static const char *const want[ZONE_RULE_MAX] = {
		"intra-zone",	   "hard-invariant", "lgwan-wan",
		"secure-egress",   "channel",	     "resident-default",
		"split-path",	   "no-breakout",    "direct-internet",
		"inbound-default", "default-deny",   "no-transit",
		"narrowed",	   "unknown-interface", "spoof",
		"wrong-egress",	   "gateway",	     "management",
		"outbound",	   "ha",
	};
	int r;

	for (r = 0; r < ZONE_RULE_MAX; r++)
		ck_assert_str_eq(zone_rule_name(r), want[r]);
	ck_assert_str_eq(zone_rule_name(ZONE_RULE_MAX), "?");
}
END_TEST

/* ---- end to end: a config text through the loader ---- */

static const char *const conf_text =
	"profile = \"alpha-prime\";\n"
	"profile_approved = \"CISO 2026-020\";\n"
	"mode = \"monitor\";\n"
	"zones = (\n"
	"  { name = \"jumin\"; tier = \"resident\"; interfaces = [ \"e1\" ];\n"
	"    networks = [ \"10.1.0.0/16\", \"fd00:1::/48\" ]; },\n"
	"  { name = \"lgwan\"; tier = \"lgwan\"; interfaces = [ \"e2\" ];\n"
	"    networks = [ \"10.2.0.0/16\" ]; },\n"
	"  { name = \"naibu\"; tier = \"internet\"; interfaces = [ \"e3\" ];\n"
	"    networks = [ \"10.3.0.0/16\" ]; }\n"
	");\n"
	"attachments = (\n"
	"  { name = \"lgwan-wan\"; kind = \"lgwan-wan\"; interfaces = [ \"e4\" ];\n"
	"    networks = [ \"172.16.0.0/12\" ]; },\n"
	"  { name = \"seccloud\"; kind = \"security-cloud\"; interfaces = [ \"e5\" ];\n"
	"    networks = [ \"192.0.2.0/24\" ]; },\n"
	"  { name = \"internet\"; kind = \"internet\"; interfaces = [ \"e5\" ]; }\n"
	");\n"
	"gateway = { management = ( ); outbound = ( ); };\n"
	"channels = (\n"
	"  { name = \"mail-mukaika\"; kind = \"sanitize\"; from = \"naibu\";\n"
	"    to = \"lgwan\"; from_hosts = [ \"10.3.0.25\" ];\n"
	"    to_hosts = [ \"10.2.0.25\" ]; services = [ \"tcp/25\" ];\n"
	"    reason = \"r\"; approved = \"a\"; expires = \"2027-03-31\"; },\n"
	"  { name = \"cloud-office\"; kind = \"breakout\"; from = \"lgwan\";\n"
	"    to = \"internet\"; to_hosts = [ \"203.0.113.0/24\" ];\n"
	"    services = [ \"tcp/443\" ]; reason = \"r\"; approved = \"a\"; }\n"
	");\n";

static struct zone_model *load_conf(void)
{
	struct zone_diag *diag = zone_diag_new();
	struct zone_model *m = NULL;
	size_t i;
	int ret;

	ck_assert_ptr_nonnull(diag);
	ret = zone_conf_load_string(conf_text, "test.conf", diag, &m);
	for (i = 0; i < zone_diag_count(diag); i++)
		fprintf(stderr, "%s\n", zone_diag_line(diag, i));
	ck_assert_int_eq(ret, 0);
	zone_diag_free(diag);
	ck_assert_ptr_nonnull(m->verdict_index);
	return m;
}

static enum zone_rule rule_of(const struct zone_model *m, const char *src,
			      const char *dst, uint16_t dport, time_t now)
{
	struct zone_verdict v;

	judge(m, src, dst, IPPROTO_TCP, dport, now, &v);
	ck_assert_int_eq(v.action, spec_allows(v.rule) ? ZONE_ACTION_ALLOW :
							 ZONE_ACTION_DENY);
	return v.rule;
}

START_TEST(test_verdict_from_config)
{
	struct zone_model *m = load_conf();
	const struct zone_channel *mail;
	time_t end;

	/* monitor mode: the verdict still says what enforce would drop */
	ck_assert_int_eq(rule_of(m, "10.1.0.5", "10.3.0.5", 443, NOW),
			 ZONE_RULE_HARD_INVARIANT);
	ck_assert_int_eq(rule_of(m, "fd00:1::5", "2001:db8::1", 443, NOW),
			 ZONE_RULE_HARD_INVARIANT);
	ck_assert_int_eq(rule_of(m, "10.2.0.5", "172.16.1.1", 443, NOW),
			 ZONE_RULE_LGWAN_WAN);
	ck_assert_int_eq(rule_of(m, "10.3.0.5", "192.0.2.8", 8080, NOW),
			 ZONE_RULE_SECURE_EGRESS);
	ck_assert_int_eq(rule_of(m, "10.3.0.5", "198.18.0.1", 443, NOW),
			 ZONE_RULE_DIRECT_INTERNET);
	/* alpha-prime breakout: its destinations only */
	ck_assert_int_eq(rule_of(m, "10.2.0.5", "203.0.113.7", 443, NOW),
			 ZONE_RULE_CHANNEL);
	ck_assert_int_eq(rule_of(m, "10.2.0.5", "198.18.0.1", 443, NOW),
			 ZONE_RULE_NO_BREAKOUT);
	ck_assert_int_eq(rule_of(m, "10.2.0.5", "192.0.2.8", 443, NOW),
			 ZONE_RULE_NO_BREAKOUT);
	/* the sanitising relay until the end of its expiry day */
	mail = zone_model_channel_by_name(m, "mail-mukaika");
	ck_assert_ptr_nonnull(mail);
	ck_assert(zone_channel_expires(mail, &end));
	ck_assert_int_eq(rule_of(m, "10.3.0.25", "10.2.0.25", 25, end - 1),
			 ZONE_RULE_CHANNEL);
	ck_assert_int_eq(rule_of(m, "10.3.0.25", "10.2.0.25", 25, end),
			 ZONE_RULE_SPLIT_PATH);
	ck_assert_int_eq(rule_of(m, "10.2.0.25", "10.3.0.25", 25, end - 1),
			 ZONE_RULE_SPLIT_PATH);
	zone_model_free(m);
}
END_TEST

/* verdict_channel_legal() against the restated channel table. */
static void check_legal(enum zone_profile p, enum zone_channel_kind k)
{
	unsigned int f;
	unsigned int t;

	for (f = 0; f < ZONE_ROLE_MAX; f++) {
		for (t = 0; t < ZONE_ROLE_MAX; t++) {
			bool got = verdict_channel_legal(p, k, f, t);

			ck_assert_int_eq(got, spec_legal(p, k, f, t));
		}
	}
}

START_TEST(test_verdict_legal_table)
{
	unsigned int p;
	unsigned int k;

	for (p = 0; p < ZONE_PROFILE_MAX; p++) {
		for (k = 0; k < ZONE_CHANNEL_KIND_MAX; k++)
			check_legal(p, k);
	}
}
END_TEST

/* ---- the edges: interfaces, narrow, the gateway itself ---- */

static const char *const edge_text =
	"zones = (\n"
	"  { name = \"jumin\"; tier = \"resident\"; interfaces = [ \"e1\" ];\n"
	"    networks = [ \"10.1.0.0/16\" ]; },\n"
	"  { name = \"lgwan\"; tier = \"lgwan\"; interfaces = [ \"e2\", \"e2b\" ];\n"
	"    networks = [ \"10.2.0.0/16\" ]; },\n"
	"  { name = \"naibu\"; tier = \"internet\"; interfaces = [ \"e3\" ];\n"
	"    networks = [ \"10.3.0.0/16\" ]; }\n"
	");\n"
	"attachments = (\n"
	"  { name = \"lgwan-wan\"; kind = \"lgwan-wan\"; interfaces = [ \"e4\" ];\n"
	"    networks = [ \"172.16.0.0/12\" ]; },\n"
	"  { name = \"seccloud\"; kind = \"security-cloud\"; interfaces = [ \"e5\" ];\n"
	"    networks = [ \"192.0.2.0/24\" ]; },\n"
	"  { name = \"internet\"; kind = \"internet\"; interfaces = [ \"e5\" ]; }\n"
	");\n"
	"narrow = ( { from = \"naibu\"; to = \"seccloud\";\n"
	"    to_hosts = [ \"192.0.2.80\" ]; services = [ \"tcp/8080\" ]; } );\n"
	"gateway = {\n"
	"  management = ( { name = \"ssh\"; from = \"lgwan\";\n"
	"    from_hosts = [ \"10.2.0.5\" ]; services = [ \"tcp/22\" ];\n"
	"    reason = \"r\"; approved = \"a\"; } );\n"
	"  outbound = ( { name = \"ntp\"; to = \"seccloud\";\n"
	"    to_hosts = [ \"192.0.2.123\" ]; services = [ \"udp/123\" ];\n"
	"    reason = \"r\"; approved = \"a\"; } );\n"
	"};\n";

/* zone_verdict_edge() of one TCP/UDP packet; the rule */
static enum zone_rule edge_rule(const struct zone_model *m, const char *src,
				const char *dst, uint8_t proto, uint16_t dport,
				enum zone_path path, const char *iif,
				const char *oif)
{
	struct zone_flow f = {
		.proto = proto,
		.dport = dport,
	};
	struct zone_verdict v;

	if (src)
		f.src = addr(src);
	if (dst)
		f.dst = addr(dst);
	if (!src)
		f.src.family = f.dst.family;
	if (!dst)
		f.dst.family = f.src.family;
	memset(&v, 0xa5, sizeof(v));
	zone_verdict_edge(m, &f, path, iif, oif, NOW, &v);
	ck_assert_int_eq(v.path, path);
	ck_assert_int_eq(v.action, v.rule == ZONE_RULE_INTRA_ZONE ||
					   v.rule == ZONE_RULE_LGWAN_WAN ||
					   v.rule == ZONE_RULE_SECURE_EGRESS ||
					   v.rule == ZONE_RULE_MANAGEMENT ||
					   v.rule == ZONE_RULE_OUTBOUND ||
					   v.rule == ZONE_RULE_HA ?
				   ZONE_ACTION_ALLOW :
				   ZONE_ACTION_DENY);
	return v.rule;
}

/*
 * gateway.ha: VRRP, conntrackd's and zoned's UDP, on the sync interface,
 * with the peer only; nothing else of the peer's and nothing of anyone
 * else's on that link.
 */
START_TEST(test_verdict_ha)
{
	struct zone_diag *diag = zone_diag_new();
	struct zone_model *m = NULL;
	const uint8_t U = IPPROTO_UDP;
	const uint8_t T = IPPROTO_TCP;
	const enum zone_path IN = ZONE_PATH_INPUT;
	const enum zone_path OUT = ZONE_PATH_OUTPUT;
	char *text;

	ck_assert_int_ne(asprintf(&text, "%.*s  ha = { interface = \"sync0\"; "
				  "peer = \"10.255.0.2\"; key_file = \"/k\"; };\n};\n",
				  (int)(strlen(edge_text) - 3), edge_text),
			 -1);
	ck_assert_int_eq(zone_conf_load_string(text, "h.conf", diag, &m), 0);
	zone_diag_free(diag);
	free(text);
	ck_assert(zone_model_has_ha(m));
	ck_assert_int_eq(edge_rule(m, "10.255.0.2", "224.0.0.18", 112, 0, IN,
				   "sync0", NULL),
			 ZONE_RULE_HA);
	ck_assert_int_eq(edge_rule(m, "10.255.0.1", "224.0.0.18", 112, 0, OUT,
				   NULL, "sync0"),
			 ZONE_RULE_HA);
	ck_assert_int_eq(edge_rule(m, "10.255.0.2", "10.255.0.1", U, 3780, IN,
				   "sync0", NULL),
			 ZONE_RULE_HA);
	ck_assert_int_eq(edge_rule(m, "10.255.0.1", "10.255.0.2", U, 3781, OUT,
				   NULL, "sync0"),
			 ZONE_RULE_HA);
	/* the interface unknown to the caller (conntrack): by the ends */
	ck_assert_int_eq(edge_rule(m, "10.255.0.2", "10.255.0.1", U, 3780, IN,
				   NULL, NULL),
			 ZONE_RULE_HA);
	/* another host on the link, another port, another protocol */
	ck_assert_int_eq(edge_rule(m, "10.255.0.3", "10.255.0.1", U, 3780, IN,
				   "sync0", NULL),
			 ZONE_RULE_GATEWAY);
	ck_assert_int_eq(edge_rule(m, "10.255.0.3", "224.0.0.18", 112, 0, IN,
				   "sync0", NULL),
			 ZONE_RULE_GATEWAY);
	ck_assert_int_eq(edge_rule(m, "10.255.0.2", "10.255.0.1", U, 3782, IN,
				   "sync0", NULL),
			 ZONE_RULE_GATEWAY);
	ck_assert_int_eq(edge_rule(m, "10.255.0.2", "10.255.0.1", T, 3780, IN,
				   "sync0", NULL),
			 ZONE_RULE_GATEWAY);
	ck_assert_int_eq(edge_rule(m, "10.255.0.1", "10.255.0.2", T, 22, OUT,
				   NULL, "sync0"),
			 ZONE_RULE_GATEWAY);
	/* the peer's traffic on a zone's interface */
	ck_assert_int_eq(edge_rule(m, "10.255.0.2", "10.255.0.1", U, 3780, IN,
				   "e2", NULL),
			 ZONE_RULE_GATEWAY);
	ck_assert_int_eq(edge_rule(m, "10.255.0.1", "10.255.0.2", U, 3780, OUT,
				   NULL, "e2"),
			 ZONE_RULE_GATEWAY);
	/* the IGMP reports of the VRRP group's membership, going out only */
	ck_assert_int_eq(edge_rule(m, "10.255.0.1", "224.0.0.22", 2, 0, OUT,
				   NULL, "sync0"),
			 ZONE_RULE_HA);
	ck_assert_int_eq(edge_rule(m, "10.255.0.2", "224.0.0.22", 2, 0, IN,
				   "sync0", NULL),
			 ZONE_RULE_GATEWAY);
	ck_assert_int_eq(edge_rule(m, "10.255.0.1", "224.0.0.22", 2, 0, OUT,
				   NULL, "e2"),
			 ZONE_RULE_GATEWAY);
	/* VRRP to another group */
	ck_assert_int_eq(edge_rule(m, "10.255.0.1", "224.0.0.19", 112, 0, OUT,
				   NULL, "sync0"),
			 ZONE_RULE_GATEWAY);
	ck_assert_str_eq(zone_rule_name(ZONE_RULE_HA), "ha");
	zone_model_free(m);
}
END_TEST

START_TEST(test_verdict_edges)
{
	struct zone_diag *diag = zone_diag_new();
	struct zone_model *m = NULL;
	const uint8_t T = IPPROTO_TCP;
	const uint8_t U = IPPROTO_UDP;
	const enum zone_path F = ZONE_PATH_FORWARD;

	ck_assert_int_eq(zone_conf_load_string(edge_text, "e.conf", diag, &m),
			 0);
	zone_diag_free(diag);
	/* forward: each binding in the kernel's order, then the matrix */
	ck_assert_int_eq(edge_rule(m, "10.2.0.9", "172.16.0.9", T, 443, F,
				   "e2b", "e4"),
			 ZONE_RULE_LGWAN_WAN);
	ck_assert_int_eq(edge_rule(m, "10.2.0.9", "172.16.0.9", T, 443, F,
				   "eth9", "e4"),
			 ZONE_RULE_UNKNOWN_INTERFACE);
	ck_assert_int_eq(edge_rule(m, "10.2.0.9", "172.16.0.9", T, 443, F,
				   "e1", "e4"),
			 ZONE_RULE_SPOOF);
	/* nobody's address: the internet, on the internet's interface only */
	ck_assert_int_eq(edge_rule(m, "100.64.0.9", "10.3.0.9", T, 443, F,
				   "e1", "e3"),
			 ZONE_RULE_SPOOF);
	ck_assert_int_eq(edge_rule(m, "100.64.0.9", "10.3.0.9", T, 443, F,
				   "e5", "e3"),
			 ZONE_RULE_INBOUND_DEFAULT);
	ck_assert_int_eq(edge_rule(m, "10.2.0.9", "172.16.0.9", T, 443, F,
				   "e2", "eth9"),
			 ZONE_RULE_UNKNOWN_INTERFACE);
	ck_assert_int_eq(edge_rule(m, "10.2.0.9", "172.16.0.9", T, 443, F,
				   "e2", "e3"),
			 ZONE_RULE_WRONG_EGRESS);
	/* no transit, the same attachment included */
	ck_assert_int_eq(edge_rule(m, "100.64.0.9", "100.65.0.9", U, 53, F,
				   "e5", "e5"),
			 ZONE_RULE_NO_TRANSIT);
	ck_assert_int_eq(edge_rule(m, "172.16.0.9", "192.0.2.9", U, 53, F,
				   "e4", "e5"),
			 ZONE_RULE_NO_TRANSIT);
	/* the narrowed cell: its host and service, nothing else */
	ck_assert_int_eq(edge_rule(m, "10.3.0.9", "192.0.2.80", T, 8080, F,
				   "e3", "e5"),
			 ZONE_RULE_SECURE_EGRESS);
	ck_assert_int_eq(edge_rule(m, "10.3.0.9", "192.0.2.80", T, 443, F,
				   "e3", "e5"),
			 ZONE_RULE_NARROWED);
	ck_assert_int_eq(edge_rule(m, "10.3.0.9", "192.0.2.81", T, 8080, F,
				   NULL, NULL),
			 ZONE_RULE_NARROWED);
	/* an un-narrowed allowed cell stays open */
	ck_assert_int_eq(edge_rule(m, "10.2.0.9", "172.16.0.9", U, 9, F, NULL,
				   NULL),
			 ZONE_RULE_LGWAN_WAN);
	/* the gateway itself */
	ck_assert_int_eq(edge_rule(m, "10.2.0.5", NULL, T, 22,
				   ZONE_PATH_INPUT, "e2b", NULL),
			 ZONE_RULE_MANAGEMENT);
	ck_assert_int_eq(edge_rule(m, "10.2.0.5", NULL, T, 22,
				   ZONE_PATH_INPUT, "e1", NULL),
			 ZONE_RULE_GATEWAY);
	ck_assert_int_eq(edge_rule(m, "10.2.0.6", NULL, T, 22,
				   ZONE_PATH_INPUT, NULL, NULL),
			 ZONE_RULE_GATEWAY);
	ck_assert_int_eq(edge_rule(m, "10.2.0.5", NULL, U, 22,
				   ZONE_PATH_INPUT, NULL, NULL),
			 ZONE_RULE_GATEWAY);
	ck_assert_int_eq(edge_rule(m, NULL, "192.0.2.123", U, 123,
				   ZONE_PATH_OUTPUT, NULL, "e5"),
			 ZONE_RULE_OUTBOUND);
	ck_assert_int_eq(edge_rule(m, NULL, "192.0.2.123", U, 123,
				   ZONE_PATH_OUTPUT, NULL, "e4"),
			 ZONE_RULE_GATEWAY);
	ck_assert_int_eq(edge_rule(m, NULL, "10.3.0.1", U, 123,
				   ZONE_PATH_OUTPUT, NULL, NULL),
			 ZONE_RULE_GATEWAY);
	zone_model_free(m);
}
END_TEST

static Suite *verdict_suite(void)
{
	Suite *s = suite_create("verdict");
	TCase *tc = tcase_create("verdict");
	int np = sizeof(profiles) / sizeof(profiles[0]);

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_verdict_matrix, 0, np);
	tcase_add_loop_test(tc, test_verdict_matrix_no_catchall, 0, np);
	tcase_add_test(tc, test_verdict_classify);
	tcase_add_test(tc, test_verdict_ipv6);
	tcase_add_loop_test(tc, test_verdict_channels, 0, np);
	tcase_add_loop_test(tc, test_verdict_channels_unindexed, 0, np);
	tcase_add_test(tc, test_verdict_channel_expiry);
	tcase_add_test(tc, test_verdict_channel_ranges_and_open_hosts);
	tcase_add_test(tc, test_verdict_first_channel_wins);
	tcase_add_test(tc, test_verdict_channel_without_services);
	tcase_add_test(tc, test_verdict_rule_names);
	tcase_add_test(tc, test_verdict_legal_table);
	tcase_add_test(tc, test_verdict_from_config);
	tcase_add_test(tc, test_verdict_edges);
	tcase_add_test(tc, test_verdict_ha);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(verdict_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
