/* cmd_reg.c - bfctl reg: read or write one RShim register (like bf-reg). */
#include "config.h"
#include "chip.h"
#include "cli.h"
#include "commands.h"
#include "error.h"
#include "event.h"
#include "print.h"
#include "rshim.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char reg_usage[] =
	"Usage: bfctl reg --rshim DEV read ADDR[.32|.64]\n"
	"       bfctl reg --rshim DEV write ADDR[.32|.64] VALUE\n"
	"\n"
	"Read or write one register. ADDR is (channel << 16 | offset) as bf-reg\n"
	"takes it (bit 28 may be set), e.g. 0x10c28 (BF2 SCRATCHPAD2), or a BF3\n"
	"linear address such as 0x13000c48. .32 reads the low 32 bits and writes\n"
	"a zero-extended value; the default is .64. VALUE is hex (0x...) or\n"
	"decimal. Output: [0xADDR] -> 0xVALUE (read), [0xADDR] <- 0xVALUE (write).\n"
	"\n"
	"Options:\n"
	"  -r, --rshim DEV  the device (default $BFCTL_RSHIM)\n"
	"      --json       a JSON \"reg\" event\n"
	"  -v, --verbose    more detail\n"
	"  -h, --help       this help\n";

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return (errno || *end) ? -EINVAL : 0;
}

int bf_cmd_reg(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rshim", required_argument, NULL, 'r' }, BF_CLI_LONGOPTS, { 0 } };
	const char *dev = NULL, *op, *dot;
	char addr_s[32];
	uint64_t addr, val = 0;
	uint32_t chan, off;
	struct bf_rshim *r;
	bool write, w32 = false;
	int opt, ret;

	while ((opt = bf_cli_getopt(argc, argv, "+r:" BF_CLI_SHORTOPTS, longopts)) != -1) {
		if (opt == 'r')
			dev = optarg;
		else
			bf_cli_common(opt, reg_usage);
	}
	if (argc - optind < 2)
		bf_cli_usage_error("need read|write and ADDR");
	op = argv[optind];
	write = !strcmp(op, "write");
	if (!write && strcmp(op, "read"))
		bf_cli_usage_error("unknown operation '%s' (read or write)", op);
	if (argc - optind != (write ? 3 : 2))
		bf_cli_usage_error(write ? "write needs ADDR and VALUE" : "read needs only ADDR");
	snprintf(addr_s, sizeof(addr_s), "%s", argv[optind + 1]);
	dot = strchr(addr_s, '.');
	if (dot) {
		if (!strcmp(dot, ".32"))
			w32 = true;
		else if (strcmp(dot, ".64"))
			bf_cli_usage_error("bad access size '%s' (.32 or .64)", dot);
		addr_s[dot - addr_s] = '\0';
	}
	if (parse_u64(addr_s, &addr) < 0 || addr > 0xffffffffull)
		bf_cli_usage_error("bad address '%s'", argv[optind + 1]);
	/* RShim registers are 64-bit words: an address inside one is a mistake. */
	if (addr & 7)
		bf_cli_usage_error("address '%s' is not 8-byte aligned (registers are 64-bit words)",
				   argv[optind + 1]);
	if (write && (parse_u64(argv[optind + 2], &val) < 0 || (w32 && val > 0xffffffffull)))
		bf_cli_usage_error("bad value '%s'", argv[optind + 2]);

	if ((ret = bf_cli_open_rshim(dev, &r)) != 0)
		return ret;
	if (bf_chip_addr_split(r->chip, (uint32_t)addr, &chan, &off) < 0) {
		bf_error_clear();
		ret = bf_cli_fail(BF_EXIT_USAGE, 0, "use (channel << 16 | offset)",
				  "address 0x%" PRIx64 " names no RShim channel on %s", addr, r->chip->name);
		bf_rshim_close(r);
		return ret;
	}
	if (write) {
		ret = bf_rshim_write(r, chan, off, val);
	} else {
		ret = bf_rshim_read(r, chan, off, &val);
		if (w32)
			val &= 0xffffffffull;
	}
	if (ret < 0) {
		ret = bf_cli_fail(bf_cli_exit_for(ret) == BF_EXIT_TIMEOUT ? BF_EXIT_TIMEOUT : BF_EXIT_DEVICE,
				  ret, NULL, "register %s at 0x%" PRIx64 " on %s", op, addr, r->name);
		bf_rshim_close(r);
		return ret;
	}
	bf_print_begin("reg");
	bf_print_string(BF_PRINT_JSON, "op", NULL, op);
	bf_print_uint(BF_PRINT_ANY, "addr", "[0x%08llx] ", addr);
	bf_print_uint(BF_PRINT_JSON, "channel", NULL, chan);
	bf_print_uint(BF_PRINT_JSON, "offset", NULL, off);
	bf_print_uint(BF_PRINT_JSON, "width", NULL, w32 ? 32 : 64);
	bf_print_string(BF_PRINT_TEXT, NULL, "%s ", write ? "<-" : "->");
	bf_print_uint(BF_PRINT_ANY, "value", w32 ? "0x%08llx\n" : "0x%016llx\n", val);
	bf_print_end();
	bf_rshim_close(r);
	return bf_cli_ok();
}
