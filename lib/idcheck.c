/*
 * idcheck.c - TEMPORARY minimal implementation of the idcheck.h contract,
 * written by the expression-language helper so that lib/expr.c links and
 * its tests run.  The lead replaces it with the idcheck helper's module.
 * The algorithms follow DOMAIN.md 2.2; the region list reader accepts a
 * CSV whose first field is the 6-digit code (a non-code first line is a
 * header; '#' lines are comments).
 */
#include "bs.h"
#include "date.h"
#include "idcheck.h"

static int
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
bs_id_resident_format(const char *s, size_t n)
{
	if (n == 15)
		return all_digits(s, 15);
	return n == 18 && all_digits(s, 17) &&
	    ((s[17] >= '0' && s[17] <= '9') || s[17] == 'X');
}

int
bs_id_resident_check(const char *s, size_t n)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char cc[] = "10X98765432";
	int sum = 0;

	if (n != 18)
		return 0;
	for (int i = 0; i < 17; i++)
		sum += (s[i] - '0') * w[i];
	return s[17] == cc[sum % 11];
}

static int
num(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

int
bs_id_resident_birth(const char *s, size_t n, int *y, int *m, int *d)
{
	int32_t day;

	if (n == 18) {
		*y = num(s + 6, 4);
		*m = num(s + 10, 2);
		*d = num(s + 12, 2);
	} else if (n == 15) {
		*y = 1900 + num(s + 6, 2);
		*m = num(s + 8, 2);
		*d = num(s + 10, 2);
	} else {
		return 0;
	}
	return bs_date_from_ymd(*y, *m, *d, &day) == 0;
}

static const char uscc_chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int
uscc_value(char c)
{
	const char *p = c ? strchr(uscc_chars, c) : NULL;

	return p ? (int)(p - uscc_chars) : -1;
}

int
bs_id_uscc_format(const char *s, size_t n)
{
	if (n != 18)
		return 0;
	for (size_t i = 0; i < 18; i++) {
		if (i >= 2 && i < 8 ? !(s[i] >= '0' && s[i] <= '9') : uscc_value(s[i]) < 0)
			return 0;
	}
	return 1;
}

int
bs_id_uscc_check(const char *s, size_t n)
{
	int sum = 0, w = 1, c;

	if (n != 18)
		return 0;
	for (int i = 0; i < 17; i++) {
		sum += uscc_value(s[i]) * w;
		w = w * 3 % 31;
	}
	c = 31 - sum % 31;
	if (c == 31)
		c = 0;
	return s[17] == uscc_chars[c];
}

static int
org_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return -1;
}

int
bs_id_orgcode_format(const char *s, size_t n)
{
	char c;

	if (n != 9 && !(n == 10 && s[8] == '-'))
		return 0;
	for (int i = 0; i < 8; i++)
		if (org_value(s[i]) < 0)
			return 0;
	c = s[n - 1];
	return (c >= '0' && c <= '9') || c == 'X';
}

int
bs_id_orgcode_check(const char *s, size_t n)
{
	static const int w[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };
	int sum = 0, c;
	char want;

	if (n != 9 && n != 10)
		return 0;
	for (int i = 0; i < 8; i++)
		sum += org_value(s[i]) * w[i];
	c = 11 - sum % 11;
	want = c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
	return s[n - 1] == want;
}

int
bs_id_luhn(const char *s, size_t n)
{
	int sum = 0;

	if (n < 12 || n > 19 || !all_digits(s, n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		int d = s[n - 1 - i] - '0';

		if (i % 2 == 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

int
bs_id_mobile(const char *s, size_t n)
{
	return n == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9' &&
	    all_digits(s, 11);
}

struct bs_region_list {
	unsigned char bits[1000000 / 8];
};

int
bs_region_list_load(struct bs_region_list **out, const char *path,
    struct bs_err *err)
{
	struct bs_region_list *l;
	FILE *fp = fopen(path, "r");
	char line[4096];
	long lineno = 0;

	if (!fp)
		return bs_err_set(err, BS_EXIT_NOINPUT, "cannot open '%s': %s",
		    path, strerror(errno));
	l = bs_xcalloc(1, sizeof(*l));
	while (fgets(line, sizeof(line), fp)) {
		size_t n = strcspn(line, ",\r\n");

		lineno++;
		if (line[0] == '#' || (n == 0 && line[0] != ','))
			continue;
		if (n == 6 && all_digits(line, 6)) {
			long v = strtol(line, NULL, 10);

			l->bits[v / 8] |= (unsigned char)(1u << (v % 8));
		} else if (lineno > 1) {
			fclose(fp);
			free(l);
			return bs_err_set(err, BS_EXIT_CONFIG,
			    "%s:%ld: not a 6-digit region code", path, lineno);
		}
	}
	if (ferror(fp)) {
		fclose(fp);
		free(l);
		return bs_err_set(err, BS_EXIT_IOERR, "cannot read '%s'", path);
	}
	fclose(fp);
	*out = l;
	return 0;
}

int
bs_region_known(const struct bs_region_list *l, const char *code, size_t n)
{
	long v;

	if (n != 6 || !all_digits(code, 6))
		return 0;
	v = num(code, 6);
	return (l->bits[v / 8] >> (v % 8)) & 1;
}

void
bs_region_list_free(struct bs_region_list *l)
{
	free(l);
}
