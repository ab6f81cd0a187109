/*
 * test_review.c - lib/review: disposition labels, the disposition map and
 * its hash, problem sets from problems.csv, approvals bound to hashes, and
 * bs_review_is_approved() for the packaging stage.
 */
#include "bs.h"
#include "review.h"
#include "sha256.h"

#include <setjmp.h>
#include <cmocka.h>

#include "tutil.h"

struct fx {
	char dir[PATH_MAX];
	struct bs_track t;
	struct bs_report r;
	char *vdir;
};

static const char *const DATA = "aaaa";

static void
exec_ok(struct fx *f, const char *sql, size_t n, const char *const *p)
{
	struct bs_err err = BS_ERR_INIT;

	if (bs_db_execp(&f->t.db, sql, n, p, &err) < 0)
		fail_msg("%s: %s", sql, err.msg);
}

static int
setup(void **state)
{
	struct fx *f = bs_xcalloc(1, sizeof(*f));
	struct bs_conn_conf c;
	struct bs_err err = BS_ERR_INIT;
	char *db, *rep;

	tu_mkdtemp(f->dir);
	tu_odbc_setup(f->dir);
	memset(&c, 0, sizeof(c));
	c.name = (char *)"tracking";
	db = bs_xasprintf("%s/tracking.db", f->dir);
	c.sqlite = db;
	c.create = 1;
	if (bs_track_open(&f->t, &c, &err) < 0)
		fail_msg("%s", err.msg);
	free(db);
	/* a report with two roles, and a finished validation of its filing */
	rep = bs_xasprintf("%s/r", f->dir);
	assert_int_equal(mkdir(rep, 0755), 0);
	free(tu_write(rep, "q.sql", "SELECT 1\n"));
	free(tu_write(rep, "report.yaml", "report: r\ntables: [{name: t, query: q.sql}]\n"
	    "approvals: [业务部, 总裁室]\n"));
	if (bs_report_load(&f->r, rep, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	free(rep);
	f->vdir = bs_xasprintf("%s/v1", f->dir);
	assert_int_equal(mkdir(f->vdir, 0755), 0);
	free(tu_write(f->vdir, "manifest.json", "{\"data_sha256\": \"aaaa\"}\n"));
	free(tu_write(f->vdir, "problems.csv",
	    "rule_id,severity,category,table,record,line,key,columns,values,message,owner\n"
	    "E1,error,C1,t,1,2,K1,a,,必填,业务部\n"
	    "E1,error,C1,t,1,2,K1,b,,必填,业务部\n"
	    "W1,warning,C4,t,2,3,K2,a,1,偏低,业务部\n"));
	{
		const char *p[2] = { "r/2026-10", f->vdir };

		exec_ok(f, "INSERT INTO bs_run (run_id, program, version, filing, started_at,"
		    " status, run_dir) VALUES ('v1', 'baosong-validate', '0', ?, "
		    "'2026-11-01T00:00:00Z', 'ok', ?)", 2, p);
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	bs_track_close(&f->t);
	bs_report_release(&f->r);
	tu_rm_rf(f->dir);
	free(f->vdir);
	free(f);
	return 0;
}

static void
point_run_dir(struct fx *f)
{
	const char *p[1] = { f->vdir };

	exec_ok(f, "UPDATE bs_run SET filing = 'r/2026-10', run_dir = ? WHERE run_id = 'v1'",
	    1, p);
}

static void
t_labels(void **state)
{
	enum bs_disp d;

	(void)state;
	assert_int_equal(bs_disp_parse("已修改", &d), 0);
	assert_int_equal(d, BS_DISP_FIXED);
	assert_int_equal(bs_disp_parse("explained", &d), 0);
	assert_int_equal(d, BS_DISP_EXPLAINED);
	assert_int_equal(bs_disp_parse("剔除", &d), 0);
	assert_int_equal(d, BS_DISP_EXCLUDED);
	assert_int_equal(bs_disp_parse("改了", &d), -1);
	assert_string_equal(bs_disp_label(BS_DISP_EXPLAINED), "说明");
	assert_string_equal(bs_disp_name(BS_DISP_EXCLUDED), "excluded");
	assert_null(bs_disp_name(BS_DISP_NONE));
}

static void
answer(struct fx *f, const char *rule, const char *key, const char *disp,
    const char *comment, const char *by)
{
	const char *p[6] = { rule, key, disp, comment, by, by };

	exec_ok(f, "INSERT INTO bs_disposition (filing, rule_id, table_name, record_key,"
	    " disposition, comment, by_name, reviewer, at, status) VALUES ('r/2026-10',"
	    " ?, 't', ?, ?, ?, ?, ?, '2026-11-02T00:00:00Z', 'open')", 6, p);
}

static void
t_problems_and_map(void **state)
{
	struct fx *f = *state;
	struct bs_disp_map pm, dm;
	struct bs_err err = BS_ERR_INIT;

	assert_int_equal(bs_review_problems_load(f->vdir, &pm, &err), 0);
	assert_int_equal(pm.n, 2);	/* E1/K1 listed twice, kept once */
	assert_non_null(bs_disp_find(&pm, "E1", "t", "K1"));
	assert_string_equal(bs_disp_find(&pm, "W1", "t", "K2")->severity, "warning");
	assert_null(bs_disp_find(&pm, "E1", "t", "K2"));
	bs_disp_map_release(&pm);

	answer(f, "E1", "K1", "explained", "历史数据", "王芳");
	assert_int_equal(bs_disp_load(&f->t, "r/2026-10", &dm, &err), 0);
	assert_int_equal(dm.n, 1);
	assert_int_equal(bs_disp_find(&dm, "E1", "t", "K1")->disp, BS_DISP_EXPLAINED);
	assert_string_equal(bs_disp_find(&dm, "E1", "t", "K1")->comment, "历史数据");
	bs_disp_map_release(&dm);
	assert_int_equal(bs_disp_load(&f->t, "other/2026-10", &dm, &err), 0);
	assert_int_equal(dm.n, 0);
	bs_disp_map_release(&dm);
}

static void
t_hash_changes(void **state)
{
	struct fx *f = *state;
	struct bs_err err = BS_ERR_INIT;
	char a[BS_SHA256_HEX], b[BS_SHA256_HEX], c[BS_SHA256_HEX];

	assert_int_equal(bs_review_dispositions_sha256(&f->t, "r/2026-10", a, &err), 0);
	answer(f, "E1", "K1", "explained", "历史数据", "王芳");
	assert_int_equal(bs_review_dispositions_sha256(&f->t, "r/2026-10", b, &err), 0);
	assert_string_not_equal(a, b);
	exec_ok(f, "UPDATE bs_disposition SET comment = '历史数据。'", 0, NULL);
	assert_int_equal(bs_review_dispositions_sha256(&f->t, "r/2026-10", c, &err), 0);
	assert_string_not_equal(b, c);
	/* the time of an import is not part of what was decided */
	exec_ok(f, "UPDATE bs_disposition SET at = '2030-01-01T00:00:00Z'", 0, NULL);
	assert_int_equal(bs_review_dispositions_sha256(&f->t, "r/2026-10", a, &err), 0);
	assert_string_equal(a, c);
}

static void
approve(struct fx *f, const char *role, const char *by, const char *at)
{
	struct bs_err err = BS_ERR_INIT;
	char disp[BS_SHA256_HEX];
	const char *p[5];

	assert_int_equal(bs_review_dispositions_sha256(&f->t, "r/2026-10", disp, &err), 0);
	p[0] = role; p[1] = by; p[2] = at; p[3] = DATA; p[4] = disp;
	exec_ok(f, "INSERT INTO bs_approval (filing, role, by_name, at, validation_run,"
	    " data_sha256, dispositions_sha256) VALUES ('r/2026-10', ?, ?, ?, 'v1', ?, ?)",
	    5, p);
}

static void
t_is_approved(void **state)
{
	struct fx *f = *state;
	struct bs_err err = BS_ERR_INIT;
	struct bs_approval_state *st;
	char disp[BS_SHA256_HEX];
	size_t n;

	point_run_dir(f);
	answer(f, "E1", "K1", "explained", "历史数据", "王芳");
	assert_int_equal(bs_review_is_approved(&f->t, &f->r, "r/2026-10", DATA, &err), 0);
	assert_non_null(strstr(err.msg, "业务部 has not approved"));
	approve(f, "业务部", "张经理", "2026-11-03T00:00:00Z");
	assert_int_equal(bs_review_is_approved(&f->t, &f->r, "r/2026-10", DATA, &err), 0);
	assert_non_null(strstr(err.msg, "总裁室 has not approved"));
	approve(f, "总裁室", "韩总", "2026-11-03T00:00:01Z");
	assert_int_equal(bs_review_is_approved(&f->t, &f->r, "r/2026-10", DATA, &err), 1);
	/* other bytes than the validated ones: no */
	assert_int_equal(bs_review_is_approved(&f->t, &f->r, "r/2026-10", "bbbb", &err), 0);
	assert_non_null(strstr(err.msg, "are not what the latest validation v1 checked"));
	/* a changed answer makes both approvals stale */
	exec_ok(f, "UPDATE bs_disposition SET disposition = 'excluded'", 0, NULL);
	assert_int_equal(bs_review_is_approved(&f->t, &f->r, "r/2026-10", DATA, &err), 0);
	assert_non_null(strstr(err.msg, "stale"));
	assert_int_equal(bs_review_dispositions_sha256(&f->t, "r/2026-10", disp, &err), 0);
	assert_int_equal(bs_review_approvals(&f->t, &f->r, "r/2026-10", DATA, disp, &st,
	    &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(st[0].role, "业务部");
	assert_string_equal(st[0].by, "张经理");
	assert_false(st[0].current);
	bs_review_states_free(st, n);
	/* back to the approved state: current again */
	exec_ok(f, "UPDATE bs_disposition SET disposition = 'explained'", 0, NULL);
	assert_int_equal(bs_review_is_approved(&f->t, &f->r, "r/2026-10", DATA, &err), 1);
}

static void
t_no_validation(void **state)
{
	struct fx *f = *state;
	struct bs_err err = BS_ERR_INIT;
	struct bs_validation v;

	assert_int_equal(bs_review_latest_validation(&f->t, "x/2026-10", &v, &err), -1);
	assert_int_equal(err.code, BS_EXIT_NOINPUT);
	point_run_dir(f);
	assert_int_equal(bs_review_latest_validation(&f->t, "r/2026-10", &v, &err), 0);
	assert_string_equal(v.data_sha256, "aaaa");
	assert_string_equal(v.run_id, "v1");
	bs_validation_release(&v);
}

static void
t_carry(void **state)
{
	struct fx *f = *state;
	struct bs_err err = BS_ERR_INIT;
	struct bs_disp_map dm;
	char *st = NULL;

	answer(f, "E1", "K1", "fixed", NULL, "王芳");
	answer(f, "W1", "K2", "fixed", NULL, "王芳");
	answer(f, "E1", "K9", "explained", "x", "王芳");
	assert_int_equal(bs_disp_load(&f->t, "r/2026-10", &dm, &err), 0);
	bs_disp_find(&dm, "E1", "t", "K1")->seen = 1;	/* still failing */
	bs_disp_find(&dm, "E1", "t", "K9")->seen = 1;
	assert_int_equal(bs_review_carry_finish(&f->t, "r/2026-10", "v2", &dm, &err), 0);
	bs_disp_map_release(&dm);
	assert_int_equal(bs_db_query1(&f->t.db, "SELECT group_concat(rule_id || record_key"
	    " || ':' || status, ',') FROM (SELECT * FROM bs_disposition ORDER BY rule_id,"
	    " record_key)", 0, NULL, &st, &err), 0);
	assert_string_equal(st, "E1K1:reopened,E1K9:open,W1K2:closed");
	free(st);
	assert_int_equal(bs_db_query1(&f->t.db, "SELECT detail FROM bs_event WHERE kind ="
	    " 'review.carry'", 0, NULL, &st, &err), 0);
	assert_string_equal(st, "{\"open\": 1, \"reopened\": 1, \"closed\": 1}");
	free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_labels),
		cmocka_unit_test_setup_teardown(t_problems_and_map, setup, teardown),
		cmocka_unit_test_setup_teardown(t_hash_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(t_is_approved, setup, teardown),
		cmocka_unit_test_setup_teardown(t_no_validation, setup, teardown),
		cmocka_unit_test_setup_teardown(t_carry, setup, teardown),
	};

	return cmocka_run_group_tests_name("review", tests, NULL, NULL);
}
