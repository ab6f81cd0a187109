/*
 * refcsv.h - reading the small reference files shipped under rules/ (code
 * lists, the region list, the working-day calendar), and naming their version.
 *
 * A reference file is UTF-8 CSV with a header row and one record per
 * physical line: RFC 4180 quoting ("a,b" and "" inside quotes) is accepted,
 * but a quoted field may not hold a line break, so every message can name
 * "file:line".  LF or CRLF line ends, an optional UTF-8 byte order mark, and
 * blank lines (skipped) are accepted.  A line longer than
 * BS_REFCSV_LINE_MAX bytes, a NUL byte, invalid UTF-8 or a record whose
 * field count differs from the header's is an error.
 *
 * Errors: the file missing or unreadable is 66 (BS_EXIT_NOINPUT), a read
 * failure 74 (BS_EXIT_IOERR), bad content 78 (BS_EXIT_CONFIG: reference
 * files are part of the definitions), as "path:line: what" or
 * "path:line:column: what".
 *
 * Ownership: struct bs_refcsv lives in caller storage; the field strings are
 * borrowed and valid until the next bs_refcsv_next() or bs_refcsv_close().
 *
 *	static const char *const cols[] = { "code", "name" };
 *	struct bs_refcsv r;
 *	if (bs_refcsv_open(&r, path, err) < 0)
 *		return -1;
 *	if (bs_refcsv_header(&r, cols, 2, err) < 0)
 *		goto fail;
 *	while ((rc = bs_refcsv_next(&r, err)) == 1)
 *		use(r.field[0], r.field[1]);	// rc == -1: err is set
 *	bs_refcsv_close(&r);
 */
#ifndef BS_REFCSV_H
#define BS_REFCSV_H

#include <stdio.h>
#include "buf.h"

#define BS_REFCSV_LINE_MAX 65536	/* bytes per line, line end excluded */
#define BS_REFCSV_VERSION_MAX 200	/* bytes of a version string */

struct bs_refcsv {
	FILE *fp;
	char *path;		/* owned copy, used in messages */
	unsigned long line;	/* physical line of the current record */
	size_t ncols;		/* header field count, 0 before the header */
	size_t nfield;		/* fields of the current record */
	const char **field;	/* nfield NUL-terminated strings (borrowed) */
	/* private */
	size_t afield;
	size_t *off;
	struct bs_buf raw;
	struct bs_buf data;
};

/* Open path for reading.  -1 with err (66) if it cannot be opened. */
int bs_refcsv_open(struct bs_refcsv *r, const char *path, struct bs_err *err);

/*
 * Read the next non-blank record into r->field / r->nfield.
 * Returns 1 for a record, 0 at end of file, -1 with err (74 or 78).
 * After bs_refcsv_header(), every record must have r->ncols fields.
 */
int bs_refcsv_next(struct bs_refcsv *r, struct bs_err *err);

/*
 * Read the header record and check that it starts with the n names given
 * (more columns may follow; they are the caller's to use or ignore).  Sets
 * r->ncols.  -1 with err (78: "path:1: header must start with 'a,b'...").
 */
int bs_refcsv_header(struct bs_refcsv *r, const char *const *names, size_t n,
    struct bs_err *err);

/* Fill err with code 78 and "path:line: " + the formatted message; -1. */
int bs_refcsv_fail(const struct bs_refcsv *r, struct bs_err *err,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Close the file and free everything; accepts a zeroed or closed reader. */
void bs_refcsv_close(struct bs_refcsv *r);

/*
 * The path of a sibling file: path without a final ".csv", plus suffix
 * ("rules/ref/gb2260.csv", "-extra.csv" -> "rules/ref/gb2260-extra.csv").
 * The caller frees the result.
 */
char *bs_refcsv_sibling(const char *path, const char *suffix);

/*
 * The version of the reference file at path, for manifests and messages.
 * If the sibling "<stem>.VERSION" exists, its first non-blank line (trimmed,
 * printable, at most BS_REFCSV_VERSION_MAX bytes); otherwise
 * "sha256:<first 16 hex digits of the file's SHA-256>".  The caller frees
 * the result.  NULL with err: 66/74 if a file cannot be read, 78 if the
 * VERSION file is empty or its line is too long or holds control bytes.
 */
char *bs_refcsv_version(const char *path, struct bs_err *err);

#endif
