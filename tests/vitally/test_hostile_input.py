"""Hostile input to Vitally: bodies nested to any depth, broken text, odd ids.

Every answer is Vitally's error body (or a success the operation declares: the
suite runs strict), nothing is logged as a crash, and every rejected write leaves
the workspace exactly as it was.
"""
from __future__ import annotations

import json
from typing import Any

import pytest
from sweeps import DEPTHS, SHAPES, crashes, nested, state, with_field

from mockserver import jsontext
from mockserver.validation import validator
from mockserver.vitally.operations import TABLE

from .conftest import VITALLY_KEY, assert_error, basic, conversation_body, message_body, seeded_ids, strict_app, workspace

JSON = {**basic(VITALLY_KEY), "Content-Type": "application/json"}
WRITES = [op for op in TABLE if op.request is not None]


def _valid_request(app: Any, op_id: str) -> tuple[str, dict[str, Any]]:
    """A path and a body that the operation accepts, using every field of its schema."""
    ids = seeded_ids(app)
    ws = workspace(app)
    user, admin, account, org, conv = ids["users"][0], ids["admins"][0], ids["accounts"][0], ids["organizations"][0], ids["conversations"][0]
    url = "https://example.com/1"
    message = message_body("deep-m", ("user", user), [("admin", admin)], cc=[], bcc=[], timestamp="2021-01-01T00:00:00.000Z",
                           externalUrl=url, conversationId=conv)
    account_body = {"name": "A", "organizationId": org, "accountOwnerId": admin, "traits": {"t": 1}}
    user_body = {"name": "U", "email": "u@example.com", "avatar": url, "traits": {"t": 1}, "accountIds": [account], "organizationIds": [org],
                 "unsubscribedFromConversations": False, "joinDate": "2021-01-01T00:00:00.000Z"}
    org_body = {"name": "O", "organizationOwnerId": admin, "traits": {"t": 1}}
    requests = {
        "createConversation": ("/resources/conversations", conversation_body("deep", [message], traits={"t": 1}, externalUrl=url)),
        "updateConversation": (f"/resources/conversations/{conv}",
                               {"externalId": ws.conversations.rows[conv].external_id, "subject": "s", "messages": [message],
                                "traits": {"t": 1}, "externalUrl": url}),
        "createMessage": (f"/resources/conversations/{conv}/messages", message),
        "createAccount": ("/resources/accounts", {"externalId": "deep-a", **account_body}),
        "updateAccount": (f"/resources/accounts/{account}", {"externalId": ws.accounts.rows[account].external_id, **account_body}),
        "createUser": ("/resources/users", {"externalId": "deep-u", **user_body}),
        "updateUser": (f"/resources/users/{user}", {"externalId": ws.users.rows[user].external_id, **user_body}),
        "createOrganization": ("/resources/organizations", {"externalId": "deep-o", **org_body}),
        "updateOrganization": (f"/resources/organizations/{org}", {"externalId": ws.organizations.rows[org].external_id, **org_body}),
    }
    return requests[op_id.split(".", 1)[1]]


def test_the_sweep_covers_every_write_operation():
    app = strict_app()
    for op in WRITES:
        path, body = _valid_request(app, op.id)
        assert set(body) == set(validator("vitally", op.request).schema["properties"]), op.id


@pytest.mark.parametrize("op_id", [op.id for op in WRITES])
def test_every_field_of_every_write_at_every_depth(op_id, caplog):
    """Up to 512 levels a body is read as JSON and each depth from 2 on answers alike;
    deeper, it is `Invalid request payload JSON format`. Never a 500."""
    app = strict_app()
    client = app.test_client()
    store = app.extensions["mockserver"].store
    op = TABLE.get(op_id)
    path, body = _valid_request(app, op_id)
    assert client.open(path, method=op.method, data=json.dumps(body), headers=JSON).status_code == 200, "the sweep starts from a valid body"
    store.reset()
    seeded = state(workspace(app))
    for field in [None, *body]:
        for shape in SHAPES:
            reference: tuple[int, Any] | None = None
            for depth in DEPTHS:
                where = (op_id, field, shape, depth)
                r = client.open(path, method=op.method, data=with_field(body, field, nested(depth, shape)), headers=JSON)
                levels = depth + (field is not None)
                if levels > jsontext.MAX_DEPTH:
                    assert_error(r, 400, message="Invalid request payload JSON format")
                assert r.status_code != 500, where
                if r.status_code >= 400:
                    assert_error(r, r.status_code)
                    assert state(workspace(app)) == seeded, where
                else:
                    if field == "traits" and op.id.startswith("vitally.create"):
                        assert json.dumps(r.get_json()["traits"], separators=(",", ":")) == nested(depth, shape), where
                    store.reset()
                answer = (r.status_code, r.get_json() if r.status_code >= 400 else None)
                if depth == 2:
                    reference = answer
                elif depth > 2 and levels <= jsontext.MAX_DEPTH:
                    assert answer == reference, where  # from 2 levels on, only the depth differs
    assert crashes(caplog) == []


# -- broken text, huge numbers and duplicate keys in bodies ----------------------------------

STRINGS = [
    b'"\\u0000"', b'"a\\u0000b"', b'"\\ud800"', b'"\\udfff x"', b'"\\ud83d\\ude00"', b'"\\u202e\\u200b\\ufeff"',
    b'"\xff"', b'"\xed\xa0\x80"', b'"\xc0\xaf"', b'"\xf4\x90\x80\x80"', b'"a\x00b"', b'"\x1b[31m"', b'"' + b"x" * 200_000 + b'"',
]
NUMBERS = [b"1e400", b"-1e400", b"1" * 400, b"1" * 5000, b"1e-400", b"-0", b"123456789012345678901234567890", b"0.1e1", b"1E+2"]
INVALID_UTF8 = (b"\xff", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80")


def _sweep_values(op_id: str, values: list[bytes], caplog: pytest.LogCaptureFixture) -> list[tuple[str, bytes, int]]:
    """Each value in each field of the operation's valid body: every answer declared and in
    Vitally's format, every rejection leaving the workspace as it was."""
    app = strict_app()
    client = app.test_client()
    store = app.extensions["mockserver"].store
    op = TABLE.get(op_id)
    path, body = _valid_request(app, op_id)
    seeded = state(workspace(app))
    outcomes = []
    for field in body:
        for value in values:
            r = client.open(path, method=op.method, data=with_field(body, field, "\x00VALUE\x00").replace(b"\x00VALUE\x00", value),
                            headers=JSON)
            assert r.status_code != 500, (field, value[:40])
            if r.status_code >= 400:
                assert_error(r, r.status_code)
                assert state(workspace(app)) == seeded, (field, value[:40])
            else:
                store.reset()
            outcomes.append((field, value, r.status_code))
    assert crashes(caplog) == []
    return outcomes


@pytest.mark.parametrize("op_id", [op.id for op in WRITES])
def test_broken_text_in_every_field(op_id, caplog):
    for field, value, status in _sweep_values(op_id, STRINGS, caplog):
        if any(bad in value for bad in INVALID_UTF8) or b"\x00" in value or b"\x1b" in value:
            assert status == 400, (field, value)  # not UTF-8, or a raw control character: not JSON


@pytest.mark.parametrize("op_id", [op.id for op in WRITES])
def test_huge_numbers_in_every_field(op_id, caplog):
    for field, value, status in _sweep_values(op_id, NUMBERS, caplog):
        if value in (b"1e400", b"-1e400", b"1" * 400, b"1" * 5000):
            assert status == 400, (field, value)  # beyond a double: as out of range for Node as 1e999


def test_strings_with_nul_and_lone_surrogates_are_stored_and_sent_back_as_sent(client, h):
    """Node's JSON.parse takes lone surrogate escapes, and JSON.stringify sends them back escaped."""
    text = '{"externalId": "odd", "subject": "a\\u0000b \\ud800 \\ud83d\\ude00", "messages": [], "traits": {"\\udc00": "\\u0000"}}'
    r = client.post("/resources/conversations", data=text, headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 200
    assert b'"subject":"a\\u0000b \\ud800 \\ud83d\\ude00"' in r.data and b'"traits":{"\\udc00":"\\u0000"}' in r.data
    assert client.get("/resources/conversations/odd", headers=h).get_json()["subject"] == "a\x00b \ud800 \U0001F600"


def test_a_duplicate_key_takes_its_last_value(client, h):
    text = '{"externalId": "first", "subject": "s", "messages": [], "externalId": "second", "traits": {"a": 1, "a": 2}}'
    r = client.post("/resources/conversations", data=text, headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 200 and r.get_json()["externalId"] == "second" and r.get_json()["traits"] == {"a": 2}
    assert client.get("/resources/conversations/first", headers=h).status_code == 404


# -- hostile query strings, ids and methods ---------------------------------------------------

QUERY_VALUES = [b"%ff", b"%00", b"%ed%a0%80", b"%c0%af", b"%", b"%zz", b"%u0000", b"1e999", b"99999999999999999999999", b"9" * 5000, b"-1", b"-1e400", b"NaN",
                b"Infinity", b"0x10", b"%20", b"[]", b"a" * 10_000, b"%2e%2e%2f"]
IDS = ["0", "-1", "1.5", "1e3", "99999999999999999999999", "null", "true", "[]", "%7B%7D", "%00", "%ff", "%ed%a0%80", "%2e%2e", "..", ".",
       "%2F", "%252F", "%C3%A9", "%F0%9F%98%80", "a" * 10_000, "9" * 5000, "1'%20OR%20'1'='1", "%3Cscript%3E", "%0d%0aX-Injected:%201", " ", "%20"]


def test_hostile_query_strings_on_every_parameter(client, h, app, caplog):
    seeded = state(workspace(app))
    ids = seeded_ids(app)
    for op in TABLE:
        if op.method != "GET" or not op.query:
            continue
        path = op.full_path.format(**{name: ids[name.split("_")[0] + "s"][0] for name in op.path_params})
        for param in op.query:
            for value in QUERY_VALUES:
                r = client.get(path, query_string=f"{param.name}={value.decode()}", headers=h)
                assert r.status_code in (200, 400, 404), (op.id, param.name, value[:40])
                if r.status_code != 200:
                    assert_error(r, r.status_code)
    assert state(workspace(app)) == seeded
    assert crashes(caplog) == []


def test_ids_of_every_shape_on_every_operation_that_takes_one(client, h, app, caplog):
    seeded = state(workspace(app))
    for op in TABLE:
        if not op.path_params:
            continue
        body = json.dumps(_valid_request(app, op.id)[1]) if op.request else None
        for bad in IDS:
            path = op.full_path.format(**{name: bad for name in op.path_params})
            r = client.open(path, method=op.method, data=body, headers=JSON)
            # 404 (no such record), or 405 where a decoded `%2F` makes it another route's path
            assert r.status_code in (404, 405), (op.id, bad[:40])
            assert_error(r, r.status_code)
            assert state(workspace(app)) == seeded, (op.id, bad[:40])
    assert crashes(caplog) == []


@pytest.mark.parametrize("method", ["FOO", "PROPFIND", "TRACE", "M-SEARCH", "BREW", "PURGE"])
def test_unknown_methods_are_405_on_known_paths_and_404_elsewhere(client, h, app, method):
    seeded = state(workspace(app))
    r = client.open("/resources/conversations", method=method, headers=h)
    assert_error(r, 405)
    assert set(r.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert "RateLimit-Remaining" not in r.headers
    assert_error(client.open("/resources/nope", method=method, headers=h), 404)
    assert state(workspace(app)) == seeded
