/*
 * inputs.h - what baosong-validate reads: CSV files and run directories
 * given with --in, or the latest finished extract run of a filing.
 *
 * A run directory contributes every CSV its manifest.json lists as an
 * output (with the SHA-256 recorded there, checked while the file is read),
 * or, without a manifest, every *.csv in it.  A CSV file given by itself
 * is the table named after the file ("policy.csv" is table policy).
 */
#ifndef BS_VALIDATE_INPUTS_H
#define BS_VALIDATE_INPUTS_H

#include "engine.h"

struct inputs {
	struct vinput *v;
	size_t n, alloc;
	/* the extract run the inputs came from, when there is exactly one */
	char *run_dir;
	char *run_id;
	char *run_filing;
	char run_manifest_sha[65];
	int nruns;		/* run directories given or found */
};

/* Add a CSV file or a run directory.  -1 with err (66, 64, 65). */
int inputs_add(struct inputs *in, const char *path, struct bs_err *err);

/*
 * Find the newest finished run of baosong-extract for filing in runs_dir
 * (its manifest: program baosong-extract, filing, outcome ok; newest by run
 * id, which sorts by start time) and add it.  -1 with err: 66 when there
 * is none.
 */
int inputs_add_latest(struct inputs *in, const char *runs_dir,
    const char *filing, struct bs_err *err);

void inputs_release(struct inputs *in);

#endif
