/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_LOG_H
#define ZONED_LOG_H

#include <stdarg.h>

/*
 * Lifecycle and error logging, shaped after OpenBSD's log.h.  Messages go
 * to stderr while starting up (and always under -d), and to syslog with
 * facility LOG_DAEMON once log_startup_done() is called.  Messages are
 * lower case, without a trailing period; non-fatal ones end ", ignoring".
 * Alerts (the security events of doc/design.md section 5) go through alert.h.
 */
void log_init(int debug, int facility);
void log_startup_done(void);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#endif
