// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Breakout by name, the model's side (<zone/names.h>): the FQDNs of a
 * channel's to_names, the addresses they resolved to and until when, and
 * the questions the verdict, zonectl and the compiler ask about them.
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zone/names.h>
#include <zone/verdict.h>

#include "model_priv.h"
#include "names_priv.h"

void zone_model_names_ttl(const struct zone_model *model, unsigned int *ret_min,
			  unsigned int *ret_max)
{
	*ret_min = model->names_ttl_min ? model->names_ttl_min :
					  ZONE_NAMES_TTL_MIN_DEFAULT;
	*ret_max = model->names_ttl_max ? model->names_ttl_max :
					  ZONE_NAMES_TTL_MAX_DEFAULT;
}

size_t zone_model_name_total(const struct zone_model *model)
{
	size_t n = 0;
	size_t i;

	for (i = 0; i < model->n_channels; i++)
		n += model->channels[i].n_to_names;
	return n;
}

size_t zone_channel_name_count(const struct zone_channel *chan)
{
	return chan->n_to_names;
}

const char *zone_channel_fqdn(const struct zone_channel *chan, size_t i)
{
	return i < chan->n_to_names ? chan->to_names[i].fqdn : NULL;
}

size_t zone_channel_fqdn_addrs(const struct zone_channel *chan, size_t i,
			       const struct zone_name_addr **ret)
{
	if (i >= chan->n_to_names) {
		*ret = NULL;
		return 0;
	}
	*ret = chan->to_names[i].addrs;
	return chan->to_names[i].n_addrs;
}

/* The characters nft takes unquoted in a set name. */
static bool set_name_plain(const char *s)
{
	size_t n = strlen(s);
	size_t i;

	if (n == 0 || n > 40)
		return false;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	}
	return true;
}

int zone_channel_fqdn_nft_set(const struct zone_channel *chan, int family,
			      char *buf, size_t size)
{
	const char *fam = family == AF_INET6 ? "6" : "4";
	int n;

	if (set_name_plain(chan->name))
		n = snprintf(buf, size, "names%s_%s", fam, chan->name);
	else
		n = snprintf(buf, size, "names%s__%zu", fam, chan->index);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static bool addr_equal(const struct zone_addr *a, const struct zone_addr *b)
{
	size_t len = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && memcmp(a->bytes, b->bytes, len) == 0;
}

int zone_model_fqdn_update(struct zone_model *model, size_t chan, size_t name,
			   const struct zone_addr *addrs, size_t n,
			   time_t expires, time_t now)
{
	struct zone_name *nm;
	struct zone_name_addr *v;
	size_t k = 0;
	size_t i;
	size_t j;

	if (chan >= model->n_channels ||
	    name >= model->channels[chan].n_to_names)
		return -EINVAL;
	nm = &model->channels[chan].to_names[name];
	v = calloc(nm->n_addrs + n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	/* the answer first, each address once */
	for (i = 0; i < n; i++) {
		for (j = 0; j < k && !addr_equal(&v[j].addr, &addrs[i]); j++)
			;
		if (j < k)
			continue;
		v[k].addr = addrs[i];
		v[k++].expires = expires;
	}
	/* then what the answer dropped, until the kernel drops it too */
	for (i = 0; i < nm->n_addrs; i++) {
		if (nm->addrs[i].expires <= now)
			continue;
		for (j = 0;
		     j < k && !addr_equal(&v[j].addr, &nm->addrs[i].addr); j++)
			;
		if (j < k) {
			if (nm->addrs[i].expires > v[j].expires)
				v[j].expires = nm->addrs[i].expires;
			continue;
		}
		v[k++] = nm->addrs[i];
	}
	free(nm->addrs);
	nm->addrs = v;
	nm->n_addrs = k;
	return 0;
}

int zone_model_fqdn_carry(struct zone_model *to, const struct zone_model *from)
{
	size_t i;
	size_t j;
	size_t k;

	for (i = 0; i < to->n_channels; i++) {
		struct zone_channel *c = &to->channels[i];
		const struct zone_channel *o =
			zone_model_channel_by_name(from, c->name);

		if (!o)
			continue;
		for (j = 0; j < c->n_to_names; j++) {
			struct zone_name *nm = &c->to_names[j];

			for (k = 0; k < o->n_to_names; k++) {
				if (strcmp(o->to_names[k].fqdn, nm->fqdn) == 0)
					break;
			}
			if (k == o->n_to_names || o->to_names[k].n_addrs == 0)
				continue;
			free(nm->addrs);
			nm->addrs = calloc(o->to_names[k].n_addrs,
					   sizeof(*nm->addrs));
			nm->n_addrs = 0;
			if (!nm->addrs)
				return -ENOMEM;
			memcpy(nm->addrs, o->to_names[k].addrs,
			       o->to_names[k].n_addrs * sizeof(*nm->addrs));
			nm->n_addrs = o->to_names[k].n_addrs;
		}
	}
	return 0;
}

const char *zone_channel_fqdn_match(const struct zone_channel *chan,
				    const struct zone_addr *addr, time_t now)
{
	size_t i;
	size_t j;

	for (i = 0; i < chan->n_to_names; i++) {
		const struct zone_name *nm = &chan->to_names[i];

		for (j = 0; j < nm->n_addrs; j++) {
			if (nm->addrs[j].expires > now &&
			    addr_equal(&nm->addrs[j].addr, addr))
				return nm->fqdn;
		}
	}
	return NULL;
}

const char *zone_fqdn_problem(const char *s)
{
	size_t len = strlen(s);
	size_t label = 0;
	size_t labels = 1;
	bool digits_only = true;
	size_t i;

	if (len == 0)
		return "is empty";
	if (len > ZONE_NAME_LEN)
		return "is longer than 253 characters";
	if (s[len - 1] == '.')
		return "ends with a dot (write the name without it)";
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0)
				return "has an empty label";
			if (s[i - 1] == '-')
				return "has a label ending with a hyphen";
			label = 0;
			labels++;
			digits_only = true;
			continue;
		}
		if (label == 0 && c == '-')
			return "has a label starting with a hyphen";
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-'))
			return "is not a host name (letters, digits, hyphens and dots only)";
		if (!(c >= '0' && c <= '9'))
			digits_only = false;
		if (++label > 63)
			return "has a label longer than 63 characters";
	}
	if (s[len - 1] == '-')
		return "has a label ending with a hyphen";
	if (labels < 2)
		return "is not fully qualified (it needs a domain: name.example.jp)";
	/* an all-digit last label is an address, not a name */
	if (digits_only)
		return "is an address, not a name (list addresses in to_hosts)";
	return NULL;
}

/* model_build.c's channel_release calls this for the names. */
void model_names_release(struct zone_channel *chan)
{
	size_t i;

	for (i = 0; i < chan->n_to_names; i++) {
		free(chan->to_names[i].fqdn);
		free(chan->to_names[i].addrs);
	}
	free(chan->to_names);
	chan->to_names = NULL;
	chan->n_to_names = 0;
}

/* print.c: to_names of a channel, in the normalised config */
void model_names_print_channel(FILE *out, const struct zone_channel *chan)
{
	size_t i;

	if (!chan->n_to_names)
		return;
	fputs("    to_names = [ ", out);
	for (i = 0; i < chan->n_to_names; i++)
		fprintf(out, "%s\"%s\"", i ? ", " : "", chan->to_names[i].fqdn);
	fputs(" ];\n", out);
}

/* print.c: the names block, only when set so that older hashes stay */
void model_names_print(FILE *out, const struct zone_model *model)
{
	unsigned int lo;
	unsigned int hi;

	zone_model_names_ttl(model, &lo, &hi);
	if (lo == ZONE_NAMES_TTL_MIN_DEFAULT &&
	    hi == ZONE_NAMES_TTL_MAX_DEFAULT)
		return;
	fprintf(out, "names = { ttl_min = %u; ttl_max = %u; };\n", lo, hi);
}

bool names_to_match(const struct zone_channel *chan,
		    const struct zone_flow *flow, time_t now)
{
	size_t i;

	for (i = 0; i < chan->n_to_hosts; i++) {
		if (zone_prefix_contains(&chan->to_hosts[i], &flow->dst))
			return true;
	}
	/* no to_hosts stands for the whole segment, unless names narrow it */
	if (chan->n_to_names == 0)
		return chan->n_to_hosts == 0;
	return zone_channel_fqdn_match(chan, &flow->dst, now) != NULL;
}
