/*
 * test_date.c - day numbers, strict parsing, leap years, month ends,
 * weekdays, timestamps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "bs.h"
#include "date.h"

static int32_t
D(const char *s)
{
	int32_t d;

	if (bs_date_parse(s, strlen(s), &d) < 0)
		fail_msg("not a date: '%s'", s);
	return d;
}

static void
assert_date(int32_t d, const char *expect)
{
	char buf[BS_DATE_STR_MAX];

	assert_int_equal(bs_date_str(d, buf), 10);
	assert_string_equal(buf, expect);
}

static void
t_leap(void **state)
{
	(void)state;
	assert_true(bs_date_is_leap(2000));
	assert_false(bs_date_is_leap(1900));
	assert_false(bs_date_is_leap(2100));
	assert_true(bs_date_is_leap(2024));
	assert_false(bs_date_is_leap(2026));
	assert_true(bs_date_is_leap(1600));
	assert_int_equal(bs_date_days_in_month(2000, 2), 29);
	assert_int_equal(bs_date_days_in_month(1900, 2), 28);
	assert_int_equal(bs_date_days_in_month(2026, 4), 30);
	assert_int_equal(bs_date_days_in_month(2026, 12), 31);
	assert_int_equal(bs_date_days_in_month(2026, 13), 0);
	assert_int_equal(bs_date_days_in_month(2026, 0), 0);
}

static void
t_parse(void **state)
{
	static const char *good[] = {
		"1970-01-01", "2000-02-29", "2024-02-29", "2026-10-31", "0001-01-01",
		"9999-12-31", "1900-02-28", "2026-12-31",
	};
	static const char *bad[] = {
		"2026-02-30", "1900-02-29", "2026-02-29", "2100-02-29", "2026-13-01",
		"2026-00-10", "2026-01-00", "2026-04-31", "0000-01-01", "2026-1-01",
		"2026/01/01", "20260101", "2026-01-01 ", " 2026-01-01", "2026-01-0a",
		"", "2026-01-01T00", "+026-01-01", "2026-01-32",
	};
	int32_t d;

	(void)state;
	for (size_t i = 0; i < BS_ARRAY_SIZE(good); i++) {
		assert_int_equal(bs_date_parse(good[i], strlen(good[i]), &d), 0);
		assert_date(d, good[i]);
	}
	for (size_t i = 0; i < BS_ARRAY_SIZE(bad); i++)
		assert_int_equal(bs_date_parse(bad[i], strlen(bad[i]), &d), -1);
	assert_int_equal(D("1970-01-01"), 0);
	assert_int_equal(D("0001-01-01"), BS_DATE_MIN);
	assert_int_equal(D("9999-12-31"), BS_DATE_MAX);
	assert_int_equal(D("2000-03-01") - D("2000-02-28"), 2);
	assert_int_equal(D("1900-03-01") - D("1900-02-28"), 1);
	assert_int_equal(bs_date_from_ymd(2026, 2, 29, &d), -1);
	assert_int_equal(bs_date_from_ymd(10000, 1, 1, &d), -1);
}

static void
t_roundtrip_all(void **state)
{
	int py, pm, pd;

	(void)state;
	bs_date_to_ymd(BS_DATE_MIN, &py, &pm, &pd);
	assert_int_equal(py, 1);
	for (int32_t day = BS_DATE_MIN + 1; day <= BS_DATE_MAX; day++) {
		int y, m, d;
		int32_t back;

		bs_date_to_ymd(day, &y, &m, &d);
		if (d == pd + 1) {
			assert_true(y == py && m == pm);
		} else {
			assert_int_equal(d, 1);
			assert_int_equal(pd, bs_date_days_in_month(py, pm));
			assert_true((m == pm + 1 && y == py) || (m == 1 && pm == 12 && y == py + 1));
		}
		if (bs_date_from_ymd(y, m, d, &back) < 0 || back != day)
			fail_msg("day %d does not round-trip", (int)day);
		py = y;
		pm = m;
		pd = d;
	}
	assert_int_equal(py, 9999);
}

static void
t_arith(void **state)
{
	int32_t d;

	(void)state;
	assert_int_equal(bs_date_add_days(D("2026-02-28"), 1, &d), 0);
	assert_date(d, "2026-03-01");
	assert_int_equal(bs_date_add_days(D("2024-02-28"), 1, &d), 0);
	assert_date(d, "2024-02-29");
	assert_int_equal(bs_date_add_days(D("2026-01-01"), -1, &d), 0);
	assert_date(d, "2025-12-31");
	assert_int_equal(bs_date_add_days(D("9999-12-31"), 1, &d), -1);
	assert_int_equal(bs_date_add_days(D("0001-01-01"), -1, &d), -1);
	assert_int_equal(bs_date_add_days(0, INT64_MAX, &d), -1);
	assert_int_equal(bs_date_add_days(0, INT64_MIN, &d), -1);
	assert_int_equal(bs_date_days_between(D("2026-01-01"), D("2026-01-31")), 30);
	assert_int_equal(bs_date_days_between(D("2026-01-31"), D("2026-01-01")), -30);
	assert_int_equal(bs_date_days_between(D("2024-01-01"), D("2025-01-01")), 366);
	assert_int_equal(bs_date_days_between(D("1900-01-01"), D("1901-01-01")), 365);
	/* months, clamped to the month end */
	assert_int_equal(bs_date_add_months(D("2026-01-31"), 1, &d), 0);
	assert_date(d, "2026-02-28");
	assert_int_equal(bs_date_add_months(D("2024-01-31"), 1, &d), 0);
	assert_date(d, "2024-02-29");
	assert_int_equal(bs_date_add_months(D("2026-03-31"), -1, &d), 0);
	assert_date(d, "2026-02-28");
	assert_int_equal(bs_date_add_months(D("2026-10-15"), 14, &d), 0);
	assert_date(d, "2027-12-15");
	assert_int_equal(bs_date_add_months(D("2026-01-15"), -13, &d), 0);
	assert_date(d, "2024-12-15");
	assert_int_equal(bs_date_add_months(D("9999-12-01"), 1, &d), -1);
	assert_int_equal(bs_date_add_months(D("0001-01-01"), -1, &d), -1);
	assert_int_equal(bs_date_add_months(0, INT64_MAX, &d), -1);
}

static void
t_parts(void **state)
{
	int32_t d = D("2026-10-31");

	(void)state;
	assert_int_equal(bs_date_year(d), 2026);
	assert_int_equal(bs_date_month(d), 10);
	assert_int_equal(bs_date_day(d), 31);
	assert_date(bs_date_last_of_month(D("2026-02-03")), "2026-02-28");
	assert_date(bs_date_last_of_month(D("2000-02-03")), "2000-02-29");
	assert_date(bs_date_last_of_month(D("1900-02-28")), "1900-02-28");
	assert_date(bs_date_last_of_month(D("2026-12-31")), "2026-12-31");
	assert_date(bs_date_last_of_month(D("2026-04-01")), "2026-04-30");
	/* weekdays: 1970-01-01 Thursday; 2026-10-01 Thursday (DOMAIN.md 3.3) */
	assert_int_equal(bs_date_weekday(0), 4);
	assert_int_equal(bs_date_weekday(D("2026-10-01")), 4);
	assert_int_equal(bs_date_weekday(D("2026-10-31")), 6);
	assert_int_equal(bs_date_weekday(D("2025-01-26")), 7);
	assert_int_equal(bs_date_weekday(D("1969-12-29")), 1);
	assert_int_equal(bs_date_weekday(D("0001-01-01")), 1);
}

static void
t_fmt(void **state)
{
	int32_t d;

	(void)state;
	assert_int_equal(bs_date_fmt_check("YYYYMMDD"), 0);
	assert_int_equal(bs_date_fmt_check("YYYY/MM/DD"), 0);
	assert_int_equal(bs_date_fmt_check("YYYYMM"), 0);
	assert_int_equal(bs_date_fmt_check("YYYY"), -1);
	assert_int_equal(bs_date_fmt_check("YYYYMMDDDD"), -1);
	assert_int_equal(bs_date_parse_fmt("20260131", 8, "YYYYMMDD", &d), 0);
	assert_date(d, "2026-01-31");
	assert_int_equal(bs_date_parse_fmt("202602", 6, "YYYYMM", &d), 0);
	assert_date(d, "2026-02-01");
	assert_int_equal(bs_date_parse_fmt("31.01.2026", 10, "DD.MM.YYYY", &d), 0);
	assert_date(d, "2026-01-31");
	assert_int_equal(bs_date_parse_fmt("20260230", 8, "YYYYMMDD", &d), -1);
	assert_int_equal(bs_date_parse_fmt("2026013", 7, "YYYYMMDD", &d), -1);
	assert_int_equal(bs_date_parse_fmt("202601311", 9, "YYYYMMDD", &d), -1);
	assert_int_equal(bs_date_parse_fmt("2026-01-31", 10, "YYYY/MM/DD", &d), -1);
	assert_int_equal(bs_date_parse_fmt("2026013a", 8, "YYYYMMDD", &d), -1);
}

static void
t_timestamp(void **state)
{
	static const char *good[][2] = {
		{ "2026-10-31 23:59:59", "2026-10-31 23:59:59" },
		{ "2026-10-31 00:00:00", "2026-10-31 00:00:00" },
		{ "2026-10-31 12:30:00.5", "2026-10-31 12:30:00.5" },
		{ "2026-10-31 12:30:00.500000", "2026-10-31 12:30:00.5" },
		{ "2026-10-31 12:30:00.000000001", "2026-10-31 12:30:00.000000001" },
		{ "2026-10-31 12:30:00.000", "2026-10-31 12:30:00" },
	};
	static const char *bad[] = {
		"2026-10-31", "2026-10-31 24:00:00", "2026-10-31 23:60:00",
		"2026-10-31 23:59:60", "2026-10-31T23:59:59", "2026-02-30 00:00:00",
		"2026-10-31 23:59:59.", "2026-10-31 23:59:59.1234567890",
		"2026-10-31 23:59:59,5", "2026-10-31 1:00:00", "2026-10-31 23:59:59 ",
	};
	struct bs_timestamp a, b;
	char buf[BS_TS_STR_MAX];

	(void)state;
	for (size_t i = 0; i < BS_ARRAY_SIZE(good); i++) {
		assert_int_equal(bs_ts_parse(good[i][0], strlen(good[i][0]), &a), 0);
		bs_ts_str(&a, buf);
		assert_string_equal(buf, good[i][1]);
	}
	for (size_t i = 0; i < BS_ARRAY_SIZE(bad); i++)
		assert_int_equal(bs_ts_parse(bad[i], strlen(bad[i]), &a), -1);
	assert_int_equal(bs_ts_parse("2026-10-31 12:00:00", 19, &a), 0);
	assert_int_equal(bs_ts_parse("2026-10-31 12:00:00.1", 21, &b), 0);
	assert_int_equal(bs_ts_cmp(&a, &b), -1);
	assert_int_equal(bs_ts_cmp(&b, &a), 1);
	assert_int_equal(bs_ts_cmp(&a, &a), 0);
	assert_int_equal(bs_ts_parse("2026-10-30 23:59:59.9", 21, &b), 0);
	assert_int_equal(bs_ts_cmp(&b, &a), -1);
	assert_int_equal(bs_ts_add_days(&a, 1, &b), 0);
	bs_ts_str(&b, buf);
	assert_string_equal(buf, "2026-11-01 12:00:00");
	assert_int_equal(bs_ts_parse("9999-12-31 23:59:59.999999999", 29, &a), 0);
	assert_int_equal(bs_ts_str(&a, buf), 29);
	assert_int_equal(bs_ts_add_days(&a, 1, &b), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_leap),
		cmocka_unit_test(t_parse),
		cmocka_unit_test(t_roundtrip_all),
		cmocka_unit_test(t_arith),
		cmocka_unit_test(t_parts),
		cmocka_unit_test(t_fmt),
		cmocka_unit_test(t_timestamp),
	};

	return cmocka_run_group_tests_name("date", tests, NULL, NULL);
}
