/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONE_CONF_PRIV_H
#define ZONE_CONF_PRIV_H

/*
 * Shared between the parts of the config loader (conf*.c): the loader
 * state and the per-object bookkeeping that the model itself does not keep
 * (source lines of list entries).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <libconfig.h>

#include <zone/diag.h>
#include <zone/model.h>

#include "model_priv.h"

#define CONF_WHAT_LEN 96

/* Bounds of free text, in bytes. */
#define LABEL_MAX_CHARS 32 /* characters, not bytes */
#define TEXT_MAX 256

/* Where each entry of a segment came from, and what parsed. */
struct conf_seg_aux {
	char what[CONF_WHAT_LEN]; /* `zone "jumin"` or `zone #2` */
	bool role_ok;
	bool nets_bad; /* an entry of networks did not parse */
	int *net_lines;
	int *if_lines;
};

struct conf_chan_aux {
	char what[CONF_WHAT_LEN];
	bool ends_ok; /* from and to both resolved */
	int *from_lines;
	int *to_lines;
	int *svc_lines;
	int from_line; /* of the from/to/hosts settings, or the */
	int to_line; /* channel's line when they are missing */
	int from_hosts_line;
	int to_hosts_line;
	int services_line;
	/* entries as written: -1 when the key is absent, 1 for a bad type */
	int from_hosts_len;
	int to_hosts_len;
	int services_len;
	int from_macs_line; /* 0: no from_macs */
};

/* One diagnostic, kept until the end so that they print in line order. */
struct conf_msg {
	int line;
	char *text;
};

struct conf_loader {
	const char *file; /* name used in diagnostics; NULL = (stdin) */
	struct zone_diag *diag;
	unsigned int errors;
	struct conf_msg *msgs;
	size_t n_msgs;
	bool nomem;
	struct zone_model *model;
	struct conf_seg_aux *seg_aux;
	struct conf_chan_aux *chan_aux;
	int profile_line;
	bool profile_bad;
	struct conf_lifted *lifted; /* the networks lists, in text order */
	size_t n_lifted;
	size_t lifted_cap;
	bool lift_off; /* lifting stopped: later lists are in the tree */
};

/* conf_error - record "FILE:LINE: message" and count it (conf_error.c) */
void conf_error(struct conf_loader *ld, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* conf_flush_msgs - the recorded messages into ld->diag, in line order */
void conf_flush_msgs(struct conf_loader *ld);

/* The zones and attachments lists (conf_segment.c), channels (conf_channel.c) */
void conf_parse_segment_list(struct conf_loader *ld,
			     const config_setting_t *list, size_t *next,
			     bool is_zone);
void conf_parse_channel_list(struct conf_loader *ld,
			     const config_setting_t *list);

/*
 * conf_seg_type - "zone" or "attachment", by the list @seg came from: its
 * role may have failed to parse
 */
static inline const char *conf_seg_type(const struct conf_loader *ld,
					const struct zone_segment *seg)
{
	return seg->index < ld->model->n_zones ? "zone" : "attachment";
}

/* conf_check_segments - names, overlaps, interfaces, the catch-all */
void conf_check_segments(struct conf_loader *ld);

/* conf_get.c: the typed setting readers (see their comments there) */
int conf_line_of(const config_setting_t *s);
char *conf_strdup(struct conf_loader *ld, const char *s);
void conf_check_keys(struct conf_loader *ld, const config_setting_t *group,
		     const char *what, const char *const *known);
const char *conf_get_string(struct conf_loader *ld,
			    const config_setting_t *group, const char *key,
			    const char *what, bool required, int line_default,
			    const config_setting_t **ret);
char *conf_get_text(struct conf_loader *ld, const config_setting_t *group,
		    const char *key, const char *what, bool required,
		    int line_default, size_t max);
const config_setting_t *conf_get_string_list(struct conf_loader *ld,
					     const config_setting_t *group,
					     const char *key,
					     const char *what);
int *conf_alloc_lines(struct conf_loader *ld, size_t n);
/*
 * conf_get_nonempty_list - conf_get_string_list(), and its length in
 * @ret_len; NULL also when it is empty (reported as "@what: @key is empty
 * (@unset)"); its line in @ret_line, unless NULL, whenever it is there
 */
const config_setting_t *
conf_get_nonempty_list(struct conf_loader *ld, const config_setting_t *group,
		       const char *key, const char *what, const char *unset,
		       int *ret_line, int *ret_len);
/*
 * conf_each_string - each entry of the string @list, in order, to @add
 * with its line, which stores it and returns NULL or why it refuses it; a refusal is
 * reported at the entry's line as "@what: @key \"TEXT\" WHY", TEXT cut
 * at 40 bytes.  The channel lists (windows, from_macs, to_names) share
 * this walk so that they report alike.
 */
void conf_each_string(struct conf_loader *ld, const config_setting_t *list,
		      const char *what, const char *key,
		      const char *(*add)(struct conf_loader *ld, void *ctx,
					 const char *v, int line),
		      void *ctx);

/*
 * conf_typed - @s when it is of @type (CONFIG_TYPE_GROUP or
 * CONFIG_TYPE_LIST), or NULL: for a setting of another type after
 * reporting "@what must be a group { ... }" (or a list); silently for a
 * NULL @s, a setting left out
 */
const config_setting_t *conf_typed(struct conf_loader *ld,
				   const config_setting_t *s, int type,
				   const char *what);

/*
 * conf_entry - entry @i of @list when it is a group, else NULL after
 * reporting "@what: entry N must be a group { ... }" (N counts from 1)
 */
const config_setting_t *conf_entry(struct conf_loader *ld,
				   const config_setting_t *list, int i,
				   const char *what);

/*
 * conf_get_segment - the zone or attachment that @group's @key names, or
 * NULL (reported when the key is missing or names none); the key's line,
 * or the group's when it is missing, in @ret_line unless it is NULL
 */
const struct zone_segment *conf_get_segment(struct conf_loader *ld,
					    const config_setting_t *group,
					    const char *key, const char *what,
					    int *ret_line);

/*
 * conf_parse_services - @group's "services" into a new array, and the line
 * of each into a new @ret_lines unless it is NULL; services that do not
 * parse are reported and left out.  Returns the list, or NULL when it is
 * absent or unusable (reported) and nothing was stored.
 */
const config_setting_t *conf_parse_services(struct conf_loader *ld,
					    const config_setting_t *group,
					    const char *what,
					    struct zone_service **ret,
					    size_t *ret_n, int **ret_lines);
bool conf_parse_prefixes(struct conf_loader *ld,
			 const config_setting_t *group, const char *key,
			 const char *what, struct zone_prefix **ret,
			 size_t *ret_n, int **ret_lines);
char *conf_parse_name(struct conf_loader *ld, const config_setting_t *group,
		      const char *type, int pos, char *what);
int conf_raw_length(const config_setting_t *group, const char *key);

/* conf_edge.c: the gateway block and narrow (after segments and channels) */
void conf_parse_gateway(struct conf_loader *ld, const config_setting_t *root);
void conf_parse_narrow(struct conf_loader *ld, const config_setting_t *root);
/* conf_parse_history - the history block (conf_history.c) */
void conf_parse_history(struct conf_loader *ld, const config_setting_t *root);
/* conf_check_networks - networks that overlap (conf_overlap.c) */
void conf_check_networks(struct conf_loader *ld);
/* conf_check_channels - names, ends, the matrix and per-kind rules */
void conf_check_channels(struct conf_loader *ld);

/* conf_facility_name - "authpriv", "local3", ... or NULL */
const char *conf_facility_name(int facility);
/* conf_facility_lookup - the facility called @name; false when none is */
bool conf_facility_lookup(const char *name, int *ret_facility);

/*
 * Value parsers (conf_value.c).  Each returns NULL when the value is good,
 * or why it is refused, worded to follow the setting and value.
 */
/* conf_text_problem - free text: non-empty, at most @max bytes, UTF-8 */
const char *conf_text_problem(const char *s, size_t max);
/* conf_utf8_chars - the characters of valid UTF-8 @s */
size_t conf_utf8_chars(const char *s);
/* conf_name_valid - [a-z0-9][a-z0-9_-]{0,30} */
bool conf_name_valid(const char *s);
/* conf_ifname_valid - 1-15 of A-Z a-z 0-9 . _ -, not "." or ".." */
bool conf_ifname_valid(const char *s);
/* conf_prefix_problem - why zone_prefix_parse() refused @text */
const char *conf_prefix_problem(const char *text);
/* conf_parse_service - "tcp/25", "udp/123", "tcp/8000-8010" */
const char *conf_parse_service(const char *text, struct zone_service *ret);
/*
 * conf_parse_expires - ISO 8601 "2027-03-31" (the first instant of the
 * next local day) or "2027-03-31T18:00:00+09:00" / "...Z" into @ret
 */
const char *conf_parse_expires(const char *s, time_t *ret);
/* conf_parse_not_before - as expires, but a date is its first instant */
const char *conf_parse_not_before(const char *s, time_t *ret);

/* The bytes of a config: an open file (conf_file.c) or a string. */
struct conf_source {
	int fd; /* -1: @text */
	const char *text;
	size_t size; /* bytes to read at most */
	int err; /* -errno of a failed read */
};

/* conf_open_file - check and open a config file (conf_file.c) */
int conf_open_file(const char *path, unsigned int flags, struct zone_diag *diag,
		   struct conf_source *src);
void conf_close_file(struct conf_source *src);
/* conf_stream - @src as a stream for config_read(), see conf_file.c */
FILE *conf_stream(struct conf_loader *ld, struct conf_source *src);

/* An entry of a lifted list that is not a prefix, as written. */
struct conf_lifted_bad {
	int line;
	char *text;
};

/*
 * A networks list the stream read in libconfig's place (conf_lift.c): the
 * entries that parsed, with the lines libconfig would have given them, and
 * those that did not, for their report.  A list given up is in libconfig's
 * tree as written.
 */
struct conf_lifted {
	bool gave_up;
	struct zone_prefix *v;
	int *lines;
	size_t n;
	size_t cap;
	size_t n_entries; /* as written, good and bad */
	struct conf_lifted_bad *bad;
	size_t n_bad;
};

/* The lexer of conf_lift.c, fed by the stream byte by byte. */
enum conf_lift_state {
	LX_CODE,
	LX_SLASH, /* a '/' held back */
	LX_LINE, /* a '#' or '//' comment */
	LX_BLOCK, /* a slash-star comment */
	LX_BLOCK_STAR,
	LX_STR,
	LX_STR_ESC,
	LX_STR_X,
	LX_STR_XH,
};

enum conf_lift_mode {
	LX_SCAN, /* looking for the setting name */
	LX_AFTER_NAME, /* `networks` read */
	LX_AFTER_EQ, /* and `=` or `:` */
	LX_LIST, /* lifting */
	LX_OFF, /* the end, or stopped */
};

enum conf_lift_expect {
	LX_FIRST, /* an entry or the end */
	LX_VALUE, /* an entry, after a comma */
	LX_AFTER, /* a string read: another, a comma or the end */
};

struct conf_lift {
	struct conf_loader *ld;
	enum conf_lift_state state;
	enum conf_lift_mode mode;
	enum conf_lift_expect expect;
	int line;
	int close; /* ']' or ')' */
	bool in_word;
	bool word_name; /* a name token as a whole */
	bool word_exact; /* "networks" so far */
	bool word_has_key; /* "networks" somewhere in it */
	size_t word_len;
	size_t word_match;
	char esc[2];
	char *val; /* the entry's value so far */
	size_t val_len;
	size_t val_cap;
	char out[8];
	size_t n_out;
};

void conf_lift_init(struct conf_lift *lx, struct conf_loader *ld);
void conf_lift_byte(struct conf_lift *lx, int c);
void conf_lift_release(struct conf_lift *lx);
int conf_lift_attach(struct conf_loader *ld, config_setting_t *root);
/* conf_lifted_free - the lifted lists and what is left in them */
void conf_lifted_free(struct conf_loader *ld);
/* conf_list_length - entries of @list as written, lifted or not */
int conf_list_length(const config_setting_t *list);

#endif
