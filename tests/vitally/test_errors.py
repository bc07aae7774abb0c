"""App-level errors under /resources answer in Vitally's error body and change nothing."""
from __future__ import annotations

import json

import pytest

from .conftest import assert_error, basic, conversation_body, message_body, strict_app, unchanged


def test_unknown_routes_are_404(client, h, app):
    with unchanged(app):
        for path in ("/resources/nope", "/resources", "/resources/conversations/x/y/z", "/resources/customFieldz"):
            response = client.get(path, headers=h)
            assert_error(response, 404)
            assert b"<html" not in response.data.lower()


@pytest.mark.parametrize("method,path,allowed", [
    ("PATCH", "/resources/conversations", {"GET", "POST"}),
    ("DELETE", "/resources/conversations", {"GET", "POST"}),
    ("POST", "/resources/messages/x", {"GET", "DELETE"}),
    ("PUT", "/resources/admins", {"GET"}),
    ("DELETE", "/resources/users/x", {"GET", "PUT"}),
])
def test_wrong_methods_are_405_with_allow(client, h, app, method, path, allowed):
    with unchanged(app):
        response = client.open(path, method=method, headers=h, json={})
        assert_error(response, 405)
    allow = {m.strip() for m in response.headers["Allow"].split(",")}
    assert allowed <= allow and method not in allow


@pytest.mark.parametrize("data", [
    b"{", b"{'externalId': 'x'}", b'{"externalId": "x",}', b"nul", b"\xff\xfe{}", b'{"a": NaN}', b'{"a": Infinity}',
    b'{"a": -Infinity}', b"[" * 100_000, b'{"a":' * 50_000,
])
def test_malformed_json_is_400(client, h, app, data):
    with unchanged(app):
        response = client.post("/resources/conversations", data=data, headers={**h, "Content-Type": "application/json"})
        assert_error(response, 400, message="Invalid request payload JSON format")


def test_numbers_json_cannot_carry_are_400(client, h, app):
    """1e999 overflows to infinity: accepting it would store a value JSON cannot send back."""
    body = json.dumps(conversation_body("inf", traits={"x": 1})).replace('"x": 1', '"x": 1e999')
    with unchanged(app):
        response = client.post("/resources/conversations", data=body, headers={**h, "Content-Type": "application/json"})
        assert_error(response, 400, message="Invalid request payload JSON format")


@pytest.mark.parametrize("data", [b"[]", b'"text"', b"42", b"null", b"true", b"", b"   "])
def test_non_object_or_empty_body_is_400(client, h, app, data):
    with unchanged(app):
        assert_error(client.post("/resources/conversations", data=data, headers={**h, "Content-Type": "application/json"}), 400,
                     message="body must be an object")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"])
def test_wrong_content_type_is_415(client, h, app, content_type):
    with unchanged(app):
        response = client.post("/resources/conversations", data=json.dumps(conversation_body("ct")), headers={**h, "Content-Type": content_type})
        assert_error(response, 415)


def test_json_with_charset_and_vendor_suffix_is_accepted(client, h):
    for i, content_type in enumerate(["application/json; charset=utf-8", "application/vnd.api+json"]):
        response = client.post("/resources/conversations", data=json.dumps(conversation_body(f"ct-{i}")), headers={**h, "Content-Type": content_type})
        assert response.status_code == 200


def test_oversized_body_is_413():
    app = strict_app(max_body_bytes=2000)
    client = app.test_client()
    h = basic("sk_test_mockserver")
    body = json.dumps(conversation_body("big", traits={"blob": "x" * 5000}))
    with unchanged(app):
        response = client.post("/resources/conversations", data=body, headers={**h, "Content-Type": "application/json"})
        assert_error(response, 413, contains="2000")
    small = client.post("/resources/conversations", json=conversation_body("small"), headers=h)
    assert small.status_code == 200


def test_default_body_limit_is_one_mebibyte(client, h, app):
    body = json.dumps(conversation_body("big", traits={"blob": "x" * 1_100_000}))
    with unchanged(app):
        assert_error(client.post("/resources/conversations", data=body, headers={**h, "Content-Type": "application/json"}), 413)


@pytest.mark.parametrize("body,message", [
    ({"externalId": 5, "subject": "s", "messages": []}, "externalId must be a string"),
    ({"externalId": "", "subject": "s", "messages": []}, "externalId must not be empty"),
    ({"externalId": "x", "subject": None, "messages": []}, "subject must be a string"),
    ({"externalId": "x", "subject": "s", "messages": {}}, "messages must be an array"),
    ({"externalId": "x", "subject": "s", "messages": [7]}, "messages[0] must be an object"),
    ({"externalId": "x", "subject": "s", "messages": [], "traits": [1]}, "traits must be an object"),
    ({"externalId": "x", "subject": "s", "messages": [{"externalId": "m", "message": "x", "from": {"type": "admin", "id": "a"}, "to": "u"}]},
     "messages[0].to must be an array"),
])
def test_wrong_types_are_400_naming_the_field(client, h, app, body, message):
    with unchanged(app):
        assert_error(client.post("/resources/conversations", json=body, headers=h), 400, message=message)


def test_every_kind_of_bad_write_leaves_the_store_and_ids_untouched(client, h, app, user_id, admin_id):
    """After a barrage of rejected writes, the next create gets the id a fresh app gives."""
    bad = [
        ("POST", "/resources/conversations", {"externalId": "x"}),
        ("POST", "/resources/conversations", conversation_body("thread-4000")),
        ("POST", "/resources/conversations", conversation_body("x", [message_body("m", ("admin", admin_id), [("user", "ghost")])])),
        ("POST", "/resources/conversations", conversation_body("x", [message_body("m", ("admin", admin_id), [("user", user_id)], timestamp="2024-01-01T00:00:00+99:00")])),
        ("POST", "/resources/conversations/thread-4000/messages", message_body("msg-0-0", ("admin", admin_id), [("user", user_id)])),
        ("POST", "/resources/accounts", {"externalId": "a", "name": "n", "organizationId": "ghost"}),
        ("POST", "/resources/users", {"externalId": "u", "organizationIds": ["ghost"]}),
        ("POST", "/resources/organizations", {"externalId": "org-1000", "name": "dup"}),
        ("PUT", "/resources/conversations/thread-4000", {"externalId": "changed"}),
        ("PUT", "/resources/users/user-3000", {"accountIds": ["ghost"]}),
        ("DELETE", "/resources/messages/ghost", None),
    ]
    with unchanged(app):
        for method, path, body in bad:
            response = client.open(path, method=method, json=body, headers=h)
            assert response.status_code in (400, 404), (method, path, response.get_json())
    fresh = strict_app()
    good = conversation_body("after", [message_body("m", ("admin", admin_id), [("user", user_id)], timestamp="2024-01-01T00:00:00Z")])
    mine = client.post("/resources/conversations", json=good, headers=h).get_json()
    theirs = fresh.test_client().post("/resources/conversations", json=good, headers=h).get_json()
    assert mine["id"] == theirs["id"]
    assert mine["messages"][0]["id"] == theirs["messages"][0]["id"]


def test_double_slashes_are_collapsed(client, h):
    response = client.get("/x", headers=h, environ_overrides={"PATH_INFO": "//resources//conversations"})
    assert response.status_code == 200
    assert len(response.get_json()["results"]) == 25


def test_errors_on_control_paths_are_not_vitally_shaped(client):
    # outside /resources the fake's own format answers (no statusCode)
    body = client.get("/__mockserver/nope").get_json()
    assert "statusCode" not in body and body["error"]
