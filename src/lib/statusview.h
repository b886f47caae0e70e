/* statusview.h - the live boot status (bf_statusview_*): poll the RShim
 * log ring, decode its records, show each as a line (" INFO[BL31]: ...")
 * or a JSON "log" event, and report completion marks.
 */
#ifndef BF_STATUSVIEW_H
#define BF_STATUSVIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "bootlog.h"
#include "rshim.h"

struct bf_rlog_rec;

struct bf_statusview {
	struct bf_rshim *r;
	bool clear;                 /* clear the ring after each read (CLEAR_ON_READ) */
	int (*on_mark)(void *ctx, enum bf_boot_mark m, const char *line);
	/* Set after init: each record (marks too) goes to it instead of being
	 * printed; a negative return ends the poll with it. Same ctx. */
	int (*on_line)(void *ctx, const struct bf_rlog_rec *rec, const char *line);
	void *ctx;
	unsigned seen_words;        /* without clear: words of the ring already shown */
	uint64_t lines;             /* records shown */
	uint64_t garbage;           /* records skipped as malformed */
	char last_error[256];       /* the last ERR/ASSERT/PANIC line */
	char last_critical[256];    /* the CRITICAL ERROR line */
};

int bf_statusview_init(struct bf_statusview *sv, struct bf_rshim *r, bool clear,
		       int (*on_mark)(void *ctx, enum bf_boot_mark m, const char *line), void *ctx);
/* Refuse a device that cannot take a boot stream (secure NIC mode). */
int bf_statusview_check_access(struct bf_statusview *sv);
/* Read the ring once and show what is new. 0, a callback's negative
 * return, or -errno. */
int bf_statusview_poll(struct bf_statusview *sv);

#endif
