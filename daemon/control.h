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
/* isolation_load - read the state file under @state_dir (missing: empty) */
struct isolation *isolation_load(const char *state_dir);
void isolation_free(struct isolation *iso);
/* The isolated prefixes, borrowed, for zone_ruleset_compile(). */
const struct zone_prefix *isolation_prefixes(const struct isolation *iso,
					     size_t *ret_n);

#endif
