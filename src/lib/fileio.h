/* fileio.h - small whole-file reads with a size bound (bf_file_*). */
#ifndef BF_FILEIO_H
#define BF_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Read path into a new NUL-terminated buffer (*buf, free() it) of *len
 * bytes. -EFBIG above max bytes; other failures -errno; sentence set. */
int bf_file_read_all(const char *path, size_t max, char **buf, size_t *len);

/* An input file a command will read later (e.g. a rootfs to push): it
 * opens for reading and is a regular file. 0, or -errno with a sentence
 * naming path ("is a directory", "cannot read"). */
int bf_file_check_input(const char *path);

/* Create a new file for writing: never through a symlink, never an
 * existing file (O_CREAT|O_EXCL|O_NOFOLLOW). With replace, an entry of
 * that name is removed first (unlink does not follow a symlink); if one
 * appears again before the create, it fails rather than use it. The fd,
 * or -errno with a sentence naming path. */
int bf_file_create(const char *path, mode_t mode, bool replace);

/* mkdir -p: each missing directory of path made with mode (existing ones
 * are left as they are). 0 or -errno with a sentence. */
int bf_mkdir_p(const char *path, mode_t mode);

/* write() all of buf, retrying short writes and EINTR. 0 or -errno. */
int bf_file_write_all(int fd, const void *buf, size_t len);

/* Find a data file (e.g. "bfcfg/keys.yaml") in $BFCTL_DATADIR, the installed
 * data directory, or the source tree (running from the build directory).
 * 0 with the path in out, or -ENOENT with a sentence. */
int bf_data_path(const char *rel, char *out, size_t cap);
#endif
