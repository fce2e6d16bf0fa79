/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_CTWATCH_PRIV_H
#define ZONED_CTWATCH_PRIV_H

/*
 * The conntrack watcher's state, shared by ctwatch.c (sockets, loop,
 * public entry points) and ctwatch_judge.c (decoding and judging one flow).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include <zone/addr.h>
#include <zone/verdict.h>

struct zoned;

/* Flows the watcher has told about, by conntrack id. */
#define CT_BUCKETS 4096
#define CT_MAX_ENTRIES 65536

enum {
	CT_E_CHANNEL = 1 << 0,	/* flow-start sent; flow-end due */
	CT_E_REPORTED = 1 << 1,	/* violation sent (monitor, or kill failed) */
	CT_E_KILLED = 1 << 2,	/* deleted; its events may still be queued */
};

struct ct_entry {
	struct ct_entry *next;
	uint32_t id;
	uint8_t flags;
	uint32_t gen;		/* last sweep that saw it */
	char channel[64];
};

/* One flow as the watcher judges it: the forwarded direction. */
struct ct_flow {
	struct zone_flow f;	/* src, dst after DNAT, proto, dport */
	uint16_t sport;
	bool has_ports;
	uint32_t id;
	uint32_t mark;
	uint64_t packets;	/* both directions; 0 without accounting */
	uint64_t bytes;
};

struct ctwatch {
	struct mnl_socket *ev;		/* NEW|DESTROY events, non-blocking */
	bool registered;		/* ev is on the loop */
	struct nfct_handle *dump;	/* table dumps (blocking) */
	struct nfct_handle *cmd;	/* deletes (blocking) */
	int rcvbuf;			/* what the event socket has */
	bool rcvbuf_fixed;		/* ZONED_CT_RCVBUF: do not grow */
	int resync_tfd;
	bool resync_armed;
	struct timespec last_resync;	/* CLOCK_MONOTONIC */
	uint64_t lost;			/* overruns not yet alerted */
	uint64_t lost_total;
	uint64_t n_events;		/* NEW and DESTROY handled */
	uint64_t n_sweeps;
	uint64_t n_remarked;		/* flows given the mark in force */
	struct timespec first_event;	/* for the log line at close */
	struct timespec last_event;

	struct ct_entry *buckets[CT_BUCKETS];
	size_t n_entries;
	uint32_t gen;

	struct zone_addr *local;	/* the gateway's own addresses */
	size_t n_local;
	struct timespec local_at;
	/*
	 * Address notifications (RTMGRP_IPV{4,6}_IFADDR): with them the list
	 * is read again when it changes, never on the path of an event;
	 * without them every CT_LOCAL_REFRESH_MS.
	 */
	struct mnl_socket *rt;
	bool rt_registered;

	/* what the dump callback does with each flow */
	int dump_mode;
	void *dump_arg;

	char buf[65536];
};

enum {
	CT_DUMP_SWEEP,
	CT_DUMP_KILL,
};

/* ctwatch.c: one datagram of NEW/DESTROY events, as the socket read it */
void ct_event_datagram(struct zoned *z, void *buf, size_t n);

/* ctwatch_judge.c */
int ct_decode(const struct nf_conntrack *ct, struct ct_flow *ret);
bool ct_is_local(struct ctwatch *cw, const struct ct_flow *fl);
bool ct_path(struct ctwatch *cw, const struct ct_flow *fl,
	     enum zone_path *ret);
void ct_local_refresh(struct ctwatch *cw);
void ct_judge(struct zoned *z, struct nf_conntrack *ct, bool sweeping);
void ct_destroyed(struct zoned *z, const struct nf_conntrack *ct);
struct ct_entry *ct_entry_find(struct ctwatch *cw, uint32_t id);
void ct_entries_free(struct ctwatch *cw);
void ct_entries_prune(struct ctwatch *cw, uint32_t gen);
const char *ct_channel_by_mark(const struct zoned *z, uint32_t mark,
			       char *buf, size_t size);
int ct_delete(struct ctwatch *cw, const struct nf_conntrack *ct);

#endif
