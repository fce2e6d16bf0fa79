/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the JSON emitter of zonectl's replies (daemon/json.c):
 * commas and brackets from the calls alone, and strings that stay valid
 * JSON and harmless on a terminal whatever bytes they hold.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "../../daemon/json.h"

static char *text;
static size_t len;
static FILE *out;

static struct json *doc(void)
{
	static struct json j;

	free(text);
	text = NULL;
	out = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(out);
	json_start(&j, out);
	return &j;
}

static const char *done(void)
{
	fclose(out);
	return text;
}

static const char *quote(const char *s)
{
	doc();
	json_quote(out, s);
	return done();
}

START_TEST(test_json_structure)
{
	struct json *j = doc();

	json_object(j, NULL);
	json_string(j, "a", "x");
	json_null(j, "b");
	json_array(j, "c");
	json_uint(j, NULL, 1);
	json_int(j, "ignored in an array", -2);
	json_object(j, NULL);
	json_end(j);
	json_array(j, NULL);
	json_end(j);
	json_end(j);
	json_bool(j, "d", true);
	json_string(j, "e", NULL);
	json_object(j, "f");
	json_bool(j, "g", false);
	json_finish(j);
	ck_assert_str_eq(done(), "{\"a\":\"x\",\"b\":null,\"c\":[1,-2,{},[]],"
				 "\"d\":true,\"e\":null,\"f\":{\"g\":false}}\n");
}
END_TEST

START_TEST(test_json_top_level_array)
{
	struct json *j = doc();

	json_array(j, NULL);
	json_finish(j);
	ck_assert_str_eq(done(), "[]\n");
	j = doc();
	json_array(j, "key ignored at the top");
	json_string(j, NULL, "a");
	json_string(j, NULL, "b");
	json_finish(j);
	ck_assert_str_eq(done(), "[\"a\",\"b\"]\n");
}
END_TEST

/* Deeper than JSON_DEPTH_MAX: left out, and the document stays valid. */
START_TEST(test_json_too_deep)
{
	struct json *j = doc();
	char want[256] = "";
	int i;

	for (i = 0; i < JSON_DEPTH_MAX + 4; i++) {
		json_array(j, NULL);
		json_uint(j, NULL, (uint64_t)i);
	}
	for (i = 0; i < 2; i++)
		json_end(j);
	json_finish(j);
	for (i = 0; i < JSON_DEPTH_MAX; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want),
			 "%s[%d", i ? "," : "", i);
	for (i = 0; i < JSON_DEPTH_MAX; i++)
		strcat(want, "]");
	strcat(want, "\n");
	ck_assert_str_eq(done(), want);
}
END_TEST

START_TEST(test_json_quote)
{
	ck_assert_str_eq(quote(NULL), "null");
	ck_assert_str_eq(quote(""), "\"\"");
	ck_assert_str_eq(quote("住民情報系"), "\"住民情報系\"");
	ck_assert_str_eq(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
	ck_assert_str_eq(quote("l1\nl2\tx"), "\"l1\\nl2\\tx\"");
	ck_assert_str_eq(quote("\x1b[31m\x7f"), "\"\\u001b[31m\\u007f\"");
	/* C1 controls and bidirectional overrides, as code points */
	ck_assert_str_eq(quote("nel\xc2\x85"), "\"nel\\u0085\"");
	ck_assert_str_eq(quote("rlo\xe2\x80\xae!"), "\"rlo\\u202e!\"");
	ck_assert_str_eq(quote("lri\xe2\x81\xa6"), "\"lri\\u2066\"");
	/* not UTF-8: one U+FFFD a byte, never the byte itself */
	ck_assert_str_eq(quote("bad\xff"), "\"bad\\ufffd\"");
	ck_assert_str_eq(quote("cut\xe4\xbd"), "\"cut\\ufffd\\ufffd\"");
	ck_assert_str_eq(quote("\xc0\xaf"), "\"\\ufffd\\ufffd\"");
}
END_TEST

/* @n bytes of @s in a file, at offset 0; the caller closes it. */
static int file_of(const char *s, size_t n)
{
	FILE *f = tmpfile();
	int fd;

	ck_assert_ptr_nonnull(f);
	fd = dup(fileno(f));
	fclose(f);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, s, n), (ssize_t)n);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/* {"k": the file of @n bytes of @s, @max at most} */
static const char *quote_file(const char *s, size_t n, size_t max)
{
	struct json *j = doc();
	int fd = file_of(s, n);

	json_object(j, NULL);
	ck_assert_int_eq(json_string_fd(j, "k", fd, max), 0);
	json_finish(j);
	close(fd);
	return done();
}

/*
 * A file quoted as it is read, slice by slice, is what the same text
 * quoted whole is: also when a read ends inside a character (a file
 * larger than one slice, with a three-byte character at each offset
 * around the slice's end), and at any size.
 */
START_TEST(test_json_string_fd)
{
	static const char tail[] =
		"住民\"q\"\nbad\xff rlo\xe2\x80\xae cut\xe4\xbd";
	size_t size = 65536 * 3 + 100;
	char *s = malloc(size + 1);
	char *want;
	size_t at;
	size_t i;

	ck_assert_ptr_nonnull(s);
	for (at = 65536 - 3; at <= 65536; at++) {
		memset(s, 'x', size);
		s[size] = '\0';
		/* a character across the end of the first slice, and one past */
		for (i = 0; i < 3; i++)
			memcpy(s + at + i * 65536 - 1, "住", 3);
		memcpy(s + size - strlen(tail), tail, strlen(tail));
		ck_assert_int_ge(asprintf(&want, "{\"k\":%s}\n", quote(s)), 0);
		/* not ck_assert_str_eq(): check cannot print 200 kB */
		ck_assert_msg(strcmp(quote_file(s, size, SIZE_MAX), want) == 0,
			      "a character at %zu: not quoted as a whole", at);
		free(want);
	}
	free(s);
	/* a NUL is a character of the file, not its end */
	ck_assert_str_eq(quote_file("a\0b", 3, SIZE_MAX),
			 "{\"k\":\"a\\u0000b\"}\n");
	/* at most @max bytes, and a character cut there is no character */
	ck_assert_str_eq(quote_file("ab住", 5, 4),
			 "{\"k\":\"ab\\ufffd\\ufffd\"}\n");
	ck_assert_str_eq(quote_file("", 0, SIZE_MAX), "{\"k\":\"\"}\n");
}
END_TEST

static Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_json_structure);
	tcase_add_test(tc, test_json_top_level_array);
	tcase_add_test(tc, test_json_too_deep);
	tcase_add_test(tc, test_json_quote);
	tcase_add_test(tc, test_json_string_fd);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(json_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	free(text);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
