/*
 * test_csv.c - the CSV reader and writer (lib/csv.h).
 *
 * Every reader case is fed at every chunk size from 1 byte up to beyond
 * the length of its input, and must give the same records, positions and
 * error message each time.
 */
#include "bs.h"
#include "csv.h"
#include "buf.h"
#include "ofile.h"

#include <setjmp.h>
#include <cmocka.h>
#include "tutil.h"

#define NAME "t.csv"

/* Options of a case; zeros mean the reader's defaults. */
struct rcase {
	const char *in;
	size_t len;		/* 0: strlen(in) */
	int header;
	int no_utf8;		/* check_utf8 off */
	size_t max_field, max_fields, max_record;
	const char *want;	/* dump of the header and records read */
	const char *werr;	/* the error after them, NULL if none */
	int wcode;		/* its code, 0: BS_EXIT_DATAERR */
};

/*
 * Dump: "H:" and the header fields, then one line per record,
 * "<recno>@<line>:" and the fields; a field is [bytes], a NULL is N.
 */
static void
dump_fields(struct bs_buf *d, const struct bs_csv_reader *r)
{
	size_t i, n;
	const char *v;

	for (i = 0; i < bs_csv_nfields(r); i++) {
		v = bs_csv_field(r, i, &n);
		if (!v) {
			assert_int_equal(n, 0);
			bs_buf_addc(d, 'N');
			continue;
		}
		assert_int_equal(v[n], '\0');
		bs_buf_addc(d, '[');
		bs_buf_add(d, v, n);
		bs_buf_addc(d, ']');
	}
}

/*
 * A block source (bs_csv_open_src) handing out the input chunk bytes at a
 * time, each block in a fresh allocation of exactly its size, freed when
 * the next is asked for: the sanitizer build catches any read past a block
 * or of a block the reader said it was done with.
 */
struct msrc {
	const char *in;
	size_t len, pos, chunk;
	char *blk;
	int calls_after_end;
};

static ssize_t
msrc_next(void *ctx, const char **p)
{
	struct msrc *m = ctx;
	size_t n = m->len - m->pos < m->chunk ? m->len - m->pos : m->chunk;

	free(m->blk);
	m->blk = NULL;
	if (n == 0) {
		m->calls_after_end++;
		return 0;
	}
	m->blk = bs_xmalloc(n);
	memcpy(m->blk, m->in + m->pos, n);
	m->pos += n;
	*p = m->blk;
	return (ssize_t)n;
}

/*
 * Read a whole input with one chunk size, from a stream (use_src 0) or a
 * block source (1); dump into d; return rc.
 */
static int
read_all(const struct rcase *c, size_t len, size_t chunk, int use_src,
    struct bs_buf *d, struct bs_err *err)
{
	struct bs_csv_opts o = BS_CSV_OPTS_INIT;
	struct bs_csv_reader r;
	struct msrc m = { c->in, len, 0, chunk, NULL, 0 };
	struct bs_csv_src src = { msrc_next, &m };
	FILE *fp = use_src ? NULL : tu_mem_file(c->in, len);
	size_t i;
	int rc;

	o.chunk = chunk;
	o.header = c->header;
	o.check_utf8 = !c->no_utf8;
	o.max_field = c->max_field;
	o.max_fields = c->max_fields;
	o.max_record = c->max_record;
	rc = use_src ? bs_csv_open_src(&r, &src, NAME, &o, err) :
	    bs_csv_open_fp(&r, fp, NAME, &o, err);
	if (rc == 0 && c->header) {
		bs_buf_adds(d, "H:");
		for (i = 0; i < bs_csv_header_count(&r); i++)
			bs_buf_addf(d, "[%s]", bs_csv_header(&r, i));
		bs_buf_addc(d, '\n');
	}
	while (rc == 0 && (rc = bs_csv_next(&r, err)) == 1) {
		bs_buf_addf(d, "%" PRIu64 "@%" PRIu64 ":", bs_csv_recno(&r),
		    bs_csv_line(&r));
		dump_fields(d, &r);
		bs_buf_addc(d, '\n');
		rc = 0;
	}
	bs_csv_close(&r);
	assert_null(r.buf);
	assert_null(r.parser);
	if (fp)
		fclose(fp);
	free(m.blk);
	assert_true(m.calls_after_end <= 1);
	return rc;
}

static void
run_case(const struct rcase *c)
{
	size_t len = c->len ? c->len : strlen(c->in);
	size_t chunk, k;

	for (k = 0; k < 2 * (len + 2); k++) {
		struct bs_buf d = BS_BUF_INIT(0);
		struct bs_err err = BS_ERR_INIT;
		int rc, use_src = k % 2;

		chunk = 1 + k / 2;
		rc = read_all(c, len, chunk, use_src, &d, &err);

		if (strcmp(bs_buf_str(&d), c->want ? c->want : "") != 0 ||
		    (c->werr && (rc != -1 || strcmp(err.msg, c->werr) != 0 ||
			err.code != (c->wcode ? c->wcode : BS_EXIT_DATAERR))) ||
		    (!c->werr && rc != 0)) {
			print_error("input %zu bytes, chunk %zu%s\n"
				    "want records:\n%s\ngot records:\n%s\n"
				    "want error: %s\ngot error (rc %d, code %d): %s\n",
			    len, chunk, use_src ? " (block source)" : "",
			    c->want ? c->want : "", bs_buf_str(&d),
			    c->werr ? c->werr : "(none)", rc, err.code, err.msg);
			bs_buf_release(&d);
			fail();
		}
		bs_buf_release(&d);
	}
}

static void
run_cases(const struct rcase *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		run_case(&c[i]);
}

/* ---------------------------------------------------------------- reader */

static void
test_plain(void **state)
{
	static const struct rcase c[] = {
		{ .in = "a,b,c\n1,2,3\n", .want = "1@1:[a][b][c]\n2@2:[1][2][3]\n" },
		{ .in = "a\n", .want = "1@1:[a]\n" },
		{ .in = " a , b \n", .want = "1@1:[ a ][ b ]\n" },	/* never trim */
		{ .in = "\ta\t,x y\n", .want = "1@1:[\ta\t][x y]\n" },
		{ .in = "", .want = "" },
		{ .in = "id,name\n1,x\n2,y\n", .header = 1,
		  .want = "H:[id][name]\n1@2:[1][x]\n2@3:[2][y]\n" },
		{ .in = "id,name\n", .header = 1, .want = "H:[id][name]\n" },
		/* The field count is the caller's business. */
		{ .in = "a,b\n1\n1,2,3\n", .header = 1,
		  .want = "H:[a][b]\n1@2:[1]\n2@3:[1][2][3]\n" },
	};

	(void)state;
	run_cases(c, BS_ARRAY_SIZE(c));
}

static void
test_quoting(void **state)
{
	static const struct rcase c[] = {
		/* quoted commas */
		{ .in = "\"a,b\",c\n\"x,\",\",y\"\n", .want = "1@1:[a,b][c]\n2@2:[x,][,y]\n" },
		/* doubled quotes */
		{ .in = "\"say \"\"hi\"\"\",\"\"\"\"\n", .want = "1@1:[say \"hi\"][\"]\n" },
		{ .in = "\"\"\"\"\"\"\n", .want = "1@1:[\"\"]\n" },
		/* CR, LF and CRLF inside quoted fields are data */
		{ .in = "\"l1\r\nl2\",x\n\"a\nb\",y\n\"cr\rin\"\n",
		  .want = "1@1:[l1\r\nl2][x]\n2@3:[a\nb][y]\n3@5:[cr\rin]\n" },
		{ .in = "\"\n\"\n\"\r\n\"\n", .want = "1@1:[\n]\n2@3:[\r\n]\n" },
	};

	(void)state;
	run_cases(c, BS_ARRAY_SIZE(c));
}

static void
test_line_ends(void **state)
{
	static const struct rcase c[] = {
		/* CRLF line ends */
		{ .in = "a,b\r\nc,\"d\"\r\n,\r\n", .want = "1@1:[a][b]\n2@2:[c][d]\n3@3:NN\n" },
		/* mixed */
		{ .in = "a\nb\r\nc", .want = "1@1:[a]\n2@2:[b]\n3@3:[c]\n" },
		/* missing final line end */
		{ .in = "a,b\nc,d", .want = "1@1:[a][b]\n2@2:[c][d]\n" },
		{ .in = "\"x\"", .want = "1@1:[x]\n" },
		{ .in = "a,\"\"", .want = "1@1:[a][]\n" },
		{ .in = "a,", .want = "1@1:[a]N\n" },
		{ .in = "\"a\"\"\"", .want = "1@1:[a\"]\n" },
		{ .in = "id\r\n1", .header = 1, .want = "H:[id]\n1@2:[1]\n" },
	};

	(void)state;
	run_cases(c, BS_ARRAY_SIZE(c));
}

static void
test_bom(void **state)
{
	static const struct rcase c[] = {
		{ .in = "\xEF\xBB\xBFid,name\n1,x\n", .header = 1,
		  .want = "H:[id][name]\n1@2:[1][x]\n" },
		{ .in = "\xEF\xBB\xBF" "a\n", .want = "1@1:[a]\n" },
		{ .in = "\xEF\xBB\xBF", .want = "" },
		/* columns on line 1 count from after the BOM */
		{ .in = "\xEF\xBB\xBF\"a\"b\n", .want = "",
		  .werr = NAME ": record 1 (line 1), column 4: unexpected text after closing quote" },
		/* only at the very start */
		{ .in = "a\n\xEF\xBB\xBF\n", .want = "1@1:[a]\n2@2:[\xEF\xBB\xBF]\n" },
		{ .in = "\xEF\xBB\xBF\xEF\xBB\xBF\n", .want = "1@1:[\xEF\xBB\xBF]\n" },
		/* a partial BOM is data */
		{ .in = "\xEF\xBBx\n", .no_utf8 = 1, .want = "1@1:[\xEF\xBBx]\n" },
		{ .in = "\xEF", .no_utf8 = 1, .want = "1@1:[\xEF]\n" },
		{ .in = "\xEF\xBB", .no_utf8 = 1, .want = "1@1:[\xEF\xBB]\n" },
		{ .in = "\xEF\xBBx\n", .want = "",
		  .werr = NAME ": record 1 (line 1), column 1: invalid UTF-8 (byte 0xef)" },
		{ .in = "\xEF\xBB\x80,\n", .want = "1@1:[\xEF\xBB\x80]N\n" },	/* U+FEC0 */
	};

	(void)state;
	run_cases(c, BS_ARRAY_SIZE(c));
}

static void
test_null_empty(void **state)
{
	static const struct rcase c[] = {
		{ .in = "a,,\"\",\n\"\"\n,\n", .want = "1@1:[a]N[]N\n2@2:[]\n3@3:NN\n" },
		{ .in = "\"\",\"\"\r\n", .want = "1@1:[][]\n" },
		/* one-column header: a blank line is a NULL */
		{ .in = "v\n1\n\n\"\"\n\n", .header = 1,
		  .want = "H:[v]\n1@2:[1]\n2@3:N\n3@4:[]\n4@5:N\n" },
		{ .in = "v\r\n\r\nx\r\n", .header = 1, .want = "H:[v]\n1@2:N\n2@3:[x]\n" },
		{ .in = "\n\nv\n\n", .header = 1, .want = "H:[v]\n1@4:N\n" },
		/* empty header names */
		{ .in = ",\"\"\n1,2\n", .header = 1, .want = "H:[][]\n1@2:[1][2]\n" },
	};

	(void)state;
	run_cases(c, BS_ARRAY_SIZE(c));
}

static void
test_chinese(void **state)
{
	static const struct rcase c[] = {
		{ .in = "姓名,金额,备注\n张三,\"1,000\",\"他说\"\"好\"\"\"\n李四,,\n", .header = 1,
		  .want = "H:[姓名][金额][备注]\n1@2:[张三][1,000][他说\"好\"]\n2@3:[李四]NN\n" },
		{ .in = "\xF0\x9F\x98\x80,\xF4\x8F\xBF\xBF,\xED\x9F\xBF,\xEE\x80\x80\n",
		  .want = "1@1:[\xF0\x9F\x98\x80][\xF4\x8F\xBF\xBF][\xED\x9F\xBF][\xEE\x80\x80]\n" },
	};

	(void)state;
	run_cases(c, BS_ARRAY_SIZE(c));
}

static void
test_blank_lines(void **state)
{
	static const struct rcase c[] = {
		{ .in = "\n\na,b\n\n\nc,d\n\n", .want = "1@3:[a][b]\n2@6:[c][d]\n" },
		{ .in = "\r\n\r\na\r\n\r\nb", .want = "1@3:[a]\n2@5:[b]\n" },
		{ .in = "\n\n\n", .want = "" },
		{ .in = "\n\nid\n\nx\n", .header = 1, .want = "H:[id]\n1@4:N\n2@5:[x]\n" },
		{ .in = "\n\nid,v\n\nx,y\n", .header = 1, .want = "H:[id][v]\n1@5:[x][y]\n" },
		{ .in = "\n\na\"b\n", .want = "",
		  .werr = NAME ": record 1 (line 3), column 2: unexpected quote in unquoted field" },
		{ .in = "a\n\n\nb,\"c\n", .want = "1@1:[a]\n",
		  .werr = NAME ": record 2 (line 4): field 2: quoted field not closed at end of file" },
	};

	(void)state;
	run_cases(c, BS_ARRAY_SIZE(c));
}

static void
test_multiline(void **state)
{
	static const struct rcase c[] = {
		{ .in = "h1,h2\n\"a\nb\nc\",x\nd,e\n\"\n\",\"\r\n\"\nz,z\n", .header = 1,
		  .want = "H:[h1][h2]\n1@2:[a\nb\nc][x]\n2@5:[d][e]\n3@6:[\n][\r\n]\n4@9:[z][z]\n" },
		/* a record starting with a line break in quotes */
		{ .in = "x\n\"\nA\"\n\n\"\r\nB\",\"\"\n", .want = "1@1:[x]\n2@2:[\nA]\n3@5:[\r\nB][]\n" },
		/* errors on a later line name that line */
		{ .in = "\"a\nb\"x\n", .want = "",
		  .werr = NAME ": record 1 (line 2), column 3: unexpected text after closing quote" },
	};

	(void)state;
	run_cases(c, BS_ARRAY_SIZE(c));
}

static void
test_malformed(void **state)
{
	static const struct rcase c[] = {
		{ .in = "a,b\"c\n", .want = "",
		  .werr = NAME ": record 1 (line 1), column 4: unexpected quote in unquoted field" },
		{ .in = " \"a\"\n", .want = "",
		  .werr = NAME ": record 1 (line 1), column 2: unexpected quote in unquoted field" },
		{ .in = "x\n\"ab\"c,d\n", .want = "1@1:[x]\n",
		  .werr = NAME ": record 2 (line 2), column 5: unexpected text after closing quote" },
		{ .in = "\"a\" ,b\n", .want = "",
		  .werr = NAME ": record 1 (line 1), column 4: unexpected text after closing quote" },
		{ .in = "a\n\"abc", .want = "1@1:[a]\n",
		  .werr = NAME ": record 2 (line 2): field 1: quoted field not closed at end of file" },
		{ .in = "a,\"b\nc\nd", .want = "",
		  .werr = NAME ": record 1 (line 1): field 2: quoted field not closed at end of file" },
		{ .in = "\"", .want = "",
		  .werr = NAME ": record 1 (line 1): field 1: quoted field not closed at end of file" },
		/* bare CR */
		{ .in = "a,b\rc,d\n", .want = "",
		  .werr = NAME ": record 1 (line 1), column 4: bare carriage return (line ends must be LF or CRLF)" },
		{ .in = "x\na\r", .want = "1@1:[x]\n",
		  .werr = NAME ": record 2 (line 2), column 2: bare carriage return (line ends must be LF or CRLF)" },
		{ .in = "x\n\ry\n", .want = "1@1:[x]\n",
		  .werr = NAME ": record 2 (line 2), column 1: bare carriage return (line ends must be LF or CRLF)" },
		{ .in = "\"a\"\rb", .want = "",
		  .werr = NAME ": record 1 (line 1), column 4: bare carriage return (line ends must be LF or CRLF)" },
		{ .in = "a\r\r\n", .want = "",
		  .werr = NAME ": record 1 (line 1), column 2: bare carriage return (line ends must be LF or CRLF)" },
		/* in the header */
		{ .in = "a,b\"\n1,2\n", .header = 1, .want = "",
		  .werr = NAME ": header (line 1), column 4: unexpected quote in unquoted field" },
		{ .in = "\n\"a\"x\n", .header = 1, .want = "",
		  .werr = NAME ": header (line 2), column 4: unexpected text after closing quote" },
		{ .in = "h\rx\n", .header = 1, .want = "",
		  .werr = NAME ": header (line 1), column 2: bare carriage return (line ends must be LF or CRLF)" },
		/* empty input with a header expected */
		{ .in = "", .header = 1, .want = "", .werr = NAME ": empty file, no header" },
		{ .in = "\n\r\n\n", .header = 1, .want = "", .werr = NAME ": empty file, no header" },
		{ .in = "\xEF\xBB\xBF", .header = 1, .want = "", .werr = NAME ": empty file, no header" },
	};

	(void)state;
	run_cases(c, BS_ARRAY_SIZE(c));
}

static void
test_caps(void **state)
{
	static const struct rcase c[] = {
		{ .in = "12345678,123456789\n", .max_field = 8, .want = "",
		  .werr = NAME ": record 1 (line 1): field 2: field longer than 8 bytes (unclosed quote?)" },
		{ .in = "\"12345678\",x\n12345678", .max_field = 8,
		  .want = "1@1:[12345678][x]\n2@2:[12345678]\n" },
		{ .in = "\"12345678\"", .max_field = 8, .want = "1@1:[12345678]\n" },
		{ .in = "\"123456789\"", .max_field = 8, .want = "",
		  .werr = NAME ": record 1 (line 1): field 1: field longer than 8 bytes (unclosed quote?)" },
		/* an unclosed quote swallowing the file */
		{ .in = "ok\n\"abc\ndefgh\nijk,l\nmore\nand more\n", .max_field = 8,
		  .want = "1@1:[ok]\n",
		  .werr = NAME ": record 2 (line 2): field 1: field longer than 8 bytes (unclosed quote?)" },
		/* the same error wins whatever the chunk size */
		{ .in = "123456789\"\n", .max_field = 8, .want = "",
		  .werr = NAME ": record 1 (line 1), column 10: unexpected quote in unquoted field" },
		{ .in = "1234567890\"\n", .max_field = 8, .want = "",
		  .werr = NAME ": record 1 (line 1): field 1: field longer than 8 bytes (unclosed quote?)" },
		{ .in = "\"1234567\"x\n", .max_field = 8, .want = "",
		  .werr = NAME ": record 1 (line 1), column 10: unexpected text after closing quote" },
		{ .in = "\"12345678\"x\n", .max_field = 8, .want = "",
		  .werr = NAME ": record 1 (line 1), column 11: unexpected text after closing quote" },
		{ .in = "\"123456789\"x\n", .max_field = 8, .want = "",
		  .werr = NAME ": record 1 (line 1): field 1: field longer than 8 bytes (unclosed quote?)" },
		{ .in = "a,b\na,b,c\n", .max_fields = 2, .want = "1@1:[a][b]\n",
		  .werr = NAME ": record 2 (line 2): more than 2 fields" },
		{ .in = ",\n,,", .max_fields = 2, .want = "1@1:NN\n",
		  .werr = NAME ": record 2 (line 2): more than 2 fields" },
		{ .in = "abc,def\nabcd,efgh,ij\n", .max_record = 10, .want = "1@1:[abc][def]\n",
		  .werr = NAME ": record 2 (line 2): record longer than 10 bytes" },
		{ .in = "h\nabcdefghijkl\n", .header = 1, .max_record = 10, .want = "H:[h]\n",
		  .werr = NAME ": record 1 (line 2): record longer than 10 bytes" },
	};

	(void)state;
	run_cases(c, BS_ARRAY_SIZE(c));
}

static void
test_utf8(void **state)
{
	static const struct rcase c[] = {
		{ .in = "ok\n\xE4\xB8,x\n", .want = "1@1:[ok]\n",
		  .werr = NAME ": record 2 (line 2), column 1: invalid UTF-8 (byte 0xe4)" },
		/* GBK-encoded 张三 */
		{ .in = "a,\xD5\xC5\xC8\xFD\n", .want = "",
		  .werr = NAME ": record 1 (line 1), column 3: invalid UTF-8 (byte 0xd5)" },
		{ .in = "ab\x80\n", .want = "",
		  .werr = NAME ": record 1 (line 1), column 3: invalid UTF-8 (byte 0x80)" },
		{ .in = "\xC0\xAF", .want = "",
		  .werr = NAME ": record 1 (line 1), column 1: invalid UTF-8 (byte 0xc0)" },
		{ .in = "\xE0\x80\x80", .want = "",
		  .werr = NAME ": record 1 (line 1), column 1: invalid UTF-8 (byte 0xe0)" },
		{ .in = "\xF0\x80\x80\x80", .want = "",
		  .werr = NAME ": record 1 (line 1), column 1: invalid UTF-8 (byte 0xf0)" },
		{ .in = "x\xED\xA0\x80\n", .want = "",
		  .werr = NAME ": record 1 (line 1), column 2: invalid UTF-8 (byte 0xed)" },
		{ .in = "\xF4\x90\x80\x80", .want = "",
		  .werr = NAME ": record 1 (line 1), column 1: invalid UTF-8 (byte 0xf4)" },
		{ .in = "a,\xF5\x80\x80\x80", .want = "",
		  .werr = NAME ": record 1 (line 1), column 3: invalid UTF-8 (byte 0xf5)" },
		{ .in = "\xFF", .want = "",
		  .werr = NAME ": record 1 (line 1), column 1: invalid UTF-8 (byte 0xff)" },
		/* truncated by the end of file, by a line end, by a comma */
		{ .in = "abc\xE4\xB8", .want = "",
		  .werr = NAME ": record 1 (line 1), column 4: invalid UTF-8 (byte 0xe4)" },
		{ .in = "\xE4\n", .want = "",
		  .werr = NAME ": record 1 (line 1), column 1: invalid UTF-8 (byte 0xe4)" },
		{ .in = "\xE4\xB8\xAD\xE4,", .want = "",
		  .werr = NAME ": record 1 (line 1), column 4: invalid UTF-8 (byte 0xe4)" },
		/* inside a multi-line quoted field: the line of the byte */
		{ .in = "h\n\"a\n\xFF\"\n", .header = 1, .want = "H:[h]\n",
		  .werr = NAME ": record 1 (line 3), column 1: invalid UTF-8 (byte 0xff)" },
		{ .in = "\xFF,a\n", .header = 1, .want = "",
		  .werr = NAME ": header (line 1), column 1: invalid UTF-8 (byte 0xff)" },
		/* NUL bytes */
		{ .in = "a\0b\n", .len = 4, .want = "",
		  .werr = NAME ": record 1 (line 1), column 2: NUL byte (UTF-16 input?)" },
		{ .in = "abcdefghijklmnop\0\n", .len = 18, .want = "",
		  .werr = NAME ": record 1 (line 1), column 17: NUL byte (UTF-16 input?)" },
		{ .in = "a\0b\n", .len = 4, .no_utf8 = 1, .want = "1@1:[a\0b]\n" },
		/* an earlier syntax error wins */
		{ .in = "a\"\xFF\n", .want = "",
		  .werr = NAME ": record 1 (line 1), column 2: unexpected quote in unquoted field" },
		{ .in = "\xFF" "a\"", .want = "",
		  .werr = NAME ": record 1 (line 1), column 1: invalid UTF-8 (byte 0xff)" },
		/* off: bytes pass through */
		{ .in = "\xFF,\xE4\n\xC0\xAF", .no_utf8 = 1, .want = "1@1:[\xFF][\xE4]\n2@2:[\xC0\xAF]\n" },
		/* long ASCII runs around multibyte text (the fast path) */
		{ .in = "abcdefghijklmnopqrstuvwxyz,中文abcdefghijklmnopq\xE4\n", .want = "",
		  .werr = NAME ": record 1 (line 1), column 51: invalid UTF-8 (byte 0xe4)" },
	};

	(void)state;
	run_cases(c, BS_ARRAY_SIZE(c));
}

static void
test_header_index(void **state)
{
	static const char in[] = "\xEF\xBB\xBFid,姓名,,premium,id\n1,张三,x,12.50,2\n";
	struct bs_csv_reader r;
	struct bs_err err = BS_ERR_INIT;
	FILE *fp = tu_mem_file(in, sizeof(in) - 1);
	size_t n;

	(void)state;
	assert_int_equal(bs_csv_open_fp(&r, fp, NAME, NULL, &err), 0);
	assert_int_equal(bs_csv_header_count(&r), 5);
	assert_int_equal(bs_csv_header_index(&r, "id"), 0);	/* the first */
	assert_int_equal(bs_csv_header_index(&r, "姓名"), 1);
	assert_int_equal(bs_csv_header_index(&r, ""), 2);
	assert_int_equal(bs_csv_header_index(&r, "premium"), 3);
	assert_int_equal(bs_csv_header_index(&r, "Premium"), -1);
	assert_int_equal(bs_csv_header_index(&r, "premiu"), -1);
	assert_string_equal(bs_csv_header(&r, 1), "姓名");
	assert_string_equal(bs_csv_header(&r, 2), "");
	assert_null(bs_csv_header(&r, 5));
	assert_int_equal(bs_csv_recno(&r), 0);
	assert_int_equal(bs_csv_next(&r, &err), 1);
	assert_int_equal(bs_csv_recno(&r), 1);
	assert_int_equal(bs_csv_line(&r), 2);
	assert_string_equal(bs_csv_field(&r, 3, &n), "12.50");
	assert_int_equal(n, 5);
	assert_null(bs_csv_field(&r, 5, &n));	/* out of range */
	assert_int_equal(n, 0);
	bs_csv_error(&r, &err, BS_EXIT_DATAERR, "field '%s': not an amount", "premium");
	assert_string_equal(err.msg, NAME ": record 1 (line 2): field 'premium': not an amount");
	assert_int_equal(bs_csv_next(&r, &err), 0);
	assert_int_equal(bs_csv_next(&r, &err), 0);
	bs_csv_close(&r);
	bs_csv_close(&r);	/* harmless twice */
	bs_csv_close(NULL);
	fclose(fp);
}

static void
test_open_errors(void **state)
{
	struct bs_csv_reader r;
	struct bs_err err = BS_ERR_INIT;
	struct bs_csv_opts o = BS_CSV_OPTS_INIT;
	FILE *fp;

	(void)state;
	assert_int_equal(bs_csv_open(&r, "/nonexistent/x.csv", NULL, &err), -1);
	assert_int_equal(err.code, BS_EXIT_NOINPUT);
	assert_string_equal(err.msg, "cannot open '/nonexistent/x.csv': No such file or directory");
	bs_csv_close(&r);

	assert_int_equal(bs_csv_open(&r, "/tmp", NULL, &err), -1);
	assert_int_equal(err.code, BS_EXIT_NOINPUT);
	assert_string_equal(err.msg, "cannot read '/tmp': Is a directory");

	/* a read error */
	fp = fopen("/dev/null", "w");
	assert_non_null(fp);
	o.header = 0;
	assert_int_equal(bs_csv_open_fp(&r, fp, "w.csv", &o, &err), 0);
	assert_int_equal(bs_csv_next(&r, &err), -1);
	assert_int_equal(err.code, BS_EXIT_IOERR);
	assert_string_equal(err.msg, "cannot read 'w.csv': Bad file descriptor");
	/* used after an error */
	assert_int_equal(bs_csv_next(&r, &err), -1);
	assert_int_equal(err.code, BS_EXIT_SOFTWARE);
	bs_csv_close(&r);
	fclose(fp);

	/* the header is read (and refused) at open */
	fp = tu_mem_file("a\"\n", 3);
	assert_int_equal(bs_csv_open_fp(&r, fp, NAME, NULL, &err), -1);
	assert_int_equal(err.code, BS_EXIT_DATAERR);
	assert_null(r.buf);
	bs_csv_close(&r);
	fclose(fp);
}

static void
test_open_path(void **state)
{
	char path[] = "/tmp/test_csv.XXXXXX";
	struct bs_csv_reader r;
	struct bs_err err = BS_ERR_INIT;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "a,b\n1,2\n", 8), 8);
	close(fd);
	assert_int_equal(bs_csv_open(&r, path, NULL, &err), 0);
	assert_string_equal(bs_csv_name(&r), path);
	assert_int_equal(bs_csv_next(&r, &err), 1);
	assert_string_equal(bs_csv_field(&r, 1, NULL), "2");
	assert_int_equal(bs_csv_next(&r, &err), 0);
	bs_csv_close(&r);
	unlink(path);
}

/* Cases around the fast path's 64-byte windows (see lib/csv.c). */
#define X62 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
static void
test_fast_path(void **state)
{
	static const struct rcase c[] = {
		/* a doubled quote astride bytes 63 and 64 */
		{ .in = "\"" X62 "\"\"a\",b\n", .want = "1@1:[" X62 "\"a][b]\n" },
		/* a closing quote at byte 63, its comma at 64 */
		{ .in = "\"" X62 "\",b\n", .want = "1@1:[" X62 "][b]\n" },
		{ .in = "\"" X62 "\"x\n", .want = "",
		  .werr = NAME ": record 1 (line 1), column 65: unexpected text after closing quote" },
		/* line breaks in quotes across windows; CRLF split at 63/64 */
		{ .in = "\"" X62 "\n" X62 "\r\n" X62 "\",\"\"\r\nz\n",
		  .want = "1@1:[" X62 "\n" X62 "\r\n" X62 "][]\n2@4:[z]\n" },
		{ .in = "a" X62 "\r\nb\n", .want = "1@1:[a" X62 "]\n2@2:[b]\n" },
		{ .in = "a" X62 "\rb\n", .want = "",
		  .werr = NAME ": record 1 (line 1), column 64: bare carriage return (line ends must be LF or CRLF)" },
		/* many fields, many quotes, every one doubled */
		{ .in = "\"\"\"\"\"\",\"\"\"\"\"\"\"\",\"a\"\"b\"\"c\",\"\"\"x\",\"y\"\"\"\n",
		  .want = "1@1:[\"\"][\"\"\"][a\"b\"c][\"x][y\"]\n" },
		/* UTF-8 astride a window, and the leads with narrow ranges */
		{ .in = X62 "x中,\xE0\xA0\x80\xED\x9F\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF\n",
		  .want = "1@1:[" X62 "x中][\xE0\xA0\x80\xED\x9F\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF]\n" },
		{ .in = X62 "x\xE4\xB8\n", .want = "",
		  .werr = NAME ": record 1 (line 1), column 64: invalid UTF-8 (byte 0xe4)" },
		{ .in = X62 "xx\xE4\xB8\xAD\xAD\n", .want = "",
		  .werr = NAME ": record 1 (line 1), column 68: invalid UTF-8 (byte 0xad)" },
		{ .in = X62 "\xED\xA0\x80\n", .want = "",
		  .werr = NAME ": record 1 (line 1), column 63: invalid UTF-8 (byte 0xed)" },
		{ .in = "ok\n" X62 "\xC1\xBF\n", .want = "1@1:[ok]\n",
		  .werr = NAME ": record 2 (line 2), column 63: invalid UTF-8 (byte 0xc1)" },
		/* NULL against "", after a long field */
		{ .in = X62 ",,\"\",\n,\"\"\n", .want = "1@1:[" X62 "]N[]N\n2@2:N[]\n" },
		/* errors past the first window */
		{ .in = X62 "ab\"c\n", .want = "",
		  .werr = NAME ": record 1 (line 1), column 65: unexpected quote in unquoted field" },
		{ .in = "\"a\n" X62 "\n" X62, .want = "",
		  .werr = NAME ": record 1 (line 1): field 1: quoted field not closed at end of file" },
		/* a BOM, then a record that is all quotes and commas */
		{ .in = "\xEF\xBB\xBF\",\",\",\"\n", .want = "1@1:[,][,]\n" },
	};

	(void)state;
	run_cases(c, BS_ARRAY_SIZE(c));
}

/*
 * The fast path (whole records parsed without libcsv) against libcsv: a
 * chunk of one byte never holds a whole record, so it is libcsv alone.
 * Random inputs -- well-formed CSV written by our writer, then mutated --
 * must give the same records, positions and error at every other chunk
 * size, through a stream and through a block source.
 */
static unsigned
rnd(unsigned *seed, unsigned n)
{
	*seed = *seed * 1103515245 + 12345;
	return (*seed / 65536) % n;
}

static void
gen_input(unsigned *seed, struct bs_buf *in)
{
	static const char *const pieces[] = {
		"a", "b", "Z", "0", " ", ",", "\"", "\n", "\r\n", "\r", "中", "文",
		"\xF0\x9F\x98\x80", "\xE0\xA0\x80", "\xED\x9F\xBF", "\xF4\x8F\xBF\xBF",
		"abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz",
		"王芳,保费分期缴纳,\"代理人：张某 已电话回访\"",
	};
	static const char *const junk[] = {
		"\"", ",", "\n", "\r", "\r\n", "\xFF", "\xE4", "\xC0\xAF", "\xED\xA0\x80",
		"\xF4\x90\x80\x80", "\xE0\x80\x80", "\xF0\x80\x80\x80", "\x80", "x",
		"\"\"", "\xEF\xBB\xBF",
	};
	struct bs_buf f = BS_BUF_INIT(0);
	size_t nrec = 1 + rnd(seed, 6), nf = 1 + rnd(seed, 5), i, j, k, np;

	bs_buf_reset(in);
	if (rnd(seed, 8) == 0)
		bs_buf_adds(in, "\xEF\xBB\xBF");
	for (i = 0; i < nrec; i++) {
		if (rnd(seed, 10) == 0)
			nf = 1 + rnd(seed, 5);	/* a ragged record */
		for (j = 0; j < nf; j++) {
			if (j)
				bs_buf_addc(in, ',');
			if (rnd(seed, 6) == 0)
				continue;	/* NULL */
			bs_buf_reset(&f);
			np = rnd(seed, 6);
			for (k = 0; k < np; k++)
				bs_buf_adds(&f, pieces[rnd(seed, BS_ARRAY_SIZE(pieces))]);
			if (f.len == 0 || rnd(seed, 3) == 0) {
				/* quoted, as the writer would, or always */
				bs_buf_addc(in, '"');
				for (k = 0; k < f.len; k++) {
					if (f.buf[k] == '"')
						bs_buf_addc(in, '"');
					bs_buf_addc(in, f.buf[k]);
				}
				bs_buf_addc(in, '"');
			} else {
				bs_csv_buf_field(in, f.buf, f.len);
			}
		}
		switch (rnd(seed, 8)) {
		case 0: bs_buf_adds(in, "\r\n"); break;
		case 1: if (i + 1 == nrec) break; /* FALLTHROUGH */
		default: bs_buf_addc(in, '\n'); break;
		}
		if (rnd(seed, 12) == 0)
			bs_buf_adds(in, rnd(seed, 2) ? "\n" : "\r\n");	/* blank */
	}
	/* mutations: most inputs get none, some several */
	np = rnd(seed, 3) ? 0 : 1 + rnd(seed, 3);
	for (k = 0; k < np && in->len; k++) {
		const char *jk = junk[rnd(seed, BS_ARRAY_SIZE(junk))];
		size_t at = rnd(seed, (unsigned)in->len + 1), jl = strlen(jk);

		if (rnd(seed, 4) == 0 && at < in->len) {
			memmove(in->buf + at, in->buf + at + 1, in->len - at - 1);
			in->len--;
			continue;
		}
		bs_buf_grow(in, jl);
		memmove(in->buf + at + jl, in->buf + at, in->len - at);
		memcpy(in->buf + at, jk, jl);
		in->len += jl;
	}
	in->buf[in->len] = '\0';
	bs_buf_release(&f);
}

static void
test_fast_vs_libcsv(void **state)
{
	static const size_t chunks[] = { 2, 3, 5, 8, 17, 63, 64, 65, 100, 4096 };
	struct bs_buf in = BS_BUF_INIT(0);
	unsigned seed = 20240611;
	size_t iter, i;
	int src;

	(void)state;
	for (iter = 0; iter < 4000; iter++) {
		struct rcase c;
		struct bs_buf want = BS_BUF_INIT(0);
		struct bs_err werr = BS_ERR_INIT;
		int wrc;

		gen_input(&seed, &in);
		memset(&c, 0, sizeof(c));
		c.in = in.buf;
		c.header = rnd(&seed, 3) == 0;
		c.no_utf8 = rnd(&seed, 5) == 0;
		if (rnd(&seed, 6) == 0)
			c.max_field = 1 + rnd(&seed, 40);
		if (rnd(&seed, 8) == 0)
			c.max_fields = 1 + rnd(&seed, 5);
		if (rnd(&seed, 8) == 0)
			c.max_record = 1 + rnd(&seed, 100);
		wrc = read_all(&c, in.len, 1, 0, &want, &werr);
		for (i = 0; i < 2 * BS_ARRAY_SIZE(chunks) + 1; i++) {
			struct bs_buf got = BS_BUF_INIT(0);
			struct bs_err gerr = BS_ERR_INIT;
			size_t chunk = i < 2 * BS_ARRAY_SIZE(chunks) ? chunks[i / 2] :
			    in.len + 1;
			int grc;

			src = (int)(i % 2);
			grc = read_all(&c, in.len, chunk, src, &got, &gerr);
			if (grc != wrc || strcmp(bs_buf_str(&got), bs_buf_str(&want)) ||
			    (wrc < 0 && (gerr.code != werr.code ||
				strcmp(gerr.msg, werr.msg)))) {
				print_error("iteration %zu, chunk %zu%s, input (%zu bytes):\n",
				    iter, chunk, src ? " (block source)" : "", in.len);
				for (size_t b = 0; b < in.len; b++)
					print_error("\\x%02x", (unsigned char)in.buf[b]);
				print_error("\nlibcsv (rc %d): %s\n%s\nfast (rc %d): %s\n%s\n",
				    wrc, werr.msg, bs_buf_str(&want), grc, gerr.msg,
				    bs_buf_str(&got));
				fail();
			}
			bs_buf_release(&got);
		}
		bs_buf_release(&want);
	}
	bs_buf_release(&in);
}

/* ---------------------------------------------------------------- writer */

struct wdir {
	char dir[64];
	char path[128];
};

static void
wdir_init(struct wdir *d)
{
	snprintf(d->dir, sizeof(d->dir), "/tmp/test_csv.XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	snprintf(d->path, sizeof(d->path), "%s/out.csv", d->dir);
}

static void
wdir_done(struct wdir *d)
{
	unlink(d->path);
	rmdir(d->dir);
}

static char *
slurp(const char *path, size_t *len)
{
	struct bs_buf b = BS_BUF_INIT(0);
	char tmp[4096];
	size_t n;
	FILE *fp = fopen(path, "rb");

	assert_non_null(fp);
	while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
		bs_buf_add(&b, tmp, n);
	fclose(fp);
	return bs_buf_detach(&b, len);
}

static void
test_buf_field(void **state)
{
	struct bs_buf b = BS_BUF_INIT(0);
	struct bs_buf small = BS_BUF_INIT(5);

	(void)state;
	assert_int_equal(bs_csv_buf_field(&b, NULL, 0), 0);
	assert_int_equal(b.len, 0);
	bs_csv_buf_field(&b, "", 0);
	bs_buf_addc(&b, '|');
	bs_csv_buf_field(&b, "plain text", 10);
	bs_buf_addc(&b, '|');
	bs_csv_buf_field(&b, "a,b", 3);
	bs_buf_addc(&b, '|');
	bs_csv_buf_field(&b, "\"", 1);
	bs_buf_addc(&b, '|');
	bs_csv_buf_field(&b, "x\"y\"", 4);
	bs_buf_addc(&b, '|');
	bs_csv_buf_field(&b, "cr\r", 3);
	bs_buf_addc(&b, '|');
	bs_csv_buf_field(&b, "lf\n", 3);
	bs_buf_addc(&b, '|');
	bs_csv_buf_field(&b, " 中文 ", 8);
	bs_buf_addc(&b, '|');
	bs_csv_buf_field(&b, "abcdef", 3);	/* only len bytes */
	assert_string_equal(bs_buf_str(&b),
	    "\"\"|plain text|\"a,b\"|\"\"\"\"|\"x\"\"y\"\"\"|\"cr\r\"|\"lf\n\"| 中文 |abc");
	assert_int_equal(bs_csv_buf_field(&small, "a,b", 3), 0);	/* 5 bytes */
	assert_int_equal(bs_csv_buf_field(&small, "a", 1), -1);
	assert_int_equal(small.len, 5);
	bs_buf_release(&b);
	bs_buf_release(&small);
}

static void
test_writer_bytes(void **state)
{
	static const char want[] =
	    "plain,,\"\",\"a,b\",\"say \"\"hi\"\"\",\"l1\nl2\",\"cr\r\", spaced ,中文,\"\"\"\"\n"
	    ",\n"
	    "x,\n"
	    "\"\"\n";
	static const char *const rec3[] = { "x", NULL };
	struct wdir d;
	struct bs_ofile o;
	struct bs_csv_writer w;
	struct bs_err err = BS_ERR_INIT;
	char *got;
	size_t n;

	(void)state;
	wdir_init(&d);
	assert_int_equal(bs_ofile_open(&o, d.path, 0, &err), 0);
	bs_csv_writer_init(&w, &o);
	assert_int_equal(bs_csv_write_str(&w, "plain", &err), 0);
	assert_int_equal(bs_csv_write_field(&w, NULL, 0, &err), 0);
	assert_int_equal(bs_csv_write_field(&w, "", 0, &err), 0);
	assert_int_equal(bs_csv_write_str(&w, "a,b", &err), 0);
	assert_int_equal(bs_csv_write_str(&w, "say \"hi\"", &err), 0);
	assert_int_equal(bs_csv_write_str(&w, "l1\nl2", &err), 0);
	assert_int_equal(bs_csv_write_str(&w, "cr\r", &err), 0);
	assert_int_equal(bs_csv_write_str(&w, " spaced ", &err), 0);
	assert_int_equal(bs_csv_write_str(&w, "中文", &err), 0);
	assert_int_equal(bs_csv_write_str(&w, "\"", &err), 0);
	assert_int_equal(bs_csv_end_record(&w, &err), 0);
	assert_int_equal(bs_csv_write_str(&w, NULL, &err), 0);
	assert_int_equal(bs_csv_write_str(&w, NULL, &err), 0);
	assert_int_equal(bs_csv_end_record(&w, &err), 0);
	assert_int_equal(bs_csv_write_record(&w, rec3, 2, &err), 0);
	assert_int_equal(bs_csv_write_field(&w, "", 0, &err), 0);
	assert_int_equal(bs_csv_end_record(&w, &err), 0);
	/* a record without fields is a bug */
	assert_int_equal(bs_csv_end_record(&w, &err), -1);
	assert_int_equal(err.code, BS_EXIT_SOFTWARE);
	assert_int_equal(w.nrecords, 4);
	assert_int_equal(o.bytes, sizeof(want) - 1);
	bs_csv_writer_release(&w);
	assert_int_equal(bs_ofile_commit(&o, &err), 0);
	got = slurp(d.path, &n);
	assert_int_equal(n, sizeof(want) - 1);
	assert_memory_equal(got, want, n);
	free(got);
	wdir_done(&d);
}

/* A record of test data: NULL entries are NULLs. */
struct trec {
	size_t n;
	const char *v[8];
	size_t len[8];
};

static void
check_read_back(const char *path, const struct trec *t, size_t nt, int header,
    size_t chunk)
{
	struct bs_csv_opts o = BS_CSV_OPTS_INIT;
	struct bs_csv_reader r;
	struct bs_err err = BS_ERR_INIT;
	size_t i, j, n;
	const char *v;

	o.header = header;
	o.chunk = chunk;
	if (bs_csv_open(&r, path, &o, &err) < 0)
		fail_msg("%s", err.msg);
	for (i = header ? 1 : 0; i < nt; i++) {
		if (bs_csv_next(&r, &err) != 1)
			fail_msg("record %zu, chunk %zu: %s", i, chunk, err.msg);
		assert_int_equal(bs_csv_nfields(&r), t[i].n);
		for (j = 0; j < t[i].n; j++) {
			v = bs_csv_field(&r, j, &n);
			if (!t[i].v[j]) {
				assert_null(v);
				continue;
			}
			assert_non_null(v);
			assert_int_equal(n, t[i].len[j]);
			assert_memory_equal(v, t[i].v[j], n);
		}
	}
	assert_int_equal(bs_csv_next(&r, &err), 0);
	bs_csv_close(&r);
}

static void
write_recs(const char *path, const struct trec *t, size_t nt)
{
	struct bs_ofile o;
	struct bs_csv_writer w;
	struct bs_err err = BS_ERR_INIT;
	size_t i, j;

	assert_int_equal(bs_ofile_open(&o, path, BS_OFILE_NOHASH, &err), 0);
	bs_csv_writer_init(&w, &o);
	for (i = 0; i < nt; i++) {
		for (j = 0; j < t[i].n; j++)
			assert_int_equal(bs_csv_write_field(&w, t[i].v[j],
			    t[i].len[j], &err), 0);
		assert_int_equal(bs_csv_end_record(&w, &err), 0);
	}
	assert_int_equal(w.nrecords, nt);
	bs_csv_writer_release(&w);
	assert_int_equal(bs_ofile_commit(&o, &err), 0);
}

static void
test_round_trip(void **state)
{
	static const char *const pieces[] = {
		"a", "Z", "0", ",", "\"", "\r\n", "\n", "\r", " ", "\t", "中", "文",
		"\xF0\x9F\x98\x80", "''", "\\N",
	};
	struct trec t[300];
	struct trec one[6] = {
		{ 1, { "v" }, { 1 } },
		{ 1, { NULL }, { 0 } },
		{ 1, { "" }, { 0 } },
		{ 1, { "a" }, { 1 } },
		{ 1, { NULL }, { 0 } },
		{ 1, { "\r\n" }, { 2 } },
	};
	static char pool[300][8][40];
	static const size_t chunks[] = { 1, 2, 3, 5, 64, 4096, 65536 };
	unsigned seed = 12345;
	struct wdir d;
	size_t i, j, k, np, len;

	(void)state;
	wdir_init(&d);
	for (i = 0; i < BS_ARRAY_SIZE(t); i++) {
		/* one-field records are never NULL: that is a blank line */
		t[i].n = 1 + (seed = seed * 1103515245 + 12345) / 65536 % 6;
		for (j = 0; j < t[i].n; j++) {
			seed = seed * 1103515245 + 12345;
			if (seed / 65536 % 7 == 0 && t[i].n > 1) {
				t[i].v[j] = NULL;
				t[i].len[j] = 0;
				continue;
			}
			np = (seed = seed * 1103515245 + 12345) / 65536 % 8;
			len = 0;
			for (k = 0; k < np; k++) {
				const char *p = pieces[(seed = seed * 1103515245 + 12345) /
				    65536 % BS_ARRAY_SIZE(pieces)];
				memcpy(pool[i][j] + len, p, strlen(p));
				len += strlen(p);
			}
			t[i].v[j] = pool[i][j];
			t[i].len[j] = len;
		}
	}
	write_recs(d.path, t, BS_ARRAY_SIZE(t));
	for (i = 0; i < BS_ARRAY_SIZE(chunks); i++)
		check_read_back(d.path, t, BS_ARRAY_SIZE(t), 0, chunks[i]);
	wdir_done(&d);

	/* one column with a header: NULLs survive as blank lines */
	wdir_init(&d);
	write_recs(d.path, one, BS_ARRAY_SIZE(one));
	for (i = 0; i < BS_ARRAY_SIZE(chunks); i++)
		check_read_back(d.path, one, BS_ARRAY_SIZE(one), 1, chunks[i]);
	{
		size_t n;
		char *got = slurp(d.path, &n);

		assert_int_equal(n, 14);
		assert_memory_equal(got, "v\n\n\"\"\na\n\n\"\r\n\"\n", n);
		free(got);
	}
	wdir_done(&d);
}

static void
test_writer_long_record(void **state)
{
	/* records longer than the writer's flush size */
	static char big[200000];
	struct trec t[3];
	struct wdir d;

	(void)state;
	memset(big, 'x', sizeof(big));
	big[1000] = '"';
	big[150000] = ',';
	t[0] = (struct trec){ 3, { big, "", big }, { sizeof(big), 0, 70000 } };
	t[1] = (struct trec){ 2, { "a", NULL }, { 1, 0 } };
	t[2] = (struct trec){ 1, { big }, { sizeof(big) } };
	wdir_init(&d);
	write_recs(d.path, t, 3);
	check_read_back(d.path, t, 3, 0, 4096);
	wdir_done(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_line_ends),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_null_empty),
		cmocka_unit_test(test_chinese),
		cmocka_unit_test(test_blank_lines),
		cmocka_unit_test(test_multiline),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_header_index),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_open_path),
		cmocka_unit_test(test_fast_path),
		cmocka_unit_test(test_fast_vs_libcsv),
		cmocka_unit_test(test_buf_field),
		cmocka_unit_test(test_writer_bytes),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_writer_long_record),
	};

	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
