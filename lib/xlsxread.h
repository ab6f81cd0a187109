/*
 * xlsxread.h - a streaming reader of XLSX workbooks (libzip + libxml2's
 * xmlTextReader), used to read back the review workbook that reviewers
 * edited in Excel, WPS or LibreOffice.
 *
 * What it reads.  The workbook is found through _rels/.rels (officeDocument;
 * xl/workbook.xml when that relationship is missing), the sheets through
 * its <sheets> list and its relationships part, whose targets may be
 * absolute ("/xl/worksheets/sheet1.xml", openpyxl) or relative to the
 * workbook's folder ("worksheets/sheet1.xml", Excel, LibreOffice), with any
 * relationship ids.  Part names are matched exactly, then ignoring ASCII
 * case.  Both the transitional and the strict OOXML namespaces work
 * (elements are matched by local name).  Nothing is unpacked to disk: each
 * part is parsed straight out of the zip, with XML_PARSE_NONET, and a part
 * holding a DTD is refused (OPC forbids them; this also keeps entity
 * expansion out).
 *
 * Cell values, as text:
 *   STRING  shared strings (t="s"), inline strings (t="inlineStr", <is>)
 *           and formula string results (t="str", <v>).  A rich-text value
 *           is the concatenation of its runs; phonetic runs (<rPh>) are
 *           skipped.  Whitespace and line breaks are kept as written
 *           (nothing is trimmed), entities and character references are
 *           decoded, and in <t> texts the OOXML escape _xHHHH_ is decoded
 *           (_x000D_ is a carriage return, _x005F_ a literal '_').
 *   NUMBER  the text of <v> exactly as written, e.g. "66.84999999999999"
 *           for 5 x 13.37 (writers print doubles with up to 17 digits);
 *           bs_xlsx_number_normalize() rounds it as %.15g does ("66.85").
 *           Dates are numbers too (serial days; styles are not read).
 *   BOOL    "TRUE" or "FALSE" (from <v>1</v> / <v>0</v>, also true/false).
 *   ERROR   the error text, e.g. "#N/A", "#DIV/0!".
 *   DATE    t="d" cells: the ISO 8601 text as written (rare; Excel never
 *           writes them).
 * A cell with no value - absent, only styled (<c r="B2" s="1"/>), or with
 * an empty <v> - reads as NULL.  A formula cell keeps its cached result; a
 * formula without one (openpyxl drops them) reads as NULL with
 * bs_xlsx_cell_formula() true, so a caller can tell "empty" from "not
 * computed".  An empty string value (<is><t/></is>, a shared "") reads as
 * "" with type STRING.
 *
 * Rows.  A sheet is streamed one <row> at a time; only the current row is
 * held.  Rows come in sheet order with their own 1-based numbers (a sorted
 * or filtered sheet is read as stored; hidden rows are read too; missing
 * rows are simply not returned).  Rows with no cell value or formula at all
 * (formatting only) are skipped.  Columns are 0-based (A = 0); a row holds
 * bs_xlsx_row_ncells() = 1 + the highest column with a value, and the cells
 * in between may be absent.  Rows must be in ascending order and cells
 * ascending within their row, as in every writer's output; a cell
 * reference must name its own row.  Column XFD (16383) is the last.
 *
 * Errors.  The file missing or unreadable is 66 (BS_EXIT_NOINPUT), reading
 * it failing midway 74 (BS_EXIT_IOERR); everything else - not a zip, a
 * truncated zip, a damaged member (bad checksum), a missing part,
 * malformed XML, a bad cell reference, rows or cells out of order, a
 * shared string index out of range, a cap exceeded, no such sheet - is 65
 * (BS_EXIT_DATAERR), and the message names the file, the part and the
 * line (of the element concerned; Excel writes a whole sheet on line 2,
 * hence the cell reference where there is one):
 *
 *	review.xlsx: not a zip archive (truncated, or not an XLSX file)
 *	review.xlsx: damaged zip archive (truncated? no central directory)
 *	review.xlsx: not an XLSX file: an OLE compound document (a password-protected workbook or an old .xls file)
 *	review.xlsx: xl/workbook.xml: part missing (not an XLSX workbook?)
 *	review.xlsx: xl/worksheets/sheet2.xml: line 2: malformed XML: premature end of data in tag row line 2
 *	review.xlsx: xl/worksheets/sheet2.xml: damaged zip member: CRC error
 *	review.xlsx: xl/worksheets/sheet1.xml: line 2: cell C7: shared string 99 out of range (63 strings)
 *	review.xlsx: xl/sharedStrings.xml: line 2: shared strings larger than 268435456 bytes (string 5000000)
 *	review.xlsx: no sheet named '问题数据' (sheets: '备注', 'Summary')
 *
 * Memory.  Shared strings are loaded once, on the first bs_xlsx_rows_open()
 * of a sheet, and held until bs_xlsx_close(): their text, one NUL each and
 * an index entry each count against limits.max_strings (256 MiB by default;
 * over it is a 65).  The current row is bounded by limits.max_row, one
 * value or shared string by limits.max_text, and libxml2 keeps its own
 * default limits (XML_PARSE_HUGE is not used: 10 MB per text node, 10 MB
 * of names).  Reading a 200,000-row x 8-column sheet takes about 1.7 s
 * and 7 MB (inline strings) or 1.5 s and 10 MB (210,000 shared strings)
 * on the reference VM (tests/bench/bench_xlsxread.sh).
 *
 * Ownership.  bs_xlsx_open() returns a reader the caller frees with
 * bs_xlsx_close(); a sheet cursor from bs_xlsx_rows_open() is freed with
 * bs_xlsx_rows_close(), before its workbook.  Several cursors may be open
 * at once.  Sheet names are borrowed until bs_xlsx_close(); cell strings
 * are borrowed until the next bs_xlsx_rows_next() or bs_xlsx_rows_close()
 * and are NUL-terminated, without NUL bytes inside (_x0000_ is left as
 * written).  After an error only the close functions are meaningful.  An
 * object must not be used by two threads at once.
 *
 *	static const char *const cols[] = { "编号", "处理意见" };
 *	struct bs_xlsx *x;
 *	struct bs_xlsx_rows *r = NULL;
 *	long icol[2];
 *	int rc = -1;
 *
 *	if (bs_xlsx_open(&x, "review.xlsx", &err) < 0)
 *		return -1;
 *	if (bs_xlsx_rows_open(x, "问题数据", &r, &err) < 0 ||
 *	    bs_xlsx_rows_header(r, cols, 2, icol, BS_XLSX_TRIM, 10, &err) < 0)
 *		goto done;		// the header row is now current
 *	while ((rc = bs_xlsx_rows_next(r, &err)) == 1) {
 *		const char *no = bs_xlsx_cell(r, (size_t)icol[0], NULL);
 *		const char *op = bs_xlsx_cell(r, (size_t)icol[1], NULL);
 *		... bs_xlsx_row_number(r) is the row number Excel shows ...
 *	}
 *	// rc == 0: end of sheet; rc == -1: err is set
 * done:
 *	bs_xlsx_rows_close(r);
 *	bs_xlsx_close(x);
 */
#ifndef BS_XLSXREAD_H
#define BS_XLSXREAD_H

#include <stddef.h>
#include "err.h"

#define BS_XLSX_MAX_STRINGS ((size_t)256 << 20)	/* shared strings, bytes */
#define BS_XLSX_MAX_TEXT ((size_t)1 << 20)	/* one value, bytes */
#define BS_XLSX_MAX_ROW ((size_t)64 << 20)	/* one row's text, bytes */
#define BS_XLSX_MAX_COLS 16384		/* A..XFD, Excel's limit */
#define BS_XLSX_MAX_SHEETS 10000	/* sheets in one workbook */
#define BS_XLSX_MAX_ATTR 4096		/* a sheet name, id or target */
#define BS_XLSX_NUM_MAX 32		/* bs_xlsx_number_normalize() output */
#define BS_XLSX_COL_NAME_MAX 4		/* "XFD" and a NUL */

/* Caps on what grows from input; a field left at 0 takes its default. */
struct bs_xlsx_limits {
	size_t max_strings;	/* shared strings: text + 1 NUL + 1 index
				   entry (sizeof(size_t)) per string */
	size_t max_text;	/* bytes of one cell value or shared string */
	size_t max_row;		/* bytes of all the values of one row */
};
#define BS_XLSX_LIMITS_INIT \
	{ BS_XLSX_MAX_STRINGS, BS_XLSX_MAX_TEXT, BS_XLSX_MAX_ROW }

enum bs_xlsx_state {
	BS_XLSX_VISIBLE = 0,
	BS_XLSX_HIDDEN = 1,
	BS_XLSX_VERY_HIDDEN = 2,	/* only VBA can show it again */
};

enum bs_xlsx_type {
	BS_XLSX_NONE = 0,	/* no value (absent, styled only, no cache) */
	BS_XLSX_STRING,		/* shared, inline or formula string */
	BS_XLSX_NUMBER,		/* the text of <v> as written */
	BS_XLSX_BOOL,		/* "TRUE" or "FALSE" */
	BS_XLSX_ERROR,		/* "#N/A", "#VALUE!", ... */
	BS_XLSX_DATE,		/* t="d": ISO 8601 text as written */
};

enum bs_xlsx_flags {
	BS_XLSX_TRIM = 1u << 0,	/* header match ignores leading and
				   trailing blanks (ASCII space, tab, CR,
				   LF, U+00A0 and U+3000) of the cell text */
};

struct bs_xlsx;		/* an open workbook */
struct bs_xlsx_rows;	/* a sheet being read */

/*
 * Open the workbook at path and read its sheet list (the sheets' data is
 * read only by bs_xlsx_rows_open()/next()).  Returns 0 and sets *x, or -1
 * with err (66: missing or unreadable; 65: not an XLSX workbook, a missing
 * workbook part or relationship, malformed XML, a duplicate sheet name,
 * more than BS_XLSX_MAX_SHEETS sheets).  bs_xlsx_open_limits() takes caps
 * other than the defaults (NULL = defaults).
 */
int bs_xlsx_open(struct bs_xlsx **x, const char *path, struct bs_err *err);
int bs_xlsx_open_limits(struct bs_xlsx **x, const char *path,
    const struct bs_xlsx_limits *limits, struct bs_err *err);

/* Close the workbook and free everything; NULL is fine. */
void bs_xlsx_close(struct bs_xlsx *x);

/*
 * The sheets in workbook (tab) order, hidden ones included.  Chart sheets
 * are listed too; opening one for rows is an error (65).
 */
size_t bs_xlsx_nsheets(const struct bs_xlsx *x);
/* Name of sheet i, borrowed until bs_xlsx_close(); NULL if i >= nsheets. */
const char *bs_xlsx_sheet_name(const struct bs_xlsx *x, size_t i);
/* enum bs_xlsx_state of sheet i (-1 if i >= nsheets). */
int bs_xlsx_sheet_state(const struct bs_xlsx *x, size_t i);
/* The part holding sheet i, e.g. "xl/worksheets/sheet1.xml". */
const char *bs_xlsx_sheet_part(const struct bs_xlsx *x, size_t i);
/*
 * Index of the sheet called name: an exact match, else the first match
 * ignoring ASCII case (as Excel compares names); -1 if none.
 */
long bs_xlsx_sheet_find(const struct bs_xlsx *x, const char *name);

/*
 * Start reading a sheet, by name (see bs_xlsx_sheet_find()) or by index.
 * Loads the shared strings on first use.  Returns 0 and sets *r, or -1
 * with err (65: no such sheet, its part missing, not a worksheet, bad
 * shared strings; 74: read error).  The first row is read by
 * bs_xlsx_rows_next().
 */
int bs_xlsx_rows_open(struct bs_xlsx *x, const char *sheet_name,
    struct bs_xlsx_rows **r, struct bs_err *err);
int bs_xlsx_rows_open_at(struct bs_xlsx *x, size_t i,
    struct bs_xlsx_rows **r, struct bs_err *err);

/*
 * Read the next row holding at least one value or formula.  Returns 1 (a
 * row), 0 (end of sheet: the whole part was read and its zip checksum
 * verified) or -1 with err (65, 74).
 */
int bs_xlsx_rows_next(struct bs_xlsx_rows *r, struct bs_err *err);

/* Stop reading and free the cursor; NULL is fine. */
void bs_xlsx_rows_close(struct bs_xlsx_rows *r);

/* The current row's number as in the sheet (1-based, "7" for A7). */
unsigned long bs_xlsx_row_number(const struct bs_xlsx_rows *r);

/* 1 + the highest column holding a value or formula in the current row. */
size_t bs_xlsx_row_ncells(const struct bs_xlsx_rows *r);

/*
 * The value of column col (0-based) of the current row, NUL-terminated,
 * with its length in *len (if len is not NULL; 0 for NULL), or NULL when
 * the cell has no value (see above) or col >= ncells.  Borrowed until the
 * next bs_xlsx_rows_next() or bs_xlsx_rows_close().
 */
const char *bs_xlsx_cell(const struct bs_xlsx_rows *r, size_t col,
    size_t *len);

/* enum bs_xlsx_type of column col; BS_XLSX_NONE when it has no value. */
int bs_xlsx_cell_type(const struct bs_xlsx_rows *r, size_t col);

/* 1 if column col holds a formula (<f>), cached value or not; else 0. */
int bs_xlsx_cell_formula(const struct bs_xlsx_rows *r, size_t col);

/* The name of the sheet being read (borrowed until bs_xlsx_close()). */
const char *bs_xlsx_rows_sheet(const struct bs_xlsx_rows *r);

/*
 * Header helpers.  bs_xlsx_row_find() returns the first column of the
 * current row whose STRING value equals text (with BS_XLSX_TRIM: after
 * trimming the cell's blanks), or -1.  bs_xlsx_rows_header() reads rows
 * until one holds every one of the n names (at most max_rows rows read, 0
 * = no limit), stores their columns in cols[0..n-1] and leaves that row
 * current; the data rows follow with bs_xlsx_rows_next().  -1 with err: 65
 * "...: sheet 'S': no header row with '编号', '处理意见' in the first 10
 * rows" (the names are the ones missing from the best candidate), or the
 * error of bs_xlsx_rows_next().
 */
long bs_xlsx_row_find(const struct bs_xlsx_rows *r, const char *text,
    unsigned flags);
int bs_xlsx_rows_header(struct bs_xlsx_rows *r, const char *const *names,
    size_t n, long *cols, unsigned flags, size_t max_rows,
    struct bs_err *err);

/*
 * Column name of a 0-based index: 0 -> "A", 27 -> "AB", 16383 -> "XFD";
 * out holds BS_XLSX_COL_NAME_MAX bytes.  Returns out ("" if col is too
 * large).
 */
char *bs_xlsx_col_name(size_t col, char *out);

/*
 * Rewrite the number text s (len bytes) as printf("%.15g") would, which
 * removes binary floating-point noise: "66.84999999999999" -> "66.85",
 * "0.30000000000000004" -> "0.3", "42" -> "42", "1E+20" -> "1e+20".
 * Digits past the 15th are lost ("12345678901234567" -> "1.23456789012346e+16").
 * Independent of the locale.  Writes a NUL-terminated string of at most
 * BS_XLSX_NUM_MAX bytes into out and returns its length, or -1 if s is
 * not a finite decimal number (out is then "").  Not applied by the reader.
 *
 *	char num[BS_XLSX_NUM_MAX];
 *	if (type == BS_XLSX_NUMBER && bs_xlsx_number_normalize(v, n, num) >= 0)
 *		v = num;
 */
int bs_xlsx_number_normalize(const char *s, size_t len, char *out);

#endif
