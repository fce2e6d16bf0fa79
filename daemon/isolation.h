/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_ISOLATION_H
#define ZONED_ISOLATION_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <zone/addr.h>

/*
 * The isolation set (zonectl isolate/release), kept in a state file so
 * that it survives reloads and restarts until released.  State only: the
 * commands are in ctl_isolate.c.
 */
struct isolation;
struct zone_model;

#define ISOLATION_REASON_MAX 512

/* One isolation, borrowed from the set; valid until it changes. */
struct isolation_entry {
	const char *target; /* a canonical prefix or a segment name */
	const char *reason;
	time_t since;
	const struct zone_prefix *prefixes; /* as last resolved */
	size_t n_prefixes;
};

/*
 * isolation_load - read the state file under @state_dir (missing: empty)
 * Returns NULL with errno set; EINVAL when the file is damaged (the daemon
 * should then refuse to replace the table, which still isolates).
 */
struct isolation *isolation_load(const char *state_dir);
void isolation_free(struct isolation *iso);
const char *isolation_path(const struct isolation *iso);

/*
 * isolation_prefixes - the isolated prefixes for zone_ruleset_compile()
 * @model: the model about to be compiled; a target naming a zone or an
 *         attachment is resolved against it (a name it no longer has keeps
 *         the networks it had: isolation fails closed)
 *
 * @ret: the prefixes: disjoint (a prefix inside another listed one is
 *       left out), borrowed, and valid until the next call or isolation
 *       change; NULL with *ret_n = 0 when nothing is isolated (or @iso
 *       is NULL)
 *
 * Returns 0, or -ENOMEM: then the caller must not compile, since a table
 * without the isolation would re-open what it cuts off.
 */
int isolation_prefixes(struct isolation *iso, const struct zone_model *model,
		       const struct zone_prefix **ret, size_t *ret_n);

size_t isolation_count(const struct isolation *iso);
void isolation_get(const struct isolation *iso, size_t i,
		   struct isolation_entry *ret);

int isolation_add(struct isolation *iso, const char *target,
		  const struct zone_model *model, const char *reason,
		  time_t now, struct isolation_entry *ret, bool *ret_io);
int isolation_remove(struct isolation *iso, const char *target,
		     char **ret_target);

#endif
