/* rlog.h - RShim log records (bf_rlog_*): encode (DPU side: firmware and
 * the installer's bfrshlog) and decode (host side). Pure buffer functions.
 * Facts: doc/rshim.md section 5, doc/bfcfg.md (messages).
 *
 * Header word (64-bit LE): 63:60 module, 59:56 type, 54:48 payload length
 * in words, 47:16 argument, 15:8 has_arg, 7:0 level (MSG); 31:0 PC or
 * syndrome (PANIC / EXCEPTION).
 */
#ifndef BF_RLOG_H
#define BF_RLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BF_RLOG_RING_WORDS  127    /* scratch buffer, headers included */
#define BF_RLOG_MAX_PAYLOAD 126    /* words of one message */
#define BF_RLOG_TEXT_MAX    (BF_RLOG_MAX_PAYLOAD * 8 + 1)
#define BF_RLOG_LINE_MAX    (BF_RLOG_TEXT_MAX + 64)

enum bf_rlog_module { BF_RLOG_MISC, BF_RLOG_BL1, BF_RLOG_BL2, BF_RLOG_BL2R, BF_RLOG_BL31,
		      BF_RLOG_UEFI, BF_RLOG_PSC, BF_RLOG_NMODULES };
enum bf_rlog_type { BF_RLOG_T_UNKNOWN = 0, BF_RLOG_T_PANIC = 1, BF_RLOG_T_EXCEPTION = 2,
		    BF_RLOG_T_MSG = 4 };
enum bf_rlog_level { BF_RLOG_INFO, BF_RLOG_WARN, BF_RLOG_ERR, BF_RLOG_ASSERT };

struct bf_rlog_rec {
	uint64_t header;
	unsigned module;       /* clamped: out of range reads as MISC */
	unsigned type;
	unsigned level;        /* clamped: out of range reads as INFO */
	bool has_arg;
	uint32_t arg;          /* MSG argument, or PC / syndrome */
	bool garbage;          /* unknown type or payload past the ring's end */
	char text[BF_RLOG_TEXT_MAX];   /* MSG payload, NUL-terminated; control bytes replaced */
	unsigned npairs;       /* PANIC/EXCEPTION register pairs */
	uint64_t pairs[BF_RLOG_MAX_PAYLOAD / 2][2];
};

/* Encode a message into out (header + ceil(len/8) words, text truncated to
 * BF_RLOG_MAX_PAYLOAD words). Returns the words written, 0 if max is too small. */
size_t bf_rlog_encode_msg(uint64_t *out, size_t max, unsigned module, unsigned level,
			  const char *text, bool has_arg, uint32_t arg);

/* Decode the record at w (n words available). Returns the words it
 * occupies (>= 1 when n >= 1, never more than n); rec->garbage marks a
 * record to skip. */
size_t bf_rlog_decode(const uint64_t *w, size_t n, struct bf_rlog_rec *rec);

/* The record as the upstream tools print it: " INFO[BL31]: text". The
 * argument is rendered by a small formatter (%d %i %u %x %X %o %c %%, flags,
 * width); the device's text is never passed to printf. PANIC/EXCEPTION
 * records take several lines. */
void bf_rlog_format(const struct bf_rlog_rec *rec, char *line, size_t len);

const char *bf_rlog_module_name(unsigned module);
const char *bf_rlog_level_name(const struct bf_rlog_rec *rec);
bool bf_rlog_is_error(const struct bf_rlog_rec *rec);
/* "INFO"/"WARN"/"ERR"/"ASSERT" -> level; -1 if unknown. */
int bf_rlog_level_parse(const char *s);
/* "MISC", "BL31", ... -> module; -1 if unknown. */
int bf_rlog_module_parse(const char *s);

#endif
