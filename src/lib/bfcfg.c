/* bfcfg.c - bf.cfg lexer and reader (never executes anything). */
#include "config.h"
#include "bfcfg.h"
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bfcfg_lex.h"

/* ---- reader ------------------------------------------------------------- */

struct opener {
	char what[8];
	struct bf_bfcfg_pos pos;
};

struct rd {
	struct lex L;
	struct bf_bfcfg *c;
	size_t items;
	struct opener stack[BF_BFCFG_MAX_DEPTH];
	unsigned depth;
	unsigned case_depth;       /* inside case ... esac: ')' ends patterns */
	bool cond;                 /* after && || |: the command may not run here */
	bool have_cmd;             /* a command precedes (&& || | are allowed) */
	bool oom;
};

static bool grow(void **arr, size_t n, size_t elem)
{
	if ((n & (n - 1)) == 0) {   /* n is 0 or a power of two: double */
		void *p = realloc(*arr, (n ? n * 2 : 8) * elem);

		if (!p)
			return false;
		*arr = p;
	}
	return true;
}

static bool count_item(struct rd *R)
{
	if (++R->items > BF_BFCFG_MAX_ITEMS) {
		bf_bfcfg_lex_error(&R->L, R->L.pos, "more than %u statements", BF_BFCFG_MAX_ITEMS);
		return false;
	}
	return true;
}

static void add_var(struct rd *R, const char *word, size_t eq, struct bf_bfcfg_pos pos, unsigned flags)
{
	struct bf_bfcfg *c = R->c;
	struct bf_bfcfg_var *v;

	if (!count_item(R))
		return;
	if (!grow((void **)&c->vars, c->nvars, sizeof(*c->vars))) {
		R->oom = true;
		return;
	}
	v = &c->vars[c->nvars];
	v->name = strndup(word, eq ? eq - 1 : strlen(word));
	v->value = strdup(eq ? word + eq : "");
	v->pos = pos;
	v->flags = flags | (R->depth || R->cond ? BF_BFCFG_CONDITIONAL : 0);
	if (!v->name || !v->value) {
		free(v->name);
		free(v->value);
		R->oom = true;
		return;
	}
	c->nvars++;
}

static void add_cmd(struct rd *R, const char *name, struct bf_bfcfg_pos pos)
{
	struct bf_bfcfg *c = R->c;

	if (!count_item(R))
		return;
	if (!grow((void **)&c->cmds, c->ncmds, sizeof(*c->cmds)) ||
	    !(c->cmds[c->ncmds].name = strdup(name))) {
		R->oom = true;
		return;
	}
	c->cmds[c->ncmds].pos = pos;
	c->cmds[c->ncmds].conditional = R->depth > 0 || R->cond;
	c->ncmds++;
}

static void push(struct rd *R, const char *what, struct bf_bfcfg_pos pos)
{
	if (R->depth >= BF_BFCFG_MAX_DEPTH) {
		bf_bfcfg_lex_error(&R->L, pos, "compound commands nested deeper than %d", BF_BFCFG_MAX_DEPTH);
		return;
	}
	snprintf(R->stack[R->depth].what, sizeof(R->stack[R->depth].what), "%s", what);
	R->stack[R->depth].pos = pos;
	R->depth++;
	if (!strcmp(what, "case"))
		R->case_depth++;
}

/* Close a construct opened by one of the openers in `opens`. */
static void pop(struct rd *R, const char *closer, const char *opens, struct bf_bfcfg_pos pos)
{
	char key[10];

	if (R->depth == 0) {
		bf_bfcfg_lex_error(&R->L, pos, "unexpected '%s'", closer);
		return;
	}
	snprintf(key, sizeof(key), " %s ", R->stack[R->depth - 1].what);
	if (!strstr(opens, key)) {
		bf_bfcfg_lex_error(&R->L, pos, "unexpected '%s': '%s' at line %u, column %u is still open", closer,
			  R->stack[R->depth - 1].what, R->stack[R->depth - 1].pos.line,
			  R->stack[R->depth - 1].pos.col);
		return;
	}
	R->depth--;
	if (!strcmp(R->stack[R->depth].what, "case"))
		R->case_depth--;
}

static bool is_terminator(enum tok t)
{
	return t == T_EOF || t == T_NEWLINE || t == T_SEMI || t == T_AMP || t == T_AND ||
	       t == T_OR || t == T_PIPE || t == T_DSEMI;
}

/* Skip the words and redirections of a command up to its terminator (or a
 * ')' closing a subshell or a case pattern). */
static void skip_command(struct rd *R)
{
	struct lex *L = &R->L;

	while (!L->err && !is_terminator(L->t) && L->t != T_RPAREN) {
		if (L->t == T_LPAREN) {
			bf_bfcfg_lex_error(L, L->pos, "unexpected '('");
			return;
		}
		if (L->t == T_REDIR || L->t == T_HEREDOC) {
			bool hd = L->t == T_HEREDOC, dash = L->hd_dash;
			struct bf_bfcfg_pos p = L->pos;

			bf_bfcfg_lex_next(L);
			if (L->t != T_WORD) {
				bf_bfcfg_lex_error(L, p, "redirection without a target");
				return;
			}
			if (hd) {
				if (L->nhd >= MAX_HEREDOCS) {
					bf_bfcfg_lex_error(L, p, "more than %d here-documents on one line", MAX_HEREDOCS);
					return;
				}
				L->hd_strip[L->nhd] = dash;
				L->hd[L->nhd++] = strdup(L->word.p ? L->word.p : "");
			}
		}
		bf_bfcfg_lex_next(L);
	}
}

/* name() { body } -- at the name; the lexer is past "()" or "function name". */
static void read_function(struct rd *R, const char *name, struct bf_bfcfg_pos npos)
{
	struct lex *L = &R->L;
	struct bf_bfcfg_func *f;
	struct bf_bfcfg_pos open;
	size_t start;
	unsigned level = 0;
	bool cmdpos = true;

	while (L->t == T_NEWLINE)
		bf_bfcfg_lex_next(L);
	if (L->t != T_WORD || strcmp(L->word.p, "{") || L->quoted) {
		bf_bfcfg_lex_error(L, L->pos, "function %s: expected '{' to open its body", name);
		return;
	}
	open = L->pos;
	start = L->start;
	for (;;) {
		if (L->t == T_WORD && cmdpos && !L->quoted && !strcmp(L->word.p, "{")) {
			level++;
		} else if (L->t == T_WORD && cmdpos && !L->quoted && !strcmp(L->word.p, "}")) {
			if (--level == 0)
				break;
		} else if (L->t == T_HEREDOC) {
			skip_command(R);
			if (L->err)
				return;
			cmdpos = true;
			continue;
		}
		if (L->t == T_EOF) {
			bf_bfcfg_lex_error(L, open, "function %s: '{' is never closed", name);
			return;
		}
		if (L->t == T_WORD)
			cmdpos = cmdpos && !L->quoted && L->word.p &&
				 (!strcmp(L->word.p, "{") || !strcmp(L->word.p, "then") ||
				  !strcmp(L->word.p, "do") || !strcmp(L->word.p, "else") ||
				  !strcmp(L->word.p, "!") || !strcmp(L->word.p, "if") ||
				  !strcmp(L->word.p, "elif") || !strcmp(L->word.p, "while") ||
				  !strcmp(L->word.p, "until") || !strcmp(L->word.p, "}"));
		else
			cmdpos = L->t != T_REDIR;
		bf_bfcfg_lex_next(L);
		if (L->err)
			return;
	}
	if (!count_item(R))
		return;
	if (!grow((void **)&R->c->funcs, R->c->nfuncs, sizeof(*R->c->funcs))) {
		R->oom = true;
		return;
	}
	f = &R->c->funcs[R->c->nfuncs];
	f->name = strdup(name);
	f->body = strndup(L->s + start, L->end - start);
	f->pos = npos;
	if (!f->name || !f->body) {
		free(f->name);
		free(f->body);
		R->oom = true;
		return;
	}
	R->c->nfuncs++;
	bf_bfcfg_lex_next(L);
}

static bool word_is(const struct lex *L, const char *w)
{
	return L->t == T_WORD && !L->quoted && L->word.p && !strcmp(L->word.p, w);
}

/* export/readonly/declare NAME[=VALUE]... */
static void read_declaration(struct rd *R, unsigned flags)
{
	struct lex *L = &R->L;

	bf_bfcfg_lex_next(L);
	while (!L->err && L->t == T_WORD) {
		if (L->word.p[0] == '-' && !L->assign) {
			if (strchr(L->word.p, 'x'))
				flags |= BF_BFCFG_EXPORTED;
			if (strchr(L->word.p, 'r'))
				flags |= BF_BFCFG_READONLY;
		} else if (L->assign) {
			add_var(R, L->word.p, L->assign,  L->pos, flags |
				(L->expands ? BF_BFCFG_EXPANDS : 0) | (L->array ? BF_BFCFG_ARRAY : 0));
		} else {
			/* export NAME: mark an earlier assignment. */
			size_t k;

			for (k = R->c->nvars; k-- > 0;)
				if (!strcmp(R->c->vars[k].name, L->word.p)) {
					R->c->vars[k].flags |= flags;
					break;
				}
		}
		bf_bfcfg_lex_next(L);
	}
	skip_command(R);
}

/* ( ) ;; -- a subshell opens or closes, a case pattern or item ends. */
static void read_punct(struct rd *R)
{
	struct lex *L = &R->L;

	if (L->t == T_LPAREN) {
		push(R, "(", L->pos);
	} else if (L->t == T_RPAREN) {
		if (R->case_depth && R->depth && !strcmp(R->stack[R->depth - 1].what, "case"))
			;   /* end of a case pattern */
		else
			pop(R, ")", " ( ", L->pos);
	} else if (!R->case_depth) {
		bf_bfcfg_lex_error(L, L->pos, "unexpected ';;' outside case");
	}
	bf_bfcfg_lex_next(L);
}

/* fi done esac } -- closes what the stack says is open. */
static bool read_closer(struct rd *R)
{
	static const char *const closers[][2] = {
		{ "fi", " if " }, { "done", " do " }, { "esac", " case " }, { "}", " { " },
	};
	struct lex *L = &R->L;
	size_t k;

	for (k = 0; k < sizeof(closers) / sizeof(closers[0]); k++)
		if (word_is(L, closers[k][0])) {
			pop(R, closers[k][0], closers[k][1], L->pos);
			bf_bfcfg_lex_next(L);
			skip_command(R);
			return true;
		}
	return false;
}

/* case WORD in -- at "case" (already pushed). */
static void read_case(struct rd *R)
{
	struct lex *L = &R->L;

	bf_bfcfg_lex_next(L);
	if (L->t == T_WORD)
		bf_bfcfg_lex_next(L);
	while (L->t == T_NEWLINE)
		bf_bfcfg_lex_next(L);
	if (!word_is(L, "in"))
		bf_bfcfg_lex_error(L, L->pos, "case: expected 'in'");
	bf_bfcfg_lex_next(L);
}

/* Reserved words that open, continue or prefix a compound command:
 * if case { do for select then else elif ! while until time. */
static bool read_keyword(struct rd *R)
{
	struct lex *L = &R->L;

	if (word_is(L, "if") || word_is(L, "case") || word_is(L, "{")) {
		push(R, L->word.p, L->pos);
		if (word_is(L, "case"))
			read_case(R);
		else
			bf_bfcfg_lex_next(L);
		return true;
	}
	if (word_is(L, "for") || word_is(L, "select")) {
		/* for NAME [in WORDS]; do: the loop opens at 'do'. */
		bf_bfcfg_lex_next(L);
		skip_command(R);
		return true;
	}
	if (word_is(L, "do")) {
		push(R, "do", L->pos);
		bf_bfcfg_lex_next(L);
		return true;
	}
	if ((word_is(L, "then") || word_is(L, "else") || word_is(L, "elif")) &&
	    (!R->depth || strcmp(R->stack[R->depth - 1].what, "if"))) {
		bf_bfcfg_lex_error(L, L->pos, "unexpected '%s'", L->word.p);
		return true;
	}
	if (word_is(L, "then") || word_is(L, "else") || word_is(L, "elif") || word_is(L, "!") ||
	    word_is(L, "while") || word_is(L, "until") || word_is(L, "time")) {
		bf_bfcfg_lex_next(L);
		return true;
	}
	return false;
}

/* function NAME [()] { body } -- at "function". */
static void read_function_keyword(struct rd *R)
{
	struct lex *L = &R->L;
	struct bf_bfcfg_pos p;
	char *name;

	bf_bfcfg_lex_next(L);
	if (L->t != T_WORD) {
		bf_bfcfg_lex_error(L, L->pos, "function: expected a name");
		return;
	}
	name = strdup(L->word.p);
	p = L->pos;
	bf_bfcfg_lex_next(L);
	if (L->t == T_LPAREN) {
		bf_bfcfg_lex_next(L);
		if (L->t != T_RPAREN)
			bf_bfcfg_lex_error(L, L->pos, "function %s: expected ')'", name ? name : "");
		bf_bfcfg_lex_next(L);
	}
	if (!L->err && name)
		read_function(R, name, p);
	free(name);
}

/* NAME=VALUE... [command]: variables, unless a command follows (then they
 * are only that command's environment). */
static void read_assignments(struct rd *R)
{
	struct lex *L = &R->L;
	struct { char *w; size_t eq; struct bf_bfcfg_pos pos; unsigned flags; } a[16];
	unsigned na = 0, i;

	while (!L->err && L->t == T_WORD && L->assign) {
		if (na < 16) {
			a[na].w = bf_bfcfg_sb_take(&L->word);
			a[na].eq = L->assign;
			a[na].pos = L->pos;
			a[na].flags = (L->expands ? BF_BFCFG_EXPANDS : 0) | (L->array ? BF_BFCFG_ARRAY : 0);
			if (!a[na].w)
				R->oom = true;
			else
				na++;
		}
		bf_bfcfg_lex_next(L);
	}
	if (L->t == T_WORD) {
		add_cmd(R, L->word.p, L->pos);
	} else if (!L->err) {
		for (i = 0; i < na; i++)
			add_var(R, a[i].w, a[i].eq, a[i].pos, a[i].flags);
	}
	for (i = 0; i < na; i++)
		free(a[i].w);
	skip_command(R);
}

/* NAME args... or NAME() { body }. */
static void read_simple_command(struct rd *R)
{
	struct lex *L = &R->L;
	char *name = strdup(L->word.p ? L->word.p : "");
	struct bf_bfcfg_pos p = L->pos;

	bf_bfcfg_lex_next(L);
	if (L->t == T_LPAREN && name) {
		bf_bfcfg_lex_next(L);
		if (L->t != T_RPAREN)
			bf_bfcfg_lex_error(L, L->pos, "expected ')' after '%s('", name);
		else {
			bf_bfcfg_lex_next(L);
			read_function(R, name, p);
		}
		free(name);
		return;
	}
	if (name)
		add_cmd(R, name, p);
	else
		R->oom = true;
	free(name);
	skip_command(R);
}

/* One command at the lexer's position, by what it starts with. */
static void read_command(struct rd *R)
{
	struct lex *L = &R->L;

	if (L->t == T_LPAREN || L->t == T_RPAREN || L->t == T_DSEMI)
		return read_punct(R);
	if (L->t == T_REDIR || L->t == T_HEREDOC)
		return skip_command(R);
	if (L->t != T_WORD) {
		bf_bfcfg_lex_error(L, L->pos, "unexpected '%.*s'", (int)(L->end - L->start), L->s + L->start);
		return;
	}
	if (read_closer(R) || read_keyword(R))
		return;
	if (word_is(L, "function"))
		return read_function_keyword(R);
	if (word_is(L, "export"))
		return read_declaration(R, BF_BFCFG_EXPORTED);
	if (word_is(L, "readonly"))
		return read_declaration(R, BF_BFCFG_READONLY);
	if (word_is(L, "declare") || word_is(L, "typeset") || word_is(L, "local"))
		return read_declaration(R, 0);
	if (L->assign)
		return read_assignments(R);
	read_simple_command(R);
}

void bf_bfcfg_free(struct bf_bfcfg *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nvars; i++) {
		free(c->vars[i].name);
		free(c->vars[i].value);
	}
	for (i = 0; i < c->nfuncs; i++) {
		free(c->funcs[i].name);
		free(c->funcs[i].body);
	}
	for (i = 0; i < c->ncmds; i++)
		free(c->cmds[i].name);
	free(c->vars);
	free(c->funcs);
	free(c->cmds);
	free(c);
}

int bf_bfcfg_parse_diag(const char *buf, size_t len, struct bf_bfcfg **out, struct bf_bfcfg_diag *d)
{
	struct bf_bfcfg_diag dummy;
	struct rd R;
	unsigned k;

	*out = NULL;
	if (!d)
		d = &dummy;
	memset(d, 0, sizeof(*d));
	if (len > BF_BFCFG_MAX_BYTES)
		return bf_error_ret(EFBIG, "bf.cfg is %zu bytes; at most %u are read", len, BF_BFCFG_MAX_BYTES);
	memset(&R, 0, sizeof(R));
	R.L.s = buf ? buf : "";
	R.L.n = buf ? len : 0;
	R.L.line = R.L.col = 1;
	R.L.d = d;
	R.c = calloc(1, sizeof(*R.c));
	if (!R.c)
		return -ENOMEM;
	{
		/* bash cannot hold a NUL in a word: refuse the file where it is. */
		const char *z = len ? memchr(R.L.s, '\0', R.L.n) : NULL;

		while (z && R.L.s + R.L.i < z)
			bf_bfcfg_lex_adv(&R.L);
		if (z)
			bf_bfcfg_lex_error(&R.L, bf_bfcfg_lex_here(&R.L), "NUL byte in the file");
		R.L.i = 0;
		R.L.line = R.L.col = 1;
	}
	if (!R.L.err)
		bf_bfcfg_lex_next(&R.L);
	while (!R.L.err && !R.oom && R.L.t != T_EOF) {
		if (R.L.t == T_NEWLINE || R.L.t == T_SEMI || R.L.t == T_AMP) {
			R.cond = false;
			R.have_cmd = false;
			bf_bfcfg_lex_next(&R.L);
			continue;
		}
		if (R.L.t == T_AND || R.L.t == T_OR || R.L.t == T_PIPE) {
			/* Only after a command (skip_command stops here). */
			enum tok t = R.L.t;
			struct bf_bfcfg_pos p = R.L.pos;

			if (!R.have_cmd) {
				bf_bfcfg_lex_error(&R.L, p, "unexpected '%s'", t == T_AND ? "&&" : t == T_OR ? "||" : "|");
				break;
			}
			R.have_cmd = false;
			R.cond = true;
			bf_bfcfg_lex_next(&R.L);
			while (R.L.t == T_NEWLINE)
				bf_bfcfg_lex_next(&R.L);
			if (is_terminator(R.L.t) || R.L.t == T_RPAREN)
				bf_bfcfg_lex_error(&R.L, p, "'%s' without a command after it",
					  t == T_AND ? "&&" : t == T_OR ? "||" : "|");
			continue;
		}
		read_command(&R);
		R.have_cmd = true;
	}
	if (!R.L.err && !R.oom && R.depth)
		bf_bfcfg_lex_error(&R.L, R.stack[R.depth - 1].pos, "'%s' is never closed", R.stack[R.depth - 1].what);
	free(bf_bfcfg_sb_take(&R.L.word));
	for (k = 0; k < R.L.nhd; k++)
		free(R.L.hd[k]);
	if (R.oom) {
		bf_bfcfg_free(R.c);
		return -ENOMEM;
	}
	if (R.L.err) {
		bf_bfcfg_free(R.c);
		return bf_error_ret(EBADMSG, "bf.cfg line %u, column %u: %s", d->pos.line, d->pos.col, d->msg);
	}
	*out = R.c;
	return 0;
}

int bf_bfcfg_parse(const char *buf, size_t len, struct bf_bfcfg **out)
{
	return bf_bfcfg_parse_diag(buf, len, out, NULL);
}

const struct bf_bfcfg_var *bf_bfcfg_var_find(const struct bf_bfcfg *c, const char *name)
{
	size_t i;

	for (i = c ? c->nvars : 0; i-- > 0;)
		if (!strcmp(c->vars[i].name, name))
			return &c->vars[i];
	return NULL;
}

const char *bf_bfcfg_get(const struct bf_bfcfg *c, const char *name, const char *def)
{
	const struct bf_bfcfg_var *v = bf_bfcfg_var_find(c, name);

	return v && v->value[0] ? v->value : def;
}

bool bf_bfcfg_yes(const struct bf_bfcfg *c, const char *name, bool def)
{
	return !strcmp(bf_bfcfg_get(c, name, def ? "yes" : "no"), "yes");
}

const struct bf_bfcfg_func *bf_bfcfg_func_find(const struct bf_bfcfg *c, const char *name)
{
	size_t i;

	for (i = c ? c->nfuncs : 0; i-- > 0;)
		if (!strcmp(c->funcs[i].name, name))
			return &c->funcs[i];
	return NULL;
}
