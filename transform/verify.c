#include "bs.h"
#include "verify.h"

#include <pthread.h>

#include "decimal.h"
#include "emit.h"
#include "encode.h"
#include "ofile.h"
#include "sha256.h"
#include "sum.h"

#define CHUNK ((size_t)256 * 1024)
#define SYNC_STEP (16ULL << 20)
#define LINE_CAP ((size_t)256 * 1024 * 1024)

#define NBATCH 4

struct tf_verifier {
	const struct bs_lay_file *lf;
	char *path;		/* final path, for messages */
	struct bs_ofile of;
	int of_open;
	int fd;			/* the temporary, for reading back */
	pthread_t th;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* batches: the caller fills head, the thread writes tail */
	char *buf[NBATCH];
	size_t len[NBATCH];
	int full[NBATCH];
	size_t head, tail;
	int end;		/* no more batches */
	int failed;		/* the thread hit an error (werr) */
	struct bs_err werr;
	unsigned long long written;	/* bytes handed to the file */
	unsigned long long synced;	/* bytes whose writeback was started */
	/* reading back */
	unsigned long long pos;	/* bytes read back */
	struct bs_sha256 h;
	int hashing;
	int last_was_eol;
	char *rbuf;
	struct bs_decoder dec;
	struct bs_buf line;	/* encoded bytes of a physical line */
	struct bs_buf rec;	/* decoded record (may span lines) */
	struct bs_buf fld;	/* one field, unqualified */
	unsigned long long lines, rows;
	struct bs_dec *sum;	/* per field */
	int *summed;
	int breaks;		/* line breaks may sit inside the qualifier */
	int raw;		/* split the encoded bytes, not the decoded text */
	size_t quotes;		/* qualifiers in the record so far */
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

/*
 * A record without qualifiers: find the delimiters eight bytes at a time
 * and add the summed fields.
 */
static int
record_plain(struct tf_verifier *v, const char *s, size_t n, struct bs_err *err)
{
	const uint64_t ones = 0x0101010101010101ULL, low7 = ones * 0x7F;
	const uint64_t vd = ones * (unsigned char)v->lf->delim;
	size_t i, start = 0, nf = 0;
	uint64_t w, m;

	for (i = 0; i < n; i += 8) {
		size_t k = n - i >= 8 ? 8 : n - i;

		w = 0;
		memcpy(&w, s + i, k);
		m = ~((((w ^ vd) & low7) + low7) | (w ^ vd) | low7);
		if (k < 8)
			m &= ((uint64_t)1 << (8 * k)) - 1;
		while (m) {
			size_t at = i + ((size_t)__builtin_ctzll(m) >> 3);

			if (nf < v->lf->nfields && v->summed[nf] &&
			    add(v, nf, s + start, at - start, err) < 0)
				return -1;
			nf++;
			start = at + 1;
			m &= m - 1;
		}
	}
	if (nf < v->lf->nfields && v->summed[nf] &&
	    add(v, nf, s + start, n - start, err) < 0)
		return -1;
	nf++;
	if (nf != v->lf->nfields)
		return bad(v, err, "%zu fields, the layout has %zu", nf,
		    v->lf->nfields);
	v->rows++;
	return 0;
}

/* A complete delimited record, s[0, n) in UTF-8. */
static int
record_delimited(struct tf_verifier *v, const char *s, size_t n,
    struct bs_err *err)
{
	size_t i = 0, nf = 0;
	char d = v->lf->delim, q = v->lf->qualifier;

	if (!q)
		return record_plain(v, s, n, err);

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

/*
 * One record: a physical line without its line end, or, with
 * allow_line_break, lines joined where a line break sits inside the
 * qualifier.
 */
static int
line(struct tf_verifier *v, const char *s, size_t n, struct bs_err *err)
{
	size_t badat;
	int rc;

	v->lines++;
	if (v->lf->form == BS_LAY_FIXED || v->raw) {
		/*
		 * The whole line must decode; the fields are cut in bytes
		 * (fixed widths, or a delimiter that cannot occur inside a
		 * character: a file with a delimiter byte inside a character
		 * then has a field too many, and fails below)
		 */
		if (bs_decode_check(&v->dec, s, n, &badat))
			return bad(v, err, "not %s at byte %zu",
			    bs_enc_name(v->lf->enc), badat + 1);
		if (v->lines == 1 && v->lf->header)
			return 0;
		return v->lf->form == BS_LAY_FIXED ? line_fixed(v, s, n, err) :
		    record_delimited(v, s, n, err);
	}
	if (!bs_ascii(s, n)) {
		bs_buf_reset(&v->rec);
		rc = bs_decode(&v->dec, s, n, &v->rec, &badat, err);
		if (rc)
			return rc < 0 ? -1 : bad(v, err, "not %s at byte %zu",
			    bs_enc_name(v->lf->enc), badat + 1);
		s = v->rec.buf;
		n = v->rec.len;
	}
	/* ASCII is itself in every encoding: no copy */
	if (v->lines == 1 && v->lf->header)
		return 0;
	return record_delimited(v, s, n, err);
}

/* Qualifier bytes in p[0, n). */
static size_t
count_byte(const char *p, size_t n, char q)
{
	const char *e = p + n;
	size_t k = 0;

	while (p < e && (p = memchr(p, q, (size_t)(e - p))) != NULL) {
		k++;
		p++;
	}
	return k;
}

/* Parse the bytes p[0, n) read back at offset v->pos. */
static int
chunk(struct tf_verifier *v, const char *p, size_t n, struct bs_err *err)
{
	const char *eol = v->lf->eol, *end = p + n, *nl;
	size_t eoln = strlen(eol), bomn = 0;
	const char *bom = v->lf->bom ? bs_enc_bom(v->lf->enc, &bomn) : NULL;

	bs_sha256_update(&v->h, p, n);
	if (v->pos == 0 && bom) {
		if (n < bomn || memcmp(p, bom, bomn) != 0)
			return bad(v, err, "no byte order mark");
		p += bomn;
	}
	v->pos += n;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			if (bs_buf_add(&v->line, p, (size_t)(end - p)) < 0)
				return bad(v, err, "longer than %zu bytes", LINE_CAP);
			if (v->breaks)
				v->quotes += count_byte(p, (size_t)(end - p),
				    v->lf->qualifier);
			v->last_was_eol = 0;
			return 0;
		}
		if (v->breaks) {
			/* a line break inside the qualifier is data */
			v->quotes += count_byte(p, (size_t)(nl - p), v->lf->qualifier);
			if (bs_buf_add(&v->line, p, (size_t)(nl - p) + 1) < 0)
				return bad(v, err, "longer than %zu bytes", LINE_CAP);
			p = nl + 1;
			v->last_was_eol = 1;
			if (v->quotes % 2)
				continue;
			v->quotes = 0;
		} else if (!v->line.len) {
			/* a whole line inside the chunk needs no copy */
			size_t k = (size_t)(nl - p) + 1;

			if (k < eoln || memcmp(nl + 1 - eoln, eol, eoln) != 0) {
				v->lines++;
				return bad(v, err, "a line end that is not %s",
				    eoln == 2 ? "CRLF" : "LF");
			}
			if (line(v, p, k - eoln, err) < 0)
				return -1;
			p = nl + 1;
			v->last_was_eol = 1;
			continue;
		} else {
			if (bs_buf_add(&v->line, p, (size_t)(nl - p) + 1) < 0)
				return bad(v, err, "longer than %zu bytes", LINE_CAP);
			p = nl + 1;
			v->last_was_eol = 1;
		}
		/* v->line holds a whole record and its line end */
		if (v->line.len < eoln || memcmp(v->line.buf + v->line.len - eoln, eol,
		    eoln) != 0) {
			v->lines++;
			return bad(v, err, "a line end that is not %s",
			    eoln == 2 ? "CRLF" : "LF");
		}
		if (line(v, v->line.buf, v->line.len - eoln, err) < 0)
			return -1;
		bs_buf_reset(&v->line);
	}
	return 0;
}

/* Read the file back from v->pos up to upto bytes. */
static int
read_back(struct tf_verifier *v, unsigned long long upto, struct bs_err *err)
{
	while (v->pos < upto) {
		size_t want = upto - v->pos > CHUNK ? CHUNK : (size_t)(upto - v->pos);
		ssize_t r = pread(v->fd, v->rbuf, want, (off_t)v->pos);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return bs_err_set(err, BS_EXIT_IOERR, "cannot read back '%s': %s",
			    v->path, r < 0 ? strerror(errno) :
			    "the file is shorter than written");
		if (chunk(v, v->rbuf, (size_t)r, err) < 0)
			return -1;
	}
	return 0;
}

/* The end of the file: what only the end can tell. */
static int
at_end(struct tf_verifier *v, struct bs_err *err)
{
	if (v->line.len) {
		if (v->lf->last_eol) {
			v->lines++;
			return bad(v, err, "the last line has no line end");
		}
		if (line(v, v->line.buf, v->line.len, err) < 0)
			return -1;
		bs_buf_reset(&v->line);
	} else if (!v->lf->last_eol && v->last_was_eol) {
		return bad(v, err, "the file ends with a line end (last_line_end: false)");
	}
	if (v->quotes % 2)
		return bad(v, err, "qualifier not closed at the end of the file");
	return 0;
}

/* The thread: write each batch, then read it back from the file. */
static void *
writer(void *arg)
{
	struct tf_verifier *v = arg;

	for (;;) {
		size_t t;
		int rc;

		pthread_mutex_lock(&v->mu);
		while (!v->full[v->tail] && !v->end)
			pthread_cond_wait(&v->cv, &v->mu);
		t = v->tail;
		if (!v->full[t]) {
			pthread_mutex_unlock(&v->mu);
			break;
		}
		pthread_mutex_unlock(&v->mu);
		rc = bs_ofile_write(&v->of, v->buf[t], v->len[t], &v->werr);
		if (rc == 0)
			rc = read_back(v, v->of.bytes - v->of.len, &v->werr);
		/*
		 * Start writing each 16 MiB out to disk now, so that the fsync
		 * of the commit has little left to wait for.
		 */
		if (rc == 0 && v->pos - v->synced >= SYNC_STEP) {
			sync_file_range(v->of.fd, (off_t)v->synced,
			    (off_t)(v->pos - v->synced), SYNC_FILE_RANGE_WRITE);
			v->synced = v->pos;
		}
		pthread_mutex_lock(&v->mu);
		v->full[t] = 0;
		v->len[t] = 0;
		v->tail = (t + 1) % NBATCH;
		if (rc < 0)
			v->failed = 1;
		pthread_cond_broadcast(&v->cv);
		pthread_mutex_unlock(&v->mu);
		if (rc < 0)
			break;
	}
	return NULL;
}

static void
vf_free(struct tf_verifier *v)
{
	size_t i;

	if (v->of_open)
		bs_ofile_abort(&v->of);
	if (v->hashing)
		bs_sha256_release(&v->h);
	for (i = 0; i < NBATCH; i++)
		free(v->buf[i]);
	free(v->rbuf);
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
tf_sink_open(const char *path, const struct bs_lay_file *lf, const int *summed,
    struct bs_err *err)
{
	struct tf_verifier *v = bs_xcalloc(1, sizeof(*v));
	size_t i;

	v->fd = -1;
	v->lf = lf;
	v->breaks = lf->form == BS_LAY_DELIMITED && lf->qualifier && lf->allow_break;
	/* no qualifier, and the delimiter is no character's later byte */
	v->raw = lf->form == BS_LAY_DELIMITED && !lf->qualifier &&
	    (lf->byte_safe || !bs_enc_trail_byte(lf->enc, (unsigned char)lf->delim));
	v->path = bs_xstrdup(path);
	v->line = (struct bs_buf)BS_BUF_INIT(LINE_CAP);
	v->rec = (struct bs_buf)BS_BUF_INIT(0);
	v->fld = (struct bs_buf)BS_BUF_INIT(0);
	v->sum = bs_xcalloc(lf->nfields + 1, sizeof(*v->sum));
	v->summed = bs_xcalloc(lf->nfields + 1, sizeof(int));
	for (i = 0; i < lf->nfields; i++) {
		v->summed[i] = summed[i];
		v->sum[i].scale = lf->fields[i].kind == BS_LAY_DECIMAL ?
		    lf->fields[i].scale : 0;
	}
	for (i = 0; i < NBATCH; i++)
		v->buf[i] = bs_xmalloc(TF_SINK_BATCH);
	v->rbuf = bs_xmalloc(CHUNK);
	pthread_mutex_init(&v->mu, NULL);
	pthread_cond_init(&v->cv, NULL);
	bs_sha256_init(&v->h);
	v->hashing = 1;
	/* the SHA-256 comes from reading the file back, not from the writes */
	if (bs_ofile_open(&v->of, path, BS_OFILE_EXCL | BS_OFILE_NOHASH, err) < 0) {
		vf_free(v);
		return NULL;
	}
	v->of_open = 1;
	v->fd = open(v->of.tmp, O_RDONLY | O_CLOEXEC);
	if (v->fd < 0) {
		bs_err_set(err, BS_EXIT_IOERR, "cannot read back '%s': %s", v->of.tmp,
		    strerror(errno));
		vf_free(v);
		return NULL;
	}
	if (bs_decoder_open(&v->dec, lf->enc, err) < 0) {
		vf_free(v);
		return NULL;
	}
	if (pthread_create(&v->th, NULL, writer, v) != 0) {
		bs_err_set(err, BS_EXIT_OSERR, "cannot start a thread: %s",
		    strerror(errno));
		vf_free(v);
		return NULL;
	}
	v->started = 1;
	return v;
}

/* Hand the batch being filled to the thread; wait for room. */
static int
publish(struct tf_verifier *v, struct bs_err *err)
{
	pthread_mutex_lock(&v->mu);
	v->full[v->head] = 1;
	pthread_cond_broadcast(&v->cv);
	v->head = (v->head + 1) % NBATCH;
	while (v->full[v->head] && !v->failed)
		pthread_cond_wait(&v->cv, &v->mu);
	pthread_mutex_unlock(&v->mu);
	if (v->failed) {
		*err = v->werr;
		return -1;
	}
	return 0;
}

int
tf_sink_write(struct tf_verifier *v, const void *data, size_t n,
    struct bs_err *err)
{
	const char *p = data;

	v->written += n;
	while (n) {
		size_t h = v->head, k = TF_SINK_BATCH - v->len[h];

		if (k > n)
			k = n;
		memcpy(v->buf[h] + v->len[h], p, k);
		v->len[h] += k;
		p += k;
		n -= k;
		if (v->len[h] == TF_SINK_BATCH && publish(v, err) < 0)
			return -1;
	}
	return 0;
}

/* Stop the thread (the batches written so far stay written). */
static void
stop(struct tf_verifier *v)
{
	pthread_mutex_lock(&v->mu);
	v->end = 1;
	pthread_cond_broadcast(&v->cv);
	pthread_mutex_unlock(&v->mu);
	if (v->started)
		pthread_join(v->th, NULL);
	v->started = 0;
}

void
tf_sink_abort(struct tf_verifier *v)
{
	if (!v)
		return;
	pthread_mutex_lock(&v->mu);
	v->failed = 1;
	pthread_mutex_unlock(&v->mu);
	stop(v);
	vf_free(v);
}

int
tf_sink_close(struct tf_verifier *v, struct tf_part *p, struct bs_err *err)
{
	size_t i;
	int rc = -1;

	if (v->len[v->head] && publish(v, err) < 0)
		goto done;
	stop(v);
	if (v->failed) {
		*err = v->werr;
		goto done;
	}
	v->of_open = 0;
	if (bs_ofile_commit(&v->of, err) < 0)
		goto done;
	/* what the file buffer held until the commit */
	if (read_back(v, v->of.bytes, err) < 0 || at_end(v, err) < 0)
		goto done;
	bs_sha256_final_hex(&v->h, p->sha256);
	v->hashing = 0;
	if (v->of.bytes != v->written || v->pos != v->written) {
		bs_err_set(err, BS_EXIT_SOFTWARE,
		    "'%s': %llu bytes written, %llu in the file, %llu read back",
		    v->path, v->written, v->of.bytes, v->pos);
		goto done;
	}
	p->bytes = v->written;
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
	p->verified = 1;
	rc = 0;
done:
	vf_free(v);
	return rc;
}
