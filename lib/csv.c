#include "bs.h"
#include "csv.h"	/* ours, lib/csv.h (found through -iquote) */
#include <csv.h>	/* libcsv's, /usr/include/csv.h */
#include "encode.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/*
 * How positions are kept.  libcsv reports neither lines nor columns, so we
 * feed it one segment at a time, where a segment never crosses a CR or LF:
 * it ends just after the first CR or LF, or at the end of the read buffer.
 * So when libcsv ends a row, it did so on the last byte of the segment; the
 * line and column of every byte of a segment are known; and a row ended by
 * CR can be checked against the next byte (it must be LF).  libcsv runs
 * with CSV_REPALL_NL so that blank lines reach us as rows of no fields.
 */

enum cb_error {
	CB_OK = 0,
	CB_FIELDS,	/* more than max_fields */
	CB_FIELD_LONG,	/* a field longer than max_field */
	CB_RECORD_LONG,	/* more than max_record bytes */
};

#define NONE SIZE_MAX
#define BLK_MAX ((size_t)1024 * 1024)	/* cap on libcsv's growth step */

static const unsigned char bom_bytes[3] = { 0xEF, 0xBB, 0xBF };

/* Never trim: every byte of an unquoted field is data. */
static int
never_space(unsigned char c)
{
	(void)c;
	return 0;
}

/* "record N (line L), column C" / "header (line L)" into where. */
static void
position(const struct bs_csv_reader *r, char *where, size_t size,
    uint64_t line, size_t col)
{
	int n;

	if (r->in_header)
		n = snprintf(where, size, "header (line %" PRIu64 ")", line);
	else
		n = snprintf(where, size, "record %" PRIu64 " (line %" PRIu64 ")",
		    r->recno + 1, line);
	if (col && n > 0 && (size_t)n < size)
		snprintf(where + n, size - (size_t)n, ", column %zu", col);
}

/* A data error at line (and col, if not 0) in the record being read. */
static int __attribute__((format(printf, 5, 6)))
fail(struct bs_csv_reader *r, struct bs_err *err, uint64_t line, size_t col,
    const char *fmt, ...)
{
	char where[128], msg[BS_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	position(r, where, sizeof(where), line, col);
	r->failed = 1;
	return bs_err_set(err, BS_EXIT_DATAERR, "%s: %s: %s", r->name, where, msg);
}

static void
field_cb(void *s, size_t len, void *ctx)
{
	struct bs_csv_reader *r = ctx;
	struct bs_csv_span *sp;

	if (r->cb_err)
		return;
	/*
	 * Length first: a field too long is found before it ends when it is
	 * cut by a segment end (parse()), so which error wins must not
	 * depend on where the segments were cut.
	 */
	if (len > r->opts.max_field) {
		r->cb_err = CB_FIELD_LONG;
		return;
	}
	if (r->nf == r->opts.max_fields) {
		r->cb_err = CB_FIELDS;
		return;
	}
	BS_ALLOC_GROW(r->f, r->nf + 1, r->af);
	sp = &r->f[r->nf];
	if (!s) {
		sp->off = BS_CSV_NULL_OFF;
		sp->len = 0;
	} else {
		/* bs_buf_grow() checks the cap; skip the call when it fits. */
		if ((r->data.alloc - r->data.len <= len + 1 ||
		    r->data.len + len + 1 > r->data.max) &&
		    bs_buf_grow(&r->data, len + 1) < 0) {
			r->cb_err = CB_RECORD_LONG;
			return;
		}
		memcpy(r->data.buf + r->data.len, s, len);
		sp->off = r->data.len;
		sp->len = len;
		r->data.len += len;
		r->data.buf[r->data.len++] = '\0';
		r->data.buf[r->data.len] = '\0';
	}
	r->nf++;
}

static void
row_cb(int c, void *ctx)
{
	struct bs_csv_reader *r = ctx;

	(void)c;
	r->row_ended = 1;
	if (r->cb_err)
		return;
	if (r->nf == 0) {
		/* A blank line: a one-column NULL, or nothing. */
		if (r->in_header || r->nh != 1)
			return;
		field_cb(NULL, 0, r);
	}
	r->rec_ready = 1;
}

static int
cb_failure(struct bs_csv_reader *r, struct bs_err *err)
{
	switch (r->cb_err) {
	case CB_FIELDS:
		return fail(r, err, r->rec_line, 0, "more than %zu fields",
		    r->opts.max_fields);
	case CB_FIELD_LONG:
		return fail(r, err, r->rec_line, 0,
		    "field %zu: field longer than %zu bytes (unclosed quote?)",
		    r->nf + 1, r->opts.max_field);
	case CB_RECORD_LONG:
		return fail(r, err, r->rec_line, 0,
		    "record longer than %zu bytes", r->opts.max_record);
	}
	return fail(r, err, r->rec_line, 0, "internal error %d", r->cb_err);
}

/*
 * Check s[0, n) for UTF-8 (and NUL) while keeping the state of a sequence
 * cut by a segment end.  Returns the offset where a bad sequence is found
 * (its first byte is then described by u_byte, u_line, u_col), or n.
 */
static size_t
utf8_scan(struct bs_csv_reader *r, const unsigned char *s, size_t n)
{
	const uint64_t hi8 = 0x8080808080808080ULL, ones = 0x0101010101010101ULL;
	unsigned lo = r->u_lo, hi = r->u_hi;
	int need = r->u_need;
	size_t i = 0, lead;
	unsigned char c;
	uint64_t v;

	/* The end of a sequence begun in an earlier segment. */
	for (; need && i < n; i++, need--) {
		if (s[i] < lo || s[i] > hi)
			return i;	/* u_* describe its first byte */
		lo = 0x80;
		hi = 0xBF;
	}
	while (i < n) {
		c = s[i];
		if (c < 0x80) {
			if (c == 0) {
				lead = i;
				goto bad;
			}
			i++;
			/* ASCII fast path: eight bytes, no high bit, no NUL. */
			while (n - i >= 8) {
				memcpy(&v, s + i, 8);
				if ((v & hi8) || ((v - ones) & ~v & hi8))
					break;
				i += 8;
			}
			continue;
		}
		lo = 0x80;
		hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			if (c == 0xE0)
				lo = 0xA0;	/* overlong */
			else if (c == 0xED)
				hi = 0x9F;	/* surrogates */
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			if (c == 0xF0)
				lo = 0x90;	/* overlong */
			else if (c == 0xF4)
				hi = 0x8F;	/* above U+10FFFF */
		} else {
			lead = i;
			goto bad;
		}
		lead = i++;
		for (; need && i < n; i++, need--) {
			if (s[i] < lo || s[i] > hi)
				goto bad;
			lo = 0x80;
			hi = 0xBF;
		}
		if (need) {
			/* Cut by the segment end: remember where it began. */
			r->u_byte = c;
			r->u_line = r->line;
			r->u_col = r->col0 + lead + 1;
		}
	}
	r->u_need = need;
	r->u_lo = (unsigned char)lo;
	r->u_hi = (unsigned char)hi;
	return n;
bad:
	r->u_byte = s[lead];
	r->u_line = r->line;
	r->u_col = r->col0 + lead + 1;
	return i;
}

static int
utf8_failure(struct bs_csv_reader *r, struct bs_err *err)
{
	if (r->u_byte == 0)
		return fail(r, err, r->u_line, r->u_col, "NUL byte (UTF-16 input?)");
	return fail(r, err, r->u_line, r->u_col, "invalid UTF-8 (byte 0x%02x)",
	    r->u_byte);
}

/* Run libcsv over s[0, n) and check what it found. */
static int
parse(struct bs_csv_reader *r, const char *s, size_t n, struct bs_err *err)
{
	struct csv_parser *p = r->parser;
	size_t done;

	r->row_ended = 0;
	done = n ? csv_parse(p, s, n, field_cb, row_cb, r) : 0;
	if (r->cb_err)
		return cb_failure(r, err);
	/*
	 * The field still open may already be too long.  One byte of slack:
	 * libcsv holds a closing quote in the buffer until it sees what
	 * follows.  Checked before a parse error, so that which error wins
	 * does not depend on where the segments were cut.
	 */
	if (p->entry_pos > r->opts.max_field + 1) {
		r->cb_err = CB_FIELD_LONG;
		return cb_failure(r, err);
	}
	if (done != n) {
		if (csv_error(p) != CSV_EPARSE)
			return fail(r, err, r->line, r->col0 + done + 1, "%s",
			    csv_strerror(csv_error(p)));
		if (s[done] == '"')
			return fail(r, err, r->line, r->col0 + done + 1,
			    "unexpected quote in unquoted field");
		return fail(r, err, r->line, r->col0 + done + 1,
		    "unexpected text after closing quote");
	}
	/* libcsv grows its field buffer by blk_size: make that doubling. */
	if (p->entry_size > p->blk_size && p->blk_size < BLK_MAX)
		csv_set_blk_size(p, p->entry_size < BLK_MAX ? p->entry_size : BLK_MAX);
	return 0;
}

/*
 * The common case without libcsv: a whole line (s[0, n) then LF) that
 * starts a record and holds no quote is a record of unquoted fields, split
 * at the commas; an empty one is a NULL (CSV_EMPTY_IS_NULL).  libcsv,
 * which goes byte by byte through callbacks, would find the same fields.
 * The line is copied once and scanned eight bytes at a time, its commas
 * becoming the NULs that end the fields.  Returns 1 when the record is
 * ready, 0 when the line is not that simple (a quote, or a limit reached:
 * libcsv then parses it and says which).
 */
static int
split_line(struct bs_csv_reader *r, const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, low7 = ones * 0x7F;
	const uint64_t vc = ones * ',', vq = ones * '"';
	size_t i, start = 0, nf = 0;
	uint64_t v, mc, mq, valid;
	char *d;

	if (r->nf || r->data.len || n + 2 > r->data.max ||
	    (r->data.alloc < n + 16 && bs_buf_grow(&r->data, n + 16) < 0))
		return 0;
	d = r->data.buf;
	memcpy(d, s, n);
	memset(d + n, 0, 8);	/* the last word reads zeros past the end */
#define ZEROS(w) (~((((w) & low7) + low7) | (w) | low7))
	for (i = 0; i < n; i += 8) {
		memcpy(&v, d + i, 8);
		valid = n - i >= 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * (n - i))) - 1;
		mq = ZEROS(v ^ vq) & valid;
		if (mq)
			goto not_simple;
		mc = ZEROS(v ^ vc) & valid;
		while (mc) {
			size_t at = i + ((size_t)__builtin_ctzll(mc) >> 3);

			if (nf == r->opts.max_fields || at - start > r->opts.max_field)
				goto not_simple;
			BS_ALLOC_GROW(r->f, nf + 1, r->af);
			r->f[nf].off = at == start ? BS_CSV_NULL_OFF : start;
			r->f[nf].len = at - start;
			nf++;
			d[at] = '\0';
			start = at + 1;
			mc &= mc - 1;
		}
	}
#undef ZEROS
	if (nf == r->opts.max_fields || n - start > r->opts.max_field)
		goto not_simple;
	BS_ALLOC_GROW(r->f, nf + 1, r->af);
	r->f[nf].off = n == start ? BS_CSV_NULL_OFF : start;
	r->f[nf].len = n - start;
	nf++;
	d[n] = '\0';
	d[n + 1] = '\0';
	r->nf = nf;
	r->data.len = n + 1;
	r->row_ended = 1;
	row_cb('\n', r);
	return 1;
not_simple:
	bs_buf_reset(&r->data);
	return 0;
}

/* Feed one segment: s[0, n), n > 0, no CR or LF before s[n - 1]. */
static int
feed(struct bs_csv_reader *r, const char *s, size_t n, struct bs_err *err)
{
	unsigned char last = (unsigned char)s[n - 1];
	size_t ok;

	if (!r->rec_started)
		r->rec_line = r->line;
	if (r->opts.check_utf8) {
		ok = utf8_scan(r, (const unsigned char *)s, n);
		if (ok < n) {
			/* Bytes before the bad one may hold an earlier error. */
			if (parse(r, s, ok, err) < 0)
				return -1;
			return utf8_failure(r, err);
		}
	}
	if (!r->rec_started && n > 1 && last == '\n' && r->parser->pstate == 0 &&
	    split_line(r, s, n - 1)) {
		/* done without libcsv */
	} else if (parse(r, s, n, err) < 0) {
		return -1;
	}
	if (r->row_ended) {
		r->rec_started = 0;
		if (last == '\r') {
			r->expect_lf = 1;
			r->cr_line = r->line;
			r->cr_col = r->col0 + n;
		}
	} else if (n > 1 || (last != '\n' && last != '\r')) {
		r->rec_started = 1;
	}
	if (last == '\n') {
		r->line++;
		r->col0 = 0;
	} else {
		r->col0 += n;
	}
	return 0;
}

/*
 * The fast path for whole records.  A record that starts a block's unread
 * bytes and ends in them is split here, quoted fields included, without
 * libcsv: it is scanned 64 bytes at a time for the bytes that matter
 * (, " LF CR), copied once into data, and its delimiters (and closing
 * quotes) become the NULs that end the fields.  Anything unusual -- a
 * blank line, any syntax or UTF-8 error, a limit reached, a record cut by
 * the end of the block or lacking its line end -- makes it give up before
 * changing anything, and the segment path (libcsv) reads that record from
 * its start: so every error, and its position, still comes from one place.
 * tests/unit/test_csv.c checks that both paths give the same fields.
 */

/* Bit j set when p[j] is , " LF or CR; p[0, 64) readable. */
static inline uint64_t
special64(const unsigned char *p)
{
#ifdef __SSE2__
	const __m128i q = _mm_set1_epi8('"'), c = _mm_set1_epi8(','),
	    lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
	uint64_t m = 0;
	int j;

	for (j = 0; j < 4; j++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * j));
		__m128i e = _mm_or_si128(
		    _mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, c)),
		    _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)));

		m |= (uint64_t)(uint32_t)_mm_movemask_epi8(e) << (16 * j);
	}
	return m;
#else
	static const unsigned char special[256] = {
		['\n'] = 1, ['\r'] = 1, [','] = 1, ['"'] = 1,
	};
	uint64_t m = 0;
	int j;

	for (j = 0; j < 64; j++)
		m |= (uint64_t)special[p[j]] << j;
	return m;
#endif
}

/* special64() of s[base, n), which may be shorter than 64 bytes. */
static inline uint64_t
window(const unsigned char *s, size_t base, size_t n)
{
	unsigned char tmp[64];

	if (n - base >= 64)
		return special64(s + base);
	memset(tmp, 0, sizeof(tmp));
	memcpy(tmp, s + base, n - base);
	return special64(tmp);
}

/*
 * 1 when s[0, n) is whole, valid UTF-8 without NUL bytes (the rules of
 * utf8_scan(), which says where and why when it is not).  Byte by byte.
 */
static int
utf8_ok_bytes(const unsigned char *s, size_t n)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		if (s[i] == 0)
			return 0;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (!(k = bs_utf8_char((const char *)s + i, n - i, &cp)))
			return 0;
		i += k;
	}
	return 1;
}

#ifdef __SSE2__
/*
 * The same, 64 bytes at a time: per window, bit masks of continuation
 * bytes and of 2-, 3- and 4-byte leads; the text is valid when the
 * continuation bytes are exactly those the leads call for.  A NUL, a byte
 * that is never valid (C0 C1 F5..FF) or a lead whose second byte has a
 * narrower range (E0 ED F0 F4: overlongs, surrogates, past U+10FFFF) sends
 * the whole text to utf8_ok_bytes().
 */
static int
utf8_ok(const unsigned char *s, size_t n)
{
	const __m128i zero = _mm_setzero_si128(), c0 = _mm_set1_epi8(-64);
	const __m128i m63 = _mm_set1_epi8(-63), m33 = _mm_set1_epi8(-33);
	const __m128i m32 = _mm_set1_epi8(-32), m17 = _mm_set1_epi8(-17);
	const __m128i m16 = _mm_set1_epi8(-16), m11 = _mm_set1_epi8(-11);
	const __m128i e0 = _mm_set1_epi8(-32), ed = _mm_set1_epi8(-19);
	const __m128i f0 = _mm_set1_epi8(-16), f4 = _mm_set1_epi8(-12);
	unsigned char tmp[64];
	uint64_t carry = 0;
	size_t base;

	for (base = 0; base < n; base += 64) {
		const unsigned char *p = s + base;
		uint64_t hi = 0, cont = 0, l2 = 0, l3 = 0, l4 = 0, odd = 0, valid;
		uint64_t a, b, want;
		int j;

		if (n - base < 64) {
			memset(tmp, 0x20, sizeof(tmp));
			memcpy(tmp, p, n - base);
			p = tmp;
			valid = ((uint64_t)1 << (n - base)) - 1;
		} else {
			valid = ~(uint64_t)0;
		}
		for (j = 0; j < 4; j++) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * j));
			uint64_t h = (uint32_t)_mm_movemask_epi8(v);
			__m128i bad;

			bad = _mm_cmpeq_epi8(v, zero);
			if (!h) {
				odd |= (uint64_t)(uint32_t)_mm_movemask_epi8(bad) << (16 * j);
				continue;
			}
			bad = _mm_or_si128(bad, _mm_or_si128(_mm_or_si128(
			    _mm_cmpeq_epi8(v, e0), _mm_cmpeq_epi8(v, ed)), _mm_or_si128(
			    _mm_cmpeq_epi8(v, f0), _mm_cmpeq_epi8(v, f4))));
			odd |= (uint64_t)(uint32_t)_mm_movemask_epi8(bad) << (16 * j);
			hi |= h << (16 * j);
			cont |= (uint64_t)(uint32_t)_mm_movemask_epi8(
			    _mm_cmplt_epi8(v, c0)) << (16 * j);
			l2 |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_and_si128(
			    _mm_cmpgt_epi8(v, m63), _mm_cmplt_epi8(v, m32))) << (16 * j);
			l3 |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_and_si128(
			    _mm_cmpgt_epi8(v, m33), _mm_cmplt_epi8(v, m16))) << (16 * j);
			l4 |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_and_si128(
			    _mm_cmpgt_epi8(v, m17), _mm_cmplt_epi8(v, m11))) << (16 * j);
		}
		/* C0 C1 F5..FF: high, neither continuation nor lead */
		odd |= hi & ~(cont | l2 | l3 | l4);
		if (odd & valid)
			return utf8_ok_bytes(s, n);
		a = l2 | l3 | l4;	/* need a continuation at +1 */
		b = l3 | l4;		/* and at +2 */
		want = (a << 1) | (b << 2) | (l4 << 3) | carry;
		if (want != (cont & valid))
			return 0;
		carry = (a >> 63) | (b >> 62) | (l4 >> 61);
	}
	return carry == 0;
}
#else
#define utf8_ok utf8_ok_bytes
#endif

/* Undo the doubling of quotes in field i (quoted, in data). */
static void
undouble(struct bs_csv_reader *r, size_t i)
{
	char *p = r->data.buf + r->f[i].off, *e = p + r->f[i].len, *w, *q;
	size_t k;

	q = memchr(p, '"', (size_t)(e - p));	/* there is one */
	w = q + 1;
	p = q + 2;
	while (p < e && (q = memchr(p, '"', (size_t)(e - p))) != NULL) {
		k = (size_t)(q - p) + 1;
		memmove(w, p, k);
		w += k;
		p = q + 2;
	}
	if (p < e) {
		memmove(w, p, (size_t)(e - p));
		w += e - p;
	}
	*w = '\0';
	r->f[i].len = (size_t)(w - (r->data.buf + r->f[i].off));
}

/*
 * Copy the window at s[base] (up to 64 bytes, not past n) to data and
 * return its special64() mask, in *ok 0 if data may not grow that far.
 */
static inline uint64_t
take_window(struct bs_csv_reader *r, const unsigned char *s, size_t base,
    size_t n, int *ok)
{
	size_t k = n - base < 64 ? n - base : 64;

	if (r->data.alloc < base + 64 + 2 &&
	    bs_buf_grow(&r->data, base + 64 + 1) < 0) {
		*ok = 0;
		return 0;
	}
	if (k == 64)
		memcpy(r->data.buf + base, s + base, 64);	/* a few moves */
	else
		memcpy(r->data.buf + base, s + base, k);
	return window(s, base, n);
}

/* Read the record at in[pos] if simple enough: 1 done, 0 not touched. */
static int
fast_record(struct bs_csv_reader *r)
{
	const unsigned char *s = (const unsigned char *)r->in + r->pos;
	const size_t n = r->end - r->pos, max_fields = r->opts.max_fields;
	const size_t max_field = r->opts.max_field;
	size_t base = 0, k, start = 0, qend = 0, nf = 0, ndq = 0, end, i, len;
	size_t af = r->af;
	struct bs_csv_span *f = r->f;
	uint64_t m, nlf = 0;
	int inq = 0, quoted = 0, dq = 0, ok = 1;
	unsigned char c;

	if (n < 2 || s[0] == '\n' || s[0] == '\r')
		return 0;		/* blank lines are the slow path's */
	/*
	 * Each window is copied to data as it is scanned, so a field's end
	 * becomes its NUL at once: data holds the record as it was read.
	 */
	m = take_window(r, s, 0, n, &ok);
	if (!ok)
		goto no;
	for (;;) {
		while (!m) {
			base += 64;
			if (base >= n)
				goto no;	/* cut by the end of the block */
			m = take_window(r, s, base, n, &ok);
			if (!ok)
				goto no;
		}
		k = base + (size_t)__builtin_ctzll(m);
		m &= m - 1;
		c = s[k];
		if (inq) {
			if (c == '\n') {
				nlf++;
			} else if (c == '"') {
				if (k + 1 == n)
					goto no;
				if (s[k + 1] != '"') {
					inq = 0;
					qend = k;
				} else {
					dq = 1;
					/* skip the second quote: the next bit */
					if (k + 1 < base + 64) {
						m &= m - 1;
					} else {
						base += 64;
						m = take_window(r, s, base, n, &ok) &
						    ~(uint64_t)1;
						if (!ok)
							goto no;
					}
				}
			}
			continue;
		}
		if (c == '"') {
			if (k != start || quoted)
				goto no;	/* a quote in the wrong place */
			inq = quoted = 1;
			continue;
		}
		/* , LF or CR: the field ends */
		if (quoted) {
			if (k != qend + 1)
				goto no;	/* text after the closing quote */
			len = qend - start - 1;
		} else {
			len = k - start;
		}
		if (nf == max_fields || len > max_field)
			goto no;
		if (nf == af) {
			BS_ALLOC_GROW(r->f, nf + 1, r->af);
			f = r->f;
			af = r->af;
		}
		if (quoted) {
			f[nf].off = start + 1;
			r->data.buf[qend] = '\0';
			if (dq) {
				BS_ALLOC_GROW(r->dq, ndq + 1, r->adq);
				r->dq[ndq++] = nf;
			}
		} else {
			f[nf].off = len ? start : BS_CSV_NULL_OFF;
			r->data.buf[k] = '\0';
		}
		f[nf].len = len;
		nf++;
		if (c == ',') {
			start = k + 1;
			quoted = dq = 0;
			continue;
		}
		if (c == '\r') {
			if (k + 1 == n || s[k + 1] != '\n')
				goto no;
			k++;
		}
		end = k + 1;
		nlf++;
		break;
	}
	if (end + 2 > r->data.max || (r->opts.check_utf8 && !utf8_ok(s, end)))
		goto no;
	r->data.buf[end] = '\0';
	for (i = 0; i < ndq; i++)
		undouble(r, r->dq[i]);
	r->data.len = end;
	r->nf = nf;
	r->rec_line = r->line;
	r->rec_off = r->buf_off + r->pos;
	r->line += nlf;
	r->col0 = 0;
	r->pos += end;
	r->rec_ready = 1;
	return 1;
no:
	if (r->data.buf)
		r->data.buf[0] = '\0';	/* still empty */
	return 0;
}

/* Feed from the read buffer up to and including the next CR or LF. */
static int
feed_segment(struct bs_csv_reader *r, struct bs_err *err)
{
	const char *s = r->in + r->pos, *p;
	size_t avail = r->end - r->pos, stop, n;

	if (r->nl_at == NONE || r->nl_at < r->pos) {
		p = memchr(s, '\n', avail);
		r->nl_at = p ? (size_t)(p - r->in) : r->end;
	}
	if (r->cr_at == NONE || r->cr_at < r->pos) {
		p = memchr(s, '\r', avail);
		r->cr_at = p ? (size_t)(p - r->in) : r->end;
	}
	stop = r->nl_at < r->cr_at ? r->nl_at : r->cr_at;
	n = stop < r->end ? stop - r->pos + 1 : avail;
	if (!r->rec_started)
		r->rec_off = r->buf_off + r->pos;
	r->pos += n;
	return feed(r, s, n, err);
}

/* At the very start: skip a BOM, or feed the part of one that was not. */
static int
skip_bom(struct bs_csv_reader *r, struct bs_err *err)
{
	int k;

	while (r->pos < r->end) {
		if ((unsigned char)r->in[r->pos] != bom_bytes[r->bom]) {
			k = r->bom;
			r->bom = -1;
			return k ? feed(r, (const char *)bom_bytes, (size_t)k, err) : 0;
		}
		r->pos++;
		if (++r->bom == 3) {
			r->bom = -1;
			return 0;
		}
	}
	return 0;
}

static int
fill(struct bs_csv_reader *r, struct bs_err *err)
{
	const char *p;
	ssize_t k;
	size_t n;

	r->buf_off += r->end;
	if (r->src.next) {
		do
			k = r->src.next(r->src.ctx, &p);
		while (k < 0 && errno == EINTR);
		if (k < 0) {
			r->failed = 1;
			return bs_err_set(err, BS_EXIT_IOERR, "cannot read '%s': %s",
			    r->name, strerror(errno));
		}
		n = (size_t)k;
		r->in = n ? p : r->buf;
		if (n == 0)
			r->eof = 1;
	} else {
		n = fread(r->buf, 1, r->opts.chunk, r->fp);
		if (n == 0) {
			if (ferror(r->fp)) {
				r->failed = 1;
				return bs_err_set(err, BS_EXIT_IOERR, "cannot read '%s': %s",
				    r->name, strerror(errno));
			}
			r->eof = 1;
		}
		r->in = r->buf;
	}
	r->pos = 0;
	r->end = n;
	r->nl_at = r->cr_at = NONE;
	return 0;
}

static int
bare_cr(struct bs_csv_reader *r, struct bs_err *err)
{
	return fail(r, err, r->cr_line, r->cr_col,
	    "bare carriage return (line ends must be LF or CRLF)");
}

/* End of input: flush libcsv; 1 if that completed a record, else 0. */
static int
finish(struct bs_csv_reader *r, struct bs_err *err)
{
	int k;

	if (r->expect_lf)
		return bare_cr(r, err);
	if (r->bom > 0) {
		k = r->bom;
		r->bom = -1;
		if (feed(r, (const char *)bom_bytes, (size_t)k, err) < 0)
			return -1;
	}
	if (r->u_need)
		return utf8_failure(r, err);
	if (csv_fini(r->parser, field_cb, row_cb, r) != 0)
		return fail(r, err, r->rec_line, 0,
		    "field %zu: quoted field not closed at end of file", r->nf + 1);
	if (r->cb_err)
		return cb_failure(r, err);
	r->finished = 1;
	if (r->rec_ready) {
		r->rec_ready = 0;
		return 1;
	}
	return 0;
}

/* Read one record (header or data) into f/data: 1, 0 at end, -1. */
static int
read_record(struct bs_csv_reader *r, struct bs_err *err)
{
	r->nf = 0;
	bs_buf_reset(&r->data);
	if (r->failed)
		return bs_err_set(err, BS_EXIT_SOFTWARE,
		    "%s: csv reader used after an error", r->name);
	if (r->finished)
		return 0;
	for (;;) {
		if (r->rec_ready && !r->expect_lf) {
			r->rec_ready = 0;
			return 1;
		}
		if (r->pos == r->end) {
			if (r->eof)
				return finish(r, err);
			if (fill(r, err) < 0)
				return -1;
			continue;
		}
		if (r->expect_lf) {
			if (r->in[r->pos] != '\n')
				return bare_cr(r, err);
			r->pos++;
			r->line++;
			r->col0 = 0;
			r->expect_lf = 0;
			continue;
		}
		if (r->bom >= 0) {
			if (skip_bom(r, err) < 0)
				return -1;
			continue;
		}
		if (!r->rec_started && r->parser->pstate == 0 && fast_record(r))
			continue;
		if (feed_segment(r, err) < 0)
			return -1;
	}
}

static size_t
or_default(size_t v, size_t def)
{
	return v ? v : def;
}

/* Open on a stream or (src not NULL) on a block source. */
static int
open_common(struct bs_csv_reader *r, FILE *fp, const struct bs_csv_src *src,
    const char *name, const struct bs_csv_opts *o, struct bs_err *err)
{
	struct bs_csv_opts def = BS_CSV_OPTS_INIT;
	struct bs_buf tb;
	struct bs_csv_span *ts;
	size_t ta;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!o)
		o = &def;
	r->opts.chunk = or_default(o->chunk, BS_CSV_CHUNK);
	r->opts.max_field = or_default(o->max_field, BS_CSV_MAX_FIELD);
	r->opts.max_fields = or_default(o->max_fields, BS_CSV_MAX_FIELDS);
	r->opts.max_record = or_default(o->max_record, BS_CSV_MAX_RECORD);
	r->opts.header = o->header;
	r->opts.check_utf8 = o->check_utf8;
	r->name = bs_xstrdup(name);
	r->fp = fp;
	if (src)
		r->src = *src;
	r->parser = bs_xmalloc(sizeof(*r->parser));
	csv_init(r->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL |
	    CSV_REPALL_NL);
	csv_set_space_func(r->parser, never_space);
	csv_set_realloc_func(r->parser, bs_xrealloc);	/* OOM policy: exit 71 */
	if (!src)
		r->buf = bs_xmalloc(r->opts.chunk);
	r->in = r->buf;
	r->nl_at = r->cr_at = NONE;
	r->line = 1;
	r->data.max = r->opts.max_record;
	r->hdata.max = 0;
	if (!r->opts.header)
		return 0;

	r->in_header = 1;
	rc = read_record(r, err);
	if (rc == 0) {
		r->failed = 1;
		bs_err_set(err, BS_EXIT_DATAERR, "%s: empty file, no header",
		    r->name);
	}
	if (rc <= 0) {
		bs_csv_close(r);
		return -1;
	}
	/* The header keeps the record's storage; data gets the old header's. */
	tb = r->hdata;
	r->hdata = r->data;
	r->data = tb;
	r->data.max = r->opts.max_record;
	r->hdata.max = 0;
	ts = r->h;
	r->h = r->f;
	r->f = ts;
	ta = r->ah;
	r->ah = r->af;
	r->af = ta;
	r->nh = r->nf;
	r->nf = 0;
	r->cur_line = r->rec_line;
	r->in_header = 0;
	return 0;
}

int
bs_csv_open_fp(struct bs_csv_reader *r, FILE *fp, const char *name,
    const struct bs_csv_opts *o, struct bs_err *err)
{
	return open_common(r, fp, NULL, name, o, err);
}

int
bs_csv_open_src(struct bs_csv_reader *r, const struct bs_csv_src *src,
    const char *name, const struct bs_csv_opts *o, struct bs_err *err)
{
	return open_common(r, NULL, src, name, o, err);
}

int
bs_csv_open(struct bs_csv_reader *r, const char *path,
    const struct bs_csv_opts *o, struct bs_err *err)
{
	struct stat st;
	FILE *fp;

	memset(r, 0, sizeof(*r));
	if (strcmp(path, "-") == 0)
		return bs_csv_open_fp(r, stdin, "stdin", o, err);
	fp = fopen(path, "rbe");
	if (!fp)
		return bs_err_set(err, BS_EXIT_NOINPUT, "cannot open '%s': %s",
		    path, strerror(errno));
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(fp);
		return bs_err_set(err, BS_EXIT_NOINPUT, "cannot read '%s': %s",
		    path, strerror(EISDIR));
	}
	if (bs_csv_open_fp(r, fp, path, o, err) < 0) {
		fclose(fp);
		return -1;
	}
	r->own_fp = 1;
	return 0;
}

int
bs_csv_next(struct bs_csv_reader *r, struct bs_err *err)
{
	int rc = read_record(r, err);

	if (rc < 0) {
		r->failed = 1;
		r->nf = 0;
		return -1;
	}
	if (rc > 0) {
		r->recno++;
		r->cur_line = r->rec_line;
		r->cur_off = r->rec_off;
	}
	return rc;
}

size_t
bs_csv_nfields(const struct bs_csv_reader *r)
{
	return r->nf;
}

const char *
bs_csv_field(const struct bs_csv_reader *r, size_t i, size_t *len)
{
	if (i >= r->nf || r->f[i].off == BS_CSV_NULL_OFF) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (len)
		*len = r->f[i].len;
	return r->data.buf + r->f[i].off;
}

const struct bs_csv_span *
bs_csv_record(const struct bs_csv_reader *r, const char **block, size_t *len)
{
	*block = r->data.buf ? r->data.buf : "";
	*len = r->data.len;
	return r->f;
}

size_t
bs_csv_header_count(const struct bs_csv_reader *r)
{
	return r->nh;
}

const char *
bs_csv_header(const struct bs_csv_reader *r, size_t i)
{
	if (i >= r->nh)
		return NULL;
	if (r->h[i].off == BS_CSV_NULL_OFF)
		return "";
	return r->hdata.buf + r->h[i].off;
}

long
bs_csv_header_index(const struct bs_csv_reader *r, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < r->nh; i++) {
		if (r->h[i].off == BS_CSV_NULL_OFF) {
			if (n == 0)
				return (long)i;
		} else if (r->h[i].len == n &&
		    memcmp(r->hdata.buf + r->h[i].off, name, n) == 0) {
			return (long)i;
		}
	}
	return -1;
}

uint64_t
bs_csv_offset(const struct bs_csv_reader *r)
{
	return r->cur_off;
}

uint64_t
bs_csv_recno(const struct bs_csv_reader *r)
{
	return r->recno;
}

uint64_t
bs_csv_line(const struct bs_csv_reader *r)
{
	return r->cur_line;
}

const char *
bs_csv_name(const struct bs_csv_reader *r)
{
	return r->name ? r->name : "";
}

int
bs_csv_error(const struct bs_csv_reader *r, struct bs_err *err, int code,
    const char *fmt, ...)
{
	char msg[BS_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return bs_err_set(err, code, "%s: record %" PRIu64 " (line %" PRIu64
	    "): %s", bs_csv_name(r), r->recno, r->cur_line, msg);
}

void
bs_csv_close(struct bs_csv_reader *r)
{
	if (!r)
		return;
	if (r->own_fp && r->fp)
		fclose(r->fp);
	if (r->parser) {
		csv_free(r->parser);
		free(r->parser);
	}
	free(r->buf);
	free(r->name);
	free(r->f);
	free(r->dq);
	free(r->h);
	bs_buf_release(&r->data);
	bs_buf_release(&r->hdata);
	memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------------ writer */

/* Bytes that force quoting: , " CR LF. */
static const unsigned char needs_quote[256] = {
	['\n'] = 1, ['\r'] = 1, [','] = 1, ['"'] = 1,
};

#define WRITER_FLUSH ((size_t)64 * 1024)	/* flush a long record early */

int
bs_csv_buf_field(struct bs_buf *b, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, nq = 0;
	char *d;

	if (!s)
		return 0;
	if (len == 0)
		return bs_buf_add(b, "\"\"", 2);
	for (i = 0; i < len && !needs_quote[u[i]]; i++)
		;
	if (i == len)
		return bs_buf_add(b, s, len);
	for (; i < len; i++)
		nq += u[i] == '"';
	if (len > SIZE_MAX - 2 - nq || bs_buf_grow(b, len + nq + 2) < 0)
		return -1;
	d = b->buf + b->len;
	*d++ = '"';
	for (i = 0; i < len; i++) {
		if (u[i] == '"')
			*d++ = '"';
		*d++ = (char)u[i];
	}
	*d++ = '"';
	b->len = (size_t)(d - b->buf);
	b->buf[b->len] = '\0';
	return 0;
}

void
bs_csv_writer_init(struct bs_csv_writer *w, struct bs_ofile *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->line.max = 0;	/* data we generate: no cap (flushed at 64 KiB) */
}

static int
writer_flush(struct bs_csv_writer *w, struct bs_err *err)
{
	int rc = 0;

	if (w->line.len)
		rc = bs_ofile_write(w->out, w->line.buf, w->line.len, err);
	bs_buf_reset(&w->line);
	return rc;
}

int
bs_csv_write_field(struct bs_csv_writer *w, const char *s, size_t len,
    struct bs_err *err)
{
	if (w->nfields++ && bs_buf_addc(&w->line, ',') < 0)
		return bs_err_set(err, BS_EXIT_SOFTWARE, "csv writer: buffer cap");
	if (bs_csv_buf_field(&w->line, s, len) < 0)
		return bs_err_set(err, BS_EXIT_SOFTWARE, "csv writer: buffer cap");
	if (w->line.len >= WRITER_FLUSH)
		return writer_flush(w, err);
	return 0;
}

int
bs_csv_write_str(struct bs_csv_writer *w, const char *s, struct bs_err *err)
{
	return bs_csv_write_field(w, s, s ? strlen(s) : 0, err);
}

int
bs_csv_end_record(struct bs_csv_writer *w, struct bs_err *err)
{
	if (w->nfields == 0)
		return bs_err_set(err, BS_EXIT_SOFTWARE,
		    "csv writer: record without fields (this is a bug)");
	if (bs_buf_addc(&w->line, '\n') < 0)
		return bs_err_set(err, BS_EXIT_SOFTWARE, "csv writer: buffer cap");
	w->nfields = 0;
	w->nrecords++;
	return writer_flush(w, err);
}

int
bs_csv_write_record(struct bs_csv_writer *w, const char *const *v, size_t n,
    struct bs_err *err)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (bs_csv_write_str(w, v[i], err) < 0)
			return -1;
	return bs_csv_end_record(w, err);
}

void
bs_csv_writer_release(struct bs_csv_writer *w)
{
	if (!w)
		return;
	bs_buf_release(&w->line);
	w->nfields = 0;
}
