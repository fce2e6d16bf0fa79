/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rule builder: libnftnl expressions in the shapes nft 1.0.6 decompiles.
 */

#include <sys/socket.h>

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_arp.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>

#include <zone/mark.h>

#include "nft_plan.h"
#include "nft_range.h"
#include "nft_rule.h"
#include "nft_rule_priv.h"
#include "nft_udata.h"

struct nft_rb *nft_rb_new(struct zone_ruleset *rs, const char *chain)
{
	struct nft_rb *rb;

	rb = calloc(1, sizeof(*rb));
	if (!rb)
		return NULL;
	rb->rs = rs;
	rb->rule = nftnl_rule_alloc();
	if (!rb->rule) {
		free(rb);
		errno = ENOMEM;
		return NULL;
	}
	nftnl_rule_set_u32(rb->rule, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(rb->rule, NFTNL_RULE_TABLE, ZONE_TABLE_NAME);
	nftnl_rule_set_str(rb->rule, NFTNL_RULE_CHAIN, chain);
	return rb;
}

void nft_rb_free(struct nft_rb *rb)
{
	size_t i;

	if (!rb)
		return;
	for (i = 0; i < rb->n_anon; i++)
		nftnl_set_free(rb->anon[i]);
	free(rb->anon);
	nftnl_rule_free(rb->rule);
	free(rb);
}

/* the comment TLV nft writes and prints (nftables src/rule.c) */
static int rb_comment(struct nft_rb *rb, const char *comment)
{
	char text[NFTNL_UDATA_COMMENT_MAXLEN];
	uint8_t buf[NFT_UDATA_COMMENT_SIZE];
	size_t len;
	int n;

	len = strlen(comment);
	if (len >= sizeof(text)) {
		len = sizeof(text) - 1;
		/* never cut a UTF-8 sequence in half */
		while (len > 0 && ((unsigned char)comment[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(text, comment, len);
	text[len] = '\0';
	n = nft_udata_comment(buf, NFTNL_UDATA_RULE_COMMENT, text);
	if (n < 0 || nftnl_rule_set_data(rb->rule, NFTNL_RULE_USERDATA, buf,
					 (uint32_t)n) < 0)
		return -ENOMEM;
	return 0;
}

/*
 * nft_rb_commit - append the rule to the plan; takes ownership of the
 * builder's rule and anonymous sets and frees the builder in all cases.
 * Returns 0 or the first error of the emitters.
 */
int nft_rb_commit(struct nft_rb *rb, const struct nft_origin *origin,
		  const char *comment)
{
	struct zone_ruleset *rs = rb->rs;
	struct nft_prule *r;
	int err = rb->err;

	if (!err && comment)
		err = rb_comment(rb, comment);
	if (!err && rs->n_rules == rs->cap_rules) {
		size_t cap = rs->cap_rules ? 2 * rs->cap_rules : 64;
		struct nft_prule *p = realloc(rs->rules, cap * sizeof(*p));

		if (!p) {
			err = -ENOMEM;
		} else {
			rs->rules = p;
			rs->cap_rules = cap;
		}
	}
	if (err) {
		nft_rb_free(rb);
		return err;
	}
	r = &rs->rules[rs->n_rules++];
	r->rule = rb->rule;
	r->anon = rb->anon;
	r->n_anon = rb->n_anon;
	r->origin = *origin;
	free(rb);
	return 0;
}

struct nftnl_expr *nft_rbi_expr(struct nft_rb *rb, const char *name)
{
	struct nftnl_expr *e;

	if (rb->err)
		return NULL;
	e = nftnl_expr_alloc(name);
	if (!e) {
		rb->err = -ENOMEM;
		return NULL;
	}
	nftnl_rule_add_expr(rb->rule, e);
	return e;
}

void nft_rbi_meta_load(struct nft_rb *rb, uint32_t key)
{
	struct nftnl_expr *e = nft_rbi_expr(rb, "meta");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
}

void nft_rbi_cmp(struct nft_rb *rb, uint32_t op, const void *data,
		   uint32_t len)
{
	struct nftnl_expr *e = nft_rbi_expr(rb, "cmp");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
}

void nft_rbi_payload(struct nft_rb *rb, uint32_t base, uint32_t offset,
		       uint32_t len)
{
	struct nftnl_expr *e = nft_rbi_expr(rb, "payload");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
}

static void rb_bitwise(struct nft_rb *rb, const void *mask, uint32_t len)
{
	static const uint8_t zero[16];
	struct nftnl_expr *e = nft_rbi_expr(rb, "bitwise");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
}

/* the dependency nft puts before an ip/ip6 header field in table inet */
void nft_rbi_nfproto(struct nft_rb *rb, int family)
{
	uint8_t proto = family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6;

	if (rb->nfproto == family)
		return;
	nft_rbi_meta_load(rb, NFT_META_NFPROTO);
	nft_rbi_cmp(rb, NFT_CMP_EQ, &proto, sizeof(proto));
	rb->nfproto = family;
}

static void rb_addr_load(struct nft_rb *rb, int family, bool dst, uint32_t len)
{
	uint32_t off;

	nft_rbi_nfproto(rb, family);
	if (family == AF_INET)
		off = dst ? 16 : 12;
	else
		off = dst ? 24 : 8;
	nft_rbi_payload(rb, NFT_PAYLOAD_NETWORK_HEADER, off, len);
}

/* ip saddr 10.0.0.0/8: load only the bytes the prefix covers */
static void rb_addr_prefix(struct nft_rb *rb, bool dst,
			   const struct zone_prefix *p)
{
	uint32_t bytes = (p->len + 7) / 8;
	uint8_t mask[16] = { 0 };
	uint32_t i;

	if (p->len == 0) {
		nft_rbi_nfproto(rb, p->addr.family);
		return;
	}
	rb_addr_load(rb, p->addr.family, dst, bytes);
	if (p->len % 8) {
		for (i = 0; i < bytes; i++)
			mask[i] = 0xff;
		mask[bytes - 1] = (uint8_t)(0xff << (8 - p->len % 8));
		rb_bitwise(rb, mask, bytes);
	}
	nft_rbi_cmp(rb, NFT_CMP_EQ, p->addr.bytes, bytes);
}

/* the byte orders nft needs to print the elements (see nft_udata.h) */
static void rb_anon_udata(struct nft_rb *rb, struct nftnl_set *s, bool map,
			  uint32_t key_order)
{
	if (nft_set_udata(s, key_order, map, 0, false) < 0)
		rb->err = -ENOMEM;
}

struct nftnl_set *nft_rbi_anon(struct nft_rb *rb, const char *name,
				 uint32_t flags, uint32_t key_type,
				 uint32_t key_len)
{
	struct nftnl_set *s;
	struct nftnl_set **p;

	if (rb->err)
		return NULL;
	p = realloc(rb->anon, (rb->n_anon + 1) * sizeof(*p));
	if (!p) {
		rb->err = -ENOMEM;
		return NULL;
	}
	rb->anon = p;
	s = nftnl_set_alloc();
	if (!s) {
		rb->err = -ENOMEM;
		return NULL;
	}
	rb->anon[rb->n_anon++] = s;
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, ZONE_TABLE_NAME);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS,
			  NFT_SET_ANONYMOUS | NFT_SET_CONSTANT | flags);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, key_type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, key_len);
	nftnl_set_set_u32(s, NFTNL_SET_ID, ++rb->rs->next_set_id);
	/* a concatenation's byte order is its fields' (nft: invalid, 0) */
	rb_anon_udata(rb, s, flags & NFT_SET_MAP,
		      key_type > 63 ? 0 :
		      key_type == NFT_TYPE_MARK || key_type == NFT_TYPE_IFNAME ?
				      1 :
				      2);
	return s;
}

void nft_rbi_anon_elem(struct nft_rb *rb, struct nftnl_set *s,
			 const void *key, uint32_t len, uint32_t flags)
{
	struct nftnl_set_elem *e;

	if (rb->err)
		return;
	e = nftnl_set_elem_alloc();
	if (!e) {
		rb->err = -ENOMEM;
		return;
	}
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, len);
	if (flags)
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, flags);
	nftnl_set_elem_add(s, e);
}

void nft_rbi_lookup_flags(struct nft_rb *rb, const char *set,
			    uint32_t set_id, int dreg, uint32_t flags)
{
	struct nftnl_expr *e = nft_rbi_expr(rb, "lookup");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, set_id);
	if (dreg >= 0)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, dreg);
	if (flags)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, flags);
}

static void rb_lookup(struct nft_rb *rb, const char *set, uint32_t set_id,
		      int dreg)
{
	nft_rbi_lookup_flags(rb, set, set_id, dreg, 0);
}

/* ip saddr { a, b/24 }: an anonymous set, interval when needed */
static void rb_addr_set(struct nft_rb *rb, int family, bool dst,
			const struct zone_prefix *list, size_t n)
{
	uint32_t len = nft_addr_len(family);
	struct nft_range *r;
	struct nftnl_set *s;
	bool interval = false;
	int m;
	size_t i;

	r = calloc(n, sizeof(*r));
	if (!r) {
		rb->err = rb->err ? rb->err : -ENOMEM;
		return;
	}
	for (i = 0; i < n; i++) {
		nft_range_from_prefix(&list[i], 0, &r[i]);
		interval |= memcmp(r[i].lo, r[i].hi, len) != 0;
	}
	m = nft_ranges_merge(r, n, len);
	s = nft_rbi_anon(rb, "__set%d", interval ? NFT_SET_INTERVAL : 0,
		    family == AF_INET ? NFT_TYPE_IPADDR : NFT_TYPE_IP6ADDR,
		    len);
	if (s && interval) {
		static const uint8_t zero[16];

		/* nft opens an interval set with an end element at 0 */
		if (memcmp(r[0].lo, zero, len) != 0)
			nft_rbi_anon_elem(rb, s, zero, len,
				     NFT_SET_ELEM_INTERVAL_END);
		for (i = 0; i < (size_t)m; i++) {
			nft_rbi_anon_elem(rb, s, r[i].lo, len, 0);
			if (nft_key_inc(r[i].hi, len))
				nft_rbi_anon_elem(rb, s, r[i].hi, len,
					     NFT_SET_ELEM_INTERVAL_END);
		}
	} else if (s) {
		for (i = 0; i < n; i++)
			nft_rbi_anon_elem(rb, s, list[i].addr.bytes, len, 0);
	}
	if (s)
		nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE,
				  interval ? 2 * (uint32_t)m + 1 : (uint32_t)n);
	free(r);
	if (!s)
		return;
	rb_addr_load(rb, family, dst, len);
	rb_lookup(rb, "__set%d", nftnl_set_get_u32(s, NFTNL_SET_ID), -1);
}

void nft_rb_addr(struct nft_rb *rb, int family, bool dst,
		 const struct zone_prefix *list, size_t n)
{
	if (n == 1)
		rb_addr_prefix(rb, dst, &list[0]);
	else if (n > 1)
		rb_addr_set(rb, family, dst, list, n);
}

void nft_rb_addr_lookup(struct nft_rb *rb, int family, bool dst,
			const char *set, uint32_t set_id, int dreg)
{
	rb_addr_load(rb, family, dst, nft_addr_len(family));
	rb_lookup(rb, set, set_id, dreg);
}

void nft_rb_addr_masked_lookup(struct nft_rb *rb, int family, bool dst,
			       unsigned int plen, const char *set,
			       uint32_t set_id, int dreg)
{
	uint32_t len = nft_addr_len(family);
	uint8_t mask[16] = { 0 };
	unsigned int i;

	for (i = 0; i < plen && i < 8 * len; i++)
		mask[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	rb_addr_load(rb, family, dst, len);
	rb_bitwise(rb, mask, len);
	nft_rbi_lookup_flags(rb, set, set_id, dreg, 0);
}

void nft_rb_service(struct nft_rb *rb, const struct zone_service *svc)
{
	uint16_t first = htobe16(svc->port_first);
	uint16_t last = htobe16(svc->port_last);

	if (rb->l4proto != svc->proto) {
		nft_rbi_meta_load(rb, NFT_META_L4PROTO);
		nft_rbi_cmp(rb, NFT_CMP_EQ, &svc->proto, sizeof(svc->proto));
		rb->l4proto = svc->proto;
	}
	if (svc->port_first == 0 && svc->port_last == 65535)
		return;
	nft_rbi_payload(rb, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
	if (svc->port_first == svc->port_last) {
		nft_rbi_cmp(rb, NFT_CMP_EQ, &first, sizeof(first));
		return;
	}
	nft_rbi_cmp(rb, NFT_CMP_GTE, &first, sizeof(first));
	nft_rbi_cmp(rb, NFT_CMP_LTE, &last, sizeof(last));
}

/*
 * ct @key to or from register 1: @reg is NFTNL_EXPR_CT_DREG to load it,
 * NFTNL_EXPR_CT_SREG to set it; one emitter for both directions
 */
static void rb_ct(struct nft_rb *rb, uint32_t key, uint16_t reg)
{
	struct nftnl_expr *e = nft_rbi_expr(rb, "ct");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
	nftnl_expr_set_u32(e, reg, NFT_REG_1);
}

static void rb_ct_load(struct nft_rb *rb, uint32_t key)
{
	rb_ct(rb, key, NFTNL_EXPR_CT_DREG);
}

void nft_rb_ct_state(struct nft_rb *rb, uint32_t mask)
{
	uint32_t zero = 0;

	rb_ct_load(rb, NFT_CT_STATE);
	rb_bitwise(rb, &mask, sizeof(mask));
	nft_rbi_cmp(rb, NFT_CMP_NEQ, &zero, sizeof(zero));
}

void nft_rb_ct_mark_eq(struct nft_rb *rb, uint32_t mark)
{
	rb_ct_load(rb, NFT_CT_MARK);
	nft_rbi_cmp(rb, NFT_CMP_EQ, &mark, sizeof(mark));
}

void nft_rb_ct_mark_set_reg(struct nft_rb *rb)
{
	rb_ct(rb, NFT_CT_MARK, NFTNL_EXPR_CT_SREG);
}

void nft_rb_ct_mark_set(struct nft_rb *rb, uint32_t mark)
{
	struct nftnl_expr *e = nft_rbi_expr(rb, "immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
		nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, &mark, sizeof(mark));
	}
	nft_rb_ct_mark_set_reg(rb);
}

void nft_rb_iifname_vmap(struct nft_rb *rb, const char *set, uint32_t set_id)
{
	nft_rbi_meta_load(rb, NFT_META_IIFNAME);
	rb_lookup(rb, set, set_id, NFT_REG_VERDICT);
}

void nft_rb_ct_mark_vmap(struct nft_rb *rb, const uint32_t *marks,
			 const char *const *chains, size_t n)
{
	struct nftnl_set *s;
	size_t i;

	s = nft_rbi_anon(rb, "__map%d", NFT_SET_MAP, NFT_TYPE_MARK,
		    sizeof(uint32_t));
	if (!s)
		return;
	nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
	nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, 0);
	nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, (uint32_t)n);
	for (i = 0; i < n && !rb->err; i++) {
		struct nftnl_set_elem *e = nftnl_set_elem_alloc();

		if (!e) {
			rb->err = -ENOMEM;
			break;
		}
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &marks[i],
				   sizeof(marks[i]));
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, NFT_GOTO);
		nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, chains[i]);
		nftnl_set_elem_add(s, e);
	}
	rb_ct_load(rb, NFT_CT_MARK);
	rb_lookup(rb, "__map%d", nftnl_set_get_u32(s, NFTNL_SET_ID),
		  NFT_REG_VERDICT);
}

void nft_rb_counter(struct nft_rb *rb)
{
	nft_rbi_expr(rb, "counter");
}

void nft_rb_objref(struct nft_rb *rb, const char *counter)
{
	struct nftnl_expr *e = nft_rbi_expr(rb, "objref");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE, NFT_OBJECT_COUNTER);
	nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME, counter);
}

void nft_rb_limit_log(struct nft_rb *rb, const char *prefix)
{
	struct nftnl_expr *e = nft_rbi_expr(rb, "limit");

	if (e) {
		nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, NFT_LOG_RATE);
		nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, 1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, NFT_LOG_BURST);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, 0);
	}
	e = nft_rbi_expr(rb, "log");
	if (e) {
		nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, prefix);
		nftnl_expr_set_u16(e, NFTNL_EXPR_LOG_GROUP, ZONE_NFLOG_GROUP);
	}
}

void nft_rb_verdict(struct nft_rb *rb, int code, const char *chain)
{
	struct nftnl_expr *e = nft_rbi_expr(rb, "immediate");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)code);
	if (chain)
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
}
