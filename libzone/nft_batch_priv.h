/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NFT_BATCH_PRIV_H
#define NFT_BATCH_PRIV_H

/*
 * The inside of a batch, shared by its three files: the batch and its
 * message encoders (nft_batch.c), the diff against the kernel state
 * (nft_batch_diff.c) and the sending (nft_batch_send.c).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nft_batch.h"
#include "nft_plan.h"

struct nftnl_obj;

struct seq_origin {
	uint32_t seq;
	const struct nft_origin *origin;
};

struct nft_batch {
	struct nftnl_batch *nb;
	uint32_t seq;
	uint32_t first_seq;
	uint32_t end_seq;
	struct seq_origin *map;
	size_t n_map;
	size_t cap_map;
	size_t n_msgs;
	int err; /* sticky */
	bool table_set; /* nft_batch_set_table() was called */
	uint32_t table_flags;
	char table_sig[64];
};

/*
 * Element lists are written with libmnl directly: libnftnl would allocate
 * an object per element, and large maps have hundreds of thousands.
 */
struct elem_src {
	const struct nft_elems *elems; /* NULL when n is 0 */
	size_t n;
	const char (*chains)[NFT_NAME_LEN]; /* verdict targets */
	const struct nft_pchain *pchains; /* or these */
};

/* The origin of the table message and of set flushes. */
extern const struct nft_origin nft_batch_origin_table;

/*
 * The encoders (nft_batch.c).  Each appends one message (or, for
 * nft_batch_elems() and nft_batch_rule(), the few it takes) to @b; a
 * failure is kept in b->err, the first one sticks.
 */
/* nft_batch_record - remember that @seq was sent for @o (kernel errors) */
void nft_batch_record(struct nft_batch *b, uint32_t seq,
		      const struct nft_origin *o);
/* nft_batch_open - BEGIN, checked against @genid (0: no check) */
void nft_batch_open(struct nft_batch *b, uint32_t genid);
/* nft_batch_close - END, whose ACK tells that the kernel committed */
void nft_batch_close(struct nft_batch *b);
/* nft_batch_done - close the message just written */
void nft_batch_done(struct nft_batch *b);
/* nft_batch_table - NEWTABLE or DELTABLE for table inet zoned */
void nft_batch_table(struct nft_batch *b, uint16_t type, uint32_t flags);
/* nft_batch_flush_rules - DELRULE of every rule of the table */
void nft_batch_flush_rules(struct nft_batch *b);
/* nft_batch_chain - NEWCHAIN or DELCHAIN of @name (@base: hooked at @hook) */
void nft_batch_chain(struct nft_batch *b, uint16_t type, const char *name,
		     bool base, uint32_t hook, const struct nft_origin *o);
/* nft_batch_obj - NEWOBJ or DELOBJ of a counter or quota */
void nft_batch_obj(struct nft_batch *b, uint16_t type, struct nftnl_obj *obj,
		   const char *name, const struct nft_origin *o);
/* nft_batch_set_def - NEWSET or DELSET of @ps, called @name */
void nft_batch_set_def(struct nft_batch *b, uint16_t type,
		       const struct nft_pset *ps, const char *name);
/* nft_batch_elem_chain - the verdict chain of value @v, or NULL */
const char *nft_batch_elem_chain(const struct elem_src *src,
				 const struct nft_eval *v);
/*
 * nft_batch_elems - NEWSETELEM or DELSETELEM of the @n entries @idx of
 * @src; @idx NULL: its first @n
 */
void nft_batch_elems(struct nft_batch *b, uint16_t type,
		     const struct nft_pset *ps, const char *name,
		     uint32_t key_len, const struct elem_src *src,
		     const uint32_t *idx, size_t n);
/*
 * nft_batch_elem_range - NEWSETELEM of the elements @from..@to of @src
 * into the plan's set @ps (a stage of the staged load, nft_stage.c)
 */
void nft_batch_elem_range(struct nft_batch *b, const struct nft_pset *ps,
			  const struct elem_src *src, size_t from, size_t to);
/* nft_batch_flush_set - DELSETELEM of every element of set @name */
void nft_batch_flush_set(struct nft_batch *b, const char *name);
/* nft_batch_rule - NEWRULE of @r, after its anonymous sets */
void nft_batch_rule(struct nft_batch *b, const struct nft_prule *r);

#endif
