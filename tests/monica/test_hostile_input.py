"""Hostile input to Monica: bodies nested to any depth, broken text, odd ids.

What Laravel cannot read as JSON (`json_decode()` gives null) is empty input, so the
endpoint answers as it does to an empty body. Every answer is one Monica or Laravel
sends (the suite runs strict), nothing is logged as a crash, and every rejected
write leaves the account exactly as it was.
"""
from __future__ import annotations

import json
from typing import Any

import pytest
from sweeps import DEPTHS, SHAPES, crashes, nested, state, with_field

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
    acc = account(app)
    gender = next(iter(acc.genders.values()))
    existing_field = next(iter(acc.contact_fields.values()))
    contact = {
        "first_name": "Ann", "middle_name": "B", "last_name": "Lee", "nickname": "Annie", "gender_id": gender.id, "description": "d",
        "is_partial": False, "is_birthdate_known": True, "birthdate_day": 4, "birthdate_month": 5, "birthdate_year": 1990,
        "birthdate_is_age_based": False, "birthdate_age": 30, "birthdate_add_reminder": False, "is_deceased": False,
        "is_deceased_date_known": False, "deceased_date_day": 1, "deceased_date_month": 2, "deceased_date_year": 2000,
        "deceased_date_add_reminder": False, "job": "x", "company": "y", "food_preferences": "z", "first_met_additional_info": "w",
        "uuid": "8c8b2a8e-5d8e-4b0e-9c55-1f4f8f0a2b11", "author_id": acc.user_id, "is_dead": False,
    }
    field = {"contact_field_type_id": s["email"].id, "contact_id": existing_field.contact_id, "data": "a@b.c", "labels": ["home"]}
    requests = {
        "createConversation": ("/api/conversations", {"happened_at": "2020-01-01", "contact_id": s["active"].id,
                                                      "contact_field_type_id": s["email"].id}),
        "updateConversation": (f"/api/conversations/{conversation.id}", {"happened_at": "2020-01-01", "contact_field_type_id": s["email"].id}),
        "addMessage": (f"/api/conversations/{conversation.id}/messages", message),
        "updateMessage": (f"/api/conversations/{conversation.id}/messages/{conversation.message_ids[0]}", message),
        "createContactFieldType": ("/api/contactfieldtypes", cft),
        "updateContactFieldType": (f"/api/contactfieldtypes/{s['twitter'].id}", cft),
        "createContact": ("/api/contacts", {**contact, "email": "ann@example.com", "address_book_id": None}),
        "updateContact": (f"/api/contacts/{s['active'].id}", contact),
        "createContactField": ("/api/contactfields", field),
        "updateContactField": (f"/api/contactfields/{existing_field.id}", {**field, "contact_field_id": existing_field.id}),
        "createGender": ("/api/genders", {"name": "Agender", "type": "O"}),
        "updateGender": (f"/api/genders/{gender.id}", {"name": "Male", "type": "M"}),
    }
    return requests[op_id.split(".", 1)[1].replace("patch", "update", 1)]


def _snapshot(app: Any) -> Any:
    return state(account(app)), state(backend(app).world.ids)


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
    assert crashes(caplog) == []


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


# -- broken text, huge numbers and duplicate keys in bodies ----------------------------------

STRINGS = [
    b'"\\u0000"', b'"a\\u0000b"', b'"\\ud800"', b'"\\udfff x"', b'"\\ud83d\\ude00"', b'"\\u202e\\u200b\\ufeff"',
    b'"\xff"', b'"\xed\xa0\x80"', b'"\xc0\xaf"', b'"\xf4\x90\x80\x80"', b'"a\x00b"', b'"\x1b[31m"', b'"' + b"x" * 200_000 + b'"',
]
NUMBERS = [b"1e400", b"-1e400", b"1" * 400, b"1" * 5000, b"1e-400", b"-0", b"9223372036854775808", b"0.1e1", b"1E+2"]
# What json_decode() reads as null: not UTF-8, a raw control character, a lone surrogate escape.
UNREADABLE = (b"\xff", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"\x00", b"\x1b", b"\\ud800", b"\\udfff")


def _sweep_values(op_id: str, values: list[bytes], caplog: pytest.LogCaptureFixture) -> list[tuple[str, bytes, Any]]:
    """Each value in each field of the operation's valid body: every answer one Monica
    sends (never the fake's own 500), every rejection leaving the account as it was."""
    app = strict_app(monica_rate_limit=100_000)
    client = app.test_client()
    store = app.extensions["mockserver"].store
    op = TABLE.get(op_id)
    path, body = _valid_request(app, op_id)
    headers = auth(**{"Content-Type": "application/json"})
    empty = client.open(path, method=op.method, data=b"{}", headers=headers).get_json()
    seeded_state = _snapshot(app)
    outcomes = []
    for field in body:
        for value in values:
            r = client.open(path, method=op.method, data=with_field(body, field, "\x00VALUE\x00").replace(b"\x00VALUE\x00", value),
                            headers=headers)
            assert r.get_json() != SERVER_ERROR, (field, value[:40])
            if r.status_code >= 400:
                assert _snapshot(app) == seeded_state, (field, value[:40])
            else:
                store.reset()
            if any(bad in value for bad in UNREADABLE):
                assert (r.status_code, r.get_json()) == (422, empty), (field, value[:40])
            outcomes.append((field, value, r))
    assert crashes(caplog) == []
    return outcomes


@pytest.mark.parametrize("op_id", [op.id for op in WRITES])
def test_broken_text_in_every_field_is_empty_input(op_id, caplog):
    _sweep_values(op_id, STRINGS, caplog)


@pytest.mark.parametrize("op_id", [op.id for op in WRITES])
def test_huge_numbers_in_every_field(op_id, caplog):
    for field, value, r in _sweep_values(op_id, NUMBERS, caplog):
        if op_id.endswith("ContactFieldType") and field == "name" and value in (b"1e400", b"1" * 400):
            assert r.get_json()["data"]["name"] == "INF"  # a float beyond PHP_INT_MAX, as PHP writes it in a string column


def test_a_duplicate_key_takes_its_last_value():
    app = strict_app()
    text = b'{"name": "first", "protocol": "a:", "name": "second"}'
    r = app.test_client().post("/api/contactfieldtypes", data=text, headers=auth(**{"Content-Type": "application/json"}))
    assert r.status_code == 201 and (r.get_json()["data"]["name"], r.get_json()["data"]["protocol"]) == ("second", "a:")


# -- hostile query strings, ids and methods ---------------------------------------------------

QUERY_VALUES = ["%ff", "%00", "%ed%a0%80", "%c0%af", "%", "%zz", "%u0000", "1e999", "99999999999999999999999", "9" * 5000, "-1", "-1e400", "NaN",
                "Infinity", "0x10", "%20", "[]", "a" * 10_000, "%2e%2e%2f", "contactfields%00"]
IDS = ["0", "-1", "1.5", "1e3", "1e400", "99999999999999999999999", "null", "true", "[]", "%7B%7D", "%00", "%ff", "%ed%a0%80", "%2e%2e",
       "..", ".", "%2F", "%252F", "%C3%A9", "%F0%9F%98%80", "a" * 10_000, "9" * 5000, "1'%20OR%20'1'='1", "%3Cscript%3E", "%0d%0aX-Injected:%201", "%20"]


def test_hostile_query_strings_on_every_parameter(caplog):
    app = strict_app(monica_rate_limit=100_000)
    client = app.test_client()
    s = seeded(app)
    params = {"contact_id": s["active"].id, "conversation_id": s["conversation"].id, "cft_id": s["email"].id}
    seeded_state = _snapshot(app)
    for op in TABLE:
        if op.method != "GET" or not op.query:
            continue
        path = op.full_path.format(**{name: params[name] for name in op.path_params})
        for param in op.query:
            for value in QUERY_VALUES:
                r = client.get(path, query_string=f"{param.name}={value}", headers=auth())
                assert r.get_json() != SERVER_ERROR, (op.id, param.name, value[:40])
    assert _snapshot(app) == seeded_state
    assert crashes(caplog) == []


def test_ids_of_every_shape_on_every_operation_that_takes_one(caplog):
    app = strict_app(monica_rate_limit=100_000)
    client = app.test_client()
    seeded_state = _snapshot(app)
    headers = auth(**{"Content-Type": "application/json"})
    for op in TABLE:
        if not op.path_params:
            continue
        body = json.dumps(_valid_request(app, op.id)[1]) if op.request else None
        for bad in IDS:
            r = client.open(op.full_path.format(**{name: bad for name in op.path_params}), method=op.method, data=body, headers=headers)
            assert r.get_json() != SERVER_ERROR, (op.id, bad[:40])
            if r.status_code < 400:  # `1.5` and `1' OR '1'='1` are id 1 to PHP's int arguments or to MySQL
                app.extensions["mockserver"].store.reset()
            assert _snapshot(app) == seeded_state, (op.id, bad[:40])
    assert crashes(caplog) == []


@pytest.mark.parametrize("method", ["FOO", "PROPFIND", "TRACE", "M-SEARCH", "BREW", "PURGE"])
def test_unknown_methods_are_laravels_405_on_known_paths_and_404_elsewhere(method):
    app = strict_app()
    client = app.test_client()
    seeded_state = _snapshot(app)
    r = client.open("/api/conversations", method=method, headers=auth())
    assert r.status_code == 405 and r.headers["Allow"] == "GET, HEAD, POST"
    assert r.get_json() == {"message": f"The {method} method is not supported for route api/conversations. Supported methods: GET, HEAD, POST."}
    assert "X-RateLimit-Remaining" not in r.headers
    missing = client.open("/api/nope", method=method, headers=auth())
    assert (missing.status_code, missing.get_json()) == (404, {"message": "The route api/nope could not be found."})
    assert _snapshot(app) == seeded_state


def test_slashes_inside_a_path_are_not_collapsed_as_laravel_matches_none():
    app = strict_app()
    c = app.test_client()
    for path, shown in (("/api//conversations", "api//conversations"), ("/api/contacts/%2F", "api/contacts/%2F")):
        r = c.get(path, headers=auth())
        assert (r.status_code, r.get_json()) == (404, {"message": f"The route {shown} could not be found."})
    assert c.get("/api/conversations/", headers=auth()).status_code == 200  # one trailing slash is Laravel's own `/x/`


def test_the_control_api_refuses_bodies_nested_deeper_than_512_levels():
    app = strict_app()
    before = _snapshot(app)
    for depth in (512, 513, 2000):
        body = with_field({"first_name": "Deep"}, "last_name", nested(depth, "array"))
        r = app.test_client().post("/__mockserver/monica/contacts", data=body, content_type="application/json")
        assert r.status_code == 400 and set(r.get_json()) == {"error", "message"}, depth
    assert _snapshot(app) == before


def test_a_limit_of_minus_infinity_is_every_row_on_one_page_of_per_page_0():
    """`limit=-1e400` is -INF to PHP: not over 100, truthy, no SQL LIMIT, and (int) -INF is 0."""
    app = strict_app()
    body = app.test_client().get("/api/conversations?limit=-1e400", headers=auth()).get_json()
    assert len(body["data"]) == len(account(app).conversations)
    assert {k: body["meta"][k] for k in ("per_page", "last_page", "from", "to")} == {"per_page": 0, "last_page": 1, "from": 1, "to": len(body["data"])}


def test_an_integer_of_thousands_of_digits_is_no_integer_nor_an_id():
    app = strict_app()
    c = app.test_client()
    s = seeded(app)
    before = _snapshot(app)
    text = b'{"happened_at": "2020-01-01", "contact_id": ' + b"9" * 5000 + b', "contact_field_type_id": %d}' % s["email"].id
    r = c.post("/api/conversations", data=text, headers=auth(**{"Content-Type": "application/json"}))
    assert (r.status_code, r.get_json()["error"]["message"]) == (422, ["The contact id must be an integer.", "The selected contact id is invalid."])
    r = c.delete("/api/conversations/" + "9" * 5000, headers=auth())
    assert r.status_code == 500 and "must be of type int, string given" in r.get_json()["message"]
    assert _snapshot(app) == before
