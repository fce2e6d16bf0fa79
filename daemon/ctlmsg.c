/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket's wire format: encoding, and decoding that trusts
 * nothing it receives (see ctlmsg.h).
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ctlmsg.h"

struct ctl_hdr {
	uint16_t version;
	uint16_t type;
	uint32_t len;
	uint32_t code;
	uint16_t flags;
	uint16_t argc;
};

_Static_assert(sizeof(struct ctl_hdr) == CTL_HDR_LEN, "header layout");

static const char *const ctl_cmd_names[CTL_CMD_MAX] = {
	[CTL_CMD_STATUS] = "status",	   [CTL_CMD_CONFIG] = "config",
	[CTL_CMD_CONF_PATH] = "conf-path", [CTL_CMD_RELOAD] = "reload",
	[CTL_CMD_EXPLAIN] = "explain",	   [CTL_CMD_FLOWS] = "flows",
	[CTL_CMD_ISOLATE] = "isolate",	   [CTL_CMD_RELEASE] = "release",
	[CTL_CMD_AUDIT] = "audit",	   [CTL_CMD_HISTORY] = "history",
	[CTL_CMD_SHOW] = "show",	   [CTL_CMD_TRY] = "try",
	[CTL_CMD_CONFIRM] = "confirm",
};

/**
 * ctl_cmd_name - the name of a command, for logs
 * @cmd: a CTL_CMD_* value
 *
 * Returns a static string, or NULL when @cmd is out of range.
 */
const char *ctl_cmd_name(enum ctl_cmd cmd)
{
	if (cmd <= 0 || cmd >= CTL_CMD_MAX)
		return NULL;
	return ctl_cmd_names[cmd];
}

static void ctl_hdr_put(void *buf, enum ctl_type type, size_t len,
			uint32_t code, unsigned int flags, size_t argc)
{
	struct ctl_hdr hdr = {
		.version = CTL_VERSION,
		.type = (uint16_t)type,
		.len = (uint32_t)len,
		.code = code,
		.flags = (uint16_t)flags,
		.argc = (uint16_t)argc,
	};

	memcpy(buf, &hdr, sizeof(hdr));
}

/*
 * The checks every message passes before its type is looked at: a length
 * that matches what arrived, and our version.
 */
static int ctl_hdr_get(const void *buf, size_t len, struct ctl_hdr *ret_hdr)
{
	struct ctl_hdr hdr;

	if (len < CTL_HDR_LEN || len > CTL_MSG_MAX)
		return -EBADMSG;
	memcpy(&hdr, buf, sizeof(hdr));
	if (hdr.version != CTL_VERSION)
		return -EPROTO;
	if (hdr.len != len)
		return -EBADMSG;
	*ret_hdr = hdr;
	return 0;
}

/**
 * ctl_request_encode - build a request message
 * @req: the command, its flags and arguments (copied)
 * @buf: where the message goes
 * @size: room in @buf
 *
 * Returns the message length, -EINVAL for a malformed request, or
 * -EMSGSIZE when it does not fit @size or CTL_MSG_MAX.
 */
ssize_t ctl_request_encode(const struct ctl_request *req, void *buf,
			   size_t size)
{
	size_t len = CTL_HDR_LEN;
	char *p = buf;
	size_t i;

	if (!ctl_cmd_name(req->cmd) || req->argc > CTL_ARGS_MAX ||
	    (req->flags & ~(unsigned int)CTL_F_ALL))
		return -EINVAL;
	for (i = 0; i < req->argc; i++) {
		size_t n = strlen(req->argv[i]);

		if (n > CTL_ARG_MAX)
			return -EINVAL;
		len += n + 1;
	}
	if (len > CTL_MSG_MAX || len > size)
		return -EMSGSIZE;
	ctl_hdr_put(buf, CTL_T_REQUEST, len, req->cmd, req->flags, req->argc);
	p += CTL_HDR_LEN;
	for (i = 0; i < req->argc; i++) {
		size_t n = strlen(req->argv[i]) + 1;

		memcpy(p, req->argv[i], n);
		p += n;
	}
	return (ssize_t)len;
}

/* Split a payload into exactly @argc bounded NUL-terminated strings. */
static int ctl_args_get(const char *p, size_t len, size_t argc,
			const char **argv)
{
	size_t i;

	for (i = 0; i < argc; i++) {
		const char *nul = memchr(p, '\0', len);
		size_t n;

		if (!nul)
			return -EBADMSG;
		n = (size_t)(nul - p);
		if (n > CTL_ARG_MAX)
			return -EBADMSG;
		argv[i] = p;
		p += n + 1;
		len -= n + 1;
	}
	return len ? -EBADMSG : 0;
}

/**
 * ctl_request_decode - check and parse a received request
 * @buf: the message as received
 * @len: its length
 * @ret_req: written on success; its argv point into @buf
 *
 * Returns 0, -EBADMSG for a malformed message, or -EPROTO for another
 * protocol version.
 */
int ctl_request_decode(const void *buf, size_t len, struct ctl_request *ret_req)
{
	struct ctl_request req = { 0 };
	struct ctl_hdr hdr;
	int ret;

	ret = ctl_hdr_get(buf, len, &hdr);
	if (ret < 0)
		return ret;
	if (hdr.type != CTL_T_REQUEST || !ctl_cmd_name(hdr.code) ||
	    (hdr.flags & ~CTL_F_ALL) || hdr.argc > CTL_ARGS_MAX)
		return -EBADMSG;
	ret = ctl_args_get((const char *)buf + CTL_HDR_LEN, len - CTL_HDR_LEN,
			   hdr.argc, req.argv);
	if (ret < 0)
		return ret;
	req.cmd = hdr.code;
	req.flags = hdr.flags;
	req.argc = hdr.argc;
	*ret_req = req;
	return 0;
}

/**
 * ctl_reply_encode - build one reply message
 * @type: CTL_T_OUT, CTL_T_ERR or CTL_T_END
 * @status: the exit status (CTL_T_END), else ignored
 * @text: the chunk (OUT/ERR), no NUL inside; ignored for END
 * @len: bytes of @text, at most CTL_CHUNK_MAX
 *
 * Returns the message length, -EINVAL or -EMSGSIZE.
 */
ssize_t ctl_reply_encode(enum ctl_type type, int status, const char *text,
			 size_t len, void *buf, size_t size)
{
	size_t total;

	if (type == CTL_T_END) {
		if (size < CTL_HDR_LEN)
			return -EMSGSIZE;
		ctl_hdr_put(buf, type, CTL_HDR_LEN, (uint32_t)status, 0, 0);
		return CTL_HDR_LEN;
	}
	if (type != CTL_T_OUT && type != CTL_T_ERR)
		return -EINVAL;
	if (memchr(text, '\0', len))
		return -EINVAL;
	total = CTL_HDR_LEN + len + 1;
	if (len > CTL_CHUNK_MAX || total > size)
		return -EMSGSIZE;
	ctl_hdr_put(buf, type, total, 0, 0, 0);
	memcpy((char *)buf + CTL_HDR_LEN, text, len);
	((char *)buf)[total - 1] = '\0';
	return (ssize_t)total;
}

/**
 * ctl_reply_decode - check and parse a received reply message
 * @ret_reply: written on success; its text points into @buf
 *
 * Returns 0, -EBADMSG or -EPROTO.
 */
int ctl_reply_decode(const void *buf, size_t len, struct ctl_reply *ret_reply)
{
	struct ctl_reply reply = { 0 };
	const char *text = (const char *)buf + CTL_HDR_LEN;
	struct ctl_hdr hdr;
	int ret;

	ret = ctl_hdr_get(buf, len, &hdr);
	if (ret < 0)
		return ret;
	if (hdr.flags || hdr.argc)
		return -EBADMSG;
	switch (hdr.type) {
	case CTL_T_END:
		if (len != CTL_HDR_LEN)
			return -EBADMSG;
		reply.status = (int)hdr.code;
		reply.text = "";
		break;
	case CTL_T_OUT:
	case CTL_T_ERR:
		/* exactly one NUL, at the end */
		if (hdr.code || len == CTL_HDR_LEN ||
		    text[len - CTL_HDR_LEN - 1])
			return -EBADMSG;
		reply.len = len - CTL_HDR_LEN - 1;
		if (strlen(text) != reply.len)
			return -EBADMSG;
		reply.text = text;
		break;
	default:
		return -EBADMSG;
	}
	reply.type = hdr.type;
	*ret_reply = reply;
	return 0;
}

/* ctl_sendmsg - see ctlmsg.h */
ssize_t ctl_sendmsg(int fd, const void *buf, size_t len, int pass_fd,
		    int flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf,
			     .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (pass_fd >= 0) {
		memset(&cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof(cbuf.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &pass_fd, sizeof(int));
	}
	return sendmsg(fd, &msg, flags | MSG_NOSIGNAL);
}
