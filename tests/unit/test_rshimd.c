/* test_rshimd.c - rshimd's pure parts: the misc text (levels, key column,
 * chip-specific lines, log section), misc commands (every key, and hostile
 * writes), the rshim ioctl decoding (both message forms, channel masking,
 * BF3 linear addresses, hostile buffers), and the config file reader. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rlog.h"
#include "rshim_ioctl.h"
#include "rshimd.h"

static void view_bf3(struct bf_rshimd_misc_view *v)
{
	memset(v, 0, sizeof(*v));
	v->chip_ver = 3;
	v->rev = 1;
	v->bf_mode = 1;
	v->boot_mode = 1;
	v->boot_timeout = 300;
	v->usb_timeout = 40;
	snprintf(v->dev_name, sizeof(v->dev_name), "pcie-0000:03:00.2");
	snprintf(v->opn, sizeof(v->opn), "900-9D3B6-00CV-A");
	v->uptime_s = 42;
}

static void misc_level0(void **state)
{
	struct bf_rshimd_misc_view v;
	char buf[4096];
	size_t n;

	(void)state;
	view_bf3(&v);
	n = bf_rshimd_misc_format(&v, buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_non_null(strstr(buf, "DISPLAY_LEVEL   0 (0:basic, 1:advanced, 2:log)\n"));
	assert_non_null(strstr(buf, "BF_MODE         DPU mode\n"));
	assert_non_null(strstr(buf, "BOOT_MODE       1 (0:rshim, 1:emmc, 2:emmc-boot-swap)\n"));
	assert_non_null(strstr(buf, "BOOT_TIMEOUT    300 (seconds)\n"));
	assert_non_null(strstr(buf, "DROP_MODE       0 (0:normal, 1:drop)\n"));
	assert_non_null(strstr(buf, "SW_RESET        0 (1: reset)\n"));
	assert_non_null(strstr(buf, "DEV_NAME        pcie-0000:03:00.2\n"));
	assert_non_null(strstr(buf, "DEV_INFO        BlueField-3(Rev 1)\n"));
	assert_non_null(strstr(buf, "OPN_STR         900-9D3B6-00CV-A\n"));
	assert_non_null(strstr(buf, "UP_TIME         42(s)\n"));
	assert_non_null(strstr(buf, "SECURE_NIC_MODE 0 (0:no, 1:yes)\n"));
	/* Level 0 has no level-1 lines; the order is upstream's. */
	assert_null(strstr(buf, "PEER_MAC"));
	assert_null(strstr(buf, "BOOT_RESET_SKIP"));
	assert_true(strstr(buf, "DISPLAY_LEVEL") == buf);
	assert_true(strstr(buf, "BOOT_MODE") < strstr(buf, "DEV_NAME"));
	/* BF2: no BF_MODE / UP_TIME / SECURE_NIC_MODE; empty OPN is N/A. */
	v.chip_ver = 2;
	v.opn[0] = '\0';
	bf_rshimd_misc_format(&v, buf, sizeof(buf));
	assert_null(strstr(buf, "BF_MODE"));
	assert_null(strstr(buf, "UP_TIME"));
	assert_non_null(strstr(buf, "OPN_STR         N/A\n"));
	assert_non_null(strstr(buf, "DEV_INFO        BlueField-2(Rev 1)\n"));
}

static void misc_level1_and_truncation(void **state)
{
	struct bf_rshimd_misc_view v;
	char buf[4096], small[40];
	size_t n;

	(void)state;
	view_bf3(&v);
	v.display_level = 1;
	v.boot_reset_skip = true;
	memcpy(v.peer_mac, "\x00\x1a\xca\xff\xff\x01", 6);
	v.pxe_id = 0x1234abcd;
	v.vlan[0] = 10;
	v.vlan[1] = 4095;
	v.clear_on_read = true;
	bf_rshimd_misc_format(&v, buf, sizeof(buf));
	assert_non_null(strstr(buf, "BOOT_RESET_SKIP 1 (1: skip)\n"));
	assert_non_null(strstr(buf, "PEER_MAC        00:1a:ca:ff:ff:01 (rw)\n"));
	assert_non_null(strstr(buf, "PXE_ID          0x1234abcd (rw)\n"));
	assert_non_null(strstr(buf, "VLAN_ID         10 4095 (rw)\n"));
	assert_non_null(strstr(buf, "CLEAR_ON_READ   1 (0:no, 1:yes)\n"));
	/* Level 2 shows the log instead of the level-1 lines. */
	v.display_level = 2;
	bf_rshimd_misc_format(&v, buf, sizeof(buf));
	assert_null(strstr(buf, "PEER_MAC"));
	/* A small buffer is filled, terminated, never overrun. */
	memset(small, 'x', sizeof(small));
	n = bf_rshimd_misc_format(&v, small, sizeof(small) - 8);
	assert_true(n < sizeof(small) - 8);
	assert_int_equal(small[n], '\0');
	assert_int_equal(small[sizeof(small) - 1], 'x');
	assert_int_equal(bf_rshimd_misc_format(&v, small, 0), 0);
}

static void misc_log_section(void **state)
{
	uint64_t w[128];
	char buf[8192];
	size_t n = 0;

	(void)state;
	n += bf_rlog_encode_msg(w + n, 128 - n, BF_RLOG_BL31, BF_RLOG_INFO, "Linux up", false, 0);
	n += bf_rlog_encode_msg(w + n, 128 - n, BF_RLOG_MISC, BF_RLOG_INFO, "DPU is ready", false, 0);
	n += bf_rlog_encode_msg(w + n, 128 - n, BF_RLOG_UEFI, BF_RLOG_ERR, "%s%n%x %d", true, 7);
	bf_rshimd_misc_format_log(w, (unsigned)n, buf, sizeof(buf));
	assert_non_null(strstr(buf, "---------------------------------------\n             Log Messages\n"));
	assert_non_null(strstr(buf, "\n INFO[BL31]: Linux up\n"));
	assert_non_null(strstr(buf, "\n INFO[MISC]: DPU is ready\n"));
	/* The device's text is never a format string. */
	assert_non_null(strstr(buf, " ERR[UEFI]: "));
	/* Garbage words: no crash, nothing past the buffer. */
	memset(w, 0xff, sizeof(w));
	n = bf_rshimd_misc_format_log(w, 128, buf, 200);
	assert_true(n < 200);
	assert_int_equal(strlen(buf), n);
}

static void misc_parse_keys(void **state)
{
	struct bf_rshimd_misc_cmd c;

	(void)state;
	assert_int_equal(bf_rshimd_misc_parse("DISPLAY_LEVEL 2\n", 16, &c), 0);
	assert_int_equal(c.key, BF_MISC_DISPLAY_LEVEL);
	assert_int_equal(c.u, 2);
	assert_int_equal(bf_rshimd_misc_parse("BOOT_TIMEOUT 600", 16, &c), 0);
	assert_int_equal(c.u, 600);
	assert_int_equal(bf_rshimd_misc_parse("BOOT_MODE 0x3", 13, &c), 0);
	assert_int_equal(c.key, BF_MISC_BOOT_MODE);
	assert_int_equal(c.u, 3);
	assert_int_equal(bf_rshimd_misc_parse("SW_RESET 1", 10, &c), 0);
	assert_int_equal(c.key, BF_MISC_SW_RESET);
	assert_int_equal(bf_rshimd_misc_parse("BOOT_RESET_SKIP 1", 17, &c), 0);
	assert_int_equal(bf_rshimd_misc_parse("CLEAR_ON_READ 1", 15, &c), 0);
	assert_int_equal(bf_rshimd_misc_parse("DROP_MODE 1", 11, &c), 0);
	assert_int_equal(bf_rshimd_misc_parse("USB_TIMEOUT 0", 13, &c), 0);
	assert_int_equal(bf_rshimd_misc_parse("PEER_MAC 00:1a:ca:ff:ff:03", 26, &c), 0);
	assert_memory_equal(c.mac, "\x00\x1a\xca\xff\xff\x03", 6);
	assert_int_equal(bf_rshimd_misc_parse("PXE_ID 0xdeadbeef", 17, &c), 0);
	assert_true(c.u == 0xdeadbeef);
	assert_int_equal(bf_rshimd_misc_parse("VLAN_ID 10  20", 14, &c), 0);
	assert_int_equal(c.vlan[0], 10);
	assert_int_equal(c.vlan[1], 20);
	assert_int_equal(bf_rshimd_misc_parse("DEBUG_CODE 0x1122334455667788", 29, &c), 0);
	assert_true(c.u == 0x1122334455667788ull);
	assert_int_equal(bf_rshimd_misc_parse("OPN_STR 900-9D3B6-00CV-A", 24, &c), 0);
	assert_string_equal(c.str, "900-9D3B6-00CV-A");
	/* Only the first line counts; trailing blanks are fine. */
	assert_int_equal(bf_rshimd_misc_parse("DISPLAY_LEVEL 1  \r\nDROP_MODE 1\n", 31, &c), 0);
	assert_int_equal(c.key, BF_MISC_DISPLAY_LEVEL);
}

static void misc_parse_hostile(void **state)
{
	static const char *const bad[] = {
		"", "\n", "DISPLAY_LEVEL", "DISPLAY_LEVEL ", "DISPLAY_LEVEL 3", "DISPLAY_LEVEL -1",
		"DISPLAY_LEVEL 1x", "DISPLAY_LEVEL +1", "display_level 1", "NO_SUCH_KEY 1",
		"BOOT_TIMEOUT 99999999999999999999", "USB_TIMEOUT 301", "DROP_MODE 2",
		"PXE_ID 0x100000000", "PXE_ID zz", "PEER_MAC 00:1a:ca:ff:ff", "PEER_MAC 00:1a:ca:ff:ff:01:02",
		"PEER_MAC 001:1a:ca:ff:ff:01", "PEER_MAC gg:1a:ca:ff:ff:01", "VLAN_ID 10", "VLAN_ID 10 70000",
		"VLAN_ID a b", "OPN_STR 12345678901234567", "BOOT_MODE 0x", "SW_RESET -1",
		"DISPLAY_LEVEL\t1\x01", "DEBUG_CODE 0x11223344556677889",
	};
	struct bf_rshimd_misc_cmd c;
	char big[4096];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (bf_rshimd_misc_parse(bad[i], strlen(bad[i]), &c) != -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
	}
	/* A NUL inside the buffer ends the command. */
	assert_int_equal(bf_rshimd_misc_parse("DROP_MODE 1\0garbage", 19, &c), 0);
	/* Huge writes, no newline: refused without reading past len. */
	memset(big, 'A', sizeof(big));
	assert_int_equal(bf_rshimd_misc_parse(big, sizeof(big), &c), -EINVAL);
	memcpy(big, "DROP_MODE 1", 11);
	assert_int_equal(bf_rshimd_misc_parse(big, 11, &c), 0);
	assert_int_equal(bf_rshimd_misc_parse(NULL, 0, &c), -EINVAL);
}

static void ioctl_forms(void **state)
{
	struct bf_rshim_ioc m1 = { .addr = (1u << 16) | 0xc48, .data = 0 };
	struct bf_rshim_ioc2 m2 = { .addr = 0x13000c48, .data = 0x55, .data_size = 8 };
	struct bf_rshimd_ioreq rq;
	uint8_t out[16];

	(void)state;
	/* The numbers bf-reg uses. */
	assert_true(BF_RSHIM_IOC_READ == 0xc00c5200u && BF_RSHIM_IOC_WRITE == 0xc00c5201u);
	assert_true(BF_RSHIM_IOC_READ2 == 0xc00d5200u && BF_RSHIM_IOC_WRITE2 == 0xc00d5201u);
	assert_int_equal(sizeof(m1), 12);
	assert_int_equal(sizeof(m2), 13);
	assert_int_equal(bf_rshimd_ioctl_decode(BF_RSHIM_IOC_READ, &m1, 12, 3, false, &rq), 0);
	assert_false(rq.write);
	assert_int_equal(rq.chan, 1);
	assert_int_equal(rq.off, 0xc48);
	assert_int_equal(rq.size, 8);
	assert_int_equal(rq.msg_len, 12);
	/* v2 on BF3: a linear address (bit 28 set, as bf-reg sends it). */
	assert_int_equal(bf_rshimd_ioctl_decode(BF_RSHIM_IOC_WRITE2, &m2, 13, 3, false, &rq), 0);
	assert_true(rq.write);
	assert_int_equal(rq.chan, 1);
	assert_int_equal(rq.off, 0xc48);
	assert_true(rq.data == 0x55);
	assert_int_equal(rq.msg_len, 13);
	bf_rshimd_ioctl_reply(&m2, &rq, 0x1122334455667788ull, out);
	memcpy(&m2, out, 13);
	assert_true(m2.data == 0x1122334455667788ull);
	assert_int_equal(m2.data_size, 8);
	assert_true(m2.addr == 0x13000c48);
	/* BF2 v2 with bit 28: the channel is masked to 4 bits. */
	m2.addr = 0x10010c28;
	assert_int_equal(bf_rshimd_ioctl_decode(BF_RSHIM_IOC_READ2, &m2, 13, 2, false, &rq), 0);
	assert_int_equal(rq.chan, 1);
	assert_int_equal(rq.off, 0xc28);
	/* v1 masks a BF3 linear address except over USB. */
	m1.addr = 0x13000c48;
	assert_int_equal(bf_rshimd_ioctl_decode(BF_RSHIM_IOC_READ, &m1, 12, 3, true, &rq), 0);
	assert_int_equal(rq.chan, 1);
	assert_int_equal(bf_rshimd_ioctl_decode(BF_RSHIM_IOC_READ, &m1, 12, 3, false, &rq), 0);
	assert_int_equal(rq.chan, 0);   /* 0x1300 & 0xf */
	/* 4-byte access: the half of the 8-byte word. */
	m2.addr = 0x13000c4c;
	m2.data_size = 4;
	m2.data = 0xffffffff12345678ull;
	assert_int_equal(bf_rshimd_ioctl_decode(BF_RSHIM_IOC_WRITE2, &m2, 13, 3, false, &rq), 0);
	assert_int_equal(rq.off, 0xc48);
	assert_int_equal(rq.shift, 32);
	assert_true(rq.data == 0x12345678);
}

static void ioctl_hostile(void **state)
{
	struct bf_rshim_ioc2 m2 = { .addr = 0x13000c48, .data = 0, .data_size = 8 };
	struct bf_rshimd_ioreq rq;
	uint8_t sizes[] = { 0, 1, 2, 3, 5, 7, 9, 16, 255 };
	size_t i;

	(void)state;
	/* Not ours. */
	assert_int_equal(bf_rshimd_ioctl_decode(0x5401 /* TCGETS */, &m2, 13, 3, false, &rq), -ENOTTY);
	assert_int_equal(bf_rshimd_ioctl_decode(0xc00e5200, &m2, 13, 3, false, &rq), -ENOTTY);
	assert_int_equal(bf_rshimd_ioctl_decode(0xc00d5202, &m2, 13, 3, false, &rq), -ENOTTY);
	/* Short or missing buffers. */
	assert_int_equal(bf_rshimd_ioctl_decode(BF_RSHIM_IOC_READ2, &m2, 12, 3, false, &rq), -EINVAL);
	assert_int_equal(bf_rshimd_ioctl_decode(BF_RSHIM_IOC_READ, &m2, 11, 3, false, &rq), -EINVAL);
	assert_int_equal(bf_rshimd_ioctl_decode(BF_RSHIM_IOC_READ2, NULL, 13, 3, false, &rq), -EINVAL);
	/* Sizes other than 4 and 8. */
	for (i = 0; i < sizeof(sizes); i++) {
		m2.data_size = sizes[i];
		assert_int_equal(bf_rshimd_ioctl_decode(BF_RSHIM_IOC_READ2, &m2, 13, 3, false, &rq), -EINVAL);
	}
	/* Misaligned, and addresses that name no register. */
	m2.data_size = 8;
	m2.addr = 0x13000c44;
	assert_int_equal(bf_rshimd_ioctl_decode(BF_RSHIM_IOC_READ2, &m2, 13, 3, false, &rq), -EINVAL);
	m2.data_size = 4;
	m2.addr = 0x13000c46;
	assert_int_equal(bf_rshimd_ioctl_decode(BF_RSHIM_IOC_READ2, &m2, 13, 3, false, &rq), -EINVAL);
	m2.data_size = 8;
	m2.addr = 0xffffffff;
	assert_int_equal(bf_rshimd_ioctl_decode(BF_RSHIM_IOC_READ2, &m2, 13, 3, false, &rq), -EINVAL);
	m2.addr = 0x00ff0000;
	assert_int_equal(bf_rshimd_ioctl_decode(BF_RSHIM_IOC_READ2, &m2, 13, 3, false, &rq), -EINVAL);
	/* An unknown chip. */
	m2.addr = 0x10000;
	assert_int_equal(bf_rshimd_ioctl_decode(BF_RSHIM_IOC_READ2, &m2, 13, 9, false, &rq), -EINVAL);
}

static void conf_keys(void **state)
{
	static const char text[] =
		"# comment\n"
		"DISPLAY_LEVEL 1\n"
		"BOOT_TIMEOUT   600\n"
		"DROP_MODE 1\n"
		"USB_TIMEOUT 0\n"
		"PCIE_RESET_DELAY 3\n"
		"PCIE_HAS_VFIO 0\n"
		"rshim2 pcie-0000:03:00.2\n"
		"none usb-1-3\n"
		"SOMETHING else\n"
		"\n   \n";
	struct bf_rshimd_conf c;
	char warn[512];

	(void)state;
	bf_rshimd_conf_defaults(&c);
	assert_int_equal(c.boot_timeout, 300);
	assert_int_equal(c.drop_mode, -1);
	assert_int_equal(bf_rshimd_conf_parse(&c, text, sizeof(text) - 1, warn, sizeof(warn)), 0);
	assert_int_equal(c.display_level, 1);
	assert_int_equal(c.boot_timeout, 600);
	assert_int_equal(c.drop_mode, 1);
	assert_int_equal(c.usb_timeout, 40);
	assert_int_equal(c.pcie_reset_delay, 3);
	assert_int_equal(c.nmap, 1);
	assert_int_equal(c.map[0].index, 2);
	assert_string_equal(c.map[0].dev, "pcie-0000:03:00.2");
	assert_int_equal(c.nignore, 1);
	assert_non_null(strstr(warn, "line 10: unknown key, ignored: 'SOMETHING'"));
	assert_non_null(strstr(warn, "PCIE_HAS_VFIO"));
	/* Bad values of known keys are errors; a line of NULs and an endless
	 * line are not a crash. */
	bf_rshimd_conf_defaults(&c);
	assert_int_equal(bf_rshimd_conf_parse(&c, "DISPLAY_LEVEL 9\n", 16, NULL, 0), -EINVAL);
	assert_int_equal(bf_rshimd_conf_parse(&c, "rshim64 usb-1\n", 14, NULL, 0), -EINVAL);
	assert_int_equal(bf_rshimd_conf_parse(&c, "rshim1 /dev/sda\n", 16, NULL, 0), -EINVAL);
	{
		char big[5000];

		memset(big, 'B', sizeof(big));
		memcpy(big, "BOOT_TIMEOUT 5", 14);
		big[100] = '\0';
		/* The line runs on past the NUL: "5BBB..." is not a number. */
		assert_int_equal(bf_rshimd_conf_parse(&c, big, sizeof(big), NULL, 0), -EINVAL);
		assert_int_equal(c.boot_timeout, 300);
	}
}

/* refresh.c's daemon half is not under test here. */
int bf_rshimd_dev_switch(struct bf_rshimd_dev *d, const char *name)
{
	(void)d;
	(void)name;
	return -ENOSYS;
}

/* DEV_NAME: the RShim function at the same domain:bus:device. */
static void refresh_pick(void **state)
{
	struct bf_rshim_found f[4];
	struct bf_rshimd_misc_cmd c;
	char out[64];

	(void)state;
	memset(f, 0, sizeof(f));
	snprintf(f[0].name, sizeof(f[0].name), "pcie-lf:0000:03:00.0");
	f[0].livefish = true;
	snprintf(f[1].name, sizeof(f[1].name), "pcie:0000:04:00.1");   /* another device */
	snprintf(f[2].name, sizeof(f[2].name), "pcie:0000:03:00.1");
	assert_int_equal(bf_rshimd_refresh_pick("pcie:0000:03:00.2", f, 3, out, sizeof(out)), 0);
	assert_string_equal(out, "pcie:0000:03:00.1");
	/* Not there any more: neither a livefish function nor another device counts. */
	assert_int_equal(bf_rshimd_refresh_pick("pcie:0000:03:00.2", f, 2, out, sizeof(out)), -ENODEV);
	assert_int_equal(bf_rshimd_refresh_pick("pcie:0000:05:00.2", f, 3, out, sizeof(out)), -ENODEV);
	/* Not a PCIe function name, or a malformed one. */
	assert_int_equal(bf_rshimd_refresh_pick("usb:1-4", f, 3, out, sizeof(out)), -EINVAL);
	assert_int_equal(bf_rshimd_refresh_pick("pcie-lf:0000:03:00.0", f, 3, out, sizeof(out)), -EINVAL);
	assert_int_equal(bf_rshimd_refresh_pick("pcie:03:00.2", f, 3, out, sizeof(out)), -EINVAL);
	/* An answer that does not fit is not cut short. */
	assert_int_equal(bf_rshimd_refresh_pick("pcie:0000:03:00.2", f, 3, out, 10), -ENODEV);
	/* "DEV_NAME" alone is the command; other keys need their value. */
	assert_int_equal(bf_rshimd_misc_parse("DEV_NAME\n", 9, &c), 0);
	assert_int_equal(c.key, BF_MISC_DEV_NAME);
	assert_int_equal(bf_rshimd_misc_parse("BOOT_TIMEOUT\n", 13, &c), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(misc_level0),
		cmocka_unit_test(misc_level1_and_truncation),
		cmocka_unit_test(misc_log_section),
		cmocka_unit_test(misc_parse_keys),
		cmocka_unit_test(misc_parse_hostile),
		cmocka_unit_test(ioctl_forms),
		cmocka_unit_test(ioctl_hostile),
		cmocka_unit_test(conf_keys),
		cmocka_unit_test(refresh_pick),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
