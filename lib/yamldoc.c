#include "bs.h"
#include "yamldoc.h"

static int
check_duplicates(struct bs_yaml *y, struct bs_err *err)
{
	yaml_node_t *n;

	for (n = y->doc.nodes.start; n < y->doc.nodes.top; n++) {
		yaml_node_pair_t *a, *b;

		if (n->type != YAML_MAPPING_NODE)
			continue;
		for (a = n->data.mapping.pairs.start; a < n->data.mapping.pairs.top; a++) {
			yaml_node_t *ka = yaml_document_get_node(&y->doc, a->key);

			if (!ka || ka->type != YAML_SCALAR_NODE)
				continue;
			for (b = a + 1; b < n->data.mapping.pairs.top; b++) {
				yaml_node_t *kb = yaml_document_get_node(&y->doc, b->key);

				if (kb && kb->type == YAML_SCALAR_NODE &&
				    kb->data.scalar.length == ka->data.scalar.length &&
				    memcmp(kb->data.scalar.value, ka->data.scalar.value,
					ka->data.scalar.length) == 0)
					return bs_yaml_error(y, kb, err,
					    "duplicate key '%s' (first at line %lu)",
					    (const char *)kb->data.scalar.value,
					    (unsigned long)ka->start_mark.line + 1);
			}
		}
	}
	return 0;
}

static int
load_parser(struct bs_yaml *y, yaml_parser_t *p, struct bs_err *err)
{
	if (!yaml_parser_load(p, &y->doc)) {
		bs_err_set(err, BS_EXIT_CONFIG, "%s:%lu:%lu: %s%s%s", y->path,
		    (unsigned long)p->problem_mark.line + 1,
		    (unsigned long)p->problem_mark.column + 1,
		    p->problem ? p->problem : "syntax error",
		    p->context ? " " : "", p->context ? p->context : "");
		yaml_parser_delete(p);
		bs_yaml_free(y);
		return -1;
	}
	yaml_parser_delete(p);
	y->loaded = 1;
	if (check_duplicates(y, err) < 0) {
		bs_yaml_free(y);
		return -1;
	}
	return 0;
}

int
bs_yaml_load_mem(struct bs_yaml *y, const char *name, const char *data,
    size_t len, struct bs_err *err)
{
	yaml_parser_t p;

	memset(y, 0, sizeof(*y));
	y->path = bs_xstrdup(name);
	if (!yaml_parser_initialize(&p)) {
		bs_yaml_free(y);
		return bs_err_set(err, BS_EXIT_SOFTWARE, "cannot initialise YAML parser");
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	return load_parser(y, &p, err);
}

int
bs_yaml_load(struct bs_yaml *y, const char *path, struct bs_err *err)
{
	yaml_parser_t p;
	FILE *fp;
	int rc;

	memset(y, 0, sizeof(*y));
	fp = fopen(path, "rb");
	if (!fp)
		return bs_err_set(err, errno == ENOENT ? BS_EXIT_NOINPUT : BS_EXIT_IOERR,
		    "cannot open '%s': %s", path, strerror(errno));
	y->path = bs_xstrdup(path);
	if (!yaml_parser_initialize(&p)) {
		fclose(fp);
		bs_yaml_free(y);
		return bs_err_set(err, BS_EXIT_SOFTWARE, "cannot initialise YAML parser");
	}
	yaml_parser_set_input_file(&p, fp);
	rc = load_parser(y, &p, err);
	fclose(fp);
	return rc;
}

void
bs_yaml_free(struct bs_yaml *y)
{
	if (!y)
		return;
	if (y->loaded)
		yaml_document_delete(&y->doc);
	y->loaded = 0;
	free(y->path);
	y->path = NULL;
}

yaml_node_t *
bs_yaml_root(struct bs_yaml *y)
{
	yaml_node_t *r = y->loaded ? yaml_document_get_root_node(&y->doc) : NULL;

	/* an empty document or a bare "~" counts as empty */
	if (r && r->type == YAML_SCALAR_NODE && (r->data.scalar.length == 0 ||
	    strcmp((const char *)r->data.scalar.value, "~") == 0))
		return NULL;
	return r;
}

yaml_node_t *
bs_yaml_get(struct bs_yaml *y, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;
	size_t kl = strlen(key);

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&y->doc, p->key);

		if (k && k->type == YAML_SCALAR_NODE && k->data.scalar.length == kl &&
		    memcmp(k->data.scalar.value, key, kl) == 0)
			return yaml_document_get_node(&y->doc, p->value);
	}
	return NULL;
}

const char *
bs_yaml_str(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

size_t
bs_yaml_len(const yaml_node_t *n)
{
	if (!n)
		return 0;
	if (n->type == YAML_SEQUENCE_NODE)
		return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (n->type == YAML_MAPPING_NODE)
		return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	return 0;
}

yaml_node_t *
bs_yaml_item(struct bs_yaml *y, yaml_node_t *seq, size_t i)
{
	if (!seq || seq->type != YAML_SEQUENCE_NODE || i >= bs_yaml_len(seq))
		return NULL;
	return yaml_document_get_node(&y->doc, seq->data.sequence.items.start[i]);
}

void
bs_yaml_pair(struct bs_yaml *y, yaml_node_t *map, size_t i, yaml_node_t **key,
    yaml_node_t **value)
{
	yaml_node_pair_t *p = map->data.mapping.pairs.start + i;

	*key = yaml_document_get_node(&y->doc, p->key);
	*value = yaml_document_get_node(&y->doc, p->value);
}

int
bs_yaml_error(const struct bs_yaml *y, const yaml_node_t *n, struct bs_err *err,
    const char *fmt, ...)
{
	char msg[BS_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!n)
		return bs_err_set(err, BS_EXIT_CONFIG, "%s: %s", y->path, msg);
	return bs_err_set(err, BS_EXIT_CONFIG, "%s:%lu:%lu: %s", y->path,
	    (unsigned long)n->start_mark.line + 1,
	    (unsigned long)n->start_mark.column + 1, msg);
}

int
bs_yaml_get_str(struct bs_yaml *y, yaml_node_t *map, const char *key,
    const char **out, struct bs_err *err)
{
	yaml_node_t *v = bs_yaml_get(y, map, key);

	if (!v)
		return 1;
	if (v->type != YAML_SCALAR_NODE)
		return bs_yaml_error(y, v, err, "'%s' must be a single value", key);
	*out = bs_yaml_str(v);
	return 0;
}

int
bs_yaml_need_str(struct bs_yaml *y, yaml_node_t *map, const char *key,
    const char **out, struct bs_err *err)
{
	int rc = bs_yaml_get_str(y, map, key, out, err);

	if (rc == 1)
		return bs_yaml_error(y, map, err, "missing required key '%s'", key);
	if (rc == 0 && !**out)
		return bs_yaml_error(y, bs_yaml_get(y, map, key), err,
		    "'%s' must not be empty", key);
	return rc;
}

int
bs_yaml_get_long(struct bs_yaml *y, yaml_node_t *map, const char *key,
    long *out, struct bs_err *err)
{
	const char *s = "";
	char *end;
	long v;
	int rc = bs_yaml_get_str(y, map, key, &s, err);

	if (rc != 0)
		return rc;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end)
		return bs_yaml_error(y, bs_yaml_get(y, map, key), err,
		    "'%s' must be a whole number, not '%s'", key, s);
	*out = v;
	return 0;
}

int
bs_yaml_get_bool(struct bs_yaml *y, yaml_node_t *map, const char *key,
    int *out, struct bs_err *err)
{
	const char *s = "";
	int rc = bs_yaml_get_str(y, map, key, &s, err);

	if (rc != 0)
		return rc;
	if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on"))
		*out = 1;
	else if (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off"))
		*out = 0;
	else
		return bs_yaml_error(y, bs_yaml_get(y, map, key), err,
		    "'%s' must be true or false, not '%s'", key, s);
	return 0;
}

int
bs_yaml_check_keys(struct bs_yaml *y, yaml_node_t *map,
    const char *const *allowed, struct bs_err *err)
{
	size_t i, n = bs_yaml_len(map);

	if (!map || map->type != YAML_MAPPING_NODE)
		return 0;
	for (i = 0; i < n; i++) {
		yaml_node_t *k, *v;
		const char *ks;
		const char *const *a;

		bs_yaml_pair(y, map, i, &k, &v);
		ks = bs_yaml_str(k);
		if (!ks)
			return bs_yaml_error(y, k, err, "keys must be plain names");
		for (a = allowed; *a; a++)
			if (!strcmp(*a, ks))
				break;
		if (!*a)
			return bs_yaml_error(y, k, err, "unknown key '%s'", ks);
	}
	return 0;
}

int
bs_yaml_expect(const struct bs_yaml *y, const yaml_node_t *n,
    yaml_node_type_t type, const char *what, struct bs_err *err)
{
	if (n && n->type == type)
		return 0;
	return bs_yaml_error(y, n, err, "%s must be %s", what,
	    type == YAML_MAPPING_NODE ? "a mapping (key: value lines)" :
	    type == YAML_SEQUENCE_NODE ? "a list" : "a single value");
}
