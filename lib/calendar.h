/*
 * calendar.h - the Chinese working-day calendar (DOMAIN.md 3).
 *
 * Every year the State Council's notice 《关于YYYY年部分节假日安排的通知》
 * moves public holidays and turns some Saturdays and Sundays into working
 * days (调休).  A working day is therefore not a weekday rule: it is data,
 * rules/ref/calendar-cn.csv, shipped and updated when a notice appears.
 *
 * The file is a reference CSV (see refcsv.h) with the header date,kind,name:
 *	2025-01-28,holiday,春节		an off day (weekend days inside a holiday
 *					period may be listed too)
 *	2025-01-26,workday,春节		a make-up working day (must be a Saturday
 *					or Sunday)
 * A day not listed is a working day Monday to Friday and an off day on
 * Saturday and Sunday.  Year Y is covered when the file lists its 元旦
 * holiday, a row "Y-01-01,holiday,..." (every notice starts with it).  Rows
 * of other years are allowed only in the year before a covered one (a
 * notice may move 12-31 of the previous year); they are used, but they do
 * not cover that year.  Asking about a day of a year that is not covered
 * fails: the calendar never guesses.
 *
 * Days are day numbers: days since 1970-01-01 in the proleptic Gregorian
 * calendar (2025-01-01 is 20089), years 1 to 9999.
 *
 * Errors: loading fails with 66 (file missing), 74 (read error) or 78 (bad
 * content, "path:line: ..."); queries fail with 78 (BS_EXIT_CONFIG) and
 * "calendar has no data for 2027" when a year is not covered, or a message
 * naming the bad argument.
 *
 * Ownership: bs_calendar_load() allocates; bs_calendar_free() frees.  A
 * loaded calendar is read-only and may be shared.
 *
 *	struct bs_calendar *cal;
 *	long due;
 *	if (bs_calendar_load(&cal, "rules/ref/calendar-cn.csv", &err) < 0 ||
 *	    bs_calendar_next_workday(cal, day15, &due, &err) < 0)
 *		return bs_report(&err);
 *	bs_calendar_free(cal);
 */
#ifndef BS_CALENDAR_H
#define BS_CALENDAR_H

struct bs_err;
struct bs_calendar;

/* Load a calendar file.  0 and *out, or -1 with err (66, 74, 78). */
int bs_calendar_load(struct bs_calendar **out, const char *path,
    struct bs_err *err);

/* 1 if day is a working day, 0 if not, -1 with err (78) if not covered. */
int bs_calendar_is_workday(const struct bs_calendar *c, long day,
    struct bs_err *err);

/*
 * The day n working days after day (n > 0) or before it (n < 0), counting
 * only working days and not day itself: from Friday 2025-03-14, n = 1 gives
 * Monday 2025-03-17, n = -1 Thursday 2025-03-13.  n = 0 gives day itself
 * (working day or not).  0 and *out, or -1 with err (78) when day's year is
 * not covered or the walk leaves the covered years.
 */
int bs_calendar_add_workdays(const struct bs_calendar *c, long day, int n,
    long *out, struct bs_err *err);

/*
 * The first working day on or after day ("the 15th, postponed over
 * holidays": bs_calendar_next_workday(c, <Y-M-15>, ...)).  0 and *out, or -1
 * with err (78).
 */
int bs_calendar_next_workday(const struct bs_calendar *c, long day,
    long *out, struct bs_err *err);

/*
 * The n-th working day of month m (1-12) of year y: n = 1 is the first,
 * n = -1 the last, n = -2 the one before.  0 and *out, or -1 with err (78)
 * if the year is not covered, m or n is out of range (n = 0), or the month
 * has fewer than |n| working days.
 */
int bs_calendar_nth_workday_of_month(const struct bs_calendar *c, int y,
    int m, int n, long *out, struct bs_err *err);

/* Number of working days in year y.  0 and *count, or -1 with err (78). */
int bs_calendar_workdays_in_year(const struct bs_calendar *c, int y,
    int *count, struct bs_err *err);

/*
 * 1 if year y is covered, else 0.  Lets a caller check a whole range up
 * front ("the job needs 2026 and 2027").
 */
int bs_calendar_covers(const struct bs_calendar *c, int y);

/*
 * The calendar's version: the first line of the sibling
 * "calendar-cn.VERSION" file, or "sha256:<16 hex>" of the file.  Borrowed,
 * valid until bs_calendar_free().
 */
const char *bs_calendar_version(const struct bs_calendar *c);

/* Free the calendar; accepts NULL. */
void bs_calendar_free(struct bs_calendar *c);

#endif
