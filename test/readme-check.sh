#!/bin/sh
# The README's sample of `make demo` is what p304 prints: each line of the
# sample appears in the summary of `p304 allocate` on the 2020 wave, in the
# same order ("…" stands for any text, a line "…" for any lines).
#   test/readme-check.sh P304 ROOT
set -u
P304=$1
ROOT=$2
work=$(mktemp -d /tmp/p304-readme.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL readme: $*"; exit 1; }
LANGUAGE=fr "$P304" allocate "$ROOT/inputs/scenarios/2020-vague1.json" -o "$work/out" \
	>"$work/stdout" 2>"$work/stderr" || fail "p304 allocate failed: $(cat "$work/stderr")"
python3 - "$ROOT/README.md" "$work/stdout" <<'PY' || exit 1
import re, sys
readme = open(sys.argv[1], encoding="utf-8").read().split("\n")
out = open(sys.argv[2], encoding="utf-8").read().split("\n")
start = next((i for i, l in enumerate(readme) if l.startswith("`make demo` prints")), None)
if start is None:
    print("FAIL readme: no \"`make demo` prints\" paragraph in README.md"); sys.exit(1)
i = start + 1
while i < len(readme) and not readme[i].startswith("    "):
    i += 1
sample = []
while i < len(readme) and readme[i].startswith("    "):
    sample.append(readme[i][4:])
    i += 1
if len(sample) < 5:
    print("FAIL readme: the sample has %d lines" % len(sample)); sys.exit(1)
j = 0
for line in sample:
    if line.strip() == "…":
        continue
    pat = "^" + ".*".join(re.escape(p) for p in line.split("…")) + "$"
    while j < len(out) and not re.match(pat, out[j]):
        j += 1
    if j == len(out):
        print("FAIL readme: the README shows a line p304 does not print (or not there):")
        print("     readme: " + line)
        sys.exit(1)
    j += 1
print("ok   readme (its sample of make demo is what p304 allocate prints, %d lines)" % len(sample))
PY
