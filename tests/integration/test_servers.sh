#!/bin/bash
# Smoke test of the test servers themselves: with-pg.sh and with-sshd.sh
# start a server, the clients the other tests rely on (psql, isql with the
# private odbcinst.ini, sftp) can use it with the credentials exported, wrong
# credentials are refused, the wrapper passes the command's exit status on,
# and nothing is left behind - after success, failure and SIGTERM.
#
# Runs itself inside the wrappers: "test_servers.sh pg STATEFILE" and
# "test_servers.sh sshd STATEFILE" are the inner halves.
. "$SRC/tests/lib.sh"
bs_test_init
here=$SRC/tests/integration

# ---- inside with-pg.sh ----------------------------------------------------
inner_pg()
{
	local state=$1 conn sq
	echo "$BS_TEST_PG_SOCKDIR" >"$state"

	assert_eq 127.0.0.1 "$PGHOST" PGHOST
	assert_eq "" "${PGPASSWORD-}" "PGPASSWORD (must not be exported)"

	assert_rc 0 env PGPASSWORD="$BS_TEST_PG_PASSWORD" psql -X -w -At -c 'select 1'
	assert_eq 1 "$BS_OUT" "psql select 1"
	assert_rc 0 env PGPASSWORD="$BS_TEST_PG_PASSWORD" psql -X -w -At \
		-c 'show listen_addresses' -c 'show password_encryption'
	assert_eq "127.0.0.1
scram-sha-256" "$BS_OUT" "server settings"

	assert_rc 2 psql -X -w -At -c 'select 1'
	assert_contains "$BS_ERR" "no password supplied" "psql without password"
	assert_rc 2 env PGPASSWORD="wrong$BS_TEST_PG_PASSWORD" psql -X -w -At -c 'select 1'
	assert_contains "$BS_ERR" 'password authentication failed for user "postgres"' \
		"psql with a wrong password"
	assert_rc 0 psql -X -w -At -h "$BS_TEST_PG_SOCKDIR" -c 'select 2'
	assert_eq 2 "$BS_OUT" "psql over the Unix socket (trust)"

	# ODBC: our private odbcinst.ini, not /etc's; and no CommLog files.
	: >"$BS_TMP/marker"
	assert_rc 0 odbcinst -j
	assert_contains "$BS_OUT" "DRIVERS............: $ODBCSYSINI/odbcinst.ini" "odbcinst -j"
	assert_rc 0 bash -c 'echo "select 40+2, '\''问题数据'\''" | isql -b -d, -k "$BS_TEST_PG_ODBC"'
	assert_eq "42,问题数据" "$BS_OUT" "isql over psqlodbc"
	conn="Driver=PostgreSQL Unicode;Server=$PGHOST;Port=$PGPORT;Database=$PGDATABASE;Uid=$PGUSER;Pwd=wrong"
	assert_rc 1 bash -c 'echo "select 1" | isql -b -v -k "$1"' - "$conn"
	assert_contains "$BS_OUT$BS_ERR" "password authentication failed" "isql with a wrong password"

	assert_eq "" "$(find /tmp -maxdepth 1 -name 'psqlodbc_*.log' -newer "$BS_TMP/marker")" \
		"psqlodbc log files written to /tmp"

	# SQLite3 through the same private driver list.
	sq=$BS_TMP/t.db
	assert_rc 0 sqlite3 "$sq" "create table t(a text); insert into t values('报送');"
	assert_rc 0 bash -c 'echo "select a, length(a) from t" | isql -b -d, -k "Driver=SQLite3;Database=$1;NoCreat=1"' - "$sq"
	assert_eq "报送,2" "$BS_OUT" "isql over sqliteodbc"
}

# ---- inside with-sshd.sh --------------------------------------------------
sftp_opts()
{
	opts=(-F /dev/null -b "$BS_TMP/batch" -P "$BS_TEST_SSH_PORT" -o BatchMode=yes
		-o IdentitiesOnly=yes -o StrictHostKeyChecking=yes -o GlobalKnownHostsFile=/dev/null
		-o ConnectTimeout=10)
}

inner_sshd()
{
	local state=$1 name opts
	echo "${BS_TEST_SFTP_DIR%/sftp}" >"$state"
	sftp_opts
	name="客户清单 2024.csv"
	printf 'a,b\n1,总公司\n' >"$BS_TMP/$name"
	printf 'put "%s"\nls -l\n' "$BS_TMP/$name" >"$BS_TMP/batch"

	assert_rc 0 sftp "${opts[@]}" -i "$BS_TEST_SSH_KEY" -o UserKnownHostsFile="$BS_TEST_SSH_KNOWN_HOSTS" \
		"$BS_TEST_SSH_USER@$BS_TEST_SSH_HOST"
	assert_file "$BS_TEST_SFTP_DIR/$name" "uploaded file"
	cmp -s "$BS_TMP/$name" "$BS_TEST_SFTP_DIR/$name" ||
		bs_fail "uploaded file differs from the original"

	# A host key that does not match known_hosts is refused.
	ssh-keygen -q -t ed25519 -N '' -f "$BS_TMP/other" </dev/null
	printf '[127.0.0.1]:%s %s\n' "$BS_TEST_SSH_PORT" "$(cut -d' ' -f1,2 "$BS_TMP/other.pub")" >"$BS_TMP/bad_known_hosts"
	assert_rc 255 sftp "${opts[@]}" -i "$BS_TEST_SSH_KEY" -o UserKnownHostsFile="$BS_TMP/bad_known_hosts" \
		"$BS_TEST_SSH_USER@$BS_TEST_SSH_HOST"
	assert_contains "$BS_ERR" "Host key verification failed" "sftp with a wrong known_hosts"

	# A client key that is not authorised is refused.
	assert_rc 255 sftp "${opts[@]}" -i "$BS_TMP/other" -o UserKnownHostsFile="$BS_TEST_SSH_KNOWN_HOSTS" \
		"$BS_TEST_SSH_USER@$BS_TEST_SSH_HOST"
	assert_contains "$BS_ERR" "Permission denied (publickey)" "sftp with an unknown key"
}

case ${1:-} in
pg)	inner_pg "$2"; bs_test_done ;;
sshd)	inner_sshd "$2"; bs_test_done ;;
esac

# ---- outside: start, exit status, cleanup ---------------------------------
# Prove WRAPPER left nothing behind: its directory (written by the inner half
# to STATE) is gone and no process mentions it or runs inside it.
assert_gone()
{
	local what=$1 state=$2 dir pids
	dir=$(cat "$state" 2>/dev/null)
	if [ -z "$dir" ]; then
		bs_fail "$what: the command did not record the server directory"
		return
	fi
	assert_no_file "$dir" "$what: server directory"
	pids=$(bs_pids_using "$dir")
	if [ -n "$pids" ]; then
		bs_fail "$what: processes left running: $(ps -o pid=,args= -p "$(echo $pids | tr ' ' ,)")"
	fi
}

for wrapper in pg sshd; do
	w=$here/with-$wrapper.sh
	state=$BS_TMP/$wrapper.state

	: >"$state"
	assert_rc 0 "$w" bash "$here/test_servers.sh" "$wrapper" "$state"
	[ "$BS_RC" = 0 ] || printf '%s\n' "$BS_OUT" "$BS_ERR" >&2
	assert_gone "with-$wrapper.sh after success" "$state"

	: >"$state"
	assert_rc 3 "$w" bash -c 'echo "${BS_TEST_PG_SOCKDIR:-${BS_TEST_SFTP_DIR%/sftp}}" >"$1"; exit 3' - "$state"
	assert_gone "with-$wrapper.sh after failure" "$state"

	: >"$state"
	"$w" bash -c 'echo "${BS_TEST_PG_SOCKDIR:-${BS_TEST_SFTP_DIR%/sftp}}" >"$1"; exec sleep 60' - "$state" \
		</dev/null >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 1 150); do
		[ -s "$state" ] && break
		sleep 0.1
	done
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_eq 143 "$rc" "with-$wrapper.sh exit status after SIGTERM"
	assert_gone "with-$wrapper.sh after SIGTERM" "$state"
done

# A password full of connection-string syntax still works through ODBC.
assert_rc 0 env BS_TEST_PG_PASSWORD='p;w}d {x}=1 é' "$here/with-pg.sh" bash -c \
	'echo "select 5" | isql -b -d, -k "$BS_TEST_PG_ODBC" &&
	 PGPASSWORD=$BS_TEST_PG_PASSWORD psql -X -w -At -c "select 6"'
assert_eq "5
6" "$BS_OUT" "a password with ; } { = and blanks"

bs_test_done
