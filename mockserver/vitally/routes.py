"""Vitally's HTTP surface under /resources: parse, validate, call the model, serialise."""
from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Callable

from flask import Blueprint, Response, current_app, g, request

from .. import validation
from ..app import json_response, locked, request_body, state_of
from . import shapes
from .errors import BadRequest, VitallyError, error_body, error_response
from .models import ACCOUNT_STATUSES, MAX_LIMIT, SORT_FIELDS, Key, Page, VitallyWorkspace

blueprint = Blueprint("vitally", __name__, url_prefix="/resources")

VENDOR = "vitally"
# Vitally documents no DELETE response body; we answer 200 with an empty object.
DELETED_BODY: dict[str, Any] = {}


def _backend() -> Any:
    return state_of(current_app).vendors[VENDOR]


# -- auth, rate limit, locking ------------------------------------------------


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


@blueprint.before_request
def _authenticate() -> Response | None:
    backend = _backend()
    key = api_key_from(request.headers.get("Authorization"))
    workspace = backend.workspaces.get(key) if key is not None else None
    if workspace is None:
        message = "Missing authentication" if not request.headers.get("Authorization") else "Invalid API key"
        return error_response(401, message)
    g.vitally_workspace = workspace
    decision = backend.limiter.hit(key)
    g.vitally_rate = decision
    if not decision.allowed:
        response = error_response(429, f"Rate limit exceeded: {decision.limit} requests per minute")
        response.headers["Retry-After"] = str(decision.reset_after)
        return response
    return None


@blueprint.after_request
def _rate_headers(response: Response) -> Response:
    decision = g.get("vitally_rate")
    if decision is not None:
        window = int(_backend().limiter.window)
        response.headers["RateLimit-Limit"] = f"{decision.limit}, {decision.limit};window={window}"
        response.headers["RateLimit-Remaining"] = str(max(decision.remaining, 0))
        response.headers["RateLimit-Reset"] = str(decision.reset_after)
    return response


@blueprint.errorhandler(VitallyError)
def _vitally_error(exc: VitallyError) -> Response:
    return respond(error_body(exc.status, exc.message), "error", exc.status)


def _workspace() -> VitallyWorkspace:
    return g.vitally_workspace


# -- request and response helpers ----------------------------------------------


def respond(payload: Any, schema: str, status: int = 200) -> Response:
    return json_response(VENDOR, payload, schema, status)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):  # 1e999: no JSON number can carry it back
        raise ValueError(f"{text} is out of range")
    return value


def json_body(schema: str) -> dict[str, Any]:
    """The request's JSON object, validated against schemas/vitally/<schema>.json."""
    mimetype = request.mimetype
    if mimetype and mimetype != "application/json" and not mimetype.endswith("+json"):
        raise VitallyError("Unsupported Media Type", 415)
    raw = request_body()
    try:
        body = json.loads(raw, parse_constant=_reject_constant, parse_float=_finite_float) if raw.strip() else None
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: absurdly deep nesting
        raise BadRequest("Invalid request payload JSON format") from None
    problem = validation.first_problem(VENDOR, schema, body)
    if problem is not None:
        raise BadRequest(problem.message)
    return body  # type: ignore[return-value]


def _encode_cursor(sort_by: str, key: Key) -> str:
    return base64.b64encode(f"{sort_by}:{key[0]}:{key[1]}".encode()).decode()


def _decode_cursor(value: str, sort_by: str) -> Key:
    try:
        text = base64.b64decode(value.replace(" ", "+"), validate=True).decode()
        field, ms, seq = text.split(":")
        key = (int(ms), int(seq))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("from must be a cursor returned in `next` by a previous request") from None
    if field != sort_by:
        raise BadRequest(f"from is a cursor for sortBy={field}, not sortBy={sort_by}")
    return key


def page_params() -> tuple[str, int, Key | None]:
    """sortBy, limit and the decoded `from` cursor; unknown parameters are ignored."""
    sort_by = request.args.get("sortBy") or "updatedAt"
    if sort_by not in SORT_FIELDS:
        raise BadRequest(f"sortBy must be one of {', '.join(SORT_FIELDS)}")
    raw_limit = (request.args.get("limit") or "").strip()
    if raw_limit:
        try:
            limit = int(float(raw_limit))
        except (ValueError, OverflowError):
            raise BadRequest("limit must be a number") from None
    else:
        limit = MAX_LIMIT
    limit = min(max(limit, 1), MAX_LIMIT)  # documented max/default 100; out-of-range values are clamped
    cursor = request.args.get("from") or None
    return sort_by, limit, _decode_cursor(cursor, sort_by) if cursor else None


def list_response(page: Page, sort_by: str, shape: Callable[[Any], Any], schema: str) -> Response:
    next_cursor = _encode_cursor(sort_by, page.next_key) if page.next_key else None
    return respond({"results": [shape(item) for item in page.items], "next": next_cursor, "atEnd": next_cursor is None}, schema)


def _paged(table_name: str, shape: Callable[[Any], Any], schema: str, keep: Callable[[Any], bool] | None = None, ids: Any = None) -> Response:
    ws = _workspace()
    sort_by, limit, after = page_params()
    page = ws.page(getattr(ws, table_name), sort_by, limit, after, keep=keep, ids=ids)
    return list_response(page, sort_by, shape, schema)


# -- conversations -------------------------------------------------------------


@blueprint.get("/conversations")
@locked
def list_conversations() -> Response:
    return _paged("conversations", shapes.conversation_item, "conversation-page")


@blueprint.post("/conversations")
@locked
def create_conversation() -> Response:
    ws = _workspace()
    conversation = ws.create_conversation(json_body("conversation.create"))
    return respond(shapes.conversation(ws, conversation), "conversation")


@blueprint.get("/conversations/<conversation_id>")
@locked
def get_conversation(conversation_id: str) -> Response:
    ws = _workspace()
    return respond(shapes.conversation(ws, ws.conversation(conversation_id)), "conversation")


@blueprint.put("/conversations/<conversation_id>")
@locked
def update_conversation(conversation_id: str) -> Response:
    ws = _workspace()
    ws.conversation(conversation_id)  # an unknown id is a 404 whatever the body
    conversation = ws.update_conversation(conversation_id, json_body("conversation.update"))
    return respond(shapes.conversation(ws, conversation), "conversation")


@blueprint.delete("/conversations/<conversation_id>")
@locked
def delete_conversation(conversation_id: str) -> Response:
    _workspace().delete_conversation(conversation_id)
    return respond(DELETED_BODY, "deleted")


@blueprint.post("/conversations/<conversation_id>/messages")
@locked
def create_message(conversation_id: str) -> Response:
    ws = _workspace()
    ws.conversation(conversation_id)
    return respond(shapes.message(ws.add_message(conversation_id, json_body("message.create"))), "message")


@blueprint.get("/messages/<message_id>")
@locked
def get_message(message_id: str) -> Response:
    return respond(shapes.message(_workspace().message(message_id)), "message")


@blueprint.delete("/messages/<message_id>")
@locked
def delete_message(message_id: str) -> Response:
    _workspace().delete_message(message_id)
    return respond(DELETED_BODY, "deleted")


# -- accounts ------------------------------------------------------------------


def _account_shape(item: Any) -> Any:
    return shapes.account(_workspace(), item)


def _user_shape(item: Any) -> Any:
    return shapes.user(_workspace(), item)


def _organization_shape(item: Any) -> Any:
    return shapes.organization(_workspace(), item)


@blueprint.get("/accounts")
@locked
def list_accounts() -> Response:
    status = request.args.get("status") or "active"
    if status not in ACCOUNT_STATUSES:
        raise BadRequest(f"status must be one of {', '.join(ACCOUNT_STATUSES)}")
    status_of = VitallyWorkspace.account_status
    keep = None if status == "activeOrChurned" else (lambda a: status_of(a) == status)
    return _paged("accounts", _account_shape, "account-page", keep=keep)


@blueprint.post("/accounts")
@locked
def create_account() -> Response:
    ws = _workspace()
    return respond(shapes.account(ws, ws.create_account(json_body("account.create"))), "account")


@blueprint.get("/accounts/<account_id>")
@locked
def get_account(account_id: str) -> Response:
    ws = _workspace()
    return respond(shapes.account(ws, ws.account(account_id)), "account")


@blueprint.put("/accounts/<account_id>")
@locked
def update_account(account_id: str) -> Response:
    ws = _workspace()
    ws.account(account_id)
    return respond(shapes.account(ws, ws.update_account(account_id, json_body("account.update"))), "account")


@blueprint.get("/accounts/<account_id>/users")
@locked
def list_account_users(account_id: str) -> Response:
    ws = _workspace()
    account = ws.account(account_id)
    return _paged("users", _user_shape, "user-page", ids=ws.account_user_ids(account))


@blueprint.get("/accounts/<account_id>/conversations")
@locked
def list_account_conversations(account_id: str) -> Response:
    ws = _workspace()
    account = ws.account(account_id, external_ok=False)  # docs: "Must use Vitally ID"
    return _paged("conversations", shapes.conversation_item, "conversation-page",
                  keep=lambda c: account.id in ws.conversation_account_ids(c))


# -- users ---------------------------------------------------------------------


@blueprint.get("/users")
@locked
def list_users() -> Response:
    return _paged("users", _user_shape, "user-page")


@blueprint.get("/users/search")
@locked
def search_users() -> Response:
    given = [name for name in ("externalId", "email", "emailSubdomain") if request.args.get(name)]
    if len(given) != 1:
        raise BadRequest("Provide exactly one of externalId, email, emailSubdomain")
    ws = _workspace()
    found = ws.search_users(given[0], request.args[given[0]])
    return respond({"results": [shapes.user(ws, u) for u in found]}, "user-search")


@blueprint.post("/users")
@locked
def create_user() -> Response:
    ws = _workspace()
    return respond(shapes.user(ws, ws.create_user(json_body("user.create"))), "user")


@blueprint.get("/users/<user_id>")
@locked
def get_user(user_id: str) -> Response:
    ws = _workspace()
    return respond(shapes.user(ws, ws.user(user_id)), "user")


@blueprint.put("/users/<user_id>")
@locked
def update_user(user_id: str) -> Response:
    ws = _workspace()
    ws.user(user_id)
    return respond(shapes.user(ws, ws.update_user(user_id, json_body("user.update"))), "user")


# -- organizations -------------------------------------------------------------


@blueprint.get("/organizations")
@locked
def list_organizations() -> Response:
    return _paged("organizations", _organization_shape, "organization-page")


@blueprint.post("/organizations")
@locked
def create_organization() -> Response:
    ws = _workspace()
    return respond(shapes.organization(ws, ws.create_organization(json_body("organization.create"))), "organization")


@blueprint.get("/organizations/<organization_id>")
@locked
def get_organization(organization_id: str) -> Response:
    ws = _workspace()
    return respond(shapes.organization(ws, ws.organization(organization_id)), "organization")


@blueprint.put("/organizations/<organization_id>")
@locked
def update_organization(organization_id: str) -> Response:
    ws = _workspace()
    ws.organization(organization_id)
    return respond(shapes.organization(ws, ws.update_organization(organization_id, json_body("organization.update"))), "organization")


@blueprint.get("/organizations/<organization_id>/accounts")
@locked
def list_organization_accounts(organization_id: str) -> Response:
    ws = _workspace()
    org = ws.organization(organization_id)
    return _paged("accounts", _account_shape, "account-page", ids=[a.id for a in ws.organization_accounts(org)])


@blueprint.get("/organizations/<organization_id>/users")
@locked
def list_organization_users(organization_id: str) -> Response:
    ws = _workspace()
    org = ws.organization(organization_id)
    return _paged("users", _user_shape, "user-page", ids=ws.organization_user_ids(org))


@blueprint.get("/organizations/<organization_id>/conversations")
@locked
def list_organization_conversations(organization_id: str) -> Response:
    ws = _workspace()
    org = ws.organization(organization_id, external_ok=False)  # docs: "Must use Vitally ID"
    return _paged("conversations", shapes.conversation_item, "conversation-page",
                  keep=lambda c: org.id in ws.conversation_organization_ids(c))


# -- admins --------------------------------------------------------------------


@blueprint.get("/admins")
@locked
def list_admins() -> Response:
    return _paged("admins", shapes.admin, "admin-page")


@blueprint.get("/admins/search")
@locked
def search_admins() -> Response:
    email = (request.args.get("email") or "").strip()
    if not email:
        raise BadRequest("email is required")
    return respond(shapes.admin(_workspace().admin_by_email(email)), "admin")
