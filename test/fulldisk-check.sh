#!/bin/sh
# A full disk is reported, naming the file and the reason, and leaves
# nothing behind (issue 12): output sets of every size on a small tmpfs, and
# charts (gnuplot says nothing when the disk fills: the image is checked
# whole). Needs the right to mount a tmpfs (root); skipped otherwise.
#   test/fulldisk-check.sh P304 ROOT
set -u
P304=$1
ROOT=$2
mnt=$(mktemp -d /tmp/p304-full.XXXXXX)
cleanup() { umount "$mnt" 2>/dev/null; rm -rf "$mnt"; }
trap cleanup EXIT
S="$ROOT/inputs/scenarios/2020-vague1.json"
if ! mount -t tmpfs -o size=64k tmpfs "$mnt" 2>/dev/null; then
	echo "ok   full disk (skipped: no right to mount a tmpfs here)"
	exit 0
fi
umount "$mnt"
bad=0
fail() { echo "  $*"; bad=$((bad + 1)); }
# sizes from nothing fits to nearly all fits: each failure names a file of
# the set and "No space left on device", exits 5 and leaves nothing
for kb in 8 16 20 24 28 32 36; do
	mount -t tmpfs -o size=${kb}k tmpfs "$mnt" || { fail "mount ${kb}k failed"; break; }
	"$P304" allocate "$S" --xlsx --by region -o "$mnt/out" -q >/dev/null 2>"$mnt.err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		[ "$rc" -eq 5 ] || fail "${kb}k: exit $rc, expected 5"
		grep -qE "$mnt/out/[a-z.-]+: cannot write: No space left on device" "$mnt.err" ||
			fail "${kb}k: the message does not name the file and the reason: $(grep -v warning "$mnt.err")"
		[ -z "$(ls -A "$mnt")" ] || fail "${kb}k: left behind: $(ls -A "$mnt")"
	fi
	umount "$mnt"
done
rm -f "$mnt.err"
# a chart on a full disk: an SVG of the 2020 wave does not fit in 16 KB
if command -v gnuplot >/dev/null 2>&1; then
	work=$(mktemp -d /tmp/p304-full-res.XXXXXX)
	"$P304" allocate "$S" -o "$work/a" -q 2>/dev/null
	for fmt in svg png pdf; do
		mount -t tmpfs -o size=16k tmpfs "$mnt" || break
		"$P304" chart "$work/a/repartition.json" --kind bars -o "$mnt/c.$fmt" -q 2>"$work/err"
		rc=$?
		[ "$rc" -eq 5 ] || fail "chart $fmt on a full disk: exit $rc, expected 5"
		grep -q "c.$fmt: cannot write: No space left on device" "$work/err" ||
			fail "chart $fmt on a full disk: $(cat "$work/err")"
		[ -z "$(ls -A "$mnt")" ] || fail "chart $fmt on a full disk left $(ls -A "$mnt")"
		umount "$mnt"
	done
	rm -rf "$work"
fi
# The campaign ledger (issue 22). Its first import on a disk too small for
# it: exit 5, the ledger and the reason named, no beginning of a ledger left
# (a 4 KB one was, which every later read called damaged).
awk -F';' 'NR > 1 && NR <= 102 { print $1 ";" NR * 1000 } BEGIN { print "code;delegue_eur" }' \
	"$ROOT/inputs/reference/collectivites.csv" >"$mnt.csv"
for kb in 8 24 40; do
	mount -t tmpfs -o size=${kb}k tmpfs "$mnt" || { fail "mount ${kb}k failed"; break; }
	"$P304" ledger import "$mnt.csv" --ledger "$mnt/l.sqlite" --stage delegated --year 2024 -q 2>"$mnt.err"
	rc=$?
	[ "$rc" -eq 5 ] || fail "ledger on ${kb}k: exit $rc, expected 5"
	grep -q "$mnt/l.sqlite: cannot write the ledger: No space left on device" "$mnt.err" ||
		fail "ledger on ${kb}k: $(cat "$mnt.err")"
	[ -z "$(ls -A "$mnt")" ] || fail "ledger on ${kb}k: left behind: $(ls -A "$mnt")"
	umount "$mnt"
done
# A sound ledger on a disk that has filled up since: read, or refused as a
# file error (5) -- never called damaged ("restore it from a backup" would
# have the officer replace a good ledger by an older copy).
mount -t tmpfs -o size=128k tmpfs "$mnt" && {
	"$P304" ledger import "$mnt.csv" --ledger "$mnt/l.sqlite" --stage delegated --year 2024 -q ||
		fail "the ledger does not fit in 128 KB"
	rm -f "$mnt/l.sqlite-wal" "$mnt/l.sqlite-shm"
	dd if=/dev/zero of="$mnt/fill" bs=1k count=200 2>/dev/null
	"$P304" ledger caps --ledger "$mnt/l.sqlite" --year 2025 -q 2>"$mnt.err"
	rc=$?
	[ "$rc" -eq 0 ] || [ "$rc" -eq 5 ] || fail "a sound ledger on a full disk: exit $rc: $(cat "$mnt.err")"
	grep -q damaged "$mnt.err" && fail "a sound ledger on a full disk called damaged: $(cat "$mnt.err")"
	umount "$mnt"
}
rm -f "$mnt.csv" "$mnt.err"
if [ "$bad" -eq 0 ]; then
	echo "ok   full disk (sets on 8-36 KB tmpfs, charts on 16 KB, the ledger on 8-128 KB: file and reason named, nothing left)"
	exit 0
fi
echo "FAIL full disk: $bad problems"
exit 1
