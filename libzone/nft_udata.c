/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The user data of a set, table, rule or object: what nft reads to print
 * them back (a set's byte orders, a comment).  The kernel stores it and
 * never reads it.
 */

#include <errno.h>
#include <string.h>

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

/**
 * nft_udata_comment - the comment TLV nft writes and prints
 * @buf: NFT_UDATA_COMMENT_SIZE bytes, for the TLV
 * @type: NFTNL_UDATA_TABLE_COMMENT, NFTNL_UDATA_RULE_COMMENT or
 *	NFTNL_UDATA_OBJ_COMMENT
 * @text: the comment, shorter than NFTNL_UDATA_COMMENT_MAXLEN
 *
 * Returns the length of the TLV in @buf, or -ENOMEM (also for a @text
 * too long to fit).
 */
int nft_udata_comment(uint8_t *buf, uint8_t type, const char *text)
{
	struct nftnl_udata_buf *ud =
		nftnl_udata_buf_alloc(NFT_UDATA_COMMENT_SIZE);
	int len = -ENOMEM;

	if (!ud)
		return -ENOMEM;
	if (nftnl_udata_put_strz(ud, type, text)) {
		len = (int)nftnl_udata_buf_len(ud);
		memcpy(buf, nftnl_udata_buf_data(ud), (size_t)len);
	}
	nftnl_udata_buf_free(ud);
	return len;
}
