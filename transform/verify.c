#include "bs.h"
#include "verify.h"

#include <pthread.h>

#include "decimal.h"
#include "emit.h"
#include "encode.h"
#include "sha256.h"
#include "sum.h"

#define CHUNK ((size_t)256 * 1024)
#define LINE_CAP ((size_t)256 * 1024 * 1024)

struct tf_verifier {
	const struct bs_lay_file *lf;
	char *path;
	int fd;
	pthread_t th;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned long long flushed;	/* bytes the writer has put in the file */
	int complete;		/* the writer is done: flushed is the size */
	int stop;		/* give up */
	/* results, read after the thread ended */
	int rc;
	struct bs_err err;
	char sha256[BS_SHA256_HEX];
	unsigned long long bytes;
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
bad(struct tf_verifier *v, struct bs_err *err, const char *fmt, ...)
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
add(struct tf_verifier *v, size_t i, const char *s, size_t n, struct bs_err *err)
{
	const struct bs_lay_field *lf = &v->lf->fields[i];

	if (!v->summed[i] || n == 0 || (n == strlen(lf->null_text) &&
	    !memcmp(s, lf->null_text, n)))
		return 0;
	if (tf_sum_add(&v->sum[i], s, n) < 0)
		return bad(v, err, "field %s: '%.*s' is not a number", lf->name,
		    (int)n, s);
	return 0;
}

/* A complete delimited record, s[0, n) in UTF-8. */
static int
record_delimited(struct tf_verifier *v, const char *s, size_t n,
    struct bs_err *err)
{
	size_t i = 0, nf = 0;
	char d = v->lf->delim, q = v->lf->qualifier;

	for (;;) {
		const char *fs;
		size_t fn;

		if (q && i < n && s[i] == q) {
			bs_buf_reset(&v->fld);
			i++;
			for (;;) {
				const char *e = i < n ? memchr(s + i, q, n - i) : NULL;

				if (!e)
					return bad(v, err, "qualifier not closed");
				bs_buf_add(&v->fld, s + i, (size_t)(e - s) - i);
				i = (size_t)(e - s);
				if (i + 1 < n && s[i + 1] == q) {
					bs_buf_addc(&v->fld, q);
					i += 2;
					continue;
				}
				i++;
				break;
			}
			if (i < n && s[i] != d)
				return bad(v, err, "text after a closing qualifier");
			fs = bs_buf_str(&v->fld);
			fn = v->fld.len;
		} else {
			const char *e = memchr(s + i, d, n - i);
			size_t k = e ? (size_t)(e - s) : n;

			fs = s + i;
			fn = k - i;
			i = k;
		}
		if (nf < v->lf->nfields && v->summed[nf] &&
		    add(v, nf, fs, fn, err) < 0)
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
open_quote(struct tf_verifier *v)
{
	size_t i;
	int in = 0;

	for (i = 0; i < v->rec.len; i++)
		if (v->rec.buf[i] == v->lf->qualifier)
			in = !in;	/* a doubled qualifier toggles twice */
	return in;
}

static int
line_fixed(struct tf_verifier *v, const char *s, size_t n, struct bs_err *err)
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
line(struct tf_verifier *v, const char *s, size_t n, struct bs_err *err)
{
	size_t badat;
	int rc;

	v->lines++;
	if (v->lf->form == BS_LAY_FIXED) {
		/* the whole line must decode; the fields are cut in bytes */
		if (!bs_ascii(s, n)) {
			bs_buf_reset(&v->rec);
			rc = bs_decode(&v->dec, s, n, &v->rec, &badat, err);
			if (rc)
				return rc < 0 ? -1 : bad(v, err, "not %s at byte %zu",
				    bs_enc_name(v->lf->enc), badat + 1);
		}
		if (v->lines == 1 && v->lf->header)
			return 0;
		return line_fixed(v, s, n, err);
	}
	if (!v->in_quote && bs_ascii(s, n)) {
		/* ASCII is itself in every encoding: no copy */
		if (v->lf->qualifier && v->lf->allow_break) {
			bs_buf_reset(&v->rec);
			bs_buf_add(&v->rec, s, n);
			if (open_quote(v)) {
				v->in_quote = 1;
				return 0;
			}
		}
		if (v->lines == 1 && v->lf->header)
			return 0;
		return record_delimited(v, s, n, err);
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
	return record_delimited(v, v->rec.buf ? v->rec.buf : "", v->rec.len, err);
}

/* Wait for bytes past pos; the number available (0: the file ended). */
static size_t
wait_for(struct tf_verifier *v, unsigned long long pos)
{
	unsigned long long avail;

	pthread_mutex_lock(&v->mu);
	while (v->flushed <= pos && !v->complete && !v->stop)
		pthread_cond_wait(&v->cv, &v->mu);
	avail = v->stop || v->flushed <= pos ? 0 : v->flushed - pos;
	pthread_mutex_unlock(&v->mu);
	return avail > CHUNK ? CHUNK : (size_t)avail;
}

static int
check_file(struct tf_verifier *v, struct bs_err *err)
{
	const char *eol = v->lf->eol;
	size_t eoln = strlen(eol), bomn = 0;
	const char *bom = v->lf->bom ? bs_enc_bom(v->lf->enc, &bomn) : NULL;
	struct bs_sha256 h;
	char *buf = bs_xmalloc(CHUNK);
	unsigned long long bytes = 0;
	int rc = -1, last_was_eol = 0;

	bs_sha256_init(&h);
	for (;;) {
		const char *p, *end, *nl;
		size_t want = wait_for(v, bytes);
		ssize_t r;

		if (!want)
			break;
		r = pread(v->fd, buf, want, (off_t)bytes);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			bs_err_set(err, BS_EXIT_IOERR, "cannot read back '%s': %s",
			    v->path, r < 0 ? strerror(errno) : "the file is shorter "
			    "than written");
			goto done;
		}
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
			/* a whole line inside the buffer needs no copy */
			if (!v->line.len) {
				size_t n = (size_t)(nl - p) + 1;

				if (n < eoln || memcmp(nl + 1 - eoln, eol, eoln) != 0) {
					v->lines++;
					bad(v, err, "a line end that is not %s",
					    eoln == 2 ? "CRLF" : "LF");
					goto done;
				}
				if (line(v, p, n - eoln, err) < 0)
					goto done;
				p = nl + 1;
				last_was_eol = 1;
				continue;
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
	if (v->stop)
		goto done;
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
	bs_sha256_final_hex(&h, v->sha256);
	v->bytes = bytes;
	free(buf);
	return 0;
done:
	bs_sha256_release(&h);
	free(buf);
	return rc;
}

static void *
verifier(void *arg)
{
	struct tf_verifier *v = arg;

	v->rc = check_file(v, &v->err);
	return NULL;
}

static void
vf_free(struct tf_verifier *v)
{
	bs_buf_release(&v->line);
	bs_buf_release(&v->rec);
	bs_buf_release(&v->fld);
	bs_decoder_close(&v->dec);
	free(v->sum);
	free(v->summed);
	if (v->fd >= 0)
		close(v->fd);
	pthread_mutex_destroy(&v->mu);
	pthread_cond_destroy(&v->cv);
	free(v->path);
	free(v);
}

struct tf_verifier *
tf_verify_start(const char *path, const struct bs_lay_file *lf,
    const int *summed, struct bs_err *err)
{
	struct tf_verifier *v = bs_xcalloc(1, sizeof(*v));
	size_t i;

	v->lf = lf;
	v->path = bs_xstrdup(path);
	v->line = (struct bs_buf)BS_BUF_INIT(LINE_CAP);
	v->rec = (struct bs_buf)BS_BUF_INIT(0);
	v->fld = (struct bs_buf)BS_BUF_INIT(0);
	v->sum = bs_xcalloc(lf->nfields, sizeof(*v->sum));
	v->summed = bs_xcalloc(lf->nfields, sizeof(int));
	for (i = 0; i < lf->nfields; i++) {
		v->summed[i] = summed[i];
		v->sum[i].scale = lf->fields[i].kind == BS_LAY_DECIMAL ?
		    lf->fields[i].scale : 0;
	}
	pthread_mutex_init(&v->mu, NULL);
	pthread_cond_init(&v->cv, NULL);
	v->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (v->fd < 0) {
		bs_err_set(err, BS_EXIT_IOERR, "cannot read back '%s': %s", path,
		    strerror(errno));
		vf_free(v);
		return NULL;
	}
	if (bs_decoder_open(&v->dec, lf->enc, err) < 0) {
		vf_free(v);
		return NULL;
	}
	if (pthread_create(&v->th, NULL, verifier, v) != 0) {
		bs_err_set(err, BS_EXIT_OSERR, "cannot start a thread: %s",
		    strerror(errno));
		vf_free(v);
		return NULL;
	}
	v->started = 1;
	return v;
}

void
tf_verify_more(struct tf_verifier *v, unsigned long long flushed)
{
	pthread_mutex_lock(&v->mu);
	if (flushed > v->flushed) {
		v->flushed = flushed;
		pthread_cond_signal(&v->cv);
	}
	pthread_mutex_unlock(&v->mu);
}

void
tf_verify_abort(struct tf_verifier *v)
{
	if (!v)
		return;
	pthread_mutex_lock(&v->mu);
	v->stop = 1;
	pthread_cond_signal(&v->cv);
	pthread_mutex_unlock(&v->mu);
	if (v->started)
		pthread_join(v->th, NULL);
	vf_free(v);
}

int
tf_verify_finish(struct tf_verifier *v, struct tf_part *p, struct bs_err *err)
{
	size_t i;
	int rc = -1;

	pthread_mutex_lock(&v->mu);
	v->flushed = p->bytes;
	v->complete = 1;
	pthread_cond_signal(&v->cv);
	pthread_mutex_unlock(&v->mu);
	pthread_join(v->th, NULL);
	v->started = 0;
	if (v->rc < 0) {
		*err = v->err;
		goto done;
	}
	if (v->bytes != p->bytes) {
		bs_err_set(err, BS_EXIT_SOFTWARE,
		    "reading back '%s': %llu bytes, %llu were written", v->path,
		    v->bytes, p->bytes);
		goto done;
	}
	if (v->rows != p->rows) {
		bs_err_set(err, BS_EXIT_SOFTWARE,
		    "reading back '%s': %llu records, %llu were written", v->path,
		    v->rows, p->rows);
		goto done;
	}
	for (i = 0; i < v->lf->nfields; i++) {
		char s[BS_DEC_STR_MAX];

		if (!v->summed[i])
			continue;
		bs_dec_str(&v->sum[i], v->lf->fields[i].kind == BS_LAY_DECIMAL ?
		    v->lf->fields[i].scale : 0, s);
		if (!p->sums[i] || strcmp(s, p->sums[i]) != 0) {
			bs_err_set(err, BS_EXIT_SOFTWARE,
			    "reading back '%s': field %s sums to %s, the writer "
			    "counted %s", v->path, v->lf->fields[i].name, s,
			    p->sums[i] ? p->sums[i] : "nothing");
			goto done;
		}
	}
	memcpy(p->sha256, v->sha256, sizeof(p->sha256));
	p->verified = 1;
	rc = 0;
done:
	vf_free(v);
	return rc;
}
