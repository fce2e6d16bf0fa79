/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONE_NAMES_PRIV_H
#define ZONE_NAMES_PRIV_H

/*
 * Breakout by name inside libzone: the hooks the model, the printer, the
 * loader and the compiler call (names.c, conf_names.c, nft_names.c).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <libconfig.h>

struct conf_loader;
struct zone_channel;
struct zone_model;
struct zone_ruleset;
struct zone_flow;

/* names.c */
void model_names_release(struct zone_channel *chan);
void model_names_print_channel(FILE *out, const struct zone_channel *chan);
void model_names_print(FILE *out, const struct zone_model *model);

/* conf_names.c: a channel's to_names (with the channel's other keys) */
void conf_parse_channel_names(struct conf_loader *ld,
			      const config_setting_t *group, size_t index);
/* conf_names.c: the top-level names = { ttl_min; ttl_max; } */
void conf_parse_names(struct conf_loader *ld, const config_setting_t *root);
/* conf_names.c: to_names against the channel's kind, profile and ends */
void conf_check_channel_names(struct conf_loader *ld, size_t index);

/* nft_names.c: the sets of a channel's names, before its rules */
int nft_names_add_sets(struct zone_ruleset *rs,
		       const struct zone_channel *chan);
/* nft_names.c: the set (name and batch id) of @chan's names in @family */
int nft_names_set(const struct zone_ruleset *rs,
		  const struct zone_channel *chan, int family,
		  const char **ret_name, uint32_t *ret_id);

struct nft_rb;
/* nft_names.c: match the destination against @chan's set of @family */
void nft_names_rb_daddr(struct nft_rb *rb, const struct zone_ruleset *rs,
			const struct zone_channel *chan, int family);

/*
 * verdict.c: does the destination side of @chan admit @flow's
 * destination?  to_hosts, or an unexpired address of to_names.
 */
bool names_to_match(const struct zone_channel *chan,
		    const struct zone_flow *flow, time_t now);

#endif
