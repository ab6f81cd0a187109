#include "bs.h"
#include "calendar.h"

#include <setjmp.h>
#include <cmocka.h>

/* Independent day-number helper for the tests (Hinnant's algorithm). */
static long
ymd(int y, int m, int d)
{
	long yy = y - (m <= 2);
	long era = (yy >= 0 ? yy : yy - 399) / 400;
	long yoe = yy - era * 400;
	long doy = (153L * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;

	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static struct bs_calendar *cal;

static void
test_day_numbers(void **state)
{
	(void)state;
	/* 55 years of 365 days + 14 leap days */
	assert_int_equal(ymd(1970, 1, 1), 0);
	assert_int_equal(ymd(2025, 1, 1), 20089);
	assert_int_equal(ymd(2024, 12, 31), 20088);
	assert_int_equal(ymd(2025, 3, 1) - ymd(2025, 2, 28), 1);
	assert_int_equal(ymd(2024, 3, 1) - ymd(2024, 2, 28), 2);
	/* 2025-01-25 was a Saturday: (day + 4) % 7 == 6 */
	assert_int_equal((ymd(2025, 1, 25) + 4) % 7, 6);
}

static void
expect_workday(int y, int m, int d, int want)
{
	struct bs_err err = BS_ERR_INIT;
	int got = bs_calendar_is_workday(cal, ymd(y, m, d), &err);

	if (got != want)
		fail_msg("%04d-%02d-%02d: is_workday %d, expected %d", y, m, d,
		    got, want);
}

static void
test_shipped_days(void **state)
{
	(void)state;
	/* 2025 */
	expect_workday(2025, 1, 1, 0);		/* 元旦, Wed */
	expect_workday(2025, 1, 2, 1);
	expect_workday(2025, 1, 25, 0);		/* Sat */
	expect_workday(2025, 1, 26, 1);		/* Sun, 调休 */
	expect_workday(2025, 1, 27, 1);
	expect_workday(2025, 1, 28, 0);		/* 除夕 */
	expect_workday(2025, 2, 4, 0);
	expect_workday(2025, 2, 5, 1);
	expect_workday(2025, 2, 8, 1);		/* Sat, 调休 */
	expect_workday(2025, 2, 9, 0);
	expect_workday(2025, 4, 4, 0);		/* 清明 Fri */
	expect_workday(2025, 4, 7, 1);
	expect_workday(2025, 4, 27, 1);		/* Sun, 调休 */
	expect_workday(2025, 5, 5, 0);		/* Mon */
	expect_workday(2025, 5, 6, 1);
	expect_workday(2025, 6, 2, 0);		/* 端午 Mon */
	expect_workday(2025, 9, 28, 1);		/* Sun, 调休 */
	expect_workday(2025, 9, 30, 1);
	expect_workday(2025, 10, 8, 0);		/* Wed */
	expect_workday(2025, 10, 9, 1);
	expect_workday(2025, 10, 11, 1);	/* Sat, 调休 */
	expect_workday(2025, 10, 12, 0);
	expect_workday(2025, 12, 31, 1);
	/* 2026 */
	expect_workday(2026, 1, 1, 0);
	expect_workday(2026, 1, 2, 0);		/* Fri */
	expect_workday(2026, 1, 4, 1);		/* Sun, 调休 */
	expect_workday(2026, 2, 14, 1);		/* Sat, 调休 */
	expect_workday(2026, 2, 16, 0);
	expect_workday(2026, 2, 23, 0);		/* Mon, 正月初七 */
	expect_workday(2026, 2, 24, 1);
	expect_workday(2026, 2, 28, 1);		/* Sat, 调休 */
	expect_workday(2026, 4, 6, 0);		/* Mon */
	expect_workday(2026, 5, 5, 0);		/* Tue */
	expect_workday(2026, 5, 9, 1);		/* Sat, 调休 */
	expect_workday(2026, 6, 19, 0);		/* Fri */
	expect_workday(2026, 9, 20, 1);		/* Sun, 调休 */
	expect_workday(2026, 9, 25, 0);		/* Fri, 中秋 */
	expect_workday(2026, 10, 7, 0);		/* Wed */
	expect_workday(2026, 10, 8, 1);		/* Thu */
	expect_workday(2026, 10, 10, 1);	/* Sat, 调休 */
	expect_workday(2026, 12, 31, 1);
}

static void
test_workdays_in_year(void **state)
{
	struct bs_err err = BS_ERR_INIT;
	int n = -1;

	(void)state;
	/* DOMAIN.md 3.4: 261 - 18 + 5 and 261 - 19 + 6 */
	assert_int_equal(bs_calendar_workdays_in_year(cal, 2025, &n, &err), 0);
	assert_int_equal(n, 248);
	assert_int_equal(bs_calendar_workdays_in_year(cal, 2026, &n, &err), 0);
	assert_int_equal(n, 248);
}

static void
test_fifteenth_rolled(void **state)
{
	/* DOMAIN.md 3.4: the 15th, postponed to the next working day */
	static const int want[12][2] = {
		{ 1, 15 }, { 2, 17 }, { 3, 17 }, { 4, 15 }, { 5, 15 },
		{ 6, 16 }, { 7, 15 }, { 8, 15 }, { 9, 15 }, { 10, 15 },
		{ 11, 17 }, { 12, 15 },
	};
	struct bs_err err = BS_ERR_INIT;
	long out;
	int m;

	(void)state;
	for (m = 1; m <= 12; m++) {
		assert_int_equal(bs_calendar_next_workday(cal, ymd(2025, m, 15),
		    &out, &err), 0);
		assert_int_equal(out, ymd(2025, want[m - 1][0],
		    want[m - 1][1]));
	}
}

static void
test_nth_workday(void **state)
{
	/* DOMAIN.md 3.4: 2nd and 10th working day of each 2025 month */
	static const int second[12] = { 3, 6, 4, 2, 7, 4, 2, 4, 2, 10, 4, 2 };
	static const int tenth[12] = {
		15, 17, 14, 15, 19, 16, 14, 14, 12, 21, 14, 12
	};
	struct bs_err err = BS_ERR_INIT;
	long out;
	int m;

	(void)state;
	for (m = 1; m <= 12; m++) {
		assert_int_equal(bs_calendar_nth_workday_of_month(cal, 2025, m,
		    2, &out, &err), 0);
		assert_int_equal(out, ymd(2025, m, second[m - 1]));
		assert_int_equal(bs_calendar_nth_workday_of_month(cal, 2025, m,
		    10, &out, &err), 0);
		assert_int_equal(out, ymd(2025, m, tenth[m - 1]));
	}
	/* first and last */
	assert_int_equal(bs_calendar_nth_workday_of_month(cal, 2025, 1, 1, &out,
	    &err), 0);
	assert_int_equal(out, ymd(2025, 1, 2));
	assert_int_equal(bs_calendar_nth_workday_of_month(cal, 2025, 1, -1,
	    &out, &err), 0);
	assert_int_equal(out, ymd(2025, 1, 27));	/* 28-31 are 春节 */
	assert_int_equal(bs_calendar_nth_workday_of_month(cal, 2025, 9, -1,
	    &out, &err), 0);
	assert_int_equal(out, ymd(2025, 9, 30));
	assert_int_equal(bs_calendar_nth_workday_of_month(cal, 2025, 10, 1,
	    &out, &err), 0);
	assert_int_equal(out, ymd(2025, 10, 9));
	assert_int_equal(bs_calendar_nth_workday_of_month(cal, 2025, 10, -2,
	    &out, &err), 0);
	assert_int_equal(out, ymd(2025, 10, 30));
	assert_int_equal(bs_calendar_nth_workday_of_month(cal, 2026, 2, 1,
	    &out, &err), 0);
	assert_int_equal(out, ymd(2026, 2, 2));
	assert_int_equal(bs_calendar_nth_workday_of_month(cal, 2026, 1, 1,
	    &out, &err), 0);
	assert_int_equal(out, ymd(2026, 1, 4));		/* Sun, 调休 */
}

static void
test_nth_workday_errors(void **state)
{
	struct bs_err err = BS_ERR_INIT;
	long out = 42;

	(void)state;
	/* February 2025: 20 weekdays - 2/3, 2/4 (春节) + 2/8 (调休) = 19 */
	assert_int_equal(bs_calendar_nth_workday_of_month(cal, 2025, 2, 25,
	    &out, &err), -1);
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	assert_string_equal(err.msg,
	    "2025-02 has only 19 working days, not 25");
	assert_int_equal(bs_calendar_nth_workday_of_month(cal, 2025, 2, -20,
	    &out, &err), -1);
	assert_string_equal(err.msg,
	    "2025-02 has only 19 working days, not 20");
	assert_int_equal(bs_calendar_nth_workday_of_month(cal, 2025, 2, 19,
	    &out, &err), 0);
	assert_int_equal(out, ymd(2025, 2, 28));
	assert_int_equal(bs_calendar_nth_workday_of_month(cal, 2025, 13, 1,
	    &out, &err), -1);
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	assert_string_equal(err.msg, "month 13 is not between 1 and 12");
	assert_int_equal(bs_calendar_nth_workday_of_month(cal, 2025, 0, 1,
	    &out, &err), -1);
	assert_int_equal(bs_calendar_nth_workday_of_month(cal, 2025, 1, 0,
	    &out, &err), -1);
	assert_string_equal(err.msg,
	    "working day 0 of a month: must be 1..31 or -1..-31");
	assert_int_equal(bs_calendar_nth_workday_of_month(cal, 2025, 1, 32,
	    &out, &err), -1);
	assert_int_equal(bs_calendar_nth_workday_of_month(cal, 2027, 1, 1,
	    &out, &err), -1);
	assert_string_equal(err.msg, "calendar has no data for 2027");
	assert_int_equal(out, ymd(2025, 2, 28));	/* untouched on error */
}

static void
test_next_and_add(void **state)
{
	struct bs_err err = BS_ERR_INIT;
	long out;

	(void)state;
	/* DOMAIN.md 3.4: next working day after 2025-01-25 and 2025-09-30 */
	assert_int_equal(bs_calendar_add_workdays(cal, ymd(2025, 1, 25), 1,
	    &out, &err), 0);
	assert_int_equal(out, ymd(2025, 1, 26));
	assert_int_equal(bs_calendar_add_workdays(cal, ymd(2025, 9, 30), 1,
	    &out, &err), 0);
	assert_int_equal(out, ymd(2025, 10, 9));
	/* next_workday: the day itself when it is one */
	assert_int_equal(bs_calendar_next_workday(cal, ymd(2025, 1, 25), &out,
	    &err), 0);
	assert_int_equal(out, ymd(2025, 1, 26));
	assert_int_equal(bs_calendar_next_workday(cal, ymd(2025, 9, 30), &out,
	    &err), 0);
	assert_int_equal(out, ymd(2025, 9, 30));
	assert_int_equal(bs_calendar_next_workday(cal, ymd(2025, 10, 1), &out,
	    &err), 0);
	assert_int_equal(out, ymd(2025, 10, 9));
	/* 2026 */
	assert_int_equal(bs_calendar_next_workday(cal, ymd(2026, 2, 15), &out,
	    &err), 0);
	assert_int_equal(out, ymd(2026, 2, 24));
	assert_int_equal(bs_calendar_add_workdays(cal, ymd(2026, 9, 30), 1,
	    &out, &err), 0);
	assert_int_equal(out, ymd(2026, 10, 8));
	/* n = 0, several, backwards */
	assert_int_equal(bs_calendar_add_workdays(cal, ymd(2025, 1, 25), 0,
	    &out, &err), 0);
	assert_int_equal(out, ymd(2025, 1, 25));
	assert_int_equal(bs_calendar_add_workdays(cal, ymd(2025, 3, 14), 1,
	    &out, &err), 0);
	assert_int_equal(out, ymd(2025, 3, 17));
	assert_int_equal(bs_calendar_add_workdays(cal, ymd(2025, 3, 14), -1,
	    &out, &err), 0);
	assert_int_equal(out, ymd(2025, 3, 13));
	assert_int_equal(bs_calendar_add_workdays(cal, ymd(2025, 10, 9), -1,
	    &out, &err), 0);
	assert_int_equal(out, ymd(2025, 9, 30));
	assert_int_equal(bs_calendar_add_workdays(cal, ymd(2025, 2, 10), -1,
	    &out, &err), 0);
	assert_int_equal(out, ymd(2025, 2, 8));		/* Sat, 调休 */
	/* from 元旦 2025: the 248th working day is the last of 2025 */
	assert_int_equal(bs_calendar_add_workdays(cal, ymd(2025, 1, 1), 248,
	    &out, &err), 0);
	assert_int_equal(out, ymd(2025, 12, 31));
	assert_int_equal(bs_calendar_add_workdays(cal, ymd(2025, 1, 1), 249,
	    &out, &err), 0);
	assert_int_equal(out, ymd(2026, 1, 4));
	assert_int_equal(bs_calendar_add_workdays(cal, ymd(2026, 1, 4), -248,
	    &out, &err), 0);
	assert_int_equal(out, ymd(2025, 1, 2));
	/* 10th working day of October 2025 = 1st + 9 */
	assert_int_equal(bs_calendar_add_workdays(cal, ymd(2025, 10, 9), 9,
	    &out, &err), 0);
	assert_int_equal(out, ymd(2025, 10, 21));
}

static void
test_uncovered(void **state)
{
	struct bs_err err = BS_ERR_INIT;
	char msg[100];
	long out = 7;
	int n = 7;

	(void)state;
	assert_int_equal(bs_calendar_covers(cal, 2025), 1);
	assert_int_equal(bs_calendar_covers(cal, 2026), 1);
	assert_int_equal(bs_calendar_covers(cal, 2024), 0);
	assert_int_equal(bs_calendar_covers(cal, 2027), 0);
	assert_int_equal(bs_calendar_is_workday(cal, ymd(2027, 1, 4), &err), -1);
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	assert_string_equal(err.msg, "calendar has no data for 2027");
	assert_int_equal(bs_calendar_is_workday(cal, ymd(2024, 12, 31), &err),
	    -1);
	assert_string_equal(err.msg, "calendar has no data for 2024");
	assert_int_equal(bs_calendar_workdays_in_year(cal, 2027, &n, &err), -1);
	assert_string_equal(err.msg, "calendar has no data for 2027");
	assert_int_equal(n, 7);
	/* walking out of the covered years */
	assert_int_equal(bs_calendar_next_workday(cal, ymd(2026, 12, 31), &out,
	    &err), 0);
	assert_int_equal(bs_calendar_add_workdays(cal, ymd(2026, 12, 31), 1,
	    &out, &err), -1);
	assert_string_equal(err.msg, "calendar has no data for 2027");
	assert_int_equal(bs_calendar_add_workdays(cal, ymd(2025, 1, 2), -1,
	    &out, &err), -1);
	assert_string_equal(err.msg, "calendar has no data for 2024");
	assert_int_equal(bs_calendar_next_workday(cal, ymd(2027, 1, 1), &out,
	    &err), -1);
	assert_int_equal(bs_calendar_add_workdays(cal, ymd(2027, 1, 1), 0,
	    &out, &err), -1);
	assert_int_equal(bs_calendar_is_workday(cal, LONG_MAX, &err), -1);
	assert_int_equal(bs_calendar_is_workday(cal, LONG_MIN, &err), -1);
	snprintf(msg, sizeof(msg),
	    "day number %ld is outside the years 1 to 9999", LONG_MIN);
	assert_string_equal(err.msg, msg);
	assert_int_equal(out, ymd(2026, 12, 31));	/* only set on success */
	assert_int_equal(bs_calendar_is_workday(NULL, 0, &err), -1);
}

static void
test_version(void **state)
{
	(void)state;
	assert_string_equal(bs_calendar_version(cal), "2025-2026 r1");
	assert_null(bs_calendar_version(NULL));
	bs_calendar_free(NULL);
}

/* ---- loading errors ------------------------------------------------------ */

static char tmpdir[] = "/tmp/bs-test-calendar.XXXXXX";

static char *
tmp_file(const char *name, const char *content)
{
	char *path = bs_xasprintf("%s/%s", tmpdir, name);
	FILE *fp = fopen(path, "wb");
	size_t n = strlen(content);

	assert_non_null(fp);
	assert_int_equal(fwrite(content, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
	return path;
}

static void
expect_load_error(const char *content, int code, const char *tail)
{
	struct bs_err err = BS_ERR_INIT;
	struct bs_calendar *c = (struct bs_calendar *)&err;
	char *p = tmp_file("bad.csv", content);
	char *want = bs_xasprintf("%s%s", p, tail);

	assert_int_equal(bs_calendar_load(&c, p, &err), -1);
	assert_null(c);
	assert_int_equal(err.code, code);
	assert_string_equal(err.msg, want);
	assert_int_equal(unlink(p), 0);
	free(want);
	free(p);
}

#define HDR "date,kind,name\n"

static void
test_load_errors(void **state)
{
	struct bs_err err = BS_ERR_INIT;
	struct bs_calendar *c;
	char *p, *want;

	(void)state;
	p = bs_xasprintf("%s/none.csv", tmpdir);
	assert_int_equal(bs_calendar_load(&c, p, &err), -1);
	assert_null(c);
	assert_int_equal(err.code, BS_EXIT_NOINPUT);
	want = bs_xasprintf("cannot open '%s': No such file or directory", p);
	assert_string_equal(err.msg, want);
	free(want);
	free(p);

	expect_load_error("day,kind,name\n", BS_EXIT_CONFIG,
	    ":1: header must start with 'date,kind,name'");
	expect_load_error(HDR "2025-01-01,holiday,元旦\n2025-02-30,holiday,x\n",
	    BS_EXIT_CONFIG,
	    ":3: date '2025-02-30' is not a real date written YYYY-MM-DD");
	expect_load_error(HDR "2025-1-01,holiday,元旦\n", BS_EXIT_CONFIG,
	    ":2: date '2025-1-01' is not a real date written YYYY-MM-DD");
	expect_load_error(HDR "20250101,holiday,元旦\n", BS_EXIT_CONFIG,
	    ":2: date '20250101' is not a real date written YYYY-MM-DD");
	expect_load_error(HDR "2025-01-01,Holiday,元旦\n", BS_EXIT_CONFIG,
	    ":2: kind 'Holiday' is neither 'holiday' nor 'workday'");
	expect_load_error(HDR "2025-01-01,holiday,\n", BS_EXIT_CONFIG,
	    ":2: 2025-01-01 has no name");
	expect_load_error(HDR "2025-01-01,holiday,元旦\n2025-01-27,workday,春节\n",
	    BS_EXIT_CONFIG,
	    ":3: 2025-01-27 is a make-up working day but not a Saturday or Sunday");
	expect_load_error(HDR "2025-01-01,holiday,元旦\n2025-01-28,holiday,春节\n"
	    "2025-01-28,holiday,春节\n", BS_EXIT_CONFIG,
	    ":4: date listed twice (first at line 3)");
	expect_load_error(HDR "2025-01-28,holiday,春节\n", BS_EXIT_CONFIG,
	    ": no year is covered (a year needs its 元旦 row, YYYY-01-01,holiday,元旦)");
	expect_load_error(HDR "", BS_EXIT_CONFIG,
	    ": no year is covered (a year needs its 元旦 row, YYYY-01-01,holiday,元旦)");
	expect_load_error(HDR "2025-01-01,holiday,元旦\n2030-10-01,holiday,国庆节\n",
	    BS_EXIT_CONFIG,
	    ":3: row for 2030, but the file does not cover 2030 or 2031 (a year needs its 2030-01-01 holiday row)");
	expect_load_error(HDR "2025-01-01,holiday,元旦\n2025-01-02\n",
	    BS_EXIT_CONFIG, ":3: 1 field, the header has 3");
	expect_load_error("", BS_EXIT_CONFIG,
	    ": empty file, expected the header 'date,kind,name'");
}

static void
test_load_own_file(void **state)
{
	struct bs_err err = BS_ERR_INIT;
	struct bs_calendar *c;
	char *p;
	int n;

	(void)state;
	/*
	 * A 2023-style notice: 元旦 from Sat 2022-12-31; that row is used but
	 * does not cover 2022.  Rows out of order, CRLF, a BOM.
	 */
	p = tmp_file("own.csv", "\xef\xbb\xbf" "date,kind,name\r\n"
	    "2023-01-02,holiday,元旦\r\n"
	    "2023-01-01,holiday,元旦\r\n"
	    "2022-12-31,holiday,元旦\r\n"
	    "2023-01-28,workday,春节\r\n");
	assert_int_equal(bs_calendar_load(&c, p, &err), 0);
	assert_int_equal(bs_calendar_covers(c, 2023), 1);
	assert_int_equal(bs_calendar_covers(c, 2022), 0);
	assert_int_equal(bs_calendar_is_workday(c, ymd(2023, 1, 2), &err), 0);
	assert_int_equal(bs_calendar_is_workday(c, ymd(2023, 1, 3), &err), 1);
	assert_int_equal(bs_calendar_is_workday(c, ymd(2023, 1, 28), &err), 1);
	assert_int_equal(bs_calendar_is_workday(c, ymd(2022, 12, 31), &err), -1);
	assert_int_equal(bs_calendar_workdays_in_year(c, 2023, &n, &err), 0);
	assert_int_equal(n, 260 - 1 + 1);	/* 260 weekdays, -1/2, +1/28 */
	assert_true(strncmp(bs_calendar_version(c), "sha256:", 7) == 0);
	bs_calendar_free(c);
	assert_int_equal(unlink(p), 0);
	free(p);
}

static int
setup(void **state)
{
	struct bs_err err = BS_ERR_INIT;

	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	if (bs_calendar_load(&cal, "rules/ref/calendar-cn.csv", &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	bs_calendar_free(cal);
	assert_int_equal(rmdir(tmpdir), 0);
	return 0;
}

static void
chdir_top(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');
	char *top;

	if (access("rules/ref/calendar-cn.csv", R_OK) == 0 || !slash)
		return;
	top = bs_xasprintf("%.*s/../..", (int)(slash - argv0), argv0);
	if (chdir(top) != 0)
		fprintf(stderr, "cannot change to '%s': %s\n", top,
		    strerror(errno));
	free(top);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_day_numbers),
		cmocka_unit_test(test_shipped_days),
		cmocka_unit_test(test_workdays_in_year),
		cmocka_unit_test(test_fifteenth_rolled),
		cmocka_unit_test(test_nth_workday),
		cmocka_unit_test(test_nth_workday_errors),
		cmocka_unit_test(test_next_and_add),
		cmocka_unit_test(test_uncovered),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_own_file),
	};

	(void)argc;
	chdir_top(argv[0]);
	return cmocka_run_group_tests(tests, setup, teardown);
}
