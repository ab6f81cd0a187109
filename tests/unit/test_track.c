/*
 * test_track.c - the tracking store (lib/track.h) on a temporary SQLite
 * file through unixODBC: schema creation, runs, filings, events, the
 * hash chain verified, then broken by editing, deleting and re-linking
 * events behind the library's back; reopening does not migrate again.
 */
#include "bs.h"
#include "track.h"

#include <setjmp.h>
#include <cmocka.h>

#include "tutil.h"

struct fx {
	char dir[PATH_MAX];
	char *dbfile;
	struct bs_conn_conf conf;
	struct bs_track t;
};

static int
setup(void **state)
{
	struct fx *f = bs_xcalloc(1, sizeof(*f));

	tu_mkdtemp(f->dir);
	f->dbfile = bs_xasprintf("%s/state/sub/tracking.db", f->dir);
	f->conf.name = (char *)"tracking";
	f->conf.sqlite = f->dbfile;
	f->conf.create = 1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	bs_track_close(&f->t);
	tu_rm_rf(f->dir);
	free(f->dbfile);
	free(f);
	return 0;
}

static void
open_ok(struct fx *f)
{
	struct bs_err err = BS_ERR_INIT;

	if (!tu_have_driver)
		skip();
	if (bs_track_open(&f->t, &f->conf, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(f->t.open, 1);
}

static char *
q1(struct fx *f, const char *sql)
{
	struct bs_err err = BS_ERR_INIT;
	char *out = NULL;

	if (bs_db_query1(&f->t.db, sql, 0, NULL, &out, &err) != 0)
		fail_msg("%s: %s", sql, err.msg);
	return out;
}

static void
assert_q1(struct fx *f, const char *sql, const char *want)
{
	char *v = q1(f, sql);

	if (!want) {
		assert_null(v);
		return;
	}
	if (!v)
		fail_msg("%s: NULL, want '%s'", sql, want);
	assert_string_equal(v, want);
	free(v);
}

static void
exec_ok(struct fx *f, const char *sql)
{
	struct bs_err err = BS_ERR_INIT;

	if (bs_db_exec(&f->t.db, sql, &err) != 0)
		fail_msg("%s: %s", sql, err.msg);
}

/* A run that starts, registers its filing, logs an event and ends. */
static void
one_run(struct fx *f, const char *run_id)
{
	struct bs_err err = BS_ERR_INIT;
	struct bs_track_run r = {
		.run_id = run_id, .program = "extract", .filing = "east-sample/2026-03",
		.rerun_of = NULL, .started = "2026-04-02T01:00:00Z",
		.params = "{\"period\": \"2026-03\", \"机构\": \"总公司\"}",
		.run_dir = "/ws/runs/x",
	};

	if (bs_track_filing(&f->t, "east-sample/2026-03", "east-sample", "2026-03", &err) != 0 ||
	    bs_track_run_start(&f->t, &r, &err) != 0 ||
	    bs_track_event(&f->t, "extract.table", r.filing, run_id, "tester@host",
		"{\"table\": \"policy\", \"rows\": 3}", &err) != 0 ||
	    bs_track_run_end(&f->t, run_id, "ok", 0,
		"aaaabbbbccccddddaaaabbbbccccddddaaaabbbbccccddddaaaabbbbccccdddd",
		"done", &err) != 0)
		fail_msg("%s", err.msg);
}

static void
verify_ok(struct fx *f, unsigned long want)
{
	struct bs_err err = BS_ERR_INIT;
	unsigned long n = 99;

	if (bs_track_verify(&f->t, &n, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(n, want);
}

static void
t_open_creates_schema(void **state)
{
	struct fx *f = *state;

	open_ok(f);
	assert_true(tu_exists(f->dbfile));	/* and its folders */
	assert_q1(f, "SELECT value FROM bs_meta WHERE name = 'schema_version'", "2");
	assert_q1(f, "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master"
	    " WHERE name LIKE 'bs_%' ORDER BY name)",
	    "bs_approval,bs_disposition,bs_event,bs_event_filing,bs_filing,bs_meta,bs_run,bs_run_filing");
	assert_q1(f, "SELECT count(*) FROM bs_event", "0");
	verify_ok(f, 0);
	bs_track_close(&f->t);
	assert_int_equal(f->t.open, 0);
	bs_track_close(&f->t);
	bs_track_close(NULL);
}

static void
t_records(void **state)
{
	struct fx *f = *state;
	struct bs_err err = BS_ERR_INIT;
	char *v;

	open_ok(f);
	one_run(f, "20260402T010000Z-extract-0001");
	assert_q1(f, "SELECT status || '|' || exit_code || '|' || program || '|' || filing"
	    " || '|' || message || '|' || version FROM bs_run",
	    "ok|0|extract|east-sample/2026-03|done|" BS_VERSION);
	assert_q1(f, "SELECT params FROM bs_run",
	    "{\"period\": \"2026-03\", \"机构\": \"总公司\"}");
	assert_q1(f, "SELECT rerun_of FROM bs_run", NULL);
	assert_q1(f, "SELECT ended_at IS NOT NULL AND started_at = '2026-04-02T01:00:00Z'"
	    " FROM bs_run", "1");
	assert_q1(f, "SELECT report || '|' || period FROM bs_filing", "east-sample|2026-03");
	assert_q1(f, "SELECT group_concat(kind) FROM (SELECT kind FROM bs_event ORDER BY seq)",
	    "filing.create,run.start,extract.table,run.end");
	assert_q1(f, "SELECT actor FROM bs_event WHERE seq = 3", "tester@host");
	v = q1(f, "SELECT actor FROM bs_event WHERE seq = 2");
	assert_string_equal(v, bs_track_actor());
	assert_non_null(strchr(v, '@'));
	free(v);
	assert_q1(f, "SELECT detail FROM bs_event WHERE seq = 4",
	    "{\"status\": \"ok\", \"exit_code\": 0, \"manifest_sha256\": "
	    "\"aaaabbbbccccddddaaaabbbbccccddddaaaabbbbccccddddaaaabbbbccccdddd\"}");
	assert_q1(f, "SELECT filing FROM bs_event WHERE seq = 4", "east-sample/2026-03");
	assert_q1(f, "SELECT prev_hash FROM bs_event WHERE seq = 1",
	    "0000000000000000000000000000000000000000000000000000000000000000");
	assert_q1(f, "SELECT count(*) FROM bs_event e JOIN bs_event p ON p.seq = e.seq - 1"
	    " WHERE e.prev_hash = p.hash", "3");
	verify_ok(f, 4);

	/* a filing is registered once; a failed run has no manifest */
	if (bs_track_filing(&f->t, "east-sample/2026-03", "east-sample", "2026-03", &err) != 0)
		fail_msg("%s", err.msg);
	assert_q1(f, "SELECT count(*) FROM bs_filing", "1");
	{
		struct bs_track_run r = { "20260402T020000Z-extract-0002", "extract", NULL,
			"20260402T010000Z-extract-0001", "2026-04-02T02:00:00Z", NULL, "/x" };

		assert_int_equal(bs_track_run_start(&f->t, &r, &err), 0);
		assert_int_equal(bs_track_run_end(&f->t, r.run_id, "failed", 69, NULL,
		    "cannot connect", &err), 0);
	}
	assert_q1(f, "SELECT detail FROM bs_event WHERE seq = 6",
	    "{\"status\": \"failed\", \"exit_code\": 69}");
	assert_q1(f, "SELECT filing FROM bs_event WHERE seq = 6", NULL);
	assert_q1(f, "SELECT rerun_of || '|' || exit_code || '|' || (manifest_sha256 IS NULL)"
	    " FROM bs_run WHERE status = 'failed'", "20260402T010000Z-extract-0001|69|1");
	/* an event with no detail and no filing */
	assert_int_equal(bs_track_event(&f->t, "note", NULL, NULL, NULL, NULL, &err), 0);
	verify_ok(f, 7);
	/* a second run with the same id is refused */
	{
		struct bs_track_run r = { "20260402T010000Z-extract-0001", "extract", NULL,
			NULL, "2026-04-02T03:00:00Z", NULL, "/x" };

		assert_int_equal(bs_track_run_start(&f->t, &r, &err), -1);
		assert_non_null(strstr(err.msg, "tracking store: cannot record the start of run "
		    "20260402T010000Z-extract-0001: "));
	}
	/* nothing half-written: still 7 events, chain intact */
	verify_ok(f, 7);
}

static void
t_tamper_detail(void **state)
{
	struct fx *f = *state;
	struct bs_err err = BS_ERR_INIT;
	unsigned long n = 99;

	open_ok(f);
	one_run(f, "r1");
	verify_ok(f, 4);
	exec_ok(f, "UPDATE bs_event SET detail = '{\"table\": \"policy\", \"rows\": 4}'"
	    " WHERE seq = 3");
	assert_int_equal(bs_track_verify(&f->t, &n, &err), 1);
	assert_int_equal(err.code, BS_EXIT_REJECTED);
	assert_string_equal(err.msg, "tracking store: event 3 was altered after it was "
	    "written (hash mismatch)");
	assert_non_null(strstr(err.msg, "altered"));
	assert_int_equal(n, 2);
	/* NULL and "" hash differently */
	exec_ok(f, "UPDATE bs_event SET detail = '{\"table\": \"policy\", \"rows\": 3}'"
	    " WHERE seq = 3");
	verify_ok(f, 4);
	exec_ok(f, "UPDATE bs_event SET filing = '' WHERE seq = 1");
	assert_int_equal(bs_track_verify(&f->t, &n, &err), 1);
	assert_string_equal(err.msg, "tracking store: event 1 was altered after it was "
	    "written (hash mismatch)");
	assert_int_equal(n, 0);
}

static void
t_tamper_delete(void **state)
{
	struct fx *f = *state;
	struct bs_err err = BS_ERR_INIT;
	unsigned long n = 99;

	open_ok(f);
	one_run(f, "r1");
	exec_ok(f, "DELETE FROM bs_event WHERE seq = 2");
	assert_int_equal(bs_track_verify(&f->t, &n, &err), 1);
	assert_int_equal(err.code, BS_EXIT_REJECTED);
	assert_string_equal(err.msg, "tracking store: event 2 is missing (found 3 next)");
	assert_non_null(strstr(err.msg, "missing"));
	assert_int_equal(n, 1);
}

static void
t_tamper_relink(void **state)
{
	struct fx *f = *state;
	struct bs_err err = BS_ERR_INIT;
	unsigned long n = 99;

	open_ok(f);
	one_run(f, "r1");
	/* renumber to hide a deletion: the chain no longer links */
	exec_ok(f, "DELETE FROM bs_event WHERE seq = 2");
	exec_ok(f, "UPDATE bs_event SET seq = seq - 1 WHERE seq > 2");
	assert_int_equal(bs_track_verify(&f->t, &n, &err), 1);
	assert_string_equal(err.msg, "tracking store: event 2 does not follow event 1 (the "
	    "chain was broken: an event was changed or removed)");
	assert_int_equal(n, 1);
}

static void
t_reopen(void **state)
{
	struct fx *f = *state;
	struct bs_err err = BS_ERR_INIT;

	open_ok(f);
	one_run(f, "r1");
	/* if open migrated again, IF NOT EXISTS would bring this index back */
	exec_ok(f, "DROP INDEX bs_run_filing");
	bs_track_close(&f->t);
	open_ok(f);
	assert_q1(f, "SELECT count(*) FROM sqlite_master WHERE name = 'bs_run_filing'", "0");
	assert_q1(f, "SELECT value FROM bs_meta WHERE name = 'schema_version'", "2");
	assert_q1(f, "SELECT count(*) FROM bs_meta", "1");
	assert_q1(f, "SELECT count(*) FROM bs_run", "1");
	/* the chain continues across processes */
	assert_int_equal(bs_track_event(&f->t, "after.reopen", NULL, "r1", NULL, "{}", &err), 0);
	verify_ok(f, 5);
	assert_q1(f, "SELECT kind FROM bs_event WHERE seq = 5", "after.reopen");
	bs_track_close(&f->t);

	/* a store from a newer baosong is refused, untouched */
	open_ok(f);
	exec_ok(f, "UPDATE bs_meta SET value = '99' WHERE name = 'schema_version'");
	bs_track_close(&f->t);
	assert_int_equal(bs_track_open(&f->t, &f->conf, &err), -1);
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	assert_string_equal(err.msg, "tracking store schema version 99 is newer than this "
	    "program knows (2); upgrade baosong");
	assert_int_equal(f->t.open, 0);
}

static void
t_open_errors(void **state)
{
	struct fx *f = *state;
	struct bs_err err = BS_ERR_INIT;
	char *want;

	if (!tu_have_driver)
		skip();
	f->conf.create = 0;
	assert_int_equal(bs_track_open(&f->t, &f->conf, &err), -1);
	assert_int_equal(err.code, BS_EXIT_NOINPUT);
	want = bs_xasprintf("tracking store: connection 'tracking': cannot open SQLite "
	    "database '%s': No such file or directory", f->dbfile);
	assert_string_equal(err.msg, want);
	free(want);
	assert_int_equal(f->t.open, 0);
}

int
main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(t_open_creates_schema),
		T(t_records),
		T(t_tamper_detail),
		T(t_tamper_delete),
		T(t_tamper_relink),
		T(t_reopen),
		T(t_open_errors),
	};

	return cmocka_run_group_tests_name("track", tests, tu_odbc_group_setup, tu_odbc_group_teardown);
}
