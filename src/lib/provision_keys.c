/* provision_keys.c - the device's SSH key pair (ed25519, made by libssh,
 * kept 0600 in the device's state directory) and the pinned fingerprint
 * of the DPU's host key (as the RShim log published it at install). */
#include "config.h"
#include "provision_int.h"
#include "dl_ssh.h"
#include "error.h"
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_FILE "id_ed25519"
#define PIN_FILE "hostkey.pin"

static int path_of(const struct bf_prov *p, const char *name, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s/%s", p->state_dir, name);

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

static int write_new(const char *path, mode_t mode, const char *text, bool replace)
{
	int fd = bf_file_create(path, mode, replace), r;

	if (fd < 0)
		return fd;
	r = bf_file_write_all(fd, text, strlen(text));
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

/* The private key file must be ours, a plain file, and unreadable to others. */
static int check_private(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
		return bf_error_ret(EPERM, "%s is not a private key file of this user with mode 0600", path);
	return 0;
}

static int pub_line(struct bf_prov *p, ssh_key key)
{
	char *b64 = NULL, comment[80];
	size_t i;

	if (dl_ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK)
		return -EIO;
	/* The comment names the device, with only harmless characters. */
	snprintf(comment, sizeof(comment), "bfctl@%s", p->o->device);
	for (i = 0; comment[i]; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@:._-", comment[i]))
			comment[i] = '_';
	snprintf(p->pub, sizeof(p->pub), "ssh-ed25519 %s %s", b64, comment);
	dl_ssh_string_free_char(b64);
	return strlen(p->pub) + 1 < sizeof(p->pub) ? 0 : -EOVERFLOW;
}

int bf_prov_keys_ensure(struct bf_prov *p)
{
	char path[4200], pubpath[4200], line[BF_PROV_PUB_MAX + 2];
	ssh_key key = NULL;
	char *b64 = NULL;
	int r;

	if (path_of(p, KEY_FILE, path, sizeof(path)) < 0 || path_of(p, KEY_FILE ".pub", pubpath, sizeof(pubpath)) < 0)
		return bf_prov_fail(p, BF_EXIT_INPUT, -ENAMETOOLONG, NULL, "%s: state directory path too long", p->o->device);
	if ((r = bf_dl_ssh()) < 0)
		return bf_prov_fail(p, BF_EXIT_FAILURE, r, NULL, "%s: %s", p->o->device, bf_error_get());
	if (bf_mkdir_p(p->state_dir, 0700) < 0)
		return bf_prov_fail(p, BF_EXIT_FAILURE, -EIO, "give bfctl a writable state directory (BFCTL_STATE_DIR)",
				    "%s: %s", p->o->device, bf_error_get());
	if (access(path, F_OK) == 0) {
		if (check_private(path) < 0)
			return bf_prov_fail(p, BF_EXIT_INPUT, -EPERM, "chmod 600 it, or remove it and provision with --reinstall",
					    "%s: %s", p->o->device, bf_error_get());
		if (dl_ssh_pki_import_privkey_file(path, NULL, NULL, NULL, &key) != SSH_OK ||
		    dl_ssh_key_type(key) != SSH_KEYTYPE_ED25519) {
			dl_ssh_key_free(key);
			return bf_prov_fail(p, BF_EXIT_INPUT, -EINVAL, "remove it and provision with --reinstall",
					    "%s: %s is not an ed25519 private key", p->o->device, path);
		}
		r = pub_line(p, key);
		dl_ssh_key_free(key);
		return r < 0 ? bf_prov_fail(p, BF_EXIT_FAILURE, r, NULL, "%s: cannot export the public key", p->o->device) : 0;
	}
	if (dl_ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK)
		return bf_prov_fail(p, BF_EXIT_FAILURE, -EIO, NULL, "%s: cannot make an ed25519 key pair", p->o->device);
	r = dl_ssh_pki_export_privkey_base64(key, NULL, NULL, NULL, &b64) == SSH_OK ? 0 : -EIO;
	if (r == 0)
		r = write_new(path, 0600, b64, false);
	if (b64) {
		explicit_bzero(b64, strlen(b64));
		dl_ssh_string_free_char(b64);
	}
	if (r == 0)
		r = pub_line(p, key);
	dl_ssh_key_free(key);
	if (r == 0) {
		snprintf(line, sizeof(line), "%s\n", p->pub);
		r = write_new(pubpath, 0644, line, true);
	}
	if (r < 0)
		return bf_prov_fail(p, BF_EXIT_FAILURE, r, NULL, "%s: cannot store the key pair in %s: %s", p->o->device,
				    p->state_dir, bf_error_str(r));
	bf_prov_info(p, "made the SSH key pair %s (ed25519)", path);
	return 0;
}

bool bf_prov_fp_valid(const char *fp)
{
	size_t i;

	if (strncmp(fp, "SHA256:", 7) || strlen(fp) != 7 + 43)
		return false;
	for (i = 7; fp[i]; i++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", fp[i]))
			return false;
	return true;
}

bool bf_prov_fp_from_log(const char *text, char *fp, size_t cap)
{
	const char *t = strstr(text, BF_PROV_HOSTKEY_TAG);
	char buf[BF_PROV_FP_MAX];
	size_t n;

	if (!t)
		return false;
	t += strlen(BF_PROV_HOSTKEY_TAG);
	n = strcspn(t, " \t\r\n");
	if (n >= sizeof(buf) || n >= cap)
		return false;
	memcpy(buf, t, n);
	buf[n] = '\0';
	if (!bf_prov_fp_valid(buf))
		return false;
	memcpy(fp, buf, n + 1);
	return true;
}

int bf_prov_pin_load(struct bf_prov *p)
{
	char path[4200], *buf = NULL;
	size_t len;
	int r;

	p->fp[0] = '\0';
	if (path_of(p, PIN_FILE, path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	r = bf_file_read_all(path, BF_PROV_FP_MAX, &buf, &len);
	if (r < 0)
		return r;
	buf[strcspn(buf, "\n")] = '\0';
	if (!bf_prov_fp_valid(buf)) {
		free(buf);
		return bf_error_ret(EINVAL, "%s does not hold a SHA256 fingerprint", path);
	}
	snprintf(p->fp, sizeof(p->fp), "%s", buf);
	free(buf);
	return 0;
}

int bf_prov_pin_save(struct bf_prov *p, const char *fp)
{
	char path[4200], line[BF_PROV_FP_MAX + 2];
	int r;

	if (path_of(p, PIN_FILE, path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	snprintf(line, sizeof(line), "%s\n", fp);
	r = write_new(path, 0600, line, true);
	if (r == 0)
		snprintf(p->fp, sizeof(p->fp), "%s", fp);
	return r;
}
