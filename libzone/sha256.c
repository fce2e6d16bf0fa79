/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A compact SHA-256 after FIPS 180-4, section 6.2.  Speed does not matter
 * here: it hashes one normalised config per reload.
 */

#include <string.h>

#include <zone/sha256.h>

static const uint32_t k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

/* The message schedule's small sigma functions (FIPS 180-4, 4.6, 4.7). */
static uint32_t sig0(uint32_t x)
{
	return ror(x, 7) ^ ror(x, 18) ^ (x >> 3);
}

static uint32_t sig1(uint32_t x)
{
	return ror(x, 17) ^ ror(x, 19) ^ (x >> 10);
}

static void sha256_block(struct zone_sha256_ctx *ctx, const uint8_t *p)
{
	uint32_t w[64];
	uint32_t v[8];
	uint32_t t1;
	uint32_t t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++)
		w[i] = sig1(w[i - 2]) + w[i - 7] + sig0(w[i - 15]) + w[i - 16];
	memcpy(v, ctx->state, sizeof(v));
	for (i = 0; i < 64; i++) {
		t1 = v[7] + (ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25)) +
		     ((v[4] & v[5]) ^ (~v[4] & v[6])) + k[i] + w[i];
		t2 = (ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22)) +
		     ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		ctx->state[i] += v[i];
}

/* zone_sha256_init - start a new hash */
void zone_sha256_init(struct zone_sha256_ctx *ctx)
{
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(ctx->state, h0, sizeof(h0));
	ctx->total = 0;
	ctx->used = 0;
}

/* zone_sha256_update - hash @len more bytes of @data */
void zone_sha256_update(struct zone_sha256_ctx *ctx, const void *data,
			size_t len)
{
	const uint8_t *p = data;
	size_t n;

	ctx->total += len;
	while (len > 0) {
		n = sizeof(ctx->block) - ctx->used;
		if (n > len)
			n = len;
		memcpy(ctx->block + ctx->used, p, n);
		ctx->used += n;
		p += n;
		len -= n;
		if (ctx->used == sizeof(ctx->block)) {
			sha256_block(ctx, ctx->block);
			ctx->used = 0;
		}
	}
}

/* zone_sha256_final - pad, finish and write the 32-byte digest */
void zone_sha256_final(struct zone_sha256_ctx *ctx,
		       uint8_t digest[SHA256_DIGEST_LEN])
{
	uint64_t bits = ctx->total * 8;
	int i;

	ctx->block[ctx->used++] = 0x80;
	if (ctx->used > 56) {
		memset(ctx->block + ctx->used, 0, 64 - ctx->used);
		sha256_block(ctx, ctx->block);
		ctx->used = 0;
	}
	memset(ctx->block + ctx->used, 0, 56 - ctx->used);
	for (i = 0; i < 8; i++)
		ctx->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_block(ctx, ctx->block);
	for (i = 0; i < 32; i++)
		digest[i] = (uint8_t)(ctx->state[i / 4] >> (24 - 8 * (i % 4)));
}

/* zone_sha256_final_hex - pad, finish and write the digest in lower-case hex */
void zone_sha256_final_hex(struct zone_sha256_ctx *ctx,
			   char hex[SHA256_HEX_LEN])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t digest[SHA256_DIGEST_LEN];
	int i;

	zone_sha256_final(ctx, digest);
	for (i = 0; i < SHA256_DIGEST_LEN; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 0xf];
	}
	hex[2 * SHA256_DIGEST_LEN] = '\0';
}

/* zone_sha256_hex - hash @len bytes of @data into lower-case hex, NUL ended */
void zone_sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN])
{
	struct zone_sha256_ctx ctx;

	zone_sha256_init(&ctx);
	zone_sha256_update(&ctx, data, len);
	zone_sha256_final_hex(&ctx, hex);
}

/**
 * zone_sha256_hmac - HMAC-SHA256 of @data under @key (RFC 2104)
 * @key: any length; one longer than a block is hashed first
 * @mac: the 32-byte result
 */
void zone_sha256_hmac(const void *key, size_t key_len, const void *data,
		      size_t len, uint8_t mac[SHA256_DIGEST_LEN])
{
	uint8_t block[64] = { 0 };
	uint8_t pad[64];
	uint8_t inner[SHA256_DIGEST_LEN];
	struct zone_sha256_ctx ctx;
	size_t i;

	if (key_len > sizeof(block)) {
		zone_sha256_init(&ctx);
		zone_sha256_update(&ctx, key, key_len);
		zone_sha256_final(&ctx, block);
	} else {
		memcpy(block, key, key_len);
	}
	for (i = 0; i < sizeof(pad); i++)
		pad[i] = block[i] ^ 0x36;
	zone_sha256_init(&ctx);
	zone_sha256_update(&ctx, pad, sizeof(pad));
	zone_sha256_update(&ctx, data, len);
	zone_sha256_final(&ctx, inner);
	for (i = 0; i < sizeof(pad); i++)
		pad[i] = block[i] ^ 0x5c;
	zone_sha256_init(&ctx);
	zone_sha256_update(&ctx, pad, sizeof(pad));
	zone_sha256_update(&ctx, inner, sizeof(inner));
	zone_sha256_final(&ctx, mac);
}
