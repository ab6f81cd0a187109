/*
 * rules.h - rule files: load, check and compile the YAML rule files that
 * baosong-validate applies to the CSV tables of an extract.
 *
 * The format is documented for users in baosong-rules(5) (sections RULE
 * FILES and CHECKS; the expression language is lib/expr.h and section
 * EXPRESSIONS).  In short, one file describes one table:
 *
 *	table: policy
 *	key: policy_no
 *	owner: 个险业务部
 *	columns: {policy_no: text(60), eff_date: date, exp_date: date}
 *	sentinels: {insured_id: ['000000']}
 *	rules:
 *	  - {id: R030, severity: error, message: 保单号重复, unique: policy_no}
 *	  - {id: R033, severity: error, message: 终止日期早于生效日期,
 *	     assert: exp_date >= eff_date}
 *
 * Loading is all or nothing.  Every problem found in every file is
 * collected as one "file:line:column: message" line in rs->diags (unknown
 * keys, unknown columns and functions, type errors, bad regular
 * expressions, duplicate rule ids, missing reference lists...) and the
 * load fails with BS_EXIT_CONFIG (78); a rule set that loaded is complete
 * and every expression in it is compiled.  Missing or unreadable rule
 * files are BS_EXIT_NOINPUT (66) or BS_EXIT_IOERR (74) and stop at once.
 *
 * Tables.  A table's columns are "closed" when one of its files has a
 * columns: section: every name a rule uses must then be declared there.
 * Otherwise they are "open": names are collected as the rules use them
 * and checked against the CSV header when a run starts (bs_rules_bind).
 * A table that only other tables' rules mention (exists:, reconcile:) is
 * open too.  Columns are numbered in the order they became known; that
 * number is the field index of struct bs_row in expressions.
 *
 * Lookups.  A file's lookups: section names rows of other tables by key
 * (struct bs_rlookup); their columns are used as "name.column" anywhere
 * a column of the file's table may be, and become columns of the table
 * with lookup >= 0 (not in the CSV: the engine fills them).  A lookup
 * may use other lookups (its by: those of its home table, its where:
 * those of the looked-up table); a cycle is a load error.
 *
 * Ownership.  struct bs_rules lives in caller storage and owns everything
 * it points to; bs_rules_release() frees it.  Rules keep pointers into the
 * region list (rs->regions), which lives as long as the rule set.
 *
 *	struct bs_rules rs;
 *	struct bs_rules_opts o = BS_RULES_OPTS_INIT;
 *	const char *files[] = { "rules/east-sample/policy.rules.yaml" };
 *	if (bs_rules_load(&rs, files, 1, &o, &err) < 0) {
 *		for (i = 0; i < rs.ndiags; i++)
 *			fprintf(stderr, "%s\n", rs.diags[i]);
 *		bs_rules_release(&rs);
 *		return err.code;
 *	}
 */
#ifndef BS_RULES_H
#define BS_RULES_H

#include <stddef.h>
#include <stdint.h>
#include "decimal.h"
#include "expr.h"
#include "keyset.h"

struct bs_err;
struct bs_region_list;

enum bs_rule_kind {
	BS_RULE_ASSERT,		/* assert: condition */
	BS_RULE_REQUIRED,	/* required: column(s) */
	BS_RULE_UNIQUE,		/* unique: column(s), together */
	BS_RULE_PATTERN,	/* column: + pattern: regex (whole value) */
	BS_RULE_IN,		/* column: + in: list or {ref: name} */
	BS_RULE_EXISTS,		/* exists: cols in table.cols */
	BS_RULE_TYPE,		/* column: + type: declaration */
	BS_RULE_ROWS,		/* rows: {min, max} */
	BS_RULE_RECONCILE,	/* reconcile: aggregate against another table */
};

/* "assert", "required", ... as the rule file spells them. */
const char *bs_rule_kind_name(enum bs_rule_kind k);

enum bs_severity { BS_SEV_ERROR, BS_SEV_WARNING };

/* A place in a rule file: file is borrowed from struct bs_rules. */
struct bs_rpos {
	const char *file;
	unsigned long line, column;	/* 1-based */
};

/* One column of a table. */
struct bs_rcol {
	char *name;
	struct bs_expr_col type;	/* text unless declared */
	int declared;		/* in columns: */
	int checked;		/* type is not plain text: a value may fail it */
	char **sentinels;	/* values that stand for "not applicable" */
	size_t *sentinel_lens;
	size_t nsentinels;
	struct bs_rpos pos;	/* declaration, or first use */
	long field;		/* CSV field index (bs_rules_bind), -1 before */
	/*
	 * A column read through a lookup ("pol.eff_date"): not in the CSV;
	 * the engine fills it per row from the looked-up row.  lookup is
	 * the index into rs->lookups, -1 for a column of the CSV; lcol the
	 * column of the looked-up table (for a sum lookup: the position in
	 * its sum list).
	 */
	long lookup;
	size_t lcol;
};

/*
 * lookups: a row of another table (or of the same one) named by key.
 * For each row of its home table, the values of 'by' (this table's
 * columns or expressions, rendered as text) are looked up among the key
 * values of 'table' (compared exactly as text); the first row with that
 * key (in file order) supplies the columns "name.column"; no row: NULL.
 * With sum: the columns are the sums over every matching row.
 */
struct bs_rlookup {
	char *name;		/* "pol" */
	size_t home;		/* the table whose rows look up */
	size_t table;		/* the table looked up */
	size_t *key;		/* its key columns */
	size_t nkey;
	struct bs_expr **by;	/* nkey values of the home row */
	struct bs_expr *where;	/* rows of table taken (NULL: all) */
	size_t *sum;		/* sum lookup: the columns summed */
	size_t nsum;
	int is_sum;
	struct bs_rpos pos;	/* its name in the rule file */
};

struct bs_rtable {
	char *name;
	struct bs_rcol *cols;
	size_t ncols, acols;
	int closed;		/* columns: declared */
	int has_file;		/* a rule file is about this table */
	size_t *key;		/* key columns (indexes into cols) */
	size_t nkey;
	struct bs_rpos pos;	/* table: line of its first file, or first use */
	int bound;		/* bs_rules_bind() succeeded */
};

enum bs_agg { BS_AGG_SUM, BS_AGG_COUNT_ROWS, BS_AGG_COUNT };
enum bs_cmp { BS_CMP_EQ, BS_CMP_LE, BS_CMP_GE };
enum bs_groups { BS_GROUPS_ALL, BS_GROUPS_MATCHED, BS_GROUPS_THIS,
	BS_GROUPS_OTHER };

/* One side of a reconciliation. */
struct bs_rside {
	size_t table;
	enum bs_agg agg;
	struct bs_expr *value;	/* BS_AGG_SUM: a number */
	size_t count_col;	/* BS_AGG_COUNT: non-NULL values of it */
	struct bs_expr *where;	/* rows taken (the rule's when: for this side) */
	size_t *group;		/* group_by columns (SIZE_MAX: an expression) */
	struct bs_expr **group_expr;	/* per group_by item: NULL, or the
					   expression whose text groups */
	size_t ngroup;
	char *label;		/* "sum(amount)", "gl_summary.sum(credit)" */
};

struct bs_reconcile {
	struct bs_rside side[2];	/* 0 this table, 1 against */
	struct bs_dec tolerance;
	enum bs_cmp cmp;
	enum bs_groups groups;
	int scale;		/* fraction digits to print sums with */
};

struct bs_rule_regex;
struct bs_rule_inset;

struct bs_rule {
	char *id;
	char *message;
	char *owner;		/* the rule's, else its file's; may be "" */
	char *category;		/* "C7" or "C7/C9"; may be "" */
	enum bs_severity severity;
	enum bs_rule_kind kind;
	size_t table;		/* index into rs->tables */
	struct bs_rpos pos;	/* the rule (its id) */
	size_t seq;		/* position in the rule set, from 0 */
	struct bs_expr *when;	/* NULL: every row */
	struct bs_expr *expr;	/* ASSERT */
	/*
	 * Columns checked: REQUIRED, PATTERN, IN, TYPE each column on its
	 * own; UNIQUE and EXISTS the tuple; ASSERT the expression's columns
	 * (for showing values).  Indexes into the table's cols.
	 */
	size_t *cols;
	size_t ncols;
	struct bs_rule_regex *re;	/* PATTERN */
	char *pattern;
	struct bs_keyset in;	/* IN: the accepted values */
	struct bs_rule_inset *inset;	/* and when all are short, a faster
					   table of them (NULL otherwise) */
	char *in_ref;		/* IN from a reference list: its path */
	size_t ref_table;	/* EXISTS: the referenced table */
	size_t *ref_cols;	/* and its columns (ncols of them) */
	struct bs_expr_col type;	/* TYPE */
	int64_t rows_min, rows_max;	/* ROWS: -1 when not given */
	struct bs_reconcile *rec;	/* RECONCILE */
};

/* A reference list a rule set read, for the manifest. */
struct bs_rref {
	char *name;		/* "iso4217" */
	char *path;
	char *version;
};

struct bs_rules {
	char **files;		/* as given, for messages and the manifest */
	size_t nfiles;
	char (*sha256)[65];	/* of each file */
	struct bs_rtable *tables;
	size_t ntables, atables;
	struct bs_rule *rules;
	size_t nrules, arules;
	char **diags;		/* "file:line:column: message" */
	size_t ndiags, adiags;
	struct bs_rref *refs;	/* reference lists read */
	size_t nrefs, arefs;
	struct bs_region_list *regions;	/* GB/T 2260, when found */
	char *regions_path;
	struct bs_rlookup *lookups;	/* of every table */
	size_t nlookups, alookups;
};

struct bs_rules_opts {
	/*
	 * Where reference lists (in: {ref: NAME}) and the region list
	 * (gb2260.csv) are looked for, after the rule file's own ref/ folder
	 * and the ref/ folder beside its folder: NULL-terminated, may be
	 * NULL.  baosong-validate passes BS_DATADIR/rules/ref.
	 */
	const char *const *ref_dirs;
	/*
	 * When not NULL (a report definition lists its tables), a table
	 * named anywhere must be one of these: NULL-terminated.
	 */
	const char *const *known_tables;
	/*
	 * Run parameters for expressions: period "YYYY-MM" gives :period
	 * (text), :period_start and :period_end (dates); institution_code
	 * gives :institution_code.  Either may be NULL: using the parameter
	 * is then a load error, unless check_only (checking rules without a
	 * run), when it is type-checked only.
	 */
	const char *period;
	const char *institution_code;
	int check_only;
};

#define BS_RULES_OPTS_INIT { NULL, NULL, NULL, NULL, 0 }

/*
 * Load and compile the rule files paths[0..n-1] into rs (which need not
 * be initialised).  Returns 0; or -1 with err: 78 when rs->diags lists
 * problems (err->msg then says how many), 66/74 when a file cannot be
 * read.  Either way rs must be released.
 */
int bs_rules_load(struct bs_rules *rs, const char *const *paths, size_t n,
    const struct bs_rules_opts *o, struct bs_err *err);

/*
 * The rule files of a directory: every regular file whose name ends in
 * ".rules.yaml", sorted by name, appended to *paths (malloc'd strings).
 * -1 with err (66) when dir cannot be read.
 */
int bs_rules_dir(const char *dir, char ***paths, size_t *n,
    struct bs_err *err);

/* Index of a table by name, or -1. */
long bs_rules_table(const struct bs_rules *rs, const char *name);

/*
 * Bind table t to the header of its CSV (named csv in messages): every
 * known column of the table must be in the header, else a diag
 * "file:line:column: column 'x' is not in policy.csv" is added at the
 * column's declaration (or first use).  Sets each column's field index.
 * Returns 0, or -1 with err (78) when diags were added.
 */
int bs_rules_bind(struct bs_rules *rs, size_t t, const char *csv,
    const char *const *header, size_t nheader, struct bs_err *err);

/*
 * Checks the engine applies without the expression evaluator.
 * bs_rule_match: PATTERN against the whole value: 1 match, 0 no match
 * (n bytes of valid UTF-8).  bs_rule_in: IN, 1 if the value is listed.
 * bs_rule_present: the REQUIRED test: not NULL, not "", not only blanks
 * (ASCII spaces and tabs, U+3000).  bs_rcol_sentinel: 1 if the value is
 * one of the column's sentinels.
 */
int bs_rule_match(const struct bs_rule *r, const char *s, size_t n);
int bs_rule_in(const struct bs_rule *r, const char *s, size_t n);
int bs_rule_present(const char *s, size_t n);
int bs_rcol_sentinel(const struct bs_rcol *c, const char *s, size_t n);

/* "file:line:column" of a position into buf; returns buf. */
const char *bs_rpos_str(const struct bs_rpos *p, char *buf, size_t size);

/* Free everything; rs is then zeroed.  NULL ok. */
void bs_rules_release(struct bs_rules *rs);

/*
 * Mark in dep[] (one byte per lookup of rs) the lookups that expression e,
 * compiled for table t, reads.  e may be NULL.
 */
void bs_rules_expr_lookups(const struct bs_rules *rs, size_t t,
    const struct bs_expr *e, unsigned char *dep);

#endif
