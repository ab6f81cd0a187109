#include "bs.h"
#include "log.h"

/* Process-wide: set once by main through bs_log_init / bs_log_set_level. */
static char progname[64] = "baosong";
static int level = BS_LOG_WARN;

static const char *const level_names[] = { "error", "warning", "info", "debug" };

void
bs_log_init(const char *argv0)
{
	const char *b;

	if (argv0) {
		b = strrchr(argv0, '/');
		b = b ? b + 1 : argv0;
		snprintf(progname, sizeof(progname), "%s", b);
	}
	level = BS_LOG_WARN;
}

const char *
bs_progname(void)
{
	return progname;
}

void
bs_log_set_level(int l)
{
	level = l < BS_LOG_ERROR ? BS_LOG_ERROR : l > BS_LOG_DEBUG ? BS_LOG_DEBUG : l;
}

int
bs_log_level(void)
{
	return level;
}

void
bs_log(int l, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	if (l > level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s: %s\n", progname, level_names[l], msg);
}

double
bs_now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
bs_progress_init(struct bs_progress *p, const char *what)
{
	p->what = what;
	p->start = bs_now_mono();
	p->last = 0;
	p->drawn = 0;
	p->enabled = level >= BS_LOG_WARN && isatty(STDERR_FILENO);
}

void
bs_progress_update(struct bs_progress *p, uint64_t rows)
{
	double now, el;

	if (!p->enabled)
		return;
	now = bs_now_mono();
	if (now - p->last < 0.5)
		return;
	p->last = now;
	el = now - p->start;
	fprintf(stderr, "\r%s: %s: %" PRIu64 " rows, %.0f rows/s, %.1f s\033[K",
	    progname, p->what, rows, el > 0 ? (double)rows / el : 0.0, el);
	p->drawn = 1;
}

void
bs_progress_done(struct bs_progress *p)
{
	if (p->drawn)
		fputs("\r\033[K", stderr);
	p->drawn = 0;
}

int
bs_close_stdout(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		bs_error("write error on standard output: %s", strerror(errno));
		return BS_EXIT_IOERR;
	}
	return rc;
}
