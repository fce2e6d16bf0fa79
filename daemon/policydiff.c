/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The difference between two policies, change by change: each zone,
 * attachment and channel added, removed or changed, with the details.
 * zonectl diff prints it; zoned sums it up in the policy alert.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zone/addr.h>
#include <zone/conf.h>
#include <zone/model.h>
#include <zone/names.h>
#include <zone/proto.h>

#include "ctlmsg.h"
#include "json.h"
#include "policydiff.h"
#include "policydiff_int.h"

/* Append @name to a comma-separated list, with "..." once it is full. */
static void sum_add(char *list, size_t size, const char *name)
{
	size_t len = strlen(list);

	if (len >= 3 && strcmp(list + len - 3, "...") == 0)
		return;
	if (len + strlen(name) + 2 + 4 > size) {
		snprintf(list + len, size - len, "%s...", len ? "," : "");
		return;
	}
	snprintf(list + len, size - len, "%s%s", len ? "," : "", name);
}

static void policy_diff_count(struct policy_diff *d, char op, const char *type,
			      const char *name)
{
	struct policy_diff_sum *s = &d->sum;

	if (!name)
		name = "(policy)";
	if (strcmp(type, "channel") != 0) {
		if (strcmp(type, "zone") == 0 ||
		    strcmp(type, "attachment") == 0) {
			s->n_zones++;
			sum_add(s->zones, sizeof(s->zones), name);
		}
		return;
	}
	if (op == '+') {
		s->n_added++;
		sum_add(s->added, sizeof(s->added), name);
	} else if (op == '-') {
		s->n_removed++;
		sum_add(s->removed, sizeof(s->removed), name);
	} else {
		s->n_changed++;
		sum_add(s->changed, sizeof(s->changed), name);
	}
}

static void diff_detail(struct policy_diff *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void diff_detail(struct policy_diff *d, const char *fmt, ...)
{
	va_list ap;

	/* the summary counts changes, not details: none is formatted */
	if (!d->out) {
		d->pending = true;
		return;
	}
	if (!d->detail) {
		d->detail = open_memstream(&d->text, &d->len);
		if (!d->detail)
			return;
	} else {
		fputc('\n', d->detail);
	}
	va_start(ap, fmt);
	vfprintf(d->detail, fmt, ap);
	va_end(ap);
}

/* Whether the change being built has a detail (formatted or not). */
static bool has_detail(const struct policy_diff *d)
{
	return d->detail || d->pending;
}

/*
 * With only the summary wanted, one detail is enough to know a segment or
 * channel changed: the rest of its lists need not be compared.
 */
static bool summary_settled(const struct policy_diff *d)
{
	return !d->out && d->pending;
}

/* Print one change: OP is "+", "-" or "~"; details are what diff_detail collected. */
static void diff_emit(struct policy_diff *d, const char *op, const char *type,
		      const char *name)
{
	static const char *const ops[] = { "add", "remove", "change" };
	const char *word = ops[op[0] == '+' ? 0 : op[0] == '-' ? 1 : 2];
	char *line;
	char *save = NULL;

	if (d->detail)
		fclose(d->detail);
	d->detail = NULL;
	d->pending = false;
	d->any = true;
	policy_diff_count(d, op[0], type, name);
	if (!d->out) {
		free(d->text);
		d->text = NULL;
		d->len = 0;
		return;
	}
	if (d->json) {
		json_object(d->json, NULL);
		json_string(d->json, "op", word);
		json_string(d->json, "type", type);
		json_string(d->json, "name", name);
		json_array(d->json, "details");
		for (line = d->text ? strtok_r(d->text, "\n", &save) : NULL;
		     line; line = strtok_r(NULL, "\n", &save))
			json_string(d->json, NULL, line);
		json_end(d->json);
		json_end(d->json);
	} else {
		fprintf(d->out, "%s %s%s%s\n", op, type, name ? " " : "",
			name ? name : "");
		for (line = d->text ? strtok_r(d->text, "\n", &save) : NULL;
		     line; line = strtok_r(NULL, "\n", &save))
			fprintf(d->out, "    %s\n", line);
	}
	free(d->text);
	d->text = NULL;
	d->len = 0;
}

static void diff_str(struct policy_diff *d, const char *what, const char *a,
		     const char *b)
{
	if (!a && !b)
		return;
	if (a && b && strcmp(a, b) == 0)
		return;
	diff_detail(d, "%s: %s -> %s", what, a ? a : "(none)",
		    b ? b : "(none)");
}

/*
 * A list of a segment or channel (networks, interfaces, hosts, services,
 * windows, MACs, names) read as text: every kind is printed canonically,
 * so two items are the same exactly when their texts are.
 */
typedef const char *(*item_text)(const void *obj, size_t i, char *buf,
				 size_t size);

/* The longest item text we format: a service or a MAC. */
#define ITEM_STRLEN 64

static int text_ptr_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void texts_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* The @n item texts of @obj, sorted; NULL when out of memory. */
static char **texts_sorted(item_text get, const void *obj, size_t n)
{
	char buf[ITEM_STRLEN];
	char **v;
	size_t i;

	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return NULL;
	for (i = 0; i < n; i++) {
		v[i] = strdup(get(obj, i, buf, sizeof(buf)));
		if (!v[i]) {
			texts_free(v, i);
			return NULL;
		}
	}
	qsort(v, n, sizeof(*v), text_ptr_cmp);
	return v;
}

/* @text among the @n items of @obj: in @sorted when given, else a scan. */
static bool item_in(const char *text, char **sorted, item_text get,
		    const void *obj, size_t n)
{
	char buf[ITEM_STRLEN];
	size_t i;

	if (sorted)
		return bsearch(&text, sorted, n, sizeof(*sorted),
			       text_ptr_cmp) != NULL;
	for (i = 0; i < n; i++)
		if (strcmp(get(obj, i, buf, sizeof(buf)), text) == 0)
			return true;
	return false;
}

/*
 * Items of @b not in @a get "+", items of @a not in @b "-", in their
 * order; @quote puts the text in double quotes.  Lookups go to a sorted
 * copy of the other side: a pairwise search took a minute for two
 * segments of 50,000 networks each.
 */
static void diff_items(struct policy_diff *d, const char *what, bool quote,
		       item_text get, const void *a, size_t na, const void *b,
		       size_t nb)
{
	const char *q = quote ? "\"" : "";
	char **sa;
	char **sb;
	char buf[ITEM_STRLEN];
	const char *t;
	size_t i;

	if (summary_settled(d))
		return;
	sa = texts_sorted(get, a, na);
	sb = texts_sorted(get, b, nb);
	for (i = 0; i < nb; i++) {
		t = get(b, i, buf, sizeof(buf));
		if (!item_in(t, sa, get, a, na))
			diff_detail(d, "%s +%s%s%s", what, q, t, q);
	}
	for (i = 0; i < na; i++) {
		t = get(a, i, buf, sizeof(buf));
		if (!item_in(t, sb, get, b, nb))
			diff_detail(d, "%s -%s%s%s", what, q, t, q);
	}
	texts_free(sa, na);
	texts_free(sb, nb);
}

/*
 * The prefix lists (a segment's networks, a channel's hosts) are compared
 * as values, not as texts: at a million networks the texts of both sides
 * took 80 MB.  A prefix prints canonically from its bytes (host bits zero,
 * an IPv4 address's unused bytes zero), so two prefixes are equal exactly
 * when their texts are.
 */
typedef const struct zone_prefix *(*item_prefix)(const void *obj, size_t i);

struct prefix_list {
	item_prefix get;
	const void *obj;
	size_t n;
	uint32_t *order; /* indexes in prefix order; NULL: the list's own */
};

static int prefix_cmp(const struct zone_prefix *x, const struct zone_prefix *y)
{
	return memcmp(x, y, sizeof(*x));
}

static int prefix_index_cmp(const void *x, const void *y, void *arg)
{
	const struct prefix_list *l = arg;

	return prefix_cmp(l->get(l->obj, *(const uint32_t *)x),
			  l->get(l->obj, *(const uint32_t *)y));
}

/* The @i-th prefix of @l in prefix order. */
static const struct zone_prefix *prefix_sorted(const struct prefix_list *l,
					       size_t i)
{
	return l->get(l->obj, l->order ? l->order[i] : i);
}

/*
 * Order @l for lookups: a list already in prefix order (as generated
 * lists and sorted configs are) is used as it is; else 4 bytes of index
 * per prefix.  Returns 0, or -1 without memory (the lookups then scan).
 */
static int prefix_list_order(struct prefix_list *l)
{
	size_t i;

	l->order = NULL;
	for (i = 1; i < l->n; i++)
		if (prefix_cmp(l->get(l->obj, i - 1), l->get(l->obj, i)) > 0)
			break;
	if (i >= l->n)
		return 0;
	if (l->n > UINT32_MAX)
		return -1;
	l->order = malloc(l->n * sizeof(*l->order));
	if (!l->order)
		return -1;
	for (i = 0; i < l->n; i++)
		l->order[i] = (uint32_t)i;
	qsort_r(l->order, l->n, sizeof(*l->order), prefix_index_cmp, l);
	return 0;
}

/* @p among the prefixes of @l; @ordered says whether @l can be searched. */
static bool prefix_in(const struct zone_prefix *p, const struct prefix_list *l,
		      bool ordered)
{
	size_t lo = 0;
	size_t hi = l->n;
	size_t mid;
	int c;

	if (!ordered) {
		for (lo = 0; lo < l->n; lo++)
			if (prefix_cmp(l->get(l->obj, lo), p) == 0)
				return true;
		return false;
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = prefix_cmp(prefix_sorted(l, mid), p);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The prefixes of @from not in @to, as "WHAT SIGNPREFIX", in @from's order. */
static void prefixes_missing(struct policy_diff *d, const char *what, char sign,
			     const struct prefix_list *from,
			     const struct prefix_list *to, bool ordered)
{
	char buf[ZONE_PREFIX_STRLEN];
	const struct zone_prefix *p;
	size_t i;

	for (i = 0; i < from->n && !summary_settled(d); i++) {
		p = from->get(from->obj, i);
		if (!prefix_in(p, to, ordered))
			diff_detail(d, "%s %c%s", what, sign,
				    zone_prefix_format(p, buf, sizeof(buf)));
	}
}

/* diff_items() for a list of prefixes: the same lines, compared as values. */
static void diff_prefixes(struct policy_diff *d, const char *what,
			  item_prefix get, const void *a, size_t na,
			  const void *b, size_t nb)
{
	struct prefix_list la = { get, a, na, NULL };
	struct prefix_list lb = { get, b, nb, NULL };
	bool oa;
	bool ob;
	size_t i;

	if (summary_settled(d))
		return;
	/* the usual case: the same list, in the same order */
	for (i = 0; na == nb && i < na; i++)
		if (prefix_cmp(get(a, i), get(b, i)) != 0)
			break;
	if (na == nb && i == na)
		return;
	oa = prefix_list_order(&la) == 0;
	ob = prefix_list_order(&lb) == 0;
	prefixes_missing(d, what, '+', &lb, &la, oa);
	prefixes_missing(d, what, '-', &la, &lb, ob);
	free(la.order);
	free(lb.order);
}

static const struct zone_prefix *seg_net(const void *s, size_t i)
{
	return zone_segment_network(s, i);
}

static const char *seg_iface(const void *s, size_t i, char *buf, size_t size)
{
	(void)buf;
	(void)size;
	return zone_segment_interface(s, i);
}

static const struct zone_prefix *chan_from(const void *c, size_t i)
{
	return zone_channel_from_host(c, i);
}

static const struct zone_prefix *chan_to(const void *c, size_t i)
{
	return zone_channel_to_host(c, i);
}

static const char *chan_service(const void *c, size_t i, char *buf,
				size_t size)
{
	return zone_service_format(zone_channel_service(c, i), buf, size);
}

static const char *chan_window(const void *c, size_t i, char *buf,
			       size_t size)
{
	(void)buf;
	(void)size;
	return zone_channel_window_text(c, i);
}

static const char *chan_mac(const void *c, size_t i, char *buf, size_t size)
{
	return zone_mac_format(zone_channel_from_mac(c, i), buf, size);
}

static const char *chan_name(const void *c, size_t i, char *buf, size_t size)
{
	(void)buf;
	(void)size;
	return zone_channel_fqdn(c, i);
}

static const char *seg_type(const struct zone_segment *s)
{
	return zone_segment_is_zone(s) ? "zone" : "attachment";
}

static void diff_segment(struct policy_diff *d, const struct zone_segment *a,
			 const struct zone_segment *b)
{
	if (zone_segment_is_zone(a) != zone_segment_is_zone(b))
		diff_str(d, "type", seg_type(a), seg_type(b));
	diff_str(d, zone_segment_is_zone(b) ? "tier" : "kind",
		 zone_role_name(zone_segment_role(a)),
		 zone_role_name(zone_segment_role(b)));
	diff_str(d, "label", zone_segment_label(a), zone_segment_label(b));
	diff_prefixes(d, "network", seg_net, a, zone_segment_network_count(a),
		      b, zone_segment_network_count(b));
	diff_items(d, "interface", false, seg_iface, a,
		   zone_segment_interface_count(a), b,
		   zone_segment_interface_count(b));
	if (has_detail(d))
		diff_emit(d, "~", seg_type(b), zone_segment_name(b));
}

static void diff_segments(struct policy_diff *d, const struct zone_model *a,
			  const struct zone_model *b)
{
	const struct zone_segment *s;
	const struct zone_segment *t;
	size_t i;

	for (i = 0; i < zone_model_segment_count(b); i++) {
		s = zone_model_segment(b, i);
		t = zone_model_segment_by_name(a, zone_segment_name(s));
		if (t) {
			diff_segment(d, t, s);
			continue;
		}
		diff_detail(d, "%s %s, label %s",
			    zone_segment_is_zone(s) ? "tier" : "kind",
			    zone_role_name(zone_segment_role(s)),
			    zone_segment_label(s));
		diff_emit(d, "+", seg_type(s), zone_segment_name(s));
	}
	for (i = 0; i < zone_model_segment_count(a); i++) {
		s = zone_model_segment(a, i);
		if (!zone_model_segment_by_name(b, zone_segment_name(s)))
			diff_emit(d, "-", seg_type(s), zone_segment_name(s));
	}
}

static void diff_channel(struct policy_diff *d, const struct zone_channel *a,
			 const struct zone_channel *b)
{
	diff_str(d, "kind", zone_channel_kind_name(zone_channel_kind(a)),
		 zone_channel_kind_name(zone_channel_kind(b)));
	diff_str(d, "from", zone_segment_name(zone_channel_from(a)),
		 zone_segment_name(zone_channel_from(b)));
	diff_str(d, "to", zone_segment_name(zone_channel_to(a)),
		 zone_segment_name(zone_channel_to(b)));
	diff_prefixes(d, "from_host", chan_from, a,
		      zone_channel_from_host_count(a), b,
		      zone_channel_from_host_count(b));
	diff_prefixes(d, "to_host", chan_to, a, zone_channel_to_host_count(a),
		      b, zone_channel_to_host_count(b));
	diff_items(d, "service", false, chan_service, a,
		   zone_channel_service_count(a), b,
		   zone_channel_service_count(b));
	diff_str(d, "reason", zone_channel_reason(a), zone_channel_reason(b));
	diff_str(d, "approved", zone_channel_approved(a),
		 zone_channel_approved(b));
	diff_str(d, "expires", zone_channel_expires_text(a),
		 zone_channel_expires_text(b));
	diff_str(d, "not_before", zone_channel_not_before_text(a),
		 zone_channel_not_before_text(b));
	diff_str(d, "vendor", zone_channel_vendor(a), zone_channel_vendor(b));
	diff_items(d, "window", true, chan_window, a,
		   zone_channel_window_count(a), b,
		   zone_channel_window_count(b));
	diff_items(d, "from_mac", false, chan_mac, a,
		   zone_channel_from_mac_count(a), b,
		   zone_channel_from_mac_count(b));
	diff_items(d, "to_name", false, chan_name, a,
		   zone_channel_name_count(a), b, zone_channel_name_count(b));
	if (has_detail(d))
		diff_emit(d, "~", "channel", zone_channel_name(b));
}

static void diff_channels(struct policy_diff *d, const struct zone_model *a,
			  const struct zone_model *b)
{
	const struct zone_channel *c;
	const struct zone_channel *t;
	size_t i;

	for (i = 0; i < zone_model_channel_count(b); i++) {
		c = zone_model_channel(b, i);
		t = zone_model_channel_by_name(a, zone_channel_name(c));
		if (t) {
			diff_channel(d, t, c);
			continue;
		}
		diff_detail(d, "%s %s -> %s",
			    zone_channel_kind_name(zone_channel_kind(c)),
			    zone_segment_name(zone_channel_from(c)),
			    zone_segment_name(zone_channel_to(c)));
		diff_emit(d, "+", "channel", zone_channel_name(c));
	}
	for (i = 0; i < zone_model_channel_count(a); i++) {
		c = zone_model_channel(a, i);
		if (!zone_model_channel_by_name(b, zone_channel_name(c)))
			diff_emit(d, "-", "channel", zone_channel_name(c));
	}
}

static bool entry_in(const struct policy_entries *e, const char *s)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (strcmp(e->v[i], s) == 0)
			return true;
	return false;
}

/* The narrow and gateway entries added and removed, as one change each. */
static void diff_blocks(struct policy_diff *d, const struct zone_model *a,
			const struct zone_model *b)
{
	static const char *const types[] = { "narrow", "gateway" };
	struct policy_entries ea = { 0 };
	struct policy_entries eb = { 0 };
	size_t t;
	size_t i;

	if (policy_block_entries(a, &ea) < 0 ||
	    policy_block_entries(b, &eb) < 0) {
		diff_detail(d, "cannot compare: %s", strerror(ENOMEM));
		diff_emit(d, "~", "narrow", NULL);
		goto out;
	}
	for (t = 0; t < 2; t++) {
		size_t len = strlen(types[t]);

		for (i = 0; i < eb.n; i++)
			if (strncmp(eb.v[i], types[t], len) == 0 &&
			    !entry_in(&ea, eb.v[i]))
				diff_detail(d, "+%s", eb.v[i]);
		for (i = 0; i < ea.n; i++)
			if (strncmp(ea.v[i], types[t], len) == 0 &&
			    !entry_in(&eb, ea.v[i]))
				diff_detail(d, "-%s", ea.v[i]);
		if (has_detail(d))
			diff_emit(d, "~", types[t], NULL);
	}
out:
	policy_entries_free(&ea);
	policy_entries_free(&eb);
}

/**
 * policy_diff - compare two models
 * @d: where the changes go: printed to d->out as text, or added to the
 *     open array d->json as objects, unless d->out is NULL; and summed
 *     up in d->sum
 * @a: the old model
 * @b: the new one
 */
void policy_diff(struct policy_diff *d, const struct zone_model *a,
		 const struct zone_model *b)
{
	unsigned int ta[2];
	unsigned int tb[2];
	char fa[16];
	char fb[16];
	int i;

	diff_str(d, "profile", zone_profile_name(zone_model_profile(a)),
		 zone_profile_name(zone_model_profile(b)));
	diff_str(d, "profile_approved", zone_model_profile_approved(a),
		 zone_model_profile_approved(b));
	diff_str(d, "mode", zone_mode_name(zone_model_mode(a)),
		 zone_mode_name(zone_model_mode(b)));
	snprintf(fa, sizeof(fa), "%d", zone_model_alert_facility(a));
	snprintf(fb, sizeof(fb), "%d", zone_model_alert_facility(b));
	diff_str(d, "alert facility", fa, fb);
	snprintf(fa, sizeof(fa), "%zu", zone_model_history_entries(a));
	snprintf(fb, sizeof(fb), "%zu", zone_model_history_entries(b));
	diff_str(d, "history entries", fa, fb);
	snprintf(fa, sizeof(fa), "%zu", zone_model_history_bytes(a));
	snprintf(fb, sizeof(fb), "%zu", zone_model_history_bytes(b));
	diff_str(d, "history max_bytes", fa, fb);
	zone_model_names_ttl(a, &ta[0], &ta[1]);
	zone_model_names_ttl(b, &tb[0], &tb[1]);
	for (i = 0; i < 2; i++) {
		snprintf(fa, sizeof(fa), "%u", ta[i]);
		snprintf(fb, sizeof(fb), "%u", tb[i]);
		diff_str(d, i ? "names ttl_max" : "names ttl_min", fa, fb);
	}
	if (has_detail(d))
		diff_emit(d, "~", "policy", NULL);
	diff_segments(d, a, b);
	diff_channels(d, a, b);
	diff_blocks(d, a, b);
}

/**
 * policy_diff_summary - "channels +a,b -c ~d; zones ~z", or that neither
 * changed
 */
void policy_diff_summary(const struct policy_diff_sum *s, char *buf,
			 size_t size)
{
	FILE *f = fmemopen(buf, size, "w");
	bool any = false;

	if (!f) {
		snprintf(buf, size, "-");
		return;
	}
	if (s->n_added || s->n_removed || s->n_changed) {
		fputs("channels", f);
		if (s->n_added)
			fprintf(f, " +%s", s->added);
		if (s->n_removed)
			fprintf(f, " -%s", s->removed);
		if (s->n_changed)
			fprintf(f, " ~%s", s->changed);
		any = true;
	}
	if (s->n_zones) {
		fprintf(f, "%szones ~%s", any ? "; " : "", s->zones);
		any = true;
	}
	if (!any)
		fputs("no change to zones or channels", f);
	fclose(f);
	buf[size - 1] = '\0';
}
