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

from .figures import Figure, Skipped, Target

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _sizes(vendor: str, n: int) -> dict[str, Any]:
    other = "monica" if vendor == "vitally" else "vitally"
    return {f"{vendor}_sizes": {"conversations": n, "messages_min": 5, "messages_max": 5}, f"{other}_sizes": {"conversations": 0}}


def _mean_ms(call: Any, calls: int) -> float:
    call(0)  # warm
    began = time.perf_counter()
    for i in range(calls):
        call(i)
    return (time.perf_counter() - began) / calls * 1000


def _check(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    return response.get_json()


def child(vendor: str, n: int, calls: int) -> dict[str, float]:
    from mockserver import create_app

    from .cases import UNLIMITED

    create_app(**UNLIMITED, **_sizes(vendor, 0))  # imports and schemas out of the way
    gc.collect()
    before = _rss()
    began = time.perf_counter()
    app = create_app(**UNLIMITED, **_sizes(vendor, n))
    seeded = time.perf_counter() - began
    gc.collect()
    figures = {"seed_s": seeded, "bytes_per_conversation": (_rss() - before) / n}
    client = app.test_client()
    figures.update(_vitally_latencies(app, client, n, calls) if vendor == "vitally" else _monica_latencies(client, n, calls))
    return figures


def _vitally_latencies(app: Any, client: Any, n: int, calls: int) -> dict[str, float]:
    from mockserver.app import state_of

    from .cases import VITALLY_HEADERS as h

    workspace = next(iter(state_of(app).vendors["vitally"].workspaces.values()))
    entries = workspace.conversations.by_updated._entries  # the sort index, newest last
    ms, seq, _ = entries[len(entries) // 2]
    deep = base64.b64encode(f"updatedAt:{ms}:{seq}".encode()).decode()  # a cursor half-way down
    ids = [entries[(i * 7919) % len(entries)][2] for i in range(calls + 1)]
    user = _check(client.get("/resources/users?limit=1", headers=h))["results"][0]["id"]
    admin = _check(client.get("/resources/admins?limit=1", headers=h))["results"][0]["id"]

    def create(i: int) -> None:
        body = {"externalId": f"scale-{i}-{time.perf_counter_ns()}", "subject": "Scale", "messages": [
            {"externalId": "m1", "message": "<p>Hello</p>", "from": {"type": "admin", "id": admin}, "to": [{"type": "user", "id": user}]}]}
        _check(client.post("/resources/conversations", json=body, headers=h))

    return {
        "list_first_ms": _mean_ms(lambda i: _check(client.get("/resources/conversations", headers=h)), calls),
        "list_deep_ms": _mean_ms(lambda i: _check(client.get(f"/resources/conversations?from={deep}", headers=h)), calls),
        "get_ms": _mean_ms(lambda i: _check(client.get(f"/resources/conversations/{ids[i]}", headers=h)), calls),
        "create_ms": _mean_ms(create, calls),
    }


def _monica_latencies(client: Any, n: int, calls: int) -> dict[str, float]:
    from .cases import MONICA_HEADERS as h

    limit = 100  # Monica's largest page
    middle = max(1, n // limit // 2)
    listed = _check(client.get(f"/api/conversations?limit={limit}&page={middle}", headers=h))["data"]
    ids = [c["id"] for c in listed]
    active = next(c for c in listed if c["contact"].get("is_active", True))
    body = {"happened_at": "2025-06-01", "contact_id": active["contact"]["id"],
            "contact_field_type_id": active["contact_field_type"]["id"]}
    return {
        "list_first_ms": _mean_ms(lambda i: _check(client.get(f"/api/conversations?limit={limit}", headers=h)), calls),
        "list_deep_ms": _mean_ms(lambda i: _check(client.get(f"/api/conversations?limit={limit}&page={middle}", headers=h)), calls),
        "get_ms": _mean_ms(lambda i: _check(client.get(f"/api/conversations/{ids[i % len(ids)]}", headers=h)), calls),
        "create_ms": _mean_ms(lambda i: _check(client.post("/api/conversations", json=body, headers=h), 201), calls),
    }


VENDORS = ("vitally", "monica")


def measure(runs: int, sizes: tuple[int, ...], calls: int) -> list[Figure | Skipped]:
    out: list[Figure | Skipped] = []
    for vendor in VENDORS:
        results: dict[int, list[dict[str, float]]] = {n: [] for n in sizes}
        try:
            for _ in range(runs):
                for n in sizes:
                    done = subprocess.run([sys.executable, "-m", "bench.scale", vendor, str(n), str(calls)],
                                          capture_output=True, text=True, cwd=ROOT)
                    if done.returncode != 0:
                        raise RuntimeError(f"{vendor} at {n:,} conversations failed: {done.stderr.strip().splitlines()[-1:]}")
                    results[n].append(json.loads(done.stdout.strip().splitlines()[-1]))
        except RuntimeError as exc:
            out.append(Skipped("scale", f"{vendor}: every size", str(exc)))
            continue
        out += _figures(vendor, sizes, results)
    return out


def _figures(vendor: str, sizes: tuple[int, ...], results: dict[int, list[dict[str, float]]]) -> list[Figure | Skipped]:
    smallest, largest = sizes[0], sizes[-1]
    figures: list[Figure | Skipped] = []
    first_page = "first page (100 items)"
    deep_page = "deep cursor (half-way)" if vendor == "vitally" else "deep page (half-way)"
    specs = (
        ("list_first_ms", f"list page, {first_page}", "ms", 1.3),
        ("list_deep_ms", f"list page, {deep_page}", "ms", 1.3),
        ("get_ms", "GET one conversation by id", "ms", 1.3),
        ("create_ms", "POST create", "ms", None),
        ("seed_s", "seeding time", "s", None),
    )
    for key, title, unit, bound in specs:
        for n in sizes:
            values = [r[key] for r in results[n]]
            name = f"{vendor} {title}, {n:,} conversations"
            if n == smallest:
                figures.append(Figure("scale", name, unit, values))
                continue
            target = Target("ratio", at_most=bound) if bound and n == largest else None
            figures.append(Figure("scale", name, unit, values, [r[key] for r in results[smallest]], f"{smallest:,} conversations", target))
    for n in sizes:
        values = [r["bytes_per_conversation"] / 1024 for r in results[n]]
        figures.append(Figure("scale", f"{vendor} memory per conversation (5 messages), {n:,} conversations", "KB", values,
                              target=Target("value", at_most=4.0) if n == largest else None,
                              note="RSS growth / N" + (" (small N: noisy)" if n < 10_000 else "")))
    return figures


if __name__ == "__main__":
    print(json.dumps(child(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))))
