/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lifting the networks lists out of the text before libconfig sees it.
 * libconfig has no streaming interface: every entry of a list becomes a
 * setting of its own (about 90 bytes a network, 90 MB at a million), only
 * to be turned into a prefix and freed.  So the config stream
 * (conf_file.c) passes each byte through this lexer, which follows
 * libconfig's own tokens (the libconfig manual, "Configuration Files":
 * "Settings" for names, "String Values" for the escapes and the
 * concatenation of adjacent strings, "Comments" for the three forms):
 * after a setting name `networks`, `=` or `:` and `[` or `(`, it parses
 * the string entries into prefixes itself and hands libconfig the list
 * with its entries blanked out, byte for byte: newlines kept, so every
 * line number stays; the commas become form feeds, which libconfig skips
 * as it skips blanks, so that no run of blanks grows into one long token
 * in its scanner's buffer; and as many bytes as the file holds, so that
 * libconfig reads as far into the file as before.
 *
 * What libconfig and the loader would say about the list must not change,
 * and a stream is read once, so the lexer lifts only what it can read in
 * full: string entries separated by single commas.  At anything else (a
 * number, a group, a nested list, a stray or trailing comma, the wrong
 * closing bracket, the end of the file) it gives the list up: it hands
 * libconfig an empty string (and the comma that preceded, if any) in
 * place of what it took, which puts libconfig's parser in the state the
 * original text would have, and lets the rest of the list through as
 * written.  libconfig then reports its syntax error, or the loader finds
 * the first entry that is not a string, exactly where it would have.
 *
 * The lifted lists are kept in text order.  libconfig adds each setting
 * to its parent as it parses it, so config_setting_get_elem() gives the
 * members of a group and the entries of a list in text order, and a
 * depth-first walk of the tree meets the `networks` settings in the order
 * of the lists (conf_lift_attach()); each gets its lifted list as its
 * hook.  Should the counts ever differ, the load fails.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include <zone/addr.h>

#include "conf_priv.h"

static const char key_word[] = "networks";
#define KEY_LEN (sizeof(key_word) - 1)

/* Characters of name and number tokens: [-+.A-Za-z0-9_*] */
static bool word_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
	       c == '_' || c == '*';
}

static bool blank_char(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/**
 * conf_lift_init - a lexer at the start of a text
 * @lx: the lexer, in the caller's stream
 * @ld: where the lifted lists go (ld->lifted), and ld->nomem
 */
void conf_lift_init(struct conf_lift *lx, struct conf_loader *ld)
{
	memset(lx, 0, sizeof(*lx));
	lx->ld = ld;
	lx->line = 1;
}

/* conf_lift_release - the lexer's own memory (the lists stay in ld) */
void conf_lift_release(struct conf_lift *lx)
{
	free(lx->val);
	lx->val = NULL;
}

static void put(struct conf_lift *lx, char c)
{
	lx->out[lx->n_out++] = c;
}

static void put_str(struct conf_lift *lx, const char *s)
{
	while (*s)
		put(lx, *s++);
}

static void list_free(struct conf_lifted *l)
{
	size_t i;

	free(l->v);
	free(l->lines);
	for (i = 0; i < l->n_bad; i++)
		free(l->bad[i].text);
	free(l->bad);
	l->v = NULL;
	l->lines = NULL;
	l->bad = NULL;
	l->n = 0;
	l->cap = 0;
	l->n_bad = 0;
}

/* conf_lifted_free - the lifted lists, and what the loader left in them */
void conf_lifted_free(struct conf_loader *ld)
{
	size_t i;

	for (i = 0; i < ld->n_lifted; i++)
		list_free(&ld->lifted[i]);
	free(ld->lifted);
	ld->lifted = NULL;
	ld->n_lifted = 0;
	ld->lifted_cap = 0;
}

static struct conf_lifted *cur_list(struct conf_lift *lx)
{
	return &lx->ld->lifted[lx->ld->n_lifted - 1];
}

/* A new list in text order; at least one slot, never a NULL array. */
static void list_start(struct conf_lift *lx, int open)
{
	struct conf_loader *ld = lx->ld;
	struct conf_lifted *v = ld->lifted;
	struct conf_lifted *l;
	size_t cap;

	/* a list is a few bytes of text: room doubles, as text may demand */
	if (ld->n_lifted == ld->lifted_cap) {
		cap = ld->lifted_cap ? ld->lifted_cap * 2 : 8;
		v = reallocarray(ld->lifted, cap, sizeof(*v));
		if (!v) {
			ld->nomem = true;
			lx->mode = LX_OFF;
			return;
		}
		ld->lifted_cap = cap;
	}
	ld->lifted = v;
	l = &v[ld->n_lifted++];
	memset(l, 0, sizeof(*l));
	lx->close = open == '[' ? ']' : ')';
	lx->mode = LX_LIST;
	lx->expect = LX_FIRST;
}

static void val_add(struct conf_lift *lx, char c)
{
	char *v;
	size_t cap;

	if (lx->val_len + 1 >= lx->val_cap) {
		cap = lx->val_cap ? lx->val_cap * 2 : 64;
		v = realloc(lx->val, cap);
		if (!v) {
			lx->ld->nomem = true;
			return;
		}
		lx->val = v;
		lx->val_cap = cap;
	}
	lx->val[lx->val_len++] = c;
}

/* The entry whose strings end here: libconfig gives it this line. */
static void entry_done(struct conf_lift *lx)
{
	struct conf_lifted *l = cur_list(lx);
	struct conf_lifted_bad *bad;
	struct zone_prefix p;
	const char *text = lx->val ? lx->val : "";
	size_t cap;
	void *v;

	if (lx->val)
		lx->val[lx->val_len] = '\0';
	lx->val_len = 0;
	l->n_entries++;
	if (zone_prefix_parse(text, &p) == 0) {
		if (l->n == l->cap) {
			cap = l->cap ? l->cap * 2 : 16;
			v = reallocarray(l->v, cap, sizeof(*l->v));
			if (!v)
				goto nomem;
			l->v = v;
			v = reallocarray(l->lines, cap, sizeof(*l->lines));
			if (!v)
				goto nomem;
			l->lines = v;
			l->cap = cap;
		}
		l->v[l->n] = p;
		l->lines[l->n++] = lx->line;
		return;
	}
	bad = reallocarray(l->bad, l->n_bad + 1, sizeof(*bad));
	if (!bad)
		goto nomem;
	l->bad = bad;
	bad[l->n_bad].line = lx->line;
	bad[l->n_bad].text = strdup(text);
	if (!bad[l->n_bad].text)
		goto nomem;
	l->n_bad++;
	return;

nomem:
	lx->ld->nomem = true;
}

/* The list as written is complete: its arrays at their size. */
static void list_done(struct conf_lift *lx)
{
	struct conf_lifted *l = cur_list(lx);
	void *v;

	lx->mode = LX_SCAN;
	if (l->n == 0 || l->n == l->cap)
		return;
	/* shrinking does not move a block; a failure keeps the larger one */
	v = reallocarray(l->v, l->n, sizeof(*l->v));
	if (v)
		l->v = v;
	v = reallocarray(l->lines, l->n, sizeof(*l->lines));
	if (v)
		l->lines = v;
	l->cap = l->n;
}

/*
 * Give the list up: libconfig gets an empty string where the lifted
 * entries were (the one in progress included), and the comma after them
 * if one was the last token, so that it meets what follows in the state
 * the text as written would have put it in.
 */
static void give_up(struct conf_lift *lx)
{
	struct conf_lifted *l = cur_list(lx);

	if (lx->expect == LX_AFTER)
		put_str(lx, "\"\"");
	else if (lx->expect == LX_VALUE)
		put_str(lx, "\"\",");
	list_free(l);
	l->gave_up = true;
	lx->val_len = 0;
	lx->mode = LX_SCAN;
}

/* A name or number token ends: was it the setting name `networks`? */
static void word_end(struct conf_lift *lx)
{
	lx->in_word = false;
	if (lx->word_name && lx->word_len == KEY_LEN && lx->word_exact) {
		lx->mode = LX_AFTER_NAME;
		return;
	}
	/*
	 * A word that begins as a number, or holds a '.' or '+', is several
	 * tokens whose bounds only libconfig's number rules decide: when
	 * "networks" is in it, that may be the setting name.  Lifting stops
	 * there for the rest of the file; the lists lifted so far are the
	 * first settings in libconfig's order all the same.
	 */
	if (lx->word_has_key && !lx->word_name) {
		lx->mode = LX_OFF;
		lx->ld->lift_off = true;
	}
}

static void word_add(struct conf_lift *lx, int c)
{
	if (!lx->in_word) {
		lx->in_word = true;
		lx->word_name = (c >= 'a' && c <= 'z') ||
				(c >= 'A' && c <= 'Z') || c == '*';
		lx->word_len = 0;
		lx->word_exact = true;
		lx->word_match = 0;
		lx->word_has_key = false;
	}
	if (c == '.' || c == '+')
		lx->word_name = false;
	if (lx->word_len >= KEY_LEN || c != key_word[lx->word_len])
		lx->word_exact = false;
	lx->word_len++;
	/* "networks" has no border: a mismatch restarts at its first letter */
	if (c == key_word[lx->word_match])
		lx->word_match++;
	else
		lx->word_match = c == key_word[0] ? 1 : 0;
	if (lx->word_match == KEY_LEN) {
		lx->word_has_key = true;
		lx->word_match = 0;
	}
}

/* A token other than a string or a comment, in the current mode. */
static void token(struct conf_lift *lx, int c)
{
	switch (lx->mode) {
	case LX_AFTER_NAME:
		if (c == '=' || c == ':') {
			lx->mode = LX_AFTER_EQ;
			put(lx, (char)c);
			return;
		}
		lx->mode = LX_SCAN;
		break;
	case LX_AFTER_EQ:
		if (c == '[' || c == '(') {
			put(lx, (char)c);
			list_start(lx, c);
			return;
		}
		lx->mode = LX_SCAN;
		break;
	case LX_LIST:
		if (c == ',' && lx->expect == LX_AFTER) {
			entry_done(lx);
			lx->expect = LX_VALUE;
			put(lx, '\f');
			return;
		}
		if (c == lx->close && lx->expect != LX_VALUE) {
			if (lx->expect == LX_AFTER)
				entry_done(lx);
			list_done(lx);
			put(lx, (char)c);
			return;
		}
		give_up(lx);
		break;
	default:
		break;
	}
	if (word_char(c))
		word_add(lx, c);
	put(lx, (char)c);
}

static void string_start(struct conf_lift *lx)
{
	lx->state = LX_STR;
	if (lx->mode == LX_AFTER_NAME || lx->mode == LX_AFTER_EQ)
		lx->mode = LX_SCAN;
	if (lx->mode != LX_LIST) {
		put(lx, '"');
		return;
	}
	/* adjacent strings are one entry: only a comma ends it */
	if (lx->expect != LX_AFTER)
		lx->val_len = 0;
	lx->expect = LX_AFTER;
	put(lx, ' ');
}

/* A byte of a string: its value when lifted, blanked in the output. */
static void str_put(struct conf_lift *lx, int c, bool value)
{
	if (lx->mode != LX_LIST) {
		put(lx, (char)c);
		return;
	}
	if (value)
		val_add(lx, (char)c);
	put(lx, c == '\n' ? '\n' : ' ');
}

/*
 * The string escapes of libconfig 1.5's scanner: \n \r \t \f \\ \" and
 * \xHH (a NUL adds nothing); any other backslash stands for itself and
 * what follows it is read as usual.
 */
static bool str_byte(struct conf_lift *lx, int c)
{
	static const char esc_from[] = "nrtf\\\"";
	static const char esc_to[] = "\n\r\t\f\\\"";
	const char *e;
	int v;

	switch (lx->state) {
	case LX_STR:
		if (c == '"') {
			lx->state = LX_CODE;
			str_put(lx, c, false);
		} else if (c == '\\') {
			lx->state = LX_STR_ESC;
			str_put(lx, c, false);
		} else {
			str_put(lx, c, true);
		}
		return true;
	case LX_STR_ESC:
		lx->state = LX_STR;
		e = strchr(esc_from, c);
		if (e && c) {
			if (lx->mode == LX_LIST)
				val_add(lx, esc_to[e - esc_from]);
			str_put(lx, c, false);
			return true;
		}
		if ((c == 'x' || c == 'X') && lx->mode == LX_LIST) {
			lx->state = LX_STR_X;
			lx->esc[0] = (char)c;
			str_put(lx, c, false);
			return true;
		}
		if (lx->mode == LX_LIST)
			val_add(lx, '\\');
		return false;
	case LX_STR_X:
		if (hex_value(c) >= 0) {
			lx->state = LX_STR_XH;
			lx->esc[1] = (char)c;
			str_put(lx, c, false);
			return true;
		}
		lx->state = LX_STR;
		val_add(lx, '\\');
		val_add(lx, lx->esc[0]);
		return false;
	case LX_STR_XH:
		lx->state = LX_STR;
		if (hex_value(c) >= 0) {
			v = hex_value(lx->esc[1]) * 16 + hex_value(c);
			if (v)
				val_add(lx, (char)v);
			str_put(lx, c, false);
			return true;
		}
		val_add(lx, '\\');
		val_add(lx, lx->esc[0]);
		val_add(lx, lx->esc[1]);
		return false;
	default:
		return false;
	}
}

/* The end of the text: a list still open is given up. */
static void lift_end(struct conf_lift *lx)
{
	if (lx->state == LX_SLASH) {
		lx->state = LX_CODE;
		token(lx, '/');
	}
	if (lx->in_word)
		word_end(lx);
	if (lx->mode == LX_LIST)
		give_up(lx);
	lx->mode = LX_OFF;
}

static void code_byte(struct conf_lift *lx, int c)
{
	if (lx->in_word) {
		if (word_char(c)) {
			word_add(lx, c);
			put(lx, (char)c);
			return;
		}
		word_end(lx);
		if (lx->mode == LX_OFF) {
			put(lx, (char)c);
			return;
		}
	}
	if (blank_char(c)) {
		put(lx, (char)c);
	} else if (c == '#') {
		lx->state = LX_LINE;
		put(lx, (char)c);
	} else if (c == '/') {
		/* held back: a comment, or a token of its own */
		lx->state = LX_SLASH;
	} else if (c == '"') {
		string_start(lx);
	} else {
		token(lx, c);
	}
}

/**
 * conf_lift_byte - pass one byte of the text through the lexer
 * @lx: the lexer
 * @c: the byte, or -1 at the end of the text
 *
 * What libconfig is to read in its place (none, one or a few bytes) is in
 * lx->out[0 .. lx->n_out), which the caller empties before the next call.
 */
void conf_lift_byte(struct conf_lift *lx, int c)
{
	lx->n_out = 0;
	if (lx->mode == LX_OFF) {
		if (c >= 0)
			put(lx, (char)c);
		return;
	}
	if (c < 0) {
		lift_end(lx);
		return;
	}
	switch (lx->state) {
	case LX_LINE:
		/* '#' and '//' comments end before the newline */
		if (c == '\n')
			lx->state = LX_CODE;
		put(lx, (char)c);
		break;
	case LX_BLOCK:
		if (c == '*')
			lx->state = LX_BLOCK_STAR;
		put(lx, (char)c);
		break;
	case LX_BLOCK_STAR:
		if (c == '/')
			lx->state = LX_CODE;
		else if (c != '*')
			lx->state = LX_BLOCK;
		put(lx, (char)c);
		break;
	case LX_SLASH:
		if (c == '/' || c == '*') {
			lx->state = c == '/' ? LX_LINE : LX_BLOCK;
			put(lx, '/');
			put(lx, (char)c);
			break;
		}
		lx->state = LX_CODE;
		token(lx, '/');
		if (lx->mode == LX_OFF)
			put(lx, (char)c);
		else
			code_byte(lx, c);
		break;
	case LX_CODE:
		code_byte(lx, c);
		break;
	default:
		if (!str_byte(lx, c))
			str_byte(lx, c);
		break;
	}
	if (c == '\n')
		lx->line++;
}

/* Each setting of @root's tree, depth first, in the order it was read. */
struct walk_frame {
	config_setting_t *s;
	unsigned int next;
};

static bool is_key(const config_setting_t *s)
{
	const char *name = config_setting_name(s);

	return name && strcmp(name, key_word) == 0 &&
	       (config_setting_type(s) == CONFIG_TYPE_ARRAY ||
		config_setting_type(s) == CONFIG_TYPE_LIST);
}

/* Meet a setting: the next lifted list is its own. */
static int attach_one(struct conf_loader *ld, config_setting_t *s, size_t *k)
{
	if (!is_key(s))
		return 0;
	if (*k >= ld->n_lifted)
		return ld->lift_off ? 0 : -1;
	if (!ld->lifted[*k].gave_up)
		config_setting_set_hook(s, &ld->lifted[*k]);
	(*k)++;
	return 0;
}

/**
 * conf_lift_attach - hang each lifted list on its setting of the tree
 * @ld: the loader, its lifted lists in text order
 * @root: libconfig's root setting, after a read without errors
 *
 * Returns 0, -ENOMEM, or -EPROTO when the lists and the settings are out
 * of step (never expected: the load must then fail, not guess).
 */
int conf_lift_attach(struct conf_loader *ld, config_setting_t *root)
{
	struct walk_frame *stack = NULL;
	struct walk_frame *v;
	size_t depth = 0;
	size_t cap = 0;
	size_t k = 0;
	config_setting_t *s;
	int ret = 0;

	if (config_setting_type(root) != CONFIG_TYPE_GROUP)
		return 0;
	s = root;
	for (;;) {
		if (config_setting_type(s) == CONFIG_TYPE_GROUP ||
		    config_setting_type(s) == CONFIG_TYPE_LIST) {
			if (depth == cap) {
				cap = cap ? cap * 2 : 16;
				v = reallocarray(stack, cap, sizeof(*stack));
				if (!v) {
					ret = -ENOMEM;
					break;
				}
				stack = v;
			}
			stack[depth].s = s;
			stack[depth++].next = 0;
		}
		while (depth && stack[depth - 1].next >=
					(unsigned int)config_setting_length(
						stack[depth - 1].s))
			depth--;
		if (!depth)
			break;
		s = config_setting_get_elem(stack[depth - 1].s,
					    stack[depth - 1].next++);
		ret = attach_one(ld, s, &k);
		if (ret < 0) {
			ret = -EPROTO;
			break;
		}
	}
	free(stack);
	if (ret == 0 && k != ld->n_lifted)
		ret = -EPROTO;
	return ret;
}
