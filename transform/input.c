#include "bs.h"
#include "input.h"
#include "workspace.h"


static char *
dup_or_null(const char *s)
{
	return s ? bs_xstrdup(s) : NULL;
}

static void
add_table(struct tf_input *in, const char *table, const char *path,
    const char *sha, const struct bs_jval *rows)
{
	struct tf_table_in *t;

	in->t = bs_xreallocarray(in->t, in->nt + 1, sizeof(*in->t));
	t = &in->t[in->nt++];
	memset(t, 0, sizeof(*t));
	t->table = bs_xstrdup(table);
	t->path = bs_xstrdup(path);
	t->sha256 = dup_or_null(sha);
	if (rows && rows->type == BS_JNUM) {
		t->rows = strtoull(rows->s, NULL, 10);
		t->have_rows = 1;
	}
}

/* "policy.csv" -> "policy"; NULL if the name is not a CSV file. */
static char *
table_of(const char *name)
{
	const char *b = strrchr(name, '/');
	size_t n;

	b = b ? b + 1 : name;
	n = strlen(b);
	if (n <= 4 || strcmp(b + n - 4, ".csv") != 0)
		return NULL;
	return bs_xstrndup(b, n - 4);
}

/* The outputs[] of an extract manifest, files in dir. */
static int
extract_outputs(struct tf_input *in, const struct bs_jval *m, const char *dir,
    const char *what, struct bs_err *err)
{
	const struct bs_jval *outs = bs_jget(m, "outputs");
	size_t i;

	if (!outs || outs->type != BS_JARR)
		return bs_err_set(err, BS_EXIT_DATAERR,
		    "%s: the manifest lists no outputs", what);
	for (i = 0; i < outs->n; i++) {
		const struct bs_jval *o = &outs->items[i];
		const char *name = bs_jget_str(o, "name");
		char *t = name ? table_of(name) : NULL, *path;

		if (!t)
			continue;
		path = bs_path_join(dir, name);
		add_table(in, t, path, bs_jget_str(o, "sha256"), bs_jget(o, "rows"));
		free(path);
		free(t);
	}
	return 0;
}

static int
load_json(const char *dir, struct bs_jval **m, char sha[BS_SHA256_HEX],
    struct bs_err *err)
{
	char *mf = bs_xasprintf("%s/manifest.json", dir);
	int rc;

	if (access(mf, F_OK) != 0) {
		rc = bs_err_set(err, BS_EXIT_NOINPUT,
		    "'%s' is not a finished run (it has no manifest.json)", dir);
		free(mf);
		return rc;
	}
	rc = sha ? bs_sha256_file(mf, sha, NULL, err) : 0;
	if (rc == 0)
		rc = bs_json_load(mf, m, err);
	free(mf);
	return rc;
}

/* The directory a validation manifest says it read, or NULL. */
static const struct bs_jval *
source_of(const struct bs_jval *m)
{
	static const char *const keys[] = { "validated_run", "input", "extract_run",
		"input_run" };
	size_t i;

	for (i = 0; i < BS_ARRAY_SIZE(keys); i++) {
		const struct bs_jval *s = bs_jget(m, keys[i]);

		if (s && s->type == BS_JOBJ && bs_jget_str(s, "path"))
			return s;
	}
	return NULL;
}

static int
validate_inputs(struct tf_input *in, const struct bs_jval *m, struct bs_err *err)
{
	const struct bs_jval *src = source_of(m), *ins = bs_jget(m, "inputs");
	const char *base = src ? bs_jget_str(src, "path") : bs_jget_str(m, "input_dir");
	size_t i;

	if (src) {
		in->source_dir = bs_xstrdup(bs_jget_str(src, "path"));
		in->source_run = dup_or_null(bs_jget_str(src, "run_id"));
	}
	if (ins && ins->type == BS_JARR) {
		for (i = 0; i < ins->n; i++) {
			const struct bs_jval *o = &ins->items[i];
			const char *path = bs_jget_str(o, "path");
			const char *name = bs_jget_str(o, "name");
			const char *table = bs_jget_str(o, "table");
			char *t, *p;

			if (!path && !name)
				continue;
			p = path ? bs_xstrdup(path) :
			    base ? bs_path_join(base, name) : bs_path_join(in->dir, name);
			t = table ? bs_xstrdup(table) : table_of(p);
			if (t)
				add_table(in, t, p, bs_jget_str(o, "sha256"), bs_jget(o, "rows"));
			free(t);
			free(p);
		}
		return 0;
	}
	if (!src)
		return bs_err_set(err, BS_EXIT_DATAERR,
		    "%s/manifest.json: a validation run that names neither its inputs "
		    "nor the extract run it read", in->dir);
	{
		struct bs_jval *em = NULL;
		int rc = load_json(in->source_dir, &em, NULL, err);

		if (rc == 0)
			rc = extract_outputs(in, em, in->source_dir, in->source_dir, err);
		bs_jval_free(em);
		return rc;
	}
}

int
tf_input_load(struct tf_input *in, const char *dir, struct bs_err *err)
{
	struct bs_jval *m = NULL;
	const char *prog;
	const struct bs_jval *rep;
	int rc = -1;

	memset(in, 0, sizeof(*in));
	in->dir = realpath(dir, NULL);
	if (!in->dir)
		return bs_err_set(err, errno == ENOENT ? BS_EXIT_NOINPUT :
		    BS_EXIT_IOERR, "cannot open run directory '%s': %s", dir,
		    strerror(errno));
	if (load_json(in->dir, &m, in->manifest_sha, err) < 0)
		goto done;
	prog = bs_jget_str(m, "program");
	in->program = dup_or_null(prog);
	in->run_id = dup_or_null(bs_jget_str(m, "run_id"));
	in->filing = dup_or_null(bs_jget_str(m, "filing"));
	in->period = dup_or_null(bs_jget_str(bs_jget(m, "params"), "period"));
	in->org = dup_or_null(bs_jget_str(bs_jget(m, "derived_params"),
	    "institution_code"));
	in->data_sha256 = dup_or_null(bs_jget_str(m, "data_sha256"));
	rep = bs_jget(m, "report");
	if (rep && rep->type == BS_JOBJ) {
		in->report = dup_or_null(bs_jget_str(rep, "name"));
		in->report_path = dup_or_null(bs_jget_str(rep, "path"));
	} else if (bs_jstr(rep)) {
		in->report = bs_xstrdup(bs_jstr(rep));
	}
	if (!in->period && in->filing && strchr(in->filing, '/'))
		in->period = bs_xstrdup(strrchr(in->filing, '/') + 1);
	if (prog && !strcmp(prog, "baosong-extract")) {
		rc = extract_outputs(in, m, in->dir, in->dir, err);
	} else if (prog && !strcmp(prog, "baosong-validate")) {
		rc = validate_inputs(in, m, err);
	} else {
		rc = bs_err_set(err, BS_EXIT_DATAERR,
		    "'%s' is a run of %s, not of baosong-extract or baosong-validate",
		    in->dir, prog ? prog : "an unknown program");
	}
done:
	bs_jval_free(m);
	if (rc < 0)
		tf_input_release(in);
	return rc;
}

void
tf_input_release(struct tf_input *in)
{
	size_t i;

	if (!in)
		return;
	for (i = 0; i < in->nt; i++) {
		free(in->t[i].table);
		free(in->t[i].path);
		free(in->t[i].sha256);
	}
	free(in->t);
	free(in->dir);
	free(in->program);
	free(in->run_id);
	free(in->filing);
	free(in->period);
	free(in->org);
	free(in->report);
	free(in->report_path);
	free(in->source_run);
	free(in->source_dir);
	free(in->data_sha256);
	memset(in, 0, sizeof(*in));
}

const struct tf_table_in *
tf_input_table(const struct tf_input *in, const char *table)
{
	size_t i;

	for (i = 0; i < in->nt; i++)
		if (!strcmp(in->t[i].table, table))
			return &in->t[i];
	return NULL;
}

/* ------------------------------------------------------------ the feed */

/* The thread: read the file into the slots, hashing every byte. */
static void *
slots_ahead(void *arg)
{
	struct tf_feed *f = arg;
	ssize_t r;

	for (;;) {
		size_t h;
		int stop;

		pthread_mutex_lock(&f->mu);
		while (f->sfull[f->shead] && !f->stop)
			pthread_cond_wait(&f->cv, &f->mu);
		h = f->shead;
		stop = f->stop;
		pthread_mutex_unlock(&f->mu);
		if (stop)
			break;
		do
			r = read(f->fd, f->slot[h], TF_FEED_SLOT);
		while (r < 0 && errno == EINTR);
		if (r > 0) {
			bs_sha256_update(&f->h, f->slot[h], (size_t)r);
			f->bytes += (unsigned long long)r;
		} else if (r == 0) {
			bs_sha256_final_hex(&f->h, f->hex);
			f->hashing = 0;
		}
		pthread_mutex_lock(&f->mu);
		if (r < 0)
			f->err_no = errno;
		f->slen[h] = r;
		f->sfull[h] = 1;
		f->shead = (h + 1) % TF_FEED_SLOTS;
		pthread_cond_broadcast(&f->cv);
		pthread_mutex_unlock(&f->mu);
		if (r <= 0)
			break;
	}
	return NULL;
}

/* The CSV reader's stream: the bytes come from the slots. */
static ssize_t
slots_read(void *cookie, char *buf, size_t n)
{
	struct tf_feed *f = cookie;
	size_t t, k;
	ssize_t len;

	pthread_mutex_lock(&f->mu);
	while (!f->sfull[f->stail])
		pthread_cond_wait(&f->cv, &f->mu);
	t = f->stail;
	len = f->slen[t];
	pthread_mutex_unlock(&f->mu);
	if (len <= 0) {
		if (len < 0)
			errno = f->err_no;
		return len;	/* the end stays the end */
	}
	k = (size_t)len - f->soff;
	if (k > n)
		k = n;
	memcpy(buf, f->slot[t] + f->soff, k);
	f->soff += k;
	if (f->soff == (size_t)len) {
		pthread_mutex_lock(&f->mu);
		f->sfull[t] = 0;
		f->soff = 0;
		f->stail = (t + 1) % TF_FEED_SLOTS;
		pthread_cond_broadcast(&f->cv);
		pthread_mutex_unlock(&f->mu);
	}
	return (ssize_t)k;
}

static int
slots_close(void *cookie)
{
	(void)cookie;
	return 0;	/* tf_feed_close() closes the file */
}

int
tf_feed_open(struct tf_feed *f, const char *path, const struct bs_csv_opts *o,
    struct bs_err *err)
{
	static const cookie_io_functions_t io = { slots_read, NULL, NULL,
		slots_close };
	size_t i;

	memset(f, 0, sizeof(*f));
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return bs_err_set(err, errno == ENOENT ? BS_EXIT_NOINPUT :
		    BS_EXIT_IOERR, "cannot open '%s': %s", path, strerror(errno));
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	for (i = 0; i < TF_FEED_SLOTS; i++)
		f->slot[i] = bs_xmalloc(TF_FEED_SLOT);
	bs_sha256_init(&f->h);
	f->hashing = 1;
	if (pthread_create(&f->th, NULL, slots_ahead, f) != 0)
		return bs_err_set(err, BS_EXIT_OSERR, "cannot start a thread: %s",
		    strerror(errno));
	f->started = 1;
	f->fp = fopencookie(f, "r", io);
	if (!f->fp)
		return bs_err_set(err, BS_EXIT_OSERR, "fopencookie: %s", strerror(errno));
	/*
	 * A buffer of our own: with none, glibc gives a cookie stream 8 KiB
	 * and splits the CSV reader's 64 KiB reads into eight.
	 */
	f->iobuf = bs_xmalloc(TF_FEED_SLOT);
	setvbuf(f->fp, f->iobuf, _IOFBF, TF_FEED_SLOT);
	if (bs_csv_open_fp(&f->r, f->fp, path, o, err) < 0)
		return -1;
	f->have_r = 1;
	return 0;
}

int
tf_feed_next(struct tf_feed *f, struct bs_err *err)
{
	size_t len;
	int rc = bs_csv_next(&f->r, err);

	if (rc != 1)
		return rc;
	f->spans = bs_csv_record(&f->r, &f->block, &len);
	f->nf = bs_csv_nfields(&f->r);
	return 1;
}

void
tf_feed_finish(struct tf_feed *f, char hex[BS_SHA256_HEX],
    unsigned long long *bytes)
{
	memcpy(hex, f->hex, BS_SHA256_HEX);
	*bytes = f->bytes;
}

void
tf_feed_close(struct tf_feed *f)
{
	size_t i;

	if (!f)
		return;
	if (f->started) {
		pthread_mutex_lock(&f->mu);
		f->stop = 1;
		pthread_cond_broadcast(&f->cv);
		pthread_mutex_unlock(&f->mu);
		pthread_join(f->th, NULL);
		f->started = 0;
	}
	if (f->have_r)
		bs_csv_close(&f->r);
	f->have_r = 0;
	if (f->fp)
		fclose(f->fp);
	f->fp = NULL;
	free(f->iobuf);
	if (f->fd >= 0)
		close(f->fd);
	if (f->hashing)
		bs_sha256_release(&f->h);
	f->hashing = 0;
	for (i = 0; i < TF_FEED_SLOTS; i++)
		free(f->slot[i]);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cv);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}
