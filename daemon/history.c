/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy history of the annual review: every policy applied is kept
 * in the state directory, by hash, with when, who and why.
 *
 *   STATEDIR/history/index      one line per application, oldest first:
 *                               EPOCH TAB HASH TAB WHO TAB TRIGGER TAB CHANGES
 *   STATEDIR/history/HASH.conf  the policy, normalised (zone_model_print)
 *
 * Both are replaced by rename, so a crash leaves the old or the new one.
 * The oldest entries go once there are more than the history block's
 * entries or the files take more than its max_bytes; a policy file goes
 * with the last entry naming it.  The newest entry always stays.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zone/conf.h>
#include <zone/diag.h>
#include <zone/model.h>

#include "ctlcmd.h"
#include "history.h"
#include "json.h"
#include "log.h"
#include "policydiff.h"
#include "zoned.h"

#define HISTORY_DIR "history"
#define HISTORY_INDEX "index"
#define HISTORY_LINE_MAX 2048
/* As zone_conf_load() bounds a config file. */
#define HISTORY_CONF_MAX ZONE_CONF_MAX_SIZE

struct hentry {
	long long when;
	char hash[65];
	char who[64];
	char trigger[64];
	char changes[1100];
};

struct hlist {
	struct hentry *v;
	size_t n;
};

/* Keep what a field may hold: no tab, no control character. */
static void field_copy(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; src && src[i] && i + 1 < size; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ?
				 '?' :
				 src[i];
	dst[i] = '\0';
}

static bool hash_valid(const char *s, size_t min)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n >= min && n <= 64 && s[n] == '\0';
}

static char *history_path(const struct zoned *z, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/" HISTORY_DIR "%s%s", z->state_dir,
		     name ? "/" : "", name ? name : "") < 0)
		return NULL;
	return p;
}

static int parse_line(char *line, struct hentry *e)
{
	char *f[5];
	char *end;
	size_t i;

	line[strcspn(line, "\n")] = '\0';
	for (i = 0; i < 5; i++) {
		f[i] = strsep(&line, "\t");
		if (!f[i])
			return -EINVAL;
	}
	e->when = strtoll(f[0], &end, 10);
	if (*end || !hash_valid(f[1], 64))
		return -EINVAL;
	field_copy(e->hash, sizeof(e->hash), f[1]);
	field_copy(e->who, sizeof(e->who), f[2]);
	field_copy(e->trigger, sizeof(e->trigger), f[3]);
	field_copy(e->changes, sizeof(e->changes), f[4]);
	return 0;
}

/* Read the index; a missing one is empty, a damaged line is skipped. */
static int hlist_read(const struct zoned *z, struct hlist *l)
{
	char line[HISTORY_LINE_MAX];
	char *path = history_path(z, HISTORY_INDEX);
	struct hentry *v;
	FILE *f;

	l->v = NULL;
	l->n = 0;
	if (!path)
		return -ENOMEM;
	f = fopen(path, "re");
	free(path);
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		v = realloc(l->v, (l->n + 1) * sizeof(*v));
		if (!v) {
			fclose(f);
			return -ENOMEM;
		}
		l->v = v;
		if (parse_line(line, &l->v[l->n]) == 0)
			l->n++;
		if (l->n > ZONE_HISTORY_ENTRIES_MAX)
			break;
	}
	fclose(f);
	return 0;
}

static bool hlist_names(const struct hlist *l, size_t from, const char *hash)
{
	size_t i;

	for (i = from; i < l->n; i++)
		if (strcmp(l->v[i].hash, hash) == 0)
			return true;
	return false;
}

/* The bytes the entries from @from on take: their files and index lines. */
static long long hlist_bytes(const struct zoned *z, const struct hlist *l,
			     size_t from)
{
	long long sum = 0;
	struct stat st;
	char name[80];
	char *path;
	size_t i;
	size_t j;

	for (i = from; i < l->n; i++) {
		sum += 64 + (long long)strlen(l->v[i].who) +
		       (long long)strlen(l->v[i].trigger) +
		       (long long)strlen(l->v[i].changes);
		for (j = from; j < i; j++)
			if (strcmp(l->v[j].hash, l->v[i].hash) == 0)
				break;
		if (j < i)
			continue;
		snprintf(name, sizeof(name), "%s.conf", l->v[i].hash);
		path = history_path(z, name);
		if (path && stat(path, &st) == 0)
			sum += st.st_size;
		free(path);
	}
	return sum;
}

/**
 * history_write_with - replace @path with what @fill writes, by a
 * temporary file, fsync and a rename, so a crash leaves the old file or
 * the new one
 * @fill: writes the contents to its stream; returns 0 or -errno
 *
 * The contents go straight to the file: a policy of a million networks
 * is 25 MB of text, which need not be held in memory first.  Returns 0
 * or -errno.
 */
int history_write_with(const char *path, int (*fill)(FILE *f, const void *arg),
		       const void *arg)
{
	char *tmp;
	FILE *f;
	int ret = 0;
	int fd;

	if (asprintf(&tmp, "%s.tmp", path) < 0)
		return -ENOMEM;
	/* 0600 whatever the umask: history_state_load() checks the mode */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		if (fd >= 0)
			close(fd);
		free(tmp);
		return ret;
	}
	errno = 0;
	ret = fill(f, arg);
	if (ret == 0 && (ferror(f) || fflush(f) != 0 || fsync(fileno(f)) < 0))
		ret = errno ? -errno : -EIO;
	if (fclose(f) != 0 && ret == 0)
		ret = -errno;
	if (ret == 0 && rename(tmp, path) < 0)
		ret = -errno;
	if (ret < 0)
		unlink(tmp);
	free(tmp);
	return ret;
}

struct text_arg {
	const char *text;
	size_t len;
};

static int fill_text(FILE *f, const void *arg)
{
	const struct text_arg *t = arg;

	return fwrite(t->text, 1, t->len, f) == t->len ? 0 : -EIO;
}

/* history_write_file - history_write_with() of @len bytes of @text */
int history_write_file(const char *path, const char *text, size_t len)
{
	struct text_arg t = { text, len };

	return history_write_with(path, fill_text, &t);
}

/* history_fill_policy - a history_write_with() @fill: the model @arg */
int history_fill_policy(FILE *f, const void *arg)
{
	return zone_model_print(arg, f);
}

static int hlist_write(const struct zoned *z, const struct hlist *l,
		       size_t from)
{
	char *text = NULL;
	size_t len = 0;
	char *path;
	FILE *f;
	size_t i;
	int ret;

	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	for (i = from; i < l->n; i++)
		fprintf(f, "%lld\t%s\t%s\t%s\t%s\n", l->v[i].when, l->v[i].hash,
			l->v[i].who, l->v[i].trigger, l->v[i].changes);
	if (fclose(f) != 0) {
		free(text);
		return -ENOMEM;
	}
	path = history_path(z, HISTORY_INDEX);
	ret = path ? history_write_file(path, text, len) : -ENOMEM;
	free(path);
	free(text);
	return ret;
}

static int write_policy(const struct zoned *z, const struct zone_model *m)
{
	char name[80];
	struct stat st;
	char *path;
	int ret;

	snprintf(name, sizeof(name), "%s.conf", zone_model_hash(m));
	path = history_path(z, name);
	if (!path)
		return -ENOMEM;
	if (stat(path, &st) == 0) {
		free(path);
		return 0; /* the same hash is the same text */
	}
	ret = history_write_with(path, history_fill_policy, m);
	free(path);
	return ret;
}

static void prune(const struct zoned *z, struct hlist *l, size_t from,
		  size_t *ret_from)
{
	size_t max_n = zone_model_history_entries(z->model);
	long long max_b = (long long)zone_model_history_bytes(z->model);

	while (l->n - from > 1 &&
	       (l->n - from > max_n || hlist_bytes(z, l, from) > max_b))
		from++;
	*ret_from = from;
}

/* Remove the policy files the entries before @from alone named. */
static void remove_unnamed(const struct zoned *z, const struct hlist *l,
			   size_t from)
{
	char name[80];
	char *path;
	size_t i;

	for (i = 0; i < from; i++) {
		if (hlist_names(l, from, l->v[i].hash))
			continue;
		snprintf(name, sizeof(name), "%s.conf", l->v[i].hash);
		path = history_path(z, name);
		if (path)
			unlink(path);
		free(path);
	}
}

/**
 * history_record - keep the policy in force (z->model) in the history
 * @who: who applied it: a user name, "file-edit", "SIGHUP", "start"
 * @trigger: what made zoned apply it (the policy alert's trigger)
 * @changes: the summary of the change, or NULL
 *
 * Returns 0 or -errno; the caller logs.
 */
int history_record(struct zoned *z, const char *who, const char *trigger,
		   const char *changes)
{
	struct hlist l;
	struct hentry *v;
	size_t from = 0;
	char *dir;
	int ret;

	dir = history_path(z, NULL);
	if (!dir)
		return -ENOMEM;
	if ((mkdir(z->state_dir, 0700) < 0 && errno != EEXIST) ||
	    (mkdir(dir, 0700) < 0 && errno != EEXIST)) {
		ret = -errno;
		free(dir);
		return ret;
	}
	free(dir);
	ret = write_policy(z, z->model);
	if (ret < 0)
		return ret;
	ret = hlist_read(z, &l);
	if (ret < 0)
		return ret;
	v = realloc(l.v, (l.n + 1) * sizeof(*v));
	if (!v) {
		free(l.v);
		return -ENOMEM;
	}
	l.v = v;
	memset(&v[l.n], 0, sizeof(*v));
	v[l.n].when = (long long)time(NULL);
	field_copy(v[l.n].hash, sizeof(v[l.n].hash), zone_model_hash(z->model));
	field_copy(v[l.n].who, sizeof(v[l.n].who), who);
	field_copy(v[l.n].trigger, sizeof(v[l.n].trigger), trigger);
	field_copy(v[l.n].changes, sizeof(v[l.n].changes),
		   changes && *changes ? changes : "-");
	l.n++;
	prune(z, &l, 0, &from);
	ret = hlist_write(z, &l, from);
	if (ret == 0)
		remove_unnamed(z, &l, from);
	free(l.v);
	return ret;
}

/**
 * history_peer_name - the user name of @uid for the history's who
 * @buf: at least 64 bytes
 *
 * The passwd name when it is a plain one, else "uid:N".
 */
const char *history_peer_name(uid_t uid, char *buf, size_t size)
{
	struct passwd pw;
	struct passwd *res = NULL;
	char pwbuf[1024];

	if (getpwuid_r(uid, &pw, pwbuf, sizeof(pwbuf), &res) == 0 && res &&
	    res->pw_name[0] && strlen(res->pw_name) < 32 &&
	    strspn(res->pw_name, "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
		    strlen(res->pw_name)) {
		snprintf(buf, size, "%s", res->pw_name);
		return buf;
	}
	snprintf(buf, size, "uid:%u", (unsigned int)uid);
	return buf;
}

/**
 * history_resolve - the full hash of the policy @prefix names
 * @o: where a failure is reported
 * @ret_hash: 65 bytes
 *
 * A prefix of at least 4 hex digits is taken when exactly one kept policy
 * starts with it.  Returns 0 or -errno (reported to @o).
 */
static int history_resolve(struct zoned *z, const char *prefix,
			   struct ctl_out *o, char *ret_hash)
{
	struct hlist l;
	const char *found = NULL;
	size_t len = strlen(prefix);
	size_t i;
	int ret;

	if (!hash_valid(prefix, 4)) {
		ctl_fail(o, "%s: not a policy hash (4 to 64 hex digits)",
			 prefix);
		return -EINVAL;
	}
	ret = hlist_read(z, &l);
	if (ret < 0) {
		ctl_fail(o, "reading the history: %s", strerror(-ret));
		return ret;
	}
	for (i = 0; i < l.n; i++) {
		if (strncmp(l.v[i].hash, prefix, len) != 0)
			continue;
		if (found && strcmp(found, l.v[i].hash) != 0) {
			ctl_fail(o, "%s: ambiguous, give more digits", prefix);
			free(l.v);
			return -EINVAL;
		}
		found = l.v[i].hash;
	}
	if (found)
		memcpy(ret_hash, found, 65);
	else
		ctl_fail(o, "%s: no such policy in the history", prefix);
	free(l.v);
	return found ? 0 : -ENOENT;
}

/* zonectl history: the entries, oldest first. */
void ctl_history(struct zoned *z, const struct ctl_request *req,
		 struct ctl_out *o)
{
	struct hlist l;
	char when[32];
	size_t i;
	int ret;

	(void)req;
	ret = hlist_read(z, &l);
	if (ret < 0) {
		ctl_fail(o, "reading the history: %s", strerror(-ret));
		return;
	}
	if (o->json)
		json_array(&o->j, NULL);
	for (i = 0; i < l.n; i++) {
		const struct hentry *e = &l.v[i];

		ctl_time((time_t)e->when, when, sizeof(when));
		if (!o->json) {
			fprintf(o->out, "%s %.12s %-12s %-16s %s\n", when,
				e->hash, e->who, e->trigger, e->changes);
			continue;
		}
		json_object(&o->j, NULL);
		json_string(&o->j, "time", when);
		json_string(&o->j, "hash", e->hash);
		json_string(&o->j, "who", e->who);
		json_string(&o->j, "trigger", e->trigger);
		json_string(&o->j, "changes", e->changes);
		json_bool(&o->j, "in_force",
			  i + 1 == l.n &&
				  strcmp(e->hash, zone_model_hash(z->model)) ==
					  0);
		json_end(&o->j);
	}
	if (o->json)
		json_finish(&o->j);
	else if (l.n == 0)
		fputs("no policy in the history\n", o->out);
	free(l.v);
}

/*
 * show --json without the file: the document as zonectl writes it from
 * the file (zonectl_policy.c), of which the reply keeps what it carries:
 * each byte of the text takes at least one in the reply, so no more is
 * read than the reply holds.
 */
static void show_json_capped(struct ctl_out *o, const char *hash, int fd)
{
	FILE *c = ctl_out_capped(o);
	struct json j;
	int ret;

	if (!c) {
		ctl_fail(o, "%.12s: %s", hash, strerror(ENOMEM));
		return;
	}
	json_start(&j, c);
	json_object(&j, NULL);
	json_string(&j, "hash", hash);
	ret = json_string_fd(&j, "config", fd, CTL_REPLY_MAX + 1);
	json_finish(&j);
	fclose(c);
	if (ret < 0)
		ctl_fail(o, "%.12s: %s", hash, strerror(-ret));
}

/* zonectl show HASH: the policy as kept, normalised. */
void ctl_show(struct zoned *z, const struct ctl_request *req, struct ctl_out *o)
{
	char hash[65];
	char name[80];
	char buf[8192];
	char *path;
	size_t sent;
	size_t n;
	FILE *f;

	if (history_resolve(z, req->argv[0], o, hash) < 0)
		return;
	snprintf(name, sizeof(name), "%s.conf", hash);
	path = history_path(z, name);
	f = path ? fopen(path, "re") : NULL;
	if (!f) {
		ctl_fail(o, "%.12s: %s", hash, strerror(path ? errno : ENOMEM));
		free(path);
		return;
	}
	free(path);
	if (req->flags & CTL_F_FILE) {
		/*
		 * The file itself, read-only: zonectl copies it, or (--json)
		 * quotes it after the hash, which is all the text says.
		 */
		if (o->json)
			fprintf(o->out, "%s\n", hash);
		if (ctl_file_pass(o, fileno(f)) < 0)
			ctl_fail(o, "%.12s: %s", hash, strerror(errno));
		fclose(f);
		return;
	}
	/*
	 * No more of the file than the reply carries (CTL_REPLY_MAX, then
	 * cut): a policy of a million networks is 25 MB.
	 */
	if (o->json)
		show_json_capped(o, hash, fileno(f));
	else
		for (sent = 0; sent <= CTL_REPLY_MAX &&
			       (n = fread(buf, 1, sizeof(buf), f)) > 0;
		     sent += n)
			fwrite(buf, 1, n, o->out);
	fclose(f);
}

/**
 * history_state_load - parse a policy zoned itself wrote in its state
 * directory
 * @path: the file
 * @diag: receives the errors, "FILE:LINE: message"
 * @ret_model: the caller's on success
 *
 * Not zone_conf_load(): under systemd's DynamicUser the state directory
 * belongs to zoned's own user, not root.  The file must belong to that
 * user and be writable by nobody else.  Returns 0 or -errno.
 */
int history_state_load(const char *path, struct zone_diag *diag,
		       struct zone_model **ret_model)
{
	struct stat st;
	int fd;
	int ret;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		zone_diag_add(diag, path, 0, "not a file of zoned's own");
		close(fd);
		return -EPERM;
	}
	if (st.st_size > HISTORY_CONF_MAX) {
		zone_diag_add(diag, path, 0, "file is larger than %ld bytes",
			      HISTORY_CONF_MAX);
		close(fd);
		return -EFBIG;
	}
	/* streamed: at a million networks the text is 25 MB */
	ret = zone_conf_load_fd(fd, (size_t)st.st_size, path, diag, ret_model);
	close(fd);
	return ret;
}

/**
 * history_load - the kept policy @hash as a model
 * @ret_model: the caller's on success
 *
 * Returns 0 or -errno (-ENOENT when it is not kept, -EUCLEAN when the
 * file is not that policy).
 */
int history_load(struct zoned *z, const char *hash,
		 struct zone_model **ret_model)
{
	struct zone_diag *diag;
	char name[80];
	char *path;
	int ret;

	if (!hash_valid(hash, 64))
		return -EINVAL;
	snprintf(name, sizeof(name), "%s.conf", hash);
	path = history_path(z, name);
	diag = zone_diag_new();
	if (!path || !diag) {
		free(path);
		zone_diag_free(diag);
		return -ENOMEM;
	}
	ret = history_state_load(path, diag, ret_model);
	if (ret == 0 && strcmp(zone_model_hash(*ret_model), hash) != 0) {
		zone_model_free(*ret_model);
		*ret_model = NULL;
		ret = -EUCLEAN;
	}
	free(path);
	zone_diag_free(diag);
	return ret;
}

/**
 * history_diff_last - what changed from the newest kept policy
 * @d: receives the change (printed to d->out unless NULL)
 *
 * Returns 0, or -errno (-ENOENT for an empty history).
 */
int history_diff_last(struct zoned *z, struct policy_diff *d)
{
	struct zone_model *last = NULL;
	struct hlist l;
	int ret;

	ret = hlist_read(z, &l);
	if (ret < 0)
		return ret;
	/*
	 * The same hash is the same normalised policy, so nothing changed:
	 * a restart need not parse a second copy of a large policy.
	 */
	if (l.n && strcmp(l.v[l.n - 1].hash, zone_model_hash(z->model)) == 0) {
		free(l.v);
		return 0;
	}
	ret = l.n ? history_load(z, l.v[l.n - 1].hash, &last) : -ENOENT;
	free(l.v);
	if (ret < 0)
		return ret;
	policy_diff(d, last, z->model);
	zone_model_free(last);
	return 0;
}
