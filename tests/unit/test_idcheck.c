#include "bs.h"
#include "idcheck.h"

#include <setjmp.h>
#include <cmocka.h>

/*
 * Every check is called on an exact-size heap copy without a NUL, so that
 * AddressSanitizer (make SANITIZE=address,undefined) catches a read past n.
 */
typedef int (*check_fn)(const char *, size_t);

static int
call(check_fn f, const char *s)
{
	size_t n = strlen(s);
	char *copy = bs_xmalloc(n ? n : 1);
	int rc;

	memcpy(copy, s, n);
	rc = f(copy, n);
	free(copy);
	return rc;
}

#define YES(f, s) assert_int_equal(call((f), (s)), 1)
#define NO(f, s) assert_int_equal(call((f), (s)), 0)

/* ---- resident ID: DOMAIN.md 2.2 (a) ------------------------------------- */

static void
test_resident_vectors(void **state)
{
	(void)state;
	/* worked example: S=167, r=2 -> X */
	YES(bs_id_resident_format, "11010519491231002X");
	YES(bs_id_resident_check, "11010519491231002X");
	/* sndnvaps README */
	YES(bs_id_resident_format, "34052419800101001X");
	YES(bs_id_resident_check, "34052419800101001X");
	YES(bs_id_resident_format, "340524198001010013");
	NO(bs_id_resident_check, "340524198001010013");
	/* checksum valid, date tests separate */
	YES(bs_id_resident_check, "110105194902310026");
	YES(bs_id_resident_check, "110105194913310021");
	YES(bs_id_resident_check, "110105209912310029");
	YES(bs_id_resident_check, "999999194912310025");
	/* the public sample's comment is wrong: S=211, r=2 -> X, not 3 */
	YES(bs_id_resident_check, "31010819840330008X");
	NO(bs_id_resident_check, "310108198403300083");
	NO(bs_id_resident_format, "31010819840330008");
}

static void
test_resident_every_check_char(void **state)
{
	/* one digit changed at a time: exactly one check character fits */
	char s[19] = "11010519491231002X";
	const char *chars = "0123456789X";
	int i, ok;

	(void)state;
	for (i = 0; i < 11; i++) {
		s[17] = chars[i];
		ok = bs_id_resident_check(s, 18);
		assert_int_equal(ok, chars[i] == 'X');
	}
	s[17] = 'X';
	s[16] = '3';	/* 167 - 4 + 6 = 169, r = 4 -> 8 */
	assert_int_equal(bs_id_resident_check(s, 18), 0);
	s[17] = '8';
	assert_int_equal(bs_id_resident_check(s, 18), 1);
}

static void
test_resident_format_edges(void **state)
{
	(void)state;
	assert_int_equal(bs_id_resident_format(NULL, 0), 0);
	assert_int_equal(bs_id_resident_format("", 0), 0);
	assert_int_equal(bs_id_resident_check(NULL, 0), 0);
	NO(bs_id_resident_format, "");
	NO(bs_id_resident_format, "1");
	NO(bs_id_resident_format, "11010549123100");		/* 14 */
	YES(bs_id_resident_format, "110105491231002");		/* 15 */
	NO(bs_id_resident_format, "1101054912310021");		/* 16 */
	NO(bs_id_resident_format, "11010519491231002");	/* 17 */
	NO(bs_id_resident_format, "11010519491231002X1");	/* 19 */
	NO(bs_id_resident_format, "11010519491231002x");	/* lower-case x */
	NO(bs_id_resident_check, "11010519491231002x");
	NO(bs_id_resident_format, "1101051949123100X2");	/* X not last */
	NO(bs_id_resident_format, "X10105194912310022");
	NO(bs_id_resident_format, "11010519491231002Y");
	NO(bs_id_resident_format, "11010519491231002 ");
	NO(bs_id_resident_format, " 11010519491231002X");
	NO(bs_id_resident_format, "11010549123100X");		/* 15 with X */
	NO(bs_id_resident_format, "1101054912310 2");
	NO(bs_id_resident_format, "１１０１０５４９１２３１００２");	/* full-width */
	/* a 15-digit number has no check character */
	NO(bs_id_resident_check, "110105491231002");
	/* n shorter than the buffer: only n bytes count */
	assert_int_equal(bs_id_resident_format("11010519491231002X", 17), 0);
	assert_int_equal(bs_id_resident_format("110105491231002XYZ", 15), 1);
	assert_int_equal(bs_id_resident_check("11010519491231002X99", 18), 1);
}

static void
test_resident_birth(void **state)
{
	int y = -1, m = -1, d = -1;

	(void)state;
	assert_int_equal(bs_id_resident_birth("11010519491231002X", 18, &y, &m,
	    &d), 1);
	assert_int_equal(y, 1949);
	assert_int_equal(m, 12);
	assert_int_equal(d, 31);
	/* Feb 31: fields extracted, not a real date */
	assert_int_equal(bs_id_resident_birth("110105194902310026", 18, &y, &m,
	    &d), 0);
	assert_int_equal(y, 1949);
	assert_int_equal(m, 2);
	assert_int_equal(d, 31);
	/* month 13 */
	assert_int_equal(bs_id_resident_birth("110105194913310021", 18, &y, &m,
	    &d), 0);
	assert_int_equal(m, 13);
	/* in the future: a real date; "not after the data date" is R016's */
	assert_int_equal(bs_id_resident_birth("110105209912310029", 18, &y, &m,
	    &d), 1);
	assert_int_equal(y, 2099);
	/* 15-digit: 19YYMMDD */
	assert_int_equal(bs_id_resident_birth("110105491231002", 15, &y, &m,
	    &d), 1);
	assert_int_equal(y, 1949);
	assert_int_equal(m, 12);
	assert_int_equal(d, 31);
	/* leap years */
	assert_int_equal(bs_id_resident_birth("110105200002290020", 18, NULL,
	    NULL, NULL), 1);
	assert_int_equal(bs_id_resident_birth("110105190002290020", 18, NULL,
	    NULL, NULL), 0);
	assert_int_equal(bs_id_resident_birth("110105198402290020", 18, NULL,
	    NULL, NULL), 1);
	assert_int_equal(bs_id_resident_birth("110105198502290020", 18, NULL,
	    NULL, NULL), 0);
	assert_int_equal(bs_id_resident_birth("110105000001010020", 18, NULL,
	    NULL, NULL), 0);	/* year 0 */
	assert_int_equal(bs_id_resident_birth("110105194912000020", 18, NULL,
	    NULL, NULL), 0);	/* day 0 */
	assert_int_equal(bs_id_resident_birth("110105194900100020", 18, NULL,
	    NULL, NULL), 0);	/* month 0 */
	assert_int_equal(bs_id_resident_birth("110105850229002", 15, NULL,
	    NULL, NULL), 0);	/* 1985-02-29 */
	/* bad format: zeros, 0 */
	y = m = d = -1;
	assert_int_equal(bs_id_resident_birth("11010519491231002x", 18, &y, &m,
	    &d), 0);
	assert_int_equal(y, 0);
	assert_int_equal(m, 0);
	assert_int_equal(d, 0);
	assert_int_equal(bs_id_resident_birth(NULL, 0, &y, &m, &d), 0);
	/* the checksum does not matter here */
	assert_int_equal(bs_id_resident_birth("340524198001010013", 18, NULL,
	    NULL, NULL), 1);
}

static void
test_resident_sex_upgrade(void **state)
{
	char out[19];

	(void)state;
	assert_int_equal(bs_id_resident_sex("11010519491231002X", 18), 2);
	assert_int_equal(bs_id_resident_sex("34052419800101001X", 18), 1);
	assert_int_equal(bs_id_resident_sex("110105491231002", 15), 2);
	assert_int_equal(bs_id_resident_sex("110105491231001", 15), 1);
	assert_int_equal(bs_id_resident_sex("11010519491231002x", 18), 0);
	assert_int_equal(bs_id_resident_sex(NULL, 0), 0);

	/* DOMAIN.md 2.2 a.6: 110105491231002 -> 11010519491231002X */
	memset(out, '#', sizeof(out));
	assert_int_equal(bs_id_resident_upgrade("110105491231002", 15, out), 1);
	assert_string_equal(out, "11010519491231002X");
	assert_int_equal(bs_id_resident_check(out, 18), 1);
	memset(out, '#', sizeof(out));
	assert_int_equal(bs_id_resident_upgrade("11010519491231002X", 18, out),
	    0);
	assert_int_equal(bs_id_resident_upgrade("11010549123100X", 15, out), 0);
	assert_int_equal(bs_id_resident_upgrade("", 0, out), 0);
	assert_int_equal(out[0], '#');	/* untouched */
}

/* ---- USCI: DOMAIN.md 2.2 (b) --------------------------------------------- */

static void
test_uscc_vectors(void **state)
{
	(void)state;
	YES(bs_id_uscc_format, "91350100M000100Y43");
	YES(bs_id_uscc_check, "91350100M000100Y43");	/* S=1640 */
	YES(bs_id_uscc_check, "91310110666007217T");	/* S=966 */
	YES(bs_id_uscc_check, "91110108100003962P");	/* synthetic */
	YES(bs_id_uscc_format, "91350100M000100Y44");
	NO(bs_id_uscc_check, "91350100M000100Y44");	/* expected 3 */
	/* pilot-area exceptions: format fine, checksum fails, real */
	YES(bs_id_uscc_format, "91350100M0001TGQXM");
	NO(bs_id_uscc_check, "91350100M0001TGQXM");	/* computed 1 */
	YES(bs_id_uscc_check, "91350100M0001TGQX1");
	YES(bs_id_uscc_format, "91350211M0000XUF46");
	NO(bs_id_uscc_check, "91350211M0000XUF46");	/* computed R */
	YES(bs_id_uscc_check, "91350211M0000XUF4R");
	YES(bs_id_uscc_format, "91350203M0001FUE2P");
	NO(bs_id_uscc_check, "91350203M0001FUE2P");	/* computed J */
	YES(bs_id_uscc_check, "91350203M0001FUE2J");
	/* check value 31 -> 0 */
	YES(bs_id_uscc_check, "000000000000000000");
}

static void
test_uscc_orgcode_consistency(void **state)
{
	/* positions 9-17 of a USCI are a GB 11714 organization code */
	static const char *const usci[] = {
		"91350100M000100Y43", "91310110666007217T",
		"91110108100003962P", "91350100M0001TGQXM",
		"91350211M0000XUF46", "91350203M0001FUE2P",
	};
	size_t i;

	(void)state;
	for (i = 0; i < BS_ARRAY_SIZE(usci); i++) {
		char *copy = bs_xmalloc(9);

		memcpy(copy, usci[i] + 8, 9);
		assert_int_equal(bs_id_orgcode_check(copy, 9), 1);
		free(copy);
	}
	assert_int_equal(bs_id_orgcode_check("91350100M000100Y43" + 8, 9), 1);
	/* and the org code written with a dash */
	YES(bs_id_orgcode_check, "M000100Y-4");
	YES(bs_id_orgcode_check, "66600721-7");
	YES(bs_id_orgcode_check, "10000396-2");
	/* a USCI whose pos 9-17 is not a valid org code */
	assert_int_equal(bs_id_orgcode_check("91350100M000100Y53" + 8, 9), 0);
}

static void
test_uscc_edges(void **state)
{
	static const char bad[] = "IOSVZ";
	char s[19];
	size_t i, pos;

	(void)state;
	assert_int_equal(bs_id_uscc_format(NULL, 0), 0);
	assert_int_equal(bs_id_uscc_check(NULL, 0), 0);
	NO(bs_id_uscc_format, "");
	NO(bs_id_uscc_format, "91350100M000100Y4");	/* 17 */
	NO(bs_id_uscc_format, "91350100M000100Y433");	/* 19 */
	NO(bs_id_uscc_format, "91350100m000100Y43");	/* lower case */
	NO(bs_id_uscc_check, "91350100m000100Y43");
	NO(bs_id_uscc_format, "91310110666007217t");
	NO(bs_id_uscc_format, "9135A100M000100Y43");	/* letter in 3-8 */
	NO(bs_id_uscc_format, "913501 0M000100Y43");
	NO(bs_id_uscc_format, "91350100M000100Y4-");
	/* I O S V Z are not in the set, anywhere */
	for (i = 0; i < sizeof(bad) - 1; i++)
		for (pos = 0; pos < 18; pos++) {
			if (pos >= 2 && pos < 8)
				continue;
			memcpy(s, "91350100M000100Y43", 19);
			s[pos] = bad[i];
			assert_int_equal(bs_id_uscc_format(s, 18), 0);
			assert_int_equal(bs_id_uscc_check(s, 18), 0);
		}
	/* every other upper-case letter is allowed where letters are */
	memcpy(s, "91350100M000100Y43", 19);
	for (i = 'A'; i <= 'Z'; i++) {
		s[10] = (char)i;
		assert_int_equal(bs_id_uscc_format(s, 18),
		    strchr(bad, (int)i) == NULL);
	}
	/* n shorter than the buffer */
	assert_int_equal(bs_id_uscc_check("91350100M000100Y43ZZZ", 18), 1);
}

/* ---- organization code: DOMAIN.md 2.2 (c) --------------------------------- */

static void
test_orgcode(void **state)
{
	(void)state;
	YES(bs_id_orgcode_format, "66600721-7");
	YES(bs_id_orgcode_check, "66600721-7");
	YES(bs_id_orgcode_check, "666007217");
	YES(bs_id_orgcode_check, "M000100Y-4");
	YES(bs_id_orgcode_check, "D2143569-X");
	YES(bs_id_orgcode_check, "D2143569X");
	YES(bs_id_orgcode_format, "12345678-X");
	NO(bs_id_orgcode_check, "12345678-X");	/* S=201, expected 8 */
	YES(bs_id_orgcode_check, "12345678-8");
	YES(bs_id_orgcode_check, "00000000-0");	/* c = 11 -> 0 */
	/* GB 11714 values: Z=35, letters the USCI set lacks are fine here */
	YES(bs_id_orgcode_format, "Z0000000-0");
	YES(bs_id_orgcode_check, "Z0000000-5");	/* 35*3 = 105, r 6, 11-6 = 5 */
	NO(bs_id_orgcode_check, "Z0000000-9");

	assert_int_equal(bs_id_orgcode_format(NULL, 0), 0);
	NO(bs_id_orgcode_format, "");
	NO(bs_id_orgcode_format, "D2143569-x");	/* lower-case x */
	NO(bs_id_orgcode_format, "d2143569-X");
	NO(bs_id_orgcode_format, "D2143569-Y");
	NO(bs_id_orgcode_format, "D214356-9X");
	NO(bs_id_orgcode_format, "D2143569_X");
	NO(bs_id_orgcode_format, "D2143569--X");
	NO(bs_id_orgcode_format, "D2143569");
	NO(bs_id_orgcode_format, "D2143569-");
	NO(bs_id_orgcode_format, "D21435-69X");
	NO(bs_id_orgcode_check, "D2143569-8");
	assert_int_equal(bs_id_orgcode_check("D2143569-X-", 10), 1);
}

/* ---- Luhn and mobile: DOMAIN.md 2.2 (d), (e) ------------------------------- */

static void
test_luhn(void **state)
{
	(void)state;
	/* 79927398713 (11 digits) passes Luhn but cards are 12..19 long */
	NO(bs_id_luhn, "79927398713");
	YES(bs_id_luhn, "0079927398713");	/* leading zeros keep the sum */
	NO(bs_id_luhn, "0079927398710");
	NO(bs_id_luhn, "79927398710");
	YES(bs_id_luhn, "4539148803436467");
	YES(bs_id_luhn, "6225882708965808");
	NO(bs_id_luhn, "8273123273520569");
	YES(bs_id_luhn, "000000000000");		/* 12 */
	YES(bs_id_luhn, "0000000000000000000");	/* 19 */
	NO(bs_id_luhn, "00000000000000000000");	/* 20 */
	NO(bs_id_luhn, "00000000000");		/* 11 */
	NO(bs_id_luhn, "4539 1488 0343 6467");
	NO(bs_id_luhn, "453914880343646A");
	NO(bs_id_luhn, "");
	assert_int_equal(bs_id_luhn(NULL, 0), 0);
	assert_int_equal(bs_id_luhn("45391488034364670", 16), 1);
}

static void
test_mobile(void **state)
{
	char s[12] = "13800138000";
	int c;

	(void)state;
	YES(bs_id_mobile, "13800138000");
	YES(bs_id_mobile, "19912345678");
	NO(bs_id_mobile, "12800138000");
	NO(bs_id_mobile, "10800138000");
	NO(bs_id_mobile, "23800138000");
	NO(bs_id_mobile, "1380013800");
	NO(bs_id_mobile, "138001380001");
	NO(bs_id_mobile, "1380013800a");
	NO(bs_id_mobile, "+8613800138000");
	NO(bs_id_mobile, "138-0013-8000");
	NO(bs_id_mobile, "");
	assert_int_equal(bs_id_mobile(NULL, 0), 0);
	for (c = '0'; c <= '9'; c++) {
		s[1] = (char)c;
		assert_int_equal(bs_id_mobile(s, 11), c >= '3');
	}
	assert_int_equal(bs_id_mobile("138001380001", 11), 1);
}

/* ---- region list ------------------------------------------------------------ */

static char tmpdir[] = "/tmp/bs-test-idcheck.XXXXXX";

static char *
tmp_file(const char *name, const char *content)
{
	char *path = bs_xasprintf("%s/%s", tmpdir, name);
	FILE *fp = fopen(path, "wb");
	size_t n = strlen(content);

	assert_non_null(fp);
	assert_int_equal(fwrite(content, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
	return path;
}

static void
rm_file(char *path)
{
	assert_int_equal(unlink(path), 0);
	free(path);
}

/* bs_region_known() on an exact-size copy (see call()). */
static int
known(const struct bs_region_list *l, const char *code)
{
	size_t n = strlen(code);
	char *copy = bs_xmalloc(n ? n : 1);
	int rc;

	memcpy(copy, code, n);
	rc = bs_region_known(l, copy, n);
	free(copy);
	return rc;
}

static void
test_region_shipped(void **state)
{
	struct bs_err err = BS_ERR_INIT;
	struct bs_region_list *l = NULL;
	static const char *const used[] = {
		"110105", "340524", "350100", "310110", "350211", "350203",
	};
	const char *v;
	size_t i;

	(void)state;
	assert_int_equal(bs_region_list_load(&l, "rules/ref/gb2260.csv", &err),
	    0);
	assert_non_null(l);
	assert_true(bs_region_list_count(l) > 6000);
	for (i = 0; i < BS_ARRAY_SIZE(used); i++)
		assert_int_equal(known(l, used[i]), 1);
	assert_int_equal(known(l, "999999"), 0);
	assert_int_equal(known(l, "000000"), 0);
	assert_string_equal(bs_region_name(l, "110105", 6), "朝阳区");
	assert_string_equal(bs_region_name(l, "350100", 6), "福州市");
	assert_string_equal(bs_region_name(l, "350211", 6), "集美区");
	assert_null(bs_region_name(l, "999999", 6));
	assert_int_equal(bs_region_current(l, "110105", 6), 1);
	/* historical codes: 崇文区 (merged 2010), 昌平县 (became a district) */
	assert_int_equal(known(l, "110103"), 1);
	assert_int_equal(bs_region_current(l, "110103", 6), 0);
	assert_string_equal(bs_region_name(l, "110103", 6), "崇文区");
	assert_int_equal(known(l, "110221"), 1);
	assert_int_equal(bs_region_current(l, "110221", 6), 0);
	/* 340524 comes from the extra list */
	assert_int_equal(bs_region_current(l, "340524", 6), 0);
	/* the address code of an ID number, read in place */
	assert_int_equal(bs_region_known(l, "11010519491231002X", 6), 1);
	assert_int_equal(bs_region_known(l, "999999194912310025", 6), 0);
	/* bad input */
	assert_int_equal(bs_region_known(l, "11010", 5), 0);
	assert_int_equal(bs_region_known(l, "1101055", 7), 0);
	assert_int_equal(bs_region_known(l, "11010a", 6), 0);
	assert_int_equal(bs_region_known(l, " 11010", 6), 0);
	assert_int_equal(bs_region_known(l, NULL, 0), 0);
	assert_int_equal(bs_region_known(NULL, "110105", 6), 0);
	assert_null(bs_region_name(l, "", 0));
	v = bs_region_list_version(l);
	assert_non_null(v);
	assert_true(strncmp(v, "2023-06 r1+extra:sha256:", 24) == 0);
	bs_region_list_free(l);
	bs_region_list_free(NULL);
}

static void
expect_load_error(const char *path, int code, const char *tail)
{
	struct bs_err err = BS_ERR_INIT;
	struct bs_region_list *l = (struct bs_region_list *)&err;
	char *want = bs_xasprintf("%s%s", path, tail);

	assert_int_equal(bs_region_list_load(&l, path, &err), -1);
	assert_null(l);
	assert_int_equal(err.code, code);
	assert_string_equal(err.msg, want);
	free(want);
}

static void
test_region_errors(void **state)
{
	struct bs_err err = BS_ERR_INIT;
	struct bs_region_list *l;
	char *p, *want;

	(void)state;
	p = bs_xasprintf("%s/missing.csv", tmpdir);
	assert_int_equal(bs_region_list_load(&l, p, &err), -1);
	assert_null(l);
	assert_int_equal(err.code, BS_EXIT_NOINPUT);
	want = bs_xasprintf("cannot open '%s': No such file or directory", p);
	assert_string_equal(err.msg, want);
	free(want);
	free(p);

	p = tmp_file("h.csv", "code,name\n110105,朝阳区\n");
	expect_load_error(p, BS_EXIT_CONFIG,
	    ":1: header must start with 'code,name,status'");
	rm_file(p);
	p = tmp_file("c.csv", "code,name,status\n110105,朝阳区,current\n"
	    "11010,x,current\n");
	expect_load_error(p, BS_EXIT_CONFIG, ":3: code '11010' is not 6 digits");
	rm_file(p);
	p = tmp_file("c.csv", "code,name,status\n11010A,x,current\n");
	expect_load_error(p, BS_EXIT_CONFIG,
	    ":2: code '11010A' is not 6 digits");
	rm_file(p);
	p = tmp_file("c.csv", "code,name,status\n110105,,current\n");
	expect_load_error(p, BS_EXIT_CONFIG, ":2: code 110105 has no name");
	rm_file(p);
	p = tmp_file("c.csv", "code,name,status\n110105,朝阳区,Current\n");
	expect_load_error(p, BS_EXIT_CONFIG,
	    ":2: status 'Current' is neither 'current' nor 'historical'");
	rm_file(p);
	p = tmp_file("c.csv", "code,name,status\n110105,朝阳区,current\n"
	    "\n110106,丰台区,current\n110105,朝阳区,historical\n");
	expect_load_error(p, BS_EXIT_CONFIG,
	    ":5: duplicate code 110105 (first at line 2)");
	rm_file(p);
	p = tmp_file("c.csv", "code,name,status,first_seen\n"
	    "110105,朝阳区,current\n");
	expect_load_error(p, BS_EXIT_CONFIG, ":2: 3 fields, the header has 4");
	rm_file(p);
	p = tmp_file("c.csv", "");
	expect_load_error(p, BS_EXIT_CONFIG,
	    ": empty file, expected the header 'code,name,status'");
	rm_file(p);
}

static void
test_region_extra_and_version(void **state)
{
	struct bs_err err = BS_ERR_INIT;
	struct bs_region_list *l;
	char *p, *x, *v, *xv, *want;

	(void)state;
	p = tmp_file("r.csv", "code,name,status,first_seen,last_seen\n"
	    "110105,朝阳区,current,2002-12,2023-06\n"
	    "110103,\"崇文区, 旧\",historical,2002-12,2009-12\n");
	/* only the main list, no VERSION: a hash */
	assert_int_equal(bs_region_list_load(&l, p, &err), 0);
	assert_int_equal(bs_region_list_count(l), 2);
	assert_string_equal(bs_region_name(l, "110103", 6), "崇文区, 旧");
	assert_true(strncmp(bs_region_list_version(l), "sha256:", 7) == 0);
	assert_int_equal(strlen(bs_region_list_version(l)), 7 + 16);
	bs_region_list_free(l);

	v = tmp_file("r.VERSION", "test-1\n");
	x = tmp_file("r-extra.csv", "code,name,status\n"
	    "340524,待核实,historical\n"
	    "110103,崇文区,historical\n");
	assert_int_equal(bs_region_list_load(&l, p, &err), 0);
	assert_int_equal(bs_region_list_count(l), 3);
	assert_int_equal(bs_region_known(l, "340524", 6), 1);
	/* the extra row replaces the main one */
	assert_string_equal(bs_region_name(l, "110103", 6), "崇文区");
	assert_true(strncmp(bs_region_list_version(l), "test-1+extra:sha256:",
	    20) == 0);
	bs_region_list_free(l);

	xv = tmp_file("r-extra.VERSION", "local-3\n");
	assert_int_equal(bs_region_list_load(&l, p, &err), 0);
	assert_string_equal(bs_region_list_version(l), "test-1+extra:local-3");
	bs_region_list_free(l);
	rm_file(xv);

	/* a code twice in the extra list */
	rm_file(x);
	x = tmp_file("r-extra.csv", "code,name,status\n"
	    "340524,a,historical\n110105,b,current\n340524,c,historical\n");
	assert_int_equal(bs_region_list_load(&l, p, &err), -1);
	assert_null(l);
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	want = bs_xasprintf("%s:4: duplicate code 340524 (first at line 2)", x);
	assert_string_equal(err.msg, want);
	free(want);
	rm_file(x);

	/* a malformed extra list is reported with its own name */
	x = tmp_file("r-extra.csv", "code,name,status\n340524,a,gone\n");
	assert_int_equal(bs_region_list_load(&l, p, &err), -1);
	want = bs_xasprintf("%s:2: status 'gone' is neither 'current' nor 'historical'", x);
	assert_string_equal(err.msg, want);
	free(want);
	rm_file(x);
	rm_file(v);
	rm_file(p);
}

static int
setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	assert_int_equal(rmdir(tmpdir), 0);
	return 0;
}

/* The tests read rules/ref/: run from the top of the tree (make does). */
static void
chdir_top(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');
	char *top;

	if (access("rules/ref/gb2260.csv", R_OK) == 0 || !slash)
		return;
	top = bs_xasprintf("%.*s/../..", (int)(slash - argv0), argv0);
	if (chdir(top) != 0)
		fprintf(stderr, "cannot change to '%s': %s\n", top,
		    strerror(errno));
	free(top);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resident_vectors),
		cmocka_unit_test(test_resident_every_check_char),
		cmocka_unit_test(test_resident_format_edges),
		cmocka_unit_test(test_resident_birth),
		cmocka_unit_test(test_resident_sex_upgrade),
		cmocka_unit_test(test_uscc_vectors),
		cmocka_unit_test(test_uscc_orgcode_consistency),
		cmocka_unit_test(test_uscc_edges),
		cmocka_unit_test(test_orgcode),
		cmocka_unit_test(test_luhn),
		cmocka_unit_test(test_mobile),
		cmocka_unit_test(test_region_shipped),
		cmocka_unit_test(test_region_errors),
		cmocka_unit_test(test_region_extra_and_version),
	};

	(void)argc;
	chdir_top(argv[0]);
	return cmocka_run_group_tests(tests, setup, teardown);
}
