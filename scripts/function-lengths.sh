#!/bin/sh
# Counts the C functions under src/ and those longer than 80 and 150 lines
# (issue 20: "functions short enough to read at once"), from Universal Ctags'
# start and end lines. With -v, also lists the functions over 80 lines,
# longest first.  Usage: sh scripts/function-lengths.sh [-v] [DIR...]
set -eu
verbose=0
if [ "${1:-}" = -v ]; then verbose=1; shift; fi
[ $# -gt 0 ] || set -- src
command -v ctags >/dev/null 2>&1 || { echo "function-lengths: Universal Ctags is needed (apt-get install universal-ctags)" >&2; exit 2; }
ctags -x --languages=C --kinds-C=f --_xformat='%{input} %{line} %{end} %{name}' -R "$@" |
awk -v verbose="$verbose" '
	{ n++; len = $3 - $2 + 1; if (len > 80) { over80++; long[over80] = len " " $1 ":" $2 " " $4 } if (len > 150) over150++ }
	END {
		printf "%d functions, %d over 80 lines, %d over 150\n", n, over80, over150
		if (verbose) for (i = 1; i <= over80; i++) print "  " long[i] | "sort -rn"
	}'
