/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Judging one conntrack entry: decode the forwarded direction, ask the
 * verdict of the model in force, and raise violation / flow-start /
 * flow-end.  Every path here runs for every NEW and DESTROY event, so it
 * allocates nothing and logs only on failure.
 */
#include <sys/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include <zone/mark.h>
#include <zone/model.h>
#include <zone/proto.h>
#include <zone/verdict.h>

#include "alert.h"
#include "ctwatch_priv.h"
#include "log.h"
#include "monotime.h"
#include "stats.h"
#include "zoned.h"

/*
 * How stale the list of the gateway's own addresses may get when no
 * address notifications arrive (ctwatch.c subscribes to them).
 */
#define CT_LOCAL_REFRESH_MS 1000

static void ct_addr_get(const struct nf_conntrack *ct, int l3, int attr4,
			int attr6, struct zone_addr *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (l3 == AF_INET) {
		uint32_t a = nfct_get_attr_u32(ct, attr4);

		ret->family = AF_INET;
		memcpy(ret->bytes, &a, 4);
	} else {
		ret->family = AF_INET6;
		memcpy(ret->bytes, nfct_get_attr(ct, attr6), 16);
	}
}

/**
 * ct_decode - the forwarded direction of a conntrack entry
 *
 * The source is the original source; the destination is where the
 * gateway really sent the flow, i.e. the reply's source, so that a DNATed
 * flow is judged by its real destination as the forward chain judges it.
 * Returns 0, or -EINVAL for a family the watcher does not judge or an
 * entry without its original addresses.
 */
int ct_decode(const struct nf_conntrack *ct, struct ct_flow *ret)
{
	int l3 = nfct_get_attr_u8(ct, ATTR_ORIG_L3PROTO);
	bool repl;

	if (l3 != AF_INET && l3 != AF_INET6)
		return -EINVAL;
	/* the kernel always sends the original tuple; judge nothing less */
	if (nfct_attr_is_set(ct, l3 == AF_INET ? ATTR_ORIG_IPV4_SRC :
						 ATTR_ORIG_IPV6_SRC) <= 0 ||
	    nfct_attr_is_set(ct, l3 == AF_INET ? ATTR_ORIG_IPV4_DST :
						 ATTR_ORIG_IPV6_DST) <= 0)
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	repl = nfct_attr_is_set(ct, l3 == AF_INET ? ATTR_REPL_IPV4_SRC :
						    ATTR_REPL_IPV6_SRC) > 0;
	ct_addr_get(ct, l3, ATTR_ORIG_IPV4_SRC, ATTR_ORIG_IPV6_SRC,
		    &ret->f.src);
	if (repl)
		ct_addr_get(ct, l3, ATTR_REPL_IPV4_SRC, ATTR_REPL_IPV6_SRC,
			    &ret->f.dst);
	else
		ct_addr_get(ct, l3, ATTR_ORIG_IPV4_DST, ATTR_ORIG_IPV6_DST,
			    &ret->f.dst);
	ret->f.proto = nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO);
	ret->has_ports = zone_proto_has_ports(ret->f.proto);
	if (ret->has_ports) {
		ret->sport = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_SRC));
		ret->f.dport = ntohs(nfct_get_attr_u16(ct, repl ?
					ATTR_REPL_PORT_SRC : ATTR_ORIG_PORT_DST));
	}
	ret->id = nfct_get_attr_u32(ct, ATTR_ID);
	ret->mark = nfct_get_attr_u32(ct, ATTR_MARK);
	ret->packets = nfct_get_attr_u64(ct, ATTR_ORIG_COUNTER_PACKETS) +
		       nfct_get_attr_u64(ct, ATTR_REPL_COUNTER_PACKETS);
	ret->bytes = nfct_get_attr_u64(ct, ATTR_ORIG_COUNTER_BYTES) +
		     nfct_get_attr_u64(ct, ATTR_REPL_COUNTER_BYTES);
	return 0;
}

/**
 * ct_local_refresh - read the gateway's own addresses again
 *
 * Flows to or from the gateway itself never cross its forward chain, so
 * they are not the matrix's business (a host reaching the gateway's
 * address on another segment's interface is not a cross-segment flow).
 */
void ct_local_refresh(struct ctwatch *cw)
{
	struct ifaddrs *ifa, *i;
	struct zone_addr *list;
	size_t n = 0;

	clock_gettime(CLOCK_MONOTONIC, &cw->local_at);
	if (getifaddrs(&ifa) < 0) {
		log_warn("getifaddrs, ignoring");
		return;
	}
	for (i = ifa; i; i = i->ifa_next)
		n++;
	list = calloc(n ? n : 1, sizeof(*list));
	if (!list) {
		freeifaddrs(ifa);
		return;
	}
	n = 0;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			const struct sockaddr_in *s = (const void *)i->ifa_addr;

			list[n].family = AF_INET;
			memcpy(list[n++].bytes, &s->sin_addr, 4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			const struct sockaddr_in6 *s = (const void *)i->ifa_addr;

			list[n].family = AF_INET6;
			memcpy(list[n++].bytes, &s->sin6_addr, 16);
		}
	}
	freeifaddrs(ifa);
	free(cw->local);
	cw->local = list;
	cw->n_local = n;
}

/*
 * Loopback, multicast, limited broadcast and IPv6 link-local traffic is
 * never forwarded: a host's mDNS or DHCP flow to the gateway is not a
 * cross-segment flow, whatever segment the catch-all gives the group.
 */
static bool addr_never_forwarded(const struct zone_addr *a)
{
	static const uint8_t bcast[4] = { 255, 255, 255, 255 };

	if (a->family == AF_INET)
		return a->bytes[0] == 127 || (a->bytes[0] & 0xf0) == 0xe0 ||
		       memcmp(a->bytes, bcast, 4) == 0;
	return a->bytes[0] == 0xff ||
	       (a->bytes[0] == 0xfe && (a->bytes[1] & 0xc0) == 0x80);
}

static bool addr_is_local(const struct ctwatch *cw, const struct zone_addr *a)
{
	size_t i;

	if (addr_never_forwarded(a))
		return true;
	for (i = 0; i < cw->n_local; i++)
		if (memcmp(&cw->local[i], a, sizeof(*a)) == 0)
			return true;
	return false;
}

/* One of the gateway's own addresses (loopback included). */
static bool addr_is_gateway(struct ctwatch *cw, const struct zone_addr *a)
{
	static const uint8_t lo6[16] = { [15] = 1 };
	size_t i;

	if (a->family == AF_INET ? a->bytes[0] == 127 :
				   memcmp(a->bytes, lo6, 16) == 0)
		return true;
	for (i = 0; i < cw->n_local; i++)
		if (memcmp(&cw->local[i], a, sizeof(*a)) == 0)
			return true;
	return false;
}

/**
 * ct_path - where a flow meets the gateway, for the verdict
 * @cw: the watcher (its list of the gateway's own addresses)
 * @fl: the flow
 * @ret: ZONE_PATH_FORWARD, _INPUT (to the gateway) or _OUTPUT (from it)
 *
 * Returns false for a flow no rule of zoned judges: the gateway talking
 * to itself, and multicast, broadcast or link-local traffic, which is
 * never forwarded (a host's mDNS or DHCP is not a cross-segment flow,
 * whatever segment the catch-all gives the group).
 */
bool ct_path(struct ctwatch *cw, const struct ct_flow *fl,
	     enum zone_path *ret)
{
	bool s;
	bool d;

	if (!cw->rt_registered &&
	    mono_ms_since(&cw->local_at) > CT_LOCAL_REFRESH_MS)
		ct_local_refresh(cw);
	if (addr_never_forwarded(&fl->f.src) ||
	    addr_never_forwarded(&fl->f.dst))
		return false;
	s = addr_is_gateway(cw, &fl->f.src);
	d = addr_is_gateway(cw, &fl->f.dst);
	if (s && d)
		return false;
	*ret = s ? ZONE_PATH_OUTPUT : d ? ZONE_PATH_INPUT : ZONE_PATH_FORWARD;
	return true;
}

/**
 * ct_is_local - true when one end of the flow is the gateway itself
 */
bool ct_is_local(struct ctwatch *cw, const struct ct_flow *fl)
{
	if (!cw->rt_registered &&
	    mono_ms_since(&cw->local_at) > CT_LOCAL_REFRESH_MS)
		ct_local_refresh(cw);
	return addr_is_local(cw, &fl->f.src) || addr_is_local(cw, &fl->f.dst);
}

/* --- flows told about, by conntrack id ----------------------------------- */

/**
 * ct_entry_find - the flow with conntrack id @id the watcher told about,
 * or NULL
 */
struct ct_entry *ct_entry_find(struct ctwatch *cw, uint32_t id)
{
	struct ct_entry *e;

	for (e = cw->buckets[id % CT_BUCKETS]; e; e = e->next)
		if (e->id == id)
			return e;
	return NULL;
}

/* NULL when the table is full: the flow is then judged again next time. */
static struct ct_entry *ct_entry_add(struct ctwatch *cw, uint32_t id)
{
	struct ct_entry *e;

	if (cw->n_entries >= CT_MAX_ENTRIES)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->id = id;
	e->gen = cw->gen;
	e->next = cw->buckets[id % CT_BUCKETS];
	cw->buckets[id % CT_BUCKETS] = e;
	cw->n_entries++;
	return e;
}

static void ct_entry_del(struct ctwatch *cw, uint32_t id)
{
	struct ct_entry **pp = &cw->buckets[id % CT_BUCKETS];

	for (; *pp; pp = &(*pp)->next) {
		struct ct_entry *e = *pp;

		if (e->id == id) {
			*pp = e->next;
			free(e);
			cw->n_entries--;
			return;
		}
	}
}

/**
 * ct_entries_prune - forget flows a full sweep of generation @gen did not
 * see: their DESTROY events were lost.
 */
void ct_entries_prune(struct ctwatch *cw, uint32_t gen)
{
	size_t i;

	for (i = 0; i < CT_BUCKETS; i++) {
		struct ct_entry **pp = &cw->buckets[i];

		while (*pp) {
			struct ct_entry *e = *pp;

			if (e->gen != gen) {
				*pp = e->next;
				free(e);
				cw->n_entries--;
			} else {
				pp = &e->next;
			}
		}
	}
}

/**
 * ct_entries_free - forget every flow (at close)
 */
void ct_entries_free(struct ctwatch *cw)
{
	cw->gen++;
	ct_entries_prune(cw, cw->gen);
}

/* --- alert helpers -------------------------------------------------------- */

/**
 * ct_channel_by_mark - the channel a ct mark names, or NULL
 * @buf: where a tag no channel of the model carries is spelled out
 */
const char *ct_channel_by_mark(const struct zoned *z, uint32_t mark, char *buf,
			       size_t size)
{
	uint32_t tag = mark & ZONE_MARK_PAYLOAD_MASK;
	size_t i, n;

	if ((mark & ZONE_MARK_MAGIC_MASK) != ZONE_MARK_MAGIC ||
	    (mark & ZONE_MARK_TYPE_MASK) != ZONE_MARK_T_CHANNEL)
		return NULL;
	n = zone_model_channel_count(z->model);
	for (i = 0; i < n; i++) {
		const struct zone_channel *c = zone_model_channel(z->model, i);

		if (zone_channel_tag(c) == tag)
			return zone_channel_name(c);
	}
	snprintf(buf, size, "tag-%05x", tag);
	return buf;
}

static const char *seg_name(const struct zone_segment *seg)
{
	return seg ? zone_segment_name(seg) : "-";
}

/* The zone names of a verdict's ends; the gateway itself is "gateway". */
static const char *src_name(const struct zone_verdict *v)
{
	return v->path == ZONE_PATH_OUTPUT ? "gateway" : seg_name(v->src);
}

static const char *dst_name(const struct zone_verdict *v)
{
	return v->path == ZONE_PATH_INPUT ? "gateway" : seg_name(v->dst);
}

/* The label when it says more than the name, else NULL (key left out). */
static const char *seg_label(const struct zone_segment *seg)
{
	const char *label;

	if (!seg)
		return NULL;
	label = zone_segment_label(seg);
	return strcmp(label, zone_segment_name(seg)) ? label : NULL;
}

struct ct_text {
	char src[ZONE_PREFIX_STRLEN];
	char dst[ZONE_PREFIX_STRLEN];
	char sport[8];
	char dport[8];
	char proto[8];
	const char *proto_name;
};

static void ct_text_fill(const struct ct_flow *fl, struct ct_text *t)
{
	zone_addr_format(&fl->f.src, t->src, sizeof(t->src));
	zone_addr_format(&fl->f.dst, t->dst, sizeof(t->dst));
	snprintf(t->sport, sizeof(t->sport), "%u", fl->sport);
	snprintf(t->dport, sizeof(t->dport), "%u", fl->f.dport);
	t->proto_name = zone_proto_name(fl->f.proto, t->proto, sizeof(t->proto));
}

/* --- the verdicts ---------------------------------------------------------- */

/**
 * ct_delete - delete one flow by its original tuple, zone and id
 * Returns 0 (also when it is already gone) or -errno.
 */
int ct_delete(struct ctwatch *cw, const struct nf_conntrack *ct)
{
	if (nfct_query(cw->cmd, NFCT_Q_DESTROY, ct) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/**
 * ct_remark - give a live allowed flow the mark the table in force admits
 * @want: zone_verdict_mark() of the flow's verdict
 *
 * The forward chain accepts an established packet only if its ct mark and
 * interfaces are a pair the table admits.  A flow that began before the
 * table was loaded (or while it was flushed) has no mark of zoned, and a
 * reload that numbers the segments anew leaves marks that name another
 * pair: both would be dropped although the flow is allowed.  Between the
 * commit of the new table and this update (the sweep right after it)
 * their packets are dropped; TCP retransmits them (doc/design.md 3).
 *
 * Only the original tuple, the zone and the mark are sent, so that
 * nothing else of the entry (status, timeout) is written back.  Returns
 * 0 (also when the flow is already gone) or -errno.
 */
static int ct_remark(struct ctwatch *cw, const struct nf_conntrack *ct,
		     uint32_t want)
{
	struct nf_conntrack *upd = nfct_new();
	int ret = 0;

	if (!upd)
		return -ENOMEM;
	nfct_copy(upd, ct, NFCT_CP_ORIG);
	if (nfct_attr_is_set(ct, ATTR_ZONE) > 0)
		nfct_set_attr_u16(upd, ATTR_ZONE,
				  nfct_get_attr_u16(ct, ATTR_ZONE));
	nfct_set_attr_u32(upd, ATTR_MARK, want);
	if (nfct_query(cw->cmd, NFCT_Q_UPDATE, upd) < 0 && errno != ENOENT)
		ret = -errno;
	nfct_destroy(upd);
	if (ret == 0)
		cw->n_remarked++;
	return ret;
}

/* Re-mark an allowed forwarded flow whose mark the table does not admit. */
static void ct_bind(struct zoned *z, const struct nf_conntrack *ct,
		    const struct ct_flow *fl, const struct zone_verdict *v)
{
	uint32_t want;
	int err;

	if (v->path != ZONE_PATH_FORWARD || v->action != ZONE_ACTION_ALLOW)
		return;
	want = zone_verdict_mark(z->model, v);
	if (fl->mark == want)
		return;
	err = ct_remark(z->ct, ct, want);
	if (err < 0)
		log_warnx("cannot re-mark flow %u: %s", fl->id, strerror(-err));
}

/*
 * What zoned's tag on a flow says let it in: "channel:NAME" or
 * "rule:NAME", or NULL for a flow without zoned's tag.  A forbidden flow
 * that carries one was let in by another policy: an earlier one of this
 * gateway's, or the peer's when conntrackd replicated it (zoned(8), "A
 * gateway pair").
 */
static const char *ct_tag_text(const struct zoned *z, uint32_t mark,
			       char *buf, size_t size)
{
	char tagbuf[16];
	const char *name;

	if ((mark & ZONE_MARK_MAGIC_MASK) != ZONE_MARK_MAGIC)
		return NULL;
	switch (mark & ZONE_MARK_TYPE_MASK) {
	case ZONE_MARK_T_CHANNEL:
		name = ct_channel_by_mark(z, mark, tagbuf, sizeof(tagbuf));
		snprintf(buf, size, "channel:%s", name);
		return buf;
	case ZONE_MARK_T_RULE:
		snprintf(buf, size, "rule:%s",
			 zone_rule_name((enum zone_rule)((mark >> 16) & 0xff)));
		return buf;
	default:
		return NULL;
	}
}

static void ct_violation(struct zoned *z, const struct nf_conntrack *ct,
			 const struct ct_flow *fl, const struct zone_verdict *v,
			 struct ct_entry *e)
{
	bool enforce = zone_model_mode(z->model) == ZONE_MODE_ENFORCE;
	bool bypass = (fl->mark & ZONE_MARK_MAGIC_MASK) != ZONE_MARK_MAGIC;
	bool killed = false;
	struct ct_text t;
	char tag[48];
	int err;

	/*
	 * Said once per flow; but a flow monitor mode only reported is cut
	 * (and said again) once a reload switches to enforce.
	 */
	if (e && (e->flags & CT_E_KILLED))
		return;
	if (e && (e->flags & CT_E_REPORTED) && !enforce)
		return;
	if (enforce) {
		err = ct_delete(z->ct, ct);
		if (err < 0)
			log_warnx("cannot delete flow %u: %s", fl->id,
				  strerror(-err));
		killed = err == 0;
	}
	if (!e)
		e = ct_entry_add(z->ct, fl->id);
	if (e)
		e->flags |= killed ? CT_E_KILLED : CT_E_REPORTED;
	ct_text_fill(fl, &t);
	alert_emit(z->alerts, ALERT_VIOLATION,
		   "src_zone", src_name(v), "dst_zone", dst_name(v),
		   "proto", t.proto_name, "src", t.src,
		   "sport", fl->has_ports ? t.sport : NULL,
		   "dst", t.dst, "dport", fl->has_ports ? t.dport : NULL,
		   "rule", zone_rule_name(v->rule),
		   "action", killed ? "killed" : "reported",
		   "bypass", bypass ? "yes" : NULL,
		   "tag", ct_tag_text(z, fl->mark, tag, sizeof(tag)),
		   "src_label", seg_label(v->src),
		   "dst_label", seg_label(v->dst), NULL);
	stats_count(z->stats, STAT_VIOLATION, src_name(v), dst_name(v), 1);
	if (killed)
		stats_count(z->stats, STAT_KILLED, src_name(v), dst_name(v), 1);
}

static void ct_flow_start(struct zoned *z, const struct ct_flow *fl,
			  const struct zone_verdict *v, const char *channel,
			  struct ct_entry *e)
{
	struct ct_text t;

	if (e && (e->flags & CT_E_CHANNEL))
		return;
	if (!e)
		e = ct_entry_add(z->ct, fl->id);
	if (e) {
		e->flags |= CT_E_CHANNEL;
		snprintf(e->channel, sizeof(e->channel), "%s", channel);
	}
	ct_text_fill(fl, &t);
	alert_emit(z->alerts, ALERT_FLOW_START, "channel", channel,
		   "proto", t.proto_name, "src", t.src,
		   "sport", fl->has_ports ? t.sport : NULL,
		   "dst", t.dst, "dport", fl->has_ports ? t.dport : NULL,
		   "src_zone", seg_name(v->src), "dst_zone", seg_name(v->dst),
		   NULL);
}

/**
 * ct_judge - judge one live flow under the model in force
 * @ct: from an event or a dump, borrowed
 *
 * A forbidden flow raises a violation (and is deleted in enforce mode);
 * an allowed flow that a channel admitted raises flow-start.  Both are
 * said once per flow, however many sweeps see it.
 */
void ct_judge(struct zoned *z, struct nf_conntrack *ct, bool sweeping)
{
	struct ctwatch *cw = z->ct;
	struct zone_verdict v;
	struct ct_entry *e;
	struct ct_flow fl;
	enum zone_path path;
	const char *channel;
	char tagbuf[16];

	if (!z->model || ct_decode(ct, &fl) < 0 || !ct_path(cw, &fl, &path))
		return;
	/*
	 * The gateway's own flows are judged by its management and
	 * outbound rules and gateway.ha (conntrack does not say the
	 * interface; the hosts and services do), forwarded ones by the
	 * matrix.
	 */
	zone_verdict_edge(z->model, &fl.f, path, NULL, NULL, time(NULL), &v);
	ct_bind(z, ct, &fl, &v);
	if (v.rule == ZONE_RULE_INTRA_ZONE || v.rule == ZONE_RULE_MANAGEMENT ||
	    v.rule == ZONE_RULE_OUTBOUND || v.rule == ZONE_RULE_HA)
		return;
	e = ct_entry_find(cw, fl.id);
	if (e && sweeping)
		e->gen = cw->gen;
	if (v.action == ZONE_ACTION_DENY) {
		ct_violation(z, ct, &fl, &v, e);
		return;
	}
	if (v.rule == ZONE_RULE_CHANNEL && v.channel)
		channel = zone_channel_name(v.channel);
	else
		channel = ct_channel_by_mark(z, fl.mark, tagbuf,
					     sizeof(tagbuf));
	if (channel)
		ct_flow_start(z, &fl, &v, channel, e);
}

/**
 * ct_destroyed - a flow ended: flow-end for a channel flow, and forget it
 */
void ct_destroyed(struct zoned *z, const struct nf_conntrack *ct)
{
	struct ctwatch *cw = z->ct;
	struct zone_verdict v;
	struct ct_entry *e;
	struct ct_flow fl;
	struct ct_text t;
	const char *channel = NULL;
	char tagbuf[16];
	char packets[24], bytes[24];

	if (!z->model || ct_decode(ct, &fl) < 0)
		return;
	e = ct_entry_find(cw, fl.id);
	if (e && (e->flags & CT_E_CHANNEL))
		channel = e->channel;
	else if (!e)
		channel = ct_channel_by_mark(z, fl.mark, tagbuf,
					     sizeof(tagbuf));
	if (channel) {
		zone_verdict(z->model, &fl.f, time(NULL), &v);
		ct_text_fill(&fl, &t);
		snprintf(packets, sizeof(packets), "%llu",
			 (unsigned long long)fl.packets);
		snprintf(bytes, sizeof(bytes), "%llu",
			 (unsigned long long)fl.bytes);
		alert_emit(z->alerts, ALERT_FLOW_END, "channel", channel,
			   "proto", t.proto_name, "src", t.src,
			   "sport", fl.has_ports ? t.sport : NULL,
			   "dst", t.dst,
			   "dport", fl.has_ports ? t.dport : NULL,
			   "packets", packets, "bytes", bytes,
			   "src_zone", seg_name(v.src),
			   "dst_zone", seg_name(v.dst), NULL);
	}
	if (e)
		ct_entry_del(cw, fl.id);
}
