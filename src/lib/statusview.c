/* statusview.c - poll the RShim log ring and show its records live. */
#include "config.h"
#include "statusview.h"
#include "error.h"
#include "event.h"
#include "log.h"
#include "print.h"
#include "rlog.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int bf_statusview_init(struct bf_statusview *sv, struct bf_rshim *r, bool clear,
		       int (*on_mark)(void *ctx, enum bf_boot_mark m, const char *line), void *ctx)
{
	memset(sv, 0, sizeof(*sv));
	sv->r = r;
	sv->clear = clear;
	sv->on_mark = on_mark;
	sv->ctx = ctx;
	return 0;
}

int bf_statusview_check_access(struct bf_statusview *sv)
{
	uint64_t sp1;
	int ret;

	ret = bf_rshim_rd(sv->r, sv->r->chip->r.scratchpad1, &sp1);
	if (ret < 0)
		return ret;
	if (sp1 == BF_SP1_LOCKED)
		return bf_error_ret(EPERM,
			"%s is in secure NIC mode: the NIC firmware locks RShim boot; take it out of secure NIC mode first",
			sv->r->name);
	return 0;
}

/* Keep the first len-1 bytes of src (device text can be long). */
static void keep(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int show_line(struct bf_statusview *sv, const struct bf_rlog_rec *rec, const char *line)
{
	enum bf_boot_mark m = bf_bootlog_mark(line);

	int ret;

	sv->lines++;
	if (sv->on_line) {
		if ((ret = sv->on_line(sv->ctx, rec, line)) < 0)
			return ret;
	} else {
		bf_print_begin("log");
		bf_print_string(BF_PRINT_JSON, "module", NULL, bf_rlog_module_name(rec->module));
		bf_print_string(BF_PRINT_JSON, "level", NULL, bf_rlog_level_name(rec));
		bf_print_string(BF_PRINT_JSON, "text", NULL, rec->text);
		bf_print_string(BF_PRINT_ANY, "line", "%s\n", line);
		bf_print_end();
	}
	if (bf_rlog_is_error(rec))
		keep(sv->last_error, sizeof(sv->last_error), line);
	if (m == BF_MARK_NONE)
		return 0;
	if (m == BF_MARK_CRITICAL)
		keep(sv->last_critical, sizeof(sv->last_critical), line);
	if (!sv->on_line) {
		bf_print_begin("mark");
		bf_print_string(BF_PRINT_JSON, "mark", NULL, bf_bootlog_mark_name(m));
		bf_print_string(BF_PRINT_JSON, "line", NULL, line);
		bf_print_end();
	}
	return sv->on_mark ? sv->on_mark(sv->ctx, m, line) : 0;
}

int bf_statusview_poll(struct bf_statusview *sv)
{
	uint64_t words[BF_BOOTLOG_MAX_WORDS];
	struct bf_rlog_rec rec;
	unsigned n, pos;
	int ret;

	ret = bf_bootlog_read_words(sv->r, words, BF_BOOTLOG_MAX_WORDS, &n, sv->clear);
	if (ret < 0)
		return ret;
	/* Without clearing, the ring keeps what was shown already; a shorter
	 * ring than before means someone else cleared it. */
	pos = 0;
	if (!sv->clear) {
		if (n >= sv->seen_words)
			pos = sv->seen_words;
		sv->seen_words = n;
	}
	while (pos < n) {
		char line[BF_RLOG_LINE_MAX];
		size_t used = bf_rlog_decode(words + pos, n - pos, &rec);

		if (used == 0)
			break;
		pos += (unsigned)used;
		if (rec.garbage) {
			sv->garbage++;
			bf_debug("%s: skipped a malformed log record (header 0x%016llx)", sv->r->name,
				 (unsigned long long)rec.header);
			continue;
		}
		bf_rlog_format(&rec, line, sizeof(line));
		ret = show_line(sv, &rec, line);
		if (ret < 0)
			return ret;
	}
	return 0;
}
