/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_CONTROL_H
#define ZONED_CONTROL_H

struct zoned;

/*
 * The control socket of zonectl(8) (control.c): z->socket_path, or
 * ZONED_SOCKET_DEFAULT (ctlmsg.h).  Returns 0 or -errno.
 */
int control_open(struct zoned *z);
void control_close(struct zoned *z);

#endif
