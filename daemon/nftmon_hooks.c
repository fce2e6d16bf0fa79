/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The forward base chains of other tables, for `zonectl audit` and the
 * warning when one appears: rebuilt from a chain dump when the monitor
 * opens or lost events, kept in step by its notifications (nftmon.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "log.h"
#include "nftmon.h"
#include "nftmon_int.h"
#include "nlbuf.h"
#include "zoned.h"

const char *family_name(int family)
{
	switch (family) {
	case NFPROTO_IPV4:
		return "ip";
	case NFPROTO_IPV6:
		return "ip6";
	case NFPROTO_INET:
		return "inet";
	case NFPROTO_BRIDGE:
		return "bridge";
	case NFPROTO_NETDEV:
		return "netdev";
	case NFPROTO_ARP:
		return "arp";
	default:
		return "unknown";
	}
}

static void hook_del(struct nftmon *nm, size_t i)
{
	nm->hooks[i] = nm->hooks[--nm->n_hooks];
}

void hooks_forget(struct nftmon *nm, const char *family,
			 const char *table, const char *chain)
{
	size_t i = 0;

	while (i < nm->n_hooks) {
		struct nftmon_hook *h = &nm->hooks[i];

		if (strcmp(h->family, family) == 0 &&
		    strcmp(h->table, table) == 0 &&
		    (!chain || strcmp(h->chain, chain) == 0))
			hook_del(nm, i);
		else
			i++;
	}
}

/* A chain of another table: keep it when it is a forward base chain. */
void hooks_note(struct nftmon *nm, const struct nftnl_chain *c,
		       bool announce)
{
	const char *family = family_name(
		nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY));
	const char *table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
	const char *chain = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
	struct nftmon_hook *h;

	if (!table || !chain || !nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM))
		return;
	if (nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM) != NF_INET_FORWARD)
		return;
	if (strcmp(family, "ip") && strcmp(family, "ip6") &&
	    strcmp(family, "inet"))
		return;
	hooks_forget(nm, family, table, chain);
	if (nm->n_hooks == NFTMON_MAX_HOOKS)
		return;
	h = &nm->hooks[nm->n_hooks++];
	snprintf(h->family, sizeof(h->family), "%s", family);
	snprintf(h->table, sizeof(h->table), "%s", table);
	snprintf(h->chain, sizeof(h->chain), "%s", chain);
	h->priority = (int32_t)nftnl_chain_get_u32(c, NFTNL_CHAIN_PRIO);
	h->policy_drop = nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY) &&
			 nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == NF_DROP;
	if (announce)
		log_warnx("table %s %s added base chain %s on the forward hook, priority %d",
			  family, table, chain, h->priority);
}

static int chain_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftmon *nm = data;
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (!c)
		return MNL_CB_OK;
	if (nftnl_chain_nlmsg_parse(nlh, c) == 0) {
		const char *table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
		int family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);

		if (table && !is_our_table(family, table))
			hooks_note(nm, c, false);
	}
	nftnl_chain_free(c);
	return MNL_CB_OK;
}

/* Read every chain of the ruleset again to rebuild the hook list. */
int hooks_reload(struct nftmon *nm)
{
	char buf[32768];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	uint32_t seq = (uint32_t)time(NULL), portid;
	ssize_t n;
	int ret = 0;

	nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out_close;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = nftnl_chain_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN,
					  NFPROTO_UNSPEC, NLM_F_DUMP, seq);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out_close;
	}
	nm->n_hooks = 0;
	do {
		n = nl_recv_kernel(mnl_socket_get_fd(nl), buf, sizeof(buf));
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (n == 0) {
			ret = 1; /* not the kernel's: wait for the dump */
			continue;
		}
		if (!nl_datagram_ok(buf, (size_t)n)) {
			ret = -1;
			errno = EBADMSG;
			break;
		}
		ret = mnl_cb_run(buf, n, seq, portid, chain_dump_cb, nm);
	} while (ret > 0);
	if (ret < 0)
		ret = -errno;
out_close:
	mnl_socket_close(nl);
	return ret;
}

/**
 * nftmon_foreign_hooks - the forward base chains of other tables
 */
const struct nftmon_hook *nftmon_foreign_hooks(const struct zoned *z,
					       size_t *ret_n)
{
	*ret_n = 0;
	if (!z->mon || z->mon->n_hooks == 0)
		return NULL;
	*ret_n = z->mon->n_hooks;
	return z->mon->hooks;
}

/* Announce the forward base chains a reload of the list found new. */
void hooks_reload_announce(struct nftmon *nm)
{
	struct nftmon_hook *old;
	size_t n_old = nm->n_hooks, i, j;

	old = malloc(n_old * sizeof(*old) + 1);
	if (old)
		memcpy(old, nm->hooks, n_old * sizeof(*old));
	hooks_reload(nm);
	for (i = 0; old && i < nm->n_hooks; i++) {
		const struct nftmon_hook *h = &nm->hooks[i];

		for (j = 0; j < n_old; j++)
			if (strcmp(h->family, old[j].family) == 0 &&
			    strcmp(h->table, old[j].table) == 0 &&
			    strcmp(h->chain, old[j].chain) == 0)
				break;
		if (j == n_old)
			log_warnx("table %s %s added base chain %s on the forward hook, priority %d",
				  h->family, h->table, h->chain, h->priority);
	}
	free(old);
}
