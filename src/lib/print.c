/* print.c - the text/JSON printer: fields declared once, escaped on the way out. */
#include "config.h"
#include "print.h"
#include "escape.h"
#include "event.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Text formats are the program's own constants, passed through. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

#define MAX_DEPTH 16

/* Per thread: threads (one per device) build their events side by side;
 * each line goes out with one locked write. */
static __thread struct {
	FILE *f;                 /* the event being built (memory stream) */
	char *buf;
	size_t len;
	int depth;               /* 0: the event object */
	int skip;                /* levels opened past MAX_DEPTH: dropped */
	bool first[MAX_DEPTH];   /* nothing written yet at this level */
	bool in_array[MAX_DEPTH];
} js;

static bool want(enum bf_print_to to)
{
	return (to & (bf_event_json() ? BF_PRINT_JSON : BF_PRINT_TEXT)) != 0;
}

void bf_print_begin(const char *event)
{
	if (!bf_event_json())
		return;
	if (js.f)
		bf_print_end();   /* never nested: finish the one left open */
	js.f = open_memstream(&js.buf, &js.len);
	if (!js.f)
		return;
	js.depth = 0;
	js.skip = 0;
	js.first[0] = false;
	js.in_array[0] = false;
	fputs("{\"event\":", js.f);
	bf_escape_json(js.f, event, strlen(event));
	fprintf(js.f, ",\"time\":%.3f", bf_event_elapsed());
	if (bf_event_device()) {
		fputs(",\"device\":", js.f);
		bf_escape_json(js.f, bf_event_device(), strlen(bf_event_device()));
	}
}

/* Text output of this thread: to its view (event.h) a line at a time when
 * one is set, else to stdout. */
static __thread struct {
	char buf[1024];
	size_t len;
} tl;

static void text_put(const char *s)
{
	const struct bf_event_view *v = bf_event_view();

	if (!v || !v->line) {
		bf_event_progress_clear();
		fputs(s, stdout);
		return;
	}
	for (; *s; s++) {
		if (*s == '\n' || tl.len + 1 >= sizeof(tl.buf)) {
			tl.buf[tl.len] = '\0';
			v->line(v->ctx, tl.buf);
			tl.len = 0;
			if (*s == '\n')
				continue;
		}
		tl.buf[tl.len++] = *s;
	}
}

static void text_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void text_printf(const char *fmt, ...)
{
	char small[512], *l = small;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(small) && (l = malloc((size_t)n + 1))) {
		va_start(ap, fmt);
		vsnprintf(l, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	text_put(l ? l : small);
	if (l && l != small)
		free(l);
}

void bf_print_end(void)
{
	if (!bf_event_json()) {
		fflush(stdout);
		return;
	}
	if (!js.f)
		return;
	js.skip = 0;
	while (js.depth > 0)
		(js.in_array[js.depth] ? bf_print_close_array : bf_print_close_object)();
	fputs("}\n", js.f);
	if (fclose(js.f) == 0) {
		bf_event_progress_clear();
		flockfile(stdout);
		fwrite(js.buf, 1, js.len, stdout);
		fflush(stdout);
		funlockfile(stdout);
	}
	free(js.buf);
	js.f = NULL;
	js.buf = NULL;
}

/* Write the separator and the key of the next JSON value; false when no
 * event is open or the value is inside a subtree dropped for depth. */
static bool json_key(const char *key)
{
	if (!js.f || js.skip)
		return false;
	if (!js.first[js.depth])
		fputc(',', js.f);
	js.first[js.depth] = false;
	if (key && !js.in_array[js.depth]) {
		bf_escape_json(js.f, key, strlen(key));
		fputc(':', js.f);
	}
	return true;
}

static void text_out(const char *fmt, const char *val)
{
	char small[512], *e = small;
	size_t need = bf_escape_text(small, sizeof(small), val ? val : "");

	if (need >= sizeof(small) && (e = malloc(need + 1)))
		bf_escape_text(e, need + 1, val);
	text_printf(fmt, e ? e : small);
	if (e != small)
		free(e);
}

void bf_print_string(enum bf_print_to to, const char *key, const char *fmt, const char *val)
{
	if (!want(to))
		return;
	if (!bf_event_json()) {
		if (fmt)
			text_out(fmt, val);
		return;
	}
	if (!json_key(key))
		return;
	if (val)
		bf_escape_json(js.f, val, strlen(val));
	else
		fputs("null", js.f);
}

/* Where one value goes: nowhere, as text (the progress line cleared; the
 * caller prints with fmt) or as JSON (the key written; the caller writes
 * the value). */
enum route { SKIP, TEXT, JSON };

static enum route route(enum bf_print_to to, const char *key, const char *fmt)
{
	if (!want(to))
		return SKIP;
	if (!bf_event_json()) {
		if (!fmt)
			return SKIP;
		bf_event_progress_clear();
		return TEXT;
	}
	return json_key(key) ? JSON : SKIP;
}

void bf_print_int(enum bf_print_to to, const char *key, const char *fmt, long long val)
{
	switch (route(to, key, fmt)) {
	case TEXT: text_printf(fmt, val); break;
	case JSON: fprintf(js.f, "%lld", val); break;
	case SKIP: break;
	}
}

void bf_print_uint(enum bf_print_to to, const char *key, const char *fmt, unsigned long long val)
{
	switch (route(to, key, fmt)) {
	case TEXT: text_printf(fmt, val); break;
	case JSON: fprintf(js.f, "%llu", val); break;
	case SKIP: break;
	}
}

void bf_print_double(enum bf_print_to to, const char *key, const char *fmt, double val)
{
	switch (route(to, key, fmt)) {
	case TEXT: text_printf(fmt, val); break;
	case JSON:
		if (isfinite(val))
			fprintf(js.f, "%.3f", val);
		else
			fputs("null", js.f);
		break;
	case SKIP: break;
	}
}

void bf_print_bool(enum bf_print_to to, const char *key, const char *fmt, bool val)
{
	if (!want(to))
		return;
	if (!bf_event_json()) {
		if (fmt)
			text_out(fmt, val ? "true" : "false");
	} else if (json_key(key)) {
		fputs(val ? "true" : "false", js.f);
	}
}

void bf_print_null(enum bf_print_to to, const char *key, const char *fmt)
{
	switch (route(to, key, fmt)) {
	case TEXT: text_put(fmt); break;
	case JSON: fputs("null", js.f); break;
	case SKIP: break;
	}
}

/* A container past MAX_DEPTH is written as one string under its key and
 * everything inside it is dropped, down to its matching close. */
static void json_open(const char *key, bool array)
{
	if (!bf_event_json() || !js.f)
		return;
	if (js.skip || js.depth + 1 >= MAX_DEPTH) {
		if (!js.skip && json_key(key))
			fputs("\"(nested too deep)\"", js.f);
		js.skip++;
		return;
	}
	if (!json_key(key))
		return;
	fputc(array ? '[' : '{', js.f);
	js.depth++;
	js.first[js.depth] = true;
	js.in_array[js.depth] = array;
}

static void json_close(void)
{
	if (!bf_event_json() || !js.f)
		return;
	if (js.skip) {
		js.skip--;
		return;
	}
	if (js.depth == 0)
		return;
	fputc(js.in_array[js.depth] ? ']' : '}', js.f);
	js.depth--;
}

void bf_print_open_object(const char *key) { json_open(key, false); }
void bf_print_close_object(void) { json_close(); }
void bf_print_open_array(const char *key) { json_open(key, true); }
void bf_print_close_array(void) { json_close(); }

void bf_print_line(const char *fmt, ...)
{
	char line[1024], *l = line;
	va_list ap;
	int n;

	if (bf_event_json())
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line) && (l = malloc((size_t)n + 1))) {
		va_start(ap, fmt);
		vsnprintf(l, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	if (bf_event_view() && bf_event_view()->line) {
		char esc[1024];

		bf_escape_text(esc, sizeof(esc), l ? l : line);
		bf_event_view()->line(bf_event_view()->ctx, esc);
	} else {
		bf_event_progress_clear();
		flockfile(stdout);
		bf_escape_text_fputs(l ? l : line, stdout);
		fputc('\n', stdout);
		fflush(stdout);
		funlockfile(stdout);
	}
	if (l && l != line)
		free(l);
}
