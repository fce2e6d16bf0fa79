/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mkseeds - write the seed corpora of the netlink and control-protocol
 * fuzzers, built with the same libraries the kernel's peers use (libmnl,
 * libnftnl, libnetfilter_conntrack) and with zoned's own encoder, so that
 * the seeds follow the formats instead of being copies that drift.
 *
 *   mkseeds DIR     writes DIR/nflog, DIR/ctevent, DIR/nftmon, DIR/ctlmsg
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack_tcp.h>

#include <zone/mark.h>

#include "../daemon/ctlmsg.h"

/*
 * libnetfilter_conntrack brings libnfnetlink's copy of nfnetlink.h, which
 * predates the nftables subsystem.
 */
#ifndef NFNL_SUBSYS_NFTABLES
#define NFNL_SUBSYS_NFTABLES 10
#endif

static const char *out_dir;
static int n_written;

/* Write one seed: several netlink messages may share a buffer. */
static void seed(const char *target, const char *name, const void *buf,
		 size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, target);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", out_dir, target, name);
	f = fopen(path, "w");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	n_written++;
}

/* --- NFLOG packets ------------------------------------------------- */

static size_t nflog_msg(char *buf, const char *prefix, const uint8_t *pkt,
			size_t len, uint32_t indev, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfulnl_msg_packet_hdr ph = { .hw_protocol = htons(0x0800) };
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	nfg->res_id = htons(ZONE_NFLOG_GROUP);
	mnl_attr_put(nlh, NFULA_PACKET_HDR, sizeof(ph), &ph);
	mnl_attr_put_u32(nlh, NFULA_MARK, htonl(0));
	mnl_attr_put_strz(nlh, NFULA_PREFIX, prefix);
	if (indev)
		mnl_attr_put_u32(nlh, NFULA_IFINDEX_INDEV, htonl(indev));
	mnl_attr_put_u32(nlh, NFULA_SEQ, htonl(seq));
	mnl_attr_put(nlh, NFULA_PAYLOAD, len, pkt);
	return nlh->nlmsg_len;
}

static size_t ipv4(uint8_t *p, const char *src, const char *dst, uint8_t proto,
		   uint16_t dport)
{
	memset(p, 0, 28);
	p[0] = 0x45;
	p[9] = proto;
	inet_pton(AF_INET, src, p + 12);
	inet_pton(AF_INET, dst, p + 16);
	p[20] = 0x9c;
	p[21] = 0x40;
	p[22] = (uint8_t)(dport >> 8);
	p[23] = (uint8_t)dport;
	return 28;
}

static size_t ipv6(uint8_t *p, const char *src, const char *dst, uint8_t nh)
{
	memset(p, 0, 56);
	p[0] = 0x60;
	p[6] = 44;			/* a fragment header first */
	inet_pton(AF_INET6, src, p + 8);
	inet_pton(AF_INET6, dst, p + 24);
	p[40] = nh;
	p[52] = 0x01;
	p[53] = 0xbb;
	return 56;
}

static void seeds_nflog(void)
{
	static char buf[8192];
	uint8_t pkt[64];
	size_t len;

	len = nflog_msg(buf, "zoned deny hard-invariant", pkt,
			ipv4(pkt, "10.1.0.10", "10.3.0.10", 6, 22), 0, 1);
	seed("nflog", "deny4", buf, len);
	len += nflog_msg(buf + len, "zoned monitor spoof jumin", pkt,
			 ipv4(pkt, "10.3.0.9", "10.2.0.10", 17, 53), 1, 5);
	seed("nflog", "deny-spoof", buf, len);
	len = nflog_msg(buf, "zoned spoof jumin", pkt,
			ipv4(pkt, "10.3.0.9", "10.2.0.10", 17, 53), 3, 2);
	seed("nflog", "spoof", buf, len);
	len = nflog_msg(buf, "zoned isolate", pkt,
			ipv6(pkt, "fd00:1::10", "fd00:3::10", 6), 0, 3);
	seed("nflog", "isolate6", buf, len);
	len = nflog_msg(buf, "zoned deny unknown-interface", pkt,
			ipv4(pkt, "203.0.113.5", "10.1.0.10", 1, 0), 0, 9);
	seed("nflog", "icmp", buf, len);
}

/* --- conntrack events ---------------------------------------------- */

static size_t ct_msg(char *buf, int type, int family, const char *src,
		     const char *dst, uint8_t proto, uint16_t sport,
		     uint16_t dport, uint32_t mark, uint32_t id)
{
	struct nf_conntrack *ct = nfct_new();
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	struct nlattr *nest;
	uint8_t a[16];

	if (!ct)
		exit(1);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | type;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = (uint8_t)family;
	nfct_set_attr_u8(ct, ATTR_ORIG_L3PROTO, (uint8_t)family);
	nfct_set_attr_u8(ct, ATTR_REPL_L3PROTO, (uint8_t)family);
	if (family == AF_INET) {
		inet_pton(AF_INET, src, a);
		nfct_set_attr(ct, ATTR_ORIG_IPV4_SRC, a);
		inet_pton(AF_INET, dst, a);
		nfct_set_attr(ct, ATTR_ORIG_IPV4_DST, a);
		nfct_set_attr(ct, ATTR_REPL_IPV4_SRC, a);
		inet_pton(AF_INET, src, a);
		nfct_set_attr(ct, ATTR_REPL_IPV4_DST, a);
	} else {
		inet_pton(AF_INET6, src, a);
		nfct_set_attr(ct, ATTR_ORIG_IPV6_SRC, a);
		inet_pton(AF_INET6, dst, a);
		nfct_set_attr(ct, ATTR_ORIG_IPV6_DST, a);
		nfct_set_attr(ct, ATTR_REPL_IPV6_SRC, a);
		inet_pton(AF_INET6, src, a);
		nfct_set_attr(ct, ATTR_REPL_IPV6_DST, a);
	}
	nfct_set_attr_u8(ct, ATTR_ORIG_L4PROTO, proto);
	nfct_set_attr_u8(ct, ATTR_REPL_L4PROTO, proto);
	nfct_set_attr_u16(ct, ATTR_ORIG_PORT_SRC, htons(sport));
	nfct_set_attr_u16(ct, ATTR_ORIG_PORT_DST, htons(dport));
	nfct_set_attr_u16(ct, ATTR_REPL_PORT_SRC, htons(dport));
	nfct_set_attr_u16(ct, ATTR_REPL_PORT_DST, htons(sport));
	if (proto == IPPROTO_TCP)
		nfct_set_attr_u8(ct, ATTR_TCP_STATE, TCP_CONNTRACK_ESTABLISHED);
	nfct_set_attr_u32(ct, ATTR_MARK, mark);
	nfct_set_attr_u32(ct, ATTR_ID, id);
	nfct_set_attr_u32(ct, ATTR_TIMEOUT, 60);
	if (nfct_nlmsg_build(nlh, ct) < 0) {
		perror("mkseeds: nfct_nlmsg_build");
		exit(1);
	}
	nfct_destroy(ct);
	/* the id and the counters, as an event carries them */
	mnl_attr_put_u32(nlh, CTA_ID, htonl(id));
	nest = mnl_attr_nest_start(nlh, CTA_COUNTERS_ORIG);
	mnl_attr_put_u64(nlh, CTA_COUNTERS_PACKETS, htobe64(10));
	mnl_attr_put_u64(nlh, CTA_COUNTERS_BYTES, htobe64(1000));
	mnl_attr_nest_end(nlh, nest);
	return nlh->nlmsg_len;
}

static void seeds_ctevent(void)
{
	static char buf[16384];
	size_t len;

	len = ct_msg(buf, IPCTNL_MSG_CT_NEW, AF_INET, "10.1.0.10", "10.3.0.10",
		     IPPROTO_TCP, 40000, 443, 0, 1);
	seed("ctevent", "violation4", buf, len);
	len = ct_msg(buf, IPCTNL_MSG_CT_NEW, AF_INET, "10.3.0.25", "10.2.0.25",
		     IPPROTO_UDP, 40001, 25,
		     ZONE_MARK_MAGIC | ZONE_MARK_T_CHANNEL | 1, 2);
	len += ct_msg(buf + len, IPCTNL_MSG_CT_DELETE, AF_INET, "10.3.0.25",
		      "10.2.0.25", IPPROTO_UDP, 40001, 25,
		      ZONE_MARK_MAGIC | ZONE_MARK_T_CHANNEL | 1, 2);
	seed("ctevent", "channel-start-end", buf, len);
	len = ct_msg(buf, IPCTNL_MSG_CT_NEW, AF_INET6, "fd00:2::10",
		     "fd00:16::10", IPPROTO_SCTP, 2905, 2905,
		     ZONE_MARK_MAGIC | ZONE_MARK_T_RULE, 3);
	seed("ctevent", "allowed6", buf, len);
	len = ct_msg(buf, IPCTNL_MSG_CT_NEW, AF_INET, "10.1.0.10", "10.1.0.11",
		     IPPROTO_ICMP, 0, 0, 0, 4);
	seed("ctevent", "intra-icmp", buf, len);
}

/* --- nftables notifications ---------------------------------------- */

static size_t nft_table(char *buf, int type, int family, const char *name,
			uint32_t pid)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
	nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, 0x6);
	nlh = nftnl_table_nlmsg_build_hdr(buf, type, family, 0, 1);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	nlh->nlmsg_pid = pid;
	return nlh->nlmsg_len;
}

static size_t nft_chain(char *buf, int type, int family, const char *table,
			const char *name, int hook, uint32_t pid)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	if (hook >= 0) {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, (uint32_t)hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, -150);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	}
	nlh = nftnl_chain_nlmsg_build_hdr(buf, type, family, 0, 1);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	nlh->nlmsg_pid = pid;
	return nlh->nlmsg_len;
}

static size_t nft_rule(char *buf, int type, const char *table, uint32_t pid)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, "forward");
	nlh = nftnl_rule_nlmsg_build_hdr(buf, type, NFPROTO_INET, 0, 1);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	nlh->nlmsg_pid = pid;
	return nlh->nlmsg_len;
}

static size_t nft_newgen(char *buf, uint32_t pid, const char *comm)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NFTA_GEN_ID, htonl(7));
	mnl_attr_put_u32(nlh, NFTA_GEN_PROC_PID, htonl(pid));
	mnl_attr_put_strz(nlh, NFTA_GEN_PROC_NAME, comm);
	return nlh->nlmsg_len;
}

static void seeds_nftmon(void)
{
	static char buf[16384];
	size_t len;

	len = nft_rule(buf, NFT_MSG_NEWRULE, "zoned", 999);
	len += nft_newgen(buf + len, 321, "nft");
	seed("nftmon", "drift-rule", buf, len);
	len = nft_rule(buf, NFT_MSG_DELRULE, "zoned", 999);
	len += nft_chain(buf + len, NFT_MSG_DELCHAIN, NFPROTO_INET, "zoned",
			 "forward", -1, 999);
	len += nft_table(buf + len, NFT_MSG_DELTABLE, NFPROTO_INET, "zoned",
			 999);
	len += nft_newgen(buf + len, 77, "nft");
	seed("nftmon", "drift-delete-table", buf, len);
	len = nft_table(buf, NFT_MSG_NEWTABLE, NFPROTO_IPV4, "filter", 5);
	len += nft_chain(buf + len, NFT_MSG_NEWCHAIN, NFPROTO_IPV4, "filter",
			 "fwd\nzoned: forged line", NF_INET_FORWARD, 5);
	len += nft_chain(buf + len, NFT_MSG_DELCHAIN, NFPROTO_IPV4, "filter",
			 "fwd\nzoned: forged line", -1, 5);
	len += nft_newgen(buf + len, 5, "nft");
	seed("nftmon", "foreign-chain", buf, len);
	len = nft_table(buf, NFT_MSG_DELTABLE, NFPROTO_INET, "other", 5);
	seed("nftmon", "foreign-table", buf, len);
}

/* --- control requests ---------------------------------------------- */

static void seeds_ctlmsg(void)
{
	static const struct {
		const char *name;
		enum ctl_cmd cmd;
		unsigned int flags;
		size_t argc;
		const char *argv[3];
	} reqs[] = {
		{ "status", CTL_CMD_STATUS, 0, 0, { NULL } },
		{ "status-json", CTL_CMD_STATUS, CTL_F_JSON, 0, { NULL } },
		{ "explain", CTL_CMD_EXPLAIN, 0, 3,
		  { "10.1.0.10", "203.0.113.80", "tcp/443" } },
		{ "isolate", CTL_CMD_ISOLATE, 0, 2,
		  { "10.3.0.99", "incident 42 \xe7\x97\x85" } },
		{ "release", CTL_CMD_RELEASE, CTL_F_JSON, 1, { "naibu" } },
		{ "flows", CTL_CMD_FLOWS, 0, 0, { NULL } },
		{ "audit", CTL_CMD_AUDIT, CTL_F_JSON, 0, { NULL } },
	};
	char buf[CTL_MSG_MAX];
	size_t i;

	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		struct ctl_request req = {
			.cmd = reqs[i].cmd,
			.flags = reqs[i].flags,
			.argc = reqs[i].argc,
		};
		ssize_t len;
		size_t k;

		for (k = 0; k < req.argc; k++)
			req.argv[k] = reqs[i].argv[k];
		len = ctl_request_encode(&req, buf, sizeof(buf));
		if (len < 0)
			exit(1);
		seed("ctlmsg", reqs[i].name, buf, (size_t)len);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds DIR\n");
		return 2;
	}
	out_dir = argv[1];
	if (mkdir(out_dir, 0755) < 0 && errno != EEXIST) {
		perror(out_dir);
		return 1;
	}
	seeds_nflog();
	seeds_ctevent();
	seeds_nftmon();
	seeds_ctlmsg();
	printf("mkseeds: %d seeds in %s\n", n_written, out_dir);
	return 0;
}
