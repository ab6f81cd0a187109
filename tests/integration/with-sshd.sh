#!/bin/bash
# with-sshd.sh COMMAND [ARG...] - run COMMAND against a throwaway SFTP server.
#
# Starts a private, unprivileged OpenSSH server (TECH-NOTES §8.1) in a new
# temporary directory, runs COMMAND, stops the server and removes the
# directory again - on normal exit, on failure and on INT/TERM/HUP.  Exits
# with COMMAND's status (or 69 when the server cannot be started, 77 when
# OpenSSH is not installed).
#
# The server runs as the account "nobody" when started by root (setpriv, no
# /run/sshd needed), as the calling user otherwise; only that account can log
# in.  It listens on 127.0.0.1 only, on a random free port, with a fresh
# ed25519 host key, ed25519 public-key authentication only, UsePAM yes (sshd
# refuses locked accounts such as nobody without PAM) and
# ForceCommand internal-sftp, starting in the upload directory.
#
# Exported to COMMAND:
#   BS_TEST_SSH_HOST=127.0.0.1  BS_TEST_SSH_PORT
#   BS_TEST_SSH_USER         the login name (nobody when run as root)
#   BS_TEST_SSH_KEY          the client's ed25519 private key (mode 600)
#   BS_TEST_SSH_KNOWN_HOSTS  known_hosts with the server's key as
#                            "[127.0.0.1]:PORT ssh-ed25519 ..."
#   BS_TEST_SFTP_DIR         the upload directory (absolute, on this machine)
#                            where a session starts; relative paths land here
#   BS_TEST_SSHD_LOG         the server's log (LogLevel VERBOSE)
#
# Client example:
#   sftp -F /dev/null -b batch -i "$BS_TEST_SSH_KEY" -P "$BS_TEST_SSH_PORT" \
#        -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes \
#        -o UserKnownHostsFile="$BS_TEST_SSH_KNOWN_HOSTS" \
#        "$BS_TEST_SSH_USER@$BS_TEST_SSH_HOST"
#
# BS_KEEP=1 keeps the directory (server log included) after stopping.
set -uo pipefail

me=with-sshd.sh
if [ $# -eq 0 ]; then
	echo "usage: $me COMMAND [ARG...]" >&2
	exit 64
fi
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

sshd=/usr/sbin/sshd
if [ ! -x "$sshd" ] || ! command -v ssh-keygen >/dev/null; then
	echo "$me: OpenSSH server or client not installed (run scripts/bootstrap)" >&2
	exit 77
fi

if [ "$(id -u)" -eq 0 ]; then
	user=nobody
	if ! id "$user" >/dev/null 2>&1; then
		echo "$me: running as root but there is no user $user" >&2
		exit 77
	fi
	# A command prefix, not a function: "${as_user[@]}" sshd & must make
	# $! the pid of sshd itself (setpriv execs it), not of a subshell.
	as_user=(setpriv --reuid="$(id -u $user)" --regid="$(id -g $user)" --clear-groups --)
else
	user=$(id -un)
	as_user=()
fi

work=
sshd_pid=
child=
cleanup()
{
	# Ignore further signals (timeout, ^C twice): an interrupted
	# cleanup would leave the server running.
	trap - EXIT
	trap '' INT TERM HUP
	if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
		kill -TERM "$child" 2>/dev/null
		wait "$child" 2>/dev/null
	fi
	if [ -n "$sshd_pid" ] && kill -0 "$sshd_pid" 2>/dev/null; then
		kill -TERM "$sshd_pid" 2>/dev/null
		for _ in $(seq 1 50); do
			kill -0 "$sshd_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$sshd_pid" 2>/dev/null
		wait "$sshd_pid" 2>/dev/null
	fi
	[ -n "$work" ] || return
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

work=$(mktemp -d "${TMPDIR:-/tmp}/bs-sshd.XXXXXX") || exit 70
work=$(cd "$work" && pwd -P)
chmod 0755 "$work"
mkdir "$work/sftp"
ssh-keygen -q -t ed25519 -N '' -C bs-test-host -f "$work/host_key" </dev/null || exit 69
ssh-keygen -q -t ed25519 -N '' -C bs-test-client -f "$work/client_key" </dev/null || exit 69
cp "$work/client_key.pub" "$work/authorized_keys"
chmod 0644 "$work/authorized_keys"
if [ "$(id -u)" -eq 0 ]; then
	# sshd refuses a host key it cannot read.
	chown "$user:" "$work/host_key" "$work/sftp"
	if ! "${as_user[@]}" test -r "$work/host_key"; then
		echo "$me: user $user cannot read $work: set TMPDIR to a directory every user can traverse" >&2
		exit 69
	fi
fi

started=0
for attempt in 1 2 3 4 5; do
	port=$(bs_free_port) || exit 69
	cat >"$work/sshd_config" <<-EOF
	Port $port
	ListenAddress 127.0.0.1
	HostKey $work/host_key
	PidFile none
	AuthorizedKeysFile $work/authorized_keys
	AllowUsers $user
	AuthenticationMethods publickey
	PubkeyAuthentication yes
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	UsePAM yes
	StrictModes no
	UseDNS no
	PermitTTY no
	PermitUserEnvironment no
	AllowTcpForwarding no
	AllowAgentForwarding no
	AllowStreamLocalForwarding no
	X11Forwarding no
	PrintMotd no
	LogLevel VERBOSE
	Subsystem sftp internal-sftp
	ForceCommand internal-sftp -d $work/sftp
	EOF
	if ! "${as_user[@]}" "$sshd" -t -f "$work/sshd_config" 2>"$work/sshd.log"; then
		echo "$me: bad sshd configuration:" >&2
		cat "$work/sshd.log" >&2
		exit 69
	fi
	"${as_user[@]}" "$sshd" -D -e -f "$work/sshd_config" </dev/null 2>"$work/sshd.log" &
	sshd_pid=$!
	for _ in $(seq 1 100); do
		if grep -q 'Server listening on' "$work/sshd.log"; then
			started=1
			break
		fi
		kill -0 "$sshd_pid" 2>/dev/null || break
		sleep 0.1
	done
	[ $started -eq 1 ] && break
	kill -KILL "$sshd_pid" 2>/dev/null
	wait "$sshd_pid" 2>/dev/null
	sshd_pid=
	grep -q 'Address already in use' "$work/sshd.log" || break
done
if [ $started -ne 1 ]; then
	echo "$me: cannot start sshd (attempt $attempt, port $port):" >&2
	cat "$work/sshd.log" >&2
	exit 69
fi

printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$work/host_key.pub")" \
	>"$work/known_hosts"

export BS_TEST_SSH_HOST=127.0.0.1 BS_TEST_SSH_PORT=$port BS_TEST_SSH_USER=$user
export BS_TEST_SSH_KEY=$work/client_key BS_TEST_SSH_KNOWN_HOSTS=$work/known_hosts
export BS_TEST_SFTP_DIR=$work/sftp BS_TEST_SSHD_LOG=$work/sshd.log

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
