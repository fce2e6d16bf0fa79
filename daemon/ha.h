/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_HA_H
#define ZONED_HA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Policy agreement of a gateway pair (gateway.ha of zoned.conf(5)): each
 * zoned sends its policy hash to the peer over the sync link once a
 * second, authenticated with HMAC-SHA256 under the pair's shared key,
 * and compares what the peer sends with its own.  A difference raises
 * ha-mismatch, agreement again ha-agree; a peer not heard for
 * HA_SILENT_S seconds raises ha-peer state=silent.
 */

struct zoned;
struct ha;

/* Seconds without a valid message before the peer counts as silent. */
#define HA_SILENT_S 5

/* The wire format, fixed size: magic, sequence (big-endian), hash, MAC. */
#define HA_MAGIC "ZHA1"
#define HA_MAGIC_LEN 4
#define HA_HASH_LEN 64
#define HA_MAC_LEN 32
#define HA_MSG_LEN (HA_MAGIC_LEN + 8 + HA_HASH_LEN + HA_MAC_LEN)
/* Bounds of the shared key, in bytes. */
#define HA_KEY_MIN 16
#define HA_KEY_MAX 1024

/*
 * ha_update - follow the model in force: start, restart (another
 * interface, peer or key) or stop the exchange, send the new hash at
 * once and compare it with the peer's.  Called after every applied
 * policy.  Failures are logged and shown by zonectl status; they never
 * touch the ruleset.
 */
void ha_update(struct zoned *z);
/* ha_close - stop the exchange; a NULL z->ha is fine */
void ha_close(struct zoned *z);

/* ha_status_text / ha_status_json - the pair's part of zonectl status */
void ha_status_text(const struct zoned *z, FILE *out);
struct json;
void ha_status_json(const struct zoned *z, struct json *j);

/*
 * ha_msg_build - the message carrying @hash (64 hex digits) with
 * sequence @seq, authenticated under @key.  Writes HA_MSG_LEN bytes.
 */
void ha_msg_build(const uint8_t *key, size_t key_len, uint64_t seq,
		  const char *hash, uint8_t msg[HA_MSG_LEN]);
/*
 * ha_msg_parse - check a received message: its size, magic, MAC under
 * @key and hash digits.  Returns 0 and writes @ret_seq and @ret_hash
 * (NUL-terminated), or -EBADMSG (malformed) or -EPERM (bad MAC).
 */
int ha_msg_parse(const uint8_t *key, size_t key_len, const void *msg,
		 size_t len, uint64_t *ret_seq, char ret_hash[HA_HASH_LEN + 1]);
/*
 * ha_read_key - read the shared key from @path: a regular file owned by
 * root, readable by nobody else, HA_KEY_MIN to HA_KEY_MAX bytes (one
 * trailing newline is not part of it).  Returns the length or -errno;
 * @why says what is wrong.
 */
int ha_read_key(const char *path, uint8_t key[HA_KEY_MAX], const char **why);

#endif
