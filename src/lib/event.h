/* event.h - one event stream for humans and scripts (bf_event_*, bf_progress_*).
 *
 * Human mode: plain lines on stdout, a progress bar (bytes, rate, ETA) on
 * stderr when stderr is a terminal. JSON mode (--json): one JSON object per
 * line on stdout, each with an "event" key naming its kind; see
 * man/bfctl.1 (JSON EVENTS) for the schema.
 */
#ifndef BF_EVENT_H
#define BF_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "print.h"

void bf_event_init(bool json);
bool bf_event_json(void);

/* The device the calling thread works on (NULL: none): every event this
 * thread prints then carries "device": NAME. The string must outlive its
 * use (the caller keeps it). Thread-local. */
void bf_event_set_device(const char *name);
const char *bf_event_device(void);

struct bf_progress;
/* Where the calling thread's human output goes instead of the terminal
 * (a view of many devices, one line each): text lines (escaped, without
 * the newline), warnings, and progress. NULL restores the terminal.
 * JSON events are not affected. Thread-local; v must outlive its use. */
struct bf_event_view {
	void (*line)(void *ctx, const char *text);
	void (*progress)(void *ctx, const struct bf_progress *p, bool final);
	void *ctx;
};
void bf_event_set_view(const struct bf_event_view *v);
const struct bf_event_view *bf_event_view(void);

/* Seconds since bf_event_init (the "time" of every event). */
double bf_event_elapsed(void);

/* Emit one JSON event built with json-c (for objects that exist anyway,
 * e.g. a state file): written through the printer (print.h), so it gets
 * "event" and "time" first and the same escaping. Takes ownership of obj
 * (may be NULL). Does nothing in human mode. New output uses bf_print_*. */
void bf_event_emit(const char *name, struct json_object *obj);

/* A human text line: bf_print_line (print.h). */
#define bf_event_say bf_print_line

/* Erase a progress bar currently drawn on stderr (before other output). */
void bf_event_progress_clear(void);

struct bf_progress {
	const char *op;       /* event name / bar label, e.g. "push" */
	uint64_t total;       /* 0 = unknown */
	uint64_t done;
	uint64_t base;        /* done at begin (a resumed transfer): not in the rate */
	uint64_t t0_ns;
	uint64_t last_ns;     /* last draw or JSON emit */
	bool tty;
	bool active;
};

void bf_progress_begin(struct bf_progress *p, const char *op, uint64_t total);
/* The same for a transfer that starts at done = base (resumed). */
void bf_progress_begin_at(struct bf_progress *p, const char *op, uint64_t total, uint64_t base);
void bf_progress_update(struct bf_progress *p, uint64_t done);
/* Final draw / final JSON progress event; leaves the terminal line clean. */
void bf_progress_end(struct bf_progress *p);

/* Format helpers used by the bar and by commands. */
void bf_fmt_bytes(char *buf, size_t len, double bytes);
void bf_fmt_duration(char *buf, size_t len, double seconds);

#endif
