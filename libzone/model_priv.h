/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONE_MODEL_PRIV_H
#define ZONE_MODEL_PRIV_H

/*
 * The model's layout, shared by the files of libzone (and by unit tests,
 * which may build fixtures directly).  Everything outside libzone goes
 * through the getters of <zone/model.h>.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <zone/addr.h>
#include <zone/model.h>

#include "window.h"

struct zone_lpm;
struct verdict_index;

struct zone_segment {
	size_t index;
	char *name;
	char *label;		/* NULL when the config gives none */
	enum zone_role role;
	char **interfaces;
	size_t n_interfaces;
	struct zone_prefix *networks;
	size_t n_networks;
	int line;
};

struct zone_channel {
	size_t index;
	char *name;
	enum zone_channel_kind kind;
	const struct zone_segment *from;
	const struct zone_segment *to;
	struct zone_prefix *from_hosts;
	size_t n_from_hosts;
	struct zone_prefix *to_hosts;
	size_t n_to_hosts;
	struct zone_service *services;
	size_t n_services;
	char *reason;
	char *approved;
	char *expires_text;	/* NULL when the channel does not expire */
	time_t expires;		/* first instant the channel no longer holds */
	char *not_before_text;	/* NULL when the channel holds from the start */
	time_t not_before;	/* first instant the channel holds */
	char *vendor;		/* who uses the channel, or NULL */
	uint8_t (*from_macs)[6]; /* Ethernet sources; none: any */
	size_t n_from_macs;
	char **window_texts;	/* the windows as written */
	size_t n_window_texts;
	struct zone_window *windows; /* none: at any time of the week */
	size_t n_windows;
	uint32_t tag;
	int line;
};

/* One rule of the gateway block: management (in) or outbound (out). */
struct zone_gw_rule {
	size_t index;
	char *name;
	bool outbound;
	const struct zone_segment *seg; /* from (management) or to (outbound) */
	struct zone_prefix *hosts; /* from_hosts or to_hosts */
	size_t n_hosts;
	struct zone_service *services;
	size_t n_services;
	char *reason;
	char *approved;
	int line;
};

/* One entry of narrow: what an allowed cell still lets through. */
struct zone_narrow {
	size_t index;
	const struct zone_segment *from;
	const struct zone_segment *to;
	struct zone_prefix *to_hosts; /* empty: every host of to */
	size_t n_to_hosts;
	struct zone_service *services; /* empty: every service */
	size_t n_services;
	int line;
};

/* gateway.ha: the other gateway of an active/backup pair. */
struct zone_ha {
	char *interface;	/* the sync link: VRRP and conntrackd */
	struct zone_prefix peer; /* the peer's address on it (a host) */
	char *key_file;		/* the key of the policy-hash exchange */
	int line;
};

struct zone_model {
	char *file;
	enum zone_profile profile;
	char *profile_approved;
	enum zone_mode mode;
	int alert_facility;
	char *metrics_file;		/* NULL: no metrics */
	unsigned int metrics_interval;	/* seconds */
	size_t history_entries;	/* applied policies zoned keeps */
	size_t history_bytes;	/* and the bytes they may take */
	struct zone_segment *segments;	/* zones first, then attachments */
	size_t n_segments;
	size_t n_zones;
	struct zone_channel *channels;
	size_t n_channels;
	const struct zone_segment *catchall;
	struct zone_gw_rule *gw_rules;	/* management first, then outbound */
	size_t n_gw_rules;
	struct zone_narrow *narrows;
	size_t n_narrows;
	struct zone_ha *ha;		/* NULL: a single gateway */
	/* address -> segment index, built once the model is complete */
	struct zone_lpm *classifier;
	/*
	 * channels by (from, to) segment pair, built by model_finish() with
	 * verdict_index_build(), freed with verdict_index_free() (see
	 * verdict_priv.h); NULL makes the verdict scan every channel
	 */
	struct verdict_index *verdict_index;
	char hash[65];
};

/*
 * model_finish - build the derived state (classifier, channel tags, verdict
 * index, hash) of a model whose fields are all filled in (model_build.c).
 * Returns 0 or -errno.
 */
int model_finish(struct zone_model *model);

/* print.c: zone_model_print() without metrics; gateway.ha only if @with_ha */
int model_print(const struct zone_model *model, FILE *out, bool with_ha);

/* model_edge.c: destructors of the gateway rules and narrow entries */
void model_gw_rule_release(struct zone_gw_rule *rule);
void model_narrow_release(struct zone_narrow *n);
/* model_ha_release - free the ha block; NULL is fine */
void model_ha_release(struct zone_ha *ha);

#endif
