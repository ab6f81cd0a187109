#!/usr/bin/env bash
# The review workbook as its readers see it.  build/tests/test_workbook
# writes its sample workbooks into a directory (BS_TEST_OUT); then
#   - every part of every workbook is well-formed XML;
#   - openpyxl (Debian's, /usr/bin/python3) reads them: sheet order and
#     names, the hidden _baosong sheet and its values, frozen header,
#     autofilter, the disposition drop-down, cell values (Chinese, special
#     characters, carried answers), the summary counts against the sheets,
#     the chart, the links;
#   - LibreOffice converts every sheet to CSV (no repair, no failure), and
#     the CSVs hold the expected rows, formulas recalculated.
# LibreOffice is required: make check installs it (scripts/bootstrap), so a
# missing soffice is a failure, not a skip.
set -euo pipefail
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-${1:-$SRC/build}}
PY=/usr/bin/python3
bin="$BUILD_DIR/tests/test_workbook"

fail() { echo "FAIL: $*"; exit 1; }

[ -x "$bin" ] || fail "$bin not built (run make)"
command -v soffice >/dev/null 2>&1 ||
	fail "soffice not found: apt-get install --no-install-recommends libreoffice-calc-nogui"
"$PY" -c 'import openpyxl' 2>/dev/null ||
	fail "openpyxl missing for $PY: apt-get install python3-openpyxl"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out="$work/out"

if ! BS_TEST_OUT="$out" "$bin" >"$work/unit.log" 2>&1; then
	cat "$work/unit.log"
	fail "$bin failed"
fi
samples="few split chinese many special nulls overflow empty"
for s in $samples; do
	[ -s "$out/$s.xlsx" ] || fail "sample $s.xlsx was not written"
done
echo "ok: sample workbooks written"

# ---------------------------------------------------------------- openpyxl
"$PY" - "$out" <<'PY'
import sys, zipfile, xml.dom.minidom, openpyxl

out = sys.argv[1]
errors = []

def check(cond, what):
    if not cond:
        errors.append(what)
    return cond

HEAD = ["规则编号", "严重程度", "规则类别", "表", "记录号", "行号", "主键", "问题字段",
        "问题值", "问题描述", "责任部门", "问题状态", "处理方式", "处理说明", "复核人"]
COLS = ("rule_id,severity,category,table,record,line,key,columns,values,"
        "message,owner,status,disposition,comment,reviewer")
META = {"format_version": "1", "filing": "east-sample/2026-10",
        "run_id": "20261105T093000-validate-7f3a",
        "data_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "generated_at": "2026-11-05 09:30:00", "header_row": "1",
        "columns": COLS, "dispositions": "已修改,说明,剔除"}

def rows_of(ws):
    return [[c for c in r] for r in ws.iter_rows(values_only=True)]

def meta_of(wb):
    ws = wb["_baosong"]
    kv = {}
    for r in ws.iter_rows(min_row=2, values_only=True):
        kv[r[0]] = "" if r[1] is None else r[1]
    return kv

def summary_tables(ws):
    rows = rows_of(ws)
    owners, rules, i = {}, {}, 0
    while rows[i][0] != "责任部门":
        i += 1
    i += 1
    while rows[i][0] != "合计":
        owners[rows[i][0]] = rows[i][1:5]
        i += 1
    total = rows[i][1:5]
    while rows[i][0] != "规则编号":
        i += 1
    i += 1
    while i < len(rows) and rows[i][0] is not None:
        rules[rows[i][0]] = rows[i]
        i += 1
    return owners, total, rules

def generic(name, wb, wbv):
    """Checks that hold for every sample; returns {sheet: data rows}."""
    kv = meta_of(wbv)
    check(wb.sheetnames[0] == "汇总", f"{name}: first sheet is {wb.sheetnames[0]}")
    check(wb.sheetnames[-1] == "_baosong", f"{name}: last sheet is {wb.sheetnames[-1]}")
    check(wb["_baosong"].sheet_state in ("hidden", "veryHidden"),
          f"{name}: _baosong is {wb['_baosong'].sheet_state}")
    check(wb["汇总"].sheet_state == "visible", f"{name}: summary hidden")
    check(len(wb["汇总"]._charts) == (1 if int(kv["problems"]) else 0),
          f"{name}: charts in summary: {len(wb['汇总']._charts)}")
    for k, v in META.items():
        if name != "nulls" or k in ("format_version", "header_row", "columns", "dispositions"):
            check(kv.get(k) == v, f"{name}: _baosong {k} = {kv.get(k)!r}, want {v!r}")
    dept = wb.sheetnames[1:-1]
    check(kv["sheets"] == str(len(dept)), f"{name}: _baosong sheets {kv['sheets']} vs {len(dept)}")
    data = {}
    for i, sn in enumerate(dept, 1):
        ws, wsv = wb[sn], wbv[sn]
        check(kv.get(f"sheet.{i}") == sn, f"{name}: _baosong sheet.{i} = {kv.get(f'sheet.{i}')!r}, want {sn!r}")
        rows = rows_of(wsv)
        head, body = rows[0], rows[1:]
        n = len(body)
        check(list(head[:15]) == HEAD, f"{name}/{sn}: header {head[:15]}")
        check(kv.get(f"sheet.{i}.rows") == str(n), f"{name}/{sn}: rows {kv.get(f'sheet.{i}.rows')} vs {n}")
        check(ws.freeze_panes == "A2", f"{name}/{sn}: freeze_panes {ws.freeze_panes}")
        check(ws.auto_filter.ref == f"A1:O{n + 1}", f"{name}/{sn}: autofilter {ws.auto_filter.ref}")
        dvs = ws.data_validations.dataValidation
        want_ref = "M2" if n == 1 else f"M2:M{n + 1}"
        check(len(dvs) == 1 and dvs[0].type == "list"
              and dvs[0].formula1 == '"已修改,说明,剔除"'
              and str(dvs[0].sqref) == want_ref,
              f"{name}/{sn}: data validation {[(d.type, d.formula1, str(d.sqref)) for d in dvs]}")
        for r in body:
            check(r[0] and r[1] in ("错误", "警告"), f"{name}/{sn}: row without rule id or severity: {r}")
        data[sn] = body
    # summary counts agree with the sheets
    owners, total, rules = summary_tables(wbv["汇总"])
    count = {}
    for body in data.values():
        for r in body:
            c = count.setdefault(r[10], [0, 0, 0, 0])
            c[0 if r[1] == "错误" else 1] += 1
            c[2] += 1
            c[3] += 1 if r[12] else 0
    for o, c in count.items():
        check(o in owners and list(owners[o]) == c, f"{name}: summary {o}: {owners.get(o)} vs sheets {c}")
    check(set(owners) == set(count), f"{name}: summary owners {set(owners)} vs {set(count)}")
    check(total[2] == sum(c[2] for c in count.values()) == int(kv["problems"]),
          f"{name}: total {total} vs {kv['problems']}")
    per_rule = {}
    for body in data.values():
        for r in body:
            per_rule[r[0]] = per_rule.get(r[0], 0) + 1
    for rid, r in rules.items():
        check(r[3] == per_rule.get(rid, 0), f"{name}: rule {rid}: summary {r[3]} vs sheets {per_rule.get(rid, 0)}")
    check(kv["rules"] == str(len(rules)), f"{name}: _baosong rules {kv['rules']} vs {len(rules)}")
    # every department sheet is linked from the summary
    links = {c.hyperlink.location for r in wb["汇总"].iter_rows() for c in r if c.hyperlink}
    for sn in dept:
        q = "'" + sn.replace("'", "''") + "'!A1"
        check(q in links, f"{name}: no link to {sn}")
    return data, rules

def xml_ok(path):
    with zipfile.ZipFile(path) as z:
        for n in z.namelist():
            if n.endswith(".xml") or n.endswith(".rels"):
                try:
                    xml.dom.minidom.parseString(z.read(n))
                except Exception as e:
                    errors.append(f"{path}:{n}: not well-formed XML: {e}")

books = {}
for s in "few split chinese many special nulls overflow empty".split():
    p = f"{out}/{s}.xlsx"
    xml_ok(p)
    wb = openpyxl.load_workbook(p)
    wbv = openpyxl.load_workbook(p, data_only=True)
    books[s] = (wb, wbv) + generic(s, wb, wbv)

# few
wb, wbv, data, rules = books["few"]
check(wb.sheetnames == ["汇总", "业务管理部", "财务部", "_baosong"], f"few: {wb.sheetnames}")
check(tuple(data["业务管理部"][0][:10]) == ("C8-001", "错误", "C8", "policy", 12, 13, "P0000012",
      "policy_no", "(空)", "保单号不能为空"), f"few: row {data['业务管理部'][0]}")
check([r[6] for r in data["财务部"]] == ["P0000015", "P0000099"], "few: 财务部 keys")
check(rules["C9-001"][3] == 0 and rules["C9-001"][1] == "警告", f"few: C9-001 {rules['C9-001']}")

# split
wb, wbv, data, rules = books["split"]
want = {"财务部": ["K000", "K001", "K002"], "业务管理部": ["K003", "K007"],
        "财务部 (2)": ["K004", "K005", "K006"], "财务部 (3)": ["K008", "K009", "K010"],
        "财务部 (4)": ["K011"]}
check(wb.sheetnames[1:-1] == list(want), f"split: {wb.sheetnames}")
for sn, keys in want.items():
    check([r[6] for r in data[sn]] == keys, f"split/{sn}: keys {[r[6] for r in data[sn]]}")
check(wbv["财务部 (2)"]["Q1"].value.startswith("续表（第 2 张）：接工作表“财务部”"),
      f"split: Q1 {wbv['财务部 (2)']['Q1'].value!r}")
check(meta_of(wbv)["max_rows"] == "3", "split: max_rows")

# chinese
wb, wbv, data, rules = books["chinese"]
check(wb.sheetnames[1:-1] == ["财务_精算_部_", "稽核_调查_部_", "_信息技术部",
      "总公司个人业务与团体业务管理委员会办公室下设的数据治理与监管报", "Sales", "sales (2)",
      "汇总 (2)", "未指定部门"], f"chinese: {wb.sheetnames}")
r = data["财务_精算_部_"][0]
check(r[3] == "保单表" and r[6] == "保单号甲|分公司乙" and r[7] == "被保险人姓名;证件号码"
      and r[8] == "张三;11010519491231002X" and r[10] == "财务/精算[部]"
      and r[1] == "警告", f"chinese: row {r}")
check(data["稽核_调查_部_"][0][10] == "'稽核:调查*部?'", "chinese: owner with quotes")

# many: the generator of test_workbook.c, again
wb, wbv, data, rules = books["many"]
owners = ["业务管理部", "财务部", "精算部", "信息技术部"]
exp = {o: [] for o in owners}
for i in range(500):
    rid = i % 5
    carried = i % 10 == 0
    exp[owners[i % 7 % 4]].append((
        f"R00{rid + 1}", "错误" if rid < 3 else "警告", "C8" if rid < 3 else "C9",
        "policy", i + 1, i + 2, f"P{i + 1:08d}", "premium", "%d.00" % -i,
        f"规则 {rid + 1} 的问题描述", owners[i % 7 % 4], "未变" if carried else "新",
        "说明" if carried else None, "已核实，系退保冲销" if carried else None,
        "张三" if carried else None))
check(wb.sheetnames[1:-1] == owners, f"many: {wb.sheetnames}")
for o in owners:
    got = [tuple(r[:15]) for r in data[o]]
    if not check(got == exp[o], f"many/{o}: rows differ"):
        for a, b in zip(got, exp[o]):
            if a != b:
                errors.append(f"  first difference: {a} != {b}")
                break
check(rules["R006"][3] == 0, "many: R006 not listed with 0")
summ = wb["汇总"]
formulas = [c.value for r in summ.iter_rows() for c in r
            if isinstance(c.value, str) and c.value.startswith("=COUNTA(")]
check(len(formulas) == 4, f"many: answered formulas {formulas}")
kv = meta_of(wbv)
check(kv["report_title"] == "EAST 样例 2026-10 问题数据清单", "many: title")

# special characters
wb, wbv, data, rules = books["special"]
sn = wb.sheetnames[1]
check(sn == "A&B<部>", f"special: sheet name {sn!r}")
r = data[sn][0]
check(r[0] == "S&1" and r[3] == 't"q"' and r[6] == 'k<1>&"2"', f"special: ids {r[:7]}")
check(r[8] == 'x & y < z > "w";line1\nline2', f"special: values {r[8]!r}")
check(r[9] == "crlf\nhere, cr\nthere, tab\tok", f"special: message {r[9]!r}")
check(r[13] == "ctl\ufffd\ufffdbad\ufffd\ufffdutf8 \ufffd\ufffd", f"special: comment {r[13]!r}")
# openpyxl 3.0 does not decode ST_Xstring escapes; LibreOffice does (below)
check(r[14] == "_x005F_x0041_ stays", f"special: reviewer {r[14]!r}")
big = data[sn][1][8]
check(big.startswith("y" * 1000) and big.endswith("…（已截断）") and len(big) <= 32767,
      f"special: long value len {len(big)}")

# NULL fields, no metadata
wb, wbv, data, rules = books["nulls"]
r = data["未指定部门"][0]
check(r[0] == "N1" and r[1] == "错误" and r[10] == "未指定部门"
      and all(r[i] is None for i in (2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14)), f"nulls: row {r}")
check(wbv["汇总"]["A1"].value == "问题数据清单", "nulls: default title")
check(meta_of(wbv)["filing"] == "", "nulls: filing not empty")

# no problem at all: summary and _baosong only, rules listed with 0
wb, wbv, data, rules = books["empty"]
check(wb.sheetnames == ["汇总", "_baosong"], f"empty: {wb.sheetnames}")
check(set(rules) == {"R1", "R2"} and all(r[3] == 0 for r in rules.values()), f"empty: rules {rules}")

# overflow into the shared sheet
wb, wbv, data, rules = books["overflow"]
check(wb.sheetnames[1:-1] == ["业务管理部", "财务部", "其余部门", "其余部门 (2)",
      "其余部门 (3)", "其余部门 (4)"], f"overflow: {wb.sheetnames}")
check([r[10] for r in data["其余部门 (3)"]] == ["业务管理部", "财务部"], "overflow: (3) owners")

if errors:
    print("\n".join("FAIL: " + e for e in errors))
    sys.exit(1)
print("ok: openpyxl reads %d workbooks; sheets, header, filter, drop-down, "
      "_baosong, counts, chart and links as written" % len(books))
PY

# ---------------------------------------------------------------- LibreOffice
csv="$work/csv"
mkdir -p "$csv"
files=()
for s in $samples; do files+=("$out/$s.xlsx"); done
if ! timeout 600 soffice --headless -env:UserInstallation="file://$work/profile" \
	--convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1' \
	--outdir "$csv" "${files[@]}" >"$work/soffice.log" 2>&1; then
	cat "$work/soffice.log"
	fail "soffice could not convert the workbooks"
fi

"$PY" - "$out" "$csv" <<'PY'
import csv, os, sys, openpyxl

out, d = sys.argv[1], sys.argv[2]
errors = []

def check(cond, what):
    if not cond:
        errors.append(what)
    return cond

def read(sample, sheet):
    p = os.path.join(d, f"{sample}-{sheet}.csv")
    if not check(os.path.exists(p), f"LibreOffice wrote no {os.path.basename(p)}"):
        return []
    with open(p, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))

nsheets = 0
for s in "few split chinese many special nulls overflow empty".split():
    names = openpyxl.load_workbook(f"{out}/{s}.xlsx", read_only=True).sheetnames
    for sn in names:
        rows = read(s, sn)
        nsheets += 1
        if sn in ("汇总", "_baosong") or not rows:
            continue
        check(rows[0][:3] == ["规则编号", "严重程度", "规则类别"], f"{s}/{sn}: header {rows[0][:3]}")

def summary(sample):
    rows = read(sample, "汇总")
    return {r[0]: r for r in rows if r}

# many: counts, and the answered formulas recalculated by LibreOffice
owners = ["业务管理部", "财务部", "精算部", "信息技术部"]
answered = {o: 0 for o in owners}
total = {o: 0 for o in owners}
for i in range(500):
    total[owners[i % 7 % 4]] += 1
    answered[owners[i % 7 % 4]] += i % 10 == 0
sm = summary("many")
for o in owners:
    r = sm.get(o)
    check(r and r[3] == str(total[o]) and r[4] == str(answered[o]),
          f"many: summary row {o}: {r}, want total {total[o]} answered {answered[o]}")
check(sm.get("合计", [])[1:5] == ["300", "200", "500", "50"], f"many: total row {sm.get('合计')}")
rows = read("many", "业务管理部")
check(len(rows) == 1 + total["业务管理部"], f"many: 业务管理部 {len(rows)} rows")
check(rows[1][:9] == ["R001", "错误", "C8", "policy", "1", "2", "P00000001", "premium", "0.00"],
      f"many: first row {rows[1]}")
check(rows[1][11:] == ["未变", "说明", "已核实，系退保冲销", "张三"], f"many: carried {rows[1][11:]}")

# overflow: COUNTIFS over the shared sheets
sm = summary("overflow")
check(sm.get("信息技术部", [None] * 5)[4] == "1", f"overflow: 信息技术部 {sm.get('信息技术部')}")
check(sm.get("业务管理部", [None] * 5)[4] == "0", f"overflow: 业务管理部 {sm.get('业务管理部')}")
# links: own sheets, then the shared sheets from the first one used on
check([c for c in sm.get("业务管理部", [])[5:] if c] == ["业务管理部", "其余部门 (3)", "其余部门 (4)"],
      f"overflow: 业务管理部 sheets {sm.get('业务管理部')}")
check([c for c in sm.get("精算部", [])[5:] if c] == ["其余部门", "其余部门 (2)", "其余部门 (3)", "其余部门 (4)"],
      f"overflow: 精算部 sheets {sm.get('精算部')}")

# split: every sheet's keys
want = {"财务部": ["K000", "K001", "K002"], "业务管理部": ["K003", "K007"],
        "财务部 (2)": ["K004", "K005", "K006"], "财务部 (3)": ["K008", "K009", "K010"],
        "财务部 (4)": ["K011"]}
for sn, keys in want.items():
    rows = read("split", sn)
    check([r[6] for r in rows[1:]] == keys, f"split/{sn}: keys {[r[6] for r in rows[1:]]}")

# special characters, as a reviewer sees them
sn = "A&B<部>"
rows = read("special", sn)
if check(len(rows) == 3, f"special: {len(rows)} rows"):
    r = rows[1]
    check(r[0] == "S&1" and r[3] == 't"q"' and r[6] == 'k<1>&"2"', f"special: ids {r[:7]}")
    check(r[8] == 'x & y < z > "w";line1\nline2', f"special: values {r[8]!r}")
    check(r[14] == "_x0041_ stays", f"special: reviewer {r[14]!r}")
    check(rows[2][8].endswith("…（已截断）"), "special: truncated value")

# _baosong, as LibreOffice reads it
kv = {r[0]: r[1] for r in read("many", "_baosong") if r}
check(kv.get("filing") == "east-sample/2026-10" and kv.get("format_version") == "1",
      f"many: _baosong {kv.get('filing')} {kv.get('format_version')}")

# chinese names survive in file names and cells
rows = read("chinese", "总公司个人业务与团体业务管理委员会办公室下设的数据治理与监管报")
check(len(rows) == 2 and rows[1][10].startswith("总公司个人业务"), "chinese: long name sheet")

if errors:
    print("\n".join("FAIL: " + e for e in errors))
    sys.exit(1)
print(f"ok: LibreOffice converts {nsheets} sheets to CSV; rows, recalculated formulas and text as written")
PY
