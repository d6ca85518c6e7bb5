#!/bin/sh
# The command list of `p304 --help` (English and French), the README and the
# man page(s) checked against the command table of src/cli/main.c (issue 14;
# git checks its own): a command missing from one of them, or a command
# they name that the table lacks, fails.
#   test/commands-check.sh P304 ROOT
set -u
P304=$1
ROOT=$2
fail() { echo "FAIL commands: $*"; exit 1; }
table=$(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", cmd_[a-z_]*,.*/\1/p' "$ROOT/src/cli/main.c")
[ -n "$table" ] || fail "no command found in src/cli/main.c's table"
en=$(LANGUAGE=en "$P304" --help) || fail "p304 --help failed"
fr=$(LANGUAGE=fr "$P304" --help) || fail "p304 --help (French) failed"
n=0
for c in $table; do
	n=$((n + 1))
	printf '%s\n' "$en" | grep -q "^   $c " || fail "'$c' missing from p304 --help"
	printf '%s\n' "$fr" | grep -q "^   $c " || fail "'$c' missing from p304 --help in French"
	grep -q "p304 $c\b" "$ROOT/README.md" || fail "'$c' missing from README.md (p304 $c)"
	m=$(printf '%s' "$c" | sed 's/-/\\\\-/g')
	for man in "$ROOT"/docs/p304*.1; do
		grep -q "^\.B p304 $m\$" "$man" || fail "'$c' missing from the synopsis of ${man#$ROOT/}"
		grep -q "^\.B $m\$" "$man" || fail "'$c' missing from the commands of ${man#$ROOT/}"
	done
done
# and nothing more: every command listed exists
for c in $(printf '%s\n' "$en" | sed -n 's/^   \([a-z-]*\) .*/\1/p') \
	 $(sed -n 's/^\.B p304 \([a-z\\-]*\)$/\1/p' "$ROOT"/docs/p304*.1 | sed 's/\\-/-/g'); do
	printf '%s\n' "$table" | grep -qx -- "$c" || fail "'$c' is listed but is not in the command table"
done
echo "ok   commands ($n in the table = p304 --help, README.md, $(ls "$ROOT"/docs/p304*.1 | wc -l) man page(s))"
