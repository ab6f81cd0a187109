/*
 * encode.h - text in the regulator's encoding: UTF-8 to GB18030, GBK or
 * UTF-8 and back, through glibc iconv, with exact detection of what the
 * target cannot hold.
 *
 * Between stages everything is UTF-8; the regulator's files are whatever
 * its layout says (DOMAIN.md 1.4).  GB18030 holds every Unicode character
 * (one, two or four bytes: 'A' 41, '张' D5 C5, '𠀾' U+2003E 95 32 88 38)
 * except 24 private-use code points (U+E78D..U+E864) whose GB18030-2005
 * bytes now mean standard characters, which glibc refuses; GBK holds ASCII
 * and about 21,000 CJK characters in one or two bytes, and nothing from CJK
 * Extension B and beyond.  A character the target cannot
 * hold is a refusal, never a substitution: iconv is opened without
 * //TRANSLIT or //IGNORE, and its EILSEQ is reported with the character.
 *
 * Byte widths.  A fixed-width field is counted in bytes of the target
 * encoding: '张三' is 6 bytes in UTF-8, 4 in GBK and GB18030; 'A𠀾' is 5
 * in GB18030.  Measure by encoding (bs_encode() into a scratch buffer).
 *
 * Multi-byte traps.  In GBK and GB18030 the second byte of a two-byte
 * character is 0x40..0xFE, so it can be '|' (0x7C, e.g. '億' is 83 7C) or
 * '\' (0x5C).  A reader that splits a line at delimiter bytes cuts such a
 * character in two; bs_enc_byte_in_char() finds these.  CR, LF, ',' '"'
 * and TAB never occur inside a character of these encodings.
 *
 * ASCII (0x00..0x7F) is the same bytes in all three encodings, so pure
 * ASCII text never needs iconv: bs_ascii() finds it fast.
 *
 * Speed.  Calling iconv for every value or line costs more than all the
 * rest of a transform, so each encoder keeps what iconv answered: the
 * first character of a block of 256 Basic Multilingual Plane code points
 * has iconv convert the whole block once (about 0.1 ms), and from then on
 * those characters are a table lookup, refused exactly when iconv refused
 * them.  Characters beyond the BMP (GB18030's four-byte plane, e.g.
 * Extension B) go to iconv one by one.  Decoders do the same per lead
 * byte for two-byte sequences.  iconv stays the only source of truth;
 * tests/unit/test_encode.c checks the tables against it for every code
 * point.
 *
 * Ownership: struct bs_encoder / bs_decoder live in caller storage;
 * *_open() allocates the iconv descriptor, *_close() frees it (and accepts
 * a zeroed or closed struct).  One descriptor must not be used by two
 * threads at once.
 *
 *	struct bs_encoder e;
 *	struct bs_buf out = BS_BUF_INIT(0);
 *	size_t bad;
 *	if (bs_encoder_open(&e, BS_ENC_GBK, &err) < 0) return -1;
 *	rc = bs_encode(&e, "张𠀾", 7, &out, &bad, &err);
 *	// rc == 1, bad == 3: '𠀾' (U+2003E) is not in GBK; out unchanged
 *	bs_encoder_close(&e);
 */
#ifndef BS_ENCODE_H
#define BS_ENCODE_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "err.h"

enum bs_enc {
	BS_ENC_UTF8 = 0,
	BS_ENC_GB18030,
	BS_ENC_GBK,
};

/*
 * The encoding called name: "GB18030", "GBK", "UTF-8" (case does not
 * matter; "UTF8" also works).  0, or -1 for anything else.
 */
int bs_enc_from_name(const char *name, enum bs_enc *out);

/* "GB18030", "GBK" or "UTF-8". */
const char *bs_enc_name(enum bs_enc e);

/*
 * The byte order mark of e (U+FEFF encoded): EF BB BF for UTF-8, 84 31 95
 * 33 for GB18030; NULL for GBK, which has none.  *n gets its length.
 */
const char *bs_enc_bom(enum bs_enc e, size_t *n);

/* 1 if s[0, n) is all ASCII (no byte >= 0x80). */
int bs_ascii(const char *s, size_t n);

/*
 * Decode the UTF-8 character at s (n bytes available): its code point in
 * *cp and its length (1..4), or 0 if the bytes there are not valid UTF-8.
 */
size_t bs_utf8_char(const char *s, size_t n, uint32_t *cp);

/*
 * 1 if byte b (ASCII) can be the second byte of a two-byte character, or
 * the second or fourth of a four-byte one, in e: a delimiter or qualifier
 * for which bs_enc_byte_in_char() matters.
 */
int bs_enc_trail_byte(enum bs_enc e, unsigned char b);

/*
 * Where byte b occurs inside a multi-byte character of t[0, n), text
 * already in encoding e: the offset of that character's first byte, or -1
 * when b only occurs as itself.  Always -1 for UTF-8 (its multi-byte
 * characters are all >= 0x80).
 */
long bs_enc_byte_in_char(enum bs_enc e, const char *t, size_t n,
    unsigned char b);

struct bs_enc_block;
struct bs_dec_row;

struct bs_encoder {
	enum bs_enc enc;
	void *cd;		/* iconv_t UTF-8 -> enc; NULL for UTF-8 */
	struct bs_enc_block *blk[256];	/* BMP, per high byte; built lazily */
	unsigned char watch[2];	/* bytes refused inside a character */
	int nwatch;
};

/*
 * Prepare to encode into enc.  -1 with err (BS_EXIT_SOFTWARE) if the C
 * library has no such converter (glibc has both).
 */
int bs_encoder_open(struct bs_encoder *e, enum bs_enc enc, struct bs_err *err);
void bs_encoder_close(struct bs_encoder *e);

/*
 * From now on, treat a character whose encoding holds one of bytes[0,
 * n) (n <= 2; ASCII, e.g. the delimiter) after its first byte as if the
 * target could not hold it (bs_encode() returns 3).  n = 0 stops that.
 */
void bs_encoder_watch(struct bs_encoder *e, const char *bytes, size_t n);

/*
 * Append the encoding of s[0, n) (UTF-8) to out.  Returns
 *   0  done;
 *   1  a character the target cannot hold: *bad = its offset in s;
 *   2  s is not valid UTF-8 there: *bad = offset of the bad byte;
 *   3  a character whose encoding holds a watched byte: *bad = its offset;
 *  -1  out's cap reached (err: BS_EXIT_DATAERR);
 * and on 1, 2 and 3 nothing is appended.  UTF-8 to UTF-8 is a copy (the text
 * is then checked for validity only with bs_utf8_char() by the caller:
 * this function trusts it, as the CSV reader validated it).
 */
int bs_encode(struct bs_encoder *e, const char *s, size_t n,
    struct bs_buf *out, size_t *bad, struct bs_err *err);

struct bs_decoder {
	enum bs_enc enc;
	void *cd;		/* iconv_t enc -> UTF-8; NULL for UTF-8 */
	struct bs_dec_row *row[128];	/* two-byte codes per lead byte */
};

int bs_decoder_open(struct bs_decoder *d, enum bs_enc enc, struct bs_err *err);
void bs_decoder_close(struct bs_decoder *d);

/*
 * Append the UTF-8 decoding of t[0, n) (encoding d->enc) to out.  Returns
 * 0, or 1 when t holds a byte sequence that is not a character of the
 * encoding (including one cut off at the end): *bad = its offset, and
 * nothing is appended; -1 when out's cap is reached.  For UTF-8 the text
 * is validated and copied.
 */
int bs_decode(struct bs_decoder *d, const char *t, size_t n,
    struct bs_buf *out, size_t *bad, struct bs_err *err);

/*
 * As bs_decode() without the output: 0 when t[0, n) is valid text in
 * d->enc, 1 with *bad at the first byte sequence that is not.
 */
int bs_decode_check(struct bs_decoder *d, const char *t, size_t n, size_t *bad);

#endif
