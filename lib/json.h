/*
 * json.h - JSON for manifests and summaries: a streaming writer into a
 * struct bs_buf (deterministic: keys in the order written, two-space
 * indent, UTF-8 passed through, control characters escaped) and a small
 * DOM reader for reading manifests back (--rerun, later stages).
 *
 *	struct bs_buf b = BS_BUF_INIT(0);
 *	struct bs_json j;
 *	bs_json_init(&j, &b);
 *	bs_json_obj_begin(&j);
 *	bs_json_kv_str(&j, "program", "baosong-extract");
 *	bs_json_obj_end(&j);		// b.buf holds the text and a final LF
 */
#ifndef BS_JSON_H
#define BS_JSON_H

#include <stddef.h>
#include "buf.h"

#define BS_JSON_MAX_DEPTH 64

struct bs_json {
	struct bs_buf *out;
	int depth;
	int count[BS_JSON_MAX_DEPTH];	/* items written at each depth */
	int after_key;
};

void bs_json_init(struct bs_json *j, struct bs_buf *out);
void bs_json_obj_begin(struct bs_json *j);
void bs_json_obj_end(struct bs_json *j);
void bs_json_arr_begin(struct bs_json *j);
void bs_json_arr_end(struct bs_json *j);
void bs_json_key(struct bs_json *j, const char *key);
void bs_json_str(struct bs_json *j, const char *s);	/* NULL writes null */
void bs_json_strn(struct bs_json *j, const char *s, size_t n);
void bs_json_int(struct bs_json *j, long long v);
void bs_json_uint(struct bs_json *j, unsigned long long v);
void bs_json_double(struct bs_json *j, double v, int decimals);
void bs_json_bool(struct bs_json *j, int v);
void bs_json_null(struct bs_json *j);
/* A number already formatted as exact text (e.g. a decimal amount). */
void bs_json_number_text(struct bs_json *j, const char *s);

void bs_json_kv_str(struct bs_json *j, const char *k, const char *v);
void bs_json_kv_int(struct bs_json *j, const char *k, long long v);
void bs_json_kv_uint(struct bs_json *j, const char *k, unsigned long long v);
void bs_json_kv_bool(struct bs_json *j, const char *k, int v);

/* Append s as a JSON string literal (with quotes) to b. */
void bs_json_quote(struct bs_buf *b, const char *s, size_t n);

/* ---- reader ---- */

enum bs_jtype { BS_JNULL, BS_JBOOL, BS_JNUM, BS_JSTR, BS_JARR, BS_JOBJ };

struct bs_jval {
	enum bs_jtype type;
	int b;			/* BS_JBOOL */
	char *s;		/* BS_JSTR: decoded UTF-8; BS_JNUM: the text */
	size_t len;		/* of s */
	size_t n;		/* items (array) or members (object) */
	struct bs_jval *items;	/* n values */
	char **keys;		/* object: n keys */
};

/* Parse; -1 with err (65, "name: line L, column C: ...") on bad JSON. */
int bs_json_parse(const char *data, size_t len, const char *name,
    struct bs_jval **out, struct bs_err *err);
/* Read and parse a file (66 when missing). */
int bs_json_load(const char *path, struct bs_jval **out, struct bs_err *err);
void bs_jval_free(struct bs_jval *v);
/* Member of an object, or NULL. */
const struct bs_jval *bs_jget(const struct bs_jval *obj, const char *key);
/* String value or NULL (not a string / NULL v). */
const char *bs_jstr(const struct bs_jval *v);
/* Shorthand: bs_jstr(bs_jget(obj, key)). */
const char *bs_jget_str(const struct bs_jval *obj, const char *key);

#endif
