#include "bs.h"
#include "output.h"
#include "review.h"

#include "sha256.h"
#include "workbook.h"

static const char *const header[] = { "rule_id", "severity", "category",
	"table", "record", "line", "key", "columns", "values", "message",
	"owner" };

int
output_open(struct output *o, const struct bs_run *run, struct bs_err *err)
{
	char *tmp = bs_run_path(run, "problems.csv");
	int rc;

	memset(o, 0, sizeof(*o));
	rc = bs_ofile_open(&o->f, tmp, BS_OFILE_EXCL, err);
	free(tmp);
	if (rc < 0)
		return -1;
	o->open = 1;
	o->path = bs_xasprintf("%s/problems.csv", run->final);
	bs_csv_writer_init(&o->w, &o->f);
	return bs_csv_write_record(&o->w, header, BS_ARRAY_SIZE(header), err);
}

static int
put(struct output *o, const char *s, size_t n, struct bs_err *err)
{
	return bs_csv_write_field(&o->w, s && n ? s : NULL, n, err);
}

int
output_problem(void *ctx, const struct vproblem *p, struct bs_err *err)
{
	struct output *o = ctx;
	const struct bs_rule *r = p->rule;
	char rec[24], line[24];
	const char *sev = r->severity == BS_SEV_ERROR ? "error" : "warning";

	o->problems++;
	if (r->severity == BS_SEV_ERROR)
		o->errors++;
	else
		o->warnings++;
	snprintf(rec, sizeof(rec), "%" PRIu64, p->record);
	snprintf(line, sizeof(line), "%" PRIu64, p->line);
	if (bs_csv_write_str(&o->w, r->id, err) < 0 ||
	    bs_csv_write_str(&o->w, sev, err) < 0 ||
	    put(o, r->category, strlen(r->category), err) < 0 ||
	    bs_csv_write_str(&o->w, p->table, err) < 0 ||
	    put(o, rec, p->record ? strlen(rec) : 0, err) < 0 ||
	    put(o, line, p->record ? strlen(line) : 0, err) < 0 ||
	    put(o, p->key, p->key_len, err) < 0 ||
	    put(o, p->columns, p->columns ? strlen(p->columns) : 0, err) < 0 ||
	    bs_csv_write_field(&o->w, p->values, p->values_len, err) < 0 ||
	    bs_csv_write_str(&o->w, r->message, err) < 0 ||
	    put(o, r->owner, strlen(r->owner), err) < 0)
		return -1;
	return bs_csv_end_record(&o->w, err);
}

int
output_close(struct output *o, struct bs_err *err)
{
	bs_csv_writer_release(&o->w);
	o->open = 0;
	o->bytes = o->f.bytes;
	if (bs_ofile_commit(&o->f, err) < 0)
		return -1;
	memcpy(o->sha256, o->f.sha256, sizeof(o->sha256));
	return 0;
}

static int
vin_cmp(const void *a, const void *b)
{
	const struct vinput *x = *(const struct vinput *const *)a;
	const struct vinput *y = *(const struct vinput *const *)b;

	return strcmp(x->table, y->table);
}

void
output_fingerprint(struct output *o, const struct vinput *in, size_t n)
{
	const struct vinput **v = bs_xcalloc(n ? n : 1, sizeof(*v));
	struct bs_buf b = BS_BUF_INIT(0);
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (in[i].sha256[0])
			v[k++] = &in[i];
	qsort(v, k, sizeof(*v), vin_cmp);
	for (i = 0; i < k; i++)
		bs_buf_addf(&b, "%s %s\n", v[i]->table, v[i]->sha256);
	bs_sha256_hex(b.buf ? b.buf : "", b.len, o->data_sha256);
	bs_buf_release(&b);
	free(v);
}

void
output_release(struct output *o)
{
	if (o->open) {
		bs_csv_writer_release(&o->w);
		bs_ofile_abort(&o->f);
		o->open = 0;
	}
	free(o->path);
	o->path = NULL;
}

/* "2026-11-27T21:30:01Z" -> "2026-11-27 21:30:01" */
static void
sheet_time(const char *iso, char out[32])
{
	size_t n = strlen(iso);

	snprintf(out, 32, "%s", iso);
	if (n == 20 && iso[10] == 'T' && iso[19] == 'Z') {
		out[10] = ' ';
		out[19] = '\0';
	}
}

static unsigned long long
num(const char *s)
{
	return s ? strtoull(s, NULL, 10) : 0;
}

int
output_workbook(struct output *o, const struct bs_run *run,
    const struct bs_rules *rs, const char *filing, const char *title,
    struct bs_disp_map *carry, struct bs_err *err)
{
	struct bs_workbook_meta m;
	struct bs_workbook *wb = NULL;
	struct bs_csv_reader rd;
	struct bs_csv_opts co = BS_CSV_OPTS_INIT;
	char *csv = bs_run_path(run, "problems.csv");
	char *xlsx = bs_run_path(run, "review.xlsx");
	char when[32];
	size_t i;
	int k, rc = -1;

	memset(&rd, 0, sizeof(rd));
	memset(&m, 0, sizeof(m));
	sheet_time(run->started, when);
	m.filing = filing;
	m.run_id = run->id;
	m.report_title = title;
	m.data_sha256 = o->data_sha256;
	m.generated_at = when;
	if (bs_workbook_open(&wb, xlsx, &m, err) < 0)
		goto done;
	for (i = 0; i < rs->nrules; i++) {
		const struct bs_rule *r = &rs->rules[i];

		if (bs_workbook_rule(wb, r->id, r->message,
		    r->severity == BS_SEV_ERROR ? "error" : "warning", r->owner,
		    r->category, err) < 0)
			goto done;
	}
	if (bs_csv_open(&rd, csv, &co, err) < 0)
		goto done;
	while ((k = bs_csv_next(&rd, err)) == 1) {
		struct bs_problem p;

		memset(&p, 0, sizeof(p));
		p.rule_id = bs_csv_field(&rd, 0, NULL);
		p.severity = bs_csv_field(&rd, 1, NULL);
		p.category = bs_csv_field(&rd, 2, NULL);
		p.table = bs_csv_field(&rd, 3, NULL);
		p.record = num(bs_csv_field(&rd, 4, NULL));
		p.line = num(bs_csv_field(&rd, 5, NULL));
		p.key = bs_csv_field(&rd, 6, NULL);
		p.columns = bs_csv_field(&rd, 7, NULL);
		p.values = bs_csv_field(&rd, 8, NULL);
		p.message = bs_csv_field(&rd, 9, NULL);
		p.owner = bs_csv_field(&rd, 10, NULL);
		if (carry && p.rule_id && p.table) {
			struct bs_disp_rec *d = bs_disp_find(carry, p.rule_id, p.table,
			    p.key ? p.key : "");

			p.status = "新";
			if (d) {
				d->seen = 1;
				p.status = d->disp == BS_DISP_FIXED ? "已重开" : "未变";
				p.disposition = bs_disp_label(d->disp);
				p.comment = d->comment;
				p.reviewer = d->reviewer;
			}
		}
		if (bs_workbook_add(wb, &p, err) < 0)
			goto done;
	}
	if (k < 0)
		goto done;
	rc = bs_workbook_close(wb, err);
	wb = NULL;
	if (rc == 0)
		rc = bs_sha256_file(xlsx, o->xlsx_sha256, &o->xlsx_bytes, err);
done:
	bs_workbook_abort(wb);
	bs_csv_close(&rd);
	free(csv);
	free(xlsx);
	return rc;
}
