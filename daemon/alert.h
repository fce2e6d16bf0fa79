/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_ALERT_H
#define ZONED_ALERT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The alerts of doc/design.md section 5: one line per event, "EVENT key=value
 * ...", to syslog with the configured facility and, where the journal's
 * native socket exists, as journal fields too (ZONED_EVENT=, ZONED_SRC=,
 * ...).  Each class of events has a budget of its own, so that a flood
 * of deny or flow lines never hides a violation, spoof, drift, policy or
 * clock line; deny and flow lines over their budget are summarised with
 * count=, the others counted and reported.
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
	ALERT_CLOCK,
	ALERT_POLICY_ROLLED_BACK,
	ALERT_POLICY_CONFIRMED,
	ALERT_HA_MISMATCH,
	ALERT_HA_AGREE,
	ALERT_HA_PEER,
	ALERT_CHANNEL_CLOSED,
	ALERT_NAME_UNRESOLVED,
	ALERT_NAME_RESOLVED,
	ALERT_MAX
};

struct alerts;

/* alerts_new - NULL with errno set on failure */
struct alerts *alerts_new(int facility);
void alerts_free(struct alerts *alerts);
void alerts_set_facility(struct alerts *alerts, int facility);
/* alerts_set_stderr - also print every alert line to stderr (zoned -d) */
void alerts_set_stderr(struct alerts *alerts, bool on);

/*
 * alerts_tick - call about once a second: sends the summaries of the
 * aggregated deny and flow lines whose window ended, and while a budget
 * suppresses alerts, "alerts-suppressed class=C count=N" at most once a
 * second per class.
 */
void alerts_tick(struct alerts *alerts);

/* What the alerts module did since start, for zonectl status. */
struct alerts_stats {
	uint64_t sent;		/* lines handed to the journal or syslog */
	uint64_t suppressed;	/* over a budget: no line of their own */
	uint64_t aggregated;	/* of those, counted in a count= summary */
	uint64_t lost;		/* the journal socket was full */
};
void alerts_get_stats(const struct alerts *alerts, struct alerts_stats *ret);

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
