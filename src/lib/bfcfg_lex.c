/* bfcfg_lex.c - the bf.cfg lexer: shell words with every quoting form,
 * here-documents, operators, with line:col positions. Never executes. */
#include "config.h"
#include "bfcfg_lex.h"
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- growable string ---------------------------------------------------- */

static void sb_putc(struct sbuf *b, char c)
{
	if (b->oom)
		return;
	if (b->len + 2 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		char *n = realloc(b->p, cap);

		if (!n) {
			b->oom = true;
			return;
		}
		b->p = n;
		b->cap = cap;
	}
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

/* An empty word is "" (never NULL) unless memory ran out. */
static void sb_ensure(struct sbuf *b)
{
	if (b->p || b->oom)
		return;
	b->p = calloc(1, 8);
	if (b->p)
		b->cap = 8;
	else
		b->oom = true;
}

char *bf_bfcfg_sb_take(struct sbuf *b)
{
	char *p = b->p;

	if (!p && !b->oom)
		p = calloc(1, 1);
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

/* ---- lexer -------------------------------------------------------------- */

void bf_bfcfg_lex_error(struct lex *L, struct bf_bfcfg_pos pos, const char *fmt, ...)
{
	va_list ap;

	if (L->err)
		return;
	L->err = true;
	L->d->pos = pos;
	va_start(ap, fmt);
	vsnprintf(L->d->msg, sizeof(L->d->msg), fmt, ap);
	va_end(ap);
}

static int peek(const struct lex *L, size_t off)
{
	return L->i + off < L->n ? (unsigned char)L->s[L->i + off] : -1;
}

void bf_bfcfg_lex_adv(struct lex *L)
{
	if (L->i >= L->n)
		return;
	if (L->s[L->i] == '\n') {
		L->line++;
		L->col = 1;
	} else {
		L->col++;
	}
	L->i++;
}

struct bf_bfcfg_pos bf_bfcfg_lex_here(const struct lex *L)
{
	struct bf_bfcfg_pos p = { L->line, L->col };

	return p;
}

static bool is_meta(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' ||
	       c == '(' || c == ')' || c == '<' || c == '>' || c == -1;
}

static bool is_name_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(int c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static void copy_adv(struct lex *L)
{
	if (L->i >= L->n)
		return;   /* never past the end of the input */
	sb_putc(&L->word, L->s[L->i]);
	bf_bfcfg_lex_adv(L);
}

/* The closing character of a construct opened at p: taken (kept in the
 * word when keep, as the raw text of a nested construct needs it), or the
 * error naming what was left open at the end of the file. */
static void close_quote(struct lex *L, struct bf_bfcfg_pos p, const char *what, bool keep)
{
	if (peek(L, 0) == -1)
		bf_bfcfg_lex_error(L, p, "%s", what);
	else if (keep)
		copy_adv(L);
	else
		bf_bfcfg_lex_adv(L);
}

/* Copy a nested construct verbatim into the word: $( ... ), ${ ... },
 * ` ... `, honouring quotes inside. Called at its first character. */
static void scan_nested(struct lex *L, int depth_guard);

static void scan_squote_raw(struct lex *L)
{
	struct bf_bfcfg_pos p = bf_bfcfg_lex_here(L);

	copy_adv(L);
	while (peek(L, 0) != -1 && peek(L, 0) != '\'')
		copy_adv(L);
	close_quote(L, p, "unterminated single quote", true);
}

/* $( ${ or `: a nested construct starts here. */
static bool at_nested(const struct lex *L)
{
	int c = peek(L, 0);

	return (c == '$' && (peek(L, 1) == '(' || peek(L, 1) == '{')) || c == '`';
}

/* $NAME, $1, $? ...: a parameter expansion starts here. */
static bool at_param(const struct lex *L)
{
	int n = peek(L, 1);

	return peek(L, 0) == '$' && (is_name_start(n) || (n != -1 && strchr("?#@*!$-0123456789", n)));
}

static void scan_dquote_raw(struct lex *L, int depth)
{
	struct bf_bfcfg_pos p = bf_bfcfg_lex_here(L);

	copy_adv(L);
	while (!L->err && peek(L, 0) != -1 && peek(L, 0) != '"') {
		if (peek(L, 0) == '\\' && peek(L, 1) != -1) {
			copy_adv(L);
			copy_adv(L);
		} else if (at_nested(L)) {
			scan_nested(L, depth + 1);
		} else {
			copy_adv(L);
		}
	}
	if (L->err)
		return;
	close_quote(L, p, "unterminated double quote", true);
}

static void scan_nested(struct lex *L, int depth)
{
	struct bf_bfcfg_pos p = bf_bfcfg_lex_here(L);
	int open, close, level = 0;
	const char *what;

	if (depth > BF_BFCFG_MAX_DEPTH) {
		bf_bfcfg_lex_error(L, p, "expansions nested too deeply");
		return;
	}
	L->expands = true;
	if (peek(L, 0) == '`') {
		copy_adv(L);
		while (peek(L, 0) != -1 && peek(L, 0) != '`') {
			if (peek(L, 0) == '\\' && peek(L, 1) != -1)
				copy_adv(L);
			copy_adv(L);
		}
		close_quote(L, p, "unterminated backquote", true);
		return;
	}
	copy_adv(L);                     /* '$' */
	open = peek(L, 0);
	close = open == '(' ? ')' : '}';
	what = open == '(' ? "'$('" : "'${'";
	while (!L->err && peek(L, 0) != -1) {
		int c = peek(L, 0);

		if (c == '\\' && peek(L, 1) != -1) {
			copy_adv(L);
			copy_adv(L);
		} else if (c == '\'' && open == '(') {
			scan_squote_raw(L);
		} else if (c == '"') {
			scan_dquote_raw(L, depth + 1);
		} else if (at_nested(L)) {
			scan_nested(L, depth + 1);
		} else if (c == '#' && open == '(' && L->i > 0 &&
			   (L->s[L->i - 1] == ' ' || L->s[L->i - 1] == '\t' || L->s[L->i - 1] == '\n')) {
			while (peek(L, 0) != -1 && peek(L, 0) != '\n')
				copy_adv(L);
		} else {
			if (c == open)
				level++;
			else if (c == close)
				level--;
			copy_adv(L);
			if (level == 0)
				return;
		}
	}
	if (!L->err)
		bf_bfcfg_lex_error(L, p, "unterminated %s", what);
}

/* $'...' (ANSI-C quoting): the common escapes. */
static void scan_ansi(struct lex *L)
{
	struct bf_bfcfg_pos p = bf_bfcfg_lex_here(L);

	bf_bfcfg_lex_adv(L);
	bf_bfcfg_lex_adv(L);
	while (peek(L, 0) != -1 && peek(L, 0) != '\'') {
		int c = peek(L, 0);

		if (c == '\\' && peek(L, 1) != -1) {
			int e = peek(L, 1);
			const char *from = "ntr\\'\"abefv0", *to = "\n\t\r\\'\"\a\b\x1b\f\v";
			const char *f = strchr(from, e);

			bf_bfcfg_lex_adv(L);
			bf_bfcfg_lex_adv(L);
			if (f && *f && (size_t)(f - from) < strlen(to))
				sb_putc(&L->word, to[f - from]);
			else if (e != '0') {
				sb_putc(&L->word, '\\');
				sb_putc(&L->word, (char)e);
			}
			continue;
		}
		copy_adv(L);
	}
	close_quote(L, p, "unterminated $'...' quote", false);
}

/* NAME=( ... ): an array assignment, up to its matching ')'. */
static void word_array(struct lex *L)
{
	struct bf_bfcfg_pos p = bf_bfcfg_lex_here(L);
	int level = 0;

	L->array = true;
	bf_bfcfg_lex_adv(L);
	while (!L->err && peek(L, 0) != -1) {
		int e = peek(L, 0);

		if (e == '\'')
			scan_squote_raw(L);
		else if (e == '"')
			scan_dquote_raw(L, 1);
		else if (at_nested(L))
			scan_nested(L, 1);
		else if (e == ')' && level == 0)
			break;
		else {
			level += e == '(' ? 1 : e == ')' ? -1 : 0;
			copy_adv(L);
		}
	}
	close_quote(L, p, "unterminated array assignment '('", false);
}

/* '...': everything literal up to the next quote. */
static void word_squote(struct lex *L)
{
	struct bf_bfcfg_pos p = bf_bfcfg_lex_here(L);

	L->quoted = true;
	bf_bfcfg_lex_adv(L);
	while (peek(L, 0) != -1 && peek(L, 0) != '\'')
		copy_adv(L);
	close_quote(L, p, "unterminated single quote", false);
}

/* "...": backslash escapes only $ ` " \ and newline; expansions inside. */
static void word_dquote(struct lex *L)
{
	struct bf_bfcfg_pos p = bf_bfcfg_lex_here(L);

	L->quoted = true;
	bf_bfcfg_lex_adv(L);
	while (!L->err && peek(L, 0) != -1 && peek(L, 0) != '"') {
		int e = peek(L, 0);

		if (e == '\\' && peek(L, 1) == '\n') {
			bf_bfcfg_lex_adv(L);
			bf_bfcfg_lex_adv(L);
		} else if (e == '\\' && peek(L, 1) != -1 && strchr("$`\"\\", peek(L, 1))) {
			bf_bfcfg_lex_adv(L);
			copy_adv(L);
		} else if (at_nested(L)) {
			scan_nested(L, 1);
		} else {
			L->expands |= at_param(L);
			copy_adv(L);
		}
	}
	if (L->err)
		return;
	close_quote(L, p, "unterminated double quote", false);
}

/* \c outside quotes: c literal (a backslash at the very end stays). */
static void word_escape(struct lex *L)
{
	bf_bfcfg_lex_adv(L);
	L->quoted = true;
	if (peek(L, 0) == -1)
		sb_putc(&L->word, '\\');
	else
		copy_adv(L);
}

/* One word: quotes, escapes, expansions and NAME=value / NAME=( ... ). */
static void lex_word(struct lex *L)
{
	bool name_prefix = is_name_start(peek(L, 0));

	L->t = T_WORD;
	L->quoted = L->expands = L->array = false;
	L->assign = 0;
	while (!L->err) {
		int c = peek(L, 0);

		if (c == 0) {
			bf_bfcfg_lex_error(L, bf_bfcfg_lex_here(L), "NUL byte in the file");
			break;
		}
		if (c == '\\' && peek(L, 1) == '\n') {          /* continuation */
			bf_bfcfg_lex_adv(L);
			bf_bfcfg_lex_adv(L);
			continue;
		}
		if (is_meta(c)) {
			if (c != '(' || !L->assign || L->word.len != L->assign)
				break;
			word_array(L);
			continue;
		}
		if (c == '=' && name_prefix && !L->assign && !L->quoted) {
			L->assign = L->word.len + 1;
			copy_adv(L);
			continue;
		}
		if (!L->assign && !is_name_char(c))
			name_prefix = false;
		if (c == '\\') {
			name_prefix = L->assign != 0 && name_prefix;
			word_escape(L);
		} else if (c == '\'') {
			word_squote(L);
		} else if (c == '"') {
			word_dquote(L);
			if (L->err)
				break;
		} else if (c == '$' && peek(L, 1) == '\'') {
			L->quoted = true;
			scan_ansi(L);
		} else if (at_nested(L)) {
			scan_nested(L, 1);
		} else {
			L->expands |= at_param(L);
			copy_adv(L);
		}
	}
	if (!L->assign || !name_prefix)
		L->assign = 0;
	sb_ensure(&L->word);
	if (L->word.oom) {
		bf_bfcfg_lex_error(L, L->pos, "out of memory");
		L->t = T_EOF;
	}
}

/* After a newline: skip the bodies of pending here-documents. */
static void skip_heredocs(struct lex *L)
{
	unsigned k;

	for (k = 0; k < L->nhd; k++) {
		size_t dl = strlen(L->hd[k]);
		bool found = false;

		while (L->i < L->n) {
			size_t ls = L->i, le = ls;

			while (le < L->n && L->s[le] != '\n')
				le++;
			if (L->hd_strip[k])
				while (ls < le && L->s[ls] == '\t')
					ls++;
			found = le - ls == dl && !memcmp(L->s + ls, L->hd[k], dl);
			while (L->i < le)
				bf_bfcfg_lex_adv(L);
			bf_bfcfg_lex_adv(L);                         /* the newline */
			if (found)
				break;
		}
		free(L->hd[k]);
		L->hd[k] = NULL;
	}
	L->nhd = 0;
}

/* Blanks, line continuations and comments before a token; its first
 * character. */
static int skip_blank(struct lex *L)
{
	int c;

	for (;;) {
		c = peek(L, 0);
		if (c == ' ' || c == '\t' || c == '\r') {
			bf_bfcfg_lex_adv(L);
		} else if (c == '\\' && peek(L, 1) == '\n') {
			bf_bfcfg_lex_adv(L);
			bf_bfcfg_lex_adv(L);
		} else if (c == '#') {
			while (peek(L, 0) != -1 && peek(L, 0) != '\n')
				bf_bfcfg_lex_adv(L);
		} else {
			return c;
		}
	}
}

/* Takes the next character when it is c. */
static bool take(struct lex *L, int c)
{
	if (peek(L, 0) != c)
		return false;
	bf_bfcfg_lex_adv(L);
	return true;
}

/* ; ;; ;;& ;& */
static void lex_semi(struct lex *L)
{
	L->t = T_SEMI;
	if (take(L, ';')) {
		L->t = T_DSEMI;
		take(L, '&');
	} else if (take(L, '&')) {
		L->t = T_DSEMI;
	}
}

/* & && &> &>> */
static void lex_amp(struct lex *L)
{
	L->t = T_AMP;
	if (take(L, '&')) {
		L->t = T_AND;
	} else if (take(L, '>')) {
		take(L, '>');
		L->t = T_REDIR;
	}
}

/* | || |& */
static void lex_pipe(struct lex *L)
{
	L->t = T_PIPE;
	if (take(L, '|'))
		L->t = T_OR;
	else
		take(L, '&');
}

/* < > << <<- <<< >> >& >| <& <> */
static void lex_angle(struct lex *L, int c)
{
	L->t = T_REDIR;
	if (c == '<' && peek(L, 0) == '<' && peek(L, 1) != '<') {
		bf_bfcfg_lex_adv(L);
		L->t = T_HEREDOC;
		L->hd_dash = take(L, '-');
	} else if (c == '<' && peek(L, 0) == '<') {
		bf_bfcfg_lex_adv(L);
		bf_bfcfg_lex_adv(L);                              /* <<< here-string */
	} else if (peek(L, 0) == '>' || peek(L, 0) == '&' || peek(L, 0) == '|' ||
		   (c == '<' && peek(L, 0) == '>')) {
		bf_bfcfg_lex_adv(L);
	}
}

void bf_bfcfg_lex_next(struct lex *L)
{
	int c;

	free(bf_bfcfg_sb_take(&L->word));
	c = skip_blank(L);
	L->pos = bf_bfcfg_lex_here(L);
	L->start = L->i;
	L->assign = 0;
	L->quoted = L->expands = L->array = false;
	if (c == '\0' && L->i < L->n) {
		bf_bfcfg_lex_error(L, L->pos, "NUL byte in the file");
		L->t = T_EOF;
		return;
	}
	if (c == -1) {
		L->t = T_EOF;
	} else if (c > 0 && strchr("\n;&|()<>", c)) {
		bf_bfcfg_lex_adv(L);
		if (c == '\n') {
			L->t = T_NEWLINE;
			skip_heredocs(L);
		} else if (c == ';') {
			lex_semi(L);
		} else if (c == '&') {
			lex_amp(L);
		} else if (c == '|') {
			lex_pipe(L);
		} else if (c == '(' || c == ')') {
			L->t = c == '(' ? T_LPAREN : T_RPAREN;
		} else {
			lex_angle(L, c);
		}
	} else {
		lex_word(L);
	}
	L->end = L->i;
}

