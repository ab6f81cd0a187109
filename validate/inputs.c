#include "bs.h"
#include "inputs.h"

#include <dirent.h>

#include "json.h"
#include "sha256.h"

static struct vinput *
add_one(struct inputs *in, const char *table, const char *path, const char *name,
    struct bs_err *err)
{
	struct vinput *v;
	size_t i;

	for (i = 0; i < in->n; i++)
		if (!strcmp(in->v[i].table, table)) {
			bs_err_set(err, BS_EXIT_USAGE,
			    "two inputs for table '%s': '%s' and '%s'", table, in->v[i].path,
			    path);
			return NULL;
		}
	BS_ALLOC_GROW(in->v, in->n + 1, in->alloc);
	v = &in->v[in->n++];
	memset(v, 0, sizeof(*v));
	v->table = bs_xstrdup(table);
	v->path = bs_xstrdup(path);
	v->name = bs_xstrdup(name);
	return v;
}

/* "dir/policy.csv" -> "policy"; NULL unless the name ends in .csv. */
static char *
table_of(const char *path)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	n = strlen(b);
	if (n <= 4 || strcmp(b + n - 4, ".csv") != 0)
		return NULL;
	return bs_xstrndup(b, n - 4);
}

static int
strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
add_run_dir(struct inputs *in, const char *dir, struct bs_err *err)
{
	char *mf = bs_xasprintf("%s/manifest.json", dir);
	struct bs_jval *m = NULL;
	int rc = -1;
	size_t i;

	in->nruns++;
	if (access(mf, F_OK) == 0) {
		const struct bs_jval *outs;

		if (bs_json_load(mf, &m, err) < 0)
			goto done;
		outs = bs_jget(m, "outputs");
		if (!outs || outs->type != BS_JARR) {
			bs_err_set(err, BS_EXIT_DATAERR, "%s: no outputs listed", mf);
			goto done;
		}
		for (i = 0; i < outs->n; i++) {
			const char *name = bs_jget_str(&outs->items[i], "name");
			const char *sha = bs_jget_str(&outs->items[i], "sha256");
			char *t = name ? table_of(name) : NULL;
			char *p;
			struct vinput *v;

			if (!t)
				continue;
			p = bs_xasprintf("%s/%s", dir, name);
			v = add_one(in, t, p, p, err);
			free(p);
			free(t);
			if (!v)
				goto done;
			if (sha && strlen(sha) == 64)
				memcpy(v->expect_sha, sha, 65);
		}
		if (in->nruns == 1) {
			const char *prog = bs_jget_str(m, "program");

			in->run_dir = bs_xstrdup(dir);
			in->run_id = bs_xstrdup(bs_jget_str(m, "run_id") ?
			    bs_jget_str(m, "run_id") : "");
			if (bs_jget_str(m, "filing"))
				in->run_filing = bs_xstrdup(bs_jget_str(m, "filing"));
			if (bs_sha256_file(mf, in->run_manifest_sha, NULL, err) < 0)
				goto done;
			if (!prog || strcmp(prog, "baosong-extract") != 0)
				bs_warn("%s: not a run of baosong-extract (program %s)", dir,
				    prog ? prog : "unknown");
		}
	} else {
		DIR *d = opendir(dir);
		struct dirent *e;
		char **names = NULL;
		size_t n = 0;

		if (!d) {
			bs_err_set(err, BS_EXIT_NOINPUT, "cannot read '%s': %s", dir,
			    strerror(errno));
			goto done;
		}
		while ((e = readdir(d)) != NULL) {
			char *t = table_of(e->d_name);

			if (!t || e->d_name[0] == '.') {
				free(t);
				continue;
			}
			free(t);
			names = bs_xreallocarray(names, n + 1, sizeof(char *));
			names[n++] = bs_xstrdup(e->d_name);
		}
		closedir(d);
		qsort(names, n, sizeof(char *), strp_cmp);
		rc = 0;
		for (i = 0; i < n; i++) {
			char *t = table_of(names[i]);
			char *p = bs_xasprintf("%s/%s", dir, names[i]);

			if (rc == 0 && !add_one(in, t, p, p, err))
				rc = -1;
			free(p);
			free(t);
			free(names[i]);
		}
		free(names);
		if (rc < 0)
			goto done;
		if (!n) {
			rc = bs_err_set(err, BS_EXIT_NOINPUT,
			    "'%s' holds no manifest.json and no .csv file", dir);
			goto done;
		}
	}
	rc = 0;
done:
	bs_jval_free(m);
	free(mf);
	return rc;
}

int
inputs_add(struct inputs *in, const char *path, struct bs_err *err)
{
	struct stat st;
	char *t;

	if (stat(path, &st) != 0)
		return bs_err_set(err, BS_EXIT_NOINPUT, "cannot read input '%s': %s",
		    path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return add_run_dir(in, path, err);
	t = table_of(path);
	if (!t)
		return bs_err_set(err, BS_EXIT_USAGE,
		    "input '%s': a CSV file's name must end in .csv (it names the table)",
		    path);
	if (!add_one(in, t, path, path, err)) {
		free(t);
		return -1;
	}
	free(t);
	return 0;
}

int
inputs_add_latest(struct inputs *in, const char *runs_dir, const char *filing,
    struct bs_err *err)
{
	DIR *d = opendir(runs_dir);
	struct dirent *e;
	char *best = NULL;
	int rc;

	if (!d && errno == ENOENT)
		return bs_err_set(err, BS_EXIT_NOINPUT,
		    "no finished extract of %s in %s (run baosong-extract --report first, "
		    "or give --in)", filing, runs_dir);
	if (!d)
		return bs_err_set(err, BS_EXIT_NOINPUT,
		    "no extract of %s: cannot read '%s': %s", filing, runs_dir,
		    strerror(errno));
	while ((e = readdir(d)) != NULL) {
		char *mf;
		struct bs_jval *m = NULL;
		struct bs_err e2 = BS_ERR_INIT;
		const char *prog, *fl, *status;

		if (e->d_name[0] == '.' || (best && strcmp(e->d_name, best) <= 0))
			continue;
		mf = bs_xasprintf("%s/%s/manifest.json", runs_dir, e->d_name);
		if (access(mf, F_OK) != 0 || bs_json_load(mf, &m, &e2) < 0) {
			free(mf);
			continue;
		}
		prog = bs_jget_str(m, "program");
		fl = bs_jget_str(m, "filing");
		status = bs_jget_str(bs_jget(m, "outcome"), "status");
		if (prog && !strcmp(prog, "baosong-extract") && fl && !strcmp(fl, filing) &&
		    status && !strcmp(status, "ok")) {
			free(best);
			best = bs_xstrdup(e->d_name);
		}
		bs_jval_free(m);
		free(mf);
	}
	closedir(d);
	if (!best)
		return bs_err_set(err, BS_EXIT_NOINPUT,
		    "no finished extract of %s in %s (run baosong-extract --report first, "
		    "or give --in)", filing, runs_dir);
	{
		char *dir = bs_xasprintf("%s/%s", runs_dir, best);

		bs_info("validating extract run %s", best);
		rc = add_run_dir(in, dir, err);
		free(dir);
	}
	free(best);
	return rc;
}

void
inputs_release(struct inputs *in)
{
	size_t i;

	for (i = 0; i < in->n; i++) {
		free(in->v[i].table);
		free(in->v[i].path);
		free(in->v[i].name);
	}
	free(in->v);
	free(in->run_dir);
	free(in->run_id);
	free(in->run_filing);
	memset(in, 0, sizeof(*in));
}
