# Fill a review workbook as a reviewer would, with openpyxl.
#   edit.py IN.xlsx OUT.xlsx RULE=DISPOSITION[:COMMENT[:REVIEWER]] ... [--reverse] [--add-sheet]
# --reverse writes each department's rows in reverse order (a sorted sheet);
# --add-sheet adds a sheet of the reviewer's own.
import sys, openpyxl
src, dst, *args = sys.argv[1:]
answers = {}
for a in args:
    if a.startswith("--"):
        continue
    rule, rest = a.split("=", 1)
    parts = rest.split(":")
    answers[rule] = (parts + ["", ""])[:3]
wb = openpyxl.load_workbook(src)
for ws in wb.worksheets:
    if ws.title in ("汇总", "_baosong"):
        continue
    hdr = [c.value for c in ws[1]]
    ci = {h: i for i, h in enumerate(hdr)}
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    for r in rows:
        if r[ci["规则编号"]] in answers:
            d, comment, who = answers[r[ci["规则编号"]]]
            r[ci["处理方式"]] = d or None
            r[ci["处理说明"]] = comment or None
            r[ci["复核人"]] = who or None
    if "--reverse" in args:
        rows.reverse()
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            ws.cell(row=i + 2, column=j + 1, value=v)
if "--add-sheet" in args:
    wb.create_sheet("我的备注").append(["复核记录", "自己加的表"])
wb.save(dst)
