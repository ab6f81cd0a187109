#include "bs.h"
#include "layout.h"
#include "date.h"
#include "refcsv.h"
#include "workspace.h"
#include "yamldoc.h"

/* Options a file takes from its own entry, else from defaults:. */
static const char *const file_opts[] = {
	"name", "encoding", "bom", "line_end", "header", "last_line_end", "form",
	"delimiter", "qualifier", "quote", "allow_delimiter", "allow_line_break",
	"byte_safe", "max_rows", "control",
	/* field defaults */
	"null", "trim", "round", "pad",
	NULL
};

struct ld {
	struct bs_layout *l;
	struct bs_yaml y;
	yaml_node_t *defaults;
	struct bs_encoder enc[3];	/* one per enum bs_enc, opened lazily */
	int enc_open[3];
};

static void
pos_of(const yaml_node_t *n, struct bs_lay_pos *p)
{
	p->line = n ? (unsigned long)n->start_mark.line + 1 : 0;
	p->column = n ? (unsigned long)n->start_mark.column + 1 : 0;
	p->quoted = n && n->type == YAML_SCALAR_NODE &&
	    (n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
	    n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

/* The node of option key for file entry f: its own, else the default. */
static yaml_node_t *
opt(struct ld *d, yaml_node_t *f, const char *key)
{
	yaml_node_t *n = bs_yaml_get(&d->y, f, key);

	return n ? n : bs_yaml_get(&d->y, d->defaults, key);
}

static int
scalar(struct ld *d, yaml_node_t *n, const char *key, const char **out,
    struct bs_err *err)
{
	*out = "";
	if (n->type != YAML_SCALAR_NODE)
		return bs_yaml_error(&d->y, n, err, "'%s' must be a single value", key);
	*out = bs_yaml_str(n);
	return 0;
}

/* A boolean option: 0/1 into *out, def when absent. */
static int
opt_bool(struct ld *d, yaml_node_t *map, const char *key, int def, int *out,
    struct bs_err *err)
{
	const char *s;

	*out = def;
	if (!map)
		return 0;
	if (scalar(d, map, key, &s, err) < 0)
		return -1;
	if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on"))
		*out = 1;
	else if (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off"))
		*out = 0;
	else
		return bs_yaml_error(&d->y, map, err,
		    "'%s' must be true or false, not '%s'", key, s);
	return 0;
}

static int
get_bool(struct ld *d, yaml_node_t *f, const char *key, int def, int *out,
    struct bs_err *err)
{
	return opt_bool(d, opt(d, f, key), key, def, out, err);
}

/* One ASCII character, printable or TAB; "" allowed when empty_ok. */
static int
one_char(struct ld *d, yaml_node_t *n, const char *key, int empty_ok, char *out,
    struct bs_err *err)
{
	const char *s;
	unsigned char c;

	if (scalar(d, n, key, &s, err) < 0)
		return -1;
	if (empty_ok && (!*s || !strcmp(s, "none"))) {
		*out = 0;
		return 0;
	}
	c = (unsigned char)s[0];
	if (strlen(s) != 1 || c >= 0x80 || (c < 0x20 && c != '\t') || c == 0x7F)
		return bs_yaml_error(&d->y, n, err,
		    "'%s' must be one ASCII character%s, not '%s'", key,
		    empty_ok ? " (or none)" : "", s);
	*out = (char)c;
	return 0;
}

static int
parse_enc(struct ld *d, yaml_node_t *n, enum bs_enc *out, struct bs_err *err)
{
	const char *s;

	*out = BS_ENC_UTF8;
	if (!n)
		return 0;
	if (scalar(d, n, "encoding", &s, err) < 0)
		return -1;
	if (bs_enc_from_name(s, out) < 0)
		return bs_yaml_error(&d->y, n, err,
		    "unknown encoding '%s' (GB18030, GBK or UTF-8)", s);
	return 0;
}

static int
parse_eol(struct ld *d, yaml_node_t *n, const char **out, struct bs_err *err)
{
	const char *s;

	*out = "\r\n";
	if (!n)
		return 0;
	if (scalar(d, n, "line_end", &s, err) < 0)
		return -1;
	if (!strcasecmp(s, "CRLF"))
		*out = "\r\n";
	else if (!strcasecmp(s, "LF"))
		*out = "\n";
	else
		return bs_yaml_error(&d->y, n, err,
		    "line_end must be CRLF or LF, not '%s'", s);
	return 0;
}

static struct bs_encoder *
encoder(struct ld *d, enum bs_enc e, struct bs_err *err)
{
	if (!d->enc_open[e]) {
		if (bs_encoder_open(&d->enc[e], e, err) < 0)
			return NULL;
		d->enc_open[e] = 1;
	}
	return &d->enc[e];
}

/* Encoded byte width of s in e; -1 with a located error if impossible. */
static long
enc_width(struct ld *d, yaml_node_t *n, enum bs_enc e, const char *s,
    struct bs_err *err)
{
	struct bs_encoder *en = encoder(d, e, err);
	struct bs_buf b = BS_BUF_INIT(0);
	size_t bad;
	long w;
	int rc;

	if (!en)
		return -1;
	rc = bs_encode(en, s, strlen(s), &b, &bad, err);
	w = (long)b.len;
	bs_buf_release(&b);
	if (rc == 1 || rc == 2)
		return bs_yaml_error(&d->y, n, err,
		    "'%s' cannot be written in %s", s, bs_enc_name(e));
	return rc < 0 ? -1 : w;
}

/* ---------------------------------------------------------------- templates */

static const struct {
	const char *name;
	enum bs_lay_var var;
	int control;	/* only in control files */
} vars[] = {
	{ "org", BS_LV_ORG, 0 }, { "table", BS_LV_TABLE, 0 },
	{ "period", BS_LV_PERIOD, 0 }, { "period_start", BS_LV_PERIOD_START, 0 },
	{ "period_end", BS_LV_PERIOD_END, 0 }, { "today", BS_LV_TODAY, 0 },
	{ "seq", BS_LV_SEQ, 0 }, { "file", BS_LV_FILE, 1 },
	{ "stem", BS_LV_STEM, 1 }, { "rows", BS_LV_ROWS, 1 },
	{ "bytes", BS_LV_BYTES, 1 }, { "sha256", BS_LV_SHA256, 1 },
	{ "sum", BS_LV_SUM, 1 }, { "sums", BS_LV_SUMS, 1 },
};

static void
tmpl_add(struct bs_lay_tmpl *t, enum bs_lay_var v, char *text, int width,
    size_t field)
{
	struct bs_lay_part *p;

	t->parts = bs_xreallocarray(t->parts, t->nparts + 1, sizeof(*t->parts));
	p = &t->parts[t->nparts++];
	p->var = v;
	p->text = text;
	p->width = width;
	p->field = field;
	t->uses |= 1u << v;
}

static void
tmpl_release(struct bs_lay_tmpl *t)
{
	size_t i;

	for (i = 0; i < t->nparts; i++)
		free(t->parts[i].text);
	free(t->parts);
	free(t->src);
	memset(t, 0, sizeof(*t));
}

static int
date_arg_ok(const char *a)
{
	for (; *a; a++)
		if (*a == '%') {
			a++;
			if (*a != 'Y' && *a != 'm' && *a != 'd' && *a != 'y' &&
			    *a != '%')
				return 0;
		}
	return 1;
}

/*
 * Parse a template.  control: control-file variables allowed; f: the file
 * whose fields {sum:X} names (NULL: not allowed).
 */
static int
parse_tmpl(struct ld *d, yaml_node_t *n, const char *what, int control,
    const struct bs_lay_file *f, struct bs_lay_tmpl *t, struct bs_err *err)
{
	const char *s, *p, *q;
	struct bs_buf lit = BS_BUF_INIT(0);
	size_t i;

	memset(t, 0, sizeof(*t));
	if (scalar(d, n, what, &s, err) < 0)
		return -1;
	t->src = bs_xstrdup(s);
	for (p = s; *p;) {
		char name[32], *arg = NULL;
		const char *colon;
		size_t nl;
		int width = 0;
		size_t field = 0;

		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			bs_buf_addc(&lit, *p);
			p += 2;
			continue;
		}
		if (*p == '}') {
			bs_buf_release(&lit);
			return bs_yaml_error(&d->y, n, err,
			    "%s '%s': a lone '}' (write '}}' for the character)", what, s);
		}
		if (*p != '{') {
			bs_buf_addc(&lit, *p++);
			continue;
		}
		q = strchr(p, '}');
		if (!q) {
			bs_buf_release(&lit);
			return bs_yaml_error(&d->y, n, err,
			    "%s '%s': '{' without '}' (write '{{' for the character)",
			    what, s);
		}
		colon = memchr(p, ':', (size_t)(q - p));
		nl = (size_t)((colon ? colon : q) - p - 1);
		if (nl >= sizeof(name))
			nl = sizeof(name) - 1;
		memcpy(name, p + 1, nl);
		name[nl] = '\0';
		if (colon)
			arg = bs_xstrndup(colon + 1, (size_t)(q - colon - 1));
		for (i = 0; i < BS_ARRAY_SIZE(vars); i++)
			if (!strcmp(vars[i].name, name))
				break;
		if (i == BS_ARRAY_SIZE(vars) || (vars[i].control && !control)) {
			free(arg);
			bs_buf_release(&lit);
			return bs_yaml_error(&d->y, n, err,
			    "%s '%s': unknown variable '{%s}'%s", what, s, name,
			    i < BS_ARRAY_SIZE(vars) ? " (only in control files)" :
			    control ? " (org, table, period, period_start, period_end, "
			    "today, seq, file, stem, rows, bytes, sha256, sum:FIELD, sums)" :
			    " (org, table, period, period_start, period_end, today, seq)");
		}
		switch (vars[i].var) {
		case BS_LV_PERIOD:
		case BS_LV_PERIOD_START:
		case BS_LV_PERIOD_END:
		case BS_LV_TODAY:
			if ((vars[i].var != BS_LV_PERIOD && !arg) ||
			    (arg && (!*arg || !date_arg_ok(arg)))) {
				free(arg);
				bs_buf_release(&lit);
				return bs_yaml_error(&d->y, n, err,
				    "%s '%s': '{%s}' needs a date format such as "
				    "{%s:%%Y%%m%%d} (%%Y %%y %%m %%d %%%%)", what, s, name,
				    name);
			}
			break;
		case BS_LV_SEQ:
		case BS_LV_ROWS:
		case BS_LV_BYTES:
			if (arg) {
				char *end;
				long w = strtol(arg, &end, 10);

				if (!*arg || *end || w < 1 || w > 20) {
					free(arg);
					bs_buf_release(&lit);
					return bs_yaml_error(&d->y, n, err,
					    "%s '%s': '{%s:N}' takes a width from 1 to 20",
					    what, s, name);
				}
				width = (int)w;
				free(arg);
				arg = NULL;
			}
			break;
		case BS_LV_SHA256:
			if (arg) {
				if (strcmp(arg, "upper") != 0) {
					free(arg);
					bs_buf_release(&lit);
					return bs_yaml_error(&d->y, n, err,
					    "%s '%s': write {sha256} or {sha256:upper}",
					    what, s);
				}
				width = 1;
				free(arg);
				arg = NULL;
			}
			break;
		case BS_LV_SUM: {
			long k = f && arg ? bs_lay_field_index(f, arg) : -1;

			if (k < 0 || (f->fields[k].kind != BS_LAY_DECIMAL &&
			    f->fields[k].kind != BS_LAY_INTEGER)) {
				bs_yaml_error(&d->y, n, err,
				    "%s '%s': '{sum:%s}' must name a decimal or integer "
				    "field of table '%s'", what, s, arg ? arg : "",
				    f ? f->table : "?");
				free(arg);
				bs_buf_release(&lit);
				return -1;
			}
			field = (size_t)k;
			free(arg);
			arg = NULL;
			break;
		}
		default:
			if (arg) {
				bs_yaml_error(&d->y, n, err, "%s '%s': '{%s}' takes no ':%s'",
				    what, s, name, arg);
				free(arg);
				bs_buf_release(&lit);
				return -1;
			}
		}
		if (lit.len)
			tmpl_add(t, BS_LV_TEXT, bs_buf_detach(&lit, NULL), 0, 0);
		tmpl_add(t, vars[i].var, arg, width, field);
		p = q + 1;
	}
	if (lit.len)
		tmpl_add(t, BS_LV_TEXT, bs_buf_detach(&lit, NULL), 0, 0);
	bs_buf_release(&lit);
	return 0;
}

static void
add_date(struct bs_buf *out, int32_t day, const char *fmt)
{
	int y, m, dd;
	const char *p;

	bs_date_to_ymd(day, &y, &m, &dd);
	for (p = fmt; *p; p++) {
		if (*p != '%' || !p[1]) {
			bs_buf_addc(out, *p);
			continue;
		}
		switch (*++p) {
		case 'Y': bs_buf_addf(out, "%04d", y); break;
		case 'y': bs_buf_addf(out, "%02d", y % 100); break;
		case 'm': bs_buf_addf(out, "%02d", m); break;
		case 'd': bs_buf_addf(out, "%02d", dd); break;
		default: bs_buf_addc(out, *p); break;
		}
	}
}

int
bs_lay_expand(const struct bs_lay_tmpl *t, const struct bs_lay_vars *v,
    struct bs_buf *out, struct bs_err *err)
{
	size_t i, k;

	for (i = 0; i < t->nparts; i++) {
		const struct bs_lay_part *p = &t->parts[i];

		switch (p->var) {
		case BS_LV_TEXT:
			bs_buf_adds(out, p->text);
			break;
		case BS_LV_ORG:
			if (!v->org)
				return bs_err_set(err, BS_EXIT_USAGE,
				    "'%s' uses {org}, but the institution code is not "
				    "known (no workspace, and the input run does not name it)",
				    t->src);
			bs_buf_adds(out, v->org);
			break;
		case BS_LV_TABLE:
			bs_buf_adds(out, v->table ? v->table : "");
			break;
		case BS_LV_PERIOD:
		case BS_LV_PERIOD_START:
		case BS_LV_PERIOD_END:
			if (!v->period)
				return bs_err_set(err, BS_EXIT_USAGE,
				    "'%s' uses {%s}, but the input belongs to no period "
				    "(it was not extracted for a filing)", t->src,
				    p->var == BS_LV_PERIOD ? "period" :
				    p->var == BS_LV_PERIOD_START ? "period_start" :
				    "period_end");
			if (p->var == BS_LV_PERIOD && !p->text)
				bs_buf_adds(out, v->period);
			else
				add_date(out, p->var == BS_LV_PERIOD_START ?
				    v->period_start : v->period_end, p->text);
			break;
		case BS_LV_TODAY:
			add_date(out, v->today, p->text);
			break;
		case BS_LV_SEQ:
			bs_buf_addf(out, "%0*lu", p->width, v->seq);
			break;
		case BS_LV_FILE:
			bs_buf_adds(out, v->file ? v->file : "");
			break;
		case BS_LV_STEM: {
			const char *f = v->file ? v->file : "";
			const char *dot = strrchr(f, '.');

			bs_buf_add(out, f, dot && dot != f ? (size_t)(dot - f) : strlen(f));
			break;
		}
		case BS_LV_ROWS:
			bs_buf_addf(out, "%0*llu", p->width, v->rows);
			break;
		case BS_LV_BYTES:
			bs_buf_addf(out, "%0*llu", p->width, v->bytes);
			break;
		case BS_LV_SHA256:
			for (k = 0; v->sha256 && v->sha256[k]; k++)
				bs_buf_addc(out, p->width ?
				    (char)toupper((unsigned char)v->sha256[k]) : v->sha256[k]);
			break;
		case BS_LV_SUM:
			bs_buf_adds(out, v->sums && v->sums[p->field] ?
			    v->sums[p->field] : "");
			break;
		case BS_LV_SUMS:
			for (k = 0; k < v->nsum_list; k++) {
				if (k)
					bs_buf_adds(out, v->sums_sep ? v->sums_sep : "|");
				bs_buf_adds(out, v->sums && v->sums[v->sum_list[k]] ?
				    v->sums[v->sum_list[k]] : "");
			}
			break;
		}
	}
	return 0;
}

/* --------------------------------------------------------------------- maps */

static size_t
hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 29));
}

const char *
bs_lay_map_get(const struct bs_lay_map *m, const char *s, size_t n)
{
	size_t i;

	if (!m->nslots)
		return NULL;
	for (i = hash(s, n) & (m->nslots - 1); m->slots[i];
	    i = (i + 1) & (m->nslots - 1)) {
		const char *f = m->from[m->slots[i] - 1];

		if (strlen(f) == n && memcmp(f, s, n) == 0)
			return m->to[m->slots[i] - 1];
	}
	return NULL;
}

/* Add from -> to; 1 if from is already there. */
static int
map_add(struct bs_lay_map *m, const char *from, const char *to, size_t *alloc)
{
	size_t i, j, n = strlen(from);

	if (bs_lay_map_get(m, from, n))
		return 1;
	if (2 * (m->n + 1) > m->nslots) {
		size_t ns = m->nslots ? 2 * m->nslots : 16;

		free(m->slots);
		m->slots = bs_xcalloc(ns, sizeof(size_t));
		m->nslots = ns;
		for (j = 0; j < m->n; j++) {
			for (i = hash(m->from[j], strlen(m->from[j])) & (ns - 1);
			    m->slots[i]; i = (i + 1) & (ns - 1))
				;
			m->slots[i] = j + 1;
		}
	}
	BS_ALLOC_GROW(m->from, m->n + 1, *alloc);
	m->to = bs_xreallocarray(m->to, *alloc, sizeof(char *));
	m->from[m->n] = bs_xstrdup(from);
	m->to[m->n] = bs_xstrdup(to);
	for (i = hash(from, n) & (m->nslots - 1); m->slots[i];
	    i = (i + 1) & (m->nslots - 1))
		;
	m->slots[i] = ++m->n;
	return 0;
}

static int
parse_map(struct ld *d, yaml_node_t *k, yaml_node_t *v, struct bs_lay_map *m,
    struct bs_err *err)
{
	static const char *const keys[] = { "file", "values", NULL };
	static const char *const cols[] = { "from", "to" };
	yaml_node_t *fn, *vals;
	size_t alloc = 0, i;
	const char *s;

	m->name = bs_xstrdup(bs_yaml_str(k) ? bs_yaml_str(k) : "");
	if (bs_yaml_expect(&d->y, v, YAML_MAPPING_NODE, "a map", err) < 0 ||
	    bs_yaml_check_keys(&d->y, v, keys, err) < 0)
		return -1;
	fn = bs_yaml_get(&d->y, v, "file");
	vals = bs_yaml_get(&d->y, v, "values");
	if (!!fn == !!vals)
		return bs_yaml_error(&d->y, v, err,
		    "map '%s' needs either file: (a CSV with columns from,to) or "
		    "values: (a mapping)", m->name);
	if (vals) {
		if (bs_yaml_expect(&d->y, vals, YAML_MAPPING_NODE, "'values'", err) < 0)
			return -1;
		for (i = 0; i < bs_yaml_len(vals); i++) {
			yaml_node_t *a, *b;

			bs_yaml_pair(&d->y, vals, i, &a, &b);
			if (!bs_yaml_str(b))
				return bs_yaml_error(&d->y, b, err,
				    "map '%s': a code maps to a single value", m->name);
			map_add(m, bs_yaml_str(a), bs_yaml_str(b), &alloc);
		}
		return 0;
	}
	{
		struct bs_refcsv r;
		int rc;

		if (scalar(d, fn, "file", &s, err) < 0)
			return -1;
		m->file = bs_path_join(d->l->dir, s);
		if (access(m->file, F_OK) != 0) {
			bs_yaml_error(&d->y, fn, err, "map '%s': cannot open '%s': %s",
			    m->name, m->file, strerror(errno));
			err->code = BS_EXIT_NOINPUT;
			return -1;
		}
		if (bs_refcsv_open(&r, m->file, err) < 0)
			return -1;
		rc = bs_refcsv_header(&r, cols, 2, err);
		while (rc == 0 && (rc = bs_refcsv_next(&r, err)) == 1) {
			if (map_add(m, r.field[0], r.field[1], &alloc)) {
				rc = bs_refcsv_fail(&r, err,
				    "code '%s' is mapped twice", r.field[0]);
				break;
			}
			rc = 0;
		}
		bs_refcsv_close(&r);
		if (rc < 0)
			return -1;
		m->version = bs_refcsv_version(m->file, err);
		return m->version ? 0 : -1;
	}
}

/* ------------------------------------------------------------ date patterns */

static unsigned
tokbit(int tok)
{
	return 1u << (strchr("YMDhms", tok) - "YMDhms");
}

static int
date_compile(struct bs_lay_datefmt *df, const char *src)
{
	const char *p;
	size_t lit = 0;
	unsigned seen = 0;

	memset(df, 0, sizeof(*df));
	df->src = bs_xstrdup(src);
	for (p = df->src; *p;) {
		int tok = 0;
		size_t len = 2;

		if (!strncmp(p, "YYYY", 4)) {
			tok = 'Y';
			len = 4;
		} else if (!strncmp(p, "MM", 2)) {
			tok = 'M';
		} else if (!strncmp(p, "DD", 2)) {
			tok = 'D';
		} else if (!strncmp(p, "HH", 2)) {
			tok = 'h';
		} else if (!strncmp(p, "MI", 2)) {
			tok = 'm';
		} else if (!strncmp(p, "SS", 2)) {
			tok = 's';
		}
		if (!tok) {
			if (!lit) {
				if (df->n == BS_LAY_DATE_MAX)
					return -1;
				df->op[df->n].tok = 0;
				df->op[df->n].lit = p;
				df->n++;
			}
			lit++;
			df->op[df->n - 1].len = lit;
			p++;
			continue;
		}
		lit = 0;
		if (df->n == BS_LAY_DATE_MAX || (seen & tokbit(tok)))
			return -1;
		seen |= tokbit(tok);
		df->op[df->n].tok = tok;
		df->op[df->n].lit = NULL;
		df->op[df->n].len = 0;
		df->n++;
		if (tok == 'h' || tok == 'm' || tok == 's')
			df->has_time = 1;
		p += len;
	}
	df->ymd = df->n == 3 && df->op[0].tok == 'Y' && df->op[1].tok == 'M' &&
	    df->op[2].tok == 'D';
	return seen & tokbit('Y') ? 0 : -1;	/* YYYY at least */
}

/* 'YYYY-MM-DD' at s, a real date in 0001..9999: 0, else -1. */
static int
ymd_ok(const char *s)
{
	int y, m, d, i;

	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return -1;
	static const unsigned char dim[13] = { 0, 31, 28, 31, 30, 31, 30, 31, 31,
		30, 31, 30, 31 };

	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + s[3] - '0';
	m = (s[5] - '0') * 10 + s[6] - '0';
	d = (s[8] - '0') * 10 + s[9] - '0';
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return -1;
	if (d <= dim[m])
		return 0;
	/* 29 February */
	return m == 2 && d == 29 && bs_date_is_leap(y) ? 0 : -1;
}

int
bs_lay_date_format(const struct bs_lay_datefmt *d, const char *s, size_t n,
    struct bs_buf *out)
{
	struct bs_timestamp ts;
	size_t i, len, total = 0;
	char *o;

	if (n == 10) {
		if (ymd_ok(s) < 0)
			return -1;
		if (d->ymd && out->alloc - out->len > 8) {
			o = out->buf + out->len;
			memcpy(o, s, 4);
			memcpy(o + 4, s + 5, 2);
			memcpy(o + 6, s + 8, 2);
			out->len += 8;
			out->buf[out->len] = '\0';
			return 0;
		}
	} else if (d->has_time && n >= 19) {
		if (bs_ts_parse(s, n, &ts) < 0)
			return -1;
	} else {
		return -1;
	}
	for (i = 0; i < d->n; i++)
		total += d->op[i].tok == 0 ? d->op[i].len : d->op[i].tok == 'Y' ? 4 : 2;
	if (bs_buf_grow(out, total) < 0)
		return -1;
	o = out->buf + out->len;
	for (i = 0; i < d->n; i++) {
		const char *src = d->op[i].lit;

		len = 2;
		switch (d->op[i].tok) {
		case 0: len = d->op[i].len; break;
		case 'Y': src = s; len = 4; break;
		case 'M': src = s + 5; break;
		case 'D': src = s + 8; break;
		case 'h': src = n == 10 ? "00" : s + 11; break;
		case 'm': src = n == 10 ? "00" : s + 14; break;
		case 's': src = n == 10 ? "00" : s + 17; break;
		}
		memcpy(o, src, len);
		o += len;
	}
	out->len += total;
	out->buf[out->len] = '\0';
	return 0;
}

/* ------------------------------------------------------------------ fields */

long
bs_lay_field_index(const struct bs_lay_file *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nfields; i++)
		if (!strcmp(f->fields[i].name, name))
			return (long)i;
	return -1;
}

/* Text in a delimited file: no CR, LF, control character or delimiter. */
static int
check_const(struct ld *d, yaml_node_t *n, const struct bs_lay_file *f,
    const char *s, const char *what, struct bs_err *err)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if ((*p == '\r' || *p == '\n') && f->form == BS_LAY_DELIMITED &&
		    f->allow_break)
			continue;
		if (*p < 0x20 || *p == 0x7F)
			return bs_yaml_error(&d->y, n, err,
			    "%s holds a control character (0x%02x)", what, *p);
		if (f->form == BS_LAY_DELIMITED && *p == (unsigned char)f->delim &&
		    !f->allow_delim)
			return bs_yaml_error(&d->y, n, err,
			    "%s holds the delimiter '%c'", what, f->delim);
	}
	return 0;
}

static int
parse_field(struct ld *d, yaml_node_t *fe, yaml_node_t *n,
    struct bs_lay_file *f, struct bs_lay_field *fl, struct bs_err *err)
{
	static const char *const keys[] = { "name", "column", "expr", "value",
		"date", "decimal", "integer", "trim", "round", "map", "null",
		"width", "align", "pad", NULL };
	struct bs_yaml *y = &d->y;
	yaml_node_t *c = bs_yaml_get(y, n, "column"), *e = bs_yaml_get(y, n, "expr"),
	    *v = bs_yaml_get(y, n, "value"), *dt = bs_yaml_get(y, n, "date"),
	    *dc = bs_yaml_get(y, n, "decimal"), *in = bs_yaml_get(y, n, "integer"),
	    *mp = bs_yaml_get(y, n, "map"), *nm = bs_yaml_get(y, n, "name"),
	    *w = bs_yaml_get(y, n, "width"), *al = bs_yaml_get(y, n, "align"),
	    *pd = bs_yaml_get(y, n, "pad"), *nl = bs_yaml_get(y, n, "null"), *x;
	const char *s;
	size_t i;
	int isint = 0;

	pos_of(n, &fl->pos);
	if (bs_yaml_expect(y, n, YAML_MAPPING_NODE, "a field", err) < 0 ||
	    bs_yaml_check_keys(y, n, keys, err) < 0)
		return -1;
	if (!!c + !!e + !!v != 1)
		return bs_yaml_error(y, n, err,
		    "a field takes exactly one of column:, expr: and value:");
	if (c) {
		if (scalar(d, c, "column", &s, err) < 0)
			return -1;
		if (!*s)
			return bs_yaml_error(y, c, err, "'column' must not be empty");
		fl->src = BS_LAY_COLUMN;
		fl->column = bs_xstrdup(s);
	} else if (e) {
		if (scalar(d, e, "expr", &s, err) < 0)
			return -1;
		if (!*s)
			return bs_yaml_error(y, e, err, "'expr' must not be empty");
		fl->src = BS_LAY_EXPR;
		fl->expr = bs_xstrdup(s);
		pos_of(e, &fl->expr_pos);
	} else {
		if (scalar(d, v, "value", &s, err) < 0)
			return -1;
		fl->src = BS_LAY_VALUE;
		fl->value = bs_xstrdup(s);
	}
	if (nm) {
		if (scalar(d, nm, "name", &s, err) < 0)
			return -1;
		if (!*s)
			return bs_yaml_error(y, nm, err, "'name' must not be empty");
		fl->name = bs_xstrdup(s);
	} else if (c) {
		fl->name = bs_xstrdup(fl->column);
	} else {
		return bs_yaml_error(y, n, err,
		    "a field made by expr: or value: needs a name:");
	}
	for (i = 0; i < (size_t)(fl - f->fields); i++)
		if (!strcmp(f->fields[i].name, fl->name))
			return bs_yaml_error(y, nm ? nm : n, err,
			    "field name '%s' is used twice in table '%s' (give name:)",
			    fl->name, f->table);
	if (!!dt + !!dc + !!in > 1)
		return bs_yaml_error(y, n, err,
		    "a field takes at most one of date:, decimal: and integer:");
	fl->kind = BS_LAY_TEXT;
	if (dt) {
		if (scalar(d, dt, "date", &s, err) < 0)
			return -1;
		fl->kind = BS_LAY_DATE;
		if (date_compile(&fl->date, s) < 0)
			return bs_yaml_error(y, dt, err,
			    "date pattern '%s' must be made of YYYY, MM, DD, HH, MI, SS "
			    "(YYYY required, each at most once) and other characters "
			    "(at most %d parts), e.g. YYYYMMDD",
			    s, BS_LAY_DATE_MAX);
	} else if (dc) {
		char *end;
		long sc;

		if (scalar(d, dc, "decimal", &s, err) < 0)
			return -1;
		sc = strtol(s, &end, 10);
		if (!*s || *end || sc < 0 || sc > 18)
			return bs_yaml_error(y, dc, err,
			    "decimal: takes the number of fraction digits, 0 to 18, not '%s'",
			    s);
		fl->kind = BS_LAY_DECIMAL;
		fl->scale = (int)sc;
	} else if (in) {
		if (opt_bool(d, in, "integer", 0, &isint, err) < 0)
			return -1;
		if (isint)
			fl->kind = BS_LAY_INTEGER;
	}
	/* field defaults: the field, then the file, then defaults: */
	x = bs_yaml_get(y, n, "trim");
	if (opt_bool(d, x ? x : opt(d, fe, "trim"), "trim", 0, &fl->trim, err) < 0)
		return -1;
	x = bs_yaml_get(y, n, "round");
	if (opt_bool(d, x ? x : opt(d, fe, "round"), "round", 0, &fl->round, err) < 0)
		return -1;
	if (fl->round && fl->kind != BS_LAY_DECIMAL && bs_yaml_get(y, n, "round"))
		return bs_yaml_error(y, bs_yaml_get(y, n, "round"), err,
		    "round: goes with decimal:");
	x = nl ? nl : opt(d, fe, "null");
	s = "";
	if (x && scalar(d, x, "null", &s, err) < 0)
		return -1;
	fl->null_text = bs_xstrdup(s);
	if (x && check_const(d, x, f, s, "null:", err) < 0)
		return -1;
	if (v && check_const(d, v, f, fl->value, "value:", err) < 0)
		return -1;
	if (f->header && check_const(d, nm ? nm : n, f, fl->name, "the header name",
	    err) < 0)
		return -1;
	if (mp) {
		if (scalar(d, mp, "map", &s, err) < 0)
			return -1;
		for (i = 0; i < d->l->nmaps; i++)
			if (!strcmp(d->l->maps[i].name, s))
				fl->map = &d->l->maps[i];
		if (!fl->map)
			return bs_yaml_error(y, mp, err, "no map named '%s' in maps:", s);
	}
	/* fixed width */
	fl->pad = ' ';
	fl->align_right = fl->kind == BS_LAY_DECIMAL || fl->kind == BS_LAY_INTEGER;
	if (f->form == BS_LAY_DELIMITED) {
		if (w || al || pd)
			return bs_yaml_error(y, w ? w : al ? al : pd, err,
			    "width:, align: and pad: are for fixed-width files "
			    "(form: fixed)");
		return 0;
	}
	if (!w)
		return bs_yaml_error(y, n, err,
		    "field '%s' needs a width: (bytes in %s) in a fixed-width file",
		    fl->name, bs_enc_name(f->enc));
	{
		char *end;
		long wv;

		if (scalar(d, w, "width", &s, err) < 0)
			return -1;
		wv = strtol(s, &end, 10);
		if (!*s || *end || wv < 1 || wv > 65536)
			return bs_yaml_error(y, w, err,
			    "width: takes a number of bytes from 1 to 65536, not '%s'", s);
		fl->width = (size_t)wv;
	}
	if (al) {
		if (scalar(d, al, "align", &s, err) < 0)
			return -1;
		if (!strcmp(s, "left"))
			fl->align_right = 0;
		else if (!strcmp(s, "right"))
			fl->align_right = 1;
		else
			return bs_yaml_error(y, al, err,
			    "align: is left or right, not '%s'", s);
	}
	x = pd ? pd : opt(d, fe, "pad");
	if (x && one_char(d, x, "pad", 0, &fl->pad, err) < 0)
		return -1;
	if ((unsigned char)fl->pad < 0x20)
		return bs_yaml_error(y, x, err, "pad: must be a printable character");
	if (!fl->align_right && (fl->kind == BS_LAY_DECIMAL ||
	    fl->kind == BS_LAY_INTEGER) && fl->pad != ' ')
		return bs_yaml_error(y, x ? x : n, err,
		    "a number aligned left can only be padded with spaces "
		    "('%c' after the digits would change its value)", fl->pad);
	{
		long wn = enc_width(d, x ? x : n, f->enc, fl->null_text, err);

		if (wn < 0)
			return -1;
		if ((size_t)wn > fl->width)
			return bs_yaml_error(y, nl ? nl : n, err,
			    "null: '%s' is %ld bytes, wider than field '%s' (%zu)",
			    fl->null_text, wn, fl->name, fl->width);
	}
	if (v) {
		long wv = enc_width(d, v, f->enc, fl->value, err);

		if (wv < 0)
			return -1;
		if ((size_t)wv > fl->width)
			return bs_yaml_error(y, v, err,
			    "value '%s' is %ld bytes in %s, wider than the field (%zu)",
			    fl->value, wv, bs_enc_name(f->enc), fl->width);
	}
	if (f->header) {
		long wh = enc_width(d, nm ? nm : n, f->enc, fl->name, err);

		if (wh < 0)
			return -1;
		if ((size_t)wh > fl->width)
			return bs_yaml_error(y, nm ? nm : n, err,
			    "the header name '%s' is %ld bytes in %s, wider than the "
			    "field (%zu)", fl->name, wh, bs_enc_name(f->enc), fl->width);
	}
	return 0;
}

/* -------------------------------------------------------------------- files */

/* A scalar or a list of scalars into a string array. */
static int
str_list(struct ld *d, yaml_node_t *n, const char *what, char ***out,
    size_t *nout, struct bs_err *err)
{
	size_t i;

	if (n->type == YAML_SCALAR_NODE) {
		*out = bs_xcalloc(1, sizeof(char *));
		(*out)[0] = bs_xstrdup(bs_yaml_str(n));
		*nout = 1;
		return 0;
	}
	if (bs_yaml_expect(&d->y, n, YAML_SEQUENCE_NODE, what, err) < 0)
		return -1;
	*nout = bs_yaml_len(n);
	*out = bs_xcalloc(*nout ? *nout : 1, sizeof(char *));
	for (i = 0; i < *nout; i++) {
		yaml_node_t *it = bs_yaml_item(&d->y, n, i);

		if (!bs_yaml_str(it) || !*bs_yaml_str(it))
			return bs_yaml_error(&d->y, it, err, "%s: expected a name", what);
		(*out)[i] = bs_xstrdup(bs_yaml_str(it));
	}
	return 0;
}

static int
parse_control(struct ld *d, yaml_node_t *n, struct bs_lay_file *f,
    struct bs_err *err)
{
	static const char *const keys[] = { "name", "lines", "encoding", "bom",
		"line_end", "separator", NULL };
	struct bs_yaml *y = &d->y;
	struct bs_lay_control *c;
	yaml_node_t *nm, *ln, *x;
	size_t i;
	char sep[2] = { 0, 0 };

	if (n->type == YAML_SCALAR_NODE && (!strcmp(bs_yaml_str(n), "none") ||
	    !strcmp(bs_yaml_str(n), "false") || !*bs_yaml_str(n)))
		return 0;
	if (bs_yaml_expect(y, n, YAML_MAPPING_NODE, "'control'", err) < 0 ||
	    bs_yaml_check_keys(y, n, keys, err) < 0)
		return -1;
	c = f->control = bs_xcalloc(1, sizeof(*c));
	nm = bs_yaml_get(y, n, "name");
	ln = bs_yaml_get(y, n, "lines");
	if (!nm || !ln)
		return bs_yaml_error(y, n, err, "control: needs name: and lines:");
	if (parse_tmpl(d, nm, "control file name", 1, f, &c->name, err) < 0)
		return -1;
	if (f->max_rows && !(c->name.uses & (1u << BS_LV_SEQ)) &&
	    !(c->name.uses & (1u << BS_LV_STEM)) && !(c->name.uses & (1u << BS_LV_FILE)))
		return bs_yaml_error(y, nm, err,
		    "with max_rows: a table may give several files, so the control "
		    "file name must use {seq}, {stem} or {file}");
	if (bs_yaml_expect(y, ln, YAML_SEQUENCE_NODE, "'lines'", err) < 0)
		return -1;
	c->nlines = bs_yaml_len(ln);
	c->lines = bs_xcalloc(c->nlines ? c->nlines : 1, sizeof(*c->lines));
	for (i = 0; i < c->nlines; i++)
		if (parse_tmpl(d, bs_yaml_item(y, ln, i), "control line", 1, f,
		    &c->lines[i], err) < 0)
			return -1;
	x = bs_yaml_get(y, n, "encoding");
	c->enc = f->enc;
	if (x && parse_enc(d, x, &c->enc, err) < 0)
		return -1;
	if (opt_bool(d, bs_yaml_get(y, n, "bom"), "bom", f->bom && c->enc != BS_ENC_GBK,
	    &c->bom, err) < 0)
		return -1;
	if (c->bom && c->enc == BS_ENC_GBK)
		return bs_yaml_error(y, bs_yaml_get(y, n, "bom"), err,
		    "GBK has no byte order mark");
	x = bs_yaml_get(y, n, "line_end");
	c->eol = f->eol;
	if (x && parse_eol(d, x, &c->eol, err) < 0)
		return -1;
	x = bs_yaml_get(y, n, "separator");
	if (x) {
		const char *s;

		if (scalar(d, x, "separator", &s, err) < 0)
			return -1;
		c->sep = bs_xstrdup(s);
	} else {
		sep[0] = f->form == BS_LAY_DELIMITED ? f->delim : '|';
		c->sep = bs_xstrdup(sep);
	}
	return 0;
}

static int
parse_file(struct ld *d, yaml_node_t *n, struct bs_lay_file *f,
    struct bs_err *err)
{
	static const char *const own[] = { "table", "code", "key",
		"types", "sum", "fields", NULL };
	struct bs_yaml *y = &d->y;
	const char *keys[BS_ARRAY_SIZE(own) + BS_ARRAY_SIZE(file_opts)];
	yaml_node_t *x, *fields;
	const char *s;
	size_t i, k = 0;
	long mr;

	for (i = 0; own[i]; i++)
		keys[k++] = own[i];
	for (i = 0; file_opts[i]; i++)
		keys[k++] = file_opts[i];
	keys[k] = NULL;
	pos_of(n, &f->pos);
	if (bs_yaml_expect(y, n, YAML_MAPPING_NODE, "a file", err) < 0 ||
	    bs_yaml_check_keys(y, n, keys, err) < 0 ||
	    bs_yaml_need_str(y, n, "table", &s, err) < 0)
		return -1;
	f->table = bs_xstrdup(s);
	if (strchr(s, '/'))
		return bs_yaml_error(y, bs_yaml_get(y, n, "table"), err,
		    "a table name has no '/'");
	s = f->table;
	if (bs_yaml_get_str(y, n, "code", &s, err) < 0)
		return -1;
	f->code = bs_xstrdup(s);

	/* form first: it decides which options apply */
	x = opt(d, n, "form");
	f->form = BS_LAY_DELIMITED;
	if (x) {
		if (scalar(d, x, "form", &s, err) < 0)
			return -1;
		if (!strcmp(s, "fixed"))
			f->form = BS_LAY_FIXED;
		else if (strcmp(s, "delimited") != 0)
			return bs_yaml_error(y, x, err,
			    "form: is delimited or fixed, not '%s'", s);
	}
	if (parse_enc(d, opt(d, n, "encoding"), &f->enc, err) < 0 ||
	    get_bool(d, n, "bom", 0, &f->bom, err) < 0 ||
	    parse_eol(d, opt(d, n, "line_end"), &f->eol, err) < 0 ||
	    get_bool(d, n, "header", 0, &f->header, err) < 0 ||
	    get_bool(d, n, "last_line_end", 1, &f->last_eol, err) < 0 ||
	    get_bool(d, n, "byte_safe", 1, &f->byte_safe, err) < 0)
		return -1;
	if (f->bom && f->enc == BS_ENC_GBK)
		return bs_yaml_error(y, opt(d, n, "bom"), err,
		    "GBK has no byte order mark (bom: needs GB18030 or UTF-8)");
	if (f->form == BS_LAY_FIXED) {
		static const char *const dopts[] = { "delimiter", "qualifier",
			"quote", "allow_delimiter", "allow_line_break", NULL };

		for (i = 0; dopts[i]; i++)
			if (bs_yaml_get(y, n, dopts[i]))
				return bs_yaml_error(y, bs_yaml_get(y, n, dopts[i]), err,
				    "%s: is for delimited files", dopts[i]);
	} else {
		f->delim = ',';
		x = opt(d, n, "delimiter");
		if (x && one_char(d, x, "delimiter", 0, &f->delim, err) < 0)
			return -1;
		if (isalnum((unsigned char)f->delim) || f->delim == ' ')
			return bs_yaml_error(y, x, err,
			    "delimiter '%c' would be mistaken for data", f->delim);
		x = opt(d, n, "qualifier");
		if (x && one_char(d, x, "qualifier", 1, &f->qualifier, err) < 0)
			return -1;
		if (f->qualifier && (f->qualifier == f->delim ||
		    isalnum((unsigned char)f->qualifier)))
			return bs_yaml_error(y, x, err,
			    "qualifier '%c' cannot be told from data or the delimiter",
			    f->qualifier);
		x = opt(d, n, "quote");
		f->quote = BS_LAY_QUOTE_ALL;
		if (x) {
			if (scalar(d, x, "quote", &s, err) < 0)
				return -1;
			if (!f->qualifier)
				return bs_yaml_error(y, x, err,
				    "quote: needs a qualifier:");
			if (!strcmp(s, "all"))
				f->quote = BS_LAY_QUOTE_ALL;
			else if (!strcmp(s, "text"))
				f->quote = BS_LAY_QUOTE_TEXT;
			else if (!strcmp(s, "needed"))
				f->quote = BS_LAY_QUOTE_NEEDED;
			else
				return bs_yaml_error(y, x, err,
				    "quote: is all, text or needed, not '%s'", s);
		}
		if (get_bool(d, n, "allow_delimiter", 0, &f->allow_delim, err) < 0 ||
		    get_bool(d, n, "allow_line_break", 0, &f->allow_break, err) < 0)
			return -1;
		if ((f->allow_delim || f->allow_break) && !f->qualifier)
			return bs_yaml_error(y, opt(d, n, f->allow_delim ?
			    "allow_delimiter" : "allow_line_break"), err,
			    "a field can hold the %s only inside a qualifier "
			    "(set qualifier:, e.g. '\"')", f->allow_delim ?
			    "delimiter" : "line break");
	}
	x = opt(d, n, "max_rows");
	if (x) {
		char *end;

		if (scalar(d, x, "max_rows", &s, err) < 0)
			return -1;
		mr = strtol(s, &end, 10);
		if (!*s || *end || mr < 1)
			return bs_yaml_error(y, x, err,
			    "max_rows: takes a positive number, not '%s'", s);
		f->max_rows = (unsigned long)mr;
	}
	x = opt(d, n, "name");
	if (!x)
		return bs_yaml_error(y, n, err,
		    "table '%s': missing required key 'name' (the file-name pattern, "
		    "here or in defaults:)", f->table);
	if (parse_tmpl(d, x, "file name", 0, NULL, &f->name, err) < 0)
		return -1;
	if (strchr(f->name.src, '/'))
		return bs_yaml_error(y, x, err, "a file name has no '/'");
	if (f->max_rows && !(f->name.uses & (1u << BS_LV_SEQ)))
		return bs_yaml_error(y, x, err,
		    "with max_rows: a table may give several files, so the name "
		    "must use {seq}");
	x = bs_yaml_get(y, n, "key");
	if (x && str_list(d, x, "key", &f->key, &f->nkey, err) < 0)
		return -1;
	x = bs_yaml_get(y, n, "types");
	if (x) {
		if (bs_yaml_expect(y, x, YAML_MAPPING_NODE, "'types'", err) < 0)
			return -1;
		f->ntypes = bs_yaml_len(x);
		f->type_col = bs_xcalloc(f->ntypes + 1, sizeof(char *));
		f->type_decl = bs_xcalloc(f->ntypes + 1, sizeof(char *));
		f->type_pos = bs_xcalloc(f->ntypes + 1, sizeof(*f->type_pos));
		for (i = 0; i < f->ntypes; i++) {
			yaml_node_t *a, *b;

			bs_yaml_pair(y, x, i, &a, &b);
			if (!bs_yaml_str(b))
				return bs_yaml_error(y, b, err,
				    "a column type is written like decimal(20,2)");
			f->type_col[i] = bs_xstrdup(bs_yaml_str(a));
			f->type_decl[i] = bs_xstrdup(bs_yaml_str(b));
			pos_of(b, &f->type_pos[i]);
		}
	}
	fields = bs_yaml_get(y, n, "fields");
	if (!fields)
		return bs_yaml_error(y, n, err, "table '%s': missing required key "
		    "'fields'", f->table);
	if (bs_yaml_expect(y, fields, YAML_SEQUENCE_NODE, "'fields'", err) < 0)
		return -1;
	if (!bs_yaml_len(fields))
		return bs_yaml_error(y, fields, err, "'fields' must not be empty");
	f->fields = bs_xcalloc(bs_yaml_len(fields), sizeof(*f->fields));
	for (i = 0; i < bs_yaml_len(fields); i++) {
		f->nfields = i + 1;
		if (parse_field(d, n, bs_yaml_item(y, fields, i), f, &f->fields[i],
		    err) < 0)
			return -1;
	}
	x = bs_yaml_get(y, n, "sum");
	if (x) {
		char **names = NULL;
		size_t nn = 0;
		int rc = str_list(d, x, "sum", &names, &nn, err);

		f->sum = bs_xcalloc(nn + 1, sizeof(size_t));
		for (i = 0; rc == 0 && i < nn; i++) {
			long fi = bs_lay_field_index(f, names[i]);

			if (fi < 0)
				rc = bs_yaml_error(y, x, err,
				    "sum: table '%s' has no field named '%s' (a field is "
				    "named by name:, else by its column)", f->table,
				    names[i]);
			else if (f->fields[fi].kind != BS_LAY_DECIMAL &&
			    f->fields[fi].kind != BS_LAY_INTEGER)
				rc = bs_yaml_error(y, x, err,
				    "sum: '%s' is not a decimal or integer field of "
				    "table '%s'", names[i], f->table);
			else
				f->sum[f->nsum++] = (size_t)fi;
		}
		for (i = 0; i < nn; i++)
			free(names[i]);
		free(names);
		if (rc < 0)
			return -1;
	}
	x = opt(d, n, "control");
	if (x && parse_control(d, x, f, err) < 0)
		return -1;
	return 0;
}

static void
field_release(struct bs_lay_field *fl)
{
	free(fl->name);
	free(fl->column);
	free(fl->expr);
	free(fl->value);
	free(fl->date.src);
	free(fl->null_text);
}

static void
file_release(struct bs_lay_file *f)
{
	size_t i;

	free(f->table);
	free(f->code);
	tmpl_release(&f->name);
	for (i = 0; i < f->nkey; i++)
		free(f->key[i]);
	free(f->key);
	for (i = 0; i < f->ntypes; i++) {
		free(f->type_col[i]);
		free(f->type_decl[i]);
	}
	free(f->type_col);
	free(f->type_decl);
	free(f->type_pos);
	for (i = 0; i < f->nfields; i++)
		field_release(&f->fields[i]);
	free(f->fields);
	free(f->sum);
	if (f->control) {
		tmpl_release(&f->control->name);
		for (i = 0; i < f->control->nlines; i++)
			tmpl_release(&f->control->lines[i]);
		free(f->control->lines);
		free(f->control->sep);
		free(f->control);
	}
}

void
bs_layout_release(struct bs_layout *l)
{
	size_t i, j;

	if (!l)
		return;
	for (i = 0; i < l->nfiles; i++)
		file_release(&l->files[i]);
	free(l->files);
	for (i = 0; i < l->nmaps; i++) {
		struct bs_lay_map *m = &l->maps[i];

		for (j = 0; j < m->n; j++) {
			free(m->from[j]);
			free(m->to[j]);
		}
		free(m->from);
		free(m->to);
		free(m->slots);
		free(m->name);
		free(m->file);
		free(m->version);
	}
	free(l->maps);
	free(l->path);
	free(l->dir);
	free(l->name);
	free(l->title);
	memset(l, 0, sizeof(*l));
}

static int
parse_layout(struct ld *d, struct bs_err *err)
{
	static const char *const keys[] = { "layout", "title", "defaults", "maps",
		"files", NULL };
	struct bs_yaml *y = &d->y;
	struct bs_layout *l = d->l;
	yaml_node_t *root = bs_yaml_root(y), *maps, *files;
	const char *s;
	size_t i;

	if (!root)
		return bs_yaml_error(y, NULL, err, "empty layout");
	if (bs_yaml_expect(y, root, YAML_MAPPING_NODE, "a layout", err) < 0 ||
	    bs_yaml_check_keys(y, root, keys, err) < 0 ||
	    bs_yaml_need_str(y, root, "layout", &s, err) < 0)
		return -1;
	l->name = bs_xstrdup(s);
	s = l->name;
	if (bs_yaml_get_str(y, root, "title", &s, err) < 0)
		return -1;
	l->title = bs_xstrdup(s);
	d->defaults = bs_yaml_get(y, root, "defaults");
	if (d->defaults) {
		const char *dk[BS_ARRAY_SIZE(file_opts)];

		for (i = 0; file_opts[i]; i++)
			dk[i] = file_opts[i];
		dk[i] = NULL;
		if (bs_yaml_expect(y, d->defaults, YAML_MAPPING_NODE, "'defaults'",
		    err) < 0 || bs_yaml_check_keys(y, d->defaults, dk, err) < 0)
			return -1;
	}
	maps = bs_yaml_get(y, root, "maps");
	if (maps) {
		if (bs_yaml_expect(y, maps, YAML_MAPPING_NODE, "'maps'", err) < 0)
			return -1;
		l->maps = bs_xcalloc(bs_yaml_len(maps) + 1, sizeof(*l->maps));
		for (i = 0; i < bs_yaml_len(maps); i++) {
			yaml_node_t *k, *v;

			bs_yaml_pair(y, maps, i, &k, &v);
			l->nmaps = i + 1;
			if (parse_map(d, k, v, &l->maps[i], err) < 0)
				return -1;
		}
	}
	files = bs_yaml_get(y, root, "files");
	if (!files)
		return bs_yaml_error(y, root, err, "missing required key 'files'");
	if (bs_yaml_expect(y, files, YAML_SEQUENCE_NODE, "'files'", err) < 0)
		return -1;
	if (!bs_yaml_len(files))
		return bs_yaml_error(y, files, err, "'files' must not be empty");
	l->files = bs_xcalloc(bs_yaml_len(files), sizeof(*l->files));
	for (i = 0; i < bs_yaml_len(files); i++) {
		l->nfiles = i + 1;
		if (parse_file(d, bs_yaml_item(y, files, i), &l->files[i], err) < 0)
			return -1;
	}
	return 0;
}

int
bs_layout_load(struct bs_layout *l, const char *path, struct bs_err *err)
{
	struct ld d;
	char *abs, *slash;
	size_t i;
	int rc;

	memset(l, 0, sizeof(*l));
	memset(&d, 0, sizeof(d));
	d.l = l;
	l->path = bs_xstrdup(path);
	if (bs_yaml_load(&d.y, path, err) < 0) {
		bs_yaml_free(&d.y);
		bs_layout_release(l);
		return -1;
	}
	abs = realpath(path, NULL);
	if (!abs) {
		bs_yaml_free(&d.y);
		bs_layout_release(l);
		return bs_err_set(err, BS_EXIT_NOINPUT, "cannot resolve '%s': %s",
		    path, strerror(errno));
	}
	slash = strrchr(abs, '/');
	l->dir = slash == abs ? bs_xstrdup("/") : bs_xstrndup(abs, (size_t)(slash - abs));
	free(abs);
	rc = bs_sha256_file(path, l->sha256, NULL, err);
	if (rc == 0)
		rc = parse_layout(&d, err);
	for (i = 0; i < BS_ARRAY_SIZE(d.enc); i++)
		if (d.enc_open[i])
			bs_encoder_close(&d.enc[i]);
	bs_yaml_free(&d.y);
	if (rc < 0)
		bs_layout_release(l);
	return rc;
}
