/*
 * csvat.h - read one CSV record again from its byte offset in a file.
 *
 * For callers that keep where a record is instead of its values: the
 * external key sets of validate's unique rules (keyset.h) hold the offsets
 * that bs_csv_offset() gave, and read a record back only to compare a key.
 * The record is parsed by a fresh csv.h reader over the file from that
 * offset with the options the file was first read with, so its fields are
 * byte for byte those bs_csv_field() gave then (a BOM-like first field
 * included: only the start of the file can hold a BOM, and it is skipped
 * before any record).  One record cannot be read again: the NULL that a
 * blank line is in a file whose header has one field (there is nothing to
 * read; the next record would be found instead).  The file is read with pread(): the descriptor's
 * offset does not move, and another thread may read() it meanwhile.
 *
 * Ownership: struct bs_csvat lives in caller storage and holds the reader;
 * bs_csvat_close() frees it.  Fields are borrowed like bs_csv_field()'s.
 *
 *	struct bs_csvat a;
 *	if (bs_csvat_read(&a, fd, off, &opts, "policy.csv", &err) < 0)
 *		return -1;
 *	v = bs_csv_field(&a.r, 0, &len);
 *	bs_csvat_close(&a);
 */
#ifndef BS_CSVAT_H
#define BS_CSVAT_H

#include <stdint.h>
#include <stdio.h>
#include "csv.h"
#include "err.h"

struct bs_csvat {
	struct bs_csv_reader r;	/* holds the record */
	FILE *fp;		/* private: a stream over fd from off */
	char *vbuf;		/* its buffer */
	int fd;
	uint64_t pos;
	int lead;		/* the blank line fed first is due */
};

/*
 * Read the record that starts at byte off of the regular file open on fd,
 * with the reader options o (NULL: the defaults; the header option is
 * ignored) and name for messages.  Returns 0 with the record in a->r, or
 * -1 with err (BS_EXIT_IOERR for a read error, BS_EXIT_DATAERR when no
 * record can be read there: the file changed).  Either way, call
 * bs_csvat_close() afterwards.
 */
int bs_csvat_read(struct bs_csvat *a, int fd, uint64_t off,
    const struct bs_csv_opts *o, const char *name, struct bs_err *err);

/* Free what a holds; a is then zeroed.  NULL ok. */
void bs_csvat_close(struct bs_csvat *a);

#endif
