/*
 * expr_lex.c - tokens of the expression language.
 *
 * SQL lexical rules: 'text' with '' for a quote, "name" with "" for a
 * double quote, -- comments to the end of the line, case-insensitive
 * keywords, :name for a run parameter, lookup.column for a column of a
 * looked-up row.  Names may hold any non-ASCII character (Chinese column
 * names), except full-width punctuation, which an input method slips in
 * easily and which gets its own message.
 */
#include "bs.h"
#include "expr_impl.h"

static const struct {
	const char *word;
	enum bs_xtok kind;
} keywords[] = {
	{ "and", BS_XT_AND }, { "or", BS_XT_OR }, { "not", BS_XT_NOT },
	{ "is", BS_XT_IS }, { "null", BS_XT_NULL }, { "in", BS_XT_IN },
	{ "between", BS_XT_BETWEEN }, { "like", BS_XT_LIKE },
	{ "escape", BS_XT_ESCAPE }, { "true", BS_XT_TRUE },
	{ "false", BS_XT_FALSE }, { "case", BS_XT_CASE }, { "when", BS_XT_WHEN },
	{ "then", BS_XT_THEN }, { "else", BS_XT_ELSE }, { "end", BS_XT_END },
	{ "cast", BS_XT_CAST }, { "as", BS_XT_AS },
};

/* Full-width characters that look like operators, and what to type. */
static const struct {
	uint32_t cp;
	const char *use;
} fullwidth[] = {
	{ 0xFF08, "(" }, { 0xFF09, ")" }, { 0xFF0C, "," }, { 0x3000, " " },
	{ 0x2018, "'" }, { 0x2019, "'" }, { 0x201C, "\"" }, { 0x201D, "\"" },
	{ 0xFF1D, "=" }, { 0xFF1C, "<" }, { 0xFF1E, ">" }, { 0xFF01, "!" },
	{ 0xFF5E, "~" }, { 0xFF0B, "+" }, { 0xFF0D, "-" }, { 0xFF0A, "*" },
	{ 0xFF0F, "/" }, { 0xFF1B, ";" }, { 0x3001, "," }, { 0xFF5C, "|" },
};

const char *
bs_xtok_name(enum bs_xtok k)
{
	static const char *names[] = {
		[BS_XT_EOF] = "end of expression", [BS_XT_IDENT] = "name",
		[BS_XT_QIDENT] = "quoted name", [BS_XT_NUMBER] = "number",
		[BS_XT_STRING] = "text literal", [BS_XT_LPAREN] = "'('",
		[BS_XT_RPAREN] = "')'", [BS_XT_COMMA] = "','", [BS_XT_EQ] = "'='",
		[BS_XT_NE] = "'<>'", [BS_XT_LT] = "'<'", [BS_XT_LE] = "'<='",
		[BS_XT_GT] = "'>'", [BS_XT_GE] = "'>='", [BS_XT_PLUS] = "'+'",
		[BS_XT_MINUS] = "'-'", [BS_XT_STAR] = "'*'", [BS_XT_SLASH] = "'/'",
		[BS_XT_CONCAT] = "'||'", [BS_XT_MATCH] = "'~'",
		[BS_XT_NOMATCH] = "'!~'", [BS_XT_AND] = "'and'",
		[BS_XT_OR] = "'or'", [BS_XT_NOT] = "'not'", [BS_XT_IS] = "'is'",
		[BS_XT_NULL] = "'null'", [BS_XT_IN] = "'in'",
		[BS_XT_BETWEEN] = "'between'", [BS_XT_LIKE] = "'like'",
		[BS_XT_ESCAPE] = "'escape'", [BS_XT_TRUE] = "'true'",
		[BS_XT_FALSE] = "'false'", [BS_XT_CASE] = "'case'",
		[BS_XT_WHEN] = "'when'", [BS_XT_THEN] = "'then'",
		[BS_XT_ELSE] = "'else'", [BS_XT_END] = "'end'",
		[BS_XT_CAST] = "'cast'", [BS_XT_AS] = "'as'",
		[BS_XT_PARAM] = "parameter",
	};

	return (size_t)k < BS_ARRAY_SIZE(names) && names[k] ? names[k] : "token";
}

void
bs_xpos(const char *src, size_t len, size_t off, struct bs_expr_pos *pos)
{
	int line = 1, col = 1;

	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == '\n') {
			line++;
			col = 1;
		} else if ((c & 0xC0) != 0x80) {
			col++;
		}
	}
	pos->line = line;
	pos->column = col;
}

/* Decode one UTF-8 character; returns its length, 0 if invalid. */
static size_t
u8dec(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len;
	uint32_t c;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xC2 && u[0] <= 0xDF) {
		len = 2;
		c = u[0] & 0x1F;
	} else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
		len = 3;
		c = u[0] & 0x0F;
	} else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
		len = 4;
		c = u[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3F);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

static int
lex_err(struct bs_err *err, size_t *erroff, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
lex_err(struct bs_err *err, size_t *erroff, size_t off, const char *fmt, ...)
{
	va_list ap;

	*erroff = off;
	va_start(ap, fmt);
	bs_err_vset(err, BS_EXIT_CONFIG, fmt, ap);
	va_end(ap);
	return -1;
}

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Length of the character at s if it may be part of a name: ASCII letters,
 * digits (if digits_ok), '_' and non-ASCII letters; 0 otherwise.  Sets
 * *bad to the full-width entry index or -2 for invalid UTF-8.
 */
static size_t
name_char(const char *s, size_t n, int digits_ok, int *bad)
{
	uint32_t cp;
	size_t l;

	*bad = -1;
	if (is_alpha(*s) || (digits_ok && is_digit(*s)))
		return 1;
	if ((unsigned char)*s < 0x80)
		return 0;
	l = u8dec(s, n, &cp);
	if (!l) {
		*bad = -2;
		return 0;
	}
	for (size_t i = 0; i < BS_ARRAY_SIZE(fullwidth); i++) {
		if (fullwidth[i].cp == cp) {
			*bad = (int)i;
			return 0;
		}
	}
	/* other non-letters that cannot start or continue a name */
	if (cp == 0x00A0 || cp == 0xFEFF || (cp >= 0x2000 && cp <= 0x200F))
		return 0;
	return l;
}

static void
push(struct bs_xtokens *t, enum bs_xtok kind, size_t off, size_t len)
{
	BS_ALLOC_GROW(t->v, t->n + 1, t->alloc);
	memset(&t->v[t->n], 0, sizeof(t->v[t->n]));
	t->v[t->n].kind = kind;
	t->v[t->n].off = off;
	t->v[t->n].len = len;
	t->n++;
}

/* Quoted string or name starting at src[i] == q; sets the token text. */
static int
quoted(const char *src, size_t len, size_t *ip, char q, struct bs_xtokens *t,
    size_t *erroff, struct bs_err *err)
{
	size_t i = *ip + 1, start = *ip;
	struct bs_buf b = BS_BUF_INIT(0);

	for (;;) {
		if (i >= len) {
			bs_buf_release(&b);
			return lex_err(err, erroff, start, q == '\'' ?
			    "unterminated text literal (a quote inside is written '')" :
			    "unterminated quoted name");
		}
		if (src[i] == q) {
			if (i + 1 < len && src[i + 1] == q) {
				bs_buf_addc(&b, q);
				i += 2;
				continue;
			}
			i++;
			break;
		}
		bs_buf_addc(&b, src[i]);
		i++;
	}
	if (q == '"' && b.len == 0)
		return lex_err(err, erroff, start, "empty quoted name");
	push(t, q == '\'' ? BS_XT_STRING : BS_XT_QIDENT, start, i - start);
	t->v[t->n - 1].text = bs_buf_detach(&b, &t->v[t->n - 1].tlen);
	*ip = i;
	return 0;
}

int
bs_xlex(const char *src, size_t len, struct bs_xtokens *t, size_t *erroff,
    struct bs_err *err)
{
	size_t i = 0;

	while (i < len) {
		char c = src[i];
		char d = i + 1 < len ? src[i + 1] : '\0';
		size_t start = i, l;
		int bad;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
			i++;
			continue;
		}
		if (c == '-' && d == '-') {
			while (i < len && src[i] != '\n')
				i++;
			continue;
		}
		if (c == '\'' || c == '"') {
			if (quoted(src, len, &i, c, t, erroff, err) < 0)
				goto fail;
			continue;
		}
		if (is_digit(c) || (c == '.' && is_digit(d))) {
			while (i < len && is_digit(src[i]))
				i++;
			if (i < len && src[i] == '.') {
				i++;
				while (i < len && is_digit(src[i]))
					i++;
			}
			if (i < len && (name_char(src + i, len - i, 1, &bad) || src[i] == '.')) {
				if ((src[i] == 'e' || src[i] == 'E') && i + 1 < len &&
				    (is_digit(src[i + 1]) || src[i + 1] == '-' || src[i + 1] == '+')) {
					lex_err(err, erroff, start, "numbers are written without an exponent ('1e3'): write the digits out");
					goto fail;
				}
				lex_err(err, erroff, start, "bad number '%.*s'",
				    (int)(i + 1 - start), src + start);
				goto fail;
			}
			push(t, BS_XT_NUMBER, start, i - start);
			continue;
		}
		if ((l = name_char(src + i, len - i, 0, &bad)) > 0) {
			struct bs_xtoken *tk;

			i += l;
			while (i < len && (l = name_char(src + i, len - i, 1, &bad)) > 0)
				i += l;
			/* a qualified name, lookup.column: one token */
			while (i + 1 < len && src[i] == '.' &&
			    name_char(src + i + 1, len - i - 1, 0, &bad) > 0) {
				i++;
				while (i < len && (l = name_char(src + i, len - i, 1, &bad)) > 0)
					i += l;
			}
			push(t, BS_XT_IDENT, start, i - start);
			tk = &t->v[t->n - 1];
			tk->text = bs_xstrndup(src + start, i - start);
			tk->tlen = i - start;
			for (size_t k = 0; k < BS_ARRAY_SIZE(keywords); k++) {
				if (strlen(keywords[k].word) == tk->tlen &&
				    strncasecmp(keywords[k].word, tk->text, tk->tlen) == 0) {
					tk->kind = keywords[k].kind;
					break;
				}
			}
			continue;
		}
		if ((unsigned char)c >= 0x80) {
			uint32_t cp;

			name_char(src + i, len - i, 0, &bad);
			if (bad >= 0) {
				if (fullwidth[bad].cp == 0x3000)
					lex_err(err, erroff, start, "full-width space in expression: use an ordinary space");
				else
					lex_err(err, erroff, start,
					    "full-width '%.*s' is not an operator: use '%s'",
					    (int)u8dec(src + i, len - i, &cp), src + i,
					    fullwidth[bad].use);
			} else if (bad == -2) {
				lex_err(err, erroff, start, "invalid UTF-8 in expression");
			} else {
				lex_err(err, erroff, start, "unexpected character '%.*s'",
				    (int)u8dec(src + i, len - i, &cp), src + i);
			}
			goto fail;
		}
		if (c == ':') {
			if (i + 1 >= len || !name_char(src + i + 1, len - i - 1, 0, &bad)) {
				lex_err(err, erroff, start, "':' starts a run parameter such as :period_end");
				goto fail;
			}
			i++;
			while (i < len && (l = name_char(src + i, len - i, 1, &bad)) > 0)
				i += l;
			push(t, BS_XT_PARAM, start, i - start);
			t->v[t->n - 1].text = bs_xstrndup(src + start + 1, i - start - 1);
			t->v[t->n - 1].tlen = i - start - 1;
			continue;
		}
		switch (c) {
		case '(':
			push(t, BS_XT_LPAREN, i++, 1);
			continue;
		case ')':
			push(t, BS_XT_RPAREN, i++, 1);
			continue;
		case ',':
			push(t, BS_XT_COMMA, i++, 1);
			continue;
		case '+':
			push(t, BS_XT_PLUS, i++, 1);
			continue;
		case '-':
			push(t, BS_XT_MINUS, i++, 1);
			continue;
		case '*':
			push(t, BS_XT_STAR, i++, 1);
			continue;
		case '/':
			push(t, BS_XT_SLASH, i++, 1);
			continue;
		case '~':
			push(t, BS_XT_MATCH, i++, 1);
			continue;
		case '=':
			if (d == '=') {
				lex_err(err, erroff, start, "'==' is written '='");
				goto fail;
			}
			push(t, BS_XT_EQ, i++, 1);
			continue;
		case '<':
			if (d == '>' || d == '=') {
				push(t, d == '>' ? BS_XT_NE : BS_XT_LE, i, 2);
				i += 2;
			} else {
				push(t, BS_XT_LT, i++, 1);
			}
			continue;
		case '>':
			if (d == '=') {
				push(t, BS_XT_GE, i, 2);
				i += 2;
			} else {
				push(t, BS_XT_GT, i++, 1);
			}
			continue;
		case '!':
			if (d == '=' || d == '~') {
				push(t, d == '=' ? BS_XT_NE : BS_XT_NOMATCH, i, 2);
				i += 2;
				continue;
			}
			lex_err(err, erroff, start, "unexpected '!' (write 'not', '<>' or '!~')");
			goto fail;
		case '|':
			if (d == '|') {
				push(t, BS_XT_CONCAT, i, 2);
				i += 2;
				continue;
			}
			lex_err(err, erroff, start, "unexpected '|' (write 'or', or '||' to join text)");
			goto fail;
		case '&':
			lex_err(err, erroff, start, "unexpected '&' (write 'and')");
			goto fail;
		default:
			if ((unsigned char)c < 0x20 || c == 0x7f)
				lex_err(err, erroff, start, "unexpected control character 0x%02x", (unsigned)(unsigned char)c);
			else
				lex_err(err, erroff, start, "unexpected character '%c'", c);
			goto fail;
		}
	}
	push(t, BS_XT_EOF, len, 0);
	return 0;
fail:
	bs_xtokens_release(t);
	return -1;
}

void
bs_xtokens_release(struct bs_xtokens *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].text);
	free(t->v);
	t->v = NULL;
	t->n = t->alloc = 0;
}
