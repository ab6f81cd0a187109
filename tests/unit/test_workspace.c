/*
 * test_workspace.c - the workspace (lib/workspace.h): finding it from
 * --workspace, $BAOSONG_WORKSPACE or by walking up from a subdirectory;
 * loading baosong.yaml with its required institution, connections
 * (exactly one kind, no password in a connect string, relative paths),
 * the default tracking store and report folders.
 */
#include "bs.h"
#include "workspace.h"
#include "rundir.h"

#include <setjmp.h>
#include <cmocka.h>

#include "tutil.h"

struct fx {
	char tmp[PATH_MAX];
	char *root;		/* real path of tmp/ws */
	int cwd;		/* to come back to */
};

static int
setup(void **state)
{
	struct fx *f = bs_xcalloc(1, sizeof(*f));
	char *d;

	tu_mkdtemp(f->tmp);
	d = bs_xasprintf("%s/ws", f->tmp);
	assert_int_equal(mkdir(d, 0755), 0);
	f->root = realpath(d, NULL);
	assert_non_null(f->root);
	free(d);
	f->cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->cwd >= 0);
	unsetenv("BAOSONG_WORKSPACE");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	assert_int_equal(fchdir(f->cwd), 0);
	close(f->cwd);
	unsetenv("BAOSONG_WORKSPACE");
	tu_rm_rf(f->tmp);
	free(f->root);
	free(f);
	return 0;
}

#define MINIMAL "institution: {code: \"000001\", name: 示例财产保险股份有限公司}\n"

/* ---- find ---- */

static void
t_find_option(void **state)
{
	struct fx *f = *state;
	struct bs_err err = BS_ERR_INIT;
	char *root = NULL, *want;

	/* no baosong.yaml there */
	assert_int_equal(bs_workspace_find(f->root, &root, &err), -1);
	assert_int_equal(err.code, BS_EXIT_NOINPUT);
	want = bs_xasprintf("--workspace '%s' is not a workspace: no baosong.yaml there",
	    f->root);
	assert_string_equal(err.msg, want);
	free(want);
	assert_null(root);

	free(tu_write(f->root, "baosong.yaml", MINIMAL));
	assert_int_equal(bs_workspace_find(f->root, &root, &err), 0);
	assert_string_equal(root, f->root);
	free(root);
	/* a relative option comes back absolute */
	assert_int_equal(chdir(f->tmp), 0);
	assert_int_equal(bs_workspace_find("ws", &root, &err), 0);
	assert_string_equal(root, f->root);
	free(root);
	/* the option wins over the environment */
	setenv("BAOSONG_WORKSPACE", "/nonexistent", 1);
	assert_int_equal(bs_workspace_find(f->root, &root, &err), 0);
	assert_string_equal(root, f->root);
	free(root);
}

static void
t_find_env(void **state)
{
	struct fx *f = *state;
	struct bs_err err = BS_ERR_INIT;
	char *root = NULL, *want;

	free(tu_write(f->root, "baosong.yaml", MINIMAL));
	assert_int_equal(chdir("/"), 0);
	setenv("BAOSONG_WORKSPACE", f->root, 1);
	assert_int_equal(bs_workspace_find(NULL, &root, &err), 0);
	assert_string_equal(root, f->root);
	free(root);
	/* an empty option is no option */
	assert_int_equal(bs_workspace_find("", &root, &err), 0);
	assert_string_equal(root, f->root);
	free(root);
	root = NULL;
	setenv("BAOSONG_WORKSPACE", f->tmp, 1);
	assert_int_equal(bs_workspace_find(NULL, &root, &err), -1);
	assert_int_equal(err.code, BS_EXIT_NOINPUT);
	want = bs_xasprintf("BAOSONG_WORKSPACE '%s' is not a workspace: no baosong.yaml there",
	    f->tmp);
	assert_string_equal(err.msg, want);
	free(want);
	assert_null(root);
}

static void
t_find_walk_up(void **state)
{
	struct fx *f = *state;
	struct bs_err err = BS_ERR_INIT;
	char *root = NULL, *deep = bs_xasprintf("%s/a/b/c", f->root);

	free(tu_write(f->root, "baosong.yaml", MINIMAL));
	assert_int_equal(bs_mkdir_p(deep, 0755, &err), 0);
	assert_int_equal(chdir(deep), 0);
	assert_int_equal(bs_workspace_find(NULL, &root, &err), 0);
	assert_string_equal(root, f->root);
	free(root);
	/* from the root itself */
	assert_int_equal(chdir(f->root), 0);
	assert_int_equal(bs_workspace_find(NULL, &root, &err), 0);
	assert_string_equal(root, f->root);
	free(root);
	/* the nearest one wins */
	free(tu_write(f->root, "a/b/baosong.yaml", MINIMAL));
	assert_int_equal(chdir(deep), 0);
	assert_int_equal(bs_workspace_find(NULL, &root, &err), 0);
	free(deep);
	deep = bs_xasprintf("%s/a/b", f->root);
	assert_string_equal(root, deep);
	free(root);
	free(deep);
}

static void
t_find_none(void **state)
{
	struct fx *f = *state;
	struct bs_err err = BS_ERR_INIT;
	char *root = NULL;

	if (tu_exists("/baosong.yaml"))
		skip();
	assert_int_equal(chdir(f->root), 0);
	assert_int_equal(bs_workspace_find(NULL, &root, &err), 1);
	assert_null(root);
	assert_int_equal(err.code, 0);
	assert_int_equal(chdir("/"), 0);
	assert_int_equal(bs_workspace_find(NULL, &root, &err), 1);
	assert_null(root);
}

/* ---- load ---- */

static void
t_load_defaults(void **state)
{
	struct fx *f = *state;
	struct bs_workspace ws;
	struct bs_err err = BS_ERR_INIT;
	char *want;

	free(tu_write(f->root, "baosong.yaml", MINIMAL));
	if (bs_workspace_load(&ws, f->root, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(ws.root, f->root);
	want = bs_xasprintf("%s/baosong.yaml", f->root);
	assert_string_equal(ws.config, want);
	free(want);
	want = bs_xasprintf("%s/runs", f->root);
	assert_string_equal(ws.runs, want);
	free(want);
	assert_string_equal(ws.institution_code, "000001");
	assert_string_equal(ws.institution_name, "示例财产保险股份有限公司");
	assert_int_equal(ws.nconns, 0);
	assert_null(bs_workspace_conn(&ws, "demo"));
	/* the default tracking store: tracking.db in the workspace, created */
	assert_string_equal(ws.tracking.name, "tracking");
	want = bs_xasprintf("%s/tracking.db", f->root);
	assert_string_equal(ws.tracking.sqlite, want);
	free(want);
	assert_int_equal(ws.tracking.create, 1);
	assert_null(ws.tracking.dsn);
	assert_int_equal(ws.nreport_dirs, 1);
	want = bs_xasprintf("%s/rules", f->root);
	assert_string_equal(ws.report_dirs[0], want);
	free(want);
	assert_null(ws.calendar);
	bs_workspace_release(&ws);
	assert_null(ws.root);
	bs_workspace_release(&ws);
	bs_workspace_release(NULL);
}

static void
t_load_full(void **state)
{
	struct fx *f = *state;
	struct bs_workspace ws;
	struct bs_err err = BS_ERR_INIT;
	const struct bs_conn_conf *c;
	char *want;

	free(tu_write(f->root, "baosong.yaml",
	    MINIMAL
	    "connections:\n"
	    "  demo: {sqlite: data/demo.db}\n"
	    "  abs: {sqlite: /srv/x.db}\n"
	    "  core: {dsn: CORE_PG}\n"
	    "  pg:   {connect: \"Driver={PostgreSQL Unicode};Server=db;Uid=rpt\",\n"
	    "         password_env: BAOSONG_PG_PASSWORD}\n"
	    "  pf:   {dsn: X, password_file: secrets/pg.pw}\n"
	    "tracking: {sqlite: state/trk.db}\n"
	    "reports: [rules, /opt/more]\n"
	    "calendar: rules/ref/calendar-cn.csv\n"
	    "targets: {anything: here}\n"));
	if (bs_workspace_load(&ws, f->root, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(ws.nconns, 5);
	c = bs_workspace_conn(&ws, "demo");
	assert_non_null(c);
	assert_string_equal(c->name, "demo");
	want = bs_xasprintf("%s/data/demo.db", f->root);
	assert_string_equal(c->sqlite, want);	/* relative to the workspace */
	free(want);
	assert_int_equal(c->create, 0);
	assert_null(c->dsn);
	assert_null(c->connect);
	assert_string_equal(bs_workspace_conn(&ws, "abs")->sqlite, "/srv/x.db");
	c = bs_workspace_conn(&ws, "core");
	assert_string_equal(c->dsn, "CORE_PG");
	assert_null(c->sqlite);
	c = bs_workspace_conn(&ws, "pg");
	assert_string_equal(c->connect, "Driver={PostgreSQL Unicode};Server=db;Uid=rpt");
	assert_string_equal(c->password_env, "BAOSONG_PG_PASSWORD");
	assert_null(c->password_file);
	c = bs_workspace_conn(&ws, "pf");
	want = bs_xasprintf("%s/secrets/pg.pw", f->root);
	assert_string_equal(c->password_file, want);
	free(want);
	assert_null(bs_workspace_conn(&ws, "nope"));
	want = bs_xasprintf("%s/state/trk.db", f->root);
	assert_string_equal(ws.tracking.sqlite, want);
	free(want);
	assert_string_equal(ws.tracking.name, "tracking");
	assert_int_equal(ws.tracking.create, 1);
	assert_int_equal(ws.nreport_dirs, 2);
	want = bs_xasprintf("%s/rules", f->root);
	assert_string_equal(ws.report_dirs[0], want);
	free(want);
	assert_string_equal(ws.report_dirs[1], "/opt/more");
	want = bs_xasprintf("%s/rules/ref/calendar-cn.csv", f->root);
	assert_string_equal(ws.calendar, want);
	free(want);
	/* later sections stay in the tree */
	assert_non_null(bs_yaml_get(&ws.y, bs_yaml_root(&ws.y), "targets"));
	bs_workspace_release(&ws);
}

/* Load must fail with code 78 and "<root>/baosong.yaml<pos_msg>". */
static void
load_err(struct fx *f, const char *text, const char *pos_msg)
{
	struct bs_workspace ws;
	struct bs_err err = BS_ERR_INIT;
	char *want;

	free(tu_write(f->root, "baosong.yaml", text));
	if (bs_workspace_load(&ws, f->root, &err) != -1) {
		bs_workspace_release(&ws);
		fail_msg("loaded, but should fail with '%s':\n%s", pos_msg, text);
	}
	want = bs_xasprintf("%s/baosong.yaml%s", f->root, pos_msg);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	assert_null(ws.root);
	free(want);
}

static void
t_load_errors(void **state)
{
	struct fx *f = *state;
	struct bs_workspace ws;
	struct bs_err err = BS_ERR_INIT;
	char *want;

	load_err(f, "connections: {}\n", ":1:1: missing required key 'institution'");
	load_err(f, "institution: {code: \"1\"}\n", ":1:14: missing required key 'name'");
	load_err(f, "institution: {name: x}\n", ":1:14: missing required key 'code'");
	load_err(f, "institution: {code: '', name: x}\n", ":1:21: 'code' must not be empty");
	load_err(f, "institution: 000001\n",
	    ":1:14: 'institution' must be a mapping (key: value lines)");
	load_err(f, "institution: {code: \"1\", name: x, tel: 1}\n", ":1:35: unknown key 'tel'");
	load_err(f, MINIMAL "conections: {}\n", ":2:1: unknown key 'conections'");
	load_err(f, "", ": empty workspace configuration");
	/* exactly one of sqlite, dsn, connect */
	load_err(f, MINIMAL "connections:\n  x: {sqlite: a.db, dsn: X}\n",
	    ":3:6: connection 'x' needs exactly one of sqlite, dsn or connect");
	load_err(f, MINIMAL "connections:\n  x: {dsn: X, connect: \"DSN=X\"}\n",
	    ":3:6: connection 'x' needs exactly one of sqlite, dsn or connect");
	load_err(f, MINIMAL "connections:\n  x: {password_env: P}\n",
	    ":3:6: connection 'x' needs exactly one of sqlite, dsn or connect");
	load_err(f, MINIMAL "connections:\n  x: {}\n",
	    ":3:6: connection 'x' needs exactly one of sqlite, dsn or connect");
	load_err(f, MINIMAL "connections:\n  x: a.db\n",
	    ":3:6: a connection must be a mapping (key: value lines)");
	load_err(f, MINIMAL "connections:\n  x: {sqlite: a.db, user: u}\n",
	    ":3:21: unknown key 'user'");
	load_err(f, MINIMAL "connections:\n  x: {sqlite: [a.db]}\n",
	    ":3:15: 'sqlite' must be a single value");
	/* a password in a connection string is refused where it stands */
	load_err(f, MINIMAL "connections:\n  pg:\n    connect: \"Driver=X;Server=db;Uid=u;PWD=secret\"\n",
	    ":4:14: connection 'pg': the connection string holds a password; "
	    "name it with password_env or password_file instead");
	load_err(f, MINIMAL "connections:\n  pg: {connect: \"Server=db; Password = {se;cret}\"}\n",
	    ":3:17: connection 'pg': the connection string holds a password; "
	    "name it with password_env or password_file instead");
	load_err(f, MINIMAL "connections:\n  pg: {connect: \"server=db;pwd=x\"}\n",
	    ":3:17: connection 'pg': the connection string holds a password; "
	    "name it with password_env or password_file instead");
	load_err(f, MINIMAL "connections:\n  pg: {connect: \"Driver=X;Trusted;PWD=x\"}\n",
	    ":3:17: connection 'pg': the connection string holds a password; "
	    "name it with password_env or password_file instead");
	load_err(f, MINIMAL "connections:\n  pg: {dsn: X, password_env: A, password_file: b}\n",
	    ":3:7: connection 'pg': give password_env or password_file, not both");
	load_err(f, MINIMAL "connections:\n  s: {sqlite: a.db, password_env: A}\n",
	    ":3:6: connection 's': a SQLite file takes no password");
	load_err(f, MINIMAL "connections:\n  ? [a]\n  : {dsn: X}\n",
	    ":3:5: a connection name is a single word");
	load_err(f, MINIMAL "connections: [a]\n",
	    ":2:14: 'connections' must be a mapping (key: value lines)");
	load_err(f, MINIMAL "tracking: {sqlite: t.db, dsn: T}\n",
	    ":2:11: connection 'tracking' needs exactly one of sqlite, dsn or connect");
	load_err(f, MINIMAL "reports: rules\n", ":2:10: 'reports' must be a list");
	load_err(f, MINIMAL "reports: [{a: 1}]\n", ":2:11: 'reports' items must be folder names");
	load_err(f, MINIMAL "calendar: [a]\n", ":2:11: 'calendar' must be a single value");

	/* no baosong.yaml at all */
	tu_rm_rf(f->root);
	assert_int_equal(mkdir(f->root, 0755), 0);
	assert_int_equal(bs_workspace_load(&ws, f->root, &err), -1);
	assert_int_equal(err.code, BS_EXIT_NOINPUT);
	want = bs_xasprintf("cannot open '%s/baosong.yaml': No such file or directory", f->root);
	assert_string_equal(err.msg, want);
	free(want);
}

static void
t_paths(void **state)
{
	struct fx *f = *state;
	struct bs_err err = BS_ERR_INIT;
	char *p, *want;

	p = bs_path_join("/ws", "data/x.db");
	assert_string_equal(p, "/ws/data/x.db");
	free(p);
	p = bs_path_join("/ws", "/abs/x.db");
	assert_string_equal(p, "/abs/x.db");
	free(p);
	p = bs_path_join(NULL, "rel");
	assert_string_equal(p, "rel");
	free(p);
	p = bs_realpath(f->root, &err);
	assert_string_equal(p, f->root);
	free(p);
	want = bs_xasprintf("%s/missing", f->root);
	assert_null(bs_realpath(want, &err));
	assert_int_equal(err.code, BS_EXIT_NOINPUT);
	p = bs_xasprintf("cannot resolve '%s': No such file or directory", want);
	assert_string_equal(err.msg, p);
	free(p);
	free(want);
}

int
main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(t_find_option),
		T(t_find_env),
		T(t_find_walk_up),
		T(t_find_none),
		T(t_load_defaults),
		T(t_load_full),
		T(t_load_errors),
		T(t_paths),
	};

	return cmocka_run_group_tests_name("workspace", tests, NULL, NULL);
}
