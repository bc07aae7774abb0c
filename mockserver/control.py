"""The fake's own API under /__mockserver: reset, health, credentials, OpenAPI documents.

It is a surface like a vendor's, declared in an operation table, answered through the
same pipeline and checked in strict mode against schemas/control/. Vendors add their
own setup routes (`Vendor.control_table`). Its errors are `{"error", "message"}`; it
also answers every path no vendor owns.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import datasets, jsontext, validation
from .errors import ApiError, OptionError
from .operations import Answer, Operation, OperationTable
from .surface import Call, Reply, Surface, Unrouted

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

    from .app import MockState

PREFIX = "/__mockserver"
ERROR = ("error",)
REASONS = {400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 413: "Request Entity Too Large", 500: "Internal Server Error"}


class ControlError(ApiError):
    def __init__(self, status: int, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.reason = reason


def json_body(call: Call[Any]) -> dict[str, Any]:
    """The JSON object of a control request, checked against the operation's schema."""
    try:
        body = jsontext.decode(call.body, jsontext.MAX_DEPTH) if call.body.strip() else None
    except ValueError:
        raise ControlError(400, "the body is not JSON", "validation") from None
    schema = call.operation.request
    assert schema is not None, f"{call.operation.id} declares no request body"
    problem = validation.first_problem("control", schema, body)
    if problem is not None:
        raise ControlError(400, problem.message, "validation")
    if not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object", "validation")
    return body


def _state(call: Call[Any]) -> "MockState":
    state: MockState = call.tenant
    return state


def reset(call: Call[Any]) -> Any:
    _state(call).store.reset()
    return {"reset": True}


def health(call: Call[Any]) -> Any:
    return {"status": "ok"}


def credentials(call: Call[Any]) -> Any:
    return {vendor.name: {vendor.credential_name: list(vendor.credentials)} for vendor in _state(call).vendors.values()}


def seed(call: Call[Any]) -> Any:
    body = json_body(call)
    try:
        return {"tenants": datasets.reseed(_state(call), body.get("seed"), body.get("sizes"))}
    except OptionError as exc:
        raise ControlError(400, str(exc), "validation") from None


def fixtures(call: Call[Any]) -> Any:
    state = _state(call)
    data = datasets.DataSet()
    try:
        data.add(datasets.parse(call.body, "request body"), "request body", list(state.vendors))
        return {"tenants": datasets.load(state, data)}
    except OptionError as exc:  # DataSetError: names the JSON path and the rule
        raise ControlError(400, str(exc), "validation") from None


def openapi(call: Call[Any], vendor: str) -> Any:
    from .openapi import document  # the generator walks every schema: only when asked

    found = _state(call).vendors.get(vendor)
    if found is None:
        raise ControlError(404, f"no vendor {vendor!r}; known: {', '.join(_state(call).vendors)}", "not_found")
    return document(found)


TABLE = OperationTable("control", PREFIX, always=(Answer(500, ERROR, "A bug of the fake"),))
TABLE.add("reset", "POST", "/reset", reset, summary="Back to the reset point: data, id sequences, rate-limit windows",
          responses={200: "reset"}, auth=False)
# Both build the new data without the store lock and take it only to put the data in place.
TABLE.add("seed", "POST", "/seed", seed, summary="Reseed: exactly the data of a server started with this seed and these sizes; the new reset point",
          request="control/seed", responses={200: "tenants", 400: ERROR, 413: ERROR}, auth=False, locked=False)
TABLE.add("fixtures", "POST", "/fixtures", fixtures, summary="Load a data set (the body, as a --fixtures file); the new reset point",
          request="control/dataset", responses={200: "tenants", 400: ERROR, 413: ERROR}, auth=False, locked=False)
TABLE.add("health", "GET", "/health", health, summary="Whether the fake answers", responses={200: "health"}, auth=False, locked=False)
TABLE.add("credentials", "GET", "/credentials", credentials, summary="Every vendor's valid credentials",
          responses={200: "credentials"}, auth=False, locked=False)
TABLE.add("openapi", "GET", "/openapi/{vendor}.json", openapi, summary="A vendor's OpenAPI 3.1 document",
          responses={200: "openapi", 404: ERROR}, auth=False, locked=False)


class ControlSurface(Surface):
    """The control API; also the owner of every path that no vendor owns."""

    name = "control"
    prefix = PREFIX
    table = TABLE
    unrouted = {
        status: Answer(status, ERROR, REASONS[status]) for status in (400, 404, 405, 413)
    }

    def __init__(self, state: "MockState") -> None:
        self.state = state

    def operations(self) -> list[Operation]:
        ops = list(self.table)
        for vendor in self.state.vendors.values():
            if vendor.control_table is not None:
                ops.extend(vendor.control_table)
        return ops

    def anonymous(self) -> Any:
        return self.state

    def render(self, error: ApiError, request: "Request") -> Reply:
        status = error.status
        message = getattr(error, "message", None) or str(error) or REASONS.get(status, "Error")
        return Reply(status, {"error": REASONS.get(status, "Error"), "message": message}, reason=error.reason)

    def render_unrouted(self, unrouted: Unrouted, request: "Request") -> Reply:
        status = unrouted.status if unrouted.status in REASONS else 400
        headers = {"Allow": ", ".join(unrouted.allowed)} if status == 405 else {}
        message = {404: f"no route {request.path}", 405: f"{request.method} is not allowed on {request.path}"}.get(status, REASONS[status])
        reason = {404: "unknown_route", 405: "method_not_allowed"}.get(status, "validation")
        return Reply(status, {"error": REASONS[status], "message": message}, headers=headers, reason=reason)
