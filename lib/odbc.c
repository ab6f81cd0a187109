#include "bs.h"
#include "odbc.h"
#include <odbcinst.h>

/* ---- connection strings ---- */

/*
 * Walk "k=v;k={v;v};" attributes.  Calls fn for each; returns nonzero
 * early if fn does.
 */
static int
connstr_walk(const char *s, int (*fn)(const char *k, size_t kl, const char *a,
    size_t al, void *ctx), void *ctx)
{
	const char *p = s;

	while (*p) {
		const char *k, *eq, *a, *v;
		size_t kl;
		int r;

		while (*p == ' ' || *p == ';')
			p++;
		if (!*p)
			break;
		k = a = p;
		eq = p + strcspn(p, "=;");
		if (*eq != '=') {
			/* an attribute without a value: no key to match, but
			 * the next attribute starts after it, not at its '=' */
			r = fn(k, 0, a, (size_t)(eq - a), ctx);
			if (r)
				return r;
			p = eq;
			continue;
		}
		kl = (size_t)(eq - k);
		while (kl && k[kl - 1] == ' ')
			kl--;
		v = eq + 1;
		if (*v == '{') {
			v++;
			while (*v && !(*v == '}' && v[1] != '}'))
				v += (*v == '}') ? 2 : 1;
			if (*v)
				v++;
		}
		while (*v && *v != ';')
			v++;
		r = fn(k, kl, a, (size_t)(v - a), ctx);
		if (r)
			return r;
		p = v;
	}
	return 0;
}

static int
is_pwd_key(const char *k, size_t kl)
{
	return (kl == 3 && !strncasecmp(k, "PWD", 3)) ||
	    (kl == 8 && !strncasecmp(k, "PASSWORD", 8));
}

static int
find_pwd(const char *k, size_t kl, const char *a, size_t al, void *ctx)
{
	(void)a;
	(void)al;
	(void)ctx;
	return is_pwd_key(k, kl);
}

int
bs_connstr_has_password(const char *s)
{
	return connstr_walk(s, find_pwd, NULL);
}

static int
keep_nonpwd(const char *k, size_t kl, const char *a, size_t al, void *ctx)
{
	struct bs_buf *b = ctx;

	if (is_pwd_key(k, kl))
		return 0;
	if (b->len)
		bs_buf_addc(b, ';');
	bs_buf_add(b, a, al);
	return 0;
}

char *
bs_connstr_redact(const char *s)
{
	struct bs_buf b = BS_BUF_INIT(0);

	connstr_walk(s, keep_nonpwd, &b);
	return bs_buf_detach(&b, NULL);
}

static int
has_key(const char *k, size_t kl, const char *a, size_t al, void *ctx)
{
	const char *want = ctx;

	(void)a;
	(void)al;
	return kl == strlen(want) && !strncasecmp(k, want, kl);
}

/* The value of key in the connection string (malloc'd), or NULL. */
static int
get_key(const char *k, size_t kl, const char *a, size_t al, void *ctx)
{
	struct { const char *want; char *val; } *g = ctx;
	const char *eq = memchr(a, '=', al);

	if (!eq || kl != strlen(g->want) || strncasecmp(k, g->want, kl))
		return 0;
	eq++;
	while (*eq == ' ')
		eq++;
	g->val = bs_xstrndup(eq, (size_t)(a + al - eq));
	return 1;
}

/*
 * 1 if the string is "DSN=name" (no DRIVER) and odbc.ini gives that data
 * source a PostgreSQL driver and no UseDeclareFetch of its own.
 */
static int
dsn_is_pg(const char *connstr)
{
	struct { const char *want; char *val; } g = { "DSN", NULL };
	char drv[256] = "", udf[16] = "";
	int pg = 0;

	if (connstr_walk(connstr, has_key, (void *)"DRIVER") ||
	    !connstr_walk(connstr, get_key, &g) || !g.val)
		return 0;
	SQLGetPrivateProfileString(g.val, "Driver", "", drv, sizeof(drv), "odbc.ini");
	SQLGetPrivateProfileString(g.val, "UseDeclareFetch", "", udf, sizeof(udf),
	    "odbc.ini");
	pg = (strcasestr(drv, "postgres") || strcasestr(drv, "psqlodbc")) && !udf[0];
	free(g.val);
	return pg;
}

/* ---- libpq keywords from psqlodbc's completed connection string ---- */

struct pq_keys {
	struct bs_buf *conninfo;
	const char *password;	/* the one we handed the driver or odbc.ini's, or NULL */
	int refuse;		/* a setting libpq would not reproduce */
	int minus1;		/* TrueIsMinus1=1 */
};

/* Append key='value' in libpq's conninfo quoting. */
static void
pq_add(struct bs_buf *b, const char *key, const char *v, size_t n)
{
	size_t i;

	bs_buf_addf(b, "%s%s='", b->len ? " " : "", key);
	for (i = 0; i < n; i++) {
		if (v[i] == '\\' || v[i] == '\'')
			bs_buf_addc(b, '\\');
		bs_buf_addc(b, v[i]);
	}
	bs_buf_addc(b, '\'');
}

static int
hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int
pq_key(const char *k, size_t kl, const char *a, size_t al, void *ctx)
{
	static const struct { const char *odbc, *pq; } map[] = {
		{ "SERVER", "host" }, { "SERVERNAME", "host" }, { "PORT", "port" },
		{ "DATABASE", "dbname" }, { "UID", "user" }, { "USERNAME", "user" },
		{ "PWD", "password" }, { "PASSWORD", "password" },
		{ "SSLMODE", "sslmode" },
	};
	struct pq_keys *pk = ctx;
	const char *eq = memchr(a, '=', al), *v;
	size_t vl, i;
	char val[1024];

	if (!kl || !eq)
		return 0;
	v = eq + 1;
	while (*v == ' ')
		v++;
	vl = (size_t)(a + al - v);
	if (vl >= 2 && v[0] == '{' && v[vl - 1] == '}') {
		/* {...} with "}}" for "}" */
		size_t o = 0;

		for (i = 1; i + 1 < vl; i++) {
			if (o == sizeof(val) - 1) {
				pk->refuse = 1;	/* longer than libpq would get */
				goto out;
			}
			val[o++] = v[i];
			if (v[i] == '}' && v[i + 1] == '}')
				i++;
		}
		v = val;
		vl = o;
	}
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strlen(map[i].odbc) != kl || strncasecmp(k, map[i].odbc, kl))
			continue;
		if (!strcmp(map[i].pq, "password")) {
			/* never the driver's copy: psqlodbc escapes it, and
			 * loses bytes over 0x7f doing so */
			if (pk->password)
				pq_add(pk->conninfo, "password", pk->password,
				    strlen(pk->password));
			goto out;
		}
		if (vl)
			pq_add(pk->conninfo, map[i].pq, v, vl);
		goto out;
	}
	if (kl == 5 && !strncasecmp(k, "pqopt", 5)) {
		/* libpq options of psqlodbc's own: already conninfo syntax */
		if (vl)
			bs_buf_addf(pk->conninfo, " %.*s", (int)vl, v);
	} else if ((kl == 12 && !strncasecmp(k, "ConnSettings", 12) && vl) ||
	    (kl == 12 && !strncasecmp(k, "LFConversion", 12) && vl == 1 && *v == '1')) {
		pk->refuse = 1;
	} else if (kl == 12 && !strncasecmp(k, "TrueIsMinus1", 12)) {
		pk->minus1 = vl == 1 && *v == '1';
	}
out:
	explicit_bzero(val, sizeof(val));
	return 0;
}

/*
 * The password odbc.ini gives the DSN of a "DSN=name" string (malloc'd,
 * the caller wipes it), decoded as psqlodbc decodes it: %XX is a byte, '+'
 * a blank.  NULL if none.
 */
static char *
dsn_password(const char *connstr)
{
	struct { const char *want; char *val; } g = { "DSN", NULL };
	char raw[1024] = "";
	char *out;
	size_t i, o = 0, n;

	if (!connstr_walk(connstr, get_key, &g) || !g.val)
		return NULL;
	SQLGetPrivateProfileString(g.val, "Password", "", raw, sizeof(raw), "odbc.ini");
	free(g.val);
	n = strlen(raw);
	if (!n)
		return NULL;
	out = bs_xmalloc(n + 1);
	for (i = 0; i < n; i++) {
		if (raw[i] == '%' && i + 2 < n && hexval(raw[i + 1]) >= 0 &&
		    hexval(raw[i + 2]) >= 0) {
			out[o++] = (char)(hexval(raw[i + 1]) * 16 + hexval(raw[i + 2]));
			i += 2;
		} else {
			out[o++] = raw[i] == '+' ? ' ' : raw[i];
		}
	}
	out[o] = '\0';
	explicit_bzero(raw, sizeof(raw));
	return out;
}

/*
 * Fill db->pq_conninfo from the completed string (see odbc.h); password is
 * the one given to the driver or odbc.ini's for the DSN, if any.  The buffer is sized once, up front:
 * growing it would free copies of the password without wiping them.
 */
static void
pq_from_completed(struct bs_db *db, const char *completed, const char *password)
{
	struct bs_buf ci = BS_BUF_INIT(0);
	struct pq_keys pk = { &ci, password, 0, 0 };

	bs_buf_grow(&ci, 2 * strlen(completed) + 2 * (password ? strlen(password) : 0) +
	    512);
	connstr_walk(completed, pq_key, &pk);
	db->pq_true = pk.minus1 ? "-1" : "1";
	db->pq_false = "0";
	if (pk.refuse) {
		bs_debug("%s: ConnSettings, LFConversion or an over-long value in "
		    "use: results are read through ODBC only", db->label);
		explicit_bzero(ci.buf, ci.alloc);
		bs_buf_release(&ci);
		return;
	}
	bs_buf_adds(&ci, " client_encoding='UTF8' connect_timeout='30'"
	    " options='-c DateStyle=ISO -c extra_float_digits=2'");
	db->pq_conninfo = bs_buf_detach(&ci, NULL);
}

/* ---- diagnostics ---- */

static int
contains(const char *hay, const char *needle)
{
	return hay && strcasestr(hay, needle) != NULL;
}

int
bs_sqlstate_class(const char *st, const char *msg, int connect)
{
	if (!strncmp(st, "28", 2) || contains(msg, "password authentication failed") ||
	    contains(msg, "authentication failed") ||
	    contains(msg, "no password supplied") || !strcmp(st, "42501") ||
	    contains(msg, "permission denied"))
		return BS_EXIT_NOPERM;
	if (!strcmp(st, "40001") || !strcmp(st, "40P01") || !strcmp(st, "HYT00") ||
	    !strcmp(st, "HYT01") || !strcmp(st, "08S01") ||
	    /* the server shut down, crashed or is starting: try again */
	    !strcmp(st, "57P01") || !strcmp(st, "57P02") || !strcmp(st, "57P03") ||
	    !strcmp(st, "53300") || contains(msg, "database is locked") ||
	    contains(msg, "connection refused") || contains(msg, "timeout expired") ||
	    contains(msg, "timed out") || contains(msg, "the database system is starting up") ||
	    contains(msg, "too many clients"))
		return BS_EXIT_TEMPFAIL;
	if (contains(msg, "disk I/O error") || contains(msg, "disk is full") ||
	    contains(msg, "No space left") || !strcmp(st, "53100"))
		return BS_EXIT_IOERR;
	if (connect)
		return BS_EXIT_UNAVAILABLE;
	if (!strncmp(st, "22", 2))
		return BS_EXIT_DATAERR;
	if (!strncmp(st, "08", 2))
		return BS_EXIT_UNAVAILABLE;
	return BS_EXIT_CONFIG;
}

int
bs_db_fail(struct bs_err *err, SQLSMALLINT htype, SQLHANDLE h, int connect,
    const char *fmt, ...)
{
	char what[1024], state[6] = "HY000", first_state[6] = "", msg[1024];
	struct bs_buf all = BS_BUF_INIT(1500);
	SQLINTEGER native;
	SQLSMALLINT len, i;
	va_list ap;
	int code;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	for (i = 1; i <= 4; i++) {
		SQLRETURN r = SQLGetDiagRec(htype, h, i, (SQLCHAR *)state, &native,
		    (SQLCHAR *)msg, sizeof(msg), &len);
		char *nl;

		if (!SQL_SUCCEEDED(r))
			break;
		while ((nl = strpbrk(msg, "\r\n")) != NULL)
			*nl = ' ';
		if (!first_state[0])
			memcpy(first_state, state, sizeof(first_state));
		if (all.len)
			bs_buf_adds(&all, "; ");
		bs_buf_addf(&all, "[%s] %s", state, msg);
	}
	if (!first_state[0]) {
		memcpy(first_state, "HY000", 6);
		bs_buf_adds(&all, "[HY000] no diagnostic from the driver");
	}
	code = bs_sqlstate_class(first_state, bs_buf_str(&all), connect);
	bs_err_set(err, code, "%s: %s", what, bs_buf_str(&all));
	bs_buf_release(&all);
	return -1;
}

/* ---- connecting ---- */

static int
read_password_file(const char *path, char **out, struct bs_err *err)
{
	struct stat st;
	char buf[1024];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return bs_err_set(err, errno == ENOENT ? BS_EXIT_NOINPUT : BS_EXIT_NOPERM,
		    "cannot open password file '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return bs_err_set(err, BS_EXIT_NOPERM,
		    "password file '%s' is not a regular file", path);
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077)) {
		close(fd);
		return bs_err_set(err, BS_EXIT_NOPERM,
		    "password file '%s' must be owned by you and readable by you only "
		    "(chmod 600)", path);
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return bs_err_set(err, BS_EXIT_IOERR, "cannot read password file '%s': %s",
		    path, strerror(errno));
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	*out = bs_xstrdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

static void
wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

int
bs_db_connect(struct bs_db *db, const struct bs_conn_conf *c, struct bs_err *err)
{
	char *connstr = NULL, *pwd = NULL, *label;
	int rc;

	if (c->sqlite) {
		struct stat st;

		if (!c->create && stat(c->sqlite, &st) != 0)
			return bs_err_set(err, BS_EXIT_NOINPUT,
			    "connection '%s': cannot open SQLite database '%s': %s",
			    c->name, c->sqlite, strerror(errno));
		connstr = bs_xasprintf("Driver=SQLite3;Database=%s;%sStepAPI=1;"
		    "Timeout=10000%s", c->sqlite, c->create ? "" : "NoCreat=1;",
		    c->create ? ";JournalMode=WAL;SyncPragma=NORMAL" : "");
	} else if (c->dsn) {
		connstr = bs_xasprintf("DSN=%s", c->dsn);
	} else {
		connstr = bs_xstrdup(c->connect);
	}
	if (c->password_env) {
		const char *v = getenv(c->password_env);

		if (!v || !*v) {
			free(connstr);
			return bs_err_set(err, BS_EXIT_CONFIG,
			    "connection '%s': environment variable %s (password_env) is not set",
			    c->name, c->password_env);
		}
		pwd = bs_xstrdup(v);
	} else if (c->password_file) {
		if (read_password_file(c->password_file, &pwd, err) < 0) {
			free(connstr);
			return -1;
		}
	}
	label = bs_xasprintf("connection '%s'", c->name);
	rc = bs_db_connect_str(db, connstr, pwd, label, 0, err);
	if (rc == 0 && c->no_libpq)
		bs_db_drop_pq(db);
	free(label);
	wipe_free(pwd);
	free(connstr);
	return rc;
}

static void
append_pwd(struct bs_buf *b, const char *pwd)
{
	const char *p;

	if (b->len && b->buf[b->len - 1] != ';')
		bs_buf_addc(b, ';');
	bs_buf_adds(b, "PWD={");
	for (p = pwd; *p; p++) {
		bs_buf_addc(b, *p);
		if (*p == '}')
			bs_buf_addc(b, '}');
	}
	bs_buf_adds(b, "}");
}

int
bs_db_connect_str(struct bs_db *db, const char *connstr, const char *password,
    const char *label, int from_cli, struct bs_err *err)
{
	struct bs_buf full = BS_BUF_INIT(0);
	SQLCHAR out[4096];
	SQLSMALLINT outlen = 0;
	SQLRETURN r;
	int is_pg;

	memset(db, 0, sizeof(*db));
	if (from_cli && bs_connstr_has_password(connstr))
		return bs_err_set(err, BS_EXIT_USAGE,
		    "refusing a password on the command line (it would show in ps "
		    "and shell history); put it in odbc.ini, or name it in the "
		    "workspace with password_env or password_file");
	db->label = bs_xstrdup(label);
	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &db->env)))
		return bs_err_set(err, BS_EXIT_SOFTWARE, "cannot allocate an ODBC environment");
	SQLSetEnvAttr(db->env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, db->env, &db->dbc))) {
		bs_db_close(db);
		return bs_err_set(err, BS_EXIT_SOFTWARE, "cannot allocate an ODBC connection");
	}
	SQLSetConnectAttr(db->dbc, SQL_ATTR_LOGIN_TIMEOUT, (SQLPOINTER)30, 0);

	bs_buf_adds(&full, connstr);
	/* psqlodbc reads whole result sets into memory unless told to stream */
	is_pg = strcasestr(connstr, "postgres") != NULL || dsn_is_pg(connstr);
	if (is_pg && !connstr_walk(connstr, has_key, (void *)"UseDeclareFetch"))
		bs_buf_adds(&full, full.len && full.buf[full.len - 1] != ';' ?
		    ";UseDeclareFetch=1;Fetch=1000" : "UseDeclareFetch=1;Fetch=1000");
	/* what is recorded: the effective string, before any password */
	db->source = bs_connstr_redact(bs_buf_str(&full));
	if (password)
		append_pwd(&full, password);
	r = SQLDriverConnect(db->dbc, NULL, (SQLCHAR *)full.buf, SQL_NTS, out,
	    sizeof(out), &outlen, SQL_DRIVER_NOPROMPT);
	explicit_bzero(full.buf, full.len);
	bs_buf_release(&full);
	if (!SQL_SUCCEEDED(r)) {
		explicit_bzero(out, sizeof(out));
		bs_db_fail(err, SQL_HANDLE_DBC, db->dbc, 1, "%s: cannot connect", label);
		bs_db_close(db);
		return -1;
	}
	db->connected = 1;
	SQLGetInfo(db->dbc, SQL_DBMS_NAME, db->dbms, sizeof(db->dbms), NULL);
	SQLGetInfo(db->dbc, SQL_DRIVER_NAME, db->driver, sizeof(db->driver), NULL);
	if (strcasestr(db->dbms, "sqlite"))
		db->kind = BS_DB_SQLITE;
	else if (strcasestr(db->dbms, "postgres"))
		db->kind = BS_DB_POSTGRES;
	/* the completed string resolves a DSN too */
	if (db->kind == BS_DB_POSTGRES && outlen > 0 && (size_t)outlen < sizeof(out)) {
		char *dsnpw = password ? NULL : dsn_password(connstr);

		pq_from_completed(db, (const char *)out, password ? password : dsnpw);
		if (dsnpw) {
			explicit_bzero(dsnpw, strlen(dsnpw));
			free(dsnpw);
		}
	}
	explicit_bzero(out, sizeof(out));

	bs_debug("connected to %s (%s, driver %s)", label, db->dbms, db->driver);
	return 0;
}

void
bs_db_drop_pq(struct bs_db *db)
{
	if (db->pq_conninfo) {
		explicit_bzero(db->pq_conninfo, strlen(db->pq_conninfo));
		free(db->pq_conninfo);
		db->pq_conninfo = NULL;
	}
}

void
bs_db_close(struct bs_db *db)
{
	if (!db)
		return;
	if (db->native && db->native_close)
		db->native_close(db->native);
	db->native = NULL;
	bs_db_drop_pq(db);
	if (db->connected)
		SQLDisconnect(db->dbc);
	if (db->dbc)
		SQLFreeHandle(SQL_HANDLE_DBC, db->dbc);
	if (db->env)
		SQLFreeHandle(SQL_HANDLE_ENV, db->env);
	free(db->source);
	free(db->label);
	memset(db, 0, sizeof(*db));
}

/* ---- statements ---- */

static int
prepare_bind(struct bs_db *db, SQLHSTMT *st, const char *sql, size_t n,
    const char *const *params, SQLLEN *ind, struct bs_err *err)
{
	SQLRETURN r;
	size_t i;

	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, db->dbc, st)))
		return bs_db_fail(err, SQL_HANDLE_DBC, db->dbc, 0,
		    "%s: cannot allocate a statement", db->label);
	for (i = 0; i < n; i++) {
		size_t len = params[i] ? strlen(params[i]) : 0;

		ind[i] = params[i] ? (SQLLEN)len : SQL_NULL_DATA;
		if (!SQL_SUCCEEDED(SQLBindParameter(*st, (SQLUSMALLINT)(i + 1),
		    SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, len ? len : 1, 0,
		    (SQLPOINTER)(params[i] ? params[i] : ""), (SQLLEN)len, &ind[i]))) {
			bs_db_fail(err, SQL_HANDLE_STMT, *st, 0, "%s: cannot bind parameter %zu",
			    db->label, i + 1);
			SQLFreeHandle(SQL_HANDLE_STMT, *st);
			return -1;
		}
	}
	r = SQLExecDirect(*st, (SQLCHAR *)sql, SQL_NTS);
	/* SQL_NO_DATA: an UPDATE or DELETE that touched no row, which is fine */
	if (!SQL_SUCCEEDED(r) && r != SQL_NO_DATA) {
		bs_db_fail(err, SQL_HANDLE_STMT, *st, 0, "%s: statement failed", db->label);
		SQLFreeHandle(SQL_HANDLE_STMT, *st);
		return -1;
	}
	return 0;
}

int
bs_db_execp(struct bs_db *db, const char *sql, size_t n,
    const char *const *params, struct bs_err *err)
{
	SQLHSTMT st;
	SQLLEN *ind = bs_xcalloc(n + 1, sizeof(SQLLEN));
	int rc = prepare_bind(db, &st, sql, n, params, ind, err);

	if (rc == 0)
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	free(ind);
	return rc;
}

int
bs_db_exec(struct bs_db *db, const char *sql, struct bs_err *err)
{
	return bs_db_execp(db, sql, 0, NULL, err);
}

int
bs_db_query1(struct bs_db *db, const char *sql, size_t n,
    const char *const *params, char **out, struct bs_err *err)
{
	SQLHSTMT st;
	SQLLEN *ind = bs_xcalloc(n + 1, sizeof(SQLLEN));
	struct bs_buf val = BS_BUF_INIT(0);
	SQLRETURN r;
	int rc = prepare_bind(db, &st, sql, n, params, ind, err);

	free(ind);
	*out = NULL;
	if (rc < 0)
		return -1;
	r = SQLFetch(st);
	if (r == SQL_NO_DATA) {
		SQLFreeHandle(SQL_HANDLE_STMT, st);
		return 0;
	}
	if (!SQL_SUCCEEDED(r)) {
		bs_db_fail(err, SQL_HANDLE_STMT, st, 0, "%s: fetch failed", db->label);
		SQLFreeHandle(SQL_HANDLE_STMT, st);
		return -1;
	}
	for (;;) {
		char chunk[4096];
		SQLLEN got = 0;

		r = SQLGetData(st, 1, SQL_C_CHAR, chunk, sizeof(chunk), &got);
		if (r == SQL_NO_DATA)
			break;
		if (!SQL_SUCCEEDED(r)) {
			bs_db_fail(err, SQL_HANDLE_STMT, st, 0, "%s: cannot read value",
			    db->label);
			SQLFreeHandle(SQL_HANDLE_STMT, st);
			bs_buf_release(&val);
			return -1;
		}
		if (got == SQL_NULL_DATA) {
			SQLFreeHandle(SQL_HANDLE_STMT, st);
			bs_buf_release(&val);
			return 0;
		}
		if (got == SQL_NO_TOTAL || got >= (SQLLEN)sizeof(chunk))
			bs_buf_add(&val, chunk, sizeof(chunk) - 1);
		else
			bs_buf_add(&val, chunk, (size_t)got);
		if (r == SQL_SUCCESS)
			break;
	}
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	*out = bs_buf_detach(&val, NULL);
	return 0;
}

int
bs_db_begin(struct bs_db *db, struct bs_err *err)
{
	if (!SQL_SUCCEEDED(SQLSetConnectAttr(db->dbc, SQL_ATTR_AUTOCOMMIT,
	    (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0)))
		return bs_db_fail(err, SQL_HANDLE_DBC, db->dbc, 0,
		    "%s: cannot begin a transaction", db->label);
	return 0;
}

int
bs_db_commit(struct bs_db *db, struct bs_err *err)
{
	SQLRETURN r = SQLEndTran(SQL_HANDLE_DBC, db->dbc, SQL_COMMIT);

	if (!SQL_SUCCEEDED(r)) {
		bs_db_fail(err, SQL_HANDLE_DBC, db->dbc, 0, "%s: commit failed", db->label);
		bs_db_rollback(db);
		return -1;
	}
	SQLSetConnectAttr(db->dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_ON, 0);
	return 0;
}

void
bs_db_rollback(struct bs_db *db)
{
	SQLEndTran(SQL_HANDLE_DBC, db->dbc, SQL_ROLLBACK);
	SQLSetConnectAttr(db->dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_ON, 0);
}

/* ---- named parameters ---- */

static int
named_parse(const char *sql, int dollar, struct bs_sql_named *out,
    struct bs_err *err)
{
	struct bs_buf b = BS_BUF_INIT(0);
	size_t alloc = 0;
	const char *p = sql;

	memset(out, 0, sizeof(*out));
	while (*p) {
		if (*p == '\'' || *p == '"') {
			char q = *p;
			const char *s = p++;

			while (*p && !(*p == q && p[1] != q))
				p += (*p == q) ? 2 : 1;
			if (!*p) {
				bs_buf_release(&b);
				bs_sql_named_release(out);
				return bs_err_set(err, BS_EXIT_CONFIG,
				    "unterminated quoted text starting at offset %zu",
				    (size_t)(s - sql));
			}
			p++;
			bs_buf_add(&b, s, (size_t)(p - s));
		} else if (p[0] == '-' && p[1] == '-') {
			/* line comments are dropped: some drivers (sqliteodbc)
			 * split statements on a ';' even inside a comment */
			while (*p && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			const char *s = p, *e = strstr(p + 2, "*/");

			p = e ? e + 2 : p + strlen(p);
			bs_buf_add(&b, s, (size_t)(p - s));
		} else if (p[0] == ':' && p[1] == ':') {
			bs_buf_add(&b, p, 2);
			p += 2;
		} else if (p[0] == ':' && (isalpha((unsigned char)p[1]) || p[1] == '_')) {
			const char *s = ++p;

			while (isalnum((unsigned char)*p) || *p == '_')
				p++;
			BS_ALLOC_GROW(out->names, out->nparams + 1, alloc);
			out->names[out->nparams++] = bs_xstrndup(s, (size_t)(p - s));
			if (dollar)
				bs_buf_addf(&b, "$%zu", out->nparams);
			else
				bs_buf_addc(&b, '?');
		} else {
			bs_buf_addc(&b, *p++);
		}
	}
	out->sql = bs_buf_detach(&b, NULL);
	return 0;
}

int
bs_sql_named_parse(const char *sql, struct bs_sql_named *out, struct bs_err *err)
{
	return named_parse(sql, 0, out, err);
}

int
bs_sql_named_parse_pg(const char *sql, struct bs_sql_named *out,
    struct bs_err *err)
{
	return named_parse(sql, 1, out, err);
}

void
bs_sql_named_release(struct bs_sql_named *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->nparams; i++)
		free(n->names[i]);
	free(n->names);
	free(n->sql);
	memset(n, 0, sizeof(*n));
}
