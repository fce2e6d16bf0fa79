/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_TRIAL_H
#define ZONED_TRIAL_H

#include <stdbool.h>
#include <time.h>

struct zoned;
struct zone_model;

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

#endif
