/* bootlog.h - the boot status as the host sees it (bf_bootlog_*): reading
 * the RShim log ring through registers (semaphore, index, rewind, data,
 * restore/clear, release) and recognising the completion strings.
 * Facts: doc/rshim.md section 5, doc/bfcfg.md (messages).
 */
#ifndef BF_BOOTLOG_H
#define BF_BOOTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rshim.h"

#define BF_BOOTLOG_MAX_WORDS 128   /* the index is 7 bits */

/* Read the words currently in the ring. With clear, the index is reset to
 * 0 afterwards (CLEAR_ON_READ); otherwise it is restored. 0 or -errno
 * (-ETIMEDOUT when the semaphore stays taken for 3 s, is then released
 * with a warning, and stays taken 3 s more). */
int bf_bootlog_read_words(struct bf_rshim *r, uint64_t *words, unsigned max,
			  unsigned *nwords, bool clear);

/* What a log line means for an install in progress. */
enum bf_boot_mark {
	BF_MARK_NONE = 0,
	BF_MARK_REBOOTING,      /* "Rebooting..." (installer done, DPU rebooting) */
	BF_MARK_LINUX_UP,       /* "Linux up" */
	BF_MARK_READY,          /* "DPU is ready" */
	BF_MARK_NIC_MODE,       /* "In Enhanced NIC mode" */
	BF_MARK_RUNTIME_DONE,   /* "Runtime upgrade finished" */
	BF_MARK_CRITICAL,       /* "CRITICAL ERROR" */
	BF_MARK_NO_OS,          /* "no bootable OS" (UEFI found nothing on eMMC) */
	BF_MARK_VERSIONS,       /* "Running versions: ATF=... UEFI=... BSP=..." (doc/upgrade.md) */
};

/* Case-insensitive match of the upstream completion strings. */
enum bf_boot_mark bf_bootlog_mark(const char *line);
const char *bf_bootlog_mark_name(enum bf_boot_mark m);

#endif
