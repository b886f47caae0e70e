/* journal.c - the steps a fleet run completed on one device (journal.h). */
#include "config.h"
#include "journal.h"
#include "error.h"
#include "fileio.h"
#include "log.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define JOURNAL_MAX 65536

static int mkdirs(const char *dir)
{
	char tmp[PATH_MAX], *p;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s", dir) >= sizeof(tmp))
		return -ENAMETOOLONG;
	for (p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
				return -errno;
			*p = '/';
		}
	if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static void load(struct bf_journal *j, const char *key)
{
	struct json_object *o, *v, *s;
	char *buf;
	size_t len, i;

	if (bf_file_read_all(j->path, JOURNAL_MAX, &buf, &len) < 0) {
		bf_error_clear();
		return;
	}
	o = json_tokener_parse(buf);
	free(buf);
	if (!o)
		return;
	if (!json_object_object_get_ex(o, "key", &v) || strcmp(json_object_get_string(v), key)) {
		bf_info("%s: the inputs changed since the journal was written: the device starts over", j->path);
	} else if (json_object_object_get_ex(o, "steps", &s) && json_object_is_type(s, json_type_array)) {
		for (i = 0; i < json_object_array_length(s) && j->n < BF_JOURNAL_STEPS_MAX; i++) {
			const char *name = json_object_get_string(json_object_array_get_idx(s, i));

			if (name && strlen(name) < sizeof(j->steps[0]))
				snprintf(j->steps[j->n++], sizeof(j->steps[0]), "%s", name);
		}
	}
	json_object_put(o);
}

static int save(struct bf_journal *j)
{
	struct json_object *o = json_object_new_object(), *s = json_object_new_array();
	char tmp[PATH_MAX + 8];
	const char *text;
	unsigned i;
	int fd, ret;

	for (i = 0; i < j->n; i++)
		json_object_array_add(s, json_object_new_string(j->steps[i]));
	json_object_object_add(o, "key", json_object_new_string(j->key));
	json_object_object_add(o, "steps", s);
	json_object_object_add(o, "updated", json_object_new_int64((int64_t)time(NULL)));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	snprintf(tmp, sizeof(tmp), "%s.new", j->path);
	fd = bf_file_create(tmp, 0600, true);
	if (fd < 0) {
		json_object_put(o);
		return fd;
	}
	ret = bf_file_write_all(fd, text, strlen(text));
	json_object_put(o);
	if ((fsync(fd) < 0 || close(fd) < 0) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, j->path) < 0)
		ret = -errno;
	if (ret < 0)
		return bf_error_ret(-ret, "cannot write %s: %s", j->path, strerror(-ret));
	return 0;
}

int bf_journal_open(struct bf_journal *j, const char *dir, const char *key, bool resume, bool readonly)
{
	int r;

	memset(j, 0, sizeof(*j));
	j->readonly = readonly;
	if (!readonly && (r = mkdirs(dir)) < 0)
		return bf_error_ret(-r, "cannot create the state directory %s: %s", dir, strerror(-r));
	if ((size_t)snprintf(j->path, sizeof(j->path), "%s/%s", dir, BF_JOURNAL_FILE) >= sizeof(j->path))
		return bf_error_ret(ENAMETOOLONG, "the state directory name is too long");
	snprintf(j->key, sizeof(j->key), "%s", key);
	if (resume)
		load(j, key);
	return readonly ? 0 : save(j);
}

bool bf_journal_done(const struct bf_journal *j, const char *step)
{
	unsigned i;

	for (i = 0; i < j->n; i++)
		if (!strcmp(j->steps[i], step))
			return true;
	return false;
}

int bf_journal_record(struct bf_journal *j, const char *step)
{
	if (bf_journal_done(j, step) || j->readonly)
		return 0;
	if (j->n >= BF_JOURNAL_STEPS_MAX)
		return bf_error_ret(ENOSPC, "%s: too many steps", j->path);
	snprintf(j->steps[j->n++], sizeof(j->steps[0]), "%s", step);
	return save(j);
}
