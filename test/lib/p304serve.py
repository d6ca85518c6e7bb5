"""Starting and stopping `p304 serve` for the Python tests (api-test.py,
ledger-api-concurrency.py, load-guard.py): the server listens on a free
loopback port (--port 0, never a fixed one: other checks run at the same
time) and prints its address; these read it once instead of three copies
(issue 20).

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
    import p304serve
"""
import re
import subprocess
import sys
import time


def start(cmd, name, env=None, cwd=None, stderr=subprocess.PIPE, wait=60):
    """Runs `cmd` (a `p304 serve --port 0 ...` argv, maybe behind valgrind)
    and returns (process, port) once it printed http://127.0.0.1:PORT/.
    A server that stops or prints nothing in `wait` seconds: prints
    "FAIL <name>: the server did not start: <its stderr>" and exits 1."""
    srv = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, env=env, cwd=cwd,
                           text=True)
    deadline = time.time() + wait
    while time.time() < deadline:
        line = srv.stdout.readline()
        if not line:
            break
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if m:
            return srv, int(m.group(1))
    srv.kill()
    why = srv.stderr.read()[:2000] if srv.stderr else ""
    print("FAIL %s: the server did not start: %s" % (name, why))
    sys.exit(1)


def stop(srv, wait=30):
    """SIGTERM, then SIGKILL if it has not stopped within `wait` seconds."""
    srv.terminate()
    try:
        srv.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        srv.kill()
