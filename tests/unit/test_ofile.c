/*
 * test_ofile.c - atomic output files (lib/ofile.h): nothing under the
 * final name before commit, abort leaves nothing, EXCL, counted and hashed
 * bytes across the 256 KiB buffer, and a real write error (RLIMIT_FSIZE)
 * surfacing as 74 with no file left behind.
 */
#include "bs.h"
#include "ofile.h"

#include <signal.h>
#include <sys/resource.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tutil.h"

struct fx {
	char dir[PATH_MAX];
};

static int
setup(void **state)
{
	struct fx *f = bs_xcalloc(1, sizeof(*f));

	tu_mkdtemp(f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	tu_rm_rf(f->dir);
	free(f);
	return 0;
}

static char *
tmp_name(const char *dir, const char *name)
{
	return bs_xasprintf("%s/.%s.tmp.%ld", dir, name, (long)getpid());
}

static void
t_commit_publishes(void **state)
{
	struct fx *f = *state;
	char *path = bs_xasprintf("%s/保单.csv", f->dir), *tmp = tmp_name(f->dir, "保单.csv");
	char *got, hex[BS_SHA256_HEX];
	const char *text = "policy_no,premium\nP001,130.10\n";
	struct bs_ofile o;
	struct bs_err err = BS_ERR_INIT;
	size_t n;

	assert_int_equal(bs_ofile_open(&o, path, 0, &err), 0);
	assert_string_equal(o.tmp, tmp);
	assert_true(tu_exists(tmp));
	assert_false(tu_exists(path));
	assert_int_equal(bs_ofile_puts(&o, "policy_no,premium\n", &err), 0);
	assert_int_equal(bs_ofile_write(&o, "P001,130.10\n", 12, &err), 0);
	assert_int_equal(bs_ofile_write(&o, "", 0, &err), 0);
	assert_int_equal(o.bytes, strlen(text));
	/* still nothing under the final name */
	assert_false(tu_exists(path));
	assert_int_equal(bs_ofile_commit(&o, &err), 0);
	assert_true(tu_exists(path));
	assert_false(tu_exists(tmp));
	assert_int_equal(tu_count_entries(f->dir), 1);
	got = tu_read(path, &n);
	assert_string_equal(got, text);
	bs_sha256_hex(text, strlen(text), hex);
	assert_string_equal(o.sha256, hex);
	assert_int_equal(o.bytes, n);
	assert_null(o.path);
	assert_null(o.tmp);
	assert_null(o.buf);
	assert_int_equal(o.fd, -1);
	free(got);
	free(tmp);
	free(path);
}

static void
t_big_writes(void **state)
{
	struct fx *f = *state;
	char *path = bs_xasprintf("%s/big.bin", f->dir), *got, hex[BS_SHA256_HEX];
	size_t total = 0, n, i, sizes[] = { 1, 100000, 200000, 262144, 5, 700000, 262143, 3 };
	struct bs_buf all = BS_BUF_INIT(0);
	struct bs_ofile o;
	struct bs_err err = BS_ERR_INIT;

	assert_int_equal(bs_ofile_open(&o, path, 0, &err), 0);
	for (i = 0; i < BS_ARRAY_SIZE(sizes); i++) {
		char *chunk = bs_xmalloc(sizes[i]);
		size_t k;

		for (k = 0; k < sizes[i]; k++)
			chunk[k] = (char)((total + k) * 31 + i);
		assert_int_equal(bs_ofile_write(&o, chunk, sizes[i], &err), 0);
		bs_buf_add(&all, chunk, sizes[i]);
		total += sizes[i];
		free(chunk);
	}
	assert_int_equal(o.bytes, total);
	assert_int_equal(bs_ofile_commit(&o, &err), 0);
	got = tu_read(path, &n);
	assert_int_equal(n, total);
	assert_memory_equal(got, all.buf, total);
	bs_sha256_hex(all.buf, all.len, hex);
	assert_string_equal(o.sha256, hex);
	assert_int_equal(bs_sha256_file(path, hex, NULL, &err), 0);
	assert_string_equal(o.sha256, hex);
	free(got);
	bs_buf_release(&all);
	free(path);
}

static void
t_abort(void **state)
{
	struct fx *f = *state;
	char *path = bs_xasprintf("%s/gone.csv", f->dir);
	struct bs_ofile o;
	struct bs_err err = BS_ERR_INIT;
	char *big = bs_xcalloc(1, 400000);

	assert_int_equal(bs_ofile_open(&o, path, 0, &err), 0);
	bs_ofile_write(&o, big, 400000, &err);	/* some of it on disk */
	bs_ofile_abort(&o);
	assert_int_equal(tu_count_entries(f->dir), 0);
	assert_null(o.path);
	assert_int_equal(o.fd, -1);
	bs_ofile_abort(&o);		/* twice is fine */
	bs_ofile_abort(NULL);
	free(big);
	free(path);
}

static void
t_excl(void **state)
{
	struct fx *f = *state;
	char *path = tu_write(f->dir, "exists.csv", "old\n"), *want, *got;
	struct bs_ofile o;
	struct bs_err err = BS_ERR_INIT;

	assert_int_equal(bs_ofile_open(&o, path, BS_OFILE_EXCL, &err), -1);
	assert_int_equal(err.code, BS_EXIT_CANTCREAT);
	want = bs_xasprintf("cannot create '%s': file exists", path);
	assert_string_equal(err.msg, want);
	assert_int_equal(tu_count_entries(f->dir), 1);
	bs_ofile_abort(&o);		/* harmless after a failed open */

	/* without EXCL the old file is replaced at commit, not before */
	assert_int_equal(bs_ofile_open(&o, path, 0, &err), 0);
	bs_ofile_puts(&o, "new\n", &err);
	got = tu_read(path, NULL);
	assert_string_equal(got, "old\n");
	free(got);
	assert_int_equal(bs_ofile_commit(&o, &err), 0);
	got = tu_read(path, NULL);
	assert_string_equal(got, "new\n");
	free(got);
	free(path);

	/* the final name appears while writing: EXCL refuses at commit */
	path = bs_xasprintf("%s/race.csv", f->dir);
	assert_int_equal(bs_ofile_open(&o, path, BS_OFILE_EXCL, &err), 0);
	bs_ofile_puts(&o, "mine\n", &err);
	free(tu_write(f->dir, "race.csv", "theirs\n"));
	assert_int_equal(bs_ofile_commit(&o, &err), -1);
	assert_int_equal(err.code, BS_EXIT_CANTCREAT);
	free(want);
	want = bs_xasprintf("cannot create '%s': file exists", path);
	assert_string_equal(err.msg, want);
	got = tu_read(path, NULL);
	assert_string_equal(got, "theirs\n");
	free(got);
	assert_int_equal(tu_count_entries(f->dir), 2);
	free(want);
	free(path);
}

static void
t_nohash(void **state)
{
	struct fx *f = *state;
	char *path = bs_xasprintf("%s/nohash", f->dir);
	struct bs_ofile o;
	struct bs_err err = BS_ERR_INIT;

	assert_int_equal(bs_ofile_open(&o, path, BS_OFILE_NOHASH, &err), 0);
	bs_ofile_puts(&o, "abc", &err);
	assert_int_equal(bs_ofile_commit(&o, &err), 0);
	assert_string_equal(o.sha256, "");
	assert_int_equal(o.bytes, 3);
	free(path);
}

static void
t_open_errors(void **state)
{
	struct fx *f = *state;
	char *path = bs_xasprintf("%s/no/such/dir/x.csv", f->dir), *want;
	struct bs_ofile o;
	struct bs_err err = BS_ERR_INIT;

	assert_int_equal(bs_ofile_open(&o, path, 0, &err), -1);
	assert_int_equal(err.code, BS_EXIT_CANTCREAT);
	want = bs_xasprintf("cannot create '%s/no/such/dir/.x.csv.tmp.%ld': "
	    "No such file or directory", f->dir, (long)getpid());
	assert_string_equal(err.msg, want);
	assert_null(o.path);
	assert_null(o.tmp);
	assert_int_equal(o.fd, -1);
	bs_ofile_abort(&o);
	free(want);
	free(path);
}

static void
t_relative(void **state)
{
	struct fx *f = *state;
	struct bs_ofile o;
	struct bs_err err = BS_ERR_INIT;
	int here = open(".", O_RDONLY | O_DIRECTORY);
	char *tmp, *got, *p;

	assert_true(here >= 0);
	assert_int_equal(chdir(f->dir), 0);
	assert_int_equal(bs_ofile_open(&o, "rel.txt", 0, &err), 0);
	tmp = bs_xasprintf(".rel.txt.tmp.%ld", (long)getpid());
	assert_string_equal(o.tmp, tmp);
	assert_true(tu_exists(tmp));
	bs_ofile_puts(&o, "x", &err);
	assert_int_equal(bs_ofile_commit(&o, &err), 0);
	assert_false(tu_exists(tmp));
	assert_int_equal(fchdir(here), 0);
	close(here);
	p = bs_xasprintf("%s/rel.txt", f->dir);
	got = tu_read(p, NULL);
	assert_string_equal(got, "x");
	free(got);
	free(p);
	free(tmp);
}

static void
t_write_file_atomic(void **state)
{
	struct fx *f = *state;
	char *path = bs_xasprintf("%s/w.json", f->dir), *got, *want;
	struct bs_err err = BS_ERR_INIT;

	assert_int_equal(bs_write_file_atomic(path, "{}\n", 3, &err), 0);
	got = tu_read(path, NULL);
	assert_string_equal(got, "{}\n");
	free(got);
	assert_int_equal(bs_write_file_atomic(path, "[]\n", 3, &err), 0);
	got = tu_read(path, NULL);
	assert_string_equal(got, "[]\n");
	free(got);
	assert_int_equal(tu_count_entries(f->dir), 1);
	free(path);
	path = bs_xasprintf("%s/missing/w.json", f->dir);
	assert_int_equal(bs_write_file_atomic(path, "{}", 2, &err), -1);
	assert_int_equal(err.code, BS_EXIT_CANTCREAT);
	free(path);

	assert_int_equal(bs_fsync_dir(f->dir, &err), 0);
	path = bs_xasprintf("%s/missing", f->dir);
	assert_int_equal(bs_fsync_dir(path, &err), -1);
	assert_int_equal(err.code, BS_EXIT_IOERR);
	want = bs_xasprintf("cannot open directory '%s': No such file or directory", path);
	assert_string_equal(err.msg, want);
	free(want);
	free(path);
}

/*
 * A real write error: with RLIMIT_FSIZE lowered and SIGXFSZ ignored,
 * write() past the limit fails with EFBIG, as it would on a full disk.
 */
struct fsize_guard {
	struct rlimit old;
	struct sigaction oldsa;
};

static void
limit_fsize(struct fsize_guard *g, rlim_t bytes)
{
	struct rlimit rl;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	assert_int_equal(sigaction(SIGXFSZ, &sa, &g->oldsa), 0);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &g->old), 0);
	rl = g->old;
	rl.rlim_cur = bytes;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

static void
unlimit_fsize(struct fsize_guard *g)
{
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &g->old), 0);
	assert_int_equal(sigaction(SIGXFSZ, &g->oldsa, NULL), 0);
}

static void
t_write_error_at_commit(void **state)
{
	struct fx *f = *state;
	char *path = bs_xasprintf("%s/full.csv", f->dir), *want;
	char *data = bs_xcalloc(1, 100000);
	struct fsize_guard g;
	struct bs_ofile o;
	struct bs_err err = BS_ERR_INIT;
	int rc;

	assert_int_equal(bs_ofile_open(&o, path, 0, &err), 0);
	limit_fsize(&g, 65536);
	rc = bs_ofile_write(&o, data, 100000, &err);	/* buffered */
	if (rc == 0)
		rc = bs_ofile_commit(&o, &err);		/* flush fails */
	unlimit_fsize(&g);
	assert_int_equal(rc, -1);
	assert_int_equal(err.code, BS_EXIT_IOERR);
	want = bs_xasprintf("cannot write '%s': File too large", path);
	assert_string_equal(err.msg, want);
	/* commit failed: no final file, no temporary */
	assert_false(tu_exists(path));
	assert_int_equal(tu_count_entries(f->dir), 0);
	assert_null(o.tmp);
	free(want);
	free(data);
	free(path);
}

static void
t_write_error_in_write(void **state)
{
	struct fx *f = *state;
	char *path = bs_xasprintf("%s/full2.csv", f->dir), *want;
	char *data = bs_xcalloc(1, 1 << 20);
	struct fsize_guard g;
	struct bs_ofile o;
	struct bs_err err = BS_ERR_INIT;
	int rc;

	assert_int_equal(bs_ofile_open(&o, path, BS_OFILE_EXCL, &err), 0);
	limit_fsize(&g, 65536);
	rc = bs_ofile_write(&o, data, 1 << 20, &err);	/* straight to disk */
	unlimit_fsize(&g);
	assert_int_equal(rc, -1);
	assert_int_equal(err.code, BS_EXIT_IOERR);
	want = bs_xasprintf("cannot write '%s': File too large", path);
	assert_string_equal(err.msg, want);
	bs_ofile_abort(&o);
	assert_false(tu_exists(path));
	assert_int_equal(tu_count_entries(f->dir), 0);
	free(want);
	free(data);
	free(path);
}

int
main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(t_commit_publishes),
		T(t_big_writes),
		T(t_abort),
		T(t_excl),
		T(t_nohash),
		T(t_open_errors),
		T(t_relative),
		T(t_write_file_atomic),
		T(t_write_error_at_commit),
		T(t_write_error_in_write),
	};

	return cmocka_run_group_tests_name("ofile", tests, NULL, NULL);
}
