#!/bin/sh
# The note for the minister (p304 note):
# 1. the 2020 wave reconciled with the illustrative needs and compared with the
#    2025 round: HTML self-contained with the charts and the figures, Markdown
#    linking PNG charts, .docx and .odt;
# 2. the direction: `note X --compare Y` reads from Y (the reference) to X;
# 3. escaping: a title with <script>, <img onerror>, *, # and a newline stays
#    text in note.html, note.md (read back through pandoc) and note.docx;
# 4. the .docx read back (pandoc to plain text): key figures and real tables;
# 5. the 2025 round against the 2020 wave printed to PDF by headless Chromium:
#    page 1 = object, key figures, decision, map; page 2 = movers, regions,
#    sources; then the annex (pages counted with pdfinfo);
# 6. without gnuplot, without pandoc: the note is still written, with a warning.
#   test/note-check.sh P304 ROOT
set -u
P304=$1
ROOT=$2
work=$(mktemp -d /tmp/p304-note.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL note: $*"; exit 1; }
S20="$ROOT/inputs/scenarios/2020-vague1.json"
S25="$ROOT/inputs/scenarios/2025-avec-bornes-2020.json"
NEEDS="$ROOT/inputs/besoins/besoins-2020-vague1-ILLUSTRATIF.csv"
nb=$(printf '\342\200\257') # the narrow no-break space of French amounts
sp=$(printf '\302\240')   # the no-break space before €

# 1. everything
"$P304" note "$S20" --compare "$S25" --needs "$NEEDS" --date 2026-12-01 -o "$work/n" -q 2>/dev/null ||
	fail "p304 note failed"
H="$work/n/note.html"
for f in note.html note.md note.docx note.odt map.svg bars.svg compare.svg reconcile.svg \
	 map.png bars.png compare.png reconcile.png repartition.xlsx manifest.json; do
	[ -s "$work/n/$f" ] || fail "$f missing"
done
for text in "50${nb}000${nb}000" "30 collectivités" "600${nb}000" "4${nb}500${nb}000" \
	    "Seine-et-Marne" "Île-de-France" "INSEE" "DREES" "reliquat" "Par région" \
	    "Le 1er décembre 2026" "Objet :" "Décision demandée" "Annexe 1" "Sources et méthode" \
	    "Sur 30 collectivités présentes des deux côtés" "aucune ne perd" "(28,5 %)" \
	    "au 1er janvier 2019" "Enfants de 0 à 19 ans" "valeur estimée à partir de" \
	    "<td>participants</td>" "Reliquat (non notifié)"; do
	grep -q "$text" "$H" || fail "note.html lacks '$text'"
done
# French throughout: no contract name of a factor, no English warning, no
# column name in the sources box of page 2
grep -q -E 'imputed as|<td>envelope</td>|<td>participants, weights' "$H" && fail "note.html has English labels"
sed -n '/class="box"/,/<\/div>/p' "$H" | grep -q 'enfants_0_19' && fail "the sources box shows column names"
# issue 21: imputed values in words outside the technical details; the
# notification's full lists in the annex, only a few names on page 2
sed '/Détails techniques/,$d' "$H" | grep -q -E "imputé|enfants_0_19|menages_pauvres|Shapley|\.csv:[0-9]" &&
	fail "note.html has technical words outside « Détails techniques »"
grep -q "Annexe 2 — Notification : sans réponse et demandes supérieures" "$H" || fail "no annex of the notification's lists"
page2=$(sed -n '/class="p2"/,/class="annex"/p' "$H")
echo "$page2" | grep -q "Demandes supérieures au montant proposé :</strong> 11 collectivités, qui demandent ensemble 3${nb}317${nb}746${sp}€ de plus" ||
	fail "page 2 does not count the requests above the offer"
[ "$(echo "$page2" | grep -o 'demandés pour' | wc -l)" -le 3 ] || fail "page 2 lists every request above the offer"
echo "$page2" | grep -q "liste complète en annexe 2" || fail "page 2 does not send to the annex"
echo "$page2" | grep -q "Somme (80)" && fail "page 2 names the smallest gap"
sed -n '/Annexe 2 — Notification/,/Annexe 3/p' "$H" | grep -q "Somme (80)" ||
	fail "the annex does not list every request above the offer"
total=$(tr -d '"\r' <"$work/n/repartition.csv" | awk -F';' '$1 == "TOTAL" { print $7 }')
[ "$total" = 50000000 ] || fail "repartition.csv total is '$total'"
[ "$(grep -c '<svg' "$H")" -ge 4 ] || fail "note.html embeds fewer than 4 charts"
grep -q -E '<script|src="http|href="http' "$H" && fail "note.html is not self-contained"
grep -q '!\[Montants .*](map.png)' "$work/n/note.md" || fail "note.md does not link the map"
grep -q 'w:pageBreakBefore\|{width=' "$work/n/note.md" && fail "note.md carries Word markup"

# 2. direction: the 2025 round (X) against the 2020 wave (Y, the reference):
# the total goes from Y's 50 M€ to X's 70 M€; 69 authorities enter
"$P304" note "$S25" --compare "$S20" --date 2026-12-01 -o "$work/d" -q 2>/dev/null || fail "note 2025 vs 2020 failed"
grep -q "Par rapport à la référence « P304 2020.*le total passe de 50${nb}000${nb}000${sp}€ à 70${nb}000${nb}000${sp}€ (+20${nb}000${nb}000${sp}€" \
	"$work/d/note.md" || fail "the comparison does not read from the reference (2020) to the scenario (2025)"
grep -q "69 entrent (absentes de la référence), aucune ne sort" "$work/d/note.md" ||
	fail "entering/leaving do not read from the reference"
grep -q "aucune ne gagne, 27 perdent et 3 sont inchangées" "$work/d/note.md" || fail "winners/losers wrong way round"
grep -q "En pourcentage" "$work/d/note.md" || fail "the note without a notification lacks the movers by percentage"
# the largest fall by${sp}€ is Pas-de-Calais 4 500 000 -> 1 329 839
grep -q "Pas-de-Calais (62) | 4${nb}500${nb}000${sp}€ | 1${nb}329${nb}839${sp}€ | \\\\-3${nb}170${nb}161${sp}€" "$work/d/note.md" ||
	fail "movers table signs do not read from the reference"
# French elision: never « ne est »
grep -q "ne est\|ne entre" "$work/d/note.md" "$H" && fail "« ne » before a vowel"

# 3. escaping of every text taken from a file
mkdir -p "$work/x"
sed -e 's|"title": *"[^"]*"|"title": "<script>alert(1)</script> <img src=x onerror=alert(2)> *gras* # dièse\\nseconde ligne \| `code`"|' \
    -e "s|\"\\.\\./|\"$ROOT/inputs/|g" "$S20" >"$work/x/s.json"
"$P304" note "$work/x/s.json" --date 2026-12-01 -o "$work/x/o" -q 2>/dev/null || fail "note with a hostile title failed"
grep -q -E '<script|<img' "$work/x/o/note.html" && fail "note.html carries raw HTML from the title"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt; \*gras\* # dièse seconde ligne' \
	"$work/x/o/note.html" || fail "note.html does not show the title as text"
[ "$(grep -c '^# ' "$work/x/o/note.md")" = 1 ] || fail "note.md: the title's newline broke the heading"
grep -q '^\*\*Objet :\*\* .*seconde ligne' "$work/x/o/note.md" || fail "note.md: the title is not on the object's line"
grep -q "^# Répartition de 50${nb}000${nb}000${sp}€ entre 30 collectivités$" "$work/x/o/note.md" ||
	fail "note.md: the headline does not state the envelope and participants"

if command -v pandoc >/dev/null 2>&1; then
	pandoc -f markdown -t html "$work/x/o/note.md" >"$work/x/md.html" 2>/dev/null || fail "pandoc cannot read note.md"
	grep -q -E '<script|<img src="x"|<em>gras|<code>code' "$work/x/md.html" && fail "note.md carries markup from the title"
	grep -q '&lt;script&gt;alert(1)' "$work/x/md.html" || fail "note.md lost the title's text"
	pandoc -t plain --wrap=none "$work/x/o/note.docx" 2>/dev/null | grep -q '<script>alert(1)</script> <img src=x onerror=alert(2)> \*gras\* # dièse' ||
		fail "note.docx does not show the title as text"

	# 4. the .docx read back: key figures, a real table, the map as PNG
	pandoc -t plain "$work/n/note.docx" >"$work/docx.txt" 2>/dev/null || fail "pandoc cannot read note.docx"
	for text in "Objet :" "50${nb}000${nb}000" "Décision demandée" "Seine-et-Marne" "Par région" \
		    "Reliquat (non notifié)" "Annexe 1"; do
		grep -q "$text" "$work/docx.txt" || fail "note.docx lacks '$text'"
	done
	unzip -p "$work/n/note.docx" word/document.xml >"$work/doc.xml" 2>/dev/null || fail "note.docx is not a zip"
	[ "$(grep -o '<w:tbl>' "$work/doc.xml" | wc -l)" -ge 4 ] || fail "note.docx has fewer than 4 Word tables"
	grep -q 'w:pageBreakBefore' "$work/doc.xml" || fail "note.docx has no page break"
	unzip -l "$work/n/note.docx" | grep -q 'media/.*\.png' || fail "note.docx embeds no PNG chart"
	# every chart inside an A4 page's text (15 cm × 21 cm; 360 000 EMU a cm):
	# gnuplot's PNG at its own size ran off the page (issue 21)
	grep -o 'cx="[0-9]*" cy="[0-9]*"' "$work/doc.xml" | tr -dc '0-9 \n' |
		awk '$1 > 15 * 360000 + 1000 || $2 > 21 * 360000 + 1000 { bad = 1 } END { exit !bad }' &&
		fail "note.docx has a chart larger than an A4 page's text"
	unzip -p "$work/n/note.odt" content.xml | grep -o 'svg:width="[0-9.]*in" svg:height="[0-9.]*in"' |
		tr -dc '0-9. \n' | awk '$1 * 2.54 > 15.01 || $2 * 2.54 > 21.01 { bad = 1 } END { exit !bad }' &&
		fail "note.odt has a chart larger than an A4 page's text"
	unzip -p "$work/n/note.odt" content.xml 2>/dev/null | grep -q 'table:table ' || fail "note.odt has no table"
	# without pandoc: HTML and Markdown, and how to get the .docx
	mkdir -p "$work/bin"
	ln -s "$(command -v gnuplot)" "$work/bin/gnuplot"
	env PATH="$work/bin" "$P304" note "$S20" -o "$work/np" -q 2>"$work/err" || fail "note without pandoc failed"
	grep -q "pandoc is not installed.*apt-get install pandoc" "$work/err" || fail "no hint without pandoc"
	[ -s "$work/np/note.html" ] && [ -s "$work/np/map.svg" ] && [ ! -e "$work/np/note.docx" ] ||
		fail "note without pandoc is wrong"
fi

# 5. printed from a browser: two pages, then the annex
if command -v chromium >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1; then
	timeout 180 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --no-pdf-header-footer \
		--user-data-dir="$work/chromium" --print-to-pdf="$work/d.pdf" \
		"file://$work/d/note.html" >/dev/null 2>&1
	[ -s "$work/d.pdf" ] || fail "chromium did not print the note"
	pages=$(pdfinfo "$work/d.pdf" | awk '/^Pages:/ { print $2 }')
	page() { pdftotext -layout -f "$1" -l "$1" "$work/d.pdf" - 2>/dev/null; }
	page 1 | grep -q "Objet" && page 1 | grep -q "Décision demandée" && page 1 | grep -q "Montants du scénario par collectivité" ||
		fail "page 1 lacks the object, the decision or the map"
	page 1 | grep -q "Les plus fortes variations" && fail "page 1 runs into page 2"
	page 2 | head -3 | grep -q "Les plus fortes variations" || fail "page 2 does not start with the movers"
	page 2 | grep -q "Par région" && page 2 | grep -q "Sources" || fail "page 2 lacks the regions or the sources"
	page 2 | grep -q "Annexe" && fail "the annex starts on page 2"
	page 3 | head -3 | grep -q "Annexe 1" || fail "page 3 does not start the annex"
	# the annex: the table of 99 + 69 rows, the charts, the method (at most 6 pages)
	[ "$pages" -ge 4 ] && [ "$pages" -le 8 ] || fail "the note prints on $pages pages (2 + annex of 2 to 6 expected)"
	# no heading alone at the bottom of a page: the last line of each page is not a heading
	i=1
	while [ "$i" -le "$pages" ]; do
		last=$(page "$i" | sed '/^[[:space:]]*$/d' | tail -1 | sed 's/^ *//')
		case "$last" in
		"Annexe "*|"Les plus fortes"*|"Par région"|"En euros"|"En pourcentage"*|"Données"|"Méthode"|"Notification")
			fail "page $i ends with the heading '$last'" ;;
		esac
		i=$((i + 1))
	done
	annex=$((pages - 2))
	printed="printed: 2 pages + $annex annex pages"
else
	printed="chromium or pdfinfo missing: print not checked"
fi

# 6. without gnuplot
env PATH=/nonexistent "$P304" note "$S20" -o "$work/m" -q 2>"$work/err" || fail "note without gnuplot failed"
grep -q "gnuplot is not installed" "$work/err" || fail "no warning without gnuplot"
[ -s "$work/m/note.html" ] && [ ! -e "$work/m/map.svg" ] || fail "note without gnuplot is wrong"
echo "ok   note (direction, escaping, .docx/.odt read back, $printed)"
