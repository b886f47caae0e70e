/* test_bfcfg.c - the bf.cfg reader: every quoting form, export, comments,
 * continuations, hooks as opaque blocks, here-documents, compound commands,
 * and line:column on errors. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bfcfg.h"
#include "error.h"

static struct bf_bfcfg *parse_ok(const char *text)
{
	struct bf_bfcfg *c = NULL;
	struct bf_bfcfg_diag d;
	int r = bf_bfcfg_parse_diag(text, strlen(text), &c, &d);

	if (r != 0)
		print_error("unexpected error %d at %u:%u: %s\n", r, d.pos.line, d.pos.col, d.msg);
	assert_int_equal(r, 0);
	assert_non_null(c);
	return c;
}

static void quoting_forms(void **state)
{
	struct bf_bfcfg *c;
	const struct bf_bfcfg_var *v;

	(void)state;
	c = parse_ok("A=plain\n"
		     "B='single $HOME \"x\"'\n"
		     "C=\"double \\\"q\\\" \\\\ \\$x 'y'\"\n"
		     "D=mi\"x\"'ed'\\ word\n"
		     "E=$'tab\\there'\n"
		     "F=\n"
		     "G=\"$HOME/x\"\n"
		     "ubuntu_PASSWORD='$1$abc$xyz.'\n"
		     "H=\"a\\\nb\"\n");
	assert_string_equal(bf_bfcfg_get(c, "A", NULL), "plain");
	assert_string_equal(bf_bfcfg_get(c, "B", NULL), "single $HOME \"x\"");
	assert_string_equal(bf_bfcfg_get(c, "C", NULL), "double \"q\" \\ $x 'y'");
	assert_string_equal(bf_bfcfg_get(c, "D", NULL), "mixed word");
	assert_string_equal(bf_bfcfg_get(c, "E", NULL), "tab\there");
	assert_string_equal(bf_bfcfg_get(c, "F", "dflt"), "dflt");
	assert_non_null(bf_bfcfg_var_find(c, "F"));
	v = bf_bfcfg_var_find(c, "G");
	assert_true(v->flags & BF_BFCFG_EXPANDS);
	assert_string_equal(v->value, "$HOME/x");
	v = bf_bfcfg_var_find(c, "ubuntu_PASSWORD");
	assert_string_equal(v->value, "$1$abc$xyz.");
	assert_false(v->flags & BF_BFCFG_EXPANDS);   /* single quotes: no expansion */
	assert_string_equal(bf_bfcfg_get(c, "H", NULL), "ab");
	bf_bfcfg_free(c);
}

static void positions_export_comments(void **state)
{
	struct bf_bfcfg *c;
	const struct bf_bfcfg_var *v;

	(void)state;
	c = parse_ok("# bf.cfg\n"
		     "  export UPDATE_DPU_OS=no   # trailing comment\n"
		     "WITH_NIC_FW_UPDATE=yes; NIC_FW_RESET=no\n"
		     "X=a#b\n"
		     "LONG=one\\\n"
		     "two\n"
		     "export X\n"
		     "UPDATE_DPU_OS=yes\n");
	v = bf_bfcfg_var_find(c, "UPDATE_DPU_OS");
	assert_int_equal(v->pos.line, 8);   /* the last assignment wins */
	assert_true(bf_bfcfg_yes(c, "UPDATE_DPU_OS", false));
	v = &c->vars[0];
	assert_string_equal(v->name, "UPDATE_DPU_OS");
	assert_int_equal(v->pos.line, 2);
	assert_int_equal(v->pos.col, 10);
	assert_true(v->flags & BF_BFCFG_EXPORTED);
	v = bf_bfcfg_var_find(c, "NIC_FW_RESET");
	assert_int_equal(v->pos.line, 3);
	assert_int_equal(v->pos.col, 25);
	assert_false(bf_bfcfg_yes(c, "NIC_FW_RESET", true));
	assert_string_equal(bf_bfcfg_get(c, "X", NULL), "a#b");
	assert_true(bf_bfcfg_var_find(c, "X")->flags & BF_BFCFG_EXPORTED);
	assert_string_equal(bf_bfcfg_get(c, "LONG", NULL), "onetwo");
	/* unset gates take the default */
	assert_true(bf_bfcfg_yes(c, "UPDATE_ATF_UEFI", true));
	assert_false(bf_bfcfg_yes(c, "FORCE_NIC_FW_UPDATE", false));
	bf_bfcfg_free(c);
}

static void hooks_and_commands(void **state)
{
	struct bf_bfcfg *c;
	const struct bf_bfcfg_func *f;

	(void)state;
	c = parse_ok("bfb_modify_os()\n"
		     "{\n"
		     "  echo 'PasswordAuthentication no' >> /mnt/etc/ssh/sshd_config\n"
		     "  cat > /mnt/etc/motd << EOF\n"
		     "Welcome } { to $(hostname)\n"
		     "EOF\n"
		     "  if [ -d /mnt/x ]; then { true; }; fi\n"
		     "  INNER=1\n"
		     "}\n"
		     "function bfb_post_install {\n"
		     "  case \"$x\" in a|b) y=1 ;; *) ;; esac\n"
		     "}\n"
		     "AFTER=ok\n"
		     "echo \"hello\" | tee /tmp/x\n"
		     "[ -e /x ] && COND=1\n"
		     "if true; then IFVAR=1; fi\n"
		     "ENVONLY=1 somecmd arg\n");
	assert_int_equal(c->nfuncs, 2);
	f = bf_bfcfg_func_find(c, "bfb_modify_os");
	assert_non_null(f);
	assert_int_equal(f->pos.line, 1);
	assert_true(f->body[0] == '{');
	assert_true(strstr(f->body, "Welcome } {") != NULL);
	assert_true(f->body[strlen(f->body) - 1] == '}');
	assert_non_null(bf_bfcfg_func_find(c, "bfb_post_install"));
	assert_null(bf_bfcfg_var_find(c, "INNER"));   /* inside the hook: not a setting */
	assert_string_equal(bf_bfcfg_get(c, "AFTER", NULL), "ok");
	assert_true(bf_bfcfg_var_find(c, "COND")->flags & BF_BFCFG_CONDITIONAL);
	assert_true(bf_bfcfg_var_find(c, "IFVAR")->flags & BF_BFCFG_CONDITIONAL);
	assert_null(bf_bfcfg_var_find(c, "ENVONLY"));
	assert_true(c->ncmds >= 3);
	assert_string_equal(c->cmds[0].name, "echo");
	bf_bfcfg_free(c);
}

static void arrays_and_substitutions(void **state)
{
	struct bf_bfcfg *c;
	const struct bf_bfcfg_var *v;

	(void)state;
	c = parse_ok("ARR=(one \"two three\" $(date))\n"
		     "S=$(echo \")\" ; echo 'x)')\n"
		     "B=`uname -r`\n"
		     "P=${HOME:-/root}\n");
	v = bf_bfcfg_var_find(c, "ARR");
	assert_true(v->flags & BF_BFCFG_ARRAY);
	v = bf_bfcfg_var_find(c, "S");
	assert_string_equal(v->value, "$(echo \")\" ; echo 'x)')");
	assert_true(v->flags & BF_BFCFG_EXPANDS);
	assert_string_equal(bf_bfcfg_get(c, "B", NULL), "`uname -r`");
	assert_string_equal(bf_bfcfg_get(c, "P", NULL), "${HOME:-/root}");
	bf_bfcfg_free(c);
}

static void expect_error(const char *text, unsigned line, unsigned col, const char *what)
{
	struct bf_bfcfg *c = (struct bf_bfcfg *)1;
	struct bf_bfcfg_diag d;
	int r = bf_bfcfg_parse_diag(text, strlen(text), &c, &d);

	assert_int_equal(r, -EBADMSG);
	assert_null(c);
	if (d.pos.line != line || d.pos.col != col || !strstr(d.msg, what))
		print_error("got %u:%u '%s', wanted %u:%u '%s'\n", d.pos.line, d.pos.col, d.msg, line, col, what);
	assert_int_equal(d.pos.line, line);
	assert_int_equal(d.pos.col, col);
	assert_non_null(strstr(d.msg, what));
	assert_non_null(strstr(bf_error_get(), "line"));
}

static void errors_have_positions(void **state)
{
	(void)state;
	expect_error("A=1\nB='open\n", 2, 3, "unterminated single quote");
	expect_error("A=\"x\nB=1\n", 1, 3, "unterminated double quote");
	expect_error("X=1\n  Y=$(echo\n", 2, 5, "unterminated '$('");
	expect_error("f() {\n echo\n", 1, 5, "never closed");
	expect_error("if true; then\n A=1\n", 1, 1, "'if' is never closed");
	expect_error("A=1\nfi\n", 2, 1, "unexpected 'fi'");
	expect_error("A=1\n  && B=2\n", 2, 3, "unexpected '&&'");
	expect_error("f()\n echo\n", 2, 2, "expected '{'");
	expect_error("A=`x\n", 1, 3, "unterminated backquote");
	expect_error("x ;; y\n", 1, 3, "';;'");
}

static void nul_inside_length(void **state)
{
	struct bf_bfcfg *c;
	static const char text[] = "A=1\0B=2";

	(void)state;
	assert_int_equal(bf_bfcfg_parse(text, 3, &c), 0);   /* length bounds the input */
	assert_string_equal(bf_bfcfg_get(c, "A", NULL), "1");
	bf_bfcfg_free(c);
	assert_int_equal(bf_bfcfg_parse(text, sizeof(text) - 1, &c), -EBADMSG);
	assert_non_null(strstr(bf_error_get(), "line 1, column 4: NUL"));
	assert_int_equal(bf_bfcfg_parse(NULL, 0, &c), 0);
	assert_int_equal(c->nvars, 0);
	bf_bfcfg_free(c);
}

/* Found by fuzz_bfcfg: a backslash as the last byte of an exact-size
 * buffer made the lexer read one byte past it (ASan catches a relapse). */
static void backslash_at_end(void **state)
{
	char *buf = malloc(3);
	struct bf_bfcfg *c = NULL;

	(void)state;
	memcpy(buf, "A=\\", 3);
	assert_int_equal(bf_bfcfg_parse(buf, 3, &c), 0);
	assert_string_equal(bf_bfcfg_get(c, "A", "unset"), "\\");
	bf_bfcfg_free(c);
	buf[0] = '\\';
	assert_int_equal(bf_bfcfg_parse(buf, 1, &c), 0);
	bf_bfcfg_free(c);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quoting_forms),
		cmocka_unit_test(positions_export_comments),
		cmocka_unit_test(hooks_and_commands),
		cmocka_unit_test(arrays_and_substitutions),
		cmocka_unit_test(errors_have_positions),
		cmocka_unit_test(nul_inside_length),
		cmocka_unit_test(backslash_at_end),
	};

	return cmocka_run_group_tests_name("bfcfg", tests, NULL, NULL);
}
