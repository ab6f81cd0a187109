#include "bs.h"
#include "encode.h"

#include <iconv.h>

static const char *const names[] = { "UTF-8", "GB18030", "GBK" };

int
bs_enc_from_name(const char *name, enum bs_enc *out)
{
	if (!strcasecmp(name, "UTF-8") || !strcasecmp(name, "UTF8"))
		*out = BS_ENC_UTF8;
	else if (!strcasecmp(name, "GB18030"))
		*out = BS_ENC_GB18030;
	else if (!strcasecmp(name, "GBK"))
		*out = BS_ENC_GBK;
	else
		return -1;
	return 0;
}

const char *
bs_enc_name(enum bs_enc e)
{
	return (unsigned)e < BS_ARRAY_SIZE(names) ? names[e] : "?";
}

const char *
bs_enc_bom(enum bs_enc e, size_t *n)
{
	switch (e) {
	case BS_ENC_UTF8:
		*n = 3;
		return "\xEF\xBB\xBF";
	case BS_ENC_GB18030:
		*n = 4;
		return "\x84\x31\x95\x33";
	default:
		*n = 0;
		return NULL;
	}
}

int
bs_ascii(const char *s, size_t n)
{
	const uint64_t hi8 = 0x8080808080808080ULL;
	uint64_t v, acc = 0;
	size_t i = 0;
	unsigned char c = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&v, s + i, 8);
		acc |= v;
	}
	for (; i < n; i++)
		c |= (unsigned char)s[i];
	return !(acc & hi8) && !(c & 0x80);
}

size_t
bs_utf8_char(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned lo = 0x80, hi = 0xBF;
	size_t len, i;
	uint32_t v;

	if (n == 0)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xC2 && u[0] <= 0xDF) {
		len = 2;
		v = u[0] & 0x1F;
	} else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
		len = 3;
		v = u[0] & 0x0F;
		if (u[0] == 0xE0)
			lo = 0xA0;
		else if (u[0] == 0xED)
			hi = 0x9F;
	} else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
		len = 4;
		v = u[0] & 0x07;
		if (u[0] == 0xF0)
			lo = 0x90;
		else if (u[0] == 0xF4)
			hi = 0x8F;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if (u[i] < lo || u[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xBF;
		v = v << 6 | (u[i] & 0x3F);
	}
	*cp = v;
	return len;
}

int
bs_enc_trail_byte(enum bs_enc e, unsigned char b)
{
	switch (e) {
	case BS_ENC_GB18030:
		return (b >= 0x30 && b <= 0x39) || (b >= 0x40 && b <= 0x7E);
	case BS_ENC_GBK:
		return b >= 0x40 && b <= 0x7E;
	default:
		return 0;
	}
}

long
bs_enc_byte_in_char(enum bs_enc e, const char *t, size_t n, unsigned char b)
{
	const unsigned char *u = (const unsigned char *)t;
	size_t i = 0;

	if (e == BS_ENC_UTF8 || !bs_enc_trail_byte(e, b))
		return -1;
	while (i < n) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		if (e == BS_ENC_GB18030 && i + 1 < n && u[i + 1] >= 0x30 &&
		    u[i + 1] <= 0x39) {
			if (u[i + 1] == b || (i + 3 < n && u[i + 3] == b))
				return (long)i;
			i += 4;
			continue;
		}
		if (i + 1 < n && u[i + 1] == b)
			return (long)i;
		i += 2;
	}
	return -1;
}

/* What iconv made of 256 BMP code points: len 0 = refused. */
struct bs_enc_block {
	unsigned char len[256];
	unsigned char b[256][4];
};

/* What iconv made of the 191 second bytes 0x40..0xFE after one lead byte. */
struct bs_dec_row {
	unsigned char len[191];	/* UTF-8 bytes; 0: not a character */
	unsigned char u[191][4];
};

static void *
open_cd(const char *to, const char *from, struct bs_err *err)
{
	iconv_t cd = iconv_open(to, from);

	if (cd == (iconv_t)-1) {
		bs_err_set(err, BS_EXIT_SOFTWARE,
		    "cannot convert from %s to %s: iconv_open: %s", from, to,
		    strerror(errno));
		return NULL;
	}
	return (void *)cd;
}

int
bs_encoder_open(struct bs_encoder *e, enum bs_enc enc, struct bs_err *err)
{
	memset(e, 0, sizeof(*e));
	e->enc = enc;
	if (enc == BS_ENC_UTF8)
		return 0;
	e->cd = open_cd(bs_enc_name(enc), "UTF-8", err);
	return e->cd ? 0 : -1;
}

void
bs_encoder_close(struct bs_encoder *e)
{
	size_t i;

	if (!e)
		return;
	if (e->cd) {
		iconv_close((iconv_t)e->cd);
		e->cd = NULL;
	}
	for (i = 0; i < BS_ARRAY_SIZE(e->blk); i++) {
		free(e->blk[i]);
		e->blk[i] = NULL;
	}
}

/* One character through iconv into o (room for 8): its length, 0 refused. */
static size_t
iconv_one(void *cd, const char *in, size_t n, char *o)
{
	char *ip = (char *)(uintptr_t)in, *op = o;
	size_t il = n, ol = 8;

	if (iconv((iconv_t)cd, &ip, &il, &op, &ol) == (size_t)-1 || il != 0) {
		iconv((iconv_t)cd, NULL, NULL, NULL, NULL);
		return 0;
	}
	return (size_t)(op - o);
}

static void
utf8_put(uint32_t cp, char *u, size_t *n)
{
	if (cp < 0x80) {
		u[0] = (char)cp;
		*n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		*n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		*n = 3;
	} else {
		u[0] = (char)(0xF0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		*n = 4;
	}
}

static struct bs_enc_block *
enc_block(struct bs_encoder *e, unsigned hi)
{
	struct bs_enc_block *b = e->blk[hi];
	unsigned lo;

	if (b)
		return b;
	b = e->blk[hi] = bs_xcalloc(1, sizeof(*b));
	for (lo = 0; lo < 256; lo++) {
		uint32_t cp = hi << 8 | lo;
		char u[4], o[8];
		size_t un, k;

		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;	/* surrogates are not characters */
		utf8_put(cp, u, &un);
		k = iconv_one(e->cd, u, un, o);
		if (k > 4)
			k = 0;
		b->len[lo] = (unsigned char)k;
		memcpy(b->b[lo], o, k);
	}
	return b;
}

void
bs_encoder_watch(struct bs_encoder *e, const char *bytes, size_t n)
{
	size_t i;

	e->nwatch = n > 2 ? 2 : (int)n;
	for (i = 0; i < (size_t)e->nwatch; i++)
		e->watch[i] = (unsigned char)bytes[i];
}

static int
watched(const struct bs_encoder *e, const unsigned char *b, size_t len)
{
	size_t i;
	int k;

	for (i = 1; i < len; i++)
		for (k = 0; k < e->nwatch; k++)
			if (b[i] == e->watch[k])
				return 1;
	return 0;
}

/*
 * Encode s[0, n) (not all ASCII) to out (room for the worst case) with
 * the tables: 0, or 1/2/3 with *bad as bs_encode() says.
 */
static int
encode_tab(struct bs_encoder *e, const char *s, size_t n, struct bs_buf *out,
    size_t *bad)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char *o = (unsigned char *)out->buf + out->len;
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		if (u[i] < 0x80) {
			const uint64_t hi8 = 0x8080808080808080ULL;
			uint64_t v;

			/* ASCII runs eight bytes at a time */
			while (n - i >= 8) {
				memcpy(&v, u + i, 8);
				if (v & hi8)
					break;
				memcpy(o, &v, 8);
				o += 8;
				i += 8;
			}
			while (i < n && u[i] < 0x80)
				*o++ = u[i++];
			continue;
		}
		k = bs_utf8_char(s + i, n - i, &cp);
		if (!k) {
			*bad = i;
			return 2;
		}
		if (cp < 0x10000) {
			const struct bs_enc_block *b = enc_block(e, cp >> 8);
			size_t len = b->len[cp & 0xFF];

			if (!len) {
				*bad = i;
				return 1;
			}
			memcpy(o, b->b[cp & 0xFF], 4);
			if (e->nwatch && watched(e, o, len)) {
				*bad = i;
				return 3;
			}
			o += len;
		} else {
			char t[8];
			size_t len = iconv_one(e->cd, s + i, k, t);

			if (!len) {
				*bad = i;
				return 1;
			}
			memcpy(o, t, len);
			if (e->nwatch && watched(e, o, len)) {
				*bad = i;
				return 3;
			}
			o += len;
		}
		i += k;
	}
	out->len = (size_t)((char *)o - out->buf);
	out->buf[out->len] = '\0';
	return 0;
}

int
bs_encode(struct bs_encoder *e, const char *s, size_t n, struct bs_buf *out,
    size_t *bad, struct bs_err *err)
{
	/* Worst case: a two-byte UTF-8 character becomes four bytes (and the
	 * table copies four bytes at a time). */
	if (n > (SIZE_MAX - 16) / 2 ||
	    bs_buf_grow(out, e->cd ? 2 * n + 8 : n) < 0)
		return bs_err_set(err, BS_EXIT_DATAERR,
		    "encoded text longer than %zu bytes", out->max);
	if (!e->cd || bs_ascii(s, n)) {
		if (n)
			memcpy(out->buf + out->len, s, n);
		out->len += n;
		out->buf[out->len] = '\0';
		return 0;
	}
	return encode_tab(e, s, n, out, bad);
}

int
bs_decoder_open(struct bs_decoder *d, enum bs_enc enc, struct bs_err *err)
{
	memset(d, 0, sizeof(*d));
	d->enc = enc;
	if (enc == BS_ENC_UTF8)
		return 0;
	d->cd = open_cd("UTF-8", bs_enc_name(enc), err);
	return d->cd ? 0 : -1;
}

void
bs_decoder_close(struct bs_decoder *d)
{
	size_t i;

	if (!d)
		return;
	if (d->cd) {
		iconv_close((iconv_t)d->cd);
		d->cd = NULL;
	}
	for (i = 0; i < BS_ARRAY_SIZE(d->row); i++) {
		free(d->row[i]);
		d->row[i] = NULL;
	}
}

static struct bs_dec_row *
dec_row(struct bs_decoder *d, unsigned lead)
{
	struct bs_dec_row *r = d->row[lead - 0x80];
	unsigned t;

	if (r)
		return r;
	r = d->row[lead - 0x80] = bs_xcalloc(1, sizeof(*r));
	for (t = 0x40; t <= 0xFE; t++) {
		char in[2] = { (char)lead, (char)t }, o[8];
		size_t k = iconv_one(d->cd, in, 2, o);

		if (k > 4)
			k = 0;
		r->len[t - 0x40] = (unsigned char)k;
		memcpy(r->u[t - 0x40], o, k);
	}
	return r;
}

/* Length of the GB18030/GBK sequence at t (n bytes left), 0 if cut off. */
static size_t
gb_seq_len(const struct bs_decoder *d, const unsigned char *t, size_t n)
{
	if (t[0] < 0x81 || t[0] > 0xFE)
		return 1;
	if (n < 2)
		return 0;
	if (d->enc == BS_ENC_GB18030 && t[1] >= 0x30 && t[1] <= 0x39)
		return n < 4 ? 0 : 4;
	return 2;
}

/* Decode t[0, n) (not all ASCII) to out with the tables. */
static int
decode_tab(struct bs_decoder *d, const char *t, size_t n, struct bs_buf *out,
    size_t *bad)
{
	const unsigned char *s = (const unsigned char *)t;
	unsigned char *o = (unsigned char *)out->buf + out->len;
	size_t i = 0, k, len;

	while (i < n) {
		if (s[i] < 0x80) {
			const uint64_t hi8 = 0x8080808080808080ULL;
			uint64_t v;

			/* ASCII runs eight bytes at a time */
			while (n - i >= 8) {
				memcpy(&v, s + i, 8);
				if (v & hi8)
					break;
				memcpy(o, &v, 8);
				o += 8;
				i += 8;
			}
			while (i < n && s[i] < 0x80)
				*o++ = s[i++];
			continue;
		}
		k = gb_seq_len(d, s + i, n - i);
		if (!k) {
			*bad = i;
			return 1;
		}
		if (k == 2 && s[i + 1] >= 0x40 && s[i + 1] <= 0xFE) {
			const struct bs_dec_row *r = dec_row(d, s[i]);

			len = r->len[s[i + 1] - 0x40];
			if (!len) {
				*bad = i;
				return 1;
			}
			memcpy(o, r->u[s[i + 1] - 0x40], 4);
		} else {
			char tmp[8];

			len = iconv_one(d->cd, t + i, k, tmp);
			if (!len) {
				*bad = i;
				return 1;
			}
			memcpy(o, tmp, len);
		}
		o += len;
		i += k;
	}
	out->len = (size_t)((char *)o - out->buf);
	out->buf[out->len] = '\0';
	return 0;
}

int
bs_decode(struct bs_decoder *d, const char *t, size_t n, struct bs_buf *out,
    size_t *bad, struct bs_err *err)
{
	uint32_t cp;
	size_t i, k;

	/* Worst case: one byte (GBK 0x80) becomes three, and the table
	 * copies four at a time. */
	if (n > (SIZE_MAX - 16) / 3 || bs_buf_grow(out, 3 * n + 8) < 0)
		return bs_err_set(err, BS_EXIT_DATAERR,
		    "decoded text longer than %zu bytes", out->max);
	if (!d->cd || bs_ascii(t, n)) {
		for (i = 0; !d->cd && i < n; i += k) {
			k = bs_utf8_char(t + i, n - i, &cp);
			if (!k) {
				*bad = i;
				return 1;
			}
		}
		if (n)
			memcpy(out->buf + out->len, t, n);
		out->len += n;
		out->buf[out->len] = '\0';
		return 0;
	}
	return decode_tab(d, t, n, out, bad);
}

int
bs_decode_check(struct bs_decoder *d, const char *t, size_t n, size_t *bad)
{
	const unsigned char *s = (const unsigned char *)t;
	const uint64_t hi8 = 0x8080808080808080ULL;
	size_t i = 0, k;
	uint32_t cp;
	uint64_t v;

	while (i < n) {
		if (s[i] < 0x80) {
			while (n - i >= 8) {
				memcpy(&v, s + i, 8);
				if (v & hi8)
					break;
				i += 8;
			}
			while (i < n && s[i] < 0x80)
				i++;
			continue;
		}
		if (!d->cd) {
			k = bs_utf8_char(t + i, n - i, &cp);
		} else {
			char tmp[8];

			k = gb_seq_len(d, s + i, n - i);
			if (k == 2 && s[i + 1] >= 0x40 && s[i + 1] <= 0xFE) {
				if (!dec_row(d, s[i])->len[s[i + 1] - 0x40])
					k = 0;
			} else if (k && !iconv_one(d->cd, t + i, k, tmp)) {
				k = 0;
			}
		}
		if (!k) {
			*bad = i;
			return 1;
		}
		i += k;
	}
	return 0;
}
