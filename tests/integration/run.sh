#!/bin/bash
# tests/integration/run.sh BUILD_DIR [TEST...]
#
# Run every tests/integration/test_*.sh (or only the TEST files given), each
# with bash, stdin from /dev/null, in a clean environment:
#   BUILD_DIR, SRC      absolute paths of the build directory and the source tree
#   HOME                a private empty directory per test
#   ODBCSYSINI          a private driver list (tests/odbcinst.ini: SQLite3,
#                       PostgreSQL Unicode/ANSI with CommLog=0)
#   LC_ALL=C.UTF-8 TZ=UTC; BAOSONG_WORKSPACE, PG* and BS_TEST_* unset
# A test passes with exit 0, fails with anything else, and is skipped with
# exit 77 (tests/lib.sh bs_test_skip) - except under CI=true, where a skip
# counts as a failure so that CI cannot go green without running it.
# A test's output is shown only when it fails.  Each test is stopped after
# BS_TEST_TIMEOUT seconds (default 600).  BS_KEEP=1 keeps the temp dirs.
#
# The last line is "N passed, N failed"; the exit status is 1 if any failed.
set -uo pipefail
export LC_ALL=C

if [ $# -lt 1 ]; then
	echo "usage: tests/integration/run.sh BUILD_DIR [TEST...]" >&2
	exit 64
fi
# The build directory need not exist yet (a tree with no programs yet).
BUILD_DIR=$(realpath -m -- "$1")
shift
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
SRC=$(cd "$HERE/../.." && pwd -P)
. "$SRC/tests/lib.sh"

if [ $# -gt 0 ]; then
	tests=()
	for t in "$@"; do
		tests+=("$(realpath -m -- "$t")")
	done
else
	tests=("$HERE"/test_*.sh)
	[ -e "${tests[0]}" ] || tests=()
fi

run=$(mktemp -d "${TMPDIR:-/tmp}/bs-integration.XXXXXX") || exit 70
# Servers started by root drop privileges: let them traverse this directory.
chmod 0711 "$run"
if [ "${BS_KEEP:-0}" = 1 ]; then
	echo "keeping $run"
else
	trap 'rm -rf "$run"' EXIT
fi
bs_test_odbcsysini "$run/odbc" || exit 70

unset BAOSONG_WORKSPACE ODBCINI ODBCINSTINI \
	PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGPASSWORD PGPASSFILE \
	PGSERVICE PGSERVICEFILE PGOPTIONS PGSSLMODE
for v in $(compgen -v BS_TEST_); do
	unset "$v"
done
export BUILD_DIR SRC ODBCSYSINI TZ=UTC

passed=0 failed=0 skipped=0
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	if [ ! -f "$t" ]; then
		echo "FAIL $name: no such test file: $t"
		failed=$((failed + 1))
		continue
	fi
	dir=$run/$name
	mkdir -p "$dir/home"
	start=$SECONDS
	rc=0
	HOME=$dir/home LC_ALL=C.UTF-8 bs_run_timeout "${BS_TEST_TIMEOUT:-600}" \
		env -C "$dir" bash "$t" </dev/null >"$dir/log" 2>&1 || rc=$?
	took="$((SECONDS - start))s"
	if [ $rc -eq 0 ]; then
		echo "ok   $name ($took)"
		passed=$((passed + 1))
		continue
	fi
	if [ $rc -eq 77 ] && [ "${CI:-}" != true ]; then
		echo "skip $name: $(grep -m1 '^skip:' "$dir/log" | sed 's/^skip: *//')"
		skipped=$((skipped + 1))
		continue
	fi
	case $rc in
	77)	why="skipped, which CI does not allow" ;;
	124)	why="timed out after ${BS_TEST_TIMEOUT:-600}s" ;;
	*)	why="exit $rc" ;;
	esac
	echo "FAIL $name ($why, $took):"
	sed 's/^/    /' "$dir/log"
	failed=$((failed + 1))
done

[ $skipped -eq 0 ] || echo "($skipped skipped)"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
