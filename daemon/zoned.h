/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_H
#define ZONED_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <zone/addr.h>
#include <zone/model.h>
#include <zone/ruleset.h>

/*
 * The daemon's state: one per process, passed everywhere (no globals but
 * the log settings and the arg_* flags).  One thread, one epoll loop.
 */

struct alerts;
struct ctwatch;
struct nflog;
struct nftmon;
struct control;
struct isolation;
struct stats;

struct zoned;

/* A callback for a ready fd; @events are EPOLL* bits. */
typedef void (*loop_cb)(struct zoned *z, int fd, uint32_t events, void *arg);

struct zoned {
	int epfd;
	bool quit;
	const char *conf_path;
	const char *socket_path;
	const char *state_dir;		/* isolation state, kept across restarts */

	struct zone_model *model;	/* the policy in force; immutable */
	struct zone_ruleset *ruleset;	/* what the kernel holds */
	struct zone_nft *nft;		/* the table's writer socket */
	time_t applied_at;

	struct alerts *alerts;
	struct ctwatch *ct;
	struct nflog *nflog;
	struct nftmon *mon;
	struct control *ctl;
	struct isolation *iso;
	struct stats *stats;		/* what the watchers saw (stats.h) */
};

/*
 * loop_add - watch @fd for @events (EPOLLIN ...) and call @cb when ready
 * Returns 0 or -errno.
 */
int loop_add(struct zoned *z, int fd, uint32_t events, loop_cb cb, void *arg);
/* loop_del - stop watching @fd (before closing it) */
void loop_del(struct zoned *z, int fd);

/*
 * zoned_reload - load the config again and apply it
 * @why: "SIGHUP", "zonectl", "config changed" (for the log)
 *
 * A rejected config keeps the policy in force and raises policy
 * result=rejected.  Returns 0 or -errno.
 */
int zoned_reload(struct zoned *z, const char *why);

/*
 * zoned_reapply - compile the current model again (after an isolation
 * change, a channel expiry or drift) and apply it.  Returns 0 or -errno.
 */
int zoned_reapply(struct zoned *z, const char *why);

#endif
