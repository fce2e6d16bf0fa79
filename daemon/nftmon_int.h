/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_NFTMON_INT_H
#define ZONED_NFTMON_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>

#include <zone/mark.h>

#include "nftmon.h"

/*
 * Inside nftmon.c, and for its unit test and fuzzer: the monitor's state
 * and its message callback, so that a test can feed notifications
 * without a socket.
 */

struct zoned;

#define NFTMON_MAX_HOOKS 256

struct nftmon {
	struct mnl_socket *nl;
	bool registered;
	/* a foreign change to our table in the transaction being read */
	bool pending;
	char change[48];
	int change_rank;
	uint32_t pending_pid;
	struct nftmon_hook hooks[NFTMON_MAX_HOOKS];
	size_t n_hooks;
	/*
	 * nftmon_quiet_begin/_end: out of the group while zoned applies.
	 * @gen is the generation up to which every commit was read (its
	 * NEWGEN) or accounted for; @doubt says a commit may have gone
	 * unseen, @unseen that one did; a foreign change read while quiet
	 * waits in @deferred.
	 */
	bool quiet;
	bool gen_known;
	uint32_t gen;
	uint32_t quiet_gen;
	bool doubt;
	bool unseen;	/* a foreign commit certainly went unread */
	bool rejoin;
	bool deferred;
	char deferred_change[48];
	uint32_t deferred_pid;
	char deferred_comm[64];
	bool deferred_has_comm;
	int recheck_fd;
	char buf[65536];
	char qbuf[65536];
};

static inline bool is_our_table(int family, const char *table)
{
	return family == NFPROTO_INET && strcmp(table, ZONE_TABLE_NAME) == 0;
}

/* nftmon_hooks.c: the forward base chains of other tables */
const char *family_name(int family);
void hooks_forget(struct nftmon *nm, const char *family, const char *table,
		  const char *chain);
struct nftnl_chain;
void hooks_note(struct nftmon *nm, const struct nftnl_chain *c, bool announce);
/* hooks_reload - the list rebuilt from a dump of every chain; 0 or -errno */
int hooks_reload(struct nftmon *nm);
/* hooks_reload_announce - hooks_reload(), warning of each chain new to it */
void hooks_reload_announce(struct nftmon *nm);

/* mon_msg_cb - mnl_cb_run() callback: one notification for @data's zoned */
int mon_msg_cb(const struct nlmsghdr *nlh, void *data);
/* mon_datagram - one datagram of notifications, as the socket read it */
void mon_datagram(struct zoned *z, void *buf, size_t n);

#endif
