/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The normalised config (what the policy hash is computed over, and what
 * `zoned -T` shows) and the tier mapping table an operator confirms.
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <zone/conf.h>
#include <zone/proto.h>
#include <zone/utf8.h>

#include "conf_priv.h"
#include "model_priv.h"
#include "names_priv.h"

/* A libconfig string literal. */
static void print_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void print_key(FILE *out, const char *indent, const char *key,
		      const char *value)
{
	fprintf(out, "%s%s = ", indent, key);
	print_string(out, value);
	fputs(";\n", out);
}

static void print_prefixes_at(FILE *out, const char *indent, const char *key,
			      const struct zone_prefix *v, size_t n)
{
	char buf[ZONE_PREFIX_STRLEN];
	size_t i;

	if (n == 0)
		return;
	fprintf(out, "%s%s = [ ", indent, key);
	for (i = 0; i < n; i++) {
		fprintf(out, "%s\"%s\"", i ? ", " : "",
			zone_prefix_format(&v[i], buf, sizeof(buf)));
	}
	fputs(" ];\n", out);
}

static void print_prefixes(FILE *out, const char *key,
			   const struct zone_prefix *v, size_t n)
{
	print_prefixes_at(out, "    ", key, v, n);
}

/* a list of strings of a segment or channel, left out when empty */
static void print_strings(FILE *out, const char *key, char *const *v, size_t n)
{
	size_t i;

	if (n == 0)
		return;
	fprintf(out, "    %s = [ ", key);
	for (i = 0; i < n; i++) {
		fputs(i ? ", " : "", out);
		print_string(out, v[i]);
	}
	fputs(" ];\n", out);
}

static void print_segment(FILE *out, const struct zone_segment *seg, bool last)
{
	fputs("  {\n", out);
	print_key(out, "    ", "name", seg->name);
	print_key(out, "    ", zone_role_is_tier(seg->role) ? "tier" : "kind",
		  zone_role_name(seg->role));
	if (seg->label)
		print_key(out, "    ", "label", seg->label);
	print_strings(out, "interfaces", seg->interfaces, seg->n_interfaces);
	print_prefixes(out, "networks", seg->networks, seg->n_networks);
	fprintf(out, "  }%s\n", last ? "" : ",");
}

static void print_segments(FILE *out, const struct zone_model *m,
			   const char *key, size_t first, size_t end)
{
	size_t i;

	if (first == end)
		return;
	fprintf(out, "%s = (\n", key);
	for (i = first; i < end; i++)
		print_segment(out, &m->segments[i], i + 1 == end);
	fputs(");\n", out);
}

/*
 * A date stays a date (its meaning depends on the local time zone, which
 * is part of the policy); a date-time prints in UTC, so that spellings of
 * the same instant hash alike.
 */
static void print_instant(FILE *out, const char *key, const char *text,
			  time_t when)
{
	char buf[32];
	struct tm tm;

	if (strlen(text) == 10 || !gmtime_r(&when, &tm) ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		print_key(out, "    ", key, text);
		return;
	}
	print_key(out, "    ", key, buf);
}

static void print_channel(FILE *out, const struct zone_channel *c, bool last)
{
	char buf[ZONE_SERVICE_STRLEN];
	size_t i;

	fputs("  {\n", out);
	print_key(out, "    ", "name", c->name);
	print_key(out, "    ", "kind", zone_channel_kind_name(c->kind));
	print_key(out, "    ", "from", c->from->name);
	print_key(out, "    ", "to", c->to->name);
	print_prefixes(out, "from_hosts", c->from_hosts, c->n_from_hosts);
	print_prefixes(out, "to_hosts", c->to_hosts, c->n_to_hosts);
	fputs("    services = [ ", out);
	for (i = 0; i < c->n_services; i++)
		fprintf(out, "%s\"%s\"", i ? ", " : "",
			zone_service_format(&c->services[i], buf, sizeof(buf)));
	fputs(" ];\n", out);
	print_key(out, "    ", "reason", c->reason);
	print_key(out, "    ", "approved", c->approved);
	if (c->expires_text)
		print_instant(out, "expires", c->expires_text, c->expires);
	if (c->not_before_text)
		print_instant(out, "not_before", c->not_before_text,
			      c->not_before);
	print_strings(out, "windows", c->window_texts, c->n_window_texts);
	if (c->vendor)
		print_key(out, "    ", "vendor", c->vendor);
	if (c->n_from_macs) {
		char mac[ZONE_MAC_STRLEN];

		fputs("    from_macs = [ ", out);
		for (i = 0; i < c->n_from_macs; i++)
			fprintf(out, "%s\"%s\"", i ? ", " : "",
				zone_mac_format(c->from_macs[i], mac,
						sizeof(mac)));
		fputs(" ];\n", out);
	}
	model_names_print_channel(out, c);
	fprintf(out, "  }%s\n", last ? "" : ",");
}

static void print_services(FILE *out, const char *indent,
			   const struct zone_service *v, size_t n)
{
	char buf[ZONE_SERVICE_STRLEN];
	size_t i;

	if (n == 0)
		return;
	fprintf(out, "%sservices = [ ", indent);
	for (i = 0; i < n; i++)
		fprintf(out, "%s\"%s\"", i ? ", " : "",
			zone_service_format(&v[i], buf, sizeof(buf)));
	fputs(" ];\n", out);
}

static void print_narrows(FILE *out, const struct zone_model *m)
{
	const struct zone_narrow *n;
	size_t i;

	if (m->n_narrows == 0)
		return;
	fputs("narrow = (\n", out);
	for (i = 0; i < m->n_narrows; i++) {
		n = &m->narrows[i];
		fputs("  {\n", out);
		print_key(out, "    ", "from", n->from->name);
		print_key(out, "    ", "to", n->to->name);
		print_prefixes(out, "to_hosts", n->to_hosts, n->n_to_hosts);
		print_services(out, "    ", n->services, n->n_services);
		fprintf(out, "  }%s\n", i + 1 == m->n_narrows ? "" : ",");
	}
	fputs(");\n", out);
}

static void print_gw_list(FILE *out, const struct zone_model *m, bool outbound)
{
	const struct zone_gw_rule *r;
	size_t i;
	size_t last = 0;
	bool any = false;

	for (i = 0; i < m->n_gw_rules; i++) {
		if (m->gw_rules[i].outbound == outbound) {
			last = i;
			any = true;
		}
	}
	fprintf(out, "  %s = (%s", outbound ? "outbound" : "management",
		any ? "\n" : " ");
	for (i = 0; i < m->n_gw_rules; i++) {
		r = &m->gw_rules[i];
		if (r->outbound != outbound)
			continue;
		fputs("    {\n", out);
		print_key(out, "      ", "name", r->name);
		print_key(out, "      ", outbound ? "to" : "from", r->seg->name);
		print_prefixes_at(out, "      ",
				  outbound ? "to_hosts" : "from_hosts", r->hosts,
				  r->n_hosts);
		print_services(out, "      ", r->services, r->n_services);
		print_key(out, "      ", "reason", r->reason);
		print_key(out, "      ", "approved", r->approved);
		fprintf(out, "    }%s\n", i == last ? "" : ",");
	}
	fputs(any ? "  );\n" : ");\n", out);
}

/* gateway.ha, by the other keys' rules */
static void print_ha(FILE *out, const struct zone_ha *ha)
{
	char peer[ZONE_PREFIX_STRLEN];

	zone_addr_format(&ha->peer.addr, peer, sizeof(peer));
	fputs("  ha = {\n", out);
	print_key(out, "    ", "interface", ha->interface);
	print_key(out, "    ", "peer", peer);
	print_key(out, "    ", "key_file", ha->key_file);
	fputs("  };\n", out);
}

/**
 * model_print - zone_model_print() without metrics, with or without
 * gateway.ha
 *
 * The policy hash is taken of it without gateway.ha (see
 * zone_model_hash()): neither changes what is enforced, and the two
 * gateways of a pair name each other differently there.
 */
int model_print(const struct zone_model *model, FILE *out, bool with_ha)
{
	const char *facility = conf_facility_name(model->alert_facility);
	size_t i;

	print_key(out, "", "profile", zone_profile_name(model->profile));
	if (model->profile_approved)
		print_key(out, "", "profile_approved", model->profile_approved);
	print_key(out, "", "mode", zone_mode_name(model->mode));
	print_segments(out, model, "zones", 0, model->n_zones);
	print_segments(out, model, "attachments", model->n_zones,
		       model->n_segments);
	if (model->n_channels) {
		fputs("channels = (\n", out);
		for (i = 0; i < model->n_channels; i++)
			print_channel(out, &model->channels[i],
				      i + 1 == model->n_channels);
		fputs(");\n", out);
	}
	print_narrows(out, model);
	fputs("gateway = {\n", out);
	print_gw_list(out, model, false);
	print_gw_list(out, model, true);
	if (with_ha && model->ha)
		print_ha(out, model->ha);
	fputs("};\n", out);
	fputs("alerts = { facility = ", out);
	print_string(out, facility ? facility : "authpriv");
	fputs("; };\n", out);
	/* only when set, so that the hash of older configs stays */
	if (model->history_entries != ZONE_HISTORY_ENTRIES_DEFAULT ||
	    model->history_bytes != (size_t)ZONE_HISTORY_BYTES_DEFAULT)
		fprintf(out, "history = { entries = %zu; max_bytes = %zu; };\n",
			model->history_entries, model->history_bytes);
	model_names_print(out, model);
	return ferror(out) ? -EIO : 0;
}

/**
 * zone_model_print - write the normalised config
 * @model: the model
 * @out: where to write
 *
 * Fixed key order, every default spelled out, canonical prefixes and
 * services, no comments.  Returns 0, or -EIO when writing failed.
 */
int zone_model_print(const struct zone_model *model, FILE *out)
{
	int ret = model_print(model, out, true);

	if (ret == 0 && model->metrics_file) {
		fputs("metrics = { file = ", out);
		print_string(out, model->metrics_file);
		fprintf(out, "; interval = %u; };\n", model->metrics_interval);
	}
	return ret == 0 && ferror(out) ? -EIO : ret;
}

/* The MIC guideline's name for each role. */
static const char *const guideline_names[ZONE_ROLE_MAX] = {
	[ZONE_ROLE_RESIDENT] = "マイナンバー利用事務系",
	[ZONE_ROLE_LGWAN] = "LGWAN接続系",
	[ZONE_ROLE_INTERNET_TIER] = "インターネット接続系",
	[ZONE_ROLE_LGWAN_WAN] = "LGWAN",
	[ZONE_ROLE_PUBLIC_SYSTEM] = "公的システム",
	[ZONE_ROLE_SECURITY_CLOUD] = "自治体情報セキュリティクラウド",
	[ZONE_ROLE_INTERNET] = "インターネット",
	[ZONE_ROLE_GOV_CLOUD] = "ガバメントクラウド",
};

/*
 * East Asian wide characters (CJK, kana, hangul, full-width forms), and
 * everything past the BMP (CJK extensions, emoji).
 */
static bool is_wide(unsigned int cp)
{
	return (cp >= 0x1100 && cp <= 0x115f) ||
	       (cp >= 0x2e80 && cp <= 0xa4cf) ||
	       (cp >= 0xac00 && cp <= 0xd7a3) ||
	       (cp >= 0xf900 && cp <= 0xfaff) ||
	       (cp >= 0xfe30 && cp <= 0xfe4f) ||
	       (cp >= 0xff00 && cp <= 0xff60) ||
	       (cp >= 0xffe0 && cp <= 0xffe6) || cp >= 0x10000;
}

/*
 * Terminal columns of a UTF-8 string: wide characters take 2, a byte
 * that starts no valid sequence takes 1.
 */
static size_t display_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);
	size_t width = 0;
	unsigned int cp;
	size_t n;

	while (left) {
		n = zone_utf8_len(p, left, &cp);
		if (n == 0) {
			n = 1;
			cp = 0;
		}
		width += is_wide(cp) ? 2 : 1;
		p += n;
		left -= n;
	}
	return width;
}

static void print_padded(FILE *out, const char *s, size_t width)
{
	size_t w = display_width(s);

	fputs(s, out);
	for (; w < width; w++)
		fputc(' ', out);
}

static void role_column(const struct zone_segment *seg, char *buf, size_t size)
{
	snprintf(buf, size, "%s %s",
		 zone_role_is_tier(seg->role) ? "tier" : "attachment",
		 zone_role_name(seg->role));
}

/**
 * zone_model_print_tiers - the tier mapping table
 * @model: the model
 * @out: where to write
 *
 * One row per segment: name, tier or attachment kind, the guideline's
 * name for that role, and the label, so that an operator can see at a
 * glance which local name plays which role.  Returns 0 or -EIO.
 */
int zone_model_print_tiers(const struct zone_model *model, FILE *out)
{
	size_t wname = strlen("segment");
	size_t wrole = strlen("role");
	size_t wguide = strlen("guideline");
	const struct zone_segment *seg;
	char role[48];
	size_t i;

	for (i = 0; i < model->n_segments; i++) {
		seg = &model->segments[i];
		role_column(seg, role, sizeof(role));
		if (strlen(seg->name) > wname)
			wname = strlen(seg->name);
		if (strlen(role) > wrole)
			wrole = strlen(role);
		if (display_width(guideline_names[seg->role]) > wguide)
			wguide = display_width(guideline_names[seg->role]);
	}
	print_padded(out, "segment", wname + 2);
	print_padded(out, "role", wrole + 2);
	print_padded(out, "guideline", wguide + 2);
	fputs("label\n", out);
	for (i = 0; i < model->n_segments; i++) {
		seg = &model->segments[i];
		role_column(seg, role, sizeof(role));
		print_padded(out, seg->name, wname + 2);
		print_padded(out, role, wrole + 2);
		print_padded(out, guideline_names[seg->role], wguide + 2);
		fprintf(out, "%s\n", zone_segment_label(seg));
	}
	return ferror(out) ? -EIO : 0;
}

/* Every segment that lists interface @ifname, comma-separated. */
static void print_carriers(FILE *out, const struct zone_model *m,
			   const char *ifname)
{
	const struct zone_segment *seg;
	bool first = true;
	size_t i;
	size_t k;

	for (i = 0; i < m->n_segments; i++) {
		seg = &m->segments[i];
		for (k = 0; k < seg->n_interfaces; k++) {
			if (strcmp(seg->interfaces[k], ifname) != 0)
				continue;
			fprintf(out, "%s%s %s (%s)", first ? "" : ", ",
				zone_role_is_tier(seg->role) ? "zone" :
							       "attachment",
				seg->name, zone_role_name(seg->role));
			first = false;
		}
	}
}

/* True when interface @k of segment @i is its first mention. */
static bool first_mention(const struct zone_model *m, size_t i, size_t k)
{
	size_t j;
	size_t l;

	for (j = 0; j <= i; j++) {
		for (l = 0; l < m->segments[j].n_interfaces; l++) {
			if (j == i && l == k)
				return true;
			if (strcmp(m->segments[j].interfaces[l],
				   m->segments[i].interfaces[k]) == 0)
				return false;
		}
	}
	return true;
}

static void print_gw_rule_line(FILE *out, const struct zone_gw_rule *r)
{
	char buf[ZONE_PREFIX_STRLEN];
	size_t i;

	fprintf(out, "%-10s %-12s %s %s ", r->outbound ? "outbound" :
							  "management",
		r->name, r->outbound ? "to" : "from", r->seg->name);
	for (i = 0; i < r->n_hosts; i++)
		fprintf(out, "%s%s", i ? "," : "",
			zone_prefix_format(&r->hosts[i], buf, sizeof(buf)));
	fputs(" ", out);
	for (i = 0; i < r->n_services; i++)
		fprintf(out, "%s%s", i ? "," : "",
			zone_service_format(&r->services[i], buf,
					    sizeof(buf)));
	fputs(" (", out);
	print_string(out, r->reason);
	fputs(", ", out);
	print_string(out, r->approved);
	fputs(")\n", out);
}

/**
 * zone_model_print_edges - interfaces and the gateway's own reach
 * @model: the model
 * @out: where to write
 *
 * One line per interface with the segments it carries (every packet
 * through it is bound to them), then who may reach the gateway itself and
 * where the gateway may connect; everything else to or from the gateway
 * is dropped.  Returns 0 or -EIO.
 */
int zone_model_print_edges(const struct zone_model *model, FILE *out)
{
	const struct zone_segment *seg;
	size_t n_in = 0;
	size_t n_out = 0;
	size_t i;
	size_t k;

	fputs("interface        carries\n", out);
	for (i = 0; i < model->n_segments; i++) {
		seg = &model->segments[i];
		for (k = 0; k < seg->n_interfaces; k++) {
			if (!first_mention(model, i, k))
				continue;
			fprintf(out, "%-16s ", seg->interfaces[k]);
			print_carriers(out, model, seg->interfaces[k]);
			fputc('\n', out);
		}
	}
	fputs("any other        nothing: dropped (unknown-interface)\n", out);
	fputs("every packet of a flow, not only its first, enters and leaves by "
	      "its segments' interfaces (spoof, wrong-egress)\n", out);
	for (i = 0; i < model->n_gw_rules; i++) {
		if (model->gw_rules[i].outbound)
			n_out++;
		else
			n_in++;
	}
	fputs("who may reach the gateway:", out);
	fputs(n_in ? "\n" : " nobody\n", out);
	for (i = 0; i < model->n_gw_rules; i++) {
		if (!model->gw_rules[i].outbound)
			print_gw_rule_line(out, &model->gw_rules[i]);
	}
	fputs("where the gateway may go:", out);
	fputs(n_out ? "\n" : " nowhere\n", out);
	for (i = 0; i < model->n_gw_rules; i++) {
		if (model->gw_rules[i].outbound)
			print_gw_rule_line(out, &model->gw_rules[i]);
	}
	fputs("always: replies of its own flows, loopback, IPv6 neighbour discovery, ICMP errors of existing flows\n",
	      out);
	if (model->ha && model->ha->interface) {
		char peer[ZONE_PREFIX_STRLEN];

		zone_addr_format(&model->ha->peer.addr, peer, sizeof(peer));
		fprintf(out,
			"the pair: on %s with %s only: VRRP (proto 112 to its group), conntrackd udp/%u, zoned udp/%u%s\n",
			model->ha->interface, peer, ZONE_HA_CONNTRACKD_PORT,
			ZONE_HA_ZONED_PORT,
			model->ha->peer.addr.family == AF_INET ?
				", IGMP reports out" :
				"");
	}
	return ferror(out) ? -EIO : 0;
}
