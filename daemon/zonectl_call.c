/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zonectl's side of the control socket: one request out (ctlmsg.h), the
 * reply copied to stdout and stderr as it arrives.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>
#include <err.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zone/conf.h>

#include "ctlmsg.h"
#include "zonectl.h"

#define ZONECTL_TIMEOUT_S 120

bool arg_json;
bool arg_prometheus;
const char *arg_socket = ZONED_SOCKET_DEFAULT;

static int ctl_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = ZONECTL_TIMEOUT_S };
	int fd;

	if (strlen(arg_socket) >= sizeof(sun.sun_path)) {
		warnx("%s: %s", arg_socket, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	strcpy(sun.sun_path, arg_socket);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* a wedged daemon must not hang a script forever */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

/*
 * The descriptor a reply message carries (SCM_RIGHTS), or -1; any other
 * is closed.
 */
static int reply_take_fd(struct msghdr *msg)
{
	struct cmsghdr *cm;
	int fd = -1;
	int other;

	for (cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS ||
		    cm->cmsg_len != CMSG_LEN(sizeof(int)))
			continue;
		memcpy(&other, CMSG_DATA(cm), sizeof(int));
		if (fd >= 0)
			close(fd);
		fd = other;
	}
	return fd;
}

/*
 * Read replies until END; returns the daemon's status or -errno.  The
 * file the END carries goes to @ret_fd (-1 when none), or is closed when
 * @ret_fd is NULL.
 */
static int ctl_read_replies(int fd, FILE *out, FILE *err, int *ret_fd)
{
	char buf[CTL_MSG_MAX];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct ctl_reply r;
	ssize_t n;
	int rfd;
	int ret;

	for (;;) {
		msg.msg_flags = 0;
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof(cbuf.buf);
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		if (n == 0)
			return -ECONNRESET;
		rfd = reply_take_fd(&msg);
		if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
			ret = -EBADMSG;
		else
			ret = ctl_reply_decode(buf, (size_t)n, &r);
		if (ret == 0 && r.type == CTL_T_END && ret_fd && rfd >= 0) {
			*ret_fd = rfd;
			rfd = -1;
		}
		if (rfd >= 0)
			close(rfd);
		if (ret < 0)
			return ret;
		if (r.type == CTL_T_END)
			return r.status;
		fwrite(r.text, 1, r.len, r.type == CTL_T_OUT ? out : err);
	}
}

/* ctl_call - see zonectl.h */
int ctl_call(enum ctl_cmd cmd, size_t argc, const char **argv, FILE *out,
	     FILE *err)
{
	return ctl_call_fd(cmd, argc, argv, -1, out, err);
}

static int ctl_call_full(enum ctl_cmd cmd, size_t argc, const char **argv,
			 int pass_fd, FILE *out, FILE *err, int *ret_fd);

/* ctl_call_fd - see zonectl.h */
int ctl_call_fd(enum ctl_cmd cmd, size_t argc, const char **argv,
		int pass_fd, FILE *out, FILE *err)
{
	return ctl_call_full(cmd, argc, argv, pass_fd, out, err, NULL);
}

/* ctl_call_file - see zonectl.h */
int ctl_call_file(enum ctl_cmd cmd, size_t argc, const char **argv,
		  FILE *out, FILE *err, int *ret_fd)
{
	int ret;

	*ret_fd = -1;
	ret = ctl_call_full(cmd, argc, argv, -1, out, err, ret_fd);
	if (ret == 0 && *ret_fd < 0) {
		warnx("%s: %s: the daemon sent no file", arg_socket,
		      ctl_cmd_name(cmd));
		ret = -EBADMSG;
	}
	if (ret != 0 && *ret_fd >= 0) {
		close(*ret_fd);
		*ret_fd = -1;
	}
	return ret;
}

/*
 * One request and its reply; with @ret_fd, the request asks for the text
 * as a file (CTL_F_FILE) and the file comes back there.
 */
static int ctl_call_full(enum ctl_cmd cmd, size_t argc, const char **argv,
			 int pass_fd, FILE *out, FILE *err, int *ret_fd)
{
	struct ctl_request req = { .cmd = cmd, .argc = argc };
	char buf[CTL_MSG_MAX];
	ssize_t len;
	size_t i;
	int fd;
	int ret;

	if (arg_json)
		req.flags |= CTL_F_JSON;
	if (arg_prometheus)
		req.flags |= CTL_F_PROMETHEUS;
	if (ret_fd)
		req.flags |= CTL_F_FILE;
	for (i = 0; i < argc; i++)
		req.argv[i] = argv[i];
	len = ctl_request_encode(&req, buf, sizeof(buf));
	if (len < 0) {
		warnx("%s: arguments too long", ctl_cmd_name(cmd));
		return (int)len;
	}
	fd = ctl_connect();
	if (fd < 0) {
		warnx("%s: %s%s", arg_socket, strerror(-fd),
		       fd == -ENOENT || fd == -ECONNREFUSED ?
			       " (is zoned running?)" :
			       "");
		return fd;
	}
	/*
	 * A daemon without a slot for us answers with the reason and hangs
	 * up, maybe before the request went out: read its answer anyway.
	 */
	if (ctl_sendmsg(fd, buf, (size_t)len, pass_fd, 0) < 0 && errno != EPIPE)
		ret = -errno;
	else
		ret = ctl_read_replies(fd, out, err, ret_fd);
	close(fd);
	if (ret < 0)
		warnx("%s: %s", arg_socket, strerror(-ret));
	return ret;
}

/*
 * The running config's path, from the daemon, or the default when no
 * daemon answers.  The caller frees it.
 */
char *running_conf_path(bool quiet_fallback)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	FILE *err;
	int ret;

	out = open_memstream(&text, &len);
	err = fopen("/dev/null", "we");
	if (!out || !err) {
		if (out)
			fclose(out);
		free(text);
		return strdup(ZONE_CONF_DEFAULT_PATH);
	}
	ret = ctl_call(CTL_CMD_CONF_PATH, 0, NULL, out,
		       quiet_fallback ? err : stderr);
	fclose(out);
	fclose(err);
	if (ret != 0 || len == 0) {
		free(text);
		return strdup(ZONE_CONF_DEFAULT_PATH);
	}
	text[strcspn(text, "\n")] = '\0';
	return text;
}
