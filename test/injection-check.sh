#!/bin/sh
# Texts from hostile files stay texts (issue 12):
# - CSV formula injection: names and region names starting with = + - @ or a
#   tab, written into every CSV, come out with a leading apostrophe (OWASP),
#   while numbers (negative changes too) are left as numbers;
# - the workbook holds them as strings (libxlsxwriter's string writer), never
#   as formulas;
# - control characters and ANSI escapes in an echoed input line reach the
#   terminal escaped (\e, \x07), never raw; in a title they are refused
#   (issue 19: no text a workbook cannot hold), the field named.
#   test/injection-check.sh P304 ROOT
set -u
P304=$1
ROOT=$2
work=$(mktemp -d /tmp/p304-inject.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
bad=0
fail() { echo "  $*"; bad=$((bad + 1)); }
esc=$(printf '\033')
bel=$(printf '\007')

cat >ref.csv <<'EOF'
code;nom;region_code;region_nom;type;valide_de;valide_a;codes_equivalents;composee_de
01;"=HYPERLINK(""http://example.invalid/"",""clic"")";84;=1+1;departement;;;;
02;+cmd|' /C calc'!A0;84;=1+1;departement;;;;
03;-2+3;32;@SUM(A1:A2);departement;;;;
49;@SUM(1+1);32;@SUM(A1:A2);departement;;;;
59;Nord;32;@SUM(A1:A2);departement;;;;
EOF
printf '77;\tTabulé;32;Hauts;departement;;;;\n' >>ref.csv
cat >data.csv <<'EOF'
code;enfants;pauvres
01;160000;20000
02;130000;35000
03;65000;25000
49;200000;40000
59;700000;180000
77;392000;50000
EOF
for e in 10000000 12000000; do
	cat >"s$e.json" <<EOF
{"id": "inj$e", "title": "Injection", "envelope_eur": $e, "data": "data.csv", "reference": "ref.csv",
 "criteria": [{"column": "enfants", "weight_pct": 60}, {"column": "pauvres", "weight_pct": 40}],
 "floor_eur": 600000}
EOF
done
"$P304" allocate s10000000.json -o a --by region --xlsx -q 2>err || fail "allocate failed: $(head -2 err)"
"$P304" compare s12000000.json s10000000.json -o c -q 2>err || fail "compare failed: $(head -2 err)"
# a cell starting with one of = + - @ tab, not behind an apostrophe, that
# is not a plain number
for f in a/repartition.csv a/par-region.csv c/comparaison.csv; do
	[ -s "$f" ] || { fail "$f was not written"; continue; }
	hits=$(tr ';' '\n' <"$f" | tr -d '"\r' | grep -E "^[-=+@	]" | grep -vE '^-?[0-9]+([,.][0-9]+)?$')
	[ -z "$hits" ] || fail "$f has cells Excel reads as formulas: $(echo $hits | head -c 200)"
done
q="'"
grep -qF "${q}=HYPERLINK" a/repartition.csv || fail "a/repartition.csv: the name =HYPERLINK(...) is not kept as a text"
grep -qF "\"${q}-2+3\"" a/repartition.csv || fail "a/repartition.csv: the name -2+3 is not kept as a text"
grep -qF "${q}=1+1" a/par-region.csv || fail "a/par-region.csv: the region =1+1 is not kept as a text"
grep -qE '"-[0-9]+"' c/comparaison.csv || fail "c/comparaison.csv: negative changes are no longer plain numbers"

# the workbook: strings, never formulas made of a name
if command -v unzip >/dev/null 2>&1 && [ -s a/repartition.xlsx ]; then
	unzip -o -q a/repartition.xlsx -d x 2>/dev/null
	grep -q "HYPERLINK" x/xl/sharedStrings.xml 2>/dev/null ||
		fail "repartition.xlsx: the name =HYPERLINK(...) is not a shared string"
	grep -lE "<f>[^<]*(HYPERLINK|cmd|SUM[(]1)" x/xl/worksheets/*.xml >/dev/null 2>&1 &&
		fail "repartition.xlsx: a name became a formula"
else
	fail "unzip is missing or repartition.xlsx was not written"
fi

# the terminal: a title with ANSI escapes and a bell, and a bad line with them
cat >t.json <<EOF
{"id": "term", "title": "Titre ${esc}[31mrouge${esc}[0m${bel}", "envelope_eur": 10000000, "data": "data.csv",
 "reference": "ref.csv", "criteria": [{"column": "enfants", "weight_pct": 100}]}
EOF
# (issue 19: a control character cannot reach a workbook or a note either:
# the title is refused, naming the field, and nothing raw is echoed)
"$P304" allocate t.json -o t >out 2>err && fail "a title with control characters was accepted"
grep -q "$esc" out err && fail "an escape character reached the terminal: $(grep "$esc" out err | cat -v | head -2)"
grep -q "$bel" out err && fail "a bell character reached the terminal"
grep -qF "'title' holds the character U+001B" err || fail "the coloured title is not refused by name: $(head -1 err | cat -v)"
[ -e t ] && fail "a refused title left an output folder"
printf 'code;enfants;pauvres\n01;12%s[2J;5\n' "$esc" >data2.csv
sed -e 's/"data.csv"/"data2.csv"/' -e "s/$esc[[][0-9]*m//g" -e "s/$bel//g" t.json >t2.json
"$P304" allocate t2.json -o t2 >out 2>err && fail "a bad value was accepted"
grep -q "$esc" out err && fail "an escape character of an echoed line reached the terminal: $(cat -v err | head -3)"
grep -qF '\e[2J' err || fail "the offending value is not shown escaped: $(cat -v err | head -3)"

if [ "$bad" -eq 0 ]; then
	echo "ok   injection (CSV cells neutralised, xlsx strings, terminal escapes shown escaped)"
	exit 0
fi
echo "FAIL injection: $bad problems"
exit 1
