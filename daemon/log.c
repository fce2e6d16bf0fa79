/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lifecycle and error logging, shaped after OpenBSD's log.c: stderr while
 * starting (and always under -d), syslog with LOG_DAEMON afterwards.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "textesc.h"

/* The log settings are the only global state the daemon keeps. */
static int log_debug_flag;
static int log_to_stderr = 1;
static int log_facility = LOG_DAEMON;

/**
 * log_init - set up logging
 * @debug: non-zero for -d: log_debug() messages are shown and every
 *         message also goes to stderr
 * @facility: the syslog facility of lifecycle messages (LOG_DAEMON)
 *
 * Opens syslog now (LOG_NDELAY), before any sandboxing could block it.
 * Alerts share the connection and pass their own facility per message.
 */
void log_init(int debug, int facility)
{
	log_debug_flag = debug;
	log_to_stderr = 1;
	log_facility = facility;
	openlog("zoned", LOG_PID | LOG_NDELAY, facility);
}

/**
 * log_startup_done - from now on log to syslog (and to stderr only
 * under -d)
 */
void log_startup_done(void)
{
	log_to_stderr = log_debug_flag;
}

/*
 * While starting up, stderr is where the operator looks (zoned -t, a
 * failing ExecStart); afterwards syslog.  Under systemd stderr also ends up
 * in the journal, so only -d writes both.  Messages carry names from
 * outside (other tables' chains, interfaces, paths): control and
 * bidirectional characters are escaped, so that one message stays one
 * line and reads as what it holds.
 */
static void log_str(int prio, const char *raw)
{
	char msg[4 * 1024 + 1];

	text_escape(msg, sizeof(msg), raw);
	if (log_to_stderr) {
		fprintf(stderr, "zoned: %s\n", msg);
		fflush(stderr);
	}
	if (!log_to_stderr || log_debug_flag)
		syslog(LOG_MAKEPRI(log_facility, prio), "%s", msg);
}

__attribute__((format(printf, 2, 0)))
static void log_vmsg(int prio, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_str(prio, msg);
}

__attribute__((format(printf, 3, 0)))
static void log_verrno(int prio, int err, const char *fmt, va_list ap)
{
	char msg[1024];

	if (fmt == NULL) {
		snprintf(msg, sizeof(msg), "%s", strerror(err));
	} else {
		vsnprintf(msg, sizeof(msg), fmt, ap);
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), ": %s",
			 strerror(err));
	}
	log_str(prio, msg);
}

/* log_warn - a warning with strerror(errno) appended; errno is kept */
void log_warn(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	log_verrno(LOG_WARNING, err, fmt, ap);
	va_end(ap);
	errno = err;
}

/* log_warnx - a warning */
void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_WARNING, fmt, ap);
	va_end(ap);
}

/* log_info - an informational message */
void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_INFO, fmt, ap);
	va_end(ap);
}

/* log_debug - a message shown only under -d */
void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_debug_flag)
		return;
	va_start(ap, fmt);
	log_vmsg(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

/* fatal - log @fmt with strerror(errno) at LOG_CRIT and exit(1) */
void fatal(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	log_verrno(LOG_CRIT, err, fmt, ap);
	va_end(ap);
	exit(1);
}

/* fatalx - log @fmt at LOG_CRIT and exit(1) */
void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}
