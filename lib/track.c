#include "bs.h"
#include "track.h"
#include "sha256.h"
#include "rundir.h"

#include <pwd.h>

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* Schema migrations, applied in order; append only. */
static const char *const migrations[][8] = {
	/* 1: runs, filings, events */
	{
		"CREATE TABLE IF NOT EXISTS bs_run ("
		" run_id VARCHAR(80) PRIMARY KEY,"
		" program VARCHAR(40) NOT NULL,"
		" version VARCHAR(20) NOT NULL,"
		" filing VARCHAR(120),"
		" rerun_of VARCHAR(80),"
		" started_at VARCHAR(32) NOT NULL,"
		" ended_at VARCHAR(32),"
		" host VARCHAR(255),"
		" os_user VARCHAR(64),"
		" status VARCHAR(16) NOT NULL,"
		" exit_code INTEGER,"
		" run_dir VARCHAR(1000),"
		" params TEXT,"
		" manifest_sha256 VARCHAR(64),"
		" message TEXT)",
		"CREATE TABLE IF NOT EXISTS bs_filing ("
		" filing_id VARCHAR(120) PRIMARY KEY,"
		" report VARCHAR(80) NOT NULL,"
		" period VARCHAR(20) NOT NULL,"
		" created_at VARCHAR(32) NOT NULL)",
		"CREATE TABLE IF NOT EXISTS bs_event ("
		" seq INTEGER PRIMARY KEY,"
		" at VARCHAR(32) NOT NULL,"
		" kind VARCHAR(40) NOT NULL,"
		" filing VARCHAR(120),"
		" run_id VARCHAR(80),"
		" actor VARCHAR(200),"
		" detail TEXT,"
		" prev_hash VARCHAR(64) NOT NULL,"
		" hash VARCHAR(64) NOT NULL)",
		"CREATE INDEX IF NOT EXISTS bs_run_filing ON bs_run (filing, started_at)",
		"CREATE INDEX IF NOT EXISTS bs_event_filing ON bs_event (filing, seq)",
		NULL
	},
	/* 2: the review loop: reviewers' dispositions per (filing, rule, record)
	 * and approvals bound to the hashes of what was reviewed */
	{
		"CREATE TABLE IF NOT EXISTS bs_disposition ("
		" filing VARCHAR(120) NOT NULL,"
		" rule_id VARCHAR(40) NOT NULL,"
		" table_name VARCHAR(80) NOT NULL,"
		" record_key VARCHAR(400) NOT NULL,"
		" disposition VARCHAR(16) NOT NULL,"	/* fixed | explained | excluded */
		" comment TEXT,"
		" by_name VARCHAR(100) NOT NULL,"	/* who imported it */
		" reviewer VARCHAR(100),"		/* who answered, per the workbook */
		" at VARCHAR(32) NOT NULL,"
		" import_id VARCHAR(80),"
		" status VARCHAR(16) NOT NULL,"		/* open | closed | reopened */
		" PRIMARY KEY (filing, rule_id, table_name, record_key))",
		"CREATE TABLE IF NOT EXISTS bs_approval ("
		" filing VARCHAR(120) NOT NULL,"
		" role VARCHAR(100) NOT NULL,"
		" by_name VARCHAR(100) NOT NULL,"
		" at VARCHAR(32) NOT NULL,"
		" validation_run VARCHAR(80) NOT NULL,"
		" data_sha256 VARCHAR(64) NOT NULL,"
		" dispositions_sha256 VARCHAR(64) NOT NULL,"
		" PRIMARY KEY (filing, role, data_sha256, dispositions_sha256))",
		NULL
	},
};

const char *
bs_track_actor(void)
{
	static char who[300];
	struct passwd *pw = getpwuid(geteuid());
	char host[256] = "";

	gethostname(host, sizeof(host) - 1);
	snprintf(who, sizeof(who), "%s@%s", pw ? pw->pw_name : "unknown", host);
	return who;
}

static int
migrate(struct bs_track *t, struct bs_err *err)
{
	char *v = NULL;
	long have = 0;
	size_t i, j;

	if (bs_db_exec(&t->db, "CREATE TABLE IF NOT EXISTS bs_meta ("
	    " name VARCHAR(64) PRIMARY KEY, value VARCHAR(255))", err) < 0)
		return -1;
	if (bs_db_query1(&t->db, "SELECT value FROM bs_meta WHERE name = 'schema_version'",
	    0, NULL, &v, err) < 0)
		return -1;
	if (v)
		have = strtol(v, NULL, 10);
	free(v);
	if ((size_t)have > BS_ARRAY_SIZE(migrations))
		return bs_err_set(err, BS_EXIT_CONFIG,
		    "tracking store schema version %ld is newer than this program "
		    "knows (%zu); upgrade baosong", have, BS_ARRAY_SIZE(migrations));
	for (i = (size_t)have; i < BS_ARRAY_SIZE(migrations); i++) {
		char ver[16];
		const char *p[1] = { ver };

		if (bs_db_begin(&t->db, err) < 0)
			return -1;
		for (j = 0; migrations[i][j]; j++)
			if (bs_db_exec(&t->db, migrations[i][j], err) < 0)
				goto fail;
		snprintf(ver, sizeof(ver), "%zu", i + 1);
		if (bs_db_exec(&t->db, "DELETE FROM bs_meta WHERE name = 'schema_version'", err) < 0 ||
		    bs_db_execp(&t->db, "INSERT INTO bs_meta (name, value) VALUES ('schema_version', ?)",
			1, p, err) < 0)
			goto fail;
		if (bs_db_commit(&t->db, err) < 0)
			return -1;
	}
	return 0;
fail:
	bs_db_rollback(&t->db);
	return bs_err_prefix(err, "cannot create the tracking store schema");
}

int
bs_track_open(struct bs_track *t, const struct bs_conn_conf *c, struct bs_err *err)
{
	memset(t, 0, sizeof(*t));
	if (c->sqlite) {
		char *dir = bs_xstrdup(c->sqlite), *s = strrchr(dir, '/');

		if (s && s != dir) {
			*s = '\0';
			if (bs_mkdir_p(dir, 0755, err) < 0) {
				free(dir);
				return -1;
			}
		}
		free(dir);
	}
	if (bs_db_connect(&t->db, c, err) < 0)
		return bs_err_prefix(err, "tracking store");
	if (migrate(t, err) < 0) {
		bs_db_close(&t->db);
		return -1;
	}
	t->open = 1;
	return 0;
}

void
bs_track_close(struct bs_track *t)
{
	if (t && t->open)
		bs_db_close(&t->db);
	if (t)
		t->open = 0;
}

static void
event_hash(const char *prev, const char *seq, const char *at, const char *kind,
    const char *filing, const char *run_id, const char *actor,
    const char *detail, char *hex)
{
	struct bs_sha256 h;
	const char *parts[8] = { prev, seq, at, kind, filing, run_id, actor, detail };
	size_t i;

	bs_sha256_init(&h);
	for (i = 0; i < 8; i++) {
		/* length-prefixed so that field boundaries are unambiguous;
		 * NULL differs from "" */
		char len[24];
		int n = parts[i] ? snprintf(len, sizeof(len), "%zu:", strlen(parts[i])) :
				   snprintf(len, sizeof(len), "-:");

		bs_sha256_update(&h, len, (size_t)n);
		if (parts[i])
			bs_sha256_update(&h, parts[i], strlen(parts[i]));
	}
	bs_sha256_final_hex(&h, hex);
}

/*
 * Insert one event inside the caller's transaction.  actor NULL means this
 * process's user@host: every event says who caused it, including the
 * run.start, run.end and filing.create events the library writes itself.
 */
static int
insert_event(struct bs_track *t, const char *kind, const char *filing,
    const char *run_id, const char *actor, const char *detail, struct bs_err *err)
{
	char *last = NULL, *prev = NULL, seq[24], at[32], hex[BS_SHA256_HEX];
	long long n = 0;
	int rc;

	if (!actor)
		actor = bs_track_actor();

	if (bs_db_query1(&t->db, "SELECT MAX(seq) FROM bs_event", 0, NULL, &last, err) < 0)
		return -1;
	if (last)
		n = strtoll(last, NULL, 10);
	free(last);
	if (n > 0) {
		char cur[24];
		const char *p[1] = { cur };

		snprintf(cur, sizeof(cur), "%lld", n);
		if (bs_db_query1(&t->db, "SELECT hash FROM bs_event WHERE seq = ?", 1, p,
		    &prev, err) < 0)
			return -1;
	}
	snprintf(seq, sizeof(seq), "%lld", n + 1);
	bs_utc_now(at, sizeof(at));
	event_hash(prev ? prev : ZERO_HASH, seq, at, kind, filing, run_id, actor,
	    detail, hex);
	{
		const char *p[9] = { seq, at, kind, filing, run_id, actor, detail,
			prev ? prev : ZERO_HASH, hex };

		rc = bs_db_execp(&t->db, "INSERT INTO bs_event (seq, at, kind, filing,"
		    " run_id, actor, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    9, p, err);
	}
	free(prev);
	return rc;
}

/* Run fn inside a transaction, retrying a few times on transient conflicts. */
static int
in_tx(struct bs_track *t, int (*fn)(struct bs_track *, void *, struct bs_err *),
    void *ctx, struct bs_err *err)
{
	int attempt;

	for (attempt = 1;; attempt++) {
		bs_err_clear(err);
		if (bs_db_begin(&t->db, err) == 0 && fn(t, ctx, err) == 0 &&
		    bs_db_commit(&t->db, err) == 0)
			return 0;
		bs_db_rollback(&t->db);
		/* a concurrent writer took the same event seq: try again */
		if (attempt >= 5 || (err->code != BS_EXIT_TEMPFAIL &&
		    !strstr(err->msg, "[23") && !strstr(err->msg, "UNIQUE") &&
		    !strstr(err->msg, "unique")))
			return -1;
		usleep(50000u * (unsigned)attempt);
	}
}

struct ev_args {
	const char *kind, *filing, *run_id, *actor, *detail;
};

static int
ev_fn(struct bs_track *t, void *ctx, struct bs_err *err)
{
	struct ev_args *a = ctx;

	return insert_event(t, a->kind, a->filing, a->run_id, a->actor, a->detail, err);
}

int
bs_track_event(struct bs_track *t, const char *kind, const char *filing,
    const char *run_id, const char *actor, const char *detail, struct bs_err *err)
{
	struct ev_args a = { kind, filing, run_id, actor, detail };

	return in_tx(t, ev_fn, &a, err) < 0 ?
	    bs_err_prefix(err, "tracking store: cannot record event '%s'", kind) : 0;
}

int
bs_track_event_in_tx(struct bs_track *t, const char *kind, const char *filing,
    const char *run_id, const char *actor, const char *detail, struct bs_err *err)
{
	return insert_event(t, kind, filing, run_id, actor ? actor : bs_track_actor(),
	    detail, err);
}

static int
start_fn(struct bs_track *t, void *ctx, struct bs_err *err)
{
	const struct bs_track_run *r = ctx;
	char host[256] = "";
	const char *user;
	struct passwd *pw = getpwuid(geteuid());
	const char *p[11];

	gethostname(host, sizeof(host) - 1);
	user = pw ? pw->pw_name : "unknown";
	p[0] = r->run_id; p[1] = r->program; p[2] = BS_VERSION; p[3] = r->filing;
	p[4] = r->rerun_of; p[5] = r->started; p[6] = host; p[7] = user;
	p[8] = "running"; p[9] = r->run_dir; p[10] = r->params;
	if (bs_db_execp(&t->db, "INSERT INTO bs_run (run_id, program, version, filing,"
	    " rerun_of, started_at, host, os_user, status, run_dir, params)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", 11, p, err) < 0)
		return -1;
	return insert_event(t, "run.start", r->filing, r->run_id, NULL, r->params, err);
}

int
bs_track_run_start(struct bs_track *t, const struct bs_track_run *r,
    struct bs_err *err)
{
	return in_tx(t, start_fn, (void *)r, err) < 0 ?
	    bs_err_prefix(err, "tracking store: cannot record the start of run %s", r->run_id) : 0;
}

struct end_args {
	const char *run_id, *status, *sha, *message;
	int code;
};

static int
end_fn(struct bs_track *t, void *ctx, struct bs_err *err)
{
	struct end_args *a = ctx;
	char at[32], code[16], *filing = NULL;
	struct bs_buf d = BS_BUF_INIT(0);
	const char *p[6];
	const char *q[1] = { a->run_id };
	int rc;

	bs_utc_now(at, sizeof(at));
	snprintf(code, sizeof(code), "%d", a->code);
	p[0] = at; p[1] = a->status; p[2] = code; p[3] = a->sha; p[4] = a->message;
	p[5] = a->run_id;
	if (bs_db_execp(&t->db, "UPDATE bs_run SET ended_at = ?, status = ?, exit_code = ?,"
	    " manifest_sha256 = ?, message = ? WHERE run_id = ?", 6, p, err) < 0 ||
	    bs_db_query1(&t->db, "SELECT filing FROM bs_run WHERE run_id = ?", 1, q,
		&filing, err) < 0)
		return -1;
	bs_buf_addf(&d, "{\"status\": \"%s\", \"exit_code\": %d", a->status, a->code);
	if (a->sha)
		bs_buf_addf(&d, ", \"manifest_sha256\": \"%s\"", a->sha);
	bs_buf_adds(&d, "}");
	rc = insert_event(t, "run.end", filing, a->run_id, NULL, d.buf, err);
	free(filing);
	bs_buf_release(&d);
	return rc;
}

int
bs_track_run_end(struct bs_track *t, const char *run_id, const char *status,
    int exit_code, const char *manifest_sha256, const char *message,
    struct bs_err *err)
{
	struct end_args a = { run_id, status, manifest_sha256, message, exit_code };

	return in_tx(t, end_fn, &a, err) < 0 ?
	    bs_err_prefix(err, "tracking store: cannot record the end of run %s", run_id) : 0;
}

struct filing_args {
	const char *filing, *report, *period;
};

static int
filing_fn(struct bs_track *t, void *ctx, struct bs_err *err)
{
	struct filing_args *a = ctx;
	const char *q[1] = { a->filing };
	char *have = NULL, at[32];

	if (bs_db_query1(&t->db, "SELECT filing_id FROM bs_filing WHERE filing_id = ?",
	    1, q, &have, err) < 0)
		return -1;
	if (have) {
		free(have);
		return 0;
	}
	bs_utc_now(at, sizeof(at));
	{
		const char *p[4] = { a->filing, a->report, a->period, at };

		if (bs_db_execp(&t->db, "INSERT INTO bs_filing (filing_id, report, period,"
		    " created_at) VALUES (?, ?, ?, ?)", 4, p, err) < 0)
			return -1;
	}
	return insert_event(t, "filing.create", a->filing, NULL, NULL, NULL, err);
}

int
bs_track_filing(struct bs_track *t, const char *filing, const char *report,
    const char *period, struct bs_err *err)
{
	struct filing_args a = { filing, report, period };

	return in_tx(t, filing_fn, &a, err) < 0 ?
	    bs_err_prefix(err, "tracking store: cannot register filing %s", filing) : 0;
}

int
bs_track_verify(struct bs_track *t, unsigned long *n, struct bs_err *err)
{
	SQLHSTMT st;
	char prev[BS_SHA256_HEX] = ZERO_HASH;
	unsigned long count = 0;
	long long expect = 1;
	int rc = 0;

	*n = 0;
	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, t->db.dbc, &st)))
		return bs_db_fail(err, SQL_HANDLE_DBC, t->db.dbc, 0, "tracking store");
	if (!SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)"SELECT seq, at, kind, filing,"
	    " run_id, actor, detail, prev_hash, hash FROM bs_event ORDER BY seq", SQL_NTS))) {
		bs_db_fail(err, SQL_HANDLE_STMT, st, 0, "tracking store: cannot read events");
		SQLFreeHandle(SQL_HANDLE_STMT, st);
		return -1;
	}
	for (;;) {
		struct bs_buf col[9];
		char hex[BS_SHA256_HEX];
		const char *v[9];
		SQLRETURN r = SQLFetch(st);
		int i;

		if (r == SQL_NO_DATA)
			break;
		if (!SQL_SUCCEEDED(r)) {
			rc = bs_db_fail(err, SQL_HANDLE_STMT, st, 0, "tracking store: cannot read events");
			break;
		}
		for (i = 0; i < 9; i++) {
			char chunk[4096];
			SQLLEN got;

			col[i] = (struct bs_buf)BS_BUF_INIT(0);
			v[i] = NULL;
			for (;;) {
				r = SQLGetData(st, (SQLUSMALLINT)(i + 1), SQL_C_CHAR, chunk,
				    sizeof(chunk), &got);
				if (!SQL_SUCCEEDED(r) || got == SQL_NULL_DATA)
					break;
				bs_buf_add(&col[i], chunk, got == SQL_NO_TOTAL ||
				    got >= (SQLLEN)sizeof(chunk) ? sizeof(chunk) - 1 : (size_t)got);
				v[i] = bs_buf_str(&col[i]);
				if (r == SQL_SUCCESS)
					break;
			}
		}
		event_hash(v[7] ? v[7] : "", v[0], v[1], v[2], v[3], v[4], v[5], v[6], hex);
		if (!v[0] || strtoll(v[0], NULL, 10) != expect)
			rc = bs_err_set(err, BS_EXIT_REJECTED,
			    "tracking store: event %lld is missing (found %s next)", expect,
			    v[0] ? v[0] : "?");
		else if (!v[7] || strcmp(v[7], prev) != 0)
			rc = bs_err_set(err, BS_EXIT_REJECTED,
			    "tracking store: event %s does not follow event %lld (the chain "
			    "was broken: an event was changed or removed)", v[0], expect - 1);
		else if (!v[8] || strcmp(v[8], hex) != 0)
			rc = bs_err_set(err, BS_EXIT_REJECTED,
			    "tracking store: event %s was altered after it was written "
			    "(hash mismatch)", v[0]);
		else
			memcpy(prev, hex, sizeof(prev));
		for (i = 0; i < 9; i++)
			bs_buf_release(&col[i]);
		if (rc)
			break;
		expect++;
		count++;
	}
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	*n = count;
	return rc < 0 ? (err->code == BS_EXIT_REJECTED ? 1 : -1) : 0;
}
