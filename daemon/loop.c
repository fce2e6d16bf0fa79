/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one event loop: epoll over every socket, the signalfd and the
 * timerfds.  Handlers removed while a batch of events is dispatched are
 * only marked dead and freed after the batch, so a callback may close any
 * other watcher safely.
 */
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "zoned.h"

/* Bound the work per wakeup: one batch of ready fds at a time. */
#define LOOP_MAX_EVENTS 32

struct loop_handler {
	int fd;
	bool dead;
	loop_cb cb;
	void *arg;
	struct loop_handler *next;
};

struct loop {
	struct loop_handler *handlers;
	bool dispatching;
};

/* loop_init - create the epoll set and the handler registry; 0 or -errno */
int loop_init(struct zoned *z)
{
	z->loop = calloc(1, sizeof(*z->loop));
	if (z->loop == NULL)
		return -ENOMEM;
	z->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (z->epfd < 0) {
		int err = -errno;

		free(z->loop);
		z->loop = NULL;
		return err;
	}
	return 0;
}

static void loop_reap(struct loop *loop)
{
	struct loop_handler **p = &loop->handlers;

	while (*p != NULL) {
		struct loop_handler *h = *p;

		if (h->dead) {
			*p = h->next;
			free(h);
		} else {
			p = &h->next;
		}
	}
}

/* loop_fini - free the registry and close epfd (not the watched fds) */
void loop_fini(struct zoned *z)
{
	struct loop_handler *h;

	if (z->loop != NULL) {
		while ((h = z->loop->handlers) != NULL) {
			z->loop->handlers = h->next;
			free(h);
		}
		free(z->loop);
		z->loop = NULL;
	}
	if (z->epfd >= 0)
		close(z->epfd);
	z->epfd = -1;
}

/**
 * loop_add - watch @fd for @events and call @cb(z, fd, events, @arg)
 *
 * The fd stays the caller's: loop_del() it before closing it.
 * Returns 0 or -errno.
 */
int loop_add(struct zoned *z, int fd, uint32_t events, loop_cb cb, void *arg)
{
	struct epoll_event ev = { .events = events };
	struct loop_handler *h;

	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	h->fd = fd;
	h->cb = cb;
	h->arg = arg;
	ev.data.ptr = h;
	if (epoll_ctl(z->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int err = -errno;

		free(h);
		return err;
	}
	h->next = z->loop->handlers;
	z->loop->handlers = h;
	return 0;
}

/**
 * loop_del - stop watching @fd; safe from inside any callback (the
 * handler is freed after the current batch of events)
 */
void loop_del(struct zoned *z, int fd)
{
	struct loop_handler *h;

	if (z->loop == NULL || fd < 0)
		return;
	for (h = z->loop->handlers; h != NULL; h = h->next) {
		if (h->fd == fd && !h->dead)
			break;
	}
	if (h == NULL)
		return;
	epoll_ctl(z->epfd, EPOLL_CTL_DEL, fd, NULL);
	h->dead = true;
	if (!z->loop->dispatching)
		loop_reap(z->loop);
}

/**
 * loop_run - dispatch events until z->quit is set
 *
 * Returns 0, or -errno when epoll_wait() fails.
 */
int loop_run(struct zoned *z)
{
	struct epoll_event evs[LOOP_MAX_EVENTS];
	int n;
	int i;

	while (!z->quit) {
		n = epoll_wait(z->epfd, evs, LOOP_MAX_EVENTS, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		z->loop->dispatching = true;
		for (i = 0; i < n; i++) {
			struct loop_handler *h = evs[i].data.ptr;

			if (!h->dead)
				h->cb(z, h->fd, evs[i].events, h->arg);
		}
		z->loop->dispatching = false;
		loop_reap(z->loop);
	}
	return 0;
}

/**
 * loop_timer_add - create a disarmed non-blocking timerfd on @clockid and
 * watch it; @cb must consume it with loop_timer_read()
 *
 * Returns the fd (owned by the caller, released with loop_timer_del()) or
 * -errno.
 */
int loop_timer_add(struct zoned *z, int clockid, loop_cb cb, void *arg)
{
	int fd;
	int ret;

	fd = timerfd_create(clockid, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	ret = loop_add(z, fd, EPOLLIN, cb, arg);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

static void ms_to_timespec(uint64_t ms, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ms / 1000);
	ts->tv_nsec = (long)(ms % 1000) * 1000000L;
}

/**
 * loop_timer_arm - expire after @first_ms, then every @interval_ms (0:
 * once); @first_ms 0 disarms.  Returns 0 or -errno.
 */
int loop_timer_arm(int tfd, uint64_t first_ms, uint64_t interval_ms)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	ms_to_timespec(first_ms, &its.it_value);
	ms_to_timespec(interval_ms, &its.it_interval);
	if (timerfd_settime(tfd, 0, &its, NULL) < 0)
		return -errno;
	return 0;
}

/**
 * loop_timer_arm_at - expire once at wall-clock @when; a clock change
 * cancels it (loop_timer_read() returns -ECANCELED).  Returns 0 or -errno.
 */
int loop_timer_arm_at(int tfd, time_t when)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	/* A time already past expires at once; 0 would disarm instead. */
	its.it_value.tv_sec = when > 0 ? when : 1;
	if (timerfd_settime(tfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
			    &its, NULL) < 0)
		return -errno;
	return 0;
}

/**
 * loop_timer_read - consume @tfd's expirations
 *
 * Returns their number, 0 when there were none, or -errno (-ECANCELED
 * after a clock change on a loop_timer_arm_at() timer).
 */
int64_t loop_timer_read(int tfd)
{
	uint64_t n;

	if (read(tfd, &n, sizeof(n)) != (ssize_t)sizeof(n)) {
		if (errno == EAGAIN)
			return 0;
		return -errno;
	}
	return (int64_t)n;
}

/* loop_timer_del - stop watching and close @tfd; a negative @tfd is fine */
void loop_timer_del(struct zoned *z, int tfd)
{
	if (tfd < 0)
		return;
	loop_del(z, tfd);
	close(tfd);
}
