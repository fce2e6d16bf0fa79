/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_NOTIFY_H
#define ZONED_NOTIFY_H

#include <stdint.h>

/*
 * The sd_notify(3) protocol, written by hand so zoned needs no libsystemd:
 * one AF_UNIX datagram of newline-separated KEY=VALUE lines to the socket
 * named by $NOTIFY_SOCKET (a path, or "@name" for the abstract namespace).
 */

/**
 * notify_send - send @state ("READY=1", "STATUS=...\nREADY=1", ...)
 *
 * Returns 1 when sent, 0 when $NOTIFY_SOCKET is unset (not run by a
 * service manager), or -errno.
 */
int notify_send(const char *state);

/* notify_sendf - notify_send() of a formatted state */
int notify_sendf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * notify_watchdog_usec - the watchdog interval the service manager wants
 * @ret_usec: written when the function returns 1
 *
 * Reads $WATCHDOG_USEC, and $WATCHDOG_PID when set (the watchdog is
 * meant for another process unless it names ours).  Returns 1 when the
 * watchdog is enabled for this process, 0 when not, -EINVAL when the
 * variables are malformed.
 */
int notify_watchdog_usec(uint64_t *ret_usec);

#endif
