"""Per-credential rate limiters; both are part of the store, so reset() clears them."""
from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_after: int  # whole seconds until a slot frees up (or the window restarts)
    reset_at: int  # unix time of that moment


class SlidingWindowLimiter:
    """`limit` requests per `window` seconds, sliding (Vitally's documented scheme)."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.time) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str) -> RateDecision:
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            allowed = len(hits) < self.limit
            if allowed:
                hits.append(now)
            oldest = hits[0] if hits else now
            reset_after = max(0, math.ceil(oldest + self.window - now))
            return RateDecision(allowed, self.limit, self.limit - len(hits), reset_after, int(now) + reset_after)

    def snapshot(self) -> None:
        return None

    def restore(self, snapshot: None) -> None:
        with self._lock:
            self._hits.clear()


class FixedWindowLimiter:
    """Laravel's throttle: the first hit opens a `window`-second bucket of `limit` hits."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.time) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, list[float]] = {}  # key -> [opened_at, hits]

    def hit(self, key: str) -> RateDecision:
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None or now >= bucket[0] + self.window:
                bucket = self._buckets[key] = [now, 0]
            allowed = bucket[1] < self.limit
            if allowed:
                bucket[1] += 1
            reset_after = max(0, math.ceil(bucket[0] + self.window - now))
            return RateDecision(allowed, self.limit, self.limit - int(bucket[1]), reset_after, int(now) + reset_after)

    def snapshot(self) -> None:
        return None

    def restore(self, snapshot: None) -> None:
        with self._lock:
            self._buckets.clear()
