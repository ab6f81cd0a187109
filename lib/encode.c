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
	e->enc = enc;
	e->cd = NULL;
	if (enc == BS_ENC_UTF8)
		return 0;
	e->cd = open_cd(bs_enc_name(enc), "UTF-8", err);
	return e->cd ? 0 : -1;
}

void
bs_encoder_close(struct bs_encoder *e)
{
	if (e && e->cd) {
		iconv_close((iconv_t)e->cd);
		e->cd = NULL;
	}
}

/*
 * One iconv pass of s[0, n) to the end of out, which has room for the
 * worst case.  0, or the errno of the failure with *bad set.
 */
static int
convert(void *cd, const char *s, size_t n, struct bs_buf *out, size_t *bad)
{
	char *in = (char *)(uintptr_t)s, *o = out->buf + out->len;
	size_t inleft = n, outleft = out->alloc - out->len - 1, r;

	r = iconv((iconv_t)cd, &in, &inleft, &o, &outleft);
	if (r == (size_t)-1) {
		int e = errno;

		iconv((iconv_t)cd, NULL, NULL, NULL, NULL);	/* reset */
		*bad = (size_t)(in - s);
		return e ? e : EILSEQ;
	}
	out->len = (size_t)(o - out->buf);
	out->buf[out->len] = '\0';
	return 0;
}

int
bs_encode(struct bs_encoder *e, const char *s, size_t n, struct bs_buf *out,
    size_t *bad, struct bs_err *err)
{
	uint32_t cp;
	int rc;

	/* Worst case: a two-byte UTF-8 character becomes four bytes. */
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
	rc = convert(e->cd, s, n, out, bad);
	if (rc == 0)
		return 0;
	if (rc == E2BIG)
		return bs_err_set(err, BS_EXIT_SOFTWARE,
		    "iconv: output larger than foreseen");
	/* EILSEQ or EINVAL: not representable, or not UTF-8 to begin with */
	out->buf[out->len] = '\0';
	return bs_utf8_char(s + *bad, n - *bad, &cp) ? 1 : 2;
}

int
bs_decoder_open(struct bs_decoder *d, enum bs_enc enc, struct bs_err *err)
{
	d->enc = enc;
	d->cd = NULL;
	if (enc == BS_ENC_UTF8)
		return 0;
	d->cd = open_cd("UTF-8", bs_enc_name(enc), err);
	return d->cd ? 0 : -1;
}

void
bs_decoder_close(struct bs_decoder *d)
{
	if (d && d->cd) {
		iconv_close((iconv_t)d->cd);
		d->cd = NULL;
	}
}

int
bs_decode(struct bs_decoder *d, const char *t, size_t n, struct bs_buf *out,
    size_t *bad, struct bs_err *err)
{
	uint32_t cp;
	size_t i, k;
	int rc;

	/* Worst case: a two-byte GBK character becomes three bytes. */
	if (n > (SIZE_MAX - 16) / 2 || bs_buf_grow(out, 2 * n + 8) < 0)
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
	rc = convert(d->cd, t, n, out, bad);
	if (rc == 0)
		return 0;
	if (rc == E2BIG)
		return bs_err_set(err, BS_EXIT_SOFTWARE,
		    "iconv: output larger than foreseen");
	out->buf[out->len] = '\0';
	return 1;
}
