#include "bs.h"
#include "idcheck.h"
#include "buf.h"
#include "refcsv.h"

#define REGION_ROWS_MAX 1000000
#define REGION_NAMES_MAX (64u << 20)

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return 0;
	return 1;
}

/* ---- Resident identity number ---------------------------------------- */

static const int resident_w[17] = {
	7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2
};

/* Check character of 17 digits. */
static char
resident_check_char(const char *s)
{
	int sum = 0, i;

	for (i = 0; i < 17; i++)
		sum += (s[i] - '0') * resident_w[i];
	return "10X98765432"[sum % 11];
}

int
bs_id_resident_format(const char *s, size_t n)
{
	if (!s)
		return 0;
	if (n == 15)
		return all_digits(s, 15);
	if (n == 18)
		return all_digits(s, 17) && (is_digit(s[17]) || s[17] == 'X');
	return 0;
}

int
bs_id_resident_check(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned sum = 0, d;

	if (n != 18)
		return 0;
	/* format and weighted sum in one pass */
	for (int i = 0; i < 17; i++) {
		d = u[i] - (unsigned)'0';
		if (d > 9)
			return 0;
		sum += d * (unsigned)resident_w[i];
	}
	if (!is_digit(s[17]) && s[17] != 'X')
		return 0;
	return s[17] == "10X98765432"[sum % 11];
}

static int
num(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
real_date(int y, int m, int d)
{
	static const int mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && is_leap(y));
}

int
bs_id_resident_birth(const char *s, size_t n, int *y, int *m, int *d)
{
	int yy = 0, mm = 0, dd = 0, ok = 0;

	if (bs_id_resident_format(s, n)) {
		if (n == 18) {
			yy = num(s + 6, 4);
			mm = num(s + 10, 2);
			dd = num(s + 12, 2);
		} else {
			yy = 1900 + num(s + 6, 2);
			mm = num(s + 8, 2);
			dd = num(s + 10, 2);
		}
		ok = real_date(yy, mm, dd);
	}
	if (y)
		*y = yy;
	if (m)
		*m = mm;
	if (d)
		*d = dd;
	return ok;
}

int
bs_id_resident_sex(const char *s, size_t n)
{
	if (!bs_id_resident_format(s, n))
		return 0;
	return (s[n == 18 ? 16 : 14] - '0') % 2 ? 1 : 2;
}

int
bs_id_resident_upgrade(const char *s, size_t n, char out[19])
{
	if (n != 15 || !bs_id_resident_format(s, n))
		return 0;
	memcpy(out, s, 6);
	memcpy(out + 6, "19", 2);
	memcpy(out + 8, s + 6, 9);
	out[17] = resident_check_char(out);
	out[18] = '\0';
	return 1;
}

/* ---- Unified social credit identifier ---------------------------------- */

static const char uscc_set[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static const int uscc_w[17] = {
	1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
};

/* Value 0..30 of a GB 32100 symbol, -1 if c is not one. */
static int
uscc_value(char c)
{
	int i;

	for (i = 0; i < 31; i++)
		if (uscc_set[i] == c)
			return i;
	return -1;
}

int
bs_id_uscc_format(const char *s, size_t n)
{
	size_t i;

	if (!s || n != 18)
		return 0;
	for (i = 0; i < 18; i++) {
		if (i >= 2 && i < 8) {
			if (!is_digit(s[i]))
				return 0;
		} else if (uscc_value(s[i]) < 0) {
			return 0;
		}
	}
	return 1;
}

int
bs_id_uscc_check(const char *s, size_t n)
{
	int sum = 0, c, i;

	if (!bs_id_uscc_format(s, n))
		return 0;
	for (i = 0; i < 17; i++)
		sum += uscc_value(s[i]) * uscc_w[i];
	c = 31 - sum % 31;
	if (c == 31)
		c = 0;
	return s[17] == uscc_set[c];
}

/* ---- Organization code -------------------------------------------------- */

static const int orgcode_w[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };

/* GB 11714 value of a body character: 0-9, A=10 .. Z=35; -1 otherwise. */
static int
orgcode_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return -1;
}

int
bs_id_orgcode_format(const char *s, size_t n)
{
	size_t i;

	if (!s || (n != 9 && n != 10))
		return 0;
	if (n == 10 && s[8] != '-')
		return 0;
	for (i = 0; i < 8; i++)
		if (orgcode_value(s[i]) < 0)
			return 0;
	return is_digit(s[n - 1]) || s[n - 1] == 'X';
}

int
bs_id_orgcode_check(const char *s, size_t n)
{
	int sum = 0, c, i;
	char want;

	if (!bs_id_orgcode_format(s, n))
		return 0;
	for (i = 0; i < 8; i++)
		sum += orgcode_value(s[i]) * orgcode_w[i];
	c = 11 - sum % 11;
	want = c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
	return s[n - 1] == want;
}

/* ---- Others -------------------------------------------------------------- */

int
bs_id_luhn(const char *s, size_t n)
{
	int sum = 0, v;
	size_t i;

	if (!s || n < 12 || n > 19 || !all_digits(s, n))
		return 0;
	for (i = 0; i < n; i++) {
		v = s[n - 1 - i] - '0';
		if (i % 2) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return sum % 10 == 0;
}

int
bs_id_mobile(const char *s, size_t n)
{
	if (!s || n != 11)
		return 0;
	return s[0] == '1' && s[1] >= '3' && s[1] <= '9' &&
	    all_digits(s + 2, 9);
}

/* ---- GB/T 2260 region list ----------------------------------------------- */

struct bs_region {
	uint32_t code;
	uint32_t name;		/* offset into names */
	uint32_t line;		/* where it was read (for duplicate messages) */
	unsigned char src;	/* 0 main list, 1 extra list */
	unsigned char historical;
};

struct bs_region_list {
	struct bs_region *v;
	size_t n, alloc;
	struct bs_buf names;
	char *version;
};

static int
region_cmp(const void *a, const void *b)
{
	const struct bs_region *x = a, *y = b;

	if (x->code != y->code)
		return x->code < y->code ? -1 : 1;
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int
region_load_file(struct bs_region_list *l, const char *path, unsigned char src,
    struct bs_err *err)
{
	static const char *const cols[] = { "code", "name", "status" };
	struct bs_refcsv r;
	struct bs_region *e;
	const char *code, *name, *status;
	int rc;

	if (bs_refcsv_open(&r, path, err) < 0)
		return -1;
	if (bs_refcsv_header(&r, cols, BS_ARRAY_SIZE(cols), err) < 0)
		goto fail;
	while ((rc = bs_refcsv_next(&r, err)) == 1) {
		code = r.field[0];
		name = r.field[1];
		status = r.field[2];
		if (strlen(code) != 6 || !all_digits(code, 6)) {
			bs_refcsv_fail(&r, err, "code '%s' is not 6 digits",
			    code);
			goto fail;
		}
		if (!*name) {
			bs_refcsv_fail(&r, err, "code %s has no name", code);
			goto fail;
		}
		if (strcmp(status, "current") != 0 &&
		    strcmp(status, "historical") != 0) {
			bs_refcsv_fail(&r, err,
			    "status '%s' is neither 'current' nor 'historical'",
			    status);
			goto fail;
		}
		if (l->n >= REGION_ROWS_MAX) {
			bs_refcsv_fail(&r, err, "more than %d codes",
			    REGION_ROWS_MAX);
			goto fail;
		}
		BS_ALLOC_GROW(l->v, l->n + 1, l->alloc);
		e = &l->v[l->n];
		e->code = (uint32_t)num(code, 6);
		e->name = (uint32_t)l->names.len;
		e->line = (uint32_t)r.line;
		e->src = src;
		e->historical = status[0] == 'h';
		if (bs_buf_add(&l->names, name, strlen(name) + 1) < 0) {
			bs_refcsv_fail(&r, err, "names longer than %u bytes",
			    REGION_NAMES_MAX);
			goto fail;
		}
		l->n++;
	}
	if (rc < 0)
		goto fail;
	bs_refcsv_close(&r);
	return 0;
fail:
	bs_refcsv_close(&r);
	return -1;
}

/* Sort, reject duplicates within a file, let the extra list win. */
static int
region_finish(struct bs_region_list *l, const char *path, const char *xpath,
    struct bs_err *err)
{
	size_t i, j = 0;
	struct bs_region *a, *b;

	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), region_cmp);
	for (i = 0; i < l->n; i++) {
		if (j > 0 && l->v[j - 1].code == l->v[i].code) {
			a = &l->v[j - 1];
			b = &l->v[i];
			if (a->src == b->src)
				return bs_err_set(err, BS_EXIT_CONFIG,
				    "%s:%lu: duplicate code %06lu (first at line %lu)",
				    b->src ? xpath : path,
				    (unsigned long)b->line,
				    (unsigned long)b->code,
				    (unsigned long)a->line);
			*a = *b;	/* the extra row replaces the main one */
			continue;
		}
		l->v[j++] = l->v[i];
	}
	l->n = j;
	return 0;
}

int
bs_region_list_load(struct bs_region_list **out, const char *path,
    struct bs_err *err)
{
	struct bs_region_list *l = bs_xcalloc(1, sizeof(*l));
	char *xpath = bs_refcsv_sibling(path, "-extra.csv");
	char *v = NULL, *xv = NULL;
	struct stat st;
	int have_extra, rc = -1;

	*out = NULL;
	l->names.max = REGION_NAMES_MAX;
	if (region_load_file(l, path, 0, err) < 0)
		goto done;
	have_extra = stat(xpath, &st) == 0 || errno != ENOENT;
	if (have_extra && region_load_file(l, xpath, 1, err) < 0)
		goto done;
	if (region_finish(l, path, xpath, err) < 0)
		goto done;
	v = bs_refcsv_version(path, err);
	if (!v)
		goto done;
	if (have_extra) {
		xv = bs_refcsv_version(xpath, err);
		if (!xv)
			goto done;
		l->version = bs_xasprintf("%s+extra:%s", v, xv);
	} else {
		l->version = v;
		v = NULL;
	}
	*out = l;
	l = NULL;
	rc = 0;
done:
	free(v);
	free(xv);
	free(xpath);
	bs_region_list_free(l);
	return rc;
}

static const struct bs_region *
region_find(const struct bs_region_list *l, const char *code, size_t n)
{
	size_t lo = 0, hi;
	uint32_t c;

	if (!l || !code || n != 6 || !all_digits(code, 6))
		return NULL;
	c = (uint32_t)num(code, 6);
	hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->v[mid].code == c)
			return &l->v[mid];
		if (l->v[mid].code < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int
bs_region_known(const struct bs_region_list *l, const char *code, size_t n)
{
	return region_find(l, code, n) != NULL;
}

int
bs_region_current(const struct bs_region_list *l, const char *code, size_t n)
{
	const struct bs_region *e = region_find(l, code, n);

	return e && !e->historical;
}

const char *
bs_region_name(const struct bs_region_list *l, const char *code, size_t n)
{
	const struct bs_region *e = region_find(l, code, n);

	return e ? l->names.buf + e->name : NULL;
}

const char *
bs_region_list_version(const struct bs_region_list *l)
{
	return l ? l->version : NULL;
}

size_t
bs_region_list_count(const struct bs_region_list *l)
{
	return l ? l->n : 0;
}

void
bs_region_list_free(struct bs_region_list *l)
{
	if (!l)
		return;
	free(l->v);
	bs_buf_release(&l->names);
	free(l->version);
	free(l);
}
