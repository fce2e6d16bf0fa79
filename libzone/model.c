/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The zone model: name tables and getters.  The derived state and the
 * destructor are in model_build.c, which calls here, never the other way.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zone/model.h>

#include "model_priv.h"

static const char *const role_names[ZONE_ROLE_MAX] = {
	[ZONE_ROLE_RESIDENT] = "resident",
	[ZONE_ROLE_LGWAN] = "lgwan",
	[ZONE_ROLE_INTERNET_TIER] = "internet",
	[ZONE_ROLE_LGWAN_WAN] = "lgwan-wan",
	[ZONE_ROLE_PUBLIC_SYSTEM] = "public-system",
	[ZONE_ROLE_SECURITY_CLOUD] = "security-cloud",
	[ZONE_ROLE_INTERNET] = "internet",
	[ZONE_ROLE_GOV_CLOUD] = "gov-cloud",
};

static const char *const profile_names[ZONE_PROFILE_MAX] = {
	[ZONE_PROFILE_ALPHA] = "alpha",
	[ZONE_PROFILE_ALPHA_PRIME] = "alpha-prime",
	[ZONE_PROFILE_BETA] = "beta",
	[ZONE_PROFILE_BETA_PRIME] = "beta-prime",
};

static const char *const kind_names[ZONE_CHANNEL_KIND_MAX] = {
	[ZONE_CHANNEL_SYSTEM_PAIR] = "system-pair",
	[ZONE_CHANNEL_PUBLIC_SYSTEM] = "public-system",
	[ZONE_CHANNEL_SCREEN_TRANSFER] = "screen-transfer",
	[ZONE_CHANNEL_SANITIZE] = "sanitize",
	[ZONE_CHANNEL_BREAKOUT] = "breakout",
	[ZONE_CHANNEL_INBOUND] = "inbound",
};

/*
 * zone_role_name - the config spelling of a tier or attachment kind.
 * "internet" is both the internet tier and the internet attachment kind;
 * zone_role_is_tier() tells them apart.
 */
const char *zone_role_name(enum zone_role role)
{
	return (unsigned int)role < ZONE_ROLE_MAX ? role_names[role] : "?";
}

/* zone_profile_name - "alpha", "alpha-prime", "beta" or "beta-prime" */
const char *zone_profile_name(enum zone_profile profile)
{
	return (unsigned int)profile < ZONE_PROFILE_MAX ?
		       profile_names[profile] :
		       "?";
}

/* zone_mode_name - "enforce" or "monitor" */
const char *zone_mode_name(enum zone_mode mode)
{
	return mode == ZONE_MODE_MONITOR ? "monitor" : "enforce";
}

/* zone_channel_kind_name - "system-pair", "sanitize", ... */
const char *zone_channel_kind_name(enum zone_channel_kind kind)
{
	return (unsigned int)kind < ZONE_CHANNEL_KIND_MAX ? kind_names[kind] :
							    "?";
}

/* zone_role_is_tier - true for the three municipal tiers */
bool zone_role_is_tier(enum zone_role role)
{
	return role == ZONE_ROLE_RESIDENT || role == ZONE_ROLE_LGWAN ||
	       role == ZONE_ROLE_INTERNET_TIER;
}

const char *zone_model_file(const struct zone_model *model)
{
	return model->file;
}

enum zone_profile zone_model_profile(const struct zone_model *model)
{
	return model->profile;
}

const char *zone_model_profile_approved(const struct zone_model *model)
{
	return model->profile_approved;
}

enum zone_mode zone_model_mode(const struct zone_model *model)
{
	return model->mode;
}

int zone_model_alert_facility(const struct zone_model *model)
{
	return model->alert_facility;
}

const char *zone_model_metrics_file(const struct zone_model *model)
{
	return model->metrics_file;
}

unsigned int zone_model_metrics_interval(const struct zone_model *model)
{
	return model->metrics_interval;
}

size_t zone_model_history_entries(const struct zone_model *model)
{
	return model->history_entries;
}

size_t zone_model_history_bytes(const struct zone_model *model)
{
	return model->history_bytes;
}

const char *zone_model_hash(const struct zone_model *model)
{
	return model->hash;
}

size_t zone_model_segment_count(const struct zone_model *model)
{
	return model->n_segments;
}

/* zone_model_segment - segment @index, or NULL past the end */
const struct zone_segment *zone_model_segment(const struct zone_model *model,
					      size_t index)
{
	return index < model->n_segments ? &model->segments[index] : NULL;
}

/* zone_model_segment_by_name - the segment called @name, or NULL */
const struct zone_segment *
zone_model_segment_by_name(const struct zone_model *model, const char *name)
{
	size_t i;

	/* a model being loaded may hold segments whose name was refused */
	for (i = 0; i < model->n_segments; i++) {
		if (model->segments[i].name &&
		    strcmp(model->segments[i].name, name) == 0)
			return &model->segments[i];
	}
	return NULL;
}

const struct zone_segment *zone_model_catchall(const struct zone_model *model)
{
	return model->catchall;
}

size_t zone_segment_index(const struct zone_segment *seg)
{
	return seg->index;
}

const char *zone_segment_name(const struct zone_segment *seg)
{
	return seg->name;
}

const char *zone_segment_label(const struct zone_segment *seg)
{
	return seg->label ? seg->label : seg->name;
}

enum zone_role zone_segment_role(const struct zone_segment *seg)
{
	return seg->role;
}

bool zone_segment_is_zone(const struct zone_segment *seg)
{
	return zone_role_is_tier(seg->role);
}

size_t zone_segment_interface_count(const struct zone_segment *seg)
{
	return seg->n_interfaces;
}

const char *zone_segment_interface(const struct zone_segment *seg, size_t i)
{
	return i < seg->n_interfaces ? seg->interfaces[i] : NULL;
}

size_t zone_segment_network_count(const struct zone_segment *seg)
{
	return seg->n_networks;
}

const struct zone_prefix *zone_segment_network(const struct zone_segment *seg,
					       size_t i)
{
	return i < seg->n_networks ? &seg->networks[i] : NULL;
}

int zone_segment_line(const struct zone_segment *seg)
{
	return seg->line;
}

size_t zone_model_channel_count(const struct zone_model *model)
{
	return model->n_channels;
}

/* zone_model_channel - channel @index, or NULL past the end */
const struct zone_channel *zone_model_channel(const struct zone_model *model,
					      size_t index)
{
	return index < model->n_channels ? &model->channels[index] : NULL;
}

/* zone_model_channel_by_name - the channel called @name, or NULL */
const struct zone_channel *
zone_model_channel_by_name(const struct zone_model *model, const char *name)
{
	size_t i;

	for (i = 0; i < model->n_channels; i++) {
		if (model->channels[i].name &&
		    strcmp(model->channels[i].name, name) == 0)
			return &model->channels[i];
	}
	return NULL;
}

const char *zone_channel_name(const struct zone_channel *chan)
{
	return chan->name;
}

enum zone_channel_kind zone_channel_kind(const struct zone_channel *chan)
{
	return chan->kind;
}

const struct zone_segment *zone_channel_from(const struct zone_channel *chan)
{
	return chan->from;
}

const struct zone_segment *zone_channel_to(const struct zone_channel *chan)
{
	return chan->to;
}

size_t zone_channel_from_host_count(const struct zone_channel *chan)
{
	return chan->n_from_hosts;
}

const struct zone_prefix *zone_channel_from_host(const struct zone_channel *c,
						 size_t i)
{
	return i < c->n_from_hosts ? &c->from_hosts[i] : NULL;
}

size_t zone_channel_to_host_count(const struct zone_channel *chan)
{
	return chan->n_to_hosts;
}

const struct zone_prefix *zone_channel_to_host(const struct zone_channel *c,
					       size_t i)
{
	return i < c->n_to_hosts ? &c->to_hosts[i] : NULL;
}

size_t zone_channel_service_count(const struct zone_channel *chan)
{
	return chan->n_services;
}

const struct zone_service *zone_channel_service(const struct zone_channel *c,
						size_t i)
{
	return i < c->n_services ? &c->services[i] : NULL;
}

const char *zone_channel_reason(const struct zone_channel *chan)
{
	return chan->reason;
}

const char *zone_channel_approved(const struct zone_channel *chan)
{
	return chan->approved;
}

bool zone_channel_expires(const struct zone_channel *chan, time_t *ret_when)
{
	if (!chan->expires_text)
		return false;
	if (ret_when)
		*ret_when = chan->expires;
	return true;
}

const char *zone_channel_expires_text(const struct zone_channel *chan)
{
	return chan->expires_text;
}

bool zone_channel_expired(const struct zone_channel *chan, time_t now)
{
	return chan->expires_text && now >= chan->expires;
}

bool zone_channel_not_before(const struct zone_channel *chan, time_t *ret_when)
{
	if (!chan->not_before_text)
		return false;
	if (ret_when)
		*ret_when = chan->not_before;
	return true;
}

const char *zone_channel_not_before_text(const struct zone_channel *chan)
{
	return chan->not_before_text;
}

const char *zone_channel_vendor(const struct zone_channel *chan)
{
	return chan->vendor;
}

size_t zone_channel_from_mac_count(const struct zone_channel *chan)
{
	return chan->n_from_macs;
}

const uint8_t *zone_channel_from_mac(const struct zone_channel *chan, size_t i)
{
	return i < chan->n_from_macs ? chan->from_macs[i] : NULL;
}

/* zone_mac_format - "02:00:5e:10:00:01" into @buf (18 bytes) */
const char *zone_mac_format(const uint8_t *mac, char *buf, size_t size)
{
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

size_t zone_channel_window_count(const struct zone_channel *chan)
{
	return chan->n_window_texts;
}

const char *zone_channel_window_text(const struct zone_channel *chan, size_t i)
{
	return i < chan->n_window_texts ? chan->window_texts[i] : NULL;
}

/**
 * zone_channel_window_next - the next opening and closing of window @i
 * @ret_open: the opening of the occurrence in force at @now, or the next
 * @ret_close: when that occurrence closes
 *
 * A window line naming several days has one occurrence per day; the
 * earliest occurrence that has not closed at @now is reported.
 * Returns true when the window is open at @now.
 */
bool zone_channel_window_next(const struct zone_channel *chan, size_t i,
			      time_t now, time_t *ret_open, time_t *ret_close)
{
	time_t best_open = 0;
	time_t best_close = 0;
	bool inside = false;
	size_t k;

	for (k = 0; k < chan->n_windows; k++) {
		const struct zone_window *w = &chan->windows[k];
		time_t o;
		time_t c;

		if (w->text != i)
			continue;
		if (zone_window_at(w, now, &o, &c))
			inside = true;
		if (best_close == 0 || c < best_close) {
			best_open = o;
			best_close = c;
		}
	}
	if (ret_open)
		*ret_open = best_open;
	if (ret_close)
		*ret_close = best_close;
	return inside;
}

bool zone_channel_open(const struct zone_channel *chan, time_t now)
{
	size_t k;

	if (chan->not_before_text && now < chan->not_before)
		return false;
	if (chan->n_windows == 0)
		return true;
	for (k = 0; k < chan->n_windows; k++)
		if (zone_window_at(&chan->windows[k], now, NULL, NULL))
			return true;
	return false;
}

uint32_t zone_channel_tag(const struct zone_channel *chan)
{
	return chan->tag;
}

int zone_channel_line(const struct zone_channel *chan)
{
	return chan->line;
}
