"""The fake's own Monica setup API: `POST /__mockserver/monica/contacts` creates a contact.

Monica's own contact create is not implemented; tests and non-Python clients make
contacts (archived, partial, dead...) here. The account is the one of the token given
as `token` in the body or as `Authorization: Bearer`; the default account otherwise.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from .. import validation
from . import shapes
from .routes import bearer_token, respond

blueprint = Blueprint("mockserver_monica_control", __name__, url_prefix="/__mockserver/monica")


def _error(status: int, error: str, message: str) -> Response:
    response = jsonify({"error": error, "message": message})
    response.status_code = status
    return response


@blueprint.post("/contacts")
def create_contact() -> Response:
    state = current_app.extensions["mockserver"]
    body: Any = request.get_json(silent=True)
    problem = validation.first_problem("monica", "control.contact.create", body)
    if problem is not None:
        return _error(400, "Bad Request", problem.message)
    fields = dict(body)
    token = fields.pop("token", None) or bearer_token(request.headers.get("Authorization"))
    backend = state.vendors["monica"]
    try:
        account = backend.account(token)
    except KeyError as exc:
        return _error(404, "Not Found", str(exc.args[0]))
    with state.store.lock:
        contact = account.create_contact(**fields)
        payload = {"data": shapes.contact(account, contact, request.host_url.rstrip("/"))}
    return respond(payload, "contact-response", 201)
