/*
 * date.h - calendar dates as day numbers, and timestamps.
 *
 * A date is an int32_t day number in the proleptic Gregorian calendar:
 * 0 is 1970-01-01, negative numbers are earlier.  Only years 0001..9999
 * are dates (BS_DATE_MIN..BS_DATE_MAX); arithmetic that leaves that range
 * fails.  Day numbers subtract to a number of days and compare as integers.
 *
 * Text is strict: a date is exactly 'YYYY-MM-DD' (2026-02-30, 2026-2-3,
 * '2026-02-03 ' are not dates); a timestamp is 'YYYY-MM-DD HH:MM:SS',
 * optionally followed by '.' and 1 to 9 fraction digits (nanoseconds).
 * There is no time zone and no leap second.  A Chinese working-day
 * calendar is a separate module.
 *
 * Everything here is pure computation on caller storage.
 *
 *	int32_t d, e;
 *	if (bs_date_parse("2026-01-31", 10, &d) < 0) ... not a date ...
 *	bs_date_add_months(d, 1, &e);		-> 2026-02-28
 *	bs_date_str(e, buf);			-> "2026-02-28"
 */
#ifndef BS_DATE_H
#define BS_DATE_H

#include <stddef.h>
#include <stdint.h>

#define BS_DATE_MIN (-719162)	/* 0001-01-01 */
#define BS_DATE_MAX 2932896	/* 9999-12-31 */
#define BS_DATE_STR_MAX 11	/* "YYYY-MM-DD" and NUL */
#define BS_TS_STR_MAX 32	/* "YYYY-MM-DD HH:MM:SS.fffffffff" and NUL */
#define BS_NSEC_PER_DAY INT64_C(86400000000000)

struct bs_timestamp {
	int32_t day;	/* a date */
	int64_t nsec;	/* since midnight: 0 .. BS_NSEC_PER_DAY - 1 */
};

/* 1 if y is a Gregorian leap year (2000 yes, 1900 no). */
int bs_date_is_leap(int y);
/* 28..31; 0 if m is not 1..12. */
int bs_date_days_in_month(int y, int m);

/* Day number of y-m-d: 0, or -1 if it is not a real date in 0001..9999. */
int bs_date_from_ymd(int y, int m, int d, int32_t *day);
/* The parts of a day number in range. */
void bs_date_to_ymd(int32_t day, int *y, int *m, int *d);

/* Strict 'YYYY-MM-DD' in n bytes: 0, or -1 (no message: callers know). */
int bs_date_parse(const char *s, size_t n, int32_t *day);
/*
 * Parse with a pattern made of YYYY, MM, DD and literal characters, e.g.
 * 'YYYYMMDD', 'YYYY/MM/DD', 'YYYYMM' (DD absent: the 1st).  Digits must
 * be exactly as wide as their field.  0, or -1.
 */
int bs_date_parse_fmt(const char *s, size_t n, const char *fmt, int32_t *day);
/* 0 if fmt is a usable bs_date_parse_fmt() pattern (YYYY and MM exactly once, DD at most once), else -1. */
int bs_date_fmt_check(const char *fmt);
/* Write 'YYYY-MM-DD' and a NUL; returns 10. */
size_t bs_date_str(int32_t day, char buf[BS_DATE_STR_MAX]);

/* *out = day + n: 0, or -1 when the result is outside 0001..9999. */
int bs_date_add_days(int32_t day, int64_t n, int32_t *out);
/*
 * *out = day moved by n calendar months; a day past the end of the new
 * month becomes its last day (2026-01-31 + 1 month = 2026-02-28, as SQL
 * add_months and PostgreSQL intervals do).  0, or -1 out of range.
 */
int bs_date_add_months(int32_t day, int64_t n, int32_t *out);
/* b - a in days (positive when b is later). */
int64_t bs_date_days_between(int32_t a, int32_t b);
int bs_date_year(int32_t day);
int bs_date_month(int32_t day);
int bs_date_day(int32_t day);
/* The last day of day's month. */
int32_t bs_date_last_of_month(int32_t day);
/* ISO weekday: 1 Monday .. 7 Sunday. */
int bs_date_weekday(int32_t day);

/* Strict 'YYYY-MM-DD HH:MM:SS[.f]' (1..9 fraction digits): 0, or -1. */
int bs_ts_parse(const char *s, size_t n, struct bs_timestamp *out);
/*
 * Write 'YYYY-MM-DD HH:MM:SS', plus '.' and the fraction without
 * trailing zeros when it is not zero, and a NUL; returns the length.
 */
size_t bs_ts_str(const struct bs_timestamp *ts, char buf[BS_TS_STR_MAX]);
/* -1, 0, 1 as a <, =, > b. */
int bs_ts_cmp(const struct bs_timestamp *a, const struct bs_timestamp *b);
/* ts + n days: 0, or -1 out of range. */
int bs_ts_add_days(const struct bs_timestamp *ts, int64_t n,
    struct bs_timestamp *out);

#endif
