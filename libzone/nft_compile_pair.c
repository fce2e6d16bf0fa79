/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pair chains of the forward path (doc/design.md 3): for each source
 * and destination segment, the channels, narrow entries and matrix
 * verdict that judge a new flow between them, and the seg_<name> chains
 * that dispatch to them.
 */

#include <sys/time.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/udata.h>

#include <zone/verdict.h>

#include "names_priv.h"
#include "nft_compile.h"
#include "nft_rule.h"
#include "verdict_priv.h"

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

/*
 * The mark a channel's flows carry: zone_verdict_mark(), which the
 * conntrack watcher also uses to re-mark live flows, so the two agree.
 */
static uint32_t channel_mark(struct compile *c, const struct zone_channel *ch)
{
	struct zone_verdict v = {
		.action = ZONE_ACTION_ALLOW,
		.rule = ZONE_RULE_CHANNEL,
		.channel = ch,
	};

	return zone_verdict_mark(c->model, &v);
}

static void channel_counter_name(const struct zone_channel *ch, char *buf,
				 size_t size)
{
	if (nftc_name_is_plain(zone_channel_name(ch)))
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
	nft_rb_ct_mark_set(rb, channel_mark(c, ch));
	nft_rb_verdict(rb, NF_ACCEPT, NULL);
	nftc_origin(&o, zone_channel_line(ch), "channel %s",
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
	uint32_t tag = zone_verdict_mark(c->model, v);
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
		ret = nftc_tag_note(c, tag, s, d);
		if (ret < 0) {
			nft_rb_free(rb);
			return ret;
		}
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
	nftc_origin(&o, zone_narrow_line(n), "%s", comment);
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
	uint32_t tag = zone_verdict_mark(c->model, v);
	size_t i;
	size_t k;
	int f;
	int ret;

	ret = nftc_tag_note(c, tag, s, d);
	if (ret < 0)
		return ret;
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

int nftc_pair(struct compile *c, uint32_t s, uint32_t d)
{
	char chain[NFT_NAME_LEN];
	struct zone_verdict v;
	struct nft_origin o;
	size_t i;
	int ret;

	c->pair[s][d] = -1;
	if (!pair_verdict(c, s, d, &v))
		return 0;
	/*
	 * The marks of this pair are zone_verdict_mark() of this verdict,
	 * whose ends must be the pair's: the watcher computes a live flow's
	 * mark from the segments of its addresses.
	 */
	if (zone_verdict_end_index(c->model, v.src) != s ||
	    zone_verdict_end_index(c->model, v.dst) != d)
		return -EINVAL;
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
		    id_of(zone_channel_to(ch)) != d)
			continue;
		/*
		 * An expired channel admits nothing new, but the flows it
		 * admitted stay bound to their interfaces until they are cut.
		 */
		ret = nftc_tag_note(c, channel_mark(c, ch), s, d);
		if (ret < 0)
			return ret;
		if (zone_channel_expired(ch, c->rs->now))
			continue;
		ret = compile_channel(c, ch, chain);
		if (ret < 0)
			return ret;
	}
	return pair_matrix_rules(c, chain, s, d, &v, &o);
}

int nftc_channel_counters(struct compile *c)
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
		nftc_origin(&o, zone_channel_line(ch), "channel %s",
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
 * seg_<id>, jumped to from zone4/zone6 twice per new flow: with the
 * source address it records the segment in the ct mark and returns; with
 * the destination address it dispatches on that mark to the pair chain.
 */
int nftc_seg_chain(struct compile *c, uint32_t d)
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
	nftc_origin(&o, 0, "chain %s", name);
	rb = nft_rb_new(c->rs, name);
	if (!rb)
		return -ENOMEM;
	nft_rb_ct_mark_eq(rb, scratch_mark(NFT_SCRATCH_UNSET));
	nft_rb_ct_mark_set(rb, scratch_mark(d));
	nft_rb_verdict(rb, NFT_RETURN, NULL);
	ret = nft_rb_commit(rb, &o, NULL);
	if (ret == 0)
		ret = nftc_egress_rule(c, d, name, &o);
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


/*
 * nftc_tag_note - record that flows of @s -> @d may carry @mark, for the
 * binding of their established packets (nft_compile_edge.c)
 */
int nftc_tag_note(struct compile *c, uint32_t mark, uint32_t s, uint32_t d)
{
	size_t i;

	for (i = 0; i < c->n_tags; i++) {
		if (c->tags[i].mark == mark)
			return 0;
	}
	if (nft_plan_grow(&c->tags, &c->cap_tags, c->n_tags, sizeof(*c->tags)))
		return -ENOMEM;
	c->tags[c->n_tags].mark = mark;
	c->tags[c->n_tags].src = s;
	c->tags[c->n_tags++].dst = d;
	return 0;
}
