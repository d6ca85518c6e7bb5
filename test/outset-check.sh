#!/bin/sh
# Replacing an output folder never loses a file p304 did not write (issue 12):
# an officer's comments, a chart drawn into the set, a sub-folder and a link
# are kept; the previous set's own files are replaced (a file it wrote that
# the new run does not write goes); `-o LINK` replaces the folder the link
# points to and keeps the link; no `.NAME.tmp-*` is left; runs racing on one
# folder all end with a complete set (they wait for each other: a lock
# beside the set); a writer creating files in the folder while p304 replaces
# it loses none; a file of the officer's named like an output is refused,
# not replaced or hidden; a sub-folder caught in a killed run's
# temporary folder comes back on the next run, a file too (issue 19: it
# was deleted); verify leaves no scratch folder.
#   test/outset-check.sh P304 ROOT
set -u
P304=$1
ROOT=$2
work=$(mktemp -d /tmp/p304-outset.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
bad=0
fail() { echo "  $*"; bad=$((bad + 1)); }
cp "$ROOT/test/cases/allocate_basic/data.csv" "$ROOT/test/cases/allocate_basic/scenario.json" . 2>/dev/null ||
	{ echo "FAIL outset: test/cases/allocate_basic is missing"; exit 1; }

"$P304" allocate scenario.json -o out --by region -q || fail "first run failed"
echo "mes remarques" >out/commentaires.txt
mkdir out/annexes && echo "piece" >out/annexes/piece.txt
ln -s commentaires.txt out/lien
if command -v gnuplot >/dev/null 2>&1; then
	"$P304" chart out/repartition.json --kind bars -q || fail "chart into the set failed"
fi
"$P304" allocate scenario.json -o out -q || fail "second run failed"
[ "$(cat out/commentaires.txt 2>/dev/null)" = "mes remarques" ] || fail "commentaires.txt was lost"
[ -f out/annexes/piece.txt ] || fail "the sub-folder annexes/ was lost"
[ -L out/lien ] || fail "the link out/lien was lost"
if command -v gnuplot >/dev/null 2>&1; then
	[ -s out/bars.png ] || fail "the chart bars.png drawn into the set was lost"
fi
[ -e out/par-region.csv ] && fail "par-region.csv of the previous run (p304's own) was kept"
[ -s out/repartition.json ] && [ -s out/manifest.json ] || fail "the new set is incomplete"
left=$(ls -a | grep '\.tmp-') && fail "temporary folders left: $left"

# -o LINK: the folder pointed to is replaced, the link stays a link
ln -s out lien-sortie
"$P304" allocate scenario.json -o lien-sortie -q || fail "run through a link failed"
[ -L lien-sortie ] || fail "-o lien-sortie replaced the link itself"
[ -s lien-sortie/repartition.json ] && [ -f out/commentaires.txt ] ||
	fail "-o lien-sortie emptied its target"
left=$(ls -a | grep '\.tmp-') && fail "temporary folders left: $left"
ln -s absent lien-casse
"$P304" allocate scenario.json -o lien-casse -q 2>err && fail "-o to a broken link was accepted"
grep -q "symbolic link" err || fail "-o to a broken link: no clear message ($(cat err))"

# a set written before manifests listed their files: p304's names are
# replaced, anything else kept
rm -rf old && mkdir old
printf '{\n\t"tool":\t"p304"\n}\n' >old/manifest.json
echo stale >old/repartition.csv
echo "a moi" >old/budget.xlsx
"$P304" allocate scenario.json -o old -q || fail "run over an older set failed"
[ "$(cat old/budget.xlsx 2>/dev/null)" = "a moi" ] || fail "old/budget.xlsx was lost"
grep -q stale old/repartition.csv && fail "old/repartition.csv was not replaced"

# racing runs on one folder: each ends with exit 0 or a clear message, the
# folder always holds one complete set and no temporary folder is left
round=0
while [ "$round" -lt 15 ]; do
	rm -rf race
	for j in 1 2 3 4; do
		("$P304" allocate scenario.json -o race -q --no-xlsx 2>>race.err; echo $? >>race.rc) &
	done
	wait
	[ "$(ls race 2>/dev/null | wc -l)" -eq 3 ] || fail "race round $round: $(ls race 2>&1 | tr '\n' ' ')"
	round=$((round + 1))
done
grep -v '^0$' race.rc >/dev/null && fail "racing runs failed: $(sort race.err | uniq | head -3)"
left=$(ls -a | grep -E '\.tmp-|p304-lock') && fail "temporary folders or locks left after racing runs: $left"

# a writer creating files in the set while p304 replaces it again and again
# (issue 19): before, files created between p304's look at the folder and
# the exchange went with the old folder (621 of 3 000 lost in 10 runs)
rm -rf cw && "$P304" allocate scenario.json -o cw -q --no-xlsx
# (a write that reports an error is not counted: the shell may resolve cw/
# to the old folder just before it is removed, and then the write fails,
# visibly; what must never happen is a write reported done and lost)
(i=0; while [ "$i" -lt 1500 ]; do
	if echo "$i" 2>/dev/null >"cw/f$i.txt"; then echo "$i" >>written; fi
	i=$((i + 1))
done; touch writer.done) 2>/dev/null &
runs=0
while [ ! -e writer.done ] && [ "$runs" -lt 200 ]; do
	"$P304" allocate scenario.json -o cw -q --no-xlsx 2>>cw.err || fail "rerun beside a writer failed: $(tail -1 cw.err)"
	runs=$((runs + 1))
done
wait
lost=0
for i in $(cat written); do
	[ -f "cw/f$i.txt" ] || lost=$((lost + 1))
done
[ "$lost" -eq 0 ] || fail "a writer beside $runs reruns lost $lost of $(wc -l <written) files it wrote"
left=$(ls -a | grep -E '\.tmp-|p304-lock') && fail "left after the writer test: $left"

# a file of the officer's with a name the rerun writes (repartition.xlsx
# beside a --no-xlsx set; a folder named repartition.csv): refused, kept
rm -rf nx && "$P304" allocate scenario.json -o nx -q --no-xlsx
echo "mon classeur" >nx/repartition.xlsx
"$P304" allocate scenario.json -o nx -q 2>err && fail "a rerun overwrote the officer's repartition.xlsx"
grep -q "'repartition.xlsx', which p304 did not write" err || fail "repartition.xlsx refused without its name: $(cat err)"
[ "$(cat nx/repartition.xlsx)" = "mon classeur" ] || fail "the officer's repartition.xlsx was changed"
rm nx/repartition.xlsx && mkdir nx/repartition.xlsx && echo x >nx/repartition.xlsx/a
"$P304" allocate scenario.json -o nx -q 2>err && fail "a rerun accepted a folder named repartition.xlsx"
[ -f nx/repartition.xlsx/a ] || fail "the folder repartition.xlsx was moved or hidden"
left=$(ls -a | grep -E '\.tmp-|p304-lock') && fail "left after a refusal: $left"

# a run killed between the exchange and the move of a sub-folder: the
# sub-folder waits in the temporary folder; once that is stale (an hour),
# the next run puts it back into the set
mkdir -p .out.tmp-zzzzzz/photos && echo img >.out.tmp-zzzzzz/photos/a.jpg
echo old >.out.tmp-zzzzzz/repartition.json
echo "arrivé pendant l'échange" >.out.tmp-zzzzzz/remarque.txt
touch -d '2 hours ago' .out.tmp-zzzzzz
"$P304" allocate scenario.json -o out -q || fail "run after a killed one failed"
[ -f out/photos/a.jpg ] || fail "a sub-folder left in a killed run's temporary folder was not recovered"
[ -f out/remarque.txt ] || fail "a file left in a killed run's temporary folder was deleted, not recovered"
[ -e .out.tmp-zzzzzz ] && fail "the stale temporary folder was left"

# verify removes its scratch folders whatever happens: identical, different,
# refused manifest, failed recomputation
mkdir -p tmpdir
"$P304" allocate scenario.json -o v -q
TMPDIR="$work/tmpdir" "$P304" verify v -q >/dev/null 2>&1 || fail "verify of a fresh set failed"
cp -R v v2 && sed -i 's/"argv":.*/"argv":	["verify", "v2"],/' v2/manifest.json
TMPDIR="$work/tmpdir" "$P304" verify v2 >/dev/null 2>&1 && fail "verify replayed 'verify'"
cp -R v v3 && sed -i 's/"argv":.*/"argv":	["allocate", "absent.json", "-o", "v3"],/' v3/manifest.json
TMPDIR="$work/tmpdir" "$P304" verify v3 >/dev/null 2>&1 && fail "verify of a failing command passed"
[ -z "$(ls -A tmpdir)" ] || fail "verify left scratch folders: $(ls -A tmpdir)"
# ... and when it is stopped (Ctrl-C, kill) during a long recomputation
# (issue 19: the scratch folder and the rerun's files were left behind)
"$P304" sweep scenario.json --samples 100 -o sw -q
sed -i 's/"--samples", "100"/"--samples", "1000000"/' sw/manifest.json
for sig in TERM INT HUP; do
	TMPDIR="$work/tmpdir" "$P304" verify sw >/dev/null 2>&1 &
	pid=$!
	sleep 0.5
	kill -"$sig" "$pid"
	wait "$pid" 2>/dev/null
	[ -z "$(ls -A tmpdir)" ] || fail "verify stopped by SIG$sig left: $(ls -A tmpdir)"
	rm -rf tmpdir/* tmpdir/.[!.]* 2>/dev/null
done

if [ "$bad" -eq 0 ]; then
	echo "ok   output folders keep what p304 did not write (files, chart, sub-folder, links; races; recovery)"
	exit 0
fi
echo "FAIL output folders: $bad problems"
exit 1
