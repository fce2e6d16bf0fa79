/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONE_WINDOW_H
#define ZONE_WINDOW_H

/*
 * Recurring weekly windows of a channel ("Mon-Fri 09:00-17:00"), in the
 * gateway's local time.  A window is a start (minutes since Sunday 00:00)
 * and a length; one whose end is not after its start crosses midnight and
 * ends on the next day ("Tue 22:00-02:00" is Tuesday 22:00 to Wednesday
 * 02:00).  A day list names the days a window starts on.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <zone/model.h>

#define ZONE_WEEK_MIN (7 * 1440)
#define ZONE_WINDOW_MAX 16	/* windows of one channel */
#define ZONE_WINDOW_DAYS_MAX 7	/* a window line names each day once */

/* One occurrence per week: the window line expands to one per day. */
struct zone_window {
	uint16_t start; /* minutes since Sunday 00:00, local time */
	uint16_t len;	/* minutes, 1 .. 1440 */
	uint16_t text;	/* which window string of the channel */
};

/*
 * The kernel's view of a window piece: meta day (0 = Sunday, by the
 * kernel's timezone) equal to @day and meta hour (UTC seconds of the day)
 * within [@lo, @hi].
 */
struct zone_window_piece {
	uint8_t day;
	uint32_t lo;
	uint32_t hi;
};

/*
 * zone_window_parse - "DAYS HH:MM-HH:MM" into up to ZONE_WINDOW_DAYS_MAX
 * windows; DAYS is a comma-separated list of Mon..Sun and ranges (Mon-Fri,
 * Sat-Sun, Fri-Mon wraps); the end may be 24:00.
 * Returns NULL and sets *ret_n, or why @s is refused.
 */
const char *zone_window_parse(const char *s, struct zone_window *ret,
			      size_t *ret_n);
/* zone_window_overlap - do @a and @b share a minute of the week? */
bool zone_window_overlap(const struct zone_window *a,
			 const struct zone_window *b);
/*
 * zone_window_at - is @t inside @w?  Sets *ret_open to the instant the
 * occurrence holding @t opened (or the next one opens, when @t is outside)
 * and *ret_close to when that occurrence closes.  Local time is taken
 * with the UTC offset in effect at @t.
 */
bool zone_window_at(const struct zone_window *w, time_t t, time_t *ret_open,
		    time_t *ret_close);
/*
 * zone_window_pieces - the (meta day, meta hour) ranges the kernel checks
 * for @w, given the local UTC offset @utc_off (seconds east) and the
 * kernel's timezone @kernel_minwest (minutes west, as settimeofday() set
 * it; meta day counts days in it, meta hour in UTC).
 * @out has room for 4.  Returns the number of pieces.
 */
size_t zone_window_pieces(const struct zone_window *w, long utc_off,
			  int kernel_minwest, struct zone_window_piece *out);

#endif
