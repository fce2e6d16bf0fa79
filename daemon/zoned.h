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
struct metrics;
struct loop;
struct reload;
struct tablestate;
struct clockwatch;
struct linkwatch;
struct trial;
struct policy_diff_sum;
struct ha;
struct resolver;
struct ctl_shared;

struct zoned {
	int epfd;
	bool quit;
	const char *conf_path;
	const char *socket_path;
	const char *state_dir;		/* isolation state, kept across restarts */

	/*
	 * The policy in force; immutable, but a reload frees it and puts a
	 * new one here: never keep a pointer into it across loop iterations.
	 */
	struct zone_model *model;
	struct zone_ruleset *ruleset;	/* what the kernel holds */
	/*
	 * @model's normalised print as a sealed file, for zonectl diff
	 * (ctl_reload.c): made on the first request and shared by all,
	 * dropped with the model (reload.c); NULL when none.
	 */
	struct ctl_shared *print;
	struct zone_nft *nft;		/* the table's writer socket */
	time_t applied_at;

	struct alerts *alerts;
	struct ctwatch *ct;
	struct nflog *nflog;
	struct nftmon *mon;
	/*
	 * Called around each commit of zoned's own (reload.c); the nftables
	 * monitor sets them to leave its group meanwhile (nftmon.h).  Through
	 * pointers because the monitor calls the reloader to repair drift.
	 */
	void (*commit_begin)(struct zoned *z);
	void (*commit_end)(struct zoned *z);
	struct control *ctl;
	struct isolation *iso;
	struct stats *stats;		/* what the watchers saw (stats.h) */
	struct tablestate *tstate;	/* what was applied last (tablestate.c) */
	struct clockwatch *clock;	/* steps and sync of the clock */
	struct linkwatch *links;	/* interface indexes (linkwatch.c) */
	/*
	 * The compiles' source of those indexes (struct zone_compile_args,
	 * with z->links), set while the link watcher runs; NULL: none known.
	 * A pointer because the watcher re-applies when an index moves.
	 */
	unsigned int (*ifindex)(const char *name, void *links);
	struct metrics *metrics;	/* the textfile writer (metrics.h) */
	struct ha *ha;			/* gateway.ha's hash exchange (ha.h) */
	struct resolver *resolver;	/* breakout by name (resolver.h) */

	/* Owned by daemon/zoned.c, loop.c and reload.c. */
	struct loop *loop;		/* fd -> callback registry of epfd */
	struct reload *reload;		/* inotify, debounce, channel expiry */
	struct trial *trial;		/* zonectl try in progress (trial.c) */
	bool debug;			/* -d */
	/* The first diagnostic of the last failed reload, "" when none. */
	char last_error[512];
};

static inline void zoned_commit_begin(struct zoned *z)
{
	if (z->commit_begin)
		z->commit_begin(z);
}

static inline void zoned_commit_end(struct zoned *z)
{
	if (z->commit_end)
		z->commit_end(z);
}

#endif
