/*
 * exitcode.h - the one exit-code table of baosong.
 *
 * Every program ends with one of these codes; README.md and the EXIT STATUS
 * section of every manual page print the same table.  They follow
 * sysexits(3), with one extra code (1) for "ran correctly, the answer is no".
 * baosong-run retries BS_EXIT_TEMPFAIL only.
 */
#ifndef BS_EXITCODE_H
#define BS_EXITCODE_H

enum bs_exit {
	BS_EXIT_OK = 0,		/* done */
	BS_EXIT_REJECTED = 1,	/* ran correctly, the answer is no */
	BS_EXIT_USAGE = 64,	/* bad command line */
	BS_EXIT_DATAERR = 65,	/* bad input data */
	BS_EXIT_NOINPUT = 66,	/* input missing or unreadable */
	BS_EXIT_UNAVAILABLE = 69, /* service unavailable */
	BS_EXIT_SOFTWARE = 70,	/* internal error (our bug) */
	BS_EXIT_OSERR = 71,	/* fork/exec failure, out of memory */
	BS_EXIT_CANTCREAT = 73, /* cannot create output */
	BS_EXIT_IOERR = 74,	/* read/write/fsync failed */
	BS_EXIT_TEMPFAIL = 75,	/* temporary failure: the runner retries */
	BS_EXIT_PROTOCOL = 76,	/* remote protocol error */
	BS_EXIT_NOPERM = 77,	/* permission or authentication refused */
	BS_EXIT_CONFIG = 78,	/* bad configuration or definition */
};

/* Short English name of an exit code ("usage", "tempfail"), "unknown" else. */
const char *bs_exit_name(int code);

#endif
