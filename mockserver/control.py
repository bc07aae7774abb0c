"""The fake's own API under /__mockserver: an index, reset, health, credentials, OpenAPI
documents, the request journal and fault rules.

It is a surface like a vendor's, declared in an operation table, answered through the
same pipeline and checked in strict mode against schemas/control/. Vendors add their
own setup routes (`Vendor.control_table`). Its errors are `{"error", "message"}`; it
also answers every path no vendor owns. Switched off (`control_api=False`), it keeps
only that last role: its routes then answer as any unknown path does.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import datasets, jsontext, validation
from .errors import ApiError, OptionError
from .operations import Answer, Operation, OperationTable, Param
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


def index(call: Call[Any]) -> Any:
    """The control routes as JSON; for a browser, a page of tenants, record counts and
    the latest requests."""
    state = _state(call)
    if call.request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
        from .control_page import render  # HTML only when a browser asks

        return Reply(200, html=render(state))
    routes = [operation for operation in state.operations.values() if operation.vendor == TABLE.vendor]
    return {"routes": [{"id": op.id, "method": op.method, "path": op.full_path, "summary": op.summary} for op in routes]}


# -- the journal --
JOURNAL_FILTERS = ("method", "path", "vendor", "status", "operation", "tenant", "reason")


def _whole_number(name: str, text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ControlError(400, f"{name} must be a whole number, not {text!r}", "validation") from None
    if value < minimum:
        raise ControlError(400, f"{name} must be at least {minimum}, not {value}", "validation")
    return value


def list_requests(call: Call[Any]) -> Any:
    args = call.request.args
    unknown = sorted(set(args) - {*JOURNAL_FILTERS, "limit"})
    if unknown:
        raise ControlError(400, f"unknown parameter(s) {', '.join(unknown)}; known: {', '.join((*JOURNAL_FILTERS, 'limit'))}", "validation")
    filters: dict[str, Any] = {name: args[name] for name in JOURNAL_FILTERS if name in args}
    if "status" in filters:
        filters["status"] = _whole_number("status", filters["status"], 100)
    journal = _state(call).journal
    try:
        found = journal.filter(**filters)
    except ValueError as exc:
        raise ControlError(400, str(exc), "validation") from None
    shown = found[-_whole_number("limit", args["limit"], 1):] if "limit" in args else found
    return {"requests": [entry.as_json() for entry in shown], "matched": len(found), "dropped": journal.dropped}


def clear_requests(call: Call[Any]) -> Any:
    journal = _state(call).journal
    count = len(journal)
    journal.clear()
    return {"deleted": count}


# -- fault rules --
def create_fault(call: Call[Any]) -> Reply:
    body = json_body(call)
    try:
        rule = _state(call).faults.add(
            body["method"], body["path"], status=body.get("status"), error=body.get("error"), delay=body.get("delay"),
            times=body.get("times", 1), vendor=body.get("vendor"), tenant=body.get("tenant"),
        )
    except ValueError as exc:
        raise ControlError(400, str(exc), "validation") from None
    return Reply(201, rule.as_json())


def list_faults(call: Call[Any]) -> Any:
    return {"faults": [rule.as_json() for rule in _state(call).faults]}


def clear_faults(call: Call[Any]) -> Any:
    return {"deleted": _state(call).faults.clear()}


def _rule_id(text: str) -> int:
    if not text.isdigit():
        raise ControlError(404, f"no fault rule {text!r}", "not_found")
    return int(text)


def get_fault(call: Call[Any], fault_id: str) -> Any:
    try:
        return _state(call).faults.get(_rule_id(fault_id)).as_json()
    except KeyError as exc:
        raise ControlError(404, str(exc.args[0]), "not_found") from None


def delete_fault(call: Call[Any], fault_id: str) -> Any:
    try:
        _state(call).faults.remove(_rule_id(fault_id))
    except KeyError as exc:
        raise ControlError(404, str(exc.args[0]), "not_found") from None
    return {"deleted": 1}


TABLE = OperationTable("control", PREFIX, always=(Answer(500, ERROR, "A bug of the fake"),))
TABLE.add("index", "GET", "/", index, summary="The control routes (JSON); a browser gets a page of tenants and the latest requests",
          responses={200: Answer(200, ("index",), html=True)}, auth=False)
TABLE.add("reset", "POST", "/reset", reset, summary="Back to the reset point: data, id sequences, rate-limit windows; no requests, no fault rules",
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
_FILTER_PARAMS = (
    Param("method", {"type": "string"}, "An HTTP method"),
    Param("path", {"type": "string"}, "A path template with {name} placeholders, or an operation id"),
    Param("vendor", {"type": "string"}),
    Param("status", {"type": "integer"}, "The status answered"),
    Param("operation", {"type": "string"}, "An operation id"),
    Param("tenant", {"type": "string"}, "The API key or token the request carried"),
    Param("reason", {"type": "string"}, "Why it was rejected: auth, rate_limit, validation, not_found, unknown_route, ..."),
    Param("limit", {"type": "integer", "minimum": 1}, "Only the newest N that match"),
)
# The journal and the rules have locks of their own: these never take the store's.
TABLE.add("listRequests", "GET", "/requests", list_requests, summary="The request journal, oldest first, filtered",
          responses={200: "requests", 400: ERROR}, query=_FILTER_PARAMS, auth=False, locked=False)
TABLE.add("clearRequests", "DELETE", "/requests", clear_requests, summary="Empty the request journal",
          responses={200: "deleted"}, auth=False, locked=False)
TABLE.add("createFault", "POST", "/faults", create_fault, summary="Add a fault rule", request="fault.create",
          responses={201: "fault", 400: ERROR, 413: ERROR}, auth=False, locked=False)
TABLE.add("listFaults", "GET", "/faults", list_faults, summary="The fault rules and how often each has fired",
          responses={200: "faults"}, auth=False, locked=False)
TABLE.add("clearFaults", "DELETE", "/faults", clear_faults, summary="Remove every fault rule",
          responses={200: "deleted"}, auth=False, locked=False)
TABLE.add("getFault", "GET", "/faults/{fault_id}", get_fault, summary="One fault rule",
          responses={200: "fault", 404: ERROR}, auth=False, locked=False)
TABLE.add("deleteFault", "DELETE", "/faults/{fault_id}", delete_fault, summary="Remove one fault rule",
          responses={200: "deleted", 404: ERROR}, auth=False, locked=False)


class ControlSurface(Surface):
    """The control API; also the owner of every path that no vendor owns."""

    name = "control"
    prefix = PREFIX
    table = TABLE
    recorded = False  # the journal is of the client under test, not of the test's own setup
    strict_slashes = False  # `/__mockserver` is the index `/__mockserver/`
    unrouted = {
        status: Answer(status, ERROR, REASONS[status]) for status in (400, 404, 405, 413)
    }

    def __init__(self, state: "MockState", enabled: bool = True) -> None:
        self.state = state
        self.enabled = enabled

    def owns(self, path: str) -> bool:
        return self.enabled and super().owns(path)

    def operations(self) -> list[Operation]:
        if not self.enabled:
            return []
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
