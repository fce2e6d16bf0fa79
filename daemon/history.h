/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_HISTORY_H
#define ZONED_HISTORY_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * The policy history in the state directory (history.c): every policy
 * applied, by hash, with when, who and the trigger.
 */

struct zoned;
struct zone_model;

/*
 * history_record - keep z->model, applied by @who for @trigger, with the
 * summary @changes (or NULL); prunes to the history block's bounds.
 * Returns 0 or -errno.
 */
int history_record(struct zoned *z, const char *who, const char *trigger,
		   const char *changes);

/* history_peer_name - "NAME" of @uid, or "uid:N"; @buf of 64 bytes */
const char *history_peer_name(uid_t uid, char *buf, size_t size);

/*
 * history_load - parse the kept policy of full hash @hash into a model
 * (checked to have that hash).  Returns 0 or -errno.
 */
int history_load(struct zoned *z, const char *hash,
		 struct zone_model **ret_model);

/* history_write_file - replace @path with @text by rename; 0 or -errno */
int history_write_file(const char *path, const char *text, size_t len);
/* history_write_with - replace @path with what @fill writes; see history.c */
int history_write_with(const char *path, int (*fill)(FILE *f, const void *arg),
		       const void *arg);
/* history_fill_policy - @fill for history_write_with(): the model @arg */
int history_fill_policy(FILE *f, const void *arg);

struct zone_diag;
/*
 * history_state_load - parse a policy file zoned wrote in its state
 * directory (owned by zoned's own user).  Returns 0 or -errno.
 */
int history_state_load(const char *path, struct zone_diag *diag,
		       struct zone_model **ret_model);

struct policy_diff;
/*
 * history_diff_last - compare the newest kept policy with z->model into
 * @d (d->out NULL: the summary only).  Returns 0, or -errno when there is
 * no kept policy to compare with.
 */
int history_diff_last(struct zoned *z, struct policy_diff *d);

#endif
