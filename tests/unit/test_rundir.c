/*
 * test_rundir.c - run directories (lib/rundir.h): begin/finish renames
 * .tmp-<id> to <id>; an existing --out directory is refused; temporaries
 * of dead runs are cleaned by the next begin while a temporary whose lock
 * is held (by a forked child here) stays; abort removes the temporary;
 * and nothing that merely looks like a temporary is deleted.
 */
#include "bs.h"
#include "rundir.h"

#include <regex.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tutil.h"

struct fx {
	char dir[PATH_MAX];
	char runs[PATH_MAX + 16];
};

static int
setup(void **state)
{
	struct fx *f = bs_xcalloc(1, sizeof(*f));

	tu_mkdtemp(f->dir);
	snprintf(f->runs, sizeof(f->runs), "%s/runs", f->dir);
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

static void
assert_match(const char *s, const char *re)
{
	regex_t rx;

	assert_int_equal(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), 0);
	if (regexec(&rx, s, 0, NULL, 0) != 0)
		fail_msg("'%s' does not match /%s/", s, re);
	regfree(&rx);
}

static void
t_begin_finish(void **state)
{
	struct fx *f = *state;
	struct bs_run r;
	struct bs_err err = BS_ERR_INIT;
	char *want, *p, *lock;

	assert_int_equal(bs_run_begin(&r, f->runs, NULL, "extract", &err), 0);
	assert_match(r.id, "^[0-9]{8}T[0-9]{6}\\.[0-9]{3}Z-extract-[0-9a-f]{4}$");
	assert_match(r.started, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$");
	/* the id's stamp and the start time are the same instant */
	assert_memory_equal(r.id, r.started, 4);
	assert_memory_equal(r.id + 4, r.started + 5, 2);
	want = bs_xasprintf("%s/.tmp-%s", f->runs, r.id);
	assert_string_equal(r.tmp, want);
	free(want);
	want = bs_xasprintf("%s/%s", f->runs, r.id);
	assert_string_equal(r.final, want);
	free(want);
	assert_true(tu_exists(r.tmp));
	assert_false(tu_exists(r.final));
	lock = bs_xasprintf("%s/.lock", r.tmp);
	assert_true(tu_exists(lock));
	free(lock);
	assert_true(r.lock_fd >= 0);

	p = bs_run_path(&r, "manifest.json");
	want = bs_xasprintf("%s/manifest.json", r.tmp);
	assert_string_equal(p, want);
	free(want);
	tu_write_path(p, "{}\n", 3);
	free(p);

	assert_int_equal(bs_run_finish(&r, &err), 0);
	assert_int_equal(r.finished, 1);
	assert_int_equal(r.lock_fd, -1);
	assert_false(tu_exists(r.tmp));
	assert_true(tu_exists(r.final));
	p = bs_xasprintf("%s/manifest.json", r.final);
	assert_true(tu_exists(p));
	free(p);
	p = bs_xasprintf("%s/.lock", r.final);
	assert_false(tu_exists(p));	/* the lock does not ship */
	free(p);
	assert_int_equal(tu_count_entries(r.final), 1);
	/* a finished run is immutable: abort does nothing */
	bs_run_abort(&r);
	assert_true(tu_exists(r.final));
	bs_run_release(&r);
	assert_null(r.final);
	bs_run_release(&r);
	bs_run_release(NULL);
	assert_int_equal(tu_count_entries(f->runs), 1);
}

static void
t_out_dir(void **state)
{
	struct fx *f = *state;
	struct bs_run r;
	struct bs_err err = BS_ERR_INIT;
	char *out = bs_xasprintf("%s/deep/er/result", f->dir), *want, *parent;

	assert_int_equal(bs_run_begin(&r, f->runs, out, "extract", &err), 0);
	assert_string_equal(r.final, out);
	want = bs_xasprintf("%s.tmp-%s", out, r.id);
	assert_string_equal(r.tmp, want);
	free(want);
	assert_true(tu_exists(r.tmp));
	assert_false(tu_exists(out));
	assert_int_equal(bs_run_finish(&r, &err), 0);
	assert_true(tu_exists(out));
	parent = bs_xasprintf("%s/deep/er", f->dir);
	assert_int_equal(tu_count_entries(parent), 1);
	free(parent);
	bs_run_release(&r);
	/* the runs folder is not used with --out */
	assert_false(tu_exists(f->runs));

	/* a finished run is never overwritten */
	assert_int_equal(bs_run_begin(&r, f->runs, out, "extract", &err), -1);
	assert_int_equal(err.code, BS_EXIT_CANTCREAT);
	want = bs_xasprintf("output directory '%s' already exists; a finished run "
	    "is never overwritten", out);
	assert_string_equal(err.msg, want);
	free(want);
	assert_null(r.tmp);
	bs_run_release(&r);
	/* nor is an existing file */
	free(out);
	out = tu_write(f->dir, "file", "x");
	assert_int_equal(bs_run_begin(&r, f->runs, out, "extract", &err), -1);
	assert_int_equal(err.code, BS_EXIT_CANTCREAT);
	bs_run_release(&r);
	free(out);
}

static void
t_abort(void **state)
{
	struct fx *f = *state;
	struct bs_run r;
	struct bs_err err = BS_ERR_INIT;
	char *p;

	assert_int_equal(bs_run_begin(&r, f->runs, NULL, "validate", &err), 0);
	p = bs_xasprintf("%s/sub", r.tmp);
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
	free(tu_write(r.tmp, "sub/data.csv", "a\n"));
	bs_run_abort(&r);
	assert_false(tu_exists(r.tmp));
	assert_false(tu_exists(r.final));
	assert_int_equal(r.lock_fd, -1);
	bs_run_abort(&r);
	bs_run_abort(NULL);
	bs_run_release(&r);
	assert_int_equal(tu_count_entries(f->runs), 0);
}

/* A temporary left by a run that died: its .lock exists, nobody holds it. */
static char *
make_dead_tmp(const char *runs, const char *name)
{
	char *d = bs_xasprintf("%s/%s", runs, name);
	struct bs_err err = BS_ERR_INIT;

	assert_int_equal(bs_mkdir_p(d, 0755, &err), 0);
	free(tu_write(d, ".lock", ""));
	free(tu_write(d, "half.csv", "a,b\n1,"));
	return d;
}

static void
t_stale_removed(void **state)
{
	struct fx *f = *state;
	struct bs_run r;
	struct bs_err err = BS_ERR_INIT;
	char *dead = make_dead_tmp(f->runs, ".tmp-x");

	assert_int_equal(bs_run_begin(&r, f->runs, NULL, "extract", &err), 0);
	assert_false(tu_exists(dead));
	assert_true(tu_exists(r.tmp));
	/* the new run's own temporary is not stale */
	assert_int_equal(bs_run_clean_stale(f->runs), 0);
	assert_true(tu_exists(r.tmp));
	bs_run_abort(&r);
	bs_run_release(&r);
	free(dead);

	/* with --out, beside the output directory */
	dead = make_dead_tmp(f->dir, "result.tmp-20260101T000000Z-extract-0000");
	{
		char *out = bs_xasprintf("%s/result", f->dir);

		assert_int_equal(bs_run_begin(&r, NULL, out, "extract", &err), 0);
		assert_false(tu_exists(dead));
		bs_run_abort(&r);
		bs_run_release(&r);
		free(out);
	}
	free(dead);
}

static void
t_held_lock_kept(void **state)
{
	struct fx *f = *state;
	struct bs_run r;
	struct bs_err err = BS_ERR_INIT;
	char *live = make_dead_tmp(f->runs, ".tmp-y");
	char *lock = bs_xasprintf("%s/.lock", live);
	int pfd[2], status;
	pid_t pid;
	char c;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* a running run: holds the lock until killed */
		int fd = open(lock, O_RDWR);

		close(pfd[0]);
		if (fd < 0 || flock(fd, LOCK_EX) != 0)
			_exit(1);
		if (write(pfd[1], "L", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &c, 1), 1);
	close(pfd[0]);

	assert_int_equal(bs_run_begin(&r, f->runs, NULL, "extract", &err), 0);
	assert_true(tu_exists(live));
	assert_true(tu_exists(lock));
	assert_int_equal(bs_run_clean_stale(f->runs), 0);
	assert_true(tu_exists(live));

	/* once its process is gone, the lock is free and the temporary goes */
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(bs_run_clean_stale(f->runs), 1);
	assert_false(tu_exists(live));
	assert_true(tu_exists(r.tmp));
	bs_run_abort(&r);
	bs_run_release(&r);
	free(lock);
	free(live);
}

static void
t_no_lock_yet(void **state)
{
	struct fx *f = *state;
	struct bs_err err = BS_ERR_INIT;
	char *young = bs_xasprintf("%s/.tmp-young", f->runs);
	char *old = bs_xasprintf("%s/.tmp-old", f->runs);

	assert_int_equal(bs_mkdir_p(young, 0755, &err), 0);
	assert_int_equal(bs_mkdir_p(old, 0755, &err), 0);
	tu_age(old, 120);
	/* a run creates its folder just before it locks it: a young folder
	 * without a lock may be starting; an old empty one died there */
	assert_int_equal(bs_run_clean_stale(f->runs), 1);
	assert_true(tu_exists(young));
	assert_false(tu_exists(old));
	free(young);
	free(old);
}

/*
 * With --out the cleaning looks into a folder the user chose, which may
 * hold anything.  Only what a run could have left there may go.
 */
static void
t_foreign_names_kept(void **state)
{
	struct fx *f = *state;
	struct bs_run r;
	struct bs_err err = BS_ERR_INIT;
	char *file = tu_write(f->dir, "notes.tmp-keep", "important\n");
	char *full = bs_xasprintf("%s/photos.tmp-2019", f->dir);
	char *out = bs_xasprintf("%s/result", f->dir);
	char *inside;

	assert_int_equal(mkdir(full, 0755), 0);
	inside = tu_write(full, "img.jpg", "jpeg");
	tu_age(file, 3600);
	tu_age(full, 3600);
	assert_int_equal(bs_run_begin(&r, NULL, out, "extract", &err), 0);
	assert_true(tu_exists(file));
	assert_true(tu_exists(inside));
	bs_run_abort(&r);
	bs_run_release(&r);
	assert_int_equal(bs_run_clean_stale(f->dir), 0);
	assert_true(tu_exists(file));
	assert_true(tu_exists(inside));
	free(inside);
	free(out);
	free(full);
	free(file);
}

static void
t_mkdir_rm(void **state)
{
	struct fx *f = *state;
	struct bs_err err = BS_ERR_INIT;
	char *p = bs_xasprintf("%s/a/b/c/", f->dir), *q, *want, *outside, *link;

	assert_int_equal(bs_mkdir_p(p, 0755, &err), 0);
	assert_true(tu_exists(p));
	assert_int_equal(bs_mkdir_p(p, 0755, &err), 0);	/* exists: fine */
	free(p);
	q = tu_write(f->dir, "a/file", "x");
	p = bs_xasprintf("%s/a/file/sub", f->dir);
	assert_int_equal(bs_mkdir_p(p, 0755, &err), -1);
	assert_int_equal(err.code, BS_EXIT_CANTCREAT);
	want = bs_xasprintf("cannot create directory '%s': Not a directory", p);
	assert_string_equal(err.msg, want);
	free(want);
	free(p);
	free(q);

	/* rm -rf does not follow a symbolic link out of the tree */
	outside = bs_xasprintf("%s/outside", f->dir);
	assert_int_equal(mkdir(outside, 0755), 0);
	free(tu_write(outside, "keep", "k"));
	link = bs_xasprintf("%s/a/b/link", f->dir);
	assert_int_equal(symlink(outside, link), 0);
	p = bs_xasprintf("%s/a", f->dir);
	assert_int_equal(bs_rm_rf(p), 0);
	assert_false(tu_exists(p));
	assert_int_equal(tu_count_entries(outside), 1);
	assert_int_equal(bs_rm_rf(p), 0);		/* missing: fine */
	free(p);
	free(link);
	free(outside);
}

static void
t_utc_signals(void **state)
{
	char buf[32];

	(void)state;
	bs_utc_now(buf, sizeof(buf));
	assert_match(buf, "^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z$");
	bs_signals_install();
	bs_interrupted = 0;
	raise(SIGTERM);
	assert_int_equal(bs_interrupted, SIGTERM);
	raise(SIGINT);
	assert_int_equal(bs_interrupted, SIGINT);
	bs_interrupted = 0;
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
}

int
main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(t_begin_finish),
		T(t_out_dir),
		T(t_abort),
		T(t_stale_removed),
		T(t_held_lock_kept),
		T(t_no_lock_yet),
		T(t_foreign_names_kept),
		T(t_mkdir_rm),
		T(t_utc_signals),
	};

	return cmocka_run_group_tests_name("rundir", tests, NULL, NULL);
}
