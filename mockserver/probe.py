"""What the contract check (mockserver/contract/) asks of each vendor, and what it offers
a vendor's write round trip. A leaf: no HTTP client, no Flask, no vendor named.

A vendor's `VendorContract` (in its package's contract.py) says how to read one of its
list pages, how to ask for the next one, how to reach a real tenant (a handle without
the fake's data), and which writes make a safe round trip. Everything else the check
needs (paths, statuses, schemas, headers) it reads from the vendor's operation table.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Callable, ClassVar, Mapping, Protocol

Json = Any  # a parsed JSON value
BaseUrl = Callable[[], str]


class FakeOnlyError(RuntimeError):
    """Something only the fake can do (seeded data, reset, faults...) was asked of a real vendor."""


class FakeOnly:
    """Stands where a handle keeps the fake's state when the handle points at a real
    vendor: any use of it raises FakeOnlyError, saying why."""

    def __init__(self, what: str) -> None:
        self._what = what

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise FakeOnlyError(self._what)


class RoundTripFailed(Exception):
    """A step of the write round trip did not succeed; the step's answer is in the report."""


class Probe(Protocol):
    """What a vendor's round trip may do: call an operation of its table (the answer is
    checked like every other), read what the read-only plan found, and register the
    clean-up of what it creates (run in a `finally`, whatever happens)."""

    @property
    def name(self) -> str:
        """The run's unmistakable name, `mockserver-contract-<run id>`: put it on everything created."""

    def found(self, operation_id: str) -> list[Json]:
        """The items the read plan found in that list operation (possibly none)."""

    def call(self, operation_id: str, params: Mapping[str, str] | None = None, body: Json = None) -> Json:
        """Send the operation; the JSON body of a success, else RoundTripFailed."""

    def created(self, what: str, delete_operation: str, params: Mapping[str, str]) -> None:
        """Record a created resource and the operation that deletes it (the clean-up)."""


class VendorContract(ABC):
    """A vendor's answers to the contract check's questions."""

    credential_flag: ClassVar[str]  # `mockserver contract` option: "api-key" -> --api-key
    credential_env: ClassVar[str]  # MOCKSERVER_<VENDOR>_<credential_env>: "KEY", "TOKEN"
    # Headers the fake sends on our inference alone (README fidelity table, I): a vendor
    # answer without one is a warning, not a broken promise.
    inferred_headers: ClassVar[frozenset[str]] = frozenset()

    @abstractmethod
    def items(self, page: Json) -> list[Json]:
        """The records of one list page (an empty list for a page it cannot read)."""

    @abstractmethod
    def next_page(self, page: Json) -> dict[str, str] | None:
        """The query parameters that ask for the page after this one, or None at the end."""

    @abstractmethod
    def remote_handle(self, root: BaseUrl, credential: str) -> Any:
        """A handle on a real tenant at `root` (the vendor's URL without the API prefix):
        base URL, credentials and headers as the fake's handles give them; its data and
        setup helpers raise FakeOnlyError."""

    @abstractmethod
    def round_trip(self, probe: Probe) -> None:
        """The writes of `--write`: create, read, update, add, delete; register clean-ups."""
