/*
 * test_workbook.c - the review workbook (lib/workbook.h).
 *
 * Each case writes a workbook and reads parts of it back with libzip
 * (sheet names, cells, _baosong values).  With BS_TEST_OUT=<dir> the sample
 * workbooks stay in <dir> under fixed names, for
 * tests/integration/test_workbook_readers.sh, which checks them with
 * openpyxl and LibreOffice; without it they go to a temporary directory
 * removed at the end.
 *
 * The samples (the integration script recomputes the same data):
 *   few.xlsx      3 problems, 2 owners, 3 declared rules (one unused)
 *   split.xlsx    max_rows 3: 财务部 10 problems, 业务管理部 2, interleaved
 *   chinese.xlsx  owner names with []:*?/\ and a 40-character name
 *   many.xlsx     500 problems over 4 owners, 5 rules + 1 unused, carried
 *   special.xlsx  & < > " newlines, CR, control bytes, bad UTF-8, _x0041_
 *   nulls.xlsx    a problem with every optional field NULL
 *   overflow.xlsx max_sheets 2 with 4 owners: the shared sheet 其余部门
 *   empty.xlsx    2 declared rules, no problem
 */
#include "bs.h"
#include "workbook.h"

#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <zip.h>

static char outdir[PATH_MAX];
static int keep_out;

#define STAMP "2026-11-05 09:30:00"
#define SHA "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

static const struct bs_workbook_meta meta_init = {
	.filing = "east-sample/2026-10",
	.run_id = "20261105T093000-validate-7f3a",
	.report_title = "EAST 样例 2026-10 问题数据清单",
	.data_sha256 = SHA,
	.generated_at = STAMP,
};

static char *
out_path(const char *name)
{
	return bs_xasprintf("%s/%s", outdir, name);
}

/* The bytes of one zip member, NUL-terminated; NULL if absent. */
static char *
zip_member(const char *path, const char *name)
{
	struct bs_buf b = BS_BUF_INIT(0);
	char tmp[8192];
	zip_int64_t n;
	zip_t *z;
	zip_file_t *f;
	int ze;

	z = zip_open(path, ZIP_RDONLY, &ze);
	assert_non_null(z);
	f = zip_fopen(z, name, 0);
	if (!f) {
		zip_close(z);
		return NULL;
	}
	while ((n = zip_fread(f, tmp, sizeof(tmp))) > 0)
		bs_buf_add(&b, tmp, (size_t)n);
	zip_fclose(f);
	zip_close(z);
	bs_buf_addc(&b, '\0');
	b.len--;
	return bs_buf_detach(&b, NULL);
}

/* Sheet i (1-based, creation order) of a workbook. */
static char *
sheet_xml(const char *path, int i)
{
	char name[64];

	snprintf(name, sizeof(name), "xl/worksheets/sheet%d.xml", i);
	return zip_member(path, name);
}

static void
assert_contains(const char *hay, const char *needle)
{
	if (!hay || !strstr(hay, needle))
		fail_msg("'%s' not found in '%.300s'", needle, hay ? hay : "(null)");
}

static void
assert_lacks(const char *hay, const char *needle)
{
	if (hay && strstr(hay, needle))
		fail_msg("'%s' unexpectedly found", needle);
}

static size_t
count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* Nothing but the listed files in outdir's temporaries (no .tmp left). */
static void
assert_no_temporaries(void)
{
	DIR *d = opendir(outdir);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".tmp."))
			fail_msg("temporary file left: %s", e->d_name);
	closedir(d);
}

static int
nfds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static struct bs_workbook *
open_ok(const char *path, const struct bs_workbook_meta *m)
{
	struct bs_workbook *wb;
	struct bs_err err = BS_ERR_INIT;

	if (bs_workbook_open(&wb, path, m, &err) < 0)
		fail_msg("open: %s", err.msg);
	return wb;
}

static void
add_ok(struct bs_workbook *wb, const struct bs_problem *p)
{
	struct bs_err err = BS_ERR_INIT;

	if (bs_workbook_add(wb, p, &err) < 0)
		fail_msg("add: %s", err.msg);
}

static void
rule_ok(struct bs_workbook *wb, const char *id, const char *msg,
    const char *sev, const char *owner, const char *cat)
{
	struct bs_err err = BS_ERR_INIT;

	if (bs_workbook_rule(wb, id, msg, sev, owner, cat, &err) < 0)
		fail_msg("rule: %s", err.msg);
}

static void
close_ok(struct bs_workbook *wb, const char *path)
{
	struct bs_err err = BS_ERR_INIT;
	struct stat st;

	if (bs_workbook_close(wb, &err) < 0)
		fail_msg("close: %s", err.msg);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size > 1000);
	assert_no_temporaries();
}

/* ------------------------------------------------------------ cases */

static void
test_few(void **state)
{
	char *path = out_path("few.xlsx");
	struct bs_workbook *wb;
	struct bs_problem p = { 0 };
	char *x;

	(void)state;
	wb = open_ok(path, &meta_init);
	rule_ok(wb, "C8-001", "保单号不能为空", "error", "业务管理部", "C8");
	rule_ok(wb, "C8-002", "保费必须大于零", "error", "财务部", "C8");
	rule_ok(wb, "C9-001", "被保险人证件号码校验位错误", "warning", "业务管理部",
	    "C9");
	p.rule_id = "C8-001";
	p.table = "policy";
	p.record = 12;
	p.line = 13;
	p.key = "P0000012";
	p.columns = "policy_no";
	p.values = NULL;
	add_ok(wb, &p);
	p.rule_id = "C8-002";
	p.record = 15;
	p.line = 16;
	p.key = "P0000015";
	p.columns = "premium";
	p.values = "-10.00";
	add_ok(wb, &p);
	p.record = 99;
	p.line = 101;
	p.key = "P0000099";
	p.values = "0";
	add_ok(wb, &p);
	assert_int_equal(bs_workbook_count(wb), 3);
	close_ok(wb, path);

	x = zip_member(path, "xl/workbook.xml");
	assert_contains(x, "<sheet name=\"汇总\" sheetId=\"1\"");
	assert_contains(x, "<sheet name=\"业务管理部\" sheetId=\"2\"");
	assert_contains(x, "<sheet name=\"财务部\" sheetId=\"3\"");
	assert_contains(x, "<sheet name=\"_baosong\" sheetId=\"4\" state=\"hidden\"");
	free(x);
	x = sheet_xml(path, 2);
	assert_contains(x, "<pane ySplit=\"1\" topLeftCell=\"A2\"");
	assert_contains(x, "<autoFilter ref=\"A1:O2\"/>");
	assert_contains(x, "<formula1>\"已修改,说明,剔除\"</formula1>");
	assert_contains(x, "sqref=\"M2\">");
	assert_contains(x, "<t>规则编号</t>");
	assert_contains(x, "<t>P0000012</t>");
	assert_contains(x, "<t>(空)</t>");	/* NULL value of policy_no */
	assert_contains(x, "<t>保单号不能为空</t>");	/* message from the rule */
	assert_contains(x, "<t>错误</t>");
	assert_contains(x, "<c r=\"E2\" s=\"");	/* record number */
	assert_contains(x, "<v>12</v>");
	free(x);
	x = sheet_xml(path, 4);
	assert_contains(x, "<t>format_version</t>");
	assert_contains(x, "<t>east-sample/2026-10</t>");
	assert_contains(x, "<t>" SHA "</t>");
	assert_contains(x, "<t>" STAMP "</t>");
	assert_contains(x, "<t>rule_id,severity,category,table,record,line,key,columns,values,message,owner,status,disposition,comment,reviewer</t>");
	free(x);
	x = sheet_xml(path, 1);
	assert_contains(x, "<t>C9-001</t>");	/* declared, no problem */
	assert_contains(x, "<t>EAST 样例 2026-10 问题数据清单</t>");
	free(x);
	x = zip_member(path, "xl/worksheets/_rels/sheet1.xml.rels");
	assert_contains(x, "drawing");
	free(x);
	x = zip_member(path, "xl/charts/chart1.xml");
	assert_contains(x, "<c:barDir val=\"bar\"/>");
	assert_contains(x, "<c:grouping val=\"stacked\"/>");
	free(x);
	x = zip_member(path, "docProps/core.xml");
	assert_non_null(x);
	free(x);
	free(path);
}

static void
test_split(void **state)
{
	char *path = out_path("split.xlsx");
	struct bs_workbook_meta m = meta_init;
	struct bs_workbook *wb;
	struct bs_problem p = { 0 };
	char key[32], *x;
	int i;

	(void)state;
	m.max_rows = 3;
	wb = open_ok(path, &m);
	rule_ok(wb, "R1", "测试规则", "error", NULL, NULL);
	for (i = 0; i < 12; i++) {
		p.rule_id = "R1";
		p.owner = i == 3 || i == 7 ? "业务管理部" : "财务部";
		snprintf(key, sizeof(key), "K%03d", i);
		p.key = key;
		p.table = "t";
		p.record = (unsigned long long)i + 1;
		add_ok(wb, &p);
	}
	assert_int_equal(bs_workbook_count(wb), 12);
	close_ok(wb, path);
	x = zip_member(path, "xl/workbook.xml");
	/* 财务部 x3, 业务管理部, 财务部 (2) x3, 业务管理部 row 2, (3), (4) */
	assert_contains(x, "<sheet name=\"财务部\" sheetId=\"2\"");
	assert_contains(x, "<sheet name=\"业务管理部\" sheetId=\"3\"");
	assert_contains(x, "<sheet name=\"财务部 (2)\" sheetId=\"4\"");
	assert_contains(x, "<sheet name=\"财务部 (3)\" sheetId=\"5\"");
	assert_contains(x, "<sheet name=\"财务部 (4)\" sheetId=\"6\"");
	assert_contains(x, "<sheet name=\"_baosong\" sheetId=\"7\"");
	free(x);
	x = sheet_xml(path, 2);
	assert_contains(x, "<autoFilter ref=\"A1:O4\"/>");
	assert_lacks(x, "续表");
	free(x);
	x = sheet_xml(path, 4);
	assert_contains(x, "续表（第 2 张）：接工作表“财务部”");
	assert_contains(x, "<c r=\"Q1\"");
	free(x);
	x = sheet_xml(path, 6);
	assert_contains(x, "续表（第 4 张）：接工作表“财务部 (3)”");
	assert_contains(x, "<autoFilter ref=\"A1:O2\"/>");
	free(x);
	x = sheet_xml(path, 1);
	assert_contains(x, "每张工作表最多 3 条问题记录");
	assert_contains(x, "location=\"'财务部 (4)'!A1\" display=\"财务部 (4)\"/>");
	free(x);
	x = sheet_xml(path, 7);
	assert_contains(x, "<t>max_rows</t></is></c><c r=\"B9\" t=\"inlineStr\"><is><t>3</t>");
	assert_contains(x, "<t>sheet.5</t></is></c><c r=\"B");
	assert_contains(x, "<t>财务部 (4)</t>");
	free(x);
	free(path);
}

static void
test_chinese(void **state)
{
	char *path = out_path("chinese.xlsx");
	struct bs_workbook *wb;
	struct bs_problem p = { 0 };
	static const char *const owners[] = {
		"财务/精算[部]", "'稽核:调查*部?'", "\\信息技术部",
		"总公司个人业务与团体业务管理委员会办公室下设的数据治理与监管报送专项工作组",
		"Sales", "sales", "汇总", "",
	};
	char *x;
	size_t i;

	(void)state;
	wb = open_ok(path, &meta_init);
	for (i = 0; i < BS_ARRAY_SIZE(owners); i++) {
		p.rule_id = "中文规则-01";
		p.severity = "warning";
		p.owner = owners[i];
		p.table = "保单表";
		p.key = "保单号甲|分公司乙";
		p.columns = "被保险人姓名;证件号码";
		p.values = "张三;11010519491231002X";
		p.message = "被保险人证件号码校验位错误";
		add_ok(wb, &p);
	}
	close_ok(wb, path);
	x = zip_member(path, "xl/workbook.xml");
	assert_contains(x, "name=\"财务_精算_部_\"");
	assert_contains(x, "name=\"稽核_调查_部_\"");
	assert_contains(x, "name=\"_信息技术部\"");
	/* 31 UTF-16 units: the first 31 characters */
	assert_contains(x, "name=\"总公司个人业务与团体业务管理委员会办公室下设的数据治理与监管报\"");
	assert_contains(x, "name=\"Sales\"");
	assert_contains(x, "name=\"sales (2)\"");
	assert_contains(x, "name=\"汇总 (2)\"");
	assert_contains(x, "name=\"未指定部门\"");
	free(x);
	x = sheet_xml(path, 2);
	assert_contains(x, "<t>财务/精算[部]</t>");	/* 责任部门 as given */
	assert_contains(x, "<t>保单号甲|分公司乙</t>");
	assert_contains(x, "<t>张三;11010519491231002X</t>");
	assert_contains(x, "<t>警告</t>");
	free(x);
	free(path);
}

/* The 500-problem sample; the integration script mirrors these formulas. */
static const char *const many_owners[] = { "业务管理部", "财务部", "精算部", "信息技术部" };
static const char *const many_rules[] = { "R001", "R002", "R003", "R004", "R005" };

static void
test_many(void **state)
{
	char *path = out_path("many.xlsx");
	struct bs_workbook *wb;
	struct bs_problem p = { 0 };
	char key[32], val[32], *x;
	unsigned long long per_owner[4] = { 0 };
	int i;

	(void)state;
	wb = open_ok(path, &meta_init);
	for (i = 0; i < 5; i++) {
		char msg[64];

		snprintf(msg, sizeof(msg), "规则 %d 的问题描述", i + 1);
		rule_ok(wb, many_rules[i], msg, i < 3 ? "error" : "warning",
		    many_owners[i % 4], i < 3 ? "C8" : "C9");
	}
	rule_ok(wb, "R006", "从未触发的规则", "error", "财务部", "C8");
	for (i = 0; i < 500; i++) {
		int io = i % 7 % 4;

		memset(&p, 0, sizeof(p));
		p.rule_id = many_rules[i % 5];
		p.owner = many_owners[io];
		p.table = "policy";
		p.record = (unsigned long long)i + 1;
		p.line = (unsigned long long)i + 2;
		snprintf(key, sizeof(key), "P%08d", i + 1);
		p.key = key;
		p.columns = "premium";
		snprintf(val, sizeof(val), "%d.00", -i);
		p.values = val;
		if (i % 10 == 0) {
			p.status = "未变";
			p.disposition = "说明";
			p.comment = "已核实，系退保冲销";
			p.reviewer = "张三";
		} else {
			p.status = "新";
		}
		per_owner[io]++;
		add_ok(wb, &p);
	}
	close_ok(wb, path);
	x = zip_member(path, "xl/workbook.xml");
	for (i = 0; i < 4; i++) {
		char s[128];

		snprintf(s, sizeof(s), "<sheet name=\"%s\" sheetId=\"%d\"",
		    many_owners[i], i + 2);
		assert_contains(x, s);
	}
	free(x);
	for (i = 0; i < 4; i++) {
		char s[64];

		x = sheet_xml(path, i + 2);
		snprintf(s, sizeof(s), "<autoFilter ref=\"A1:O%llu\"/>",
		    per_owner[i] + 1);
		assert_contains(x, s);
		assert_int_equal(count_of(x, "<row "), per_owner[i] + 1);
		free(x);
	}
	x = sheet_xml(path, 2);
	assert_contains(x, "<t>已核实，系退保冲销</t>");
	assert_contains(x, "<t>未变</t>");
	free(x);
	x = sheet_xml(path, 1);
	assert_contains(x, "<f>COUNTA('业务管理部'!$M$2:$M$144)</f>");
	assert_contains(x, "<t>R006</t>");
	free(x);
	free(path);
}

static void
test_special(void **state)
{
	char *path = out_path("special.xlsx");
	struct bs_workbook *wb;
	struct bs_problem p = { 0 };
	char *big, *x;

	(void)state;
	wb = open_ok(path, &meta_init);
	p.rule_id = "S&1";
	p.owner = "A&B<部>";
	p.table = "t\"q\"";
	p.key = "k<1>&\"2\"";
	p.columns = "a;b";
	p.values = "x & y < z > \"w\";line1\nline2";
	p.message = "crlf\r\nhere, cr\rthere, tab\tok";
	p.comment = "ctl\x01\x1f" "bad\xff\xfe" "utf8 \xe4\xb8";
	p.reviewer = "_x0041_ stays";
	add_ok(wb, &p);
	big = bs_xmalloc(40001);
	memset(big, 'y', 40000);
	big[40000] = '\0';
	p.key = "big";
	p.values = big;
	p.comment = NULL;
	p.reviewer = NULL;
	add_ok(wb, &p);
	free(big);
	close_ok(wb, path);
	x = zip_member(path, "xl/workbook.xml");
	assert_contains(x, "name=\"A&amp;B&lt;部&gt;\"");
	free(x);
	x = sheet_xml(path, 2);
	assert_contains(x, "<t>S&amp;1</t>");
	assert_contains(x, "<t>k&lt;1&gt;&amp;\"2\"</t>");
	assert_contains(x, "<t>x &amp; y &lt; z &gt; \"w\";line1\nline2</t>");
	assert_contains(x, "<t>crlf\nhere, cr\nthere, tab\tok</t>");
	assert_contains(x, "<t>ctl\xef\xbf\xbd\xef\xbf\xbd" "bad\xef\xbf\xbd\xef\xbf\xbd"
	    "utf8 \xef\xbf\xbd\xef\xbf\xbd</t>");
	assert_contains(x, "<t>_x005F_x0041_ stays</t>");
	assert_lacks(x, "_x0001_");
	assert_contains(x, "yyyy…（已截断）</t>");
	free(x);
	free(path);
}

static void
test_nulls(void **state)
{
	char *path = out_path("nulls.xlsx");
	struct bs_workbook *wb;
	struct bs_problem p = { 0 };
	char *x;

	(void)state;
	wb = open_ok(path, NULL);	/* no metadata at all */
	p.rule_id = "N1";		/* undeclared, every other field NULL */
	add_ok(wb, &p);
	close_ok(wb, path);
	x = sheet_xml(path, 2);
	assert_contains(x, "<t>N1</t>");
	assert_contains(x, "<t>错误</t>");
	assert_contains(x, "<t>未指定部门</t>");
	assert_lacks(x, "(空)");
	free(x);
	x = zip_member(path, "xl/workbook.xml");
	assert_contains(x, "<sheet name=\"未指定部门\"");
	free(x);
	x = sheet_xml(path, 3);
	assert_contains(x, "<t>generated_at</t>");
	assert_contains(x, "<t>report_title</t></is></c></row>");	/* NULL: "" */
	free(x);
	x = sheet_xml(path, 1);
	assert_contains(x, "<t>问题数据清单</t>");	/* the default title */
	free(x);
	free(path);
}

static void
test_overflow(void **state)
{
	char *path = out_path("overflow.xlsx");
	struct bs_workbook_meta m = meta_init;
	struct bs_workbook *wb;
	struct bs_problem p = { 0 };
	char *x;
	int i;

	(void)state;
	m.max_sheets = 2;
	m.max_rows = 2;
	wb = open_ok(path, &m);
	for (i = 0; i < 12; i++) {
		p.rule_id = "O1";
		p.owner = many_owners[i % 4];
		p.key = "k";
		p.disposition = i == 7 ? "剔除" : NULL;
		add_ok(wb, &p);
	}
	close_ok(wb, path);
	x = zip_member(path, "xl/workbook.xml");
	/* 业务管理部 and 财务部 get the two sheets; 精算部, 信息技术部 and the
	 * rest of the first two when their sheet is full share 其余部门 */
	assert_contains(x, "<sheet name=\"业务管理部\" sheetId=\"2\"");
	assert_contains(x, "<sheet name=\"财务部\" sheetId=\"3\"");
	assert_contains(x, "<sheet name=\"其余部门\" sheetId=\"4\"");
	assert_contains(x, "<sheet name=\"其余部门 (2)\" sheetId=\"5\"");
	assert_contains(x, "<sheet name=\"其余部门 (4)\" sheetId=\"7\"");
	assert_lacks(x, "其余部门 (5)");
	free(x);
	x = sheet_xml(path, 4);
	assert_contains(x, "部门工作表已达 2 张上限");
	free(x);
	x = sheet_xml(path, 1);
	assert_contains(x, "COUNTIFS('其余部门'!$K$2:$K$3,\"=信息技术部\",'其余部门'!$M$2:$M$3,\"&lt;&gt;\")");
	free(x);
	free(path);
}

static void
test_deterministic(void **state)
{
	char *a = out_path("det-a.xlsx"), *b = out_path("det-b.xlsx");
	struct bs_problem p = { .rule_id = "D1", .owner = "财务部", .key = "1" };
	struct bs_workbook *wb;
	FILE *fa, *fb;
	int ca, cb;

	(void)state;
	wb = open_ok(a, &meta_init);
	add_ok(wb, &p);
	close_ok(wb, a);
	wb = open_ok(b, &meta_init);
	add_ok(wb, &p);
	close_ok(wb, b);
	fa = fopen(a, "rb");
	fb = fopen(b, "rb");
	assert_non_null(fa);
	assert_non_null(fb);
	do {
		ca = getc(fa);
		cb = getc(fb);
		assert_int_equal(ca, cb);
	} while (ca != EOF);
	fclose(fa);
	fclose(fb);
	unlink(a);
	unlink(b);
	free(a);
	free(b);
}

static void
test_rule_errors(void **state)
{
	char *path = out_path("rules.xlsx");
	struct bs_workbook *wb;
	struct bs_err err = BS_ERR_INIT;
	struct bs_problem p = { 0 };

	(void)state;
	wb = open_ok(path, &meta_init);
	rule_ok(wb, "X1", NULL, NULL, NULL, NULL);
	assert_int_equal(bs_workbook_rule(wb, "X1", NULL, NULL, NULL, NULL, &err), -1);
	assert_int_equal(err.code, BS_EXIT_SOFTWARE);
	assert_string_equal(err.msg, "workbook: rule 'X1' declared twice");
	assert_int_equal(bs_workbook_rule(wb, "X2", NULL, "fatal", NULL, NULL, &err), -1);
	assert_int_equal(err.code, BS_EXIT_SOFTWARE);
	assert_int_equal(bs_workbook_rule(wb, NULL, NULL, NULL, NULL, NULL, &err), -1);
	p.table = "policy";
	p.record = 3;
	assert_int_equal(bs_workbook_add(wb, &p, &err), -1);
	assert_int_equal(err.code, BS_EXIT_SOFTWARE);
	assert_string_equal(err.msg,
	    "workbook: problem without a rule id (table 'policy', record 3)");
	bs_workbook_abort(wb);
	assert_int_equal(access(path, F_OK), -1);
	assert_no_temporaries();
	free(path);
}

static void
test_open_errors(void **state)
{
	struct bs_workbook *wb = (struct bs_workbook *)1;
	struct bs_err err = BS_ERR_INIT;
	char *notdir = out_path("few.xlsx/review.xlsx");
	struct bs_workbook_meta m = meta_init;

	(void)state;
	assert_int_equal(bs_workbook_open(&wb, "/nonexistent-dir/review.xlsx",
	    &meta_init, &err), -1);
	assert_null(wb);
	assert_int_equal(err.code, BS_EXIT_CANTCREAT);
	assert_string_equal(err.msg,
	    "cannot create '/nonexistent-dir/review.xlsx': No such file or directory");
	assert_int_equal(bs_workbook_open(&wb, notdir, &meta_init, &err), -1);
	assert_int_equal(err.code, BS_EXIT_CANTCREAT);
	assert_contains(err.msg, notdir);
	free(notdir);

	m.max_rows = BS_WORKBOOK_ROW_LIMIT + 1;
	assert_int_equal(bs_workbook_open(&wb, "/tmp/x.xlsx", &m, &err), -1);
	assert_int_equal(err.code, BS_EXIT_SOFTWARE);
}

static void
test_env_max_rows(void **state)
{
	char *path = out_path("env.xlsx");
	struct bs_workbook *wb;
	struct bs_err err = BS_ERR_INIT;
	struct bs_problem p = { .rule_id = "E1", .owner = "财务部" };
	char *x;
	int i;

	(void)state;
	setenv(BS_WORKBOOK_ENV_MAX_ROWS, "12x", 1);
	assert_int_equal(bs_workbook_open(&wb, path, &meta_init, &err), -1);
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	assert_string_equal(err.msg,
	    "BS_XLSX_MAX_ROWS: not a number of rows from 1 to 1048575: '12x'");
	setenv(BS_WORKBOOK_ENV_MAX_ROWS, "0", 1);
	assert_int_equal(bs_workbook_open(&wb, path, &meta_init, &err), -1);
	assert_int_equal(err.code, BS_EXIT_CONFIG);
	setenv(BS_WORKBOOK_ENV_MAX_ROWS, "2", 1);
	wb = open_ok(path, &meta_init);
	unsetenv(BS_WORKBOOK_ENV_MAX_ROWS);
	for (i = 0; i < 5; i++)
		add_ok(wb, &p);
	close_ok(wb, path);
	x = zip_member(path, "xl/workbook.xml");
	assert_contains(x, "name=\"财务部 (3)\"");
	free(x);
	unlink(path);
	free(path);
}

static void
test_abort(void **state)
{
	char *path = out_path("aborted.xlsx");
	struct bs_problem p = { .rule_id = "A1", .owner = "甲" };
	struct bs_workbook_meta m = meta_init;
	struct bs_workbook *wb;
	int before = nfds(), i;

	(void)state;
	m.max_rows = 1;
	wb = open_ok(path, &m);
	for (i = 0; i < 5; i++)
		add_ok(wb, &p);
	assert_true(nfds() > before);
	bs_workbook_abort(wb);
	assert_int_equal(nfds(), before);
	assert_int_equal(access(path, F_OK), -1);
	assert_no_temporaries();
	bs_workbook_abort(NULL);
	free(path);
}

/*
 * A full disk, simulated with a soft RLIMIT_FSIZE (restored afterwards):
 * the error must be 74 and name the path, whether it shows while adding
 * rows or at close; nothing is left behind, no descriptor leaks.
 */
static void
full_disk(rlim_t limit, int nproblems, int *code, char *msg, size_t msglen)
{
	char *path = out_path("full.xlsx");
	struct rlimit old, rl;
	struct bs_workbook *wb;
	struct bs_err err = BS_ERR_INIT;
	struct bs_problem p = { .rule_id = "F1", .owner = "财务部",
	    .message = "磁盘写满测试：一条足够长的问题描述，让临时文件尽快超过上限" };
	int i, rc = 0, before = nfds(), saved, null;
	void (*oldsig)(int);

	wb = open_ok(path, &meta_init);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	rl = old;
	rl.rlim_cur = limit;
	/* libxlsxwriter prints its own "[ERROR]" line: keep the log quiet */
	fflush(stderr);
	saved = dup(2);
	null = open("/dev/null", O_WRONLY);
	assert_true(saved >= 0 && null >= 0);
	dup2(null, 2);
	close(null);
	oldsig = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
	for (i = 0; i < nproblems; i++)
		if (bs_workbook_add(wb, &p, &err) < 0) {
			bs_workbook_abort(wb);
			rc = -1;
			break;
		}
	if (rc == 0)
		rc = bs_workbook_close(wb, &err);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, oldsig);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_int_equal(rc, -1);
	*code = err.code;
	snprintf(msg, msglen, "%s", err.msg);
	assert_int_equal(access(path, F_OK), -1);
	assert_no_temporaries();
	assert_int_equal(nfds(), before);
	free(path);
}

static void
test_full_disk(void **state)
{
	char msg[BS_ERR_MSG_MAX];
	int code;

	(void)state;
	/* while adding: the row file of the sheet hits the limit */
	full_disk(64 * 1024, 20000, &code, msg, sizeof(msg));
	assert_int_equal(code, BS_EXIT_IOERR);
	assert_contains(msg, "full.xlsx");
	assert_contains(msg, "write error in a temporary file");
	assert_contains(msg, "File too large");
	/* at close: the rows fit, the assembled workbook does not */
	full_disk(6 * 1024, 3, &code, msg, sizeof(msg));
	assert_int_equal(code, BS_EXIT_IOERR);
	assert_contains(msg, "cannot write '");
	assert_contains(msg, "full.xlsx");
}

static void
test_empty(void **state)
{
	char *path = out_path("empty.xlsx");
	struct bs_workbook *wb;
	char *x;

	(void)state;
	wb = open_ok(path, &meta_init);
	rule_ok(wb, "R1", "保单号不能为空", "error", "业务管理部", "C8");
	rule_ok(wb, "R2", "保费必须大于零", "warning", "财务部", "C8");
	close_ok(wb, path);
	x = zip_member(path, "xl/workbook.xml");
	assert_contains(x, "<sheet name=\"汇总\" sheetId=\"1\"");
	assert_contains(x, "<sheet name=\"_baosong\" sheetId=\"2\" state=\"hidden\"");
	free(x);
	x = sheet_xml(path, 1);
	assert_contains(x, "<t>本次校验未发现问题。</t>");
	assert_contains(x, "<t>R2</t>");
	free(x);
	x = zip_member(path, "xl/charts/chart1.xml");
	assert_null(x);
	free(path);
}

/* ------------------------------------------------------------ main */

static int
setup(void **state)
{
	const char *o = getenv("BS_TEST_OUT");

	(void)state;
	if (o && *o) {
		snprintf(outdir, sizeof(outdir), "%s", o);
		keep_out = 1;
		return mkdir(outdir, 0755) == 0 || errno == EEXIST ? 0 : -1;
	}
	snprintf(outdir, sizeof(outdir), "/tmp/test_workbook.XXXXXX");
	return mkdtemp(outdir) ? 0 : -1;
}

static int
teardown(void **state)
{
	DIR *d;
	struct dirent *e;

	(void)state;
	if (keep_out)
		return 0;
	d = opendir(outdir);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char *p;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		p = out_path(e->d_name);
		unlink(p);
		free(p);
	}
	closedir(d);
	return rmdir(outdir);
}

/* ------------------------------------------------------------ bench */

/*
 * BS_TEST_BENCH=N: instead of the tests, write N problems (8 departments,
 * 40 rules, realistic Chinese text) to bench.xlsx in BS_TEST_OUT (or a
 * temporary directory, removed) and print the times; tests/bench/
 * bench_workbook.sh runs it under /usr/bin/time for the peak RSS.
 */
static int
bench(const char *nstr)
{
	static const char *const owners[] = {
		"业务管理部", "财务部", "精算部", "信息技术部", "个人业务部",
		"团体业务部", "理赔管理部", "再保险部",
	};
	unsigned long long n = strtoull(nstr, NULL, 10), i;
	struct bs_err err = BS_ERR_INIT;
	struct bs_workbook *wb;
	struct bs_problem p = { 0 };
	char *path, rid[16], key[64], val[64];
	double t0, t1, t2;
	struct stat st;
	int r;

	if (setup(NULL) < 0)
		return 1;
	path = out_path("bench.xlsx");
	t0 = bs_now_mono();
	if (bs_workbook_open(&wb, path, &meta_init, &err) < 0)
		return bs_report(&err);
	for (r = 0; r < 40; r++) {
		char msg[128];

		snprintf(rid, sizeof(rid), "C%d-%03d", 1 + r % 9, r);
		snprintf(msg, sizeof(msg), "规则 %s：保单号、被保险人证件号码与缴费金额须符合监管数据标准", rid);
		if (bs_workbook_rule(wb, rid, msg, r % 4 ? "error" : "warning",
		    owners[r % 8], "C8", &err) < 0)
			return bs_report(&err);
	}
	for (i = 0; i < n; i++) {
		r = (int)(i % 40);
		snprintf(rid, sizeof(rid), "C%d-%03d", 1 + r % 9, r);
		snprintf(key, sizeof(key), "P%012llu|%04llu", i * 7 + 1, i % 97);
		snprintf(val, sizeof(val), "1101051949%04llu002X;%llu.%02llu",
		    i % 10000, i % 100000, i % 100);
		p.rule_id = rid;
		p.table = "policy";
		p.record = i + 1;
		p.line = i + 2;
		p.key = key;
		p.columns = "id_no;premium";
		p.values = val;
		p.status = i % 3 ? "新" : "未变";
		p.disposition = i % 3 ? NULL : "说明";
		p.comment = i % 3 ? NULL : "已与分公司核实，系历史数据迁移所致";
		p.reviewer = i % 3 ? NULL : "李四";
		if (bs_workbook_add(wb, &p, &err) < 0) {
			bs_workbook_abort(wb);
			return bs_report(&err);
		}
	}
	t1 = bs_now_mono();
	if (bs_workbook_close(wb, &err) < 0)
		return bs_report(&err);
	t2 = bs_now_mono();
	if (stat(path, &st) != 0)
		return 1;
	printf("workbook bench: %llu problems: add %.2f s, close %.2f s, total %.2f s, %.1f MB\n",
	    n, t1 - t0, t2 - t1, t2 - t0, (double)st.st_size / 1e6);
	free(path);
	teardown(NULL);
	return 0;
}

int
main(void)
{
	const char *b = getenv("BS_TEST_BENCH");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_few),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_chinese),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_special),
		cmocka_unit_test(test_nulls),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_rule_errors),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_env_max_rows),
		cmocka_unit_test(test_abort),
		cmocka_unit_test(test_full_disk),
		cmocka_unit_test(test_empty),
	};

	if (b && *b)
		return bench(b);
	return cmocka_run_group_tests_name("workbook", tests, setup, teardown);
}
