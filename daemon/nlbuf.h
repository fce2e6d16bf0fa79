/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_NLBUF_H
#define ZONED_NLBUF_H

#include <sys/socket.h>
#include <sys/types.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include <linux/netlink.h>

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

#endif
