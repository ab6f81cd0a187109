/*
 * yamldoc.h - YAML definitions (workspace configuration, report definitions,
 * rule files, layouts, jobs) loaded with libyaml into a node tree, with
 * every error located as "file:line:column: message" (exit class 78).
 *
 * The tree lives as long as the struct bs_yaml; node pointers are borrowed.
 * Duplicate mapping keys are refused at load time (libyaml accepts them).
 *
 *	struct bs_yaml y;
 *	if (bs_yaml_load(&y, "baosong.yaml", &err) < 0) return -1;
 *	yaml_node_t *code = bs_yaml_get(&y, bs_yaml_root(&y), "institution");
 *	...
 *	bs_yaml_free(&y);
 */
#ifndef BS_YAML_H
#define BS_YAML_H

#include <yaml.h>

struct bs_yaml {
	char *path;		/* as given, for messages */
	yaml_document_t doc;
	int loaded;
};

/*
 * Load path; -1 with err: 66 when missing, 78 for syntax errors and
 * duplicate keys.  After a failure y holds nothing (bs_yaml_free() is
 * allowed but not needed).
 */
int bs_yaml_load(struct bs_yaml *y, const char *path, struct bs_err *err);
/* Load from memory (name is used in messages). */
int bs_yaml_load_mem(struct bs_yaml *y, const char *name, const char *data,
    size_t len, struct bs_err *err);
void bs_yaml_free(struct bs_yaml *y);

/* Root node, NULL for an empty document. */
yaml_node_t *bs_yaml_root(struct bs_yaml *y);
/* Value of key in a mapping node, NULL if absent or map is not a mapping. */
yaml_node_t *bs_yaml_get(struct bs_yaml *y, yaml_node_t *map, const char *key);
/* Scalar text (NUL-terminated), NULL if the node is not a scalar. */
const char *bs_yaml_str(const yaml_node_t *n);
/* Number of items of a sequence or pairs of a mapping; 0 otherwise. */
size_t bs_yaml_len(const yaml_node_t *n);
/* Item i of a sequence. */
yaml_node_t *bs_yaml_item(struct bs_yaml *y, yaml_node_t *seq, size_t i);
/* Pair i of a mapping: key and value nodes. */
void bs_yaml_pair(struct bs_yaml *y, yaml_node_t *map, size_t i,
    yaml_node_t **key, yaml_node_t **value);

/* Fill err with "file:line:column: message" at node n (code 78); -1. */
int bs_yaml_error(const struct bs_yaml *y, const yaml_node_t *n,
    struct bs_err *err, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Typed getters.  Each returns 0 and sets *out, 1 when the key is absent
 * (and *out untouched), or -1 with a located error when the value has the
 * wrong type.
 */
int bs_yaml_get_str(struct bs_yaml *y, yaml_node_t *map, const char *key,
    const char **out, struct bs_err *err);
int bs_yaml_get_long(struct bs_yaml *y, yaml_node_t *map, const char *key,
    long *out, struct bs_err *err);
int bs_yaml_get_bool(struct bs_yaml *y, yaml_node_t *map, const char *key,
    int *out, struct bs_err *err);
/* Like bs_yaml_get_str but absence is an error naming the key. */
int bs_yaml_need_str(struct bs_yaml *y, yaml_node_t *map, const char *key,
    const char **out, struct bs_err *err);

/* Refuse keys not in allowed (NULL-terminated): "unknown key 'x'". */
int bs_yaml_check_keys(struct bs_yaml *y, yaml_node_t *map,
    const char *const *allowed, struct bs_err *err);
/* Require node to be a mapping / sequence: "expected a mapping". */
int bs_yaml_expect(const struct bs_yaml *y, const yaml_node_t *n,
    yaml_node_type_t type, const char *what, struct bs_err *err);

#endif
