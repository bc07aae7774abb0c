"""Rendered answers of reads, kept until the state they were read from changes.

A vendor's GET view is a function of the store's state and of the request: it reads
under the store lock and changes nothing. So its answer (status, headers, the JSON
text) can be kept, keyed by everything the request carries, and stamped with the
store's version (store.py): every `with store.lock:` section moves the version (HTTP
writes, handles, factories, data sets, reseeds, reset()), and an answer kept from an
older version is never served. Nothing here knows what a write changes: any write
invalidates every kept answer, which is what makes the cache correct by construction
rather than by bookkeeping.

The key is every text value of the WSGI environ (method, path, raw URI, query string,
host, scheme, every header, the vendor an intercepted host pins) except the client's
address and port, plus the body. Strict mode (on in this project's tests) computes
every answer anew and fails on one that differs from the kept one (pipeline.py).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Hashable, Mapping

# The client's address is no input of any view, and differs per connection.
_PEER = frozenset({"REMOTE_ADDR", "REMOTE_PORT", "REMOTE_HOST"})


def request_key(environ: Mapping[str, Any], body: bytes) -> Hashable:
    """Everything a view could read of the request, as a dict key."""
    return (body, *[(name, value) for name, value in environ.items() if value.__class__ is str and name not in _PEER])


@dataclass(frozen=True)
class Kept:
    """One answer as it went out, before the per-request headers (rate limits)."""

    version: int
    status: int
    headers: tuple[tuple[str, str], ...]
    html: str | None
    reason: str | None
    body: bytes | None  # the JSON text; None for an HTML page or no body

    @property
    def size(self) -> int:
        return len(self.body or b"") + len(self.html or "")


class Answers:
    """Kept answers of one fake, all of one version of the state; the newest
    `max_bytes` of bodies at most."""

    def __init__(self, max_bytes: int = 8 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._version = -1  # of every answer kept
        self._kept: dict[Hashable, Kept] = {}
        self._bytes = 0

    def get(self, key: Hashable, version: int) -> Kept | None:
        """The answer kept for `key` if it was read from this version of the state."""
        found = self._kept.get(key)
        return found if found is not None and found.version == version else None

    def put(self, key: Hashable, kept: Kept) -> None:
        with self._lock:
            if kept.version < self._version or kept.size > self.max_bytes:
                return  # read from a state that has changed since (or too big to keep)
            if kept.version > self._version:
                self._kept.clear()  # all of an older state
                self._bytes = 0
                self._version = kept.version
            old = self._kept.pop(key, None)
            self._bytes += kept.size - (old.size if old is not None else 0)
            self._kept[key] = kept
            while self._bytes > self.max_bytes:
                self._bytes -= self._kept.pop(next(iter(self._kept))).size

    def __len__(self) -> int:
        return len(self._kept)
