#!/usr/bin/env bash
# The review loop on a small filing: validate, a reviewer answers in the
# workbook (openpyxl; LibreOffice re-save with shared strings, rich text,
# sorted rows, an added sheet), import, refusals that change nothing,
# maker-checker, approval order, stale approvals, handling notes, and the
# carry-over of answers across a re-extract after the source is fixed.
set -uo pipefail
: "${SRC:?}" "${BUILD_DIR:?}"
. "$SRC/tests/lib.sh"
bs_test_init
BS_FAILS=0
export PATH="$BUILD_DIR:$PATH"
unset BAOSONG_WORKSPACE
cd "$BS_TMP" || exit 70
. "$SRC/tests/data/extract/ws.sh"
cp "$SRC/tests/data/review/policy.rules.yaml" rules/t/
printf 'approvals: [个险业务部, 稽核调查部, 总裁室]\n' >> rules/t/report.yaml
F=t/2026-10
py=/usr/bin/python3
edit="$SRC/tests/data/review/edit.py"

ndisp() { sqlite3 tracking.db "select count(*) from bs_disposition"; }
latest_review() { ls -d runs/*validate* | tail -n 1; }

assert_rc 0 baosong-extract --report t --param period=2026-10
assert_rc 1 baosong-validate --report t --param period=2026-10
wb=$(latest_review)/review.xlsx
assert_file "$wb"

# --- refusals: each leaves the store unchanged ---
$py "$edit" "$wb" bad1.xlsx "P1=已改好" || bs_fail "edit.py"
assert_rc 65 baosong-review import bad1.xlsx --filing $F --by 王芳
assert_contains "$BS_ERR" "处理方式 '已改好' is not one of 已修改, 说明, 剔除"
assert_contains "$BS_ERR" "nothing imported"
$py "$edit" "$wb" bad2.xlsx "P3=说明" "P1=已修改" || bs_fail "edit.py"
assert_rc 65 baosong-review import bad2.xlsx --filing $F --by 王芳
assert_contains "$BS_ERR" "说明 needs a 处理说明"
$py "$edit" "$wb" bad3.xlsx "P3=剔除" || bs_fail "edit.py"
assert_rc 65 baosong-review import bad3.xlsx --filing $F --by 王芳
assert_contains "$BS_ERR" "剔除 needs a 处理说明"
assert_rc 66 baosong-review import bad1.xlsx --filing t/2026-09 --by 王芳
assert_contains "$BS_ERR" "has no finished validation run"
printf 'not a workbook' > junk.xlsx
assert_rc 65 baosong-review import junk.xlsx --filing $F --by 王芳
assert_contains "$BS_ERR" "junk.xlsx"
head -c 3000 "$wb" > cut.xlsx
assert_rc 65 baosong-review import cut.xlsx --filing $F --by 王芳
$py -c "import openpyxl; wb=openpyxl.Workbook(); wb.active.append(['规则编号','表','主键','处理方式','处理说明','复核人']); wb.save('foreign.xlsx')"
assert_rc 65 baosong-review import foreign.xlsx --filing $F --by 王芳
assert_contains "$BS_ERR" "not a baosong review workbook"
assert_rc 66 baosong-review import nosuch.xlsx --filing $F --by 王芳
assert_eq 0 "$(ndisp)" "dispositions after refused imports"

# --- a good import through LibreOffice: shared strings, rich text, sorted, extra sheet ---
$py "$edit" "$wb" answered.xlsx "P1=已修改::王芳" "P3=说明:客户姓名确实含引号，已核实:赵敏" \
	"P4=剔除:退保冲销记录，不报送:钱七" --reverse --add-sheet || bs_fail "edit.py"
prof=$(mktemp -d)
mkdir -p lo "$prof/home"
HOME=$prof/home soffice --headless --norestore -env:UserInstallation="file://$prof/p" \
	--convert-to 'xlsx:Calc MS Excel 2007 XML' --outdir lo answered.xlsx >/dev/null 2>&1 ||
	bs_fail "LibreOffice re-save"
rm -rf "$prof"
$py "$SRC/tests/data/review/richtext.py" lo/answered.xlsx rich.xlsx "客户姓名" ||
	bs_fail "rich text"
assert_rc 0 baosong-review import rich.xlsx --filing $F --by 王芳 -v
assert_contains "$BS_ERR" "imported 3 answers"
assert_contains "$BS_ERR" "sheet '我的备注' is not a problem list"
assert_eq "P1|fixed||王芳|王芳
P3|explained|客户姓名确实含引号，已核实|王芳|赵敏
P4|excluded|退保冲销记录，不报送|王芳|钱七" \
	"$(sqlite3 tracking.db "select rule_id, disposition, comment, by_name, reviewer from bs_disposition order by rule_id")" \
	"dispositions"

# --- approvals ---
assert_rc 1 baosong-review approve --filing $F --role 个险业务部 --by 王芳
assert_contains "$BS_ERR" "maker-checker"
assert_rc 1 baosong-review approve --filing $F --role 个险业务部 --by 赵敏
assert_contains "$BS_ERR" "maker-checker"
assert_rc 1 baosong-review approve --filing $F --role 个险业务部 --by 张经理
assert_contains "$BS_ERR" "neither explained nor excluded"
assert_rc 64 baosong-review approve --filing $F --role 董事会 --by 张经理
assert_eq 3 "$(sqlite3 tracking.db "select count(*) from bs_event where kind = 'review.refuse'")" "refusal events"

# the source is fixed, re-extract, re-validate: P1 closes, answers carry over
sqlite3 src.db "update policy set premium = 88.00 where policy_no = 'P002'"
assert_rc 0 baosong-extract --report t --param period=2026-10
assert_rc 1 baosong-validate --report t --param period=2026-10
assert_eq "P1|closed
P3|open
P4|open" "$(sqlite3 tracking.db "select rule_id, status from bs_disposition order by rule_id")" "carried status"
wb2=$(latest_review)/review.xlsx
assert_eq "P3|未变|说明|客户姓名确实含引号，已核实|赵敏" "$($py - "$wb2" <<'PY'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["客户服务部"]
h = [c.value for c in ws[1]]
for r in ws.iter_rows(min_row=2, values_only=True):
    d = dict(zip(h, r))
    print("|".join(str(d[k] or "") for k in ("规则编号", "问题状态", "处理方式", "处理说明", "复核人")))
PY
)" "carried answers in the new workbook"

assert_rc 0 baosong-review status --filing $F
assert_contains "$BS_OUT" "blocking (errors neither explained nor excluded): 0"

# the first round's workbook answers P1, which the new validation no longer finds
assert_rc 65 baosong-review import rich.xlsx --filing $F --by 王芳
assert_contains "$BS_ERR" "rule P1, table policy, key 'P002' is not a problem of the current validation"
assert_contains "$BS_ERR" "comes from validation"

# 已修改 without a fix: re-validation reopens it
$py "$edit" "$wb2" fixed-not.xlsx "P2=已修改::孙八" || bs_fail "edit.py"
assert_rc 0 baosong-review import fixed-not.xlsx --filing $F --by 孙八
assert_rc 1 baosong-validate --report t --param period=2026-10
assert_eq "P2|reopened" "$(sqlite3 tracking.db "select rule_id, status from bs_disposition where rule_id = 'P2'")" "reopened"
assert_eq "P2|已重开|已修改" "$($py - "$(latest_review)/review.xlsx" <<'PY'
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])["个险业务部"]
h = [c.value for c in ws[1]]
for r in ws.iter_rows(min_row=2, values_only=True):
    d = dict(zip(h, r))
    if d["规则编号"] == "P2":
        print("|".join(str(d[k] or "") for k in ("规则编号", "问题状态", "处理方式")))
PY
)" "reopened in the workbook"
assert_rc 0 baosong-review status --filing $F
assert_contains "$BS_OUT" "reopened"
assert_rc 1 baosong-review approve --filing $F --role 稽核调查部 --by 李强
assert_contains "$BS_ERR" "after 个险业务部"
assert_rc 0 baosong-review approve --filing $F --role 个险业务部 --by 张经理
assert_rc 0 baosong-review approve --filing $F --role 稽核调查部 --by 李强
assert_contains "$BS_OUT" "next: 总裁室"

# a new answer makes the earlier approvals stale
$py "$edit" "$(latest_review)/review.xlsx" warn.xlsx "P2=说明:小额保单，保费属实:孙八" || bs_fail "edit.py"
assert_rc 0 baosong-review import warn.xlsx --filing $F --by 孙八
assert_rc 0 baosong-review status --filing $F
assert_contains "$BS_OUT" "STALE (approved by 张经理"
assert_rc 1 baosong-review approve --filing $F --role 总裁室 --by 周总
assert_contains "$BS_ERR" "stale"
assert_rc 0 baosong-review approve --filing $F --role 个险业务部 --by 张经理
assert_rc 0 baosong-review approve --filing $F --role 稽核调查部 --by 李强
assert_rc 0 baosong-review approve --filing $F --role 总裁室 --by 周总
assert_contains "$BS_OUT" "all 3 approvals are in"

assert_rc 0 baosong-review handling-notes --filing $F --out notes.xlsx
assert_file notes.xlsx
assert_eq "问题数据处理方式,审批记录" "$($py -c "import openpyxl,sys; print(','.join(openpyxl.load_workbook('notes.xlsx').sheetnames))")" "notes sheets"
assert_eq 5 "$(sqlite3 tracking.db "select count(*) from bs_event where kind = 'review.approve'")" "approval events"
bs_test_done
