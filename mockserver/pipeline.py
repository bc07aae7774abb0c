"""The one request pipeline: every answer of the fake leaves through `finish()`.

For a request that reaches an operation:

    surface.credential / authenticate (401) -> admit (rate limit, 429)
    -> read the body (no lock held: a slow client stalls only its own thread)
    -> prepare (checks every action of the surface runs) -> the store lock
    -> the view -> the lock is released -> finish()

A request that reaches no operation (404, 405, a body over the limit before routing)
is answered by the surface owning its path prefix, through the same finish().
finish() adds the surface's headers, and in strict mode checks the answer against
what the operation (or the surface, for answers before routing) declares for its
status: an undeclared status or a body that breaks its schema is a bug of ours.
Errors are raised (errors.ApiError) and rendered by the surface, never returned.
"""
from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, Callable

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from . import validation
from .errors import ApiError, RequestTooLarge, ResponseSchemaError
from .operations import Answer, Operation, flask_rule
from .surface import Call, Reply, Surface, Unrouted

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

    from .app import MockState

log = logging.getLogger("mockserver")


def read_body(req: "Request") -> bytes:
    """The raw body; over the limit a RequestTooLarge, rendered in the surface's format."""
    try:
        raw = req.get_data(cache=True)  # werkzeug raises 413 when Content-Length is too large
    except RequestEntityTooLarge:
        raise RequestTooLarge() from None
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if req.content_length is None and limit is not None and len(raw) >= limit:
        # A chunked body is cut off silently at the limit instead: still too large.
        raise RequestTooLarge()
    return raw


def declared(surface: Surface, operation: Operation | None, status: int) -> Answer | None:
    if operation is not None and status in operation.responses:
        return operation.responses[status]
    return surface.unrouted.get(status)


def check(surface: Surface, operation: Operation | None, reply: Reply) -> None:
    """Strict mode: the reply must be an answer its operation (or surface) declares."""
    where = operation.id if operation is not None else f"{surface.name} (before routing)"
    answer = declared(surface, operation, reply.status)
    if answer is None:
        raise ResponseSchemaError(f"{where} answered {reply.status}, a status it does not declare")
    if reply.html is not None:
        if not answer.html:
            raise ResponseSchemaError(f"{where} answered {reply.status} with an HTML page it does not declare")
        return
    if not answer.has_body:
        if reply.has_json:
            raise ResponseSchemaError(f"{where} answered {reply.status} with a body where it declares none")
        return
    if not reply.has_json:
        raise ResponseSchemaError(f"{where} answered {reply.status} without the body it declares")
    found = [validation.first_problem(surface.name, name, reply.payload) for name in answer.schemas]
    if all(problem is not None for problem in found):
        problem = found[0]
        assert problem is not None
        raise ResponseSchemaError(f"{where} {reply.status} response breaks {answer.schemas[0]}: {problem.message}")


def to_response(reply: Reply) -> Response:
    if reply.html is not None:
        response = Response(reply.html, status=reply.status, mimetype="text/html")
    elif reply.payload is not None:
        # Flask's own JSON answer, byte for byte: compact, ASCII, in the payload's key order.
        body = json.dumps(reply.payload, separators=(",", ":")) + "\n"
        response = Response(body, status=reply.status, mimetype="application/json")
    else:
        response = Response(b"", status=reply.status)
    response.headers.update(reply.headers)
    return response


class Pipeline:
    """Routes of every surface, wired into one Flask app with one exit point."""

    def __init__(self, state: "MockState") -> None:
        self.state = state

    def install(self, app: Flask) -> None:
        for surface in self.state.surfaces:
            for operation in surface.operations():
                app.add_url_rule(
                    flask_rule(operation.full_path),
                    endpoint=operation.id,
                    view_func=self._view(surface, operation),
                    methods=[operation.method],
                    strict_slashes=surface.strict_slashes,
                    provide_automatic_options=False,
                )
        app.before_request(self._screen)
        app.register_error_handler(HTTPException, self._http_error)
        app.register_error_handler(ApiError, self._api_error)
        app.register_error_handler(Exception, self._crash)

    # -- answering an operation --------------------------------------------------------
    def _view(self, surface: Surface, operation: Operation) -> Callable[..., Response]:
        def view(**params: str) -> Response:
            return self.dispatch(surface, operation, params)

        view.__name__ = operation.id.replace(".", "_")
        return view

    def dispatch(self, surface: Surface, operation: Operation, params: dict[str, str]) -> Response:
        call: Call[Any] | None = None
        try:
            credential = surface.credential(request)
            tenant = surface.authenticate(request, credential) if operation.auth else surface.anonymous()
            call = Call(operation, request, b"", tenant, credential)
            surface.admit(call)
            if surface.reads_body(operation):
                call.body = read_body(request)
            surface.prepare(call)
            if operation.locked:
                with self.state.store.lock:
                    result = operation.view(call, **params)
            else:
                result = operation.view(call, **params)
            reply = result if isinstance(result, Reply) else Reply(operation.success.status, result)
        except ApiError as error:
            reply = surface.render(error, request)
        except HTTPException as exc:
            # The HTTP layer refused the input mid-request (a body that ends before its
            # Content-Length, form data it cannot parse): answered as the surface answers
            # such input before routing, with the headers of a counted call.
            return self.finish(surface, None, call, surface.render_unrouted(Unrouted(exc.code or 400), request))
        return self.finish(surface, operation, call, reply)

    def finish(self, surface: Surface, operation: Operation | None, call: Call[Any] | None, reply: Reply) -> Response:
        surface.decorate(call, reply)
        if self.state.config.strict_responses:
            check(surface, operation, reply)
        return to_response(reply)

    # -- answers before (or instead of) an operation -------------------------------------
    def _operation(self) -> Operation | None:
        rule = request.url_rule
        return self.state.operations.get(rule.endpoint) if rule is not None else None

    def _screen(self) -> Response | None:
        surface = self.state.surface_for(request.path)
        try:
            surface.screen(request)
        except ApiError as error:
            return self.finish(surface, self._operation(), None, surface.render(error, request))
        return None

    def _http_error(self, exc: HTTPException) -> Response:
        surface = self.state.surface_for(request.path)
        if isinstance(exc, RequestEntityTooLarge):
            reply = surface.render(RequestTooLarge(), request)
        else:
            allowed = tuple(getattr(exc, "valid_methods", None) or ())
            reply = surface.render_unrouted(Unrouted(exc.code or 500, allowed), request)
        return self.finish(surface, self._operation(), None, reply)

    def _api_error(self, error: ApiError) -> Response:
        surface = self.state.surface_for(request.path)
        return self.finish(surface, self._operation(), None, surface.render(error, request))

    def _crash(self, exc: Exception) -> Response:
        if isinstance(exc, ResponseSchemaError) and current_app.testing:
            raise exc
        log.exception("mockserver: unhandled error on %s %s", request.method, request.path)
        surface = self.state.surface_for(request.path)
        return to_response(surface.render_crash(exc, request))
