/* state.c - the record of created objects (see state.h). */
#include "config.h"
#include "state.h"
#include "error.h"
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int bf_agent_state_parse(const char *buf, size_t len, struct bf_agent_record *rec)
{
	struct json_tokener *tok;
	struct json_object *root, *items;
	size_t i;
	int r = 0;

	if (len > BF_AGENT_STATE_MAX)
		return bf_error_ret(EFBIG, "the state file is larger than %u bytes", BF_AGENT_STATE_MAX);
	tok = json_tokener_new_ex(8);
	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, buf, (int)len);
	if (!root || !json_object_is_type(root, json_type_object) || !json_object_object_get_ex(root, "created", &items) ||
	    !json_object_is_type(items, json_type_array)) {
		r = bf_error_ret(EBADMSG, "the state file is not a bfagent state (an object with a \"created\" list)");
		goto out;
	}
	for (i = 0; i < json_object_array_length(items); i++) {
		struct json_object *it = json_object_array_get_idx(items, i);
		const char *s, *colon;
		char kind[16];

		if (!json_object_is_type(it, json_type_string) || json_object_get_string_len(it) > 160 ||
		    !(colon = strchr((s = json_object_get_string(it)), ':')) || colon == s || colon - s >= 16) {
			r = bf_error_ret(EBADMSG, "entry %zu of the state file is not KIND:ID", i);
			goto out;
		}
		snprintf(kind, sizeof(kind), "%.*s", (int)(colon - s), s);
		if ((r = bf_agent_record_add(rec, kind, colon + 1)) < 0) {
			bf_error_set("the state file has more than %d entries", BF_AGENT_MAX_RECORD);
			goto out;
		}
	}
out:
	json_object_put(root);
	json_tokener_free(tok);
	if (r < 0)
		bf_agent_record_free(rec);
	return r;
}

int bf_agent_state_load(const char *path, struct bf_agent_record *rec)
{
	char *buf;
	size_t len;
	int r;

	rec->n = 0;
	r = bf_file_read_all(path, BF_AGENT_STATE_MAX, &buf, &len);
	if (r == -ENOENT) {
		bf_error_clear();
		return 0;
	}
	if (r < 0)
		return r;
	r = bf_agent_state_parse(buf, len, rec);
	free(buf);
	if (r < 0)
		bf_error_set("%s: %s (move it away to start afresh)", path, bf_error_or("damaged"));
	return r;
}

static int mkdir_parent(const char *path)
{
	char dir[4096], *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = 0;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int bf_agent_state_save(const char *path, const struct bf_agent_record *rec, const char *profile)
{
	struct json_object *root = json_object_new_object(), *items = json_object_new_array();
	char tmp[4200];
	const char *s;
	size_t i;
	int fd, r;

	json_object_object_add(root, "version", json_object_new_int(1));
	json_object_object_add(root, "profile", json_object_new_string(profile ? profile : ""));
	for (i = 0; i < rec->n; i++)
		json_object_array_add(items, json_object_new_string(rec->items[i]));
	json_object_object_add(root, "created", items);
	s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY);
	if ((r = mkdir_parent(path)) < 0) {
		json_object_put(root);
		return bf_error_ret(-r, "cannot make the directory of %s: %s", path, strerror(-r));
	}
	snprintf(tmp, sizeof(tmp), "%s.new.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = errno;
		json_object_put(root);
		return bf_error_ret(r, "cannot create %s: %s", tmp, strerror(r));
	}
	r = bf_file_write_all(fd, s, strlen(s));
	if (r == 0)
		r = bf_file_write_all(fd, "\n", 1);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	close(fd);
	json_object_put(root);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return bf_error_ret(-r, "cannot write %s: %s", path, strerror(-r));
	}
	return 0;
}
