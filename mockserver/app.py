"""The WSGI app: vendor blueprints, the control API, and app-level error handlers.

Errors are answered in the format of the vendor whose path prefix the request used
(`/resources` Vitally, `/api` Monica), never with a traceback: JSON, except where the
vendor itself sends HTML (Laravel's error pages for requests that do not want JSON).
"""
from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from .config import Config
from .seeding import Seeder
from .store import Store

log = logging.getLogger("mockserver")

ErrorFormatter = Callable[[HTTPException], Response]


@dataclass
class MockState:
    """Everything one app instance owns; nothing of it is module-level."""

    config: Config
    seeder: Seeder
    store: Store = field(default_factory=Store)
    vendors: dict[str, Any] = field(default_factory=dict)
    error_formats: list[tuple[str, ErrorFormatter]] = field(default_factory=list)

    def error_format(self, path: str) -> ErrorFormatter:
        for prefix, formatter in self.error_formats:
            if path == prefix or path.startswith(prefix + "/"):
                return formatter
        return _control_error


def state_of(app: Flask) -> MockState:
    return app.extensions["mockserver"]


def locked(view: Callable[..., Response]) -> Callable[..., Response]:
    """Hold the server's store lock for the whole read-modify-write of a request."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        with state_of(current_app).store.lock:
            return view(*args, **kwargs)

    return wrapper


def request_body() -> bytes:
    """The raw request body; above MAX_CONTENT_LENGTH a 413, answered in the vendor's format."""
    raw = request.get_data(cache=True)  # werkzeug raises 413 when Content-Length is too large
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if request.content_length is None and limit is not None and len(raw) >= limit:
        # A chunked body is cut off silently at the limit instead: still too large.
        raise RequestEntityTooLarge()
    return raw


def check_response(vendor: str, schema: str, payload: Any) -> None:
    """In strict mode, a response that breaks schemas/<vendor>/<schema>.json is a bug of ours."""
    if state_of(current_app).config.strict_responses:
        from . import validation

        problem = validation.first_problem(vendor, schema, payload)
        if problem is not None:
            raise validation.ResponseSchemaError(f"{vendor} {schema} response: {problem.message}")


def json_response(vendor: str, payload: Any, schema: str, status: int = 200) -> Response:
    """The vendor's JSON answer, checked against its schema in strict mode."""
    check_response(vendor, schema, payload)
    response = jsonify(payload)
    response.status_code = status
    return response


class _CollapseSlashes:
    """`//resources/x` -> `/resources/x`: a real Airbyte manifest sends the double slash."""

    _many = re.compile("/{2,}")

    def __init__(self, wsgi_app: Callable[..., Any]) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if "//" in path:
            environ["PATH_INFO"] = self._many.sub("/", path)
        return self.wsgi_app(environ, start_response)


def _control_error(exc: HTTPException) -> Response:
    response = jsonify({"error": exc.name, "message": exc.description})
    response.status_code = exc.code or 500
    for name, value in exc.get_headers():
        if name.lower() == "allow":
            response.headers[name] = value
    return response


def create_app(config: Config | Mapping[str, Any] | None = None, **options: Any) -> Flask:
    """Build one isolated fake: its own store, tenants and seeded data."""
    if not isinstance(config, Config):
        config = Config.from_mapping({**dict(config or {}), **options})
    elif options:
        raise TypeError("pass either a Config or keyword options, not both")

    app = Flask("mockserver")
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]  # vendors' field order is part of the shape
    app.wsgi_app = _CollapseSlashes(app.wsgi_app)  # type: ignore[method-assign]

    state = MockState(config=config, seeder=Seeder(config.seed))
    app.extensions["mockserver"] = state

    from . import control
    from .monica import init_app as init_monica
    from .vitally import init_app as init_vitally

    app.register_blueprint(control.blueprint)
    init_vitally(app, state)
    init_monica(app, state)
    state.store.seal()

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        return state.error_format(request.path)(exc)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        from .validation import ResponseSchemaError

        if isinstance(exc, ResponseSchemaError) and app.testing:
            raise exc
        log.exception("mockserver: unhandled error on %s %s", request.method, request.path)
        wrapped = InternalServerError(description=str(exc) or exc.__class__.__name__)
        wrapped.original_exception = exc
        return state.error_format(request.path)(wrapped)

    return app
