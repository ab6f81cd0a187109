/*
 * baosong-validate - check the CSV tables of an extract against rule files;
 * write problems.csv, summary.json and review.xlsx into a run directory.
 */
#include "bs.h"
#include "manifest.h"
#include "review.h"
#include "engine.h"
#include "inputs.h"
#include "output.h"

#include "csv.h"
#include "idcheck.h"
#include "json.h"
#include "ofile.h"
#include "report.h"
#include "rules.h"
#include "rundir.h"
#include "stage.h"
#include "sha256.h"
#include "track.h"
#include "workspace.h"

#include <getopt.h>
#include <sys/resource.h>

static const char usage_text[] =
    "usage: baosong-validate --rules FILE_OR_DIR... --in RUN_DIR_OR_CSV...\n"
    "                        [--filing REPORT/PERIOD] [--out DIR]\n"
    "       baosong-validate --report REPORT (--param period=YYYY-MM | --filing REPORT/PERIOD)\n"
    "                        [--in RUN_DIR_OR_CSV...] [--out DIR]\n"
    "       baosong-validate --check-rules [FILE_OR_DIR...] [--report REPORT]\n"
    "common options: [--workspace DIR] [-v]... [-q] [--help] [--version]\n";

struct opts {
	char **rules;		/* --rules, --check-rules */
	size_t nrules;
	char **in;
	size_t nin;
	const char *report, *out, *workspace, *filing;
	int check_only;
	struct bs_params params;
};

struct ctx {
	struct opts *o;
	struct bs_stage stage;	/* workspace, report, filing, run, tracking */
	char **files;		/* rule files */
	size_t nfiles;
	struct bs_rules rs;
	struct inputs in;
	struct bs_disp_map carry;	/* the filing's dispositions */
	int have_carry;
	struct output out;
	struct engine_stats st;
	char manifest_sha[BS_SHA256_HEX];
};

static int
usage(int rc)
{
	fputs(usage_text, rc ? stderr : stdout);
	if (!rc)
		fputs("\nSee baosong-validate(1) and baosong-rules(5).\n", stdout);
	return rc;
}

/* A rule file or a folder of *.rules.yaml files. */
static int
add_rule_path(struct ctx *c, const char *p, struct bs_err *err)
{
	struct stat st;

	if (stat(p, &st) != 0)
		return bs_err_set(err, BS_EXIT_NOINPUT, "cannot read rule file '%s': %s",
		    p, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		size_t before = c->nfiles;

		if (bs_rules_dir(p, &c->files, &c->nfiles, err) < 0)
			return -1;
		if (c->nfiles == before)
			return bs_err_set(err, BS_EXIT_NOINPUT,
			    "no *.rules.yaml file in '%s'", p);
		return 0;
	}
	c->files = bs_xreallocarray(c->files, c->nfiles + 1, sizeof(char *));
	c->files[c->nfiles++] = bs_xstrdup(p);
	return 0;
}

/* The report's rule files: its rules: list, else every *.rules.yaml. */
static int
report_rules(struct ctx *c, struct bs_err *err)
{
	struct bs_yaml *y = &c->stage.report.y;
	yaml_node_t *list = bs_yaml_get(y, bs_yaml_root(y), "rules");
	size_t i;

	if (!list)
		return add_rule_path(c, c->stage.report.dir, err);
	if (bs_yaml_expect(y, list, YAML_SEQUENCE_NODE, "'rules'", err) < 0)
		return -1;
	for (i = 0; i < bs_yaml_len(list); i++) {
		yaml_node_t *n = bs_yaml_item(y, list, i);
		const char *s = bs_yaml_str(n);
		char *p;
		int rc;

		if (!s || !*s)
			return bs_yaml_error(y, n, err, "a rule file name");
		p = bs_path_join(c->stage.report.dir, s);
		if (access(p, R_OK) != 0) {
			bs_yaml_error(y, n, err, "cannot read rule file '%s': %s", p,
			    strerror(errno));
			free(p);
			return -1;
		}
		rc = add_rule_path(c, p, err);
		free(p);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static void
print_diags(const struct bs_rules *rs, size_t from)
{
	size_t i;

	for (i = from; i < rs->ndiags; i++)
		fprintf(stderr, "%s\n", rs->diags[i]);
}

static int
load_rules(struct ctx *c, struct bs_err *err)
{
	struct bs_rules_opts ro = BS_RULES_OPTS_INIT;
	const char *refdirs[2] = { NULL, NULL };
	const char **known = NULL;
	char *shared = bs_xasprintf("%s/rules/ref", BS_DATADIR);
	size_t i;
	int rc;

	if (access(shared, F_OK) == 0)
		refdirs[0] = shared;
	ro.ref_dirs = refdirs;
	ro.period = c->stage.period;
	ro.institution_code = c->stage.have_ws ? c->stage.ws.institution_code : NULL;
	ro.check_only = c->o->check_only;
	if (c->stage.have_report) {
		known = bs_xcalloc(c->stage.report.ntables + 1, sizeof(char *));
		for (i = 0; i < c->stage.report.ntables; i++)
			known[i] = c->stage.report.tables[i].name;
		ro.known_tables = known;
	}
	rc = bs_rules_load(&c->rs, (const char *const *)c->files, c->nfiles, &ro, err);
	if (rc < 0 && err->code == BS_EXIT_CONFIG)
		print_diags(&c->rs, 0);
	free(known);
	free(shared);
	return rc;
}

static int
resolve_filing(struct ctx *c, struct bs_err *err)
{
	struct opts *o = c->o;
	struct bs_param *p = bs_params_get(&o->params, "period");
	size_t i;

	for (i = 0; i < o->params.n; i++)
		if (strcmp(o->params.v[i].name, "period") != 0)
			return bs_err_set(err, BS_EXIT_USAGE,
			    "--param %s: baosong-validate takes only period=YYYY-MM",
			    o->params.v[i].name);
	if (p) {
		if (bs_param_check("period", p->value, BS_P_MONTH, err) < 0)
			return -1;
		if (!c->stage.have_report)
			return bs_err_set(err, BS_EXIT_USAGE,
			    "--param period goes with --report (or give --filing)");
		c->stage.period = bs_xstrdup(p->value);
		c->stage.filing = bs_xasprintf("%s/%s", c->stage.report.name, p->value);
	}
	if (o->filing) {
		const char *slash = strchr(o->filing, '/');

		if (!slash || slash == o->filing || !slash[1] || strchr(slash + 1, '/'))
			return bs_err_set(err, BS_EXIT_USAGE,
			    "--filing wants REPORT/PERIOD, e.g. east-sample/2026-10");
		if (c->stage.filing && strcmp(c->stage.filing, o->filing) != 0)
			return bs_err_set(err, BS_EXIT_USAGE,
			    "--filing %s does not match --report and --param (%s)", o->filing,
			    c->stage.filing);
		if (c->stage.have_report && strncmp(o->filing, c->stage.report.name,
		    (size_t)(slash - o->filing)) != 0)
			return bs_err_set(err, BS_EXIT_USAGE,
			    "--filing %s is not a filing of report '%s'", o->filing,
			    c->stage.report.name);
		free(c->stage.filing);
		free(c->stage.period);
		c->stage.filing = bs_xstrdup(o->filing);
		c->stage.period = bs_xstrdup(slash + 1);
	}
	return 0;
}

/* --check-rules: compile, print every problem, exit 78 or 0. */
static int
check_rules(struct ctx *c, struct bs_err *err)
{
	if (load_rules(c, err) < 0)
		return -1;
	bs_info("%zu rule%s in %zu file%s: no problems", c->rs.nrules,
	    c->rs.nrules == 1 ? "" : "s", c->nfiles, c->nfiles == 1 ? "" : "s");
	return 0;
}

static void
verbose_table(const struct ctx *c)
{
	size_t i, w = 4;

	if (bs_log_level() < BS_LOG_INFO)
		return;
	for (i = 0; i < c->rs.nrules; i++)
		if (strlen(c->rs.rules[i].id) > w)
			w = strlen(c->rs.rules[i].id);
	fprintf(stderr, "%-*s  %-16s %-8s %10s  %s\n", (int)w, "rule", "table",
	    "severity", "problems", "message");
	for (i = 0; i < c->rs.nrules; i++) {
		const struct bs_rule *r = &c->rs.rules[i];

		fprintf(stderr, "%-*s  %-16s %-8s %10" PRIu64 "  %s\n", (int)w, r->id,
		    c->rs.tables[r->table].name,
		    r->severity == BS_SEV_ERROR ? "error" : "warning", c->st.count[i],
		    r->message);
	}
	fprintf(stderr, "%" PRIu64 " rows in %.2f s (%.0f rows/s); %" PRIu64
	    " errors, %" PRIu64 " warnings\n", c->st.rows_total, c->st.seconds,
	    c->st.seconds > 0 ? (double)c->st.rows_total / c->st.seconds : 0.0,
	    c->out.errors, c->out.warnings);
}

static char *
params_text(const struct ctx *c)
{
	struct bs_buf b = BS_BUF_INIT(0);
	struct bs_json j;
	size_t i;

	bs_json_init(&j, &b);
	bs_json_obj_begin(&j);
	if (c->o->report)
		bs_json_kv_str(&j, "report", c->o->report);
	for (i = 0; i < c->o->params.n; i++)
		bs_json_kv_str(&j, c->o->params.v[i].name, c->o->params.v[i].value);
	bs_json_key(&j, "rules");
	bs_json_arr_begin(&j);
	for (i = 0; i < c->o->nrules; i++)
		bs_json_str(&j, c->o->rules[i]);
	bs_json_arr_end(&j);
	bs_json_key(&j, "in");
	bs_json_arr_begin(&j);
	for (i = 0; i < c->o->nin; i++)
		bs_json_str(&j, c->o->in[i]);
	bs_json_arr_end(&j);
	bs_json_obj_end(&j);
	while (b.len && b.buf[b.len - 1] == '\n')
		b.buf[--b.len] = '\0';
	return bs_buf_detach(&b, NULL);
}

static int
track_end(struct ctx *c, int code, struct bs_err *err)
{
	struct bs_buf b = BS_BUF_INIT(0);
	struct bs_json j;
	int rc;

	if (!c->stage.tracked)
		return 0;
	bs_json_init(&j, &b);
	bs_json_obj_begin(&j);
	bs_json_kv_uint(&j, "problems", c->out.problems);
	bs_json_kv_uint(&j, "errors", c->out.errors);
	bs_json_kv_uint(&j, "warnings", c->out.warnings);
	bs_json_kv_uint(&j, "rows", c->st.rows_total);
	bs_json_kv_uint(&j, "rules", c->rs.nrules);
	bs_json_kv_str(&j, "validated_run", c->in.run_id);
	bs_json_kv_str(&j, "data_sha256", c->out.data_sha256);
	bs_json_obj_end(&j);
	while (b.len && b.buf[b.len - 1] == '\n')
		b.buf[--b.len] = '\0';
	rc = bs_track_event(&c->stage.track, "validate.result", c->stage.filing, c->stage.run.id,
	    bs_track_actor(), b.buf, err);
	bs_buf_release(&b);
	if (rc < 0)
		return -1;
	/* dispositions: open, reopened or closed by what this run found */
	if (c->have_carry && bs_review_carry_finish(&c->stage.track, c->stage.filing, c->stage.run.id,
	    &c->carry, err) < 0)
		return -1;
	return bs_stage_end(&c->stage, code, c->manifest_sha, err);
}

static const char *
sev_name(enum bs_severity s)
{
	return s == BS_SEV_ERROR ? "error" : "warning";
}

static long
peak_rss(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return ru.ru_maxrss * 1024L;
}

static void
rate(struct bs_json *j, const char *k, uint64_t rows, double s)
{
	bs_json_key(j, k);
	if (s > 0)
		bs_json_double(j, (double)rows / s, 0);
	else
		bs_json_null(j);
}

static int
write_summary(struct ctx *c, int code, char *sha, unsigned long long *bytes,
    struct bs_err *err)
{
	struct bs_buf b = BS_BUF_INIT(0);
	struct bs_json j;
	size_t i;
	int rc;

	bs_json_init(&j, &b);
	bs_json_obj_begin(&j);
	bs_json_kv_str(&j, "run_id", c->stage.run.id);
	bs_json_kv_str(&j, "filing", c->stage.filing);
	bs_json_kv_str(&j, "validated_run", c->in.run_id);
	bs_json_kv_str(&j, "data_sha256", c->out.data_sha256);
	bs_json_key(&j, "totals");
	bs_json_obj_begin(&j);
	bs_json_kv_uint(&j, "rules", c->rs.nrules);
	bs_json_kv_uint(&j, "problems", c->out.problems);
	bs_json_kv_uint(&j, "errors", c->out.errors);
	bs_json_kv_uint(&j, "warnings", c->out.warnings);
	bs_json_kv_uint(&j, "rows", c->st.rows_total);
	bs_json_key(&j, "seconds");
	bs_json_double(&j, c->st.seconds, 3);
	rate(&j, "rows_per_second", c->st.rows_total, c->st.seconds);
	bs_json_kv_int(&j, "exit_code", code);
	bs_json_obj_end(&j);
	bs_json_key(&j, "rules");
	bs_json_arr_begin(&j);
	for (i = 0; i < c->rs.nrules; i++) {
		const struct bs_rule *r = &c->rs.rules[i];

		bs_json_obj_begin(&j);
		bs_json_kv_str(&j, "id", r->id);
		bs_json_kv_str(&j, "table", c->rs.tables[r->table].name);
		bs_json_kv_str(&j, "check", bs_rule_kind_name(r->kind));
		bs_json_kv_str(&j, "severity", sev_name(r->severity));
		bs_json_kv_str(&j, "category", r->category);
		bs_json_kv_str(&j, "owner", r->owner);
		bs_json_kv_str(&j, "message", r->message);
		bs_json_kv_uint(&j, "count", c->st.count[i]);
		bs_json_kv_uint(&j, "eval_errors", c->st.eval_errors[i]);
		bs_json_obj_end(&j);
	}
	bs_json_arr_end(&j);
	bs_json_key(&j, "tables");
	bs_json_arr_begin(&j);
	for (i = 0; i < c->in.n; i++) {
		const struct vinput *v = &c->in.v[i];

		if (!v->passes)
			continue;
		bs_json_obj_begin(&j);
		bs_json_kv_str(&j, "table", v->table);
		bs_json_kv_str(&j, "file", v->path);
		bs_json_kv_uint(&j, "rows", v->rows);
		bs_json_kv_uint(&j, "bytes", v->bytes);
		bs_json_kv_str(&j, "sha256", v->sha256);
		bs_json_kv_int(&j, "passes", v->passes);
		bs_json_key(&j, "seconds");
		bs_json_double(&j, v->seconds, 3);
		rate(&j, "rows_per_second", v->rows * (uint64_t)v->passes, v->seconds);
		bs_json_obj_end(&j);
	}
	bs_json_arr_end(&j);
	bs_json_key(&j, "memory");
	bs_json_obj_begin(&j);
	bs_json_key(&j, "sets");
	bs_json_arr_begin(&j);
	for (i = 0; i < c->st.nsets; i++) {
		bs_json_obj_begin(&j);
		bs_json_kv_str(&j, "set", c->st.sets[i].what);
		bs_json_kv_uint(&j, "entries", c->st.sets[i].entries);
		bs_json_kv_uint(&j, "bytes", c->st.sets[i].bytes);
		bs_json_obj_end(&j);
	}
	bs_json_arr_end(&j);
	bs_json_kv_uint(&j, "sets_peak_bytes", c->st.sets_bytes_peak);
	bs_json_kv_int(&j, "peak_rss_bytes", peak_rss());
	bs_json_obj_end(&j);
	bs_json_obj_end(&j);
	rc = bs_run_write_file(&c->stage.run, "summary.json", &b, sha, bytes, err);
	bs_buf_release(&b);
	return rc;
}

static void
output_entry(struct bs_json *j, const char *name, unsigned long long bytes,
    const char *sha, long long rows)
{
	bs_json_obj_begin(j);
	bs_json_kv_str(j, "name", name);
	if (rows >= 0)
		bs_json_kv_int(j, "rows", rows);
	bs_json_kv_uint(j, "bytes", bytes);
	bs_json_kv_str(j, "sha256", sha);
	bs_json_obj_end(j);
}

static int
write_manifest(struct ctx *c, int code, const char *sum_sha,
    unsigned long long sum_bytes, struct bs_err *err)
{
	struct bs_buf b = BS_BUF_INIT(0);
	struct bs_json j;
	size_t i;
	int rc;

	bs_json_init(&j, &b);
	bs_json_obj_begin(&j);
	bs_manifest_head(&j, "baosong-validate", &c->stage.run, c->stage.have_ws ? c->stage.ws.root : NULL,
	    c->stage.filing, c->stage.have_report ? &c->stage.report : NULL);
	bs_json_key(&j, "params");
	bs_json_obj_begin(&j);
	for (i = 0; i < c->o->params.n; i++)
		bs_json_kv_str(&j, c->o->params.v[i].name, c->o->params.v[i].value);
	bs_json_obj_end(&j);
	bs_json_key(&j, "rule_files");
	bs_json_arr_begin(&j);
	for (i = 0; i < c->rs.nfiles; i++) {
		bs_json_obj_begin(&j);
		bs_json_kv_str(&j, "file", c->rs.files[i]);
		bs_json_kv_str(&j, "sha256", c->rs.sha256[i]);
		bs_json_obj_end(&j);
	}
	bs_json_arr_end(&j);
	bs_json_key(&j, "reference_lists");
	bs_json_arr_begin(&j);
	for (i = 0; i < c->rs.nrefs; i++) {
		bs_json_obj_begin(&j);
		bs_json_kv_str(&j, "name", c->rs.refs[i].name);
		bs_json_kv_str(&j, "path", c->rs.refs[i].path);
		bs_json_kv_str(&j, "version", c->rs.refs[i].version);
		bs_json_obj_end(&j);
	}
	if (c->rs.regions) {
		bs_json_obj_begin(&j);
		bs_json_kv_str(&j, "name", "gb2260");
		bs_json_kv_str(&j, "path", c->rs.regions_path);
		bs_json_kv_str(&j, "version", bs_region_list_version(c->rs.regions));
		bs_json_obj_end(&j);
	}
	bs_json_arr_end(&j);
	bs_json_key(&j, "validated_run");
	if (c->in.run_id && c->in.nruns == 1) {
		bs_json_obj_begin(&j);
		bs_json_kv_str(&j, "run_id", c->in.run_id);
		bs_json_kv_str(&j, "path", c->in.run_dir);
		bs_json_kv_str(&j, "filing", c->in.run_filing);
		bs_json_kv_str(&j, "manifest_sha256", c->in.run_manifest_sha);
		bs_json_obj_end(&j);
	} else {
		bs_json_null(&j);
	}
	bs_json_key(&j, "inputs");
	bs_json_arr_begin(&j);
	for (i = 0; i < c->in.n; i++) {
		const struct vinput *v = &c->in.v[i];

		/* unread inputs too: their hash as the extract manifest has it */
		bs_json_obj_begin(&j);
		bs_json_kv_str(&j, "table", v->table);
		bs_json_kv_str(&j, "path", v->path);
		bs_json_kv_bool(&j, "read", v->passes > 0);
		if (v->passes) {
			bs_json_kv_uint(&j, "rows", v->rows);
			bs_json_kv_uint(&j, "bytes", v->bytes);
			bs_json_kv_str(&j, "sha256", v->sha256);
		} else {
			bs_json_kv_str(&j, "sha256", v->expect_sha[0] ? v->expect_sha : NULL);
		}
		bs_json_kv_bool(&j, "sha256_checked", v->passes && v->expect_sha[0]);
		bs_json_obj_end(&j);
	}
	bs_json_arr_end(&j);
	bs_json_kv_str(&j, "data_sha256", c->out.data_sha256);
	bs_json_key(&j, "outputs");
	bs_json_arr_begin(&j);
	output_entry(&j, "problems.csv", c->out.bytes, c->out.sha256,
	    (long long)c->out.problems);
	if (c->out.xlsx_sha256[0])
		output_entry(&j, "review.xlsx", c->out.xlsx_bytes, c->out.xlsx_sha256, -1);
	output_entry(&j, "summary.json", sum_bytes, sum_sha, -1);
	bs_json_arr_end(&j);
	bs_json_key(&j, "outcome");
	bs_json_obj_begin(&j);
	bs_json_kv_str(&j, "status", "ok");
	bs_json_kv_int(&j, "exit_code", code);
	bs_json_kv_uint(&j, "problems", c->out.problems);
	bs_json_kv_uint(&j, "errors", c->out.errors);
	bs_json_kv_uint(&j, "warnings", c->out.warnings);
	bs_json_obj_end(&j);
	bs_json_obj_end(&j);
	rc = bs_run_write_file(&c->stage.run, "manifest.json", &b, c->manifest_sha, NULL, err);
	bs_buf_release(&b);
	return rc;
}

static int
finish_outputs(struct ctx *c, int code, struct bs_err *err)
{
	char sum_sha[BS_SHA256_HEX];
	unsigned long long sum_bytes = 0;
	double t0 = bs_now_mono();

	if (output_close(&c->out, err) < 0)
		return -1;
	bs_debug("problems.csv closed: %.3f s", bs_now_mono() - t0);
	output_fingerprint(&c->out, c->in.v, c->in.n);
	if (output_workbook_finish(&c->out, err) < 0)
		return -1;
	bs_debug("review.xlsx written: %.3f s", bs_now_mono() - t0);
	if (write_summary(c, code, sum_sha, &sum_bytes, err) < 0)
		return -1;
	if (write_manifest(c, code, sum_sha, sum_bytes, err) < 0)
		return -1;
	bs_debug("summary.json and manifest.json written: %.3f s", bs_now_mono() - t0);
	return 0;
}

static int
run_validate(struct ctx *c, int *code, struct bs_err *err)
{
	struct opts *o = c->o;
	char *root = NULL, *ptext;
	size_t i;
	int rc;

	rc = bs_workspace_find(o->workspace, &root, err);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		rc = bs_workspace_load(&c->stage.ws, root, err);
		free(root);
		if (rc < 0)
			return -1;
		c->stage.have_ws = 1;
	}
	if (!o->report && o->filing && !o->nrules && !o->check_only) {
		/* --filing REPORT/PERIOD alone names the report too */
		const char *slash = strchr(o->filing, '/');

		if (slash) {
			char *r = bs_xstrndup(o->filing, (size_t)(slash - o->filing));

			rc = bs_report_load(&c->stage.report, r, c->stage.have_ws ? &c->stage.ws : NULL, err);
			free(r);
			if (rc < 0)
				return -1;
			c->stage.have_report = 1;
		}
	} else if (o->report) {
		if (bs_report_load(&c->stage.report, o->report, c->stage.have_ws ? &c->stage.ws : NULL,
		    err) < 0)
			return -1;
		c->stage.have_report = 1;
	}
	for (i = 0; i < o->nrules; i++)
		if (add_rule_path(c, o->rules[i], err) < 0)
			return -1;
	if (c->stage.have_report && !o->nrules && report_rules(c, err) < 0)
		return -1;
	if (!c->nfiles)
		return bs_err_set(err, BS_EXIT_USAGE, "no rule files given");
	if (o->check_only)
		return check_rules(c, err);
	if (resolve_filing(c, err) < 0)
		return -1;
	if (load_rules(c, err) < 0)
		return -1;
	for (i = 0; i < o->nin; i++)
		if (inputs_add(&c->in, o->in[i], err) < 0)
			return -1;
	if (!o->nin) {
		if (!c->stage.filing)
			return bs_err_set(err, BS_EXIT_USAGE,
			    "no input: give --in, or --param period=YYYY-MM to take the "
			    "latest extract of the filing");
		if (!c->stage.have_ws)
			return bs_err_set(err, BS_EXIT_USAGE,
			    "no workspace found to look the extract of %s up in (give "
			    "--workspace or --in)", c->stage.filing);
		if (inputs_add_latest(&c->in, c->stage.ws.runs, c->stage.filing, err) < 0)
			return -1;
	}
	if (bs_stage_need_dir(&c->stage, o->out, err) < 0)
		return -1;
	ptext = c->stage.have_ws ? params_text(c) : NULL;
	rc = bs_stage_begin(&c->stage, "baosong-validate", o->out, ptext, NULL, err);
	free(ptext);
	if (rc < 0)
		return -1;
	if (output_open(&c->out, &c->stage.run, err) < 0)
		return -1;
	/* answers already given for this filing go into the new workbook */
	if (c->stage.tracked && c->stage.filing) {
		if (bs_disp_load(&c->stage.track, c->stage.filing, &c->carry, err) < 0)
			return -1;
		c->have_carry = 1;
	}
	if (output_workbook_start(&c->out, &c->stage.run, &c->rs, c->stage.filing,
	    c->stage.have_report ? c->stage.report.title : NULL, c->have_carry ? &c->carry : NULL,
	    err) < 0)
		return -1;
	{
		size_t before = c->rs.ndiags;

		if (engine_run(&c->rs, c->in.v, c->in.n, output_problem, &c->out, &c->st,
		    err) < 0) {
			if (err->code == BS_EXIT_CONFIG)
				print_diags(&c->rs, before);
			return -1;
		}
	}
	*code = c->out.errors ? BS_EXIT_REJECTED : BS_EXIT_OK;
	if (finish_outputs(c, *code, err) < 0)
		return -1;
	if (bs_run_finish(&c->stage.run, err) < 0)
		return -1;
	if (track_end(c, *code, err) < 0)
		return -1;
	verbose_table(c);
	printf("%s\n", c->stage.run.final);
	return 0;
}

static void
ctx_release(struct ctx *c)
{
	size_t i;

	output_release(&c->out);
	engine_stats_release(&c->st);
	inputs_release(&c->in);
	bs_rules_release(&c->rs);
	for (i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	bs_disp_map_release(&c->carry);
	bs_stage_release(&c->stage);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rules", required_argument, NULL, 'R' },
		{ "in", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "report", required_argument, NULL, 'r' },
		{ "param", required_argument, NULL, 'p' },
		{ "filing", required_argument, NULL, 'f' },
		{ "check-rules", no_argument, NULL, 'c' },
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
	int ch, level = BS_LOG_WARN, rc = 0, code = 0, list = 0;

	bs_log_init(argv[0]);
	memset(&o, 0, sizeof(o));
	memset(&c, 0, sizeof(c));
	c.o = &o;
	opterr = 0;
	/* "-": operands come back as 1, attached to the last list option */
	while ((ch = getopt_long(argc, argv, "-vqh", longopts, NULL)) != -1) {
		switch (ch) {
		case 1:
			if (list == 'i') {
				o.in = bs_xreallocarray(o.in, o.nin + 1, sizeof(char *));
				o.in[o.nin++] = optarg;
			} else if (list == 'R' || list == 'c') {
				o.rules = bs_xreallocarray(o.rules, o.nrules + 1,
				    sizeof(char *));
				o.rules[o.nrules++] = optarg;
			} else {
				bs_error("unexpected argument '%s'", optarg);
				rc = usage(BS_EXIT_USAGE);
				goto out;
			}
			continue;
		case 'R':
			o.rules = bs_xreallocarray(o.rules, o.nrules + 1, sizeof(char *));
			o.rules[o.nrules++] = optarg;
			break;
		case 'i':
			o.in = bs_xreallocarray(o.in, o.nin + 1, sizeof(char *));
			o.in[o.nin++] = optarg;
			break;
		case 'c': o.check_only = 1; break;
		case 'o': o.out = optarg; break;
		case 'r': o.report = optarg; break;
		case 'f': o.filing = optarg; break;
		case 'p':
			if (bs_params_parse_arg(&o.params, optarg, &err) < 0) {
				rc = bs_report(&err);
				goto out;
			}
			break;
		case 'W': o.workspace = optarg; break;
		case 'v': level++; break;
		case 'q': level = BS_LOG_ERROR; break;
		case 'h': rc = usage(0); goto out;
		case 'V': printf("baosong-validate %s\n", BS_VERSION); goto out;
		default:
			bs_error("unknown or incomplete option '%s'", argv[optind - 1]);
			rc = usage(BS_EXIT_USAGE);
			goto out;
		}
		list = ch;
	}
	bs_log_set_level(level);
	if (o.check_only) {
		if (o.nin || o.out || o.filing || o.params.n) {
			bs_error("--check-rules takes only rule files (and --report)");
			rc = usage(BS_EXIT_USAGE);
			goto out;
		}
		if (!o.nrules && !o.report) {
			bs_error("--check-rules: give rule files or --report");
			rc = usage(BS_EXIT_USAGE);
			goto out;
		}
	} else if (!!o.nrules + !!(o.report || (o.filing && !o.nrules)) != 1) {
		bs_error(o.nrules ? "give --rules or --report, not both" :
		    "give --rules, --report or --check-rules");
		rc = usage(BS_EXIT_USAGE);
		goto out;
	} else if (o.nrules && !o.nin) {
		bs_error("--rules needs --in (the CSV files or run directory to check)");
		rc = usage(BS_EXIT_USAGE);
		goto out;
	}
	if (run_validate(&c, &code, &err) < 0) {
		rc = bs_report(&err);
		bs_stage_fail(&c.stage, rc, err.msg);
	} else {
		rc = bs_close_stdout(code);
	}
out:
	ctx_release(&c);
	bs_params_release(&o.params);
	free(o.rules);
	free(o.in);
	return rc;
}
