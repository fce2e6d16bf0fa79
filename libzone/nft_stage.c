/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The staged load: fill first, switch last.  One batch for a policy of a
 * million prefixes holds every element in user space at once (about 48
 * bytes each) and goes to the kernel in one sendmsg().  So when an apply
 * would add more than a threshold of elements to sets the table does not
 * hold yet, those sets are created first, with no rule referring to them,
 * and filled in closed transactions of at most the threshold each, each
 * built, sent and freed before the next.  The batch that switches (the
 * rules, the hooked chains, the deletion of what the old table had) is
 * diffed against the filled sets and comes last, one transaction as
 * before.  A set no rule refers to filters nothing: until the switch,
 * traffic sees the old table, or no table, as before any load.
 *
 * Each stage carries the generation the previous one left, so that a
 * write by another process in between fails the next stage (-ERESTART).
 * A table with the owner flag is then still ours alone and the stage is
 * sent again (stage_next()); a plain one may have been changed, and the
 * apply starts over from a dump: the sets this session staged and never
 * switched to are remembered, emptied and filled again then.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>

#include "nft_batch.h"
#include "nft_batch_priv.h"
#include "nft_sess.h"

#define STAGE_ELEMS_DEFAULT 65536
#define STAGE_PAUSE_MAX_MS 60000
#define STAGE_RESENDS 8 /* of one stage, after other processes' commits */

enum stage_kind {
	STAGE_NO, /* the switch sends it, as before */
	STAGE_NEW, /* created and filled before the switch */
	STAGE_REFILL, /* staged before and never switched to: emptied */
};

struct stage {
	struct zone_nft *nft;
	const struct zone_ruleset *rs;
	struct nft_kstate *ks;
	const char *file;
	struct zone_diag *diag;
	uint32_t *genid;
	uint8_t *kind; /* enum stage_kind of each plan set */
	size_t limit;
	size_t set; /* the set being filled */
	size_t next; /* its next element */
};

/* ZONED_NFT_STAGE_ELEMS (zoned(8)): elements per stage; 0 never stages */
static size_t stage_limit(void)
{
	return nft_env_count("ZONED_NFT_STAGE_ELEMS", STAGE_ELEMS_DEFAULT);
}

/*
 * ZONED_NFT_STAGE_PAUSE_MS (zoned(8), for tests only): a pause after each
 * stage, so that a test can probe traffic and write to the ruleset while
 * the sets are half full.
 */
static void stage_pause(void)
{
	const char *v = getenv("ZONED_NFT_STAGE_PAUSE_MS");
	struct timespec ts;
	long ms;

	ms = v ? strtol(v, NULL, 10) : 0;
	if (ms <= 0)
		return;
	if (ms > STAGE_PAUSE_MAX_MS)
		ms = STAGE_PAUSE_MAX_MS;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* the generation after one commit: the kernel skips 0 */
static uint32_t gen_next(uint32_t gen)
{
	return gen + 1 ? gen + 1 : 1;
}

static bool was_staged(const struct zone_nft *nft, const char *name)
{
	return nft_name_index(nft->staged, nft->n_staged, sizeof(*nft->staged),
			      name) >= 0;
}

static enum stage_kind stage_kind(const struct zone_nft *nft,
				  const struct nft_kstate *ks,
				  const struct nft_pset *p)
{
	const struct nft_kset *k;

	/* timed elements are the resolver's (nft_names.c) */
	if (p->flags & NFT_SET_TIMEOUT)
		return STAGE_NO;
	k = nft_kstate_set(ks, p->name);
	if (!k)
		return STAGE_NEW;
	/* a set whose definition changes goes with the switch, as before;
	 * one this session staged is filled again in stages, whatever a
	 * dump found in it, so that the switch stays small */
	if (was_staged(nft, p->name) && nft_kset_matches(k, p))
		return STAGE_REFILL;
	return STAGE_NO;
}

static int staged_add(struct zone_nft *nft, const char *name)
{
	char(*p)[NFT_NAME_LEN];

	if (was_staged(nft, name))
		return 0;
	p = realloc(nft->staged, (nft->n_staged + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	nft->staged = p;
	snprintf(p[nft->n_staged++], NFT_NAME_LEN, "%s", name);
	return 0;
}

void nft_stage_forget(struct zone_nft *nft)
{
	free(nft->staged);
	nft->staged = NULL;
	nft->n_staged = 0;
}

/*
 * The first stage's definitions: the table (created here when it is
 * missing, with its flags and signature), the regular chains a verdict
 * map's elements jump to (empty, and no hook leads to them before the
 * switch), the new sets, and the flush of sets staged before.
 */
static int stage_defs(struct stage *st, struct nft_batch *b)
{
	const struct zone_ruleset *rs = st->rs;
	struct nft_kstate *ks = st->ks;
	size_t i;
	int ret;

	nft_batch_table(b, NFT_MSG_NEWTABLE, rs->table_flags);
	for (i = 0; i < rs->n_chains; i++) {
		const struct nft_pchain *c = &rs->chains[i];

		if (c->base ||
		    nft_name_index(ks->chains, ks->n_chains,
				   sizeof(*ks->chains), c->name) >= 0)
			continue;
		nft_batch_chain(b, NFT_MSG_NEWCHAIN, c->name, false, 0,
				&c->origin);
		ret = nft_kstate_add_chain(ks, c->name);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < rs->n_sets; i++) {
		if (st->kind[i] == STAGE_NEW)
			nft_batch_set_def(b, NFT_MSG_NEWSET, &rs->sets[i],
					  rs->sets[i].name);
		else if (st->kind[i] == STAGE_REFILL)
			nft_batch_flush_set(b, rs->sets[i].name);
	}
	return 0;
}

/*
 * Where a stage that may take @room elements of set @p from @from ends:
 * an interval's end goes with its start, so that the kernel never holds
 * half an interval, even in an unreferenced set.
 */
static size_t stage_cut(const struct nft_pset *p, size_t from, size_t room)
{
	size_t n = nft_pset_count(p);
	size_t to = n - from <= room ? n : from + room;

	while (to < n &&
	       (nft_elems_val(p->elems, to)->flags & NFT_SET_ELEM_INTERVAL_END))
		to++;
	return to;
}

/* whether elements are left to stage: moves past the sets done */
static bool stage_left(struct stage *st)
{
	const struct zone_ruleset *rs = st->rs;

	while (st->set < rs->n_sets &&
	       (st->kind[st->set] == STAGE_NO ||
		st->next >= nft_pset_count(&rs->sets[st->set]))) {
		st->set++;
		st->next = 0;
	}
	return st->set < rs->n_sets;
}

/* the next at most st->limit elements, across the staged sets in order */
static void stage_elems(struct stage *st, struct nft_batch *b)
{
	const struct zone_ruleset *rs = st->rs;
	size_t room = st->limit;

	while (room > 0 && stage_left(st)) {
		const struct nft_pset *p = &rs->sets[st->set];
		struct elem_src src = { p->elems, nft_pset_count(p), NULL,
					rs->chains };
		size_t to = stage_cut(p, st->next, room);

		nft_batch_elem_range(b, p, &src, st->next, to);
		/* an interval's end may take a stage one past its room */
		room = to - st->next >= room ? 0 : room - (to - st->next);
		st->next = to;
	}
}

/* one stage: built, sent and freed before the next is built */
static int stage_one(struct stage *st, bool first)
{
	struct zone_nft *nft = st->nft;
	struct nft_batch *b;
	int ret;

	b = nft_batch_new(nft->seq + 1);
	if (!b)
		return -ENOMEM;
	nft_batch_set_table(b, nft->table_flags, nft->sig);
	nft_batch_open(b, *st->genid);
	ret = first ? stage_defs(st, b) : 0;
	if (ret == 0) {
		stage_elems(st, b);
		nft_batch_close(b);
		ret = nft_batch_send(b, mnl_socket_get_fd(nft->wr), st->file,
				     st->diag);
	}
	nft->seq = nft_batch_next_seq(b);
	nft_batch_free(b);
	if (ret < 0)
		return ret;
	nft->commits++;
	*st->genid = gen_next(*st->genid);
	return 0;
}

/*
 * A stage after the first, refused for a moved generation: another
 * process committed in between.  A table with the owner flag is ours
 * alone from the first stage on, which took it, so that commit did not
 * touch it: the same stage goes again at the new generation.  A plain
 * table may have been changed: the load starts over (-ERESTART).
 */
static int stage_next(struct stage *st)
{
	size_t set = st->set;
	size_t next = st->next;
	int tries;
	int ret;

	for (tries = 0;; tries++) {
		ret = stage_one(st, false);
		if (ret != -ERESTART ||
		    !(st->nft->table_flags & NFT_TABLE_F_OWNER) ||
		    tries == STAGE_RESENDS)
			return ret;
		st->set = set;
		st->next = next;
		ret = nft_getgen(st->nft, st->genid);
		if (ret < 0)
			return ret;
	}
}

/* @ks as the stages left it: the table exists, the sets are full */
static int stage_record(struct stage *st)
{
	const struct zone_ruleset *rs = st->rs;
	struct nft_kstate *ks = st->ks;
	size_t i;

	if (!ks->exists) {
		ks->exists = true;
		ks->flags = st->nft->table_flags;
	}
	for (i = 0; i < rs->n_sets; i++) {
		const struct nft_pset *p = &rs->sets[i];
		struct nft_kset *k;
		int idx;

		if (st->kind[i] == STAGE_NO)
			continue;
		idx = nft_name_index(ks->sets, ks->n_sets, sizeof(*ks->sets),
				     p->name);
		k = idx >= 0 ? &ks->sets[idx] : nft_kstate_add_set(ks, p->name);
		if (!k)
			return -ENOMEM;
		/* the plan's own list: the switch's diff finds it unchanged */
		nft_kset_record(k, p);
	}
	return 0;
}

/* count the staged elements; 0 when the load goes in one batch */
static size_t stage_plan(struct stage *st)
{
	const struct zone_ruleset *rs = st->rs;
	size_t total = 0;
	size_t i;

	for (i = 0; i < rs->n_sets; i++) {
		st->kind[i] =
			(uint8_t)stage_kind(st->nft, st->ks, &rs->sets[i]);
		if (st->kind[i] != STAGE_NO)
			total += nft_pset_count(&rs->sets[i]);
	}
	return total;
}

int nft_stage_fill(struct zone_nft *nft, const struct zone_ruleset *rs,
		   struct nft_kstate *ks, uint32_t *genid, const char *file,
		   struct zone_diag *diag)
{
	struct stage st = { .nft = nft,
			    .rs = rs,
			    .ks = ks,
			    .file = file,
			    .diag = diag,
			    .genid = genid };
	size_t i;
	int ret = 0;

	st.limit = stage_limit();
	if (st.limit == 0 || rs->n_sets == 0)
		return 0;
	/* a table replaced whole goes in the one batch that replaces it;
	 * stage_one() and the switch create the table with these flags */
	if (nft_batch_replaces(nft->table_flags, rs, ks))
		return 0;
	st.kind = calloc(rs->n_sets, sizeof(*st.kind));
	if (!st.kind)
		return -ENOMEM;
	if (stage_plan(&st) <= st.limit)
		goto out;
	ret = stage_one(&st, true);
	/* no rule refers to them: remembered until one does */
	for (i = 0; ret == 0 && i < rs->n_sets; i++) {
		if (st.kind[i] != STAGE_NO)
			ret = staged_add(nft, rs->sets[i].name);
	}
	while (ret == 0 && stage_left(&st)) {
		stage_pause();
		ret = stage_next(&st);
	}
	if (ret == 0) {
		stage_pause();
		ret = stage_record(&st);
	}
	if (ret == 0)
		ret = 1;
out:
	free(st.kind);
	return ret;
}
