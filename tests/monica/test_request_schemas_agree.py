"""The published request schemas (schemas/monica/*.create.json) and the fake's Laravel
rules engine must agree on what Monica accepts, or a contract check built on the schemas
would pass bodies the fake (and Monica) reject, or the other way round."""
from __future__ import annotations

import itertools

import pytest

from mockserver import validation

from .conftest import account, call, strict_app

WRITTEN_AT = ["1998-02-02", " 1998-02-02 ", "1998-02-30", "2018-10-11T10:00:00+02:00", "1998-02-02 10:00", "now", "", 19980202, None]
WRITTEN_BY_ME = [True, False, 0, 1, "0", "1", "true", 2, "", None]
CONTENT = ["lorem ipsum", "  padded  ", "   ", "", 123, None]


@pytest.fixture(scope="module")
def monica():
    app = strict_app()
    acc = account(app)
    conversation = next(c for c in acc.conversations.values() if acc.contacts[c.contact_id].is_active)
    return app, conversation.id


@pytest.mark.parametrize("written_at, written_by_me, content", list(itertools.product(WRITTEN_AT, WRITTEN_BY_ME, CONTENT))[::7])
def test_message_create_schema_accepts_exactly_what_the_rules_accept(monica, written_at, written_by_me, content):
    app, conversation_id = monica
    body = {k: v for k, v in {"written_at": written_at, "written_by_me": written_by_me, "content": content}.items() if v is not None}
    schema_ok = validation.problems("monica", "message.create", body) == []
    response = call(app.test_client(), "POST", f"/api/conversations/{conversation_id}/messages", body)
    app.extensions["mockserver"].store.reset()
    assert response.status_code in (200, 422)
    assert schema_ok == (response.status_code == 200), response.get_json()


@pytest.mark.parametrize("happened_at", WRITTEN_AT)
@pytest.mark.parametrize("contact_field_type_id", ["1", 1, " 1 ", "01", "1.0", 1.0, True, "x", None])
def test_conversation_create_schema_accepts_exactly_what_the_rules_accept(monica, happened_at, contact_field_type_id):
    app, conversation_id = monica
    acc = account(app)
    contact = next(c for c in acc.contacts.values() if c.is_active and not c.is_partial)
    cft = min(acc.contact_field_types)
    if contact_field_type_id in ("1", 1, " 1 ", "1.0", 1.0):
        contact_field_type_id = type(contact_field_type_id)(str(cft).join(str(contact_field_type_id).split("1", 1))) if isinstance(contact_field_type_id, str) else type(contact_field_type_id)(cft)
    body = {k: v for k, v in {"happened_at": happened_at, "contact_id": contact.id, "contact_field_type_id": contact_field_type_id}.items() if v is not None}
    schema_ok = validation.problems("monica", "conversation.create", body) == []
    response = call(app.test_client(), "POST", "/api/conversations", body)
    app.extensions["mockserver"].store.reset()
    assert response.status_code in (201, 422, 404)
    assert schema_ok == (response.status_code == 201), (body, response.get_json())
