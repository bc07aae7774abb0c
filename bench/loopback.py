"""Over loopback: `mockserver serve` in its own process, a load generator in another,
and the bare Flask baseline served by the same WSGI server, measured alternately."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from typing import Iterator

import requests

from .cases import prepare
from .figures import Figure, Skipped, Target
from .inproc import CASE_TITLES, THROUGHPUT_TARGET
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


SERVE_DEFAULT = "waitress"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def polled_process(command: list[str], port: int) -> Iterator[str]:
    """A server that prints no ready line (Prism at `warn`, granian without its log):
    ready once its port answers HTTP."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(url + "/", timeout=1)
                break
            except requests.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{command[0]} did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def serve_command(server: str) -> list[str]:
    return [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--server", server,
            "--vitally-rate-limit", str(10**9), "--monica-rate-limit", str(10**9)]


def measure(runs: int, duration: float, connections: int, servers: tuple[str, ...] = ("waitress", "werkzeug"),
            use_wrk: bool | None = None) -> list[Figure | Skipped]:
    out: list[Figure | Skipped] = []
    throughput: dict[tuple[str, str, str], list[float]] = {}  # (server, mock|base, case key) -> req/s per run
    for server in servers:
        with server_process(serve_command(server), "mockserver listening on") as mock_url:
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
    out += _granian(runs, duration, connections, use_wrk, throughput)
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


def _granian(runs: int, duration: float, connections: int, use_wrk: bool | None,
             throughput: dict[tuple[str, str, str], list[float]]) -> list[Figure | Skipped]:
    """The fake's app under granian (one worker process, so one store; 8 threads, as
    waitress), next to waitress's figures of this run, when granian is installed."""
    section = "serve: WSGI server"
    try:
        from importlib.metadata import version

        granian = version("granian")
    except Exception:  # noqa: BLE001 - not installed: nothing to compare
        return [Skipped(section, "granian / waitress", "granian is not installed (pip install granian)")]
    port = free_port()
    command = [sys.executable, "-m", "granian", "--interface", "wsgi", "--factory", "--workers", "1", "--blocking-threads", "8",
               "--no-ws", "--no-log", "--host", "127.0.0.1", "--port", str(port), "bench.granian_app:app"]
    out: list[Figure | Skipped] = []
    with polled_process(command, port) as url:
        cases, _ = prepare(url)
        for case in cases:
            waitress = throughput.get(("waitress", "mock", case.key))
            if not waitress:
                continue
            load = LoadCase(case.method, url + case.path, case.headers, case.body, case.status)
            results = [run_load(load, connections, duration, use_wrk) for _ in range(runs)]
            out.append(Figure(section, f"mockserver app, {case.vendor} {CASE_TITLES[case.name]}: granian / waitress throughput",
                              "req/s", [r.rps for r in results], waitress, "the same app on waitress (serve)",
                              note=f"granian {granian}, 1 worker, 8 threads"))
    return out


def _figures(server: str, vendor: str, name: str, results: dict[tuple[str, int], list[LoadResult]], connections: int) -> list[Figure | Skipped]:
    section = f"loopback ({server})"
    title = f"{vendor} {CASE_TITLES[name]}"
    label = f"bare Flask on {server}"
    # The goal is for the server `serve` runs by default (the first measured).
    target = Target("ratio", at_least=THROUGHPUT_TARGET) if server == SERVE_DEFAULT else None
    generator = results[("mock", 1)][0].generator
    errors = sum(r.errors for rs in results.values() for r in rs)
    note = f"{generator}" + (f", {errors} unexpected answers" if errors else "")

    def pick(who: str, conns: int, attr: str) -> list[float]:
        return [getattr(r, attr) for r in results[(who, conns)]]

    return [
        Figure(section, f"{title}: sequential p50", "ms", pick("mock", 1, "p50_ms"), pick("base", 1, "p50_ms"), label, note=note),
        Figure(section, f"{title}: sequential p99", "ms", pick("mock", 1, "p99_ms"), pick("base", 1, "p99_ms"), label, note=note),
        Figure(section, f"{title}: throughput, {connections} connections", "req/s", pick("mock", connections, "rps"),
               pick("base", connections, "rps"), label, target, note=note),
        Figure(section, f"{title}: p99, {connections} connections", "ms", pick("mock", connections, "p99_ms"),
               pick("base", connections, "p99_ms"), label, note=note),
    ]
