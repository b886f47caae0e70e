/* bootlog.c - reading the RShim log ring and recognising completion. */
#include "config.h"
#include "bootlog.h"
#include "clock.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#define SEM_TIMEOUT_S 3.0
#define SEM_POLL_NS   1000000ull

/* Reading the semaphore takes it when it reads 0. 0, or -ETIMEDOUT when
 * it stays taken for SEM_TIMEOUT_S. */
static int sem_try(struct bf_rshim *r)
{
	struct bf_deadline d;
	uint64_t v;
	int ret;

	bf_deadline_set(&d, SEM_TIMEOUT_S, "the RShim log semaphore");
	for (;;) {
		ret = bf_rshim_rd(r, r->chip->r.semaphore0, &v);
		if (ret < 0)
			return ret;
		if (v == 0)
			return 0;
		if (bf_deadline_passed(&d))
			return -ETIMEDOUT;
		bf_clock_sleep_ns(SEM_POLL_NS);
	}
}

/* The firmware holds the semaphore for one record, microseconds. Taken
 * for seconds, it was left by a reader that died holding it (a host
 * process killed mid-read): released once, said, and taken again. */
static int sem_acquire(struct bf_rshim *r)
{
	int ret = sem_try(r);

	if (ret != -ETIMEDOUT)
		return ret;
	bf_warn("%s: the log semaphore stayed taken for %.0f s (a reader that died holding it?): releasing it",
		r->name, SEM_TIMEOUT_S);
	if ((ret = bf_rshim_wr(r, r->chip->r.semaphore0, 0)) < 0)
		return ret;
	if ((ret = sem_try(r)) == -ETIMEDOUT)
		return bf_error_ret(ETIMEDOUT, "the log semaphore stayed taken for %.0f s even after it was released "
				    "(the DPU's firmware holds it); reset the DPU (bfctl reset -r %s) and try again",
				    SEM_TIMEOUT_S, r->name);
	return ret;
}

int bf_bootlog_read_words(struct bf_rshim *r, uint64_t *words, unsigned max,
			  unsigned *nwords, bool clear)
{
	const struct bf_chip_regs *g = &r->chip->r;
	uint64_t ctl;
	unsigned idx, i;
	int ret, rel;

	*nwords = 0;
	ret = sem_acquire(r);
	if (ret < 0)
		return ret;
	ret = bf_rshim_rd(r, g->scratch_buf_ctl, &ctl);
	if (ret < 0)
		goto release;
	idx = (unsigned)(ctl & 0x7f);
	if (idx > max)
		idx = max;
	if (idx == 0)
		goto release;
	ret = bf_rshim_wr(r, g->scratch_buf_ctl, 0);
	for (i = 0; ret == 0 && i < idx; i++)
		ret = bf_rshim_read_data(r, BF_CHAN_RSHIM, g->scratch_buf_dat, &words[i]);
	if (ret == 0) {
		*nwords = idx;
		ret = bf_rshim_wr(r, g->scratch_buf_ctl, clear ? 0 : idx);
	}
release:
	rel = bf_rshim_wr(r, g->semaphore0, 0);
	return ret < 0 ? ret : rel;
}

static const struct {
	const char *text;
	enum bf_boot_mark mark;
	const char *name;
} marks[] = {
	{ "CRITICAL ERROR", BF_MARK_CRITICAL, "critical-error" },
	{ "DPU is ready", BF_MARK_READY, "dpu-ready" },
	{ "In Enhanced NIC mode", BF_MARK_NIC_MODE, "nic-mode" },
	{ "Runtime upgrade finished", BF_MARK_RUNTIME_DONE, "runtime-upgrade-finished" },
	{ "Linux up", BF_MARK_LINUX_UP, "linux-up" },
	{ "Rebooting...", BF_MARK_REBOOTING, "rebooting" },
	{ "no bootable OS", BF_MARK_NO_OS, "no-os" },
	{ "Running versions: ", BF_MARK_VERSIONS, "versions" },
};

enum bf_boot_mark bf_bootlog_mark(const char *line)
{
	size_t i;

	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (strcasestr(line, marks[i].text))
			return marks[i].mark;
	return BF_MARK_NONE;
}

const char *bf_bootlog_mark_name(enum bf_boot_mark m)
{
	size_t i;

	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (marks[i].mark == m)
			return marks[i].name;
	return "none";
}
