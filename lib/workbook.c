#include "bs.h"
#include "workbook.h"

#include <xlsxwriter.h>

/*
 * Layout of a department sheet: column index, header, id, width.  The ids
 * are what _baosong "columns" lists; baosong-review relies on both.
 */
enum {
	C_RULE, C_SEV, C_CAT, C_TABLE, C_RECORD, C_LINE, C_KEY, C_COLUMNS,
	C_VALUES, C_MESSAGE, C_OWNER, C_STATUS, C_DISP, C_COMMENT, C_REVIEWER,
	C_COUNT,
	C_NOTE = C_COUNT + 1	/* Q: the continuation note, row 1 only */
};

static const struct {
	const char *head, *id;
	double width;
} cols[C_COUNT] = {
	{ "规则编号", "rule_id", 14 },
	{ "严重程度", "severity", 9 },
	{ "规则类别", "category", 9 },
	{ "表", "table", 16 },
	{ "记录号", "record", 10 },
	{ "行号", "line", 10 },
	{ "主键", "key", 22 },
	{ "问题字段", "columns", 18 },
	{ "问题值", "values", 24 },
	{ "问题描述", "message", 40 },
	{ "责任部门", "owner", 14 },
	{ "问题状态", "status", 9 },
	{ "处理方式", "disposition", 10 },
	{ "处理说明", "comment", 36 },
	{ "复核人", "reviewer", 10 },
};

static const char *const dispositions[] = { "已修改", "说明", "剔除", NULL };

#define NONE SIZE_MAX
#define CELL_MAX 32767		/* Excel: characters (UTF-16 units) per cell */
#define NAME_MAX_UNITS 31	/* Excel: sheet name length */
#define FORMULA_MAX 8000	/* Excel allows 8192 characters */
#define TRUNC_MARK "…（已截断）"
#define NO_OWNER "未指定部门"
#define OVERFLOW_NAME "其余部门"
#define DEFAULT_TITLE "问题数据清单"

/* ------------------------------------------------------------ name maps */

/* String -> index, chained hash; the map owns copies of its keys. */
struct map_ent {
	char *key;
	uint32_t h;
	size_t val, next;
};

struct map {
	struct map_ent *e;
	size_t n, alloc;
	size_t *head;
	size_t nhead;
};

static uint32_t
hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static size_t
map_get(const struct map *m, const char *key)
{
	uint32_t h;
	size_t i;

	if (!m->nhead)
		return NONE;
	h = hash_str(key);
	for (i = m->head[h & (m->nhead - 1)]; i != NONE; i = m->e[i].next)
		if (m->e[i].h == h && !strcmp(m->e[i].key, key))
			return m->e[i].val;
	return NONE;
}

static void
map_put(struct map *m, const char *key, size_t val)
{
	size_t i;

	if (m->n + 1 > m->nhead) {
		size_t nh = m->nhead ? m->nhead * 2 : 64;

		free(m->head);
		m->head = bs_xreallocarray(NULL, nh, sizeof(*m->head));
		m->nhead = nh;
		for (i = 0; i < nh; i++)
			m->head[i] = NONE;
		for (i = 0; i < m->n; i++) {
			size_t b = m->e[i].h & (nh - 1);

			m->e[i].next = m->head[b];
			m->head[b] = i;
		}
	}
	BS_ALLOC_GROW(m->e, m->n + 1, m->alloc);
	m->e[m->n].key = bs_xstrdup(key);
	m->e[m->n].h = hash_str(key);
	m->e[m->n].val = val;
	m->e[m->n].next = m->head[m->e[m->n].h & (m->nhead - 1)];
	m->head[m->e[m->n].h & (m->nhead - 1)] = m->n;
	m->n++;
}

static void
map_free(struct map *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->e[i].key);
	free(m->e);
	free(m->head);
	memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------ the state */

enum sev { SEV_ERROR, SEV_WARNING, SEV_OTHER };

struct rule {
	char *id, *message, *severity, *owner, *category;
	unsigned long long n;
};

struct owner {
	char *name;		/* as given (责任部门) */
	unsigned long long nerr, nwarn, n, nanswered;
	size_t cur;		/* current sheet, NONE before the first */
	unsigned nsheets;	/* own sheets so far */
	int overflowed;		/* later problems go to the shared sheet */
	size_t ovf_first;	/* first shared sheet it used (NONE: none) */
};

struct sheet {
	lxw_worksheet *ws;
	char *name;
	size_t owner;		/* NONE: the shared overflow sheet */
	unsigned long long rows;
};

struct bs_workbook {
	lxw_workbook *x;
	char *path, *tmp, *tmpdir;
	char *filing, *run_id, *title, *sha256, *generated_at;
	unsigned long long max_rows;
	unsigned max_sheets, nregular;	/* department sheets (not overflow) */
	lxw_worksheet *summary;

	struct rule *rules;
	size_t nrules, arules, last_rule;
	struct map rule_map;
	struct owner *owners;
	size_t nowners, aowners, last_owner;
	struct map owner_map;
	struct sheet *sheets;
	size_t nsheets, asheets;
	size_t ovf_cur;		/* current overflow sheet, NONE if none */
	unsigned ovf_nsheets;

	unsigned long long total, nerr, nwarn, nanswered;
	struct bs_buf clean;	/* scratch for cleaned cell text */

	lxw_format *f_head, *f_key, *f_bad, *f_err, *f_warn, *f_input,
	    *f_num, *f_note, *f_title, *f_label, *f_count, *f_link,
	    *f_total;
};

/* ------------------------------------------------------------ text */

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if invalid. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && p[1] < 0xa0)
			return 0;	/* overlong */
		if (c == 0xed && p[1] >= 0xa0)
			return 0;	/* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && p[1] < 0x90)
			return 0;	/* overlong */
		if (c == 0xf4 && p[1] >= 0x90)
			return 0;	/* above U+10FFFF */
		return 4;
	}
	return 0;
}

/* "_xHHHH_" at p: Excel would decode it, so its '_' must be escaped. */
static int
is_xescape(const char *p, size_t n)
{
	size_t i;

	if (n < 7 || p[0] != '_' || (p[1] != 'x' && p[1] != 'X') || p[6] != '_')
		return 0;
	for (i = 2; i < 6; i++)
		if (!isxdigit((unsigned char)p[i]))
			return 0;
	return 1;
}

/*
 * The text of a cell as Excel will accept and show it (see "Text cleaning"
 * in workbook.h).  Returns s itself when nothing needs changing, else the
 * cleaned copy in wb->clean, valid until the next call.
 */
static const char *
clean_text(struct bs_workbook *wb, const char *s)
{
	static const char repl[] = "\xef\xbf\xbd";	/* U+FFFD */
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, units = 0, k;
	int dirty = 0;

	/* fast path: nothing to change, short enough */
	while (i < n) {
		if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n') {
			dirty = 1;
			break;
		}
		if (p[i] == '_' && is_xescape(s + i, n - i)) {
			dirty = 1;
			break;
		}
		k = utf8_len(p + i, n - i);
		if (!k) {
			dirty = 1;
			break;
		}
		units += k == 4 ? 2 : 1;
		i += k;
	}
	if (!dirty && units <= CELL_MAX)
		return s;

	bs_buf_reset(&wb->clean);
	units = 0;
	for (i = 0; i < n;) {
		const char *add;
		size_t alen, aunits;

		k = utf8_len(p + i, n - i);
		if (p[i] == '\r') {
			add = "\n";
			alen = aunits = 1;
			k = i + 1 < n && p[i + 1] == '\n' ? 2 : 1;
		} else if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n') {
			add = repl;
			alen = 3;
			aunits = 1;
			k = 1;
		} else if (!k) {
			add = repl;
			alen = 3;
			aunits = 1;
			k = 1;
		} else if (p[i] == '_' && is_xescape(s + i, n - i)) {
			add = "_x005F_";	/* decodes to the '_' */
			alen = aunits = 7;
			k = 1;
		} else {
			add = s + i;
			alen = k;
			aunits = k == 4 ? 2 : 1;
		}
		if (units + aunits > CELL_MAX - (sizeof(TRUNC_MARK) - 1)) {
			/* sizeof counts bytes, more than its 6 units: safe */
			bs_buf_adds(&wb->clean, TRUNC_MARK);
			break;
		}
		bs_buf_add(&wb->clean, add, alen);
		units += aunits;
		i += k;
	}
	return bs_buf_str(&wb->clean);
}

/* ------------------------------------------------------------ errors */

static int
lxw_fail(struct bs_workbook *wb, lxw_error e, const char *what,
    struct bs_err *err)
{
	int code;

	switch (e) {
	case LXW_ERROR_MEMORY_MALLOC_FAILED:
		code = BS_EXIT_OSERR;
		break;
	case LXW_ERROR_CREATING_XLSX_FILE:
	case LXW_ERROR_CREATING_TMPFILE:
		code = BS_EXIT_CANTCREAT;
		break;
	case LXW_ERROR_READING_TMPFILE:
	case LXW_ERROR_ZIP_FILE_OPERATION:
	case LXW_ERROR_ZIP_BAD_ZIP_FILE:
	case LXW_ERROR_ZIP_FILE_ADD:
	case LXW_ERROR_ZIP_CLOSE:
		code = BS_EXIT_IOERR;
		break;
	default:
		code = BS_EXIT_SOFTWARE;
		break;
	}
	return bs_err_set(err, code, "cannot write '%s': %s: %s", wb->path,
	    what, lxw_strerror(e));
}

/*
 * A sheet's temporary row file had a write error (ENOSPC, EFBIG...).
 * libxlsxwriter does not check its fprintf()s; the stream's error flag
 * does, and flushing again recovers the errno.
 */
static int
check_tmp(struct bs_workbook *wb, lxw_worksheet *ws, int flush,
    struct bs_err *err)
{
	int bad;

	if (!ws || !ws->file)
		return 0;
	errno = 0;
	bad = flush && fflush(ws->file) != 0;
	if (!bad && ferror(ws->file)) {
		bad = 1;
		errno = 0;
		fflush(ws->file);
	}
	if (bad)
		return bs_err_set(err, BS_EXIT_IOERR,
		    "cannot write '%s': write error in a temporary file in '%s': %s",
		    wb->path, wb->tmpdir,
		    errno ? strerror(errno) : "disk full?");
	return 0;
}

/* ------------------------------------------------------------ formats */

static lxw_format *
new_format(lxw_workbook *x)
{
	lxw_format *f = workbook_add_format(x);

	format_set_font_name(f, "等线");
	format_set_font_size(f, 11);
	return f;
}

static void
make_formats(struct bs_workbook *wb)
{
	lxw_workbook *x = wb->x;

	wb->f_head = new_format(x);
	format_set_bold(wb->f_head);
	format_set_bg_color(wb->f_head, 0xDDEBF7);
	format_set_border(wb->f_head, LXW_BORDER_THIN);
	format_set_align(wb->f_head, LXW_ALIGN_VERTICAL_CENTER);

	wb->f_key = new_format(x);
	format_set_bold(wb->f_key);
	format_set_bg_color(wb->f_key, 0xE2EFDA);
	format_set_num_format(wb->f_key, "@");

	wb->f_bad = new_format(x);	/* Excel's "Bad" cell style */
	format_set_bg_color(wb->f_bad, 0xFFC7CE);
	format_set_font_color(wb->f_bad, 0x9C0006);
	format_set_num_format(wb->f_bad, "@");

	wb->f_err = new_format(x);
	format_set_bold(wb->f_err);
	format_set_font_color(wb->f_err, 0xC00000);

	wb->f_warn = new_format(x);
	format_set_font_color(wb->f_warn, 0xC65911);

	wb->f_input = new_format(x);
	format_set_bg_color(wb->f_input, 0xFFF2CC);
	format_set_num_format(wb->f_input, "@");
	format_set_unlocked(wb->f_input);

	wb->f_num = new_format(x);
	format_set_num_format(wb->f_num, "0");

	wb->f_note = new_format(x);
	format_set_italic(wb->f_note);
	format_set_font_color(wb->f_note, 0x595959);

	wb->f_title = new_format(x);
	format_set_bold(wb->f_title);
	format_set_font_size(wb->f_title, 16);

	wb->f_label = new_format(x);
	format_set_bold(wb->f_label);

	wb->f_count = new_format(x);
	format_set_num_format(wb->f_count, "#,##0");

	wb->f_total = new_format(x);
	format_set_bold(wb->f_total);
	format_set_num_format(wb->f_total, "#,##0");
	format_set_top(wb->f_total, LXW_BORDER_THIN);

	wb->f_link = new_format(x);
	format_set_underline(wb->f_link, LXW_UNDERLINE_SINGLE);
	format_set_font_color(wb->f_link, 0x0563C1);
}

/* ------------------------------------------------------------ open */

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return bs_xstrdup(".");
	if (slash == path)
		return bs_xstrdup("/");
	return bs_xstrndup(path, (size_t)(slash - path));
}

static char *
dup_or_null(const char *s)
{
	return s ? bs_xstrdup(s) : NULL;
}

/* Parse "YYYY-MM-DD[ T]HH:MM:SS" as local time; 0 if it does not parse. */
static time_t
parse_stamp(const char *s)
{
	struct tm tm;
	const char *end;

	if (!s)
		return 0;
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (!end || (*end != ' ' && *end != 'T'))
		return 0;
	end = strptime(end + 1, "%H:%M:%S", &tm);
	if (!end || *end)
		return 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

static int
get_max_rows(const struct bs_workbook_meta *m, unsigned long long *out,
    struct bs_err *err)
{
	const char *env = getenv(BS_WORKBOOK_ENV_MAX_ROWS);
	unsigned long long v;
	char *end;

	if (m && m->max_rows) {
		if (m->max_rows > BS_WORKBOOK_ROW_LIMIT)
			return bs_err_set(err, BS_EXIT_SOFTWARE,
			    "workbook: max_rows %llu is above Excel's limit of %llu",
			    m->max_rows, BS_WORKBOOK_ROW_LIMIT);
		*out = m->max_rows;
		return 0;
	}
	*out = BS_WORKBOOK_MAX_ROWS;
	if (!env || !*env)
		return 0;
	errno = 0;
	v = strtoull(env, &end, 10);
	if (errno || *end || !isdigit((unsigned char)*env) || v < 1 ||
	    v > BS_WORKBOOK_ROW_LIMIT)
		return bs_err_set(err, BS_EXIT_CONFIG,
		    "%s: not a number of rows from 1 to %llu: '%s'",
		    BS_WORKBOOK_ENV_MAX_ROWS, BS_WORKBOOK_ROW_LIMIT, env);
	*out = v;
	return 0;
}

static void
free_wb(struct bs_workbook *wb)
{
	size_t i;

	for (i = 0; i < wb->nrules; i++) {
		free(wb->rules[i].id);
		free(wb->rules[i].message);
		free(wb->rules[i].severity);
		free(wb->rules[i].owner);
		free(wb->rules[i].category);
	}
	free(wb->rules);
	map_free(&wb->rule_map);
	for (i = 0; i < wb->nowners; i++)
		free(wb->owners[i].name);
	free(wb->owners);
	map_free(&wb->owner_map);
	for (i = 0; i < wb->nsheets; i++)
		free(wb->sheets[i].name);
	free(wb->sheets);
	bs_buf_release(&wb->clean);
	free(wb->path);
	free(wb->tmp);
	free(wb->tmpdir);
	free(wb->filing);
	free(wb->run_id);
	free(wb->title);
	free(wb->sha256);
	free(wb->generated_at);
	free(wb);
}

int
bs_workbook_open(struct bs_workbook **out, const char *path,
    const struct bs_workbook_meta *m, struct bs_err *err)
{
	struct bs_workbook *wb;
	lxw_workbook_options o = { 0 };
	lxw_doc_properties props;
	const char *base = strrchr(path, '/');
	char *dir;
	int fd;

	*out = NULL;
	wb = bs_xcalloc(1, sizeof(*wb));
	wb->clean.max = 0;
	wb->ovf_cur = NONE;
	wb->last_rule = wb->last_owner = NONE;
	if (get_max_rows(m, &wb->max_rows, err) < 0) {
		free_wb(wb);
		return -1;
	}
	wb->max_sheets = m && m->max_sheets ? m->max_sheets : BS_WORKBOOK_MAX_SHEETS;
	wb->path = bs_xstrdup(path);
	dir = dir_of(path);
	base = base ? base + 1 : path;
	wb->tmp = bs_xasprintf("%s/.%s.tmp.%ld", dir, base, (long)getpid());
	wb->tmpdir = m && m->tmpdir ? bs_xstrdup(m->tmpdir) : bs_xstrdup(dir);
	free(dir);
	if (m) {
		wb->filing = dup_or_null(m->filing);
		wb->run_id = dup_or_null(m->run_id);
		wb->title = dup_or_null(m->report_title);
		wb->sha256 = dup_or_null(m->data_sha256);
		wb->generated_at = dup_or_null(m->generated_at);
	}
	if (!wb->generated_at) {
		time_t now = time(NULL);
		struct tm tm;
		char stamp[32];

		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
		wb->generated_at = bs_xstrdup(stamp);
	}

	/* fail now, not after a million rows, when path cannot be created */
	fd = open(wb->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		bs_err_set(err, BS_EXIT_CANTCREAT, "cannot create '%s': %s",
		    wb->path, strerror(errno));
		free_wb(wb);
		return -1;
	}
	close(fd);

	o.constant_memory = LXW_TRUE;
	o.tmpdir = wb->tmpdir;
	wb->x = workbook_new_opt(wb->tmp, &o);
	if (!wb->x) {
		bs_err_set(err, BS_EXIT_OSERR, "cannot create '%s': libxlsxwriter failed",
		    wb->path);
		goto fail;
	}
	memset(&props, 0, sizeof(props));
	props.title = wb->title ? wb->title : (char *)DEFAULT_TITLE;
	props.subject = (char *)DEFAULT_TITLE;
	props.author = (char *)"baosong";
	props.keywords = wb->filing;
	props.created = parse_stamp(wb->generated_at);
	workbook_set_properties(wb->x, &props);
	make_formats(wb);
	wb->summary = workbook_add_worksheet(wb->x, BS_WORKBOOK_SUMMARY_SHEET);
	if (!wb->summary) {
		bs_err_set(err, BS_EXIT_CANTCREAT,
		    "cannot create '%s': cannot create a temporary file in '%s'",
		    wb->path, wb->tmpdir);
		goto fail;
	}
	*out = wb;
	return 0;
fail:
	bs_workbook_abort(wb);
	return -1;
}

/* ------------------------------------------------------------ rules */

static int
sev_of(const char *s)
{
	if (!s || !strcmp(s, "error"))
		return SEV_ERROR;
	if (!strcmp(s, "warning"))
		return SEV_WARNING;
	return SEV_OTHER;
}

static size_t
add_rule(struct bs_workbook *wb, const char *id, const char *message,
    const char *severity, const char *owner, const char *category)
{
	struct rule *r;

	BS_ALLOC_GROW(wb->rules, wb->nrules + 1, wb->arules);
	r = &wb->rules[wb->nrules];
	r->id = bs_xstrdup(id);
	r->message = dup_or_null(message);
	r->severity = bs_xstrdup(severity ? severity : "error");
	r->owner = dup_or_null(owner);
	r->category = dup_or_null(category);
	r->n = 0;
	map_put(&wb->rule_map, id, wb->nrules);
	return wb->nrules++;
}

int
bs_workbook_rule(struct bs_workbook *wb, const char *id, const char *message,
    const char *severity, const char *owner, const char *category,
    struct bs_err *err)
{
	if (!id || !*id)
		return bs_err_set(err, BS_EXIT_SOFTWARE,
		    "workbook: rule without an id");
	if (sev_of(severity) == SEV_OTHER)
		return bs_err_set(err, BS_EXIT_SOFTWARE,
		    "workbook: rule '%s': severity must be error or warning, not '%s'",
		    id, severity);
	if (map_get(&wb->rule_map, id) != NONE)
		return bs_err_set(err, BS_EXIT_SOFTWARE,
		    "workbook: rule '%s' declared twice", id);
	add_rule(wb, id, message, severity, owner, category);
	return 0;
}

/* ------------------------------------------------------------ sheets */

/* Bytes of s (valid UTF-8) that fit in max UTF-16 units. */
static size_t
cut_units(const char *s, size_t max)
{
	size_t i = 0, u = 0, n = strlen(s);

	while (i < n) {
		size_t k = utf8_len((const unsigned char *)s + i, n - i);
		size_t ku = k == 4 ? 2 : 1;

		if (!k || u + ku > max)
			break;
		u += ku;
		i += k;
	}
	return i;
}

static int
name_taken(const struct bs_workbook *wb, const char *name)
{
	static const char *const reserved[] = {
		BS_WORKBOOK_SUMMARY_SHEET, BS_WORKBOOK_META_SHEET, "History",
	};
	size_t i;

	for (i = 0; i < BS_ARRAY_SIZE(reserved); i++)
		if (!strcasecmp(name, reserved[i]))
			return 1;
	for (i = 0; i < wb->nsheets; i++)
		if (!strcasecmp(name, wb->sheets[i].name))
			return 1;
	return 0;
}

/* A valid, unused sheet name for the seq-th sheet of a department. */
static char *
sheet_name(struct bs_workbook *wb, const char *owner, unsigned seq)
{
	struct bs_buf b = BS_BUF_INIT(0);
	const char *c = clean_text(wb, owner);
	char *base, *name = NULL, suffix[32];
	size_t i, n;

	for (; *c; c++) {
		if (strchr("[]:*?/\\", *c) || *c == '\n' || *c == '\t')
			bs_buf_addc(&b, '_');
		else
			bs_buf_addc(&b, *c);
	}
	base = bs_buf_detach(&b, &n);
	if (!base)
		base = bs_xstrdup("");
	/* no apostrophe first or last */
	while (n && base[n - 1] == '\'')
		base[--n] = '\0';
	for (i = 0; base[i] == '\''; i++)
		;
	memmove(base, base + i, n - i + 1);
	n -= i;
	if (!n) {
		free(base);
		base = bs_xstrdup(NO_OWNER);
	}
	for (;; seq++) {
		size_t keep;

		if (seq > 1)
			snprintf(suffix, sizeof(suffix), " (%u)", seq);
		else
			suffix[0] = '\0';
		keep = cut_units(base, NAME_MAX_UNITS - strlen(suffix));
		free(name);
		name = bs_xasprintf("%.*s%s", (int)keep, base, suffix);
		if (!name_taken(wb, name) &&
		    workbook_validate_sheet_name(wb->x, name) == LXW_NO_ERROR)
			break;
	}
	free(base);
	return name;
}

/* n with thousands separators: 1,000,000. */
static void
grouped(char *out, size_t size, unsigned long long n)
{
	char digits[32];
	size_t len, i, o = 0;

	len = (size_t)snprintf(digits, sizeof(digits), "%llu", n);
	for (i = 0; i < len && o + 2 < size; i++) {
		if (i && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

static void
write_header(struct bs_workbook *wb, lxw_worksheet *ws)
{
	int c;

	for (c = 0; c < C_COUNT; c++) {
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, cols[c].width,
		    NULL);
		worksheet_write_string(ws, 0, (lxw_col_t)c, cols[c].head,
		    wb->f_head);
	}
	worksheet_set_row(ws, 0, 20, NULL);
	worksheet_freeze_panes(ws, 1, 0);
	/* keys and values are text on purpose: no green triangles */
	worksheet_ignore_errors(ws, LXW_IGNORE_NUMBER_STORED_AS_TEXT,
	    "A2:O1048576");
	/* printing: A4 landscape, one page wide, header on every page */
	worksheet_set_landscape(ws);
	worksheet_set_paper(ws, 9);
	worksheet_fit_to_pages(ws, 1, 0);
	worksheet_repeat_rows(ws, 0, 0);
}

/* Add a sheet for owner (NONE: the shared overflow sheet); its index. */
static int
new_sheet(struct bs_workbook *wb, size_t owner, size_t *out,
    struct bs_err *err)
{
	struct owner *o = owner == NONE ? NULL : &wb->owners[owner];
	unsigned seq = o ? o->nsheets + 1 : wb->ovf_nsheets + 1;
	const char *oname = o ? o->name : OVERFLOW_NAME;
	struct sheet *s;
	char *name = sheet_name(wb, oname, seq);
	lxw_worksheet *ws = workbook_add_worksheet(wb->x, name);
	char *note = NULL, n1[32];

	if (!ws) {
		free(name);
		return bs_err_set(err, BS_EXIT_CANTCREAT,
		    "cannot write '%s': cannot add sheet (temporary file in '%s'?)",
		    wb->path, wb->tmpdir);
	}
	BS_ALLOC_GROW(wb->sheets, wb->nsheets + 1, wb->asheets);
	s = &wb->sheets[wb->nsheets];
	s->ws = ws;
	s->name = name;
	s->owner = owner;
	s->rows = 0;
	write_header(wb, ws);
	if (seq > 1) {
		/* the previous sheet of this chain: the last one before us */
		size_t i, prev = NONE;

		for (i = 0; i < wb->nsheets; i++)
			if (wb->sheets[i].owner == owner)
				prev = i;
		grouped(n1, sizeof(n1), wb->max_rows);
		if (prev != NONE)
			note = bs_xasprintf("续表（第 %u 张）：接工作表“%s”。每张工作表最多 %s 条问题记录，超出部分依次续写。",
			    seq, wb->sheets[prev].name, n1);
	} else if (!o) {
		note = bs_xasprintf("部门工作表已达 %u 张上限，其余部门的问题记录在本表，请按“责任部门”列筛选。",
		    wb->max_sheets);
	}
	if (note) {
		worksheet_set_column(ws, C_NOTE, C_NOTE, 60, NULL);
		worksheet_write_string(ws, 0, C_NOTE, clean_text(wb, note),
		    wb->f_note);
		free(note);
	}
	*out = wb->nsheets++;
	if (o) {
		o->nsheets++;
		wb->nregular++;
	} else {
		wb->ovf_nsheets++;
	}
	return 0;
}

/* The sheet the next problem of owner goes to. */
static int
sheet_for(struct bs_workbook *wb, size_t owner, size_t *out,
    struct bs_err *err)
{
	struct owner *o = &wb->owners[owner];

	if (!o->overflowed) {
		if (o->cur != NONE && wb->sheets[o->cur].rows < wb->max_rows) {
			*out = o->cur;
			return 0;
		}
		if (wb->nregular < wb->max_sheets) {
			if (new_sheet(wb, owner, &o->cur, err) < 0)
				return -1;
			*out = o->cur;
			return 0;
		}
		o->overflowed = 1;
	}
	if (wb->ovf_cur == NONE || wb->sheets[wb->ovf_cur].rows >= wb->max_rows)
		if (new_sheet(wb, NONE, &wb->ovf_cur, err) < 0)
			return -1;
	o = &wb->owners[owner];
	if (o->ovf_first == NONE)
		o->ovf_first = wb->ovf_cur;
	*out = wb->ovf_cur;
	return 0;
}

/* ------------------------------------------------------------ problems */

static size_t
owner_of(struct bs_workbook *wb, const char *name)
{
	struct owner *o;
	size_t i;

	if (!name || !*name)
		name = NO_OWNER;
	if (wb->last_owner != NONE && !strcmp(wb->owners[wb->last_owner].name, name))
		return wb->last_owner;
	i = map_get(&wb->owner_map, name);
	if (i == NONE) {
		BS_ALLOC_GROW(wb->owners, wb->nowners + 1, wb->aowners);
		o = &wb->owners[wb->nowners];
		memset(o, 0, sizeof(*o));
		o->name = bs_xstrdup(name);
		o->cur = o->ovf_first = NONE;
		map_put(&wb->owner_map, name, wb->nowners);
		i = wb->nowners++;
	}
	wb->last_owner = i;
	return i;
}

static lxw_error
put_str(struct bs_workbook *wb, lxw_worksheet *ws, lxw_row_t row,
    lxw_col_t col, const char *s, lxw_format *f)
{
	if (!s || !*s)
		return f ? worksheet_write_blank(ws, row, col, f) : LXW_NO_ERROR;
	return worksheet_write_string(ws, row, col, clean_text(wb, s), f);
}

static lxw_error
put_num(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
    unsigned long long v, lxw_format *f)
{
	if (!v)
		return LXW_NO_ERROR;
	return worksheet_write_number(ws, row, col, (double)v, f);
}

int
bs_workbook_add(struct bs_workbook *wb, const struct bs_problem *p,
    struct bs_err *err)
{
	struct rule *r;
	struct owner *o;
	struct sheet *s;
	const char *sev, *values;
	size_t ir, io, is;
	lxw_row_t row;
	lxw_error e = LXW_NO_ERROR;
	int kind;

	if (!p->rule_id || !*p->rule_id)
		return bs_err_set(err, BS_EXIT_SOFTWARE,
		    "workbook: problem without a rule id (table '%s', record %llu)",
		    p->table ? p->table : "", p->record);
	if (wb->last_rule != NONE && !strcmp(wb->rules[wb->last_rule].id, p->rule_id))
		ir = wb->last_rule;
	else if ((ir = map_get(&wb->rule_map, p->rule_id)) == NONE)
		ir = add_rule(wb, p->rule_id, p->message,
		    sev_of(p->severity) == SEV_OTHER ? "error" : p->severity,
		    p->owner, p->category);
	wb->last_rule = ir;
	r = &wb->rules[ir];
	sev = p->severity ? p->severity : r->severity;
	io = owner_of(wb, p->owner ? p->owner : r->owner);
	if (sheet_for(wb, io, &is, err) < 0)
		return -1;
	o = &wb->owners[io];
	s = &wb->sheets[is];
	row = (lxw_row_t)(s->rows + 1);

	kind = sev_of(sev);
	if (kind == SEV_ERROR)
		e |= worksheet_write_string(s->ws, row, C_SEV, "错误", wb->f_err);
	else if (kind == SEV_WARNING)
		e |= worksheet_write_string(s->ws, row, C_SEV, "警告", wb->f_warn);
	else
		e |= put_str(wb, s->ws, row, C_SEV, sev, NULL);
	e |= put_str(wb, s->ws, row, C_RULE, p->rule_id, NULL);
	e |= put_str(wb, s->ws, row, C_CAT, p->category ? p->category : r->category,
	    NULL);
	e |= put_str(wb, s->ws, row, C_TABLE, p->table, NULL);
	e |= put_num(s->ws, row, C_RECORD, p->record, wb->f_num);
	e |= put_num(s->ws, row, C_LINE, p->line, wb->f_num);
	e |= put_str(wb, s->ws, row, C_KEY, p->key, wb->f_key);
	e |= put_str(wb, s->ws, row, C_COLUMNS, p->columns, wb->f_bad);
	values = p->values;
	if (!values && p->columns && *p->columns)
		values = BS_WORKBOOK_NULL_TEXT;
	e |= put_str(wb, s->ws, row, C_VALUES, values, wb->f_bad);
	e |= put_str(wb, s->ws, row, C_MESSAGE, p->message ? p->message : r->message,
	    NULL);
	e |= put_str(wb, s->ws, row, C_OWNER, o->name, NULL);
	e |= put_str(wb, s->ws, row, C_STATUS, p->status, NULL);
	e |= put_str(wb, s->ws, row, C_DISP, p->disposition, wb->f_input);
	e |= put_str(wb, s->ws, row, C_COMMENT, p->comment, wb->f_input);
	e |= put_str(wb, s->ws, row, C_REVIEWER, p->reviewer, wb->f_input);
	if (e != LXW_NO_ERROR)
		return bs_err_set(err, BS_EXIT_SOFTWARE,
		    "cannot write '%s': sheet '%s' row %llu: libxlsxwriter refused a cell",
		    wb->path, s->name, s->rows + 2);
	if (check_tmp(wb, s->ws, 0, err) < 0)
		return -1;

	s->rows++;
	r->n++;
	o->n++;
	wb->total++;
	if (kind == SEV_ERROR) {
		o->nerr++;
		wb->nerr++;
	} else if (kind == SEV_WARNING) {
		o->nwarn++;
		wb->nwarn++;
	}
	if (p->disposition && *p->disposition) {
		o->nanswered++;
		wb->nanswered++;
	}
	return 0;
}

unsigned long long
bs_workbook_count(const struct bs_workbook *wb)
{
	return wb->total;
}

void
bs_workbook_set_data_sha256(struct bs_workbook *wb, const char *sha256)
{
	free(wb->sha256);
	wb->sha256 = dup_or_null(sha256);
}

/* ------------------------------------------------------------ close */

/*
 * Whether sheet i may hold problems of owner io: its own sheets, and the
 * shared sheets from the first one it used on (they fill in order).
 */
static int
holds(const struct bs_workbook *wb, size_t i, size_t io)
{
	const struct owner *o = &wb->owners[io];

	if (wb->sheets[i].owner == io)
		return 1;
	return wb->sheets[i].owner == NONE && o->ovf_first != NONE &&
	    i >= o->ovf_first;
}

/* 'name' quoted for a formula or an internal link ('' for a quote). */
static void
add_quoted_sheet(struct bs_buf *b, const char *name)
{
	bs_buf_addc(b, '\'');
	for (; *name; name++) {
		if (*name == '\'')
			bs_buf_addc(b, '\'');
		bs_buf_addc(b, *name);
	}
	bs_buf_addc(b, '\'');
}

/* A COUNTIFS criterion matching exactly s: "=" then s with ~ * ? escaped. */
static void
add_criterion(struct bs_buf *b, const char *s)
{
	bs_buf_adds(b, "\"=");
	for (; *s; s++) {
		if (*s == '~' || *s == '*' || *s == '?')
			bs_buf_addc(b, '~');
		if (*s == '"')
			bs_buf_addc(b, '"');
		bs_buf_addc(b, *s);
	}
	bs_buf_addc(b, '"');
}

/*
 * =COUNTA of the disposition column over the owner's sheets, plus
 * COUNTIFS over the shared sheets for an owner that overflowed; NULL when
 * the formula would be too long (the caller writes the number).
 */
static char *
answered_formula(struct bs_workbook *wb, size_t io)
{
	struct bs_buf b = BS_BUF_INIT(0);
	const struct owner *o = &wb->owners[io];
	size_t i;
	int first = 1;

	bs_buf_addc(&b, '=');
	for (i = 0; i < wb->nsheets; i++) {
		const struct sheet *s = &wb->sheets[i];
		char last[16];

		snprintf(last, sizeof(last), "%llu", s->rows + 1);
		if (s->owner == io) {
			bs_buf_adds(&b, first ? "COUNTA(" : "+COUNTA(");
			add_quoted_sheet(&b, s->name);
			bs_buf_addf(&b, "!$M$2:$M$%s)", last);
			first = 0;
		} else if (holds(wb, i, io)) {
			bs_buf_adds(&b, first ? "COUNTIFS(" : "+COUNTIFS(");
			add_quoted_sheet(&b, s->name);
			bs_buf_addf(&b, "!$K$2:$K$%s,", last);
			add_criterion(&b, clean_text(wb, o->name));
			bs_buf_addc(&b, ',');
			add_quoted_sheet(&b, s->name);
			bs_buf_addf(&b, "!$M$2:$M$%s,\"<>\")", last);
			first = 0;
		}
	}
	if (first || b.len > FORMULA_MAX) {
		bs_buf_release(&b);
		return NULL;
	}
	return bs_buf_detach(&b, NULL);
}

static lxw_error
put_link(struct bs_workbook *wb, lxw_worksheet *ws, lxw_row_t row,
    lxw_col_t col, const char *sheet)
{
	struct bs_buf b = BS_BUF_INIT(0);
	lxw_error e;

	bs_buf_adds(&b, "internal:");
	add_quoted_sheet(&b, sheet);
	bs_buf_adds(&b, "!A1");
	e = worksheet_write_url_opt(ws, row, col, bs_buf_str(&b), wb->f_link,
	    clean_text(wb, sheet), NULL);
	bs_buf_release(&b);
	return e;
}

/* Add a bar chart of errors and warnings per owner (rows first..last). */
static lxw_error
add_chart(struct bs_workbook *wb, lxw_row_t first, lxw_row_t last,
    lxw_row_t at, unsigned *rows_used)
{
	lxw_chart *ch = workbook_add_chart(wb->x, LXW_CHART_BAR_STACKED);
	lxw_chart_series *se;
	lxw_chart_fill red = { .color = 0xC00000 }, orange = { .color = 0xF4B183 };
	lxw_chart_options opt = { 0 };
	lxw_chart_font tfont = { .bold = LXW_TRUE, .size = 12, .name = (char *)"等线" };
	lxw_chart_font afont = { .name = (char *)"等线", .size = 9 };
	unsigned n = (unsigned)(last - first + 1);
	double height = 120.0 + 22.0 * n;	/* pixels */

	if (!ch)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	if (height < 288)
		height = 288;
	se = chart_add_series(ch, NULL, NULL);
	chart_series_set_categories(se, BS_WORKBOOK_SUMMARY_SHEET, first, 0, last, 0);
	chart_series_set_values(se, BS_WORKBOOK_SUMMARY_SHEET, first, 1, last, 1);
	chart_series_set_name(se, "错误");
	chart_series_set_fill(se, &red);
	se = chart_add_series(ch, NULL, NULL);
	chart_series_set_categories(se, BS_WORKBOOK_SUMMARY_SHEET, first, 0, last, 0);
	chart_series_set_values(se, BS_WORKBOOK_SUMMARY_SHEET, first, 2, last, 2);
	chart_series_set_name(se, "警告");
	chart_series_set_fill(se, &orange);
	chart_title_set_name(ch, "各部门问题数");
	chart_title_set_name_font(ch, &tfont);
	chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
	/* first department at the top, like the table (y: categories) */
	chart_axis_set_reverse(ch->y_axis);
	chart_axis_set_num_font(ch->x_axis, &afont);
	chart_axis_set_num_font(ch->y_axis, &afont);
	chart_set_style(ch, 2);
	opt.x_scale = 720.0 / 480.0;
	opt.y_scale = height / 288.0;
	opt.x_offset = 4;
	opt.y_offset = 4;
	opt.description = (char *)"各部门问题数（错误、警告）";
	*rows_used = (unsigned)(height / 20.0) + 2;
	return worksheet_insert_chart_opt(wb->summary, at, 0, ch, &opt);
}

static int
write_summary(struct bs_workbook *wb, struct bs_err *err)
{
	lxw_worksheet *ws = wb->summary;
	lxw_error e = LXW_NO_ERROR;
	lxw_row_t row = 0, first_owner, total_row;
	size_t i, j;
	unsigned long long sum_answered = 0;
	char *s, n1[32];
	static const double widths[] = { 16, 10, 10, 10, 16, 60 };
	static const char *const howto[] = {
		"填写说明：每个责任部门一张工作表，请逐条填写最右侧黄色的三列：",
		"　处理方式：下拉选择 已修改（已在源系统修改）、说明（数据无误或有合理原因）或 剔除（本次报送剔除该记录）；",
		"　处理说明：写明修改情况或理由；复核人：填写姓名。",
		"每张工作表最多 %s 条问题记录，超出部分续写在“部门 (2)”“部门 (3)”等工作表（见下表“工作表”列）。",
		"请勿修改规则编号、表、主键等列，勿增删或重命名工作表；答复按规则编号和主键收回，排序、筛选不受影响。",
	};

	for (i = 0; i < BS_ARRAY_SIZE(widths); i++)
		worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, widths[i], NULL);
	worksheet_set_column(ws, 6, 16, 16, NULL);
	worksheet_set_paper(ws, 9);
	worksheet_fit_to_pages(ws, 1, 0);

	e |= put_str(wb, ws, row, 0, wb->title ? wb->title : DEFAULT_TITLE,
	    wb->f_title);
	worksheet_set_row(ws, row, 24, NULL);
	row += 2;
	e |= put_str(wb, ws, row, 0, "报送任务", wb->f_label);
	e |= put_str(wb, ws, row++, 1, wb->filing, NULL);
	e |= put_str(wb, ws, row, 0, "校验批次", wb->f_label);
	e |= put_str(wb, ws, row++, 1, wb->run_id, NULL);
	e |= put_str(wb, ws, row, 0, "生成时间", wb->f_label);
	e |= put_str(wb, ws, row++, 1, wb->generated_at, NULL);
	e |= put_str(wb, ws, row, 0, "数据指纹", wb->f_label);
	e |= put_str(wb, ws, row++, 1, wb->sha256, NULL);
	e |= put_str(wb, ws, row, 0, "问题总数", wb->f_label);
	e |= worksheet_write_number(ws, row++, 1, (double)wb->total, wb->f_count);
	e |= put_str(wb, ws, row, 0, "错误", wb->f_label);
	e |= worksheet_write_number(ws, row++, 1, (double)wb->nerr, wb->f_count);
	e |= put_str(wb, ws, row, 0, "警告", wb->f_label);
	e |= worksheet_write_number(ws, row++, 1, (double)wb->nwarn, wb->f_count);
	row++;
	grouped(n1, sizeof(n1), wb->max_rows);
	for (i = 0; i < BS_ARRAY_SIZE(howto); i++) {
		s = bs_xasprintf(howto[i], n1);
		e |= put_str(wb, ws, row++, 0, s, wb->f_note);
		free(s);
	}
	row++;

	/* per department */
	e |= put_str(wb, ws, row, 0, "责任部门", wb->f_head);
	e |= put_str(wb, ws, row, 1, "错误", wb->f_head);
	e |= put_str(wb, ws, row, 2, "警告", wb->f_head);
	e |= put_str(wb, ws, row, 3, "合计", wb->f_head);
	e |= put_str(wb, ws, row, 4, "已填写处理方式", wb->f_head);
	e |= put_str(wb, ws, row++, 5, "工作表", wb->f_head);
	first_owner = row;
	for (i = 0; i < wb->nowners; i++, row++) {
		const struct owner *o = &wb->owners[i];
		char *f = answered_formula(wb, i);
		lxw_col_t col = 5;

		e |= put_str(wb, ws, row, 0, o->name, NULL);
		e |= worksheet_write_number(ws, row, 1, (double)o->nerr, wb->f_count);
		e |= worksheet_write_number(ws, row, 2, (double)o->nwarn, wb->f_count);
		e |= worksheet_write_number(ws, row, 3, (double)o->n, wb->f_count);
		if (f)
			e |= worksheet_write_formula_num(ws, row, 4, f, wb->f_count,
			    (double)o->nanswered);
		else
			e |= worksheet_write_number(ws, row, 4, (double)o->nanswered,
			    wb->f_count);
		free(f);
		sum_answered += o->nanswered;
		for (j = 0; j < wb->nsheets; j++)
			if (holds(wb, j, i))
				e |= put_link(wb, ws, row, col++, wb->sheets[j].name);
	}
	total_row = row;
	e |= put_str(wb, ws, row, 0, "合计", wb->f_total);
	e |= worksheet_write_number(ws, row, 1, (double)wb->nerr, wb->f_total);
	e |= worksheet_write_number(ws, row, 2, (double)wb->nwarn, wb->f_total);
	e |= worksheet_write_number(ws, row, 3, (double)wb->total, wb->f_total);
	if (wb->nowners) {
		s = bs_xasprintf("=SUM(E%u:E%u)", (unsigned)first_owner + 1,
		    (unsigned)total_row);
		e |= worksheet_write_formula_num(ws, row, 4, s, wb->f_total,
		    (double)sum_answered);
		free(s);
	} else {
		e |= worksheet_write_number(ws, row, 4, 0, wb->f_total);
	}
	row += 2;
	if (wb->nowners) {
		unsigned used = 0;

		e |= add_chart(wb, first_owner, total_row - 1, row, &used);
		row += used;
	} else {
		e |= put_str(wb, ws, row, 0, "本次校验未发现问题。", wb->f_note);
		row += 2;
	}

	/* per rule */
	e |= put_str(wb, ws, row, 0, "规则编号", wb->f_head);
	e |= put_str(wb, ws, row, 1, "严重程度", wb->f_head);
	e |= put_str(wb, ws, row, 2, "规则类别", wb->f_head);
	e |= put_str(wb, ws, row, 3, "问题数", wb->f_head);
	e |= put_str(wb, ws, row, 4, "责任部门", wb->f_head);
	e |= put_str(wb, ws, row++, 5, "问题描述", wb->f_head);
	for (i = 0; i < wb->nrules; i++, row++) {
		const struct rule *r = &wb->rules[i];
		int kind = sev_of(r->severity);

		e |= put_str(wb, ws, row, 0, r->id, NULL);
		if (kind == SEV_ERROR)
			e |= put_str(wb, ws, row, 1, "错误", wb->f_err);
		else if (kind == SEV_WARNING)
			e |= put_str(wb, ws, row, 1, "警告", wb->f_warn);
		else
			e |= put_str(wb, ws, row, 1, r->severity, NULL);
		e |= put_str(wb, ws, row, 2, r->category, NULL);
		e |= worksheet_write_number(ws, row, 3, (double)r->n, wb->f_count);
		e |= put_str(wb, ws, row, 4, r->owner, NULL);
		e |= put_str(wb, ws, row, 5, r->message, NULL);
	}
	worksheet_activate(ws);
	if (e != LXW_NO_ERROR)
		return bs_err_set(err, BS_EXIT_SOFTWARE,
		    "cannot write '%s': summary sheet: libxlsxwriter refused a cell",
		    wb->path);
	return 0;
}

static lxw_error
kv(struct bs_workbook *wb, lxw_worksheet *ws, lxw_row_t *row, const char *k,
    const char *v)
{
	lxw_error e = worksheet_write_string(ws, *row, 0, k, NULL);

	if (v && *v)
		e |= worksheet_write_string(ws, *row, 1, clean_text(wb, v), NULL);
	(*row)++;
	return e;
}

static int
write_meta(struct bs_workbook *wb, lxw_worksheet **out, struct bs_err *err)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb->x, BS_WORKBOOK_META_SHEET);
	struct bs_buf b = BS_BUF_INIT(0);
	lxw_error e = LXW_NO_ERROR;
	lxw_row_t row = 0;
	char num[32];
	size_t i;
	int c;

	*out = ws;
	if (!ws)
		return bs_err_set(err, BS_EXIT_CANTCREAT,
		    "cannot write '%s': cannot add sheet (temporary file in '%s'?)",
		    wb->path, wb->tmpdir);
	worksheet_set_column(ws, 0, 0, 20, NULL);
	worksheet_set_column(ws, 1, 1, 70, NULL);
	e |= kv(wb, ws, &row, "key", "value");
	e |= kv(wb, ws, &row, "format_version", BS_WORKBOOK_FORMAT);
	e |= kv(wb, ws, &row, "generator",
	    "baosong " BS_VERSION " (libxlsxwriter " LXW_VERSION ")");
	e |= kv(wb, ws, &row, "filing", wb->filing);
	e |= kv(wb, ws, &row, "run_id", wb->run_id);
	e |= kv(wb, ws, &row, "report_title", wb->title);
	e |= kv(wb, ws, &row, "data_sha256", wb->sha256);
	e |= kv(wb, ws, &row, "generated_at", wb->generated_at);
	snprintf(num, sizeof(num), "%llu", wb->max_rows);
	e |= kv(wb, ws, &row, "max_rows", num);
	snprintf(num, sizeof(num), "%llu", wb->total);
	e |= kv(wb, ws, &row, "problems", num);
	snprintf(num, sizeof(num), "%zu", wb->nrules);
	e |= kv(wb, ws, &row, "rules", num);
	e |= kv(wb, ws, &row, "header_row", "1");
	for (c = 0; c < C_COUNT; c++) {
		if (c)
			bs_buf_addc(&b, ',');
		bs_buf_adds(&b, cols[c].id);
	}
	e |= kv(wb, ws, &row, "columns", bs_buf_str(&b));
	bs_buf_reset(&b);
	for (c = 0; dispositions[c]; c++) {
		if (c)
			bs_buf_addc(&b, ',');
		bs_buf_adds(&b, dispositions[c]);
	}
	e |= kv(wb, ws, &row, "dispositions", bs_buf_str(&b));
	bs_buf_release(&b);
	snprintf(num, sizeof(num), "%zu", wb->nsheets);
	e |= kv(wb, ws, &row, "sheets", num);
	for (i = 0; i < wb->nsheets; i++) {
		const struct sheet *s = &wb->sheets[i];
		char k[64];

		snprintf(k, sizeof(k), "sheet.%zu", i + 1);
		e |= kv(wb, ws, &row, k, s->name);
		snprintf(k, sizeof(k), "sheet.%zu.owner", i + 1);
		e |= kv(wb, ws, &row, k,
		    s->owner == NONE ? "" : wb->owners[s->owner].name);
		snprintf(k, sizeof(k), "sheet.%zu.rows", i + 1);
		snprintf(num, sizeof(num), "%llu", s->rows);
		e |= kv(wb, ws, &row, k, num);
	}
	worksheet_hide(ws);
	if (e != LXW_NO_ERROR)
		return bs_err_set(err, BS_EXIT_SOFTWARE,
		    "cannot write '%s': sheet %s: libxlsxwriter refused a cell",
		    wb->path, BS_WORKBOOK_META_SHEET);
	return 0;
}

/* Autofilter and the disposition drop-down, now that the extent is known. */
static int
finish_sheet(struct bs_workbook *wb, struct sheet *s, struct bs_err *err)
{
	lxw_data_validation dv;
	lxw_row_t last = (lxw_row_t)s->rows;
	lxw_error e;

	memset(&dv, 0, sizeof(dv));
	dv.validate = LXW_VALIDATION_TYPE_LIST;
	dv.value_list = (char **)dispositions;
	dv.ignore_blank = LXW_VALIDATION_ON;
	dv.show_input = LXW_VALIDATION_ON;
	dv.show_error = LXW_VALIDATION_ON;
	dv.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
	dv.input_title = (char *)"处理方式";
	dv.input_message = (char *)"已修改：已在源系统修改；说明：数据无误或有合理原因，请在处理说明中写明；剔除：本次报送剔除该记录。";
	dv.error_title = (char *)"处理方式无效";
	dv.error_message = (char *)"请从下拉列表选择：已修改、说明、剔除。";
	e = worksheet_autofilter(s->ws, 0, 0, last, C_COUNT - 1);
	if (e == LXW_NO_ERROR && last >= 1)
		e = worksheet_data_validation_range(s->ws, 1, C_DISP, last, C_DISP,
		    &dv);
	if (e != LXW_NO_ERROR)
		return lxw_fail(wb, e, s->name, err);
	return check_tmp(wb, s->ws, 1, err);
}

/* fsync the assembled file, then publish it under its name. */
static int
publish(struct bs_workbook *wb, struct bs_err *err)
{
	int fd = open(wb->tmp, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) != 0) {
		bs_err_set(err, BS_EXIT_IOERR, "cannot write '%s': %s", wb->path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (rename(wb->tmp, wb->path) != 0)
		return bs_err_set(err, BS_EXIT_CANTCREAT,
		    "cannot rename '%s' to '%s': %s", wb->tmp, wb->path,
		    strerror(errno));
	return 0;
}

int
bs_workbook_close(struct bs_workbook *wb, struct bs_err *err)
{
	lxw_worksheet *meta = NULL;
	lxw_error e;
	size_t i;

	if (write_summary(wb, err) < 0)
		goto fail;
	for (i = 0; i < wb->nsheets; i++)
		if (finish_sheet(wb, &wb->sheets[i], err) < 0)
			goto fail;
	if (write_meta(wb, &meta, err) < 0)
		goto fail;
	if (check_tmp(wb, wb->summary, 1, err) < 0 ||
	    check_tmp(wb, meta, 1, err) < 0)
		goto fail;
	e = workbook_close(wb->x);	/* frees wb->x whatever happens */
	wb->x = NULL;
	if (e != LXW_NO_ERROR) {
		lxw_fail(wb, e, "cannot assemble the workbook", err);
		goto fail;
	}
	if (publish(wb, err) < 0)
		goto fail;
	free_wb(wb);
	return 0;
fail:
	bs_workbook_abort(wb);
	return -1;
}

void
bs_workbook_abort(struct bs_workbook *wb)
{
	lxw_sheet *sh;

	if (!wb)
		return;
	if (wb->x) {
		/*
		 * lxw_workbook_free() does not close constant_memory's row
		 * files; close them here so no descriptor leaks.
		 */
		STAILQ_FOREACH(sh, wb->x->sheets, list_pointers) {
			if (!sh->is_chartsheet && sh->u.worksheet->file) {
				fclose(sh->u.worksheet->file);
				sh->u.worksheet->file = NULL;
			}
		}
		lxw_workbook_free(wb->x);
		wb->x = NULL;
	}
	if (wb->tmp)
		unlink(wb->tmp);
	free_wb(wb);
}
