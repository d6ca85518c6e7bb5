#!/bin/sh
# A process killed in the middle of a record leaves the ledger as it was
# (issue 22): `p304 ledger import` of 10 000 rows is killed with SIGKILL at
# random moments, ROUNDS times; after each kill the ledger must pass
# PRAGMA quick_check, every batch must hold exactly the entries it counts
# (a batch is whole or absent), and p304 must still open it.
#   test/ledger-kill.sh P304 ROUNDS
set -u
P304=$1
ROUNDS=${2:-40}
work=$(mktemp -d /tmp/p304-ledger-kill.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
# invented entities in a private reference list: a write long enough for
# the kills to land in every phase
awk 'BEGIN {
	print "code;nom;region_code;region_nom;type;valide_de;valide_a;codes_equivalents;composee_de" > "ref.csv"
	print "code;delegue_eur" > "delegue.csv"
	for (i = 1; i <= 10000; i++) {
		printf "E%05d;Entité %d;01;Test;entite;;;;\n", i, i >> "ref.csv"
		printf "E%05d;%d\n", i, (i * 7919) % 100007 >> "delegue.csv"
	}
}'
export P304_REFERENCE="$work/ref.csv"
"$P304" ledger import delegue.csv --ledger l.sqlite --stage delegated --year 1999 -q ||
	{ echo "FAIL ledger kill: first import failed"; exit 1; }
whole=0
cut=0
r=1
while [ "$r" -le "$ROUNDS" ]; do
	"$P304" ledger import delegue.csv --ledger l.sqlite --stage delegated --year $((2000 + r)) -q \
		>/dev/null 2>&1 &
	pid=$!
	sleep "$(awk -v r="$r" 'BEGIN { srand(r); printf "%.3f", rand() * 0.5 }')"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	out=$(python3 - "$work/l.sqlite" $((2000 + r)) <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ok = db.execute("PRAGMA quick_check").fetchone()[0]
bad = db.execute("SELECT b.id, b.nentries, count(e.id) FROM batch b LEFT JOIN entry e"
                 " ON e.batch = b.id GROUP BY b.id HAVING b.nentries != count(e.id)").fetchall()
n = db.execute("SELECT count(*) FROM entry WHERE year = ?", (int(sys.argv[2]),)).fetchone()[0]
print(ok, len(bad), n)
PY
)
	set -- $out
	if [ "${1:-}" != ok ] || [ "${2:-1}" != 0 ] || { [ "${3:-1}" != 0 ] && [ "${3:-1}" != 10000 ]; }; then
		echo "FAIL ledger kill: round $r: quick_check ${1:-?}, ${2:-?} partial batches, ${3:-?} entries of the year (0 or 10000 expected)"
		exit 1
	fi
	if [ "$3" = 0 ]; then cut=$((cut + 1)); else whole=$((whole + 1)); fi
	"$P304" ledger caps --ledger l.sqlite --year 2000 -q ||
		{ echo "FAIL ledger kill: round $r: p304 no longer opens the ledger"; exit 1; }
	r=$((r + 1))
done
echo "ok   ledger kill ($ROUNDS SIGKILLs: $cut imports cut before their commit left nothing, $whole complete)"
