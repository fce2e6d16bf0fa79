/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Alerts to the journal (native fields) or syslog(3), under a budget per
 * class of events (alert_fmt.h), with the bulk classes summarised
 * (alert_agg.h) rather than lost.  Where the journal's socket exists the
 * native protocol alone is used: journald forwards to syslog itself, so
 * sending both would log every alert twice.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "alert_agg.h"
#include "alert_fmt.h"
#include "monotime.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
/* A journal datagram: the line plus each value once more, with names. */
#define JOURNAL_MAX (2 * ALERT_LINE_MAX + 1024)

struct alerts {
	int facility;
	bool to_stderr;
	int journal_fd; /* -1: syslog(3) only */
	struct sockaddr_un journal;
	socklen_t journal_len;
	struct alert_budget budget[ALERT_CLASS_MAX];
	uint64_t suppressed[ALERT_CLASS_MAX]; /* since the last summary */
	uint64_t last_summary_ns;
	struct alert_agg *agg; /* deny and flow lines over their budget */
	struct alerts_stats stats;
};

/**
 * alerts_set_journal_path - send journal datagrams to @path (NULL: use
 * syslog(3) only).  Returns 0 or -errno.
 */
int alerts_set_journal_path(struct alerts *alerts, const char *path)
{
	if (alerts->journal_fd >= 0) {
		close(alerts->journal_fd);
		alerts->journal_fd = -1;
	}
	if (path == NULL)
		return 0;
	if (strlen(path) >= sizeof(alerts->journal.sun_path))
		return -ENAMETOOLONG;
	alerts->journal_fd =
		socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (alerts->journal_fd < 0)
		return -errno;
	memset(&alerts->journal, 0, sizeof(alerts->journal));
	alerts->journal.sun_family = AF_UNIX;
	strcpy(alerts->journal.sun_path, path);
	alerts->journal_len = (socklen_t)sizeof(alerts->journal);
	return 0;
}

/**
 * alerts_new - set up the alert sink
 * @facility: LOG_AUTHPRIV unless the config says otherwise
 *
 * Uses the journal's native socket when it exists, syslog(3) otherwise
 * (log_init() has opened it).  Returns NULL with errno set.
 */
struct alerts *alerts_new(int facility)
{
	struct alerts *alerts;
	uint64_t rate;
	uint64_t burst;
	struct stat st;
	int c;

	alerts = calloc(1, sizeof(*alerts));
	if (alerts == NULL)
		return NULL;
	alerts->agg = alert_agg_new();
	if (alerts->agg == NULL) {
		free(alerts);
		return NULL;
	}
	alerts->facility = facility;
	alerts->journal_fd = -1;
	for (c = 0; c < ALERT_CLASS_MAX; c++) {
		alert_class_budget(c, &rate, &burst);
		alert_budget_init(&alerts->budget[c], rate, burst, mono_ns());
	}
	if (stat(JOURNAL_SOCKET, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    alerts_set_journal_path(alerts, JOURNAL_SOCKET) < 0) {
		/* syslog(3) still works: fall back to it. */
		alerts->journal_fd = -1;
	}
	return alerts;
}

static void alerts_flush(struct alerts *alerts, bool all);

/* alerts_free - close the sink; NULL is fine */
void alerts_free(struct alerts *alerts)
{
	if (alerts == NULL)
		return;
	alerts_flush(alerts, true);
	if (alerts->journal_fd >= 0)
		close(alerts->journal_fd);
	alert_agg_free(alerts->agg);
	free(alerts);
}

/* alerts_set_facility - the facility of later alerts (config reload) */
void alerts_set_facility(struct alerts *alerts, int facility)
{
	alerts->facility = facility;
}

/* alerts_set_stderr - also print every alert line to stderr (-d) */
void alerts_set_stderr(struct alerts *alerts, bool on)
{
	alerts->to_stderr = on;
}

/* alerts_get_stats - copy the counters into @ret */
void alerts_get_stats(const struct alerts *alerts, struct alerts_stats *ret)
{
	*ret = alerts->stats;
}

/* Send to the journal; false when the caller should use syslog(3). */
static bool send_journal(struct alerts *alerts, const char *line, int prio,
			 const char *event, const struct alert_pair *pairs,
			 size_t n_pairs)
{
	char buf[JOURNAL_MAX];
	size_t len;

	len = alert_format_journal(buf, sizeof(buf), line, prio,
				   alerts->facility, event, pairs, n_pairs);
	if (len == 0)
		return false;
	if (sendto(alerts->journal_fd, buf, len, MSG_NOSIGNAL,
		   (struct sockaddr *)&alerts->journal,
		   alerts->journal_len) >= 0)
		return true;
	/* A full socket: count the loss rather than block the loop. */
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		alerts->stats.lost++;
		return true;
	}
	return false;
}

static void send_line(struct alerts *alerts, const char *line, int prio,
		      const char *event, const struct alert_pair *pairs,
		      size_t n_pairs)
{
	if (alerts->to_stderr) {
		fprintf(stderr, "zoned: %s\n", line);
		fflush(stderr);
	}
	alerts->stats.sent++;
	if (alerts->journal_fd >= 0 &&
	    send_journal(alerts, line, prio, event, pairs, n_pairs))
		return;
	syslog(LOG_MAKEPRI(alerts->facility, prio), "%s", line);
}

/* Report what the budgets dropped, at most once a second. */
static void report_suppressed(struct alerts *alerts, uint64_t now)
{
	struct alert_pair pairs[2] = { { "class", NULL }, { "count", NULL } };
	char count[24];
	char line[96];
	int c;

	if (now - alerts->last_summary_ns < 1000000000ull)
		return;
	for (c = 0; c < ALERT_CLASS_MAX; c++) {
		if (alerts->suppressed[c] == 0)
			continue;
		snprintf(count, sizeof(count), "%llu",
			 (unsigned long long)alerts->suppressed[c]);
		pairs[0].value = alert_class_name(c);
		pairs[1].value = count;
		snprintf(line, sizeof(line),
			 "alerts-suppressed class=%s count=%s", pairs[0].value,
			 count);
		send_line(alerts, line, LOG_WARNING, "alerts-suppressed", pairs,
			  2);
		alerts->suppressed[c] = 0;
		alerts->last_summary_ns = now;
	}
}

/* One summary of the aggregation table: it bypasses the budget, whose
 * flood it summarises; the table's size bounds how many there are. */
static void send_summary(void *arg, enum alert_event event,
			 const struct alert_pair *pairs, size_t n_pairs)
{
	struct alerts *alerts = arg;
	char line[ALERT_LINE_MAX];

	alert_format_line(line, sizeof(line), event, pairs, n_pairs);
	send_line(alerts, line, alert_event_priority(event),
		  alert_event_name(event), pairs, n_pairs);
}

/* Summaries whose window ended (all of them when @all), and the counts. */
static void alerts_flush(struct alerts *alerts, bool all)
{
	uint64_t now = mono_ns();

	alert_agg_flush(alerts->agg, now, all, send_summary, alerts);
	if (all)
		alerts->last_summary_ns = 0;
	report_suppressed(alerts, all ? UINT64_MAX / 2 : now);
}

/**
 * alerts_tick - send the summaries due and report alerts the budgets
 * suppressed, at most once a second; called from a one-second timer so
 * that the last count of a storm is reported even when no further alert
 * comes
 */
void alerts_tick(struct alerts *alerts)
{
	alerts_flush(alerts, false);
}

/* Over its class's budget: summarise a bulk alert, count any other. */
static void over_budget(struct alerts *alerts, enum alert_class c,
			enum alert_event event, const struct alert_pair *pairs,
			size_t n_pairs, uint64_t now)
{
	bool empty = true;
	int k;

	alerts->stats.suppressed++;
	if (alert_class_aggregates(c) &&
	    alert_agg_add(alerts->agg, event, pairs, n_pairs, now) == 0) {
		alerts->stats.aggregated++;
		return;
	}
	for (k = 0; k < ALERT_CLASS_MAX; k++)
		if (alerts->suppressed[k])
			empty = false;
	if (empty && now - alerts->last_summary_ns >= 1000000000ull)
		/* Start the one-second window with the storm. */
		alerts->last_summary_ns = now;
	alerts->suppressed[c]++;
	report_suppressed(alerts, now);
}

/**
 * alert_emit - format and send one alert, within its class's budget
 * @...: key, value string pairs ended by a NULL key; NULL values are
 *       left out
 *
 * Over the budget a deny or flow alert is aggregated into a count=
 * summary, any other only counted.  Never blocks.
 */
void alert_emit(struct alerts *alerts, enum alert_event event, ...)
{
	struct alert_pair pairs[ALERT_MAX_PAIRS + 1];
	char line[ALERT_LINE_MAX];
	enum alert_class c = alert_event_class(event);
	uint64_t now = mono_ns();
	size_t skip = 0;
	size_t n = 0;
	const char *key;
	va_list ap;

	/*
	 * The policy events carry "result": alert_format_line() writes it
	 * into the line, the journal gets it as ZONED_RESULT.
	 */
	if (event == ALERT_POLICY_APPLIED || event == ALERT_POLICY_REJECTED) {
		pairs[n].key = "result";
		pairs[n++].value = event == ALERT_POLICY_APPLIED ? "applied" :
								   "rejected";
		skip = 1;
	}
	va_start(ap, event);
	while ((key = va_arg(ap, const char *)) != NULL) {
		const char *value = va_arg(ap, const char *);

		if (n < ALERT_MAX_PAIRS + skip) {
			pairs[n].key = key;
			pairs[n++].value = value;
		}
	}
	va_end(ap);
	if (!alert_budget_take(&alerts->budget[c], now)) {
		over_budget(alerts, c, event, pairs + skip, n - skip, now);
		return;
	}
	report_suppressed(alerts, now);
	alert_format_line(line, sizeof(line), event, pairs + skip, n - skip);
	send_line(alerts, line, alert_event_priority(event),
		  alert_event_name(event), pairs, n);
}
