#include "bs.h"
#include "rundir.h"
#include "ofile.h"

#include <dirent.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/random.h>

/* Process-wide: the interrupt flag the signal handler sets. */
volatile int bs_interrupted;

static void
on_signal(int sig)
{
	bs_interrupted = sig;
}

void
bs_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void
bs_utc_now(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
bs_mkdir_p(const char *path, mode_t mode, struct bs_err *err)
{
	char *p = bs_xstrdup(path), *s;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) != 0 && errno != EEXIST) {
			bs_err_set(err, BS_EXIT_CANTCREAT, "cannot create directory '%s': %s",
			    p, strerror(errno));
			free(p);
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, mode) != 0 && errno != EEXIST) {
		bs_err_set(err, BS_EXIT_CANTCREAT, "cannot create directory '%s': %s", p,
		    strerror(errno));
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

int
bs_rm_rf(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char *sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = bs_xasprintf("%s/%s", path, e->d_name);
		if (bs_rm_rf(sub) != 0)
			rc = -1;
		free(sub);
	}
	closedir(d);
	if (rmdir(path) != 0)
		rc = -1;
	return rc;
}

/* Is dir empty?  (Unreadable counts as not empty.) */
static int
is_empty_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int empty = 1;

	if (!d)
		return 0;
	while (empty && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty;
}

/*
 * Is path the temporary directory of a run that died?  Only a real
 * directory can be: with --out the parent is a folder the user chose, and
 * a file or folder that merely has ".tmp-" in its name is not ours.  A run
 * holds .lock from just after creating its directory until it renames it,
 * so a free lock means its run is gone.  Without .lock the run died (or is)
 * between mkdir and locking, when the directory is still empty; one that
 * has stayed empty for a minute is abandoned.
 */
static int
is_stale(const char *path)
{
	char *lock;
	struct stat st;
	int fd, stale;

	if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return 0;
	lock = bs_xasprintf("%s/.lock", path);
	fd = open(lock, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	free(lock);
	if (fd < 0)
		return errno == ENOENT && time(NULL) - st.st_mtime > 60 &&
		    is_empty_dir(path);
	stale = flock(fd, LOCK_EX | LOCK_NB) == 0;
	close(fd);
	return stale;
}

int
bs_run_clean_stale(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char *p;

		if (!strstr(e->d_name, ".tmp-"))
			continue;
		p = bs_xasprintf("%s/%s", dir, e->d_name);
		if (is_stale(p) && bs_rm_rf(p) == 0) {
			bs_info("removed the unfinished run '%s' of a process that no longer runs", p);
			n++;
		}
		free(p);
	}
	closedir(d);
	return n;
}

/*
 * Create dir/.lock already locked: an unnamed file is locked first and then
 * linked into place, so a cleaner can never find the lock file free while
 * its run is alive.  Falls back to create-then-lock where O_TMPFILE is not
 * supported.
 */
static int
take_lock(const char *dir, const char *lock)
{
	char proc[64];
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);

	if (fd >= 0) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		if (flock(fd, LOCK_EX | LOCK_NB) == 0 &&
		    linkat(AT_FDCWD, proc, AT_FDCWD, lock, AT_SYMLINK_FOLLOW) == 0)
			return fd;
		close(fd);
	}
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static char *
dirname_of(const char *p)
{
	const char *s = strrchr(p, '/');

	if (!s)
		return bs_xstrdup(".");
	if (s == p)
		return bs_xstrdup("/");
	return bs_xstrndup(p, (size_t)(s - p));
}

int
bs_run_begin(struct bs_run *r, const char *runs_dir, const char *out,
    const char *program, struct bs_err *err)
{
	unsigned char rnd[2] = { 0, 0 };
	char stamp[32], *parent, *lock;
	struct timespec ts;
	time_t t;
	struct tm tm;
	struct stat st;

	memset(r, 0, sizeof(*r));
	r->lock_fd = -1;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		rnd[0] = (unsigned char)getpid();
		rnd[1] = (unsigned char)(getpid() >> 8);
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	t = ts.tv_sec;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	strftime(r->started, sizeof(r->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* milliseconds, so that runs started within one second still sort */
	snprintf(r->id, sizeof(r->id), "%s.%03ldZ-%s-%02x%02x", stamp,
	    ts.tv_nsec / 1000000, program, rnd[0], rnd[1]);

	if (out) {
		if (lstat(out, &st) == 0)
			return bs_err_set(err, BS_EXIT_CANTCREAT,
			    "output directory '%s' already exists; a finished run is "
			    "never overwritten", out);
		r->final = bs_xstrdup(out);
		r->tmp = bs_xasprintf("%s.tmp-%s", out, r->id);
		parent = dirname_of(out);
	} else {
		r->final = bs_xasprintf("%s/%s", runs_dir, r->id);
		r->tmp = bs_xasprintf("%s/.tmp-%s", runs_dir, r->id);
		parent = bs_xstrdup(runs_dir);
	}
	if (bs_mkdir_p(parent, 0755, err) < 0) {
		free(parent);
		bs_run_release(r);
		return -1;
	}
	bs_run_clean_stale(parent);
	free(parent);
	if (mkdir(r->tmp, 0755) != 0) {
		bs_err_set(err, BS_EXIT_CANTCREAT, "cannot create run directory '%s': %s",
		    r->tmp, strerror(errno));
		bs_run_release(r);
		return -1;
	}
	lock = bs_xasprintf("%s/.lock", r->tmp);
	r->lock_fd = take_lock(r->tmp, lock);
	free(lock);
	if (r->lock_fd < 0) {
		bs_err_set(err, BS_EXIT_CANTCREAT, "cannot lock run directory '%s': %s",
		    r->tmp, strerror(errno));
		bs_run_abort(r);
		bs_run_release(r);
		return -1;
	}
	return 0;
}

char *
bs_run_path(const struct bs_run *r, const char *name)
{
	return bs_xasprintf("%s/%s", r->tmp, name);
}

int
bs_run_finish(struct bs_run *r, struct bs_err *err)
{
	char *lock = bs_xasprintf("%s/.lock", r->tmp), *parent;

	unlink(lock);
	free(lock);
	if (bs_fsync_dir(r->tmp, err) < 0)
		return -1;
	/* never replace anything, not even an empty directory */
	if (renameat2(AT_FDCWD, r->tmp, AT_FDCWD, r->final, RENAME_NOREPLACE) != 0)
		return bs_err_set(err, BS_EXIT_CANTCREAT,
		    "cannot rename '%s' to '%s': %s", r->tmp, r->final, strerror(errno));
	parent = dirname_of(r->final);
	bs_fsync_dir(parent, NULL);
	free(parent);
	if (r->lock_fd >= 0)
		close(r->lock_fd);
	r->lock_fd = -1;
	r->finished = 1;
	return 0;
}

void
bs_run_abort(struct bs_run *r)
{
	if (!r || r->finished || !r->tmp)
		return;
	bs_rm_rf(r->tmp);
	if (r->lock_fd >= 0)
		close(r->lock_fd);
	r->lock_fd = -1;
}

void
bs_run_release(struct bs_run *r)
{
	if (!r)
		return;
	if (r->lock_fd >= 0)
		close(r->lock_fd);
	free(r->final);
	free(r->tmp);
	r->final = r->tmp = NULL;
	r->lock_fd = -1;
}
