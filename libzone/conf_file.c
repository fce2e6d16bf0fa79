/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading the config: open the file once, check that it is a root-owned
 * regular file nobody else may write (on the opened descriptor, so the
 * check and the read see the same file), and hand libconfig its bytes as
 * a stream, never the whole text at once (at a million networks the text
 * is 25 MB, and libconfig would copy it).  On the way the stream refuses
 * what libconfig must not see: a NUL byte; @include, which would pull in
 * a file that escaped the ownership check (resolved against the working
 * directory at that); more lines than CONF_MAX_LINES, past which the line
 * numbers of the diagnostics would wrap.  And it lifts the networks
 * lists out of the text on their way (conf_lift.c), so that libconfig
 * never builds a setting per network.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libconfig.h>

#include <zone/conf.h>

#include "conf_priv.h"

/*
 * libconfig before 1.5 kept line numbers in an unsigned short; 1.5 keeps
 * them in an unsigned int.  A million networks one a line fit.
 */
#if LIBCONFIG_VER_MAJOR > 1 || \
	(LIBCONFIG_VER_MAJOR == 1 && LIBCONFIG_VER_MINOR >= 5)
#define CONF_MAX_LINES (4 << 20)
#else
#define CONF_MAX_LINES 65535
#endif

#define STREAM_BUF (64u << 10)

static const char include_word[] = "@include";
#define INCLUDE_LEN (sizeof(include_word) - 1)

/* Ownership and mode of the opened file (OpenBSD's check_file_secrecy). */
static int check_secrecy(const char *path, const struct stat *st,
			 struct zone_diag *diag)
{
	if (st->st_uid != 0) {
		zone_diag_add(diag, path, 0, "file is not owned by root");
		return -EPERM;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		zone_diag_add(diag, path, 0,
			      "file is writable by group or others");
		return -EPERM;
	}
	return 0;
}

/**
 * conf_open_file - open a config file after checking who may write it
 * @path: the file; diagnostics name it as given
 * @flags: zone_conf_flags (ZONE_CONF_NO_OWNER_CHECK)
 * @diag: receives the reason on failure, as "FILE: message"
 * @src: on success the open file, for conf_stream(); conf_close_file()
 *	closes it
 *
 * Returns 0, -EPERM for an unsafe owner or mode, -EINVAL for something
 * that is not a regular file of bounded size, or the -errno of the failed
 * open/stat.
 */
int conf_open_file(const char *path, unsigned int flags, struct zone_diag *diag,
		   struct conf_source *src)
{
	struct stat st;
	int ret;
	int fd;

	/* O_NONBLOCK: a FIFO put in its place must not hang the caller */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		zone_diag_add(diag, path, 0, "cannot open: %s", strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		zone_diag_add(diag, path, 0, "cannot stat: %s", strerror(-ret));
		goto out_close;
	}
	ret = -EINVAL;
	if (!S_ISREG(st.st_mode)) {
		zone_diag_add(diag, path, 0, "not a regular file");
		goto out_close;
	}
	/* bound the file, and everything derived from it */
	if (st.st_size > ZONE_CONF_MAX_SIZE) {
		zone_diag_add(diag, path, 0, "file is larger than %ld bytes",
			      ZONE_CONF_MAX_SIZE);
		goto out_close;
	}
	if (!(flags & ZONE_CONF_NO_OWNER_CHECK)) {
		ret = check_secrecy(path, &st, diag);
		if (ret < 0)
			goto out_close;
	}
	memset(src, 0, sizeof(*src));
	src->fd = fd;
	src->size = (size_t)st.st_size;
	return 0;

out_close:
	close(fd);
	return ret;
}

/* conf_close_file - close what conf_open_file() opened */
void conf_close_file(struct conf_source *src)
{
	if (src->fd >= 0)
		close(src->fd);
	src->fd = -1;
}

/* The state of one stream: where it is in the source and in the text. */
struct conf_stream {
	struct conf_loader *ld;
	struct conf_source *src;
	size_t off; /* bytes taken from the source */
	char *in; /* what was read from the file and not yet scanned */
	size_t in_pos;
	size_t in_len;
	int line; /* of the next byte */
	bool at_bol; /* only blanks so far on this line */
	size_t match; /* bytes of "@include" held back at a line's start */
	char out[64]; /* bytes decided but not yet given out */
	size_t n_out;
	bool done; /* the end, or a refusal: nothing more is given out */
	struct conf_lift lx;
};

/* The next byte of the source, or -1 at its end (or a failed read). */
static int source_byte(struct conf_stream *cs)
{
	struct conf_source *src = cs->src;
	ssize_t n;

	if (src->fd < 0)
		return cs->off < src->size ?
			       (unsigned char)src->text[cs->off++] :
			       -1;
	if (cs->in_pos == cs->in_len) {
		size_t want = src->size - cs->off;

		if (want == 0)
			return -1;
		if (want > STREAM_BUF)
			want = STREAM_BUF;
		do
			n = read(src->fd, cs->in, want);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			src->err = -errno;
			conf_error(cs->ld, 0, "cannot read: %s",
				   strerror(errno));
		}
		if (n <= 0)
			return -1;
		cs->in_pos = 0;
		cs->in_len = (size_t)n;
		cs->off += (size_t)n;
	}
	return (unsigned char)cs->in[cs->in_pos++];
}

/* A byte past the refusals, through the lexer; -1 is the end. */
static void emit(struct conf_stream *cs, int c)
{
	conf_lift_byte(&cs->lx, c);
	memcpy(cs->out + cs->n_out, cs->lx.out, cs->lx.n_out);
	cs->n_out += cs->lx.n_out;
}

static void queue(struct conf_stream *cs, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		emit(cs, (unsigned char)p[i]);
}

/*
 * Scan one byte into the queue.  "@include" at the start of a line is
 * reported and given to libconfig as a comment ("#include"), so that it
 * never opens a file; the load fails on the report.
 */
static void scan_byte(struct conf_stream *cs, int c)
{
	if (c == '\0') {
		conf_error(cs->ld, 0, "file contains a NUL byte");
		cs->done = true;
		return;
	}
	if (cs->line > CONF_MAX_LINES) {
		conf_error(cs->ld, 0, "more than %d lines", CONF_MAX_LINES);
		cs->done = true;
		return;
	}
	if (cs->match || (cs->at_bol && c == '@')) {
		if (c == include_word[cs->match]) {
			if (++cs->match < INCLUDE_LEN)
				return;
			conf_error(cs->ld, cs->line,
				   "@include is not supported");
			queue(cs, "#", 1);
			queue(cs, include_word + 1, INCLUDE_LEN - 1);
			cs->match = 0;
			cs->at_bol = false;
			return;
		}
		/* not @include: what was held back goes as it was */
		queue(cs, include_word, cs->match);
		cs->match = 0;
		cs->at_bol = false;
	}
	emit(cs, c);
	if (c == '\n') {
		cs->line++;
		cs->at_bol = true;
	} else if (c != ' ' && c != '\t') {
		cs->at_bol = false;
	}
}

/*
 * fopencookie's read: never -1, which libconfig's scanner (flex) would
 * answer by exiting the process; a failed read is reported and ends the
 * stream.
 */
static ssize_t stream_read(void *cookie, char *buf, size_t size)
{
	struct conf_stream *cs = cookie;
	size_t got = 0;
	size_t n;
	int c;

	while (got < size) {
		if (cs->n_out) {
			n = cs->n_out < size - got ? cs->n_out : size - got;
			memcpy(buf + got, cs->out, n);
			memmove(cs->out, cs->out + n, cs->n_out - n);
			cs->n_out -= n;
			got += n;
			continue;
		}
		if (cs->done)
			break;
		c = source_byte(cs);
		if (c < 0) {
			/* the end: a held-back "@incl" goes as it was */
			queue(cs, include_word, cs->match);
			cs->match = 0;
			emit(cs, -1);
			cs->done = true;
			continue;
		}
		scan_byte(cs, c);
	}
	return (ssize_t)got;
}

static int stream_close(void *cookie)
{
	struct conf_stream *cs = cookie;

	conf_lift_release(&cs->lx);
	free(cs->in);
	free(cs);
	return 0;
}

/**
 * conf_stream - the bytes of @src as a stream for libconfig's config_read()
 * @ld: receives the refusals ("FILE: file contains a NUL byte", "FILE:LINE:
 *	@include is not supported", "FILE: more than N lines", "FILE: cannot
 *	read: ..."): when it has any errors after the read, libconfig's view
 *	of the text does not count
 *
 * Returns the stream (fclose() it), or NULL without memory.
 */
FILE *conf_stream(struct conf_loader *ld, struct conf_source *src)
{
	static const cookie_io_functions_t io = {
		.read = stream_read,
		.close = stream_close,
	};
	struct conf_stream *cs;
	FILE *f;

	cs = calloc(1, sizeof(*cs));
	if (!cs)
		return NULL;
	cs->ld = ld;
	cs->src = src;
	cs->line = 1;
	cs->at_bol = true;
	conf_lift_init(&cs->lx, ld);
	if (src->fd >= 0) {
		cs->in = malloc(STREAM_BUF);
		if (!cs->in) {
			free(cs);
			return NULL;
		}
	}
	f = fopencookie(cs, "r", io);
	if (!f)
		stream_close(cs);
	return f;
}
