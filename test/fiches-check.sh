#!/bin/sh
# Département sheets (p304 fiches): the 2025 round explained against the 2020
# wave. Every authority present on both sides shows on its sheet the same
# change and the same contribution of each factor as `p304 compare` writes in
# comparaison.csv, to the euro; every sheet shows its amount of
# repartition.csv; a repartition.json is explained from its manifest's
# scenario; fiches.docx holds one page per sheet.
#   test/fiches-check.sh P304 ROOT
set -u
P304=$1
ROOT=$2
work=$(mktemp -d /tmp/p304-fiches.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL fiches: $*"; exit 1; }
S20="$ROOT/inputs/scenarios/2020-vague1.json"
S25="$ROOT/inputs/scenarios/2025-avec-bornes-2020.json"
"$P304" compare "$S20" "$S25" -o "$work/c" -q 2>/dev/null || fail "compare failed"
"$P304" allocate "$S25" -o "$work/a" -q 2>/dev/null || fail "allocate failed"
"$P304" fiches "$work/a/repartition.json" --compare "$S20" -o "$work/f" -q 2>/dev/null || fail "fiches failed"
[ -s "$work/f/index.html" ] && [ -s "$work/f/77.html" ] && [ -s "$work/f/fiches.md" ] || fail "files missing"
# French amounts as the sheets write them: "-2 121 497 €" (U+202F, U+00A0)
fmt='function fr(v,   s, a, o) { s = v < 0 ? "-" : (v > 0 ? "+" : ""); a = v < 0 ? -v : v; o = "";
	while (length(a) > 3) { o = "\342\200\257" substr(a, length(a) - 2) o; a = substr(a, 1, length(a) - 3) }
	return s a o "\302\240€" }'
# comparaison.csv: code;...;écart (col 5);...; then one column per factor from col 11
tr -d '"\r' <"$work/c/comparaison.csv" | sed '1s/^\xEF\xBB\xBF//' | awk -F';' "$fmt"'
	NR == 1 { for (k = 11; k <= NF; k++) f[k] = $k; next }
	$0 == "" { exit }
	$1 != "TOTAL" && $3 != "" && $4 != "" && $7 != "absent" && $8 != "absent" {
		line = $1 "|écart : " fr($5)
		for (k = 11; k <= NF; k++) line = line "|" fr($k)
		print line }' >"$work/expect.txt"
[ "$(wc -l <"$work/expect.txt")" -ge 29 ] || fail "fewer than 29 authorities on both sides"
n=0
while IFS='|' read -r code rest; do
	[ -f "$work/f/$code.html" ] || fail "no sheet for $code"
	IFS='|'
	for want in $rest; do
		grep -qF -- "$want" "$work/f/$code.html" || fail "$code.html lacks '$want' (comparaison.csv)"
	done
	unset IFS
	n=$((n + 1))
done <"$work/expect.txt"
# the amount of every participant
tr -d '"\r' <"$work/a/repartition.csv" | sed '1s/^\xEF\xBB\xBF//' | awk -F';' "$fmt"'
	NR > 1 && $0 == "" { exit } NR > 1 && $1 != "TOTAL" { print $1 "|Montant : " substr(fr($7), 2) }' |
while IFS='|' read -r code want; do
	grep -qF -- "$want" "$work/f/$code.html" || { echo "FAIL fiches: $code.html lacks '$want'"; exit 1; }
done || exit 1
if command -v pandoc >/dev/null 2>&1; then
	[ -s "$work/f/fiches.docx" ] || fail "fiches.docx missing"
	pages=$(unzip -p "$work/f/fiches.docx" word/document.xml | grep -o 'w:pageBreakBefore' | wc -l)
	[ "$pages" -eq 98 ] || fail "fiches.docx has $pages page breaks, expected 98 (99 sheets)"
fi
# a result whose inputs changed is refused, not explained with other numbers
cp -R "$work/a" "$work/b"
sed -i 's/"amount_eur":	776225/"amount_eur":	776226/' "$work/b/repartition.json"
"$P304" fiches "$work/b/repartition.json" -o "$work/g" -q 2>"$work/err" && fail "a changed result was explained"
grep -q "differs from what its scenario" "$work/err" || fail "no message for a changed result"
echo "ok   fiches ($n sheets show the change and factors of comparaison.csv to the euro; 99 amounts; .docx)"
