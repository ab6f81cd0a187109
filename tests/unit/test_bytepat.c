/*
 * test_bytepat.c - fixed-length ASCII patterns: what is accepted, what is
 * refused, and agreement with PCRE2 (anchored, UTF) on every accepted
 * pattern, hand-picked and generated, against hand-picked and generated
 * values (ASCII, Chinese, the empty string, one byte short or long).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "bs.h"
#include "bytepat.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* PCRE2's answer, as the rule loader compiles patterns; -1: no pattern. */
static int
pcre_match(const char *re, const char *s)
{
	int ec, rc;
	PCRE2_SIZE eo;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, strlen(re),
	    PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED, &ec, &eo, NULL);
	pcre2_match_data *md;

	if (!c)
		return -1;
	md = pcre2_match_data_create_from_pattern(c, NULL);
	rc = pcre2_match(c, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL);
	pcre2_match_data_free(md);
	pcre2_code_free(c);
	return rc >= 0;
}

static const char *const values[] = {
	"", "0", "1", "X", "x", "-", "13812345678", "1381234567", "138123456789",
	"12812345678", "110105199003071234", "11010519900307123X",
	"11010519900307123x", "1101051990030712345", "P123456", "p123456",
	"AB-1234", "AB_1234", "ab-1234", "中国", "1381234567中", "中381234567",
	"a.b", "a+b", "a\\b", "]", "[", "^", "$", "{", "}", "a b", "\t",
	"P00000X", "-1", "9-", "Z", "z", "AZ", "az", "0-9",
};

/* Accepted: agrees with PCRE2 on every value. */
static void
agree(const char *re)
{
	struct bs_bytepat p;

	if (bs_bytepat_compile(re, strlen(re), &p) < 0)
		fail_msg("'%s' refused", re);
	for (size_t i = 0; i < BS_ARRAY_SIZE(values); i++) {
		int want = pcre_match(re, values[i]);

		assert_int_not_equal(want, -1);
		if (bs_bytepat_match(&p, values[i], strlen(values[i])) != want)
			fail_msg("'%s' on '%s': PCRE2 says %d", re, values[i], want);
	}
	bs_bytepat_release(&p);
}

static void
refused(const char *re)
{
	struct bs_bytepat p;

	if (bs_bytepat_compile(re, strlen(re), &p) == 0)
		fail_msg("'%s' accepted", re);
	assert_null(p.run);
	assert_int_equal(p.nrun, 0);
	assert_int_equal(p.len, 0);
}

static void
t_accepted(void **state)
{
	static const char *const ok[] = {
		"[0-9]{17}[0-9X]", "1[3-9][0-9]{9}", "P\\d{6}", "[A-Z]{2}-[0-9]{4}",
		"[A-Za-z]{2}[-_][0-9]{4}", "[-a]", "[a-]", "a\\.b", "a\\+b",
		"\\\\", "a\\\\b", "[\\]]", "[\\[]", "[\\^]", "\\^", "\\$", "\\{",
		"\\}", "a b", "\t", "[0-9X]{0}1", "X", "[\\d]{2}", "[\\d-]", "[.]",
		"[+*?]", "[a-z0-9]", "0", "[0-]9", "P[0-9]{5}X", "[0-0]", "[ -~]",
	};

	(void)state;
	for (size_t i = 0; i < BS_ARRAY_SIZE(ok); i++)
		agree(ok[i]);
}

static void
t_refused(void **state)
{
	static const char *const no[] = {
		"a?", "a*", "a+", "a{1,2}", "a{,2}", "a{", "a{}", "a}", "(a)", "a|b",
		"^a", "a$", ".", "[^0-9]", "[]a]", "[]", "[a", "[[:digit:]]",
		"\\w", "\\D", "\\s", "\\", "a{256}", "中", "[中]", "[a-\\d]",
		"[\\d-z]", "[a-z-0]", "[z-a]", "(?i)a", "a{2}{3}", "\\x41", "\\1",
		"[a-z]{200}[0-9]{200}[a-z]{200}[0-9]{200}[a-z]{200}[0-9]{200}",
	};

	(void)state;
	for (size_t i = 0; i < BS_ARRAY_SIZE(no); i++)
		refused(no[i]);
	/* each refusal is for a reason PCRE2 shares or a deliberate limit */
	assert_int_equal(pcre_match("a{2}", "aa"), 1);
}

/* Generated patterns from pieces, each checked against PCRE2. */
static void
t_generated(void **state)
{
	static const char *const pieces[] = {
		"1", "X", "-", "[0-9]", "[3-9]", "[0-9X]", "\\d", "[A-Z]", "{2}",
		"{0}", "{1}", "[-.]", "\\.", "a", "[a-c-]", "[\\d]", "?", "[^a]",
		"(", "{3}", " ",
	};
	unsigned seed = 12345;
	int accepted = 0;

	(void)state;
	for (int k = 0; k < 4000; k++) {
		char re[128] = "";
		int np = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 6;
		struct bs_bytepat p;

		for (int j = 0; j < np; j++) {
			seed = seed * 1103515245u + 12345u;
			strncat(re, pieces[(seed >> 16) % BS_ARRAY_SIZE(pieces)],
			    sizeof(re) - strlen(re) - 1);
		}
		if (bs_bytepat_compile(re, strlen(re), &p) < 0)
			continue;
		accepted++;
		bs_bytepat_release(&p);
		agree(re);
		/* values of the right length made from the pattern's own sets */
		{
			char v[64];

			if (bs_bytepat_compile(re, strlen(re), &p) < 0 || p.len >= sizeof(v))
				fail_msg("'%s'", re);
			for (int t = 0; t < 20; t++) {
				for (size_t i = 0; i < p.len; i++) {
					seed = seed * 1103515245u + 12345u;
					v[i] = "0123456789XAZaz-. b"[(seed >> 16) % 19];
				}
				v[p.len] = '\0';
				assert_int_equal(bs_bytepat_match(&p, v, p.len),
				    pcre_match(re, v));
			}
			bs_bytepat_release(&p);
		}
	}
	assert_true(accepted > 500);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_accepted),
		cmocka_unit_test(t_refused),
		cmocka_unit_test(t_generated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
