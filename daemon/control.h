/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_CONTROL_H
#define ZONED_CONTROL_H

#include <stddef.h>

#include <zone/addr.h>

struct zoned;

#define ZONED_SOCKET_DEFAULT "/run/zoned/zoned.sock"
#define ZONED_STATE_DIR_DEFAULT "/var/lib/zoned"

/* The control socket of zonectl(8). */
int control_open(struct zoned *z);
void control_close(struct zoned *z);

/*
 * Isolation (zonectl isolate/release), kept in a state file so that it
 * survives reloads and restarts until released.
 */
struct isolation;
struct zone_model;
/*
 * isolation_load - read the state file under @state_dir (missing: empty)
 * Returns NULL with errno set; EINVAL when the file is damaged (the daemon
 * should then refuse to replace the table, which still isolates).
 */
struct isolation *isolation_load(const char *state_dir);
void isolation_free(struct isolation *iso);
/*
 * isolation_prefixes - the isolated prefixes for zone_ruleset_compile()
 * @model: the model about to be compiled; a target naming a zone or an
 *         attachment is resolved against it (a name it no longer has keeps
 *         the networks it had: isolation fails closed)
 *
 * The array is disjoint (a prefix inside another listed one is left out),
 * borrowed, and valid until the next call or isolation change.  NULL with
 * *ret_n = 0 when nothing is isolated.
 */
const struct zone_prefix *isolation_prefixes(struct isolation *iso,
					     const struct zone_model *model,
					     size_t *ret_n);

#endif
