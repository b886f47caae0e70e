/* bfb_file.c - streaming BFB operations on files. */
#include "config.h"
#include "bfb_file.h"
#include "bfb.h"
#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int bf_bfb_file_verify(const char *path, struct bf_bfb_summary *sum)
{
	struct bf_bfb_parser p;
	uint8_t *buf;
	ssize_t n;
	int fd, r = 0;

	memset(sum, 0, sizeof(*sum));
	sum->err_id = -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bf_error_ret(errno, "cannot open %s: %s", path, strerror(errno));
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	buf = malloc(BF_BFB_FILE_CHUNK);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	bf_bfb_parser_init(&p, NULL, NULL, 0);
	for (;;) {
		n = read(fd, buf, BF_BFB_FILE_CHUNK);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = bf_error_ret(errno, "read error in %s at offset %llu: %s", path,
					 (unsigned long long)p.offset, strerror(errno));
			break;
		}
		if (n == 0) {
			r = bf_bfb_parser_finish(&p);
			break;
		}
		r = bf_bfb_parser_feed(&p, buf, (size_t)n);
		if (r)
			break;
	}
	sum->nimages = p.nimages;
	sum->bytes = p.offset;
	sum->trailing_bytes = p.trailing_bytes;
	if (r == -EBADMSG) {
		sum->err_offset = p.err_offset;
		sum->err_id = p.err_id;
		if (p.err_id >= 0)
			bf_bfb_image_filename(sum->err_name, sizeof(sum->err_name),
					      (unsigned)p.err_id, p.cur.hdr.cur_ver);
	}
	free(buf);
	close(fd);
	return r;
}
