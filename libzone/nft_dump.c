/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading table inet zoned back: the generation id, the table's flags and
 * owner, its chains, rules, sets, elements and counters.  Used to adopt a
 * table left by an earlier run, to verify an apply, and for zonectl status.
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/gen.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include <zone/diag.h>
#include <zone/mark.h>
#include <zone/model.h>
#include <zone/ruleset.h>

#include "nft_sess.h"

#define DUMP_BUF (1u << 16)

typedef void (*dump_fill)(struct nlmsghdr *nlh, const void *arg);

/*
 * dump_run - send one request on the read socket and feed every reply to
 * @cb until the dump ends (NLMSG_DONE) or the ACK of a plain get arrives.
 */
static int dump_run(struct zone_nft *nft, uint16_t type, uint16_t family,
		    uint16_t flags, dump_fill fill, const void *arg,
		    mnl_cb_t cb, void *data)
{
	uint32_t seq = ++nft->seq;
	struct nlmsghdr *nlh;
	char *buf;
	int ret;

	buf = malloc(DUMP_BUF);
	if (!buf)
		return -ENOMEM;
	nlh = nftnl_nlmsg_build_hdr(buf, type, family, flags | NLM_F_ACK, seq);
	if (fill)
		fill(nlh, arg);
	if (mnl_socket_sendto(nft->rd, nlh, nlh->nlmsg_len) < 0)
		ret = -errno;
	else
		ret = nft_recv_done(nft->rd, buf, DUMP_BUF, seq, cb, data);
	free(buf);
	return ret;
}

int nft_recv_done(struct mnl_socket *nl, void *buf, size_t size,
		  uint32_t seq, mnl_cb_t cb, void *data)
{
	uint32_t portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int ret;

	do {
		n = mnl_socket_recvfrom(nl, buf, size);
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, cb, data);
	} while (ret > 0);
	return ret < 0 ? -errno : 0;
}

int nft_dump_run(struct zone_nft *nft, uint16_t type, uint16_t family,
		 uint16_t flags, void (*fill)(struct nlmsghdr *, const void *),
		 const void *arg, mnl_cb_t cb, void *data)
{
	return dump_run(nft, type, family, flags, fill, arg, cb, data);
}

/*
 * Here, beside the dump that compares a table's owner with it, rather
 * than with the socket's setup in nft_apply.c: nft_apply.c calls the
 * dump, and the dump calls nothing back.
 */
uint32_t zone_nft_portid(const struct zone_nft *nft)
{
	return mnl_socket_get_portid(nft->wr);
}

static int gen_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_gen *gen = nftnl_gen_alloc();
	uint32_t *genid = data;

	if (!gen)
		return MNL_CB_ERROR;
	if (nftnl_gen_nlmsg_parse(nlh, gen) == 0)
		*genid = nftnl_gen_get_u32(gen, NFTNL_GEN_ID);
	nftnl_gen_free(gen);
	return MNL_CB_OK;
}

int nft_getgen(struct zone_nft *nft, uint32_t *ret_genid)
{
	uint32_t genid = 0;
	int ret;

	ret = dump_run(nft, NFT_MSG_GETGEN, AF_UNSPEC, 0, NULL, NULL, gen_cb,
		       &genid);
	if (ret == 0)
		*ret_genid = genid;
	return ret;
}

/*
 * A request for our table: its name in the attribute that @arg points to
 * (NFTA_TABLE_NAME, NFTA_SET_TABLE, NFTA_RULE_TABLE).
 */
static void fill_table(struct nlmsghdr *nlh, const void *arg)
{
	mnl_attr_put_strz(nlh, *(const uint16_t *)arg, ZONE_TABLE_NAME);
}

static const uint16_t table_name_attr = NFTA_TABLE_NAME;
static const uint16_t set_table_attr = NFTA_SET_TABLE;
static const uint16_t rule_table_attr = NFTA_RULE_TABLE;

struct table_info {
	uint32_t flags;
	uint32_t owner;
	bool found;
	char sig[NFT_SIG_LEN + 16]; /* the user data's comment, or "" */
};

static int table_udata_cb(const struct nftnl_udata *attr, void *data)
{
	char *sig = data;
	uint8_t len = nftnl_udata_len(attr);
	const char *v = nftnl_udata_get(attr);

	if (nftnl_udata_type(attr) != NFTNL_UDATA_TABLE_COMMENT || len == 0 ||
	    v[len - 1] != '\0')
		return 0;
	snprintf(sig, NFT_SIG_LEN + 16, "%s", v);
	return 0;
}

/* the comment of the table's user data: another tool's may be anything */
static void table_sig_parse(const struct nftnl_table *t, char *sig)
{
	const void *ud;
	uint32_t len = 0;

	sig[0] = '\0';
	if (!nftnl_table_is_set(t, NFTNL_TABLE_USERDATA))
		return;
	ud = nftnl_table_get_data(t, NFTNL_TABLE_USERDATA, &len);
	if (ud && len > 0)
		nftnl_udata_parse(ud, len, table_udata_cb, sig);
}

static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct table_info *ti = data;

	if (!t)
		return MNL_CB_ERROR;
	if (nftnl_table_nlmsg_parse(nlh, t) == 0) {
		ti->found = true;
		ti->flags = nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS);
		if (nftnl_table_is_set(t, NFTNL_TABLE_OWNER))
			ti->owner = nftnl_table_get_u32(t, NFTNL_TABLE_OWNER);
		table_sig_parse(t, ti->sig);
	}
	nftnl_table_free(t);
	return MNL_CB_OK;
}

/* what the kernel says of table inet zoned: 0, -ENOENT or -errno */
static int table_info_get(struct zone_nft *nft, struct table_info *ti)
{
	int ret;

	ret = dump_run(nft, NFT_MSG_GETTABLE, NFPROTO_INET, 0, fill_table,
		       &table_name_attr, table_cb, ti);
	if (ret < 0)
		return ret;
	return ti->found ? 0 : -ENOENT;
}

int nft_table_get(struct zone_nft *nft, uint32_t *ret_flags,
		  uint32_t *ret_owner)
{
	struct table_info ti = { 0 };
	int ret = table_info_get(nft, &ti);

	if (ret < 0)
		return ret;
	if (ret_flags)
		*ret_flags = ti.flags;
	if (ret_owner)
		*ret_owner = ti.owner;
	return 0;
}

int nft_table_sig(struct zone_nft *nft, char *buf, size_t size)
{
	struct table_info ti = { 0 };
	int ret = table_info_get(nft, &ti);

	if (ret < 0)
		return ret;
	snprintf(buf, size, "%s", ti.sig);
	return 0;
}

/**
 * zone_nft_table_signature - the signature of the live table inet zoned
 * @buf: receives the comment of its user data, "" when it has none
 *
 * Returns 0, -ENOENT when there is no table, or another -errno.
 */
int zone_nft_table_signature(struct zone_nft *nft, char *buf, size_t size)
{
	return nft_table_sig(nft, buf, size);
}

/**
 * zone_nft_table_exists - whether table inet zoned exists
 * @nft: the session
 *
 * Returns 1, 0, or -errno.
 */
int zone_nft_table_exists(struct zone_nft *nft)
{
	int ret = nft_table_get(nft, NULL, NULL);

	if (ret == -ENOENT)
		return 0;
	return ret < 0 ? ret : 1;
}

/* ---- dumps of the table's objects ---- */

bool nft_dump_is_ours(const char *table)
{
	return table && strcmp(table, ZONE_TABLE_NAME) == 0;
}

/* nft_dump_sets()'s walk: each named set of ours to @fn */
struct set_walk {
	int (*fn)(const struct nftnl_set *s, const char *name, void *data);
	void *data;
};

static int set_walk_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct set_walk *w = data;
	const char *name;
	int ret = 0;

	if (!s)
		return MNL_CB_ERROR;
	if (nftnl_set_nlmsg_parse(nlh, s) < 0 ||
	    !nft_dump_is_ours(nftnl_set_get_str(s, NFTNL_SET_TABLE)))
		goto out;
	name = nftnl_set_get_str(s, NFTNL_SET_NAME);
	if (name && strncmp(name, "__", 2) != 0)
		ret = w->fn(s, name, w->data);
out:
	nftnl_set_free(s);
	return ret < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

int nft_dump_sets(struct zone_nft *nft,
		  void (*fill)(struct nlmsghdr *, const void *),
		  const void *arg,
		  int (*fn)(const struct nftnl_set *s, const char *name,
			    void *data),
		  void *data)
{
	struct set_walk w = { fn, data };

	return dump_run(nft, NFT_MSG_GETSET, NFPROTO_INET, NLM_F_DUMP, fill,
			arg, set_walk_cb, &w);
}

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nft_kstate *ks = data;
	int ret = 0;

	if (!c)
		return MNL_CB_ERROR;
	if (nftnl_chain_nlmsg_parse(nlh, c) == 0 &&
	    nft_dump_is_ours(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE)))
		ret = nft_kstate_add_chain(
			ks, nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
	nftnl_chain_free(c);
	return ret < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

static int kstate_set(const struct nftnl_set *s, const char *name, void *data)
{
	struct nft_kset *k = nft_kstate_add_set(data, name);

	if (!k)
		return -ENOMEM;
	k->flags = nftnl_set_get_u32(s, NFTNL_SET_FLAGS);
	k->key_type = nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE);
	k->key_len = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
	k->data_type = nftnl_set_get_u32(s, NFTNL_SET_DATA_TYPE);
	return 0;
}

static void fill_obj_table(struct nlmsghdr *nlh, const void *arg)
{
	(void)arg;
	mnl_attr_put_strz(nlh, NFTA_OBJ_TABLE, ZONE_TABLE_NAME);
	mnl_attr_put_u32(nlh, NFTA_OBJ_TYPE, htonl(NFT_OBJECT_COUNTER));
}

struct obj_walk {
	struct nft_kstate *ks;
	struct zone_counter *v;
	size_t n;
	int err;
};

static int obj_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_obj *o = nftnl_obj_alloc();
	struct obj_walk *w = data;
	const char *name;

	if (!o)
		return MNL_CB_ERROR;
	if (nftnl_obj_nlmsg_parse(nlh, o) < 0 ||
	    !nft_dump_is_ours(nftnl_obj_get_str(o, NFTNL_OBJ_TABLE)) ||
	    nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE) != NFT_OBJECT_COUNTER)
		goto out;
	name = nftnl_obj_get_str(o, NFTNL_OBJ_NAME);
	if (w->ks) {
		w->err = nft_kstate_add_obj(w->ks, name);
	} else {
		struct zone_counter *p;

		p = realloc(w->v, (w->n + 1) * sizeof(*p));
		if (!p) {
			w->err = -ENOMEM;
			goto out;
		}
		w->v = p;
		memset(&p[w->n], 0, sizeof(p[w->n]));
		snprintf(p[w->n].name, sizeof(p[w->n].name), "%s", name);
		p[w->n].packets = nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_PKTS);
		p[w->n].bytes = nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_BYTES);
		w->n++;
	}
out:
	nftnl_obj_free(o);
	return w->err ? MNL_CB_ERROR : MNL_CB_OK;
}

/* the table's counters through obj_cb() into @w: 0 or -errno */
static int dump_counters(struct zone_nft *nft, struct obj_walk *w)
{
	int ret = dump_run(nft, NFT_MSG_GETOBJ, NFPROTO_INET, NLM_F_DUMP,
			   fill_obj_table, NULL, obj_cb, w);

	return ret < 0 ? ret : w->err;
}

int nft_dump_kstate(struct zone_nft *nft, struct nft_kstate **ret_ks)
{
	struct nft_kstate *ks;
	struct obj_walk w = { 0 };
	int ret;

	ks = calloc(1, sizeof(*ks));
	if (!ks)
		return -ENOMEM;
	ret = nft_table_get(nft, NULL, NULL);
	if (ret == -ENOENT) {
		*ret_ks = ks;
		return 0;
	}
	ks->exists = ret == 0;
	if (ret == 0)
		ret = dump_run(nft, NFT_MSG_GETCHAIN, NFPROTO_INET, NLM_F_DUMP,
			       NULL, NULL, chain_cb, ks);
	if (ret == 0)
		ret = nft_dump_sets(nft, fill_table, &set_table_attr,
				    kstate_set, ks);
	w.ks = ks;
	if (ret == 0)
		ret = dump_counters(nft, &w);
	if (ret < 0) {
		nft_kstate_free(ks);
		return ret;
	}
	*ret_ks = ks;
	return 0;
}

/**
 * zone_nft_counters - read every named counter of the table
 * @nft: the session
 * @ret_counters: an array the caller frees with free()
 * @ret_n: its length
 *
 * Channel counters are named "chan_<channel>", segment pair counters
 * "pair_<src>_<dst>" (segment names, or "_<index>" for names that are
 * not plain).  Returns 0 or -errno (-ENOENT without a table).
 */
int zone_nft_counters(struct zone_nft *nft, struct zone_counter **ret_counters,
		      size_t *ret_n)
{
	struct obj_walk w = { 0 };
	int ret;

	ret = nft_table_get(nft, NULL, NULL);
	if (ret == 0)
		ret = dump_counters(nft, &w);
	if (ret < 0) {
		free(w.v);
		return ret;
	}
	*ret_counters = w.v;
	*ret_n = w.n;
	return 0;
}

/* ---- verification ---- */

/* the config file the plan came from, for diagnostics; NULL: lockdown */
static const char *plan_file(const struct zone_ruleset *rs)
{
	return rs->model ? zone_model_file(rs->model) : "lockdown";
}

struct rule_count {
	const struct zone_ruleset *rs;
	size_t *per_chain; /* by plan chain index */
	size_t foreign; /* rules in chains the plan lacks */
};

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct rule_count *rc = data;

	if (!r)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) == 0 &&
	    nft_dump_is_ours(nftnl_rule_get_str(r, NFTNL_RULE_TABLE))) {
		int i = nft_plan_chain_index(
			rc->rs, nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));

		if (i < 0)
			rc->foreign++;
		else
			rc->per_chain[i]++;
	}
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

static int elem_count_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *attr;
	struct nlattr *e;
	size_t *n = data;

	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg))
	{
		if (mnl_attr_get_type(attr) != NFTA_SET_ELEM_LIST_ELEMENTS ||
		    mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			continue;
		mnl_attr_for_each_nested(e, attr)
		{
			if (mnl_attr_get_type(e) == NFTA_LIST_ELEM)
				(*n)++;
		}
	}
	return MNL_CB_OK;
}

void nft_fill_elems(struct nlmsghdr *nlh, const void *arg)
{
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, ZONE_TABLE_NAME);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, arg);
}

static int verify_table(struct zone_nft *nft, const struct zone_ruleset *rs,
			struct zone_diag *diag, int *bad)
{
	uint32_t flags = 0;
	uint32_t owner = 0;
	uint32_t genid = 0;
	int ret;

	ret = nft_table_get(nft, &flags, &owner);
	if (ret == -ENOENT) {
		zone_diag_add(diag, plan_file(rs), 0,
			      "table inet zoned is missing");
		(*bad)++;
		return 1;
	}
	if (ret < 0)
		return ret;
	if ((flags & NFT_TABLE_F_OWNER) !=
		    (nft->table_flags & NFT_TABLE_F_OWNER) ||
	    ((nft->table_flags & NFT_TABLE_F_OWNER) &&
	     owner != zone_nft_portid(nft))) {
		zone_diag_add(diag, plan_file(rs), 0,
			      "table inet zoned: flags %#x owner %u, want "
			      "flags %#x owner %u",
			      flags, owner, nft->table_flags,
			      zone_nft_portid(nft));
		(*bad)++;
	}
	ret = nft_getgen(nft, &genid);
	if (ret < 0)
		return ret;
	if (nft->committed && genid == nft->genid_before) {
		zone_diag_add(diag, plan_file(rs), 0,
			      "generation %u did not advance", genid);
		(*bad)++;
	}
	return 0;
}

static int verify_names(struct zone_nft *nft, const struct zone_ruleset *rs,
			struct zone_diag *diag, int *bad)
{
	struct nft_kstate *ks = NULL;
	size_t i;
	int ret;

	ret = nft_dump_kstate(nft, &ks);
	if (ret < 0)
		return ret;
	if (ks->n_chains != rs->n_chains) {
		zone_diag_add(diag, plan_file(rs), 0, "%zu chains, want %zu",
			      ks->n_chains, rs->n_chains);
		(*bad)++;
	}
	for (i = 0; i < rs->n_chains; i++) {
		if (nft_name_index(ks->chains, ks->n_chains,
				   sizeof(*ks->chains),
				   rs->chains[i].name) < 0) {
			zone_diag_add(diag, plan_file(rs), 0,
				      "chain %s is missing",
				      rs->chains[i].name);
			(*bad)++;
		}
	}
	if (ks->n_sets != rs->n_sets || ks->n_objs != rs->n_objs) {
		zone_diag_add(diag, plan_file(rs), 0,
			      "%zu sets and %zu counters, want %zu and %zu",
			      ks->n_sets, ks->n_objs, rs->n_sets, rs->n_objs);
		(*bad)++;
	}
	nft_kstate_free(ks);
	return 0;
}

static int verify_rules(struct zone_nft *nft, const struct zone_ruleset *rs,
			struct zone_diag *diag, int *bad)
{
	struct rule_count rc = { .rs = rs };
	size_t *want;
	size_t i;
	int ret;

	rc.per_chain = calloc(rs->n_chains + 1, sizeof(size_t));
	want = calloc(rs->n_chains + 1, sizeof(size_t));
	if (!rc.per_chain || !want) {
		ret = -ENOMEM;
		goto out_free;
	}
	for (i = 0; i < rs->n_rules; i++) {
		int c = nft_plan_chain_index(
			rs, nftnl_rule_get_str(rs->rules[i].rule,
					       NFTNL_RULE_CHAIN));

		if (c >= 0)
			want[c]++;
	}
	ret = dump_run(nft, NFT_MSG_GETRULE, NFPROTO_INET, NLM_F_DUMP,
		       fill_table, &rule_table_attr, rule_cb, &rc);
	if (ret < 0)
		goto out_free;
	for (i = 0; i < rs->n_chains; i++) {
		if (rc.per_chain[i] == want[i])
			continue;
		zone_diag_add(diag, plan_file(rs), 0,
			      "chain %s: %zu rules, want %zu",
			      rs->chains[i].name, rc.per_chain[i], want[i]);
		(*bad)++;
	}
out_free:
	free(rc.per_chain);
	free(want);
	return ret;
}

/*
 * Element counts of the small sets only: a dump of an rbtree set restarts
 * its walk for every message it fills, so reading back a map of 10^5
 * elements costs time quadratic in its size.
 */
#define VERIFY_ELEMS_MAX 4096

static int verify_elems(struct zone_nft *nft, const struct zone_ruleset *rs,
			struct zone_diag *diag, int *bad)
{
	size_t i;
	int ret;

	for (i = 0; i < rs->n_sets; i++) {
		size_t want = nft_pset_count(&rs->sets[i]);
		size_t n = 0;

		if (want > VERIFY_ELEMS_MAX)
			continue;
		ret = dump_run(nft, NFT_MSG_GETSETELEM, NFPROTO_INET,
			       NLM_F_DUMP, nft_fill_elems, rs->sets[i].name,
			       elem_count_cb, &n);
		if (ret < 0)
			return ret;
		if (n == want)
			continue;
		zone_diag_add(diag, plan_file(rs), 0,
			      "set %s: %zu elements, want %zu",
			      rs->sets[i].name, n, want);
		(*bad)++;
	}
	return 0;
}

/**
 * zone_nft_verify - read the live table back and compare it with @rs
 * @nft: the session that applied @rs
 * @rs: the plan
 * @diag: one line per difference
 *
 * Checks that the table exists with our flags and owner, that the
 * generation advanced with our last batch, and that chains, rules per
 * chain, sets, counters and the elements of the smaller sets are as many
 * as planned.
 * Returns 0 when they match, -EUCLEAN when they differ, or -errno.
 */
int zone_nft_verify(struct zone_nft *nft, const struct zone_ruleset *rs,
		    struct zone_diag *diag)
{
	int bad = 0;
	int ret;

	ret = verify_table(nft, rs, diag, &bad);
	if (ret)
		return ret < 0 ? ret : -EUCLEAN;
	ret = verify_names(nft, rs, diag, &bad);
	if (ret == 0)
		ret = verify_rules(nft, rs, diag, &bad);
	if (ret == 0)
		ret = verify_elems(nft, rs, diag, &bad);
	if (ret < 0)
		return ret;
	return bad ? -EUCLEAN : 0;
}
