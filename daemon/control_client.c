/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One client of the control socket: its request read and checked, the
 * command run (ctlcmd.h), and the reply sent in chunks as the client
 * reads; `flows` streamed from its conntrack dump.  control.c accepts
 * clients and hangs up on idle ones.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "control_int.h"
#include "ctlcmd.h"
#include "ctlmsg.h"
#include "ctwatch.h"
#include "history.h"
#include "log.h"
#include "loop.h"
#include "monotime.h"
#include "zoned.h"

struct ctl_handler {
	ctl_cmd_fn *fn;
	size_t argc_min;
	size_t argc_max;
	bool writes;
	bool streams; /* no @fn: the reply is streamed (ctl_stream_start) */
};

static const struct ctl_handler ctl_handlers[CTL_CMD_MAX] = {
	[CTL_CMD_STATUS] = { ctl_status, 0, 0, false, false },
	[CTL_CMD_CONFIG] = { ctl_config, 0, 0, false, false },
	[CTL_CMD_CONF_PATH] = { ctl_conf_path, 0, 0, false, false },
	[CTL_CMD_RELOAD] = { ctl_reload, 0, 0, true, false },
	[CTL_CMD_EXPLAIN] = { ctl_explain, 2, 5, false, false },
	[CTL_CMD_FLOWS] = { NULL, 0, 0, false, true },
	[CTL_CMD_ISOLATE] = { ctl_isolate, 2, 2, true, false },
	[CTL_CMD_RELEASE] = { ctl_release, 1, 1, true, false },
	[CTL_CMD_AUDIT] = { ctl_audit, 0, 0, false, false },
	[CTL_CMD_HISTORY] = { ctl_history, 0, 0, false, false },
	[CTL_CMD_SHOW] = { ctl_show, 1, 1, false, false },
	[CTL_CMD_TRY] = { ctl_try, 2, 2, true, false },
	[CTL_CMD_CONFIRM] = { ctl_confirm, 0, 0, true, false },
};

/* The reply's file is the daemon's no more: sent, or the client gone. */
static void ctl_reply_file_close(struct ctl_client *c)
{
	if (!c->has_file)
		return;
	close(c->file_fd);
	c->has_file = false;
}

/*
 * Send one reply message; the end of a reply carries its file, if any
 * (SCM_RIGHTS), which is closed here once sent.
 */
static ssize_t ctl_reply_send(struct ctl_client *c, const void *buf,
			      size_t len, bool end)
{
	ssize_t n;

	n = ctl_sendmsg(c->fd, buf, len, end && c->has_file ? c->file_fd : -1,
			MSG_DONTWAIT);
	if (n >= 0 && end)
		ctl_reply_file_close(c);
	return n;
}

void ctl_client_free(struct ctl_client *c)
{
	struct control *ctl = c->ctl;
	size_t i;

	if (c->dump) {
		if (c->dump_watched)
			loop_del(ctl->z, ctwatch_flowdump_fd(c->dump));
		ctwatch_flowdump_free(c->dump);
	}
	ctl_reply_file_close(c);
	loop_del(ctl->z, c->fd);
	close(c->fd);
	for (i = 0; i < ctl->n_clients; i++) {
		if (ctl->clients[i] != c)
			continue;
		ctl->clients[i] = ctl->clients[--ctl->n_clients];
		break;
	}
	free(c->out);
	free(c->err);
	free(c);
}

static void ctl_stream_resume(struct ctl_client *c);

/*
 * Send the next message of the reply.  Returns 1 when one was sent, 0
 * when the reply is complete, -EAGAIN when the socket is full, or -errno.
 */
static int ctl_client_send_one(struct ctl_client *c)
{
	char buf[CTL_MSG_MAX];
	enum ctl_type type = CTL_T_END;
	const char *text = NULL;
	size_t *off = NULL;
	size_t n = 0;
	ssize_t len;

	if (c->out_off < c->out_len) {
		type = CTL_T_OUT;
		text = c->out + c->out_off;
		n = c->out_len - c->out_off;
		off = &c->out_off;
	} else if (c->err_off < c->err_len) {
		type = CTL_T_ERR;
		text = c->err + c->err_off;
		n = c->err_len - c->err_off;
		off = &c->err_off;
	} else if (c->dump) {
		return -EINPROGRESS; /* the stream has more to come */
	} else if (!c->busy) {
		return 0;
	}
	if (n > CTL_CHUNK_MAX)
		n = CTL_CHUNK_MAX;
	len = ctl_reply_encode(type, c->status, text, n, buf, sizeof(buf));
	if (len < 0)
		return (int)len;
	if (ctl_reply_send(c, buf, (size_t)len, type == CTL_T_END) < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (off)
		*off += n;
	else
		c->busy = false;
	c->last_ms = mono_ms();
	return 1;
}

/* Send what the socket takes; returns 0 or -errno (then drop the client). */
static int ctl_client_flush(struct ctl_client *c)
{
	int ret;

	while ((ret = ctl_client_send_one(c)) > 0)
		;
	if (c->dump)
		ctl_stream_resume(c);
	if (ret == -EAGAIN)
		return ctl_client_watch(c, EPOLLOUT);
	/* all sent, the stream goes on: only a hangup matters meanwhile */
	if (ret == -EINPROGRESS)
		return ctl_client_watch(c, EPOLLRDHUP);
	if (ret < 0)
		return ret;
	free(c->out);
	free(c->err);
	c->out = c->err = NULL;
	c->out_len = c->out_off = c->err_len = c->err_off = 0;
	return ctl_client_watch(c, EPOLLIN);
}

/* Cut an over-long reply, so one command cannot eat the daemon's memory. */
static void ctl_cap(char *buf, size_t *len)
{
	static const char cut[] = "\n... output truncated\n";

	if (*len <= CTL_REPLY_MAX)
		return;
	memcpy(buf + CTL_REPLY_MAX - sizeof(cut) + 1, cut, sizeof(cut) - 1);
	*len = CTL_REPLY_MAX;
}

/* Strip any NUL a format may have produced: chunks are C strings. */
static void ctl_denul(char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] == '\0')
			buf[i] = '?';
}

/* --- streamed replies (flows) -------------------------------------------- */

/* Append @n bytes to a reply buffer, dropping what was sent first. */
static int ctl_buf_append(char **buf, size_t *len, size_t *off,
			  const char *text, size_t n)
{
	char *p;

	if (*off) {
		memmove(*buf, *buf + *off, *len - *off);
		*len -= *off;
		*off = 0;
	}
	p = realloc(*buf, *len + n + 1);
	if (!p)
		return -ENOMEM;
	memcpy(p + *len, text, n);
	ctl_denul(p + *len, n);
	*len += n;
	p[*len] = '\0';
	*buf = p;
	return 0;
}

static size_t ctl_pending(const struct ctl_client *c)
{
	return c->out_len - c->out_off;
}

static void ctl_dump_cb(struct zoned *z, int fd, uint32_t events, void *arg);

/* Read the dump again once the client has drained enough. */
static void ctl_stream_resume(struct ctl_client *c)
{
	if (c->dump_watched || ctl_pending(c) >= CTL_STREAM_LOW)
		return;
	if (loop_add(c->ctl->z, ctwatch_flowdump_fd(c->dump), EPOLLIN,
		     ctl_dump_cb, c) == 0)
		c->dump_watched = true;
}

static void ctl_stream_pause(struct ctl_client *c)
{
	if (!c->dump_watched)
		return;
	loop_del(c->ctl->z, ctwatch_flowdump_fd(c->dump));
	c->dump_watched = false;
}

/*
 * The dump is over (@ret 0) or failed (-errno): close it and write the end
 * of the reply.  The client gets its END once everything is sent.
 */
static void ctl_stream_end(struct ctl_client *c, int ret)
{
	char *tail = NULL;
	size_t len = 0;
	char msg[128];
	FILE *f;

	ctl_stream_pause(c);
	ctwatch_flowdump_free(c->dump);
	c->dump = NULL;
	f = open_memstream(&tail, &len);
	if (!f) {
		ret = -ENOMEM;
	} else {
		ctl_flows_tail(&c->flows, ret, f);
		if (fclose(f) == EOF ||
		    ctl_buf_append(&c->out, &c->out_len, &c->out_off, tail,
				   len) < 0)
			ret = -ENOMEM;
	}
	free(tail);
	if (ret < 0) {
		snprintf(msg, sizeof(msg),
			 "zonectl: flows: reading conntrack: %s\n",
			 strerror(-ret));
		ctl_buf_append(&c->err, &c->err_len, &c->err_off, msg,
			       strlen(msg));
		c->status = 1;
	}
}

struct ctl_stream_batch {
	struct ctl_client *c;
	FILE *f;
};

static void ctl_stream_flow(const struct ctwatch_flow *flow, void *arg)
{
	struct ctl_stream_batch *b = arg;

	ctl_flows_one(&b->c->flows, flow, b->f);
}

/* A slice of the dump: formatted into the reply, then sent. */
static void ctl_dump_cb(struct zoned *z, int fd, uint32_t events, void *arg)
{
	struct ctl_client *c = arg;
	struct ctl_stream_batch b = { .c = c };
	char *text = NULL;
	size_t len = 0;
	int ret;

	(void)fd;
	(void)events;
	b.f = open_memstream(&text, &len);
	if (!b.f) {
		ctl_stream_end(c, -ENOMEM);
	} else {
		ret = ctwatch_flowdump_next(z, c->dump, ctl_stream_flow, &b);
		if (fclose(b.f) == EOF ||
		    ctl_buf_append(&c->out, &c->out_len, &c->out_off, text,
				   len) < 0)
			ret = -ENOMEM;
		if (ret <= 0)
			ctl_stream_end(c, ret);
		else if (ctl_pending(c) >= CTL_STREAM_HIGH)
			ctl_stream_pause(c);
	}
	free(text);
	if (ctl_client_flush(c) < 0)
		ctl_client_free(c);
}

/*
 * zonectl flows: start the dump and write the head of the reply; the rest
 * comes slice by slice (ctl_dump_cb), as the client reads.
 */
static void ctl_stream_start(struct ctl_client *c, struct ctl_out *o)
{
	c->dump = ctwatch_flowdump_start(c->ctl->z);
	if (!c->dump) {
		ctl_fail(o, "flows: reading conntrack: %s", strerror(errno));
		return;
	}
	ctl_flows_head(&c->flows, o->json, o->out);
}

/* The file a command made its text (CTL_F_FILE), kept until sent. */
static void ctl_reply_file_take(struct ctl_client *c, struct ctl_out *o,
				int ret)
{
	if (o->reply_fd < 0)
		return;
	if (ret < 0 || o->status != 0) {
		close(o->reply_fd);
		return;
	}
	ctl_reply_file_close(c); /* none: the last reply ended with it */
	c->file_fd = o->reply_fd;
	c->has_file = true;
}

/*
 * Run one request and build its reply.  Returns 0, or -ENOMEM when no
 * reply could be built (the caller hangs up: the daemon must not die of
 * a client's request).
 */
static int ctl_run(struct ctl_client *c, const struct ctl_request *req, int fd)
{
	const struct ctl_handler *h = &ctl_handlers[req->cmd];
	struct zoned *z = c->ctl->z;
	struct ctl_out o = { .json = req->flags & CTL_F_JSON,
			     .fd = fd,
			     .reply_fd = -1 };
	char who[64];
	int ret = 0;

	/* only for those who change state: NSS may be slow */
	o.who = h->writes ? history_peer_name(c->uid, who, sizeof(who)) : "-";

	o.out = open_memstream(&c->out, &c->out_len);
	o.err = open_memstream(&c->err, &c->err_len);
	if (!o.out || !o.err) {
		ret = -ENOMEM;
		goto out_close;
	}
	json_start(&o.j, o.out);
	if (req->argc < h->argc_min || req->argc > h->argc_max) {
		ctl_fail(&o, "%s: wrong number of arguments",
			 ctl_cmd_name(req->cmd));
	} else if (h->writes && !c->may_write) {
		ctl_fail(&o,
			 "%s: permission denied (needs root or the "
			 "socket's group)",
			 ctl_cmd_name(req->cmd));
		log_warnx("control: %s refused for uid %u pid %d",
			  ctl_cmd_name(req->cmd), (unsigned int)c->uid,
			  (int)c->pid);
	} else {
		if (h->writes)
			log_info("control: %s by uid %u pid %d",
				 ctl_cmd_name(req->cmd), (unsigned int)c->uid,
				 (int)c->pid);
		if (h->streams)
			ctl_stream_start(c, &o);
		else
			h->fn(z, req, &o);
	}
out_close:
	if (o.out && fclose(o.out) == EOF)
		ret = -ENOMEM;
	if (o.err && fclose(o.err) == EOF)
		ret = -ENOMEM;
	ctl_reply_file_take(c, &o, ret);
	if (ret < 0) {
		log_warnx("control: no memory for the reply to %s, ignoring",
			  ctl_cmd_name(req->cmd));
		return ret;
	}
	ctl_cap(c->out, &c->out_len);
	ctl_cap(c->err, &c->err_len);
	ctl_denul(c->out, c->out_len);
	ctl_denul(c->err, c->err_len);
	c->status = o.status;
	c->busy = true;
	return 0;
}

/**
 * ctl_send_refusal - tell a client why it is turned away, before a hangup
 * @fd: the client's socket; the caller closes it next
 * @why: one line of text, at most CTL_CHUNK_MAX bytes
 *
 * Sends @why as stderr text and then status 2.  close() on a socket that
 * holds unread data resets the peer (ECONNRESET), and a reset client
 * reads neither message: so reading is shut down first, which makes any
 * later request of the client fail with EPIPE instead of being queued,
 * and what it sent before is drained.  Then nothing the client sends can
 * be left unread, whenever it sends it, and the close is an orderly end.
 */
void ctl_send_refusal(int fd, const char *why)
{
	char buf[CTL_MSG_MAX];
	ssize_t len;

	shutdown(fd, SHUT_RD);
	/* ends: nothing is queued after the shutdown (0 or -1 at the end) */
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	len = ctl_reply_encode(CTL_T_ERR, 0, why, strlen(why), buf,
			       sizeof(buf));
	if (len > 0)
		send(fd, buf, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL);
	len = ctl_reply_encode(CTL_T_END, 2, NULL, 0, buf, sizeof(buf));
	if (len > 0)
		send(fd, buf, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* Answer a message we cannot take with an error, then hang up. */
static void ctl_client_reject(struct ctl_client *c, const char *why)
{
	log_warnx("control: %s from uid %u pid %d, ignoring", why,
		  (unsigned int)c->uid, (int)c->pid);
	ctl_send_refusal(c->fd, why);
	ctl_client_free(c);
}

/* The one file descriptor a request may carry (zonectl try), or -1. */
static int ctl_take_fd(struct msghdr *msg)
{
	struct cmsghdr *cm;
	int fd = -1;

	for (cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS ||
		    cm->cmsg_len != CMSG_LEN(sizeof(int)))
			continue;
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	}
	return fd;
}

/* Read one request; returns false when the client is gone. */
static bool ctl_client_read(struct ctl_client *c)
{
	char buf[CTL_MSG_MAX];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf.buf,
			      .msg_controllen = sizeof(cbuf.buf) };
	struct ctl_request req;
	ssize_t n;
	int fd;
	int ret;

	n = recvmsg(c->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0) {
		ctl_client_free(c);
		return false;
	}
	/* more than one fd: the kernel closed the rest (MSG_CTRUNC) */
	fd = ctl_take_fd(&msg);
	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		if (fd >= 0)
			close(fd);
		ctl_client_reject(c, "request too long");
		return false;
	}
	c->last_ms = mono_ms();
	ret = ctl_request_decode(buf, (size_t)n, &req);
	if (ret < 0) {
		if (fd >= 0)
			close(fd);
		ctl_client_reject(c, ret == -EPROTO ?
					     "protocol version mismatch" :
					     "malformed request");
		return false;
	}
	ret = ctl_run(c, &req, fd);
	if (fd >= 0)
		close(fd);
	if (ret < 0) {
		ctl_client_free(c);
		return false;
	}
	return true;
}

static void ctl_client_cb(struct zoned *z, int fd, uint32_t events, void *arg)
{
	struct ctl_client *c = arg;

	(void)z;
	(void)fd;
	if ((events & EPOLLIN) && !c->busy) {
		if (!ctl_client_read(c))
			return;
	} else if (events & (EPOLLERR | EPOLLHUP | EPOLLRDHUP)) {
		ctl_client_free(c);
		return;
	}
	if (c->busy && ctl_client_flush(c) < 0)
		ctl_client_free(c);
}

/* Watch the client for @events, if that is not what it waits for now. */
int ctl_client_watch(struct ctl_client *c, uint32_t events)
{
	int ret;

	if (c->events == events)
		return 0;
	if (c->events)
		loop_del(c->ctl->z, c->fd);
	c->events = 0;
	ret = loop_add(c->ctl->z, c->fd, events, ctl_client_cb, c);
	if (ret == 0)
		c->events = events;
	return ret;
}
