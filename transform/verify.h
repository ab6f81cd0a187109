/*
 * verify.h - write a data file, and prove it: a thread of its own writes
 * the bytes the caller hands over and reads each stretch straight back
 * from disk, decodes it in the file's encoding, splits it as the
 * regulator would (line ends, delimiter and qualifier, or byte widths),
 * and recomputes what the control file states: the rows, the sums of the
 * summed fields, the bytes and the SHA-256.  At the close they must equal
 * what the writer counted on the way out; the SHA-256 the control file
 * and the manifest give is the one computed from the file on disk.
 *
 * The file is published atomically (lib/ofile.h): it appears under its
 * name only once complete.
 *
 *	struct tf_verifier *v = tf_sink_open(path, lf, summed, &err);
 *	tf_sink_write(v, line, n, &err);	// any number of times
 *	tf_sink_close(v, part, &err);		// commit, compare; frees v
 */
#ifndef TF_VERIFY_H
#define TF_VERIFY_H

#include "layout.h"

#define TF_SINK_BATCH ((size_t)512 * 1024)	/* bytes per write */

struct tf_part;
struct tf_verifier;

/*
 * Create path (which must not exist) as lf describes it; summed[i] says
 * whether field i is summed.  NULL with err (73, 74, 71).
 */
struct tf_verifier *tf_sink_open(const char *path,
    const struct bs_lay_file *lf, const int *summed, struct bs_err *err);

/* Append n bytes.  -1 with err when writing or reading back failed. */
int tf_sink_write(struct tf_verifier *v, const void *data, size_t n,
    struct bs_err *err);

/*
 * The file is complete: publish it, finish reading it back, compare with
 * p (rows, sums), set p->bytes, p->sha256 and p->verified.  Frees v.  0,
 * or -1 with err: BS_EXIT_SOFTWARE (70) when the file says something else
 * than the writer counted, BS_EXIT_IOERR (74) for a write or read error.
 */
int tf_sink_close(struct tf_verifier *v, struct tf_part *p,
    struct bs_err *err);

/* Give up: the temporary file is removed; frees v; NULL is fine. */
void tf_sink_abort(struct tf_verifier *v);

#endif
