#!/usr/bin/env bash
# The sample report extracted through the SQLite ODBC driver and through a
# real PostgreSQL server (started on loopback by with-pg.sh) gives the same
# CSV bytes; the PostgreSQL password never leaves the environment variable;
# wrong password -> 77, refused connection -> 75.
set -euo pipefail
: "${SRC:?}" "${BUILD_DIR:?}"
if [ -z "${PGPORT:-}" ]; then
	exec "$SRC/tests/integration/with-pg.sh" "$0" "$@"
fi
. "$SRC/tests/lib.sh"
export PATH="$BUILD_DIR:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bs_test_odbcsysini "$work/odbc"
unset BAOSONG_WORKSPACE

# the same sample data into a SQLite file and into PostgreSQL
/usr/bin/python3 "$SRC/scripts/gen-sample" --seed 7 --policies 3000 \
	--out-sqlite "$work/src.db" --out-csv "$work/csv" >/dev/null
export PGPASSWORD="$BS_TEST_PG_PASSWORD"
psql -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE insurer" >/dev/null
psql -q -v ON_ERROR_STOP=1 -d insurer -f "$work/csv/schema.sql" >/dev/null
for f in "$work"/csv/*.csv; do
	t=$(basename "$f" .csv)
	psql -q -v ON_ERROR_STOP=1 -d insurer -c "\\copy $t from '$f' csv header" >/dev/null
done
unset PGPASSWORD

mkdir -p "$work/ws"
cat > "$work/ws/baosong.yaml" <<YAML
institution: {code: "000001", name: 示例财产保险股份有限公司}
connections:
  lite: {sqlite: $work/src.db}
  pg:
    connect: "Driver={PostgreSQL Unicode};Server=$PGHOST;Port=$PGPORT;Database=insurer;Uid=$PGUSER"
    password_env: BS_TEST_PG_PASSWORD
  pgbad:
    connect: "Driver={PostgreSQL Unicode};Server=$PGHOST;Port=$PGPORT;Database=insurer;Uid=$PGUSER"
    password_env: BS_WRONG_PASSWORD
  pgdown:
    connect: "Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=1;Database=insurer;Uid=$PGUSER"
    password_env: BS_TEST_PG_PASSWORD
reports: [$SRC/rules]
YAML
cd "$work/ws"
lite=$(baosong-extract --report east-sample --param period=2026-10 --connection lite)
pg=$(baosong-extract --report east-sample --param period=2026-10 --connection pg)
n=0
for f in "$lite"/*.csv; do
	b=$(basename "$f")
	if ! cmp -s "$f" "$pg/$b"; then
		echo "FAIL: $b differs between SQLite and PostgreSQL:"
		diff "$f" "$pg/$b" | head -n 10
		exit 1
	fi
	n=$((n + 1))
done
[ "$n" -eq 8 ] || { echo "FAIL: expected 8 tables, compared $n"; exit 1; }
rows=$(/usr/bin/python3 -c 'import json,sys; print(sum(o["rows"] for o in json.load(open(sys.argv[1]))["outputs"]))' "$pg/manifest.json")
[ "$rows" -gt 3000 ] || { echo "FAIL: only $rows rows"; exit 1; }
echo "ok: 8 tables, $rows rows, identical through SQLite and PostgreSQL"

# the password is nowhere: not in manifests, run dirs, tracking store
if grep -rqF -- "$BS_TEST_PG_PASSWORD" "$work/ws"; then
	echo "FAIL: the PostgreSQL password was written somewhere under the workspace"
	grep -rlF -- "$BS_TEST_PG_PASSWORD" "$work/ws"
	exit 1
fi
grep -q 'UseDeclareFetch=1' "$pg/manifest.json" || { echo "FAIL: UseDeclareFetch not set"; exit 1; }
echo "ok: password not stored; declare/fetch streaming on"

# wrong password: 77, and the message does not carry it
export BS_WRONG_PASSWORD="not-the-password"
set +e
out=$(baosong-extract --report east-sample --param period=2026-10 --connection pgbad 2>&1)
rc=$?
set -e
[ $rc -eq 77 ] || { echo "FAIL: wrong password gave rc=$rc: $out"; exit 1; }
case "$out" in *not-the-password*) echo "FAIL: password printed"; exit 1 ;; esac
echo "ok: wrong password -> 77: $out"

set +e
out=$(baosong-extract --report east-sample --param period=2026-10 --connection pgdown 2>&1)
rc=$?
set -e
[ $rc -eq 75 ] || { echo "FAIL: refused connection gave rc=$rc: $out"; exit 1; }
echo "ok: refused connection -> 75"

# SQL error names the query file and the SQLSTATE: 78
printf 'SELECT nosuch FROM policy\n' > "$work/bad.sql"
set +e
out=$(baosong-extract --connection pg --query "$work/bad.sql" --out "$work/badout" 2>&1)
rc=$?
set -e
[ $rc -eq 78 ] || { echo "FAIL: SQL error gave rc=$rc: $out"; exit 1; }
case "$out" in *bad.sql*42703*) ;; *) echo "FAIL: message lacks file or SQLSTATE: $out"; exit 1 ;; esac
[ ! -e "$work/badout" ] || { echo "FAIL: output left behind"; exit 1; }
echo "ok: SQL error -> 78: $out"
ls /tmp/psqlodbc_*"$$"* >/dev/null 2>&1 && { echo "FAIL: psqlodbc log files written"; exit 1; }
exit 0
