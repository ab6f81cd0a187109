/*
 * verify.h - prove a written data file: read it back from disk, decode it
 * in its encoding, split it as the regulator would (line ends, delimiter
 * and qualifier, or byte widths), and recompute what its control file
 * states: the rows, the sums of the summed fields, the bytes and the
 * SHA-256.  They must equal what the writer counted on the way out.
 */
#ifndef TF_VERIFY_H
#define TF_VERIFY_H

#include "layout.h"

struct tf_part;

/*
 * Check dir/p->name against p (rows, bytes, sha256, sums).  0 and
 * p->verified = 1 when everything agrees; -1 with err otherwise
 * (BS_EXIT_SOFTWARE: the program wrote something it did not mean to;
 * BS_EXIT_IOERR: the file cannot be read back).
 */
int tf_verify(const char *dir, const struct bs_lay_file *lf, struct tf_part *p,
    struct bs_err *err);

#endif
