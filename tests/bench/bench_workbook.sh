#!/usr/bin/env bash
# Review workbook benchmark: 1,000,000 problems (8 departments, 40 rules)
# through lib/workbook.c in constant_memory mode; wall time and peak RSS
# from /usr/bin/time, best of 2.  BENCH_PROBLEMS overrides the count.
# The writer is build/tests/test_workbook in its BS_TEST_BENCH mode.
set -euo pipefail
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-${1:-$SRC/build}}
n=${BENCH_PROBLEMS:-1000000}
work=$(mktemp -d "${TMPDIR:-/tmp}/bs-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

best="" rss="" line=""
for i in 1 2; do
	rm -f "$work/bench.xlsx"
	out=$(BS_TEST_OUT="$work" BS_TEST_BENCH="$n" \
		/usr/bin/time -f "%e %M" -o "$work/time" "$BUILD_DIR/tests/test_workbook")
	read -r t m < "$work/time"
	if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then
		best=$t rss=$m line=$out
	fi
done
echo "$line"
printf 'workbook, %d problems: %.2f s, peak RSS %.1f MB\n' "$n" "$best" \
	"$(awk "BEGIN{print $rss / 1024}")"
# the issue's bound: memory does not grow with the number of problems
[ "$rss" -lt 65536 ] || { echo "FAIL: peak RSS ${rss} KB over 64 MB"; exit 1; }
