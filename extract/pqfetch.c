#include "bs.h"
#include "fetch.h"
#include "rundir.h"
#include <libpq-fe.h>
#include <poll.h>

/*
 * baosong-extract's PostgreSQL path: the same query, parameters and CSV as
 * fetch.c's ODBC path, but through libpq.  psqlodbc spends most of an
 * extract's CPU re-converting every value (parsing dates with sscanf and
 * printing them again, looking up the encoding per value); libpq hands us
 * PostgreSQL's own text.  Single-row mode streams the result while the
 * server is still producing it, so memory stays flat and the server and
 * this process work at the same time.
 *
 * Only types whose text psqlodbc passes through unchanged (or changes in a
 * way reproduced here: booleans become 1/0) take this path; a query with
 * any other result type (uuid is upper-cased by psqlodbc, bytea hex-coded,
 * timestamptz moved to the client's zone, money stripped, ...) is left to
 * ODBC, decided from the prepared statement's description before a row is
 * read.
 */

/* PostgreSQL type OIDs (pg_type.h) */
enum {
	OID_BOOL = 16, OID_NAME = 19, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23,
	OID_TEXT = 25, OID_FLOAT4 = 700, OID_FLOAT8 = 701, OID_BPCHAR = 1042,
	OID_VARCHAR = 1043, OID_DATE = 1082, OID_TIMESTAMP = 1114,
	OID_NUMERIC = 1700
};

struct pqcol {
	char name[256];
	Oid oid;
	SQLSMALLINT type;	/* what psqlodbc reports, for the manifest */
	unsigned long size;
	int digits;
	int scale;		/* declared decimal scale, -1 if none */
};

/* The ODBC description psqlodbc gives for a column; 0 if not this path's. */
static int
describe(struct pqcol *c, Oid oid, int mod)
{
	c->oid = oid;
	c->digits = 0;
	switch (oid) {
	case OID_BOOL: c->type = SQL_VARCHAR; c->size = 5; break;
	case OID_INT2: c->type = SQL_SMALLINT; c->size = 5; break;
	case OID_INT4: c->type = SQL_INTEGER; c->size = 10; break;
	case OID_INT8: c->type = SQL_BIGINT; c->size = 19; break;
	case OID_FLOAT4: c->type = SQL_REAL; c->size = 9; break;
	case OID_FLOAT8: c->type = SQL_FLOAT; c->size = 17; break;
	case OID_NUMERIC:
		c->type = SQL_NUMERIC;
		if (mod >= 4) {
			c->size = (unsigned long)(((mod - 4) >> 16) & 0xffff);
			c->digits = (mod - 4) & 0xffff;
		} else {
			c->size = 28;
			c->digits = 6;
		}
		break;
	case OID_TEXT: c->type = SQL_LONGVARCHAR; c->size = 8190; break;
	case OID_VARCHAR:
		c->type = SQL_VARCHAR;
		c->size = mod >= 4 ? (unsigned long)(mod - 4) : 255;
		break;
	case OID_BPCHAR:
		c->type = SQL_CHAR;
		c->size = mod >= 4 ? (unsigned long)(mod - 4) : 1;
		break;
	case OID_NAME: c->type = SQL_VARCHAR; c->size = 63; break;
	case OID_DATE: c->type = SQL_TYPE_DATE; c->size = 10; break;
	case OID_TIMESTAMP:
		c->type = SQL_TYPE_TIMESTAMP;
		c->digits = mod >= 0 ? mod : 6;
		c->size = (unsigned long)(19 + (c->digits ? c->digits + 1 : 0));
		break;
	default:
		return 0;
	}
	return 1;
}

static void
close_conn(void *p)
{
	PQfinish(p);
}

/* "what: [SQLSTATE] message" with the exit class of the SQLSTATE. */
static int
pq_fail(struct bs_err *err, PGconn *conn, const PGresult *res, int connect,
    const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char line[1024];
	char *nl;

	if (!msg || !*msg)
		msg = res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res) :
		    PQerrorMessage(conn);
	snprintf(line, sizeof(line), "%s", msg);
	while ((nl = strpbrk(line, "\r\n")) != NULL)
		*nl = nl[1] ? ' ' : '\0';
	if (!state || strlen(state) != 5)
		/* no SQLSTATE: libpq's own failures; a lost connection is
		 * ODBC's communication link failure (worth retrying) */
		state = connect ? "08001" : PQstatus(conn) == CONNECTION_BAD ?
			"08S01" : "HY000";
	return bs_err_set(err, bs_sqlstate_class(state, line, connect),
	    "%s: [%s] %s", what, state, line);
}

/* The libpq connection beside db's ODBC one, opened on first use. */
static PGconn *
pq_conn(struct bs_db *db, struct bs_err *err)
{
	PGconn *conn;

	if (db->native)
		return db->native;
	conn = PQconnectdb(db->pq_conninfo);
	if (!conn) {
		bs_err_set(err, BS_EXIT_OSERR, "%s: libpq: out of memory", db->label);
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		char what[512];

		snprintf(what, sizeof(what), "%s: cannot connect through libpq "
		    "(--odbc-only or 'libpq: false' reads through ODBC alone)",
		    db->label);
		pq_fail(err, conn, NULL, 1, what);
		PQfinish(conn);
		return NULL;
	}
	bs_debug("%s: reading results through libpq (server %d)", db->label,
	    PQserverVersion(conn));
	db->native = conn;
	db->native_close = close_conn;
	return conn;
}

/* Read results until libpq is idle again (after an error or a cancel). */
static void
drain(PGconn *conn)
{
	PGresult *r;

	while ((r = PQgetResult(conn)) != NULL)
		PQclear(r);
}

/* Bind the parameters in order of appearance as text with their types. */
static int
collect_params(const struct bs_sql_named *nm, struct bs_params *params,
    const char **values, Oid *types, const char *label, struct bs_err *err)
{
	size_t i;

	for (i = 0; i < nm->nparams; i++) {
		struct bs_param *p = bs_params_get(params, nm->names[i]);

		if (!p)
			return bs_err_set(err, BS_EXIT_USAGE,
			    "%s uses parameter ':%s' but no --param %s=... was given",
			    label, nm->names[i], nm->names[i]);
		p->used = 1;
		values[i] = p->value;
		types[i] = p->type == BS_P_DATE ? OID_DATE :
			   p->type == BS_P_INT ? OID_INT8 : 0;
	}
	return 0;
}

/* Ask the server to stop the running statement. */
static void
cancel(PGconn *conn)
{
	PGcancel *cn = PQgetCancel(conn);
	char eb[256];

	if (cn) {
		PQcancel(cn, eb, sizeof(eb));
		PQfreeCancel(cn);
	}
}

/*
 * The next result, waiting on the socket a fifth of a second at a time so
 * that a signal is noticed even while the server is still sorting before
 * its first row: then the statement is cancelled (*cancelled set) and the
 * results that follow are read as usual.
 */
static PGresult *
next_result(PGconn *conn, int *cancelled)
{
	while (PQisBusy(conn)) {
		struct pollfd pfd = { .fd = PQsocket(conn), .events = POLLIN };

		if (bs_interrupted && !*cancelled) {
			cancel(conn);
			*cancelled = 1;
		}
		if (pfd.fd < 0)
			break;
		if (poll(&pfd, 1, 200) < 0 && errno != EINTR)
			break;
		if (!PQconsumeInput(conn))
			break;
	}
	return PQgetResult(conn);
}

static int
stream_rows(PGconn *conn, struct bs_db *db, const struct pqcol *cols, int ncols,
    struct bs_csv_writer *w, struct fetch_stats *stats, const char *label,
    struct bs_err *err)
{
	struct bs_buf tmp = BS_BUF_INIT(0);
	struct bs_progress prog;
	PGresult *r;
	int rc = 0, c, cancelled = 0;

	bs_progress_init(&prog, label);
	while ((r = next_result(conn, &cancelled)) != NULL) {
		ExecStatusType s = PQresultStatus(r);

		if (rc < 0) {
			PQclear(r);
			continue;
		}
		if (s == PGRES_TUPLES_OK) {
			PQclear(r);
			continue;
		}
		if (s != PGRES_SINGLE_TUPLE) {
			char what[512];

			if (cancelled) {
				rc = bs_err_set(err, BS_EXIT_TEMPFAIL,
				    "%s: interrupted by signal %d", label,
				    bs_interrupted);
				PQclear(r);
				continue;
			}

			snprintf(what, sizeof(what), stats->rows ?
			    "%s: fetch failed after %llu rows" : "%s: query failed",
			    label, stats->rows);
			rc = pq_fail(err, conn, r, 0, what);
			PQclear(r);
			continue;
		}
		stats->rows++;
		for (c = 0; c < ncols && rc == 0; c++) {
			const char *v;
			size_t n;

			if (PQgetisnull(r, 0, c)) {
				rc = bs_csv_write_field(w, NULL, 0, err);
				continue;
			}
			v = PQgetvalue(r, 0, c);
			n = (size_t)PQgetlength(r, 0, c);
			if (n > FETCH_MAX_VALUE) {
				rc = bs_err_set(err, BS_EXIT_DATAERR,
				    "%s: row %llu, column '%s': value larger than %u MiB",
				    label, stats->rows, cols[c].name, FETCH_MAX_VALUE >> 20);
				break;
			}
			if (cols[c].oid == OID_BOOL) {
				v = *v == 't' ? db->pq_true : db->pq_false;
				n = strlen(v);
			}
			rc = fetch_put_value(w, cols[c].type, cols[c].scale, cols[c].name,
			    v, n, &tmp, label, stats->rows, err);
		}
		PQclear(r);
		if (rc == 0)
			rc = bs_csv_end_record(w, err);
		if (rc == 0 && (stats->rows & 1023) == 0)
			rc = fetch_tick(&prog, label, stats->rows, err);
		if (rc < 0 && !cancelled) {
			/* stop the server too, then read what is left */
			cancel(conn);
			cancelled = 1;
		}
	}
	bs_progress_done(&prog);
	bs_buf_release(&tmp);
	return rc < 0 ? -1 : 0;
}

int
pqfetch_to_csv(struct bs_db *db, const char *sql, struct bs_params *params,
    const struct bs_report_table *t, const char *label, struct bs_ofile *out,
    struct fetch_colinfo **info, size_t *ninfo, struct fetch_stats *stats,
    struct bs_err *err)
{
	struct bs_sql_named nm;
	struct bs_csv_writer w;
	struct pqcol *cols = NULL;
	const char **values = NULL;
	Oid *types = NULL;
	PGresult *d = NULL;
	PGconn *conn;
	char what[512];
	double t0 = bs_now_mono();
	int rc = -1, ncols = 0, c, w_init = 0;

	memset(stats, 0, sizeof(*stats));
	stats->via = "libpq";
	*info = NULL;
	*ninfo = 0;
	if (bs_sql_named_parse_pg(sql, &nm, err) < 0)
		return bs_err_prefix(err, "%s", label);
	values = bs_xcalloc(nm.nparams + 1, sizeof(*values));
	types = bs_xcalloc(nm.nparams + 1, sizeof(*types));
	if (collect_params(&nm, params, values, types, label, err) < 0)
		goto done;
	if (!(conn = pq_conn(db, err)))
		goto done;
	/* prepare and describe first: the column types decide the path */
	snprintf(what, sizeof(what), "%s: query failed", label);
	d = PQprepare(conn, "", nm.sql, (int)nm.nparams, types);
	if (PQresultStatus(d) != PGRES_COMMAND_OK) {
		pq_fail(err, conn, d, 0, what);
		goto done;
	}
	PQclear(d);
	d = PQdescribePrepared(conn, "");
	if (PQresultStatus(d) != PGRES_COMMAND_OK) {
		pq_fail(err, conn, d, 0, what);
		goto done;
	}
	ncols = PQnfields(d);
	if (ncols <= 0) {
		bs_err_set(err, BS_EXIT_CONFIG, "%s: the statement returns no columns "
		    "(an extract is one SELECT)", label);
		goto done;
	}
	cols = bs_xcalloc((size_t)ncols, sizeof(*cols));
	for (c = 0; c < ncols; c++) {
		snprintf(cols[c].name, sizeof(cols[c].name), "%s", PQfname(d, c));
		if (!describe(&cols[c], PQftype(d, c), PQfmod(d, c))) {
			bs_debug("%s: column '%s' has type %u: read through ODBC",
			    label, cols[c].name, (unsigned)PQftype(d, c));
			rc = 1;
			goto done;
		}
		cols[c].scale = bs_report_table_scale(t, cols[c].name);
	}
	bs_csv_writer_init(&w, out);
	w_init = 1;
	*info = bs_xcalloc((size_t)ncols, sizeof(**info));
	*ninfo = (size_t)ncols;
	for (c = 0; c < ncols; c++) {
		memcpy((*info)[c].name, cols[c].name, sizeof(cols[c].name));
		(*info)[c].type = fetch_type_name(cols[c].type);
		(*info)[c].size = cols[c].size;
		(*info)[c].digits = cols[c].digits;
		(*info)[c].scale = cols[c].scale;
		if (cols[c].scale < 0 && (cols[c].oid == OID_FLOAT4 ||
		    cols[c].oid == OID_FLOAT8))
			bs_info("%s: column '%s' comes back as a binary float; declare "
			    "its scale under decimals: in the report definition to get "
			    "exact text", label, cols[c].name);
		if (bs_csv_write_field(&w, cols[c].name, strlen(cols[c].name), err) < 0)
			goto done;
	}
	if (bs_csv_end_record(&w, err) < 0)
		goto done;
	if (!PQsendQueryPrepared(conn, "", (int)nm.nparams, values, NULL, NULL, 0) ||
	    !PQsetSingleRowMode(conn)) {
		pq_fail(err, conn, NULL, 0, what);
		drain(conn);
		goto done;
	}
	rc = stream_rows(conn, db, cols, ncols, &w, stats, label, err);
	if (rc == 0 && bs_interrupted)	/* after the last row: as on ODBC */
		rc = bs_err_set(err, BS_EXIT_TEMPFAIL, "%s: interrupted by signal %d",
		    label, bs_interrupted);
done:
	stats->seconds = bs_now_mono() - t0;
	PQclear(d);
	if (rc == 1) {
		free(*info);
		*info = NULL;
		*ninfo = 0;
	}
	if (w_init)
		bs_csv_writer_release(&w);
	free(cols);
	free(values);
	free(types);
	bs_sql_named_release(&nm);
	return rc;
}
