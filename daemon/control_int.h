/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_CONTROL_INT_H
#define ZONED_CONTROL_INT_H

/*
 * Shared by the two files of the control socket: control.c (the socket,
 * accepting and hanging up) and control_client.c (one client's request
 * and reply).
 */

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctlcmd.h"

/*
 * 24 clients at once, of which read-only ones may hold 16: the other 8 are
 * kept for root and the socket's group.  No user holds more than 8.
 */
#define CTL_CLIENTS_MAX 24
#define CTL_READERS_MAX 16
#define CTL_PER_USER_MAX 8
#define CTL_BACKLOG 16
#define CTL_GROUPS_MAX 1024
/* A client that neither asks nor reads for this long is hung up on. */
#define CTL_IDLE_MS 30000
#define CTL_IDLE_CHECK_MS 5000
/* However busy, a client is hung up on after this long. */
#define CTL_SESSION_MS (10 * 60 * 1000)
/*
 * A streamed reply stops reading its dump while this much text waits for
 * the client, and goes on once less than the low mark does.
 */
#define CTL_STREAM_HIGH (64 * 1024)
#define CTL_STREAM_LOW (16 * 1024)
/* Refused connections are logged at most this often. */
#define CTL_REFUSE_LOG_MS 10000

struct ctl_client {
	struct control *ctl;
	int fd;
	uid_t uid;
	pid_t pid;
	bool may_write;
	bool busy; /* a reply is being sent */
	uint32_t events; /* what the loop watches for */
	uint64_t last_ms; /* CLOCK_MONOTONIC of its last request or read */
	uint64_t start_ms; /* when it connected */
	/* the reply: stdout text, then stderr text, then the status */
	char *out;
	size_t out_len;
	size_t out_off;
	char *err;
	size_t err_len;
	size_t err_off;
	int status;
	/* the reply's text as a file, sent with its end (CTL_F_FILE) */
	bool has_file;
	int file_fd;
	/* a streamed reply (flows): the dump it reads */
	struct ctwatch_flowdump *dump;
	bool dump_watched;
	struct ctl_flows flows;
};

struct control {
	struct zoned *z;
	int fd;
	char *path;
	dev_t dev; /* the socket file we made, to unlink only it */
	ino_t ino;
	struct ctl_client *clients[CTL_CLIENTS_MAX];
	size_t n_clients;
	int idle_fd; /* timer: hang up on idle clients */
	uint64_t session_ms; /* the longest session (CTL_SESSION_MS) */
	uint64_t refused; /* connections refused since the last log line */
	uint64_t refused_logged_ms;
};

/* ctl_client_free - hang up, and forget the client */
void ctl_client_free(struct ctl_client *c);
/*
 * ctl_no_slot - why a client of @uid may not connect now, or NULL
 * (control.c)
 */
const char *ctl_no_slot(const struct control *ctl, uid_t uid, bool may_write);
/*
 * ctl_send_refusal - send @why and status 2, so that closing @fd next
 * loses neither (control_client.c)
 */
void ctl_send_refusal(int fd, const char *why);
/* ctl_client_watch - watch for @events (EPOLLIN, EPOLLOUT); 0 or -errno */
int ctl_client_watch(struct ctl_client *c, uint32_t events);

#endif
