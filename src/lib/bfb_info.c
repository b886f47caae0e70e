/* bfb_info.c - inspecting a BFB: images, trailing data, kind, versions. */
#include "config.h"
#include "bfb_info.h"
#include "bfb_file.h"
#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <json-c/json.h>

static void copy_text(char *dst, size_t cap, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < cap && src[i]; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[i] = '\0';
}

int bf_bfb_info_components(const char *json, size_t len, struct bf_bfb_component *comps,
			   size_t max, size_t *n, const char **why)
{
	struct json_tokener *tok;
	json_object *root, *members;
	size_t i, count;

	*n = 0;
	if (len > BF_BFB_INFO_JSON_MAX) {
		*why = "info image larger than 1 MiB";
		return -EBADMSG;
	}
	tok = json_tokener_new_ex(32);
	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, json, (int)len);
	json_tokener_free(tok);
	if (!root || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		*why = "info image is not a JSON object";
		return -EBADMSG;
	}
	if (!json_object_object_get_ex(root, "Members", &members) ||
	    !json_object_is_type(members, json_type_array)) {
		json_object_put(root);
		*why = "info image has no Members list";
		return -EBADMSG;
	}
	count = json_object_array_length(members);
	for (i = 0; i < count && *n < max; i++) {
		json_object *m = json_object_array_get_idx(members, i), *name, *ver;

		if (!json_object_is_type(m, json_type_object) ||
		    !json_object_object_get_ex(m, "Name", &name) ||
		    !json_object_is_type(name, json_type_string))
			continue;
		copy_text(comps[*n].name, sizeof(comps[*n].name), json_object_get_string(name));
		if (json_object_object_get_ex(m, "Version", &ver) && json_object_is_type(ver, json_type_string))
			copy_text(comps[*n].version, sizeof(comps[*n].version), json_object_get_string(ver));
		else
			comps[*n].version[0] = '\0';
		comps[*n].psid[0] = '\0';
		{
			json_object *oem, *nv, *psid;

			if (json_object_object_get_ex(m, "Oem", &oem) && json_object_is_type(oem, json_type_object) &&
			    json_object_object_get_ex(oem, "Nvidia", &nv) && json_object_is_type(nv, json_type_object) &&
			    json_object_object_get_ex(nv, "PSID", &psid) && json_object_is_type(psid, json_type_string))
				copy_text(comps[*n].psid, sizeof(comps[*n].psid), json_object_get_string(psid));
		}
		(*n)++;
	}
	json_object_put(root);
	return 0;
}

static bool has(const struct bf_bfb_image *im, size_t n, unsigned id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (im[i].hdr.id == id)
			return true;
	return false;
}

const char *bf_bfb_info_kind(const struct bf_bfb_image *im, size_t n,
			     const struct bf_bfb_component *comps, size_t ncomps)
{
	bool os = false;
	size_t i;

	for (i = 0; i < ncomps; i++)
		if (!strcasecmp(comps[i].name, "DOCA") || strstr(comps[i].name, "_OS"))
			os = true;
	if (has(im, n, 63)) {
		/* A BF-FW bundle carries an installer but no OS: its info image
		 * lists no DOCA; DOCA 2.7 bundles have no info image at all. */
		if (ncomps && !os)
			return "fw";
		return has(im, n, 62) ? "full" : "custom";
	}
	if (has(im, n, 52) || has(im, n, 41))
		return "flat";
	if (has(im, n, 1) || has(im, n, 3) || has(im, n, 5) || has(im, n, 30))
		return "boot";
	return "custom";
}

struct info_ctx {
	struct bf_bfb_info *info;
	size_t cap;
};

static int on_begin(void *ctx, const struct bf_bfb_image *img)
{
	struct bf_bfb_info *info = ((struct info_ctx *)ctx)->info;

	if (img->hdr.id == 50 && !info->info_json) {
		if (img->hdr.len > BF_BFB_INFO_JSON_MAX) {
			info->info_overflow = true;
		} else {
			info->info_json = malloc((size_t)img->hdr.len + 1);
			info->info_len = 0;
		}
	}
	return 0;
}

static int on_data(void *ctx, const struct bf_bfb_image *img, const uint8_t *buf, size_t len)
{
	struct bf_bfb_info *info = ((struct info_ctx *)ctx)->info;

	if (img->hdr.id == 50 && info->info_json && info->info_len + len <= img->hdr.len &&
	    !info->ncomps && info->nimages == img->index) {
		memcpy(info->info_json + info->info_len, buf, len);
		info->info_len += len;
	}
	return 0;
}

static int on_end(void *ctx, const struct bf_bfb_image *img)
{
	struct info_ctx *c = ctx;
	struct bf_bfb_info *info = c->info;

	if (info->nimages == BF_BFB_INFO_MAX_IMAGES)
		return bf_error_ret(E2BIG, "more than %d images", BF_BFB_INFO_MAX_IMAGES);
	if (info->nimages == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct bf_bfb_image *n = realloc(info->images, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		info->images = n;
		c->cap = cap;
	}
	info->images[info->nimages++] = *img;
	return 0;
}

static int on_trailing(void *ctx, uint64_t off, const uint8_t *buf, size_t len)
{
	struct bf_bfb_info *info = ((struct info_ctx *)ctx)->info;
	size_t have = strlen(info->trailing_head), i;

	if (!info->trailing_bytes && !have)
		info->trailing_offset = off;
	for (i = 0; i < len && have + 1 < sizeof(info->trailing_head); i++) {
		if (buf[i] == '\n' || buf[i] == '\0') {
			have = sizeof(info->trailing_head);   /* first line done */
			break;
		}
		info->trailing_head[have++] = (buf[i] >= 0x20 && buf[i] < 0x7f) ? (char)buf[i] : '?';
		info->trailing_head[have] = '\0';
	}
	return 0;
}

/* A trailing bf.cfg line that sets a secret (NAME_PASSWORD=..., a seed, a
 * token) keeps its name, never its value. */
static void mask_secret(char *line, size_t cap)
{
	static const char *const secret[] = { "PASSWORD", "SEED", "SECRET", "TOKEN", NULL };
	char name[64], *p = line, *eq;
	size_t i, n;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!strncmp(p, "export ", 7))
		p += 7;
	for (n = 0; (p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= 'a' && p[n] <= 'z') ||
		    (p[n] >= '0' && p[n] <= '9') || p[n] == '_'; n++)
		;
	eq = p + n;
	if (*eq != '=' || n == 0 || n >= sizeof(name))
		return;
	for (i = 0; i < n; i++)
		name[i] = (char)(p[i] >= 'a' && p[i] <= 'z' ? p[i] - 32 : p[i]);
	name[n] = '\0';
	for (i = 0; secret[i]; i++)
		if (strstr(name, secret[i])) {
			snprintf(eq + 1, cap - (size_t)(eq + 1 - line), "xxxxxx");
			return;
		}
}

int bf_bfb_info_read(const char *path, struct bf_bfb_info *info)
{
	static const struct bf_bfb_parser_ops ops = {
		.image_begin = on_begin, .image_data = on_data, .image_end = on_end, .trailing = on_trailing,
	};
	struct info_ctx c = { .info = info };
	struct bf_bfb_parser p;
	uint8_t *buf;
	ssize_t n;
	int fd, r = 0;

	memset(info, 0, sizeof(*info));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bf_error_ret(errno, "cannot open %s: %s", path, strerror(errno));
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	buf = malloc(BF_BFB_FILE_CHUNK);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	bf_bfb_parser_init(&p, &ops, &c, BF_BFB_KEEP_GOING_ON_CRC);
	bf_error_clear();
	for (;;) {
		n = read(fd, buf, BF_BFB_FILE_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = bf_error_ret(errno, "read error in %s: %s", path, strerror(errno));
			break;
		}
		if (n == 0) {
			r = bf_bfb_parser_finish(&p);
			break;
		}
		if ((r = bf_bfb_parser_feed(&p, buf, (size_t)n)) != 0)
			break;
	}
	free(buf);
	close(fd);
	info->size = p.offset;
	info->trailing_bytes = p.trailing_bytes;
	if (r == -EBADMSG) {
		info->status = r;
		snprintf(info->error, sizeof(info->error), "%s", bf_error_or("damaged"));
		r = 0;
	}
	if (r < 0)
		return r;
	if (info->info_overflow) {
		snprintf(info->info_warning, sizeof(info->info_warning), "info image larger than 1 MiB: not read");
	} else if (info->info_json) {
		const char *why = NULL;

		info->info_json[info->info_len] = '\0';
		if (bf_bfb_info_components(info->info_json, info->info_len, info->comps,
					   BF_BFB_INFO_MAX_COMPS, &info->ncomps, &why) < 0)
			snprintf(info->info_warning, sizeof(info->info_warning), "%s", why);
	}
	info->kind = bf_bfb_info_kind(info->images, info->nimages, info->comps, info->ncomps);
	mask_secret(info->trailing_head, sizeof(info->trailing_head));
	return 0;
}

void bf_bfb_info_free(struct bf_bfb_info *info)
{
	free(info->images);
	free(info->info_json);
	info->images = NULL;
	info->info_json = NULL;
}
