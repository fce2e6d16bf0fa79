/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rule builder, the rest of the matches: time, Ethernet source,
 * interfaces, ICMPv6 types and the established flow's binding, in the
 * shapes nft 1.0.6 decompiles.
 */

#include <sys/socket.h>

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <linux/if_arp.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>

#include "nft_plan.h"
#include "nft_rule.h"
#include "nft_rule_priv.h"

/*
 * byteorder reg 1 = hton(reg 1, @size): meta time and meta hour are host
 * order, and cmp compares bytes, so nft swaps them to big endian before
 * comparing; one helper for both, so that they swap alike
 */
static void reg1_hton(struct nft_rb *rb, uint32_t size)
{
	struct nftnl_expr *e = nft_rbi_expr(rb, "byteorder");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_LEN, size);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SIZE, size);
}

/*
 * meta time @op @ns (UTC nanoseconds), as nft emits it: cmp compares
 * bytes, so nft swaps the host-order time to big endian first
 */
static void time_cmp(struct nft_rb *rb, enum nft_cmp_ops op, uint64_t ns)
{
	uint64_t be = htobe64(ns);

	nft_rbi_meta_load(rb, NFT_META_TIME_NS);
	reg1_hton(rb, sizeof(ns));
	nft_rbi_cmp(rb, op, &be, sizeof(be));
}

void nft_rb_time_before(struct nft_rb *rb, uint64_t ns)
{
	time_cmp(rb, NFT_CMP_LT, ns);
}

/* meta time >= @ns (UTC nanoseconds), as nft emits it */
void nft_rb_time_after(struct nft_rb *rb, uint64_t ns)
{
	time_cmp(rb, NFT_CMP_GTE, ns);
}

/* meta day @day meta hour @lo-@hi, as nft emits it */
void nft_rb_day_hour(struct nft_rb *rb, uint8_t day, uint32_t lo,
		     uint32_t hi)
{
	uint32_t be_lo = htobe32(lo);
	uint32_t be_hi = htobe32(hi);

	nft_rbi_meta_load(rb, NFT_META_TIME_DAY);
	nft_rbi_cmp(rb, NFT_CMP_EQ, &day, sizeof(day));
	nft_rbi_meta_load(rb, NFT_META_TIME_HOUR);
	/* meta hour is host order: compared as big endian bytes, like nft */
	reg1_hton(rb, sizeof(lo));
	/* nft emits a range of meta hour as two compares, not "range" */
	nft_rbi_cmp(rb, NFT_CMP_GTE, &be_lo, sizeof(be_lo));
	nft_rbi_cmp(rb, NFT_CMP_LTE, &be_hi, sizeof(be_hi));
}

/* meta iiftype ether ether saddr @mac, as nft emits it */
void nft_rb_ether_saddr(struct nft_rb *rb, const uint8_t *mac)
{
	uint16_t ether = ARPHRD_ETHER;

	nft_rbi_meta_load(rb, NFT_META_IIFTYPE);
	nft_rbi_cmp(rb, NFT_CMP_EQ, &ether, sizeof(ether));
	nft_rbi_payload(rb, NFT_PAYLOAD_LL_HEADER, 6, 6);
	nft_rbi_cmp(rb, NFT_CMP_EQ, mac, 6);
}

/* iifname or oifname, loaded into register 1 */
static void rb_ifname_load(struct nft_rb *rb, bool out)
{
	nft_rbi_meta_load(rb, out ? NFT_META_OIFNAME : NFT_META_IIFNAME);
}

void nft_rb_ifname(struct nft_rb *rb, bool out, bool neg,
		   const char *const *names, size_t n)
{
	struct nftnl_set *s;
	char key[NFT_IFNAME_LEN];
	size_t i;

	if (n == 0) {
		rb->err = rb->err ? rb->err : -EINVAL;
		return;
	}
	if (n == 1) {
		memset(key, 0, sizeof(key));
		strncpy(key, names[0], sizeof(key) - 1);
		rb_ifname_load(rb, out);
		nft_rbi_cmp(rb, neg ? NFT_CMP_NEQ : NFT_CMP_EQ, key, sizeof(key));
		return;
	}
	s = nft_rbi_anon(rb, "__set%d", 0, NFT_TYPE_IFNAME, NFT_IFNAME_LEN);
	if (!s)
		return;
	for (i = 0; i < n; i++) {
		memset(key, 0, sizeof(key));
		strncpy(key, names[i], sizeof(key) - 1);
		nft_rbi_anon_elem(rb, s, key, sizeof(key), 0);
	}
	nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, (uint32_t)n);
	rb_ifname_load(rb, out);
	nft_rbi_lookup_flags(rb, "__set%d", nftnl_set_get_u32(s, NFTNL_SET_ID), -1,
			neg ? NFT_LOOKUP_F_INV : 0);
}

void nft_rb_ifname_set(struct nft_rb *rb, bool out, bool neg, const char *set,
		       uint32_t set_id)
{
	rb_ifname_load(rb, out);
	nft_rbi_lookup_flags(rb, set, set_id, -1, neg ? NFT_LOOKUP_F_INV : 0);
}

void nft_rb_icmpv6_types(struct nft_rb *rb, uint8_t first, uint8_t last)
{
	uint8_t proto = IPPROTO_ICMPV6;

	nft_rbi_nfproto(rb, AF_INET6);
	nft_rbi_meta_load(rb, NFT_META_L4PROTO);
	nft_rbi_cmp(rb, NFT_CMP_EQ, &proto, sizeof(proto));
	rb->l4proto = proto;
	nft_rbi_payload(rb, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1);
	if (first == last) {
		nft_rbi_cmp(rb, NFT_CMP_EQ, &first, sizeof(first));
		return;
	}
	nft_rbi_cmp(rb, NFT_CMP_GTE, &first, sizeof(first));
	nft_rbi_cmp(rb, NFT_CMP_LTE, &last, sizeof(last));
}

/* nftables' concatenated type id: each type shifted in by TYPE_BITS (6) */
static uint32_t concat_type(const uint32_t *types, size_t n)
{
	uint32_t t = 0;
	size_t i;

	for (i = 0; i < n; i++)
		t = t << 6 | types[i];
	return t;
}

static void rb_load_to(struct nft_rb *rb, const char *expr, uint32_t key,
		       uint32_t dreg)
{
	struct nftnl_expr *e = nft_rbi_expr(rb, expr);

	if (!e)
		return;
	if (strcmp(expr, "ct") == 0) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, dreg);
	} else {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	}
}

/*
 * One hash lookup binds an established packet: each field takes whole
 * 32-bit registers (the direction one, each name four), as nft lays out
 * a concatenation, and the anonymous set holds the keys the same way.
 */
void nft_rb_flow_lookup(struct nft_rb *rb, const struct nft_flow_key *keys,
			size_t n, bool oif)
{
	static const uint32_t types[] = { NFT_TYPE_CT_DIR, NFT_TYPE_MARK,
					  NFT_TYPE_IFNAME, NFT_TYPE_IFNAME };
	uint32_t len = oif ? 40 : 24;
	uint8_t key[40];
	struct nftnl_set *s;
	size_t i;

	if (n == 0) {
		rb->err = rb->err ? rb->err : -EINVAL;
		return;
	}
	s = nft_rbi_anon(rb, "__set%d", 0, concat_type(types, oif ? 4 : 3), len);
	if (!s)
		return;
	for (i = 0; i < n; i++) {
		memset(key, 0, sizeof(key));
		key[0] = keys[i].dir;
		memcpy(key + 4, &keys[i].mark, sizeof(keys[i].mark));
		memcpy(key + 8, keys[i].iif, NFT_IFNAME_LEN);
		if (oif)
			memcpy(key + 24, keys[i].oif, NFT_IFNAME_LEN);
		nft_rbi_anon_elem(rb, s, key, len, 0);
	}
	nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, (uint32_t)n);
	rb_load_to(rb, "ct", NFT_CT_DIRECTION, NFT_REG32_00);
	rb_load_to(rb, "ct", NFT_CT_MARK, NFT_REG32_01);
	rb_load_to(rb, "meta", NFT_META_IIFNAME, NFT_REG32_02);
	if (oif)
		rb_load_to(rb, "meta", NFT_META_OIFNAME, NFT_REG32_06);
	if (rb->err)
		return;
	{
		struct nftnl_expr *e = nft_rbi_expr(rb, "lookup");

		if (!e)
			return;
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG32_00);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, "__set%d");
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID,
				   nftnl_set_get_u32(s, NFTNL_SET_ID));
	}
}

/*
 * The binding by index: the same key as nft_rb_flow_lookup() with the
 * interfaces' indexes, 16 bytes in four registers, in the named set that
 * a compile fills from its struct zone_compile_args' ifindex source.
 */
void nft_rb_flow_index_lookup(struct nft_rb *rb, const char *set,
			      uint32_t set_id)
{
	struct nftnl_expr *e;

	rb_load_to(rb, "ct", NFT_CT_DIRECTION, NFT_REG32_00);
	rb_load_to(rb, "ct", NFT_CT_MARK, NFT_REG32_01);
	rb_load_to(rb, "meta", NFT_META_IIF, NFT_REG32_02);
	rb_load_to(rb, "meta", NFT_META_OIF, NFT_REG32_03);
	if (rb->err)
		return;
	e = nft_rbi_expr(rb, "lookup");
	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG32_00);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, set_id);
}
