#include "bs.h"
#include "encode.h"

#include <iconv.h>
#include <setjmp.h>
#include <cmocka.h>

/* Encode s with enc; return rc, fill out (hex of the bytes) and *bad. */
static int
enc_hex(enum bs_enc enc, const char *s, char *hex, size_t *bad)
{
	struct bs_encoder e;
	struct bs_buf out = BS_BUF_INIT(0);
	struct bs_err err = BS_ERR_INIT;
	size_t i;
	int rc;

	assert_int_equal(bs_encoder_open(&e, enc, &err), 0);
	*bad = SIZE_MAX;
	rc = bs_encode(&e, s, strlen(s), &out, bad, &err);
	hex[0] = '\0';
	for (i = 0; i < out.len; i++)
		snprintf(hex + 2 * i, 3, "%02X", (unsigned char)out.buf[i]);
	bs_buf_release(&out);
	bs_encoder_close(&e);
	return rc;
}

static void
test_names(void **state)
{
	enum bs_enc e;
	size_t n;

	(void)state;
	assert_int_equal(bs_enc_from_name("gb18030", &e), 0);
	assert_int_equal(e, BS_ENC_GB18030);
	assert_int_equal(bs_enc_from_name("GBK", &e), 0);
	assert_int_equal(e, BS_ENC_GBK);
	assert_int_equal(bs_enc_from_name("utf8", &e), 0);
	assert_int_equal(e, BS_ENC_UTF8);
	assert_int_equal(bs_enc_from_name("Big5", &e), -1);
	assert_string_equal(bs_enc_name(BS_ENC_GB18030), "GB18030");
	assert_memory_equal(bs_enc_bom(BS_ENC_GB18030, &n), "\x84\x31\x95\x33", 4);
	assert_int_equal(n, 4);
	assert_memory_equal(bs_enc_bom(BS_ENC_UTF8, &n), "\xEF\xBB\xBF", 3);
	assert_null(bs_enc_bom(BS_ENC_GBK, &n));
	assert_int_equal(n, 0);
}

static void
test_ascii_utf8(void **state)
{
	uint32_t cp;

	(void)state;
	assert_true(bs_ascii("", 0));
	assert_true(bs_ascii("abcdefghijklmnopq|1,2", 21));
	assert_false(bs_ascii("abcdefghijklmnop\xe5", 17));
	assert_false(bs_ascii("\xe5" "abcdefghijklmnop", 17));
	assert_int_equal(bs_utf8_char("A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(bs_utf8_char("张", 3, &cp), 3);
	assert_int_equal(cp, 0x5F20);
	assert_int_equal(bs_utf8_char("𠀾", 4, &cp), 4);
	assert_int_equal(cp, 0x2003E);
	assert_int_equal(bs_utf8_char("\xc0\xaf", 2, &cp), 0);	/* overlong */
	assert_int_equal(bs_utf8_char("\xed\xa0\x80", 3, &cp), 0);	/* surrogate */
	assert_int_equal(bs_utf8_char("\xe5\xbc", 2, &cp), 0);	/* cut */
	assert_int_equal(bs_utf8_char("\xf4\x90\x80\x80", 4, &cp), 0);
}

static void
test_encode(void **state)
{
	char hex[256];
	size_t bad;

	(void)state;
	/* one, two and four bytes; 𠀾 is CJK Extension B */
	assert_int_equal(enc_hex(BS_ENC_GB18030, "A张𠀾", hex, &bad), 0);
	assert_string_equal(hex, "41D5C595328838");
	assert_int_equal(enc_hex(BS_ENC_GBK, "A张三", hex, &bad), 0);
	assert_string_equal(hex, "41D5C5C8FD");
	/* GBK has no Extension B: refused with the offset, nothing appended */
	assert_int_equal(enc_hex(BS_ENC_GBK, "张𠀾三", hex, &bad), 1);
	assert_int_equal(bad, 3);
	assert_string_equal(hex, "");
	/* U+0080 is four bytes in GB18030: the worst growth */
	assert_int_equal(enc_hex(BS_ENC_GB18030, "\xc2\x80\xc2\x80", hex, &bad), 0);
	assert_string_equal(hex, "8130813081308130");
	/* invalid UTF-8 is told apart from an unrepresentable character */
	assert_int_equal(enc_hex(BS_ENC_GBK, "ab\xe5\xbc", hex, &bad), 2);
	assert_int_equal(bad, 2);
	/* UTF-8 target: a copy */
	assert_int_equal(enc_hex(BS_ENC_UTF8, "𠀾", hex, &bad), 0);
	assert_string_equal(hex, "F0A080BE");
	/* pure ASCII never reaches iconv, and is the same bytes */
	assert_int_equal(enc_hex(BS_ENC_GBK, "P0001|2026", hex, &bad), 0);
	assert_string_equal(hex, "50303030317C32303236");
}

static void
test_cap(void **state)
{
	struct bs_encoder e;
	struct bs_buf out = BS_BUF_INIT(4);
	struct bs_err err = BS_ERR_INIT;
	size_t bad;

	(void)state;
	assert_int_equal(bs_encoder_open(&e, BS_ENC_GB18030, &err), 0);
	assert_int_equal(bs_encode(&e, "张三李四", 12, &out, &bad, &err), -1);
	assert_int_equal(err.code, BS_EXIT_DATAERR);
	bs_buf_release(&out);
	bs_encoder_close(&e);
	bs_encoder_close(&e);	/* twice is harmless */
}

/*
 * Private-use code points that GB18030-2005 gave back to Unicode proper
 * (vertical forms and some CJK moved to U+FE10.., U+9FB4..): glibc has no
 * GB18030 bytes for them, so they are refused like any other.
 */
static int
gb18030_hole(uint32_t cp)
{
	static const uint32_t holes[][2] = {
		{ 0xE78D, 0xE796 }, { 0xE816, 0xE818 }, { 0xE81E, 0xE81E },
		{ 0xE826, 0xE826 }, { 0xE82B, 0xE82C }, { 0xE831, 0xE832 },
		{ 0xE83B, 0xE83B }, { 0xE843, 0xE843 }, { 0xE854, 0xE855 },
		{ 0xE864, 0xE864 },
	};
	size_t i;

	for (i = 0; i < BS_ARRAY_SIZE(holes); i++)
		if (cp >= holes[i][0] && cp <= holes[i][1])
			return 1;
	return 0;
}

/* Every other Unicode scalar value goes to GB18030 and back unchanged. */
static void
test_gb18030_round_trip(void **state)
{
	struct bs_encoder e;
	struct bs_decoder d;
	struct bs_buf a = BS_BUF_INIT(0), b = BS_BUF_INIT(0), c = BS_BUF_INIT(0);
	struct bs_err err = BS_ERR_INIT;
	uint32_t cp;
	size_t bad, n4 = 0;

	(void)state;
	assert_int_equal(bs_encoder_open(&e, BS_ENC_GB18030, &err), 0);
	assert_int_equal(bs_decoder_open(&d, BS_ENC_GB18030, &err), 0);
	for (cp = 1; cp <= 0x10FFFF; cp += cp < 0x30000 ? 1 : 97) {
		char u[4];
		size_t n;

		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		if (cp < 0x80) {
			u[0] = (char)cp;
			n = 1;
		} else if (cp < 0x800) {
			u[0] = (char)(0xC0 | cp >> 6);
			u[1] = (char)(0x80 | (cp & 0x3F));
			n = 2;
		} else if (cp < 0x10000) {
			u[0] = (char)(0xE0 | cp >> 12);
			u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
			u[2] = (char)(0x80 | (cp & 0x3F));
			n = 3;
		} else {
			u[0] = (char)(0xF0 | cp >> 18);
			u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
			u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
			u[3] = (char)(0x80 | (cp & 0x3F));
			n = 4;
		}
		bs_buf_reset(&a);
		bs_buf_reset(&b);
		if (gb18030_hole(cp)) {
			if (bs_encode(&e, u, n, &a, &bad, &err) != 1 || bad != 0)
				fail_msg("U+%04X encoded in GB18030", (unsigned)cp);
			continue;
		}
		if (bs_encode(&e, u, n, &a, &bad, &err) != 0)
			fail_msg("U+%04X not encoded in GB18030", (unsigned)cp);
		if (a.len == 4)
			n4++;
		bs_buf_add(&c, a.buf, a.len);
		if (bs_decode(&d, a.buf, a.len, &b, &bad, &err) != 0 || b.len != n ||
		    memcmp(b.buf, u, n) != 0)
			fail_msg("U+%04X does not round-trip", (unsigned)cp);
	}
	assert_true(n4 > 40000);	/* the four-byte plane was exercised */
	/* and the whole text at once */
	bs_buf_reset(&b);
	assert_int_equal(bs_decode(&d, c.buf, c.len, &b, &bad, &err), 0);
	bs_buf_release(&a);
	bs_buf_release(&b);
	bs_buf_release(&c);
	bs_encoder_close(&e);
	bs_decoder_close(&d);
}

/* iconv straight, as the reference for the tables. */
static int
ref_iconv(const char *to, const char *from, const char *in, size_t n,
    char *out, size_t *on)
{
	iconv_t cd = iconv_open(to, from);
	char *ip = (char *)(uintptr_t)in, *op = out;
	size_t il = n, ol = 16;
	size_t r;

	assert_true(cd != (iconv_t)-1);
	r = iconv(cd, &ip, &il, &op, &ol);
	iconv_close(cd);
	*on = (size_t)(op - out);
	return r == (size_t)-1 || il ? -1 : 0;
}

/* The lookup tables say exactly what iconv says, for both encodings. */
static void
test_tables_match_iconv(void **state)
{
	static const enum bs_enc encs[] = { BS_ENC_GB18030, BS_ENC_GBK };
	struct bs_err err = BS_ERR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < BS_ARRAY_SIZE(encs); i++) {
		struct bs_encoder e;
		struct bs_decoder d;
		struct bs_buf a = BS_BUF_INIT(0);
		iconv_t cd = iconv_open(bs_enc_name(encs[i]), "UTF-32LE");
		iconv_t dc = iconv_open("UTF-8", bs_enc_name(encs[i]));
		uint32_t cp;
		unsigned lead, trail;

		assert_true(cd != (iconv_t)-1 && dc != (iconv_t)-1);
		assert_int_equal(bs_encoder_open(&e, encs[i], &err), 0);
		assert_int_equal(bs_decoder_open(&d, encs[i], &err), 0);
		for (cp = 0x80; cp < 0x10000; cp++) {
			char u[4], want[16];
			char *ip = (char *)&cp, *op = want;
			size_t il = 4, ol = sizeof(want), un, bad;
			int ok, rc;

			if (cp >= 0xD800 && cp <= 0xDFFF)
				continue;
			ok = iconv(cd, &ip, &il, &op, &ol) != (size_t)-1;
			if (!ok)
				iconv(cd, NULL, NULL, NULL, NULL);
			un = cp < 0x800 ? 2 : 3;
			if (un == 2) {
				u[0] = (char)(0xC0 | cp >> 6);
				u[1] = (char)(0x80 | (cp & 0x3F));
			} else {
				u[0] = (char)(0xE0 | cp >> 12);
				u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
				u[2] = (char)(0x80 | (cp & 0x3F));
			}
			bs_buf_reset(&a);
			rc = bs_encode(&e, u, un, &a, &bad, &err);
			if (ok != (rc == 0) || (ok && (a.len != (size_t)(op - want) ||
			    memcmp(a.buf, want, a.len) != 0)))
				fail_msg("%s: U+%04X differs from iconv",
				    bs_enc_name(encs[i]), (unsigned)cp);
		}
		for (lead = 0x81; lead <= 0xFE; lead++)
			for (trail = 0x40; trail <= 0xFE; trail++) {
				char in[2] = { (char)lead, (char)trail }, want[16];
				size_t wn, bad;
				int ok = ref_iconv("UTF-8", bs_enc_name(encs[i]), in, 2,
				    want, &wn) == 0, rc;

				bs_buf_reset(&a);
				rc = bs_decode(&d, in, 2, &a, &bad, &err);
				if (ok != (rc == 0) || (ok && (a.len != wn ||
				    memcmp(a.buf, want, wn) != 0)))
					fail_msg("%s: %02X %02X decodes unlike iconv",
					    bs_enc_name(encs[i]), lead, trail);
			}
		iconv_close(cd);
		iconv_close(dc);
		bs_buf_release(&a);
		bs_encoder_close(&e);
		bs_decoder_close(&d);
	}
}

static void
test_decode_errors(void **state)
{
	struct bs_decoder d;
	struct bs_buf b = BS_BUF_INIT(0);
	struct bs_err err = BS_ERR_INIT;
	size_t bad;

	(void)state;
	assert_int_equal(bs_decoder_open(&d, BS_ENC_GB18030, &err), 0);
	/* a lead byte cut off at the end */
	assert_int_equal(bs_decode(&d, "ab\xd5", 3, &b, &bad, &err), 1);
	assert_int_equal(bad, 2);
	assert_int_equal(b.len, 0);
	/* a lead byte followed by ASCII that cannot be a second byte */
	assert_int_equal(bs_decode(&d, "a\xd5\x20", 3, &b, &bad, &err), 1);
	assert_int_equal(bad, 1);
	assert_int_equal(bs_decode(&d, "\xd5\xc5", 2, &b, &bad, &err), 0);
	assert_string_equal(b.buf, "张");
	/* the same answers without the output */
	assert_int_equal(bs_decode_check(&d, "ab\xd5", 3, &bad), 1);
	assert_int_equal(bad, 2);
	assert_int_equal(bs_decode_check(&d, "a\xd5\x20", 3, &bad), 1);
	assert_int_equal(bad, 1);
	assert_int_equal(bs_decode_check(&d, "abcdefghij\xd5\xc5\x95\x32\x88\x38z", 17,
	    &bad), 0);
	assert_int_equal(bs_decode_check(&d, "\x95\x32\x88", 3, &bad), 1);
	assert_int_equal(bad, 0);
	bs_decoder_close(&d);
	bs_buf_reset(&b);
	assert_int_equal(bs_decoder_open(&d, BS_ENC_UTF8, &err), 0);
	assert_int_equal(bs_decode(&d, "张\xe5", 4, &b, &bad, &err), 1);
	assert_int_equal(bad, 3);
	assert_int_equal(bs_decode_check(&d, "张\xe5", 4, &bad), 1);
	assert_int_equal(bad, 3);
	bs_decoder_close(&d);
	bs_buf_release(&b);
}

static void
test_byte_in_char(void **state)
{
	char u[] = "a億b";
	struct bs_encoder e;
	struct bs_buf out = BS_BUF_INIT(0);
	struct bs_err err = BS_ERR_INIT;
	size_t bad;

	(void)state;
	assert_true(bs_enc_trail_byte(BS_ENC_GBK, '|'));
	assert_true(bs_enc_trail_byte(BS_ENC_GBK, '\\'));
	assert_false(bs_enc_trail_byte(BS_ENC_GBK, ','));
	assert_false(bs_enc_trail_byte(BS_ENC_GBK, '\t'));
	assert_false(bs_enc_trail_byte(BS_ENC_GBK, '"'));
	assert_false(bs_enc_trail_byte(BS_ENC_GBK, '5'));
	assert_true(bs_enc_trail_byte(BS_ENC_GB18030, '5'));
	assert_false(bs_enc_trail_byte(BS_ENC_UTF8, '|'));
	assert_int_equal(bs_encoder_open(&e, BS_ENC_GBK, &err), 0);
	assert_int_equal(bs_encode(&e, u, strlen(u), &out, &bad, &err), 0);
	assert_memory_equal(out.buf, "a\x83\x7c" "b", 4);
	assert_int_equal(bs_enc_byte_in_char(BS_ENC_GBK, out.buf, out.len, '|'), 1);
	assert_int_equal(bs_enc_byte_in_char(BS_ENC_GBK, out.buf, out.len, ','), -1);
	assert_int_equal(bs_enc_byte_in_char(BS_ENC_GBK, "a|b", 3, '|'), -1);
	assert_int_equal(bs_enc_byte_in_char(BS_ENC_GBK, "\xd5\xc5|", 3, '|'), -1);
	/* GB18030 four-byte: second and fourth bytes are digits */
	assert_int_equal(bs_enc_byte_in_char(BS_ENC_GB18030, "x\x95\x32\x88\x38", 5,
	    '8'), 1);
	assert_int_equal(bs_enc_byte_in_char(BS_ENC_GB18030, "x\x95\x32\x88\x38", 5,
	    '9'), -1);
	bs_buf_release(&out);
	bs_encoder_close(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_ascii_utf8),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_gb18030_round_trip),
		cmocka_unit_test(test_tables_match_iconv),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_byte_in_char),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
