"""Scale: stores of growing size (5 messages per conversation), one fresh process each.

A fresh process per size keeps the memory figure honest: the RSS growth from an app
with no conversations to one with N, divided by N. Latencies are taken with the Flask
test client (no network noise), as the mean of `calls` calls per figure.
"""
from __future__ import annotations

import base64
import gc
import json
import os
import subprocess
import sys
import time
from typing import Any

from .figures import Figure, Target

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _sizes(n: int) -> dict[str, Any]:
    return {"vitally_sizes": {"conversations": n, "messages_min": 5, "messages_max": 5}, "monica_sizes": {"conversations": 0}}


def child(n: int, calls: int) -> dict[str, float]:
    from mockserver import create_app
    from mockserver.app import state_of

    from .cases import UNLIMITED, VITALLY_HEADERS

    create_app(**UNLIMITED, **{**_sizes(0)})  # imports, Faker and schemas out of the way
    gc.collect()
    before = _rss()
    began = time.perf_counter()
    app = create_app(**UNLIMITED, **_sizes(n))
    seeded = time.perf_counter() - began
    gc.collect()
    per_conversation = (_rss() - before) / n

    workspace = next(iter(state_of(app).vendors["vitally"].workspaces.values()))
    entries = workspace.conversations.by_updated._entries  # the sort index, newest last
    ms, seq, _ = entries[len(entries) // 2]
    deep = base64.b64encode(f"updatedAt:{ms}:{seq}".encode()).decode()  # a cursor half-way down
    ids = [entries[(i * 7919) % len(entries)][2] for i in range(calls)]
    client = app.test_client()
    h = VITALLY_HEADERS
    user = client.get("/resources/users?limit=1", headers=h).get_json()["results"][0]["id"]
    admin = client.get("/resources/admins?limit=1", headers=h).get_json()["results"][0]["id"]

    def mean_ms(call: Any) -> float:
        call(0)  # warm
        began = time.perf_counter()
        for i in range(calls):
            call(i)
        return (time.perf_counter() - began) / calls * 1000

    def check(response: Any) -> None:
        assert response.status_code == 200, response.get_data(as_text=True)[:200]

    def create(i: int) -> None:
        body = {"externalId": f"scale-{i}-{time.perf_counter_ns()}", "subject": "Scale", "messages": [
            {"externalId": "m1", "message": "<p>Hello</p>", "from": {"type": "admin", "id": admin}, "to": [{"type": "user", "id": user}]}]}
        check(client.post("/resources/conversations", json=body, headers=h))

    return {
        "seed_s": seeded,
        "bytes_per_conversation": per_conversation,
        "list_first_ms": mean_ms(lambda i: check(client.get("/resources/conversations", headers=h))),
        "list_deep_ms": mean_ms(lambda i: check(client.get(f"/resources/conversations?from={deep}", headers=h))),
        "get_ms": mean_ms(lambda i: check(client.get(f"/resources/conversations/{ids[i]}", headers=h))),
        "create_ms": mean_ms(create),
    }


def measure(runs: int, sizes: tuple[int, ...], calls: int) -> list[Figure]:
    results: dict[int, list[dict[str, float]]] = {n: [] for n in sizes}
    for _ in range(runs):
        for n in sizes:
            out = subprocess.run([sys.executable, "-m", "bench.scale", str(n), str(calls)], capture_output=True,
                                 text=True, cwd=ROOT)
            if out.returncode != 0:
                raise RuntimeError(f"scale child {n} failed:\n{out.stderr[-2000:]}")
            results[n].append(json.loads(out.stdout.strip().splitlines()[-1]))
    smallest, largest = sizes[0], sizes[-1]
    figures: list[Figure] = []
    specs = (
        ("list_first_ms", "list page, first page (100 items)", "ms", 1.3),
        ("list_deep_ms", "list page, deep cursor (half-way)", "ms", 1.3),
        ("get_ms", "GET one conversation by id", "ms", 1.3),
        ("create_ms", "POST create", "ms", None),
        ("seed_s", "seeding time", "s", None),
    )
    for key, title, unit, bound in specs:
        for n in sizes:
            values = [r[key] for r in results[n]]
            if n == smallest:
                figures.append(Figure("scale", f"{title}, {n:,} conversations", unit, values))
                continue
            target = Target("ratio", at_most=bound) if bound and n == largest else None
            figures.append(Figure("scale", f"{title}, {n:,} conversations", unit, values,
                                  [r[key] for r in results[smallest]], f"{smallest:,} conversations", target))
    for n in sizes:
        values = [r["bytes_per_conversation"] / 1024 for r in results[n]]
        figures.append(Figure("scale", f"memory per conversation (5 messages), {n:,} conversations", "KB", values,
                              target=Target("value", at_most=4.0) if n == largest else None,
                              note="RSS growth / N" + (" (small N: noisy)" if n < 10_000 else "")))
    return figures


if __name__ == "__main__":
    print(json.dumps(child(int(sys.argv[1]), int(sys.argv[2]))))
