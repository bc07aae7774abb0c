"""One measured figure: its runs, the baseline runs of the same run, the ratio and the target."""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Target:
    """What the issue asks of a figure: a bound on its ratio, or on its median itself."""

    on: str  # "ratio" or "value"
    at_most: float | None = None
    at_least: float | None = None

    def met(self, value: float | None) -> bool | None:
        if value is None:
            return None
        if self.at_most is not None and value > self.at_most:
            return False
        if self.at_least is not None and value < self.at_least:
            return False
        return True

    def describe(self, unit: str) -> str:
        what = "ratio" if self.on == "ratio" else "median"
        suffix = "x" if self.on == "ratio" else f" {unit}"
        if self.at_most is not None:
            return f"{what} ≤ {self.at_most:g}{suffix}"
        return f"{what} ≥ {self.at_least:g}{suffix}"


def summary(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation), as load generators report it."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Figure:
    """`values` are one number per run; `baseline` the same measure of the baseline, same run.

    `ratio` is median / baseline median. Whether that is good depends on the figure:
    a latency ratio should be low, a throughput ratio high; the target says which.
    """

    section: str
    name: str
    unit: str
    values: list[float]
    baseline: list[float] = field(default_factory=list)
    baseline_label: str = ""
    target: Target | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        mine, theirs = summary(self.values), summary(self.baseline)
        if mine is None or theirs is None or theirs["median"] == 0:
            return None
        return mine["median"] / theirs["median"]

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        if self.target.on == "ratio":
            return self.target.met(self.ratio)
        stats = summary(self.values)
        return self.target.met(stats["median"] if stats else None)

    def as_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "name": self.name,
            "unit": self.unit,
            "runs": self.values,
            **{k: v for k, v in (summary(self.values) or {}).items()},
            "baseline": summary(self.baseline),
            "baseline_runs": self.baseline,
            "baseline_label": self.baseline_label,
            "ratio": self.ratio,
            "target": self.target.describe(self.unit) if self.target else None,
            "met": self.met,
            "note": self.note,
        }


@dataclass
class Skipped:
    """A case that could not be measured, and why (e.g. Monica routes not there yet)."""

    section: str
    name: str
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"section": self.section, "name": self.name, "skipped": self.reason}
