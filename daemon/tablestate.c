/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What zoned last applied, kept across restarts, so that tampering done
 * while it was stopped leaves evidence (a drift alert at the next start)
 * and a failed start keeps only a table that is zoned's and unchanged.
 *
 * The table carries a signature, "zoned " and 32 random hex digits, in
 * its user data (shown by `nft list` as its comment).  The kernel keeps
 * the user data a table was created with, so the signature names the
 * table, not the policy; the policy hash and a description of the whole
 * table (zone_nft_describe()) as it stood after the last apply go to
 * STATE_DIR/table, with the boot and network namespace they belong to:
 * a table that is missing after a reboot is not tampering.
 */
#include <sys/random.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zone/mark.h>
#include <zone/ruleset.h>

#include "alert.h"
#include "log.h"
#include "stats.h"
#include "tablestate.h"
#include "zoned.h"

#define TABLESTATE_FILE "table"
#define TABLESTATE_MAGIC "zoned-table 2"

/*
 * Where a table lives: a boot (its boot_id, or, where /proc/sys is hidden
 * as under systemd's ProcSubset=pid, the time it started) and a network
 * namespace.
 */
struct world {
	char boot[40]; /* "" when unknown */
	long long booted; /* real time of the boot, in seconds */
	unsigned long long netns;
};

/* Within this, two boot times are one boot: the clock may have moved. */
#define BOOTED_SLACK 60

struct tablestate {
	char *path;
	struct world world; /* of this process */
	/* the record of the last apply, as read at start */
	bool have_record;
	struct world rec_world;
	char rec_sig[64];
	char rec_policy[80];
	/* the generation at which the table was the plan recorded, and the
	 * digest of that plan's elements (zone_nft_trust()) */
	unsigned long rec_gen;
	char rec_elems[SHA256_HEX_LEN];
	char *rec_text;
	/* found at start, reported once the outcome is known */
	bool drift;
	char change[32];
	char detail[256];
	bool intact; /* the live table is ours and unchanged */
	char sig[64];
};

static void read_world(struct world *w)
{
	struct timespec rt;
	struct timespec up;
	struct stat st;
	FILE *f;

	memset(w, 0, sizeof(*w));
	f = fopen("/proc/sys/kernel/random/boot_id", "re");
	if (f != NULL) {
		if (fgets(w->boot, sizeof(w->boot), f) == NULL)
			w->boot[0] = '\0';
		w->boot[strcspn(w->boot, "\n")] = '\0';
		fclose(f);
	}
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &up);
	w->booted = (long long)rt.tv_sec - (long long)up.tv_sec;
	if (stat("/proc/self/ns/net", &st) == 0)
		w->netns = (unsigned long long)st.st_ino;
}

/* the same boot and network namespace; unknown ones never are */
static bool same_world(const struct world *a, const struct world *b)
{
	long long d = a->booted - b->booted;

	if (a->netns == 0 || a->netns != b->netns)
		return false;
	if (a->boot[0] && b->boot[0])
		return strcmp(a->boot, b->boot) == 0;
	return a->booted > 0 && b->booted > 0 && d <= BOOTED_SLACK &&
	       d >= -BOOTED_SLACK;
}

/* key VALUE lines up to "--", then the description to the end */
static int parse_record(struct tablestate *ts, char *buf)
{
	char *line = buf;
	char *end;

	if (strncmp(buf, TABLESTATE_MAGIC "\n", strlen(TABLESTATE_MAGIC) + 1))
		return -EINVAL;
	line += strlen(TABLESTATE_MAGIC) + 1;
	while ((end = strchr(line, '\n')) != NULL) {
		*end = '\0';
		if (strcmp(line, "--") == 0) {
			ts->rec_text = strdup(end + 1);
			return ts->rec_text ? 0 : -ENOMEM;
		}
		if (strncmp(line, "boot ", 5) == 0 && strcmp(line + 5, "-"))
			snprintf(ts->rec_world.boot, sizeof(ts->rec_world.boot),
				 "%s", line + 5);
		else if (strncmp(line, "booted ", 7) == 0)
			ts->rec_world.booted = strtoll(line + 7, NULL, 10);
		else if (strncmp(line, "netns ", 6) == 0)
			ts->rec_world.netns = strtoull(line + 6, NULL, 10);
		else if (strncmp(line, "signature ", 10) == 0)
			snprintf(ts->rec_sig, sizeof(ts->rec_sig), "%s",
				 line + 10);
		else if (strncmp(line, "policy ", 7) == 0)
			snprintf(ts->rec_policy, sizeof(ts->rec_policy), "%s",
				 line + 7);
		else if (strncmp(line, "generation ", 11) == 0)
			ts->rec_gen = strtoul(line + 11, NULL, 10);
		else if (strncmp(line, "elements ", 9) == 0)
			snprintf(ts->rec_elems, sizeof(ts->rec_elems), "%s",
				 line + 9);
		line = end + 1;
	}
	return -EINVAL;
}

static int load_record(struct tablestate *ts)
{
	char *buf = NULL;
	size_t cap = 0;
	size_t len = 0;
	size_t n;
	FILE *f;
	int ret;

	f = fopen(ts->path, "re");
	if (f == NULL)
		return errno == ENOENT ? 0 : -errno;
	do {
		if (cap - len < 4096) {
			char *p = realloc(buf, cap + 65536);

			if (p == NULL) {
				ret = -ENOMEM;
				goto out;
			}
			buf = p;
			cap += 65536;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	buf[len] = '\0';
	ret = ferror(f) ? -EIO : parse_record(ts, buf);
	if (ret == 0)
		ts->have_record = true;
out:
	free(buf);
	fclose(f);
	return ret;
}

static int new_signature(char *sig, size_t size)
{
	unsigned char r[16];
	size_t i;
	int n;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return -errno;
	n = snprintf(sig, size, "zoned ");
	for (i = 0; i < sizeof(r); i++)
		n += snprintf(sig + n, size - (size_t)n, "%02x", r[i]);
	return 0;
}

/* Only one side's lines: what was added or deleted, by the first such. */
static bool line_in(const char *text, const char *line, size_t len)
{
	const char *p = text;

	while (p && *p) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == len && memcmp(p, line, len) == 0)
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

static bool first_unmatched(const char *a, const char *b, const char **ret,
			    size_t *ret_len)
{
	const char *p = a;

	while (p && *p) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (!line_in(b, p, l)) {
			*ret = p;
			*ret_len = l;
			return true;
		}
		p = e ? e + 1 : NULL;
	}
	return false;
}

/* Name the first difference: change=new-rule, detail=the line. */
static void describe_change(struct tablestate *ts, const char *old,
			    const char *now)
{
	const char *line = NULL;
	const char *verb = "new";
	size_t len = 0;
	size_t w;

	if (!first_unmatched(now, old, &line, &len)) {
		verb = "delete";
		if (!first_unmatched(old, now, &line, &len)) {
			snprintf(ts->change, sizeof(ts->change), "reorder");
			return;
		}
	}
	w = strcspn(line, " \n");
	if (w > 16)
		w = 16;
	if (w == 5 && strncmp(line, "table", 5) == 0)
		snprintf(ts->change, sizeof(ts->change), "table-flags");
	else
		snprintf(ts->change, sizeof(ts->change), "%s-%.*s", verb,
			 (int)w, line);
	if (len >= sizeof(ts->detail))
		len = sizeof(ts->detail) - 1;
	snprintf(ts->detail, sizeof(ts->detail), "%.*s", (int)len, line);
}

static void found_drift(struct tablestate *ts, const char *change,
			const char *detail)
{
	ts->drift = true;
	snprintf(ts->change, sizeof(ts->change), "%s", change);
	snprintf(ts->detail, sizeof(ts->detail), "%s", detail);
}

/*
 * Two equal descriptions in a row: right after a commit the kernel may
 * still be releasing what the batch replaced, and a dump that spans
 * several messages can then see it.  Returns 0 (the last read when they
 * never agreed), -ENOENT or -errno.
 */
static int describe_stable(struct zoned *z, char **ret_text)
{
	char *prev = NULL;
	char *text = NULL;
	int tries;
	int ret;

	for (tries = 0; tries < 4; tries++) {
		ret = zone_nft_describe(z->nft, &text);
		if (ret < 0)
			break;
		if (prev != NULL && strcmp(prev, text) == 0)
			break;
		free(prev);
		prev = text;
		text = NULL;
	}
	if (ret < 0) {
		free(prev);
		return ret;
	}
	if (text == NULL) {
		text = prev;
		prev = NULL;
	}
	free(prev);
	*ret_text = text;
	return 0;
}

/*
 * The changed table is about to be repaired: keep its description beside
 * the record (STATE_DIR/table.drift) for whoever investigates.
 */
static void keep_evidence(const struct tablestate *ts, const char *text)
{
	char *path = NULL;
	FILE *f;

	if (asprintf(&path, "%s.drift", ts->path) < 0)
		return;
	f = fopen(path, "we");
	if (f == NULL) {
		log_warn("%s", path);
	} else {
		fputs(text, f);
		if (fclose(f) != 0)
			log_warn("%s", path);
	}
	free(path);
}

/* Compare the live table with the record; decide the signature. */
static int judge_live(struct zoned *z, struct tablestate *ts)
{
	char live_sig[80] = "";
	char *text = NULL;
	int ret;

	ret = zone_nft_table_signature(z->nft, live_sig, sizeof(live_sig));
	if (ret == -ENOENT) {
		if (ts->have_record && same_world(&ts->rec_world, &ts->world))
			found_drift(
				ts, "delete-table",
				"table inet zoned was deleted while zoned was stopped");
		return 0;
	}
	if (ret < 0)
		return ret;
	if (!ts->have_record || strcmp(live_sig, ts->rec_sig) != 0) {
		found_drift(
			ts, "foreign-table",
			live_sig[0] ?
				"the table's signature is not the one zoned applied" :
				"the table has no zoned signature");
		return 0;
	}
	snprintf(ts->sig, sizeof(ts->sig), "%s", ts->rec_sig);
	ret = describe_stable(z, &text);
	if (ret < 0)
		return ret;
	if (strcmp(text, ts->rec_text) == 0) {
		ts->intact = true;
		/* the sets too, if nothing was committed since (nft_trust.c) */
		if (same_world(&ts->rec_world, &ts->world) &&
		    ts->rec_gen <= UINT32_MAX)
			zone_nft_trust(z->nft, (uint32_t)ts->rec_gen,
				       ts->rec_elems);
	} else {
		ts->drift = true;
		describe_change(ts, ts->rec_text, text);
		keep_evidence(ts, text);
	}
	free(text);
	return 0;
}

/**
 * tablestate_start - before the first apply: read the record of the last
 * apply, compare the live table with it and pick the table's signature
 * (the recorded one when the live table bears it, else a new one)
 *
 * Returns 0 or -errno (then the signature is new and nothing is known).
 */
int tablestate_start(struct zoned *z)
{
	struct tablestate *ts;
	int ret;

	ts = calloc(1, sizeof(*ts));
	if (ts == NULL)
		return -ENOMEM;
	z->tstate = ts;
	if (asprintf(&ts->path, "%s/%s", z->state_dir, TABLESTATE_FILE) < 0) {
		ts->path = NULL;
		return -ENOMEM;
	}
	read_world(&ts->world);
	ret = load_record(ts);
	if (ret < 0)
		log_warnx("%s: %s, starting without it", ts->path,
			  strerror(-ret));
	ret = judge_live(z, ts);
	if (ts->sig[0] == '\0') {
		int err = new_signature(ts->sig, sizeof(ts->sig));

		if (err < 0)
			return err;
	}
	zone_nft_set_signature(z->nft, ts->sig);
	return ret;
}

/**
 * tablestate_keep - after a failed start: is the live table zoned's own
 * and exactly as zoned last applied it?  Only then is it kept.
 */
bool tablestate_keep(const struct zoned *z)
{
	return z->tstate != NULL && z->tstate->intact;
}

/**
 * tablestate_report - raise the drift found at start, once its outcome
 * is known (@action: "restored", "lockdown", ...)
 */
void tablestate_report(struct zoned *z, const char *action)
{
	struct tablestate *ts = z->tstate;

	if (ts == NULL || !ts->drift)
		return;
	ts->drift = false;
	log_warnx("table inet zoned changed while zoned was stopped: %s (%s)",
		  ts->change, ts->detail);
	alert_emit(z->alerts, ALERT_DRIFT, "table",
		   ZONE_TABLE_FAMILY_NAME "/" ZONE_TABLE_NAME, "change",
		   ts->change, "action", action, "when", "start", "detail",
		   ts->detail, NULL);
	stats_count(z->stats, STAT_DRIFT, NULL, NULL, 1);
}

static int write_record(struct tablestate *ts, const char *policy, uint32_t gen,
			const char *elems, const char *text)
{
	char *tmp = NULL;
	FILE *f;
	int ret = 0;
	int fd;

	if (asprintf(&tmp, "%s.tmp", ts->path) < 0)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		ret = -errno;
		close(fd);
		goto out_unlink;
	}
	fprintf(f,
		"%s\nboot %s\nbooted %lld\nnetns %llu\nsignature %s\n"
		"policy %s\napplied %lld\ngeneration %u\nelements %s\n--\n%s",
		TABLESTATE_MAGIC, ts->world.boot[0] ? ts->world.boot : "-",
		ts->world.booted, ts->world.netns, ts->sig, policy,
		(long long)time(NULL), gen, elems, text);
	if (fflush(f) != 0 || fsync(fd) < 0)
		ret = -errno;
	if (fclose(f) != 0 && ret == 0)
		ret = -errno;
	if (ret == 0 && rename(tmp, ts->path) < 0)
		ret = -errno;
out_unlink:
	if (ret < 0)
		unlink(tmp);
out:
	free(tmp);
	return ret;
}

/**
 * tablestate_save - after every apply that went through: describe the
 * live table and record it, with the generation at which it was the plan
 * @rs and the digest of @rs's elements, so that the next start can tell
 */
void tablestate_save(struct zoned *z, const char *policy,
		     const struct zone_ruleset *rs)
{
	struct tablestate *ts = z->tstate;
	char elems[SHA256_HEX_LEN] = "-";
	uint32_t gen = zone_nft_applied_generation(z->nft);
	char *text = NULL;
	int ret;

	if (ts == NULL || ts->path == NULL)
		return;
	if (rs != NULL && gen != 0)
		zone_ruleset_elems_digest(rs, elems);
	ret = describe_stable(z, &text);
	if (ret == 0) {
		mkdir(z->state_dir, 0700);
		ret = write_record(ts, policy, gen, elems, text);
	}
	if (ret < 0)
		log_warnx("cannot record the applied table in %s: %s, ignoring",
			  ts->path, strerror(-ret));
	free(text);
}

/* tablestate_free - NULL-safe */
void tablestate_free(struct zoned *z)
{
	struct tablestate *ts = z->tstate;

	if (ts == NULL)
		return;
	free(ts->path);
	free(ts->rec_text);
	free(ts);
	z->tstate = NULL;
}
