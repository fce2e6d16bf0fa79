/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_ALERT_H
#define ZONED_ALERT_H

#include <stdint.h>

/*
 * The alerts of DESIGN.md section 5: one line per event, "EVENT key=value
 * ...", to syslog with the configured facility and, where the journal's
 * native socket exists, as journal fields too (ZONED_EVENT=, ZONED_SRC=,
 * ...).  A global budget keeps an attack from flooding syslog; what it
 * suppresses is counted and reported.
 */
enum alert_event {
	ALERT_DENY,
	ALERT_VIOLATION,
	ALERT_SPOOF,
	ALERT_FLOW_START,
	ALERT_FLOW_END,
	ALERT_DRIFT,
	ALERT_POLICY_APPLIED,
	ALERT_POLICY_REJECTED,
	ALERT_ISOLATE,
	ALERT_RELEASE,
	ALERT_CHANNEL_EXPIRED,
	ALERT_EVENTS_LOST,
	ALERT_MAX
};

struct alerts;

/* alerts_new - NULL with errno set on failure */
struct alerts *alerts_new(int facility);
void alerts_free(struct alerts *alerts);
void alerts_set_facility(struct alerts *alerts, int facility);

/**
 * alert_emit - send one alert
 * @...: key, value pairs of strings, ended by NULL.  Values are quoted
 *       and escaped as needed; a NULL value leaves its key out.
 *
 * Never blocks and never fails visibly: a lost alert is counted.
 */
void alert_emit(struct alerts *alerts, enum alert_event event, ...)
	__attribute__((sentinel));

#endif
