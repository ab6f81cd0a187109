/*
 * ofile.h - an output file that is published atomically.
 *
 * Bytes go to "<dir>/.<name>.tmp.<pid>" through a 256 KiB buffer, counted
 * and hashed (SHA-256) on the way; bs_ofile_commit() flushes, fsyncs and
 * renames to the final name, so a reader never sees a half-written file.
 * bs_ofile_abort() (also called by commit on failure) unlinks the temporary.
 * A full disk or any write error surfaces as BS_EXIT_IOERR with the path.
 *
 *	struct bs_ofile o;
 *	if (bs_ofile_open(&o, "out/policy.csv", 0, &err) < 0) ...
 *	bs_ofile_write(&o, "a,b\n", 4, &err);
 *	bs_ofile_commit(&o, &err);	// o.sha256, o.bytes now final
 */
#ifndef BS_OFILE_H
#define BS_OFILE_H

#include <stddef.h>
#include "sha256.h"

enum bs_ofile_flags {
	BS_OFILE_EXCL = 1u << 0,	/* refuse (73) if the final name exists */
	BS_OFILE_NOHASH = 1u << 1,	/* do not compute SHA-256 */
};

struct bs_ofile {
	char *path;		/* final path (owned) */
	char *tmp;		/* temporary path (owned) */
	int fd;
	unsigned flags;
	char *buf;
	size_t len, cap;
	unsigned long long bytes;	/* bytes written so far */
	struct bs_sha256 h;
	char sha256[BS_SHA256_HEX];	/* set by commit */
};

int bs_ofile_open(struct bs_ofile *o, const char *path, unsigned flags,
    struct bs_err *err);
int bs_ofile_write(struct bs_ofile *o, const void *data, size_t n,
    struct bs_err *err);
int bs_ofile_puts(struct bs_ofile *o, const char *s, struct bs_err *err);
int bs_ofile_commit(struct bs_ofile *o, struct bs_err *err);
void bs_ofile_abort(struct bs_ofile *o);

/* Write a whole buffer to path atomically (temp + fsync + rename). */
int bs_write_file_atomic(const char *path, const void *data, size_t n,
    struct bs_err *err);

/* fsync a directory (after renames into it); -1 with err on failure. */
int bs_fsync_dir(const char *dir, struct bs_err *err);

#endif
