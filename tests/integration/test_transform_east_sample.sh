#!/usr/bin/env bash
# baosong-transform on the east-sample report, against the ledger: generate
# the sample insurer database (scripts/gen-sample, demo seed), extract and
# validate 2026-10, let the demo's scripted reviewer answer the problems
# (it excludes R060 duplicates and R103 values the '|' files cannot carry),
# then transform the validation run with rules/east-sample/layout.yaml and
# check, for every data file:
#   - it decodes as GB18030 with iconv, every line ends in CRLF, and has as
#     many '|' as the layout has fields, less one;
#   - its control file states its name, records, sums and SHA-256, and they
#     equal what this test computes independently: the table's SELECT run
#     on the source database through Python's sqlite3, less every record
#     whose key a reviewer excluded, amounts rounded half up to 2 decimals
#     with Python's Decimal (for gl_summary: the general-ledger figures);
#   - the fixed-width policy file has the same records and sums, and every
#     line is as many GB18030 bytes as the widths add up to;
#   - the manifest lists every file with its SHA-256.
. "$SRC/tests/lib.sh"
bs_test_init
PY=/usr/bin/python3
export PATH="$BUILD_DIR:$PATH"

ws=$BS_TMP/ws
mkdir -p "$ws/data"
if ! "$PY" "$SRC/scripts/gen-sample" --seed 20261031 --out-sqlite "$ws/data/demo.db" \
	>"$BS_TMP/gen.log" 2>&1; then
	cat "$BS_TMP/gen.log"
	bs_fail "scripts/gen-sample failed"
	bs_test_done
fi
cat >"$ws/baosong.yaml" <<YAML
institution: {code: "000001", name: 示例财产保险股份有限公司}
connections:
  demo: {sqlite: data/demo.db}
tracking: {sqlite: tracking.db}
reports: [$SRC/rules]
calendar: $SRC/rules/ref/calendar-cn.csv
YAML
cd "$ws" || exit 70
F=east-sample/2026-10

assert_rc 0 baosong-extract --report east-sample --param period=2026-10 || bs_test_done
assert_rc 1 baosong-validate --report east-sample --param period=2026-10 || bs_test_done
vrun=$BS_OUT
# before any answer: the R103 values are refused, all of them, nothing written
assert_rc 1 baosong-transform --in "$vrun" --check --max-problems 0
assert_contains "$BS_ERR" "14 values cannot be written as the layout asks (customer 8, claim_payment 6)"
"$PY" "$SRC/scripts/demo-reviewer" "$vrun/review.xlsx" "$BS_TMP/answered.xlsx" >/dev/null
assert_rc 0 baosong-review import "$BS_TMP/answered.xlsx" --filing $F --by 数据管理员 || bs_test_done
assert_rc 0 baosong-transform --in "$vrun" --out "$BS_TMP/out" || bs_test_done

"$PY" - "$BS_TMP/out" "$ws/data/demo.db" "$ws/tracking.db" "$SRC/rules/east-sample" <<'PY' || bs_fail "the files disagree with the ledger"
import hashlib, json, os, sqlite3, subprocess, sys
from decimal import Decimal, ROUND_HALF_UP

out, db, tracking, rules = sys.argv[1:5]
m = json.load(open(os.path.join(out, "manifest.json"), encoding="utf-8"))
fails = []
def fail(msg):
    fails.append(msg)
    print("FAIL:", msg)

# what reviewers excluded, per table
excl = {}
for t, k in sqlite3.connect(tracking).execute(
        "select table_name, record_key from bs_disposition where disposition = 'excluded'"):
    excl.setdefault(t, set()).add(k)

# each table's key, from its rule file
import re
keys = {}
for f in os.listdir(rules):
    if f.endswith(".rules.yaml"):
        text = open(os.path.join(rules, f), encoding="utf-8").read()
        t = re.search(r"^table: (\w+)", text, re.M).group(1)
        k = re.search(r"^key: (.+)$", text, re.M).group(1).strip()
        keys[t] = [c.strip() for c in k.strip("[]").split(",")]

src = sqlite3.connect(db)
params = {"period": "2026-10", "period_start": "2026-10-01", "period_end": "2026-10-31",
          "institution_code": "000001"}
def ledger(table, sum_cols):
    cur = src.execute(open(os.path.join(rules, table + ".sql"), encoding="utf-8").read(), params)
    cols = [d[0] for d in cur.description]
    ki = [cols.index(k) for k in keys[table]]
    rows, sums = 0, {c: Decimal(0) for c in sum_cols}
    for r in cur:
        key = "|".join("" if r[i] is None else str(r[i]) for i in ki)
        if key in excl.get(table, ()):
            continue
        rows += 1
        for c in sum_cols:
            v = r[cols.index(c)]
            if v is not None:
                sums[c] += Decimal(repr(v) if isinstance(v, float) else str(v)).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP)
    return rows, {c: "%.2f" % s for c, s in sums.items()}

checked = 0
for t in m["control_totals"]:
    path = os.path.join(out, t["file"])
    data = open(path, "rb").read()
    table = t["table"]
    # decodes as GB18030 (iconv, as the regulator would), CRLF line ends
    r = subprocess.run(["iconv", "-f", "GB18030", "-t", "UTF-8", path], capture_output=True)
    if r.returncode != 0:
        fail("%s does not decode as GB18030: %s" % (t["file"], r.stderr.decode()))
    lines = data.split(b"\r\n")
    if lines[-1] != b"" or any(b"\n" in l or b"\r" in l for l in lines[:-1]):
        fail("%s: a line end that is not CRLF" % t["file"])
    lines = lines[:-1]
    ctl = open(os.path.join(out, t["control_file"]), "rb").read().decode("gb18030") \
        if t["control_file"] else None
    rows, sums = ledger(table, list(t["sums"]))
    if t["rows"] != rows or len(lines) != rows:
        fail("%s: %d records stated, %d lines, the ledger has %d" % (t["file"], t["rows"], len(lines), rows))
    if t["sums"] != sums:
        fail("%s: sums %s, the ledger %s" % (t["file"], t["sums"], sums))
    sha = hashlib.sha256(data).hexdigest()
    if t["sha256"] != sha:
        fail("%s: SHA-256 in the manifest is not the file's" % t["file"])
    if t["file"].endswith(".txt"):
        want = "%s|%d|%s|%s\r\n" % (t["file"], rows, "|".join(sums.values()), sha)
        if ctl != want:
            fail("%s: control file %r, expected %r" % (t["file"], ctl, want))
        nf = {len(l.decode("gb18030").split("|")) for l in lines}
        if len(nf) > 1:
            fail("%s: lines with different numbers of fields %s" % (t["file"], nf))
    else:
        # the fixed-width policy file: each line the sum of the widths in bytes
        widths = {len(l) for l in lines}
        if widths != {8 + 20 + 60 + 30 + 4 + 40 + 40 + 8 + 8 + 8 + 2 + 3 + 20 + 20 + 2 + 2}:
            fail("%s: line lengths in bytes %s" % (t["file"], widths))
    if not t["verified"]:
        fail("%s: not verified" % t["file"])
    checked += 1
    print("%-32s %6d records  %s" % (t["file"], rows, " ".join("%s=%s" % kv for kv in sums.items())))
if checked != 9:
    fail("%d data files, expected 9" % checked)
for o in m["outputs"]:
    if hashlib.sha256(open(os.path.join(out, o["name"]), "rb").read()).hexdigest() != o["sha256"]:
        fail("%s: SHA-256 in the manifest is not the file's" % o["name"])
excluded = {i["table"]: i["excluded"] for i in m["inputs"]}
if excluded != {"org": 0, "customer": 8, "policy": 0, "coverage": 0, "premium_receipt": 20,
                "claim": 0, "claim_payment": 6, "gl_summary": 0}:
    fail("excluded records per table: %s" % excluded)
sys.exit(1 if fails else 0)
PY
bs_test_done
