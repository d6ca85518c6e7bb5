#!/bin/sh
# The note with the campaign ledger (issue 22, p304 note --ledger):
# 1. the illustrative 2020 delegations and consumptions (inputs/registre/)
#    cited in the note of year 2021: the .docx read back (word/document.xml)
#    has the paragraph of page 2, the ILLUSTRATIF label, the ledger's name
#    and date, and the last annex by collectivité; the .odt too;
# 2. printed from a browser, page 2 still holds the regions, the history and
#    the sources, and the annex starts on page 3;
# 3. without a ledger, and with a ledger that has nothing for N-1 and N-2,
#    the note is byte-identical (note.md, note.html).
# Charts are left out (gnuplot hidden): they are not what is checked here
# and drawing them costs seconds.
#   test/note-history-check.sh P304 ROOT
set -u
P304=$1
ROOT=$2
work=$(mktemp -d /tmp/p304-notehist.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL note-history: $*"; exit 1; }
S20="$ROOT/inputs/scenarios/2020-vague1.json"
S25="$ROOT/inputs/scenarios/2025-avec-bornes-2020.json"
L="$work/campagne-test.sqlite"
nb=$(printf '\342\200\257')
mkdir -p "$work/bin"
command -v pandoc >/dev/null 2>&1 && ln -s "$(command -v pandoc)" "$work/bin/pandoc"
export SOURCE_DATE_EPOCH=1764950400 # 5 December 2025, the ledger's « enregistré le »
"$P304" ledger import "$ROOT/inputs/registre/delegue-2020-vague1-ILLUSTRATIF.csv" --ledger "$L" \
	--stage delegated --year 2020 --comment ILLUSTRATIF -q &&
"$P304" ledger import "$ROOT/inputs/registre/consomme-2020-vague1-ILLUSTRATIF.csv" --ledger "$L" \
	--stage consumed --year 2020 --comment ILLUSTRATIF -q || fail "ledger import failed"
unset SOURCE_DATE_EPOCH

# 1. the note of 2021 cites 2020 (no charts: annexes 1 amounts, 2 sources and
# method, 3 the history)
env PATH="$work/bin" "$P304" note "$S25" --compare "$S20" --ledger "$L" --year 2021 \
	--date 2026-12-01 -o "$work/n" -q 2>/dev/null || fail "note --ledger failed"
md="$work/n/note.md"
for text in "Exécution des années précédentes." "En 2020 (montants illustratifs), 45${nb}144${nb}254" \
	    "délégués à 28 collectivités" "(85,5${nb}%)" "24 ont consommé moins que leur délégation" \
	    "fichier campagne-test.sqlite, enregistré le 5 décembre 2025" "ILLUSTRATIF au registre" \
	    "Annexe 3 — Exécution des années précédentes" "Détail : annexe 3." \
	    "| 62 | Pas-de-Calais | 4${nb}500${nb}000"; do
	grep -qF -- "$text" "$md" || fail "note.md lacks '$text'"
done
# the manifest names the ledger as an input (p304 verify replays the note)
grep -q '"role":[[:space:]]*"ledger"' "$work/n/manifest.json" || fail "the manifest does not name the ledger"
if [ -e "$work/bin/pandoc" ]; then
	unzip -p "$work/n/note.docx" word/document.xml >"$work/doc.xml" 2>/dev/null || fail "note.docx is not a zip"
	for text in "Exécution des années précédentes." "montants illustratifs" "campagne-test.sqlite" \
		    "Annexe 3 — Exécution des années précédentes" "Par collectivité" "Pas-de-Calais" \
		    "sous-consommation"; do
		grep -qF -- "$text" "$work/doc.xml" || fail "note.docx lacks '$text'"
	done
	# the history paragraph sits on page 2: after the first page break
	# (w:pageBreakBefore) and before the second (the annex)
	awk -v RS='w:pageBreakBefore' 'NR == 2 && /Exécution des années précédentes/ { ok = 1 }
		END { exit !ok }' "$work/doc.xml" || fail "note.docx: the history is not on page 2"
	unzip -p "$work/n/note.odt" content.xml 2>/dev/null | grep -qF "Exécution des années précédentes" ||
		fail "note.odt lacks the history"
	office="docx/odt read back"
else
	office="pandoc missing: .docx not checked"
fi

# 2. printed: page 2 keeps the history and the sources, the annex on page 3
if command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1; then
	timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --no-pdf-header-footer \
		--user-data-dir="$work/chromium" --print-to-pdf="$work/n.pdf" \
		"file://$work/n/note.html" >/dev/null 2>&1
	[ -s "$work/n.pdf" ] || fail "chromium did not print the note"
	page() { pdftotext -layout -f "$1" -l "$1" "$work/n.pdf" - 2>/dev/null; }
	page 2 | grep -q "Par région" && page 2 | grep -q "Exécution des années précédentes" &&
		page 2 | grep -q "Sources" || fail "page 2 lacks the regions, the history or the sources"
	page 3 | sed '/^[[:space:]]*$/d' | head -1 | grep -q "Annexe 1" || fail "page 3 does not start the annex"
	printed="page 2 printed whole"
else
	printed="chromium missing: print not checked"
fi

# 3. nothing for N-1 and N-2 (a 2020 note: 2018, 2019): the note of today
env PATH=/nonexistent "$P304" note "$S20" --date 2026-12-01 -o "$work/a" -q 2>/dev/null ||
	fail "note without ledger failed"
env PATH=/nonexistent "$P304" note "$S20" --ledger "$L" --date 2026-12-01 -o "$work/b" -q 2>/dev/null ||
	fail "note with a ledger without history failed"
for f in note.md note.html; do
	cmp -s "$work/a/$f" "$work/b/$f" || fail "$f differs with a ledger that has nothing for 2018-2019"
done
echo "ok   note-history (page 2 paragraph, last annex, ILLUSTRATIF, $office, $printed, no history = same note)"
