"""Shared store machinery: one lock per server, copy-on-write snapshots, sorted indexes.

Records are never mutated in place once stored: an update stores a new record object.
A snapshot is therefore a shallow copy of each container, and reset() swaps those copies
back in: about a millisecond for the default data set, without re-running Faker.
"""
from __future__ import annotations

import random
import threading
from bisect import bisect_left, insort
from typing import Any, Generic, Iterator, Protocol, TypeVar

from .jsontext import rebuild


class Resettable(Protocol):
    def snapshot(self) -> Any: ...
    def restore(self, snapshot: Any) -> None: ...


class SortedIndex:
    """Record ids ordered by a unique key `(sort value, sequence)`, read newest first.

    Keyset pagination over it costs O(log n + page), whatever the size of the store.
    """

    __slots__ = ("_entries",)

    def __init__(self, entries: list[tuple[Any, int, Any]] | None = None) -> None:
        self._entries: list[tuple[Any, int, Any]] = entries if entries is not None else []

    def copy(self) -> "SortedIndex":
        return SortedIndex(self._entries.copy())

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, key: tuple[Any, int], record_id: Any) -> None:
        insort(self._entries, (key[0], key[1], record_id))

    def remove(self, key: tuple[Any, int], record_id: Any) -> None:
        entry = (key[0], key[1], record_id)
        i = bisect_left(self._entries, entry)
        if i < len(self._entries) and self._entries[i] == entry:
            del self._entries[i]

    def descending(self, before: tuple[Any, int] | None = None) -> Iterator[tuple[tuple[Any, int], Any]]:
        """Yield `(key, id)` newest first, starting strictly below `before` when given."""
        entries = self._entries
        i = len(entries) if before is None else bisect_left(entries, before)
        while i > 0:
            i -= 1
            value, seq, record_id = entries[i]
            yield (value, seq), record_id

    def ascending(self, after: tuple[Any, int] | None = None) -> Iterator[tuple[tuple[Any, int], Any]]:
        """Yield `(key, id)` oldest first, starting strictly above `after` when given."""
        entries = self._entries
        i = 0 if after is None else bisect_left(entries, (after[0], after[1] + 1))
        for value, seq, record_id in entries[i:] if i else entries:
            yield (value, seq), record_id

    def ids_at(self, offset: int, limit: int, descending: bool = False) -> list[Any]:
        """The record ids of one offset page (page-numbered APIs): O(limit), not O(offset)."""
        entries = self._entries
        if descending:
            stop = len(entries) - offset
            window = entries[max(stop - limit, 0):stop] if stop > 0 else []
            return [record_id for _, _, record_id in reversed(window)]
        return [record_id for _, _, record_id in entries[offset:offset + limit]]


class FrozenDict(dict):  # type: ignore[type-arg]
    """A dict that refuses changes: what stored records hold (traits, say), so a
    snapshot can share it and nothing needs a defensive deep copy. JSON encoders and
    schema validators see a dict."""

    __slots__ = ()

    def _read_only(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("stored records are read-only: store a changed copy instead")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _read_only

    def __reduce__(self) -> tuple[Any, ...]:  # copy, deepcopy and pickle rebuild it whole
        return (type(self), (dict(self),))


class FrozenList(list):  # type: ignore[type-arg]
    """A list that refuses changes (see FrozenDict)."""

    __slots__ = ()

    def _read_only(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("stored records are read-only: store a changed copy instead")

    __setitem__ = __delitem__ = __iadd__ = __imul__ = append = extend = insert = pop = remove = clear = sort = reverse = _read_only

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (list(self),))


def _frozen(value: Any) -> bool:
    return isinstance(value, (FrozenDict, FrozenList))


def freeze(value: Any) -> Any:
    """A JSON value made read-only all the way down (dicts and lists frozen); a part
    freeze() made already is kept as it is. No recursion: client values nest deep."""
    return rebuild(value, mapping=FrozenDict, sequence=FrozenList, keep=_frozen)


def thaw(value: Any) -> Any:
    """A plain, editable copy of a JSON value that may hold frozen parts (for handles:
    what a test edits must not reach the store)."""
    return rebuild(value)


_IMMUTABLE = (int, float, str, bytes, bool, type(None), tuple, frozenset, FrozenDict, FrozenList)


def _copy(name: str, value: Any) -> Any:
    """A snapshot of one attribute of tenant state: containers of immutable records are
    copied shallowly, an rng is cloned, immutable values are shared; anything else is
    an error, so a new kind of state cannot be silently left out of reset()."""
    if isinstance(value, (dict, list, set, SortedIndex, Table)) and not isinstance(value, (FrozenDict, FrozenList)):
        return value.copy()
    if isinstance(value, random.Random):
        clone = random.Random()
        clone.setstate(value.getstate())
        return clone
    if isinstance(value, _IMMUTABLE) or callable(value) or _is_frozen_dataclass(value):
        return value
    raise TypeError(f"{name}: reset() cannot snapshot a {type(value).__name__}; declare it in REFERENCES if it is not this tenant's state")


def _is_frozen_dataclass(value: Any) -> bool:
    params = getattr(type(value), "__dataclass_params__", None)
    return bool(params is not None and params.frozen)


class TenantState:
    """Base for one tenant's data: every instance attribute is state that reset()
    restores, found with vars(), not listed by hand. Attributes that point at other
    objects (a back-reference) are named in REFERENCES and kept as they are.

    Containers must be flat (dict, list, set, SortedIndex, Table) holding records that
    are replaced, never mutated, so a shallow copy is a true snapshot.
    """

    REFERENCES: tuple[str, ...] = ()

    def snapshot(self) -> dict[str, Any]:
        return {name: value if name in self.REFERENCES else _copy(name, value) for name, value in vars(self).items()}

    def restore(self, snapshot: dict[str, Any]) -> None:
        for name in set(vars(self)) - set(snapshot):
            delattr(self, name)  # state made after the snapshot
        for name, value in snapshot.items():
            setattr(self, name, value if name in self.REFERENCES else _copy(name, value))


class _Section:
    """`with store.lock:` (a section that may change state: the version moves on entry
    and on exit) or `with store.read_lock:` (a section that only reads: it does not)."""

    __slots__ = ("_store", "_writes")

    def __init__(self, store: "Store", writes: bool) -> None:
        self._store = store
        self._writes = writes

    def __enter__(self) -> None:
        self._store._rlock.acquire()
        if self._writes:
            self._store.version += 1

    def __exit__(self, *exc_info: object) -> None:
        if self._writes:
            self._store.version += 1
        self._store._rlock.release()


class Store:
    """Everything one server holds, behind one lock.

    Routes hold `store.lock` for the whole read-modify-write of a request, so each
    request sees and leaves a consistent state whatever the number of threads.

    `version` moves whenever state may have changed: on entering and on leaving every
    `with store.lock:` section, which is where all state changes (HTTP writes, handles,
    data sets, reseeds, reset()). Answers cached from a state (pipeline.Answers) are
    stamped with its version, so a write invalidates them without knowing them. Reads
    that cache take `store.read_lock` instead, the same lock without the version move;
    a view that writes must not run under it (tests/test_answer_cache.py checks
    that every cached view leaves the state as it found it).
    """

    def __init__(self) -> None:
        self._rlock = threading.RLock()
        self.version = 0
        self.lock = _Section(self, writes=True)
        self.read_lock = _Section(self, writes=False)
        self._parts: list[Resettable] = []
        self._snapshots: list[Any] | None = None

    def register(self, part: Resettable) -> None:
        with self.lock:
            self._parts.append(part)
            self._snapshots = None

    def unregister(self, part: Resettable) -> None:
        """Forget a part (a tenant a data set or a reseed no longer has); seal() after."""
        with self.lock:
            self._parts = [p for p in self._parts if p is not part]
            self._snapshots = None

    def seal(self) -> None:
        """Remember the current state as the one reset() returns to."""
        with self.lock:
            self._snapshots = [part.snapshot() for part in self._parts]

    def reset(self) -> None:
        with self.lock:
            if self._snapshots is None:
                self.seal()
            for part, snap in zip(self._parts, self._snapshots or (), strict=True):
                part.restore(snap)


class Record(Protocol):
    """What a Table holds: an id, an optional externalId and two unique sort keys."""

    @property
    def id(self) -> str: ...
    @property
    def external_id(self) -> str | None: ...
    @property
    def created(self) -> tuple[int, int]: ...
    @property
    def updated(self) -> tuple[int, int]: ...


R = TypeVar("R", bound=Record)


class Table(Generic[R]):
    """One kind of record: rows by id, ids by externalId, and two sorted indexes.

    Records carry `id`, `external_id`, `created` and `updated`, the last two being
    unique `(milliseconds, sequence)` keys. A Table copies as one snapshot unit.
    """

    __slots__ = ("rows", "by_external", "by_created", "by_updated")

    def __init__(self) -> None:
        self.rows: dict[str, R] = {}
        self.by_external: dict[str, str] = {}
        self.by_created = SortedIndex()
        self.by_updated = SortedIndex()

    def copy(self) -> "Table[R]":
        clone: Table[R] = Table.__new__(Table)
        clone.rows = self.rows.copy()
        clone.by_external = self.by_external.copy()
        clone.by_created = self.by_created.copy()
        clone.by_updated = self.by_updated.copy()
        return clone

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[R]:
        return iter(self.rows.values())

    def get(self, record_id: str) -> R | None:
        return self.rows.get(record_id)

    def find(self, id_or_external_id: str) -> R | None:
        """By our id first, then by the client's externalId."""
        found = self.rows.get(id_or_external_id)
        if found is None:
            other = self.by_external.get(id_or_external_id)
            found = self.rows.get(other) if other is not None else None
        return found

    def index(self, sort_by: str) -> SortedIndex:
        return self.by_created if sort_by == "createdAt" else self.by_updated

    def insert(self, record: R) -> None:
        self.rows[record.id] = record
        if record.external_id is not None:
            self.by_external[record.external_id] = record.id
        self.by_created.add(record.created, record.id)
        self.by_updated.add(record.updated, record.id)

    def replace(self, old: R, new: R) -> None:
        self.rows[new.id] = new
        if old.updated != new.updated:
            self.by_updated.remove(old.updated, old.id)
            self.by_updated.add(new.updated, new.id)

    def delete(self, record: R) -> None:
        del self.rows[record.id]
        if record.external_id is not None:
            self.by_external.pop(record.external_id, None)
        self.by_created.remove(record.created, record.id)
        self.by_updated.remove(record.updated, record.id)
