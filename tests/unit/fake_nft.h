/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_TEST_FAKE_NFT_H
#define ZONED_TEST_FAKE_NFT_H

/*
 * A stand-in for libzone's nftables session (struct zone_nft), in the
 * object fake_nft.o that the nftables monitor's unit test and fuzzer link
 * before libzone: the session has FAKE_NFT_PORTID, sits at generation 1,
 * owns a table with the owner and persist flags, committed its last apply
 * in one transaction, and every verify finds the table as applied.
 */
#define FAKE_NFT_PORTID 4242u

/* what the tests hand the monitor as zoned's session */
struct zone_nft {
	int unused;
};

#endif
