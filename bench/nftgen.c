/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nftgen N NFT_FULL NFT_CHANGED [SAME_FULL SAME_CHANGED]: the kernel half
 * of bench/apply.sh.
 *
 * Builds a model of N IPv4 prefixes spread over five segments, applies it
 * with zoned's applier in the current network namespace (one batch, table
 * created), then applies a model in which 1% of the prefixes moved to
 * another segment (an element-only batch), and prints both times:
 *
 *   zoned full MS
 *   zoned 1pct MS
 *
 * It also writes the equivalent hand-written rulesets for nft -f: every
 * interval of zoned's zone4 map in a source interval map (into the ct
 * mark) and a destination interval verdict map, with the same catch-all,
 * as a full replace ("table; delete table; table { ... }") for NFT_FULL
 * and NFT_CHANGED, so the script can time nft -f on the same
 * classification; and, given SAME_*, rulesets of the same shape as
 * zoned's own table (one map looked up twice), which isolates what the
 * tool itself costs.  Run it only inside a throwaway network namespace.
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/netfilter/nf_tables.h>

#include <zone/diag.h>
#include <zone/model.h>
#include <zone/ruleset.h>

#include "lpm_priv.h"
#include "model_priv.h"
#include "nft_plan.h"

#define N_SEG 6 /* 3 zones, lgwan-wan, security-cloud, internet */

static const struct {
	const char *name;
	enum zone_role role;
} segs[N_SEG] = {
	{ "jumin", ZONE_ROLE_RESIDENT },
	{ "lgwan", ZONE_ROLE_LGWAN },
	{ "naibu", ZONE_ROLE_INTERNET_TIER },
	{ "lgwan-wan", ZONE_ROLE_LGWAN_WAN },
	{ "seccloud", ZONE_ROLE_SECURITY_CLOUD },
	{ "internet", ZONE_ROLE_INTERNET },
};

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p) {
		perror("strdup");
		exit(1);
	}
	return p;
}

/* prefix i: a /24 every other /24 from 16.0.0.0, so gaps stay between */
static void prefix_of(size_t i, struct zone_prefix *p)
{
	uint32_t a = 0x10000000u + (uint32_t)i * 512u;

	memset(p, 0, sizeof(*p));
	p->addr.family = AF_INET;
	p->addr.bytes[0] = (uint8_t)(a >> 24);
	p->addr.bytes[1] = (uint8_t)(a >> 16);
	p->addr.bytes[2] = (uint8_t)(a >> 8);
	p->len = 24;
}

/* the segment of prefix i; with @moved, 1% of them go elsewhere */
static size_t segment_of(size_t i, bool moved)
{
	size_t s = i % (N_SEG - 1);

	if (moved && i % 100 == 7)
		s = (s + 1) % (N_SEG - 1);
	return s;
}

static struct zone_model *model_new(size_t n, bool moved)
{
	struct zone_model *m = calloc(1, sizeof(*m));
	size_t count[N_SEG] = { 0 };
	size_t i;
	int ret;

	if (!m)
		exit(1);
	m->file = xstrdup("bench.conf");
	m->profile = ZONE_PROFILE_ALPHA;
	m->mode = ZONE_MODE_ENFORCE;
	m->segments = calloc(N_SEG, sizeof(*m->segments));
	if (!m->segments)
		exit(1);
	m->n_segments = N_SEG;
	m->n_zones = 3;
	for (i = 0; i < n; i++)
		count[segment_of(i, moved)]++;
	for (i = 0; i < N_SEG; i++) {
		struct zone_segment *s = &m->segments[i];
		char ifname[16];

		s->index = i;
		s->name = xstrdup(segs[i].name);
		s->role = segs[i].role;
		s->line = (int)i + 1;
		snprintf(ifname, sizeof(ifname), "eth%zu", i + 1);
		s->interfaces = calloc(1, sizeof(char *));
		if (!s->interfaces)
			exit(1);
		s->interfaces[0] = xstrdup(ifname);
		s->n_interfaces = 1;
		s->networks = calloc(count[i] + 1, sizeof(*s->networks));
		if (!s->networks)
			exit(1);
	}
	for (i = 0; i < n; i++) {
		struct zone_segment *s = &m->segments[segment_of(i, moved)];

		prefix_of(i, &s->networks[s->n_networks++]);
	}
	m->catchall = &m->segments[N_SEG - 1];
	ret = model_finish(m);
	if (ret < 0) {
		fprintf(stderr, "model_finish: %s\n", strerror(-ret));
		exit(1);
	}
	return m;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void print_addr(FILE *f, const uint8_t *k)
{
	fprintf(f, "%u.%u.%u.%u", k[0], k[1], k[2], k[3]);
}

/*
 * The classifier's intervals (every address some prefix covers, with the
 * segment of the longest) as the two maps a hand-written ruleset keeps:
 * "a-b : mark" or "a-b : goto to_seg".  Not zoned's zone4 map: with many
 * prefixes of one length zoned puts them in a hash map, and zone4 holds
 * only the rest.
 */
enum map_form { FORM_MARK, FORM_GOTO, FORM_JUMP };

struct map_walk {
	FILE *f;
	enum map_form form;
	bool first;
	size_t n;
};

static int map_cb(const struct zone_addr *first, const struct zone_addr *last,
		  uint32_t value, void *data)
{
	struct map_walk *w = data;

	if (value >= N_SEG) {
		fprintf(stderr, "no segment %u\n", value);
		exit(1);
	}
	w->n++;
	if (!w->f)
		return 0; /* counting only */
	fputs(w->first ? "\n\t\t\t" : ",\n\t\t\t", w->f);
	w->first = false;
	print_addr(w->f, first->bytes);
	fputc('-', w->f);
	print_addr(w->f, last->bytes);
	if (w->form == FORM_GOTO)
		fprintf(w->f, " : goto to_%s", segs[value].name);
	else if (w->form == FORM_JUMP)
		fprintf(w->f, " : jump seg_%s", segs[value].name);
	else
		fprintf(w->f, " : 0x%08x", 0xa1000000u + value);
	return 0;
}

/* Returns the intervals written (only counted when @f is NULL). */
static size_t print_map(FILE *f, const struct zone_model *m, enum map_form form)
{
	struct map_walk w = { .f = f, .form = form, .first = true };

	if (lpm_foreach_interval(m->classifier, AF_INET, map_cb, &w) < 0) {
		fprintf(stderr, "lpm_foreach_interval failed\n");
		exit(1);
	}
	return w.n;
}

/*
 * The conventional hand-written ruleset for the same classification: a
 * source interval map into the ct mark and a destination interval
 * verdict map (the design's first sketch), as one full replace.
 */
static void write_nft(const char *path, const struct zone_model *m)
{
	FILE *f = fopen(path, "w");
	size_t i;

	if (!f) {
		perror(path);
		exit(1);
	}
	fputs("table inet bench\ndelete table inet bench\n"
	      "table inet bench {\n",
	      f);
	for (i = 0; i < N_SEG; i++)
		fprintf(f, "\tchain to_%s {\n\t\tdrop\n\t}\n", segs[i].name);
	fputs("\tmap src4 {\n\t\ttype ipv4_addr : mark\n\t\tflags interval\n"
	      "\t\telements = {",
	      f);
	print_map(f, m, FORM_MARK);
	fputs(" }\n\t}\n", f);
	fputs("\tmap dst4 {\n\t\ttype ipv4_addr : verdict\n"
	      "\t\tflags interval\n\t\telements = {",
	      f);
	print_map(f, m, FORM_GOTO);
	fputs(" }\n\t}\n", f);
	fputs("\tchain forward {\n"
	      "\t\ttype filter hook forward priority filter; policy drop;\n"
	      "\t\tct state established,related accept\n"
	      "\t\tct mark set 0xa1000005\n"
	      "\t\tct mark set ip saddr map @src4\n"
	      "\t\tip daddr vmap @dst4\n"
	      "\t\tgoto to_internet\n\t}\n}\n",
	      f);
	if (fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/*
 * The same shape as zoned's own table, for nft -f: one zone4 verdict map
 * looked up twice, per-segment chains keyed on the ct mark.
 */
static void write_nft_same(const char *path, const struct zone_model *m)
{
	FILE *f = fopen(path, "w");
	size_t i;

	if (!f) {
		perror(path);
		exit(1);
	}
	fputs("table inet bench\ndelete table inet bench\n"
	      "table inet bench {\n",
	      f);
	for (i = 0; i < N_SEG; i++)
		fprintf(f,
			"\tchain seg_%s {\n"
			"\t\tct mark 0xa10000ff ct mark set 0x%08zx return\n"
			"\t\tdrop\n\t}\n",
			segs[i].name, 0xa1000000u + i);
	fputs("\tmap zone4 {\n\t\ttype ipv4_addr : verdict\n"
	      "\t\tflags interval\n\t\telements = {",
	      f);
	print_map(f, m, FORM_JUMP);
	fputs(" }\n\t}\n", f);
	fputs("\tchain forward {\n"
	      "\t\ttype filter hook forward priority filter; policy drop;\n"
	      "\t\tct state established,related accept\n"
	      "\t\tct mark set 0xa10000ff\n"
	      "\t\tip saddr vmap @zone4\n"
	      "\t\tct mark 0xa10000ff ct mark set 0xa1000005\n"
	      "\t\tip daddr vmap @zone4\n"
	      "\t\tgoto seg_internet\n\t}\n}\n",
	      f);
	if (fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static double timed_apply(struct zone_nft *nft, const struct zone_ruleset *rs)
{
	struct zone_diag *diag = zone_diag_new();
	double t0;
	double t1;
	size_t i;
	int ret;

	if (!diag)
		exit(1);
	t0 = now_ms();
	ret = zone_nft_apply(nft, rs, diag);
	t1 = now_ms();
	if (ret == 0)
		ret = zone_nft_verify(nft, rs, diag);
	for (i = 0; i < zone_diag_count(diag); i++)
		fprintf(stderr, "%s\n", zone_diag_line(diag, i));
	if (ret < 0) {
		fprintf(stderr, "apply: %s\n", strerror(-ret));
		exit(1);
	}
	zone_diag_free(diag);
	return t1 - t0;
}

int main(int argc, char **argv)
{
	struct zone_model *ma;
	struct zone_model *mb;
	struct zone_ruleset *ra;
	struct zone_ruleset *rb;
	struct zone_nft *nft;
	struct zone_compile_args args = { .now = time(NULL) };
	size_t n;

	if (argc != 4 && argc != 6) {
		fprintf(stderr, "usage: nftgen N NFT_FULL NFT_CHANGED "
				"[SAME_FULL SAME_CHANGED]\n");
		return 2;
	}
	n = strtoul(argv[1], NULL, 10);
	ma = model_new(n, false);
	mb = model_new(n, true);
	ra = zone_ruleset_compile(ma, &args);
	rb = zone_ruleset_compile(mb, &args);
	if (!ra || !rb) {
		perror("zone_ruleset_compile");
		return 1;
	}
	write_nft(argv[2], ma);
	write_nft(argv[3], mb);
	if (argc == 6) {
		write_nft_same(argv[4], ma);
		write_nft_same(argv[5], mb);
	}
	nft = zone_nft_open();
	if (!nft) {
		perror("zone_nft_open");
		return 1;
	}
	printf("zoned full %.1f\n", timed_apply(nft, ra));
	printf("zoned 1pct %.1f\n", timed_apply(nft, rb));
	printf("elements %zu\n", print_map(NULL, ma, FORM_MARK));
	zone_nft_close(nft);
	zone_ruleset_free(ra);
	zone_ruleset_free(rb);
	zone_model_free(ma);
	zone_model_free(mb);
	return 0;
}
