/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Compile a zone model into the plan of table inet zoned (doc/design.md 3).
 *
 * Per packet the forward chain runs a fixed handful of rules whatever the
 * model's size.  One interval verdict map per family (zone4, zone6) sends
 * an address to the chain of its segment, seg_<name>, and it is looked up
 * twice: first with the source address while the ct mark holds "source
 * unclassified" (seg_<name> then writes its segment id into the ct mark
 * and returns), then with the destination address (seg_<name> then
 * dispatches on the source id in the ct mark to pair_<src>_<dst>, which
 * holds the pair's channels, narrow entries and matrix verdict).  nft
 * 1.0.6 cannot print a concatenation of two map lookups, hence the ct
 * mark as the register between them (see mark.h); one map for both
 * lookups halves the elements the kernel has to hold and load.  Addresses
 * no network names miss the map and fall to the catch-all's chain.
 *
 * The interfaces bind both lookups (zoned.conf(5), Interfaces).  Between
 * them, the input interface's entry in the iface map jumps to an ingress
 * chain whose one ct mark lookup goes on to the destination lookup (chain
 * route) only for the segments that interface carries: anything else is
 * spoofed, and an interface the map lacks falls through to the
 * unknown-interface drop.  Each seg_<name> checks the output interface
 * against its segment's before it dispatches (wrong_egress, unknown_out).
 * Attachment to attachment is the matrix's no-transit.  The gateway's
 * own traffic has chains of its own (nft_gateway.c).
 */

#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/udata.h>

#include <zone/mark.h>
#include <zone/ruleset.h>
#include <zone/verdict.h>

#include "lpm_priv.h"
#include "model_priv.h"
#include "names_priv.h"
#include "nft_plan.h"
#include "nft_range.h"
#include "nft_rule.h"
#include "verdict_priv.h"

#define FAM_N 2
static const int fam_af[FAM_N] = { AF_INET, AF_INET6 };
static const char *const fam_suffix[FAM_N] = { "4", "6" };

struct compile {
	struct zone_ruleset *rs;
	const struct zone_model *model;
	struct zone_model bare; /* the model without its channels */
	bool to_names; /* channel_rule: destination from the names sets */
	size_t n_ids; /* segments, plus "unassigned" */
	uint32_t catch_id;
	struct nft_range *flat[FAM_N]; /* whole address space, by id */
	size_t n_flat[FAM_N];
	bool present[FAM_N][NFT_SEG_MAX + 1];
	struct zone_addr rep[FAM_N][NFT_SEG_MAX + 1];
	/* the pair chain of (src, dst), or -1 */
	int pair[NFT_SEG_MAX + 1][NFT_SEG_MAX + 1];
	/* isolated intervals per family: no rules look them up when none */
	size_t n_isolated[FAM_N];
};

static uint32_t scratch_mark(uint32_t id)
{
	return ZONE_MARK_MAGIC | ZONE_MARK_T_SCRATCH | id;
}

static const char *id_name(const struct compile *c, uint32_t id)
{
	return c->rs->id_names[id];
}

/* A segment name usable inside chain names: [A-Za-z0-9-], short. */
static bool name_is_plain(const char *name)
{
	size_t n = strlen(name);
	size_t i;

	if (n == 0 || n > 24)
		return false;
	for (i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-'))
			return false;
	}
	return true;
}

static int compile_ids(struct compile *c)
{
	const struct zone_model *m = c->model;
	size_t n = zone_model_segment_count(m);
	const struct zone_segment *catchall = zone_model_catchall(m);
	size_t i;

	if (n + 1 > NFT_SEG_MAX)
		return -E2BIG;
	c->n_ids = catchall ? n : n + 1;
	c->catch_id = catchall ? (uint32_t)zone_segment_index(catchall) :
				 (uint32_t)n;
	c->rs->id_names = calloc(n + 1, sizeof(*c->rs->id_names));
	if (!c->rs->id_names)
		return -ENOMEM;
	c->rs->n_ids = c->n_ids;
	for (i = 0; i < n; i++) {
		const char *name = zone_segment_name(zone_model_segment(m, i));

		/* "_3" cannot clash: plain names have no underscore */
		if (name_is_plain(name))
			snprintf(c->rs->id_names[i], NFT_NAME_LEN, "%s", name);
		else
			snprintf(c->rs->id_names[i], NFT_NAME_LEN, "_%zu", i);
	}
	if (!catchall)
		strcpy(c->rs->id_names[n], "_unassigned");
	return 0;
}

struct flat_walk {
	struct nft_range *r;
	size_t n;
	size_t cap;
	size_t len;
};

static int flat_cb(const struct zone_addr *first, const struct zone_addr *last,
		   uint32_t value, void *data)
{
	struct flat_walk *w = data;
	struct nft_range *r;

	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;

		r = realloc(w->r, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		w->r = r;
		w->cap = cap;
	}
	r = &w->r[w->n++];
	memset(r, 0, sizeof(*r));
	memcpy(r->lo, first->bytes, w->len);
	memcpy(r->hi, last->bytes, w->len);
	r->value = value;
	return 0;
}

/* the first address no interval covers; false when they cover all */
static bool first_gap(const struct nft_range *r, size_t n, size_t len,
		      uint8_t *ret)
{
	uint8_t cur[16] = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		if (memcmp(r[i].lo, cur, len) > 0)
			break;
		memcpy(cur, r[i].hi, len);
		if (!nft_key_inc(cur, len))
			return false;
	}
	memcpy(ret, cur, len);
	return true;
}

/* the classifier's intervals of one family; gaps stay gaps */
static int compile_flatten(struct compile *c, int f)
{
	struct flat_walk w = { .len = nft_addr_len(fam_af[f]) };
	const struct zone_lpm *lpm = c->model->classifier;
	uint8_t gap[16];
	size_t i;
	int ret;

	if (lpm) {
		ret = lpm_foreach_interval(lpm, fam_af[f], flat_cb, &w);
		if (ret < 0) {
			free(w.r);
			return ret;
		}
	}
	for (i = 0; i < w.n; i++) {
		if (w.r[i].value >= zone_model_segment_count(c->model))
			w.r[i].value = c->catch_id;
	}
	c->flat[f] = w.r;
	c->n_flat[f] = w.n;
	for (i = w.n; i-- > 0;) {
		uint32_t id = w.r[i].value;

		c->present[f][id] = true;
		c->rep[f][id].family = (uint8_t)fam_af[f];
		memcpy(c->rep[f][id].bytes, w.r[i].lo, w.len);
	}
	/* unassigned addresses belong to the catch-all */
	if (first_gap(w.r, w.n, w.len, gap)) {
		c->present[f][c->catch_id] = true;
		c->rep[f][c->catch_id].family = (uint8_t)fam_af[f];
		memcpy(c->rep[f][c->catch_id].bytes, gap, w.len);
	}
	return 0;
}

static int set_fill_ranges(struct nft_pset *s, const struct nft_range *r,
			   size_t n, bool verdict)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		uint8_t end[16];

		ret = nft_pset_add(s, r[i].lo, 0,
				   verdict ? (uint32_t)NFT_JUMP : r[i].value,
				   verdict ? (int32_t)r[i].value : -1);
		if (ret < 0)
			return ret;
		memcpy(end, r[i].hi, s->key_len);
		if (!nft_key_inc(end, s->key_len))
			continue;
		ret = nft_pset_add(s, end, NFT_SET_ELEM_INTERVAL_END, 0, -1);
		if (ret < 0)
			return ret;
	}
	nft_pset_sort(s);
	return 0;
}

/* zone4/zone6: address -> jump seg_<segment> */
static int compile_maps(struct compile *c)
{
	struct nft_range *r;
	struct nft_pset *s;
	char name[NFT_NAME_LEN];
	char chain[NFT_NAME_LEN];
	size_t i;
	int f;
	int ret;

	for (f = 0; f < FAM_N; f++) {
		snprintf(name, sizeof(name), "zone%s", fam_suffix[f]);
		s = nft_plan_add_set(c->rs, name,
				     NFT_SET_MAP | NFT_SET_INTERVAL,
				     f ? NFT_TYPE_IP6ADDR : NFT_TYPE_IPADDR,
				     nft_addr_len(fam_af[f]), NFT_DATA_VERDICT,
				     0);
		if (!s)
			return -errno;
		r = calloc(c->n_flat[f] + 1, sizeof(*r));
		if (!r)
			return -ENOMEM;
		for (i = 0; i < c->n_flat[f]; i++) {
			r[i] = c->flat[f][i];
			snprintf(chain, sizeof(chain), "seg_%s",
				 id_name(c, c->flat[f][i].value));
			r[i].value =
				(uint32_t)nft_plan_chain_index(c->rs, chain);
		}
		ret = set_fill_ranges(s, r, c->n_flat[f], true);
		free(r);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int compile_isolated(struct compile *c, const struct zone_prefix *iso,
			    size_t n_iso)
{
	struct nft_range *r;
	struct nft_pset *s;
	char name[NFT_NAME_LEN];
	size_t i;
	size_t k;
	int f;
	int m;
	int ret;

	r = calloc(n_iso + 1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (f = 0; f < FAM_N; f++) {
		uint32_t klen = nft_addr_len(fam_af[f]);

		snprintf(name, sizeof(name), "isolated%s", fam_suffix[f]);
		s = nft_plan_add_set(c->rs, name, NFT_SET_INTERVAL,
				     f ? NFT_TYPE_IP6ADDR : NFT_TYPE_IPADDR,
				     klen, 0, 0);
		if (!s) {
			free(r);
			return -errno;
		}
		for (i = 0, k = 0; i < n_iso; i++) {
			if (iso[i].addr.family == fam_af[f])
				nft_range_from_prefix(&iso[i], 0, &r[k++]);
		}
		m = nft_ranges_merge(r, k, klen);
		ret = m < 0 ? m : set_fill_ranges(s, r, (size_t)m, false);
		if (ret < 0) {
			free(r);
			return ret;
		}
		c->n_isolated[f] = (size_t)m;
	}
	free(r);
	return 0;
}

/* ---- rules ---- */

static void origin_set(struct nft_origin *o, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void origin_set(struct nft_origin *o, int line, const char *fmt, ...)
{
	va_list ap;

	o->line = line;
	va_start(ap, fmt);
	vsnprintf(o->what, sizeof(o->what), fmt, ap);
	va_end(ap);
}

static int rule_simple(struct compile *c, const char *chain,
		       const struct nft_origin *o, const char *comment,
		       void (*body)(struct nft_rb *, const void *),
		       const void *arg)
{
	struct nft_rb *rb = nft_rb_new(c->rs, chain);

	if (!rb)
		return -ENOMEM;
	body(rb, arg);
	return nft_rb_commit(rb, o, comment);
}

static void body_isolate_log(struct nft_rb *rb, const void *arg)
{
	(void)arg;
	nft_rb_limit_log(rb, ZONE_LOG_PREFIX "isolate");
}

static void body_drop(struct nft_rb *rb, const void *arg)
{
	(void)arg;
	nft_rb_verdict(rb, NF_DROP, NULL);
}

static int compile_isolate_chain(struct compile *c)
{
	struct nft_origin o;
	int ret;

	origin_set(&o, 0, "%s", "isolation");
	ret = rule_simple(c, "isolate", &o, "isolated by zonectl",
			  body_isolate_log, NULL);
	if (ret < 0)
		return ret;
	return rule_simple(c, "isolate", &o, NULL, body_drop, NULL);
}

/* interfaces grouped by the set of segments that list them */
struct iface_group {
	char chain[NFT_NAME_LEN];
	char who[96]; /* segment names for the log prefix */
	uint32_t ids[NFT_SEG_MAX];
	size_t n_ids;
};

struct iface {
	char name[NFT_IFNAME_LEN];
	struct iface_group g;
};

static int ifaces_collect(struct compile *c, struct iface **ret, size_t *ret_n)
{
	const struct zone_model *m = c->model;
	struct iface *v = NULL;
	size_t n = 0;
	size_t i;
	size_t j;
	size_t k;

	for (i = 0; i < zone_model_segment_count(m); i++) {
		const struct zone_segment *seg = zone_model_segment(m, i);

		for (j = 0; j < zone_segment_interface_count(seg); j++) {
			const char *ifn = zone_segment_interface(seg, j);
			struct iface *p;

			if (strlen(ifn) >= NFT_IFNAME_LEN) {
				free(v);
				return -EINVAL;
			}
			for (k = 0; k < n && strcmp(v[k].name, ifn); k++)
				;
			if (k == n) {
				p = realloc(v, (n + 1) * sizeof(*v));
				if (!p) {
					free(v);
					return -ENOMEM;
				}
				v = p;
				memset(&v[n], 0, sizeof(v[n]));
				strcpy(v[n++].name, ifn);
			}
			if (v[k].g.n_ids && v[k].g.ids[v[k].g.n_ids - 1] == i)
				continue;
			v[k].g.ids[v[k].g.n_ids++] = (uint32_t)i;
		}
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/*
 * spoof_<seg>[_<seg>...] for the segments sharing the interfaces; a name
 * too long for that becomes "spoofif_<interface>" (cut names could clash)
 */
static void group_names(struct compile *c, struct iface_group *g, size_t k)
{
	size_t i;
	size_t off = 0;
	size_t woff = 0;

	off += (size_t)snprintf(g->chain, sizeof(g->chain), "spoof");
	for (i = 0; i < g->n_ids; i++) {
		const char *seg = zone_segment_name(
			zone_model_segment(c->model, g->ids[i]));

		if (off < sizeof(g->chain))
			off += (size_t)snprintf(g->chain + off,
						sizeof(g->chain) - off, "_%s",
						id_name(c, g->ids[i]));
		if (woff < sizeof(g->who))
			woff += (size_t)snprintf(g->who + woff,
						 sizeof(g->who) - woff, "%s%s",
						 i ? "," : "", seg);
	}
	if (off >= sizeof(g->chain))
		snprintf(g->chain, sizeof(g->chain), "spoofif_%zu", k);
}

/* one rule of an ingress chain: a log prefix, or a verdict */
static int spoof_rule(struct compile *c, const struct iface_group *g,
		      const struct nft_origin *o, const char *prefix,
		      int verdict, const char *chain)
{
	struct nft_rb *rb = nft_rb_new(c->rs, g->chain);

	if (!rb)
		return -ENOMEM;
	if (prefix)
		nft_rb_limit_log(rb, prefix);
	else
		nft_rb_verdict(rb, verdict, chain);
	return nft_rb_commit(rb, o, prefix ? "spoofed source address" : NULL);
}

/*
 * The source binding (zoned.conf(5), Interfaces): a packet arriving on an
 * interface comes from the networks of a segment that interface carries
 * (the catch-all's id stands for addresses of no other segment), or it is
 * spoofed.  One ct mark lookup sends a bound packet on to the destination
 * lookup; the log is rate-limited, so the drop is a rule of its own.
 */
static int spoof_chain(struct compile *c, const struct iface_group *g)
{
	const struct zone_segment *seg;
	uint32_t marks[NFT_SEG_MAX];
	const char *chains[NFT_SEG_MAX];
	struct nft_origin o;
	struct nft_rb *rb;
	char prefix[128];
	size_t i;
	int ret;

	seg = zone_model_segment(c->model, g->ids[0]);
	origin_set(&o, zone_segment_line(seg), "interfaces of %s",
		   zone_segment_name(seg));
	snprintf(prefix, sizeof(prefix), ZONE_LOG_PREFIX "%sspoof %s",
		 c->rs->monitor ? "monitor " : "", g->who);
	for (i = 0; i < g->n_ids; i++) {
		marks[i] = scratch_mark(g->ids[i]);
		chains[i] = "route";
	}
	rb = nft_rb_new(c->rs, g->chain);
	if (!rb)
		return -ENOMEM;
	nft_rb_ct_mark_vmap(rb, marks, chains, g->n_ids);
	ret = nft_rb_commit(rb, &o, NULL);
	if (ret == 0)
		ret = spoof_rule(c, g, &o, prefix, 0, NULL);
	if (ret == 0)
		ret = spoof_rule(c, g, &o, NULL,
				 c->rs->monitor ? NFT_GOTO : NF_DROP,
				 c->rs->monitor ? "route" : NULL);
	return ret;
}

static int compile_spoof(struct compile *c, struct nft_pset *map,
			 struct nft_pset *names)
{
	struct iface *v = NULL;
	size_t n = 0;
	size_t i;
	int ret;

	ret = ifaces_collect(c, &v, &n);
	if (ret < 0)
		return ret;
	for (i = 0; i < n && ret == 0; i++) {
		struct nft_origin o = { 0 };
		int idx;

		group_names(c, &v[i].g, i);
		origin_set(&o,
			   zone_segment_line(
				   zone_model_segment(c->model, v[i].g.ids[0])),
			   "interface %s", v[i].name);
		idx = nft_plan_chain_index(c->rs, v[i].g.chain);
		if (idx < 0) {
			ret = nft_plan_add_chain(c->rs, v[i].g.chain, false,
						 &o);
			if (ret == 0)
				ret = spoof_chain(c, &v[i].g);
			idx = nft_plan_chain_index(c->rs, v[i].g.chain);
		}
		if (ret == 0) {
			uint8_t key[NFT_IFNAME_LEN] = { 0 };

			memcpy(key, v[i].name, strlen(v[i].name));
			ret = nft_pset_add(map, key, 0, NFT_JUMP, idx);
			if (ret == 0)
				ret = nft_pset_add(names, key, 0, 0, -1);
		}
	}
	free(v);
	nft_pset_sort(map);
	nft_pset_sort(names);
	return ret;
}

/* the matrix rule and action of a pair, as zone_verdict() judges it */
static bool pair_verdict(struct compile *c, uint32_t s, uint32_t d,
			 struct zone_verdict *v)
{
	struct zone_flow flow = { 0 };
	int f;

	for (f = 0; f < FAM_N; f++) {
		if (!c->present[f][s] || !c->present[f][d])
			continue;
		flow.src = c->rep[f][s];
		flow.dst = c->rep[f][d];
		zone_verdict(&c->bare, &flow, c->rs->now, v);
		return true;
	}
	return false;
}

static uint32_t id_of(const struct zone_segment *seg)
{
	return (uint32_t)zone_segment_index(seg);
}

static void channel_counter_name(const struct zone_channel *ch, char *buf,
				 size_t size)
{
	if (name_is_plain(zone_channel_name(ch)))
		snprintf(buf, size, "chan_%s", zone_channel_name(ch));
	else
		snprintf(buf, size, "chan__%zu", ch->index);
}

/* the hosts of one side of a channel in family @f; *@ret freed by caller */
static int channel_hosts(const struct zone_channel *ch, bool to, int f,
			 struct zone_prefix **ret, size_t *ret_n)
{
	size_t total = to ? zone_channel_to_host_count(ch) :
			    zone_channel_from_host_count(ch);
	struct zone_prefix *v = calloc(total + 1, sizeof(*v));
	size_t n = 0;
	size_t i;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < total; i++) {
		const struct zone_prefix *p =
			to ? zone_channel_to_host(ch, i) :
			     zone_channel_from_host(ch, i);

		if (f >= 0 && p->addr.family == fam_af[f])
			v[n++] = *p;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* one rule of a channel: one family, one service (or none), one window piece (or none) */
static int channel_rule(struct compile *c, const struct zone_channel *ch,
			const char *chain, int f,
			const struct zone_service *svc,
			const struct zone_window_piece *piece, const uint8_t *mac)
{
	struct zone_prefix *from = NULL;
	struct zone_prefix *to = NULL;
	size_t nf = 0;
	size_t nt = 0;
	char text[NFT_NAME_LEN + 16];
	struct nft_origin o;
	struct nft_rb *rb;
	time_t when;
	int ret;

	ret = channel_hosts(ch, false, f, &from, &nf);
	if (ret == 0)
		ret = channel_hosts(ch, true, f, &to, &nt);
	/* a side that lists hosts, none of this family: nothing to match */
	if (ret < 0 || (zone_channel_from_host_count(ch) && !nf) ||
	    (!c->to_names && zone_channel_to_host_count(ch) && !nt)) {
		free(from);
		free(to);
		return ret;
	}
	rb = nft_rb_new(c->rs, chain);
	if (!rb) {
		free(from);
		free(to);
		return -ENOMEM;
	}
	if (f >= 0) {
		nft_rb_addr(rb, fam_af[f], false, from, nf);
		if (c->to_names)
			nft_names_rb_daddr(rb, c->rs, ch, fam_af[f]);
		else
			nft_rb_addr(rb, fam_af[f], true, to, nt);
	}
	free(from);
	free(to);
	if (mac)
		nft_rb_ether_saddr(rb, mac);
	if (svc)
		nft_rb_service(rb, svc);
	if (zone_channel_expires(ch, &when))
		nft_rb_time_before(rb, (uint64_t)when * 1000000000ull);
	if (zone_channel_not_before(ch, &when))
		nft_rb_time_after(rb, (uint64_t)when * 1000000000ull);
	if (piece)
		nft_rb_day_hour(rb, piece->day, piece->lo, piece->hi);
	channel_counter_name(ch, text, sizeof(text));
	nft_rb_objref(rb, text);
	nft_rb_ct_mark_set(rb, ZONE_MARK_MAGIC | ZONE_MARK_T_CHANNEL |
				       zone_channel_tag(ch));
	nft_rb_verdict(rb, NF_ACCEPT, NULL);
	origin_set(&o, zone_channel_line(ch), "channel %s",
		   zone_channel_name(ch));
	snprintf(text, sizeof(text), "channel %s", zone_channel_name(ch));
	return nft_rb_commit(rb, &o, text);
}

/* one rule per pinned Ethernet source, or one without */
static int channel_rule_macs(struct compile *c, const struct zone_channel *ch,
			     const char *chain, int f,
			     const struct zone_service *svc,
			     const struct zone_window_piece *piece)
{
	size_t n = ch->n_from_macs;
	size_t m;
	int ret;

	if (n == 0)
		return channel_rule(c, ch, chain, f, svc, piece, NULL);
	for (m = 0; m < n; m++) {
		ret = channel_rule(c, ch, chain, f, svc, piece,
				   ch->from_macs[m]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/*
 * The kernel pieces of a channel's windows.  meta hour is UTC seconds of
 * the day and meta day counts days in the kernel's timezone (sys_tz, as
 * settimeofday() set it; 0 on most systems), so the windows, written in
 * local time, are converted with the UTC offset in force at @now: a
 * change of that offset (daylight saving time, a new timezone) needs a
 * new compile, which zoned does at the change and on every reload.
 */
static size_t channel_pieces(const struct zone_channel *ch, time_t now,
			     struct zone_window_piece **ret)
{
	struct timeval tv;
	struct timezone tz = { 0 };
	long off = zone_window_utc_offset(now);
	struct zone_window_piece *p;
	size_t n = 0;
	size_t i;

	*ret = NULL;
	if (ch->n_windows == 0)
		return 0;
	/* gettimeofday() reports sys_tz, the timezone meta day uses */
	if (gettimeofday(&tv, &tz) < 0)
		tz.tz_minuteswest = 0;
	p = calloc(ch->n_windows * 4, sizeof(*p));
	if (!p)
		return (size_t)-1;
	for (i = 0; i < ch->n_windows; i++)
		n += zone_window_pieces(&ch->windows[i], off,
					tz.tz_minuteswest, p + n);
	*ret = p;
	return n;
}

static int compile_channel(struct compile *c, const struct zone_channel *ch,
			   const char *chain)
{
	bool hosts = zone_channel_from_host_count(ch) ||
		     zone_channel_to_host_count(ch);
	size_t n_svc = zone_channel_service_count(ch);
	struct zone_window_piece *pieces;
	size_t n_pieces;
	size_t i;
	size_t k;
	int f;
	int ret = 0;

	n_pieces = channel_pieces(ch, c->rs->now, &pieces);
	if (n_pieces == (size_t)-1)
		return -ENOMEM;
	/* names only: no to_hosts rules, which would match any address */
	if (!c->to_names && zone_channel_name_count(ch) &&
	    !zone_channel_to_host_count(ch))
		f = FAM_N;
	else
		f = hosts || c->to_names ? 0 : -1;
	for (; f < FAM_N && ret >= 0; f++) {
		for (i = 0; i < (n_svc ? n_svc : 1) && ret >= 0; i++) {
			for (k = 0; k < (n_pieces ? n_pieces : 1) && ret >= 0;
			     k++)
				ret = channel_rule_macs(
					c, ch, chain, f,
					n_svc ? zone_channel_service(ch, i) :
						NULL,
					n_pieces ? &pieces[k] : NULL);
		}
		if (f < 0)
			break;
	}
	free(pieces);
	/* to_names: the same rules against the names sets (nft_names.c) */
	if (ret >= 0 && !c->to_names && zone_channel_name_count(ch)) {
		ret = nft_names_add_sets(c->rs, ch);
		c->to_names = true;
		if (ret >= 0)
			ret = compile_channel(c, ch, chain);
		c->to_names = false;
	}
	return ret < 0 ? ret : 0;
}

static int pair_counter(struct compile *c, const char *name, uint32_t s,
			uint32_t d, const struct zone_verdict *v,
			const struct nft_origin *o)
{
	char comment[NFT_NAME_LEN * 2 + 32];

	snprintf(comment, sizeof(comment), "%s -> %s: %s %s", id_name(c, s),
		 id_name(c, d),
		 v->action == ZONE_ACTION_ALLOW ? "allow" : "deny",
		 zone_rule_name(v->rule));
	return nft_plan_add_counter(c->rs, name, comment, o);
}

static int pair_matrix_rules(struct compile *c, const char *chain, uint32_t s,
			     uint32_t d, const struct zone_verdict *v,
			     const struct nft_origin *o)
{
	uint32_t tag = ZONE_MARK_MAGIC | ZONE_MARK_T_RULE |
		       (uint32_t)v->rule << 16 | s << 8 | d;
	char comment[64];
	char prefix[64];
	struct nft_rb *rb;
	bool allow = v->action == ZONE_ACTION_ALLOW;
	int ret;

	snprintf(comment, sizeof(comment), "matrix %s",
		 zone_rule_name(v->rule));
	rb = nft_rb_new(c->rs, chain);
	if (!rb)
		return -ENOMEM;
	nft_rb_objref(rb, chain);
	if (!allow) {
		snprintf(prefix, sizeof(prefix), ZONE_LOG_PREFIX "%s %s",
			 c->rs->monitor ? "monitor" : "deny",
			 zone_rule_name(v->rule));
		nft_rb_limit_log(rb, prefix);
		ret = nft_rb_commit(rb, o, comment);
		if (ret < 0)
			return ret;
		rb = nft_rb_new(c->rs, chain);
		if (!rb)
			return -ENOMEM;
	}
	if (!allow && !c->rs->monitor) {
		nft_rb_verdict(rb, NF_DROP, NULL);
	} else {
		nft_rb_ct_mark_set(rb, tag);
		nft_rb_verdict(rb, NF_ACCEPT, NULL);
	}
	return nft_rb_commit(rb, o, comment);
}

/* one rule of a narrow entry: one family (or none), one service (or none) */
static int narrow_rule(struct compile *c, const struct zone_narrow *n,
		       const char *chain, int f, const struct zone_service *svc,
		       uint32_t tag)
{
	size_t total = zone_narrow_to_host_count(n);
	struct zone_prefix *to;
	char comment[32];
	struct nft_origin o;
	struct nft_rb *rb;
	size_t nt = 0;
	size_t i;
	int ret;

	to = calloc(total + 1, sizeof(*to));
	if (!to)
		return -ENOMEM;
	for (i = 0; i < total; i++) {
		if (f >= 0 && zone_narrow_to_host(n, i)->addr.family ==
				      fam_af[f])
			to[nt++] = *zone_narrow_to_host(n, i);
	}
	if (total && !nt) {
		free(to);
		return 0;
	}
	rb = nft_rb_new(c->rs, chain);
	if (!rb) {
		free(to);
		return -ENOMEM;
	}
	if (f >= 0)
		nft_rb_addr(rb, fam_af[f], true, to, nt);
	free(to);
	if (svc)
		nft_rb_service(rb, svc);
	nft_rb_objref(rb, chain);
	nft_rb_ct_mark_set(rb, tag);
	nft_rb_verdict(rb, NF_ACCEPT, NULL);
	snprintf(comment, sizeof(comment), "narrow #%zu",
		 (size_t)(n - zone_model_narrow(c->model, 0)) + 1);
	origin_set(&o, zone_narrow_line(n), "%s", comment);
	ret = nft_rb_commit(rb, &o, comment);
	return ret;
}

/*
 * A narrowed allowed cell: what its entries list passes with the cell's
 * matrix tag; the caller then denies the rest as "narrowed".
 */
static int compile_narrow(struct compile *c, const char *chain, uint32_t s,
			  uint32_t d, const struct zone_verdict *v)
{
	uint32_t tag = ZONE_MARK_MAGIC | ZONE_MARK_T_RULE |
		       (uint32_t)v->rule << 16 | s << 8 | d;
	size_t i;
	size_t k;
	int f;
	int ret;

	for (i = 0; i < zone_model_narrow_count(c->model); i++) {
		const struct zone_narrow *n = zone_model_narrow(c->model, i);
		size_t n_svc = zone_narrow_service_count(n);

		if (id_of(zone_narrow_from(n)) != s ||
		    id_of(zone_narrow_to(n)) != d)
			continue;
		for (f = zone_narrow_to_host_count(n) ? 0 : -1; f < FAM_N;
		     f++) {
			for (k = 0; k < (n_svc ? n_svc : 1); k++) {
				ret = narrow_rule(
					c, n, chain, f,
					n_svc ? zone_narrow_service(n, k) :
						NULL,
					tag);
				if (ret < 0)
					return ret;
			}
			if (f < 0)
				break;
		}
	}
	return 0;
}

static int compile_pair(struct compile *c, uint32_t s, uint32_t d)
{
	char chain[NFT_NAME_LEN];
	struct zone_verdict v;
	struct nft_origin o;
	size_t i;
	int ret;

	c->pair[s][d] = -1;
	if (!pair_verdict(c, s, d, &v))
		return 0;
	snprintf(chain, sizeof(chain), "pair_%s_%s", id_name(c, s),
		 id_name(c, d));
	o.line = 0;
	snprintf(o.what, sizeof(o.what), "%s", chain);
	ret = nft_plan_add_chain(c->rs, chain, false, &o);
	if (ret == 0)
		ret = pair_counter(c, chain, s, d, &v, &o);
	if (ret < 0)
		return ret;
	c->pair[s][d] = nft_plan_chain_index(c->rs, chain);
	if (v.action == ZONE_ACTION_ALLOW && s != d &&
	    zone_model_cell_narrowed(c->model, zone_model_segment(c->model, s),
				     zone_model_segment(c->model, d))) {
		ret = compile_narrow(c, chain, s, d, &v);
		if (ret < 0)
			return ret;
		v.rule = ZONE_RULE_NARROWED;
		v.action = ZONE_ACTION_DENY;
	}
	for (i = 0; i < zone_model_channel_count(c->model); i++) {
		const struct zone_channel *ch = zone_model_channel(c->model, i);

		if (id_of(zone_channel_from(ch)) != s ||
		    id_of(zone_channel_to(ch)) != d ||
		    zone_channel_expired(ch, c->rs->now))
			continue;
		ret = compile_channel(c, ch, chain);
		if (ret < 0)
			return ret;
	}
	return pair_matrix_rules(c, chain, s, d, &v, &o);
}

static int compile_channel_counters(struct compile *c)
{
	char name[NFT_NAME_LEN];
	char comment[NFTNL_UDATA_COMMENT_MAXLEN];
	struct nft_origin o;
	size_t i;
	int ret;

	for (i = 0; i < zone_model_channel_count(c->model); i++) {
		const struct zone_channel *ch = zone_model_channel(c->model, i);

		if (zone_channel_expired(ch, c->rs->now))
			continue;
		channel_counter_name(ch, name, sizeof(name));
		origin_set(&o, zone_channel_line(ch), "channel %s",
			   zone_channel_name(ch));
		snprintf(comment, sizeof(comment), "channel %s",
			 zone_channel_name(ch));
		ret = nft_plan_add_counter(c->rs, name, comment, &o);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/*
 * The destination binding: a packet to a segment's networks leaves by one
 * of that segment's interfaces, or it goes to wrong_egress.  Unassigned
 * addresses (no catch-all attachment) have no door at all; the matrix
 * denies every flow to them.
 */
static int egress_rule(struct compile *c, uint32_t d, const char *chain,
		       const struct nft_origin *o)
{
	const struct zone_segment *seg = zone_model_segment(c->model, d);
	const char *names[64];
	struct nft_rb *rb;
	size_t n;
	size_t i;

	if (!seg || zone_segment_interface_count(seg) == 0)
		return 0;
	n = zone_segment_interface_count(seg);
	if (n > sizeof(names) / sizeof(names[0]))
		return -E2BIG;
	for (i = 0; i < n; i++)
		names[i] = zone_segment_interface(seg, i);
	rb = nft_rb_new(c->rs, chain);
	if (!rb)
		return -ENOMEM;
	nft_rb_ifname(rb, true, true, names, n);
	nft_rb_verdict(rb, NFT_JUMP, "wrong_egress");
	return nft_rb_commit(rb, o, NULL);
}

/* log @prefix (rate-limited), then @verdict (to @target) in @chain */
static int log_then(struct compile *c, const char *chain, const char *rule,
		    int verdict, const char *target, const char *comment)
{
	struct nft_origin o;
	char prefix[64];
	struct nft_rb *rb;
	int ret;

	origin_set(&o, 0, "chain %s", chain);
	snprintf(prefix, sizeof(prefix), ZONE_LOG_PREFIX "%s %s",
		 c->rs->monitor ? "monitor" : "deny", rule);
	rb = nft_rb_new(c->rs, chain);
	if (!rb)
		return -ENOMEM;
	nft_rb_limit_log(rb, prefix);
	ret = nft_rb_commit(rb, &o, comment);
	if (ret < 0 || verdict == NFT_CONTINUE)
		return ret;
	rb = nft_rb_new(c->rs, chain);
	if (!rb)
		return -ENOMEM;
	nft_rb_verdict(rb, verdict, target);
	return nft_rb_commit(rb, &o, NULL);
}

/*
 * wrong_egress, jumped to by a seg_<id> chain when the packet would leave
 * by an interface that is not the destination's: an interface the config
 * does not name (unknown_out) or another segment's.  In monitor mode both
 * report and return, so that the pair chain still judges the flow.
 */
static int compile_egress_chains(struct compile *c)
{
	const struct nft_pset *names = NULL;
	struct nft_origin o;
	struct nft_rb *rb;
	int verdict = c->rs->monitor ? NFT_CONTINUE : NF_DROP;
	size_t i;
	int ret;

	for (i = 0; i < c->rs->n_sets; i++) {
		if (strcmp(c->rs->sets[i].name, "ifnames") == 0)
			names = &c->rs->sets[i];
	}
	if (!names)
		return -EINVAL;
	origin_set(&o, 0, "%s", "chain wrong_egress");
	rb = nft_rb_new(c->rs, "wrong_egress");
	if (!rb)
		return -ENOMEM;
	nft_rb_ifname_set(rb, true, true, "ifnames", names->id);
	nft_rb_verdict(rb, NFT_GOTO, "unknown_out");
	ret = nft_rb_commit(rb, &o, NULL);
	if (ret == 0)
		ret = log_then(c, "wrong_egress", "wrong-egress", verdict,
			       NULL, "wrong egress interface");
	if (ret == 0)
		ret = log_then(c, "unknown_out", "unknown-interface", verdict,
			       NULL, "egress interface not in the config");
	return ret;
}

/*
 * seg_<id>, jumped to from zone4/zone6 twice per new flow: with the
 * source address it records the segment in the ct mark and returns; with
 * the destination address it dispatches on that mark to the pair chain.
 */
static int compile_seg_chain(struct compile *c, uint32_t d)
{
	uint32_t marks[NFT_SEG_MAX + 1];
	const char *chains[NFT_SEG_MAX + 1];
	char name[NFT_NAME_LEN];
	struct nft_origin o;
	struct nft_rb *rb;
	size_t n = 0;
	uint32_t s;
	int ret;

	snprintf(name, sizeof(name), "seg_%s", id_name(c, d));
	if (nft_plan_chain_index(c->rs, name) < 0)
		return 0;
	origin_set(&o, 0, "chain %s", name);
	rb = nft_rb_new(c->rs, name);
	if (!rb)
		return -ENOMEM;
	nft_rb_ct_mark_eq(rb, scratch_mark(NFT_SCRATCH_UNSET));
	nft_rb_ct_mark_set(rb, scratch_mark(d));
	nft_rb_verdict(rb, NFT_RETURN, NULL);
	ret = nft_rb_commit(rb, &o, NULL);
	if (ret == 0)
		ret = egress_rule(c, d, name, &o);
	if (ret < 0)
		return ret;
	for (s = 0; s < c->n_ids; s++) {
		if (c->pair[s][d] < 0)
			continue;
		marks[n] = scratch_mark(s);
		chains[n++] = c->rs->chains[c->pair[s][d]].name;
	}
	if (n > 0) {
		rb = nft_rb_new(c->rs, name);
		if (!rb)
			return -ENOMEM;
		nft_rb_ct_mark_vmap(rb, marks, chains, n);
		ret = nft_rb_commit(rb, &o, NULL);
		if (ret < 0)
			return ret;
	}
	/* a pair no address family can form: fail closed */
	rb = nft_rb_new(c->rs, name);
	if (!rb)
		return -ENOMEM;
	nft_rb_verdict(rb, NF_DROP, NULL);
	return nft_rb_commit(rb, &o, NULL);
}

static int compile_chains(struct compile *c)
{
	char name[NFT_NAME_LEN];
	struct nft_origin o = { 0 };
	uint32_t d;
	int f;
	int ret;

	origin_set(&o, 0, "%s", "chain forward");
	ret = nft_plan_add_chain(c->rs, "forward", true, &o);
	if (ret == 0)
		ret = nft_plan_add_chain(c->rs, "isolate", false, &o);
	if (ret == 0)
		ret = nft_plan_add_chain(c->rs, "route", false, &o);
	if (ret == 0)
		ret = nft_plan_add_chain(c->rs, "wrong_egress", false, &o);
	if (ret == 0)
		ret = nft_plan_add_chain(c->rs, "unknown_out", false, &o);
	for (d = 0; d < c->n_ids && ret == 0; d++) {
		bool used = false;

		for (f = 0; f < FAM_N; f++)
			used |= c->present[f][d];
		if (!used)
			continue;
		snprintf(name, sizeof(name), "seg_%s", id_name(c, d));
		origin_set(&o, 0, "chain %s", name);
		ret = nft_plan_add_chain(c->rs, name, false, &o);
	}
	return ret;
}

static int chain_rule(struct compile *c, const char *chain,
		      void (*body)(struct nft_rb *, struct compile *, int),
		      int arg, const char *comment)
{
	struct nft_origin o = { .line = 0 };
	struct nft_rb *rb = nft_rb_new(c->rs, chain);

	snprintf(o.what, sizeof(o.what), "chain %s", chain);
	if (!rb)
		return -ENOMEM;
	body(rb, c, arg);
	return nft_rb_commit(rb, &o, comment);
}

static int forward_rule(struct compile *c,
			void (*body)(struct nft_rb *, struct compile *, int),
			int arg, const char *comment)
{
	struct nft_origin o = { .line = 0, .what = "chain forward" };
	struct nft_rb *rb = nft_rb_new(c->rs, "forward");

	if (!rb)
		return -ENOMEM;
	body(rb, c, arg);
	return nft_rb_commit(rb, &o, comment);
}

static const struct nft_pset *plan_set(const struct compile *c,
				       const char *name)
{
	size_t i;

	for (i = 0; i < c->rs->n_sets; i++) {
		if (strcmp(c->rs->sets[i].name, name) == 0)
			return &c->rs->sets[i];
	}
	return NULL;
}

static void fw_lookup(struct nft_rb *rb, struct compile *c, const char *name,
		      int f, bool dst, int dreg)
{
	char set[NFT_NAME_LEN];

	snprintf(set, sizeof(set), "%s%s", name, fam_suffix[f]);
	nft_rb_addr_lookup(rb, fam_af[f], dst, set, plan_set(c, set)->id, dreg);
}

/* arg: family index * 2 + (destination) */
static void fw_isolated(struct nft_rb *rb, struct compile *c, int arg)
{
	fw_lookup(rb, c, "isolated", arg / 2, arg % 2, -1);
	nft_rb_verdict(rb, NFT_JUMP, "isolate");
}

static void fw_established(struct nft_rb *rb, struct compile *c, int arg)
{
	(void)c;
	(void)arg;
	nft_rb_ct_state(rb, NF_CT_STATE_BIT(IP_CT_ESTABLISHED) |
				    NF_CT_STATE_BIT(IP_CT_RELATED));
	nft_rb_counter(rb);
	nft_rb_verdict(rb, NF_ACCEPT, NULL);
}

static void fw_invalid(struct nft_rb *rb, struct compile *c, int arg)
{
	(void)c;
	(void)arg;
	nft_rb_ct_state(rb, NF_CT_STATE_INVALID_BIT);
	nft_rb_verdict(rb, NF_DROP, NULL);
}

static void fw_unset(struct nft_rb *rb, struct compile *c, int arg)
{
	(void)c;
	(void)arg;
	nft_rb_ct_mark_set(rb, scratch_mark(NFT_SCRATCH_UNSET));
}

/* ip saddr vmap @zone4, or ip daddr vmap @zone4 (arg: family * 2 + dst) */
static void fw_zone(struct nft_rb *rb, struct compile *c, int arg)
{
	fw_lookup(rb, c, "zone", arg / 2, arg % 2, NFT_REG_VERDICT);
}

static void fw_src_catchall(struct nft_rb *rb, struct compile *c, int arg)
{
	(void)arg;
	nft_rb_ct_mark_eq(rb, scratch_mark(NFT_SCRATCH_UNSET));
	nft_rb_ct_mark_set(rb, scratch_mark(c->catch_id));
}

static void fw_iface(struct nft_rb *rb, struct compile *c, int arg)
{
	(void)arg;
	nft_rb_iifname_vmap(rb, "iface", plan_set(c, "iface")->id);
}

static void fw_dst_catchall(struct nft_rb *rb, struct compile *c, int arg)
{
	char name[NFT_NAME_LEN];

	(void)arg;
	snprintf(name, sizeof(name), "seg_%s", id_name(c, c->catch_id));
	nft_rb_verdict(rb, NFT_GOTO, name);
}

static void fw_drop(struct nft_rb *rb, struct compile *c, int arg)
{
	(void)c;
	(void)arg;
	nft_rb_verdict(rb, NF_DROP, NULL);
}

/* whether some address falls to the catch-all (it has a chain then) */
static bool catchall_chain(const struct compile *c)
{
	char name[NFT_NAME_LEN];

	snprintf(name, sizeof(name), "seg_%s", id_name(c, c->catch_id));
	return nft_plan_chain_index(c->rs, name) >= 0;
}

/*
 * route: the destination lookup, reached by goto from an ingress chain
 * once the source is bound to its interface.  Every path out of it ends
 * in a verdict (the pair chains, the fail-closed drop).
 */
static int compile_route(struct compile *c)
{
	int f;
	int ret = 0;

	for (f = 0; f < FAM_N && ret >= 0; f++)
		ret = chain_rule(c, "route", fw_zone, 2 * f + 1, NULL);
	if (ret == 0 && catchall_chain(c))
		ret = chain_rule(c, "route", fw_dst_catchall, 0, NULL);
	if (ret == 0)
		ret = chain_rule(c, "route", fw_drop, 0, NULL);
	return ret;
}

static int compile_forward(struct compile *c)
{
	int f;
	int ret = 0;

	/*
	 * Isolation comes before the established accept, so that it cuts
	 * live flows too; it is looked up only while something is isolated,
	 * so that every forwarded packet does not pay for empty sets.
	 */
	for (f = 0; f < 2 * FAM_N && ret == 0; f++) {
		if (c->n_isolated[f / 2])
			ret = forward_rule(c, fw_isolated, f, NULL);
	}
	if (ret == 0)
		ret = forward_rule(c, fw_established, 0, NULL);
	if (ret == 0)
		ret = forward_rule(c, fw_invalid, 0, NULL);
	if (ret == 0)
		ret = forward_rule(c, fw_unset, 0, NULL);
	for (f = 0; f < FAM_N && ret >= 0; f++)
		ret = forward_rule(c, fw_zone, 2 * f, NULL);
	if (ret == 0)
		ret = forward_rule(c, fw_src_catchall, 0, NULL);
	/* a known interface's chain goes on to route or drops */
	if (ret == 0)
		ret = forward_rule(c, fw_iface, 0, NULL);
	if (ret == 0)
		ret = log_then(c, "forward", "unknown-interface",
			       c->rs->monitor ? NFT_GOTO : NF_DROP,
			       c->rs->monitor ? "route" : NULL,
			       "ingress interface not in the config");
	if (ret == 0)
		ret = compile_route(c);
	return ret;
}

static int compile_all(struct compile *c, const struct zone_prefix *iso,
		       size_t n_iso)
{
	struct nft_pset *iface;
	struct nft_pset *names;
	uint32_t s;
	uint32_t d;
	int f;
	int ret;

	ret = compile_ids(c);
	for (f = 0; f < FAM_N && ret >= 0; f++)
		ret = compile_flatten(c, f);
	if (ret == 0)
		ret = compile_chains(c);
	if (ret == 0)
		ret = compile_isolated(c, iso, iso ? n_iso : 0);
	if (ret == 0)
		ret = compile_maps(c);
	if (ret < 0)
		return ret;
	iface = nft_plan_add_set(c->rs, "iface", NFT_SET_MAP, NFT_TYPE_IFNAME,
				 NFT_IFNAME_LEN, NFT_DATA_VERDICT, 0);
	if (!iface)
		return -errno;
	names = nft_plan_add_set(c->rs, "ifnames", 0, NFT_TYPE_IFNAME,
				 NFT_IFNAME_LEN, 0, 0);
	if (!names)
		return -errno;
	/* the plan's sets may have moved: look iface up again */
	iface = &c->rs->sets[c->rs->n_sets - 2];
	ret = compile_isolate_chain(c);
	if (ret == 0)
		ret = compile_spoof(c, iface, names);
	if (ret == 0)
		ret = compile_egress_chains(c);
	if (ret == 0)
		ret = compile_channel_counters(c);
	for (s = 0; s < c->n_ids && ret == 0; s++) {
		for (d = 0; d < c->n_ids && ret == 0; d++)
			ret = compile_pair(c, s, d);
	}
	for (d = 0; d < c->n_ids && ret == 0; d++)
		ret = compile_seg_chain(c, d);
	if (ret == 0)
		ret = compile_forward(c);
	if (ret == 0)
		ret = nft_compile_gateway(c->rs, c->model);
	if (ret == 0)
		ret = nft_plan_sign(c->rs);
	return ret;
}

struct zone_ruleset *zone_ruleset_compile(const struct zone_model *model,
					  const struct zone_prefix *isolated,
					  size_t n_isolated, time_t now)
{
	struct compile *c;
	struct zone_ruleset *rs;
	int ret;
	int f;

	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	rs = nft_plan_new();
	if (!rs) {
		free(c);
		return NULL;
	}
	rs->model = model;
	rs->now = now;
	rs->monitor = zone_model_mode(model) == ZONE_MODE_MONITOR;
	c->rs = rs;
	c->model = model;
	/* the matrix verdict of a pair, with no channel to admit it */
	c->bare = *model;
	c->bare.n_channels = 0;
	c->bare.verdict_index = NULL;
	c->bare.n_narrows = 0;
	ret = compile_all(c, isolated, n_isolated);
	for (f = 0; f < FAM_N; f++)
		free(c->flat[f]);
	free(c);
	if (ret < 0) {
		zone_ruleset_free(rs);
		errno = -ret;
		return NULL;
	}
	return rs;
}
