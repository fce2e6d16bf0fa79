/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_HA_INT_H
#define ZONED_HA_INT_H

#include <sys/socket.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <zone/addr.h>

#include "ha.h"

/*
 * Inside ha.c, and for its unit test: the exchange's state and the steps
 * the loop's callbacks take, so that a test can feed datagrams and move
 * the clock without a socket or a timer.
 */

struct ha {
	int fd;
	int tfd;
	char ifname[IF_NAMESIZE];
	struct zone_addr peer;
	char key_file[256];
	uint8_t key[HA_KEY_MAX];
	size_t key_len;
	uint64_t sent_seq;
	uint64_t peer_seq;
	char peer_hash[HA_HASH_LEN + 1]; /* "" until heard */
	struct timespec heard; /* CLOCK_MONOTONIC */
	bool silent;
	bool mismatch;
	uint64_t rejected; /* bad MAC, size, sender */
	int send_errno; /* of the last send, 0: sent */
	char error[400]; /* why it is not running */
};

/*
 * ha_receive - one datagram of @n bytes from @ss: taken when the peer
 * sent it, authentic under the key and newer than the last; else counted
 * in ha->rejected.  Raises ha-agree, ha-mismatch or ha-peer as it changes.
 */
void ha_receive(struct zoned *z, const struct sockaddr_storage *ss,
		const uint8_t *buf, size_t n);
/* ha_check_silence - the peer is silent after HA_SILENT_S seconds */
void ha_check_silence(struct zoned *z);
/* ha_state - "down", "unheard", "silent", "mismatch" or "agree" */
const char *ha_state(const struct ha *ha);

#endif
