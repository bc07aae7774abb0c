"""Boot: a fresh process until its first successful GET, against a bare Flask baseline.

Each child process times itself from its first line (import, start, first GET), and
the parent times launch to first response, interpreter start-up included. Runs of the
fake and of the baseline alternate, so a noisy moment of the machine hits both.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from http.client import HTTPConnection

from .cases import VITALLY_HEADERS
from .figures import Figure, Target

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIRST_PATH = "/resources/conversations"

MOCK_CHILD = """
import time
began = time.perf_counter()
import mockserver
from mockserver import MockServer
imported = time.perf_counter()
server = MockServer().start()
started = time.perf_counter()
import http.client
conn = http.client.HTTPConnection("127.0.0.1", server.port)
conn.request("GET", %(path)r, headers=%(headers)r)
response = conn.getresponse()
response.read()
assert response.status == 200, response.status
answered = time.perf_counter()
print("BOOT", imported - began, started - imported, answered - started, flush=True)
"""

BASELINE_CHILD = """
import time
began = time.perf_counter()
import json
import threading
from flask import Flask, jsonify
from werkzeug.serving import WSGIRequestHandler, make_server
imported = time.perf_counter()
with open(%(payload)r, encoding="utf-8") as f:
    payload = json.load(f)
app = Flask("baseline")
app.json.sort_keys = False
@app.get(%(path)r)
def canned():
    return jsonify(payload)
class Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass
server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
threading.Thread(target=server.serve_forever, daemon=True).start()
started = time.perf_counter()
import http.client
conn = http.client.HTTPConnection("127.0.0.1", server.server_port)
conn.request("GET", %(path)r)
response = conn.getresponse()
response.read()
assert response.status == 200, response.status
answered = time.perf_counter()
print("BOOT", imported - began, started - imported, answered - started, flush=True)
"""


def _child(script: str) -> tuple[float, list[float]]:
    """(launch to first response, [import, start, first GET]) of one fresh process."""
    launched = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    total = time.perf_counter() - launched
    proc.wait(timeout=30)
    if not line.startswith("BOOT"):
        raise RuntimeError(f"boot child failed (exit {proc.returncode})")
    return total, [float(x) for x in line.split()[1:]]


def _serve(command: list[str], ready: str, path: str, headers: dict[str, str]) -> tuple[float, float]:
    """(launch to ready line, launch to first 200) of a server process, then stop it."""
    launched = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    assert proc.stdout is not None
    try:
        while True:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"{command} exited before it was ready")
            if ready in line:
                break
        ready_at = time.perf_counter() - launched
        url = line.split(ready, 1)[1].strip()
        host, port = url.split("//", 1)[1].split(":")
        while True:
            try:
                conn = HTTPConnection(host, int(port), timeout=5)
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    break
            except OSError:
                time.sleep(0.005)
        return ready_at, time.perf_counter() - launched
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def measure(runs: int, first_body: bytes) -> list[Figure]:
    with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as f:
        f.write(first_body)  # the baseline answers the same bytes the fake does
    payloads = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump({"boot": [200, json.loads(first_body)]}, payloads)
    payloads.close()
    mock_script = MOCK_CHILD % {"path": FIRST_PATH, "headers": VITALLY_HEADERS}
    base_script = BASELINE_CHILD % {"path": FIRST_PATH, "payload": f.name}
    mock: dict[str, list[float]] = {k: [] for k in ("total", "import", "start", "first", "launch")}
    base: dict[str, list[float]] = {k: [] for k in mock}
    cli: dict[str, list[float]] = {"ready": [], "first": []}
    cli_base: dict[str, list[float]] = {"ready": [], "first": []}
    try:
        for script in (base_script, mock_script):  # untimed: writes the bytecode caches
            _child(script)
        for _ in range(runs):
            for into, script in ((base, base_script), (mock, mock_script)):
                launch, (imported, started, answered) = _child(script)
                for name, value in (("launch", launch), ("import", imported), ("start", started), ("first", answered),
                                    ("total", imported + started + answered)):
                    into[name].append(value * 1000)
            for into, command, ready, headers in (
                (cli_base, [sys.executable, "-m", "bench.baseline", "--server", "waitress", "--payloads", payloads.name],
                 "baseline listening on", {}),
                (cli, [sys.executable, "-m", "mockserver", "serve", "--port", "0"], "mockserver listening on", VITALLY_HEADERS),
            ):
                path = "/case/boot" if into is cli_base else FIRST_PATH
                ready_at, first_at = _serve(command, ready, path, headers)
                into["ready"].append(ready_at * 1000)
                into["first"].append(first_at * 1000)
    finally:
        os.unlink(f.name)
        os.unlink(payloads.name)
    label = "bare Flask, werkzeug threaded, same process"
    target = Target("ratio", at_most=1.5)
    return [
        Figure("boot", "MockServer: import + start + first GET", "ms", mock["total"], base["total"], label, target),
        Figure("boot", "MockServer: launch to first response (with interpreter start)", "ms", mock["launch"], base["launch"], label, target),
        Figure("boot", "MockServer: import mockserver + MockServer", "ms", mock["import"], base["import"], "import flask + werkzeug"),
        Figure("boot", "MockServer: start()", "ms", mock["start"], base["start"], "app + server thread"),
        Figure("boot", "MockServer: first GET", "ms", mock["first"], base["first"], label),
        Figure("boot", "CLI serve: launch to ready line", "ms", cli["ready"], cli_base["ready"], "bare Flask on waitress"),
        Figure("boot", "CLI serve: launch to first 200", "ms", cli["first"], cli_base["first"], "bare Flask on waitress", target),
    ]
