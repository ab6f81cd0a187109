#!/usr/bin/env bash
# Extract benchmark (issue: at most 1.5x psql's \copy wall time from
# PostgreSQL, peak RSS under 64 MB however many rows).  1,000,000 rows of
# ~20 columns, in PostgreSQL (started on loopback) and in SQLite; each tool
# best of 3.  BENCH_ROWS overrides the row count.
set -euo pipefail
: "${SRC:?}" "${BUILD_DIR:?}"
if [ -z "${PGPORT:-}" ]; then
	exec "$SRC/tests/integration/with-pg.sh" bash "$0" "$@"
fi
. "$SRC/tests/lib.sh"
rows=${BENCH_ROWS:-1000000}
work=$(mktemp -d "${TMPDIR:-/tmp}/bs-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
bs_test_odbcsysini "$work/odbc"
export PATH="$BUILD_DIR:$PATH"

echo "generating $rows rows ..."
/usr/bin/python3 "$SRC/scripts/gen-bench-extract" --rows "$rows" \
	--out-sqlite "$work/bench.db" --out-csv "$work/bench.csv"
export PGPASSWORD="$BS_TEST_PG_PASSWORD"
psql -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE bench" >/dev/null
/usr/bin/python3 "$SRC/scripts/gen-bench-extract" --ddl | psql -q -v ON_ERROR_STOP=1 -d bench >/dev/null
psql -q -v ON_ERROR_STOP=1 -d bench -c "\\copy bench_policy from '$work/bench.csv' csv header" >/dev/null
cols='*'
psql -q -d bench -c "CREATE INDEX ON bench_policy (policy_no)" >/dev/null
sqlite3 "$work/bench.db" "CREATE INDEX bench_policy_no ON bench_policy (policy_no)"
psql -q -d bench -c "VACUUM ANALYZE bench_policy" >/dev/null
echo "SELECT $cols FROM bench_policy ORDER BY policy_no" > "$work/q.sql"

# measure NAME COMMAND...: best wall time of 3, with its peak RSS
measure()
{
	local name=$1 best="" rss="" i t m
	shift
	for i in 1 2 3; do
		rm -rf "$work/out" "$work/out.csv"
		/usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null
		read -r t m < "$work/time"
		if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; rss=$m; fi
	done
	printf '%-34s %8.2f s %10.0f rows/s %8.1f MB\n' "$name" "$best" \
		"$(awk "BEGIN{print $rows / ($best > 0 ? $best : 0.001)}")" "$(awk "BEGIN{print $rss / 1024}")"
	eval "T_$2=$best; M_$2=$rss" 2>/dev/null || true
	last_t=$best
	last_m=$rss
}

conn="Driver={PostgreSQL Unicode};Server=$PGHOST;Port=$PGPORT;Database=bench;Uid=$PGUSER"
mkdir -p "$work/ws"
cat > "$work/ws/baosong.yaml" <<YAML
institution: {code: "000001", name: bench}
connections:
  pg: {connect: "$conn", password_env: BS_TEST_PG_PASSWORD}
  lite: {sqlite: $work/bench.db}
YAML
cd "$work/ws"
echo "PostgreSQL 15, $rows rows:"
measure "psql \\copy (anchor)" psql -q -d bench -c "\\copy (SELECT $cols FROM bench_policy ORDER BY policy_no) to '$work/out.csv' csv header"
pt=$last_t
cp "$work/out.csv" "$work/psql.csv"
measure "baosong-extract (libpq)" baosong-extract --connection pg --query "$work/q.sql" --out "$work/out"
bt=$last_t bm=$last_m
# the same bytes as PostgreSQL's own CSV (no declared scales here)
cmp -s "$work/out/q.csv" "$work/psql.csv" || { echo "FAIL: extract differs from psql's \\copy output"; exit 1; }
measure "baosong-extract --odbc-only (psqlodbc)" baosong-extract --connection pg --odbc-only --query "$work/q.sql" --out "$work/out"
ot=$last_t om=$last_m
cmp -s "$work/out/q.csv" "$work/psql.csv" || { echo "FAIL: --odbc-only extract differs from psql's \\copy output"; exit 1; }
pg_ratio=$(awk "BEGIN{printf \"%.2f\", $bt / $pt}")
echo "ratio to psql: ${pg_ratio}x (target <= 1.5x); peak RSS $(awk "BEGIN{print $bm/1024}") MB (target < 64 MB); both outputs byte-identical to psql's"
echo "through psqlodbc alone: $(awk "BEGIN{printf \"%.2f\", $ot / $pt}")x, peak RSS $(awk "BEGIN{print $om/1024}") MB"
echo "SQLite 3 (sqliteodbc), $rows rows:"
measure "sqlite3 -csv (anchor)" sh -c "sqlite3 -csv -header '$work/bench.db' \"SELECT $cols FROM bench_policy ORDER BY policy_no\" > '$work/out.csv'"
st=$last_t
measure "baosong-extract (sqliteodbc)" baosong-extract --connection lite --query "$work/q.sql" --out "$work/out"
lt=$last_t lm=$last_m
echo "ratio to sqlite3: $(awk "BEGIN{printf \"%.2f\", $lt / $st}")x; peak RSS $(awk "BEGIN{print $lm/1024}") MB"
awk "BEGIN{exit !($bm < 65536 && $om < 65536)}" || { echo "FAIL: PostgreSQL extract peak RSS over 64 MB"; exit 1; }
awk "BEGIN{exit !($bt <= 1.5 * $pt)}" || { echo "FAIL: PostgreSQL extract over 1.5x psql's time"; exit 1; }
