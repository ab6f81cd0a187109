/*
 * sum.h - control totals: add a formatted amount to an exact sum.
 *
 * The writer's formatted values have exactly the field's scale, so the
 * common case is digits into the 128-bit coefficient; anything else goes
 * through decimal.h.  Shared by the writer and the read-back check so
 * that both add the same way.
 */
#ifndef TF_SUM_H
#define TF_SUM_H

#include "decimal.h"

/*
 * sum += s[0, n) (a number; sum->scale is the field's).  0, or -1 when s
 * is not a number or the sum leaves 38 digits.
 */
static inline int
tf_sum_add(struct bs_dec *sum, const char *s, size_t n)
{
	struct bs_err e;
	struct bs_dec d;
	/* 10^38: the largest coefficient is 10^38 - 1 */
	const bs_dec_coef lim = (bs_dec_coef)10000000000000000000ULL *
	    10000000000000000000ULL;
	bs_dec_coef v = 0;
	size_t i = 0, frac = 0;
	int neg = 0, dot = 0;

	if (n && s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i < n && n - i <= 36) {
		for (; i < n; i++) {
			if (s[i] >= '0' && s[i] <= '9') {
				v = v * 10 + (s[i] - '0');
				frac += dot;
			} else if (s[i] == '.' && !dot) {
				dot = 1;
			} else {
				break;
			}
		}
		if (i == n && (int)frac == sum->scale && s[n - 1] != '.') {
			sum->coef += neg ? -v : v;
			return sum->coef < lim && sum->coef > -lim ? 0 : -1;
		}
	}
	e.code = 0;
	e.msg[0] = '\0';
	if (bs_dec_parse(s, n, 0, &d, &e) < 0 || bs_dec_add(sum, &d, sum, &e) < 0)
		return -1;
	return 0;
}

#endif
