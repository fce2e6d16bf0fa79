/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONE_CONF_H
#define ZONE_CONF_H

#include <stdio.h>

#include <zone/diag.h>
#include <zone/model.h>

#define ZONE_CONF_DEFAULT_PATH "/etc/zoned/zoned.conf"

/*
 * The largest config zoned reads, and so the largest policy the history
 * and zonectl try keep: room for a million networks one a line (about
 * 25 MB), with comments.
 */
#define ZONE_CONF_MAX_SIZE (64L << 20)

enum zone_conf_flags {
	/*
	 * Skip the check that the file is owned by root and not writable by
	 * group or others.  For tests and `zonectl check` of a candidate file
	 * that is not installed yet; the daemon never sets it on its config.
	 */
	ZONE_CONF_NO_OWNER_CHECK = 1 << 0,
};

/**
 * zone_conf_load - read, parse and validate a config file
 * @path: the file
 * @flags: zone_conf_flags
 * @diag: receives every error, each "FILE:LINE: message"
 * @ret_model: the new model on success; the caller owns it
 *
 * All errors are collected before it gives up, so one run shows them all.
 * Returns 0, -EINVAL when the config has errors (listed in @diag), or
 * another -errno when the file cannot be read (also listed in @diag).
 */
int zone_conf_load(const char *path, unsigned int flags,
		   struct zone_diag *diag, struct zone_model **ret_model);

/**
 * zone_conf_warnings - what zoned -t warns about in a valid config: a
 * channel already expired, an allowed cell towards an attachment that no
 * narrow entry names.  Adds "FILE:LINE: warning: ..." lines to @diag and
 * returns how many.
 */
size_t zone_conf_warnings(const struct zone_model *model, time_t now,
			  struct zone_diag *diag);

/**
 * zone_conf_load_string - the same for a config held in memory
 * @text: the config text
 * @name: the name diagnostics use for the file; NULL prints "(stdin)"
 *
 * No ownership check is done.  Used by the fuzzer and the unit tests.
 */
int zone_conf_load_string(const char *text, const char *name,
			  struct zone_diag *diag,
			  struct zone_model **ret_model);

/**
 * zone_conf_load_fd - the same for @size bytes of a file the caller opened
 * and checked (at most ZONE_CONF_MAX_SIZE), read from its offset as a
 * stream: the text is never held whole
 * @name: the name diagnostics use for the file
 *
 * No ownership check is done; @fd stays open.  Returns as zone_conf_load().
 */
int zone_conf_load_fd(int fd, size_t size, const char *name,
		      struct zone_diag *diag, struct zone_model **ret_model);

/**
 * zone_model_print - write the normalised config
 *
 * Fixed key order, canonical prefixes and services, no comments: the text
 * the policy hash is computed over.  It parses again with zone_conf_load()
 * into an equal model.  Returns 0 or -errno.
 */
int zone_model_print(const struct zone_model *model, FILE *out);

/**
 * zone_model_print_tiers - the tier mapping table (segment, role, label)
 * that an operator confirms with `zoned -T`.  Returns 0 or -errno.
 */
int zone_model_print_tiers(const struct zone_model *model, FILE *out);

/*
 * zone_model_print_edges - per interface what it carries, who may reach
 * the gateway itself and where it may go; 0 or -EIO
 */
int zone_model_print_edges(const struct zone_model *model, FILE *out);

#endif
