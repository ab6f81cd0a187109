/*
 * test_xlsxread.c - the XLSX reader (lib/xlsxread.h).
 *
 * Fixtures are made at test time, never committed: workbooks written by
 * libxlsxwriter (normal mode: shared strings, rich text; constant_memory:
 * inline strings), and hand-written parts zipped with libzip for what the
 * other writers do (absolute and relative relationship targets, odd rIds,
 * the strict namespace, phonetic runs, self-closing and reference-less
 * cells, escapes, every cell type) and for damaged files (not a zip,
 * truncated, missing parts, cut or malformed XML, a bad checksum, bad cell
 * references) and the size caps.
 *
 * The same binary has helper modes for tests/integration/test_xlsxread.sh
 * and for measuring (no cmocka run then):
 *   BS_XLSX_DUMP=FILE    print every sheet of FILE as text (below) and exit
 *                        with 0 or the error's exit code
 *   BS_XLSX_COUNT=FILE   read every sheet, print "rows cells" per sheet
 *   BS_XLSX_WRITE=FILE   write a workbook with libxlsxwriter; kind from
 *                        BS_XLSX_WRITE_KIND: review (the review-workbook
 *                        fixture, inline strings), review-shared, bench
 *                        (BS_XLSX_WRITE_ROWS rows x 8 columns, inline
 *                        strings) or bench-shared
 * Dump format, one line each, fields separated by a tab:
 *	sheet	NAME	visible|hidden|veryHidden
 *	A1	TYPE	VALUE
 * where TYPE is s (string), n (number, normalised as %.15g), b (TRUE or
 * FALSE), e (error) or d (ISO date), cells without a value are left out,
 * and in VALUE a backslash, tab, CR and LF are written \\ \t \r \n.
 */
#include "bs.h"
#include "xlsxread.h"

#include <setjmp.h>
#include <cmocka.h>
#include <zip.h>
#include <xlsxwriter.h>

#include "tutil.h"

static char dir[PATH_MAX];

/* ---------------------------------------------------------------- zips */

struct member {
	const char *name;
	const char *data;
	size_t len;		/* 0: strlen(data) */
};

/* Write a zip of the given members (deflated, or stored with store). */
static char *
mkzip_opt(const char *name, const struct member *m, size_t n, int store)
{
	char *path = bs_xasprintf("%s/%s", dir, name);
	int zerr = 0;
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);

	assert_non_null(z);
	for (size_t i = 0; i < n; i++) {
		size_t len = m[i].len ? m[i].len : strlen(m[i].data);
		zip_source_t *src = zip_source_buffer(z, m[i].data, len, 0);
		zip_int64_t idx;

		assert_non_null(src);
		idx = zip_file_add(z, m[i].name, src, ZIP_FL_ENC_UTF_8);
		assert_true(idx >= 0);
		if (store)
			assert_int_equal(zip_set_file_compression(z,
			    (zip_uint64_t)idx, ZIP_CM_STORE, 0), 0);
	}
	assert_int_equal(zip_close(z), 0);
	return path;
}

static char *
mkzip(const char *name, const struct member *m, size_t n)
{
	return mkzip_opt(name, m, n, 0);
}

#define DECL "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_R "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKG "http://schemas.openxmlformats.org/package/2006/relationships"
#define RT NS_R "/"
#define STRICT_MAIN "http://purl.oclc.org/ooxml/spreadsheetml/main"
#define STRICT_R "http://purl.oclc.org/ooxml/officeDocument/relationships"

#define CT DECL "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">" \
	"<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>" \
	"<Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>"
#define PKG_RELS DECL "<Relationships xmlns=\"" NS_PKG "\">" \
	"<Relationship Id=\"rId1\" Type=\"" RT "officeDocument\" Target=\"xl/workbook.xml\"/>" \
	"<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>" \
	"</Relationships>"
#define REL(id, type, target) \
	"<Relationship Id=\"" id "\" Type=\"" RT type "\" Target=\"" target "\"/>"
#define RELS(body) DECL "<Relationships xmlns=\"" NS_PKG "\">" body "</Relationships>"
#define BOOK(sheets) DECL "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_R "\">" \
	"<workbookPr/><bookViews><workbookView/></bookViews><sheets>" sheets \
	"</sheets><calcPr calcId=\"0\"/></workbook>"
#define SHEET(rows) DECL "<worksheet xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_R "\">" \
	"<dimension ref=\"A1\"/><sheetViews><sheetView workbookViewId=\"0\"/></sheetViews>" \
	"<sheetFormatPr defaultRowHeight=\"15\"/><sheetData>" rows "</sheetData>" \
	"<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/></worksheet>"
#define ONE_SHEET_BOOK BOOK("<sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/>")
#define ONE_SHEET_RELS RELS(REL("rId1", "worksheet", "worksheets/sheet1.xml"))

/* A one-sheet workbook (inline strings) around the given <sheetData> rows. */
static char *
mkbook1(const char *name, const char *rows)
{
	char *sheet = bs_xasprintf(SHEET("%s"), rows);
	struct member m[] = {
		{ "[Content_Types].xml", CT, 0 },
		{ "_rels/.rels", PKG_RELS, 0 },
		{ "xl/workbook.xml", ONE_SHEET_BOOK, 0 },
		{ "xl/_rels/workbook.xml.rels", ONE_SHEET_RELS, 0 },
		{ "xl/worksheets/sheet1.xml", sheet, 0 },
	};
	char *p = mkzip(name, m, BS_ARRAY_SIZE(m));

	free(sheet);
	return p;
}

/* ------------------------------------------------------------ helpers */

static struct bs_xlsx *
open_ok(const char *path)
{
	struct bs_err err = BS_ERR_INIT;
	struct bs_xlsx *x = NULL;

	if (bs_xlsx_open(&x, path, &err) != 0)
		fail_msg("open %s: %s", path, err.msg);
	return x;
}

static struct bs_xlsx_rows *
rows_ok(struct bs_xlsx *x, const char *sheet)
{
	struct bs_err err = BS_ERR_INIT;
	struct bs_xlsx_rows *r = NULL;

	if (bs_xlsx_rows_open(x, sheet, &r, &err) != 0)
		fail_msg("rows_open %s: %s", sheet, err.msg);
	return r;
}

static void
next_ok(struct bs_xlsx_rows *r, unsigned long rowno)
{
	struct bs_err err = BS_ERR_INIT;
	int rc = bs_xlsx_rows_next(r, &err);

	if (rc != 1)
		fail_msg("expected row %lu, got rc %d: %s", rowno, rc, err.msg);
	assert_int_equal(bs_xlsx_row_number(r), rowno);
}

static void
end_ok(struct bs_xlsx_rows *r)
{
	struct bs_err err = BS_ERR_INIT;
	int rc = bs_xlsx_rows_next(r, &err);

	if (rc != 0)
		fail_msg("expected the end, got rc %d (row %lu): %s", rc,
		    bs_xlsx_row_number(r), err.msg);
	/* and it stays at the end */
	assert_int_equal(bs_xlsx_rows_next(r, &err), 0);
}

/* Cell col of the current row is value (NULL: no value) of type. */
static void
cell_is(struct bs_xlsx_rows *r, size_t col, const char *value, int type)
{
	size_t len = 99;
	const char *v = bs_xlsx_cell(r, col, &len);

	if (!value) {
		if (v)
			fail_msg("row %lu col %zu: expected no value, got '%s'",
			    bs_xlsx_row_number(r), col, v);
		assert_int_equal(len, 0);
		assert_int_equal(bs_xlsx_cell_type(r, col), BS_XLSX_NONE);
		return;
	}
	if (!v)
		fail_msg("row %lu col %zu: expected '%s', got no value",
		    bs_xlsx_row_number(r), col, value);
	assert_string_equal(v, value);
	assert_int_equal(len, strlen(value));
	assert_int_equal(bs_xlsx_cell_type(r, col), type);
}

/* Open must fail with code and a message equal to "<path>: " + tail. */
static void
open_fails(const char *path, int code, const char *tail)
{
	struct bs_err err = BS_ERR_INIT;
	struct bs_xlsx *x = (struct bs_xlsx *)&err;	/* must be reset */
	char *want = bs_xasprintf("%s: %s", path, tail);

	assert_int_equal(bs_xlsx_open(&x, path, &err), -1);
	assert_null(x);
	assert_int_equal(err.code, code);
	assert_string_equal(err.msg, want);
	free(want);
}

/* Read sheet S of path to its end; the failure must say "<path>: " + tail. */
static void
read_fails(const char *path, const char *tail)
{
	struct bs_err err = BS_ERR_INIT;
	struct bs_xlsx *x = open_ok(path);
	struct bs_xlsx_rows *r = NULL;
	char *want = bs_xasprintf("%s: %s", path, tail);
	int rc = bs_xlsx_rows_open_at(x, 0, &r, &err);

	if (rc == 0)
		while ((rc = bs_xlsx_rows_next(r, &err)) == 1)
			;
	assert_int_equal(rc, -1);
	assert_int_equal(err.code, BS_EXIT_DATAERR);
	assert_string_equal(err.msg, want);
	bs_xlsx_rows_close(r);
	bs_xlsx_close(x);
	free(want);
}

static int
setup(void **state)
{
	(void)state;
	tu_mkdtemp(dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tu_rm_rf(dir);
	return 0;
}

/* ------------------------------------------------- libxlsxwriter books */

/*
 * The review-workbook fixture: sheet 问题数据 (a header and ndata problem
 * rows, then the special cases below them), a hidden sheet Summary with
 * formulas, and 说明.  extras adds what openpyxl cannot carry through a
 * re-save unchanged (rich text, a control character).
 */
static int
write_review(const char *path, int constant_memory, int ndata, int extras)
{
	lxw_workbook_options o = { .constant_memory = constant_memory };
	lxw_workbook *wb = workbook_new_opt(path, &o);
	lxw_worksheet *ws, *sum, *doc;
	lxw_format *bold, *italic, *datef, *fill;
	static const char *const head[] = { "编号", "规则", "说明", "金额",
		"已确认", "处理意见" };
	static const char *const rules[] = { "R001", "R002", "R017" };
	lxw_datetime day = { 2026, 3, 31, 0, 0, 0 };
	char b1[] = "粗体", b2[] = " and italic ";
	lxw_rich_string_tuple f1 = { NULL, b1 }, f2 = { NULL, b2 };
	lxw_rich_string_tuple *rich[] = { &f1, &f2, NULL };
	lxw_row_t row;

	if (!wb)
		return -1;
	ws = workbook_add_worksheet(wb, "问题数据");
	sum = workbook_add_worksheet(wb, "Summary");
	doc = workbook_add_worksheet(wb, "说明");
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	format_set_font_name(bold, "SimSun");
	italic = workbook_add_format(wb);
	format_set_italic(italic);
	f1.format = bold;
	f2.format = italic;
	datef = workbook_add_format(wb);
	format_set_num_format(datef, "yyyy-mm-dd");
	fill = workbook_add_format(wb);
	format_set_bg_color(fill, 0xDDEBF7);

	for (lxw_col_t c = 0; c < BS_ARRAY_SIZE(head); c++)
		worksheet_write_string(ws, 0, c, head[c], bold);
	for (row = 1; row <= (lxw_row_t)ndata; row++) {
		char no[16], msg[64];

		snprintf(no, sizeof(no), "P%03u", (unsigned)row);
		snprintf(msg, sizeof(msg), "第%u行：身份证号校验位错误",
		    (unsigned)row + 1);
		worksheet_write_string(ws, row, 0, no, NULL);
		worksheet_write_string(ws, row, 1, rules[row % 3], NULL);
		worksheet_write_string(ws, row, 2, msg, NULL);
		worksheet_write_number(ws, row, 3, 13.37 * row, NULL);
		worksheet_write_boolean(ws, row, 4, row % 2, NULL);
	}
	/* row ndata + 2 (1-based) stays empty: the sheet is sparse */
	row = (lxw_row_t)ndata + 2;
	if (extras)
		worksheet_write_rich_string(ws, row, 2, rich, NULL);
	worksheet_write_string(ws, row + 1, 2, "  lead\ntrail  ", NULL);
	worksheet_write_formula_num(ws, row + 1, 3, "=D2*2", NULL, 26.74);
	worksheet_write_formula_str(ws, row + 1, 4, "=A2&\"\"", NULL, "P001");
	worksheet_write_string(ws, row + 2, 2, "a & b <c> \"q\" '单引号'", NULL);
	worksheet_write_datetime(ws, row + 2, 3, &day, datef);
	worksheet_write_number(ws, row + 2, 4, 13.37 * 5, NULL);
	worksheet_write_blank(ws, row + 3, 1, fill);	/* styled only */
	if (extras)
		worksheet_write_string(ws, row + 4, 5, "\001ctl_x", NULL);

	worksheet_write_string(sum, 0, 0, "规则", bold);
	worksheet_write_string(sum, 0, 1, "条数", bold);
	worksheet_write_string(sum, 1, 0, "R001", NULL);
	worksheet_write_formula_num(sum, 1, 1, "=COUNTIF(问题数据!B:B,A2)", NULL,
	    (double)((ndata + 2) / 3));
	worksheet_hide(sum);
	worksheet_write_string(doc, 0, 0, "请在“处理意见”列填写", NULL);
	return workbook_close(wb) == LXW_NO_ERROR ? 0 : -1;
}

/* nrows x 8 columns, as the problem list a run of validate produces. */
static int
write_bench(const char *path, int constant_memory, long nrows)
{
	lxw_workbook_options o = { .constant_memory = constant_memory };
	lxw_workbook *wb = workbook_new_opt(path, &o);
	lxw_worksheet *ws;
	static const char *const head[] = { "编号", "规则", "表", "行", "字段",
		"值", "说明", "金额" };

	if (!wb)
		return -1;
	ws = workbook_add_worksheet(wb, "问题数据");
	for (lxw_col_t c = 0; c < 8; c++)
		worksheet_write_string(ws, 0, c, head[c], NULL);
	for (long i = 1; i <= nrows; i++) {
		char no[32], val[64];
		lxw_row_t row = (lxw_row_t)i;

		snprintf(no, sizeof(no), "P%07ld", i);
		snprintf(val, sizeof(val), "11010519491231%04ld", i % 10000);
		worksheet_write_string(ws, row, 0, no, NULL);
		worksheet_write_string(ws, row, 1, i % 2 ? "R001" : "R017", NULL);
		worksheet_write_string(ws, row, 2, "保单信息表", NULL);
		worksheet_write_number(ws, row, 3, (double)(i + 1), NULL);
		worksheet_write_string(ws, row, 4, "证件号码", NULL);
		worksheet_write_string(ws, row, 5, val, NULL);
		worksheet_write_string(ws, row, 6, "身份证号校验位错误，请核实", NULL);
		worksheet_write_number(ws, row, 7, 13.37 * (double)(i % 1000), NULL);
	}
	return workbook_close(wb) == LXW_NO_ERROR ? 0 : -1;
}

static int
zip_has(const char *path, const char *member)
{
	int zerr = 0, has;
	zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);

	assert_non_null(z);
	has = zip_name_locate(z, member, 0) >= 0;
	zip_discard(z);
	return has;
}

/* What both libxlsxwriter modes must read back. */
static void
check_review(const char *path, int constant_memory)
{
	struct bs_xlsx *x = open_ok(path);
	struct bs_xlsx_rows *r, *r2;

	assert_int_equal(zip_has(path, "xl/sharedStrings.xml"), !constant_memory);
	assert_int_equal(bs_xlsx_nsheets(x), 3);
	assert_string_equal(bs_xlsx_sheet_name(x, 0), "问题数据");
	assert_string_equal(bs_xlsx_sheet_name(x, 1), "Summary");
	assert_string_equal(bs_xlsx_sheet_name(x, 2), "说明");
	assert_int_equal(bs_xlsx_sheet_state(x, 0), BS_XLSX_VISIBLE);
	assert_int_equal(bs_xlsx_sheet_state(x, 1), BS_XLSX_HIDDEN);
	assert_int_equal(bs_xlsx_sheet_state(x, 2), BS_XLSX_VISIBLE);
	assert_string_equal(bs_xlsx_sheet_part(x, 0), "xl/worksheets/sheet1.xml");
	assert_int_equal(bs_xlsx_sheet_find(x, "summary"), 1);
	assert_int_equal(bs_xlsx_sheet_find(x, "说明"), 2);
	assert_int_equal(bs_xlsx_sheet_find(x, "nope"), -1);

	r = rows_ok(x, "问题数据");
	assert_string_equal(bs_xlsx_rows_sheet(r), "问题数据");
	next_ok(r, 1);
	assert_int_equal(bs_xlsx_row_ncells(r), 6);
	cell_is(r, 0, "编号", BS_XLSX_STRING);
	cell_is(r, 5, "处理意见", BS_XLSX_STRING);
	cell_is(r, 6, NULL, 0);
	next_ok(r, 2);
	assert_int_equal(bs_xlsx_row_ncells(r), 5);
	cell_is(r, 0, "P001", BS_XLSX_STRING);
	cell_is(r, 1, "R002", BS_XLSX_STRING);
	cell_is(r, 2, "第2行：身份证号校验位错误", BS_XLSX_STRING);
	cell_is(r, 3, "13.37", BS_XLSX_NUMBER);
	cell_is(r, 4, "TRUE", BS_XLSX_BOOL);
	cell_is(r, 5, NULL, 0);

	/* a second cursor on another sheet, while the first is open */
	r2 = rows_ok(x, "Summary");
	next_ok(r2, 1);
	cell_is(r2, 1, "条数", BS_XLSX_STRING);
	next_ok(r2, 2);
	cell_is(r2, 1, "1", BS_XLSX_NUMBER);
	assert_int_equal(bs_xlsx_cell_formula(r2, 1), 1);
	assert_int_equal(bs_xlsx_cell_formula(r2, 0), 0);
	end_ok(r2);
	bs_xlsx_rows_close(r2);

	next_ok(r, 3);
	cell_is(r, 3, "26.74", BS_XLSX_NUMBER);
	cell_is(r, 4, "FALSE", BS_XLSX_BOOL);
	next_ok(r, 4);
	/* float noise as libxlsxwriter writes it: 17 significant digits */
	cell_is(r, 3, "40.11", BS_XLSX_NUMBER);
	/* row 5 is empty; row 6 holds the rich text */
	next_ok(r, 6);
	assert_int_equal(bs_xlsx_row_ncells(r), 3);
	cell_is(r, 0, NULL, 0);
	cell_is(r, 2, "粗体 and italic ", BS_XLSX_STRING);
	next_ok(r, 7);
	cell_is(r, 2, "  lead\ntrail  ", BS_XLSX_STRING);
	cell_is(r, 3, "26.74", BS_XLSX_NUMBER);
	assert_int_equal(bs_xlsx_cell_formula(r, 3), 1);
	cell_is(r, 4, "P001", BS_XLSX_STRING);
	assert_int_equal(bs_xlsx_cell_formula(r, 4), 1);
	next_ok(r, 8);
	cell_is(r, 2, "a & b <c> \"q\" '单引号'", BS_XLSX_STRING);
	cell_is(r, 3, "46112", BS_XLSX_NUMBER);	/* 2026-03-31 */
	cell_is(r, 4, "66.84999999999999", BS_XLSX_NUMBER);
	/* row 9 only has a styled blank cell: skipped */
	next_ok(r, 10);
	assert_int_equal(bs_xlsx_row_ncells(r), 6);
	cell_is(r, 5, "\001ctl_x", BS_XLSX_STRING);
	end_ok(r);
	bs_xlsx_rows_close(r);

	r = rows_ok(x, "说明");
	next_ok(r, 1);
	cell_is(r, 0, "请在“处理意见”列填写", BS_XLSX_STRING);
	end_ok(r);
	bs_xlsx_rows_close(r);
	bs_xlsx_close(x);
}

static void
t_libxlsxwriter_shared(void **state)
{
	char *path = bs_xasprintf("%s/shared.xlsx", dir);

	(void)state;
	assert_int_equal(write_review(path, 0, 3, 1), 0);
	check_review(path, 0);
	free(path);
}

static void
t_libxlsxwriter_inline(void **state)
{
	char *path = bs_xasprintf("%s/inline.xlsx", dir);

	(void)state;
	assert_int_equal(write_review(path, 1, 3, 1), 0);
	check_review(path, 1);
	free(path);
}

/* --------------------------------------- hand-made parts: other writers */

/* Shared strings with rich runs, phonetic runs, blanks, entities, escapes. */
static const char sst_xml[] = DECL
	"<sst xmlns=\"" NS_MAIN "\" count=\"10\" uniqueCount=\"10\">"
	"<si><t>编号</t></si>"
	"<si><r><rPr><b/><sz val=\"11\"/><rFont val=\"宋体\"/></rPr><t>粗体</t></r>"
	"<r><rPr><i/><sz val=\"11\"/><rFont val=\"Calibri\"/></rPr><t xml:space=\"preserve\"> and italic </t></r></si>"
	"<si><t>東京</t><rPh sb=\"0\" eb=\"2\"><t>トウキョウ</t></rPh><phoneticPr fontId=\"1\" type=\"noConversion\"/></si>"
	"<si><t xml:space=\"preserve\">  lead\ntrail  </t></si>"
	"<si><t>a &amp; b &lt;c&gt; \"q\" &#20013;&#x6587;</t></si>"
	"<si><t>line_x000D_\nend _x005F_x0041_ _xD83D__xDE00_ _x0000_ _x12_ _xDC00_</t></si>"
	"<si/>"
	"<si><t/></si>"
	"<si><t><![CDATA[<raw> & ]]></t></si>"
	"<si>\n  <r>\n    <t>pretty</t>\n  </r>\n  <r><t xml:space=\"preserve\">\n</t></r>\n</si>"
	"</sst>";

static const char sheet1_xml[] = DECL
	"<worksheet xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_R "\" xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\">"
	"<sheetPr><tabColor rgb=\"FF00FF00\"/></sheetPr><dimension ref=\"A1:XFD13\"/>"
	"<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" state=\"frozen\"/></sheetView></sheetViews>"
	"<cols><col min=\"1\" max=\"1\" width=\"10\" customWidth=\"1\"/></cols>"
	"<sheetData>"
	"<row r=\"1\" spans=\"1:5\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" t=\"s\" s=\"1\"><v>2</v></c></row>"
	"<row r=\"2\" ht=\"30\" customHeight=\"1\"><c r=\"A2\" s=\"3\"/><c r=\"C2\"></c></row>"
	"<row r=\"3\"><c r=\"B3\" t=\"inlineStr\"><is><r><t>in</t></r><r><rPr><b/></rPr><t xml:space=\"preserve\">line </t></r><rPh sb=\"0\" eb=\"1\"><t>x</t></rPh></is></c>"
	"<c r=\"D3\" t=\"s\"><v>3</v></c></row>"
	"<row r=\"5\"><c r=\"A5\"><v>66.84999999999999</v></c><c r=\"B5\" t=\"b\"><v>1</v></c><c r=\"C5\" t=\"b\"><v>0</v></c>"
	"<c r=\"D5\" t=\"e\"><f>NA()</f><v>#N/A</v></c><c r=\"E5\" t=\"str\"><f>A1&amp;\"\"</f><v>编号</v></c></row>"
	"<row r=\"7\"><c r=\"A7\"><f>1+1</f></c><c r=\"B7\" t=\"str\"><f>\"\"</f><v></v></c></row>"
	"<row r=\"8\">\n"
	"  <c r=\"A8\" t=\"s\"><v>4</v></c>\n"
	"  <c r=\"B8\" t=\"s\"><v>5</v></c>\n"
	"  <c r=\"C8\" t=\"s\"><v>6</v></c>\n"
	"  <c t=\"s\"><v>7</v></c>\n"
	"  <c t=\"s\"><v>8</v></c>\n"
	"  <c t=\"s\"><v>9</v></c>\n"
	"</row>"
	"<row><c t=\"n\"><v>1.5E+20</v></c><c r=\"C9\" t=\"d\"><v>2026-03-31T00:00:00</v></c><c r=\"d9\" t=\"b\"><v>true</v></c></row>"
	"<row r=\"12\"><c r=\"XFD12\" t=\"inlineStr\"><is><t>far</t></is></c></row>"
	"<row r=\"13\"><c r=\"A13\" t=\"inlineStr\"><is/></c><c r=\"B13\" t=\"inlineStr\"/><c r=\"C13\" t=\"inlineStr\"><v>ignored</v></c></row>"
	"<row r=\"14\"/>"
	"</sheetData>"
	"<mergeCells count=\"1\"><mergeCell ref=\"A1:B1\"/></mergeCells>"
	"<dataValidations count=\"1\"><dataValidation type=\"list\" sqref=\"F2:F9\"><formula1>\"待处理,已确认\"</formula1></dataValidation></dataValidations>"
	"<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>"
	"<extLst><ext uri=\"{x}\"><c r=\"A1\"><v>not data</v></c></ext></extLst>"
	"</worksheet>";

/* What sheet1_xml holds, with the shared strings above. */
static void
check_sheet1(struct bs_xlsx *x, const char *name)
{
	struct bs_xlsx_rows *r = rows_ok(x, name);

	next_ok(r, 1);
	assert_int_equal(bs_xlsx_row_ncells(r), 3);
	cell_is(r, 0, "编号", BS_XLSX_STRING);
	cell_is(r, 1, "粗体 and italic ", BS_XLSX_STRING);
	cell_is(r, 2, "東京", BS_XLSX_STRING);
	next_ok(r, 3);		/* row 2 holds styles only */
	assert_int_equal(bs_xlsx_row_ncells(r), 4);
	cell_is(r, 0, NULL, 0);
	cell_is(r, 1, "inline ", BS_XLSX_STRING);
	cell_is(r, 2, NULL, 0);
	cell_is(r, 3, "  lead\ntrail  ", BS_XLSX_STRING);
	next_ok(r, 5);
	cell_is(r, 0, "66.84999999999999", BS_XLSX_NUMBER);
	cell_is(r, 1, "TRUE", BS_XLSX_BOOL);
	cell_is(r, 2, "FALSE", BS_XLSX_BOOL);
	cell_is(r, 3, "#N/A", BS_XLSX_ERROR);
	assert_int_equal(bs_xlsx_cell_formula(r, 3), 1);
	cell_is(r, 4, "编号", BS_XLSX_STRING);
	assert_int_equal(bs_xlsx_cell_formula(r, 4), 1);
	/* formulas without a cached value: no value, but a formula */
	next_ok(r, 7);
	assert_int_equal(bs_xlsx_row_ncells(r), 2);
	cell_is(r, 0, NULL, 0);
	cell_is(r, 1, NULL, 0);
	assert_int_equal(bs_xlsx_cell_formula(r, 0), 1);
	assert_int_equal(bs_xlsx_cell_formula(r, 1), 1);
	assert_int_equal(bs_xlsx_cell_formula(r, 2), 0);
	next_ok(r, 8);
	assert_int_equal(bs_xlsx_row_ncells(r), 6);
	cell_is(r, 0, "a & b <c> \"q\" 中文", BS_XLSX_STRING);
	cell_is(r, 1, "line\r\nend _x0041_ \xF0\x9F\x98\x80 _x0000_ _x12_ _xDC00_",
	    BS_XLSX_STRING);
	cell_is(r, 2, "", BS_XLSX_STRING);
	cell_is(r, 3, "", BS_XLSX_STRING);
	cell_is(r, 4, "<raw> & ", BS_XLSX_STRING);
	cell_is(r, 5, "pretty\n", BS_XLSX_STRING);
	next_ok(r, 9);		/* no r: the row after 8 */
	assert_int_equal(bs_xlsx_row_ncells(r), 4);
	cell_is(r, 0, "1.5E+20", BS_XLSX_NUMBER);
	cell_is(r, 1, NULL, 0);
	cell_is(r, 2, "2026-03-31T00:00:00", BS_XLSX_DATE);
	cell_is(r, 3, "TRUE", BS_XLSX_BOOL);
	next_ok(r, 12);
	assert_int_equal(bs_xlsx_row_ncells(r), BS_XLSX_MAX_COLS);
	cell_is(r, 16383, "far", BS_XLSX_STRING);
	cell_is(r, 16382, NULL, 0);
	cell_is(r, 16384, NULL, 0);
	next_ok(r, 13);
	assert_int_equal(bs_xlsx_row_ncells(r), 1);
	cell_is(r, 0, "", BS_XLSX_STRING);
	end_ok(r);
	bs_xlsx_rows_close(r);
}

/* openpyxl's way: absolute targets; also hidden, veryHidden, chart sheets. */
static void
t_absolute_targets(void **state)
{
	struct bs_err err = BS_ERR_INIT;
	struct member m[] = {
		{ "[Content_Types].xml", CT, 0 },
		{ "_rels/.rels", PKG_RELS, 0 },
		{ "xl/workbook.xml", BOOK(
		    "<sheet name=\"问题数据\" sheetId=\"1\" r:id=\"rId7\"/>"
		    "<sheet name=\"Hidden\" sheetId=\"2\" state=\"hidden\" r:id=\"rId1\"/>"
		    "<sheet name=\"Very\" sheetId=\"3\" state=\"veryHidden\" r:id=\"rId2\"/>"
		    "<sheet name=\"Chart\" sheetId=\"4\" r:id=\"rId3\"/>"), 0 },
		{ "xl/_rels/workbook.xml.rels", RELS(
		    REL("rId1", "worksheet", "/xl/worksheets/sheet2.xml")
		    REL("rId2", "worksheet", "/xl/worksheets/sheet3.xml")
		    REL("rId3", "chartsheet", "/xl/chartsheets/sheet1.xml")
		    REL("rId4", "styles", "/xl/styles.xml")
		    REL("rId5", "sharedStrings", "/xl/sharedStrings.xml")
		    REL("rId7", "worksheet", "/xl/worksheets/sheet1.xml")
		    "<Relationship Id=\"rId9\" Type=\"" RT "hyperlink\" Target=\"http://example.com/\" TargetMode=\"External\"/>"), 0 },
		{ "xl/sharedStrings.xml", sst_xml, 0 },
		{ "xl/worksheets/sheet1.xml", sheet1_xml, 0 },
		{ "xl/worksheets/sheet2.xml", SHEET("<row r=\"4\"><c r=\"B4\" t=\"inlineStr\"><is><t>secret</t></is></c></row>"), 0 },
		{ "xl/worksheets/sheet3.xml", DECL "<worksheet xmlns=\"" NS_MAIN "\"><sheetData/></worksheet>", 0 },
		{ "xl/chartsheets/sheet1.xml", DECL "<chartsheet xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_R "\"><drawing r:id=\"rId1\"/></chartsheet>", 0 },
	};
	char *path = mkzip("abs.xlsx", m, BS_ARRAY_SIZE(m));
	struct bs_xlsx *x = open_ok(path);
	struct bs_xlsx_rows *r;
	char *want;

	(void)state;
	assert_int_equal(bs_xlsx_nsheets(x), 4);
	assert_string_equal(bs_xlsx_sheet_name(x, 0), "问题数据");
	assert_string_equal(bs_xlsx_sheet_name(x, 3), "Chart");
	assert_null(bs_xlsx_sheet_name(x, 4));
	assert_int_equal(bs_xlsx_sheet_state(x, 0), BS_XLSX_VISIBLE);
	assert_int_equal(bs_xlsx_sheet_state(x, 1), BS_XLSX_HIDDEN);
	assert_int_equal(bs_xlsx_sheet_state(x, 2), BS_XLSX_VERY_HIDDEN);
	assert_int_equal(bs_xlsx_sheet_state(x, 3), BS_XLSX_VISIBLE);
	assert_string_equal(bs_xlsx_sheet_part(x, 0), "xl/worksheets/sheet1.xml");
	assert_string_equal(bs_xlsx_sheet_part(x, 3), "xl/chartsheets/sheet1.xml");
	check_sheet1(x, "问题数据");

	r = rows_ok(x, "hidden");
	next_ok(r, 4);
	cell_is(r, 1, "secret", BS_XLSX_STRING);
	end_ok(r);
	bs_xlsx_rows_close(r);
	r = rows_ok(x, "Very");
	end_ok(r);
	bs_xlsx_rows_close(r);

	r = (struct bs_xlsx_rows *)&err;
	assert_int_equal(bs_xlsx_rows_open(x, "Chart", &r, &err), -1);
	assert_null(r);
	want = bs_xasprintf("%s: xl/chartsheets/sheet1.xml: line 2: sheet 'Chart' is not a worksheet (root element 'chartsheet')", path);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.code, BS_EXIT_DATAERR);
	free(want);
	assert_int_equal(bs_xlsx_rows_open(x, "Nope", &r, &err), -1);
	want = bs_xasprintf("%s: no sheet named 'Nope' (sheets: '问题数据', 'Hidden', 'Very', 'Chart')", path);
	assert_string_equal(err.msg, want);
	free(want);
	bs_xlsx_close(x);
	free(path);
}

/*
 * Excel's and LibreOffice's way: relative targets, other rIds, no
 * _rels/.rels (falls back to xl/workbook.xml), a shared-strings part
 * without a relationship, part names in another case.
 */
static void
t_relative_targets(void **state)
{
	struct member m[] = {
		{ "[Content_Types].xml", CT, 0 },
		{ "xl/workbook.xml", BOOK(
		    "<sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId2\"/>"
		    "<sheet name=\"我的笔记\" sheetId=\"9\" r:id=\"rId3\"/>"), 0 },
		{ "xl/_rels/workbook.xml.rels", RELS(
		    REL("rId1", "styles", "styles.xml")
		    REL("rId2", "worksheet", "worksheets/Sheet1.xml")
		    REL("rId3", "worksheet", "./worksheets/../worksheets/sheet%32.xml")), 0 },
		{ "xl/sharedStrings.xml", sst_xml, 0 },
		{ "xl/worksheets/sheet1.xml", sheet1_xml, 0 },
		{ "xl/worksheets/sheet2.xml", SHEET(
		    "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"
		    "<row r=\"7\"><c r=\"C7\" t=\"inlineStr\"><is><t>第七行</t></is></c></row>"), 0 },
	};
	char *path = mkzip("rel.xlsx", m, BS_ARRAY_SIZE(m));
	struct bs_xlsx *x = open_ok(path);
	struct bs_xlsx_rows *r;

	(void)state;
	assert_int_equal(bs_xlsx_nsheets(x), 2);
	assert_string_equal(bs_xlsx_sheet_part(x, 0), "xl/worksheets/Sheet1.xml");
	assert_string_equal(bs_xlsx_sheet_part(x, 1), "xl/worksheets/sheet2.xml");
	check_sheet1(x, "Sheet1");
	r = rows_ok(x, "我的笔记");
	next_ok(r, 1);
	cell_is(r, 0, "编号", BS_XLSX_STRING);
	next_ok(r, 7);
	assert_int_equal(bs_xlsx_row_ncells(r), 3);
	cell_is(r, 2, "第七行", BS_XLSX_STRING);
	end_ok(r);
	bs_xlsx_rows_close(r);
	bs_xlsx_close(x);
	free(path);
}

/* The strict namespaces, the workbook in another part, targets with "..". */
static void
t_strict_namespace(void **state)
{
	struct member m[] = {
		{ "[Content_Types].xml", CT, 0 },
		{ "_rels/.rels", DECL "<Relationships xmlns=\"" NS_PKG "\">"
		    "<Relationship Id=\"R1\" Type=\"" STRICT_R "/officeDocument\" Target=\"/book/main.xml\"/>"
		    "</Relationships>", 0 },
		{ "book/main.xml", DECL "<x:workbook xmlns:x=\"" STRICT_MAIN "\" xmlns:rel=\"" STRICT_R "\">"
		    "<x:sheets><x:sheet name=\"Data\" sheetId=\"1\" rel:id=\"R5\"/></x:sheets></x:workbook>", 0 },
		{ "book/_rels/main.xml.rels", DECL "<Relationships xmlns=\"" NS_PKG "\">"
		    "<Relationship Id=\"R5\" Type=\"" STRICT_R "/worksheet\" Target=\"../data/s.xml\"/>"
		    "<Relationship Id=\"R6\" Type=\"" STRICT_R "/sharedStrings\" Target=\"strings.xml\"/>"
		    "</Relationships>", 0 },
		{ "book/strings.xml", DECL "<x:sst xmlns:x=\"" STRICT_MAIN "\"><x:si><x:t>严格</x:t></x:si></x:sst>", 0 },
		{ "data/s.xml", DECL "<x:worksheet xmlns:x=\"" STRICT_MAIN "\"><x:sheetData>"
		    "<x:row r=\"2\"><x:c r=\"B2\" t=\"s\"><x:v>0</x:v></x:c><x:c r=\"C2\"><x:v>1</x:v></x:c></x:row>"
		    "</x:sheetData></x:worksheet>", 0 },
	};
	char *path = mkzip("strict.xlsx", m, BS_ARRAY_SIZE(m));
	struct bs_xlsx *x = open_ok(path);
	struct bs_xlsx_rows *r;

	(void)state;
	assert_int_equal(bs_xlsx_nsheets(x), 1);
	assert_string_equal(bs_xlsx_sheet_part(x, 0), "data/s.xml");
	r = rows_ok(x, "Data");
	next_ok(r, 2);
	cell_is(r, 1, "严格", BS_XLSX_STRING);
	cell_is(r, 2, "1", BS_XLSX_NUMBER);
	end_ok(r);
	bs_xlsx_rows_close(r);
	bs_xlsx_close(x);
	free(path);
}

/* The text of value i of t_long_values: i bytes, Chinese and ASCII mixed. */
static char *
long_value(size_t i)
{
	struct bs_buf b = BS_BUF_INIT(0);

	while (b.len + 3 <= i)
		bs_buf_add(&b, (b.len / 3) % 2 ? "值" : "a&<", 3);
	while (b.len < i)
		bs_buf_addc(&b, ' ');
	return bs_buf_detach(&b, NULL);
}

/*
 * Values of every length up to 3000 bytes, one per row, as inline and as
 * shared strings: they cross libxml2's and libzip's chunk boundaries at
 * every offset.  Also whitespace-only text without xml:space.
 */
static void
t_long_values(void **state)
{
	enum { N = 3000 };
	struct bs_buf rows = BS_BUF_INIT(0), sst = BS_BUF_INIT(0);
	char *sheet1, *sheet2, *sstx, *p;
	struct bs_xlsx *x;
	struct bs_xlsx_rows *r;

	(void)state;
	bs_buf_adds(&sst, DECL "<sst xmlns=\"" NS_MAIN "\">");
	for (size_t i = 1; i <= N; i++) {
		char *v = long_value(i), *e;
		struct bs_buf esc = BS_BUF_INIT(0);

		for (e = v; *e; e++)
			if (*e == '&')
				bs_buf_adds(&esc, "&amp;");
			else if (*e == '<')
				bs_buf_adds(&esc, "&lt;");
			else
				bs_buf_addc(&esc, *e);
		bs_buf_addf(&rows, "<row r=\"%zu\"><c r=\"B%zu\" t=\"inlineStr\"><is><t>%s</t></is></c>"
		    "<c r=\"C%zu\" t=\"s\"><v>%zu</v></c><c r=\"D%zu\"><v>%zu</v></c></row>",
		    i, i, bs_buf_str(&esc), i, i - 1, i, i);
		bs_buf_addf(&sst, "<si><r><t>%s</t></r></si>", bs_buf_str(&esc));
		bs_buf_release(&esc);
		free(v);
	}
	bs_buf_adds(&sst, "</sst>");
	sheet1 = bs_xasprintf(SHEET("%s"), bs_buf_str(&rows));
	sheet2 = bs_xasprintf(SHEET("%s"),
	    "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>   </t></is></c>"
	    "<c r=\"B1\" t=\"inlineStr\"><is><t>\n\t</t></is></c></row>");
	sstx = bs_buf_detach(&sst, NULL);
	{
		struct member m[] = {
			{ "xl/workbook.xml", BOOK("<sheet name=\"L\" sheetId=\"1\" r:id=\"rId1\"/><sheet name=\"W\" sheetId=\"2\" r:id=\"rId2\"/>"), 0 },
			{ "xl/_rels/workbook.xml.rels", RELS(REL("rId1", "worksheet", "worksheets/sheet1.xml") REL("rId2", "worksheet", "worksheets/sheet2.xml") REL("rId3", "sharedStrings", "sharedStrings.xml")), 0 },
			{ "xl/sharedStrings.xml", sstx, 0 },
			{ "xl/worksheets/sheet1.xml", sheet1, 0 },
			{ "xl/worksheets/sheet2.xml", sheet2, 0 },
		};
		p = mkzip("long.xlsx", m, BS_ARRAY_SIZE(m));
	}
	x = open_ok(p);
	r = rows_ok(x, "L");
	for (size_t i = 1; i <= N; i++) {
		char *v = long_value(i), num[16];

		next_ok(r, i);
		assert_int_equal(bs_xlsx_row_ncells(r), 4);
		cell_is(r, 1, v, BS_XLSX_STRING);
		cell_is(r, 2, v, BS_XLSX_STRING);
		snprintf(num, sizeof(num), "%zu", i);
		cell_is(r, 3, num, BS_XLSX_NUMBER);
		free(v);
	}
	end_ok(r);
	bs_xlsx_rows_close(r);
	r = rows_ok(x, "W");
	next_ok(r, 1);
	cell_is(r, 0, "   ", BS_XLSX_STRING);
	cell_is(r, 1, "\n\t", BS_XLSX_STRING);
	end_ok(r);
	bs_xlsx_rows_close(r);
	bs_xlsx_close(x);
	bs_buf_release(&rows);
	free(sheet1);
	free(sheet2);
	free(sstx);
	free(p);
}

/* ---------------------------------------------------------------- errors */

static void
t_not_xlsx(void **state)
{
	char *p, *want;
	static const char ole[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 rest";
	char *good = bs_xasprintf("%s/good.xlsx", dir);
	size_t len;
	char *bytes;

	(void)state;
	p = bs_xasprintf("%s/missing.xlsx", dir);
	want = bs_xasprintf("cannot open '%s': No such file or directory", p);
	{
		struct bs_err err = BS_ERR_INIT;
		struct bs_xlsx *x;

		assert_int_equal(bs_xlsx_open(&x, p, &err), -1);
		assert_int_equal(err.code, BS_EXIT_NOINPUT);
		assert_string_equal(err.msg, want);
		assert_int_equal(bs_xlsx_open(&x, dir, &err), -1);
		assert_int_equal(err.code, BS_EXIT_NOINPUT);
		assert_non_null(strstr(err.msg, "Is a directory"));
	}
	free(p);
	free(want);

	p = tu_write(dir, "empty.xlsx", "");
	open_fails(p, BS_EXIT_DATAERR, "empty file, not an XLSX workbook");
	free(p);
	p = tu_write(dir, "text.xlsx", "编号,说明\nP001,x\n");
	open_fails(p, BS_EXIT_DATAERR, "not a zip archive (truncated, or not an XLSX file)");
	free(p);
	p = tu_write(dir, "ole.xlsx", ole);
	open_fails(p, BS_EXIT_DATAERR, "not an XLSX file: an OLE compound document (a password-protected workbook or an old .xls file)");
	free(p);

	/* a real workbook cut in half */
	assert_int_equal(write_review(good, 0, 50, 0), 0);
	bytes = tu_read(good, &len);
	assert_non_null(bytes);
	p = bs_xasprintf("%s/cut.xlsx", dir);
	tu_write_path(p, bytes, len / 2);
	open_fails(p, BS_EXIT_DATAERR, "damaged zip archive (truncated? no central directory)");
	free(p);
	/* cut in the central directory */
	p = bs_xasprintf("%s/cut2.xlsx", dir);
	tu_write_path(p, bytes, len - 30);
	{
		struct bs_err err = BS_ERR_INIT;
		struct bs_xlsx *x;

		assert_int_equal(bs_xlsx_open(&x, p, &err), -1);
		assert_int_equal(err.code, BS_EXIT_DATAERR);
		assert_true(strncmp(err.msg, p, strlen(p)) == 0);
	}
	free(p);
	free(bytes);
	free(good);

	/* a zip, but not a workbook */
	{
		struct member m[] = { { "readme.txt", "hello", 0 } };

		p = mkzip("plain.zip", m, 1);
		open_fails(p, BS_EXIT_DATAERR, "xl/workbook.xml: part missing (not an XLSX workbook?)");
		free(p);
	}
}

static void
t_missing_parts(void **state)
{
	char *p;

	(void)state;
	{	/* package relationships name a workbook that is not there */
		struct member m[] = {
			{ "_rels/.rels", PKG_RELS, 0 },
			{ "xl/_rels/workbook.xml.rels", ONE_SHEET_RELS, 0 },
		};
		p = mkzip("nowb.xlsx", m, BS_ARRAY_SIZE(m));
		open_fails(p, BS_EXIT_DATAERR, "xl/workbook.xml: part missing (not an XLSX workbook?)");
		free(p);
	}
	{
		struct member m[] = { { "xl/workbook.xml", ONE_SHEET_BOOK, 0 } };
		p = mkzip("norels.xlsx", m, BS_ARRAY_SIZE(m));
		open_fails(p, BS_EXIT_DATAERR, "xl/_rels/workbook.xml.rels: part missing (not an XLSX workbook?)");
		free(p);
	}
	{
		struct member m[] = {
			{ "xl/workbook.xml", BOOK("<sheet name=\"S\" sheetId=\"1\" r:id=\"rId9\"/>"), 0 },
			{ "xl/_rels/workbook.xml.rels", ONE_SHEET_RELS, 0 },
		};
		p = mkzip("norel.xlsx", m, BS_ARRAY_SIZE(m));
		open_fails(p, BS_EXIT_DATAERR, "xl/workbook.xml: line 2: sheet 'S': no relationship 'rId9' in xl/_rels/workbook.xml.rels");
		free(p);
	}
	{
		struct member m[] = {
			{ "xl/workbook.xml", BOOK("<sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/><sheet name=\"S\" sheetId=\"2\" r:id=\"rId1\"/>"), 0 },
			{ "xl/_rels/workbook.xml.rels", ONE_SHEET_RELS, 0 },
		};
		p = mkzip("dup.xlsx", m, BS_ARRAY_SIZE(m));
		open_fails(p, BS_EXIT_DATAERR, "xl/workbook.xml: line 2: two sheets named 'S'");
		free(p);
	}
	{
		struct member m[] = {
			{ "xl/workbook.xml", BOOK("<sheet name=\"S\" sheetId=\"1\" state=\"gone\" r:id=\"rId1\"/>"), 0 },
			{ "xl/_rels/workbook.xml.rels", ONE_SHEET_RELS, 0 },
		};
		p = mkzip("state.xlsx", m, BS_ARRAY_SIZE(m));
		open_fails(p, BS_EXIT_DATAERR, "xl/workbook.xml: line 2: sheet 'S': unknown state 'gone'");
		free(p);
	}
	{
		struct member m[] = {
			{ "xl/workbook.xml", BOOK(""), 0 },
			{ "xl/_rels/workbook.xml.rels", ONE_SHEET_RELS, 0 },
		};
		p = mkzip("nosheets.xlsx", m, BS_ARRAY_SIZE(m));
		open_fails(p, BS_EXIT_DATAERR, "xl/workbook.xml: no sheets");
		free(p);
	}
	{
		struct member m[] = {
			{ "xl/workbook.xml", ONE_SHEET_BOOK, 0 },
			{ "xl/_rels/workbook.xml.rels", RELS(REL("rId1", "worksheet", "../../x.xml")), 0 },
		};
		p = mkzip("escape.xlsx", m, BS_ARRAY_SIZE(m));
		open_fails(p, BS_EXIT_DATAERR, "xl/_rels/workbook.xml.rels: line 2: relationship 'rId1': target outside the package");
		free(p);
	}
	{	/* the sheet's part itself is missing: found when it is read */
		struct member m[] = {
			{ "xl/workbook.xml", ONE_SHEET_BOOK, 0 },
			{ "xl/_rels/workbook.xml.rels", ONE_SHEET_RELS, 0 },
		};
		p = mkzip("nosheet.xlsx", m, BS_ARRAY_SIZE(m));
		read_fails(p, "xl/worksheets/sheet1.xml: part missing (not an XLSX workbook?)");
		free(p);
	}
}

static void
t_malformed_xml(void **state)
{
	char *p, *cut;

	(void)state;
	{
		struct member m[] = {
			{ "xl/workbook.xml", DECL "<workbook xmlns=\"" NS_MAIN "\">\n<sheets>\n<sheet name=\"S\"</sheets></workbook>", 0 },
			{ "xl/_rels/workbook.xml.rels", ONE_SHEET_RELS, 0 },
		};
		p = mkzip("badwb.xlsx", m, BS_ARRAY_SIZE(m));
		open_fails(p, BS_EXIT_DATAERR, "xl/workbook.xml: line 4: malformed XML: attributes construct error");
		free(p);
	}
	{
		struct member m[] = {
			{ "xl/workbook.xml", DECL "<worksheet/>", 0 },
			{ "xl/_rels/workbook.xml.rels", ONE_SHEET_RELS, 0 },
		};
		p = mkzip("notwb.xlsx", m, BS_ARRAY_SIZE(m));
		open_fails(p, BS_EXIT_DATAERR, "xl/workbook.xml: line 2: not a workbook (root element 'worksheet')");
		free(p);
	}
	{
		struct member m[] = {
			{ "xl/workbook.xml", "", 0 },
			{ "xl/_rels/workbook.xml.rels", ONE_SHEET_RELS, 0 },
		};
		m[0].data = "";
		m[0].len = 0;
		p = mkzip_opt("emptywb.xlsx", m, BS_ARRAY_SIZE(m), 0);
		{
			struct bs_err err = BS_ERR_INIT;
			struct bs_xlsx *x;

			assert_int_equal(bs_xlsx_open(&x, p, &err), -1);
			assert_int_equal(err.code, BS_EXIT_DATAERR);
			assert_non_null(strstr(err.msg, ": xl/workbook.xml: line "));
		}
		free(p);
	}

	/* a sheet cut in the middle, at every byte */
	cut = bs_xasprintf(SHEET("%s"),
	    "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>中文</t></is></c></row>\n"
	    "<row r=\"2\"><c r=\"A2\"><v>1</v></c></row>\n<row r=\"3\"><c r=\"A3\"><v>2</v></c></row>");
	for (size_t n = 1; n < strlen(cut); n++) {
		struct member m[] = {
			{ "xl/workbook.xml", ONE_SHEET_BOOK, 0 },
			{ "xl/_rels/workbook.xml.rels", ONE_SHEET_RELS, 0 },
			{ "xl/worksheets/sheet1.xml", cut, n },
		};
		struct bs_err err = BS_ERR_INIT;
		struct bs_xlsx *x;
		struct bs_xlsx_rows *r = NULL;
		char *want;
		int rc;

		p = mkzip("cutsheet.xlsx", m, BS_ARRAY_SIZE(m));
		x = open_ok(p);
		rc = bs_xlsx_rows_open_at(x, 0, &r, &err);
		if (rc == 0)
			while ((rc = bs_xlsx_rows_next(r, &err)) == 1)
				;
		if (rc != -1)
			fail_msg("cut at %zu: rc %d", n, rc);
		assert_int_equal(err.code, BS_EXIT_DATAERR);
		want = bs_xasprintf("%s: xl/worksheets/sheet1.xml: line ", p);
		if (strncmp(err.msg, want, strlen(want)) != 0)
			fail_msg("cut at %zu: %s", n, err.msg);
		if (n == strlen(cut) - 1)
			assert_non_null(strstr(err.msg, "malformed XML: "));
		free(want);
		bs_xlsx_rows_close(r);
		bs_xlsx_close(x);
		free(p);
	}
	free(cut);

	/* malformed shared strings: found when a sheet is opened */
	{
		struct member m[] = {
			{ "xl/workbook.xml", ONE_SHEET_BOOK, 0 },
			{ "xl/_rels/workbook.xml.rels", RELS(REL("rId1", "worksheet", "worksheets/sheet1.xml") REL("rId2", "sharedStrings", "sharedStrings.xml")), 0 },
			{ "xl/sharedStrings.xml", DECL "<sst xmlns=\"" NS_MAIN "\">\n<si><t>a</si></sst>", 0 },
			{ "xl/worksheets/sheet1.xml", SHEET(""), 0 },
		};
		p = mkzip("badsst.xlsx", m, BS_ARRAY_SIZE(m));
		read_fails(p, "xl/sharedStrings.xml: line 3: malformed XML: opening and ending tag mismatch: t line 3 and si");
		free(p);
	}
	/* a DTD (and with it any entity trick) is refused */
	{
		struct member m[] = {
			{ "xl/workbook.xml", ONE_SHEET_BOOK, 0 },
			{ "xl/_rels/workbook.xml.rels", ONE_SHEET_RELS, 0 },
			{ "xl/worksheets/sheet1.xml", DECL "<!DOCTYPE worksheet [\n<!ENTITY a \"aaaaaaaaaa\">\n<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n]>\n"
			    "<worksheet xmlns=\"" NS_MAIN "\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&b;</t></is></c></row></sheetData></worksheet>", 0 },
		};
		p = mkzip("dtd.xlsx", m, BS_ARRAY_SIZE(m));
		read_fails(p, "xl/worksheets/sheet1.xml: a document type declaration (DTD) is not allowed in an OOXML part");
		free(p);
	}
}

/* Sheet content that is well-formed XML but not a valid sheet. */
static void
t_bad_cells(void **state)
{
	static const struct {
		const char *rows, *msg;
	} cases[] = {
		{ "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>",
		  "line 2: cell A1: shared string 0 out of range (0 strings)" },
		{ "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>x1</v></c></row>",
		  "line 2: cell A1: bad shared string index 'x1'" },
		{ "<row r=\"1\"><c r=\"1A\"><v>0</v></c></row>",
		  "line 2: row 1: bad cell reference '1A'" },
		{ "<row r=\"1\"><c r=\"A\"><v>0</v></c></row>",
		  "line 2: row 1: bad cell reference 'A'" },
		{ "<row r=\"1\"><c r=\"AAAAA1\"><v>0</v></c></row>",
		  "line 2: row 1: bad cell reference 'AAAAA1'" },
		{ "<row r=\"1\"><c r=\"XFE1\"><v>0</v></c></row>",
		  "line 2: row 1: column 16385 beyond XFD (16384 columns)" },
		{ "<row r=\"2\"><c r=\"A3\"><v>0</v></c></row>",
		  "line 2: row 2: cell reference 'A3' names another row" },
		{ "<row r=\"1\"><c r=\"B1\"><v>0</v></c><c r=\"A1\"><v>0</v></c></row>",
		  "line 2: cell A1 after cell B1 (cells out of order)" },
		{ "<row r=\"1\"><c r=\"B1\"><v>0</v></c><c r=\"B1\"><v>0</v></c></row>",
		  "line 2: cell B1 after cell B1 (cells out of order)" },
		{ "<row r=\"5\"><c><v>0</v></c></row><row r=\"3\"><c><v>0</v></c></row>",
		  "line 2: row 3 after row 5 (rows out of order)" },
		{ "<row r=\"0\"/>", "line 2: bad row number '0'" },
		{ "<row r=\"-1\"/>", "line 2: bad row number '-1'" },
		{ "<row r=\"99999999999\"/>", "line 2: bad row number '99999999999'" },
		{ "<row r=\"1\"><c r=\"A1\" t=\"q\"><v>0</v></c></row>",
		  "line 2: cell A1: unknown cell type 'q'" },
		{ "<row r=\"1\"><c r=\"C1\" t=\"b\"><v>2</v></c></row>",
		  "line 2: cell C1: bad boolean '2'" },
	};

	(void)state;
	for (size_t i = 0; i < BS_ARRAY_SIZE(cases); i++) {
		char *p = mkbook1("badcell.xlsx", cases[i].rows);
		char *tail = bs_xasprintf("xl/worksheets/sheet1.xml: %s", cases[i].msg);

		read_fails(p, tail);
		free(tail);
		free(p);
	}
}

/* A wrong checksum is found at the end of the member. */
static void
t_crc(void **state)
{
	struct member m[] = {
		{ "xl/workbook.xml", ONE_SHEET_BOOK, 0 },
		{ "xl/_rels/workbook.xml.rels", ONE_SHEET_RELS, 0 },
		{ "xl/worksheets/sheet1.xml", SHEET("<row r=\"1\"><c r=\"A1\"><v>12345</v></c></row>"), 0 },
	};
	char *p = mkzip_opt("crc.xlsx", m, BS_ARRAY_SIZE(m), 1);
	size_t len;
	char *bytes = tu_read(p, &len), *hit;

	(void)state;
	hit = memmem(bytes, len, "<v>12345</v>", 12);
	assert_non_null(hit);
	hit[5] = '9';		/* still well-formed: only the CRC can tell */
	tu_write_path(p, bytes, len);
	free(bytes);
	read_fails(p, "xl/worksheets/sheet1.xml: damaged zip member: CRC error");
	free(p);

	/*
	 * Damaged deflate data: the parser usually chokes on the garbage
	 * first; the member is then read to its end, and the zip's own
	 * verdict (CRC or zlib error) is what is reported.
	 */
	{
		struct bs_buf rows = BS_BUF_INIT(0);
		char *sheet, *want;
		struct bs_err err = BS_ERR_INIT;
		struct bs_xlsx *x;
		struct bs_xlsx_rows *r = NULL;
		int rc;

		for (int i = 1; i <= 3000; i++)
			bs_buf_addf(&rows, "<row r=\"%d\"><c r=\"A%d\" t=\"inlineStr\"><is><t>第%d行 %x</t></is></c></row>",
			    i, i, i, (unsigned)i * 2654435761u);
		sheet = bs_xasprintf(SHEET("%s"), bs_buf_str(&rows));
		m[2].data = sheet;
		p = mkzip("deflate.xlsx", m, BS_ARRAY_SIZE(m));
		bytes = tu_read(p, &len);
		hit = memmem(bytes, len, "xl/worksheets/sheet1.xml", 24);
		assert_non_null(hit);	/* the local header's name; data follows */
		for (size_t k = 2000; k < 2100; k++)
			hit[24 + k] ^= 0x55;
		tu_write_path(p, bytes, len);
		x = open_ok(p);
		rc = bs_xlsx_rows_open_at(x, 0, &r, &err);
		if (rc == 0)
			while ((rc = bs_xlsx_rows_next(r, &err)) == 1)
				;
		assert_int_equal(rc, -1);
		assert_int_equal(err.code, BS_EXIT_DATAERR);
		want = bs_xasprintf("%s: xl/worksheets/sheet1.xml: damaged zip member: ", p);
		if (strncmp(err.msg, want, strlen(want)) != 0)
			fail_msg("%s", err.msg);
		free(want);
		bs_xlsx_rows_close(r);
		bs_xlsx_close(x);
		bs_buf_release(&rows);
		free(bytes);
		free(sheet);
		free(p);
	}
}

static void
t_limits(void **state)
{
	struct bs_xlsx_limits lim = { 0, 0, 0 };
	struct bs_err err = BS_ERR_INIT;
	struct bs_xlsx *x;
	struct bs_xlsx_rows *r;
	char *p, *want;
	struct member m[] = {
		{ "xl/workbook.xml", ONE_SHEET_BOOK, 0 },
		{ "xl/_rels/workbook.xml.rels", RELS(REL("rId1", "worksheet", "worksheets/sheet1.xml") REL("rId2", "sharedStrings", "sharedStrings.xml")), 0 },
		{ "xl/sharedStrings.xml", sst_xml, 0 },
		{ "xl/worksheets/sheet1.xml", SHEET(""), 0 },
	};

	(void)state;
	/* shared strings: 10 strings of 101 text bytes (with NULs) + index */
	p = mkzip("lim.xlsx", m, BS_ARRAY_SIZE(m));
	lim.max_strings = 80;
	assert_int_equal(bs_xlsx_open_limits(&x, p, &lim, &err), 0);
	assert_int_equal(bs_xlsx_rows_open(x, "S", &r, &err), -1);
	assert_int_equal(err.code, BS_EXIT_DATAERR);
	want = bs_xasprintf("%s: xl/sharedStrings.xml: line 3: shared strings larger than 80 bytes (string 4)", p);
	assert_string_equal(err.msg, want);
	free(want);
	/* the table was dropped; trying again fails the same way */
	assert_int_equal(bs_xlsx_rows_open(x, "S", &r, &err), -1);
	bs_xlsx_close(x);
	lim.max_strings = 0;
	lim.max_text = 6;
	assert_int_equal(bs_xlsx_open_limits(&x, p, &lim, &err), 0);
	assert_int_equal(bs_xlsx_rows_open(x, "S", &r, &err), -1);
	want = bs_xasprintf("%s: xl/sharedStrings.xml: line 2: shared string 1 longer than 6 bytes", p);
	assert_string_equal(err.msg, want);
	free(want);
	bs_xlsx_close(x);
	free(p);

	/* one value, one row */
	p = mkbook1("limrow.xlsx",
	    "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>12345</t></is></c><c r=\"B1\"><v>12345</v></c></row>\n"
	    "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>1234</t><r><t>56</t></r></is></c></row>\n"
	    "<row r=\"3\"><c r=\"C3\"><v>123456</v></c></row>");
	lim.max_text = 5;
	lim.max_row = 0;
	assert_int_equal(bs_xlsx_open_limits(&x, p, &lim, &err), 0);
	assert_int_equal(bs_xlsx_rows_open(x, "S", &r, &err), 0);
	next_ok(r, 1);
	cell_is(r, 0, "12345", BS_XLSX_STRING);
	assert_int_equal(bs_xlsx_rows_next(r, &err), -1);
	want = bs_xasprintf("%s: xl/worksheets/sheet1.xml: line 3: cell A2: value longer than 5 bytes", p);
	assert_string_equal(err.msg, want);
	free(want);
	bs_xlsx_rows_close(r);
	bs_xlsx_close(x);
	lim.max_text = 0;
	lim.max_row = 11;
	assert_int_equal(bs_xlsx_open_limits(&x, p, &lim, &err), 0);
	assert_int_equal(bs_xlsx_rows_open(x, "S", &r, &err), 0);
	assert_int_equal(bs_xlsx_rows_next(r, &err), -1);
	want = bs_xasprintf("%s: xl/worksheets/sheet1.xml: line 2: row 1: values longer than 11 bytes in total", p);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.code, BS_EXIT_DATAERR);
	free(want);
	bs_xlsx_rows_close(r);
	bs_xlsx_close(x);
	free(p);
}

/* --------------------------------------------------------------- helpers */

static void
t_header(void **state)
{
	static const char *const cols[] = { "编号", "处理意见", "说明" };
	static const char *const nope[] = { "编号", "复核人", "签名" };
	long icol[3];
	struct bs_err err = BS_ERR_INIT;
	char *p = mkbook1("head.xlsx",
	    "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>问题清单</t></is></c></row>"
	    "<row r=\"3\"><c r=\"B3\" t=\"inlineStr\"><is><t xml:space=\"preserve\"> 说明\n</t></is></c>"
	    "<c r=\"C3\"><v>1</v></c>"
	    "<c r=\"D3\" t=\"inlineStr\"><is><t>编号</t></is></c>"
	    "<c r=\"F3\" t=\"inlineStr\"><is><t>\xE3\x80\x80处理意见\xC2\xA0</t></is></c>"
	    "<c r=\"G3\" t=\"inlineStr\"><is><t>编号</t></is></c></row>"
	    "<row r=\"4\"><c r=\"D4\" t=\"inlineStr\"><is><t>P001</t></is></c><c r=\"F4\" t=\"inlineStr\"><is><t>误报</t></is></c></row>");
	struct bs_xlsx *x = open_ok(p);
	struct bs_xlsx_rows *r = rows_ok(x, "S");
	char *want;

	(void)state;
	assert_int_equal(bs_xlsx_rows_header(r, cols, 3, icol, BS_XLSX_TRIM, 5, &err), 0);
	assert_int_equal(bs_xlsx_row_number(r), 3);
	assert_int_equal(icol[0], 3);
	assert_int_equal(icol[1], 5);
	assert_int_equal(icol[2], 1);
	assert_int_equal(bs_xlsx_row_find(r, "说明", 0), -1);	/* untrimmed */
	assert_int_equal(bs_xlsx_row_find(r, " 说明\n", 0), 1);
	assert_int_equal(bs_xlsx_row_find(r, "1", 0), -1);	/* numbers are not headers */
	next_ok(r, 4);
	cell_is(r, (size_t)icol[0], "P001", BS_XLSX_STRING);
	cell_is(r, (size_t)icol[1], "误报", BS_XLSX_STRING);
	bs_xlsx_rows_close(r);

	r = rows_ok(x, "S");
	assert_int_equal(bs_xlsx_rows_header(r, cols, 3, icol, 0, 0, &err), -1);
	want = bs_xasprintf("%s: sheet 'S': no header row with '处理意见', '说明'", p);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.code, BS_EXIT_DATAERR);
	free(want);
	bs_xlsx_rows_close(r);
	r = rows_ok(x, "S");
	assert_int_equal(bs_xlsx_rows_header(r, nope, 3, icol, BS_XLSX_TRIM, 1, &err), -1);
	want = bs_xasprintf("%s: sheet 'S': no header row with '编号', '复核人', '签名' in the first 1 rows", p);
	assert_string_equal(err.msg, want);
	free(want);
	bs_xlsx_rows_close(r);
	bs_xlsx_close(x);
	free(p);
}

static void
t_number_normalize(void **state)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
		{ "66.84999999999999", "66.85" },
		{ "40.109999999999999", "40.11" },
		{ "0.30000000000000004", "0.3" },
		{ "42", "42" },
		{ "-3.5", "-3.5" },
		{ "1E+20", "1e+20" },
		{ "1.5e-7", "1.5e-07" },
		{ "-0", "0" },
		{ "123456789012345", "123456789012345" },
		{ "12345678901234567", "1.23456789012346e+16" },
		{ "+.5", "0.5" },
		{ "46112", "46112" },
	};
	static const char *const bad[] = { "", "abc", "0x10", "inf", "nan",
		"1e999", "1,5", "--1", ".", "1 ", "e5" };
	char out[BS_XLSX_NUM_MAX];

	(void)state;
	for (size_t i = 0; i < BS_ARRAY_SIZE(ok); i++) {
		int n = bs_xlsx_number_normalize(ok[i].in, strlen(ok[i].in), out);

		assert_string_equal(out, ok[i].out);
		assert_int_equal(n, strlen(ok[i].out));
	}
	for (size_t i = 0; i < BS_ARRAY_SIZE(bad); i++) {
		if (bs_xlsx_number_normalize(bad[i], strlen(bad[i]), out) != -1)
			fail_msg("'%s' accepted as '%s'", bad[i], out);
		assert_string_equal(out, "");
	}
	/* only len bytes are read */
	assert_int_equal(bs_xlsx_number_normalize("1.25xyz", 4, out), 4);
	assert_string_equal(out, "1.25");
}

static void
t_col_name(void **state)
{
	char out[BS_XLSX_COL_NAME_MAX];

	(void)state;
	assert_string_equal(bs_xlsx_col_name(0, out), "A");
	assert_string_equal(bs_xlsx_col_name(25, out), "Z");
	assert_string_equal(bs_xlsx_col_name(26, out), "AA");
	assert_string_equal(bs_xlsx_col_name(27, out), "AB");
	assert_string_equal(bs_xlsx_col_name(701, out), "ZZ");
	assert_string_equal(bs_xlsx_col_name(702, out), "AAA");
	assert_string_equal(bs_xlsx_col_name(16383, out), "XFD");
	assert_string_equal(bs_xlsx_col_name(16384, out), "");
}

/* ---------------------------------------------------------- helper modes */

static void
put_escaped(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '\\': fputs("\\\\", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		default: putchar(s[i]); break;
		}
	}
}

/* Dump (or count, with quiet) every sheet of path. */
static int
dump(const char *path, int quiet)
{
	static const char *const states[] = { "visible", "hidden", "veryHidden" };
	static const char types[] = { '?', 's', 'n', 'b', 'e', 'd' };
	struct bs_err err = BS_ERR_INIT;
	struct bs_xlsx *x;
	int rc = 0;

	if (bs_xlsx_open(&x, path, &err) < 0)
		return bs_report(&err);
	for (size_t i = 0; i < bs_xlsx_nsheets(x) && rc == 0; i++) {
		struct bs_xlsx_rows *r;
		unsigned long nrows = 0, ncells = 0;

		if (!quiet)
			printf("sheet\t%s\t%s\n", bs_xlsx_sheet_name(x, i),
			    states[bs_xlsx_sheet_state(x, i)]);
		if (bs_xlsx_rows_open_at(x, i, &r, &err) < 0) {
			rc = bs_report(&err);
			break;
		}
		while ((rc = bs_xlsx_rows_next(r, &err)) == 1) {
			nrows++;
			for (size_t c = 0; c < bs_xlsx_row_ncells(r); c++) {
				char ref[BS_XLSX_COL_NAME_MAX], num[BS_XLSX_NUM_MAX];
				size_t n;
				const char *v = bs_xlsx_cell(r, c, &n);
				int type = bs_xlsx_cell_type(r, c);

				if (!v)
					continue;
				ncells++;
				if (quiet)
					continue;
				if (type == BS_XLSX_NUMBER &&
				    bs_xlsx_number_normalize(v, n, num) >= 0) {
					v = num;
					n = strlen(num);
				}
				printf("%s%lu\t%c\t", bs_xlsx_col_name(c, ref),
				    bs_xlsx_row_number(r), types[type]);
				put_escaped(v, n);
				putchar('\n');
			}
		}
		if (rc < 0)
			rc = bs_report(&err);
		else if (quiet)
			printf("%s\t%lu rows\t%lu cells\n",
			    bs_xlsx_sheet_name(x, i), nrows, ncells);
		bs_xlsx_rows_close(r);
	}
	bs_xlsx_close(x);
	return bs_close_stdout(rc);
}

static int
helper_mode(int *rc)
{
	const char *p;

	if ((p = getenv("BS_XLSX_DUMP")) != NULL && *p) {
		*rc = dump(p, 0);
		return 1;
	}
	if ((p = getenv("BS_XLSX_COUNT")) != NULL && *p) {
		*rc = dump(p, 1);
		return 1;
	}
	if ((p = getenv("BS_XLSX_WRITE")) != NULL && *p) {
		const char *kind = getenv("BS_XLSX_WRITE_KIND");
		const char *nrows = getenv("BS_XLSX_WRITE_ROWS");
		long n = nrows ? strtol(nrows, NULL, 10) : 200000;

		kind = kind ? kind : "review";
		if (!strcmp(kind, "review"))
			*rc = write_review(p, 1, 30, 0);
		else if (!strcmp(kind, "review-shared"))
			*rc = write_review(p, 0, 30, 0);
		else if (!strcmp(kind, "bench"))
			*rc = write_bench(p, 1, n);
		else if (!strcmp(kind, "bench-shared"))
			*rc = write_bench(p, 0, n);
		else
			*rc = 64;
		if (*rc)
			bs_error("cannot write '%s' (%s)", p, kind);
		*rc = *rc ? 1 : 0;
		return 1;
	}
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_libxlsxwriter_shared),
		cmocka_unit_test(t_libxlsxwriter_inline),
		cmocka_unit_test(t_absolute_targets),
		cmocka_unit_test(t_relative_targets),
		cmocka_unit_test(t_strict_namespace),
		cmocka_unit_test(t_long_values),
		cmocka_unit_test(t_not_xlsx),
		cmocka_unit_test(t_missing_parts),
		cmocka_unit_test(t_malformed_xml),
		cmocka_unit_test(t_bad_cells),
		cmocka_unit_test(t_crc),
		cmocka_unit_test(t_limits),
		cmocka_unit_test(t_header),
		cmocka_unit_test(t_number_normalize),
		cmocka_unit_test(t_col_name),
	};
	int rc;

	bs_log_init("test_xlsxread");
	if (helper_mode(&rc))
		return rc;
	return cmocka_run_group_tests_name("xlsxread", tests, setup, teardown);
}
