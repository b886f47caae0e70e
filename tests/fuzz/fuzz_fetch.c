/* fuzz_fetch.c - libFuzzer target: what an HTTP server sends the fetch
 * module (src/lib/fetch_http.c, fetch.c): response header lines, one per
 * input line, as libcurl hands them over, and the body of a URL.sha256
 * sidecar. Every field taken comes back terminated within its size and
 * printable; a range is never negative but -1; a digest is 64 lowercase
 * hex digits. Seeds: made in code (bf_fuzz_seed). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fetch_int.h"
#include "smoke.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void printable(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap), i;

	if (n >= cap)
		__builtin_trap();
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			__builtin_trap();
}

static void headers(const uint8_t *data, size_t size)
{
	static struct bf_fetch_xfer x;
	const char *p = (const char *)data, *end = p + size;

	memset(&x, 0, sizeof(x));
	x.range_start = -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		/* libcurl's buffer is not NUL-terminated: a copy of exactly n
		 * bytes lets the sanitizers see a read past it. */
		char *line = malloc(n ? n : 1);

		if (!line)
			return;
		memcpy(line, p, n);
		bf_fetch_parse_header(&x, line, n);
		free(line);
		printable(x.etag, sizeof(x.etag));
		printable(x.last_modified, sizeof(x.last_modified));
		if (x.range_start < -1 || (x.range_start >= 0 && (uint64_t)x.range_start >= x.total))
			__builtin_trap();
		p += n;
	}
}

static void sidecar(const uint8_t *data, size_t size)
{
	char text[BF_FETCH_MEM_MAX + 1], out[65];
	size_t n = size < BF_FETCH_MEM_MAX ? size : BF_FETCH_MEM_MAX, i;

	memcpy(text, data, n);
	text[n] = '\0';
	if (bf_fetch_sidecar_digest(text, out) < 0)
		return;
	for (i = 0; i < 64; i++)
		if (!strchr("0123456789abcdef", out[i]) || !out[i])
			__builtin_trap();
	if (out[64])
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	headers(data, size);
	sidecar(data, size);
	return 0;
}

void bf_fuzz_seed(void)
{
	static const char *const seeds[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nETag: \"64a1-5dc\"\r\n"
		"Last-Modified: Sun, 06 Dec 2026 12:00:00 GMT\r\n\r\n",
		"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 100-4999/5000\r\n"
		"Content-Length: 4900\r\nETag: W/\"x\"\r\n\r\n",
		"HTTP/1.1 302 Found\r\nLocation: https://h/a.bfb\r\nETag: \"old\"\r\n\r\n"
		"HTTP/2 200\r\ncontent-length: 18446744073709551615\r\n"
		"content-range: bytes 9223372036854775808-18446744073709551614/18446744073709551615\r\n",
		"0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdef  a.bfb\n",
		"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
	};
	size_t i;

	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		bf_fuzz_add_seed(seeds[i], strlen(seeds[i]));
}
