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
struct trial;
struct policy_diff_sum;
struct ha;
struct resolver;

struct zoned;

/* A callback for a ready fd; @events are EPOLL* bits. */
typedef void (*loop_cb)(struct zoned *z, int fd, uint32_t events, void *arg);

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
	struct zone_nft *nft;		/* the table's writer socket */
	time_t applied_at;

	struct alerts *alerts;
	struct ctwatch *ct;
	struct nflog *nflog;
	struct nftmon *mon;
	struct control *ctl;
	struct isolation *iso;
	struct stats *stats;		/* what the watchers saw (stats.h) */
	struct tablestate *tstate;	/* what was applied last (tablestate.c) */
	struct clockwatch *clock;	/* steps and sync of the clock */
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

/*
 * loop_add - watch @fd for @events (EPOLLIN ...) and call @cb when ready
 * Returns 0 or -errno.
 */
int loop_add(struct zoned *z, int fd, uint32_t events, loop_cb cb, void *arg);
/* loop_del - stop watching @fd (before closing it) */
void loop_del(struct zoned *z, int fd);

/* loop_init - create z->epfd; 0 or -errno.  loop_fini undoes it. */
int loop_init(struct zoned *z);
void loop_fini(struct zoned *z);
/*
 * loop_run - dispatch ready fds until z->quit is set
 * Returns 0, or -errno when epoll itself fails.
 */
int loop_run(struct zoned *z);

/*
 * loop_timer_add - a non-blocking timerfd on @clockid (CLOCK_MONOTONIC,
 * CLOCK_REALTIME), registered with the loop; @cb runs when it expires and
 * must call loop_timer_read().  Returns the fd or -errno.  The timer
 * starts disarmed.
 */
int loop_timer_add(struct zoned *z, int clockid, loop_cb cb, void *arg);
/*
 * loop_timer_arm - first expiry after @first_ms, then every @interval_ms
 * (0: once).  @first_ms 0 disarms.  Returns 0 or -errno.
 */
int loop_timer_arm(int tfd, uint64_t first_ms, uint64_t interval_ms);
/*
 * loop_timer_arm_at - expire once at wall-clock time @when (a
 * CLOCK_REALTIME timer); a clock change makes loop_timer_read() return
 * -ECANCELED so the caller can re-arm.  Returns 0 or -errno.
 */
int loop_timer_arm_at(int tfd, time_t when);
/*
 * loop_timer_read - consume the expirations of @tfd
 * Returns their number (0 if none), or -ECANCELED (clock change) or
 * another -errno.
 */
int64_t loop_timer_read(int tfd);
/* loop_timer_del - loop_del() and close(); a negative @tfd is ignored */
void loop_timer_del(struct zoned *z, int tfd);

/*
 * zoned_reload - load the config again and apply it
 * @why: "SIGHUP", "zonectl", "config changed" (for the log)
 *
 * A rejected config keeps the policy in force and raises policy
 * result=rejected.  Returns 0 or -errno.
 */
int zoned_reload(struct zoned *z, const char *why);
/* zoned_reload_as - zoned_reload() on behalf of @who (the history's who) */
int zoned_reload_as(struct zoned *z, const char *why, const char *who);

/*
 * zoned_reapply - compile the current model again (after an isolation
 * change, a channel expiry or drift) and apply it.  Returns 0 or -errno.
 */
int zoned_reapply(struct zoned *z, const char *why);
/* zoned_reapply_nosweep - the same without the conntrack sweep after it */
int zoned_reapply_nosweep(struct zoned *z, const char *why);

/*
 * zoned_apply_model - compile @model (with the isolated prefixes) and
 * apply it in one batch; on success it replaces z->model and z->ruleset
 * (takes ownership of @model).  On failure nothing changes, @model stays
 * the caller's and @diag says why.  Raises no alert and sweeps nothing.
 * Returns 0 or -errno.
 */
int zoned_apply_model(struct zoned *z, struct zone_model *model,
		      struct zone_diag *diag);
/*
 * zoned_policy_applied - after zoned_apply_model() of a new config: raise
 * policy result=applied (trigger=@why), report channels already expired
 * and sweep conntrack.
 */
void zoned_policy_applied(struct zoned *z, const char *why);
/*
 * zoned_policy_applied_by - the same, applied by @who, with the summary
 * of the change @sum (NULL: unknown) in the alert and the history
 */
void zoned_policy_applied_by(struct zoned *z, const char *why,
			     const char *who, const struct policy_diff_sum *sum);

/*
 * zonectl try / confirm (trial.c).  trial_refuse - while a try is in
 * progress, refuse the reload asked by @why: log, alert, set last_error
 * and return -EBUSY; else 0.
 */
int trial_refuse(struct zoned *z, const char *why);
/*
 * trial_restore - at start, before the config is loaded: when a try was
 * in progress as zoned stopped, load the confirmed policy kept in the
 * state directory into *@ret_model and return 1; 0 when there was none.
 */
int trial_restore(struct zoned *z, struct zone_model **ret_model);
/* trial_started - after the start policy is applied: report a restore */
void trial_started(struct zoned *z);
void trial_free(struct zoned *z);
/* trial_pending - a try in progress: its deadline and the hash it restores */
bool trial_pending(const struct zoned *z, time_t *ret_deadline,
		   const char **ret_confirmed);

/*
 * reload_open - watch the config's directory (inotify, debounced) and
 * arm the channel expiry timer; reload_close undoes it (NULL-safe).
 * Returns 0 or -errno.
 */
int reload_open(struct zoned *z);
void reload_close(struct zoned *z);

#endif
