/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the escaping of text from outside (daemon/textesc.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "../../daemon/textesc.h"

static const char *esc(const char *s)
{
	static char buf[256];

	text_escape(buf, sizeof(buf), s);
	return buf;
}

START_TEST(test_textesc_escape)
{
	ck_assert_str_eq(esc("forward"), "forward");
	ck_assert_str_eq(esc("住民情報系"), "住民情報系");
	ck_assert_str_eq(esc("a\nzoned: forged"), "a\\x0azoned: forged");
	ck_assert_str_eq(esc("back\\slash"), "back\\\\slash");
	ck_assert_str_eq(esc("\x1b[31m"), "\\x1b[31m");
	ck_assert_str_eq(esc("del\x7f"), "del\\x7f");
	ck_assert_str_eq(esc("nel\xc2\x85"), "nel\\xc2\\x85");
	ck_assert_str_eq(esc("rlo\xe2\x80\xae!"), "rlo\\xe2\\x80\\xae!");
	ck_assert_str_eq(esc("rli\xe2\x81\xa7"), "rli\\xe2\\x81\\xa7");
	ck_assert_str_eq(esc("bad\xff"), "bad\\xff");
	ck_assert_str_eq(esc("cut\xe4\xbd"), "cut\\xe4\\xbd");
	ck_assert_str_eq(esc(""), "");
}
END_TEST

START_TEST(test_textesc_escape_truncates_safely)
{
	char buf[8];
	size_t n;

	n = text_escape(buf, sizeof(buf), "\n\n\n\n");
	ck_assert_uint_eq(n, 16);
	ck_assert_uint_eq(strlen(buf), 7);
	n = text_escape(NULL, 0, "abc");
	ck_assert_uint_eq(n, 3);
}
END_TEST

START_TEST(test_textesc_problem)
{
	ck_assert_ptr_null(text_problem("インシデント 42 対応中"));
	ck_assert_ptr_null(text_problem("plain, with \xc2\xa0 NBSP"));
	ck_assert_str_eq(text_problem("tab\there"),
			 "holds a control character (C0, DEL or C1)");
	ck_assert_str_eq(text_problem("nel\xc2\x85"),
			 "holds a control character (C0, DEL or C1)");
	ck_assert_str_eq(text_problem("x\xe2\x80\xaey"),
			 "holds a bidirectional formatting character");
	ck_assert_str_eq(text_problem("x\xe2\x80\x8fy"),
			 "holds a bidirectional formatting character");
	ck_assert_str_eq(text_problem("x\xd8\x9c"),
			 "holds a bidirectional formatting character");
	ck_assert_str_eq(text_problem("bad\xff"), "is not valid UTF-8");
	ck_assert_str_eq(text_problem("\xc0\xaf"), "is not valid UTF-8");
	ck_assert_str_eq(text_problem("\xed\xa0\x80"), "is not valid UTF-8");
}
END_TEST

static Suite *textesc_suite(void)
{
	Suite *s = suite_create("textesc");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_textesc_escape);
	tcase_add_test(tc, test_textesc_escape_truncates_safely);
	tcase_add_test(tc, test_textesc_problem);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(textesc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
