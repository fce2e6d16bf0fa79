/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of daemon/ctlmsg.c, the control socket's wire format, linked
 * from the daemon archive.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "../../daemon/ctlmsg.h"
#include "../../daemon/json.h"

/* Offsets of the header fields, as ctlmsg.h documents them. */
#define OFF_VERSION 0
#define OFF_TYPE 2
#define OFF_LEN 4
#define OFF_CODE 8
#define OFF_FLAGS 12
#define OFF_ARGC 14

static void put16(char *buf, size_t off, uint16_t v)
{
	memcpy(buf + off, &v, sizeof(v));
}

static void put32(char *buf, size_t off, uint32_t v)
{
	memcpy(buf + off, &v, sizeof(v));
}

static ssize_t encode(char *buf, size_t size, enum ctl_cmd cmd,
		      unsigned int flags, size_t argc, const char **argv)
{
	struct ctl_request req = { .cmd = cmd, .flags = flags, .argc = argc };
	size_t i;

	/* argc may exceed the array on purpose: the encoder must refuse it */
	for (i = 0; i < argc && i < CTL_ARGS_MAX; i++)
		req.argv[i] = argv[i];
	return ctl_request_encode(&req, buf, size);
}

START_TEST(test_ctlmsg_request_roundtrip)
{
	const char *argv[] = { "10.1.0.5", "10.3.0.9", "tcp/443" };
	char buf[CTL_MSG_MAX];
	struct ctl_request req;
	ssize_t len;

	len = encode(buf, sizeof(buf), CTL_CMD_EXPLAIN, CTL_F_JSON, 3, argv);
	ck_assert_int_eq(len, CTL_HDR_LEN + 9 + 9 + 8);
	ck_assert_int_eq(ctl_request_decode(buf, (size_t)len, &req), 0);
	ck_assert_int_eq(req.cmd, CTL_CMD_EXPLAIN);
	ck_assert_uint_eq(req.flags, CTL_F_JSON);
	ck_assert_uint_eq(req.argc, 3);
	ck_assert_str_eq(req.argv[0], "10.1.0.5");
	ck_assert_str_eq(req.argv[1], "10.3.0.9");
	ck_assert_str_eq(req.argv[2], "tcp/443");
	/* the arguments point into the message, not into a copy */
	ck_assert_ptr_eq(req.argv[0], buf + CTL_HDR_LEN);
}
END_TEST

/* zonectl diff and show ask for a policy as a file; nothing else is new */
START_TEST(test_ctlmsg_request_file_flag)
{
	const char *argv[] = { "3f2a9c1e" };
	char buf[CTL_MSG_MAX];
	struct ctl_request req;
	ssize_t len;

	len = encode(buf, sizeof(buf), CTL_CMD_SHOW, CTL_F_FILE, 1, argv);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(ctl_request_decode(buf, (size_t)len, &req), 0);
	ck_assert_uint_eq(req.flags, CTL_F_FILE);
	ck_assert_int_eq(encode(buf, sizeof(buf), CTL_CMD_CONFIG,
				CTL_F_FILE << 1, 0, NULL),
			 -EINVAL);
}
END_TEST

START_TEST(test_ctlmsg_request_empty_and_utf8_args)
{
	const char *argv[] = { "jumin", "", "感染の疑い" };
	char buf[CTL_MSG_MAX];
	struct ctl_request req;
	ssize_t len;

	len = encode(buf, sizeof(buf), CTL_CMD_STATUS, 0, 0, NULL);
	ck_assert_int_eq(len, CTL_HDR_LEN);
	ck_assert_int_eq(ctl_request_decode(buf, (size_t)len, &req), 0);
	ck_assert_int_eq(req.cmd, CTL_CMD_STATUS);
	ck_assert_uint_eq(req.argc, 0);

	/* an empty argument is still an argument */
	len = encode(buf, sizeof(buf), CTL_CMD_ISOLATE, 0, 3, argv);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(ctl_request_decode(buf, (size_t)len, &req), 0);
	ck_assert_uint_eq(req.argc, 3);
	ck_assert_str_eq(req.argv[1], "");
	ck_assert_str_eq(req.argv[2], "感染の疑い");
}
END_TEST

START_TEST(test_ctlmsg_request_truncated_rejected)
{
	const char *argv[] = { "10.1.0.5", "quarantine" };
	char buf[CTL_MSG_MAX];
	struct ctl_request req;
	ssize_t len;
	size_t cut;

	len = encode(buf, sizeof(buf), CTL_CMD_ISOLATE, 0, 2, argv);
	ck_assert_int_gt(len, 0);
	/* every shorter prefix of the message is refused */
	for (cut = 0; cut < (size_t)len; cut++)
		ck_assert_int_eq(ctl_request_decode(buf, cut, &req), -EBADMSG);
	/* a header claiming more than arrived is refused */
	put32(buf, OFF_LEN, (uint32_t)len + 1);
	ck_assert_int_eq(ctl_request_decode(buf, (size_t)len, &req), -EBADMSG);
	/* and one claiming less than arrived */
	put32(buf, OFF_LEN, (uint32_t)len - 1);
	ck_assert_int_eq(ctl_request_decode(buf, (size_t)len, &req), -EBADMSG);
}
END_TEST

START_TEST(test_ctlmsg_request_oversized_rejected)
{
	static char big[CTL_MSG_MAX + 64];
	char arg[CTL_ARG_MAX + 2];
	const char *argv[CTL_ARGS_MAX + 1];
	char buf[CTL_MSG_MAX];
	struct ctl_request req;
	size_t i;

	/* one argument past the limit */
	memset(arg, 'a', sizeof(arg) - 1);
	arg[sizeof(arg) - 1] = '\0';
	argv[0] = arg;
	ck_assert_int_eq(encode(buf, sizeof(buf), CTL_CMD_RELEASE, 0, 1, argv),
			 -EINVAL);
	/* at the limit it fits */
	arg[CTL_ARG_MAX] = '\0';
	ck_assert_int_gt(encode(buf, sizeof(buf), CTL_CMD_RELEASE, 0, 1, argv),
			 0);
	/* too many arguments */
	for (i = 0; i <= CTL_ARGS_MAX; i++)
		argv[i] = "x";
	ck_assert_int_eq(encode(buf, sizeof(buf), CTL_CMD_STATUS, 0,
				CTL_ARGS_MAX + 1, argv),
			 -EINVAL);
	/* eight maximal arguments exceed the message size */
	for (i = 0; i < CTL_ARGS_MAX; i++)
		argv[i] = arg;
	ck_assert_int_eq(encode(buf, sizeof(buf), CTL_CMD_STATUS, 0,
				CTL_ARGS_MAX, argv),
			 -EMSGSIZE);
	/* a buffer too small for an otherwise fine request */
	argv[0] = "status";
	ck_assert_int_eq(encode(buf, CTL_HDR_LEN + 3, CTL_CMD_STATUS, 0, 1,
				argv),
			 -EMSGSIZE);
	/* a received message longer than the protocol allows */
	memset(big, 'a', sizeof(big));
	ck_assert_int_eq(encode(big, sizeof(big), CTL_CMD_STATUS, 0, 0, NULL),
			 CTL_HDR_LEN);
	put32(big, OFF_LEN, CTL_MSG_MAX + 1);
	big[CTL_MSG_MAX] = '\0';
	put16(big, OFF_ARGC, 1);
	ck_assert_int_eq(ctl_request_decode(big, CTL_MSG_MAX + 1, &req),
			 -EBADMSG);
}
END_TEST

START_TEST(test_ctlmsg_request_strings_checked)
{
	const char *argv[] = { "10.1.0.5", "10.3.0.9" };
	char buf[CTL_MSG_MAX];
	struct ctl_request req;
	ssize_t len;

	len = encode(buf, sizeof(buf), CTL_CMD_EXPLAIN, 0, 2, argv);
	ck_assert_int_gt(len, 0);

	/* the last string without its NUL */
	buf[len - 1] = 'x';
	ck_assert_int_eq(ctl_request_decode(buf, (size_t)len, &req), -EBADMSG);
	buf[len - 1] = '\0';

	/* more strings promised than sent */
	put16(buf, OFF_ARGC, 3);
	ck_assert_int_eq(ctl_request_decode(buf, (size_t)len, &req), -EBADMSG);
	/* fewer: the rest is trailing garbage */
	put16(buf, OFF_ARGC, 1);
	ck_assert_int_eq(ctl_request_decode(buf, (size_t)len, &req), -EBADMSG);
	put16(buf, OFF_ARGC, 2);
	ck_assert_int_eq(ctl_request_decode(buf, (size_t)len, &req), 0);

	/* a NUL inside an argument splits it into two: argc no longer fits */
	buf[CTL_HDR_LEN + 2] = '\0';
	ck_assert_int_eq(ctl_request_decode(buf, (size_t)len, &req), -EBADMSG);
}
END_TEST

START_TEST(test_ctlmsg_request_long_arg_rejected)
{
	char buf[CTL_MSG_MAX];
	struct ctl_request req;
	size_t len = CTL_HDR_LEN + CTL_ARG_MAX + 2;

	/* hand-built: one argument one byte over the limit */
	ck_assert_int_eq(encode(buf, sizeof(buf), CTL_CMD_RELEASE, 0, 0, NULL),
			 CTL_HDR_LEN);
	memset(buf + CTL_HDR_LEN, 'a', CTL_ARG_MAX + 1);
	buf[len - 1] = '\0';
	put32(buf, OFF_LEN, (uint32_t)len);
	put16(buf, OFF_ARGC, 1);
	ck_assert_int_eq(ctl_request_decode(buf, len, &req), -EBADMSG);
	/* one byte shorter is accepted */
	buf[len - 2] = '\0';
	put32(buf, OFF_LEN, (uint32_t)len - 1);
	ck_assert_int_eq(ctl_request_decode(buf, len - 1, &req), 0);
	ck_assert_uint_eq(strlen(req.argv[0]), CTL_ARG_MAX);
}
END_TEST

START_TEST(test_ctlmsg_request_header_fields_checked)
{
	char buf[CTL_MSG_MAX];
	struct ctl_request req;
	ssize_t len;

	len = encode(buf, sizeof(buf), CTL_CMD_AUDIT, 0, 0, NULL);
	ck_assert_int_eq(len, CTL_HDR_LEN);

	put16(buf, OFF_VERSION, CTL_VERSION + 1);
	ck_assert_int_eq(ctl_request_decode(buf, (size_t)len, &req), -EPROTO);
	put16(buf, OFF_VERSION, CTL_VERSION);

	put16(buf, OFF_TYPE, CTL_T_OUT);
	ck_assert_int_eq(ctl_request_decode(buf, (size_t)len, &req), -EBADMSG);
	put16(buf, OFF_TYPE, CTL_T_REQUEST);

	put32(buf, OFF_CODE, 0);
	ck_assert_int_eq(ctl_request_decode(buf, (size_t)len, &req), -EBADMSG);
	put32(buf, OFF_CODE, CTL_CMD_MAX);
	ck_assert_int_eq(ctl_request_decode(buf, (size_t)len, &req), -EBADMSG);
	put32(buf, OFF_CODE, CTL_CMD_AUDIT);

	put16(buf, OFF_FLAGS, 0x8000);
	ck_assert_int_eq(ctl_request_decode(buf, (size_t)len, &req), -EBADMSG);
	put16(buf, OFF_FLAGS, 0);

	put16(buf, OFF_ARGC, CTL_ARGS_MAX + 1);
	ck_assert_int_eq(ctl_request_decode(buf, (size_t)len, &req), -EBADMSG);
	put16(buf, OFF_ARGC, 0);

	ck_assert_int_eq(ctl_request_decode(buf, (size_t)len, &req), 0);
	ck_assert_int_eq(req.cmd, CTL_CMD_AUDIT);

	/* encoding refuses what decoding would refuse */
	ck_assert_int_eq(encode(buf, sizeof(buf), 0, 0, 0, NULL), -EINVAL);
	ck_assert_int_eq(encode(buf, sizeof(buf), CTL_CMD_MAX, 0, 0, NULL),
			 -EINVAL);
	ck_assert_int_eq(encode(buf, sizeof(buf), CTL_CMD_STATUS, 0x10, 0,
				NULL),
			 -EINVAL);
}
END_TEST

START_TEST(test_ctlmsg_reply_roundtrip)
{
	char buf[CTL_MSG_MAX];
	struct ctl_reply r;
	ssize_t len;

	len = ctl_reply_encode(CTL_T_OUT, 0, "mode: enforce\n", 14, buf,
			       sizeof(buf));
	ck_assert_int_eq(len, CTL_HDR_LEN + 15);
	ck_assert_int_eq(ctl_reply_decode(buf, (size_t)len, &r), 0);
	ck_assert_int_eq(r.type, CTL_T_OUT);
	ck_assert_uint_eq(r.len, 14);
	ck_assert_str_eq(r.text, "mode: enforce\n");

	/* a chunk is a slice: no NUL needed in the source */
	len = ctl_reply_encode(CTL_T_ERR, 0, "zonectl: nope!!", 13, buf,
			       sizeof(buf));
	ck_assert_int_eq(ctl_reply_decode(buf, (size_t)len, &r), 0);
	ck_assert_int_eq(r.type, CTL_T_ERR);
	ck_assert_str_eq(r.text, "zonectl: nope");

	len = ctl_reply_encode(CTL_T_END, 1, NULL, 0, buf, sizeof(buf));
	ck_assert_int_eq(len, CTL_HDR_LEN);
	ck_assert_int_eq(ctl_reply_decode(buf, (size_t)len, &r), 0);
	ck_assert_int_eq(r.type, CTL_T_END);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.text, "");
}
END_TEST

START_TEST(test_ctlmsg_reply_limits)
{
	static char text[CTL_MSG_MAX];
	char buf[CTL_MSG_MAX];
	struct ctl_reply r;
	ssize_t len;

	memset(text, 'x', sizeof(text));
	len = ctl_reply_encode(CTL_T_OUT, 0, text, CTL_CHUNK_MAX, buf,
			       sizeof(buf));
	ck_assert_int_eq(len, CTL_MSG_MAX);
	ck_assert_int_eq(ctl_reply_decode(buf, (size_t)len, &r), 0);
	ck_assert_uint_eq(r.len, CTL_CHUNK_MAX);
	ck_assert_int_eq(ctl_reply_encode(CTL_T_OUT, 0, text, CTL_CHUNK_MAX + 1,
					  buf, sizeof(buf)),
			 -EMSGSIZE);
	ck_assert_int_eq(ctl_reply_encode(CTL_T_OUT, 0, "a\0b", 3, buf,
					  sizeof(buf)),
			 -EINVAL);
	ck_assert_int_eq(ctl_reply_encode(CTL_T_REQUEST, 0, "a", 1, buf,
					  sizeof(buf)),
			 -EINVAL);
	ck_assert_int_eq(ctl_reply_encode(CTL_T_OUT, 0, "abc", 3, buf,
					  CTL_HDR_LEN + 3),
			 -EMSGSIZE);
	ck_assert_int_eq(ctl_reply_encode(CTL_T_END, 0, NULL, 0, buf,
					  CTL_HDR_LEN - 1),
			 -EMSGSIZE);
}
END_TEST

START_TEST(test_ctlmsg_reply_malformed_rejected)
{
	char buf[CTL_MSG_MAX];
	struct ctl_reply r;
	ssize_t len;
	size_t cut;

	len = ctl_reply_encode(CTL_T_OUT, 0, "hello", 5, buf, sizeof(buf));
	for (cut = 0; cut < (size_t)len; cut++)
		ck_assert_int_eq(ctl_reply_decode(buf, cut, &r), -EBADMSG);
	/* text without its NUL */
	buf[len - 1] = '!';
	ck_assert_int_eq(ctl_reply_decode(buf, (size_t)len, &r), -EBADMSG);
	buf[len - 1] = '\0';
	/* a NUL inside the text */
	buf[CTL_HDR_LEN + 1] = '\0';
	ck_assert_int_eq(ctl_reply_decode(buf, (size_t)len, &r), -EBADMSG);
	buf[CTL_HDR_LEN + 1] = 'e';
	/* a request is not a reply */
	put16(buf, OFF_TYPE, CTL_T_REQUEST);
	ck_assert_int_eq(ctl_reply_decode(buf, (size_t)len, &r), -EBADMSG);
	put16(buf, OFF_TYPE, CTL_T_OUT);
	put16(buf, OFF_ARGC, 1);
	ck_assert_int_eq(ctl_reply_decode(buf, (size_t)len, &r), -EBADMSG);
	put16(buf, OFF_ARGC, 0);
	ck_assert_int_eq(ctl_reply_decode(buf, (size_t)len, &r), 0);
	/* an empty text chunk has no NUL either */
	put16(buf, OFF_TYPE, CTL_T_OUT);
	put32(buf, OFF_LEN, CTL_HDR_LEN);
	ck_assert_int_eq(ctl_reply_decode(buf, CTL_HDR_LEN, &r), -EBADMSG);
	/* END carries no payload */
	len = ctl_reply_encode(CTL_T_END, 0, NULL, 0, buf, sizeof(buf));
	buf[len] = '\0';
	put32(buf, OFF_LEN, (uint32_t)len + 1);
	ck_assert_int_eq(ctl_reply_decode(buf, (size_t)len + 1, &r), -EBADMSG);
	/* another version */
	put32(buf, OFF_LEN, (uint32_t)len);
	put16(buf, OFF_VERSION, 0);
	ck_assert_int_eq(ctl_reply_decode(buf, (size_t)len, &r), -EPROTO);
}
END_TEST

/* Random bytes: decoding never reads past the message, and never crashes. */
START_TEST(test_ctlmsg_decode_random_input)
{
	const char *argv[] = { "10.1.0.5", "10.3.0.9", "udp/53" };
	char msg[CTL_MSG_MAX];
	struct ctl_request req;
	struct ctl_reply r;
	unsigned int seed = 2701;
	ssize_t len;
	int round;
	size_t i;

	len = encode(msg, sizeof(msg), CTL_CMD_EXPLAIN, 0, 3, argv);
	ck_assert_int_gt(len, 0);
	for (round = 0; round < 20000; round++) {
		/* a heap copy of exactly the message's size, for ASan */
		char *buf = malloc((size_t)len);

		memcpy(buf, msg, (size_t)len);
		buf[rand_r(&seed) % len] = (char)rand_r(&seed);
		buf[rand_r(&seed) % len] = (char)rand_r(&seed);
		if (ctl_request_decode(buf, (size_t)len, &req) == 0) {
			for (i = 0; i < req.argc; i++) {
				ck_assert(req.argv[i] >= buf + CTL_HDR_LEN);
				ck_assert(req.argv[i] + strlen(req.argv[i]) <
					  buf + len);
			}
		}
		if (ctl_reply_decode(buf, (size_t)len, &r) == 0)
			ck_assert(r.text + r.len < buf + len);
		free(buf);
	}
}
END_TEST

static char *json(const char *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	json_quote(f, s);
	fclose(f);
	return text;
}

START_TEST(test_ctlmsg_json_string_escapes)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
		{ "plain", "\"plain\"" },
		{ "a\"b\\c", "\"a\\\"b\\\\c\"" },
		{ "tab\there\nnl", "\"tab\\there\\nnl\"" },
		{ "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"" },
		{ "住民情報系", "\"住民情報系\"" },
		{ "bad\xff", "\"bad\\ufffd\"" },
		{ "cut\xe4\xbd", "\"cut\\ufffd\\ufffd\"" },
		{ "\xc0\xaf", "\"\\ufffd\\ufffd\"" }, /* overlong */
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" }, /* surrogate */
		{ "", "\"\"" },
		/* C1 and bidi controls: valid JSON raw, but not for a tty */
		{ "nel\xc2\x85", "\"nel\\u0085\"" },
		{ "rlo\xe2\x80\xae!", "\"rlo\\u202e!\"" },
		{ "\xe2\x81\xa6\xd8\x9c", "\"\\u2066\\u061c\"" },
		{ "\xc2\xa0ok", "\"\xc2\xa0ok\"" }, /* NBSP is text */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = json(cases[i].in);

		ck_assert_str_eq(s, cases[i].out);
		free(s);
	}
	{
		char *s = json(NULL);

		ck_assert_str_eq(s, "null");
		free(s);
	}
}
END_TEST

START_TEST(test_ctlmsg_cmd_names)
{
	ck_assert_str_eq(ctl_cmd_name(CTL_CMD_STATUS), "status");
	ck_assert_str_eq(ctl_cmd_name(CTL_CMD_ISOLATE), "isolate");
	ck_assert_ptr_null(ctl_cmd_name(0));
	ck_assert_ptr_null(ctl_cmd_name(CTL_CMD_MAX));
}
END_TEST

static Suite *ctlmsg_suite(void)
{
	Suite *s = suite_create("ctlmsg");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_ctlmsg_request_roundtrip);
	tcase_add_test(tc, test_ctlmsg_request_file_flag);
	tcase_add_test(tc, test_ctlmsg_request_empty_and_utf8_args);
	tcase_add_test(tc, test_ctlmsg_request_truncated_rejected);
	tcase_add_test(tc, test_ctlmsg_request_oversized_rejected);
	tcase_add_test(tc, test_ctlmsg_request_strings_checked);
	tcase_add_test(tc, test_ctlmsg_request_long_arg_rejected);
	tcase_add_test(tc, test_ctlmsg_request_header_fields_checked);
	tcase_add_test(tc, test_ctlmsg_reply_roundtrip);
	tcase_add_test(tc, test_ctlmsg_reply_limits);
	tcase_add_test(tc, test_ctlmsg_reply_malformed_rejected);
	tcase_add_test(tc, test_ctlmsg_decode_random_input);
	tcase_add_test(tc, test_ctlmsg_json_string_escapes);
	tcase_add_test(tc, test_ctlmsg_cmd_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ctlmsg_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
