#include "bs.h"
#include "refcsv.h"
#include "sha256.h"

#define FIELDS_MAX 256

int
bs_refcsv_open(struct bs_refcsv *r, const char *path, struct bs_err *err)
{
	memset(r, 0, sizeof(*r));
	r->raw.max = BS_REFCSV_LINE_MAX;
	r->data.max = BS_REFCSV_LINE_MAX + FIELDS_MAX;
	r->fp = fopen(path, "rb");
	if (!r->fp)
		return bs_err_set(err, BS_EXIT_NOINPUT, "cannot open '%s': %s",
		    path, strerror(errno));
	r->path = bs_xstrdup(path);
	return 0;
}

void
bs_refcsv_close(struct bs_refcsv *r)
{
	if (!r)
		return;
	if (r->fp)
		fclose(r->fp);
	free(r->path);
	free(r->field);
	free(r->off);
	bs_buf_release(&r->raw);
	bs_buf_release(&r->data);
	memset(r, 0, sizeof(*r));
}

int
bs_refcsv_fail(const struct bs_refcsv *r, struct bs_err *err, const char *fmt,
    ...)
{
	char msg[BS_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return bs_err_set(err, BS_EXIT_CONFIG, "%s:%lu: %s", r->path, r->line,
	    msg);
}

static int
fail_col(const struct bs_refcsv *r, struct bs_err *err, size_t col,
    const char *what)
{
	return bs_err_set(err, BS_EXIT_CONFIG, "%s:%lu:%zu: %s", r->path,
	    r->line, col, what);
}

/* Read one physical line into r->raw without its line end; 1, 0 at EOF, -1. */
static int
read_line(struct bs_refcsv *r, struct bs_err *err)
{
	int c;

	bs_buf_reset(&r->raw);
	c = getc(r->fp);
	if (c == EOF) {
		if (ferror(r->fp))
			return bs_err_set(err, BS_EXIT_IOERR,
			    "cannot read '%s': %s", r->path, strerror(errno));
		return 0;
	}
	r->line++;
	for (; c != EOF && c != '\n'; c = getc(r->fp)) {
		if (c == '\0')
			return bs_refcsv_fail(r, err, "NUL byte in line");
		if (bs_buf_addc(&r->raw, (char)c) < 0)
			return bs_refcsv_fail(r, err,
			    "line longer than %d bytes", BS_REFCSV_LINE_MAX);
	}
	if (c == EOF && ferror(r->fp))
		return bs_err_set(err, BS_EXIT_IOERR, "cannot read '%s': %s",
		    r->path, strerror(errno));
	if (r->raw.len && r->raw.buf[r->raw.len - 1] == '\r')
		r->raw.buf[--r->raw.len] = '\0';
	return 1;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t k, i;
	unsigned long cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (k > n)
		return 0;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 ||
	    cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k;
}

static int
add_field_end(struct bs_refcsv *r, struct bs_err *err)
{
	if (r->nfield >= FIELDS_MAX)
		return bs_refcsv_fail(r, err, "more than %d fields",
		    FIELDS_MAX);
	if (bs_buf_addc(&r->data, '\0') < 0)
		return bs_refcsv_fail(r, err, "line too long");
	r->nfield++;
	return 0;
}

/* Split r->raw into fields (RFC 4180 quoting, no line breaks inside). */
static int
split(struct bs_refcsv *r, struct bs_err *err)
{
	const char *s = r->raw.buf;
	size_t n = r->raw.len, i = 0, k;

	bs_buf_reset(&r->data);
	r->nfield = 0;
	for (;;) {
		BS_ALLOC_GROW(r->off, r->nfield + 1, r->afield);
		r->off[r->nfield] = r->data.len;
		if (i < n && s[i] == '"') {
			size_t open = i + 1;

			for (i++;; i++) {
				if (i >= n)
					return fail_col(r, err, open,
					    "unterminated quoted field (a field may not span lines)");
				if (s[i] == '"') {
					if (i + 1 < n && s[i + 1] == '"')
						i++;
					else
						break;
				}
				if (bs_buf_addc(&r->data, s[i]) < 0)
					return bs_refcsv_fail(r, err,
					    "line too long");
			}
			i++;	/* closing quote */
			if (i < n && s[i] != ',')
				return fail_col(r, err, i + 1,
				    "text after a closing quote");
		} else {
			size_t start = i;

			while (i < n && s[i] != ',') {
				if (s[i] == '"')
					return fail_col(r, err, i + 1,
					    "quote inside an unquoted field");
				i++;
			}
			if (bs_buf_add(&r->data, s + start, i - start) < 0)
				return bs_refcsv_fail(r, err, "line too long");
		}
		if (add_field_end(r, err) < 0)
			return -1;
		if (i >= n)
			break;
		i++;	/* the comma */
	}
	for (i = 0; i < n; i += k) {
		k = utf8_len((const unsigned char *)s + i, n - i);
		if (!k)
			return fail_col(r, err, i + 1, "not valid UTF-8");
		if (k == 1 && ((unsigned char)s[i] < 0x20 || s[i] == 0x7f))
			return fail_col(r, err, i + 1, "control character");
	}
	r->field = bs_xreallocarray(r->field, r->nfield, sizeof(*r->field));
	for (k = 0; k < r->nfield; k++)
		r->field[k] = r->data.buf + r->off[k];
	return 0;
}

int
bs_refcsv_next(struct bs_refcsv *r, struct bs_err *err)
{
	int rc;

	r->nfield = 0;
	for (;;) {
		rc = read_line(r, err);
		if (rc <= 0)
			return rc;
		if (r->line == 1 && r->raw.len >= 3 &&
		    memcmp(r->raw.buf, "\xef\xbb\xbf", 3) == 0) {
			memmove(r->raw.buf, r->raw.buf + 3, r->raw.len - 2);
			r->raw.len -= 3;
		}
		if (r->raw.len)
			break;
	}
	if (split(r, err) < 0)
		return -1;
	if (r->ncols && r->nfield != r->ncols)
		return bs_refcsv_fail(r, err,
		    "%zu field%s, the header has %zu", r->nfield,
		    r->nfield == 1 ? "" : "s", r->ncols);
	return 1;
}

int
bs_refcsv_header(struct bs_refcsv *r, const char *const *names, size_t n,
    struct bs_err *err)
{
	struct bs_buf want = BS_BUF_INIT(0);
	size_t i;
	int rc;

	rc = bs_refcsv_next(r, err);
	if (rc < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (bs_buf_addf(&want, "%s%s", i ? "," : "", names[i]) < 0)
			break;
	if (rc == 0) {
		rc = bs_err_set(err, BS_EXIT_CONFIG,
		    "%s: empty file, expected the header '%s'", r->path,
		    bs_buf_str(&want));
		goto done;
	}
	for (i = 0; i < n; i++)
		if (i >= r->nfield || strcmp(r->field[i], names[i]) != 0) {
			rc = bs_refcsv_fail(r, err,
			    "header must start with '%s'", bs_buf_str(&want));
			goto done;
		}
	r->ncols = r->nfield;
	rc = 0;
done:
	bs_buf_release(&want);
	return rc;
}

char *
bs_refcsv_sibling(const char *path, const char *suffix)
{
	size_t n = strlen(path);

	if (n >= 4 && strcmp(path + n - 4, ".csv") == 0)
		n -= 4;
	return bs_xasprintf("%.*s%s", (int)n, path, suffix);
}

/* First non-blank line of a VERSION file, trimmed; NULL with err. */
static char *
read_version_file(FILE *fp, const char *vpath, struct bs_err *err)
{
	char line[BS_REFCSV_VERSION_MAX + 3];
	size_t n, i;
	char *s;

	while (fgets(line, sizeof(line), fp)) {
		n = strlen(line);
		if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
			bs_err_set(err, BS_EXIT_CONFIG,
			    "%s: version line longer than %d bytes", vpath,
			    BS_REFCSV_VERSION_MAX);
			return NULL;
		}
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' ||
		    line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = '\0';
		s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			continue;
		for (i = 0; s[i]; i++)
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
				bs_err_set(err, BS_EXIT_CONFIG,
				    "%s: control character in the version",
				    vpath);
				return NULL;
			}
		if (strlen(s) > BS_REFCSV_VERSION_MAX) {
			bs_err_set(err, BS_EXIT_CONFIG,
			    "%s: version line longer than %d bytes", vpath,
			    BS_REFCSV_VERSION_MAX);
			return NULL;
		}
		return bs_xstrdup(s);
	}
	if (ferror(fp))
		bs_err_set(err, BS_EXIT_IOERR, "cannot read '%s': %s", vpath,
		    strerror(errno));
	else
		bs_err_set(err, BS_EXIT_CONFIG, "%s: no version in the file",
		    vpath);
	return NULL;
}

char *
bs_refcsv_version(const char *path, struct bs_err *err)
{
	char *vpath = bs_refcsv_sibling(path, ".VERSION");
	char hex[BS_SHA256_HEX];
	char *v = NULL;
	FILE *fp;

	fp = fopen(vpath, "rb");
	if (fp) {
		v = read_version_file(fp, vpath, err);
		fclose(fp);
	} else if (errno != ENOENT) {
		bs_err_set(err, BS_EXIT_NOINPUT, "cannot open '%s': %s", vpath,
		    strerror(errno));
	} else if (bs_sha256_file(path, hex, NULL, err) == 0) {
		v = bs_xasprintf("sha256:%.16s", hex);
	}
	free(vpath);
	return v;
}
