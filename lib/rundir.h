/*
 * rundir.h - run directories: everything a run writes goes into a
 * temporary directory that is renamed into place only when the run is
 * complete, so a half-finished run is never mistaken for a finished one.
 *
 *	runs/.tmp-<run-id>/   while running (holds .lock, flock'ed by the run)
 *	runs/<run-id>/        when complete; never modified afterwards
 *
 * A run killed by a signal (even SIGKILL) leaves its temporary behind; the
 * next run in the same runs/ directory removes temporaries whose lock is
 * no longer held.  With an explicit output directory (--out DIR) the same
 * happens next to DIR ("DIR.tmp-<run-id>" then rename to DIR; DIR must not
 * exist).
 *
 * Run ids sort by start time, to the millisecond:
 * 20261127T213001.042Z-extract-7f3a.
 */
#ifndef BS_RUNDIR_H
#define BS_RUNDIR_H

struct bs_run {
	char id[64];
	char started[32];	/* UTC, 2026-11-27T21:30:01Z */
	char *final;		/* final directory path */
	char *tmp;		/* temporary directory path (write here) */
	int lock_fd;
	int finished;
};

/*
 * Begin a run of program (e.g. "extract"): out == NULL makes runs_dir/<id>;
 * otherwise out is the final directory (73 if it exists).  Creates the
 * temporary directory and cleans stale temporaries beside it.
 */
int bs_run_begin(struct bs_run *r, const char *runs_dir, const char *out,
    const char *program, struct bs_err *err);
/* Path of a file inside the temporary directory (malloc'd). */
char *bs_run_path(const struct bs_run *r, const char *name);
/* fsync and rename into place; the run is then finished and immutable. */
int bs_run_finish(struct bs_run *r, struct bs_err *err);
/* Remove the temporary directory (any failure path). */
void bs_run_abort(struct bs_run *r);
void bs_run_release(struct bs_run *r);

/* Remove temporaries in dir whose owning run is dead; returns how many. */
int bs_run_clean_stale(const char *dir);

/* Current UTC time as 2026-11-27T21:30:01Z into buf[32]. */
void bs_utc_now(char *buf, size_t n);
/* mkdir -p. */
int bs_mkdir_p(const char *path, mode_t mode, struct bs_err *err);
/* rm -rf (no symlink following); 0 or -1 with errno. */
int bs_rm_rf(const char *path);

/* Interrupt flag: set by SIGINT/SIGTERM/SIGHUP after bs_signals_install(). */
extern volatile int bs_interrupted;
void bs_signals_install(void);

#endif
