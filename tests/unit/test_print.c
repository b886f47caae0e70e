/* test_print.c - the escaper (terminal and JSON schemes) and the text/JSON
 * printer: what reaches stdout, byte for byte. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "escape.h"
#include "event.h"
#include "print.h"

static char *json_of(const char *src, size_t n)
{
	static char out[1024];
	FILE *f = fmemopen(out, sizeof(out), "w");

	assert_non_null(f);
	bf_escape_json(f, src, n);
	fclose(f);
	return out;
}

static char *text_of(const char *src)
{
	static char out[1024];

	bf_escape_text(out, sizeof(out), src);
	return out;
}

static void test_utf8_seq(void **state)
{
	uint32_t c;

	(void)state;
	assert_int_equal(bf_utf8_seq((const unsigned char *)"A", 1, &c), 1);
	assert_int_equal(c, 'A');
	assert_int_equal(bf_utf8_seq((const unsigned char *)"\xc3\xa9", 2, &c), 2);
	assert_int_equal(c, 0xe9);
	assert_int_equal(bf_utf8_seq((const unsigned char *)"\xe2\x82\xac", 3, &c), 3);
	assert_int_equal(c, 0x20ac);
	assert_int_equal(bf_utf8_seq((const unsigned char *)"\xf0\x9f\x98\x80", 4, &c), 4);
	assert_int_equal(c, 0x1f600);
	/* Not UTF-8: a lone continuation byte, Latin-1 é, an overlong '/',
	 * a surrogate, beyond U+10FFFF, a sequence cut short. */
	assert_int_equal(bf_utf8_seq((const unsigned char *)"\x80", 1, &c), 0);
	assert_int_equal(bf_utf8_seq((const unsigned char *)"\xe9t", 2, &c), 0);
	assert_int_equal(bf_utf8_seq((const unsigned char *)"\xc0\xaf", 2, &c), 0);
	assert_int_equal(bf_utf8_seq((const unsigned char *)"\xe0\x80\xaf", 3, &c), 0);
	assert_int_equal(bf_utf8_seq((const unsigned char *)"\xed\xa0\x80", 3, &c), 0);
	assert_int_equal(bf_utf8_seq((const unsigned char *)"\xf4\x90\x80\x80", 4, &c), 0);
	assert_int_equal(bf_utf8_seq((const unsigned char *)"\xe2\x82", 2, &c), 0);
}

static void test_text_escape(void **state)
{
	(void)state;
	assert_string_equal(text_of("plain text, caf\xc3\xa9 \xe2\x82\xac"), "plain text, caf\xc3\xa9 \xe2\x82\xac");
	assert_string_equal(text_of("yes\r"), "yes\\r");
	assert_string_equal(text_of("a\nb\tc"), "a\\nb\\tc");
	assert_string_equal(text_of("\x1b]0;title\x07"), "\\x1b]0;title\\x07");
	assert_string_equal(text_of("\x1b[2J\x7f"), "\\x1b[2J\\x7f");
	/* C1 CSI as UTF-8, and as a raw byte (a Latin-1 terminal's CSI). */
	assert_string_equal(text_of("\xc2\x9b" "31m"), "\\u009b31m");
	assert_string_equal(text_of("\x9b" "31m"), "\\x9b31m");
	assert_string_equal(text_of("caf\xe9"), "caf\\xe9");
	assert_string_equal(text_of("back\\slash"), "back\\slash");
}

static void test_text_escape_bounded(void **state)
{
	char small[8];

	(void)state;
	/* The length needed is returned; the output is cut between escapes. */
	assert_int_equal(bf_escape_text(small, sizeof(small), "ab\x1b\x1b"), 10);
	assert_string_equal(small, "ab\\x1b");
	assert_int_equal(bf_escape_text(NULL, 0, "\r"), 2);
	assert_int_equal(bf_escape_text(small, 1, "abc"), 3);
	assert_string_equal(small, "");
}

static void test_lines_escape(void **state)
{
	char out[2048], in[1200];
	FILE *f = fmemopen(out, sizeof(out), "w");

	(void)state;
	assert_non_null(f);
	bf_escape_lines_fputs(" INFO[MISC]: a\r\n ERR[BL31]: \x1b[2Jb\nlast", f);
	fclose(f);
	assert_string_equal(out, " INFO[MISC]: a\\r\n ERR[BL31]: \\x1b[2Jb\nlast");
	/* A long line of two-byte characters: cut between characters. */
	memset(in, 0, sizeof(in));
	for (size_t i = 0; i + 2 < sizeof(in); i += 2)
		memcpy(in + i, "\xc3\xa9", 2);
	f = fmemopen(out, sizeof(out), "w");
	bf_escape_lines_fputs(in, f);
	fclose(f);
	assert_string_equal(out, in);
}

static void test_json_escape(void **state)
{
	(void)state;
	assert_string_equal(json_of("a\"b\\c/", 6), "\"a\\\"b\\\\c/\"");
	assert_string_equal(json_of("\r\n\t\b\f", 5), "\"\\r\\n\\t\\b\\f\"");
	assert_string_equal(json_of("\x1b[1m\x7f", 5), "\"\\u001b[1m\\u007f\"");
	/* Valid UTF-8 as is; C1 escaped; bytes that are not UTF-8 as the
	 * Latin-1 character of the same number. */
	assert_string_equal(json_of("caf\xc3\xa9", 5), "\"caf\xc3\xa9\"");
	assert_string_equal(json_of("\xc2\x85", 2), "\"\\u0085\"");
	assert_string_equal(json_of("caf\xe9", 4), "\"caf\\u00e9\"");
	assert_string_equal(json_of("\xff\xfe", 2), "\"\\u00ff\\u00fe\"");
	assert_string_equal(json_of("\xed\xa0\x80", 3), "\"\\u00ed\\u00a0\\u0080\"");
	/* An embedded NUL (length given) does not end the string. */
	assert_string_equal(json_of("a\0b", 3), "\"a\\u0000b\"");
}

/* Run fn with stdout going to a file; return what it wrote. */
static char *capture(void (*fn)(void))
{
	static char out[4096];
	FILE *f = tmpfile();
	int saved = dup(STDOUT_FILENO);
	size_t n;

	assert_non_null(f);
	fflush(stdout);
	dup2(fileno(f), STDOUT_FILENO);
	fn();
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	return out;
}

static void one_event(void)
{
	bf_print_begin("device");
	bf_print_string(BF_PRINT_ANY, "name", "%-8s|", "sim:0");
	bf_print_string(BF_PRINT_JSON, "chip", NULL, "bf3");
	bf_print_uint(BF_PRINT_ANY, "size", "%llu|", 18446744073709551615ull);
	bf_print_int(BF_PRINT_ANY, "delta", "%lld|", -5);
	bf_print_bool(BF_PRINT_ANY, "ok", "%s|", true);
	bf_print_double(BF_PRINT_JSON, "rate", NULL, 1.5);
	bf_print_string(BF_PRINT_JSON, "none", NULL, NULL);
	bf_print_open_array("list");
	bf_print_open_object(NULL);
	bf_print_string(BF_PRINT_ANY, "v", "[%s]", "x\x1by");
	bf_print_close_object();
	bf_print_int(BF_PRINT_JSON, NULL, NULL, 7);
	bf_print_close_array();
	bf_print_string(BF_PRINT_TEXT, NULL, "%s\n", "caf\xe9\r");
	bf_print_end();
	bf_print_line("line %s", "with \x1b[2J");
}

/* Drop "time":N.NNN, the one part that changes. */
static void strip_time(char *s)
{
	char *t = strstr(s, ",\"time\":");
	char *e;

	if (!t)
		return;
	e = t + strlen(",\"time\":");
	while ((*e >= '0' && *e <= '9') || *e == '.')
		e++;
	memmove(t, e, strlen(e) + 1);
}

static void test_printer_text(void **state)
{
	(void)state;
	bf_event_init(false);
	assert_string_equal(capture(one_event),
		"sim:0   |18446744073709551615|-5|true|[x\\x1by]caf\\xe9\\r\n"
		"line with \\x1b[2J\n");
}

static void test_printer_json(void **state)
{
	char *out;

	(void)state;
	bf_event_init(true);
	out = capture(one_event);
	strip_time(out);
	assert_string_equal(out,
		"{\"event\":\"device\",\"name\":\"sim:0\",\"chip\":\"bf3\",\"size\":18446744073709551615,"
		"\"delta\":-5,\"ok\":true,\"rate\":1.500,\"none\":null,\"list\":[{\"v\":\"x\\u001by\"},7]}\n");
	bf_event_init(false);
}

static void unclosed(void)
{
	bf_print_begin("a");
	bf_print_open_array("x");
	bf_print_open_object(NULL);
	bf_print_uint(BF_PRINT_JSON, "n", NULL, 1);
	bf_print_end();                 /* closes what is open */
	bf_print_uint(BF_PRINT_JSON, "late", NULL, 2);   /* no event: dropped */
	bf_print_begin("b");
	bf_print_double(BF_PRINT_JSON, "nan", NULL, NAN);
	bf_print_end();
}

static void test_printer_json_closes(void **state)
{
	char *out, *second;

	(void)state;
	bf_event_init(true);
	out = capture(unclosed);
	second = strchr(out, '\n') + 1;
	strip_time(second);
	strip_time(out);
	assert_string_equal(out, "{\"event\":\"a\",\"x\":[{\"n\":1}]}\n{\"event\":\"b\",\"nan\":null}\n");
	bf_event_init(false);
}

/* Device data nested deeper than the printer goes: {"action":"x",
 * "a":{"a":...{"a":[1,2]}}} with 20 levels, then a sibling key. */
static void deep_event(void)
{
	struct json_object *o = json_object_new_object();
	struct json_object *cur = o, *arr = json_object_new_array();

	json_object_object_add(o, "action", json_object_new_string("x"));
	for (int i = 0; i < 20; i++) {
		struct json_object *n = json_object_new_object();

		json_object_object_add(cur, "a", n);
		cur = n;
	}
	json_object_array_add(arr, json_object_new_int(1));
	json_object_array_add(arr, json_object_new_int(2));
	json_object_object_add(cur, "list", arr);
	json_object_object_add(o, "after", json_object_new_int(3));
	bf_event_emit("agent", o);
	/* The printer's own calls: an array refused at the limit, then
	 * closed as many times as it was opened. */
	bf_print_begin("deep");
	for (int i = 0; i < 20; i++)
		bf_print_open_object("k");
	bf_print_open_array("arr");
	bf_print_int(BF_PRINT_JSON, NULL, NULL, 1);
	bf_print_close_array();
	for (int i = 0; i < 20; i++)
		bf_print_close_object();
	bf_print_string(BF_PRINT_JSON, "tail", NULL, "t");
	bf_print_end();
}

/* Depth of the first placeholder below obj along key "a" / "k". */
static int placeholder_depth(struct json_object *obj, const char *key)
{
	struct json_object *v;
	int d = 0;

	while (json_object_object_get_ex(obj, key, &v) &&
	       json_object_is_type(v, json_type_object)) {
		obj = v;
		d++;
	}
	assert_true(json_object_object_get_ex(obj, key, &v));
	assert_string_equal(json_object_get_string(v), "(nested too deep)");
	return d;
}

static void test_printer_json_too_deep(void **state)
{
	struct json_object *a, *b, *v;
	char *out, *second;

	(void)state;
	bf_event_init(true);
	out = capture(deep_event);
	second = strchr(out, '\n');
	assert_non_null(second);
	*second++ = '\0';
	a = json_tokener_parse(out);
	b = json_tokener_parse(second);
	assert_non_null(a);
	assert_non_null(b);
	/* The subtree past the limit is one string under its key; what
	 * follows the subtree is still there, at its own level. */
	assert_true(placeholder_depth(a, "a") > 8);
	assert_true(json_object_object_get_ex(a, "after", &v));
	assert_int_equal(json_object_get_int(v), 3);
	assert_true(placeholder_depth(b, "k") > 8);
	assert_true(json_object_object_get_ex(b, "tail", &v));
	assert_string_equal(json_object_get_string(v), "t");
	json_object_put(a);
	json_object_put(b);
	bf_event_init(false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_seq),
		cmocka_unit_test(test_text_escape),
		cmocka_unit_test(test_text_escape_bounded),
		cmocka_unit_test(test_lines_escape),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_printer_text),
		cmocka_unit_test(test_printer_json),
		cmocka_unit_test(test_printer_json_closes),
		cmocka_unit_test(test_printer_json_too_deep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
