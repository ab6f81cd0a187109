/*
 * csv.h - the streaming CSV reader and writer every baosong program shares.
 *
 * The format between stages (ARCHITECTURE.md "Formats"): RFC 4180, UTF-8, a
 * header row, LF line ends, minimal quoting.  A NULL is an empty UNQUOTED
 * field, an empty string is "" (the PostgreSQL CSV convention):
 *
 *	id,name,note
 *	1,,""			name is NULL, note is the empty string
 *	2,"Li, Wei","say ""hi"""
 *
 * READER
 *
 * Built on libcsv (strict mode), one record at a time; memory is bounded by
 * the width of one record, never by the file.  A record lying wholly in the
 * read block is split by a fast path of ours (SSE2 where available) that
 * gives the same fields; anything it does not take (a blank line, an error
 * of any kind, a limit reached, a record cut by the block end) goes to
 * libcsv from the record's start, so errors read the same either way.
 * What it accepts:
 *   - LF or CRLF line ends, mixed; inside a quoted field CR and LF are data
 *     and kept verbatim.  A CR outside quotes that is not followed by LF is
 *     an error ("bare carriage return").
 *   - Nothing is ever trimmed: " a " is three bytes.
 *   - A UTF-8 byte order mark at the very start is skipped.
 *   - The last record may lack its line end.
 *   - Blank lines (nothing between two line ends) are skipped: they are not
 *     records, but they count as physical lines.  One exception: when the
 *     header has exactly one field, a blank line is a record holding one
 *     NULL, because that is how the writer (and PostgreSQL) write a one-column
 *     NULL row; skipping it would silently lose a row.
 * What it refuses (exit class BS_EXIT_DATAERR, 65): a quote inside an
 * unquoted field, text after a closing quote, a quoted field still open at
 * end of file, a bare CR, a field longer than opts.max_field, a record with
 * more than opts.max_fields fields or more than opts.max_record bytes, and
 * with opts.check_utf8 invalid UTF-8 or a NUL byte.  Whether a record has
 * as many fields as the header is NOT checked: the caller decides, with
 * bs_csv_nfields() and bs_csv_header_count().
 *
 * Positions.  "record N" counts data records from 1 (the header is not
 * counted, blank lines neither); "line L" counts physical lines (LF) from 1;
 * "column C" is the 1-based byte offset within that physical line (on line
 * 1, after the BOM).  bs_csv_line() is the line where the current record
 * STARTS; a record holding quoted line breaks spans several lines.  Error
 * messages look like
 *
 *	policy.csv: record 1207 (line 1212), column 14: unexpected quote in unquoted field
 *	policy.csv: header (line 1), column 3: unexpected text after closing quote
 *	policy.csv: record 9 (line 9): field 4: field longer than 16777216 bytes (unclosed quote?)
 *	policy.csv: record 5 (line 5): field 2: quoted field not closed at end of file
 *	policy.csv: record 3 (line 4), column 1: invalid UTF-8 (byte 0xd5)
 *	policy.csv: empty file, no header
 *
 * where an error with a column names the physical line of the offending
 * byte (for a multi-line record that can be after the line the record
 * starts on), and an error without one names the record's first line.
 * A bad UTF-8 sequence is reported at its first byte.
 *
 * Ownership.  struct bs_csv_reader lives in caller storage; bs_csv_open*()
 * fills it, bs_csv_close() frees what it holds (and closes the file if
 * bs_csv_open() opened it).  Field and header strings are borrowed: a field
 * is valid until the next bs_csv_next() or bs_csv_close(), a header name
 * until bs_csv_close().  After bs_csv_next() fails, only bs_csv_close() is
 * meaningful.
 *
 *	struct bs_csv_reader r;
 *	struct bs_csv_opts o = BS_CSV_OPTS_INIT;
 *	long ipremium;
 *	int rc;
 *
 *	if (bs_csv_open(&r, "policy.csv", &o, &err) < 0)
 *		return -1;
 *	ipremium = bs_csv_header_index(&r, "premium");	// header read on open
 *	if (ipremium < 0) ... no such column ...
 *	while ((rc = bs_csv_next(&r, &err)) == 1) {
 *		size_t n;
 *		const char *v = bs_csv_field(&r, (size_t)ipremium, &n);
 *		if (!v) ... NULL (or a short record) ...
 *	}
 *	bs_csv_close(&r);
 *	return rc;		// 0 at end of file, -1 with err filled
 *
 * Memory.  The reader holds one read buffer (opts.chunk; none with a block
 * source, whose blocks are the source's), libcsv's buffer
 * for the field being parsed (at most about max_field + chunk + 1 MiB) and
 * the current record (less than 2 x max_record) with its field table.
 * With the defaults a pathological record costs under 200 MiB; ordinary
 * files use a few hundred KiB whatever their size.
 *
 * WRITER
 *
 * Our own (libcsv's csv_fwrite quotes every field).  Minimal quoting: a
 * field is quoted when it contains ',' '"' CR or LF, or is the empty string;
 * inner quotes are doubled; nothing is trimmed; a NULL is written as nothing
 * at all.  Records end in LF.  Bytes go through lib/ofile.h (atomic, hashed,
 * counted), one bs_ofile_write() per record; no allocation per field.
 * Note: a record made of a single NULL is an empty line, which the reader
 * only reads back as such when the header has exactly one field (see above).
 * The writer does not check UTF-8: it writes the bytes it is given.
 *
 *	struct bs_csv_writer w;
 *	bs_csv_writer_init(&w, &ofile);
 *	bs_csv_write_str(&w, "id", &err); bs_csv_write_str(&w, "name", &err);
 *	bs_csv_end_record(&w, &err);
 *	bs_csv_write_field(&w, "1", 1, &err); bs_csv_write_field(&w, NULL, 0, &err);
 *	bs_csv_end_record(&w, &err);		// "id,name\n1,\n"
 *	bs_csv_writer_release(&w);
 *	bs_ofile_commit(&ofile, &err);
 */
#ifndef BS_CSV_H
#define BS_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "buf.h"
#include "err.h"
#include "ofile.h"

/* ------------------------------------------------------------------ reader */

#define BS_CSV_CHUNK ((size_t)64 * 1024)	/* bytes per read */
#define BS_CSV_MAX_FIELD ((size_t)16 * 1024 * 1024)	/* 16 MiB */
#define BS_CSV_MAX_FIELDS ((size_t)16384)	/* Excel's column limit */
#define BS_CSV_MAX_RECORD ((size_t)64 * 1024 * 1024)	/* 64 MiB */

/*
 * Reader options.  Start from BS_CSV_OPTS_INIT (header and check_utf8 on)
 * and change what you need.  A size left at zero means its default, so a
 * zeroed struct also works: it reads without header and without the UTF-8
 * check.
 */
struct bs_csv_opts {
	size_t chunk;		/* bytes per read (tests use 1..) */
	size_t max_field;	/* longest field, in bytes */
	size_t max_fields;	/* most fields in one record */
	size_t max_record;	/* most field bytes in one record (each
				   field counts one extra byte) */
	int header;		/* the first record is the header: read by
				   bs_csv_open*(), not returned by next() */
	int check_utf8;		/* invalid UTF-8 or a NUL byte is an error */
};

#define BS_CSV_OPTS_INIT                                                   \
	{ BS_CSV_CHUNK, BS_CSV_MAX_FIELD, BS_CSV_MAX_FIELDS,               \
	    BS_CSV_MAX_RECORD, 1, 1 }

/* One field of the current record: bytes [off, off + len) of a buffer. */
struct bs_csv_span {
	size_t off;		/* BS_CSV_NULL_OFF for a NULL */
	size_t len;
};
#define BS_CSV_NULL_OFF SIZE_MAX

struct csv_parser;		/* libcsv's, opaque here */

/*
 * A source of input blocks, for bs_csv_open_src(): next(ctx, &p) points p
 * at the next block of input and returns its length; 0 at end of input;
 * -1 with errno set on a read error (EINTR: called again).  The reader
 * only reads a block, and is done with it when it calls next() again or
 * bs_csv_close(): until then the block must stay valid and unchanged.
 * Blocks may have any length; records may cross them.
 */
struct bs_csv_src {
	ssize_t (*next)(void *ctx, const char **p);
	void *ctx;
};

/*
 * The reader.  Everything in it is private: use the functions below.  It is
 * public only so that it can live in caller storage.
 */
struct bs_csv_reader {
	char *name;			/* file name for messages (owned) */
	struct bs_csv_opts opts;	/* with defaults filled in */
	FILE *fp;
	int own_fp;			/* opened by bs_csv_open(): we close */
	struct bs_csv_src src;		/* or blocks from there (next set) */
	struct csv_parser *parser;	/* owned */
	char *buf;			/* read buffer, opts.chunk bytes (fp) */
	const char *in;			/* the input block: buf or the source's */
	size_t pos, end;		/* unconsumed bytes: in[pos, end) */
	size_t nl_at, cr_at;		/* next LF / CR at or after pos */
	int eof;			/* fread() reported end of file */
	int finished;			/* csv_fini() done: no more records */
	int failed;			/* an error was returned */
	int bom;			/* BOM bytes matched; -1 past start */
	int in_header;			/* the header is being read */
	uint64_t line;			/* physical line of buf[pos] */
	size_t col0;			/* bytes of that line already fed */
	uint64_t rec_line;		/* first line of the record being read */
	int rec_started;		/* bytes of that record were fed */
	int rec_ready;			/* a record is complete */
	int row_ended;			/* libcsv ended a row in the last feed */
	int expect_lf;			/* a row ended in CR: LF must follow */
	uint64_t cr_line;		/* where that CR was */
	size_t cr_col;
	int cb_err;			/* error found in a libcsv callback */
	int u_need;			/* UTF-8: continuation bytes still due */
	unsigned char u_lo, u_hi;	/* range of the next one */
	unsigned char u_byte;		/* first byte of the bad sequence */
	uint64_t u_line;		/* where that sequence starts */
	size_t u_col;
	uint64_t recno;			/* data records returned */
	uint64_t cur_line;		/* start line of the current record */
	uint64_t buf_off;		/* stream offset of in[0] */
	uint64_t rec_off;		/* offset of the record being read */
	uint64_t cur_off;		/* offset of the current record */
	struct bs_buf data;		/* field bytes, each NUL-terminated */
	struct bs_csv_span *f;		/* fields of the current record */
	size_t nf, af;
	size_t *dq, adq;		/* fast path: fields with "" inside */
	struct bs_buf hdata;		/* header names */
	struct bs_csv_span *h;
	size_t nh, ah;
};

/*
 * Open path for reading ("-" is standard input, named "stdin" in messages).
 * o may be NULL for the defaults.  With o->header the header record is read
 * here, so the header functions work right after the open.
 * Returns 0, or -1 with err: BS_EXIT_NOINPUT (66) when the file is missing,
 * unreadable or a directory; BS_EXIT_DATAERR (65) for a bad or missing
 * header; BS_EXIT_IOERR (74) for a read error.  After a failed open, r is
 * empty and bs_csv_close(r) is harmless.
 */
int bs_csv_open(struct bs_csv_reader *r, const char *path,
    const struct bs_csv_opts *o, struct bs_err *err);

/*
 * As bs_csv_open(), on a stream the caller opened (a pipe, fmemopen(), a
 * temporary file).  The reader does not close fp.  name is used in
 * messages and copied.
 */
int bs_csv_open_fp(struct bs_csv_reader *r, FILE *fp, const char *name,
    const struct bs_csv_opts *o, struct bs_err *err);

/*
 * As bs_csv_open_fp(), reading blocks from src (copied) instead of a
 * stream: no copy of the bytes into a read buffer of ours, and the source
 * may hash or count the blocks it hands out.  opts.chunk is unused.
 */
int bs_csv_open_src(struct bs_csv_reader *r, const struct bs_csv_src *src,
    const char *name, const struct bs_csv_opts *o, struct bs_err *err);

/*
 * Read the next data record.  Returns 1 (a record is available through the
 * functions below), 0 at end of input, or -1 with err: BS_EXIT_DATAERR (65)
 * for malformed data, BS_EXIT_IOERR (74) for a read error.
 */
int bs_csv_next(struct bs_csv_reader *r, struct bs_err *err);

/* Number of fields of the current record. */
size_t bs_csv_nfields(const struct bs_csv_reader *r);

/*
 * Field i (0-based) of the current record: NUL-terminated, its length in
 * *len (if len is not NULL; a field may itself contain NUL bytes when
 * check_utf8 is off).  NULL for a NULL field, and also for i >= nfields
 * (with *len = 0).  Borrowed: valid until the next bs_csv_next() or
 * bs_csv_close().
 */
const char *bs_csv_field(const struct bs_csv_reader *r, size_t i,
    size_t *len);

/*
 * The current record at once, for callers that keep records (a batch
 * handed to another thread): *block (*len bytes) holds every non-NULL
 * field followed by its NUL (perhaps with other bytes between fields);
 * the returned array has bs_csv_nfields()
 * spans, whose off is relative to *block (BS_CSV_NULL_OFF for a NULL).
 * Borrowed like bs_csv_field().
 *	const struct bs_csv_span *sp = bs_csv_record(&r, &block, &len);
 *	memcpy(copy, block, len);	// field i: copy + sp[i].off, sp[i].len
 */
const struct bs_csv_span *bs_csv_record(const struct bs_csv_reader *r,
    const char **block, size_t *len);

/* Number of header fields; 0 without opts.header. */
size_t bs_csv_header_count(const struct bs_csv_reader *r);

/*
 * Header name i (0-based): "" for an empty header field, NULL if i is out
 * of range.  Borrowed until bs_csv_close().
 */
const char *bs_csv_header(const struct bs_csv_reader *r, size_t i);

/* Index of the first header field equal to name (bytewise), -1 if none. */
long bs_csv_header_index(const struct bs_csv_reader *r, const char *name);

/* Number of the current data record, from 1; the header is not counted. */
uint64_t bs_csv_recno(const struct bs_csv_reader *r);

/* Physical line (from 1) where the current record starts. */
uint64_t bs_csv_line(const struct bs_csv_reader *r);

/*
 * Byte offset, in the stream, of the first byte of the current record
 * (BOM and blank lines before it excluded; counted from where the stream
 * was when the reader was opened), so that a caller can read the record
 * again later from a regular file (see csvat.h).
 */
uint64_t bs_csv_offset(const struct bs_csv_reader *r);

/* The name used in messages. */
const char *bs_csv_name(const struct bs_csv_reader *r);

/*
 * Fill err with code and "name: record N (line L): " followed by the
 * formatted message, for the caller's own checks on the current record:
 *	return bs_csv_error(&r, &err, BS_EXIT_DATAERR,
 *	    "%zu fields, the header has %zu", n, nh);
 * Returns -1.
 */
int bs_csv_error(const struct bs_csv_reader *r, struct bs_err *err, int code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Free everything, close the file if we opened it; r is zeroed.  NULL ok. */
void bs_csv_close(struct bs_csv_reader *r);

/* ------------------------------------------------------------------ writer */

struct bs_csv_writer {
	struct bs_ofile *out;	/* not owned */
	struct bs_buf line;	/* the record being built; reused */
	size_t nfields;		/* fields in the record being built */
	uint64_t nrecords;	/* records ended so far (header included) */
};

/* Start writing CSV records to out (which stays the caller's). */
void bs_csv_writer_init(struct bs_csv_writer *w, struct bs_ofile *out);

/*
 * Append one field to the current record: s == NULL writes a NULL (nothing
 * between the commas), len == 0 with s != NULL writes "".  s need not be
 * NUL-terminated.  Returns 0, or -1 with err (BS_EXIT_IOERR) when a long
 * record had to be flushed and the write failed.
 */
int bs_csv_write_field(struct bs_csv_writer *w, const char *s, size_t len,
    struct bs_err *err);

/* As bs_csv_write_field() for a NUL-terminated string (or NULL). */
int bs_csv_write_str(struct bs_csv_writer *w, const char *s,
    struct bs_err *err);

/*
 * End the current record: writes LF, hands the record to the ofile and
 * counts it.  A record without any field is a bug (BS_EXIT_SOFTWARE);
 * a write failure is BS_EXIT_IOERR.
 */
int bs_csv_end_record(struct bs_csv_writer *w, struct bs_err *err);

/* Write n NUL-terminated strings (NULL entries are NULLs) as one record. */
int bs_csv_write_record(struct bs_csv_writer *w, const char *const *v,
    size_t n, struct bs_err *err);

/*
 * Free the writer's buffer (an unfinished record is dropped).  Does not
 * commit or close the ofile.  NULL ok.
 */
void bs_csv_writer_release(struct bs_csv_writer *w);

/*
 * Append one field, quoted as needed, to b (no separator, no line end), for
 * callers that build lines in memory.  s == NULL appends nothing (a NULL).
 * Returns 0, or -1 (nothing appended) if b's cap would be exceeded.
 *	bs_csv_buf_field(&b, "a,b", 3);		// "a,b" with quotes
 */
int bs_csv_buf_field(struct bs_buf *b, const char *s, size_t len);

#endif
