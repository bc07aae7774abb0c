"""Peer mode: `mockserver serve` next to Stoplight Prism, the stateless mock many teams
would pick instead, serving the Vitally OpenAPI document mockserver generates.

Prism runs only when it is installed (`npm install @stoplight/prism-cli` in the checkout,
or `prism` on the PATH, or BENCH_PRISM=/path/to/prism); otherwise the section says so and
is skipped. Both answer the same requests with the same load generator, alternating;
the figures carry each side's body size, since Prism sends the document's examples and
mockserver sends the seeded records.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

import requests

from .cases import JSON, vitally_cases
from .figures import Figure, Skipped, Target
from .loadgen import LoadCase, LoadResult, run_load
from .loopback import ROOT, free_port, polled_process, serve_command, server_process

SECTION = "peer (Prism)"
# The goals: list at 1.25x Prism or better, the others at 1.0x or better.
WORKLOADS = (("list", "Vitally list, ?limit=2", 1.25), ("one", "Vitally get one conversation", 1.0),
             ("create", "Vitally create", 1.0))


def prism_path() -> str | None:
    candidates = [os.environ.get("BENCH_PRISM"), os.path.join(ROOT, "node_modules", ".bin", "prism"), shutil.which("prism")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def _version(prism: str) -> str:
    try:
        return subprocess.run([prism, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def _body_bytes(method: str, url: str, headers: dict[str, str], body: bytes | None) -> int:
    return len(requests.request(method, url, headers=headers, data=body, timeout=10).content)


def measure(runs: int, duration: float, connections: int, use_wrk: bool | None = None) -> list[Figure | Skipped]:
    prism = prism_path()
    if prism is None:
        return [Skipped(SECTION, "every workload", "Prism is not installed (npm install @stoplight/prism-cli)")]
    document = subprocess.run([sys.executable, "-m", "mockserver", "openapi", "vitally"], capture_output=True,
                              text=True, check=True, cwd=ROOT).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(document)
    port = free_port()
    # Prism logs every request at its default level; at `warn` it is spared that cost,
    # as mockserver writes no per-request log either.
    prism_command = [prism, "mock", f.name, "--host", "127.0.0.1", "--port", str(port), "-v", "warn"]
    label = f"Prism {_version(prism)}"
    out: list[Figure | Skipped] = []
    try:
        with server_process(serve_command("waitress"), "mockserver listening on") as mock_url, \
                polled_process(prism_command, port) as prism_url:
            cases = {c.name: c for c in vitally_cases(mock_url)}
            cases["list"].path += "?limit=2"
            for name, title, at_least in WORKLOADS:
                case = cases[name]
                loads = {who: LoadCase(case.method, url + case.path, case.headers, case.body, case.status)
                         for who, url in (("mock", mock_url), ("prism", prism_url))}
                sizes = {who: _body_bytes(case.method, load.url, {**case.headers, **JSON}, case.body_for("size"))
                         for who, load in loads.items()}
                results: dict[str, list[LoadResult]] = {"mock": [], "prism": []}
                for _ in range(runs):
                    for who, load in loads.items():  # alternate: a noisy moment hits both
                        results[who].append(run_load(load, connections, duration, use_wrk))
                errors = sum(r.errors for rs in results.values() for r in rs)
                note = (f"body bytes {sizes['mock']:,} / {sizes['prism']:,}; {results['mock'][0].generator}"
                        + (f", {errors} unexpected answers" if errors else ""))
                out.append(Figure(SECTION, f"{title}: mockserver serve / Prism throughput, {connections} connections",
                                  "req/s", [r.rps for r in results["mock"]], [r.rps for r in results["prism"]], label,
                                  Target("ratio", at_least=at_least), note))
    except (RuntimeError, subprocess.SubprocessError, requests.RequestException, OSError) as exc:
        out.append(Skipped(SECTION, "every workload", f"could not run: {exc}"))
    finally:
        os.unlink(f.name)
    return out

