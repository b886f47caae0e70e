/* test_rlog.c - RShim log record codec: exact header words, text packing,
 * the safe formatter, garbage records. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rlog.h"

static void encode_exact_words(void **state)
{
	uint64_t w[8];
	size_t n;

	(void)state;
	/* " INFO[PSC]: PSC BL1 START": module 6, type 4 (MSG), 2 words. */
	n = bf_rlog_encode_msg(w, 8, BF_RLOG_PSC, BF_RLOG_INFO, "PSC BL1 START", false, 0);
	assert_int_equal(n, 3);
	assert_true(w[0] == 0x6402000000000000ull);
	/* "PSC BL1 " little-endian: byte 0 in bits 7:0 */
	assert_true(w[1] == 0x20314c4220435350ull);
	assert_true(w[1] == ((uint64_t)'P' | (uint64_t)'S' << 8 | (uint64_t)'C' << 16 | (uint64_t)' ' << 24 |
			     (uint64_t)'B' << 32 | (uint64_t)'L' << 40 | (uint64_t)'1' << 48 |
			     (uint64_t)' ' << 56));
	assert_true(w[2] == 0x0000005452415453ull);   /* "START", zero-padded */

	/* module 63:60, type 59:56, len 54:48, arg 47:16, has_arg 15:8, level 7:0 */
	n = bf_rlog_encode_msg(w, 8, BF_RLOG_BL31, BF_RLOG_ERR, "x=%08x", true, 0xdeadbeef);
	assert_int_equal(n, 2);
	assert_true(w[0] == ((4ull << 60) | (4ull << 56) | (1ull << 48) | (0xdeadbeefull << 16) |
			     (1ull << 8) | 2ull));
}

static void encode_bounds(void **state)
{
	uint64_t w[BF_RLOG_MAX_PAYLOAD + 2];
	char big[2000];

	(void)state;
	assert_int_equal(bf_rlog_encode_msg(w, 2, 0, 0, "twelve chars", false, 0), 0);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	/* Longer text is truncated to 126 words. */
	assert_int_equal(bf_rlog_encode_msg(w, BF_RLOG_MAX_PAYLOAD + 2, 0, 0, big, false, 0),
			 BF_RLOG_MAX_PAYLOAD + 1);
	assert_int_equal((w[0] >> 48) & 0x7f, BF_RLOG_MAX_PAYLOAD);
}

static void roundtrip_and_format(void **state)
{
	uint64_t w[8];
	struct bf_rlog_rec rec;
	char line[BF_RLOG_LINE_MAX];
	size_t n;

	(void)state;
	n = bf_rlog_encode_msg(w, 8, BF_RLOG_MISC, BF_RLOG_INFO, "DPU is ready", false, 0);
	assert_int_equal(bf_rlog_decode(w, n, &rec), n);
	assert_false(rec.garbage);
	bf_rlog_format(&rec, line, sizeof(line));
	assert_string_equal(line, " INFO[MISC]: DPU is ready");

	n = bf_rlog_encode_msg(w, 8, BF_RLOG_UEFI, BF_RLOG_WARN, "v=%08x n=%d %%", true, 0xbeef);
	bf_rlog_decode(w, n, &rec);
	bf_rlog_format(&rec, line, sizeof(line));
	assert_string_equal(line, " WARN[UEFI]: v=0000beef n=? %");

	n = bf_rlog_encode_msg(w, 8, BF_RLOG_BL2, BF_RLOG_ERR, "%X|%-6u|%5x", true, 0xab);
	bf_rlog_decode(w, n, &rec);
	bf_rlog_format(&rec, line, sizeof(line));
	assert_string_equal(line, " ERR[BL2]: AB|?     |    ?");
}

static void device_text_is_not_a_format(void **state)
{
	uint64_t w[8];
	struct bf_rlog_rec rec;
	char line[BF_RLOG_LINE_MAX];
	size_t n;

	(void)state;
	/* %s and %n would read or write through a pointer in printf. */
	n = bf_rlog_encode_msg(w, 8, 0, 0, "%s %n %p %d", true, 7);
	bf_rlog_decode(w, n, &rec);
	bf_rlog_format(&rec, line, sizeof(line));
	assert_string_equal(line, " INFO[MISC]: %s %n %p 7");
	/* Without has_arg, % is plain text. */
	n = bf_rlog_encode_msg(w, 8, 0, 0, "100%d", false, 0);
	bf_rlog_decode(w, n, &rec);
	bf_rlog_format(&rec, line, sizeof(line));
	assert_string_equal(line, " INFO[MISC]: 100%d");
}

static void garbage_skipped_and_counted(void **state)
{
	uint64_t ring[32];
	struct bf_rlog_rec rec;
	size_t n = 0, pos = 0, garbage = 0, good = 0;
	char line[BF_RLOG_LINE_MAX];

	(void)state;
	n += bf_rlog_encode_msg(ring + n, 32 - n, BF_RLOG_BL2, 0, "first", false, 0);
	/* unknown type 7 with a 2-word payload: skipped whole */
	ring[n++] = (0xfull << 60) | (7ull << 56) | (2ull << 48) | 0x12;
	ring[n++] = 0x4141414141414141ull;
	ring[n++] = 0x4242424242424242ull;
	n += bf_rlog_encode_msg(ring + n, 32 - n, BF_RLOG_MISC, 0, "second", false, 0);
	/* a length past the end of what was written */
	ring[n++] = (4ull << 56) | (100ull << 48);
	while (pos < n) {
		size_t k = bf_rlog_decode(ring + pos, n - pos, &rec);

		assert_true(k >= 1 && k <= n - pos);
		if (rec.garbage) {
			garbage++;
		} else {
			bf_rlog_format(&rec, line, sizeof(line));
			good++;
			assert_true(strstr(line, good == 1 ? "first" : "second") != NULL);
		}
		pos += k;
	}
	assert_int_equal(good, 2);
	assert_int_equal(garbage, 2);
}

static void control_bytes_and_bad_fields(void **state)
{
	uint64_t w[2];
	struct bf_rlog_rec rec;
	char line[BF_RLOG_LINE_MAX];

	(void)state;
	/* module 15 -> MISC, level 9 -> INFO, newline replaced */
	w[0] = (15ull << 60) | (4ull << 56) | (1ull << 48) | 9;
	w[1] = 0x00000a4b4full;   /* "OK\n" */
	assert_int_equal(bf_rlog_decode(w, 2, &rec), 2);
	bf_rlog_format(&rec, line, sizeof(line));
	assert_string_equal(line, " INFO[MISC]: OK?");
	/* PANIC: PC in the low 32 bits */
	w[0] = (2ull << 60) | (1ull << 56) | 0x80001234ull;
	bf_rlog_decode(w, 1, &rec);
	bf_rlog_format(&rec, line, sizeof(line));
	assert_string_equal(line, " PANIC(BL2): PC = 0x80001234");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encode_exact_words),
		cmocka_unit_test(encode_bounds),
		cmocka_unit_test(roundtrip_and_format),
		cmocka_unit_test(device_text_is_not_a_format),
		cmocka_unit_test(garbage_skipped_and_counted),
		cmocka_unit_test(control_bytes_and_bad_fields),
	};

	return cmocka_run_group_tests_name("rlog", tests, NULL, NULL);
}
