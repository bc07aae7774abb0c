"""The request journal: what the client under test sent, and what the fake answered.

The pipeline records one `Entry` per request it answers, including those refused
before any view (401, 404, 405, 413, 429, validation, faults). The journal is
bounded: past its capacity the oldest entries are dropped, so a long `serve` run
stays within a fixed size. Requests to the control API itself are not recorded.

Recording is cheap on purpose (it runs on every request): an entry keeps the raw
query string and body and the reply's payload as they are; the query and the body's
JSON are parsed only when someone reads them.
"""
from __future__ import annotations

import json as jsonlib
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterator, Mapping, overload
from urllib.parse import parse_qs

from werkzeug.datastructures import EnvironHeaders, Headers

from .matching import RequestPattern
from .operations import Operation

# The rejections that mean a bug of the client: it sent what the vendor would refuse.
CLIENT_BUGS = ("unknown_route", "method_not_allowed", "validation")
NEAR_MISSES = 5  # how many of the closest requests an AssertionError lists


@dataclass(eq=False)
class Entry:
    """One request and its answer. `status` and `response_json` are None when no HTTP
    answer was sent (a `connection_reset` or `empty_response` fault). Bodies are kept
    as bytes and parsed when read."""

    id: int  # 1, 2, ... since the last reset
    time: float  # unix time the answer was ready
    method: str
    path: str
    query_string: str
    environ_headers: Mapping[str, str]  # the request's HTTP_* and CONTENT_* WSGI keys; see `headers`
    body: bytes
    vendor: str | None  # None for a path no vendor owns
    tenant: str | None  # the API key or token the request carried, valid or not
    operation: str | None  # None when no route matched
    status: int | None
    response_body: bytes  # the JSON answered, as sent; empty for an empty or HTML body
    reason: str | None  # why it was rejected (errors.REASONS), None for an ordinary answer
    fault: int | None = None  # the id of the fault rule that applied, if one did

    @cached_property
    def headers(self) -> Headers:
        """The request's headers, case-insensitive."""
        return Headers(EnvironHeaders(dict(self.environ_headers)))

    @cached_property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(self.query_string, keep_blank_values=True)

    @cached_property
    def json(self) -> Any:
        """The body parsed as JSON, or None when it is empty or not JSON."""
        return _parsed(self.body)

    @cached_property
    def response_json(self) -> Any:
        """The JSON answered, or None (an empty or HTML body, or no answer at all)."""
        return _parsed(self.response_body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "time": self.time, "method": self.method, "path": self.path, "query": self.query,
            "headers": dict(self.headers.items()), "body": self.text, "json": self.json,
            "vendor": self.vendor, "tenant": self.tenant, "operation": self.operation,
            "status": self.status, "response_json": self.response_json, "reason": self.reason, "fault": self.fault,
        }

    def line(self) -> str:
        """One line for a message: `#3 POST /resources/conversations -> 400 (validation)`."""
        target = self.path + (f"?{self.query_string}" if self.query_string else "")
        answer = "no answer" if self.status is None else str(self.status)
        why = f" ({self.reason})" if self.reason else ""
        return f"#{self.id} {self.method} {target} -> {answer}{why}"


def _parsed(body: bytes) -> Any:
    if not body.strip():
        return None
    try:
        return jsonlib.loads(body)
    except (ValueError, RecursionError):
        return None


# -- matching bodies and query strings -----------------------------------------------------------


def json_difference(expected: Any, actual: Any, where: str = "") -> str | None:
    """Where `actual` fails to contain `expected` (objects: a subset of keys, each
    matching; arrays: the same length, item by item; else equal), or None."""
    label = where or "the body"
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{label} is {_short(actual)}, expected an object"
        for key, value in expected.items():
            inner = f"{where}.{key}" if where else str(key)
            if key not in actual:
                return f"{inner} is missing"
            found = json_difference(value, actual[key], inner)
            if found is not None:
                return found
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{label} is {_short(actual)}, expected {_short(expected)}"
        for index, (value, item) in enumerate(zip(expected, actual, strict=True)):
            found = json_difference(value, item, f"{where}[{index}]")
            if found is not None:
                return found
        return None
    # True == 1 in Python, not in JSON
    if expected != actual or isinstance(expected, bool) != isinstance(actual, bool):
        return f"{label} is {_short(actual)}, expected {_short(expected)}"
    return None


def _short(value: Any, limit: int = 60) -> str:
    text = jsonlib.dumps(value, default=str)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def query_difference(expected: Mapping[str, Any], actual: Mapping[str, list[str]]) -> str | None:
    """Where the query lacks one of `expected`'s parameters (a value, or a list of the
    values of a repeated parameter; compared as strings), or None."""
    for name, value in expected.items():
        want = [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
        got = actual.get(name)
        if got is None:
            return f"query has no {name}"
        if got != want:
            return f"query {name} is {got if len(got) > 1 else got[0]!r}, expected {want if len(want) > 1 else want[0]!r}"
    return None


class Expectation:
    """What assert_called looks for: a request pattern plus a body and query subset."""

    def __init__(self, pattern: RequestPattern, json: Any = None, query: Mapping[str, Any] | None = None) -> None:
        self.pattern = pattern
        self.json = json
        self.query = query

    def differences(self, entry: Entry) -> list[str]:
        out = self.pattern.differences(entry.method, entry.path, entry.operation, entry.vendor, entry.tenant)
        if self.query is not None:
            problem = query_difference(self.query, entry.query)
            if problem:
                out.append(problem)
        if self.json is not None:
            problem = "the body is not JSON" if entry.json is None else json_difference(self.json, entry.json)
            if problem:
                out.append(f"json: {problem}")
        return out

    def describe(self) -> str:
        text = self.pattern.describe()
        if self.query is not None:
            text += f" with query {dict(self.query)}"
        if self.json is not None:
            text += f" with json containing {_short(self.json, 200)}"
        return text


# -- the journal -------------------------------------------------------------------------------


class Journal(Sequence[Entry]):
    """The latest `capacity` entries, newest last; thread-safe. Capacity 0 records nothing."""

    def __init__(self, capacity: int, operations: Mapping[str, Operation]) -> None:
        self.capacity = capacity
        self.operations = operations  # every operation by id, to check ids in patterns
        self._entries: deque[Entry] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self._next_id = 1
        self._generation = 0
        self._client_bugs = 0  # counted over every entry since the last clear, dropped ones included

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    @property
    def generation(self) -> int:
        """Changes at every clear: a request that began before a reset is not recorded
        after it (a delayed request of one test must not show up in the next one's)."""
        return self._generation

    def record(self, generation: int | None = None, **fields: Any) -> Entry | None:
        with self._lock:
            if generation is not None and generation != self._generation:
                return None
            entry = Entry(id=self._next_id, **fields)
            self._next_id += 1
            self._entries.append(entry)
            if entry.reason in CLIENT_BUGS:
                self._client_bugs += 1
        return entry

    # -- reading -------------------------------------------------------------------
    def entries(self) -> list[Entry]:
        with self._lock:
            return list(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    @overload
    def __getitem__(self, index: int) -> Entry: ...
    @overload
    def __getitem__(self, index: slice) -> list[Entry]: ...

    def __getitem__(self, index: int | slice) -> Entry | list[Entry]:
        return self.entries()[index]

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries())

    def __repr__(self) -> str:
        return f"<Journal {len(self)} of {self.capacity} entries>"

    @property
    def dropped(self) -> int:
        """How many entries were dropped, oldest first, to keep within the capacity."""
        with self._lock:
            return self._next_id - 1 - len(self._entries)

    def _pattern(self, method: str | None, path: str | None, vendor: str | None = None, tenant: str | None = None) -> RequestPattern:
        return RequestPattern.build(method, path, self.operations, vendor=vendor, tenant=tenant)

    def filter(self, method: str | None = None, path: str | None = None, vendor: str | None = None, status: int | None = None,
               operation: str | None = None, tenant: str | None = None, reason: str | None = None) -> list[Entry]:
        """The entries that match every criterion given, newest last. `path` is a
        template with `{name}` placeholders or an operation id."""
        pattern = self._pattern(method, path, vendor, tenant)
        if operation is not None and operation not in self.operations:
            raise ValueError(f"{operation!r} is not a known operation id")
        return [
            entry for entry in self.entries()
            if pattern.matches(entry.method, entry.path, entry.operation, entry.vendor, entry.tenant)
            and (status is None or entry.status == status)
            and (operation is None or entry.operation == operation)
            and (reason is None or entry.reason == reason)
        ]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._next_id = 1
            self._client_bugs = 0
            self._generation += 1

    # -- assertions ------------------------------------------------------------------
    def assert_called(self, method: str, path: str, *, times: int | None = None, json: Any = None,
                      query: Mapping[str, Any] | None = None, vendor: str | None = None, tenant: str | None = None) -> list[Entry]:
        """The matching entries; an AssertionError listing the closest requests when
        there is none (or not exactly `times`)."""
        if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 0):
            raise ValueError(f"times must be a whole number of calls, not {times!r}")
        expectation = Expectation(self._pattern(method, path, vendor, tenant), json, query)
        seen = self.entries()
        matched = [entry for entry in seen if not expectation.differences(entry)]
        if (times is None and matched) or len(matched) == times:
            return matched
        got = "not called" if not matched else f"called {_times(len(matched))}"
        if times == 0:
            lines = [f"expected {expectation.describe()} not to be called, but it was {got}."]
        else:
            wanted = "at least once" if times is None else _times(times)
            lines = [f"expected {expectation.describe()} to be called {wanted}, but it was {got}."]
        if matched:
            lines.append("Matching requests:")
            lines += [f"  {entry.line()}" for entry in matched]
        else:
            lines += self._near_misses(expectation, seen)
        if self.dropped:
            lines.append(f"({self.dropped} older requests were dropped from the journal, whose capacity is {self.capacity}.)")
        raise AssertionError("\n".join(lines))

    def assert_not_called(self, method: str, path: str, *, json: Any = None, query: Mapping[str, Any] | None = None,
                          vendor: str | None = None, tenant: str | None = None) -> None:
        self.assert_called(method, path, times=0, json=json, query=query, vendor=vendor, tenant=tenant)

    def _near_misses(self, expectation: Expectation, seen: list[Entry]) -> list[str]:
        if not seen:
            return ["The fake received no requests."]
        import difflib  # only for a failing assertion: not on every import of the fake

        wanted = expectation.pattern.path or ""

        def closeness(entry: Entry) -> tuple[int, float, int]:
            seen_path = (entry.operation or "") if expectation.pattern.is_operation else entry.path
            similar = difflib.SequenceMatcher(None, wanted, seen_path).ratio()
            return (len(expectation.differences(entry)), -similar, -entry.id)

        closest = sorted(seen, key=closeness)[:NEAR_MISSES]
        lines = [f"The fake received {len(seen)} request{'s' if len(seen) != 1 else ''}; the closest:"]
        for entry in closest:
            lines.append(f"  {entry.line()}: {'; '.join(expectation.differences(entry))}")
        return lines

    # -- rejected requests, for the pytest fixture --------------------------------------
    @property
    def client_bugs(self) -> int:
        """How many requests since the last clear the fake could not route or refused as
        invalid (CLIENT_BUGS), dropped entries included."""
        return self._client_bugs

    def rejected_report(self) -> str | None:
        """A message listing the requests that were routed nowhere or failed validation, or None."""
        count = self._client_bugs
        if not count:
            return None
        listed = [entry for entry in self.entries() if entry.reason in CLIENT_BUGS]
        lines = [f"the client sent {count} request{'s' if count != 1 else ''} the vendor would refuse "
                 "(an unknown route, a wrong method or invalid input):"]
        for entry in listed:
            answer = entry.response_json if entry.response_json is not None else ""
            lines.append(f"  {entry.line()} {_short(answer, 160) if answer != '' else ''}".rstrip())
        if count > len(listed):
            lines.append(f"  ... and {count - len(listed)} more, no longer in the journal")
        return "\n".join(lines)

    # -- reset ---------------------------------------------------------------------
    def snapshot(self) -> None:
        return None  # the reset point of a journal is empty

    def restore(self, snapshot: None) -> None:
        self.clear()


def _times(count: int) -> str:
    return "never" if count == 0 else "once" if count == 1 else f"{count} times"
