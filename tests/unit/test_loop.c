/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the daemon's event loop (daemon/loop.c): a ready fd calls
 * its callback, a callback may remove any other watcher in the middle of a
 * batch without that watcher being called, timers expire and count, and
 * bad fds are refused with an error rather than ignored.
 */
#include <sys/epoll.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "../../daemon/loop.h"
#include "../../daemon/zoned.h"

static struct zoned z;

static void setup(void)
{
	memset(&z, 0, sizeof(z));
	z.epfd = -1;
	ck_assert_int_eq(loop_init(&z), 0);
}

static void teardown(void)
{
	loop_fini(&z);
}

/* A pipe with one byte waiting, so that its read end is ready. */
static void ready_pipe(int p[2])
{
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
}

struct seen {
	int calls;
	uint32_t events;
	int other_fd;		/* removed by this callback, or -1 */
};

static void on_ready(struct zoned *lz, int fd, uint32_t events, void *arg)
{
	struct seen *s = arg;

	(void)fd;
	s->calls++;
	s->events = events;
	if (s->other_fd >= 0)
		loop_del(lz, s->other_fd);
	lz->quit = true;
}

START_TEST(test_loop_ready_fd)
{
	struct seen s = { .other_fd = -1 };
	int p[2];

	ready_pipe(p);
	ck_assert_int_eq(loop_add(&z, p[0], EPOLLIN, on_ready, &s), 0);
	ck_assert_int_eq(loop_run(&z), 0);
	ck_assert_int_eq(s.calls, 1);
	ck_assert(s.events & EPOLLIN);
	loop_del(&z, p[0]);
	close(p[0]);
	close(p[1]);
}
END_TEST

/*
 * Both fds are ready in the same batch and each callback removes the
 * other: whichever runs first, the second must not be called, since the
 * reason to remove a watcher is usually that its state is being freed.
 */
START_TEST(test_loop_del_in_batch)
{
	struct seen a = { 0 };
	struct seen b = { 0 };
	int pa[2];
	int pb[2];

	ready_pipe(pa);
	ready_pipe(pb);
	a.other_fd = pb[0];
	b.other_fd = pa[0];
	ck_assert_int_eq(loop_add(&z, pa[0], EPOLLIN, on_ready, &a), 0);
	ck_assert_int_eq(loop_add(&z, pb[0], EPOLLIN, on_ready, &b), 0);
	ck_assert_int_eq(loop_run(&z), 0);
	ck_assert_int_eq(a.calls + b.calls, 1);
	loop_del(&z, pa[0]);
	loop_del(&z, pb[0]);
	close(pa[0]);
	close(pa[1]);
	close(pb[0]);
	close(pb[1]);
}
END_TEST

/* A removed fd is no longer watched, even though it stays ready. */
START_TEST(test_loop_del_stops_calls)
{
	struct seen s = { .other_fd = -1 };
	struct seen t = { .other_fd = -1 };
	int p[2];
	int q[2];

	ready_pipe(p);
	ready_pipe(q);
	ck_assert_int_eq(loop_add(&z, p[0], EPOLLIN, on_ready, &s), 0);
	loop_del(&z, p[0]);
	ck_assert_int_eq(loop_add(&z, q[0], EPOLLIN, on_ready, &t), 0);
	ck_assert_int_eq(loop_run(&z), 0);
	ck_assert_int_eq(s.calls, 0);
	ck_assert_int_eq(t.calls, 1);
	loop_del(&z, q[0]);
	/* removing what is not watched is harmless */
	loop_del(&z, q[0]);
	loop_del(&z, -1);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}
END_TEST

START_TEST(test_loop_add_bad_fd)
{
	struct seen s = { .other_fd = -1 };
	int p[2];

	ck_assert_int_eq(loop_add(&z, -1, EPOLLIN, on_ready, &s), -EBADF);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(loop_add(&z, p[0], EPOLLIN, on_ready, &s), 0);
	/* the same fd twice would have two handlers for one epoll entry */
	ck_assert_int_eq(loop_add(&z, p[0], EPOLLIN, on_ready, &s), -EEXIST);
	loop_del(&z, p[0]);
	close(p[0]);
	close(p[1]);
}
END_TEST

struct ticks {
	int64_t expired;
	int calls;
};

static void on_tick(struct zoned *lz, int fd, uint32_t events, void *arg)
{
	struct ticks *t = arg;
	int64_t n = loop_timer_read(fd);

	(void)events;
	ck_assert_int_ge(n, 1);
	t->expired += n;
	t->calls++;
	if (t->expired >= 3)
		lz->quit = true;
}

START_TEST(test_loop_timer_every)
{
	struct ticks t = { 0 };
	struct timespec a;
	struct timespec b;
	int tfd;

	clock_gettime(CLOCK_MONOTONIC, &a);
	tfd = loop_timer_every(&z, 5, on_tick, &t);
	ck_assert_int_ge(tfd, 0);
	ck_assert_int_eq(loop_run(&z), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ck_assert_int_ge(t.expired, 3);
	/* three periods of 5 ms cannot pass in less than 15 ms */
	ck_assert_int_ge((b.tv_sec - a.tv_sec) * 1000000000L +
				 (b.tv_nsec - a.tv_nsec),
			 15000000L);
	loop_timer_del(&z, tfd);
	loop_timer_del(&z, -1);
}
END_TEST

START_TEST(test_loop_timer_disarmed)
{
	struct ticks t = { 0 };
	int tfd = loop_timer_add(&z, CLOCK_MONOTONIC, on_tick, &t);

	ck_assert_int_ge(tfd, 0);
	/* a disarmed timer has nothing to read, and reading does not block */
	ck_assert_int_eq(loop_timer_read(tfd), 0);
	ck_assert_int_eq(loop_timer_arm(tfd, 1, 0), 0);
	ck_assert_int_eq(loop_timer_arm(tfd, 0, 0), 0);
	ck_assert_int_eq(loop_timer_read(tfd), 0);
	loop_timer_del(&z, tfd);
}
END_TEST

static Suite *loop_suite(void)
{
	Suite *s = suite_create("loop");
	TCase *tc = tcase_create("loop");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_loop_ready_fd);
	tcase_add_test(tc, test_loop_del_in_batch);
	tcase_add_test(tc, test_loop_del_stops_calls);
	tcase_add_test(tc, test_loop_add_bad_fd);
	tcase_add_test(tc, test_loop_timer_every);
	tcase_add_test(tc, test_loop_timer_disarmed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(loop_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
