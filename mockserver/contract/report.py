"""The result of a contract check, for people (text) and machines (JSON).

Findings repeat across the items of a list; they are grouped by operation, kind, JSON
path with its indexes folded (`$.results[].externalUrl`) and expectation, with a count
and the first concrete example. `--strict` reports tolerances as failures.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from .check import PROMISE, Finding

_INDEX = re.compile(r"\[\d+\]")


@dataclass
class Created:
    """Something the write round trip created, and what became of its clean-up."""

    what: str
    delete: str  # the request that deletes it: "DELETE /resources/conversations/<id>"
    cleaned: bool | None = None  # None until the clean-up ran (or the round trip deleted it)


@dataclass
class Group:
    first: Finding
    count: int = 1

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self.first), "count": self.count}


@dataclass
class Report:
    vendor: str
    mode: str  # "live" or "recorded"
    target: str  # the base URL (never credentials) or the recording's path
    operations: list[str]  # the vendor's operation ids, in table order
    strict: bool = False
    write: bool = False
    calls: dict[str, list[int]] = field(default_factory=dict)  # operation id -> statuses seen
    findings: list[Finding] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # operation id -> why it was not called
    created: list[Created] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def record(self, operation: str, status: int, findings: list[Finding]) -> None:
        self.calls.setdefault(operation, []).append(status)
        self.findings.extend(findings)

    def fails(self, finding: Finding) -> bool:
        return finding.level == PROMISE or self.strict

    def _groups(self, failing: bool) -> list[Group]:
        groups: dict[tuple[str, ...], Group] = {}
        for finding in self.findings:
            if self.fails(finding) != failing:
                continue
            key = (finding.operation, finding.kind, _INDEX.sub("[]", finding.path), finding.expected, finding.source)
            if key in groups:
                groups[key].count += 1
            else:
                groups[key] = Group(finding)
        return list(groups.values())

    @property
    def failures(self) -> list[Group]:
        return self._groups(True)

    @property
    def warnings(self) -> list[Group]:
        return self._groups(False)

    @property
    def exit_code(self) -> int:
        return 1 if any(self.fails(f) for f in self.findings) else 0

    def outcome(self, operation: str) -> str:
        mine = [f for f in self.findings if f.operation == operation]
        if any(self.fails(f) for f in mine):
            return "fail"
        if mine:
            return "warn"
        if operation in self.calls:
            return "pass"
        return "skip"

    def _listed(self) -> list[str]:
        """Operations the report lists: all of a live plan; those seen in a recording."""
        if self.mode == "live":
            return self.operations
        return [op for op in self.operations if op in self.calls or any(f.operation == op for f in self.findings)]

    # -- JSON ---------------------------------------------------------------------------
    def as_json(self) -> dict[str, Any]:
        operations = []
        for op in self._listed():
            entry: dict[str, Any] = {"id": op, "outcome": self.outcome(op), "calls": len(self.calls.get(op, [])),
                                     "statuses": sorted(set(self.calls.get(op, [])))}
            if op in self.skipped:
                entry["reason"] = self.skipped[op]
            operations.append(entry)
        return {
            "vendor": self.vendor,
            "mode": self.mode,
            "target": self.target,
            "strict": self.strict,
            "write": self.write,
            "result": "drift" if self.exit_code else "conforms",
            "exit_code": self.exit_code,
            "operations": operations,
            "failures": [g.as_json() for g in self.failures],
            "warnings": [g.as_json() for g in self.warnings],
            "created": [asdict(c) for c in self.created],
            "notes": self.notes,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_json(), indent=2, ensure_ascii=False)

    # -- text ---------------------------------------------------------------------------
    def to_text(self) -> str:
        how = "recorded" if self.mode == "recorded" else ("live, with --write" if self.write else "live, read-only")
        lines = [f"mockserver contract {self.vendor}: {how}, {self.target}", ""]
        width = max((len(op) for op in self.operations), default=10)
        for op in self._listed():
            outcome = self.outcome(op)
            statuses = self.calls.get(op, [])
            if outcome == "skip":
                detail = self.skipped.get(op, "not called")
            else:
                detail = f"{len(statuses)} call{'s' if len(statuses) != 1 else ''}: {' '.join(str(s) for s in statuses)}"
                if op in self.skipped:
                    detail += f" ({self.skipped[op]})"
            lines.append(f"  {outcome.upper() if outcome == 'fail' else outcome:<4}  {op:<{width}}  {detail}")
        if self.mode == "recorded":
            unseen = len(self.operations) - len(self._listed())
            lines.append(f"  ({unseen} operation{'s' if unseen != 1 else ''} of {self.vendor} not in the recording)")
        for title, groups in ((f"Broken promises ({len(self.failures)})", self.failures),
                              (f"Tolerances ({len(self.warnings)}): warnings; --strict makes them failures", self.warnings)):
            if groups:
                lines += ["", title + ":"]
                for group in groups:
                    lines += _group_lines(group)
        if self.created:
            lines += ["", "Created by the round trip:"]
            for item in self.created:
                state = {True: "cleaned up", False: f"CLEAN-UP FAILED: delete it by hand: {item.delete}", None: "clean-up not run"}
                lines.append(f"  {item.what}: {state[item.cleaned]}")
        if self.notes:
            lines += [""] + [f"Note: {note}" for note in self.notes]
        failing, warning = self.failures, self.warnings
        verdict = "drift" if self.exit_code else "conforms"
        lines += ["", f"Result: {verdict}: {_count(failing, 'broken promise')}, {_count(warning, 'tolerance')} (exit {self.exit_code})."]
        return "\n".join(lines) + "\n"


def _count(groups: list[Group], noun: str) -> str:
    total = len(groups)
    return f"{total} {noun}{'s' if total != 1 else ''}"


def _group_lines(group: Group) -> list[str]:
    f = group.first
    where = f"{f.operation}  " if f.operation else ""
    status = f" -> {f.status}" if f.status is not None else ""
    times = f", x{group.count}" if group.count > 1 else ""
    lines = [f"  {where}{f.request}{status}", f"    {f.path}  ({f.kind}{times})",
             f"      expected  {f.expected}", f"      got       {f.got}", f"      declared  {f.source}"]
    if f.why:
        lines.append(f"      why       {f.why}")
    return lines
