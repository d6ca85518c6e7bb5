#!/bin/sh
# make bench, server part: latency of POST /api/allocate (101 authorities,
# inputs/scenarios/2025-national.json) and POST /api/compare (that scenario
# against 2025-avec-bornes-2020) over loopback, one connection at a time
# (p50/p95/p99 from wrk), the server's CPU time per request (what the latency
# would be on an idle machine), and requests per second with 16 connections.
# Then the campaign ledger (issue 22): 10 years of delegations of the 101
# départements imported through POST /api/ledger/import, and the view
# GET /api/ledger/view (101 × 10 years, JSON) one connection at a time:
# p95 ≤ 5 ms is the issue's bound.
#   test/bench/serve-bench.sh P304 ROOT [SECONDS]
set -u
P304=$1
ROOT=$(cd "$2" && pwd)
SECS=${3:-5}
command -v wrk >/dev/null 2>&1 || { echo "serve-bench: wrk is missing (Debian package wrk)"; exit 1; }
work=$(mktemp -d /tmp/p304-bench.XXXXXX)
"$P304" serve --port 0 --workspace "$work/ws" >"$work/out" 2>"$work/err" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
port=""
for _ in $(seq 1 100); do
	port=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$work/out")
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { echo "serve-bench: the server did not start: $(cat "$work/err")"; exit 1; }
python3 - "$ROOT" "$work/compare.json" <<'PY'
import json, sys
root, out = sys.argv[1], sys.argv[2]
a = json.load(open(root + "/inputs/scenarios/2025-national.json"))
b = json.load(open(root + "/inputs/scenarios/2025-avec-bornes-2020.json"))
open(out, "w").write(json.dumps({"reference": a, "scenario": b}, ensure_ascii=False, indent=2))
PY
P304_REFERENCE_CSV=${P304_REFERENCE:-$ROOT/inputs/reference/collectivites.csv}
cpu() { awk '{print $14 + $15}' /proc/$pid/stat; }
tck=$(getconf CLK_TCK)
run() { # name path body connections [method]
	c0=$(cpu)
	line=$(P304_METHOD=${5:-POST} P304_BODY=$3 P304_PATH=$2 wrk -t$(( $4 > 1 ? 2 : 1 )) -c$4 -d${SECS}s --timeout 10s \
		-s "$ROOT/test/bench/post.lua" "http://127.0.0.1:$port/" | grep '^result')
	c1=$(cpu)
	n=$(echo "$line" | sed -n 's/.*requests=\([0-9]*\).*/\1/p')
	printf '%-22s %s cpu_ms_per_request=%s\n' "$1" "$(echo "$line" | sed 's/^result //')" \
		"$(awk -v c=$((c1 - c0)) -v n="$n" -v t="$tck" 'BEGIN { printf "%.2f", n ? c * 1000 / t / n : 0 }')"
}
echo "p304 serve on 127.0.0.1:$port, $(nproc) CPU, load average $(cut -d' ' -f1-3 /proc/loadavg)"
run "allocate (1 conn)" /api/allocate "$ROOT/inputs/scenarios/2025-national.json" 1
run "compare (1 conn)" /api/compare "$work/compare.json" 1
run "allocate (16 conn)" /api/allocate "$ROOT/inputs/scenarios/2025-national.json" 16

# the ledger: 101 départements × 10 years delegated, through the API
python3 - "$port" "$P304_REFERENCE_CSV" <<'PY' || exit 1
import http.client, re, sys
port, ref = int(sys.argv[1]), sys.argv[2]
codes = [l.split(";")[0] for l in open(ref, encoding="utf-8").read().splitlines()[1:]]
codes = [c for c in codes if re.fullmatch(r"[0-9][0-9AB]?[0-9]?", c)][:101]
for y in range(2016, 2026):
    body = "code;delegue_eur\n" + "".join("%s;%d\n" % (c, 1000000 + 1000 * i + y)
                                          for i, c in enumerate(codes))
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request("POST", "/api/ledger/import?stage=delegated&year=%d" % y, body.encode())
    r = c.getresponse()
    if r.status != 200:
        sys.exit("serve-bench: import %d refused: %s" % (y, r.read()[:300]))
    r.read()
PY
run "ledger view 101x10 (1 conn)" "/api/ledger/view?stage=delegated&years=2016:2025" \
	"$ROOT/inputs/scenarios/2025-national.json" 1 GET
