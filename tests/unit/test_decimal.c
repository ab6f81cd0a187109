/*
 * test_decimal.c - exact decimals: parsing, formatting with half-up
 * rounding, comparison, arithmetic at the 38-digit edges, driver text.
 *
 * decimal_vectors.h holds 2400 results computed independently with
 * Python's decimal module (ROUND_HALF_UP) by gen_decimal_vectors.py.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "bs.h"
#include "buf.h"
#include "decimal.h"

struct dec_vector {
	char op;
	const char *a, *b, *expect;
};
#include "decimal_vectors.h"

static struct bs_dec
D(const char *s)
{
	struct bs_dec d;
	struct bs_err err = BS_ERR_INIT;

	if (bs_dec_parse(s, strlen(s), 0, &d, &err) < 0)
		fail_msg("cannot parse '%s': %s", s, err.msg);
	return d;
}

static void
assert_str(const struct bs_dec *d, int scale, const char *expect)
{
	char buf[BS_DEC_STR_MAX];

	bs_dec_str(d, scale, buf);
	assert_string_equal(buf, expect);
}

static void
t_parse_strict(void **state)
{
	static const char *good[][2] = {
		{ "0", "0" }, { "-0", "0" }, { "-0.00", "0.00" }, { "12.50", "12.50" },
		{ "-12.50", "-12.50" }, { "130.1", "130.1" }, { "007", "7" },
		{ "0.30000000000000004", "0.30000000000000004" },
		{ "12345678901234567890", "12345678901234567890" },
		{ "99999999999999999999999999999999999999",
		  "99999999999999999999999999999999999999" },
		{ "-0.99999999999999999999999999999999999999",
		  "-0.99999999999999999999999999999999999999" },
		{ "0.00000000000000000000000000000000000001",
		  "0.00000000000000000000000000000000000001" },
		/* trailing fraction zeros past 38 digits are dropped */
		{ "1.0000000000000000000000000000000000000000000000",
		  "1.0000000000000000000000000000000000000" },
	};
	static const char *bad[] = {
		"", "-", "+1", ".5", "5.", "1e3", " 1", "1 ", "1,5", "1.2.3",
		"--1", "0x10", "１２", "NaN", "12a",
	};
	struct bs_dec d;
	struct bs_err err = BS_ERR_INIT;

	(void)state;
	for (size_t i = 0; i < BS_ARRAY_SIZE(good); i++) {
		assert_int_equal(bs_dec_parse(good[i][0], strlen(good[i][0]), 0, &d, &err), 0);
		assert_str(&d, -1, good[i][1]);
	}
	for (size_t i = 0; i < BS_ARRAY_SIZE(bad); i++) {
		assert_int_equal(bs_dec_parse(bad[i], strlen(bad[i]), 0, &d, &err), -1);
		assert_string_equal(err.msg, "not a decimal number");
		assert_int_equal(err.code, BS_EXIT_DATAERR);
	}
	/* 39 significant digits */
	assert_int_equal(bs_dec_parse("123456789012345678901234567890123456789", 39, 0, &d, &err), -1);
	assert_string_equal(err.msg, "more than 38 digits");
	assert_int_equal(bs_dec_parse("0.123456789012345678901234567890123456789", 41, 0, &d, &err), -1);
	assert_int_equal(bs_dec_parse("100000000000000000000000000000000000000", 39, 0, &d, &err), -1);
	/* leading zeros do not count */
	assert_int_equal(bs_dec_parse("000000000099999999999999999999999999999999999999", 48, 0, &d, &err), 0);
	/* length-limited: only n bytes are read */
	assert_int_equal(bs_dec_parse("12.5xyz", 4, 0, &d, &err), 0);
	assert_str(&d, -1, "12.5");
}

static void
t_parse_lenient(void **state)
{
	static const char *good[][2] = {
		{ "+1", "1" }, { ".5", "0.5" }, { "-.5", "-0.5" }, { "5.", "5" },
		{ "1e3", "1000" }, { "1E+3", "1000" }, { "1.5E-7", "0.00000015" },
		{ " 42 ", "42" }, { "\t-3.25\t", "-3.25" }, { "0e-99999", "0.00000000000000000000000000000000000000" },
		{ "12.5e1", "125" }, { "1e37", "10000000000000000000000000000000000000" },
	};
	static const char *bad[] = { "", " ", "e3", "1e", "1e+", ".", "+-1", "1 2", "inf" };
	struct bs_dec d;
	struct bs_err err = BS_ERR_INIT;

	(void)state;
	for (size_t i = 0; i < BS_ARRAY_SIZE(good); i++) {
		assert_int_equal(bs_dec_parse(good[i][0], strlen(good[i][0]), BS_DEC_LENIENT, &d, &err), 0);
		assert_str(&d, -1, good[i][1]);
	}
	for (size_t i = 0; i < BS_ARRAY_SIZE(bad); i++)
		assert_int_equal(bs_dec_parse(bad[i], strlen(bad[i]), BS_DEC_LENIENT, &d, &err), -1);
	assert_int_equal(bs_dec_parse("1e38", 4, BS_DEC_LENIENT, &d, &err), -1);
	assert_string_equal(err.msg, "more than 38 digits");
	assert_int_equal(bs_dec_parse("1e-39", 5, BS_DEC_LENIENT, &d, &err), -1);
}

static void
t_format_half_up(void **state)
{
	static const char *cases[][3] = {
		/* value, scale, expected */
		{ "0.125", "2", "0.13" }, { "-0.125", "2", "-0.13" },
		{ "2.5", "0", "3" }, { "-2.5", "0", "-3" }, { "1.5", "0", "2" },
		{ "0.5", "0", "1" }, { "0.4999", "0", "0" },
		{ "0.005", "2", "0.01" }, { "0.0049", "2", "0.00" },
		{ "-0.004", "2", "0.00" }, { "-0.005", "2", "-0.01" },
		{ "99.995", "2", "100.00" }, { "-99.995", "2", "-100.00" },
		{ "9.5", "0", "10" }, { "130.1", "2", "130.10" }, { "7", "3", "7.000" },
		{ "0.30000000000000004", "2", "0.30" },
		{ "99999999999999999999999999999999999999", "2",
		  "99999999999999999999999999999999999999.00" },
		{ "0.99999999999999999999999999999999999999", "37",
		  "1.0000000000000000000000000000000000000" },
		{ "0.00000000000000000000000000000000000005", "37",
		  "0.0000000000000000000000000000000000001" },
		{ "-0.00000000000000000000000000000000000004", "37",
		  "0.0000000000000000000000000000000000000" },
	};
	struct bs_buf b = BS_BUF_INIT(0);

	(void)state;
	for (size_t i = 0; i < BS_ARRAY_SIZE(cases); i++) {
		struct bs_dec d = D(cases[i][0]);
		int sc = (int)strtol(cases[i][1], NULL, 10);

		assert_str(&d, sc, cases[i][2]);
		bs_buf_reset(&b);
		assert_int_equal(bs_dec_format(&d, sc, &b), 0);
		assert_string_equal(bs_buf_str(&b), cases[i][2]);
	}
	bs_buf_release(&b);
}

static void
t_compare(void **state)
{
	struct bs_dec a = D("1.10"), b = D("1.1");

	(void)state;
	assert_int_equal(bs_dec_cmp(&a, &b), 0);
	a = D("-0.00");
	b = D("0");
	assert_int_equal(bs_dec_cmp(&a, &b), 0);
	a = D("2");
	b = D("10");
	assert_int_equal(bs_dec_cmp(&a, &b), -1);
	assert_int_equal(bs_dec_cmp(&b, &a), 1);
	a = D("-2.5");
	b = D("-2.49999");
	assert_int_equal(bs_dec_cmp(&a, &b), -1);
	/* aligning scales would overflow 128 bits */
	a = D("99999999999999999999999999999999999999");
	b = D("0.99999999999999999999999999999999999999");
	assert_int_equal(bs_dec_cmp(&a, &b), 1);
	assert_int_equal(bs_dec_cmp(&b, &a), -1);
	a = D("-99999999999999999999999999999999999999");
	assert_int_equal(bs_dec_cmp(&a, &b), -1);
	assert_int_equal(bs_dec_cmp(&b, &a), 1);
	assert_int_equal(bs_dec_sign(&a), -1);
	a = D("-0");
	assert_int_equal(bs_dec_sign(&a), 0);
}

static int
run_op(char op, const struct bs_dec *a, const struct bs_dec *b,
    struct bs_dec *r, struct bs_err *err)
{
	switch (op) {
	case '+':
		return bs_dec_add(a, b, r, err);
	case '-':
		return bs_dec_sub(a, b, r, err);
	case '*':
		return bs_dec_mul(a, b, r, err);
	default:
		return bs_dec_div(a, b, r, err);
	}
}

static void
t_vectors(void **state)
{
	size_t nfail = 0;

	(void)state;
	for (size_t i = 0; i < BS_ARRAY_SIZE(dec_vectors); i++) {
		const struct dec_vector *v = &dec_vectors[i];
		struct bs_dec a = D(v->a), b = D(v->b), r;
		struct bs_err err = BS_ERR_INIT;
		char buf[BS_DEC_STR_MAX];
		int rc = run_op(v->op, &a, &b, &r, &err);
		const char *got = buf;

		if (rc < 0)
			got = strcmp(err.msg, "division by zero") == 0 ? "DIV0" : "OVF";
		else
			bs_dec_str(&r, -1, buf);
		if (strcmp(got, v->expect) != 0) {
			print_message("%s %c %s: got %s, expected %s\n", v->a,
			    v->op, v->b, got, v->expect);
			nfail++;
		}
	}
	assert_int_equal(nfail, 0);
}

static void
t_arith_edges(void **state)
{
	struct bs_dec a, b, r;
	struct bs_err err = BS_ERR_INIT;
	const char *max = "99999999999999999999999999999999999999";

	(void)state;
	a = D(max);
	b = D("1");
	assert_int_equal(bs_dec_add(&a, &b, &r, &err), -1);
	assert_string_equal(err.msg, "decimal overflow: more than 38 digits before the decimal point");
	assert_int_equal(err.code, BS_EXIT_DATAERR);
	assert_int_equal(bs_dec_sub(&a, &b, &r, &err), 0);
	assert_str(&r, -1, "99999999999999999999999999999999999998");
	bs_dec_neg(&a, &a);
	assert_int_equal(bs_dec_sub(&a, &b, &r, &err), -1);
	/* sum needs more digits: the fraction is rounded away, half-up */
	a = D("9999999999999999999999999999999999999");
	b = D("0.5");
	assert_int_equal(bs_dec_add(&a, &b, &r, &err), 0);
	assert_str(&r, -1, "9999999999999999999999999999999999999.5");
	b = D("0.55");
	assert_int_equal(bs_dec_add(&a, &b, &r, &err), 0);
	assert_str(&r, -1, "9999999999999999999999999999999999999.6");
	a = D(max);
	b = D("0.5");
	assert_int_equal(bs_dec_add(&a, &b, &r, &err), -1);
	b = D("0.4");
	assert_int_equal(bs_dec_add(&a, &b, &r, &err), 0);
	assert_str(&r, -1, max);
	/* products */
	a = D("10000000000000000000");
	b = D("10000000000000000000");
	assert_int_equal(bs_dec_mul(&a, &b, &r, &err), -1);
	a = D("0.0000000000000000001");
	b = D("0.00000000000000000015");
	assert_int_equal(bs_dec_mul(&a, &b, &r, &err), 0);
	assert_str(&r, -1, "0.00000000000000000000000000000000000002");
	a = D("-1.5");
	b = D("0");
	assert_int_equal(bs_dec_mul(&a, &b, &r, &err), 0);
	assert_str(&r, -1, "0.0");
	/* division */
	a = D("7");
	b = D("2");
	assert_int_equal(bs_dec_div(&a, &b, &r, &err), 0);
	assert_str(&r, -1, "3.5000000000000000");
	a = D("1");
	b = D("3");
	assert_int_equal(bs_dec_div(&a, &b, &r, &err), 0);
	assert_str(&r, -1, "0.3333333333333333");
	a = D("2");
	assert_int_equal(bs_dec_div(&a, &b, &r, &err), 0);
	assert_str(&r, -1, "0.6666666666666667");
	bs_dec_neg(&a, &a);
	assert_int_equal(bs_dec_div(&a, &b, &r, &err), 0);
	assert_str(&r, -1, "-0.6666666666666667");
	b = D("0.000");
	assert_int_equal(bs_dec_div(&a, &b, &r, &err), -1);
	assert_string_equal(err.msg, "division by zero");
	a = D(max);
	b = D("0.1");
	assert_int_equal(bs_dec_div(&a, &b, &r, &err), -1);
	assert_string_equal(err.msg, "decimal overflow: more than 38 digits before the decimal point");
	b = D("3");
	assert_int_equal(bs_dec_div(&a, &b, &r, &err), 0);
	assert_str(&r, -1, "33333333333333333333333333333333333333");
}

static void
t_rescale_round(void **state)
{
	struct bs_dec a, r;
	struct bs_err err = BS_ERR_INIT;
	int64_t v;

	(void)state;
	a = D("2.345");
	assert_int_equal(bs_dec_round(&a, 2, &r, &err), 0);
	assert_str(&r, -1, "2.35");
	assert_int_equal(bs_dec_round(&a, 5, &r, &err), 0);
	assert_str(&r, -1, "2.34500");
	assert_int_equal(bs_dec_round(&a, 0, &r, &err), 0);
	assert_str(&r, -1, "2");
	a = D("-1250");
	assert_int_equal(bs_dec_round(&a, -2, &r, &err), 0);
	assert_str(&r, -1, "-1300");
	a = D("1249.99");
	assert_int_equal(bs_dec_round(&a, -2, &r, &err), 0);
	assert_str(&r, -1, "1200");
	assert_int_equal(bs_dec_round(&a, -40, &r, &err), 0);
	assert_str(&r, -1, "0");
	a = D("99999999999999999999999999999999999999");
	assert_int_equal(bs_dec_round(&a, -1, &r, &err), -1);
	assert_int_equal(bs_dec_rescale(&a, 1, &r, &err), -1);
	a = D("10000000000000000000000000000000000000");
	assert_int_equal(bs_dec_rescale(&a, 1, &r, &err), -1);
	a = D("1000000000000000000000000000000000000");
	assert_int_equal(bs_dec_rescale(&a, 1, &r, &err), 0);
	/* to_int */
	a = D("42.000");
	assert_int_equal(bs_dec_to_int(&a, &v), 0);
	assert_int_equal(v, 42);
	a = D("42.5");
	assert_int_equal(bs_dec_to_int(&a, &v), -1);
	a = D("-9223372036854775808");
	assert_int_equal(bs_dec_to_int(&a, &v), 0);
	assert_true(v == INT64_MIN);
	a = D("9223372036854775808");
	assert_int_equal(bs_dec_to_int(&a, &v), -1);
	bs_dec_from_int(-17, &a);
	assert_str(&a, 2, "-17.00");
}

static void
t_rescale_text(void **state)
{
	static const char *cases[][3] = {
		{ "130.1", "2", "130.10" },
		{ "0.30000000000000004", "2", "0.30" },
		{ "0.30000000000000004", "17", "0.30000000000000004" },
		{ ".5", "2", "0.50" }, { "-.5", "0", "-1" }, { "5.", "1", "5.0" },
		{ "1.5E-7", "7", "0.0000002" }, { "1.5e-7", "6", "0.000000" },
		{ "1e3", "2", "1000.00" }, { " 42 ", "2", "42.00" },
		{ "+7", "0", "7" }, { "9.995", "2", "10.00" }, { "-9.995", "2", "-10.00" },
		{ "-0.001", "2", "0.00" }, { "-0", "0", "0" }, { "000123.4500", "3", "123.450" },
		{ "99999999999999999999999999999999999.994", "3",
		  "99999999999999999999999999999999999.994" },
		{ "0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000051", "2", "0.00" },
		{ "1234.5678901234567890123456789012345678901234567890", "4", "1234.5679" },
		{ "0e50", "2", "0.00" },
		{ "1.25E+2", "0", "125" },
	};
	struct bs_buf b = BS_BUF_INIT(0);

	(void)state;
	for (size_t i = 0; i < BS_ARRAY_SIZE(cases); i++) {
		bs_buf_reset(&b);
		assert_int_equal(bs_dec_rescale_text(cases[i][0], strlen(cases[i][0]),
		    (int)strtol(cases[i][1], NULL, 10), &b), 0);
		assert_string_equal(bs_buf_str(&b), cases[i][2]);
	}
	bs_buf_reset(&b);
	assert_int_equal(bs_dec_rescale_text("abc", 3, 2, &b), -1);
	assert_int_equal(bs_dec_rescale_text("", 0, 2, &b), -1);
	assert_int_equal(bs_dec_rescale_text("1e40", 4, 2, &b), -2);
	assert_int_equal(bs_dec_rescale_text("1e99999999999", 13, 0, &b), -2);
	assert_int_equal(bs_dec_rescale_text("999999999999999999999999999999999999.995", 40, 2, &b), -2);
	assert_int_equal(bs_dec_rescale_text("1", 1, 39, &b), -1);
	assert_int_equal(b.len, 0);
	bs_buf_release(&b);
	{
		struct bs_buf small = BS_BUF_INIT(3);

		assert_int_equal(bs_dec_rescale_text("1.5", 3, 2, &small), -3);
		bs_buf_release(&small);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_parse_strict),
		cmocka_unit_test(t_parse_lenient),
		cmocka_unit_test(t_format_half_up),
		cmocka_unit_test(t_compare),
		cmocka_unit_test(t_vectors),
		cmocka_unit_test(t_arith_edges),
		cmocka_unit_test(t_rescale_round),
		cmocka_unit_test(t_rescale_text),
	};

	return cmocka_run_group_tests_name("decimal", tests, NULL, NULL);
}
