// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Breakout by name: the daemon's side (resolver.h).
 *
 * Each name of a channel's to_names is asked for A and AAAA records with
 * glibc's res_nquery(3), which reads /etc/resolv.conf like every other
 * program on the gateway and, unlike getaddrinfo(3), gives the answer
 * itself, so the TTL is known (ns_initparse(3), ns_parserr(3)).  The
 * TTL, bounded by names.ttl_min and names.ttl_max, is the timeout of the
 * addresses' kernel set elements: when zoned stops refreshing them, for
 * whatever reason, they age out and the breakout closes (fail closed).
 *
 * res_nquery() blocks.  Rather than a resolver of its own, zoned keeps
 * the blocking bounded: one private resolver state with a 1 s timeout
 * and a single try per server, and at most RESOLVE_BUDGET names per
 * one-second tick, stopping early once a tick has used RESOLVE_TICK_MS.
 * A name whose server answers takes milliseconds; a dead server costs at
 * most a second per query and server, during which the kernel enforces
 * the policy as always and only alerts and zonectl wait.  A name is
 * refreshed at three quarters of its TTL (at least two seconds before
 * it expires), so a slow tick does not let a live name lapse.
 */

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zone/model.h>
#include <zone/names.h>
#include <zone/ruleset.h>

#include "alert.h"
#include "ctlout.h"
#include "json.h"
#include "ctlmsg.h"
#include "log.h"
#include "loop.h"
#include "monotime.h"
#include "resolver.h"
#include "textesc.h"
#include "zoned.h"

#define RESOLVE_BUDGET 4 /* names per tick */
#define RESOLVE_TICK_MS 1000 /* stop a tick's work after this long */
#define RESOLVE_START_MS 10000 /* the bound of the first round at start */
#define RESOLVE_RETRY_MAX 30 /* seconds between tries of a failing name */
#define ANSWER_MAX 8192

/* What zoned knows of one name beyond the model's record. */
struct rname {
	char chan[64];
	char fqdn[ZONE_NAME_LEN + 1];
	time_t due; /* next resolution, CLOCK_MONOTONIC seconds */
	time_t last_ok; /* last answer with addresses, or 0 */
	unsigned int ttl; /* the bounded TTL of that answer */
	bool failing; /* name-unresolved was raised */
	bool kernel_failing; /* the last kernel write failed */
	char why[32]; /* why the last try failed */
};

struct resolver {
	int tfd;
	struct rname *names;
	size_t n;
};

/*
 * Refreshes are scheduled on the monotonic clock: a wall clock stepped
 * back must not postpone them past the kernel's timeouts.
 */
static time_t mono_s(void)
{
	return (time_t)(mono_ns() / 1000000000);
}

/* a monotonic instant as wall-clock time, for zonectl */
static time_t mono_to_wall(time_t t)
{
	return time(NULL) + (t - mono_s());
}

/* the channel and index in z->model of @r, false when gone */
static bool rname_find(const struct zoned *z, const struct rname *r,
		       size_t *ret_chan, size_t *ret_name)
{
	const struct zone_model *m = z->model;
	size_t i;
	size_t k;

	for (i = 0; m && i < zone_model_channel_count(m); i++) {
		const struct zone_channel *ch = zone_model_channel(m, i);

		if (strcmp(zone_channel_name(ch), r->chan) != 0)
			continue;
		for (k = 0; k < zone_channel_name_count(ch); k++) {
			if (strcmp(zone_channel_fqdn(ch, k), r->fqdn) == 0) {
				*ret_chan = i;
				*ret_name = k;
				return true;
			}
		}
	}
	return false;
}

/*
 * One query; appends the addresses of type @type to @v and lowers
 * *@ttl to the smallest TTL of the answer.  Returns the addresses found,
 * or -1 with the resolver's h_errno in *@herr.
 */
static int query(res_state st, const char *fqdn, int type, struct zone_addr *v,
		 size_t *n, uint32_t *ttl, int *herr)
{
	unsigned char buf[ANSWER_MAX];
	char abs[ZONE_NAME_LEN + 2];
	ns_msg msg;
	ns_rr rr;
	int found = 0;
	int len;
	int i;

	/* absolute: no search list, no surprise from the domain setting */
	snprintf(abs, sizeof(abs), "%s.", fqdn);
	len = res_nquery(st, abs, ns_c_in, type, buf, sizeof(buf));
	if (len < 0) {
		*herr = st->res_h_errno;
		return -1;
	}
	if (ns_initparse(buf, len, &msg) < 0) {
		*herr = NO_RECOVERY;
		return -1;
	}
	for (i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
		size_t alen = type == ns_t_a ? 4 : 16;

		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0)
			break;
		/* a CNAME on the way counts: its TTL bounds the answer too */
		if (ns_rr_ttl(rr) < *ttl)
			*ttl = ns_rr_ttl(rr);
		if ((int)ns_rr_type(rr) != type || ns_rr_class(rr) != ns_c_in ||
		    ns_rr_rdlen(rr) != alen || *n >= ZONE_NAMES_ADDRS_MAX * 2)
			continue;
		v[*n].family = type == ns_t_a ? AF_INET : AF_INET6;
		memset(v[*n].bytes, 0, sizeof(v[*n].bytes));
		memcpy(v[*n].bytes, ns_rr_rdata(rr), alen);
		(*n)++;
		found++;
	}
	if (!found)
		*herr = NO_DATA;
	return found;
}

static const char *herr_name(int herr)
{
	switch (herr) {
	case HOST_NOT_FOUND:
		return "nxdomain";
	case NO_DATA:
		return "no-address";
	case TRY_AGAIN:
		return "no-answer";
	default:
		return "refused";
	}
}

static unsigned int retry_delay(unsigned int ttl_min)
{
	unsigned int d = ttl_min / 2;

	return d < 2 ? 2 : d > RESOLVE_RETRY_MAX ? RESOLVE_RETRY_MAX : d;
}

/* the latest expiry of what the kernel still holds for a name */
static time_t name_expiry(const struct zone_channel *ch, size_t k, time_t now)
{
	const struct zone_name_addr *a;
	size_t n = zone_channel_fqdn_addrs(ch, k, &a);
	time_t last = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (a[i].expires > now && a[i].expires > last)
			last = a[i].expires;
	}
	return last;
}

static void name_failed(struct zoned *z, struct rname *r, size_t ci, size_t ni,
			const char *why, time_t now)
{
	const struct zone_channel *ch = zone_model_channel(z->model, ci);
	unsigned int lo;
	unsigned int hi;
	time_t until = name_expiry(ch, ni, now);
	char when[32];

	zone_model_names_ttl(z->model, &lo, &hi);
	r->due = mono_s() + retry_delay(lo);
	snprintf(r->why, sizeof(r->why), "%s", why);
	if (r->failing)
		return;
	r->failing = true;
	log_warnx(
		"channel %s: %s does not resolve (%s); its addresses age out%s%s",
		r->chan, r->fqdn, why, until ? " at " : "",
		until ? ctl_time(until, when, sizeof(when)) : "");
	alert_emit(z->alerts, ALERT_NAME_UNRESOLVED, "channel", r->chan, "name",
		   r->fqdn, "reason", why, "expires",
		   until ? ctl_time(until, when, sizeof(when)) : NULL, NULL);
}

/* Resolve one name, write the kernel, then the model. */
static void resolve_one(struct zoned *z, struct __res_state *st,
			struct rname *r, time_t now)
{
	struct zone_addr v[ZONE_NAMES_ADDRS_MAX * 2];
	const struct zone_channel *ch;
	uint32_t ttl = UINT32_MAX;
	unsigned int lo;
	unsigned int hi;
	unsigned int t;
	size_t n = 0;
	size_t ci;
	size_t ni;
	int herr4 = 0;
	int herr6 = 0;
	int ret;

	if (!rname_find(z, r, &ci, &ni))
		return;
	ch = zone_model_channel(z->model, ci);
	query(st, r->fqdn, ns_t_a, v, &n, &ttl, &herr4);
	query(st, r->fqdn, ns_t_aaaa, v, &n, &ttl, &herr6);
	if (n == 0) {
		/* the worse of the two reasons: no answer beats no record */
		name_failed(z, r, ci, ni,
			    herr_name(herr6 == TRY_AGAIN ? herr6 : herr4), now);
		return;
	}
	zone_model_names_ttl(z->model, &lo, &hi);
	t = ttl < lo ? lo : ttl > hi ? hi : (unsigned int)ttl;
	ret = zone_nft_names_refresh(z->nft, ch, v, n, t);
	if (ret < 0) {
		if (!r->kernel_failing)
			log_warnx(
				"channel %s: cannot put the addresses of %s into the kernel: %s",
				r->chan, r->fqdn, strerror(-ret));
		r->kernel_failing = true;
		r->due = mono_s() + retry_delay(lo);
		return;
	}
	r->kernel_failing = false;
	/* a second past the kernel's: the verdict never calls a flow the
	 * kernel let in a violation */
	if (zone_model_fqdn_update(z->model, ci, ni, v, n, now + t + 1, now) <
	    0)
		log_warnx("channel %s: out of memory recording %s", r->chan,
			  r->fqdn);
	r->ttl = t;
	r->last_ok = now;
	r->why[0] = '\0';
	/* three quarters of the TTL, and at least two seconds early */
	r->due = mono_s() + (t * 3 / 4 < t - 2 ? t * 3 / 4 : t - 2);
	log_debug("channel %s: %s: %zu addresses for %u s", r->chan, r->fqdn, n,
		  t);
	if (r->failing) {
		r->failing = false;
		log_info("channel %s: %s resolves again", r->chan, r->fqdn);
		alert_emit(z->alerts, ALERT_NAME_RESOLVED, "channel", r->chan,
			   "name", r->fqdn, NULL);
	}
}

/* the due name with the earliest time, or NULL */
static struct rname *next_due(struct resolver *rv, time_t now)
{
	struct rname *best = NULL;
	size_t i;

	for (i = 0; i < rv->n; i++) {
		if (rv->names[i].due <= now &&
		    (!best || rv->names[i].due < best->due))
			best = &rv->names[i];
	}
	return best;
}

/* Resolve due names until @budget names or @ms milliseconds are used. */
static void resolve_due(struct zoned *z, size_t budget, uint64_t ms)
{
	struct resolver *rv = z->resolver;
	struct __res_state st;
	uint64_t start = mono_ms();
	time_t now = time(NULL);
	struct rname *r;
	size_t done = 0;

	if (!rv || !z->model || !next_due(rv, mono_s()))
		return;
	/* read /etc/resolv.conf again: it may have changed */
	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) < 0) {
		log_warnx("cannot read the resolver configuration");
		return;
	}
	st.retrans = 1;
	st.retry = 1;
	while (done < budget && mono_ms() - start < ms &&
	       (r = next_due(rv, mono_s())) != NULL) {
		resolve_one(z, &st, r, now);
		done++;
		now = time(NULL);
	}
	res_nclose(&st);
}

static void on_resolve_tick(struct zoned *z, int fd, uint32_t events, void *arg)
{
	(void)events;
	(void)arg;
	if (loop_timer_read(fd) <= 0)
		return;
	resolve_due(z, RESOLVE_BUDGET, RESOLVE_TICK_MS);
}

/* the name @fqdn of channel @chan in the list of @rv, or NULL */
static const struct rname *rname_known(const struct resolver *rv,
				       const char *chan, const char *fqdn)
{
	size_t i;

	for (i = 0; rv && i < rv->n; i++) {
		if (strcmp(rv->names[i].chan, chan) == 0 &&
		    strcmp(rv->names[i].fqdn, fqdn) == 0)
			return &rv->names[i];
	}
	return NULL;
}

/* the names of z->model, keeping what the old list knew of each */
static int rebuild(struct zoned *z, time_t due)
{
	struct resolver *rv = z->resolver;
	const struct zone_model *m = z->model;
	size_t total = zone_model_name_total(m);
	const struct rname *old;
	struct rname *v;
	size_t n = 0;
	size_t i;
	size_t k;

	v = calloc(total + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < zone_model_channel_count(m); i++) {
		const struct zone_channel *ch = zone_model_channel(m, i);

		for (k = 0; k < zone_channel_name_count(ch); k++) {
			struct rname *r = &v[n++];

			snprintf(r->chan, sizeof(r->chan), "%s",
				 zone_channel_name(ch));
			snprintf(r->fqdn, sizeof(r->fqdn), "%s",
				 zone_channel_fqdn(ch, k));
			old = rname_known(rv, r->chan, r->fqdn);
			if (old)
				*r = *old;
			r->due = due;
		}
	}
	free(rv->names);
	rv->names = v;
	rv->n = n;
	return 0;
}

int resolver_open(struct zoned *z)
{
	int ret;

	z->resolver = calloc(1, sizeof(*z->resolver));
	if (!z->resolver)
		return -ENOMEM;
	z->resolver->tfd = -1;
	ret = rebuild(z, mono_s());
	if (ret < 0)
		return ret;
	resolve_due(z, SIZE_MAX, RESOLVE_START_MS);
	z->resolver->tfd = loop_timer_every(z, 1000, on_resolve_tick, NULL);
	return z->resolver->tfd < 0 ? z->resolver->tfd : 0;
}

void resolver_close(struct zoned *z)
{
	if (!z->resolver)
		return;
	loop_timer_del(z, z->resolver->tfd);
	free(z->resolver->names);
	free(z->resolver);
	z->resolver = NULL;
}

/*
 * The addresses of the old model's channel @ch that no name of the same
 * channel of @model has any more: a name left to_names, and its addresses
 * go now, not when their timeout passes.
 */
static void drop_stale(struct zoned *z, const struct zone_model *model,
		       const struct zone_channel *ch, time_t now)
{
	struct zone_addr v[ZONE_NAMES_ADDRS_MAX * 2];
	const struct zone_channel *nc = NULL;
	const struct zone_name_addr *a;
	size_t n = 0;
	size_t i;
	size_t k;
	size_t j;
	int ret;

	for (i = 0; i < zone_model_channel_count(model); i++) {
		nc = zone_model_channel(model, i);
		if (strcmp(zone_channel_name(nc), zone_channel_name(ch)) == 0)
			break;
		nc = NULL;
	}
	/* a channel that is gone takes its sets with it */
	if (!nc || !zone_channel_name_count(nc))
		return;
	for (k = 0; k < zone_channel_name_count(ch); k++) {
		size_t m = zone_channel_fqdn_addrs(ch, k, &a);

		for (j = 0; j < m && n < ZONE_NAMES_ADDRS_MAX * 2; j++) {
			if (a[j].expires > now &&
			    !zone_channel_fqdn_match(nc, &a[j].addr, now))
				v[n++] = a[j].addr;
		}
	}
	ret = zone_nft_names_remove(z->nft, nc, v, n);
	if (ret < 0)
		log_warnx(
			"channel %s: cannot remove the addresses of names no longer listed: %s; they age out",
			zone_channel_name(ch), strerror(-ret));
}

void resolver_carry(struct zoned *z, struct zone_model *model)
{
	time_t now = time(NULL);
	size_t i;

	if (!z->model || model == z->model)
		return;
	if (zone_model_fqdn_carry(model, z->model) < 0)
		log_warnx(
			"out of memory keeping the resolved names; they are asked again");
	for (i = 0; i < zone_model_channel_count(z->model); i++) {
		const struct zone_channel *ch = zone_model_channel(z->model, i);

		if (zone_channel_name_count(ch))
			drop_stale(z, model, ch, now);
	}
}

void resolver_applied(struct zoned *z)
{
	/* the sets may be new: every name is put in again at the next tick */
	if (z->resolver && rebuild(z, mono_s()) < 0)
		log_warnx("out of memory listing the names to resolve");
}

/* ---- zonectl ---- */

/* One name of a channel as zonectl shows it, gathered once for both forms. */
struct name_view {
	const char *chan;
	const char *fqdn;
	const struct rname *r; /* what the resolver knows, or NULL */
	const struct zone_name_addr *a; /* the addresses in the set */
	size_t n;
};

static void name_get(const struct zoned *z, const struct zone_channel *ch,
		     size_t k, struct name_view *nv)
{
	nv->chan = zone_channel_name(ch);
	nv->fqdn = zone_channel_fqdn(ch, k);
	nv->r = rname_known(z->resolver, nv->chan, nv->fqdn);
	nv->n = zone_channel_fqdn_addrs(ch, k, &nv->a);
}

static void name_text(const struct name_view *nv, time_t now, struct ctl_out *o)
{
	const struct rname *r = nv->r;
	char buf[ZONE_PREFIX_STRLEN];
	char when[32];
	size_t i;

	fprintf(o->out, "    %s: ", nv->fqdn);
	if (r && r->failing)
		fprintf(o->out, "does not resolve (%s)", r->why);
	else if (r && r->last_ok)
		fprintf(o->out, "resolved %s, ttl %u s",
			ctl_time(r->last_ok, when, sizeof(when)), r->ttl);
	else
		fputs("not resolved yet", o->out);
	if (r && r->due)
		fprintf(o->out, ", next %s",
			ctl_time(mono_to_wall(r->due), when, sizeof(when)));
	fputc('\n', o->out);
	for (i = 0; i < nv->n; i++) {
		if (nv->a[i].expires <= now)
			continue;
		fprintf(o->out, "      %s until %s\n",
			zone_addr_format(&nv->a[i].addr, buf, sizeof(buf)),
			ctl_time(nv->a[i].expires, when, sizeof(when)));
	}
}

static void name_json(const struct name_view *nv, time_t now, struct json *j)
{
	const struct rname *r = nv->r;
	char buf[ZONE_PREFIX_STRLEN];
	char when[32];
	size_t i;

	json_object(j, NULL);
	json_string(j, "channel", nv->chan);
	json_string(j, "name", nv->fqdn);
	json_string(j, "state",
		    r && r->failing ? "unresolved" :
		    r && r->last_ok ? "resolved" :
				      "pending");
	json_string(j, "reason", r && r->failing ? r->why : NULL);
	json_string(j, "resolved",
		    r && r->last_ok ? ctl_time(r->last_ok, when, sizeof(when)) :
				      NULL);
	json_uint(j, "ttl", r ? r->ttl : 0);
	json_string(j, "next",
		    r && r->due ? ctl_time(mono_to_wall(r->due), when,
					   sizeof(when)) :
				  NULL);
	json_array(j, "addresses");
	for (i = 0; i < nv->n; i++) {
		if (nv->a[i].expires <= now)
			continue;
		json_object(j, NULL);
		json_string(j, "addr",
			    zone_addr_format(&nv->a[i].addr, buf, sizeof(buf)));
		json_string(j, "expires",
			    ctl_time(nv->a[i].expires, when, sizeof(when)));
		json_end(j);
	}
	json_end(j);
	json_end(j);
}

void resolver_print(struct zoned *z, struct ctl_out *o)
{
	const struct zone_model *m = z->model;
	time_t now = time(NULL);
	struct name_view nv;
	size_t i;
	size_t k;

	if (o->json)
		json_array(&o->j, "names");
	else if (zone_model_name_total(m))
		fputs("breakout by name:\n", o->out);
	for (i = 0; i < zone_model_channel_count(m); i++) {
		const struct zone_channel *ch = zone_model_channel(m, i);

		if (!zone_channel_name_count(ch))
			continue;
		if (!o->json)
			fprintf(o->out, "  %s:\n", zone_channel_name(ch));
		for (k = 0; k < zone_channel_name_count(ch); k++) {
			name_get(z, ch, k, &nv);
			if (o->json)
				name_json(&nv, now, &o->j);
			else
				name_text(&nv, now, o);
		}
	}
	if (o->json)
		json_end(&o->j);
}

void resolver_explain(struct zoned *z, const struct zone_channel *ch,
		      const struct zone_addr *dst, time_t at, struct ctl_out *o)
{
	const char *name;

	(void)z;
	if (!ch || !zone_channel_name_count(ch))
		return;
	name = zone_channel_fqdn_match(ch, dst, at);
	if (o->json) {
		json_string(&o->j, "name", name);
		return;
	}
	if (name)
		fprintf(o->out, "name:     %s (an address it resolved to)\n",
			name);
}
