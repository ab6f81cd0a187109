/*
 * baosong-transform - write the regulator's interface files from the
 * validated CSVs, as a layout describes them, leaving out the records
 * reviewers excluded, and refusing anything the regulator could misread.
 */
#include "bs.h"
#include "date.h"
#include "emit.h"
#include "input.h"
#include "json.h"
#include "layout.h"
#include "manifest.h"
#include "ofile.h"
#include "report.h"
#include "review.h"
#include "rundir.h"
#include "stage.h"
#include "sha256.h"
#include "track.h"
#include "workspace.h"

#include <dirent.h>
#include <getopt.h>

static const char usage_text[] =
    "usage: baosong-transform --layout FILE --in RUN_DIR [--out DIR] [--check]\n"
    "       baosong-transform --filing REPORT/PERIOD [--report REPORT]\n"
    "                         [--layout FILE] [--out DIR] [--check]\n"
    "common options: [--max-problems N] [--workspace DIR] [-v]... [-q]\n"
    "                [--help] [--version]\n";

struct opts {
	const char *layout, *in, *report, *filing, *out, *workspace;
	int check;
	unsigned long max_problems;
};

/* Excluded records of one table. */
struct excl_table {
	char *table;
	struct tf_excl x;
};

/* What a table's rule file says about it: its key and column types. */
struct rule_table {
	char *table;
	char *file;
	char **key;
	size_t nkey;
	char **col, **decl;
	size_t ncol;
};

struct ctx {
	struct opts *o;
	struct bs_stage stage;	/* workspace, report, filing, run, tracking */
	struct tf_input in;
	int have_in;
	struct bs_validation val;	/* --filing: its latest validation */
	int have_val;
	struct rule_table *rt;
	size_t nrt;
	int approved;		/* bs_review_is_approved() said yes */
	char *approval_note;
	struct bs_layout layout;
	int have_layout;
	char *layout_path;
	struct excl_table *ex;
	size_t nex;
	unsigned long long nexcluded_rows;	/* rows in bs_disposition */
	struct tf_job *jobs;
	size_t njobs;
	struct tf_run tr;
	char manifest_sha[BS_SHA256_HEX];
};

static int
usage(int rc)
{
	fputs(usage_text, rc ? stderr : stdout);
	if (!rc)
		fputs("\nSee baosong-transform(1) and baosong-layout(5).\n", stdout);
	return rc;
}

/* ------------------------------------------------------------------ inputs */

static int
load_workspace(struct ctx *c, struct bs_err *err)
{
	int rc = bs_workspace_open(&c->stage.ws, c->o->workspace, err);

	if (rc < 0)
		return -1;
	c->stage.have_ws = rc == 0;
	return 0;
}

static int
find_input(struct ctx *c, struct bs_err *err)
{
	struct opts *o = c->o;

	if (o->in) {
		if (tf_input_load(&c->in, o->in, err) < 0)
			return -1;
		c->have_in = 1;
		return 0;
	}
	if (!c->stage.have_ws)
		return bs_err_set(err, BS_EXIT_USAGE,
		    "--filing %s: no workspace found to look its runs up in (give "
		    "--workspace DIR, or --in RUN_DIR)", o->filing);
	if (bs_track_open(&c->stage.track, &c->stage.ws.tracking, err) < 0)
		return -1;
	/* 66 when the filing was never validated */
	if (bs_review_latest_validation(&c->stage.track, o->filing, &c->val, err) < 0)
		return -1;
	c->have_val = 1;
	if (tf_input_load(&c->in, c->val.run_dir, err) < 0)
		return -1;
	c->have_in = 1;
	bs_info("input: validation run %s", c->val.run_id);
	return 0;
}

/* The report definition: --report, the filing's, or the input's. */
static int
find_report(struct ctx *c, struct bs_err *err)
{
	struct opts *o = c->o;
	char *name = NULL;
	const char *spec = o->report;
	int rc, implied = 0;

	if (!spec && o->filing) {
		name = bs_xstrndup(o->filing, strcspn(o->filing, "/"));
		spec = name;
	}
	if (!spec) {
		/* the report the input run names: its layout, keys and types */
		spec = c->in.report_path ? c->in.report_path : c->in.report;
		implied = o->layout != NULL;
	}
	if (!spec)
		return 0;
	rc = bs_report_load(&c->stage.report, spec, c->stage.have_ws ? &c->stage.ws : NULL, err);
	free(name);
	if (rc < 0 && implied) {
		/* --layout was given: the report only lends keys and types */
		bs_debug("report of the input run not loaded: %s", err->msg);
		bs_err_clear(err);
		return 0;
	}
	if (rc < 0)
		return -1;
	c->stage.have_report = 1;
	if (o->filing && strncmp(o->filing, c->stage.report.name, strlen(c->stage.report.name)) != 0)
		return bs_err_set(err, BS_EXIT_USAGE,
		    "--filing %s does not belong to report '%s'", o->filing,
		    c->stage.report.name);
	return 0;
}

static int
find_layout(struct ctx *c, struct bs_err *err)
{
	const char *s = "layout.yaml";

	if (c->o->layout) {
		c->layout_path = realpath(c->o->layout, NULL);
		if (!c->layout_path)
			return bs_err_set(err, errno == ENOENT ? BS_EXIT_NOINPUT :
			    BS_EXIT_IOERR, "cannot open layout '%s': %s", c->o->layout,
			    strerror(errno));
	} else if (c->stage.have_report) {
		yaml_node_t *root = bs_yaml_root(&c->stage.report.y);

		if (bs_yaml_get_str(&c->stage.report.y, root, "layout", &s, err) < 0)
			return -1;
		c->layout_path = bs_path_join(c->stage.report.dir, s);
	} else {
		return bs_err_set(err, BS_EXIT_USAGE,
		    "no layout: give --layout FILE, or --report REPORT whose "
		    "report.yaml names one (layout:)");
	}
	if (bs_layout_load(&c->layout, c->layout_path, err) < 0)
		return -1;
	c->have_layout = 1;
	return 0;
}

/* Key columns of table from report.yaml's tables[].key, or NULL. */
static int
report_key(struct ctx *c, const char *table, char ***key, size_t *nkey)
{
	struct bs_yaml *y = &c->stage.report.y;
	yaml_node_t *tables, *t, *k;
	size_t i, j;

	if (!c->stage.have_report)
		return 0;
	tables = bs_yaml_get(y, bs_yaml_root(y), "tables");
	for (i = 0; i < bs_yaml_len(tables); i++) {
		t = bs_yaml_item(y, tables, i);
		if (!bs_yaml_str(bs_yaml_get(y, t, "name")) ||
		    strcmp(bs_yaml_str(bs_yaml_get(y, t, "name")), table) != 0)
			continue;
		k = bs_yaml_get(y, t, "key");
		if (!k)
			return 0;
		if (bs_yaml_str(k)) {
			*key = bs_xcalloc(1, sizeof(char *));
			(*key)[0] = bs_xstrdup(bs_yaml_str(k));
			*nkey = 1;
			return 0;
		}
		*nkey = bs_yaml_len(k);
		*key = bs_xcalloc(*nkey + 1, sizeof(char *));
		for (j = 0; j < *nkey; j++)
			(*key)[j] = bs_xstrdup(bs_yaml_str(bs_yaml_item(y, k, j)) ?
			    bs_yaml_str(bs_yaml_item(y, k, j)) : "");
		return 0;
	}
	return 0;
}

static void
rule_table_add(struct ctx *c, struct bs_yaml *y, const char *file)
{
	yaml_node_t *root = bs_yaml_root(y), *k, *cols;
	const char *t = bs_yaml_str(bs_yaml_get(y, root, "table"));
	struct rule_table *r;
	size_t i;

	if (!t)
		return;
	for (i = 0; i < c->nrt; i++)
		if (!strcmp(c->rt[i].table, t))
			break;
	if (i == c->nrt) {
		c->rt = bs_xreallocarray(c->rt, c->nrt + 1, sizeof(*c->rt));
		memset(&c->rt[c->nrt], 0, sizeof(*c->rt));
		c->rt[c->nrt].table = bs_xstrdup(t);
		c->rt[c->nrt].file = bs_xstrdup(file);
		c->nrt++;
	}
	r = &c->rt[i];
	k = bs_yaml_get(y, root, "key");
	if (k && !r->nkey) {
		size_t n = bs_yaml_str(k) ? 1 : bs_yaml_len(k);

		r->key = bs_xcalloc(n + 1, sizeof(char *));
		for (i = 0; i < n; i++) {
			const char *s = bs_yaml_str(k) ? bs_yaml_str(k) :
			    bs_yaml_str(bs_yaml_item(y, k, i));

			r->key[r->nkey++] = bs_xstrdup(s ? s : "");
		}
	}
	cols = bs_yaml_get(y, root, "columns");
	for (i = 0; cols && i < bs_yaml_len(cols); i++) {
		yaml_node_t *a, *b;

		bs_yaml_pair(y, cols, i, &a, &b);
		if (!bs_yaml_str(a) || !bs_yaml_str(b))
			continue;
		r->col = bs_xreallocarray(r->col, r->ncol + 1, sizeof(char *));
		r->decl = bs_xreallocarray(r->decl, r->ncol + 1, sizeof(char *));
		r->col[r->ncol] = bs_xstrdup(bs_yaml_str(a));
		r->decl[r->ncol++] = bs_xstrdup(bs_yaml_str(b));
	}
}

static void
rule_file(struct ctx *c, const char *path)
{
	struct bs_yaml y;
	struct bs_err e = BS_ERR_INIT;

	/* a rule file that does not load is baosong-validate's to report */
	if (bs_yaml_load(&y, path, &e) == 0)
		rule_table_add(c, &y, path);
	bs_yaml_free(&y);
}

/*
 * Keys and column types from the report's rule files (its rules: list,
 * or every *.rules.yaml of its folder), for tables the layout gives no
 * key: and no types: for.
 */
static void
load_rule_tables(struct ctx *c)
{
	struct bs_yaml *y = &c->stage.report.y;
	yaml_node_t *list;
	size_t i;

	if (!c->stage.have_report)
		return;
	list = bs_yaml_get(y, bs_yaml_root(y), "rules");
	if (list) {
		for (i = 0; i < bs_yaml_len(list); i++) {
			const char *s = bs_yaml_str(bs_yaml_item(y, list, i));
			char *p;

			if (!s)
				continue;
			p = bs_path_join(c->stage.report.dir, s);
			rule_file(c, p);
			free(p);
		}
		return;
	} else {
		DIR *d = opendir(c->stage.report.dir);
		struct dirent *e;
		char **names = NULL;
		size_t n = 0, alloc = 0;

		while (d && (e = readdir(d)) != NULL) {
			size_t l = strlen(e->d_name);

			if (l > 11 && !strcmp(e->d_name + l - 11, ".rules.yaml")) {
				BS_ALLOC_GROW(names, n + 1, alloc);
				names[n++] = bs_xasprintf("%s/%s", c->stage.report.dir, e->d_name);
			}
		}
		if (d)
			closedir(d);
		for (i = 0; i < n; i++) {
			rule_file(c, names[i]);
			free(names[i]);
		}
		free(names);
	}
}

static const struct rule_table *
rule_table(const struct ctx *c, const char *table)
{
	size_t i;

	for (i = 0; i < c->nrt; i++)
		if (!strcmp(c->rt[i].table, table))
			return &c->rt[i];
	return NULL;
}

static void
add_excluded(struct ctx *c, const char *table, const char *key)
{
	size_t i;

	for (i = 0; i < c->nex; i++)
		if (!strcmp(c->ex[i].table, table))
			break;
	if (i == c->nex) {
		c->ex = bs_xreallocarray(c->ex, c->nex + 1, sizeof(*c->ex));
		memset(&c->ex[c->nex], 0, sizeof(*c->ex));
		c->ex[c->nex++].table = bs_xstrdup(table);
	}
	tf_excl_add(&c->ex[i].x, key);
}

/*
 * The records reviewers excluded (剔除): every disposition 'excluded' of
 * the filing, whatever its status, until a reviewer answers otherwise.
 */
static int
load_exclusions(struct ctx *c, struct bs_err *err)
{
	struct bs_disp_map m;
	size_t i;

	if (!c->stage.track.open && bs_track_open(&c->stage.track, &c->stage.ws.tracking, err) < 0)
		return -1;
	if (bs_disp_load(&c->stage.track, c->stage.filing, &m, err) < 0)
		return -1;
	for (i = 0; i < m.n; i++)
		if (m.v[i].disp == BS_DISP_EXCLUDED) {
			add_excluded(c, m.v[i].table, m.v[i].key);
			c->nexcluded_rows++;
		}
	bs_disp_map_release(&m);
	return 0;
}

static const struct tf_excl *
excl_for(struct ctx *c, const char *table)
{
	size_t i;

	for (i = 0; i < c->nex; i++)
		if (!strcmp(c->ex[i].table, table))
			return &c->ex[i].x;
	return NULL;
}

/*
 * APPROVAL GATE.  A filing is transformed for submission only once every
 * role its report requires (report.yaml approvals:) has approved exactly
 * the validated data being read and the current dispositions:
 * bs_review_is_approved() (lib/review.h) answers that against the
 * tracking store.  --in RUN_DIR transforms a run as it is, outside any
 * filing's approval (the packaging stage asks again before anything is
 * submitted); the manifest says which happened.
 */
static int
approval_gate(struct ctx *c, struct bs_err *err)
{
	struct bs_err e = BS_ERR_INIT;
	int rc;

	if (!c->o->filing) {
		c->approval_note = bs_xstrdup("not checked: --in transforms a run as "
		    "it is; the packaging stage checks approvals");
		return 0;
	}
	if (!c->in.data_sha256)
		return bs_err_set(err, BS_EXIT_DATAERR,
		    "validation run %s records no data_sha256", c->val.run_id);
	rc = bs_review_is_approved(&c->stage.track, &c->stage.report, c->stage.filing,
	    c->in.data_sha256, &e);
	if (rc < 0) {
		*err = e;
		return -1;
	}
	if (rc == 0) {
		if (c->o->check) {
			bs_warn("%s (the check goes on; writing the files would be "
			    "refused)", e.msg);
			c->approval_note = bs_xstrdup(e.msg);
			return 0;
		}
		return bs_err_set(err, BS_EXIT_REJECTED,
		    "%s; nothing was written (baosong-review status --filing %s "
		    "says what is missing)", e.msg, c->stage.filing);
	}
	c->approved = 1;
	c->approval_note = bs_xasprintf("approved by every role for data %s",
	    c->in.data_sha256);
	return 0;
}

static int
plan(struct ctx *c, struct bs_err *err)
{
	struct opts *o = c->o;
	struct tf_run *tr = &c->tr;
	size_t i;

	if (find_input(c, err) < 0 || find_report(c, err) < 0 ||
	    find_layout(c, err) < 0)
		return -1;
	/* the filing and its period */
	if (o->filing) {
		if (c->in.filing && strcmp(c->in.filing, o->filing) != 0)
			return bs_err_set(err, BS_EXIT_DATAERR,
			    "run %s belongs to filing %s, not %s", c->in.dir,
			    c->in.filing, o->filing);
		c->stage.filing = bs_xstrdup(o->filing);
	} else if (c->in.filing) {
		c->stage.filing = bs_xstrdup(c->in.filing);
	}
	if (c->stage.filing && strchr(c->stage.filing, '/'))
		c->stage.period = bs_xstrdup(strrchr(c->stage.filing, '/') + 1);
	else if (c->in.period)
		c->stage.period = bs_xstrdup(c->in.period);
	memset(tr, 0, sizeof(*tr));
	tr->layout_path = c->layout_path;
	tr->max_problems = o->max_problems;
	tr->vars.org = c->stage.have_ws && c->stage.ws.institution_code ? c->stage.ws.institution_code :
	    c->in.org;
	if (c->stage.period) {
		int y, m, d;
		char tail;

		tr->vars.period = c->stage.period;
		if (sscanf(c->stage.period, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 &&
		    bs_date_from_ymd(y, m, d, &tr->vars.period_start) == 0) {
			tr->vars.period_end = tr->vars.period_start;
		} else if (sscanf(c->stage.period, "%4d-%2d%c", &y, &m, &tail) == 2 &&
		    strlen(c->stage.period) == 7 &&
		    bs_date_from_ymd(y, m, 1, &tr->vars.period_start) == 0) {
			tr->vars.period_end = bs_date_last_of_month(tr->vars.period_start);
		} else {
			return bs_err_set(err, BS_EXIT_DATAERR,
			    "period '%s' is not YYYY-MM or YYYY-MM-DD", c->stage.period);
		}
	}
	{
		const char *sde = getenv("SOURCE_DATE_EPOCH");
		time_t now = sde && *sde ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
		struct tm tm;

		if (sde && *sde)
			gmtime_r(&now, &tm);
		else
			localtime_r(&now, &tm);
		bs_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		    &tr->vars.today);
	}
	/* exclusions, keys and types */
	if (c->stage.filing && c->stage.have_ws && load_exclusions(c, err) < 0)
		return -1;
	load_rule_tables(c);
	/* one job per layout file */
	c->jobs = bs_xcalloc(c->layout.nfiles, sizeof(*c->jobs));
	c->njobs = c->layout.nfiles;
	for (i = 0; i < c->njobs; i++) {
		const struct bs_lay_file *lf = &c->layout.files[i];
		struct tf_job *j = &c->jobs[i];
		const struct tf_table_in *t = tf_input_table(&c->in, lf->table);
		size_t k, same = 0;

		j->lf = lf;
		for (k = 0; k < c->layout.nfiles; k++)
			same += !strcmp(c->layout.files[k].table, lf->table);
		/* two files of one table: tell them apart by code or name */
		j->label = same < 2 ? bs_xstrdup(lf->table) :
		    bs_xasprintf("%s (%s)", lf->table, strcmp(lf->code, lf->table) ?
		    lf->code : lf->name.src);
		if (!t) {
			struct bs_buf have = BS_BUF_INIT(0);

			for (k = 0; k < c->in.nt; k++)
				bs_buf_addf(&have, "%s%s", k ? ", " : "", c->in.t[k].table);
			bs_err_set(err, BS_EXIT_NOINPUT,
			    "%s:%lu:%lu: the input run has no table '%s' (%s holds: %s)",
			    c->layout_path, lf->pos.line, lf->pos.column, lf->table,
			    c->in.dir, have.len ? have.buf : "nothing");
			bs_buf_release(&have);
			return -1;
		}
		j->in_path = t->path;
		/* the key: this file's, another file's of the table, the report's */
		{
			const struct bs_lay_file *kf = lf;

			for (k = 0; !kf->nkey && k < c->layout.nfiles; k++)
				if (!strcmp(c->layout.files[k].table, lf->table))
					kf = &c->layout.files[k];
			const struct rule_table *rt = rule_table(c, lf->table);

			if (kf->nkey) {
				j->nkey = kf->nkey;
				j->key = bs_xcalloc(kf->nkey, sizeof(char *));
				for (k = 0; k < kf->nkey; k++)
					j->key[k] = bs_xstrdup(kf->key[k]);
			} else if (rt && rt->nkey) {
				j->nkey = rt->nkey;
				j->key = bs_xcalloc(rt->nkey, sizeof(char *));
				for (k = 0; k < rt->nkey; k++)
					j->key[k] = bs_xstrdup(rt->key[k]);
			} else {
				report_key(c, lf->table, &j->key, &j->nkey);
			}
			if (rt) {
				j->type_col = (const char *const *)rt->col;
				j->type_decl = (const char *const *)rt->decl;
				j->ntypes = rt->ncol;
			}
		}
		j->excl = excl_for(c, lf->table);
		if (j->excl && j->excl->n && !j->nkey)
			return bs_err_set(err, BS_EXIT_CONFIG,
			    "reviewers excluded %zu record(s) of table '%s', but neither "
			    "the layout (%s), nor the table's rule file, nor the report "
			    "says which columns make its key (key:)", j->excl->n,
			    lf->table, c->layout_path);
	}
	return approval_gate(c, err);
}

/* ---------------------------------------------------------------- manifest */

static void
part_json(struct bs_json *j, const struct tf_job *job, const struct tf_part *p)
{
	size_t i;

	bs_json_obj_begin(j);
	bs_json_kv_str(j, "file", p->name);
	bs_json_kv_str(j, "table", job->lf->table);
	bs_json_kv_uint(j, "rows", p->rows);
	bs_json_kv_uint(j, "bytes", p->bytes);
	bs_json_kv_str(j, "sha256", p->sha256[0] ? p->sha256 : NULL);
	bs_json_key(j, "sums");
	bs_json_obj_begin(j);
	for (i = 0; i < job->lf->nfields; i++)
		if (p->sums[i]) {
			bs_json_kv_str(j, job->lf->fields[i].name, p->sums[i]);
		}
	bs_json_obj_end(j);
	bs_json_kv_str(j, "control_file", p->ctl_name);
	bs_json_kv_bool(j, "verified", p->verified);
	bs_json_obj_end(j);
}

static int
write_manifest(struct ctx *c, struct bs_err *err)
{
	struct bs_buf b = BS_BUF_INIT(0);
	struct bs_json j;
	size_t i, k;
	int rc;

	bs_json_init(&j, &b);
	bs_json_obj_begin(&j);
	bs_manifest_head(&j, "baosong-transform", &c->stage.run, c->stage.have_ws ? c->stage.ws.root :
	    NULL, c->stage.filing, c->stage.have_report ? &c->stage.report : NULL);
	bs_json_kv_str(&j, "period", c->stage.period);
	bs_json_kv_str(&j, "institution_code", c->tr.vars.org);
	bs_json_key(&j, "layout");
	bs_json_obj_begin(&j);
	bs_json_kv_str(&j, "name", c->layout.name);
	bs_json_kv_str(&j, "path", c->layout_path);
	bs_json_kv_str(&j, "sha256", c->layout.sha256);
	bs_json_key(&j, "maps");
	bs_json_arr_begin(&j);
	for (i = 0; i < c->layout.nmaps; i++) {
		bs_json_obj_begin(&j);
		bs_json_kv_str(&j, "name", c->layout.maps[i].name);
		bs_json_kv_str(&j, "file", c->layout.maps[i].file);
		bs_json_kv_str(&j, "version", c->layout.maps[i].version);
		bs_json_obj_end(&j);
	}
	bs_json_arr_end(&j);
	bs_json_obj_end(&j);
	bs_json_key(&j, "input");
	bs_json_obj_begin(&j);
	bs_json_kv_str(&j, "program", c->in.program);
	bs_json_kv_str(&j, "run_id", c->in.run_id);
	bs_json_kv_str(&j, "path", c->in.dir);
	bs_json_kv_str(&j, "manifest_sha256", c->in.manifest_sha);
	bs_json_kv_str(&j, "source_run", c->in.source_run);
	bs_json_kv_str(&j, "source_path", c->in.source_dir);
	bs_json_obj_end(&j);
	bs_json_key(&j, "approval");
	bs_json_obj_begin(&j);
	bs_json_kv_bool(&j, "checked", c->o->filing != NULL);
	bs_json_kv_bool(&j, "approved", c->approved);
	bs_json_kv_str(&j, "data_sha256", c->in.data_sha256);
	bs_json_kv_str(&j, "note", c->approval_note);
	bs_json_obj_end(&j);
	bs_json_key(&j, "inputs");
	bs_json_arr_begin(&j);
	for (i = 0; i < c->njobs; i++) {
		const struct tf_job *jb = &c->jobs[i];
		unsigned long long unmatched = 0;
		size_t e;

		for (e = 0; e < i; e++)
			if (!strcmp(c->jobs[e].lf->table, jb->lf->table))
				break;
		if (e < i)
			continue;	/* one entry per table */
		for (k = 0; jb->excl_hit && k < jb->excl->n; k++)
			unmatched += !jb->excl_hit[k];
		bs_json_obj_begin(&j);
		bs_json_kv_str(&j, "table", jb->lf->table);
		bs_json_kv_str(&j, "path", jb->in_path);
		bs_json_kv_uint(&j, "rows", jb->rows_in);
		bs_json_kv_uint(&j, "bytes", jb->in_bytes);
		bs_json_kv_str(&j, "sha256", jb->in_sha256);
		bs_json_key(&j, "key");
		bs_json_arr_begin(&j);
		for (k = 0; k < jb->nkey; k++)
			bs_json_str(&j, jb->key[k]);
		bs_json_arr_end(&j);
		bs_json_kv_uint(&j, "excluded", jb->excluded);
		bs_json_kv_uint(&j, "exclusions_not_found", unmatched);
		bs_json_obj_end(&j);
	}
	bs_json_arr_end(&j);
	bs_json_key(&j, "outputs");
	bs_json_arr_begin(&j);
	for (i = 0; i < c->njobs; i++) {
		const struct tf_job *jb = &c->jobs[i];

		for (k = 0; k < jb->nparts; k++) {
			const struct tf_part *p = &jb->parts[k];

			bs_json_obj_begin(&j);
			bs_json_kv_str(&j, "name", p->name);
			bs_json_kv_str(&j, "kind", "data");
			bs_json_kv_str(&j, "table", jb->lf->table);
			bs_json_kv_uint(&j, "part", k + 1);
			bs_json_kv_str(&j, "encoding", bs_enc_name(jb->lf->enc));
			bs_json_kv_uint(&j, "rows", p->rows);
			bs_json_kv_uint(&j, "bytes", p->bytes);
			bs_json_kv_str(&j, "sha256", p->sha256);
			bs_json_obj_end(&j);
			if (!p->ctl_name)
				continue;
			bs_json_obj_begin(&j);
			bs_json_kv_str(&j, "name", p->ctl_name);
			bs_json_kv_str(&j, "kind", "control");
			bs_json_kv_str(&j, "table", jb->lf->table);
			bs_json_kv_str(&j, "for", p->name);
			bs_json_kv_str(&j, "encoding", bs_enc_name(jb->lf->control->enc));
			bs_json_kv_uint(&j, "bytes", p->ctl_bytes);
			bs_json_kv_str(&j, "sha256", p->ctl_sha256);
			bs_json_obj_end(&j);
		}
	}
	bs_json_arr_end(&j);
	bs_json_key(&j, "control_totals");
	bs_json_arr_begin(&j);
	for (i = 0; i < c->njobs; i++)
		for (k = 0; k < c->jobs[i].nparts; k++)
			part_json(&j, &c->jobs[i], &c->jobs[i].parts[k]);
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

/* ----------------------------------------------------------------- the run */

/* The CSV read must be the one the input run recorded. */
static int
check_input(struct ctx *c, const struct tf_job *jb, struct bs_err *err)
{
	const struct tf_table_in *t = tf_input_table(&c->in, jb->lf->table);

	if (t->sha256 && strcmp(t->sha256, jb->in_sha256) != 0)
		return bs_err_set(err, BS_EXIT_DATAERR,
		    "'%s' is not the file run %s recorded (SHA-256 %.12s… then, "
		    "%.12s… now): it changed after the run; nothing was published",
		    jb->in_path, c->in.run_id ? c->in.run_id : c->in.dir, t->sha256,
		    jb->in_sha256);
	if (t->have_rows && t->rows != jb->rows_in)
		return bs_err_set(err, BS_EXIT_DATAERR,
		    "'%s' holds %llu records, run %s recorded %llu", jb->in_path,
		    jb->rows_in, c->in.run_id ? c->in.run_id : c->in.dir, t->rows);
	return 0;
}

static void
summary(struct ctx *c)
{
	struct bs_buf b = BS_BUF_INIT(0);
	size_t i;

	for (i = 0; i < c->njobs; i++)
		if (c->jobs[i].refused)
			bs_buf_addf(&b, "%s%s %lu", b.len ? ", " : "", c->jobs[i].label,
			    c->jobs[i].refused);
	bs_error("%lu value%s cannot be written as the layout asks (%s); %s",
	    c->tr.problems, c->tr.problems == 1 ? "" : "s", bs_buf_str(&b),
	    c->o->check ? "checked only" : "nothing was published");
	bs_buf_release(&b);
}

static void
print_plan(struct ctx *c)
{
	size_t i, k;

	for (i = 0; i < c->njobs; i++) {
		const struct tf_job *jb = &c->jobs[i];

		for (k = 0; k < jb->nparts; k++) {
			const struct tf_part *p = &jb->parts[k];

			printf("%s\t%llu rows\t%llu bytes\tsha256 %s", p->name, p->rows,
			    p->bytes, p->sha256);
			if (jb->excluded && k == 0)
				printf("\t%llu excluded", jb->excluded);
			printf("\n");
			if (p->ctl_name)
				printf("%s\t%llu bytes\tsha256 %s\n", p->ctl_name, p->ctl_bytes,
				    p->ctl_sha256);
		}
	}
}

static int
run_transform(struct ctx *c, struct bs_err *err)
{
	struct opts *o = c->o;
	size_t i;

	if (load_workspace(c, err) < 0 || plan(c, err) < 0)
		return -1;
	if (!o->check && bs_stage_need_dir(&c->stage, o->out, err) < 0)
		return -1;
	if (o->check) {
		bs_signals_install();
	} else {
		if (bs_stage_begin(&c->stage, "baosong-transform", o->out, NULL, NULL,
		    err) < 0)
			return -1;
		c->tr.dir = c->stage.run.tmp;
	}
	for (i = 0; i < c->njobs; i++) {
		struct tf_job *jb = &c->jobs[i];

		if (tf_emit(&c->tr, jb, err) < 0 || check_input(c, jb, err) < 0)
			return -1;
		bs_info("%-16s %10llu rows in, %llu excluded, %llu written, "
		    "%lu refused", jb->label, jb->rows_in, jb->excluded, jb->rows_out,
		    jb->refused);
	}
	if (c->tr.problems) {
		summary(c);
		return bs_err_set(err, BS_EXIT_REJECTED, "%s", "");
	}
	if (o->check) {
		print_plan(c);
		return 0;
	}
	if (write_manifest(c, err) < 0 || bs_run_finish(&c->stage.run, err) < 0 ||
	    bs_stage_end(&c->stage, 0, c->manifest_sha, err) < 0)
		return -1;
	printf("%s\n", c->stage.run.final);
	return 0;
}

static void
ctx_release(struct ctx *c)
{
	size_t i, k;

	for (i = 0; i < c->njobs; i++) {
		for (k = 0; k < c->jobs[i].nkey; k++)
			free(c->jobs[i].key[k]);
		free(c->jobs[i].key);
		free((char *)c->jobs[i].label);
		tf_job_release(&c->jobs[i]);
	}
	free(c->jobs);
	for (i = 0; i < c->nex; i++) {
		free(c->ex[i].table);
		tf_excl_release(&c->ex[i].x);
	}
	free(c->ex);
	for (i = 0; i < c->nrt; i++) {
		struct rule_table *r = &c->rt[i];

		for (k = 0; k < r->nkey; k++)
			free(r->key[k]);
		for (k = 0; k < r->ncol; k++) {
			free(r->col[k]);
			free(r->decl[k]);
		}
		free(r->key);
		free(r->col);
		free(r->decl);
		free(r->table);
		free(r->file);
	}
	free(c->rt);
	free(c->approval_note);
	if (c->have_val)
		bs_validation_release(&c->val);
	tf_run_release(&c->tr);
	if (c->have_layout)
		bs_layout_release(&c->layout);
	free(c->layout_path);
	if (c->have_in)
		tf_input_release(&c->in);
	bs_stage_release(&c->stage);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "layout", required_argument, NULL, 'L' },
		{ "in", required_argument, NULL, 'I' },
		{ "report", required_argument, NULL, 'R' },
		{ "filing", required_argument, NULL, 'F' },
		{ "out", required_argument, NULL, 'o' },
		{ "check", no_argument, NULL, 'c' },
		{ "max-problems", required_argument, NULL, 'M' },
		{ "workspace", required_argument, NULL, 'W' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o;
	struct ctx c;
	struct bs_err err = BS_ERR_INIT;
	int ch, level = BS_LOG_WARN, rc = 0;
	char *end;

	bs_log_init(argv[0]);
	memset(&o, 0, sizeof(o));
	memset(&c, 0, sizeof(c));
	c.o = &o;
	o.max_problems = 100;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "vqh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'L': o.layout = optarg; break;
		case 'I': o.in = optarg; break;
		case 'R': o.report = optarg; break;
		case 'F': o.filing = optarg; break;
		case 'o': o.out = optarg; break;
		case 'c': o.check = 1; break;
		case 'M':
			errno = 0;
			o.max_problems = strtoul(optarg, &end, 10);
			if (errno || !*optarg || *end || *optarg == '-') {
				bs_error("--max-problems wants a number (0: no limit), not '%s'",
				    optarg);
				rc = usage(BS_EXIT_USAGE);
				goto out;
			}
			break;
		case 'W': o.workspace = optarg; break;
		case 'v': level++; break;
		case 'q': level = BS_LOG_ERROR; break;
		case 'h': rc = usage(0); goto out;
		case 'V': printf("baosong-transform %s\n", BS_VERSION); goto out;
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
	if (!!o.in + !!o.filing != 1) {
		bs_error(o.in ? "give only one of --in and --filing" :
		    "give --in RUN_DIR or --filing REPORT/PERIOD");
		rc = usage(BS_EXIT_USAGE);
		goto out;
	}
	if (o.filing && (!strchr(o.filing, '/') || o.filing[0] == '/' ||
	    !strchr(o.filing, '/')[1] || strchr(strchr(o.filing, '/') + 1, '/'))) {
		bs_error("--filing wants REPORT/PERIOD, e.g. east-sample/2026-10, not '%s'",
		    o.filing);
		rc = usage(BS_EXIT_USAGE);
		goto out;
	}
	if (o.in && !o.layout && !o.report) {
		/* the input run may name its report; decided in find_report() */
	}
	if (o.check && o.out) {
		bs_error("--check writes nothing: --out makes no sense with it");
		rc = usage(BS_EXIT_USAGE);
		goto out;
	}
	if (run_transform(&c, &err) < 0) {
		rc = err.code == BS_EXIT_REJECTED && !err.msg[0] ? BS_EXIT_REJECTED :
		    bs_report(&err);
		bs_stage_fail(&c.stage, rc, err.msg[0] ? err.msg : "values refused");
	} else {
		rc = bs_close_stdout(0);
	}
out:
	ctx_release(&c);
	return rc;
}
