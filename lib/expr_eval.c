/*
 * expr_eval.c - evaluation of compiled expressions: node evaluators, the
 * function table, column values, LIKE patterns, and the public
 * evaluation API.
 *
 * NULL propagates as in SQL: an operator or function with a NULL operand
 * is NULL, except and/or (three-valued logic), is [not] null, coalesce,
 * case, and in-lists (true on a match even when another item is NULL).
 */
#include "bs.h"
#include "idcheck.h"
#include "expr_impl.h"

const struct bs_xval bs_xnull = { .null = 1 };
const struct bs_xval bs_xtrue = { .null = 0, .u.b = 1 };
const struct bs_xval bs_xfalse = { .null = 0, .u.b = 0 };

#define EV(k) ((k)->eval((k), c))
#define KID(i) EV(n->kids[(i)])
#define SLOT() (&c->slots[n->slot])
#define BOOLV(x) ((x) ? &bs_xtrue : &bs_xfalse)

const struct bs_xval *
bs_xrterr(struct bs_xctx *c, const char *fmt, ...)
{
	if (!c->rterr) {
		va_list ap;

		c->rterr = 1;
		va_start(ap, fmt);
		bs_err_vset(c->err, BS_EXIT_DATAERR, fmt, ap);
		va_end(ap);
	}
	return &bs_xnull;
}

/* The err to pass down to a decimal operation: only the first error is kept. */
static struct bs_err *
rterr_sink(struct bs_xctx *c)
{
	return c->rterr ? NULL : c->err;
}

static const struct bs_xval *
rt_failed(struct bs_xctx *c)
{
	c->rterr = 1;
	return &bs_xnull;
}

/* ---- types and column values ---- */

const char *
bs_type_name(enum bs_type t)
{
	switch (t) {
	case BS_TYPE_NULL:
		return "null";
	case BS_TYPE_BOOL:
		return "boolean";
	case BS_TYPE_INTEGER:
		return "integer";
	case BS_TYPE_DECIMAL:
		return "decimal";
	case BS_TYPE_TEXT:
		return "text";
	case BS_TYPE_DATE:
		return "date";
	case BS_TYPE_TIMESTAMP:
		return "timestamp";
	}
	return "unknown";
}

/* Characters in UTF-8 text: bytes that do not continue a sequence. */
static size_t
u8count(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

static int
parse_bool(const char *s, size_t n, int *b)
{
	static const char *yes[] = { "true", "t", "1", "yes", "y" };
	static const char *no[] = { "false", "f", "0", "no", "n" };

	for (size_t i = 0; i < BS_ARRAY_SIZE(yes); i++) {
		if (strlen(yes[i]) == n && strncasecmp(yes[i], s, n) == 0) {
			*b = 1;
			return 0;
		}
		if (strlen(no[i]) == n && strncasecmp(no[i], s, n) == 0) {
			*b = 0;
			return 0;
		}
	}
	return -1;
}

int
bs_xparse_value(const struct bs_expr_col *t, const char *s, size_t n,
    struct bs_xval *v, struct bs_err *err)
{
	v->null = 0;
	switch (t->type) {
	case BS_TYPE_INTEGER:
		if (bs_dec_parse(s, n, 0, &v->u.d, NULL) < 0 || v->u.d.scale != 0)
			return bs_err_set(err, BS_EXIT_DATAERR, "not an integer");
		if (t->precision > 0 && bs_dec_fits(&v->u.d, t->precision, 0) < 0)
			return bs_err_set(err, BS_EXIT_DATAERR,
			    "more than %d digits", t->precision);
		return 0;
	case BS_TYPE_DECIMAL:
		if (bs_dec_parse(s, n, 0, &v->u.d, err) < 0)
			return -1;
		/* no more integer digits than characters: fits without a look */
		if (t->precision > 0 && (v->u.d.scale > t->scale ||
		    n > (size_t)(t->precision - t->scale))) {
			int r = bs_dec_fits(&v->u.d, t->precision, t->scale);

			if (r == -1)
				return bs_err_set(err, BS_EXIT_DATAERR,
				    "more than %d decimal place%s", t->scale,
				    t->scale == 1 ? "" : "s");
			if (r == -2)
				return bs_err_set(err, BS_EXIT_DATAERR,
				    "more than %d digit%s before the decimal point",
				    t->precision - t->scale,
				    t->precision - t->scale == 1 ? "" : "s");
		}
		return 0;
	case BS_TYPE_DATE:
		if (bs_date_parse(s, n, &v->u.date) < 0)
			return bs_err_set(err, BS_EXIT_DATAERR, "not a valid date (YYYY-MM-DD)");
		return 0;
	case BS_TYPE_TIMESTAMP:
		if (bs_ts_parse(s, n, &v->u.ts) < 0)
			return bs_err_set(err, BS_EXIT_DATAERR,
			    "not a valid timestamp (YYYY-MM-DD HH:MM:SS)");
		return 0;
	case BS_TYPE_BOOL:
		if (parse_bool(s, n, &v->u.b) < 0)
			return bs_err_set(err, BS_EXIT_DATAERR, "not a boolean (true or false)");
		return 0;
	case BS_TYPE_TEXT:
	case BS_TYPE_NULL:
		break;
	}
	v->u.s.p = s;
	v->u.s.n = n;
	return 0;
}

int
bs_expr_col_check(const struct bs_expr_col *t, const char *s, size_t n,
    struct bs_err *err)
{
	struct bs_xval v;

	if (!s)
		return 0;
	if (t->type == BS_TYPE_TEXT) {
		if (t->length > 0 && u8count(s, n) > (size_t)t->length)
			return bs_err_set(err, BS_EXIT_DATAERR,
			    "longer than %d character%s", t->length,
			    t->length == 1 ? "" : "s");
		return 0;
	}
	return bs_xparse_value(t, s, n, &v, err);
}

static int
skip_blanks(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return (int)i;
}

/* "(a)" or "(a,b)" at s[*ip]: numbers into v[]; returns their count or -1. */
static int
type_args(const char *s, size_t n, size_t *ip, long v[2])
{
	size_t i = (size_t)skip_blanks(s, n, *ip);
	int k = 0;

	if (i >= n || s[i] != '(')
		return 0;
	i++;
	for (;;) {
		size_t st;

		i = (size_t)skip_blanks(s, n, i);
		st = i;
		v[k] = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && v[k] < 100000)
			v[k] = v[k] * 10 + (s[i++] - '0');
		if (i == st)
			return -1;
		k++;
		i = (size_t)skip_blanks(s, n, i);
		if (i < n && s[i] == ',' && k < 2) {
			i++;
			continue;
		}
		if (i < n && s[i] == ')') {
			*ip = i + 1;
			return k;
		}
		return -1;
	}
}

int
bs_expr_col_parse(const char *s, size_t n, struct bs_expr_col *out,
    struct bs_err *err)
{
	static const struct {
		const char *name;
		enum bs_type type;
		int maxargs;
	} names[] = {
		{ "text", BS_TYPE_TEXT, 1 }, { "varchar", BS_TYPE_TEXT, 1 },
		{ "char", BS_TYPE_TEXT, 1 }, { "integer", BS_TYPE_INTEGER, 0 },
		{ "int", BS_TYPE_INTEGER, 0 }, { "bigint", BS_TYPE_INTEGER, 0 },
		{ "decimal", BS_TYPE_DECIMAL, 2 }, { "numeric", BS_TYPE_DECIMAL, 2 },
		{ "date", BS_TYPE_DATE, 0 }, { "timestamp", BS_TYPE_TIMESTAMP, 0 },
		{ "boolean", BS_TYPE_BOOL, 0 }, { "bool", BS_TYPE_BOOL, 0 },
	};
	size_t i = (size_t)skip_blanks(s, n, 0), st = i, e;
	long v[2] = { 0, 0 };
	int k;

	while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
		i++;
	e = i;
	memset(out, 0, sizeof(*out));
	for (size_t j = 0; j < BS_ARRAY_SIZE(names); j++) {
		if (strlen(names[j].name) != e - st ||
		    strncasecmp(names[j].name, s + st, e - st) != 0)
			continue;
		out->type = names[j].type;
		k = type_args(s, n, &i, v);
		if (k < 0 || k > names[j].maxargs ||
		    (size_t)skip_blanks(s, n, i) != n)
			return bs_err_set(err, BS_EXIT_CONFIG, "bad type '%.*s'",
			    (int)n, s);
		if (out->type == BS_TYPE_TEXT && k == 1) {
			if (v[0] < 1 || v[0] > INT_MAX / 2)
				return bs_err_set(err, BS_EXIT_CONFIG,
				    "bad length in '%.*s'", (int)n, s);
			out->length = (int)v[0];
		}
		if (out->type == BS_TYPE_DECIMAL && k >= 1) {
			if (v[0] < 1 || v[0] > BS_DEC_MAX_DIGITS || v[1] > v[0])
				return bs_err_set(err, BS_EXIT_CONFIG,
				    "bad precision in '%.*s' (at most %d digits, scale at most the precision)",
				    (int)n, s, BS_DEC_MAX_DIGITS);
			out->precision = (int)v[0];
			out->scale = (int)v[1];
		}
		return 0;
	}
	return bs_err_set(err, BS_EXIT_CONFIG, "unknown type '%.*s'", (int)n, s);
}

const char *
bs_expr_col_str(const struct bs_expr_col *t, char *buf, size_t size)
{
	if (t->type == BS_TYPE_DECIMAL && t->precision > 0)
		snprintf(buf, size, "decimal(%d,%d)", t->precision, t->scale);
	else if (t->type == BS_TYPE_TEXT && t->length > 0)
		snprintf(buf, size, "text(%d)", t->length);
	else
		snprintf(buf, size, "%s", bs_type_name(t->type));
	return buf;
}

int
bs_xrender(enum bs_type t, const struct bs_xval *v, struct bs_buf *out)
{
	char buf[BS_DEC_STR_MAX];
	size_t n;

	switch (t) {
	case BS_TYPE_BOOL:
		return bs_buf_adds(out, v->u.b ? "true" : "false");
	case BS_TYPE_INTEGER:
	case BS_TYPE_DECIMAL:
		n = bs_dec_str(&v->u.d, -1, buf);
		return bs_buf_add(out, buf, n);
	case BS_TYPE_DATE:
		n = bs_date_str(v->u.date, buf);
		return bs_buf_add(out, buf, n);
	case BS_TYPE_TIMESTAMP:
		n = bs_ts_str(&v->u.ts, buf);
		return bs_buf_add(out, buf, n);
	case BS_TYPE_TEXT:
		return bs_buf_add(out, v->u.s.p, v->u.s.n);
	case BS_TYPE_NULL:
		break;
	}
	return 0;
}

/* ---- comparators ---- */

static int
cmp_num(const struct bs_xval *a, const struct bs_xval *b)
{
	if (a->u.d.scale == b->u.d.scale)
		return a->u.d.coef < b->u.d.coef ? -1 : a->u.d.coef > b->u.d.coef;
	return bs_dec_cmp(&a->u.d, &b->u.d);
}

static int
cmp_text(const struct bs_xval *a, const struct bs_xval *b)
{
	size_t n = a->u.s.n < b->u.s.n ? a->u.s.n : b->u.s.n;
	int r = n ? memcmp(a->u.s.p, b->u.s.p, n) : 0;

	if (r)
		return r < 0 ? -1 : 1;
	return a->u.s.n < b->u.s.n ? -1 : a->u.s.n > b->u.s.n;
}

static int
cmp_date(const struct bs_xval *a, const struct bs_xval *b)
{
	return a->u.date < b->u.date ? -1 : a->u.date > b->u.date;
}

static int
cmp_ts(const struct bs_xval *a, const struct bs_xval *b)
{
	return bs_ts_cmp(&a->u.ts, &b->u.ts);
}

static int
cmp_bool(const struct bs_xval *a, const struct bs_xval *b)
{
	return a->u.b < b->u.b ? -1 : a->u.b > b->u.b;
}

static int
cmp_never(const struct bs_xval *a, const struct bs_xval *b)
{
	(void)a;
	(void)b;
	return 1;
}

bs_xcmp_fn
bs_xcmp_for(enum bs_type t)
{
	switch (t) {
	case BS_TYPE_INTEGER:
	case BS_TYPE_DECIMAL:
		return cmp_num;
	case BS_TYPE_TEXT:
		return cmp_text;
	case BS_TYPE_DATE:
		return cmp_date;
	case BS_TYPE_TIMESTAMP:
		return cmp_ts;
	case BS_TYPE_BOOL:
		return cmp_bool;
	case BS_TYPE_NULL:
		break;
	}
	return cmp_never;	/* only NULLs: never reached with values */
}

/* ---- leaves, logic, comparisons ---- */

const struct bs_xval *
bs_xev_const(const struct bs_xnode *n, struct bs_xctx *c)
{
	(void)c;
	return &n->lit;
}

/* The same declared type, as far as parsing goes. */
static int
same_type(const struct bs_expr_col *a, const struct bs_expr_col *b)
{
	return a->type == b->type && a->precision == b->precision &&
	    a->scale == b->scale;
}

/* The value of column node n (inlined into the comparisons below). */
static inline const struct bs_xval *
col_value(const struct bs_xnode *n, struct bs_xctx *c)
{
	const char *f = c->row->fields[n->col];
	size_t len = c->row->lens[n->col];
	struct bs_row_cache *rc = c->rc;
	struct bs_xval *v;

	if (!f)
		return &bs_xnull;
	if (n->type == BS_TYPE_TEXT) {
		v = SLOT();
		v->null = 0;
		v->u.s.p = f;
		v->u.s.n = len;
		return v;
	}
	/*
	 * Cached: the first type a column is read as this row (a value
	 * returned earlier may still be in use, so it is never replaced).
	 */
	if (rc && n->col < rc->n && (rc->stamp[n->col] != rc->gen ||
	    same_type(&rc->type[n->col], &n->ctype))) {
		v = &rc->val[n->col];
		if (rc->stamp[n->col] != rc->gen) {
			if (bs_xparse_value(&n->ctype, f, len, v, NULL) < 0)
				v->null = 1;
			rc->stamp[n->col] = rc->gen;
			rc->type[n->col] = n->ctype;
		}
		return v->null ? &bs_xnull : v;
	}
	v = SLOT();
	if (bs_xparse_value(&n->ctype, f, len, v, NULL) < 0)
		return &bs_xnull;
	return v;
}

const struct bs_xval *
bs_xev_column(const struct bs_xnode *n, struct bs_xctx *c)
{
	return col_value(n, c);
}

struct bs_row_cache *
bs_row_cache_new(size_t n)
{
	struct bs_row_cache *rc = bs_xcalloc(1, sizeof(*rc));

	rc->n = n;
	rc->gen = 1;
	rc->stamp = bs_xcalloc(n ? n : 1, sizeof(*rc->stamp));
	rc->val = bs_xcalloc(n ? n : 1, sizeof(*rc->val));
	rc->type = bs_xcalloc(n ? n : 1, sizeof(*rc->type));
	return rc;
}

void
bs_row_cache_clear(struct bs_row_cache *rc)
{
	if (++rc->gen == 0) {	/* wrapped: no stamp may match by chance */
		memset(rc->stamp, 0, rc->n * sizeof(*rc->stamp));
		rc->gen = 1;
	}
}

void
bs_row_cache_free(struct bs_row_cache *rc)
{
	if (!rc)
		return;
	free(rc->stamp);
	free(rc->val);
	free(rc->type);
	free(rc);
}

const struct bs_xval *
bs_xev_and(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = KID(0), *b;

	if (!a->null && !a->u.b)
		return &bs_xfalse;
	b = KID(1);
	if (!b->null && !b->u.b)
		return &bs_xfalse;
	return a->null || b->null ? &bs_xnull : &bs_xtrue;
}

const struct bs_xval *
bs_xev_or(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = KID(0), *b;

	if (!a->null && a->u.b)
		return &bs_xtrue;
	b = KID(1);
	if (!b->null && b->u.b)
		return &bs_xtrue;
	return a->null || b->null ? &bs_xnull : &bs_xfalse;
}

const struct bs_xval *
bs_xev_not(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = KID(0);

	return a->null ? &bs_xnull : BOOLV(!a->u.b);
}

static int
cmp_holds(int op, int r)
{
	switch (op) {
	case BS_XT_EQ:
		return r == 0;
	case BS_XT_NE:
		return r != 0;
	case BS_XT_LT:
		return r < 0;
	case BS_XT_LE:
		return r <= 0;
	case BS_XT_GT:
		return r > 0;
	default:
		return r >= 0;
	}
}

const struct bs_xval *
bs_xev_compare(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = KID(0), *b;

	if (a->null)
		return &bs_xnull;
	b = KID(1);
	if (b->null)
		return &bs_xnull;
	return BOOLV(cmp_holds(n->op, n->cmp(a, b)));
}

/* cmp(a, b) with the common comparators called directly. */
static int
cmp_vals(const struct bs_xnode *n, const struct bs_xval *a,
    const struct bs_xval *b)
{
	if (n->cmp == cmp_date)
		return a->u.date < b->u.date ? -1 : a->u.date > b->u.date;
	if (n->cmp == cmp_num) {
		bs_dec_coef x = a->u.d.coef, y = b->u.d.coef;

		/* equal scales, or a zero (amount >= 0): no rescaling */
		if (a->u.d.scale == b->u.d.scale || !x || !y)
			return x < y ? -1 : x > y;
	}
	return n->cmp(a, b);
}

/* A comparison of a column with a constant: no calls through kids[]. */
const struct bs_xval *
bs_xev_compare_col_const(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = col_value(n->kids[0], c);
	const struct bs_xval *b = &n->kids[1]->lit;

	if (a->null || b->null)
		return &bs_xnull;
	return BOOLV(cmp_holds(n->op, cmp_vals(n, a, b)));
}

/* A comparison of two columns. */
const struct bs_xval *
bs_xev_compare_col_col(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = col_value(n->kids[0], c), *b;

	if (a->null)
		return &bs_xnull;
	b = col_value(n->kids[1], c);
	if (b->null)
		return &bs_xnull;
	return BOOLV(cmp_holds(n->op, cmp_vals(n, a, b)));
}

const struct bs_xval *
bs_xev_isnull(const struct bs_xnode *n, struct bs_xctx *c)
{
	return BOOLV(KID(0)->null != n->negate);
}

const struct bs_xval *
bs_xev_in(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *x = KID(0);
	int saw_null = 0;

	if (x->null)
		return &bs_xnull;
	for (size_t i = 1; i < n->nkids; i++) {
		const struct bs_xval *v = KID(i);

		if (v->null)
			saw_null = 1;
		else if (n->cmp(x, v) == 0)
			return BOOLV(!n->negate);
	}
	return saw_null ? &bs_xnull : BOOLV(n->negate);
}

const struct bs_xval *
bs_xev_between(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *x = KID(0), *lo, *hi;
	int a, b, r;

	if (x->null)
		return &bs_xnull;
	lo = KID(1);
	hi = KID(2);
	a = lo->null ? -1 : n->cmp(x, lo) >= 0;
	b = hi->null ? -1 : n->cmp(x, hi) <= 0;
	if (a == 0 || b == 0)
		r = 0;
	else if (a < 0 || b < 0)
		return &bs_xnull;
	else
		r = 1;
	return BOOLV(r != n->negate);
}

/* ---- LIKE ---- */

static size_t
u8step(const char *s, size_t n, size_t i)
{
	i++;
	while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
		i++;
	return i;
}

int
bs_xlike_compile(const char *pat, size_t n, int esc, struct bs_xlike *out)
{
	size_t np = 0, nmany = 0;
	int has_one = 0, *prog;

	if (out->aprog < n + 1) {
		out->prog = bs_xreallocarray(out->prog, n + 1, sizeof(*out->prog));
		out->aprog = n + 1;
	}
	prog = out->prog;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)pat[i];

		if (esc >= 0 && ch == (unsigned char)esc) {
			if (i + 1 >= n)
				return -1;
			prog[np++] = (unsigned char)pat[++i];
		} else if (ch == '%') {
			if (np == 0 || prog[np - 1] != BS_XLIKE_MANY) {
				prog[np++] = BS_XLIKE_MANY;
				nmany++;
			}
		} else if (ch == '_') {
			prog[np++] = BS_XLIKE_ONE;
			has_one = 1;
		} else {
			prog[np++] = ch;
		}
	}
	out->nprog = np;
	out->kind = BS_XLIKE_GENERAL;
	if (!has_one) {
		size_t from = 0, to = np;

		if (nmany == 0) {
			out->kind = BS_XLIKE_EXACT;
		} else if (np == 1) {
			out->kind = BS_XLIKE_ANY;
			to = 0;
		} else if (nmany == 1 && prog[np - 1] == BS_XLIKE_MANY) {
			out->kind = BS_XLIKE_PREFIX;
			to = np - 1;
		} else if (nmany == 1 && prog[0] == BS_XLIKE_MANY) {
			out->kind = BS_XLIKE_SUFFIX;
			from = 1;
		} else if (nmany == 2 && prog[0] == BS_XLIKE_MANY &&
		    prog[np - 1] == BS_XLIKE_MANY) {
			out->kind = BS_XLIKE_CONTAINS;
			from = 1;
			to = np - 1;
		}
		if (out->kind != BS_XLIKE_GENERAL) {
			if (out->alit < to - from + 1) {
				out->lit = bs_xrealloc(out->lit, to - from + 1);
				out->alit = to - from + 1;
			}
			for (size_t i = from; i < to; i++)
				out->lit[i - from] = (char)prog[i];
			out->llen = to - from;
			out->lit[out->llen] = '\0';
		}
	}
	return 0;
}

void
bs_xlike_release(struct bs_xlike *l)
{
	free(l->lit);
	free(l->prog);
	memset(l, 0, sizeof(*l));
}

int
bs_xlike_match(const struct bs_xlike *l, const char *s, size_t n)
{
	const int *prog = l->prog;
	size_t np = l->nprog, pi = 0, si = 0, star_pi = SIZE_MAX, star_si = 0;

	switch (l->kind) {
	case BS_XLIKE_EXACT:
		return n == l->llen && memcmp(s, l->lit, n) == 0;
	case BS_XLIKE_PREFIX:
		return n >= l->llen && memcmp(s, l->lit, l->llen) == 0;
	case BS_XLIKE_SUFFIX:
		return n >= l->llen && memcmp(s + n - l->llen, l->lit, l->llen) == 0;
	case BS_XLIKE_CONTAINS:
		return memmem(s, n, l->lit, l->llen) != NULL;
	case BS_XLIKE_ANY:
		return 1;
	case BS_XLIKE_GENERAL:
		break;
	}
	while (si < n) {
		if (pi < np && prog[pi] == BS_XLIKE_MANY) {
			star_pi = pi++;
			star_si = si;
		} else if (pi < np && prog[pi] == BS_XLIKE_ONE) {
			si = u8step(s, n, si);
			pi++;
		} else if (pi < np && prog[pi] == (unsigned char)s[si]) {
			si++;
			pi++;
		} else if (star_pi != SIZE_MAX) {
			pi = star_pi + 1;
			star_si = u8step(s, n, star_si);
			si = star_si;
		} else {
			return 0;
		}
	}
	while (pi < np && prog[pi] == BS_XLIKE_MANY)
		pi++;
	return pi == np;
}

const struct bs_xval *
bs_xev_like(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *x = KID(0), *p;

	if (x->null)
		return &bs_xnull;
	if (!n->like_dyn)
		return BOOLV(bs_xlike_match(&n->like, x->u.s.p, x->u.s.n) != n->negate);
	p = KID(1);
	if (p->null)
		return &bs_xnull;
	if (bs_xlike_compile(p->u.s.p, p->u.s.n, n->like_esc, n->like_dyn) < 0)
		return bs_xrterr(c, "like pattern ends with its escape character");
	return BOOLV(bs_xlike_match(n->like_dyn, x->u.s.p, x->u.s.n) != n->negate);
}

const struct bs_xval *
bs_xev_regex(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *x = KID(0);
	int rc;

	if (x->null)
		return &bs_xnull;
	rc = pcre2_match(n->re, (PCRE2_SPTR)x->u.s.p, x->u.s.n, 0, 0, n->md, NULL);
	if (rc >= 0)
		return BOOLV(!n->negate);
	if (rc == PCRE2_ERROR_NOMATCH)
		return BOOLV(n->negate);
	if (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21)
		return bs_xrterr(c, "invalid UTF-8 in a value matched against a regular expression");
	{
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(rc, msg, sizeof(msg));
		return bs_xrterr(c, "regular expression failed: %s", (const char *)msg);
	}
}

/* ---- arithmetic ---- */

const struct bs_xval *
bs_xev_arith(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = KID(0), *b;
	struct bs_xval *v = SLOT();
	int rc;

	if (a->null)
		return &bs_xnull;
	b = KID(1);
	if (b->null)
		return &bs_xnull;
	switch (n->op) {
	case BS_XA_ADD:
		rc = bs_dec_add(&a->u.d, &b->u.d, &v->u.d, rterr_sink(c));
		break;
	case BS_XA_SUB:
		rc = bs_dec_sub(&a->u.d, &b->u.d, &v->u.d, rterr_sink(c));
		break;
	case BS_XA_MUL:
		rc = bs_dec_mul(&a->u.d, &b->u.d, &v->u.d, rterr_sink(c));
		break;
	default:
		rc = bs_dec_div(&a->u.d, &b->u.d, &v->u.d, rterr_sink(c));
		break;
	}
	if (rc < 0)
		return rt_failed(c);
	v->null = 0;
	return v;
}

const struct bs_xval *
bs_xev_neg(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = KID(0);
	struct bs_xval *v = SLOT();

	if (a->null)
		return &bs_xnull;
	bs_dec_neg(&a->u.d, &v->u.d);
	v->null = 0;
	return v;
}

/* An integer value as int64, saturated (sizes and day counts). */
static int64_t
to_i64(const struct bs_dec *d)
{
	int64_t r;

	if (bs_dec_to_int(d, &r) == 0)
		return r;
	return d->coef < 0 ? INT64_MIN : INT64_MAX;
}

static const struct bs_xval *
date_range(struct bs_xctx *c)
{
	return bs_xrterr(c, "date out of range (0001-01-01 to 9999-12-31)");
}

const struct bs_xval *
bs_xev_date_arith(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = KID(0), *b;
	struct bs_xval *v = SLOT();
	int64_t days;

	if (a->null)
		return &bs_xnull;
	b = KID(1);
	if (b->null)
		return &bs_xnull;
	v->null = 0;
	if (n->op == BS_XD_DIFF) {
		bs_dec_from_int(bs_date_days_between(b->u.date, a->u.date), &v->u.d);
		return v;
	}
	days = to_i64(&b->u.d);
	if (n->op == BS_XD_SUB)
		days = days == INT64_MIN ? INT64_MAX : -days;
	if (n->type == BS_TYPE_TIMESTAMP) {
		if (bs_ts_add_days(&a->u.ts, days, &v->u.ts) < 0)
			return date_range(c);
	} else if (bs_date_add_days(a->u.date, days, &v->u.date) < 0) {
		return date_range(c);
	}
	return v;
}

static const struct bs_xval *
text_result(const struct bs_xnode *n, struct bs_xctx *c)
{
	struct bs_xval *v = SLOT();

	v->null = 0;
	v->u.s.p = bs_buf_str(n->buf);
	v->u.s.n = n->buf->len;
	return v;
}

static const struct bs_xval *
too_long(struct bs_xctx *c)
{
	return bs_xrterr(c, "text result longer than %u bytes", BS_XTEXT_MAX);
}

const struct bs_xval *
bs_xev_concat(const struct bs_xnode *n, struct bs_xctx *c)
{
	bs_buf_reset(n->buf);
	for (size_t i = 0; i < n->nkids; i++) {
		const struct bs_xval *v = KID(i);

		if (v->null)
			return &bs_xnull;
		if (bs_xrender(n->kids[i]->type, v, n->buf) < 0)
			return too_long(c);
	}
	return text_result(n, c);
}

/* ---- case, cast ---- */

const struct bs_xval *
bs_xev_case(const struct bs_xnode *n, struct bs_xctx *c)
{
	size_t pairs = (n->nkids - (size_t)n->has_else) / 2;

	for (size_t i = 0; i < pairs; i++) {
		const struct bs_xval *w = KID(2 * i);

		if (!w->null && w->u.b)
			return KID(2 * i + 1);
	}
	return n->has_else ? KID(n->nkids - 1) : &bs_xnull;
}

const struct bs_xval *
bs_xev_case_simple(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *x = KID(0);
	size_t pairs = (n->nkids - 1 - (size_t)n->has_else) / 2;

	if (!x->null) {
		for (size_t i = 0; i < pairs; i++) {
			const struct bs_xval *w = KID(1 + 2 * i);

			if (!w->null && n->cmp(x, w) == 0)
				return KID(2 + 2 * i);
		}
	}
	return n->has_else ? KID(n->nkids - 1) : &bs_xnull;
}

const struct bs_xval *
bs_xev_cast(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = KID(0);
	enum bs_type from = n->kids[0]->type;
	struct bs_xval *v = SLOT();
	struct bs_dec d;

	if (a->null)
		return &bs_xnull;
	v->null = 0;
	switch (n->ctype.type) {
	case BS_TYPE_TEXT:
		if (from == BS_TYPE_TEXT)
			return a;
		bs_buf_reset(n->buf);
		bs_xrender(from, a, n->buf);
		return text_result(n, c);
	case BS_TYPE_INTEGER:
	case BS_TYPE_DECIMAL:
		if (from == BS_TYPE_TEXT) {
			if (bs_dec_parse(a->u.s.p, a->u.s.n, 0, &d, NULL) < 0)
				return &bs_xnull;
		} else {
			d = a->u.d;
		}
		if (n->ctype.type == BS_TYPE_INTEGER) {
			if (bs_dec_round(&d, 0, &v->u.d, rterr_sink(c)) < 0)
				return rt_failed(c);
		} else if (n->ctype.precision > 0) {
			if (bs_dec_rescale(&d, n->ctype.scale, &v->u.d, NULL) < 0 ||
			    bs_dec_fits(&v->u.d, n->ctype.precision, n->ctype.scale) < 0)
				return bs_xrterr(c, "value does not fit decimal(%d,%d)",
				    n->ctype.precision, n->ctype.scale);
		} else {
			v->u.d = d;
		}
		return v;
	case BS_TYPE_DATE:
		if (from == BS_TYPE_TEXT)
			return bs_date_parse(a->u.s.p, a->u.s.n, &v->u.date) < 0 ?
			    &bs_xnull : v;
		if (from == BS_TYPE_TIMESTAMP) {
			v->u.date = a->u.ts.day;
			return v;
		}
		return a;
	case BS_TYPE_TIMESTAMP:
		if (from == BS_TYPE_TEXT) {
			if (bs_ts_parse(a->u.s.p, a->u.s.n, &v->u.ts) == 0)
				return v;
			if (bs_date_parse(a->u.s.p, a->u.s.n, &v->u.ts.day) < 0)
				return &bs_xnull;
			v->u.ts.nsec = 0;
			return v;
		}
		if (from == BS_TYPE_DATE) {
			v->u.ts.day = a->u.date;
			v->u.ts.nsec = 0;
			return v;
		}
		return a;
	case BS_TYPE_BOOL:
		if (from == BS_TYPE_TEXT)
			return parse_bool(a->u.s.p, a->u.s.n, &v->u.b) < 0 ? &bs_xnull : v;
		return a;
	case BS_TYPE_NULL:
		break;
	}
	return &bs_xnull;
}

/* ---- functions ---- */

static const struct bs_xval *
int_result(const struct bs_xnode *n, struct bs_xctx *c, int64_t x)
{
	struct bs_xval *v = SLOT();

	v->null = 0;
	bs_dec_from_int(x, &v->u.d);
	return v;
}

static const struct bs_xval *
slice_result(const struct bs_xnode *n, struct bs_xctx *c, const char *p, size_t len)
{
	struct bs_xval *v = SLOT();

	v->null = 0;
	v->u.s.p = p;
	v->u.s.n = len;
	return v;
}

static const struct bs_xval *
fn_length(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = KID(0);

	if (a->null)
		return &bs_xnull;
	return int_result(n, c, (int64_t)u8count(a->u.s.p, a->u.s.n));
}

/* Blank at s[i] (space, tab, CR, LF, U+3000): its length, else 0. */
static size_t
blank_at(const char *s, size_t n, size_t i)
{
	char ch = s[i];

	if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
		return 1;
	if (ch == '\xe3' && i + 2 < n && s[i + 1] == '\x80' && s[i + 2] == '\x80')
		return 3;
	return 0;
}

static size_t
blank_before(const char *s, size_t e)
{
	char ch = s[e - 1];

	if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
		return 1;
	if (ch == '\x80' && e >= 3 && s[e - 2] == '\x80' && s[e - 3] == '\xe3')
		return 3;
	return 0;
}

enum { TRIM_BOTH, TRIM_LEFT, TRIM_RIGHT };

static const struct bs_xval *
trim_common(const struct bs_xnode *n, struct bs_xctx *c, int how)
{
	const struct bs_xval *a = KID(0);
	size_t b = 0, e, k;

	if (a->null)
		return &bs_xnull;
	e = a->u.s.n;
	if (how != TRIM_RIGHT)
		while (b < e && (k = blank_at(a->u.s.p, e, b)) > 0)
			b += k;
	if (how != TRIM_LEFT)
		while (e > b && (k = blank_before(a->u.s.p, e)) > 0)
			e -= k;
	return slice_result(n, c, a->u.s.p + b, e - b);
}

static const struct bs_xval *
fn_trim(const struct bs_xnode *n, struct bs_xctx *c)
{
	return trim_common(n, c, TRIM_BOTH);
}

static const struct bs_xval *
fn_ltrim(const struct bs_xnode *n, struct bs_xctx *c)
{
	return trim_common(n, c, TRIM_LEFT);
}

static const struct bs_xval *
fn_rtrim(const struct bs_xnode *n, struct bs_xctx *c)
{
	return trim_common(n, c, TRIM_RIGHT);
}

static const struct bs_xval *
case_common(const struct bs_xnode *n, struct bs_xctx *c, int up)
{
	const struct bs_xval *a = KID(0);
	char lo = up ? 'a' : 'A', hi = up ? 'z' : 'Z';
	size_t i;

	if (a->null)
		return &bs_xnull;
	for (i = 0; i < a->u.s.n; i++)
		if (a->u.s.p[i] >= lo && a->u.s.p[i] <= hi)
			break;
	if (i == a->u.s.n)
		return a;	/* nothing to change */
	bs_buf_reset(n->buf);
	if (bs_buf_add(n->buf, a->u.s.p, a->u.s.n) < 0)
		return too_long(c);
	for (; i < a->u.s.n; i++) {
		char ch = n->buf->buf[i];

		if (ch >= lo && ch <= hi)
			n->buf->buf[i] = (char)(ch ^ 0x20);
	}
	return text_result(n, c);
}

static const struct bs_xval *
fn_upper(const struct bs_xnode *n, struct bs_xctx *c)
{
	return case_common(n, c, 1);
}

static const struct bs_xval *
fn_lower(const struct bs_xnode *n, struct bs_xctx *c)
{
	return case_common(n, c, 0);
}

/* Byte offset of the character with 1-based position pos (clamped). */
static size_t
char_offset(const char *s, size_t n, int64_t pos)
{
	size_t i = 0;

	while (pos > 1 && i < n) {
		i = u8step(s, n, i);
		pos--;
	}
	return i;
}

/* Characters [from, to) (1-based, to may be INT64_MAX) of a. */
static const struct bs_xval *
chars_range(const struct bs_xnode *n, struct bs_xctx *c, const struct bs_xval *a,
    int64_t from, int64_t to)
{
	size_t b, e;

	if (from < 1)
		from = 1;
	if (to <= from)
		return slice_result(n, c, a->u.s.p, 0);
	b = char_offset(a->u.s.p, a->u.s.n, from);
	e = to == INT64_MAX ? a->u.s.n :
	    b + char_offset(a->u.s.p + b, a->u.s.n - b, to - from + 1);
	return slice_result(n, c, a->u.s.p + b, e - b);
}

static int64_t
sat_add(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static const struct bs_xval *
fn_substr(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = KID(0), *s, *l;
	int64_t from, len;

	if (a->null)
		return &bs_xnull;
	s = KID(1);
	if (s->null)
		return &bs_xnull;
	from = to_i64(&s->u.d);
	if (n->nkids < 3)
		return chars_range(n, c, a, from, INT64_MAX);
	l = KID(2);
	if (l->null)
		return &bs_xnull;
	len = to_i64(&l->u.d);
	if (len < 0)
		return bs_xrterr(c, "substr: negative length");
	return chars_range(n, c, a, from, sat_add(from, len));
}

static const struct bs_xval *
fn_left(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = KID(0), *l;
	int64_t k;

	if (a->null)
		return &bs_xnull;
	l = KID(1);
	if (l->null)
		return &bs_xnull;
	k = to_i64(&l->u.d);
	if (k < 0)	/* all but the last -k characters */
		k = sat_add((int64_t)u8count(a->u.s.p, a->u.s.n), k);
	return chars_range(n, c, a, 1, sat_add(k, 1));
}

static const struct bs_xval *
fn_right(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = KID(0), *l;
	int64_t k, total;

	if (a->null)
		return &bs_xnull;
	l = KID(1);
	if (l->null)
		return &bs_xnull;
	k = to_i64(&l->u.d);
	total = (int64_t)u8count(a->u.s.p, a->u.s.n);
	if (k < 0)	/* all but the first -k characters */
		k = sat_add(total, k);
	if (k > total)
		k = total;
	return chars_range(n, c, a, total - k + 1, INT64_MAX);
}

static const struct bs_xval *
fn_replace(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = KID(0), *f, *t;
	const char *p, *end, *hit;

	if (a->null)
		return &bs_xnull;
	f = KID(1);
	if (f->null)
		return &bs_xnull;
	t = KID(2);
	if (t->null)
		return &bs_xnull;
	if (f->u.s.n == 0)
		return a;
	bs_buf_reset(n->buf);
	p = a->u.s.p;
	end = p + a->u.s.n;
	while ((hit = memmem(p, (size_t)(end - p), f->u.s.p, f->u.s.n)) != NULL) {
		if (bs_buf_add(n->buf, p, (size_t)(hit - p)) < 0 ||
		    bs_buf_add(n->buf, t->u.s.p, t->u.s.n) < 0)
			return too_long(c);
		p = hit + f->u.s.n;
	}
	if (bs_buf_add(n->buf, p, (size_t)(end - p)) < 0)
		return too_long(c);
	return text_result(n, c);
}

static const struct bs_xval *
fn_coalesce(const struct bs_xnode *n, struct bs_xctx *c)
{
	for (size_t i = 0; i < n->nkids; i++) {
		const struct bs_xval *v = KID(i);

		if (!v->null)
			return v;
	}
	return &bs_xnull;
}

static const struct bs_xval *
fn_nullif(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = KID(0), *b;

	if (a->null)
		return &bs_xnull;
	b = KID(1);
	if (!b->null && n->cmp(a, b) == 0)
		return &bs_xnull;
	return a;
}

static const struct bs_xval *
fn_abs(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = KID(0);
	struct bs_xval *v = SLOT();

	if (a->null)
		return &bs_xnull;
	bs_dec_abs(&a->u.d, &v->u.d);
	v->null = 0;
	return v;
}

static const struct bs_xval *
fn_round(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = KID(0), *p;
	struct bs_xval *v = SLOT();
	int64_t places = 0;

	if (a->null)
		return &bs_xnull;
	if (n->nkids > 1) {
		p = KID(1);
		if (p->null)
			return &bs_xnull;
		places = to_i64(&p->u.d);
		if (places > BS_DEC_MAX_SCALE)
			places = BS_DEC_MAX_SCALE;
		if (places < -BS_DEC_MAX_DIGITS - 1)
			places = -BS_DEC_MAX_DIGITS - 1;
	}
	if (n->type == BS_TYPE_INTEGER && places >= 0)
		return a;
	if (bs_dec_round(&a->u.d, (int)places, &v->u.d, rterr_sink(c)) < 0)
		return rt_failed(c);
	v->null = 0;
	return v;
}

/* The day number of a date or timestamp argument. */
static int32_t
day_of(const struct bs_xnode *k, const struct bs_xval *v)
{
	return k->type == BS_TYPE_TIMESTAMP ? v->u.ts.day : v->u.date;
}

static const struct bs_xval *
date_part(const struct bs_xnode *n, struct bs_xctx *c, int (*part)(int32_t))
{
	const struct bs_xval *a = KID(0);

	if (a->null)
		return &bs_xnull;
	return int_result(n, c, part(day_of(n->kids[0], a)));
}

static const struct bs_xval *
fn_year(const struct bs_xnode *n, struct bs_xctx *c)
{
	return date_part(n, c, bs_date_year);
}

static const struct bs_xval *
fn_month(const struct bs_xnode *n, struct bs_xctx *c)
{
	return date_part(n, c, bs_date_month);
}

static const struct bs_xval *
fn_day(const struct bs_xnode *n, struct bs_xctx *c)
{
	return date_part(n, c, bs_date_day);
}

static const struct bs_xval *
fn_day_of_week(const struct bs_xnode *n, struct bs_xctx *c)
{
	return date_part(n, c, bs_date_weekday);
}

static const struct bs_xval *
fn_add_days(const struct bs_xnode *n, struct bs_xctx *c)
{
	return bs_xev_date_arith(n, c);	/* op is BS_XD_ADD */
}

static const struct bs_xval *
fn_add_months(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = KID(0), *m;
	struct bs_xval *v = SLOT();

	if (a->null)
		return &bs_xnull;
	m = KID(1);
	if (m->null)
		return &bs_xnull;
	if (bs_date_add_months(a->u.date, to_i64(&m->u.d), &v->u.date) < 0)
		return date_range(c);
	v->null = 0;
	return v;
}

static const struct bs_xval *
fn_days_between(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = KID(0), *b;

	if (a->null)
		return &bs_xnull;
	b = KID(1);
	if (b->null)
		return &bs_xnull;
	return int_result(n, c, bs_date_days_between(a->u.date, b->u.date));
}

static const struct bs_xval *
fn_last_day(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = KID(0);
	struct bs_xval *v = SLOT();

	if (a->null)
		return &bs_xnull;
	v->null = 0;
	v->u.date = bs_date_last_of_month(a->u.date);
	return v;
}

static const struct bs_xval *
fn_date(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = KID(0);
	struct bs_xval *v = SLOT();

	if (a->null)
		return &bs_xnull;
	v->null = 0;
	switch (n->kids[0]->type) {
	case BS_TYPE_TEXT:
		return bs_date_parse(a->u.s.p, a->u.s.n, &v->u.date) < 0 ? &bs_xnull : v;
	case BS_TYPE_TIMESTAMP:
		v->u.date = a->u.ts.day;
		return v;
	default:
		return a;
	}
}

static const struct bs_xval *
fn_to_date(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = KID(0);
	struct bs_xval *v = SLOT();

	if (a->null)
		return &bs_xnull;
	v->null = 0;
	return bs_date_parse_fmt(a->u.s.p, a->u.s.n, n->fmt, &v->u.date) < 0 ?
	    &bs_xnull : v;
}

/* to_char(d, 'YYYYMM'): a date written with a to_date() pattern. */
static const struct bs_xval *
fn_to_char(const struct bs_xnode *n, struct bs_xctx *c)
{
	const struct bs_xval *a = KID(0);
	int32_t day;
	int y, m, d;
	const char *f;

	if (a->null)
		return &bs_xnull;
	day = n->kids[0]->type == BS_TYPE_TIMESTAMP ? a->u.ts.day : a->u.date;
	bs_date_to_ymd(day, &y, &m, &d);
	bs_buf_reset(n->buf);
	for (f = n->fmt; *f;) {
		if (!strncmp(f, "YYYY", 4)) {
			bs_buf_addf(n->buf, "%04d", y);
			f += 4;
		} else if (!strncmp(f, "MM", 2)) {
			bs_buf_addf(n->buf, "%02d", m);
			f += 2;
		} else if (!strncmp(f, "DD", 2)) {
			bs_buf_addf(n->buf, "%02d", d);
			f += 2;
		} else {
			bs_buf_addc(n->buf, *f++);
		}
	}
	return text_result(n, c);
}

/* ---- identifier functions ---- */

#define ID_ARG(a)                        \
	const struct bs_xval *a = KID(0); \
	if (a->null)                      \
		return &bs_xnull

static const struct bs_xval *
fn_resident_id_format(const struct bs_xnode *n, struct bs_xctx *c)
{
	ID_ARG(a);
	return BOOLV(bs_id_resident_format(a->u.s.p, a->u.s.n));
}

static const struct bs_xval *
fn_resident_id_valid(const struct bs_xnode *n, struct bs_xctx *c)
{
	ID_ARG(a);
	/* the check implies the format: one pass over a valid number */
	if (a->u.s.n == 18 && bs_id_resident_check(a->u.s.p, 18))
		return &bs_xtrue;
	if (!bs_id_resident_format(a->u.s.p, a->u.s.n))
		return &bs_xnull;
	if (a->u.s.n == 15)
		return &bs_xtrue;	/* no check character to check */
	return &bs_xfalse;
}

static const struct bs_xval *
fn_resident_id_birth(const struct bs_xnode *n, struct bs_xctx *c)
{
	struct bs_xval *v = SLOT();
	int y, m, d;

	ID_ARG(a);
	if (!bs_id_resident_format(a->u.s.p, a->u.s.n) ||
	    !bs_id_resident_birth(a->u.s.p, a->u.s.n, &y, &m, &d) ||
	    bs_date_from_ymd(y, m, d, &v->u.date) < 0)
		return &bs_xnull;
	v->null = 0;
	return v;
}

static const struct bs_xval *
fn_resident_id_birth_valid(const struct bs_xnode *n, struct bs_xctx *c)
{
	int y, m, d;

	ID_ARG(a);
	if (!bs_id_resident_format(a->u.s.p, a->u.s.n))
		return &bs_xnull;
	return BOOLV(bs_id_resident_birth(a->u.s.p, a->u.s.n, &y, &m, &d));
}

static const struct bs_xval *
fn_resident_id_gender(const struct bs_xnode *n, struct bs_xctx *c)
{
	char g;

	ID_ARG(a);
	if (!bs_id_resident_format(a->u.s.p, a->u.s.n))
		return &bs_xnull;
	g = a->u.s.p[a->u.s.n == 18 ? 16 : 14];
	return slice_result(n, c, (g - '0') % 2 ? "1" : "2", 1);
}

static const struct bs_xval *
fn_resident_id_region_valid(const struct bs_xnode *n, struct bs_xctx *c)
{
	ID_ARG(a);
	if (!bs_id_resident_format(a->u.s.p, a->u.s.n))
		return &bs_xnull;
	return BOOLV(bs_region_known(n->regions, a->u.s.p, 6));
}

static const struct bs_xval *
fn_uscc_format(const struct bs_xnode *n, struct bs_xctx *c)
{
	ID_ARG(a);
	return BOOLV(bs_id_uscc_format(a->u.s.p, a->u.s.n));
}

static const struct bs_xval *
fn_uscc_valid(const struct bs_xnode *n, struct bs_xctx *c)
{
	ID_ARG(a);
	if (!bs_id_uscc_format(a->u.s.p, a->u.s.n))
		return &bs_xnull;
	return BOOLV(bs_id_uscc_check(a->u.s.p, a->u.s.n));
}

static const struct bs_xval *
fn_orgcode_format(const struct bs_xnode *n, struct bs_xctx *c)
{
	ID_ARG(a);
	return BOOLV(bs_id_orgcode_format(a->u.s.p, a->u.s.n));
}

static const struct bs_xval *
fn_orgcode_valid(const struct bs_xnode *n, struct bs_xctx *c)
{
	ID_ARG(a);
	if (!bs_id_orgcode_format(a->u.s.p, a->u.s.n))
		return &bs_xnull;
	return BOOLV(bs_id_orgcode_check(a->u.s.p, a->u.s.n));
}

static const struct bs_xval *
fn_luhn_valid(const struct bs_xnode *n, struct bs_xctx *c)
{
	ID_ARG(a);
	if (a->u.s.n < 12 || a->u.s.n > 19)
		return &bs_xnull;
	for (size_t i = 0; i < a->u.s.n; i++)
		if (a->u.s.p[i] < '0' || a->u.s.p[i] > '9')
			return &bs_xnull;
	return BOOLV(bs_id_luhn(a->u.s.p, a->u.s.n));
}

static const struct bs_xval *
fn_mobile_valid(const struct bs_xnode *n, struct bs_xctx *c)
{
	ID_ARG(a);
	return BOOLV(bs_id_mobile(a->u.s.p, a->u.s.n));
}

static const struct bs_xval *
fn_region_valid(const struct bs_xnode *n, struct bs_xctx *c)
{
	ID_ARG(a);
	return BOOLV(bs_region_known(n->regions, a->u.s.p, a->u.s.n));
}

static const struct bs_xfunc funcs[] = {
	{ "length", 1, 1, "t", BS_XF_FIXED, BS_TYPE_INTEGER, 0, fn_length },
	{ "char_length", 1, 1, "t", BS_XF_FIXED, BS_TYPE_INTEGER, 0, fn_length },
	{ "trim", 1, 1, "t", BS_XF_FIXED, BS_TYPE_TEXT, 0, fn_trim },
	{ "ltrim", 1, 1, "t", BS_XF_FIXED, BS_TYPE_TEXT, 0, fn_ltrim },
	{ "rtrim", 1, 1, "t", BS_XF_FIXED, BS_TYPE_TEXT, 0, fn_rtrim },
	{ "upper", 1, 1, "t", BS_XF_FIXED, BS_TYPE_TEXT, BS_XF_TEXTBUF, fn_upper },
	{ "lower", 1, 1, "t", BS_XF_FIXED, BS_TYPE_TEXT, BS_XF_TEXTBUF, fn_lower },
	{ "substr", 2, 3, "tii", BS_XF_FIXED, BS_TYPE_TEXT, 0, fn_substr },
	{ "substring", 2, 3, "tii", BS_XF_FIXED, BS_TYPE_TEXT, 0, fn_substr },
	{ "left", 2, 2, "ti", BS_XF_FIXED, BS_TYPE_TEXT, 0, fn_left },
	{ "right", 2, 2, "ti", BS_XF_FIXED, BS_TYPE_TEXT, 0, fn_right },
	{ "replace", 3, 3, "ttt", BS_XF_FIXED, BS_TYPE_TEXT, BS_XF_TEXTBUF, fn_replace },
	{ "coalesce", 1, -1, "*", BS_XF_UNIFY, BS_TYPE_NULL, 0, fn_coalesce },
	{ "nullif", 2, 2, "**", BS_XF_UNIFY, BS_TYPE_NULL, 0, fn_nullif },
	{ "abs", 1, 1, "n", BS_XF_ARG0, BS_TYPE_NULL, 0, fn_abs },
	{ "round", 1, 2, "ni", BS_XF_ARG0, BS_TYPE_NULL, 0, fn_round },
	{ "year", 1, 1, "D", BS_XF_FIXED, BS_TYPE_INTEGER, 0, fn_year },
	{ "month", 1, 1, "D", BS_XF_FIXED, BS_TYPE_INTEGER, 0, fn_month },
	{ "day", 1, 1, "D", BS_XF_FIXED, BS_TYPE_INTEGER, 0, fn_day },
	{ "day_of_week", 1, 1, "D", BS_XF_FIXED, BS_TYPE_INTEGER, 0, fn_day_of_week },
	{ "add_days", 2, 2, "Di", BS_XF_ARG0, BS_TYPE_NULL, 0, fn_add_days },
	{ "add_months", 2, 2, "di", BS_XF_FIXED, BS_TYPE_DATE, 0, fn_add_months },
	{ "days_between", 2, 2, "dd", BS_XF_FIXED, BS_TYPE_INTEGER, 0, fn_days_between },
	{ "last_day", 1, 1, "d", BS_XF_FIXED, BS_TYPE_DATE, 0, fn_last_day },
	{ "date", 1, 1, "x", BS_XF_FIXED, BS_TYPE_DATE, 0, fn_date },
	{ "to_date", 2, 2, "tt", BS_XF_FIXED, BS_TYPE_DATE, BS_XF_DATEFMT, fn_to_date },
	{ "to_char", 2, 2, "Dt", BS_XF_FIXED, BS_TYPE_TEXT, BS_XF_DATEFMT | BS_XF_TEXTBUF, fn_to_char },
	{ "regexp_like", 2, 2, "tt", BS_XF_FIXED, BS_TYPE_BOOL, BS_XF_REGEX, bs_xev_regex },
	{ "resident_id_format", 1, 1, "t", BS_XF_FIXED, BS_TYPE_BOOL, 0, fn_resident_id_format },
	{ "resident_id_valid", 1, 1, "t", BS_XF_FIXED, BS_TYPE_BOOL, 0, fn_resident_id_valid },
	{ "resident_id_birth", 1, 1, "t", BS_XF_FIXED, BS_TYPE_DATE, 0, fn_resident_id_birth },
	{ "resident_id_birth_valid", 1, 1, "t", BS_XF_FIXED, BS_TYPE_BOOL, 0, fn_resident_id_birth_valid },
	{ "resident_id_gender", 1, 1, "t", BS_XF_FIXED, BS_TYPE_TEXT, 0, fn_resident_id_gender },
	{ "resident_id_region_valid", 1, 1, "t", BS_XF_FIXED, BS_TYPE_BOOL, BS_XF_REGIONS, fn_resident_id_region_valid },
	{ "uscc_format", 1, 1, "t", BS_XF_FIXED, BS_TYPE_BOOL, 0, fn_uscc_format },
	{ "uscc_valid", 1, 1, "t", BS_XF_FIXED, BS_TYPE_BOOL, 0, fn_uscc_valid },
	{ "orgcode_format", 1, 1, "t", BS_XF_FIXED, BS_TYPE_BOOL, 0, fn_orgcode_format },
	{ "orgcode_valid", 1, 1, "t", BS_XF_FIXED, BS_TYPE_BOOL, 0, fn_orgcode_valid },
	{ "luhn_valid", 1, 1, "t", BS_XF_FIXED, BS_TYPE_BOOL, 0, fn_luhn_valid },
	{ "mobile_valid", 1, 1, "t", BS_XF_FIXED, BS_TYPE_BOOL, 0, fn_mobile_valid },
	{ "region_valid", 1, 1, "t", BS_XF_FIXED, BS_TYPE_BOOL, BS_XF_REGIONS, fn_region_valid },
};

const struct bs_xfunc *
bs_xfunc_find(const char *name, size_t len)
{
	for (size_t i = 0; i < BS_ARRAY_SIZE(funcs); i++)
		if (strlen(funcs[i].name) == len &&
		    strncasecmp(funcs[i].name, name, len) == 0)
			return &funcs[i];
	return NULL;
}

/* ---- public evaluation API ---- */

static const struct bs_xval *
run(const struct bs_expr *e, const struct bs_row *row, struct bs_row_cache *rc,
    struct bs_xctx *c, struct bs_err *err)
{
	c->row = row;
	c->slots = e->slots;
	c->rterr = 0;
	c->err = err;
	c->rc = rc;
	if (row->n < e->need_fields) {
		bs_err_set(err, BS_EXIT_SOFTWARE,
		    "row has %zu fields, the expression reads field %zu",
		    row->n, e->need_fields);
		return NULL;
	}
	return e->root->eval(e->root, c);
}

int
bs_expr_eval_bool_cached(const struct bs_expr *e, const struct bs_row *row,
    struct bs_row_cache *rc, int *result, struct bs_err *err)
{
	struct bs_xctx c;
	const struct bs_xval *v;

	if (e->root->type != BS_TYPE_BOOL && e->root->type != BS_TYPE_NULL)
		return bs_err_set(err, BS_EXIT_SOFTWARE,
		    "expression is %s, not a condition", bs_type_name(e->root->type));
	v = run(e, row, rc, &c, err);
	if (!v)
		return -1;
	*result = v->null ? -1 : v->u.b;
	return c.rterr ? 1 : 0;
}

int
bs_expr_eval_bool(const struct bs_expr *e, const struct bs_row *row,
    int *result, struct bs_err *err)
{
	return bs_expr_eval_bool_cached(e, row, NULL, result, err);
}

int
bs_expr_eval_text(const struct bs_expr *e, const struct bs_row *row,
    struct bs_buf *out, int *is_null, struct bs_err *err)
{
	return bs_expr_eval_text_cached(e, row, NULL, out, is_null, err);
}

int
bs_expr_eval_text_cached(const struct bs_expr *e, const struct bs_row *row,
    struct bs_row_cache *rc, struct bs_buf *out, int *is_null,
    struct bs_err *err)
{
	struct bs_xctx c;
	const struct bs_xval *v = run(e, row, rc, &c, err);

	if (!v)
		return -1;
	*is_null = v->null;
	if (!v->null && bs_xrender(e->root->type, v, out) < 0)
		return bs_err_set(err, BS_EXIT_DATAERR, "expression result too long");
	return c.rterr ? 1 : 0;
}

/* Two constants of type t hold the same value (the same representation). */
static int
same_lit(enum bs_type t, const struct bs_xval *a, const struct bs_xval *b)
{
	if (a->null || b->null)
		return a->null == b->null;
	switch (t) {
	case BS_TYPE_BOOL:
		return a->u.b == b->u.b;
	case BS_TYPE_INTEGER:
	case BS_TYPE_DECIMAL:
		return a->u.d.coef == b->u.d.coef && a->u.d.scale == b->u.d.scale;
	case BS_TYPE_DATE:
		return a->u.date == b->u.date;
	case BS_TYPE_TIMESTAMP:
		return a->u.ts.day == b->u.ts.day && a->u.ts.nsec == b->u.ts.nsec;
	case BS_TYPE_TEXT:
		return a->u.s.n == b->u.s.n &&
		    (!a->u.s.n || !memcmp(a->u.s.p, b->u.s.p, a->u.s.n));
	case BS_TYPE_NULL:
		break;
	}
	return 1;
}

static int
same_node(const struct bs_xnode *a, const struct bs_xnode *b)
{
	bs_xeval_fn ok[] = { bs_xev_const, bs_xev_column, bs_xev_and, bs_xev_or,
		bs_xev_not, bs_xev_compare, bs_xev_compare_col_const,
		bs_xev_compare_col_col, bs_xev_isnull, bs_xev_in, bs_xev_between };
	size_t i;

	for (i = 0; i < BS_ARRAY_SIZE(ok) && a->eval != ok[i]; i++)
		;
	if (i == BS_ARRAY_SIZE(ok) || a->eval != b->eval || a->type != b->type ||
	    a->op != b->op || a->nkids != b->nkids || a->negate != b->negate ||
	    a->cmp != b->cmp || a->is_const != b->is_const)
		return 0;
	if (a->eval == bs_xev_column && (a->col != b->col ||
	    memcmp(&a->ctype, &b->ctype, sizeof(a->ctype)) != 0))
		return 0;
	if (a->is_const && !same_lit(a->type, &a->lit, &b->lit))
		return 0;
	for (i = 0; i < a->nkids; i++)
		if (!same_node(a->kids[i], b->kids[i]))
			return 0;
	return 1;
}

int
bs_expr_same(const struct bs_expr *a, const struct bs_expr *b)
{
	return a && b && same_node(a->root, b->root);
}

size_t
bs_expr_columns(const struct bs_expr *e, const size_t **indexes)
{
	*indexes = e->cols;
	return e->ncols;
}

int
bs_expr_is_column(const struct bs_expr *e, size_t *index)
{
	if (e->root->eval != bs_xev_column)
		return 0;
	*index = e->root->col;
	return 1;
}

enum bs_type
bs_expr_type(const struct bs_expr *e)
{
	return e->root->type;
}
