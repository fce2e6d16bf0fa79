/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NFT_BATCH_H
#define NFT_BATCH_H

/*
 * One nfnetlink batch (BEGIN with the genid, the messages, END with
 * NLM_F_ACK) and the kernel state it is computed against.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nft_plan.h"

struct nlmsghdr;
struct zone_diag;

/* A named set as the kernel holds it. */
struct nft_kset {
	char name[NFT_NAME_LEN];
	uint32_t flags;
	uint32_t key_type;
	uint32_t key_len;
	uint32_t data_type;
	/* false after a dump that did not read them (nft_dump_elems.c):
	 * flush and refill */
	bool elems_known;
	/* the committed plan's own list (a reference, not a copy); its
	 * chain indexes are into chains, which copies the plan's list */
	struct nft_elems *elems;
};

/*
 * What table inet zoned holds: either the snapshot of the plan this
 * session committed last (signature and elements known), or what a dump
 * found (names, and the elements of the sets it could read).
 */
struct nft_kstate {
	bool exists;
	/* it exists but cannot be adopted (another tool made it without
	 * OWNER|PERSIST, and the kernel refuses to add OWNER): delete and
	 * recreate it in the same batch */
	bool replace;
	uint32_t flags; /* the table's NFT_TABLE_F_* as found */
	char *signature; /* NULL when not known */
	char (*chains)[NFT_NAME_LEN];
	size_t n_chains;
	char (*objs)[NFT_NAME_LEN];
	size_t n_objs;
	struct nft_kset *sets;
	size_t n_sets;
};

void nft_kstate_free(struct nft_kstate *ks);
/*
 * nft_kstate_snapshot - @rs as committed: its names copied, its element
 * lists referenced (they never change), so that it may outlive @rs.
 * NULL on ENOMEM.  Not thread-safe: the references are plain counts.
 */
struct nft_kstate *nft_kstate_snapshot(const struct zone_ruleset *rs);
/* nft_kstate_set - the set called @name in @ks, or NULL */
const struct nft_kset *nft_kstate_set(const struct nft_kstate *ks,
				      const char *name);
/* nft_kset_matches - @k is defined as @p is (flags, key and data types) */
bool nft_kset_matches(const struct nft_kset *k, const struct nft_pset *p);
/*
 * nft_kset_record - record that the kernel's set @k now is the plan's
 * set @ps: its definition, and its element list shared (referenced)
 */
void nft_kset_record(struct nft_kset *k, const struct nft_pset *ps);
int nft_kstate_add_chain(struct nft_kstate *ks, const char *name);
int nft_kstate_add_obj(struct nft_kstate *ks, const char *name);
struct nft_kset *nft_kstate_add_set(struct nft_kstate *ks, const char *name);

struct nft_batch;

struct nft_batch *nft_batch_new(uint32_t seq);
void nft_batch_free(struct nft_batch *b);

/**
 * nft_batch_set_table - the flags and signature of the table message
 * @flags: NFT_TABLE_F_*, as the kernel was probed to take them
 * @sig: a comment in the table's user data (copied); NULL for none
 *
 * The kernel takes both only when it creates the table: an existing
 * table keeps the user data it was made with.  Without a call, the
 * plan's flags and no signature are used.
 */
void nft_batch_set_table(struct nft_batch *b, uint32_t flags, const char *sig);

/**
 * nft_batch_plan - the messages that turn @ks into @rs
 * @genid: put into BEGIN; 0 disables the check
 *
 * Only element changes are sent when the structure is unchanged; else
 * rules are flushed and rebuilt in the same batch.  Sets *@ret_empty when
 * nothing differs.  Returns 0 or -errno.
 */
int nft_batch_plan(struct nft_batch *b, const struct zone_ruleset *rs,
		   const struct nft_kstate *ks, uint32_t genid,
		   bool *ret_empty);

/*
 * nft_batch_replaces - whether the batch that turns @ks into @rs, creating
 * the table with @table_flags, deletes and recreates the whole table
 * (another tool's table, or one that gains a hook as it is adopted): such
 * a batch is never staged
 */
bool nft_batch_replaces(uint32_t table_flags, const struct zone_ruleset *rs,
			const struct nft_kstate *ks);

/**
 * nft_batch_foreach - call @cb for every message of the batch, in order
 * Stops at the first non-zero return of @cb and returns it; else 0.
 */
int nft_batch_foreach(struct nft_batch *b,
		      int (*cb)(const struct nlmsghdr *nlh, void *data),
		      void *data);

/* the byte length of the batch, for SO_SNDBUF */
size_t nft_batch_size(struct nft_batch *b);
uint32_t nft_batch_next_seq(const struct nft_batch *b);
size_t nft_batch_msg_count(const struct nft_batch *b);

/**
 * nft_batch_send - send the batch and collect every reply
 * @fd: the writer socket
 * @file: the config file, for @diag
 * @diag: one line per kernel error, or NULL
 *
 * Returns 0 when the kernel committed, -ERESTART when the genid moved,
 * the first kernel error, or another -errno.
 */
int nft_batch_send(struct nft_batch *b, int fd, const char *file,
		   struct zone_diag *diag);

#endif
