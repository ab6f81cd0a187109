/*
 * test_err.c - struct bs_err (lib/err.h): setting, prefixing with and
 * without room, clearing, bs_report's output and exit code, and the
 * exit-code names of lib/exitcode.h.
 */
#include "bs.h"
#include "err.h"

#include <setjmp.h>
#include <cmocka.h>

#include "tutil.h"

static int
vset_helper(struct bs_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = bs_err_vset(err, code, fmt, ap);
	va_end(ap);
	return rc;
}

static void
t_set(void **state)
{
	struct bs_err err = BS_ERR_INIT;

	(void)state;
	assert_int_equal(err.code, 0);
	assert_string_equal(err.msg, "");
	assert_int_equal(bs_err_set(&err, BS_EXIT_NOINPUT, "cannot open '%s': %s",
	    "保单.csv", "No such file or directory"), -1);
	assert_int_equal(err.code, 66);
	assert_string_equal(err.msg, "cannot open '保单.csv': No such file or directory");
	assert_int_equal(vset_helper(&err, BS_EXIT_CONFIG, "x=%d", 5), -1);
	assert_int_equal(err.code, 78);
	assert_string_equal(err.msg, "x=5");
	/* a NULL err is allowed and still fails */
	assert_int_equal(bs_err_set(NULL, 65, "ignored %d", 1), -1);
	assert_int_equal(vset_helper(NULL, 65, "ignored"), -1);
	bs_err_clear(&err);
	assert_int_equal(err.code, 0);
	assert_string_equal(err.msg, "");
	bs_err_clear(NULL);
}

static void
t_truncation(void **state)
{
	struct bs_err err = BS_ERR_INIT;
	char big[3000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	bs_err_set(&err, 65, "%s", big);
	assert_int_equal(strlen(err.msg), BS_ERR_MSG_MAX - 1);
}

static void
t_prefix(void **state)
{
	struct bs_err err = BS_ERR_INIT;
	char big[3000];
	size_t n;

	(void)state;
	bs_err_set(&err, BS_EXIT_DATAERR, "record 3: bad amount");
	assert_int_equal(bs_err_prefix(&err, "'%s'", "policy.csv"), -1);
	assert_int_equal(err.code, BS_EXIT_DATAERR);
	assert_string_equal(err.msg, "'policy.csv': record 3: bad amount");
	bs_err_prefix(&err, "extract");
	assert_string_equal(err.msg, "extract: 'policy.csv': record 3: bad amount");
	assert_int_equal(bs_err_prefix(NULL, "x"), -1);

	/* a long old message is cut at the end */
	memset(big, 'o', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	bs_err_set(&err, 74, "%s", big);
	bs_err_prefix(&err, "ctx");
	n = strlen(err.msg);
	assert_int_equal(n, BS_ERR_MSG_MAX - 1);
	assert_memory_equal(err.msg, "ctx: ooo", 8);
	assert_int_equal(err.code, 74);

	/* a prefix that fills the whole message leaves just the prefix */
	bs_err_set(&err, 74, "old");
	memset(big, 'p', sizeof(big) - 1);
	bs_err_prefix(&err, "%s", big);
	assert_int_equal(strlen(err.msg), BS_ERR_MSG_MAX - 1);
	assert_null(strchr(err.msg, ':'));
	assert_null(strstr(err.msg, "old"));
}

static void
t_report(void **state)
{
	struct bs_err err = BS_ERR_INIT;
	struct tu_capture c;
	char *out;

	(void)state;
	bs_log_init("/usr/bin/test_err");
	bs_err_set(&err, BS_EXIT_TEMPFAIL, "database is busy");
	tu_stderr_begin(&c);
	assert_int_equal(bs_report(&err), 75);
	out = tu_stderr_end(&c);
	assert_string_equal(out, "test_err: error: database is busy\n");
	free(out);

	/* a failure without a class or message is our bug: 70 */
	bs_err_clear(&err);
	tu_stderr_begin(&c);
	assert_int_equal(bs_report(&err), BS_EXIT_SOFTWARE);
	out = tu_stderr_end(&c);
	assert_string_equal(out, "test_err: error: unknown failure (this is a bug)\n");
	free(out);

	/* a message without a class still reports 70, with the message */
	snprintf(err.msg, sizeof(err.msg), "half set");
	tu_stderr_begin(&c);
	assert_int_equal(bs_report(&err), BS_EXIT_SOFTWARE);
	out = tu_stderr_end(&c);
	assert_string_equal(out, "test_err: error: half set\n");
	free(out);
}

static void
t_exit_names(void **state)
{
	static const struct {
		int code;
		const char *name;
	} t[] = {
		{ 0, "ok" }, { 1, "rejected" }, { 64, "usage" }, { 65, "dataerr" },
		{ 66, "noinput" }, { 69, "unavailable" }, { 70, "software" },
		{ 71, "oserr" }, { 73, "cantcreat" }, { 74, "ioerr" },
		{ 75, "tempfail" }, { 76, "protocol" }, { 77, "noperm" },
		{ 78, "config" }, { 2, "unknown" }, { 67, "unknown" },
		{ 72, "unknown" }, { 79, "unknown" }, { -1, "unknown" },
		{ 255, "unknown" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < BS_ARRAY_SIZE(t); i++)
		assert_string_equal(bs_exit_name(t[i].code), t[i].name);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_set),
		cmocka_unit_test(t_truncation),
		cmocka_unit_test(t_prefix),
		cmocka_unit_test(t_report),
		cmocka_unit_test(t_exit_names),
	};

	return cmocka_run_group_tests_name("err", tests, NULL, NULL);
}
