/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_ALERT_FMT_H
#define ZONED_ALERT_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert.h"

/*
 * The pure parts of the alerts module (line and journal formatting, the
 * rate budget), apart from the I/O so the unit tests can check them.
 */

/* The most key/value pairs one alert carries. */
#define ALERT_MAX_PAIRS 32
/* The longest line; longer ones end at a pair with " truncated=yes". */
#define ALERT_LINE_MAX 2048
/*
 * The budgets of doc/design.md section 5: every class of events has a bucket
 * of its own, so that no flood of one class can crowd out another.  The
 * bulk classes (deny, flow-start/flow-end) get 100 lines a second, bursts
 * of up to 200; what they cannot send is aggregated per key and summarised
 * with count= (alert_agg).  violation and spoof get the same rate, but a
 * bucket each; the rare state events (drift, policy, clock, and the rest)
 * get 10 a second, bursts of up to 50, per class.
 */
#define ALERT_RATE 100
#define ALERT_BURST 200
#define ALERT_STATE_RATE 10
#define ALERT_STATE_BURST 50

enum alert_class {
	ALERT_CLASS_DENY,
	ALERT_CLASS_FLOW,	/* flow-start, flow-end */
	ALERT_CLASS_VIOLATION,
	ALERT_CLASS_SPOOF,
	ALERT_CLASS_DRIFT,
	ALERT_CLASS_POLICY,
	ALERT_CLASS_CLOCK,
	ALERT_CLASS_STATE,	/* isolate, release, channel-expired, ... */
	ALERT_CLASS_MAX
};

/* alert_event_class - the budget class of @event */
enum alert_class alert_event_class(enum alert_event event);
/* alert_class_name - "deny", "flow", ... for alerts-suppressed class= */
const char *alert_class_name(enum alert_class c);
/* alert_class_aggregates - true for the bulk classes (deny, flow) */
bool alert_class_aggregates(enum alert_class c);
/* alert_class_budget - the rate (lines a second) and burst of class @c */
void alert_class_budget(enum alert_class c, uint64_t *ret_rate,
			uint64_t *ret_burst);

/* The event word ("deny", "policy", ...) and its syslog priority. */
const char *alert_event_name(enum alert_event event);
int alert_event_priority(enum alert_event event);

/* One key=value pair; a NULL value is left out. */
struct alert_pair {
	const char *key;
	const char *value;
};

/**
 * alert_format_value - append @value to @buf as a value of a line
 *
 * Values made of printable bytes other than space, '"', '=' and '\' go
 * as they are (valid UTF-8 included); the others, and the empty string,
 * are double-quoted, with '"' and '\' backslashed, \n \r \t spelled so
 * and any other control byte or invalid UTF-8 as \xHH.
 * Returns the length the result needs (snprintf style, NUL excluded).
 */
size_t alert_format_value(char *buf, size_t size, const char *value);

/**
 * alert_format_line - "EVENT key=value ..." for @event and @pairs
 * @buf: at least ALERT_LINE_MAX bytes are used at most
 *
 * The policy events get their "result" key first.  Returns the length.
 */
size_t alert_format_line(char *buf, size_t size, enum alert_event event,
			 const struct alert_pair *pairs, size_t n_pairs);

/**
 * alert_format_journal - the journal native-protocol datagram
 * @line: the MESSAGE
 * @facility: LOG_AUTHPRIV, ... (the LOG_* value, not shifted down)
 * @event_name: the ZONED_EVENT value
 *
 * Fields MESSAGE, PRIORITY, SYSLOG_FACILITY, SYSLOG_IDENTIFIER=zoned,
 * ZONED_EVENT and ZONED_<KEY> (upper case, other bytes as '_') with the
 * unescaped value; values holding a newline use the binary form.
 * Returns the length, or 0 when @size is too small.
 */
size_t alert_format_journal(char *buf, size_t size, const char *line,
			    int priority, int facility, const char *event_name,
			    const struct alert_pair *pairs, size_t n_pairs);

/* A token bucket over a monotonic clock in nanoseconds. */
struct alert_budget {
	uint64_t rate;		/* tokens per second */
	uint64_t burst;		/* bucket size */
	uint64_t tokens_ns;	/* tokens * 1e9, to keep integer precision */
	uint64_t last_ns;
};

void alert_budget_init(struct alert_budget *b, uint64_t rate, uint64_t burst,
		       uint64_t now_ns);
/* alert_budget_take - true when a line may go out at @now_ns */
bool alert_budget_take(struct alert_budget *b, uint64_t now_ns);

/*
 * alerts_set_journal_path - send journal datagrams to @path instead of
 * the journal's socket (NULL: use syslog(3) only).  For the unit tests.
 * Returns 0 or -errno.
 */
int alerts_set_journal_path(struct alerts *alerts, const char *path);

#endif
