#!/bin/sh
# The note for the minister on the shipped 2020 wave, compared with the 2025
# round and reconciled with the illustrative needs: the HTML is
# self-contained (no external link or script), embeds the charts, and holds
# the figures of the results; the Markdown links its images. Without gnuplot
# the note is still written, without charts, with a warning.
#   test/note-check.sh P304 ROOT
set -u
P304=$1
ROOT=$2
work=$(mktemp -d /tmp/p304-note.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL note: $*"; exit 1; }
S="$ROOT/inputs/scenarios/2020-vague1.json"
"$P304" note "$S" --compare "$ROOT/inputs/scenarios/2025-avec-bornes-2020.json" \
	--needs "$ROOT/inputs/besoins/besoins-2020-vague1-ILLUSTRATIF.csv" -o "$work/n" -q 2>/dev/null ||
	fail "p304 note failed"
H="$work/n/note.html"
for f in note.html note.md map.svg bars.svg compare.svg reconcile.svg repartition.xlsx manifest.json; do
	[ -s "$work/n/$f" ] || fail "$f missing"
done
nb=$(printf '\342\200\257') # the narrow no-break space of French amounts
for text in "50${nb}000${nb}000" "30 collectivités" "600${nb}000" "4${nb}500${nb}000" \
	    "Seine-et-Marne" "Île-de-France" "INSEE" "DREES" "reliquat" "Par région" \
	    "Sources et méthode" "Parmi les 30 collectivités présentes" "aucune ne gagne" \
	    "(28,5 %)" "imputé à" "<td>participants</td>"; do
	grep -q "$text" "$H" || fail "note.html lacks '$text'"
done
# in French throughout: no contract name of a factor, no English warning
grep -q -E 'imputed as|<td>envelope</td>|<td>participants, weights' "$H" && fail "note.html has English labels"
# the allocated amounts of the result are in the regional total
total=$(tr -d '"\r' <"$work/n/repartition.csv" | awk -F';' '$1 == "TOTAL" { print $7 }')
[ "$total" = 50000000 ] || fail "repartition.csv total is '$total'"
[ "$(grep -c '<svg' "$H")" -ge 4 ] || fail "note.html embeds fewer than 4 charts"
grep -q -E '<script|src="http|href="http' "$H" && fail "note.html is not self-contained"
grep -q '!\[Carte des montants pré-notifiés\](map.svg)' "$work/n/note.md" || fail "note.md does not link the map"
# without gnuplot
env PATH=/nonexistent "$P304" note "$S" -o "$work/m" -q 2>"$work/err" || fail "note without gnuplot failed"
grep -q "gnuplot is not installed" "$work/err" || fail "no warning without gnuplot"
[ -s "$work/m/note.html" ] && [ ! -e "$work/m/map.svg" ] || fail "note without gnuplot is wrong"
echo "ok   note (HTML self-contained with 4 charts and the figures, Markdown, workbook; works without gnuplot)"
