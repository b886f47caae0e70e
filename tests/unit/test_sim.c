/* test_sim.c - the simulated BlueField through its host interface only:
 * registers, boot FIFO, a whole boot from a bundle built here (images with
 * bf_bfb_hdr_encode + bf_bfb_crc32, an initramfs made with libarchive), the
 * log ring read exactly as the host reads it, bf.cfg gates, state across
 * close/open, the console. */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
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
#include <json-c/json.h>

#include "bfb.h"
#include "chip.h"
#include "clock.h"
#include "rlog.h"
#include "sim.h"
#include "tmfifo.h"

#define MANIFEST_FULL \
	"{\"format\":1,\"kind\":\"full\",\"os\":{\"name\":\"Ubuntu\",\"version\":\"%s\"}," \
	"\"release\":\"bf-bundle-test\",\"atf\":\"%s\",\"uefi\":\"%s\",\"bsp\":\"4.7.0\"," \
	"\"doca\":\"2.7.0\",\"nic_fw\":{\"version\":\"%s\",\"psid\":\"MT_0000000884\"," \
	"\"file\":\"nicfw/fw.bin\"},\"bmc_fw\":\"24.04\",\"cec_fw\":\"00.02\"}"

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void image(struct buf *b, unsigned id, unsigned ver, const void *data, size_t len,
		  uint64_t following, bool corrupt)
{
	struct bf_bfb_hdr h;
	uint8_t hdr[BF_BFB_HDR_LEN];
	static const uint8_t zeros[8];
	size_t at;

	bf_bfb_hdr_init(&h, (uint8_t)id, (uint8_t)ver, (uint32_t)len,
			bf_bfb_crc32_pad(bf_bfb_crc32(0, data, len), len));
	h.following = following;
	bf_bfb_hdr_encode(&h, hdr);
	put(b, hdr, sizeof(hdr));
	at = b->len;
	put(b, data, len);
	put(b, zeros, bf_bfb_padded(len) - len);
	if (corrupt)
		b->p[at + len / 2] ^= 0x40;
}

static void initramfs(struct buf *out, const char *manifest)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t cap = 1 << 16, used = 0;

	out->p = malloc(cap);
	archive_write_set_format_cpio_newc(a);
	archive_write_add_filter_gzip(a);
	assert_int_equal(archive_write_open_memory(a, out->p, cap, &used), ARCHIVE_OK);
	archive_entry_set_pathname(e, "bfsim-installer.json");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)strlen(manifest));
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, manifest, strlen(manifest)), (la_ssize_t)strlen(manifest));
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
	out->len = used;
}

/* A small but complete bundle; corrupt_id's data gets one bit flipped. */
static struct buf bundle(const struct bf_chip *chip, const char *manifest, unsigned corrupt_id,
			 const char *cfg)
{
	static const unsigned order[] = { 37, 30, 1, 3, 5, 52, 59, 62, 63 };
	struct buf b = { 0 }, ird;
	uint8_t blob[3000];
	uint64_t map = 0;
	size_t i, k;
	bool bf3 = chip->ver == BF_CHIP_BF3;

	for (k = 0; k < sizeof(blob); k++)
		blob[k] = (uint8_t)(k * 7 + 3);
	initramfs(&ird, manifest);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (bf3 || (order[i] != 37 && order[i] != 30))
			map |= 1ull << order[i];
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		unsigned id = order[i];

		if (!bf3 && (id == 37 || id == 30))
			continue;
		map &= ~(1ull << id);
		if (id == 59)
			image(&b, 59, bf3 ? 2 : 0, "console=hvc0 initrd=initramfs", 29, map, corrupt_id == id);
		else if (id == 63)
			image(&b, 63, 0, ird.p, ird.len, map, corrupt_id == id);
		else
			image(&b, id, 0, blob, 1000 + id * 13, map, corrupt_id == id);
	}
	if (cfg)
		put(&b, cfg, strlen(cfg));
	free(ird.p);
	return b;
}

static struct bf_sim *sim_open(const char *chip, const char *state)
{
	struct bf_sim_config c;
	struct bf_sim *s;

	bf_sim_config_defaults(&c);
	c.chip = bf_chip_by_name(chip);
	c.speed = 1e6;
	c.link_bps = 1ull << 32;
	c.drain_bps = 1ull << 32;
	c.idle_real_min_s = 0;   /* this test is the host, and waits in device time */
	if (state)
		snprintf(c.state_dir, sizeof(c.state_dir), "%s", state);
	assert_int_equal(bf_sim_open(&c, &s), 0);
	return s;
}

static uint64_t rd(struct bf_sim *s, uint32_t addr)
{
	uint64_t v;

	assert_int_equal(bf_sim_read_reg(s, BF_CHAN_RSHIM, addr, &v), 0);
	return v;
}

static void wr(struct bf_sim *s, uint32_t addr, uint64_t v)
{
	assert_int_equal(bf_sim_write_reg(s, BF_CHAN_RSHIM, addr, v), 0);
}

/* What the host does to push a boot: BOOT_CONTROL = 0, chip reset. */
static void boot_reset(struct bf_sim *s)
{
	const struct bf_chip_regs *g = &bf_sim_chip(s)->r;

	wr(s, g->boot_control, BF_BOOT_CONTROL_RSHIM);
	wr(s, g->reset_control, (rd(s, g->reset_control) & ~0xffffffffull) | BF_RESET_KEY);
}

static void push(struct bf_sim *s, const struct buf *b)
{
	size_t off = 0;
	unsigned idle = 0;

	while (off < b->len && idle < 2000) {
		ssize_t n = bf_sim_boot_write(s, b->p + off, b->len - off);

		assert_true(n >= 0);
		if (n == 0) {
			idle++;
			bf_clock_sleep_ns(100000);
		} else {
			idle = 0;
		}
		off += (size_t)n;
	}
}

/* The host's log read (spec rshim.md 5): semaphore, CTL, rewind, DAT
 * words, clear, release. Lines are appended to out. */
static unsigned read_log(struct bf_sim *s, char *out, size_t cap, unsigned *garbage)
{
	const struct bf_chip_regs *g = &bf_sim_chip(s)->r;
	uint64_t w[128];
	struct bf_rlog_rec rec;
	char line[BF_RLOG_LINE_MAX];
	unsigned idx, i, lines = 0, spins = 0;
	size_t pos = 0;

	while (rd(s, g->semaphore0) != 0)
		assert_true(++spins < 1000);
	idx = (unsigned)(rd(s, g->scratch_buf_ctl) & 0x7f);
	wr(s, g->scratch_buf_ctl, 0);
	for (i = 0; i < idx; i++)
		w[i] = rd(s, g->scratch_buf_dat);
	wr(s, g->scratch_buf_ctl, 0);   /* CLEAR_ON_READ */
	wr(s, g->semaphore0, 0);
	while (pos < idx) {
		size_t k = bf_rlog_decode(w + pos, idx - pos, &rec);

		pos += k;
		if (rec.garbage) {
			if (garbage)
				(*garbage)++;
			continue;
		}
		bf_rlog_format(&rec, line, sizeof(line));
		snprintf(out + strlen(out), cap - strlen(out), "%s\n", line);
		lines++;
	}
	return lines;
}

/* Read the log until `until` appears or the device goes quiet. */
static void collect(struct bf_sim *s, char *out, size_t cap, const char *until, unsigned *garbage)
{
	unsigned quiet = 0;
	struct bf_sim_status st;

	out[0] = '\0';
	while (!strstr(out, until) && quiet < 200) {
		read_log(s, out, cap, garbage);
		bf_sim_get_status(s, &st);
		if (st.pending_events == 0)
			quiet++;
		bf_clock_sleep_ns(200000);
	}
}

static void assert_in_order(const char *log, const char *const *want)
{
	const char *p = log;

	for (; *want; want++) {
		const char *q = strstr(p, *want);

		if (!q)
			print_error("'%s' missing (in order) from:\n%s", *want, log);
		assert_non_null(q);
		p = q + strlen(*want);
	}
}

static char *tmpdir(void)
{
	char *d = strdup("/tmp/test_sim.XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static json_object *nv(const char *dir)
{
	char path[512];
	json_object *o, *inst;

	snprintf(path, sizeof(path), "%s/nv.json", dir);
	o = json_object_from_file(path);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "installed", &inst));
	json_object_get(inst);
	json_object_put(o);
	return inst;
}

static const char *jstr(json_object *o, const char *a, const char *b)
{
	json_object *v;

	if (!json_object_object_get_ex(o, a, &v))
		return "";
	if (b && !json_object_object_get_ex(v, b, &v))
		return "";
	return json_object_get_string(v);
}

static void rm_rf(const char *d)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
}

/* ---- registers ---------------------------------------------------------- */

static void registers(void **state)
{
	struct bf_sim *s = sim_open("bf2", NULL);
	const struct bf_chip_regs *g = &bf_sim_chip(s)->r;
	struct bf_sim_status st;
	uint64_t up;
	unsigned i;

	(void)state;
	assert_true(rd(s, g->fabric_dim) != 0);
	/* semaphore: 0 = acquired, then busy until released */
	assert_true(rd(s, g->semaphore0) == 0);
	assert_true(rd(s, g->semaphore0) != 0);
	wr(s, g->semaphore0, 0);
	assert_true(rd(s, g->semaphore0) == 0);
	wr(s, g->semaphore0, 0);
	/* SP1 keeps what the host writes (keepalive, ownership magics) */
	wr(s, g->scratchpad1, BF_SP1_KEEPALIVE);
	assert_true(rd(s, g->scratchpad1) == BF_SP1_KEEPALIVE);
	/* a wrong key does not reset; the right one does (SP1 is cleared) */
	bf_sim_get_status(s, &st);
	wr(s, g->reset_control, 0xca710002ull);
	bf_sim_get_status(s, &st);
	assert_int_equal(st.resets, 0);
	wr(s, g->boot_control, BF_BOOT_CONTROL_RSHIM);
	wr(s, g->reset_control, BF_RESET_KEY);
	bf_sim_get_status(s, &st);
	assert_int_equal(st.resets, 1);
	assert_string_equal(st.phase, "boot-rom");
	assert_true(rd(s, g->scratchpad1) == 0);
	up = rd(s, g->uptime);
	assert_true(rd(s, g->uptime) >= up);
	bf_sim_close(s);

	/* The FIFO count, and overflow: nothing drains at 1 byte/s. */
	{
		struct bf_sim_config c;

		bf_sim_config_defaults(&c);
		c.chip = bf_chip_by_name("bf2");
		c.drain_bps = 1;
		assert_int_equal(bf_sim_open(&c, &s), 0);
	}
	boot_reset(s);
	for (i = 0; i < 10; i++)
		wr(s, g->boot_fifo_data, 0x13026642ull);
	assert_int_equal(rd(s, g->boot_fifo_count), 10);
	for (i = 10; i < 512 + 5; i++)
		wr(s, g->boot_fifo_data, 0);
	assert_int_equal(rd(s, g->boot_fifo_count), 512);
	bf_sim_get_status(s, &st);
	assert_int_equal(st.overflow_bytes, 5 * 8);   /* lost, like hardware */
	/* the bulk path takes only free space: none now */
	assert_int_equal(bf_sim_boot_write(s, "12345678", 8), 0);
	bf_sim_close(s);
}

static void unplug_fault(void **state)
{
	struct bf_sim_config c;
	struct bf_sim *s;
	uint8_t data[4096] = { 0 };
	uint64_t v;

	(void)state;
	bf_sim_config_defaults(&c);
	assert_int_equal(bf_sim_config_add_fault(&c, "unplug-after=1K"), 0);
	assert_int_equal(bf_sim_config_add_fault(&c, "nonsense"), -EINVAL);
	c.speed = 1e6;
	assert_int_equal(bf_sim_open(&c, &s), 0);
	boot_reset(s);
	assert_int_equal(bf_sim_boot_write(s, data, sizeof(data)), 1024);
	assert_int_equal(bf_sim_boot_write(s, data, sizeof(data)), -ENODEV);
	assert_int_equal(bf_sim_read_reg(s, BF_CHAN_RSHIM, 0x110, &v), -ENODEV);
	bf_sim_close(s);
}

/* ---- whole boots -------------------------------------------------------- */

static const char *const bf3_boot[] = {
	" INFO[PSC]: PSC BL1 START", "UEFI loaded", " INFO[UEFI]: eMMC init", "eMMC probed",
	"Found bf.cfg", "Ubuntu installation started", "Installing OS image",
	"Changing the default password for user ubuntu", "Ubuntu installation completed",
	"Updating NIC firmware...", "NIC firmware update done: 32.41.1000", "Installation finished",
	"Rebooting...", "Linux up", " INFO[MISC]: DPU is ready", NULL,
};

static void whole_boot(void **state)
{
	char *dir = tmpdir(), *log = malloc(65536);
	char man[1024];
	struct bf_sim *s = sim_open("bf3", dir);
	struct bf_sim_status st;
	struct buf b;
	json_object *inst;

	(void)state;
	snprintf(man, sizeof(man), MANIFEST_FULL, "22.04", "4.7.0-1", "4.7.0-1", "32.41.1000");
	b = bundle(bf_sim_chip(s), man, 0, "ubuntu_PASSWORD='$6$salt$hash'\nbfb_modify_os() { echo hi; }\n");
	boot_reset(s);
	push(s, &b);
	collect(s, log, 65536, "DPU is ready", NULL);
	assert_in_order(log, bf3_boot);
	assert_non_null(strstr(log, "Running bfb_modify_os from bf.cfg"));
	assert_null(strstr(log, "ERR"));
	bf_sim_get_status(s, &st);
	assert_string_equal(st.phase, "os");
	assert_int_equal(st.boot_bytes, bf_bfb_padded(b.len));
	bf_sim_close(s);
	inst = nv(dir);
	assert_string_equal(jstr(inst, "os", "version"), "22.04");
	assert_string_equal(jstr(inst, "nic_fw", "version"), "32.41.1000");
	assert_string_equal(jstr(inst, "atf", NULL), "4.7.0-1");
	assert_string_equal(jstr(inst, "ubuntu_password_hash", NULL), "$6$salt$hash");
	json_object_put(inst);
	free(b.p);

	/* A second install: new versions, gates off for the OS and NIC FW. */
	snprintf(man, sizeof(man), MANIFEST_FULL, "24.04", "4.9.0-2", "4.9.0-2", "32.43.1000");
	s = sim_open("bf3", dir);
	b = bundle(bf_sim_chip(s), man, 0, "UPDATE_DPU_OS=\"no\"\nexport WITH_NIC_FW_UPDATE=no\n");
	boot_reset(s);
	push(s, &b);
	collect(s, log, 65536, "DPU is ready", NULL);
	assert_null(strstr(log, "Installing OS image"));
	assert_null(strstr(log, "Updating NIC firmware"));
	assert_non_null(strstr(log, "Installation finished"));
	assert_non_null(strstr(log, "DPU is ready"));   /* the OS installed earlier boots */
	bf_sim_close(s);
	inst = nv(dir);
	assert_string_equal(jstr(inst, "os", "version"), "22.04");
	assert_string_equal(jstr(inst, "nic_fw", "version"), "32.41.1000");
	assert_string_equal(jstr(inst, "atf", NULL), "4.9.0-2");   /* UPDATE_ATF_UEFI defaults to yes */
	json_object_put(inst);
	free(b.p);
	rm_rf(dir);
	free(dir);
	free(log);
}

static void bf2_boot_and_bad_cfg(void **state)
{
	char *log = malloc(65536);
	char man[1024];
	struct bf_sim *s = sim_open("bf2", NULL);
	struct buf b;

	(void)state;
	snprintf(man, sizeof(man), MANIFEST_FULL, "22.04", "a", "u", "24.41.1000");
	b = bundle(bf_sim_chip(s), man, 0, "A='unterminated\n");
	boot_reset(s);
	push(s, &b);
	collect(s, log, 65536, "DPU is ready", NULL);
	assert_null(strstr(log, "[PSC]"));           /* BF2 has no PSC */
	assert_in_order(log, (const char *const[]){ "Found bf.cfg", "Invalid bf.cfg",
		"Installing OS image", "DPU is ready", NULL });
	bf_sim_close(s);
	free(b.p);
	free(log);
}

static void crc_error_stalls(void **state)
{
	char *log = malloc(65536);
	char man[1024];
	struct bf_sim *s = sim_open("bf3", NULL);
	struct bf_sim_status st;
	struct buf b;

	(void)state;
	snprintf(man, sizeof(man), MANIFEST_FULL, "22.04", "a", "u", "n");
	char *pad = malloc(32768);

	memset(pad, '#', 32767);
	pad[32767] = '\0';
	b = bundle(bf_sim_chip(s), man, 3, pad);   /* BL31's data corrupted; 32 KiB more */
	free(pad);
	boot_reset(s);
	push(s, &b);
	collect(s, log, 65536, "CRITICAL ERROR", NULL);
	assert_non_null(strstr(log, " ERR[BL2]: bl31 image (id 3) CRC error"));
	assert_non_null(strstr(log, "CRITICAL ERROR"));
	assert_null(strstr(log, "UEFI loaded"));
	assert_null(strstr(log, "DPU is ready"));
	bf_sim_get_status(s, &st);
	assert_string_equal(st.phase, "stalled");
	/* the FIFO no longer drains: the host's push stalls, no error code */
	assert_true(st.boot_bytes < b.len);
	assert_int_equal(bf_sim_boot_write(s, b.p, 8), 0);
	bf_sim_close(s);
	free(b.p);
	free(log);
}

static void console_bytes(void *ctx, uint8_t type, const uint8_t *buf, size_t len)
{
	char *got = ctx;
	size_t have = strlen(got);

	if (type == BF_TMFIFO_CONSOLE && have + len < 1024)
		memcpy(got + have, buf, len), got[have + len] = '\0';
}

static void persistence_and_console(void **state)
{
	char *dir = tmpdir(), *log = malloc(65536);
	char man[1024], got[1024] = "";
	struct bf_sim *s = sim_open("bf3", dir);
	const struct bf_chip_regs *g = &bf_sim_chip(s)->r;
	struct bf_sim_status st;
	struct bf_tmfifo_rx rx;
	uint8_t pkt[64];
	struct buf b;
	size_t n, i;

	(void)state;
	snprintf(man, sizeof(man), MANIFEST_FULL, "22.04", "a", "u", "n");
	b = bundle(bf_sim_chip(s), man, 0, NULL);
	boot_reset(s);
	push(s, &b);
	collect(s, log, 65536, "DPU is ready", NULL);
	wr(s, g->scratchpad6, 0x1234abcd);
	bf_sim_close(s);

	/* Another process sees the same device. */
	s = sim_open("bf3", dir);
	bf_sim_get_status(s, &st);
	assert_string_equal(st.phase, "os");
	assert_int_equal(st.resets, 1);
	assert_true(rd(s, g->scratchpad6) == 0x1234abcd);
	/* The console: banner, then the echo of what the host types. */
	n = bf_tmfifo_frame(BF_TMFIFO_CONSOLE, "root\r", 5, pkt, sizeof(pkt));
	for (i = 0; i < n; i += 8)
		wr(s, g->tm_h2t_data, bf_tmfifo_bytes_word(pkt + i));
	bf_tmfifo_rx_init(&rx);
	while (rd(s, g->tm_t2h_sts)) {
		uint8_t w[8];

		bf_tmfifo_word_bytes(rd(s, g->tm_t2h_data), w);
		bf_tmfifo_rx_feed(&rx, w, 8, console_bytes, got);
	}
	assert_true(rx.packets >= 1);
	assert_non_null(strstr(got, "Ubuntu 22.04 LTS localhost hvc0"));
	assert_non_null(strstr(got, "localhost login: root\r\n"));
	bf_sim_close(s);
	free(b.p);
	rm_rf(dir);
	free(dir);
	free(log);
}

static void nic_mode_and_garbage(void **state)
{
	char *log = malloc(65536);
	char man[1024];
	struct bf_sim_config c;
	struct bf_sim *s;
	struct buf b;
	unsigned garbage = 0;

	(void)state;
	bf_sim_config_defaults(&c);
	c.speed = 1e6;
	c.link_bps = c.drain_bps = 1ull << 32;
	c.idle_real_min_s = 0;
	c.fault_corrupt_log = true;
	assert_int_equal(bf_sim_open(&c, &s), 0);
	snprintf(man, sizeof(man), MANIFEST_FULL, "22.04", "a", "u", "n");
	b = bundle(bf_sim_chip(s), man, 0, NULL);
	wr(s, bf_sim_chip(s)->r.scratchpad2, (uint64_t)BF_MODE_NIC << BF_SP2_MODE_SHIFT);
	boot_reset(s);
	push(s, &b);
	collect(s, log, 65536, "In Enhanced NIC mode", &garbage);
	assert_in_order(log, (const char *const[]){ "Installation finished", "In Enhanced NIC mode", NULL });
	assert_null(strstr(log, "Installing OS image"));
	assert_null(strstr(log, "Rebooting..."));
	assert_true(garbage > 0);   /* the fault put garbage among real records */
	bf_sim_close(s);
	free(b.p);
	free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(registers),
		cmocka_unit_test(unplug_fault),
		cmocka_unit_test(whole_boot),
		cmocka_unit_test(bf2_boot_and_bad_cfg),
		cmocka_unit_test(crc_error_stalls),
		cmocka_unit_test(persistence_and_console),
		cmocka_unit_test(nic_mode_and_garbage),
	};

	return cmocka_run_group_tests_name("sim", tests, NULL, NULL);
}
