/*
 * date.c - proleptic Gregorian day numbers (Howard Hinnant's
 * days_from_civil / civil_from_days) and strict text forms.
 */
#include "bs.h"
#include "date.h"

int
bs_date_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
bs_date_days_in_month(int y, int m)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m < 1 || m > 12)
		return 0;
	return m == 2 && bs_date_is_leap(y) ? 29 : mdays[m - 1];
}

void
bs_date_to_ymd(int32_t day, int *y, int *m, int *d)
{
	int32_t z = day + 719468;
	int32_t era = (z >= 0 ? z : z - 146096) / 146097;
	int32_t doe = z - era * 146097;
	int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int32_t mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

int
bs_date_from_ymd(int y, int m, int d, int32_t *day)
{
	/* days before each month in a common year */
	static const int16_t before[13] = {
		0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365,
	};
	unsigned yy;
	int leap;

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return -1;
	leap = bs_date_is_leap(y);
	if (d > before[m] - before[m - 1] + (m == 2 && leap))
		return -1;
	yy = (unsigned)y - 1;	/* whole years since 0001-01-01 */
	*day = (int32_t)(yy * 365 + yy / 4 - yy / 100 + yy / 400) +
	    before[m - 1] + (m > 2 && leap) + d - 1 + BS_DATE_MIN;
	return 0;
}

static int
digits(const char *s, size_t n, int *v)
{
	int r = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		r = r * 10 + (s[i] - '0');
	}
	*v = r;
	return 0;
}

int
bs_date_parse(const char *s, size_t n, int32_t *day)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned y0, y1, y2, y3, m0, m1, d0, d1;

	if (n != 10 || u[4] != '-' || u[7] != '-')
		return -1;
	/* a non-digit wraps round to more than 9 */
	y0 = u[0] - (unsigned)'0';
	y1 = u[1] - (unsigned)'0';
	y2 = u[2] - (unsigned)'0';
	y3 = u[3] - (unsigned)'0';
	m0 = u[5] - (unsigned)'0';
	m1 = u[6] - (unsigned)'0';
	d0 = u[8] - (unsigned)'0';
	d1 = u[9] - (unsigned)'0';
	if (y0 > 9 || y1 > 9 || y2 > 9 || y3 > 9 || m0 > 9 || m1 > 9 ||
	    d0 > 9 || d1 > 9)
		return -1;
	return bs_date_from_ymd((int)(y0 * 1000 + y1 * 100 + y2 * 10 + y3),
	    (int)(m0 * 10 + m1), (int)(d0 * 10 + d1), day);
}

int
bs_date_fmt_check(const char *fmt)
{
	int ny = 0, nm = 0, nd = 0;

	for (const char *p = fmt; *p;) {
		if (strncmp(p, "YYYY", 4) == 0) {
			ny++;
			p += 4;
		} else if (strncmp(p, "MM", 2) == 0) {
			nm++;
			p += 2;
		} else if (strncmp(p, "DD", 2) == 0) {
			nd++;
			p += 2;
		} else {
			p++;
		}
	}
	return ny == 1 && nm == 1 && nd <= 1 ? 0 : -1;
}

int
bs_date_parse_fmt(const char *s, size_t n, const char *fmt, int32_t *day)
{
	int y = 0, m = 0, d = 1;
	size_t i = 0;

	if (bs_date_fmt_check(fmt) < 0)
		return -1;
	for (const char *p = fmt; *p;) {
		int *v = NULL;
		size_t w = 0;

		if (strncmp(p, "YYYY", 4) == 0) {
			v = &y;
			w = 4;
		} else if (strncmp(p, "MM", 2) == 0) {
			v = &m;
			w = 2;
		} else if (strncmp(p, "DD", 2) == 0) {
			v = &d;
			w = 2;
		}
		if (v) {
			if (n - i < w || digits(s + i, w, v) < 0)
				return -1;
			i += w;
			p += w;
		} else {
			if (i >= n || s[i] != *p)
				return -1;
			i++;
			p++;
		}
	}
	if (i != n)
		return -1;
	return bs_date_from_ymd(y, m, d, day);
}

static void
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

size_t
bs_date_str(int32_t day, char buf[BS_DATE_STR_MAX])
{
	int y, m, d;

	bs_date_to_ymd(day, &y, &m, &d);
	put2(buf, y / 100);
	put2(buf + 2, y % 100);
	buf[4] = '-';
	put2(buf + 5, m);
	buf[7] = '-';
	put2(buf + 8, d);
	buf[10] = '\0';
	return 10;
}

int
bs_date_add_days(int32_t day, int64_t n, int32_t *out)
{
	int64_t r;

	if (n > BS_DATE_MAX - (int64_t)BS_DATE_MIN || n < (int64_t)BS_DATE_MIN - BS_DATE_MAX)
		return -1;
	r = (int64_t)day + n;
	if (r < BS_DATE_MIN || r > BS_DATE_MAX)
		return -1;
	*out = (int32_t)r;
	return 0;
}

int
bs_date_add_months(int32_t day, int64_t n, int32_t *out)
{
	int y, m, d, last;
	int64_t mm;

	if (n > 12 * 10000 || n < -12 * 10000)
		return -1;
	bs_date_to_ymd(day, &y, &m, &d);
	mm = (int64_t)y * 12 + (m - 1) + n;
	if (mm < 12 || mm >= 12 * 10000)
		return -1;
	y = (int)(mm / 12);
	m = (int)(mm % 12) + 1;
	last = bs_date_days_in_month(y, m);
	return bs_date_from_ymd(y, m, d > last ? last : d, out);
}

int64_t
bs_date_days_between(int32_t a, int32_t b)
{
	return (int64_t)b - a;
}

int
bs_date_year(int32_t day)
{
	int y, m, d;

	bs_date_to_ymd(day, &y, &m, &d);
	return y;
}

int
bs_date_month(int32_t day)
{
	int y, m, d;

	bs_date_to_ymd(day, &y, &m, &d);
	return m;
}

int
bs_date_day(int32_t day)
{
	int y, m, d;

	bs_date_to_ymd(day, &y, &m, &d);
	return d;
}

int32_t
bs_date_last_of_month(int32_t day)
{
	int y, m, d;

	bs_date_to_ymd(day, &y, &m, &d);
	return day + (bs_date_days_in_month(y, m) - d);
}

int
bs_date_weekday(int32_t day)
{
	int r = (int)(((int64_t)day + 3) % 7);	/* 1970-01-01 was a Thursday */

	if (r < 0)
		r += 7;
	return r + 1;
}

int
bs_ts_parse(const char *s, size_t n, struct bs_timestamp *out)
{
	int hh, mi, ss;
	int64_t frac = 0;
	size_t nf;

	if (n < 19 || s[10] != ' ' || s[13] != ':' || s[16] != ':' ||
	    bs_date_parse(s, 10, &out->day) < 0 || digits(s + 11, 2, &hh) < 0 ||
	    digits(s + 14, 2, &mi) < 0 || digits(s + 17, 2, &ss) < 0 ||
	    hh > 23 || mi > 59 || ss > 59)
		return -1;
	if (n > 19) {
		nf = n - 20;
		if (s[19] != '.' || nf < 1 || nf > 9)
			return -1;
		for (size_t i = 0; i < 9; i++) {
			char c = i < nf ? s[20 + i] : '0';

			if (c < '0' || c > '9')
				return -1;
			frac = frac * 10 + (c - '0');
		}
	}
	out->nsec = ((int64_t)hh * 3600 + mi * 60 + ss) * INT64_C(1000000000) + frac;
	return 0;
}

size_t
bs_ts_str(const struct bs_timestamp *ts, char buf[BS_TS_STR_MAX])
{
	int64_t sec = ts->nsec / 1000000000, frac = ts->nsec % 1000000000;
	size_t n = bs_date_str(ts->day, buf);

	buf[n++] = ' ';
	put2(buf + n, (int)(sec / 3600));
	buf[n + 2] = ':';
	put2(buf + n + 3, (int)(sec / 60 % 60));
	buf[n + 5] = ':';
	put2(buf + n + 6, (int)(sec % 60));
	n += 8;
	if (frac) {
		int w = 9;

		while (frac % 10 == 0) {
			frac /= 10;
			w--;
		}
		buf[n++] = '.';
		for (int i = w - 1; i >= 0; i--) {
			buf[n + (size_t)i] = (char)('0' + frac % 10);
			frac /= 10;
		}
		n += (size_t)w;
	}
	buf[n] = '\0';
	return n;
}

int
bs_ts_cmp(const struct bs_timestamp *a, const struct bs_timestamp *b)
{
	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	return a->nsec < b->nsec ? -1 : a->nsec > b->nsec;
}

int
bs_ts_add_days(const struct bs_timestamp *ts, int64_t n,
    struct bs_timestamp *out)
{
	if (bs_date_add_days(ts->day, n, &out->day) < 0)
		return -1;
	out->nsec = ts->nsec;
	return 0;
}
