/*
 * err.h - error reporting between the library and main().
 *
 * Library functions return 0 on success and -1 on failure after filling a
 * caller-provided struct bs_err with an exit-code class and a message; only
 * main-level code prints and decides the exit code.
 *
 *	struct bs_err err = BS_ERR_INIT;
 *	if (bs_csv_open(&r, path, &err) < 0)
 *		return bs_report(&err);
 */
#ifndef BS_ERR_H
#define BS_ERR_H

#include <stdarg.h>

#define BS_ERR_MSG_MAX 2048

struct bs_err {
	int code;			/* an enum bs_exit value, 0 if unset */
	char msg[BS_ERR_MSG_MAX];	/* lowercase, no final full stop */
};

#define BS_ERR_INIT { 0, "" }

/* Fill err (if not NULL) with code and a formatted message; returns -1. */
int bs_err_set(struct bs_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int bs_err_vset(struct bs_err *err, int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Prefix the existing message with "context: " (keeps the code); -1. */
int bs_err_prefix(struct bs_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Reset to the "no error" state. */
void bs_err_clear(struct bs_err *err);

/*
 * Print "prog: error: msg" on stderr and return err->code (BS_EXIT_SOFTWARE
 * if the code was never set: a failure without a class is our bug).
 */
int bs_report(const struct bs_err *err);

#endif
