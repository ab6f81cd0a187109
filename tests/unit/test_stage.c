/*
 * test_stage.c - what the stage programs share (lib/stage.h): in a
 * workspace, bs_stage_begin() makes the run's temporary directory and
 * records the run (and its filing, under the report named by the filing)
 * as running; bs_stage_end() records "ok" with the exit code and the
 * manifest hash; bs_stage_fail() removes the temporary directory and
 * records "failed" with the message; without a workspace a run goes to
 * --out and nothing is tracked.
 */
#include "bs.h"
#include "stage.h"
#include "odbc.h"

#include <setjmp.h>
#include <cmocka.h>

#include "tutil.h"

#define YAML "institution: {code: \"000001\", name: 示例财产保险股份有限公司}\n"

/* A stage in a fresh workspace. */
static void
open_ws(struct bs_stage *s, char *dir)
{
	struct bs_err err = BS_ERR_INIT;

	if (!tu_have_driver)
		skip();
	tu_mkdtemp(dir);
	free(tu_write(dir, "baosong.yaml", YAML));
	memset(s, 0, sizeof(*s));
	if (bs_workspace_open(&s->ws, dir, &err) != 0)
		fail_msg("%s", err.msg);
	s->have_ws = 1;
}

/* The first column of the first row of sql on the tracking store. */
static char *
q1(struct bs_stage *s, const char *sql, const char *arg)
{
	struct bs_err err = BS_ERR_INIT;
	char *out = NULL;

	if (bs_db_query1(&s->track.db, sql, arg ? 1 : 0, &arg, &out, &err) != 0)
		fail_msg("%s: %s", sql, err.msg);
	return out;
}

static void
assert_q1(struct bs_stage *s, const char *sql, const char *arg, const char *want)
{
	char *v = q1(s, sql, arg);

	assert_non_null(v);
	assert_string_equal(v, want);
	free(v);
}

static void
t_begin_end(void **state)
{
	struct bs_stage s;
	struct bs_err err = BS_ERR_INIT;
	char dir[PATH_MAX];
	char *id;

	(void)state;
	open_ws(&s, dir);
	s.filing = bs_xstrdup("east-sample/2026-10");
	s.period = bs_xstrdup("2026-10");
	if (bs_stage_begin(&s, "baosong-extract", NULL, "{\"period\": \"2026-10\"}",
	    NULL, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(s.run_started, 1);
	assert_int_equal(s.tracked, 1);
	assert_true(tu_exists(s.run.tmp));
	assert_non_null(strstr(s.run.id, "-extract-"));
	id = bs_xstrdup(s.run.id);
	assert_q1(&s, "SELECT status FROM bs_run WHERE run_id = ?", id, "running");
	assert_q1(&s, "SELECT program FROM bs_run WHERE run_id = ?", id, "baosong-extract");
	/* no report loaded: the filing is registered under its REPORT part */
	assert_q1(&s, "SELECT report FROM bs_filing WHERE filing_id = ?",
	    "east-sample/2026-10", "east-sample");
	if (bs_run_finish(&s.run, &err) != 0 || bs_stage_end(&s, 1, "ab12", &err) != 0)
		fail_msg("%s", err.msg);
	assert_q1(&s, "SELECT status FROM bs_run WHERE run_id = ?", id, "ok");
	assert_q1(&s, "SELECT exit_code FROM bs_run WHERE run_id = ?", id, "1");
	assert_true(tu_exists(s.run.final));
	bs_stage_release(&s);
	assert_null(s.filing);
	free(id);
	tu_rm_rf(dir);
}

static void
t_fail(void **state)
{
	struct bs_stage s;
	struct bs_err err = BS_ERR_INIT;
	char dir[PATH_MAX], *tmp, *id;

	(void)state;
	open_ws(&s, dir);
	if (bs_stage_begin(&s, "baosong-validate", NULL, NULL, NULL, &err) != 0)
		fail_msg("%s", err.msg);
	tmp = bs_xstrdup(s.run.tmp);
	id = bs_xstrdup(s.run.id);
	bs_stage_fail(&s, 65, "policy.csv: record 3 (line 4): bad quote");
	assert_false(tu_exists(tmp));
	assert_q1(&s, "SELECT status FROM bs_run WHERE run_id = ?", id, "failed");
	assert_q1(&s, "SELECT exit_code FROM bs_run WHERE run_id = ?", id, "65");
	bs_stage_release(&s);
	free(tmp);
	free(id);
	tu_rm_rf(dir);
}

static void
t_no_workspace(void **state)
{
	struct bs_stage s;
	struct bs_err err = BS_ERR_INIT;
	char dir[PATH_MAX], *out;

	(void)state;
	tu_mkdtemp(dir);
	out = bs_xasprintf("%s/out", dir);
	memset(&s, 0, sizeof(s));
	if (bs_stage_begin(&s, "baosong-transform", out, NULL, NULL, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(s.tracked, 0);
	assert_int_equal(s.track.open, 0);
	assert_int_equal(bs_stage_end(&s, 0, NULL, &err), 0);
	if (bs_run_finish(&s.run, &err) != 0)
		fail_msg("%s", err.msg);
	assert_true(tu_exists(out));
	bs_stage_release(&s);
	/* without a workspace or --out there is nowhere to write */
	memset(&s, 0, sizeof(s));
	assert_int_equal(bs_stage_begin(&s, "baosong-transform", NULL, NULL, NULL, &err), -1);
	assert_int_equal(err.code, BS_EXIT_USAGE);
	assert_string_equal(err.msg, "no workspace found (no baosong.yaml here or above); "
	    "give --out DIR or --workspace DIR");
	assert_int_equal(s.run_started, 0);
	bs_stage_fail(&s, err.code, err.msg);	/* nothing to undo: harmless */
	bs_stage_release(&s);
	free(out);
	tu_rm_rf(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_begin_end),
		cmocka_unit_test(t_fail),
		cmocka_unit_test(t_no_workspace),
	};

	return cmocka_run_group_tests(tests, tu_odbc_group_setup, tu_odbc_group_teardown);
}
