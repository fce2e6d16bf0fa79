/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONE_RULESET_H
#define ZONE_RULESET_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <zone/addr.h>
#include <zone/diag.h>
#include <zone/model.h>
#include <zone/sha256.h>

/*
 * The model compiled into the objects of table inet zoned (doc/design.md
 * section 3), and the netlink session that writes them to the kernel.
 */

struct zone_ruleset;
struct zone_nft;

/* the index of interface @name, or 0 when there is none */
typedef unsigned int (*zone_ifindex_fn)(const char *name, void *arg);

/**
 * struct zone_compile_args - what a compile takes besides the model
 * @isolated: hosts or networks cut off from every other segment
 *            (zonectl isolate); copied.  NULL with @n_isolated 0: none
 * @n_isolated: number of entries in @isolated
 * @now: channels expired at @now are left out
 * @ifindex: where the interfaces' indexes come from; NULL: none known
 * @ifindex_arg: passed to @ifindex
 *
 * The established path binds a packet to its flow's interfaces first by
 * index (set flowbind: one lookup of 16 bytes), and only when that misses
 * by name.  A compile fills flowbind with the interfaces @ifindex knows
 * at that moment; a caller that passes one keeps the set in step by
 * compiling again when an interface appears, goes or is renamed.  Without
 * one (zoned -T, zonectl) flowbind is empty and every established packet
 * is bound by name, as strictly and more slowly.
 */
struct zone_compile_args {
	const struct zone_prefix *isolated;
	size_t n_isolated;
	time_t now;
	zone_ifindex_fn ifindex;
	void *ifindex_arg;
};

/**
 * zone_ruleset_compile - compile a model into a ruleset
 * @model: borrowed; must outlive the ruleset
 * @args: the rest of the input (struct zone_compile_args); read only
 *        during the call
 *
 * Returns the ruleset, or NULL with errno set.
 */
struct zone_ruleset *zone_ruleset_compile(const struct zone_model *model,
					  const struct zone_compile_args *args);

/* zone_ruleset_free - release a ruleset; NULL is fine */
void zone_ruleset_free(struct zone_ruleset *rs);

/* zone_ruleset_print - the plan summary `zoned -T` shows; 0 or -errno */
int zone_ruleset_print(const struct zone_ruleset *rs, FILE *out);

/**
 * zone_nft_open - open the long-lived writer socket
 *
 * Probes the kernel (a batch that is never committed): where it takes
 * the owner and persist flags together (Linux 6.9 and later) the table
 * is created with both, bound to this socket: other writers get EPERM,
 * and the table stays when the socket closes.  Elsewhere the table is
 * plain, since owner alone would delete it when zoned exits; the drift
 * monitor is then what guards it.  Returns NULL with errno set.
 */
struct zone_nft *zone_nft_open(void);

/* What keeps other writers away from the table. */
enum zone_nft_protection {
	ZONE_NFT_OWNER_PERSIST,	/* the kernel refuses other writers */
	ZONE_NFT_MONITOR_ONLY,	/* plain table, repaired on drift */
};

/* zone_nft_protection - what the probe found */
enum zone_nft_protection zone_nft_protection(const struct zone_nft *nft);

/* zone_nft_protection_name - "owner-persist" or "monitor-only" */
const char *zone_nft_protection_name(enum zone_nft_protection p);

/**
 * zone_nft_set_signature - the signature the table is created with
 * @sig: printable text up to 47 bytes, kept as the comment of the
 *       table's user data (copied)
 *
 * A live table whose signature differs is not zoned's: the next apply
 * deletes it and creates ours in the same batch.  The kernel keeps the
 * user data a table was created with, so the signature names the table,
 * not the policy in it.  Returns 0 or -EINVAL.
 */
int zone_nft_set_signature(struct zone_nft *nft, const char *sig);

/**
 * zone_nft_table_signature - the signature of the live table
 * @buf: receives it, "" when the table has none
 * Returns 0, -ENOENT when there is no table, or another -errno.
 */
int zone_nft_table_signature(struct zone_nft *nft, char *buf, size_t size);

/**
 * zone_nft_describe - the live table as text, one line per object
 * @ret_text: the caller frees it
 *
 * Equal texts mean nobody changed the table in between: counter values,
 * handles and the owner flag are left out, and the elements of sets of
 * more than 4096 elements are not read.  Returns 0, -ENOENT without a
 * table, or -errno.
 */
int zone_nft_describe(struct zone_nft *nft, char **ret_text);

/* zone_nft_close - close the socket; the table stays. NULL is fine */
void zone_nft_close(struct zone_nft *nft);

/* zone_nft_portid - the netlink port id of the writer socket */
uint32_t zone_nft_portid(const struct zone_nft *nft);

/*
 * zone_nft_generation - the ruleset generation of the namespace
 * (NFT_MSG_GETGEN): the kernel moves it once per committed batch of any
 * writer.  Returns 0 or -errno.
 */
int zone_nft_generation(struct zone_nft *nft, uint32_t *ret_gen);

/*
 * zone_nft_commits - how many transactions the last zone_nft_apply()
 * committed, whatever it returned: one per batch, so the stages of a
 * staged load count too, and a load that failed after some stages
 * counts them.  The generation moved by this much through zoned.
 */
unsigned int zone_nft_commits(const struct zone_nft *nft);

/*
 * zone_nft_applied_generation - the ruleset generation at which the
 * table was exactly the plan of the last zone_nft_apply() (the one its
 * commit made, or the one at which nothing needed to change); 0 when that
 * apply failed or none ran.
 */
uint32_t zone_nft_applied_generation(const struct zone_nft *nft);

/*
 * zone_ruleset_elems_digest - sha256, in hex, of the elements of @rs's
 * sets (the timed sets of names left out): equal digests, equal elements
 */
void zone_ruleset_elems_digest(const struct zone_ruleset *rs,
			       char hex[SHA256_HEX_LEN]);

/*
 * zone_nft_trust - an earlier session's record: at generation @genid the
 * table was a plan whose elements digest to @digest.  The next
 * zone_nft_apply(), and only that one, takes the sets' elements to be its
 * own plan's, without reading them back, when the generation is still
 * @genid and its plan digests the same (nft_trust.c): a restart onto a
 * table nobody changed then sends no element.  Otherwise the sets are
 * read back, or flushed and refilled, as always.
 */
void zone_nft_trust(struct zone_nft *nft, uint32_t genid, const char *digest);

/**
 * zone_nft_apply - make the kernel's table equal to @rs in one batch
 * @diag: kernel errors, mapped to "FILE:LINE: message" of the config
 *        object that caused them; may be NULL
 *
 * Atomic: on any error the kernel keeps the policy it had.  Only what
 * differs from the table this session last committed is sent: element
 * changes alone when only networks or isolations changed, else the rules
 * are flushed and rebuilt in the same batch (named counters survive).
 * An orphaned table of an earlier run is adopted; a table another tool
 * made is replaced within the batch.  When the batch would add more than
 * ZONED_NFT_STAGE_ELEMS elements to sets the table lacks, those sets are
 * made and filled first, unreferenced, in transactions of that many
 * elements (zone_nft_commits()), and the switch to the new policy is the
 * last one; a failure may leave such unreferenced sets, which filter
 * nothing and which the next apply fills again or deletes.
 * Returns 0 or -errno.
 */
int zone_nft_apply(struct zone_nft *nft, const struct zone_ruleset *rs,
		   struct zone_diag *diag);

/**
 * zone_nft_lockdown - install the lockdown table: every new cross-zone
 * forward dropped and logged.  Used when no valid policy can be applied
 * and no table exists.  Returns 0 or -errno.
 */
int zone_nft_lockdown(struct zone_nft *nft);

/* zone_nft_table_exists - 1, 0, or -errno */
int zone_nft_table_exists(struct zone_nft *nft);

/**
 * zone_nft_verify - read the live table back and compare it with @rs
 * @diag: one line per difference (not NULL)
 *
 * Checks the table's flags and owner, that the generation advanced with
 * the last batch, and the counts of chains, rules per chain, sets,
 * counters and (for sets up to a few thousand) elements.
 * Returns 0 when they match, -EUCLEAN when they differ, or -errno.
 */
int zone_nft_verify(struct zone_nft *nft, const struct zone_ruleset *rs,
		    struct zone_diag *diag);

/*
 * A named counter of the table: "chan_<channel>" for a channel,
 * "pair_<src>_<dst>" for a segment pair (segment names; "_<index>" for a
 * name that is not [A-Za-z0-9-], "_unassigned" for addresses no network
 * names when the config has no internet attachment).
 */
struct zone_counter {
	char name[96];
	uint64_t packets;
	uint64_t bytes;
};

/**
 * zone_nft_counters - read every counter of the table
 * @ret_counters: an array the caller frees with free()
 * Returns 0 or -errno.
 */
int zone_nft_counters(struct zone_nft *nft, struct zone_counter **ret_counters,
		      size_t *ret_n);

#endif
