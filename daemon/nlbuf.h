/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_NLBUF_H
#define ZONED_NLBUF_H

#include <sys/socket.h>
#include <sys/types.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include <linux/netlink.h>

#include <libmnl/libmnl.h>

#include "log.h"
#include "loop.h"

struct zoned;

/*
 * Netlink input is trusted only when the kernel sent it: libnftnl and
 * libnetfilter_conntrack exit() the process on an attribute that breaks
 * the kernel's ABI, and libmnl 1.0.4 walks out of a datagram whose
 * message claims a length past INT_MAX.  Another process with
 * CAP_NET_ADMIN can unicast anything to a socket's port id, so every
 * watcher reads through nl_recv_kernel() and checks with
 * nl_datagram_ok().
 */

/**
 * nl_recv_kernel - receive one datagram that the kernel sent
 * @fd: a netlink socket
 *
 * Returns its length, 0 for a datagram another process sent (dropped),
 * or -1 with errno set (ENOSPC when it did not fit in @len).
 */
static inline ssize_t nl_recv_kernel(int fd, void *buf, size_t len)
{
	struct sockaddr_nl addr;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = &addr,
		.msg_namelen = sizeof(addr),
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	ssize_t n;

	n = recvmsg(fd, &msg, 0);
	if (n < 0)
		return n;
	if (msg.msg_flags & MSG_TRUNC) {
		errno = ENOSPC;
		return -1;
	}
	if (msg.msg_namelen != sizeof(addr) || addr.nl_pid != 0)
		return 0;
	return n;
}

/**
 * nl_recv_batch - what a watcher's socket callback does: hand what the
 * kernel sent to @fd, up to @max datagrams, to @datagram
 * @buf: room for one datagram, of @size bytes
 * @overrun: called at each ENOBUFS (the kernel dropped messages), or NULL
 * @what: names the socket in the warning for any other receive error
 *
 * Stops early when nothing is left (EAGAIN) or at such an error.  Returns
 * the number of overruns met, for a caller that resyncs after the batch.
 */
static inline unsigned int
nl_recv_batch(struct zoned *z, int fd, void *buf, size_t size, int max,
	      void (*datagram)(struct zoned *z, void *buf, size_t len),
	      void (*overrun)(struct zoned *z), const char *what)
{
	unsigned int overruns = 0;
	ssize_t n;
	int i;

	for (i = 0; i < max; i++) {
		n = nl_recv_kernel(fd, buf, size);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				overruns++;
				if (overrun)
					overrun(z);
				continue;
			}
			if (errno != EAGAIN)
				log_warn("%s, ignoring", what);
			break;
		}
		datagram(z, buf, (size_t)n);
	}
	return overruns;
}

/**
 * nl_datagram_ok - true when every netlink header in @buf stays inside it
 * @buf: a received datagram, aligned for struct nlmsghdr
 * @len: its length
 */
static inline bool nl_datagram_ok(const void *buf, size_t len)
{
	const char *p = buf;

	while (len >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)p;
		size_t step;

		if (nlh->nlmsg_len < sizeof(struct nlmsghdr) ||
		    nlh->nlmsg_len > len)
			return false;
		step = NLMSG_ALIGN(nlh->nlmsg_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return true;
}

/*
 * The life of a watcher's socket: opened and bound in one step, its
 * receive buffer sized, and taken out of the loop before it is closed.
 */

/**
 * nl_sock_open - a netlink socket of @bus bound to the multicast @groups
 * @flags: SOCK_NONBLOCK, or 0 for a socket that first waits for an ack
 *
 * The socket is close-on-exec.  Returns it, or NULL with errno set and
 * nothing left open.
 */
static inline struct mnl_socket *nl_sock_open(int bus, int flags,
					      unsigned int groups)
{
	struct mnl_socket *nl = mnl_socket_open2(bus, flags | SOCK_CLOEXEC);
	int err;

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		err = errno;
		mnl_socket_close(nl);
		errno = err;
		return NULL;
	}
	return nl;
}

/**
 * nl_sock_rcvbuf - ask for @size bytes of receive buffer on @fd
 *
 * Past net.core.rmem_max where the daemon may (CAP_NET_ADMIN), else up to
 * it.  Returns 0 or -errno.
 */
static inline int nl_sock_rcvbuf(int fd, int size)
{
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) ==
	    0)
		return 0;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) == 0)
		return 0;
	return -errno;
}

/**
 * nl_sock_close - close @nl, first taking it out of the loop when
 * @registered; NULL is fine
 */
static inline void nl_sock_close(struct zoned *z, struct mnl_socket *nl,
				 bool registered)
{
	if (!nl)
		return;
	if (registered)
		loop_del(z, mnl_socket_get_fd(nl));
	mnl_socket_close(nl);
}

#endif
