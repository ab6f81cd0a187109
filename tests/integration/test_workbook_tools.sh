#!/bin/bash
# The workbook tools the review tests rely on: /usr/bin/python3 with openpyxl
# (python3 on PATH may be a pyenv build without Debian's packages) writes an
# XLSX with Chinese sheet names and text, and headless LibreOffice with a
# private profile (tests/lib.sh bs_soffice_csv) turns every sheet into UTF-8
# CSV - as root, without X, leaving nothing in HOME.
. "$SRC/tests/lib.sh"
bs_test_init
export HOME=$BS_TMP/home
mkdir "$HOME"

py=/usr/bin/python3
assert_rc 0 "$py" -c 'import openpyxl' || bs_test_done

assert_rc 0 "$py" -c '
import sys, openpyxl
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "问题数据"
ws.append(["规则", "行", "值", "说明"])
ws.append(["R001", 2, "张三", "a, \"quoted\" value"])
ws.append(["R002", 3, 130.10, None])
s = wb.create_sheet("Summary")
s.append(["n"])
s["A2"] = "=1+1"
wb.save(sys.argv[1])
' "$BS_TMP/问题清单.xlsx"

assert_rc 0 bs_soffice_csv "$BS_TMP/问题清单.xlsx" "$BS_TMP/csv"
assert_rc 0 cat "$BS_TMP/csv/问题清单-问题数据.csv"
assert_eq '规则,行,值,说明
R001,2,张三,"a, ""quoted"" value"
R002,3,130.1,' "$BS_OUT" "first sheet as CSV"
assert_rc 0 cat "$BS_TMP/csv/问题清单-Summary.csv"
assert_eq 'n
2' "$BS_OUT" "second sheet (formula recalculated)"

# The private profile kept LibreOffice out of HOME.
assert_eq "" "$(ls -A "$HOME")" "files left in HOME"

bs_test_done
