/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONE_SHA256_H
#define ZONE_SHA256_H

#include <stddef.h>
#include <stdint.h>

/*
 * SHA-256 (FIPS 180-4), for the policy hash, and HMAC-SHA256 for the
 * gateway pair's messages: none of the libraries zoned already links
 * offers one.
 */

#define SHA256_DIGEST_LEN 32
#define SHA256_HEX_LEN (2 * SHA256_DIGEST_LEN + 1)

struct zone_sha256_ctx {
	uint32_t state[8];
	uint64_t total; /* bytes hashed so far */
	uint8_t block[64];
	size_t used; /* bytes waiting in @block */
};

/* zone_sha256_init - start a new hash */
void zone_sha256_init(struct zone_sha256_ctx *ctx);
/* zone_sha256_update - hash @len more bytes of @data */
void zone_sha256_update(struct zone_sha256_ctx *ctx, const void *data,
			size_t len);
/* zone_sha256_final - finish and write the 32-byte digest */
void zone_sha256_final(struct zone_sha256_ctx *ctx,
		       uint8_t digest[SHA256_DIGEST_LEN]);
/* zone_sha256_final_hex - finish into lower-case hex, NUL ended */
void zone_sha256_final_hex(struct zone_sha256_ctx *ctx,
			   char hex[SHA256_HEX_LEN]);
/* zone_sha256_hex - hash @len bytes of @data into lower-case hex, NUL ended */
void zone_sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN]);

/*
 * zone_sha256_hmac - HMAC-SHA256 (RFC 2104) of @len bytes of @data under the
 * @key_len bytes of @key, into @mac (the gateway pair's policy hashes)
 */
void zone_sha256_hmac(const void *key, size_t key_len, const void *data,
		      size_t len, uint8_t mac[SHA256_DIGEST_LEN]);

#endif
