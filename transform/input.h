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
 * A stdio stream over path whose bytes are read ahead and hashed by a
 * second thread: the SHA-256 is of exactly the bytes the caller reads,
 * and it costs the caller's thread nothing but a copy.  Once the caller
 * has read to the end, tf_hashed_finish() gives the digest; fclose() on
 * the stream stops the thread and closes the file.
 */
#define TF_HASHED_SLOTS 8
#define TF_HASHED_SLOT ((size_t)256 * 1024)
struct tf_hashed {
	int fd;
	pthread_t th;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *slot[TF_HASHED_SLOTS];
	ssize_t len[TF_HASHED_SLOTS];	/* > 0 data, 0 end, -1 error */
	int full[TF_HASHED_SLOTS];
	size_t head, tail, off;
	int stop, err_no;
	struct bs_sha256 h;
	char hex[BS_SHA256_HEX];
	unsigned long long bytes;
};
FILE *tf_hashed_open(struct tf_hashed *hf, const char *path, struct bs_err *err);
/* The digest (empty if the end was not reached) into hex. */
void tf_hashed_finish(struct tf_hashed *hf, char hex[BS_SHA256_HEX]);

#endif
