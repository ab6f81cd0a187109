/*
 * decimal.c - exact decimals: 128-bit coefficients, 256-bit intermediates.
 *
 * The fast paths stay in __int128; whenever an exact intermediate might not
 * fit (aligning scales, long products, scaled dividends) the slow path works
 * on 256-bit magnitudes and drops fraction digits with half-up rounding.
 * Half-up only needs the most significant dropped digit, so digits can be
 * dropped one at a time without double rounding.
 */
#include "bs.h"
#include "buf.h"
#include "decimal.h"

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

#define P19 10000000000000000000ULL
#define E19 ((u128)P19)

static const u128 pow10_tab[BS_DEC_MAX_DIGITS + 1] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL, P19,
	E19 * 10ULL, E19 * 100ULL, E19 * 1000ULL, E19 * 10000ULL,
	E19 * 100000ULL, E19 * 1000000ULL, E19 * 10000000ULL,
	E19 * 100000000ULL, E19 * 1000000000ULL, E19 * 10000000000ULL,
	E19 * 100000000000ULL, E19 * 1000000000000ULL,
	E19 * 10000000000000ULL, E19 * 100000000000000ULL,
	E19 * 1000000000000000ULL, E19 * 10000000000000000ULL,
	E19 * 100000000000000000ULL, E19 * 1000000000000000000ULL,
	E19 * E19,
};

#define LIMIT pow10_tab[BS_DEC_MAX_DIGITS]	/* 10^38: |coef| < LIMIT */

static int
overflow(struct bs_err *err)
{
	return bs_err_set(err, BS_EXIT_DATAERR,
	    "decimal overflow: more than %d digits before the decimal point",
	    BS_DEC_MAX_DIGITS);
}

static u128
mag(i128 v)
{
	return v < 0 ? (u128)0 - (u128)v : (u128)v;
}

static void
set_out(struct bs_dec *out, int neg, u128 m, int scale)
{
	out->coef = neg ? -(i128)m : (i128)m;
	out->scale = scale;
}

/* ---- 256-bit magnitudes (little-endian 64-bit limbs) ---- */

struct u256 {
	uint64_t w[4];
};

static struct u256
u256_from(u128 v)
{
	struct u256 x = { { (uint64_t)v, (uint64_t)(v >> 64), 0, 0 } };

	return x;
}

static struct u256
u256_mul128(u128 a, u128 b)
{
	uint64_t a0 = (uint64_t)a, a1 = (uint64_t)(a >> 64);
	uint64_t b0 = (uint64_t)b, b1 = (uint64_t)(b >> 64);
	u128 p00 = (u128)a0 * b0, p01 = (u128)a0 * b1;
	u128 p10 = (u128)a1 * b0, p11 = (u128)a1 * b1;
	u128 mid, hi;
	struct u256 r;

	r.w[0] = (uint64_t)p00;
	mid = (p00 >> 64) + (uint64_t)p01 + (uint64_t)p10;
	r.w[1] = (uint64_t)mid;
	hi = (mid >> 64) + (p01 >> 64) + (p10 >> 64) + (uint64_t)p11;
	r.w[2] = (uint64_t)hi;
	r.w[3] = (uint64_t)((hi >> 64) + (p11 >> 64));
	return r;
}

/* x *= m; returns -1 (x garbage) on overflow past 256 bits. */
static int
u256_mul64(struct u256 *x, uint64_t m)
{
	u128 carry = 0;

	for (int i = 0; i < 4; i++) {
		u128 t = (u128)x->w[i] * m + carry;
		x->w[i] = (uint64_t)t;
		carry = t >> 64;
	}
	return carry ? -1 : 0;
}

/* x *= 10^e; -1 on overflow. */
static int
u256_mul_pow10(struct u256 *x, int e)
{
	while (e > 0) {
		int k = e > 19 ? 19 : e;

		if (u256_mul64(x, (uint64_t)pow10_tab[k]) < 0)
			return -1;
		e -= k;
	}
	return 0;
}

/* x /= d, returns the remainder. */
static uint64_t
u256_div64(struct u256 *x, uint64_t d)
{
	u128 r = 0;

	for (int i = 3; i >= 0; i--) {
		u128 cur = (r << 64) | x->w[i];
		x->w[i] = (uint64_t)(cur / d);
		r = cur % d;
	}
	return (uint64_t)r;
}

static int
u256_fits128(const struct u256 *x)
{
	return x->w[2] == 0 && x->w[3] == 0;
}

static u128
u256_lo(const struct u256 *x)
{
	return ((u128)x->w[1] << 64) | x->w[0];
}

static int
u256_fits38(const struct u256 *x)
{
	return u256_fits128(x) && u256_lo(x) < LIMIT;
}

static void
u256_add(struct u256 *x, const struct u256 *y)
{
	u128 carry = 0;

	for (int i = 0; i < 4; i++) {
		u128 t = (u128)x->w[i] + y->w[i] + carry;
		x->w[i] = (uint64_t)t;
		carry = t >> 64;
	}
}

static int
u256_cmp(const struct u256 *x, const struct u256 *y)
{
	for (int i = 3; i >= 0; i--)
		if (x->w[i] != y->w[i])
			return x->w[i] < y->w[i] ? -1 : 1;
	return 0;
}

/* x -= y, x >= y */
static void
u256_sub(struct u256 *x, const struct u256 *y)
{
	uint64_t borrow = 0;

	for (int i = 0; i < 4; i++) {
		uint64_t a = x->w[i], b = y->w[i];
		uint64_t r = a - b - borrow;

		borrow = (a < b) || (a - b < borrow);
		x->w[i] = r;
	}
}

/* q = n / d, returns n % d; d != 0 and d < 2^127. */
static u128
u256_div128(const struct u256 *n, u128 d, struct u256 *q)
{
	u128 r = 0;
	int top = 255;

	memset(q, 0, sizeof(*q));
	if ((d >> 64) == 0) {
		*q = *n;
		return u256_div64(q, (uint64_t)d);
	}
	while (top >= 0 && !((n->w[top / 64] >> (top % 64)) & 1))
		top--;
	for (int i = top; i >= 0; i--) {
		r = (r << 1) | ((n->w[i / 64] >> (i % 64)) & 1);
		if (r >= d) {
			r -= d;
			q->w[i / 64] |= (uint64_t)1 << (i % 64);
		}
	}
	return r;
}

/*
 * out = (neg ? -m : m) / 10^scale, dropping fraction digits (half-up) until
 * the scale is at most 38 and the coefficient below 10^38.
 */
static int
from_u256(int neg, struct u256 m, int scale, struct bs_dec *out,
    struct bs_err *err)
{
	uint64_t last = 0;

	while (scale > 0 && (scale > BS_DEC_MAX_SCALE || !u256_fits38(&m))) {
		last = u256_div64(&m, 10);
		scale--;
	}
	if (last >= 5) {
		struct u256 one = u256_from(1);

		u256_add(&m, &one);
		if (!u256_fits38(&m) && scale > 0) {
			u256_div64(&m, 10);	/* exactly 10^38: no digit lost */
			scale--;
		}
	}
	if (!u256_fits38(&m))
		return overflow(err);
	set_out(out, neg && (m.w[0] | m.w[1]), u256_lo(&m), scale);
	return 0;
}

/* ---- parsing ---- */

struct numparts {
	int neg;
	const char *ip;	/* integer digits */
	size_t il;
	const char *fp;	/* fraction digits */
	size_t fl;
	long exp;	/* saturated at +-1e7 */
};

#define EXP_SAT 10000000L

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
split_number(const char *s, size_t n, unsigned flags, struct numparts *p)
{
	int lenient = (flags & BS_DEC_LENIENT) != 0;
	size_t i = 0;
	int dot = 0;

	memset(p, 0, sizeof(*p));
	if (lenient) {
		while (i < n && is_blank(s[i]))
			i++;
		while (n > i && is_blank(s[n - 1]))
			n--;
	}
	if (i < n && (s[i] == '-' || (lenient && s[i] == '+')))
		p->neg = s[i++] == '-';
	p->ip = s + i;
	while (i < n && is_digit(s[i]))
		i++;
	p->il = (size_t)(s + i - p->ip);
	if (i < n && s[i] == '.') {
		dot = 1;
		i++;
		p->fp = s + i;
		while (i < n && is_digit(s[i]))
			i++;
		p->fl = (size_t)(s + i - p->fp);
	}
	if (lenient) {
		if (p->il + p->fl == 0)
			return -1;
		if (i < n && (s[i] == 'e' || s[i] == 'E')) {
			int eneg = 0;
			size_t start;

			i++;
			if (i < n && (s[i] == '-' || s[i] == '+'))
				eneg = s[i++] == '-';
			start = i;
			while (i < n && is_digit(s[i])) {
				if (p->exp < EXP_SAT)
					p->exp = p->exp * 10 + (s[i] - '0');
				i++;
			}
			if (i == start)
				return -1;
			if (eneg)
				p->exp = -p->exp;
		}
	} else if (p->il == 0 || (dot && p->fl == 0)) {
		return -1;
	}
	return i == n ? 0 : -1;
}

static char
part_digit(const struct numparts *p, size_t j)
{
	return j < p->il ? p->ip[j] : p->fp[j - p->il];
}

static int
not_a_number(struct bs_err *err)
{
	return bs_err_set(err, BS_EXIT_DATAERR, "not a decimal number");
}

static int
too_many_digits(struct bs_err *err)
{
	return bs_err_set(err, BS_EXIT_DATAERR, "more than %d digits",
	    BS_DEC_MAX_DIGITS);
}

int
bs_dec_parse(const char *s, size_t n, unsigned flags, struct bs_dec *out,
    struct bs_err *err)
{
	struct numparts p;
	size_t len, first, last;
	long scale;
	u128 m = 0;

	/* Fast path: strict, at most 19 digits: -?[0-9]+(\.[0-9]+)? */
	if (!(flags & BS_DEC_LENIENT) && n > 0 && n <= 19) {
		const unsigned char *u = (const unsigned char *)s;
		size_t i = u[0] == '-', from = i, nfrac = 0;
		uint64_t v = 0;
		unsigned d;

		while (i < n && (d = (unsigned)u[i] - '0') <= 9) {
			v = v * 10 + d;
			i++;
		}
		if (i == from)
			return not_a_number(err);
		if (i < n) {
			if (u[i] != '.')
				return not_a_number(err);
			from = ++i;
			while (i < n && (d = (unsigned)u[i] - '0') <= 9) {
				v = v * 10 + d;
				i++;
			}
			nfrac = i - from;
			if (!nfrac || i < n)
				return not_a_number(err);
		}
		set_out(out, u[0] == '-' && v, v, (int)nfrac);
		return 0;
	}

	if (split_number(s, n, flags, &p) < 0)
		return not_a_number(err);
	len = p.il + p.fl;
	scale = (long)p.fl - p.exp;
	for (first = 0; first < len && part_digit(&p, first) == '0'; first++)
		;
	if (first == len) {	/* zero */
		out->coef = 0;
		out->scale = scale < 0 ? 0 :
		    scale > BS_DEC_MAX_SCALE ? BS_DEC_MAX_SCALE : (int)scale;
		return 0;
	}
	last = len;	/* digits [first, last) are significant */
	while ((last - first > BS_DEC_MAX_DIGITS || scale > BS_DEC_MAX_SCALE) &&
	    part_digit(&p, last - 1) == '0') {
		last--;
		scale--;
	}
	if (last - first > BS_DEC_MAX_DIGITS || scale > BS_DEC_MAX_SCALE)
		return too_many_digits(err);
	if (scale < 0 && (long)(last - first) - scale > BS_DEC_MAX_DIGITS)
		return too_many_digits(err);
	for (size_t j = first; j < last; j++)
		m = m * 10 + (u128)(part_digit(&p, j) - '0');
	if (scale < 0) {
		m *= pow10_tab[-scale];
		scale = 0;
	}
	set_out(out, p.neg, m, (int)scale);
	return 0;
}

void
bs_dec_from_int(int64_t v, struct bs_dec *out)
{
	out->coef = v;
	out->scale = 0;
}

int
bs_dec_to_int(const struct bs_dec *d, int64_t *out)
{
	i128 p, q;

	if (d->scale == 0) {	/* no 128-bit division */
		if (d->coef < INT64_MIN || d->coef > INT64_MAX)
			return -1;
		*out = (int64_t)d->coef;
		return 0;
	}
	p = (i128)pow10_tab[d->scale];
	if (d->coef % p != 0)
		return -1;
	q = d->coef / p;
	if (q < INT64_MIN || q > INT64_MAX)
		return -1;
	*out = (int64_t)q;
	return 0;
}

/* ---- formatting ---- */

/* Digits of v without leading zeros ("0" for 0) into buf[40]; length. */
static size_t
u128_digits(u128 v, char *buf)
{
	char tmp[48];
	size_t n = 0;

	do {
		uint64_t chunk;
		int pad;

		if (v >= E19) {
			chunk = (uint64_t)(v % E19);
			v /= E19;
			pad = 19;
		} else {
			chunk = (uint64_t)v;
			v = 0;
			pad = 0;
		}
		do {
			tmp[n++] = (char)('0' + chunk % 10);
			chunk /= 10;
			pad--;
		} while (chunk || pad > 0);
	} while (v);
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

size_t
bs_dec_str(const struct bs_dec *d, int scale, char buf[BS_DEC_STR_MAX])
{
	char dig[96];
	size_t len, nint, nfrac, o = 0;
	int s = d->scale, nonzero = 0;

	if (scale < 0)
		scale = s;
	if (scale > BS_DEC_MAX_SCALE)
		scale = BS_DEC_MAX_SCALE;
	dig[0] = '0';	/* room for a carry */
	len = 1 + u128_digits(mag(d->coef), dig + 1);
	if (len < (size_t)s + 2) {	/* at least one integer digit */
		size_t pad = (size_t)s + 2 - len;

		memmove(dig + 1 + pad, dig + 1, len - 1);
		memset(dig + 1, '0', pad);
		len += pad;
	}
	if (scale < s) {
		size_t drop = (size_t)(s - scale);
		int up = dig[len - drop] >= '5';

		len -= drop;
		for (size_t i = len; up && i-- > 0;) {
			if (dig[i] == '9') {
				dig[i] = '0';
			} else {
				dig[i]++;
				up = 0;
			}
		}
		s = scale;
	}
	nfrac = (size_t)s;
	nint = len - nfrac;
	for (size_t i = 0; i < len; i++)
		nonzero |= dig[i] != '0';
	if (d->coef < 0 && nonzero)
		buf[o++] = '-';
	{
		size_t i = 0;

		while (i + 1 < nint && dig[i] == '0')
			i++;
		for (; i < nint; i++)
			buf[o++] = dig[i];
	}
	if (scale > 0) {
		buf[o++] = '.';
		memcpy(buf + o, dig + nint, nfrac);
		o += nfrac;
		for (int i = (int)nfrac; i < scale; i++)
			buf[o++] = '0';
	}
	buf[o] = '\0';
	return o;
}

int
bs_dec_format(const struct bs_dec *d, int scale, struct bs_buf *out)
{
	char buf[BS_DEC_STR_MAX];
	size_t n = bs_dec_str(d, scale, buf);

	return bs_buf_add(out, buf, n);
}

int
bs_dec_fits(const struct bs_dec *d, int precision, int scale)
{
	u128 m = mag(d->coef);
	int s = d->scale;

	if (precision <= 0 || precision > BS_DEC_MAX_DIGITS)
		precision = BS_DEC_MAX_DIGITS;
	if (scale < 0)
		scale = 0;
	if (scale > precision)
		scale = precision;
	if (s > scale) {
		if (m % pow10_tab[s - scale] != 0)
			return -1;
		m /= pow10_tab[s - scale];
		s = scale;
	}
	/* m / 10^s < 10^(precision - scale), without dividing */
	s += precision - scale;
	return s <= BS_DEC_MAX_DIGITS && m >= pow10_tab[s] ? -2 : 0;
}

/* ---- comparison and arithmetic ---- */

int
bs_dec_cmp(const struct bs_dec *a, const struct bs_dec *b)
{
	i128 x = a->coef, y = b->coef;

	if (a->scale < b->scale) {
		if (__builtin_mul_overflow(x, (i128)pow10_tab[b->scale - a->scale], &x))
			return a->coef < 0 ? -1 : 1;
	} else if (a->scale > b->scale) {
		if (__builtin_mul_overflow(y, (i128)pow10_tab[a->scale - b->scale], &y))
			return b->coef < 0 ? 1 : -1;
	}
	return x < y ? -1 : x > y;
}

int
bs_dec_sign(const struct bs_dec *d)
{
	return d->coef < 0 ? -1 : d->coef > 0;
}

void
bs_dec_neg(const struct bs_dec *a, struct bs_dec *out)
{
	out->coef = -a->coef;
	out->scale = a->scale;
}

void
bs_dec_abs(const struct bs_dec *a, struct bs_dec *out)
{
	out->coef = a->coef < 0 ? -a->coef : a->coef;
	out->scale = a->scale;
}

static int
addsub(const struct bs_dec *a, const struct bs_dec *b, int sub,
    struct bs_dec *out, struct bs_err *err)
{
	i128 x = a->coef, y = sub ? -b->coef : b->coef, r;
	int sa = a->scale, sb = b->scale, s = sa > sb ? sa : sb;
	struct u256 ma, mb;
	int na, nb;

	if ((sa == s || !__builtin_mul_overflow(x, (i128)pow10_tab[s - sa], &x)) &&
	    (sb == s || !__builtin_mul_overflow(y, (i128)pow10_tab[s - sb], &y)) &&
	    !__builtin_add_overflow(x, y, &r) && mag(r) < LIMIT) {
		out->coef = r;
		out->scale = s;
		return 0;
	}
	/* Slow path: exact 256-bit sum, then fit. */
	x = a->coef;
	y = sub ? -b->coef : b->coef;
	na = x < 0;
	nb = y < 0;
	ma = u256_mul128(mag(x), pow10_tab[s - sa]);
	mb = u256_mul128(mag(y), pow10_tab[s - sb]);
	if (na == nb) {
		u256_add(&ma, &mb);
		return from_u256(na, ma, s, out, err);
	}
	if (u256_cmp(&ma, &mb) >= 0) {
		u256_sub(&ma, &mb);
		return from_u256(na, ma, s, out, err);
	}
	u256_sub(&mb, &ma);
	return from_u256(nb, mb, s, out, err);
}

int
bs_dec_add(const struct bs_dec *a, const struct bs_dec *b, struct bs_dec *out,
    struct bs_err *err)
{
	return addsub(a, b, 0, out, err);
}

int
bs_dec_sub(const struct bs_dec *a, const struct bs_dec *b, struct bs_dec *out,
    struct bs_err *err)
{
	return addsub(a, b, 1, out, err);
}

int
bs_dec_mul(const struct bs_dec *a, const struct bs_dec *b, struct bs_dec *out,
    struct bs_err *err)
{
	int s = a->scale + b->scale;
	int neg = (a->coef < 0) != (b->coef < 0);
	i128 r;

	if (s <= BS_DEC_MAX_SCALE &&
	    !__builtin_mul_overflow(a->coef, b->coef, &r) && mag(r) < LIMIT) {
		out->coef = r;
		out->scale = s;
		return 0;
	}
	return from_u256(neg, u256_mul128(mag(a->coef), mag(b->coef)), s, out,
	    err);
}

int
bs_dec_div(const struct bs_dec *a, const struct bs_dec *b, struct bs_dec *out,
    struct bs_err *err)
{
	int sa = a->scale, sb = b->scale;
	int t = sa > sb ? sa : sb;
	int tmin = sa > sb ? sa - sb : 0;
	int neg = (a->coef < 0) != (b->coef < 0);
	u128 ma = mag(a->coef), mb = mag(b->coef);

	if (mb == 0)
		return bs_err_set(err, BS_EXIT_DATAERR, "division by zero");
	if (t < 16)
		t = 16;
	for (;;) {
		int e = t + sb - sa;	/* >= 0 because t >= sa */
		struct u256 n = u256_from(ma), q;
		u128 n128, r;
		int excess = 0;

		if (e <= BS_DEC_MAX_DIGITS &&
		    !__builtin_mul_overflow(ma, pow10_tab[e], &n128)) {
			q = u256_from(n128 / mb);
			r = n128 % mb;
		} else if (u256_mul_pow10(&n, e) == 0) {
			r = u256_div128(&n, mb, &q);
		} else {
			excess = 1;	/* dividend beyond 256 bits: far too big */
			goto smaller;
		}
		if (r >= mb - r) {
			struct u256 one = u256_from(1);

			u256_add(&q, &one);
		}
		if (u256_fits38(&q)) {
			set_out(out, neg && (q.w[0] | q.w[1]), u256_lo(&q), t);
			return 0;
		}
		while (!u256_fits38(&q)) {
			u256_div64(&q, 10);
			excess++;
		}
smaller:
		if (t - excess < tmin) {
			if (t == tmin)
				return overflow(err);
			t = tmin;
		} else {
			t -= excess;
		}
	}
}

int
bs_dec_rescale(const struct bs_dec *a, int scale, struct bs_dec *out,
    struct bs_err *err)
{
	i128 r;

	if (scale < 0)
		scale = 0;
	if (scale > BS_DEC_MAX_SCALE)
		scale = BS_DEC_MAX_SCALE;
	if (scale >= a->scale) {
		if (__builtin_mul_overflow(a->coef, (i128)pow10_tab[scale - a->scale], &r) ||
		    mag(r) >= LIMIT)
			return overflow(err);
		out->coef = r;
		out->scale = scale;
	} else {
		u128 p = pow10_tab[a->scale - scale];
		u128 m = mag(a->coef), q = m / p, rem = m % p;

		if (rem >= p - rem)
			q++;
		set_out(out, a->coef < 0 && q, q, scale);
	}
	return 0;
}

int
bs_dec_round(const struct bs_dec *a, int places, struct bs_dec *out,
    struct bs_err *err)
{
	int k;
	u128 m, p, q, rem;

	if (places >= 0)
		return bs_dec_rescale(a, places, out, err);
	k = a->scale - places;	/* digits to drop */
	if (k > BS_DEC_MAX_DIGITS) {
		out->coef = 0;
		out->scale = 0;
		return 0;
	}
	m = mag(a->coef);
	p = pow10_tab[k];
	q = m / p;
	rem = m % p;
	if (rem >= p - rem)
		q++;
	if (q && q >= LIMIT / pow10_tab[-places])
		return overflow(err);
	set_out(out, a->coef < 0 && q, q * pow10_tab[-places], 0);
	return 0;
}

/* ---- driver text ---- */

int
bs_dec_rescale_text(const char *in, size_t n, int scale, struct bs_buf *out)
{
	struct numparts p;
	char buf[2 * BS_DEC_MAX_DIGITS + 8];
	size_t len, first, o = 0, nint;
	long point, j;
	int up, nonzero = 0;
	char res[BS_DEC_STR_MAX];
	size_t r = 0;

	if (scale < 0 || scale > BS_DEC_MAX_SCALE)
		return -1;
	if (split_number(in, n, BS_DEC_LENIENT, &p) < 0)
		return -1;
	len = p.il + p.fl;
	point = (long)p.il + p.exp;	/* digits of D before the point */
	for (first = 0; first < len && part_digit(&p, first) == '0'; first++)
		;
	if (first < len && point - (long)first > BS_DEC_MAX_DIGITS)
		return -2;
	/* integer digits [first, point), fraction [point, point + scale) */
	j = first < len && (long)first < point ? (long)first : point;
	for (; j < point + scale; j++)
		buf[o++] = j >= 0 && j < (long)len ? part_digit(&p, (size_t)j) : '0';
	nint = o - (size_t)scale;
	j = point + scale;
	up = j >= 0 && j < (long)len && part_digit(&p, (size_t)j) >= '5';
	for (size_t i = o; up && i-- > 0;) {
		if (buf[i] == '9') {
			buf[i] = '0';
		} else {
			buf[i]++;
			up = 0;
		}
	}
	if (up) {
		memmove(buf + 1, buf, o);
		buf[0] = '1';
		o++;
		nint++;
	}
	if (nint + (size_t)scale > BS_DEC_MAX_DIGITS)
		return -2;
	for (size_t i = 0; i < o; i++)
		nonzero |= buf[i] != '0';
	if (p.neg && nonzero)
		res[r++] = '-';
	if (nint == 0)
		res[r++] = '0';
	memcpy(res + r, buf, nint);
	r += nint;
	if (scale > 0) {
		res[r++] = '.';
		memcpy(res + r, buf + nint, (size_t)scale);
		r += (size_t)scale;
	}
	return bs_buf_add(out, res, r) < 0 ? -3 : 0;
}
