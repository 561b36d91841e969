#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# bootstrap-cli.service: `systemd-analyze verify` says nothing at all (an
# unknown key or a bad value is only a warning there, so any output
# fails), and the hardening docs/security.md describes is in it.
# Usage: check-unit.sh SYSTEMD_ANALYZE UNIT
set -u
analyze=$1 unit=$2
out=$("$analyze" verify --man=no "$unit" 2>&1)
status=$?
if [ "$status" != 0 ] || [ -n "$out" ]; then
	echo "FAIL: systemd-analyze verify $unit ended $status:"
	echo "$out"
	exit 1
fi
for line in 'CapabilityBoundingSet=CAP_BPF CAP_PERFMON' 'NoNewPrivileges=yes' \
	    'ProtectSystem=strict' 'PrivateTmp=yes' 'ExecReload=/bin/kill -HUP $MAINPID'; do
	if ! grep -qxF "$line" "$unit"; then
		echo "FAIL: $unit has no line '$line'"
		exit 1
	fi
done
echo "ok: $unit verified"
