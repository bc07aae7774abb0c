"""Monica's HTTP surface under /api: Laravel's pipeline, then parse, call the model, serialise.

Pipeline, in Monica's order: route match (404/405, app-level) -> auth:api (401/302)
-> throttle:api (429) -> ApiController's middleware (sort 39, limit 30, `null` body 37)
-> the controller (PHP's int coercion of route parameters) -> the service.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import unquote

from flask import Blueprint, Response, current_app, g, redirect, request

from ..app import check_response, json_response, locked, request_body, state_of
from . import shapes
from .errors import MonicaError, error_body, framework_error, laravel_path
from .laravel import (
    PhpError,
    as_input_bag,
    expects_json,
    filter_int,
    is_json_content_type,
    is_numeric,
    last_of,
    merged_input,
    php_int_argument,
    php_string,
)
from .models import DEFAULT_PER_PAGE, MAX_LIMIT, SORT_CRITERIA, MonicaAccount, Page, PageRequest

blueprint = Blueprint("monica", __name__, url_prefix="/api")

VENDOR = "monica"
CONVERSATION_CONTROLLER = "App\\Http\\Controllers\\Api\\Contact\\ApiConversationController"
MESSAGE_CONTROLLER = "App\\Http\\Controllers\\Api\\Contact\\ApiMessageController"
CONTACT_CONTROLLER = "App\\Http\\Controllers\\Api\\ApiContactController"


def _backend() -> Any:
    return state_of(current_app).vendors[VENDOR]


def route(rule: str, methods: list[str]) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """A Laravel-like route: `/x/` matches `/x`; OPTIONS is the router's, not Flask's."""
    return blueprint.route(rule, methods=methods, strict_slashes=False, provide_automatic_options=False)


# -- pipeline ------------------------------------------------------------------------


def bearer_token(header: str | None) -> str | None:
    """Request::bearerToken(): after the last `Bearer `, up to a comma."""
    if not header:
        return None
    position = header.rfind("Bearer ")
    if position < 0:
        return None
    token = header[position + 7:]
    return token.split(",", 1)[0] or None


def _body_input() -> dict[str, Any]:
    """Body input as Laravel reads it: JSON for a JSON Content-Type (invalid JSON reads as
    empty), form fields for a form, nothing otherwise."""
    raw = request_body()  # first: a form parsed from the stream would leave no raw body for the `null` check
    if is_json_content_type(request.content_type):
        try:
            decoded = json.loads(raw, parse_constant=_reject_constant) if raw.strip() else None
        except (ValueError, UnicodeDecodeError, RecursionError):
            decoded = None  # json_decode() gives null: for invalid JSON, or nesting beyond its depth
        return as_input_bag(decoded)
    return {key: last_of(request.form.getlist(key)) for key in request.form}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def request_input() -> dict[str, Any]:
    """`$request->all()`, trimmed and with empty strings as null, computed once per request."""
    if "monica_input" not in g:
        query = {key: last_of(request.args.getlist(key)) for key in request.args}
        g.monica_input = merged_input(_body_input(), query)
    return g.monica_input


def _sort(value: Any) -> tuple[str, bool] | None:
    """setSortCriteria: in_array() against the whitelist, loosely (PHP 8 comparisons)."""
    if value is True:
        return ("1", False)  # true == any non-empty string; ltrim(true, '-') is "1"
    if isinstance(value, str) and value in SORT_CRITERIA:
        return (value.lstrip("-"), value.startswith("-"))
    return None


def _limit_too_big(value: Any) -> bool:
    """`$request->input('limit') > 100` with PHP 8's comparison rules."""
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return value > MAX_LIMIT
    if isinstance(value, str):
        if is_numeric(value):
            return float(value) > MAX_LIMIT
        return value > str(MAX_LIMIT)  # a non-numeric string compares with "100" as a string
    return True  # an array is greater than any number


@dataclass(frozen=True)
class ListQuery:
    """What ApiController's middleware kept of `sort`, `limit` and `with`."""

    column: str = "created_at"
    descending: bool = False
    limit: Any = None
    with_parameter: Any = None

    def page_request(self) -> PageRequest:
        page = _current_page(request_input().get("page"))
        value = self.limit
        if value is True:
            return PageRequest(1, page, self.column, self.descending)
        if value is None or value is False or value == 0:
            return PageRequest(DEFAULT_PER_PAGE, page, self.column, self.descending)
        if isinstance(value, (int, float)) or (isinstance(value, str) and is_numeric(value)):
            per_page = int(float(value))
            return PageRequest(per_page or DEFAULT_PER_PAGE, page, self.column, self.descending)
        # A non-numeric limit that passed the `> 100` check breaks Laravel's arithmetic.
        raise PhpError("A non-numeric value encountered" if php_string(value)[:1].isdigit() else "Unsupported operand types: int * string")


def _current_page(value: Any) -> int:
    """PaginationState: FILTER_VALIDATE_INT and >= 1, else 1."""
    number = filter_int(value)
    return number if number is not None and number >= 1 else 1


@blueprint.before_request
def _pipeline() -> Response | None:
    backend = _backend()
    account = backend.world.accounts.get(bearer_token(request.headers.get("Authorization")))
    if account is None:
        if expects_json(request.headers):
            return respond({"message": "Unauthenticated."}, "laravel-error", 401)
        return redirect(request.host_url.rstrip("/"), code=302)  # route("loginRedirect"): url("/") has no trailing slash
    g.monica_account = account
    decision = backend.limiter.hit(account.token)
    g.monica_rate = decision
    if not decision.allowed:
        response = respond(error_body(34, "Too many attempts, please slow down the request"), "error", 429)
        response.headers["Retry-After"] = str(decision.reset_after)
        response.headers["X-RateLimit-Reset"] = str(decision.reset_at)
        return response
    return _api_controller_middleware()


def _api_controller_middleware() -> Response | None:
    """ApiController::__construct's closure, in its order: sort, limit, JSON `null`."""
    data = request_input()
    query = ListQuery()
    if "sort" in data:
        criteria = _sort(data["sort"])
        if criteria is None:
            return respond(error_body(39, "The sorting criteria is invalid"), "error", 400)
        query = ListQuery(column=criteria[0], descending=criteria[1])
    if "limit" in data:
        if _limit_too_big(data["limit"]):
            return respond(error_body(30, "The limit parameter is too big"), "error", 400)
        query = ListQuery(query.column, query.descending, data["limit"])
    if "with" in data:
        query = ListQuery(query.column, query.descending, query.limit, data["with"])
    g.monica_list = query
    if request.method not in ("GET", "DELETE") and request_body().strip(b" \t\n\r") == b"null":
        return respond(error_body(37, "Problems parsing JSON"), "error", 400)
    return None


@blueprint.after_request
def _rate_headers(response: Response) -> Response:
    decision = g.get("monica_rate")
    if decision is not None:
        response.headers.setdefault("X-RateLimit-Limit", str(decision.limit))
        response.headers.setdefault("X-RateLimit-Remaining", str(max(decision.remaining, 0)))
    return response


@blueprint.errorhandler(MonicaError)
def _monica_error(exc: MonicaError) -> Response:
    return respond(error_body(exc.code, exc.message), "error", exc.status)


@blueprint.errorhandler(PhpError)
def _php_error(exc: PhpError) -> Response:
    """Monica's Handler wraps any PHP error into HttpException(500, its message)."""
    response = framework_error(500, str(exc))
    if response.mimetype == "application/json":
        check_response(VENDOR, "laravel-error", response.get_json())
    return response


# -- responses ---------------------------------------------------------------------


def respond(payload: Any, schema: str, status: int = 200) -> Response:
    return json_response(VENDOR, payload, schema, status)


def _account() -> MonicaAccount:
    return g.monica_account


def _base() -> str:
    return request.host_url.rstrip("/")


def _path() -> str:
    """`$request->url()`: scheme, host and path, without query string or trailing slash."""
    return f"{_base()}/{laravel_path()}"


def _list_query() -> ListQuery:
    return g.monica_list


def _page_response(page: Page, shape: Callable[[Any], dict[str, Any]], schema: str, extra_meta: dict[str, Any] | None = None) -> Response:
    return respond(shapes.paginated(page, [shape(item) for item in page.items], _path(), extra_meta), schema)


def _conversation_response(conversation: Any, status: int = 200) -> Response:
    return respond({"data": shapes.conversation(_account(), conversation, _base())}, "conversation-response", status)


def _deleted(object_id: int) -> Response:
    return respond({"deleted": True, "id": object_id}, "deleted")


# -- root ------------------------------------------------------------------------------


@route("", ["GET"])
def root() -> Response:
    """ApiController@success."""
    base = f"{_base()}/api"
    links = {
        name + "_url": f"{base}/{path}"
        for name, path in (
            ("activities", "activities"), ("addresses", "addresses"), ("calls", "calls"), ("contacts", "contacts"),
            ("conversations", "conversations"), ("countries", "countries"), ("currencies", "currencies"),
            ("documents", "documents"), ("journal", "journal"), ("notes", "notes"),
            ("relationships", "contacts/:contactId/relationships"), ("reminders", "reminders"), ("statistics", "statistics"),
        )
    }
    return respond({"success": {"message": "Welcome to Monica"}, "links": links}, "root")


# -- contacts ----------------------------------------------------------------------------


def _wants_contact_fields(query: ListQuery) -> bool:
    """`$request->input('with') == 'contactfields'`, a loose PHP 8 comparison (`true` matches too)."""
    return query.with_parameter is True or query.with_parameter == "contactfields"


@route("/contacts", ["GET"])
@locked
def list_contacts() -> Response:
    """ApiContactController@index: with a truthy `query`, a search (partial excluded, archived kept)."""
    account, query = _account(), _list_query()
    with_fields = _wants_contact_fields(query)
    needle = request_input().get("query")
    page_request = query.page_request()

    def shape(row: Any) -> dict[str, Any]:
        return shapes.contact(account, row, _base(), with_fields)

    if needle is not None and needle is not False and php_string(needle) not in ("", "0"):
        text = unquote(php_string(needle))  # rawurldecode
        return _page_response(account.search_contacts(text, page_request), shape, "contact-page", {"query": text})
    return _page_response(account.list_contacts(page_request), shape, "contact-page")


@route("/contacts/<contact_id>", ["GET"])
@locked
def get_contact(contact_id: str) -> Response:
    """ApiContactController@show(int $id)."""
    number = php_int_argument(contact_id, f"{CONTACT_CONTROLLER}::show", 2, "id")
    account = _account()
    row = account.contact(number)
    with_fields = _wants_contact_fields(_list_query())
    return respond({"data": shapes.contact(account, row, _base(), with_fields)}, "contact-response")


@route("/contacts", ["POST"])
@route("/contacts/<contact_id>", ["PUT", "PATCH", "DELETE"])
def contact_writes(contact_id: str | None = None) -> Response:
    """Routes Monica has and the fake does not implement: known to the router (so 405s
    and `Allow` are right), answered 501. Contacts for tests come from the control API."""
    message = f"mockserver does not implement {request.method} {laravel_path()}; create contacts with POST /__mockserver/monica/contacts"
    return respond({"message": message}, "laravel-error", 501)


@route("/contacts/<contact_id>/conversations", ["GET"])
@locked
def list_contact_conversations(contact_id: str) -> Response:
    """ApiConversationController@conversations($contactId)."""
    account = _account()
    page = account.list_conversations(_list_query().page_request(), contact_id=contact_id)
    return _page_response(page, lambda c: shapes.conversation(account, c, _base()), "conversation-page")


# -- conversations -------------------------------------------------------------------------


@route("/conversations", ["GET"])
@locked
def list_conversations() -> Response:
    account = _account()
    page = account.list_conversations(_list_query().page_request())
    return _page_response(page, lambda c: shapes.conversation(account, c, _base()), "conversation-page")


@route("/conversations", ["POST"])
@locked
def create_conversation() -> Response:
    return _conversation_response(_account().create_conversation(request_input()), 201)


@route("/conversations/<conversation_id>", ["GET"])
@locked
def get_conversation(conversation_id: str) -> Response:
    return _conversation_response(_account().conversation(conversation_id))


@route("/conversations/<conversation_id>", ["PUT", "PATCH"])
@locked
def update_conversation(conversation_id: str) -> Response:
    data = {k: v for k, v in request_input().items() if k != "conversation_id"}
    return _conversation_response(_account().update_conversation(conversation_id, data))


@route("/conversations/<conversation_id>", ["DELETE"])
@locked
def delete_conversation(conversation_id: str) -> Response:
    number = php_int_argument(conversation_id, f"{CONVERSATION_CONTROLLER}::destroy", 2, "conversationId")
    _account().delete_conversation(number)
    return _deleted(number)


# -- messages ------------------------------------------------------------------------------


@route("/conversations/<conversation_id>/messages", ["POST"])
@locked
def add_message(conversation_id: str) -> Response:
    number = php_int_argument(conversation_id, f"{MESSAGE_CONTROLLER}::store", 2, "conversationId")
    return _conversation_response(_account().add_message(number, request_input()))


@route("/conversations/<conversation_id>/messages/<message_id>", ["PUT", "PATCH"])
@locked
def update_message(conversation_id: str, message_id: str) -> Response:
    cid = php_int_argument(conversation_id, f"{MESSAGE_CONTROLLER}::update", 2, "conversationId")
    mid = php_int_argument(message_id, f"{MESSAGE_CONTROLLER}::update", 3, "messageId")
    return _conversation_response(_account().update_message(cid, mid, request_input()))


@route("/conversations/<conversation_id>/messages/<message_id>", ["DELETE"])
@locked
def delete_message(conversation_id: str, message_id: str) -> Response:
    cid = php_int_argument(conversation_id, f"{MESSAGE_CONTROLLER}::destroy", 2, "conversationId")
    mid = php_int_argument(message_id, f"{MESSAGE_CONTROLLER}::destroy", 3, "messageId")
    _account().delete_message(cid, mid)
    return _deleted(mid)


# -- contact field types ----------------------------------------------------------------------


def _cft_response(cft: Any, status: int = 200) -> Response:
    return respond({"data": shapes.contact_field_type(cft)}, "contactfieldtype-response", status)


@route("/contactfieldtypes", ["GET"])
@locked
def list_contact_field_types() -> Response:
    page = _account().list_contact_field_types(_list_query().page_request())
    return _page_response(page, shapes.contact_field_type, "contactfieldtype-page")


@route("/contactfieldtypes", ["POST"])
@locked
def create_contact_field_type() -> Response:
    return _cft_response(_account().create_contact_field_type(request_input()), 201)


@route("/contactfieldtypes/<cft_id>", ["GET"])
@locked
def get_contact_field_type(cft_id: str) -> Response:
    return _cft_response(_account().contact_field_type(cft_id))


@route("/contactfieldtypes/<cft_id>", ["PUT", "PATCH"])
@locked
def update_contact_field_type(cft_id: str) -> Response:
    return _cft_response(_account().update_contact_field_type(cft_id, request_input()))


@route("/contactfieldtypes/<cft_id>", ["DELETE"])
@locked
def delete_contact_field_type(cft_id: str) -> Response:
    return _deleted(_account().delete_contact_field_type(cft_id))
