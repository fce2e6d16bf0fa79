/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The narrow and gateway entries of a policy, for the policy diff: read
 * from the normalised print as it is written, so that it is never held
 * whole (at a million networks it is 25 MB).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <zone/conf.h>
#include <zone/model.h>

#include "policydiff_int.h"

/* policy_entries_free - free what policy_block_entries() collected */
void policy_entries_free(struct policy_entries *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->v[i]);
	free(e->v);
	e->v = NULL;
	e->n = 0;
}

static int entries_add(struct policy_entries *e, const char *list,
		       const char *body)
{
	char **v = realloc(e->v, (e->n + 1) * sizeof(*v));

	if (!v)
		return -1;
	e->v = v;
	if (asprintf(&e->v[e->n], "%s { %s}", list, body) < 0)
		return -1;
	e->n++;
	return 0;
}

static const char *trim(char *line)
{
	size_t n;

	while (*line == ' ')
		line++;
	n = strlen(line);
	while (n && (line[n - 1] == ' ' || line[n - 1] == ','))
		line[--n] = '\0';
	return line;
}

/*
 * The normalised print read line by line as it is written, so that it is
 * never held whole (at a million networks it is 25 MB): outside the
 * narrow and gateway blocks only the start of a line matters, whatever
 * its length; inside them the line, and the entry it is part of, are kept
 * whole.  An entry has no bound of its own (a narrow entry's to_hosts or
 * services may fill most of a config of ZONE_CONF_MAX_SIZE): one cut
 * would make two entries that differ past it compare equal.
 */
struct block_scan {
	struct policy_entries *e;
	char list[64];
	char *body; /* the entry being read, its lines joined by spaces */
	size_t body_len;
	size_t body_cap;
	bool in_entry;
	char *line; /* the line being written, NUL-terminated */
	size_t len;
	size_t cap;
	int ret;
};

/* Enough of a line outside the blocks to tell whether one starts. */
#define BLOCK_HEAD_KEEP 16

/* Append @t and a space to the entry being read; 0 or -1. */
static int body_add(struct block_scan *s, const char *t)
{
	size_t n = strlen(t);
	size_t cap = s->body_cap ? s->body_cap : 256;
	char *p;

	while (s->body_len + n + 2 > cap)
		cap *= 2;
	if (cap != s->body_cap) {
		p = realloc(s->body, cap);
		if (!p)
			return -1;
		s->body = p;
		s->body_cap = cap;
	}
	memcpy(s->body + s->body_len, t, n);
	s->body_len += n;
	s->body[s->body_len++] = ' ';
	s->body[s->body_len] = '\0';
	return 0;
}

/* One line of the print (never empty), as the blocks' entries see it. */
static int scan_line(struct block_scan *s, char *line)
{
	const char *t;

	if (strncmp(line, "narrow = (", 10) == 0) {
		snprintf(s->list, sizeof(s->list), "narrow");
		return 0;
	}
	if (strncmp(line, "gateway = {", 11) == 0) {
		snprintf(s->list, sizeof(s->list), "gateway");
		return 0;
	}
	if (line[0] != ' ') {
		s->list[0] = '\0';
		return 0;
	}
	if (!s->list[0])
		return 0;
	t = trim(line);
	if (strcmp(t, "management = (") == 0 ||
	    strcmp(t, "outbound = (") == 0) {
		snprintf(s->list, sizeof(s->list), "gateway %.*s",
			 (int)strcspn(t, " "), t);
		return 0;
	}
	if (strcmp(t, "{") == 0) {
		s->in_entry = true;
		s->body_len = 0;
		if (s->body)
			s->body[0] = '\0';
	} else if (strcmp(t, "}") == 0 && s->in_entry) {
		s->in_entry = false;
		return entries_add(s->e, s->list, s->body ? s->body : "");
	} else if (s->in_entry) {
		return body_add(s, t);
	}
	return 0;
}

/* Keep byte @c of the line being written. */
static int line_put(struct block_scan *s, char c)
{
	char *p;

	/* outside the blocks a long line (a segment's networks) is not kept */
	if (!s->list[0] && s->len >= BLOCK_HEAD_KEEP)
		return 0;
	if (s->len + 1 >= s->cap) {
		p = realloc(s->line, s->cap ? s->cap * 2 : 256);
		if (!p)
			return -1;
		s->line = p;
		s->cap = s->cap ? s->cap * 2 : 256;
	}
	s->line[s->len++] = c;
	return 0;
}

/* The line is complete: scan it (an empty one is no line, as strtok). */
static void line_end(struct block_scan *s)
{
	if (s->len && s->ret == 0) {
		s->line[s->len] = '\0';
		s->ret = scan_line(s, s->line);
	}
	s->len = 0;
}

static ssize_t scan_write(void *cookie, const char *buf, size_t size)
{
	struct block_scan *s = cookie;
	const char *nl;
	size_t i;

	for (i = 0; i < size && s->ret == 0; i++) {
		/* the rest of a line not kept: straight to its end */
		if (!s->list[0] && s->len >= BLOCK_HEAD_KEEP) {
			nl = memchr(buf + i, '\n', size - i);
			if (!nl)
				break;
			i = (size_t)(nl - buf);
		}
		if (buf[i] == '\n')
			line_end(s);
		else if (line_put(s, buf[i]) < 0)
			s->ret = -1;
	}
	return (ssize_t)size;
}

/**
 * policy_block_entries - the narrow and gateway entries of @m, from its
 * normalised print (which is what the hash covers): each entry flattened
 * to one line, prefixed with its list ("narrow", "gateway management",
 * ...)
 * @e: receives them (policy_entries_free() them, also on failure)
 *
 * Returns 0, or -1 without memory.
 */
int policy_block_entries(const struct zone_model *m, struct policy_entries *e)
{
	static const cookie_io_functions_t io = { .write = scan_write };
	struct block_scan s = { .e = e };
	FILE *f;
	int ret;

	f = fopencookie(&s, "w", io);
	if (!f)
		return -1;
	ret = zone_model_print(m, f);
	if (fclose(f) != 0 || ret < 0)
		s.ret = -1;
	line_end(&s);
	free(s.line);
	free(s.body);
	return s.ret;
}
