#!/usr/bin/env bash
# The sample report extracted through the SQLite ODBC driver and through a
# real PostgreSQL server (started on loopback by with-pg.sh) gives the same
# CSV bytes, through libpq (the default for PostgreSQL) and through psqlodbc
# alone (--odbc-only, libpq: false); every result type libpq reads gives the
# bytes psqlodbc gives, other types fall back to ODBC; a DSN from odbc.ini
# works; the PostgreSQL password never leaves the environment variable or
# odbc.ini; wrong password -> 77, refused connection -> 75, SQL error -> 78,
# interrupted -> 75 with nothing published.
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
  pgodbc:
    connect: "Driver={PostgreSQL Unicode};Server=$PGHOST;Port=$PGPORT;Database=insurer;Uid=$PGUSER"
    password_env: BS_TEST_PG_PASSWORD
    libpq: false
  pgminus1:
    connect: "Driver={PostgreSQL Unicode};Server=$PGHOST;Port=$PGPORT;Database=insurer;Uid=$PGUSER;TrueIsMinus1=1"
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

# fetched_by: what read the rows, in every query of the manifest
via()
{
	/usr/bin/python3 -c 'import json,sys
print(" ".join(sorted({q["fetched_by"] for q in json.load(open(sys.argv[1]))["queries"]})))' "$1/manifest.json"
}
[ "$(via "$pg")" = libpq ] || { echo "FAIL: PostgreSQL read by $(via "$pg"), not libpq"; exit 1; }
[ "$(via "$lite")" = odbc ] || { echo "FAIL: SQLite read by $(via "$lite")"; exit 1; }
pgo=$(baosong-extract --report east-sample --param period=2026-10 --connection pgodbc)
pgc=$(baosong-extract --report east-sample --param period=2026-10 --connection pg --odbc-only)
[ "$(via "$pgo")" = odbc ] && [ "$(via "$pgc")" = odbc ] ||
	{ echo "FAIL: libpq: false / --odbc-only still read by libpq"; exit 1; }
for f in "$pg"/*.csv; do
	cmp -s "$f" "$pgo/$(basename "$f")" && cmp -s "$f" "$pgc/$(basename "$f")" ||
		{ echo "FAIL: $(basename "$f") differs between libpq and psqlodbc"; exit 1; }
done
echo "ok: libpq by default for PostgreSQL; libpq: false and --odbc-only read through psqlodbc; same bytes"

# every type the libpq path reads, with edge values, against psqlodbc alone
export PGPASSWORD="$BS_TEST_PG_PASSWORD"
big=$(/usr/bin/python3 -c 'print("字" * 70000)')
psql -q -v ON_ERROR_STOP=1 -d insurer >/dev/null <<SQL
CREATE TABLE types (id int4, b bool, i2 int2, i8 int8, f4 real, f8 float8,
  n numeric, n2 numeric(12,3), t text, v varchar(20), v0 varchar, c char(4),
  nm name, d date, ts timestamp, ts3 timestamp(3), u uuid);
INSERT INTO types VALUES
 (1, true, -32768, 9223372036854775807, 1.5, 0.1, 12.3400, 5.5, '逗号,引号"换行
第二行', '中文', '', 'ab', 'pg', '2026-10-31', '2026-10-31 23:59:59.5', '2026-01-02 03:04:05.120',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
 (2, false, 0, -1, 'NaN', 1e300, -0.5, NULL, '', NULL, NULL, NULL, NULL, '1999-01-01', '2026-01-02 00:00:00', NULL, NULL),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '  空格  ', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (4, true, 1, 1, 3.25, 2.5e-7, 0.000, 0, '$big', 'x', 'y', 'z', 'n', '0999-12-31', '2026-10-31 00:00:00.000001', '2026-10-31 00:00:00', NULL);
SQL
unset PGPASSWORD
printf 'SELECT id, b, i2, i8, f4, f8, n, n2, t, v, v0, c, nm, d, ts, ts3\nFROM types\nWHERE d IS NULL OR d <= :period_end OR id = :id -- a comment\nORDER BY id\n' > "$work/types.sql"
for conn in pg pgminus1; do
	baosong-extract --connection $conn --query "$work/types.sql" --param period_end=2026-10-31 \
		--param id=2 --out "$work/t-$conn" >/dev/null 2>&1
	baosong-extract --connection $conn --odbc-only --query "$work/types.sql" --param period_end=2026-10-31 \
		--param id=2 --out "$work/t-$conn-odbc" >/dev/null 2>&1
	[ "$(via "$work/t-$conn")" = libpq ] || { echo "FAIL: types not read by libpq ($conn)"; exit 1; }
	cmp "$work/t-$conn/types.csv" "$work/t-$conn-odbc/types.csv" ||
		{ echo "FAIL: libpq and psqlodbc disagree on types ($conn):"; diff "$work/t-$conn/types.csv" "$work/t-$conn-odbc/types.csv" | cut -c1-200 | head; exit 1; }
	/usr/bin/python3 - "$work/t-$conn/manifest.json" "$work/t-$conn-odbc/manifest.json" <<'PY'
import json, sys
a, b = (json.load(open(f))["queries"][0]["columns"] for f in sys.argv[1:])
if a != b:
    for x, y in zip(a, b):
        if x != y:
            print("FAIL: column description differs:", x, y)
    sys.exit(1)
PY
done
grep -q '^1,-1,' "$work/t-pgminus1/types.csv" || { echo "FAIL: TrueIsMinus1 not honoured"; exit 1; }
[ "$(wc -c < "$work/t-pg/types.csv")" -gt 210000 ] || { echo "FAIL: the 70,000-character value did not come through"; exit 1; }
echo "ok: bool, integers, floats, numerics, text/varchar/char/name, dates, timestamps, NULL vs '', a 210 kB value: libpq = psqlodbc byte for byte"

# a type psqlodbc re-formats (uuid) leaves that query to ODBC, same bytes
printf 'SELECT id, u FROM types ORDER BY id\n' > "$work/uuid.sql"
baosong-extract --connection pg --query "$work/uuid.sql" --out "$work/u1" >/dev/null
baosong-extract --connection pg --odbc-only --query "$work/uuid.sql" --out "$work/u2" >/dev/null
[ "$(via "$work/u1")" = odbc ] || { echo "FAIL: uuid query was not left to ODBC"; exit 1; }
cmp "$work/u1/uuid.csv" "$work/u2/uuid.csv" || { echo "FAIL: uuid fallback differs"; exit 1; }
grep -q 'A0EEBC99-9C0B' "$work/u1/uuid.csv" || { echo "FAIL: uuid not as psqlodbc writes it"; exit 1; }
echo "ok: a uuid column leaves the query to psqlodbc"

# a DSN from odbc.ini, password in odbc.ini: the libpq side resolves it too
cat >> "$ODBCSYSINI/odbc.ini" <<INI
[insurer_dsn]
Driver = PostgreSQL Unicode
Servername = $PGHOST
Port = $PGPORT
Database = insurer
Username = $PGUSER
Password = $BS_TEST_PG_PASSWORD
INI
d=$work/t-dsn
(cd "$work" && baosong-extract --dsn insurer_dsn --query "$work/types.sql" --param period_end=2026-10-31 \
	--param id=2 --out "$d" >/dev/null)
[ "$(via "$d")" = libpq ] || { echo "FAIL: DSN not read by libpq: $(via "$d")"; exit 1; }
cmp "$d/types.csv" "$work/t-pg/types.csv" || { echo "FAIL: DSN extract differs"; exit 1; }
if grep -rqF -- "$BS_TEST_PG_PASSWORD" "$d"; then echo "FAIL: DSN password written to the run"; exit 1; fi
(cd "$work" && baosong-extract --dsn insurer_dsn --query "$work/uuid.sql" --out "$work/u-dsn" >/dev/null)
cmp "$work/u-dsn/uuid.csv" "$work/u1/uuid.csv" || { echo "FAIL: DSN uuid extract differs"; exit 1; }
grep -q '"DSN=insurer_dsn;UseDeclareFetch=1;Fetch=1000"' "$work/u-dsn/manifest.json" ||
	{ echo "FAIL: a PostgreSQL DSN does not stream through psqlodbc"; grep '"connect"' "$work/u-dsn/manifest.json"; exit 1; }
echo "ok: DSN from odbc.ini through libpq, and streamed through psqlodbc where ODBC reads; password not written"

# passwords with every kind of character: psqlodbc hands its completed
# connection string back with the password escaped (%XX, '+'), so libpq
# must get the password we gave, or the one from odbc.ini decoded
# (psqlodbc reads odbc.ini's Password in that escaped form too)
export BS_PUNCT_PW='p;w}d {x}=1 é%41+'"'"'"\'
dsnpw='x y%41+!@}{é"'"'"'=z'
export PGPASSWORD="$BS_TEST_PG_PASSWORD"
printf '%s\n' "CREATE ROLE punct LOGIN PASSWORD :'pw';" "CREATE ROLE punct2 LOGIN PASSWORD :'pw2';" \
	"GRANT SELECT ON ALL TABLES IN SCHEMA public TO punct, punct2;" |
	psql -q -v ON_ERROR_STOP=1 -d insurer -v pw="$BS_PUNCT_PW" -v pw2="$dsnpw" >/dev/null
unset PGPASSWORD
sed -i "s|^reports: \[|  pgpunct:\n    connect: \"Driver={PostgreSQL Unicode};Server=$PGHOST;Port=$PGPORT;Database=insurer;Uid=punct\"\n    password_env: BS_PUNCT_PW\nreports: [|" "$work/ws/baosong.yaml"
cat >> "$ODBCSYSINI/odbc.ini" <<INI
[punct_dsn]
Driver = PostgreSQL Unicode
Servername = $PGHOST
Port = $PGPORT
Database = insurer
Username = punct2
Password = $(/usr/bin/python3 -c 'import sys
print("".join(chr(b) if chr(b).isalnum() and b < 128 else "%%%02X" % b for b in sys.argv[1].encode()))' "$dsnpw")
INI
baosong-extract --connection pgpunct --query "$work/types.sql" --param period_end=2026-10-31 \
	--param id=2 --out "$work/t-punct" >/dev/null
[ "$(via "$work/t-punct")" = libpq ] || { echo "FAIL: punctuated password: not read by libpq"; exit 1; }
(cd "$work" && baosong-extract --dsn punct_dsn --query "$work/types.sql" --param period_end=2026-10-31 \
	--param id=2 --out "$work/t-punct-dsn" >/dev/null)
[ "$(via "$work/t-punct-dsn")" = libpq ] || { echo "FAIL: punctuated DSN password: not read by libpq"; exit 1; }
cmp "$work/t-punct/types.csv" "$work/t-pg/types.csv" && cmp "$work/t-punct-dsn/types.csv" "$work/t-pg/types.csv" ||
	{ echo "FAIL: extracts with punctuated passwords differ"; exit 1; }
for pw in "$BS_PUNCT_PW" "$dsnpw"; do
	if grep -rqF -- "$pw" "$work/t-punct" "$work/t-punct-dsn" "$work/ws"; then
		echo "FAIL: a password was written to a run"; exit 1
	fi
done
echo "ok: passwords with blanks, quotes, braces, ;, =, %, + and non-ASCII: libpq connects (workspace and odbc.ini)"

# interrupt NAME SQL AFTER [OPTION...]: run the query, send INT after AFTER
# seconds; it must end with 75 and "interrupted", within 10 s, publishing
# nothing
interrupt()
{
	local name=$1 sql=$2 after=$3 rc t0 t1 xp
	shift 3
	printf '%s\n' "$sql" > "$work/$name.sql"
	set +e
	t0=$(date +%s)
	baosong-extract --connection pg "$@" --query "$work/$name.sql" --out "$work/$name" 2>"$work/$name.err" &
	xp=$!
	sleep "$after"
	kill -INT $xp
	wait $xp
	rc=$?
	t1=$(date +%s)
	set -e
	[ $rc -eq 75 ] || { echo "FAIL: interrupted $name extract gave rc=$rc: $(cat "$work/$name.err")"; exit 1; }
	[ $((t1 - t0)) -lt $((after + 10)) ] || { echo "FAIL: the interrupt took $((t1 - t0)) s (server not cancelled)"; exit 1; }
	[ ! -e "$work/$name" ] || { echo "FAIL: interrupted extract left $work/$name"; exit 1; }
	grep -q 'interrupted' "$work/$name.err" || { echo "FAIL: no 'interrupted' message: $(cat "$work/$name.err")"; exit 1; }
	echo "ok: $name: interrupted -> 75 after $((t1 - t0)) s, nothing published: $(cat "$work/$name.err")"
}
# while the server streams rows
interrupt long 'SELECT g AS id, md5(g::text) AS h, g * 1.5 AS amt FROM generate_series(1, 30000000) AS g' 2
# before the server sent a row (30 s of pg_sleep): the statement is cancelled
interrupt sleep 'SELECT g::int4 AS g FROM generate_series(1, 3) AS g, (SELECT pg_sleep(30)) AS s' 1
# the same through psqlodbc (the watchdog's SQLCancel)
interrupt sleep-odbc 'SELECT g::int4 AS g FROM generate_series(1, 3) AS g, (SELECT pg_sleep(30)) AS s' 1 --odbc-only

# the server ends the session mid-stream: a lost connection is worth
# retrying (75), and nothing is published
printf 'SELECT g AS id, md5(g::text) AS h FROM generate_series(1, 30000000) AS g\n' > "$work/lost.sql"
set +e
baosong-extract --connection pg --query "$work/lost.sql" --out "$work/lost" 2>"$work/lost.err" &
xp=$!
sleep 1.5
PGPASSWORD=$BS_TEST_PG_PASSWORD psql -q -At -d insurer -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	WHERE query LIKE 'SELECT g AS id, md5%' AND pid <> pg_backend_pid()" >/dev/null
wait $xp
rc=$?
set -e
[ $rc -eq 75 ] || { echo "FAIL: lost connection gave rc=$rc: $(cat "$work/lost.err")"; exit 1; }
[ ! -e "$work/lost" ] || { echo "FAIL: an extract that lost its connection left $work/lost"; exit 1; }
echo "ok: connection lost mid-stream -> 75, nothing published: $(cat "$work/lost.err")"

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
