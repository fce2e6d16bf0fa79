/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_LINKWATCH_H
#define ZONED_LINKWATCH_H

struct zoned;

/*
 * The interfaces' indexes behind set flowbind (zoned.conf(5), Interfaces):
 * see linkwatch.c.
 */

/*
 * linkwatch_init - give the compiles of this process the interfaces'
 * indexes (z->ifindex and z->links), before the first apply.
 * Returns 0 or -errno.
 */
int linkwatch_init(struct zoned *z);
/*
 * linkwatch_open - subscribe to the links' changes, and compile again if
 * an index changed since the first apply.  Returns 0 or -errno.
 */
int linkwatch_open(struct zoned *z);
/* linkwatch_close - undo both; fine on a watcher never opened */
void linkwatch_close(struct zoned *z);

#endif
