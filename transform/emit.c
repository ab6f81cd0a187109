#include "bs.h"
#include "emit.h"
#include "csv.h"
#include "decimal.h"
#include "encode.h"
#include "input.h"
#include "ofile.h"
#include "rundir.h"
#include "sum.h"
#include "verify.h"

#include "expr.h"

#define LINE_MAX_BYTES ((size_t)64 * 1024 * 1024)	/* one output line */

/* ------------------------------------------------------------ exclusions */

static size_t
khash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 31));
}

long
tf_excl_find(const struct tf_excl *x, const char *key, size_t n)
{
	size_t i;

	if (!x || !x->nslots)
		return -1;
	for (i = khash(key, n) & (x->nslots - 1); x->slots[i];
	    i = (i + 1) & (x->nslots - 1)) {
		const char *k = x->keys[x->slots[i] - 1];

		if (strlen(k) == n && memcmp(k, key, n) == 0)
			return (long)(x->slots[i] - 1);
	}
	return -1;
}

void
tf_excl_add(struct tf_excl *x, const char *key)
{
	size_t i, j, n = strlen(key);

	if (tf_excl_find(x, key, n) >= 0)
		return;
	if (2 * (x->n + 1) > x->nslots) {
		size_t ns = x->nslots ? 2 * x->nslots : 64;

		free(x->slots);
		x->slots = bs_xcalloc(ns, sizeof(size_t));
		x->nslots = ns;
		for (j = 0; j < x->n; j++) {
			for (i = khash(x->keys[j], strlen(x->keys[j])) & (ns - 1);
			    x->slots[i]; i = (i + 1) & (ns - 1))
				;
			x->slots[i] = j + 1;
		}
	}
	BS_ALLOC_GROW(x->keys, x->n + 1, x->alloc);
	x->keys[x->n] = bs_xstrdup(key);
	for (i = khash(key, n) & (x->nslots - 1); x->slots[i];
	    i = (i + 1) & (x->nslots - 1))
		;
	x->slots[i] = ++x->n;
}

void
tf_excl_release(struct tf_excl *x)
{
	size_t i;

	if (!x)
		return;
	for (i = 0; i < x->n; i++)
		free(x->keys[i]);
	free(x->keys);
	free(x->hit);
	free(x->slots);
	memset(x, 0, sizeof(*x));
}

/* --------------------------------------------------------------- the job */

/* A field compiled against the input's header. */
struct cf {
	const struct bs_lay_field *lf;
	long col;		/* BS_LAY_COLUMN: index in the record */
	void *expr;		/* BS_LAY_EXPR: struct bs_expr */
	int qualify;		/* always written inside the qualifier */
	int summed;
	struct bs_dec sum;
	size_t null_len;	/* strlen(lf->null_text) */
	unsigned null_flags;	/* value_flags() of null_text */
	unsigned fmt_flags;	/* of what the format adds: date literals, or
				   the characters of a number */
	size_t value_len;	/* BS_LAY_VALUE: strlen(lf->value) */
	size_t off, len;	/* this row: its text in the UTF-8 line */
	int ascii;		/* this row: its text is ASCII */
};

struct em {
	struct tf_run *run;
	struct tf_job *job;
	const struct bs_lay_file *lf;
	struct tf_feed feed;	/* the input, read ahead; feed.r: its reader */
	int have_feed;
	struct cf *f;
	size_t nf;
	long *keycol;
	struct bs_encoder enc;
	int have_enc;
	unsigned char cls[256];	/* per byte: CLS_* */
	uint64_t vd, vq;	/* delimiter and qualifier in every byte */
	/* the row being built */
	struct bs_buf line;	/* UTF-8 (delimited) */
	struct bs_buf eline;	/* encoded */
	struct bs_buf val;	/* one value (fixed; scratch) */
	struct bs_buf tmp;	/* expression results, decimals */
	struct bs_buf key;	/* the record key text */
	int key_done;
	int row_bad;		/* a refusal in this row */
	struct bs_buf *pend;	/* this row's refusals per field (nf + 1) */
	int notice;		/* say that --max-problems was reached */
	/* output */
	struct tf_verifier *sink;	/* writes the part and reads it back */
	struct bs_sha256 check_h;	/* --check: the SHA-256 of what would be */
	int check_hashing;
	struct tf_part *part;	/* current */
	unsigned long long part_lines;	/* lines in the part (header too) */
	const void **vals;	/* expression rows */
	size_t *lens;
};

enum {
	CLS_CTRL = 1,		/* < 0x20 except CR LF, and 0x7F */
	CLS_BREAK = 2,		/* CR, LF */
	CLS_DELIM = 4,
	CLS_QUAL = 8,
};

/* ---------------------------------------------------------------- refusals */

static const char *
key_text(struct em *m)
{
	size_t i;

	if (m->key_done)
		return m->key.len ? m->key.buf : NULL;
	m->key_done = 1;
	bs_buf_reset(&m->key);
	for (i = 0; i < m->job->nkey; i++) {
		size_t n;
		const char *v = tf_feed_field(&m->feed, (size_t)m->keycol[i], &n);

		if (i)
			bs_buf_addc(&m->key, '|');
		if (v)
			bs_buf_add(&m->key, v, n);
	}
	return m->job->nkey ? bs_buf_str(&m->key) : NULL;
}

/* A value cannot be written: count it, print it (up to the limit). */
static void __attribute__((format(printf, 3, 4)))
refuse(struct em *m, const struct cf *f, const char *fmt, ...)
{
	struct tf_run *run = m->run;
	char what[1024];
	struct bs_buf where = BS_BUF_INIT(0);
	const char *k;
	va_list ap;

	m->row_bad = 1;
	m->job->refused++;
	run->problems++;
	if (run->max_problems && run->problems > run->max_problems) {
		if (run->problems == run->max_problems + 1)
			m->notice = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	bs_buf_addf(&where, "%s: record %" PRIu64 " (line %" PRIu64 ")",
	    m->job->label, tf_feed_recno(&m->feed), tf_feed_line(&m->feed));
	k = key_text(m);
	if (k)
		bs_buf_addf(&where, ", key %s", k);
	if (f) {
		const struct bs_lay_field *lf = f->lf;

		if (lf->src == BS_LAY_COLUMN && strcmp(lf->column, lf->name) != 0)
			bs_buf_addf(&where, ", column %s (field %s)", lf->column, lf->name);
		else if (lf->src == BS_LAY_COLUMN)
			bs_buf_addf(&where, ", column %s", lf->column);
		else
			bs_buf_addf(&where, ", field %s", lf->name);
	}
	/*
	 * Printed in field order when the row is done (flush_refusals), one
	 * line each: a control character from the data (in a key, a code)
	 * is shown as \xNN.
	 */
	bs_buf_addf(&where, ": %s", what);
	{
		struct bs_buf *p = &m->pend[f ? (size_t)(f - m->f) : m->nf];
		const unsigned char *c;

		for (c = (const unsigned char *)bs_buf_str(&where); *c; c++)
			if (*c < 0x20 || *c == 0x7F)
				bs_buf_addf(p, "\\x%02x", *c);
			else
				bs_buf_addc(p, (char)*c);
		bs_buf_addc(p, '\n');
	}
	bs_buf_release(&where);
}

static void
flush_refusals(struct em *m)
{
	size_t i;

	for (i = 0; m->pend && i <= m->nf; i++) {
		char *line = m->pend[i].buf, *nl;

		while (line && (nl = strchr(line, '\n')) != NULL) {
			*nl = '\0';
			bs_error("%s", line);
			line = nl + 1;
		}
		bs_buf_reset(&m->pend[i]);
	}
	if (m->notice)
		bs_error("more values cannot be written; only the first %lu are "
		    "shown (--max-problems)", m->run->max_problems);
	m->notice = 0;
}

/* Quote s[0, n) for a message: at most 40 characters, UTF-8 intact. */
static const char *
shown(const char *s, size_t n, char *buf, size_t size)
{
	size_t i = 0, chars = 0, k;
	uint32_t cp;

	while (i < n && chars < 40) {
		k = bs_utf8_char(s + i, n - i, &cp);
		if (!k)
			k = 1;
		if (i + k >= size - 4)
			break;
		i += k;
		chars++;
	}
	memcpy(buf, s, i);
	if (i < n)
		memcpy(buf + i, "...", 4);
	else
		buf[i] = '\0';
	return buf;
}

/* The character at s[0, n) as "'X' (U+XXXX)". */
static const char *
char_shown(const char *s, size_t n, char *buf, size_t size)
{
	uint32_t cp = 0;
	size_t k = bs_utf8_char(s, n, &cp);

	if (!k)
		snprintf(buf, size, "byte 0x%02x", (unsigned char)s[0]);
	else if (cp < 0x20 || cp == 0x7F)
		snprintf(buf, size, "U+%04X", (unsigned)cp);
	else
		snprintf(buf, size, "'%.*s' (U+%04X)", (int)k, s, (unsigned)cp);
	return buf;
}

/* s[0, n) for a message, control characters as \t \n \r \xNN. */
static const char *
escaped(const char *s, size_t n, char *buf, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 8 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\t' || c == '\n' || c == '\r') {
			buf[o++] = '\\';
			buf[o++] = c == '\t' ? 't' : c == '\n' ? 'n' : 'r';
		} else if (c < 0x20 || c == 0x7F) {
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	if (i < n && o + 4 < size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* --------------------------------------------------------------- formatting */

/* bs_buf_add() without the call when there is room (the common case). */
static inline void
put(struct bs_buf *b, const char *s, size_t n)
{
	if (b->alloc - b->len > n) {
		memcpy(b->buf + b->len, s, n);
		b->len += n;
		b->buf[b->len] = '\0';
	} else {
		bs_buf_add(b, s, n);
	}
}

static int
is_blank_at(const char *s, size_t n, size_t *k)
{
	if (n >= 1 && (s[0] == ' ' || s[0] == '\t')) {
		*k = 1;
		return 1;
	}
	if (n >= 3 && !memcmp(s, "\xE3\x80\x80", 3)) {	/* U+3000 */
		*k = 3;
		return 1;
	}
	return 0;
}

static void
trim(const char **s, size_t *n)
{
	size_t k;

	while (is_blank_at(*s, *n, &k)) {
		*s += k;
		*n -= k;
	}
	for (;;) {
		if (*n >= 1 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
			*n -= 1;
		else if (*n >= 3 && !memcmp(*s + *n - 3, "\xE3\x80\x80", 3))
			*n -= 3;
		else
			break;
	}
}

/* -?(0|[1-9][0-9]*) followed by '.' and exactly scale digits (none if 0). */
static int
canonical_number(const char *s, size_t n, int scale)
{
	size_t i = 0, int_start, digits;

	if (i < n && s[i] == '-')
		i++;
	int_start = i;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	digits = i - int_start;
	if (digits == 0 || (digits > 1 && s[int_start] == '0') || digits > 20)
		return 0;
	if (scale == 0) {
		if (i != n)
			return 0;
	} else {
		size_t j;

		if (i >= n || s[i] != '.' || n - i - 1 != (size_t)scale)
			return 0;
		for (j = i + 1; j < n; j++)
			if (s[j] < '0' || s[j] > '9')
				return 0;
	}
	/* "-0", "-0.00": the sign of zero goes */
	if (s[0] == '-') {
		for (i = 1; i < n; i++)
			if (s[i] != '0' && s[i] != '.')
				return 1;
		return 0;
	}
	return 1;
}

/* A decimal or integer value into out; 0, or 1 refused. */
static int
fmt_number(struct em *m, struct cf *f, const char *s, size_t n,
    struct bs_buf *out)
{
	const struct bs_lay_field *lf = f->lf;
	int scale = lf->kind == BS_LAY_DECIMAL ? lf->scale : 0;
	struct bs_err e;	/* not zeroed whole: 2 KiB per value */
	struct bs_dec d, r;
	char buf[BS_DEC_STR_MAX], show[200];
	size_t len;

	if (canonical_number(s, n, scale)) {
		put(out, s, n);
		return 0;
	}
	e.code = 0;
	e.msg[0] = '\0';
	if (bs_dec_parse(s, n, 0, &d, &e) < 0) {
		refuse(m, f, "'%s' is not %s", shown(s, n, show, sizeof(show)),
		    lf->kind == BS_LAY_DECIMAL ? "a decimal number" : "an integer");
		return 1;
	}
	if (d.scale > scale) {
		if (bs_dec_rescale(&d, scale, &r, &e) < 0 ||
		    (bs_dec_cmp(&r, &d) != 0 && !lf->round)) {
			if (lf->kind == BS_LAY_INTEGER)
				refuse(m, f, "'%s' is not an integer",
				    shown(s, n, show, sizeof(show)));
			else
				refuse(m, f, "'%s' has more than %d decimal places "
				    "(round: true would round it half up)",
				    shown(s, n, show, sizeof(show)), scale);
			return 1;
		}
		d = r;
	}
	len = bs_dec_str(&d, scale, buf);
	bs_buf_add(out, buf, len);
	return 0;
}

static int
eval_expr(struct em *m, struct cf *f, const char **s, size_t *n)
{
	struct bs_row row;
	struct bs_err e;	/* not zeroed whole: 2 KiB per value */
	size_t i, nf = bs_csv_header_count(&m->feed.r);
	int is_null = 0, rc;

	e.code = 0;
	e.msg[0] = '\0';
	for (i = 0; i < nf; i++)
		m->vals[i] = tf_feed_field(&m->feed, i, &m->lens[i]);
	row.n = nf;
	row.fields = (const char *const *)m->vals;
	row.lens = m->lens;
	bs_buf_reset(&m->tmp);
	rc = bs_expr_eval_text(f->expr, &row, &m->tmp, &is_null, &e);
	if (rc == 1) {
		refuse(m, f, "expression: %s", e.msg);
		return -1;
	}
	if (rc < 0) {
		refuse(m, f, "expression cannot be evaluated: %s", e.msg);
		return -1;
	}
	*s = is_null ? NULL : m->tmp.buf ? m->tmp.buf : "";
	*n = m->tmp.len;
	return 0;
}

/*
 * Flags of a value: FL_SPECIAL when it holds a control character (CR and
 * LF included), the delimiter or the qualifier; FL_HIGH when it holds a
 * byte >= 0x80.  Eight bytes at a time, each byte tested on its own (no
 * carry crosses a byte), so a word may overlap bytes outside the value
 * that are then masked out.
 */
enum { FL_SPECIAL = 1, FL_HIGH = 2 };

#define ONES 0x0101010101010101ULL
#define LOW7 (ONES * 0x7F)
#define HIGH (ONES * 0x80)

/* 0x80 in every byte of v that is special (see above) or >= 0x80. */
static inline uint64_t
word_special(uint64_t v, uint64_t vd, uint64_t vq)
{
#define ZEROS(w) (~((((w) & LOW7) + LOW7) | (w) | LOW7))
	return (~(((v & LOW7) + ONES * 0x60) | v) & HIGH) |	/* < 0x20 */
	    ZEROS(v ^ (ONES * 0x7F)) | ZEROS(v ^ vd) | ZEROS(v ^ vq);
#undef ZEROS
}

static inline unsigned
flags_of(uint64_t sp, uint64_t hi)
{
	return (sp & HIGH ? FL_SPECIAL : 0) | (hi & HIGH ? FL_HIGH : 0);
}

/* s[0, n), nothing read outside it. */
static inline unsigned
value_flags(const unsigned char *s, size_t n, uint64_t vd, uint64_t vq)
{
	uint64_t sp = 0, hi = 0, v;
	unsigned char d = (unsigned char)vd, q = (unsigned char)vq, c;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&v, s + i, 8);
		hi |= v;
		sp |= word_special(v, vd, vq);
	}
	for (; i < n; i++) {
		c = s[i];
		hi |= c;
		if (c < 0x20 || c == 0x7F || c == d || c == q)
			sp |= HIGH;
	}
	return flags_of(sp, hi);
}

/*
 * The same for a value at s = block + off (n bytes) of a record block: a
 * tail shorter than a word is read as the word that ends with the value,
 * whose first bytes (inside the block) are masked out.
 */
static inline unsigned
field_flags(const unsigned char *block, size_t off, size_t n, uint64_t vd,
    uint64_t vq)
{
	const unsigned char *s = block + off;
	uint64_t sp = 0, hi = 0, v, keep;
	size_t i, t;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&v, s + i, 8);
		hi |= v;
		sp |= word_special(v, vd, vq);
	}
	t = n - i;
	if (!t)
		return flags_of(sp, hi);
	if (off + n < 8)
		return value_flags(s, n, vd, vq);
	memcpy(&v, s + n - 8, 8);
	keep = ~(uint64_t)0 << (8 * (8 - t));	/* the last t bytes */
	hi |= v & keep;
	sp |= word_special(v, vd, vq) & keep;
	return flags_of(sp, hi);
}

/*
 * Append field f's text for the current record to out.  0 done, 1 refused
 * (out may hold part of it).
 */
static int
format_value(struct em *m, struct cf *f, struct bs_buf *out, int *was_null,
    unsigned *flags)
{
	const struct bs_lay_field *lf = f->lf;
	const char *s = NULL;
	size_t n = 0;
	char show[200];
	int col = 0;

	*was_null = 0;
	switch (lf->src) {
	case BS_LAY_COLUMN:
		s = tf_feed_field(&m->feed, (size_t)f->col, &n);
		col = 1;
		break;
	case BS_LAY_VALUE:
		s = lf->value;
		n = f->value_len;
		break;
	case BS_LAY_EXPR:
		if (eval_expr(m, f, &s, &n) < 0)
			return 1;
		break;
	}
	*was_null = !s;
	if (!s) {
		*flags |= f->null_flags;
		put(out, lf->null_text, f->null_len);
		return 0;
	}
	if (lf->trim) {
		trim(&s, &n);
		col = 0;
	}
	if (lf->map) {
		const char *to = bs_lay_map_get(lf->map, s, n);

		if (!to) {
			refuse(m, f, "code '%s' has no mapping in map '%s'",
			    shown(s, n, show, sizeof(show)), lf->map->name);
			return 1;
		}
		s = to;
		n = strlen(to);
		col = 0;
	}
	switch (lf->kind) {
	case BS_LAY_TEXT:
		/* looked at where it is, not where put() just stored it: a load
		 * across fresh small stores stalls */
		*flags |= col ? field_flags((const unsigned char *)m->feed.block,
		    (size_t)(s - m->feed.block), n, m->vd, m->vq) :
		    value_flags((const unsigned char *)s, n, m->vd, m->vq);
		put(out, s, n);
		return 0;
	case BS_LAY_DATE:
		*flags |= f->fmt_flags;
		if (bs_lay_date_format(&lf->date, s, n, out) < 0) {
			refuse(m, f, "'%s' is not a %s", shown(s, n, show, sizeof(show)),
			    lf->date.has_time ? "date (YYYY-MM-DD) or timestamp "
			    "(YYYY-MM-DD HH:MM:SS)" : "date (YYYY-MM-DD)");
			return 1;
		}
		return 0;
	default:
		*flags |= f->fmt_flags;
		return fmt_number(m, f, s, n, out);
	}
}

/* Add the formatted number s[0, n) to f's sum. */
static void
add_sum(struct em *m, struct cf *f, const char *s, size_t n, int was_null)
{
	/* a NULL adds nothing, nor its text: the file cannot tell them apart */
	if (was_null || n == 0 || (n == f->null_len &&
	    !memcmp(s, f->lf->null_text, n)))
		return;
	if (tf_sum_add(&f->sum, s, n) < 0)
		refuse(m, f, "cannot add '%.*s' to the control total (over 38 digits)",
		    (int)n, s);
}

/* ------------------------------------------------------------------ output */

/* Bytes of the current part. */
static int
out(struct em *m, const void *p, size_t n, struct bs_err *err)
{
	m->part->bytes += n;
	if (m->run->problems)
		return 0;	/* already refused: count only */
	if (m->check_hashing) {
		bs_sha256_update(&m->check_h, p, n);	/* --check */
		return 0;
	}
	return m->sink ? tf_sink_write(m->sink, p, n, err) : 0;
}

/* A line of the current part: line ends go between lines. */
static int
out_line(struct em *m, const char *p, size_t n, struct bs_err *err)
{
	if (m->part_lines++ && out(m, m->lf->eol, strlen(m->lf->eol), err) < 0)
		return -1;
	return out(m, p, n, err);
}

static int
name_taken(struct tf_run *run, const char *name)
{
	size_t i;

	for (i = 0; i < run->nnames; i++)
		if (!strcmp(run->names[i], name))
			return 1;
	return 0;
}

/* Check an output name and remember it. */
static int
claim_name(struct em *m, const char *name, const char *what, struct bs_err *err)
{
	struct tf_run *run = m->run;
	const unsigned char *p;

	if (!*name || name[0] == '.' || strchr(name, '/'))
		return bs_err_set(err, BS_EXIT_CONFIG,
		    "%s: %s name '%s' is not a usable file name (empty, starting "
		    "with '.', or holding '/')", m->job->label, what, name);
	for (p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7F)
			return bs_err_set(err, BS_EXIT_CONFIG,
			    "%s: %s name '%s' holds a control character", m->job->label,
			    what, name);
	if (name_taken(run, name))
		return bs_err_set(err, BS_EXIT_CONFIG,
		    "%s: two output files would be named '%s' (make the layout's "
		    "name patterns differ, e.g. with {table})", m->job->label, name);
	run->names = bs_xreallocarray(run->names, run->nnames + 1, sizeof(char *));
	run->names[run->nnames++] = bs_xstrdup(name);
	return 0;
}

static struct bs_lay_vars
vars_for(struct em *m, unsigned long seq)
{
	struct bs_lay_vars v = m->run->vars;

	v.table = m->lf->code;
	v.seq = seq;
	return v;
}

static int header_line(struct em *m, struct bs_err *err);

static int
open_part(struct em *m, struct bs_err *err)
{
	struct tf_job *job = m->job;
	struct bs_lay_vars v = vars_for(m, job->nparts + 1);
	struct bs_buf name = BS_BUF_INIT(4096);
	struct tf_part *p;
	size_t bomn;
	const char *bom;

	if (bs_lay_expand(&m->lf->name, &v, &name, err) < 0) {
		bs_buf_release(&name);
		return bs_err_prefix(err, "%s", job->label);
	}
	if (claim_name(m, bs_buf_str(&name), "file", err) < 0) {
		bs_buf_release(&name);
		return -1;
	}
	job->parts = bs_xreallocarray(job->parts, job->nparts + 1, sizeof(*p));
	p = m->part = &job->parts[job->nparts++];
	memset(p, 0, sizeof(*p));
	p->name = bs_buf_detach(&name, NULL);
	p->sums = bs_xcalloc(m->nf, sizeof(char *));
	m->part_lines = 0;
	for (size_t i = 0; i < m->nf; i++)
		m->f[i].sum = (struct bs_dec){ 0, m->f[i].lf->kind == BS_LAY_DECIMAL ?
		    m->f[i].lf->scale : 0 };
	if (m->run->dir && !m->run->problems) {
		char *path = bs_xasprintf("%s/%s", m->run->dir, p->name);
		int *summed = bs_xcalloc(m->nf + 1, sizeof(int));
		size_t i;

		for (i = 0; i < m->nf; i++)
			summed[i] = m->f[i].summed;
		m->sink = tf_sink_open(path, m->lf, summed, err);
		free(summed);
		free(path);
		if (!m->sink)
			return -1;
	} else if (!m->run->dir && !m->run->problems) {
		bs_sha256_init(&m->check_h);
		m->check_hashing = 1;
	}
	bom = bs_enc_bom(m->lf->enc, &bomn);
	if (m->lf->bom && out(m, bom, bomn, err) < 0)
		return -1;
	return m->lf->header ? header_line(m, err) : 0;
}

static int write_control(struct em *m, struct tf_part *p, struct bs_err *err);

static int
close_part(struct em *m, struct bs_err *err)
{
	struct tf_part *p = m->part;
	size_t i;

	if (m->lf->last_eol && m->part_lines &&
	    out(m, m->lf->eol, strlen(m->lf->eol), err) < 0)
		return -1;
	for (i = 0; i < m->nf; i++)
		if (m->f[i].summed) {
			char buf[BS_DEC_STR_MAX];

			bs_dec_str(&m->f[i].sum, m->f[i].lf->kind == BS_LAY_DECIMAL ?
			    m->f[i].lf->scale : 0, buf);
			p->sums[i] = bs_xstrdup(buf);
		}
	if (m->check_hashing) {
		bs_sha256_final_hex(&m->check_h, p->sha256);
		m->check_hashing = 0;
	}
	if (m->sink) {
		struct tf_verifier *v = m->sink;

		m->sink = NULL;
		if (m->run->problems)
			tf_sink_abort(v);
		else if (tf_sink_close(v, p, err) < 0)
			return -1;
	}
	if (m->lf->control && !m->run->problems)
		return write_control(m, p, err);
	return 0;
}

/* A character whose second byte is the delimiter or qualifier. */
static void
refuse_trail(struct em *m, struct cf *f, const char *s, size_t n)
{
	struct bs_buf b = BS_BUF_INIT(0);
	struct bs_err e = BS_ERR_INIT;
	unsigned char w[2];
	int nw = m->enc.nwatch;
	size_t bad, k;
	uint32_t cp;
	char show[64], hex[32] = "", which;

	memcpy(w, m->enc.watch, sizeof(w));
	k = bs_utf8_char(s, n, &cp);
	bs_encoder_watch(&m->enc, NULL, 0);
	bs_encode(&m->enc, s, k ? k : 1, &b, &bad, &e);
	bs_encoder_watch(&m->enc, (const char *)w, (size_t)nw);
	for (k = 0; k < b.len && k < 4; k++)
		snprintf(hex + strlen(hex), sizeof(hex) - strlen(hex), "%s%02X",
		    k ? " " : "", (unsigned char)b.buf[k]);
	which = b.len > 1 && memchr(b.buf + 1, m->lf->delim, b.len - 1) ?
	    m->lf->delim : m->lf->qualifier;
	refuse(m, f, "%s is %s in %s, which holds the %s byte '%c': a reader "
	    "that splits at that byte would cut the character in two "
	    "(byte_safe: false allows it)", char_shown(s, n, show, sizeof(show)),
	    hex, bs_enc_name(m->lf->enc), which == m->lf->delim ? "delimiter" :
	    "qualifier", which);
	bs_buf_release(&b);
}

/* Encode s[0, n) in the file's encoding to dst; 0, or 1 refused. */
static int
encode_to(struct em *m, struct cf *f, const char *s, size_t n,
    struct bs_buf *dst, struct bs_err *err)
{
	size_t bad;
	char show[64];
	int rc = bs_encode(&m->enc, s, n, dst, &bad, err);

	if (rc == 1)
		refuse(m, f, "%s cannot be written in %s",
		    char_shown(s + bad, n - bad, show, sizeof(show)),
		    bs_enc_name(m->lf->enc));
	else if (rc == 2)
		refuse(m, f, "invalid UTF-8 at byte %zu", bad + 1);
	else if (rc == 3)
		refuse_trail(m, f, s + bad, n - bad);
	return rc < 0 ? -1 : rc ? 1 : 0;
}

/* The delimited line in m->line could not be encoded: say which fields. */
static int
diagnose_line(struct em *m, struct bs_err *err)
{
	struct bs_buf one = BS_BUF_INIT(LINE_MAX_BYTES);
	size_t i;
	int rc = 0;

	for (i = 0; i < m->nf && rc >= 0; i++) {
		struct cf *f = &m->f[i];

		if (f->ascii)
			continue;
		bs_buf_reset(&one);
		rc = encode_to(m, f, m->line.buf + f->off, f->len, &one, err);
	}
	bs_buf_release(&one);
	return rc < 0 ? -1 : 0;
}

/* Scan f's text for bytes a delimited file cannot hold; set f->ascii. */
static int
check_delimited(struct em *m, struct cf *f, int *need_q)
{
	const unsigned char *s = (const unsigned char *)m->line.buf + f->off;
	unsigned acc = 0, hi = 0;
	size_t i, n = f->len;
	char show[32], val[256];

	for (i = 0; i < n; i++) {
		acc |= m->cls[s[i]];
		hi |= s[i];
	}
	f->ascii = !(hi & 0x80);
	*need_q = 0;
	if (!acc)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned c = m->cls[s[i]];

		if (c & CLS_CTRL) {
			refuse(m, f, "'%s' holds a control character (%s)",
			    escaped((const char *)s, n, val, sizeof(val)),
			    char_shown((const char *)s + i, n - i, show, sizeof(show)));
			return 1;
		}
		if ((c & CLS_BREAK) && !m->lf->allow_break) {
			refuse(m, f, "'%s' holds a line break (%s)%s",
			    escaped((const char *)s, n, val, sizeof(val)),
			    s[i] == '\r' ? "CR" : "LF", m->lf->qualifier ?
			    " (allow_line_break: true would write it inside the "
			    "qualifier)" : "");
			return 1;
		}
		if ((c & CLS_DELIM) && !m->lf->allow_delim) {
			refuse(m, f, "'%s' holds the delimiter '%c'%s",
			    escaped((const char *)s, n, val, sizeof(val)), m->lf->delim,
			    m->lf->qualifier ? " (allow_delimiter: true would write it "
			    "inside the qualifier)" : "");
			return 1;
		}
		if (c & (CLS_BREAK | CLS_DELIM | CLS_QUAL))
			*need_q = 1;
	}
	return 0;
}

/* Put f's text (at the end of m->line) inside the qualifier. */
static void
qualify_last(struct em *m, struct cf *f)
{
	char q = m->lf->qualifier;
	size_t i, extra = 2;
	char *s;

	for (i = 0; i < f->len; i++)
		if (m->line.buf[f->off + i] == q)
			extra++;
	bs_buf_grow(&m->line, extra);
	s = m->line.buf + f->off;
	/* from the end, doubling the qualifier */
	{
		size_t src = f->len, dst = f->len + extra;

		s[--dst] = q;
		while (src) {
			char c = s[--src];

			s[--dst] = c;
			if (c == q)
				s[--dst] = q;
		}
		s[--dst] = q;
	}
	f->len += extra;
	m->line.len = f->off + f->len;
	m->line.buf[m->line.len] = '\0';
}

/*
 * The slow way, when a value holds a delimiter, qualifier, line break or
 * control character: check each field on its own, qualify what needs it,
 * refuse what is forbidden, and rebuild the line.
 */
static void
rebuild_line(struct em *m)
{
	struct bs_buf *l = &m->line, *t = &m->tmp;
	size_t i;
	int need_q;

	bs_buf_reset(t);
	bs_buf_add(t, l->buf, l->len);	/* the values, at their offsets */
	bs_buf_reset(l);
	for (i = 0; i < m->nf; i++) {
		struct cf *f = &m->f[i];
		size_t off = f->off;

		if (i)
			bs_buf_addc(l, m->lf->delim);
		f->off = l->len;
		bs_buf_add(l, t->buf + off, f->len);
		if (check_delimited(m, f, &need_q))
			continue;
		if (f->qualify || need_q)
			qualify_last(m, f);
	}
}

static int
row_delimited(struct em *m, struct bs_err *err)
{
	struct bs_buf *l = &m->line;
	const struct bs_lay_file *lf = m->lf;
	unsigned flags = 0;
	size_t i;
	int was_null;
	const char *p;
	size_t n;

	bs_buf_reset(l);
	for (i = 0; i < m->nf; i++) {
		struct cf *f = &m->f[i];

		if (i)
			put(l, &lf->delim, 1);
		if (f->qualify)
			put(l, &lf->qualifier, 1);
		f->off = l->len;
		if (format_value(m, f, l, &was_null, &flags)) {
			l->len = f->off;
			f->len = 0;
			continue;
		}
		f->len = l->len - f->off;
		if (f->summed)
			add_sum(m, f, l->buf + f->off, f->len, was_null);
		if (f->qualify)
			put(l, &lf->qualifier, 1);
	}
	if (l->len > LINE_MAX_BYTES)
		return bs_err_set(err, BS_EXIT_DATAERR,
		    "%s: record %" PRIu64 ": output line longer than %zu bytes",
		    m->job->label, tf_feed_recno(&m->feed), LINE_MAX_BYTES);
	/* a value with a delimiter, qualifier or control character: the slow
	 * way, field by field */
	if (flags & FL_SPECIAL)
		rebuild_line(m);
	if (m->row_bad)
		return 0;
	p = l->buf;
	n = l->len;
	if ((flags & FL_HIGH) && lf->enc != BS_ENC_UTF8) {
		size_t bad;
		int rc;

		bs_buf_reset(&m->eline);
		rc = bs_encode(&m->enc, l->buf, l->len, &m->eline, &bad, err);
		if (rc < 0)
			return -1;
		if (rc) {
			for (i = 0; i < m->nf; i++)
				m->f[i].ascii = bs_ascii(l->buf + m->f[i].off, m->f[i].len);
			return diagnose_line(m, err);
		}
		p = m->eline.buf;
		n = m->eline.len;
	}
	return out_line(m, p, n, err);
}

static int
row_fixed(struct em *m, struct bs_err *err)
{
	struct bs_buf *e = &m->eline;
	size_t i;

	bs_buf_reset(e);
	for (i = 0; i < m->nf; i++) {
		struct cf *f = &m->f[i];
		const struct bs_lay_field *lf = f->lf;
		const unsigned char *s;
		size_t start = e->len, w, k, pad;
		char show[32], padc = lf->pad;
		int rc, was_null;
		unsigned unused = 0;

		bs_buf_reset(&m->val);
		if (format_value(m, f, &m->val, &was_null, &unused))
			continue;
		if (was_null)
			padc = ' ';	/* a NULL is blank, never zeros */
		if (f->summed)
			add_sum(m, f, m->val.buf ? m->val.buf : "", m->val.len, was_null);
		s = (const unsigned char *)bs_buf_str(&m->val);
		for (k = 0; k < m->val.len; k++)
			if (s[k] < 0x20 || s[k] == 0x7F)
				break;
		if (k < m->val.len) {
			char val[256];

			refuse(m, f, "'%s' holds a %s (%s)",
			    escaped(m->val.buf, m->val.len, val, sizeof(val)),
			    s[k] == '\r' || s[k] == '\n' ? "line break" :
			    "control character", s[k] == '\r' ? "CR" : s[k] == '\n' ?
			    "LF" : char_shown((const char *)s + k, m->val.len - k, show,
			    sizeof(show)));
			continue;
		}
		rc = encode_to(m, f, m->val.buf ? m->val.buf : "", m->val.len, e, err);
		if (rc < 0)
			return -1;
		if (rc)
			continue;
		w = e->len - start;
		if (w > lf->width) {
			char sv[200];

			refuse(m, f, "'%s' is %zu bytes in %s, wider than the field "
			    "(%zu bytes)", shown(m->val.buf, m->val.len, sv, sizeof(sv)),
			    w, bs_enc_name(m->lf->enc), lf->width);
			e->len = start;
			continue;
		}
		pad = lf->width - w;
		if (!pad)
			continue;
		bs_buf_grow(e, pad);
		if (!lf->align_right) {
			memset(e->buf + e->len, padc, pad);
		} else {
			size_t from = start;

			/* zeros go after a minus sign: -0001.50 */
			if (padc == '0' && w && e->buf[start] == '-')
				from++;
			memmove(e->buf + from + pad, e->buf + from, e->len - from);
			memset(e->buf + from, padc, pad);
		}
		e->len += pad;
		e->buf[e->len] = '\0';
	}
	if (m->row_bad)
		return 0;
	return out_line(m, e->buf, e->len, err);
}

static int
header_line(struct em *m, struct bs_err *err)
{
	struct bs_buf h = BS_BUF_INIT(0), enc = BS_BUF_INIT(0);
	size_t i, bad;
	int rc;

	for (i = 0; i < m->nf; i++) {
		const struct bs_lay_field *lf = m->f[i].lf;

		if (m->lf->form == BS_LAY_FIXED) {
			size_t start = enc.len;

			/* widths were checked when the layout was loaded */
			rc = bs_encode(&m->enc, lf->name, strlen(lf->name), &enc, &bad, err);
			if (rc > 0)
				bs_err_set(err, BS_EXIT_CONFIG,
				    "%s: header name '%s' cannot be written in %s",
				    m->job->label, lf->name, bs_enc_name(m->lf->enc));
			if (rc)
				goto fail;
			while (enc.len - start < lf->width)
				bs_buf_addc(&enc, ' ');
			continue;
		}
		if (i)
			bs_buf_addc(&h, m->lf->delim);
		if (m->lf->qualifier && m->lf->quote != BS_LAY_QUOTE_NEEDED)
			bs_buf_addc(&h, m->lf->qualifier);
		bs_buf_adds(&h, lf->name);
		if (m->lf->qualifier && m->lf->quote != BS_LAY_QUOTE_NEEDED)
			bs_buf_addc(&h, m->lf->qualifier);
	}
	if (m->lf->form == BS_LAY_DELIMITED &&
	    (rc = bs_encode(&m->enc, h.buf ? h.buf : "", h.len, &enc, &bad, err)) != 0) {
		if (rc > 0)
			bs_err_set(err, BS_EXIT_CONFIG,
			    "%s: the header row cannot be written in %s", m->job->label,
			    bs_enc_name(m->lf->enc));
		goto fail;
	}
	rc = out_line(m, enc.buf ? enc.buf : "", enc.len, err);
	bs_buf_release(&h);
	bs_buf_release(&enc);
	return rc;
fail:
	bs_buf_release(&h);
	bs_buf_release(&enc);
	return -1;
}

/* ------------------------------------------------------------ control file */

static int
write_control(struct em *m, struct tf_part *p, struct bs_err *err)
{
	const struct bs_lay_control *c = m->lf->control;
	struct bs_lay_vars v = vars_for(m, (unsigned long)(p - m->job->parts) + 1);
	struct bs_buf name = BS_BUF_INIT(4096), text = BS_BUF_INIT(0),
	    enc = BS_BUF_INIT(0);
	struct bs_encoder en;
	struct bs_ofile of;
	const char *bom;
	size_t i, bad, bomn;
	int rc = -1;

	v.file = p->name;
	v.rows = p->rows;
	v.bytes = p->bytes;
	v.sha256 = p->sha256;
	v.sums = (const char *const *)p->sums;
	v.sum_list = m->lf->sum;
	v.nsum_list = m->lf->nsum;
	v.sums_sep = c->sep;
	if (bs_encoder_open(&en, c->enc, err) < 0)
		return -1;
	if (bs_lay_expand(&c->name, &v, &name, err) < 0 ||
	    claim_name(m, bs_buf_str(&name), "control file", err) < 0)
		goto done;
	for (i = 0; i < c->nlines; i++) {
		if (bs_lay_expand(&c->lines[i], &v, &text, err) < 0)
			goto done;
		if (i + 1 < c->nlines || m->lf->last_eol)
			bs_buf_adds(&text, c->eol);
	}
	bom = bs_enc_bom(c->enc, &bomn);
	if (c->bom)
		bs_buf_add(&enc, bom, bomn);
	if (bs_encode(&en, text.buf ? text.buf : "", text.len, &enc, &bad, err) != 0) {
		if (err->code == 0 || !err->msg[0])
			bs_err_set(err, BS_EXIT_CONFIG,
			    "%s: control file '%s' cannot be written in %s", m->job->label,
			    bs_buf_str(&name), bs_enc_name(c->enc));
		goto done;
	}
	p->ctl_name = bs_xstrdup(bs_buf_str(&name));
	p->ctl_bytes = enc.len;
	if (m->run->dir) {
		char *path = bs_xasprintf("%s/%s", m->run->dir, p->ctl_name);

		rc = bs_ofile_open(&of, path, BS_OFILE_EXCL, err);
		free(path);
		if (rc < 0)
			goto done;
		rc = -1;
		if (bs_ofile_write(&of, enc.buf ? enc.buf : "", enc.len, err) < 0) {
			bs_ofile_abort(&of);
			goto done;
		}
		if (bs_ofile_commit(&of, err) < 0)
			goto done;
		memcpy(p->ctl_sha256, of.sha256, sizeof(p->ctl_sha256));
	} else {
		bs_sha256_hex(enc.buf ? enc.buf : "", enc.len, p->ctl_sha256);
	}
	rc = 0;
done:
	bs_encoder_close(&en);
	bs_buf_release(&name);
	bs_buf_release(&text);
	bs_buf_release(&enc);
	return rc;
}

/* ---------------------------------------------------------------- compile */

static int
expr_column(void *ctx, const char *name, size_t len, size_t *index,
    struct bs_expr_col *type)
{
	struct em *m = ctx;
	const struct bs_lay_file *lf = m->lf;
	size_t i, nh = bs_csv_header_count(&m->feed.r);
	struct bs_err e = BS_ERR_INIT;

	for (i = 0; i < nh; i++) {
		const char *h = bs_csv_header(&m->feed.r, i);

		if (strlen(h) == len && !memcmp(h, name, len)) {
			size_t t;

			int found = 0;

			*index = i;
			memset(type, 0, sizeof(*type));
			type->type = BS_TYPE_TEXT;
			/* the layout's types:, else the rule file's columns: */
			for (t = 0; t < lf->ntypes; t++)
				if (strlen(lf->type_col[t]) == len &&
				    !memcmp(lf->type_col[t], name, len) &&
				    bs_expr_col_parse(lf->type_decl[t],
				    strlen(lf->type_decl[t]), type, &e) == 0)
					found = 1;
			for (t = 0; !found && t < m->job->ntypes; t++)
				if (strlen(m->job->type_col[t]) == len &&
				    !memcmp(m->job->type_col[t], name, len) &&
				    bs_expr_col_parse(m->job->type_decl[t],
				    strlen(m->job->type_decl[t]), type, &e) == 0)
					found = 1;
			return 0;
		}
	}
	return -1;
}

static int
compile_expr(struct em *m, struct cf *f, const char *layout_path,
    struct bs_err *err)
{
	struct bs_expr_env env;
	struct bs_expr_pos pos = { 0, 0 };
	const struct bs_lay_pos *lp = &f->lf->expr_pos;

	memset(&env, 0, sizeof(env));
	env.column = expr_column;
	env.ctx = m;
	f->expr = bs_expr_compile(f->lf->expr, strlen(f->lf->expr), &env, &pos, err);
	if (!f->expr) {
		char msg[BS_ERR_MSG_MAX];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		if (pos.line <= 1)
			return bs_err_set(err, BS_EXIT_CONFIG, "%s:%lu:%lu: field '%s': %s",
			    layout_path, lp->line, lp->column + (unsigned long)lp->quoted +
			    (unsigned long)(pos.column > 0 ? pos.column - 1 : 0),
			    f->lf->name, msg);
		return bs_err_set(err, BS_EXIT_CONFIG,
		    "%s:%lu:%lu: field '%s': expression line %d, column %d: %s",
		    layout_path, lp->line, lp->column, f->lf->name, pos.line,
		    pos.column, msg);
	}
	return 0;
}

static int
compile(struct em *m, const char *layout_path, struct bs_err *err)
{
	const struct bs_lay_file *lf = m->lf;
	size_t i, k, nh = bs_csv_header_count(&m->feed.r);

	for (i = 0; i < lf->ntypes; i++) {
		struct bs_expr_col t;

		struct bs_err e = BS_ERR_INIT;

		if (bs_expr_col_parse(lf->type_decl[i], strlen(lf->type_decl[i]), &t,
		    &e) < 0)
			return bs_err_set(err, BS_EXIT_CONFIG, "%s:%lu:%lu: column %s: %s",
			    layout_path, lf->type_pos[i].line, lf->type_pos[i].column,
			    lf->type_col[i], e.msg);
	}
	m->nf = lf->nfields;
	m->f = bs_xcalloc(m->nf, sizeof(*m->f));
	m->pend = bs_xcalloc(m->nf + 1, sizeof(*m->pend));
	for (i = 0; i < m->nf; i++) {
		struct cf *f = &m->f[i];

		f->lf = &lf->fields[i];
		f->col = -1;
		f->null_len = strlen(f->lf->null_text);
		f->value_len = f->lf->value ? strlen(f->lf->value) : 0;
		if (f->lf->src == BS_LAY_COLUMN) {
			f->col = bs_csv_header_index(&m->feed.r, f->lf->column);
			if (f->col < 0)
				return bs_err_set(err, BS_EXIT_CONFIG,
				    "%s:%lu:%lu: field '%s': table '%s' has no column '%s' "
				    "(%s)", layout_path, f->lf->pos.line, f->lf->pos.column,
				    f->lf->name, lf->table, f->lf->column,
				    bs_csv_name(&m->feed.r));
		} else if (f->lf->src == BS_LAY_EXPR) {
			if (compile_expr(m, f, layout_path, err) < 0)
				return -1;
		}
		if (lf->form == BS_LAY_DELIMITED && lf->qualifier)
			f->qualify = lf->quote == BS_LAY_QUOTE_ALL ||
			    (lf->quote == BS_LAY_QUOTE_TEXT && f->lf->kind == BS_LAY_TEXT);
	}
	for (i = 0; i < lf->nsum; i++)
		m->f[lf->sum[i]].summed = 1;
	if (lf->control)
		for (i = 0; i < lf->control->nlines; i++)
			for (k = 0; k < lf->control->lines[i].nparts; k++)
				if (lf->control->lines[i].parts[k].var == BS_LV_SUM)
					m->f[lf->control->lines[i].parts[k].field].summed = 1;
	m->keycol = bs_xcalloc(m->job->nkey + 1, sizeof(long));
	for (i = 0; i < m->job->nkey; i++) {
		m->keycol[i] = bs_csv_header_index(&m->feed.r, m->job->key[i]);
		if (m->keycol[i] < 0)
			return bs_err_set(err, BS_EXIT_CONFIG,
			    "%s:%lu:%lu: key column '%s' is not a column of table '%s' (%s)",
			    layout_path, lf->pos.line, lf->pos.column, m->job->key[i],
			    lf->table, bs_csv_name(&m->feed.r));
	}
	{
		unsigned char d = (unsigned char)(lf->form == BS_LAY_DELIMITED ?
		    lf->delim : 0);
		unsigned char q = lf->qualifier ? (unsigned char)lf->qualifier : d;

		m->vd = 0x0101010101010101ULL * d;
		m->vq = 0x0101010101010101ULL * q;
	}
	for (i = 0; i < m->nf; i++) {
		struct cf *f = &m->f[i];
		const struct bs_lay_datefmt *d = &f->lf->date;

		f->null_flags = value_flags((const unsigned char *)f->lf->null_text,
		    f->null_len, m->vd, m->vq);
		if (f->lf->kind == BS_LAY_DATE) {
			for (k = 0; k < d->n; k++)
				if (d->op[k].tok == 0)
					f->fmt_flags |= value_flags((const unsigned char *)
					    d->op[k].lit, d->op[k].len, m->vd, m->vq);
			f->fmt_flags |= value_flags((const unsigned char *)"0123456789",
			    10, m->vd, m->vq);
		} else if (f->lf->kind != BS_LAY_TEXT) {
			f->fmt_flags = value_flags((const unsigned char *)"-.0123456789",
			    12, m->vd, m->vq);
		}
	}
	m->vals = bs_xcalloc(nh + 1, sizeof(void *));
	m->lens = bs_xcalloc(nh + 1, sizeof(size_t));
	/* byte classes */
	for (i = 0; i < 0x20; i++)
		m->cls[i] = CLS_CTRL;
	m->cls[0x7F] = CLS_CTRL;
	m->cls['\r'] = m->cls['\n'] = CLS_BREAK;
	if (lf->form == BS_LAY_DELIMITED) {
		m->cls[(unsigned char)lf->delim] = CLS_DELIM;
		if (lf->qualifier)
			m->cls[(unsigned char)lf->qualifier] = CLS_QUAL;
		if (lf->byte_safe) {
			char w[2];
			size_t nw = 0;

			if (bs_enc_trail_byte(lf->enc, (unsigned char)lf->delim))
				w[nw++] = lf->delim;
			if (lf->qualifier && bs_enc_trail_byte(lf->enc,
			    (unsigned char)lf->qualifier))
				w[nw++] = lf->qualifier;
			bs_encoder_watch(&m->enc, w, nw);
		}
	}
	return 0;
}

static void
em_release(struct em *m)
{
	size_t i;

	for (i = 0; i < m->nf; i++) {
		bs_expr_free(m->f[i].expr);
	}
	for (i = 0; m->pend && i <= m->nf; i++)
		bs_buf_release(&m->pend[i]);
	free(m->pend);
	free(m->f);
	free(m->keycol);
	free(m->vals);
	free(m->lens);
	if (m->have_feed)
		tf_feed_close(&m->feed);
	if (m->have_enc)
		bs_encoder_close(&m->enc);
	tf_sink_abort(m->sink);
	if (m->check_hashing)
		bs_sha256_release(&m->check_h);
	bs_buf_release(&m->line);
	bs_buf_release(&m->eline);
	bs_buf_release(&m->val);
	bs_buf_release(&m->tmp);
	bs_buf_release(&m->key);
}

int
tf_emit(struct tf_run *run, struct tf_job *job, struct bs_err *err)
{
	struct em m;
	struct bs_csv_opts o = BS_CSV_OPTS_INIT;
	const char *layout_path = run->layout_path ? run->layout_path : "layout";
	int rc = -1, nr;

	memset(&m, 0, sizeof(m));
	m.run = run;
	m.job = job;
	m.lf = job->lf;
	m.line = (struct bs_buf)BS_BUF_INIT(0);
	m.eline = (struct bs_buf)BS_BUF_INIT(0);
	m.val = (struct bs_buf)BS_BUF_INIT(0);
	m.tmp = (struct bs_buf)BS_BUF_INIT(BS_CSV_MAX_FIELD);
	m.key = (struct bs_buf)BS_BUF_INIT(0);
	if (job->excl && job->excl->n)
		job->excl_hit = bs_xcalloc(job->excl->n, 1);
	/*
	 * GBK and GB18030 targets: the encoder checks every non-ASCII
	 * character's UTF-8 (a bad one is refused with its position) and
	 * control characters, NUL included, are refused; the reader need not
	 * check the bytes a second time.  A UTF-8 target copies bytes, so the
	 * reader checks them.
	 */
	o.check_utf8 = m.lf->enc == BS_ENC_UTF8;
	m.have_feed = 1;
	if (tf_feed_open(&m.feed, job->in_path, &o, err) < 0)
		goto done;
	if (bs_encoder_open(&m.enc, m.lf->enc, err) < 0)
		goto done;
	m.have_enc = 1;
	if (compile(&m, layout_path, err) < 0 || open_part(&m, err) < 0)
		goto done;
	while ((nr = tf_feed_next(&m.feed, err)) == 1) {
		job->rows_in++;
		m.key_done = 0;
		m.row_bad = 0;
		if (job->excl_hit) {
			const char *k = key_text(&m);
			long xi = tf_excl_find(job->excl, k ? k : "", k ? m.key.len : 0);

			if (xi >= 0) {
				job->excl_hit[xi] = 1;
				job->excluded++;
				continue;
			}
		}
		if (m.lf->max_rows && m.part->rows == m.lf->max_rows &&
		    (close_part(&m, err) < 0 || open_part(&m, err) < 0))
			goto done;
		if ((m.lf->form == BS_LAY_FIXED ? row_fixed(&m, err) :
		    row_delimited(&m, err)) < 0)
			goto done;
		if (m.row_bad)
			flush_refusals(&m);
		if (!m.row_bad) {
			m.part->rows++;
			job->rows_out++;
		}
		if (bs_interrupted) {
			bs_err_set(err, BS_EXIT_TEMPFAIL, "interrupted");
			goto done;
		}
	}
	if (nr < 0)
		goto done;
	if (close_part(&m, err) < 0)
		goto done;
	tf_feed_finish(&m.feed, job->in_sha256, &job->in_bytes);
	rc = 0;
done:
	flush_refusals(&m);
	em_release(&m);
	return rc;
}

void
tf_job_release(struct tf_job *job)
{
	size_t i, k;

	for (i = 0; i < job->nparts; i++) {
		struct tf_part *p = &job->parts[i];

		free(p->name);
		free(p->ctl_name);
		for (k = 0; p->sums && k < job->lf->nfields; k++)
			free(p->sums[k]);
		free(p->sums);
	}
	free(job->parts);
	free(job->excl_hit);
	job->parts = NULL;
	job->nparts = 0;
}

void
tf_run_release(struct tf_run *run)
{
	size_t i;

	for (i = 0; i < run->nnames; i++)
		free(run->names[i]);
	free(run->names);
	run->names = NULL;
	run->nnames = 0;
}
