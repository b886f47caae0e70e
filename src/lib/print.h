/* print.h - one output layer for human text and JSON events (bf_print_*).
 *
 * Each field is declared once, with its JSON key and its text format, and
 * goes where the output mode (bf_event_init) sends it:
 *
 *	bf_print_begin("device");
 *	bf_print_string(BF_PRINT_ANY, "name", "%-20s ", r->name);
 *	bf_print_string(BF_PRINT_JSON, "chip", NULL, r->chip->id);
 *	bf_print_string(BF_PRINT_ANY, "owner", "%s\n", owner);
 *	bf_print_end();
 *
 * Text mode: fmt is printed on stdout with the value (a NULL fmt prints
 * nothing); string values are escaped for the terminal first (escape.h), so
 * file and device data never reach it raw. fmt is the program's own text,
 * never data.
 * JSON mode: one line per event on stdout, {"event": NAME, "time": S, ...}
 * with the keys in the order given; strings are always valid UTF-8
 * (escape.h). A NULL key inside an array adds an element.
 */
#ifndef BF_PRINT_H
#define BF_PRINT_H

#include <stdbool.h>

enum bf_print_to {
	BF_PRINT_TEXT = 1,   /* human text only */
	BF_PRINT_JSON = 2,   /* JSON only */
	BF_PRINT_ANY = 3,    /* both */
};

/* Start / finish one event (JSON: one line; text: flushes stdout). */
void bf_print_begin(const char *event);
void bf_print_end(void);

void bf_print_string(enum bf_print_to to, const char *key, const char *fmt, const char *val);
void bf_print_int(enum bf_print_to to, const char *key, const char *fmt, long long val);
void bf_print_uint(enum bf_print_to to, const char *key, const char *fmt, unsigned long long val);
/* JSON: 3 decimals; NaN and infinities as null. */
void bf_print_double(enum bf_print_to to, const char *key, const char *fmt, double val);
/* Text: fmt with "true" or "false". */
void bf_print_bool(enum bf_print_to to, const char *key, const char *fmt, bool val);
/* JSON null; text: fmt as it is. */
void bf_print_null(enum bf_print_to to, const char *key, const char *fmt);

/* JSON only: nested objects and arrays inside the current event. One
 * opened 16 levels down is written as the string "(nested too deep)" under
 * its key, and what goes into it, up to its matching close, is dropped. */
void bf_print_open_object(const char *key);
void bf_print_close_object(void);
void bf_print_open_array(const char *key);
void bf_print_close_array(void);

/* One text line on stdout (nothing in JSON mode); the formatted line is
 * escaped as a whole, so data may be passed as arguments ("%s"). */
void bf_print_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
