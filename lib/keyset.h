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
 * External keys.  A set made with bs_keyset_init_external() stores no key
 * bytes: a key costs one 8-byte slot (at most 1 / 0.88 of one on average)
 * holding its location (say the byte offset of the record it came from)
 * and the top bits of its hash.  When a key to add has the same hash bits
 * as one already there (a duplicate, or rarely a collision), the caller's
 * load function fetches that key's bytes from its location so that the two
 * are compared exactly (a small cache of the short keys loaded lately
 * spares most loads when one value repeats many times).  Only
 * bs_keyset_add_at() adds to such a set.  The
 * table is kept in hash order (ordered linear probing over a table of any
 * size), so it can grow without the keys and runs at a high load factor.
 *
 *	struct bs_keyset ks;
 *	int added;
 *	bs_keyset_init(&ks, 0);
 *	bs_keyset_add(&ks, "P001", 4, &added);	// added = 1
 *	bs_keyset_add(&ks, "P001", 4, &added);	// added = 0: a duplicate
 *	if (bs_keyset_find(&ks, "P002", 4)) ...	// NULL: not there
 *	bs_keyset_release(&ks);
 *
 *	bs_keyset_init_external(&ks, file_size, load_record_key, &ctx);
 *	if ((rc = bs_keyset_add_at(&ks, key, n, record_offset, &err)) < 0)
 *		... load failed ...
 *	else if (rc == 0) ... a duplicate ...
 */
#ifndef BS_KEYSET_H
#define BS_KEYSET_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"

struct bs_err;

/*
 * Put the key of the entry at loc in key (reset it first); 0, or -1 with
 * err filled.
 */
typedef int bs_keyset_load_fn(void *ctx, uint64_t loc, struct bs_buf *key,
    struct bs_err *err);

struct bs_keyset {
	uint64_t *slots;	/* 0 empty; else hash tag << locbits | location */
	size_t nslots;		/* a power of two, or 0; external: nhome + slack */
	size_t count;		/* keys held */
	size_t payload;		/* bytes of payload per key */
	unsigned char **chunks;	/* key storage */
	size_t *chunk_len;	/* bytes used in each chunk */
	size_t *chunk_cap;
	size_t nchunks, achunks;
	size_t chunk_bytes;	/* total allocated in chunks */
	/* the hash function: bs_hash64; tests put a worse one to force collisions */
	uint64_t (*hash)(const void *data, size_t n);
	/* external keys (locbits != 0) */
	unsigned locbits;	/* bits of location + 1 in a slot */
	size_t nhome;		/* home positions; slots past them are overflow */
	bs_keyset_load_fn *load;
	void *load_ctx;
	struct bs_buf lkey;	/* a loaded key */
	void *kcache;		/* short keys loaded lately, by slot value */
	uint64_t loads;		/* calls of load, for tests and statistics */
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

/*
 * Make an empty set of external keys whose locations are 0 .. maxloc (at
 * most 2^48 - 2): the set calls load(ctx, loc, ...) for the key of an
 * entry whenever it must compare it.  No payload.
 */
void bs_keyset_init_external(struct bs_keyset *ks, uint64_t maxloc,
    bs_keyset_load_fn *load, void *ctx);

/*
 * Add the n bytes of key, found at location loc, to an external set.
 * Returns 1 if the key is new (loc is recorded), 0 if an equal key is
 * there, or -1 with err when load failed (the set is unchanged).
 */
int bs_keyset_add_at(struct bs_keyset *ks, const void *key, size_t n,
    uint64_t loc, struct bs_err *err);

/*
 * Free everything; the set is then empty and reusable (an external set
 * stays external, with the same load function).  NULL ok.
 */
void bs_keyset_release(struct bs_keyset *ks);

/*
 * Add the n bytes of key (may be NULL when n is 0); not for an external
 * set (nor are find() and next()).  Returns the key's
 * payload (a pointer into the set, valid until bs_keyset_release(); not
 * aligned: copy in and out with memcpy), or a non-NULL dummy when the
 * payload size is 0; *added (if not NULL) is 1 if the key is new, 0 if it
 * was already there.
 */
void *bs_keyset_add(struct bs_keyset *ks, const void *key, size_t n,
    int *added);

/* The payload of key (as above), or NULL if key is not in the set. */
void *bs_keyset_find(const struct bs_keyset *ks, const void *key, size_t n);

/*
 * A hint that key will be added or looked up soon: starts loading the
 * part of the hash table it lands in, so that a set far larger than the
 * CPU's caches costs less per key when the caller hints a few keys ahead.
 * Changes nothing; an empty set ignores it.
 */
void bs_keyset_prefetch(const struct bs_keyset *ks, const void *key, size_t n);

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
