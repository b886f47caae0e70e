/* dl_ssh.c - libssh, loaded on first use (see dl_ssh.h). */
#include "config.h"
#include "dl_ssh.h"

BF_DL_SSH_SYMS(BF_DL_DEFINE)

static const struct bf_dl_sym syms[] = { BF_DL_SSH_SYMS(BF_DL_ENTRY) };
static struct bf_dl_lib lib = BF_DL_LIB("libssh.so.4", "to reach a DPU over SSH", "libssh-4", syms);

int bf_dl_ssh(void)
{
	return bf_dl_load(&lib);
}
