/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_TEST_FAKE_DAEMON_H
#define ZONED_TEST_FAKE_DAEMON_H

/*
 * Test doubles for what a daemon module calls around it, in the object
 * fake_daemon.o that unit tests of daemon modules link before the daemon
 * archive: alerts are kept as "event key=value ..." lines (the event named
 * as alert.c names it), logging goes nowhere, and the loop accepts every
 * fd but has no timers.
 */

/* The first FAKE_ALERT_LINES alerts, and the count of every alert. */
#define FAKE_ALERT_LINES 16384
extern char *lines[FAKE_ALERT_LINES];
extern int n_lines;

/* fake_alerts_clear - forget the alerts kept so far */
void fake_alerts_clear(void);

#endif
