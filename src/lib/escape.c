/* escape.c - terminal and JSON escaping of untrusted text (schemes in escape.h). */
#include "config.h"
#include "escape.h"

#include <string.h>

size_t bf_utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2; c = s[0] & 0x1f; min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3; c = s[0] & 0x0f; min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4; c = s[0] & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* The escape of one character for a terminal, or NULL to copy it as is. */
static const char *text_escape(const unsigned char *s, size_t n, size_t *used, char tmp[8])
{
	uint32_t c;
	size_t l = bf_utf8_seq(s, n, &c);

	*used = l ? l : 1;
	if (!l) {
		snprintf(tmp, 8, "\\x%02x", s[0]);
		return tmp;
	}
	switch (c) {
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	default: break;
	}
	if (c < 0x20 || c == 0x7f) {
		snprintf(tmp, 8, "\\x%02x", (unsigned)c);
		return tmp;
	}
	if (c >= 0x80 && c <= 0x9f) {
		snprintf(tmp, 8, "\\u%04x", (unsigned)c);
		return tmp;
	}
	return NULL;
}

size_t bf_escape_text(char *dst, size_t len, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = strlen(src), need = 0, out = 0, used, k;
	int full = 0;
	char tmp[8];

	while (n) {
		const char *e = text_escape(s, n, &used, tmp);

		k = e ? strlen(e) : used;
		if (!full && out + k < len) {
			memcpy(dst + out, e ? e : (const char *)s, k);
			out += k;
		} else {
			full = 1;
		}
		need += k;
		s += used;
		n -= used;
	}
	if (len)
		dst[out] = '\0';
	return need;
}

void bf_escape_text_fputs(const char *src, FILE *f)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = strlen(src), used;
	char tmp[8];

	while (n) {
		const char *e = text_escape(s, n, &used, tmp);

		if (e)
			fputs(e, f);
		else
			fwrite(s, 1, used, f);
		s += used;
		n -= used;
	}
}

void bf_escape_lines_fputs(const char *src, FILE *f)
{
	char line[512];
	const char *nl;
	size_t n;

	while (*src) {
		nl = strchr(src, '\n');
		n = nl ? (size_t)(nl - src) : strlen(src);
		while (n) {
			size_t k = n < sizeof(line) - 1 ? n : sizeof(line) - 1;

			/* Cut between characters: a piece never ends inside a
			 * UTF-8 sequence that continues in the next one. */
			while (k < n && k > 1 && ((unsigned char)src[k] & 0xc0) == 0x80)
				k--;
			memcpy(line, src, k);
			line[k] = '\0';
			bf_escape_text_fputs(line, f);
			src += k;
			n -= k;
		}
		if (!nl)
			break;
		fputc('\n', f);
		src = nl + 1;
	}
}

void bf_escape_json(FILE *f, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	uint32_t c;
	size_t l;

	fputc('"', f);
	while (n) {
		l = bf_utf8_seq(s, n, &c);
		if (!l) {
			c = s[0];    /* Latin-1: the byte is the code point */
			l = 1;
		}
		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (c < 0x20 || (c >= 0x7f && c <= 0xff && (c <= 0x9f || l == 1)))
				fprintf(f, "\\u%04x", (unsigned)c);
			else
				fwrite(s, 1, l, f);
		}
		s += l;
		n -= l;
	}
	fputc('"', f);
}
