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

Two things happen to every request, whatever answers it: fault rules (faults.py) are
looked up first, before the surface screens it, so a delay or a fault holds no lock
and costs no rate-limit hit; and finish() (or the crash handler) records the request
and its answer in the journal (journal.py).
"""
from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any, Callable

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.routing import Rule

from . import validation
from .answers import Kept, request_key
from .errors import ApiError, RequestTooLarge, ResponseSchemaError
from .faults import NO_ANSWER, NO_ANSWER_STATUS, TRANSPORT_FAULT, FaultRule
from .operations import Answer, Operation, flask_rule
from .surface import Call, Reply, Surface, Unrouted, Vendor

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

    from .app import MockState

# WSGI environ key: the one vendor whose routes the request's host has (set by the
# interception for a vendor's real host), or absent: any vendor, by path prefix.
HOST_VENDOR = "mockserver.vendor"
log = logging.getLogger("mockserver")

# Per-request notes of the pipeline, in the WSGI environ (a plain dict: cheap to reach).
GENERATION = "mockserver.journal_generation"  # the journal the request belongs to
FAULT_RULE = "mockserver.fault_rule"  # the fault rule that applied to it


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
    answer = surface.fault_answer if reply.reason == "fault" else declared(surface, operation, reply.status)
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


def json_text(payload: Any) -> bytes:
    """Flask's own JSON answer, byte for byte: compact, ASCII, in the payload's key order."""
    return (json.dumps(payload, separators=(",", ":")) + "\n").encode()


def to_response(reply: Reply) -> Response:
    if reply.html is not None:
        response = Response(reply.html, status=reply.status, mimetype="text/html")
    elif reply.has_json:
        body = reply.body if reply.body is not None else json_text(reply.payload)
        response = Response(body, status=reply.status, mimetype="application/json")
    else:
        response = Response(b"", status=reply.status)
    response.headers.update(reply.headers)
    return response


class _Rule(Rule):
    """A route whose URL builders are compiled when a URL is first built from it.

    werkzeug compiles two builder functions per rule as it is added, which was more
    than half of create_app() (~11 ms for the ~90 routes); the fake builds no URLs
    from its routes, and one that did would get the same builders, later."""

    def _compile_builder(self, *args: Any, **kwargs: Any) -> Callable[..., tuple[str, str]]:
        compiled: Callable[..., tuple[str, str]] | None = None

        def build(rule: Rule, *values: Any, **named: Any) -> tuple[str, str]:
            nonlocal compiled
            if compiled is None:
                compiled = Rule._compile_builder(rule, *args, **kwargs)
            return compiled(rule, *values, **named)

        return build


class Pipeline:
    """Routes of every surface, wired into one Flask app with one exit point."""

    def __init__(self, state: "MockState") -> None:
        self.state = state

    def install(self, app: Flask) -> None:
        app.url_rule_class = _Rule
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
            if surface.keeps_answers and operation.locked and operation.method == "GET":
                reply = self._read(operation, call, params)
            elif operation.locked:
                with self.state.store.lock:
                    reply = _reply(operation, operation.view(call, **params))
            else:
                reply = _reply(operation, operation.view(call, **params))
        except ApiError as error:
            reply = surface.render(error, request)
        except HTTPException as exc:
            # The HTTP layer refused the input mid-request (a body that ends before its
            # Content-Length, form data it cannot parse): answered as the surface answers
            # such input before routing, with the headers of a counted call.
            return self.finish(surface, None, call, surface.render_unrouted(Unrouted(exc.code or 400), request))
        return self.finish(surface, operation, call, reply)

    def _read(self, operation: Operation, call: Call[Any], params: dict[str, str]) -> Reply:
        """A GET view's answer: the one kept for this request and this version of the
        state (answers.py), else the view's, kept for the next time. Strict mode runs
        the view every time and fails on a kept answer that differs from it."""
        store, strict = self.state.store, self.state.config.strict_responses
        key = request_key(call.request.environ, call.body)
        with store.read_lock:
            version = store.version
            kept = self.state.answers.get(key, version)
            reply = _reply(operation, operation.view(call, **params)) if kept is None or strict else None
            unchanged = store.version == version  # a view that took store.lock itself: nothing to keep
        if reply is None:
            assert kept is not None
            return Reply(kept.status, headers=dict(kept.headers), html=kept.html, reason=kept.reason, body=kept.body)
        # Encoded here, with no lock held, and kept once encoded.
        reply.body = json_text(reply.payload) if reply.payload is not None else None
        fresh = Kept(version, reply.status, tuple(reply.headers.items()), reply.html, reply.reason, reply.body)
        if kept is not None and kept != fresh:
            raise ResponseSchemaError(f"{operation.id}: the kept answer differs from the view's: a change of state that did not move "
                                      f"the store's version (state changed outside `with store.lock:`?)")
        if unchanged:
            self.state.answers.put(key, fresh)
        return reply

    def finish(self, surface: Surface, operation: Operation | None, call: Call[Any] | None, reply: Reply) -> Response:
        surface.decorate(call, reply)
        if self.state.config.strict_responses:
            check(surface, operation, reply)
        response = to_response(reply)
        self.record(surface, operation, call, reply, response)
        return response

    def record(self, surface: Surface, operation: Operation | None, call: Call[Any] | None, reply: Reply, response: Response) -> None:
        """The request and its answer into the journal (not the control API's own).

        On every request: the values are taken as they are (the raw query string, the
        WSGI header keys, the bytes answered), and parsed only when someone reads them.
        Bytes, not the payload's objects: a thousand kept answers would otherwise be
        thousands of containers for the garbage collector to walk, request after request."""
        journal = self.state.journal
        if not journal.enabled:
            return
        req: Request = request._get_current_object()  # type: ignore[attr-defined]  # one lookup, not one per attribute
        environ = req.environ
        path = req.path
        if not surface.recorded and surface.owns(path):
            return
        rule: FaultRule | None = environ.get(FAULT_RULE)
        answered = environ.get(TRANSPORT_FAULT) not in NO_ANSWER
        query = environ.get("QUERY_STRING", "")
        journal.record(
            environ.get(GENERATION),
            time=time.time(),
            method=req.method,
            path=path,
            query_string=query if query.isascii() else query.encode("latin-1").decode("utf-8", "replace"),
            environ_headers={key: value for key, value in environ.items() if key.startswith(("HTTP_", "CONTENT_"))},
            body=_recorded_body(req),
            vendor=surface.name if isinstance(surface, Vendor) else None,
            tenant=call.credential if call is not None else surface.credential(req),
            operation=operation.id if operation is not None else None,
            status=reply.status if answered else None,
            response_body=response.get_data() if answered and reply.has_json else b"",
            reason="fault" if rule is not None and rule.replaces_answer else reply.reason,
            fault=rule.id if rule is not None else None,
        )

    # -- answers before (or instead of) an operation -------------------------------------
    def _operation(self) -> Operation | None:
        rule = request.url_rule
        return self.state.operations.get(rule.endpoint) if rule is not None else None

    def _screen(self) -> Response | None:
        request.environ[GENERATION] = self.state.journal.generation
        pinned = request.environ.get(HOST_VENDOR)
        if pinned is not None and not self.state.vendor(pinned).owns(request.path):
            # The vendor's own host (intercepted) serves that vendor's routes only.
            vendor = self.state.vendor(pinned)
            return self.finish(vendor, None, None, vendor.render_unrouted(Unrouted(404), request))
        surface = self.state.surface_for(request.path)
        if self.state.faults and isinstance(surface, Vendor):
            faulted = self._fault(surface)
            if faulted is not None:
                return faulted
        try:
            surface.screen(request)
        except ApiError as error:
            return self.finish(surface, self._operation(), None, surface.render(error, request))
        return None

    def _fault(self, surface: Vendor[Any]) -> Response | None:
        """Apply the fault rule matching this request, if any: wait (holding no lock),
        then answer for it, or mark the transport fault and let the request go on."""
        operation = self._operation()
        firing = self.state.faults.take(request.method, request.path, operation.id if operation is not None else None,
                                        surface.name, surface.credential(request))
        if firing is None:
            return None
        rule = request.environ[FAULT_RULE] = firing.rule
        if firing.delay:
            time.sleep(firing.delay)
        if rule.error is not None:
            request.environ[TRANSPORT_FAULT] = rule.error
        if rule.status is None and rule.error not in NO_ANSWER:
            return None  # a delay only, or malformed_body of the real answer: the request goes on
        # A dropped connection still gets an ordinary answer, for a front end that cannot drop it.
        reply = surface.fault_reply(rule.status or NO_ANSWER_STATUS, request)
        reply.reason = "fault"
        return self.finish(surface, operation, None, reply)

    def _http_error(self, exc: HTTPException) -> Response:
        surface = self.state.surface_for(request.path)
        if isinstance(exc, RequestEntityTooLarge):
            reply = surface.render(RequestTooLarge(), request)
            return self.finish(surface, self._operation(), None, reply)
        # Answered as before routing, whatever operation the path names: checked against the surface's own answers.
        allowed = tuple(getattr(exc, "valid_methods", None) or ())
        return self.finish(surface, None, None, surface.render_unrouted(Unrouted(exc.code or 500, allowed), request))

    def _api_error(self, error: ApiError) -> Response:
        surface = self.state.surface_for(request.path)
        return self.finish(surface, self._operation(), None, surface.render(error, request))

    def _crash(self, exc: Exception) -> Response:
        if isinstance(exc, ResponseSchemaError) and current_app.testing:
            raise exc
        log.exception("mockserver: unhandled error on %s %s", request.method, request.path)
        surface = self.state.surface_for(request.path)
        reply = surface.render_crash(exc, request)
        response = to_response(reply)
        self.record(surface, self._operation(), None, reply, response)
        return response


def _reply(operation: Operation, result: Any) -> Reply:
    return result if isinstance(result, Reply) else Reply(operation.success.status, result)


def _recorded_body(req: "Request") -> bytes:
    """The body as the journal keeps it; empty when it was over the limit (never read)."""
    environ = req.environ
    if environ.get("CONTENT_LENGTH", "0") in ("", "0") and "HTTP_TRANSFER_ENCODING" not in environ:
        return b""  # no body: not worth werkzeug building a stream to find out
    try:
        return req.get_data(cache=True)
    except HTTPException:  # over the limit (never read), or a client that hung up mid-body
        return b""
