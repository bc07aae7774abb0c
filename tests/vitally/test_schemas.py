"""Every response validates against its schema; validation errors name the path and rule."""
from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from mockserver.resources import data_dir
from mockserver.validation import problems, schema_names

from .conftest import conversation_body, list_all, message_body


def test_every_schema_is_a_valid_2020_12_schema():
    names = schema_names("vitally")
    assert "conversation" in names and "error" in names
    for name in names:
        Draft202012Validator.check_schema(json.loads((data_dir("schemas") / "vitally" / f"{name}.json").read_text()))


def test_every_endpoint_answers_in_its_schema(client, h, user_id, admin_id):
    account = list_all(client, "/resources/accounts", h)[0]
    org = list_all(client, "/resources/organizations", h)[0]
    user = client.get(f"/resources/users/{user_id}", headers=h).get_json()
    admin = client.get("/resources/admins?limit=1", headers=h).get_json()["results"][0]
    conv = client.post("/resources/conversations", json=conversation_body("s-1", [
        message_body("m1", ("admin", admin_id), [("user", user_id)], cc=[{"type": "user", "id": user_id}])]), headers=h).get_json()
    msg = conv["messages"][0]
    calls = [
        ("GET", "/resources/conversations", None, "conversation-page"),
        ("GET", "/resources/conversations?sortBy=createdAt&limit=2", None, "conversation-page"),
        ("GET", f"/resources/accounts/{account['id']}/conversations", None, "conversation-page"),
        ("GET", f"/resources/organizations/{org['id']}/conversations", None, "conversation-page"),
        ("GET", f"/resources/conversations/{conv['id']}", None, "conversation"),
        ("PUT", f"/resources/conversations/{conv['id']}", {"subject": "x", "messages": [{"externalId": "m1", "message": "y"}]}, "conversation"),
        ("POST", f"/resources/conversations/{conv['id']}/messages", message_body("m2", ("user", user_id), [("admin", admin_id)]), "message"),
        ("GET", f"/resources/messages/{msg['id']}", None, "message"),
        ("GET", "/resources/accounts?status=activeOrChurned", None, "account-page"),
        ("GET", f"/resources/accounts/{account['id']}", None, "account"),
        ("POST", "/resources/accounts", {"externalId": "s-a", "name": "A", "organizationId": org["id"]}, "account"),
        ("PUT", f"/resources/accounts/{account['id']}", {"traits": {"mrr": 5}}, "account"),
        ("GET", f"/resources/accounts/{account['id']}/users", None, "user-page"),
        ("GET", "/resources/users", None, "user-page"),
        ("GET", f"/resources/users/{user_id}", None, "user"),
        ("POST", "/resources/users", {"externalId": "s-u", "accountIds": [account["id"]], "joinDate": "2024-01-01T00:00:00Z"}, "user"),
        ("PUT", f"/resources/users/{user_id}", {"name": None}, "user"),
        ("GET", f"/resources/users/search?email={user['email']}", None, "user-search"),
        ("GET", "/resources/organizations", None, "organization-page"),
        ("GET", f"/resources/organizations/{org['id']}", None, "organization"),
        ("POST", "/resources/organizations", {"externalId": "s-o", "name": "O"}, "organization"),
        ("PUT", f"/resources/organizations/{org['id']}", {"name": "O2"}, "organization"),
        ("GET", f"/resources/organizations/{org['id']}/accounts", None, "account-page"),
        ("GET", f"/resources/organizations/{org['id']}/users", None, "user-page"),
        ("GET", "/resources/admins", None, "admin-page"),
        ("GET", f"/resources/admins/search?email={admin['email']}", None, "admin"),
        ("DELETE", f"/resources/messages/{msg['id']}", None, "deleted"),
        ("DELETE", f"/resources/conversations/{conv['id']}", None, "deleted"),
        # errors, from the model, the routes, auth and the app
        ("GET", f"/resources/conversations/{conv['id']}", None, "error"),
        ("POST", "/resources/conversations", {}, "error"),
        ("GET", "/resources/nope", None, "error"),
        ("PATCH", "/resources/users", None, "error"),
    ]
    for method, path, body, schema in calls:
        response = client.open(path, method=method, json=body, headers=h)
        assert (response.status_code < 400) == (schema != "error"), (method, path, response.get_json())
        found = problems("vitally", schema, response.get_json())
        assert found == [], (method, path, [p.message for p in found])
    unauthenticated = client.get("/resources/conversations")
    assert problems("vitally", "error", unauthenticated.get_json()) == []


def test_schemas_reject_what_the_vendor_never_sends(client, h):
    """The response schemas are tight enough to catch a wrong shape."""
    item = client.get("/resources/conversations?limit=1", headers=h).get_json()["results"][0]
    full = client.get(f"/resources/conversations/{item['id']}", headers=h).get_json()
    assert problems("vitally", "conversation-item", full)  # list items carry no messages
    assert problems("vitally", "conversation-page", {"results": [], "next": ""})  # atEnd missing, empty cursor
    bad_time = dict(full["messages"][0], timestamp="2024-01-01T00:00:00Z")  # no milliseconds
    assert [p.message for p in problems("vitally", "message", bad_time)] == ["timestamp has an invalid format"]
    assert problems("vitally", "message", dict(full["messages"][0], type="sideways"))


@pytest.mark.parametrize("schema,instance,message", [
    ("conversation.create", {"subject": "s", "messages": []}, "externalId is required"),
    ("conversation.create", {"externalId": "x", "subject": "s", "messages": [{"externalId": "m", "message": "x", "from": {"type": "account", "id": "a"}, "to": []}]},
     "messages[0].from.type must be one of admin, user"),
    ("conversation.create", {"externalId": "x", "subject": "s", "messages": [{"externalId": "m", "message": "x", "from": {"type": "user", "id": "a"}, "to": {}}]},
     "messages[0].to must be an array"),
    ("conversation.create", {"externalId": "x", "subject": "s", "messages": [{"externalId": "m", "message": "x", "from": {"type": "user"}, "to": []}]},
     "messages[0].from.id is required"),
    ("conversation.create", {"externalId": "x", "subject": "s", "messages": [{}, {"externalId": 3}]}, "messages[0].externalId is required"),
    ("message.create", {"externalId": "m", "message": "x", "from": {"type": "user", "id": "a"}, "to": [], "timestamp": "noon"},
     "timestamp must be a valid date-time"),
    ("conversation.update", {"traits": "x"}, "traits must be an object"),
    ("user.create", {"externalId": "u", "accountIds": [""]}, "accountIds[0] must not be empty"),
    ("account.create", [], "body must be an object"),
])
def test_validation_messages_name_the_path_and_rule(schema, instance, message):
    found = problems("vitally", schema, instance)
    assert found and found[0].message == message


def test_the_api_returns_the_first_problem(client, h, app):
    body = {"externalId": "x", "subject": "s", "messages": [{"externalId": "m", "message": "x", "from": {"type": "bot", "id": "a"}, "to": {}}]}
    response = client.post("/resources/conversations", json=body, headers=h)
    assert response.status_code == 400
    assert response.get_json()["message"] == "messages[0].from.type must be one of admin, user"
