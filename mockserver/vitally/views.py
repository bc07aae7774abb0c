"""Vitally's views: parse the request, call the workspace, return the JSON payload.

Each is declared, with its path, schemas and answers, in operations.py; the core's
pipeline has already authenticated the caller (`call.tenant` is the workspace),
counted it against the rate limit, read its body and taken the store lock.
"""
from __future__ import annotations

import base64
import binascii
import math
from typing import Any, Callable

from .. import jsontext, validation
from ..surface import Call
from . import shapes
from .errors import BadRequest, VitallyError
from .models import ACCOUNT_STATUSES, MAX_LIMIT, SORT_FIELDS, Key, Page, VitallyWorkspace

VENDOR = "vitally"
# Vitally documents no DELETE response body; we answer 200 with an empty object.
DELETED_BODY: dict[str, Any] = {}

VitallyCall = Call[VitallyWorkspace]
Payload = dict[str, Any]


# -- request helpers -------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # 1e999: no JSON number can carry it back
        raise ValueError(f"{text} is out of range")
    return value


def _finite_int(text: str) -> int:
    # JSON numbers are doubles to Node: a 400-digit integer is as far out of range as
    # 1e999 (and Python would refuse past 4,300 digits anyway).
    _finite_float(text)
    return int(text)


def json_body(call: VitallyCall) -> dict[str, Any]:
    """The request's JSON object, validated against the operation's request schema."""
    mimetype = call.request.mimetype
    if mimetype and mimetype != "application/json" and not mimetype.endswith("+json"):
        raise VitallyError("Unsupported Media Type", 415)
    raw = call.body
    try:
        body = jsontext.decode(raw, jsontext.MAX_DEPTH, parse_constant=_reject_constant, parse_float=_finite_float,
                                parse_int=_finite_int) if raw.strip() else None
    except ValueError:  # not JSON, not UTF-8, or nested deeper than MAX_DEPTH
        raise BadRequest("Invalid request payload JSON format") from None
    schema = call.operation.request
    assert schema is not None, f"{call.operation.id} declares no request body"
    problem = validation.first_problem(VENDOR, schema, body)
    if problem is not None:
        raise BadRequest(problem.message)
    assert isinstance(body, dict)  # the request schemas are all objects
    return body


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


def page_params(call: VitallyCall) -> tuple[str, int, Key | None]:
    """sortBy, limit and the decoded `from` cursor; unknown parameters are ignored."""
    args = call.request.args
    sort_by = args.get("sortBy") or "updatedAt"
    if sort_by not in SORT_FIELDS:
        raise BadRequest(f"sortBy must be one of {', '.join(SORT_FIELDS)}")
    raw_limit = (args.get("limit") or "").strip()
    if raw_limit:
        try:
            limit = int(float(raw_limit))
        except (ValueError, OverflowError):
            raise BadRequest("limit must be a number") from None
    else:
        limit = MAX_LIMIT
    limit = min(max(limit, 1), MAX_LIMIT)  # documented max/default 100; out-of-range values are clamped
    cursor = args.get("from") or None
    return sort_by, limit, _decode_cursor(cursor, sort_by) if cursor else None


def _list_payload(page: Page, sort_by: str, shape: Callable[[Any], Any]) -> Payload:
    next_cursor = _encode_cursor(sort_by, page.next_key) if page.next_key else None
    return {"results": [shape(item) for item in page.items], "next": next_cursor, "atEnd": next_cursor is None}


def _paged(call: VitallyCall, table_name: str, shape: Callable[[Any], Any], keep: Callable[[Any], bool] | None = None, ids: Any = None) -> Payload:
    ws = call.tenant
    sort_by, limit, after = page_params(call)
    page = ws.page(getattr(ws, table_name), sort_by, limit, after, keep=keep, ids=ids)
    return _list_payload(page, sort_by, shape)


# -- conversations -------------------------------------------------------------


def list_conversations(call: VitallyCall) -> Payload:
    return _paged(call, "conversations", shapes.conversation_item)


def create_conversation(call: VitallyCall) -> Payload:
    ws = call.tenant
    return shapes.conversation(ws, ws.create_conversation(json_body(call)))


def get_conversation(call: VitallyCall, conversation_id: str) -> Payload:
    ws = call.tenant
    return shapes.conversation(ws, ws.conversation(conversation_id))


def update_conversation(call: VitallyCall, conversation_id: str) -> Payload:
    ws = call.tenant
    ws.conversation(conversation_id)  # an unknown id is a 404 whatever the body
    return shapes.conversation(ws, ws.update_conversation(conversation_id, json_body(call)))


def delete_conversation(call: VitallyCall, conversation_id: str) -> Payload:
    call.tenant.delete_conversation(conversation_id)
    return DELETED_BODY


def create_message(call: VitallyCall, conversation_id: str) -> Payload:
    ws = call.tenant
    ws.conversation(conversation_id)
    return shapes.message(ws.add_message(conversation_id, json_body(call)))


def get_message(call: VitallyCall, message_id: str) -> Payload:
    return shapes.message(call.tenant.message(message_id))


def delete_message(call: VitallyCall, message_id: str) -> Payload:
    call.tenant.delete_message(message_id)
    return DELETED_BODY


# -- accounts ------------------------------------------------------------------


def list_accounts(call: VitallyCall) -> Payload:
    ws = call.tenant
    status = call.request.args.get("status") or "active"
    if status not in ACCOUNT_STATUSES:
        raise BadRequest(f"status must be one of {', '.join(ACCOUNT_STATUSES)}")
    status_of = VitallyWorkspace.account_status
    keep = None if status == "activeOrChurned" else (lambda a: status_of(a) == status)
    return _paged(call, "accounts", lambda a: shapes.account(ws, a), keep=keep)


def create_account(call: VitallyCall) -> Payload:
    ws = call.tenant
    return shapes.account(ws, ws.create_account(json_body(call)))


def get_account(call: VitallyCall, account_id: str) -> Payload:
    ws = call.tenant
    return shapes.account(ws, ws.account(account_id))


def update_account(call: VitallyCall, account_id: str) -> Payload:
    ws = call.tenant
    ws.account(account_id)
    return shapes.account(ws, ws.update_account(account_id, json_body(call)))


def list_account_users(call: VitallyCall, account_id: str) -> Payload:
    ws = call.tenant
    account = ws.account(account_id)
    return _paged(call, "users", lambda u: shapes.user(ws, u), ids=ws.account_user_ids(account))


def list_account_conversations(call: VitallyCall, account_id: str) -> Payload:
    ws = call.tenant
    account = ws.account(account_id, external_ok=False)  # docs: "Must use Vitally ID"
    return _paged(call, "conversations", shapes.conversation_item, keep=lambda c: account.id in ws.conversation_account_ids(c))


# -- users ---------------------------------------------------------------------


def list_users(call: VitallyCall) -> Payload:
    ws = call.tenant
    return _paged(call, "users", lambda u: shapes.user(ws, u))


def search_users(call: VitallyCall) -> Payload:
    args = call.request.args
    given = [name for name in ("externalId", "email", "emailSubdomain") if args.get(name)]
    if len(given) != 1:
        raise BadRequest("Provide exactly one of externalId, email, emailSubdomain")
    ws = call.tenant
    return {"results": [shapes.user(ws, u) for u in ws.search_users(given[0], args[given[0]])]}


def create_user(call: VitallyCall) -> Payload:
    ws = call.tenant
    return shapes.user(ws, ws.create_user(json_body(call)))


def get_user(call: VitallyCall, user_id: str) -> Payload:
    ws = call.tenant
    return shapes.user(ws, ws.user(user_id))


def update_user(call: VitallyCall, user_id: str) -> Payload:
    ws = call.tenant
    ws.user(user_id)
    return shapes.user(ws, ws.update_user(user_id, json_body(call)))


# -- organizations -------------------------------------------------------------


def list_organizations(call: VitallyCall) -> Payload:
    ws = call.tenant
    return _paged(call, "organizations", lambda o: shapes.organization(ws, o))


def create_organization(call: VitallyCall) -> Payload:
    ws = call.tenant
    return shapes.organization(ws, ws.create_organization(json_body(call)))


def get_organization(call: VitallyCall, organization_id: str) -> Payload:
    ws = call.tenant
    return shapes.organization(ws, ws.organization(organization_id))


def update_organization(call: VitallyCall, organization_id: str) -> Payload:
    ws = call.tenant
    ws.organization(organization_id)
    return shapes.organization(ws, ws.update_organization(organization_id, json_body(call)))


def list_organization_accounts(call: VitallyCall, organization_id: str) -> Payload:
    ws = call.tenant
    org = ws.organization(organization_id)
    return _paged(call, "accounts", lambda a: shapes.account(ws, a), ids=[a.id for a in ws.organization_accounts(org)])


def list_organization_users(call: VitallyCall, organization_id: str) -> Payload:
    ws = call.tenant
    org = ws.organization(organization_id)
    return _paged(call, "users", lambda u: shapes.user(ws, u), ids=ws.organization_user_ids(org))


def list_organization_conversations(call: VitallyCall, organization_id: str) -> Payload:
    ws = call.tenant
    org = ws.organization(organization_id, external_ok=False)  # docs: "Must use Vitally ID"
    return _paged(call, "conversations", shapes.conversation_item, keep=lambda c: org.id in ws.conversation_organization_ids(c))


# -- admins --------------------------------------------------------------------


def list_admins(call: VitallyCall) -> Payload:
    return _paged(call, "admins", shapes.admin)


def search_admins(call: VitallyCall) -> Payload:
    email = (call.request.args.get("email") or "").strip()
    if not email:
        raise BadRequest("email is required")
    return shapes.admin(call.tenant.admin_by_email(email))
