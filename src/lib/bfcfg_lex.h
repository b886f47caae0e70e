/* bfcfg_lex.h - the bf.cfg lexer, shared by bfcfg.c's reader (internal;
 * bf_bfcfg_lex_*, bf_bfcfg_sb_*). */
#ifndef BF_BFCFG_LEX_H
#define BF_BFCFG_LEX_H

#include <stdbool.h>
#include <stddef.h>

#include "bfcfg.h"

/* A growable string. */
struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

enum tok {
	T_EOF, T_WORD, T_NEWLINE, T_SEMI, T_DSEMI, T_AMP, T_AND, T_OR, T_PIPE,
	T_LPAREN, T_RPAREN, T_REDIR, T_HEREDOC,
};

#define MAX_HEREDOCS 16

struct lex {
	const char *s;
	size_t n, i;
	unsigned line, col;
	/* current token */
	enum tok t;
	struct bf_bfcfg_pos pos;
	size_t start, end;         /* source range of the token */
	struct sbuf word;          /* cooked word (quotes removed) */
	bool quoted, expands;
	size_t assign;             /* for NAME=...: length of NAME + 1, else 0 */
	bool array;
	/* pending here-documents: delimiters to look for after the newline */
	char *hd[MAX_HEREDOCS];
	bool hd_strip[MAX_HEREDOCS];
	unsigned nhd;
	bool want_hd_word;
	bool hd_dash;
	/* error */
	bool err;
	struct bf_bfcfg_diag *d;
};

void bf_bfcfg_lex_error(struct lex *L, struct bf_bfcfg_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void bf_bfcfg_lex_adv(struct lex *L);
struct bf_bfcfg_pos bf_bfcfg_lex_here(const struct lex *L);
/* The next token into L (t, pos, word, ...). */
void bf_bfcfg_lex_next(struct lex *L);
/* The string built so far, and a fresh buffer. */
char *bf_bfcfg_sb_take(struct sbuf *b);

#endif
