/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The clock of doc/design.md section 4: channel expiries and time windows are
 * judged by the kernel against the real-time clock, so a clock that is
 * set (stepped) or that loses its synchronisation can re-open a channel
 * that should be closed.  A CLOCK_REALTIME timerfd armed with
 * TFD_TIMER_CANCEL_ON_SET is cancelled by every set (settimeofday(2),
 * clock_settime(2), adjtimex(2) ADJ_SETOFFSET); the move of a set is the
 * change of real time against monotonic time since the last look.  The
 * sets are counted, and reported as a step when their moves add up to one
 * that matters (clockstep.c).  adjtimex(2), read every second, says
 * whether the kernel considers the clock synchronised (STA_UNSYNC,
 * timex.status).
 */
#include <sys/timerfd.h>
#include <sys/timex.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert.h"
#include "clockstep.h"
#include "clockwatch.h"
#include "log.h"
#include "loop.h"
#include "monotime.h"
#include "zoned.h"

struct clockwatch {
	int tfd;
	struct timespec ref_rt; /* real and monotonic time at the last look */
	struct timespec ref_mono;
	enum clock_sync sync;
	struct clockstep unreported; /* the sets since the last step */
	uint64_t sets; /* every set seen */
	uint64_t steps; /* the sets reported, alone or summed */
	time_t last_step; /* real time after the last step, 0 if none */
	int64_t last_delta_ms;
};

/*
 * CLOCK_SYNC, CLOCK_UNSYNC, or CLOCK_UNKNOWN where adjtimex(2) is refused
 * even for reading (systemd's ProtectClock= filters it).
 */
static enum clock_sync read_sync(void)
{
	struct timex tx;
	int state;

	memset(&tx, 0, sizeof(tx));
	state = adjtimex(&tx);
	if (state < 0)
		return CLOCK_UNKNOWN;
	if (state == TIME_ERROR || (tx.status & STA_UNSYNC))
		return CLOCK_UNSYNC;
	return CLOCK_SYNC;
}

/*
 * Far in the future: only a clock change ends the wait (ECANCELED).  Armed
 * before the clocks are read for the next look, so that a set between the
 * two cancels it again: its move is then in this look or the next, never
 * lost.
 */
static int arm(struct clockwatch *cw)
{
	struct itimerspec its;
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = now.tv_sec + 10 * 365 * 86400L;
	if (timerfd_settime(cw->tfd,
			    TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its,
			    NULL) < 0)
		return -errno;
	return 0;
}

/* "+3600.000s", "-0.250s" */
static void format_delta(int64_t ms, char *buf, size_t size)
{
	uint64_t a = ms < 0 ? (uint64_t)-ms : (uint64_t)ms;

	snprintf(buf, size, "%c%" PRIu64 ".%03us", ms < 0 ? '-' : '+', a / 1000,
		 (unsigned int)(a % 1000));
}

static void report(struct zoned *z, struct clockwatch *cw, int64_t step_ns,
		   uint64_t sets, time_t now)
{
	char delta[32];

	cw->last_delta_ms = step_ns / 1000000;
	cw->last_step = now;
	cw->steps++;
	format_delta(cw->last_delta_ms, delta, sizeof(delta));
	if (sets > 1)
		log_warnx(
			"the real-time clock was set (%s in %" PRIu64
			" sets): channel expiries and windows are judged by it",
			delta, sets);
	else
		log_warnx(
			"the real-time clock was set (%s): channel expiries and windows are judged by it",
			delta);
	alert_emit(z->alerts, ALERT_CLOCK, "state", "step", "delta", delta,
		   NULL);
}

/*
 * After the timerfd said ECANCELED: re-arm, measure the move against the
 * last look, which this look replaces, and report it if the sets since
 * the last step add up to one.
 */
static void on_set(struct zoned *z, struct clockwatch *cw)
{
	struct timespec rt;
	struct timespec mono;
	int64_t interval;
	int64_t move;
	int64_t step;
	uint64_t sets;
	int err;

	err = arm(cw);
	if (err < 0)
		log_warnx("clock watch: %s, ignoring", strerror(-err));
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	interval = timespec_ns(&mono) - timespec_ns(&cw->ref_mono);
	move = (timespec_ns(&rt) - timespec_ns(&cw->ref_rt)) - interval;
	cw->ref_rt = rt;
	cw->ref_mono = mono;
	cw->sets++;
	/* A smaller set is only counted: some hosts set the clock every
	 * second or more often, and a log line each would be a flood. */
	if (clockstep_add(&cw->unreported, move, interval, &step, &sets))
		report(z, cw, step, sets, rt.tv_sec);
}

static void on_step(struct zoned *z, int fd, uint32_t events, void *arg)
{
	struct clockwatch *cw = arg;
	int64_t ret;

	(void)fd;
	(void)events;
	ret = loop_timer_read(cw->tfd);
	if (ret == -ECANCELED)
		on_set(z, cw);
	else if (ret > 0)
		arm(cw);
}

/*
 * A new look without a set: the clocks are read before the timerfd, so a
 * set that the read does not see came after the readings and is measured
 * against them at the next look.
 */
static void look(struct zoned *z, struct clockwatch *cw)
{
	struct timespec rt;
	struct timespec mono;
	int64_t ret;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	ret = loop_timer_read(cw->tfd);
	if (ret == -ECANCELED) {
		on_set(z, cw);
		return;
	}
	cw->ref_rt = rt;
	cw->ref_mono = mono;
	if (ret > 0)
		arm(cw);
}

/**
 * clockwatch_tick - about once a second: a new look at the clocks (so
 * that a set's move holds at most a second of slewing, which clockstep.c
 * takes off) and the synchronisation state, alerted when it changes
 */
void clockwatch_tick(struct zoned *z)
{
	struct clockwatch *cw = z->clock;
	enum clock_sync sync;

	if (cw == NULL)
		return;
	look(z, cw);
	sync = read_sync();
	if (sync == cw->sync || sync == CLOCK_UNKNOWN)
		return;
	cw->sync = sync;
	log_warnx("the real-time clock is %s",
		  sync == CLOCK_SYNC ? "synchronised again" :
				       "no longer synchronised");
	alert_emit(z->alerts, ALERT_CLOCK, "state", clock_sync_name(sync),
		   NULL);
}

/**
 * clockwatch_open - watch for clock steps and synchronisation changes
 *
 * An unsynchronised clock at start is logged, not alerted: only changes
 * raise clock alerts.  Returns 0 or -errno.
 */
int clockwatch_open(struct zoned *z)
{
	struct clockwatch *cw;
	int ret;

	cw = calloc(1, sizeof(*cw));
	if (cw == NULL)
		return -ENOMEM;
	cw->tfd = loop_timer_add(z, CLOCK_REALTIME, on_step, cw);
	if (cw->tfd < 0) {
		ret = cw->tfd;
		free(cw);
		return ret;
	}
	ret = arm(cw);
	if (ret < 0) {
		loop_timer_del(z, cw->tfd);
		free(cw);
		return ret;
	}
	clock_gettime(CLOCK_REALTIME, &cw->ref_rt);
	clock_gettime(CLOCK_MONOTONIC, &cw->ref_mono);
	cw->sync = read_sync();
	if (cw->sync == CLOCK_UNSYNC)
		log_warnx(
			"the real-time clock is not synchronised (adjtimex): channel expiries and windows are judged by it");
	else if (cw->sync == CLOCK_UNKNOWN)
		log_warnx(
			"cannot read the clock's synchronisation (adjtimex: %s): only steps are watched",
			strerror(errno));
	z->clock = cw;
	return 0;
}

/* clockwatch_close - NULL-safe */
void clockwatch_close(struct zoned *z)
{
	struct clockwatch *cw = z->clock;

	if (cw == NULL)
		return;
	loop_timer_del(z, cw->tfd);
	free(cw);
	z->clock = NULL;
}

/* clock_sync_name - "synchronised", "unsynchronised" or "unknown" */
const char *clock_sync_name(enum clock_sync s)
{
	switch (s) {
	case CLOCK_SYNC:
		return "synchronised";
	case CLOCK_UNSYNC:
		return "unsynchronised";
	default:
		return "unknown";
	}
}

/* clockwatch_get - the state for zonectl status and audit */
void clockwatch_get(const struct zoned *z, struct clockwatch_state *ret)
{
	const struct clockwatch *cw = z->clock;

	memset(ret, 0, sizeof(*ret));
	if (cw == NULL) {
		ret->sync = read_sync();
		return;
	}
	ret->sync = cw->sync;
	ret->sets = cw->sets;
	ret->steps = cw->steps;
	ret->last_step = cw->last_step;
	if (cw->steps)
		format_delta(cw->last_delta_ms, ret->last_delta,
			     sizeof(ret->last_delta));
}
