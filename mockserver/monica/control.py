"""The fake's own Monica setup API: `POST /__mockserver/monica/contacts` creates a contact.

It takes plain field values and makes the contact with the same model code as
`POST /api/contacts` (MonicaAccount.create_contact), plus the states Monica's API
cannot set (archived, starred): tests and non-Python clients make archived, partial or
dead contacts here. The account is the one of the token given as `token` in the body
or as `Authorization: Bearer`; the default account otherwise.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..control import ERROR, ControlError, json_body
from ..operations import OperationTable
from ..surface import Call, Reply
from . import shapes
from .request import bearer_token

if TYPE_CHECKING:
    from ..app import MockState


def create_contact(call: Call[Any]) -> Reply:
    state: MockState = call.tenant
    fields = dict(json_body(call))
    token = fields.pop("token", None) or bearer_token(call.request.headers.get("Authorization"))
    try:
        account = state.vendor("monica").account(token)  # type: ignore[attr-defined]
    except KeyError as exc:
        raise ControlError(404, str(exc.args[0]), "not_found") from None
    try:
        contact = account.create_contact(**fields)
    except ValueError as exc:  # what Monica's rules refuse
        raise ControlError(400, str(exc), "validation") from None
    return Reply(201, {"data": shapes.contact(account, contact, call.base_url)})


TABLE = OperationTable("control", "/__mockserver/monica")
TABLE.add("createMonicaContact", "POST", "/contacts", create_contact,
          summary="Create a Monica contact for test setup (archived, partial, dead...)",
          request="monica/control.contact.create",
          responses={201: "monica/contact-response", 400: ERROR, 404: ERROR, 413: ERROR}, auth=False)
