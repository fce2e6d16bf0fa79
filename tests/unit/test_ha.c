/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the gateway pair's policy-hash exchange (daemon/ha.c):
 * the message and its authentication, the key file's checks, and what
 * zoned concludes from what arrives (ha-mismatch, ha-agree, ha-peer).
 * ha.o comes from the daemon archive, with fake_daemon.o around it; the
 * sockets are not used: datagrams are handed to ha_receive() as the loop
 * would.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include <zone/conf.h>
#include <zone/diag.h>
#include <zone/model.h>

#include "../../daemon/ha_int.h"
#include "../../daemon/zoned.h"
#include "fake_daemon.h"

static const uint8_t key[] = "0123456789abcdef-pair-key";
#define KEY_LEN (sizeof(key) - 1)
static const char hash_a[] =
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

START_TEST(test_ha_message_round_trip_and_tampering)
{
	uint8_t msg[HA_MSG_LEN];
	uint8_t bad[HA_MSG_LEN];
	char hash[HA_HASH_LEN + 1];
	uint64_t seq = 0;
	size_t i;

	ha_msg_build(key, KEY_LEN, 1234567890123ull, hash_a, msg);
	ck_assert_int_eq(
		ha_msg_parse(key, KEY_LEN, msg, sizeof(msg), &seq, hash), 0);
	ck_assert_uint_eq(seq, 1234567890123ull);
	ck_assert_str_eq(hash, hash_a);
	/* any byte changed after the magic: the MAC refuses it */
	for (i = HA_MAGIC_LEN; i < sizeof(msg); i++) {
		memcpy(bad, msg, sizeof(msg));
		bad[i] ^= 0x01;
		ck_assert_int_eq(ha_msg_parse(key, KEY_LEN, bad, sizeof(bad),
					      &seq, hash),
				 -EPERM);
	}
	memcpy(bad, msg, sizeof(msg));
	bad[0] = 'X';
	ck_assert_int_eq(ha_msg_parse(key, KEY_LEN, bad, sizeof(bad), &seq,
				      hash),
			 -EBADMSG);
	ck_assert_int_eq(ha_msg_parse(key, KEY_LEN, msg, sizeof(msg) - 1, &seq,
				      hash),
			 -EBADMSG);
	/* another key */
	ck_assert_int_eq(ha_msg_parse((const uint8_t *)"another key of 16", 17,
				      msg, sizeof(msg), &seq, hash),
			 -EPERM);
	/* authentic, but not a hash */
	ha_msg_build(
		key, KEY_LEN, 1,
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		bad);
	ck_assert_int_eq(ha_msg_parse(key, KEY_LEN, bad, sizeof(bad), &seq,
				      hash),
			 -EBADMSG);
}
END_TEST

static char *key_path(const char *text, mode_t mode)
{
	char *path = strdup("/tmp/test_ha.XXXXXX");
	int fd;

	ck_assert_ptr_nonnull(path);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

START_TEST(test_ha_key_file_checks)
{
	uint8_t k[HA_KEY_MAX];
	const char *why = NULL;
	char *ok = key_path("0123456789abcdef\n", 0600);
	char *open_to_all = key_path("0123456789abcdef\n", 0644);
	char *short_key = key_path("0123456789\n", 0400);

	ck_assert_int_eq(ha_read_key(ok, k, &why), 16);
	ck_assert_int_eq(memcmp(k, "0123456789abcdef", 16), 0);
	ck_assert_int_eq(ha_read_key(open_to_all, k, &why), -EPERM);
	ck_assert_ptr_nonnull(strstr(why, "readable by nobody else"));
	ck_assert_int_eq(ha_read_key(short_key, k, &why), -EINVAL);
	ck_assert_int_eq(ha_read_key("/nonexistent/zoned-ha.key", k, &why),
			 -ENOENT);
	unlink(ok);
	unlink(open_to_all);
	unlink(short_key);
	free(ok);
	free(open_to_all);
	free(short_key);
}
END_TEST

/* --- what zoned concludes ------------------------------------------------ */

static struct zoned z;

static const char conf_text[] =
	"zones = ( { name = \"z\"; tier = \"lgwan\"; interfaces = [ \"e\" ];\n"
	"  networks = [ \"10.2.0.0/16\" ]; } );\n"
	"gateway = { management = ( ); outbound = ( );\n"
	"  ha = { interface = \"sync0\"; peer = \"10.255.0.2\";\n"
	"         key_file = \"/k\"; }; };\n";

static void setup(void)
{
	struct zone_diag *diag = zone_diag_new();

	memset(&z, 0, sizeof(z));
	ck_assert_int_eq(
		zone_conf_load_string(conf_text, "t.conf", diag, &z.model), 0);
	zone_diag_free(diag);
	z.ha = calloc(1, sizeof(*z.ha));
	ck_assert_ptr_nonnull(z.ha);
	/* an unbound socket: running, and closed by ha_close() */
	z.ha->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(z.ha->fd, 0);
	z.ha->tfd = -1;
	snprintf(z.ha->ifname, sizeof(z.ha->ifname), "sync0");
	z.ha->peer = *zone_model_ha_peer(z.model);
	memcpy(z.ha->key, key, KEY_LEN);
	z.ha->key_len = KEY_LEN;
	n_lines = 0;
}

static void teardown(void)
{
	ha_close(&z);
	zone_model_free(z.model);
	fake_alerts_clear();
}

/* a datagram from @from carrying @hash with sequence @seq */
static void arrive(const char *from, uint64_t seq, const char *hash,
		   const uint8_t *k, size_t klen)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	uint8_t msg[HA_MSG_LEN];

	sin->sin_family = AF_INET;
	sin->sin_port = htons(ZONE_HA_ZONED_PORT);
	inet_pton(AF_INET, from, &sin->sin_addr);
	ha_msg_build(k, klen, seq, hash, msg);
	ha_receive(&z, &ss, msg, sizeof(msg));
}

START_TEST(test_ha_mismatch_then_agree)
{
	const char *own = zone_model_hash(z.model);
	char text[4096];
	FILE *f;

	arrive("10.255.0.2", 10, own, key, KEY_LEN);
	ck_assert_int_eq(n_lines, 0);
	ck_assert_str_eq(ha_state(z.ha), "agree");
	arrive("10.255.0.2", 11, hash_a, key, KEY_LEN);
	ck_assert_int_eq(n_lines, 1);
	ck_assert_ptr_nonnull(strstr(lines[0], "ha-mismatch peer=10.255.0.2 "));
	ck_assert_ptr_nonnull(strstr(lines[0], hash_a));
	/* said once */
	arrive("10.255.0.2", 12, hash_a, key, KEY_LEN);
	ck_assert_int_eq(n_lines, 1);
	f = fmemopen(text, sizeof(text), "w");
	ha_status_text(&z, f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(
		text, "ha:          mismatch (peer 10.255.0.2 on sync0)"));
	ck_assert_ptr_nonnull(strstr(text, hash_a));
	arrive("10.255.0.2", 13, own, key, KEY_LEN);
	ck_assert_int_eq(n_lines, 2);
	ck_assert_ptr_nonnull(strstr(lines[1], "ha-agree peer=10.255.0.2 "));
}
END_TEST

/* Forged, replayed or misdirected messages change nothing. */
START_TEST(test_ha_refuses_forgeries_and_replays)
{
	const char *own = zone_model_hash(z.model);

	arrive("10.255.0.2", 100, own, key, KEY_LEN);
	/* another sender, another key, an older sequence */
	arrive("10.255.0.3", 101, hash_a, key, KEY_LEN);
	arrive("10.255.0.2", 102, hash_a, (const uint8_t *)"a guessed key!!!",
	       16);
	arrive("10.255.0.2", 99, hash_a, key, KEY_LEN);
	arrive("10.255.0.2", 100, hash_a, key, KEY_LEN);
	ck_assert_int_eq(n_lines, 0);
	ck_assert_uint_eq(z.ha->rejected, 4);
	ck_assert_str_eq(z.ha->peer_hash, own);
}
END_TEST

/* A peer not heard for HA_SILENT_S seconds is silent, then heard again. */
START_TEST(test_ha_silent_peer)
{
	const char *own = zone_model_hash(z.model);

	arrive("10.255.0.2", 1, own, key, KEY_LEN);
	ha_check_silence(&z);
	ck_assert_int_eq(n_lines, 0);
	z.ha->heard.tv_sec -= HA_SILENT_S;
	ha_check_silence(&z);
	ck_assert_int_eq(n_lines, 1);
	ck_assert_str_eq(lines[0], "ha-peer peer=10.255.0.2 state=silent");
	ck_assert_str_eq(ha_state(z.ha), "silent");
	arrive("10.255.0.2", 2, own, key, KEY_LEN);
	ck_assert_int_eq(n_lines, 2);
	ck_assert_str_eq(lines[1], "ha-peer peer=10.255.0.2 state=heard");
}
END_TEST

static Suite *ha_suite(void)
{
	Suite *s = suite_create("ha");
	TCase *tc = tcase_create("core");
	TCase *tj = tcase_create("judge");

	tcase_add_test(tc, test_ha_message_round_trip_and_tampering);
	tcase_add_test(tc, test_ha_key_file_checks);
	tcase_add_checked_fixture(tj, setup, teardown);
	tcase_add_test(tj, test_ha_mismatch_then_agree);
	tcase_add_test(tj, test_ha_refuses_forgeries_and_replays);
	tcase_add_test(tj, test_ha_silent_peer);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tj);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ha_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
