/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONE_MODEL_H
#define ZONE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <zone/addr.h>

/*
 * The zone model of doc/design.md section 1, as loaded and validated by
 * zone_conf_load().  A loaded model is immutable: a reload builds a new one
 * and swaps it in.  Every object below is owned by its model; the getters
 * return borrowed pointers that live as long as the model.
 *
 * A "segment" is either a municipal zone (it plays a tier) or an attachment
 * (a network outside the municipality).  Alerts and the classifier treat
 * both alike, so they share one type and one role enumeration.
 */

enum zone_role {
	ZONE_ROLE_RESIDENT,		/* tier "resident" */
	ZONE_ROLE_LGWAN,		/* tier "lgwan" */
	ZONE_ROLE_INTERNET_TIER,	/* tier "internet" */
	ZONE_ROLE_LGWAN_WAN,		/* attachment kind "lgwan-wan" */
	ZONE_ROLE_PUBLIC_SYSTEM,	/* attachment kind "public-system" */
	ZONE_ROLE_SECURITY_CLOUD,	/* attachment kind "security-cloud" */
	ZONE_ROLE_INTERNET,		/* attachment kind "internet" */
	ZONE_ROLE_GOV_CLOUD,		/* attachment kind "gov-cloud" */
	ZONE_ROLE_MAX
};

enum zone_profile {
	ZONE_PROFILE_ALPHA,
	ZONE_PROFILE_ALPHA_PRIME,
	ZONE_PROFILE_BETA,
	ZONE_PROFILE_BETA_PRIME,
	ZONE_PROFILE_MAX
};

enum zone_mode {
	ZONE_MODE_ENFORCE,
	ZONE_MODE_MONITOR,
};

enum zone_channel_kind {
	ZONE_CHANNEL_SYSTEM_PAIR,
	ZONE_CHANNEL_PUBLIC_SYSTEM,
	ZONE_CHANNEL_SCREEN_TRANSFER,
	ZONE_CHANNEL_SANITIZE,
	ZONE_CHANNEL_BREAKOUT,
	ZONE_CHANNEL_INBOUND,
	ZONE_CHANNEL_KIND_MAX
};

/* One service of a channel: a protocol and an inclusive port range. */
struct zone_service {
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t port_first;
	uint16_t port_last;
};

struct zone_model;
struct zone_segment;
struct zone_channel;
struct zone_gw_rule;
struct zone_narrow;

/* Names as written in the config ("resident", "alpha-prime", ...). */
const char *zone_role_name(enum zone_role role);
const char *zone_profile_name(enum zone_profile profile);
const char *zone_mode_name(enum zone_mode mode);
const char *zone_channel_kind_name(enum zone_channel_kind kind);

/* zone_role_is_tier - true for the three municipal tiers */
bool zone_role_is_tier(enum zone_role role);

/**
 * zone_model_free - release a model and everything it owns; NULL is fine
 */
void zone_model_free(struct zone_model *model);

const char *zone_model_file(const struct zone_model *model);
enum zone_profile zone_model_profile(const struct zone_model *model);
/* The approval reference of a non-alpha profile, or NULL. */
const char *zone_model_profile_approved(const struct zone_model *model);
enum zone_mode zone_model_mode(const struct zone_model *model);
/* The syslog facility for alerts (LOG_AUTHPRIV unless configured). */
int zone_model_alert_facility(const struct zone_model *model);
/*
 * The metrics file (an absolute path ending in .prom), or NULL when the
 * config has no metrics group; the interval in seconds between writes.
 * Neither is part of the policy hash.
 */
const char *zone_model_metrics_file(const struct zone_model *model);
unsigned int zone_model_metrics_interval(const struct zone_model *model);

/* The bounds of zoned's policy history (the history block). */
#define ZONE_HISTORY_ENTRIES_DEFAULT 100
#define ZONE_HISTORY_ENTRIES_MIN 2
#define ZONE_HISTORY_ENTRIES_MAX 10000
#define ZONE_HISTORY_BYTES_DEFAULT (64LL * 1024 * 1024)
#define ZONE_HISTORY_BYTES_MIN (64LL * 1024)
#define ZONE_HISTORY_BYTES_MAX (1024LL * 1024 * 1024)
size_t zone_model_history_entries(const struct zone_model *model);
size_t zone_model_history_bytes(const struct zone_model *model);

/**
 * zone_model_hash - the policy hash of the normalised model
 *
 * Lower-case hex SHA-256 of zone_model_print()'s normalised config, so two
 * gateways print the same hash exactly when they enforce the same policy,
 * whatever the file's comments, order of keys or spelling of prefixes.
 * gateway.ha is left out: it names the other gateway, so the two members
 * of a pair differ there by design and agree on everything else.
 */
const char *zone_model_hash(const struct zone_model *model);

/*
 * Segments are numbered 0..n-1: zones first in config order, then
 * attachments in config order.  The number is the segment's id in the
 * kernel ruleset and in conntrack marks for the life of this model only.
 */
size_t zone_model_segment_count(const struct zone_model *model);
const struct zone_segment *zone_model_segment(const struct zone_model *model,
					      size_t index);
/* Lookup by name; NULL when there is none. */
const struct zone_segment *
zone_model_segment_by_name(const struct zone_model *model, const char *name);
/*
 * The segment that owns addresses no network names: the attachment of
 * kind "internet" if the config has one, otherwise NULL (such addresses
 * are then treated as the internet all the same: see zone_classify()).
 */
const struct zone_segment *zone_model_catchall(const struct zone_model *model);

size_t zone_segment_index(const struct zone_segment *seg);
const char *zone_segment_name(const struct zone_segment *seg);
/* The label, or the name when the config gives none. */
const char *zone_segment_label(const struct zone_segment *seg);
enum zone_role zone_segment_role(const struct zone_segment *seg);
bool zone_segment_is_zone(const struct zone_segment *seg);
size_t zone_segment_interface_count(const struct zone_segment *seg);
const char *zone_segment_interface(const struct zone_segment *seg, size_t i);
size_t zone_segment_network_count(const struct zone_segment *seg);
const struct zone_prefix *zone_segment_network(const struct zone_segment *seg,
					       size_t i);
/* Where the segment is defined in the config, for diagnostics. */
int zone_segment_line(const struct zone_segment *seg);

size_t zone_model_channel_count(const struct zone_model *model);
const struct zone_channel *zone_model_channel(const struct zone_model *model,
					      size_t index);
const struct zone_channel *
zone_model_channel_by_name(const struct zone_model *model, const char *name);

const char *zone_channel_name(const struct zone_channel *chan);
enum zone_channel_kind zone_channel_kind(const struct zone_channel *chan);
const struct zone_segment *zone_channel_from(const struct zone_channel *chan);
const struct zone_segment *zone_channel_to(const struct zone_channel *chan);
/* Host lists; an empty list means the whole segment. */
size_t zone_channel_from_host_count(const struct zone_channel *chan);
const struct zone_prefix *zone_channel_from_host(const struct zone_channel *c,
						 size_t i);
size_t zone_channel_to_host_count(const struct zone_channel *chan);
const struct zone_prefix *zone_channel_to_host(const struct zone_channel *c,
					       size_t i);
size_t zone_channel_service_count(const struct zone_channel *chan);
const struct zone_service *zone_channel_service(const struct zone_channel *c,
						size_t i);
const char *zone_channel_reason(const struct zone_channel *chan);
const char *zone_channel_approved(const struct zone_channel *chan);
/*
 * zone_channel_expires - true and *ret_when set (UTC seconds: the first
 * instant at which the channel no longer holds) when the channel expires.
 */
bool zone_channel_expires(const struct zone_channel *chan, time_t *ret_when);
/* The original text of "expires", or NULL. */
const char *zone_channel_expires_text(const struct zone_channel *chan);
/* zone_channel_expired - true when @now is at or past the expiry */
bool zone_channel_expired(const struct zone_channel *chan, time_t now);
/* not_before: true and *ret_when set when the channel has one */
bool zone_channel_not_before(const struct zone_channel *chan, time_t *ret_when);
const char *zone_channel_not_before_text(const struct zone_channel *chan);
/* who uses the channel (free text), or NULL */
const char *zone_channel_vendor(const struct zone_channel *chan);
/* from_macs: the Ethernet source addresses the channel admits; none: any */
size_t zone_channel_from_mac_count(const struct zone_channel *chan);
const uint8_t *zone_channel_from_mac(const struct zone_channel *chan, size_t i);
#define ZONE_MAC_STRLEN 18
/* zone_mac_format - "02:00:5e:10:00:01" into @buf (ZONE_MAC_STRLEN) */
const char *zone_mac_format(const uint8_t *mac, char *buf, size_t size);
/* The recurring weekly windows, as written; none: at any time. */
size_t zone_channel_window_count(const struct zone_channel *chan);
const char *zone_channel_window_text(const struct zone_channel *chan, size_t i);
/*
 * zone_channel_window_next - true when window @i is open at @now;
 * *ret_open and *ret_close receive the opening and closing of the
 * occurrence in force at @now, or of the next one.
 */
bool zone_channel_window_next(const struct zone_channel *chan, size_t i,
			      time_t now, time_t *ret_open, time_t *ret_close);
/*
 * zone_channel_open - true when @now is at or after not_before and inside
 * one of the windows (if any); expiry is judged by zone_channel_expired().
 */
bool zone_channel_open(const struct zone_channel *chan, time_t now);
/* zone_window_utc_offset - the local UTC offset at @t (seconds east) */
long zone_window_utc_offset(time_t t);
/*
 * zone_window_offset_change - the first instant after @now with another
 * local UTC offset (daylight saving time), or 0 if none within 8 days
 */
time_t zone_window_offset_change(time_t now);
/*
 * zone_channel_tag - a 20-bit number derived from the channel's name, the
 * same in every model that has a channel of that name (so a flow's mark
 * still names its channel after a reload); unique within one model.
 */
uint32_t zone_channel_tag(const struct zone_channel *chan);
int zone_channel_line(const struct zone_channel *chan);

/*
 * The gateway block: who may reach the gateway's own services
 * (management) and where the gateway itself may connect (outbound).
 * Rules are numbered management first, then outbound, in config order.
 */
size_t zone_model_gw_rule_count(const struct zone_model *model);
const struct zone_gw_rule *zone_model_gw_rule(const struct zone_model *model,
					      size_t index);
const char *zone_gw_rule_name(const struct zone_gw_rule *rule);
/* true for an outbound rule, false for a management rule */
bool zone_gw_rule_is_outbound(const struct zone_gw_rule *rule);
/* the from zone (management) or the to segment (outbound) */
const struct zone_segment *zone_gw_rule_segment(const struct zone_gw_rule *r);
size_t zone_gw_rule_host_count(const struct zone_gw_rule *rule);
const struct zone_prefix *zone_gw_rule_host(const struct zone_gw_rule *rule,
					    size_t i);
size_t zone_gw_rule_service_count(const struct zone_gw_rule *rule);
const struct zone_service *
zone_gw_rule_service(const struct zone_gw_rule *rule, size_t i);
const char *zone_gw_rule_reason(const struct zone_gw_rule *rule);
const char *zone_gw_rule_approved(const struct zone_gw_rule *rule);
int zone_gw_rule_line(const struct zone_gw_rule *rule);

/*
 * gateway.ha: the pair this gateway forms with another (zoned.conf(5),
 * "A gateway pair").  The sync interface carries VRRP, conntrackd's
 * replication and zoned's policy-hash exchange, between this gateway and
 * the peer's single address only.  Without ha, the getters return NULL.
 */
/* UDP ports on the sync link: conntrackd's (its default) and zoned's */
#define ZONE_HA_CONNTRACKD_PORT 3780
#define ZONE_HA_ZONED_PORT 3781
bool zone_model_has_ha(const struct zone_model *model);
const char *zone_model_ha_interface(const struct zone_model *model);
const struct zone_addr *zone_model_ha_peer(const struct zone_model *model);
/* the file holding the pair's shared key */
const char *zone_model_ha_key_file(const struct zone_model *model);
int zone_model_ha_line(const struct zone_model *model);

/*
 * Narrowed cells: an allowed cell (from, to) with narrow entries lets
 * through only what one of its entries matches.
 */
size_t zone_model_narrow_count(const struct zone_model *model);
const struct zone_narrow *zone_model_narrow(const struct zone_model *model,
					    size_t index);
const struct zone_segment *zone_narrow_from(const struct zone_narrow *n);
const struct zone_segment *zone_narrow_to(const struct zone_narrow *n);
/* an empty list means every host of the to segment */
size_t zone_narrow_to_host_count(const struct zone_narrow *n);
const struct zone_prefix *zone_narrow_to_host(const struct zone_narrow *n,
					      size_t i);
/* an empty list means every service */
size_t zone_narrow_service_count(const struct zone_narrow *n);
const struct zone_service *zone_narrow_service(const struct zone_narrow *n,
					       size_t i);
int zone_narrow_line(const struct zone_narrow *n);
/* zone_model_cell_narrowed - true when some narrow entry names the cell */
bool zone_model_cell_narrowed(const struct zone_model *model,
			      const struct zone_segment *from,
			      const struct zone_segment *to);

#endif
