/* event.c - human lines, the progress bar, and JSON event lines. */
#include "config.h"
#include "event.h"
#include "clock.h"
#include "print.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BAR_REDRAW_NS   100000000ull   /* 10 Hz */
#define JSON_PROGRESS_NS 500000000ull  /* 2 Hz */
#define BAR_WIDTH 24

static bool ev_json;
static uint64_t ev_t0;
static atomic_bool bar_drawn;
static __thread const char *ev_device;
static __thread const struct bf_event_view *ev_view;

void bf_event_set_device(const char *name) { ev_device = name; }
const char *bf_event_device(void) { return ev_device; }
void bf_event_set_view(const struct bf_event_view *v) { ev_view = v; }
const struct bf_event_view *bf_event_view(void) { return ev_view; }

void bf_event_init(bool json)
{
	ev_json = json;
	ev_t0 = bf_clock_ns();
	/* Times and rates: millisecond / byte resolution is plenty (also for
	 * the JSON files written with json-c). */
	json_c_set_serialization_double_format("%.3f", JSON_C_OPTION_GLOBAL);
}

bool bf_event_json(void) { return ev_json; }

double bf_event_elapsed(void)
{
	return (double)(bf_clock_ns() - ev_t0) / 1e9;
}

static void emit_value(const char *key, struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		bf_print_null(BF_PRINT_JSON, key, NULL);
		break;
	case json_type_boolean:
		bf_print_bool(BF_PRINT_JSON, key, NULL, json_object_get_boolean(v));
		break;
	case json_type_double:
		bf_print_double(BF_PRINT_JSON, key, NULL, json_object_get_double(v));
		break;
	case json_type_int:
		if (json_object_get_int64(v) == INT64_MAX)   /* a uint64 beyond it */
			bf_print_uint(BF_PRINT_JSON, key, NULL, json_object_get_uint64(v));
		else
			bf_print_int(BF_PRINT_JSON, key, NULL, json_object_get_int64(v));
		break;
	case json_type_string:
		bf_print_string(BF_PRINT_JSON, key, NULL, json_object_get_string(v));
		break;
	case json_type_array: {
		size_t i, n = json_object_array_length(v);

		bf_print_open_array(key);
		for (i = 0; i < n; i++)
			emit_value(NULL, json_object_array_get_idx(v, i));
		bf_print_close_array();
		break;
	}
	case json_type_object:
		bf_print_open_object(key);
		{
			json_object_object_foreach(v, k, val)
				emit_value(k, val);
		}
		bf_print_close_object();
		break;
	}
}

void bf_event_emit(const char *name, struct json_object *obj)
{
	if (ev_json) {
		bf_print_begin(name);
		if (obj) {
			json_object_object_foreach(obj, key, val)
				emit_value(key, val);
		}
		bf_print_end();
	}
	json_object_put(obj);
}

void bf_event_progress_clear(void)
{
	if (atomic_exchange(&bar_drawn, false)) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

void bf_fmt_bytes(char *buf, size_t len, double bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned u = 0;

	while (bytes >= 1024.0 && u < 4) {
		bytes /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f %s", bytes, units[u]);
	else
		snprintf(buf, len, "%.1f %s", bytes, units[u]);
}

void bf_fmt_duration(char *buf, size_t len, double s)
{
	unsigned long t;

	if (s < 0 || s > 359999)
		s = 359999;
	t = (unsigned long)(s + 0.5);
	if (t >= 3600)
		snprintf(buf, len, "%lu:%02lu:%02lu", t / 3600, (t / 60) % 60, t % 60);
	else
		snprintf(buf, len, "%lu:%02lu", t / 60, t % 60);
}

static void progress_draw(struct bf_progress *p, uint64_t now, bool final)
{
	double el = (double)(now - p->t0_ns) / 1e9;
	double rate = el > 0 && p->done > p->base ? (double)(p->done - p->base) / el : 0;
	char done_s[32], total_s[32], rate_s[32], eta_s[32];

	if (ev_json) {
		bf_print_begin(p->op);
		bf_print_uint(BF_PRINT_JSON, "bytes", NULL, p->done);
		bf_print_uint(BF_PRINT_JSON, "total", NULL, p->total);
		bf_print_double(BF_PRINT_JSON, "rate_bps", NULL, rate);
		if (p->total && rate > 0)
			bf_print_double(BF_PRINT_JSON, "eta_s", NULL, (double)(p->total - p->done) / rate);
		bf_print_bool(BF_PRINT_JSON, "done", NULL, final);
		bf_print_end();
		return;
	}
	if (ev_view) {
		if (ev_view->progress)
			ev_view->progress(ev_view->ctx, p, final);
		return;
	}
	if (!p->tty)
		return;
	bf_fmt_bytes(done_s, sizeof(done_s), (double)p->done);
	bf_fmt_bytes(rate_s, sizeof(rate_s), rate);
	if (p->total) {
		unsigned fill = (unsigned)((double)p->done * BAR_WIDTH / (double)p->total);
		char bar[BAR_WIDTH + 1];

		if (fill > BAR_WIDTH)
			fill = BAR_WIDTH;
		memset(bar, '#', fill);
		memset(bar + fill, '-', BAR_WIDTH - fill);
		bar[BAR_WIDTH] = '\0';
		bf_fmt_bytes(total_s, sizeof(total_s), (double)p->total);
		if (final || rate <= 0)
			bf_fmt_duration(eta_s, sizeof(eta_s), final ? el : 0);
		else
			bf_fmt_duration(eta_s, sizeof(eta_s), (double)(p->total - p->done) / rate);
		fprintf(stderr, "\r\033[K%s [%s] %3.0f%% %s/%s %s/s %s %s", p->op, bar,
			100.0 * (double)p->done / (double)p->total, done_s, total_s, rate_s,
			final ? "in" : "ETA", eta_s);
	} else {
		fprintf(stderr, "\r\033[K%s %s %s/s", p->op, done_s, rate_s);
	}
	if (final) {
		fputc('\n', stderr);
		atomic_store(&bar_drawn, false);
	} else {
		atomic_store(&bar_drawn, true);
	}
	fflush(stderr);
}

void bf_progress_begin(struct bf_progress *p, const char *op, uint64_t total)
{
	bf_progress_begin_at(p, op, total, 0);
}

void bf_progress_begin_at(struct bf_progress *p, const char *op, uint64_t total, uint64_t base)
{
	memset(p, 0, sizeof(*p));
	p->op = op;
	p->total = total;
	p->base = base;
	p->done = base;
	p->t0_ns = bf_clock_ns();
	p->tty = isatty(STDERR_FILENO) == 1;
	p->active = true;
}

void bf_progress_update(struct bf_progress *p, uint64_t done)
{
	uint64_t now = bf_clock_ns();
	uint64_t gap = ev_json ? JSON_PROGRESS_NS : BAR_REDRAW_NS;

	p->done = done;
	if (!p->active || (p->last_ns && now - p->last_ns < gap))
		return;
	p->last_ns = now;
	progress_draw(p, now, false);
}

void bf_progress_end(struct bf_progress *p)
{
	if (!p->active)
		return;
	progress_draw(p, bf_clock_ns(), true);
	p->active = false;
}
