"""What the request pipeline asks of whoever owns a path prefix.

A `Surface` (the control API, or a vendor) owns a prefix and an operation table, and
answers the pipeline's questions: who is calling, may they (rate limit), how does an
error look. A `Vendor` is a surface with tenants, options, seeded state and handles.
The core walks the registered vendors through this interface and never names one.

No Flask at run time here: replies are plain data, turned into HTTP by the pipeline.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Generic, Mapping, TypeVar

from .errors import ApiError, FaultStatus
from .operations import Answer, Operation, OperationTable

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

    from .config import Config
    from .probe import VendorContract
    from .seeding import Seeder
    from .store import Store

TenantT = TypeVar("TenantT")
WsgiApp = Callable[..., Any]
BaseUrl = Callable[[], str]  # the server's root URL, e.g. "http://127.0.0.1:5000", read when used
# Retry-After of a fault rule's 429, in seconds: a client that honours it retries at once.
FAULT_RETRY_AFTER = 1


@dataclass
class Reply:
    """One answer, before it is HTTP: a JSON payload, an HTML page, or no body."""

    status: int
    payload: Any = None  # JSON body; None with html None means an empty body
    headers: dict[str, str] = field(default_factory=dict)
    html: str | None = None
    reason: str | None = None  # why the request was rejected (errors.REASONS), if it was
    body: bytes | None = None  # the JSON text, when it is already encoded (a kept answer: answers.py)

    @property
    def has_json(self) -> bool:
        return self.payload is not None or self.body is not None


@dataclass
class Call(Generic[TenantT]):
    """One request as a view sees it: the operation, the HTTP request, its raw body
    (read before the store lock was taken) and the tenant it authenticated as."""

    operation: Operation
    request: "Request"
    body: bytes
    tenant: TenantT
    credential: str | None = None
    cache: dict[str, Any] = field(default_factory=dict)  # the surface's per-request memo

    @property
    def base_url(self) -> str:
        """The request's root URL without a trailing slash (`route()` in Laravel)."""
        return self.request.host_url.rstrip("/")


@dataclass(frozen=True)
class Unrouted:
    """A request under a surface's prefix that reached no operation: an unknown route
    (404), a wrong method (405), or input the HTTP layer refused before routing."""

    status: int
    allowed: tuple[str, ...] = ()  # methods the path does answer (405)


class Surface(ABC):
    """A path prefix with its operations and its error format."""

    name: ClassVar[str]
    prefix: ClassVar[str]
    table: ClassVar[OperationTable]
    # Answers given before any operation is reached (route misses, body too large...).
    unrouted: ClassVar[Mapping[int, Answer]] = {}
    # Laravel matches `/x/` as `/x`; Hapi does not.
    strict_slashes: ClassVar[bool] = True
    # `/a//b` read as `/a/b` (leading slashes are always collapsed).
    collapse_slashes: ClassVar[bool] = True
    # Whether the journal records requests under this prefix (the control API's own are not).
    recorded: ClassVar[bool] = True
    # The answer a fault rule's status gets, whatever the status (checked in strict mode).
    fault_answer: ClassVar[Answer] = Answer(0, ("error",), "A fault rule's answer")
    # Whether answers of its GET operations are kept until the state changes (answers.py):
    # true where every GET view reads only the store, under its lock, and the request.
    keeps_answers: ClassVar[bool] = False

    def operations(self) -> list[Operation]:
        return list(self.table)

    def owns(self, path: str) -> bool:
        return path == self.prefix or path.startswith(self.prefix + "/")

    def reads_body(self, operation: Operation) -> bool:
        """Whether the pipeline reads the body before the view (outside the lock)."""
        return operation.request is not None

    # -- the pipeline's questions, in the order it asks them --
    def screen(self, request: "Request") -> None:
        """Before routing: raise an ApiError to answer before anything else."""

    def credential(self, request: "Request") -> str | None:
        """The API key or token the request carries, whether or not it is valid."""
        return None

    def authenticate(self, request: "Request", credential: str | None) -> Any:
        """The tenant the credential belongs to; raise an ApiError (401) otherwise."""
        return None

    def anonymous(self) -> Any:
        """The tenant of a call to an operation that needs no credentials."""
        return None

    def admit(self, call: Call[Any]) -> None:
        """Rate limit: count the call, raise an ApiError (429) to refuse it."""

    def prepare(self, call: Call[Any]) -> None:
        """Checks every action of this surface runs before its view (raise to refuse)."""

    @abstractmethod
    def render(self, error: ApiError, request: "Request") -> Reply:
        """An ApiError as this surface's error body."""

    @abstractmethod
    def render_unrouted(self, unrouted: Unrouted, request: "Request") -> Reply:
        """A request that reached no operation, as this surface answers it."""

    def render_crash(self, error: Exception, request: "Request") -> Reply:
        """A bug of the fake: a 500 in this surface's format, never a traceback."""
        return self.render(ApiError(str(error) or error.__class__.__name__), request)

    def fault_reply(self, status: int, request: "Request") -> Reply:
        """A fault rule's `status` as this surface would answer it: its own error body,
        and for a 429 its rate-limit headers and `Retry-After` (the pipeline marks the
        reply as a fault)."""
        return self.render(FaultStatus(status), request)

    def decorate(self, call: Call[Any] | None, reply: Reply) -> None:
        """Headers every answer of a counted call carries (rate limits)."""

    def wrap_wsgi(self, wsgi_app: WsgiApp) -> WsgiApp:
        """Middleware that must run before routing (e.g. method override)."""
        return wsgi_app


class Vendor(Surface, Generic[TenantT]):
    """A faked vendor API: tenants with seeded state, options, handles and documents."""

    title: ClassVar[str]
    # The vendor's real hosts, for interception; `*` matches one DNS label.
    hosts: ClassVar[tuple[str, ...]] = ()
    # OpenAPI: the security scheme of authenticated operations.
    security_scheme: ClassVar[Mapping[str, Any]] = {}
    options_type: ClassVar[type[Any]]
    rate_headers: ClassVar[tuple[str, ...]] = ()  # on every answer of a counted call
    uncounted: ClassVar[frozenset[int]] = frozenset({401})  # statuses answered before the rate limiter
    credential_name: ClassVar[str] = "credentials"  # "apiKeys", "tokens": in GET /__mockserver/credentials
    control_table: ClassVar[OperationTable | None] = None  # the vendor's setup routes under /__mockserver
    contract: ClassVar["VendorContract"]  # what the contract check needs beyond the table (probe.py)
    keeps_answers = True

    def __init__(self, config: "Config", store: "Store", seeder: "Seeder") -> None:
        self.config = config
        self.options = config.vendor(self.name)
        self.store = store
        self.seeder = seeder

    @property
    @abstractmethod
    def credentials(self) -> tuple[str, ...]:
        """Every valid credential, the default first."""

    @abstractmethod
    def handle(self, base_url: BaseUrl, credential: str | None = None) -> Any:
        """What a test needs of one tenant: where, how to authenticate, its data."""

    @abstractmethod
    def stage(self, config: "Config", seeder: "Seeder", data: Mapping[str, Any] | None = None) -> Callable[[], None]:
        """Build this vendor's tenants anew, off to the side, and return the function that
        puts them in place (the caller holds the store lock, then seals).

        From `data`, the vendor's section of a data set already checked against
        schemas/<vendor>/dataset.json; else empty when `config.empty`; else seeded from
        `seeder` with `config`'s sizes. A record the models refuse raises RecordRejected,
        and nothing live has changed. Putting in place refills the existing tenants'
        objects (routes and handles keep seeing them), adds and drops tenants to match,
        and clears the rate-limit windows, as on a server just started.
        """

    @abstractmethod
    def record_counts(self) -> dict[str, dict[str, int]]:
        """Records per kind of each tenant, by credential (what a load or reseed made)."""

    @classmethod
    def answer_headers(cls, operation: Operation, answer: Answer) -> tuple[str, ...]:
        """The headers documented on an answer: its own, plus the rate-limit headers when
        the rate limiter counted the call (authenticated, and not answered before it)."""
        names = list(answer.headers)
        if operation.auth and answer.status not in cls.uncounted:
            names += [name for name in cls.rate_headers if name not in names]
        return tuple(names)

    def describe(self, root: str) -> list[str]:
        """Lines of `serve`'s banner: base URL and credentials of each tenant."""
        return [f"{self.name:<8} base URL {root}{self.prefix}  credential {c}" for c in self.credentials]
