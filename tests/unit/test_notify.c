/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sd_notify protocol against real listening AF_UNIX datagram sockets,
 * on a path and in the abstract namespace, as systemd binds them.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "../../daemon/notify.h"

static int listen_path(char *path, size_t size)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	snprintf(path, size, "/tmp/zoned-test-notify.%d", (int)getpid());
	unlink(path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	strcpy(sun.sun_path, path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/* Bind "\0name" with the exact length, as systemd does for "@name". */
static int listen_abstract(const char *name)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = strlen(name);
	int fd;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	memcpy(sun.sun_path + 1, name, len);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun,
			      offsetof(struct sockaddr_un, sun_path) + 1 + len),
			 0);
	return fd;
}

static const char *recv_str(int fd)
{
	static char buf[4096];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	return buf;
}

START_TEST(test_notify_path_socket)
{
	char path[108];
	int fd = listen_path(path, sizeof(path));

	setenv("NOTIFY_SOCKET", path, 1);
	ck_assert_int_eq(notify_send("READY=1"), 1);
	ck_assert_str_eq(recv_str(fd), "READY=1");
	ck_assert_int_eq(notify_send("RELOADING=1\nSTATUS=reloading"), 1);
	ck_assert_str_eq(recv_str(fd), "RELOADING=1\nSTATUS=reloading");
	ck_assert_int_eq(notify_sendf("ERRNO=%d", 5), 1);
	ck_assert_str_eq(recv_str(fd), "ERRNO=5");
	ck_assert_int_eq(notify_send("STOPPING=1"), 1);
	ck_assert_str_eq(recv_str(fd), "STOPPING=1");
	close(fd);
	unlink(path);
}
END_TEST

START_TEST(test_notify_abstract_socket)
{
	char name[64];
	char env[66];
	int fd;

	snprintf(name, sizeof(name), "zoned-test-notify/%d", (int)getpid());
	fd = listen_abstract(name);
	snprintf(env, sizeof(env), "@%s", name);
	setenv("NOTIFY_SOCKET", env, 1);
	ck_assert_int_eq(notify_send("WATCHDOG=1"), 1);
	ck_assert_str_eq(recv_str(fd), "WATCHDOG=1");
	ck_assert_int_eq(notify_sendf("READY=1\nSTATUS=enforcing %s", "x"), 1);
	ck_assert_str_eq(recv_str(fd), "READY=1\nSTATUS=enforcing x");
	close(fd);
}
END_TEST

START_TEST(test_notify_unset_is_a_no_op)
{
	unsetenv("NOTIFY_SOCKET");
	ck_assert_int_eq(notify_send("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	ck_assert_int_eq(notify_send("READY=1"), 0);
}
END_TEST

START_TEST(test_notify_errors)
{
	char path[108];

	setenv("NOTIFY_SOCKET", "relative/path", 1);
	ck_assert_int_eq(notify_send("READY=1"), -EAFNOSUPPORT);
	snprintf(path, sizeof(path), "/tmp/zoned-test-nobody.%d",
		 (int)getpid());
	unlink(path);
	setenv("NOTIFY_SOCKET", path, 1);
	ck_assert_int_eq(notify_send("READY=1"), -ENOENT);
	setenv("NOTIFY_SOCKET", "@zoned-test-nobody-listens-here", 1);
	ck_assert_int_eq(notify_send("READY=1"), -ECONNREFUSED);
}
END_TEST

START_TEST(test_notify_watchdog)
{
	char pid[16];
	uint64_t usec = 0;

	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	ck_assert_int_eq(notify_watchdog_usec(&usec), 0);
	setenv("WATCHDOG_USEC", "30000000", 1);
	ck_assert_int_eq(notify_watchdog_usec(&usec), 1);
	ck_assert_uint_eq(usec, 30000000);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	ck_assert_int_eq(notify_watchdog_usec(&usec), 1);
	/* Meant for another process: not ours to feed. */
	snprintf(pid, sizeof(pid), "%d", (int)getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1);
	ck_assert_int_eq(notify_watchdog_usec(&usec), 0);
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "12x", 1);
	ck_assert_int_eq(notify_watchdog_usec(&usec), -EINVAL);
	setenv("WATCHDOG_USEC", "0", 1);
	ck_assert_int_eq(notify_watchdog_usec(&usec), -EINVAL);
	setenv("WATCHDOG_USEC", "-5", 1);
	ck_assert_int_eq(notify_watchdog_usec(&usec), -EINVAL);
}
END_TEST

static Suite *notify_suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_notify_path_socket);
	tcase_add_test(tc, test_notify_abstract_socket);
	tcase_add_test(tc, test_notify_unset_is_a_no_op);
	tcase_add_test(tc, test_notify_errors);
	tcase_add_test(tc, test_notify_watchdog);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(notify_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
