/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test doubles for what a daemon module calls around it (see
 * fake_daemon.h).  Linked before build/daemon.a, so that the archive's
 * alert.o, log.o and loop.o are not pulled in: a test that needs one of
 * their other symbols fails to link with a duplicate, never silently.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../daemon/alert.h"
#include "../../daemon/alert_fmt.h"
#include "../../daemon/log.h"
#include "../../daemon/loop.h"
#include "fake_daemon.h"

char *lines[FAKE_ALERT_LINES];
int n_lines;

void alert_emit(struct alerts *alerts, enum alert_event event, ...)
{
	char buf[1024];
	size_t len;
	const char *key;
	const char *value;
	va_list ap;

	(void)alerts;
	len = (size_t)snprintf(buf, sizeof(buf), "%s", alert_event_name(event));
	va_start(ap, event);
	while ((key = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		if (value && len < sizeof(buf))
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						" %s=%s", key, value);
	}
	va_end(ap);
	if (n_lines < FAKE_ALERT_LINES)
		lines[n_lines] = strdup(buf);
	n_lines++;
}

/* The facility is syslog's business: nothing to keep here. */
void alerts_set_facility(struct alerts *alerts, int facility)
{
	(void)alerts;
	(void)facility;
}

void fake_alerts_clear(void)
{
	int i;

	for (i = 0; i < n_lines && i < FAKE_ALERT_LINES; i++)
		free(lines[i]);
	n_lines = 0;
}

void log_warn(const char *fmt, ...)
{
	(void)fmt;
}

void log_warnx(const char *fmt, ...)
{
	(void)fmt;
}

void log_info(const char *fmt, ...)
{
	(void)fmt;
}

void log_debug(const char *fmt, ...)
{
	(void)fmt;
}

int loop_add(struct zoned *z, int fd, uint32_t events, loop_cb cb, void *arg)
{
	(void)z;
	(void)fd;
	(void)events;
	(void)cb;
	(void)arg;
	return 0;
}

void loop_del(struct zoned *z, int fd)
{
	(void)z;
	(void)fd;
}

/* No timers: a module that arms one learns it cannot. */
int loop_timer_add(struct zoned *z, int clockid, loop_cb cb, void *arg)
{
	(void)z;
	(void)clockid;
	(void)cb;
	(void)arg;
	return -ENOSYS;
}

int loop_timer_arm(int tfd, uint64_t first_ms, uint64_t interval_ms)
{
	(void)tfd;
	(void)first_ms;
	(void)interval_ms;
	return 0;
}

int loop_timer_arm_at(int tfd, time_t when)
{
	(void)tfd;
	(void)when;
	return 0;
}

int64_t loop_timer_read(int tfd)
{
	(void)tfd;
	return 1;
}

void loop_timer_del(struct zoned *z, int tfd)
{
	(void)z;
	(void)tfd;
}
