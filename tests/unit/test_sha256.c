/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 against the NIST FIPS 180-4 example vectors. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <zone/sha256.h>

static void check_hex(const char *msg, size_t len, const char *want)
{
	char hex[SHA256_HEX_LEN];

	zone_sha256_hex(msg, len, hex);
	ck_assert_str_eq(hex, want);
}

START_TEST(test_sha256_empty)
{
	check_hex("", 0,
		  "e3b0c44298fc1c149afbf4c8996fb924"
		  "27ae41e4649b934ca495991b7852b855");
}
END_TEST

START_TEST(test_sha256_abc)
{
	check_hex("abc", 3,
		  "ba7816bf8f01cfea414140de5dae2223"
		  "b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(test_sha256_two_blocks)
{
	const char *msg =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	check_hex(msg, strlen(msg),
		  "248d6a61d20638b8e5c026930c3e6039"
		  "a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

START_TEST(test_sha256_long_message)
{
	const char *msg = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklm"
			  "ghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
			  "mnopqrstnopqrstu";

	check_hex(msg, strlen(msg),
		  "cf5b16a778af8380036ce59e7b049237"
		  "0b249b11e8f07a51afac45037afee9d1");
}
END_TEST

/* One million 'a', fed in odd-sized pieces to exercise buffering. */
START_TEST(test_sha256_million_a)
{
	static const char want[] = "cdc76e5c9914fb9281a1c7e284d73e67"
				   "f1809a48a497200e046d39ccc7112cd0";
	static const char digits[] = "0123456789abcdef";
	uint8_t digest[SHA256_DIGEST_LEN];
	char hex[SHA256_HEX_LEN];
	struct zone_sha256_ctx ctx;
	char chunk[997];
	size_t left = 1000000;
	size_t n;
	int i;

	memset(chunk, 'a', sizeof(chunk));
	zone_sha256_init(&ctx);
	while (left > 0) {
		n = left < sizeof(chunk) ? left : sizeof(chunk);
		zone_sha256_update(&ctx, chunk, n);
		left -= n;
	}
	zone_sha256_final(&ctx, digest);
	for (i = 0; i < SHA256_DIGEST_LEN; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 0xf];
	}
	hex[64] = '\0';
	ck_assert_str_eq(hex, want);
}
END_TEST

/* Lengths around the padding boundary (55, 56, 63, 64 bytes). */
START_TEST(test_sha256_padding_boundaries)
{
	char msg[64];

	memset(msg, 'a', sizeof(msg));
	check_hex(msg, 55,
		  "9f4390f8d30c2dd92ec9f095b65e2b9a"
		  "e9b0a925a5258e241c9f1e910f734318");
	check_hex(msg, 56,
		  "b35439a4ac6f0948b6d6f9e3c6af0f5f"
		  "590ce20f1bde7090ef7970686ec6738a");
	check_hex(msg, 64,
		  "ffe054fe7ae0cb6dc65c3af9b61d5209"
		  "f439851db43d0ba5997337df154668eb");
}
END_TEST

/* RFC 4231 test cases 2 (short key) and 6 (key longer than a block) */
static void hmac_hex(const void *key, size_t klen, const char *msg, char *hex)
{
	uint8_t mac[SHA256_DIGEST_LEN];
	size_t i;

	zone_sha256_hmac(key, klen, msg, strlen(msg), mac);
	for (i = 0; i < sizeof(mac); i++)
		sprintf(hex + 2 * i, "%02x", mac[i]);
}

START_TEST(test_sha256_hmac_rfc4231)
{
	char hex[SHA256_HEX_LEN];
	uint8_t key[131];

	hmac_hex("Jefe", 4, "what do ya want for nothing?", hex);
	ck_assert_str_eq(hex, "5bdcc146bf60754e6a042426089575c7"
			      "5a003f089d2739839dec58b964ec3843");
	memset(key, 0xaa, sizeof(key));
	hmac_hex(key, sizeof(key),
		 "Test Using Larger Than Block-Size Key - Hash Key First", hex);
	ck_assert_str_eq(hex, "60e431591ee0b67f0d8a26aacbf5b77f"
			      "8e0bc6213728c5140546040f0ee37f54");
}
END_TEST

static Suite *sha256_suite(void)
{
	Suite *s = suite_create("sha256");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_sha256_empty);
	tcase_add_test(tc, test_sha256_hmac_rfc4231);
	tcase_add_test(tc, test_sha256_abc);
	tcase_add_test(tc, test_sha256_two_blocks);
	tcase_add_test(tc, test_sha256_long_message);
	tcase_add_test(tc, test_sha256_million_a);
	tcase_add_test(tc, test_sha256_padding_boundaries);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sha256_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
