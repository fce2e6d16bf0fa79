/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the ruleset compiler and the batch builder, without a
 * kernel: fixture models compiled and printed in libnftnl's notation and
 * compared with golden tests/nft/<name>.payload files (UPDATE_GOLDEN=1
 * rewrites them); the interval maps checked against the classifier; every
 * message of a batch serialised and parsed back; and the incremental
 * apply checked to send only element changes when only prefixes change.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>

#include <zone/conf.h>
#include <zone/diag.h>
#include <zone/lpm.h>
#include <zone/mark.h>
#include <zone/model.h>
#include <zone/ruleset.h>
#include <zone/verdict.h>

#include "lpm_priv.h"
#include "model_priv.h"
#include "nft_batch.h"
#include "nft_plan.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif

/* 2026-05-28: "old" has expired, "mail" has not */
#define NOW ((time_t)1780000000)

static struct zone_ruleset *compile_at(const struct zone_model *m, time_t now)
{
	struct zone_compile_args args = { .now = now };

	return zone_ruleset_compile(m, &args);
}

static struct zone_ruleset *compile_isolated(const struct zone_model *m,
					     const struct zone_prefix *iso,
					     size_t n)
{
	struct zone_compile_args args = { .isolated = iso,
					  .n_isolated = n,
					  .now = NOW };

	return zone_ruleset_compile(m, &args);
}

static const char fixture_head[] =
	"profile = \"alpha-prime\";\n"
	"profile_approved = \"CISO TEST\";\n"
	"mode = \"%s\";\n"
	"zones = (\n"
	"  { name = \"jumin\"; tier = \"resident\"; interfaces = [ \"eth1\" ];\n"
	"    networks = [ \"10.1.0.0/16\", \"10.11.0.0/16\", \"fd00:1::/48\" ]; },\n"
	"  { name = \"lgwan\"; tier = \"lgwan\"; interfaces = [ \"eth2\", \"eth2b\" ];\n"
	"    networks = [ %s ]; },\n"
	"  { name = \"naibu\"; tier = \"internet\"; interfaces = [ \"eth3\" ];\n"
	"    networks = [ \"10.3.0.0/16\" ]; }\n"
	");\n"
	"attachments = (\n"
	"  { name = \"lgwan-wan\"; kind = \"lgwan-wan\"; interfaces = [ \"eth4\" ];\n"
	"    networks = [ \"172.16.0.0/12\" ]; },\n"
	"  { name = \"seccloud\"; kind = \"security-cloud\"; interfaces = [ \"eth5\" ];\n"
	"    networks = [ \"192.0.2.0/24\" ]; },\n"
	"  { name = \"internet\"; kind = \"internet\"; interfaces = [ \"eth5\" ]; }\n"
	");\n"
	"channels = (\n"
	"  { name = \"mail\"; kind = \"sanitize\"; from = \"naibu\"; to = \"lgwan\";\n"
	"    from_hosts = [ \"10.3.0.25\", \"10.3.4.1\" ]; to_hosts = [ \"10.2.0.25\" ];\n"
	"    services = [ \"tcp/25\", \"tcp/8000-8010\" ];\n"
	"    reason = \"relay\"; approved = \"CISO 1\"; expires = \"2027-03-31T00:00:00Z\"; },\n"
	"  { name = \"old\"; kind = \"sanitize\"; from = \"naibu\"; to = \"lgwan\";\n"
	"    from_hosts = [ \"10.3.0.26\" ]; to_hosts = [ \"10.2.0.26\" ];\n"
	"    services = [ \"tcp/25\" ]; reason = \"gone\"; approved = \"CISO 2\";\n"
	"    expires = \"2026-01-01T00:00:00Z\"; },\n"
	"  { name = \"cloud\"; kind = \"breakout\"; from = \"lgwan\"; to = \"internet\";\n"
	"    to_hosts = [ \"198.51.100.0/24\", \"2001:db8:1::/48\" ];\n"
	"    services = [ \"tcp/443\" ]; reason = \"saas\"; approved = \"CISO 3\"; }%s\n"
	");\n"
	"narrow = ( { from = \"naibu\"; to = \"seccloud\";\n"
	"    to_hosts = [ \"192.0.2.80\" ]; services = [ \"tcp/8080\" ]; } );\n"
	"gateway = {\n"
	"  management = ( { name = \"ssh\"; from = \"lgwan\";\n"
	"    from_hosts = [ \"10.2.0.5\" ]; services = [ \"tcp/22\" ];\n"
	"    reason = \"r\"; approved = \"a\"; } );\n"
	"  outbound = ( { name = \"ntp\"; to = \"lgwan-wan\";\n"
	"    to_hosts = [ \"172.16.1.1\" ]; services = [ \"udp/123\" ];\n"
	"    reason = \"r\"; approved = \"a\"; } );\n"
	"};\n";

#define LGWAN_NETS "\"10.2.0.0/16\", \"fd00:2::/48\""

static struct zone_model *load_fixture(const char *mode, const char *lgwan,
				       const char *extra_channel)
{
	struct zone_diag *diag = zone_diag_new();
	struct zone_model *m = NULL;
	char *text = NULL;
	size_t i;
	int ret;

	ck_assert_ptr_nonnull(diag);
	ck_assert_int_gt(
		asprintf(&text, fixture_head, mode, lgwan, extra_channel), 0);
	ret = zone_conf_load_string(text, "fixture.conf", diag, &m);
	for (i = 0; i < zone_diag_count(diag); i++)
		fprintf(stderr, "%s\n", zone_diag_line(diag, i));
	ck_assert_int_eq(ret, 0);
	zone_diag_free(diag);
	free(text);
	return m;
}

static char *plan_text(const struct zone_ruleset *rs)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(nft_plan_fprint(rs, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	return text;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text;
	long n;

	if (!f)
		return strdup("");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return text;
}

static void check_golden(const char *name, const struct zone_ruleset *rs)
{
	const char *update = getenv("UPDATE_GOLDEN");
	char path[512];
	char *got = plan_text(rs);
	char *want;

	snprintf(path, sizeof(path), SRCDIR "/tests/nft/%s.payload", name);
	if (update && strcmp(update, "1") == 0) {
		FILE *f = fopen(path, "w");

		ck_assert_ptr_nonnull(f);
		fputs(got, f);
		fclose(f);
	}
	want = read_file(path);
	ck_assert_msg(strcmp(got, want) == 0,
		      "%s differs from the plan (UPDATE_GOLDEN=1 rewrites it)",
		      path);
	free(got);
	free(want);
}

/*
 * The interfaces' indexes for set flowbind: the last character of the
 * name, and none for eth5, whose keys are then bound by name only.
 */
static unsigned int fake_ifindex(const char *name, void *arg)
{
	(void)arg;
	if (strcmp(name, "eth5") == 0)
		return 0;
	return (unsigned char)name[strlen(name) - 1];
}

START_TEST(test_nft_compile_golden_enforce)
{
	struct zone_model *m = load_fixture("enforce", LGWAN_NETS, "");
	struct zone_prefix iso[2];
	struct zone_ruleset *rs;

	ck_assert_int_eq(zone_prefix_parse("10.1.0.99", &iso[0]), 0);
	ck_assert_int_eq(zone_prefix_parse("fd00:2::/64", &iso[1]), 0);
	rs = zone_ruleset_compile(
		m, &(struct zone_compile_args){ .isolated = iso,
						.n_isolated = 2,
						.now = NOW,
						.ifindex = fake_ifindex });
	ck_assert_ptr_nonnull(rs);
	check_golden("enforce", rs);
	zone_ruleset_free(rs);
	zone_model_free(m);
}
END_TEST

START_TEST(test_nft_compile_golden_monitor)
{
	struct zone_model *m = load_fixture("monitor", LGWAN_NETS, "");
	struct zone_ruleset *rs = compile_at(m, NOW);

	ck_assert_ptr_nonnull(rs);
	check_golden("monitor", rs);
	zone_ruleset_free(rs);
	zone_model_free(m);
}
END_TEST

START_TEST(test_nft_compile_golden_lockdown)
{
	struct zone_ruleset *rs = nft_plan_lockdown();

	ck_assert_ptr_nonnull(rs);
	check_golden("lockdown", rs);
	zone_ruleset_free(rs);
}
END_TEST

static const struct nft_pset *plan_set(const struct zone_ruleset *rs,
				       const char *name)
{
	size_t i;

	for (i = 0; i < rs->n_sets; i++) {
		if (strcmp(rs->sets[i].name, name) == 0)
			return &rs->sets[i];
	}
	ck_abort_msg("no set %s", name);
	return NULL;
}

static size_t rules_with_comment(const struct zone_ruleset *rs,
				 const char *comment)
{
	size_t n = 0;
	size_t i;

	for (i = 0; i < rs->n_rules; i++) {
		uint32_t len = 0;
		const char *ud = nftnl_rule_get_data(rs->rules[i].rule,
						     NFTNL_RULE_USERDATA, &len);

		if (ud && len > 2 && strcmp(ud + 2, comment) == 0)
			n++;
	}
	return n;
}

/*
 * zone4/zone6 send each start element to the chain of the segment that
 * zone_classify() gives its first address; an end element opens a gap
 * (no network names it: the catch-all rule takes it) or meets the next
 * start.
 */
static void check_zone_map(const struct zone_model *m,
			   const struct zone_ruleset *rs, const char *name,
			   int family)
{
	const struct nft_pset *s = plan_set(rs, name);
	size_t starts = 0;
	size_t i;

	ck_assert_uint_gt(nft_pset_count(s), 0);
	for (i = 0; i < nft_pset_count(s); i++) {
		const struct nft_eval *e = nft_elems_val(s->elems, i);
		const uint8_t *key = nft_elems_key(s->elems, i);
		struct zone_addr a = { .family = (uint8_t)family };
		const struct zone_segment *seg;
		char want[NFT_NAME_LEN];

		memcpy(a.bytes, key, s->key_len);
		if (e->flags & NFT_SET_ELEM_INTERVAL_END) {
			if (i + 1 < nft_pset_count(s) &&
			    memcmp(key, nft_elems_key(s->elems, i + 1),
				   s->key_len) == 0)
				continue;
			ck_assert_uint_eq(zone_lpm_lookup(m->classifier, &a),
					  ZONE_LPM_NONE);
			continue;
		}
		starts++;
		ck_assert_uint_ne(zone_lpm_lookup(m->classifier, &a),
				  ZONE_LPM_NONE);
		seg = zone_classify(m, &a);
		ck_assert_ptr_nonnull(seg);
		snprintf(want, sizeof(want), "seg_%s", zone_segment_name(seg));
		ck_assert_int_ge(e->chain, 0);
		ck_assert_str_eq(rs->chains[e->chain].name, want);
		ck_assert_uint_eq(e->data, (uint32_t)NFT_JUMP);
	}
	ck_assert_uint_gt(starts, 0);
}

START_TEST(test_nft_compile_zone_maps_follow_classifier)
{
	struct zone_model *m = load_fixture("enforce", LGWAN_NETS, "");
	struct zone_ruleset *rs = compile_at(m, NOW);

	ck_assert_ptr_nonnull(rs);
	check_zone_map(m, rs, "zone4", AF_INET);
	check_zone_map(m, rs, "zone6", AF_INET6);
	/* 5 networks in 5 separate intervals: a start and an end each */
	ck_assert_uint_eq(nft_pset_count(plan_set(rs, "zone4")), 2 * 6);
	zone_ruleset_free(rs);
	zone_model_free(m);
}
END_TEST

/* @n /28 networks in 10.64.0.0/16, written in descending order */
static char *many_nets28_desc(size_t n)
{
	size_t size = n * 24 + 64;
	char *text = calloc(1, size);
	size_t off;
	size_t i;

	ck_assert_ptr_nonnull(text);
	off = (size_t)snprintf(text, size, "\"10.2.0.0/16\"");
	for (i = n; i-- > 0;)
		off += (size_t)snprintf(text + off, size - off,
					", \"10.64.%zu.%zu/28\"", i * 16 / 256,
					i * 16 % 256);
	return text;
}

/*
 * The hash map net4 holds every /28 once, at 4 bytes a key, in ascending
 * order although the config lists them descending: the element diff of a
 * re-apply walks two sorted lists, and the set is sorted in place.
 */
START_TEST(test_nft_compile_hash_map_sorted)
{
	char *nets = many_nets28_desc(1200);
	struct zone_model *m = load_fixture("enforce", nets, "");
	struct zone_ruleset *rs = compile_at(m, NOW);
	const struct nft_pset *s;
	size_t i;

	ck_assert_ptr_nonnull(rs);
	s = plan_set(rs, "net4");
	ck_assert_uint_eq(nft_pset_count(s), 1200);
	ck_assert_uint_eq(s->elems->stride, 4 + sizeof(uint16_t));
	for (i = 0; i < nft_pset_count(s); i++) {
		const struct nft_eval *e = nft_elems_val(s->elems, i);
		const uint8_t *key = nft_elems_key(s->elems, i);

		ck_assert_uint_eq(key[0], 10);
		ck_assert_uint_eq(key[1], 64);
		ck_assert_uint_eq(((size_t)key[2] << 8 | key[3]), i * 16);
		ck_assert_uint_eq(e->data, (uint32_t)NFT_JUMP);
		ck_assert_int_ge(e->chain, 0);
		ck_assert_str_eq(rs->chains[e->chain].name, "seg_lgwan");
	}
	zone_ruleset_free(rs);
	zone_model_free(m);
	free(nets);
}
END_TEST

START_TEST(test_nft_compile_expired_channel_left_out)
{
	struct zone_model *m = load_fixture("enforce", LGWAN_NETS, "");
	struct zone_ruleset *rs = compile_at(m, NOW);
	struct zone_ruleset *later;
	size_t i;

	ck_assert_ptr_nonnull(rs);
	ck_assert_uint_eq(rules_with_comment(rs, "channel old"), 0);
	/* one rule per service; mail's hosts are IPv4 only */
	ck_assert_uint_eq(rules_with_comment(rs, "channel mail"), 2);
	/* cloud names no source hosts: one rule per destination family */
	ck_assert_uint_eq(rules_with_comment(rs, "channel cloud"), 2);
	for (i = 0; i < rs->n_objs; i++)
		ck_assert_str_ne(rs->objs[i].name, "chan_old");
	/* past mail's expiry, it goes too */
	later = compile_at(m, (time_t)1806451200);
	ck_assert_ptr_nonnull(later);
	ck_assert_uint_eq(rules_with_comment(later, "channel mail"), 0);
	ck_assert_uint_eq(rules_with_comment(later, "channel cloud"), 2);
	zone_ruleset_free(later);
	zone_ruleset_free(rs);
	zone_model_free(m);
}
END_TEST

/* a channel names 100 separate destination networks: all are matched */
START_TEST(test_nft_compile_channel_many_hosts)
{
	char chan[8192];
	size_t off;
	struct zone_model *m;
	struct zone_ruleset *rs;
	size_t found = 0;
	size_t i;

	off = (size_t)snprintf(chan, sizeof(chan),
			       ",\n  { name = \"wide\"; kind = \"breakout\";"
			       " from = \"lgwan\"; to = \"internet\";"
			       " to_hosts = [ ");
	for (i = 0; i < 100; i++)
		off += (size_t)snprintf(chan + off, sizeof(chan) - off,
					"%s\"198.18.%zu.0/24\"", i ? ", " : "",
					2 * i);
	snprintf(chan + off, sizeof(chan) - off,
		 " ]; services = [ \"tcp/443\" ]; reason = \"r\";"
		 " approved = \"a\"; }");
	m = load_fixture("enforce", LGWAN_NETS, chan);
	rs = compile_at(m, NOW);
	ck_assert_ptr_nonnull(rs);
	ck_assert_uint_eq(rules_with_comment(rs, "channel wide"), 1);
	for (i = 0; i < rs->n_rules; i++) {
		uint32_t len = 0;
		const char *ud = nftnl_rule_get_data(rs->rules[i].rule,
						     NFTNL_RULE_USERDATA, &len);

		if (!ud || len < 3 || strcmp(ud + 2, "channel wide") != 0)
			continue;
		ck_assert_uint_eq(rs->rules[i].n_anon, 1);
		/* an end at 0, then a start and an end per network */
		ck_assert_uint_eq(nftnl_set_get_u32(rs->rules[i].anon[0],
						    NFTNL_SET_DESC_SIZE),
				  201);
		found++;
	}
	ck_assert_uint_eq(found, 1);
	zone_ruleset_free(rs);
	zone_model_free(m);
}
END_TEST

/* lgwan's /16 plus @n disjoint /24s in 10.64.0.0/10 */
static char *many_nets(size_t n)
{
	size_t size = n * 24 + 64;
	char *text = calloc(1, size);
	size_t off;
	size_t i;

	ck_assert_ptr_nonnull(text);
	off = (size_t)snprintf(text, size, "\"10.2.0.0/16\"");
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(text + off, size - off,
					", \"10.%zu.%zu.0/24\"",
					64 + 2 * i / 256, 2 * i % 256);
	return text;
}

static size_t chain_rules(const struct zone_ruleset *rs, const char *chain)
{
	size_t n = 0;
	size_t i;

	for (i = 0; i < rs->n_rules; i++) {
		if (strcmp(nftnl_rule_get_str(rs->rules[i].rule,
					      NFTNL_RULE_CHAIN),
			   chain) == 0)
			n++;
	}
	return n;
}

START_TEST(test_nft_compile_rule_count_is_fixed)
{
	char *nets = many_nets(120);
	struct zone_model *small = load_fixture("enforce", LGWAN_NETS, "");
	struct zone_model *big = load_fixture("enforce", nets, "");
	struct zone_ruleset *a = compile_at(small, NOW);
	struct zone_ruleset *b = compile_at(big, NOW);

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(chain_rules(a, "forward"), chain_rules(b, "forward"));
	/* nothing isolated: no isolation lookups either */
	ck_assert_uint_eq(chain_rules(a, "forward"), 10);
	ck_assert_uint_eq(a->n_rules, b->n_rules);
	ck_assert_uint_eq(a->n_chains, b->n_chains);
	ck_assert_uint_gt(nft_pset_count(plan_set(b, "zone4")),
			  nft_pset_count(plan_set(a, "zone4")) + 200);
	zone_ruleset_free(a);
	zone_ruleset_free(b);
	zone_model_free(small);
	zone_model_free(big);
	free(nets);
}
END_TEST

/* ---- batches ---- */

struct walk {
	const struct zone_ruleset *rs;
	size_t n_by_type[NFT_MSG_MAX + 1];
	size_t n_flush; /* DELSETELEM without elements */
	size_t n_rule; /* NEWRULE seen so far */
	size_t elems_added[16]; /* by plan set index */
	size_t elems_deleted;
	size_t batch_begin;
	size_t batch_end;
};

static int plan_set_index(const struct zone_ruleset *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->n_sets; i++) {
		if (strcmp(rs->sets[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}

/* the payload libnftnl writes for @r under a copy of @nlh's header
 * into @buf (64 KiB) */
static size_t rule_bytes(const struct nlmsghdr *nlh, struct nftnl_rule *r,
			 char *buf)
{
	struct nlmsghdr *out = (struct nlmsghdr *)buf;

	/* libmnl 1.0.4 does not clear attribute padding, and libnftnl puts
	 * the objref name without its NUL: only zeroed buffers parse back */
	memset(buf, 0, 65536);
	memcpy(buf, nlh, mnl_nlmsg_size(sizeof(struct nfgenmsg)));
	out->nlmsg_len = mnl_nlmsg_size(sizeof(struct nfgenmsg));
	nftnl_rule_nlmsg_build_payload(out, r);
	return out->nlmsg_len;
}

/* a rule message as text: parsed by libnftnl, comment included */
static void rule_text(const struct nlmsghdr *nlh, char *buf, size_t size)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	const char *ud;
	uint32_t len = 0;
	int n;

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(nftnl_rule_nlmsg_parse(nlh, r), 0);
	n = nftnl_rule_snprintf(buf, size, r, NFTNL_OUTPUT_DEFAULT, 0);
	ck_assert_int_gt(n, 0);
	ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
	if (ud && len > 2)
		snprintf(buf + n, size - (size_t)n, " comment=%s", ud + 2);
	nftnl_rule_free(r);
}

/*
 * A NEWRULE carries the plan's rule, and what it parses into serialises
 * and parses again into the same rule (libmnl 1.0.4 leaves attribute
 * padding uninitialised, so bytes cannot be compared).
 */
static void walk_rule(struct walk *w, const struct nlmsghdr *nlh)
{
	static char buf[65536];
	static char got[8192];
	static char want[8192];
	struct nftnl_rule *r = nftnl_rule_alloc();

	ck_assert_ptr_nonnull(r);
	ck_assert_uint_lt(w->n_rule, w->rs->n_rules);
	rule_text(nlh, got, sizeof(got));
	rule_bytes(nlh, w->rs->rules[w->n_rule].rule, buf);
	rule_text((struct nlmsghdr *)buf, want, sizeof(want));
	ck_assert_str_eq(got, want);
	ck_assert_int_eq(nftnl_rule_nlmsg_parse(nlh, r), 0);
	rule_bytes(nlh, r, buf);
	rule_text((struct nlmsghdr *)buf, want, sizeof(want));
	ck_assert_str_eq(got, want);
	ck_assert_ptr_nonnull(strstr(got, "[ "));
	w->n_rule++;
	nftnl_rule_free(r);
}

static const char *elems_set_name(const struct nlmsghdr *nlh)
{
	struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg))
	{
		if (mnl_attr_get_type(attr) == NFTA_SET_ELEM_LIST_SET)
			return mnl_attr_get_str(attr);
	}
	return NULL;
}

static uint32_t elem_key_len;

static int count_elem(struct nftnl_set_elem *e, void *data)
{
	size_t *n = data;
	uint32_t len = 0;

	ck_assert_ptr_nonnull(nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len));
	ck_assert_uint_eq(len, elem_key_len);
	(*n)++;
	return 0;
}

/*
 * Element messages of the named sets (written by nft_batch.c) parse back
 * with libnftnl into as many elements as were sent, each with its key.
 * Anonymous sets are written by libnftnl, which numbers list elements
 * 1, 2, ... and then cannot parse them itself; the kernel ignores that.
 */
static void walk_elems(struct walk *w, const struct nlmsghdr *nlh, bool add)
{
	const char *name = elems_set_name(nlh);
	struct nftnl_set *s;
	size_t n = 0;
	int idx;

	ck_assert_ptr_nonnull(name);
	if (strncmp(name, "__", 2) == 0)
		return;
	idx = plan_set_index(w->rs, name);
	ck_assert_int_ge(idx, 0);
	s = nftnl_set_alloc();
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(nftnl_set_elems_nlmsg_parse(nlh, s), 0);
	elem_key_len = w->rs->sets[idx].key_len;
	ck_assert_int_eq(nftnl_set_elem_foreach(s, count_elem, &n), 0);
	if (!add && n == 0)
		w->n_flush++;
	else if (!add)
		w->elems_deleted += n;
	else
		w->elems_added[idx] += n;
	nftnl_set_free(s);
}

static int walk_cb(const struct nlmsghdr *nlh, void *data)
{
	struct walk *w = data;
	uint16_t type = NFNL_MSG_TYPE(nlh->nlmsg_type);

	if (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN) {
		w->batch_begin++;
		return 0;
	}
	if (nlh->nlmsg_type == NFNL_MSG_BATCH_END) {
		w->batch_end++;
		ck_assert(nlh->nlmsg_flags & NLM_F_ACK);
		return 0;
	}
	ck_assert_uint_eq(NFNL_SUBSYS_ID(nlh->nlmsg_type),
			  NFNL_SUBSYS_NFTABLES);
	ck_assert_uint_le(type, NFT_MSG_MAX);
	/* element nests must fit the 16-bit attribute length */
	ck_assert_uint_lt(nlh->nlmsg_len, 65535);
	w->n_by_type[type]++;
	if (type == NFT_MSG_NEWRULE)
		walk_rule(w, nlh);
	else if (type == NFT_MSG_NEWSETELEM)
		walk_elems(w, nlh, true);
	else if (type == NFT_MSG_DELSETELEM)
		walk_elems(w, nlh, false);
	return 0;
}

static void walk_batch(const struct zone_ruleset *rs,
		       const struct nft_kstate *ks, struct walk *w, bool *empty)
{
	struct nft_batch *b = nft_batch_new(1);

	ck_assert_ptr_nonnull(b);
	memset(w, 0, sizeof(*w));
	w->rs = rs;
	ck_assert_int_eq(nft_batch_plan(b, rs, ks, 42, empty), 0);
	ck_assert_int_eq(nft_batch_foreach(b, walk_cb, w), 0);
	ck_assert_uint_eq(w->batch_begin, 1);
	ck_assert_uint_eq(w->batch_end, 1);
	nft_batch_free(b);
}

START_TEST(test_nft_batch_full_round_trip)
{
	char *nets = many_nets(2000 / 2);
	struct zone_model *m = load_fixture("enforce", nets, "");
	struct zone_ruleset *rs = compile_at(m, NOW);
	struct nft_kstate none = { 0 };
	struct walk w;
	bool empty = true;
	size_t i;

	ck_assert_ptr_nonnull(rs);
	walk_batch(rs, &none, &w, &empty);
	ck_assert(!empty);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_NEWTABLE], 1);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_DELRULE], 0);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_NEWCHAIN], rs->n_chains);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_NEWOBJ], rs->n_objs);
	ck_assert_uint_eq(w.n_rule, rs->n_rules);
	for (i = 0; i < rs->n_sets; i++)
		ck_assert_uint_eq(w.elems_added[i], nft_pset_count(&rs->sets[i]));
	/* zone4 holds ~2000 elements: it had to be split */
	ck_assert_uint_gt(nft_pset_count(plan_set(rs, "zone4")), 1900);
	zone_ruleset_free(rs);
	zone_model_free(m);
	free(nets);
}
END_TEST

static size_t anon_sets(const struct zone_ruleset *rs);

/*
 * The switch of a staged load (nft_stage.c): the stages left the table
 * with the plan's regular chains (in the kernel's order, not the plan's)
 * and its sets filled with the plan's own lists.  The switch then adds no
 * set and no element: only the rules and the hooked chains, in one batch.
 */
START_TEST(test_nft_batch_switch_after_stages)
{
	char *nets = many_nets(2000 / 2);
	struct zone_model *m = load_fixture("enforce", nets, "");
	struct zone_ruleset *rs = compile_at(m, NOW);
	struct nft_kstate *ks = calloc(1, sizeof(*ks));
	size_t n_base = 0;
	struct walk w;
	bool empty = true;
	size_t i;

	ck_assert_ptr_nonnull(rs);
	ck_assert_ptr_nonnull(ks);
	ks->exists = true;
	ks->flags = rs->table_flags;
	for (i = rs->n_chains; i-- > 0;) {
		if (rs->chains[i].base)
			n_base++;
		else
			ck_assert_int_eq(
				nft_kstate_add_chain(ks, rs->chains[i].name),
				0);
	}
	for (i = 0; i < rs->n_sets; i++) {
		const struct nft_pset *p = &rs->sets[i];
		struct nft_kset *k = nft_kstate_add_set(ks, p->name);

		ck_assert_ptr_nonnull(k);
		nft_kset_record(k, p);
	}
	walk_batch(rs, ks, &w, &empty);
	ck_assert(!empty);
	/* the rules' anonymous sets only */
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_NEWSET], anon_sets(rs));
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_DELSET], 0);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_DELSETELEM], 0);
	for (i = 0; i < rs->n_sets; i++)
		ck_assert_uint_eq(w.elems_added[i], 0);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_NEWCHAIN], n_base);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_DELCHAIN], 0);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_DELTABLE], 0);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_DELRULE], 1);
	ck_assert_uint_eq(w.n_rule, rs->n_rules);
	nft_kstate_free(ks);
	zone_ruleset_free(rs);
	zone_model_free(m);
	free(nets);
}
END_TEST

static size_t anon_sets(const struct zone_ruleset *rs)
{
	size_t n = 0;
	size_t i;

	for (i = 0; i < rs->n_rules; i++)
		n += rs->rules[i].n_anon;
	return n;
}

/* the fake indexes, with eth2 created again under a new index */
static unsigned int fake_ifindex_moved(const char *name, void *arg)
{
	(void)arg;
	if (strcmp(name, "eth2") == 0)
		return 200;
	return fake_ifindex(name, NULL);
}

/*
 * An interface created again under a new index (the daemon's link
 * watcher compiles again): only flowbind's elements change, in one
 * batch, no rule, chain or set is replaced.
 */
/* a batch of element changes only: no rule, chain or set touched, no flush */
static void assert_elements_only(const struct walk *w)
{
	ck_assert_uint_eq(w->n_by_type[NFT_MSG_DELRULE], 0);
	ck_assert_uint_eq(w->n_by_type[NFT_MSG_NEWRULE], 0);
	ck_assert_uint_eq(w->n_by_type[NFT_MSG_NEWCHAIN], 0);
	ck_assert_uint_eq(w->n_by_type[NFT_MSG_NEWSET], 0);
	ck_assert_uint_eq(w->n_flush, 0);
}

/*
 * The applier's record of the kernel's elements is the committed plan's
 * own list, held by reference: the daemon frees that plan at the next
 * reload, and the record must still diff right (ASan sees a list freed
 * under it).
 */
START_TEST(test_nft_batch_snapshot_outlives_plan)
{
	char *nets = many_nets(300);
	char *fewer = many_nets(299);
	struct zone_model *m = load_fixture("enforce", nets, "");
	struct zone_model *mf = load_fixture("enforce", fewer, "");
	struct zone_ruleset *a = compile_at(m, NOW);
	struct zone_ruleset *b;
	struct nft_kstate *snap;
	struct walk w;
	bool empty = false;

	ck_assert_ptr_nonnull(a);
	snap = nft_kstate_snapshot(a);
	ck_assert_ptr_nonnull(snap);
	zone_ruleset_free(a);
	b = compile_at(m, NOW);
	ck_assert_ptr_nonnull(b);
	walk_batch(b, snap, &w, &empty);
	ck_assert(empty);
	zone_ruleset_free(b);
	b = compile_at(mf, NOW);
	ck_assert_ptr_nonnull(b);
	walk_batch(b, snap, &w, &empty);
	ck_assert(!empty);
	assert_elements_only(&w);
	ck_assert_uint_gt(w.elems_deleted, 0);
	nft_kstate_free(snap);
	zone_ruleset_free(b);
	zone_model_free(m);
	zone_model_free(mf);
	free(nets);
	free(fewer);
}
END_TEST

START_TEST(test_nft_batch_ifindex_moved)
{
	struct zone_model *m = load_fixture("enforce", LGWAN_NETS, "");
	struct zone_ruleset *a;
	struct zone_ruleset *b;
	struct nft_kstate *snap;
	struct walk w;
	bool empty = false;

	a = zone_ruleset_compile(m,
				 &(struct zone_compile_args){
					 .now = NOW, .ifindex = fake_ifindex });
	b = zone_ruleset_compile(m, &(struct zone_compile_args){
					    .now = NOW,
					    .ifindex = fake_ifindex_moved });
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(nft_pset_count(plan_set(a, "flowbind")),
			  nft_pset_count(plan_set(b, "flowbind")));
	ck_assert_uint_gt(nft_pset_count(plan_set(a, "flowbind")), 0);
	snap = nft_kstate_snapshot(a);
	ck_assert_ptr_nonnull(snap);
	walk_batch(b, snap, &w, &empty);
	ck_assert(!empty);
	assert_elements_only(&w);
	ck_assert_uint_gt(w.elems_added[plan_set_index(b, "flowbind")], 0);
	ck_assert_uint_eq(w.elems_added[plan_set_index(b, "flowbind")],
			  w.elems_deleted);
	nft_kstate_free(snap);
	zone_ruleset_free(a);
	zone_ruleset_free(b);
	zone_model_free(m);
}
END_TEST

START_TEST(test_nft_batch_incremental)
{
	struct zone_model *ma = load_fixture("enforce", LGWAN_NETS, "");
	struct zone_model *mb =
		load_fixture("enforce", "\"10.2.0.0/17\", \"fd00:2::/48\"", "");
	struct zone_model *mc = load_fixture(
		"enforce", LGWAN_NETS,
		",\n  { name = \"st\"; kind = \"screen-transfer\";"
		" from = \"lgwan\"; to = \"naibu\";"
		" to_hosts = [ \"10.3.0.11\" ]; services = [ \"tcp/3389\" ];"
		" reason = \"vdi\"; approved = \"CISO 4\"; }");
	struct zone_ruleset *a = compile_at(ma, NOW);
	struct zone_ruleset *a2 = compile_at(ma, NOW);
	struct zone_ruleset *b = compile_at(mb, NOW);
	struct zone_ruleset *c = compile_at(mc, NOW);
	struct zone_model *mm = load_fixture("monitor", LGWAN_NETS, "");
	struct zone_ruleset *mon = compile_at(mm, NOW);
	struct nft_kstate *snap = nft_kstate_snapshot(a);
	struct nft_kstate dumped = { .exists = true };
	struct zone_ruleset *isolated;
	struct zone_ruleset *isolated2;
	struct nft_kstate *snap_iso;
	struct zone_prefix iso[2];
	struct walk w;
	bool empty = false;
	size_t i;

	ck_assert_ptr_nonnull(snap);
	/* nothing changed: nothing to send */
	walk_batch(a2, snap, &w, &empty);
	ck_assert(empty);
	/* one prefix changed: element changes only, no rule is touched */
	walk_batch(b, snap, &w, &empty);
	ck_assert(!empty);
	assert_elements_only(&w);
	ck_assert_uint_gt(w.elems_deleted, 0);
	ck_assert_uint_lt(w.elems_deleted, 10);
	ck_assert_uint_gt(w.elems_added[plan_set_index(b, "zone4")], 0);
	/*
	 * The first isolation adds the forward chain's isolation lookups
	 * (rules rebuilt in the same batch); isolating one more host then
	 * changes elements only.
	 */
	ck_assert_int_eq(zone_prefix_parse("10.2.0.10", &iso[0]), 0);
	ck_assert_int_eq(zone_prefix_parse("10.2.0.20", &iso[1]), 0);
	isolated = compile_isolated(ma, iso, 1);
	ck_assert_ptr_nonnull(isolated);
	walk_batch(isolated, snap, &w, &empty);
	ck_assert(!empty);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_DELRULE], 1);
	ck_assert_uint_eq(w.n_rule, isolated->n_rules);
	ck_assert_uint_eq(chain_rules(isolated, "forward"), 12);
	ck_assert_uint_eq(w.elems_added[plan_set_index(isolated, "isolated4")],
			  2);
	snap_iso = nft_kstate_snapshot(isolated);
	ck_assert_ptr_nonnull(snap_iso);
	isolated2 = compile_isolated(ma, iso, 2);
	ck_assert_ptr_nonnull(isolated2);
	walk_batch(isolated2, snap_iso, &w, &empty);
	ck_assert(!empty);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_DELRULE], 0);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_NEWRULE], 0);
	ck_assert_uint_gt(w.elems_added[plan_set_index(isolated, "isolated4")],
			  0);
	nft_kstate_free(snap_iso);
	zone_ruleset_free(isolated2);
	zone_ruleset_free(isolated);
	/* only rules differ (monitor mode): flushed and rebuilt */
	walk_batch(mon, snap, &w, &empty);
	ck_assert(!empty);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_DELRULE], 1);
	ck_assert_uint_eq(w.n_rule, mon->n_rules);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_NEWOBJ], 0);
	/* a new channel: rules flushed and rebuilt in the same batch */
	walk_batch(c, snap, &w, &empty);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_DELRULE], 1);
	ck_assert_uint_eq(w.n_rule, c->n_rules);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_NEWOBJ], 1);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_DELCHAIN], 0);
	/* adopting a table we know only by name: flush and refill sets */
	for (i = 0; i < a->n_sets; i++) {
		struct nft_kset *k =
			nft_kstate_add_set(&dumped, a->sets[i].name);

		ck_assert_ptr_nonnull(k);
		k->flags = a->sets[i].flags;
		k->key_type = a->sets[i].key_type;
		k->key_len = a->sets[i].key_len;
		k->data_type = a->sets[i].data_type;
	}
	ck_assert_int_eq(nft_kstate_add_chain(&dumped, "stale"), 0);
	/*
	 * an orphan that lacks one of the plan's hooks (the lockdown table
	 * has only forward): adopting it updates the table's flags, after
	 * which the kernel refuses a new base chain, so it is replaced
	 */
	dumped.flags = NFT_TABLE_F_PERSIST;
	walk_batch(a, &dumped, &w, &empty);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_DELTABLE], 1);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_NEWCHAIN], a->n_chains);
	/* an orphan with every hook of the plan is adopted in place */
	for (i = 0; i < a->n_chains; i++) {
		if (a->chains[i].base)
			ck_assert_int_eq(nft_kstate_add_chain(&dumped,
							      a->chains[i].name),
					 0);
	}
	walk_batch(a, &dumped, &w, &empty);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_DELTABLE], 0);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_DELRULE], 1);
	ck_assert_uint_eq(w.n_flush, a->n_sets);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_DELCHAIN], 1);
	/* the named sets are kept: only the rules' anonymous sets are new */
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_NEWSET], anon_sets(a));
	ck_assert_uint_eq(w.n_rule, a->n_rules);
	/* a table another tool made: deleted and rebuilt in the same batch */
	dumped.replace = true;
	walk_batch(a, &dumped, &w, &empty);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_DELTABLE], 1);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_DELRULE], 0);
	ck_assert_uint_eq(w.n_by_type[NFT_MSG_NEWCHAIN], a->n_chains);
	ck_assert_uint_eq(w.n_rule, a->n_rules);
	free(dumped.sets);
	free(dumped.chains);
	nft_kstate_free(snap);
	zone_ruleset_free(a);
	zone_ruleset_free(a2);
	zone_ruleset_free(b);
	zone_ruleset_free(c);
	zone_ruleset_free(mon);
	zone_model_free(mm);
	zone_model_free(ma);
	zone_model_free(mb);
	zone_model_free(mc);
}
END_TEST

/*
 * The conntrack watcher re-marks live allowed flows with
 * zone_verdict_mark() of their verdict; the table must set exactly that
 * mark on such a flow, or its packets fail the established path.
 */
START_TEST(test_nft_compile_marks_match_verdict)
{
	static const struct {
		const char *src;
		const char *dst;
		uint8_t proto;
		uint16_t dport;
	} flows[] = {
		{ "10.1.0.1", "10.11.0.1", IPPROTO_TCP, 80 },	/* intra-zone */
		{ "fd00:1::1", "fd00:1::2", IPPROTO_UDP, 53 },
		{ "10.2.0.10", "172.16.0.1", IPPROTO_TCP, 80 },	/* lgwan-wan */
		{ "10.3.0.1", "192.0.2.80", IPPROTO_TCP, 8080 }, /* narrowed */
		{ "10.3.0.25", "10.2.0.25", IPPROTO_TCP, 25 },	/* channel */
		{ "10.2.0.10", "198.51.100.1", IPPROTO_TCP, 443 }, /* breakout */
	};
	struct zone_model *m = load_fixture("enforce", LGWAN_NETS, "");
	struct zone_ruleset *rs = compile_at(m, NOW);
	char *text;
	size_t i;

	ck_assert_ptr_nonnull(rs);
	text = plan_text(rs);
	for (i = 0; i < sizeof(flows) / sizeof(flows[0]); i++) {
		struct zone_prefix a, b;
		struct zone_flow f = { .proto = flows[i].proto,
				       .dport = flows[i].dport };
		struct zone_verdict v;
		char want[64];

		ck_assert_int_eq(zone_prefix_parse(flows[i].src, &a), 0);
		ck_assert_int_eq(zone_prefix_parse(flows[i].dst, &b), 0);
		f.src = a.addr;
		f.dst = b.addr;
		zone_verdict(m, &f, NOW, &v);
		ck_assert_msg(v.action == ZONE_ACTION_ALLOW, "%s -> %s denied",
			      flows[i].src, flows[i].dst);
		snprintf(want, sizeof(want), "[ immediate reg 1 0x%08x ]",
			 zone_verdict_mark(m, &v));
		ck_assert_msg(strstr(text, want), "%s -> %s: no rule sets %s",
			      flows[i].src, flows[i].dst, want);
	}
	free(text);
	zone_ruleset_free(rs);
	zone_model_free(m);
}
END_TEST

static Suite *nft_suite(void)
{
	Suite *s = suite_create("nft");
	TCase *tc = tcase_create("nft");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_nft_compile_golden_enforce);
	tcase_add_test(tc, test_nft_compile_golden_monitor);
	tcase_add_test(tc, test_nft_compile_golden_lockdown);
	tcase_add_test(tc, test_nft_compile_zone_maps_follow_classifier);
	tcase_add_test(tc, test_nft_compile_expired_channel_left_out);
	tcase_add_test(tc, test_nft_compile_rule_count_is_fixed);
	tcase_add_test(tc, test_nft_compile_channel_many_hosts);
	tcase_add_test(tc, test_nft_compile_marks_match_verdict);
	tcase_add_test(tc, test_nft_compile_hash_map_sorted);
	tcase_add_test(tc, test_nft_batch_full_round_trip);
	tcase_add_test(tc, test_nft_batch_switch_after_stages);
	tcase_add_test(tc, test_nft_batch_snapshot_outlives_plan);
	tcase_add_test(tc, test_nft_batch_incremental);
	tcase_add_test(tc, test_nft_batch_ifindex_moved);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(nft_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
