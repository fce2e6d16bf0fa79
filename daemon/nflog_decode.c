/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The NFLOG message of a dropped packet decoded (nflog_decode.h): the
 * attributes validated, the log prefix read back into what dropped the
 * packet, the IPv4 or IPv6 header walked to the destination port.  Only
 * what the kernel copied (NFLOG_COPY_RANGE bytes) is there to read.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink_log.h>

#include <zone/mark.h>
#include <zone/proto.h>

#include "nflog_decode.h"

int nflog_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, NFULA_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case NFULA_MARK:
	case NFULA_IFINDEX_INDEV:
	case NFULA_IFINDEX_OUTDEV:
	case NFULA_SEQ:
	case NFULA_SEQ_GLOBAL:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		break;
	case NFULA_PREFIX:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		break;
	case NFULA_PACKET_HDR:
		if (mnl_attr_validate2(attr, MNL_TYPE_UNSPEC,
			sizeof(struct nfulnl_msg_packet_hdr)) < 0)
			return MNL_CB_ERROR;
		break;
	case NFULA_PAYLOAD:
		if (mnl_attr_validate(attr, MNL_TYPE_UNSPEC) < 0)
			return MNL_CB_ERROR;
		break;
	default:
		return MNL_CB_OK;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

static void nflog_l4(const uint8_t *p, size_t len, struct nflog_rec *rec)
{
	if (!zone_proto_has_ports(rec->f.proto) || len < 4)
		return;
	rec->has_ports = true;
	rec->f.dport = (uint16_t)(p[2] << 8 | p[3]);
}

static int nflog_ipv4(const uint8_t *p, size_t len, struct nflog_rec *rec)
{
	size_t ihl;

	if (len < 20)
		return -EINVAL;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > len)
		return -EINVAL;
	rec->f.src.family = AF_INET;
	rec->f.dst.family = AF_INET;
	memcpy(rec->f.src.bytes, p + 12, 4);
	memcpy(rec->f.dst.bytes, p + 16, 4);
	rec->f.proto = p[9];
	/* only the first fragment carries the ports */
	if (((p[6] << 8 | p[7]) & 0x1fff) == 0)
		nflog_l4(p + ihl, len - ihl, rec);
	return 0;
}

static int nflog_ipv6(const uint8_t *p, size_t len, struct nflog_rec *rec)
{
	size_t off = 40;
	uint8_t nh;
	int i;

	if (len < 40)
		return -EINVAL;
	rec->f.src.family = AF_INET6;
	rec->f.dst.family = AF_INET6;
	memcpy(rec->f.src.bytes, p + 8, 16);
	memcpy(rec->f.dst.bytes, p + 24, 16);
	nh = p[6];
	/* walk a few extension headers to the transport header */
	for (i = 0; i < 8 && off + 8 <= len; i++) {
		if (nh == 0 || nh == 43 || nh == 60) {
			nh = p[off];
			off += ((size_t)p[off + 1] + 1) * 8;
		} else if (nh == 51) {
			nh = p[off];
			off += ((size_t)p[off + 1] + 2) * 4;
		} else if (nh == 44) {
			bool first = ((p[off + 2] << 8 | p[off + 3]) & 0xfff8) == 0;

			nh = p[off];
			off += 8;
			if (!first) {
				rec->f.proto = nh;
				return 0;
			}
		} else {
			break;
		}
	}
	rec->f.proto = nh;
	if (off <= len)
		nflog_l4(p + off, len - off, rec);
	return 0;
}

/* true when @text starts with the word @word; *@ret_rest is what follows */
static bool nflog_prefix_word(const char *text, const char *word,
			      const char **ret_rest)
{
	size_t len = strlen(word);

	if (strncmp(text, word, len) != 0 ||
	    (text[len] != '\0' && text[len] != ' '))
		return false;
	*ret_rest = text + len + (text[len] == ' ');
	return true;
}

/* "zoned deny hard-invariant" -> NFLOG_DENY, "hard-invariant" */
static enum nflog_kind nflog_prefix(const char *prefix, const char **ret_arg)
{
	static const struct {
		const char *word;
		enum nflog_kind kind;
	} words[] = {
		{ "deny", NFLOG_DENY },
		{ "monitor", NFLOG_MONITOR },
		{ "isolate", NFLOG_ISOLATE },
		{ "spoof", NFLOG_SPOOF },
	};
	size_t plen = strlen(ZONE_LOG_PREFIX);
	size_t i;

	*ret_arg = "";
	if (strncmp(prefix, ZONE_LOG_PREFIX, plen) != 0)
		return NFLOG_OTHER;
	prefix += plen;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (nflog_prefix_word(prefix, words[i].word, ret_arg))
			break;
	if (i == sizeof(words) / sizeof(words[0]))
		return NFLOG_OTHER;
	/* "zoned monitor spoof <segment>": a spoof monitor mode let by */
	if (words[i].kind == NFLOG_MONITOR &&
	    nflog_prefix_word(*ret_arg, "spoof", ret_arg))
		return NFLOG_SPOOF;
	return words[i].kind;
}

int nflog_decode(const struct nlattr **tb, struct nflog_rec *rec)
{
	const uint8_t *p;
	size_t len;

	memset(rec, 0, sizeof(*rec));
	if (!tb[NFULA_PAYLOAD] || !tb[NFULA_PREFIX])
		return -EINVAL;
	rec->kind = nflog_prefix(mnl_attr_get_str(tb[NFULA_PREFIX]),
				 &rec->arg);
	if (tb[NFULA_IFINDEX_INDEV])
		rec->indev = ntohl(mnl_attr_get_u32(tb[NFULA_IFINDEX_INDEV]));
	p = mnl_attr_get_payload(tb[NFULA_PAYLOAD]);
	len = mnl_attr_get_payload_len(tb[NFULA_PAYLOAD]);
	if (len < 1)
		return -EINVAL;
	switch (p[0] >> 4) {
	case 4:
		return nflog_ipv4(p, len, rec);
	case 6:
		return nflog_ipv6(p, len, rec);
	default:
		return -EINVAL;
	}
}

const char *nflog_edge_rule(const struct nflog_rec *r)
{
	static const char *const edges[] = { "unknown-interface",
					     "wrong-egress", "gateway" };
	const char *rest;
	size_t i;

	if (r->kind != NFLOG_DENY && r->kind != NFLOG_MONITOR)
		return NULL;
	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		if (nflog_prefix_word(r->arg, edges[i], &rest))
			return edges[i];
	}
	return NULL;
}
