#include "bs.h"
#include "layout.h"
#include "date.h"

#include <setjmp.h>
#include <cmocka.h>

static char tmpdir[] = "/tmp/bs-test-layout.XXXXXX";

static char *
tmp_file(const char *name, const char *content)
{
	char *path = bs_xasprintf("%s/%s", tmpdir, name);
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(content, 1, strlen(content), fp), strlen(content));
	assert_int_equal(fclose(fp), 0);
	return path;
}

static int
setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int
cleanup(void **state)
{
	char *cmd = bs_xasprintf("rm -rf '%s'", tmpdir);

	(void)state;
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

static const char good[] =
    "layout: t\n"
    "title: 测试\n"
    "defaults:\n"
    "  encoding: GB18030\n"
    "  line_end: CRLF\n"
    "  delimiter: \"|\"\n"
    "  control: {name: \"{stem}.ctl\", lines: [\"{file}|{rows}|{sums}|{sha256:upper}\"]}\n"
    "maps:\n"
    "  st: {file: st.csv}\n"
    "  yn: {values: {\"1\": Y, \"0\": N}}\n"
    "files:\n"
    "  - table: policy\n"
    "    code: BD003\n"
    "    name: \"{org}_{table}_{period:%Y%m%d}.txt\"\n"
    "    key: [policy_no]\n"
    "    sum: [BF]\n"
    "    fields:\n"
    "      - {name: BDH, column: policy_no}\n"
    "      - {name: QDRQ, column: sign_date, date: YYYYMMDD}\n"
    "      - {name: ZT, column: status, map: st}\n"
    "      - {name: BF, column: total_premium, decimal: 2}\n"
    "      - {name: QD, expr: \"coalesce(channel, '99')\"}\n"
    "      - {name: BZ, value: CNY}\n"
    "  - table: policy\n"
    "    code: BD003F\n"
    "    form: fixed\n"
    "    encoding: GBK\n"
    "    line_end: LF\n"
    "    header: true\n"
    "    max_rows: 1000\n"
    "    name: \"{org}_{table}_{seq:3}.dat\"\n"
    "    control: none\n"
    "    fields:\n"
    "      - {name: 保单号, column: policy_no, width: 20}\n"
    "      - {name: BF, column: total_premium, decimal: 2, width: 12, pad: \"0\"}\n"
    "      - {name: XM, column: holder, width: 10, align: right, null: \"-\"}\n";

static void
test_good(void **state)
{
	struct bs_layout l;
	struct bs_err err = BS_ERR_INIT;
	char *st = tmp_file("st.csv", "from,to\n01,1\n02,2\n");
	char *p = tmp_file("good.yaml", good);
	const struct bs_lay_file *f;

	(void)state;
	if (bs_layout_load(&l, p, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(l.name, "t");
	assert_string_equal(l.title, "测试");
	assert_int_equal(strlen(l.sha256), 64);
	assert_int_equal(l.nmaps, 2);
	assert_string_equal(bs_lay_map_get(&l.maps[0], "02", 2), "2");
	assert_null(bs_lay_map_get(&l.maps[0], "03", 2));
	assert_null(bs_lay_map_get(&l.maps[0], "0", 1));
	assert_string_equal(bs_lay_map_get(&l.maps[1], "0", 1), "N");
	assert_non_null(l.maps[0].version);
	assert_int_equal(l.nfiles, 2);
	f = &l.files[0];
	assert_string_equal(f->table, "policy");
	assert_string_equal(f->code, "BD003");
	assert_int_equal(f->form, BS_LAY_DELIMITED);
	assert_int_equal(f->enc, BS_ENC_GB18030);
	assert_string_equal(f->eol, "\r\n");
	assert_int_equal(f->delim, '|');
	assert_int_equal(f->qualifier, 0);
	assert_true(f->byte_safe);
	assert_true(f->last_eol);
	assert_false(f->header);
	assert_int_equal(f->nkey, 1);
	assert_string_equal(f->key[0], "policy_no");
	assert_int_equal(f->nfields, 6);
	assert_int_equal(f->fields[1].kind, BS_LAY_DATE);
	assert_int_equal(f->fields[2].map, &l.maps[0]);
	assert_int_equal(f->fields[3].kind, BS_LAY_DECIMAL);
	assert_int_equal(f->fields[3].scale, 2);
	assert_int_equal(f->fields[4].src, BS_LAY_EXPR);
	assert_string_equal(f->fields[4].expr, "coalesce(channel, '99')");
	assert_int_equal(f->fields[4].expr_pos.line, 22);
	assert_true(f->fields[4].expr_pos.quoted);
	assert_int_equal(f->fields[5].src, BS_LAY_VALUE);
	assert_int_equal(f->nsum, 1);
	assert_int_equal(f->sum[0], 3);
	assert_non_null(f->control);
	assert_string_equal(f->control->sep, "|");
	assert_int_equal(f->control->enc, BS_ENC_GB18030);
	f = &l.files[1];
	assert_int_equal(f->form, BS_LAY_FIXED);
	assert_int_equal(f->enc, BS_ENC_GBK);
	assert_string_equal(f->eol, "\n");
	assert_int_equal(f->max_rows, 1000);
	assert_null(f->control);
	assert_int_equal(f->fields[0].width, 20);
	assert_false(f->fields[0].align_right);
	assert_true(f->fields[1].align_right);
	assert_int_equal(f->fields[1].pad, '0');
	assert_true(f->fields[2].align_right);
	assert_string_equal(f->fields[2].null_text, "-");
	bs_layout_release(&l);
	free(p);
	free(st);
}

static void
test_expand(void **state)
{
	struct bs_layout l;
	struct bs_err err = BS_ERR_INIT;
	char *st = tmp_file("st.csv", "from,to\n01,1\n");
	char *p = tmp_file("good.yaml", good);
	struct bs_lay_vars v;
	struct bs_buf b = BS_BUF_INIT(0);
	const char *sums[6] = { NULL, NULL, NULL, "1234.50", NULL, NULL };

	(void)state;
	if (bs_layout_load(&l, p, &err) < 0)
		fail_msg("%s", err.msg);
	memset(&v, 0, sizeof(v));
	v.org = "000001";
	v.table = "BD003";
	v.period = "2026-10";
	assert_int_equal(bs_date_from_ymd(2026, 10, 1, &v.period_start), 0);
	assert_int_equal(bs_date_from_ymd(2026, 10, 31, &v.period_end), 0);
	v.seq = 7;
	assert_int_equal(bs_lay_expand(&l.files[0].name, &v, &b, &err), 0);
	assert_string_equal(b.buf, "000001_BD003_20261031.txt");
	bs_buf_reset(&b);
	assert_int_equal(bs_lay_expand(&l.files[1].name, &v, &b, &err), 0);
	assert_string_equal(b.buf, "000001_BD003_007.dat");
	bs_buf_reset(&b);
	v.file = "000001_BD003_20261031.txt";
	v.rows = 12;
	v.sha256 = "ab12";
	v.sums = sums;
	v.sum_list = l.files[0].sum;
	v.nsum_list = l.files[0].nsum;
	assert_int_equal(bs_lay_expand(&l.files[0].control->name, &v, &b, &err), 0);
	assert_string_equal(b.buf, "000001_BD003_20261031.ctl");
	bs_buf_reset(&b);
	assert_int_equal(bs_lay_expand(&l.files[0].control->lines[0], &v, &b, &err), 0);
	assert_string_equal(b.buf, "000001_BD003_20261031.txt|12|1234.50|AB12");
	bs_buf_reset(&b);
	v.period = NULL;
	assert_int_equal(bs_lay_expand(&l.files[0].name, &v, &b, &err), -1);
	assert_int_equal(err.code, BS_EXIT_USAGE);
	assert_non_null(strstr(err.msg, "{period}"));
	v.org = NULL;
	assert_int_equal(bs_lay_expand(&l.files[1].name, &v, &b, &err), -1);
	assert_non_null(strstr(err.msg, "{org}"));
	bs_buf_release(&b);
	bs_layout_release(&l);
	free(p);
	free(st);
}

static void
test_dates(void **state)
{
	struct bs_layout l;
	struct bs_err err = BS_ERR_INIT;
	struct bs_buf b = BS_BUF_INIT(0);
	char *p = tmp_file("d.yaml",
	    "layout: d\n"
	    "files:\n"
	    "  - table: t\n"
	    "    name: t.txt\n"
	    "    fields:\n"
	    "      - {column: a, date: YYYYMMDD}\n"
	    "      - {column: b, date: YYYY年MM月DD日}\n"
	    "      - {column: c, date: YYYYMMDDHHMISS}\n"
	    "      - {column: d, date: YYYY-MM}\n");
	const struct bs_lay_field *fl;

	(void)state;
	if (bs_layout_load(&l, p, &err) < 0)
		fail_msg("%s", err.msg);
	fl = l.files[0].fields;
	assert_int_equal(bs_lay_date_format(&fl[0].date, "2026-10-31", 10, &b), 0);
	assert_string_equal(b.buf, "20261031");
	bs_buf_reset(&b);
	assert_int_equal(bs_lay_date_format(&fl[1].date, "2026-02-03", 10, &b), 0);
	assert_string_equal(b.buf, "2026年02月03日");
	bs_buf_reset(&b);
	assert_int_equal(bs_lay_date_format(&fl[2].date, "2026-02-03 08:09:10.5",
	    21, &b), 0);
	assert_string_equal(b.buf, "20260203080910");
	bs_buf_reset(&b);
	assert_int_equal(bs_lay_date_format(&fl[2].date, "2026-02-03", 10, &b), 0);
	assert_string_equal(b.buf, "20260203000000");
	bs_buf_reset(&b);
	assert_int_equal(bs_lay_date_format(&fl[3].date, "2026-02-03", 10, &b), 0);
	assert_string_equal(b.buf, "2026-02");
	bs_buf_reset(&b);
	/* leap years */
	assert_int_equal(bs_lay_date_format(&fl[0].date, "2024-02-29", 10, &b), 0);
	assert_int_equal(bs_lay_date_format(&fl[0].date, "2000-02-29", 10, &b), 0);
	assert_string_equal(b.buf, "2024022920000229");
	bs_buf_reset(&b);
	/* not dates: nothing appended */
	assert_int_equal(bs_lay_date_format(&fl[0].date, "2026-02-29", 10, &b), -1);
	assert_int_equal(bs_lay_date_format(&fl[0].date, "1900-02-29", 10, &b), -1);
	assert_int_equal(bs_lay_date_format(&fl[0].date, "2026-13-01", 10, &b), -1);
	assert_int_equal(bs_lay_date_format(&fl[0].date, "2026-00-10", 10, &b), -1);
	assert_int_equal(bs_lay_date_format(&fl[0].date, "2026-04-31", 10, &b), -1);
	assert_int_equal(bs_lay_date_format(&fl[0].date, "2026-04-00", 10, &b), -1);
	assert_int_equal(bs_lay_date_format(&fl[0].date, "0000-01-01", 10, &b), -1);
	assert_int_equal(bs_lay_date_format(&fl[0].date, "2026/04/01", 10, &b), -1);
	assert_int_equal(bs_lay_date_format(&fl[0].date, "2026-02-30", 10, &b), -1);
	assert_int_equal(bs_lay_date_format(&fl[0].date, "20261031", 8, &b), -1);
	assert_int_equal(bs_lay_date_format(&fl[0].date, "2026-02-03 08:09:10",
	    19, &b), -1);	/* a date pattern does not drop a time */
	assert_int_equal(b.len, 0);
	bs_buf_release(&b);
	bs_layout_release(&l);
	free(p);
}

#define FILE_HEAD "layout: e\nfiles:\n  - table: t\n    name: t.txt\n"

static const struct {
	const char *yaml;
	int code;
	const char *msg;
} bad[] = {
	{ "layout: e\n", BS_EXIT_CONFIG, "e.yaml:1:1: missing required key 'files'" },
	{ "layout: e\nfiles: []\nextra: 1\n", BS_EXIT_CONFIG,
	    "e.yaml:3:1: unknown key 'extra'" },
	{ FILE_HEAD "    encoding: BIG5\n    fields: [{column: a}]\n", BS_EXIT_CONFIG,
	    "e.yaml:5:15: unknown encoding 'BIG5' (GB18030, GBK or UTF-8)" },
	{ FILE_HEAD "    encoding: GBK\n    bom: true\n    fields: [{column: a}]\n",
	    BS_EXIT_CONFIG, "e.yaml:6:10: GBK has no byte order mark" },
	{ FILE_HEAD "    line_end: CR\n    fields: [{column: a}]\n", BS_EXIT_CONFIG,
	    "line_end must be CRLF or LF, not 'CR'" },
	{ FILE_HEAD "    form: fixed\n    fields: [{column: a}]\n", BS_EXIT_CONFIG,
	    "e.yaml:6:14: field 'a' needs a width: (bytes in UTF-8)" },
	{ FILE_HEAD "    fields: [{column: a, width: 3}]\n", BS_EXIT_CONFIG,
	    "width:, align: and pad: are for fixed-width files" },
	{ FILE_HEAD "    fields: [{column: a, date: DDMMYY}]\n", BS_EXIT_CONFIG,
	    "date pattern 'DDMMYY' must be made of YYYY" },
	{ FILE_HEAD "    fields: [{column: a, date: XX}]\n", BS_EXIT_CONFIG,
	    "date pattern 'XX'" },
	{ "layout: e\nfiles:\n  - table: t\n    name: \"{org}_{tabel}.txt\"\n"
	    "    fields: [{column: a}]\n", BS_EXIT_CONFIG,
	    "e.yaml:4:11: file name '{org}_{tabel}.txt': unknown variable '{tabel}'" },
	{ "layout: e\nfiles:\n  - table: t\n    name: \"{rows}.txt\"\n"
	    "    fields: [{column: a}]\n", BS_EXIT_CONFIG,
	    "unknown variable '{rows}' (only in control files)" },
	{ "layout: e\nfiles:\n  - table: t\n    name: \"{period:}.txt\"\n"
	    "    fields: [{column: a}]\n", BS_EXIT_CONFIG,
	    "'{period}' needs a date format" },
	{ "layout: e\nfiles:\n  - table: t\n    name: \"{today}.txt\"\n"
	    "    fields: [{column: a}]\n", BS_EXIT_CONFIG,
	    "'{today}' needs a date format" },
	{ "layout: e\nfiles:\n  - table: t\n    name: \"a{b.txt\"\n"
	    "    fields: [{column: a}]\n", BS_EXIT_CONFIG, "'{' without '}'" },
	{ "layout: e\nfiles:\n  - table: t\n    name: \"a/b.txt\"\n"
	    "    fields: [{column: a}]\n", BS_EXIT_CONFIG, "a file name has no '/'" },
	{ FILE_HEAD "    max_rows: 10\n    fields: [{column: a}]\n", BS_EXIT_CONFIG,
	    "the name must use {seq}" },
	{ FILE_HEAD "    control: {name: x.ctl, lines: [\"{sum:a}\"]}\n"
	    "    fields: [{column: a}]\n", BS_EXIT_CONFIG,
	    "'{sum:a}' must name a decimal or integer field of table 't'" },
	{ FILE_HEAD "    sum: [a]\n    fields: [{column: a}]\n", BS_EXIT_CONFIG,
	    "sum: 'a' is not a decimal or integer field of table 't'" },
	{ FILE_HEAD "    allow_delimiter: true\n    fields: [{column: a}]\n",
	    BS_EXIT_CONFIG, "only inside a qualifier" },
	{ FILE_HEAD "    quote: all\n    fields: [{column: a}]\n", BS_EXIT_CONFIG,
	    "quote: needs a qualifier:" },
	{ FILE_HEAD "    delimiter: ab\n    fields: [{column: a}]\n", BS_EXIT_CONFIG,
	    "'delimiter' must be one ASCII character, not 'ab'" },
	{ FILE_HEAD "    delimiter: x\n    fields: [{column: a}]\n", BS_EXIT_CONFIG,
	    "delimiter 'x' would be mistaken for data" },
	{ FILE_HEAD "    fields: [{column: a, expr: b}]\n", BS_EXIT_CONFIG,
	    "exactly one of column:, expr: and value:" },
	{ FILE_HEAD "    fields: [{expr: b}]\n", BS_EXIT_CONFIG,
	    "a field made by expr: or value: needs a name:" },
	{ FILE_HEAD "    fields: [{column: a}, {column: a}]\n", BS_EXIT_CONFIG,
	    "field name 'a' is used twice in table 't'" },
	{ FILE_HEAD "    fields: [{column: a, map: nope}]\n", BS_EXIT_CONFIG,
	    "no map named 'nope' in maps:" },
	{ FILE_HEAD "    fields: [{column: a, decimal: 2, integer: true}]\n",
	    BS_EXIT_CONFIG, "at most one of date:, decimal: and integer:" },
	{ FILE_HEAD "    fields: [{column: a, decimal: x}]\n", BS_EXIT_CONFIG,
	    "decimal: takes the number of fraction digits" },
	{ FILE_HEAD "    fields: [{column: a, value: \"x|y\", name: b}]\n",
	    BS_EXIT_CONFIG, "exactly one of" },
	{ FILE_HEAD "    delimiter: \"|\"\n    fields: [{name: b, value: \"x|y\"}]\n",
	    BS_EXIT_CONFIG, "value: holds the delimiter '|'" },
	{ FILE_HEAD "    form: fixed\n    encoding: GBK\n    header: true\n"
	    "    fields: [{name: 被保险人, column: a, width: 6}]\n", BS_EXIT_CONFIG,
	    "the header name '被保险人' is 8 bytes in GBK, wider than the field (6)" },
	{ FILE_HEAD "    form: fixed\n    encoding: GBK\n"
	    "    fields: [{name: x, value: 𠀾, width: 6}]\n", BS_EXIT_CONFIG,
	    "'𠀾' cannot be written in GBK" },
	{ FILE_HEAD "    form: fixed\n"
	    "    fields: [{name: x, value: abc, width: 2}]\n", BS_EXIT_CONFIG,
	    "value 'abc' is 3 bytes in UTF-8, wider than the field (2)" },
	{ FILE_HEAD "    form: fixed\n    delimiter: \"|\"\n"
	    "    fields: [{column: a, width: 2}]\n", BS_EXIT_CONFIG,
	    "delimiter: is for delimited files" },
	{ "layout: e\nmaps:\n  m: {file: nothere.csv}\nfiles:\n  - table: t\n"
	    "    name: t.txt\n    fields: [{column: a}]\n", BS_EXIT_NOINPUT,
	    "e.yaml:3:13: map 'm': cannot open" },
	{ "layout: e\nmaps:\n  m: {file: dup.csv}\nfiles:\n  - table: t\n"
	    "    name: t.txt\n    fields: [{column: a}]\n", BS_EXIT_CONFIG,
	    "dup.csv:3: code '01' is mapped twice" },
	{ "layout: e\nmaps:\n  m: {file: dup.csv, values: {a: b}}\nfiles: []\n",
	    BS_EXIT_CONFIG, "needs either file:" },
	{ "layout: e\ndefaults: {table: x}\nfiles: []\n", BS_EXIT_CONFIG,
	    "e.yaml:2:12: unknown key 'table'" },
	{ "layout: e\nfiles: []\n", BS_EXIT_CONFIG, "'files' must not be empty" },
	{ FILE_HEAD "    delimiter: \"|\"\n    header: true\n"
	    "    fields: [{name: \"a|b\", column: a}]\n", BS_EXIT_CONFIG,
	    "e.yaml:7:21: the header name holds the delimiter '|'" },
	{ "layout: e\nfiles:\n  - table: t\n    fields: [{column: a}]\n",
	    BS_EXIT_CONFIG, "missing required key 'name' (the file-name pattern, here or in defaults:)" },
};

static void
test_errors(void **state)
{
	char *dup = tmp_file("dup.csv", "from,to\n01,1\n01,2\n");
	size_t i;

	(void)state;
	for (i = 0; i < BS_ARRAY_SIZE(bad); i++) {
		struct bs_layout l;
		struct bs_err err = BS_ERR_INIT;
		char *p = tmp_file("e.yaml", bad[i].yaml);

		if (bs_layout_load(&l, p, &err) == 0)
			fail_msg("case %zu loaded", i);
		if (err.code != bad[i].code || !strstr(err.msg, bad[i].msg))
			fail_msg("case %zu: code %d, message\n  %s\nwanted %d and\n  %s",
			    i, err.code, err.msg, bad[i].code, bad[i].msg);
		bs_layout_release(&l);
		free(p);
	}
	free(dup);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, cleanup);
}
