/* statedir.c - a device's state directory (statedir.h). */
#include "config.h"
#include "statedir.h"
#include "error.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static bool kept(unsigned char c, size_t pos)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')
		return true;
	return c == '.' && pos > 0;
}

static size_t width(unsigned char c, size_t pos)
{
	return kept(c, pos) || c == ':' ? 1 : 3;
}

int bf_statedir_name(const char *device, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, n = 0, len = 0;

	if (!device || !*device)
		return bf_error_ret(EINVAL, "an empty device name has no state directory");
	for (i = 0; device[i]; i++)
		len += width((unsigned char)device[i], i);
	if (len > BF_STATEDIR_NAME_MAX || len >= cap)
		return bf_error_ret(ENAMETOOLONG, "the device name is too long for a state directory "
				    "(%zu bytes once encoded, at most %d)", len,
				    cap && cap - 1 < BF_STATEDIR_NAME_MAX ? (int)(cap - 1) : BF_STATEDIR_NAME_MAX);
	for (i = 0; device[i]; i++) {
		unsigned char c = (unsigned char)device[i];

		if (width(c, i) == 1) {
			out[n++] = c == ':' ? '_' : (char)c;
		} else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = '\0';
	return 0;
}

int bf_statedir_path(const char *root, const char *device, char *out, size_t cap)
{
	char name[BF_STATEDIR_NAME_MAX + 1];
	int r, n;

	if ((r = bf_statedir_name(device, name, sizeof(name))) < 0)
		return r;
	if (!root || !*root)
		root = getenv("BFCTL_STATE_DIR");
	if (!root || !*root)
		root = "/var/lib/bfctl";
	n = snprintf(out, cap, "%s/%s", root, name);
	if (n < 0 || (size_t)n >= cap)
		return bf_error_ret(ENAMETOOLONG, "the state directory path under %s is too long (%d bytes, at most %zu)",
				    root, n, cap ? cap - 1 : 0);
	return 0;
}
