#include "bs.h"
#include "rules.h"

#include <setjmp.h>
#include <cmocka.h>

/*
 * Each test writes its rule files into a scratch directory and loads them
 * by relative name (the process works in that directory), so messages read
 * "name.rules.yaml:line:column: message".
 */
static char tmpdir[] = "/tmp/bs-test-rules.XXXXXX";
static char oldcwd[PATH_MAX];

static void
put(const char *name, const char *content)
{
	FILE *fp = fopen(name, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(content, 1, strlen(content), fp), strlen(content));
	assert_int_equal(fclose(fp), 0);
}

static int
setup(void **state)
{
	(void)state;
	assert_non_null(getcwd(oldcwd, sizeof(oldcwd)));
	assert_non_null(mkdtemp(tmpdir));
	assert_int_equal(chdir(tmpdir), 0);
	assert_int_equal(mkdir("ref", 0777), 0);
	put("ref/codes.csv", "code,name\n01,one\n02,two\n");
	put("ref/bad.csv", "name,code\nx,1\n");
	return 0;
}

static int
teardown(void **state)
{
	char *cmd = bs_xasprintf("rm -rf '%s'", tmpdir);

	(void)state;
	assert_int_equal(chdir(oldcwd), 0);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

/* Load files; return the diagnostics, one per line (caller frees). */
static char *
load(struct bs_rules *rs, int *rc, const char *f1, const char *f2)
{
	const char *files[2] = { f1, f2 };
	struct bs_err err = BS_ERR_INIT;
	struct bs_buf b = BS_BUF_INIT(0);
	size_t i;

	*rc = bs_rules_load(rs, files, f2 ? 2 : 1, NULL, &err);
	if (*rc < 0)
		assert_int_equal(err.code, BS_EXIT_CONFIG);
	assert_int_equal(*rc < 0, rs->ndiags > 0);
	for (i = 0; i < rs->ndiags; i++)
		bs_buf_addf(&b, "%s\n", rs->diags[i]);
	return b.buf ? bs_buf_detach(&b, NULL) : bs_xstrdup("");
}

static const struct bs_rule *
rule(const struct bs_rules *rs, const char *id)
{
	size_t i;

	for (i = 0; i < rs->nrules; i++)
		if (!strcmp(rs->rules[i].id, id))
			return &rs->rules[i];
	fail_msg("no rule %s", id);
	return NULL;
}

static const char *
colname(const struct bs_rules *rs, size_t t, size_t c)
{
	return rs->tables[t].cols[c].name;
}

/* ------------------------------------------------------------------ */

static const char good[] =
    "table: policy\n"
    "key: [policy_no]\n"
    "owner: 个险业务部\n"
    "description: 保单表\n"
    "columns:\n"
    "  policy_no: text(60)\n"
    "  org_code:\n"
    "  eff_date: date\n"
    "  exp_date: date\n"
    "  status: text\n"
    "  total_premium: decimal(20,2)\n"
    "  cov_seq: integer\n"
    "sentinels: {org_code: ['000000'], status: 不适用}\n"
    "rules:\n"
    "  - {id: R030, severity: error, category: C1, message: 保单号不得为空, required: policy_no}\n"
    "  - {id: R031, severity: error, message: 管理机构不存在, owner: 机构管理部,\n"
    "     exists: org_code in org.org_code}\n"
    "  - {id: R032, severity: error, message: m, exists: \"(policy_no, cov_seq) in coverage(policy_no, cov_seq)\"}\n"
    "  - {id: R033, severity: warning, category: C5/C7, message: 终止日期早于生效日期,\n"
    "     when: \"status = '01'\", assert: exp_date >= eff_date}\n"
    "  - {id: R034, severity: error, message: m, unique: [policy_no, cov_seq]}\n"
    "  - {id: R035, severity: error, message: m, column: status, in: ['01', '02', 不适用]}\n"
    "  - {id: R036, severity: error, message: m, column: [status, org_code], in: {ref: codes}}\n"
    "  - {id: R037, severity: error, message: m, column: policy_no, pattern: 'P\\d+'}\n"
    "  - {id: R038, severity: error, message: m, column: eff_date, type: date}\n"
    "  - {id: R039, severity: error, message: m, rows: {min: 1, max: 10000000}}\n"
    "  - id: R040\n"
    "    severity: warning\n"
    "    message: 保费合计与险种保费之和不符\n"
    "    reconcile:\n"
    "      sum: total_premium\n"
    "      group_by: policy_no\n"
    "      against: {table: coverage, sum: cov_premium, group_by: policy_no,\n"
    "                where: \"main_flag = 'M'\"}\n"
    "      tolerance: 0.01\n"
    "      compare: '<='\n"
    "      groups: matched\n"
    "  - {id: R041, severity: error, message: m, reconcile: {count: rows, against: {table: org, count: org_code}}}\n"
    "  - {id: R042, severity: error, message: m, column: status, in: {ref: bad, column: code}}\n"
    "  - {id: R043, severity: error, message: m, column: status,\n"
    "     in: ['01', '02', '03', '04', '05', '06', '07', '08', '090']}\n"
    "  - {id: R044, severity: error, message: m, column: status, in: ['', '1']}\n"
    "  - {id: R045, severity: error, message: m, column: policy_no, pattern: '1[3-9][0-9]{9}'}\n"
    "  - {id: R046, severity: error, message: m, column: status,\n"
    "     in: ['0123456789abcdefg', '0123456789abcdef']}\n"
    "  - {id: R047, severity: error, message: m, column: status,\n"
    "     in: ['0123456789abcdef', '0123456789abcde', 保险]}\n";

static const char coverage[] =
    "table: coverage\n"
    "key: [policy_no, cov_seq]\n"
    "columns: {policy_no: , cov_seq: integer, cov_premium: \"decimal(20,2)\", main_flag: }\n"
    "rules: []\n";

static void
test_every_check_kind(void **state)
{
	struct bs_rules rs;
	const struct bs_rule *r;
	const struct bs_rtable *t;
	char *d;
	int rc;
	long pt, ot, ct;

	(void)state;
	put("policy.rules.yaml", good);
	put("coverage.rules.yaml", coverage);
	d = load(&rs, &rc, "policy.rules.yaml", "coverage.rules.yaml");
	assert_string_equal(d, "");
	free(d);
	assert_int_equal(rc, 0);
	assert_int_equal(rs.nrules, 18);
	pt = bs_rules_table(&rs, "policy");
	ot = bs_rules_table(&rs, "org");
	ct = bs_rules_table(&rs, "coverage");
	assert_true(pt >= 0 && ot >= 0 && ct >= 0);
	t = &rs.tables[pt];
	assert_true(t->closed && t->has_file);
	assert_int_equal(t->ncols, 7);
	assert_int_equal(t->nkey, 1);
	assert_string_equal(colname(&rs, (size_t)pt, t->key[0]), "policy_no");
	assert_int_equal(t->cols[2].type.type, BS_TYPE_DATE);
	assert_int_equal(t->cols[5].type.precision, 20);
	assert_int_equal(t->cols[5].type.scale, 2);
	assert_int_equal(t->cols[0].type.length, 60);
	assert_true(t->cols[2].checked);
	assert_false(t->cols[0].checked);
	assert_int_equal(t->cols[1].nsentinels, 1);
	assert_string_equal(t->cols[1].sentinels[0], "000000");
	assert_int_equal(t->cols[4].nsentinels, 1);
	assert_true(bs_rcol_sentinel(&t->cols[4], "不适用", strlen("不适用")));
	assert_false(bs_rcol_sentinel(&t->cols[4], "01", 2));
	/* org is known only through rules: open, with the column used */
	assert_false(rs.tables[ot].closed);
	assert_false(rs.tables[ot].has_file);
	assert_int_equal(rs.tables[ot].ncols, 1);
	assert_int_equal(rs.tables[ot].cols[0].pos.line, 17);
	assert_int_equal(rs.tables[ot].cols[0].pos.column, 30);

	r = rule(&rs, "R030");
	assert_int_equal(r->kind, BS_RULE_REQUIRED);
	assert_int_equal(r->severity, BS_SEV_ERROR);
	assert_string_equal(r->owner, "个险业务部");
	assert_string_equal(r->category, "C1");
	assert_int_equal(r->pos.line, 15);
	assert_int_equal(r->pos.column, 10);
	assert_int_equal(r->ncols, 1);
	r = rule(&rs, "R031");
	assert_int_equal(r->kind, BS_RULE_EXISTS);
	assert_string_equal(r->owner, "机构管理部");
	assert_string_equal(r->category, "");
	assert_int_equal(r->ref_table, (size_t)ot);
	assert_string_equal(colname(&rs, r->table, r->cols[0]), "org_code");
	r = rule(&rs, "R032");
	assert_int_equal(r->ncols, 2);
	assert_int_equal(r->ref_table, (size_t)ct);
	assert_string_equal(colname(&rs, r->ref_table, r->ref_cols[1]), "cov_seq");
	r = rule(&rs, "R033");
	assert_int_equal(r->kind, BS_RULE_ASSERT);
	assert_int_equal(r->severity, BS_SEV_WARNING);
	assert_string_equal(r->category, "C5/C7");
	assert_non_null(r->when);
	assert_non_null(r->expr);
	assert_int_equal(r->ncols, 2);
	assert_string_equal(colname(&rs, r->table, r->cols[0]), "exp_date");
	r = rule(&rs, "R034");
	assert_int_equal(r->kind, BS_RULE_UNIQUE);
	assert_int_equal(r->ncols, 2);
	r = rule(&rs, "R035");
	assert_int_equal(r->kind, BS_RULE_IN);
	assert_true(bs_rule_in(r, "01", 2));
	assert_true(bs_rule_in(r, "不适用", strlen("不适用")));
	assert_false(bs_rule_in(r, "03", 2));
	assert_false(bs_rule_in(r, "1", 1));
	r = rule(&rs, "R036");
	assert_int_equal(r->ncols, 2);
	assert_non_null(r->in_ref);
	assert_true(bs_rule_in(r, "02", 2));
	assert_false(bs_rule_in(r, "one", 3));
	assert_int_equal(rs.nrefs, 2);
	assert_string_equal(rs.refs[0].name, "codes");
	assert_true(!strncmp(rs.refs[0].version, "sha256:", 7));
	r = rule(&rs, "R042");
	assert_true(bs_rule_in(r, "1", 1));
	assert_false(bs_rule_in(r, "x", 1));
	/* values of at most 16 bytes have their own table, longer ones not */
	assert_non_null(rule(&rs, "R035")->inset);
	r = rule(&rs, "R043");
	assert_non_null(r->inset);
	for (int i = 1; i <= 8; i++) {
		char v[3] = { '0', (char)('0' + i), '\0' };

		assert_true(bs_rule_in(r, v, 2));
	}
	assert_true(bs_rule_in(r, "08", 2));
	assert_true(bs_rule_in(r, "090", 3));
	assert_false(bs_rule_in(r, "09", 2));
	assert_false(bs_rule_in(r, "", 0));
	r = rule(&rs, "R046");
	assert_null(r->inset);
	assert_true(bs_rule_in(r, "0123456789abcdefg", 17));
	assert_true(bs_rule_in(r, "0123456789abcdef", 16));
	assert_false(bs_rule_in(r, "0123456789abcde", 15));
	assert_false(bs_rule_in(r, "0123456789abcdefgh", 18));
	r = rule(&rs, "R047");
	assert_non_null(r->inset);
	assert_true(bs_rule_in(r, "0123456789abcdef", 16));
	assert_true(bs_rule_in(r, "0123456789abcde", 15));
	assert_true(bs_rule_in(r, "保险", strlen("保险")));
	assert_false(bs_rule_in(r, "0123456789abcdefg", 17));
	assert_false(bs_rule_in(r, "0123456789abcd", 14));
	assert_false(bs_rule_in(r, "0123456789abcdf", 15));
	assert_false(bs_rule_in(r, "", 0));
	r = rule(&rs, "R044");
	assert_non_null(r->inset);
	assert_true(bs_rule_in(r, "", 0));
	assert_true(bs_rule_in(r, "1", 1));
	assert_false(bs_rule_in(r, "10", 2));
	assert_false(bs_rule_in(r, "2", 1));
	/* a fixed-length pattern (lib/bytepat), anchored like PCRE2 */
	r = rule(&rs, "R045");
	assert_true(bs_rule_match(r, "13812345678", 11));
	assert_false(bs_rule_match(r, "12812345678", 11));
	assert_false(bs_rule_match(r, "138123456789", 12));
	assert_false(bs_rule_match(r, "1381234567", 10));
	assert_false(bs_rule_match(r, "1381234567８", strlen("1381234567８")));
	r = rule(&rs, "R037");
	assert_int_equal(r->kind, BS_RULE_PATTERN);
	assert_true(bs_rule_match(r, "P123", 4));
	assert_false(bs_rule_match(r, "P12x", 4));	/* the whole value */
	assert_false(bs_rule_match(r, "xP12", 4));
	r = rule(&rs, "R038");
	assert_int_equal(r->kind, BS_RULE_TYPE);
	assert_int_equal(r->type.type, BS_TYPE_DATE);
	r = rule(&rs, "R039");
	assert_int_equal(r->kind, BS_RULE_ROWS);
	assert_int_equal(r->rows_min, 1);
	assert_int_equal(r->rows_max, 10000000);
	r = rule(&rs, "R040");
	assert_int_equal(r->kind, BS_RULE_RECONCILE);
	assert_int_equal(r->rec->side[0].agg, BS_AGG_SUM);
	assert_int_equal(r->rec->side[1].table, (size_t)ct);
	assert_non_null(r->rec->side[1].where);
	assert_int_equal(r->rec->cmp, BS_CMP_LE);
	assert_int_equal(r->rec->groups, BS_GROUPS_MATCHED);
	assert_int_equal(r->rec->tolerance.scale, 2);
	assert_string_equal(r->rec->side[0].label, "sum(total_premium)");
	assert_string_equal(r->rec->side[1].label, "coverage.sum(cov_premium)");
	r = rule(&rs, "R041");
	assert_int_equal(r->rec->side[0].agg, BS_AGG_COUNT_ROWS);
	assert_int_equal(r->rec->side[1].agg, BS_AGG_COUNT);
	assert_string_equal(r->rec->side[1].label, "org.count(org_code)");
	assert_int_equal(r->rec->side[0].ngroup, 0);
	assert_string_equal(rs.files[0], "policy.rules.yaml");
	assert_int_equal(strlen(rs.sha256[0]), 64);
	bs_rules_release(&rs);
}

/* Every problem of a broken file, each at its position, all reported. */
static void
test_broken_file(void **state)
{
	struct bs_rules rs;
	char *d;
	int rc;

	(void)state;
	put("broken.rules.yaml",
	    "table: policy\n"
	    "key: policy_no\n"
	    "colour: red\n"
	    "columns: {policy_no: , eff_date: date, exp_date: date, n: 'decimal(10,2)', s: , bogus: money}\n"
	    "rules:\n"
	    "  - {id: A1, severity: error, message: m, assert: exp_dat >= eff_date}\n"
	    "  - {id: A2, severity: error, message: m, assert: datediff(eff_date) > 1}\n"
	    "  - {id: A3, severity: error, message: m, assert: eff_date > 1}\n"
	    "  - {id: A4, severity: error, message: m, column: s, pattern: '^(0[1-5]$'}\n"
	    "  - {id: A5, severity: error, message: m, column: s, in: {ref: ../x}}\n"
	    "  - {id: A6, severity: error, message: m, column: s, in: {ref: nosuch}}\n"
	    "  - {id: A1, severity: fatal, message: m, required: policy_no}\n"
	    "  - {id: A7, severity: error, message: m, required: nocol, unique: s}\n"
	    "  - {id: A8, severity: error, message: m}\n"
	    "  - {id: A9, severity: error, message: m, category: C13, unique: [s, s]}\n"
	    "  - {id: B1, severity: error, message: m, rows: {min: 5, max: 2}}\n"
	    "  - {id: B2, severity: error, message: m, exists: s of org.code}\n"
	    "  - {id: B3, severity: error, message: m, exists: \"(s, n) in org.(code)\"}\n"
	    "  - {id: B4, severity: error, message: m, exists: n in policy.eff_date}\n"
	    "  - {id: B5, severity: error, message: m, column: s, type: money}\n"
	    "  - {id: B6, severity: error, message: m, required: s, column: s}\n"
	    "  - {id: B7, severity: error, message: m, column: nope, in: ['1']}\n"
	    "  - {id: B8, severity: error, message: m, assert: n + 1}\n"
	    "  - {id: B9, message: m, unique: s, colour: red}\n"
	    "  - {id: C1, severity: error, message: m, reconcile: {sum: s, against: {table: org, count: rows}}}\n"
	    "  - {id: C2, severity: error, message: m, reconcile: {sum: n, group_by: [s], against: {table: org, count: rows}, tolerance: -1}}\n"
	    "  - {id: C3, severity: error, message: m, column: s, in: {ref: bad, column: nosuch}}\n");
	d = load(&rs, &rc, "broken.rules.yaml", NULL);
	assert_string_equal(d,
	    "broken.rules.yaml:3:1: unknown key 'colour'\n"
	    "broken.rules.yaml:4:88: column 'bogus': unknown type 'money'\n"
	    "broken.rules.yaml:6:51: unknown column 'exp_dat'\n"
	    "broken.rules.yaml:7:51: unknown function 'datediff'\n"
	    "broken.rules.yaml:8:60: cannot compare date with integer\n"
	    "broken.rules.yaml:9:73: bad regular expression: missing closing parenthesis\n"
	    "broken.rules.yaml:10:64: bad reference list name '../x' (letters, digits, '_', '-' and '.' only)\n"
	    "broken.rules.yaml:11:64: reference list 'nosuch' not found (looked for nosuch.csv in ./ref, ./../ref)\n"
	    "broken.rules.yaml:12:10: duplicate rule id 'A1' (first at broken.rules.yaml:6:10)\n"
	    "broken.rules.yaml:12:24: severity must be error or warning, not 'fatal'\n"
	    "broken.rules.yaml:13:53: unknown column 'nocol': table 'policy' declares no such column in columns:\n"
	    "broken.rules.yaml:13:60: one check per rule, but this one has 'required' and 'unique' (make two rules)\n"
	    "broken.rules.yaml:14:5: rule 'A8' has no check (give one of assert, required, unique, pattern, in, exists, type, rows, reconcile)\n"
	    "broken.rules.yaml:15:53: category must be C1 to C12 (or several, as C7/C9), not 'C13'\n"
	    "broken.rules.yaml:15:70: column 's' is listed twice\n"
	    "broken.rules.yaml:16:49: 'rows': min is larger than max\n"
	    "broken.rules.yaml:17:53: cannot read 'exists' here: write 'column in table.column' or '(a, b) in table.(c, d)'\n"
	    "broken.rules.yaml:18:67: 'exists' compares 2 columns with 1\n"
	    "broken.rules.yaml:19:51: type mismatch: policy.n is decimal but policy.eff_date is date\n"
	    "broken.rules.yaml:20:60: unknown type 'money'\n"
	    "broken.rules.yaml:21:56: 'column' goes with pattern, in and type; 'required' names its columns itself\n"
	    "broken.rules.yaml:22:51: unknown column 'nope': table 'policy' declares no such column in columns:\n"
	    "broken.rules.yaml:23:51: expected a condition (true or false), not decimal\n"
	    "broken.rules.yaml:24:5: missing required key 'severity'\n"
	    "broken.rules.yaml:24:37: unknown key 'colour'\n"
	    "broken.rules.yaml:25:60: type mismatch: 'sum' needs a number, not text (declare the column's type in columns:)\n"
	    "broken.rules.yaml:26:87: 'group_by' has 1 column here and 0 in 'against'\n"
	    "broken.rules.yaml:26:125: 'tolerance' must be a number, 0 or more (e.g. 0.01)\n"
	    "broken.rules.yaml:27:77: reference list 'bad' has no column 'nosuch' (it has name, code)\n");
	free(d);
	assert_int_equal(rc, -1);
	assert_int_equal(rs.nrules, 0);
	bs_rules_release(&rs);
}

/* Problems across files: duplicate ids, conflicting declarations. */
static void
test_two_files(void **state)
{
	struct bs_rules rs;
	char *d;
	int rc;

	(void)state;
	put("a.rules.yaml",
	    "table: t\nkey: k\ncolumns: {k: , d: date}\nrules:\n"
	    "  - {id: X1, severity: error, message: m, required: k}\n");
	put("b.rules.yaml",
	    "table: t\nkey: [k, d]\ncolumns: {k: integer}\nrules:\n"
	    "  - {id: X1, severity: error, message: m, required: k}\n"
	    "  - {id: X2, severity: error, message: m, exists: k in u.k}\n");
	d = load(&rs, &rc, "a.rules.yaml", "b.rules.yaml");
	assert_string_equal(d,
	    "b.rules.yaml:2:6: table 't' has a different key in another rule file\n"
	    "b.rules.yaml:3:14: column 'k' is integer here but text at a.rules.yaml:3:11\n"
	    "b.rules.yaml:5:10: duplicate rule id 'X1' (first at a.rules.yaml:5:10)\n");
	free(d);
	assert_int_equal(rc, -1);
	bs_rules_release(&rs);
}

static void
test_yaml_errors(void **state)
{
	struct bs_rules rs;
	char *d;
	int rc;

	(void)state;
	put("syntax.rules.yaml", "table: t\nrules:\n  - {id: X1, severity: error\n");
	put("empty.rules.yaml", "");
	d = load(&rs, &rc, "syntax.rules.yaml", "empty.rules.yaml");
	assert_string_equal(d,
	    "syntax.rules.yaml:4:1: did not find expected ',' or '}' while parsing a flow mapping\n"
	    "empty.rules.yaml: empty rule file\n");
	free(d);
	bs_rules_release(&rs);
	put("list.rules.yaml", "- a\n");
	put("nokey.rules.yaml", "table: t\nrules: {}\n");
	d = load(&rs, &rc, "list.rules.yaml", "nokey.rules.yaml");
	assert_string_equal(d,
	    "list.rules.yaml:1:1: a rule file is a mapping: table, key, owner, columns, rules\n"
	    "nokey.rules.yaml:1:1: missing required key 'key' (the column or columns that identify a record)\n"
	    "nokey.rules.yaml:2:8: 'rules' must be a list of rules\n");
	free(d);
	bs_rules_release(&rs);
	put("flow.rules.yaml", "table: t\nkey: a\ncolumns: {a: , n: decimal(10,2)}\nrules: []\n");
	d = load(&rs, &rc, "flow.rules.yaml", NULL);
	assert_string_equal(d,
	    "flow.rules.yaml:3:19: column 'n': bad type 'decimal(10' (inside {...} a comma ends the value: quote it, \"decimal(20,2)\")\n");
	free(d);
	bs_rules_release(&rs);
	put("dupkey.rules.yaml", "table: t\ntable: u\n");
	d = load(&rs, &rc, "dupkey.rules.yaml", NULL);
	assert_string_equal(d, "dupkey.rules.yaml:2:1: duplicate key 'table' (first at line 1)\n");
	free(d);
	bs_rules_release(&rs);
}

/* Expression errors inside quoted, folded and literal scalars. */
static void
test_positions(void **state)
{
	struct bs_rules rs;
	char *d;
	int rc;

	(void)state;
	put("pos.rules.yaml",
	    "table: q\n"
	    "key: a\n"
	    "columns: {a: , d: date, n: \"decimal(10,2)\"}\n"
	    "rules:\n"
	    "  - {id: Q1, severity: error, message: m, assert: 'a = ''x'' and nosuch > 1'}\n"
	    "  - {id: Q2, severity: error, message: m, assert: \"a = \\\"x\\\" \\t and d > 1\"}\n"
	    "  - id: Q3\n"
	    "    severity: error\n"
	    "    message: m\n"
	    "    assert: >\n"
	    "      a = 'x' and\n"
	    "      datediff(d) > 1\n"
	    "  - id: Q4\n"
	    "    severity: error\n"
	    "    message: m\n"
	    "    assert: |\n"
	    "      a = 'x'\n"
	    "        and d = n\n"
	    "  - {id: Q5, severity: error, message: m, when: \"a ~ '(x'\", assert: \"a = 'y'\"}\n"
	    "  - {id: Q6, severity: error, message: m, assert: 中文 = a}\n");
	d = load(&rs, &rc, "pos.rules.yaml", NULL);
	assert_string_equal(d,
	    "pos.rules.yaml:5:66: unknown column 'nosuch'\n"
	    "pos.rules.yaml:6:56: unknown column 'x'\n"
	    "pos.rules.yaml:12:7: unknown function 'datediff'\n"
	    "pos.rules.yaml:18:15: cannot compare date with decimal\n"
	    "pos.rules.yaml:19:57: bad regular expression: missing closing parenthesis\n"
	    "pos.rules.yaml:20:51: unknown column '中文'\n");
	free(d);
	bs_rules_release(&rs);
}

/* Open tables: names are collected, then checked against the header. */
static void
test_open_table_bind(void **state)
{
	struct bs_rules rs;
	struct bs_err err = BS_ERR_INIT;
	const char *h1[] = { "k", "x", "amount" };
	const char *h2[] = { "id" };
	char *d;
	int rc;
	long t, u;

	(void)state;
	put("open.rules.yaml",
	    "table: t\nkey: k\nrules:\n"
	    "  - {id: O1, severity: error, message: m, assert: amount <> '0' or x = 'y'}\n"
	    "  - {id: O2, severity: error, message: m, exists: k in u.code}\n");
	d = load(&rs, &rc, "open.rules.yaml", NULL);
	assert_string_equal(d, "");
	free(d);
	t = bs_rules_table(&rs, "t");
	u = bs_rules_table(&rs, "u");
	assert_int_equal(rs.tables[t].ncols, 3);
	assert_string_equal(colname(&rs, (size_t)t, 1), "amount");
	assert_int_equal(rs.tables[t].cols[1].pos.column, 51);
	assert_int_equal(rs.tables[t].cols[2].pos.column, 68);
	assert_int_equal(bs_rules_bind(&rs, (size_t)t, "t.csv", h1, 3, &err), 0);
	assert_int_equal(rs.tables[t].cols[0].field, 0);
	assert_int_equal(rs.tables[t].cols[1].field, 2);
	assert_int_equal(bs_rules_bind(&rs, (size_t)u, "u.csv", h2, 1, &err), -1);
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	assert_int_equal(rs.ndiags, 1);
	assert_string_equal(rs.diags[0],
	    "open.rules.yaml:5:58: column 'code' is not in u.csv");
	bs_rules_release(&rs);
}

static void
test_known_tables_and_dir(void **state)
{
	struct bs_rules rs;
	struct bs_rules_opts o = BS_RULES_OPTS_INIT;
	struct bs_err err = BS_ERR_INIT;
	const char *known[] = { "t", NULL };
	const char *files[] = { "k.rules.yaml" };
	char **paths = NULL;
	size_t n = 0, i;

	(void)state;
	put("k.rules.yaml",
	    "table: t\nkey: k\nrules:\n"
	    "  - {id: K1, severity: error, message: m, exists: k in zz.k}\n"
	    "  - {id: K2, severity: error, message: m, reconcile: {count: rows, against: {table: yy, count: rows}}}\n");
	o.known_tables = known;
	assert_int_equal(bs_rules_load(&rs, files, 1, &o, &err), -1);
	assert_int_equal(rs.ndiags, 2);
	assert_string_equal(rs.diags[0],
	    "k.rules.yaml:4:56: unknown table 'zz' (not a table of the report)");
	assert_string_equal(rs.diags[1],
	    "k.rules.yaml:5:85: unknown table 'yy' (not a table of the report)");
	bs_rules_release(&rs);

	assert_int_equal(mkdir("d", 0777), 0);
	put("d/b.rules.yaml", "x");
	put("d/a.rules.yaml", "x");
	put("d/notes.yaml", "x");
	put("d/.hidden.rules.yaml", "x");
	assert_int_equal(bs_rules_dir("d", &paths, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(paths[0], "d/a.rules.yaml");
	assert_string_equal(paths[1], "d/b.rules.yaml");
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	assert_int_equal(bs_rules_dir("nosuchdir", &paths, &n, &err), -1);
	assert_int_equal(err.code, BS_EXIT_NOINPUT);
	files[0] = "missing.rules.yaml";
	assert_int_equal(bs_rules_load(&rs, files, 1, NULL, &err), -1);
	assert_int_equal(err.code, BS_EXIT_NOINPUT);
	bs_rules_release(&rs);
}

static void
test_helpers(void **state)
{
	(void)state;
	assert_false(bs_rule_present(NULL, 0));
	assert_false(bs_rule_present("", 0));
	assert_false(bs_rule_present(" \t", 2));
	assert_false(bs_rule_present("\xe3\x80\x80 ", 4));	/* U+3000 */
	assert_true(bs_rule_present("0", 1));
	assert_true(bs_rule_present(" a", 2));
	assert_true(bs_rule_present("\xe3\x80", 2));
	assert_string_equal(bs_rule_kind_name(BS_RULE_RECONCILE), "reconcile");
}

/* Load one file with options; return the diagnostics (caller frees). */
static char *
load_o(struct bs_rules *rs, int *rc, const char *f, const struct bs_rules_opts *o)
{
	const char *files[1] = { f };
	struct bs_err err = BS_ERR_INIT;
	struct bs_buf b = BS_BUF_INIT(0);
	size_t i;

	*rc = bs_rules_load(rs, files, 1, o, &err);
	for (i = 0; i < rs->ndiags; i++)
		bs_buf_addf(&b, "%s\n", rs->diags[i]);
	return b.buf ? bs_buf_detach(&b, NULL) : bs_xstrdup("");
}

static long
colidx(const struct bs_rules *rs, size_t t, const char *name)
{
	size_t i;

	for (i = 0; i < rs->tables[t].ncols; i++)
		if (!strcmp(rs->tables[t].cols[i].name, name))
			return (long)i;
	return -1;
}

static const char lk_policy[] =
    "table: policy\n"
    "key: policy_no\n"
    "columns: {policy_no: , org_code: , eff_date: date, premium: \"decimal(20,2)\"}\n"
    "rules: []\n";

static void
test_lookups(void **state)
{
	struct bs_rules rs;
	char *d;
	int rc;
	long t, c, p;
	const struct bs_rlookup *lk;

	(void)state;
	put("lk_policy.rules.yaml", lk_policy);
	put("lk_good.rules.yaml",
	    "table: payment\n"
	    "key: pay_no\n"
	    "columns: {pay_no: , claim_no: , pay_date: date, amount: decimal}\n"
	    "lookups:\n"
	    "  clm: {table: claim, key: claim_no, by: claim_no}\n"
	    "  pol: {table: policy, key: policy_no, by: clm.policy_no}\n"
	    "  tot: {table: policy, key: org_code, by: pol.org_code, sum: premium,\n"
	    "        where: \"eff_date >= '2026-01-01'\"}\n"
	    "rules:\n"
	    "  - {id: A, severity: error, message: m, assert: pay_date >= pol.eff_date}\n"
	    "  - {id: B, severity: error, message: m, assert: tot.premium > 0}\n"
	    "  - id: C\n"
	    "    severity: error\n"
	    "    message: m\n"
	    "    reconcile:\n"
	    "      sum: amount\n"
	    "      group_by: [pol.org_code, \"to_char(pay_date, 'YYYYMM')\"]\n"
	    "      against: {table: policy, sum: premium, group_by: [org_code, \"'x'\"]}\n");
	d = load(&rs, &rc, "lk_policy.rules.yaml", "lk_good.rules.yaml");
	assert_string_equal(d, "");
	assert_int_equal(rc, 0);
	free(d);
	assert_int_equal(rs.nlookups, 3);
	t = bs_rules_table(&rs, "payment");
	p = bs_rules_table(&rs, "policy");
	c = colidx(&rs, (size_t)t, "pol.eff_date");
	assert_true(c >= 0);
	assert_int_equal(rs.tables[t].cols[c].lookup, 1);
	assert_int_equal(rs.tables[t].cols[c].type.type, BS_TYPE_DATE);
	assert_int_equal(rs.tables[t].cols[c].lcol, (size_t)colidx(&rs, (size_t)p, "eff_date"));
	/* the chain: clm.policy_no is a column of the open table claim */
	c = colidx(&rs, (size_t)t, "clm.policy_no");
	assert_true(c >= 0);
	assert_int_equal(rs.tables[t].cols[c].lookup, 0);
	assert_true(colidx(&rs, (size_t)bs_rules_table(&rs, "claim"), "policy_no") >= 0);
	/* a sum is a decimal */
	c = colidx(&rs, (size_t)t, "tot.premium");
	assert_int_equal(rs.tables[t].cols[c].type.type, BS_TYPE_DECIMAL);
	lk = &rs.lookups[2];
	assert_true(lk->is_sum);
	assert_int_equal(lk->nsum, 1);
	assert_non_null(lk->where);
	/* group_by: a lookup's column and an expression */
	assert_int_equal(rule(&rs, "C")->rec->side[0].group[0], (size_t)colidx(&rs, (size_t)t, "pol.org_code"));
	assert_int_equal(rule(&rs, "C")->rec->side[0].group[1], SIZE_MAX);
	assert_non_null(rule(&rs, "C")->rec->side[0].group_expr[1]);
	assert_non_null(rule(&rs, "C")->rec->side[1].group_expr[1]);
	/* binding ignores the lookups' columns */
	{
		const char *hdr[] = { "pay_no", "claim_no", "pay_date", "amount" };
		struct bs_err err = BS_ERR_INIT;

		assert_int_equal(bs_rules_bind(&rs, (size_t)t, "payment.csv", hdr, 4, &err), 0);
	}
	bs_rules_release(&rs);

	put("lk_bad.rules.yaml",
	    "table: payment\n"
	    "key: pay_no\n"
	    "columns: {pay_no: , claim_no: , amount: decimal}\n"
	    "lookups:\n"
	    "  a: {table: nosuch, key: x, by: claim_no}\n"
	    "  b: {table: policy, key: nokey, by: claim_no}\n"
	    "  c: {table: policy, key: policy_no, by: [claim_no, pay_no]}\n"
	    "  d: {table: policy, key: policy_no, by: claim_no, sum: org_code}\n"
	    "  e: {table: policy, key: policy_no, by: f.org_code}\n"
	    "  f: {table: policy, key: policy_no, by: e.org_code}\n"
	    "  g: {table: policy, key: policy_no, by: claim_no}\n"
	    "  1x: {table: policy, key: policy_no, by: claim_no}\n"
	    "rules:\n"
	    "  - {id: A, severity: error, message: m, assert: g.nosuch = 'x'}\n"
	    "  - {id: B, severity: error, message: m, assert: h.org_code = 'x'}\n"
	    "  - {id: C, severity: error, message: m, unique: g.nosuch}\n");
	{
		struct bs_rules_opts o = BS_RULES_OPTS_INIT;
		const char *known[] = { "payment", "policy", NULL };

		o.known_tables = known;
		put("lk_bad2.rules.yaml", lk_policy);
		/* two files: the policy file declares the policy columns */
		{
			const char *files[2] = { "lk_policy.rules.yaml", "lk_bad.rules.yaml" };
			struct bs_err err = BS_ERR_INIT;
			struct bs_buf b = BS_BUF_INIT(0);
			size_t i;

			rc = bs_rules_load(&rs, files, 2, &o, &err);
			for (i = 0; i < rs.ndiags; i++)
				bs_buf_addf(&b, "%s\n", rs.diags[i]);
			d = bs_buf_detach(&b, NULL);
		}
	}
	assert_int_equal(rc, -1);
	assert_string_equal(d,
	    "lk_bad.rules.yaml:5:14: unknown table 'nosuch' (not a table of the report)\n"
	    "lk_bad.rules.yaml:6:27: unknown column 'nokey': table 'policy' declares no such column in columns:\n"
	    "lk_bad.rules.yaml:7:42: lookup 'c': 'by' gives 2 values for 1 key column\n"
	    "lk_bad.rules.yaml:8:57: lookup 'd' sums 'org_code', which is text: declare it a number in table 'policy''s columns:\n"
	    "lk_bad.rules.yaml:9:3: lookup 'e' depends on itself (e -> f -> e)\n"
	    "lk_bad.rules.yaml:12:3: a lookup's name is a plain name (letters, digits, '_'), such as pol\n"
	    "lk_bad.rules.yaml:14:50: unknown column 'g.nosuch': table 'policy' (lookup 'g') declares no such column in columns:\n"
	    "lk_bad.rules.yaml:15:50: unknown column 'h.org_code' (table 'payment' has no lookup 'h')\n"
	    "lk_bad.rules.yaml:16:50: unknown column 'g.nosuch': table 'policy' (lookup 'g') declares no such column in columns:\n");
	free(d);
	bs_rules_release(&rs);

	put("lk_dup.rules.yaml",
	    "table: policy\n"
	    "key: policy_no\n"
	    "lookups: {p: {table: policy, key: policy_no, by: policy_no}}\n"
	    "rules: []\n");
	put("lk_dup2.rules.yaml",
	    "table: policy\n"
	    "key: policy_no\n"
	    "lookups: {p: {table: policy, key: policy_no, by: policy_no}}\n"
	    "rules: []\n");
	d = load(&rs, &rc, "lk_dup.rules.yaml", "lk_dup2.rules.yaml");
	assert_int_equal(rc, -1);
	assert_string_equal(d, "lk_dup2.rules.yaml:3:11: lookup 'p' is declared twice for "
	    "table 'policy' (first at lk_dup.rules.yaml:3:11)\n");
	free(d);
	bs_rules_release(&rs);
}

static void
test_params(void **state)
{
	struct bs_rules rs;
	struct bs_rules_opts o = BS_RULES_OPTS_INIT;
	char *d;
	int rc;

	(void)state;
	put("pa.rules.yaml",
	    "table: t\n"
	    "key: k\n"
	    "columns: {k: , cjrq: date, period: text}\n"
	    "rules:\n"
	    "  - {id: A, severity: error, message: m, assert: cjrq = :period_end}\n"
	    "  - {id: B, severity: error, message: m,\n"
	    "     assert: \"period = to_char(:period_start, 'YYYYMM') and :period = '2026-10'\"}\n"
	    "  - {id: C, severity: error, message: m, assert: \"k <> :institution_code\"}\n");
	/* without a run: an error for each use */
	d = load_o(&rs, &rc, "pa.rules.yaml", &o);
	assert_int_equal(rc, -1);
	assert_string_equal(d,
	    "pa.rules.yaml:5:57: no period for this run (give --report with --param period=YYYY-MM, or --filing REPORT/PERIOD): cannot use ':period_end'\n"
	    "pa.rules.yaml:7:32: no period for this run (give --report with --param period=YYYY-MM, or --filing REPORT/PERIOD): cannot use ':period_start'\n"
	    "pa.rules.yaml:8:56: no institution code (institution: code: in the workspace's baosong.yaml): cannot use ':institution_code'\n");
	free(d);
	bs_rules_release(&rs);
	/* checking rules only: types are checked */
	o.check_only = 1;
	d = load_o(&rs, &rc, "pa.rules.yaml", &o);
	assert_string_equal(d, "");
	assert_int_equal(rc, 0);
	free(d);
	bs_rules_release(&rs);
	/* a run */
	o.check_only = 0;
	o.period = "2026-10";
	o.institution_code = "100086";
	d = load_o(&rs, &rc, "pa.rules.yaml", &o);
	assert_string_equal(d, "");
	assert_int_equal(rc, 0);
	free(d);
	{
		const char *f[] = { "x", "2026-10-31", "202610" };
		size_t l[] = { 1, 10, 6 };
		struct bs_row row = { 3, f, l };
		struct bs_err err = BS_ERR_INIT;
		int res = -2;

		assert_int_equal(bs_expr_eval_bool(rule(&rs, "A")->expr, &row, &res, &err), 0);
		assert_int_equal(res, 1);
		assert_int_equal(bs_expr_eval_bool(rule(&rs, "B")->expr, &row, &res, &err), 0);
		assert_int_equal(res, 1);
		f[1] = "2026-10-30";
		assert_int_equal(bs_expr_eval_bool(rule(&rs, "A")->expr, &row, &res, &err), 0);
		assert_int_equal(res, 0);
	}
	bs_rules_release(&rs);
	/* a type error is found without a run too */
	put("pb.rules.yaml",
	    "table: t\nkey: k\ncolumns: {k: integer}\n"
	    "rules: [{id: A, severity: error, message: m, assert: k = :period_end}, \n"
	    "        {id: B, severity: error, message: m, assert: \":nope = 1\"}]\n");
	o.period = NULL;
	o.check_only = 1;
	d = load_o(&rs, &rc, "pb.rules.yaml", &o);
	assert_string_equal(d,
	    "pb.rules.yaml:4:56: cannot compare integer with date\n"
	    "pb.rules.yaml:5:55: unknown parameter ':nope'\n");
	free(d);
	bs_rules_release(&rs);
}

/*
 * in: lists of values of every length 0..17, read from a reference list:
 * each is found, and no value one byte different, shorter or longer is.
 */
static void
test_in_lengths(void **state)
{
	static const char alpha[] = "0123456789ABCDEFGHIJ";
	struct bs_buf csv = BS_BUF_INIT(0);
	struct bs_rules rs;
	const struct bs_rule *r;
	char *d, v[32];
	int rc;

	(void)state;
	bs_buf_adds(&csv, "code\n");
	for (size_t n = 1; n <= 17; n++) {
		bs_buf_add(&csv, alpha, n);
		bs_buf_adds(&csv, "\n");
		bs_buf_add(&csv, alpha + 1, n);	/* a shifted one too */
		bs_buf_adds(&csv, "\n");
	}
	put("ref/lens.csv", bs_buf_str(&csv));
	bs_buf_release(&csv);
	put("lens.rules.yaml",
	    "table: t\nkey: k\ncolumns: {k: }\n"
	    "rules: [{id: A, severity: error, message: m, column: k, in: {ref: lens}},\n"
	    "        {id: B, severity: error, message: m, column: k, in: ['1', '0123456789ABCDEF']}]\n");
	d = load(&rs, &rc, "lens.rules.yaml", NULL);
	assert_string_equal(d, "");
	free(d);
	r = rule(&rs, "A");
	assert_null(r->inset);	/* a 17-byte value: the keyset only */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t n = 1; n <= 17; n++) {
			if (pass == 1 && n > 16)
				break;
			memcpy(v, alpha, n);
			assert_true(bs_rule_in(r, v, n));
			assert_true(bs_rule_in(r, alpha + 1, n));
			v[n - 1] = 'z';
			assert_false(bs_rule_in(r, v, n));
			v[0] = 'z';
			memcpy(v + 1, alpha + 1, n - 1);
			assert_false(bs_rule_in(r, v, n));
		}
		assert_false(bs_rule_in(r, alpha, 18));
		assert_false(bs_rule_in(r, "", 0));
		if (pass == 0) {
			/* the same list without its 17-byte values: the table */
			bs_rules_release(&rs);
			put("ref/lens.csv", "code\n0\n1\n01\n12\n012\n123\n0123\n1234\n"
			    "01234\n12345\n012345\n123456\n0123456\n1234567\n01234567\n"
			    "12345678\n012345678\n123456789\n0123456789\n123456789A\n"
			    "0123456789A\n123456789AB\n0123456789AB\n123456789ABC\n"
			    "0123456789ABC\n123456789ABCD\n0123456789ABCD\n123456789ABCDE\n"
			    "0123456789ABCDE\n123456789ABCDEF\n0123456789ABCDEF\n"
			    "123456789ABCDEFG\n");
			d = load(&rs, &rc, "lens.rules.yaml", NULL);
			assert_string_equal(d, "");
			free(d);
			r = rule(&rs, "A");
			assert_non_null(r->inset);
		}
	}
	r = rule(&rs, "B");
	assert_non_null(r->inset);
	assert_true(bs_rule_in(r, "1", 1));
	assert_true(bs_rule_in(r, "0123456789ABCDEF", 16));
	assert_false(bs_rule_in(r, "0123456789ABCDEG", 16));
	assert_false(bs_rule_in(r, "1123456789ABCDEF", 16));
	assert_false(bs_rule_in(r, "0123456789ABCDE", 15));
	bs_rules_release(&rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_check_kind),
		cmocka_unit_test(test_broken_file),
		cmocka_unit_test(test_two_files),
		cmocka_unit_test(test_yaml_errors),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_open_table_bind),
		cmocka_unit_test(test_known_tables_and_dir),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_in_lengths),
	};

	return cmocka_run_group_tests_name("rules", tests, setup, teardown);
}
