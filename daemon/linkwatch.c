/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The links behind the established path's binding by index (zoned.conf(5),
 * Interfaces).  Every compile asks here for the index of each interface a
 * segment lists, and this file remembers the answers.  A socket joined to
 * RTNLGRP_LINK wakes at every link created, deleted, renamed or changed;
 * the names remembered are then looked up again, and when one of them has
 * another index (or none, or has appeared) the policy is compiled again
 * and re-applied, which replaces only the elements of set flowbind in one
 * batch.  Until then an interface created again under a new index is
 * bound by name (a slower lookup), and the element of a deleted one
 * matches no packet: the index is gone from the namespace.
 */
#include <net/if.h>
#include <sys/epoll.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include <zone/ruleset.h>

#include "linkwatch.h"
#include "log.h"
#include "loop.h"
#include "nlbuf.h"
#include "reload.h"
#include "zoned.h"

struct link_seen {
	char name[IF_NAMESIZE];
	unsigned int index; /* as the last compile saw it; 0: none */
};

struct linkwatch {
	struct mnl_socket *nl;
	bool registered;
	struct link_seen *seen;
	size_t n_seen;
	size_t cap_seen;
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
};

static struct link_seen *seen_find(struct linkwatch *lw, const char *name)
{
	struct link_seen *p;
	size_t i;

	for (i = 0; i < lw->n_seen; i++) {
		if (strcmp(lw->seen[i].name, name) == 0)
			return &lw->seen[i];
	}
	if (strlen(name) >= IF_NAMESIZE)
		return NULL;
	if (lw->n_seen == lw->cap_seen) {
		size_t ncap = lw->cap_seen ? 2 * lw->cap_seen : 16;

		p = realloc(lw->seen, ncap * sizeof(*p));
		if (!p)
			return NULL;
		lw->seen = p;
		lw->cap_seen = ncap;
	}
	p = &lw->seen[lw->n_seen++];
	strcpy(p->name, name);
	p->index = 0;
	return p;
}

/*
 * The compiles' source: the index the interface has now, remembered so
 * that links_moved() can tell when to compile again.  A name that cannot
 * be remembered is answered 0, so that its keys are bound by name.
 */
static unsigned int link_index(const char *name, void *arg)
{
	struct linkwatch *lw = arg;
	struct link_seen *p = seen_find(lw, name);

	if (!p)
		return 0;
	p->index = if_nametoindex(name);
	return p->index;
}

/* true when a remembered name has another index than its last compile's */
static bool links_moved(struct linkwatch *lw)
{
	size_t i;

	for (i = 0; i < lw->n_seen; i++) {
		if (if_nametoindex(lw->seen[i].name) != lw->seen[i].index)
			return true;
	}
	return false;
}

static void links_check(struct zoned *z)
{
	if (links_moved(z->links))
		zoned_reapply_nosweep(z, "link");
}

/* Which link changed does not matter: every name is looked up again. */
static void link_datagram(struct zoned *z, void *buf, size_t len)
{
	(void)z;
	(void)buf;
	(void)len;
}

static void link_ready(struct zoned *z, int fd, uint32_t events, void *arg)
{
	struct linkwatch *lw = z->links;

	(void)events;
	(void)arg;
	nl_recv_batch(z, fd, lw->buf, sizeof(lw->buf), 64, link_datagram,
		      NULL, "link notifications");
	links_check(z);
}

int linkwatch_init(struct zoned *z)
{
	z->links = calloc(1, sizeof(*z->links));
	if (!z->links)
		return -ENOMEM;
	z->ifindex = link_index;
	return 0;
}

int linkwatch_open(struct zoned *z)
{
	struct linkwatch *lw = z->links;
	int ret;

	if (!lw)
		return -EINVAL;
	lw->nl = nl_sock_open(NETLINK_ROUTE, SOCK_NONBLOCK, RTMGRP_LINK);
	if (!lw->nl)
		return -errno;
	ret = loop_add(z, mnl_socket_get_fd(lw->nl), EPOLLIN, link_ready,
		       NULL);
	if (ret < 0) {
		nl_sock_close(z, lw->nl, false);
		lw->nl = NULL;
		return ret;
	}
	lw->registered = true;
	/* subscribed first, then looked: no change falls in between */
	links_check(z);
	return 0;
}

void linkwatch_close(struct zoned *z)
{
	struct linkwatch *lw = z->links;

	if (!lw)
		return;
	z->ifindex = NULL;
	nl_sock_close(z, lw->nl, lw->registered);
	free(lw->seen);
	free(lw);
	z->links = NULL;
}
