#include "bs.h"
#include "buf.h"

int
bs_buf_grow(struct bs_buf *b, size_t n)
{
	size_t need, na;

	if (n > SIZE_MAX - b->len - 1)
		return -1;
	need = b->len + n + 1;
	if (b->max && b->len + n > b->max)
		return -1;
	if (need <= b->alloc)
		return 0;
	na = b->alloc ? b->alloc : 64;
	while (na < need)
		na = na > SIZE_MAX / 2 ? need : na * 2;
	b->buf = bs_xrealloc(b->buf, na);
	b->alloc = na;
	return 0;
}

int
bs_buf_add(struct bs_buf *b, const void *data, size_t n)
{
	if (bs_buf_grow(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->buf + b->len, data, n);
	b->len += n;
	b->buf[b->len] = '\0';
	return 0;
}

int
bs_buf_adds(struct bs_buf *b, const char *s)
{
	return bs_buf_add(b, s, strlen(s));
}

int
bs_buf_addc(struct bs_buf *b, char c)
{
	return bs_buf_add(b, &c, 1);
}

int
bs_buf_addf(struct bs_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || bs_buf_grow(b, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void
bs_buf_reset(struct bs_buf *b)
{
	b->len = 0;
	if (b->buf)
		b->buf[0] = '\0';
}

void
bs_buf_release(struct bs_buf *b)
{
	if (!b)
		return;
	free(b->buf);
	b->buf = NULL;
	b->len = b->alloc = 0;
}

char *
bs_buf_detach(struct bs_buf *b, size_t *len)
{
	char *p = b->buf ? b->buf : bs_xstrdup("");

	if (len)
		*len = b->len;
	b->buf = NULL;
	b->len = b->alloc = 0;
	return p;
}

const char *
bs_buf_str(const struct bs_buf *b)
{
	return b->buf ? b->buf : "";
}
