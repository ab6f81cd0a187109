/*
 * expr_parse.c - recursive-descent parser and type checker of the
 * expression language, with constant folding.
 *
 * Precedence, loosest first (as in SQL):
 *
 *	or
 *	and
 *	not
 *	= <> != < <= > >=   is [not] null   [not] in   [not] between
 *	[not] like   ~ !~             (one per operand: no chaining)
 *	||
 *	+ -
 *	* /
 *	unary - +
 *	literals, names, f(...), (...), case, cast
 *
 * Each node's type is known when it is built, so type errors are found
 * right where the operator is, and the evaluator for the operand types
 * is picked then.  A node whose operands are all constants is evaluated
 * once here (a runtime error there, like 1/0, is a compile error).
 */
#include "bs.h"
#include "expr_impl.h"

#define MAX_DEPTH 200
/* Evaluation recurses over the tree: bound its size (and so its depth). */
#define MAX_NODES 10000

struct parser {
	const char *src;
	size_t len;
	struct bs_xtokens tk;
	size_t i;
	const struct bs_expr_env *env;
	struct bs_expr *e;
	struct bs_err *err;
	size_t erroff;
	int failed;
	int depth;
};

static struct bs_xnode *parse_expr(struct parser *p);
static struct bs_xnode *parse_concat(struct parser *p);

static void *
perr(struct parser *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void *
perr(struct parser *p, size_t off, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return NULL;
	p->failed = 1;
	p->erroff = off;
	va_start(ap, fmt);
	bs_err_vset(p->err, BS_EXIT_CONFIG, fmt, ap);
	va_end(ap);
	return NULL;
}

static struct bs_xtoken *
cur(struct parser *p)
{
	return &p->tk.v[p->i];
}

static struct bs_xtoken *
peek(struct parser *p, size_t k)
{
	size_t j = p->i + k;

	return &p->tk.v[j < p->tk.n ? j : p->tk.n - 1];
}

static int
accept(struct parser *p, enum bs_xtok k)
{
	if (cur(p)->kind != k)
		return 0;
	p->i++;
	return 1;
}

/* "unexpected 'foo'" / "unexpected end of expression" */
static void *
unexpected(struct parser *p, const char *expected)
{
	struct bs_xtoken *t = cur(p);

	if (t->kind == BS_XT_EOF)
		return expected ?
		    perr(p, t->off, "%s, found end of expression", expected) :
		    perr(p, t->off, "unexpected end of expression");
	if (expected)
		return perr(p, t->off, "%s, found '%.*s'", expected,
		    (int)t->len, p->src + t->off);
	return perr(p, t->off, "unexpected '%.*s'", (int)t->len, p->src + t->off);
}

static int
expect(struct parser *p, enum bs_xtok k, const char *what)
{
	char buf[64];

	if (accept(p, k))
		return 0;
	snprintf(buf, sizeof(buf), "expected %s", what ? what : bs_xtok_name(k));
	unexpected(p, buf);
	return -1;
}

/* ---- nodes ---- */

static struct bs_xnode *
node(struct parser *p, bs_xeval_fn ev, enum bs_type type, size_t off,
    size_t start)
{
	struct bs_expr *e = p->e;
	struct bs_xnode *n = bs_xcalloc(1, sizeof(*n));

	n->eval = ev;
	n->type = type;
	n->off = off;
	n->start = start;
	n->like_esc = -1;
	BS_ALLOC_GROW(e->nodes, e->nnodes + 1, e->anodes);
	n->slot = e->nnodes;
	e->nodes[e->nnodes++] = n;
	BS_ALLOC_GROW(e->slots, e->nnodes, e->aslots);
	return n;
}

static void
add_kid(struct bs_xnode *n, struct bs_xnode *k)
{
	n->kids = bs_xreallocarray(n->kids, n->nkids + 1, sizeof(*n->kids));
	n->kids[n->nkids++] = k;
}

static void
give_buf(struct bs_xnode *n)
{
	n->buf = bs_xcalloc(1, sizeof(*n->buf));
	n->buf->max = BS_XTEXT_MAX;
}

static void
free_node(struct bs_xnode *n)
{
	free(n->kids);
	free(n->owned);
	bs_xlike_release(&n->like);
	if (n->like_dyn) {
		bs_xlike_release(n->like_dyn);
		free(n->like_dyn);
	}
	if (n->md)
		pcre2_match_data_free(n->md);
	if (n->re)
		pcre2_code_free(n->re);
	if (n->buf) {
		bs_buf_release(n->buf);
		free(n->buf);
	}
	free(n->fmt);
	free(n);
}

static int
is_num(enum bs_type t)
{
	return t == BS_TYPE_INTEGER || t == BS_TYPE_DECIMAL;
}

static int
is_null_lit(const struct bs_xnode *n)
{
	return n->type == BS_TYPE_NULL;
}

/* Turn n into a constant holding *v (text copied into n's storage). */
static void
make_const(struct bs_xnode *n, const struct bs_xval *v)
{
	struct bs_xval tmp = *v;

	if (!tmp.null && n->type == BS_TYPE_TEXT) {
		char *o = bs_xmalloc(tmp.u.s.n + 1);

		memcpy(o, tmp.u.s.p, tmp.u.s.n);
		o[tmp.u.s.n] = '\0';
		free(n->owned);
		n->owned = o;
		tmp.u.s.p = o;
	}
	n->lit = tmp;
	n->is_const = 1;
	n->text_literal = 0;
	n->eval = bs_xev_const;
	n->nkids = 0;
}

static struct bs_xnode *
fold(struct parser *p, struct bs_xnode *n)
{
	struct bs_err rt = BS_ERR_INIT;
	struct bs_xctx c = { NULL, NULL, 0, &rt, NULL };
	const struct bs_xval *v;

	if (!n || p->failed || n->is_const || n->eval == bs_xev_column)
		return n;
	for (size_t i = 0; i < n->nkids; i++)
		if (!n->kids[i]->is_const)
			return n;
	c.slots = p->e->slots;
	v = n->eval(n, &c);
	if (c.rterr)
		return perr(p, n->off, "%s", rt.msg);
	make_const(n, v);
	return n;
}

/* ---- literals ---- */

static struct bs_xnode *
lit_null(struct parser *p, size_t off)
{
	struct bs_xnode *n = node(p, bs_xev_const, BS_TYPE_NULL, off, off);

	n->is_const = 1;
	n->lit.null = 1;
	return n;
}

static struct bs_xnode *
lit_text(struct parser *p, struct bs_xtoken *t)
{
	struct bs_xnode *n = node(p, bs_xev_const, BS_TYPE_TEXT, t->off, t->off);

	n->is_const = 1;
	n->text_literal = 1;
	n->owned = t->text;
	t->text = NULL;
	n->lit.u.s.p = n->owned;
	n->lit.u.s.n = t->tlen;
	return n;
}

/*
 * A text literal used where a date, timestamp or number is expected
 * becomes a literal of that type; a malformed one is a compile error.
 */
static int
coerce_literal(struct parser *p, struct bs_xnode *n, enum bs_type t)
{
	const char *s = n->lit.u.s.p;
	size_t len = n->lit.u.s.n;
	struct bs_xval v = { 0 };

	switch (t) {
	case BS_TYPE_DATE:
		if (bs_date_parse(s, len, &v.u.date) < 0) {
			perr(p, n->start, "'%.*s' is not a valid date (YYYY-MM-DD)", (int)len, s);
			return -1;
		}
		break;
	case BS_TYPE_TIMESTAMP:
		if (bs_ts_parse(s, len, &v.u.ts) < 0) {
			if (bs_date_parse(s, len, &v.u.ts.day) < 0) {
				perr(p, n->start, "'%.*s' is not a valid timestamp (YYYY-MM-DD HH:MM:SS)", (int)len, s);
				return -1;
			}
			v.u.ts.nsec = 0;
		}
		break;
	case BS_TYPE_INTEGER:
		if (bs_dec_parse(s, len, 0, &v.u.d, NULL) < 0 || v.u.d.scale) {
			perr(p, n->start, "'%.*s' is not an integer", (int)len, s);
			return -1;
		}
		break;
	case BS_TYPE_DECIMAL:
		if (bs_dec_parse(s, len, 0, &v.u.d, NULL) < 0) {
			perr(p, n->start, "'%.*s' is not a number", (int)len, s);
			return -1;
		}
		break;
	default:
		return 0;
	}
	n->type = t;
	n->lit = v;
	n->text_literal = 0;
	return 0;
}

/* Wrap a date node so that it yields a timestamp (midnight). */
static struct bs_xnode *
date_to_ts(struct parser *p, struct bs_xnode *k)
{
	struct bs_xnode *n = node(p, bs_xev_cast, BS_TYPE_TIMESTAMP, k->off, k->start);

	n->ctype.type = BS_TYPE_TIMESTAMP;
	add_kid(n, k);
	return fold(p, n);
}

/*
 * Bring v[0..nv) to one type: integers and decimals meet as decimal,
 * dates and timestamps as timestamp, text literals take the others'
 * type.  mix == NULL: a comparison ("cannot compare date with decimal"
 * at off); else "cannot mix text and date in <mix>" at the node.
 */
static int
unify(struct parser *p, struct bs_xnode **v, size_t nv, size_t off,
    const char *mix, enum bs_type *out)
{
	enum bs_type t = BS_TYPE_NULL;
	int any_text_lit = 0;

	for (size_t i = 0; i < nv; i++) {
		enum bs_type u = v[i]->type;

		if (v[i]->text_literal) {
			any_text_lit = 1;
			continue;
		}
		if (u == BS_TYPE_NULL || u == t)
			continue;
		if (t == BS_TYPE_NULL) {
			t = u;
		} else if (is_num(t) && is_num(u)) {
			t = BS_TYPE_DECIMAL;
		} else if ((t == BS_TYPE_DATE && u == BS_TYPE_TIMESTAMP) ||
		    (t == BS_TYPE_TIMESTAMP && u == BS_TYPE_DATE)) {
			t = BS_TYPE_TIMESTAMP;
		} else {
			if (!mix)
				perr(p, off, "cannot compare %s with %s",
				    bs_type_name(t), bs_type_name(u));
			else
				perr(p, v[i]->start, "cannot mix %s and %s in %s",
				    bs_type_name(t), bs_type_name(u), mix);
			return -1;
		}
	}
	if (t == BS_TYPE_NULL && any_text_lit)
		t = BS_TYPE_TEXT;
	for (size_t i = 0; i < nv; i++) {
		if (v[i]->text_literal && t != BS_TYPE_TEXT) {
			if (t == BS_TYPE_BOOL) {
				if (!mix)
					perr(p, off, "cannot compare boolean with text");
				else
					perr(p, v[i]->start, "cannot mix boolean and text in %s", mix);
				return -1;
			}
			if (coerce_literal(p, v[i], t) < 0)
				return -1;
		}
		if (t == BS_TYPE_TIMESTAMP && v[i]->type == BS_TYPE_DATE &&
		    !(v[i] = date_to_ts(p, v[i])))
			return -1;
	}
	*out = t;
	return 0;
}

/* ---- operators ---- */

static struct bs_xnode *
need_bool(struct parser *p, struct bs_xnode *k, const char *what)
{
	if (k->type != BS_TYPE_BOOL && k->type != BS_TYPE_NULL)
		return perr(p, k->start, "%s (true or false), not %s", what,
		    bs_type_name(k->type));
	return k;
}

static struct bs_xnode *
mk_logic(struct parser *p, bs_xeval_fn ev, const char *what, size_t off,
    struct bs_xnode *l, struct bs_xnode *r)
{
	struct bs_xnode *n;

	if (!need_bool(p, l, what) || (r && !need_bool(p, r, what)))
		return NULL;
	n = node(p, ev, BS_TYPE_BOOL, off, r ? l->start : off);
	add_kid(n, l);
	if (r)
		add_kid(n, r);
	return fold(p, n);
}

static void *
null_compare(struct parser *p, size_t off)
{
	return perr(p, off, "a comparison with NULL is never true: use 'is null' or 'is not null'");
}

static struct bs_xnode *
mk_compare(struct parser *p, enum bs_xtok op, size_t off, struct bs_xnode *l,
    struct bs_xnode *r)
{
	struct bs_xnode *v[2] = { l, r }, *n;
	enum bs_type t;

	if (is_null_lit(l) || is_null_lit(r))
		return null_compare(p, off);
	if (unify(p, v, 2, off, NULL, &t) < 0)
		return NULL;
	n = node(p, bs_xev_compare, BS_TYPE_BOOL, off, l->start);
	n->op = (int)op;
	n->cmp = bs_xcmp_for(t);
	add_kid(n, v[0]);
	add_kid(n, v[1]);
	n = fold(p, n);
	/* the common shapes get evaluators that read their operands directly */
	if (n && n->eval == bs_xev_compare && v[0]->eval == bs_xev_column) {
		if (v[1]->is_const && v[1]->eval == bs_xev_const)
			n->eval = bs_xev_compare_col_const;
		else if (v[1]->eval == bs_xev_column)
			n->eval = bs_xev_compare_col_col;
	}
	return n;
}

static void *
bad_operands(struct parser *p, size_t off, const char *op, struct bs_xnode *l,
    struct bs_xnode *r)
{
	return perr(p, off, "cannot apply '%s' to %s and %s", op,
	    bs_type_name(l->type), bs_type_name(r->type));
}

static int
is_dateish(enum bs_type t)
{
	return t == BS_TYPE_DATE || t == BS_TYPE_TIMESTAMP;
}

static struct bs_xnode *
mk_arith(struct parser *p, enum bs_xtok op, size_t off, struct bs_xnode *l,
    struct bs_xnode *r)
{
	static const char *names[] = { "+", "-", "*", "/" };
	int a = op == BS_XT_PLUS ? BS_XA_ADD : op == BS_XT_MINUS ? BS_XA_SUB :
	    op == BS_XT_STAR ? BS_XA_MUL : BS_XA_DIV;
	enum bs_type tl = l->type, tr = r->type;
	struct bs_xnode *n;

	/* a NULL literal takes the other operand's type */
	if (tl == BS_TYPE_NULL)
		tl = tr == BS_TYPE_NULL || is_dateish(tr) ? BS_TYPE_INTEGER : tr;
	if (tr == BS_TYPE_NULL)
		tr = is_dateish(tl) ? BS_TYPE_INTEGER : tl;
	if (a == BS_XA_SUB && is_dateish(tl) && r->text_literal) {
		if (coerce_literal(p, r, BS_TYPE_DATE) < 0)
			return NULL;
		tr = BS_TYPE_DATE;
	}
	if (a == BS_XA_SUB && is_dateish(tr) && l->text_literal) {
		if (coerce_literal(p, l, BS_TYPE_DATE) < 0)
			return NULL;
		tl = BS_TYPE_DATE;
	}
	if (is_num(tl) && is_num(tr)) {
		enum bs_type t = a == BS_XA_DIV || tl == BS_TYPE_DECIMAL ||
		    tr == BS_TYPE_DECIMAL ? BS_TYPE_DECIMAL : BS_TYPE_INTEGER;

		n = node(p, bs_xev_arith, t, off, l->start);
		n->op = a;
		add_kid(n, l);
		add_kid(n, r);
		return fold(p, n);
	}
	if (a == BS_XA_ADD && tl == BS_TYPE_INTEGER && is_dateish(tr)) {
		struct bs_xnode *x = l;	/* n + date = date + n */

		l = r;
		r = x;
		tl = tr;
		tr = BS_TYPE_INTEGER;
	}
	if ((a == BS_XA_ADD || a == BS_XA_SUB) && is_dateish(tl) &&
	    tr == BS_TYPE_INTEGER) {
		n = node(p, bs_xev_date_arith, tl, off, l->start);
		n->op = a == BS_XA_ADD ? BS_XD_ADD : BS_XD_SUB;
	} else if (a == BS_XA_SUB && tl == BS_TYPE_DATE && tr == BS_TYPE_DATE) {
		n = node(p, bs_xev_date_arith, BS_TYPE_INTEGER, off, l->start);
		n->op = BS_XD_DIFF;
	} else {
		if (tl == BS_TYPE_TEXT && tr == BS_TYPE_TEXT && a == BS_XA_ADD)
			return perr(p, off, "cannot apply '+' to text and text (join text with '||')");
		if (a == BS_XA_SUB && tl == BS_TYPE_TIMESTAMP && tr == BS_TYPE_TIMESTAMP)
			return perr(p, off, "cannot apply '-' to timestamp and timestamp (use days_between(date(a), date(b)))");
		return bad_operands(p, off, names[a], l, r);
	}
	add_kid(n, l);
	add_kid(n, r);
	return fold(p, n);
}

/* ---- columns ---- */

static struct bs_xnode *
column(struct parser *p, struct bs_xtoken *t)
{
	struct bs_expr *e = p->e;
	struct bs_expr_col ct = { BS_TYPE_TEXT, 0, 0, 0 };
	size_t idx = 0;
	struct bs_xnode *n;
	size_t i;

	if (!p->env || !p->env->column ||
	    p->env->column(p->env->ctx, t->text, t->tlen, &idx, &ct) < 0)
		return perr(p, t->off, "unknown column '%s'", t->text);
	if (ct.type == BS_TYPE_NULL || ct.type > BS_TYPE_TIMESTAMP)
		ct.type = BS_TYPE_TEXT;
	n = node(p, bs_xev_column, ct.type, t->off, t->off);
	n->col = idx;
	n->ctype = ct;
	for (i = 0; i < e->ncols && e->cols[i] != idx; i++)
		;
	if (i == e->ncols) {
		BS_ALLOC_GROW(e->cols, e->ncols + 1, e->acols);
		e->cols[e->ncols++] = idx;
		if (idx + 1 > e->need_fields)
			e->need_fields = idx + 1;
	}
	return n;
}

/* ---- run parameters ---- */

/*
 * :name: a constant of the parameter's type; without a value (rules
 * checked without a run) a typed NULL that is never folded, so that the
 * expression is type-checked only.
 */
static struct bs_xnode *
param(struct parser *p, struct bs_xtoken *t)
{
	struct bs_expr_param pv;
	struct bs_err err = BS_ERR_INIT;
	struct bs_xval v = { 0 };
	struct bs_xnode *n;
	enum bs_type ty;

	memset(&pv, 0, sizeof(pv));
	if (!p->env || !p->env->param ||
	    p->env->param(p->env->ctx, t->text, t->tlen, &pv) < 0)
		return perr(p, t->off, "%s ':%s'", pv.why ? pv.why : "unknown parameter",
		    t->text);
	ty = pv.type.type;
	if (ty == BS_TYPE_NULL || ty > BS_TYPE_TIMESTAMP)
		ty = BS_TYPE_TEXT;
	n = node(p, bs_xev_const, ty, t->off, t->off);
	n->ctype = pv.type;
	if (!pv.value) {
		n->lit.null = 1;	/* is_const stays 0: no folding */
		return n;
	}
	if (ty == BS_TYPE_TEXT) {
		n->owned = bs_xstrndup(pv.value, pv.len);
		v.u.s.p = n->owned;
		v.u.s.n = pv.len;
	} else if (bs_xparse_value(&pv.type, pv.value, pv.len, &v, &err) < 0) {
		return perr(p, t->off, "parameter ':%s' = '%.*s': %s", t->text,
		    (int)pv.len, pv.value, err.msg);
	}
	n->lit = v;
	n->is_const = 1;
	return n;
}

/* ---- regular expressions ---- */

/* Byte offset in the source of byte k of a text literal's value. */
static size_t
literal_offset(struct parser *p, const struct bs_xnode *lit, size_t k)
{
	size_t i = lit->start + 1;	/* after the opening quote */

	while (k > 0 && i < p->len) {
		i += p->src[i] == '\'' ? 2 : 1;
		k--;
	}
	return i;
}

static int
compile_regex(struct parser *p, struct bs_xnode *n, struct bs_xnode *pat)
{
	int ec;
	PCRE2_SIZE eo;

	if (pat->type != BS_TYPE_TEXT || !pat->is_const || pat->lit.null) {
		perr(p, pat->start, "a regular expression must be a text literal");
		return -1;
	}
	n->re = pcre2_compile((PCRE2_SPTR)pat->lit.u.s.p, pat->lit.u.s.n,
	    PCRE2_UTF, &ec, &eo, NULL);
	if (!n->re) {
		PCRE2_UCHAR msg[256];
		size_t off = pat->text_literal ? literal_offset(p, pat, eo) : pat->start;

		pcre2_get_error_message(ec, msg, sizeof(msg));
		perr(p, off, "bad regular expression: %s", (const char *)msg);
		return -1;
	}
	(void)pcre2_jit_compile(n->re, PCRE2_JIT_COMPLETE);	/* else interpreted */
	n->md = pcre2_match_data_create_from_pattern(n->re, NULL);
	return 0;
}

static struct bs_xnode *
need_text(struct parser *p, struct bs_xnode *k, const char *what)
{
	if (k->type != BS_TYPE_TEXT && k->type != BS_TYPE_NULL)
		return perr(p, k->start, "%s needs text, not %s", what,
		    bs_type_name(k->type));
	return k;
}

/* ---- comparison level ---- */

static struct bs_xnode *
parse_in(struct parser *p, struct bs_xnode *x, int negate, size_t off)
{
	struct bs_xnode **v = NULL, *n;
	size_t nv = 0;
	enum bs_type t;

	if (expect(p, BS_XT_LPAREN, "'(' after 'in'") < 0)
		return NULL;
	v = bs_xreallocarray(v, 1, sizeof(*v));
	v[nv++] = x;
	do {
		struct bs_xnode *k = parse_expr(p);

		if (!k)
			goto fail;
		if (is_null_lit(k)) {
			perr(p, k->start, "NULL in an 'in' list never matches: use 'is null'");
			goto fail;
		}
		v = bs_xreallocarray(v, nv + 1, sizeof(*v));
		v[nv++] = k;
	} while (accept(p, BS_XT_COMMA));
	if (expect(p, BS_XT_RPAREN, "',' or ')' in the 'in' list") < 0)
		goto fail;
	if (is_null_lit(x)) {
		null_compare(p, off);
		goto fail;
	}
	if (unify(p, v, nv, off, NULL, &t) < 0)
		goto fail;
	n = node(p, bs_xev_in, BS_TYPE_BOOL, off, x->start);
	n->negate = negate;
	n->cmp = bs_xcmp_for(t);
	for (size_t i = 0; i < nv; i++)
		add_kid(n, v[i]);
	free(v);
	return fold(p, n);
fail:
	free(v);
	return NULL;
}

static struct bs_xnode *
parse_between(struct parser *p, struct bs_xnode *x, int negate, size_t off)
{
	struct bs_xnode *v[3] = { x, NULL, NULL }, *n;
	enum bs_type t;

	if (!(v[1] = parse_concat(p)) || expect(p, BS_XT_AND, "'and' in 'between ... and ...'") < 0 ||
	    !(v[2] = parse_concat(p)))
		return NULL;
	if (is_null_lit(v[0]) || is_null_lit(v[1]) || is_null_lit(v[2]))
		return null_compare(p, off);
	if (unify(p, v, 3, off, NULL, &t) < 0)
		return NULL;
	n = node(p, bs_xev_between, BS_TYPE_BOOL, off, x->start);
	n->negate = negate;
	n->cmp = bs_xcmp_for(t);
	for (size_t i = 0; i < 3; i++)
		add_kid(n, v[i]);
	return fold(p, n);
}

static struct bs_xnode *
parse_like(struct parser *p, struct bs_xnode *x, int negate, size_t off)
{
	struct bs_xnode *pat = parse_concat(p), *n;
	int esc = -1;

	if (!pat)
		return NULL;
	if (accept(p, BS_XT_ESCAPE)) {
		struct bs_xtoken *t = cur(p);

		if (t->kind != BS_XT_STRING || t->tlen != 1 ||
		    (unsigned char)t->text[0] >= 0x80)
			return perr(p, t->off, "'escape' needs a one-character text literal such as '\\'");
		esc = (unsigned char)t->text[0];
		p->i++;
	}
	if (!need_text(p, x, "'like'"))
		return NULL;
	if (!need_text(p, pat, "the pattern of 'like'"))
		return NULL;
	n = node(p, bs_xev_like, BS_TYPE_BOOL, off, x->start);
	n->negate = negate;
	n->like_esc = esc;
	add_kid(n, x);
	if (pat->is_const && !pat->lit.null) {
		if (bs_xlike_compile(pat->lit.u.s.p, pat->lit.u.s.n, esc, &n->like) < 0)
			return perr(p, pat->start, "like pattern ends with its escape character");
		if (x->is_const)
			return fold(p, n);
		return n;
	}
	if (is_null_lit(pat))
		return null_compare(p, pat->start);
	n->like_dyn = bs_xcalloc(1, sizeof(*n->like_dyn));
	add_kid(n, pat);
	return fold(p, n);
}

static struct bs_xnode *
mk_regex(struct parser *p, struct bs_xnode *x, struct bs_xnode *pat, int negate,
    size_t off)
{
	struct bs_xnode *n;

	if (!need_text(p, x, "'~'"))
		return NULL;
	n = node(p, bs_xev_regex, BS_TYPE_BOOL, off, x->start);
	n->negate = negate;
	add_kid(n, x);
	add_kid(n, pat);
	if (compile_regex(p, n, pat) < 0)
		return NULL;
	return fold(p, n);
}

static int
is_cmp_tok(enum bs_xtok k)
{
	return k == BS_XT_EQ || k == BS_XT_NE || k == BS_XT_LT ||
	    k == BS_XT_LE || k == BS_XT_GT || k == BS_XT_GE ||
	    k == BS_XT_IS || k == BS_XT_IN || k == BS_XT_BETWEEN ||
	    k == BS_XT_LIKE || k == BS_XT_MATCH || k == BS_XT_NOMATCH ||
	    (k == BS_XT_NOT);
}

static struct bs_xnode *
parse_cmp(struct parser *p)
{
	struct bs_xnode *l = parse_concat(p), *r = NULL;
	struct bs_xtoken *t;
	size_t off;
	int negate = 0;

	if (!l)
		return NULL;
	t = cur(p);
	off = t->off;
	switch (t->kind) {
	case BS_XT_EQ:
	case BS_XT_NE:
	case BS_XT_LT:
	case BS_XT_LE:
	case BS_XT_GT:
	case BS_XT_GE:
		p->i++;
		if (!(r = parse_concat(p)))
			return NULL;
		r = mk_compare(p, t->kind, off, l, r);
		break;
	case BS_XT_IS:
		p->i++;
		negate = accept(p, BS_XT_NOT);
		if (expect(p, BS_XT_NULL, negate ? "'null' after 'is not'" : "'null' or 'not null' after 'is'") < 0)
			return NULL;
		r = node(p, bs_xev_isnull, BS_TYPE_BOOL, off, l->start);
		r->negate = negate;
		add_kid(r, l);
		r = fold(p, r);
		break;
	case BS_XT_NOT:
		if (peek(p, 1)->kind != BS_XT_IN && peek(p, 1)->kind != BS_XT_BETWEEN &&
		    peek(p, 1)->kind != BS_XT_LIKE)
			return l;	/* the caller reports it */
		p->i++;
		negate = 1;
		t = cur(p);
		/* fall through */
	case BS_XT_IN:
	case BS_XT_BETWEEN:
	case BS_XT_LIKE:
		p->i++;
		if (t->kind == BS_XT_IN)
			r = parse_in(p, l, negate, off);
		else if (t->kind == BS_XT_BETWEEN)
			r = parse_between(p, l, negate, off);
		else
			r = parse_like(p, l, negate, off);
		break;
	case BS_XT_MATCH:
	case BS_XT_NOMATCH:
		p->i++;
		if (!(r = parse_concat(p)))
			return NULL;
		r = mk_regex(p, l, r, t->kind == BS_XT_NOMATCH, off);
		break;
	default:
		return l;
	}
	if (r && is_cmp_tok(cur(p)->kind) &&
	    !(cur(p)->kind == BS_XT_NOT && peek(p, 1)->kind != BS_XT_IN &&
	    peek(p, 1)->kind != BS_XT_BETWEEN && peek(p, 1)->kind != BS_XT_LIKE))
		return perr(p, cur(p)->off, "comparisons cannot be chained: join them with 'and'");
	return r;
}

/* ---- logic ---- */

static struct bs_xnode *
parse_not(struct parser *p)
{
	size_t off = cur(p)->off;
	struct bs_xnode *x;

	if (!accept(p, BS_XT_NOT))
		return parse_cmp(p);
	if (++p->depth > MAX_DEPTH)
		return perr(p, off, "expression nested too deeply");
	x = parse_not(p);
	p->depth--;
	if (!x)
		return NULL;
	return mk_logic(p, bs_xev_not, "'not' needs a condition", off, x, NULL);
}

static struct bs_xnode *
parse_and(struct parser *p)
{
	struct bs_xnode *l = parse_not(p);

	while (l && cur(p)->kind == BS_XT_AND) {
		size_t off = cur(p)->off;
		struct bs_xnode *r;

		p->i++;
		if (!(r = parse_not(p)))
			return NULL;
		l = mk_logic(p, bs_xev_and, "'and' needs conditions on both sides", off, l, r);
	}
	return l;
}

static struct bs_xnode *
parse_or(struct parser *p)
{
	struct bs_xnode *l = parse_and(p);

	while (l && cur(p)->kind == BS_XT_OR) {
		size_t off = cur(p)->off;
		struct bs_xnode *r;

		p->i++;
		if (!(r = parse_and(p)))
			return NULL;
		l = mk_logic(p, bs_xev_or, "'or' needs conditions on both sides", off, l, r);
	}
	return l;
}

static struct bs_xnode *
parse_expr(struct parser *p)
{
	struct bs_xnode *n;

	if (++p->depth > MAX_DEPTH)
		return perr(p, cur(p)->off, "expression nested too deeply");
	n = parse_or(p);
	p->depth--;
	return n;
}

/* ---- arithmetic ---- */

static struct bs_xnode *parse_unary(struct parser *p);

static struct bs_xnode *
parse_mul(struct parser *p)
{
	struct bs_xnode *l = parse_unary(p);

	while (l && (cur(p)->kind == BS_XT_STAR || cur(p)->kind == BS_XT_SLASH)) {
		struct bs_xtoken *t = cur(p);
		struct bs_xnode *r;

		p->i++;
		if (!(r = parse_unary(p)))
			return NULL;
		l = mk_arith(p, t->kind, t->off, l, r);
	}
	return l;
}

static struct bs_xnode *
parse_add(struct parser *p)
{
	struct bs_xnode *l = parse_mul(p);

	while (l && (cur(p)->kind == BS_XT_PLUS || cur(p)->kind == BS_XT_MINUS)) {
		struct bs_xtoken *t = cur(p);
		struct bs_xnode *r;

		p->i++;
		if (!(r = parse_mul(p)))
			return NULL;
		l = mk_arith(p, t->kind, t->off, l, r);
	}
	return l;
}

static struct bs_xnode *
parse_concat(struct parser *p)
{
	struct bs_xnode *l = parse_add(p), *n = NULL;

	while (l && cur(p)->kind == BS_XT_CONCAT) {
		size_t off = cur(p)->off;
		struct bs_xnode *r;

		p->i++;
		if (!(r = parse_add(p)))
			return NULL;
		if (!n) {
			n = node(p, bs_xev_concat, BS_TYPE_TEXT, off, l->start);
			give_buf(n);
			add_kid(n, l);
		}
		add_kid(n, r);
		l = n;
	}
	if (n) {
		for (size_t i = 0; i < n->nkids; i++)
			if (is_null_lit(n->kids[i]))
				n->kids[i]->type = BS_TYPE_TEXT;	/* typed NULL */
		return fold(p, n);
	}
	return l;
}

static struct bs_xnode *parse_primary(struct parser *p);

static struct bs_xnode *
parse_unary(struct parser *p)
{
	struct bs_xtoken *t = cur(p);
	struct bs_xnode *x, *n;

	if (t->kind != BS_XT_MINUS && t->kind != BS_XT_PLUS)
		return parse_primary(p);
	p->i++;
	if (++p->depth > MAX_DEPTH)
		return perr(p, t->off, "expression nested too deeply");
	x = parse_unary(p);
	p->depth--;
	if (!x)
		return NULL;
	if (!is_num(x->type) && x->type != BS_TYPE_NULL)
		return perr(p, t->off, "cannot apply unary '%c' to %s",
		    t->kind == BS_XT_MINUS ? '-' : '+', bs_type_name(x->type));
	if (t->kind == BS_XT_PLUS)
		return x;
	n = node(p, bs_xev_neg, x->type == BS_TYPE_NULL ? BS_TYPE_INTEGER : x->type,
	    t->off, t->off);
	add_kid(n, x);
	return fold(p, n);
}

/* ---- primaries ---- */

static struct bs_xnode *
parse_number(struct parser *p, struct bs_xtoken *t)
{
	struct bs_dec d;
	struct bs_xnode *n;

	if (bs_dec_parse(p->src + t->off, t->len, BS_DEC_LENIENT, &d, NULL) < 0)
		return perr(p, t->off, "number '%.*s' has more than %d digits",
		    (int)t->len, p->src + t->off, BS_DEC_MAX_DIGITS);
	n = node(p, bs_xev_const,
	    memchr(p->src + t->off, '.', t->len) ? BS_TYPE_DECIMAL : BS_TYPE_INTEGER,
	    t->off, t->off);
	n->is_const = 1;
	n->lit.u.d = d;
	p->i++;
	return n;
}

/* DATE '...' / TIMESTAMP '...' */
static struct bs_xnode *
typed_literal(struct parser *p, enum bs_type type)
{
	size_t off = cur(p)->off;
	struct bs_xnode *n;

	p->i++;
	n = lit_text(p, cur(p));
	p->i++;
	if (coerce_literal(p, n, type) < 0)
		return NULL;
	n->start = off;
	return n;
}

static int
name_is(const struct bs_xtoken *t, const char *word)
{
	return t->kind == BS_XT_IDENT && strlen(word) == t->tlen &&
	    strncasecmp(word, t->text, t->tlen) == 0;
}

static struct bs_xnode *
parse_case(struct parser *p)
{
	size_t off = cur(p)->off;
	struct bs_xnode *x = NULL, *n, **res = NULL, **whens = NULL;
	size_t nres = 0, nwhen = 0;
	enum bs_type t;
	int has_else = 0;

	p->i++;
	if (cur(p)->kind != BS_XT_WHEN && !(x = parse_expr(p)))
		return NULL;
	if (cur(p)->kind != BS_XT_WHEN)
		return unexpected(p, "expected 'when'");
	while (accept(p, BS_XT_WHEN)) {
		struct bs_xnode *w = parse_expr(p), *r;

		if (!w)
			goto fail;
		if (!x && !need_bool(p, w, "'when' needs a condition"))
			goto fail;
		if (x && is_null_lit(w)) {
			perr(p, w->start, "'when null' never matches: use 'case when x is null then ...'");
			goto fail;
		}
		if (expect(p, BS_XT_THEN, "'then'") < 0 || !(r = parse_expr(p)))
			goto fail;
		whens = bs_xreallocarray(whens, nwhen + 1, sizeof(*whens));
		whens[nwhen++] = w;
		res = bs_xreallocarray(res, nres + 1, sizeof(*res));
		res[nres++] = r;
	}
	if (accept(p, BS_XT_ELSE)) {
		struct bs_xnode *r = parse_expr(p);

		if (!r)
			goto fail;
		res = bs_xreallocarray(res, nres + 1, sizeof(*res));
		res[nres++] = r;
		has_else = 1;
	}
	if (expect(p, BS_XT_END, "'when', 'else' or 'end'") < 0)
		goto fail;
	if (unify(p, res, nres, off, "the results of 'case'", &t) < 0)
		goto fail;
	for (size_t i = 0; i < nres; i++)	/* text literals stay text */
		res[i]->text_literal = 0;
	n = node(p, x ? bs_xev_case_simple : bs_xev_case, t, off, off);
	n->has_else = has_else;
	if (x) {
		struct bs_xnode **v = bs_xreallocarray(NULL, nwhen + 1, sizeof(*v));
		enum bs_type ct;

		v[0] = x;
		memcpy(v + 1, whens, nwhen * sizeof(*v));
		if (unify(p, v, nwhen + 1, whens[0]->start, NULL, &ct) < 0) {
			free(v);
			goto fail;
		}
		n->cmp = bs_xcmp_for(ct);
		x = v[0];
		memcpy(whens, v + 1, nwhen * sizeof(*v));
		free(v);
		add_kid(n, x);
	}
	for (size_t i = 0; i < nwhen; i++) {
		add_kid(n, whens[i]);
		add_kid(n, res[i]);
	}
	if (has_else)
		add_kid(n, res[nres - 1]);
	free(whens);
	free(res);
	return fold(p, n);
fail:
	free(whens);
	free(res);
	return NULL;
}

/* A type name in CAST: text, integer, decimal[(p[,s])], date, ... */
static int
parse_type_name(struct parser *p, struct bs_expr_col *ct)
{
	struct bs_xtoken *t = cur(p);
	size_t start = t->off, end;
	struct bs_err err = BS_ERR_INIT;

	if (t->kind != BS_XT_IDENT) {
		unexpected(p, "expected a type name");
		return -1;
	}
	p->i++;
	end = t->off + t->len;
	if (cur(p)->kind == BS_XT_LPAREN) {
		while (cur(p)->kind != BS_XT_RPAREN && cur(p)->kind != BS_XT_EOF)
			p->i++;
		if (expect(p, BS_XT_RPAREN, NULL) < 0)
			return -1;
		end = p->tk.v[p->i - 1].off + 1;
	}
	if (bs_expr_col_parse(p->src + start, end - start, ct, &err) < 0) {
		perr(p, start, "%s", err.msg);
		return -1;
	}
	return 0;
}

static struct bs_xnode *
parse_cast(struct parser *p)
{
	size_t off = cur(p)->off;
	struct bs_xnode *x, *n;
	struct bs_expr_col ct;
	enum bs_type from, to;
	int ok;

	p->i++;
	if (expect(p, BS_XT_LPAREN, "'(' after 'cast'") < 0 || !(x = parse_expr(p)) ||
	    expect(p, BS_XT_AS, "'as' in 'cast(... as type)'") < 0 ||
	    parse_type_name(p, &ct) < 0 || expect(p, BS_XT_RPAREN, NULL) < 0)
		return NULL;
	from = x->type;
	to = ct.type;
	ok = from == BS_TYPE_NULL || from == to || to == BS_TYPE_TEXT ||
	    from == BS_TYPE_TEXT || (is_num(from) && is_num(to)) ||
	    (is_dateish(from) && is_dateish(to));
	if (!ok)
		return perr(p, off, "cannot cast %s to %s", bs_type_name(from),
		    bs_type_name(to));
	n = node(p, bs_xev_cast, to, off, off);
	n->ctype = ct;
	if (to == BS_TYPE_TEXT)
		give_buf(n);
	if (from == BS_TYPE_NULL)
		x->type = to;	/* a typed NULL */
	x->text_literal = 0;
	add_kid(n, x);
	return fold(p, n);
}

static int
spec_ok(char spec, struct parser *p, struct bs_xnode *k)
{
	enum bs_type t = k->type;

	if (t == BS_TYPE_NULL || spec == '*')
		return 1;
	switch (spec) {
	case 't':
		return t == BS_TYPE_TEXT;
	case 'i':
		return t == BS_TYPE_INTEGER;
	case 'n':
		return is_num(t);
	case 'd':
		if (k->text_literal)
			return coerce_literal(p, k, BS_TYPE_DATE) == 0 ? 1 : -1;
		return t == BS_TYPE_DATE;
	case 'D':
		if (k->text_literal)
			return coerce_literal(p, k, k->lit.u.s.n > 10 ?
			    BS_TYPE_TIMESTAMP : BS_TYPE_DATE) == 0 ? 1 : -1;
		return is_dateish(t);
	case 'x':
		if (k->text_literal)
			return coerce_literal(p, k, k->lit.u.s.n > 10 ?
			    BS_TYPE_TIMESTAMP : BS_TYPE_DATE) == 0 ? 1 : -1;
		return t == BS_TYPE_TEXT || is_dateish(t);
	}
	return 0;
}

static const char *
spec_name(char spec)
{
	switch (spec) {
	case 't':
		return "text";
	case 'i':
		return "an integer";
	case 'n':
		return "a number";
	case 'd':
		return "a date";
	case 'D':
		return "a date or timestamp";
	default:
		return "text, a date or a timestamp";
	}
}

static struct bs_xnode *
parse_call(struct parser *p)
{
	struct bs_xtoken *name = cur(p);
	const struct bs_xfunc *f = bs_xfunc_find(name->text, name->tlen);
	struct bs_xnode *n;
	size_t nargs, nspec;
	enum bs_type t;

	if (!f) {
		static const char *aggr[] = { "sum", "count", "avg", "min", "max" };

		for (size_t i = 0; i < BS_ARRAY_SIZE(aggr); i++)
			if (name_is(name, aggr[i]))
				return perr(p, name->off, "unknown function '%s' (an expression sees one row: there are no aggregates)", name->text);
		return perr(p, name->off, "unknown function '%s'", name->text);
	}
	p->i += 2;	/* name ( */
	n = node(p, f->eval, f->ret, name->off, name->off);
	if (f->flags & BS_XF_TEXTBUF)
		give_buf(n);
	if (cur(p)->kind != BS_XT_RPAREN) {
		do {
			struct bs_xnode *k = parse_expr(p);

			if (!k)
				return NULL;
			add_kid(n, k);
		} while (accept(p, BS_XT_COMMA));
	}
	if (expect(p, BS_XT_RPAREN, "',' or ')' after a function argument") < 0)
		return NULL;
	nargs = n->nkids;
	if ((int)nargs < f->min || (f->max >= 0 && (int)nargs > f->max)) {
		if (f->max < 0)
			return perr(p, name->off, "function '%s' takes at least %d argument%s, not %zu",
			    f->name, f->min, f->min == 1 ? "" : "s", nargs);
		if (f->min == f->max)
			return perr(p, name->off, "function '%s' takes %d argument%s, not %zu",
			    f->name, f->min, f->min == 1 ? "" : "s", nargs);
		return perr(p, name->off, "function '%s' takes %d to %d arguments, not %zu",
		    f->name, f->min, f->max, nargs);
	}
	nspec = strlen(f->args);
	for (size_t i = 0; i < nargs; i++) {
		char spec = f->args[i < nspec ? i : nspec - 1];
		int ok = spec_ok(spec, p, n->kids[i]);

		if (ok < 0)
			return NULL;
		if (!ok)
			return perr(p, n->kids[i]->start, "argument %zu of '%s' must be %s, not %s",
			    i + 1, f->name, spec_name(spec), bs_type_name(n->kids[i]->type));
	}
	switch (f->res) {
	case BS_XF_FIXED:
		break;
	case BS_XF_ARG0:
		n->type = n->kids[0]->type;
		break;
	case BS_XF_UNIFY:
		if (unify(p, n->kids, nargs, name->off, NULL, &t) < 0)
			return NULL;
		for (size_t i = 0; i < nargs; i++)
			n->kids[i]->text_literal = 0;
		n->type = t;
		n->cmp = bs_xcmp_for(t);
		break;
	}
	if (f->flags & BS_XF_REGIONS) {
		if (!p->env || !p->env->regions)
			return perr(p, name->off, "'%s': no GB/T 2260 list loaded", f->name);
		n->regions = p->env->regions;
	}
	if ((f->flags & BS_XF_REGEX) && compile_regex(p, n, n->kids[1]) < 0)
		return NULL;
	if (f->flags & BS_XF_DATEFMT) {
		struct bs_xnode *k = n->kids[1];

		if (!k->is_const || k->lit.null || k->type != BS_TYPE_TEXT)
			return perr(p, k->start, "the pattern of '%s' must be a text literal", f->name);
		if (memchr(k->lit.u.s.p, '\0', k->lit.u.s.n) ||
		    bs_date_fmt_check(k->lit.u.s.p) < 0)
			return perr(p, k->start, "bad date pattern '%s': use YYYY, MM and DD once each (DD may be left out), e.g. 'YYYYMMDD'", k->lit.u.s.p);
		n->fmt = bs_xstrdup(k->lit.u.s.p);
	}
	return fold(p, n);
}

static struct bs_xnode *
parse_primary(struct parser *p)
{
	struct bs_xtoken *t = cur(p);
	struct bs_xnode *n;

	if (++p->depth > MAX_DEPTH)
		return perr(p, t->off, "expression nested too deeply");
	if (p->e->nnodes > MAX_NODES)
		return perr(p, t->off, "expression too long (more than %d operators and operands)", MAX_NODES);
	switch (t->kind) {
	case BS_XT_NUMBER:
		n = parse_number(p, t);
		break;
	case BS_XT_STRING:
		n = lit_text(p, t);
		p->i++;
		break;
	case BS_XT_TRUE:
	case BS_XT_FALSE:
		n = node(p, bs_xev_const, BS_TYPE_BOOL, t->off, t->off);
		n->is_const = 1;
		n->lit.u.b = t->kind == BS_XT_TRUE;
		p->i++;
		break;
	case BS_XT_NULL:
		n = lit_null(p, t->off);
		p->i++;
		break;
	case BS_XT_LPAREN:
		p->i++;
		n = parse_expr(p);
		if (n && expect(p, BS_XT_RPAREN, "')'") < 0)
			n = NULL;
		break;
	case BS_XT_CASE:
		n = parse_case(p);
		break;
	case BS_XT_CAST:
		n = parse_cast(p);
		break;
	case BS_XT_IDENT:
		if (peek(p, 1)->kind == BS_XT_STRING && name_is(t, "date")) {
			n = typed_literal(p, BS_TYPE_DATE);
		} else if (peek(p, 1)->kind == BS_XT_STRING && name_is(t, "timestamp")) {
			n = typed_literal(p, BS_TYPE_TIMESTAMP);
		} else if (peek(p, 1)->kind == BS_XT_LPAREN) {
			n = parse_call(p);
		} else {
			n = column(p, t);
			p->i++;
		}
		break;
	case BS_XT_QIDENT:
		n = column(p, t);
		p->i++;
		break;
	case BS_XT_PARAM:
		n = param(p, t);
		p->i++;
		break;
	default:
		n = unexpected(p, "expected a value");
		break;
	}
	p->depth--;
	return n;
}

/* ---- public API ---- */

void
bs_expr_free(struct bs_expr *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nnodes; i++)
		free_node(e->nodes[i]);
	free(e->nodes);
	free(e->slots);
	free(e->cols);
	free(e);
}

static struct bs_expr *
compile(const char *src, size_t len, const struct bs_expr_env *env,
    struct bs_expr_pos *pos, struct bs_err *err, int cond)
{
	struct parser p;
	struct bs_expr_pos dummy;

	memset(&p, 0, sizeof(p));
	p.src = src;
	p.len = len;
	p.env = env;
	p.err = err;
	if (!pos)
		pos = &dummy;
	pos->line = pos->column = 1;
	if (bs_xlex(src, len, &p.tk, &p.erroff, err) < 0) {
		bs_xpos(src, len, p.erroff, pos);
		return NULL;
	}
	p.e = bs_xcalloc(1, sizeof(*p.e));
	if (p.tk.v[0].kind == BS_XT_EOF) {
		perr(&p, 0, "empty expression");
	} else if ((p.e->root = parse_expr(&p)) != NULL && cur(&p)->kind != BS_XT_EOF) {
		if (cur(&p)->kind == BS_XT_NOT)
			perr(&p, cur(&p)->off, "unexpected 'not' (write 'not in', 'not between', 'not like', or 'not' before a condition)");
		else if (cur(&p)->kind == BS_XT_RPAREN)
			perr(&p, cur(&p)->off, "unbalanced ')'");
		else
			unexpected(&p, NULL);
	}
	if (!p.failed && cond && p.e->root->type != BS_TYPE_BOOL)
		perr(&p, 0, "expected a condition (true or false), not %s",
		    bs_type_name(p.e->root->type));
	bs_xtokens_release(&p.tk);
	if (p.e->slots)	/* folding used them; evaluation rewrites them */
		memset(p.e->slots, 0, p.e->aslots * sizeof(*p.e->slots));
	if (p.failed) {
		bs_xpos(src, len, p.erroff, pos);
		bs_expr_free(p.e);
		return NULL;
	}
	return p.e;
}

struct bs_expr *
bs_expr_compile(const char *src, size_t len, const struct bs_expr_env *env,
    struct bs_expr_pos *pos, struct bs_err *err)
{
	return compile(src, len, env, pos, err, 0);
}

struct bs_expr *
bs_expr_compile_cond(const char *src, size_t len,
    const struct bs_expr_env *env, struct bs_expr_pos *pos, struct bs_err *err)
{
	return compile(src, len, env, pos, err, 1);
}
