#!/usr/bin/env bash
# XLSX read-back benchmark (lib/xlsxread.h): 200,000 rows x 8 columns
# written by libxlsxwriter twice - constant_memory (inline strings) and
# normal mode (shared strings, ~210,000 unique) - then every row and cell
# read through the library (build/tests/test_xlsxread in BS_XLSX_COUNT
# mode); best wall time of 3 with its peak RSS.  BENCH_ROWS overrides the
# row count.
set -euo pipefail
: "${SRC:?}" "${BUILD_DIR:?}"
rows=${BENCH_ROWS:-200000}
T=$BUILD_DIR/tests/test_xlsxread
work=$(mktemp -d "${TMPDIR:-/tmp}/bs-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# measure NAME COMMAND...: best wall time of 3, with its peak RSS
measure()
{
	local name=$1 best="" rss="" i t m
	shift
	for i in 1 2 3; do
		/usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out"
		read -r t m <"$work/time"
		if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; rss=$m; fi
	done
	printf '%-36s %6.2f s %9.0f rows/s %7.1f MB   (%s)\n' "$name" "$best" \
		"$(awk "BEGIN{print $rows / ($best > 0 ? $best : 0.01)}")" \
		"$(awk "BEGIN{print $rss / 1024}")" "$(cut -f2,3 "$work/out" | tr '\t' ' ')"
}

for kind in bench bench-shared; do
	f=$work/$kind.xlsx
	echo "writing $rows rows ($kind) ..."
	BS_XLSX_WRITE=$f BS_XLSX_WRITE_KIND=$kind BS_XLSX_WRITE_ROWS=$rows "$T"
	unzip -l "$f" | awk -v f="$(du -h "$f" | cut -f1)" '
		$4 == "xl/worksheets/sheet1.xml" { sheet = $1 }
		$4 == "xl/sharedStrings.xml" { sst = ", shared strings " $1 " bytes" }
		END { print "  " f ", sheet part " sheet " bytes" (sst ? sst : ", no shared strings") }'
	measure "read $kind" env BS_XLSX_COUNT="$f" "$T"
done
