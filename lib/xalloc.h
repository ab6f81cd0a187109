/*
 * xalloc.h - allocation that never returns NULL.  On failure the process
 * prints "prog: fatal: out of memory (N bytes)" and exits 71 (BS_EXIT_OSERR):
 * one policy for the whole toolkit.  These are the only library functions
 * that may end the process.
 */
#ifndef BS_XALLOC_H
#define BS_XALLOC_H

#include <stddef.h>

void *bs_xmalloc(size_t n);
void *bs_xcalloc(size_t nmemb, size_t size);
void *bs_xrealloc(void *p, size_t n);
/* Grow an array of nmemb elements of size bytes, checking for overflow. */
void *bs_xreallocarray(void *p, size_t nmemb, size_t size);
char *bs_xstrdup(const char *s);
char *bs_xstrndup(const char *s, size_t n);
/* asprintf that never fails. */
char *bs_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow *alloc (elements) so that at least n fit; doubles. */
#define BS_ALLOC_GROW(p, n, alloc)                                         \
	do {                                                               \
		if ((size_t)(n) > (alloc)) {                               \
			size_t bs_ng_ = (alloc) ? (alloc) * 2 : 16;        \
			if (bs_ng_ < (size_t)(n))                          \
				bs_ng_ = (size_t)(n);                      \
			(p) = bs_xreallocarray((p), bs_ng_, sizeof(*(p))); \
			(alloc) = bs_ng_;                                  \
		}                                                          \
	} while (0)

#endif
