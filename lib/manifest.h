/*
 * manifest.h - the fields every run's manifest.json opens with, written
 * the same way by every program so that auditors and later stages read
 * one shape: program, version, run_id, started and ended (UTC), host,
 * user, workspace, filing, and the report definition (name, path, SHA-256
 * of report.yaml) or null.
 *
 *	bs_json_obj_begin(&j);
 *	bs_manifest_head(&j, "baosong-extract", &run, ws_root, filing, report);
 *	... the program's own fields ...
 *	bs_json_obj_end(&j);
 */
#ifndef BS_MANIFEST_H
#define BS_MANIFEST_H

#include "json.h"
#include "report.h"
#include "rundir.h"

void bs_manifest_head(struct bs_json *j, const char *program,
    const struct bs_run *run, const char *workspace, const char *filing,
    const struct bs_report *report);

/*
 * Write b into the run's directory as name (atomically, refusing to
 * replace a file); *sha (BS_SHA256_HEX, may be NULL) gets its SHA-256 and
 * *bytes (may be NULL) its size.  The ending of every manifest and summary.
 */
int bs_run_write_file(const struct bs_run *run, const char *name,
    const struct bs_buf *b, char *sha, unsigned long long *bytes,
    struct bs_err *err);

#endif
