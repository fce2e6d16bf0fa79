/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_CTLMSG_H
#define ZONED_CTLMSG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The wire format of the control socket, shared by zoned and zonectl.
 *
 * The socket is AF_UNIX SOCK_SEQPACKET, so every message arrives whole or
 * not at all.  A message is a 16-byte header followed by its payload:
 *
 *   u16 version  CTL_VERSION
 *   u16 type     CTL_T_*
 *   u32 len      the whole message, header included, <= CTL_MSG_MAX
 *   u32 code     request: CTL_CMD_*; CTL_T_END: the exit status
 *   u16 flags    request: CTL_F_*; zero otherwise
 *   u16 argc     request: the number of arguments; zero otherwise
 *
 * in host byte order (both ends run on the same machine).  A request's
 * payload is @argc NUL-terminated strings, packed, and nothing else.  A
 * reply is any number of CTL_T_OUT (for stdout) and CTL_T_ERR (for stderr)
 * messages, each a NUL-terminated text chunk, then one CTL_T_END.
 *
 * A reply's text is cut at CTL_REPLY_MAX (ctlout.h).  A request with
 * CTL_F_FILE (`config`, `show`) gets the policy's text instead as a
 * file: the CTL_T_END carries one read-only descriptor (SCM_RIGHTS, see
 * unix(7)) of the whole text from offset 0, a sealed memfd (one per
 * running policy, shared by all, dropped with that policy) or the kept
 * policy's file; the daemon closes the descriptor once sent.  `show`
 * with CTL_F_JSON too sends the same file, and as text only the policy's
 * full hash and a newline: zonectl writes the JSON document, quoting the
 * file as it reads it.  A failed command sends no file.
 */

/* Where zoned listens and zonectl connects, unless told otherwise. */
#define ZONED_SOCKET_DEFAULT "/run/zoned/zoned.sock"

#define CTL_VERSION 1
#define CTL_HDR_LEN 16
#define CTL_MSG_MAX 8192
#define CTL_ARGS_MAX 8
#define CTL_ARG_MAX 1024 /* longest argument, NUL excluded */
/* The most text one chunk carries (the rest of a message, less the NUL). */
#define CTL_CHUNK_MAX (CTL_MSG_MAX - CTL_HDR_LEN - 1)

enum ctl_type {
	CTL_T_REQUEST = 1,
	CTL_T_OUT,
	CTL_T_ERR,
	CTL_T_END,
};

enum ctl_cmd {
	CTL_CMD_STATUS = 1,
	CTL_CMD_CONFIG, /* the running model, normalised */
	CTL_CMD_CONF_PATH, /* the running config file's path */
	CTL_CMD_RELOAD,
	CTL_CMD_EXPLAIN, /* SRC DST [PROTO/PORT] */
	CTL_CMD_FLOWS,
	CTL_CMD_ISOLATE, /* TARGET REASON */
	CTL_CMD_RELEASE, /* TARGET */
	CTL_CMD_AUDIT,
	CTL_CMD_HISTORY, /* the applied policies */
	CTL_CMD_SHOW, /* HASH: one of them, normalised */
	CTL_CMD_TRY, /* SECONDS, the candidate's fd (SCM_RIGHTS) */
	CTL_CMD_CONFIRM,
	CTL_CMD_MAX
};

enum ctl_flags {
	CTL_F_JSON = 1 << 0,
	CTL_F_PROMETHEUS = 1 << 1, /* status: the metrics exposition */
	CTL_F_FILE = 1 << 2, /* config, show: the text as a file, uncut */
	CTL_F_ALL = CTL_F_JSON | CTL_F_PROMETHEUS | CTL_F_FILE,
};

struct ctl_request {
	enum ctl_cmd cmd;
	unsigned int flags;
	size_t argc;
	const char *argv[CTL_ARGS_MAX];
};

struct ctl_reply {
	enum ctl_type type; /* CTL_T_OUT, CTL_T_ERR or CTL_T_END */
	int status; /* CTL_T_END only */
	const char *text; /* OUT/ERR: NUL-terminated; END: "" */
	size_t len; /* strlen(text) */
};

/* ctl_cmd_name - "status", "explain", ...; NULL when out of range */
const char *ctl_cmd_name(enum ctl_cmd cmd);

/**
 * ctl_request_encode - build a request message
 * @req: the command, its flags and arguments (copied)
 * @buf: where the message goes
 * @size: room in @buf
 *
 * Returns the message length, -EINVAL for an unknown command, too many or
 * too long arguments or unknown flags, or -EMSGSIZE when the message would
 * exceed @size or CTL_MSG_MAX.
 */
/*
 * ctl_sendmsg - send @len bytes of @buf on the socket @fd as one message,
 * with the descriptor @pass_fd attached (SCM_RIGHTS, unix(7)) unless it is
 * negative; @flags as for sendmsg(2), MSG_NOSIGNAL always added.  Returns
 * what sendmsg() returns.  zonectl passes a candidate this way, zoned a
 * policy's text.
 */
ssize_t ctl_sendmsg(int fd, const void *buf, size_t len, int pass_fd,
		    int flags);

ssize_t ctl_request_encode(const struct ctl_request *req, void *buf,
			   size_t size);

/**
 * ctl_request_decode - check and parse a received request
 * @buf: the message as received
 * @len: its length
 * @ret_req: written on success; its argv point into @buf
 *
 * Every field is checked: length, version, type, command, flags, and that
 * the payload is exactly @argc NUL-terminated strings of at most
 * CTL_ARG_MAX bytes.  Returns 0, -EBADMSG for any malformed message, or
 * -EPROTO for another protocol version.
 */
int ctl_request_decode(const void *buf, size_t len,
		       struct ctl_request *ret_req);

/**
 * ctl_reply_encode - build one reply message
 * @type: CTL_T_OUT, CTL_T_ERR or CTL_T_END
 * @status: the exit status (CTL_T_END), else ignored
 * @text: the chunk (OUT/ERR), at most CTL_CHUNK_MAX bytes, no NUL inside;
 *        ignored for END
 * @len: bytes of @text
 *
 * Returns the message length, -EINVAL or -EMSGSIZE.
 */
ssize_t ctl_reply_encode(enum ctl_type type, int status, const char *text,
			 size_t len, void *buf, size_t size);

/**
 * ctl_reply_decode - check and parse a received reply message
 * @ret_reply: written on success; its text points into @buf
 *
 * Returns 0, -EBADMSG or -EPROTO, as ctl_request_decode().
 */
int ctl_reply_decode(const void *buf, size_t len, struct ctl_reply *ret_reply);

#endif
