#include "bs.h"
#include "json.h"

void
bs_json_init(struct bs_json *j, struct bs_buf *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
}

static void
indent(struct bs_json *j)
{
	int i;

	bs_buf_addc(j->out, '\n');
	for (i = 0; i < j->depth; i++)
		bs_buf_add(j->out, "  ", 2);
}

/* Called before every value or key. */
static void
sep(struct bs_json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->depth > 0) {
		if (j->count[j->depth]++)
			bs_buf_addc(j->out, ',');
		indent(j);
	}
}

static void
open_(struct bs_json *j, char c)
{
	sep(j);
	bs_buf_addc(j->out, c);
	if (j->depth + 1 < BS_JSON_MAX_DEPTH)
		j->depth++;
	j->count[j->depth] = 0;
}

static void
close_(struct bs_json *j, char c)
{
	int had = j->count[j->depth];

	j->depth--;
	if (had)
		indent(j);
	bs_buf_addc(j->out, c);
	if (j->depth == 0)
		bs_buf_addc(j->out, '\n');
}

void bs_json_obj_begin(struct bs_json *j) { open_(j, '{'); }
void bs_json_obj_end(struct bs_json *j) { close_(j, '}'); }
void bs_json_arr_begin(struct bs_json *j) { open_(j, '['); }
void bs_json_arr_end(struct bs_json *j) { close_(j, ']'); }

void
bs_json_quote(struct bs_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, start = 0;

	bs_buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[7];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		bs_buf_add(b, s + start, i - start);
		start = i + 1;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			u[0] = '\\'; u[1] = 'u'; u[2] = '0'; u[3] = '0';
			u[4] = hex[c >> 4]; u[5] = hex[c & 15]; u[6] = 0;
			esc = u;
		}
		bs_buf_adds(b, esc);
	}
	bs_buf_add(b, s + start, n - start);
	bs_buf_addc(b, '"');
}

void
bs_json_key(struct bs_json *j, const char *key)
{
	sep(j);
	bs_json_quote(j->out, key, strlen(key));
	bs_buf_add(j->out, ": ", 2);
	j->after_key = 1;
}

void
bs_json_strn(struct bs_json *j, const char *s, size_t n)
{
	sep(j);
	if (!s)
		bs_buf_adds(j->out, "null");
	else
		bs_json_quote(j->out, s, n);
}

void
bs_json_str(struct bs_json *j, const char *s)
{
	bs_json_strn(j, s, s ? strlen(s) : 0);
}

void
bs_json_int(struct bs_json *j, long long v)
{
	sep(j);
	bs_buf_addf(j->out, "%lld", v);
}

void
bs_json_uint(struct bs_json *j, unsigned long long v)
{
	sep(j);
	bs_buf_addf(j->out, "%llu", v);
}

void
bs_json_double(struct bs_json *j, double v, int decimals)
{
	sep(j);
	bs_buf_addf(j->out, "%.*f", decimals, v);
}

void
bs_json_bool(struct bs_json *j, int v)
{
	sep(j);
	bs_buf_adds(j->out, v ? "true" : "false");
}

void
bs_json_null(struct bs_json *j)
{
	sep(j);
	bs_buf_adds(j->out, "null");
}

void
bs_json_number_text(struct bs_json *j, const char *s)
{
	sep(j);
	bs_buf_adds(j->out, s);
}

void bs_json_kv_str(struct bs_json *j, const char *k, const char *v) { bs_json_key(j, k); bs_json_str(j, v); }
void bs_json_kv_int(struct bs_json *j, const char *k, long long v) { bs_json_key(j, k); bs_json_int(j, v); }
void bs_json_kv_uint(struct bs_json *j, const char *k, unsigned long long v) { bs_json_key(j, k); bs_json_uint(j, v); }
void bs_json_kv_bool(struct bs_json *j, const char *k, int v) { bs_json_key(j, k); bs_json_bool(j, v); }

/* ---- reader ---- */

struct jp {
	const char *p, *start, *end;
	const char *name;
	struct bs_err *err;
	int depth;
};

static int
jp_fail(struct jp *jp, const char *what)
{
	const char *q;
	unsigned long line = 1, col = 1;

	for (q = jp->start; q < jp->p && q < jp->end; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else
			col++;
	}
	return bs_err_set(jp->err, BS_EXIT_DATAERR, "%s: line %lu, column %lu: %s",
	    jp->name, line, col, what);
}

static void
jp_ws(struct jp *jp)
{
	while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\n' ||
	    *jp->p == '\r' || *jp->p == '\t'))
		jp->p++;
}

static void
put_utf8(struct bs_buf *b, unsigned long cp)
{
	char u[4];

	if (cp < 0x80) {
		bs_buf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		bs_buf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		bs_buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		bs_buf_add(b, u, 4);
	}
}

static int
hex4(const char *p, unsigned long *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		int c = p[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (unsigned long)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (unsigned long)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

static int
jp_string(struct jp *jp, char **out, size_t *len)
{
	struct bs_buf b = BS_BUF_INIT(0);

	jp->p++;	/* opening quote */
	while (jp->p < jp->end && *jp->p != '"') {
		unsigned char c = (unsigned char)*jp->p;

		if (c < 0x20) {
			bs_buf_release(&b);
			return jp_fail(jp, "control character in string");
		}
		if (c != '\\') {
			bs_buf_addc(&b, (char)c);
			jp->p++;
			continue;
		}
		if (jp->p + 1 >= jp->end) {
			jp->p = jp->end;	/* a final backslash escapes nothing */
			break;
		}
		jp->p++;
		switch (*jp->p) {
		case '"': bs_buf_addc(&b, '"'); break;
		case '\\': bs_buf_addc(&b, '\\'); break;
		case '/': bs_buf_addc(&b, '/'); break;
		case 'b': bs_buf_addc(&b, '\b'); break;
		case 'f': bs_buf_addc(&b, '\f'); break;
		case 'n': bs_buf_addc(&b, '\n'); break;
		case 'r': bs_buf_addc(&b, '\r'); break;
		case 't': bs_buf_addc(&b, '\t'); break;
		case 'u': {
			unsigned long cp, lo;

			if (jp->end - jp->p < 5 || hex4(jp->p + 1, &cp) < 0) {
				bs_buf_release(&b);
				return jp_fail(jp, "bad \\u escape");
			}
			/* UTF-16 surrogates only make a character as a pair */
			if (cp >= 0xD800 && cp < 0xE000 && (cp >= 0xDC00 ||
			    jp->end - jp->p < 11 || jp->p[5] != '\\' ||
			    jp->p[6] != 'u' || hex4(jp->p + 7, &lo) < 0 ||
			    lo < 0xDC00 || lo >= 0xE000)) {
				bs_buf_release(&b);
				return jp_fail(jp, "bad \\u escape: unpaired surrogate");
			}
			jp->p += 4;
			if (cp >= 0xD800 && cp < 0xDC00) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				jp->p += 6;
			}
			put_utf8(&b, cp);
			break;
		}
		default:
			bs_buf_release(&b);
			return jp_fail(jp, "bad escape in string");
		}
		jp->p++;
	}
	if (jp->p >= jp->end) {
		bs_buf_release(&b);
		return jp_fail(jp, "unterminated string");
	}
	jp->p++;
	*out = bs_buf_detach(&b, len);
	return 0;
}

/* Digits at p; how many. */
static size_t
jp_digits(struct jp *jp)
{
	const char *s = jp->p;

	while (jp->p < jp->end && isdigit((unsigned char)*jp->p))
		jp->p++;
	return (size_t)(jp->p - s);
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?  (RFC 8259); -1 if bad. */
static int
jp_number(struct jp *jp)
{
	if (jp->p < jp->end && *jp->p == '-')
		jp->p++;
	if (jp->p < jp->end && *jp->p == '0')
		jp->p++;
	else if (!jp_digits(jp))
		return -1;
	if (jp->p < jp->end && *jp->p == '.') {
		jp->p++;
		if (!jp_digits(jp))
			return -1;
	}
	if (jp->p < jp->end && (*jp->p == 'e' || *jp->p == 'E')) {
		jp->p++;
		if (jp->p < jp->end && (*jp->p == '+' || *jp->p == '-'))
			jp->p++;
		if (!jp_digits(jp))
			return -1;
	}
	return 0;
}

static int jp_value(struct jp *jp, struct bs_jval *v);

static int
jp_value(struct jp *jp, struct bs_jval *v)
{
	memset(v, 0, sizeof(*v));
	jp_ws(jp);
	if (jp->p >= jp->end)
		return jp_fail(jp, "unexpected end of input");
	if (++jp->depth > 200)
		return jp_fail(jp, "nesting too deep");
	switch (*jp->p) {
	case '{': {
		size_t alloc = 0;

		v->type = BS_JOBJ;
		jp->p++;
		jp_ws(jp);
		if (jp->p < jp->end && *jp->p == '}') {
			jp->p++;
			break;
		}
		for (;;) {
			char *k;
			size_t kl;

			jp_ws(jp);
			if (jp->p >= jp->end || *jp->p != '"')
				return jp_fail(jp, "expected a member name");
			if (jp_string(jp, &k, &kl) < 0)
				return -1;
			BS_ALLOC_GROW(v->items, v->n + 1, alloc);
			v->keys = bs_xreallocarray(v->keys, alloc, sizeof(*v->keys));
			v->keys[v->n] = k;
			memset(&v->items[v->n], 0, sizeof(v->items[0]));
			v->n++;
			jp_ws(jp);
			if (jp->p >= jp->end || *jp->p != ':')
				return jp_fail(jp, "expected ':'");
			jp->p++;
			if (jp_value(jp, &v->items[v->n - 1]) < 0)
				return -1;
			jp_ws(jp);
			if (jp->p < jp->end && *jp->p == ',') {
				jp->p++;
				continue;
			}
			if (jp->p < jp->end && *jp->p == '}') {
				jp->p++;
				break;
			}
			return jp_fail(jp, "expected ',' or '}'");
		}
		break;
	}
	case '[': {
		size_t alloc = 0;

		v->type = BS_JARR;
		jp->p++;
		jp_ws(jp);
		if (jp->p < jp->end && *jp->p == ']') {
			jp->p++;
			break;
		}
		for (;;) {
			BS_ALLOC_GROW(v->items, v->n + 1, alloc);
			memset(&v->items[v->n], 0, sizeof(v->items[0]));
			v->n++;
			if (jp_value(jp, &v->items[v->n - 1]) < 0)
				return -1;
			jp_ws(jp);
			if (jp->p < jp->end && *jp->p == ',') {
				jp->p++;
				continue;
			}
			if (jp->p < jp->end && *jp->p == ']') {
				jp->p++;
				break;
			}
			return jp_fail(jp, "expected ',' or ']'");
		}
		break;
	}
	case '"':
		v->type = BS_JSTR;
		if (jp_string(jp, &v->s, &v->len) < 0)
			return -1;
		break;
	case 't':
	case 'f':
	case 'n': {
		static const char *const words[] = { "true", "false", "null" };
		int i;

		for (i = 0; i < 3; i++) {
			size_t wl = strlen(words[i]);

			if ((size_t)(jp->end - jp->p) >= wl && !memcmp(jp->p, words[i], wl)) {
				jp->p += wl;
				v->type = i == 2 ? BS_JNULL : BS_JBOOL;
				v->b = i == 0;
				break;
			}
		}
		if (i == 3)
			return jp_fail(jp, "unexpected word");
		break;
	}
	default: {
		const char *s = jp->p;

		if (*s != '-' && !isdigit((unsigned char)*s))
			return jp_fail(jp, "unexpected character");
		if (jp_number(jp) < 0) {
			jp->p = s;
			return jp_fail(jp, "bad number");
		}
		v->type = BS_JNUM;
		v->s = bs_xstrndup(s, (size_t)(jp->p - s));
		v->len = (size_t)(jp->p - s);
	}
	}
	jp->depth--;
	return 0;
}

int
bs_json_parse(const char *data, size_t len, const char *name,
    struct bs_jval **out, struct bs_err *err)
{
	struct jp jp = { data, data, data + len, name, err, 0 };
	struct bs_jval *v = bs_xcalloc(1, sizeof(*v));

	if (jp_value(&jp, v) < 0) {
		bs_jval_free(v);
		return -1;
	}
	jp_ws(&jp);
	if (jp.p != jp.end) {
		bs_jval_free(v);
		return jp_fail(&jp, "trailing characters after the value");
	}
	*out = v;
	return 0;
}

int
bs_json_load(const char *path, struct bs_jval **out, struct bs_err *err)
{
	struct bs_buf b = BS_BUF_INIT(256u << 20);
	char chunk[65536];
	size_t n;
	FILE *fp = fopen(path, "rb");
	int rc;

	if (!fp)
		return bs_err_set(err, errno == ENOENT ? BS_EXIT_NOINPUT : BS_EXIT_IOERR,
		    "cannot open '%s': %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (bs_buf_add(&b, chunk, n) < 0) {
			fclose(fp);
			bs_buf_release(&b);
			return bs_err_set(err, BS_EXIT_DATAERR, "'%s' is too large", path);
		}
	if (ferror(fp)) {
		fclose(fp);
		bs_buf_release(&b);
		return bs_err_set(err, BS_EXIT_IOERR, "cannot read '%s': %s", path,
		    strerror(errno));
	}
	fclose(fp);
	rc = bs_json_parse(bs_buf_str(&b), b.len, path, out, err);
	bs_buf_release(&b);
	return rc;
}

static void
jval_release(struct bs_jval *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		jval_release(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->s);
}

void
bs_jval_free(struct bs_jval *v)
{
	if (!v)
		return;
	jval_release(v);
	free(v);
}

const struct bs_jval *
bs_jget(const struct bs_jval *obj, const char *key)
{
	size_t i;

	if (!obj || obj->type != BS_JOBJ)
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return &obj->items[i];
	return NULL;
}

const char *
bs_jstr(const struct bs_jval *v)
{
	return v && v->type == BS_JSTR ? v->s : NULL;
}

const char *
bs_jget_str(const struct bs_jval *obj, const char *key)
{
	return bs_jstr(bs_jget(obj, key));
}
