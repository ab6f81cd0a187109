/*
 * tutil.h - small helpers shared by the unit tests: a scratch directory,
 * whole-file read and write, existence checks, capturing stderr, and a
 * private unixODBC configuration that registers the SQLite3 driver.
 *
 * Every function is static inline so a test that does not use one gets no
 * unused-function warning.  Include after "bs.h" and <cmocka.h>.
 *
 *	char dir[PATH_MAX];
 *	tu_mkdtemp(dir);
 *	char *p = tu_write(dir, "a.txt", "hello\n");
 *	...
 *	free(p);
 *	tu_rm_rf(dir);
 */
#ifndef BS_TUTIL_H
#define BS_TUTIL_H

#include <dirent.h>
#include <ftw.h>

/* An unnamed temporary file holding len bytes of in, rewound. */
static inline FILE *
tu_mem_file(const char *in, size_t len)
{
	FILE *fp = tmpfile();

	assert_non_null(fp);
	if (len)
		assert_int_equal(fwrite(in, 1, len, fp), len);
	assert_int_equal(fflush(fp), 0);
	rewind(fp);
	return fp;
}

/* Make a fresh scratch directory under $TMPDIR (or /tmp); dir[PATH_MAX]. */
static inline void
tu_mkdtemp(char *dir)
{
	const char *t = getenv("TMPDIR");
	int n = snprintf(dir, PATH_MAX, "%s/bs-unit.XXXXXX", t && *t ? t : "/tmp");

	assert_true(n > 0 && n < PATH_MAX);
	assert_non_null(mkdtemp(dir));
}

static inline int
tu_rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

/* rm -rf, not following symbolic links; a missing path is fine. */
static inline void
tu_rm_rf(const char *path)
{
	nftw(path, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Write n bytes to path (created or truncated). */
static inline void
tu_write_path(const char *path, const void *data, size_t n)
{
	FILE *fp = fopen(path, "wb");

	if (!fp)
		fail_msg("cannot create '%s': %s", path, strerror(errno));
	if (n)
		assert_int_equal(fwrite(data, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
}

/* Write text to dir/name; returns the path (caller frees). */
static inline char *
tu_write(const char *dir, const char *name, const char *text)
{
	char *p = bs_xasprintf("%s/%s", dir, name);

	tu_write_path(p, text, strlen(text));
	return p;
}

/* Whole file, NUL-terminated (caller frees), or NULL if it cannot be read. */
static inline char *
tu_read(const char *path, size_t *len)
{
	struct bs_buf b = BS_BUF_INIT(0);
	char chunk[65536];
	size_t n;
	FILE *fp = fopen(path, "rb");

	if (!fp)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		bs_buf_add(&b, chunk, n);
	fclose(fp);
	return bs_buf_detach(&b, len);
}

/* Does path exist (lstat)? */
static inline int
tu_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Number of entries of a directory, "." and ".." not counted; -1 if none. */
static inline int
tu_count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* Set a path's modification time seconds in the past. */
static inline void
tu_age(const char *path, int seconds)
{
	struct timespec ts[2];

	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= seconds;
	ts[1] = ts[0];
	assert_int_equal(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0);
}

/*
 * Capture what is written to stderr between tu_stderr_begin() and
 * tu_stderr_end() (returns it; caller frees).
 */
struct tu_capture {
	int saved;
	FILE *fp;
};

static inline void
tu_stderr_begin(struct tu_capture *c)
{
	fflush(stderr);
	c->fp = tmpfile();
	assert_non_null(c->fp);
	c->saved = dup(2);
	assert_true(c->saved >= 0);
	assert_true(dup2(fileno(c->fp), 2) >= 0);
}

static inline char *
tu_stderr_end(struct tu_capture *c)
{
	struct bs_buf b = BS_BUF_INIT(0);
	char chunk[4096];
	size_t n;

	fflush(stderr);
	assert_true(dup2(c->saved, 2) >= 0);
	close(c->saved);
	rewind(c->fp);
	while ((n = fread(chunk, 1, sizeof(chunk), c->fp)) > 0)
		bs_buf_add(&b, chunk, n);
	fclose(c->fp);
	return bs_buf_detach(&b, NULL);
}

#define TU_SQLITE_DRIVER "/usr/lib/x86_64-linux-gnu/odbc/libsqlite3odbc.so"

/*
 * Point unixODBC at a private configuration in dir: an odbcinst.ini that
 * registers [SQLite3] by absolute path and an empty odbc.ini, so neither
 * /etc nor ~/.odbc.ini matters.  Must run before the first ODBC call.
 * Returns 0, or -1 when the SQLite3 driver is not installed (skip).
 */
static inline int
tu_odbc_setup(const char *dir)
{
	char *p;

	if (access(TU_SQLITE_DRIVER, R_OK) != 0)
		return -1;
	p = tu_write(dir, "odbcinst.ini", "[SQLite3]\nDescription=SQLite3 ODBC Driver\n"
	    "Driver=" TU_SQLITE_DRIVER "\nUsageCount=1\n");
	free(p);
	p = tu_write(dir, "odbc.ini", "");
	assert_int_equal(setenv("ODBCINI", p, 1), 0);
	free(p);
	assert_int_equal(setenv("ODBCSYSINI", dir, 1), 0);
	return 0;
}

/*
 * A private unixODBC configuration for a whole cmocka group: pass these as
 * the group setup and teardown; a test skips when !tu_have_driver.
 */
static char tu_odbc_dir[PATH_MAX] __attribute__((unused));
static int tu_have_driver __attribute__((unused));

static inline int
tu_odbc_group_setup(void **state)
{
	(void)state;
	tu_mkdtemp(tu_odbc_dir);
	tu_have_driver = tu_odbc_setup(tu_odbc_dir) == 0;
	return 0;
}

static inline int
tu_odbc_group_teardown(void **state)
{
	(void)state;
	tu_rm_rf(tu_odbc_dir);
	return 0;
}

#endif
