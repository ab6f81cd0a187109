/*
 * expr.h - the expression language of rule files and transform layouts.
 *
 * Rule files ('assert:', 'when:') and layouts (derived fields) hold small
 * SQL-like expressions over the columns of one CSV row:
 *
 *	exp_date >= eff_date
 *	status not in ('02', '03') or close_date is not null
 *	id_type <> '01' or resident_id_birth(id_no) = birth_date
 *
 * The language itself (grammar, types, NULL rules, every operator and
 * function) is documented for users in baosong-rules(5), section
 * EXPRESSIONS; this header documents the C interface.
 *
 * Life cycle: compile once (all checking happens here: unknown columns and
 * functions, type errors, bad literals, bad regular expressions are
 * compile errors with a line:column inside the expression source), then
 * evaluate once per row.  Evaluation does not allocate in the common case:
 * text results live in per-expression scratch buffers that grow once and
 * are reused, and a regular expression's match data is allocated at
 * compile time.  Consequently one struct bs_expr must not be evaluated by
 * two threads at once (compile one per thread instead).
 *
 * Ownership: bs_expr_compile() returns an expression the caller frees with
 * bs_expr_free().  The environment (env) is only used during compilation,
 * except env->regions, which must outlive the expression.  Rows are
 * borrowed for the duration of one evaluation call.
 *
 * Example:
 *
 *	struct bs_expr_pos pos;
 *	struct bs_expr *e = bs_expr_compile_cond(src, len, &env, &pos, &err);
 *	if (!e)
 *		printf("%s:%d:%d: %s\n", file, line0 + pos.line - 1,
 *		    pos.column, err.msg);
 *	...
 *	int ok;
 *	rc = bs_expr_eval_bool(e, &row, &ok, &err);
 *	if (rc == 1) ... row problem: err.msg ("division by zero") ...
 *	if (ok == 0) ... the check failed ...  (1 passed, -1 NULL = passed)
 *	bs_expr_free(e);
 */
#ifndef BS_EXPR_H
#define BS_EXPR_H

#include <stddef.h>

struct bs_err;
struct bs_buf;
struct bs_region_list;

/* Static types.  BS_TYPE_NULL is the type of the bare literal NULL only. */
enum bs_type {
	BS_TYPE_NULL = 0,
	BS_TYPE_BOOL,
	BS_TYPE_INTEGER,
	BS_TYPE_DECIMAL,
	BS_TYPE_TEXT,
	BS_TYPE_DATE,
	BS_TYPE_TIMESTAMP,
};

/* "null", "boolean", "integer", "decimal", "text", "date", "timestamp". */
const char *bs_type_name(enum bs_type t);

/*
 * A column's declared type, as a rule file writes it: 'text', 'text(60)',
 * 'integer', 'decimal', 'decimal(20,2)', 'date', 'timestamp', 'boolean'.
 * precision and scale (decimal) and length (text, in characters) are 0
 * when not given, meaning unconstrained.
 */
struct bs_expr_col {
	enum bs_type type;
	int precision, scale, length;
};

/*
 * Parse a type declaration (case-insensitive, blanks allowed around the
 * parts; also accepted: varchar(n), int, numeric(p,s), bool).  0, or -1
 * with err (code BS_EXIT_CONFIG): "unknown type 'money'", "bad precision
 * in 'decimal(2,5)'".
 */
int bs_expr_col_parse(const char *s, size_t n, struct bs_expr_col *out,
    struct bs_err *err);

/* "decimal(20,2)", "text(60)", "date"... into buf (at least 32 bytes). */
const char *bs_expr_col_str(const struct bs_expr_col *t, char *buf,
    size_t size);

/*
 * The 'type' check: does the text value s fit the declared type?  0, or
 * -1 with err (code BS_EXIT_DATAERR) saying why, e.g. "not a valid date
 * (YYYY-MM-DD)", "not a decimal number", "more than 2 decimal places",
 * "more than 18 digits before the decimal point", "longer than 60
 * characters".  A NULL value (s == NULL) always fits (absence is the
 * 'required' check's business).  A value that fails this check is NULL
 * inside expressions, so one bad value yields one message.
 */
int bs_expr_col_check(const struct bs_expr_col *t, const char *s, size_t n,
    struct bs_err *err);

/*
 * A run parameter (:period_end) as the environment resolves it: its type
 * and its value as text in that type's written form ('2026-10-31').
 * value NULL means the parameter exists but has no value in this
 * compilation (checking rules without a run): the expression is then
 * type-checked and must not be evaluated.  why: the message when the
 * parameter cannot be used (static storage).
 */
struct bs_expr_param {
	struct bs_expr_col type;
	const char *value;
	size_t len;
	const char *why;
};

struct bs_expr_env {
	/*
	 * Resolve a column name (exactly as written, without the double
	 * quotes of a quoted name; a qualified name lookup.column comes as
	 * one name with its dot): return 0 and fill *index (the field
	 * number in struct bs_row) and *type, or -1 if there is no such
	 * column.  An undeclared column of a CSV is text.
	 */
	int (*column)(void *ctx, const char *name, size_t len, size_t *index,
	    struct bs_expr_col *type);
	/*
	 * Resolve a parameter name (without its colon): 0 and *out filled,
	 * or -1 with out->why set ("unknown parameter" when NULL).  May be
	 * NULL: every parameter is then unknown.
	 */
	int (*param)(void *ctx, const char *name, size_t len,
	    struct bs_expr_param *out);
	void *ctx;
	/* May be NULL: region functions are then a compile error. */
	const struct bs_region_list *regions;
};

/* 1-based line and column (in characters) within the expression source. */
struct bs_expr_pos {
	int line, column;
};

struct bs_expr;

/*
 * Compile len bytes of src.  Returns the expression, or NULL with err
 * (code BS_EXIT_CONFIG, message without a position) and *pos set to the
 * offending token (or, for a bad regular expression, the offending
 * character inside the pattern).  pos may be NULL.
 */
struct bs_expr *bs_expr_compile(const char *src, size_t len,
    const struct bs_expr_env *env, struct bs_expr_pos *pos,
    struct bs_err *err);

/*
 * As bs_expr_compile(), and the result must be a condition (boolean):
 * otherwise NULL with "expected a condition (true or false), not decimal"
 * at 1:1.
 */
struct bs_expr *bs_expr_compile_cond(const char *src, size_t len,
    const struct bs_expr_env *env, struct bs_expr_pos *pos,
    struct bs_err *err);

/* The static type of the result. */
enum bs_type bs_expr_type(const struct bs_expr *e);

/* Free an expression; NULL is fine. */
void bs_expr_free(struct bs_expr *e);

/* A row: field i is fields[i] with length lens[i]; fields[i] == NULL means NULL. */
struct bs_row {
	size_t n;
	const char *const *fields;
	const size_t *lens;
};

/*
 * Evaluate a condition: *result = 1 true, 0 false, -1 NULL (unknown).
 *
 * Returns 0; or 1 when a runtime data error happened (division by zero,
 * decimal overflow, a date out of range, invalid UTF-8 under a regular
 * expression, a text result over 16 MiB): the failing part evaluated as
 * NULL, *result is still set, and err (code BS_EXIT_DATAERR) describes
 * the first such error - report it against the row, or ignore it; or -1
 * (code BS_EXIT_SOFTWARE) when the call itself is wrong: the expression
 * is not a condition, or the row has fewer fields than a referenced
 * column index.
 */
int bs_expr_eval_bool(const struct bs_expr *e, const struct bs_row *row,
    int *result, struct bs_err *err);

/*
 * Evaluate any expression and append its text to out: booleans as
 * 'true'/'false', numbers with their own scale (round() them to fix it),
 * dates 'YYYY-MM-DD', timestamps 'YYYY-MM-DD HH:MM:SS[.f]'.  A NULL result
 * sets *is_null = 1 and appends nothing.  Returns as bs_expr_eval_bool();
 * -1 also when out's cap is reached.
 */
int bs_expr_eval_text(const struct bs_expr *e, const struct bs_row *row,
    struct bs_buf *out, int *is_null, struct bs_err *err);

/*
 * A row cache: the typed values (decimal, date, ...) of one row's columns,
 * so that a column several expressions read is parsed once per row, not
 * once per reference.  For a caller that evaluates many expressions over
 * the same row (baosong-validate's rules):
 *
 *	struct bs_row_cache *rc = bs_row_cache_new(ncols);
 *	for (each row) {
 *		... fill row.fields, row.lens ...
 *		bs_row_cache_clear(rc);
 *		bs_expr_eval_bool_cached(e1, &row, rc, &ok, &err);
 *		bs_expr_eval_bool_cached(e2, &row, rc, &ok, &err);
 *	}
 *	bs_row_cache_free(rc);
 *
 * The cache holds no text (text columns are read from the row as ever),
 * never allocates after bs_row_cache_new(), and covers columns 0..n-1
 * (others are parsed per reference).  bs_row_cache_clear() must be called
 * whenever a field of the row changes (a new row, a field set afterwards);
 * it costs an increment.  A value is cached with the column type it was
 * parsed as, so expressions compiled against different environments may
 * share a cache.  Like an expression, a cache belongs to one thread.
 * Results are exactly those of the uncached functions.
 */
struct bs_row_cache;

/* A cache for rows of up to n columns (never NULL; 71 on no memory). */
struct bs_row_cache *bs_row_cache_new(size_t n);

/* Forget every value: the row changed.  O(1). */
void bs_row_cache_clear(struct bs_row_cache *rc);

/* NULL is fine. */
void bs_row_cache_free(struct bs_row_cache *rc);

/* bs_expr_eval_bool() and bs_expr_eval_text() with a cache (NULL: none). */
int bs_expr_eval_bool_cached(const struct bs_expr *e, const struct bs_row *row,
    struct bs_row_cache *rc, int *result, struct bs_err *err);
int bs_expr_eval_text_cached(const struct bs_expr *e, const struct bs_row *row,
    struct bs_row_cache *rc, struct bs_buf *out, int *is_null,
    struct bs_err *err);

/*
 * 1 when a and b were compiled to the same expression - the same
 * operators, columns (and their types) and constants, so that one result
 * serves for both on any row: "id_type = '01'" twice, whatever the
 * spacing.  0 when they differ, and also whenever the check cannot tell
 * cheaply (function calls, LIKE, regular expressions, arithmetic, CASE,
 * casts): a false 0 only costs a second evaluation.  NULL: 0.
 */
int bs_expr_same(const struct bs_expr *a, const struct bs_expr *b);

/*
 * The field indexes of the columns the expression references, each once,
 * in order of first appearance (for diagnostics: the columns to show
 * with an offending row).  The array is borrowed from e.
 */
size_t bs_expr_columns(const struct bs_expr *e, const size_t **indexes);

/*
 * 1 and *index when the whole expression is one column reference (so a
 * caller may use the field's text as written instead of its rendering),
 * else 0.
 */
int bs_expr_is_column(const struct bs_expr *e, size_t *index);

#endif
