/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The writer session of table inet zoned: open the sockets, apply a plan
 * in one batch (incrementally: against this session's snapshot while it
 * owns the table, else against what a dump finds, elements included,
 * nft_dump_elems.c; a large load's new sets filled first, nft_stage.c),
 * and install the lockdown table.
 */

#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/common.h>
#include <libnftnl/table.h>

#include <zone/diag.h>
#include <zone/model.h>
#include <zone/ruleset.h>

#include "nft_sess.h"

#define APPLY_TRIES 3
#define RCVBUF (4 << 20)

static struct mnl_socket *sock_open(bool writer)
{
	struct mnl_socket *nl;
	int one = 1;
	int rcv = RCVBUF;

	nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = errno;

		mnl_socket_close(nl);
		errno = err;
		return NULL;
	}
	/* failures here only cost detail in error messages */
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	if (writer) {
		mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
		if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET,
			       SO_RCVBUFFORCE, &rcv, sizeof(rcv)))
			setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF,
				   &rcv, sizeof(rcv));
	}
	return nl;
}

/*
 * Would the kernel create a table with @flags?  A batch without END is
 * checked message by message and then aborted (what `nft -c` does), so
 * the probe table never exists.  The name is unique to the socket, so
 * that it never meets a real table.  Returns 0, or the kernel's -errno.
 */
static int probe_flags(struct zone_nft *nft, uint32_t flags)
{
	struct timeval tv = { .tv_sec = 5 };
	uint32_t portid = mnl_socket_get_portid(nft->rd);
	uint32_t seq = ++nft->seq;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_table *t;
	struct nlmsghdr *nlh;
	char name[32];
	size_t len;
	int ret;

	t = nftnl_table_alloc();
	if (!t)
		return -ENOMEM;
	snprintf(name, sizeof(name), "zoned-probe-%u", portid);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
	nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, flags);
	nlh = nftnl_batch_begin(buf, seq);
	len = nlh->nlmsg_len;
	nlh = nftnl_nlmsg_build_hdr(buf + len, NFT_MSG_NEWTABLE, NFPROTO_INET,
				    NLM_F_CREATE | NLM_F_ACK, seq);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	len += nlh->nlmsg_len;
	/* a reply is certain, but a probe must never hang the start */
	setsockopt(mnl_socket_get_fd(nft->rd), SOL_SOCKET, SO_RCVTIMEO, &tv,
		   sizeof(tv));
	if (mnl_socket_sendto(nft->rd, buf, len) < 0)
		ret = -errno;
	else
		ret = nft_recv_done(nft->rd, buf, sizeof(buf), seq, NULL, NULL);
	tv.tv_sec = 0;
	setsockopt(mnl_socket_get_fd(nft->rd), SOL_SOCKET, SO_RCVTIMEO, &tv,
		   sizeof(tv));
	return ret;
}

/*
 * Owner and persist together, or a plain table: owner alone would take
 * the table with it when zoned exits.  ZONED_NFT_NO_OWNER (zoned(8)) asks
 * for the plain table on any kernel, so that tests can see what older
 * kernels give.
 */
static int probe_protection(struct zone_nft *nft)
{
	int ret;

	nft->table_flags = 0;
	if (getenv("ZONED_NFT_NO_OWNER"))
		return 0;
	ret = probe_flags(nft, NFT_TABLE_F_OWNER | NFT_TABLE_F_PERSIST);
	if (ret == 0)
		nft->table_flags = NFT_TABLE_F_OWNER | NFT_TABLE_F_PERSIST;
	else if (ret != -EOPNOTSUPP && ret != -EINVAL)
		return ret;
	return 0;
}

enum zone_nft_protection zone_nft_protection(const struct zone_nft *nft)
{
	if (nft->table_flags & NFT_TABLE_F_PERSIST)
		return ZONE_NFT_OWNER_PERSIST;
	return ZONE_NFT_MONITOR_ONLY;
}

const char *zone_nft_protection_name(enum zone_nft_protection p)
{
	return p == ZONE_NFT_OWNER_PERSIST ? "owner-persist" : "monitor-only";
}

int zone_nft_set_signature(struct zone_nft *nft, const char *sig)
{
	const char *p;

	if (strlen(sig) >= sizeof(nft->sig))
		return -EINVAL;
	for (p = sig; *p; p++) {
		if (*p < 0x20 || *p > 0x7e)
			return -EINVAL;
	}
	strcpy(nft->sig, sig);
	return 0;
}

/**
 * zone_nft_open - open the long-lived writer socket (and a reader)
 *
 * Probes which table flags the kernel takes (zone_nft_protection()).
 * The table is created by the first apply with them, bound to the writer
 * socket.  Returns NULL with errno set.
 */
struct zone_nft *zone_nft_open(void)
{
	struct zone_nft *nft;
	int err;

	nft = calloc(1, sizeof(*nft));
	if (!nft)
		return NULL;
	nft->wr = sock_open(true);
	if (!nft->wr)
		goto out_err;
	nft->rd = sock_open(false);
	if (!nft->rd)
		goto out_err;
	nft->seq = (uint32_t)time(NULL);
	err = probe_protection(nft);
	if (err < 0) {
		errno = -err;
		goto out_err;
	}
	return nft;

out_err:
	err = errno;
	zone_nft_close(nft);
	errno = err;
	return NULL;
}

/* zone_nft_close - close the sockets; the table stays. NULL is fine */
void zone_nft_close(struct zone_nft *nft)
{
	if (!nft)
		return;
	if (nft->wr)
		mnl_socket_close(nft->wr);
	if (nft->rd)
		mnl_socket_close(nft->rd);
	nft_kstate_free(nft->snap);
	nft_stage_forget(nft);
	free(nft);
}

/*
 * The state to diff against: our snapshot while the table is still ours
 * (OWNER keeps every other writer out), else whatever a dump finds.  A
 * table without our signature is not ours, whatever its flags: it is
 * replaced, never adopted.  *@ret_read: the elements of a dumped table's
 * sets came from the kernel or an earlier session's record.
 */
static int apply_kstate(struct zone_nft *nft, const struct zone_ruleset *rs,
			uint32_t genid, struct nft_kstate **ret_ks,
			bool *ret_owned, bool *ret_read)
{
	char sig[NFT_SIG_LEN + 16] = "";
	uint32_t flags = 0;
	uint32_t owner = 0;
	int ret;

	*ret_owned = false;
	*ret_read = false;
	ret = nft_table_get(nft, &flags, &owner);
	if (ret < 0 && ret != -ENOENT)
		return ret;
	if (ret == 0 && nft->sig[0]) {
		ret = nft_table_sig(nft, sig, sizeof(sig));
		if (ret < 0 && ret != -ENOENT)
			return ret;
		if (ret == 0 && strcmp(sig, nft->sig) != 0) {
			nft_kstate_free(nft->snap);
			nft->snap = NULL;
			ret = nft_dump_kstate(nft, ret_ks);
			if (ret == 0)
				(*ret_ks)->replace = (*ret_ks)->exists;
			return ret;
		}
		ret = 0;
	}
	/*
	 * Ours alone: an owned table, or any table while the generation is
	 * still the one our last commit left (a plain table on kernels
	 * without PERSIST, ZONE_NFT_MONITOR_ONLY).  A commit after this
	 * check fails the batch, which carries @genid.
	 */
	if (ret == 0 && nft->snap &&
	    (((flags & NFT_TABLE_F_OWNER) && owner == zone_nft_portid(nft)) ||
	     (nft->applied_gen && genid == nft->applied_gen))) {
		*ret_owned = true;
		*ret_ks = nft->snap;
		return 0;
	}
	nft_kstate_free(nft->snap);
	nft->snap = NULL;
	ret = nft_dump_kstate(nft, ret_ks);
	if (ret == 0)
		(*ret_ks)->flags = flags;
	/* an orphan of ours keeps PERSIST and is adopted by NEWTABLE; a
	 * plain table cannot take OWNER: replace it where we want OWNER */
	if (ret == 0 && (*ret_ks)->exists &&
	    (nft->table_flags & NFT_TABLE_F_OWNER) &&
	    !(flags & (NFT_TABLE_F_OWNER | NFT_TABLE_F_PERSIST)))
		(*ret_ks)->replace = true;
	/* a table we keep: diff against its elements, as an earlier
	 * session recorded them (nft_trust.c) or as a dump reads them
	 * (nft_dump_elems.c) */
	if (ret == 0 && (*ret_ks)->exists && !(*ret_ks)->replace &&
	    !nft->elems_refill) {
		*ret_read = true;
		if (nft_trust_holds(nft, rs, genid))
			nft_trust_record(*ret_ks, rs);
		else
			ret = nft_dump_kstate_elems(nft, *ret_ks, rs);
		if (ret < 0) {
			nft_kstate_free(*ret_ks);
			*ret_ks = NULL;
		}
	}
	return ret;
}

static int apply_once(struct zone_nft *nft, const struct zone_ruleset *rs,
		      struct zone_diag *diag)
{
	const char *file = rs->model ? zone_model_file(rs->model) : NULL;
	struct nft_kstate *ks = NULL;
	struct nft_batch *b;
	uint32_t genid = 0;
	bool owned = false;
	bool empty = false;
	bool dumped = false;
	int ret;

	ret = nft_getgen(nft, &genid);
	if (ret == 0)
		ret = apply_kstate(nft, rs, genid, &ks, &owned, &dumped);
	if (ret < 0)
		return ret;
	ret = nft_stage_fill(nft, rs, ks, &genid, file, diag);
	if (ret != 0 && owned) {
		/* @ks now tells what the stages added: not our snapshot */
		nft->snap = NULL;
		owned = false;
	}
	if (ret < 0)
		goto out_ks;
	b = nft_batch_new(nft->seq + 1);
	if (!b) {
		ret = -ENOMEM;
		goto out_ks;
	}
	nft_batch_set_table(b, nft->table_flags, nft->sig);
	ret = nft_batch_plan(b, rs, ks, genid, &empty);
	if (ret == 0 && empty) {
		nft->committed = false;
		nft->applied_gen = genid;
		goto out_batch;
	}
	if (ret == 0 && dumped) {
		/*
		 * A diff against dumped elements that the kernel refuses
		 * is made again as a flush and refill of every set, as
		 * when they are unknown: its errors are then the ones
		 * reported.
		 */
		struct zone_diag *scratch = zone_diag_new();

		ret = scratch ? nft_batch_send(b, mnl_socket_get_fd(nft->wr),
					       file, scratch) :
				-ENOMEM;
		zone_diag_free(scratch);
		if (ret < 0 && ret != -ERESTART && ret != -ENOMEM) {
			nft->elems_refill = true;
			ret = -ERESTART;
		}
	} else if (ret == 0) {
		ret = nft_batch_send(b, mnl_socket_get_fd(nft->wr), file, diag);
	}
	nft->seq = nft_batch_next_seq(b);
	if (ret == 0) {
		nft->committed = true;
		nft->commits++;
		nft->genid_before = genid;
		/* the kernel skips 0 */
		nft->applied_gen = genid + 1 ? genid + 1 : 1;
		/* every set the stages filled is referenced now */
		nft_stage_forget(nft);
		/* @ks may be the old snapshot: replace it, free it below */
		nft->snap = nft_kstate_snapshot(rs);
		owned = false;
	} else if (ret != -ERESTART && owned) {
		/* unknown what the kernel holds now: dump next time */
		nft->snap = NULL;
		owned = false;
	}
out_batch:
	nft_batch_free(b);
out_ks:
	if (!owned)
		nft_kstate_free(ks);
	return ret;
}

/**
 * zone_nft_apply - make the kernel's table equal to @rs in one batch
 * @nft: the session
 * @rs: the plan
 * @diag: kernel errors as "FILE:LINE: message"; may be NULL
 *
 * The batch carries the genid it was computed at; when another writer
 * moved the generation in between, it is recomputed and sent again.  A
 * large first load is staged (nft_stage.c): its sets are filled, with no
 * rule referring to them, before the batch that switches.
 * Returns 0 or -errno; on error the kernel keeps the policy it had.
 */
int zone_nft_apply(struct zone_nft *nft, const struct zone_ruleset *rs,
		   struct zone_diag *diag)
{
	int tries;
	int ret = -ERESTART;

	nft->commits = 0;
	nft->elems_refill = false;
	for (tries = 0; tries < APPLY_TRIES && ret == -ERESTART; tries++)
		ret = apply_once(nft, rs, diag);
	/* what the table holds is not known to be any plan of ours */
	if (ret < 0)
		nft->applied_gen = 0;
	/* an earlier session's record holds for one apply at most */
	nft->trust_gen = 0;
	if (ret == -ERESTART && diag)
		zone_diag_add(diag, NULL, 0,
			      "the ruleset kept changing under zoned");
	return ret;
}

/**
 * zone_nft_lockdown - install the lockdown table
 * @nft: the session
 *
 * Every new forward is dropped and logged ("zoned lockdown"), replies of
 * existing flows pass.  The table is owned and persists like any other.
 * Returns 0 or -errno.
 */
int zone_nft_lockdown(struct zone_nft *nft)
{
	struct zone_ruleset *rs;
	int ret;

	rs = nft_plan_lockdown();
	if (!rs)
		return -errno;
	ret = zone_nft_apply(nft, rs, NULL);
	zone_ruleset_free(rs);
	/* the snapshot outlives @rs: it copies the names and holds its own
	 * references to the element lists */
	return ret;
}
