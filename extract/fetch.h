/*
 * fetch.h - run one parameterised query over ODBC and stream its rows to
 * CSV (baosong-extract only).
 *
 * Column-wise bulk fetch (row arrays) when every column has a bounded
 * width, SQLGetData row by row otherwise (unbounded text columns).  All
 * values come from the driver as text (SQL_C_CHAR); decimals declared in
 * the report definition are re-formatted to their scale on the digits,
 * never through a binary float; dates and timestamps are put in ISO form.
 */
#ifndef BS_EXTRACT_FETCH_H
#define BS_EXTRACT_FETCH_H

#include "odbc.h"
#include "report.h"
#include "ofile.h"

/* What the driver said about one output column (for the manifest). */
struct fetch_colinfo {
	char name[256];
	const char *type;	/* ODBC type name, static */
	unsigned long size;
	int digits;
	int scale;		/* declared decimal scale or -1 */
};

struct fetch_stats {
	unsigned long long rows;
	int bulk;		/* 1 if row arrays were used */
	double seconds;
};

/*
 * Execute sql (with :name parameters) binding values from params, write the
 * header and rows to out.  t (may be NULL) gives declared decimal scales;
 * label names the query in messages (the SQL file).  *cols receives the
 * column descriptions (malloc'd, *ncols of them; the caller frees).
 */
int fetch_to_csv(struct bs_db *db, const char *sql, struct bs_params *params,
    const struct bs_report_table *t, const char *label, struct bs_ofile *out,
    struct fetch_colinfo **cols, size_t *ncols, struct fetch_stats *st,
    struct bs_err *err);

#endif
