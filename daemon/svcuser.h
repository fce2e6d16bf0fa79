/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_SVCUSER_H
#define ZONED_SVCUSER_H

#include <stddef.h>

/* The user the unit runs zoned as (User= in zoned.service). */
#define ZONED_SERVICE_USER "zoned"

/**
 * svcuser_check - can @user read @path (an absolute path)?
 *
 * Returns 0 when it can, 1 when it cannot (@why says why), -ENOENT when
 * there is no such user, or another -errno.
 */
int svcuser_check(const char *path, const char *user, char *why, size_t size);

#endif
