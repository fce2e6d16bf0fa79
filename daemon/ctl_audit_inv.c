/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The part of zonectl audit that judges the model again: the hard
 * invariant over addresses that stand for each segment, and the allowed
 * cells towards an attachment that no narrow entry names.
 */
#include <netinet/in.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zone/addr.h>
#include <zone/model.h>
#include <zone/verdict.h>

#include "ctl_audit.h"
#include "ctlcmd.h"
#include "zoned.h"

static bool role_internet_side(enum zone_role r)
{
	return r == ZONE_ROLE_INTERNET_TIER || r == ZONE_ROLE_INTERNET ||
	       r == ZONE_ROLE_SECURITY_CLOUD;
}

/* the resident tier and its gov-cloud extension */
static bool role_resident_side(enum zone_role r)
{
	return r == ZONE_ROLE_RESIDENT || r == ZONE_ROLE_GOV_CLOUD;
}

#define AUDIT_ADDRS_MAX 64

/*
 * Addresses that stand for @seg: the first address of each of its
 * networks; for the catch-all, which has none, the first of a few
 * documentation and well-known addresses that it owns in this model.
 */
static size_t audit_addrs(const struct zone_model *m,
			  const struct zone_segment *seg, struct zone_addr *out)
{
	static const char *const probes[] = {
		"203.0.113.1",
		"198.51.100.1",
		"192.0.2.1",
		"8.8.8.8",
		"1.1.1.1",
		"2001:db8::1",
		"2001:4860:4860::8888",
	};
	size_t n = 0;
	size_t i;

	for (i = 0; i < zone_segment_network_count(seg) && n < AUDIT_ADDRS_MAX;
	     i++)
		out[n++] = zone_segment_network(seg, i)->addr;
	if (n || zone_model_catchall(m) != seg)
		return n;
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		struct zone_addr a;

		if (zone_addr_parse(probes[i], &a) == 0 &&
		    zone_classify(m, &a) == seg)
			out[n++] = a;
	}
	return n;
}

/*
 * Judge @f (its addresses filled in) for every pair of addresses of one
 * family standing for @s and @d, at @now, until @judged returns false.
 * Returns the number of pairs judged.
 */
static size_t
audit_judge(const struct zone_model *m, const struct zone_segment *s,
	    const struct zone_segment *d, struct zone_flow *f, time_t now,
	    bool (*judged)(const struct zone_verdict *v, void *arg), void *arg)
{
	struct zone_addr as[AUDIT_ADDRS_MAX];
	struct zone_addr ad[AUDIT_ADDRS_MAX];
	struct zone_verdict v;
	size_t ns = audit_addrs(m, s, as);
	size_t nd = audit_addrs(m, d, ad);
	size_t n = 0;
	size_t i;
	size_t j;

	for (i = 0; i < ns; i++) {
		for (j = 0; j < nd; j++) {
			if (as[i].family != ad[j].family)
				continue;
			f->src = as[i];
			f->dst = ad[j];
			zone_verdict(m, f, now, &v);
			n++;
			if (!judged(&v, arg))
				return n;
		}
	}
	return n;
}

struct audit_pair {
	const struct zone_segment *s;
	const struct zone_segment *d;
	FILE *problems;
};

static bool audit_pair_judged(const struct zone_verdict *v, void *arg)
{
	struct audit_pair *p = arg;

	if (v->action == ZONE_ACTION_DENY &&
	    v->rule == ZONE_RULE_HARD_INVARIANT)
		return true;
	fprintf(p->problems, "%s -> %s judged %s by %s\n",
		zone_segment_name(p->s), zone_segment_name(p->d),
		v->action == ZONE_ACTION_ALLOW ? "allow" : "deny",
		zone_rule_name(v->rule));
	return true;
}

/*
 * Every pair of addresses standing for @s and @d must be denied by the
 * hard invariant.  Returns the number of pairs judged.
 */
static size_t audit_pair(struct audit *a, const struct zone_segment *s,
			 const struct zone_segment *d, FILE *problems)
{
	struct zone_flow f = { .proto = IPPROTO_TCP, .dport = 443 };
	struct audit_pair p = { .s = s, .d = d, .problems = problems };

	return audit_judge(a->z->model, s, d, &f, a->now, audit_pair_judged,
			   &p);
}

/* A channel whose ends straddle the invariant must not exist. */
static void audit_channels_invariant(struct audit *a, FILE *problems)
{
	const struct zone_model *m = a->z->model;
	size_t i;

	for (i = 0; i < zone_model_channel_count(m); i++) {
		const struct zone_channel *ch = zone_model_channel(m, i);
		enum zone_role f = zone_segment_role(zone_channel_from(ch));
		enum zone_role t = zone_segment_role(zone_channel_to(ch));

		if ((role_resident_side(f) && role_internet_side(t)) ||
		    (role_resident_side(t) && role_internet_side(f)))
			fprintf(problems,
				"channel %s crosses the hard "
				"invariant\n",
				zone_channel_name(ch));
	}
}

/*
 * The hard invariant (resident never meets the internet side), judged by
 * the same verdict function the kernel plan is compiled from, for every
 * pair of networks in both directions.
 */
/**
 * audit_invariant - the hard invariant judged again in user space: no
 * address of the resident side may reach one of the internet side, or
 * back, by any rule or channel (see audit.h)
 */
void audit_invariant(struct audit *a)
{
	const struct zone_model *m = a->z->model;
	size_t n = zone_model_segment_count(m);
	struct ctl_out *o = a->o;
	char *text = NULL;
	size_t len = 0;
	size_t pairs = 0;
	FILE *problems;
	size_t i;
	size_t j;

	problems = open_memstream(&text, &len);
	if (!problems) {
		ctl_fail(o, "audit: %s", strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		const struct zone_segment *s = zone_model_segment(m, i);

		for (j = 0; j < n; j++) {
			const struct zone_segment *d = zone_model_segment(m, j);
			enum zone_role rs = zone_segment_role(s);
			enum zone_role rd = zone_segment_role(d);

			if (!(role_resident_side(rs) &&
			      role_internet_side(rd)) &&
			    !(role_resident_side(rd) &&
			      role_internet_side(rs)))
				continue;
			pairs += audit_pair(a, s, d, problems);
		}
	}
	audit_channels_invariant(a, problems);
	fclose(problems);
	if (len)
		a->ok = false;
	if (o->json) {
		char *line;
		char *save = NULL;

		json_object(&o->j, "hard_invariant");
		json_bool(&o->j, "ok", len == 0);
		json_uint(&o->j, "pairs_judged", pairs);
		json_array(&o->j, "problems");
		for (line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			json_string(&o->j, NULL, line);
		json_end(&o->j);
		json_end(&o->j);
	} else {
		fprintf(o->out,
			"hard invariant: %s (%zu address pairs "
			"judged)\n",
			len ? "PROBLEM" : "holds", pairs);
		if (len)
			fprintf(o->out, "%s", text);
	}
	free(text);
}

/* the first pair judged decides: the rule, if it is one of the edges' */
static bool audit_edge_judged(const struct zone_verdict *v, void *arg)
{
	enum zone_rule *rule = arg;

	*rule = v->rule;
	return false;
}

/* An allowed cell towards an attachment that no narrow entry names. */
bool audit_unnarrowed(const struct zone_model *m,
			     const struct zone_segment *s,
			     const struct zone_segment *d,
			     enum zone_rule *ret_rule)
{
	struct zone_flow f = { 0 };
	enum zone_rule rule;

	if (s == d || zone_segment_is_zone(d) ||
	    zone_model_cell_narrowed(m, s, d))
		return false;
	if (audit_judge(m, s, d, &f, time(NULL), audit_edge_judged, &rule) == 0)
		return false;
	if (rule != ZONE_RULE_LGWAN_WAN && rule != ZONE_RULE_SECURE_EGRESS)
		return false;
	*ret_rule = rule;
	return true;
}
