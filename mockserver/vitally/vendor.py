"""Vitally as the core sees it: auth, rate limit and errors for the pipeline; one
isolated, seeded workspace per API key; handles for tests."""
from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Mapping

from ..errors import ApiError, RequestTooLarge
from ..operations import Answer
from ..ratelimit import RateDecision, SlidingWindowLimiter
from ..surface import FAULT_RETRY_AFTER, BaseUrl, Call, Reply, Unrouted, Vendor
from .contract import VitallyContract
from .errors import DEFAULT_MESSAGES, REJECTIONS, VitallyError, error_body
from .fixtures import counts, data_set_keys, load_workspaces
from .handle import VitallyHandle
from .models import VitallyWorkspace
from .operations import ERROR, PREFIX, RATE_HEADERS, TABLE
from .options import VitallyOptions
from .seed import seed_workspace

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

    from ..config import Config
    from ..seeding import Seeder
    from ..store import Store


def api_key_from(header: str | None) -> str | None:
    """The API key from `Authorization: Basic base64(key:)`, decoded leniently.

    Real clients send a trailing `:` after the base64 (PostHog), the UI's ready-made
    header value (`Basic Basic …`, Empirical-Core) or a non-empty password (Airbyte).
    """
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    value = value.strip()
    if value.lower().startswith("basic "):
        value = value[6:].strip()
    value = value.rstrip(":")
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return decoded.split(":", 1)[0] or None


class Vitally(Vendor[VitallyWorkspace]):
    name = "vitally"
    title = "Vitally REST API (mockserver)"
    prefix = PREFIX
    table = TABLE
    options_type = VitallyOptions
    credential_name = "apiKeys"
    hosts = ("*.rest.vitally.io", "rest.vitally.io", "rest.vitally-eu.io")
    security_scheme: ClassVar[dict[str, Any]] = {
        "type": "http",
        "scheme": "basic",
        "description": "The API key as the user name, an empty password",
    }
    rate_headers = RATE_HEADERS
    contract = VitallyContract()
    unrouted = {
        400: Answer(400, ERROR, "Input the HTTP layer refused"),
        404: Answer(404, ERROR, "Unknown route"),
        405: Answer(405, ERROR, "Wrong method on a known path", headers=("Allow",)),
    }

    def __init__(self, config: "Config", store: "Store", seeder: "Seeder") -> None:
        super().__init__(config, store, seeder)
        options: VitallyOptions = self.options
        self.limiter = SlidingWindowLimiter(options.rate_limit, config.rate_limit_window)
        self.workspaces: dict[str, VitallyWorkspace] = {}
        self.stage(config, seeder)()
        store.register(self.limiter)

    # -- building the workspaces: seeded, empty, or from a data set --
    def stage(self, config: "Config", seeder: "Seeder", data: Mapping[str, Any] | None = None) -> Callable[[], None]:
        options: VitallyOptions = config.vendor(self.name)
        keys = list(options.keys)
        if data is not None:
            keys += [key for key in data_set_keys(data) if key not in keys]
        fresh: dict[str, VitallyWorkspace] = {}
        for index, key in enumerate(keys):
            if data is None and config.seeded:
                fake, rng = seeder.for_tenant(self.name, index)
                fresh[key] = VitallyWorkspace(key, rng)
                seed_workspace(fresh[key], fake, rng, options.sizes)
            else:
                fresh[key] = VitallyWorkspace(key, seeder.tenant_rng(self.name, index))
        if data is not None:
            load_workspaces(fresh, data)
        return lambda: self._adopt(fresh, config)

    def _adopt(self, fresh: dict[str, VitallyWorkspace], config: "Config") -> None:
        for key in [key for key in self.workspaces if key not in fresh]:
            self.store.unregister(self.workspaces.pop(key))
        for key, workspace in fresh.items():
            live = self.workspaces.get(key)
            if live is None:
                self.workspaces[key] = workspace
                self.store.register(workspace)
            else:
                live.restore(workspace.snapshot())
        self.config, self.options = config, config.vendor(self.name)
        self.limiter.restore(None)

    def record_counts(self) -> dict[str, dict[str, int]]:
        return {key: counts(workspace) for key, workspace in self.workspaces.items()}

    @property
    def credentials(self) -> tuple[str, ...]:
        return tuple(self.workspaces)

    def workspace(self, api_key: str | None = None) -> VitallyWorkspace:
        key = api_key or self.credentials[0]
        found = self.workspaces.get(key)
        if found is None:
            raise KeyError(f"no Vitally workspace for API key {key!r}; known: {', '.join(self.credentials)}")
        return found

    def handle(self, base_url: BaseUrl, credential: str | None = None) -> VitallyHandle:
        workspace = self.workspace(credential)
        return VitallyHandle(base_url, workspace.api_key, workspace, self.store)

    def describe(self, root: str) -> list[str]:
        return [f"vitally  base URL {root}{self.prefix}  API key {key} (HTTP Basic, key as user name)" for key in self.credentials]

    # -- the pipeline's questions --
    def credential(self, request: "Request") -> str | None:
        return api_key_from(request.headers.get("Authorization"))

    def authenticate(self, request: "Request", credential: str | None) -> VitallyWorkspace:
        workspace = self.workspaces.get(credential) if credential is not None else None
        if workspace is None:
            raise VitallyError("Missing authentication" if not request.headers.get("Authorization") else "Invalid API key", 401)
        return workspace

    def admit(self, call: Call[Any]) -> None:
        decision = self.limiter.hit(call.tenant.api_key)
        call.cache["rate"] = decision
        if not decision.allowed:
            raise VitallyError(f"Rate limit exceeded: {decision.limit} requests per minute", 429,
                               headers={"Retry-After": str(decision.reset_after)})

    def decorate(self, call: Call[Any] | None, reply: Reply) -> None:
        decision: RateDecision | None = call.cache.get("rate") if call is not None else None
        if decision is not None:
            reply.headers.update(self._rate_headers(decision.limit, decision.remaining, decision.reset_after))

    def _rate_headers(self, limit: int, remaining: int, reset_after: int) -> dict[str, str]:
        window = int(self.limiter.window)
        return {"RateLimit-Limit": f"{limit}, {limit};window={window}", "RateLimit-Remaining": str(max(remaining, 0)),
                "RateLimit-Reset": str(reset_after)}

    def fault_reply(self, status: int, request: "Request") -> Reply:
        if status == 429:  # as the rate limiter answers, the window all but used up
            limit = self.limiter.limit
            headers = {**self._rate_headers(limit, 0, FAULT_RETRY_AFTER), "Retry-After": str(FAULT_RETRY_AFTER)}
            return Reply(429, error_body(429, f"Rate limit exceeded: {limit} requests per minute"), headers)
        return super().fault_reply(status, request)

    def render(self, error: ApiError, request: "Request") -> Reply:
        if isinstance(error, VitallyError):
            return Reply(error.status, error_body(error.status, error.message), dict(error.headers), reason=error.reason)
        if isinstance(error, RequestTooLarge):
            limit = self.config.max_body_bytes
            return Reply(413, error_body(413, f"Payload content length greater than maximum allowed: {limit}"), reason="too_large")
        status = error.status
        # never the exception text: no internals leak
        return Reply(status, error_body(status, DEFAULT_MESSAGES.get(status)), reason=error.reason or REJECTIONS.get(status))

    def render_unrouted(self, unrouted: Unrouted, request: "Request") -> Reply:
        status = unrouted.status
        if status == 405:
            return Reply(405, error_body(405), {"Allow": ", ".join(unrouted.allowed)}, reason="method_not_allowed")
        if status == 404:
            return Reply(404, error_body(404), reason="unknown_route")
        return Reply(400, error_body(400, "Invalid request payload JSON format"), reason="validation")
