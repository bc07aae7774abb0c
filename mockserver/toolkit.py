"""What a test does with a fake besides calling it: read the journal, assert on it, set
faults. A mixin of MockServer (and so of the pytest fixture), over the app's state."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from .app import state_of
from .faults import Delay, FaultRule, Faults
from .journal import Entry, Journal

if TYPE_CHECKING:
    from flask import Flask


class JournalAndFaults:
    app: "Flask"

    @property
    def journal(self) -> Journal:
        """Every request the fake received since the last reset, newest last (bounded)."""
        return state_of(self.app).journal

    @property
    def faults(self) -> Faults:
        """The fault rules: `faults.clear()`, `faults.remove(rule)`, iterate to read them."""
        return state_of(self.app).faults

    def fault(self, method: str, path: str, *, status: int | None = None, error: str | None = None, delay: Delay | None = None,
              times: int | None = 1, vendor: str | None = None, tenant: str | None = None) -> FaultRule:
        """Make the next `times` matching requests (None: all) wait `delay` seconds and/or
        fail: `status` with the vendor's error body, or `error` (connection_reset,
        empty_response, malformed_body). `path` is a template or an operation id."""
        return self.faults.add(method, path, status=status, error=error, delay=delay, times=times, vendor=vendor, tenant=tenant)

    def assert_called(self, method: str, path: str, *, times: int | None = None, json: Any = None, query: Mapping[str, Any] | None = None,
                      vendor: str | None = None, tenant: str | None = None) -> list[Entry]:
        """The matching requests; an AssertionError listing the closest ones when there
        were none (or not exactly `times`). `json` matches a subset of the body."""
        return self.journal.assert_called(method, path, times=times, json=json, query=query, vendor=vendor, tenant=tenant)

    def assert_not_called(self, method: str, path: str, *, json: Any = None, query: Mapping[str, Any] | None = None,
                          vendor: str | None = None, tenant: str | None = None) -> None:
        self.journal.assert_not_called(method, path, json=json, query=query, vendor=vendor, tenant=tenant)
