#!/bin/sh
# The command list of `p304 --help` (English and French), the README and the
# man page(s) checked against the command table of src/cli/main.c (issue 14;
# git checks its own): a command missing from one of them, or a command
# they name that the table lacks, fails.
#   test/commands-check.sh P304 ROOT
set -u
P304=$1
ROOT=$2
work=$(mktemp -d /tmp/p304-commands.XXXXXX)
trap 'rm -rf "$work"' EXIT
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

# Options too (git's t0450 idea, issue 20): each command's option table in
# src/cli/cmd_*.c is the reference. Its --help is built from the table
# (src/cli/usage.c), so the usage cannot drift; what is checked here is that
# no option of the table is left out of --help (an entry whose help is NULL
# must say that it is kept for old scripts), and that every option is in the
# command's synopsis in both man pages and, for the commands verify
# replays, in src/workflow/verify.c's list (valued or flag as in the
# table); the README names only options that --help shows; and the French
# --help holds no English line (a help text not marked N_() or not
# translated).
opts_of() { # options of command $1 from its table: "name valued|flag" lines
	f="$ROOT/src/cli/cmd_$(printf '%s' "$1" | tr - _).c"
	grep -v 'old scripts' "$f" |
		sed -n 's/^[[:space:]]*{ "\(-[^"]*\)", \([^,]*\),.*/\1 \2/p' |
		while read -r names arg; do
			kind=valued
			[ "$arg" = NULL ] && kind=flag
			echo "$names $kind"
		done
}
# 0 when one spelling of $1 ("-o|--output") is a word of the text on stdin
has_opt() { grep -q -E -- "(^|[^-a-z])($1)([^-a-z]|\$)"; }
synopsis() { # the man page's synopsis block of command $1, options unescaped
	awk -v c=".B p304 $(printf '%s' "$1" | sed 's/-/\\\\-/g')" '
		$0 == c { on = 1; next } on && /^\.(PP|SH)/ { exit } on { print }' "$2" | sed 's/\\-/-/g'
}
replayed() { # verify.c's list for command $1: "name valued|flag" lines, or nothing
	tr '\n\t' '  ' <"$ROOT/src/workflow/verify.c" |
		grep -o "{ \"$1\", { [^}]*}, *{ [^}]*}" |
		sed 's/^{ "[a-z-]*", { \([^}]*\)}, *{ \([^}]*\)}/\1|\2/' |
		awk -F'|' '{ print "V " $1; print "F " $2 }' |
		while read -r kind rest; do
			printf '%s\n' "$rest" | grep -o '"--*[a-z-]*"' | tr -d '"' |
				sed "s/\$/ $([ "$kind" = V ] && echo valued || echo flag)/"
		done
}
nopt=0
for c in $table; do
	help=$(LANGUAGE=en "$P304" "$c" --help) || fail "p304 $c --help failed"
	opts=$(opts_of "$c")
	for o in $(printf '%s\n' "$opts" | cut -d' ' -f1); do
		nopt=$((nopt + 1))
		printf '%s\n' "$help" | grep '^  -' | has_opt "$o" ||
			fail "'$c $o' has no line in p304 $c --help: give its entry of the option table a help text (or say it is kept for old scripts)"
		for man in "$ROOT"/docs/p304*.1; do
			synopsis "$c" "$man" | has_opt "$o" ||
				fail "'$c $o' missing from the synopsis of ${man#$ROOT/}"
		done
	done
	# French by default: a help line left out of the catalogue (written
	# without N_(), or untranslated) shows in English in the French --help
	LANGUAGE=fr "$P304" "$c" --help >"$work/fr" || fail "p304 $c --help (French) failed"
	printf '%s\n' "$help" >"$work/en"
	# the texts, not the columns (French placeholders are longer)
	sed -i 's/^.*  //' "$work/en" "$work/fr"
	same=$(grep -Fx -f "$work/en" "$work/fr" | awk '{ n = 0
		for (i = 1; i <= NF; i++) if ($i ~ /^[a-z]+[,.;:]?$/) n++
		if (n >= 3) { print; exit } }')
	[ -z "$same" ] || fail "p304 $c --help shows English in French: '$same'"
	line=$(grep -m1 "^    p304 $c " "$ROOT/README.md" | sed 's/#.*//')
	for o in $(printf '%s\n' "$line" | grep -o -- ' \[*-[-a-z]*' | tr -d ' ['); do
		printf '%s\n' "$help" | has_opt "$o" ||
			fail "README.md shows '$c $o', which p304 $c --help does not show"
	done
	rep=$(replayed "$c")
	[ -n "$rep" ] || continue
	want=$(printf '%s\n' "$opts" | grep -v -e '^-o|--output ' -e '^-q|--quiet ' | sort)
	# the legacy flags verify still replays (--xlsx) count as the table's
	have=$(printf '%s\n' "$rep" | sort)
	extra=$(grep 'old scripts' "$ROOT/src/cli/cmd_$(printf '%s' "$c" | tr - _).c" |
		sed -n 's/^[[:space:]]*{ "\(-[^"]*\)", NULL,.*/\1 flag/p')
	want=$(printf '%s\n%s\n' "$want" "$extra" | grep . | sort)
	[ "$want" = "$have" ] || fail "verify replays for '$c': $(printf '%s' "$have" | tr '\n' ,) but its options are: $(printf '%s' "$want" | tr '\n' ,)"
done
echo "ok   commands ($n in the table = p304 --help, README.md, $(ls "$ROOT"/docs/p304*.1 | wc -l) man page(s); $nopt options = --help, man pages, README, verify's list)"
