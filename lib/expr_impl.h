/*
 * expr_impl.h - internals of the expression language, shared by
 * expr_lex.c (tokens), expr_parse.c (parser, type checker, constant
 * folding, public compile API) and expr_eval.c (node evaluators, function
 * table, public evaluation API).  Not for use outside those files.
 *
 * A compiled expression is a tree of nodes; each node carries a pointer
 * to its evaluator, chosen at compile time for the operand types, so
 * evaluation is a walk of indirect calls without type dispatch.  An
 * evaluator returns a pointer to its value: a node's literal, a shared
 * constant (NULL, true, false) or the node's slot in the expression's
 * slot array (owned by struct bs_expr, rewritten on every evaluation).
 */
#ifndef BS_EXPR_IMPL_H
#define BS_EXPR_IMPL_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include "buf.h"
#include "date.h"
#include "decimal.h"
#include "expr.h"

/* ---- tokens (expr_lex.c) ---- */

enum bs_xtok {
	BS_XT_EOF,
	BS_XT_IDENT,	/* text = name (lookup.column included) */
	BS_XT_QIDENT,	/* "quoted name", text unescaped */
	BS_XT_NUMBER,
	BS_XT_STRING,	/* 'text', text unescaped */
	BS_XT_LPAREN, BS_XT_RPAREN, BS_XT_COMMA,
	BS_XT_EQ, BS_XT_NE, BS_XT_LT, BS_XT_LE, BS_XT_GT, BS_XT_GE,
	BS_XT_PLUS, BS_XT_MINUS, BS_XT_STAR, BS_XT_SLASH, BS_XT_CONCAT,
	BS_XT_MATCH, BS_XT_NOMATCH,	/* ~ !~ */
	/* keywords (case-insensitive, never when quoted) */
	BS_XT_AND, BS_XT_OR, BS_XT_NOT, BS_XT_IS, BS_XT_NULL, BS_XT_IN,
	BS_XT_BETWEEN, BS_XT_LIKE, BS_XT_ESCAPE, BS_XT_TRUE, BS_XT_FALSE,
	BS_XT_CASE, BS_XT_WHEN, BS_XT_THEN, BS_XT_ELSE, BS_XT_END,
	BS_XT_CAST, BS_XT_AS,
	BS_XT_PARAM,	/* :name, text = name without the colon */
};

struct bs_xtoken {
	enum bs_xtok kind;
	size_t off, len;	/* bytes of the source */
	char *text;		/* IDENT, QIDENT, STRING: owned, NUL-terminated */
	size_t tlen;
};

struct bs_xtokens {
	struct bs_xtoken *v;
	size_t n, alloc;
};

/*
 * Tokenize src.  0, or -1 with err (BS_EXIT_CONFIG) and *erroff the byte
 * offset of the problem.  The token list always ends with BS_XT_EOF.
 */
int bs_xlex(const char *src, size_t len, struct bs_xtokens *out,
    size_t *erroff, struct bs_err *err);
void bs_xtokens_release(struct bs_xtokens *t);
/* Printable spelling of a token kind for messages ("'<='", "end of expression"). */
const char *bs_xtok_name(enum bs_xtok k);
/* Byte offset -> 1-based line and character column. */
void bs_xpos(const char *src, size_t len, size_t off, struct bs_expr_pos *pos);

/* ---- values ---- */

struct bs_xval {
	int null;
	union {
		int b;
		struct bs_dec d;	/* integer (scale 0) and decimal */
		int32_t date;
		struct bs_timestamp ts;
		struct {
			const char *p;
			size_t n;
		} s;
	} u;
};

struct bs_xctx {
	const struct bs_row *row;
	struct bs_xval *slots;
	int rterr;		/* a runtime error was recorded */
	struct bs_err *err;
	struct bs_row_cache *rc;	/* typed column values; NULL: none */
};

/*
 * The typed values of the current row's columns, each parsed on first
 * use (see bs_row_cache_new() in expr.h).  A column's entry is valid
 * while its stamp equals gen; val.null = 1 records text that does not
 * parse as type.
 */
struct bs_row_cache {
	size_t n;
	uint32_t gen;
	uint32_t *stamp;
	struct bs_xval *val;
	struct bs_expr_col *type;
};

struct bs_xnode;
typedef const struct bs_xval *(*bs_xeval_fn)(const struct bs_xnode *,
    struct bs_xctx *);
typedef int (*bs_xcmp_fn)(const struct bs_xval *, const struct bs_xval *);

/* A LIKE pattern, compiled. */
enum bs_xlike_kind {
	BS_XLIKE_EXACT, BS_XLIKE_PREFIX, BS_XLIKE_SUFFIX, BS_XLIKE_CONTAINS,
	BS_XLIKE_ANY, BS_XLIKE_GENERAL,
};

struct bs_xlike {
	enum bs_xlike_kind kind;
	char *lit;	/* the literal part for the simple kinds */
	size_t llen, alit;
	int *prog;	/* GENERAL: bytes 0..255, BS_XLIKE_ONE, BS_XLIKE_MANY */
	size_t nprog, aprog;
};

#define BS_XLIKE_ONE 256	/* _ : one character */
#define BS_XLIKE_MANY 257	/* % : any run of characters */

/*
 * Compile a LIKE pattern; esc is the escape byte or -1.  out is zeroed or
 * holds an earlier pattern, whose buffers are reused.  -1 on a dangling
 * escape (the pattern ends right after it).
 */
int bs_xlike_compile(const char *pat, size_t n, int esc, struct bs_xlike *out);
void bs_xlike_release(struct bs_xlike *l);
int bs_xlike_match(const struct bs_xlike *l, const char *s, size_t n);

struct bs_xnode {
	bs_xeval_fn eval;
	enum bs_type type;
	int op;			/* operator or function specific */
	size_t slot;		/* index into the slot array */
	size_t off;		/* operator / name position (bytes) */
	size_t start;		/* first byte of the whole subexpression */
	struct bs_xnode **kids;
	size_t nkids;
	int is_const;		/* value is in lit */
	int text_literal;	/* a 'text' literal as written: coercible */
	struct bs_xval lit;
	char *owned;		/* storage of lit's text */
	size_t col;		/* column index */
	struct bs_expr_col ctype;	/* column type; cast target */
	bs_xcmp_fn cmp;
	int negate;		/* NOT IN, NOT BETWEEN, NOT LIKE, !~, IS NOT */
	int has_else;		/* CASE */
	struct bs_xlike like;	/* constant LIKE pattern */
	int like_esc;		/* -1 none */
	struct bs_xlike *like_dyn;	/* pattern from a column: reused */
	pcre2_code *re;
	pcre2_match_data *md;
	struct bs_buf *buf;	/* scratch for text results */
	char *fmt;		/* to_date pattern */
	const struct bs_region_list *regions;
};

struct bs_expr {
	struct bs_xnode *root;
	struct bs_xnode **nodes;	/* every node, for freeing */
	size_t nnodes, anodes;
	struct bs_xval *slots;
	size_t aslots;
	size_t *cols;			/* referenced columns */
	size_t ncols, acols;
	size_t need_fields;		/* 1 + highest column index */
};

/* ---- evaluation (expr_eval.c) ---- */

extern const struct bs_xval bs_xnull, bs_xtrue, bs_xfalse;

#define BS_XTEXT_MAX (16u << 20)	/* cap of one text result */

/* Record the first runtime error; returns &bs_xnull. */
const struct bs_xval *bs_xrterr(struct bs_xctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parse a column's text as its declared type: 0, or -1 with err. */
int bs_xparse_value(const struct bs_expr_col *t, const char *s, size_t n,
    struct bs_xval *v, struct bs_err *err);

/* Append the text rendering of a non-NULL value of type t. */
int bs_xrender(enum bs_type t, const struct bs_xval *v, struct bs_buf *out);

/* Comparators by (common) type. */
bs_xcmp_fn bs_xcmp_for(enum bs_type t);

/* Node evaluators the parser wires up. */
const struct bs_xval *bs_xev_const(const struct bs_xnode *n, struct bs_xctx *c);
const struct bs_xval *bs_xev_column(const struct bs_xnode *n, struct bs_xctx *c);
const struct bs_xval *bs_xev_and(const struct bs_xnode *n, struct bs_xctx *c);
const struct bs_xval *bs_xev_or(const struct bs_xnode *n, struct bs_xctx *c);
const struct bs_xval *bs_xev_not(const struct bs_xnode *n, struct bs_xctx *c);
const struct bs_xval *bs_xev_compare(const struct bs_xnode *n, struct bs_xctx *c);
/* bs_xev_compare() for column op constant, column op column (no kid calls) */
const struct bs_xval *bs_xev_compare_col_const(const struct bs_xnode *n,
    struct bs_xctx *c);
const struct bs_xval *bs_xev_compare_col_col(const struct bs_xnode *n,
    struct bs_xctx *c);
const struct bs_xval *bs_xev_isnull(const struct bs_xnode *n, struct bs_xctx *c);
const struct bs_xval *bs_xev_in(const struct bs_xnode *n, struct bs_xctx *c);
const struct bs_xval *bs_xev_between(const struct bs_xnode *n, struct bs_xctx *c);
const struct bs_xval *bs_xev_like(const struct bs_xnode *n, struct bs_xctx *c);
const struct bs_xval *bs_xev_regex(const struct bs_xnode *n, struct bs_xctx *c);
const struct bs_xval *bs_xev_arith(const struct bs_xnode *n, struct bs_xctx *c);
const struct bs_xval *bs_xev_neg(const struct bs_xnode *n, struct bs_xctx *c);
const struct bs_xval *bs_xev_date_arith(const struct bs_xnode *n, struct bs_xctx *c);
const struct bs_xval *bs_xev_concat(const struct bs_xnode *n, struct bs_xctx *c);
const struct bs_xval *bs_xev_case(const struct bs_xnode *n, struct bs_xctx *c);
const struct bs_xval *bs_xev_case_simple(const struct bs_xnode *n, struct bs_xctx *c);
const struct bs_xval *bs_xev_cast(const struct bs_xnode *n, struct bs_xctx *c);

/* Arithmetic ops (node op) */
enum bs_xarith { BS_XA_ADD, BS_XA_SUB, BS_XA_MUL, BS_XA_DIV };
/* Date arithmetic (node op): date/timestamp +- days, date - date */
enum bs_xdarith { BS_XD_ADD, BS_XD_SUB, BS_XD_DIFF };

/* ---- functions (expr_eval.c) ---- */

enum bs_xfres {
	BS_XF_FIXED,	/* ret */
	BS_XF_ARG0,	/* the type of argument 1 */
	BS_XF_UNIFY,	/* the common type of all arguments (coalesce) */
};

enum bs_xfflags {
	BS_XF_REGIONS = 1u << 0,	/* needs the GB/T 2260 list */
	BS_XF_REGEX = 1u << 1,		/* argument 2: constant regex */
	BS_XF_DATEFMT = 1u << 2,	/* argument 2: constant date pattern */
	BS_XF_TEXTBUF = 1u << 3,	/* builds new text: needs a scratch buffer */
};

struct bs_xfunc {
	const char *name;
	int min, max;		/* argument count; max -1 = any */
	/*
	 * One letter per argument (the last repeats): t text, i integer,
	 * n integer or decimal, d date, D date or timestamp, x text, date
	 * or timestamp, * anything.
	 */
	const char *args;
	enum bs_xfres res;
	enum bs_type ret;
	unsigned flags;
	bs_xeval_fn eval;
};

/* Look a function up by name (case-insensitive); NULL if unknown. */
const struct bs_xfunc *bs_xfunc_find(const char *name, size_t len);

#endif
