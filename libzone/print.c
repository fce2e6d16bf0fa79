/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The normalised config (what the policy hash is computed over, and what
 * `zoned -T` shows) and the tier mapping table an operator confirms.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <zone/conf.h>
#include <zone/proto.h>

#include "conf_priv.h"
#include "model_priv.h"

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

static void print_prefixes(FILE *out, const char *key,
			   const struct zone_prefix *v, size_t n)
{
	char buf[ZONE_PREFIX_STRLEN];
	size_t i;

	if (n == 0)
		return;
	fprintf(out, "    %s = [ ", key);
	for (i = 0; i < n; i++) {
		fprintf(out, "%s\"%s\"", i ? ", " : "",
			zone_prefix_format(&v[i], buf, sizeof(buf)));
	}
	fputs(" ];\n", out);
}

static void print_segment(FILE *out, const struct zone_segment *seg, bool last)
{
	size_t i;

	fputs("  {\n", out);
	print_key(out, "    ", "name", seg->name);
	print_key(out, "    ", zone_role_is_tier(seg->role) ? "tier" : "kind",
		  zone_role_name(seg->role));
	if (seg->label)
		print_key(out, "    ", "label", seg->label);
	if (seg->n_interfaces) {
		fputs("    interfaces = [ ", out);
		for (i = 0; i < seg->n_interfaces; i++) {
			fputs(i ? ", " : "", out);
			print_string(out, seg->interfaces[i]);
		}
		fputs(" ];\n", out);
	}
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
static void print_expires(FILE *out, const struct zone_channel *c)
{
	char buf[32];
	struct tm tm;

	if (strlen(c->expires_text) == 10 || !gmtime_r(&c->expires, &tm) ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		print_key(out, "    ", "expires", c->expires_text);
		return;
	}
	print_key(out, "    ", "expires", buf);
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
		print_expires(out, c);
	fprintf(out, "  }%s\n", last ? "" : ",");
}

/* The policy: everything but metrics; the policy hash is taken of it. */
int model_print_policy(const struct zone_model *model, FILE *out)
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
	fputs("alerts = { facility = ", out);
	print_string(out, facility ? facility : "authpriv");
	fputs("; };\n", out);
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
	int ret = model_print_policy(model, out);

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
};

/* East Asian wide characters (CJK, kana, hangul, full-width forms). */
static bool is_wide(unsigned int cp)
{
	return (cp >= 0x1100 && cp <= 0x115f) ||
	       (cp >= 0x2e80 && cp <= 0xa4cf) ||
	       (cp >= 0xac00 && cp <= 0xd7a3) ||
	       (cp >= 0xf900 && cp <= 0xfaff) ||
	       (cp >= 0xfe30 && cp <= 0xfe4f) ||
	       (cp >= 0xff00 && cp <= 0xff60) ||
	       (cp >= 0xffe0 && cp <= 0xffe6) || cp >= 0x20000;
}

/* Terminal columns of a UTF-8 string: wide characters take 2. */
static size_t display_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned int cp;
	size_t width = 0;

	while (*p) {
		if (*p < 0x80) {
			cp = *p++;
		} else if ((*p & 0xe0) == 0xc0 && p[1]) {
			cp = (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu);
			p += 2;
		} else if ((*p & 0xf0) == 0xe0 && p[1] && p[2]) {
			cp = (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 |
			     (p[2] & 0x3fu);
			p += 3;
		} else {
			cp = 0x20000; /* 4-byte forms: CJK extensions */
			p++;
			while ((*p & 0xc0) == 0x80)
				p++;
		}
		width += is_wide(cp) ? 2 : 1;
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
