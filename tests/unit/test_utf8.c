/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the one UTF-8 decoder (libzone/utf8.c) that the loader,
 * the alert lines, the escaping of text and the control protocol's JSON
 * all use.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <zone/utf8.h>

/* The length zone_utf8_len() gives the whole of @s; its code point too. */
static size_t len_of(const char *s, unsigned int *ret_cp)
{
	*ret_cp = 0xffffffff;
	return zone_utf8_len((const unsigned char *)s, strlen(s), ret_cp);
}

#define ck_valid(s, n, want)                           \
	do {                                           \
		unsigned int cp_;                      \
		ck_assert_uint_eq(len_of(s, &cp_), n); \
		ck_assert_uint_eq(cp_, want);          \
	} while (0)

#define ck_invalid(s)                                  \
	do {                                           \
		unsigned int cp_;                      \
		ck_assert_uint_eq(len_of(s, &cp_), 0); \
	} while (0)

START_TEST(test_utf8_valid)
{
	ck_valid("a", 1, 'a');
	ck_valid("\x01", 1, 1);
	ck_valid("\x7f", 1, 0x7f);
	/* the first and last code point of each length */
	ck_valid("\xc2\x80", 2, 0x80);
	ck_valid("\xdf\xbf", 2, 0x7ff);
	ck_valid("\xe0\xa0\x80", 3, 0x800);
	ck_valid("\xef\xbf\xbf", 3, 0xffff);
	ck_valid("\xf0\x90\x80\x80", 4, 0x10000);
	ck_valid("\xf4\x8f\xbf\xbf", 4, 0x10ffff);
	/* either side of the surrogates */
	ck_valid("\xed\x9f\xbf", 3, 0xd7ff);
	ck_valid("\xee\x80\x80", 3, 0xe000);
	ck_valid("住", 3, 0x4f4f);
	ck_valid("\xf0\x9f\x98\x80", 4, 0x1f600);
}
END_TEST

START_TEST(test_utf8_only_one_sequence)
{
	unsigned int cp;

	/* what follows the sequence is not its business */
	ck_assert_uint_eq(len_of("ab", &cp), 1);
	ck_assert_uint_eq(cp, 'a');
	ck_assert_uint_eq(len_of("\xe4\xbd\x8f\xff", &cp), 3);
	ck_assert_uint_eq(cp, 0x4f4f);
}
END_TEST

START_TEST(test_utf8_overlong)
{
	ck_invalid("\xc0\x80"); /* NUL in two bytes */
	ck_invalid("\xc0\xaf"); /* '/' in two bytes */
	ck_invalid("\xc1\xbf");
	ck_invalid("\xe0\x80\x80");
	ck_invalid("\xe0\x9f\xbf"); /* U+07FF in three bytes */
	ck_invalid("\xf0\x80\x80\x80");
	ck_invalid("\xf0\x8f\xbf\xbf"); /* U+FFFF in four bytes */
}
END_TEST

START_TEST(test_utf8_surrogates)
{
	ck_invalid("\xed\xa0\x80"); /* U+D800 */
	ck_invalid("\xed\xad\xbf"); /* U+DB7F */
	ck_invalid("\xed\xb0\x80"); /* U+DC00 */
	ck_invalid("\xed\xbf\xbf"); /* U+DFFF */
}
END_TEST

START_TEST(test_utf8_past_10ffff)
{
	ck_invalid("\xf4\x90\x80\x80"); /* U+110000 */
	ck_invalid("\xf7\xbf\xbf\xbf");
	ck_invalid("\xf5\x80\x80\x80");
	ck_invalid("\xf8\x88\x80\x80\x80"); /* the old five-byte form */
	ck_invalid("\xfc\x84\x80\x80\x80\x80");
	ck_invalid("\xfe");
	ck_invalid("\xff");
}
END_TEST

START_TEST(test_utf8_truncated)
{
	const unsigned char *s = (const unsigned char *)"\xe4\xbd\x8f";
	unsigned int cp = 0x1234;

	/* cut by the length given, even with the rest in memory */
	ck_assert_uint_eq(zone_utf8_len(s, 0, &cp), 0);
	ck_assert_uint_eq(zone_utf8_len(s, 1, &cp), 0);
	ck_assert_uint_eq(zone_utf8_len(s, 2, &cp), 0);
	ck_assert_uint_eq(cp, 0x1234); /* left alone when invalid */
	ck_assert_uint_eq(zone_utf8_len(s, 3, &cp), 3);
	ck_assert_uint_eq(zone_utf8_len((const unsigned char *)"\xf0\x9f\x98",
					3, &cp),
			  0);
	/* cut by a byte that does not continue it */
	ck_invalid("\xe4\xbd");
	ck_invalid("\xc3(");
	ck_invalid("\xe4\xbd(");
	ck_invalid("\xf0\x9f\x98(");
	ck_invalid("\xe4\xc3\xa9");
	/* a continuation byte on its own */
	ck_invalid("\x80");
	ck_invalid("\xbf");
}
END_TEST

START_TEST(test_utf8_cp_unsafe)
{
	static const unsigned int unsafe[] = {
		0x00,	0x0a,	0x1b,	0x1f,	0x7f,	0x80,	0x85,	0x9f,
		0x061c, 0x200e, 0x200f, 0x202a, 0x202e, 0x2066, 0x2069,
	};
	static const unsigned int safe[] = {
		0x20,	'a',	0x7e,	0xa0,	0xe9,
		0x061b, 0x061d, 0x200d, 0x2010, 0x2029,
		0x202f, 0x2065, 0x206a, 0x4f4f, 0x10ffff,
	};
	size_t i;

	for (i = 0; i < sizeof(unsafe) / sizeof(unsafe[0]); i++)
		ck_assert_msg(zone_cp_unsafe(unsafe[i]), "U+%04X", unsafe[i]);
	for (i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
		ck_assert_msg(!zone_cp_unsafe(safe[i]), "U+%04X", safe[i]);
}
END_TEST

static Suite *utf8_suite(void)
{
	Suite *s = suite_create("utf8");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_utf8_valid);
	tcase_add_test(tc, test_utf8_only_one_sequence);
	tcase_add_test(tc, test_utf8_overlong);
	tcase_add_test(tc, test_utf8_surrogates);
	tcase_add_test(tc, test_utf8_past_10ffff);
	tcase_add_test(tc, test_utf8_truncated);
	tcase_add_test(tc, test_utf8_cp_unsafe);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(utf8_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
