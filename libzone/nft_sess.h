/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NFT_SESS_H
#define NFT_SESS_H

/*
 * The netlink session behind struct zone_nft: one socket that writes
 * batches (the table's owner) and one that reads (dumps, GETGEN), as
 * HACKING.md asks (Conventions).
 */

#include <stdbool.h>
#include <stdint.h>

#include <zone/sha256.h>

#include "nft_batch.h"

struct mnl_socket;

/* "zoned " and 32 hex digits, the table's signature (its user data) */
#define NFT_SIG_LEN 48

struct zone_nft {
	struct mnl_socket *wr;
	struct mnl_socket *rd;
	uint32_t seq;
	bool committed; /* the last apply sent a batch */
	uint32_t genid_before; /* the genid that batch was checked at */
	struct nft_kstate *snap; /* what this session committed last */
	uint32_t table_flags; /* OWNER|PERSIST where the kernel has both */
	char sig[NFT_SIG_LEN]; /* put into the table it creates */
	unsigned int commits; /* transactions the last apply committed */
	/* the kernel refused a diff against dumped elements: this apply
	 * flushes and refills the sets instead (nft_apply.c) */
	bool elems_refill;
	/* the generation at which the table was the plan last applied (and
	 * @snap, if any), 0 when unknown: while the generation has not moved
	 * since, nobody has written; and one an earlier session recorded,
	 * with the digest of its plan's elements (nft_trust.c) */
	uint32_t applied_gen;
	uint32_t trust_gen;
	char trust_digest[SHA256_HEX_LEN];
	/* sets a staged load created and no rule refers to yet (nft_stage.c):
	 * a later apply may empty and refill them in stages again */
	char (*staged)[NFT_NAME_LEN];
	size_t n_staged;
};

/* nft_stage.c */
/*
 * nft_stage_fill - fill first: create the sets @rs adds to the table, with
 * no rule referring to them, and fill them in closed transactions of at
 * most ZONED_NFT_STAGE_ELEMS elements each, each checked against the
 * generation the previous one left (*@genid, which is updated).  @ks is
 * then what the kernel holds: the switch is diffed against it.  Does
 * nothing when the load is small or the table is to be replaced.
 * Returns 1 when it staged, 0 when the switch is to send everything, or
 * -errno (-ERESTART: another writer moved the generation); @ks is changed
 * from the first stage on, whatever the outcome.
 */
struct zone_diag;
int nft_stage_fill(struct zone_nft *nft, const struct zone_ruleset *rs,
		   struct nft_kstate *ks, uint32_t *genid, const char *file,
		   struct zone_diag *diag);
/* nft_stage_forget - the staged sets are referenced now (or gone) */
void nft_stage_forget(struct zone_nft *nft);

/* nft_dump.c */
struct nlmsghdr;
/*
 * nft_dump_run - one request on the reader socket (@fill adds its
 * attributes), every reply to @cb until the dump or the ACK ends it
 */
int nft_dump_run(struct zone_nft *nft, uint16_t type, uint16_t family,
		 uint16_t flags, void (*fill)(struct nlmsghdr *, const void *),
		 const void *arg,
		 int (*cb)(const struct nlmsghdr *, void *), void *data);
/*
 * nft_recv_done - the replies to request @seq on @nl, read into @buf of
 * @size bytes, to @cb (NULL: only errors count) until the dump or the ACK
 * ends it or @cb stops it.  Returns 0 or -errno.
 */
struct mnl_socket;
int nft_recv_done(struct mnl_socket *nl, void *buf, size_t size,
		  uint32_t seq, int (*cb)(const struct nlmsghdr *, void *),
		  void *data);
int nft_getgen(struct zone_nft *nft, uint32_t *ret_genid);
/* the table's flags and owner; -ENOENT when it does not exist */
int nft_table_get(struct zone_nft *nft, uint32_t *ret_flags,
		  uint32_t *ret_owner);
/* the table's signature, "" when it has none; -ENOENT without a table */
int nft_table_sig(struct zone_nft *nft, char *buf, size_t size);
/* the names of what the table holds (no elements: nft_dump_kstate_elems) */
int nft_dump_kstate(struct zone_nft *nft, struct nft_kstate **ret_ks);
/* nft_trust.c */
/*
 * nft_trust_holds - the generation is still @genid, the one zone_nft_trust()
 * named, and @rs's elements digest as that table's did
 */
bool nft_trust_holds(const struct zone_nft *nft, const struct zone_ruleset *rs,
		     uint32_t genid);
/* nft_trust_record - the sets of @ks that @rs has hold @rs's elements */
void nft_trust_record(struct nft_kstate *ks, const struct zone_ruleset *rs);
/* nft_dump_elems.c */
/*
 * nft_dump_kstate_elems - the elements of the sets of @ks that @rs has
 * too, with the same type, into @ks, so that the batch is diffed against
 * them; a set whose elements the plan's lists cannot hold stays unknown
 * (flushed and refilled).  Returns 0 or -errno.
 */
struct zone_ruleset;
int nft_dump_kstate_elems(struct zone_nft *nft, struct nft_kstate *ks,
			  const struct zone_ruleset *rs);
/* nft_dump_run()'s @fill for GETSETELEM of the set named @arg */
void nft_fill_elems(struct nlmsghdr *nlh, const void *arg);
/* @table is table inet zoned's name (NULL: no table named) */
bool nft_dump_is_ours(const char *table);
/*
 * nft_dump_sets - dump the named sets of table inet zoned (@fill and @arg
 * as nft_dump_run()'s), each to @fn with its name; a negative return of
 * @fn stops the dump.  Anonymous sets are left out: they are constant and
 * go with the rule that binds them (its lookup names them), and the
 * kernel frees those of deleted rules after the commit returns, so a dump
 * may still list them.  One walk for the describer and the state dump.
 * Returns what nft_dump_run() returns.
 */
struct nftnl_set;
int nft_dump_sets(struct zone_nft *nft,
		  void (*fill)(struct nlmsghdr *, const void *),
		  const void *arg,
		  int (*fn)(const struct nftnl_set *s, const char *name,
			    void *data),
		  void *data);

#endif
