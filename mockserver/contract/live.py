"""The live check: a read-only plan derived from the vendor's operation table, sent to
the vendor and checked answer by answer; with `--write`, the vendor's round trip.

The plan, in table order (a new operation in the table joins it without an edit here):
- list operations (GET with a `limit` parameter, no path parameter): paged, at most
  `max_pages` pages, following the vendor's next-page rule;
- GET operations with one path parameter: called for up to `max_items` ids found in the
  list whose path is the part before the parameter (`/accounts/{id}/users` takes ids
  from `/accounts`), paged when they are lists themselves;
- searches (GET `<list>/search`): a query parameter (a required one first) filled
  with the value of the same field on items of the sibling list;
- other GETs without parameters once;
- the safe errors: each GET with a path parameter for an id no one has (404), and the
  first list with credentials no one has (401).
"""
from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping
from urllib.parse import urlencode

from .. import __version__
from ..probe import Json, RoundTripFailed
from .check import PROMISE, Finding, check_exchange
from .exchange import CannotRun, Exchange, header
from .http import Pacer, retry_after, send
from .report import Created, Report

if TYPE_CHECKING:
    from ..operations import Operation
    from ..surface import Vendor

UNKNOWN_ID = "2147483647"  # a number every id lookup accepts (Monica's int-typed actions too), held by no record
WRONG_CREDENTIAL = "mockserver-contract-wrong-credential"
MAX_RETRIES = 3
MAX_WAIT = 120.0


def run_name() -> str:
    return f"mockserver-contract-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{secrets.token_hex(2)}"


def _is_list(operation: "Operation") -> bool:
    return operation.method == "GET" and any(param.name == "limit" for param in operation.query)


@dataclass
class Settings:
    write: bool = False
    max_pages: int = 2
    max_items: int = 3
    page_size: int | None = None  # None: the vendor's default page size
    strict: bool = False
    rate_limit: int | None = None  # None: the vendor's documented limit
    timeout: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    name: str = field(default_factory=run_name)


class LiveCheck:
    def __init__(self, vendor: "type[Vendor[Any]]", root: str, credential: str, settings: Settings) -> None:
        self.vendor = vendor
        self.root = root
        self.credential = credential
        self.settings = settings
        limit = settings.rate_limit or vendor.options_type().rate_limit  # the fake's default: the vendor's own limit
        self.pacer = Pacer(limit, clock=settings.clock, sleep=settings.sleep)
        self.found: dict[str, list[Json]] = {}
        self.report = Report(vendor.name, "live", root + vendor.prefix, [op.id for op in vendor.table],
                             strict=settings.strict, write=settings.write)
        self.sent = 0
        self.retried = 0

    # -- one request -------------------------------------------------------------------
    def _headers(self, credential: str, body: bool) -> tuple[tuple[str, str], ...]:
        handle = self.vendor.contract.remote_handle(lambda: self.root, credential)
        headers = {"Accept": "application/json", "User-Agent": f"mockserver-contract/{__version__}", **handle.headers}
        if body:
            headers["Content-Type"] = "application/json"
        return tuple(headers.items())

    def url(self, operation: "Operation", params: Mapping[str, str], query: Mapping[str, str]) -> str:
        path = operation.full_path
        for name, value in params.items():
            path = path.replace("{" + name + "}", value)
        return self.root + path + (f"?{urlencode(query)}" if query else "")

    def call(self, operation: "Operation", params: Mapping[str, str] | None = None, query: Mapping[str, str] | None = None,
             body: Json = None, expect: int | None = None, credential: str | None = None) -> Exchange:
        """Send, honouring the rate limit; check and record every answer (429s too)."""
        url = self.url(operation, params or {}, query or {})
        data = b"" if body is None else json.dumps(body).encode("utf-8")
        headers = self._headers(credential or self.credential, body is not None)
        for attempt in range(MAX_RETRIES + 1):
            self.pacer.before()
            try:
                exchange = send(operation.method, url, headers, data, self.settings.timeout)
            except OSError as exc:
                raise CannotRun(f"cannot reach {self.root}{self.vendor.prefix}: {exc.strerror or exc}") from None
            self.sent += 1
            if self.sent == 1 and exchange.status in (401, 403) and credential is None:
                raise CannotRun(f"{self.vendor.name} rejected the {self.vendor.contract.credential_flag.replace('-', ' ')} "
                                f"({exchange.status} on {operation.method} {exchange.target})")
            self.report.record(operation.id, exchange.status, check_exchange(self.vendor, operation, exchange, expect))
            if exchange.status != 429:
                self._mind_remaining(exchange)
                return exchange
            if attempt < MAX_RETRIES:
                self.retried += 1
                self.pacer.pause(min(MAX_WAIT, retry_after(exchange) or self.pacer.window / self.pacer.limit))
        raise CannotRun(f"{self.vendor.name} kept answering 429 (rate limited) after {MAX_RETRIES} waits")

    def _mind_remaining(self, exchange: Exchange) -> None:
        """A vendor that says no request is left gets none until its window resets."""
        for name in self.vendor.rate_headers:
            if "remaining" in name.lower() and (header(exchange.response_headers, name) or "").strip() == "0":
                self.pacer.pause(min(MAX_WAIT, retry_after(exchange) or 0.0))

    # -- the plan ----------------------------------------------------------------------
    def _pages(self, operation: "Operation", params: Mapping[str, str] | None = None) -> list[Json]:
        items: list[Json] = []
        query: dict[str, str] = {"limit": str(self.settings.page_size)} if self.settings.page_size else {}
        for _ in range(self.settings.max_pages):
            exchange = self.call(operation, params, query)
            ok, page = exchange.json()
            if exchange.status != 200 or not ok:
                break
            items += self.vendor.contract.items(page)
            following = self.vendor.contract.next_page(page)
            if following is None:
                break
            query = {**query, **following}
        return items

    def _source(self, operation: "Operation") -> "Operation | None":
        """The list whose items give this operation's path parameter (or search values)."""
        if operation.path_params:
            before = operation.path.split("{", 1)[0].rstrip("/")
        else:
            before = operation.path.rsplit("/", 1)[0]
        return next((op for op in self.vendor.table if _is_list(op) and not op.path_params and op.path == before), None)

    def _ids(self, source: "Operation | None") -> list[str]:
        items = self.found.get(source.id, []) if source is not None else []
        return [str(item["id"]) for item in items if "id" in item][: self.settings.max_items]

    def _search_param(self, operation: "Operation", items: list[Json]) -> str | None:
        ordered = sorted(operation.query, key=lambda p: not p.required)
        for param in ordered:
            if any(isinstance(item.get(param.name), str) and item.get(param.name) for item in items):
                return param.name
        return None

    def read(self) -> None:
        table = list(self.vendor.table)
        lists = [op for op in table if _is_list(op) and not op.path_params]
        for operation in lists:
            self.found[operation.id] = self._pages(operation)[: max(self.settings.max_items, 1)]
        for operation in table:
            if operation.method != "GET" or operation in lists:
                continue
            params = operation.path_params
            if len(params) > 1:
                self.report.skipped[operation.id] = "needs ids of two resources; no list gives them"
                continue
            source = self._source(operation)
            if params:
                ids = self._ids(source)
                if not ids:
                    self.report.skipped[operation.id] = f"no list gave an id for {{{params[0]}}}"
                for value in ids:
                    if _is_list(operation):
                        self._pages(operation, {params[0]: value})
                    else:
                        self.call(operation, {params[0]: value})
                self.call(operation, {params[0]: UNKNOWN_ID}, expect=404)
            elif operation.query:
                items = self.found.get(source.id, []) if source is not None else []
                name = self._search_param(operation, items)
                if name is None:
                    self.report.skipped[operation.id] = "no list item gave a value to search for"
                    continue
                for item in items:
                    if isinstance(item.get(name), str):
                        self.call(operation, query={name: item[name]})
            else:
                self.call(operation)
        if lists:
            self.call(lists[0], expect=401, credential=WRONG_CREDENTIAL)

    def write(self) -> None:
        probe = _Probe(self)
        try:
            self.vendor.contract.round_trip(probe)
        except RoundTripFailed:
            pass  # the failed step is in the report
        except ValueError as exc:
            self.report.notes.append(f"the write round trip did not run: {exc}")
        except (KeyError, TypeError, IndexError) as exc:
            self.report.findings.append(Finding(PROMISE, "round-trip", "", "(round trip)", None, "$", "an answer the round trip can read on",
                                                f"{exc.__class__.__name__}: {exc}", "the vendor's contract.py"))
        finally:
            probe.clean_up()

    def run(self) -> Report:
        self.read()
        writes = [op for op in self.vendor.table if op.method != "GET"]
        if self.settings.write:
            self.write()
        for operation in writes:
            if operation.id not in self.report.calls:
                self.report.skipped[operation.id] = ("not part of the write round trip" if self.settings.write
                                                     else "a write: run with --write, against a sandbox")
        if self.pacer.waited:
            self.report.notes.append(f"paced under the rate limit of {self.pacer.limit} a minute: waited {self.pacer.waited:.0f} s")
        if self.retried:
            self.report.notes.append(f"answered 429 {self.retried} time(s); waited as Retry-After asked and sent again")
        self.report.notes.append(f"{self.sent} request(s) sent")
        return self.report


class _Probe:
    """What a vendor's round trip may do (probe.Probe), over a LiveCheck."""

    def __init__(self, check: LiveCheck) -> None:
        self.check = check
        self.pending: list[tuple[Created, "Operation", dict[str, str]]] = []

    @property
    def name(self) -> str:
        return self.check.settings.name

    def found(self, operation_id: str) -> list[Json]:
        return list(self.check.found.get(operation_id, []))

    def call(self, operation_id: str, params: Mapping[str, str] | None = None, body: Json = None) -> Json:
        operation = self.check.vendor.table.get(operation_id)
        exchange = self.check.call(operation, params, body=body)
        ok, value = exchange.json()
        if not 200 <= exchange.status < 300:
            self.check.report.findings.append(Finding(
                PROMISE, "round-trip", operation.id, f"{exchange.method} {exchange.target}", exchange.status, "status",
                f"a success ({operation.success.status}), as the fake answers this request", str(value if ok else exchange.status)[:200],
                "the vendor's contract.py (round trip)"))
            raise RoundTripFailed(operation_id)
        for item in list(self.pending):
            created, delete, delete_params = item
            if operation is delete and dict(params or {}) == delete_params:
                created.cleaned = True
                self.pending.remove(item)
        return value

    def created(self, what: str, delete_operation: str, params: Mapping[str, str]) -> None:
        operation = self.check.vendor.table.get(delete_operation)
        item = Created(what, f"{operation.method} {self.check.url(operation, params, {})}")
        self.check.report.created.append(item)
        self.pending.append((item, operation, dict(params)))

    def clean_up(self) -> None:
        for created, operation, params in self.pending:
            try:
                exchange = self.check.call(operation, params)
                created.cleaned = 200 <= exchange.status < 300 or exchange.status == 404
            except CannotRun:
                created.cleaned = False
        self.pending.clear()
