/*
 * layout.h - transform layouts: the regulator's interface files described
 * in YAML (docs/baosong-layout.5), loaded and checked with every error
 * located as "file:line:column: message" (exit class 78).
 *
 * A layout says, for each output file: which input table, the file-name
 * pattern, the fields in order (each from a column, an expression of the
 * rule language, or a constant; with its format: a date pattern, a
 * decimal scale, an integer, text trimmed or not, a code map), and the
 * file's form: delimited (delimiter, optional qualifier, what a field may
 * contain) or fixed-width (widths in bytes of the target encoding, padding
 * side and character); the encoding, BOM, line ends, a header row, and a
 * control file made from templates.
 *
 *	layout: east-sample
 *	defaults: {encoding: GB18030, line_end: CRLF, delimiter: "|",
 *	           control: {name: "{stem}.ctl", lines: ["{file}|{rows}|{sums}|{sha256}"]}}
 *	maps:
 *	  status: {file: ref/policy-status.csv}     # from,to
 *	files:
 *	  - table: policy
 *	    code: BD003
 *	    name: "{org}_{table}_{period:%Y%m%d}.txt"
 *	    key: [policy_no]
 *	    sum: [BF]
 *	    fields:
 *	      - {name: BDH, column: policy_no}
 *	      - {name: QDRQ, column: sign_date, date: YYYYMMDD}
 *	      - {name: ZT, column: status, map: status}
 *	      - {name: BF, column: total_premium, decimal: 2}
 *	      - {name: QD, expr: "coalesce(channel, '99')"}
 *
 * Loading checks everything that does not need the data: option values,
 * date patterns, map files, name and control templates, header widths of
 * fixed-width files.  Column names and expressions are checked against an
 * input's header when the transform opens it (bs_lay_pos() gives their
 * positions for messages).
 *
 * Ownership: struct bs_layout lives in caller storage; bs_layout_load()
 * fills it, bs_layout_release() frees everything.  All strings and arrays
 * inside belong to the layout.
 *
 *	struct bs_layout l;
 *	if (bs_layout_load(&l, "rules/east-sample/layout.yaml", &err) < 0)
 *		return bs_report(&err);		// 66 missing, 78 malformed
 *	... l.files[i] ...
 *	bs_layout_release(&l);
 */
#ifndef BS_LAYOUT_H
#define BS_LAYOUT_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "encode.h"
#include "err.h"
#include "sha256.h"

/* A place in the layout file, 1-based, for messages about expressions. */
struct bs_lay_pos {
	unsigned long line, column;
	int quoted;		/* the scalar was quoted: its text starts 1 later */
};

/* ---- templates: file names and control-file lines ---- */

enum bs_lay_var {
	BS_LV_TEXT,		/* literal text */
	BS_LV_ORG,		/* {org}: institution code */
	BS_LV_TABLE,		/* {table}: the file's code (default: table name) */
	BS_LV_PERIOD,		/* {period}: "2026-10"; with a format: its last day */
	BS_LV_PERIOD_START,	/* {period_start:%Y%m%d} */
	BS_LV_PERIOD_END,	/* {period_end:%Y%m%d} */
	BS_LV_TODAY,		/* {today:%Y%m%d}: the run's date */
	BS_LV_SEQ,		/* {seq} or {seq:3}: part number, from 1 */
	/* control files only */
	BS_LV_FILE,		/* {file}: the data file's name */
	BS_LV_STEM,		/* {stem}: that name without its extension */
	BS_LV_ROWS,		/* {rows} or {rows:10} */
	BS_LV_BYTES,		/* {bytes} */
	BS_LV_SHA256,		/* {sha256} or {sha256:upper} */
	BS_LV_SUM,		/* {sum:FIELD} */
	BS_LV_SUMS,		/* {sums}: the file's sum: fields, joined */
};

struct bs_lay_part {
	enum bs_lay_var var;
	char *text;		/* BS_LV_TEXT: the text; dates: the strftime-like
				   format (%Y %m %d %%) or NULL */
	int width;		/* {seq:N} {rows:N}: zero-padded width; 0 none;
				   {sha256:upper}: 1 */
	size_t field;		/* BS_LV_SUM: index into the file's fields */
};

struct bs_lay_tmpl {
	char *src;		/* as written */
	struct bs_lay_part *parts;
	size_t nparts;
	unsigned uses;		/* 1u << enum bs_lay_var, for each var used */
};

/* Values for bs_lay_expand(); pointers may be NULL when not used. */
struct bs_lay_vars {
	const char *org;
	const char *table;
	const char *period;	/* "2026-10", NULL without a period */
	int32_t period_start, period_end;	/* day numbers (date.h) */
	int32_t today;
	unsigned long seq;
	/* control files */
	const char *file;
	unsigned long long rows, bytes;
	const char *sha256;
	const char *const *sums;	/* text per field index; NULL entries
					   for fields not summed */
	const size_t *sum_list;	/* the file's sum: fields (indexes) */
	size_t nsum_list;
	const char *sums_sep;	/* joins {sums} */
};

/*
 * Expand t with v, appending to out.  -1 with err (BS_EXIT_USAGE) when a
 * variable the template uses has no value (no period, no institution).
 */
int bs_lay_expand(const struct bs_lay_tmpl *t, const struct bs_lay_vars *v,
    struct bs_buf *out, struct bs_err *err);

/* ---- maps ---- */

struct bs_lay_map {
	char *name;
	char *file;		/* absolute path; NULL for inline values */
	char *version;		/* bs_refcsv_version() of the file, or NULL */
	size_t n;
	char **from, **to;
	size_t *slots;		/* hash table: index + 1, 0 empty */
	size_t nslots;
};

/* The regulator's code for internal code s[0, n), or NULL if unmapped. */
const char *bs_lay_map_get(const struct bs_lay_map *m, const char *s, size_t n);

/* ---- fields and files ---- */

enum bs_lay_src { BS_LAY_COLUMN, BS_LAY_EXPR, BS_LAY_VALUE };
enum bs_lay_kind { BS_LAY_TEXT, BS_LAY_DATE, BS_LAY_DECIMAL, BS_LAY_INTEGER };
enum bs_lay_form { BS_LAY_DELIMITED, BS_LAY_FIXED };
enum bs_lay_quote { BS_LAY_QUOTE_ALL, BS_LAY_QUOTE_TEXT, BS_LAY_QUOTE_NEEDED };

/* A compiled date pattern: YYYY MM DD HH MI SS and literal text. */
#define BS_LAY_DATE_MAX 16	/* tokens and literal runs */
struct bs_lay_datefmt {
	char *src;
	int has_time;		/* uses HH, MI or SS */
	int ymd;		/* exactly YYYYMMDD: the fast path */
	size_t n;
	struct {
		int tok;	/* 0 literal, else 'Y' 'M' 'D' 'h' 'm' 's' */
		const char *lit;	/* into src */
		size_t len;
	} op[BS_LAY_DATE_MAX];
};

struct bs_lay_field {
	char *name;		/* header, messages, sums */
	enum bs_lay_src src;
	char *column;		/* BS_LAY_COLUMN */
	char *expr;		/* BS_LAY_EXPR: the expression's text */
	struct bs_lay_pos expr_pos;
	char *value;		/* BS_LAY_VALUE */
	enum bs_lay_kind kind;
	struct bs_lay_datefmt date;	/* BS_LAY_DATE */
	int scale;		/* BS_LAY_DECIMAL: fraction digits */
	int round;		/* may round half-up to scale (else refuse) */
	int trim;		/* text: strip blanks and U+3000 at both ends */
	const struct bs_lay_map *map;	/* borrowed from the layout */
	char *null_text;	/* written for a NULL (default "") */
	size_t width;		/* fixed: bytes in the target encoding */
	int align_right;	/* fixed: pad on the left */
	char pad;		/* fixed: ASCII padding character */
	struct bs_lay_pos pos;	/* the field's entry */
};

struct bs_lay_control {
	struct bs_lay_tmpl name;
	struct bs_lay_tmpl *lines;
	size_t nlines;
	enum bs_enc enc;
	int bom;
	const char *eol;	/* "\r\n" or "\n" (static) */
	char *sep;		/* joins {sums} */
};

struct bs_lay_file {
	char *table;		/* input table (<table>.csv) */
	char *code;		/* {table} in names */
	struct bs_lay_tmpl name;
	char **key;		/* key columns, nkey of them (may be 0) */
	size_t nkey;
	char **type_col, **type_decl;	/* declared column types (expressions) */
	struct bs_lay_pos *type_pos;
	size_t ntypes;
	struct bs_lay_field *fields;
	size_t nfields;
	size_t *sum;		/* sum: fields, as field indexes */
	size_t nsum;
	/* form */
	enum bs_lay_form form;
	enum bs_enc enc;
	int bom;
	const char *eol;	/* "\r\n" or "\n" (static) */
	int header;
	int last_eol;		/* the last line ends with eol too */
	char delim;		/* delimited */
	char qualifier;		/* 0 none */
	enum bs_lay_quote quote;
	int allow_delim;	/* a field may hold the delimiter (qualified) */
	int allow_break;	/* a field may hold CR/LF (qualified) */
	int byte_safe;		/* no delimiter/qualifier byte inside a
				   multi-byte character */
	unsigned long max_rows;	/* start a new part after so many; 0 never */
	struct bs_lay_control *control;	/* NULL: none */
	struct bs_lay_pos pos;
};

struct bs_layout {
	char *path;		/* as given */
	char *dir;		/* its directory (absolute) */
	char sha256[BS_SHA256_HEX];	/* of the file's bytes */
	char *name;
	char *title;
	struct bs_lay_map *maps;
	size_t nmaps;
	struct bs_lay_file *files;
	size_t nfiles;
};

/*
 * Load and check path.  -1 with err: BS_EXIT_NOINPUT (66) when the file
 * or a map file it names is missing, BS_EXIT_CONFIG (78) for anything
 * malformed, located as "path:line:column: ...".
 */
int bs_layout_load(struct bs_layout *l, const char *path, struct bs_err *err);
void bs_layout_release(struct bs_layout *l);

/* Index of field name in f, or -1. */
long bs_lay_field_index(const struct bs_lay_file *f, const char *name);

/*
 * Format an input date ('YYYY-MM-DD') or timestamp ('YYYY-MM-DD
 * HH:MM:SS[.f]', only when the pattern has time parts) with d, appending
 * to out.  0, or -1 when s is not a valid date (or timestamp) for it.
 */
int bs_lay_date_format(const struct bs_lay_datefmt *d, const char *s, size_t n,
    struct bs_buf *out);

#endif
