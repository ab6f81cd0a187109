/*
 * test_json.c - the JSON writer (exact bytes: layout, escaping, UTF-8
 * passthrough) and the reader (round trip, escapes, surrogate pairs,
 * numbers, located errors, depth limit, trailing garbage, files).
 */
#include "bs.h"
#include "json.h"

#include <setjmp.h>
#include <cmocka.h>

#include "tutil.h"

/* ---- writer ---- */

static void
t_write_layout(void **state)
{
	struct bs_buf b = BS_BUF_INIT(0);
	struct bs_json j;

	(void)state;
	bs_json_init(&j, &b);
	bs_json_obj_begin(&j);
	bs_json_kv_str(&j, "program", "baosong-extract");
	bs_json_kv_int(&j, "n", -42);
	bs_json_kv_uint(&j, "big", 18446744073709551615ull);
	bs_json_kv_bool(&j, "ok", 1);
	bs_json_kv_str(&j, "none", NULL);
	bs_json_key(&j, "amount");
	bs_json_number_text(&j, "-1234.50");
	bs_json_key(&j, "ratio");
	bs_json_double(&j, 2.0 / 3.0, 3);
	bs_json_key(&j, "list");
	bs_json_arr_begin(&j);
	bs_json_int(&j, 1);
	bs_json_str(&j, "two");
	bs_json_null(&j);
	bs_json_bool(&j, 0);
	bs_json_obj_begin(&j);
	bs_json_kv_str(&j, "k", "v");
	bs_json_obj_end(&j);
	bs_json_arr_begin(&j);
	bs_json_arr_end(&j);
	bs_json_arr_end(&j);
	bs_json_key(&j, "empty");
	bs_json_obj_begin(&j);
	bs_json_obj_end(&j);
	bs_json_key(&j, "nested");
	bs_json_obj_begin(&j);
	bs_json_key(&j, "deeper");
	bs_json_obj_begin(&j);
	bs_json_kv_int(&j, "x", 0);
	bs_json_obj_end(&j);
	bs_json_obj_end(&j);
	bs_json_obj_end(&j);
	assert_string_equal(bs_buf_str(&b),
	    "{\n"
	    "  \"program\": \"baosong-extract\",\n"
	    "  \"n\": -42,\n"
	    "  \"big\": 18446744073709551615,\n"
	    "  \"ok\": true,\n"
	    "  \"none\": null,\n"
	    "  \"amount\": -1234.50,\n"
	    "  \"ratio\": 0.667,\n"
	    "  \"list\": [\n"
	    "    1,\n"
	    "    \"two\",\n"
	    "    null,\n"
	    "    false,\n"
	    "    {\n"
	    "      \"k\": \"v\"\n"
	    "    },\n"
	    "    []\n"
	    "  ],\n"
	    "  \"empty\": {},\n"
	    "  \"nested\": {\n"
	    "    \"deeper\": {\n"
	    "      \"x\": 0\n"
	    "    }\n"
	    "  }\n"
	    "}\n");
	bs_buf_release(&b);
}

static void
t_write_top_array(void **state)
{
	struct bs_buf b = BS_BUF_INIT(0);
	struct bs_json j;

	(void)state;
	bs_json_init(&j, &b);
	bs_json_arr_begin(&j);
	bs_json_int(&j, -9223372036854775807LL - 1);
	bs_json_arr_end(&j);
	assert_string_equal(bs_buf_str(&b), "[\n  -9223372036854775808\n]\n");
	bs_buf_reset(&b);
	bs_json_init(&j, &b);
	bs_json_arr_begin(&j);
	bs_json_arr_end(&j);
	assert_string_equal(bs_buf_str(&b), "[]\n");
	bs_buf_release(&b);
}

static void
t_write_escapes(void **state)
{
	struct bs_buf b = BS_BUF_INIT(0);
	struct bs_json j;
	static const char nul[] = "a\0b";

	(void)state;
	bs_json_init(&j, &b);
	bs_json_obj_begin(&j);
	bs_json_kv_str(&j, "q\"k", "say \"hi\" \\ back/slash");
	bs_json_kv_str(&j, "ws", "\n\r\t");
	bs_json_kv_str(&j, "ctl", "\x01\x08\x0c\x1f\x7f");
	bs_json_kv_str(&j, "标题", "EAST 样例报送（月度）");
	bs_json_key(&j, "nul");
	bs_json_strn(&j, nul, 3);
	bs_json_key(&j, "part");
	bs_json_strn(&j, "abcdef", 3);
	bs_json_key(&j, "nulls");
	bs_json_strn(&j, NULL, 5);
	bs_json_obj_end(&j);
	assert_string_equal(bs_buf_str(&b),
	    "{\n"
	    "  \"q\\\"k\": \"say \\\"hi\\\" \\\\ back/slash\",\n"
	    "  \"ws\": \"\\n\\r\\t\",\n"
	    "  \"ctl\": \"\\u0001\\u0008\\u000c\\u001f\x7f\",\n"
	    "  \"标题\": \"EAST 样例报送（月度）\",\n"
	    "  \"nul\": \"a\\u0000b\",\n"
	    "  \"part\": \"abc\",\n"
	    "  \"nulls\": null\n"
	    "}\n");
	bs_buf_reset(&b);
	bs_json_quote(&b, "", 0);
	assert_string_equal(bs_buf_str(&b), "\"\"");
	bs_buf_release(&b);
}

/* ---- reader ---- */

static struct bs_jval *
parse_ok(const char *s)
{
	struct bs_jval *v = NULL;
	struct bs_err err = BS_ERR_INIT;

	if (bs_json_parse(s, strlen(s), "t.json", &v, &err) != 0)
		fail_msg("parse of '%s' failed: %s", s, err.msg);
	assert_non_null(v);
	return v;
}

static void
parse_err(const char *s, size_t len, const char *want)
{
	struct bs_jval *v = NULL;
	struct bs_err err = BS_ERR_INIT;

	if (bs_json_parse(s, len, "t.json", &v, &err) != -1)
		fail_msg("parse of '%s' should fail with '%s'", s, want);
	assert_null(v);
	assert_int_equal(err.code, BS_EXIT_DATAERR);
	assert_string_equal(err.msg, want);
}

#define PARSE_ERR(s, want) parse_err((s), strlen(s), (want))

static void
t_read_values(void **state)
{
	struct bs_jval *v = parse_ok(" {\"s\": \"x\", \"n\": -12.5e+3, \"t\": true,"
	    " \"f\": false, \"z\": null, \"a\": [1, [], {}], \"o\": {\"k\": \"保单\"},"
	    " \"e\": \"\", \"dup\": 1, \"dup\": 2}\r\n\t");
	const struct bs_jval *a, *o;

	(void)state;
	assert_int_equal(v->type, BS_JOBJ);
	assert_int_equal(v->n, 10);
	assert_string_equal(v->keys[0], "s");
	assert_string_equal(bs_jget_str(v, "s"), "x");
	assert_int_equal(bs_jget(v, "n")->type, BS_JNUM);
	assert_string_equal(bs_jget(v, "n")->s, "-12.5e+3");
	assert_int_equal(bs_jget(v, "n")->len, 8);
	assert_null(bs_jget_str(v, "n"));
	assert_int_equal(bs_jget(v, "t")->type, BS_JBOOL);
	assert_int_equal(bs_jget(v, "t")->b, 1);
	assert_int_equal(bs_jget(v, "f")->type, BS_JBOOL);
	assert_int_equal(bs_jget(v, "f")->b, 0);
	assert_int_equal(bs_jget(v, "z")->type, BS_JNULL);
	a = bs_jget(v, "a");
	assert_int_equal(a->type, BS_JARR);
	assert_int_equal(a->n, 3);
	assert_string_equal(a->items[0].s, "1");
	assert_int_equal(a->items[1].type, BS_JARR);
	assert_int_equal(a->items[1].n, 0);
	assert_int_equal(a->items[2].type, BS_JOBJ);
	assert_int_equal(a->items[2].n, 0);
	o = bs_jget(v, "o");
	assert_string_equal(bs_jget_str(o, "k"), "保单");
	assert_string_equal(bs_jget_str(v, "e"), "");
	/* the first of duplicate members wins */
	assert_string_equal(bs_jget(v, "dup")->s, "1");
	assert_null(bs_jget(v, "absent"));
	assert_null(bs_jget(a, "s"));		/* not an object */
	assert_null(bs_jget(NULL, "s"));
	assert_null(bs_jstr(NULL));
	assert_null(bs_jstr(a));
	assert_null(bs_jget_str(NULL, "s"));
	bs_jval_free(v);
	bs_jval_free(NULL);

	/* scalars at the top level */
	v = parse_ok("\"only\"");
	assert_string_equal(bs_jstr(v), "only");
	bs_jval_free(v);
	v = parse_ok("0");
	assert_string_equal(v->s, "0");
	bs_jval_free(v);
	v = parse_ok("null");
	assert_int_equal(v->type, BS_JNULL);
	bs_jval_free(v);
}

static void
t_read_numbers(void **state)
{
	static const char *const good[] = { "0", "-0", "1", "-1", "10", "123456789012345678901234567890",
		"0.5", "-0.5", "1.25", "1e5", "1E5", "1e+5", "1e-5", "-2.5E-10", "0e0" };
	static const char *const bad[] = { "-", "+1", "01", "-01", "1.", ".5", "1.e5",
		"1e", "1e+", "1.2.3", "1-2", "1ee5", "--1", "0x10" };
	size_t i;

	(void)state;
	for (i = 0; i < BS_ARRAY_SIZE(good); i++) {
		struct bs_jval *v = parse_ok(good[i]);

		assert_int_equal(v->type, BS_JNUM);
		assert_string_equal(v->s, good[i]);
		bs_jval_free(v);
	}
	for (i = 0; i < BS_ARRAY_SIZE(bad); i++) {
		struct bs_jval *v = NULL;
		struct bs_err err = BS_ERR_INIT;

		if (bs_json_parse(bad[i], strlen(bad[i]), "t.json", &v, &err) != -1)
			fail_msg("'%s' is not a JSON number but was accepted", bad[i]);
		assert_int_equal(err.code, BS_EXIT_DATAERR);
	}
	PARSE_ERR("01", "t.json: line 1, column 2: trailing characters after the value");
	PARSE_ERR("[1.]", "t.json: line 1, column 2: bad number");
	PARSE_ERR("[-]", "t.json: line 1, column 2: bad number");
	PARSE_ERR("+1", "t.json: line 1, column 1: unexpected character");
	/* a NUL byte is not part of a number */
	parse_err("[1\0]", 4, "t.json: line 1, column 3: expected ',' or ']'");
}

static void
t_read_escapes(void **state)
{
	struct bs_jval *v;

	(void)state;
	v = parse_ok("[\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\", \"\\u0041\\u00e9\\u00E9\","
	    " \"\\u4fdd\\u5355\", \"\\ud83d\\ude00!\", \"\\uD834\\uDD1E\", \"a\\u0000b\"]");
	assert_string_equal(v->items[0].s, "\" \\ / \b \f \n \r \t");
	assert_string_equal(v->items[1].s, "A\xc3\xa9\xc3\xa9");
	assert_string_equal(v->items[2].s, "保单");
	assert_string_equal(v->items[3].s, "\xf0\x9f\x98\x80!");	/* U+1F600 */
	assert_string_equal(v->items[4].s, "\xf0\x9d\x84\x9e");	/* U+1D11E */
	assert_int_equal(v->items[5].len, 3);
	assert_memory_equal(v->items[5].s, "a\0b", 3);
	bs_jval_free(v);
	/* raw UTF-8 passes through */
	v = parse_ok("{\"标题\": \"EAST 样例报送（月度）\"}");
	assert_string_equal(bs_jget_str(v, "标题"), "EAST 样例报送（月度）");
	bs_jval_free(v);
}

static void
t_read_bad_escapes(void **state)
{
	(void)state;
	PARSE_ERR("\"\\x\"", "t.json: line 1, column 3: bad escape in string");
	PARSE_ERR("\"\\u12G4\"", "t.json: line 1, column 3: bad \\u escape");
	PARSE_ERR("\"\\u12\"", "t.json: line 1, column 3: bad \\u escape");
	PARSE_ERR("\"\\u12", "t.json: line 1, column 3: bad \\u escape");
	PARSE_ERR("\"abc\\", "t.json: line 1, column 6: unterminated string");
	/* surrogates must come in pairs: a lone one is not a character */
	PARSE_ERR("\"\\ud83d\"", "t.json: line 1, column 3: bad \\u escape: unpaired surrogate");
	PARSE_ERR("\"\\ud83dx\"", "t.json: line 1, column 3: bad \\u escape: unpaired surrogate");
	PARSE_ERR("\"\\ud83d\\u0041\"", "t.json: line 1, column 3: bad \\u escape: unpaired surrogate");
	PARSE_ERR("\"\\ude00\"", "t.json: line 1, column 3: bad \\u escape: unpaired surrogate");
}

/* Whatever the writer writes, the reader gives back byte for byte. */
static void
t_round_trip(void **state)
{
	struct bs_buf b = BS_BUF_INIT(0), s = BS_BUF_INIT(0);
	struct bs_json j;
	struct bs_jval *v = NULL;
	struct bs_err err = BS_ERR_INIT;
	const struct bs_jval *a;
	int c;

	(void)state;
	for (c = 0; c < 128; c++)
		bs_buf_addc(&s, (char)c);
	bs_buf_adds(&s, "保单表 示例财产保险股份有限公司 \xf0\x9f\x98\x80");
	bs_json_init(&j, &b);
	bs_json_obj_begin(&j);
	bs_json_key(&j, "all");
	bs_json_strn(&j, s.buf, s.len);
	bs_json_key(&j, s.buf + 1);	/* a key with every byte but NUL */
	bs_json_kv_int(&j, "i", -7);
	bs_json_key(&j, "arr");
	bs_json_arr_begin(&j);
	bs_json_arr_begin(&j);
	bs_json_str(&j, "in");
	bs_json_arr_end(&j);
	bs_json_obj_begin(&j);
	bs_json_obj_end(&j);
	bs_json_null(&j);
	bs_json_arr_end(&j);
	bs_json_obj_end(&j);
	/* the key written right after "all" needs a value */
	assert_int_equal(bs_json_parse(b.buf, b.len, "rt", &v, &err), -1);
	bs_buf_reset(&b);

	bs_json_init(&j, &b);
	bs_json_obj_begin(&j);
	bs_json_key(&j, "all");
	bs_json_strn(&j, s.buf, s.len);
	bs_json_kv_str(&j, s.buf + 1, "key");
	bs_json_kv_int(&j, "i", -7);
	bs_json_key(&j, "arr");
	bs_json_arr_begin(&j);
	bs_json_arr_begin(&j);
	bs_json_str(&j, "in");
	bs_json_arr_end(&j);
	bs_json_obj_begin(&j);
	bs_json_obj_end(&j);
	bs_json_null(&j);
	bs_json_arr_end(&j);
	bs_json_obj_end(&j);
	if (bs_json_parse(b.buf, b.len, "rt", &v, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(bs_jget(v, "all")->len, s.len);
	assert_memory_equal(bs_jget(v, "all")->s, s.buf, s.len);
	assert_string_equal(bs_jget_str(v, s.buf + 1), "key");
	assert_string_equal(bs_jget(v, "i")->s, "-7");
	a = bs_jget(v, "arr");
	assert_int_equal(a->n, 3);
	assert_string_equal(bs_jstr(&a->items[0].items[0]), "in");
	assert_int_equal(a->items[1].type, BS_JOBJ);
	assert_int_equal(a->items[2].type, BS_JNULL);
	bs_jval_free(v);
	bs_buf_release(&b);
	bs_buf_release(&s);
}

static void
t_read_errors(void **state)
{
	(void)state;
	PARSE_ERR("", "t.json: line 1, column 1: unexpected end of input");
	PARSE_ERR("  \n ", "t.json: line 2, column 2: unexpected end of input");
	PARSE_ERR("{\n  \"a\": 1,\n  \"b\" 2\n}", "t.json: line 3, column 7: expected ':'");
	PARSE_ERR("{\"a\": 1,}", "t.json: line 1, column 9: expected a member name");
	PARSE_ERR("{1: 2}", "t.json: line 1, column 2: expected a member name");
	PARSE_ERR("{\"a\": 1 \"b\": 2}", "t.json: line 1, column 9: expected ',' or '}'");
	PARSE_ERR("[1 2]", "t.json: line 1, column 4: expected ',' or ']'");
	PARSE_ERR("[1,]", "t.json: line 1, column 4: unexpected character");
	PARSE_ERR("[1", "t.json: line 1, column 3: expected ',' or ']'");
	PARSE_ERR("{\"a\":", "t.json: line 1, column 6: unexpected end of input");
	PARSE_ERR("[nul]", "t.json: line 1, column 2: unexpected word");
	PARSE_ERR("[True]", "t.json: line 1, column 2: unexpected character");
	PARSE_ERR("'x'", "t.json: line 1, column 1: unexpected character");
	PARSE_ERR("\"abc", "t.json: line 1, column 5: unterminated string");
	PARSE_ERR("[\"a\nb\"]", "t.json: line 1, column 4: control character in string");
	PARSE_ERR("[\"a\tb\"]", "t.json: line 1, column 4: control character in string");
	/* trailing garbage after a complete value */
	PARSE_ERR("{} x", "t.json: line 1, column 4: trailing characters after the value");
	PARSE_ERR("{}\n{}", "t.json: line 2, column 1: trailing characters after the value");
	PARSE_ERR("truex", "t.json: line 1, column 5: trailing characters after the value");
	PARSE_ERR("1 2", "t.json: line 1, column 3: trailing characters after the value");
	/* columns count bytes: a Chinese character is three */
	PARSE_ERR("{\"保\": x}", "t.json: line 1, column 9: unexpected character");
}

static void
t_read_length(void **state)
{
	struct bs_jval *v = NULL;
	struct bs_err err = BS_ERR_INIT;
	static const char text[] = "[1]garbage";

	(void)state;
	/* only len bytes are read; no NUL terminator is needed */
	assert_int_equal(bs_json_parse(text, 3, "t.json", &v, &err), 0);
	assert_int_equal(v->n, 1);
	bs_jval_free(v);
	v = NULL;
	assert_int_equal(bs_json_parse(text, 2, "t.json", &v, &err), -1);
	assert_null(v);
	assert_string_equal(err.msg, "t.json: line 1, column 3: expected ',' or ']'");
}

static void
t_read_depth(void **state)
{
	struct bs_buf b = BS_BUF_INIT(0);
	struct bs_jval *v = NULL;
	struct bs_err err = BS_ERR_INIT;
	int i;

	(void)state;
	/* 200 levels are fine */
	for (i = 0; i < 200; i++)
		bs_buf_addc(&b, '[');
	for (i = 0; i < 200; i++)
		bs_buf_addc(&b, ']');
	assert_int_equal(bs_json_parse(b.buf, b.len, "t.json", &v, &err), 0);
	bs_jval_free(v);
	v = NULL;
	/* the value inside the 200th array is the 201st level */
	bs_buf_reset(&b);
	for (i = 0; i < 200; i++)
		bs_buf_addc(&b, '[');
	bs_buf_addc(&b, '1');
	for (i = 0; i < 200; i++)
		bs_buf_addc(&b, ']');
	assert_int_equal(bs_json_parse(b.buf, b.len, "t.json", &v, &err), -1);
	assert_string_equal(err.msg, "t.json: line 1, column 201: nesting too deep");
	/* deep input is refused, not a stack overflow */
	bs_buf_reset(&b);
	for (i = 0; i < 100000; i++)
		bs_buf_adds(&b, "{\"a\":");
	assert_int_equal(bs_json_parse(b.buf, b.len, "t.json", &v, &err), -1);
	assert_string_equal(err.msg, "t.json: line 1, column 1001: nesting too deep");
	assert_null(v);
	bs_buf_release(&b);
}

static void
t_load(void **state)
{
	char dir[PATH_MAX], *p, *want;
	struct bs_jval *v = NULL;
	struct bs_err err = BS_ERR_INIT;

	(void)state;
	tu_mkdtemp(dir);
	p = tu_write(dir, "m.json", "{\n  \"files\": [\n    {\"name\": \"保单.csv\"}\n  ]\n}\n");
	assert_int_equal(bs_json_load(p, &v, &err), 0);
	assert_string_equal(bs_jget_str(&bs_jget(v, "files")->items[0], "name"), "保单.csv");
	bs_jval_free(v);
	v = NULL;
	free(p);

	p = tu_write(dir, "bad.json", "{\n  \"a\": tru\n}\n");
	assert_int_equal(bs_json_load(p, &v, &err), -1);
	want = bs_xasprintf("%s: line 2, column 8: unexpected word", p);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.code, BS_EXIT_DATAERR);
	free(want);
	free(p);

	p = bs_xasprintf("%s/missing.json", dir);
	assert_int_equal(bs_json_load(p, &v, &err), -1);
	assert_int_equal(err.code, BS_EXIT_NOINPUT);
	want = bs_xasprintf("cannot open '%s': No such file or directory", p);
	assert_string_equal(err.msg, want);
	free(want);
	free(p);

	/* a directory opens but cannot be read */
	assert_int_equal(bs_json_load(dir, &v, &err), -1);
	assert_int_equal(err.code, BS_EXIT_IOERR);
	assert_null(v);
	tu_rm_rf(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_write_layout),
		cmocka_unit_test(t_write_top_array),
		cmocka_unit_test(t_write_escapes),
		cmocka_unit_test(t_read_values),
		cmocka_unit_test(t_read_numbers),
		cmocka_unit_test(t_read_escapes),
		cmocka_unit_test(t_read_bad_escapes),
		cmocka_unit_test(t_round_trip),
		cmocka_unit_test(t_read_errors),
		cmocka_unit_test(t_read_length),
		cmocka_unit_test(t_read_depth),
		cmocka_unit_test(t_load),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
