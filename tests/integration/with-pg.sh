#!/bin/bash
# with-pg.sh COMMAND [ARG...] - run COMMAND against a throwaway PostgreSQL.
#
# Starts a private PostgreSQL 15 server in a new temporary directory
# (TECH-NOTES §4.1 option B), runs COMMAND, stops the server and removes the
# directory again - on normal exit, on failure and on INT/TERM/HUP.  Exits
# with COMMAND's status (or 69 when the server cannot be started, 77 when
# PostgreSQL is not installed).
#
# The server: initdb as the postgres system user when run as root (runuser),
# as the calling user otherwise; listens on 127.0.0.1 only, on a random free
# port; its Unix socket and lock file live in the temporary directory;
# fsync=off (test data only).  Authentication: trust over the Unix socket,
# scram-sha-256 over TCP, superuser "postgres" with a random password (or
# the one given in BS_TEST_PG_PASSWORD), so every TCP client must send it.
#
# Exported to COMMAND:
#   PGHOST=127.0.0.1 PGPORT PGUSER=postgres PGDATABASE=postgres
#   BS_TEST_PG_PASSWORD  the password.  PGPASSWORD is NOT set; give it per
#                        command: PGPASSWORD=$BS_TEST_PG_PASSWORD psql -X ...
#   BS_TEST_PG_ODBC      a DSN-less ODBC connection string for the
#                        "PostgreSQL Unicode" driver, password included as
#                        Pwd={...} with "}" doubled (psqlodbc accepts that, so
#                        passwords with ; } = or blanks work)
#   BS_TEST_PG_SOCKDIR   the socket directory (psql -h "$BS_TEST_PG_SOCKDIR"
#                        connects without a password)
#   BS_TEST_PG_BINDIR    the server's bin directory (initdb, pg_ctl, ...)
#
# BS_KEEP=1 keeps the directory (server log included) after stopping.
set -uo pipefail

me=with-pg.sh
if [ $# -eq 0 ]; then
	echo "usage: $me COMMAND [ARG...]" >&2
	exit 64
fi
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

bindir=/usr/lib/postgresql/15/bin
if [ ! -x "$bindir/initdb" ]; then
	bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
	echo "$me: PostgreSQL server not installed (run scripts/bootstrap)" >&2
	exit 77
fi

if [ "$(id -u)" -eq 0 ]; then
	if ! id postgres >/dev/null 2>&1; then
		echo "$me: running as root but there is no postgres user (run scripts/bootstrap)" >&2
		exit 77
	fi
	as_pg() { (cd "$work" && runuser -u postgres -- "$@"); }
else
	as_pg() { (cd "$work" && "$@"); }
fi

work=
child=
cleanup()
{
	local pid
	# Ignore further signals (timeout, ^C twice): an interrupted
	# cleanup would leave the server running.
	trap - EXIT
	trap '' INT TERM HUP
	if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
		kill -TERM "$child" 2>/dev/null
		wait "$child" 2>/dev/null
	fi
	[ -n "$work" ] || return
	if [ -f "$work/data/postmaster.pid" ]; then
		if ! as_pg "$bindir/pg_ctl" -D "$work/data" -m fast -w -t 30 -s stop >/dev/null 2>&1; then
			pid=$(head -n 1 "$work/data/postmaster.pid" 2>/dev/null)
			case $pid in
			'' | *[!0-9]*) ;;
			*)	echo "$me: pg_ctl stop failed; sending SIGQUIT to postmaster $pid" >&2
				kill -QUIT "$pid" 2>/dev/null
				sleep 1
				kill -KILL "$pid" 2>/dev/null ;;
			esac
		fi
	fi
	if [ "${BS_KEEP:-0}" = 1 ]; then
		echo "$me: kept $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

work=$(mktemp -d "${TMPDIR:-/tmp}/bs-pg.XXXXXX") || exit 70
work=$(cd "$work" && pwd -P)
chmod 0700 "$work"
if [ "$(id -u)" -eq 0 ]; then
	chown postgres:postgres "$work"
	if ! runuser -u postgres -- test -w "$work"; then
		echo "$me: user postgres cannot write $work: set TMPDIR to a directory every user can traverse" >&2
		exit 69
	fi
fi

password=${BS_TEST_PG_PASSWORD:-$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 24)}
( umask 077; printf '%s\n' "$password" >"$work/pwfile" )
[ "$(id -u)" -ne 0 ] || chown postgres:postgres "$work/pwfile"

if ! as_pg "$bindir/initdb" -D "$work/data" -U postgres -E UTF8 --locale=C.UTF-8 \
	--auth-local=trust --auth-host=scram-sha-256 --pwfile="$work/pwfile" \
	--no-sync >"$work/initdb.log" 2>&1; then
	echo "$me: initdb failed:" >&2
	cat "$work/initdb.log" >&2
	exit 69
fi
rm -f "$work/pwfile"

started=0
for attempt in 1 2 3 4 5; do
	port=$(bs_free_port) || exit 69
	: >"$work/server.log"
	[ "$(id -u)" -ne 0 ] || chown postgres:postgres "$work/server.log"
	if as_pg "$bindir/pg_ctl" -D "$work/data" -l "$work/server.log" -w -t 30 -s \
		-o "-c listen_addresses=127.0.0.1 -p $port -k '$work' -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
		start >"$work/pg_ctl.log" 2>&1; then
		started=1
		break
	fi
	grep -q 'could not bind\|Address already in use' "$work/server.log" || break
done
if [ $started -ne 1 ]; then
	echo "$me: cannot start PostgreSQL (attempt $attempt, port $port):" >&2
	cat "$work/pg_ctl.log" "$work/server.log" >&2
	exit 69
fi

unset PGPASSWORD PGPASSFILE PGSERVICE PGSERVICEFILE PGSSLMODE PGOPTIONS PGHOSTADDR
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=postgres
export BS_TEST_PG_PASSWORD=$password
# Pwd={...} with } doubled: any password survives the connection string.
export BS_TEST_PG_ODBC="Driver=PostgreSQL Unicode;Server=127.0.0.1;Port=$port;Database=postgres;Uid=postgres;Pwd={${password//\}/\}\}}}"
export BS_TEST_PG_SOCKDIR=$work BS_TEST_PG_BINDIR=$bindir

# In the background with an explicit stdin, so a signal to this script is
# handled at once (the trap stops the server) instead of after COMMAND ends.
exec 3<&0
"$@" <&3 3<&- &
child=$!
exec 3<&-
rc=0
wait "$child" || rc=$?
child=
exit $rc
