/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plan container: chains, named sets, counters and rules of table
 * inet zoned, and the text signature that tells a structural change from
 * an element-only one.
 */

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>

#include <zone/mark.h>
#include <zone/ruleset.h>

#include "nft_plan.h"
#include "nft_rule.h"
#include "nft_udata.h"

struct zone_ruleset *nft_plan_new(void)
{
	struct zone_ruleset *rs;

	rs = calloc(1, sizeof(*rs));
	if (!rs)
		return NULL;
	rs->table_flags = NFT_TABLE_F_OWNER | NFT_TABLE_F_PERSIST;
	/*
	 * ZONED_NFT_NO_OWNER, a debugging knob (zoned(8)): no owner flag, as
	 * on kernels before 5.12, so that the tests can see foreign changes
	 * get through and drift repair them.
	 */
	if (getenv("ZONED_NFT_NO_OWNER"))
		rs->table_flags = 0;
	return rs;
}

int nft_plan_grow(void *arr, size_t *cap, size_t n, size_t size)
{
	void **p = arr;
	size_t ncap;
	void *q;

	if (n < *cap)
		return 0;
	ncap = *cap ? 2 * *cap : 16;
	q = realloc(*p, ncap * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = ncap;
	return 0;
}

/* nft_name_index() reads each entry's name at its start */
_Static_assert(offsetof(struct nft_pchain, name) == 0, "name first");
_Static_assert(offsetof(struct nft_pset, name) == 0, "name first");
_Static_assert(offsetof(struct nft_pobj, name) == 0, "name first");

int nft_name_index(const void *v, size_t n, size_t size, const char *name)
{
	const char *p = v;
	size_t i;

	for (i = 0; i < n; i++, p += size) {
		if (strcmp(p, name) == 0)
			return (int)i;
	}
	return -1;
}

size_t nft_env_count(const char *name, size_t dflt)
{
	const char *v = getenv(name);
	unsigned long long n;
	char *end;

	if (!v || !*v)
		return dflt;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end || v[0] == '-')
		return dflt;
	return (size_t)n;
}

int nft_plan_chain_index(const struct zone_ruleset *rs, const char *name)
{
	return nft_name_index(rs->chains, rs->n_chains, sizeof(*rs->chains),
			      name);
}

int nft_plan_obj_index(const struct zone_ruleset *rs, const char *name)
{
	return nft_name_index(rs->objs, rs->n_objs, sizeof(*rs->objs), name);
}

struct nft_pset *nft_plan_set(const struct zone_ruleset *rs, const char *name)
{
	int i = nft_name_index(rs->sets, rs->n_sets, sizeof(*rs->sets), name);

	return i < 0 ? NULL : &rs->sets[i];
}

int nft_plan_add_chain(struct zone_ruleset *rs, const char *name, bool base,
		       const struct nft_origin *origin)
{
	struct nft_pchain *c;

	if (strlen(name) >= NFT_NAME_LEN)
		return -ENAMETOOLONG;
	if (nft_plan_chain_index(rs, name) >= 0)
		return -EEXIST;
	if (nft_plan_grow(&rs->chains, &rs->cap_chains, rs->n_chains,
			  sizeof(*c)))
		return -ENOMEM;
	c = &rs->chains[rs->n_chains++];
	memset(c, 0, sizeof(*c));
	strcpy(c->name, name);
	c->base = base;
	c->hook = NF_INET_FORWARD;
	c->origin = *origin;
	return 0;
}

/*
 * nft_plan_add_chains - the regular chains @names, in order, all from
 * @origin: the fixed jump targets a part of the compiler declares, one
 * call instead of a ladder of nft_plan_add_chain().  Returns 0 or the
 * first -errno (the chains before it stay added).
 */
int nft_plan_add_chains(struct zone_ruleset *rs, const char *const *names,
			size_t n, const struct nft_origin *origin)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < n && ret == 0; i++)
		ret = nft_plan_add_chain(rs, names[i], false, origin);
	return ret;
}

/**
 * nft_plan_add_hook_chain - declare a chain hooked at @hook (policy drop)
 * Returns 0 or -errno.
 */
int nft_plan_add_hook_chain(struct zone_ruleset *rs, const char *name,
			    uint32_t hook, const struct nft_origin *origin)
{
	int ret = nft_plan_add_chain(rs, name, true, origin);

	if (ret == 0)
		rs->chains[rs->n_chains - 1].hook = hook;
	return ret;
}

/**
 * nft_plan_add_set - declare a named set or map with no elements
 * Returns the set (owned by the plan), or NULL with errno set.
 */
struct nft_pset *nft_plan_add_set(struct zone_ruleset *rs, const char *name,
				  uint32_t flags, uint32_t key_type,
				  uint32_t key_len, uint32_t data_type,
				  uint32_t data_len)
{
	struct nft_pset *s;

	if (nft_plan_grow(&rs->sets, &rs->cap_sets, rs->n_sets, sizeof(*s))) {
		errno = ENOMEM;
		return NULL;
	}
	s = &rs->sets[rs->n_sets++];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->id = ++rs->next_set_id;
	s->flags = flags;
	s->key_type = key_type;
	s->key_len = key_len;
	s->data_type = data_type;
	s->data_len = data_len;
	s->elems = nft_elems_new(key_len);
	if (!s->elems) {
		rs->n_sets--;
		return NULL;
	}
	snprintf(s->origin.what, sizeof(s->origin.what), "%s %s",
		 flags & NFT_SET_MAP ? "map" : "set", name);
	return s;
}

static int obj_comment(struct nftnl_obj *o, const char *comment)
{
	uint8_t buf[NFT_UDATA_COMMENT_SIZE];
	int len = nft_udata_comment(buf, NFTNL_UDATA_OBJ_COMMENT, comment);

	if (len < 0)
		return -ENOMEM;
	nftnl_obj_set_data(o, NFTNL_OBJ_USERDATA, buf, (uint32_t)len);
	return 0;
}

int nft_plan_add_counter(struct zone_ruleset *rs, const char *name,
			 const char *comment, const struct nft_origin *origin)
{
	struct nft_pobj *p;
	struct nftnl_obj *o;

	if (strlen(name) >= NFT_NAME_LEN)
		return -ENAMETOOLONG;
	if (nft_plan_obj_index(rs, name) >= 0)
		return -EEXIST;
	if (nft_plan_grow(&rs->objs, &rs->cap_objs, rs->n_objs, sizeof(*p)))
		return -ENOMEM;
	o = nftnl_obj_alloc();
	if (!o)
		return -ENOMEM;
	nftnl_obj_set_u32(o, NFTNL_OBJ_FAMILY, NFPROTO_INET);
	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, ZONE_TABLE_NAME);
	nftnl_obj_set_str(o, NFTNL_OBJ_NAME, name);
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
	if (comment && obj_comment(o, comment) < 0) {
		nftnl_obj_free(o);
		return -ENOMEM;
	}
	p = &rs->objs[rs->n_objs++];
	memset(p, 0, sizeof(*p));
	strcpy(p->name, name);
	snprintf(p->comment, sizeof(p->comment), "%s", comment ? comment : "");
	p->obj = o;
	p->origin = *origin;
	return 0;
}

void zone_ruleset_free(struct zone_ruleset *rs)
{
	size_t i;
	size_t j;

	if (!rs)
		return;
	for (i = 0; i < rs->n_rules; i++) {
		for (j = 0; j < rs->rules[i].n_anon; j++)
			nftnl_set_free(rs->rules[i].anon[j]);
		free(rs->rules[i].anon);
		nftnl_rule_free(rs->rules[i].rule);
	}
	for (i = 0; i < rs->n_objs; i++)
		nftnl_obj_free(rs->objs[i].obj);
	for (i = 0; i < rs->n_sets; i++)
		nft_elems_unref(rs->sets[i].elems);
	free(rs->rules);
	free(rs->objs);
	free(rs->sets);
	free(rs->chains);
	free(rs->id_names);
	free(rs->signature);
	free(rs);
}

/* append the libnftnl text of one object to the signature stream */
static void
sign_text(FILE *f, int (*fn)(char *, size_t, const void *, uint32_t, uint32_t),
	  const void *obj)
{
	char buf[4096];

	fn(buf, sizeof(buf), obj, NFTNL_OUTPUT_DEFAULT, 0);
	fprintf(f, "%s\n", buf);
}

static int sign_rule(char *b, size_t n, const void *o, uint32_t t, uint32_t f)
{
	return nftnl_rule_snprintf(b, n, o, t, f);
}

static int sign_set(char *b, size_t n, const void *o, uint32_t t, uint32_t f)
{
	return nftnl_set_snprintf(b, n, o, t, f);
}

static int sign_obj(char *b, size_t n, const void *o, uint32_t t, uint32_t f)
{
	return nftnl_obj_snprintf(b, n, o, t, f);
}

static void sign_rule_all(FILE *f, const struct nft_prule *r)
{
	const void *ud;
	uint32_t len = 0;
	size_t j;

	for (j = 0; j < r->n_anon; j++)
		sign_text(f, sign_set, r->anon[j]);
	sign_text(f, sign_rule, r->rule);
	ud = nftnl_rule_get_data(r->rule, NFTNL_RULE_USERDATA, &len);
	/*
	 * In hex: the userdata holds NUL bytes, and the signature is
	 * compared as a string, so raw bytes would end it at the first rule.
	 */
	for (j = 0; ud && j < len; j++)
		fprintf(f, "%02x", ((const unsigned char *)ud)[j]);
	fputc('\n', f);
}

/**
 * nft_plan_sign - compute the structure signature of a finished plan
 *
 * A C string: everything in it must be text (libnftnl escapes the rules'
 * user data), or strcmp() would stop at the first NUL.
 * Returns 0 or -ENOMEM.
 */
int nft_plan_sign(struct zone_ruleset *rs)
{
	size_t len = 0;
	FILE *f;
	size_t i;

	free(rs->signature);
	rs->signature = NULL;
	f = open_memstream(&rs->signature, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "table flags %#x\n", rs->table_flags);
	for (i = 0; i < rs->n_chains; i++)
		fprintf(f, "chain %s%s %u\n", rs->chains[i].name,
			rs->chains[i].base ? " base" : "", rs->chains[i].hook);
	for (i = 0; i < rs->n_sets; i++) {
		const struct nft_pset *s = &rs->sets[i];

		fprintf(f, "set %s %#x %u/%u %u/%u\n", s->name, s->flags,
			s->key_type, s->key_len, s->data_type, s->data_len);
	}
	for (i = 0; i < rs->n_objs; i++) {
		sign_text(f, sign_obj, rs->objs[i].obj);
		fprintf(f, "comment %s\n", rs->objs[i].comment);
	}
	for (i = 0; i < rs->n_rules; i++)
		sign_rule_all(f, &rs->rules[i]);
	if (fclose(f) != 0) {
		free(rs->signature);
		rs->signature = NULL;
		return -ENOMEM;
	}
	return 0;
}

/*
 * The lockdown plan (doc/design.md section 3): no model, so every new forward
 * is dropped and logged; replies of flows that already exist still pass.
 */
struct zone_ruleset *nft_plan_lockdown(void)
{
	struct nft_origin o = { .line = 0, .what = "lockdown" };
	struct zone_ruleset *rs;
	struct nft_rb *rb;
	int err;

	rs = nft_plan_new();
	if (!rs)
		return NULL;
	err = nft_plan_add_chain(rs, "forward", true, &o);
	if (err)
		goto out_free;
	rb = nft_rb_new(rs, "forward");
	if (!rb)
		goto out_nomem;
	nft_rb_ct_state(rb, NF_CT_STATE_BIT(IP_CT_ESTABLISHED) |
				    NF_CT_STATE_BIT(IP_CT_RELATED));
	nft_rb_counter(rb);
	nft_rb_verdict(rb, NF_ACCEPT, NULL);
	err = nft_rb_commit(rb, &o, NULL);
	if (err)
		goto out_free;
	rb = nft_rb_new(rs, "forward");
	if (!rb)
		goto out_nomem;
	nft_rb_counter(rb);
	nft_rb_limit_log(rb, ZONE_LOG_PREFIX "lockdown");
	err = nft_rb_commit(rb, &o, "lockdown: zoned could not apply a policy");
	if (err)
		goto out_free;
	err = nft_plan_sign(rs);
	if (err)
		goto out_free;
	return rs;

out_nomem:
	err = -ENOMEM;
out_free:
	zone_ruleset_free(rs);
	errno = -err;
	return NULL;
}
