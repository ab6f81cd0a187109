/*
 * test_odbc.c - lib/odbc.h: connection-string password detection and
 * redaction, named parameters, the SQLSTATE -> exit-class table, and a
 * real SQLite database through the SQLite3 ODBC driver (registered in a
 * private odbcinst.ini through ODBCSYSINI): statements, parameters with
 * NULL and Chinese text, long values, transactions, and the connection
 * errors (missing file 66, password file mode 77, password_env 78).
 */
#include "bs.h"
#include "odbc.h"

#include <setjmp.h>
#include <cmocka.h>

#include "tutil.h"

/* ---- connection strings ---- */

static void
t_has_password(void **state)
{
	static const struct {
		const char *s;
		int want;
	} t[] = {
		{ "DSN=x;PWD=s", 1 },
		{ "dsn=x;pwd=s", 1 },
		{ "Password=s", 1 },
		{ "Driver=X;pAsSwOrD=s;Uid=u", 1 },
		{ "Server=db; PWD = s", 1 },
		{ ";;PWD={a;b}}c};", 1 },
		{ "PWD=", 1 },
		{ "Uid=u;Server=db", 0 },
		{ "PWDX=1;MyPWD=2;Passwords=3", 0 },
		{ "Driver={X;PWD=y};Server=db", 0 },	/* inside braces */
		{ "Server={a}}PWD=b};Uid=u", 0 },
		{ "Driver={SQLite3};Database=/tmp/x.db", 0 },
		{ "", 0 },
		{ "no attributes at all", 0 },
		/* an attribute without '=' before the password one */
		{ "Driver=X;Trusted;PWD=s", 1 },
		{ "Trusted;Password=s", 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < BS_ARRAY_SIZE(t); i++)
		if (bs_connstr_has_password(t[i].s) != t[i].want)
			fail_msg("bs_connstr_has_password(\"%s\") should be %d", t[i].s,
			    t[i].want);
}

static void
t_redact(void **state)
{
	static const struct {
		const char *s, *want;
	} t[] = {
		{ "Driver={PostgreSQL Unicode};Server=h;Uid=u;PWD={a;b}}c};Port=5432",
		  "Driver={PostgreSQL Unicode};Server=h;Uid=u;Port=5432" },
		{ "pwd=x;UID=u;pAsSwOrD=y", "UID=u" },
		{ "DSN=X", "DSN=X" },
		{ "PWD=x", "" },
		{ "  DSN=X ;; Uid=u;", "DSN=X ;Uid=u" },
		{ "Driver=X;Trusted;PWD=s;Port=1", "Driver=X;Trusted;Port=1" },
		{ "", "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < BS_ARRAY_SIZE(t); i++) {
		char *r = bs_connstr_redact(t[i].s);

		if (strcmp(r, t[i].want) != 0)
			fail_msg("bs_connstr_redact(\"%s\") = \"%s\", want \"%s\"", t[i].s, r,
			    t[i].want);
		free(r);
	}
}

/* ---- named parameters ---- */

static void
named_ok(const char *sql, const char *want_sql, const char *want_names)
{
	struct bs_sql_named n;
	struct bs_err err = BS_ERR_INIT;
	struct bs_buf names = BS_BUF_INIT(0);
	size_t i;

	if (bs_sql_named_parse(sql, &n, &err) != 0)
		fail_msg("'%s': %s", sql, err.msg);
	for (i = 0; i < n.nparams; i++)
		bs_buf_addf(&names, "%s%s", i ? "," : "", n.names[i]);
	assert_string_equal(n.sql, want_sql);
	assert_string_equal(bs_buf_str(&names), want_names);
	bs_buf_release(&names);
	bs_sql_named_release(&n);
	assert_null(n.sql);
	assert_int_equal(n.nparams, 0);
}

static void
t_named(void **state)
{
	struct bs_sql_named n;
	struct bs_err err = BS_ERR_INIT;

	(void)state;
	named_ok("SELECT 1", "SELECT 1", "");
	named_ok("", "", "");
	named_ok("SELECT * FROM p WHERE d BETWEEN :period_start AND :period_end",
	    "SELECT * FROM p WHERE d BETWEEN ? AND ?", "period_start,period_end");
	named_ok("WHERE a = :x OR b = :x OR c = :_y1", "WHERE a = ? OR b = ? OR c = ?",
	    "x,x,_y1");
	named_ok("SELECT a::text, b::numeric(18,2) FROM t WHERE c = :c",
	    "SELECT a::text, b::numeric(18,2) FROM t WHERE c = ?", "c");
	named_ok("SELECT ':x', 'it''s :x', \"col:x\", \"a\"\"b:y\" FROM t WHERE z = :z",
	    "SELECT ':x', 'it''s :x', \"col:x\", \"a\"\"b:y\" FROM t WHERE z = ?", "z");
	named_ok("SELECT 1 -- not :this one\nFROM t WHERE a = :a -- nor :that",
	    "SELECT 1 \nFROM t WHERE a = ? ", "a");
	named_ok("SELECT 1 -- a; b\n", "SELECT 1 \n", "");
	named_ok("SELECT /* :no\n :no */ :yes /* :unclosed", "SELECT /* :no\n :no */ ? /* :unclosed",
	    "yes");
	named_ok("a = :1 OR b = : x OR c=:保", "a = :1 OR b = : x OR c=:保", "");
	named_ok("SELECT '保单 :x' AS 名称, :机构 FROM t WHERE k=:k", "SELECT '保单 :x' AS 名称, :机构 FROM t WHERE k=?",
	    "k");
	named_ok("x=:a1_b2c;", "x=?;", "a1_b2c");
	named_ok("''", "''", "");
	/* PostgreSQL's numbered form: one number per occurrence */
	assert_int_equal(bs_sql_named_parse_pg("WHERE a = :x OR b = ':x' OR c = :x::date -- :z\n"
	    "AND d = :y", &n, &err), 0);
	assert_string_equal(n.sql, "WHERE a = $1 OR b = ':x' OR c = $2::date \nAND d = $3");
	assert_int_equal(n.nparams, 3);
	assert_string_equal(n.names[0], "x");
	assert_string_equal(n.names[1], "x");
	assert_string_equal(n.names[2], "y");
	bs_sql_named_release(&n);

	assert_int_equal(bs_sql_named_parse("SELECT :a, 'open :b", &n, &err), -1);
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	assert_string_equal(err.msg, "unterminated quoted text starting at offset 11");
	/* nothing to release after a failure (releasing is harmless) */
	assert_null(n.names);
	assert_int_equal(n.nparams, 0);
	bs_sql_named_release(&n);
	assert_int_equal(bs_sql_named_parse("SELECT \"x", &n, &err), -1);
	assert_string_equal(err.msg, "unterminated quoted text starting at offset 7");
	bs_sql_named_release(NULL);
}

/* ---- exit classes ---- */

static void
t_sqlstate_class(void **state)
{
	static const struct {
		const char *st, *msg;
		int connect, want;
	} t[] = {
		{ "28000", "[unixODBC]FATAL: password authentication failed", 1, 77 },
		{ "28000", NULL, 0, 77 },
		{ "28P01", "x", 1, 77 },
		{ "08001", "could not connect to server: Connection refused", 1, 75 },
		{ "08001", "connection refused", 0, 75 },
		{ "08001", "could not translate host name \"nohost\"", 1, 69 },
		{ "08001", "x", 0, 69 },
		{ "IM002", "Data source name not found", 1, 69 },
		{ "HY000", "14 connect failed", 1, 69 },
		{ "42S02", "no such table: nope", 0, 78 },
		{ "42601", "syntax error", 0, 78 },
		{ "42501", "x", 0, 77 },
		{ "HY000", "ERROR: permission denied for table p", 0, 77 },
		{ "22012", "division by zero", 0, 65 },
		{ "22P02", "invalid input syntax", 0, 65 },
		{ "40001", "serialization failure", 0, 75 },
		{ "40P01", "deadlock detected", 0, 75 },
		{ "HYT00", "x", 0, 75 },
		{ "HY000", "database is locked (5)", 0, 75 },
		{ "HY000", "Database Is Locked", 1, 75 },
		{ "57P03", "the database system is starting up", 1, 75 },
		{ "57P01", "terminating connection due to administrator command", 0, 75 },
		{ "57P02", "terminating connection because of crash of another server process", 0, 75 },
		{ "53300", "sorry, too many clients already", 1, 75 },
		{ "08S01", "communication link failure", 0, 75 },
		{ "HY000", "timeout expired", 0, 75 },
		{ "HY000", "something else", 0, 78 },
		{ "HY000", NULL, 0, 78 },
		{ "HY000", NULL, 1, 69 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < BS_ARRAY_SIZE(t); i++) {
		int got = bs_sqlstate_class(t[i].st, t[i].msg, t[i].connect);

		if (got != t[i].want)
			fail_msg("bs_sqlstate_class(\"%s\", \"%s\", %d) = %d, want %d", t[i].st,
			    t[i].msg ? t[i].msg : "(null)", t[i].connect, got, t[i].want);
	}
}

/* ---- a real SQLite database through unixODBC ---- */

struct fx {
	char dir[PATH_MAX];
	char *dbfile;
	struct bs_conn_conf conf;
	struct bs_db db;
};

static int
setup(void **state)
{
	struct fx *f = bs_xcalloc(1, sizeof(*f));

	tu_mkdtemp(f->dir);
	f->dbfile = bs_xasprintf("%s/数据.db", f->dir);
	f->conf.name = (char *)"demo";
	f->conf.sqlite = f->dbfile;
	f->conf.create = 1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	bs_db_close(&f->db);
	tu_rm_rf(f->dir);
	free(f->dbfile);
	free(f);
	return 0;
}

static void
connect_ok(struct fx *f)
{
	struct bs_err err = BS_ERR_INIT;

	if (!tu_have_driver)
		skip();
	if (bs_db_connect(&f->db, &f->conf, &err) != 0)
		fail_msg("%s", err.msg);
}

static char *
q1(struct bs_db *db, const char *sql, size_t n, const char *const *p)
{
	struct bs_err err = BS_ERR_INIT;
	char *out = (char *)"unset";

	if (bs_db_query1(db, sql, n, p, &out, &err) != 0)
		fail_msg("%s: %s", sql, err.msg);
	return out;
}

static void
exec_ok(struct bs_db *db, const char *sql)
{
	struct bs_err err = BS_ERR_INIT;

	if (bs_db_exec(db, sql, &err) != 0)
		fail_msg("%s: %s", sql, err.msg);
}

static void
t_connect(void **state)
{
	struct fx *f = *state;
	char *want;

	connect_ok(f);
	assert_int_equal(f->db.connected, 1);
	assert_int_equal(f->db.kind, BS_DB_SQLITE);
	assert_string_equal(f->db.label, "connection 'demo'");
	want = bs_xasprintf("Driver=SQLite3;Database=%s;StepAPI=1;Timeout=10000;"
	    "JournalMode=WAL;SyncPragma=NORMAL", f->dbfile);
	assert_string_equal(f->db.source, want);
	free(want);
	assert_true(tu_exists(f->dbfile));
	bs_db_close(&f->db);
	assert_int_equal(f->db.connected, 0);
	assert_null(f->db.source);
	bs_db_close(&f->db);
	bs_db_close(NULL);
	/* an existing file opens without create */
	f->conf.create = 0;
	connect_ok(f);
	assert_non_null(strstr(f->db.source, "NoCreat=1"));
}

static void
t_round_trip(void **state)
{
	struct fx *f = *state;
	struct bs_err err = BS_ERR_INIT;
	const char *p[3];
	char *v;

	connect_ok(f);
	exec_ok(&f->db, "CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT, n INTEGER)");
	p[0] = "a"; p[1] = "示例财产保险股份有限公司"; p[2] = "42";
	assert_int_equal(bs_db_execp(&f->db, "INSERT INTO t VALUES (?, ?, ?)", 3, p, &err), 0);
	p[0] = "b"; p[1] = NULL; p[2] = NULL;
	assert_int_equal(bs_db_execp(&f->db, "INSERT INTO t VALUES (?, ?, ?)", 3, p, &err), 0);
	p[0] = "c"; p[1] = ""; p[2] = "-1";
	assert_int_equal(bs_db_execp(&f->db, "INSERT INTO t VALUES (?, ?, ?)", 3, p, &err), 0);

	p[0] = "a";
	v = q1(&f->db, "SELECT v FROM t WHERE k = ?", 1, p);
	assert_string_equal(v, "示例财产保险股份有限公司");
	free(v);
	v = q1(&f->db, "SELECT length(v) FROM t WHERE k = ?", 1, p);
	assert_string_equal(v, "12");		/* characters, not bytes */
	free(v);
	v = q1(&f->db, "SELECT n + 1 FROM t WHERE k = ?", 1, p);
	assert_string_equal(v, "43");
	free(v);
	/* NULL and the empty string differ */
	p[0] = "b";
	v = q1(&f->db, "SELECT v FROM t WHERE k = ?", 1, p);
	assert_null(v);
	v = q1(&f->db, "SELECT v IS NULL FROM t WHERE k = ?", 1, p);
	assert_string_equal(v, "1");
	free(v);
	p[0] = "c";
	v = q1(&f->db, "SELECT v FROM t WHERE k = ?", 1, p);
	assert_non_null(v);
	assert_string_equal(v, "");
	free(v);
	/* no row */
	p[0] = "zz";
	v = q1(&f->db, "SELECT v FROM t WHERE k = ?", 1, p);
	assert_null(v);
	v = q1(&f->db, "SELECT count(*) FROM t", 0, NULL);
	assert_string_equal(v, "3");
	free(v);
	/* an UPDATE or DELETE touching nothing is fine */
	p[0] = "zz";
	assert_int_equal(bs_db_execp(&f->db, "DELETE FROM t WHERE k = ?", 1, p, &err), 0);
	assert_int_equal(bs_db_execp(&f->db, "UPDATE t SET v = 'x' WHERE k = ?", 1, p, &err), 0);
}

static void
t_long_value(void **state)
{
	struct fx *f = *state;
	struct bs_buf big = BS_BUF_INIT(0);
	struct bs_err err = BS_ERR_INIT;
	const char *p[1];
	char *v;
	int i;

	connect_ok(f);
	exec_ok(&f->db, "CREATE TABLE b (v TEXT)");
	/* 3-byte characters across the 4096-byte pieces of SQLGetData */
	for (i = 0; i < 5000; i++)
		bs_buf_adds(&big, i % 7 ? "保" : "x");
	p[0] = big.buf;
	assert_int_equal(bs_db_execp(&f->db, "INSERT INTO b VALUES (?)", 1, p, &err), 0);
	v = q1(&f->db, "SELECT v FROM b", 0, NULL);
	assert_int_equal(strlen(v), big.len);
	assert_string_equal(v, big.buf);
	free(v);
	v = q1(&f->db, "SELECT length(v) FROM b", 0, NULL);
	assert_string_equal(v, "5000");
	free(v);
	bs_buf_release(&big);
}

static void
t_transactions(void **state)
{
	struct fx *f = *state;
	struct bs_err err = BS_ERR_INIT;
	char *v;

	connect_ok(f);
	exec_ok(&f->db, "CREATE TABLE t (a INTEGER)");
	exec_ok(&f->db, "INSERT INTO t VALUES (1)");
	assert_int_equal(bs_db_begin(&f->db, &err), 0);
	exec_ok(&f->db, "INSERT INTO t VALUES (2)");
	exec_ok(&f->db, "INSERT INTO t VALUES (3)");
	v = q1(&f->db, "SELECT count(*) FROM t", 0, NULL);
	assert_string_equal(v, "3");		/* visible inside */
	free(v);
	bs_db_rollback(&f->db);
	v = q1(&f->db, "SELECT count(*) FROM t", 0, NULL);
	assert_string_equal(v, "1");
	free(v);
	assert_int_equal(bs_db_begin(&f->db, &err), 0);
	exec_ok(&f->db, "INSERT INTO t VALUES (2)");
	assert_int_equal(bs_db_commit(&f->db, &err), 0);
	/* autocommit is back on: this insert survives a reconnect */
	exec_ok(&f->db, "INSERT INTO t VALUES (3)");
	bs_db_close(&f->db);
	connect_ok(f);
	v = q1(&f->db, "SELECT group_concat(a) FROM (SELECT a FROM t ORDER BY a)", 0, NULL);
	assert_string_equal(v, "1,2,3");
	free(v);
}

static void
t_statement_errors(void **state)
{
	struct fx *f = *state;
	struct bs_err err = BS_ERR_INIT;
	char *v = (char *)"unset";

	connect_ok(f);
	assert_int_equal(bs_db_exec(&f->db, "SELECT * FROM nope", &err), -1);
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	assert_non_null(strstr(err.msg, "connection 'demo': statement failed: ["));
	assert_non_null(strstr(err.msg, "no such table: nope"));
	assert_int_equal(bs_db_query1(&f->db, "SELEC 1", 0, NULL, &v, &err), -1);
	assert_null(v);
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	assert_non_null(strstr(err.msg, "syntax error"));
	exec_ok(&f->db, "CREATE TABLE u (k TEXT PRIMARY KEY)");
	exec_ok(&f->db, "INSERT INTO u VALUES ('a')");
	assert_int_equal(bs_db_exec(&f->db, "INSERT INTO u VALUES ('a')", &err), -1);
	assert_non_null(strstr(err.msg, "UNIQUE"));
}

static void
t_connect_errors(void **state)
{
	struct fx *f = *state;
	struct bs_err err = BS_ERR_INIT;
	char *want, *pw;

	if (!tu_have_driver)
		skip();
	/* a missing file without create: 66, and nothing is created */
	f->conf.create = 0;
	assert_int_equal(bs_db_connect(&f->db, &f->conf, &err), -1);
	assert_int_equal(err.code, BS_EXIT_NOINPUT);
	want = bs_xasprintf("connection 'demo': cannot open SQLite database '%s': "
	    "No such file or directory", f->dbfile);
	assert_string_equal(err.msg, want);
	free(want);
	assert_false(tu_exists(f->dbfile));

	/* a password file anyone may read: 77 with the fix */
	f->conf.create = 1;
	pw = tu_write(f->dir, "pw", "secret\n");
	assert_int_equal(chmod(pw, 0644), 0);
	f->conf.password_file = pw;
	assert_int_equal(bs_db_connect(&f->db, &f->conf, &err), -1);
	assert_int_equal(err.code, BS_EXIT_NOPERM);
	want = bs_xasprintf("password file '%s' must be owned by you and readable by "
	    "you only (chmod 600)", pw);
	assert_string_equal(err.msg, want);
	free(want);
	assert_null(strstr(err.msg, "secret"));
	/* readable by the group is as bad */
	assert_int_equal(chmod(pw, 0640), 0);
	assert_int_equal(bs_db_connect(&f->db, &f->conf, &err), -1);
	assert_int_equal(err.code, BS_EXIT_NOPERM);
	/* a missing password file: 66 */
	free(pw);
	pw = bs_xasprintf("%s/no-such-pw", f->dir);
	f->conf.password_file = pw;
	assert_int_equal(bs_db_connect(&f->db, &f->conf, &err), -1);
	assert_int_equal(err.code, BS_EXIT_NOINPUT);
	free(pw);
	/* a symbolic link is not followed */
	pw = tu_write(f->dir, "real-pw", "secret\n");
	assert_int_equal(chmod(pw, 0600), 0);
	want = bs_xasprintf("%s/link-pw", f->dir);
	assert_int_equal(symlink(pw, want), 0);
	f->conf.password_file = want;
	assert_int_equal(bs_db_connect(&f->db, &f->conf, &err), -1);
	assert_int_equal(err.code, BS_EXIT_NOPERM);
	free(want);
	/* a good one is read and handed to the driver, never kept */
	f->conf.password_file = pw;
	if (bs_db_connect(&f->db, &f->conf, &err) != 0)
		fail_msg("%s", err.msg);
	assert_null(strstr(f->db.source, "secret"));
	assert_null(strstr(f->db.source, "PWD"));
	bs_db_close(&f->db);
	f->conf.password_file = NULL;
	free(pw);

	/* password_env that is not set: 78 */
	unsetenv("BS_TEST_NO_SUCH_PASSWORD");
	f->conf.password_env = (char *)"BS_TEST_NO_SUCH_PASSWORD";
	assert_int_equal(bs_db_connect(&f->db, &f->conf, &err), -1);
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	assert_string_equal(err.msg, "connection 'demo': environment variable "
	    "BS_TEST_NO_SUCH_PASSWORD (password_env) is not set");
	setenv("BS_TEST_NO_SUCH_PASSWORD", "", 1);
	assert_int_equal(bs_db_connect(&f->db, &f->conf, &err), -1);
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	unsetenv("BS_TEST_NO_SUCH_PASSWORD");
	f->conf.password_env = NULL;

	/* an unknown DSN: 69, named by its label */
	f->conf.sqlite = NULL;
	f->conf.dsn = (char *)"BS_NO_SUCH_DSN";
	assert_int_equal(bs_db_connect(&f->db, &f->conf, &err), -1);
	assert_int_equal(err.code, BS_EXIT_UNAVAILABLE);
	assert_non_null(strstr(err.msg, "connection 'demo': cannot connect: [IM002]"));
	f->conf.dsn = NULL;
	f->conf.sqlite = f->dbfile;
}

static void
t_connect_str(void **state)
{
	struct fx *f = *state;
	struct bs_err err = BS_ERR_INIT;
	char *cs;

	if (!tu_have_driver)
		skip();
	cs = bs_xasprintf("Driver=SQLite3;Database=%s", f->dbfile);
	/* a password on the command line is refused before connecting */
	assert_int_equal(bs_db_connect_str(&f->db, "Driver=SQLite3;PWD=x", NULL,
	    "the command line", 1, &err), -1);
	assert_int_equal(err.code, BS_EXIT_USAGE);
	assert_non_null(strstr(err.msg, "refusing a password on the command line"));
	assert_int_equal(bs_db_connect_str(&f->db, cs, NULL, "ad hoc", 1, &err), 0);
	assert_string_equal(f->db.label, "ad hoc");
	assert_string_equal(f->db.source, cs);
	bs_db_close(&f->db);
	free(cs);
}

int
main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_has_password),
		cmocka_unit_test(t_redact),
		cmocka_unit_test(t_named),
		cmocka_unit_test(t_sqlstate_class),
		T(t_connect),
		T(t_round_trip),
		T(t_long_value),
		T(t_transactions),
		T(t_statement_errors),
		T(t_connect_errors),
		T(t_connect_str),
	};

	return cmocka_run_group_tests_name("odbc", tests, tu_odbc_group_setup, tu_odbc_group_teardown);
}
