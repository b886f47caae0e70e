/* bfcfg.h - reading bf.cfg without running it (bf_bfcfg_*).
 *
 * bf.cfg is a bash fragment the installer sources (doc/bfcfg.md,
 * "Syntax"). This is a real lexer for the subset of shell that
 * matters: words with '...', "...", $'...' and backslash quoting, line
 * continuations, comments, $(...) ${...} `...` kept literally, here-documents,
 * operators, compound commands (if/case/for/while/{ }/( )) and function
 * definitions. Plain assignments give KEY -> value (after quote removal;
 * expansions are recorded, never performed); function definitions (the
 * installer's hooks) are kept as opaque named blocks; other commands are
 * recorded by name. Nothing is ever executed. Every item carries its
 * line:column (1-based, columns in bytes); a syntax error names one.
 */
#ifndef BF_BFCFG_H
#define BF_BFCFG_H

#include <stdbool.h>
#include <stddef.h>

#define BF_BFCFG_MAX_BYTES  (1u << 20)   /* larger input is refused (-EFBIG) */
#define BF_BFCFG_MAX_ITEMS  65536        /* variables + functions + commands */
#define BF_BFCFG_MAX_DEPTH  64           /* nesting of compound commands */

struct bf_bfcfg_pos {
	unsigned line, col;
};

enum {
	BF_BFCFG_EXPORTED = 1u << 0,     /* export NAME=... or export NAME */
	BF_BFCFG_EXPANDS = 1u << 1,      /* the value holds $... or `...` (kept literally) */
	BF_BFCFG_CONDITIONAL = 1u << 2,  /* inside if/case/loop/group/subshell */
	BF_BFCFG_ARRAY = 1u << 3,        /* NAME=( ... ): value is the raw element list */
	BF_BFCFG_READONLY = 1u << 4,
};

struct bf_bfcfg_var {
	char *name;
	char *value;                     /* after quote removal */
	struct bf_bfcfg_pos pos;         /* of the name */
	unsigned flags;
};

struct bf_bfcfg_func {
	char *name;
	char *body;                      /* the source from '{' to the matching '}' */
	struct bf_bfcfg_pos pos;         /* of the name */
};

struct bf_bfcfg_cmd {
	char *name;                      /* first word after quote removal */
	struct bf_bfcfg_pos pos;
	bool conditional;
};

struct bf_bfcfg {
	struct bf_bfcfg_var *vars;       /* in source order */
	size_t nvars;
	struct bf_bfcfg_func *funcs;
	size_t nfuncs;
	struct bf_bfcfg_cmd *cmds;       /* commands other than assignments */
	size_t ncmds;
};

struct bf_bfcfg_diag {
	struct bf_bfcfg_pos pos;
	char msg[160];                   /* e.g. "unterminated double quote" */
};

/* Parse buf. 0 with *out set, or -EBADMSG on a syntax error (sentence
 * "line L, column C: ..." in bf_error_get(); *out = NULL), -EFBIG, -ENOMEM. */
int bf_bfcfg_parse(const char *buf, size_t len, struct bf_bfcfg **out);
/* The same, with the error position and message in d (when not NULL). */
int bf_bfcfg_parse_diag(const char *buf, size_t len, struct bf_bfcfg **out,
			struct bf_bfcfg_diag *d);
void bf_bfcfg_free(struct bf_bfcfg *c);

/* The last assignment of name (what bash would leave), or NULL. */
const struct bf_bfcfg_var *bf_bfcfg_var_find(const struct bf_bfcfg *c, const char *name);
/* Its value; def when unset or empty (the installer's ${NAME:-default}). */
const char *bf_bfcfg_get(const struct bf_bfcfg *c, const char *name, const char *def);
/* The installer's gate test: value (or default) compared to "yes". */
bool bf_bfcfg_yes(const struct bf_bfcfg *c, const char *name, bool def);
const struct bf_bfcfg_func *bf_bfcfg_func_find(const struct bf_bfcfg *c, const char *name);

#endif
