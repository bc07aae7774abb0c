"""What the request journal costs per request.

- Recording one request (`Pipeline.record`, what the journal adds to every answer),
  timed alone in the request's own context, against the time of the whole request
  through Flask's test client: a small, steady figure, whatever the machine's noise.
- Each case on two fakes of the same seed, one recording (the default, 1,000 entries)
  and one with `journal_size=0`, alternating run by run, through Flask's test client
  (no network: where a cost shows most) and through a started MockServer called with
  `requests` (the pytest case). On a busy machine these wander more than the cost.
"""
from __future__ import annotations

import time
import timeit
from typing import Any, Callable

import requests

from mockserver import MockServer
from mockserver.app import state_of
from mockserver.pipeline import GENERATION, Pipeline, to_response
from mockserver.surface import Reply

from .cases import UNLIMITED, Case, prepare
from .figures import Figure, Skipped, Target

# Recording is a small part of a request even without a network in between.
COST_TARGET = Target("ratio", at_most=0.05)
def record_cost(server: MockServer, case: Case, records: int) -> float:
    """Microseconds to record one request of `case` in the journal: the best of five
    timings of `records` calls."""
    state = state_of(server.app)
    pipeline = Pipeline(state)
    operation = next(op for op in state.operations.values() if op.method == case.method and op.pattern().match(case.path))
    surface = state.vendor(operation.vendor)
    reply = Reply(case.status, case.payload)
    response = to_response(reply)
    with server.app.test_request_context(case.path, method=case.method, data=case.body_for("cost"), headers=case.headers) as ctx:
        ctx.request.environ[GENERATION] = state.journal.generation
        best = min(timeit.repeat(lambda: pipeline.record(surface, operation, None, reply, response), number=records, repeat=5))
    return best / records * 1e6


def _per_second(call: Callable[[str], Any], n: int, tag: str) -> float:
    began = time.perf_counter()
    for i in range(n):
        call(f"{tag}-{i}")
    return n / (time.perf_counter() - began)


def _client_call(client: Any, case: Case) -> Callable[[str], Any]:
    def call(uid: str) -> None:
        response = client.open(case.path, method=case.method, data=case.body_for(uid), headers=case.headers)
        if response.status_code != case.status:
            raise RuntimeError(f"{case.method} {case.path}: {response.status_code} {response.get_data(as_text=True)[:200]}")

    return call


def _session_call(session: requests.Session, url: str, case: Case) -> Callable[[str], Any]:
    def call(uid: str) -> None:
        response = session.request(case.method, url + case.path, data=case.body_for(uid), headers=case.headers)
        if response.status_code != case.status:
            raise RuntimeError(f"{case.method} {case.path}: {response.status_code} {response.text[:200]}")

    return call


def measure(runs: int, n: int) -> list[Figure | Skipped]:
    out: list[Figure | Skipped] = []
    with MockServer(**UNLIMITED) as on, MockServer(**UNLIMITED, journal_size=0) as off:  # type: ignore[arg-type]
        cases_on, skipped = prepare(on.url)
        cases_off, _ = prepare(off.url)  # same seed, same steps: the same ids
        for vendor, reason in skipped.items():
            out.append(Skipped("journal", f"{vendor}: every case", reason))
        session = requests.Session()
        clients = {"on": on.app.test_client(), "off": off.app.test_client()}
        for case_on, case_off in zip(cases_on, cases_off, strict=True):
            calls = {
                "client on": _client_call(clients["on"], case_on), "client off": _client_call(clients["off"], case_off),
                "socket on": _session_call(session, on.url, case_on), "socket off": _session_call(session, off.url, case_off),
            }
            rates: dict[str, list[float]] = {name: [] for name in calls}
            for name, call in calls.items():
                _per_second(call, max(3, n // 10), f"warm-{name}")
            for run in range(runs):
                for name, call in calls.items():  # alternate: a noisy moment hits both
                    rates[name].append(_per_second(call, n, f"{name}-{run}"))
            title = f"{case_on.vendor} {case_on.name}"
            cost = [record_cost(on, case_on, 10 * n) for _ in range(runs)]
            request_time = [1e6 / rate for rate in rates["client off"]]
            out += [
                Figure("journal", f"{title}: recording it in the journal", "µs", cost, request_time,
                       "the whole request, Flask test client", COST_TARGET),
                Figure("journal", f"{title}: throughput with the journal, Flask test client", "req/s", rates["client on"],
                       rates["client off"], "journal_size=0"),
                Figure("journal", f"{title}: throughput with the journal, MockServer + requests", "req/s", rates["socket on"],
                       rates["socket off"], "journal_size=0"),
            ]
        session.close()
    return out
