#!/usr/bin/env bash
# Transform benchmark (issue 5): 2,000,000 policy rows (the east-sample
# policy columns and a Chinese applicant name) to a GB18030 '|'-delimited
# CRLF file with YYYYMMDD dates, two-decimal amounts, a code map and a
# control file - against iconv -f UTF-8 -t GB18030 over the same CSV, the
# anchor, in the same run.  Target: within 1.5x of iconv's time while doing
# the formatting too; peak RSS independent of the row count.  Each tool
# best of 3 (wall time; CPU time beside it, since the machine may be
# shared).  BENCH_ROWS overrides the row count; BENCH_KEEP=1 keeps the
# working directory (input run, layout, output) and prints its path.
set -euo pipefail
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=$(cd "${BUILD_DIR:-${1:-$SRC/build}}" && pwd)
rows=${BENCH_ROWS:-2000000}
work=$(mktemp -d "${TMPDIR:-/tmp}/bs-bench.XXXXXX")
if [ -n "${BENCH_KEEP:-}" ]; then
	trap 'echo "kept $work"' EXIT
else
	trap 'rm -rf "$work"' EXIT
fi
export PATH="$BUILD_DIR:$PATH"
unset BAOSONG_WORKSPACE

echo "generating $rows policy rows ..."
mkdir -p "$work/run"
LC_ALL=C awk -v n="$rows" 'BEGIN {
	srand(20261031)
	split("王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹", sn, " ")
	split("伟 强 磊 军 勇 杰 涛 明 超 刚 平 辉 鹏 华 飞 鑫 波 斌 宇 浩 芳 娜 敏 静 丽 艳 娟 霞 秀 英", gn, " ")
	print "cjrq,bxjgdm,policy_no,org_code,group_flag,applicant_id,applicant_name,insured_id,sign_date,eff_date,exp_date,status,currency,sum_insured,total_premium,pay_mode,channel"
	for (i = 1; i <= n; i++) {
		m = 1 + i % 12; d = 1 + i % 28
		name = sn[1 + int(rand() * 30)] gn[1 + int(rand() * 30)]
		if (i % 3) name = name gn[1 + int(rand() * 30)]
		printf "2026-10-31,000001,BD%012d,86%02d,%d,C%010d,%s,%s,2026-%02d-%02d,2026-%02d-%02d,2027-%02d-%02d,0%d,CNY,%d.00,%d.%02d,0%d,0%d\n",
		    i, i % 40, 1 + (i % 7 == 0), i % 900001, name,
		    (i % 7 == 0) ? "000000" : sprintf("C%010d", (i * 7) % 900001),
		    m, d, m, d, m, d, 1 + i % 5, 1000 * (1 + i % 500), i % 20000, i % 100,
		    1 + i % 5, 1 + i % 9
	}
}' > "$work/run/policy.csv"
/usr/bin/python3 - "$work/run" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]
h = hashlib.sha256()
n = 0
with open(os.path.join(d, "policy.csv"), "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        h.update(chunk)
        n += chunk.count(b"\n")
json.dump({"program": "baosong-extract", "run_id": "BENCH", "filing": "east-sample/2026-10",
           "params": {"period": "2026-10"}, "derived_params": {"institution_code": "000001"},
           "outputs": [{"name": "policy.csv", "rows": n - 1, "sha256": h.hexdigest()}]},
          open(os.path.join(d, "manifest.json"), "w"))
PY
cp "$SRC/rules/east-sample/ref/layout-group-flag.csv" "$work/"
cat > "$work/layout.yaml" <<'YAML'
# the east-sample policy file (rules/east-sample/layout.yaml), with the name
layout: bench
maps:
  group_flag: {file: layout-group-flag.csv}
files:
  - table: policy
    code: BDXX
    name: "{org}_{table}_{period:%Y%m%d}.txt"
    encoding: GB18030
    line_end: CRLF
    delimiter: "|"
    sum: [sum_insured, total_premium]
    control: {name: "{stem}.ctl", lines: ["{file}|{rows}|{sums}|{sha256}"]}
    fields:
      - {column: cjrq, date: YYYYMMDD}
      - {column: bxjgdm}
      - {column: policy_no}
      - {column: org_code}
      - {column: group_flag, map: group_flag}
      - {column: applicant_id}
      - {column: applicant_name}
      - {column: insured_id}
      - {column: sign_date, date: YYYYMMDD}
      - {column: eff_date, date: YYYYMMDD}
      - {column: exp_date, date: YYYYMMDD}
      - {column: status}
      - {column: currency}
      - {column: sum_insured, decimal: 2}
      - {column: total_premium, decimal: 2}
      - {column: pay_mode}
      - {column: channel}
YAML
bytes=$(wc -c < "$work/run/policy.csv")
echo "input: $(awk "BEGIN{printf \"%.1f\", $bytes / 1e6}") MB"

# measure NAME COMMAND...: best wall time of 3, its CPU time and peak RSS
measure()
{
	local name=$1 best="" cpu="" rss="" i t u s m
	shift
	for i in 1 2 3; do
		rm -rf "$work/out" "$work/iconv.out"
		/usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null
		read -r t u s m < "$work/time"
		if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then
			best=$t cpu=$(awk "BEGIN{print $u + $s}") rss=$m
		fi
	done
	printf '%-30s %7.2f s %8.1f MB/s  CPU %6.2f s  peak RSS %7.1f MB\n' "$name" \
		"$best" "$(awk "BEGIN{print $bytes / 1e6 / $best}")" "$cpu" \
		"$(awk "BEGIN{print $rss / 1024}")"
	last_t=$best last_m=$rss last_c=$cpu
}

cd "$work"
measure "iconv -f UTF-8 -t GB18030" sh -c "iconv -f UTF-8 -t GB18030 run/policy.csv > iconv.out"
it=$last_t ic=$last_c
measure "baosong-transform" baosong-transform --layout layout.yaml --in run --out out
bt=$last_t bm=$last_m bc=$last_c
cat out/*.ctl | tr -d '\r'
echo
echo "ratio to iconv: $(awk "BEGIN{printf \"%.2f\", $bt / $it}")x wall (target <= 1.5x)," \
	"$(awk "BEGIN{printf \"%.2f\", $bc / $ic}")x CPU; peak RSS" \
	"$(awk "BEGIN{print $bm / 1024}") MB"
# memory must not depend on the number of rows
awk "BEGIN{exit !($bm < 65536)}" || { echo "FAIL: peak RSS over 64 MB"; exit 1; }
