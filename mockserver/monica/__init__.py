"""Monica 4.x's API under /api: one isolated account per token, one id space per server."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import parse_qs

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..ratelimit import FixedWindowLimiter
from ..seeding import Seeder

if TYPE_CHECKING:
    from ..app import MockState
    from ..server import MockServer
    from .models import MonicaAccount


class MonicaBackend:
    """The accounts of one server, keyed by token, their id sequences and their rate limiter."""

    def __init__(self, state: "MockState", seeder: Seeder) -> None:
        from .models import MonicaWorld
        from .seed import seed_account

        config = state.config
        self.store = state.store
        self.tokens = config.monica_tokens
        self.limiter = FixedWindowLimiter(config.monica_rate_limit, config.rate_limit_window)
        self.world: MonicaWorld = MonicaWorld()
        for index, token in enumerate(self.tokens):
            fake, rng = seeder.for_tenant("monica", index)
            seed_account(self.world.add_account(token), fake, rng, config.monica_sizes)
        self.store.register(self.world.ids)
        for account in self.world.accounts.values():
            self.store.register(account)
        self.store.register(self.limiter)

    def account(self, token: str | None = None) -> "MonicaAccount":
        token = token or self.tokens[0]
        found = self.world.accounts.get(token)
        if found is None:
            raise KeyError(f"no Monica account for token {token!r}; known: {', '.join(self.tokens)}")
        return found

    def handle(self, server: "MockServer", token: str | None = None) -> "MonicaHandle":
        account = self.account(token)
        return MonicaHandle(server, account.token, account, self.store)


@dataclass
class MonicaHandle:
    """What a test needs of one account: where, how to authenticate, and its data.

    The data properties return the JSON objects the API would, read under the lock.
    """

    server: "MockServer"
    token: str
    account: "MonicaAccount"
    store: Any

    @property
    def base_url(self) -> str:
        return self.server.url + "/api"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}

    @property
    def account_id(self) -> int:
        return self.account.id

    @property
    def contacts(self) -> list[dict[str, Any]]:
        """Every contact (partial and archived too), full objects, in id order."""
        from . import shapes

        with self.store.lock:
            return [shapes.contact(self.account, c, self.server.url) for c in self.account.contacts.values()]

    @property
    def contact_field_types(self) -> list[dict[str, Any]]:
        from . import shapes

        with self.store.lock:
            return [shapes.contact_field_type(t) for t in self.account.contact_field_types.values()]

    @property
    def conversations(self) -> list[dict[str, Any]]:
        """Every conversation with its messages, in the API's default order (created_at, id)."""
        from . import shapes

        with self.store.lock:
            rows = [self.account.conversations[i] for _, i in self.account.conversations_by_created.ascending()]
            return [shapes.conversation(self.account, c, self.server.url) for c in rows]

    def conversation(self, conversation_id: int) -> dict[str, Any] | None:
        from . import shapes

        with self.store.lock:
            row = self.account.conversations.get(conversation_id)
            return None if row is None else shapes.conversation(self.account, row, self.server.url)

    def create_contact(self, first_name: str, **fields: Any) -> dict[str, Any]:
        """A contact in this account for test setup, e.g. `create_contact("Ann", is_active=False)`."""
        from . import shapes

        with self.store.lock:
            return shapes.contact(self.account, self.account.create_contact(first_name, **fields), self.server.url)


    def add_contact_field(self, contact_id: int, contact_field_type_id: int, data: str) -> dict[str, Any]:
        """A contact field for test setup, e.g. `add_contact_field(contact["id"], 1, "ann@example.com")`."""
        from . import shapes

        with self.store.lock:
            field = self.account.add_contact_field(contact_id, contact_field_type_id, data)
            return shapes.contact_field(self.account, field, self.server.url)

    def archive_contact(self, contact_id: int, archived: bool = True) -> dict[str, Any]:
        """Archive (or unarchive) a contact: conversation and message writes on it get 422."""
        from . import shapes

        with self.store.lock:
            return shapes.contact(self.account, self.account.set_contact_active(contact_id, not archived), self.server.url)


def _reject_large_bodies() -> None:
    """ValidatePostSize is global middleware in Monica: 413 before routing, auth or throttle."""
    if request.path == "/api" or request.path.startswith("/api/"):
        from flask import current_app

        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        if limit is not None and (request.content_length or 0) > limit:
            raise RequestEntityTooLarge()


class _MethodOverride:
    """Symfony's Request::getMethod(), which Laravel enables: a POST under /api is routed
    as the verb named by `X-HTTP-Method-Override` or by `_method` in the query string."""

    def __init__(self, wsgi_app: Callable[..., Any]) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = re.sub("/{2,}", "/", environ.get("PATH_INFO", ""))
        if environ.get("REQUEST_METHOD") == "POST" and (path == "/api" or path.startswith("/api/")):
            override = environ.get("HTTP_X_HTTP_METHOD_OVERRIDE")
            if not override:
                override = (parse_qs(environ.get("QUERY_STRING", "")).get("_method") or [None])[-1]
            if override and re.fullmatch("[A-Z]+", override.upper()):
                environ["REQUEST_METHOD"] = override.upper()
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask, state: "MockState") -> None:
    from .control import blueprint as control_blueprint
    from .errors import http_error_response
    from .routes import blueprint

    state.vendors["monica"] = MonicaBackend(state, state.seeder)
    state.error_formats.append(("/api", http_error_response))
    app.before_request(_reject_large_bodies)
    app.wsgi_app = _MethodOverride(app.wsgi_app)  # type: ignore[method-assign]
    app.register_blueprint(blueprint)
    app.register_blueprint(control_blueprint)
