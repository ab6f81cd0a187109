/*
 * sha256.h - SHA-256 over OpenSSL libcrypto (SHA256_*), streaming.
 *
 *	struct bs_sha256 h;
 *	char hex[BS_SHA256_HEX];
 *	bs_sha256_init(&h);
 *	bs_sha256_update(&h, data, n);
 *	bs_sha256_final_hex(&h, hex);
 */
#ifndef BS_SHA256_H
#define BS_SHA256_H

#include <stddef.h>

#define BS_SHA256_LEN 32
#define BS_SHA256_HEX 65	/* 64 hex digits + NUL */

struct bs_sha256 {
	void *ctx;	/* SHA256_CTX */
};

void bs_sha256_init(struct bs_sha256 *h);
void bs_sha256_update(struct bs_sha256 *h, const void *data, size_t n);
/* Finish, write lower-case hex into hex[BS_SHA256_HEX], free the context. */
void bs_sha256_final_hex(struct bs_sha256 *h, char *hex);
/* Free without finishing (on error paths); accepts an unused struct. */
void bs_sha256_release(struct bs_sha256 *h);

/* One-shot over a buffer. */
void bs_sha256_hex(const void *data, size_t n, char *hex);
/* Hash a whole file; fills *size if not NULL.  -1 with err (66/74). */
int bs_sha256_file(const char *path, char *hex, unsigned long long *size,
    struct bs_err *err);

#endif
