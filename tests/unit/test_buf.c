/*
 * test_buf.c - the capped growable buffer (lib/buf.h): appends of every
 * kind, the cap refusing without a partial append, reset, release,
 * detach and the empty-buffer string.
 */
#include "bs.h"
#include "buf.h"

#include <setjmp.h>
#include <cmocka.h>

static void
t_empty(void **state)
{
	struct bs_buf b = BS_BUF_INIT(0);

	(void)state;
	assert_null(b.buf);
	assert_string_equal(bs_buf_str(&b), "");
	assert_int_equal(b.len, 0);
	bs_buf_release(&b);
	bs_buf_release(NULL);
	bs_buf_reset(&b);
	assert_string_equal(bs_buf_str(&b), "");
}

static void
t_appends(void **state)
{
	struct bs_buf b = BS_BUF_INIT(0);

	(void)state;
	assert_int_equal(bs_buf_add(&b, "ab", 2), 0);
	assert_int_equal(bs_buf_adds(&b, "cd"), 0);
	assert_int_equal(bs_buf_addc(&b, 'e'), 0);
	assert_int_equal(bs_buf_addf(&b, "-%d-%s-", 42, "保单"), 0);
	assert_int_equal(bs_buf_add(&b, "", 0), 0);
	assert_string_equal(bs_buf_str(&b), "abcde-42-保单-");
	assert_int_equal(b.len, strlen("abcde-42-保单-"));
	assert_int_equal(b.buf[b.len], '\0');
	bs_buf_release(&b);
	assert_null(b.buf);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.alloc, 0);
}

static void
t_binary(void **state)
{
	struct bs_buf b = BS_BUF_INIT(0);
	static const char bin[] = { 'a', 0, 'b', 0 };

	(void)state;
	assert_int_equal(bs_buf_add(&b, bin, sizeof(bin)), 0);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.buf, bin, 4);
	assert_int_equal(b.buf[4], '\0');
	bs_buf_release(&b);
}

static void
t_growth(void **state)
{
	struct bs_buf b = BS_BUF_INIT(0);
	size_t i;

	(void)state;
	for (i = 0; i < 100000; i++)
		assert_int_equal(bs_buf_addc(&b, (char)('a' + i % 26)), 0);
	assert_int_equal(b.len, 100000);
	assert_true(b.alloc > b.len);
	for (i = 0; i < 100000; i++)
		assert_int_equal(b.buf[i], (char)('a' + i % 26));
	assert_int_equal(b.buf[b.len], '\0');
	bs_buf_reset(&b);
	for (i = 0; i < 50; i++)
		assert_int_equal(bs_buf_addf(&b, "%0100d", 7), 0);
	assert_int_equal(b.len, 5000);
	assert_int_equal(b.buf[4999], '7');
	assert_int_equal(b.buf[4998], '0');
	bs_buf_release(&b);
}

static void
t_cap(void **state)
{
	struct bs_buf b = BS_BUF_INIT(5);

	(void)state;
	assert_int_equal(bs_buf_adds(&b, "abc"), 0);
	/* over the cap: refused, nothing appended */
	assert_int_equal(bs_buf_adds(&b, "def"), -1);
	assert_string_equal(bs_buf_str(&b), "abc");
	assert_int_equal(b.len, 3);
	assert_int_equal(bs_buf_addf(&b, "%s", "xyz"), -1);
	assert_string_equal(bs_buf_str(&b), "abc");
	/* exactly up to the cap is fine */
	assert_int_equal(bs_buf_adds(&b, "de"), 0);
	assert_string_equal(bs_buf_str(&b), "abcde");
	assert_int_equal(bs_buf_addc(&b, 'f'), -1);
	assert_int_equal(bs_buf_add(&b, "", 0), 0);
	assert_int_equal(bs_buf_grow(&b, 1), -1);
	assert_int_equal(bs_buf_grow(&b, 0), 0);
	assert_string_equal(bs_buf_str(&b), "abcde");
	/* reset frees room; release keeps the cap */
	bs_buf_reset(&b);
	assert_int_equal(bs_buf_adds(&b, "12345"), 0);
	bs_buf_release(&b);
	assert_int_equal(b.max, 5);
	assert_int_equal(bs_buf_adds(&b, "123456"), -1);
	assert_int_equal(bs_buf_adds(&b, "12"), 0);
	assert_string_equal(bs_buf_str(&b), "12");
	bs_buf_release(&b);
}

static void
t_grow_overflow(void **state)
{
	struct bs_buf b = BS_BUF_INIT(0);

	(void)state;
	assert_int_equal(bs_buf_adds(&b, "x"), 0);
	assert_int_equal(bs_buf_grow(&b, SIZE_MAX), -1);
	assert_int_equal(bs_buf_grow(&b, SIZE_MAX - 1), -1);
	assert_string_equal(bs_buf_str(&b), "x");
	assert_int_equal(bs_buf_grow(&b, 1000), 0);
	assert_true(b.alloc >= 1002);
	assert_int_equal(b.len, 1);
	bs_buf_release(&b);
}

static void
t_reset_keeps_memory(void **state)
{
	struct bs_buf b = BS_BUF_INIT(0);
	size_t alloc;
	char *mem;

	(void)state;
	bs_buf_adds(&b, "hello world");
	alloc = b.alloc;
	mem = b.buf;
	bs_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(bs_buf_str(&b), "");
	assert_int_equal(b.alloc, alloc);
	assert_ptr_equal(b.buf, mem);
	bs_buf_release(&b);
}

static void
t_detach(void **state)
{
	struct bs_buf b = BS_BUF_INIT(0);
	size_t len = 99;
	char *s;

	(void)state;
	bs_buf_adds(&b, "保单表");
	s = bs_buf_detach(&b, &len);
	assert_string_equal(s, "保单表");
	assert_int_equal(len, strlen("保单表"));
	assert_null(b.buf);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.alloc, 0);
	free(s);
	/* an empty buffer detaches as an allocated "" */
	s = bs_buf_detach(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
	s = bs_buf_detach(&b, NULL);
	assert_string_equal(s, "");
	free(s);
	/* still usable */
	bs_buf_adds(&b, "again");
	assert_string_equal(bs_buf_str(&b), "again");
	bs_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_empty),
		cmocka_unit_test(t_appends),
		cmocka_unit_test(t_binary),
		cmocka_unit_test(t_growth),
		cmocka_unit_test(t_cap),
		cmocka_unit_test(t_grow_overflow),
		cmocka_unit_test(t_reset_keeps_memory),
		cmocka_unit_test(t_detach),
	};

	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
