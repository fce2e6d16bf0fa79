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
 * neither stalls the loop nor piles up in memory (control_client.c, one
 * client's side).  Peers are told apart
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

#include "control.h"
#include "control_int.h"
#include "ctlmsg.h"
#include "log.h"
#include "loop.h"
#include "monotime.h"
#include "zoned.h"

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
const char *ctl_no_slot(const struct control *ctl, uid_t uid, bool may_write)
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
	char msg[128];
	uint64_t now = mono_ms();

	snprintf(msg, sizeof(msg), "zonectl: %s, try again later\n", why);
	ctl_send_refusal(cfd, msg);
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
	int fd = loop_timer_every(ctl->z, CTL_IDLE_CHECK_MS, ctl_idle_cb, ctl);

	if (fd < 0)
		return fd;
	ctl->idle_fd = fd;
	return 0;
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
