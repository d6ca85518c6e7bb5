#!/bin/sh
# Interrupted runs leave the previous complete set or the new complete set:
# `p304 allocate` is killed with SIGKILL at random moments while it replaces
# an output folder, and after each kill the folder must hold exactly one of
# the two complete sets, never a mix or half a file.
#   test/atomic-kill.sh P304 ROUNDS
# (--no-xlsx: the workbook of 20 000 rows would make every run outlast the
# kills.) Synthetic data (20 000 invented entities in a private reference list) so a
# run lasts long enough for kills to land in every phase.
set -u
P304=$1
ROUNDS=${2:-60}
work=$(mktemp -d /tmp/p304-atomic.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
awk 'BEGIN {
	print "code;nom;region_code;region_nom;type;valide_de;valide_a;codes_equivalents;composee_de" > "ref.csv"
	print "code;v;w" > "data.csv"
	for (i = 1; i <= 20000; i++) {
		printf "E%05d;Entité %d;01;Test;entite;;;;\n", i, i >> "ref.csv"
		printf "E%05d;%d;%d\n", i, (i * 7919) % 10007 + 1, (i * 104729) % 1009 + 1 >> "data.csv"
	}
}'
for e in 1000000000 1200000000; do
	cat >"s$e.json" <<JSON
{"id": "atomic", "envelope_eur": $e, "data": "data.csv", "reference": "ref.csv",
 "criteria": [{"column": "v", "weight_pct": 70}, {"column": "w", "weight_pct": 30}],
 "floor_eur": 10000, "ceiling_eur": 200000}
JSON
	"$P304" allocate "s$e.json" --no-xlsx -o "golden$e" -q || { echo "FAIL atomic: golden run failed"; exit 1; }
done
cp -R golden1000000000 out
killed=0 bad=0 replaced=0
i=0
while [ "$i" -lt "$ROUNDS" ]; do
	cur=$(cmp -s out/repartition.json golden1000000000/repartition.json && echo 1000000000 || echo 1200000000)
	next=$([ "$cur" = 1000000000 ] && echo 1200000000 || echo 1000000000)
	"$P304" allocate "s$next.json" --no-xlsx -o out -q &
	pid=$!
	# a delay spread over 0-200 ms: a run takes ~150 ms, so kills land
	# before, during and after the writing and the rename
	sleep "0.$(printf %03d $(( (i * 37) % 200 )))"
	kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
	wait "$pid" 2>/dev/null
	ok=0
	for g in golden1000000000 golden1200000000; do
		if cmp -s out/repartition.json "$g/repartition.json" &&
		   cmp -s out/repartition.csv "$g/repartition.csv" &&
		   [ -s out/manifest.json ] &&
		   [ "$(ls out | wc -l)" -eq 3 ]; then
			ok=1
		fi
	done
	cmp -s out/repartition.json "golden$next/repartition.json" && replaced=$((replaced + 1))
	[ "$ok" -eq 1 ] || { bad=$((bad + 1)); echo "  round $i: out/ is not a complete set: $(ls out 2>&1 | tr '\n' ' ')"; }
	i=$((i + 1))
done
# a temporary set left by a killed run is removed once an hour old, and a
# younger one (maybe a run still writing) is kept
mkdir -p .out.tmp-aaaaaa .out.tmp-bbbbbb
touch .out.tmp-aaaaaa/repartition.json
touch -d '2 hours ago' .out.tmp-aaaaaa
"$P304" allocate s1000000000.json -o out -q || bad=$((bad + 1))
[ -e .out.tmp-aaaaaa ] && { echo "  a stale temporary set was not removed"; bad=$((bad + 1)); }
[ -d .out.tmp-bbbbbb ] || { echo "  a young temporary set was removed"; bad=$((bad + 1)); }
if [ "$bad" -eq 0 ]; then
	echo "ok   atomic outputs ($ROUNDS runs, $killed killed by SIGKILL, $replaced found the new set, the others the previous one; never a mix)"
	exit 0
fi
echo "FAIL atomic outputs: $bad of $ROUNDS interrupted runs left a broken set"
exit 1
