/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_NFLOG_H
#define ZONED_NFLOG_H

struct zoned;

/*
 * The NFLOG reader (doc/design.md section 4): dropped attempts become
 * aggregated deny alerts.  Its _open registers its sockets with the loop
 * and stores its state in struct zoned; its _close undoes that and accepts
 * a watcher that was never opened.
 */
int nflog_open(struct zoned *z);
void nflog_close(struct zoned *z);

#endif
