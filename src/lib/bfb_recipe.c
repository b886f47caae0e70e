/* bfb_recipe.c - generated image content for pack manifests. */
#include "config.h"
#include "bfb_recipe.h"
#include "dl_archive.h"
#include "error.h"
#include "xorshift.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>

#define FILL_CHUNK  (1u << 20)
#define MAX_GEN_LEN (4ull << 30)   /* one image is at most 4 GiB */
#define MAX_CPIO_FILES 256

int bf_bfb_pack_set_param(struct bf_bfb_pack *p, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t i, klen;

	if (!eq || eq == kv)
		return bf_error_ret(EINVAL, "parameter '%s' is not KEY=VALUE", kv);
	klen = (size_t)(eq - kv);
	for (i = 0; i < klen; i++)
		if (!(kv[i] == '_' || (kv[i] >= 'a' && kv[i] <= 'z') || (kv[i] >= 'A' && kv[i] <= 'Z') ||
		      (i && kv[i] >= '0' && kv[i] <= '9')))
			return bf_error_ret(EINVAL, "parameter name '%.*s' is not [A-Za-z_][A-Za-z0-9_]*",
					    (int)klen, kv);
	for (i = 0; i < p->nparams; i++)
		if (strlen(p->param_key[i]) == klen && !strncmp(p->param_key[i], kv, klen))
			return 0;   /* the first setting wins: --param before defaults */
	if (p->nparams == BF_BFB_PACK_MAX_PARAMS)
		return bf_error_ret(E2BIG, "more than %d parameters", BF_BFB_PACK_MAX_PARAMS);
	p->param_key[p->nparams] = strndup(kv, klen);
	p->param_val[p->nparams] = strdup(eq + 1);
	if (!p->param_key[p->nparams] || !p->param_val[p->nparams])
		return -ENOMEM;
	p->nparams++;
	return 0;
}

int bf_bfb_recipe_subst(struct bf_bfb_pack *p, const char *in, char *out, size_t cap)
{
	size_t o = 0;

	while (*in) {
		const char *v = NULL;

		if (in[0] == '$' && in[1] == '{') {
			const char *end = strchr(in + 2, '}');
			size_t i, klen;

			if (!end)
				return bf_error_ret(EINVAL, "unterminated ${ in '%.40s'", in);
			klen = (size_t)(end - in - 2);
			for (i = 0; i < p->nparams; i++)
				if (strlen(p->param_key[i]) == klen && !strncmp(p->param_key[i], in + 2, klen)) {
					v = p->param_val[i];
					p->param_used[i] = true;
				}
			if (!v)
				return bf_error_ret(EINVAL, "unknown parameter ${%.*s}", (int)klen, in + 2);
			if (o + strlen(v) >= cap)
				return bf_error_ret(EINVAL, "a string is longer than %zu bytes after substitution", cap);
			memcpy(out + o, v, strlen(v));
			o += strlen(v);
			in = end + 1;
			continue;
		}
		if (o + 1 >= cap)
			return bf_error_ret(EINVAL, "a string is longer than %zu bytes", cap);
		out[o++] = *in++;
	}
	out[o] = '\0';
	return 0;
}

int bf_bfb_recipe_size(const char *s, uint64_t *bytes)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	if (*s < '0' || *s > '9')
		return bf_error_ret(EINVAL, "bad size '%s'", s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return bf_error_ret(EINVAL, "bad size '%s'", s);
	if (!strcmp(end, "KiB"))
		mul = 1ull << 10;
	else if (!strcmp(end, "MiB"))
		mul = 1ull << 20;
	else if (!strcmp(end, "GiB"))
		mul = 1ull << 30;
	else if (*end)
		return bf_error_ret(EINVAL, "bad size '%s' (bytes, KiB, MiB or GiB)", s);
	if (v > MAX_GEN_LEN / mul || v * mul > MAX_GEN_LEN - 1)
		return bf_error_ret(EFBIG, "size '%s' is above the 4 GiB image limit", s);
	*bytes = v * mul;
	return 0;
}

int bf_bfb_recipe_tmpfile(struct bf_bfb_pack *p, char *out, size_t cap)
{
	if (!p->tmpdir[0]) {
		snprintf(p->tmpdir, sizeof(p->tmpdir), "%s/bfctl-pack.XXXXXX",
			 getenv("TMPDIR") && strlen(getenv("TMPDIR")) < 40 ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(p->tmpdir)) {
			p->tmpdir[0] = '\0';
			return bf_error_ret(errno, "cannot create a temporary directory: %s", strerror(errno));
		}
	}
	if ((size_t)snprintf(out, cap, "%s/gen-%u", p->tmpdir, p->ngen++) >= cap)
		return -ENAMETOOLONG;
	return 0;
}

void bf_bfb_recipe_cleanup(struct bf_bfb_pack *p)
{
	unsigned i;
	char path[PATH_MAX];

	if (!p->tmpdir[0])
		return;
	for (i = 0; i < p->ngen; i++) {
		snprintf(path, sizeof(path), "%s/gen-%u", p->tmpdir, i);
		unlink(path);
	}
	rmdir(p->tmpdir);
	p->tmpdir[0] = '\0';
}

static void xorshift_fill(uint8_t *b, size_t n, uint64_t *x)
{
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		bf_xorshift64(x);
		memcpy(b + i, x, 8);
	}
	for (; i < n; i++)
		b[i] = (uint8_t)(*x >> (8 * (i & 7)));
}

int bf_bfb_recipe_fill(const char *path, uint64_t len, uint64_t seed)
{
	uint8_t *buf = malloc(FILL_CHUNK);
	uint64_t x = seed ? seed : 1, done = 0;
	int fd, r = 0;

	if (!buf)
		return -ENOMEM;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(buf);
		return bf_error_ret(errno, "cannot write %s: %s", path, strerror(errno));
	}
	while (done < len && r == 0) {
		size_t n = len - done < FILL_CHUNK ? (size_t)(len - done) : FILL_CHUNK;

		xorshift_fill(buf, n, &x);
		if (write(fd, buf, n) != (ssize_t)n)
			r = bf_error_ret(errno ? errno : EIO, "cannot write %s", path);
		done += n;
	}
	if (close(fd) < 0 && r == 0)
		r = -errno;
	free(buf);
	return r;
}

static int str_param(struct bf_bfb_pack *p, yaml_document_t *d, yaml_node_t *map, const char *key,
		     char *out, size_t cap, bool required)
{
	const char *v = bf_bfb_yaml_scalar(d, bf_bfb_yaml_get(d, map, key));

	if (!v) {
		if (required)
			return bf_error_ret(EINVAL, "missing '%s'", key);
		out[0] = '\0';
		return 0;
	}
	return bf_bfb_recipe_subst(p, v, out, cap);
}

int bf_bfb_recipe_info(struct bf_bfb_pack *p, yaml_document_t *d, yaml_node_t *spec, const char *path)
{
	yaml_node_t *members = bf_bfb_yaml_get(d, spec, "members");
	json_object *root, *arr;
	yaml_node_item_t *it;
	unsigned i = 0;
	int r = 0;

	if (!members || members->type != YAML_SEQUENCE_NODE)
		return bf_error_ret(EINVAL, "info: 'members' must be a list");
	root = json_object_new_object();
	arr = json_object_new_array();
	json_object_object_add(root, "//", json_object_new_string(
		"This JSON represents a Redfish Software Inventory collection containing multiple software components."));
	json_object_object_add(root, "@odata.type",
		json_object_new_string("#SoftwareInventoryCollection.SoftwareInventoryCollection"));
	json_object_object_add(root, "@odata.id", json_object_new_string("/redfish/v1/UpdateService/SoftwareInventory"));
	json_object_object_add(root, "Name", json_object_new_string("BFB File Content"));
	for (it = members->data.sequence.items.start; r == 0 && it < members->data.sequence.items.top; it++, i++) {
		yaml_node_t *m = yaml_document_get_node(d, *it);
		char name[256], ver[256], sid[256], psid[64], id[16], oid[96];
		json_object *o;

		if ((r = str_param(p, d, m, "name", name, sizeof(name), true)) < 0 ||
		    (r = str_param(p, d, m, "version", ver, sizeof(ver), true)) < 0 ||
		    (r = str_param(p, d, m, "software_id", sid, sizeof(sid), false)) < 0 ||
		    (r = str_param(p, d, m, "psid", psid, sizeof(psid), false)) < 0)
			break;
		snprintf(id, sizeof(id), "%u", i);
		snprintf(oid, sizeof(oid), "/redfish/v1/UpdateService/SoftwareInventory/%u", i);
		o = json_object_new_object();
		json_object_object_add(o, "@odata.id", json_object_new_string(oid));
		json_object_object_add(o, "Id", json_object_new_string(id));
		json_object_object_add(o, "Name", json_object_new_string(name));
		json_object_object_add(o, "Version", json_object_new_string(ver));
		json_object_object_add(o, "SoftwareId", json_object_new_string(sid));
		if (*psid) {   /* the PSID the NIC firmware is for */
			json_object *oem = json_object_new_object(), *nv = json_object_new_object();

			json_object_object_add(nv, "PSID", json_object_new_string(psid));
			json_object_object_add(oem, "Nvidia", nv);
			json_object_object_add(o, "Oem", oem);
		}
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "Members", arr);
	json_object_object_add(root, "Members@odata.count", json_object_new_int((int)i));
	if (r == 0 && json_object_to_file_ext(path, root, JSON_C_TO_STRING_PRETTY) < 0)
		r = bf_error_ret(EIO, "cannot write %s", path);
	json_object_put(root);
	return r;
}

static bool safe_rel_path(const char *s)
{
	const char *c = s;

	if (!*s || *s == '/' || strlen(s) > 255)
		return false;
	while (*c) {
		const char *slash = strchr(c, '/');
		size_t n = slash ? (size_t)(slash - c) : strlen(c);

		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += n + (slash ? 1 : 0);
	}
	return true;
}

static int cpio_entry(struct archive *a, const char *name, const uint8_t *data, uint64_t len,
		      bool gen, uint64_t seed, const char *src)
{
	struct archive_entry *e = dl_archive_entry_new();
	uint8_t *buf = NULL;
	uint64_t x = seed ? seed : 1, done = 0;
	int r = 0, fd = -1;

	dl_archive_entry_set_pathname(e, name);
	dl_archive_entry_set_filetype(e, AE_IFREG);
	dl_archive_entry_set_perm(e, 0644);
	dl_archive_entry_set_size(e, (la_int64_t)len);
	dl_archive_entry_set_mtime(e, 1714521600, 0);   /* fixed: reproducible bundles */
	if (dl_archive_write_header(a, e) != ARCHIVE_OK)
		r = bf_error_ret(EIO, "initramfs: %s", dl_archive_error_string(a));
	if (r == 0 && data && len && dl_archive_write_data(a, data, (size_t)len) != (la_ssize_t)len)
		r = bf_error_ret(EIO, "initramfs: %s", dl_archive_error_string(a));
	if (r == 0 && (gen || src)) {
		buf = malloc(FILL_CHUNK);
		if (src && (fd = open(src, O_RDONLY | O_CLOEXEC)) < 0)
			r = bf_error_ret(errno, "cannot read %s: %s", src, strerror(errno));
		while (r == 0 && buf && done < len) {
			size_t n = len - done < FILL_CHUNK ? (size_t)(len - done) : FILL_CHUNK;

			if (gen)
				xorshift_fill(buf, n, &x);
			else if (read(fd, buf, n) != (ssize_t)n)
				r = bf_error_ret(EIO, "%s changed while packing", src);
			if (r == 0 && dl_archive_write_data(a, buf, n) != (la_ssize_t)n)
				r = bf_error_ret(EIO, "initramfs: %s", dl_archive_error_string(a));
			done += n;
		}
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	dl_archive_entry_free(e);
	return r;
}

int bf_bfb_recipe_initramfs(struct bf_bfb_pack *p, yaml_document_t *d, yaml_node_t *spec,
			    const char *base_dir, const char *path)
{
	yaml_node_t *files = bf_bfb_yaml_get(d, spec, "files");
	yaml_node_item_t *it;
	struct archive *a;
	unsigned count = 0;
	int r = 0;

	if (!files || files->type != YAML_SEQUENCE_NODE)
		return bf_error_ret(EINVAL, "initramfs: 'files' must be a list");
	if ((r = bf_dl_archive()) < 0)
		return r;
	a = dl_archive_write_new();
	dl_archive_write_set_format_cpio_newc(a);
	dl_archive_write_add_filter_gzip(a);
	dl_archive_write_set_filter_option(a, "gzip", "compression-level", "1");
	dl_archive_write_set_filter_option(a, "gzip", "timestamp", NULL);
	if (dl_archive_write_open_filename(a, path) != ARCHIVE_OK) {
		r = bf_error_ret(EIO, "cannot write %s: %s", path, dl_archive_error_string(a));
		dl_archive_write_free(a);
		return r;
	}
	for (it = files->data.sequence.items.start; r == 0 && it < files->data.sequence.items.top; it++) {
		yaml_node_t *f = yaml_document_get_node(d, *it), *fill;
		char fpath[256], text[BF_BFB_RECIPE_STR_MAX], size[64], src[PATH_MAX], rel[PATH_MAX];
		uint64_t len = 0;

		if (++count > MAX_CPIO_FILES) {
			r = bf_error_ret(E2BIG, "initramfs: more than %d files", MAX_CPIO_FILES);
			break;
		}
		if ((r = str_param(p, d, f, "path", fpath, sizeof(fpath), true)) < 0)
			break;
		if (!safe_rel_path(fpath)) {
			r = bf_error_ret(EINVAL, "initramfs: path '%s' must be relative, without '.' or '..'", fpath);
			break;
		}
		fill = bf_bfb_yaml_get(d, f, "fill");
		if (bf_bfb_yaml_get(d, f, "text")) {
			if ((r = str_param(p, d, f, "text", text, sizeof(text), true)) == 0)
				r = cpio_entry(a, fpath, (const uint8_t *)text, strlen(text), false, 0, NULL);
		} else if (fill) {
			const char *seed = bf_bfb_yaml_scalar(d, bf_bfb_yaml_get(d, fill, "seed"));

			if ((r = str_param(p, d, fill, "size", size, sizeof(size), true)) == 0 &&
			    (r = bf_bfb_recipe_size(size, &len)) == 0)
				r = cpio_entry(a, fpath, NULL, len, true, seed ? strtoull(seed, NULL, 0) : 1, NULL);
		} else if (bf_bfb_yaml_get(d, f, "file")) {
			struct stat st;

			if ((r = str_param(p, d, f, "file", rel, sizeof(rel), true)) < 0)
				break;
			if ((size_t)snprintf(src, sizeof(src), "%s/%s", rel[0] == '/' ? "" : base_dir, rel) >= sizeof(src)) {
				r = -ENAMETOOLONG;
				break;
			}
			if (stat(src, &st) < 0) {
				r = bf_error_ret(errno, "cannot read %s: %s", src, strerror(errno));
				break;
			}
			r = cpio_entry(a, fpath, NULL, (uint64_t)st.st_size, false, 0, src);
		} else {
			r = bf_error_ret(EINVAL, "initramfs: '%s' needs text, fill or file", fpath);
		}
	}
	if (dl_archive_write_close(a) != ARCHIVE_OK && r == 0)
		r = bf_error_ret(EIO, "cannot finish %s: %s", path, dl_archive_error_string(a));
	dl_archive_write_free(a);
	return r;
}
