/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the control socket's slots and refusals, linked from the
 * daemon archive: who gets a slot (control.c's ctl_no_slot), and that a
 * refused client reads the reason and status 2 before the end, whenever
 * its request arrives (control_client.c's ctl_send_refusal), over a real
 * AF_UNIX SOCK_SEQPACKET pair.  The interleaving that once lost the refusal under load (a
 * request that arrives after the daemon's drain, before its close) is
 * played here step by step.
 */
#include <sys/socket.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "../../daemon/control_int.h"
#include "../../daemon/ctlmsg.h"

static const char why[] = "zonectl: too many clients, try again later\n";

/* --- slots ---------------------------------------------------------------- */

static struct control ctl;
static struct ctl_client held[CTL_CLIENTS_MAX];

static void slots_reset(void)
{
	memset(&ctl, 0, sizeof(ctl));
	memset(held, 0, sizeof(held));
}

static void hold(uid_t uid, bool may_write)
{
	struct ctl_client *c = &held[ctl.n_clients];

	ck_assert_uint_lt(ctl.n_clients, CTL_CLIENTS_MAX);
	c->uid = uid;
	c->may_write = may_write;
	ctl.clients[ctl.n_clients++] = c;
}

START_TEST(test_slots_readers_leave_room_for_root)
{
	size_t i;

	slots_reset();
	for (i = 0; i < CTL_READERS_MAX; i++) {
		ck_assert_ptr_null(ctl_no_slot(&ctl, 61001 + i, false));
		hold(61001 + i, false);
	}
	ck_assert_str_eq(ctl_no_slot(&ctl, 61100, false),
			 "too many read-only clients");
	/* a refusal takes no slot: asking again gives the same answer */
	ck_assert_uint_eq(ctl.n_clients, CTL_READERS_MAX);
	ck_assert_str_eq(ctl_no_slot(&ctl, 61100, false),
			 "too many read-only clients");
	/* root and the socket's group still find the slots kept for them */
	for (i = CTL_READERS_MAX; i < CTL_CLIENTS_MAX; i++) {
		ck_assert_ptr_null(ctl_no_slot(&ctl, 0, true));
		hold(0, true);
	}
	ck_assert_str_eq(ctl_no_slot(&ctl, 0, true), "too many clients");
	/* one slot freed: a writer may take it, a reader still may not */
	ctl.n_clients--;
	ck_assert_ptr_null(ctl_no_slot(&ctl, 0, true));
	ck_assert_str_eq(ctl_no_slot(&ctl, 61100, false),
			 "too many read-only clients");
}
END_TEST

START_TEST(test_slots_per_user)
{
	size_t i;

	slots_reset();
	for (i = 0; i < CTL_PER_USER_MAX; i++) {
		ck_assert_ptr_null(ctl_no_slot(&ctl, 62000, false));
		hold(62000, false);
	}
	ck_assert_str_eq(ctl_no_slot(&ctl, 62000, false),
			 "too many clients of this user");
	/* the cap is the user's, whatever it may do, and no one else's */
	ck_assert_str_eq(ctl_no_slot(&ctl, 62000, true),
			 "too many clients of this user");
	ck_assert_ptr_null(ctl_no_slot(&ctl, 62001, false));
	/* root is a user too: eight of its own at most */
	slots_reset();
	for (i = 0; i < CTL_PER_USER_MAX; i++)
		hold(0, true);
	ck_assert_str_eq(ctl_no_slot(&ctl, 0, true),
			 "too many clients of this user");
}
END_TEST

/* --- refusals ------------------------------------------------------------- */

static int daemon_fd;
static int client_fd;

static void pair_open(void)
{
	int sv[2];

	ck_assert_int_eq(
		socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	daemon_fd = sv[0];
	client_fd = sv[1];
}

static void pair_close(void)
{
	if (daemon_fd >= 0)
		close(daemon_fd);
	close(client_fd);
	daemon_fd = -1;
}

/* The client's request, as zonectl status sends it. */
static void client_request(bool may_fail)
{
	struct ctl_request req = { .cmd = CTL_CMD_STATUS };
	char buf[CTL_MSG_MAX];
	ssize_t len = ctl_request_encode(&req, buf, sizeof(buf));
	ssize_t n;

	ck_assert_int_gt(len, 0);
	n = send(client_fd, buf, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (may_fail && n < 0)
		ck_assert_int_eq(errno, EPIPE); /* the refusal still waits */
	else
		ck_assert_int_eq(n, len);
}

/* What the client reads: the reason, status 2, then the end of file. */
static void client_reads_refusal(void)
{
	char buf[CTL_MSG_MAX];
	struct ctl_reply r;
	ssize_t n;

	n = recv(client_fd, buf, sizeof(buf), MSG_DONTWAIT);
	ck_assert_msg(n > 0, "the reason was not read: %s",
		      n < 0 ? strerror(errno) : "end of file");
	ck_assert_int_eq(ctl_reply_decode(buf, (size_t)n, &r), 0);
	ck_assert_int_eq(r.type, CTL_T_ERR);
	ck_assert_str_eq(r.text, why);
	n = recv(client_fd, buf, sizeof(buf), MSG_DONTWAIT);
	ck_assert_msg(n > 0, "the status was not read: %s",
		      n < 0 ? strerror(errno) : "end of file");
	ck_assert_int_eq(ctl_reply_decode(buf, (size_t)n, &r), 0);
	ck_assert_int_eq(r.type, CTL_T_END);
	ck_assert_int_eq(r.status, 2);
	ck_assert_int_eq(recv(client_fd, buf, sizeof(buf), MSG_DONTWAIT), 0);
}

START_TEST(test_refusal_after_request)
{
	pair_open();
	client_request(false);
	ctl_send_refusal(daemon_fd, why);
	close(daemon_fd);
	daemon_fd = -1;
	client_reads_refusal();
	pair_close();
}
END_TEST

START_TEST(test_refusal_before_request)
{
	pair_open();
	ctl_send_refusal(daemon_fd, why);
	close(daemon_fd);
	daemon_fd = -1;
	client_request(true);
	client_reads_refusal();
	pair_close();
}
END_TEST

/*
 * The request arrives after the daemon looked for one and before it
 * closes: left unread, it would make close() reset the client, which
 * then reads ECONNRESET instead of the reason.
 */
START_TEST(test_refusal_request_between_drain_and_close)
{
	pair_open();
	ctl_send_refusal(daemon_fd, why);
	client_request(true);
	close(daemon_fd);
	daemon_fd = -1;
	client_reads_refusal();
	pair_close();
}
END_TEST

/* A client that sent many requests unanswered is drained whole. */
START_TEST(test_refusal_after_many_requests)
{
	int i;

	pair_open();
	for (i = 0; i < 32; i++)
		client_request(false);
	ctl_send_refusal(daemon_fd, why);
	client_request(true);
	close(daemon_fd);
	daemon_fd = -1;
	client_reads_refusal();
	pair_close();
}
END_TEST

static Suite *control_suite(void)
{
	Suite *s = suite_create("control");
	TCase *ts = tcase_create("slots");
	TCase *tr = tcase_create("refusal");

	tcase_add_test(ts, test_slots_readers_leave_room_for_root);
	tcase_add_test(ts, test_slots_per_user);
	suite_add_tcase(s, ts);
	tcase_add_test(tr, test_refusal_after_request);
	tcase_add_test(tr, test_refusal_before_request);
	tcase_add_test(tr, test_refusal_request_between_drain_and_close);
	tcase_add_test(tr, test_refusal_after_many_requests);
	suite_add_tcase(s, tr);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(control_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
