/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Would the service user be able to read the config?  The unit runs zoned
 * as the system user zoned (User=zoned), which reads the file at start
 * and on every reload, while zoned itself insists on an owner of root
 * and no write access for group or others.  `zoned -t`, run as root,
 * judges the file by the permission bits the kernel would apply to that
 * user: x on every directory on the way, r on the file.
 */
#include <sys/stat.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svcuser.h"

#define SVCUSER_MAX_GROUPS 64

struct identity {
	uid_t uid;
	gid_t groups[SVCUSER_MAX_GROUPS];
	int n_groups;
};

/* The owner's, the group's or the others' bit, as the kernel picks. */
static bool permits(const struct identity *id, const struct stat *st,
		    mode_t owner_bit)
{
	int i;

	if (st->st_uid == id->uid)
		return st->st_mode & owner_bit;
	for (i = 0; i < id->n_groups; i++)
		if (st->st_gid == id->groups[i])
			return st->st_mode & (owner_bit >> 3);
	return st->st_mode & (owner_bit >> 6);
}

/* Every directory from / down to @path's own needs x. */
static int check_dirs(const struct identity *id, const char *path, char *why,
		      size_t size)
{
	char dir[PATH_MAX];
	struct stat st;
	char *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	for (slash = strchr(dir + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (stat(dir, &st) < 0)
			return -errno;
		if (!permits(id, &st, S_IXUSR)) {
			snprintf(why, size, "directory %s is not searchable",
				 dir);
			return 1;
		}
		*slash = '/';
	}
	return 0;
}

/**
 * svcuser_check - can @user read @path?
 * @path: an absolute path to the config
 * @user: the service user's name
 * @why: on 1, what stands in the way
 * @size: room in @why
 *
 * Returns 0 when it can, 1 when it cannot (@why says why), -ENOENT when
 * there is no such user, or another -errno when @path cannot be examined.
 */
int svcuser_check(const char *path, const char *user, char *why, size_t size)
{
	struct identity id;
	struct passwd *pw;
	struct stat st;
	int ret;

	if (path[0] != '/')
		return -EINVAL;
	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL)
		return errno ? -errno : -ENOENT;
	id.uid = pw->pw_uid;
	id.n_groups = SVCUSER_MAX_GROUPS;
	/* Too many groups: judge by the first ones, which hold the primary. */
	if (getgrouplist(user, pw->pw_gid, id.groups, &id.n_groups) < 0)
		id.n_groups = SVCUSER_MAX_GROUPS;
	ret = check_dirs(&id, path, why, size);
	if (ret != 0)
		return ret;
	if (stat(path, &st) < 0)
		return -errno;
	if (!permits(&id, &st, S_IRUSR)) {
		snprintf(why, size, "mode %04o, owner %u, group %u",
			 (unsigned int)(st.st_mode & 07777),
			 (unsigned int)st.st_uid, (unsigned int)st.st_gid);
		return 1;
	}
	return 0;
}
