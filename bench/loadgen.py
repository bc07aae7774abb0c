"""Load over loopback from a separate process: wrk when installed, else a small Python one.

A case is a method, a URL, headers and an optional body; `{uid}` in the body is
replaced by a value unique per request (a create needs a new externalId each time).
Both generators keep their connections alive and report requests per second and
the p50/p99 latency of the requests that got the expected status.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from http.client import HTTPConnection
from typing import Any
from urllib.parse import urlsplit


@dataclass
class LoadCase:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None  # may contain {uid}
    status: int = 200


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    generator: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_available() -> bool:
    return shutil.which("wrk") is not None and os.environ.get("BENCH_NO_WRK") != "1"


def run_load(case: LoadCase, connections: int, duration: float, use_wrk: bool | None = None) -> LoadResult:
    if use_wrk is None:
        use_wrk = wrk_available()
    return _run_wrk(case, connections, duration) if use_wrk else _run_python(case, connections, duration)


# -- the Python generator, in its own process ----------------------------------


def _run_python(case: LoadCase, connections: int, duration: float) -> LoadResult:
    spec = json.dumps({"case": asdict(case), "connections": connections, "duration": duration})
    out = subprocess.run([sys.executable, "-m", "bench.loadgen", spec], capture_output=True, text=True, check=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return LoadResult(**json.loads(out.stdout))


def _percentile(ordered: list[float], pct: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


def generate(case: LoadCase, connections: int, duration: float) -> LoadResult:
    parts = urlsplit(case.url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    run_id = uuid.uuid4().hex[:8]
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    start = threading.Barrier(connections + 1)
    deadline = [0.0]

    def worker(n: int) -> None:
        conn = HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine, count = latencies[n], 0
        start.wait()
        while True:
            began = time.perf_counter()
            if began >= deadline[0]:
                break
            count += 1
            body = case.body.replace("{uid}", f"{run_id}-{n}-{count}").encode() if case.body is not None else None
            try:
                conn.request(case.method, target, body=body, headers=case.headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == case.status
            except OSError:
                conn.close()
                conn = HTTPConnection(parts.hostname, parts.port, timeout=30)
                ok = False
            if ok:
                mine.append(time.perf_counter() - began)
            else:
                errors[n] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(connections)]
    for t in threads:
        t.start()
    deadline[0] = time.perf_counter() + duration
    began = time.perf_counter()
    start.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    ordered = sorted(x for per in latencies for x in per)
    return LoadResult(len(ordered), sum(errors), elapsed, _percentile(ordered, 50) * 1000, _percentile(ordered, 99) * 1000, "python")


# -- wrk -----------------------------------------------------------------------

_WRK_SCRIPT = """
local method, body = %s, %s
local headers = %s
local nonce = %s
local counter = 0
local prefix = ""
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
init = function(args) prefix = nonce .. "-" .. tostring(tid) end
request = function()
  counter = counter + 1
  local b = nil
  if body ~= nil then b = string.gsub(body, "{uid}", prefix .. "-" .. counter) end
  return wrk.format(method, nil, headers, b)
end
done = function(summary, latency, requests)
  io.write(string.format("BENCH p50=%%f p99=%%f\\n", latency:percentile(50), latency:percentile(99)))
end
"""


def _lua(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{_lua(k)}] = {_lua(v)}" for k, v in value.items()) + "}"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _run_wrk(case: LoadCase, connections: int, duration: float) -> LoadResult:
    # wrk counts non-2xx answers; every case here expects a 2xx.
    # A nonce per run and an id per wrk thread keep `{uid}` unique across runs and threads.
    script = _WRK_SCRIPT % (_lua(case.method), _lua(case.body), _lua(case.headers), _lua(uuid.uuid4().hex[:12]))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        seconds = max(1, round(duration))
        out = subprocess.run(
            ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds}s", "-s", f.name, case.url],
            capture_output=True, text=True, check=True,
        ).stdout
    finally:
        os.unlink(f.name)
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    elapsed = _wrk_seconds(re.search(r"requests in ([\d.]+\w+),", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    p = re.search(r"BENCH p50=([\d.]+) p99=([\d.]+)", out)
    p50, p99 = (float(p.group(1)) / 1000, float(p.group(2)) / 1000) if p else (0.0, 0.0)  # wrk gives µs
    return LoadResult(total - (int(bad.group(1)) if bad else 0), errors, elapsed, p50, p99, "wrk")


def _wrk_seconds(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


if __name__ == "__main__":
    spec = json.loads(sys.argv[1])
    result = generate(LoadCase(**spec["case"]), spec["connections"], spec["duration"])
    print(json.dumps(asdict(result)))
