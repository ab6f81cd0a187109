#!/bin/sh
# Run every cmocka binary; keep going after a failure; exit 1 if any failed.
rc=0
for t in "$@"; do
	"$t" || { echo "!! $t FAILED (exit $?)"; rc=1; }
done
exit $rc
