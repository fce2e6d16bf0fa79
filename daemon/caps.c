/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Once every socket is open, zoned needs one capability: CAP_NET_ADMIN,
 * to write its table, read and delete conntrack entries and grow its
 * netlink buffers.  Started by hand or by another init as root, it would
 * otherwise keep every capability for its whole life: drop the rest from
 * the bounding, inheritable, ambient, permitted and effective sets
 * (prctl(2), capset(2); no libcap for five calls).  Under systemd with
 * CapabilityBoundingSet=CAP_NET_ADMIN this finds nothing left to drop.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>

#include "caps.h"

static int caps_get(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};

	memset(data, 0, 2 * sizeof(*data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	return 0;
}

/**
 * caps_drop - keep CAP_NET_ADMIN alone
 *
 * The bounding set is emptied of the others first (it needs CAP_SETPCAP,
 * which goes next); a bounding set that cannot be changed (no
 * CAP_SETPCAP: already reduced) is left as it is.  Returns 0 or -errno
 * (then the process may keep more than it needs).
 */
int caps_drop(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	const uint32_t keep = 1u << CAP_NET_ADMIN; /* in data[0]: cap < 32 */
	bool extra = false;
	int cap;
	int ret;

	/*
	 * Nothing to do when the service manager has done it: its seccomp
	 * filter may refuse capset(2) itself (@privileged).
	 */
	ret = caps_get(data);
	if (ret < 0)
		return ret;
	for (cap = 0; cap <= CAP_LAST_CAP; cap++) {
		if (cap != CAP_NET_ADMIN &&
		    prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
			extra = true;
	}
	if (!extra && !(data[0].permitted & ~keep) && !data[1].permitted &&
	    !data[0].inheritable && !data[1].inheritable)
		return 0;
	for (cap = 0; cap <= CAP_LAST_CAP; cap++) {
		if (cap == CAP_NET_ADMIN ||
		    prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 1)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EPERM)
			return -errno;
	}
	/* not fatal on kernels before 4.3, which have no ambient set */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	ret = caps_get(data);
	if (ret < 0)
		return ret;
	data[0].permitted &= keep;
	data[0].effective = data[0].permitted;
	data[0].inheritable = 0;
	data[1].permitted = 0;
	data[1].effective = 0;
	data[1].inheritable = 0;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -errno;
	return 0;
}
