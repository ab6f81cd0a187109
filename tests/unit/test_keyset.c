#include "bs.h"
#include "keyset.h"

#include <setjmp.h>
#include <cmocka.h>
#include "tutil.h"

static void
test_add_find(void **state)
{
	struct bs_keyset ks;
	int added = -1;

	(void)state;
	bs_keyset_init(&ks, 0);
	assert_null(bs_keyset_find(&ks, "a", 1));
	assert_non_null(bs_keyset_add(&ks, "P001", 4, &added));
	assert_int_equal(added, 1);
	bs_keyset_add(&ks, "P001", 4, &added);
	assert_int_equal(added, 0);
	bs_keyset_add(&ks, "P00", 3, &added);
	assert_int_equal(added, 1);
	bs_keyset_add(&ks, "", 0, &added);
	assert_int_equal(added, 1);
	bs_keyset_add(&ks, NULL, 0, &added);
	assert_int_equal(added, 0);
	assert_non_null(bs_keyset_find(&ks, "P001", 4));
	assert_non_null(bs_keyset_find(&ks, "", 0));
	assert_null(bs_keyset_find(&ks, "P0011", 5));
	assert_int_equal(bs_keyset_count(&ks), 3);
	assert_true(bs_keyset_bytes(&ks) > 0);
	bs_keyset_release(&ks);
	assert_int_equal(bs_keyset_count(&ks), 0);
	assert_null(bs_keyset_find(&ks, "P001", 4));
	bs_keyset_release(&ks);
	bs_keyset_release(NULL);
}

/* Many keys: growth, exact counts, iteration in insertion order. */
static void
test_many(void **state)
{
	struct bs_keyset ks;
	size_t i, it = 0, n, seen = 0;
	const void *k;
	void *p;
	char buf[32];

	(void)state;
	bs_keyset_init(&ks, sizeof(uint64_t));
	for (i = 0; i < 300000; i++) {
		int added;
		uint64_t v;

		snprintf(buf, sizeof(buf), "K%zu", i % 200000);
		p = bs_keyset_add(&ks, buf, strlen(buf), &added);
		assert_int_equal(added, i < 200000);
		memcpy(&v, p, sizeof(v));
		v++;
		memcpy(p, &v, sizeof(v));
	}
	assert_int_equal(bs_keyset_count(&ks), 200000);
	while (bs_keyset_next(&ks, &it, &k, &n, &p)) {
		uint64_t v;

		snprintf(buf, sizeof(buf), "K%zu", seen);
		assert_int_equal(n, strlen(buf));
		assert_memory_equal(k, buf, n);
		memcpy(&v, p, sizeof(v));
		assert_int_equal(v, seen < 100000 ? 2 : 1);
		seen++;
	}
	assert_int_equal(seen, 200000);
	bs_keyset_release(&ks);
}

/* A key larger than a storage chunk, and reserve(). */
static void
test_big_key_and_reserve(void **state)
{
	struct bs_keyset ks;
	size_t big = (size_t)5 << 20, it = 0, n, cnt = 0;
	char *k1 = bs_xmalloc(big);
	const void *k;
	void *p;
	int added;

	(void)state;
	memset(k1, 'x', big);
	bs_keyset_init(&ks, 4);
	bs_keyset_reserve(&ks, 100000);
	bs_keyset_add(&ks, "a", 1, &added);
	bs_keyset_add(&ks, k1, big, &added);
	assert_int_equal(added, 1);
	bs_keyset_add(&ks, "b", 1, &added);
	k1[big - 1] = 'y';
	assert_null(bs_keyset_find(&ks, k1, big));
	k1[big - 1] = 'x';
	assert_non_null(bs_keyset_find(&ks, k1, big));
	while (bs_keyset_next(&ks, &it, &k, &n, &p))
		cnt++;
	assert_int_equal(cnt, 3);
	free(k1);
	bs_keyset_release(&ks);
}

static void
test_composite(void **state)
{
	struct bs_buf a = BS_BUF_INIT(0), b = BS_BUF_INIT(0), c = BS_BUF_INIT(0);
	size_t pos = 0, len;
	const char *s;

	(void)state;
	bs_keyset_key_part(&a, "ab", 2);
	bs_keyset_key_part(&a, "c", 1);
	bs_keyset_key_part(&b, "a", 1);
	bs_keyset_key_part(&b, "bc", 2);
	assert_false(a.len == b.len && !memcmp(a.buf, b.buf, a.len));
	bs_keyset_key_part(&c, NULL, 0);
	bs_keyset_key_part(&c, "", 0);
	assert_int_equal(c.len, 2);
	assert_int_equal(bs_keyset_key_next(c.buf, c.len, &pos, &s, &len), 1);
	assert_null(s);
	assert_int_equal(bs_keyset_key_next(c.buf, c.len, &pos, &s, &len), 1);
	assert_non_null(s);
	assert_int_equal(len, 0);
	assert_int_equal(bs_keyset_key_next(c.buf, c.len, &pos, &s, &len), 0);
	pos = 0;
	assert_int_equal(bs_keyset_key_next(a.buf, a.len, &pos, &s, &len), 1);
	assert_int_equal(len, 2);
	assert_memory_equal(s, "ab", 2);
	bs_buf_release(&a);
	bs_buf_release(&b);
	bs_buf_release(&c);
	assert_true(bs_hash64("a", 1) != bs_hash64("b", 1));
}

/* ------------------------------------------------------------ external keys */

/*
 * External keys live in a file, one per line ("key\n"); an entry's
 * location is the offset of its line, and the loader reads the line back
 * with pread(), as validate re-reads a record.
 */
struct kfile {
	int fd;
	int fail_at;		/* the load that fails (1-based), 0: none */
	int loads;
};

static int
kload(void *ctx, uint64_t loc, struct bs_buf *key, struct bs_err *err)
{
	struct kfile *f = ctx;
	char buf[64];
	ssize_t k;
	char *nl;

	if (++f->loads == f->fail_at)
		return bs_err_set(err, BS_EXIT_IOERR, "cannot read at %" PRIu64, loc);
	for (;;) {
		k = pread(f->fd, buf, sizeof(buf), (off_t)loc);
		assert_true(k > 0);
		nl = memchr(buf, '\n', (size_t)k);
		bs_buf_add(key, buf, nl ? (size_t)(nl - buf) : (size_t)k);
		if (nl)
			return 0;
		loc += (uint64_t)k;
	}
}

/* Key i of a key file: K<i % mod>, every 97th a long one. */
static size_t
key_of(char *key, size_t size, size_t i, size_t mod)
{
	int len = i % 97 == 0 ? snprintf(key, size, "%0100zu", i % mod) :
	    snprintf(key, size, "K%zu", i % mod);

	assert_true(len > 0 && (size_t)len < size);
	return (size_t)len;
}

/* Write the keys i < n; offsets into off[n]; returns the fd. */
static int
kfile_make(const char *dir, size_t n, size_t mod, uint64_t *off, uint64_t *size)
{
	struct bs_buf b = BS_BUF_INIT(0);
	char path[PATH_MAX];
	size_t i;
	int fd;

	for (i = 0; i < n; i++) {
		char key[128];
		size_t len = key_of(key, sizeof(key), i, mod);

		off[i] = b.len;
		bs_buf_add(&b, key, len);	/* long ones load in pieces */
		bs_buf_addc(&b, '\n');
	}
	snprintf(path, sizeof(path), "%s/keys", dir);
	tu_write_path(path, b.buf, b.len);
	*size = b.len;
	bs_buf_release(&b);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

static uint64_t
hash_const0(const void *data, size_t n)
{
	(void)data;
	(void)n;
	return 0;
}

static uint64_t
hash_const1(const void *data, size_t n)
{
	(void)data;
	(void)n;
	return UINT64_MAX;
}

/* 16 distinct hashes for every key: tags collide all the time. */
static uint64_t
hash_poor(const void *data, size_t n)
{
	return bs_hash64(data, n) & UINT64_C(0xf000000000000000);
}

/*
 * Add n keys (mod distinct) with the given hash and reserve, and check each
 * answer against an ordinary set.
 */
static void
external_run(size_t n, size_t mod, uint64_t (*hash)(const void *, size_t),
    size_t reserve, uint64_t *loads)
{
	char dir[PATH_MAX];
	uint64_t *off = bs_xcalloc(n, sizeof(uint64_t)), size;
	struct bs_keyset ks, ref;
	struct kfile f = { 0, 0, 0 };
	struct bs_err err = BS_ERR_INIT;
	size_t i, dups = 0;

	tu_mkdtemp(dir);
	f.fd = kfile_make(dir, n, mod, off, &size);
	bs_keyset_init_external(&ks, size, kload, &f);
	if (hash)
		ks.hash = hash;
	if (reserve)
		bs_keyset_reserve(&ks, reserve);
	bs_keyset_init(&ref, 0);
	for (i = 0; i < n; i++) {
		char key[128];
		size_t len = key_of(key, sizeof(key), i, mod);
		int rc, added;

		/* a hint, as validate gives it rows ahead: changes nothing */
		bs_keyset_prefetch(&ks, key, len);
		bs_keyset_prefetch(&ref, key, len);
		bs_keyset_add(&ref, key, len, &added);
		rc = bs_keyset_add_at(&ks, key, len, off[i], &err);
		assert_int_equal(rc, added);
		dups += !added;
	}
	assert_int_equal(bs_keyset_count(&ks), bs_keyset_count(&ref));
	assert_int_equal(ks.loads, (uint64_t)f.loads);
	/* a good hash: at most the duplicates, give or take a collision */
	if (!hash)
		assert_true(ks.loads < dups + 10);
	/* the memory reported: slots, the loaded key and the key cache */
	assert_true(bs_keyset_bytes(&ks) >= ks.nslots * 8 + ks.lkey.alloc);
	assert_true(bs_keyset_bytes(&ks) <= ks.nslots * 8 + ks.lkey.alloc + 65536);
	*loads = ks.loads;
	bs_keyset_release(&ks);
	assert_int_equal(bs_keyset_count(&ks), 0);
	assert_int_equal(ks.locbits != 0, 1);	/* still external */
	bs_keyset_release(&ref);
	close(f.fd);
	free(off);
	tu_rm_rf(dir);
}

static void
test_external(void **state)
{
	uint64_t loads;

	(void)state;
	external_run(200000, 150000, NULL, 0, &loads);
	external_run(200000, 150000, NULL, 300000, &loads);
	/* reserved too little, and too much */
	external_run(200000, 150000, NULL, 1000, &loads);
	external_run(1000, 10, NULL, 1000000, &loads);
	/* no key at all, one key */
	external_run(0, 1, NULL, 0, &loads);
	external_run(1, 1, NULL, 0, &loads);
	assert_int_equal(loads, 0);
}

static void
test_external_collisions(void **state)
{
	uint64_t loads;

	(void)state;
	/* every tag equal: each new key is compared with every key so far */
	external_run(600, 400, hash_const0, 0, &loads);
	assert_true(loads >= 399);	/* each key but the last, at least */
	/* all at the last home: the overflow slots must grow */
	external_run(700, 500, hash_const1, 0, &loads);
	external_run(700, 500, hash_const1, 5000, &loads);
	/* 16 tags for all keys */
	external_run(3000, 2000, hash_poor, 0, &loads);
}

/* One value a thousand times: loaded once, then found in the cache. */
static void
test_external_cache(void **state)
{
	char dir[PATH_MAX];
	uint64_t *off = bs_xcalloc(3000, sizeof(uint64_t)), size;
	struct bs_keyset ks;
	struct kfile f = { 0, 0, 0 };
	struct bs_err err = BS_ERR_INIT;
	size_t i;

	(void)state;
	tu_mkdtemp(dir);
	/* K0 K1 K2, and every 97th key a long one of 100 digits (not cached) */
	f.fd = kfile_make(dir, 3000, 3, off, &size);
	bs_keyset_init_external(&ks, size, kload, &f);
	for (i = 0; i < 3000; i++) {
		char key[128];
		size_t len = key_of(key, sizeof(key), i, 3);

		assert_int_equal(bs_keyset_add_at(&ks, key, len, off[i], &err),
		    i == 0 || i == 1 || i == 2 || i == 3 || i == 97 || i == 194);
	}
	assert_int_equal(bs_keyset_count(&ks), 6);
	/* K0, K1 and K2 loaded once; the 31 long ones at each repeat (28) */
	assert_int_equal(ks.loads, 3 + 28);
	bs_keyset_release(&ks);
	close(f.fd);
	free(off);
	tu_rm_rf(dir);
}

static void
test_external_load_error(void **state)
{
	char dir[PATH_MAX];
	uint64_t off[10], size;
	struct bs_keyset ks;
	struct kfile f = { 0, 2, 0 };
	struct bs_err err = BS_ERR_INIT;
	char want[64];
	size_t i;

	(void)state;
	tu_mkdtemp(dir);
	f.fd = kfile_make(dir, 10, 5, off, &size);
	bs_keyset_init_external(&ks, size, kload, &f);
	ks.hash = hash_const0;
	assert_int_equal(bs_keyset_add_at(&ks, "K1", 2, off[1], &err), 1);
	assert_int_equal(bs_keyset_add_at(&ks, "K2", 2, off[2], &err), 1);
	/*
	 * K3 is compared with K1 (cached when K2 was added) and K2, whose
	 * load, the second, fails: an error, and the set is unchanged
	 */
	assert_int_equal(bs_keyset_add_at(&ks, "K3", 2, off[3], &err), -1);
	assert_int_equal(err.code, BS_EXIT_IOERR);
	snprintf(want, sizeof(want), "cannot read at %" PRIu64, off[2]);
	assert_string_equal(err.msg, want);
	assert_int_equal(bs_keyset_count(&ks), 2);
	f.fail_at = 0;
	/* keys 3, 4 and 5 ("K0": 0 is a long one) are new, then repeats */
	for (i = 3; i < 10; i++) {
		char key[128];
		size_t len = key_of(key, sizeof(key), i, 5);

		assert_int_equal(bs_keyset_add_at(&ks, key, len, off[i], &err), i < 6);
	}
	assert_int_equal(bs_keyset_count(&ks), 5);
	/* not usable as an ordinary set */
	assert_null(bs_keyset_find(&ks, "K0", 2));
	bs_keyset_release(&ks);
	close(f.fd);
	tu_rm_rf(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_find),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_big_key_and_reserve),
		cmocka_unit_test(test_composite),
		cmocka_unit_test(test_external),
		cmocka_unit_test(test_external_collisions),
		cmocka_unit_test(test_external_cache),
		cmocka_unit_test(test_external_load_error),
	};

	return cmocka_run_group_tests_name("keyset", tests, NULL, NULL);
}
