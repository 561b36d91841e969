#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# Runs inside the kernel matrix's VM (busybox init starts it as
# /pt/run.sh): mounts what the live tests need, runs each test of
# /pt/tests.sh, prints one result line per test on the serial console,
# then powers the VM off.  The host (kernel-matrix.py) reads those lines:
#
#   @@pt-kernel RELEASE UPTIME
#   @@pt-features-begin
#   ...probe-features' table, one line per BPF feature...
#   @@pt-features-end STATUS
#   @@pt-begin NAME
#   ...the test's own output...
#   @@pt-result NAME STATUS SECONDS
#   @@pt-done UPTIME
#
# tracefs (and debugfs) stay unmounted: the library must not need them.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8
# Tests whose margins assume a real CPU's speed read this for their
# documented slack under instruction emulation (docs/kernels.md).
export PT_EMULATED=1

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t bpf bpf /sys/fs/bpf
ip link set lo up 2>/dev/null
# The bursts start 10,000 processes at once: the default limit, derived
# from the VM's small memory, is lower than a real machine's.
echo 100000 >/proc/sys/kernel/threads-max

echo "@@pt-kernel $(uname -r) $(cut -d" " -f1 /proc/uptime)"

# What BPF features this kernel offers (make-initramfs.py --probe).
if [ -e /pt/probe.sh ]; then
	echo "@@pt-features-begin"
	sh /pt/probe.sh 2>&1
	echo "@@pt-features-end $?"
fi

# run_test NAME TIMEOUT WORKDIR VAR=VALUE... -- COMMAND ARGS...
run_test() {
	name=$1 limit=$2 dir=$3
	shift 3
	set -- env "$@"
	# env VAR=VALUE... COMMAND: drop the "--" that ends the variables.
	n=$#
	i=0
	for a; do
		i=$((i + 1))
		if [ "$a" != "--" ]; then set -- "$@" "$a"; fi
	done
	shift "$n"
	echo "@@pt-begin $name"
	start=$(date +%s)
	(cd "$dir" && exec timeout -s KILL "$limit" "$@") </dev/null 2>&1
	status=$?
	echo "@@pt-result $name $status $(($(date +%s) - start))"
}

. /pt/tests.sh
echo "@@pt-done $(cut -d" " -f1 /proc/uptime)"
sync
# qemu runs with -no-reboot: a reboot ends it.
reboot -f
