/*
 * test_yamldoc.c - YAML definitions (lib/yamldoc.h): loading from memory
 * and from a file, scalars, nested mappings and sequences, duplicate keys
 * refused with both positions, located syntax errors, the missing-file
 * code, bs_yaml_check_keys, bs_yaml_expect and the typed getters.
 */
#include "bs.h"
#include "yamldoc.h"

#include <setjmp.h>
#include <cmocka.h>

#include "tutil.h"

static void
load_ok(struct bs_yaml *y, const char *text)
{
	struct bs_err err = BS_ERR_INIT;

	if (bs_yaml_load_mem(y, "t.yaml", text, strlen(text), &err) != 0)
		fail_msg("load failed: %s", err.msg);
}

static void
load_err(const char *text, const char *want)
{
	struct bs_yaml y;
	struct bs_err err = BS_ERR_INIT;

	assert_int_equal(bs_yaml_load_mem(&y, "t.yaml", text, strlen(text), &err), -1);
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	assert_string_equal(err.msg, want);
	/* nothing to free after a failed load; freeing anyway is harmless */
	bs_yaml_free(&y);
}

static void
t_scalars(void **state)
{
	struct bs_yaml y;
	yaml_node_t *root, *k, *v;
	const char *s = "untouched";

	(void)state;
	load_ok(&y, "a: 1\nb: hello world\nc: 保单表\nd: \"quoted: yes\"\ne: ''\nf:\n");
	root = bs_yaml_root(&y);
	assert_non_null(root);
	assert_int_equal(root->type, YAML_MAPPING_NODE);
	assert_int_equal(bs_yaml_len(root), 6);
	assert_string_equal(bs_yaml_str(bs_yaml_get(&y, root, "a")), "1");
	assert_string_equal(bs_yaml_str(bs_yaml_get(&y, root, "b")), "hello world");
	assert_string_equal(bs_yaml_str(bs_yaml_get(&y, root, "c")), "保单表");
	assert_string_equal(bs_yaml_str(bs_yaml_get(&y, root, "d")), "quoted: yes");
	assert_string_equal(bs_yaml_str(bs_yaml_get(&y, root, "e")), "");
	assert_string_equal(bs_yaml_str(bs_yaml_get(&y, root, "f")), "");
	assert_null(bs_yaml_get(&y, root, "g"));
	assert_null(bs_yaml_get(&y, root, "A"));
	assert_null(bs_yaml_get(&y, NULL, "a"));
	assert_null(bs_yaml_str(root));
	assert_null(bs_yaml_str(NULL));
	assert_int_equal(bs_yaml_len(NULL), 0);
	assert_int_equal(bs_yaml_len(bs_yaml_get(&y, root, "a")), 0);
	bs_yaml_pair(&y, root, 2, &k, &v);
	assert_string_equal(bs_yaml_str(k), "c");
	assert_string_equal(bs_yaml_str(v), "保单表");
	/* positions are 0-based in libyaml marks */
	assert_int_equal(k->start_mark.line, 2);
	assert_int_equal(v->start_mark.column, 3);
	assert_int_equal(bs_yaml_get_str(&y, root, "zz", &s, NULL), 1);
	assert_string_equal(s, "untouched");
	bs_yaml_free(&y);
	bs_yaml_free(&y);
	bs_yaml_free(NULL);
}

static void
t_nested(void **state)
{
	struct bs_yaml y;
	yaml_node_t *root, *m, *list, *it, *flow;

	(void)state;
	load_ok(&y,
	    "# a comment\n"
	    "m:\n"
	    "  x: 1\n"
	    "  y: [a, b, 保单]\n"
	    "  z:\n"
	    "    deep: {k: v}\n"
	    "list:\n"
	    "  - {name: policy, title: 保单表}\n"
	    "  - name: claim\n"
	    "    cols:\n"
	    "      - a\n"
	    "      - b\n"
	    "  - plain\n");
	root = bs_yaml_root(&y);
	m = bs_yaml_get(&y, root, "m");
	assert_int_equal(m->type, YAML_MAPPING_NODE);
	assert_int_equal(bs_yaml_len(m), 3);
	flow = bs_yaml_get(&y, m, "y");
	assert_int_equal(flow->type, YAML_SEQUENCE_NODE);
	assert_int_equal(bs_yaml_len(flow), 3);
	assert_string_equal(bs_yaml_str(bs_yaml_item(&y, flow, 2)), "保单");
	assert_null(bs_yaml_item(&y, flow, 3));
	assert_null(bs_yaml_item(&y, m, 0));	/* not a sequence */
	assert_null(bs_yaml_item(&y, NULL, 0));
	assert_string_equal(bs_yaml_str(bs_yaml_get(&y, bs_yaml_get(&y,
	    bs_yaml_get(&y, m, "z"), "deep"), "k")), "v");
	list = bs_yaml_get(&y, root, "list");
	assert_int_equal(bs_yaml_len(list), 3);
	it = bs_yaml_item(&y, list, 0);
	assert_string_equal(bs_yaml_str(bs_yaml_get(&y, it, "title")), "保单表");
	it = bs_yaml_item(&y, list, 1);
	assert_string_equal(bs_yaml_str(bs_yaml_get(&y, it, "name")), "claim");
	assert_int_equal(bs_yaml_len(bs_yaml_get(&y, it, "cols")), 2);
	assert_int_equal(it->start_mark.line, 8);
	assert_int_equal(it->start_mark.column, 4);
	assert_string_equal(bs_yaml_str(bs_yaml_item(&y, list, 2)), "plain");
	assert_null(bs_yaml_get(&y, list, "name"));	/* not a mapping */
	bs_yaml_free(&y);
}

static void
t_empty(void **state)
{
	static const char *const empties[] = { "", "\n", "# only a comment\n",
		"~\n", "---\n", "''\n" };
	struct bs_yaml y;
	size_t i;

	(void)state;
	for (i = 0; i < BS_ARRAY_SIZE(empties); i++) {
		load_ok(&y, empties[i]);
		assert_null(bs_yaml_root(&y));
		bs_yaml_free(&y);
	}
	load_ok(&y, "x\n");
	assert_string_equal(bs_yaml_str(bs_yaml_root(&y)), "x");
	bs_yaml_free(&y);
}

static void
t_duplicates(void **state)
{
	(void)state;
	load_err("a: 1\nb: 2\na: 3\n", "t.yaml:3:1: duplicate key 'a' (first at line 1)");
	load_err("top:\n  x: 1\n  y: 2\n  x: 3\n",
	    "t.yaml:4:3: duplicate key 'x' (first at line 2)");
	load_err("list:\n  - {k: 1, j: 2, k: 3}\n",
	    "t.yaml:2:18: duplicate key 'k' (first at line 2)");
	load_err("名称: 一\n名称: 二\n", "t.yaml:2:1: duplicate key '名称' (first at line 1)");
	/* the same key in different mappings is fine, as are equal values */
	{
		struct bs_yaml y;

		load_ok(&y, "a: {k: 1}\nb: {k: 1}\nc: [k, k]\n");
		bs_yaml_free(&y);
	}
}

static void
t_syntax(void **state)
{
	(void)state;
	load_err("a: [1, 2\nb: 3\n",
	    "t.yaml:2:2: did not find expected ',' or ']' while parsing a flow sequence");
	load_err("a: b: c\n", "t.yaml:1:5: mapping values are not allowed in this context");
	load_err("a:\n\tb: 1\n",
	    "t.yaml:2:1: found character that cannot start any token while scanning for the next token");
	load_err("a: 1\n b: 2\n",
	    "t.yaml:2:3: mapping values are not allowed in this context");
	load_err("a: \"open\n",
	    "t.yaml:2:1: found unexpected end of stream while scanning a quoted scalar");
	load_err("a: *nope\n", "t.yaml:1:4: found undefined alias");
	/* columns count characters, not bytes */
	load_err("标题: 保单表: x\n",
	    "t.yaml:1:8: mapping values are not allowed in this context");
}

static void
t_file(void **state)
{
	char dir[PATH_MAX], *p, *want;
	struct bs_yaml y;
	struct bs_err err = BS_ERR_INIT;

	(void)state;
	tu_mkdtemp(dir);
	p = tu_write(dir, "ok.yaml", "institution: {code: \"000001\", name: 示例}\n");
	assert_int_equal(bs_yaml_load(&y, p, &err), 0);
	assert_string_equal(y.path, p);
	assert_string_equal(bs_yaml_str(bs_yaml_get(&y, bs_yaml_get(&y,
	    bs_yaml_root(&y), "institution"), "code")), "000001");
	bs_yaml_free(&y);
	free(p);

	p = tu_write(dir, "dup.yaml", "a: 1\n\n\na: 2\n");
	assert_int_equal(bs_yaml_load(&y, p, &err), -1);
	want = bs_xasprintf("%s:4:1: duplicate key 'a' (first at line 1)", p);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	free(want);
	free(p);

	p = tu_write(dir, "bad.yaml", "x: 1\ny: [\n");
	assert_int_equal(bs_yaml_load(&y, p, &err), -1);
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	want = bs_xasprintf("%s:3:1: ", p);
	assert_memory_equal(err.msg, want, strlen(want));
	free(want);
	free(p);

	p = bs_xasprintf("%s/missing.yaml", dir);
	assert_int_equal(bs_yaml_load(&y, p, &err), -1);
	assert_int_equal(err.code, BS_EXIT_NOINPUT);
	want = bs_xasprintf("cannot open '%s': No such file or directory", p);
	assert_string_equal(err.msg, want);
	free(want);
	free(p);
	tu_rm_rf(dir);
}

static void
t_check_keys(void **state)
{
	static const char *const allowed[] = { "name", "title", "query", NULL };
	struct bs_yaml y;
	struct bs_err err = BS_ERR_INIT;
	yaml_node_t *root;

	(void)state;
	load_ok(&y, "name: a\ntitle: b\n");
	assert_int_equal(bs_yaml_check_keys(&y, bs_yaml_root(&y), allowed, &err), 0);
	bs_yaml_free(&y);

	load_ok(&y, "name: a\ntables:\n  - name: x\n    qeury: x.sql\n");
	root = bs_yaml_root(&y);
	assert_int_equal(bs_yaml_check_keys(&y, root, allowed, &err), -1);
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	assert_string_equal(err.msg, "t.yaml:2:1: unknown key 'tables'");
	assert_int_equal(bs_yaml_check_keys(&y, bs_yaml_item(&y,
	    bs_yaml_get(&y, root, "tables"), 0), allowed, &err), -1);
	assert_string_equal(err.msg, "t.yaml:4:5: unknown key 'qeury'");
	/* not a mapping: nothing to check */
	assert_int_equal(bs_yaml_check_keys(&y, bs_yaml_get(&y, root, "tables"),
	    allowed, &err), 0);
	assert_int_equal(bs_yaml_check_keys(&y, NULL, allowed, &err), 0);
	bs_yaml_free(&y);

	load_ok(&y, "name: a\n? [x, y]\n: 1\n");
	assert_int_equal(bs_yaml_check_keys(&y, bs_yaml_root(&y), allowed, &err), -1);
	assert_string_equal(err.msg, "t.yaml:2:3: keys must be plain names");
	bs_yaml_free(&y);
}

static void
t_getters(void **state)
{
	struct bs_yaml y;
	struct bs_err err = BS_ERR_INIT;
	yaml_node_t *root;
	const char *s = NULL;
	long n = 7;
	int b = 7;

	(void)state;
	load_ok(&y,
	    "s: text\n"
	    "m: {a: 1}\n"
	    "l: [1]\n"
	    "n: -42\n"
	    "x: 12x\n"
	    "big: 99999999999999999999\n"
	    "e: ''\n"
	    "t1: true\nt2: yes\nt3: on\nf1: false\nf2: no\nf3: off\n"
	    "maybe: maybe\n"
	    "T: True\n");
	root = bs_yaml_root(&y);

	assert_int_equal(bs_yaml_get_str(&y, root, "s", &s, &err), 0);
	assert_string_equal(s, "text");
	assert_int_equal(bs_yaml_get_str(&y, root, "m", &s, &err), -1);
	assert_string_equal(err.msg, "t.yaml:2:4: 'm' must be a single value");
	assert_int_equal(bs_yaml_get_str(&y, root, "l", &s, &err), -1);
	assert_string_equal(err.msg, "t.yaml:3:4: 'l' must be a single value");

	assert_int_equal(bs_yaml_get_long(&y, root, "n", &n, &err), 0);
	assert_int_equal(n, -42);
	n = 7;
	assert_int_equal(bs_yaml_get_long(&y, root, "absent", &n, &err), 1);
	assert_int_equal(n, 7);
	assert_int_equal(bs_yaml_get_long(&y, root, "x", &n, &err), -1);
	assert_string_equal(err.msg, "t.yaml:5:4: 'x' must be a whole number, not '12x'");
	assert_int_equal(bs_yaml_get_long(&y, root, "big", &n, &err), -1);
	assert_string_equal(err.msg,
	    "t.yaml:6:6: 'big' must be a whole number, not '99999999999999999999'");
	assert_int_equal(bs_yaml_get_long(&y, root, "e", &n, &err), -1);
	assert_string_equal(err.msg, "t.yaml:7:4: 'e' must be a whole number, not ''");
	assert_int_equal(bs_yaml_get_long(&y, root, "m", &n, &err), -1);
	assert_string_equal(err.msg, "t.yaml:2:4: 'm' must be a single value");
	assert_int_equal(n, 7);

	assert_int_equal(bs_yaml_get_bool(&y, root, "t1", &b, &err), 0);
	assert_int_equal(b, 1);
	b = 0;
	assert_int_equal(bs_yaml_get_bool(&y, root, "t2", &b, &err), 0);
	assert_int_equal(b, 1);
	b = 0;
	assert_int_equal(bs_yaml_get_bool(&y, root, "t3", &b, &err), 0);
	assert_int_equal(b, 1);
	assert_int_equal(bs_yaml_get_bool(&y, root, "f1", &b, &err), 0);
	assert_int_equal(b, 0);
	b = 1;
	assert_int_equal(bs_yaml_get_bool(&y, root, "f2", &b, &err), 0);
	assert_int_equal(b, 0);
	b = 1;
	assert_int_equal(bs_yaml_get_bool(&y, root, "f3", &b, &err), 0);
	assert_int_equal(b, 0);
	b = 7;
	assert_int_equal(bs_yaml_get_bool(&y, root, "absent", &b, &err), 1);
	assert_int_equal(b, 7);
	assert_int_equal(bs_yaml_get_bool(&y, root, "maybe", &b, &err), -1);
	assert_string_equal(err.msg, "t.yaml:14:8: 'maybe' must be true or false, not 'maybe'");
	assert_int_equal(bs_yaml_get_bool(&y, root, "T", &b, &err), -1);
	assert_string_equal(err.msg, "t.yaml:15:4: 'T' must be true or false, not 'True'");
	assert_int_equal(b, 7);

	assert_int_equal(bs_yaml_need_str(&y, root, "s", &s, &err), 0);
	assert_string_equal(s, "text");
	assert_int_equal(bs_yaml_need_str(&y, root, "absent", &s, &err), -1);
	assert_string_equal(err.msg, "t.yaml:1:1: missing required key 'absent'");
	assert_int_equal(bs_yaml_need_str(&y, root, "e", &s, &err), -1);
	assert_string_equal(err.msg, "t.yaml:7:4: 'e' must not be empty");
	assert_int_equal(bs_yaml_need_str(&y, bs_yaml_get(&y, root, "m"), "b", &s, &err), -1);
	assert_string_equal(err.msg, "t.yaml:2:4: missing required key 'b'");
	assert_int_equal(bs_yaml_need_str(&y, root, "l", &s, &err), -1);
	assert_string_equal(err.msg, "t.yaml:3:4: 'l' must be a single value");
	bs_yaml_free(&y);
}

static void
t_expect_error(void **state)
{
	struct bs_yaml y;
	struct bs_err err = BS_ERR_INIT;
	yaml_node_t *root;

	(void)state;
	load_ok(&y, "tables:\n  a: 1\nparams: [x]\nname: n\n");
	root = bs_yaml_root(&y);
	assert_int_equal(bs_yaml_expect(&y, root, YAML_MAPPING_NODE, "a report", &err), 0);
	assert_int_equal(bs_yaml_expect(&y, bs_yaml_get(&y, root, "tables"),
	    YAML_SEQUENCE_NODE, "'tables'", &err), -1);
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	assert_string_equal(err.msg, "t.yaml:2:3: 'tables' must be a list");
	assert_int_equal(bs_yaml_expect(&y, bs_yaml_get(&y, root, "params"),
	    YAML_MAPPING_NODE, "'params'", &err), -1);
	assert_string_equal(err.msg, "t.yaml:3:9: 'params' must be a mapping (key: value lines)");
	assert_int_equal(bs_yaml_expect(&y, root, YAML_SCALAR_NODE, "'x'", &err), -1);
	assert_string_equal(err.msg, "t.yaml:1:1: 'x' must be a single value");
	/* no node: the file without a position */
	assert_int_equal(bs_yaml_expect(&y, NULL, YAML_MAPPING_NODE, "the root", &err), -1);
	assert_string_equal(err.msg, "t.yaml: the root must be a mapping (key: value lines)");
	assert_int_equal(bs_yaml_error(&y, NULL, &err, "empty %s", "file"), -1);
	assert_string_equal(err.msg, "t.yaml: empty file");
	assert_int_equal(bs_yaml_error(&y, bs_yaml_get(&y, root, "name"), &err,
	    "bad name '%s'", "n"), -1);
	assert_string_equal(err.msg, "t.yaml:4:7: bad name 'n'");
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	bs_yaml_free(&y);
}

/*
 * The header's own example returns right after a failed load without
 * bs_yaml_free(): a failed load must therefore hold nothing.
 */
static void
t_failed_load_holds_nothing(void **state)
{
	static const char *const bad[] = { "a: 1\na: 2\n", "a: [\n" };
	char dir[PATH_MAX], *p;
	struct bs_yaml y;
	struct bs_err err = BS_ERR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < BS_ARRAY_SIZE(bad); i++) {
		assert_int_equal(bs_yaml_load_mem(&y, "t.yaml", bad[i], strlen(bad[i]),
		    &err), -1);
		assert_null(y.path);
		assert_int_equal(y.loaded, 0);
	}
	tu_mkdtemp(dir);
	p = bs_xasprintf("%s/missing.yaml", dir);
	assert_int_equal(bs_yaml_load(&y, p, &err), -1);
	assert_null(y.path);
	assert_int_equal(y.loaded, 0);
	free(p);
	p = tu_write(dir, "dup.yaml", "a: 1\na: 2\n");
	assert_int_equal(bs_yaml_load(&y, p, &err), -1);
	assert_null(y.path);
	assert_int_equal(y.loaded, 0);
	free(p);
	tu_rm_rf(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_scalars),
		cmocka_unit_test(t_nested),
		cmocka_unit_test(t_empty),
		cmocka_unit_test(t_duplicates),
		cmocka_unit_test(t_syntax),
		cmocka_unit_test(t_file),
		cmocka_unit_test(t_check_keys),
		cmocka_unit_test(t_getters),
		cmocka_unit_test(t_expect_error),
		cmocka_unit_test(t_failed_load_holds_nothing),
	};

	return cmocka_run_group_tests_name("yamldoc", tests, NULL, NULL);
}
