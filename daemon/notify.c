/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sd_notify(3) without libsystemd: the protocol is a stable interface
 * (systemd's own sd_notify(3) NOTES give a standalone version), and one
 * datagram per state change is all zoned needs.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notify.h"

/* Fill @sun from $NOTIFY_SOCKET; returns the address length or -errno. */
static int notify_addr(const char *path, struct sockaddr_un *sun)
{
	size_t len = strlen(path);

	/* An absolute path, or "@name": the abstract namespace. */
	if ((path[0] != '/' && path[0] != '@') || len < 2)
		return -EAFNOSUPPORT;
	if (len > sizeof(sun->sun_path))
		return -E2BIG;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, len);
	if (path[0] == '@')
		sun->sun_path[0] = '\0';
	else if (len == sizeof(sun->sun_path))
		return -E2BIG; /* no room for the terminating NUL */
	return (int)(offsetof(struct sockaddr_un, sun_path) + len +
		     (path[0] == '/'));
}

/**
 * notify_send - send @state to $NOTIFY_SOCKET in one datagram
 *
 * Returns 1 when sent, 0 when $NOTIFY_SOCKET is unset, or -errno.
 */
int notify_send(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	size_t len = strlen(state);
	ssize_t n;
	int salen;
	int fd;
	int err;

	if (path == NULL || path[0] == '\0')
		return 0;
	salen = notify_addr(path, &sun);
	if (salen < 0)
		return salen;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	n = sendto(fd, state, len, MSG_NOSIGNAL, (struct sockaddr *)&sun,
		   (socklen_t)salen);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	if ((size_t)n != len)
		return -EMSGSIZE;
	return 1;
}

/* notify_sendf - notify_send() of a printf-formatted state */
int notify_sendf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= sizeof(buf))
		return -E2BIG;
	return notify_send(buf);
}

static int parse_u64(const char *s, uint64_t *ret)
{
	uintmax_t v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoumax(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > UINT64_MAX)
		return -EINVAL;
	*ret = v;
	return 0;
}

/**
 * notify_watchdog_usec - the watchdog interval meant for this process
 * @ret_usec: written when 1 is returned
 *
 * Returns 1, 0 when there is no watchdog for us, or -EINVAL.
 */
int notify_watchdog_usec(uint64_t *ret_usec)
{
	const char *usec = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	uint64_t v;
	uint64_t p;

	if (usec == NULL)
		return 0;
	if (parse_u64(usec, &v) < 0 || v == 0)
		return -EINVAL;
	if (pid != NULL) {
		if (parse_u64(pid, &p) < 0)
			return -EINVAL;
		if (p != (uint64_t)getpid())
			return 0;
	}
	*ret_usec = v;
	return 1;
}
