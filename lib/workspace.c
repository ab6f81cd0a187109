#include "bs.h"
#include "workspace.h"
#include "odbc.h"

char *
bs_path_join(const char *base, const char *p)
{
	if (p[0] == '/' || !base)
		return bs_xstrdup(p);
	return bs_xasprintf("%s/%s", base, p);
}

char *
bs_realpath(const char *p, struct bs_err *err)
{
	char *r = realpath(p, NULL);

	if (!r) {
		bs_err_set(err, errno == ENOENT ? BS_EXIT_NOINPUT : BS_EXIT_IOERR,
		    "cannot resolve '%s': %s", p, strerror(errno));
		return NULL;
	}
	return r;
}

static int
has_config(const char *dir)
{
	char *p = bs_xasprintf("%s/baosong.yaml", dir);
	int ok = access(p, F_OK) == 0;

	free(p);
	return ok;
}

int
bs_workspace_find(const char *opt, char **root, struct bs_err *err)
{
	const char *given = opt && *opt ? opt : getenv("BAOSONG_WORKSPACE");
	const char *how = opt && *opt ? "--workspace" : "BAOSONG_WORKSPACE";
	char *dir, *slash;

	if (given && *given) {
		if (!has_config(given))
			return bs_err_set(err, BS_EXIT_NOINPUT,
			    "%s '%s' is not a workspace: no baosong.yaml there",
			    how, given);
		*root = bs_realpath(given, err);
		return *root ? 0 : -1;
	}
	dir = getcwd(NULL, 0);
	if (!dir)
		return bs_err_set(err, BS_EXIT_IOERR,
		    "cannot get the current directory: %s", strerror(errno));
	for (;;) {
		if (has_config(dir)) {
			*root = dir;
			return 0;
		}
		slash = strrchr(dir, '/');
		if (!slash || slash == dir) {
			if (slash && dir[1] != '\0') {
				dir[1] = '\0';
				continue;
			}
			break;
		}
		*slash = '\0';
	}
	free(dir);
	return 1;
}

void
bs_conn_conf_release(struct bs_conn_conf *c)
{
	if (!c)
		return;
	free(c->name);
	free(c->sqlite);
	free(c->dsn);
	free(c->connect);
	free(c->password_env);
	free(c->password_file);
	memset(c, 0, sizeof(*c));
}

static char *
dup_or_null(const char *s)
{
	return s ? bs_xstrdup(s) : NULL;
}

int
bs_conn_conf_parse(struct bs_yaml *y, yaml_node_t *map, const char *name,
    const char *base, struct bs_conn_conf *c, struct bs_err *err)
{
	static const char *const keys[] = { "sqlite", "dsn", "connect",
		"password_env", "password_file", "libpq", NULL };
	const char *sqlite = NULL, *dsn = NULL, *connect = NULL, *penv = NULL,
		   *pfile = NULL;
	int kinds, libpq = 1;

	memset(c, 0, sizeof(*c));
	if (bs_yaml_expect(y, map, YAML_MAPPING_NODE, "a connection", err) < 0 ||
	    bs_yaml_check_keys(y, map, keys, err) < 0 ||
	    bs_yaml_get_str(y, map, "sqlite", &sqlite, err) < 0 ||
	    bs_yaml_get_str(y, map, "dsn", &dsn, err) < 0 ||
	    bs_yaml_get_str(y, map, "connect", &connect, err) < 0 ||
	    bs_yaml_get_str(y, map, "password_env", &penv, err) < 0 ||
	    bs_yaml_get_str(y, map, "password_file", &pfile, err) < 0 ||
	    bs_yaml_get_bool(y, map, "libpq", &libpq, err) < 0)
		return -1;
	kinds = !!sqlite + !!dsn + !!connect;
	if (kinds != 1)
		return bs_yaml_error(y, map, err,
		    "connection '%s' needs exactly one of sqlite, dsn or connect",
		    name);
	if (connect && bs_connstr_has_password(connect))
		return bs_yaml_error(y, bs_yaml_get(y, map, "connect"), err,
		    "connection '%s': the connection string holds a password; "
		    "name it with password_env or password_file instead", name);
	if (penv && pfile)
		return bs_yaml_error(y, map, err,
		    "connection '%s': give password_env or password_file, not both",
		    name);
	if (sqlite && (penv || pfile))
		return bs_yaml_error(y, map, err,
		    "connection '%s': a SQLite file takes no password", name);
	c->name = bs_xstrdup(name);
	c->sqlite = sqlite ? bs_path_join(base, sqlite) : NULL;
	c->dsn = dup_or_null(dsn);
	c->connect = dup_or_null(connect);
	c->password_env = dup_or_null(penv);
	c->password_file = pfile ? bs_path_join(base, pfile) : NULL;
	c->no_libpq = !libpq;
	return 0;
}

static int
parse_config(struct bs_workspace *ws, struct bs_err *err)
{
	static const char *const top_keys[] = { "institution", "connections",
		"tracking", "reports", "calendar", "targets", "jobs", "filings",
		NULL };
	static const char *const inst_keys[] = { "code", "name", NULL };
	struct bs_yaml *y = &ws->y;
	yaml_node_t *root = bs_yaml_root(y), *inst, *conns, *trk, *reps;
	const char *s;
	size_t i;

	if (!root)
		return bs_yaml_error(y, NULL, err, "empty workspace configuration");
	if (bs_yaml_expect(y, root, YAML_MAPPING_NODE, "the workspace configuration", err) < 0 ||
	    bs_yaml_check_keys(y, root, top_keys, err) < 0)
		return -1;

	inst = bs_yaml_get(y, root, "institution");
	if (!inst)
		return bs_yaml_error(y, root, err, "missing required key 'institution'");
	if (bs_yaml_expect(y, inst, YAML_MAPPING_NODE, "'institution'", err) < 0 ||
	    bs_yaml_check_keys(y, inst, inst_keys, err) < 0 ||
	    bs_yaml_need_str(y, inst, "code", &s, err) < 0)
		return -1;
	ws->institution_code = bs_xstrdup(s);
	if (bs_yaml_need_str(y, inst, "name", &s, err) < 0)
		return -1;
	ws->institution_name = bs_xstrdup(s);

	conns = bs_yaml_get(y, root, "connections");
	if (conns) {
		if (bs_yaml_expect(y, conns, YAML_MAPPING_NODE, "'connections'", err) < 0)
			return -1;
		ws->nconns = bs_yaml_len(conns);
		ws->conns = bs_xcalloc(ws->nconns, sizeof(*ws->conns));
		for (i = 0; i < ws->nconns; i++) {
			yaml_node_t *k, *v;

			bs_yaml_pair(y, conns, i, &k, &v);
			if (!bs_yaml_str(k))
				return bs_yaml_error(y, k, err,
				    "a connection name is a single word");
			if (bs_conn_conf_parse(y, v, bs_yaml_str(k), ws->root,
			    &ws->conns[i], err) < 0)
				return -1;
		}
	}

	trk = bs_yaml_get(y, root, "tracking");
	if (trk) {
		if (bs_conn_conf_parse(y, trk, "tracking", ws->root, &ws->tracking, err) < 0)
			return -1;
	} else {
		ws->tracking.name = bs_xstrdup("tracking");
		ws->tracking.sqlite = bs_xasprintf("%s/tracking.db", ws->root);
	}
	ws->tracking.create = 1;

	reps = bs_yaml_get(y, root, "reports");
	if (reps) {
		if (bs_yaml_expect(y, reps, YAML_SEQUENCE_NODE, "'reports'", err) < 0)
			return -1;
		ws->nreport_dirs = bs_yaml_len(reps);
		ws->report_dirs = bs_xcalloc(ws->nreport_dirs, sizeof(char *));
		for (i = 0; i < ws->nreport_dirs; i++) {
			yaml_node_t *it = bs_yaml_item(y, reps, i);

			if (!bs_yaml_str(it))
				return bs_yaml_error(y, it, err, "'reports' items must be folder names");
			ws->report_dirs[i] = bs_path_join(ws->root, bs_yaml_str(it));
		}
	} else {
		ws->nreport_dirs = 1;
		ws->report_dirs = bs_xcalloc(1, sizeof(char *));
		ws->report_dirs[0] = bs_xasprintf("%s/rules", ws->root);
	}
	if (bs_yaml_get_str(y, root, "calendar", &s, err) < 0)
		return -1;
	if (bs_yaml_get(y, root, "calendar"))
		ws->calendar = bs_path_join(ws->root, s);
	return 0;
}

int
bs_workspace_load(struct bs_workspace *ws, const char *root, struct bs_err *err)
{
	memset(ws, 0, sizeof(*ws));
	ws->root = bs_xstrdup(root);
	ws->config = bs_xasprintf("%s/baosong.yaml", root);
	ws->runs = bs_xasprintf("%s/runs", root);
	if (bs_yaml_load(&ws->y, ws->config, err) < 0 || parse_config(ws, err) < 0) {
		bs_workspace_release(ws);
		return -1;
	}
	return 0;
}

void
bs_workspace_release(struct bs_workspace *ws)
{
	size_t i;

	if (!ws)
		return;
	for (i = 0; i < ws->nconns; i++)
		bs_conn_conf_release(&ws->conns[i]);
	free(ws->conns);
	bs_conn_conf_release(&ws->tracking);
	for (i = 0; i < ws->nreport_dirs; i++)
		free(ws->report_dirs[i]);
	free(ws->report_dirs);
	free(ws->root);
	free(ws->config);
	free(ws->runs);
	free(ws->institution_code);
	free(ws->institution_name);
	free(ws->calendar);
	bs_yaml_free(&ws->y);
	memset(ws, 0, sizeof(*ws));
}

const struct bs_conn_conf *
bs_workspace_conn(const struct bs_workspace *ws, const char *name)
{
	size_t i;

	for (i = 0; ws && i < ws->nconns; i++)
		if (!strcmp(ws->conns[i].name, name))
			return &ws->conns[i];
	return NULL;
}

int
bs_workspace_open(struct bs_workspace *ws, const char *opt, struct bs_err *err)
{
	char *root = NULL;
	int rc = bs_workspace_find(opt, &root, err);

	memset(ws, 0, sizeof(*ws));
	if (rc != 0)
		return rc;
	rc = bs_workspace_load(ws, root, err);
	free(root);
	return rc;
}
