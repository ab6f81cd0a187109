/*
 * log.h - messages for people, on stderr.
 *
 * Format: "prog: level: message".  Quiet on success: only errors and
 * warnings print by default; -v shows info, -vv debug, -q hides warnings.
 * stdout is for data only.  Never pass a password to these functions.
 *
 * Process-wide state (set once in main): the program name and verbosity.
 */
#ifndef BS_LOG_H
#define BS_LOG_H

#include <stdint.h>

enum bs_log_level {
	BS_LOG_ERROR = 0,
	BS_LOG_WARN = 1,
	BS_LOG_INFO = 2,
	BS_LOG_DEBUG = 3,
};

/* Set the program name from argv[0] (basename) and default verbosity. */
void bs_log_init(const char *argv0);
const char *bs_progname(void);
void bs_log_set_level(int level);	/* clamps to ERROR..DEBUG */
int bs_log_level(void);

void bs_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define bs_error(...) bs_log(BS_LOG_ERROR, __VA_ARGS__)
#define bs_warn(...) bs_log(BS_LOG_WARN, __VA_ARGS__)
#define bs_info(...) bs_log(BS_LOG_INFO, __VA_ARGS__)
#define bs_debug(...) bs_log(BS_LOG_DEBUG, __VA_ARGS__)

/*
 * Throttled progress on a terminal: at most two redraws a second, only when
 * stderr is a tty and the level is at least WARN (i.e. not -q).
 */
struct bs_progress {
	const char *what;	/* e.g. the table name */
	double start;		/* monotonic seconds */
	double last;
	int enabled;
	int drawn;
};
void bs_progress_init(struct bs_progress *p, const char *what);
void bs_progress_update(struct bs_progress *p, uint64_t rows);
void bs_progress_done(struct bs_progress *p); /* erase the line */

/* Monotonic clock in seconds. */
double bs_now_mono(void);

/* Close stdout, reporting a write error: returns rc, or 74 on failure. */
int bs_close_stdout(int rc);

#endif
