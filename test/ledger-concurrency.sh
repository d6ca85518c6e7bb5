#!/bin/sh
# One ledger, WRITERS processes importing at once (issue 22): each writer
# imports N one-row files in a row; SQLite serialises the writers (BEGIN
# IMMEDIATE, busy timeout). Afterwards every record is there exactly once,
# with its amount: nothing lost, nothing duplicated.
#   test/ledger-concurrency.sh P304 WRITERS N
set -u
P304=$1
W=${2:-8}
N=${3:-25}
work=$(mktemp -d /tmp/p304-ledger-conc.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
# the codes of the reference list, the first 101
codes=$(awk -F';' 'NR > 1 && $1 ~ /^[0-9][0-9AB]?[0-9]?$/ { print $1 }' "$P304_REFERENCE" | head -101)
set -- $codes
ncodes=$#
"$P304" ledger caps --ledger l.sqlite --year 2000 -q 2>/dev/null # absent: refused, nothing created
# First use by several at once (two officers, or the page and a command):
# each creates the ledger or finds it being created; none is refused. Before
# the fix, 1 round in 6 refused one writer ("not a p304 ledger", or busy).
printf 'code;consomme_eur\n%s;1\n' "$1" >first.csv
round=1
while [ "$round" -le 10 ]; do
	rm -f first.sqlite first.sqlite-wal first.sqlite-shm
	w=1
	while [ "$w" -le "$W" ]; do
		"$P304" ledger import first.csv --ledger first.sqlite --stage consumed --year $((1900 + w)) -q \
			2>>first.err || echo "first use: round $round writer $w refused ($(tail -1 first.err))" >>errors &
		w=$((w + 1))
	done
	wait
	round=$((round + 1))
done
# A first import refused (a bad last line of a long table) while another
# import, accepted, creates the ledger: the accepted one must stay. Before
# the fix the refused run deleted the file it had created, with the entries
# written there meanwhile ("recorded", exit 0, then lost).
awk 'BEGIN { print "code;consomme_eur"; for (i = 0; i < 300000; i++) print "59;" i; print "62;abc" }' >long-bad.csv
"$P304" ledger import long-bad.csv --ledger race.sqlite --stage consumed --year 2020 -q 2>/dev/null &
refused=$!
while [ ! -e race.sqlite ] && kill -0 "$refused" 2>/dev/null; do sleep 0.01; done
"$P304" ledger import first.csv --ledger race.sqlite --stage consumed --year 2020 -q ||
	echo "race: the accepted import was refused" >>errors
wait "$refused" && echo "race: the bad table was accepted" >>errors
[ "$("$P304" ledger history --ledger race.sqlite 2>/dev/null | grep -c ' 2020 ')" = 1 ] ||
	echo "race: the accepted import was lost when the refused one ended" >>errors
w=1
while [ "$w" -le "$W" ]; do
	(
		i=0
		while [ "$i" -lt "$N" ]; do
			k=$((i % ncodes + 1))
			eval "code=\${$k}"
			year=$((2000 + w * 10 + i / ncodes))
			printf 'code;consomme_eur\n%s;%d\n' "$code" $((w * 100000 + i)) >"w$w-$i.csv"
			"$P304" ledger import "w$w-$i.csv" --ledger l.sqlite --stage consumed --year "$year" -q ||
				echo "writer $w record $i refused" >>errors
			i=$((i + 1))
		done
	) &
	w=$((w + 1))
done
wait
[ -s errors ] && { echo "FAIL ledger concurrency: $(head -3 errors)"; exit 1; }
out=$(python3 - l.sqlite "$W" "$N" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
w, n = int(sys.argv[2]), int(sys.argv[3])
rows = db.execute("SELECT amount_eur, count(*) FROM entry GROUP BY amount_eur").fetchall()
dup = sum(1 for a, c in rows if c != 1)
want = {wr * 100000 + i for wr in range(1, w + 1) for i in range(n)}
got = {a for a, c in rows}
print(len(want - got), dup, len(got - want), db.execute("SELECT count(*) FROM batch").fetchone()[0])
PY
)
set -- $out
if [ "$1" != 0 ] || [ "$2" != 0 ] || [ "$3" != 0 ] || [ "$4" != $((W * N)) ]; then
	echo "FAIL ledger concurrency: $1 lost, $2 duplicated, $3 unexpected, $4 batches for $((W * N)) records"
	exit 1
fi
echo "ok   ledger concurrency ($W writers × $N records at once: $((W * N)) recorded, none lost or duplicated)"
