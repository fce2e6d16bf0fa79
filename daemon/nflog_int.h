/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_NFLOG_INT_H
#define ZONED_NFLOG_INT_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include <zone/verdict.h>

#include "nflog_decode.h"

/*
 * Inside nflog.c, and for its unit test and fuzzer: the receiver's state
 * and the steps the loop's callbacks take, so that a test can feed log
 * messages and end windows without a socket or a timer.
 */

struct zoned;

#define NFLOG_MAX_KEYS 4096
#define NFLOG_BUCKETS 1024

/* One aggregation key and what it has counted in its window. */
struct nflog_agg {
	struct nflog_agg *hnext;	/* hash chain */
	struct nflog_agg *prev;		/* window queue, oldest first */
	struct nflog_agg *next;
	enum nflog_kind kind;
	struct zone_flow f;
	bool has_ports;
	uint32_t iface;
	uint64_t pending;		/* seen since the last line */
	int64_t window_end;		/* ms, CLOCK_MONOTONIC */
	/* copied: a reload may free the model before the summary */
	char src_zone[64];
	char dst_zone[64];
	char rule[64];
	char ifname[IF_NAMESIZE];
};

struct nflog {
	struct mnl_socket *nl;
	uint32_t portid;
	int tfd;
	bool registered;
	struct nflog_agg *buckets[NFLOG_BUCKETS];
	struct nflog_agg *head;		/* soonest window end */
	struct nflog_agg *tail;
	size_t n_keys;
	uint64_t evicted;
	bool have_seq;
	uint32_t next_seq;
	uint64_t lost;			/* records lost, not yet alerted */
	uint64_t overruns;
	uint64_t malformed;
	char buf[65536];
};

/* nflog_msg_cb - mnl_cb_run() callback: one log message of @data's zoned */
int nflog_msg_cb(const struct nlmsghdr *nlh, void *data);
/* nflog_datagram - one datagram of log messages, as the socket read it */
void nflog_datagram(struct zoned *z, void *buf, size_t n);
/*
 * nflog_tick - the one-second timer: end the windows that are over and
 * report lost records (@fd is the timer's, read; -1 in tests)
 */
void nflog_tick(struct zoned *z, int fd, uint32_t events, void *arg);

#endif
