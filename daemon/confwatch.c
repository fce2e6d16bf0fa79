/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The config file's watch: inotify on its directory (editors write a new
 * file and rename it over the old one, so the file itself cannot be
 * watched), debounced, so that a burst of writes reloads once
 * (inotify(7)).
 */
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "confwatch.h"
#include "log.h"
#include "loop.h"
#include "monotime.h"
#include "zoned.h"

/*
 * A burst of writes ends when the directory has been quiet this long, or
 * at the latest this long after its first write: a file rewritten without
 * pause (a tool looping on it) is still reloaded, just not at every write.
 */
#define RELOAD_DEBOUNCE_MS 500
#define RELOAD_BURST_MAX_MS 5000

struct confwatch {
	int ino_fd;
	char *dir;
	char *base;
	int debounce_fd; /* CLOCK_MONOTONIC, one shot */
	uint64_t burst_start_ms; /* CLOCK_MONOTONIC; 0 while no burst */
	void (*changed)(struct zoned *z);
};

static void on_debounce(struct zoned *z, int fd, uint32_t events, void *arg)
{
	struct confwatch *w = arg;

	(void)events;
	if (loop_timer_read(fd) > 0) {
		w->burst_start_ms = 0;
		w->changed(z);
	}
}

/* Every change restarts the wait, up to the burst's deadline. */
static void burst_extend(struct confwatch *w)
{
	uint64_t now = mono_ms();
	uint64_t deadline;
	uint64_t wait = RELOAD_DEBOUNCE_MS;

	if (w->burst_start_ms == 0)
		w->burst_start_ms = now;
	deadline = w->burst_start_ms + RELOAD_BURST_MAX_MS;
	if (deadline <= now)
		wait = 1;
	else if (deadline - now < wait)
		wait = deadline - now;
	loop_timer_arm(w->debounce_fd, wait, 0);
}

static void on_inotify(struct zoned *z, int fd, uint32_t events, void *arg)
{
	char buf[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	struct confwatch *w = arg;
	bool changed = false;
	ssize_t len;
	char *p;

	(void)z;
	(void)events;
	while ((len = read(fd, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + len; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW)
				changed = true;
			else if (ev->mask & IN_IGNORED)
				log_warnx(
					"%s is no longer watched, reload with SIGHUP",
					w->dir);
			else if (ev->len > 0 && strcmp(ev->name, w->base) == 0)
				changed = true;
		}
	}
	if (changed)
		burst_extend(w);
}

static int split_path(struct confwatch *w, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		w->dir = strdup(".");
		w->base = strdup(path);
	} else {
		w->dir = slash == path ? strdup("/") :
					 strndup(path, (size_t)(slash - path));
		w->base = strdup(slash + 1);
	}
	if (w->dir == NULL || w->base == NULL)
		return -ENOMEM;
	return 0;
}

static int watch_dir(struct zoned *z, struct confwatch *w)
{
	int ret;

	w->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->ino_fd < 0)
		return -errno;
	if (inotify_add_watch(w->ino_fd, w->dir,
			      IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM |
				      IN_CREATE | IN_DELETE | IN_ATTRIB |
				      IN_ONLYDIR) < 0)
		return -errno;
	ret = loop_add(z, w->ino_fd, EPOLLIN, on_inotify, w);
	if (ret < 0) {
		close(w->ino_fd);
		w->ino_fd = -1;
	}
	return ret;
}

struct confwatch *confwatch_open(struct zoned *z, const char *path,
				 void (*changed)(struct zoned *z))
{
	struct confwatch *w;
	int ret;

	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->ino_fd = w->debounce_fd = -1;
	w->changed = changed;
	ret = split_path(w, path);
	if (ret == 0) {
		ret = watch_dir(z, w);
		if (ret < 0)
			log_warnx("cannot watch %s: %s", w->dir,
				  strerror(-ret));
	}
	if (ret == 0)
		ret = w->debounce_fd =
			loop_timer_add(z, CLOCK_MONOTONIC, on_debounce, w);
	if (ret < 0) {
		confwatch_close(z, w);
		errno = -ret;
		return NULL;
	}
	return w;
}

void confwatch_close(struct zoned *z, struct confwatch *w)
{
	if (w == NULL)
		return;
	loop_timer_del(z, w->debounce_fd);
	if (w->ino_fd >= 0) {
		loop_del(z, w->ino_fd);
		close(w->ino_fd);
	}
	free(w->dir);
	free(w->base);
	free(w);
}
