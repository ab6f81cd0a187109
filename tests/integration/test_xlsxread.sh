#!/bin/bash
# lib/xlsxread.h against workbooks from the writers reviewers use.
#
# Fixtures are made here, not committed:
#   review.xlsx         libxlsxwriter, constant_memory (inline strings) - what
#                       baosong-validate writes (unit-test binary, BS_XLSX_WRITE)
#   review-shared.xlsx  libxlsxwriter, normal mode (shared strings)
#   edited.xlsx         review.xlsx after "the reviewer" edited it with openpyxl:
#                       rows sorted, dispositions filled in, blanks, newlines,
#                       & < > ", a formula with no cached value, booleans,
#                       float noise, an error value, a sheet added in front,
#                       a sheet made veryHidden (absolute rels targets, inline
#                       strings, Chinese as character references)
#   edited-lo.xlsx      edited.xlsx re-saved by headless LibreOffice (relative
#                       targets, shared strings, other rIds, formulas computed)
#   rich.xlsx           shared strings written by hand with python's zipfile:
#                       rich-text runs in two fonts, a phonetic run, preserved
#                       blanks, entities (openpyxl 3.0.9 has no CellRichText)
#   rich-lo.xlsx        rich.xlsx re-saved by LibreOffice (runs kept)
# For each, build/tests/test_xlsxread in BS_XLSX_DUMP mode prints every
# sheet as "REF TYPE VALUE" lines and openpyxl (data_only) prints its own
# view of the same file in the same format; the two must be identical
# (numbers are compared after %.15g on both sides).  Then damaged copies
# must fail with exit 65 and a message naming the file and the part.
#
# Every tool is required: a missing one is a failure, not a skip
# (make check installs them: scripts/bootstrap).
. "$SRC/tests/lib.sh"
bs_test_init
export HOME=$BS_TMP/home
mkdir "$HOME"

T=$BUILD_DIR/tests/test_xlsxread
py=/usr/bin/python3
W=$BS_TMP/w
mkdir "$W"

[ -x "$T" ] || { bs_fail "$T not built"; bs_test_done; }
"$py" -c 'import openpyxl' 2>/dev/null || { bs_fail "$py with openpyxl is missing"; bs_test_done; }
command -v soffice >/dev/null || { bs_fail "soffice (LibreOffice) is missing"; bs_test_done; }

# soffice_xlsx IN OUTDIR: re-save IN as OUTDIR/<same name> with LibreOffice,
# with a private profile and HOME (TECH-NOTES §6).
soffice_xlsx()
{
	local prof rc
	prof=$(mktemp -d "$BS_TMP/soffice.XXXXXX") || return 1
	mkdir "$prof/home"
	HOME=$prof/home XDG_CONFIG_HOME=$prof/home/.config XDG_CACHE_HOME=$prof/home/.cache \
	GSETTINGS_BACKEND=memory \
	soffice --headless --norestore -env:UserInstallation="file://$prof/profile" \
		--convert-to 'xlsx:Calc MS Excel 2007 XML' --outdir "$2" "$1" \
		</dev/null >"$prof/log" 2>&1
	rc=$?
	if [ $rc -ne 0 ] || [ ! -s "$2/$(basename "$1")" ]; then
		echo "soffice: $1: conversion failed (exit $rc):" >&2
		cat "$prof/log" >&2
		return 1
	fi
}

# openpyxl's view, in the format of the C dump (see tests/unit/test_xlsxread.c).
cat >"$W/pydump.py" <<'EOF'
import sys, datetime, openpyxl
from openpyxl.utils.datetime import to_excel

def num(v):
    s = '%.15g' % v
    return '0' if s == '-0' else s

def esc(s):
    return (s.replace('\\', '\\\\').replace('\t', '\\t')
            .replace('\r', '\\r').replace('\n', '\\n'))

wb = openpyxl.load_workbook(sys.argv[1], data_only=True)
out = []
for ws in wb.worksheets:
    out.append('sheet\t%s\t%s' % (ws.title, ws.sheet_state))
    for row in ws.iter_rows():
        for c in row:
            v = c.value
            if v is None:
                continue
            if isinstance(v, bool):
                t, v = 'b', 'TRUE' if v else 'FALSE'
            elif isinstance(v, (int, float)):
                t, v = 'n', num(v)
            elif isinstance(v, (datetime.datetime, datetime.date,
                                datetime.time, datetime.timedelta)):
                t, v = 'n', num(to_excel(v))
            elif c.data_type == 'e':
                t = 'e'
            else:
                t = 's'
            out.append('%s\t%s\t%s' % (c.coordinate, t, esc(str(v))))
sys.stdout.write('\n'.join(out) + '\n')
EOF
pydump()
{
	"$py" -W ignore "$W/pydump.py" "$1"
}

# zipcat FILE MEMBER: one member's bytes
zipcat()
{
	"$py" -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' "$1" "$2"
}

# same_view FILE: the C reader and openpyxl agree on every cell
same_view()
{
	local f=$1 name
	name=$(basename "$f")
	assert_rc 0 env BS_XLSX_DUMP="$f" "$T" || return 1
	printf '%s\n' "$BS_OUT" >"$W/$name.c.txt"
	pydump "$f" >"$W/$name.py.txt" || { bs_fail "$name: openpyxl could not read it"; return 1; }
	if ! diff -u "$W/$name.py.txt" "$W/$name.c.txt" >"$W/$name.diff"; then
		bs_fail "$name: the C reader and openpyxl differ (- openpyxl, + C):"
		head -40 "$W/$name.diff" >&2
		return 1
	fi
	bs_note "$name: $(grep -vc '^sheet' "$W/$name.c.txt") cells, same as openpyxl"
}

# has_line FILE LINE: the C dump of FILE holds this exact line
has_line()
{
	grep -qxF -- "$2" "$W/$(basename "$1").c.txt" ||
		bs_fail "$(basename "$1"): no line '$2' in the C dump"
}

# ------------------------------------------------------------- fixtures

# (assert_rc gives commands /dev/null as stdin: scripts go to files first)
cat >"$W/edit.py" <<'EOF'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb['问题数据']
n = 30
# the reviewer sorts the problem rows by number, descending ...
rows = [[c.value for c in row]
        for row in ws.iter_rows(min_row=2, max_row=n + 1, max_col=6)]
rows.sort(key=lambda v: v[0], reverse=True)
for i, vals in enumerate(rows):
    for j, v in enumerate(vals):
        ws.cell(i + 2, j + 1).value = v
# ... fills in the dispositions and notes ...
ops = ['已确认', '误报', '已修正']
for r in range(2, n + 2):
    ws.cell(r, 6).value = ops[r % 3]
ws['F3'] = '  前后空格\n第二行  '
ws['F4'] = 'a & b <c> "q" \'x\' &amp; &#20013;'
ws['F5'] = '\t制表符'
ws['G1'] = '备注'
ws['G5'] = '=F2&F3'        # openpyxl writes a formula with no cached value
ws['H1'] = '复核'
ws['H2'] = True
ws['H3'] = False
ws['D6'] = 66.84999999999999
ws['D7'] = 0.1 + 0.2
ws['D8'] = -0.0
ws['D9'] = 1e20
ws['D10'] = 123456789012
ws['I2'] = '#N/A'          # an error value
ws['J2'] = ''              # an empty string: openpyxl writes an empty cell
# ... adds a sheet of their own, in front, and hides one
notes = wb.create_sheet('我的笔记', 0)
notes['A1'] = '第一行'
notes['B7'] = 7
notes['C7'] = '第七行'
wb['说明'].sheet_state = 'veryHidden'
wb.active = 1
wb.save(sys.argv[2])
EOF

cat >"$W/rich.py" <<'EOF'
import sys, zipfile
M = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
P = 'http://schemas.openxmlformats.org/package/2006/relationships'
CT = 'application/vnd.openxmlformats-officedocument.spreadsheetml.'
decl = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
parts = {
    '[Content_Types].xml': decl +
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="' + CT + 'sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="' + CT + 'worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="' + CT + 'sharedStrings+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="' + CT + 'styles+xml"/>'
    '</Types>',
    '_rels/.rels': decl + '<Relationships xmlns="%s"><Relationship Id="rId1" '
    'Type="%s/officeDocument" Target="xl/workbook.xml"/></Relationships>' % (P, R),
    'xl/workbook.xml': decl + '<workbook xmlns="%s" xmlns:r="%s"><sheets>'
    '<sheet name="富文本" sheetId="1" r:id="rId3"/></sheets></workbook>' % (M, R),
    'xl/_rels/workbook.xml.rels': decl + '<Relationships xmlns="%s">'
    '<Relationship Id="rId1" Type="%s/styles" Target="styles.xml"/>'
    '<Relationship Id="rId2" Type="%s/sharedStrings" Target="sharedStrings.xml"/>'
    '<Relationship Id="rId3" Type="%s/worksheet" Target="worksheets/sheet1.xml"/>'
    '</Relationships>' % (P, R, R, R),
    'xl/styles.xml': decl + '<styleSheet xmlns="%s">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '</styleSheet>' % M,
    'xl/sharedStrings.xml': decl + '<sst xmlns="%s" count="6" uniqueCount="6">'
    '<si><t>说明</t></si>'
    '<si><r><rPr><b/><sz val="11"/><rFont val="宋体"/><family val="3"/><charset val="134"/></rPr><t>粗体</t></r>'
    '<r><rPr><i/><sz val="11"/><color rgb="FFFF0000"/><rFont val="Calibri"/><family val="2"/></rPr>'
    '<t xml:space="preserve"> 红色斜体 </t></r></si>'
    '<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="0" type="noConversion"/></si>'
    '<si><r><t xml:space="preserve">  两端空格  </t></r><r><rPr><b/></rPr><t>\n第二行</t></r></si>'
    '<si><t>a &amp; b &lt;c&gt; "q" &#20013;</t></si>'
    '<si><t></t></si>'
    '</sst>' % M,
    'xl/worksheets/sheet1.xml': decl + '<worksheet xmlns="%s"><sheetData>'
    '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    '<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>2</v></c></row>'
    '<row r="5"><c r="B5" t="s"><v>3</v></c><c r="C5" t="s"><v>4</v></c>'
    '<c r="D5"><v>3.3000000000000003</v></c><c r="E5" t="s"><v>5</v></c></row>'
    '</sheetData></worksheet>' % M,
}
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    for name, text in parts.items():
        z.writestr(name, text.encode('utf-8'))
EOF

cat >"$W/damage.py" <<'EOF'
# damage.py SRC NOWB CUTSHEET: SRC without xl/workbook.xml; SRC with its
# second sheet cut in the middle
import sys, zipfile
src = zipfile.ZipFile(sys.argv[1])
with zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_DEFLATED) as z:
    for i in src.infolist():
        if i.filename != 'xl/workbook.xml':
            z.writestr(i.filename, src.read(i.filename))
with zipfile.ZipFile(sys.argv[3], 'w', zipfile.ZIP_DEFLATED) as z:
    for i in src.infolist():
        data = src.read(i.filename)
        if i.filename == 'xl/worksheets/sheet2.xml':
            data = data[:len(data) // 2]
        z.writestr(i.filename, data)
EOF

mkdir "$W/lo"
{
	assert_rc 0 env BS_XLSX_WRITE="$W/review.xlsx" BS_XLSX_WRITE_KIND=review "$T" &&
	assert_rc 0 env BS_XLSX_WRITE="$W/review-shared.xlsx" BS_XLSX_WRITE_KIND=review-shared "$T" &&
	assert_rc 0 "$py" -W ignore "$W/edit.py" "$W/review.xlsx" "$W/edited.xlsx" &&
	assert_rc 0 "$py" "$W/rich.py" "$W/rich.xlsx" &&
	assert_rc 0 soffice_xlsx "$W/edited.xlsx" "$W/lo" &&
	assert_rc 0 soffice_xlsx "$W/rich.xlsx" "$W/lo" &&
	mv "$W/lo/edited.xlsx" "$W/edited-lo.xlsx" &&
	mv "$W/lo/rich.xlsx" "$W/rich-lo.xlsx"
} || bs_test_done

# Each fixture is what it claims to be.
rels=$(zipcat "$W/edited.xlsx" xl/_rels/workbook.xml.rels)
assert_contains "$rels" 'Target="/xl/worksheets/sheet1.xml"' "openpyxl's targets"
assert_rc 1 zipcat "$W/edited.xlsx" xl/sharedStrings.xml
assert_rc 0 zipcat "$W/edited.xlsx" xl/worksheets/sheet2.xml
assert_contains "$BS_OUT" 't="inlineStr"' "openpyxl's strings"
rels=$(zipcat "$W/edited-lo.xlsx" xl/_rels/workbook.xml.rels)
assert_contains "$rels" 'Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"' \
	"LibreOffice's targets and rIds"
assert_rc 0 zipcat "$W/edited-lo.xlsx" xl/sharedStrings.xml
assert_rc 0 zipcat "$W/rich-lo.xlsx" xl/sharedStrings.xml
assert_contains "$BS_OUT" '</t></r><r><rPr>' "LibreOffice's rich text runs"
assert_rc 1 zipcat "$W/review.xlsx" xl/sharedStrings.xml
assert_rc 0 zipcat "$W/review-shared.xlsx" xl/sharedStrings.xml

# ------------------------------------------------------------ same view

for f in review.xlsx review-shared.xlsx edited.xlsx edited-lo.xlsx rich.xlsx rich-lo.xlsx; do
	same_view "$W/$f"
done

# And the values are the right ones (not merely wrong the same way).
for f in review.xlsx review-shared.xlsx; do
	has_line "$f" $'sheet\t问题数据\tvisible'
	has_line "$f" $'C2\ts\t第2行：身份证号校验位错误'
	has_line "$f" $'D6\tn\t66.85'
	has_line "$f" $'E2\tb\tTRUE'
	has_line "$f" $'sheet\tSummary\thidden'
	has_line "$f" $'C34\ts\t  lead\\ntrail  '
	has_line "$f" $'C35\ts\ta & b <c> "q" \'单引号\''
	has_line "$f" $'D35\tn\t46112'
done
for f in edited.xlsx edited-lo.xlsx; do
	has_line "$f" $'A2\ts\tP030'
	has_line "$f" $'A31\ts\tP001'
	has_line "$f" $'F3\ts\t  前后空格\\n第二行  '
	has_line "$f" $'F4\ts\ta & b <c> "q" \'x\' &amp; &#20013;'
	has_line "$f" $'F5\ts\t\\t制表符'
	has_line "$f" $'H2\tb\tTRUE'
	has_line "$f" $'H3\tb\tFALSE'
	has_line "$f" $'I2\te\t#N/A'
	has_line "$f" $'D6\tn\t66.85'
	has_line "$f" $'D7\tn\t0.3'
	has_line "$f" $'D9\tn\t1e+20'
	has_line "$f" $'C7\ts\t第七行'
done
# sheet order and states: the added sheet first; LibreOffice has no veryHidden
assert_eq $'sheet\t我的笔记\tvisible\nsheet\t问题数据\tvisible\nsheet\tSummary\thidden\nsheet\t说明\tveryHidden' \
	"$(grep '^sheet' "$W/edited.xlsx.c.txt")" "edited.xlsx sheets"
assert_eq $'sheet\t我的笔记\tvisible\nsheet\t问题数据\tvisible\nsheet\tSummary\thidden\nsheet\t说明\thidden' \
	"$(grep '^sheet' "$W/edited-lo.xlsx.c.txt")" "edited-lo.xlsx sheets"
# the formula openpyxl left without a value has none; LibreOffice computed it
assert_not_contains "$(cat "$W/edited.xlsx.c.txt")" $'\nG5\t' "edited.xlsx"
has_line edited-lo.xlsx $'G5\ts\t已修正  前后空格\\n第二行  '
for f in rich.xlsx rich-lo.xlsx; do
	has_line "$f" $'A2\ts\t粗体 红色斜体 '
	has_line "$f" $'B2\ts\t東京'
	has_line "$f" $'B5\ts\t  两端空格  \\n第二行'
	has_line "$f" $'C5\ts\ta & b <c> "q" 中'
	has_line "$f" $'D5\tn\t3.3'
done
has_line rich.xlsx $'E5\ts\t'

# ------------------------------------------------------------ damaged files

# truncated
head -c 5000 "$W/edited-lo.xlsx" >"$W/cut.xlsx"
assert_rc 65 env BS_XLSX_DUMP="$W/cut.xlsx" "$T"
assert_contains "$BS_ERR" "$W/cut.xlsx: damaged zip archive" "truncated zip"
# not a zip
printf '编号,说明\n' >"$W/text.xlsx"
assert_rc 65 env BS_XLSX_DUMP="$W/text.xlsx" "$T"
assert_contains "$BS_ERR" "$W/text.xlsx: not a zip archive" "not a zip"
# missing
assert_rc 66 env BS_XLSX_DUMP="$W/none.xlsx" "$T"
assert_contains "$BS_ERR" "cannot open '$W/none.xlsx': No such file or directory" "missing file"
# a zip without xl/workbook.xml, and one whose second sheet is cut in the middle
assert_rc 0 "$py" "$W/damage.py" "$W/edited-lo.xlsx" "$W/nowb.xlsx" "$W/cutsheet.xlsx"
assert_rc 65 env BS_XLSX_DUMP="$W/nowb.xlsx" "$T"
assert_contains "$BS_ERR" "$W/nowb.xlsx: xl/workbook.xml: part missing" "no workbook part"
assert_rc 65 env BS_XLSX_DUMP="$W/cutsheet.xlsx" "$T"
assert_contains "$BS_ERR" "$W/cutsheet.xlsx: xl/worksheets/sheet2.xml: line 2: malformed XML: " "sheet cut in the middle"
# the rows before the cut were read
assert_contains "$BS_OUT" $'sheet\t问题数据\tvisible\nA1\ts\t编号' "rows before the cut"

# LibreOffice wrote nothing into HOME
assert_eq "" "$(ls -A "$HOME")" "files left in HOME"

bs_test_done
