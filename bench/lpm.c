/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lpm - the classifier's longest-prefix match against a plain linear scan
 *
 * For 1,000, 10,000 and 100,000 random prefixes (mixed lengths, 90% IPv4,
 * 10% IPv6) it builds the table, times lookups of random addresses (half
 * inside some prefix, half anywhere), and times a linear scan (longest
 * match by looking at every prefix) over the same addresses in the same
 * run.  Both must give the same answers; a difference exits 1.
 *
 *   lpm 100000 prefixes: build 23.1 ms, 41.2M lookups/s; linear scan
 *   0.004M lookups/s; ratio 10300x
 *
 * (one line per size), then the IPv4-only and IPv6-only lookup rates.
 * Times are CPU time of the benchmark's thread (see cpu_now()).
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zone/addr.h>
#include <zone/lpm.h>

#define N_ADDRS 1000000
/* How long each timed loop runs, at least. */
#define LPM_SECONDS 0.5
#define LINEAR_SECONDS 1.0

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

/*
 * Rates and build times are in CPU time of this thread, so a busy machine
 * (parallel builds, other benchmarks) does not make them up; the build's
 * wall time is printed too.
 */
static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A prefix as the linear scan sees it: masked key, mask, length. */
struct flat {
	uint64_t hi;
	uint64_t lo;
	uint64_t mhi;
	uint64_t mlo;
	uint8_t family;
	uint8_t len;
	uint32_t value;
};

static uint64_t be64(const uint8_t *b)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static void mask_bits(struct zone_prefix *p)
{
	unsigned int bits = p->addr.family == AF_INET ? 32 : 128;
	unsigned int i;

	for (i = p->len; i < bits; i++)
		p->addr.bytes[i / 8] &= ~(0x80 >> (i % 8));
}

static struct zone_prefix random_prefix(void)
{
	struct zone_prefix p;
	unsigned int i;

	memset(&p, 0, sizeof(p));
	if (rnd() % 10) {
		p.addr.family = AF_INET;
		for (i = 0; i < 4; i++)
			p.addr.bytes[i] = rnd();
		p.len = 8 + rnd() % 25;
	} else {
		p.addr.family = AF_INET6;
		p.addr.bytes[0] = 0x20;
		for (i = 1; i < 16; i++)
			p.addr.bytes[i] = rnd();
		p.len = rnd() % 8 ? 16 + rnd() % 49 : 128;
	}
	mask_bits(&p);
	return p;
}

static struct flat flatten(const struct zone_prefix *p, uint32_t value)
{
	struct flat f;
	unsigned int bits = p->addr.family == AF_INET ? 32 : 128;
	unsigned int host = bits - p->len;

	f.family = p->addr.family;
	f.len = p->len;
	f.value = value;
	f.hi = be64(p->addr.bytes);
	f.lo = be64(p->addr.bytes + 8);
	/* network mask over 128 bits; IPv4 lives in the top 32 of hi */
	if (bits == 32) {
		f.mhi = p->len ? ~0ull << (64 - p->len) : 0;
		f.mlo = 0;
	} else {
		f.mhi = host >= 64 ? (p->len ? ~0ull << (64 - p->len) : 0) :
				     ~0ull;
		f.mlo = host >= 64 ? 0 : (host ? ~0ull << host : ~0ull);
	}
	return f;
}

/* The plain linear scan: every prefix, keep the longest that matches. */
static uint32_t linear_lookup(const struct flat *fs, size_t n,
			      const struct zone_addr *a)
{
	uint64_t hi = be64(a->bytes);
	uint64_t lo = be64(a->bytes + 8);
	uint32_t best = ZONE_LPM_NONE;
	int best_len = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct flat *f = &fs[i];

		if (f->family == a->family && (hi & f->mhi) == f->hi &&
		    (lo & f->mlo) == f->lo && f->len > best_len) {
			best_len = f->len;
			best = f->value;
		}
	}
	return best;
}

/* Half the addresses fall inside a random prefix, half anywhere. */
static void random_addrs(struct zone_addr *addrs, size_t n,
			 const struct zone_prefix *ps, size_t np, int only)
{
	size_t i = 0;

	while (i < n) {
		const struct zone_prefix *p = &ps[rnd() % np];
		struct zone_addr a = p->addr;
		unsigned int bits = a.family == AF_INET ? 32 : 128;
		unsigned int b;

		if (only && a.family != only)
			continue;
		if (rnd() & 1) {
			for (b = p->len; b < bits; b++)
				if (rnd() & 1)
					a.bytes[b / 8] |= 0x80 >> (b % 8);
		} else {
			for (b = 0; b < bits / 8; b++)
				a.bytes[b] = rnd();
		}
		addrs[i++] = a;
	}
}

struct run {
	size_t n_prefixes;
	struct zone_prefix *ps;
	struct flat *fs;
	struct zone_lpm *lpm;
	double build_ms;
	double build_wall_ms;
};

/* Distinct random prefixes, then the timed part: new, add, build. */
static int run_build(struct run *r)
{
	struct zone_lpm *probe = zone_lpm_new();
	uint32_t *values = calloc(r->n_prefixes, sizeof(*values));
	double t0;
	double w0;
	size_t n = 0;
	size_t i;
	int ret = -ENOMEM;

	if (!probe || !values)
		goto out;
	/* a scratch table weeds out repeats, so the timed adds all succeed */
	while (n < r->n_prefixes) {
		struct zone_prefix p = random_prefix();
		uint32_t v = rnd() % 1000;

		if (zone_lpm_add(probe, &p, v) < 0)
			continue;
		r->ps[n] = p;
		r->fs[n] = flatten(&p, v);
		values[n++] = v;
	}
	t0 = cpu_now();
	w0 = wall_now();
	r->lpm = zone_lpm_new();
	if (!r->lpm)
		goto out;
	for (i = 0; i < n; i++) {
		ret = zone_lpm_add(r->lpm, &r->ps[i], values[i]);
		if (ret < 0)
			goto out;
	}
	ret = zone_lpm_build(r->lpm);
	r->build_ms = (cpu_now() - t0) * 1000;
	r->build_wall_ms = (wall_now() - w0) * 1000;
out:
	zone_lpm_free(probe);
	free(values);
	return ret;
}

static volatile uint32_t sink;

/* Lookups per second over @addrs, looped for at least LPM_SECONDS. */
static double lpm_rate(const struct zone_lpm *lpm,
		       const struct zone_addr *addrs, size_t n)
{
	double t0 = cpu_now();
	double t;
	size_t done = 0;
	uint32_t sum = 0;
	size_t i;

	do {
		for (i = 0; i < n; i++)
			sum += zone_lpm_lookup(lpm, &addrs[i]);
		done += n;
		t = cpu_now() - t0;
	} while (t < LPM_SECONDS);
	sink = sum;
	return done / t;
}

/*
 * Linear-scan lookups per second over the first addresses of @addrs,
 * until LINEAR_SECONDS pass; each answer is checked against the LPM.
 */
static double linear_rate(const struct run *r, const struct zone_addr *addrs,
			  size_t n, size_t *ret_bad)
{
	double t0 = cpu_now();
	double t;
	size_t i = 0;

	*ret_bad = 0;
	do {
		uint32_t want = linear_lookup(r->fs, r->n_prefixes, &addrs[i]);

		if (want != zone_lpm_lookup(r->lpm, &addrs[i]))
			(*ret_bad)++;
		i++;
		t = cpu_now() - t0;
	} while (i < n && t < LINEAR_SECONDS);
	return i / t;
}

static int bench_size(size_t n_prefixes, struct zone_addr *addrs)
{
	struct run r = { .n_prefixes = n_prefixes };
	double fast;
	double slow;
	double v4;
	double v6;
	size_t bad;
	int ret = 1;

	r.ps = calloc(n_prefixes, sizeof(*r.ps));
	r.fs = calloc(n_prefixes, sizeof(*r.fs));
	if (!r.ps || !r.fs || run_build(&r) < 0) {
		fprintf(stderr, "lpm: cannot build %zu prefixes\n", n_prefixes);
		goto out;
	}
	random_addrs(addrs, N_ADDRS, r.ps, n_prefixes, 0);
	fast = lpm_rate(r.lpm, addrs, N_ADDRS);
	slow = linear_rate(&r, addrs, N_ADDRS, &bad);
	random_addrs(addrs, N_ADDRS, r.ps, n_prefixes, AF_INET);
	v4 = lpm_rate(r.lpm, addrs, N_ADDRS);
	random_addrs(addrs, N_ADDRS, r.ps, n_prefixes, AF_INET6);
	v6 = lpm_rate(r.lpm, addrs, N_ADDRS);
	printf("lpm %zu prefixes: build %.1f ms, %.1fM lookups/s; linear scan %.4fM lookups/s; ratio %.0fx\n",
	       n_prefixes, r.build_ms, fast / 1e6, slow / 1e6, fast / slow);
	printf("lpm %zu prefixes: IPv4 only %.1fM lookups/s, IPv6 only %.1fM lookups/s; build wall time %.1f ms\n",
	       n_prefixes, v4 / 1e6, v6 / 1e6, r.build_wall_ms);
	if (bad) {
		printf("lpm %zu prefixes: %zu answers differ from the linear scan\n",
		       n_prefixes, bad);
		goto out;
	}
	ret = 0;
out:
	zone_lpm_free(r.lpm);
	free(r.ps);
	free(r.fs);
	return ret;
}

int main(void)
{
	static const size_t sizes[] = { 1000, 10000, 100000 };
	struct zone_addr *addrs = calloc(N_ADDRS, sizeof(*addrs));
	int ret = 0;
	size_t i;

	if (!addrs) {
		perror("lpm");
		return 1;
	}
	/* bench/run's output is a pipe more often than not */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		ret |= bench_size(sizes[i], addrs);
	free(addrs);
	return ret;
}
