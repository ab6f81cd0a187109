#include "bs.h"
#include "verify.h"
#include "decimal.h"
#include "emit.h"
#include "encode.h"
#include "sha256.h"

#define CHUNK ((size_t)256 * 1024)
#define LINE_CAP ((size_t)256 * 1024 * 1024)

struct vf {
	const struct bs_lay_file *lf;
	struct tf_part *p;
	const char *path;
	struct bs_decoder dec;
	struct bs_buf line;	/* encoded bytes of the physical line */
	struct bs_buf rec;	/* decoded record (may span lines) */
	struct bs_buf fld;	/* one field, unqualified */
	unsigned long long lines, rows;
	struct bs_dec *sum;	/* per field */
	int *summed;
	int in_quote;		/* the record is inside a qualifier */
};

static int __attribute__((format(printf, 3, 4)))
bad(struct vf *v, struct bs_err *err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return bs_err_set(err, BS_EXIT_SOFTWARE,
	    "reading back '%s': line %llu: %s", v->path, v->lines, msg);
}

static int
add(struct vf *v, size_t i, const char *s, size_t n, struct bs_err *err)
{
	const struct bs_lay_field *lf = &v->lf->fields[i];
	struct bs_err e = BS_ERR_INIT;
	struct bs_dec d;

	if (!v->summed[i] || n == 0 || (n == strlen(lf->null_text) &&
	    !memcmp(s, lf->null_text, n)))
		return 0;
	if (bs_dec_parse(s, n, 0, &d, &e) < 0 ||
	    bs_dec_add(&v->sum[i], &d, &v->sum[i], &e) < 0)
		return bad(v, err, "field %s: '%.*s' is not a number", lf->name,
		    (int)n, s);
	return 0;
}

/* A complete delimited record in v->rec. */
static int
record_delimited(struct vf *v, struct bs_err *err)
{
	const char *s = v->rec.buf ? v->rec.buf : "";
	size_t n = v->rec.len, i = 0, nf = 0;
	char d = v->lf->delim, q = v->lf->qualifier;

	for (;;) {
		bs_buf_reset(&v->fld);
		if (q && i < n && s[i] == q) {
			i++;
			for (;;) {
				if (i >= n)
					return bad(v, err, "qualifier not closed");
				if (s[i] == q) {
					if (i + 1 < n && s[i + 1] == q) {
						bs_buf_addc(&v->fld, q);
						i += 2;
						continue;
					}
					i++;
					break;
				}
				bs_buf_addc(&v->fld, s[i++]);
			}
			if (i < n && s[i] != d)
				return bad(v, err, "text after a closing qualifier");
		} else {
			const char *e = memchr(s + i, d, n - i);
			size_t k = e ? (size_t)(e - s) : n;

			bs_buf_add(&v->fld, s + i, k - i);
			i = k;
		}
		if (nf < v->lf->nfields &&
		    add(v, nf, bs_buf_str(&v->fld), v->fld.len, err) < 0)
			return -1;
		nf++;
		if (i >= n)
			break;
		i++;		/* the delimiter */
	}
	if (nf != v->lf->nfields)
		return bad(v, err, "%zu fields, the layout has %zu", nf,
		    v->lf->nfields);
	v->rows++;
	return 0;
}

/* Is the record in v->rec still inside a qualifier at its end? */
static int
open_quote(struct vf *v)
{
	size_t i;
	int in = 0;

	for (i = 0; i < v->rec.len; i++)
		if (v->rec.buf[i] == v->lf->qualifier)
			in = !in;	/* a doubled qualifier toggles twice */
	return in;
}

static int
line_fixed(struct vf *v, const char *s, size_t n, struct bs_err *err)
{
	size_t i, off = 0, want = 0;

	for (i = 0; i < v->lf->nfields; i++)
		want += v->lf->fields[i].width;
	if (n != want)
		return bad(v, err, "%zu bytes, the fields are %zu", n, want);
	for (i = 0; i < v->lf->nfields; i++) {
		const struct bs_lay_field *lf = &v->lf->fields[i];
		const char *f = s + off;
		size_t k = lf->width;

		off += lf->width;
		if (!v->summed[i])
			continue;
		/* strip the padding on its side; zeros keep a number a number */
		if (lf->align_right) {
			/* "-0001.50" and "000012.50" parse as they are */
			while (k && (*f == ' ' || (*f == lf->pad && lf->pad != '0'))) {
				f++;
				k--;
			}
		} else {
			while (k && (f[k - 1] == lf->pad || f[k - 1] == ' '))
				k--;
		}
		if (add(v, i, f, k, err) < 0)
			return -1;
	}
	v->rows++;
	return 0;
}

/* One physical line (line end removed). */
static int
line(struct vf *v, const char *s, size_t n, struct bs_err *err)
{
	size_t badat;
	int rc;

	v->lines++;
	if (v->lf->form == BS_LAY_FIXED) {
		/* the whole line must decode; the fields are cut in bytes */
		bs_buf_reset(&v->rec);
		rc = bs_decode(&v->dec, s, n, &v->rec, &badat, err);
		if (rc)
			return rc < 0 ? -1 : bad(v, err, "not %s at byte %zu",
			    bs_enc_name(v->lf->enc), badat + 1);
		if (v->lines == 1 && v->lf->header)
			return 0;
		return line_fixed(v, s, n, err);
	}
	if (!v->in_quote)
		bs_buf_reset(&v->rec);
	else
		bs_buf_adds(&v->rec, v->lf->eol);
	rc = bs_decode(&v->dec, s, n, &v->rec, &badat, err);
	if (rc)
		return rc < 0 ? -1 : bad(v, err, "not %s at byte %zu",
		    bs_enc_name(v->lf->enc), badat + 1);
	if (v->lf->qualifier && v->lf->allow_break && open_quote(v)) {
		v->in_quote = 1;
		return 0;
	}
	v->in_quote = 0;
	if (v->lines == 1 && v->lf->header)
		return 0;
	return record_delimited(v, err);
}

static int
check_file(struct vf *v, int fd, struct bs_err *err)
{
	const char *eol = v->lf->eol;
	size_t eoln = strlen(eol), bomn = 0, i;
	const char *bom = v->lf->bom ? bs_enc_bom(v->lf->enc, &bomn) : NULL;
	struct bs_sha256 h;
	char *buf = bs_xmalloc(CHUNK), hex[BS_SHA256_HEX];
	unsigned long long bytes = 0;
	int rc = -1, last_was_eol = 0;
	ssize_t r;

	bs_sha256_init(&h);
	for (;;) {
		const char *p, *end, *nl;

		r = read(fd, buf, CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			bs_err_set(err, BS_EXIT_IOERR, "cannot read back '%s': %s",
			    v->path, strerror(errno));
			goto done;
		}
		if (r == 0)
			break;
		bs_sha256_update(&h, buf, (size_t)r);
		p = buf;
		end = buf + r;
		if (bytes == 0 && bom) {
			if ((size_t)r < bomn || memcmp(buf, bom, bomn) != 0) {
				bad(v, err, "no byte order mark");
				goto done;
			}
			p += bomn;
		}
		bytes += (unsigned long long)r;
		while (p < end) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (!nl) {
				if (bs_buf_add(&v->line, p, (size_t)(end - p)) < 0) {
					bad(v, err, "longer than %zu bytes", LINE_CAP);
					goto done;
				}
				last_was_eol = 0;
				break;
			}
			if (bs_buf_add(&v->line, p, (size_t)(nl - p) + 1) < 0) {
				bad(v, err, "longer than %zu bytes", LINE_CAP);
				goto done;
			}
			p = nl + 1;
			if (v->line.len < eoln ||
			    memcmp(v->line.buf + v->line.len - eoln, eol, eoln) != 0) {
				v->lines++;
				bad(v, err, "a line end that is not %s",
				    eoln == 2 ? "CRLF" : "LF");
				goto done;
			}
			if (line(v, v->line.buf, v->line.len - eoln, err) < 0)
				goto done;
			bs_buf_reset(&v->line);
			last_was_eol = 1;
		}
	}
	if (v->line.len) {
		if (v->lf->last_eol) {
			v->lines++;
			bad(v, err, "the last line has no line end");
			goto done;
		}
		if (line(v, v->line.buf, v->line.len, err) < 0)
			goto done;
	} else if (!v->lf->last_eol && last_was_eol) {
		bad(v, err, "the file ends with a line end (last_line_end: false)");
		goto done;
	}
	if (v->in_quote) {
		bad(v, err, "qualifier not closed at the end of the file");
		goto done;
	}
	bs_sha256_final_hex(&h, hex);
	if (bytes != v->p->bytes || strcmp(hex, v->p->sha256) != 0) {
		bs_err_set(err, BS_EXIT_SOFTWARE,
		    "reading back '%s': %llu bytes, SHA-256 %s; written: %llu bytes, %s",
		    v->path, bytes, hex, v->p->bytes, v->p->sha256);
		goto done_final;
	}
	if (v->rows != v->p->rows) {
		bs_err_set(err, BS_EXIT_SOFTWARE,
		    "reading back '%s': %llu records, %llu were written", v->path,
		    v->rows, v->p->rows);
		goto done_final;
	}
	for (i = 0; i < v->lf->nfields; i++) {
		char s[BS_DEC_STR_MAX];

		if (!v->summed[i])
			continue;
		bs_dec_str(&v->sum[i], v->lf->fields[i].kind == BS_LAY_DECIMAL ?
		    v->lf->fields[i].scale : 0, s);
		if (!v->p->sums[i] || strcmp(s, v->p->sums[i]) != 0) {
			bs_err_set(err, BS_EXIT_SOFTWARE,
			    "reading back '%s': field %s sums to %s, the writer "
			    "counted %s", v->path, v->lf->fields[i].name, s,
			    v->p->sums[i] ? v->p->sums[i] : "nothing");
			goto done_final;
		}
	}
	v->p->verified = 1;
	rc = 0;
	goto done_final;
done:
	bs_sha256_release(&h);
done_final:
	free(buf);
	return rc;
}

int
tf_verify(const char *dir, const struct bs_lay_file *lf, struct tf_part *p,
    struct bs_err *err)
{
	struct vf v;
	char *path = bs_xasprintf("%s/%s", dir, p->name);
	size_t i;
	int fd, rc = -1;

	memset(&v, 0, sizeof(v));
	v.lf = lf;
	v.p = p;
	v.path = path;
	v.line = (struct bs_buf)BS_BUF_INIT(LINE_CAP);
	v.rec = (struct bs_buf)BS_BUF_INIT(0);
	v.fld = (struct bs_buf)BS_BUF_INIT(0);
	v.sum = bs_xcalloc(lf->nfields, sizeof(*v.sum));
	v.summed = bs_xcalloc(lf->nfields, sizeof(int));
	for (i = 0; i < lf->nfields; i++) {
		v.summed[i] = p->sums[i] != NULL;
		v.sum[i].scale = lf->fields[i].kind == BS_LAY_DECIMAL ?
		    lf->fields[i].scale : 0;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		bs_err_set(err, BS_EXIT_IOERR, "cannot read back '%s': %s", path,
		    strerror(errno));
	} else {
		if (bs_decoder_open(&v.dec, lf->enc, err) == 0) {
			rc = check_file(&v, fd, err);
			bs_decoder_close(&v.dec);
		}
		close(fd);
	}
	bs_buf_release(&v.line);
	bs_buf_release(&v.rec);
	bs_buf_release(&v.fld);
	free(v.sum);
	free(v.summed);
	free(path);
	return rc;
}
