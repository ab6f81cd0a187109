/*
 * test_report.c - report definitions and run parameters (lib/report.h):
 * NAME=VALUE parsing, month/date/integer checks (leap years), loading a
 * report folder (happy path, unknown key, missing query file, duplicate
 * table, bad decimals, lookup by name) and resolving parameters with the
 * derived period_start, period_end and institution_code.
 */
#include "bs.h"
#include "report.h"
#include "sha256.h"

#include <setjmp.h>
#include <cmocka.h>

#include "tutil.h"

/* ---- parameters ---- */

static void
t_parse_arg(void **state)
{
	struct bs_params p = { NULL, 0, 0 };
	struct bs_err err = BS_ERR_INIT;
	struct bs_param *q;

	(void)state;
	assert_int_equal(bs_params_parse_arg(&p, "period=2026-03", &err), 0);
	assert_int_equal(bs_params_parse_arg(&p, "org_1=a=b", &err), 0);
	assert_int_equal(bs_params_parse_arg(&p, "empty=", &err), 0);
	assert_int_equal(bs_params_parse_arg(&p, "name=保单", &err), 0);
	assert_int_equal(p.n, 4);
	q = bs_params_get(&p, "period");
	assert_string_equal(q->value, "2026-03");
	assert_int_equal(q->type, BS_P_TEXT);
	assert_int_equal(q->given, 1);
	assert_int_equal(q->used, 0);
	assert_string_equal(bs_params_get(&p, "org_1")->value, "a=b");
	assert_string_equal(bs_params_get(&p, "empty")->value, "");
	assert_string_equal(bs_params_get(&p, "name")->value, "保单");
	assert_null(bs_params_get(&p, "Period"));
	/* a repeated name replaces the value */
	assert_int_equal(bs_params_parse_arg(&p, "period=2026-04", &err), 0);
	assert_int_equal(p.n, 4);
	assert_string_equal(bs_params_get(&p, "period")->value, "2026-04");

	assert_int_equal(bs_params_parse_arg(&p, "noequals", &err), -1);
	assert_int_equal(err.code, BS_EXIT_USAGE);
	assert_string_equal(err.msg, "--param wants NAME=VALUE, not 'noequals'");
	assert_int_equal(bs_params_parse_arg(&p, "=x", &err), -1);
	assert_string_equal(err.msg, "--param wants NAME=VALUE, not '=x'");
	assert_int_equal(bs_params_parse_arg(&p, "a-b=1", &err), -1);
	assert_int_equal(err.code, BS_EXIT_USAGE);
	assert_string_equal(err.msg, "--param 'a-b=1': a name has letters, digits and _ only");
	assert_int_equal(bs_params_parse_arg(&p, "a b=1", &err), -1);
	assert_int_equal(p.n, 4);

	bs_params_set(&p, "x", "1", BS_P_INT, 0);
	assert_int_equal(bs_params_get(&p, "x")->type, BS_P_INT);
	assert_int_equal(bs_params_get(&p, "x")->given, 0);
	bs_params_release(&p);
	assert_int_equal(p.n, 0);
	assert_null(p.v);
	bs_params_release(&p);
	bs_params_release(NULL);
}

static void
check_ok(const char *v, enum bs_param_type t)
{
	struct bs_err err = BS_ERR_INIT;

	if (bs_param_check("p", v, t, &err) != 0)
		fail_msg("'%s' should be a valid %s: %s", v, bs_param_type_name(t), err.msg);
}

static void
check_bad(const char *v, enum bs_param_type t)
{
	struct bs_err err = BS_ERR_INIT;
	char want[256];

	if (bs_param_check("p", v, t, &err) != -1)
		fail_msg("'%s' should not be a valid %s", v, bs_param_type_name(t));
	assert_int_equal(err.code, BS_EXIT_USAGE);
	snprintf(want, sizeof(want), "parameter 'p': '%s' is not a%s", v,
	    t == BS_P_MONTH ? " month (YYYY-MM)" : t == BS_P_DATE ?
	    " date (YYYY-MM-DD)" : " whole number");
	assert_string_equal(err.msg, want);
}

static void
t_check(void **state)
{
	static const char *const months_ok[] = { "2026-01", "2026-12", "1999-06" };
	static const char *const months_bad[] = { "2026-13", "2026-00", "2026-3",
		"202603", "2026/03", "2026-03-01", "", "abcd-ef", " 2026-03" };
	static const char *const dates_ok[] = { "2024-02-29", "2000-02-29",
		"2026-02-28", "2026-12-31", "2026-01-01", "2026-04-30" };
	static const char *const dates_bad[] = { "2026-02-29", "1900-02-29",
		"2100-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00",
		"2026-01-32", "2026-1-01", "2026-01-1", "20260101", "", "2026-01-01 " };
	static const char *const ints_ok[] = { "0", "7", "-5", "123456789012345678",
		"-123456789012345678", "007" };
	static const char *const ints_bad[] = { "", "-", "1.5", "+1", " 1", "1 ",
		"1234567890123456789", "1e3", "一" };
	size_t i;

	(void)state;
	for (i = 0; i < BS_ARRAY_SIZE(months_ok); i++)
		check_ok(months_ok[i], BS_P_MONTH);
	for (i = 0; i < BS_ARRAY_SIZE(months_bad); i++)
		check_bad(months_bad[i], BS_P_MONTH);
	for (i = 0; i < BS_ARRAY_SIZE(dates_ok); i++)
		check_ok(dates_ok[i], BS_P_DATE);
	for (i = 0; i < BS_ARRAY_SIZE(dates_bad); i++)
		check_bad(dates_bad[i], BS_P_DATE);
	for (i = 0; i < BS_ARRAY_SIZE(ints_ok); i++)
		check_ok(ints_ok[i], BS_P_INT);
	for (i = 0; i < BS_ARRAY_SIZE(ints_bad); i++)
		check_bad(ints_bad[i], BS_P_INT);
	check_ok("", BS_P_TEXT);
	check_ok("anything at all 保单", BS_P_TEXT);

	assert_int_equal(bs_days_in_month(2026, 2), 28);
	assert_int_equal(bs_days_in_month(2024, 2), 29);
	assert_int_equal(bs_days_in_month(2000, 2), 29);
	assert_int_equal(bs_days_in_month(1900, 2), 28);
	assert_int_equal(bs_days_in_month(2026, 1), 31);
	assert_int_equal(bs_days_in_month(2026, 4), 30);
	assert_int_equal(bs_days_in_month(2026, 12), 31);
	assert_string_equal(bs_param_type_name(BS_P_TEXT), "text");
	assert_string_equal(bs_param_type_name(BS_P_DATE), "date");
	assert_string_equal(bs_param_type_name(BS_P_INT), "integer");
	assert_string_equal(bs_param_type_name(BS_P_MONTH), "month");
}

/* ---- report definitions ---- */

struct fx {
	char tmp[PATH_MAX];
	char *dir;		/* tmp/east, real path */
};

static int
setup(void **state)
{
	struct fx *f = bs_xcalloc(1, sizeof(*f));
	char *d, *real;

	tu_mkdtemp(f->tmp);
	d = bs_xasprintf("%s/east", f->tmp);
	assert_int_equal(mkdir(d, 0755), 0);
	real = realpath(d, NULL);
	assert_non_null(real);
	f->dir = real;
	free(d);
	free(tu_write(f->dir, "policy.sql", "SELECT * FROM policy WHERE month = :period\n"));
	free(tu_write(f->dir, "claim.sql", "SELECT 1\n"));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	tu_rm_rf(f->tmp);
	free(f->dir);
	free(f);
	return 0;
}

#define GOOD_REPORT \
	"report: east-sample\n" \
	"title: EAST 样例报送（月度）\n" \
	"connection: demo\n" \
	"params:\n" \
	"  period: {type: month, description: 报送期间}\n" \
	"  org: {}\n" \
	"  asof: {type: date}\n" \
	"tables:\n" \
	"  - {name: policy, title: 保单表, query: policy.sql,\n" \
	"     decimals: {sum_insured: 2, Total_Premium: 4}}\n" \
	"  - name: claim\n" \
	"    query: claim.sql\n"

static void
write_report(struct fx *f, const char *text)
{
	free(tu_write(f->dir, "report.yaml", text));
}

static void
t_load_ok(void **state)
{
	struct fx *f = *state;
	struct bs_report r;
	struct bs_err err = BS_ERR_INIT;
	const struct bs_report_table *t;
	char *want, hex[BS_SHA256_HEX];
	struct bs_param *p;

	write_report(f, GOOD_REPORT);
	if (bs_report_load(&r, f->dir, NULL, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(r.dir, f->dir);
	want = bs_xasprintf("%s/report.yaml", f->dir);
	assert_string_equal(r.file, want);
	bs_sha256_hex(GOOD_REPORT, strlen(GOOD_REPORT), hex);
	assert_string_equal(r.sha256, hex);
	free(want);
	assert_string_equal(r.name, "east-sample");
	assert_string_equal(r.title, "EAST 样例报送（月度）");
	assert_string_equal(r.connection, "demo");
	assert_int_equal(r.params.n, 3);
	p = bs_params_get(&r.params, "period");
	assert_int_equal(p->type, BS_P_MONTH);
	assert_string_equal(p->value, "");
	assert_int_equal(p->given, 0);
	assert_int_equal(bs_params_get(&r.params, "org")->type, BS_P_TEXT);
	assert_int_equal(bs_params_get(&r.params, "asof")->type, BS_P_DATE);

	assert_int_equal(r.ntables, 2);
	t = bs_report_table(&r, "policy");
	assert_ptr_equal(t, &r.tables[0]);
	assert_string_equal(t->title, "保单表");
	want = bs_xasprintf("%s/policy.sql", f->dir);
	assert_string_equal(t->query, want);
	free(want);
	assert_int_equal(t->ndec, 2);
	assert_int_equal(bs_report_table_scale(t, "sum_insured"), 2);
	assert_int_equal(bs_report_table_scale(t, "SUM_INSURED"), 2);
	assert_int_equal(bs_report_table_scale(t, "total_premium"), 4);
	assert_int_equal(bs_report_table_scale(t, "policy_no"), -1);
	assert_int_equal(bs_report_table_scale(NULL, "x"), -1);
	t = bs_report_table(&r, "claim");
	assert_string_equal(t->title, "claim");	/* defaults to the name */
	assert_int_equal(t->ndec, 0);
	assert_int_equal(bs_report_table_scale(t, "x"), -1);
	assert_null(bs_report_table(&r, "nope"));
	/* the YAML stays for later stages */
	assert_non_null(bs_yaml_get(&r.y, bs_yaml_root(&r.y), "tables"));
	bs_report_release(&r);
	assert_null(r.name);
	bs_report_release(&r);
	bs_report_release(NULL);
}

static void
t_load_minimal(void **state)
{
	struct fx *f = *state;
	struct bs_report r;
	struct bs_err err = BS_ERR_INIT;

	write_report(f, "report: mini\ntables: []\n");
	assert_int_equal(bs_report_load(&r, f->dir, NULL, &err), 0);
	assert_string_equal(r.title, "mini");
	assert_null(r.connection);
	assert_int_equal(r.params.n, 0);
	assert_int_equal(r.ntables, 0);
	bs_report_release(&r);
}

/* Load must fail with code 78 and "report.yaml:<pos>: <msg>". */
static void
load_err(struct fx *f, const char *text, const char *pos_msg)
{
	struct bs_report r;
	struct bs_err err = BS_ERR_INIT;
	char *want;

	write_report(f, text);
	if (bs_report_load(&r, f->dir, NULL, &err) != -1) {
		bs_report_release(&r);
		fail_msg("loaded, but should fail with '%s':\n%s", pos_msg, text);
	}
	want = bs_xasprintf("%s/report.yaml%s", f->dir, pos_msg);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	assert_null(r.name);
	free(want);
}

static void
t_load_errors(void **state)
{
	struct fx *f = *state;
	char *want;

	load_err(f, "report: x\nrepotr: y\ntables: []\n", ":2:1: unknown key 'repotr'");
	load_err(f, "report: x\ntables:\n  - {name: a, query: policy.sql, qeury: x}\n",
	    ":3:34: unknown key 'qeury'");
	want = bs_xasprintf(":3:22: table 'a': cannot read query file '%s/nope.sql': "
	    "No such file or directory", f->dir);
	load_err(f, "report: x\ntables:\n  - {name: a, query: nope.sql}\n", want);
	free(want);
	load_err(f, "report: x\ntables:\n  - {name: a, query: policy.sql}\n"
	    "  - {name: b, query: claim.sql}\n  - {name: a, query: claim.sql}\n",
	    ":5:5: table 'a' is listed twice");
	load_err(f, "report: x\ntables:\n  - {name: a, query: policy.sql, decimals: {p: x}}\n",
	    ":3:48: decimal scale of 'p' must be a whole number from 0 to 18");
	load_err(f, "report: x\ntables:\n  - {name: a, query: policy.sql, decimals: {p: 19}}\n",
	    ":3:48: decimal scale of 'p' must be a whole number from 0 to 18");
	load_err(f, "report: x\ntables:\n  - {name: a, query: policy.sql, decimals: {p: -1}}\n",
	    ":3:48: decimal scale of 'p' must be a whole number from 0 to 18");
	load_err(f, "report: x\ntables:\n  - {name: a, query: policy.sql, decimals: {p: 2.5}}\n",
	    ":3:48: decimal scale of 'p' must be a whole number from 0 to 18");
	load_err(f, "report: x\ntables:\n  - {name: a, query: policy.sql, decimals: {p: ''}}\n",
	    ":3:48: decimal scale of 'p' must be a whole number from 0 to 18");
	load_err(f, "report: x\ntables:\n  - {name: a, query: policy.sql, decimals: {p: }}\n",
	    ":3:48: decimal scale of 'p' must be a whole number from 0 to 18");
	load_err(f, "report: x\ntables:\n  - {name: a, query: policy.sql, decimals: {p: ' 2'}}\n",
	    ":3:48: decimal scale of 'p' must be a whole number from 0 to 18");
	load_err(f, "report: x\ntables:\n  - {name: a, query: policy.sql, decimals: {p: +2}}\n",
	    ":3:48: decimal scale of 'p' must be a whole number from 0 to 18");
	load_err(f, "report: x\ntables:\n  - {name: a, query: policy.sql, decimals: {p: [2]}}\n",
	    ":3:48: decimal scale of 'p' must be a whole number from 0 to 18");
	load_err(f, "report: x\ntables:\n  - {name: a, query: policy.sql, decimals: [2]}\n",
	    ":3:44: 'decimals' must be a mapping (key: value lines)");
	load_err(f, "report: x\n", ":1:1: missing required key 'tables'");
	load_err(f, "title: x\ntables: []\n", ":1:1: missing required key 'report'");
	load_err(f, "report: a/b\ntables: []\n", ":1:9: a report name has no '/' or spaces");
	load_err(f, "report: x\ntables: {a: 1}\n", ":2:9: 'tables' must be a list");
	load_err(f, "report: x\ntables:\n  - policy\n", ":3:5: a table must be a mapping (key: value lines)");
	load_err(f, "report: x\ntables:\n  - {title: t}\n", ":3:5: missing required key 'name'");
	load_err(f, "report: x\ntables:\n  - {name: a}\n", ":3:5: missing required key 'query'");
	load_err(f, "report: x\nparams:\n  p: {type: money}\ntables: []\n",
	    ":3:13: unknown parameter type 'money' (text, date, integer or month)");
	load_err(f, "report: x\nparams:\n  p: {type: [a]}\ntables: []\n",
	    ":3:13: a type is a single word");
	load_err(f, "report: x\nparams:\n  p: month\ntables: []\n",
	    ":3:6: a parameter must be a mapping (key: value lines)");
	load_err(f, "report: x\nparams:\n  p: {tpye: month}\ntables: []\n",
	    ":3:7: unknown key 'tpye'");
	load_err(f, "report: x\nparams:\n  ? [a]\n  : {type: text}\ntables: []\n",
	    ":3:5: a parameter name is a single word");
	load_err(f, "", ": empty report definition");
	load_err(f, "- a\n", ":1:1: a report definition must be a mapping (key: value lines)");
	load_err(f, "report: x\nreport: y\ntables: []\n", ":2:1: duplicate key 'report' (first at line 1)");
}

static void
t_load_lookup(void **state)
{
	struct fx *f = *state;
	struct bs_workspace ws;
	struct bs_report r;
	struct bs_err err = BS_ERR_INIT;
	char *dirs[2], *want;

	write_report(f, GOOD_REPORT);
	memset(&ws, 0, sizeof(ws));
	dirs[0] = bs_xasprintf("%s/none", f->tmp);
	dirs[1] = f->tmp;
	ws.report_dirs = dirs;
	ws.nreport_dirs = 2;
	/* by name, through the workspace's report folders */
	assert_int_equal(bs_report_load(&r, "east", &ws, &err), 0);
	assert_string_equal(r.dir, f->dir);
	bs_report_release(&r);
	/* not found */
	assert_int_equal(bs_report_load(&r, "west", &ws, &err), -1);
	assert_int_equal(err.code, BS_EXIT_NOINPUT);
	want = bs_xasprintf("report definition 'west' not found (a folder, or a name "
	    "under %s or %s/rules)", dirs[0], BS_DATADIR);
	assert_string_equal(err.msg, want);
	free(want);
	assert_int_equal(bs_report_load(&r, "west", NULL, &err), -1);
	want = bs_xasprintf("report definition 'west' not found (a folder, or a name "
	    "under %s/rules)", BS_DATADIR);
	assert_string_equal(err.msg, want);
	free(want);
	/* a path that is not a folder is not looked up by name */
	want = bs_xasprintf("%s/west", f->tmp);
	assert_int_equal(bs_report_load(&r, want, &ws, &err), -1);
	assert_int_equal(err.code, BS_EXIT_NOINPUT);
	free(want);
	/* a folder without report.yaml */
	assert_int_equal(bs_report_load(&r, f->tmp, &ws, &err), -1);
	assert_int_equal(err.code, BS_EXIT_NOINPUT);
	free(dirs[0]);
}

static void
t_resolve(void **state)
{
	struct fx *f = *state;
	struct bs_workspace ws;
	struct bs_report r;
	struct bs_params p = { NULL, 0, 0 };
	struct bs_err err = BS_ERR_INIT;

	write_report(f, GOOD_REPORT);
	assert_int_equal(bs_report_load(&r, f->dir, NULL, &err), 0);
	memset(&ws, 0, sizeof(ws));
	ws.institution_code = (char *)"000001";

	bs_params_parse_arg(&p, "period=2024-02", &err);
	bs_params_parse_arg(&p, "org=总公司", &err);
	bs_params_parse_arg(&p, "asof=2024-02-29", &err);
	bs_params_parse_arg(&p, "extra=2024-13", &err);	/* undeclared: text */
	assert_int_equal(bs_report_resolve_params(&r, &p, &ws, &err), 0);
	assert_int_equal(bs_params_get(&p, "period")->type, BS_P_MONTH);
	assert_int_equal(bs_params_get(&p, "asof")->type, BS_P_DATE);
	assert_int_equal(bs_params_get(&p, "extra")->type, BS_P_TEXT);
	assert_string_equal(bs_params_get(&p, "period_start")->value, "2024-02-01");
	assert_string_equal(bs_params_get(&p, "period_end")->value, "2024-02-29");
	assert_int_equal(bs_params_get(&p, "period_end")->type, BS_P_DATE);
	assert_int_equal(bs_params_get(&p, "period_end")->given, 0);
	assert_string_equal(bs_params_get(&p, "institution_code")->value, "000001");
	assert_int_equal(bs_params_get(&p, "institution_code")->given, 0);
	assert_int_equal(p.n, 7);
	bs_params_release(&p);

	/* 2026-02 has 28 days; given derived values are kept */
	bs_params_parse_arg(&p, "period=2026-02", &err);
	bs_params_parse_arg(&p, "org=x", &err);
	bs_params_parse_arg(&p, "asof=2026-02-28", &err);
	bs_params_parse_arg(&p, "period_start=2026-01-15", &err);
	bs_params_parse_arg(&p, "institution_code=999999", &err);
	assert_int_equal(bs_report_resolve_params(&r, &p, &ws, &err), 0);
	assert_string_equal(bs_params_get(&p, "period_start")->value, "2026-01-15");
	assert_string_equal(bs_params_get(&p, "period_end")->value, "2026-02-28");
	assert_string_equal(bs_params_get(&p, "institution_code")->value, "999999");
	bs_params_release(&p);

	/* December */
	bs_params_parse_arg(&p, "period=2026-12", &err);
	bs_params_parse_arg(&p, "org=x", &err);
	bs_params_parse_arg(&p, "asof=2026-12-31", &err);
	assert_int_equal(bs_report_resolve_params(&r, &p, NULL, &err), 0);
	assert_string_equal(bs_params_get(&p, "period_end")->value, "2026-12-31");
	assert_null(bs_params_get(&p, "institution_code"));	/* no workspace */
	bs_params_release(&p);

	/* a declared parameter with a bad value */
	bs_params_parse_arg(&p, "period=2026-02", &err);
	bs_params_parse_arg(&p, "org=x", &err);
	bs_params_parse_arg(&p, "asof=2026-02-29", &err);
	assert_int_equal(bs_report_resolve_params(&r, &p, &ws, &err), -1);
	assert_int_equal(err.code, BS_EXIT_USAGE);
	assert_string_equal(err.msg, "parameter 'asof': '2026-02-29' is not a date (YYYY-MM-DD)");
	bs_params_release(&p);

	/* a missing declared parameter */
	bs_params_parse_arg(&p, "period=2026-02", &err);
	bs_params_parse_arg(&p, "org=x", &err);
	assert_int_equal(bs_report_resolve_params(&r, &p, &ws, &err), -1);
	assert_int_equal(err.code, BS_EXIT_USAGE);
	assert_string_equal(err.msg, "report 'east-sample' needs --param asof=<date>");
	bs_params_release(&p);
	bs_params_parse_arg(&p, "org=x", &err);
	bs_params_parse_arg(&p, "asof=2026-02-28", &err);
	assert_int_equal(bs_report_resolve_params(&r, &p, &ws, &err), -1);
	assert_string_equal(err.msg, "report 'east-sample' needs --param period=<month>");
	bs_params_release(&p);

	/* ad hoc (no report): everything stays text, nothing is derived */
	bs_params_parse_arg(&p, "period=2026-02", &err);
	assert_int_equal(bs_report_resolve_params(NULL, &p, &ws, &err), 0);
	assert_int_equal(bs_params_get(&p, "period")->type, BS_P_TEXT);
	assert_null(bs_params_get(&p, "period_start"));
	assert_string_equal(bs_params_get(&p, "institution_code")->value, "000001");
	bs_params_release(&p);
	bs_report_release(&r);
}

int
main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_parse_arg),
		cmocka_unit_test(t_check),
		T(t_load_ok),
		T(t_load_minimal),
		T(t_load_errors),
		T(t_load_lookup),
		T(t_resolve),
	};

	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
