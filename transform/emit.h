/*
 * emit.h - one layout file from one input table: stream the CSV, leave out
 * excluded records, format every field, check everything the regulator
 * could misread, encode, write the data file(s) and their control files,
 * and prove the control totals by reading the written files back.
 *
 * Refusals (a character the target encoding lacks, a value wider than its
 * fixed width, a delimiter or line break where forbidden, a code without a
 * mapping, a malformed date or amount, a multi-byte character holding the
 * delimiter byte) are printed when their record is done, in the order of
 * the fields, up to run->max_problems, as "table: record N (line L), key
 * K, column C: what", and counted; the file goes on being checked to the
 * end so that all of them are reported in one run.  After the first
 * refusal nothing more is written: the caller publishes nothing.
 *
 * Threads: the input is read and hashed ahead by one (input.h, tf_feed),
 * each data file written and read back by another (verify.h); the
 * caller's thread parses and formats.  Memory: a few buffers of input and
 * output bytes, one record, one output line and the exclusion set,
 * whatever the number of rows.
 */
#ifndef TF_EMIT_H
#define TF_EMIT_H

#include "layout.h"
#include "sha256.h"

/* An exclusion set: record keys of one table that reviewers excluded. */
struct tf_excl {
	char **keys;
	unsigned char *hit;	/* matched by a record */
	size_t n, alloc;
	size_t *slots;
	size_t nslots;
};

void tf_excl_add(struct tf_excl *x, const char *key);
/* Index of key in x, or -1. */
long tf_excl_find(const struct tf_excl *x, const char *key, size_t n);
void tf_excl_release(struct tf_excl *x);

/* One written data file (a part of a table when max_rows splits it). */
struct tf_part {
	char *name;		/* data file name */
	unsigned long long rows;
	unsigned long long bytes;
	char sha256[BS_SHA256_HEX];
	char **sums;		/* per field: the sum as text, NULL if not summed */
	int verified;		/* totals recomputed from the file and equal */
	char *ctl_name;		/* control file, NULL without one */
	unsigned long long ctl_bytes;
	char ctl_sha256[BS_SHA256_HEX];
};

/* What all the files of one run share. */
struct tf_run {
	const char *layout_path;	/* for messages */
	const char *dir;	/* where files go; NULL: --check, write nothing */
	struct bs_lay_vars vars;	/* org, period, today (per file: the rest) */
	unsigned long max_problems;	/* refusals printed; 0: no limit */
	unsigned long problems;	/* refusals so far, all files */
	char **names;		/* every output name so far (collisions) */
	size_t nnames;
};

struct tf_job {
	const struct bs_lay_file *lf;
	const char *label;	/* table name for messages */
	const char *in_path;	/* the CSV */
	const struct tf_excl *excl;	/* may be NULL */
	char **key;		/* key columns (layout's or report's), nkey */
	size_t nkey;
	/* column types for expressions where the layout declares none
	 * (the table's rule file columns:), borrowed */
	const char *const *type_col, *const *type_decl;
	size_t ntypes;
	/* results */
	unsigned long long rows_in;	/* records read */
	unsigned long long excluded;	/* left out (reviewers' exclusions) */
	unsigned long long rows_out;	/* written */
	unsigned long refused;	/* refusals in this file */
	char in_sha256[BS_SHA256_HEX];	/* of the CSV as read */
	unsigned long long in_bytes;
	unsigned char *excl_hit;	/* per exclusion: matched (owned) */
	struct tf_part *parts;
	size_t nparts;
};

/*
 * Do the job.  Returns 0 (also when values were refused: job->refused and
 * run->problems say so), or -1 with err for anything that stops the run:
 * a layout that does not fit the input (78), unreadable or malformed input
 * (66, 65), a write error (74), totals that disagree (70).
 */
int tf_emit(struct tf_run *run, struct tf_job *job, struct bs_err *err);
void tf_job_release(struct tf_job *job);

/* Forget the names collected for collision checks. */
void tf_run_release(struct tf_run *run);

#endif
