/* escape.h - file and device text made safe for a terminal and for JSON
 * (bf_escape_*, bf_utf8_*).
 *
 * Anything read from a file (bf.cfg, a BFB's trailing data, a firmware
 * image) or from a device (the RShim log, firmware strings) is hostile: it
 * may hold control characters (CR, ESC sequences that move the cursor or
 * retitle the terminal) and bytes that are not UTF-8.
 *
 * Text (terminal) scheme, bf_escape_text(): printable UTF-8 passes as is;
 * \n, \r and \t become the two characters "\n", "\r", "\t"; every other C0
 * control character and DEL becomes "\xNN"; a C1 control character
 * (U+0080..U+009F, which some terminals obey as ESC sequences) becomes
 * "\u00NN"; a byte that does not start a valid UTF-8 sequence (overlong
 * forms, surrogates and code points above U+10FFFF are not valid) becomes
 * "\xNN". Backslashes are left alone.
 *
 * JSON scheme, bf_escape_json(): a JSON string that is always valid UTF-8:
 * '"' and '\' escaped, control characters (C0, DEL, C1) as \b \f \n \r \t or
 * \u00NN, valid UTF-8 as is, and each byte that is not part of a valid
 * UTF-8 sequence as the character with the same number in Latin-1, written
 * \u00NN (0x80..0xff): a Latin-1 bf.cfg reads right, and the bytes can be
 * recovered.
 */
#ifndef BF_ESCAPE_H
#define BF_ESCAPE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The length (1-4) of the valid UTF-8 sequence at s (n bytes available),
 * its code point in *cp; 0 when s[0] does not start one. n > 0. */
size_t bf_utf8_seq(const unsigned char *s, size_t n, uint32_t *cp);

/* Escape src (NUL-terminated) for a terminal into dst (len bytes, always
 * NUL-terminated when len > 0, never cut inside an escape). Returns the
 * length the whole escaped text needs (as snprintf). */
size_t bf_escape_text(char *dst, size_t len, const char *src);

/* Write src escaped for a terminal to f. */
void bf_escape_text_fputs(const char *src, FILE *f);

/* The same for text made of lines (a log): each line escaped, its '\n'
 * kept. */
void bf_escape_lines_fputs(const char *src, FILE *f);

/* Append src (n bytes) as a JSON string literal, quotes included, to f. */
void bf_escape_json(FILE *f, const char *src, size_t n);

#endif
