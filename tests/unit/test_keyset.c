#include "bs.h"
#include "keyset.h"

#include <setjmp.h>
#include <cmocka.h>

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_find),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_big_key_and_reserve),
		cmocka_unit_test(test_composite),
	};

	return cmocka_run_group_tests_name("keyset", tests, NULL, NULL);
}
