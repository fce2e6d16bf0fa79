/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A text description of the live table inet zoned, one line per object,
 * that stays the same as long as nobody changes the table: what zoned
 * keeps of the table it applied last, so that a change made while it was
 * stopped can be named at the next start (zoned(8), FILES).  Counter
 * values, rule handles and the owner flag (lost while zoned is not
 * running) are left out.
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>

#include <zone/mark.h>
#include <zone/ruleset.h>

#include "nft_sess.h"

/*
 * Elements of the larger sets are not read: a dump of an rbtree set
 * restarts its walk for every message, so 10^5 elements take seconds.
 * Their definitions are still described.
 */
#define DESCRIBE_ELEMS_MAX 4096
#define DESCRIBE_BUF (1u << 16)

struct describe {
	FILE *f;
	char (*sets)[NFT_NAME_LEN]; /* named sets, to read their elements */
	size_t n_sets;
	size_t cap_sets;
	int err;
};

static void put_hex(FILE *f, const void *p, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		fprintf(f, "%02x", ((const unsigned char *)p)[i]);
}

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct describe *d = data;

	if (!c)
		return MNL_CB_ERROR;
	if (nftnl_chain_nlmsg_parse(nlh, c) == 0 &&
	    nft_dump_is_ours(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE))) {
		fprintf(d->f, "chain %s",
			nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
		if (nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM))
			fprintf(d->f, " hook %u priority %d policy %u",
				nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM),
				(int)nftnl_chain_get_u32(c, NFTNL_CHAIN_PRIO),
				nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY));
		fputc('\n', d->f);
	}
	nftnl_chain_free(c);
	return MNL_CB_OK;
}

static int expr_cb(struct nftnl_expr *e, void *data)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	FILE *f = data;
	char buf[1024];

	/* a counter's values change with traffic, not with the policy */
	if (name && strcmp(name, "counter") == 0) {
		fputs(" [counter]", f);
		return 0;
	}
	nftnl_expr_snprintf(buf, sizeof(buf), e, NFTNL_OUTPUT_DEFAULT, 0);
	fprintf(f, " [%s %s]", name ? name : "?", buf);
	return 0;
}

static int rule_udata_cb(const struct nftnl_udata *attr, void *data)
{
	const unsigned char *v = nftnl_udata_get(attr);
	uint8_t len = nftnl_udata_len(attr);
	FILE *f = data;
	uint8_t i;

	if (nftnl_udata_type(attr) != NFTNL_UDATA_RULE_COMMENT) {
		fprintf(f, " userdata-%u ", nftnl_udata_type(attr));
		put_hex(f, v, len);
		return 0;
	}
	/* anyone may write the comment: one line, printable, whatever it is */
	fputs(" comment \"", f);
	for (i = 0; i < len && v[i]; i++) {
		if (v[i] < 0x20 || v[i] == 0x7f || v[i] == '"' || v[i] == '\\')
			fprintf(f, "\\x%02x", v[i]);
		else
			fputc(v[i], f);
	}
	fputc('"', f);
	return 0;
}

/* a rule's comment as text, other user data in hex */
static void put_rule_udata(FILE *f, const void *ud, uint32_t len)
{
	if (nftnl_udata_parse(ud, len, rule_udata_cb, f) < 0) {
		fputs(" userdata ", f);
		put_hex(f, ud, len);
	}
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct describe *d = data;
	const void *ud;
	uint32_t len = 0;

	if (!r)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) == 0 &&
	    nft_dump_is_ours(nftnl_rule_get_str(r, NFTNL_RULE_TABLE))) {
		fprintf(d->f, "rule %s",
			nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));
		nftnl_expr_foreach(r, expr_cb, d->f);
		ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
		if (ud && len)
			put_rule_udata(d->f, ud, len);
		fputc('\n', d->f);
	}
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

static int describe_set(const struct nftnl_set *s, const char *name, void *data)
{
	struct describe *d = data;

	fprintf(d->f, "set %s flags %#x key %u/%u data %u/%u\n", name,
		nftnl_set_get_u32(s, NFTNL_SET_FLAGS),
		nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE),
		nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN),
		nftnl_set_get_u32(s, NFTNL_SET_DATA_TYPE),
		nftnl_set_get_u32(s, NFTNL_SET_DATA_LEN));
	/* timed elements come and go by themselves (nft_names.c) */
	if (strlen(name) >= NFT_NAME_LEN ||
	    (nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_TIMEOUT))
		return 0;
	if (nft_plan_grow(&d->sets, &d->cap_sets, d->n_sets,
			  sizeof(*d->sets))) {
		d->err = -ENOMEM;
		return d->err;
	}
	snprintf(d->sets[d->n_sets++], NFT_NAME_LEN, "%s", name);
	return 0;
}

struct elem_walk {
	char (*lines)[256];
	size_t n;
	size_t cap;
	bool too_many;
	int err;
};

static int elem_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct elem_walk *w = data;
	struct nftnl_set_elems_iter *it;
	struct nftnl_set_elem *e;

	if (!s)
		return MNL_CB_ERROR;
	if (nftnl_set_elems_nlmsg_parse(nlh, s) < 0)
		goto out;
	it = nftnl_set_elems_iter_create(s);
	if (!it)
		goto out;
	for (e = nftnl_set_elems_iter_cur(it); e && !w->err;
	     e = nftnl_set_elems_iter_next(it)) {
		if (w->n >= DESCRIBE_ELEMS_MAX) {
			w->too_many = true;
			break;
		}
		if (nft_plan_grow(&w->lines, &w->cap, w->n,
				  sizeof(*w->lines))) {
			w->err = -ENOMEM;
			break;
		}
		nftnl_set_elem_snprintf(w->lines[w->n++], sizeof(*w->lines), e,
					NFTNL_OUTPUT_DEFAULT, 0);
	}
	nftnl_set_elems_iter_destroy(it);
out:
	nftnl_set_free(s);
	if (w->err)
		return MNL_CB_ERROR;
	return w->too_many ? MNL_CB_STOP : MNL_CB_OK;
}

/*
 * The elements of @set, on a socket of its own: when there are too many,
 * closing it drops the rest of the dump, which the kernel would otherwise
 * go on filling (and the session's reader would then have to drain).
 */
static int elems_dump(const char *set, struct elem_walk *w)
{
	char *buf;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	uint32_t seq = (uint32_t)time(NULL);
	int ret;

	buf = malloc(DESCRIBE_BUF);
	if (!buf)
		return -ENOMEM;
	nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!nl) {
		ret = -errno;
		goto out_free;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out_close;
	}
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, NFPROTO_INET,
				    NLM_F_DUMP | NLM_F_ACK, seq);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, ZONE_TABLE_NAME);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		ret = -errno;
	else
		ret = nft_recv_done(nl, buf, DESCRIBE_BUF, seq, elem_cb, w);
out_close:
	mnl_socket_close(nl);
out_free:
	free(buf);
	return ret;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The elements of one named set, sorted: the kernel's order may vary. */
static int describe_elems(struct zone_nft *nft, struct describe *d,
			  const char *set)
{
	struct elem_walk w = { 0 };
	size_t i;
	int ret;

	(void)nft;
	ret = elems_dump(set, &w);
	if (ret == 0)
		ret = w.err;
	if (ret == 0 && w.too_many) {
		fprintf(d->f, "elements %s not read: more than %d\n", set,
			DESCRIBE_ELEMS_MAX);
	} else if (ret == 0 && w.n > 0) {
		qsort(w.lines, w.n, sizeof(*w.lines), cmp_line);
		for (i = 0; i < w.n; i++) {
			char *nl;

			/* one line each: libnftnl ends some with a newline */
			while ((nl = strchr(w.lines[i], '\n')))
				*nl = ' ';
			fprintf(d->f, "element %s %s\n", set, w.lines[i]);
		}
	}
	free(w.lines);
	return ret;
}

static int obj_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_obj *o = nftnl_obj_alloc();
	struct describe *d = data;
	const void *ud;
	uint32_t len = 0;

	if (!o)
		return MNL_CB_ERROR;
	if (nftnl_obj_nlmsg_parse(nlh, o) == 0 &&
	    nft_dump_is_ours(nftnl_obj_get_str(o, NFTNL_OBJ_TABLE))) {
		fprintf(d->f, "object %s type %u",
			nftnl_obj_get_str(o, NFTNL_OBJ_NAME),
			nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE));
		ud = nftnl_obj_get_data(o, NFTNL_OBJ_USERDATA, &len);
		if (ud && len) {
			fputs(" userdata ", d->f);
			put_hex(d->f, ud, len);
		}
		fputc('\n', d->f);
	}
	nftnl_obj_free(o);
	return MNL_CB_OK;
}

static void fill_table_name(struct nlmsghdr *nlh, const void *arg)
{
	/* NFTA_{CHAIN,RULE,SET,OBJ}_TABLE are all attribute 1 */
	(void)arg;
	mnl_attr_put_strz(nlh, 1, ZONE_TABLE_NAME);
}

/**
 * zone_nft_describe - describe the live table inet zoned as text
 * @nft: the session
 * @ret_text: one line per object, NUL-terminated; the caller frees it
 *
 * The table (flags but owner, signature), its chains, rules (counter
 * values left out), sets, the elements of sets up to a few thousand,
 * and named objects.  Two descriptions are equal when nobody changed
 * the table in between.  Returns 0, -ENOENT without a table, or -errno.
 */
int zone_nft_describe(struct zone_nft *nft, char **ret_text)
{
	struct describe d = { 0 };
	char sig[NFT_SIG_LEN + 16];
	uint32_t flags = 0;
	char *text = NULL;
	size_t len = 0;
	size_t i;
	int ret;

	ret = nft_table_get(nft, &flags, NULL);
	if (ret == 0)
		ret = nft_table_sig(nft, sig, sizeof(sig));
	if (ret < 0)
		return ret;
	d.f = open_memstream(&text, &len);
	if (!d.f)
		return -ENOMEM;
	fprintf(d.f, "table flags %#x signature %s\n",
		flags & ~(uint32_t)NFT_TABLE_F_OWNER, sig[0] ? sig : "none");
	ret = nft_dump_run(nft, NFT_MSG_GETCHAIN, NFPROTO_INET, NLM_F_DUMP,
			   NULL, NULL, chain_cb, &d);
	if (ret == 0)
		ret = nft_dump_sets(nft, fill_table_name, NULL, describe_set,
				    &d);
	for (i = 0; ret == 0 && i < d.n_sets; i++)
		ret = describe_elems(nft, &d, d.sets[i]);
	if (ret == 0)
		ret = nft_dump_run(nft, NFT_MSG_GETOBJ, NFPROTO_INET,
				   NLM_F_DUMP, fill_table_name, NULL, obj_cb,
				   &d);
	if (ret == 0)
		ret = nft_dump_run(nft, NFT_MSG_GETRULE, NFPROTO_INET,
				   NLM_F_DUMP, fill_table_name, NULL, rule_cb,
				   &d);
	if (ret == 0)
		ret = d.err;
	free(d.sets);
	if (fclose(d.f) != 0 && ret == 0)
		ret = -ENOMEM;
	if (ret < 0) {
		free(text);
		return ret;
	}
	*ret_text = text;
	return 0;
}
