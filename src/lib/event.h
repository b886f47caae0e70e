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
	uint64_t t0_ns;
	uint64_t last_ns;     /* last draw or JSON emit */
	bool tty;
	bool active;
};

void bf_progress_begin(struct bf_progress *p, const char *op, uint64_t total);
void bf_progress_update(struct bf_progress *p, uint64_t done);
/* Final draw / final JSON progress event; leaves the terminal line clean. */
void bf_progress_end(struct bf_progress *p);

/* Format helpers used by the bar and by commands. */
void bf_fmt_bytes(char *buf, size_t len, double bytes);
void bf_fmt_duration(char *buf, size_t len, double seconds);

#endif
