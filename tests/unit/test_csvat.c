/*
 * test_csvat.c - reading a record again from its offset (lib/csvat.h),
 * and the offsets bs_csv_offset() gives (lib/csv.h).
 *
 * Every input is read at every chunk size; each record is then read again
 * from its offset and must have the same fields.
 */
#include "bs.h"
#include "csvat.h"

#include <setjmp.h>
#include <cmocka.h>
#include "tutil.h"

static void
same_record(const struct bs_csv_reader *a, const struct bs_csv_reader *b)
{
	size_t i, n, m;
	const char *u, *v;

	assert_int_equal(bs_csv_nfields(a), bs_csv_nfields(b));
	for (i = 0; i < bs_csv_nfields(a); i++) {
		u = bs_csv_field(a, i, &n);
		v = bs_csv_field(b, i, &m);
		assert_int_equal(u == NULL, v == NULL);
		assert_int_equal(n, m);
		if (n)
			assert_memory_equal(u, v, n);
	}
}

/* A block source over a string, chunk bytes at a time (bs_csv_open_src). */
struct msrc {
	const char *in;
	size_t len, pos, chunk;
};

static ssize_t
msrc_next(void *ctx, const char **p)
{
	struct msrc *m = ctx;
	size_t k = m->len - m->pos < m->chunk ? m->len - m->pos : m->chunk;

	*p = m->in + m->pos;
	m->pos += k;
	return (ssize_t)k;
}

/*
 * Read in (len bytes) with a header or not, at every chunk size, from a
 * stream and from a block source; check each record against its
 * re-reading; offs (if not NULL) lists the offsets wanted.
 */
static void
check_input(const char *in, size_t len, int header, const uint64_t *offs,
    size_t noffs)
{
	FILE *fp = tu_mem_file(in, len);
	size_t chunk;

	for (chunk = 1; chunk <= 2 * (len + 2); chunk++) {
		struct bs_csv_opts o = BS_CSV_OPTS_INIT;
		struct bs_csv_reader r;
		struct bs_err err = BS_ERR_INIT;
		struct msrc m = { in, len, 0, chunk - (len + 2) };
		struct bs_csv_src src = { msrc_next, &m };
		size_t k = 0;
		int rc;

		rewind(fp);
		o.header = header;
		if (chunk <= len + 2) {
			o.chunk = chunk;
			assert_int_equal(bs_csv_open_fp(&r, fp, "t.csv", &o, &err), 0);
		} else {
			assert_int_equal(bs_csv_open_src(&r, &src, "t.csv", &o, &err), 0);
		}
		while ((rc = bs_csv_next(&r, &err)) == 1) {
			struct bs_csvat a;

			if (offs) {
				assert_true(k < noffs);
				assert_int_equal(bs_csv_offset(&r), offs[k]);
			}
			k++;
			/* a one-column NULL (a blank line) cannot be read again */
			if (header && bs_csv_header_count(&r) == 1 &&
			    !bs_csv_field(&r, 0, NULL))
				continue;
			if (bs_csvat_read(&a, fileno(fp), bs_csv_offset(&r), &o, "t.csv",
			    &err) != 0)
				fail_msg("chunk %zu, record %zu: %s", chunk, k, err.msg);
			same_record(&r, &a.r);
			bs_csvat_close(&a);
		}
		if (rc != 0)
			fail_msg("chunk %zu: %s", chunk, err.msg);
		if (offs)
			assert_int_equal(k, noffs);
		bs_csv_close(&r);
	}
	fclose(fp);
}

static void
test_offsets(void **state)
{
	static const char in1[] = "id,v\n1,a\n\n2,\"x\ny\"\r\n\r\n3,\n";
	static const uint64_t o1[] = { 5, 10, 21 };
	static const char in2[] = "\xEF\xBB\xBF" "a\n\"b\n\"\nc";
	static const uint64_t o2[] = { 3, 5, 10 };
	static const char in3[] = "\xEF\xBB\xBF" "h\n\xEF\xBB\xBF" "x\n\n\"\"\n";
	static const uint64_t o3[] = { 5, 10, 11 };

	(void)state;
	check_input(in1, sizeof(in1) - 1, 1, o1, BS_ARRAY_SIZE(o1));
	check_input(in2, sizeof(in2) - 1, 0, o2, BS_ARRAY_SIZE(o2));
	/* a BOM in data is data; a one-column NULL is at its blank line */
	check_input(in3, sizeof(in3) - 1, 1, o3, BS_ARRAY_SIZE(o3));
}

static void
test_reread(void **state)
{
	static const char *const in[] = {
		"h1,h2\n\"a\nb\nc\",x\nd,e\n\"\n\",\"\r\n\"\nz,z\n",
		"x\n\"\nA\"\n\n\"\r\nB\",\"\"\n",
		"姓名,金额,备注\n张三,\"1,000\",\"他说\"\"好\"\"\"\n李四,,\n",
		"\n\na,b\n\n\nc,d\n\n",
		"\r\n\r\na\r\n\r\nb",
		"a,,\"\",\n\"\"\n,\n",
		"\xEF\xBB\xBF\xEF\xBB\xBF,1\n\xEF\xBB\xBF" "q,\"2\"\r\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < BS_ARRAY_SIZE(in); i++) {
		check_input(in[i], strlen(in[i]), 0, NULL, 0);
		check_input(in[i], strlen(in[i]), 1, NULL, 0);
	}
}

static void
test_errors(void **state)
{
	static const char in[] = "a,b\n\"open\n";
	FILE *fp = tu_mem_file(in, sizeof(in) - 1);
	struct bs_csvat a;
	struct bs_err err = BS_ERR_INIT;

	(void)state;
	/* past the end: no record */
	assert_int_equal(bs_csvat_read(&a, fileno(fp), 100, NULL, "t.csv", &err), -1);
	assert_int_equal(err.code, BS_EXIT_DATAERR);
	assert_string_equal(err.msg, "t.csv: cannot read the record at byte 100 "
	    "again (did the file change while it was read?): end of file");
	bs_csvat_close(&a);
	/* not where a record starts */
	assert_int_equal(bs_csvat_read(&a, fileno(fp), 4, NULL, "t.csv", &err), -1);
	assert_int_equal(err.code, BS_EXIT_DATAERR);
	assert_non_null(strstr(err.msg, "at byte 4 again"));
	assert_non_null(strstr(err.msg, "quoted field not closed at end of file"));
	bs_csvat_close(&a);
	/* a bad descriptor */
	assert_int_equal(bs_csvat_read(&a, -1, 0, NULL, "t.csv", &err), -1);
	assert_int_equal(err.code, BS_EXIT_IOERR);
	bs_csvat_close(&a);
	bs_csvat_close(NULL);
	fclose(fp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_reread),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests_name("csvat", tests, NULL, NULL);
}
