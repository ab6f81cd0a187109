#include "bs.h"
#include "fetch.h"
#include "csv.h"
#include "decimal.h"
#include "rundir.h"
#include <pthread.h>

#define MAX_BULK_WIDTH 65536	/* wider columns are fetched row by row */
#define BULK_BYTES (8u << 20)	/* row-array buffers at most this big */
#define MAX_VALUE FETCH_MAX_VALUE

struct col {
	char name[256];
	SQLSMALLINT type;
	SQLULEN size;
	SQLSMALLINT digits;
	int scale;		/* declared decimal scale, -1 if none */
	size_t width;		/* bytes per value in the row array */
	char *buf;
	SQLLEN *ind;
};

const char *
fetch_type_name(SQLSMALLINT t)
{
	switch (t) {
	case SQL_CHAR: return "CHAR";
	case SQL_VARCHAR: return "VARCHAR";
	case SQL_LONGVARCHAR: return "LONGVARCHAR";
	case SQL_WCHAR: return "WCHAR";
	case SQL_WVARCHAR: return "WVARCHAR";
	case SQL_WLONGVARCHAR: return "WLONGVARCHAR";
	case SQL_DECIMAL: return "DECIMAL";
	case SQL_NUMERIC: return "NUMERIC";
	case SQL_SMALLINT: return "SMALLINT";
	case SQL_INTEGER: return "INTEGER";
	case SQL_BIGINT: return "BIGINT";
	case SQL_TINYINT: return "TINYINT";
	case SQL_REAL: return "REAL";
	case SQL_FLOAT: return "FLOAT";
	case SQL_DOUBLE: return "DOUBLE";
	case SQL_BIT: return "BIT";
	case SQL_TYPE_DATE: return "DATE";
	case SQL_TYPE_TIME: return "TIME";
	case SQL_TYPE_TIMESTAMP: return "TIMESTAMP";
	case SQL_BINARY: return "BINARY";
	case SQL_VARBINARY: return "VARBINARY";
	case SQL_LONGVARBINARY: return "LONGVARBINARY";
	}
	return "OTHER";
}

static int
is_long(SQLSMALLINT t)
{
	return t == SQL_LONGVARCHAR || t == SQL_WLONGVARCHAR || t == SQL_LONGVARBINARY;
}

/* Bytes to hold one value of this column as UTF-8 text, 0 if unbounded. */
static size_t
text_width(const struct col *c)
{
	switch (c->type) {
	case SQL_TYPE_DATE: return 32;
	case SQL_TYPE_TIME: return 32;
	case SQL_TYPE_TIMESTAMP: return 40;
	case SQL_SMALLINT: case SQL_INTEGER: case SQL_TINYINT: case SQL_BIT:
	case SQL_BIGINT: return 32;
	case SQL_REAL: case SQL_FLOAT: case SQL_DOUBLE: return 64;
	case SQL_DECIMAL: case SQL_NUMERIC:
		return c->size > 0 && c->size < 200 ? (size_t)c->size + 8 : 256;
	}
	if (is_long(c->type) || c->size == 0 || c->size > MAX_BULK_WIDTH / 4)
		return 0;
	/* character sizes are in characters: up to 4 bytes each in UTF-8 */
	return (size_t)c->size * 4 + 1;
}

/* Bind parameters in order of appearance; values stay alive in params. */
static int
bind_params(SQLHSTMT st, const struct bs_sql_named *nm, struct bs_params *params,
    SQLLEN *ind, const char *label, struct bs_err *err)
{
	size_t i;

	for (i = 0; i < nm->nparams; i++) {
		struct bs_param *p = bs_params_get(params, nm->names[i]);
		SQLSMALLINT sqltype = SQL_VARCHAR;
		SQLULEN size;
		size_t len;

		if (!p)
			return bs_err_set(err, BS_EXIT_USAGE,
			    "%s uses parameter ':%s' but no --param %s=... was given",
			    label, nm->names[i], nm->names[i]);
		p->used = 1;
		len = strlen(p->value);
		size = len ? len : 1;
		if (p->type == BS_P_DATE) {
			sqltype = SQL_TYPE_DATE;
			size = 10;
		} else if (p->type == BS_P_INT) {
			sqltype = SQL_BIGINT;
			size = 19;
		}
		ind[i] = (SQLLEN)len;
		if (!SQL_SUCCEEDED(SQLBindParameter(st, (SQLUSMALLINT)(i + 1),
		    SQL_PARAM_INPUT, SQL_C_CHAR, sqltype, size, 0, p->value,
		    (SQLLEN)len, &ind[i])))
			return bs_db_fail(err, SQL_HANDLE_STMT, st, 0,
			    "%s: cannot bind parameter ':%s'", label, p->name);
	}
	return 0;
}

int
fetch_put_value(struct bs_csv_writer *w, SQLSMALLINT type, int scale,
    const char *name, const char *s, size_t n, struct bs_buf *tmp,
    const char *label, unsigned long long row, struct bs_err *err)
{
	if (scale >= 0 && n) {
		bs_buf_reset(tmp);
		if (bs_dec_rescale_text(s, n, scale, tmp) < 0)
			return bs_err_set(err, BS_EXIT_DATAERR,
			    "%s: row %llu, column '%s': '%.*s' is not a decimal number",
			    label, row, name, (int)(n > 60 ? 60 : n), s);
		return bs_csv_write_field(w, tmp->buf, tmp->len, err);
	}
	if (type == SQL_TYPE_DATE && n > 10 && !strncmp(s + 10, " 00:00:00", 9))
		n = 10;
	else if (type == SQL_TYPE_TIMESTAMP && n > 19 && s[19] == '.') {
		size_t k = 20;

		while (k < n && s[k] == '0')
			k++;
		if (k == n)
			n = 19;
	}
	return bs_csv_write_field(w, s, n, err);
}

/* SQLFetch: 1 (more rows), 0 (end) or -1 with err. */
static int
fetch_next(SQLHSTMT st, const char *label, unsigned long long rows,
    struct bs_err *err)
{
	SQLRETURN r = SQLFetch(st);

	if (r == SQL_NO_DATA)
		return 0;
	if (!SQL_SUCCEEDED(r))
		return bs_db_fail(err, SQL_HANDLE_STMT, st, 0,
		    "%s: fetch failed after %llu rows", label, rows);
	return 1;
}

int
fetch_tick(struct bs_progress *prog, const char *label, unsigned long long rows,
    struct bs_err *err)
{
	bs_progress_update(prog, rows);
	if (bs_interrupted)
		return bs_err_set(err, BS_EXIT_TEMPFAIL, "%s: interrupted by signal %d",
		    label, bs_interrupted);
	return 0;
}

static int
fetch_bulk(SQLHSTMT st, struct col *cols, SQLSMALLINT ncols, struct bs_csv_writer *w,
    struct fetch_stats *stats, const char *label, struct bs_err *err)
{
	SQLULEN nfetched = 0, rows_per = 1000, i;
	size_t rowbytes = 0;
	SQLUSMALLINT *status;
	struct bs_buf tmp = BS_BUF_INIT(0);
	struct bs_progress prog;
	SQLSMALLINT c;
	int rc = -1, k;

	for (c = 0; c < ncols; c++)
		rowbytes += cols[c].width + sizeof(SQLLEN);
	while (rows_per > 16 && rows_per * rowbytes > BULK_BYTES)
		rows_per /= 2;
	status = bs_xcalloc(rows_per, sizeof(*status));
	SQLSetStmtAttr(st, SQL_ATTR_ROW_BIND_TYPE, (SQLPOINTER)SQL_BIND_BY_COLUMN, 0);
	SQLSetStmtAttr(st, SQL_ATTR_ROW_ARRAY_SIZE, (SQLPOINTER)rows_per, 0);
	SQLSetStmtAttr(st, SQL_ATTR_ROWS_FETCHED_PTR, &nfetched, 0);
	SQLSetStmtAttr(st, SQL_ATTR_ROW_STATUS_PTR, status, 0);
	for (c = 0; c < ncols; c++) {
		cols[c].buf = bs_xmalloc(rows_per * cols[c].width);
		cols[c].ind = bs_xcalloc(rows_per, sizeof(SQLLEN));
		if (!SQL_SUCCEEDED(SQLBindCol(st, (SQLUSMALLINT)(c + 1), SQL_C_CHAR,
		    cols[c].buf, (SQLLEN)cols[c].width, cols[c].ind))) {
			bs_db_fail(err, SQL_HANDLE_STMT, st, 0, "%s: cannot bind column '%s'",
			    label, cols[c].name);
			goto done;
		}
	}
	bs_progress_init(&prog, label);
	while ((k = fetch_next(st, label, stats->rows, err)) == 1) {
		for (i = 0; i < nfetched; i++) {
			if (status[i] == SQL_ROW_ERROR) {
				bs_err_set(err, BS_EXIT_DATAERR, "%s: row %llu could not be read",
				    label, stats->rows + 1);
				goto done;
			}
			stats->rows++;
			for (c = 0; c < ncols; c++) {
				SQLLEN ind = cols[c].ind[i];
				const char *v = cols[c].buf + i * cols[c].width;

				if (ind == SQL_NULL_DATA) {
					if (bs_csv_write_field(w, NULL, 0, err) < 0)
						goto done;
					continue;
				}
				if (ind == SQL_NO_TOTAL || ind >= (SQLLEN)cols[c].width) {
					bs_err_set(err, BS_EXIT_DATAERR,
					    "%s: row %llu, column '%s': value longer than the "
					    "%lu characters the driver declared", label,
					    stats->rows, cols[c].name, (unsigned long)cols[c].size);
					goto done;
				}
				if (fetch_put_value(w, cols[c].type, cols[c].scale,
				    cols[c].name, v, (size_t)ind, &tmp, label,
				    stats->rows, err) < 0)
					goto done;
			}
			if (bs_csv_end_record(w, err) < 0)
				goto done;
		}
		if (fetch_tick(&prog, label, stats->rows, err) < 0)
			goto done;
	}
	rc = k < 0 ? -1 : 0;
done:
	bs_progress_done(&prog);
	SQLFreeStmt(st, SQL_UNBIND);
	for (c = 0; c < ncols; c++) {
		free(cols[c].buf);
		free(cols[c].ind);
		cols[c].buf = NULL;
		cols[c].ind = NULL;
	}
	free(status);
	bs_buf_release(&tmp);
	return rc;
}

static int
fetch_rows(SQLHSTMT st, struct col *cols, SQLSMALLINT ncols, struct bs_csv_writer *w,
    struct fetch_stats *stats, const char *label, struct bs_err *err)
{
	struct bs_buf val = BS_BUF_INIT(MAX_VALUE), tmp = BS_BUF_INIT(0);
	struct bs_progress prog;
	char chunk[16384];
	SQLSMALLINT c;
	int rc = -1, k;

	bs_progress_init(&prog, label);
	while ((k = fetch_next(st, label, stats->rows, err)) == 1) {
		SQLRETURN r;

		stats->rows++;
		for (c = 0; c < ncols; c++) {
			int isnull = 0;

			bs_buf_reset(&val);
			for (;;) {
				SQLLEN got = 0;

				r = SQLGetData(st, (SQLUSMALLINT)(c + 1), SQL_C_CHAR, chunk,
				    sizeof(chunk), &got);
				if (r == SQL_NO_DATA)
					break;
				if (!SQL_SUCCEEDED(r)) {
					bs_db_fail(err, SQL_HANDLE_STMT, st, 0,
					    "%s: row %llu, column '%s': cannot read value",
					    label, stats->rows, cols[c].name);
					goto done;
				}
				if (got == SQL_NULL_DATA) {
					isnull = 1;
					break;
				}
				/* a piece that did not fit fills the buffer minus the NUL */
				if (bs_buf_add(&val, chunk, got == SQL_NO_TOTAL ||
				    got >= (SQLLEN)sizeof(chunk) ? sizeof(chunk) - 1 :
				    (size_t)got) < 0) {
					bs_err_set(err, BS_EXIT_DATAERR,
					    "%s: row %llu, column '%s': value larger than %u MiB",
					    label, stats->rows, cols[c].name, MAX_VALUE >> 20);
					goto done;
				}
				if (r == SQL_SUCCESS)
					break;
			}
			if (isnull ? bs_csv_write_field(w, NULL, 0, err) < 0 :
			    fetch_put_value(w, cols[c].type, cols[c].scale, cols[c].name,
				bs_buf_str(&val), val.len, &tmp, label, stats->rows,
				err) < 0)
				goto done;
		}
		if (bs_csv_end_record(w, err) < 0)
			goto done;
		if ((stats->rows & 1023) == 0 && fetch_tick(&prog, label, stats->rows, err) < 0)
			goto done;
	}
	rc = k < 0 ? -1 : 0;
done:
	bs_progress_done(&prog);
	bs_buf_release(&val);
	bs_buf_release(&tmp);
	return rc;
}

/*
 * While the driver executes a statement it does not return, and a signal
 * only sets bs_interrupted: for psqlodbc a watchdog thread turns that into
 * SQLCancel(), which sends the server a cancel request and is safe from
 * another thread.  Not for other drivers: sqliteodbc's SQLCancel() frees
 * the statement's results under a running fetch (heap corruption seen),
 * so there a signal is noticed between fetches only.
 */
struct watchdog {
	pthread_t th;
	SQLHSTMT st;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop, running, cancelled;
};

static void *
watch(void *arg)
{
	struct watchdog *wd = arg;
	struct timespec ts;

	pthread_mutex_lock(&wd->mu);
	while (!wd->stop) {
		if (bs_interrupted) {
			SQLCancel(wd->st);
			wd->cancelled = 1;
			break;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&wd->cv, &wd->mu, &ts);
	}
	pthread_mutex_unlock(&wd->mu);
	return NULL;
}

static void
watchdog_start(struct watchdog *wd, SQLHSTMT st)
{
	memset(wd, 0, sizeof(*wd));
	wd->st = st;
	pthread_mutex_init(&wd->mu, NULL);
	pthread_cond_init(&wd->cv, NULL);
	wd->running = pthread_create(&wd->th, NULL, watch, wd) == 0;
}

/* Stop the watchdog; 1 if it cancelled the statement. */
static int
watchdog_stop(struct watchdog *wd)
{
	if (wd->running) {
		pthread_mutex_lock(&wd->mu);
		wd->stop = 1;
		pthread_cond_signal(&wd->cv);
		pthread_mutex_unlock(&wd->mu);
		pthread_join(wd->th, NULL);
		wd->running = 0;
	}
	pthread_mutex_destroy(&wd->mu);
	pthread_cond_destroy(&wd->cv);
	return wd->cancelled;
}

int
fetch_to_csv(struct bs_db *db, const char *sql, struct bs_params *params,
    const struct bs_report_table *t, const char *label, struct bs_ofile *out,
    struct fetch_colinfo **info, size_t *ninfo, struct fetch_stats *stats,
    struct bs_err *err)
{
	struct bs_sql_named nm;
	struct bs_csv_writer w;
	SQLHSTMT st = SQL_NULL_HSTMT;
	SQLSMALLINT ncols = 0, c;
	struct col *cols = NULL;
	SQLLEN *pind = NULL;
	struct watchdog wd;
	SQLRETURN r;
	double t0 = bs_now_mono();
	int rc = -1, bulk = 1, w_init = 0, wd_on = 0;

	if (db->pq_conninfo) {
		rc = pqfetch_to_csv(db, sql, params, t, label, out, info, ninfo,
		    stats, err);
		if (rc != 1)
			return rc;
		rc = -1;
	}
	memset(stats, 0, sizeof(*stats));
	stats->via = "odbc";
	*info = NULL;
	*ninfo = 0;
	if (bs_sql_named_parse(sql, &nm, err) < 0)
		return bs_err_prefix(err, "%s", label);
	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, db->dbc, &st))) {
		bs_db_fail(err, SQL_HANDLE_DBC, db->dbc, 0, "%s: cannot allocate a statement",
		    label);
		goto done;
	}
	pind = bs_xcalloc(nm.nparams + 1, sizeof(SQLLEN));
	if (bind_params(st, &nm, params, pind, label, err) < 0)
		goto done;
	if (db->kind == BS_DB_POSTGRES) {
		watchdog_start(&wd, st);
		wd_on = 1;
	}
	r = SQLExecDirect(st, (SQLCHAR *)nm.sql, SQL_NTS);
	if (!SQL_SUCCEEDED(r)) {
		bs_db_fail(err, SQL_HANDLE_STMT, st, 0, "%s: query failed", label);
		goto done;
	}
	if (!SQL_SUCCEEDED(SQLNumResultCols(st, &ncols)) || ncols <= 0) {
		bs_err_set(err, BS_EXIT_CONFIG, "%s: the statement returns no columns "
		    "(an extract is one SELECT)", label);
		goto done;
	}
	cols = bs_xcalloc((size_t)ncols, sizeof(*cols));
	bs_csv_writer_init(&w, out);
	w_init = 1;
	*info = bs_xcalloc((size_t)ncols, sizeof(**info));
	*ninfo = (size_t)ncols;
	for (c = 0; c < ncols; c++) {
		SQLSMALLINT nl = 0, nullable;

		if (!SQL_SUCCEEDED(SQLDescribeCol(st, (SQLUSMALLINT)(c + 1),
		    (SQLCHAR *)cols[c].name, sizeof(cols[c].name), &nl, &cols[c].type,
		    &cols[c].size, &cols[c].digits, &nullable))) {
			bs_db_fail(err, SQL_HANDLE_STMT, st, 0,
			    "%s: cannot describe column %d", label, c + 1);
			goto done;
		}
		cols[c].scale = bs_report_table_scale(t, cols[c].name);
		cols[c].width = text_width(&cols[c]);
		if (!cols[c].width)
			bulk = 0;
		if (bs_csv_write_field(&w, cols[c].name, strlen(cols[c].name), err) < 0)
			goto done;
		memcpy((*info)[c].name, cols[c].name, sizeof(cols[c].name));
		(*info)[c].type = fetch_type_name(cols[c].type);
		(*info)[c].size = (unsigned long)cols[c].size;
		(*info)[c].digits = cols[c].digits;
		(*info)[c].scale = cols[c].scale;
		if (cols[c].scale < 0 && (cols[c].type == SQL_DOUBLE ||
		    cols[c].type == SQL_FLOAT || cols[c].type == SQL_REAL))
			bs_info("%s: column '%s' comes back as a binary float; declare "
			    "its scale under decimals: in the report definition to get "
			    "exact text", label, cols[c].name);
	}
	if (bs_csv_end_record(&w, err) < 0)
		goto done;
	stats->bulk = bulk;
	rc = bulk ? fetch_bulk(st, cols, ncols, &w, stats, label, err) :
		    fetch_rows(st, cols, ncols, &w, stats, label, err);
done:
	/* a statement the watchdog cancelled fails with the driver's words */
	if ((wd_on && watchdog_stop(&wd)) || (rc < 0 && bs_interrupted)) {
		bs_err_set(err, BS_EXIT_TEMPFAIL, "%s: interrupted by signal %d",
		    label, bs_interrupted);
		rc = -1;
	}
	stats->seconds = bs_now_mono() - t0;
	if (st != SQL_NULL_HSTMT) {
		SQLCloseCursor(st);
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	}
	if (w_init)
		bs_csv_writer_release(&w);
	free(cols);
	free(pind);
	bs_sql_named_release(&nm);
	return rc;
}
