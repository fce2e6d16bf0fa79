/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A reply's text as a file (CTL_F_FILE): the print of a whole policy,
 * up to the size of the largest config, is written to an anonymous file
 * and its descriptor sent with the end of the reply (control_client.c),
 * so that neither the daemon's heap holds it nor the 1 MiB cap of a text
 * reply cuts it.
 */
#include <sys/mman.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctlout.h"

/* The file is the client's to read, never to change under the daemon. */
#define CTL_FILE_SEALS \
	(F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL)

/**
 * ctl_file_start - a stream into a new anonymous file for @o's text
 * @o: the reply, which must have no file yet
 *
 * The file (memfd_create(2)) lives in the page cache, not in the heap.
 * Returns the stream, to be given to ctl_file_finish(), or NULL with
 * errno set.
 */
FILE *ctl_file_start(struct ctl_out *o)
{
	FILE *f = NULL;
	int fd;
	int wfd;

	fd = memfd_create("zoned-reply", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return NULL;
	/* its own descriptor: fclose() must not close the one we send */
	wfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (wfd >= 0)
		f = fdopen(wfd, "w");
	if (!f) {
		int err = errno;

		if (wfd >= 0)
			close(wfd);
		close(fd);
		errno = err;
		return NULL;
	}
	o->reply_fd = fd;
	return f;
}

/**
 * ctl_file_finish - close @f, seal the file and rewind it for the client
 * @o: the reply of ctl_file_start()
 * @f: its stream
 *
 * Returns 0, or -errno: then the file is closed and @o has none.
 */
int ctl_file_finish(struct ctl_out *o, FILE *f)
{
	int ret = 0;

	if (fclose(f) != 0)
		ret = -errno;
	if (ret == 0 && fcntl(o->reply_fd, F_ADD_SEALS, CTL_FILE_SEALS) < 0)
		ret = -errno;
	/* the offset is shared with the client's descriptor */
	if (ret == 0 && lseek(o->reply_fd, 0, SEEK_SET) < 0)
		ret = -errno;
	if (ret < 0) {
		close(o->reply_fd);
		o->reply_fd = -1;
	}
	return ret;
}

/**
 * ctl_file_reopen - send @fd's file as @o's text, through a description
 * of its own: read-only, at offset 0, its offset the client's alone
 * @o: the reply, which must have no file yet
 * @fd: the file (stays the caller's)
 *
 * Many replies may so share one sealed file.  Returns 0 or -errno.
 */
int ctl_file_reopen(struct ctl_out *o, int fd)
{
	char path[64];
	int rfd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rfd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (rfd < 0)
		return -errno;
	o->reply_fd = rfd;
	return 0;
}

/**
 * ctl_file_pass - send a file the daemon opened read-only as @o's text
 * @o: the reply, which must have no file yet
 * @fd: open for reading, at offset 0; stays the caller's
 *
 * Returns 0 or -errno.
 */
int ctl_file_pass(struct ctl_out *o, int fd)
{
	int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	if (dfd < 0)
		return -errno;
	o->reply_fd = dfd;
	return 0;
}

struct ctl_shared {
	int fd; /* sealed, at offset 0 */
	char key[72]; /* what it holds */
};

/* Write a new sealed file with @print; NULL and errno on failure. */
static struct ctl_shared *shared_make(const char *key,
				      int (*print)(const void *arg, FILE *f),
				      const void *arg)
{
	struct ctl_out tmp = { .reply_fd = -1 };
	struct ctl_shared *s = malloc(sizeof(*s));
	FILE *f = s ? ctl_file_start(&tmp) : NULL;
	int ret;

	if (!f) {
		free(s);
		return NULL;
	}
	ret = print(arg, f);
	if (ret < 0) {
		fclose(f);
		close(tmp.reply_fd);
		goto out_free;
	}
	ret = ctl_file_finish(&tmp, f);
	if (ret < 0)
		goto out_free;
	s->fd = tmp.reply_fd;
	snprintf(s->key, sizeof(s->key), "%s", key);
	return s;
out_free:
	free(s);
	errno = -ret;
	return NULL;
}

/**
 * ctl_shared_send - send a shared sealed file as @o's text
 * @s: the file, or NULL: then it is written by @print and kept here
 * @o: the reply, which must have no file yet
 * @key: what the text is of (a policy hash, at most 71 bytes): a file of
 *       another key is dropped and written anew
 * @print: writes the text to the stream it is given; 0 or -errno
 * @arg: what @print prints
 *
 * Every reply reads the one file through a description of its own
 * (ctl_file_reopen()).  The caller frees *@s with ctl_shared_free() as
 * soon as its key is no longer wanted: the key only guards against a
 * file kept too long.  Returns 0 or -errno.
 */
int ctl_shared_send(struct ctl_shared **s, struct ctl_out *o, const char *key,
		    int (*print)(const void *arg, FILE *f), const void *arg)
{
	if (*s && strcmp((*s)->key, key) != 0)
		ctl_shared_free(s);
	if (!*s)
		*s = shared_make(key, print, arg);
	if (!*s)
		return -errno;
	return ctl_file_reopen(o, (*s)->fd);
}

/**
 * ctl_shared_free - close a shared file once what it holds is no longer
 * true
 * @s: where ctl_shared_send() keeps it; NULL after
 *
 * The clients that hold it keep their copies; the daemon keeps none.
 */
void ctl_shared_free(struct ctl_shared **s)
{
	if (!*s)
		return;
	close((*s)->fd);
	free(*s);
	*s = NULL;
}
