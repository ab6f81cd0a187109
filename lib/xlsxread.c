#include "bs.h"
#include "xlsxread.h"

#include <locale.h>
#include <math.h>
#include <zip.h>
#include <libxml/xmlreader.h>

/*
 * How it reads.  Every part is parsed by its own xmlTextReader fed from
 * zip_fread() (struct part).  The reader is moved with part_next(), which
 * either reads the next node or, when the caller set p->skip on a start
 * tag, jumps over that element's subtree: everything we do not need
 * (styles of a run, formulas, sheet views, phonetic runs) is skipped that
 * way, so the state machines below only ever see the elements they use.
 * Ends of elements are recognised by depth, not by name.
 */

#define XML_OPTS (XML_PARSE_NONET | XML_PARSE_COMPACT)
#define MAX_RELS 100000		/* relationships in one .rels part */
#define MAX_ROWNO 0x7fffffffUL	/* rows beyond this are refused */

enum rtype {			/* READER node types we look at */
	N_ELEMENT = XML_READER_TYPE_ELEMENT,
	N_END = XML_READER_TYPE_END_ELEMENT,
};

struct sheet {
	char *name;
	char *part;		/* zip entry name */
	int state;
};

struct rel {
	char *id;
	char *type;
	char *target;		/* resolved part name; NULL if external */
};

struct rels {
	struct rel *v;
	size_t n, alloc;
};

struct bs_xlsx {
	char *path;		/* as given, for messages */
	zip_t *zip;
	struct bs_xlsx_limits lim;
	struct sheet *sheet;
	size_t nsheet, asheet;
	char *sst_part;		/* NULL: no shared strings */
	int sst_loaded;
	struct bs_buf sst;	/* the strings, each followed by a NUL */
	size_t *sst_off;	/* start of string i in sst.buf */
	size_t nsst, asst;
};

struct part {
	struct bs_xlsx *x;
	char *name;
	zip_file_t *zf;
	xmlTextReaderPtr rd;
	int skip;		/* next move jumps over the current subtree */
	int zip_code;		/* libzip error seen by the read callback */
	char zip_msg[256];
	int xml_failed;		/* first libxml2 error, kept */
	int xml_line;
	char xml_msg[512];
};

struct cell {
	const char *p;		/* the value if not in the row buffer */
	size_t off, len;	/* in the row buffer when p is NULL */
	unsigned char type;	/* enum bs_xlsx_type */
	unsigned char formula;
};

struct bs_xlsx_rows {
	struct bs_xlsx *x;
	size_t isheet;
	struct part p;
	int phase;		/* PH_* */
	unsigned long rowno;	/* current row; 0 before the first */
	struct cell *cell;
	size_t ncell, acell;
	struct bs_buf text;	/* the current row's values, NUL after each */
};

enum { PH_SHEET, PH_DATA, PH_END };

/* ------------------------------------------------------------ helpers */

static const char *
lname(xmlTextReaderPtr rd)
{
	const xmlChar *s = xmlTextReaderConstLocalName(rd);

	return s ? (const char *)s : "";
}

static int
is_name(xmlTextReaderPtr rd, const char *name)
{
	return strcmp(lname(rd), name) == 0;
}

static int
is_text_node(int type)
{
	return type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
	    type == XML_READER_TYPE_WHITESPACE ||
	    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static int
ascii_casecmp(const char *a, const char *b)
{
	unsigned char ca, cb;

	do {
		ca = (unsigned char)*a++;
		cb = (unsigned char)*b++;
		if (ca >= 'A' && ca <= 'Z')
			ca = (unsigned char)(ca - 'A' + 'a');
		if (cb >= 'A' && cb <= 'Z')
			cb = (unsigned char)(cb - 'A' + 'a');
	} while (ca && ca == cb);
	return ca - cb;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The _xHHHH_ at s (n bytes available), or -1. */
static long
xescape_at(const char *s, size_t n)
{
	long v = 0;

	if (n < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_')
		return -1;
	for (int i = 2; i < 6; i++) {
		int h = hexval((unsigned char)s[i]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

static size_t
put_utf8(char *o, unsigned long cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * Decode the OOXML escapes _xHHHH_ in place (ECMA-376 ST_Xstring): a UTF-16
 * code unit, a surrogate pair as two escapes.  _x0000_ and lone surrogates
 * stay as written.  The result is never longer than the input.
 */
static size_t
unescape_x(char *s, size_t n)
{
	size_t i = 0, o = 0;

	if (!memchr(s, '_', n))
		return n;
	while (i < n) {
		long cp = xescape_at(s + i, n - i);
		size_t adv = 7;

		if (cp >= 0xD800 && cp <= 0xDBFF) {
			long lo = xescape_at(s + i + 7, n - i - 7);

			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				adv = 14;
			} else {
				cp = -1;
			}
		} else if (cp == 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) {
			cp = -1;
		}
		if (cp < 0) {
			s[o++] = s[i++];
			continue;
		}
		o += put_utf8(s + o, (unsigned long)cp);
		i += adv;
	}
	return o;
}

/* ------------------------------------------------------------ parts */

static int
zread(void *ctx, char *buf, int len)
{
	struct part *p = ctx;
	zip_int64_t n;

	if (p->zip_code)
		return -1;
	n = zip_fread(p->zf, buf, (zip_uint64_t)len);
	if (n < 0) {
		p->zip_code = zip_error_code_zip(zip_file_get_error(p->zf));
		if (!p->zip_code)
			p->zip_code = ZIP_ER_INTERNAL;
		snprintf(p->zip_msg, sizeof(p->zip_msg), "%s",
		    zip_file_strerror(p->zf));
		return -1;
	}
	return (int)n;
}

static void
xml_error(void *arg, xmlErrorPtr e)
{
	struct part *p = arg;
	size_t n;

	if (!e || e->level < XML_ERR_ERROR || p->xml_failed)
		return;
	p->xml_failed = 1;
	p->xml_line = e->line;
	snprintf(p->xml_msg, sizeof(p->xml_msg), "%s",
	    e->message ? e->message : "unknown error");
	n = strlen(p->xml_msg);
	while (n && isspace((unsigned char)p->xml_msg[n - 1]))
		p->xml_msg[--n] = '\0';
	/* some messages have a second line ("...encoding !\nBytes: 0x8F") */
	for (char *c = p->xml_msg; *c; c++)
		if (*c == '\n' || *c == '\r' || *c == '\t')
			*c = ' ';
	/* libxml2 capitalises; our messages do not ("Premature end ...") */
	if (p->xml_msg[0] >= 'A' && p->xml_msg[0] <= 'Z' &&
	    p->xml_msg[1] >= 'a' && p->xml_msg[1] <= 'z')
		p->xml_msg[0] = (char)(p->xml_msg[0] - 'A' + 'a');
}

/*
 * Line of the current node.  libxml2 keeps at most 65535 in a node; past
 * that, the parser's line, which may be a little ahead of the node.
 */
static long
part_line(const struct part *p)
{
	xmlNodePtr node;
	long line = 0;

	if (!p->rd)
		return 0;
	node = xmlTextReaderCurrentNode(p->rd);
	if (node)
		line = xmlGetLineNo(node);
	if (line <= 0 || line >= 65535)
		line = xmlTextReaderGetParserLineNumber(p->rd);
	return line;
}

/* "path: part: line L: msg" with code 65; returns -1. */
static int
part_fail(struct part *p, struct bs_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
part_fail(struct part *p, struct bs_err *err, const char *fmt, ...)
{
	char msg[BS_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return bs_err_set(err, BS_EXIT_DATAERR, "%s: %s: line %ld: %s",
	    p->x->path, p->name, part_line(p), msg);
}

static zip_int64_t
locate(const struct bs_xlsx *x, const char *name)
{
	zip_int64_t i = zip_name_locate(x->zip, name, 0);

	if (i < 0)
		i = zip_name_locate(x->zip, name, ZIP_FL_NOCASE);
	return i;
}

static void
part_close(struct part *p)
{
	if (p->rd)
		xmlFreeTextReader(p->rd);
	if (p->zf)
		zip_fclose(p->zf);
	free(p->name);
	memset(p, 0, sizeof(*p));
}

/*
 * Open part name for parsing.  When it is missing: -1 with err if required,
 * else 0 with p->rd NULL.
 */
static int
part_open(struct part *p, struct bs_xlsx *x, const char *name, int required,
    struct bs_err *err)
{
	zip_int64_t i;
	int code;

	memset(p, 0, sizeof(*p));
	p->x = x;
	p->name = bs_xstrdup(name);
	i = locate(x, name);
	if (i < 0) {
		if (!required) {
			part_close(p);
			return 0;
		}
		bs_err_set(err, BS_EXIT_DATAERR,
		    "%s: %s: part missing (not an XLSX workbook?)", x->path,
		    name);
		goto fail;
	}
	p->zf = zip_fopen_index(x->zip, (zip_uint64_t)i, 0);
	if (!p->zf) {
		code = zip_error_code_zip(zip_get_error(x->zip));
		bs_err_set(err, code == ZIP_ER_READ || code == ZIP_ER_SEEK ?
		    BS_EXIT_IOERR : BS_EXIT_DATAERR, "%s: %s: cannot read: %s%s",
		    x->path, name, zip_strerror(x->zip),
		    code == ZIP_ER_NOPASSWD ? " (the workbook is encrypted)" : "");
		goto fail;
	}
	p->rd = xmlReaderForIO(zread, NULL, p, name, NULL, XML_OPTS);
	if (!p->rd) {
		if (p->zip_code)
			bs_err_set(err, BS_EXIT_DATAERR, "%s: %s: %s", x->path,
			    name, p->zip_msg);
		else
			bs_err_set(err, BS_EXIT_OSERR,
			    "%s: %s: cannot create an XML reader", x->path, name);
		goto fail;
	}
	xmlTextReaderSetStructuredErrorHandler(p->rd, xml_error, p);
	return 0;
fail:
	part_close(p);
	return -1;
}

/*
 * After an XML error: read the rest of the member, so that a damaged zip
 * (whose garbage the parser choked on) is reported as such.
 */
static void
part_drain(struct part *p)
{
	char buf[16384];

	while (!p->zip_code && zread(p, buf, (int)sizeof(buf)) > 0)
		;
}

/*
 * Move to the next node (or past the current subtree when p->skip is set).
 * 1 on a node, 0 at the end of the part, -1 with err.
 */
static int
part_next(struct part *p, struct bs_err *err)
{
	int rc = p->skip ? xmlTextReaderNext(p->rd) : xmlTextReaderRead(p->rd);

	p->skip = 0;
	if (p->xml_failed || rc < 0)
		part_drain(p);
	if (p->zip_code == ZIP_ER_READ || p->zip_code == ZIP_ER_SEEK)
		return bs_err_set(err, BS_EXIT_IOERR, "%s: %s: cannot read: %s",
		    p->x->path, p->name, p->zip_msg);
	if (p->zip_code)
		return bs_err_set(err, BS_EXIT_DATAERR,
		    "%s: %s: damaged zip member: %s", p->x->path, p->name,
		    p->zip_msg);
	if (p->xml_failed || rc < 0) {
		if (!p->xml_failed)
			return part_fail(p, err, "malformed XML");
		return bs_err_set(err, BS_EXIT_DATAERR,
		    "%s: %s: line %d: malformed XML: %s", p->x->path,
		    p->name, p->xml_line, p->xml_msg);
	}
	if (rc == 0)
		return 0;
	if (xmlTextReaderNodeType(p->rd) == XML_READER_TYPE_DOCUMENT_TYPE)
		return bs_err_set(err, BS_EXIT_DATAERR,
		    "%s: %s: a document type declaration (DTD) is not allowed in an OOXML part",
		    p->x->path, p->name);
	return 1;
}

/* Move to the root element: 1, or -1 with err (also when there is none). */
static int
part_root(struct part *p, struct bs_err *err)
{
	int rc;

	while ((rc = part_next(p, err)) == 1)
		if (xmlTextReaderNodeType(p->rd) == N_ELEMENT)
			return 1;
	if (rc == 0)
		return part_fail(p, err, "no root element");
	return -1;
}

/* Read to the end of the part (so that libzip checks the CRC). */
static int
part_finish(struct part *p, struct bs_err *err)
{
	int rc;

	while ((rc = part_next(p, err)) == 1)
		if (xmlTextReaderNodeType(p->rd) == N_ELEMENT)
			p->skip = 1;
	return rc;
}

/*
 * Value of the attribute with local name `name' and no namespace (or, with
 * ns_suffix, a namespace ending so) of the current element, copied into a
 * new string, or NULL.  Longer than BS_XLSX_MAX_ATTR: -1 with err.
 */
static int
get_attr(struct part *p, const char *name, const char *ns_suffix, char **out,
    struct bs_err *err)
{
	*out = NULL;
	if (xmlTextReaderMoveToFirstAttribute(p->rd) != 1)
		return 0;
	do {
		const char *ns = (const char *)xmlTextReaderConstNamespaceUri(p->rd);
		const char *v;

		if (!is_name(p->rd, name))
			continue;
		if (ns_suffix ? !ns || !ends_with(ns, ns_suffix) : ns != NULL)
			continue;
		v = (const char *)xmlTextReaderConstValue(p->rd);
		if (!v)
			v = "";
		if (strlen(v) > BS_XLSX_MAX_ATTR) {
			xmlTextReaderMoveToElement(p->rd);
			return part_fail(p, err,
			    "attribute '%s' longer than %d bytes", name,
			    BS_XLSX_MAX_ATTR);
		}
		*out = bs_xstrdup(v);
		break;
	} while (xmlTextReaderMoveToNextAttribute(p->rd) == 1);
	xmlTextReaderMoveToElement(p->rd);
	return 0;
}

/* ------------------------------------------------------- relationships */

static void
rels_release(struct rels *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].id);
		free(r->v[i].type);
		free(r->v[i].target);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* The .rels part of a part: "xl/workbook.xml" -> "xl/_rels/workbook.xml.rels". */
static char *
rels_name(const char *part)
{
	const char *slash = strrchr(part, '/');

	if (!slash)
		return bs_xasprintf("_rels/%s.rels", part);
	return bs_xasprintf("%.*s/_rels/%s.rels", (int)(slash - part), part,
	    slash + 1);
}

/*
 * Resolve a relationship target against its source part (NULL for the
 * package): absolute ("/xl/x.xml") or relative to the source's folder,
 * with "." and ".." segments and %XX escapes.  NULL if it leaves the
 * package or is empty.
 */
static char *
resolve_target(const char *source, const char *target)
{
	struct bs_buf path = BS_BUF_INIT(0);
	char *t = bs_xstrdup(target), *o = t, *seg, *next;
	size_t n;

	/* %XX unescape (in place; never longer) */
	for (const char *s = target; *s; s++) {
		if (s[0] == '%' && hexval((unsigned char)s[1]) >= 0 &&
		    hexval((unsigned char)s[2]) >= 0) {
			*o++ = (char)(hexval((unsigned char)s[1]) * 16 +
			    hexval((unsigned char)s[2]));
			s += 2;
		} else if (*s == '#') {
			break;	/* a fragment names a place inside the part */
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	if (t[0] != '/' && source) {
		const char *slash = strrchr(source, '/');

		if (slash)
			bs_buf_add(&path, source, (size_t)(slash - source));
	}
	for (seg = t; seg; seg = next) {
		next = strchr(seg, '/');
		if (next)
			*next++ = '\0';
		if (!*seg || !strcmp(seg, "."))
			continue;
		if (!strcmp(seg, "..")) {
			char *slash = path.len ? strrchr(path.buf, '/') : NULL;

			if (!path.len) {
				bs_buf_release(&path);
				free(t);
				return NULL;
			}
			path.len = slash ? (size_t)(slash - path.buf) : 0;
			path.buf[path.len] = '\0';
			continue;
		}
		if (path.len)
			bs_buf_addc(&path, '/');
		bs_buf_adds(&path, seg);
	}
	free(t);
	if (!path.len) {
		bs_buf_release(&path);
		return NULL;
	}
	return bs_buf_detach(&path, &n);
}

/*
 * Read the relationships of `source' (NULL: the package) from part `name'.
 * A missing part gives no relationships (and no error) unless required.
 */
static int
read_rels(struct bs_xlsx *x, const char *name, const char *source,
    int required, struct rels *out, struct bs_err *err)
{
	struct part p;
	int rc;

	if (part_open(&p, x, name, required, err) < 0)
		return -1;
	if (!p.rd)
		return 0;
	if ((rc = part_root(&p, err)) < 0)
		goto done;
	while ((rc = part_next(&p, err)) == 1) {
		struct rel r = { NULL, NULL, NULL };
		char *mode = NULL;

		if (xmlTextReaderNodeType(p.rd) != N_ELEMENT)
			continue;
		if (!is_name(p.rd, "Relationship")) {
			p.skip = 1;
			continue;
		}
		if (get_attr(&p, "Id", NULL, &r.id, err) < 0 ||
		    get_attr(&p, "Type", NULL, &r.type, err) < 0 ||
		    get_attr(&p, "Target", NULL, &r.target, err) < 0 ||
		    get_attr(&p, "TargetMode", NULL, &mode, err) < 0) {
			rc = -1;
		} else if (!r.id || !r.type || !r.target) {
			rc = part_fail(&p, err,
			    "a relationship without Id, Type or Target");
		} else if (out->n >= MAX_RELS) {
			rc = part_fail(&p, err, "more than %d relationships",
			    MAX_RELS);
		}
		if (rc == 1 && mode && !strcmp(mode, "External")) {
			free(r.target);
			r.target = NULL;
		} else if (rc == 1) {
			char *t = resolve_target(source, r.target);

			free(r.target);
			r.target = t;
			if (!t)
				rc = part_fail(&p, err,
				    "relationship '%s': target outside the package",
				    r.id);
		}
		free(mode);
		if (rc != 1) {
			free(r.id);
			free(r.type);
			free(r.target);
			break;
		}
		BS_ALLOC_GROW(out->v, out->n + 1, out->alloc);
		out->v[out->n++] = r;
		p.skip = 1;
	}
done:
	part_close(&p);
	return rc < 0 ? -1 : 0;
}

static const struct rel *
rel_by_id(const struct rels *r, const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].id, id))
			return &r->v[i];
	return NULL;
}

static const struct rel *
rel_by_type(const struct rels *r, const char *suffix)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].target && ends_with(r->v[i].type, suffix))
			return &r->v[i];
	return NULL;
}

/* ------------------------------------------------------------ workbook */

static int
add_sheet(struct part *p, const struct rels *rels, const char *rels_part,
    struct bs_err *err)
{
	struct bs_xlsx *x = p->x;
	char *name = NULL, *state = NULL, *id = NULL;
	const struct rel *rel;
	struct sheet s = { NULL, NULL, BS_XLSX_VISIBLE };
	int rc = -1;

	if (get_attr(p, "name", NULL, &name, err) < 0 ||
	    get_attr(p, "state", NULL, &state, err) < 0 ||
	    get_attr(p, "id", "/relationships", &id, err) < 0)
		goto done;
	if (!name || !*name) {
		part_fail(p, err, "a sheet without a name");
		goto done;
	}
	if (!id) {
		part_fail(p, err, "sheet '%s' has no r:id", name);
		goto done;
	}
	if (!state || !strcmp(state, "visible"))
		s.state = BS_XLSX_VISIBLE;
	else if (!strcmp(state, "hidden"))
		s.state = BS_XLSX_HIDDEN;
	else if (!strcmp(state, "veryHidden"))
		s.state = BS_XLSX_VERY_HIDDEN;
	else {
		part_fail(p, err, "sheet '%s': unknown state '%s'", name, state);
		goto done;
	}
	rel = rel_by_id(rels, id);
	if (!rel || !rel->target) {
		part_fail(p, err, "sheet '%s': no relationship '%s' in %s",
		    name, id, rels_part);
		goto done;
	}
	for (size_t i = 0; i < x->nsheet; i++)
		if (!strcmp(x->sheet[i].name, name)) {
			part_fail(p, err, "two sheets named '%s'", name);
			goto done;
		}
	if (x->nsheet >= BS_XLSX_MAX_SHEETS) {
		part_fail(p, err, "more than %d sheets", BS_XLSX_MAX_SHEETS);
		goto done;
	}
	s.name = name;
	s.part = bs_xstrdup(rel->target);
	name = NULL;
	BS_ALLOC_GROW(x->sheet, x->nsheet + 1, x->asheet);
	x->sheet[x->nsheet++] = s;
	rc = 0;
done:
	free(name);
	free(state);
	free(id);
	return rc;
}

static int
read_workbook(struct bs_xlsx *x, const char *wb, struct bs_err *err)
{
	struct rels rels = { NULL, 0, 0 };
	char *rname = rels_name(wb);
	const struct rel *sst;
	struct part p;
	int rc = -1, in_sheets = 0, depth;

	memset(&p, 0, sizeof(p));
	if (part_open(&p, x, wb, 1, err) < 0 ||
	    read_rels(x, rname, wb, 1, &rels, err) < 0 ||
	    part_root(&p, err) < 0)
		goto done;
	if (!is_name(p.rd, "workbook")) {
		part_fail(&p, err, "not a workbook (root element '%s')",
		    lname(p.rd));
		goto done;
	}
	while ((rc = part_next(&p, err)) == 1) {
		int type = xmlTextReaderNodeType(p.rd);

		depth = xmlTextReaderDepth(p.rd);
		if (type == N_END && in_sheets && depth == 1) {
			in_sheets = 0;
			continue;
		}
		if (type != N_ELEMENT)
			continue;
		if (depth == 1 && is_name(p.rd, "sheets")) {
			in_sheets = !xmlTextReaderIsEmptyElement(p.rd);
			continue;
		}
		if (in_sheets && depth == 2 && is_name(p.rd, "sheet") &&
		    add_sheet(&p, &rels, rname, err) < 0) {
			rc = -1;
			break;
		}
		p.skip = 1;
	}
	if (rc < 0)
		goto done;
	if (!x->nsheet) {
		rc = bs_err_set(err, BS_EXIT_DATAERR, "%s: %s: no sheets",
		    x->path, wb);
		goto done;
	}
	sst = rel_by_type(&rels, "/sharedStrings");
	if (sst) {
		x->sst_part = bs_xstrdup(sst->target);
	} else {
		/* no relationship: use the usual part if it is there */
		char *dflt = resolve_target(wb, "sharedStrings.xml");

		if (dflt && locate(x, dflt) >= 0)
			x->sst_part = dflt;
		else
			free(dflt);
	}
	rc = 0;
done:
	part_close(&p);
	rels_release(&rels);
	free(rname);
	return rc;
}

/* Classify a file that libzip refused as a zip archive. */
static int
not_a_zip(const char *path, const unsigned char *head, size_t n,
    struct bs_err *err)
{
	static const unsigned char ole[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1,
		0xB1, 0x1A, 0xE1 };

	if (n >= 8 && !memcmp(head, ole, 8))
		return bs_err_set(err, BS_EXIT_DATAERR,
		    "%s: not an XLSX file: an OLE compound document (a password-protected workbook or an old .xls file)",
		    path);
	if (n >= 4 && !memcmp(head, "PK\003\004", 4))
		return bs_err_set(err, BS_EXIT_DATAERR,
		    "%s: damaged zip archive (truncated? no central directory)",
		    path);
	return bs_err_set(err, BS_EXIT_DATAERR,
	    "%s: not a zip archive (truncated, or not an XLSX file)", path);
}

int
bs_xlsx_open_limits(struct bs_xlsx **xp, const char *path,
    const struct bs_xlsx_limits *limits, struct bs_err *err)
{
	struct bs_xlsx *x;
	struct rels rels = { NULL, 0, 0 };
	const struct rel *doc;
	unsigned char head[8];
	struct stat st;
	ssize_t nhead;
	int fd, zerr = 0;

	*xp = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bs_err_set(err, BS_EXIT_NOINPUT, "cannot open '%s': %s",
		    path, strerror(errno));
	if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
		int e = errno;

		if (e == 0 || S_ISDIR(st.st_mode))
			e = EISDIR;

		close(fd);
		return bs_err_set(err, BS_EXIT_NOINPUT, "cannot open '%s': %s",
		    path, strerror(e));
	}
	nhead = read(fd, head, sizeof(head));
	close(fd);
	if (nhead < 0)
		return bs_err_set(err, BS_EXIT_IOERR, "cannot read '%s': %s",
		    path, strerror(errno));
	if (nhead == 0)
		return bs_err_set(err, BS_EXIT_DATAERR,
		    "%s: empty file, not an XLSX workbook", path);

	xmlInitParser();
	x = bs_xcalloc(1, sizeof(*x));
	x->path = bs_xstrdup(path);
	x->lim = (struct bs_xlsx_limits)BS_XLSX_LIMITS_INIT;
	if (limits) {
		if (limits->max_strings)
			x->lim.max_strings = limits->max_strings;
		if (limits->max_text)
			x->lim.max_text = limits->max_text;
		if (limits->max_row)
			x->lim.max_row = limits->max_row;
	}
	x->zip = zip_open(path, ZIP_RDONLY, &zerr);
	if (!x->zip) {
		zip_error_t ze;

		switch (zerr) {
		case ZIP_ER_NOZIP:
		case ZIP_ER_INCONS:
			not_a_zip(path, head, (size_t)nhead, err);
			break;
		case ZIP_ER_NOENT:
		case ZIP_ER_OPEN:
		case ZIP_ER_READ:
		case ZIP_ER_SEEK:
		case ZIP_ER_MEMORY:
		default:
			zip_error_init_with_code(&ze, zerr);
			bs_err_set(err, zerr == ZIP_ER_NOENT || zerr == ZIP_ER_OPEN ?
			    BS_EXIT_NOINPUT : zerr == ZIP_ER_READ || zerr == ZIP_ER_SEEK ?
			    BS_EXIT_IOERR : zerr == ZIP_ER_MEMORY ? BS_EXIT_OSERR :
			    BS_EXIT_DATAERR, "%s: cannot open as a zip archive: %s",
			    path, zip_error_strerror(&ze));
			zip_error_fini(&ze);
			break;
		}
		goto fail;
	}
	/* The package relationships name the workbook part. */
	if (read_rels(x, "_rels/.rels", NULL, 0, &rels, err) < 0)
		goto fail;
	doc = rel_by_type(&rels, "/officeDocument");
	if (read_workbook(x, doc ? doc->target : "xl/workbook.xml", err) < 0)
		goto fail;
	rels_release(&rels);
	x->sst.max = x->lim.max_strings;
	*xp = x;
	return 0;
fail:
	rels_release(&rels);
	bs_xlsx_close(x);
	return -1;
}

int
bs_xlsx_open(struct bs_xlsx **x, const char *path, struct bs_err *err)
{
	return bs_xlsx_open_limits(x, path, NULL, err);
}

void
bs_xlsx_close(struct bs_xlsx *x)
{
	if (!x)
		return;
	if (x->zip)
		zip_discard(x->zip);
	for (size_t i = 0; i < x->nsheet; i++) {
		free(x->sheet[i].name);
		free(x->sheet[i].part);
	}
	free(x->sheet);
	free(x->sst_part);
	bs_buf_release(&x->sst);
	free(x->sst_off);
	free(x->path);
	free(x);
}

size_t
bs_xlsx_nsheets(const struct bs_xlsx *x)
{
	return x->nsheet;
}

const char *
bs_xlsx_sheet_name(const struct bs_xlsx *x, size_t i)
{
	return i < x->nsheet ? x->sheet[i].name : NULL;
}

int
bs_xlsx_sheet_state(const struct bs_xlsx *x, size_t i)
{
	return i < x->nsheet ? x->sheet[i].state : -1;
}

const char *
bs_xlsx_sheet_part(const struct bs_xlsx *x, size_t i)
{
	return i < x->nsheet ? x->sheet[i].part : NULL;
}

long
bs_xlsx_sheet_find(const struct bs_xlsx *x, const char *name)
{
	for (size_t i = 0; i < x->nsheet; i++)
		if (!strcmp(x->sheet[i].name, name))
			return (long)i;
	for (size_t i = 0; i < x->nsheet; i++)
		if (!ascii_casecmp(x->sheet[i].name, name))
			return (long)i;
	return -1;
}

/* ------------------------------------------------------- text content */

enum { TX_OK = 0, TX_LONG = -2, TX_FULL = -3 };

/* Append a text node to b; the value started at start. */
static int
add_text(struct bs_buf *b, size_t start, size_t max_text, const char *s)
{
	size_t n = strlen(s);

	if (b->len - start + n > max_text)
		return TX_LONG;
	if (bs_buf_add(b, s, n) < 0)
		return TX_FULL;
	return TX_OK;
}

/*
 * The reader is on the start tag of a non-empty element holding text only
 * (<v>): append its text to b.  Returns TX_*, or -1 with err.
 */
static int
read_plain(struct part *p, struct bs_buf *b, size_t start, size_t max_text,
    struct bs_err *err)
{
	int depth = xmlTextReaderDepth(p->rd), rc;

	while ((rc = part_next(p, err)) == 1) {
		int type = xmlTextReaderNodeType(p->rd);

		if (is_text_node(type)) {
			const char *v = (const char *)xmlTextReaderConstValue(p->rd);

			if (v && (rc = add_text(b, start, max_text, v)) != TX_OK)
				return rc;
		} else if (type == N_END && xmlTextReaderDepth(p->rd) == depth) {
			return TX_OK;
		} else if (type == N_ELEMENT) {
			p->skip = 1;
		}
	}
	return rc == 0 ? part_fail(p, err, "unexpected end of part") : -1;
}

/*
 * The reader is on the start tag of a non-empty <si> or <is>: append the
 * text of its <t> and <r><t> children to b, skipping phonetic runs (<rPh>)
 * and everything else, and decode _xHHHH_ escapes.  TX_* or -1 with err.
 */
static int
read_rich(struct part *p, struct bs_buf *b, size_t start, size_t max_text,
    struct bs_err *err)
{
	int depth = xmlTextReaderDepth(p->rd), rc, tdepth = -1;
	size_t tstart = 0;

	while ((rc = part_next(p, err)) == 1) {
		int type = xmlTextReaderNodeType(p->rd);
		int d = xmlTextReaderDepth(p->rd);

		if (type == N_ELEMENT) {
			if (tdepth < 0 && is_name(p->rd, "t")) {
				if (!xmlTextReaderIsEmptyElement(p->rd)) {
					tdepth = d;
					tstart = b->len;
				}
			} else if (tdepth >= 0 || !is_name(p->rd, "r")) {
				p->skip = 1;	/* rPh, rPr, phoneticPr, ... */
			}
		} else if (tdepth >= 0 && is_text_node(type)) {
			const char *v = (const char *)xmlTextReaderConstValue(p->rd);

			if (v && (rc = add_text(b, start, max_text, v)) != TX_OK)
				return rc;
		} else if (type == N_END && d == tdepth) {
			b->len = tstart + unescape_x(b->buf + tstart,
			    b->len - tstart);
			b->buf[b->len] = '\0';
			tdepth = -1;
		} else if (type == N_END && d == depth) {
			return TX_OK;
		}
	}
	return rc == 0 ? part_fail(p, err, "unexpected end of part") : -1;
}

/* --------------------------------------------------------- shared strings */

static int
sst_push(struct bs_xlsx *x, size_t start)
{
	/* each string costs its text, a NUL and an index entry */
	if (x->sst.len + (x->nsst + 1) * sizeof(size_t) > x->lim.max_strings ||
	    bs_buf_addc(&x->sst, '\0') < 0)
		return TX_FULL;
	BS_ALLOC_GROW(x->sst_off, x->nsst + 1, x->asst);
	x->sst_off[x->nsst++] = start;
	return TX_OK;
}

static int
load_sst(struct bs_xlsx *x, struct bs_err *err)
{
	struct part p;
	int rc;

	if (x->sst_loaded || !x->sst_part) {
		x->sst_loaded = 1;
		return 0;
	}
	if (part_open(&p, x, x->sst_part, 1, err) < 0)
		return -1;
	if ((rc = part_root(&p, err)) < 0)
		goto done;
	if (!is_name(p.rd, "sst")) {
		rc = part_fail(&p, err, "not a shared string table (root element '%s')",
		    lname(p.rd));
		goto done;
	}
	while ((rc = part_next(&p, err)) == 1) {
		size_t start = x->sst.len;

		if (xmlTextReaderNodeType(p.rd) != N_ELEMENT)
			continue;
		if (!is_name(p.rd, "si")) {
			p.skip = 1;
			continue;
		}
		rc = TX_OK;
		if (!xmlTextReaderIsEmptyElement(p.rd))
			rc = read_rich(&p, &x->sst, start, x->lim.max_text, err);
		if (rc == TX_OK)
			rc = sst_push(x, start);
		if (rc == TX_LONG)
			rc = part_fail(&p, err,
			    "shared string %zu longer than %zu bytes", x->nsst,
			    x->lim.max_text);
		else if (rc == TX_FULL)
			rc = part_fail(&p, err,
			    "shared strings larger than %zu bytes (string %zu)",
			    x->lim.max_strings, x->nsst);
		if (rc < 0)
			break;
		rc = 1;
	}
done:
	part_close(&p);
	if (rc < 0) {
		bs_buf_release(&x->sst);
		free(x->sst_off);
		x->sst_off = NULL;
		x->nsst = x->asst = 0;
		return -1;
	}
	if (x->sst.buf && x->sst.alloc > x->sst.len + 1) {
		x->sst.buf = bs_xrealloc(x->sst.buf, x->sst.len + 1);
		x->sst.alloc = x->sst.len + 1;
	}
	x->sst_loaded = 1;
	return 0;
}

/* ------------------------------------------------------------------ rows */

static void
rows_free(struct bs_xlsx_rows *r)
{
	part_close(&r->p);
	free(r->cell);
	bs_buf_release(&r->text);
	free(r);
}

int
bs_xlsx_rows_open_at(struct bs_xlsx *x, size_t i, struct bs_xlsx_rows **rp,
    struct bs_err *err)
{
	struct bs_xlsx_rows *r;

	*rp = NULL;
	if (i >= x->nsheet)
		return bs_err_set(err, BS_EXIT_SOFTWARE,
		    "%s: no sheet number %zu", x->path, i);
	if (load_sst(x, err) < 0)
		return -1;
	r = bs_xcalloc(1, sizeof(*r));
	r->x = x;
	r->isheet = i;
	r->text.max = x->lim.max_row;
	if (part_open(&r->p, x, x->sheet[i].part, 1, err) < 0 ||
	    part_root(&r->p, err) < 0)
		goto fail;
	if (!is_name(r->p.rd, "worksheet")) {
		part_fail(&r->p, err, "sheet '%s' is not a worksheet (root element '%s')",
		    x->sheet[i].name, lname(r->p.rd));
		goto fail;
	}
	r->phase = xmlTextReaderIsEmptyElement(r->p.rd) ? PH_END : PH_SHEET;
	if (r->phase == PH_END && part_finish(&r->p, err) < 0)
		goto fail;
	*rp = r;
	return 0;
fail:
	rows_free(r);
	return -1;
}

int
bs_xlsx_rows_open(struct bs_xlsx *x, const char *name,
    struct bs_xlsx_rows **rp, struct bs_err *err)
{
	long i = bs_xlsx_sheet_find(x, name);

	if (i < 0) {
		struct bs_buf names = BS_BUF_INIT(0);
		int rc;

		for (size_t k = 0; k < x->nsheet; k++) {
			if (names.len > 512) {
				bs_buf_adds(&names, ", ...");
				break;
			}
			bs_buf_addf(&names, "%s'%s'", k ? ", " : "",
			    x->sheet[k].name);
		}
		*rp = NULL;
		rc = bs_err_set(err, BS_EXIT_DATAERR,
		    "%s: no sheet named '%s' (sheets: %s)", x->path, name,
		    bs_buf_str(&names));
		bs_buf_release(&names);
		return rc;
	}
	return bs_xlsx_rows_open_at(x, (size_t)i, rp, err);
}

void
bs_xlsx_rows_close(struct bs_xlsx_rows *r)
{
	if (r)
		rows_free(r);
}

/* Parse an unsigned decimal of at most 10 digits; -1 if not one. */
static long
parse_uint(const char *s)
{
	long v = 0;
	int n = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++, n++) {
		if (*s < '0' || *s > '9' || n >= 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

enum ctype { C_N, C_S, C_STR, C_INL, C_B, C_E, C_D };

static int
cell_type_of(const char *t)
{
	if (!t || !strcmp(t, "n"))
		return C_N;
	if (!strcmp(t, "s"))
		return C_S;
	if (!strcmp(t, "str"))
		return C_STR;
	if (!strcmp(t, "inlineStr"))
		return C_INL;
	if (!strcmp(t, "b"))
		return C_B;
	if (!strcmp(t, "e"))
		return C_E;
	if (!strcmp(t, "d"))
		return C_D;
	return -1;
}

/* "C7" for messages. */
static const char *
cell_ref(char *buf, size_t n, size_t col, unsigned long row)
{
	char c[BS_XLSX_COL_NAME_MAX];

	snprintf(buf, n, "%s%lu", bs_xlsx_col_name(col, c), row);
	return buf;
}

/* The reader is on a <c>: store its value in the row. */
static int
read_cell(struct bs_xlsx_rows *r, long *prev_col, struct bs_err *err)
{
	struct part *p = &r->p;
	struct bs_xlsx *x = r->x;
	char *ref = NULL, *t = NULL, where[32];
	long col;
	int ctype, depth, rc, has_v = 0, has_is = 0, formula = 0;
	size_t voff = 0, vlen = 0, ioff = 0, ilen = 0;
	struct cell c = { NULL, 0, 0, BS_XLSX_NONE, 0 };

	if (get_attr(p, "r", NULL, &ref, err) < 0 ||
	    get_attr(p, "t", NULL, &t, err) < 0)
		goto fail;
	if (ref) {
		const char *s = ref;
		long row;

		col = 0;
		for (; s - ref < 4; s++) {
			if (*s >= 'A' && *s <= 'Z')
				col = col * 26 + (*s - 'A' + 1);
			else if (*s >= 'a' && *s <= 'z')
				col = col * 26 + (*s - 'a' + 1);
			else
				break;
		}
		col--;
		row = parse_uint(s);
		if (col < 0 || row < 0) {
			part_fail(p, err, "row %lu: bad cell reference '%s'",
			    r->rowno, ref);
			goto fail;
		}
		if ((unsigned long)row != r->rowno) {
			part_fail(p, err, "row %lu: cell reference '%s' names another row",
			    r->rowno, ref);
			goto fail;
		}
	} else {
		col = *prev_col + 1;
	}
	if (col >= BS_XLSX_MAX_COLS) {
		part_fail(p, err, "row %lu: column %ld beyond XFD (%d columns)",
		    r->rowno, col + 1, BS_XLSX_MAX_COLS);
		goto fail;
	}
	if (col <= *prev_col) {
		char prev[32];

		part_fail(p, err, "cell %s after cell %s (cells out of order)",
		    cell_ref(where, sizeof(where), (size_t)col, r->rowno),
		    cell_ref(prev, sizeof(prev), (size_t)*prev_col, r->rowno));
		goto fail;
	}
	*prev_col = col;
	cell_ref(where, sizeof(where), (size_t)col, r->rowno);
	ctype = cell_type_of(t);
	if (ctype < 0) {
		part_fail(p, err, "cell %s: unknown cell type '%s'", where, t);
		goto fail;
	}
	free(ref);
	free(t);
	ref = t = NULL;
	if (xmlTextReaderIsEmptyElement(p->rd))
		return 0;	/* styled only */

	depth = xmlTextReaderDepth(p->rd);
	while ((rc = part_next(p, err)) == 1) {
		int type = xmlTextReaderNodeType(p->rd);

		if (type == N_END && xmlTextReaderDepth(p->rd) == depth)
			break;
		if (type != N_ELEMENT)
			continue;
		rc = TX_OK;
		if (is_name(p->rd, "v")) {
			voff = r->text.len;
			if (!xmlTextReaderIsEmptyElement(p->rd))
				rc = read_plain(p, &r->text, voff, x->lim.max_text, err);
			vlen = r->text.len - voff;
			has_v = vlen > 0;
			if (rc == TX_OK && bs_buf_addc(&r->text, '\0') < 0)
				rc = TX_FULL;
		} else if (is_name(p->rd, "is")) {
			ioff = r->text.len;
			has_is = 1;
			if (!xmlTextReaderIsEmptyElement(p->rd))
				rc = read_rich(p, &r->text, ioff, x->lim.max_text, err);
			ilen = r->text.len - ioff;
			if (rc == TX_OK && bs_buf_addc(&r->text, '\0') < 0)
				rc = TX_FULL;
		} else {
			formula |= is_name(p->rd, "f");
			p->skip = 1;
		}
		if (rc == TX_LONG) {
			part_fail(p, err, "cell %s: value longer than %zu bytes",
			    where, x->lim.max_text);
			goto fail;
		}
		if (rc == TX_FULL)
			goto full;
		if (rc < 0)
			goto fail;
		rc = 1;
	}
	if (rc == 0)
		part_fail(p, err, "unexpected end of part");
	if (rc <= 0)
		goto fail;

	c.off = voff;
	c.len = vlen;
	switch (ctype) {
	case C_N:
		c.type = has_v ? BS_XLSX_NUMBER : BS_XLSX_NONE;
		break;
	case C_STR:
		c.type = has_v ? BS_XLSX_STRING : BS_XLSX_NONE;
		break;
	case C_E:
		c.type = has_v ? BS_XLSX_ERROR : BS_XLSX_NONE;
		break;
	case C_D:
		c.type = has_v ? BS_XLSX_DATE : BS_XLSX_NONE;
		break;
	case C_INL:
		c.type = has_is ? BS_XLSX_STRING : BS_XLSX_NONE;
		c.off = ioff;
		c.len = ilen;
		break;
	case C_B:
		if (!has_v)
			break;
		if (!strcmp(r->text.buf + voff, "1") ||
		    !strcmp(r->text.buf + voff, "true"))
			c.p = "TRUE";
		else if (!strcmp(r->text.buf + voff, "0") ||
		    !strcmp(r->text.buf + voff, "false"))
			c.p = "FALSE";
		else {
			part_fail(p, err, "cell %s: bad boolean '%s'", where,
			    r->text.buf + voff);
			goto fail;
		}
		c.type = BS_XLSX_BOOL;
		c.len = strlen(c.p);
		break;
	case C_S: {
		long i;

		if (!has_v)
			break;
		i = parse_uint(r->text.buf + voff);
		if (i < 0) {
			part_fail(p, err, "cell %s: bad shared string index '%s'",
			    where, r->text.buf + voff);
			goto fail;
		}
		if ((size_t)i >= x->nsst) {
			part_fail(p, err,
			    "cell %s: shared string %ld out of range (%zu strings)",
			    where, i, x->nsst);
			goto fail;
		}
		c.type = BS_XLSX_STRING;
		c.p = x->sst.buf + x->sst_off[i];
		c.len = ((size_t)i + 1 < x->nsst ? x->sst_off[i + 1] :
		    x->sst.len) - x->sst_off[i] - 1;
		break;
	}
	}
	c.formula = (unsigned char)formula;
	if (c.type == BS_XLSX_NONE && !formula)
		return 0;
	if ((size_t)col >= r->acell) {
		size_t old = r->acell;

		BS_ALLOC_GROW(r->cell, (size_t)col + 1, r->acell);
		memset(r->cell + old, 0, (r->acell - old) * sizeof(*r->cell));
	}
	r->cell[col] = c;
	r->ncell = (size_t)col + 1;
	return 0;
full:
	part_fail(p, err, "row %lu: values longer than %zu bytes in total",
	    r->rowno, x->lim.max_row);
fail:
	free(ref);
	free(t);
	return -1;
}

/* The reader is on a <row>: read its cells.  1 if it has any, 0, -1. */
static int
read_row(struct bs_xlsx_rows *r, struct bs_err *err)
{
	struct part *p = &r->p;
	char *rs = NULL;
	long no, prev_col = -1;
	int depth, rc;

	if (get_attr(p, "r", NULL, &rs, err) < 0)
		return -1;
	if (rs) {
		no = parse_uint(rs);
		if (no < 1 || (unsigned long)no > MAX_ROWNO) {
			part_fail(p, err, "bad row number '%s'", rs);
			free(rs);
			return -1;
		}
		free(rs);
		if ((unsigned long)no <= r->rowno)
			return part_fail(p, err, "row %ld after row %lu (rows out of order)",
			    no, r->rowno);
	} else {
		no = (long)r->rowno + 1;
	}
	r->rowno = (unsigned long)no;
	if (xmlTextReaderIsEmptyElement(p->rd))
		return 0;
	depth = xmlTextReaderDepth(p->rd);
	while ((rc = part_next(p, err)) == 1) {
		int type = xmlTextReaderNodeType(p->rd);

		if (type == N_END && xmlTextReaderDepth(p->rd) == depth)
			return r->ncell > 0;
		if (type != N_ELEMENT)
			continue;
		if (!is_name(p->rd, "c")) {
			p->skip = 1;
			continue;
		}
		if (read_cell(r, &prev_col, err) < 0)
			return -1;
	}
	if (rc == 0)
		part_fail(p, err, "unexpected end of part");
	return -1;
}

int
bs_xlsx_rows_next(struct bs_xlsx_rows *r, struct bs_err *err)
{
	struct part *p = &r->p;
	int rc;

	if (r->ncell)
		memset(r->cell, 0, r->ncell * sizeof(*r->cell));
	r->ncell = 0;
	bs_buf_reset(&r->text);
	if (r->phase == PH_END)
		return 0;
	while ((rc = part_next(p, err)) == 1) {
		int type = xmlTextReaderNodeType(p->rd);
		int depth;

		if (type != N_ELEMENT) {
			if (type == N_END && r->phase == PH_DATA &&
			    xmlTextReaderDepth(p->rd) == 1)
				r->phase = PH_SHEET;
			continue;
		}
		depth = xmlTextReaderDepth(p->rd);
		if (r->phase == PH_SHEET) {
			if (depth == 1 && is_name(p->rd, "sheetData") &&
			    !xmlTextReaderIsEmptyElement(p->rd))
				r->phase = PH_DATA;
			else
				p->skip = 1;
			continue;
		}
		if (depth != 2 || !is_name(p->rd, "row")) {
			p->skip = 1;
			continue;
		}
		rc = read_row(r, err);
		if (rc < 0)
			return -1;
		if (rc == 1)
			return 1;
	}
	if (rc == 0)
		r->phase = PH_END;
	return rc;
}

unsigned long
bs_xlsx_row_number(const struct bs_xlsx_rows *r)
{
	return r->rowno;
}

size_t
bs_xlsx_row_ncells(const struct bs_xlsx_rows *r)
{
	return r->ncell;
}

const char *
bs_xlsx_cell(const struct bs_xlsx_rows *r, size_t col, size_t *len)
{
	const struct cell *c;

	if (len)
		*len = 0;
	if (col >= r->ncell || r->cell[col].type == BS_XLSX_NONE)
		return NULL;
	c = &r->cell[col];
	if (len)
		*len = c->len;
	return c->p ? c->p : r->text.buf + c->off;
}

int
bs_xlsx_cell_type(const struct bs_xlsx_rows *r, size_t col)
{
	return col < r->ncell ? r->cell[col].type : BS_XLSX_NONE;
}

int
bs_xlsx_cell_formula(const struct bs_xlsx_rows *r, size_t col)
{
	return col < r->ncell ? r->cell[col].formula : 0;
}

const char *
bs_xlsx_rows_sheet(const struct bs_xlsx_rows *r)
{
	return r->x->sheet[r->isheet].name;
}

/* ---------------------------------------------------------------- header */

/* Length of a blank (ASCII space, tab, CR, LF, U+00A0, U+3000) at s. */
static size_t
blank_at(const char *s, size_t n)
{
	if (n >= 1 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		return 1;
	if (n >= 2 && !memcmp(s, "\xC2\xA0", 2))
		return 2;
	if (n >= 3 && !memcmp(s, "\xE3\x80\x80", 3))
		return 3;
	return 0;
}

/* Same, for a blank ending at s + n. */
static size_t
blank_before(const char *s, size_t n)
{
	if (n >= 1 && blank_at(s + n - 1, 1))
		return 1;
	if (n >= 2 && blank_at(s + n - 2, 2) == 2)
		return 2;
	if (n >= 3 && blank_at(s + n - 3, 3) == 3)
		return 3;
	return 0;
}

long
bs_xlsx_row_find(const struct bs_xlsx_rows *r, const char *text,
    unsigned flags)
{
	size_t tn = strlen(text);

	for (size_t i = 0; i < r->ncell; i++) {
		const char *v;
		size_t n, k;

		if (r->cell[i].type != BS_XLSX_STRING)
			continue;
		v = bs_xlsx_cell(r, i, &n);
		if (flags & BS_XLSX_TRIM) {
			while ((k = blank_at(v, n)) > 0) {
				v += k;
				n -= k;
			}
			while ((k = blank_before(v, n)) > 0)
				n -= k;
		}
		if (n == tn && !memcmp(v, text, n))
			return (long)i;
	}
	return -1;
}

int
bs_xlsx_rows_header(struct bs_xlsx_rows *r, const char *const *names,
    size_t n, long *cols, unsigned flags, size_t max_rows, struct bs_err *err)
{
	unsigned char *best = bs_xcalloc(n ? n : 1, 1);
	size_t nbest = 0, nread = 0;
	struct bs_buf miss = BS_BUF_INIT(0);
	int rc = 0;

	while ((max_rows == 0 || nread < max_rows) &&
	    (rc = bs_xlsx_rows_next(r, err)) == 1) {
		size_t found = 0;

		nread++;
		for (size_t i = 0; i < n; i++) {
			cols[i] = bs_xlsx_row_find(r, names[i], flags);
			found += cols[i] >= 0;
		}
		if (found == n) {
			free(best);
			return 0;
		}
		if (found > nbest) {
			nbest = found;
			for (size_t i = 0; i < n; i++)
				best[i] = cols[i] >= 0;
		}
	}
	if (max_rows && nread >= max_rows)
		rc = 0;
	if (rc == 0) {
		for (size_t i = 0; i < n; i++)
			if (!best[i])
				bs_buf_addf(&miss, "%s'%s'", miss.len ? ", " : "",
				    names[i]);
		if (max_rows && nread >= max_rows)
			bs_err_set(err, BS_EXIT_DATAERR,
			    "%s: sheet '%s': no header row with %s in the first %zu rows",
			    r->x->path, bs_xlsx_rows_sheet(r), bs_buf_str(&miss),
			    max_rows);
		else
			bs_err_set(err, BS_EXIT_DATAERR,
			    "%s: sheet '%s': no header row with %s",
			    r->x->path, bs_xlsx_rows_sheet(r), bs_buf_str(&miss));
	}
	bs_buf_release(&miss);
	free(best);
	return -1;
}

/* ---------------------------------------------------------------- values */

char *
bs_xlsx_col_name(size_t col, char *out)
{
	char tmp[BS_XLSX_COL_NAME_MAX];
	size_t n = 0, i;

	if (col >= BS_XLSX_MAX_COLS) {
		out[0] = '\0';
		return out;
	}
	col++;
	while (col) {
		tmp[n++] = (char)('A' + (col - 1) % 26);
		col = (col - 1) / 26;
	}
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	return out;
}

int
bs_xlsx_number_normalize(const char *s, size_t len, char *out)
{
	char tmp[128], *end;
	locale_t c, old;
	double d;
	int n, digits = 0;

	out[0] = '\0';
	if (len == 0 || len >= sizeof(tmp))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (!strchr("+-.eE", s[i]) || !s[i])
			return -1;
	}
	if (!digits)
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (!c)
		return -1;
	d = strtod_l(tmp, &end, c);
	if (end != tmp + len || !isfinite(d)) {
		freelocale(c);
		return -1;
	}
	if (d == 0)
		d = 0;	/* no "-0" */
	old = uselocale(c);
	n = snprintf(out, BS_XLSX_NUM_MAX, "%.15g", d);
	uselocale(old);
	freelocale(c);
	if (n < 0 || n >= BS_XLSX_NUM_MAX) {
		out[0] = '\0';
		return -1;
	}
	return n;
}
