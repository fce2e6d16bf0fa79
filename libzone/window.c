// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Recurring weekly windows: parsing, overlap, where an instant falls, and
 * the pieces the kernel checks (see window.h).  The kernel's meta hour is
 * UTC and its meta day follows the kernel timezone (sys_tz), so a window
 * in local time is converted with the UTC offset in force when the ruleset
 * is compiled; zoned compiles again when that offset changes.
 */
#include <stdio.h>
#include <string.h>

#include "window.h"

#define WEEK_SEC (7 * 86400L)

static const char *const day_names[7] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};

static int parse_day(const char *s)
{
	int i;

	for (i = 0; i < 7; i++)
		if (strncmp(s, day_names[i], 3) == 0)
			return i;
	return -1;
}

/* "HH:MM" into minutes of the day; "24:00" only when @end. */
static bool parse_hhmm(const char *s, bool end, int *ret)
{
	int h;
	int m;

	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' ||
	    s[2] != ':' || s[3] < '0' || s[3] > '9' || s[4] < '0' ||
	    s[4] > '9')
		return false;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && (!end || m != 0)))
		return false;
	*ret = h * 60 + m;
	return true;
}

/* The day list: a bit per day (bit 0 Sunday), or 0 when malformed. */
static unsigned int parse_days(const char *s, size_t len)
{
	unsigned int mask = 0;
	size_t i = 0;
	int a;
	int b;

	while (i < len) {
		if (len - i < 3 || (a = parse_day(s + i)) < 0)
			return 0;
		i += 3;
		b = a;
		if (i < len && s[i] == '-') {
			if (len - i < 4 || (b = parse_day(s + i + 1)) < 0 ||
			    b == a)
				return 0;
			i += 4;
		}
		for (;;) {
			if (mask & 1u << a)
				return 0x80; /* a day twice */
			mask |= 1u << a;
			if (a == b)
				break;
			a = (a + 1) % 7;
		}
		if (i < len) {
			if (s[i] != ',' || i + 1 == len)
				return 0;
			i++;
		}
	}
	return mask;
}

const char *zone_window_parse(const char *s, struct zone_window *ret,
			      size_t *ret_n)
{
	const char *sp = strchr(s, ' ');
	unsigned int days;
	size_t n = 0;
	int start;
	int end;
	int len;
	int d;

	if (!sp || sp == s)
		return "is not \"DAYS HH:MM-HH:MM\" (e.g. \"Mon-Fri 09:00-17:00\")";
	days = parse_days(s, (size_t)(sp - s));
	if (days == 0x80)
		return "names a day twice";
	if (days == 0)
		return "has a malformed day list (Mon..Sun, ranges such as Mon-Fri, separated by commas)";
	if (strlen(sp + 1) != 11 || sp[6] != '-' ||
	    !parse_hhmm(sp + 1, false, &start) ||
	    !parse_hhmm(sp + 7, true, &end))
		return "has a malformed time range (HH:MM-HH:MM, 00:00 to 24:00)";
	if (start == end)
		return "is empty (its start equals its end)";
	/* an end not after the start: the window runs into the next day */
	len = end > start ? end - start : 1440 - start + end;
	for (d = 0; d < 7; d++) {
		if (!(days & 1u << d))
			continue;
		ret[n].start = (uint16_t)(d * 1440 + start);
		ret[n].len = (uint16_t)len;
		ret[n].text = 0;
		n++;
	}
	*ret_n = n;
	return NULL;
}

/* minutes from @from forward to @to around the week */
static int week_ahead(int from, int to)
{
	return ((to - from) % ZONE_WEEK_MIN + ZONE_WEEK_MIN) % ZONE_WEEK_MIN;
}

bool zone_window_overlap(const struct zone_window *a,
			 const struct zone_window *b)
{
	return week_ahead(a->start, b->start) < a->len ||
	       week_ahead(b->start, a->start) < b->len;
}

long zone_window_utc_offset(time_t t)
{
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return 0;
	return tm.tm_gmtoff;
}

/* the week-minute (Sunday 00:00 = 0) of local seconds @lt; 1970-01-01 was a Thursday */
static int week_minute(long long lt)
{
	long long m = lt / 60 + 4 * 1440;

	return (int)(((m % ZONE_WEEK_MIN) + ZONE_WEEK_MIN) % ZONE_WEEK_MIN);
}

/* How far ahead a change of the local UTC offset is looked for. */
#define OFFSET_SCAN_SEC (8 * 86400L)
#define OFFSET_STEP_SEC 900

/**
 * zone_window_offset_change - the first instant after @now at which the
 * local UTC offset differs from the one at @now (daylight saving time
 * begins or ends), or 0 when there is none in the next eight days.
 * Offsets change on quarter hours in every zone, so the scan steps by
 * them and then narrows the step down to the second.
 */
time_t zone_window_offset_change(time_t now)
{
	long off = zone_window_utc_offset(now);
	time_t lo = now;
	time_t hi;
	time_t t;

	for (t = now + OFFSET_STEP_SEC; t <= now + OFFSET_SCAN_SEC;
	     t += OFFSET_STEP_SEC) {
		if (zone_window_utc_offset(t) != off)
			break;
		lo = t;
	}
	if (t > now + OFFSET_SCAN_SEC)
		return 0;
	hi = t;
	while (hi - lo > 1) {
		time_t mid = lo + (hi - lo) / 2;

		if (zone_window_utc_offset(mid) != off)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

bool zone_window_at(const struct zone_window *w, time_t t, time_t *ret_open,
		    time_t *ret_close)
{
	long off = zone_window_utc_offset(t);
	long long lt = (long long)t + off;
	long long minute0 = lt - (((lt % 60) + 60) % 60); /* local, whole minute */
	int m = week_minute(lt);
	int into = week_ahead(w->start, m);
	long long open;
	bool inside = into < w->len;

	if (inside)
		open = minute0 - (long long)into * 60;
	else
		open = minute0 + (long long)week_ahead(m, w->start) * 60;
	if (ret_open)
		*ret_open = (time_t)(open - off);
	if (ret_close)
		*ret_close = (time_t)(open + (long long)w->len * 60 - off);
	return inside;
}

static size_t add_piece(struct zone_window_piece *out, size_t n, long p,
			long q, int kernel_minwest)
{
	long kd = (((p - kernel_minwest * 60L) % WEEK_SEC) + WEEK_SEC) %
		  WEEK_SEC;

	out[n].day = (uint8_t)(kd / 86400);
	out[n].lo = (uint32_t)(p % 86400);
	out[n].hi = (uint32_t)((q - 1) % 86400);
	return n + 1;
}

size_t zone_window_pieces(const struct zone_window *w, long utc_off,
			  int kernel_minwest, struct zone_window_piece *out)
{
	/* UTC seconds since Sunday 00:00 UTC, the week wrapped once at most */
	long a = (((long)w->start * 60 - utc_off) % WEEK_SEC + WEEK_SEC) %
		 WEEK_SEC;
	long e = a + (long)w->len * 60;
	long kb = ((kernel_minwest * 60L) % 86400 + 86400) % 86400;
	size_t n = 0;
	long p = a;

	/* cut at every UTC midnight (meta hour wraps) and kernel midnight */
	while (p < e) {
		long q = (p / 86400 + 1) * 86400;
		long k = (p - kb) / 86400 * 86400 + kb;

		if (k <= p)
			k += 86400;
		if (k < q)
			q = k;
		if (q > e)
			q = e;
		n = add_piece(out, n, p % WEEK_SEC, (q - 1) % WEEK_SEC + 1,
			      kernel_minwest);
		p = q;
	}
	return n;
}
