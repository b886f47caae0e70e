/* event.c - human lines, the progress bar, and JSON event lines. */
#include "config.h"
#include "event.h"
#include "clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BAR_REDRAW_NS   100000000ull   /* 10 Hz */
#define JSON_PROGRESS_NS 500000000ull  /* 2 Hz */
#define BAR_WIDTH 24

static bool ev_json;
static uint64_t ev_t0;
static bool bar_drawn;

void bf_event_init(bool json)
{
	ev_json = json;
	ev_t0 = bf_clock_ns();
	/* Times and rates: millisecond / byte resolution is plenty. */
	json_c_set_serialization_double_format("%.3f", JSON_C_OPTION_GLOBAL);
}

bool bf_event_json(void) { return ev_json; }

void bf_event_emit(const char *name, struct json_object *obj)
{
	struct json_object *ev;

	if (!ev_json) {
		json_object_put(obj);
		return;
	}
	ev = json_object_new_object();
	json_object_object_add(ev, "event", json_object_new_string(name));
	json_object_object_add(ev, "time",
		json_object_new_double((double)(bf_clock_ns() - ev_t0) / 1e9));
	if (obj) {
		json_object_object_foreach(obj, key, val)
			json_object_object_add(ev, key, json_object_get(val));
		json_object_put(obj);
	}
	bf_event_progress_clear();
	fputs(json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), stdout);
	fputc('\n', stdout);
	fflush(stdout);
	json_object_put(ev);
}

void bf_event_say(const char *fmt, ...)
{
	va_list ap;

	if (ev_json)
		return;
	bf_event_progress_clear();
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

void bf_event_progress_clear(void)
{
	if (bar_drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		bar_drawn = false;
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
	double rate = el > 0 ? (double)p->done / el : 0;
	char done_s[32], total_s[32], rate_s[32], eta_s[32];

	if (ev_json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "bytes", json_object_new_int64((int64_t)p->done));
		json_object_object_add(o, "total", json_object_new_int64((int64_t)p->total));
		json_object_object_add(o, "rate_bps", json_object_new_double(rate));
		if (p->total && rate > 0)
			json_object_object_add(o, "eta_s",
				json_object_new_double((double)(p->total - p->done) / rate));
		json_object_object_add(o, "done", json_object_new_boolean(final));
		bf_event_emit(p->op, o);
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
		bar_drawn = false;
	} else {
		bar_drawn = true;
	}
	fflush(stderr);
}

void bf_progress_begin(struct bf_progress *p, const char *op, uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->op = op;
	p->total = total;
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
