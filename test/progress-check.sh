#!/bin/sh
# The sweep's progress bar: on a terminal (a pseudo-terminal made by
# script(1)), stderr shows the bar with the rate and the remaining time; in a
# pipe, nothing.
#   test/progress-check.sh P304 ROOT
set -u
P304=$1
ROOT=$2
work=$(mktemp -d /tmp/p304-progress.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL progress: $*"; exit 1; }
S="$ROOT/test/cases/allocate_basic/scenario.json"
command -v script >/dev/null 2>&1 || fail "script(1) is missing (Debian package bsdutils)"
script -qec "'$P304' sweep '$S' --samples 20000 --threads 2 -o '$work/a' -q" /dev/null </dev/null \
	>"$work/tty.txt" 2>&1 || fail "sweep on a terminal failed"
tr '\r' '\n' <"$work/tty.txt" | grep -q '\[#*\] 100 % .*variants/s  left' ||
	fail "no progress bar on a terminal"
"$P304" sweep "$S" --samples 20000 -o "$work/b" -q 2>"$work/pipe.txt" || fail "sweep failed"
[ -s "$work/pipe.txt" ] && fail "progress printed into a pipe"
cmp -s "$work/a/sweep.json" "$work/b/sweep.json" || fail "2 threads and 1 thread differ"
echo "ok   progress bar (on a terminal only; 1 and 2 threads give the same sweep.json)"
