#include "bs.h"
#include "review.h"
#include "csv.h"
#include "json.h"
#include "sha256.h"

static const struct {
	enum bs_disp d;
	const char *name, *label;
} disps[] = {
	{ BS_DISP_FIXED, "fixed", "已修改" },
	{ BS_DISP_EXPLAINED, "explained", "说明" },
	{ BS_DISP_EXCLUDED, "excluded", "剔除" },
};

const char *
bs_disp_name(enum bs_disp d)
{
	size_t i;

	for (i = 0; i < BS_ARRAY_SIZE(disps); i++)
		if (disps[i].d == d)
			return disps[i].name;
	return NULL;
}

const char *
bs_disp_label(enum bs_disp d)
{
	size_t i;

	for (i = 0; i < BS_ARRAY_SIZE(disps); i++)
		if (disps[i].d == d)
			return disps[i].label;
	return NULL;
}

int
bs_disp_parse(const char *s, enum bs_disp *d)
{
	size_t i;

	for (i = 0; i < BS_ARRAY_SIZE(disps); i++)
		if (!strcmp(s, disps[i].name) || !strcmp(s, disps[i].label)) {
			*d = disps[i].d;
			return 0;
		}
	return -1;
}

/* ---- the map ---- */

static uint64_t
hash3(const char *a, const char *b, const char *c)
{
	const char *parts[3] = { a, b, c };
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
	size_t i;

	for (i = 0; i < 3; i++) {
		const unsigned char *p = (const unsigned char *)parts[i];

		for (; *p; p++) {
			h ^= *p;
			h *= 1099511628211ULL;
		}
		h ^= 0x1f;
		h *= 1099511628211ULL;
	}
	return h;
}

static void
map_index(struct bs_disp_map *m)
{
	size_t i;

	free(m->slots);
	m->nslots = 16;
	while (m->nslots < m->n * 2 + 16)
		m->nslots *= 2;
	m->slots = bs_xcalloc(m->nslots, sizeof(size_t));
	for (i = 0; i < m->n; i++) {
		size_t s = (size_t)hash3(m->v[i].rule_id, m->v[i].table, m->v[i].key) &
		    (m->nslots - 1);

		while (m->slots[s])
			s = (s + 1) & (m->nslots - 1);
		m->slots[s] = i + 1;
	}
}

struct bs_disp_rec *
bs_disp_find(const struct bs_disp_map *m, const char *rule, const char *table,
    const char *key)
{
	size_t s;

	if (!m->nslots)
		return NULL;
	s = (size_t)hash3(rule, table, key) & (m->nslots - 1);
	while (m->slots[s]) {
		struct bs_disp_rec *r = &m->v[m->slots[s] - 1];

		if (!strcmp(r->rule_id, rule) && !strcmp(r->table, table) &&
		    !strcmp(r->key, key))
			return r;
		s = (s + 1) & (m->nslots - 1);
	}
	return NULL;
}

void
bs_disp_map_release(struct bs_disp_map *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++) {
		struct bs_disp_rec *r = &m->v[i];

		free(r->rule_id);
		free(r->table);
		free(r->key);
		free(r->comment);
		free(r->by);
		free(r->reviewer);
		free(r->at);
		free(r->status);
		free(r->severity);
		free(r->owner);
		free(r->message);
	}
	free(m->v);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* Read column c of the current row as text (NULL for SQL NULL). */
static int
get_text(SQLHSTMT st, int c, char **out, struct bs_err *err)
{
	struct bs_buf b = BS_BUF_INIT(0);
	char chunk[2048];

	*out = NULL;
	for (;;) {
		SQLLEN got = 0;
		SQLRETURN r = SQLGetData(st, (SQLUSMALLINT)c, SQL_C_CHAR, chunk,
		    sizeof(chunk), &got);

		if (r == SQL_NO_DATA)
			break;
		if (!SQL_SUCCEEDED(r)) {
			bs_buf_release(&b);
			return bs_db_fail(err, SQL_HANDLE_STMT, st, 0,
			    "tracking store: cannot read a value");
		}
		if (got == SQL_NULL_DATA) {
			bs_buf_release(&b);
			return 0;
		}
		bs_buf_add(&b, chunk, got == SQL_NO_TOTAL || got >= (SQLLEN)sizeof(chunk) ?
		    sizeof(chunk) - 1 : (size_t)got);
		if (r == SQL_SUCCESS)
			break;
	}
	*out = bs_buf_detach(&b, NULL);
	return 0;
}

/*
 * Run a query with text parameters and call fn for each row with its
 * ncols values (NULL = SQL NULL).  The shared row loop of this module.
 */
static int
each_row(struct bs_track *t, const char *sql, size_t np, const char *const *params,
    int ncols, int (*fn)(char **vals, void *ctx, struct bs_err *err), void *ctx,
    struct bs_err *err)
{
	SQLHSTMT st;
	SQLLEN ind[8];
	char *vals[16];
	size_t i;
	int c, rc = 0;

	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, t->db.dbc, &st)))
		return bs_db_fail(err, SQL_HANDLE_DBC, t->db.dbc, 0, "tracking store");
	for (i = 0; i < np && i < 8; i++) {
		size_t len = strlen(params[i]);

		ind[i] = (SQLLEN)len;
		SQLBindParameter(st, (SQLUSMALLINT)(i + 1), SQL_PARAM_INPUT, SQL_C_CHAR,
		    SQL_VARCHAR, len ? len : 1, 0, (SQLPOINTER)params[i], (SQLLEN)len,
		    &ind[i]);
	}
	if (!SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS))) {
		rc = bs_db_fail(err, SQL_HANDLE_STMT, st, 0, "tracking store: query failed");
		goto done;
	}
	for (;;) {
		SQLRETURN r = SQLFetch(st);

		if (r == SQL_NO_DATA)
			break;
		if (!SQL_SUCCEEDED(r)) {
			rc = bs_db_fail(err, SQL_HANDLE_STMT, st, 0, "tracking store: fetch failed");
			break;
		}
		memset(vals, 0, sizeof(vals));
		for (c = 0; c < ncols && rc == 0; c++)
			rc = get_text(st, c + 1, &vals[c], err);
		if (rc == 0)
			rc = fn(vals, ctx, err);
		for (c = 0; c < ncols; c++)
			free(vals[c]);
		if (rc)
			break;
	}
done:
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	return rc;
}

#define DISP_COLS "rule_id, table_name, record_key, disposition, comment, by_name," \
	" reviewer, at, status"

static int
add_disp(char **v, void *ctx, struct bs_err *err)
{
	struct bs_disp_map *m = ctx;
	struct bs_disp_rec *r;
	enum bs_disp d;

	if (!v[0] || !v[1] || !v[2] || !v[3] || bs_disp_parse(v[3], &d) < 0)
		return bs_err_set(err, BS_EXIT_DATAERR,
		    "tracking store: malformed disposition row for rule %s",
		    v[0] ? v[0] : "?");
	BS_ALLOC_GROW(m->v, m->n + 1, m->alloc);
	r = &m->v[m->n++];
	memset(r, 0, sizeof(*r));
	r->rule_id = v[0]; r->table = v[1]; r->key = v[2];
	r->comment = v[4]; r->by = v[5]; r->reviewer = v[6]; r->at = v[7];
	r->status = v[8];
	r->disp = d;
	free(v[3]);
	memset(v, 0, 9 * sizeof(char *));	/* taken */
	return 0;
}

int
bs_disp_load(struct bs_track *t, const char *filing, struct bs_disp_map *m,
    struct bs_err *err)
{
	const char *p[1] = { filing };

	memset(m, 0, sizeof(*m));
	if (each_row(t, "SELECT " DISP_COLS " FROM bs_disposition WHERE filing = ?",
	    1, p, 9, add_disp, m, err) < 0) {
		bs_disp_map_release(m);
		return -1;
	}
	map_index(m);
	return 0;
}

static int
hash_row(char **v, void *ctx, struct bs_err *err)
{
	struct bs_sha256 *h = ctx;
	int i;

	(void)err;
	for (i = 0; i < 7; i++) {
		char len[24];
		int n = v[i] ? snprintf(len, sizeof(len), "%zu:", strlen(v[i])) :
			       snprintf(len, sizeof(len), "-:");

		bs_sha256_update(h, len, (size_t)n);
		if (v[i])
			bs_sha256_update(h, v[i], strlen(v[i]));
	}
	return 0;
}

int
bs_review_dispositions_sha256(struct bs_track *t, const char *filing, char *hex,
    struct bs_err *err)
{
	const char *p[1] = { filing };
	struct bs_sha256 h;

	bs_sha256_init(&h);
	/* what was decided, by whom; not when or in which import */
	if (each_row(t, "SELECT rule_id, table_name, record_key, disposition, comment,"
	    " by_name, reviewer FROM bs_disposition WHERE filing = ?"
	    " ORDER BY rule_id, table_name, record_key", 1, p, 7, hash_row, &h, err) < 0) {
		bs_sha256_release(&h);
		return -1;
	}
	bs_sha256_final_hex(&h, hex);
	return 0;
}

/* ---- validations ---- */

static int
first_two(char **v, void *ctx, struct bs_err *err)
{
	char **out = ctx;

	(void)err;
	if (!out[0]) {
		out[0] = v[0];
		out[1] = v[1];
		v[0] = v[1] = NULL;
	}
	return 0;
}

int
bs_review_latest_validation(struct bs_track *t, const char *filing,
    struct bs_validation *v, struct bs_err *err)
{
	const char *p[1] = { filing };
	char *row[2] = { NULL, NULL }, *mf;
	struct bs_jval *m = NULL;
	const struct bs_jval *outs;
	size_t i;

	memset(v, 0, sizeof(*v));
	if (each_row(t, "SELECT run_id, run_dir FROM bs_run WHERE program = 'baosong-validate'"
	    " AND filing = ? AND status = 'ok' ORDER BY run_id DESC",
	    1, p, 2, first_two, row, err) < 0)
		return -1;
	if (!row[0] || !row[1]) {
		free(row[0]);
		free(row[1]);
		return bs_err_set(err, BS_EXIT_NOINPUT,
		    "filing %s has no finished validation run (run baosong-validate "
		    "--report first)", filing);
	}
	v->run_id = row[0];
	v->run_dir = row[1];
	mf = bs_xasprintf("%s/manifest.json", v->run_dir);
	if (bs_json_load(mf, &m, err) < 0) {
		free(mf);
		bs_validation_release(v);
		return -1;
	}
	free(mf);
	if (!bs_jget_str(m, "data_sha256")) {
		bs_jval_free(m);
		bs_validation_release(v);
		return bs_err_set(err, BS_EXIT_DATAERR,
		    "validation run %s: manifest has no data_sha256", row[0]);
	}
	v->data_sha256 = bs_xstrdup(bs_jget_str(m, "data_sha256"));
	outs = bs_jget(m, "outputs");
	for (i = 0; outs && outs->type == BS_JARR && i < outs->n; i++) {
		const char *name = bs_jget_str(&outs->items[i], "name");

		if (name && !strcmp(name, "review.xlsx") &&
		    bs_jget_str(&outs->items[i], "sha256"))
			v->workbook_sha256 = bs_xstrdup(bs_jget_str(&outs->items[i], "sha256"));
	}
	bs_jval_free(m);
	return 0;
}

void
bs_validation_release(struct bs_validation *v)
{
	if (!v)
		return;
	free(v->run_id);
	free(v->run_dir);
	free(v->data_sha256);
	free(v->workbook_sha256);
	memset(v, 0, sizeof(*v));
}

/* ---- roles and approvals ---- */

int
bs_review_roles(struct bs_report *r, char ***roles, size_t *n, struct bs_err *err)
{
	yaml_node_t *a = bs_yaml_get(&r->y, bs_yaml_root(&r->y), "approvals");
	size_t i, j;

	*roles = NULL;
	*n = 0;
	if (!a)
		return bs_err_set(err, BS_EXIT_CONFIG,
		    "%s: report '%s' names no approvals: (the roles that must approve, "
		    "in order)", r->file, r->name);
	if (bs_yaml_expect(&r->y, a, YAML_SEQUENCE_NODE, "'approvals'", err) < 0)
		return -1;
	*roles = bs_xcalloc(bs_yaml_len(a) + 1, sizeof(char *));
	for (i = 0; i < bs_yaml_len(a); i++) {
		yaml_node_t *it = bs_yaml_item(&r->y, a, i);
		const char *s = bs_yaml_str(it);

		if (!s || !*s) {
			bs_review_roles_free(*roles, *n);
			*roles = NULL;
			*n = 0;
			return bs_yaml_error(&r->y, it, err, "an approval is a role name");
		}
		for (j = 0; j < *n; j++)
			if (!strcmp((*roles)[j], s)) {
				bs_review_roles_free(*roles, *n);
				*roles = NULL;
				*n = 0;
				return bs_yaml_error(&r->y, it, err,
				    "role '%s' is listed twice", s);
			}
		(*roles)[(*n)++] = bs_xstrdup(s);
	}
	return 0;
}

void
bs_review_roles_free(char **roles, size_t n)
{
	size_t i;

	for (i = 0; roles && i < n; i++)
		free(roles[i]);
	free(roles);
}

struct appr_ctx {
	struct bs_approval_state *s;
	const char *data, *disp;
};

static int
latest_appr(char **v, void *ctx, struct bs_err *err)
{
	struct appr_ctx *a = ctx;

	int cur = v[2] && v[3] && !strcmp(v[2], a->data) && !strcmp(v[3], a->disp);

	(void)err;
	/* rows come newest first: keep the newest, or the one for this state */
	if (a->s->by && (a->s->current || !cur))
		return 0;
	free(a->s->by);
	free(a->s->at);
	a->s->by = v[0];
	a->s->at = v[1];
	v[0] = v[1] = NULL;
	a->s->current = cur;
	return 0;
}

int
bs_review_approvals(struct bs_track *t, struct bs_report *r, const char *filing,
    const char *data_sha256, const char *disp_sha256,
    struct bs_approval_state **states, size_t *n, struct bs_err *err)
{
	char **roles;
	size_t nr, i;

	*states = NULL;
	*n = 0;
	if (bs_review_roles(r, &roles, &nr, err) < 0)
		return -1;
	*states = bs_xcalloc(nr + 1, sizeof(**states));
	for (i = 0; i < nr; i++) {
		const char *p[2] = { filing, roles[i] };
		struct appr_ctx a = { &(*states)[i], data_sha256, disp_sha256 };

		(*states)[i].role = roles[i];
		roles[i] = NULL;
		*n = i + 1;
		if (each_row(t, "SELECT by_name, at, data_sha256, dispositions_sha256"
		    " FROM bs_approval WHERE filing = ? AND role = ? ORDER BY at DESC",
		    2, p, 4, latest_appr, &a, err) < 0) {
			bs_review_roles_free(roles, nr);
			bs_review_states_free(*states, *n);
			*states = NULL;
			*n = 0;
			return -1;
		}
	}
	bs_review_roles_free(roles, nr);
	return 0;
}

void
bs_review_states_free(struct bs_approval_state *s, size_t n)
{
	size_t i;

	for (i = 0; s && i < n; i++) {
		free(s[i].role);
		free(s[i].by);
		free(s[i].at);
	}
	free(s);
}

int
bs_review_is_approved(struct bs_track *t, struct bs_report *r, const char *filing,
    const char *data_sha256, struct bs_err *err)
{
	struct bs_validation v;
	struct bs_approval_state *st = NULL;
	char disp[BS_SHA256_HEX];
	size_t n = 0, i;
	int rc = -1;

	if (bs_review_latest_validation(t, filing, &v, err) < 0)
		return -1;
	if (strcmp(v.data_sha256, data_sha256) != 0) {
		bs_err_set(err, BS_EXIT_REJECTED,
		    "filing %s: these data (SHA-256 %.12s…) are not what the latest "
		    "validation %s checked (%.12s…)", filing, data_sha256, v.run_id,
		    v.data_sha256);
		rc = 0;
		goto done;
	}
	if (bs_review_dispositions_sha256(t, filing, disp, err) < 0 ||
	    bs_review_approvals(t, r, filing, data_sha256, disp, &st, &n, err) < 0)
		goto done;
	rc = 1;
	for (i = 0; i < n; i++)
		if (!st[i].current) {
			bs_err_set(err, BS_EXIT_REJECTED, "filing %s: %s has %s", filing,
			    st[i].role, st[i].by ? "approved a state that has since changed "
			    "(stale approval)" : "not approved");
			rc = 0;
			break;
		}
	if (n == 0) {
		bs_err_set(err, BS_EXIT_CONFIG, "filing %s: no roles to approve", filing);
		rc = -1;
	}
done:
	bs_review_states_free(st, n);
	bs_validation_release(&v);
	return rc;
}

/* ---- problems of a run ---- */

int
bs_review_problems_load(const char *run_dir, struct bs_disp_map *m,
    struct bs_err *err)
{
	static const char *const need[] = { "rule_id", "severity", "table", "key",
		"owner", "message" };
	struct bs_csv_opts o = BS_CSV_OPTS_INIT;
	struct bs_csv_reader r;
	long ix[6];
	char *path = bs_xasprintf("%s/problems.csv", run_dir);
	size_t i;
	int rc;

	memset(m, 0, sizeof(*m));
	rc = bs_csv_open(&r, path, &o, err);
	free(path);
	if (rc < 0)
		return -1;
	for (i = 0; i < BS_ARRAY_SIZE(need); i++) {
		ix[i] = bs_csv_header_index(&r, need[i]);
		if (ix[i] < 0) {
			bs_csv_close(&r);
			return bs_err_set(err, BS_EXIT_DATAERR,
			    "%s: not a problem list (no column '%s')", bs_csv_name(&r),
			    need[i]);
		}
	}
	while ((rc = bs_csv_next(&r, err)) == 1) {
		const char *rule = bs_csv_field(&r, (size_t)ix[0], NULL);
		const char *table = bs_csv_field(&r, (size_t)ix[2], NULL);
		const char *key = bs_csv_field(&r, (size_t)ix[3], NULL);
		struct bs_disp_rec *p;

		if (!rule || !table)
			continue;
		if (!key)
			key = "";
		if (m->nslots && bs_disp_find(m, rule, table, key))
			continue;
		BS_ALLOC_GROW(m->v, m->n + 1, m->alloc);
		p = &m->v[m->n++];
		memset(p, 0, sizeof(*p));
		p->rule_id = bs_xstrdup(rule);
		p->table = bs_xstrdup(table);
		p->key = bs_xstrdup(key);
		p->severity = bs_xstrdup(bs_csv_field(&r, (size_t)ix[1], NULL) ?
		    bs_csv_field(&r, (size_t)ix[1], NULL) : "");
		p->owner = bs_xstrdup(bs_csv_field(&r, (size_t)ix[4], NULL) ?
		    bs_csv_field(&r, (size_t)ix[4], NULL) : "");
		p->message = bs_xstrdup(bs_csv_field(&r, (size_t)ix[5], NULL) ?
		    bs_csv_field(&r, (size_t)ix[5], NULL) : "");
		if (m->n * 2 + 16 > m->nslots)
			map_index(m);
		else {
			size_t s = (size_t)hash3(rule, table, key) & (m->nslots - 1);

			while (m->slots[s])
				s = (s + 1) & (m->nslots - 1);
			m->slots[s] = m->n;
		}
	}
	bs_csv_close(&r);
	if (rc < 0) {
		bs_disp_map_release(m);
		return -1;
	}
	if (!m->nslots)
		map_index(m);
	return 0;
}

struct carry_args {
	const char *filing, *run_id;
	struct bs_disp_map *m;
};

static int
carry_fn(struct bs_track *t, struct carry_args *a, struct bs_err *err)
{
	unsigned long open = 0, reopened = 0, closed = 0;
	struct bs_buf d = BS_BUF_INIT(0);
	size_t i;
	int rc;

	for (i = 0; i < a->m->n; i++) {
		struct bs_disp_rec *r = &a->m->v[i];
		const char *st = !r->seen ? "closed" :
		    r->disp == BS_DISP_FIXED ? "reopened" : "open";
		const char *p[5] = { st, a->filing, r->rule_id, r->table, r->key };

		if (!strcmp(st, "closed"))
			closed++;
		else if (!strcmp(st, "reopened"))
			reopened++;
		else
			open++;
		if (r->status && !strcmp(r->status, st))
			continue;
		if (bs_db_execp(&t->db, "UPDATE bs_disposition SET status = ? WHERE filing = ?"
		    " AND rule_id = ? AND table_name = ? AND record_key = ?", 5, p, err) < 0)
			return -1;
	}
	bs_buf_addf(&d, "{\"open\": %lu, \"reopened\": %lu, \"closed\": %lu}",
	    open, reopened, closed);
	rc = bs_track_event_in_tx(t, "review.carry", a->filing, a->run_id, NULL,
	    d.buf, err);
	bs_buf_release(&d);
	return rc;
}

int
bs_review_carry_finish(struct bs_track *t, const char *filing, const char *run_id,
    struct bs_disp_map *m, struct bs_err *err)
{
	struct carry_args a = { filing, run_id, m };

	if (!m->n)
		return 0;
	if (bs_db_begin(&t->db, err) < 0)
		return -1;
	if (carry_fn(t, &a, err) < 0) {
		bs_db_rollback(&t->db);
		return bs_err_prefix(err, "cannot carry dispositions of %s", filing);
	}
	return bs_db_commit(&t->db, err);
}
