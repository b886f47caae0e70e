/* dl_ssh.h - libssh, loaded on first use (see dl.h): call
 * bf_dl_ssh() first, then the dl_* pointers. */
#ifndef BF_DL_SSH_H
#define BF_DL_SSH_H

#include <libssh/libssh.h>

#include "dl.h"

#define BF_DL_SSH_SYMS(X) \
	X(ssh_init) X(ssh_new) X(ssh_free) X(ssh_options_set) X(ssh_connect) \
	X(ssh_disconnect) X(ssh_get_error) X(ssh_get_server_publickey) \
	X(ssh_get_publickey_hash) X(ssh_get_fingerprint_hash) X(ssh_clean_pubkey_hash) \
	X(ssh_userauth_publickey) X(ssh_channel_new) X(ssh_channel_free) \
	X(ssh_channel_open_session) X(ssh_channel_request_exec) X(ssh_channel_write) \
	X(ssh_channel_send_eof) X(ssh_channel_read_timeout) X(ssh_channel_read_nonblocking) \
	X(ssh_channel_poll) X(ssh_channel_is_eof) X(ssh_channel_get_exit_status) \
	X(ssh_channel_close) X(ssh_key_free) X(ssh_key_type) X(ssh_pki_generate) \
	X(ssh_pki_import_privkey_file) X(ssh_pki_export_privkey_base64) \
	X(ssh_pki_export_pubkey_base64) X(ssh_string_free_char)

BF_DL_SSH_SYMS(BF_DL_EXTERN)

/* 0, or -ELIBACC with the sentence set (dl.h). */
int bf_dl_ssh(void);

#endif
