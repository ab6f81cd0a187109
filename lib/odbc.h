/*
 * odbc.h - every database through unixODBC: sources of extracts and the
 * tracking store alike.
 *
 * Connections come from a workspace connection (sqlite / dsn / connect),
 * an odbc.ini DSN name, or a connection string.  A password is taken only
 * from odbc.ini (the driver reads it), from the environment variable or the
 * owner-only file the workspace names; it is spliced into the string handed
 * to SQLDriverConnect, wiped afterwards, and never printed or stored:
 * bs_db.source is the connection string with any password removed.
 *
 * Driver errors become one line "[SQLSTATE] message" and an exit class:
 * authentication refused 77; worth retrying (refused, timeout, busy,
 * deadlock) 75; cannot connect otherwise 69; bad SQL 78; data error 65.
 *
 *	struct bs_db db;
 *	if (bs_db_connect(&db, conf, &err) < 0) return -1;
 *	bs_db_exec(&db, "CREATE TABLE t (a INTEGER)", &err);
 *	bs_db_close(&db);
 */
#ifndef BS_ODBC_H
#define BS_ODBC_H

#include <sql.h>
#include <sqlext.h>
#include "workspace.h"

enum bs_db_kind { BS_DB_OTHER, BS_DB_SQLITE, BS_DB_POSTGRES };

struct bs_db {
	SQLHENV env;
	SQLHDBC dbc;
	int connected;
	enum bs_db_kind kind;
	char *source;		/* connection string, password removed */
	char *label;		/* "connection 'demo'" / "DSN 'X'" for messages */
	char dbms[64];		/* SQL_DBMS_NAME */
	char driver[64];	/* SQL_DRIVER_NAME */
	/*
	 * PostgreSQL through psqlodbc: the same server, database, user and
	 * SSL mode as libpq keywords, taken from the driver's completed
	 * connection string (so DSNs from odbc.ini resolve too), and the
	 * password given to the driver (or the DSN's, from odbc.ini; never
	 * the driver's escaped copy), for a program that reads large results
	 * through libpq (baosong-extract).
	 * Secret (it holds the password): wiped and freed by bs_db_close();
	 * NULL when not PostgreSQL, or when the ODBC connection carries
	 * settings libpq would not reproduce (ConnSettings, LFConversion=1).
	 */
	char *pq_conninfo;
	const char *pq_true;	/* psqlodbc's text for a true boolean: "1" or "-1" */
	const char *pq_false;	/* and for false: "0" */
	/* a program's own handle on the same database, closed with the rest */
	void *native;
	void (*native_close)(void *native);
};

/* Connect through a workspace connection (or tracking) configuration. */
int bs_db_connect(struct bs_db *db, const struct bs_conn_conf *c,
    struct bs_err *err);
/*
 * Connect with a connection string; password may be NULL.  A string that
 * already carries a password is refused when from_cli is set (64): a
 * password must never be on a command line.
 */
int bs_db_connect_str(struct bs_db *db, const char *connstr,
    const char *password, const char *label, int from_cli, struct bs_err *err);
void bs_db_close(struct bs_db *db);
/* Forget (wipe) pq_conninfo: results stay on the ODBC connection. */
void bs_db_drop_pq(struct bs_db *db);

/* 1 if the connection string has a PWD= or PASSWORD= attribute. */
int bs_connstr_has_password(const char *s);
/* The string without password attributes (malloc'd). */
char *bs_connstr_redact(const char *s);

/*
 * Fill err from the handle's diagnostics: "what: [SQLSTATE] message" with
 * the exit class derived from the SQLSTATE (connect != 0: connection phase).
 */
int bs_db_fail(struct bs_err *err, SQLSMALLINT htype, SQLHANDLE h, int connect,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Exit class for a SQLSTATE and driver message. */
int bs_sqlstate_class(const char *state, const char *msg, int connect);

/* Run a statement without results. */
int bs_db_exec(struct bs_db *db, const char *sql, struct bs_err *err);
/* Run a statement with n text parameters (NULL pointer = SQL NULL). */
int bs_db_execp(struct bs_db *db, const char *sql, size_t n,
    const char *const *params, struct bs_err *err);
/*
 * Run a query with text parameters; *out = first column of the first row
 * (malloc'd), or NULL when there is no row or the value is NULL.
 */
int bs_db_query1(struct bs_db *db, const char *sql, size_t n,
    const char *const *params, char **out, struct bs_err *err);
int bs_db_begin(struct bs_db *db, struct bs_err *err);
int bs_db_commit(struct bs_db *db, struct bs_err *err);
void bs_db_rollback(struct bs_db *db);

/*
 * Named parameters: ":name" in SQL text becomes "?" (outside quotes,
 * comments and PostgreSQL "::" casts).  "--" line comments are removed
 * from the rewritten text (sqliteodbc splits statements on a ';' even
 * inside one); block comments, which may carry optimizer hints, are kept.  names[i] is the name of the i-th
 * "?", in order of appearance (a name may repeat).  On failure (78, an
 * unterminated quote) out holds nothing; releasing it is harmless.
 */
struct bs_sql_named {
	char *sql;		/* rewritten SQL (owned) */
	char **names;		/* nparams names (owned) */
	size_t nparams;
};
int bs_sql_named_parse(const char *sql, struct bs_sql_named *out,
    struct bs_err *err);
/* The same, writing PostgreSQL's "$1", "$2", ... instead of "?". */
int bs_sql_named_parse_pg(const char *sql, struct bs_sql_named *out,
    struct bs_err *err);
void bs_sql_named_release(struct bs_sql_named *n);

#endif
