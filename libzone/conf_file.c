/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading the config file: open it once, check that it is a root-owned
 * regular file nobody else may write (on the opened descriptor, so the
 * check and the read see the same file), and read it whole.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zone/conf.h>

#include "conf_priv.h"

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

/* Read the whole regular file behind @fd into a NUL-ended buffer. */
static int read_all(int fd, const struct stat *st, char **ret_text)
{
	size_t size = (size_t)st->st_size;
	size_t got = 0;
	char *text;
	ssize_t n;

	text = malloc(size + 1);
	if (!text)
		return -ENOMEM;
	while (got < size) {
		n = read(fd, text + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(text);
			return n < 0 ? -errno : -EIO;
		}
		got += (size_t)n;
	}
	text[got] = '\0';
	if (memchr(text, '\0', got)) {
		free(text);
		return -EILSEQ;
	}
	*ret_text = text;
	return 0;
}

/**
 * conf_read_file - read a config file after checking who may write it
 * @path: the file; diagnostics name it as given
 * @flags: zone_conf_flags (ZONE_CONF_NO_OWNER_CHECK)
 * @diag: receives the reason on failure, as "FILE: message"
 * @ret_text: the NUL-ended contents; the caller frees them
 *
 * Returns 0, -EPERM for an unsafe owner or mode, -EINVAL for something
 * that is not a regular text file of bounded size, or the -errno of the
 * failed open/stat/read.
 */
int conf_read_file(const char *path, unsigned int flags, struct zone_diag *diag,
		   char **ret_text)
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
	ret = read_all(fd, &st, ret_text);
	if (ret == -EILSEQ) {
		zone_diag_add(diag, path, 0, "file contains a NUL byte");
		ret = -EINVAL;
	} else if (ret < 0) {
		zone_diag_add(diag, path, 0, "cannot read: %s", strerror(-ret));
	}
out_close:
	close(fd);
	return ret;
}
