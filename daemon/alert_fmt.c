/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Alert lines, journal fields and the rate budget: no I/O here, so every
 * byte an operator's log parser depends on is unit-tested.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <zone/utf8.h>

#include "alert_fmt.h"

static const struct {
	const char *name;
	int priority;
	const char *result; /* the policy events' result key */
} alert_events[ALERT_MAX] = {
	[ALERT_DENY] = { "deny", LOG_WARNING, NULL },
	[ALERT_VIOLATION] = { "violation", LOG_ALERT, NULL },
	[ALERT_SPOOF] = { "spoof", LOG_ALERT, NULL },
	[ALERT_FLOW_START] = { "flow-start", LOG_INFO, NULL },
	[ALERT_FLOW_END] = { "flow-end", LOG_INFO, NULL },
	[ALERT_DRIFT] = { "drift", LOG_CRIT, NULL },
	[ALERT_POLICY_APPLIED] = { "policy", LOG_NOTICE, "applied" },
	[ALERT_POLICY_REJECTED] = { "policy", LOG_ERR, "rejected" },
	[ALERT_ISOLATE] = { "isolate", LOG_ALERT, NULL },
	[ALERT_RELEASE] = { "release", LOG_NOTICE, NULL },
	[ALERT_CHANNEL_EXPIRED] = { "channel-expired", LOG_NOTICE, NULL },
	[ALERT_EVENTS_LOST] = { "events-lost", LOG_CRIT, NULL },
	[ALERT_CLOCK] = { "clock", LOG_CRIT, NULL },
	[ALERT_POLICY_ROLLED_BACK] = { "policy", LOG_WARNING, "rolled-back" },
	[ALERT_POLICY_CONFIRMED] = { "policy", LOG_NOTICE, "confirmed" },
	[ALERT_HA_MISMATCH] = { "ha-mismatch", LOG_CRIT, NULL },
	[ALERT_HA_AGREE] = { "ha-agree", LOG_NOTICE, NULL },
	[ALERT_HA_PEER] = { "ha-peer", LOG_WARNING, NULL },
	[ALERT_CHANNEL_CLOSED] = { "channel-closed", LOG_NOTICE, NULL },
	[ALERT_NAME_UNRESOLVED] = { "name-unresolved", LOG_WARNING, NULL },
	[ALERT_NAME_RESOLVED] = { "name-resolved", LOG_NOTICE, NULL },
};

/* alert_event_name - the event word of @event ("policy" for both) */
const char *alert_event_name(enum alert_event event)
{
	if ((unsigned int)event >= ALERT_MAX)
		return "unknown";
	return alert_events[event].name;
}

/**
 * alert_event_class - the budget class of @event
 *
 * Unknown events fall in the state class, which has a budget of its own.
 */
enum alert_class alert_event_class(enum alert_event event)
{
	switch (event) {
	case ALERT_DENY:
		return ALERT_CLASS_DENY;
	case ALERT_FLOW_START:
	case ALERT_FLOW_END:
		return ALERT_CLASS_FLOW;
	case ALERT_VIOLATION:
		return ALERT_CLASS_VIOLATION;
	case ALERT_SPOOF:
		return ALERT_CLASS_SPOOF;
	case ALERT_DRIFT:
		return ALERT_CLASS_DRIFT;
	case ALERT_POLICY_APPLIED:
	case ALERT_POLICY_REJECTED:
	case ALERT_POLICY_ROLLED_BACK:
	case ALERT_POLICY_CONFIRMED:
		return ALERT_CLASS_POLICY;
	case ALERT_CLOCK:
		return ALERT_CLASS_CLOCK;
	default:
		return ALERT_CLASS_STATE;
	}
}

/* alert_class_name - the class word of alerts-suppressed */
const char *alert_class_name(enum alert_class c)
{
	static const char *const names[ALERT_CLASS_MAX] = {
		[ALERT_CLASS_DENY] = "deny",
		[ALERT_CLASS_FLOW] = "flow",
		[ALERT_CLASS_VIOLATION] = "violation",
		[ALERT_CLASS_SPOOF] = "spoof",
		[ALERT_CLASS_DRIFT] = "drift",
		[ALERT_CLASS_POLICY] = "policy",
		[ALERT_CLASS_CLOCK] = "clock",
		[ALERT_CLASS_STATE] = "state",
	};

	if ((unsigned int)c >= ALERT_CLASS_MAX)
		return "unknown";
	return names[c];
}

/* alert_class_aggregates - deny and flow lines are summarised, not lost */
bool alert_class_aggregates(enum alert_class c)
{
	return c == ALERT_CLASS_DENY || c == ALERT_CLASS_FLOW;
}

/* alert_class_budget - the rate and burst of class @c (see alert_fmt.h) */
void alert_class_budget(enum alert_class c, uint64_t *ret_rate,
			uint64_t *ret_burst)
{
	switch (c) {
	case ALERT_CLASS_DENY:
	case ALERT_CLASS_FLOW:
	case ALERT_CLASS_VIOLATION:
	case ALERT_CLASS_SPOOF:
		*ret_rate = ALERT_RATE;
		*ret_burst = ALERT_BURST;
		break;
	default:
		*ret_rate = ALERT_STATE_RATE;
		*ret_burst = ALERT_STATE_BURST;
		break;
	}
}

/* alert_event_priority - the syslog priority of @event (doc/design.md 5) */
int alert_event_priority(enum alert_event event)
{
	if ((unsigned int)event >= ALERT_MAX)
		return LOG_WARNING;
	return alert_events[event].priority;
}

/*
 * The length of the UTF-8 sequence at @s (at most @n bytes) that may stand
 * in a value as it is, or 0: invalid UTF-8 would choke a log reader, and
 * C1 controls and bidirectional formatting characters, which would make a
 * line read differently from what it holds, are escaped like C0 ones.
 */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned int cp;
	size_t len = zone_utf8_len(s, n, &cp);

	return len > 1 && zone_cp_unsafe(cp) ? 0 : len;
}

static bool value_needs_quotes(const char *value)
{
	const unsigned char *s = (const unsigned char *)value;
	size_t n = strlen(value);
	size_t i = 0;
	size_t len;

	if (n == 0)
		return true;
	while (i < n) {
		if (s[i] <= ' ' || s[i] == '"' || s[i] == '=' || s[i] == '\\' ||
		    s[i] == 0x7f)
			return true;
		len = utf8_seq_len(s + i, n - i);
		if (len == 0)
			return true;
		i += len;
	}
	return false;
}

/* Append @len bytes to @buf at @*pos, counting what does not fit. */
static void put(char *buf, size_t size, size_t *pos, const char *s, size_t len)
{
	if (*pos < size) {
		size_t room = size - *pos - 1;

		memcpy(buf + *pos, s, len < room ? len : room);
		buf[*pos + (len < room ? len : room)] = '\0';
	}
	*pos += len;
}

static void put_escaped(char *buf, size_t size, size_t *pos,
			const unsigned char *s, size_t n)
{
	char esc[5];
	size_t len;
	size_t i = 0;

	while (i < n) {
		len = s[i] < 0x80 ? 1 : utf8_seq_len(s + i, n - i);
		if (s[i] == '"' || s[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)s[i];
			put(buf, size, pos, esc, 2);
		} else if (s[i] == '\n') {
			put(buf, size, pos, "\\n", 2);
		} else if (s[i] == '\r') {
			put(buf, size, pos, "\\r", 2);
		} else if (s[i] == '\t') {
			put(buf, size, pos, "\\t", 2);
		} else if (s[i] < ' ' || s[i] == 0x7f || len == 0) {
			snprintf(esc, sizeof(esc), "\\x%02x", s[i]);
			put(buf, size, pos, esc, 4);
			len = 1;
		} else {
			put(buf, size, pos, (const char *)s + i, len);
		}
		i += len;
	}
}

/**
 * alert_format_value - write @value as it goes after "key="
 *
 * Returns the length needed, like snprintf(); @buf is NUL-terminated when
 * @size is not 0.
 */
size_t alert_format_value(char *buf, size_t size, const char *value)
{
	size_t pos = 0;

	if (size > 0)
		buf[0] = '\0';
	if (!value_needs_quotes(value)) {
		put(buf, size, &pos, value, strlen(value));
		return pos;
	}
	put(buf, size, &pos, "\"", 1);
	put_escaped(buf, size, &pos, (const unsigned char *)value,
		    strlen(value));
	put(buf, size, &pos, "\"", 1);
	return pos;
}

/* Append " key=value" if it fits in @limit; false when it does not. */
static bool put_pair(char *buf, size_t limit, size_t *pos, const char *key,
		     const char *value)
{
	size_t start = *pos;
	size_t vlen;

	put(buf, limit, pos, " ", 1);
	put(buf, limit, pos, key, strlen(key));
	put(buf, limit, pos, "=", 1);
	vlen = alert_format_value(*pos < limit ? buf + *pos : NULL,
				  *pos < limit ? limit - *pos : 0, value);
	*pos += vlen;
	if (*pos < limit)
		return true;
	*pos = start;
	buf[start] = '\0';
	return false;
}

/**
 * alert_format_line - "EVENT key=value ..." into @buf
 *
 * A line that would pass ALERT_LINE_MAX ends at the last pair that fits,
 * followed by " truncated=yes".  Returns the length.
 */
size_t alert_format_line(char *buf, size_t size, enum alert_event event,
			 const struct alert_pair *pairs, size_t n_pairs)
{
	static const char trunc[] = " truncated=yes";
	size_t limit = size < ALERT_LINE_MAX ? size : ALERT_LINE_MAX;
	size_t pos = 0;
	size_t i;

	if (limit <= sizeof(trunc))
		return 0;
	/* Keep room for the truncation mark, so it always fits. */
	limit -= sizeof(trunc) - 1;
	put(buf, limit, &pos, alert_event_name(event),
	    strlen(alert_event_name(event)));
	if ((unsigned int)event < ALERT_MAX && alert_events[event].result &&
	    !put_pair(buf, limit, &pos, "result", alert_events[event].result))
		goto out_truncated;
	for (i = 0; i < n_pairs; i++) {
		if (pairs[i].value == NULL)
			continue;
		if (!put_pair(buf, limit, &pos, pairs[i].key, pairs[i].value))
			goto out_truncated;
	}
	return pos;

out_truncated:
	memcpy(buf + pos, trunc, sizeof(trunc));
	return pos + sizeof(trunc) - 1;
}

/* Append one journal field, in the binary form when @value has '\n'. */
static bool put_field(char *buf, size_t size, size_t *pos, const char *name,
		      const char *value)
{
	size_t vlen = strlen(value);
	unsigned char le[8];
	uint64_t n = vlen;
	int i;

	put(buf, size, pos, name, strlen(name));
	if (memchr(value, '\n', vlen) == NULL) {
		put(buf, size, pos, "=", 1);
	} else {
		for (i = 0; i < 8; i++)
			le[i] = (unsigned char)(n >> (8 * i));
		put(buf, size, pos, "\n", 1);
		put(buf, size, pos, (const char *)le, 8);
	}
	put(buf, size, pos, value, vlen);
	put(buf, size, pos, "\n", 1);
	return *pos < size;
}

/* "ZONED_" + @key upper-cased, anything but [A-Z0-9] as '_' */
static void journal_name(char *name, size_t size, const char *key)
{
	size_t i = 0;
	size_t n;

	n = (size_t)snprintf(name, size, "ZONED_");
	for (; key[i] != '\0' && n + 1 < size; i++, n++) {
		char c = key[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			c = '_';
		name[n] = c;
	}
	name[n] = '\0';
}

/**
 * alert_format_journal - the native journal datagram for one alert
 *
 * Returns its length, or 0 when it does not fit in @size.
 */
size_t alert_format_journal(char *buf, size_t size, const char *line,
			    int priority, int facility, const char *event_name,
			    const struct alert_pair *pairs, size_t n_pairs)
{
	char name[64];
	char num[16];
	size_t pos = 0;
	bool ok = true;
	size_t i;

	ok &= put_field(buf, size, &pos, "MESSAGE", line);
	snprintf(num, sizeof(num), "%d", priority);
	ok &= put_field(buf, size, &pos, "PRIORITY", num);
	snprintf(num, sizeof(num), "%d", facility >> 3);
	ok &= put_field(buf, size, &pos, "SYSLOG_FACILITY", num);
	ok &= put_field(buf, size, &pos, "SYSLOG_IDENTIFIER", "zoned");
	ok &= put_field(buf, size, &pos, "ZONED_EVENT", event_name);
	for (i = 0; i < n_pairs; i++) {
		if (pairs[i].value == NULL)
			continue;
		journal_name(name, sizeof(name), pairs[i].key);
		ok &= put_field(buf, size, &pos, name, pairs[i].value);
	}
	return ok ? pos : 0;
}

/* alert_budget_init - a full bucket of @burst lines, refilled at @rate/s */
void alert_budget_init(struct alert_budget *b, uint64_t rate, uint64_t burst,
		       uint64_t now_ns)
{
	b->rate = rate;
	b->burst = burst;
	b->tokens_ns = burst * 1000000000ull;
	b->last_ns = now_ns;
}

/**
 * alert_budget_take - take one line from the bucket at @now_ns
 *
 * Returns true when the line may go out.
 */
bool alert_budget_take(struct alert_budget *b, uint64_t now_ns)
{
	uint64_t max = b->burst * 1000000000ull;
	uint64_t elapsed;

	if (now_ns > b->last_ns) {
		elapsed = now_ns - b->last_ns;
		/* Cap before multiplying, so a long quiet spell cannot wrap. */
		if (elapsed > 1000000000ull * (b->burst + 1))
			b->tokens_ns = max;
		else
			b->tokens_ns += elapsed * b->rate;
		if (b->tokens_ns > max)
			b->tokens_ns = max;
		b->last_ns = now_ns;
	}
	if (b->tokens_ns < 1000000000ull)
		return false;
	b->tokens_ns -= 1000000000ull;
	return true;
}
