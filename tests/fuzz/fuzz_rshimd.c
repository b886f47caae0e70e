/* fuzz_rshimd.c - libFuzzer target: what any local process hands rshimd:
 * a misc write (the command parser), an rshim ioctl buffer (the decoder,
 * for each command, chip and backend, and the reply built from it), and
 * the text of rshimd.conf. The first byte picks the ioctl form. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rshim_ioctl.h"
#include "rshimd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned cmds[] = { BF_RSHIM_IOC_READ, BF_RSHIM_IOC_WRITE, BF_RSHIM_IOC_READ2,
					 BF_RSHIM_IOC_WRITE2, 0x5401 /* TCGETS */ };
	static struct bf_rshimd_conf conf;
	struct bf_rshimd_misc_cmd c;
	struct bf_rshimd_ioreq rq;
	char warn[512] = "";
	uint8_t out[16];
	int ver;

	memset(&c, 0, sizeof(c));
	if (bf_rshimd_misc_parse((const char *)data, size, &c) == 0 && strlen(c.str) >= sizeof(c.str))
		__builtin_trap();   /* a parsed string always ends inside its field */
	if (size >= 1) {
		unsigned cmd = cmds[data[0] % (sizeof(cmds) / sizeof(cmds[0]))];

		for (ver = 1; ver <= 3; ver++) {
			if (bf_rshimd_ioctl_decode(cmd, data + 1, size - 1, ver, data[0] & 0x80, &rq) < 0)
				continue;
			if (rq.msg_len > sizeof(out) || rq.msg_len > size - 1 || (rq.size != 4 && rq.size != 8))
				__builtin_trap();   /* what the reply copies stays inside both buffers */
			bf_rshimd_ioctl_reply(data + 1, &rq, rq.data, out);
		}
	}
	bf_rshimd_conf_defaults(&conf);
	bf_rshimd_conf_parse(&conf, (const char *)data, size, warn, sizeof(warn));
	if (strnlen(warn, sizeof(warn)) >= sizeof(warn) || conf.nmap > BF_RSHIMD_MAX_DEVS)
		__builtin_trap();
	return 0;
}
