#include "bs.h"
#include "output.h"
#include "review.h"

#include <pthread.h>

#include "sha256.h"
#include "workbook.h"

struct wbq;
static int wb_queue(struct wbq *w, const struct vproblem *p, struct bs_err *err);

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
	    put(o, r->owner, strlen(r->owner), err) < 0 ||
	    bs_csv_end_record(&o->w, err) < 0)
		return -1;
	return o->wbq ? wb_queue(o->wbq, p, err) : 0;
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

/* ------------------------------------------------------------ workbook */

/*
 * The workbook is written by its own thread while the engine runs: the
 * sink copies each problem into a block; full blocks go to the thread
 * through a bounded queue (so memory stays flat however many problems
 * there are).  A problem in a block: struct qrec, then key, columns and
 * values, each NUL-terminated, padded to 8 bytes.
 */
#define WB_BLOCK ((size_t)64 << 10)
#define WB_QUEUE 4

struct qrec {
	const struct bs_rule *rule;
	const char *table;
	uint64_t record, line;
	size_t key_len, col_len, val_len;	/* SIZE_MAX: NULL */
	size_t size;		/* of the whole entry */
};

struct wbq {
	struct bs_workbook *wb;
	struct bs_disp_map *carry;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct bs_buf cur;	/* the block being filled (the sink's) */
	struct bs_buf q[WB_QUEUE];	/* full blocks */
	size_t head, count;
	int done;		/* no more blocks */
	int failed;		/* the thread's bs_workbook_add() failed */
	struct bs_err err;
};

static const char *
qstr(const char **p, size_t len)
{
	const char *s = *p;

	if (len == SIZE_MAX)
		return NULL;
	*p += len + 1;
	return s;
}

/*
 * Add the problems of one block.  Each field is what the workbook got when
 * it was made from problems.csv: the fields output_problem() writes as
 * NULL when empty are NULL when empty here too.
 */
static int
wb_add_block(struct wbq *w, const struct bs_buf *b, struct bs_err *err)
{
	size_t off = 0;

	while (off < b->len) {
		struct qrec h;
		const char *p = b->buf + off + sizeof(h);
		const struct bs_rule *r;
		struct bs_problem pr;

		memcpy(&h, b->buf + off, sizeof(h));
		off += h.size;
		r = h.rule;
		memset(&pr, 0, sizeof(pr));
		pr.rule_id = r->id;
		pr.severity = r->severity == BS_SEV_ERROR ? "error" : "warning";
		pr.category = *r->category ? r->category : NULL;
		pr.table = h.table;
		pr.record = h.record;
		pr.line = h.record ? h.line : 0;
		pr.key = qstr(&p, h.key_len);
		if (pr.key && !*pr.key)
			pr.key = NULL;
		pr.columns = qstr(&p, h.col_len);
		if (pr.columns && !*pr.columns)
			pr.columns = NULL;
		pr.values = qstr(&p, h.val_len);
		pr.message = r->message;
		pr.owner = *r->owner ? r->owner : NULL;
		if (w->carry && pr.table) {
			struct bs_disp_rec *d = bs_disp_find(w->carry, pr.rule_id,
			    pr.table, pr.key ? pr.key : "");

			pr.status = "新";
			if (d) {
				d->seen = 1;
				pr.status = d->disp == BS_DISP_FIXED ? "已重开" : "未变";
				pr.disposition = bs_disp_label(d->disp);
				pr.comment = d->comment;
				pr.reviewer = d->reviewer;
			}
		}
		if (bs_workbook_add(w->wb, &pr, err) < 0)
			return -1;
	}
	return 0;
}

static void *
wb_thread(void *arg)
{
	struct wbq *w = arg;
	struct bs_err e = BS_ERR_INIT;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct bs_buf b;
		int rc;

		while (!w->count && !w->done)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->count)
			break;
		b = w->q[w->head];
		pthread_mutex_unlock(&w->mu);
		rc = w->failed ? 0 : wb_add_block(w, &b, &e);
		pthread_mutex_lock(&w->mu);
		if (rc < 0) {
			w->failed = 1;
			w->err = e;
		}
		bs_buf_reset(&w->q[w->head]);
		w->head = (w->head + 1) % WB_QUEUE;
		w->count--;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Hand the current block to the thread (waiting for room). */
static int
wb_push(struct wbq *w, struct bs_err *err)
{
	size_t slot;
	int failed;

	if (!w->cur.len)
		return 0;
	pthread_mutex_lock(&w->mu);
	while (w->count == WB_QUEUE && !w->failed)
		pthread_cond_wait(&w->cv, &w->mu);
	failed = w->failed;
	if (!failed) {
		slot = (w->head + w->count) % WB_QUEUE;
		/* swap buffers: the slot's (empty) storage becomes cur */
		{
			struct bs_buf t = w->q[slot];

			w->q[slot] = w->cur;
			w->cur = t;
		}
		w->count++;
		pthread_cond_broadcast(&w->cv);
	} else {
		*err = w->err;
	}
	pthread_mutex_unlock(&w->mu);
	bs_buf_reset(&w->cur);
	return failed ? -1 : 0;
}

static void
add_str(struct bs_buf *b, const char *s, size_t n)
{
	if (!s)
		return;
	bs_buf_add(b, s, n);
	bs_buf_addc(b, '\0');
}

/* Queue problem p for the workbook. */
static int
wb_queue(struct wbq *w, const struct vproblem *p, struct bs_err *err)
{
	struct qrec h;
	size_t at = w->cur.len, pad;

	memset(&h, 0, sizeof(h));
	h.rule = p->rule;
	h.table = p->table;
	h.record = p->record;
	h.line = p->line;
	h.key_len = p->key ? p->key_len : SIZE_MAX;
	h.col_len = p->columns ? strlen(p->columns) : SIZE_MAX;
	h.val_len = p->values ? p->values_len : SIZE_MAX;
	bs_buf_add(&w->cur, (const char *)&h, sizeof(h));
	add_str(&w->cur, p->key, p->key_len);
	add_str(&w->cur, p->columns, h.col_len);
	add_str(&w->cur, p->values, p->values_len);
	pad = (8 - (w->cur.len - at) % 8) % 8;
	while (pad--)
		bs_buf_addc(&w->cur, '\0');
	h.size = w->cur.len - at;
	memcpy(w->cur.buf + at, &h, sizeof(h));
	if (w->cur.len >= WB_BLOCK)
		return wb_push(w, err);
	return 0;
}

/* Stop the thread (after the queue is drained); 0, or -1 if it failed. */
static int
wb_stop(struct wbq *w, struct bs_err *err)
{
	int failed;

	pthread_mutex_lock(&w->mu);
	w->done = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	failed = w->failed;
	if (failed && err)
		*err = w->err;
	return failed ? -1 : 0;
}

static void
wb_free(struct wbq *w)
{
	size_t i;

	bs_buf_release(&w->cur);
	for (i = 0; i < WB_QUEUE; i++)
		bs_buf_release(&w->q[i]);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}

int
output_workbook_start(struct output *o, const struct bs_run *run,
    const struct bs_rules *rs, const char *filing, const char *title,
    struct bs_disp_map *carry, struct bs_err *err)
{
	struct bs_workbook_meta m;
	struct bs_workbook *wb = NULL;
	struct wbq *w;
	char *xlsx = bs_run_path(run, "review.xlsx");
	char when[32];
	size_t i;

	memset(&m, 0, sizeof(m));
	sheet_time(run->started, when);
	m.filing = filing;
	m.run_id = run->id;
	m.report_title = title;
	m.generated_at = when;
	if (bs_workbook_open(&wb, xlsx, &m, err) < 0)
		goto fail;
	for (i = 0; i < rs->nrules; i++) {
		const struct bs_rule *r = &rs->rules[i];

		if (bs_workbook_rule(wb, r->id, r->message,
		    r->severity == BS_SEV_ERROR ? "error" : "warning", r->owner,
		    r->category, err) < 0)
			goto fail;
	}
	w = bs_xcalloc(1, sizeof(*w));
	w->wb = wb;
	w->carry = carry;
	w->cur = (struct bs_buf)BS_BUF_INIT(0);
	for (i = 0; i < WB_QUEUE; i++)
		w->q[i] = (struct bs_buf)BS_BUF_INIT(0);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->th, NULL, wb_thread, w) != 0) {
		bs_err_set(err, BS_EXIT_OSERR, "cannot start a thread: %s",
		    strerror(errno));
		wb_free(w);
		goto fail;
	}
	o->wbq = w;
	o->xlsx = xlsx;
	return 0;
fail:
	bs_workbook_abort(wb);
	free(xlsx);
	return -1;
}

int
output_workbook_finish(struct output *o, struct bs_err *err)
{
	struct wbq *w = o->wbq;
	struct bs_workbook *wb;
	double t0 = bs_now_mono();
	int rc;

	if (!w)
		return 0;
	o->wbq = NULL;
	wb = w->wb;
	rc = wb_push(w, err);
	if (wb_stop(w, rc < 0 ? NULL : err) < 0)
		rc = -1;
	wb_free(w);
	if (rc < 0) {
		bs_workbook_abort(wb);
		return -1;
	}
	bs_debug("review.xlsx: %llu problems added (%.3f s waited for them)",
	    bs_workbook_count(wb), bs_now_mono() - t0);
	bs_workbook_set_data_sha256(wb, o->data_sha256);
	if (bs_workbook_close(wb, err) < 0)
		return -1;
	return bs_sha256_file(o->xlsx, o->xlsx_sha256, &o->xlsx_bytes, err);
}

void
output_release(struct output *o)
{
	if (o->wbq) {
		struct bs_workbook *wb = o->wbq->wb;

		(void)wb_stop(o->wbq, NULL);
		wb_free(o->wbq);
		bs_workbook_abort(wb);
		o->wbq = NULL;
	}
	if (o->open) {
		bs_csv_writer_release(&o->w);
		bs_ofile_abort(&o->f);
		o->open = 0;
	}
	free(o->path);
	o->path = NULL;
	free(o->xlsx);
	o->xlsx = NULL;
}
