/*
 * workspace.h - the workspace: a directory holding baosong.yaml and runs/.
 *
 * Found from --workspace, else $BAOSONG_WORKSPACE, else by walking up from
 * the current directory to the first directory holding baosong.yaml (as git
 * finds .git).  baosong.yaml (see docs/baosong-workspace.5):
 *
 *	institution: {code: "000001", name: 示例财产保险股份有限公司}
 *	connections:
 *	  demo: {sqlite: data/demo.db}
 *	  core: {dsn: CORE_PG}                      # password stays in odbc.ini
 *	  pg:   {connect: "Driver={PostgreSQL Unicode};Server=...;Uid=rpt",
 *	         password_env: BAOSONG_PG_PASSWORD}  # or password_file: path
 *	tracking: {sqlite: tracking.db}             # the default
 *	reports: [rules]
 *	calendar: rules/ref/calendar-cn.csv
 *
 * A password is never written in baosong.yaml: a connection string that
 * holds one is refused (78).
 */
#ifndef BS_WORKSPACE_H
#define BS_WORKSPACE_H

#include "yamldoc.h"

/* How to reach one database; strings owned by the workspace. */
struct bs_conn_conf {
	char *name;		/* connection name ("demo"), or "tracking" */
	char *sqlite;		/* absolute path of a SQLite file, or NULL */
	char *dsn;		/* odbc.ini data source name, or NULL */
	char *connect;		/* a connection string without password, or NULL */
	char *password_env;	/* environment variable holding the password */
	char *password_file;	/* absolute path of a file holding it (0600) */
	int create;		/* SQLite: create the file if missing (tracking) */
	int no_libpq;		/* "libpq: false": PostgreSQL results through ODBC only */
};

struct bs_workspace {
	char *root;		/* absolute path */
	char *config;		/* root/baosong.yaml */
	char *runs;		/* root/runs */
	char *institution_code;
	char *institution_name;
	struct bs_conn_conf *conns;
	size_t nconns;
	struct bs_conn_conf tracking;
	char **report_dirs;	/* absolute */
	size_t nreport_dirs;
	char *calendar;		/* absolute path or NULL */
	struct bs_yaml y;	/* kept: later sections (targets, jobs) */
};

/*
 * Find the workspace root: option (may be NULL), then the environment,
 * then walking up from the current directory.  Returns 0 and a malloc'd
 * absolute *root, 1 when none was found (not an error for ad-hoc use), or
 * -1 with err when --workspace or BAOSONG_WORKSPACE names a directory
 * without baosong.yaml (66).
 */
int bs_workspace_find(const char *opt, char **root, struct bs_err *err);

/*
 * Find and load in one step: 0 loaded, 1 no workspace found (ws left
 * zeroed; fine for ad-hoc use), -1 with err.
 */
int bs_workspace_open(struct bs_workspace *ws, const char *opt,
    struct bs_err *err);

/* Load root/baosong.yaml; -1 with a located error (78) when malformed. */
int bs_workspace_load(struct bs_workspace *ws, const char *root,
    struct bs_err *err);
void bs_workspace_release(struct bs_workspace *ws);

/* The named connection, or NULL. */
const struct bs_conn_conf *bs_workspace_conn(const struct bs_workspace *ws,
    const char *name);

/*
 * Parse one connection mapping (used for connections.* and tracking).
 * base: directory relative paths are resolved against.
 */
int bs_conn_conf_parse(struct bs_yaml *y, yaml_node_t *map, const char *name,
    const char *base, struct bs_conn_conf *c, struct bs_err *err);
void bs_conn_conf_release(struct bs_conn_conf *c);

/* Absolute path of p relative to base (malloc'd); p returned copied if absolute. */
char *bs_path_join(const char *base, const char *p);
/* realpath() that reports through err (66 when missing). */
char *bs_realpath(const char *p, struct bs_err *err);

#endif
