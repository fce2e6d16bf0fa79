/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_RELOAD_H
#define ZONED_RELOAD_H

/*
 * Reloads (SIGHUP, inotify, zonectl), re-applying the model in force
 * (isolation changes, channel expiry, drift), and the channel expiry
 * timer (reload.c).
 */

struct zoned;
struct zone_diag;
struct zone_model;
struct policy_diff_sum;

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
 * reload_open - watch the config's directory (inotify, debounced) and
 * arm the channel expiry timer; reload_close undoes it (NULL-safe).
 * Returns 0 or -errno.
 */
int reload_open(struct zoned *z);
void reload_close(struct zoned *z);

#endif
