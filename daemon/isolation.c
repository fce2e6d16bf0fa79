/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Emergency isolation (zonectl isolate/release): a host, a network, a zone
 * or an attachment cut off from every other segment at once.
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

#include "alert.h"
#include "control.h"
#include "control_priv.h"
#include "json.h"
#include "log.h"
#include "textesc.h"
#include "watch.h"
#include "zoned.h"

#define ISOLATION_FILE "isolation"
#define ISOLATION_MAGIC "zoned-isolation 1"
#define ISOLATION_MAX 256 /* entries */
#define ISOLATION_PREFIX_MAX 1024 /* prefixes of one entry */
#define ISOLATION_REASON_MAX 512
#define ISOLATION_LINE_MAX 65536

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
	if (!iso_text_ok(field[1], CTL_ARG_MAX) ||
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
	free(iso->flat);
	iso->flat = calloc(total ? total : 1, sizeof(*all));
	if (!iso->flat) {
		free(all);
		iso->n_flat = 0;
		return -ENOMEM;
	}
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
const struct zone_prefix *isolation_prefixes(struct isolation *iso,
					     const struct zone_model *model,
					     size_t *ret_n)
{
	iso_refresh(iso, model);
	if (iso_flatten(iso) < 0 && !iso->flat) {
		*ret_n = 0;
		return NULL;
	}
	*ret_n = iso->n_flat;
	return iso->n_flat ? iso->flat : NULL;
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

static void iso_print_prefixes(const struct iso_entry *e, struct ctl_out *o)
{
	char buf[ZONE_PREFIX_STRLEN];
	size_t j;

	for (j = 0; j < e->n_prefixes; j++) {
		zone_prefix_format(&e->prefixes[j], buf, sizeof(buf));
		if (o->json) {
			fputs(j ? "," : "", o->out);
			json_quote(o->out, buf);
		} else {
			fprintf(o->out, "%s%s", j ? "," : "", buf);
		}
	}
}

/**
 * isolation_print - list the set as text lines or a JSON array
 */
void isolation_print(const struct isolation *iso, struct ctl_out *o)
{
	char when[32];
	size_t i;

	if (o->json)
		fputc('[', o->out);
	for (i = 0; i < isolation_count(iso); i++) {
		const struct iso_entry *e = &iso->entries[i];

		ctl_time(e->since, when, sizeof(when));
		if (!o->json) {
			fputs("isolated ", o->out);
			text_fputs(o->out, e->target);
			fprintf(o->out, " since %s (", when);
			iso_print_prefixes(e, o);
			fputs("): ", o->out);
			text_fputs(o->out, e->reason);
			fputc('\n', o->out);
			continue;
		}
		fputs(i ? ",{\"target\":" : "{\"target\":", o->out);
		json_quote(o->out, e->target);
		fputs(",\"since\":", o->out);
		json_quote(o->out, when);
		fputs(",\"reason\":", o->out);
		json_quote(o->out, e->reason);
		fputs(",\"prefixes\":[", o->out);
		iso_print_prefixes(e, o);
		fputs("]}", o->out);
	}
	if (o->json)
		fputc(']', o->out);
}

static const char *iso_resolve_error(int err)
{
	switch (err) {
	case -ENOENT:
		return "not an address, prefix, zone or attachment";
	case -EDOM:
		return "has no networks; isolate its prefixes instead";
	default:
		return strerror(-err);
	}
}

/* Put the new set in the kernel and cut the live flows of @e. */
static void iso_enforce(struct zoned *z, const struct iso_entry *e,
			struct ctl_out *o)
{
	int killed = 0;
	size_t i;
	int ret;

	ret = zoned_reapply(z, "isolate");
	if (ret < 0)
		ctl_fail(o,
			 "isolate %s: recorded, but the kernel table was "
			 "not updated: %s",
			 e->target, strerror(-ret));
	for (i = 0; i < e->n_prefixes; i++) {
		ret = ctwatch_kill(z, &e->prefixes[i]);
		if (ret < 0)
			ctl_fail(o, "isolate %s: cutting live flows: %s",
				 e->target, strerror(-ret));
		else
			killed += ret;
	}
	if (o->json) {
		fputs("{\"isolated\":", o->out);
		json_quote(o->out, e->target);
		fputs(",\"prefixes\":[", o->out);
		iso_print_prefixes(e, o);
		fprintf(o->out, "],\"flows_cut\":%d}\n", killed);
	} else {
		fprintf(o->out, "isolated %s (", e->target);
		iso_print_prefixes(e, o);
		fprintf(o->out, "), %d live flow%s cut\n", killed,
			killed == 1 ? "" : "s");
	}
}

/**
 * ctl_isolate - zonectl isolate TARGET --reason TEXT
 *
 * Record first, then the kernel, then the live flows (see the top of the
 * file).  Isolating a target twice keeps the first record.
 */
void ctl_isolate(struct zoned *z, const struct ctl_request *req,
		 struct ctl_out *o)
{
	struct iso_entry e = { 0 };
	const char *reason = req->argv[1];
	const char *why;
	ssize_t idx;
	int ret;

	if (!z->iso) {
		ctl_fail(o, "isolation state is unavailable");
		return;
	}
	/* kept, and shown again on terminals and in syslog */
	why = text_problem(reason);
	if (why) {
		ctl_fail(o,
			 "the reason %s: it must be UTF-8 text without "
			 "control or bidirectional formatting characters",
			 why);
		return;
	}
	if (!iso_text_ok(reason, ISOLATION_REASON_MAX)) {
		ctl_fail(o, "the reason must be 1 to %d bytes",
			 ISOLATION_REASON_MAX);
		return;
	}
	ret = iso_resolve(req->argv[0], z->model, &e.target, &e.prefixes,
			  &e.n_prefixes);
	if (ret < 0) {
		ctl_fail(o, "%s: %s", req->argv[0], iso_resolve_error(ret));
		return;
	}
	idx = iso_find(z->iso, e.target);
	if (idx >= 0) {
		fprintf(o->json ? o->err : o->out, "%s is already isolated\n",
			e.target);
		if (o->json)
			fputs("{}\n", o->out);
		iso_entry_clear(&e);
		return;
	}
	e.reason = strdup(reason);
	e.since = time(NULL);
	if (!e.reason) {
		iso_entry_clear(&e);
		ctl_fail(o, "isolate: %s", strerror(ENOMEM));
		return;
	}
	ret = iso_append(z->iso, &e);
	if (ret < 0) {
		iso_entry_clear(&e);
		ctl_fail(o, "isolate: %s", strerror(-ret));
		return;
	}
	ret = isolation_save(z->iso);
	if (ret < 0) {
		/* not on disk: do not enforce what a restart would lose */
		iso_entry_clear(&z->iso->entries[--z->iso->n]);
		log_warnx("isolate %s: writing %s: %s", req->argv[0],
			  z->iso->path, strerror(-ret));
		ctl_fail(o, "isolate: cannot write the state file %s: %s",
			 z->iso->path, strerror(-ret));
		return;
	}
	idx = (ssize_t)z->iso->n - 1;
	alert_emit(z->alerts, ALERT_ISOLATE, "target",
		   z->iso->entries[idx].target, "reason", reason, NULL);
	iso_enforce(z, &z->iso->entries[idx], o);
}

/**
 * ctl_release - zonectl release TARGET
 */
void ctl_release(struct zoned *z, const struct ctl_request *req,
		 struct ctl_out *o)
{
	struct iso_entry gone;
	struct zone_prefix p;
	char canon[ZONE_PREFIX_STRLEN];
	const char *target = req->argv[0];
	ssize_t idx;
	int ret;

	if (!z->iso) {
		ctl_fail(o, "isolation state is unavailable");
		return;
	}
	if (zone_prefix_parse(target, &p) == 0)
		target = zone_prefix_format(&p, canon, sizeof(canon));
	idx = iso_find(z->iso, target);
	if (idx < 0) {
		ctl_fail(o, "%s is not isolated", target);
		return;
	}
	gone = z->iso->entries[idx];
	memmove(&z->iso->entries[idx], &z->iso->entries[idx + 1],
		(z->iso->n - (size_t)idx - 1) * sizeof(gone));
	z->iso->n--;
	ret = isolation_save(z->iso);
	if (ret < 0) {
		/* keep it isolated rather than diverge from the disk */
		z->iso->entries[z->iso->n++] = gone;
		ctl_fail(o, "release: cannot write the state file %s: %s",
			 z->iso->path, strerror(-ret));
		return;
	}
	alert_emit(z->alerts, ALERT_RELEASE, "target", gone.target, NULL);
	ret = zoned_reapply(z, "release");
	if (ret < 0)
		ctl_fail(o,
			 "release %s: recorded, but the kernel table was "
			 "not updated: %s",
			 gone.target, strerror(-ret));
	if (o->json) {
		fputs("{\"released\":", o->out);
		json_quote(o->out, gone.target);
		fputs("}\n", o->out);
	} else {
		fprintf(o->out, "released %s\n", gone.target);
	}
	iso_entry_clear(&gone);
}
