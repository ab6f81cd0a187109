/*
 * bytepat.c - fixed-length ASCII patterns (see bytepat.h).
 */
#include "bs.h"
#include "bytepat.h"

static void
set_add(uint64_t s[4], unsigned lo, unsigned hi)
{
	for (unsigned b = lo; b <= hi; b++)
		s[b >> 6] |= (uint64_t)1 << (b & 63);
}

static int
is_meta(unsigned char c)
{
	return c != '\0' && strchr("\\^$.|?*+()[]{}", c) != NULL;
}

/*
 * The escape at re[*i] (the backslash): \d or \ and ASCII punctuation,
 * into s; advances *i past it.  -1 if refused.
 */
static int
escape(const char *re, size_t n, size_t *i, uint64_t s[4])
{
	unsigned char c;

	if (*i + 1 >= n)
		return -1;
	c = (unsigned char)re[*i + 1];
	*i += 2;
	if (c == 'd') {
		set_add(s, '0', '9');
		return 0;
	}
	if (c >= 0x80 || isalnum(c) || c < 0x21 || c == 0x7f)
		return -1;
	set_add(s, c, c);
	return 0;
}

/* The class at re[*i] (the '['), into s; advances *i past its ']'. */
static int
class(const char *re, size_t n, size_t *i, uint64_t s[4])
{
	size_t j = *i + 1, start = j;
	int any = 0;

	for (;;) {
		unsigned char c, d;

		if (j >= n)
			return -1;
		c = (unsigned char)re[j];
		if (c == ']') {
			if (!any)
				return -1;	/* "[]" or "[]a]": PCRE2 differs */
			break;
		}
		if (c >= 0x80 || c == '[' || c == '^')
			return -1;
		if (c == '\\') {
			if (escape(re, n, &j, s) < 0)
				return -1;
			/* an escape is never a range's end */
			if (j < n && re[j] == '-' && j + 1 < n && re[j + 1] != ']')
				return -1;
			any = 1;
			continue;
		}
		if (c == '-' && j != start && !(j + 1 < n && re[j + 1] == ']'))
			return -1;	/* '-' after a range, or mid-class alone */
		if (c != '-' && j + 2 < n && re[j + 1] == '-' && re[j + 2] != ']') {
			d = (unsigned char)re[j + 2];
			if (d >= 0x80 || d == '\\' || d == '[' || d == '^' || d < c)
				return -1;
			set_add(s, c, d);
			j += 3;
			any = 1;
			continue;
		}
		set_add(s, c, c);
		j++;
		any = 1;
	}
	*i = j + 1;
	return 0;
}

static int
same_set(const struct bs_bytepat_run *r, const uint64_t s[4])
{
	for (unsigned b = 0; b < 256; b++)
		if (r->ok[b] != (s[b >> 6] >> (b & 63) & 1))
			return 0;
	return 1;
}

int
bs_bytepat_compile(const char *re, size_t n, struct bs_bytepat *p)
{
	size_t i = 0, a = 0;

	memset(p, 0, sizeof(*p));
	while (i < n) {
		uint64_t s[4] = { 0, 0, 0, 0 };
		unsigned char c = (unsigned char)re[i];
		unsigned long count = 1;

		if (c == '\\') {
			if (escape(re, n, &i, s) < 0)
				goto refuse;
		} else if (c == '[') {
			if (class(re, n, &i, s) < 0)
				goto refuse;
		} else if (c < 0x80 && !is_meta(c)) {
			set_add(s, c, c);
			i++;
		} else {
			goto refuse;
		}
		if (i < n && re[i] == '{') {
			size_t j = i + 1;

			count = 0;
			while (j < n && re[j] >= '0' && re[j] <= '9' && count <= 255)
				count = count * 10 + (unsigned long)(re[j++] - '0');
			if (j == i + 1 || j >= n || re[j] != '}' || count > 255)
				goto refuse;
			i = j + 1;
		}
		if (p->len + count > BS_BYTEPAT_MAX)
			goto refuse;
		if (!count)
			continue;
		p->len += count;
		if (p->nrun && same_set(&p->run[p->nrun - 1], s)) {
			p->run[p->nrun - 1].count += count;
			continue;
		}
		BS_ALLOC_GROW(p->run, p->nrun + 1, a);
		for (unsigned b = 0; b < 256; b++)
			p->run[p->nrun].ok[b] = (unsigned char)(s[b >> 6] >> (b & 63) & 1);
		p->run[p->nrun++].count = count;
	}
	return 0;
refuse:
	bs_bytepat_release(p);
	return -1;
}

int
bs_bytepat_match(const struct bs_bytepat *p, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned ok = 1;

	if (n != p->len)
		return 0;
	/* no early exit: most values match, and the loop stays branch-free */
	for (size_t r = 0; r < p->nrun; r++) {
		const unsigned char *t = p->run[r].ok;

		for (size_t k = p->run[r].count; k--; u++)
			ok &= t[*u];
	}
	return (int)ok;
}

void
bs_bytepat_release(struct bs_bytepat *p)
{
	free(p->run);
	memset(p, 0, sizeof(*p));
}
