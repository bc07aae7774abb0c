"""Fault rules: make the vendor misbehave on chosen requests (retries, backoff, timeouts).

A rule matches requests by method and path (a template or an operation id), and
optionally vendor and tenant. For its first `times` matching requests (None: all of
them) it
- waits `delay` seconds (a number, or a uniform draw from `(min, max)`), then
- answers `status` with the vendor's own error body (the vendor renders it:
  `Surface.fault_reply`), or breaks the transport (`error`).

When several rules match, the newest applies. Rules are thread-safe; the pipeline
applies them before auth, the rate limiter and the store lock, so a delay or a fault
holds no lock and a faulted request does not count against the rate limit.

Transport faults are signalled to the front end that owns the connection: the
pipeline sets `environ[TRANSPORT_FAULT]` to the kind and answers an ordinary response,
which the front end then withholds (`connection_reset`, `empty_response`) or cuts
short with `cut_short` (`malformed_body`). The socket servers of transport.py honour
it, and so must any other front end calling the WSGI app.
"""
from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Sequence, Union

from .matching import RequestPattern
from .operations import Operation

TRANSPORT_FAULT = "mockserver.transport_fault"
CONNECTION_RESET = "connection_reset"  # the connection is reset (RST): no answer at all
EMPTY_RESPONSE = "empty_response"  # the connection is closed cleanly without a byte of answer
MALFORMED_BODY = "malformed_body"  # a well-formed response whose JSON body is cut short
ERRORS = (CONNECTION_RESET, EMPTY_RESPONSE, MALFORMED_BODY)
NO_ANSWER = (CONNECTION_RESET, EMPTY_RESPONSE)
# What a dropped connection's ordinary response is, for a front end that cannot drop it.
NO_ANSWER_STATUS = 503

Delay = Union[float, Sequence[float]]


def cut_short(body: bytes) -> bytes:
    """A malformed body: the first half. A proper prefix of a JSON object or array is
    never valid JSON, and every vendor answer is one."""
    return body[: len(body) // 2]


@dataclass
class FaultRule:
    """One rule; `fired` counts the requests it has applied to."""

    id: int
    pattern: RequestPattern
    status: int | None = None
    error: str | None = None
    delay: tuple[float, float] | None = None  # (min, max) seconds
    times: int | None = 1
    fired: int = 0

    @property
    def method(self) -> str:
        return self.pattern.method or "*"

    @property
    def path(self) -> str:
        assert self.pattern.path is not None
        return self.pattern.path

    @property
    def active(self) -> bool:
        return self.times is None or self.fired < self.times

    @property
    def replaces_answer(self) -> bool:
        """Whether the rule changes the answer (a delay alone only postpones it)."""
        return self.status is not None or self.error is not None

    def as_json(self) -> dict[str, Any]:
        delay: Any = None
        if self.delay is not None:
            delay = self.delay[0] if self.delay[0] == self.delay[1] else list(self.delay)
        return {
            "id": self.id, "method": self.method, "path": self.path, "status": self.status, "error": self.error,
            "delay": delay, "times": self.times, "vendor": self.pattern.vendor, "tenant": self.pattern.tenant,
            "fired": self.fired, "active": self.active,
        }

    def __repr__(self) -> str:
        what = ", ".join(f"{k}={v!r}" for k, v in self.as_json().items() if k not in ("id", "method", "path") and v is not None)
        return f"<FaultRule #{self.id} {self.method} {self.path} {what}>"


class Firing:
    """A rule applying to one request, with the delay drawn for it."""

    __slots__ = ("rule", "delay")

    def __init__(self, rule: FaultRule, delay: float) -> None:
        self.rule = rule
        self.delay = delay


def _delay(value: Any) -> tuple[float, float] | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError(f"delay must be a number of seconds or a (min, max) pair, not {value!r}")
        low, high = (_seconds(v) for v in value)
        if low > high:
            raise ValueError(f"delay: min ({low}) is more than max ({high})")
        return (low, high)
    seconds = _seconds(value)
    return (seconds, seconds)


def _seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError(f"delay must be a non-negative number of seconds, not {value!r}")
    return float(value)


class Faults:
    """The rules of one fake, newest last."""

    def __init__(self, operations: Mapping[str, Operation], vendor_prefixes: Mapping[str, str]) -> None:
        self._operations = operations
        self._prefixes = vendor_prefixes  # vendor name -> path prefix: rules apply to vendor paths only
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self._next_id = 1
        self._random = random.Random()  # delays within a range; not the data's seed

    def add(self, method: str, path: str, *, status: int | None = None, error: str | None = None, delay: Delay | None = None,
            times: int | None = 1, vendor: str | None = None, tenant: str | None = None) -> FaultRule:
        """A new rule; a ValueError says what is wrong with the arguments."""
        vendor_operations = {op_id: op for op_id, op in self._operations.items() if op.vendor in self._prefixes}
        pattern = RequestPattern.build(method, path, vendor_operations, vendor=vendor, tenant=tenant)
        if vendor is not None and vendor not in self._prefixes:
            raise ValueError(f"no vendor {vendor!r}; known: {', '.join(self._prefixes)}")
        if path.startswith("/"):
            prefixes = [self._prefixes[vendor]] if vendor is not None else list(self._prefixes.values())
            if not any(path == prefix or path.startswith(prefix + "/") for prefix in prefixes):
                raise ValueError(f"{path} is not a path of {vendor or 'any vendor'} (paths under {', '.join(prefixes)})")
        if status is not None and (isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599):
            raise ValueError(f"status must be an error status from 400 to 599, not {status!r}")
        if error is not None and error not in ERRORS:
            raise ValueError(f"error must be one of {', '.join(ERRORS)}, not {error!r}")
        if error in NO_ANSWER and status is not None:
            raise ValueError(f"error={error} sends no answer at all, so it takes no status")
        if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
            raise ValueError(f"times must be a whole number of at least 1, or None for every request, not {times!r}")
        delays = _delay(delay)
        if status is None and error is None and delays is None:
            raise ValueError("a fault needs at least one of status, error or delay")
        with self._lock:
            rule = FaultRule(self._next_id, pattern, status, error, delays, times)
            self._next_id += 1
            self._rules.append(rule)
        return rule

    def take(self, method: str, path: str, operation: str | None, vendor: str | None, tenant: str | None) -> Firing | None:
        """The newest active rule matching this request, counted as fired, or None."""
        with self._lock:
            for rule in reversed(self._rules):
                if rule.active and rule.pattern.matches(method, path, operation, vendor, tenant):
                    rule.fired += 1
                    low, high = rule.delay or (0.0, 0.0)
                    return Firing(rule, low if low == high else self._random.uniform(low, high))
        return None

    def get(self, rule_id: int) -> FaultRule:
        with self._lock:
            for rule in self._rules:
                if rule.id == rule_id:
                    return rule
        raise KeyError(f"no fault rule #{rule_id}")

    def remove(self, rule: FaultRule | int) -> None:
        """Remove one rule (or its id); a KeyError if it is not there."""
        rule_id = rule if isinstance(rule, int) else rule.id
        with self._lock:
            for index, found in enumerate(self._rules):
                if found.id == rule_id:  # ids are never reused
                    del self._rules[index]
                    return
        raise KeyError(f"no fault rule #{rule_id}")

    def clear(self) -> int:
        """Remove every rule; how many there were."""
        with self._lock:
            count = len(self._rules)
            self._rules.clear()  # ids go on: a rule a test still holds never names a new one
            return count

    def __iter__(self) -> Iterator[FaultRule]:
        with self._lock:
            return iter(list(self._rules))

    def __len__(self) -> int:
        return len(self._rules)

    def __bool__(self) -> bool:
        return bool(self._rules)

    def __repr__(self) -> str:
        return f"<Faults {list(self)!r}>"

    # -- reset: the reset point has no rules ---------------------------------------------
    def snapshot(self) -> None:
        return None

    def restore(self, snapshot: None) -> None:
        self.clear()

