#include "bs.h"
#include "report.h"
#include "sha256.h"

/* ---- parameters ---- */

const char *
bs_param_type_name(enum bs_param_type t)
{
	switch (t) {
	case BS_P_DATE: return "date";
	case BS_P_INT: return "integer";
	case BS_P_MONTH: return "month";
	case BS_P_TEXT: break;
	}
	return "text";
}

struct bs_param *
bs_params_get(const struct bs_params *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].name, name))
			return &p->v[i];
	return NULL;
}

void
bs_params_set(struct bs_params *p, const char *name, const char *value,
    enum bs_param_type type, int given)
{
	struct bs_param *q = bs_params_get(p, name);

	if (!q) {
		BS_ALLOC_GROW(p->v, p->n + 1, p->alloc);
		q = &p->v[p->n++];
		memset(q, 0, sizeof(*q));
		q->name = bs_xstrdup(name);
	}
	free(q->value);
	q->value = bs_xstrdup(value);
	q->type = type;
	q->given = given;
}

int
bs_params_parse_arg(struct bs_params *p, const char *arg, struct bs_err *err)
{
	const char *eq = strchr(arg, '=');
	const char *s;
	char *name;

	if (!eq || eq == arg)
		return bs_err_set(err, BS_EXIT_USAGE,
		    "--param wants NAME=VALUE, not '%s'", arg);
	for (s = arg; s < eq; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return bs_err_set(err, BS_EXIT_USAGE,
			    "--param '%s': a name has letters, digits and _ only", arg);
	name = bs_xstrndup(arg, (size_t)(eq - arg));
	bs_params_set(p, name, eq + 1, BS_P_TEXT, 1);
	free(name);
	return 0;
}

void
bs_params_release(struct bs_params *p)
{
	size_t i;

	for (i = 0; p && i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].value);
	}
	if (p) {
		free(p->v);
		memset(p, 0, sizeof(*p));
	}
}

int
bs_days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[(m - 1) % 12];
}

static int
digits(const char *s, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

int
bs_param_check(const char *name, const char *v, enum bs_param_type t,
    struct bs_err *err)
{
	size_t n = strlen(v);

	switch (t) {
	case BS_P_MONTH:
		if (n == 7 && digits(v, 4) && v[4] == '-' && digits(v + 5, 2)) {
			int m = (v[5] - '0') * 10 + (v[6] - '0');

			if (m >= 1 && m <= 12)
				return 0;
		}
		return bs_err_set(err, BS_EXIT_USAGE,
		    "parameter '%s': '%s' is not a month (YYYY-MM)", name, v);
	case BS_P_DATE:
		if (n == 10 && digits(v, 4) && v[4] == '-' && digits(v + 5, 2) &&
		    v[7] == '-' && digits(v + 8, 2)) {
			int y = (v[0] - '0') * 1000 + (v[1] - '0') * 100 +
				(v[2] - '0') * 10 + (v[3] - '0');
			int m = (v[5] - '0') * 10 + (v[6] - '0');
			int d = (v[8] - '0') * 10 + (v[9] - '0');

			if (m >= 1 && m <= 12 && d >= 1 && d <= bs_days_in_month(y, m))
				return 0;
		}
		return bs_err_set(err, BS_EXIT_USAGE,
		    "parameter '%s': '%s' is not a date (YYYY-MM-DD)", name, v);
	case BS_P_INT: {
		const char *s = v + (*v == '-');

		if (*s && digits(s, (int)strlen(s)) && strlen(s) <= 18)
			return 0;
		return bs_err_set(err, BS_EXIT_USAGE,
		    "parameter '%s': '%s' is not a whole number", name, v);
	}
	case BS_P_TEXT:
		break;
	}
	return 0;
}

/* ---- report definitions ---- */

static int
is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *
find_report(const char *spec, const struct bs_workspace *ws)
{
	size_t i;
	char *p;

	if (is_dir(spec))
		return bs_xstrdup(spec);
	if (strchr(spec, '/'))
		return NULL;
	for (i = 0; ws && i < ws->nreport_dirs; i++) {
		p = bs_xasprintf("%s/%s", ws->report_dirs[i], spec);
		if (is_dir(p))
			return p;
		free(p);
	}
	p = bs_xasprintf("%s/rules/%s", BS_DATADIR, spec);
	if (is_dir(p))
		return p;
	free(p);
	return NULL;
}

static int
parse_type(struct bs_yaml *y, yaml_node_t *n, const char *s, enum bs_param_type *t,
    struct bs_err *err)
{
	if (!strcmp(s, "text"))
		*t = BS_P_TEXT;
	else if (!strcmp(s, "date"))
		*t = BS_P_DATE;
	else if (!strcmp(s, "integer"))
		*t = BS_P_INT;
	else if (!strcmp(s, "month"))
		*t = BS_P_MONTH;
	else
		return bs_yaml_error(y, n, err,
		    "unknown parameter type '%s' (text, date, integer or month)", s);
	return 0;
}

static int
parse_table(struct bs_report *r, yaml_node_t *n, struct bs_report_table *t,
    struct bs_err *err)
{
	static const char *const keys[] = { "name", "title", "query", "decimals",
		"rules", "owner", "key", NULL };
	struct bs_yaml *y = &r->y;
	const char *s;
	yaml_node_t *dec;
	size_t i;

	if (bs_yaml_expect(y, n, YAML_MAPPING_NODE, "a table", err) < 0 ||
	    bs_yaml_check_keys(y, n, keys, err) < 0 ||
	    bs_yaml_need_str(y, n, "name", &s, err) < 0)
		return -1;
	t->name = bs_xstrdup(s);
	if (bs_yaml_get_str(y, n, "title", &s, err) < 0)
		return -1;
	t->title = bs_xstrdup(bs_yaml_get(y, n, "title") ? s : t->name);
	if (bs_yaml_need_str(y, n, "query", &s, err) < 0)
		return -1;
	t->query = bs_path_join(r->dir, s);
	if (access(t->query, R_OK) != 0)
		return bs_yaml_error(y, bs_yaml_get(y, n, "query"), err,
		    "table '%s': cannot read query file '%s': %s", t->name, t->query,
		    strerror(errno));
	dec = bs_yaml_get(y, n, "decimals");
	if (dec) {
		if (bs_yaml_expect(y, dec, YAML_MAPPING_NODE, "'decimals'", err) < 0)
			return -1;
		t->ndec = bs_yaml_len(dec);
		t->dec_cols = bs_xcalloc(t->ndec, sizeof(char *));
		t->dec_scales = bs_xcalloc(t->ndec, sizeof(int));
		for (i = 0; i < t->ndec; i++) {
			yaml_node_t *k, *v;
			const char *vs;
			char *end;
			long sc;

			bs_yaml_pair(y, dec, i, &k, &v);
			vs = bs_yaml_str(v);
			/* digits only: strtol alone takes "", " 2" and "+2" */
			sc = vs && isdigit((unsigned char)*vs) ? strtol(vs, &end, 10) : -1;
			if (sc < 0 || *end || sc > 18)
				return bs_yaml_error(y, v, err,
				    "decimal scale of '%s' must be a whole number from 0 to 18",
				    bs_yaml_str(k) ? bs_yaml_str(k) : "?");
			t->dec_cols[i] = bs_xstrdup(bs_yaml_str(k));
			t->dec_scales[i] = (int)sc;
		}
	}
	return 0;
}

static int
parse_report(struct bs_report *r, struct bs_err *err)
{
	static const char *const keys[] = { "report", "title", "connection", "params",
		"tables", "rules", "layout", "approvals", "deadline", "owner", "refs",
		NULL };
	struct bs_yaml *y = &r->y;
	yaml_node_t *root = bs_yaml_root(y), *params, *tables;
	const char *s;
	size_t i, j;

	if (!root)
		return bs_yaml_error(y, NULL, err, "empty report definition");
	if (bs_yaml_expect(y, root, YAML_MAPPING_NODE, "a report definition", err) < 0 ||
	    bs_yaml_check_keys(y, root, keys, err) < 0 ||
	    bs_yaml_need_str(y, root, "report", &s, err) < 0)
		return -1;
	r->name = bs_xstrdup(s);
	if (strchr(s, '/') || strchr(s, ' '))
		return bs_yaml_error(y, bs_yaml_get(y, root, "report"), err,
		    "a report name has no '/' or spaces");
	if (bs_yaml_get_str(y, root, "title", &s, err) < 0)
		return -1;
	r->title = bs_xstrdup(bs_yaml_get(y, root, "title") ? s : r->name);
	if (bs_yaml_get_str(y, root, "connection", &s, err) < 0)
		return -1;
	if (bs_yaml_get(y, root, "connection"))
		r->connection = bs_xstrdup(s);

	params = bs_yaml_get(y, root, "params");
	if (params) {
		if (bs_yaml_expect(y, params, YAML_MAPPING_NODE, "'params'", err) < 0)
			return -1;
		for (i = 0; i < bs_yaml_len(params); i++) {
			static const char *const pkeys[] = { "type", "description", NULL };
			enum bs_param_type t = BS_P_TEXT;
			yaml_node_t *k, *v, *tn;

			bs_yaml_pair(y, params, i, &k, &v);
			if (!bs_yaml_str(k))
				return bs_yaml_error(y, k, err,
				    "a parameter name is a single word");
			if (bs_yaml_expect(y, v, YAML_MAPPING_NODE, "a parameter", err) < 0 ||
			    bs_yaml_check_keys(y, v, pkeys, err) < 0)
				return -1;
			tn = bs_yaml_get(y, v, "type");
			if (tn && (!bs_yaml_str(tn) ||
			    parse_type(y, tn, bs_yaml_str(tn), &t, err) < 0))
				return tn && !bs_yaml_str(tn) ?
				    bs_yaml_error(y, tn, err, "a type is a single word") : -1;
			bs_params_set(&r->params, bs_yaml_str(k), "", t, 0);
		}
	}
	tables = bs_yaml_get(y, root, "tables");
	if (!tables)
		return bs_yaml_error(y, root, err, "missing required key 'tables'");
	if (bs_yaml_expect(y, tables, YAML_SEQUENCE_NODE, "'tables'", err) < 0)
		return -1;
	r->ntables = bs_yaml_len(tables);
	r->tables = bs_xcalloc(r->ntables, sizeof(*r->tables));
	for (i = 0; i < r->ntables; i++) {
		yaml_node_t *n = bs_yaml_item(y, tables, i);

		if (parse_table(r, n, &r->tables[i], err) < 0)
			return -1;
		for (j = 0; j < i; j++)
			if (!strcmp(r->tables[j].name, r->tables[i].name))
				return bs_yaml_error(y, n, err, "table '%s' is listed twice",
				    r->tables[i].name);
	}
	return 0;
}

int
bs_report_load(struct bs_report *r, const char *spec,
    const struct bs_workspace *ws, struct bs_err *err)
{
	char *dir;

	memset(r, 0, sizeof(*r));
	dir = find_report(spec, ws);
	if (!dir)
		return bs_err_set(err, BS_EXIT_NOINPUT,
		    "report definition '%s' not found (a folder, or a name under %s%s"
		    "%s/rules)", spec, ws && ws->nreport_dirs ? ws->report_dirs[0] : "",
		    ws && ws->nreport_dirs ? " or " : "", BS_DATADIR);
	r->dir = bs_realpath(dir, err);
	free(dir);
	if (!r->dir)
		return -1;
	r->file = bs_xasprintf("%s/report.yaml", r->dir);
	if (bs_sha256_file(r->file, r->sha256, NULL, err) < 0 ||
	    bs_yaml_load(&r->y, r->file, err) < 0 || parse_report(r, err) < 0) {
		bs_report_release(r);
		return -1;
	}
	return 0;
}

void
bs_report_release(struct bs_report *r)
{
	size_t i, j;

	if (!r)
		return;
	for (i = 0; i < r->ntables; i++) {
		struct bs_report_table *t = &r->tables[i];

		free(t->name);
		free(t->title);
		free(t->query);
		for (j = 0; j < t->ndec; j++)
			free(t->dec_cols[j]);
		free(t->dec_cols);
		free(t->dec_scales);
	}
	free(r->tables);
	bs_params_release(&r->params);
	free(r->dir);
	free(r->file);
	free(r->name);
	free(r->title);
	free(r->connection);
	bs_yaml_free(&r->y);
	memset(r, 0, sizeof(*r));
}

const struct bs_report_table *
bs_report_table(const struct bs_report *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->ntables; i++)
		if (!strcmp(r->tables[i].name, name))
			return &r->tables[i];
	return NULL;
}

int
bs_report_table_scale(const struct bs_report_table *t, const char *col)
{
	size_t i;

	for (i = 0; t && i < t->ndec; i++)
		if (!strcasecmp(t->dec_cols[i], col))
			return t->dec_scales[i];
	return -1;
}

int
bs_report_resolve_params(const struct bs_report *r, struct bs_params *p,
    const struct bs_workspace *ws, struct bs_err *err)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		struct bs_param *d = r ? bs_params_get(&r->params, p->v[i].name) : NULL;

		if (d)
			p->v[i].type = d->type;
		if (bs_param_check(p->v[i].name, p->v[i].value, p->v[i].type, err) < 0)
			return -1;
	}
	for (i = 0; r && i < r->params.n; i++)
		if (!bs_params_get(p, r->params.v[i].name))
			return bs_err_set(err, BS_EXIT_USAGE,
			    "report '%s' needs --param %s=<%s>", r->name,
			    r->params.v[i].name, bs_param_type_name(r->params.v[i].type));
	for (i = 0; i < p->n; i++) {
		struct bs_param *q = &p->v[i];

		if (q->type == BS_P_MONTH && !strcmp(q->name, "period")) {
			char start[16], end[16];
			int y = (int)strtol(q->value, NULL, 10);
			int m = (int)strtol(q->value + 5, NULL, 10);

			snprintf(start, sizeof(start), "%.7s-01", q->value);
			snprintf(end, sizeof(end), "%.7s-%02d", q->value,
			    bs_days_in_month(y, m));
			if (!bs_params_get(p, "period_start"))
				bs_params_set(p, "period_start", start, BS_P_DATE, 0);
			if (!bs_params_get(p, "period_end"))
				bs_params_set(p, "period_end", end, BS_P_DATE, 0);
			q = &p->v[i];	/* the array may have moved */
		}
	}
	if (ws && !bs_params_get(p, "institution_code"))
		bs_params_set(p, "institution_code", ws->institution_code, BS_P_TEXT, 0);
	return 0;
}
