/*
 * decimal.h - exact decimal numbers for money: never a binary float.
 *
 * A struct bs_dec is a signed 128-bit coefficient and a scale: the value is
 * coef / 10^scale, with |coef| < 10^38 (at most 38 significant digits) and
 * 0 <= scale <= 38.  "12.50" is {1250, 2}; 1.10 and 1.1 are different
 * representations of one value and compare equal.  There is no negative
 * zero: "-0.00" parses to {0, 2} and formats as "0.00".
 *
 * Results are exact whenever they fit in 38 digits.  When an exact sum or
 * product would need more than 38 digits, fraction digits are dropped with
 * rounding half-up (away from zero on a 5) until it fits; when the integer
 * part alone needs more than 38 digits the operation fails ("overflow"),
 * it never wraps.  Division rounds half-up to max(16, scale(a), scale(b))
 * fraction digits (fewer if the integer part needs the room): 7 / 2 is
 * 3.5000000000000000, 1 / 3 is 0.3333333333333333.
 *
 * All rounding is done on the decimal digits (never through a double).
 * Values live in caller storage; nothing here allocates except
 * bs_dec_format() and bs_dec_rescale_text(), which append to a bs_buf.
 *
 *	struct bs_dec a, b, sum;
 *	struct bs_buf out = BS_BUF_INIT(0);
 *	if (bs_dec_parse("130.1", 5, 0, &a, &err) < 0 ||
 *	    bs_dec_parse("0.05", 4, 0, &b, &err) < 0 ||
 *	    bs_dec_add(&a, &b, &sum, &err) < 0)
 *		return -1;
 *	bs_dec_format(&sum, 2, &out);		-> "130.15"
 *	bs_dec_rescale_text("0.30000000000000004", 19, 2, &out);  -> "0.30"
 */
#ifndef BS_DECIMAL_H
#define BS_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

struct bs_err;
struct bs_buf;

#define BS_DEC_MAX_DIGITS 38
#define BS_DEC_MAX_SCALE 38
/* Room for any bs_dec_str() result, NUL included. */
#define BS_DEC_STR_MAX 96

/* The coefficient type (-Wpedantic needs __extension__ for __int128). */
__extension__ typedef __int128 bs_dec_coef;

struct bs_dec {
	bs_dec_coef coef;	/* |coef| < 10^38 */
	int scale;		/* 0..38 */
};

enum bs_dec_flags {
	/*
	 * Also accept what database drivers print: a leading '+', ".5",
	 * "5.", an exponent ("1e3", "1.5E-7") and surrounding ASCII blanks.
	 * Without it only -?[0-9]+(\.[0-9]+)? is a number.
	 */
	BS_DEC_LENIENT = 1u << 0,
};

/*
 * Parse n bytes of s.  Returns 0, or -1 with err (code BS_EXIT_DATAERR):
 * "not a decimal number" or "more than 38 digits".  Trailing fraction
 * zeros beyond 38 digits are dropped ("1.000...0" with 50 zeros is 1).
 */
int bs_dec_parse(const char *s, size_t n, unsigned flags, struct bs_dec *out,
    struct bs_err *err);

/* An integer as a decimal of scale 0 (always fits). */
void bs_dec_from_int(int64_t v, struct bs_dec *out);

/*
 * Convert to int64 when the value is integral and in range: 0, else -1
 * (no message; callers say what they needed the integer for).
 */
int bs_dec_to_int(const struct bs_dec *d, int64_t *out);

/*
 * Text of d with exactly scale fraction digits (scale < 0: d's own scale;
 * scale is capped at 38), rounding half-up on the digits.  Writes a NUL-
 * terminated string of at most BS_DEC_STR_MAX bytes into buf and returns
 * its length.  Never fails: formatting cannot overflow.
 */
size_t bs_dec_str(const struct bs_dec *d, int scale, char buf[BS_DEC_STR_MAX]);

/* As bs_dec_str(), appended to out: 0, or -1 when out's cap is reached. */
int bs_dec_format(const struct bs_dec *d, int scale, struct bs_buf *out);

/*
 * Does d fit decimal(precision, scale)?  0 yes; -1 more than scale fraction
 * digits (trailing zeros do not count: 1.500 fits scale 1); -2 more than
 * precision - scale integer digits.  precision 0 means 38.
 */
int bs_dec_fits(const struct bs_dec *d, int precision, int scale);

/* -1, 0 or 1 as a < b, a = b, a > b (numerically: 1.10 = 1.1). */
int bs_dec_cmp(const struct bs_dec *a, const struct bs_dec *b);

/* -1, 0 or 1 as d is negative, zero, positive. */
int bs_dec_sign(const struct bs_dec *d);

/* out = -a, out = |a| (always fit).  out may be a. */
void bs_dec_neg(const struct bs_dec *a, struct bs_dec *out);
void bs_dec_abs(const struct bs_dec *a, struct bs_dec *out);

/*
 * out = a + b, a - b, a * b, a / b.  out may alias a or b.  Returns 0, or
 * -1 with err (code BS_EXIT_DATAERR): "decimal overflow: more than 38
 * digits before the decimal point" or "division by zero".
 */
int bs_dec_add(const struct bs_dec *a, const struct bs_dec *b,
    struct bs_dec *out, struct bs_err *err);
int bs_dec_sub(const struct bs_dec *a, const struct bs_dec *b,
    struct bs_dec *out, struct bs_err *err);
int bs_dec_mul(const struct bs_dec *a, const struct bs_dec *b,
    struct bs_dec *out, struct bs_err *err);
int bs_dec_div(const struct bs_dec *a, const struct bs_dec *b,
    struct bs_dec *out, struct bs_err *err);

/*
 * out = a with exactly scale (0..38) fraction digits: padding with zeros
 * or rounding half-up.  -1 with err on overflow (padding 10^37 to scale 2).
 */
int bs_dec_rescale(const struct bs_dec *a, int scale, struct bs_dec *out,
    struct bs_err *err);

/*
 * SQL round(a, places): places >= 0 is bs_dec_rescale(); places < 0 rounds
 * to tens, hundreds... (round(1250, -2) = 1300) with scale 0.
 */
int bs_dec_round(const struct bs_dec *a, int places, struct bs_dec *out,
    struct bs_err *err);

/*
 * Re-format a number printed by a database driver ("130.1", ".5",
 * "0.30000000000000004", "1.5E-7", " 42 ") to exactly scale (0..38)
 * fraction digits, rounding half-up on the text, and append it to out.
 * Any number of input digits is accepted; the result must fit in 38
 * digits.  Returns 0; -1 not a number; -2 result over 38 digits; -3 out's
 * cap reached.  Nothing is appended on failure.
 */
int bs_dec_rescale_text(const char *in, size_t n, int scale, struct bs_buf *out);

#endif
