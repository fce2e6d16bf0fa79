/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_NFLOG_DECODE_H
#define ZONED_NFLOG_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include <zone/verdict.h>

/*
 * A packet the ruleset logged, decoded from its NFLOG message: which of
 * the ruleset's log prefixes it carries, its addresses, protocol and
 * destination port, and its ingress interface.  No state: nflog.c
 * aggregates and alerts.
 */

enum nflog_kind {
	NFLOG_DENY,
	NFLOG_MONITOR,		/* would have been dropped (monitor mode) */
	NFLOG_ISOLATE,
	NFLOG_SPOOF,
	NFLOG_OTHER,
};

/* A logged packet, decoded. */
struct nflog_rec {
	enum nflog_kind kind;
	const char *arg;		/* the rest of the prefix */
	struct zone_flow f;
	bool has_ports;
	uint32_t indev;
};

/**
 * nflog_attr_cb - mnl_attr_parse() callback filling @data, an array of
 * NFULA_MAX + 1 attributes, with the ones nflog_decode() reads, validated
 */
int nflog_attr_cb(const struct nlattr *attr, void *data);

/**
 * nflog_decode - @rec from the attributes @tb of one NFULNL_MSG_PACKET
 *
 * Returns 0, or -EINVAL when the prefix or the payload is missing or the
 * payload is not an IPv4 or IPv6 packet.  @rec->arg points into @tb.
 */
int nflog_decode(const struct nlattr **tb, struct nflog_rec *rec);

/**
 * nflog_edge_rule - the edge rule ("unknown-interface", "wrong-egress",
 * "gateway") a deny or monitor prefix names, or NULL for a matrix rule
 */
const char *nflog_edge_rule(const struct nflog_rec *r);

#endif
