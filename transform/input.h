/*
 * input.h - what baosong-transform reads: a finished run directory (an
 * extract run, or a validation run and the extract run it validated), its
 * CSV files with the SHA-256 its manifest recorded, and a reader that
 * hashes a file while it is read so that the check costs no second pass.
 *
 * Manifests understood:
 *   baosong-extract   outputs[] {name, rows, sha256}; filing; params.period;
 *                     derived_params.institution_code; report {name, path}
 *   baosong-validate  inputs[] {table, path, rows?, sha256}; validated_run
 *                     {run_id, path} (the extract run); data_sha256 (what
 *                     approvals are bound to); filing as above.  Without
 *                     inputs[], the outputs of the validated run.
 */
#ifndef TF_INPUT_H
#define TF_INPUT_H

#include <pthread.h>

#include "csv.h"
#include "json.h"
#include "sha256.h"

struct tf_table_in {
	char *table;		/* "policy" */
	char *path;		/* absolute path of the CSV */
	char *sha256;		/* as recorded, or NULL */
	unsigned long long rows;	/* as recorded */
	int have_rows;
};

struct tf_input {
	char *dir;		/* the run directory (absolute) */
	char manifest_sha[BS_SHA256_HEX];
	char *program;		/* "baosong-extract", "baosong-validate" */
	char *run_id;
	char *filing;		/* may be NULL */
	char *period;		/* may be NULL */
	char *org;		/* institution code recorded, may be NULL */
	char *report;		/* report name, may be NULL */
	char *report_path;	/* report folder, may be NULL */
	char *source_run;	/* validate: the extract run's id, else NULL */
	char *source_dir;	/* validate: the extract run's directory */
	char *data_sha256;	/* validate: fingerprint of the validated data */
	struct tf_table_in *t;
	size_t nt;
};

/* Read dir/manifest.json and resolve the CSV files.  66 missing, 65 bad. */
int tf_input_load(struct tf_input *in, const char *dir, struct bs_err *err);
void tf_input_release(struct tf_input *in);
const struct tf_table_in *tf_input_table(const struct tf_input *in,
    const char *table);

/*
 * A CSV table whose bytes a second thread reads ahead and hashes: the
 * SHA-256 is of exactly the bytes parsed, and costs the caller's thread a
 * copy.  (Parsing in that thread too, handing records over in batches,
 * was measured slower: the formatter then reads every field from another
 * core's cache.)  The header is read by tf_feed_open(); feed->r answers
 * the header questions (bs_csv_header*, bs_csv_name).
 *
 *	struct tf_feed f;
 *	if (tf_feed_open(&f, "policy.csv", &opts, &err) < 0) return -1;
 *	while ((rc = tf_feed_next(&f, &err)) == 1)
 *		v = tf_feed_field(&f, i, &n);	// NULL for a NULL field
 *	tf_feed_finish(&f, hex, &bytes);	// after rc == 0
 *	tf_feed_close(&f);
 */
#define TF_FEED_SLOTS 8
#define TF_FEED_SLOT ((size_t)256 * 1024)

struct tf_feed {
	struct bs_csv_reader r;
	int have_r;
	FILE *fp;
	char *iobuf;		/* fp's buffer */
	int fd;
	struct bs_sha256 h;
	int hashing;
	char hex[BS_SHA256_HEX];
	unsigned long long bytes;
	pthread_t th;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	/* raw bytes: the thread fills slot[head], the reader empties tail */
	char *slot[TF_FEED_SLOTS];
	ssize_t slen[TF_FEED_SLOTS];	/* > 0 data, 0 end, -1 error */
	int sfull[TF_FEED_SLOTS];
	size_t shead, stail, soff;
	int err_no;
	/* the current record, where the reader has it */
	const char *block;
	const struct bs_csv_span *spans;
	size_t nf;
};

/*
 * Open path, start the thread, read the header (o as for bs_csv_open()).
 * -1 with err (66, 65, 74, 71).
 */
int tf_feed_open(struct tf_feed *f, const char *path, const struct bs_csv_opts *o,
    struct bs_err *err);
/* The next record: 1, 0 at the end, -1 with err (65 malformed, 74). */
int tf_feed_next(struct tf_feed *f, struct bs_err *err);
/* The digest and size of the file (valid once tf_feed_next() said 0). */
void tf_feed_finish(struct tf_feed *f, char hex[BS_SHA256_HEX],
    unsigned long long *bytes);
/* Stop the thread and free everything; a zeroed feed is fine. */
void tf_feed_close(struct tf_feed *f);

/* Field i of the current record, NULL for a NULL (or beyond its fields). */
static inline const char *
tf_feed_field(const struct tf_feed *f, size_t i, size_t *len)
{
	if (i >= f->nf || f->spans[i].off == BS_CSV_NULL_OFF) {
		*len = 0;
		return NULL;
	}
	*len = f->spans[i].len;
	return f->block + f->spans[i].off;
}

static inline uint64_t
tf_feed_recno(const struct tf_feed *f)
{
	return bs_csv_recno(&f->r);
}

static inline uint64_t
tf_feed_line(const struct tf_feed *f)
{
	return bs_csv_line(&f->r);
}

#endif
