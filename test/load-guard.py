#!/usr/bin/env python3
"""The server's guard and heavy queue, measured over loopback (issue 19).

  test/load-guard.py P304 ROOT [--probes N] [--timeout S]

Starts `p304 serve --port 0` on 127.0.0.1 and, in four bounded phases,
measures the latency of a normal POST /api/allocate (a fresh connection
each, as a browser tab's first request) one at a time:

  quiet      nothing else running;
  idle       300 connections that never send a byte, reopened as soon as the
             server closes one;
  trickle    260 connections sending one header line every 3 s, reopened when
             closed;
  stall      256 connections sending the headers of a POST (Content-Length
             100000) then one body byte every 3 s, reopened when closed;
  sweeps     8 concurrent POST /api/sweep of 100 000 samples (also GET
             /api/scenarios).

Prints per phase: probes answered 200, failures (refused, timed out, not
200), p50, p95 and max in ms, and the attackers' reopenings. Bounded: each
phase sends N probes (default 100) with a per-request timeout (default 10 s),
the sweeps phase probes until every sweep answered or 180 s passed, and the
server is stopped at the end. Loopback only; about 1 to 3 minutes on a
2-core machine. Not part of `make test` (it loads the machine); the figures
are quoted in docs/performance.md.
"""
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import p304serve  # noqa: E402

P304, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
PROBES = int(sys.argv[sys.argv.index("--probes") + 1]) if "--probes" in sys.argv else 100
TIMEOUT = float(sys.argv[sys.argv.index("--timeout") + 1]) if "--timeout" in sys.argv else 10.0
SCEN = open(os.path.join(ROOT, "inputs", "scenarios", "2025-national.json"), "rb").read()

tmp = tempfile.mkdtemp(prefix="p304-guard.")
srv, port = p304serve.start([P304, "serve", "--port", "0", "--workspace", os.path.join(tmp, "ws")],
                            "load-guard", env=dict(os.environ, LANGUAGE="en"), cwd=tmp,
                            stderr=subprocess.DEVNULL)
HOST = "127.0.0.1:%d" % port


def request(method, path, body=None, timeout=TIMEOUT):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request(method, path, body, {"Host": HOST, "Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        return r.status
    finally:
        c.close()


def probe(n, method="POST", path="/api/allocate", body=SCEN):
    times, fails = [], 0
    for _ in range(n):
        t0 = time.perf_counter()
        try:
            st = request(method, path, body)
        except OSError:
            st = None
        dt = (time.perf_counter() - t0) * 1000
        if st == 200:
            times.append(dt)
        else:
            fails += 1
    return times, fails


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] if v else float("nan")


def report(name, times, fails, extra=""):
    print("%-30s %4d ok %4d failed   p50 %8.1f ms   p95 %8.1f ms   max %8.1f ms %s" %
          (name, len(times), fails, pct(times, 50), pct(times, 95),
           max(times) if times else float("nan"), extra))
    sys.stdout.flush()


class Crowd(threading.Thread):
    """n connections held open; trickle: one header line every `every` s;
    body: a POST's headers, then one body byte every `every` s."""

    def __init__(self, n, trickle, every=3.0, body=False):
        super().__init__(daemon=True)
        self.n, self.trickle, self.every, self.body = n, trickle, every, body
        self.stop = threading.Event()
        self.reopened = 0
        self.socks = []

    def open_one(self):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=2)
            s.setblocking(False)
            if self.body:
                s.send(("POST /api/allocate HTTP/1.1\r\nHost: %s\r\n"
                        "Content-Length: 100000\r\n\r\n{" % HOST).encode())
            elif self.trickle:
                s.send(b"GET /api/tables HTTP/1.1\r\n")
            return [s, time.time()]
        except OSError:
            return None

    def run(self):
        while len(self.socks) < self.n and not self.stop.is_set():
            c = self.open_one()
            if c:
                self.socks.append(c)
        while not self.stop.is_set():
            now = time.time()
            for i, c in enumerate(self.socks):
                alive = c is not None
                if alive:
                    try:
                        if c[0].recv(4096) == b"":
                            alive = False
                    except BlockingIOError:
                        pass
                    except OSError:
                        alive = False
                if alive and self.trickle and now - c[1] >= self.every:
                    try:
                        c[0].send(b" " if self.body else b"X-Slow: 1\r\n")
                        c[1] = now
                    except OSError:
                        alive = False
                if not alive:
                    if c:
                        c[0].close()
                    self.socks[i] = self.open_one()
                    self.reopened += 1
            time.sleep(0.2)
        for c in self.socks:
            if c:
                c[0].close()


try:
    request("POST", "/api/allocate", SCEN)   # warm-up
    t, f = probe(PROBES)
    report("quiet", t, f)
    for name, crowd in (("idle (300 connections)", Crowd(300, False)),
                        ("trickle (260, 1 line / 3 s)", Crowd(260, True)),
                        ("stall (256, 1 body byte / 3 s)", Crowd(256, True, body=True))):
        crowd.start()
        time.sleep(4)   # the crowd is in place, its first deadlines not yet passed
        t, f = probe(PROBES)
        crowd.stop.set()
        crowd.join()
        report(name, t, f, "(attackers reopened %d times)" % crowd.reopened)
    sweeps, codes = [], []
    body = json.dumps({"scenario": json.loads(SCEN), "samples": 100000}).encode()

    def sweep():
        try:
            codes.append(request("POST", "/api/sweep", body, timeout=600))
        except OSError as ex:
            codes.append(str(ex))

    for _ in range(8):
        th = threading.Thread(target=sweep, daemon=True)
        th.start()
        sweeps.append(th)
    time.sleep(1)
    t0 = time.time()
    ta, fa, tl, fl = [], 0, [], 0
    # probes until every sweep answered (or 180 s): the whole run is covered
    while len(codes) < 8 and time.time() - t0 < 180:
        t, f = probe(4)
        ta += t
        fa += f
        t, f = probe(1, "GET", "/api/scenarios", None)
        tl += t
        fl += f
        time.sleep(0.05)
    report("allocate, 8 sweeps of 100 000", ta, fa)
    names = [str(c) for c in codes]
    report("GET /api/scenarios, 8 sweeps", tl, fl,
           "(sweeps answered: %d of 8 in %.0f s: %s)" % (
               len(codes), time.time() - t0,
               ", ".join("%s x%d" % (c, names.count(c)) for c in sorted(set(names)))))
finally:
    p304serve.stop(srv)
    subprocess.run(["rm", "-rf", tmp])
