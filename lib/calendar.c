#include "bs.h"
#include "calendar.h"
#include "refcsv.h"

#define CAL_ROWS_MAX 100000

enum { KIND_HOLIDAY = 1, KIND_WORKDAY = 2 };

struct cal_entry {
	long day;
	unsigned long line;
	int kind;
};

struct bs_calendar {
	struct cal_entry *e;	/* sorted by day */
	size_t n, alloc;
	int *years;		/* covered years, sorted */
	size_t nyears, ayears;
	char *version;
};

/* ---- civil dates (days since 1970-01-01, proleptic Gregorian) ---------- */

/* H. Hinnant's days_from_civil; y in 1..9999. */
static long
days_from_civil(int y, int m, int d)
{
	long yy = y - (m <= 2);
	long era = (yy >= 0 ? yy : yy - 399) / 400;
	long yoe = yy - era * 400;
	long doy = (153L * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static void
civil_from_days(long z, int *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
days_in_month(int y, int m)
{
	static const int mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return mdays[m - 1] + (m == 2 && leap);
}

/* 0 Sunday .. 6 Saturday; 1970-01-01 was a Thursday. */
static int
weekday(long day)
{
	return (int)(((day + 4) % 7 + 7) % 7);
}

#define DAY_MIN (-719162L)	/* 0001-01-01 */
#define DAY_MAX 2932896L	/* 9999-12-31 */

/* Parse exactly "YYYY-MM-DD" into a day number; -1 if not a real date. */
static int
parse_date(const char *s, long *day)
{
	int y, m, d, i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	*day = days_from_civil(y, m, d);
	return 0;
}

static int
year_of(long day)
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	return y;
}

/* ---- loading ------------------------------------------------------------ */

static int
entry_cmp(const void *a, const void *b)
{
	const struct cal_entry *x = a, *y = b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int
int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int
read_rows(struct bs_calendar *c, const char *path, struct bs_err *err)
{
	static const char *const cols[] = { "date", "kind", "name" };
	struct bs_refcsv r;
	struct cal_entry *e;
	long day;
	int kind, y, m, d, rc;

	if (bs_refcsv_open(&r, path, err) < 0)
		return -1;
	if (bs_refcsv_header(&r, cols, BS_ARRAY_SIZE(cols), err) < 0)
		goto fail;
	while ((rc = bs_refcsv_next(&r, err)) == 1) {
		if (parse_date(r.field[0], &day) < 0) {
			bs_refcsv_fail(&r, err,
			    "date '%s' is not a real date written YYYY-MM-DD",
			    r.field[0]);
			goto fail;
		}
		if (strcmp(r.field[1], "holiday") == 0) {
			kind = KIND_HOLIDAY;
		} else if (strcmp(r.field[1], "workday") == 0) {
			kind = KIND_WORKDAY;
		} else {
			bs_refcsv_fail(&r, err,
			    "kind '%s' is neither 'holiday' nor 'workday'",
			    r.field[1]);
			goto fail;
		}
		if (!r.field[2][0]) {
			bs_refcsv_fail(&r, err, "%s has no name", r.field[0]);
			goto fail;
		}
		if (kind == KIND_WORKDAY && weekday(day) != 0 &&
		    weekday(day) != 6) {
			bs_refcsv_fail(&r, err,
			    "%s is a make-up working day but not a Saturday or Sunday",
			    r.field[0]);
			goto fail;
		}
		if (c->n >= CAL_ROWS_MAX) {
			bs_refcsv_fail(&r, err, "more than %d rows",
			    CAL_ROWS_MAX);
			goto fail;
		}
		BS_ALLOC_GROW(c->e, c->n + 1, c->alloc);
		e = &c->e[c->n++];
		e->day = day;
		e->line = r.line;
		e->kind = kind;
		civil_from_days(day, &y, &m, &d);
		if (kind == KIND_HOLIDAY && m == 1 && d == 1) {
			BS_ALLOC_GROW(c->years, c->nyears + 1, c->ayears);
			c->years[c->nyears++] = y;
		}
	}
	if (rc < 0)
		goto fail;
	bs_refcsv_close(&r);
	return 0;
fail:
	bs_refcsv_close(&r);
	return -1;
}

int
bs_calendar_covers(const struct bs_calendar *c, int y)
{
	return c && c->nyears &&
	    bsearch(&y, c->years, c->nyears, sizeof(int), int_cmp) != NULL;
}

static int
check_rows(struct bs_calendar *c, const char *path, struct bs_err *err)
{
	size_t i;
	int y;

	if (!c->nyears)
		return bs_err_set(err, BS_EXIT_CONFIG,
		    "%s: no year is covered (a year needs its 元旦 row, YYYY-01-01,holiday,元旦)",
		    path);
	if (c->n)
		qsort(c->e, c->n, sizeof(*c->e), entry_cmp);
	qsort(c->years, c->nyears, sizeof(int), int_cmp);
	for (i = 0; i < c->n; i++) {
		if (i > 0 && c->e[i].day == c->e[i - 1].day)
			return bs_err_set(err, BS_EXIT_CONFIG,
			    "%s:%lu: date listed twice (first at line %lu)",
			    path, c->e[i].line, c->e[i - 1].line);
		y = year_of(c->e[i].day);
		if (!bs_calendar_covers(c, y) && !bs_calendar_covers(c, y + 1))
			return bs_err_set(err, BS_EXIT_CONFIG,
			    "%s:%lu: row for %d, but the file does not cover %d or %d (a year needs its %d-01-01 holiday row)",
			    path, c->e[i].line, y, y, y + 1, y);
	}
	return 0;
}

int
bs_calendar_load(struct bs_calendar **out, const char *path,
    struct bs_err *err)
{
	struct bs_calendar *c = bs_xcalloc(1, sizeof(*c));

	*out = NULL;
	if (read_rows(c, path, err) < 0 || check_rows(c, path, err) < 0)
		goto fail;
	c->version = bs_refcsv_version(path, err);
	if (!c->version)
		goto fail;
	*out = c;
	return 0;
fail:
	bs_calendar_free(c);
	return -1;
}

void
bs_calendar_free(struct bs_calendar *c)
{
	if (!c)
		return;
	free(c->e);
	free(c->years);
	free(c->version);
	free(c);
}

const char *
bs_calendar_version(const struct bs_calendar *c)
{
	return c ? c->version : NULL;
}

/* ---- queries ------------------------------------------------------------ */

static int
need_year(const struct bs_calendar *c, int y, struct bs_err *err)
{
	if (!bs_calendar_covers(c, y))
		return bs_err_set(err, BS_EXIT_CONFIG,
		    "calendar has no data for %d", y);
	return 0;
}

static const struct cal_entry *
find_entry(const struct bs_calendar *c, long day)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->e[mid].day == day)
			return &c->e[mid];
		if (c->e[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int
bs_calendar_is_workday(const struct bs_calendar *c, long day,
    struct bs_err *err)
{
	const struct cal_entry *e;
	int wd;

	if (day < DAY_MIN || day > DAY_MAX)
		return bs_err_set(err, BS_EXIT_CONFIG,
		    "day number %ld is outside the years 1 to 9999", day);
	if (need_year(c, year_of(day), err) < 0)
		return -1;
	e = find_entry(c, day);
	if (e)
		return e->kind == KIND_WORKDAY;
	wd = weekday(day);
	return wd != 0 && wd != 6;
}

int
bs_calendar_add_workdays(const struct bs_calendar *c, long day, int n,
    long *out, struct bs_err *err)
{
	long step = n < 0 ? -1 : 1;
	long left = n < 0 ? -(long)n : n;
	int w;

	if (bs_calendar_is_workday(c, day, err) < 0)
		return -1;
	while (left > 0) {
		day += step;
		w = bs_calendar_is_workday(c, day, err);
		if (w < 0)
			return -1;
		left -= w;
	}
	*out = day;
	return 0;
}

int
bs_calendar_next_workday(const struct bs_calendar *c, long day, long *out,
    struct bs_err *err)
{
	int w;

	while ((w = bs_calendar_is_workday(c, day, err)) == 0)
		day++;
	if (w < 0)
		return -1;
	*out = day;
	return 0;
}

int
bs_calendar_nth_workday_of_month(const struct bs_calendar *c, int y, int m,
    int n, long *out, struct bs_err *err)
{
	long first, last, day, step;
	int seen = 0, want, w;

	if (m < 1 || m > 12)
		return bs_err_set(err, BS_EXIT_CONFIG,
		    "month %d is not between 1 and 12", m);
	if (n == 0 || n > 31 || n < -31)
		return bs_err_set(err, BS_EXIT_CONFIG,
		    "working day %d of a month: must be 1..31 or -1..-31", n);
	if (need_year(c, y, err) < 0)
		return -1;
	first = days_from_civil(y, m, 1);
	last = first + days_in_month(y, m) - 1;
	step = n > 0 ? 1 : -1;
	want = n > 0 ? n : -n;
	for (day = n > 0 ? first : last; day >= first && day <= last;
	    day += step) {
		w = bs_calendar_is_workday(c, day, err);
		if (w < 0)
			return -1;
		if (w && ++seen == want) {
			*out = day;
			return 0;
		}
	}
	return bs_err_set(err, BS_EXIT_CONFIG,
	    "%04d-%02d has only %d working days, not %d", y, m, seen, want);
}

int
bs_calendar_workdays_in_year(const struct bs_calendar *c, int y, int *count,
    struct bs_err *err)
{
	long day, last;
	int k = 0, w;

	if (need_year(c, y, err) < 0)
		return -1;
	last = days_from_civil(y, 12, 31);
	for (day = days_from_civil(y, 1, 1); day <= last; day++) {
		w = bs_calendar_is_workday(c, day, err);
		if (w < 0)
			return -1;
		k += w;
	}
	*count = k;
	return 0;
}
