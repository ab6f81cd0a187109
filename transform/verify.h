/*
 * verify.h - prove a written data file: read it back from disk, decode it
 * in its encoding, split it as the regulator would (line ends, delimiter
 * and qualifier, or byte widths), and recompute what its control file
 * states: the rows, the sums of the summed fields, the bytes and the
 * SHA-256.  They must equal what the writer counted on the way out.
 *
 * The reading runs in a thread of its own while the file is being
 * written: the writer says how many bytes are in the file so far
 * (tf_verify_more()), the checker reads up to there, and when the writer
 * has closed the file tf_verify_finish() waits for the checker to reach
 * the end and compares.  The SHA-256 the control file and the manifest
 * give is this one, computed from the file on disk.
 */
#ifndef TF_VERIFY_H
#define TF_VERIFY_H

#include "layout.h"

struct tf_part;
struct tf_verifier;

/*
 * Start checking the file at path (already created) as lf describes it;
 * summed[i] says whether field i is summed.  NULL with err (74, 71) when
 * the file cannot be opened or no thread started.
 */
struct tf_verifier *tf_verify_start(const char *path,
    const struct bs_lay_file *lf, const int *summed, struct bs_err *err);

/* The first flushed bytes of the file are written (and may be read). */
void tf_verify_more(struct tf_verifier *v, unsigned long long flushed);

/*
 * The file is complete (p->bytes long): wait for the check, compare with
 * p (rows, bytes, sums), set p->sha256 and p->verified.  Frees v.  0, or
 * -1 with err: BS_EXIT_SOFTWARE (70) when the file says something else
 * than the writer counted, BS_EXIT_IOERR (74) when it cannot be read.
 */
int tf_verify_finish(struct tf_verifier *v, struct tf_part *p,
    struct bs_err *err);

/* Stop checking (failure paths); frees v; NULL is fine. */
void tf_verify_abort(struct tf_verifier *v);

#endif
