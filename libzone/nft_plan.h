/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NFT_PLAN_H
#define NFT_PLAN_H

/*
 * The compiled plan of table inet zoned: every object the kernel will hold,
 * in libnftnl form for chains, rules and counters and in a compact form for
 * the elements of the named sets, which are the only part that grows with
 * the model (they are diffed element by element on re-apply).
 *
 * Shared by nft_compile.c (model -> plan), nft_batch*.c (plan -> one
 * nfnetlink batch), nft_apply.c (the writer session) and nft_dump.c
 * (read-back).  Nothing here is public.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <zone/mark.h>
#include <zone/model.h>

struct nftnl_chain;
struct nftnl_obj;
struct nftnl_rule;
struct nftnl_set;

/* Kernel >= 6.9; the Debian 12 UAPI headers do not have it. */
#ifndef NFT_TABLE_F_PERSIST
#define NFT_TABLE_F_PERSIST 0x4
#endif

/* nftables' datatype ids (nftables include/datatype.h), for nft list. */
#define NFT_TYPE_VERDICT 1
#define NFT_TYPE_IPADDR 7
#define NFT_TYPE_IP6ADDR 8
#define NFT_TYPE_MARK 19
#define NFT_TYPE_IFINDEX 20
#define NFT_TYPE_CT_DIR 27
#define NFT_TYPE_IFNAME 41

#define NFT_NAME_LEN 64 /* our chain, set and object names */
#define NFT_IFNAME_LEN 16 /* IFNAMSIZ */
#define NFT_SEG_MAX 254 /* segment ids fit 8 bits of the mark */
#define NFT_SCRATCH_UNSET ZONE_MARK_SCRATCH_UNSET
#define NFT_LOG_RATE 10 /* log messages per second and rule */
#define NFT_LOG_BURST 5

/* What a kernel object was made from, for "FILE:LINE:" diagnostics. */
struct nft_origin {
	int line; /* 0: not tied to one config line */
	char what[NFT_NAME_LEN + 16]; /* "channel mail", "map dst4" */
};

/*
 * The value of an element of a named set or map, everything but its key:
 * an interval start or end, and a map's data.  A set holds each distinct
 * value once, and its elements name theirs by index: the values are few
 * (a map's targets are its segments' chains), the elements up to millions.
 */
struct nft_eval {
	uint32_t flags; /* NFT_SET_ELEM_INTERVAL_END */
	uint32_t data; /* map value, or NFT_GOTO/NFT_JUMP */
	int32_t chain; /* verdict target: index in plan chains, or -1 */
};

#define NFT_EVAL_MAX 65535 /* values of one set: the index is 16 bits */
#define NFT_EREC_MAX (16 + 2) /* the longest element record */

/*
 * The elements of one named set, as records of the set's key length (4
 * bytes for IPv4, not 16) followed by the 16-bit index of the value, in
 * host order and unaligned: 6 bytes an IPv4 element where a fixed struct
 * took 28.  Counted references: the plan that built the list and the
 * applier's record of what the kernel holds (nft_state.c) share it, so
 * that the elements the kernel holds are kept once.  Never changed once
 * the plan is built.
 */
struct nft_elems {
	unsigned int refs;
	uint32_t key_len;
	size_t stride; /* key_len + 2 */
	uint8_t *rec;
	size_t n;
	size_t cap;
	struct nft_eval *vals;
	size_t n_vals;
	size_t cap_vals;
	size_t last_val; /* where the next value is looked up first */
};

/* the key of element @i */
static inline const uint8_t *nft_elems_key(const struct nft_elems *es, size_t i)
{
	return es->rec + i * es->stride;
}

/* the value of element @i */
static inline const struct nft_eval *nft_elems_val(const struct nft_elems *es,
						   size_t i)
{
	uint16_t v;

	memcpy(&v, es->rec + i * es->stride + es->key_len, sizeof(v));
	return &es->vals[v];
}

/*
 * nft_elems_new - an empty list for keys of @key_len bytes (1 to 16), with
 * one reference.  NULL with errno set on failure.
 */
struct nft_elems *nft_elems_new(uint32_t key_len);
/* nft_elems_ref - one more holder of @es; returns @es (NULL is fine) */
struct nft_elems *nft_elems_ref(struct nft_elems *es);
/* nft_elems_unref - one holder less; the last frees it.  NULL is fine */
void nft_elems_unref(struct nft_elems *es);
/*
 * nft_elems_cmp - order of element @i of @a and @j of @b: by key, then an
 * interval's end before a start at the same key (as nft sends them: the
 * rbtree backend refuses the other order with EEXIST).  Both lists have
 * the same key length.
 */
int nft_elems_cmp(const struct nft_elems *a, size_t i,
		  const struct nft_elems *b, size_t j);
/*
 * nft_elems_add - append the element @key with value (@flags, @data,
 * @chain) to @es; 0, -ENOMEM, or -E2BIG past NFT_EVAL_MAX values
 */
int nft_elems_add(struct nft_elems *es, const void *key, uint32_t flags,
		  uint32_t data, int32_t chain);
/* nft_elems_sort - order @es by nft_elems_cmp(), in place */
void nft_elems_sort(struct nft_elems *es);

struct nft_pset {
	char name[NFT_NAME_LEN];
	uint32_t id; /* NFTNL_SET_ID in the batch */
	uint32_t flags; /* NFT_SET_* */
	uint32_t key_type;
	uint32_t key_len;
	uint32_t data_type; /* 0 for a plain set */
	uint32_t data_len;
	struct nft_elems *elems; /* sorted by nft_elems_cmp(); never NULL */
	struct nft_origin origin;
};

struct nft_pchain {
	char name[NFT_NAME_LEN];
	bool base; /* a hooked chain; policy drop */
	uint32_t hook; /* NF_INET_FORWARD, _LOCAL_IN or _LOCAL_OUT */
	struct nft_origin origin;
};

struct nft_pobj {
	char name[NFT_NAME_LEN];
	struct nftnl_obj *obj; /* a counter with its comment */
	char comment[128];
	struct nft_origin origin;
};

struct nft_prule {
	struct nftnl_rule *rule; /* chain, expressions and comment */
	struct nftnl_set **anon; /* anonymous sets it binds, filled */
	size_t n_anon;
	struct nft_origin origin;
};

struct zone_ruleset {
	const struct zone_model *model; /* NULL for the lockdown plan */
	bool monitor;
	time_t now;
	uint32_t table_flags;

	struct nft_pchain *chains;
	size_t n_chains;
	size_t cap_chains;
	struct nft_pset *sets;
	size_t n_sets;
	size_t cap_sets;
	struct nft_pobj *objs;
	size_t n_objs;
	size_t cap_objs;
	struct nft_prule *rules;
	size_t n_rules;
	size_t cap_rules;

	uint32_t next_set_id;
	/* the segment id names (segments, then "unassigned") */
	char (*id_names)[NFT_NAME_LEN];
	size_t n_ids;
	/* everything but the named sets' elements, as text: equal texts
	 * mean an element-only update is enough */
	char *signature;
};

/* nft_elems.c */
/*
 * nft_pset_add - append an element to @s (nft_pset_sort() orders them)
 * Returns 0, -ENOMEM, or -E2BIG past NFT_EVAL_MAX distinct values.
 */
int nft_pset_add(struct nft_pset *s, const void *key, uint32_t flags,
		 uint32_t data, int32_t chain);
/*
 * nft_pset_reserve - room for @n elements of @s in all, allocated once
 * where the count is known (the growth by doubling may take half again
 * as much).  Returns 0 or -ENOMEM.
 */
int nft_pset_reserve(struct nft_pset *s, size_t n);
/*
 * nft_pset_sort - order the elements of @s by nft_elems_cmp(), in place
 * (no buffer the size of the set); lists built in order are only checked
 */
void nft_pset_sort(struct nft_pset *s);
/* nft_pset_count - the number of elements of @s */
static inline size_t nft_pset_count(const struct nft_pset *s)
{
	return s->elems->n;
}

/* nft_plan.c */
/*
 * nft_plan_grow - grow the array *@arr of @n items of @size bytes, *@cap
 * of them allocated, so that one more fits (doubling): the plan's and the
 * compiler's growing arrays all grow this way.  Returns 0 or -ENOMEM, and
 * *@arr unchanged then.
 */
int nft_plan_grow(void *arr, size_t *cap, size_t n, size_t size);
/*
 * nft_name_index - the index of the entry called @name among the @n
 * entries of @size bytes at @v, each of which starts with its name
 * (char[NFT_NAME_LEN]: the plan's and the kernel state's chains, sets
 * and counters), or -1.  One lookup for all of them.
 */
int nft_name_index(const void *v, size_t n, size_t size, const char *name);
/*
 * nft_env_count - the count in environment variable @name (zoned(8),
 * ENVIRONMENT), or @dflt when it is unset, empty or not a count
 */
size_t nft_env_count(const char *name, size_t dflt);
struct zone_ruleset *nft_plan_new(void);
int nft_plan_add_chain(struct zone_ruleset *rs, const char *name, bool base,
		       const struct nft_origin *origin);
int nft_plan_add_hook_chain(struct zone_ruleset *rs, const char *name,
			    uint32_t hook, const struct nft_origin *origin);
int nft_plan_add_chains(struct zone_ruleset *rs, const char *const *names,
			size_t n, const struct nft_origin *origin);
/* the index of the chain, or of the counter, called @name; -1 for none */
int nft_plan_chain_index(const struct zone_ruleset *rs, const char *name);
int nft_plan_obj_index(const struct zone_ruleset *rs, const char *name);
/* the named set @name of the plan, or NULL */
struct nft_pset *nft_plan_set(const struct zone_ruleset *rs, const char *name);
struct nft_pset *nft_plan_add_set(struct zone_ruleset *rs, const char *name,
				  uint32_t flags, uint32_t key_type,
				  uint32_t key_len, uint32_t data_type,
				  uint32_t data_len);
int nft_plan_add_counter(struct zone_ruleset *rs, const char *name,
			 const char *comment, const struct nft_origin *origin);
struct zone_ruleset *nft_plan_lockdown(void);
int nft_plan_sign(struct zone_ruleset *rs);

/* nft_gateway.c: the input and output chains */
int nft_compile_gateway(struct zone_ruleset *rs, const struct zone_model *m);

/* nft_print.c: every object as libnftnl text, for the goldens */
int nft_plan_fprint(const struct zone_ruleset *rs, FILE *out);

/* nft_rule.c: the rules, expression by expression */
struct nft_rb;
struct nft_rb *nft_rb_new(struct zone_ruleset *rs, const char *chain);
void nft_rb_free(struct nft_rb *rb);
int nft_rb_commit(struct nft_rb *rb, const struct nft_origin *origin,
		  const char *comment);

#endif
