/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The writer session of table inet zoned: open the sockets, apply a plan
 * in one batch (incrementally when this session committed the previous
 * one and still owns the table), and install the lockdown table.
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>

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

/**
 * zone_nft_open - open the long-lived writer socket (and a reader)
 *
 * The table is created by the first apply with the owner and persist
 * flags, bound to the writer socket.  Returns NULL with errno set.
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
	free(nft);
}

uint32_t zone_nft_portid(const struct zone_nft *nft)
{
	return mnl_socket_get_portid(nft->wr);
}

/*
 * The state to diff against: our snapshot while the table is still ours
 * (OWNER keeps every other writer out), else whatever a dump finds.
 */
static int apply_kstate(struct zone_nft *nft, struct nft_kstate **ret_ks,
			bool *ret_owned)
{
	uint32_t flags = 0;
	uint32_t owner = 0;
	int ret;

	*ret_owned = false;
	ret = nft_table_get(nft, &flags, &owner);
	if (ret < 0 && ret != -ENOENT)
		return ret;
	if (ret == 0 && nft->snap && (flags & NFT_TABLE_F_OWNER) &&
	    owner == zone_nft_portid(nft)) {
		*ret_owned = true;
		*ret_ks = nft->snap;
		return 0;
	}
	nft_kstate_free(nft->snap);
	nft->snap = NULL;
	ret = nft_dump_kstate(nft, ret_ks);
	/* an orphan of ours keeps PERSIST and is adopted by NEWTABLE; a
	 * table another tool made cannot take OWNER: replace it */
	if (ret == 0 && (*ret_ks)->exists &&
	    !(flags & (NFT_TABLE_F_OWNER | NFT_TABLE_F_PERSIST)))
		(*ret_ks)->replace = true;
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
	int ret;

	ret = nft_getgen(nft, &genid);
	if (ret == 0)
		ret = apply_kstate(nft, &ks, &owned);
	if (ret < 0)
		return ret;
	b = nft_batch_new(nft->seq + 1);
	if (!b) {
		ret = -ENOMEM;
		goto out_ks;
	}
	ret = nft_batch_plan(b, rs, ks, genid, &empty);
	if (ret == 0 && empty) {
		nft->committed = false;
		goto out_batch;
	}
	if (ret == 0)
		ret = nft_batch_send(b, mnl_socket_get_fd(nft->wr), file, diag);
	nft->seq = nft_batch_next_seq(b);
	if (ret == 0) {
		nft->committed = true;
		nft->genid_before = genid;
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
 * moved the generation in between, it is recomputed and sent again.
 * Returns 0 or -errno; on error the kernel keeps the table it had.
 */
int zone_nft_apply(struct zone_nft *nft, const struct zone_ruleset *rs,
		   struct zone_diag *diag)
{
	int tries;
	int ret = -ERESTART;

	for (tries = 0; tries < APPLY_TRIES && ret == -ERESTART; tries++)
		ret = apply_once(nft, rs, diag);
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
	/* the snapshot outlives @rs and stays valid: it is a deep copy */
	return ret;
}
