/* test_boot.c - the boot push and the log-ring walk against a fake device
 * whose registers and boot FIFO are plain memory. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "boot.h"
#include "bootlog.h"
#include "chip.h"
#include "error.h"
#include "rshim.h"

#define FAKE_FIFO_BYTES 4096
#define FAKE_MAX_STREAM (1u << 20)

struct fake {
	struct bf_rshim r;
	uint64_t regs[0x10000 / 8];   /* RShim channel */
	uint8_t stream[FAKE_MAX_STREAM];
	size_t stream_len;
	size_t fifo_fill;             /* bytes "in the FIFO", drained by drain_per_call */
	size_t drain_per_call;
	size_t max_accept;            /* largest single write accepted */
	size_t max_fifo_seen;
	unsigned writes;
	unsigned zero_returns;
	int fail_after_bytes;         /* -1: never */
	unsigned sem_busy_reads;      /* semaphore reads returning 1 before 0 */
	uint64_t ring[128];
	unsigned ring_pos;            /* auto-increment data pointer */
	uint64_t wdog_writes;
};

static struct fake *fk(struct bf_rshim *r) { return (struct fake *)r; }

static int fake_read(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t *v)
{
	struct fake *f = fk(r);
	const struct bf_chip_regs *g = &r->chip->r;

	if (chan != BF_CHAN_RSHIM) {
		*v = 0;
		return 0;
	}
	if (addr == g->semaphore0) {
		if (f->sem_busy_reads) {
			f->sem_busy_reads--;
			*v = 1;
		} else {
			*v = f->regs[addr / 8];
			f->regs[addr / 8] = 1;   /* taken until written 0 */
		}
		return 0;
	}
	if (addr == g->scratch_buf_dat) {
		*v = f->ring[f->ring_pos++ & 127];
		return 0;
	}
	*v = f->regs[addr / 8];
	return 0;
}

static int fake_write(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t v)
{
	struct fake *f = fk(r);

	if (chan == BF_CHAN_WDOG1) {
		f->wdog_writes++;
		return 0;
	}
	if (chan != BF_CHAN_RSHIM)
		return 0;
	if (addr == r->chip->r.scratch_buf_ctl)
		f->ring_pos = (unsigned)v & 127;
	f->regs[addr / 8] = v;
	return 0;
}

static ssize_t fake_boot_write(struct bf_rshim *r, const void *buf, size_t len)
{
	struct fake *f = fk(r);
	size_t room, n;

	f->writes++;
	f->fifo_fill -= f->fifo_fill < f->drain_per_call ? f->fifo_fill : f->drain_per_call;
	if (f->fail_after_bytes >= 0 && f->stream_len >= (size_t)f->fail_after_bytes)
		return -ENODEV;
	room = FAKE_FIFO_BYTES - f->fifo_fill;
	n = len < room ? len : room;
	if (n > f->max_accept)
		n = f->max_accept;
	if (n == 0) {
		f->zero_returns++;
		return 0;
	}
	/* Whole words except for the stream's final piece. */
	if (n != len)
		n &= ~(size_t)7;
	assert_true(f->stream_len + n <= FAKE_MAX_STREAM);
	memcpy(f->stream + f->stream_len, buf, n);
	f->stream_len += n;
	f->fifo_fill += (n + 7) & ~(size_t)7;
	if (f->fifo_fill > f->max_fifo_seen)
		f->max_fifo_seen = f->fifo_fill;
	return (ssize_t)n;
}

static const struct bf_rshim_ops fake_ops = {
	.read_reg = fake_read, .write_reg = fake_write, .boot_write = fake_boot_write,
};

static struct fake *fake_new(enum bf_chip_ver ver)
{
	struct fake *f = calloc(1, sizeof(*f));

	f->r.ops = &fake_ops;
	f->r.chip = bf_chip_get(ver);
	snprintf(f->r.name, sizeof(f->r.name), "fake:0");
	f->drain_per_call = 512;
	f->max_accept = SIZE_MAX;
	f->fail_after_bytes = -1;
	return f;
}

static char *write_tmp(const void *data, size_t len)
{
	char *path = strdup("/tmp/bfctl-test-boot.XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

static void test_reset_sequence(void **state)
{
	struct fake *f = fake_new(BF_CHIP_BF3);
	const struct bf_chip_regs *g = &f->r.chip->r;

	(void)state;
	f->regs[g->boot_control / 8] = 1;
	f->regs[g->reset_control / 8] = 0x100000000ull;   /* bit 32 kept */
	assert_int_equal(bf_boot_reset(&f->r), 0);
	assert_int_equal(f->regs[g->boot_control / 8], 0);
	assert_int_equal(f->regs[g->reset_control / 8], 0x1ca710001ull);
	assert_int_equal(f->wdog_writes, 1);
	assert_int_equal(bf_boot_finish(&f->r), 0);
	assert_int_equal(f->regs[g->boot_control / 8], 1);
	free(f);
}

/* Files with unaligned sizes: the wire carries their exact concatenation,
 * every write but the last is whole words, the FIFO never overflows. */
static void test_push_concatenation(void **state)
{
	static uint8_t a[10007], b[13], c[5000];
	const char *paths[3];
	struct bf_boot_opts o = { .stall_timeout_s = 5 };
	struct fake *f = fake_new(BF_CHIP_BF2);
	uint64_t pushed;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(a); i++)
		a[i] = (uint8_t)(i * 7);
	memcpy(b, "UPDATE_DPU_OS", 13);
	for (i = 0; i < sizeof(c); i++)
		c[i] = (uint8_t)(255 - i);
	paths[0] = write_tmp(a, sizeof(a));
	paths[1] = write_tmp(b, sizeof(b));
	paths[2] = write_tmp(c, sizeof(c));
	f->max_accept = 1000;   /* force many short writes */
	f->drain_per_call = 256; /* slower than the writes: the FIFO fills */
	assert_int_equal(bf_boot_push_files(&f->r, paths, 3, &o, &pushed), 0);
	assert_int_equal(pushed, sizeof(a) + sizeof(b) + sizeof(c));
	assert_int_equal(f->stream_len, sizeof(a) + sizeof(b) + sizeof(c));
	assert_memory_equal(f->stream, a, sizeof(a));
	assert_memory_equal(f->stream + sizeof(a), b, sizeof(b));
	assert_memory_equal(f->stream + sizeof(a) + sizeof(b), c, sizeof(c));
	assert_true(f->max_fifo_seen <= FAKE_FIFO_BYTES);
	assert_int_equal(f->max_fifo_seen, FAKE_FIFO_BYTES);   /* filled to the brim, never over */
	for (i = 0; i < 3; i++) {
		unlink(paths[i]);
		free((void *)paths[i]);
	}
	free(f);
}

/* A device that stops draining: -ETIMEDOUT after the stall timeout, with
 * the byte count in the sentence. */
static void test_push_stall(void **state)
{
	static uint8_t a[64 * 1024];
	const char *paths[1];
	struct bf_boot_opts o = { .stall_timeout_s = 0.3 };
	struct fake *f = fake_new(BF_CHIP_BF3);
	uint64_t pushed;

	(void)state;
	paths[0] = write_tmp(a, sizeof(a));
	f->drain_per_call = 0;
	bf_error_clear();
	assert_int_equal(bf_boot_push_files(&f->r, paths, 1, &o, &pushed), -ETIMEDOUT);
	assert_int_equal(pushed, FAKE_FIFO_BYTES);
	assert_non_null(strstr(bf_error_get(), "stopped draining"));
	assert_non_null(strstr(bf_error_get(), "4096 bytes"));
	unlink(paths[0]);
	free((void *)paths[0]);
	free(f);
}

static void test_push_device_gone(void **state)
{
	static uint8_t a[64 * 1024];
	const char *paths[1];
	struct bf_boot_opts o = { .stall_timeout_s = 5 };
	struct fake *f = fake_new(BF_CHIP_BF3);
	uint64_t pushed;

	(void)state;
	paths[0] = write_tmp(a, sizeof(a));
	f->fail_after_bytes = 8192;
	bf_error_clear();
	assert_int_equal(bf_boot_push_files(&f->r, paths, 1, &o, &pushed), -ENODEV);
	assert_int_equal(pushed, 8192);
	assert_non_null(strstr(bf_error_get(), "after 8192 bytes"));
	unlink(paths[0]);
	free((void *)paths[0]);
	free(f);
}

/* The ring walk: wait for the semaphore, rewind, read idx words, clear or
 * restore the index, release the semaphore. */
static void test_log_walk(void **state)
{
	struct fake *f = fake_new(BF_CHIP_BF3);
	const struct bf_chip_regs *g = &f->r.chip->r;
	uint64_t w[BF_BOOTLOG_MAX_WORDS];
	unsigned n, i;

	(void)state;
	for (i = 0; i < 5; i++)
		f->ring[i] = 0x1000 + i;
	f->regs[g->scratch_buf_ctl / 8] = 5;
	f->sem_busy_reads = 3;
	assert_int_equal(bf_bootlog_read_words(&f->r, w, BF_BOOTLOG_MAX_WORDS, &n, false), 0);
	assert_int_equal(n, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(w[i], 0x1000 + i);
	assert_int_equal(f->regs[g->scratch_buf_ctl / 8], 5);   /* restored */
	assert_int_equal(f->regs[g->semaphore0 / 8], 0);        /* released */
	assert_int_equal(bf_bootlog_read_words(&f->r, w, BF_BOOTLOG_MAX_WORDS, &n, true), 0);
	assert_int_equal(n, 5);
	assert_int_equal(f->regs[g->scratch_buf_ctl / 8], 0);   /* cleared */
	assert_int_equal(bf_bootlog_read_words(&f->r, w, BF_BOOTLOG_MAX_WORDS, &n, true), 0);
	assert_int_equal(n, 0);
	free(f);
}

static void test_log_semaphore_stuck(void **state)
{
	struct fake *f = fake_new(BF_CHIP_BF2);
	uint64_t w[BF_BOOTLOG_MAX_WORDS];
	unsigned n;

	(void)state;
	f->sem_busy_reads = UINT32_MAX;
	bf_error_clear();
	assert_int_equal(bf_bootlog_read_words(&f->r, w, BF_BOOTLOG_MAX_WORDS, &n, true), -ETIMEDOUT);
	assert_non_null(strstr(bf_error_get(), "semaphore"));
	free(f);
}

static void test_marks(void **state)
{
	(void)state;
	assert_int_equal(bf_bootlog_mark(" INFO[MISC]: DPU is ready"), BF_MARK_READY);
	assert_int_equal(bf_bootlog_mark(" INFO[MISC]: Linux up"), BF_MARK_LINUX_UP);
	assert_int_equal(bf_bootlog_mark(" INFO[MISC]: Installation finished. Rebooting..."), BF_MARK_REBOOTING);
	assert_int_equal(bf_bootlog_mark(" INFO[MISC]: Rebooting BMC..."), BF_MARK_NONE);
	assert_int_equal(bf_bootlog_mark(" ERR[BL2]: CRITICAL ERROR"), BF_MARK_CRITICAL);
	assert_int_equal(bf_bootlog_mark(" INFO[MISC]: in enhanced nic mode"), BF_MARK_NIC_MODE);
	assert_int_equal(bf_bootlog_mark(" INFO[MISC]: Installation finished"), BF_MARK_NONE);
}

static void test_addr_split(void **state)
{
	const struct bf_chip *bf3 = bf_chip_get(BF_CHIP_BF3), *bf2 = bf_chip_get(BF_CHIP_BF2);
	uint32_t chan, off;

	(void)state;
	assert_int_equal(bf_chip_addr_split(bf3, 0x13000c48, &chan, &off), 0);
	assert_int_equal(chan, 1);
	assert_int_equal(off, 0xc48);
	assert_int_equal(bf_chip_addr_split(bf3, 0x03000c48, &chan, &off), 0);   /* bit 28 clear */
	assert_int_equal(chan, 1);
	assert_int_equal(bf_chip_addr_split(bf2, 0x10010c28, &chan, &off), 0);
	assert_int_equal(chan, 1);
	assert_int_equal(off, 0xc28);
	assert_int_equal(bf_chip_addr_split(bf3, 0x13409bdc, &chan, &off), 0);
	assert_int_equal(chan, BF_CHAN_YU);
	assert_int_equal(off, 0x9bdc);
	assert_int_equal(bf_chip_addr_split(bf2, 0x13000c48, &chan, &off), -EINVAL);
}

/* USB addressing vectors from the spec: RShim SP1 on BF3 is 0x1300:0x0c40. */
static void test_usb_addressing(void **state)
{
	const struct bf_chip *bf3 = bf_chip_get(BF_CHIP_BF3), *bf2 = bf_chip_get(BF_CHIP_BF2);
	uint16_t v, i;

	(void)state;
	assert_int_equal(bf_chip_usb_wvalue_windex(bf3, 1, 0xc40, &v, &i), 0);
	assert_int_equal(v, 0x1300);
	assert_int_equal(i, 0x0c40);
	assert_int_equal(bf_chip_usb_wvalue_windex(bf3, 1, 0x1000, &v, &i), 0);   /* BOOT_FIFO_COUNT */
	assert_int_equal(v, 0x1300);
	assert_int_equal(i, 0x1000);
	assert_int_equal(bf_chip_usb_wvalue_windex(bf3, BF_CHAN_UART1, 0x10, &v, &i), 0);
	assert_int_equal(v, 0x1301);
	assert_int_equal(i, 0x1010);
	assert_int_equal(bf_chip_usb_wvalue_windex(bf3, BF_CHAN_WDOG1, 0, &v, &i), 0);
	assert_int_equal(v, 0x1304);
	assert_int_equal(bf_chip_usb_wvalue_windex(bf3, 0x0, 0x20, &v, &i), 0);   /* unlisted */
	assert_int_equal(v, 0x1000);
	assert_int_equal(i, 0x20);
	assert_int_equal(bf_chip_usb_wvalue_windex(bf3, 0x1300, 0x0c48, &v, &i), 0);   /* linear */
	assert_int_equal(v, 0x1300);
	assert_int_equal(i, 0x0c48);
	assert_int_equal(bf_chip_usb_wvalue_windex(bf3, BF_CHAN_OOB, 0xf000, &v, &i), -EINVAL);
	assert_int_equal(bf_chip_usb_wvalue_windex(bf2, 1, 0x488, &v, &i), 0);
	assert_int_equal(v, 1);
	assert_int_equal(i, 0x488);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_sequence),
		cmocka_unit_test(test_push_concatenation),
		cmocka_unit_test(test_push_stall),
		cmocka_unit_test(test_push_device_gone),
		cmocka_unit_test(test_log_walk),
		cmocka_unit_test(test_log_semaphore_stuck),
		cmocka_unit_test(test_marks),
		cmocka_unit_test(test_addr_split),
		cmocka_unit_test(test_usb_addressing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
