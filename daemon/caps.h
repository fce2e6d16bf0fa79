/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_CAPS_H
#define ZONED_CAPS_H

/* caps_drop - keep CAP_NET_ADMIN alone (caps.c); 0 or -errno */
int caps_drop(void);

#endif
