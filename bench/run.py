"""`python -m bench`: run every benchmark, write results/latest.json and results/latest.md."""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from .figures import Figure, Skipped

SECTIONS = ("boot", "reset", "in-process", "journal", "loopback", "peer", "scale")


@dataclass(frozen=True)
class Plan:
    """How much of everything to run: the full bench, or --quick for the smoke test."""

    runs: int = 5
    boot_runs: int = 5
    reset_factors: tuple[int, ...] = (1, 10, 100)
    requests_per_run: int = 200
    loopback_runs: int = 3
    loopback_seconds: float = 1.0
    connections: int = 8
    peer_seconds: float = 3.0
    scale_sizes: tuple[int, ...] = (1_000, 10_000, 100_000)
    scale_runs: int = 3
    scale_calls: int = 200


QUICK = Plan(runs=2, boot_runs=1, reset_factors=(1, 10), requests_per_run=10, loopback_runs=1, loopback_seconds=0.1,
             connections=2, peer_seconds=0.1, scale_sizes=(200, 400), scale_runs=1, scale_calls=5)


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    memory = None
    try:
        with open("/proc/meminfo") as f:
            memory = f"{int(f.readline().split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    from .loadgen import wrk_available

    return {"cpu": cpu, "cores": os.cpu_count(), "memory": memory, "os": platform.platform(),
            "python": platform.python_version(), "load_generator": "wrk" if wrk_available() else "python"}


def run(plan: Plan, sections: Sequence[str], use_wrk: bool | None) -> list[Figure | Skipped]:
    results: list[Figure | Skipped] = []
    if "boot" in sections:
        from mockserver import create_app

        from . import boot
        from .cases import VITALLY_HEADERS

        first = create_app().test_client().get(boot.FIRST_PATH, headers=VITALLY_HEADERS).get_data()
        results += boot.measure(plan.boot_runs, first)
    if "reset" in sections:
        from .inproc import measure_reset

        results += measure_reset(plan.runs, plan.reset_factors)
    if "in-process" in sections:
        from .inproc import measure_requests

        results += measure_requests(plan.runs, plan.requests_per_run)
    if "journal" in sections:
        from . import journal

        results += journal.measure(plan.runs, plan.requests_per_run)
    if "loopback" in sections:
        from . import loopback

        results += loopback.measure(plan.loopback_runs, plan.loopback_seconds, plan.connections, use_wrk=use_wrk)
    if "peer" in sections:
        from . import peer

        results += peer.measure(plan.loopback_runs, plan.peer_seconds, plan.connections, use_wrk=use_wrk)
    if "scale" in sections:
        from . import scale

        results += scale.measure(plan.scale_runs, plan.scale_sizes, plan.scale_calls)
    return results


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _met(met: bool | None) -> str:
    return {True: "✅ met", False: "❌ missed", None: ""}[met]


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        "# mockserver benchmark results",
        "",
        f"`{report['command']}` on {report['date']}, {report['seconds']:.0f} s.",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}, {m['os']}, Python {m['python']}; "
        f"load generator: {m['load_generator']}.",
        "",
        "Each figure is min / median / max over runs; *ratio* is its median over the baseline's median,"
        " measured in the same run. Absolute numbers vary by machine: track the ratios.",
        "",
        "## Targets",
        "",
        "| target | figure | median | ratio | |",
        "|---|---|---:|---:|---|",
    ]
    for f in report["figures"]:
        if f.get("target"):
            lines.append(f"| {f['target']} | {f['section']}: {f['name']} | {_num(f['median'])} {f['unit']} "
                         f"| {_num(f['ratio'])} | {_met(f['met'])} |")
    section = None
    for f in report["figures"]:
        if f["section"] != section:
            section = f["section"]
            lines += ["", f"## {section}", "", "| figure | unit | min | median | max | baseline (median) | ratio | target |",
                      "|---|---|---:|---:|---:|---|---:|---|"]
        if "skipped" in f:
            lines.append(f"| {f['name']} | | | | | skipped: {f['skipped']} | | |")
            continue
        base = f"{_num(f['baseline']['median'])} ({f['baseline_label']})" if f["baseline"] else ""
        target = f"{f['target']} {_met(f['met'])}" if f["target"] else ""
        note = f" — {f['note']}" if f.get("note") else ""
        lines.append(f"| {f['name']}{note} | {f['unit']} | {_num(f['min'])} | {_num(f['median'])} | {_num(f['max'])} "
                     f"| {base} | {_num(f['ratio'])} | {target} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes and few runs (the smoke test)")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"), help="directory for latest.json/.md")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections: {','.join(SECTIONS)}")
    parser.add_argument("--no-wrk", action="store_true", help="use the Python load generator even if wrk is installed")
    args = parser.parse_args(argv)
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    plan = QUICK if args.quick else Plan()
    # The quick run's load is too short for wrk's whole seconds.
    use_wrk = False if (args.no_wrk or args.quick) else None
    if use_wrk is False:
        os.environ["BENCH_NO_WRK"] = "1"
    # Child processes run as after `pip install`, which compiles bytecode: with caches,
    # kept out of the checkout. With PYTHONDONTWRITEBYTECODE set (as on the machine the
    # bench was written on) every boot would compile mockserver from source: +25 ms.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.setdefault("PYTHONPYCACHEPREFIX", str(Path(tempfile.gettempdir()) / "mockserver-bench-pycache"))
    began = time.perf_counter()
    results = run(plan, sections, use_wrk)
    report = {
        "command": "python -m bench" + (" " + " ".join(argv if argv is not None else sys.argv[1:])).rstrip(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "seconds": time.perf_counter() - began,
        "machine": machine(),
        "plan": plan.__dict__,
        "figures": [r.as_json() for r in results],
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "latest.md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))
    print(f"written: {out / 'latest.json'}, {out / 'latest.md'}")
    return 0
