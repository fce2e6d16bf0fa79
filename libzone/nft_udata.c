/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The user data of a set: the byte orders nft reads to print its
 * elements back.  The kernel stores it and never reads it.
 */

#include <errno.h>

#include <libnftnl/set.h>
#include <libnftnl/udata.h>

#include "nft_udata.h"

/**
 * nft_set_udata - record the byte orders of @s in its user data
 * @s: the set, not yet sent
 * @key_order: the order of its keys, as nft numbers them: 1 host order
 *	(names, marks), 2 big endian (addresses), 0 none (concatenations)
 * @map: @s is a map: also record the order of its data
 * @data_order: that order (0 for verdicts)
 * @data_interval: a map's: also record that its data are no intervals
 *
 * Returns 0, or -ENOMEM and @s unchanged.
 */
int nft_set_udata(struct nftnl_set *s, uint32_t key_order, bool map,
		  uint32_t data_order, bool data_interval)
{
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(64);
	bool ok;

	if (!ud)
		return -ENOMEM;
	ok = nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER, key_order);
	if (map)
		ok = ok &&
		     nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_DATABYTEORDER,
					 data_order);
	if (map && data_interval)
		ok = ok &&
		     nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_DATA_INTERVAL, 0);
	if (ok)
		nftnl_set_set_data(s, NFTNL_SET_USERDATA,
				   nftnl_udata_buf_data(ud),
				   nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	return ok ? 0 : -ENOMEM;
}
