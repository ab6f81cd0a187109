#include "bs.h"
#include "engine.h"

#include <pthread.h>
#include <sys/resource.h>

#include "csv.h"
#include "csvat.h"
#include "rundir.h"
#include "sha256.h"
#include "workbook.h"

/* a NULL among several values: the text the workbook shows for NULL */
#define NULL_TEXT BS_WORKBOOK_NULL_TEXT

/* Payload of a reconciliation group (copied in and out: not aligned). */
struct gpay {
	struct bs_dec sum[2];
	uint64_t cnt[2];
	unsigned char seen[2];
};

/* A set of key tuples of one table, for 'exists' rules. */
struct refset {
	size_t table;
	const size_t *cols;	/* borrowed from the first rule using it */
	size_t ncols;
	struct bs_keyset ks;
	int built;		/* complete */
	int freed;
	size_t first_user, last_user;	/* positions in the order */
	size_t stat;		/* index in st->sets */
};

/*
 * Runtime state of one lookup: its key set, whose payload is the address
 * of the first matching row's kept values in the arena (a run of
 * 4-byte length, UINT32_MAX for NULL, and the bytes with a NUL), or the
 * sums (struct bs_dec and a seen byte per summed column).
 */
#define ARENA_CHUNK ((size_t)1 << 20)

struct lkstate {
	int active;		/* some column of it is used */
	int built;
	struct bs_keyset ks;
	char **chunks;		/* the arena */
	size_t nchunks, used, arena_bytes;
	size_t *kept;		/* columns of the other table kept */
	size_t nkept;
	size_t *pcols;		/* the home table's columns read through it */
	size_t *ppos;		/* and their position in kept (or in sum) */
	size_t npcols;
	char (*txt)[BS_DEC_STR_MAX];	/* sum: the sums as text */
	unsigned char *dep;	/* per lookup: by or where reads it */
	size_t stat;
};

/*
 * Where the keys of a unique rule over a regular file are found again: the
 * set is external (keyset.h), its locations the offsets of the records,
 * which are read again (csvat.h) when a key must be compared.
 */
struct ukeys {
	int fd;			/* our own descriptor of the file */
	const char *name;	/* for messages */
	struct bs_csv_opts opts;	/* those the file is read with */
	const struct bs_rtable *tab;
	const size_t *cols;
	size_t ncols;
	size_t nfields;		/* in every record (the header's) */
};

/* Runtime state of one rule. */
struct rstate {
	long when_twin;		/* an earlier rule of the table with the same
				   when:, whose result serves (-1: none) */
	uint64_t when_row;	/* row (E->rowno) of when_res */
	int when_res;
	struct refset *ref;	/* EXISTS */
	struct bs_keyset ks;	/* UNIQUE: keys seen; RECONCILE: groups */
	struct ukeys *uk;	/* UNIQUE: the keys are external */
	char *columns;		/* names of rule->cols joined by ';' */
	uint64_t rows;		/* ROWS: rows counted */
	int warned;		/* a runtime error was reported */
	size_t stat;		/* UNIQUE/RECONCILE: index in st->sets */
	int have_stat;
};

struct eng {
	struct bs_rules *rs;
	struct vinput *in;
	size_t nin;
	long *input_of;		/* per table */
	int *needed;		/* per table: read it */
	size_t *order, norder;
	size_t *pos;		/* per table: position in order */
	struct refset *refs;
	size_t nrefs;
	struct lkstate *lk;	/* per lookup */
	size_t *lkorder, nlkorder;	/* every active lookup, dependencies first */
	struct rstate *r;	/* per rule */
	vsink_fn sink;
	void *ctx;
	struct engine_stats *st;
	/* per row */
	const char **fields;
	size_t *lens;
	unsigned char *bad;	/* failed a format check */
	int anybad;		/* some bad[] is set (this row) */
	signed char *tvalid;	/* declared type: 0 unknown, 1 fits, -1 not */
	struct bs_row row;
	struct bs_row_cache *rc;	/* the row's typed values */
	uint64_t rowno;		/* rows read so far, all passes */
	struct bs_buf key, vals, enc, tmp, lkey, gtmp;
	struct bs_err e;	/* scratch: never zero-filled per row (2 KiB) */
	int key_done;
	uint64_t recno, line;
	uint64_t offset;	/* byte offset of the record in its file */
	const struct bs_rtable *tab;
};

/* ------------------------------------------------------------ input */

/* CPU seconds used so far by the calling thread. */
static double
thread_cpu(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru) != 0)
		return 0;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	    ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

/*
 * Input is read() into a ring of blocks that the CSV reader parses in place
 * (bs_csv_open_src) while, on the first read of a file, a hashing thread
 * hashes the same blocks: the SHA-256 is of exactly the bytes parsed, and
 * neither thread copies them.  A block is refilled only once the reader has
 * moved past it (asked for the next one) and the hashing thread is done
 * with it.
 */
#define IN_BLOCK ((size_t)256 << 10)
#define IN_NBLOCKS 4

struct insrc {
	int fd;
	int hashing;		/* a hashing thread runs */
	unsigned long long bytes;
	struct bs_sha256 h;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *blk[IN_NBLOCKS];	/* one when not hashing */
	size_t blen[IN_NBLOCKS];
	size_t head, count;	/* blocks still to hash: blk[head..+count) */
	size_t cur;		/* the block the reader holds */
	int eof;
	double cpu;		/* the hashing thread's CPU seconds */
};

static void *
hash_thread(void *arg)
{
	struct insrc *h = arg;

	pthread_mutex_lock(&h->mu);
	for (;;) {
		char *b;
		size_t n;

		while (!h->count && !h->eof)
			pthread_cond_wait(&h->cv, &h->mu);
		if (!h->count) {
			h->cpu = thread_cpu();
			break;
		}
		b = h->blk[h->head];
		n = h->blen[h->head];
		pthread_mutex_unlock(&h->mu);
		bs_sha256_update(&h->h, b, n);
		pthread_mutex_lock(&h->mu);
		h->head = (h->head + 1) % IN_NBLOCKS;
		h->count--;
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

static int
hash_start(struct insrc *h)
{
	bs_sha256_init(&h->h);
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	if (pthread_create(&h->th, NULL, hash_thread, h) != 0) {
		pthread_mutex_destroy(&h->mu);
		pthread_cond_destroy(&h->cv);
		bs_sha256_release(&h->h);
		return -1;
	}
	h->hashing = 1;
	return 0;
}

/* Wait for the hashing thread; hex (if not NULL) receives the digest. */
static void
hash_stop(struct insrc *h, char *hex)
{
	if (!h->hashing)
		return;
	pthread_mutex_lock(&h->mu);
	h->eof = 1;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	pthread_join(h->th, NULL);
	if (hex)
		bs_sha256_final_hex(&h->h, hex);
	else
		bs_sha256_release(&h->h);
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->cv);
	h->hashing = 0;
}

/* bs_csv_src.next: read the next block, hand it to the hashing thread. */
static ssize_t
src_next(void *c, const char **p)
{
	struct insrc *h = c;
	size_t slot = 0;
	ssize_t k;

	if (h->hashing) {
		/* the ring ends at cur: the next slot is free unless it is full */
		slot = (h->cur + 1) % IN_NBLOCKS;
		pthread_mutex_lock(&h->mu);
		while (h->count == IN_NBLOCKS)
			pthread_cond_wait(&h->cv, &h->mu);
		pthread_mutex_unlock(&h->mu);
	}
	do
		k = read(h->fd, h->blk[slot], IN_BLOCK);
	while (k < 0 && errno == EINTR);
	if (k <= 0)
		return k;
	h->bytes += (unsigned long long)k;
	h->cur = slot;
	*p = h->blk[slot];
	if (h->hashing) {
		h->blen[slot] = (size_t)k;
		pthread_mutex_lock(&h->mu);
		h->count++;
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->mu);
	}
	return k;
}

/* Stop hashing (if not done yet), close the file, free the blocks. */
static void
close_input(struct insrc *h)
{
	size_t i;

	hash_stop(h, NULL);
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
	for (i = 0; i < IN_NBLOCKS; i++)
		free(h->blk[i]);
	memset(h->blk, 0, sizeof(h->blk));
}

static int
open_input(struct vinput *in, struct insrc *h, struct bs_err *err)
{
	struct stat st;
	size_t i;

	memset(h, 0, sizeof(*h));
	h->cur = IN_NBLOCKS - 1;	/* the first block read is blk[0] */
	h->fd = open(in->path, O_RDONLY | O_CLOEXEC);
	if (h->fd < 0) {
		bs_err_set(err, errno == ENOENT || errno == EACCES ? BS_EXIT_NOINPUT :
		    BS_EXIT_IOERR, "cannot open '%s': %s", in->path, strerror(errno));
		return -1;
	}
	if (fstat(h->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(h->fd);
		h->fd = -1;
		bs_err_set(err, BS_EXIT_NOINPUT, "cannot read '%s': it is a directory",
		    in->path);
		return -1;
	}
	(void)posix_fadvise(h->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (!in->passes && hash_start(h) < 0) {
		close(h->fd);
		h->fd = -1;
		bs_err_set(err, BS_EXIT_OSERR, "cannot start a thread: %s",
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < (h->hashing ? IN_NBLOCKS : 1); i++)
		h->blk[i] = bs_xmalloc(IN_BLOCK);
	return 0;
}

/* ------------------------------------------------------------ problems */

static const char *
row_key(struct eng *E, size_t *len)
{
	size_t i;

	if (!E->key_done) {
		bs_buf_reset(&E->key);
		for (i = 0; i < E->tab->nkey; i++) {
			size_t c = E->tab->key[i];

			if (i)
				bs_buf_addc(&E->key, '|');
			if (E->fields[c])
				bs_buf_add(&E->key, E->fields[c], E->lens[c]);
		}
		E->key_done = 1;
	}
	*len = E->key.len;
	return bs_buf_str(&E->key);
}

static int
emit(struct eng *E, const struct bs_rule *r, const char *columns,
    const char *values, size_t vlen, struct bs_err *err)
{
	struct vproblem p;

	p.rule = r;
	p.table = E->tab->name;
	p.record = E->recno;
	p.line = E->line;
	p.key = row_key(E, &p.key_len);
	p.columns = columns;
	p.values = values;
	p.values_len = vlen;
	E->st->count[r->seq]++;
	return E->sink(E->ctx, &p, err);
}

/* Problem on the columns of r (values joined). */
static int
emit_cols(struct eng *E, const struct bs_rule *r, const size_t *cols, size_t n,
    const char *columns, struct bs_err *err)
{
	size_t i;

	if (n == 1)
		return emit(E, r, columns, E->fields[cols[0]], E->lens[cols[0]], err);
	bs_buf_reset(&E->vals);
	for (i = 0; i < n; i++) {
		if (i)
			bs_buf_addc(&E->vals, ';');
		if (E->fields[cols[i]])
			bs_buf_add(&E->vals, E->fields[cols[i]], E->lens[cols[i]]);
		else
			bs_buf_adds(&E->vals, NULL_TEXT);
	}
	return emit(E, r, columns, bs_buf_str(&E->vals), E->vals.len, err);
}

static void
rterror(struct eng *E, const struct bs_rule *r, const struct bs_err *e)
{
	E->st->eval_errors[r->seq]++;
	if (!E->r[r->seq].warned) {
		E->r[r->seq].warned = 1;
		bs_warn("%s: record %" PRIu64 " (line %" PRIu64 "): rule %s: %s "
		    "(taken as NULL; summary.json counts every such case)",
		    E->in[E->input_of[r->table]].name, E->recno, E->line, r->id, e->msg);
	}
}

/* ------------------------------------------------------------ row checks */

/* 1 if the value of column c counts as NULL for shorthand checks. */
static int
is_void(struct eng *E, size_t c)
{
	const struct bs_rcol *col;

	if (!E->fields[c] || E->bad[c])
		return 1;
	col = &E->tab->cols[c];
	if (col->nsentinels && bs_rcol_sentinel(col, E->fields[c], E->lens[c]))
		return 1;
	if (col->checked) {
		if (!E->tvalid[c])
			E->tvalid[c] = bs_expr_col_check(&col->type, E->fields[c],
			    E->lens[c], &E->e) == 0 ? 1 : -1;
		return E->tvalid[c] < 0;
	}
	return 0;
}

static int
when_eval(struct eng *E, const struct bs_rule *r, const struct bs_expr *w)
{
	struct rstate *s = &E->r[r->seq];
	int res = -1, rc;

	/* the same condition as an earlier rule's, already evaluated */
	if (w == r->when && s->when_twin >= 0 &&
	    E->r[s->when_twin].when_row == E->rowno)
		return E->r[s->when_twin].when_res == 1;
	rc = bs_expr_eval_bool_cached(w, &E->row, E->rc, &res, &E->e);
	if (rc != 0) {
		rterror(E, r, &E->e);	/* not kept: each rule reports it */
	} else if (w == r->when) {
		s->when_row = E->rowno;
		s->when_res = res;
	}
	return res == 1;
}

/* 1 if rule r applies to the row: its condition w (r->when or a where:) */
static inline int
when_ok(struct eng *E, const struct bs_rule *r, const struct bs_expr *w)
{
	return !w || when_eval(E, r, w);
}

/* Encode the tuple of cols into E->enc; 0, or 1 when a part is void. */
static int
encode(struct eng *E, const size_t *cols, size_t n, const char **k, size_t *kn)
{
	size_t i;

	if (n == 1) {
		if (is_void(E, cols[0]))
			return 1;
		*k = E->fields[cols[0]];
		*kn = E->lens[cols[0]];
		return 0;
	}
	bs_buf_reset(&E->enc);
	for (i = 0; i < n; i++) {
		if (is_void(E, cols[i]))
			return 1;
		bs_keyset_key_part(&E->enc, E->fields[cols[i]], E->lens[cols[i]]);
	}
	*k = E->enc.buf ? E->enc.buf : "";
	*kn = E->enc.len;
	return 0;
}

/* How many rows ahead the unique keys' table slots are prefetched. */
#define PREFETCH_ROWS 8

/* Load the key of a unique rule from the record at offset loc (keyset.h). */
static int
ukeys_load(void *ctx, uint64_t loc, struct bs_buf *key, struct bs_err *err)
{
	struct ukeys *u = ctx;
	struct bs_csvat a;
	size_t i, len;
	const char *v;

	if (bs_csvat_read(&a, u->fd, loc, &u->opts, u->name, err) < 0) {
		bs_csvat_close(&a);
		return -1;
	}
	if (bs_csv_nfields(&a.r) != u->nfields) {
		bs_err_set(err, BS_EXIT_DATAERR, "%s: the record at byte %" PRIu64
		    " has %zu fields when read again, not %zu (did the file change "
		    "while it was read?)", u->name, loc, bs_csv_nfields(&a.r),
		    u->nfields);
		bs_csvat_close(&a);
		return -1;
	}
	for (i = 0; i < u->ncols; i++) {
		v = bs_csv_field(&a.r, (size_t)u->tab->cols[u->cols[i]].field, &len);
		if (u->ncols == 1)
			bs_buf_add(key, v ? v : "", len);
		else
			bs_keyset_key_part(key, v, len);
	}
	bs_csvat_close(&a);
	return 0;
}

/*
 * Make the key set of unique rule r external when its table's file is a
 * regular file and every column of r is one of its fields; otherwise (a
 * pipe, a column read through a lookup) the set keeps the keys itself.
 */
static void
ukeys_setup(struct eng *E, const struct bs_rule *r, int fd, const struct stat *st,
    const struct bs_csv_opts *o, const char *name, size_t nfields)
{
	struct rstate *rs = &E->r[r->seq];
	struct ukeys *u;
	size_t i;

	if (rs->uk || bs_keyset_count(&rs->ks) || st->st_size <= 0 ||
	    !S_ISREG(st->st_mode) || (uint64_t)st->st_size > (UINT64_C(1) << 47))
		return;
	for (i = 0; i < r->ncols; i++)
		if (E->tab->cols[r->cols[i]].lookup >= 0 ||
		    E->tab->cols[r->cols[i]].field < 0)
			return;
	u = bs_xcalloc(1, sizeof(*u));
	u->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (u->fd < 0) {
		free(u);
		return;
	}
	u->name = name;
	u->opts = *o;
	u->tab = E->tab;
	u->cols = r->cols;
	u->ncols = r->ncols;
	u->nfields = nfields;
	bs_keyset_release(&rs->ks);
	bs_keyset_init_external(&rs->ks, (uint64_t)st->st_size, ukeys_load, u);
	rs->uk = u;
}

static void
ukeys_release(struct rstate *rs)
{
	if (rs->uk) {
		close(rs->uk->fd);
		free(rs->uk);
		rs->uk = NULL;
	}
}

static int
check_format(struct eng *E, const struct bs_rule *r, struct bs_err *err)
{
	size_t i;

	if (!when_ok(E, r, r->when))
		return 0;
	for (i = 0; i < r->ncols; i++) {
		size_t c = r->cols[i];
		const struct bs_rcol *col = &E->tab->cols[c];
		const char *v = E->fields[c];
		int ok;

		/* type reports an ill-typed value; for pattern it is NULL */
		if (r->kind == BS_RULE_PATTERN ? is_void(E, c) : !v || E->bad[c] ||
		    (col->nsentinels && bs_rcol_sentinel(col, v, E->lens[c])))
			continue;
		if (r->kind == BS_RULE_TYPE)
			ok = bs_expr_col_check(&r->type, v, E->lens[c], &E->e) == 0;
		else
			ok = bs_rule_match(r, v, E->lens[c]);
		if (!ok) {
			E->bad[c] = 1;
			E->anybad = 1;
			if (emit(E, r, col->name, v, E->lens[c], err) < 0)
				return -1;
		}
	}
	return 0;
}

static int
any_bad(const struct eng *E, const struct bs_rule *r)
{
	size_t i;

	if (!E->anybad)
		return 0;
	for (i = 0; i < r->ncols; i++)
		if (E->bad[r->cols[i]])
			return 1;
	return 0;
}

static int
check_rule(struct eng *E, const struct bs_rule *r, struct bs_err *err)
{
	struct rstate *rs = &E->r[r->seq];
	const char *k;
	size_t kn, i;

	/* a value that failed a format check is not looked at again */
	if ((r->kind == BS_RULE_ASSERT || r->kind == BS_RULE_UNIQUE ||
	    r->kind == BS_RULE_EXISTS) && any_bad(E, r))
		return 0;
	if (!when_ok(E, r, r->when))
		return 0;
	switch (r->kind) {
	case BS_RULE_REQUIRED:
		for (i = 0; i < r->ncols; i++) {
			size_t c = r->cols[i];
			const struct bs_rcol *col = &E->tab->cols[c];

			if (bs_rule_present(E->fields[c], E->lens[c]) ||
			    (col->nsentinels && bs_rcol_sentinel(col, E->fields[c],
				E->lens[c])))
				continue;
			if (emit(E, r, col->name, E->fields[c], E->lens[c], err) < 0)
				return -1;
		}
		return 0;
	case BS_RULE_IN:
		for (i = 0; i < r->ncols; i++) {
			size_t c = r->cols[i];

			if (is_void(E, c) || bs_rule_in(r, E->fields[c], E->lens[c]))
				continue;
			if (emit(E, r, E->tab->cols[c].name, E->fields[c], E->lens[c],
			    err) < 0)
				return -1;
		}
		return 0;
	case BS_RULE_UNIQUE: {
		int added;

		if (encode(E, r->cols, r->ncols, &k, &kn))
			return 0;
		if (rs->uk)
			added = bs_keyset_add_at(&rs->ks, k, kn, E->offset, err);
		else
			bs_keyset_add(&rs->ks, k, kn, &added);
		if (added)
			return added < 0 ? -1 : 0;
		return emit_cols(E, r, r->cols, r->ncols, rs->columns, err);
	}
	case BS_RULE_EXISTS:
		if (encode(E, r->cols, r->ncols, &k, &kn))
			return 0;
		if (bs_keyset_find(&rs->ref->ks, k, kn))
			return 0;
		return emit_cols(E, r, r->cols, r->ncols, rs->columns, err);
	case BS_RULE_ASSERT: {
		int res = -1, rc;

		rc = bs_expr_eval_bool_cached(r->expr, &E->row, E->rc, &res,
		    &E->e);
		if (rc != 0)
			rterror(E, r, &E->e);
		if (res != 0)
			return 0;
		if (!r->ncols)
			return emit(E, r, "", NULL, 0, err);
		return emit_cols(E, r, r->cols, r->ncols, rs->columns, err);
	}
	case BS_RULE_ROWS:
		rs->rows++;
		return 0;
	default:
		return 0;
	}
}

/* ------------------------------------------------------------ reconcile */

static void
reconcile_row(struct eng *E, const struct bs_rule *r, int s)
{
	const struct bs_rside *sd = &r->rec->side[s];
	struct rstate *rs = &E->r[r->seq];
	struct gpay g;
	void *p;
	size_t i;

	if (!when_ok(E, r, s == 0 ? r->when : sd->where))
		return;
	bs_buf_reset(&E->enc);
	for (i = 0; i < sd->ngroup; i++) {
		size_t c = sd->group[i];

		if (sd->group_expr && sd->group_expr[i]) {
			int isnull = 1, rc;

			bs_buf_reset(&E->gtmp);
			rc = bs_expr_eval_text_cached(sd->group_expr[i], &E->row,
			    E->rc, &E->gtmp, &isnull, &E->e);
			if (rc != 0)
				rterror(E, r, &E->e);
			bs_keyset_key_part(&E->enc, isnull || rc < 0 ? NULL :
			    bs_buf_str(&E->gtmp), E->gtmp.len);
			continue;
		}
		bs_keyset_key_part(&E->enc, E->fields[c], E->lens[c]);
	}
	p = bs_keyset_add(&rs->ks, E->enc.buf ? E->enc.buf : "", E->enc.len, NULL);
	memcpy(&g, p, sizeof(g));
	g.seen[s] = 1;
	switch (sd->agg) {
	case BS_AGG_COUNT_ROWS:
		g.cnt[s]++;
		break;
	case BS_AGG_COUNT:
		if (E->fields[sd->count_col])
			g.cnt[s]++;
		break;
	case BS_AGG_SUM: {
		struct bs_dec d;
		int isnull = 1, rc;

		bs_buf_reset(&E->tmp);
		rc = bs_expr_eval_text_cached(sd->value, &E->row, E->rc, &E->tmp,
		    &isnull, &E->e);
		if (rc != 0)
			rterror(E, r, &E->e);
		if (rc >= 0 && !isnull) {
			if (bs_dec_parse(E->tmp.buf, E->tmp.len, 0, &d, &E->e) < 0 ||
			    bs_dec_add(&g.sum[s], &d, &g.sum[s], &E->e) < 0)
				rterror(E, r, &E->e);
		}
		break;
	}
	}
	memcpy(p, &g, sizeof(g));
}

static void
add_group_key(struct bs_buf *b, const void *k, size_t n)
{
	size_t pos = 0, len;
	const char *s;
	int first = 1;

	while (bs_keyset_key_next(k, n, &pos, &s, &len)) {
		if (!first)
			bs_buf_addc(b, '|');
		first = 0;
		if (s)
			bs_buf_add(b, s, len);
	}
}

static int
reconcile_finish(struct eng *E, const struct bs_rule *r, struct bs_err *err)
{
	const struct bs_reconcile *rc = r->rec;
	struct rstate *rs = &E->r[r->seq];
	size_t it = 0, n;
	const void *k;
	void *p;
	char cols[1024];
	int scale[2] = { 0, 0 }, dscale;

	snprintf(cols, sizeof(cols), "%s;%s;difference", rc->side[0].label,
	    rc->side[1].label);
	/* each side's figures with one number of decimals, counts with none */
	while (bs_keyset_next(&rs->ks, &it, &k, &n, &p)) {
		struct gpay g;
		int s;

		memcpy(&g, p, sizeof(g));
		for (s = 0; s < 2; s++)
			if (rc->side[s].agg == BS_AGG_SUM && g.sum[s].scale > scale[s])
				scale[s] = g.sum[s].scale;
	}
	dscale = scale[0] > scale[1] ? scale[0] : scale[1];
	it = 0;
	while (bs_keyset_next(&rs->ks, &it, &k, &n, &p)) {
		struct bs_dec f[2], diff, neg;
		struct gpay g;
		struct vproblem pr;
		char a[BS_DEC_STR_MAX], b[BS_DEC_STR_MAX], d[BS_DEC_STR_MAX];
		int s, ok;

		memcpy(&g, p, sizeof(g));
		if ((rc->groups == BS_GROUPS_MATCHED && !(g.seen[0] && g.seen[1])) ||
		    (rc->groups == BS_GROUPS_THIS && !g.seen[0]) ||
		    (rc->groups == BS_GROUPS_OTHER && !g.seen[1]))
			continue;
		for (s = 0; s < 2; s++) {
			if (rc->side[s].agg == BS_AGG_SUM)
				f[s] = g.sum[s];
			else
				bs_dec_from_int((int64_t)g.cnt[s], &f[s]);
		}
		if (bs_dec_sub(&f[0], &f[1], &diff, &E->e) < 0) {
			rterror(E, r, &E->e);
			continue;
		}
		bs_dec_neg(&diff, &neg);
		switch (rc->cmp) {
		case BS_CMP_LE:
			ok = bs_dec_cmp(&diff, &rc->tolerance) <= 0;
			break;
		case BS_CMP_GE:
			ok = bs_dec_cmp(&neg, &rc->tolerance) <= 0;
			break;
		default:
			bs_dec_abs(&diff, &neg);
			ok = bs_dec_cmp(&neg, &rc->tolerance) <= 0;
			break;
		}
		if (ok)
			continue;
		bs_dec_str(&f[0], scale[0], a);
		bs_dec_str(&f[1], scale[1], b);
		bs_dec_str(&diff, dscale, d);
		bs_buf_reset(&E->key);
		add_group_key(&E->key, k, n);
		bs_buf_reset(&E->vals);
		bs_buf_addf(&E->vals, "%s;%s;%s", a, b, d);
		memset(&pr, 0, sizeof(pr));
		pr.rule = r;
		pr.table = E->rs->tables[r->table].name;
		pr.key = bs_buf_str(&E->key);
		pr.key_len = E->key.len;
		pr.columns = cols;
		pr.values = bs_buf_str(&E->vals);
		pr.values_len = E->vals.len;
		E->st->count[r->seq]++;
		if (E->sink(E->ctx, &pr, err) < 0)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ lookups */

/*
 * The key of lookup li for the current row of its home table into
 * E->lkey: 0, or 1 when a part is NULL (no row can match).
 */
static int
lookup_key(struct eng *E, size_t li)
{
	const struct bs_rlookup *lk = &E->rs->lookups[li];
	size_t j, c;

	bs_buf_reset(&E->lkey);
	for (j = 0; j < lk->nkey; j++) {
		int isnull = 1, rc;

		if (bs_expr_is_column(lk->by[j], &c)) {
			if (!E->fields[c])
				return 1;
			bs_keyset_key_part(&E->lkey, E->fields[c], E->lens[c]);
			continue;
		}
		bs_buf_reset(&E->gtmp);
		rc = bs_expr_eval_text_cached(lk->by[j], &E->row, E->rc, &E->gtmp,
		    &isnull, &E->e);
		if (rc < 0 || isnull)
			return 1;
		bs_keyset_key_part(&E->lkey, bs_buf_str(&E->gtmp), E->gtmp.len);
	}
	return 0;
}

/* Set the columns read through lookup li for the current row. */
static void
lookup_fill(struct eng *E, size_t li)
{
	struct lkstate *L = &E->lk[li];
	const struct bs_rlookup *lk = &E->rs->lookups[li];
	const unsigned char *p = NULL;
	size_t i;

	if (lookup_key(E, li) == 0)
		p = bs_keyset_find(&L->ks, E->lkey.buf ? E->lkey.buf : "", E->lkey.len);
	if (!p) {
		for (i = 0; i < L->npcols; i++)
			E->fields[L->pcols[i]] = NULL;
		return;
	}
	if (lk->is_sum) {
		for (i = 0; i < L->npcols; i++) {
			struct bs_dec d;
			size_t k = L->ppos[i], c = L->pcols[i];

			memcpy(&d, p + k * sizeof(d), sizeof(d));
			if (!p[lk->nsum * sizeof(d) + k]) {
				E->fields[c] = NULL;
				continue;
			}
			E->lens[c] = bs_dec_str(&d, d.scale, L->txt[k]);
			E->fields[c] = L->txt[k];
		}
		return;
	}
	{
		const char *rec;
		size_t k = 0, want;

		memcpy(&rec, p, sizeof(rec));
		for (want = 0; want < L->nkept; want++) {
			uint32_t n;

			memcpy(&n, rec, sizeof(n));
			rec += sizeof(n);
			for (i = 0; i < L->npcols; i++)
				if (L->ppos[i] == want) {
					E->fields[L->pcols[i]] = n == UINT32_MAX ? NULL : rec;
					E->lens[L->pcols[i]] = n == UINT32_MAX ? 0 : n;
				}
			if (n != UINT32_MAX)
				rec += n + 1;
			k++;
		}
	}
}

/* Room for n bytes in lookup L's arena. */
static char *
arena_take(struct lkstate *L, size_t n)
{
	char *p;

	if (!L->nchunks || L->used + n > ARENA_CHUNK) {
		size_t sz = n > ARENA_CHUNK ? n : ARENA_CHUNK;

		L->chunks = bs_xreallocarray(L->chunks, L->nchunks + 1, sizeof(char *));
		L->chunks[L->nchunks++] = bs_xmalloc(sz);
		L->arena_bytes += sz;
		L->used = 0;
	}
	p = L->chunks[L->nchunks - 1] + L->used;
	L->used += n;
	return p;
}

/* Add the current row of lookup li's table to it. */
static void
lookup_collect(struct eng *E, size_t li)
{
	struct lkstate *L = &E->lk[li];
	const struct bs_rlookup *lk = &E->rs->lookups[li];
	unsigned char *p;
	size_t j, need;
	int added;

	if (lk->where) {
		int res = -1;

		(void)bs_expr_eval_bool_cached(lk->where, &E->row, E->rc, &res,
		    &E->e);
		if (res != 1)
			return;
	}
	bs_buf_reset(&E->lkey);
	for (j = 0; j < lk->nkey; j++) {
		size_t c = lk->key[j];

		if (!E->fields[c])
			return;
		bs_keyset_key_part(&E->lkey, E->fields[c], E->lens[c]);
	}
	p = bs_keyset_add(&L->ks, E->lkey.buf ? E->lkey.buf : "", E->lkey.len, &added);
	if (lk->is_sum) {
		for (j = 0; j < lk->nsum; j++) {
			size_t c = lk->sum[j];
			struct bs_dec d, v;

			if (!E->fields[c] || bs_dec_parse(E->fields[c], E->lens[c], 0, &v,
			    NULL) < 0)
				continue;
			memcpy(&d, p + j * sizeof(d), sizeof(d));
			if (!p[lk->nsum * sizeof(d) + j])
				memset(&d, 0, sizeof(d));
			if (bs_dec_add(&d, &v, &d, NULL) < 0)
				continue;
			memcpy(p + j * sizeof(d), &d, sizeof(d));
			p[lk->nsum * sizeof(d) + j] = 1;
		}
		return;
	}
	if (!added)
		return;		/* the first row with a key counts */
	need = 0;
	for (j = 0; j < L->nkept; j++) {
		size_t c = L->kept[j];

		need += sizeof(uint32_t) + (E->fields[c] ? E->lens[c] + 1 : 0);
	}
	{
		char *rec = arena_take(L, need), *q = rec;

		for (j = 0; j < L->nkept; j++) {
			size_t c = L->kept[j];
			uint32_t n = E->fields[c] ? (uint32_t)E->lens[c] : UINT32_MAX;

			memcpy(q, &n, sizeof(n));
			q += sizeof(n);
			if (E->fields[c]) {
				memcpy(q, E->fields[c], E->lens[c]);
				q[E->lens[c]] = '\0';
				q += E->lens[c] + 1;
			}
		}
		memcpy(p, &rec, sizeof(rec));
	}
}

/* ------------------------------------------------------------ stats */

static size_t
stat_add(struct engine_stats *st, char *what)
{
	struct vset_stat *s;

	BS_ALLOC_GROW(st->sets, st->nsets + 1, st->asets);
	s = &st->sets[st->nsets];
	memset(s, 0, sizeof(*s));
	s->what = what;
	return st->nsets++;
}

static void
stat_update(struct engine_stats *st, size_t i, const struct bs_keyset *ks)
{
	if (bs_keyset_count(ks) > st->sets[i].entries)
		st->sets[i].entries = bs_keyset_count(ks);
	if (bs_keyset_bytes(ks) > st->sets[i].bytes)
		st->sets[i].bytes = bs_keyset_bytes(ks);
}

static void
note_memory(struct eng *E)
{
	size_t i, total = 0;

	for (i = 0; i < E->nrefs; i++)
		if (!E->refs[i].freed) {
			stat_update(E->st, E->refs[i].stat, &E->refs[i].ks);
			total += bs_keyset_bytes(&E->refs[i].ks);
		}
	for (i = 0; i < E->rs->nrules; i++)
		if (E->r[i].have_stat) {
			stat_update(E->st, E->r[i].stat, &E->r[i].ks);
			total += bs_keyset_bytes(&E->r[i].ks);
		}
	for (i = 0; i < E->rs->nlookups; i++)
		if (E->lk[i].built) {
			struct vset_stat *vs = &E->st->sets[E->lk[i].stat];
			size_t b = bs_keyset_bytes(&E->lk[i].ks) + E->lk[i].arena_bytes;

			if (bs_keyset_count(&E->lk[i].ks) > vs->entries)
				vs->entries = bs_keyset_count(&E->lk[i].ks);
			if (b > vs->bytes)
				vs->bytes = b;
			total += b;
		}
	if (total > E->st->sets_bytes_peak)
		E->st->sets_bytes_peak = total;
}

/* ------------------------------------------------------------ passes */

/*
 * The reader thread parses the CSV (while the hashing thread hashes it)
 * into batches of records: each record's field bytes, and the offsets of
 * the table's known columns in them; the calling thread applies the rules.
 * Four batches circulate between a free and a full queue.  1024 records a
 * batch keep the offset tables (records x columns) small; handing over a
 * batch costs little.
 */
#define BATCH_RECORDS 1024
#define BATCH_BYTES ((size_t)4 << 20)
#define NBATCH 4

struct batch {
	size_t n;		/* records */
	uint64_t recno[BATCH_RECORDS], line[BATCH_RECORDS];
	uint64_t offset[BATCH_RECORDS];	/* of the record in the file */
	size_t *off;		/* BATCH_RECORDS * ncols; SIZE_MAX: NULL */
	size_t *len;
	struct bs_buf data;	/* field bytes, each NUL-terminated */
	int last;		/* no batch follows */
	int failed;		/* the reader failed after these records */
	struct bs_err err;
};

struct feeder {
	struct bs_csv_reader *rd;
	const struct bs_rtable *tab;
	size_t ncols, nh;
	size_t *used, nused;	/* the columns some check of this pass reads */
	size_t *fld;		/* nused: their fields in the file */
	struct batch b[NBATCH];
	struct batch *freeq[NBATCH], *fullq[NBATCH];
	size_t nfree, nfull, ffree, ffull;	/* counts and heads */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;		/* the consumer gave up */
	double cpu;		/* the reader thread's CPU seconds */
};


/*
 * Take a batch from queue q.  stopable: the reader, which gives up (NULL)
 * when told to stop, and which, finding no free batch, waits until half of
 * them are free.  It is faster than the checking thread: woken for every
 * batch freed, it would resume two thousand times on the bench file, its
 * caches cold each time (another core, or after the hashing thread); in
 * bursts of two batches its CPU time is lower and steadier.
 */
static struct batch *
q_take(struct feeder *F, struct batch **q, size_t *cnt, size_t *head, int stopable)
{
	struct batch *b = NULL;

	pthread_mutex_lock(&F->mu);
	if (stopable && !*cnt)
		while (*cnt < NBATCH / 2 && !F->stop)
			pthread_cond_wait(&F->cv, &F->mu);
	while (!*cnt && !(stopable && F->stop))
		pthread_cond_wait(&F->cv, &F->mu);
	if (*cnt && !(stopable && F->stop)) {
		b = q[*head];
		*head = (*head + 1) % NBATCH;
		(*cnt)--;
	}
	pthread_mutex_unlock(&F->mu);
	return b;
}

static void
q_put(struct feeder *F, struct batch **q, size_t *cnt, size_t *head,
    struct batch *b)
{
	pthread_mutex_lock(&F->mu);
	q[(*head + *cnt) % NBATCH] = b;
	(*cnt)++;
	pthread_cond_broadcast(&F->cv);
	pthread_mutex_unlock(&F->mu);
}

static void *
feed_thread(void *arg)
{
	struct feeder *F = arg;
	int done = 0;

	while (!done) {
		struct batch *b = q_take(F, F->freeq, &F->nfree, &F->ffree, 1);

		if (!b)
			break;		/* stopped */
		b->n = 0;
		b->last = b->failed = 0;
		bs_buf_reset(&b->data);
		while (b->n < BATCH_RECORDS && b->data.len < BATCH_BYTES) {
			int k = bs_csv_next(F->rd, &b->err);
			const struct bs_csv_span *sp;
			const char *blk;
			size_t nf, i, *off, *len, blen, base;

			if (k <= 0) {
				b->failed = k < 0;
				done = b->last = 1;
				break;
			}
			nf = bs_csv_nfields(F->rd);
			if (nf != F->nh) {
				bs_csv_error(F->rd, &b->err, BS_EXIT_DATAERR,
				    "%zu field%s, the header has %zu", nf, nf == 1 ? "" : "s",
				    F->nh);
				b->failed = done = b->last = 1;
				break;
			}
			/*
			 * The record's block at once (one memcpy, not one per
			 * field): its fields keep their offsets, plus base.
			 */
			sp = bs_csv_record(F->rd, &blk, &blen);
			if (bs_buf_grow(&b->data, blen) < 0) {
				bs_err_set(&b->err, BS_EXIT_DATAERR, "%s: record %" PRIu64
				    ": batch too large", bs_csv_name(F->rd), bs_csv_recno(F->rd));
				b->failed = done = b->last = 1;
				break;
			}
			base = b->data.len;
			memcpy(b->data.buf + base, blk, blen);
			b->data.len += blen;
			b->data.buf[b->data.len] = '\0';
			off = b->off + b->n * F->ncols;
			len = b->len + b->n * F->ncols;
			for (i = 0; i < F->nused; i++) {
				size_t c = F->used[i], fi = F->fld[i];

				if (fi >= nf || sp[fi].off == BS_CSV_NULL_OFF) {
					off[c] = SIZE_MAX;
					len[c] = 0;
				} else {
					off[c] = base + sp[fi].off;
					len[c] = sp[fi].len;
				}
			}
			if (b->failed)
				break;
			b->recno[b->n] = bs_csv_recno(F->rd);
			b->line[b->n] = bs_csv_line(F->rd);
			b->offset[b->n] = bs_csv_offset(F->rd);
			b->n++;
		}
		if (done)
			F->cpu = thread_cpu();
		q_put(F, F->fullq, &F->nfull, &F->ffull, b);
	}
	return NULL;
}

static void
mark(unsigned char *used, const size_t *cols, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		used[cols[i]] = 1;
}

static void
mark_expr(unsigned char *used, const struct bs_expr *e)
{
	const size_t *cols;
	size_t n;

	if (!e)
		return;
	n = bs_expr_columns(e, &cols);
	mark(used, cols, n);
}

static void
mark_rule(unsigned char *used, const struct bs_rule *r)
{
	mark(used, r->cols, r->ncols);
	mark_expr(used, r->when);
	mark_expr(used, r->expr);
}

/*
 * Estimate the number of records from the first batch and the file size,
 * taking the columns not copied to be as wide as those that were.
 */
static size_t
estimate_rows(const struct batch *b, const struct feeder *F, off_t size)
{
	size_t i, j, bytes = 0;

	if (!b->n || size <= 0 || !F->nused)
		return 0;
	for (j = 0; j < b->n; j++)
		for (i = 0; i < F->nused; i++)
			bytes += b->len[j * F->ncols + F->used[i]];
	bytes = bytes / F->nused * F->nh + b->n * F->nh;
	return (size_t)((double)size / ((double)bytes / (double)b->n) * 1.05);
}

/*
 * Read table ti once.  main: apply its rules and feed the reconciliations;
 * always: collect the key sets listed in collect[].
 */
static int
pass(struct eng *E, size_t ti, int main_pass, struct refset **collect,
    size_t ncollect, const size_t *fill, size_t nfill, const size_t *build,
    size_t nbuild, struct bs_err *err)
{
	struct bs_rules *rs = E->rs;
	const struct bs_rtable *tab = &rs->tables[ti];
	struct vinput *in = &E->in[E->input_of[ti]];
	struct bs_csv_opts o = BS_CSV_OPTS_INIT;
	struct bs_csv_reader rd;
	struct insrc hc;
	struct bs_csv_src src = { src_next, &hc };
	int opened = 0;
	struct feeder *F = NULL;
	const struct bs_rule **fmt = NULL, **rest = NULL, **recs = NULL;
	const struct bs_rule *uniq[8];	/* one-column unique rules, to prefetch */
	size_t nuniq = 0;
	int *rec_side = NULL;
	size_t nfmt = 0, nrest = 0, nrecs = 0, i, j, nc = tab->ncols;
	struct bs_progress prog;
	double t0 = bs_now_mono(), cpu0 = thread_cpu();
	uint64_t rows = 0;
	pthread_t th;
	int started = 0, rc = -1, reserved = 0;
	struct stat st;
	unsigned char *used = NULL;

	memset(&rd, 0, sizeof(rd));
	fmt = bs_xcalloc(rs->nrules + 1, sizeof(*fmt));
	rest = bs_xcalloc(rs->nrules + 1, sizeof(*rest));
	recs = bs_xcalloc(2 * rs->nrules + 1, sizeof(*recs));
	rec_side = bs_xcalloc(2 * rs->nrules + 1, sizeof(*rec_side));
	for (i = 0; i < rs->nrules && main_pass; i++) {
		const struct bs_rule *r = &rs->rules[i];

		if (r->kind == BS_RULE_RECONCILE) {
			int s;

			for (s = 0; s < 2; s++)
				if (r->rec->side[s].table == ti) {
					recs[nrecs] = r;
					rec_side[nrecs++] = s;
				}
			continue;
		}
		if (r->table != ti)
			continue;
		if (r->kind == BS_RULE_TYPE || r->kind == BS_RULE_PATTERN)
			fmt[nfmt++] = r;
		else
			rest[nrest++] = r;
	}
	used = bs_xcalloc(nc ? nc : 1, 1);
	for (i = 0; i < ncollect; i++)
		mark(used, collect[i]->cols, collect[i]->ncols);
	if (main_pass) {
		mark(used, tab->key, tab->nkey);
		for (i = 0; i < nfmt; i++)
			mark_rule(used, fmt[i]);
		for (i = 0; i < nrest; i++)
			mark_rule(used, rest[i]);
		for (i = 0; i < nrecs; i++) {
			const struct bs_rside *sd = &recs[i]->rec->side[rec_side[i]];

			for (j = 0; j < sd->ngroup; j++) {
				if (sd->group[j] != SIZE_MAX)
					used[sd->group[j]] = 1;
				if (sd->group_expr)
					mark_expr(used, sd->group_expr[j]);
			}
			if (sd->agg == BS_AGG_COUNT)
				mark(used, &sd->count_col, 1);
			mark_expr(used, sd->value);
			mark_expr(used, rec_side[i] == 0 ? recs[i]->when : sd->where);
		}
	}
	for (i = 0; i < nfill; i++) {
		const struct bs_rlookup *lk = &rs->lookups[fill[i]];

		for (j = 0; j < lk->nkey; j++)
			mark_expr(used, lk->by[j]);
	}
	for (i = 0; i < nbuild; i++) {
		const struct bs_rlookup *lk = &rs->lookups[build[i]];

		mark(used, lk->key, lk->nkey);
		mark(used, lk->sum, lk->nsum);
		mark(used, E->lk[build[i]].kept, E->lk[build[i]].nkept);
		mark_expr(used, lk->where);
	}
	if (open_input(in, &hc, err) < 0)
		goto done;
	opened = 1;
	if (bs_csv_open_src(&rd, &src, in->name, &o, err) < 0)
		goto done;
	if (fstat(hc.fd, &st) != 0)
		memset(&st, 0, sizeof(st));
	F = bs_xcalloc(1, sizeof(*F));
	F->rd = &rd;
	F->tab = tab;
	F->ncols = nc;
	F->nh = bs_csv_header_count(&rd);
	pthread_mutex_init(&F->mu, NULL);
	pthread_cond_init(&F->cv, NULL);
	F->used = bs_xcalloc(nc ? nc : 1, sizeof(size_t));
	F->fld = bs_xcalloc(nc ? nc : 1, sizeof(size_t));
	for (i = 0; i < nc; i++)
		if (used[i] && tab->cols[i].lookup < 0) {
			F->fld[F->nused] = (size_t)tab->cols[i].field;
			F->used[F->nused++] = i;
		}
	for (i = 0; i < NBATCH; i++) {
		F->b[i].off = bs_xmalloc(BATCH_RECORDS * (nc ? nc : 1) * sizeof(size_t));
		F->b[i].len = bs_xcalloc(BATCH_RECORDS * (nc ? nc : 1), sizeof(size_t));
		for (j = 0; j < BATCH_RECORDS * nc; j++)
			F->b[i].off[j] = SIZE_MAX;	/* unused columns stay NULL */
		F->b[i].data = (struct bs_buf)BS_BUF_INIT(BATCH_BYTES + 2 * BS_CSV_MAX_RECORD);
		F->freeq[i] = &F->b[i];
	}
	F->nfree = NBATCH;
	if (pthread_create(&th, NULL, feed_thread, F) != 0) {
		bs_err_set(err, BS_EXIT_OSERR, "cannot start a thread: %s",
		    strerror(errno));
		goto done;
	}
	started = 1;
	E->tab = tab;
	E->row.n = nc;
	for (i = 0; i < nrest && main_pass; i++)
		if (rest[i]->kind == BS_RULE_UNIQUE) {
			ukeys_setup(E, rest[i], hc.fd, &st, &o, in->name, F->nh);
			/* a column read from the file (not through a lookup) */
			if (rest[i]->ncols == 1 && nuniq < sizeof(uniq) / sizeof(uniq[0]) &&
			    tab->cols[rest[i]->cols[0]].lookup < 0 &&
			    tab->cols[rest[i]->cols[0]].field >= 0)
				uniq[nuniq++] = rest[i];
		}
	bs_progress_init(&prog, in->name);
	for (;;) {
		struct batch *b = q_take(F, F->fullq, &F->nfull, &F->ffull, 0);
		int last = b->last, failed = b->failed, bad = 0;

		if (!reserved && main_pass) {
			size_t est = estimate_rows(b, F, st.st_size);

			reserved = 1;
			for (i = 0; i < nrest && est; i++)
				if (rest[i]->kind == BS_RULE_UNIQUE)
					bs_keyset_reserve(&E->r[rest[i]->seq].ks, est);
			for (i = 0; i < ncollect && est; i++)
				bs_keyset_reserve(&collect[i]->ks, est);
		}
		for (j = 0; j < b->n; j++) {
			const size_t *off = b->off + j * nc, *len = b->len + j * nc;

			/* unique keys of a later row: their table slots are
			 * likely far out of cache; start loading them now */
			if (j + PREFETCH_ROWS < b->n)
				for (i = 0; i < nuniq; i++) {
					size_t c = b->off[(j + PREFETCH_ROWS) * nc + uniq[i]->cols[0]];

					if (c != SIZE_MAX)
						bs_keyset_prefetch(&E->r[uniq[i]->seq].ks,
						    b->data.buf + c,
						    b->len[(j + PREFETCH_ROWS) * nc + uniq[i]->cols[0]]);
				}
			rows++;
			E->recno = b->recno[j];
			E->line = b->line[j];
			E->offset = b->offset[j];
			E->key_done = 0;
			for (i = 0; i < nc; i++) {
				E->fields[i] = off[i] == SIZE_MAX ? NULL : b->data.buf + off[i];
				E->lens[i] = len[i];
			}
			memset(E->bad, 0, nc);
			E->anybad = 0;
			memset(E->tvalid, 0, nc);
			bs_row_cache_clear(E->rc);
			E->rowno++;
			for (i = 0; i < nfill; i++)
				lookup_fill(E, fill[i]);
			if (nfill)	/* columns read through lookups are set */
				bs_row_cache_clear(E->rc);
			for (i = 0; i < nbuild; i++)
				lookup_collect(E, build[i]);
			for (i = 0; i < nfmt && !bad; i++)
				bad = check_format(E, fmt[i], err) < 0;
			for (i = 0; i < nrest && !bad; i++)
				bad = check_rule(E, rest[i], err) < 0;
			if (bad)
				break;
			if (ncollect)
				memset(E->bad, 0, nc);
			for (i = 0; i < ncollect; i++) {
				const char *key;
				size_t kn;

				if (encode(E, collect[i]->cols, collect[i]->ncols, &key, &kn) == 0)
					bs_keyset_add(&collect[i]->ks, key, kn, NULL);
			}
			for (i = 0; i < nrecs; i++)
				reconcile_row(E, recs[i], rec_side[i]);
		}
		if (failed && !bad)
			*err = b->err;
		q_put(F, F->freeq, &F->nfree, &F->ffree, b);
		bs_progress_update(&prog, rows);
		if (bad)
			goto fail;
		if (failed) {
			bs_progress_done(&prog);
			goto done;
		}
		if (last)
			break;
		if (bs_interrupted) {
			bs_err_set(err, BS_EXIT_TEMPFAIL, "interrupted");
			goto fail;
		}
	}
	bs_progress_done(&prog);
	pthread_join(th, NULL);
	started = 0;
	bs_debug("%s: %.2f s: CPU %.2f s reading, %.2f s checking%s", in->name,
	    bs_now_mono() - t0, F->cpu, thread_cpu() - cpu0,
	    main_pass ? "" : nbuild ? " (a lookup)" : " (keys only)");
	for (i = 0; i < ncollect; i++)
		collect[i]->built = 1;
	for (i = 0; i < nbuild; i++)
		E->lk[build[i]].built = 1;
	if (!in->passes) {
		in->rows = rows;
		in->bytes = hc.bytes;
		hash_stop(&hc, in->sha256);
		bs_debug("%s: CPU %.2f s hashing", in->name, hc.cpu);
		if (in->expect_sha[0] && strcmp(in->expect_sha, in->sha256) != 0) {
			bs_err_set(err, BS_EXIT_DATAERR,
			    "%s: SHA-256 %.16s… differs from %.16s… in the extract "
			    "manifest: the file changed after it was extracted", in->name,
			    in->sha256, in->expect_sha);
			goto done;
		}
	}
	in->passes++;
	in->seconds += bs_now_mono() - t0;
	if (main_pass) {
		E->recno = E->line = 0;
		for (i = 0; i < rs->nrules; i++) {
			const struct bs_rule *r = &rs->rules[i];
			struct rstate *rst = &E->r[i];
			struct vproblem p;
			char v[32];
			int64_t n = (int64_t)(r->when ? rst->rows : rows);

			if (r->table != ti || r->kind != BS_RULE_ROWS ||
			    ((r->rows_min < 0 || n >= r->rows_min) &&
			    (r->rows_max < 0 || n <= r->rows_max)))
				continue;
			snprintf(v, sizeof(v), "%" PRId64, n);
			memset(&p, 0, sizeof(p));
			p.rule = r;
			p.table = tab->name;
			p.key = "";
			p.columns = "";
			p.values = v;
			p.values_len = strlen(v);
			E->st->count[i]++;
			if (E->sink(E->ctx, &p, err) < 0)
				goto done;
		}
		E->st->rows_total += rows;
	}
	rc = 0;
	goto done;
fail:
	/* stop the reader: it may wait for a free batch or fill one */
	pthread_mutex_lock(&F->mu);
	F->stop = 1;
	pthread_cond_broadcast(&F->cv);
	pthread_mutex_unlock(&F->mu);
	bs_progress_done(&prog);
done:
	if (started) {
		/* drain until the reader has finished its current batch */
		for (;;) {
			struct batch *b;

			pthread_mutex_lock(&F->mu);
			F->stop = 1;
			pthread_cond_broadcast(&F->cv);
			pthread_mutex_unlock(&F->mu);
			pthread_mutex_lock(&F->mu);
			if (F->nfree + F->nfull == NBATCH) {
				pthread_mutex_unlock(&F->mu);
				break;
			}
			pthread_mutex_unlock(&F->mu);
			b = q_take(F, F->fullq, &F->nfull, &F->ffull, 0);
			q_put(F, F->freeq, &F->nfree, &F->ffree, b);
		}
		pthread_join(th, NULL);
	}
	if (F) {
		for (i = 0; i < NBATCH; i++) {
			free(F->b[i].off);
			free(F->b[i].len);
			bs_buf_release(&F->b[i].data);
		}
		free(F->used);
		free(F->fld);
		pthread_mutex_destroy(&F->mu);
		pthread_cond_destroy(&F->cv);
		free(F);
	}
	bs_csv_close(&rd);
	if (opened)
		close_input(&hc);
	free(fmt);
	free(rest);
	free(recs);
	free(rec_side);
	free(used);
	return rc;
}

/* ------------------------------------------------------------ plan */

static char *
join_cols(const struct bs_rtable *t, const size_t *cols, size_t n)
{
	struct bs_buf b = BS_BUF_INIT(0);
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			bs_buf_addc(&b, ';');
		bs_buf_adds(&b, t->cols[cols[i]].name);
	}
	return b.buf ? bs_buf_detach(&b, NULL) : bs_xstrdup("");
}

static struct refset *
refset_for(struct eng *E, const struct bs_rule *r)
{
	size_t i;
	struct refset *s;

	for (i = 0; i < E->nrefs; i++) {
		s = &E->refs[i];
		if (s->table == r->ref_table && s->ncols == r->ncols &&
		    !memcmp(s->cols, r->ref_cols, r->ncols * sizeof(size_t)))
			return s;
	}
	return NULL;
}

/* Order the tables: referenced before referencing where possible. */
static void
plan_order(struct eng *E)
{
	struct bs_rules *rs = E->rs;
	size_t nt = rs->ntables, i, p;
	size_t *indeg = bs_xcalloc(nt, sizeof(size_t));
	int *done = bs_xcalloc(nt, sizeof(int));

	for (i = 0; i < rs->nrules; i++) {
		const struct bs_rule *r = &rs->rules[i];

		if (r->kind == BS_RULE_EXISTS && r->ref_table != r->table)
			indeg[r->table]++;
	}
	E->order = bs_xcalloc(nt, sizeof(size_t));
	E->pos = bs_xcalloc(nt, sizeof(size_t));
	for (p = 0; p < nt; p++) {
		size_t pick = SIZE_MAX;

		for (i = 0; i < nt && pick == SIZE_MAX; i++)
			if (E->needed[i] && !done[i] && indeg[i] == 0)
				pick = i;
		for (i = 0; i < nt && pick == SIZE_MAX; i++)
			if (E->needed[i] && !done[i])
				pick = i;	/* a cycle: take the first */
		if (pick == SIZE_MAX)
			break;
		done[pick] = 1;
		E->pos[pick] = E->norder;
		E->order[E->norder++] = pick;
		for (i = 0; i < rs->nrules; i++) {
			const struct bs_rule *r = &rs->rules[i];

			if (r->kind == BS_RULE_EXISTS && r->ref_table == pick &&
			    r->table != pick && indeg[r->table])
				indeg[r->table]--;
		}
	}
	free(indeg);
	free(done);
}

static int
bind_tables(struct eng *E, struct bs_err *err)
{
	struct bs_rules *rs = E->rs;
	size_t t, bad = 0;

	for (t = 0; t < rs->ntables; t++) {
		struct bs_csv_reader rd;
		struct bs_csv_opts o = BS_CSV_OPTS_INIT;
		struct vinput *in;
		const char **hdr;
		size_t nh, i;
		struct bs_err e2 = BS_ERR_INIT;

		if (!E->needed[t])
			continue;
		in = &E->in[E->input_of[t]];
		if (bs_csv_open(&rd, in->path, &o, err) < 0) {
			bs_csv_close(&rd);
			return -1;
		}
		nh = bs_csv_header_count(&rd);
		hdr = bs_xcalloc(nh ? nh : 1, sizeof(char *));
		for (i = 0; i < nh; i++)
			hdr[i] = bs_csv_header(&rd, i);
		if (bs_rules_bind(rs, t, in->name, hdr, nh, &e2) < 0)
			bad++;
		free(hdr);
		bs_csv_close(&rd);
	}
	if (bad)
		return bs_err_set(err, BS_EXIT_CONFIG,
		    "the rule files do not match the input's columns");
	return 0;
}

static int
find_inputs(struct eng *E, struct bs_err *err)
{
	struct bs_rules *rs = E->rs;
	size_t t, i;

	E->needed = bs_xcalloc(rs->ntables ? rs->ntables : 1, sizeof(int));
	E->input_of = bs_xcalloc(rs->ntables ? rs->ntables : 1, sizeof(long));
	for (t = 0; t < rs->ntables; t++) {
		E->needed[t] = rs->tables[t].has_file;
		E->input_of[t] = -1;
	}
	for (i = 0; i < rs->nrules; i++) {
		const struct bs_rule *r = &rs->rules[i];

		if (r->kind == BS_RULE_EXISTS)
			E->needed[r->ref_table] = 1;
		if (r->kind == BS_RULE_RECONCILE)
			E->needed[r->rec->side[1].table] = 1;
	}
	for (i = 0; i < rs->nlookups; i++)
		if (E->lk[i].active)
			E->needed[rs->lookups[i].table] = 1;
	for (t = 0; t < rs->ntables; t++) {
		if (!E->needed[t])
			continue;
		for (i = 0; i < E->nin; i++)
			if (!strcmp(E->in[i].table, rs->tables[t].name)) {
				E->input_of[t] = (long)i;
				E->in[i].used = 1;
				break;
			}
		if (E->input_of[t] < 0) {
			char where[PATH_MAX + 64];

			return bs_err_set(err, BS_EXIT_NOINPUT,
			    "no input for table '%s' (%s %s): give %s.csv with --in",
			    rs->tables[t].name, rs->tables[t].has_file ?
			    "its rules are at" : "rules use it at",
			    bs_rpos_str(&rs->tables[t].pos, where, sizeof(where)),
			    rs->tables[t].name);
		}
	}
	return 0;
}

static void
setup_rules(struct eng *E)
{
	struct bs_rules *rs = E->rs;
	size_t i, j;

	E->r = bs_xcalloc(rs->nrules ? rs->nrules : 1, sizeof(*E->r));
	for (i = 0; i < rs->nrules; i++) {
		const struct bs_rule *r = &rs->rules[i];
		const struct bs_rtable *t = &rs->tables[r->table];
		struct rstate *s = &E->r[i];

		s->columns = join_cols(t, r->cols, r->ncols);
		s->when_twin = -1;
		for (j = 0; j < i && r->when && r->kind != BS_RULE_RECONCILE; j++)
			if (rs->rules[j].table == r->table &&
			    rs->rules[j].kind != BS_RULE_RECONCILE &&
			    bs_expr_same(rs->rules[j].when, r->when)) {
				s->when_twin = (long)(E->r[j].when_twin >= 0 ?
				    E->r[j].when_twin : (long)j);
				break;
			}
		if (r->kind == BS_RULE_UNIQUE) {
			bs_keyset_init(&s->ks, 0);
			s->stat = stat_add(E->st, bs_xasprintf("unique %s: %s(%s)", r->id,
			    t->name, s->columns));
			s->have_stat = 1;
		} else if (r->kind == BS_RULE_RECONCILE) {
			bs_keyset_init(&s->ks, sizeof(struct gpay));
			s->stat = stat_add(E->st, bs_xasprintf("reconcile %s: groups",
			    r->id));
			s->have_stat = 1;
		} else if (r->kind == BS_RULE_EXISTS) {
			struct refset *ref = refset_for(E, r);
			size_t p = E->pos[r->table];

			if (!ref) {
				char *cols = join_cols(&rs->tables[r->ref_table], r->ref_cols,
				    r->ncols);

				E->refs = bs_xreallocarray(E->refs, E->nrefs + 1,
				    sizeof(*E->refs));
				ref = &E->refs[E->nrefs++];
				memset(ref, 0, sizeof(*ref));
				ref->table = r->ref_table;
				ref->cols = r->ref_cols;
				ref->ncols = r->ncols;
				ref->first_user = ref->last_user = p;
				bs_keyset_init(&ref->ks, 0);
				ref->stat = stat_add(E->st, bs_xasprintf("exists: %s(%s)",
				    rs->tables[r->ref_table].name, cols));
				free(cols);
			}
			if (p < ref->first_user)
				ref->first_user = p;
			if (p > ref->last_user)
				ref->last_user = p;
		}
	}
	/* the refset array no longer moves: point the rules at it */
	for (i = 0; i < rs->nrules; i++)
		if (rs->rules[i].kind == BS_RULE_EXISTS)
			E->r[i].ref = refset_for(E, &rs->rules[i]);
}

static void
lk_order_visit(struct eng *E, size_t li, unsigned char *seen)
{
	size_t j;

	if (seen[li])
		return;
	seen[li] = 1;
	for (j = 0; j < E->rs->nlookups; j++)
		if (E->lk[li].dep[j])
			lk_order_visit(E, j, seen);
	E->lkorder[E->nlkorder++] = li;
}

/*
 * Lookups whose columns something uses are active (their dependencies
 * too); each keeps only the columns read through it.
 */
static void
setup_lookups(struct eng *E)
{
	struct bs_rules *rs = E->rs;
	size_t nl = rs->nlookups, i, j, t;
	unsigned char *seen;

	E->lk = bs_xcalloc(nl ? nl : 1, sizeof(*E->lk));
	for (t = 0; t < rs->ntables; t++)
		for (j = 0; j < rs->tables[t].ncols; j++) {
			const struct bs_rcol *c = &rs->tables[t].cols[j];
			struct lkstate *L;
			size_t k;

			if (c->lookup < 0)
				continue;
			L = &E->lk[c->lookup];
			L->active = 1;
			L->pcols = bs_xreallocarray(L->pcols, L->npcols + 1, sizeof(size_t));
			L->ppos = bs_xreallocarray(L->ppos, L->npcols + 1, sizeof(size_t));
			L->pcols[L->npcols] = j;
			if (rs->lookups[c->lookup].is_sum) {
				L->ppos[L->npcols++] = c->lcol;
				continue;
			}
			for (k = 0; k < L->nkept && L->kept[k] != c->lcol; k++)
				;
			if (k == L->nkept) {
				L->kept = bs_xreallocarray(L->kept, L->nkept + 1, sizeof(size_t));
				L->kept[L->nkept++] = c->lcol;
			}
			L->ppos[L->npcols++] = k;
		}
	for (i = 0; i < nl; i++) {
		const struct bs_rlookup *lk = &rs->lookups[i];

		E->lk[i].dep = bs_xcalloc(nl, 1);
		for (j = 0; j < lk->nkey; j++)
			bs_rules_expr_lookups(rs, lk->home, lk->by[j], E->lk[i].dep);
		bs_rules_expr_lookups(rs, lk->table, lk->where, E->lk[i].dep);
	}
	E->lkorder = bs_xcalloc(nl ? nl : 1, sizeof(size_t));
	seen = bs_xcalloc(nl ? nl : 1, 1);
	for (i = 0; i < nl; i++)
		if (E->lk[i].active)
			lk_order_visit(E, i, seen);
	for (i = 0; i < E->nlkorder; i++) {
		size_t li = E->lkorder[i];
		const struct bs_rlookup *lk = &rs->lookups[li];
		struct lkstate *L = &E->lk[li];
		char *cols = join_cols(&rs->tables[lk->table], lk->key, lk->nkey);

		L->active = 1;
		if (lk->is_sum) {
			bs_keyset_init(&L->ks, lk->nsum * (sizeof(struct bs_dec) + 1));
			L->txt = bs_xcalloc(lk->nsum ? lk->nsum : 1, sizeof(*L->txt));
		} else {
			bs_keyset_init(&L->ks, sizeof(char *));
		}
		L->stat = stat_add(E->st, bs_xasprintf("lookup %s: %s -> %s(%s)%s",
		    lk->name, rs->tables[lk->home].name, rs->tables[lk->table].name, cols,
		    lk->is_sum ? " sums" : ""));
		free(cols);
	}
	free(seen);
}

/* The active lookups of table t, in dependency order, into out. */
static size_t
fill_list(struct eng *E, size_t t, const unsigned char *only, size_t *out)
{
	size_t i, n = 0;

	for (i = 0; i < E->nlkorder; i++) {
		size_t li = E->lkorder[i];

		if (E->rs->lookups[li].home == t && (!only || only[li]))
			out[n++] = li;
	}
	return n;
}

static int ensure_built(struct eng *E, size_t li, struct bs_err *err);

/* Lookup li and everything its by: reads built. */
static int
ensure_ready(struct eng *E, size_t li, struct bs_err *err)
{
	size_t j;

	if (ensure_built(E, li, err) < 0)
		return -1;
	for (j = 0; j < E->rs->nlookups; j++)
		if (E->lk[li].dep[j] && E->rs->lookups[j].home == E->rs->lookups[li].home &&
		    ensure_ready(E, j, err) < 0)
			return -1;
	return 0;
}

/* Build lookup li: a pass over its table (after what its where: reads). */
static int
ensure_built(struct eng *E, size_t li, struct bs_err *err)
{
	const struct bs_rlookup *lk = &E->rs->lookups[li];
	size_t nl = E->rs->nlookups, j, nfill, nbuild = 0;
	unsigned char *need;
	size_t *fill, *build;
	int rc;

	if (E->lk[li].built)
		return 0;
	need = bs_xcalloc(nl ? nl : 1, 1);
	/* the lookups of the other table that where: reads, and theirs */
	for (j = 0; j < nl; j++)
		if (E->lk[li].dep[j] && E->rs->lookups[j].home == lk->table)
			need[j] = 1;
	for (int more = 1; more;) {
		more = 0;
		for (j = 0; j < nl; j++) {
			size_t k;

			if (!need[j])
				continue;
			for (k = 0; k < nl; k++)
				if (E->lk[j].dep[k] && E->rs->lookups[k].home == lk->table &&
				    !need[k])
					need[k] = more = 1;
		}
	}
	for (j = 0; j < nl; j++)
		if (need[j] && ensure_built(E, j, err) < 0) {
			free(need);
			return -1;
		}
	/* the same pass builds the table's other lookups that can be built now */
	build = bs_xcalloc(nl ? nl : 1, sizeof(size_t));
	build[nbuild++] = li;
	for (j = 0; j < nl; j++) {
		size_t k;

		if (j == li || !E->lk[j].active || E->lk[j].built ||
		    E->rs->lookups[j].table != lk->table || E->lk[j].dep[li])
			continue;
		for (k = 0; k < nl; k++)
			if (E->lk[j].dep[k] && E->rs->lookups[k].home == lk->table &&
			    !E->lk[k].built)
				break;
		if (k < nl)
			continue;
		for (k = 0; k < nl; k++)
			if (E->lk[j].dep[k] && E->rs->lookups[k].home == lk->table)
				need[k] = 1;
		build[nbuild++] = j;
	}
	fill = bs_xcalloc(nl ? nl : 1, sizeof(size_t));
	nfill = fill_list(E, lk->table, need, fill);
	bs_debug("pass over %s for lookup %s", E->rs->tables[lk->table].name, lk->name);
	rc = pass(E, lk->table, 0, NULL, 0, fill, nfill, build, nbuild, err);
	free(fill);
	free(build);
	free(need);
	if (rc == 0)
		note_memory(E);
	return rc;
}

static void
free_set(struct eng *E, struct bs_keyset *ks)
{
	note_memory(E);
	bs_keyset_release(ks);
}

int
engine_run(struct bs_rules *rs, struct vinput *in, size_t nin, vsink_fn sink,
    void *ctx, struct engine_stats *st, struct bs_err *err)
{
	struct eng E;
	size_t i, j, p, maxc = 1;
	struct refset **collect = NULL;
	size_t *fill = NULL;
	double t0 = bs_now_mono();
	int rc = -1;

	memset(&E, 0, sizeof(E));
	memset(st, 0, sizeof(*st));
	st->count = bs_xcalloc(rs->nrules ? rs->nrules : 1, sizeof(uint64_t));
	st->eval_errors = bs_xcalloc(rs->nrules ? rs->nrules : 1, sizeof(uint64_t));
	E.rs = rs;
	E.in = in;
	E.nin = nin;
	E.sink = sink;
	E.ctx = ctx;
	E.st = st;
	E.key = (struct bs_buf)BS_BUF_INIT(0);
	E.vals = (struct bs_buf)BS_BUF_INIT(0);
	E.enc = (struct bs_buf)BS_BUF_INIT(0);
	E.tmp = (struct bs_buf)BS_BUF_INIT(BS_CSV_MAX_FIELD);
	E.lkey = (struct bs_buf)BS_BUF_INIT(0);
	E.gtmp = (struct bs_buf)BS_BUF_INIT(BS_CSV_MAX_FIELD);
	setup_lookups(&E);
	if (find_inputs(&E, err) < 0 || bind_tables(&E, err) < 0)
		goto done;
	plan_order(&E);
	setup_rules(&E);
	for (i = 0; i < rs->ntables; i++)
		if (rs->tables[i].ncols > maxc)
			maxc = rs->tables[i].ncols;
	E.fields = bs_xcalloc(maxc, sizeof(char *));
	E.lens = bs_xcalloc(maxc, sizeof(size_t));
	E.bad = bs_xcalloc(maxc, 1);
	E.tvalid = bs_xcalloc(maxc, 1);
	E.row.fields = E.fields;
	E.row.lens = E.lens;
	E.rc = bs_row_cache_new(maxc);
	collect = bs_xcalloc(E.nrefs + 1, sizeof(*collect));
	fill = bs_xcalloc(rs->nlookups + 1, sizeof(size_t));
	for (p = 0; p < E.norder; p++) {
		size_t t = E.order[p], nc = 0, nfill;

		/* key sets this table's rules need that no earlier pass built */
		for (i = 0; i < E.nrefs; i++) {
			struct refset *R = &E.refs[i];

			if (R->built || R->first_user != p || E.pos[R->table] < p)
				continue;
			nc = 0;
			for (j = 0; j < E.nrefs; j++)
				if (!E.refs[j].built && E.refs[j].table == R->table &&
				    E.pos[R->table] >= E.refs[j].first_user)
					collect[nc++] = &E.refs[j];
			bs_debug("extra pass over %s for its keys", rs->tables[R->table].name);
			if (pass(&E, R->table, 0, collect, nc, NULL, 0, NULL, 0, err) < 0)
				goto done;
			note_memory(&E);
		}
		nc = 0;
		for (i = 0; i < E.nrefs; i++)
			if (!E.refs[i].built && E.refs[i].table == t)
				collect[nc++] = &E.refs[i];
		nfill = fill_list(&E, t, NULL, fill);
		for (i = 0; i < nfill; i++)
			if (ensure_ready(&E, fill[i], err) < 0)
				goto done;
		if (pass(&E, t, 1, collect, nc, fill, nfill, NULL, 0, err) < 0)
			goto done;
		note_memory(&E);
		for (i = 0; i < rs->nrules; i++)
			if (rs->rules[i].table == t && rs->rules[i].kind == BS_RULE_UNIQUE)
				free_set(&E, &E.r[i].ks);
		for (i = 0; i < E.nrefs; i++)
			if (E.refs[i].built && !E.refs[i].freed && E.refs[i].last_user <= p &&
			    E.pos[E.refs[i].table] <= p) {
				free_set(&E, &E.refs[i].ks);
				E.refs[i].freed = 1;
			}
	}
	E.tab = NULL;
	note_memory(&E);
	for (i = 0; i < rs->nrules; i++)
		if (rs->rules[i].kind == BS_RULE_RECONCILE) {
			E.tab = &rs->tables[rs->rules[i].table];
			if (reconcile_finish(&E, &rs->rules[i], err) < 0)
				goto done;
		}
	rc = 0;
done:
	st->seconds = bs_now_mono() - t0;
	if (E.r)
		for (i = 0; i < rs->nrules; i++) {
			free(E.r[i].columns);
			bs_keyset_release(&E.r[i].ks);
			ukeys_release(&E.r[i]);
		}
	for (i = 0; i < E.nrefs; i++)
		bs_keyset_release(&E.refs[i].ks);
	free(E.refs);
	for (i = 0; E.lk && i < rs->nlookups; i++) {
		struct lkstate *L = &E.lk[i];

		bs_keyset_release(&L->ks);
		for (j = 0; j < L->nchunks; j++)
			free(L->chunks[j]);
		free(L->chunks);
		free(L->kept);
		free(L->pcols);
		free(L->ppos);
		free(L->txt);
		free(L->dep);
	}
	free(E.lk);
	free(E.lkorder);
	free(fill);
	bs_buf_release(&E.lkey);
	bs_buf_release(&E.gtmp);
	free(E.r);
	free(collect);
	free(E.fields);
	free(E.lens);
	free(E.bad);
	free(E.tvalid);
	bs_row_cache_free(E.rc);
	free(E.order);
	free(E.pos);
	free(E.needed);
	free(E.input_of);
	bs_buf_release(&E.key);
	bs_buf_release(&E.vals);
	bs_buf_release(&E.enc);
	bs_buf_release(&E.tmp);
	return rc;
}

void
engine_stats_release(struct engine_stats *st)
{
	size_t i;

	if (!st)
		return;
	free(st->count);
	free(st->eval_errors);
	for (i = 0; i < st->nsets; i++)
		free(st->sets[i].what);
	free(st->sets);
	memset(st, 0, sizeof(*st));
}
