#!/bin/sh
# Workbooks read back: `allocate --xlsx`, `reconcile --xlsx`, `compare --xlsx`
# on the shipped 2020 wave; each workbook opens (xlsx2csv), has the expected
# sheets, and its table holds the same codes and amounts as the CSV written
# beside it, its TOTAL the same exact total.
#   test/xlsx-check.sh P304 ROOT
set -u
P304=$1
ROOT=$2
work=$(mktemp -d /tmp/p304-xlsx.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL xlsx: $*"; exit 1; }
command -v xlsx2csv >/dev/null 2>&1 || fail "xlsx2csv is not installed (apt-get install xlsx2csv)"
S="$ROOT/inputs/scenarios/2020-vague1.json"
"$P304" allocate "$S" --xlsx -o "$work/a" -q 2>/dev/null || fail "allocate --xlsx"
"$P304" reconcile "$S" --needs "$ROOT/inputs/besoins/besoins-2020-vague1-ILLUSTRATIF.csv" \
	--xlsx -o "$work/r" -q 2>/dev/null || fail "reconcile --xlsx"
"$P304" compare "$S" "$ROOT/inputs/scenarios/2025-avec-bornes-2020.json" --xlsx -o "$work/c" -q \
	2>/dev/null || fail "compare --xlsx"
# sheets
for spec in "a/repartition.xlsx:Paramètres:Répartition:Par région" \
	    "r/notification.xlsx:Paramètres:Notification:Par région" \
	    "c/comparaison.xlsx:Paramètres:Comparaison"; do
	file=${spec%%:*}
	sheets=$(xlsx2csv -a "$work/$file" 2>/dev/null | sed -n 's/^-------- [0-9]* - //p' | tr '\n' ':')
	want=$(echo "${spec#*:}:")
	[ "$sheets" = "$want" ] || fail "$file has sheets '$sheets', expected '$want'"
done
# amounts: code and last amount column of the table sheet vs the CSV
cmp_table() { # xlsx sheet csv code_col amount_col_xlsx amount_col_csv
	xlsx2csv -n "$2" "$work/$1" | awk -F, -v c="$4" -v a="$5" 'NR > 1 && /^,*$/ { exit } NR > 1 { print $c ";" $a }' \
		| sed '/^;/d' >"$work/x.txt"
	sed '1s/^\xEF\xBB\xBF//' "$work/$3" | tr -d '"\r' | awk -F';' -v c="$4" -v a="$6" 'NR > 1 && $0 == "" { exit } NR > 1 && $c !~ /^NON|^RELIQUAT/ { print $c ";" $a }' \
		| sed '/^;/d' >"$work/y.txt"
	cmp -s "$work/x.txt" "$work/y.txt" || { diff "$work/x.txt" "$work/y.txt" | head -5; fail "$1 $2 differs from $3"; }
}
cmp_table a/repartition.xlsx Répartition a/repartition.csv 1 7 7
cmp_table r/notification.xlsx Notification r/notification.csv 1 8 8
cmp_table c/comparaison.xlsx Comparaison c/comparaison.csv 1 5 5
echo "ok   xlsx workbooks (3 read back with xlsx2csv: sheets, amounts and totals equal the CSV)"
