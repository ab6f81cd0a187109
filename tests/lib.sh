# tests/lib.sh - shell helpers shared by the test runners, the server
# wrappers and the integration tests.  Source it from bash:
#
#	. "$SRC/tests/lib.sh"
#
# Environment
#   bs_test_odbcsysini DIR  write DIR/odbcinst.ini (a copy of tests/odbcinst.ini:
#                           SQLite3, PostgreSQL Unicode/ANSI with CommLog=0)
#                           and an empty DIR/odbc.ini; export ODBCSYSINI=DIR.
#                           Nothing then reads /etc/odbcinst.ini or writes
#                           /tmp/psqlodbc_*.log.
#   bs_free_port            print a random TCP port that no socket on this
#                           machine uses (read from /proc/net/tcp*).  Another
#                           process can still take it first: callers retry
#                           when the bind fails.
#   bs_pids_using PATH      print the pids of processes whose command line
#                           mentions PATH or whose working directory is under
#                           PATH (how the tests prove a server is gone)
#   bs_run_timeout SECS CMD...
#                           run CMD under timeout(1) (TERM after SECS, KILL 10 s
#                           later; status 124 on timeout) and return its status.
#                           timeout runs CMD in a process group of its own, out
#                           of reach of the terminal's ^C, so INT/TERM/HUP sent
#                           to the caller are passed on to it; the caller then
#                           exits 128+signal once CMD has finished its cleanup.
#   bs_soffice_csv XLSX DIR convert every sheet of XLSX to UTF-8 CSV files
#                           DIR/<name>-<sheet>.csv with headless LibreOffice,
#                           a private profile and HOME (TECH-NOTES §6).
#
# Integration tests (tests/integration/test_*.sh)
#   bs_test_init            set -u, LC_ALL=C.UTF-8, TZ=UTC, a private temp dir
#                           $BS_TMP removed on exit (this sets the EXIT trap,
#                           and INT/TERM/HUP traps that exit 128+signal once
#                           the running command - a server wrapper, say -
#                           has finished), a private ODBCSYSINI in $BS_TMP/odbc.
#   bs_test_done            exit 0 if no assertion failed, else print the count
#                           and exit 1.  Call it last.
#   bs_test_skip REASON     print the reason and exit 77 (the runner reports a
#                           skip; under CI=true a skip counts as a failure).
#   bs_note TEXT...         print "# TEXT" to stdout (shown when a test fails).
#
# Assertions: on failure each prints "FAIL: ..." to stderr, counts it in
# BS_FAILS and returns 1; none of them exits, so a test can go on and report
# every failure (under set -e the first failure ends the script instead).
#   assert_rc EXPECTED CMD...       run CMD with stdin from /dev/null; its exit
#                                   code goes to BS_RC, its stdout and stderr to
#                                   BS_OUT and BS_ERR (trailing newlines
#                                   stripped, like $(...)); fail unless
#                                   BS_RC == EXPECTED
#   assert_eq EXPECTED ACTUAL [WHAT]
#   assert_contains HAYSTACK NEEDLE [WHAT]       NEEDLE is a fixed string
#   assert_not_contains HAYSTACK NEEDLE [WHAT]
#   assert_file FILE [WHAT]         FILE exists and is a regular file
#   assert_no_file PATH [WHAT]      nothing exists at PATH
#
# Example (tests/integration/test_example.sh):
#	. "$SRC/tests/lib.sh"
#	bs_test_init
#	assert_rc 0 "$BUILD_DIR/baosong-validate" --help
#	assert_contains "$BS_OUT" "usage:" "--help output"
#	bs_test_done

BS_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
: "${SRC:=$(cd "$BS_LIB_DIR/.." && pwd -P)}"
BS_FAILS=${BS_FAILS:-0}

bs_test_odbcsysini()
{
	local dir=$1
	mkdir -p "$dir" || return 1
	cp "$BS_LIB_DIR/odbcinst.ini" "$dir/odbcinst.ini" || return 1
	: >"$dir/odbc.ini" || return 1
	ODBCSYSINI=$(cd "$dir" && pwd -P)
	export ODBCSYSINI
	# ODBCINSTINI/ODBCINI would redirect the files again; a user DSN file
	# ($HOME/.odbc.ini) is the runners' business (they set HOME).
	unset ODBCINSTINI ODBCINI
}

# Ports seen in /proc/net/tcp and tcp6 (any state), one per line, decimal.
bs_used_ports()
{
	local f addr
	for f in /proc/net/tcp /proc/net/tcp6; do
		[ -r "$f" ] || continue
		while read -r _ addr _; do
			case $addr in
			*:*) echo $((16#${addr##*:})) ;;
			esac
		done <"$f"
	done
}

bs_free_port()
{
	local used port
	used=" $(bs_used_ports | tr '\n' ' ') "
	# Below Linux's ephemeral range (32768-60999), so client sockets do not
	# collide with the port between this check and the server's bind.
	for _ in $(seq 1 200); do
		port=$((20000 + RANDOM % 12000))
		case $used in
		*" $port "*) continue ;;
		esac
		echo "$port"
		return 0
	done
	echo "bs_free_port: no free port found" >&2
	return 1
}

bs_pids_using()
{
	# One perl-base process (Essential in Debian) instead of two forks per
	# process; PATH goes in through the environment so that perl's own
	# command line does not mention it.
	BS_PATH=$1 BS_SELF=$$ perl -e '
		my ($p, $self) = @ENV{qw(BS_PATH BS_SELF)};
		for my $d (glob "/proc/[0-9]*") {
			my ($pid) = $d =~ m{(\d+)$};
			next if $pid == $$ || $pid == $self;
			open(my $f, "<", "$d/cmdline") or next;
			my $c = do { local $/; <$f> } // "";
			my $w = readlink("$d/cwd") // "";
			print "$pid\n" if index($c, $p) >= 0 || index("$w/", "$p/") == 0;
		}'
}

bs_run_timeout()
{
	local secs=$1 pid rc sig='' fwd=''
	shift
	timeout -k 10 "$secs" "$@" &
	pid=$!
	trap 'sig=1' HUP
	trap 'sig=2' INT
	trap 'sig=15' TERM
	while :; do
		rc=0
		wait "$pid" || rc=$?
		# Once: timeout passes TERM on to the whole group each time.
		if [ -n "$sig" ] && [ -z "$fwd" ]; then
			kill -TERM "$pid" 2>/dev/null
			fwd=1
		fi
		kill -0 "$pid" 2>/dev/null || break
	done
	trap - HUP INT TERM
	if [ -n "$sig" ]; then
		echo "interrupted" >&2
		exit $((128 + sig))
	fi
	return "$rc"
}

bs_soffice_csv()
{
	local xlsx=$1 outdir=$2 prof rc
	command -v soffice >/dev/null || {
		echo "bs_soffice_csv: soffice not found (scripts/bootstrap installs libreoffice-calc-nogui)" >&2
		return 69
	}
	mkdir -p "$outdir" || return 1
	prof=$(mktemp -d "${TMPDIR:-/tmp}/bs-soffice.XXXXXX") || return 1
	# 44,34,76,1,,0,false,true,false,false,false,-1: comma, double quote,
	# UTF-8, start at line 1, ..., -1 = every sheet as <name>-<sheet>.csv.
	# HOME too: glib's dconf writes ~/.cache and ~/.config whatever the profile.
	mkdir "$prof/home"
	HOME=$prof/home XDG_CONFIG_HOME=$prof/home/.config XDG_CACHE_HOME=$prof/home/.cache \
	GSETTINGS_BACKEND=memory \
	soffice --headless --norestore -env:UserInstallation="file://$prof/profile" \
		--convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1' \
		--outdir "$outdir" "$xlsx" </dev/null >"$prof/log" 2>&1
	rc=$?
	if [ $rc -ne 0 ] || grep -q '^Error' "$prof/log"; then
		echo "bs_soffice_csv: $xlsx: conversion failed (exit $rc):" >&2
		cat "$prof/log" >&2
		rm -rf "$prof"
		return 1
	fi
	rm -rf "$prof"
}

bs_test_init()
{
	set -u
	export LC_ALL=C.UTF-8 TZ=UTC
	BS_TEST_NAME=${BS_TEST_NAME:-$(basename "$0" .sh)}
	BS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/bs-$BS_TEST_NAME.XXXXXX") || exit 70
	BS_TMP=$(cd "$BS_TMP" && pwd -P)
	trap 'rm -rf "$BS_TMP"' EXIT
	# With a trap, bash acts on a signal only after the foreground command
	# ends, so a test stopped by the runner waits until with-pg.sh or
	# with-sshd.sh has stopped its server.
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	bs_test_odbcsysini "$BS_TMP/odbc" || exit 70
}

bs_test_done()
{
	if [ "$BS_FAILS" -gt 0 ]; then
		echo "$BS_FAILS assertion(s) failed" >&2
		exit 1
	fi
	exit 0
}

bs_test_skip()
{
	echo "skip: $*"
	exit 77
}

bs_note()
{
	echo "# $*"
}

bs_fail()
{
	BS_FAILS=$((BS_FAILS + 1))
	printf 'FAIL: %s\n' "$*" >&2
	return 1
}

assert_rc()
{
	local want=$1 out err
	shift
	out=$(mktemp "${BS_TMP:-${TMPDIR:-/tmp}}/bs-out.XXXXXX") || return 1
	err=$(mktemp "${BS_TMP:-${TMPDIR:-/tmp}}/bs-err.XXXXXX") || return 1
	BS_RC=0
	"$@" </dev/null >"$out" 2>"$err" || BS_RC=$?
	BS_OUT=$(cat "$out")
	BS_ERR=$(cat "$err")
	rm -f "$out" "$err"
	if [ "$BS_RC" != "$want" ]; then
		bs_fail "$(printf '%q ' "$@")-> exit $BS_RC, expected $want"
		[ -z "$BS_OUT" ] || printf '  stdout: %s\n' "$BS_OUT" >&2
		[ -z "$BS_ERR" ] || printf '  stderr: %s\n' "$BS_ERR" >&2
		return 1
	fi
}

assert_eq()
{
	[ "$1" = "$2" ] && return 0
	bs_fail "${3:-value}: expected '$1', got '$2'"
}

assert_contains()
{
	case $1 in
	*"$2"*) return 0 ;;
	esac
	bs_fail "${3:-text} does not contain '$2': '$1'"
}

assert_not_contains()
{
	case $1 in
	*"$2"*) bs_fail "${3:-text} contains '$2': '$1'"; return 1 ;;
	esac
	return 0
}

assert_file()
{
	[ -f "$1" ] && return 0
	bs_fail "${2:-file} $1 does not exist"
}

assert_no_file()
{
	[ ! -e "$1" ] && [ ! -L "$1" ] && return 0
	bs_fail "${2:-path} $1 exists"
}
