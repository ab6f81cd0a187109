#include "bs.h"
#include "refcsv.h"
#include "sha256.h"

#include <setjmp.h>
#include <cmocka.h>

static char tmpdir[] = "/tmp/bs-test-refcsv.XXXXXX";

static char *
tmp_file(const char *name, const char *content, size_t len)
{
	char *path = bs_xasprintf("%s/%s", tmpdir, name);
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(content, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	return path;
}

#define TMP(name, lit) tmp_file((name), (lit), sizeof(lit) - 1)

static int
cleanup(void **state)
{
	char *cmd = bs_xasprintf("rm -rf '%s'", tmpdir);

	(void)state;
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

static int
setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static const char *const cols3[] = { "a", "b", "c" };

/* Read the whole file; return the error (or "") and fill out with records. */
static int
read_all(const char *path, struct bs_buf *out, struct bs_err *err)
{
	struct bs_refcsv r;
	size_t i;
	int rc;

	if (bs_refcsv_open(&r, path, err) < 0)
		return -1;
	rc = bs_refcsv_header(&r, cols3, 3, err);
	while (rc == 0 && (rc = bs_refcsv_next(&r, err)) == 1) {
		bs_buf_addf(out, "%lu:", r.line);
		for (i = 0; i < r.nfield; i++)
			bs_buf_addf(out, "[%s]", r.field[i]);
		bs_buf_addc(out, '\n');
		rc = 0;
	}
	bs_refcsv_close(&r);
	return rc < 0 ? -1 : 0;
}

static void
test_plain(void **state)
{
	struct bs_err err = BS_ERR_INIT;
	struct bs_buf out = BS_BUF_INIT(0);
	char *p;

	(void)state;
	p = TMP("plain.csv", "\xef\xbb\xbf" "a,b,c,extra\r\n"
	    "1,2,3,4\r\n"
	    "\r\n"
	    "\n"
	    "\"x,y\",\"say \"\"hi\"\"\",,\"\"\n"
	    "中文,名称,\"\",z");	/* no final line end */
	assert_int_equal(read_all(p, &out, &err), 0);
	assert_string_equal(bs_buf_str(&out),
	    "2:[1][2][3][4]\n"
	    "5:[x,y][say \"hi\"][][]\n"
	    "6:[中文][名称][][z]\n");
	bs_buf_release(&out);
	free(p);
}

static void
expect_error(const char *name, const char *content, size_t len, int code,
    const char *msg_tail)
{
	struct bs_err err = BS_ERR_INIT;
	struct bs_buf out = BS_BUF_INIT(0);
	char *p = tmp_file(name, content, len);
	char *want = bs_xasprintf("%s%s", p, msg_tail);

	assert_int_equal(read_all(p, &out, &err), -1);
	assert_int_equal(err.code, code);
	assert_string_equal(err.msg, want);
	bs_buf_release(&out);
	free(want);
	free(p);
}

#define EXPECT_ERROR(name, lit, code, tail) \
	expect_error((name), (lit), sizeof(lit) - 1, (code), (tail))

static void
test_errors(void **state)
{
	(void)state;
	EXPECT_ERROR("e1.csv", "a,b,c\n1,\"2,3\n4,5,6\n", BS_EXIT_CONFIG,
	    ":2:3: unterminated quoted field (a field may not span lines)");
	EXPECT_ERROR("e2.csv", "a,b,c\n1,2\"x,3\n", BS_EXIT_CONFIG,
	    ":2:4: quote inside an unquoted field");
	EXPECT_ERROR("e3.csv", "a,b,c\n1,\"2\"x,3\n", BS_EXIT_CONFIG,
	    ":2:6: text after a closing quote");
	EXPECT_ERROR("e4.csv", "a,b,c\n1,2,3\n1,2\n", BS_EXIT_CONFIG,
	    ":3: 2 fields, the header has 3");
	EXPECT_ERROR("e5.csv", "a,b,c\n1,2,3,4\n", BS_EXIT_CONFIG,
	    ":2: 4 fields, the header has 3");
	EXPECT_ERROR("e6.csv", "a,b,c\n1,2\0,3\n", BS_EXIT_CONFIG,
	    ":2: NUL byte in line");
	EXPECT_ERROR("e7.csv", "a,b,c\n1,\xe4\xb8,3\n", BS_EXIT_CONFIG,
	    ":2:3: not valid UTF-8");
	EXPECT_ERROR("e8.csv", "a,b,c\n1,\xc0\xaf,3\n", BS_EXIT_CONFIG,
	    ":2:3: not valid UTF-8");
	EXPECT_ERROR("e9.csv", "a,b,c\n1,\t2,3\n", BS_EXIT_CONFIG,
	    ":2:3: control character");
	EXPECT_ERROR("e10.csv", "a,x,c\n1,2,3\n", BS_EXIT_CONFIG,
	    ":1: header must start with 'a,b,c'");
	EXPECT_ERROR("e11.csv", "a,b\n1,2\n", BS_EXIT_CONFIG,
	    ":1: header must start with 'a,b,c'");
	EXPECT_ERROR("e12.csv", "\n\n", BS_EXIT_CONFIG,
	    ": empty file, expected the header 'a,b,c'");
	EXPECT_ERROR("e13.csv", "a,b,c\n\"1\"\"\n", BS_EXIT_CONFIG,
	    ":2:1: unterminated quoted field (a field may not span lines)");
}

static void
test_long_line(void **state)
{
	struct bs_err err = BS_ERR_INIT;
	struct bs_buf out = BS_BUF_INIT(0);
	size_t n = BS_REFCSV_LINE_MAX + 20, i;
	char *s = bs_xmalloc(n), *p, *want;

	(void)state;
	memcpy(s, "a,b,c\n", 6);
	for (i = 6; i < n; i++)
		s[i] = 'x';
	p = tmp_file("long.csv", s, n);
	assert_int_equal(read_all(p, &out, &err), -1);
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	want = bs_xasprintf("%s:2: line longer than %d bytes", p,
	    BS_REFCSV_LINE_MAX);
	assert_string_equal(err.msg, want);
	free(want);
	free(p);
	free(s);
	bs_buf_release(&out);
}

static void
test_line_at_cap(void **state)
{
	struct bs_err err = BS_ERR_INIT;
	struct bs_refcsv r;
	size_t n = 6 + BS_REFCSV_LINE_MAX + 1;
	char *s = bs_xmalloc(n), *p;

	(void)state;
	memcpy(s, "a,b,c\n", 6);
	memset(s + 6, 'y', BS_REFCSV_LINE_MAX);
	s[n - 1] = '\n';
	p = tmp_file("cap.csv", s, n);
	assert_int_equal(bs_refcsv_open(&r, p, &err), 0);
	assert_int_equal(bs_refcsv_next(&r, &err), 1);
	assert_int_equal(bs_refcsv_next(&r, &err), 1);
	assert_int_equal(r.nfield, 1);
	assert_int_equal(strlen(r.field[0]), BS_REFCSV_LINE_MAX);
	assert_int_equal(bs_refcsv_next(&r, &err), 0);
	bs_refcsv_close(&r);
	free(p);
	free(s);
}

static void
test_missing(void **state)
{
	struct bs_err err = BS_ERR_INIT;
	struct bs_refcsv r;
	char *p = bs_xasprintf("%s/nope.csv", tmpdir);
	char *want = bs_xasprintf("cannot open '%s': No such file or directory",
	    p);

	(void)state;
	assert_int_equal(bs_refcsv_open(&r, p, &err), -1);
	assert_int_equal(err.code, BS_EXIT_NOINPUT);
	assert_string_equal(err.msg, want);
	bs_refcsv_close(&r);	/* harmless after a failed open */
	free(want);
	free(p);
}

static void
test_sibling(void **state)
{
	char *s;

	(void)state;
	s = bs_refcsv_sibling("rules/ref/gb2260.csv", "-extra.csv");
	assert_string_equal(s, "rules/ref/gb2260-extra.csv");
	free(s);
	s = bs_refcsv_sibling("rules/ref/gb2260.csv", ".VERSION");
	assert_string_equal(s, "rules/ref/gb2260.VERSION");
	free(s);
	s = bs_refcsv_sibling("list.txt", ".VERSION");
	assert_string_equal(s, "list.txt.VERSION");
	free(s);
	s = bs_refcsv_sibling(".csv", ".VERSION");
	assert_string_equal(s, ".VERSION");
	free(s);
}

static void
test_version(void **state)
{
	struct bs_err err = BS_ERR_INIT;
	char hex[BS_SHA256_HEX];
	char *p, *v, *vp, *want;

	(void)state;
	p = TMP("v.csv", "a,b,c\n1,2,3\n");
	/* no VERSION file: a hash prefix */
	v = bs_refcsv_version(p, &err);
	assert_non_null(v);
	assert_int_equal(bs_sha256_file(p, hex, NULL, &err), 0);
	want = bs_xasprintf("sha256:%.16s", hex);
	assert_string_equal(v, want);
	free(want);
	free(v);

	vp = TMP("v.VERSION", "\n  \t\n  2023-06 r1  \r\nsecond line\n");
	v = bs_refcsv_version(p, &err);
	assert_non_null(v);
	assert_string_equal(v, "2023-06 r1");
	free(v);
	free(vp);

	vp = TMP("v.VERSION", "\n \n");
	assert_null(bs_refcsv_version(p, &err));
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	want = bs_xasprintf("%s: no version in the file", vp);
	assert_string_equal(err.msg, want);
	free(want);
	free(vp);

	vp = TMP("v.VERSION", "a\x01z\n");
	assert_null(bs_refcsv_version(p, &err));
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	free(vp);
	free(p);

	p = bs_xasprintf("%s/absent.csv", tmpdir);
	assert_null(bs_refcsv_version(p, &err));
	assert_int_equal(err.code, BS_EXIT_NOINPUT);
	free(p);
}

static void
test_version_too_long(void **state)
{
	struct bs_err err = BS_ERR_INIT;
	char line[BS_REFCSV_VERSION_MAX + 2];
	char *p, *vp, *v;

	(void)state;
	p = TMP("w.csv", "a,b,c\n");
	memset(line, 'v', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	vp = tmp_file("w.VERSION", line, sizeof(line));
	assert_null(bs_refcsv_version(p, &err));
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	free(vp);
	/* exactly the maximum is accepted */
	vp = tmp_file("w.VERSION", line + 1, sizeof(line) - 1);
	v = bs_refcsv_version(p, &err);
	assert_non_null(v);
	assert_int_equal(strlen(v), BS_REFCSV_VERSION_MAX);
	free(v);
	free(vp);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_line_at_cap),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_sibling),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_version_too_long),
	};

	return cmocka_run_group_tests(tests, setup, cleanup);
}
