#include "bs.h"
#include "rules.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <dirent.h>

#include "bytepat.h"
#include "date.h"
#include "idcheck.h"
#include "refcsv.h"
#include "sha256.h"
#include "yamldoc.h"

#define RULE_FILE_MAX ((size_t)16 << 20)

struct bs_rule_regex {
	pcre2_code *code;
	pcre2_match_data *md;
	int jit;
	int fixed;		/* a fixed-length ASCII pattern: bp matches */
	struct bs_bytepat bp;
};

/* A diagnostic before sorting. */
struct diag {
	size_t file;		/* index into rs->files; SIZE_MAX: none */
	unsigned long line, col;
	char *text;		/* the whole line */
};

struct rfile {
	size_t idx;		/* into rs->files */
	const char *path;
	char *dir;		/* its directory */
	char *text;
	size_t len;
	size_t *line_off;	/* byte offset of each line */
	size_t nlines;
	struct bs_yaml y;
	int loaded;		/* parsed as YAML */
	int usable;		/* has a table */
	size_t table;
	const char *owner;	/* default owner, borrowed from y */
};

/* A rule id seen, for duplicate detection. */
struct seen_id {
	const char *id;		/* borrowed from a yaml document */
	struct bs_rpos pos;
};

struct loader {
	struct bs_rules *rs;
	const struct bs_rules_opts *o;
	struct rfile *f;
	size_t nf;
	struct diag *d;
	size_t nd, ad;
	struct seen_id *ids;
	size_t nids, aids;
	char pstart[16], pend[16];	/* :period_start, :period_end */
	int have_period;
};

static const char *const check_names[] = { "assert", "required", "unique",
	"pattern", "in", "exists", "type", "rows", "reconcile", NULL };

const char *
bs_rule_kind_name(enum bs_rule_kind k)
{
	switch (k) {
	case BS_RULE_ASSERT: return "assert";
	case BS_RULE_REQUIRED: return "required";
	case BS_RULE_UNIQUE: return "unique";
	case BS_RULE_PATTERN: return "pattern";
	case BS_RULE_IN: return "in";
	case BS_RULE_EXISTS: return "exists";
	case BS_RULE_TYPE: return "type";
	case BS_RULE_ROWS: return "rows";
	case BS_RULE_RECONCILE: return "reconcile";
	}
	return "?";
}

const char *
bs_rpos_str(const struct bs_rpos *p, char *buf, size_t size)
{
	snprintf(buf, size, "%s:%lu:%lu", p->file ? p->file : "?", p->line, p->column);
	return buf;
}

/* ------------------------------------------------------------ diagnostics */

static void
vdiag(struct loader *L, size_t fi, unsigned long line, unsigned long col,
    const char *fmt, va_list ap)
{
	char msg[BS_ERR_MSG_MAX];
	struct diag *d;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	BS_ALLOC_GROW(L->d, L->nd + 1, L->ad);
	d = &L->d[L->nd++];
	d->file = fi;
	d->line = line;
	d->col = col;
	if (fi == SIZE_MAX)
		d->text = bs_xstrdup(msg);
	else if (line == 0)
		d->text = bs_xasprintf("%s: %s", L->rs->files[fi], msg);
	else
		d->text = bs_xasprintf("%s:%lu:%lu: %s", L->rs->files[fi], line, col, msg);
}

static void __attribute__((format(printf, 5, 6)))
diag_at(struct loader *L, const struct rfile *f, unsigned long line,
    unsigned long col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(L, f->idx, line, col, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 4, 5)))
diag(struct loader *L, const struct rfile *f, const yaml_node_t *n,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (n)
		vdiag(L, f->idx, (unsigned long)n->start_mark.line + 1,
		    (unsigned long)n->start_mark.column + 1, fmt, ap);
	else
		vdiag(L, f->idx, 0, 0, fmt, ap);
	va_end(ap);
}

/* A message that already carries its position (file:line:column). */
static void
diag_raw(struct loader *L, size_t fi, const char *msg)
{
	struct diag *d;

	BS_ALLOC_GROW(L->d, L->nd + 1, L->ad);
	d = &L->d[L->nd++];
	d->file = fi;
	d->line = 0;
	d->col = 0;
	d->text = bs_xstrdup(msg);
}

/* A diag at a stored position (in the file it names). */
static void __attribute__((format(printf, 3, 4)))
vdiag_pos(struct loader *L, const struct bs_rpos *p, const char *fmt, ...)
{
	va_list ap;
	size_t fi;

	for (fi = 0; fi < L->rs->nfiles && L->rs->files[fi] != p->file; fi++)
		;
	va_start(ap, fmt);
	vdiag(L, fi < L->rs->nfiles ? fi : SIZE_MAX, p->line, p->column, fmt, ap);
	va_end(ap);
}

static int
diag_cmp(const void *a, const void *b)
{
	const struct diag *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return 0;
}

static struct bs_rpos
node_pos(const struct rfile *f, const yaml_node_t *n)
{
	struct bs_rpos p;

	p.file = f->path;
	p.line = n ? (unsigned long)n->start_mark.line + 1 : 0;
	p.column = n ? (unsigned long)n->start_mark.column + 1 : 0;
	return p;
}

/* ---------------------------------------------- positions inside scalars */

static size_t
u8len(unsigned char c)
{
	return c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

/*
 * The file position of character (tl, tc) - 1-based line and column of the
 * scalar's decoded text, as the expression compiler counts them - of
 * scalar node n.  Walks the raw text undoing quoting, escapes, folding and
 * block indentation.
 */
static struct bs_rpos
scalar_pos(const struct rfile *f, const yaml_node_t *n, int tl, int tc)
{
	struct bs_rpos r;
	size_t line = n->start_mark.line, col = n->start_mark.column, k, indent = 0;
	const char *p, *end = f->text + f->len;
	yaml_scalar_style_t style = n->data.scalar.style;
	int dl = 1, dc = 1;

	r.file = f->path;
	if (line >= f->nlines) {
		r.line = line + 1;
		r.column = col + 1;
		return r;
	}
	p = f->text + f->line_off[line];
	for (k = 0; k < col && p < end && *p != '\n'; k++)
		p += u8len((unsigned char)*p);
	if (style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
	    style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
		p++;
		col++;
	} else if (style == YAML_LITERAL_SCALAR_STYLE ||
	    style == YAML_FOLDED_SCALAR_STYLE) {
		const char *q;

		while (p < end && *p != '\n')
			p++;
		if (p < end) {
			p++;
			line++;
			col = 0;
		}
		for (q = p;;) {
			indent = 0;
			while (q + indent < end && q[indent] == ' ')
				indent++;
			if (q + indent < end && q[indent] == '\n') {
				q += indent + 1;
				continue;
			}
			break;
		}
		while (p < end && *p == ' ' && col < indent) {
			p++;
			col++;
		}
	}
	while (p < end) {
		unsigned char c = (unsigned char)*p;

		if (dl > tl || (dl == tl && dc >= tc))
			break;
		if (c == '\n') {
			int blanks = 0;

			p++;
			line++;
			col = 0;
			if (style == YAML_LITERAL_SCALAR_STYLE) {
				while (p < end && *p == ' ' && col < indent) {
					p++;
					col++;
				}
				dl++;
				dc = 1;
				continue;
			}
			for (;;) {
				while (p < end && (*p == ' ' || *p == '\t')) {
					p++;
					col++;
				}
				if (p < end && *p == '\n') {
					blanks++;
					p++;
					line++;
					col = 0;
					continue;
				}
				break;
			}
			if (blanks) {
				dl += blanks;
				dc = 1;
			} else {
				dc++;
			}
			continue;
		}
		if (style == YAML_SINGLE_QUOTED_SCALAR_STYLE && c == '\'') {
			if (p + 1 < end && p[1] == '\'') {
				p += 2;
				col += 2;
				dc++;
				continue;
			}
			break;
		}
		if (style == YAML_DOUBLE_QUOTED_SCALAR_STYLE && c == '"')
			break;
		if (style == YAML_DOUBLE_QUOTED_SCALAR_STYLE && c == '\\' && p + 1 < end) {
			char e = p[1];

			k = e == 'x' ? 4 : e == 'u' ? 6 : e == 'U' ? 10 : 2;
			if (e == '\n') {
				p += 2;
				line++;
				col = 0;
				while (p < end && (*p == ' ' || *p == '\t')) {
					p++;
					col++;
				}
				continue;
			}
			if ((size_t)(end - p) < k)
				k = (size_t)(end - p);
			p += k;
			col += k;
			dc++;
			continue;
		}
		p += u8len(c);
		col++;
		dc++;
	}
	r.line = line + 1;
	r.column = col + 1;
	return r;
}

/* Character offset (0-based, of a one-line decoded text) from a byte offset. */
static int
char_col(const char *s, size_t off)
{
	size_t i;
	int c = 0;

	for (i = 0; i < off; i += u8len((unsigned char)s[i]))
		c++;
	return c;
}

/* ------------------------------------------------------------ tables */

static int
table_known(const struct loader *L, const char *name)
{
	const char *const *t;

	if (!L->o->known_tables)
		return 1;
	for (t = L->o->known_tables; *t; t++)
		if (!strcmp(*t, name))
			return 1;
	return 0;
}

long
bs_rules_table(const struct bs_rules *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->ntables; i++)
		if (!strcmp(rs->tables[i].name, name))
			return (long)i;
	return -1;
}

static size_t
table_add(struct bs_rules *rs, const char *name, struct bs_rpos pos)
{
	long i = bs_rules_table(rs, name);
	struct bs_rtable *t;

	if (i >= 0)
		return (size_t)i;
	BS_ALLOC_GROW(rs->tables, rs->ntables + 1, rs->atables);
	t = &rs->tables[rs->ntables];
	memset(t, 0, sizeof(*t));
	t->name = bs_xstrdup(name);
	t->pos = pos;
	return rs->ntables++;
}

static long
col_find(const struct bs_rtable *t, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (strlen(t->cols[i].name) == len && !memcmp(t->cols[i].name, name, len))
			return (long)i;
	return -1;
}

static size_t
col_add(struct bs_rtable *t, const char *name, size_t len, struct bs_rpos pos)
{
	struct bs_rcol *c;

	BS_ALLOC_GROW(t->cols, t->ncols + 1, t->acols);
	c = &t->cols[t->ncols];
	memset(c, 0, sizeof(*c));
	c->name = bs_xstrndup(name, len);
	c->type.type = BS_TYPE_TEXT;
	c->pos = pos;
	c->field = -1;
	c->lookup = -1;
	return t->ncols++;
}

/*
 * Resolve a column of table ti used at pos: its index, or -1 when the
 * table's columns are declared and this is not one of them.
 */
static long
col_ref(struct bs_rules *rs, size_t ti, const char *name, size_t len,
    struct bs_rpos pos)
{
	struct bs_rtable *t = &rs->tables[ti];
	long i = col_find(t, name, len);

	if (i >= 0)
		return i;
	if (t->closed)
		return -1;
	return (long)col_add(t, name, len, pos);
}

static int
is_name(const char *s, size_t n)
{
	size_t i;

	if (!n || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	return 1;
}

/* The lookup of table ti called name (n bytes), or -1. */
static long
lookup_find(const struct bs_rules *rs, size_t ti, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < rs->nlookups; i++)
		if (rs->lookups[i].home == ti && strlen(rs->lookups[i].name) == n &&
		    !memcmp(rs->lookups[i].name, name, n))
			return (long)i;
	return -1;
}

/*
 * A name "lk.col" of table ti whose first part is a lookup of ti: the
 * index of that column in ti, added at first use.  -1 when the name has
 * no dot or its first part is not a lookup of ti; -2 with why when the
 * column cannot be read through the lookup.
 */
static long
lookup_col(struct bs_rules *rs, size_t ti, const char *name, size_t len,
    struct bs_rpos pos, char *why, size_t whysz)
{
	const char *dot = memchr(name, '.', len), *cn;
	struct bs_expr_col type = { BS_TYPE_TEXT, 0, 0, 0 };
	struct bs_rtable *ot;
	size_t cl, lcol = 0, j;
	long li, c;

	if (!dot)
		return -1;
	li = lookup_find(rs, ti, name, (size_t)(dot - name));
	if (li < 0)
		return -1;
	c = col_find(&rs->tables[ti], name, len);
	if (c >= 0)
		return c;
	cn = dot + 1;
	cl = len - (size_t)(cn - name);
	ot = &rs->tables[rs->lookups[li].table];
	if (!cl || memchr(cn, '.', cl)) {
		snprintf(why, whysz, "'%.*s': a lookup's column is written lookup.column",
		    (int)len, name);
		return -2;
	}
	if (rs->lookups[li].is_sum) {
		const struct bs_rlookup *lk = &rs->lookups[li];

		for (j = 0; j < lk->nsum; j++)
			if (strlen(ot->cols[lk->sum[j]].name) == cl &&
			    !memcmp(ot->cols[lk->sum[j]].name, cn, cl))
				break;
		if (j == lk->nsum) {
			snprintf(why, whysz, "lookup '%s' sums other columns: '%.*s' is not "
			    "in its sum:", lk->name, (int)cl, cn);
			return -2;
		}
		lcol = j;
		type.type = ot->cols[lk->sum[j]].type.type == BS_TYPE_INTEGER ?
		    BS_TYPE_INTEGER : BS_TYPE_DECIMAL;
	} else {
		long oc = col_find(ot, cn, cl);

		if (oc < 0) {
			if (ot->closed) {
				snprintf(why, whysz, "unknown column '%.*s': table '%s' "
				    "(lookup '%s') declares no such column in columns:",
				    (int)len, name, ot->name, rs->lookups[li].name);
				return -2;
			}
			oc = (long)col_add(ot, cn, cl, pos);
		}
		lcol = (size_t)oc;
		type = ot->cols[oc].type;
	}
	c = (long)col_add(&rs->tables[ti], name, len, pos);
	rs->tables[ti].cols[c].lookup = li;
	rs->tables[ti].cols[c].lcol = lcol;
	rs->tables[ti].cols[c].type = type;
	rs->tables[ti].cols[c].declared = 1;
	rs->tables[ti].cols[c].checked = type.type != BS_TYPE_TEXT;
	return c;
}

static void
diag_unknown_col(struct loader *L, const struct rfile *f, struct bs_rpos pos,
    size_t ti, const char *name, size_t len)
{
	diag_at(L, f, pos.line, pos.column,
	    "unknown column '%.*s': table '%s' declares no such column in columns:",
	    (int)len, name, L->rs->tables[ti].name);
}

/* A column of table ti, or of one of its lookups: index, or -1 after a diag. */
static long
col_use(struct loader *L, const struct rfile *f, size_t ti, const char *name,
    size_t len, struct bs_rpos pos)
{
	char why[BS_ERR_MSG_MAX];
	long c = lookup_col(L->rs, ti, name, len, pos, why, sizeof(why));

	if (c == -2) {
		diag_at(L, f, pos.line, pos.column, "%s", why);
		return -1;
	}
	if (c < 0)
		c = col_ref(L->rs, ti, name, len, pos);
	if (c < 0)
		diag_unknown_col(L, f, pos, ti, name, len);
	return c;
}

/* ------------------------------------------------------------ YAML helpers */

/* "decimal(20" is what YAML leaves of an unquoted decimal(20,2) in {...}. */
static const char *
comma_hint(const char *type)
{
	return strchr(type, '(') && !strchr(type, ')') ?
	    " (inside {...} a comma ends the value: quote it, \"decimal(20,2)\")" : "";
}

static const char *
scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int
is_null_scalar(const yaml_node_t *n)
{
	const char *s = scalar(n);

	return s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (!*s || !strcmp(s, "~") || !strcmp(s, "null"));
}

/* A non-empty single value, else a diag naming what; NULL then. */
static const char *
need_scalar(struct loader *L, struct rfile *f, yaml_node_t *map, const char *key,
    const char *what)
{
	yaml_node_t *v = bs_yaml_get(&f->y, map, key);
	const char *s = scalar(v);

	if (!v) {
		diag(L, f, map, "%smissing required key '%s'", what, key);
		return NULL;
	}
	if (!s) {
		diag(L, f, v, "%s'%s' must be a single value", what, key);
		return NULL;
	}
	if (!*s) {
		diag(L, f, v, "%s'%s' must not be empty", what, key);
		return NULL;
	}
	return s;
}

/* An optional single value: 1 absent, 0 present (*out), -1 diag. */
static int
opt_scalar(struct loader *L, struct rfile *f, yaml_node_t *map, const char *key,
    const char *what, const char **out)
{
	yaml_node_t *v = bs_yaml_get(&f->y, map, key);

	if (!v)
		return 1;
	if (!scalar(v)) {
		diag(L, f, v, "%s'%s' must be a single value", what, key);
		return -1;
	}
	*out = scalar(v);
	return 0;
}

/* Report keys of map not in allowed; returns how many. */
static int
check_keys(struct loader *L, struct rfile *f, yaml_node_t *map,
    const char *const *allowed, const char *what)
{
	size_t i, n = bs_yaml_len(map);
	int bad = 0;

	for (i = 0; i < n; i++) {
		yaml_node_t *k, *v;
		const char *ks;
		const char *const *a;

		bs_yaml_pair(&f->y, map, i, &k, &v);
		ks = scalar(k);
		if (!ks) {
			diag(L, f, k, "%skeys must be plain names", what);
			bad++;
			continue;
		}
		for (a = allowed; *a; a++)
			if (!strcmp(*a, ks))
				break;
		if (!*a) {
			/* "assert: f(a, b)" inside {...}: YAML cut it at the comma */
			diag(L, f, k, "%sunknown key '%s'%s", what, ks,
			    strpbrk(ks, " ()'=<>") ? " (inside {...} a comma ends the "
			    "value: quote the expression)" : "");
			bad++;
		}
	}
	return bad;
}

/* The key node of map whose value is v (for positions), else map. */
static yaml_node_t *
key_node(struct bs_yaml *y, yaml_node_t *map, const char *key)
{
	size_t i, n = bs_yaml_len(map);

	for (i = 0; i < n; i++) {
		yaml_node_t *k, *v;

		bs_yaml_pair(y, map, i, &k, &v);
		if (scalar(k) && !strcmp(scalar(k), key))
			return k;
	}
	return map;
}

/* ------------------------------------------------------------ expressions */

struct envctx {
	struct loader *L;
	struct rfile *f;
	size_t table;
	const yaml_node_t *node;	/* the expression's scalar */
	int failed_col;			/* a closed table lacked a name */
	char why[BS_ERR_MSG_MAX];	/* a better message than the parser's */
};

/* Where name first occurs as a word in the expression (for positions). */
static struct bs_rpos
name_pos(const struct envctx *e, const char *name, size_t len)
{
	const char *src = scalar(e->node);
	size_t n = e->node->data.scalar.length, i;
	int q = 0, line = 1, col = 1;

	for (i = 0; i + len <= n; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == '\'')
			q = !q;
		if (!q && !memcmp(src + i, name, len) &&
		    (i == 0 || !(isalnum((unsigned char)src[i - 1]) || src[i - 1] == '_')) &&
		    (i + len == n || !(isalnum((unsigned char)src[i + len]) ||
			src[i + len] == '_')))
			return scalar_pos(e->f, e->node, line, col);
		if (c == '\n') {
			line++;
			col = 1;
		} else if ((c & 0xc0) != 0x80) {
			col++;
		}
	}
	return scalar_pos(e->f, e->node, 1, 1);
}

static int
env_column(void *ctx, const char *name, size_t len, size_t *index,
    struct bs_expr_col *type)
{
	struct envctx *e = ctx;
	struct bs_rules *rs = e->L->rs;
	long i = lookup_col(rs, e->table, name, len, name_pos(e, name, len), e->why,
	    sizeof(e->why));

	if (i == -2)
		return -1;
	if (i < 0)
		i = col_find(&rs->tables[e->table], name, len);
	if (i < 0) {
		const char *dot = memchr(name, '.', len);

		if (dot && rs->tables[e->table].closed)
			snprintf(e->why, sizeof(e->why), "unknown column '%.*s' (table '%s' "
			    "has no lookup '%.*s')", (int)len, name,
			    rs->tables[e->table].name, (int)(dot - name), name);
		if (rs->tables[e->table].closed)
			return -1;
		i = (long)col_add(&rs->tables[e->table], name, len,
		    name_pos(e, name, len));
	}
	*index = (size_t)i;
	*type = rs->tables[e->table].cols[i].type;
	return 0;
}

static int
env_param(void *ctx, const char *name, size_t len, struct bs_expr_param *out)
{
	struct envctx *e = ctx;
	const struct loader *L = e->L;
	static const char *const names[] = { "period", "period_start", "period_end",
		"institution_code", NULL };
	size_t i;

	for (i = 0; names[i]; i++)
		if (strlen(names[i]) == len && !memcmp(names[i], name, len))
			break;
	if (!names[i])
		return -1;
	out->type.type = i == 1 || i == 2 ? BS_TYPE_DATE : BS_TYPE_TEXT;
	out->value = i == 0 ? L->o->period : i == 1 ? L->pstart : i == 2 ? L->pend :
	    L->o->institution_code;
	if (i < 3 && !L->have_period)
		out->value = NULL;
	if (out->value) {
		out->len = strlen(out->value);
		return 0;
	}
	if (L->o->check_only)
		return 0;
	out->why = i < 3 ? "no period for this run (give --report with --param "
	    "period=YYYY-MM, or --filing REPORT/PERIOD): cannot use" :
	    "no institution code (institution: code: in the workspace's "
	    "baosong.yaml): cannot use";
	return -1;
}

/*
 * Compile the expression held by scalar n in table ti's columns: a
 * condition when cond.  NULL after a diag.
 */
static struct bs_expr *
compile_expr(struct loader *L, struct rfile *f, size_t ti, yaml_node_t *n,
    const char *key, int cond)
{
	struct envctx ec;
	struct bs_expr_env env;
	struct bs_expr_pos pos = { 1, 1 };
	struct bs_err err = BS_ERR_INIT;
	struct bs_expr *e;
	const char *s = scalar(n);

	if (!s) {
		diag(L, f, n, "'%s' must be a single value (an expression)", key);
		return NULL;
	}
	if (!*s) {
		diag(L, f, n, "'%s' must not be empty", key);
		return NULL;
	}
	memset(&ec, 0, sizeof(ec));
	ec.L = L;
	ec.f = f;
	ec.table = ti;
	ec.node = n;
	env.column = env_column;
	env.param = env_param;
	env.ctx = &ec;
	env.regions = L->rs->regions;
	e = cond ? bs_expr_compile_cond(s, n->data.scalar.length, &env, &pos, &err) :
	    bs_expr_compile(s, n->data.scalar.length, &env, &pos, &err);
	if (!e) {
		struct bs_rpos p = scalar_pos(f, n, pos.line, pos.column);

		diag_at(L, f, p.line, p.column, "%s%s", ec.why[0] ? ec.why : err.msg,
		    !L->rs->regions && strstr(err.msg, "2260") ?
		    " (it is rules/ref/gb2260.csv: the ref/ folder beside the rule "
		    "file's folder, or the installed one)" : "");
	}
	return e;
}

/* ------------------------------------------------------------ column lists */

/*
 * A column or a list of columns of table ti (scalar or sequence).  0 and a
 * malloc'd array, or -1 after diags.
 */
static int
col_list(struct loader *L, struct rfile *f, size_t ti, yaml_node_t *n,
    const char *key, size_t **out, size_t *nout)
{
	size_t i, cnt, *v;
	int bad = 0;

	if (n->type == YAML_SCALAR_NODE)
		cnt = 1;
	else if (n->type == YAML_SEQUENCE_NODE)
		cnt = bs_yaml_len(n);
	else
		cnt = 0;
	if (!cnt) {
		diag(L, f, n, "'%s' must be a column name or a list of column names", key);
		return -1;
	}
	v = bs_xcalloc(cnt, sizeof(*v));
	for (i = 0; i < cnt; i++) {
		yaml_node_t *c = n->type == YAML_SCALAR_NODE ? n : bs_yaml_item(&f->y, n, i);
		const char *s = scalar(c);
		long ci;
		size_t j;

		if (!s || !*s) {
			diag(L, f, c, "'%s' must list column names", key);
			bad = 1;
			continue;
		}
		ci = col_use(L, f, ti, s, strlen(s), node_pos(f, c));
		if (ci < 0) {
			bad = 1;
			continue;
		}
		v[i] = (size_t)ci;
		for (j = 0; j < i; j++)
			if (v[j] == v[i]) {
				diag(L, f, c, "column '%s' is listed twice", s);
				bad = 1;
			}
	}
	if (bad) {
		free(v);
		return -1;
	}
	*out = v;
	*nout = cnt;
	return 0;
}

/* ------------------------------------------------------------ exists: */

enum etok { ET_NAME, ET_LP, ET_RP, ET_COMMA, ET_DOT, ET_END, ET_BAD };

struct elex {
	const char *s;
	size_t n, i;
	enum etok kind;
	size_t start;		/* byte offset of the token */
	char name[256];
	size_t nlen;
};

static void
elex_next(struct elex *x)
{
	while (x->i < x->n && (x->s[x->i] == ' ' || x->s[x->i] == '\t' ||
	    x->s[x->i] == '\n'))
		x->i++;
	x->start = x->i;
	x->nlen = 0;
	if (x->i >= x->n) {
		x->kind = ET_END;
		return;
	}
	switch (x->s[x->i]) {
	case '(': x->kind = ET_LP; x->i++; return;
	case ')': x->kind = ET_RP; x->i++; return;
	case ',': x->kind = ET_COMMA; x->i++; return;
	case '.': x->kind = ET_DOT; x->i++; return;
	case '"':
		x->i++;
		while (x->i < x->n && x->s[x->i] != '"') {
			if (x->nlen + 1 < sizeof(x->name))
				x->name[x->nlen++] = x->s[x->i];
			x->i++;
		}
		if (x->i >= x->n) {
			x->kind = ET_BAD;
			return;
		}
		x->i++;
		x->kind = ET_NAME;
		x->name[x->nlen] = '\0';
		return;
	default:
		break;
	}
	while (x->i < x->n && !strchr(" \t\n(),.\"", x->s[x->i])) {
		if (x->nlen + 1 < sizeof(x->name))
			x->name[x->nlen++] = x->s[x->i];
		x->i++;
	}
	x->name[x->nlen] = '\0';
	x->kind = ET_NAME;
}

static struct bs_rpos
elex_pos(const struct rfile *f, const yaml_node_t *n, const struct elex *x)
{
	return scalar_pos(f, n, 1, char_col(x->s, x->start) + 1);
}

/* names: NAME | ( NAME , ... ); into names[] (byte offsets in offs[]). */
static int
elex_names(struct elex *x, char names[][256], size_t *offs, size_t max,
    size_t *n)
{
	*n = 0;
	if (x->kind == ET_NAME) {
		memcpy(names[0], x->name, x->nlen + 1);
		offs[0] = x->start;
		*n = 1;
		elex_next(x);
		return 0;
	}
	if (x->kind != ET_LP)
		return -1;
	elex_next(x);
	for (;;) {
		if (x->kind != ET_NAME || *n >= max)
			return -1;
		memcpy(names[*n], x->name, x->nlen + 1);
		offs[(*n)++] = x->start;
		elex_next(x);
		if (x->kind == ET_RP)
			break;
		if (x->kind != ET_COMMA)
			return -1;
		elex_next(x);
	}
	elex_next(x);
	return 0;
}

#define EXISTS_MAX_COLS 16

static int
parse_exists(struct loader *L, struct rfile *f, size_t ti, yaml_node_t *n,
    struct bs_rule *r)
{
	char lnames[EXISTS_MAX_COLS][256], rnames[EXISTS_MAX_COLS][256];
	size_t loffs[EXISTS_MAX_COLS], roffs[EXISTS_MAX_COLS], nl, nr, i;
	char tname[256];
	size_t toff;
	struct elex x;
	struct bs_rpos p;
	size_t rt;
	int bad = 0;
	const char *s = scalar(n);
	static const char hint[] =
	    "write 'column in table.column' or '(a, b) in table.(c, d)'";

	if (!s || !*s) {
		diag(L, f, n, "'exists' must be a single value: %s", hint);
		return -1;
	}
	memset(&x, 0, sizeof(x));
	x.s = s;
	x.n = n->data.scalar.length;
	elex_next(&x);
	if (elex_names(&x, lnames, loffs, EXISTS_MAX_COLS, &nl) < 0)
		goto syntax;
	if (x.kind != ET_NAME || strcasecmp(x.name, "in") != 0)
		goto syntax;
	elex_next(&x);
	if (x.kind != ET_NAME)
		goto syntax;
	memcpy(tname, x.name, x.nlen + 1);
	toff = x.start;
	elex_next(&x);
	if (x.kind == ET_DOT)
		elex_next(&x);
	else if (x.kind != ET_LP)
		goto syntax;
	if (elex_names(&x, rnames, roffs, EXISTS_MAX_COLS, &nr) < 0 || x.kind != ET_END)
		goto syntax;
	if (nl != nr) {
		p = scalar_pos(f, n, 1, char_col(s, roffs[0]) + 1);
		diag_at(L, f, p.line, p.column,
		    "'exists' compares %zu column%s with %zu", nl, nl == 1 ? "" : "s", nr);
		return -1;
	}
	p = scalar_pos(f, n, 1, char_col(s, toff) + 1);
	if (!table_known(L, tname)) {
		diag_at(L, f, p.line, p.column, "unknown table '%s' (not a table of the report)",
		    tname);
		return -1;
	}
	rt = table_add(L->rs, tname, p);
	r->ref_table = rt;
	r->cols = bs_xcalloc(nl, sizeof(size_t));
	r->ref_cols = bs_xcalloc(nl, sizeof(size_t));
	r->ncols = nl;
	for (i = 0; i < nl; i++) {
		struct bs_rpos lp = scalar_pos(f, n, 1, char_col(s, loffs[i]) + 1);
		struct bs_rpos rp = scalar_pos(f, n, 1, char_col(s, roffs[i]) + 1);
		long lc = col_ref(L->rs, ti, lnames[i], strlen(lnames[i]), lp);
		long rc = col_ref(L->rs, rt, rnames[i], strlen(rnames[i]), rp);

		if (lc < 0) {
			diag_unknown_col(L, f, lp, ti, lnames[i], strlen(lnames[i]));
			bad = 1;
		}
		if (rc < 0) {
			diag_unknown_col(L, f, rp, rt, rnames[i], strlen(rnames[i]));
			bad = 1;
		}
		if (lc < 0 || rc < 0)
			continue;
		r->cols[i] = (size_t)lc;
		r->ref_cols[i] = (size_t)rc;
		/* only declarations can contradict each other */
		if (L->rs->tables[ti].cols[lc].declared &&
		    L->rs->tables[rt].cols[rc].declared &&
		    L->rs->tables[ti].cols[lc].type.type !=
		    L->rs->tables[rt].cols[rc].type.type) {
			diag_at(L, f, lp.line, lp.column,
			    "type mismatch: %s.%s is %s but %s.%s is %s",
			    L->rs->tables[ti].name, lnames[i],
			    bs_type_name(L->rs->tables[ti].cols[lc].type.type), tname,
			    rnames[i], bs_type_name(L->rs->tables[rt].cols[rc].type.type));
			bad = 1;
		}
	}
	return bad ? -1 : 0;
syntax:
	p = x.kind == ET_END ? scalar_pos(f, n, 1, char_col(s, x.n) + 1) :
	    elex_pos(f, n, &x);
	diag_at(L, f, p.line, p.column, "cannot read 'exists' %s: %s",
	    x.kind == ET_END ? "at its end" : "here", hint);
	return -1;
}

/* ------------------------------------------------------------ pattern: */

static int
compile_regex(struct loader *L, struct rfile *f, yaml_node_t *n, struct bs_rule *r)
{
	const char *s = scalar(n);
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *code;

	if (!s || !*s) {
		diag(L, f, n, "'pattern' must be a regular expression");
		return -1;
	}
	code = pcre2_compile((PCRE2_SPTR)s, n->data.scalar.length,
	    PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED, &errcode, &erroff, NULL);
	if (!code) {
		PCRE2_UCHAR msg[256];
		struct bs_rpos p;

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		p = scalar_pos(f, n, 1, char_col(s, erroff) + 1);
		diag_at(L, f, p.line, p.column, "bad regular expression: %s", (char *)msg);
		return -1;
	}
	r->re = bs_xcalloc(1, sizeof(*r->re));
	r->re->code = code;
	r->re->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
	r->re->fixed = bs_bytepat_compile(s, n->data.scalar.length, &r->re->bp) == 0;
	r->re->md = pcre2_match_data_create_from_pattern(code, NULL);
	if (!r->re->md) {
		bs_error("out of memory (regular expression match data)");
		exit(BS_EXIT_OSERR);
	}
	r->pattern = bs_xstrdup(s);
	return 0;
}

int
bs_rule_match(const struct bs_rule *r, const char *s, size_t n)
{
	int rc;

	if (r->re->fixed)
		return bs_bytepat_match(&r->re->bp, s, n);
	if (r->re->jit)
		rc = pcre2_jit_match(r->re->code, (PCRE2_SPTR)s, n, 0, 0, r->re->md, NULL);
	else
		rc = pcre2_match(r->re->code, (PCRE2_SPTR)s, n, 0, PCRE2_NO_UTF_CHECK,
		    r->re->md, NULL);
	return rc >= 0;
}

/* ------------------------------------------------------------ in: */

static char *
find_ref(struct loader *L, struct rfile *f, const char *file, struct bs_buf *tried)
{
	const char *const *d;
	char *dirs[2], *p;
	size_t i;

	dirs[0] = bs_xasprintf("%s/ref", f->dir);
	dirs[1] = bs_xasprintf("%s/../ref", f->dir);
	for (i = 0; i < 2; i++) {
		p = bs_xasprintf("%s/%s", dirs[i], file);
		bs_buf_addf(tried, "%s%s", tried->len ? ", " : "", dirs[i]);
		if (access(p, F_OK) == 0) {
			free(dirs[0]);
			free(dirs[1]);
			return p;
		}
		free(p);
	}
	free(dirs[0]);
	free(dirs[1]);
	for (d = L->o->ref_dirs; d && *d; d++) {
		p = bs_xasprintf("%s/%s", *d, file);
		bs_buf_addf(tried, "%s%s", tried->len ? ", " : "", *d);
		if (access(p, F_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

static void
note_ref(struct bs_rules *rs, const char *name, const char *path, const char *version)
{
	size_t i;
	struct bs_rref *r;

	for (i = 0; i < rs->nrefs; i++)
		if (!strcmp(rs->refs[i].path, path))
			return;
	BS_ALLOC_GROW(rs->refs, rs->nrefs + 1, rs->arefs);
	r = &rs->refs[rs->nrefs++];
	r->name = bs_xstrdup(name);
	r->path = bs_xstrdup(path);
	r->version = bs_xstrdup(version);
}

/* in: {ref: NAME[, column: COL]}: the values of one column of NAME.csv. */
static int
load_ref(struct loader *L, struct rfile *f, yaml_node_t *n, yaml_node_t *cn,
    struct bs_rule *r)
{
	const char *name = scalar(n), *q, *col = cn ? scalar(cn) : NULL;
	struct bs_buf tried = BS_BUF_INIT(0);
	struct bs_err err = BS_ERR_INIT;
	struct bs_refcsv rc;
	char *file, *path, *version;
	size_t ci = 0;
	int k;

	if (!name || !*name) {
		diag(L, f, n, "'ref' must name a reference list");
		return -1;
	}
	if (cn && (!col || !*col)) {
		diag(L, f, cn, "'column' must name a column of the reference list");
		return -1;
	}
	for (q = name; *q; q++)
		if (!isalnum((unsigned char)*q) && !strchr("_-.", *q)) {
			diag(L, f, n, "bad reference list name '%s' (letters, digits, '_', '-' "
			    "and '.' only)", name);
			return -1;
		}
	file = bs_xasprintf("%s.csv", name);
	path = find_ref(L, f, file, &tried);
	free(file);
	if (!path) {
		diag(L, f, n, "reference list '%s' not found (looked for %s.csv in %s)",
		    name, name, bs_buf_str(&tried));
		bs_buf_release(&tried);
		return -1;
	}
	bs_buf_release(&tried);
	if (bs_refcsv_open(&rc, path, &err) < 0 ||
	    bs_refcsv_header(&rc, NULL, 0, &err) < 0) {
		diag(L, f, n, "reference list '%s': %s", name, err.msg);
		bs_refcsv_close(&rc);
		free(path);
		return -1;
	}
	if (col) {
		struct bs_buf have = BS_BUF_INIT(0);

		for (ci = 0; ci < rc.nfield; ci++)
			if (!strcmp(rc.field[ci], col))
				break;
		if (ci == rc.nfield) {
			for (ci = 0; ci < rc.nfield; ci++)
				bs_buf_addf(&have, "%s%s", ci ? ", " : "", rc.field[ci]);
			diag(L, f, cn, "reference list '%s' has no column '%s' (it has %s)",
			    name, col, bs_buf_str(&have));
			bs_buf_release(&have);
			bs_refcsv_close(&rc);
			free(path);
			return -1;
		}
	}
	while ((k = bs_refcsv_next(&rc, &err)) == 1)
		bs_keyset_add(&r->in, rc.field[ci], strlen(rc.field[ci]), NULL);
	bs_refcsv_close(&rc);
	if (k < 0) {
		diag(L, f, n, "reference list '%s': %s", name, err.msg);
		free(path);
		return -1;
	}
	version = bs_refcsv_version(path, &err);
	if (!version) {
		diag(L, f, n, "reference list '%s': %s", name, err.msg);
		free(path);
		return -1;
	}
	note_ref(L->rs, name, path, version);
	free(version);
	r->in_ref = path;
	return 0;
}

static int
parse_in_values(struct loader *L, struct rfile *f, yaml_node_t *n,
    struct bs_rule *r)
{
	static const char *const keys[] = { "ref", "column", NULL };
	size_t i;

	bs_keyset_init(&r->in, 0);
	if (n->type == YAML_MAPPING_NODE) {
		yaml_node_t *ref = bs_yaml_get(&f->y, n, "ref");

		if (check_keys(L, f, n, keys, ""))
			return -1;
		if (!ref) {
			diag(L, f, n, "'in' takes a list of values or {ref: NAME}");
			return -1;
		}
		return load_ref(L, f, ref, bs_yaml_get(&f->y, n, "column"), r);
	}
	if (n->type != YAML_SEQUENCE_NODE || !bs_yaml_len(n)) {
		diag(L, f, n, "'in' takes a list of values, e.g. ['01', '02'], or "
		    "{ref: NAME} for a reference list");
		return -1;
	}
	for (i = 0; i < bs_yaml_len(n); i++) {
		yaml_node_t *v = bs_yaml_item(&f->y, n, i);

		if (!scalar(v)) {
			diag(L, f, v, "'in' values must be single values");
			return -1;
		}
		bs_keyset_add(&r->in, scalar(v), v->data.scalar.length, NULL);
	}
	return 0;
}

/*
 * In-lists whose values are all at most 16 bytes (code lists: status
 * codes, product codes) are also kept in an open-addressing table of
 * their own that holds the values inline, zero-padded: a look-up is a
 * multiply-shift hash and two 8-byte compares, no call, no pointer
 * chasing.  r->in stays the set of record (bs_keyset_next order etc.).
 */
#define INSET_KEY 16

struct islot {
	uint64_t k[2];
	uint32_t len;
	uint32_t used;
};

struct bs_rule_inset {
	struct islot *slot;
	size_t mask;
};

/*
 * The n <= 16 bytes of s as two words, zero-padded (on a little-endian
 * machine: as memcpy into a zeroed buffer would give).  Overlapping
 * fixed-size loads, never past s[n - 1]: a byte-wise copy into a buffer
 * read back as words would stall on store forwarding.
 */
static void
inset_key(const char *s, size_t n, uint64_t k[2])
{
	uint64_t a, b;
	uint32_t x, y;

	if (n >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		k[0] = a;
		k[1] = n == 8 ? 0 : b >> (8 * (16 - n));
	} else if (n >= 4) {
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		k[0] = x | ((uint64_t)y >> (8 * (8 - n))) << 32;
		k[1] = 0;
	} else {
		k[0] = 0;
		for (size_t i = 0; i < n; i++)
			k[0] |= (uint64_t)(unsigned char)s[i] << (8 * i);
		k[1] = 0;
	}
}

static size_t
inset_hash(const uint64_t k[2], size_t n, size_t mask)
{
	uint64_t h = k[0] * 0x9E3779B97F4A7C15u ^ (k[1] + n) * 0xC2B2AE3D27D4EB4Fu;

	return (size_t)(h ^ h >> 29) & mask;
}

static void
make_inset(struct bs_rule *r)
{
	size_t it = 0, len, ns = 8, i;
	const void *k;
	void *p;
	struct bs_rule_inset *t;

	while (bs_keyset_next(&r->in, &it, &k, &len, &p))
		if (len > INSET_KEY)
			return;
	while (ns < 2 * bs_keyset_count(&r->in))
		ns *= 2;
	t = bs_xcalloc(1, sizeof(*t));
	t->slot = bs_xcalloc(ns, sizeof(*t->slot));
	t->mask = ns - 1;
	it = 0;
	while (bs_keyset_next(&r->in, &it, &k, &len, &p)) {
		uint64_t key[2];

		inset_key(k, len, key);
		for (i = inset_hash(key, len, t->mask); t->slot[i].used;
		    i = (i + 1) & t->mask)
			;
		memcpy(t->slot[i].k, key, sizeof(key));
		t->slot[i].len = (uint32_t)len;
		t->slot[i].used = 1;
	}
	r->inset = t;
}

static int
parse_in(struct loader *L, struct rfile *f, yaml_node_t *n, struct bs_rule *r)
{
	if (parse_in_values(L, f, n, r) < 0)
		return -1;
	make_inset(r);
	return 0;
}

int
bs_rule_in(const struct bs_rule *r, const char *s, size_t n)
{
	const struct bs_rule_inset *t = r->inset;

	if (t) {
		uint64_t k[2];
		size_t i;

		if (n > INSET_KEY)
			return 0;
		inset_key(s, n, k);
		for (i = inset_hash(k, n, t->mask); t->slot[i].used;
		    i = (i + 1) & t->mask)
			if (t->slot[i].len == n && t->slot[i].k[0] == k[0] &&
			    t->slot[i].k[1] == k[1])
				return 1;
		return 0;
	}
	return bs_keyset_find(&r->in, s, n) != NULL;
}

int
bs_rule_present(const char *s, size_t n)
{
	size_t i = 0;

	if (!s)
		return 0;
	while (i < n) {
		if (s[i] == ' ' || s[i] == '\t') {
			i++;
		} else if (i + 2 < n && (unsigned char)s[i] == 0xe3 &&
		    (unsigned char)s[i + 1] == 0x80 && (unsigned char)s[i + 2] == 0x80) {
			i += 3;
		} else {
			return 1;
		}
	}
	return 0;
}

int
bs_rcol_sentinel(const struct bs_rcol *c, const char *s, size_t n)
{
	size_t i;

	if (!s)
		return 0;
	for (i = 0; i < c->nsentinels; i++)
		if (c->sentinel_lens[i] == n && !memcmp(c->sentinels[i], s, n))
			return 1;
	return 0;
}

/* ------------------------------------------------------------ rows: */

static int
parse_count(struct loader *L, struct rfile *f, yaml_node_t *map, const char *key,
    int64_t *out)
{
	yaml_node_t *v = bs_yaml_get(&f->y, map, key);
	const char *s = scalar(v);
	char *end;
	long long x;

	*out = -1;
	if (!v)
		return 0;
	errno = 0;
	x = s ? strtoll(s, &end, 10) : -1;
	if (!s || !*s || errno || *end || x < 0) {
		diag(L, f, v, "'%s' must be a whole number of rows, not '%s'", key,
		    s ? s : "a list");
		return -1;
	}
	*out = x;
	return 0;
}

static int
parse_rows(struct loader *L, struct rfile *f, yaml_node_t *n, struct bs_rule *r)
{
	static const char *const keys[] = { "min", "max", NULL };

	if (n->type != YAML_MAPPING_NODE) {
		diag(L, f, n, "'rows' takes {min: N, max: N}");
		return -1;
	}
	if (check_keys(L, f, n, keys, "") ||
	    parse_count(L, f, n, "min", &r->rows_min) < 0 ||
	    parse_count(L, f, n, "max", &r->rows_max) < 0)
		return -1;
	if (r->rows_min < 0 && r->rows_max < 0) {
		diag(L, f, n, "'rows' needs min, max or both");
		return -1;
	}
	if (r->rows_max >= 0 && r->rows_min > r->rows_max) {
		diag(L, f, n, "'rows': min is larger than max");
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ reconcile: */

/* A name as written in a column list: letters, digits, '_', '.'; else an expression. */
static int
looks_like_column(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!*p || *p == '.' || isdigit(*p))
		return 0;
	for (; *p; p++)
		if (!(isalnum(*p) || *p == '_' || *p == '.' || *p >= 0x80))
			return 0;
	return 1;
}

/*
 * group_by: a column (of the table or of a lookup) or a list of them;
 * an item that is not a name is an expression whose text groups.
 */
static int
group_list(struct loader *L, struct rfile *f, size_t ti, yaml_node_t *n,
    struct bs_rside *sd)
{
	size_t i, cnt = n->type == YAML_SCALAR_NODE ? 1 :
	    n->type == YAML_SEQUENCE_NODE ? bs_yaml_len(n) : 0;
	int bad = 0;

	if (!cnt) {
		diag(L, f, n, "'group_by' must be a column or expression, or a list of them");
		return -1;
	}
	sd->group = bs_xcalloc(cnt, sizeof(size_t));
	sd->group_expr = bs_xcalloc(cnt, sizeof(struct bs_expr *));
	sd->ngroup = cnt;
	for (i = 0; i < cnt; i++) {
		yaml_node_t *c = n->type == YAML_SCALAR_NODE ? n : bs_yaml_item(&f->y, n, i);
		const char *s = scalar(c);
		long ci;

		if (!s || !*s) {
			diag(L, f, c, "'group_by' must list columns or expressions");
			bad = 1;
			continue;
		}
		sd->group[i] = SIZE_MAX;
		if (looks_like_column(s) && c->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
			ci = col_use(L, f, ti, s, strlen(s), node_pos(f, c));
			if (ci < 0)
				bad = 1;
			else
				sd->group[i] = (size_t)ci;
			continue;
		}
		if (!(sd->group_expr[i] = compile_expr(L, f, ti, c, "group_by", 0)))
			bad = 1;
	}
	return bad ? -1 : 0;
}

static int
parse_side(struct loader *L, struct rfile *f, size_t ti, yaml_node_t *n,
    struct bs_rside *sd, int other)
{
	yaml_node_t *sum = bs_yaml_get(&f->y, n, "sum");
	yaml_node_t *cnt = bs_yaml_get(&f->y, n, "count");
	yaml_node_t *gb = bs_yaml_get(&f->y, n, "group_by");
	const char *pfx = other ? L->rs->tables[ti].name : NULL;
	int bad = 0;

	sd->table = ti;
	if (!!sum + !!cnt != 1) {
		diag(L, f, sum && cnt ? cnt : n, "%s needs one of 'sum' and 'count'",
		    other ? "'against'" : "'reconcile'");
		return -1;
	}
	if (sum) {
		enum bs_type t;

		sd->agg = BS_AGG_SUM;
		sd->value = compile_expr(L, f, ti, sum, "sum", 0);
		if (!sd->value)
			return -1;
		t = bs_expr_type(sd->value);
		if (t != BS_TYPE_INTEGER && t != BS_TYPE_DECIMAL) {
			diag(L, f, sum, "type mismatch: 'sum' needs a number, not %s%s",
			    bs_type_name(t), t == BS_TYPE_TEXT ?
			    " (declare the column's type in columns:)" : "");
			return -1;
		}
		sd->label = bs_xasprintf("%s%ssum(%s)", pfx ? pfx : "", pfx ? "." : "",
		    scalar(sum));
	} else {
		const char *s = scalar(cnt);

		if (!s || !*s) {
			diag(L, f, cnt, "'count' takes rows or a column name");
			return -1;
		}
		if (!strcmp(s, "rows") || !strcmp(s, "*")) {
			sd->agg = BS_AGG_COUNT_ROWS;
			sd->label = bs_xasprintf("%s%scount(*)", pfx ? pfx : "",
			    pfx ? "." : "");
		} else {
			long c = col_use(L, f, ti, s, strlen(s), node_pos(f, cnt));

			if (c < 0)
				return -1;
			sd->agg = BS_AGG_COUNT;
			sd->count_col = (size_t)c;
			sd->label = bs_xasprintf("%s%scount(%s)", pfx ? pfx : "",
			    pfx ? "." : "", s);
		}
	}
	if (gb && group_list(L, f, ti, gb, sd) < 0)
		bad = 1;
	if (other) {
		yaml_node_t *w = bs_yaml_get(&f->y, n, "where");

		if (w && !(sd->where = compile_expr(L, f, ti, w, "where", 1)))
			bad = 1;
	}
	return bad ? -1 : 0;
}

static int
parse_reconcile(struct loader *L, struct rfile *f, size_t ti, yaml_node_t *n,
    struct bs_rule *r)
{
	static const char *const keys[] = { "sum", "count", "group_by", "against",
		"tolerance", "compare", "groups", NULL };
	static const char *const akeys[] = { "table", "sum", "count", "where",
		"group_by", NULL };
	struct bs_reconcile *rc;
	yaml_node_t *ag, *tn;
	const char *s;
	size_t ot;
	int bad = 0;

	if (n->type != YAML_MAPPING_NODE) {
		diag(L, f, n, "'reconcile' takes a mapping: sum or count, group_by, "
		    "against, tolerance");
		return -1;
	}
	if (check_keys(L, f, n, keys, ""))
		return -1;
	rc = r->rec = bs_xcalloc(1, sizeof(*rc));
	ag = bs_yaml_get(&f->y, n, "against");
	if (!ag) {
		diag(L, f, n, "'reconcile' needs 'against' (the other table's figure)");
		return -1;
	}
	if (ag->type != YAML_MAPPING_NODE) {
		diag(L, f, ag, "'against' takes a mapping: table, sum or count, where, "
		    "group_by");
		return -1;
	}
	if (check_keys(L, f, ag, akeys, ""))
		return -1;
	tn = bs_yaml_get(&f->y, ag, "table");
	s = scalar(tn);
	if (!s || !*s) {
		diag(L, f, tn ? tn : ag, "'against' needs 'table'");
		return -1;
	}
	if (!table_known(L, s)) {
		diag(L, f, tn, "unknown table '%s' (not a table of the report)", s);
		return -1;
	}
	ot = table_add(L->rs, s, node_pos(f, tn));
	if (parse_side(L, f, ti, n, &rc->side[0], 0) < 0)
		bad = 1;
	if (parse_side(L, f, ot, ag, &rc->side[1], 1) < 0)
		bad = 1;
	if (!bad && rc->side[0].ngroup != rc->side[1].ngroup) {
		diag(L, f, bs_yaml_get(&f->y, ag, "group_by") ?
		    bs_yaml_get(&f->y, ag, "group_by") : ag,
		    "'group_by' has %zu column%s here and %zu in 'against'",
		    rc->side[0].ngroup, rc->side[0].ngroup == 1 ? "" : "s",
		    rc->side[1].ngroup);
		bad = 1;
	}
	tn = bs_yaml_get(&f->y, n, "tolerance");
	if (tn) {
		struct bs_err err = BS_ERR_INIT;

		s = scalar(tn);
		if (!s || bs_dec_parse(s, strlen(s), 0, &rc->tolerance, &err) < 0 ||
		    bs_dec_sign(&rc->tolerance) < 0) {
			diag(L, f, tn, "'tolerance' must be a number, 0 or more (e.g. 0.01)");
			bad = 1;
		}
	}
	tn = bs_yaml_get(&f->y, n, "compare");
	if (tn) {
		s = scalar(tn);
		if (s && !strcmp(s, "="))
			rc->cmp = BS_CMP_EQ;
		else if (s && !strcmp(s, "<="))
			rc->cmp = BS_CMP_LE;
		else if (s && !strcmp(s, ">="))
			rc->cmp = BS_CMP_GE;
		else {
			diag(L, f, tn, "'compare' must be '=', '<=' or '>='");
			bad = 1;
		}
	}
	tn = bs_yaml_get(&f->y, n, "groups");
	if (tn) {
		s = scalar(tn);
		if (s && !strcmp(s, "all"))
			rc->groups = BS_GROUPS_ALL;
		else if (s && !strcmp(s, "matched"))
			rc->groups = BS_GROUPS_MATCHED;
		else if (s && !strcmp(s, "this"))
			rc->groups = BS_GROUPS_THIS;
		else if (s && !strcmp(s, "other"))
			rc->groups = BS_GROUPS_OTHER;
		else {
			diag(L, f, tn, "'groups' must be all, matched, this or other");
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

/* ------------------------------------------------------------ rules */

static void
side_free(struct bs_rside *s)
{
	size_t i;

	bs_expr_free(s->value);
	bs_expr_free(s->where);
	for (i = 0; s->group_expr && i < s->ngroup; i++)
		bs_expr_free(s->group_expr[i]);
	free(s->group_expr);
	free(s->group);
	free(s->label);
}

static void
rule_free(struct bs_rule *r)
{
	free(r->id);
	free(r->message);
	free(r->owner);
	free(r->category);
	bs_expr_free(r->when);
	bs_expr_free(r->expr);
	free(r->cols);
	if (r->re) {
		pcre2_match_data_free(r->re->md);
		pcre2_code_free(r->re->code);
		bs_bytepat_release(&r->re->bp);
		free(r->re);
	}
	free(r->pattern);
	bs_keyset_release(&r->in);
	if (r->inset) {
		free(r->inset->slot);
		free(r->inset);
	}
	free(r->in_ref);
	free(r->ref_cols);
	if (r->rec) {
		side_free(&r->rec->side[0]);
		side_free(&r->rec->side[1]);
		free(r->rec);
	}
	memset(r, 0, sizeof(*r));
}

static int
valid_category(const char *s)
{
	while (*s) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		long v;
		char *end;

		if (n < 2 || n > 3 || s[0] != 'C' || !isdigit((unsigned char)s[1]))
			return 0;
		v = strtol(s + 1, &end, 10);
		if (end != s + n || v < 1 || v > 12 || (n == 3 && s[1] == '0'))
			return 0;
		s += n;
		if (*s == '/' && *++s == '\0')
			return 0;
	}
	return 1;
}

static enum bs_rule_kind
kind_of(const char *k)
{
	static const enum bs_rule_kind kinds[] = { BS_RULE_ASSERT, BS_RULE_REQUIRED,
		BS_RULE_UNIQUE, BS_RULE_PATTERN, BS_RULE_IN, BS_RULE_EXISTS,
		BS_RULE_TYPE, BS_RULE_ROWS, BS_RULE_RECONCILE };
	size_t i;

	for (i = 0; check_names[i]; i++)
		if (!strcmp(check_names[i], k))
			return kinds[i];
	return BS_RULE_ASSERT;
}

static int
is_check_key(const char *k)
{
	size_t i;

	for (i = 0; check_names[i]; i++)
		if (!strcmp(check_names[i], k))
			return 1;
	return 0;
}

static void
parse_rule(struct loader *L, struct rfile *f, yaml_node_t *n)
{
	static const char *const keys[] = { "id", "severity", "message", "owner",
		"category", "when", "description", "column", "assert", "required",
		"unique", "pattern", "in", "exists", "type", "rows", "reconcile", NULL };
	struct bs_rules *rs = L->rs;
	struct bs_rule r;
	yaml_node_t *ck = NULL, *ckkey = NULL, *colnode, *w;
	const char *id, *sev, *msg, *owner = NULL, *cat = NULL, *desc;
	size_t i, ti = f->table;
	int bad = 0;

	if (n->type != YAML_MAPPING_NODE) {
		diag(L, f, n, "a rule is a mapping: id, severity, message and one check");
		return;
	}
	memset(&r, 0, sizeof(r));
	r.rows_min = r.rows_max = -1;
	r.table = ti;
	bs_keyset_init(&r.in, 0);
	if (check_keys(L, f, n, keys, ""))
		bad = 1;
	id = need_scalar(L, f, n, "id", "");
	if (!id) {
		bad = 1;
	} else {
		yaml_node_t *idn = bs_yaml_get(&f->y, n, "id");

		r.pos = node_pos(f, idn);
		for (i = 0; i < L->nids; i++)
			if (!strcmp(L->ids[i].id, id)) {
				char where[PATH_MAX + 64];

				diag(L, f, idn, "duplicate rule id '%s' (first at %s)", id,
				    bs_rpos_str(&L->ids[i].pos, where, sizeof(where)));
				bad = 1;
				break;
			}
		if (i == L->nids) {
			BS_ALLOC_GROW(L->ids, L->nids + 1, L->aids);
			L->ids[L->nids].id = id;
			L->ids[L->nids++].pos = r.pos;
		}
	}
	if (!id)
		r.pos = node_pos(f, n);
	sev = need_scalar(L, f, n, "severity", "");
	if (!sev) {
		bad = 1;
	} else if (!strcmp(sev, "error")) {
		r.severity = BS_SEV_ERROR;
	} else if (!strcmp(sev, "warning")) {
		r.severity = BS_SEV_WARNING;
	} else {
		diag(L, f, bs_yaml_get(&f->y, n, "severity"),
		    "severity must be error or warning, not '%s'", sev);
		bad = 1;
	}
	msg = need_scalar(L, f, n, "message", "");
	if (!msg)
		bad = 1;
	if (opt_scalar(L, f, n, "owner", "", &owner) < 0)
		bad = 1;
	if (opt_scalar(L, f, n, "description", "", &desc) < 0)
		bad = 1;
	if (opt_scalar(L, f, n, "category", "", &cat) < 0) {
		bad = 1;
	} else if (cat && !valid_category(cat)) {
		diag(L, f, bs_yaml_get(&f->y, n, "category"),
		    "category must be C1 to C12 (or several, as C7/C9), not '%s'", cat);
		bad = 1;
	}
	for (i = 0; i < bs_yaml_len(n); i++) {
		yaml_node_t *k, *v;

		bs_yaml_pair(&f->y, n, i, &k, &v);
		if (!scalar(k) || !is_check_key(scalar(k)))
			continue;
		if (!ck) {
			ck = v;
			ckkey = k;
			r.kind = kind_of(scalar(k));
			continue;
		}
		diag(L, f, k, "one check per rule, but this one has '%s' and '%s' "
		    "(make two rules)", scalar(ckkey), scalar(k));
		bad = 1;
	}
	if (!ck) {
		diag(L, f, n, "rule%s%s%s has no check (give one of assert, required, "
		    "unique, pattern, in, exists, type, rows, reconcile)", id ? " '" : "",
		    id ? id : "", id ? "'" : "");
		rule_free(&r);
		return;
	}
	colnode = bs_yaml_get(&f->y, n, "column");
	if (r.kind == BS_RULE_PATTERN || r.kind == BS_RULE_IN ||
	    r.kind == BS_RULE_TYPE) {
		if (!colnode) {
			diag(L, f, ckkey, "'%s' needs 'column' (the column or columns "
			    "it checks)", scalar(ckkey));
			bad = 1;
		} else if (col_list(L, f, ti, colnode, "column", &r.cols, &r.ncols) < 0) {
			bad = 1;
		}
	} else if (colnode) {
		diag(L, f, key_node(&f->y, n, "column"), "'column' goes with pattern, in "
		    "and type; '%s' names its columns itself", scalar(ckkey));
		bad = 1;
	}
	w = bs_yaml_get(&f->y, n, "when");
	if (w && !(r.when = compile_expr(L, f, ti, w, "when", 1)))
		bad = 1;
	switch (r.kind) {
	case BS_RULE_ASSERT:
		r.expr = compile_expr(L, f, ti, ck, "assert", 1);
		if (!r.expr) {
			bad = 1;
		} else {
			const size_t *cols;
			size_t nc = bs_expr_columns(r.expr, &cols);

			r.cols = bs_xcalloc(nc ? nc : 1, sizeof(size_t));
			if (nc)
				memcpy(r.cols, cols, nc * sizeof(size_t));
			r.ncols = nc;
		}
		break;
	case BS_RULE_REQUIRED:
	case BS_RULE_UNIQUE:
		if (col_list(L, f, ti, ck, scalar(ckkey), &r.cols, &r.ncols) < 0)
			bad = 1;
		break;
	case BS_RULE_PATTERN:
		if (compile_regex(L, f, ck, &r) < 0)
			bad = 1;
		break;
	case BS_RULE_IN:
		if (parse_in(L, f, ck, &r) < 0)
			bad = 1;
		break;
	case BS_RULE_EXISTS:
		if (parse_exists(L, f, ti, ck, &r) < 0)
			bad = 1;
		break;
	case BS_RULE_TYPE: {
		struct bs_err err = BS_ERR_INIT;
		const char *s = scalar(ck);

		if (!s || bs_expr_col_parse(s, strlen(s), &r.type, &err) < 0) {
			diag(L, f, ck, "%s%s", s ? err.msg :
			    "'type' must be a single value (date, decimal(20,2), text(60)...)",
			    s ? comma_hint(s) : "");
			bad = 1;
		}
		break;
	}
	case BS_RULE_ROWS:
		if (parse_rows(L, f, ck, &r) < 0)
			bad = 1;
		break;
	case BS_RULE_RECONCILE:
		if (parse_reconcile(L, f, ti, ck, &r) < 0)
			bad = 1;
		break;
	}
	if (bad) {
		rule_free(&r);
		return;
	}
	r.id = bs_xstrdup(id);
	r.message = bs_xstrdup(msg);
	r.owner = bs_xstrdup(owner ? owner : f->owner ? f->owner : "");
	r.category = bs_xstrdup(cat ? cat : "");
	r.seq = rs->nrules;
	BS_ALLOC_GROW(rs->rules, rs->nrules + 1, rs->arules);
	rs->rules[rs->nrules++] = r;
}

/* ------------------------------------------------------------ files */

static int
read_file(struct rfile *f, struct bs_err *err)
{
	struct bs_buf b = BS_BUF_INIT(RULE_FILE_MAX);
	char chunk[65536];
	size_t n, i;
	FILE *fp = fopen(f->path, "rb");
	struct stat st;

	if (!fp)
		return bs_err_set(err, errno == ENOENT ? BS_EXIT_NOINPUT : BS_EXIT_IOERR,
		    "cannot open rule file '%s': %s", f->path, strerror(errno));
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(fp);
		return bs_err_set(err, BS_EXIT_NOINPUT,
		    "cannot read rule file '%s': it is a directory", f->path);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (bs_buf_add(&b, chunk, n) < 0) {
			fclose(fp);
			bs_buf_release(&b);
			return bs_err_set(err, BS_EXIT_CONFIG,
			    "rule file '%s' is larger than 16 MiB", f->path);
		}
	if (ferror(fp)) {
		fclose(fp);
		bs_buf_release(&b);
		return bs_err_set(err, BS_EXIT_IOERR, "cannot read rule file '%s': %s",
		    f->path, strerror(errno));
	}
	fclose(fp);
	f->len = b.len;
	f->text = b.buf ? bs_buf_detach(&b, NULL) : bs_xstrdup("");
	f->nlines = 1;
	for (i = 0; i < f->len; i++)
		f->nlines += f->text[i] == '\n';
	f->line_off = bs_xcalloc(f->nlines, sizeof(size_t));
	for (i = 0, n = 1; i < f->len; i++)
		if (f->text[i] == '\n')
			f->line_off[n++] = i + 1;
	return 0;
}

/* Parse the file, its table and its columns (what other files may need). */
static void
phase1(struct loader *L, struct rfile *f)
{
	static const char *const keys[] = { "table", "key", "owner", "columns",
		"sentinels", "lookups", "rules", "description", NULL };
	struct bs_rules *rs = L->rs;
	struct bs_err err = BS_ERR_INIT;
	yaml_node_t *root, *cols, *tn;
	const char *t, *owner = NULL;
	struct bs_rtable *tab;
	size_t i;

	if (bs_yaml_load_mem(&f->y, f->path, f->text, f->len, &err) < 0) {
		diag_raw(L, f->idx, err.msg);
		return;
	}
	f->loaded = 1;
	root = bs_yaml_root(&f->y);
	if (!root) {
		diag(L, f, NULL, "empty rule file");
		return;
	}
	if (root->type != YAML_MAPPING_NODE) {
		diag(L, f, root, "a rule file is a mapping: table, key, owner, columns, "
		    "rules");
		return;
	}
	check_keys(L, f, root, keys, "");
	t = need_scalar(L, f, root, "table", "");
	if (!t)
		return;
	tn = bs_yaml_get(&f->y, root, "table");
	if (!table_known(L, t)) {
		diag(L, f, tn, "unknown table '%s' (not a table of the report)", t);
		return;
	}
	f->table = table_add(rs, t, node_pos(f, tn));
	tab = &rs->tables[f->table];
	if (!tab->has_file)
		tab->pos = node_pos(f, tn);
	tab->has_file = 1;
	f->usable = 1;
	if (opt_scalar(L, f, root, "owner", "", &owner) == 0)
		f->owner = owner;
	cols = bs_yaml_get(&f->y, root, "columns");
	if (!cols)
		return;
	if (cols->type != YAML_MAPPING_NODE) {
		diag(L, f, cols, "'columns' maps column names to types, e.g. "
		    "{policy_no: text(60), eff_date: date}");
		return;
	}
	tab->closed = 1;
	for (i = 0; i < bs_yaml_len(cols); i++) {
		yaml_node_t *k, *v;
		struct bs_expr_col type;
		const char *name, *ts;
		long ci;

		bs_yaml_pair(&f->y, cols, i, &k, &v);
		name = scalar(k);
		if (!name || !*name) {
			diag(L, f, k, "a column name must be a single value");
			continue;
		}
		memset(&type, 0, sizeof(type));
		type.type = BS_TYPE_TEXT;
		ts = scalar(v);
		if (!ts) {
			diag(L, f, v, "the type of column '%s' must be a single value "
			    "(text, integer, decimal(20,2), date...)", name);
			continue;
		}
		if (!is_null_scalar(v) && bs_expr_col_parse(ts, strlen(ts), &type, &err) < 0) {
			diag(L, f, v, "column '%s': %s%s", name, err.msg, comma_hint(ts));
			continue;
		}
		ci = col_find(tab, name, strlen(name));
		if (ci >= 0) {
			struct bs_rcol *c = &tab->cols[ci];

			if (c->type.type != type.type || c->type.precision != type.precision ||
			    c->type.scale != type.scale || c->type.length != type.length) {
				char a[64], b[64], where[PATH_MAX + 64];

				diag(L, f, v, "column '%s' is %s here but %s at %s", name,
				    bs_expr_col_str(&type, a, sizeof(a)),
				    bs_expr_col_str(&c->type, b, sizeof(b)),
				    bs_rpos_str(&c->pos, where, sizeof(where)));
			}
			continue;
		}
		ci = (long)col_add(tab, name, strlen(name), node_pos(f, k));
		tab->cols[ci].type = type;
		tab->cols[ci].declared = 1;
		tab->cols[ci].checked = type.type != BS_TYPE_TEXT;
	}
}

/* Key, sentinels and rules. */
static void
phase2(struct loader *L, struct rfile *f)
{
	struct bs_rules *rs = L->rs;
	yaml_node_t *root = bs_yaml_root(&f->y), *kn, *sn, *rn;
	struct bs_rtable *tab = &rs->tables[f->table];
	size_t *key = NULL, nkey = 0, i, j;

	kn = bs_yaml_get(&f->y, root, "key");
	if (!kn) {
		diag(L, f, root, "missing required key 'key' (the column or columns that "
		    "identify a record)");
	} else if (col_list(L, f, f->table, kn, "key", &key, &nkey) == 0) {
		tab = &rs->tables[f->table];
		if (!tab->key) {
			tab->key = key;
			tab->nkey = nkey;
			key = NULL;
		} else if (tab->nkey != nkey || memcmp(tab->key, key, nkey * sizeof(*key))) {
			diag(L, f, kn, "table '%s' has a different key in another rule file",
			    tab->name);
		}
		free(key);
	}
	sn = bs_yaml_get(&f->y, root, "sentinels");
	if (sn && sn->type != YAML_MAPPING_NODE) {
		diag(L, f, sn, "'sentinels' maps column names to lists of values, e.g. "
		    "{insured_id: ['000000']}");
	} else {
		for (i = 0; i < bs_yaml_len(sn); i++) {
			yaml_node_t *k, *v;
			const char *name;
			struct bs_rcol *c;
			long ci;
			size_t nv;

			bs_yaml_pair(&f->y, sn, i, &k, &v);
			name = scalar(k);
			if (!name || !*name) {
				diag(L, f, k, "a column name must be a single value");
				continue;
			}
			ci = col_ref(rs, f->table, name, strlen(name), node_pos(f, k));
			if (ci < 0) {
				diag_unknown_col(L, f, node_pos(f, k), f->table, name,
				    strlen(name));
				continue;
			}
			nv = v->type == YAML_SEQUENCE_NODE ? bs_yaml_len(v) :
			    v->type == YAML_SCALAR_NODE ? 1 : 0;
			if (!nv) {
				diag(L, f, v, "sentinels of '%s' must be a value or a list of "
				    "values", name);
				continue;
			}
			c = &rs->tables[f->table].cols[ci];
			for (j = 0; j < nv; j++) {
				yaml_node_t *x = v->type == YAML_SCALAR_NODE ? v :
				    bs_yaml_item(&f->y, v, j);

				if (!scalar(x)) {
					diag(L, f, x, "a sentinel must be a single value");
					continue;
				}
				c->sentinels = bs_xreallocarray(c->sentinels,
				    c->nsentinels + 1, sizeof(char *));
				c->sentinel_lens = bs_xreallocarray(c->sentinel_lens,
				    c->nsentinels + 1, sizeof(size_t));
				c->sentinels[c->nsentinels] = bs_xstrndup(scalar(x),
				    x->data.scalar.length);
				c->sentinel_lens[c->nsentinels++] = x->data.scalar.length;
			}
		}
	}
	rn = bs_yaml_get(&f->y, root, "rules");
	if (!rn) {
		diag(L, f, root, "missing required key 'rules'");
		return;
	}
	if (rn->type != YAML_SEQUENCE_NODE) {
		if (!is_null_scalar(rn))
			diag(L, f, rn, "'rules' must be a list of rules");
		return;
	}
	for (i = 0; i < bs_yaml_len(rn); i++)
		parse_rule(L, f, bs_yaml_item(&f->y, rn, i));
}

/* ------------------------------------------------------------ lookups: */

/* Where the by: and where: of each lookup are, for the second step. */
struct lkdecl {
	struct rfile *f;
	yaml_node_t *by, *where;
};

/*
 * Declare the lookups of file f (name, table, key, sum); their by: and
 * where: are compiled once every lookup is declared (lookups_compile).
 */
static void
lookups_declare(struct loader *L, struct rfile *f, struct lkdecl **decl)
{
	static const char *const keys[] = { "table", "key", "by", "where", "sum", NULL };
	struct bs_rules *rs = L->rs;
	yaml_node_t *root = bs_yaml_root(&f->y);
	yaml_node_t *ln = bs_yaml_get(&f->y, root, "lookups");
	size_t i;

	if (!ln)
		return;
	if (ln->type != YAML_MAPPING_NODE) {
		diag(L, f, ln, "'lookups' maps names to {table, key, by}, e.g. "
		    "{pol: {table: policy, key: policy_no, by: policy_no}}");
		return;
	}
	for (i = 0; i < bs_yaml_len(ln); i++) {
		yaml_node_t *k, *v, *tn, *kn, *sn;
		const char *name, *t;
		struct bs_rlookup lk;
		long prev;
		int bad = 0;

		bs_yaml_pair(&f->y, ln, i, &k, &v);
		name = scalar(k);
		if (!name || !is_name(name, strlen(name))) {
			diag(L, f, k, "a lookup's name is a plain name (letters, digits, "
			    "'_'), such as pol");
			continue;
		}
		if ((prev = lookup_find(rs, f->table, name, strlen(name))) >= 0) {
			char where[PATH_MAX + 64];

			diag(L, f, k, "lookup '%s' is declared twice for table '%s' (first "
			    "at %s)", name, rs->tables[f->table].name,
			    bs_rpos_str(&rs->lookups[prev].pos, where, sizeof(where)));
			continue;
		}
		if (v->type != YAML_MAPPING_NODE) {
			diag(L, f, v, "lookup '%s' takes {table, key, by}", name);
			continue;
		}
		if (check_keys(L, f, v, keys, ""))
			continue;
		tn = bs_yaml_get(&f->y, v, "table");
		kn = bs_yaml_get(&f->y, v, "key");
		sn = bs_yaml_get(&f->y, v, "sum");
		t = need_scalar(L, f, v, "table", "");
		if (!t || !kn || !bs_yaml_get(&f->y, v, "by")) {
			if (t)
				diag(L, f, v, "lookup '%s' needs 'key' (the other table's "
				    "columns) and 'by' (this row's values for them)", name);
			continue;
		}
		if (!table_known(L, t)) {
			diag(L, f, tn, "unknown table '%s' (not a table of the report)", t);
			continue;
		}
		memset(&lk, 0, sizeof(lk));
		lk.home = f->table;
		lk.table = table_add(rs, t, node_pos(f, tn));
		lk.pos = node_pos(f, k);
		if (col_list(L, f, lk.table, kn, "key", &lk.key, &lk.nkey) < 0)
			bad = 1;
		for (size_t j = 0; !bad && j < lk.nkey; j++)
			if (rs->tables[lk.table].cols[lk.key[j]].lookup >= 0) {
				diag(L, f, kn, "a lookup's key must be columns of table '%s' "
				    "itself", t);
				bad = 1;
			}
		if (sn) {
			lk.is_sum = 1;
			if (col_list(L, f, lk.table, sn, "sum", &lk.sum, &lk.nsum) < 0)
				bad = 1;
			for (size_t j = 0; !bad && j < lk.nsum; j++) {
				const struct bs_rcol *c = &rs->tables[lk.table].cols[lk.sum[j]];

				if (c->lookup >= 0 || (c->type.type != BS_TYPE_INTEGER &&
				    c->type.type != BS_TYPE_DECIMAL)) {
					diag(L, f, sn, "lookup '%s' sums '%s', which is %s: declare "
					    "it a number in table '%s''s columns:", name, c->name,
					    c->lookup >= 0 ? "a lookup's column" :
					    bs_type_name(c->type.type), t);
					bad = 1;
				}
			}
		}
		if (bad) {
			free(lk.key);
			free(lk.sum);
			continue;
		}
		lk.name = bs_xstrdup(name);
		BS_ALLOC_GROW(rs->lookups, rs->nlookups + 1, rs->alookups);
		rs->lookups[rs->nlookups++] = lk;
		*decl = bs_xreallocarray(*decl, rs->nlookups, sizeof(**decl));
		(*decl)[rs->nlookups - 1].f = f;
		(*decl)[rs->nlookups - 1].by = bs_yaml_get(&f->y, v, "by");
		(*decl)[rs->nlookups - 1].where = bs_yaml_get(&f->y, v, "where");
	}
}

/* The lookups whose columns expression e (over table t's columns) reads. */
void
bs_rules_expr_lookups(const struct bs_rules *rs, size_t t, const struct bs_expr *e,
    unsigned char *dep)
{
	const size_t *cols;
	size_t n, i;

	if (!e)
		return;
	n = bs_expr_columns(e, &cols);
	for (i = 0; i < n; i++)
		if (rs->tables[t].cols[cols[i]].lookup >= 0)
			dep[rs->tables[t].cols[cols[i]].lookup] = 1;
}

/* Depth-first search for a cycle through lookup i; 1 if one was reported. */
static int
lookup_cycle(struct loader *L, const unsigned char *dep, size_t n, size_t i,
    int *state, size_t *path, size_t depth)
{
	size_t j;

	state[i] = 1;
	path[depth] = i;
	for (j = 0; j < n; j++) {
		if (!dep[i * n + j])
			continue;
		if (state[j] == 1) {
			struct bs_buf b = BS_BUF_INIT(0);
			const struct bs_rlookup *lk = &L->rs->lookups[j];
			size_t k = depth + 1;

			while (k > 0 && path[k - 1] != j)
				k--;
			for (k = k ? k - 1 : 0; k <= depth; k++)
				bs_buf_addf(&b, "%s -> ", L->rs->lookups[path[k]].name);
			bs_buf_adds(&b, lk->name);
			vdiag_pos(L, &lk->pos, "lookup '%s' depends on itself (%s)", lk->name,
			    bs_buf_str(&b));
			bs_buf_release(&b);
			return 1;
		}
		if (!state[j] && lookup_cycle(L, dep, n, j, state, path, depth + 1))
			return 1;
	}
	state[i] = 2;
	return 0;
}

static void
lookups_compile(struct loader *L, struct lkdecl *decl)
{
	struct bs_rules *rs = L->rs;
	size_t n = rs->nlookups, i, j;
	unsigned char *dep;
	int *state;
	size_t *path;

	for (i = 0; i < n; i++) {
		struct bs_rlookup *lk = &rs->lookups[i];
		struct rfile *f = decl[i].f;
		yaml_node_t *by = decl[i].by;
		size_t cnt = by->type == YAML_SCALAR_NODE ? 1 :
		    by->type == YAML_SEQUENCE_NODE ? bs_yaml_len(by) : 0;

		if (cnt != lk->nkey) {
			diag(L, f, by, "lookup '%s': 'by' gives %zu value%s for %zu key "
			    "column%s", lk->name, cnt, cnt == 1 ? "" : "s", lk->nkey,
			    lk->nkey == 1 ? "" : "s");
			continue;
		}
		lk->by = bs_xcalloc(cnt, sizeof(*lk->by));
		for (j = 0; j < cnt; j++) {
			yaml_node_t *x = by->type == YAML_SCALAR_NODE ? by :
			    bs_yaml_item(&f->y, by, j);

			lk->by[j] = compile_expr(L, f, lk->home, x, "by", 0);
		}
		if (decl[i].where)
			lk->where = compile_expr(L, f, lk->table, decl[i].where, "where", 1);
	}
	dep = bs_xcalloc(n * n + 1, 1);
	for (i = 0; i < n; i++) {
		const struct bs_rlookup *lk = &rs->lookups[i];

		for (j = 0; lk->by && j < lk->nkey; j++)
			bs_rules_expr_lookups(rs, lk->home, lk->by[j], dep + i * n);
		bs_rules_expr_lookups(rs, lk->table, lk->where, dep + i * n);
	}
	state = bs_xcalloc(n + 1, sizeof(int));
	path = bs_xcalloc(n + 1, sizeof(size_t));
	for (i = 0; i < n; i++)
		if (!state[i] && lookup_cycle(L, dep, n, i, state, path, 0))
			break;
	free(dep);
	free(state);
	free(path);
}

/*
 * The GB/T 2260 list for the region functions: the shared one, in the ref/
 * folder beside the first rule file's folder (rules/ref/ for a file in
 * rules/<report>/), else in the installed rules/ref/.  A report's own
 * ref/gb2260.csv is a list for 'in' like any other.
 */
static void
load_regions(struct loader *L)
{
	struct bs_err err = BS_ERR_INIT;
	const char *const *d;
	size_t i;
	char *p = NULL;

	for (i = 0; i < L->nf && !L->f[i].usable; i++)
		;
	if (i == L->nf)
		return;
	p = bs_xasprintf("%s/../ref/gb2260.csv", L->f[i].dir);
	for (d = L->o->ref_dirs; access(p, F_OK) != 0; d++) {
		free(p);
		p = NULL;
		if (!d || !*d)
			break;
		p = bs_xasprintf("%s/gb2260.csv", *d);
	}
	if (!p)
		return;
	L->rs->regions_path = p;
	if (bs_region_list_load(&L->rs->regions, p, &err) < 0) {
		diag_raw(L, SIZE_MAX, err.msg);
		L->rs->regions = NULL;
	}
}

static char *
dir_of(const char *path)
{
	const char *s = strrchr(path, '/');

	if (!s)
		return bs_xstrdup(".");
	if (s == path)
		return bs_xstrdup("/");
	return bs_xstrndup(path, (size_t)(s - path));
}

int
bs_rules_load(struct bs_rules *rs, const char *const *paths, size_t n,
    const struct bs_rules_opts *o, struct bs_err *err)
{
	static const struct bs_rules_opts dflt = BS_RULES_OPTS_INIT;
	struct loader L;
	size_t i;
	int rc = 0;

	memset(rs, 0, sizeof(*rs));
	memset(&L, 0, sizeof(L));
	L.rs = rs;
	L.o = o ? o : &dflt;
	rs->nfiles = n;
	rs->files = bs_xcalloc(n ? n : 1, sizeof(char *));
	rs->sha256 = bs_xcalloc(n ? n : 1, sizeof(*rs->sha256));
	L.f = bs_xcalloc(n ? n : 1, sizeof(*L.f));
	L.nf = n;
	for (i = 0; i < n; i++) {
		rs->files[i] = bs_xstrdup(paths[i]);
		L.f[i].idx = i;
		L.f[i].path = rs->files[i];
		L.f[i].dir = dir_of(paths[i]);
	}
	for (i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < i; j++)
			if (!strcmp(paths[i], paths[j])) {
				rc = bs_err_set(err, BS_EXIT_USAGE,
				    "rule file '%s' is given twice", paths[i]);
				goto done;
			}
		if (read_file(&L.f[i], err) < 0) {
			rc = -1;
			goto done;
		}
		bs_sha256_hex(L.f[i].text, L.f[i].len, rs->sha256[i]);
	}
	if (L.o->period) {
		int32_t d0, d1;
		char buf[16];

		/* a period that is not a month leaves the parameters unset */
		snprintf(buf, sizeof(buf), "%.7s-01", L.o->period);
		if (strlen(L.o->period) == 7 && bs_date_parse(buf, 10, &d0) == 0) {
			d1 = bs_date_last_of_month(d0);
			bs_date_str(d0, L.pstart);
			bs_date_str(d1, L.pend);
			L.have_period = 1;
		}
	}
	for (i = 0; i < n; i++)
		phase1(&L, &L.f[i]);
	load_regions(&L);
	{
		struct lkdecl *decl = NULL;

		for (i = 0; i < n; i++)
			if (L.f[i].usable)
				lookups_declare(&L, &L.f[i], &decl);
		lookups_compile(&L, decl);
		free(decl);
	}
	for (i = 0; i < n; i++)
		if (L.f[i].usable)
			phase2(&L, &L.f[i]);
	if (L.nd) {
		qsort(L.d, L.nd, sizeof(*L.d), diag_cmp);
		rs->diags = bs_xcalloc(L.nd, sizeof(char *));
		for (i = 0; i < L.nd; i++)
			rs->diags[i] = L.d[i].text;
		rs->ndiags = rs->adiags = L.nd;
		rc = bs_err_set(err, BS_EXIT_CONFIG, "%zu problem%s in the rule file%s",
		    L.nd, L.nd == 1 ? "" : "s", n == 1 ? "" : "s");
	}
done:
	for (i = 0; i < n; i++) {
		bs_yaml_free(&L.f[i].y);
		free(L.f[i].dir);
		free(L.f[i].text);
		free(L.f[i].line_off);
	}
	free(L.f);
	free(L.d);
	free(L.ids);
	return rc;
}

int
bs_rules_bind(struct bs_rules *rs, size_t t, const char *csv,
    const char *const *header, size_t nheader, struct bs_err *err)
{
	struct bs_rtable *tab = &rs->tables[t];
	size_t i, j, bad = 0;

	for (i = 0; i < tab->ncols; i++) {
		struct bs_rcol *c = &tab->cols[i];

		c->field = -1;
		if (c->lookup >= 0)
			continue;	/* filled by the engine */
		for (j = 0; j < nheader; j++)
			if (header[j] && !strcmp(header[j], c->name)) {
				c->field = (long)j;
				break;
			}
		if (c->field < 0) {
			char *m = bs_xasprintf("%s:%lu:%lu: column '%s' is not in %s",
			    c->pos.file, c->pos.line, c->pos.column, c->name, csv);

			BS_ALLOC_GROW(rs->diags, rs->ndiags + 1, rs->adiags);
			rs->diags[rs->ndiags++] = m;
			bad++;
		}
	}
	if (bad)
		return bs_err_set(err, BS_EXIT_CONFIG,
		    "%zu column%s of table '%s' %s not in %s", bad, bad == 1 ? "" : "s",
		    tab->name, bad == 1 ? "is" : "are", csv);
	tab->bound = 1;
	return 0;
}

static int
strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
bs_rules_dir(const char *dir, char ***paths, size_t *n, struct bs_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t first = *n, len;

	if (!d)
		return bs_err_set(err, errno == ENOENT ? BS_EXIT_NOINPUT : BS_EXIT_IOERR,
		    "cannot read rule folder '%s': %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		char *p;

		len = strlen(e->d_name);
		if (len <= 11 || strcmp(e->d_name + len - 11, ".rules.yaml") != 0 ||
		    e->d_name[0] == '.')
			continue;
		p = strcmp(dir, ".") ? bs_xasprintf("%s/%s", dir, e->d_name) :
		    bs_xstrdup(e->d_name);
		if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		*paths = bs_xreallocarray(*paths, *n + 1, sizeof(char *));
		(*paths)[(*n)++] = p;
	}
	closedir(d);
	qsort(*paths + first, *n - first, sizeof(char *), strp_cmp);
	return 0;
}

void
bs_rules_release(struct bs_rules *rs)
{
	size_t i, j;

	if (!rs)
		return;
	for (i = 0; i < rs->nrules; i++)
		rule_free(&rs->rules[i]);
	free(rs->rules);
	for (i = 0; i < rs->ntables; i++) {
		struct bs_rtable *t = &rs->tables[i];

		for (j = 0; j < t->ncols; j++) {
			size_t k;

			free(t->cols[j].name);
			for (k = 0; k < t->cols[j].nsentinels; k++)
				free(t->cols[j].sentinels[k]);
			free(t->cols[j].sentinels);
			free(t->cols[j].sentinel_lens);
		}
		free(t->cols);
		free(t->key);
		free(t->name);
	}
	free(rs->tables);
	for (i = 0; i < rs->nlookups; i++) {
		struct bs_rlookup *lk = &rs->lookups[i];

		for (j = 0; lk->by && j < lk->nkey; j++)
			bs_expr_free(lk->by[j]);
		free(lk->by);
		bs_expr_free(lk->where);
		free(lk->key);
		free(lk->sum);
		free(lk->name);
	}
	free(rs->lookups);
	for (i = 0; i < rs->ndiags; i++)
		free(rs->diags[i]);
	free(rs->diags);
	for (i = 0; i < rs->nrefs; i++) {
		free(rs->refs[i].name);
		free(rs->refs[i].path);
		free(rs->refs[i].version);
	}
	free(rs->refs);
	bs_region_list_free(rs->regions);
	free(rs->regions_path);
	for (i = 0; i < rs->nfiles; i++)
		free(rs->files[i]);
	free(rs->files);
	free(rs->sha256);
	memset(rs, 0, sizeof(*rs));
}
