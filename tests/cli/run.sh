#!/bin/bash
# tests/cli/run.sh BUILD_DIR [CASE_DIR | PROGRAM_DIR ...]
#
# Golden command-line tests (STYLE.md "Tests"; after Miller's reg_test and
# curl's tests/data).  A case is a directory tests/cli/<program>/<NNN-name>/:
#
#   cmd           a bash snippet: the command(s) under test (required)
#   setup         bash, run first in the same directory (optional); the case
#                 fails if it exits non-zero
#   expected.rc   the exit status of cmd (required)
#   expected.out  cmd's stdout, exact after normalisation (absent = empty)
#   expected.err  cmd's stderr, exact after normalisation (absent = empty)
#   anything else input files, copied along
#
# Each case runs in a fresh copy of its directory, with stdin from /dev/null
# and only this environment:
#   PATH    BUILD_DIR (absolute) first, then /usr/local/bin:/usr/bin:/bin
#   HOME    the case's directory;  LC_ALL=C.UTF-8  TZ=UTC
#   SRC     the source tree;  TMP  the case's directory;  BUILD  BUILD_DIR
#   ODBCSYSINI  a private driver list (tests/odbcinst.ini, CommLog=0)
#   TMPDIR, ASAN_OPTIONS, UBSAN_OPTIONS, LSAN_OPTIONS  passed on when set
# so BAOSONG_WORKSPACE and everything else from the caller is unset.
# Normalisation before comparing: the case directory's absolute path becomes
# the text $TMP, BUILD_DIR's becomes $BUILD, the source tree's becomes $SRC
# (the longest match wins, so a build dir inside the tree reads $BUILD).
# A mismatch prints a unified diff.  Each case is stopped after
# BS_CLI_TIMEOUT seconds (default 60; status 124).
#
# BS_UPDATE_GOLDEN=1  rewrite expected.rc/.out/.err of the cases run from
#                     what they actually did (empty output removes the file);
#                     review the result with git diff
# BS_KEEP=1           keep the temporary directories
#
# The last line is "N passed, N failed"; the exit status is 1 if any failed.
set -uo pipefail
export LC_ALL=C

me=tests/cli/run.sh
if [ $# -lt 1 ]; then
	echo "usage: $me BUILD_DIR [CASE_DIR | PROGRAM_DIR ...]" >&2
	exit 64
fi
# The build directory need not exist yet (a tree with no programs yet).
BUILD=$(realpath -m -- "$1")
shift
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
SRC=$(cd "$HERE/../.." && pwd -P)
. "$SRC/tests/lib.sh"
update=${BS_UPDATE_GOLDEN:-0}

# The cases to run, as absolute directory paths.
cases=()
add_dir()
{
	local d
	d=$(cd "$1" && pwd -P) || return 1
	if [ -f "$d/cmd" ]; then
		cases+=("$d")
		return 0
	fi
	local c found=0
	for c in "$d"/*/cmd "$d"/*/*/cmd; do
		[ -f "$c" ] || continue
		cases+=("${c%/cmd}")
		found=1
	done
	[ $found -eq 1 ] || { echo "$me: $1: no test cases here" >&2; return 1; }
}
if [ $# -eq 0 ]; then
	for c in "$HERE"/*/*/cmd; do
		[ -f "$c" ] && cases+=("${c%/cmd}")
	done
else
	for a in "$@"; do
		[ -d "$a" ] || { echo "$me: $a: no such case directory" >&2; exit 66; }
		add_dir "$a" || exit 66
	done
fi

run=$(mktemp -d "${TMPDIR:-/tmp}/bs-cli.XXXXXX") || exit 70
run=$(cd "$run" && pwd -P)
if [ "${BS_KEEP:-0}" = 1 ]; then
	echo "keeping $run"
else
	trap 'rm -rf "$run"' EXIT
fi
bs_test_odbcsysini "$run/odbc" || exit 70

# normalise FILE CASEDIR: print FILE with the absolute paths replaced.
normalise()
{
	BS_N_TMP=$2 BS_N_BUILD=$BUILD BS_N_SRC=$SRC perl -e '
		my %tok = ($ENV{BS_N_TMP} => q{$TMP}, $ENV{BS_N_BUILD} => q{$BUILD},
		           $ENV{BS_N_SRC} => q{$SRC});
		my $re = join "|", map { quotemeta } sort { length $b <=> length $a } keys %tok;
		while (<>) { s/($re)/$tok{$1}/g; print }' "$1"
}

# compare WHAT EXPECTED_FILE ACTUAL_FILE: 0 if equal, else print a diff.
compare()
{
	local what=$1 exp=$2 act=$3
	[ -f "$exp" ] || exp=/dev/null
	cmp -s "$exp" "$act" && return 0
	echo "  $what differs:"
	diff -u --label "expected.$what" --label "actual.$what" "$exp" "$act" | sed 's/^/    /'
	return 1
}

# update_golden CASE RC OUT ERR
update_golden()
{
	local c=$1
	printf '%s\n' "$2" >"$c/expected.rc"
	if [ -s "$3" ]; then cp "$3" "$c/expected.out"; else rm -f "$c/expected.out"; fi
	if [ -s "$4" ]; then cp "$4" "$c/expected.err"; else rm -f "$c/expected.err"; fi
}

# runit SCRIPT: run bash SCRIPT in case directory $t with environment envv;
# stdout and stderr go to $run/out.$n and $run/err.$n.
runit()
{
	bs_run_timeout "${BS_CLI_TIMEOUT:-60}" env -i -C "$t" "${envv[@]}" bash "$1" \
		</dev/null >"$run/out.$n" 2>"$run/err.$n"
}

passed=0 failed=0 n=0
for c in "${cases[@]}"; do
	n=$((n + 1))
	name=${c#"$HERE"/}
	t=$run/$n
	mkdir "$t" && cp -R "$c/." "$t/" || exit 70

	envv=(PATH="$BUILD:/usr/local/bin:/usr/bin:/bin" HOME="$t" LC_ALL=C.UTF-8 TZ=UTC
		SRC="$SRC" TMP="$t" BUILD="$BUILD" ODBCSYSINI="$ODBCSYSINI")
	for v in TMPDIR ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		[ -z "${!v+x}" ] || envv+=("$v=${!v}")
	done
	if [ -f "$t/setup" ]; then
		rc=0
		runit setup || rc=$?
		if [ $rc -ne 0 ]; then
			echo "FAIL $name: setup exited $rc:"
			sed 's/^/    /' "$run/err.$n"
			failed=$((failed + 1))
			continue
		fi
	fi
	rc=0
	runit cmd || rc=$?
	normalise "$run/out.$n" "$t" >"$run/nout.$n"
	normalise "$run/err.$n" "$t" >"$run/nerr.$n"

	if [ "$update" = 1 ]; then
		update_golden "$c" "$rc" "$run/nout.$n" "$run/nerr.$n"
		echo "updated $name (exit $rc)"
		passed=$((passed + 1))
		continue
	fi

	ok=1
	report=$(
		if [ ! -f "$c/expected.rc" ]; then
			echo "  expected.rc is missing (exit status was $rc; BS_UPDATE_GOLDEN=1 writes it)"
			exit 1
		fi
		want=$(tr -d ' \t\r\n' <"$c/expected.rc")
		r=0
		if [ "$want" != "$rc" ]; then
			if [ $rc -eq 124 ]; then
				echo "  exit status 124 (timed out after ${BS_CLI_TIMEOUT:-60}s?), expected $want"
			else
				echo "  exit status $rc, expected $want"
			fi
			r=1
		fi
		compare out "$c/expected.out" "$run/nout.$n" || r=1
		compare err "$c/expected.err" "$run/nerr.$n" || r=1
		exit $r
	) || ok=0
	if [ $ok -eq 1 ]; then
		echo "ok   $name"
		passed=$((passed + 1))
	else
		echo "FAIL $name"
		printf '%s\n' "$report"
		failed=$((failed + 1))
	fi
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
