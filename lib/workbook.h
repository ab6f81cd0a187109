/*
 * workbook.h - the review workbook (review.xlsx): the problem-data list
 * (问题数据清单) that department reviewers open in Excel, WPS or
 * LibreOffice and answer problem by problem.
 *
 * baosong-validate streams its problems into it; baosong-review later
 * reads the edited file back (libzip + libxml2, not this module).  Written
 * with libxlsxwriter in constant_memory mode: memory stays bounded whatever
 * the number of problems (a few hundred KiB plus per-rule and per-owner
 * counters); row data goes to temporary files, by default in the output's
 * own directory, never in /tmp (which may be a RAM disk).  Measured on a
 * 2-vCPU VM: 1,000,000 problems in 20-24 s (about 60 % of it zlib at
 * close), peak RSS 4.5 MB, a 73 MB file; the temporary files need about
 * 1 KB per problem (the uncompressed sheet XML) until close.  LibreOffice
 * opens that workbook in about 30 s with 900 MB of memory.
 *
 * WHAT THE READER SEES (all text for people is simplified Chinese)
 *
 *   汇总 (first, active)  title; 报送任务 / 校验批次 / 生成时间 / 数据指纹 /
 *	problem totals; a note on how to answer and on the per-sheet row limit;
 *	a table per owner department (责任部门, 错误, 警告, 合计, 已填写处理方式
 *	as a live formula, then one hyperlink per sheet of that department);
 *	a stacked bar chart of errors and warnings per department; a table
 *	per rule (规则编号, 严重程度, 规则类别, 问题数, 责任部门, 问题描述),
 *	every declared rule listed, zero counts included.
 *   one sheet per owner department, in order of first appearance (the
 *	order problems arrive in; sorting would need every owner before the
 *	first row, and constant_memory cannot reorder sheets afterwards).
 *	Row 1 is the header, frozen, with an autofilter over the data;
 *	columns A..O:
 *
 *	   A 规则编号  B 严重程度 (错误/警告)  C 规则类别  D 表  E 记录号
 *	   F 行号  G 主键  H 问题字段  I 问题值  J 问题描述  K 责任部门
 *	   L 问题状态 (新/未变/已重开, carried)  M 处理方式  N 处理说明
 *	   O 复核人
 *
 *	主键 is highlighted (bold, green fill), 问题字段 and 问题值 in Excel's
 *	"bad" colours; 错误 in red, 警告 in orange.  M..O are the reviewer's
 *	columns (yellow): M is a drop-down of exactly 已修改 (fixed at source),
 *	说明 (explained), 剔除 (excluded), with an input prompt and a stop alert;
 *	N and O are free text.  Carried answers are written into M..O.
 *	Record and line numbers are numbers (sortable), blank for table-level
 *	problems; keys, ids and values are always text (leading zeros kept).
 *   splitting: a sheet holds at most max_rows problems (default
 *	BS_WORKBOOK_MAX_ROWS = 1,000,000, below Excel's 1,048,576 rows); the
 *	next ones go to "部门 (2)", "部门 (3)"...  The summary says so in its
 *	note and links every sheet of a department; each continuation sheet
 *	says so in Q1, right of its header ("续表：接工作表“部门”…").
 *   at most max_sheets (default BS_WORKBOOK_MAX_SHEETS = 100) department
 *	sheets; a department that would need one more goes, whole rest of it,
 *	to the shared sheet "其余部门" (its 责任部门 column tells them apart; Q1
 *	says why), which splits like any other.  Sheet names are the
 *	department names with Excel's forbidden []:*?/\ replaced by '_', a
 *	leading or trailing apostrophe dropped, cut to fit 31 characters with
 *	the " (n)" suffix, made unique ignoring ASCII case; an empty or NULL
 *	owner is "未指定部门".
 *   _baosong (hidden): two columns key / value (row 1 is "key","value"),
 *	every value text.  Keys, in this order:
 *	   format_version (BS_WORKBOOK_FORMAT, "1"), generator, filing, run_id,
 *	   report_title, data_sha256, generated_at, max_rows, problems, rules,
 *	   header_row ("1"), columns (the ids of A..O, comma-separated:
 *	   rule_id,severity,category,table,record,line,key,columns,values,
 *	   message,owner,status,disposition,comment,reviewer),
 *	   dispositions ("已修改,说明,剔除", i.e. fixed,explained,excluded),
 *	   sheets (n), then per problem sheet i = 1..n: sheet.<i> (its name),
 *	   sheet.<i>.owner (department, "" for the shared sheet), sheet.<i>.rows.
 *	NULL metadata is written as "".  English appears only here, for
 *	machines: a second header line would break the frozen row and the
 *	autofilter, and constant_memory cannot add header comments afterwards.
 *
 * Identifiers stay visible cells: baosong-review matches answers by
 * (rule id, table, key), never by row number, and checks filing, run_id and
 * data_sha256 in _baosong against the filing.  Notes for that reader:
 * strings are inline (t="inlineStr") here but shared after Excel or
 * LibreOffice re-saves; text is escaped per ECMA-376 ST_Xstring, so a
 * literal "_x0041_" in data is written "_x005F_x0041_" and readers must
 * decode _xHHHH_ (openpyxl 3.0 does not, Excel and LibreOffice do).
 *
 * Text cleaning (every cell): invalid UTF-8 bytes become U+FFFD; CR LF and
 * lone CR become LF; other C0 control characters (except TAB and LF)
 * become U+FFFD; text over Excel's 32,767 characters (UTF-16 units) is cut
 * and ends in "…（已截断）".  A NULL field is an empty cell, except values
 * when columns is set: a NULL value list is shown as BS_WORKBOOK_NULL_TEXT
 * "(空)".  Inside a ';'-joined list the engine marks NULL elements itself,
 * with the same text.
 *
 * Rules and defaults.  bs_workbook_rule() declares a rule (message,
 * severity, owner, category are copied).  A problem's NULL severity,
 * category, message or owner is taken from its rule.  A problem whose rule
 * was never declared declares it on the fly from the problem's fields.
 * Severity is "error" (错误) or "warning" (警告); any other text is shown as
 * given and counted in 合计 only.
 *
 * Files.  The workbook is written to "<dir>/.<name>.tmp.<pid>" (created at
 * open, so an unwritable path fails at once with 73) and renamed over path
 * only after a successful workbook_close() and fsync.  A full disk shows
 * either in bs_workbook_add() (the sheet's temporary file has a write
 * error) or in bs_workbook_close() (lxw_error), both as 74 with the path.
 * Failures leave nothing behind at path.  libxlsxwriter itself may print an
 * "[ERROR] ..." line on stderr when its zip step fails; the error is also
 * returned here.  docProps' creation time is generated_at (when it parses),
 * so the same input and metadata give the same bytes.
 *
 * Ownership.  bs_workbook_open() allocates the workbook; exactly one of
 * bs_workbook_close() or bs_workbook_abort() frees it, whatever happens.
 * After bs_workbook_add() fails, only bs_workbook_abort() is meaningful.
 * All strings passed in are copied or written before the call returns.
 *
 *	struct bs_workbook *wb;
 *	struct bs_workbook_meta m = { .filing = "east-sample/2026-10",
 *	    .run_id = run, .data_sha256 = sha, .report_title = "EAST 问题数据清单" };
 *	if (bs_workbook_open(&wb, "out/review.xlsx", &m, &err) < 0)
 *		return -1;
 *	bs_workbook_rule(wb, "C8-001", "保单号不能为空", "error", "业务管理部",
 *	    "C8", &err);
 *	for (each problem p)
 *		if (bs_workbook_add(wb, &p, &err) < 0) {
 *			bs_workbook_abort(wb);
 *			return -1;
 *		}
 *	return bs_workbook_close(wb, &err);	// frees wb either way
 */
#ifndef BS_WORKBOOK_H
#define BS_WORKBOOK_H

#include "err.h"

#define BS_WORKBOOK_FORMAT "1"		/* _baosong format_version */
#define BS_WORKBOOK_MAX_ROWS 1000000ULL /* problems per sheet, default */
#define BS_WORKBOOK_ROW_LIMIT 1048575ULL /* Excel rows minus the header */
#define BS_WORKBOOK_MAX_SHEETS 100	/* department sheets, default */
#define BS_WORKBOOK_NULL_TEXT "(空)"
#define BS_WORKBOOK_SUMMARY_SHEET "汇总"
#define BS_WORKBOOK_META_SHEET "_baosong"
/* Test hook: max_rows when meta->max_rows is 0 (1..1048575). */
#define BS_WORKBOOK_ENV_MAX_ROWS "BS_XLSX_MAX_ROWS"

/* One rule failure of one record (or of a whole table). */
struct bs_problem {
	const char *rule_id;		/* required */
	const char *severity;		/* "error" | "warning"; NULL: the rule's */
	const char *category;		/* e.g. "C8"; NULL: the rule's */
	const char *table;
	unsigned long long record, line; /* 0 for table-level problems */
	const char *key;		/* record key, composite joined with '|' */
	const char *columns;		/* offending columns, ';'-separated */
	const char *values;		/* offending values, ';'-separated */
	const char *message;		/* NULL: the rule's */
	const char *owner;		/* department; NULL: the rule's */
	/* carried from an earlier round, may be NULL */
	const char *status;		/* 新 / 未变 / 已重开 */
	const char *disposition;	/* 已修改 / 说明 / 剔除 */
	const char *comment;
	const char *reviewer;
};

struct bs_workbook_meta {
	const char *filing;		/* e.g. "east-sample/2026-10" */
	const char *run_id;		/* the validation run */
	const char *report_title;	/* NULL: "问题数据清单" */
	const char *data_sha256;	/* of the validated data */
	const char *generated_at;	/* "YYYY-MM-DD HH:MM:SS"; NULL: now */
	unsigned long long max_rows;	/* 0: $BS_XLSX_MAX_ROWS or default */
	unsigned max_sheets;		/* 0: BS_WORKBOOK_MAX_SHEETS */
	const char *tmpdir;		/* NULL: the directory of path */
};

struct bs_workbook;

/*
 * Start a workbook that will be published at path.  Creates the temporary
 * output file at once.  Errors: 73 (cannot create it, with the path), 78
 * (bad $BS_XLSX_MAX_ROWS), 70 (bad meta->max_rows).  On failure *wb is NULL.
 */
int bs_workbook_open(struct bs_workbook **wb, const char *path,
    const struct bs_workbook_meta *m, struct bs_err *err);

/*
 * Declare a rule, so the summary lists it even with no problem.  id is
 * required; severity "error" or "warning" (NULL: "error"); the others may
 * be NULL.  Declaring an id twice is 70 (a caller bug).
 */
int bs_workbook_rule(struct bs_workbook *wb, const char *id,
    const char *message, const char *severity, const char *owner,
    const char *category, struct bs_err *err);

/*
 * Append one problem to its department's sheet (created on first use,
 * split at max_rows).  Errors: 70 (no rule_id), 74 (write error in a
 * temporary file: disk full), 73 (libxlsxwriter could not add a sheet).
 */
int bs_workbook_add(struct bs_workbook *wb, const struct bs_problem *p,
    struct bs_err *err);

/*
 * Set (or replace) the data fingerprint shown in 汇总 and _baosong, when it
 * is known only after the problems (meta->data_sha256 at open: the same).
 * NULL writes "".
 */
void bs_workbook_set_data_sha256(struct bs_workbook *wb, const char *sha256);

/*
 * Write the summary, the chart and _baosong; assemble the zip; fsync;
 * rename to path.  Frees wb on success and failure.  Errors: 74 (write
 * failed, e.g. disk full), 73 (cannot create or rename), 71 (libxlsxwriter
 * out of memory); err names the path.
 */
int bs_workbook_close(struct bs_workbook *wb, struct bs_err *err);

/* Discard: remove the temporary file, free wb.  NULL is fine. */
void bs_workbook_abort(struct bs_workbook *wb);

/* Problems added so far. */
unsigned long long bs_workbook_count(const struct bs_workbook *wb);

#endif
