/*
 * test_expr.c - the expression language: lexer, parser, type checker,
 * evaluator, functions, and the evaluation speed.
 *
 * Expressions run over a fixed test schema (see cols[] below); a row is
 * given as "name=value" strings, and an unlisted column is NULL.
 * run() returns the rendered result, "NULL", "ERR l:c msg" for a compile
 * error, with " !msg" appended for a runtime data error.
 *
 * BS_BENCH=1 build/tests/test_expr  runs the speed test with 2,000,000
 * rows per expression and prints ns per evaluation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "bs.h"
#include "buf.h"
#include "expr.h"
#include "idcheck.h"

static const struct {
	const char *name, *type;
} cols[] = {
	{ "t", "text" }, { "u", "text(4)" }, { "n", "integer" }, { "m", "integer" },
	{ "a", "decimal(20,2)" }, { "x", "decimal" }, { "y", "decimal" },
	{ "d", "date" }, { "d2", "date" }, { "ts", "timestamp" },
	{ "p", "boolean" }, { "q", "boolean" }, { "id", "text" },
	{ "保单号", "text" }, { "end", "text" }, { "金额", "decimal(20,2)" },
};
#define NCOLS BS_ARRAY_SIZE(cols)

#ifndef __SANITIZE_ADDRESS__
/*
 * Count allocations (t_no_alloc): the test binary interposes malloc and
 * friends and forwards to glibc.  Not under AddressSanitizer, which has
 * its own allocator.
 */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t k, size_t n);
extern void *__libc_realloc(void *p, size_t n);
static long nalloc;

void *
malloc(size_t n)
{
	nalloc++;
	return __libc_malloc(n);
}

void *
calloc(size_t k, size_t n)
{
	nalloc++;
	return __libc_calloc(k, n);
}

void *
realloc(void *p, size_t n)
{
	nalloc++;
	return __libc_realloc(p, n);
}
#endif

static struct bs_region_list *regions;
static char result[4096];

static int
resolve(void *ctx, const char *name, size_t len, size_t *index,
    struct bs_expr_col *type)
{
	(void)ctx;
	for (size_t i = 0; i < NCOLS; i++) {
		if (strlen(cols[i].name) == len && memcmp(cols[i].name, name, len) == 0) {
			*index = i;
			assert_int_equal(bs_expr_col_parse(cols[i].type,
			    strlen(cols[i].type), type, NULL), 0);
			return 0;
		}
	}
	return -1;
}

static const struct bs_expr_env env = { resolve, NULL, NULL, NULL };

/* Fill fields/lens from "name=value" strings. */
static void
make_row(va_list ap, const char **fields, size_t *lens)
{
	const char *kv;

	for (size_t i = 0; i < NCOLS; i++) {
		fields[i] = NULL;
		lens[i] = 0;
	}
	while ((kv = va_arg(ap, const char *)) != NULL) {
		const char *eq = strchr(kv, '=');
		size_t i;

		assert_non_null(eq);
		for (i = 0; i < NCOLS; i++)
			if (strlen(cols[i].name) == (size_t)(eq - kv) &&
			    memcmp(cols[i].name, kv, (size_t)(eq - kv)) == 0)
				break;
		if (i == NCOLS)
			fail_msg("no test column in '%s'", kv);
		fields[i] = eq + 1;
		lens[i] = strlen(eq + 1);
	}
}

static const char *
vrun(const struct bs_expr_env *en, const char *src, va_list ap)
{
	const char *fields[NCOLS];
	size_t lens[NCOLS];
	struct bs_row row = { NCOLS, fields, lens };
	struct bs_err err = BS_ERR_INIT;
	struct bs_expr_pos pos;
	struct bs_expr *e;
	struct bs_buf out = BS_BUF_INIT(0);
	int is_null = 0, rc;

	make_row(ap, fields, lens);
	e = bs_expr_compile(src, strlen(src), en, &pos, &err);
	if (!e) {
		assert_int_equal(err.code, BS_EXIT_CONFIG);
		snprintf(result, sizeof(result), "ERR %d:%d %s", pos.line,
		    pos.column, err.msg);
		return result;
	}
	rc = bs_expr_eval_text(e, &row, &out, &is_null, &err);
	assert_true(rc == 0 || rc == 1);
	snprintf(result, sizeof(result), "%s%s%s", is_null ? "NULL" : bs_buf_str(&out),
	    rc ? " !" : "", rc ? err.msg : "");
	if (rc)
		assert_int_equal(err.code, BS_EXIT_DATAERR);
	/* the boolean entry point agrees with the text one */
	if (bs_expr_type(e) == BS_TYPE_BOOL) {
		int r = 9;

		assert_int_equal(bs_expr_eval_bool(e, &row, &r, &err), rc);
		assert_string_equal(is_null ? "NULL" : bs_buf_str(&out),
		    r < 0 ? "NULL" : r ? "true" : "false");
	}
	/* with a row cache: the same, filled (first) or used (second) */
	{
		struct bs_row_cache *c = bs_row_cache_new(NCOLS);
		struct bs_buf o2 = BS_BUF_INIT(0);
		int k, n2 = 0, rc2;

		for (k = 0; k < 2; k++) {
			bs_buf_reset(&o2);
			rc2 = bs_expr_eval_text_cached(e, &row, c, &o2, &n2, &err);
			assert_int_equal(rc2, rc);
			assert_int_equal(n2, is_null);
			assert_string_equal(bs_buf_str(&o2), bs_buf_str(&out));
			if (bs_expr_type(e) == BS_TYPE_BOOL) {
				int r = 9;

				assert_int_equal(bs_expr_eval_bool_cached(e, &row, c, &r,
				    &err), rc);
				assert_string_equal(is_null ? "NULL" : bs_buf_str(&out),
				    r < 0 ? "NULL" : r ? "true" : "false");
			}
		}
		bs_buf_release(&o2);
		bs_row_cache_free(c);
	}
	bs_buf_release(&out);
	bs_expr_free(e);
	return result;
}

static const char *run(const char *src, ...);

static const char *
run(const char *src, ...)
{
	va_list ap;
	const char *r;

	va_start(ap, src);
	r = vrun(&env, src, ap);
	va_end(ap);
	return r;
}

/* run() with the GB/T 2260 test list loaded */
static const char *
run_regions(const char *src, ...)
{
	struct bs_expr_env en = env;
	va_list ap;
	const char *r;

	en.regions = regions;
	va_start(ap, src);
	r = vrun(&en, src, ap);
	va_end(ap);
	return r;
}

#define EQ(expect, ...) assert_string_equal(run(__VA_ARGS__, NULL), expect)

static const char *
run_env(const struct bs_expr_env *en, const char *src, ...)
{
	va_list ap;
	const char *r;

	va_start(ap, src);
	r = vrun(en, src, ap);
	va_end(ap);
	return r;
}

static int
setup(void **state)
{
	char path[] = "/tmp/test_expr_regions_XXXXXX";
	int fd = mkstemp(path);
	static const char csv[] = "code,name,status,first_seen,last_seen\n"
	    "110000,北京市,current,2002-12,2023-06\n110105,朝阳区,current,2002-12,2023-06\n"
	    "340524,安徽省寿县,historical,1984-01,1990-12\n440300,深圳市,current,2002-12,2023-06\n";
	struct bs_err err = BS_ERR_INIT;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, csv, sizeof(csv) - 1), (ssize_t)(sizeof(csv) - 1));
	close(fd);
	assert_int_equal(bs_region_list_load(&regions, path, &err), 0);
	unlink(path);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	bs_region_list_free(regions);
	return 0;
}

/* ---- lexer ---- */

static void
t_lexer(void **state)
{
	(void)state;
	/* comments, quoting, keywords in any case, quoted names */
	EQ("true", "-- a comment\nt = 'it''s' -- another\nAND \"end\" = 'x'", "t=it's", "end=x");
	EQ("ERR 1:1 unknown column 'T'", "T = 'a'");
	EQ("true", "t IS NULL OR t LiKe 'a%'", "t=abc");
	EQ("true", "保单号 = 'P001'", "保单号=P001");
	EQ("10.00", "金额 * 2", "金额=5.00");
	EQ("0.5", ".5");
	EQ("5", "5.");
	/* errors with positions (line:column in characters) */
	EQ("ERR 2:5 unterminated text literal (a quote inside is written '')", "t = 'a'\nand 'b = t");
	EQ("ERR 1:9 full-width '（' is not an operator: use '('", "保单号 = 1 （");
	EQ("ERR 1:10 full-width '，' is not an operator: use ','", "t in ('a'，'b')");
	EQ("ERR 1:2 full-width space in expression: use an ordinary space", "t　= 'a'");
	EQ("ERR 1:5 numbers are written without an exponent ('1e3'): write the digits out", "n > 1e3");
	EQ("ERR 1:5 bad number '12a'", "n > 12abc");
	EQ("ERR 1:3 '==' is written '='", "n == 1");
	EQ("ERR 1:3 unexpected '&' (write 'and')", "p && q");
	EQ("ERR 1:3 unexpected '|' (write 'or', or '||' to join text)", "p | q");
	EQ("ERR 1:3 unexpected '!' (write 'not', '<>' or '!~')", "p ! q");
	EQ("ERR 1:3 unexpected character ';'", "n ; 1");
	EQ("ERR 1:1 unterminated quoted name", "\"abc");
	EQ("ERR 1:1 empty quoted name", "\"\" = 1");
	EQ("ERR 3:6 unexpected control character 0x01", "n = 1\nand\nm = 2\x01");
	EQ("ERR 1:5 invalid UTF-8 in expression", "t = \xff");
	EQ("true", "n != 2 and n <> 2", "n=1");
}

/* ---- parser and type checker ---- */

static void
t_compile_errors(void **state)
{
	static const char *cases[][2] = {
		{ "foo = 1", "1:1 unknown column 'foo'" },
		{ "t = \"foo\"", "1:5 unknown column 'foo'" },
		{ "bar(t)", "1:1 unknown function 'bar'" },
		{ "sum(a) > 0", "1:1 unknown function 'sum' (an expression sees one row: there are no aggregates)" },
		{ "substr(t)", "1:1 function 'substr' takes 2 to 3 arguments, not 1" },
		{ "length(t, t)", "1:1 function 'length' takes 1 argument, not 2" },
		{ "coalesce()", "1:1 function 'coalesce' takes at least 1 argument, not 0" },
		{ "length(n) > 1", "1:8 argument 1 of 'length' must be text, not integer" },
		{ "year(t) = 2026", "1:6 argument 1 of 'year' must be a date or timestamp, not text" },
		{ "days_between(d, ts) > 1", "1:17 argument 2 of 'days_between' must be a date, not timestamp" },
		{ "d > 5.0", "1:3 cannot compare date with decimal" },
		{ "d > a", "1:3 cannot compare date with decimal" },
		{ "n = t", "1:3 cannot compare integer with text" },
		{ "t = 1", "1:3 cannot compare text with integer" },
		{ "p = 'yes'", "1:3 cannot compare boolean with text" },
		{ "d = '2026-02-30'", "1:5 '2026-02-30' is not a valid date (YYYY-MM-DD)" },
		{ "d = date '2026-13-01'", "1:10 '2026-13-01' is not a valid date (YYYY-MM-DD)" },
		{ "n = '1.5'", "1:5 '1.5' is not an integer" },
		{ "a = 'abc'", "1:5 'abc' is not a number" },
		{ "d in ('2026-01-01', 5)", "1:3 cannot compare date with integer" },
		{ "a < n < 5", "1:7 comparisons cannot be chained: join them with 'and'" },
		{ "t = null", "1:3 a comparison with NULL is never true: use 'is null' or 'is not null'" },
		{ "t in ('a', null)", "1:12 NULL in an 'in' list never matches: use 'is null'" },
		{ "n between null and 5", "1:3 a comparison with NULL is never true: use 'is null' or 'is not null'" },
		{ "t is 5", "1:6 expected 'null' or 'not null' after 'is', found '5'" },
		{ "t + t = 'a'", "1:3 cannot apply '+' to text and text (join text with '||')" },
		{ "d * 2 > d", "1:3 cannot apply '*' to date and integer" },
		{ "ts - ts > 1", "1:4 cannot apply '-' to timestamp and timestamp (use days_between(date(a), date(b)))" },
		{ "-t = 'a'", "1:1 cannot apply unary '-' to text" },
		{ "n and p", "1:1 'and' needs conditions on both sides (true or false), not integer" },
		{ "not t", "1:5 'not' needs a condition (true or false), not text" },
		{ "case when t then 1 end = 1", "1:11 'when' needs a condition (true or false), not text" },
		{ "case when p then 1 else t end = 1", "1:25 cannot mix integer and text in the results of 'case'" },
		{ "case when p then 1 else 'a' end = 1", "1:25 'a' is not an integer" },
		{ "case when p then d else 'x' end = d", "1:25 'x' is not a valid date (YYYY-MM-DD)" },
		{ "coalesce(t, n) = 'a'", "1:1 cannot compare text with integer" },
		{ "cast(d as integer) = 1", "1:1 cannot cast date to integer" },
		{ "cast(t as money) = 1", "1:11 unknown type 'money'" },
		{ "t ~ 'a(b'", "1:9 bad regular expression: missing closing parenthesis" },
		{ "t ~ t", "1:5 a regular expression must be a text literal" },
		{ "n ~ '1'", "1:1 '~' needs text, not integer" },
		{ "n like '1%'", "1:1 'like' needs text, not integer" },
		{ "t like 'a' escape 'ab'", "1:19 'escape' needs a one-character text literal such as '\\'" },
		{ "t like 'a!' escape '!'", "1:8 like pattern ends with its escape character" },
		{ "to_date(t, 'DD.MM') = d", "1:12 bad date pattern 'DD.MM': use YYYY, MM and DD once each (DD may be left out), e.g. 'YYYYMMDD'" },
		{ "to_date(t, t) = d", "1:12 the pattern of 'to_date' must be a text literal" },
		{ "region_valid(t)", "1:1 'region_valid': no GB/T 2260 list loaded" },
		{ "resident_id_region_valid(id)", "1:1 'resident_id_region_valid': no GB/T 2260 list loaded" },
		{ "(n = 1", "1:7 expected ')', found end of expression" },
		{ "n = 1)", "1:6 unbalanced ')'" },
		{ "n = 1 m = 2", "1:7 unexpected 'm'" },
		{ "t not = 'a'", "1:3 unexpected 'not' (write 'not in', 'not between', 'not like', or 'not' before a condition)" },
		{ "n between 1 or 2", "1:13 expected 'and' in 'between ... and ...', found 'or'" },
		{ "n in 1", "1:6 expected '(' after 'in', found '1'" },
		{ "", "1:1 empty expression" },
		{ "  -- only a comment", "1:1 empty expression" },
		{ "n = ", "1:5 expected a value, found end of expression" },
		{ "case n when 1 then 'a'", "1:23 expected 'when', 'else' or 'end', found end of expression" },
		{ "case when p then 1 end end", "1:24 unexpected 'end'" },
		{ "1 / 0 > n", "1:3 division by zero" },
		{ "date '9999-12-31' + 1 > d", "1:19 date out of range (0001-01-01 to 9999-12-31)" },
		{ "n = 123456789012345678901234567890123456789", "1:5 number '123456789012345678901234567890123456789' has more than 38 digits" },
		{ "case n when null then 1 end = 1", "1:13 'when null' never matches: use 'case when x is null then ...'" },
	};

	(void)state;
	for (size_t i = 0; i < BS_ARRAY_SIZE(cases); i++) {
		char want[1024];

		snprintf(want, sizeof(want), "ERR %s", cases[i][1]);
		if (strcmp(run(cases[i][0], NULL), want) != 0)
			fail_msg("'%s':\n  got  %s\n  want %s", cases[i][0], result, want);
	}
}

static void
t_positions_multiline(void **state)
{
	(void)state;
	/* the offending token on line 3, after Chinese text on the line */
	EQ("ERR 3:12 unknown column 'nosuch'", "t = 'a'\nand n > 1\nand '保险' = nosuch");
	EQ("ERR 2:7 cannot compare date with decimal", "p and\n    d > 5.5");
	/* inside a regex on line 2: where PCRE2 noticed (the end of the pattern) */
	EQ("ERR 2:13 bad regular expression: missing terminating ] for character class",
	    "t is null\nor t ~ '^a[b'");
	/* a quote written twice counts once in the pattern */
	EQ("ERR 1:13 bad regular expression: missing closing parenthesis", "t ~ 'it''s(x'");
	/* after two-byte and three-byte characters */
	EQ("ERR 1:8 unknown function 'ünknöwn'", "'é中' = ünknöwn(t)");
}

static void
t_limits(void **state)
{
	struct bs_buf b = BS_BUF_INIT(0);

	(void)state;
	/* 99 nested parentheses are fine, 300 are not */
	for (int i = 0; i < 99; i++)
		bs_buf_addc(&b, '(');
	bs_buf_adds(&b, "n");
	for (int i = 0; i < 99; i++)
		bs_buf_addc(&b, ')');
	assert_string_equal(run(bs_buf_str(&b), "n=4", NULL), "4");
	bs_buf_reset(&b);
	for (int i = 0; i < 300; i++)
		bs_buf_addc(&b, '(');
	assert_string_equal(run(bs_buf_str(&b), NULL), "ERR 1:101 expression nested too deeply");
	bs_buf_reset(&b);
	for (int i = 0; i < 300; i++)
		bs_buf_adds(&b, "not ");
	bs_buf_adds(&b, "p");
	assert_string_equal(run(bs_buf_str(&b), NULL), "ERR 1:797 expression nested too deeply");
	bs_buf_reset(&b);
	/* long flat chains are fine up to the size limit */
	bs_buf_adds(&b, "n");
	for (int i = 0; i < 4000; i++)
		bs_buf_adds(&b, " + 1");
	assert_string_equal(run(bs_buf_str(&b), "n=1", NULL), "4001");
	for (int i = 0; i < 2000; i++)
		bs_buf_adds(&b, " + 1");
	assert_string_equal(run(bs_buf_str(&b), "n=1", NULL),
	    "ERR 1:20005 expression too long (more than 10000 operators and operands)");
	bs_buf_release(&b);
}

static void
t_condition(void **state)
{
	struct bs_err err = BS_ERR_INIT;
	struct bs_expr_pos pos;
	struct bs_expr *e;
	int r;
	const char *src = "a + 1";

	(void)state;
	e = bs_expr_compile_cond(src, strlen(src), &env, &pos, &err);
	assert_null(e);
	assert_string_equal(err.msg, "expected a condition (true or false), not decimal");
	assert_int_equal(pos.line, 1);
	assert_int_equal(pos.column, 1);
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	/* eval_bool on a non-condition is a caller bug */
	e = bs_expr_compile(src, strlen(src), &env, &pos, &err);
	assert_non_null(e);
	assert_int_equal(bs_expr_type(e), BS_TYPE_DECIMAL);
	{
		const char *f[NCOLS] = { 0 };
		size_t l[NCOLS] = { 0 };
		struct bs_row row = { NCOLS, f, l };

		assert_int_equal(bs_expr_eval_bool(e, &row, &r, &err), -1);
		assert_int_equal(err.code, BS_EXIT_SOFTWARE);
	}
	bs_expr_free(e);
	src = "p or q";
	e = bs_expr_compile_cond(src, strlen(src), &env, NULL, &err);
	assert_non_null(e);
	assert_int_equal(bs_expr_type(e), BS_TYPE_BOOL);
	bs_expr_free(e);
	bs_expr_free(NULL);
}

/* ---- three-valued logic and NULL propagation ---- */

static void
t_truth_tables(void **state)
{
	static const char *v[] = { "p=true", "p=false", NULL };
	static const char *w[] = { "q=true", "q=false", NULL };
	/* rows: p = T, F, NULL; columns: q = T, F, NULL */
	static const char *and_t[3][3] = {
		{ "true", "false", "NULL" }, { "false", "false", "false" },
		{ "NULL", "false", "NULL" },
	};
	static const char *or_t[3][3] = {
		{ "true", "true", "true" }, { "true", "false", "NULL" },
		{ "true", "NULL", "NULL" },
	};
	static const char *not_t[3] = { "false", "true", "NULL" };

	(void)state;
	for (int i = 0; i < 3; i++) {
		for (int j = 0; j < 3; j++) {
			const char *a = v[i] ? v[i] : "t=-", *b = w[j] ? w[j] : "t=-";

			assert_string_equal(run("p and q", a, b, NULL), and_t[i][j]);
			assert_string_equal(run("q and p", a, b, NULL), and_t[i][j]);
			assert_string_equal(run("p or q", a, b, NULL), or_t[i][j]);
			assert_string_equal(run("q or p", a, b, NULL), or_t[i][j]);
		}
		assert_string_equal(run("not p", v[i] ? v[i] : "t=-", NULL), not_t[i]);
	}
	/* a boolean column holding something else is NULL */
	EQ("NULL", "p", "p=maybe");
	EQ("true", "p", "p=Y");
	EQ("false", "p", "p=0");
	EQ("true", "p is null", "p=maybe");
	/* literals */
	EQ("NULL", "null and true");
	EQ("false", "null and false");
	EQ("true", "null or true");
	EQ("NULL", "not null");
	/* SQL CHECK semantics: a comparison with a NULL column is NULL, not false */
	EQ("NULL", "a >= 0");
	EQ("NULL", "not (a >= 0)");
}

static void
t_null_operators(void **state)
{
	static const char *null_exprs[] = {
		"n = 1", "n <> 1", "n != 1", "n < 1", "n <= 1", "n > 1", "n >= 1",
		"1 = n", "n + 1", "1 - n", "n * 2", "2 / n", "-n", "a + 0.5",
		"t || 'x'", "'x' || t", "t like 'a%'", "t not like 'a%'", "t ~ 'a'",
		"t !~ 'a'", "n in (1, 2)", "n not in (1, 2)", "n between 1 and 2",
		"n not between 1 and 2", "1 between n and 2", "d + 1", "d - 1",
		"d - d2", "d > '2026-01-01'", "length(t)", "trim(t)", "upper(t)",
		"substr(t, 1, 2)", "substr('abc', n)", "substr('abc', 1, n)",
		"abs(a)", "round(a, 1)", "round(a, n)", "year(d)", "month(d)",
		"day(d)", "add_days(d, 1)", "add_days(d, n)", "add_months(d, 1)",
		"days_between(d, d2)", "last_day(d)", "date(t)", "to_date(t, 'YYYYMMDD')",
		"regexp_like(t, 'a')", "replace(t, 'a', 'b')", "replace('a', t, 'b')",
		"left(t, 1)", "right(t, 1)", "cast(t as integer)", "cast(n as text)",
		"resident_id_valid(t)", "resident_id_format(t)", "resident_id_birth(t)",
		"uscc_valid(t)", "uscc_format(t)", "orgcode_valid(t)", "luhn_valid(t)",
		"mobile_valid(t)", "coalesce(t, u)", "nullif(t, 'a')", "case n when 1 then 'a' end",
		"case when p then 1 end", "ts > '2026-01-01 00:00:00'", "ts > d",
	};

	(void)state;
	for (size_t i = 0; i < BS_ARRAY_SIZE(null_exprs); i++)
		if (strcmp(run(null_exprs[i], NULL), "NULL") != 0)
			fail_msg("'%s' with NULL columns: %s", null_exprs[i], result);
	EQ("true", "n is null");
	EQ("false", "n is not null");
	EQ("false", "t is null", "t=");	/* an empty string is not NULL */
	EQ("true", "n is null", "n=");	/* an empty integer is not a number */
	EQ("true", "coalesce(n, 0) = 0");
	EQ("NULL", "nullif(t, '')", "t=");
	EQ("x", "nullif(t, '')", "t=x");
	EQ("NULL", "null || 'a'");
	EQ("NULL", "null + 1");
}

static void
t_in_between(void **state)
{
	(void)state;
	EQ("true", "t in ('a', 'b')", "t=b");
	EQ("false", "t in ('a', 'b')", "t=c");
	EQ("true", "t not in ('a', 'b')", "t=c");
	EQ("false", "t not in ('a', 'b')", "t=a");
	/* a NULL item: true on a match, NULL otherwise (SQL) */
	EQ("true", "t in (u, 'a')", "t=a");
	EQ("NULL", "t in (u, 'a')", "t=b");
	EQ("NULL", "t not in (u, 'a')", "t=b");
	EQ("false", "t not in (u, 'a')", "t=a");
	/* numbers of different scales; dates; expressions in the list */
	EQ("true", "a in (1, 2.5)", "a=2.50");
	EQ("true", "n in (m + 1, 7)", "n=3", "m=2");
	EQ("true", "d in ('2026-01-01', '2026-10-31')", "d=2026-10-31");
	/* between is inclusive at both ends */
	EQ("true", "n between 1 and 10", "n=1");
	EQ("true", "n between 1 and 10", "n=10");
	EQ("false", "n between 1 and 10", "n=11");
	EQ("true", "n not between 1 and 10", "n=0");
	EQ("false", "n between 10 and 1", "n=5");
	EQ("NULL", "n between m and 10", "n=5");
	EQ("false", "n between m and 10", "n=11");	/* n <= 10 is false */
	EQ("NULL", "n not between m and 10", "n=5");
	EQ("true", "d between '2026-01-01' and '2026-12-31'", "d=2026-02-28");
	EQ("true", "a between 0 and 0.01", "a=0.01");
	EQ("true", "t between 'a' and 'c'", "t=b");
}

static void
t_comparisons(void **state)
{
	static const struct {
		const char *l, *r;
		int cmp;	/* l vs r */
	} c[] = {
		{ "1.10", "1.1", 0 }, { "1", "1.000", 0 }, { "-0.00", "0", 0 },
		{ "2", "10", -1 }, { "-1", "-0.5", -1 }, { "'abc'", "'abd'", -1 },
		{ "'ab'", "'abc'", -1 }, { "'b'", "'abc'", 1 }, { "'中'", "'a'", 1 },
		{ "date '2026-01-01'", "date '2025-12-31'", 1 },
		{ "timestamp '2026-01-01 00:00:00'", "date '2026-01-01'", 0 },
		{ "timestamp '2026-01-01 00:00:00.5'", "date '2026-01-01'", 1 },
		{ "false", "true", -1 }, { "true", "true", 0 },
		{ "99999999999999999999999999999999999999", "0.99999999999999999999999999999999999999", 1 },
	};
	static const char *ops[] = { "=", "<>", "<", "<=", ">", ">=" };
	char src[256];

	(void)state;
	for (size_t i = 0; i < BS_ARRAY_SIZE(c); i++) {
		for (size_t k = 0; k < BS_ARRAY_SIZE(ops); k++) {
			int want;

			switch (k) {
			case 0: want = c[i].cmp == 0; break;
			case 1: want = c[i].cmp != 0; break;
			case 2: want = c[i].cmp < 0; break;
			case 3: want = c[i].cmp <= 0; break;
			case 4: want = c[i].cmp > 0; break;
			default: want = c[i].cmp >= 0; break;
			}
			snprintf(src, sizeof(src), "%s %s %s", c[i].l, ops[k], c[i].r);
			if (strcmp(run(src, NULL), want ? "true" : "false") != 0)
				fail_msg("'%s': %s", src, result);
		}
	}
	/* columns; text literals take the column's type */
	EQ("true", "a = 1.1", "a=1.10");
	EQ("true", "a = '1.1'", "a=1.10");
	EQ("true", "x = y", "x=1.10", "y=1.1");
	EQ("true", "n = a", "n=3", "a=3.00");
	EQ("true", "d >= '2026-02-28'", "d=2026-03-01");
	EQ("true", "ts < d", "ts=2026-02-28 23:59:59", "d=2026-03-01");
	EQ("false", "t = 'a'", "t=a ");	/* no blank padding */
	EQ("true", "t = '保险'", "t=保险");
	EQ("true", "'2026-01-01' < '2026-02-01'");	/* two text literals: text */
	/* column op constant, column op column (their own evaluators) */
	EQ("true", "a >= 0", "a=0.01");
	EQ("false", "a >= 0", "a=-0.01");
	EQ("true", "a >= 0", "a=0.00");
	EQ("true", "0 <= a", "a=0.00");
	EQ("false", "x < 0", "x=0");
	EQ("true", "x > -1", "x=-0.5");
	EQ("true", "x <= a", "x=1.1", "a=1.10");
	EQ("false", "x < a", "x=1.1", "a=1.10");
	EQ("true", "x <> y", "x=100000000000000000000", "y=99999999999999999999.99");
	EQ("true", "x > y", "x=100000000000000000000", "y=99999999999999999999.99");
	EQ("true", "a <> 0", "a=-0.01");
	EQ("false", "x = 0", "x=0.0000001");
	EQ("true", "x = 0", "x=-0.000");
	EQ("true", "d < d2", "d=2026-02-28", "d2=2026-03-01");
	EQ("false", "d2 < d", "d=2026-02-28", "d2=2026-03-01");
	EQ("true", "d = '2026-02-28'", "d=2026-02-28");
	EQ("NULL", "d = '2026-02-28'", "d=2026-02-30");	/* not a date: NULL */
	EQ("NULL", "d < d2", "d=2026-02-28");
	EQ("NULL", "d < d2", "d2=2026-02-28");
	EQ("true", "t = 'x'", "t=x");
	EQ("NULL", "t = 'x'");
	EQ("true", "n < m", "n=-3", "m=2");
}

/* ---- decimals ---- */

static void
t_decimals(void **state)
{
	(void)state;
	EQ("10.50", "(1 + 2) * 3.50");
	EQ("7", "1 + 2 * 3");
	EQ("-1", "1 - 2");
	EQ("3.5000000000000000", "7 / 2");
	EQ("0.3333333333333333", "1 / 3");
	EQ("0.30", "0.10 + 0.20");
	EQ("true", "0.1 + 0.2 = 0.3");
	EQ("-5", "-(2 + 3)");
	EQ("5", "- -5");
	EQ("130.10", "a", "a=130.10");
	EQ("130.1", "x", "x=130.1");
	/* a value that does not fit the declared type is NULL, not a failure */
	EQ("NULL", "a", "a=1.234");
	EQ("1.230", "a", "a=1.230");	/* extra zeros fit */
	EQ("NULL", "a", "a=1000000000000000000.00");	/* 19 integer digits > 18 */
	EQ("999999999999999999.99", "a", "a=999999999999999999.99");
	EQ("NULL", "a", "a=1,000.00");
	EQ("NULL", "a", "a= 1");
	EQ("NULL", "a", "a=1e3");
	EQ("0.00", "a", "a=-0.00");
	EQ("true", "a >= 0", "a=-0.00");
	EQ("NULL", "n", "n=1.0");
	EQ("-42", "n", "n=-42");
	/* 38 digits */
	EQ("99999999999999999999999999999999999999", "x", "x=99999999999999999999999999999999999999");
	EQ("NULL", "x", "x=999999999999999999999999999999999999999");
	EQ("NULL !decimal overflow: more than 38 digits before the decimal point",
	    "x + 1", "x=99999999999999999999999999999999999999");
	EQ("NULL !decimal overflow: more than 38 digits before the decimal point",
	    "x * x", "x=10000000000000000000");
	EQ("99999999999999999999999999999999999998", "x - 1", "x=99999999999999999999999999999999999999");
	EQ("NULL !division by zero", "x / y", "x=1", "y=0.00");
	EQ("NULL !division by zero", "x / y > 1", "x=1", "y=0");
	/* rounding half-up */
	EQ("2.35", "round(2.345, 2)");
	EQ("-2.35", "round(-2.345, 2)");
	EQ("3", "round(2.5)");
	EQ("-3", "round(-2.5)");
	EQ("2", "round(2.4999)");
	EQ("1300", "round(1250, -2)");
	EQ("1250", "round(1250, 2)");	/* integers stay integers */
	EQ("2.50", "round(2.5, 2)");
	EQ("0.01", "round(a / 3, 2)", "a=0.02");
	EQ("3.5", "abs(-3.5)");
	EQ("3", "abs(n)", "n=-3");
	EQ("NULL !decimal overflow: more than 38 digits before the decimal point",
	    "round(x, -1)", "x=99999999999999999999999999999999999999");
	/* casts */
	EQ("12.35", "cast('12.345' as decimal(10,2))");
	EQ("13", "cast(12.5 as integer)");
	EQ("-13", "cast(-12.5 as integer)");
	EQ("NULL", "cast('abc' as decimal)");
	EQ("NULL !value does not fit decimal(3,2)", "cast(x as decimal(3,2))", "x=12.5");
	EQ("12", "cast('12' as integer)");
	EQ("12.5", "cast(x as text)", "x=12.5");
}

/* ---- dates ---- */

static void
t_dates(void **state)
{
	(void)state;
	EQ("2026-03-02", "d + 30", "d=2026-01-31");
	EQ("2026-03-02", "30 + d", "d=2026-01-31");
	EQ("2025-12-31", "d - 1", "d=2026-01-01");
	EQ("30", "d - date '2026-01-01'", "d=2026-01-31");
	EQ("30", "d - '2026-01-01'", "d=2026-01-31");
	EQ("-30", "'2026-01-01' - d", "d=2026-01-31");
	EQ("366", "d2 - d", "d=2024-01-01", "d2=2025-01-01");
	EQ("365", "d2 - d", "d=1900-01-01", "d2=1901-01-01");
	EQ("2000-02-29", "d + 1", "d=2000-02-28");
	EQ("1900-03-01", "d + 1", "d=1900-02-28");
	EQ("2026-10-31 12:00:00", "ts + 1", "ts=2026-10-30 12:00:00");
	/* invalid dates in data are NULL */
	EQ("NULL", "d", "d=2026-02-30");
	EQ("NULL", "d", "d=2026-2-3");
	EQ("NULL", "d", "d=20260203");
	EQ("true", "d is null", "d=2026-02-29");
	EQ("2024-02-29", "d", "d=2024-02-29");
	EQ("NULL", "ts", "ts=2026-01-01");
	EQ("2026-01-01 08:30:00.25", "ts", "ts=2026-01-01 08:30:00.250");
	/* functions */
	EQ("2026", "year(d)", "d=2026-10-31");
	EQ("10", "month(d)", "d=2026-10-31");
	EQ("31", "day(d)", "d=2026-10-31");
	EQ("6", "day_of_week(d)", "d=2026-10-31");
	EQ("2026", "year(ts)", "ts=2026-10-31 23:59:59");
	EQ("202610", "year(d) * 100 + month(d)", "d=2026-10-31");
	EQ("2026-02-28", "add_months(d, 1)", "d=2026-01-31");
	EQ("2024-02-29", "add_months(d, 1)", "d=2024-01-31");
	EQ("2025-11-28", "add_months(d, -3)", "d=2026-02-28");
	EQ("2025-11-30", "add_months(d, -4)", "d=2026-03-31");
	EQ("2026-01-08", "add_days(d, 7)", "d=2026-01-01");
	EQ("2026-01-08 10:00:00", "add_days(ts, 7)", "ts=2026-01-01 10:00:00");
	EQ("30", "days_between('2026-01-01', d)", "d=2026-01-31");
	EQ("-30", "days_between(d, '2026-01-01')", "d=2026-01-31");
	EQ("2024-02-29", "last_day('2024-02-10')");
	EQ("1900-02-28", "last_day(d)", "d=1900-02-01");
	EQ("2026-12-31", "last_day(d)", "d=2026-12-31");
	EQ("2026-02-03", "date(t)", "t=2026-02-03");
	EQ("NULL", "date(t)", "t=2026-02-30");
	EQ("2026-02-03", "date(ts)", "ts=2026-02-03 10:00:00");
	EQ("2026-02-01", "to_date('202602', 'YYYYMM')");
	EQ("2026-01-31", "to_date(t, 'YYYYMMDD')", "t=20260131");
	EQ("NULL", "to_date(t || '01', 'YYYYMMDD')", "t=202613");
	EQ("true", "d = to_date(t, 'YYYY/MM/DD')", "d=2026-01-31", "t=2026/01/31");
	EQ("2026-01-31", "cast(t as date)", "t=2026-01-31");
	EQ("2026-01-31 00:00:00", "cast(d as timestamp)", "d=2026-01-31");
	EQ("2026-01-31", "cast(ts as date)", "ts=2026-01-31 10:00:00");
	EQ("NULL !date out of range (0001-01-01 to 9999-12-31)", "d + 1", "d=9999-12-31");
	EQ("NULL !date out of range (0001-01-01 to 9999-12-31)", "d + n", "d=2026-01-01",
	    "n=99999999999999999999");
	EQ("NULL !date out of range (0001-01-01 to 9999-12-31)", "add_months(d, 1)", "d=9999-12-01");
	EQ("ERR 1:6 '2026-02-29' is not a valid date (YYYY-MM-DD)", "year('2026-02-29') = 1");
	EQ("ERR 1:6 '2026-02-30' is not a valid date (YYYY-MM-DD)", "date('2026-02-30') = d");
}

/* ---- text ---- */

static void
t_text(void **state)
{
	(void)state;
	EQ("5", "length('保险abc')");
	EQ("0", "length(t)", "t=");
	EQ("7", "length(t)", "t=中华人民共和国");
	EQ("人民", "substr('中华人民共和国', 3, 2)");
	EQ("人民共和国", "substr('中华人民共和国', 3)");
	EQ("中", "substr('中华', 0, 2)");	/* SQL: positions 0 and 1 */
	EQ("", "substr('中华', 5, 2)");
	EQ("", "substr('中华', -5, 2)");
	EQ("NULL !substr: negative length", "substr(t, 1, -1)", "t=abc");
	EQ("19491231", "substr(id, 7, 8)", "id=11010519491231002X");
	EQ("ab", "left('abc', 2)");
	EQ("a", "left('abc', -2)");
	EQ("华人", "right('中华人', 2)");
	EQ("中华人", "right('中华人', 9)");
	EQ("人", "right('中华人', -2)");
	EQ("a b", "trim('  a b \t')");
	EQ("a", "trim('　 a　')");	/* U+3000 too */
	EQ("a  ", "ltrim('  a  ')");
	EQ("  a", "rtrim('  a  ')");
	EQ("ABC中", "upper('abc中')");
	EQ("abc中", "lower('ABC中')");
	EQ("ABC", "upper(t)", "t=ABC");
	EQ("a-b-c", "replace('a b c', ' ', '-')");
	EQ("abc", "replace('abc', '', 'x')");
	EQ("保险公司", "replace(t, '测试', '')", "t=保险测试公司");
	EQ("P1-3", "t || '-' || n", "t=P1", "n=3");
	EQ("2026-01-31/true/1.50", "d || '/' || p || '/' || a", "d=2026-01-31", "p=t", "a=1.50");
	EQ("3", "length(t || u)", "t=ab", "u=c");
	/* like: %, _, characters not bytes, escape */
	EQ("true", "t like '%测试%'", "t=某测试公司");
	EQ("false", "t like '%测试%'", "t=某公司");
	EQ("true", "t like '_三'", "t=张三");
	EQ("false", "t like '_三'", "t=欧阳三丰");
	EQ("true", "t like '__三%'", "t=欧阳三丰");
	EQ("true", "t like '保%'", "t=保险");
	EQ("true", "t like '%险'", "t=保险");
	EQ("true", "t like '保险'", "t=保险");
	EQ("false", "t like '保险'", "t=保险公司");
	EQ("true", "t like '%'", "t=");
	EQ("false", "t like '_'", "t=");
	EQ("true", "t like 'a%b%c'", "t=axxbyyc");
	EQ("false", "t like 'a%b%c'", "t=axxcyyb");
	EQ("true", "t like '%a%b'", "t=aab");
	EQ("true", "t like 'a_c'", "t=abc");
	EQ("false", "t like 'A%'", "t=abc");	/* case-sensitive */
	EQ("true", "t like 'a\\_%' escape '\\'", "t=a_b");
	EQ("false", "t like 'a\\_%' escape '\\'", "t=ab");
	EQ("true", "t like '100!%' escape '!'", "t=100%");
	EQ("true", "t not like '%测试%'", "t=公司");
	EQ("true", "t like u", "t=abc", "u=a%");	/* pattern from a column */
	EQ("NULL !like pattern ends with its escape character", "t like u escape '!'", "t=abc", "u=a!");
	/* regular expressions (PCRE2, UTF-8, unanchored unless anchored) */
	EQ("true", "t ~ '^[0-9]{6}$'", "t=110105");
	EQ("false", "t ~ '^[0-9]{6}$'", "t=11010");
	EQ("true", "t ~ '测试'", "t=某测试公司");
	EQ("true", "t ~ '^\\p{Han}{2,4}$'", "t=张三丰");
	EQ("true", "t ~ '^.{3}$'", "t=张三丰");	/* . is a character */
	EQ("false", "t !~ '^1[3-9]\\d{9}$'", "t=13912345678");
	EQ("true", "regexp_like(t, '^[A-Z]+$')", "t=ABC");
	EQ("NULL !invalid UTF-8 in a value matched against a regular expression", "t ~ 'a'", "t=\xff");
}

/* ---- identifiers ---- */

static void
t_identifiers(void **state)
{
	(void)state;
	/* GB 11643 vectors from DOMAIN.md 2.2 (a) */
	EQ("true", "resident_id_valid(id)", "id=11010519491231002X");
	EQ("true", "resident_id_valid(id)", "id=34052419800101001X");
	EQ("false", "resident_id_valid(id)", "id=340524198001010013");
	EQ("true", "resident_id_valid(id)", "id=110105194902310026");
	EQ("false", "resident_id_birth_valid(id)", "id=110105194902310026");
	EQ("false", "resident_id_birth_valid(id)", "id=110105194913310021");
	EQ("true", "resident_id_birth_valid(id)", "id=110105209912310029");
	EQ("2099-12-31", "resident_id_birth(id)", "id=110105209912310029");
	EQ("NULL", "resident_id_birth(id)", "id=110105194902310026");
	EQ("1949-12-31", "resident_id_birth(id)", "id=11010519491231002X");
	EQ("1949-12-31", "resident_id_birth(id)", "id=110105491231002");	/* 15 digits */
	EQ("true", "resident_id_valid(id)", "id=110105491231002");	/* no check char */
	EQ("2", "resident_id_gender(id)", "id=11010519491231002X");
	EQ("1", "resident_id_gender(id)", "id=110105491231001");
	/* NULL-on-bad-format: the format rule reports, the checksum rule is silent */
	EQ("NULL", "resident_id_valid(id)", "id=11010519491231002x");
	EQ("false", "resident_id_format(id)", "id=11010519491231002x");
	EQ("NULL", "resident_id_valid(id)", "id=1101051949123100");
	EQ("NULL", "resident_id_gender(id)", "id=abc");
	EQ("NULL", "resident_id_birth_valid(id)", "id=abc");
	EQ("true", "resident_id_format(id)", "id=11010519491231002X");
	/* R019: birth date agrees with the ID */
	EQ("true", "resident_id_birth(id) = d", "id=11010519491231002X", "d=1949-12-31");
	/* regions (historical codes included in the list) */
	assert_string_equal(run_regions("resident_id_region_valid(id)", "id=34052419800101001X", NULL), "true");
	assert_string_equal(run_regions("resident_id_region_valid(id)", "id=999999194912310025", NULL), "false");
	assert_string_equal(run_regions("resident_id_region_valid(id)", "id=99999919491231002", NULL), "NULL");
	assert_string_equal(run_regions("region_valid(t)", "t=110105", NULL), "true");
	assert_string_equal(run_regions("region_valid(t)", "t=110106", NULL), "false");
	assert_string_equal(run_regions("region_valid(t)", "t=11010", NULL), "false");
	assert_string_equal(run_regions("region_valid(t)", NULL), "NULL");
	/* GB 32100 */
	EQ("true", "uscc_valid(t)", "t=91350100M000100Y43");
	EQ("true", "uscc_valid(t)", "t=91310110666007217T");
	EQ("false", "uscc_valid(t)", "t=91350100M000100Y44");
	EQ("false", "uscc_valid(t)", "t=91350100M0001TGQXM");
	EQ("NULL", "uscc_valid(t)", "t=91350100M000100Y4");
	EQ("NULL", "uscc_valid(t)", "t=91350100M000100I43");	/* I is not in the set */
	EQ("true", "uscc_format(t)", "t=91350100M0001TGQXM");
	EQ("false", "uscc_format(t)", "t=9135010");
	/* R021: the org code inside the USCC */
	EQ("true", "orgcode_valid(substr(t, 9, 9))", "t=91310110666007217T");
	/* GB 11714 */
	EQ("true", "orgcode_valid(t)", "t=66600721-7");
	EQ("true", "orgcode_valid(t)", "t=D2143569X");
	EQ("false", "orgcode_valid(t)", "t=12345678-X");
	EQ("NULL", "orgcode_valid(t)", "t=1234567-X");
	EQ("true", "orgcode_format(t)", "t=M000100Y-4");
	/* Luhn */
	EQ("true", "luhn_valid(t)", "t=6225882708965808");
	EQ("true", "luhn_valid(t)", "t=4539148803436467");
	EQ("false", "luhn_valid(t)", "t=8273123273520569");
	EQ("NULL", "luhn_valid(t)", "t=79927398713");	/* 11 digits: not a card number */
	EQ("NULL", "luhn_valid(t)", "t=6225 8827 0896 5808");
	/* mobile */
	EQ("true", "mobile_valid(t)", "t=13912345678");
	EQ("false", "mobile_valid(t)", "t=12912345678");
	EQ("false", "mobile_valid(t)", "t=1391234567");
}

/* ---- case, coalesce, cast, columns ---- */

static void
t_case_coalesce(void **state)
{
	(void)state;
	EQ("b", "case when 1 > 2 then 'a' when 2 > 1 then 'b' end");
	EQ("NULL", "case when 1 > 2 then 'a' end");
	EQ("c", "case when p then 'a' when q then 'b' else 'c' end", "q=false");
	EQ("2.5", "case t when '01' then 1 when '02' then 2.5 else 0 end", "t=02");
	EQ("0", "case t when '01' then 1 else 0 end", "t=03");
	EQ("0", "case t when '01' then 1 else 0 end");	/* NULL matches no when */
	EQ("2026-02-01", "case when p then d else '2026-02-01' end", "p=false", "d=2026-01-01");
	/* R092: opening + debit - credit = closing, by direction */
	EQ("true", "case t when 'D' then x + a - y when 'C' then x - a + y end = 150.00",
	    "t=D", "x=100", "a=80.00", "y=30");
	/* a guarded division does not fail */
	EQ("NULL", "case when y <> 0 then x / y end", "x=1", "y=0");
	EQ("false", "y <> 0 and x / y > 1", "x=1", "y=0");
	EQ("true", "y = 0 or x / y > 1", "x=1", "y=0");
	EQ("none", "coalesce(t, u, 'none')");
	EQ("b", "coalesce(t, u, 'none')", "u=b");
	EQ("1.5", "coalesce(n, x)", "x=1.5");
	EQ("2026-01-01", "coalesce(d, '2026-01-01')");
	EQ("true", "coalesce(d, '2026-01-01') = '2026-01-01'");
	EQ("true", "cast(t as boolean)", "t=yes");
	EQ("true", "cast(n as text) = '5'", "n=5");
	EQ("2026-01-01x", "cast(d as text) || 'x'", "d=2026-01-01");
	EQ("true", "\"end\" = 'x'", "end=x");
}

static void
t_type_decls(void **state)
{
	struct bs_expr_col t;
	struct bs_err err = BS_ERR_INIT;
	char buf[32];

	(void)state;
	assert_int_equal(bs_expr_col_parse("decimal(20,2)", 13, &t, &err), 0);
	assert_int_equal(t.type, BS_TYPE_DECIMAL);
	assert_int_equal(t.precision, 20);
	assert_int_equal(t.scale, 2);
	assert_string_equal(bs_expr_col_str(&t, buf, sizeof(buf)), "decimal(20,2)");
	assert_int_equal(bs_expr_col_parse(" NUMERIC ( 10 , 0 ) ", 20, &t, &err), 0);
	assert_int_equal(t.precision, 10);
	assert_int_equal(bs_expr_col_parse("text(60)", 8, &t, &err), 0);
	assert_int_equal(t.type, BS_TYPE_TEXT);
	assert_int_equal(t.length, 60);
	assert_string_equal(bs_expr_col_str(&t, buf, sizeof(buf)), "text(60)");
	assert_int_equal(bs_expr_col_parse("varchar(8)", 10, &t, &err), 0);
	assert_int_equal(bs_expr_col_parse("Date", 4, &t, &err), 0);
	assert_int_equal(t.type, BS_TYPE_DATE);
	assert_int_equal(bs_expr_col_parse("integer", 7, &t, &err), 0);
	assert_int_equal(bs_expr_col_parse("bool", 4, &t, &err), 0);
	assert_int_equal(bs_expr_col_parse("timestamp", 9, &t, &err), 0);
	assert_string_equal(bs_expr_col_str(&t, buf, sizeof(buf)), "timestamp");
	assert_int_equal(bs_expr_col_parse("money", 5, &t, &err), -1);
	assert_string_equal(err.msg, "unknown type 'money'");
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	assert_int_equal(bs_expr_col_parse("decimal(2,5)", 12, &t, &err), -1);
	assert_int_equal(bs_expr_col_parse("decimal(39,2)", 13, &t, &err), -1);
	assert_int_equal(bs_expr_col_parse("date(3)", 7, &t, &err), -1);
	assert_int_equal(bs_expr_col_parse("text(0)", 7, &t, &err), -1);
	assert_int_equal(bs_expr_col_parse("text(", 5, &t, &err), -1);
	assert_int_equal(bs_expr_col_parse("decimal(1,2,3)", 14, &t, &err), -1);
	assert_int_equal(bs_expr_col_parse("", 0, &t, &err), -1);
}

static void
t_value_check(void **state)
{
	static const struct {
		const char *type, *value, *msg;	/* msg NULL: fits */
	} c[] = {
		{ "decimal(20,2)", "12.50", NULL },
		{ "decimal(20,2)", "12.345", "more than 2 decimal places" },
		{ "decimal(20,2)", "12.340", NULL },
		{ "decimal(5,1)", "12345.0", "more than 4 digits before the decimal point" },
		{ "decimal(2,1)", "1.5", NULL },
		{ "decimal(2,1)", "12", "more than 1 digit before the decimal point" },
		{ "decimal(3,1)", "1.55", "more than 1 decimal place" },
		{ "decimal", "1.23456789", NULL },
		{ "decimal", "1,5", "not a decimal number" },
		{ "decimal", "", "not a decimal number" },
		{ "integer", "42", NULL },
		{ "integer", "4.2", "not an integer" },
		{ "integer", "", "not an integer" },
		{ "date", "2026-02-28", NULL },
		{ "date", "2026-02-29", "not a valid date (YYYY-MM-DD)" },
		{ "timestamp", "2026-02-28 10:00:00", NULL },
		{ "timestamp", "2026-02-28", "not a valid timestamp (YYYY-MM-DD HH:MM:SS)" },
		{ "boolean", "true", NULL },
		{ "boolean", "maybe", "not a boolean (true or false)" },
		{ "text(4)", "保险公司", NULL },
		{ "text(4)", "保险公司A", "longer than 4 characters" },
		{ "text(1)", "ab", "longer than 1 character" },
		{ "text", "anything at all", NULL },
	};
	struct bs_expr_col t;
	struct bs_err err = BS_ERR_INIT;

	(void)state;
	for (size_t i = 0; i < BS_ARRAY_SIZE(c); i++) {
		int rc;

		assert_int_equal(bs_expr_col_parse(c[i].type, strlen(c[i].type), &t, &err), 0);
		rc = bs_expr_col_check(&t, c[i].value, strlen(c[i].value), &err);
		if (!c[i].msg) {
			if (rc != 0)
				fail_msg("%s '%s': %s", c[i].type, c[i].value, err.msg);
		} else {
			assert_int_equal(rc, -1);
			assert_string_equal(err.msg, c[i].msg);
			assert_int_equal(err.code, BS_EXIT_DATAERR);
		}
	}
	assert_int_equal(bs_expr_col_check(&t, NULL, 0, &err), 0);
	/* a text column that is too long still evaluates as its text */
	EQ("保险公司A", "u", "u=保险公司A");
}

static void
t_columns_api(void **state)
{
	const char *src = "a > 0 and (t = 'x' or a < n) and d is null and t <> u";
	struct bs_err err = BS_ERR_INIT;
	struct bs_expr *e = bs_expr_compile(src, strlen(src), &env, NULL, &err);
	const size_t *idx;
	size_t k;
	const char *f[NCOLS] = { 0 };
	size_t l[NCOLS] = { 0 };
	struct bs_row row = { 2, f, l };
	int r;

	(void)state;
	assert_non_null(e);
	k = bs_expr_columns(e, &idx);
	assert_int_equal(k, 5);
	assert_int_equal(idx[0], 4);	/* a */
	assert_int_equal(idx[1], 0);	/* t */
	assert_int_equal(idx[2], 2);	/* n */
	assert_int_equal(idx[3], 7);	/* d */
	assert_int_equal(idx[4], 1);	/* u */
	/* a row that is too short is the caller's bug */
	assert_int_equal(bs_expr_eval_bool(e, &row, &r, &err), -1);
	assert_int_equal(err.code, BS_EXIT_SOFTWARE);
	bs_expr_free(e);
	/* constants reference no column */
	src = "1 + 1 = 2";
	e = bs_expr_compile(src, strlen(src), &env, NULL, &err);
	assert_int_equal(bs_expr_columns(e, &idx), 0);
	row.n = 0;
	assert_int_equal(bs_expr_eval_bool(e, &row, &r, &err), 0);
	assert_int_equal(r, 1);
	bs_expr_free(e);
}

/*
 * The row cache: a value is parsed once per row and forgotten by
 * bs_row_cache_clear(); a column read as two types keeps both right;
 * columns beyond the cache's size are parsed as without one.
 */
static void
t_row_cache(void **state)
{
	const char *s1 = "a >= 0 and a <= x and d < d2";
	const char *s2 = "a + 1 > x";
	const char *s3 = "x = a";	/* x: decimal; a: decimal(20,2) */
	struct bs_err err = BS_ERR_INIT;
	struct bs_expr *e1 = bs_expr_compile(s1, strlen(s1), &env, NULL, &err);
	struct bs_expr *e2 = bs_expr_compile(s2, strlen(s2), &env, NULL, &err);
	struct bs_expr *e3 = bs_expr_compile(s3, strlen(s3), &env, NULL, &err);
	const char *f[NCOLS] = { 0 };
	size_t l[NCOLS] = { 0 };
	struct bs_row row = { .n = NCOLS, .fields = f, .lens = l };
	struct bs_row_cache *c = bs_row_cache_new(NCOLS), *small;
	int r;

	(void)state;
	assert_non_null(e1);
	assert_non_null(e2);
	assert_non_null(e3);
#define SET(i, v) (f[i] = (v), l[i] = strlen(f[i]))
	SET(4, "10.50");	/* a */
	SET(5, "11");		/* x */
	SET(7, "2024-01-01");	/* d */
	SET(8, "2024-12-31");	/* d2 */
	bs_row_cache_clear(c);
	assert_int_equal(bs_expr_eval_bool_cached(e1, &row, c, &r, &err), 0);
	assert_int_equal(r, 1);
	assert_int_equal(bs_expr_eval_bool_cached(e2, &row, c, &r, &err), 0);
	assert_int_equal(r, 1);
	/* a new row without a clear still sees the old values (documented) */
	SET(4, "12.00");
	assert_int_equal(bs_expr_eval_bool_cached(e1, &row, c, &r, &err), 0);
	assert_int_equal(r, 1);
	bs_row_cache_clear(c);
	assert_int_equal(bs_expr_eval_bool_cached(e1, &row, c, &r, &err), 0);
	assert_int_equal(r, 0);
	/* a value that does not parse is NULL, cached as such */
	SET(4, "1.234");	/* three decimals: not a decimal(20,2) */
	bs_row_cache_clear(c);
	assert_int_equal(bs_expr_eval_bool_cached(e1, &row, c, &r, &err), 0);
	assert_int_equal(r, -1);
	assert_int_equal(bs_expr_eval_bool_cached(e2, &row, c, &r, &err), 0);
	assert_int_equal(r, -1);
	f[4] = NULL;
	l[4] = 0;
	bs_row_cache_clear(c);
	assert_int_equal(bs_expr_eval_bool_cached(e2, &row, c, &r, &err), 0);
	assert_int_equal(r, -1);
	SET(4, "11.00");
	bs_row_cache_clear(c);
	assert_int_equal(bs_expr_eval_bool_cached(e3, &row, c, &r, &err), 0);
	assert_int_equal(r, 1);
	/* a cache smaller than the row: the rest is parsed as ever */
	small = bs_row_cache_new(5);
	bs_row_cache_clear(small);
	assert_int_equal(bs_expr_eval_bool_cached(e1, &row, small, &r, &err), 0);
	assert_int_equal(r, 1);
	SET(8, "2023-12-31");
	assert_int_equal(bs_expr_eval_bool_cached(e1, &row, small, &r, &err), 0);
	assert_int_equal(r, 0);
	/* many rows: the generation counter does not confuse them */
	for (int i = 0; i < 1000; i++) {
		char a[16];

		snprintf(a, sizeof(a), "%d.00", i % 20);
		SET(4, a);
		bs_row_cache_clear(c);
		assert_int_equal(bs_expr_eval_bool_cached(e2, &row, c, &r, &err), 0);
		assert_int_equal(r, i % 20 + 1 > 11);
	}
#undef SET
	bs_row_cache_free(small);
	bs_row_cache_free(c);
	bs_row_cache_free(NULL);
	bs_expr_free(e1);
	bs_expr_free(e2);
	bs_expr_free(e3);
}

/* bs_expr_same: equal as compiled, or not known to be. */
static void
t_same(void **state)
{
	static const struct {
		const char *a, *b;
		int same;
	} c[] = {
		{ "t = '01'", "t='01'", 1 },
		{ "t = '01'", "t = '02'", 0 },
		{ "t = '01'", "u = '01'", 0 },
		{ "t = '01'", "t <> '01'", 0 },
		{ "a >= 0 and d < d2", "a>=0 AND d<d2", 1 },
		{ "a >= 0 and d < d2", "a >= 0 or d < d2", 0 },
		{ "a >= 0", "a >= 0.00", 0 },	/* another representation: not sure */
		{ "a >= 1.5", "a >= 1.5", 1 },
		{ "d = '2026-01-01'", "d = '2026-01-01'", 1 },
		{ "d = '2026-01-01'", "d = '2026-01-02'", 0 },
		{ "t in ('01', '02')", "t in ('01', '02')", 1 },
		{ "t in ('01', '02')", "t in ('01', '03')", 0 },
		{ "t is null", "t is not null", 0 },
		{ "not (t is null)", "not (t is null)", 1 },
		{ "n between 1 and 2", "n between 1 and 2", 1 },
		{ "upper(t) = 'A'", "upper(t) = 'A'", 0 },	/* a call: not checked */
		{ "t like 'A%'", "t like 'A%'", 0 },
		{ "x + 1 > 0", "x + 1 > 0", 0 },
		{ "p", "p", 1 },
		{ "p", "q", 0 },
	};
	struct bs_err err = BS_ERR_INIT;

	(void)state;
	for (size_t i = 0; i < BS_ARRAY_SIZE(c); i++) {
		struct bs_expr *a = bs_expr_compile(c[i].a, strlen(c[i].a), &env, NULL,
		    &err);
		struct bs_expr *b = bs_expr_compile(c[i].b, strlen(c[i].b), &env, NULL,
		    &err);

		assert_non_null(a);
		assert_non_null(b);
		if (bs_expr_same(a, b) != c[i].same)
			fail_msg("'%s' vs '%s': expected %d", c[i].a, c[i].b, c[i].same);
		assert_int_equal(bs_expr_same(b, a), c[i].same);
		assert_true(bs_expr_same(a, a) || !c[i].same);
		bs_expr_free(a);
		bs_expr_free(b);
	}
	assert_int_equal(bs_expr_same(NULL, NULL), 0);
}

static void
t_runtime_errors(void **state)
{
	const char *src = "x / y > 1 or n + 1 > 0";
	struct bs_err err = BS_ERR_INIT;
	struct bs_expr *e = bs_expr_compile(src, strlen(src), &env, NULL, &err);
	const char *f[NCOLS] = { 0 };
	size_t l[NCOLS] = { 0 };
	struct bs_row row = { NCOLS, f, l };
	int r;

	(void)state;
	assert_non_null(e);
	f[5] = "1";	/* x */
	l[5] = 1;
	f[6] = "0";	/* y */
	l[6] = 1;
	f[2] = "5";	/* n */
	l[2] = 1;
	/* the failing part is NULL, the other side decides */
	assert_int_equal(bs_expr_eval_bool(e, &row, &r, &err), 1);
	assert_int_equal(r, 1);
	assert_string_equal(err.msg, "division by zero");
	assert_int_equal(err.code, BS_EXIT_DATAERR);
	/* the next row is clean again */
	f[6] = "2";
	bs_err_clear(&err);
	assert_int_equal(bs_expr_eval_bool(e, &row, &r, &err), 0);
	assert_int_equal(r, 1);
	/* NULL err is fine */
	f[6] = "0";
	assert_int_equal(bs_expr_eval_bool(e, &row, &r, NULL), 1);
	bs_expr_free(e);
	/* the first error is kept */
	EQ("NULL !division by zero", "coalesce(x / y, x * x)", "x=10000000000000000000", "y=0");
	EQ("NULL !decimal overflow: more than 38 digits before the decimal point",
	    "coalesce(x * x, x / y)", "x=10000000000000000000", "y=0");
}

/* Per-row evaluation does not allocate once scratch buffers have grown. */
static void
t_no_alloc(void **state)
{
#ifdef __SANITIZE_ADDRESS__
	(void)state;
	skip();
#else
	static const char *exprs[] = {
		"upper(t) || '-' || replace(t, 'a', 'bb') || n <> 'X'",
		"t ~ '^a[0-9]+$' or regexp_like(u, '中')",
		"cast(a as text) <> '' and cast(t as integer) is null",
		"a / x > 0 and round(a * 1.5, 1) > 0",
		"t like '%a%' or t like 'a_c%' or lower(t) = 'abc'",
		"substr(t, 2, 3) <> '' and trim(u) = u and length(t) > 1",
		"d + 30 > d2 and days_between(d, d2) > 0 and add_months(d, 1) > d",
		"coalesce(nullif(t, ''), 'x') || cast(d as text) <> ''",
		"case when t in ('a1', 'b2') then 1 else 2.5 end > 0",
		"resident_id_valid(id) and uscc_valid('91350100M000100Y43')",
		"t like u or t not like u || '%'",
	};
	static const char *rows[][4] = {
		{ "a1234567890abcdefghij", "保险公司测试中文", "2026-01-31", "11010519491231002X" },
		{ "abc", "x", "2024-02-29", "34052419800101001X" },
		{ "", "", "0001-01-01", "" },
	};
	const char *f[NCOLS] = { 0 };
	size_t l[NCOLS] = { 0 };
	struct bs_row row = { NCOLS, f, l };
	struct bs_err err = BS_ERR_INIT;

	(void)state;
	f[2] = "7";	/* n */
	f[4] = "12.50";	/* a */
	f[5] = "3";	/* x */
	f[8] = "2026-12-31";	/* d2 */
	for (size_t k = 0; k < BS_ARRAY_SIZE(exprs); k++) {
		struct bs_expr *e = bs_expr_compile_cond(exprs[k], strlen(exprs[k]), &env, NULL, &err);
		long before;
		int r;

		if (!e)
			fail_msg("'%s': %s", exprs[k], err.msg);
		for (int pass = 0; pass < 2; pass++) {
			before = nalloc;
			for (int i = 0; i < 300; i++) {
				const char *const *v = rows[i % 3];

				f[0] = v[0];	/* t */
				f[1] = v[1];	/* u */
				f[7] = v[2];	/* d */
				f[12] = v[3];	/* id */
				for (size_t j = 0; j < NCOLS; j++)
					l[j] = f[j] ? strlen(f[j]) : 0;
				assert_true(bs_expr_eval_bool(e, &row, &r, &err) >= 0);
			}
			/* the first pass may grow scratch buffers */
			if (pass == 1 && nalloc != before)
				fail_msg("'%s' allocated %ld times in 300 rows", exprs[k], nalloc - before);
		}
		bs_expr_free(e);
	}
#endif
}

/* ---- speed ---- */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
t_speed(void **state)
{
	static const char *exprs[] = {
		"a >= 0",
		"d2 >= d",
		"t in ('01', '02', '03', '04', '05')",
		"t <> '02' or d2 is not null and d2 >= d",
		"resident_id_valid(id)",
		"t like '%测试%' or t ~ '^[0-9]+$'",
		"abs(a - x - y) <= 0.01",
		"length(u) <= 4 and substr(id, 7, 8) = '19491231'",
		"days_between(d, d2) between 0 and 366",
		"case t when '01' then a >= 0 when '04' then a < 0 else true end",
	};
	static const char *vals[NCOLS] = {
		[0] = "03", [1] = "保险公司", [4] = "1234.56", [5] = "1000.00",
		[6] = "234.56", [7] = "2026-01-15", [8] = "2026-10-31",
		[12] = "11010519491231002X",
	};
	size_t lens[NCOLS];
	struct bs_row row = { NCOLS, vals, lens };
	const char *envn = getenv("BS_BENCH");
	long rows = envn && *envn == '1' ? 2000000 : 20000;
	double total = 0;

	(void)state;
	for (size_t i = 0; i < NCOLS; i++)
		lens[i] = vals[i] ? strlen(vals[i]) : 0;
	for (size_t k = 0; k < BS_ARRAY_SIZE(exprs); k++) {
		struct bs_err err = BS_ERR_INIT;
		struct bs_expr *e = bs_expr_compile_cond(exprs[k], strlen(exprs[k]), &env, NULL, &err);
		long ntrue = 0;
		double t0, dt;
		int r;

		if (!e)
			fail_msg("'%s': %s", exprs[k], err.msg);
		t0 = now();
		for (long i = 0; i < rows; i++) {
			if (bs_expr_eval_bool(e, &row, &r, &err) != 0)
				fail_msg("'%s': %s", exprs[k], err.msg);
			ntrue += r == 1;
		}
		dt = now() - t0;
		total += dt;
		assert_int_equal(ntrue, rows);	/* every test expression holds */
		if (envn)
			print_message("%6.1f ns  %s\n", dt * 1e9 / (double)rows, exprs[k]);
		bs_expr_free(e);
	}
	if (envn)
		print_message("%ld rows x %zu expressions: %.3f s\n", rows,
		    BS_ARRAY_SIZE(exprs), total);
}

/* "pol.d" is column d2; every other name as resolve() has it. */
static int
resolve_lk(void *ctx, const char *name, size_t len, size_t *index,
    struct bs_expr_col *type)
{
	if (len == 5 && !memcmp(name, "pol.d", 5))
		return resolve(ctx, "d2", 2, index, type);
	return resolve(ctx, name, len, index, type);
}

/* :period_end = 2026-10-31, :period = '2026-10'; :later has no value. */
static int
param_cb(void *ctx, const char *name, size_t len, struct bs_expr_param *out)
{
	(void)ctx;
	if (len == 10 && !memcmp(name, "period_end", 10)) {
		out->type.type = BS_TYPE_DATE;
		out->value = "2026-10-31";
		out->len = 10;
		return 0;
	}
	if (len == 6 && !memcmp(name, "period", 6)) {
		out->type.type = BS_TYPE_TEXT;
		out->value = "2026-10";
		out->len = 7;
		return 0;
	}
	if (len == 5 && !memcmp(name, "later", 5)) {
		out->type.type = BS_TYPE_DATE;
		out->value = NULL;	/* type-checked only */
		return 0;
	}
	if (len == 7 && !memcmp(name, "missing", 7)) {
		out->why = "no value for this run: cannot use";
		return -1;
	}
	return -1;
}

static void
t_params_and_lookups(void **state)
{
	struct bs_expr_env en = { resolve_lk, param_cb, NULL, NULL };
	const char *r;
	struct bs_err err = BS_ERR_INIT;
	struct bs_expr_pos pos;
	struct bs_expr *e;
	size_t idx;

	(void)state;
#define EQP(expect, src, ...) do { \
		r = run_env(&en, src, __VA_ARGS__, NULL); \
		assert_string_equal(r, expect); \
	} while (0)
	EQP("true", "d = :period_end", "d=2026-10-31");
	EQP("false", "d = :period_end", "d=2026-10-30");
	EQP("2026-10-30", ":period_end - 1", "t=x");
	EQP("2026-10|x", ":period || '|' || t", "t=x");
	EQP("true", "d >= pol.d", "d=2026-10-31", "d2=2026-01-01");
	EQP("NULL", "d >= pol.d", "d=2026-10-31");
	EQP("202610", "to_char(d, 'YYYYMM')", "d=2026-10-31");
	EQP("31/10/2026", "to_char(d, 'DD/MM/YYYY')", "d=2026-10-31");
	EQP("202609", "to_char(add_months(to_date('202610', 'YYYYMM'), -1), 'YYYYMM')", "t=x");
	EQP("ERR 1:3 cannot compare integer with date", "n = :period_end", "t=x");
	EQP("ERR 1:1 unknown parameter ':nope'", ":nope = 1", "t=x");
	EQP("ERR 1:5 no value for this run: cannot use ':missing'", "d = :missing", "t=x");
	EQP("ERR 1:1 ':' starts a run parameter such as :period_end", ": x", "t=x");
	EQP("ERR 1:1 unknown column 'pol.e'", "pol.e = 1", "t=x");
	EQP("ERR 1:12 bad date pattern 'YYYY': use YYYY, MM and DD once each (DD may be left out), e.g. 'YYYYMMDD'",
	    "to_char(d, 'YYYY')", "t=x");
#undef EQP
	/* a parameter without a value: compiles (and is not folded) */
	e = bs_expr_compile_cond("d <= :later + 1", 15, &en, &pos, &err);
	assert_non_null(e);
	bs_expr_free(e);
	/* a bare column */
	e = bs_expr_compile("pol.d", 5, &en, &pos, &err);
	assert_non_null(e);
	assert_int_equal(bs_expr_is_column(e, &idx), 1);
	bs_expr_free(e);
	e = bs_expr_compile("d + 1", 5, &en, &pos, &err);
	assert_int_equal(bs_expr_is_column(e, &idx), 0);
	bs_expr_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_lexer),
		cmocka_unit_test(t_compile_errors),
		cmocka_unit_test(t_positions_multiline),
		cmocka_unit_test(t_condition),
		cmocka_unit_test(t_limits),
		cmocka_unit_test(t_truth_tables),
		cmocka_unit_test(t_null_operators),
		cmocka_unit_test(t_in_between),
		cmocka_unit_test(t_comparisons),
		cmocka_unit_test(t_decimals),
		cmocka_unit_test(t_dates),
		cmocka_unit_test(t_text),
		cmocka_unit_test(t_identifiers),
		cmocka_unit_test(t_case_coalesce),
		cmocka_unit_test(t_type_decls),
		cmocka_unit_test(t_value_check),
		cmocka_unit_test(t_columns_api),
		cmocka_unit_test(t_runtime_errors),
		cmocka_unit_test(t_row_cache),
		cmocka_unit_test(t_same),
		cmocka_unit_test(t_no_alloc),
		cmocka_unit_test(t_speed),
		cmocka_unit_test(t_params_and_lookups),
	};

	return cmocka_run_group_tests_name("expr", tests, setup, teardown);
}
