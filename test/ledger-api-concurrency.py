#!/usr/bin/env python3
"""The campaign ledger through the API under concurrent writers (issue 22,
"Never lose the campaign"): CLIENTS threads each POST N one-row imports to
/api/ledger/import of one `p304 serve` (127.0.0.1, --port 0) while a reader
keeps GETting the view. Afterwards the ledger holds every record exactly
once with its amount (nothing lost, nothing duplicated), every answer was
200 with one entry added, and the readers were never refused.

  test/ledger-api-concurrency.py P304 [CLIENTS [N]]
Prints "ok   ledger-api ..." or "FAIL ledger-api ..."; exits 1 on failure.
"""
import http.client
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import p304serve  # noqa: E402

P304 = os.path.abspath(sys.argv[1])
CLIENTS = int(sys.argv[2]) if len(sys.argv) > 2 else 8
N = int(sys.argv[3]) if len(sys.argv) > 3 else 500
REF = os.environ.get("P304_REFERENCE") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "inputs", "reference", "collectivites.csv")

codes = []
with open(REF, encoding="utf-8") as f:
    next(f)
    for line in f:
        c = line.split(";")[0].strip().strip('"')
        if re.fullmatch(r"[0-9][0-9AB]?[0-9]?", c):
            codes.append(c)
codes = codes[:101]

tmp = tempfile.mkdtemp(prefix="p304-ledger-api.")
ledger = os.path.join(tmp, "campagne.sqlite")
srv, port = p304serve.start([P304, "serve", "--port", "0", "--workspace", os.path.join(tmp, "ws"),
                             "--ledger", ledger], "ledger-api",
                            env=dict(os.environ, LANGUAGE="en"))
HOST = "127.0.0.1:%d" % port


def request(conn, method, path, body=None):
    conn.request(method, path, body=body, headers={"Host": HOST})
    r = conn.getresponse()
    return r.status, r.read()


errors = []
lock = threading.Lock()


def writer(w):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for i in range(N):
        code = codes[i % len(codes)]
        year = 2000 + w * 10 + i // len(codes)
        body = ("code;consomme_eur\n%s;%d\n" % (code, w * 100000 + i)).encode()
        try:
            st, data = request(conn, "POST", "/api/ledger/import?stage=consumed&year=%d" % year,
                               body)
        except Exception as e:  # a dropped connection: count it, go on
            st, data = 0, str(e).encode()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        if st != 200 or b'"added":1' not in data:
            with lock:
                errors.append("writer %d record %d: %d %s" % (w, i, st, data[:200]))


stop = threading.Event()
reads = {"ok": 0, "bad": []}


def reader():
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while not stop.is_set():
        st, data = request(conn, "GET", "/api/ledger/view?stage=consumed&years=2000:2059")
        if st == 200:
            reads["ok"] += 1
        else:
            reads["bad"].append("%d %s" % (st, data[:200]))


t0 = time.time()
rd = threading.Thread(target=reader)
rd.start()
ws = [threading.Thread(target=writer, args=(w,)) for w in range(1, CLIENTS + 1)]
for t in ws:
    t.start()
for t in ws:
    t.join()
stop.set()
rd.join()
secs = time.time() - t0

db = sqlite3.connect(ledger)
rows = db.execute("SELECT code, year, amount_eur FROM entry").fetchall()
nbatch = db.execute("SELECT count(*) FROM batch").fetchone()[0]
db.close()
want = set()
for w in range(1, CLIENTS + 1):
    for i in range(N):
        want.add((codes[i % len(codes)], 2000 + w * 10 + i // len(codes), w * 100000 + i))
got = set(rows)
fail = []
if errors:
    fail.append("%d refused, first: %s" % (len(errors), errors[0]))
if len(rows) != len(want) or got != want:
    fail.append("%d entries for %d records (%d lost, %d foreign)" % (
        len(rows), len(want), len(want - got), len(got - want)))
if nbatch != len(want):
    fail.append("%d batches for %d records" % (nbatch, len(want)))
if reads["bad"]:
    fail.append("a reader was refused: " + reads["bad"][0])
p304serve.stop(srv, wait=60)
subprocess.run(["rm", "-rf", tmp])
if fail:
    print("FAIL ledger-api %d clients x %d records: %s" % (CLIENTS, N, "; ".join(fail)))
    sys.exit(1)
print("ok   ledger-api %d clients x %d records through the API in %.1f s: %d entries, none lost "
      "or duplicated; %d views read meanwhile" % (CLIENTS, N, secs, len(rows), reads["ok"]))
