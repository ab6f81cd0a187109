#include "bs.h"
#include "output.h"

#include "sha256.h"

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
