/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Emergency isolation, the state: the set of isolated hosts, networks,
 * zones and attachments, its state file, and the resolution of a target to
 * prefixes.  The commands that change it (zonectl isolate/release) are in
 * ctl_isolate.c; reload.c compiles isolation_prefixes() into the table.
 *
 * The set lives in a state file so that it outlasts reloads, restarts and
 * reboots until an operator releases it.  Every change is written to disk
 * first (temp file, fsync, rename, fsync of the directory), then put in
 * the kernel, then the live flows are cut: a crash at any point leaves the
 * isolation recorded, and the next start enforces it.
 *
 * State file, one isolation a line, tab-separated:
 *
 *   zoned-isolation 1
 *   SINCE <TAB> TARGET <TAB> PREFIX[,PREFIX...] <TAB> REASON
 *
 * PREFIX lists the networks a zone name resolved to when last written, so
 * that an isolated name that vanishes from the config stays isolated.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zone/addr.h>
#include <zone/model.h>

#include "isolation.h"

#define ISOLATION_FILE "isolation"
#define ISOLATION_MAGIC "zoned-isolation 1"
#define ISOLATION_MAX 256 /* entries */
#define ISOLATION_PREFIX_MAX 1024 /* prefixes of one entry */
#define ISOLATION_LINE_MAX 65536
/* a target is one argument of zonectl: CTL_ARG_MAX in ctlmsg.h */
#define ISOLATION_TARGET_MAX 1024

struct iso_entry {
	char *target;
	char *reason;
	time_t since;
	struct zone_prefix *prefixes;
	size_t n_prefixes;
};

struct isolation {
	char *dir;
	char *path;
	struct iso_entry *entries;
	size_t n;
	/* the flattened, disjoint list isolation_prefixes() hands out */
	struct zone_prefix *flat;
	size_t n_flat;
};

static void iso_entry_clear(struct iso_entry *e)
{
	free(e->target);
	free(e->reason);
	free(e->prefixes);
	memset(e, 0, sizeof(*e));
}

/**
 * isolation_free - release the set; NULL and half-built sets are fine
 */
void isolation_free(struct isolation *iso)
{
	size_t i;

	if (!iso)
		return;
	for (i = 0; i < iso->n; i++)
		iso_entry_clear(&iso->entries[i]);
	free(iso->entries);
	free(iso->flat);
	free(iso->path);
	free(iso->dir);
	free(iso);
}

/* A reason or target is one line of printable text (UTF-8 allowed). */
static bool iso_text_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	size_t i;

	if (n == 0 || n > max)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

/* Parse "P1,P2,..." (or "-" for none) into a new array. */
static int iso_parse_prefixes(char *list, struct zone_prefix **ret,
			      size_t *ret_n)
{
	struct zone_prefix *arr = NULL;
	size_t n = 0;
	char *save = NULL;
	char *tok;

	if (strcmp(list, "-") == 0) {
		*ret = NULL;
		*ret_n = 0;
		return 0;
	}
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		struct zone_prefix *tmp;

		if (n == ISOLATION_PREFIX_MAX)
			goto out_inval;
		tmp = realloc(arr, (n + 1) * sizeof(*arr));
		if (!tmp) {
			free(arr);
			return -ENOMEM;
		}
		arr = tmp;
		if (zone_prefix_parse(tok, &arr[n]) < 0)
			goto out_inval;
		n++;
	}
	if (n == 0)
		goto out_inval;
	*ret = arr;
	*ret_n = n;
	return 0;
out_inval:
	free(arr);
	return -EINVAL;
}

/* One line "SINCE\tTARGET\tPREFIXES\tREASON" into @e. */
static int iso_parse_line(char *line, struct iso_entry *e)
{
	char *field[4];
	char *end;
	long long since;
	size_t i;
	int ret;

	for (i = 0; i < 4; i++) {
		field[i] = line;
		line = i < 3 ? strchr(line, '\t') : NULL;
		if (i < 3) {
			if (!line)
				return -EINVAL;
			*line++ = '\0';
		}
	}
	errno = 0;
	since = strtoll(field[0], &end, 10);
	if (errno || *end || end == field[0] || since < 0)
		return -EINVAL;
	if (!iso_text_ok(field[1], ISOLATION_TARGET_MAX) ||
	    !iso_text_ok(field[3], ISOLATION_REASON_MAX))
		return -EINVAL;
	ret = iso_parse_prefixes(field[2], &e->prefixes, &e->n_prefixes);
	if (ret < 0)
		return ret;
	e->since = (time_t)since;
	e->target = strdup(field[1]);
	e->reason = strdup(field[3]);
	if (!e->target || !e->reason) {
		iso_entry_clear(e);
		return -ENOMEM;
	}
	return 0;
}

static int iso_append(struct isolation *iso, struct iso_entry *e)
{
	struct iso_entry *tmp;

	if (iso->n == ISOLATION_MAX)
		return -ENOSPC;
	tmp = realloc(iso->entries, (iso->n + 1) * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	iso->entries = tmp;
	iso->entries[iso->n++] = *e;
	memset(e, 0, sizeof(*e));
	return 0;
}

static int iso_read(struct isolation *iso, FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	bool first = true;
	int ret = 0;

	while ((len = getline(&line, &cap, f)) >= 0) {
		struct iso_entry e = { 0 };

		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > ISOLATION_LINE_MAX) {
			ret = -EINVAL;
			break;
		}
		if (first) {
			first = false;
			if (strcmp(line, ISOLATION_MAGIC) != 0) {
				ret = -EINVAL;
				break;
			}
			continue;
		}
		ret = iso_parse_line(line, &e);
		if (ret == 0)
			ret = iso_append(iso, &e);
		iso_entry_clear(&e);
		if (ret < 0)
			break;
	}
	if (ret == 0 && ferror(f))
		ret = -EIO;
	if (ret == 0 && first)
		ret = -EINVAL; /* empty file: written by something else */
	free(line);
	return ret;
}

/**
 * isolation_load - read the state file under @state_dir
 * @state_dir: the daemon's state directory; created later, on first write
 *
 * A missing file means nothing is isolated.  Returns the set, or NULL with
 * errno set: EINVAL when the file is damaged, ENOMEM, or the open error.
 */
struct isolation *isolation_load(const char *state_dir)
{
	struct isolation *iso;
	FILE *f;
	int ret = 0;

	iso = calloc(1, sizeof(*iso));
	if (!iso)
		return NULL;
	iso->dir = strdup(state_dir);
	if (!iso->dir ||
	    asprintf(&iso->path, "%s/%s", state_dir, ISOLATION_FILE) < 0) {
		iso->path = NULL;
		ret = -ENOMEM;
		goto out_free;
	}
	f = fopen(iso->path, "re");
	if (!f) {
		if (errno == ENOENT)
			return iso;
		ret = -errno;
		goto out_free;
	}
	ret = iso_read(iso, f);
	fclose(f);
	if (ret == 0)
		return iso;
out_free:
	isolation_free(iso);
	errno = -ret;
	return NULL;
}

static int iso_write_entries(const struct isolation *iso, FILE *f)
{
	char buf[ZONE_PREFIX_STRLEN];
	size_t i;
	size_t j;

	fprintf(f, "%s\n", ISOLATION_MAGIC);
	for (i = 0; i < iso->n; i++) {
		const struct iso_entry *e = &iso->entries[i];

		fprintf(f, "%lld\t%s\t", (long long)e->since, e->target);
		for (j = 0; j < e->n_prefixes; j++)
			fprintf(f, "%s%s", j ? "," : "",
				zone_prefix_format(&e->prefixes[j], buf,
						   sizeof(buf)));
		fprintf(f, "%s\t%s\n", e->n_prefixes ? "" : "-", e->reason);
	}
	if (fflush(f) == EOF || ferror(f))
		return -EIO;
	return 0;
}

static int iso_fsync_dir(const char *dir)
{
	int fd;
	int ret = 0;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * isolation_save - write the set atomically: a temp file in the same
 * directory, fsync'ed, renamed over the old one, then the directory
 * fsync'ed, so that a crash leaves either the old or the new set.
 */
static int isolation_save(const struct isolation *iso)
{
	char *tmp = NULL;
	FILE *f;
	int fd;
	int ret;

	if (mkdir(iso->dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (asprintf(&tmp, "%s/.%s.XXXXXX", iso->dir, ISOLATION_FILE) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out_free;
	}
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		goto out_unlink;
	}
	ret = iso_write_entries(iso, f);
	if (ret == 0 && fsync(fd) < 0)
		ret = -errno;
	if (fclose(f) == EOF && ret == 0)
		ret = -errno;
	if (ret == 0 && rename(tmp, iso->path) < 0)
		ret = -errno;
	if (ret == 0) {
		ret = iso_fsync_dir(iso->dir);
		goto out_free;
	}
out_unlink:
	unlink(tmp);
out_free:
	free(tmp);
	return ret;
}

/*
 * Resolve @target against @model: an address or prefix stands for itself
 * (written back in canonical form), a name for the networks of that zone
 * or attachment.  Returns 0, -ENOENT for an unknown name, or -EDOM for a
 * segment without networks (the catch-all internet), which no prefix can
 * describe.
 */
static int iso_resolve(const char *target, const struct zone_model *model,
		       char **ret_canon, struct zone_prefix **ret_arr,
		       size_t *ret_n)
{
	const struct zone_segment *seg;
	struct zone_prefix one;
	char buf[ZONE_PREFIX_STRLEN];
	size_t n;
	size_t i;

	if (zone_prefix_parse(target, &one) == 0) {
		*ret_arr = malloc(sizeof(one));
		*ret_canon = strdup(zone_prefix_format(&one, buf, sizeof(buf)));
		if (!*ret_arr || !*ret_canon)
			goto out_nomem;
		(*ret_arr)[0] = one;
		*ret_n = 1;
		return 0;
	}
	seg = model ? zone_model_segment_by_name(model, target) : NULL;
	if (!seg)
		return -ENOENT;
	n = zone_segment_network_count(seg);
	if (n == 0)
		return -EDOM;
	*ret_arr = calloc(n, sizeof(**ret_arr));
	*ret_canon = strdup(target);
	if (!*ret_arr || !*ret_canon)
		goto out_nomem;
	for (i = 0; i < n; i++)
		(*ret_arr)[i] = *zone_segment_network(seg, i);
	*ret_n = n;
	return 0;
out_nomem:
	free(*ret_arr);
	free(*ret_canon);
	return -ENOMEM;
}

/* Re-resolve named targets under a new model; failures keep the old list. */
static void iso_refresh(struct isolation *iso, const struct zone_model *model)
{
	size_t i;

	for (i = 0; i < iso->n; i++) {
		struct iso_entry *e = &iso->entries[i];
		struct zone_prefix probe;
		struct zone_prefix *arr;
		char *canon;
		size_t n;

		if (zone_prefix_parse(e->target, &probe) == 0)
			continue;
		if (iso_resolve(e->target, model, &canon, &arr, &n) < 0)
			continue;
		free(canon);
		free(e->prefixes);
		e->prefixes = arr;
		e->n_prefixes = n;
	}
}

/* True when @p lies inside another prefix of the list (or an equal earlier one). */
static bool iso_covered(const struct zone_prefix *all, size_t n, size_t k)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i == k || all[i].addr.family != all[k].addr.family ||
		    all[i].len > all[k].len ||
		    !zone_prefix_contains(&all[i], &all[k].addr))
			continue;
		if (all[i].len < all[k].len || i < k)
			return true;
	}
	return false;
}

/* Flatten every entry's prefixes into one disjoint list. */
static int iso_flatten(struct isolation *iso)
{
	struct zone_prefix *flat;
	struct zone_prefix *all;
	size_t total = 0;
	size_t n = 0;
	size_t i;
	size_t k;

	for (i = 0; i < iso->n; i++)
		total += iso->entries[i].n_prefixes;
	all = calloc(total ? total : 1, sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (i = 0; i < iso->n; i++) {
		memcpy(all + n, iso->entries[i].prefixes,
		       iso->entries[i].n_prefixes * sizeof(*all));
		n += iso->entries[i].n_prefixes;
	}
	flat = calloc(total ? total : 1, sizeof(*flat));
	if (!flat) {
		free(all);
		return -ENOMEM;
	}
	free(iso->flat);
	iso->flat = flat;
	iso->n_flat = 0;
	for (k = 0; k < n; k++)
		if (!iso_covered(all, n, k))
			iso->flat[iso->n_flat++] = all[k];
	free(all);
	return 0;
}

/**
 * isolation_prefixes - the isolated prefixes for zone_ruleset_compile()
 * @iso: the set
 * @model: the model about to be compiled (named targets resolve here)
 * @ret_n: the number of prefixes
 *
 * Returns a disjoint array borrowed from @iso, or NULL when it is empty.
 * On allocation failure it hands out the last list it built, since an
 * isolation must never silently fall away.
 */
int isolation_prefixes(struct isolation *iso, const struct zone_model *model,
		       const struct zone_prefix **ret, size_t *ret_n)
{
	int ret_err;

	*ret = NULL;
	*ret_n = 0;
	if (iso == NULL)
		return 0;
	iso_refresh(iso, model);
	/* an isolation that cannot be listed is never compiled as none */
	ret_err = iso_flatten(iso);
	if (ret_err < 0)
		return ret_err;
	*ret_n = iso->n_flat;
	*ret = iso->n_flat ? iso->flat : NULL;
	return 0;
}

/* isolation_count - the number of isolated targets */
size_t isolation_count(const struct isolation *iso)
{
	return iso ? iso->n : 0;
}

/* isolation_get - the @i-th isolation, borrowed; @i < isolation_count() */
void isolation_get(const struct isolation *iso, size_t i,
		   struct isolation_entry *ret)
{
	const struct iso_entry *e = &iso->entries[i];

	ret->target = e->target;
	ret->reason = e->reason;
	ret->since = e->since;
	ret->prefixes = e->prefixes;
	ret->n_prefixes = e->n_prefixes;
}

static ssize_t iso_find(const struct isolation *iso, const char *canon)
{
	size_t i;

	for (i = 0; i < iso->n; i++)
		if (strcmp(iso->entries[i].target, canon) == 0)
			return (ssize_t)i;
	return -1;
}

/* isolation_path - the state file, for messages */
const char *isolation_path(const struct isolation *iso)
{
	return iso->path;
}

/**
 * isolation_add - isolate @target and write the set to disk
 * @iso: the set
 * @target: an address, a prefix, or the name of a zone or attachment
 * @model: the model in force, to resolve a name against
 * @reason: one line of text, 1 to ISOLATION_REASON_MAX bytes
 * @now: the time recorded
 * @ret: the new entry, appended last (or the one already there),
 *       borrowed from @iso until the next change or isolation_prefixes()
 * @ret_io: set when the error came from writing the state file
 *
 * Returns 0; -EEXIST when @target is already isolated (@ret is that
 * entry); -ENOENT for an unknown name, -EDOM for a segment without
 * networks; -EMSGSIZE for a bad reason; -ENOMEM; or the -errno of writing
 * the file, in which case the set is left as it was: nothing is enforced
 * that a restart would lose.
 */
int isolation_add(struct isolation *iso, const char *target,
		  const struct zone_model *model, const char *reason,
		  time_t now, struct isolation_entry *ret, bool *ret_io)
{
	struct iso_entry e = { 0 };
	ssize_t idx;
	int err;

	*ret_io = false;
	if (!iso_text_ok(reason, ISOLATION_REASON_MAX))
		return -EMSGSIZE;
	err = iso_resolve(target, model, &e.target, &e.prefixes,
			  &e.n_prefixes);
	if (err < 0)
		return err;
	idx = iso_find(iso, e.target);
	if (idx >= 0) {
		iso_entry_clear(&e);
		isolation_get(iso, (size_t)idx, ret);
		return -EEXIST;
	}
	e.reason = strdup(reason);
	e.since = now;
	if (!e.reason) {
		iso_entry_clear(&e);
		return -ENOMEM;
	}
	err = iso_append(iso, &e);
	if (err < 0) {
		iso_entry_clear(&e);
		return err;
	}
	err = isolation_save(iso);
	if (err < 0) {
		iso_entry_clear(&iso->entries[--iso->n]);
		*ret_io = true;
		return err;
	}
	isolation_get(iso, iso->n - 1, ret);
	return 0;
}

/**
 * isolation_remove - release @target and write the set to disk
 * @target: as isolated (an address or prefix in any form, or a name)
 * @ret_target: the canonical target released, for the caller to free
 *
 * Returns 0, -ENOENT when @target is not isolated, or the -errno of
 * writing the file, in which case it stays isolated rather than diverge
 * from the disk.
 */
int isolation_remove(struct isolation *iso, const char *target,
		     char **ret_target)
{
	struct iso_entry gone;
	struct zone_prefix p;
	char canon[ZONE_PREFIX_STRLEN];
	ssize_t idx;
	int err;

	if (zone_prefix_parse(target, &p) == 0)
		target = zone_prefix_format(&p, canon, sizeof(canon));
	idx = iso_find(iso, target);
	if (idx < 0)
		return -ENOENT;
	gone = iso->entries[idx];
	memmove(&iso->entries[idx], &iso->entries[idx + 1],
		(iso->n - (size_t)idx - 1) * sizeof(gone));
	iso->n--;
	err = isolation_save(iso);
	if (err < 0) {
		/* back in, at the end: the order is not significant */
		iso->entries[iso->n++] = gone;
		return err;
	}
	*ret_target = gone.target;
	gone.target = NULL;
	iso_entry_clear(&gone);
	return 0;
}
