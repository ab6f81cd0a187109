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
#include "csv.h"
#include "log.h"

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
	const char *via;	/* "odbc" or "libpq" */
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

/*
 * The same through libpq, for a PostgreSQL connection whose db->pq_conninfo
 * is set (pqfetch.c): parameters bound as $n, rows streamed in libpq's
 * single-row mode, values as PostgreSQL's text, written exactly as the ODBC
 * path writes them.  Returns 1, having written nothing, when a result
 * column has a type the ODBC driver would re-format in a way this path
 * does not reproduce (the caller then uses ODBC); 0 done; -1 with err.
 */
int pqfetch_to_csv(struct bs_db *db, const char *sql, struct bs_params *params,
    const struct bs_report_table *t, const char *label, struct bs_ofile *out,
    struct fetch_colinfo **cols, size_t *ncols, struct fetch_stats *st,
    struct bs_err *err);

/* Shared by both paths. */
#define FETCH_MAX_VALUE (64u << 20)	/* a single value larger than this is refused */
const char *fetch_type_name(SQLSMALLINT t);
/* Normalise one value (declared scale, ISO dates/timestamps) and write it. */
int fetch_put_value(struct bs_csv_writer *w, SQLSMALLINT type, int scale,
    const char *name, const char *s, size_t n, struct bs_buf *tmp,
    const char *label, unsigned long long row, struct bs_err *err);
/* Redraw the progress line; -1 with err (75) once a signal asked to stop. */
int fetch_tick(struct bs_progress *prog, const char *label,
    unsigned long long rows, struct bs_err *err);

#endif
