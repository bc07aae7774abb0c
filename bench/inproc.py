"""In-process figures, the pytest case: reset(), and requests against a started MockServer
from the same process, next to the bare Flask baseline on the same server (waitress, in a
thread, as MockServer runs), and next to pytest-httpserver's `HTTPServer(threaded=True)`
answering the same bodies, all called with one `requests.Session`."""
from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from dataclasses import fields
from typing import Any, Callable, Iterator

import requests

from mockserver import MockServer, create_app
from mockserver.app import state_of
from mockserver.monica.options import MonicaSizes
from mockserver.transport import served_in_thread
from mockserver.vitally.options import VitallySizes

from .baseline import baseline_app
from .cases import UNLIMITED, Case, prepare
from .figures import Figure, Skipped, Target, percentile

RESET_CALLS = 50  # reset() calls per run; a run's figure is their median


def scaled_sizes(factor: int) -> dict[str, Any]:
    """The default data set times `factor` (message counts per conversation unchanged)."""
    def scale(kind: Any) -> dict[str, int]:
        default = kind()
        return {f.name: getattr(default, f.name) * (1 if f.name.startswith("messages_") else factor) for f in fields(kind)}

    return {"vitally_sizes": scale(VitallySizes), "monica_sizes": scale(MonicaSizes)}


def measure_reset(runs: int, factors: tuple[int, ...]) -> list[Figure]:
    per_factor: dict[int, list[float]] = {}
    for factor in factors:
        store = state_of(create_app(**scaled_sizes(factor))).store
        medians = []
        for _ in range(runs):
            calls = []
            for _ in range(RESET_CALLS):
                began = time.perf_counter()
                store.reset()
                calls.append((time.perf_counter() - began) * 1000)
            medians.append(percentile(calls, 50))
        per_factor[factor] = medians
    figures = []
    for factor, values in per_factor.items():
        name = "reset(), default data set" if factor == 1 else f"reset(), {factor}x the default data set"
        if factor == 1:
            figures.append(Figure("reset", name, "ms", values, target=Target("value", at_most=2.0)))
        else:
            figures.append(Figure("reset", name, "ms", values, per_factor[factors[0]], "default data set"))
    return figures


def _timed(call: Callable[[str], Any], n: int, tag: str) -> tuple[float, list[float]]:
    """(requests per second, latencies in ms) of `n` sequential calls."""
    latencies = []
    began = time.perf_counter()
    for i in range(n):
        t = time.perf_counter()
        call(f"{tag}-{i}")
        latencies.append((time.perf_counter() - t) * 1000)
    return n / (time.perf_counter() - began), latencies


def _session_call(session: requests.Session, url: str, case: Case) -> Callable[[str], Any]:
    def call(uid: str) -> None:
        response = session.request(case.method, url, data=case.body_for(uid), headers=case.headers)
        if response.status_code != case.status:
            raise RuntimeError(f"{case.method} {url}: {response.status_code} {response.text[:200]}")

    return call


def _client_call(client: Any, path: str, case: Case) -> Callable[[str], Any]:
    def call(uid: str) -> None:
        response = client.open(path, method=case.method, data=case.body_for(uid), headers=case.headers)
        if response.status_code != case.status:
            raise RuntimeError(f"{case.method} {path}: {response.status_code} {response.get_data(as_text=True)[:200]}")

    return call


THROUGHPUT_TARGET = 0.8  # of the bare Flask app on the same server, every case
CASE_TITLES = {"list": "GET list", "one": "GET one conversation with messages", "create": "POST create", "upsert": "PUT message upsert"}


@contextmanager
def _httpserver(cases: list[Case]) -> Iterator[str | None]:
    """pytest-httpserver's threaded server answering each case with its body, or None
    when it is not installed."""
    try:
        from pytest_httpserver import HTTPServer
    except ImportError:
        yield None
        return
    # werkzeug's request handler logs every request at INFO: not in the timing, as
    # MockServer writes no per-request log either.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = HTTPServer(threaded=True)
    for case in cases:
        server.expect_request(f"/case/{case.key}", method=case.method).respond_with_json(case.payload, status=case.status)
    server.start()
    try:
        yield server.url_for("/").rstrip("/")
    finally:
        server.clear()
        if server.is_running():
            server.stop()


def measure_requests(runs: int, n: int) -> list[Figure | Skipped]:
    out: list[Figure | Skipped] = []
    with MockServer(**UNLIMITED) as server:
        cases, skipped = prepare(server.url)
        for vendor, reason in skipped.items():
            out.append(Skipped("in-process", f"{vendor}: every case", reason))
        base = baseline_app({case.key: (case.status, case.payload) for case in cases})
        session = requests.Session()
        mock_client, base_client = server.app.test_client(), base.test_client()
        with served_in_thread(base, server="waitress") as base_server, _httpserver(cases) as peer_url:
            base_url = base_server.url
            if peer_url is None:
                out.append(Skipped("in-process", "MockServer / pytest-httpserver", "pytest-httpserver is not installed"))
            for case in cases:
                calls = {
                    "mock": _session_call(session, server.url + case.path, case),
                    "base": _session_call(session, f"{base_url}/case/{case.key}", case),
                    "mock client": _client_call(mock_client, case.path, case),
                    "base client": _client_call(base_client, f"/case/{case.key}", case),
                }
                if peer_url is not None:
                    calls["peer"] = _session_call(session, f"{peer_url}/case/{case.key}", case)
                rps: dict[str, list[float]] = {k: [] for k in calls}
                p50: dict[str, list[float]] = {k: [] for k in calls}
                p99: dict[str, list[float]] = {k: [] for k in calls}
                for name, call in calls.items():
                    _timed(call, max(3, n // 10), f"warm-{name}")
                for run in range(runs):
                    for name, call in calls.items():  # alternate: a noisy moment hits all
                        per_second, latencies = _timed(call, n, f"{name}-{run}")
                        rps[name].append(per_second)
                        p50[name].append(percentile(latencies, 50))
                        p99[name].append(percentile(latencies, 99))
                title = f"{case.vendor} {CASE_TITLES[case.name]}"
                label = "bare Flask, same server (waitress)"
                target = Target("ratio", at_least=THROUGHPUT_TARGET)
                out += [
                    Figure("in-process", f"{title}: throughput, MockServer + requests", "req/s", rps["mock"], rps["base"], label, target),
                    Figure("in-process", f"{title}: p50, MockServer + requests", "ms", p50["mock"], p50["base"], label),
                    Figure("in-process", f"{title}: p99, MockServer + requests", "ms", p99["mock"], p99["base"], label),
                    Figure("in-process", f"{title}: throughput, Flask test client", "req/s", rps["mock client"], rps["base client"],
                           "bare Flask, test client"),
                ]
                if peer_url is not None:
                    out.append(Figure("in-process", f"{title}: p50, MockServer / pytest-httpserver", "ms", p50["mock"], p50["peer"],
                                      "pytest-httpserver HTTPServer(threaded=True)"))
    return out
