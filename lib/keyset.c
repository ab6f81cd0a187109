#include "bs.h"
#include "keyset.h"
#include "err.h"

#define CHUNK_SIZE ((size_t)4 << 20)	/* 22 bits of offset */
#define OFF_BITS 22
#define LOC_BITS 40
#define LOC_MASK ((UINT64_C(1) << LOC_BITS) - 1)
#define MAX_CHUNKS ((size_t)1 << (LOC_BITS - OFF_BITS))
#define FIRST_SLOTS 1024

static unsigned char dummy_payload[1];

/*
 * External sets: a direct-mapped cache of keys loaded lately, by slot value
 * (which never changes for an entry), so that a value repeated a million
 * times is read from the file once, not a million times.
 */
#define KC_BITS 10
#define KC_N (1 << KC_BITS)
#define KC_KEY 48

struct kcentry {
	uint64_t v;		/* 0: empty */
	size_t len;
	unsigned char key[KC_KEY];
};

#define KC_BYTES (KC_N * sizeof(struct kcentry))

static inline uint64_t
rd64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t
fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

uint64_t
bs_hash64(const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ ((uint64_t)n *
	    UINT64_C(0x87c37b91114253d5));
	uint64_t t = 0;

	while (n >= 8) {
		h ^= rd64(p);
		h *= UINT64_C(0x9e3779b97f4a7c15);
		h ^= h >> 29;
		p += 8;
		n -= 8;
	}
	if (n) {
		memcpy(&t, p, n);
		h ^= t;
		h *= UINT64_C(0x9e3779b97f4a7c15);
	}
	return fmix64(h);
}

void
bs_keyset_init(struct bs_keyset *ks, size_t payload)
{
	memset(ks, 0, sizeof(*ks));
	ks->payload = payload;
	ks->hash = bs_hash64;
}

void
bs_keyset_release(struct bs_keyset *ks)
{
	size_t i, payload;
	uint64_t (*hash)(const void *, size_t);
	unsigned locbits;
	bs_keyset_load_fn *load;
	void *ctx;

	if (!ks)
		return;
	for (i = 0; i < ks->nchunks; i++)
		free(ks->chunks[i]);
	free(ks->chunks);
	free(ks->chunk_len);
	free(ks->chunk_cap);
	free(ks->slots);
	bs_buf_release(&ks->lkey);
	free(ks->kcache);
	payload = ks->payload;
	hash = ks->hash;
	locbits = ks->locbits;
	load = ks->load;
	ctx = ks->load_ctx;
	memset(ks, 0, sizeof(*ks));
	ks->payload = payload;
	ks->hash = hash;
	ks->locbits = locbits;
	ks->load = load;
	ks->load_ctx = ctx;
}

size_t
bs_keyset_count(const struct bs_keyset *ks)
{
	return ks->count;
}

size_t
bs_keyset_bytes(const struct bs_keyset *ks)
{
	return ks->nslots * sizeof(uint64_t) + ks->chunk_bytes +
	    ks->achunks * (sizeof(void *) + 2 * sizeof(size_t)) + ks->lkey.alloc +
	    (ks->kcache ? KC_BYTES : 0);
}

static size_t
varint_len(size_t n)
{
	size_t k = 1;

	while (n >= 0x80) {
		n >>= 7;
		k++;
	}
	return k;
}

static size_t
varint_put(unsigned char *p, size_t n)
{
	size_t k = 0;

	while (n >= 0x80) {
		p[k++] = (unsigned char)(n | 0x80);
		n >>= 7;
	}
	p[k++] = (unsigned char)n;
	return k;
}

static size_t
varint_get(const unsigned char *p, size_t *n)
{
	size_t v = 0, k = 0;
	unsigned shift = 0;

	do {
		v |= (size_t)(p[k] & 0x7f) << shift;
		shift += 7;
	} while (p[k++] & 0x80);
	*n = v;
	return k;
}

/* The entry at a location: key bytes and length. */
static const unsigned char *
entry_at(const struct bs_keyset *ks, uint64_t loc, size_t *n)
{
	const unsigned char *p = ks->chunks[loc >> OFF_BITS] +
	    (loc & (((uint64_t)1 << OFF_BITS) - 1));

	return p + varint_get(p, n);
}

static void
place(uint64_t *slots, size_t mask, uint64_t h, uint64_t v)
{
	size_t i = (size_t)h & mask;

	while (slots[i])
		i = (i + 1) & mask;
	slots[i] = v;
}

static void
resize(struct bs_keyset *ks, size_t ns)
{
	uint64_t *s = bs_xcalloc(ns, sizeof(uint64_t));
	size_t i;

	for (i = 0; i < ks->nslots; i++) {
		uint64_t v = ks->slots[i];
		const unsigned char *k;
		size_t n;

		if (!v)
			continue;
		k = entry_at(ks, (v & LOC_MASK) - 1, &n);
		place(s, ns - 1, ks->hash(k, n), v);
	}
	free(ks->slots);
	ks->slots = s;
	ks->nslots = ns;
}

static void
grow_table(struct bs_keyset *ks)
{
	resize(ks, ks->nslots ? ks->nslots * 2 : FIRST_SLOTS);
}

static void ext_reserve(struct bs_keyset *ks, size_t n);

void
bs_keyset_reserve(struct bs_keyset *ks, size_t n)
{
	size_t ns = FIRST_SLOTS;

	if (ks->locbits) {
		ext_reserve(ks, n);
		return;
	}
	while (ns / 4 * 3 < n && ns < SIZE_MAX / 4)
		ns *= 2;
	if (ns > ks->nslots)
		resize(ks, ns);
}

/* Room for need bytes in a chunk; returns the location. */
static uint64_t
reserve(struct bs_keyset *ks, size_t need)
{
	size_t c = ks->nchunks;

	if (c && ks->chunk_len[c - 1] + need <= ks->chunk_cap[c - 1]) {
		uint64_t loc = ((uint64_t)(c - 1) << OFF_BITS) | ks->chunk_len[c - 1];

		ks->chunk_len[c - 1] += need;
		return loc;
	}
	if (c + 1 >= MAX_CHUNKS) {
		bs_error("key set larger than %zu chunks", MAX_CHUNKS);
		exit(BS_EXIT_OSERR);
	}
	if (c == ks->achunks) {
		ks->achunks = ks->achunks ? ks->achunks * 2 : 16;
		ks->chunks = bs_xreallocarray(ks->chunks, ks->achunks, sizeof(*ks->chunks));
		ks->chunk_len = bs_xreallocarray(ks->chunk_len, ks->achunks, sizeof(size_t));
		ks->chunk_cap = bs_xreallocarray(ks->chunk_cap, ks->achunks, sizeof(size_t));
	}
	/* the first chunk starts small: most sets (code lists) are tiny */
	ks->chunk_cap[c] = need > CHUNK_SIZE ? need :
	    c == 0 && need <= 16384 ? 16384 : CHUNK_SIZE;
	ks->chunks[c] = bs_xmalloc(ks->chunk_cap[c]);
	ks->chunk_bytes += ks->chunk_cap[c];
	ks->chunk_len[c] = need;
	ks->nchunks = c + 1;
	return (uint64_t)c << OFF_BITS;
}

void *
bs_keyset_find(const struct bs_keyset *ks, const void *key, size_t n)
{
	uint64_t h, tag, v;
	size_t i, mask;

	if (!ks->count || ks->locbits)
		return NULL;
	h = ks->hash(key, n);
	tag = h >> LOC_BITS;
	mask = ks->nslots - 1;
	for (i = (size_t)h & mask; (v = ks->slots[i]) != 0; i = (i + 1) & mask) {
		const unsigned char *k;
		size_t kn;

		if ((v >> LOC_BITS) != tag)
			continue;
		k = entry_at(ks, (v & LOC_MASK) - 1, &kn);
		if (kn == n && (n == 0 || memcmp(k, key, n) == 0))
			return ks->payload ? (void *)(k + kn) : dummy_payload;
	}
	return NULL;
}

void *
bs_keyset_add(struct bs_keyset *ks, const void *key, size_t n, int *added)
{
	uint64_t h, tag, v, loc;
	size_t i, mask, need;
	unsigned char *p;

	if (ks->locbits) {
		bs_error("internal error: bs_keyset_add() on an external key set");
		exit(BS_EXIT_SOFTWARE);
	}
	if (ks->count + 1 > ks->nslots / 4 * 3)
		grow_table(ks);
	h = ks->hash(key, n);
	tag = h >> LOC_BITS;
	mask = ks->nslots - 1;
	for (i = (size_t)h & mask; (v = ks->slots[i]) != 0; i = (i + 1) & mask) {
		const unsigned char *k;
		size_t kn;

		if ((v >> LOC_BITS) != tag)
			continue;
		k = entry_at(ks, (v & LOC_MASK) - 1, &kn);
		if (kn == n && (n == 0 || memcmp(k, key, n) == 0)) {
			if (added)
				*added = 0;
			return ks->payload ? (void *)(k + kn) : dummy_payload;
		}
	}
	need = varint_len(n) + n + ks->payload;
	loc = reserve(ks, need);
	p = ks->chunks[loc >> OFF_BITS] + (loc & (((uint64_t)1 << OFF_BITS) - 1));
	p += varint_put(p, n);
	if (n)
		memcpy(p, key, n);
	p += n;
	if (ks->payload)
		memset(p, 0, ks->payload);
	ks->slots[i] = (tag << LOC_BITS) | (loc + 1);
	ks->count++;
	if (added)
		*added = 1;
	return ks->payload ? (void *)p : dummy_payload;
}

int
bs_keyset_next(const struct bs_keyset *ks, size_t *it, const void **key,
    size_t *n, void **payload)
{
	size_t c = *it >> OFF_BITS, off = *it & ((1u << OFF_BITS) - 1);
	const unsigned char *p;
	size_t kn, h;

	/* big keys have their own chunk: the offset then runs past 22 bits */
	if (*it == SIZE_MAX || ks->locbits)
		return 0;
	for (;;) {
		if (c >= ks->nchunks)
			return 0;
		if (off < ks->chunk_len[c])
			break;
		c++;
		off = 0;
	}
	p = ks->chunks[c] + off;
	h = varint_get(p, &kn);
	*key = p + h;
	*n = kn;
	*payload = ks->payload ? (void *)(p + h + kn) : dummy_payload;
	off += h + kn + ks->payload;
	if (off >= ks->chunk_len[c]) {
		c++;
		off = 0;
	}
	*it = c >= ks->nchunks ? SIZE_MAX : (c << OFF_BITS) | off;
	return 1;
}

/* ------------------------------------------------------------ external keys */

/*
 * An external set is an ordered linear-probing table: slot values are
 * tag << locbits | (loc + 1), where tag is the top 64 - locbits bits of the
 * key's hash, and a key's home position is its tag scaled to nhome, so
 * homes rise with tags.  Every entry sits at or after its home with no
 * empty slot between, and the slots are sorted by tag; there is no
 * wrap-around: the last home is followed by overflow slots.  A search
 * skips the smaller tags from the home on and stops at the first larger
 * one or an empty slot; an insertion shifts the rest of the run one slot
 * up.  Growing needs no key: the entries are replaced in order at their
 * new homes.
 */
#define EXT_FILL 0.88		/* load after bs_keyset_reserve() */
#define EXT_MAX_FILL 0.93	/* load that makes the table grow */
#define EXT_FIRST 1024

/* The high 64 bits of a * b. */
static inline uint64_t
mulhi64(uint64_t a, uint64_t b)
{
	uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
	uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
	uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;

	return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

static inline size_t
ext_home(const struct bs_keyset *ks, uint64_t v)
{
	return (size_t)mulhi64(v & ~((UINT64_C(1) << ks->locbits) - 1), ks->nhome);
}

void
bs_keyset_prefetch(const struct bs_keyset *ks, const void *key, size_t n)
{
	uint64_t h;

	if (!ks->nslots)
		return;
	h = ks->hash(key, n);
	if (ks->locbits)
		__builtin_prefetch(ks->slots + ext_home(ks, h & ~((UINT64_C(1) <<
		    ks->locbits) - 1)));
	else
		__builtin_prefetch(ks->slots + ((size_t)h & (ks->nslots - 1)));
}

static size_t
ext_slack(size_t nhome)
{
	return 256 + nhome / 512;
}

/*
 * Rebuild the table with nhome home positions and at least slack overflow
 * slots (more if the entries need them).
 */
static void
ext_resize(struct bs_keyset *ks, size_t nhome, size_t slack)
{
	for (;;) {
		size_t ns = nhome + slack, i, at = 0;
		uint64_t *s = bs_xcalloc(ns, sizeof(uint64_t));
		size_t oldhome = ks->nhome;

		ks->nhome = nhome;
		for (i = 0; i < ks->nslots; i++) {
			uint64_t v = ks->slots[i];
			size_t h;

			if (!v)
				continue;
			h = ext_home(ks, v);
			if (h > at)
				at = h;
			if (at >= ns)
				break;
			s[at++] = v;
		}
		if (i == ks->nslots) {
			free(ks->slots);
			ks->slots = s;
			ks->nslots = ns;
			return;
		}
		/* the overflow slots ran out: more of them */
		free(s);
		ks->nhome = oldhome;
		slack *= 2;
	}
}

static void
ext_reserve(struct bs_keyset *ks, size_t n)
{
	double want = (double)n / EXT_FILL + 1;

	if (want > (double)(SIZE_MAX / 16))
		want = (double)(SIZE_MAX / 16);
	if ((size_t)want > ks->nhome)
		ext_resize(ks, (size_t)want, ext_slack((size_t)want));
}

/*
 * Whether the key of the entry whose slot holds v is key[0, n): 1, 0, or -1
 * when load failed.
 */
static int
ext_same(struct bs_keyset *ks, uint64_t v, const void *key, size_t n,
    struct bs_err *err)
{
	uint64_t lmask = (UINT64_C(1) << ks->locbits) - 1;
	struct kcentry *c;

	if (!ks->kcache)
		ks->kcache = bs_xcalloc(KC_N, sizeof(struct kcentry));
	c = (struct kcentry *)ks->kcache + ((v * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - KC_BITS));
	if (c->v == v)
		return c->len == n && (n == 0 || memcmp(c->key, key, n) == 0);
	ks->loads++;
	bs_buf_reset(&ks->lkey);
	if (ks->load(ks->load_ctx, (v & lmask) - 1, &ks->lkey, err) < 0)
		return -1;
	if (ks->lkey.len <= KC_KEY) {
		c->v = v;
		c->len = ks->lkey.len;
		if (c->len)
			memcpy(c->key, ks->lkey.buf, c->len);
	}
	return ks->lkey.len == n && (n == 0 || memcmp(ks->lkey.buf, key, n) == 0);
}

void
bs_keyset_init_external(struct bs_keyset *ks, uint64_t maxloc,
    bs_keyset_load_fn *load, void *ctx)
{
	unsigned bits = 1;

	bs_keyset_init(ks, 0);
	if (maxloc > (UINT64_C(1) << 48) - 2) {
		bs_error("internal error: key locations up to %" PRIu64
		    " are too large for an external key set", maxloc);
		exit(BS_EXIT_SOFTWARE);
	}
	while (bits < 64 && (maxloc + 1) >> bits)
		bits++;
	ks->locbits = bits;
	ks->load = load;
	ks->load_ctx = ctx;
}

int
bs_keyset_add_at(struct bs_keyset *ks, const void *key, size_t n,
    uint64_t loc, struct bs_err *err)
{
	unsigned lb = ks->locbits;
	uint64_t hi, v, lmask = (UINT64_C(1) << lb) - 1;
	size_t i, j;

	if (!lb) {
		bs_error("internal error: bs_keyset_add_at() on a key set that "
		    "is not external");
		exit(BS_EXIT_SOFTWARE);
	}
	if (loc + 1 > lmask) {
		bs_error("internal error: key location %" PRIu64 " out of range", loc);
		exit(BS_EXIT_SOFTWARE);
	}
	if (!ks->nslots)
		ext_resize(ks, EXT_FIRST, ext_slack(EXT_FIRST));
	else if ((double)(ks->count + 1) > (double)ks->nhome * EXT_MAX_FILL)
		ext_resize(ks, ks->nhome + ks->nhome / 2,
		    ext_slack(ks->nhome + ks->nhome / 2));
	hi = ks->hash(key, n) & ~lmask;
	for (;;) {
		i = ext_home(ks, hi);
		while (i < ks->nslots && (v = ks->slots[i]) != 0 && v < hi)
			i++;
		/* the same tag: a duplicate, or a collision */
		while (i < ks->nslots && (v = ks->slots[i]) != 0 && (v & ~lmask) == hi) {
			int same = ext_same(ks, v, key, n, err);

			if (same)
				return same < 0 ? -1 : 0;
			i++;
		}
		for (j = i; j < ks->nslots && ks->slots[j]; j++)
			;
		if (j < ks->nslots)
			break;
		/* no free slot up to the end: more overflow slots */
		ext_resize(ks, ks->nhome, 2 * (ks->nslots - ks->nhome));
	}
	memmove(ks->slots + i + 1, ks->slots + i, (j - i) * sizeof(uint64_t));
	ks->slots[i] = hi | (loc + 1);
	ks->count++;
	return 1;
}

int
bs_keyset_key_part(struct bs_buf *b, const char *s, size_t n)
{
	unsigned char hdr[10];
	size_t k = varint_put(hdr, s ? n + 1 : 0);

	if (bs_buf_grow(b, k + (s ? n : 0)) < 0)
		return -1;
	bs_buf_add(b, hdr, k);
	if (s && n)
		bs_buf_add(b, s, n);
	return 0;
}

int
bs_keyset_key_next(const void *key, size_t n, size_t *pos, const char **s,
    size_t *len)
{
	const unsigned char *p = key;
	size_t v;

	if (*pos >= n)
		return 0;
	*pos += varint_get(p + *pos, &v);
	if (v == 0) {
		*s = NULL;
		*len = 0;
		return 1;
	}
	*s = (const char *)p + *pos;
	*len = v - 1;
	*pos += v - 1;
	return 1;
}
