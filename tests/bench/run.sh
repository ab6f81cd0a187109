#!/usr/bin/env bash
# make bench: run every tests/bench/bench_*.sh (slow; never part of make check).
#   tests/bench/run.sh BUILD_DIR [bench_x.sh ...]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export SRC=$(cd "$here/../.." && pwd)
export BUILD_DIR=$(cd "${1:?usage: run.sh BUILD_DIR}" && pwd)
shift
rc=0
benches=("$@")
[ ${#benches[@]} -gt 0 ] || benches=("$here"/bench_*.sh)
for b in "${benches[@]}"; do
	echo "== $(basename "$b")"
	bash "$b" || { echo "!! $(basename "$b") FAILED"; rc=1; }
done
exit $rc
