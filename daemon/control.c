/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket of zonectl(8): an AF_UNIX SOCK_SEQPACKET socket,
 * mode 0660, served from the daemon's epoll loop.
 *
 * Every client-controlled resource is bounded: the number of clients (some
 * slots kept for those who may write, and a cap per user, so that readers
 * cannot lock root out), how long a client may stay connected, the size of
 * a request (ctlmsg.c checks every byte of it), one request at a time per
 * client, and the size of a reply.  A reply is built whole, then sent in
 * chunks as the client reads, so a slow reader never blocks the daemon;
 * but `flows` is streamed: its conntrack dump is read a slice at a time
 * while the client drains what was formatted, so that a table of any size
 * neither stalls the loop nor piles up in memory.  Peers are told apart
 * by SO_PEERCRED/SO_PEERGROUPS: root, the daemon's own user and members of
 * the socket's group may change state (reload, isolate, release); anyone
 * else who can connect may only read.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zone/conf.h>
#include <zone/diag.h>
#include <zone/model.h>

#include "control.h"
#include "control_priv.h"
#include "ctlmsg.h"
#include "history.h"
#include "log.h"
#include "monotime.h"
#include "textesc.h"
#include "watch.h"
#include "zoned.h"

/*
 * 24 clients at once, of which read-only ones may hold 16: the other 8 are
 * kept for root and the socket's group.  No user holds more than 8.
 */
#define CTL_CLIENTS_MAX 24
#define CTL_READERS_MAX 16
#define CTL_PER_USER_MAX 8
#define CTL_BACKLOG 16
#define CTL_GROUPS_MAX 1024
/* A client that neither asks nor reads for this long is hung up on. */
#define CTL_IDLE_MS 30000
#define CTL_IDLE_CHECK_MS 5000
/* However busy, a client is hung up on after this long. */
#define CTL_SESSION_MS (10 * 60 * 1000)
/*
 * A streamed reply stops reading its dump while this much text waits for
 * the client, and goes on once less than the low mark does.
 */
#define CTL_STREAM_HIGH (64 * 1024)
#define CTL_STREAM_LOW (16 * 1024)
/* Refused connections are logged at most this often. */
#define CTL_REFUSE_LOG_MS 10000

struct ctl_client {
	struct control *ctl;
	int fd;
	uid_t uid;
	pid_t pid;
	bool may_write;
	bool busy; /* a reply is being sent */
	uint32_t events; /* what the loop watches for */
	uint64_t last_ms; /* CLOCK_MONOTONIC of its last request or read */
	uint64_t start_ms; /* when it connected */
	/* the reply: stdout text, then stderr text, then the status */
	char *out;
	size_t out_len;
	size_t out_off;
	char *err;
	size_t err_len;
	size_t err_off;
	int status;
	/* a streamed reply (flows): the dump it reads */
	struct ctwatch_flowdump *dump;
	bool dump_watched;
	bool json;
	size_t n_flows;
};

struct control {
	struct zoned *z;
	int fd;
	char *path;
	dev_t dev; /* the socket file we made, to unlink only it */
	ino_t ino;
	struct ctl_client *clients[CTL_CLIENTS_MAX];
	size_t n_clients;
	int idle_fd; /* timer: hang up on idle clients */
	uint64_t session_ms; /* the longest session (CTL_SESSION_MS) */
	uint64_t refused; /* connections refused since the last log line */
	uint64_t refused_logged_ms;
};

struct ctl_handler {
	void (*fn)(struct zoned *z, const struct ctl_request *req,
		   struct ctl_out *o);
	size_t argc_min;
	size_t argc_max;
	bool writes;
	bool streams; /* no @fn: the reply is streamed (ctl_stream_start) */
};

static void ctl_config(struct zoned *z, const struct ctl_request *req,
		       struct ctl_out *o);
static void ctl_conf_path(struct zoned *z, const struct ctl_request *req,
			  struct ctl_out *o);
static void ctl_reload(struct zoned *z, const struct ctl_request *req,
		       struct ctl_out *o);

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

/**
 * ctl_fail - report a failed command to the client
 * @o: the reply
 * @fmt: the message, lower case, no trailing period
 *
 * Writes "zonectl: MESSAGE" to the reply's error stream and sets its exit
 * status to 1.  Messages echo the client's arguments: they are escaped.
 */
void ctl_fail(struct ctl_out *o, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fputs("zonectl: ", o->err);
	text_fputs(o->err, msg);
	fputc('\n', o->err);
	o->status = 1;
}

/**
 * ctl_time - format @t as ISO 8601 local time with its UTC offset
 * @buf: at least 32 bytes
 *
 * Returns @buf.
 */
const char *ctl_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (!localtime_r(&t, &tm) ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%S%z", &tm) == 0)
		snprintf(buf, size, "%lld", (long long)t);
	return buf;
}

/* The normalised running config, for `zonectl diff`. */
static void ctl_config(struct zoned *z, const struct ctl_request *req,
		       struct ctl_out *o)
{
	int ret;

	(void)req;
	ret = zone_model_print(z->model, o->out);
	if (ret < 0)
		ctl_fail(o, "printing the running config: %s", strerror(-ret));
}

static void ctl_conf_path(struct zoned *z, const struct ctl_request *req,
			  struct ctl_out *o)
{
	(void)req;
	fprintf(o->out, "%s\n", z->conf_path);
}

/* After a failed reload, show the operator why, as `zonectl check` would. */
static void ctl_reload_why(struct zoned *z, int err, struct ctl_out *o)
{
	struct zone_model *model = NULL;
	struct zone_diag *diag;
	size_t i;

	diag = zone_diag_new();
	if (diag && zone_conf_load(z->conf_path, 0, diag, &model) < 0) {
		for (i = 0; i < zone_diag_count(diag); i++)
			fprintf(o->err, "%s\n", zone_diag_line(diag, i));
	} else if (z->last_error[0]) {
		fprintf(o->err, "%s\n", z->last_error);
	} else {
		fprintf(o->err, "%s: applying the policy: %s\n", z->conf_path,
			strerror(-err));
	}
	zone_model_free(model);
	zone_diag_free(diag);
}

static void ctl_reload(struct zoned *z, const struct ctl_request *req,
		       struct ctl_out *o)
{
	int ret;

	(void)req;
	ret = zoned_reload_as(z, "zonectl", o->who);
	if (ret < 0) {
		ctl_reload_why(z, ret, o);
		ctl_fail(o, "reload failed, keeping current configuration");
		return;
	}
	if (o->json) {
		fputs("{\"result\":\"applied\",\"hash\":", o->out);
		ctl_json_string(o->out, zone_model_hash(z->model));
		fputs("}\n", o->out);
	} else {
		fprintf(o->out, "policy %s applied\n",
			zone_model_hash(z->model));
	}
}

static void ctl_client_free(struct ctl_client *c)
{
	struct control *ctl = c->ctl;
	size_t i;

	if (c->dump) {
		if (c->dump_watched)
			loop_del(ctl->z, ctwatch_flowdump_fd(c->dump));
		ctwatch_flowdump_free(c->dump);
	}
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

/* Watch the client for @events, if that is not what it waits for now. */
static int ctl_client_watch(struct ctl_client *c, uint32_t events);
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
	if (send(c->fd, buf, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
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
	const char *tail = NULL;
	char msg[128];

	ctl_stream_pause(c);
	ctwatch_flowdump_free(c->dump);
	c->dump = NULL;
	if (c->json)
		tail = "]\n";
	else if (c->n_flows == 0 && ret == 0)
		tail = "no cross-zone flows\n";
	if (tail && ctl_buf_append(&c->out, &c->out_len, &c->out_off, tail,
				   strlen(tail)) < 0)
		ret = -ENOMEM;
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

	ctl_flow_print(flow, b->c->json, b->c->n_flows > 0, b->f);
	b->c->n_flows++;
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
	c->json = o->json;
	c->n_flows = 0;
	if (o->json)
		fputc('[', o->out);
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
	struct ctl_out o = { .json = req->flags & CTL_F_JSON, .fd = fd };
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

/* Answer a message we cannot take with an error, then hang up. */
static void ctl_client_reject(struct ctl_client *c, const char *why)
{
	char buf[CTL_MSG_MAX];
	ssize_t len;

	log_warnx("control: %s from uid %u pid %d, ignoring", why,
		  (unsigned int)c->uid, (int)c->pid);
	len = ctl_reply_encode(CTL_T_ERR, 0, why, strlen(why), buf,
			       sizeof(buf));
	if (len > 0)
		send(c->fd, buf, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL);
	len = ctl_reply_encode(CTL_T_END, 2, NULL, 0, buf, sizeof(buf));
	if (len > 0)
		send(c->fd, buf, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL);
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

static int ctl_client_watch(struct ctl_client *c, uint32_t events)
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

/* The group whose members may change state: the socket file's. */
static bool ctl_peer_in_group(int fd, gid_t primary, gid_t group)
{
	gid_t groups[CTL_GROUPS_MAX];
	socklen_t len = sizeof(groups);
	size_t i;

	if (primary == group)
		return true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return false; /* fail closed: read-only */
	for (i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == group)
			return true;
	return false;
}

static bool ctl_peer_may_write(struct control *ctl, int fd,
			       const struct ucred *cred)
{
	struct stat st;

	if (cred->uid == 0 || cred->uid == geteuid())
		return true;
	/* stat each time, so that an operator's chgrp takes effect */
	if (stat(ctl->path, &st) < 0)
		return false;
	return ctl_peer_in_group(fd, cred->gid, st.st_gid);
}

/*
 * Why a new client may not have a slot, or NULL: the readers' slots are
 * fewer than all, so that root and the socket's group always find one,
 * and no user holds more than CTL_PER_USER_MAX.
 */
static const char *ctl_no_slot(const struct control *ctl, uid_t uid,
			       bool may_write)
{
	size_t readers = 0;
	size_t mine = 0;
	size_t i;

	for (i = 0; i < ctl->n_clients; i++) {
		if (!ctl->clients[i]->may_write)
			readers++;
		if (ctl->clients[i]->uid == uid)
			mine++;
	}
	if (ctl->n_clients >= CTL_CLIENTS_MAX)
		return "too many clients";
	if (!may_write && readers >= CTL_READERS_MAX)
		return "too many read-only clients";
	if (mine >= CTL_PER_USER_MAX)
		return "too many clients of this user";
	return NULL;
}

/* Tell a client without a slot why, hang up, and log it now and then. */
static void ctl_refuse(struct control *ctl, int cfd, const struct ucred *cred,
		       const char *why)
{
	char buf[CTL_MSG_MAX];
	char msg[128];
	uint64_t now = mono_ms();
	ssize_t len;
	int i;

	/*
	 * Read what the client already sent: closing a socket with unread
	 * data resets the peer, which would lose the reason before it.
	 */
	for (i = 0; i < 4; i++)
		if (recv(cfd, buf, sizeof(buf), MSG_DONTWAIT) <= 0)
			break;
	snprintf(msg, sizeof(msg), "zonectl: %s, try again later\n", why);
	len = ctl_reply_encode(CTL_T_ERR, 0, msg, strlen(msg), buf,
			       sizeof(buf));
	if (len > 0)
		send(cfd, buf, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL);
	len = ctl_reply_encode(CTL_T_END, 2, NULL, 0, buf, sizeof(buf));
	if (len > 0)
		send(cfd, buf, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL);
	close(cfd);
	ctl->refused++;
	if (ctl->refused_logged_ms &&
	    now - ctl->refused_logged_ms < CTL_REFUSE_LOG_MS)
		return;
	log_warnx("control: %s, refusing uid %u pid %d (%llu refused)", why,
		  (unsigned int)cred->uid, (int)cred->pid,
		  (unsigned long long)ctl->refused);
	ctl->refused = 0;
	ctl->refused_logged_ms = now;
}

static void ctl_accept_cb(struct zoned *z, int fd, uint32_t events, void *arg)
{
	struct control *ctl = arg;
	struct ctl_client *c;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	const char *why;
	bool may_write;
	int cfd;

	(void)z;
	(void)events;
	cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (cfd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("control: accept, ignoring");
		return;
	}
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		log_warn("control: SO_PEERCRED, ignoring");
		close(cfd);
		return;
	}
	may_write = ctl_peer_may_write(ctl, cfd, &cred);
	why = ctl_no_slot(ctl, cred.uid, may_write);
	if (why) {
		ctl_refuse(ctl, cfd, &cred, why);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		log_warn("control: new client, ignoring");
		close(cfd);
		return;
	}
	c->ctl = ctl;
	c->fd = cfd;
	c->uid = cred.uid;
	c->pid = cred.pid;
	c->may_write = may_write;
	c->last_ms = mono_ms();
	c->start_ms = c->last_ms;
	ctl->clients[ctl->n_clients++] = c;
	if (ctl_client_watch(c, EPOLLIN) < 0) {
		log_warnx("control: watching a client, ignoring");
		ctl_client_free(c);
	}
}

/*
 * A socket file left by a zoned that died: remove it, unless a live
 * daemon still answers there.  Anything that is not a socket is left
 * alone.  Returns 0 or -errno.
 */
static int ctl_clear_stale(const struct sockaddr_un *sun)
{
	struct stat st;
	int fd;
	int ret;

	if (lstat(sun->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (ret == 0)
		return -EADDRINUSE;
	if (errno != ECONNREFUSED)
		return -errno;
	if (unlink(sun->sun_path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/* Make the socket's directory if it is missing (one level, 0755). */
static int ctl_make_dir(const char *path)
{
	char *copy = strdup(path);
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	if (mkdir(dirname(copy), 0755) < 0 && errno != EEXIST)
		ret = -errno;
	free(copy);
	return ret;
}

static int ctl_bind(struct control *ctl)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int ret;

	if (strlen(ctl->path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, ctl->path);
	ret = ctl_make_dir(ctl->path);
	if (ret == 0)
		ret = ctl_clear_stale(&sun);
	if (ret < 0)
		return ret;
	ctl->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
			 0);
	if (ctl->fd < 0)
		return -errno;
	/* no instant in which the socket is open to others */
	old = umask(0177);
	ret = bind(ctl->fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (ret < 0)
		return -errno;
	if (chmod(ctl->path, 0660) < 0 || stat(ctl->path, &st) < 0 ||
	    listen(ctl->fd, CTL_BACKLOG) < 0) {
		ret = -errno;
		unlink(ctl->path);
		return ret;
	}
	ctl->dev = st.st_dev;
	ctl->ino = st.st_ino;
	return 0;
}

/*
 * Hang up on clients that hold a slot without asking or reading, or for
 * longer than a session may last: the slots are few, and a stuck or
 * hostile script must not keep them.
 */
static void ctl_idle_cb(struct zoned *z, int fd, uint32_t events, void *arg)
{
	struct control *ctl = arg;
	uint64_t now = mono_ms();
	size_t i;

	(void)z;
	(void)events;
	loop_timer_read(fd);
	for (i = ctl->n_clients; i-- > 0;) {
		struct ctl_client *c = ctl->clients[i];

		if (now - c->start_ms >= ctl->session_ms) {
			log_warnx("control: client uid %u pid %d connected for "
				  "%llu s, hanging up",
				  (unsigned int)c->uid, (int)c->pid,
				  (unsigned long long)(now - c->start_ms) /
					  1000);
			ctl_client_free(c);
			continue;
		}
		if (now - c->last_ms < CTL_IDLE_MS)
			continue;
		log_warnx("control: client uid %u pid %d idle for %d s, "
			  "hanging up",
			  (unsigned int)c->uid, (int)c->pid,
			  CTL_IDLE_MS / 1000);
		ctl_client_free(c);
	}
}

/*
 * The longest session; ZONED_CTL_SESSION_MS shortens it for the tests,
 * which cannot wait ten minutes.
 */
static uint64_t ctl_session_ms(void)
{
	const char *env = getenv("ZONED_CTL_SESSION_MS");
	char *end;
	unsigned long long v;

	if (!env || !*env)
		return CTL_SESSION_MS;
	errno = 0;
	v = strtoull(env, &end, 10);
	if (errno || *end || v == 0 || v > CTL_SESSION_MS) {
		log_warnx("ZONED_CTL_SESSION_MS=%s out of range, ignoring",
			  env);
		return CTL_SESSION_MS;
	}
	return v;
}

static int ctl_idle_open(struct control *ctl)
{
	int ret;

	ctl->idle_fd =
		loop_timer_add(ctl->z, CLOCK_MONOTONIC, ctl_idle_cb, ctl);
	if (ctl->idle_fd < 0)
		return ctl->idle_fd;
	ret = loop_timer_arm(ctl->idle_fd, CTL_IDLE_CHECK_MS,
			     CTL_IDLE_CHECK_MS);
	if (ret < 0) {
		loop_timer_del(ctl->z, ctl->idle_fd);
		ctl->idle_fd = -1;
	}
	return ret;
}

/**
 * control_open - create the control socket at z->socket_path and serve it
 * @z: the daemon; z->ctl is set on success
 *
 * A stale socket file is replaced; a live one (another zoned answering)
 * is an error.  Logs nothing; returns 0 or -errno (-EADDRINUSE when
 * another daemon owns the socket, -EEXIST when the path is not a socket).
 */
int control_open(struct zoned *z)
{
	struct control *ctl;
	int ret;

	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return -ENOMEM;
	ctl->z = z;
	ctl->fd = -1;
	ctl->idle_fd = -1;
	ctl->session_ms = ctl_session_ms();
	ctl->path =
		strdup(z->socket_path ? z->socket_path : ZONED_SOCKET_DEFAULT);
	if (!ctl->path) {
		free(ctl);
		return -ENOMEM;
	}
	ret = ctl_bind(ctl);
	if (ret == 0)
		ret = ctl_idle_open(ctl);
	if (ret == 0)
		ret = loop_add(z, ctl->fd, EPOLLIN, ctl_accept_cb, ctl);
	if (ret < 0) {
		loop_timer_del(z, ctl->idle_fd);
		if (ctl->ino)
			unlink(ctl->path);
		if (ctl->fd >= 0)
			close(ctl->fd);
		free(ctl->path);
		free(ctl);
		return ret;
	}
	z->ctl = ctl;
	return 0;
}

/**
 * control_close - drop every client, close the socket and remove its file
 * @z: the daemon; a control socket that was never opened is fine
 */
void control_close(struct zoned *z)
{
	struct control *ctl = z->ctl;
	struct stat st;

	if (!ctl)
		return;
	while (ctl->n_clients)
		ctl_client_free(ctl->clients[0]);
	loop_timer_del(z, ctl->idle_fd);
	loop_del(z, ctl->fd);
	close(ctl->fd);
	/* only our own file: a newer zoned may have taken the path */
	if (stat(ctl->path, &st) == 0 && st.st_dev == ctl->dev &&
	    st.st_ino == ctl->ino)
		unlink(ctl->path);
	free(ctl->path);
	free(ctl);
	z->ctl = NULL;
}
