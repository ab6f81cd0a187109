/*
 * baosong-extract - run parameterised SQL over ODBC and stream the rows to
 * CSV in a new run directory, with a manifest an auditor can trace.
 */
#include "bs.h"
#include "fetch.h"
#include "json.h"
#include "manifest.h"
#include "ofile.h"
#include "odbc.h"
#include "report.h"
#include "rundir.h"
#include "stage.h"
#include "sha256.h"
#include "track.h"
#include "workspace.h"

#include <getopt.h>

static const char usage_text[] =
    "usage: baosong-extract (--dsn NAME | --connect STRING | --connection NAME)\n"
    "                       --query FILE.sql [--param NAME=VALUE]... [--out DIR]\n"
    "       baosong-extract --report REPORT --param period=YYYY-MM [--table NAME]...\n"
    "                       [--connection NAME] [--out DIR]\n"
    "       baosong-extract --rerun RUN_ID [--param NAME=VALUE]...\n"
    "                       [--accept-changed-query] [--out DIR]\n"
    "common options: [--workspace DIR] [--odbc-only] [-v]... [-q] [--help] [--version]\n";

struct query {
	char *table;		/* output name: <table>.csv */
	char *file;		/* absolute path of the SQL file */
	char *sql;		/* its text */
	char sha256[BS_SHA256_HEX];
	const char *recorded_sha;	/* rerun: the hash in the old manifest */
	const struct bs_report_table *t;
	/* results */
	struct fetch_stats st;
	char out_sha[BS_SHA256_HEX];
	unsigned long long bytes;
	struct fetch_colinfo *cols;
	size_t ncols;
};

struct opts {
	const char *dsn, *connect, *connection, *query, *report, *out, *workspace;
	const char *rerun;
	char **tables;
	size_t ntables;
	int accept_changed;
	int odbc_only;		/* PostgreSQL results through ODBC, not libpq */
	struct bs_params params;
};

struct ctx {
	struct opts *o;
	struct bs_stage stage;	/* workspace, report, filing, run, tracking */
	struct query *q;
	size_t nq;
	struct bs_jval *old;	/* rerun: the old manifest */
	char *old_dir;
	char old_manifest_sha[BS_SHA256_HEX];
	struct bs_db db;
	char manifest_sha[BS_SHA256_HEX];
	const char *conn_name;
};

static int
usage(int rc)
{
	fputs(usage_text, rc ? stderr : stdout);
	if (!rc)
		fputs("\nSee baosong-extract(1).\n", stdout);
	return rc;
}

static int
read_text(const char *path, char **out, struct bs_err *err)
{
	struct bs_buf b = BS_BUF_INIT(16u << 20);
	char chunk[8192];
	size_t n;
	FILE *fp = fopen(path, "rb");

	if (!fp)
		return bs_err_set(err, errno == ENOENT ? BS_EXIT_NOINPUT : BS_EXIT_IOERR,
		    "cannot open query file '%s': %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (bs_buf_add(&b, chunk, n) < 0) {
			fclose(fp);
			bs_buf_release(&b);
			return bs_err_set(err, BS_EXIT_DATAERR, "query file '%s' is over 16 MiB",
			    path);
		}
	if (ferror(fp)) {
		fclose(fp);
		bs_buf_release(&b);
		return bs_err_set(err, BS_EXIT_IOERR, "cannot read '%s': %s", path,
		    strerror(errno));
	}
	fclose(fp);
	*out = bs_buf_detach(&b, NULL);
	return 0;
}

static char *
base_noext(const char *path)
{
	const char *b = strrchr(path, '/');
	const char *dot;

	b = b ? b + 1 : path;
	dot = strrchr(b, '.');
	return dot && dot != b ? bs_xstrndup(b, (size_t)(dot - b)) : bs_xstrdup(b);
}

static void
add_query(struct ctx *c, const char *table, const char *file,
    const struct bs_report_table *t)
{
	struct query *q;

	c->q = bs_xreallocarray(c->q, c->nq + 1, sizeof(*c->q));
	q = &c->q[c->nq++];
	memset(q, 0, sizeof(*q));
	q->table = bs_xstrdup(table);
	q->file = bs_xstrdup(file);
	q->t = t;
}

/* --rerun: take report/query, tables, params and source from a manifest. */
static int
load_rerun(struct ctx *c, struct bs_err *err)
{
	struct opts *o = c->o;
	const struct bs_jval *qs, *ps, *src;
	char *mf;
	size_t i;

	if (strchr(o->rerun, '/'))
		c->old_dir = bs_xstrdup(o->rerun);
	else if (c->stage.have_ws)
		c->old_dir = bs_xasprintf("%s/%s", c->stage.ws.runs, o->rerun);
	else
		return bs_err_set(err, BS_EXIT_USAGE,
		    "--rerun %s: no workspace found to look the run up in "
		    "(give --workspace, or the run directory's path)", o->rerun);
	mf = bs_xasprintf("%s/manifest.json", c->old_dir);
	if (access(mf, F_OK) != 0) {
		free(mf);
		return bs_err_set(err, BS_EXIT_NOINPUT,
		    "--rerun %s: no finished run there ('%s' has no manifest.json)",
		    o->rerun, c->old_dir);
	}
	if (bs_sha256_file(mf, c->old_manifest_sha, NULL, err) < 0 ||
	    bs_json_load(mf, &c->old, err) < 0) {
		free(mf);
		return -1;
	}
	free(mf);
	if (!bs_jget_str(c->old, "program") ||
	    strcmp(bs_jget_str(c->old, "program"), "baosong-extract") != 0)
		return bs_err_set(err, BS_EXIT_DATAERR,
		    "--rerun %s: not a run of baosong-extract", o->rerun);
	/* parameters: the old explicit ones, overridden by the command line */
	ps = bs_jget(c->old, "params");
	for (i = 0; ps && ps->type == BS_JOBJ && i < ps->n; i++)
		if (!bs_params_get(&o->params, ps->keys[i]) && bs_jstr(&ps->items[i]))
			bs_params_set(&o->params, ps->keys[i], ps->items[i].s, BS_P_TEXT, 1);
	src = bs_jget(c->old, "source");
	if (!o->connection && !o->dsn && !o->connect) {
		o->connection = bs_jget_str(src, "connection");
		o->dsn = o->connection ? NULL : bs_jget_str(src, "dsn");
		o->connect = o->connection || o->dsn ? NULL : bs_jget_str(src, "connect");
	}
	if (bs_jget(c->old, "report") && bs_jget(c->old, "report")->type == BS_JOBJ)
		o->report = bs_jget_str(bs_jget(c->old, "report"), "path");
	qs = bs_jget(c->old, "queries");
	if (!qs || qs->type != BS_JARR || !qs->n)
		return bs_err_set(err, BS_EXIT_DATAERR,
		    "--rerun %s: the manifest lists no queries", o->rerun);
	if (!o->report)
		o->query = bs_jget_str(&qs->items[0], "file");
	return 0;
}

static const char *
recorded_sha(struct ctx *c, const char *table)
{
	const struct bs_jval *qs = bs_jget(c->old, "queries");
	size_t i;

	for (i = 0; qs && i < qs->n; i++) {
		const char *t = bs_jget_str(&qs->items[i], "table");

		if (t && !strcmp(t, table))
			return bs_jget_str(&qs->items[i], "query_sha256");
	}
	return NULL;
}

static int
plan(struct ctx *c, struct bs_err *err)
{
	struct opts *o = c->o;
	size_t i, j;

	if (o->report) {
		if (bs_report_load(&c->stage.report, o->report, c->stage.have_ws ? &c->stage.ws : NULL, err) < 0)
			return -1;
		c->stage.have_report = 1;
		if (c->old) {
			/* the same tables as the run being re-executed */
			const struct bs_jval *qs = bs_jget(c->old, "queries");

			for (i = 0; qs && i < qs->n; i++) {
				const char *tn = bs_jget_str(&qs->items[i], "table");
				const struct bs_report_table *t =
				    tn ? bs_report_table(&c->stage.report, tn) : NULL;

				if (!t)
					return bs_err_set(err, BS_EXIT_CONFIG,
					    "--rerun: table '%s' is no longer in report '%s'",
					    tn ? tn : "?", c->stage.report.name);
				add_query(c, t->name, t->query, t);
			}
		} else if (o->ntables) {
			for (i = 0; i < o->ntables; i++) {
				const struct bs_report_table *t =
				    bs_report_table(&c->stage.report, o->tables[i]);

				if (!t)
					return bs_err_set(err, BS_EXIT_USAGE,
					    "report '%s' has no table '%s'", c->stage.report.name,
					    o->tables[i]);
				for (j = 0; j < c->nq; j++)
					if (!strcmp(c->q[j].table, t->name))
						return bs_err_set(err, BS_EXIT_USAGE,
						    "--table %s is given twice", t->name);
				add_query(c, t->name, t->query, t);
			}
		} else {
			for (i = 0; i < c->stage.report.ntables; i++)
				add_query(c, c->stage.report.tables[i].name,
				    c->stage.report.tables[i].query, &c->stage.report.tables[i]);
		}
		if (!o->connection && !o->dsn && !o->connect)
			o->connection = c->stage.report.connection;
	} else {
		char *abs, *name;

		abs = realpath(o->query, NULL);
		if (!abs)
			return bs_err_set(err, errno == ENOENT ? BS_EXIT_NOINPUT : BS_EXIT_IOERR,
			    "cannot open query file '%s': %s", o->query, strerror(errno));
		name = base_noext(abs);
		add_query(c, name, abs, NULL);
		free(name);
		free(abs);
	}
	for (i = 0; i < c->nq; i++) {
		struct query *q = &c->q[i];
		struct bs_sql_named nm;

		if (read_text(q->file, &q->sql, err) < 0)
			return -1;
		bs_sha256_hex(q->sql, strlen(q->sql), q->sha256);
		if (c->old) {
			q->recorded_sha = recorded_sha(c, q->table);
			if (q->recorded_sha && strcmp(q->recorded_sha, q->sha256) != 0) {
				if (!o->accept_changed)
					return bs_err_set(err, BS_EXIT_DATAERR,
					    "query file '%s' has changed since run %s (SHA-256 "
					    "%.12s… then, %.12s… now); re-running it would not "
					    "reproduce that run; give --accept-changed-query to "
					    "run the new text anyway", q->file, o->rerun,
					    q->recorded_sha, q->sha256);
				bs_warn("query file '%s' has changed since run %s; running "
				    "the new text as asked", q->file, o->rerun);
			}
		}
		if (bs_sql_named_parse(q->sql, &nm, err) < 0)
			return bs_err_prefix(err, "%s", q->file);
		for (j = 0; j < nm.nparams; j++) {
			struct bs_param *p = bs_params_get(&o->params, nm.names[j]);

			if (p)
				p->used = 1;
		}
		bs_sql_named_release(&nm);
	}
	/* types, derived parameters; then: every given parameter is used */
	if (bs_report_resolve_params(c->stage.have_report ? &c->stage.report : NULL, &o->params,
	    c->stage.have_ws ? &c->stage.ws : NULL, err) < 0)
		return -1;
	for (i = 0; i < o->params.n; i++) {
		struct bs_param *p = &o->params.v[i];

		if (p->given && !p->used && !(c->stage.have_report &&
		    bs_params_get(&c->stage.report.params, p->name)))
			return bs_err_set(err, BS_EXIT_USAGE,
			    "--param %s is not used by %s", p->name,
			    c->nq == 1 ? c->q[0].file : "any of the queries");
	}
	for (i = 0; i < c->nq; i++) {
		struct bs_sql_named nm;

		bs_sql_named_parse(c->q[i].sql, &nm, err);
		for (j = 0; j < nm.nparams; j++)
			if (!bs_params_get(&o->params, nm.names[j])) {
				bs_err_set(err, BS_EXIT_USAGE,
				    "%s uses parameter ':%s' but no --param %s=... was given",
				    c->q[i].file, nm.names[j], nm.names[j]);
				bs_sql_named_release(&nm);
				return -1;
			}
		bs_sql_named_release(&nm);
	}
	if (c->stage.have_report) {
		struct bs_param *p = bs_params_get(&o->params, "period");

		if (p) {
			c->stage.period = bs_xstrdup(p->value);
			c->stage.filing = bs_xasprintf("%s/%s", c->stage.report.name, p->value);
		}
	}
	return 0;
}

static int
connect_source(struct ctx *c, struct bs_err *err)
{
	struct opts *o = c->o;

	if (o->connection) {
		const struct bs_conn_conf *cc;

		if (!c->stage.have_ws)
			return bs_err_set(err, BS_EXIT_USAGE,
			    "--connection %s: no workspace found (give --workspace)",
			    o->connection);
		cc = bs_workspace_conn(&c->stage.ws, o->connection);
		if (!cc)
			return bs_err_set(err, BS_EXIT_CONFIG,
			    "connection '%s' is not defined in %s", o->connection,
			    c->stage.ws.config);
		c->conn_name = o->connection;
		return bs_db_connect(&c->db, cc, err);
	}
	if (o->dsn) {
		char *s, *label;
		int rc;

		if (strpbrk(o->dsn, ";={}"))
			return bs_err_set(err, BS_EXIT_USAGE,
			    "--dsn wants a data source name from odbc.ini; use --connect "
			    "for a connection string");
		s = bs_xasprintf("DSN=%s", o->dsn);
		label = bs_xasprintf("DSN '%s'", o->dsn);
		rc = bs_db_connect_str(&c->db, s, NULL, label, 1, err);
		free(s);
		free(label);
		return rc;
	}
	if (o->connect)
		return bs_db_connect_str(&c->db, o->connect, NULL, "the data source", 1, err);
	return bs_err_set(err, BS_EXIT_USAGE,
	    "no data source: give --dsn, --connect or --connection%s",
	    c->stage.have_report ? ", or set connection: in the report definition" : "");
}

static void
params_json(struct bs_json *j, const struct bs_params *p, int given)
{
	size_t i;

	bs_json_obj_begin(j);
	for (i = 0; i < p->n; i++)
		if (p->v[i].given == given)
			bs_json_kv_str(j, p->v[i].name, p->v[i].value);
	bs_json_obj_end(j);
}

static char *
given_params_text(const struct bs_params *p)
{
	struct bs_buf b = BS_BUF_INIT(0);
	struct bs_json j;

	bs_json_init(&j, &b);
	params_json(&j, p, 1);
	while (b.len && b.buf[b.len - 1] == '\n')
		b.buf[--b.len] = '\0';
	return bs_buf_detach(&b, NULL);
}

static int
write_manifest(struct ctx *c, struct bs_err *err)
{
	struct bs_buf b = BS_BUF_INIT(0);
	struct bs_json j;
	size_t i;
	int rc;

	bs_json_init(&j, &b);
	bs_json_obj_begin(&j);
	bs_manifest_head(&j, "baosong-extract", &c->stage.run, c->stage.have_ws ? c->stage.ws.root : NULL,
	    c->stage.filing, c->stage.have_report ? &c->stage.report : NULL);
	bs_json_key(&j, "params");
	params_json(&j, &c->o->params, 1);
	bs_json_key(&j, "derived_params");
	params_json(&j, &c->o->params, 0);
	bs_json_key(&j, "source");
	bs_json_obj_begin(&j);
	bs_json_kv_str(&j, "connection", c->conn_name);
	bs_json_kv_str(&j, "dsn", c->conn_name ? NULL : c->o->dsn);
	bs_json_kv_str(&j, "connect", c->db.source);
	bs_json_kv_str(&j, "dbms", c->db.dbms);
	bs_json_kv_str(&j, "driver", c->db.driver);
	bs_json_obj_end(&j);
	bs_json_key(&j, "rerun_of");
	if (c->old) {
		bs_json_obj_begin(&j);
		bs_json_kv_str(&j, "run_id", bs_jget_str(c->old, "run_id"));
		bs_json_kv_str(&j, "manifest_sha256", c->old_manifest_sha);
		bs_json_obj_end(&j);
	} else {
		bs_json_null(&j);
	}
	bs_json_key(&j, "queries");
	bs_json_arr_begin(&j);
	for (i = 0; i < c->nq; i++) {
		struct query *q = &c->q[i];

		bs_json_obj_begin(&j);
		bs_json_kv_str(&j, "table", q->table);
		bs_json_kv_str(&j, "file", q->file);
		bs_json_kv_str(&j, "query_sha256", q->sha256);
		{
			char *name = bs_xasprintf("%s.csv", q->table);
			size_t k;

			bs_json_kv_str(&j, "output", name);
			free(name);
			bs_json_key(&j, "columns");
			bs_json_arr_begin(&j);
			for (k = 0; k < q->ncols; k++) {
				const struct fetch_colinfo *ci = &q->cols[k];

				bs_json_obj_begin(&j);
				bs_json_kv_str(&j, "name", ci->name);
				bs_json_kv_str(&j, "type", ci->type);
				bs_json_kv_uint(&j, "size", ci->size);
				bs_json_kv_int(&j, "digits", ci->digits);
				if (ci->scale >= 0)
					bs_json_kv_int(&j, "scale", ci->scale);
				bs_json_obj_end(&j);
			}
			bs_json_arr_end(&j);
		}
		bs_json_kv_uint(&j, "rows", q->st.rows);
		bs_json_kv_str(&j, "fetched_by", q->st.via ? q->st.via : "odbc");
		bs_json_kv_bool(&j, "bulk_fetch", q->st.bulk);
		bs_json_obj_end(&j);
	}
	bs_json_arr_end(&j);
	bs_json_key(&j, "outputs");
	bs_json_arr_begin(&j);
	for (i = 0; i < c->nq; i++) {
		struct query *q = &c->q[i];
		char *name = bs_xasprintf("%s.csv", q->table);

		bs_json_obj_begin(&j);
		bs_json_kv_str(&j, "name", name);
		bs_json_kv_uint(&j, "rows", q->st.rows);
		bs_json_kv_uint(&j, "bytes", q->bytes);
		bs_json_kv_str(&j, "sha256", q->out_sha);
		bs_json_obj_end(&j);
		free(name);
	}
	bs_json_arr_end(&j);
	bs_json_key(&j, "outcome");
	bs_json_obj_begin(&j);
	bs_json_kv_str(&j, "status", "ok");
	bs_json_kv_int(&j, "exit_code", 0);
	bs_json_obj_end(&j);
	bs_json_obj_end(&j);

	rc = bs_run_write_file(&c->stage.run, "manifest.json", &b, c->manifest_sha, NULL, err);
	bs_buf_release(&b);
	return rc;
}

static int
extract_all(struct ctx *c, struct bs_err *err)
{
	size_t i;

	for (i = 0; i < c->nq; i++) {
		struct query *q = &c->q[i];
		char *name = bs_xasprintf("%s.csv", q->table);
		char *path = bs_run_path(&c->stage.run, name);
		struct bs_ofile out;
		int rc;

		free(name);
		rc = bs_ofile_open(&out, path, BS_OFILE_EXCL, err);
		free(path);
		if (rc < 0)
			return -1;
		rc = fetch_to_csv(&c->db, q->sql, &c->o->params, q->t, q->file, &out,
		    &q->cols, &q->ncols, &q->st, err);
		if (rc < 0) {
			bs_ofile_abort(&out);
			return -1;
		}
		q->bytes = out.bytes;
		if (bs_ofile_commit(&out, err) < 0)
			return -1;
		memcpy(q->out_sha, out.sha256, sizeof(q->out_sha));
		bs_info("%-16s %10llu rows %12llu bytes  %.2f s%s", q->table, q->st.rows,
		    q->bytes, q->st.seconds, q->st.bulk ? "" : "  (row by row)");
	}
	return 0;
}

static int
run_extract(struct ctx *c, struct bs_err *err)
{
	struct opts *o = c->o;
	char *ptext;
	int rc;

	rc = bs_workspace_open(&c->stage.ws, o->workspace, err);
	if (rc < 0)
		return -1;
	c->stage.have_ws = rc == 0;
	if (o->rerun && load_rerun(c, err) < 0)
		return -1;
	if (plan(c, err) < 0)
		return -1;
	if (bs_stage_need_dir(&c->stage, o->out, err) < 0)
		return -1;
	if (connect_source(c, err) < 0)
		return -1;
	if (o->odbc_only)
		bs_db_drop_pq(&c->db);
	if (c->db.kind == BS_DB_POSTGRES && !c->db.pq_conninfo &&
	    strstr(c->db.source, "UseDeclareFetch=0"))
		bs_warn("UseDeclareFetch=0: the PostgreSQL driver will hold whole "
		    "results in memory");
	ptext = c->stage.have_ws ? given_params_text(&o->params) : NULL;
	rc = bs_stage_begin(&c->stage, "baosong-extract", o->out, ptext,
	    c->old ? bs_jget_str(c->old, "run_id") : NULL, err);
	free(ptext);
	if (rc < 0)
		return -1;
	if (extract_all(c, err) < 0 || write_manifest(c, err) < 0 ||
	    bs_run_finish(&c->stage.run, err) < 0 ||
	    bs_stage_end(&c->stage, 0, c->manifest_sha, err) < 0)
		return -1;
	printf("%s\n", c->stage.run.final);
	return 0;
}

static void
ctx_release(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->nq; i++) {
		free(c->q[i].table);
		free(c->q[i].file);
		free(c->q[i].sql);
		free(c->q[i].cols);
	}
	free(c->q);
	bs_db_close(&c->db);
	bs_jval_free(c->old);
	free(c->old_dir);
	bs_stage_release(&c->stage);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dsn", required_argument, NULL, 'D' },
		{ "connect", required_argument, NULL, 'C' },
		{ "connection", required_argument, NULL, 'N' },
		{ "query", required_argument, NULL, 'Q' },
		{ "report", required_argument, NULL, 'R' },
		{ "table", required_argument, NULL, 'T' },
		{ "param", required_argument, NULL, 'p' },
		{ "out", required_argument, NULL, 'o' },
		{ "workspace", required_argument, NULL, 'W' },
		{ "rerun", required_argument, NULL, 'r' },
		{ "accept-changed-query", no_argument, NULL, 'A' },
		{ "odbc-only", no_argument, NULL, 'O' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o;
	struct ctx c;
	struct bs_err err = BS_ERR_INIT;
	int ch, level = BS_LOG_WARN, rc = 0, modes;

	bs_log_init(argv[0]);
	memset(&o, 0, sizeof(o));
	memset(&c, 0, sizeof(c));
	c.o = &o;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "vqh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'D': o.dsn = optarg; break;
		case 'C': o.connect = optarg; break;
		case 'N': o.connection = optarg; break;
		case 'Q': o.query = optarg; break;
		case 'R': o.report = optarg; break;
		case 'T':
			o.tables = bs_xreallocarray(o.tables, o.ntables + 1, sizeof(char *));
			o.tables[o.ntables++] = optarg;
			break;
		case 'p':
			if (bs_params_parse_arg(&o.params, optarg, &err) < 0) {
				rc = bs_report(&err);
				goto out;
			}
			break;
		case 'o': o.out = optarg; break;
		case 'W': o.workspace = optarg; break;
		case 'r': o.rerun = optarg; break;
		case 'A': o.accept_changed = 1; break;
		case 'O': o.odbc_only = 1; break;
		case 'v': level++; break;
		case 'q': level = BS_LOG_ERROR; break;
		case 'h': rc = usage(0); goto out;
		case 'V': printf("baosong-extract %s\n", BS_VERSION); goto out;
		default:
			bs_error("unknown or incomplete option '%s'", argv[optind - 1]);
			rc = usage(BS_EXIT_USAGE);
			goto out;
		}
	}
	bs_log_set_level(level);
	if (optind < argc) {
		bs_error("unexpected argument '%s'", argv[optind]);
		rc = usage(BS_EXIT_USAGE);
		goto out;
	}
	modes = !!o.query + !!o.report + !!o.rerun;
	if (modes != 1) {
		bs_error(modes ? "give only one of --query, --report and --rerun" :
		    "give --query, --report or --rerun");
		rc = usage(BS_EXIT_USAGE);
		goto out;
	}
	if (!!o.dsn + !!o.connect + !!o.connection > 1) {
		bs_error("give only one of --dsn, --connect and --connection");
		rc = usage(BS_EXIT_USAGE);
		goto out;
	}
	if (o.ntables && !o.report) {
		bs_error("--table goes with --report");
		rc = usage(BS_EXIT_USAGE);
		goto out;
	}
	if (o.connect && bs_connstr_has_password(o.connect)) {
		/* before anything else: the line must not go any further */
		bs_error("refusing a password on the command line (it would show in "
		    "ps and shell history); put it in odbc.ini, or name it in the "
		    "workspace with password_env or password_file");
		rc = BS_EXIT_USAGE;
		goto out;
	}
	if (o.accept_changed && !o.rerun) {
		bs_error("--accept-changed-query goes with --rerun");
		rc = usage(BS_EXIT_USAGE);
		goto out;
	}
	if (run_extract(&c, &err) < 0) {
		rc = bs_report(&err);
		bs_stage_fail(&c.stage, rc, err.msg);
	} else {
		rc = bs_close_stdout(0);
	}
out:
	ctx_release(&c);
	bs_params_release(&o.params);
	free(o.tables);
	return rc;
}
