"""Hostile input to Monica: bodies nested to any depth, broken text, odd ids.

What Laravel cannot read as JSON (`json_decode()` gives null) is empty input, so the
endpoint answers as it does to an empty body. Every answer is one Monica or Laravel
sends (the suite runs strict), nothing is logged as a crash, and every rejected
write leaves the account exactly as it was.
"""
from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sweeps import DEPTHS, SHAPES, nested, state, with_field

from mockserver.monica.laravel import JSON_DEPTH
from mockserver.monica.operations import TABLE
from mockserver.validation import validator

from .conftest import account, auth, backend, seeded, strict_app

WRITES = [op for op in TABLE if op.request is not None]
SERVER_ERROR = {"message": "Server Error"}  # a bug of the fake, as Laravel would show it


def _valid_request(app: Any, op_id: str) -> tuple[str, dict[str, Any]]:
    """A path and a body that the operation accepts, using every field of its schema."""
    s = seeded(app)
    conversation = s["conversation"]
    message = {"written_at": "2020-01-01", "written_by_me": 1, "content": "x"}
    cft = {"name": "N", "fontawesome_icon": "fa fa-x", "protocol": "x:", "delible": 1, "type": "x"}
    requests = {
        "createConversation": ("/api/conversations", {"happened_at": "2020-01-01", "contact_id": s["active"].id,
                                                      "contact_field_type_id": s["email"].id}),
        "updateConversation": (f"/api/conversations/{conversation.id}", {"happened_at": "2020-01-01", "contact_field_type_id": s["email"].id}),
        "addMessage": (f"/api/conversations/{conversation.id}/messages", message),
        "updateMessage": (f"/api/conversations/{conversation.id}/messages/{conversation.message_ids[0]}", message),
        "createContactFieldType": ("/api/contactfieldtypes", cft),
        "updateContactFieldType": (f"/api/contactfieldtypes/{s['twitter'].id}", cft),
    }
    return requests[op_id.split(".", 1)[1].replace("patch", "update", 1)]


def _snapshot(app: Any) -> Any:
    return state(account(app)), state(backend(app).world.ids)


def _crashes(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


def test_the_sweep_covers_every_write_operation():
    app = strict_app()
    for op in WRITES:
        path, body = _valid_request(app, op.id)
        assert set(body) == set(validator("monica", op.request).schema["properties"]), op.id


@pytest.mark.parametrize("op_id", [op.id for op in WRITES])
def test_every_field_of_every_write_at_every_depth(op_id, caplog):
    """json_decode() reads 511 nested levels; one more and the body is empty input, which
    each endpoint answers with its 422. From 2 levels on, each depth answers alike."""
    app = strict_app(monica_rate_limit=100_000)
    client = app.test_client()
    store = app.extensions["mockserver"].store
    op = TABLE.get(op_id)
    path, body = _valid_request(app, op_id)
    headers = auth(**{"Content-Type": "application/json"})
    assert client.open(path, method=op.method, data=json.dumps(body), headers=headers).status_code in (200, 201), "the sweep starts from a valid body"
    store.reset()
    empty = client.open(path, method=op.method, data=b"{}", headers=headers)
    assert empty.status_code == 422
    seeded_state = _snapshot(app)
    for field in [None, *body]:
        for shape in SHAPES:
            reference: tuple[int, Any] | None = None
            for depth in DEPTHS:
                where = (op_id, field, shape, depth)
                r = client.open(path, method=op.method, data=with_field(body, field, nested(depth, shape)), headers=headers)
                levels = depth + (field is not None)
                answer = (r.status_code, r.get_json())
                if levels >= JSON_DEPTH:
                    assert answer == (422, empty.get_json()), where
                assert answer[1] != SERVER_ERROR, where
                if r.status_code >= 400:
                    assert _snapshot(app) == seeded_state, where
                else:
                    store.reset()
                if depth == 2:
                    reference = answer
                elif depth > 2 and levels < JSON_DEPTH:
                    assert answer == reference, where  # from 2 levels on, only the depth differs
    assert _crashes(caplog) == []


@pytest.mark.parametrize("raw, value", [
    (nested(511, "array", "7"), 7),  # json_decode's default depth 512 takes 511 nested arrays...
    (nested(512, "array", "7"), None),  # ...and refuses the 512th (JSON_ERROR_DEPTH)
    ('"\\ud83d\\ude00"', "\U0001F600"),  # a surrogate pair is one character
    ('"\\ud800"', None), ('["a", "\\udc00"]', None), ('{"\\ud800": 1}', None),  # JSON_ERROR_UTF16
    ('"\\\\ud800"', "\\ud800"),  # an escaped backslash, then plain text
    ("9223372036854775807", 2**63 - 1), ("-9223372036854775808", -(2**63)),
    ("9223372036854775808", 9.223372036854775808e18), ("1" * 5000, float("inf")), ("1e400", float("inf")),  # beyond PHP_INT_MAX: a float
    ('{"a": 1, "a": 2}', {"a": 2}), ("NaN", None), ("", None), ("\ufeff{}", None), ('{"a": "\\u0000"}', {"a": "\u0000"}), ('{"a": "\u0000"}', None),
])
def test_json_decode_gives_what_php_gives(raw, value):
    from mockserver.monica.laravel import json_decode

    found = json_decode(raw.encode("utf-8", "surrogatepass"))
    while isinstance(found, list):
        found = found[0]
    assert found == value and type(found) is type(value)


def test_invalid_utf8_or_a_lone_surrogate_in_a_body_is_empty_input():
    app = strict_app()
    c = app.test_client()
    headers = auth(**{"Content-Type": "application/json"})
    required = ["The happened at field is required.", "The contact id field is required.", "The contact field type id field is required."]
    s = seeded(app)
    for raw in (b'{"happened_at": "2020-01-01\xff", "contact_id": %d, "contact_field_type_id": %d}',
                b'{"happened_at": "2020-01-01\\ud800", "contact_id": %d, "contact_field_type_id": %d}'):
        before = _snapshot(app)
        r = c.post("/api/conversations", data=raw % (s["active"].id, s["email"].id), headers=headers)
        assert (r.status_code, r.get_json()["error"]["message"]) == (422, required)
        assert _snapshot(app) == before
