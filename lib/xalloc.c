#include "bs.h"
#include "xalloc.h"

static void __attribute__((noreturn))
oom(size_t n)
{
	bs_log(BS_LOG_ERROR, "fatal: out of memory (%zu bytes)", n);
	exit(BS_EXIT_OSERR);
}

void *
bs_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *
bs_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		oom(nmemb * size);
	return p;
}

void *
bs_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	return q;
}

void *
bs_xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		oom(SIZE_MAX);
	return bs_xrealloc(p, nmemb * size);
}

char *
bs_xstrdup(const char *s)
{
	return bs_xstrndup(s, strlen(s));
}

char *
bs_xstrndup(const char *s, size_t n)
{
	char *p = bs_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
bs_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom(0);
	return s;
}
