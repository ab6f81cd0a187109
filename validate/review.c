/*
 * baosong-review - the departments' answers to the problem-data list, read
 * back from the review workbook; the approval gate (maker-checker, bound
 * to exactly what was reviewed); the status of a filing; the handling-notes
 * workbook that accompanies the submission.
 */
#include "bs.h"
#include "json.h"
#include "review.h"
#include "report.h"
#include "sha256.h"
#include "track.h"
#include "workspace.h"
#include "xlsxread.h"
#include "rundir.h"

#include <getopt.h>
#include <xlsxwriter.h>

static const char usage_text[] =
    "usage: baosong-review import FILE.xlsx --filing REPORT/PERIOD --by NAME\n"
    "       baosong-review status --filing REPORT/PERIOD\n"
    "       baosong-review approve --filing REPORT/PERIOD --role ROLE --by NAME\n"
    "       baosong-review handling-notes --filing REPORT/PERIOD [--out FILE.xlsx]\n"
    "common options: [--workspace DIR] [-v]... [-q] [--help] [--version]\n";

struct opts {
	const char *cmd, *file, *filing, *by, *role, *out, *workspace;
};

struct ctx {
	struct opts *o;
	struct bs_workspace ws;
	int have_ws;
	struct bs_report report;
	int have_report;
	struct bs_track track;
	struct bs_validation v;
	struct bs_disp_map probs;	/* problems of the latest validation */
	struct bs_disp_map disps;	/* dispositions of the filing */
};

static int
usage(int rc)
{
	fputs(usage_text, rc ? stderr : stdout);
	if (!rc)
		fputs("\nSee baosong-review(1).\n", stdout);
	return rc;
}

static char *
trimmed(const char *s)
{
	const char *e;

	if (!s)
		return NULL;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	return bs_xstrndup(s, (size_t)(e - s));
}

/* Workspace, report of the filing, tracking store, latest validation. */
static int
setup(struct ctx *c, struct bs_err *err)
{
	char *report;
	const char *slash = strchr(c->o->filing, '/');
	int rc;

	if (!slash || slash == c->o->filing || !slash[1] || strchr(slash + 1, '/'))
		return bs_err_set(err, BS_EXIT_USAGE,
		    "--filing wants REPORT/PERIOD (e.g. east-sample/2026-10), not '%s'",
		    c->o->filing);
	rc = bs_workspace_open(&c->ws, c->o->workspace, err);
	if (rc < 0)
		return -1;
	if (rc == 1)
		return bs_err_set(err, BS_EXIT_USAGE,
		    "no workspace found (no baosong.yaml here or above); give --workspace");
	c->have_ws = 1;
	report = bs_xstrndup(c->o->filing, (size_t)(slash - c->o->filing));
	rc = bs_report_load(&c->report, report, &c->ws, err);
	free(report);
	if (rc < 0)
		return -1;
	c->have_report = 1;
	if (bs_track_open(&c->track, &c->ws.tracking, err) < 0)
		return -1;
	if (bs_review_latest_validation(&c->track, c->o->filing, &c->v, err) < 0 ||
	    bs_review_problems_load(c->v.run_dir, &c->probs, err) < 0 ||
	    bs_disp_load(&c->track, c->o->filing, &c->disps, err) < 0)
		return -1;
	return 0;
}

/* Record a refusal as an event, then fill err (code 1). */
static int
refuse(struct ctx *c, const char *what, struct bs_err *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int
refuse(struct ctx *c, const char *what, struct bs_err *err, const char *fmt, ...)
{
	char msg[BS_ERR_MSG_MAX];
	struct bs_buf d = BS_BUF_INIT(0);
	struct bs_err e2 = BS_ERR_INIT;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bs_buf_addf(&d, "{\"what\": \"%s\", \"by\": ", what);
	bs_json_quote(&d, c->o->by ? c->o->by : "", c->o->by ? strlen(c->o->by) : 0);
	bs_buf_adds(&d, ", \"reason\": ");
	bs_json_quote(&d, msg, strlen(msg));
	bs_buf_adds(&d, "}");
	if (bs_track_event(&c->track, "review.refuse", c->o->filing, c->v.run_id,
	    NULL, d.buf, &e2) < 0)
		bs_warn("%s", e2.msg);
	bs_buf_release(&d);
	return bs_err_set(err, BS_EXIT_REJECTED, "%s", msg);
}

/* ---- import ---- */

struct answer {
	char *rule, *table, *key, *comment, *reviewer;
	enum bs_disp disp;
	char where[160];	/* sheet!row */
};

struct import_state {
	struct answer *a;
	size_t n, alloc;
	struct bs_buf problems;	/* one line per problem found */
	size_t nproblems;
};

static void
complain(struct import_state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
complain(struct import_state *s, const char *fmt, ...)
{
	va_list ap;
	char line[1024];

	s->nproblems++;
	if (s->nproblems > 50)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	bs_buf_addf(&s->problems, "%s\n", line);
}

static int
read_meta(struct bs_xlsx *x, const char *file, char **filing, char **run_id,
    struct bs_err *err)
{
	struct bs_xlsx_rows *r = NULL;
	int rc, have_format = 0;

	*filing = *run_id = NULL;
	if (bs_xlsx_sheet_find(x, "_baosong") < 0)
		return bs_err_set(err, BS_EXIT_DATAERR,
		    "%s: not a baosong review workbook (it has no _baosong sheet)", file);
	if (bs_xlsx_rows_open(x, "_baosong", &r, err) < 0)
		return -1;
	while ((rc = bs_xlsx_rows_next(r, err)) == 1) {
		const char *k = bs_xlsx_cell(r, 0, NULL), *v = bs_xlsx_cell(r, 1, NULL);

		if (!k)
			continue;
		if (!strcmp(k, "format_version")) {
			if (!v || strcmp(v, "1") != 0) {
				bs_xlsx_rows_close(r);
				return bs_err_set(err, BS_EXIT_DATAERR,
				    "%s: review workbook format '%s' is not one this "
				    "program reads (1)", file, v ? v : "");
			}
			have_format = 1;
		} else if (!strcmp(k, "filing") && !*filing) {
			*filing = bs_xstrdup(v ? v : "");
		} else if (!strcmp(k, "run_id") && !*run_id) {
			*run_id = bs_xstrdup(v ? v : "");
		}
	}
	bs_xlsx_rows_close(r);
	if (rc < 0)
		return -1;
	if (!have_format || !*filing)
		return bs_err_set(err, BS_EXIT_DATAERR,
		    "%s: not a baosong review workbook (_baosong lacks format_version "
		    "or filing)", file);
	return 0;
}

static const char *const answer_cols[] = { "规则编号", "表", "主键", "处理方式",
	"处理说明", "复核人" };

/* Read the answers of one sheet; a sheet without the header is skipped. */
static int
read_sheet(struct ctx *c, struct bs_xlsx *x, size_t i, struct import_state *s,
    struct bs_err *err)
{
	const char *name = bs_xlsx_sheet_name(x, i);
	struct bs_xlsx_rows *r = NULL;
	struct bs_err herr = BS_ERR_INIT;
	long col[6];
	int rc;

	if (!strcmp(name, "_baosong") || !strcmp(name, "汇总"))
		return 0;
	if (bs_xlsx_rows_open_at(x, i, &r, err) < 0)
		return -1;
	if (bs_xlsx_rows_header(r, answer_cols, BS_ARRAY_SIZE(answer_cols), col,
	    BS_XLSX_TRIM, 5, &herr) < 0) {
		bs_xlsx_rows_close(r);
		if (herr.code != BS_EXIT_DATAERR || strstr(herr.msg, "malformed"))
			return bs_err_set(err, herr.code, "%s", herr.msg);
		bs_info("sheet '%s' is not a problem list; skipped", name);
		return 0;
	}
	while ((rc = bs_xlsx_rows_next(r, err)) == 1) {
		char *rule = trimmed(bs_xlsx_cell(r, (size_t)col[0], NULL));
		char *table = trimmed(bs_xlsx_cell(r, (size_t)col[1], NULL));
		const char *key = bs_xlsx_cell(r, (size_t)col[2], NULL);
		char *dv = trimmed(bs_xlsx_cell(r, (size_t)col[3], NULL));
		char *comment = trimmed(bs_xlsx_cell(r, (size_t)col[4], NULL));
		char *reviewer = trimmed(bs_xlsx_cell(r, (size_t)col[5], NULL));
		char where[160];
		enum bs_disp d = BS_DISP_NONE;
		int bad = 0;

		snprintf(where, sizeof(where), "%s: sheet '%s' row %lu", c->o->file,
		    name, bs_xlsx_row_number(r));
		if ((!dv || !*dv) && (!comment || !*comment))
			goto next;	/* not answered */
		if (!rule || !*rule || !table || !*table) {
			complain(s, "%s: answered, but 规则编号 or 表 is empty", where);
			goto next;
		}
		if (!dv || !*dv) {
			complain(s, "%s: 处理说明 given without 处理方式 (choose 已修改, 说明 or 剔除)",
			    where);
			goto next;
		}
		if (bs_disp_parse(dv, &d) < 0) {
			complain(s, "%s: 处理方式 '%s' is not one of 已修改, 说明, 剔除", where, dv);
			goto next;
		}
		if ((d == BS_DISP_EXPLAINED || d == BS_DISP_EXCLUDED) &&
		    (!comment || !*comment)) {
			complain(s, "%s: %s needs a 处理说明 (the reason)", where,
			    bs_disp_label(d));
			bad = 1;
		}
		if (!bs_disp_find(&c->probs, rule, table, key ? key : "")) {
			complain(s, "%s: rule %s, table %s, key '%s' is not a problem of the "
			    "current validation %s (the key no longer exists or was fixed)",
			    where, rule, table, key ? key : "", c->v.run_id);
			bad = 1;
		}
		if (!bad) {
			struct answer *a;
			size_t k;

			for (k = 0; k < s->n; k++)
				if (!strcmp(s->a[k].rule, rule) && !strcmp(s->a[k].table, table) &&
				    !strcmp(s->a[k].key, key ? key : ""))
					break;
			if (k < s->n) {
				if (s->a[k].disp != d || strcmp(s->a[k].comment ? s->a[k].comment : "",
				    comment ? comment : ""))
					complain(s, "%s: rule %s, key '%s' is answered differently "
					    "at %s", where, rule, key ? key : "", s->a[k].where);
				goto next;
			}
			BS_ALLOC_GROW(s->a, s->n + 1, s->alloc);
			a = &s->a[s->n++];
			a->rule = rule;
			a->table = table;
			a->key = bs_xstrdup(key ? key : "");
			a->comment = comment && *comment ? comment : NULL;
			a->reviewer = reviewer && *reviewer ? reviewer : NULL;
			a->disp = d;
			memcpy(a->where, where, sizeof(a->where));
			if (!a->comment)
				free(comment);
			if (!a->reviewer)
				free(reviewer);
			rule = table = comment = reviewer = NULL;
		}
next:
		free(rule);
		free(table);
		free(dv);
		free(comment);
		free(reviewer);
	}
	bs_xlsx_rows_close(r);
	return rc < 0 ? -1 : 0;
}

static int
cmd_import(struct ctx *c, struct bs_err *err)
{
	struct import_state s;
	struct bs_xlsx *x = NULL;
	char *filing = NULL, *run_id = NULL, sha[BS_SHA256_HEX], at[32];
	char import_id[96];
	unsigned long counts[4] = { 0, 0, 0, 0 };
	struct bs_buf d = BS_BUF_INIT(0);
	size_t i;
	int rc = -1;

	memset(&s, 0, sizeof(s));
	s.problems = (struct bs_buf)BS_BUF_INIT(0);
	if (bs_sha256_file(c->o->file, sha, NULL, err) < 0 ||
	    bs_xlsx_open(&x, c->o->file, err) < 0 ||
	    read_meta(x, c->o->file, &filing, &run_id, err) < 0)
		goto done;
	if (strcmp(filing, c->o->filing) != 0) {
		bs_err_set(err, BS_EXIT_DATAERR,
		    "%s: this is the review workbook of filing %s, not of %s; nothing "
		    "imported", c->o->file, filing, c->o->filing);
		goto done;
	}
	if (strcmp(run_id, c->v.run_id) != 0)
		bs_warn("%s comes from validation %s; answers are matched against the "
		    "current validation %s by rule and key", c->o->file, run_id, c->v.run_id);
	for (i = 0; i < bs_xlsx_nsheets(x); i++)
		if (read_sheet(c, x, i, &s, err) < 0)
			goto done;
	if (s.nproblems) {
		fputs(bs_buf_str(&s.problems), stderr);
		if (s.nproblems > 50)
			fprintf(stderr, "... and %zu more\n", s.nproblems - 50);
		bs_err_set(err, BS_EXIT_DATAERR,
		    "%s: %zu problem%s in the answers; nothing imported (an import is "
		    "all or nothing)", c->o->file, s.nproblems, s.nproblems == 1 ? "" : "s");
		goto done;
	}
	if (!s.n) {
		bs_err_set(err, BS_EXIT_DATAERR, "%s: no answers found (fill 处理方式 and "
		    "处理说明); nothing imported", c->o->file);
		goto done;
	}
	bs_utc_now(at, sizeof(at));
	snprintf(import_id, sizeof(import_id), "import-%s-%.12s", at, sha);
	if (bs_db_begin(&c->track.db, err) < 0)
		goto done;
	for (i = 0; i < s.n; i++) {
		struct answer *a = &s.a[i];
		const char *del[4] = { c->o->filing, a->rule, a->table, a->key };
		const char *ins[11] = { c->o->filing, a->rule, a->table, a->key,
			bs_disp_name(a->disp), a->comment, c->o->by,
			a->reviewer ? a->reviewer : c->o->by, at, import_id, "open" };

		counts[a->disp]++;
		if (bs_db_execp(&c->track.db, "DELETE FROM bs_disposition WHERE filing = ?"
		    " AND rule_id = ? AND table_name = ? AND record_key = ?", 4, del, err) < 0 ||
		    bs_db_execp(&c->track.db, "INSERT INTO bs_disposition (filing, rule_id,"
		    " table_name, record_key, disposition, comment, by_name, reviewer, at,"
		    " import_id, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", 11, ins,
		    err) < 0) {
			bs_db_rollback(&c->track.db);
			goto done;
		}
	}
	bs_buf_addf(&d, "{\"workbook_sha256\": \"%s\", \"by\": ", sha);
	bs_json_quote(&d, c->o->by, strlen(c->o->by));
	bs_buf_addf(&d, ", \"validation\": \"%s\", \"answers\": %zu, \"fixed\": %lu,"
	    " \"explained\": %lu, \"excluded\": %lu}", c->v.run_id, s.n,
	    counts[BS_DISP_FIXED], counts[BS_DISP_EXPLAINED], counts[BS_DISP_EXCLUDED]);
	if (bs_track_event_in_tx(&c->track, "review.import", c->o->filing, c->v.run_id,
	    NULL, d.buf, err) < 0) {
		bs_db_rollback(&c->track.db);
		goto done;
	}
	if (bs_db_commit(&c->track.db, err) < 0)
		goto done;
	bs_info("imported %zu answers from %s: %lu 已修改, %lu 说明, %lu 剔除", s.n,
	    c->o->file, counts[BS_DISP_FIXED], counts[BS_DISP_EXPLAINED],
	    counts[BS_DISP_EXCLUDED]);
	rc = 0;
done:
	for (i = 0; i < s.n; i++) {
		free(s.a[i].rule);
		free(s.a[i].table);
		free(s.a[i].key);
		free(s.a[i].comment);
		free(s.a[i].reviewer);
	}
	free(s.a);
	bs_buf_release(&s.problems);
	bs_buf_release(&d);
	free(filing);
	free(run_id);
	bs_xlsx_close(x);
	return rc;
}

/* ---- status ---- */

/*
 * States of a problem of the current validation: open (no answer), pending
 * (answered 已修改, awaiting the re-extract), explained, excluded, reopened
 * (answered 已修改 but still failing after a re-validation); and fixed: an
 * answer 已修改 whose problem the current validation no longer finds.
 */
enum { ST_OPEN, ST_PENDING, ST_EXPLAINED, ST_EXCLUDED, ST_REOPENED, ST_FIXED, ST_N };

struct tally {
	char *owner, *severity;
	unsigned long n[ST_N];
};

static struct tally *
tally_get(struct tally **t, size_t *n, size_t *alloc, const char *owner,
    const char *sev)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*t)[i].owner, owner) && !strcmp((*t)[i].severity, sev))
			return &(*t)[i];
	BS_ALLOC_GROW(*t, *n + 1, *alloc);
	memset(&(*t)[*n], 0, sizeof(**t));
	(*t)[*n].owner = bs_xstrdup(owner);
	(*t)[*n].severity = bs_xstrdup(sev);
	return &(*t)[(*n)++];
}

static int
tally_cmp(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;
	int c = strcmp(x->owner, y->owner);

	return c ? c : strcmp(x->severity, y->severity);
}

/* Count problems per owner/severity by state; *blocking = open errors. */
static void
tally_all(struct ctx *c, struct tally **t, size_t *n, unsigned long *blocking)
{
	size_t i, alloc = 0;

	*t = NULL;
	*n = 0;
	*blocking = 0;
	for (i = 0; i < c->disps.n; i++)
		c->disps.v[i].seen = 0;
	for (i = 0; i < c->probs.n; i++) {
		struct bs_disp_rec *p = &c->probs.v[i];
		struct bs_disp_rec *d = bs_disp_find(&c->disps, p->rule_id, p->table, p->key);
		struct tally *ty = tally_get(t, n, &alloc, p->owner, p->severity);
		int st = ST_OPEN;

		if (d) {
			d->seen = 1;
			st = d->disp == BS_DISP_EXPLAINED ? ST_EXPLAINED :
			    d->disp == BS_DISP_EXCLUDED ? ST_EXCLUDED :
			    d->status && !strcmp(d->status, "reopened") ? ST_REOPENED :
			    ST_PENDING;
		}
		ty->n[st]++;
		if ((st == ST_OPEN || st == ST_PENDING || st == ST_REOPENED) &&
		    !strcmp(p->severity, "error"))
			(*blocking)++;
	}
	for (i = 0; i < c->disps.n; i++) {
		struct bs_disp_rec *d = &c->disps.v[i];

		if (!d->seen && d->disp == BS_DISP_FIXED)
			tally_get(t, n, &alloc, d->owner ? d->owner : "(已关闭)", "-")->n[ST_FIXED]++;
	}
	if (*n > 1)
		qsort(*t, *n, sizeof(**t), tally_cmp);
}

static void
tally_free(struct tally *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(t[i].owner);
		free(t[i].severity);
	}
	free(t);
}

/* Print s padded to w terminal columns (CJK characters take two). */
static void
put_padded(const char *s, int w)
{
	const unsigned char *p = (const unsigned char *)s;
	int cols = 0;

	for (; *p; p++)
		if ((*p & 0xC0) != 0x80)
			cols += *p >= 0xE1 ? 2 : 1;
	fputs(s, stdout);
	for (; cols < w; cols++)
		putchar(' ');
}

static int
cmd_status(struct ctx *c, struct bs_err *err)
{
	struct bs_approval_state *st = NULL;
	struct tally *t;
	size_t n, ns = 0, i;
	unsigned long blocking;
	char disp[BS_SHA256_HEX];

	if (bs_review_dispositions_sha256(&c->track, c->o->filing, disp, err) < 0 ||
	    bs_review_approvals(&c->track, &c->report, c->o->filing, c->v.data_sha256,
		disp, &st, &ns, err) < 0)
		return -1;
	tally_all(c, &t, &n, &blocking);
	printf("filing %s: validation %s, data %.12s…, dispositions %.12s…\n",
	    c->o->filing, c->v.run_id, c->v.data_sha256, disp);
	put_padded("责任部门 owner", 22);
	printf("%-9s %6s %8s %9s %8s %8s %6s\n", "severity", "open", "pending",
	    "explained", "excluded", "reopened", "fixed");
	for (i = 0; i < n; i++) {
		put_padded(t[i].owner, 22);
		printf("%-9s %6lu %8lu %9lu %8lu %8lu %6lu\n", t[i].severity,
		    t[i].n[ST_OPEN], t[i].n[ST_PENDING], t[i].n[ST_EXPLAINED],
		    t[i].n[ST_EXCLUDED], t[i].n[ST_REOPENED], t[i].n[ST_FIXED]);
	}
	printf("blocking (errors neither explained nor excluded): %lu\n", blocking);
	printf("approvals, in order:\n");
	for (i = 0; i < ns; i++) {
		fputs("  ", stdout);
		put_padded(st[i].role, 16);
		printf(" %s%s%s%s%s\n",
		    st[i].current ? "approved by " : st[i].by ? "STALE (approved by " : "missing",
		    st[i].by ? st[i].by : "", st[i].by ? " at " : "",
		    st[i].by ? st[i].at : "", st[i].by && !st[i].current ? ")" : "");
	}
	tally_free(t, n);
	bs_review_states_free(st, ns);
	return 0;
}

/* ---- approve ---- */

static int
cmd_approve(struct ctx *c, struct bs_err *err)
{
	struct bs_approval_state *st = NULL;
	struct tally *t = NULL;
	size_t n = 0, ns = 0, i, idx;
	unsigned long blocking;
	char disp[BS_SHA256_HEX], at[32];
	struct bs_buf d = BS_BUF_INIT(0);
	int rc = -1;

	if (bs_review_dispositions_sha256(&c->track, c->o->filing, disp, err) < 0 ||
	    bs_review_approvals(&c->track, &c->report, c->o->filing, c->v.data_sha256,
		disp, &st, &ns, err) < 0)
		goto done;
	for (idx = 0; idx < ns; idx++)
		if (!strcmp(st[idx].role, c->o->role))
			break;
	if (idx == ns) {
		struct bs_buf roles = BS_BUF_INIT(0);

		for (i = 0; i < ns; i++)
			bs_buf_addf(&roles, "%s%s", i ? ", " : "", st[i].role);
		bs_err_set(err, BS_EXIT_USAGE, "role '%s' is not one that report %s "
		    "requires (%s)", c->o->role, c->report.name, bs_buf_str(&roles));
		bs_buf_release(&roles);
		goto done;
	}
	for (i = 0; i < c->disps.n; i++) {
		struct bs_disp_rec *r = &c->disps.v[i];

		if (!strcmp(r->by, c->o->by) || (r->reviewer && !strcmp(r->reviewer, c->o->by))) {
			refuse(c, "maker-checker", err, "%s imported or answered dispositions "
			    "of %s (rule %s, key '%s'), so cannot also approve them "
			    "(maker-checker)", c->o->by, c->o->filing, r->rule_id, r->key);
			goto done;
		}
	}
	for (i = 0; i < idx; i++)
		if (!st[i].current) {
			refuse(c, "order", err, "%s approves after %s, which has %s", c->o->role,
			    st[i].role, st[i].by ? "only approved an earlier state (stale)" :
			    "not approved yet");
			goto done;
		}
	tally_all(c, &t, &n, &blocking);
	if (blocking) {
		struct bs_buf who = BS_BUF_INIT(0);

		for (i = 0; i < n; i++)
			if (!strcmp(t[i].severity, "error") &&
			    t[i].n[ST_OPEN] + t[i].n[ST_PENDING] + t[i].n[ST_REOPENED])
				bs_buf_addf(&who, "%s%s %lu", who.len ? ", " : "", t[i].owner,
				    t[i].n[ST_OPEN] + t[i].n[ST_PENDING] + t[i].n[ST_REOPENED]);
		refuse(c, "open-errors", err, "%lu error problem%s of validation %s %s "
		    "neither explained nor excluded (%s)", blocking, blocking == 1 ? "" : "s",
		    c->v.run_id, blocking == 1 ? "is" : "are", bs_buf_str(&who));
		bs_buf_release(&who);
		goto done;
	}
	if (st[idx].current) {
		printf("%s already approved this state of %s (%s at %s)\n", c->o->role,
		    c->o->filing, st[idx].by, st[idx].at);
		rc = 0;
		goto done;
	}
	bs_utc_now(at, sizeof(at));
	{
		const char *p[7] = { c->o->filing, c->o->role, c->o->by, at, c->v.run_id,
			c->v.data_sha256, disp };

		if (bs_db_begin(&c->track.db, err) < 0)
			goto done;
		bs_buf_adds(&d, "{\"role\": ");
		bs_json_quote(&d, c->o->role, strlen(c->o->role));
		bs_buf_adds(&d, ", \"by\": ");
		bs_json_quote(&d, c->o->by, strlen(c->o->by));
		bs_buf_addf(&d, ", \"validation\": \"%s\", \"data_sha256\": \"%s\","
		    " \"dispositions_sha256\": \"%s\"}", c->v.run_id, c->v.data_sha256, disp);
		if (bs_db_execp(&c->track.db, "INSERT INTO bs_approval (filing, role, by_name,"
		    " at, validation_run, data_sha256, dispositions_sha256) VALUES"
		    " (?, ?, ?, ?, ?, ?, ?)", 7, p, err) < 0 ||
		    bs_track_event_in_tx(&c->track, "review.approve", c->o->filing,
			c->v.run_id, NULL, d.buf, err) < 0) {
			bs_db_rollback(&c->track.db);
			goto done;
		}
		if (bs_db_commit(&c->track.db, err) < 0)
			goto done;
	}
	printf("%s approved %s (validation %s, data %.12s…) as %s\n", c->o->by,
	    c->o->filing, c->v.run_id, c->v.data_sha256, c->o->role);
	if (idx + 1 < ns)
		printf("next: %s\n", st[idx + 1].role);
	else
		printf("all %zu approvals are in; the filing may be packed\n", ns);
	rc = 0;
done:
	bs_buf_release(&d);
	tally_free(t, n);
	bs_review_states_free(st, ns);
	return rc;
}

/* ---- handling notes ---- */

static int
cmd_notes(struct ctx *c, struct bs_err *err)
{
	static const char *const head[] = { "规则编号", "严重程度", "表", "主键",
		"问题描述", "责任部门", "处理方式", "处理说明", "复核人", "导入人",
		"导入时间" };
	struct bs_approval_state *st = NULL;
	lxw_workbook_options wo = { .constant_memory = LXW_TRUE, .tmpdir = NULL };
	lxw_workbook *wb = NULL;
	lxw_worksheet *ws, *ap;
	lxw_format *bold;
	char disp[BS_SHA256_HEX], *out, *tmp = NULL, sha[BS_SHA256_HEX];
	size_t ns = 0, i;
	lxw_row_t row = 1;
	lxw_error le;
	int rc = -1;

	out = c->o->out ? bs_xstrdup(c->o->out) : bs_xasprintf("handling-notes-%.*s-%s.xlsx",
	    (int)(strchr(c->o->filing, '/') - c->o->filing), c->o->filing,
	    strchr(c->o->filing, '/') + 1);
	if (bs_review_dispositions_sha256(&c->track, c->o->filing, disp, err) < 0 ||
	    bs_review_approvals(&c->track, &c->report, c->o->filing, c->v.data_sha256,
		disp, &st, &ns, err) < 0)
		goto done;
	tmp = bs_xasprintf("%s.tmp.%ld", out, (long)getpid());
	{
		/* find out now, in our words, whether the file can be made */
		int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

		if (fd < 0) {
			bs_err_set(err, BS_EXIT_CANTCREAT, "cannot create '%s': %s", out,
			    strerror(errno));
			goto done;
		}
		close(fd);
		unlink(tmp);
	}
	wb = workbook_new_opt(tmp, &wo);
	if (!wb) {
		bs_err_set(err, BS_EXIT_CANTCREAT, "cannot create '%s'", tmp);
		goto done;
	}
	ws = workbook_add_worksheet(wb, "问题数据处理方式");
	ap = workbook_add_worksheet(wb, "审批记录");
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	for (i = 0; i < BS_ARRAY_SIZE(head); i++)
		worksheet_write_string(ws, 0, (lxw_col_t)i, head[i], bold);
	worksheet_freeze_panes(ws, 1, 0);
	for (i = 0; i < c->probs.n; i++) {
		struct bs_disp_rec *p = &c->probs.v[i];
		struct bs_disp_rec *d = bs_disp_find(&c->disps, p->rule_id, p->table, p->key);
		const char *v[11] = { p->rule_id, !strcmp(p->severity, "error") ? "错误" :
			"警告", p->table, p->key, p->message, p->owner,
			d ? (d->disp != BS_DISP_FIXED ? bs_disp_label(d->disp) :
			d->status && !strcmp(d->status, "reopened") ?
			"已修改（仍未通过，已重开）" : "已修改（待重新抽数）") : "未处理", d ? d->comment : NULL,
			d ? d->reviewer : NULL, d ? d->by : NULL, d ? d->at : NULL };
		size_t k;

		for (k = 0; k < 11; k++)
			if (v[k])
				worksheet_write_string(ws, row, (lxw_col_t)k, v[k], NULL);
		row++;
	}
	worksheet_autofilter(ws, 0, 0, row > 1 ? row - 1 : 1, 10);
	worksheet_write_string(ap, 0, 0, "报送任务", bold);
	worksheet_write_string(ap, 0, 1, c->o->filing, NULL);
	worksheet_write_string(ap, 1, 0, "校验批次", bold);
	worksheet_write_string(ap, 1, 1, c->v.run_id, NULL);
	worksheet_write_string(ap, 2, 0, "数据指纹 (SHA-256)", bold);
	worksheet_write_string(ap, 2, 1, c->v.data_sha256, NULL);
	worksheet_write_string(ap, 3, 0, "处理方式指纹 (SHA-256)", bold);
	worksheet_write_string(ap, 3, 1, disp, NULL);
	worksheet_write_string(ap, 5, 0, "审批角色", bold);
	worksheet_write_string(ap, 5, 1, "审批人", bold);
	worksheet_write_string(ap, 5, 2, "审批时间", bold);
	worksheet_write_string(ap, 5, 3, "状态", bold);
	for (i = 0; i < ns; i++) {
		worksheet_write_string(ap, (lxw_row_t)(6 + i), 0, st[i].role, NULL);
		if (st[i].by) {
			worksheet_write_string(ap, (lxw_row_t)(6 + i), 1, st[i].by, NULL);
			worksheet_write_string(ap, (lxw_row_t)(6 + i), 2, st[i].at, NULL);
		}
		worksheet_write_string(ap, (lxw_row_t)(6 + i), 3, st[i].current ? "已审批" :
		    st[i].by ? "已过期（数据或处理方式已变更）" : "未审批", NULL);
	}
	le = workbook_close(wb);
	wb = NULL;
	if (le != LXW_NO_ERROR) {
		unlink(tmp);
		bs_err_set(err, BS_EXIT_IOERR, "cannot write '%s': %s", out, lxw_strerror(le));
		goto done;
	}
	if (rename(tmp, out) != 0) {
		unlink(tmp);
		bs_err_set(err, BS_EXIT_CANTCREAT, "cannot rename '%s' to '%s': %s", tmp, out,
		    strerror(errno));
		goto done;
	}
	if (bs_sha256_file(out, sha, NULL, err) < 0)
		goto done;
	{
		struct bs_buf d = BS_BUF_INIT(0);

		bs_buf_adds(&d, "{\"file\": ");
		bs_json_quote(&d, out, strlen(out));
		bs_buf_addf(&d, ", \"sha256\": \"%s\", \"problems\": %zu}", sha, c->probs.n);
		rc = bs_track_event(&c->track, "review.handling_notes", c->o->filing,
		    c->v.run_id, NULL, d.buf, err);
		bs_buf_release(&d);
	}
	if (rc == 0)
		printf("%s\n", out);
done:
	if (wb)
		workbook_close(wb);
	free(tmp);
	free(out);
	bs_review_states_free(st, ns);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "filing", required_argument, NULL, 'F' },
		{ "by", required_argument, NULL, 'B' },
		{ "role", required_argument, NULL, 'R' },
		{ "out", required_argument, NULL, 'o' },
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

	bs_log_init(argv[0]);
	memset(&o, 0, sizeof(o));
	memset(&c, 0, sizeof(c));
	c.o = &o;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "vqh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'F': o.filing = optarg; break;
		case 'B': o.by = optarg; break;
		case 'R': o.role = optarg; break;
		case 'o': o.out = optarg; break;
		case 'W': o.workspace = optarg; break;
		case 'v': level++; break;
		case 'q': level = BS_LOG_ERROR; break;
		case 'h': return usage(0);
		case 'V': printf("baosong-review %s\n", BS_VERSION); return 0;
		default:
			bs_error("unknown or incomplete option '%s'", argv[optind - 1]);
			return usage(BS_EXIT_USAGE);
		}
	}
	bs_log_set_level(level);
	if (optind >= argc) {
		bs_error("give a command: import, status, approve or handling-notes");
		return usage(BS_EXIT_USAGE);
	}
	o.cmd = argv[optind++];
	if (!strcmp(o.cmd, "import") && optind < argc)
		o.file = argv[optind++];
	if (optind < argc) {
		bs_error("unexpected argument '%s'", argv[optind]);
		return usage(BS_EXIT_USAGE);
	}
	if (strcmp(o.cmd, "import") && strcmp(o.cmd, "status") &&
	    strcmp(o.cmd, "approve") && strcmp(o.cmd, "handling-notes")) {
		bs_error("unknown command '%s'", o.cmd);
		return usage(BS_EXIT_USAGE);
	}
	if (!o.filing || (!strcmp(o.cmd, "import") && (!o.file || !o.by)) ||
	    (!strcmp(o.cmd, "approve") && (!o.role || !o.by))) {
		bs_error("%s needs %s", o.cmd, !strcmp(o.cmd, "import") ?
		    "FILE.xlsx, --filing and --by" : !strcmp(o.cmd, "approve") ?
		    "--filing, --role and --by" : "--filing");
		return usage(BS_EXIT_USAGE);
	}
	if (o.by && !*o.by) {
		bs_error("--by must name a person");
		return usage(BS_EXIT_USAGE);
	}
	if (setup(&c, &err) < 0)
		rc = bs_report(&err);
	else if ((!strcmp(o.cmd, "import") ? cmd_import(&c, &err) :
	    !strcmp(o.cmd, "status") ? cmd_status(&c, &err) :
	    !strcmp(o.cmd, "approve") ? cmd_approve(&c, &err) :
	    cmd_notes(&c, &err)) < 0)
		rc = bs_report(&err);
	else
		rc = bs_close_stdout(0);
	bs_disp_map_release(&c.probs);
	bs_disp_map_release(&c.disps);
	bs_validation_release(&c.v);
	bs_track_close(&c.track);
	if (c.have_report)
		bs_report_release(&c.report);
	if (c.have_ws)
		bs_workspace_release(&c.ws);
	return rc;
}
