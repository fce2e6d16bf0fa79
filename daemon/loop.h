/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_LOOP_H
#define ZONED_LOOP_H

#include <stdint.h>
#include <time.h>

/* The daemon's one epoll loop (loop.c): fd -> callback, and timers. */

struct zoned;

/* A callback for a ready fd; @events are EPOLL* bits. */
typedef void (*loop_cb)(struct zoned *z, int fd, uint32_t events, void *arg);

/*
 * loop_add - watch @fd for @events (EPOLLIN ...) and call @cb when ready
 * Returns 0 or -errno.
 */
int loop_add(struct zoned *z, int fd, uint32_t events, loop_cb cb, void *arg);
/* loop_del - stop watching @fd (before closing it) */
void loop_del(struct zoned *z, int fd);

/* loop_init - create z->epfd; 0 or -errno.  loop_fini undoes it. */
int loop_init(struct zoned *z);
void loop_fini(struct zoned *z);
/*
 * loop_run - dispatch ready fds until z->quit is set
 * Returns 0, or -errno when epoll itself fails.
 */
int loop_run(struct zoned *z);

/*
 * loop_timer_add - a non-blocking timerfd on @clockid (CLOCK_MONOTONIC,
 * CLOCK_REALTIME), registered with the loop; @cb runs when it expires and
 * must call loop_timer_read().  Returns the fd or -errno.  The timer
 * starts disarmed.
 */
int loop_timer_add(struct zoned *z, int clockid, loop_cb cb, void *arg);
/*
 * loop_timer_arm - first expiry after @first_ms, then every @interval_ms
 * (0: once).  @first_ms 0 disarms.  Returns 0 or -errno.
 */
int loop_timer_arm(int tfd, uint64_t first_ms, uint64_t interval_ms);
/*
 * loop_timer_arm_at - expire once at wall-clock time @when (a
 * CLOCK_REALTIME timer); a clock change makes loop_timer_read() return
 * -ECANCELED so the caller can re-arm.  Returns 0 or -errno.
 */
int loop_timer_arm_at(int tfd, time_t when);
/*
 * loop_timer_read - consume the expirations of @tfd
 * Returns their number (0 if none), or -ECANCELED (clock change) or
 * another -errno.
 */
int64_t loop_timer_read(int tfd);
/* loop_timer_del - loop_del() and close(); a negative @tfd is ignored */
void loop_timer_del(struct zoned *z, int tfd);

/**
 * loop_timer_every - a periodic timer: every @ms from now, on the
 * monotonic clock, @cb runs (loop_timer_add, loop_timer_arm)
 *
 * Returns the timer's fd, or -errno with nothing left open.
 */
static inline int loop_timer_every(struct zoned *z, uint64_t ms, loop_cb cb,
				   void *arg)
{
	int tfd = loop_timer_add(z, CLOCK_MONOTONIC, cb, arg);
	int ret;

	if (tfd < 0)
		return tfd;
	ret = loop_timer_arm(tfd, ms, ms);
	if (ret < 0) {
		loop_timer_del(z, tfd);
		return ret;
	}
	return tfd;
}

#endif
