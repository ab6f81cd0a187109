/*
 * test_sha256.c - SHA-256 (lib/sha256.h): the FIPS 180-2 vectors, streaming
 * in odd pieces against one-shot, and whole files of 0 bytes, exactly
 * 1 MiB (the read size) and just over it.
 */
#include "bs.h"
#include "sha256.h"

#include <setjmp.h>
#include <cmocka.h>

#include "tutil.h"

#define H_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define H_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define H_448 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
#define H_MILLION_A "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"

static void
t_vectors(void **state)
{
	char hex[BS_SHA256_HEX];
	char *a;

	(void)state;
	bs_sha256_hex("", 0, hex);
	assert_string_equal(hex, H_EMPTY);
	bs_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, H_ABC);
	bs_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	assert_string_equal(hex, H_448);
	a = bs_xmalloc(1000000);
	memset(a, 'a', 1000000);
	bs_sha256_hex(a, 1000000, hex);
	assert_string_equal(hex, H_MILLION_A);
	free(a);
	assert_int_equal(strlen(hex), 64);
}

static void
t_streaming(void **state)
{
	struct bs_sha256 h;
	char hex[BS_SHA256_HEX], one[BS_SHA256_HEX];
	unsigned char *data = bs_xmalloc(100000);
	size_t i, off, step;

	(void)state;
	for (i = 0; i < 100000; i++)
		data[i] = (unsigned char)(i * 7 + (i >> 8));
	bs_sha256_hex(data, 100000, one);
	for (step = 1; step <= 65537; step = step * 3 + 1) {
		bs_sha256_init(&h);
		for (off = 0; off < 100000; off += step)
			bs_sha256_update(&h, data + off, off + step > 100000 ? 100000 - off : step);
		bs_sha256_update(&h, data, 0);
		bs_sha256_final_hex(&h, hex);
		assert_null(h.ctx);
		assert_string_equal(hex, one);
	}
	/* "abc" in three pieces */
	bs_sha256_init(&h);
	bs_sha256_update(&h, "a", 1);
	bs_sha256_update(&h, "", 0);
	bs_sha256_update(&h, "bc", 2);
	bs_sha256_final_hex(&h, hex);
	assert_string_equal(hex, H_ABC);
	free(data);
}

static void
t_release(void **state)
{
	struct bs_sha256 h = { NULL };

	(void)state;
	bs_sha256_release(&h);		/* never initialised */
	bs_sha256_release(NULL);
	bs_sha256_init(&h);
	bs_sha256_update(&h, "abc", 3);
	bs_sha256_release(&h);		/* abandoned half way */
	assert_null(h.ctx);
	bs_sha256_release(&h);
}

static void
file_case(const char *dir, size_t n)
{
	char *p = bs_xasprintf("%s/f%zu", dir, n), hex[BS_SHA256_HEX], one[BS_SHA256_HEX];
	unsigned char *data = bs_xmalloc(n + 1);
	unsigned long long size = 12345;
	struct bs_err err = BS_ERR_INIT;
	size_t i;

	for (i = 0; i < n; i++)
		data[i] = (unsigned char)(i ^ (i >> 11));
	tu_write_path(p, data, n);
	bs_sha256_hex(data, n, one);
	assert_int_equal(bs_sha256_file(p, hex, &size, &err), 0);
	assert_string_equal(hex, one);
	assert_int_equal(size, n);
	assert_int_equal(bs_sha256_file(p, hex, NULL, &err), 0);
	assert_string_equal(hex, one);
	free(data);
	free(p);
}

static void
t_files(void **state)
{
	char dir[PATH_MAX], *p, *want, hex[BS_SHA256_HEX];
	struct bs_err err = BS_ERR_INIT;

	(void)state;
	tu_mkdtemp(dir);
	file_case(dir, 0);
	file_case(dir, 3);
	file_case(dir, 1 << 20);
	file_case(dir, (1 << 20) + 7);
	file_case(dir, 3 * (1 << 20));

	p = bs_xasprintf("%s/abc", dir);
	tu_write_path(p, "abc", 3);
	assert_int_equal(bs_sha256_file(p, hex, NULL, &err), 0);
	assert_string_equal(hex, H_ABC);
	free(p);

	p = bs_xasprintf("%s/missing", dir);
	assert_int_equal(bs_sha256_file(p, hex, NULL, &err), -1);
	assert_int_equal(err.code, BS_EXIT_NOINPUT);
	want = bs_xasprintf("cannot open '%s': No such file or directory", p);
	assert_string_equal(err.msg, want);
	free(want);
	free(p);

	assert_int_equal(bs_sha256_file(dir, hex, NULL, &err), -1);
	assert_int_equal(err.code, BS_EXIT_IOERR);
	want = bs_xasprintf("cannot read '%s': Is a directory", dir);
	assert_string_equal(err.msg, want);
	free(want);
	tu_rm_rf(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_vectors),
		cmocka_unit_test(t_streaming),
		cmocka_unit_test(t_release),
		cmocka_unit_test(t_files),
	};

	return cmocka_run_group_tests_name("sha256", tests, NULL, NULL);
}
