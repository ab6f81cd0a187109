/*
 * buf.h - a growable byte buffer with a hard cap.
 *
 * The buffer is always NUL-terminated.  Every buffer that grows from input
 * gets a cap (max); going past it is a data error the caller reports with a
 * position, never an out-of-memory crash.
 *
 *	struct bs_buf b = BS_BUF_INIT(1 << 20);
 *	if (bs_buf_add(&b, s, n) < 0) ... too long ...
 *	bs_buf_release(&b);
 */
#ifndef BS_BUF_H
#define BS_BUF_H

#include <stddef.h>

struct bs_buf {
	char *buf;	/* NUL-terminated; NULL until the first add */
	size_t len;
	size_t alloc;
	size_t max;	/* 0 = unlimited (only for data we generate) */
};

#define BS_BUF_INIT(max_) { NULL, 0, 0, (max_) }

/* Append n bytes; -1 (nothing appended) if len would exceed max. */
int bs_buf_add(struct bs_buf *b, const void *data, size_t n);
int bs_buf_adds(struct bs_buf *b, const char *s);
int bs_buf_addc(struct bs_buf *b, char c);
int bs_buf_addf(struct bs_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Make room for n more bytes; -1 if over max. */
int bs_buf_grow(struct bs_buf *b, size_t n);
/* Empty, keep the memory. */
void bs_buf_reset(struct bs_buf *b);
/* Free the memory, leave reusable (cap kept). */
void bs_buf_release(struct bs_buf *b);
/* Hand the bytes to the caller (who frees them); b is left empty. */
char *bs_buf_detach(struct bs_buf *b, size_t *len);
/* The string, never NULL (borrowed; valid until the next change). */
const char *bs_buf_str(const struct bs_buf *b);

#endif
