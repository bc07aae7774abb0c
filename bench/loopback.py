"""Over loopback: `mockserver serve` in its own process, a load generator in another,
and the bare Flask baseline served by the same WSGI server, measured alternately."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from typing import Iterator

from .cases import prepare
from .figures import Figure, Skipped
from .inproc import CASE_TITLES
from .loadgen import LoadCase, LoadResult, run_load

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@contextmanager
def server_process(command: list[str], ready: str) -> Iterator[str]:
    """Start a server process, yield its URL once it prints `ready <url>`, then stop it."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            if ready in line:
                yield line.split(ready, 1)[1].strip()
                break
        else:
            raise RuntimeError(f"{command} exited before it was ready")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _serve_command(server: str) -> list[str]:
    return [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--server", server,
            "--vitally-rate-limit", str(10**9), "--monica-rate-limit", str(10**9)]


def measure(runs: int, duration: float, connections: int, servers: tuple[str, ...] = ("waitress", "werkzeug"),
            use_wrk: bool | None = None) -> list[Figure | Skipped]:
    out: list[Figure | Skipped] = []
    throughput: dict[tuple[str, str, str], list[float]] = {}  # (server, mock|base, case key) -> req/s per run
    for server in servers:
        with server_process(_serve_command(server), "mockserver listening on") as mock_url:
            cases, skipped = prepare(mock_url)
            for vendor, reason in skipped.items():
                out.append(Skipped(f"loopback ({server})", f"{vendor}: every case", reason))
            if server != servers[0]:  # the other server only for the reads, to compare servers
                cases = [c for c in cases if c.name in ("list", "one")]
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
                json.dump({c.key: [c.status, c.payload] for c in cases}, f)
            try:
                base_command = [sys.executable, "-m", "bench.baseline", "--server", server, "--payloads", f.name]
                with server_process(base_command, "baseline listening on") as base_url:
                    for case in cases:
                        targets = {
                            "mock": LoadCase(case.method, mock_url + case.path, case.headers, case.body, case.status),
                            "base": LoadCase(case.method, f"{base_url}/case/{case.key}", case.headers, case.body, case.status),
                        }
                        results: dict[tuple[str, int], list[LoadResult]] = {}
                        for _ in range(runs):
                            for who, load in targets.items():
                                for conns in (1, connections):
                                    results.setdefault((who, conns), []).append(run_load(load, conns, duration, use_wrk))
                        out += _figures(server, case.vendor, case.name, results, connections)
                        throughput[(server, "mock", case.key)] = [r.rps for r in results[("mock", connections)]]
                        throughput[(server, "base", case.key)] = [r.rps for r in results[("base", connections)]]
            finally:
                os.unlink(f.name)
    if len(servers) > 1:
        chosen, other = servers[0], servers[1]
        for (server, who, key), values in throughput.items():
            if server != chosen or (other, who, key) not in throughput:
                continue
            what = "mockserver serve" if who == "mock" else "bare Flask"
            vendor, name = key.split("-", 1)
            out.append(Figure("serve: WSGI server", f"{what}, {vendor} {CASE_TITLES[name]}: {chosen} / {other} throughput",
                              "req/s", values, throughput[(other, who, key)], f"same app on {other}"))
    return out


def _figures(server: str, vendor: str, name: str, results: dict[tuple[str, int], list[LoadResult]], connections: int) -> list[Figure | Skipped]:
    section = f"loopback ({server})"
    title = f"{vendor} {CASE_TITLES[name]}"
    label = f"bare Flask on {server}"
    generator = results[("mock", 1)][0].generator
    errors = sum(r.errors for rs in results.values() for r in rs)
    note = f"{generator}" + (f", {errors} unexpected answers" if errors else "")

    def pick(who: str, conns: int, attr: str) -> list[float]:
        return [getattr(r, attr) for r in results[(who, conns)]]

    return [
        Figure(section, f"{title}: sequential p50", "ms", pick("mock", 1, "p50_ms"), pick("base", 1, "p50_ms"), label, note=note),
        Figure(section, f"{title}: sequential p99", "ms", pick("mock", 1, "p99_ms"), pick("base", 1, "p99_ms"), label, note=note),
        Figure(section, f"{title}: throughput, {connections} connections", "req/s", pick("mock", connections, "rps"),
               pick("base", connections, "rps"), label, note=note),
        Figure(section, f"{title}: p99, {connections} connections", "ms", pick("mock", connections, "p99_ms"),
               pick("base", connections, "p99_ms"), label, note=note),
    ]
