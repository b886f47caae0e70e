/* bfb_file.h - BFB operations on files: verify (bf_bfb_file_*). */
#ifndef BF_BFB_FILE_H
#define BF_BFB_FILE_H

#include <stdbool.h>
#include <stdint.h>

struct bf_bfb_summary {
	unsigned nimages;
	uint64_t bytes;           /* bytes read */
	uint64_t trailing_bytes;  /* after the last image */
	/* On -EBADMSG: where the first bad header or image starts. */
	uint64_t err_offset;
	int err_id;               /* -1 if the header itself was unreadable */
	char err_name[48];        /* "bl31-v0" */
};

/* Streaming, constant-memory check of every header and CRC.
 * 0, -EBADMSG (reason in bf_error_get(), location in sum) or -errno. */
int bf_bfb_file_verify(const char *path, struct bf_bfb_summary *sum);

/* Read size used for streaming file access. */
#define BF_BFB_FILE_CHUNK (1u << 20)

#endif

/* Write one file per image into dir, named "<name>-v<N>" from our id table
 * ("image_id_<n>-v<N>" for unknown ids; a repeated id and version gets
 * ".1", ".2"...), and trailing data as "trailing.bin". The bundle is
 * verified first: a damaged one writes nothing. Existing files are refused
 * (-EEXIST) unless force; symlinks are never followed. */
int bf_bfb_file_unpack(const char *path, const char *dir, bool force, unsigned *nfiles);
