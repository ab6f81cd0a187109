/*
 * keyset.h - an exact set of byte strings, with an optional fixed-size
 * payload per key, for uniqueness checks, cross-table key lookups and
 * grouped sums over millions of rows.
 *
 * Exact: the keys themselves are stored (never only a hash), so counts
 * built on a set are exact whatever the hash does.  Compact: a key costs
 * its bytes, one or two bytes of length, the payload, and about 8 to 16
 * bytes of hash table; keys live in 4 MiB chunks that never move, so a
 * payload pointer stays valid while more keys are added.  Iteration visits
 * keys in insertion order.
 *
 * Composite keys (several columns) are built with bs_keyset_key_part(),
 * which frames each part with its length so that ("ab","c") and ("a","bc")
 * differ and a NULL part differs from an empty one.
 *
 * Memory is reported by bs_keyset_bytes() (table and chunks as allocated).
 * Allocation failure exits through the x-allocators (71).
 *
 *	struct bs_keyset ks;
 *	int added;
 *	bs_keyset_init(&ks, 0);
 *	bs_keyset_add(&ks, "P001", 4, &added);	// added = 1
 *	bs_keyset_add(&ks, "P001", 4, &added);	// added = 0: a duplicate
 *	if (bs_keyset_find(&ks, "P002", 4)) ...	// NULL: not there
 *	bs_keyset_release(&ks);
 */
#ifndef BS_KEYSET_H
#define BS_KEYSET_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"

struct bs_keyset {
	uint64_t *slots;	/* 0 empty; else hash tag << 40 | location */
	size_t nslots;		/* a power of two, or 0 */
	size_t count;		/* keys held */
	size_t payload;		/* bytes of payload per key */
	unsigned char **chunks;	/* key storage */
	size_t *chunk_len;	/* bytes used in each chunk */
	size_t *chunk_cap;
	size_t nchunks, achunks;
	size_t chunk_bytes;	/* total allocated in chunks */
};

/*
 * Make an empty set whose keys each carry payload bytes (0 for a plain
 * set; payloads start zeroed).
 */
void bs_keyset_init(struct bs_keyset *ks, size_t payload);

/*
 * Size the hash table for n keys now (it never shrinks), so that adding
 * them does not rehash: cheaper when the number is known or estimated.
 */
void bs_keyset_reserve(struct bs_keyset *ks, size_t n);

/* Free everything; the set is then empty and reusable.  NULL ok. */
void bs_keyset_release(struct bs_keyset *ks);

/*
 * Add the n bytes of key (may be NULL when n is 0).  Returns the key's
 * payload (a pointer into the set, valid until bs_keyset_release(); not
 * aligned: copy in and out with memcpy), or a non-NULL dummy when the
 * payload size is 0; *added (if not NULL) is 1 if the key is new, 0 if it
 * was already there.
 */
void *bs_keyset_add(struct bs_keyset *ks, const void *key, size_t n,
    int *added);

/* The payload of key (as above), or NULL if key is not in the set. */
void *bs_keyset_find(const struct bs_keyset *ks, const void *key, size_t n);

/* Number of keys. */
size_t bs_keyset_count(const struct bs_keyset *ks);

/* Bytes allocated for the set (hash table plus key storage). */
size_t bs_keyset_bytes(const struct bs_keyset *ks);

/*
 * Iterate in insertion order: start with it = 0; each call returns 1 and
 * sets *key, *n and *payload, or 0 when done.
 *	size_t it = 0; const void *k; size_t n; void *p;
 *	while (bs_keyset_next(&ks, &it, &k, &n, &p)) ...
 */
int bs_keyset_next(const struct bs_keyset *ks, size_t *it, const void **key,
    size_t *n, void **payload);

/*
 * Append one part of a composite key to b: NULL (s == NULL) and "" are
 * different parts.  Returns 0, or -1 when b's cap is reached.
 */
int bs_keyset_key_part(struct bs_buf *b, const char *s, size_t n);

/*
 * Split a composite key made with bs_keyset_key_part(): starting with
 * *pos = 0, each call returns 1 and the next part (*s NULL for a NULL
 * part), or 0 at the end.
 */
int bs_keyset_key_next(const void *key, size_t n, size_t *pos,
    const char **s, size_t *len);

/* A fast 64-bit hash of n bytes (not cryptographic). */
uint64_t bs_hash64(const void *data, size_t n);

#endif
