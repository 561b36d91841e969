#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The shape the live timeline test draws: two sequential steps of 100 ms
# and 300 ms, then three parallel steps of 200 ms, one of which exits 3
# and one of which is killed by SIGTERM.  Eight processes in all; each one
# writes "ROLE PID" to the file $1 (shell built-ins only: no process more).
out=$1
echo "root $$" >> "$out"
sleep 0.1 & echo "step1 $!" >> "$out"; wait $!
sleep 0.3 & echo "step2 $!" >> "$out"; wait $!
sleep 0.2 & echo "par_ok $!" >> "$out"
sh -c 'sleep 0.2 & echo "fail_sleep $!" >> "$1"; wait $!; exit 3' sh "$out" &
echo "par_fail $!" >> "$out"
sh -c 'sleep 0.2 & echo "kill_sleep $!" >> "$1"; wait $!; kill -TERM $$' sh "$out" &
echo "par_kill $!" >> "$out"
wait
