"""Messages: create in a conversation, get, delete; type, cc/bcc, timestamps."""
from __future__ import annotations

import re

import pytest

from .conftest import ISO_MS_Z, UUID, assert_error, conversation_body, list_all, message_body, strict_app, unchanged

MESSAGE_KEYS = {"id", "type", "externalId", "externalUrl", "conversationId", "message", "timestamp", "from", "to", "cc", "bcc"}


@pytest.fixture
def conv(client, h, user_id, admin_id):
    body = conversation_body("thread-m", [
        message_body("m1", ("admin", admin_id), [("user", user_id)], timestamp="2024-01-01T10:00:00.000Z")])
    return client.post("/resources/conversations", json=body, headers=h).get_json()


@pytest.mark.parametrize("sender_type,expected", [("admin", "outbound"), ("user", "inbound")])
def test_type_is_inferred_from_the_sender(client, h, conv, user_id, admin_id, sender_type, expected):
    sender = ("admin", admin_id) if sender_type == "admin" else ("user", user_id)
    to = [("user", user_id)] if sender_type == "admin" else [("admin", admin_id)]
    response = client.post(f"/resources/conversations/{conv['id']}/messages", json=message_body("m2", sender, to), headers=h)
    assert response.status_code == 200
    msg = response.get_json()
    assert set(msg) == MESSAGE_KEYS
    assert msg["type"] == expected
    assert re.match(UUID, msg["id"]) and msg["conversationId"] == conv["id"]
    assert msg["cc"] == [] and msg["bcc"] == []
    assert msg["externalUrl"] is None
    assert re.match(ISO_MS_Z, msg["timestamp"])
    assert client.get(f"/resources/messages/{msg['id']}", headers=h).get_json() == msg


def test_created_message_appears_in_the_conversation_and_bumps_it(client, h, conv, user_id, admin_id, ids):
    other_user = ids["users"][2]
    body = message_body("m2", ("user", other_user), [("admin", admin_id)],
                        cc=[{"type": "user", "id": user_id}], bcc=[{"type": "admin", "id": ids["admins"][1]}],
                        timestamp="2023-12-31T10:00:00.000Z", conversationId="ignored-thread")
    msg = client.post("/resources/conversations/thread-m/messages", json=body, headers=h).get_json()
    assert msg["conversationId"] == conv["id"]
    assert msg["cc"] == [{"type": "user", "id": user_id}]
    assert msg["bcc"] == [{"type": "admin", "id": ids["admins"][1]}]
    after = client.get(f"/resources/conversations/{conv['id']}", headers=h).get_json()
    assert [m["externalId"] for m in after["messages"]] == ["m2", "m1"]  # earlier timestamp first
    assert {u["id"] for u in after["users"]} == {user_id, other_user}
    assert {a["id"] for a in after["admins"]} == {admin_id, ids["admins"][1]}
    assert after["updatedAt"] >= conv["updatedAt"]
    # posting a message moves the conversation to the front of updatedAt order
    oldest = list_all(client, "/resources/conversations", h)[-1]
    client.post(f"/resources/conversations/{oldest['id']}/messages",
                json=message_body("bump", ("admin", admin_id), [("user", user_id)]), headers=h)
    assert client.get("/resources/conversations?limit=1", headers=h).get_json()["results"][0]["id"] == oldest["id"]


@pytest.mark.parametrize("given,expected", [
    ("2024-03-10T12:34:56Z", "2024-03-10T12:34:56.000Z"),
    ("2024-03-10T12:34:56.7Z", "2024-03-10T12:34:56.700Z"),
    ("2024-03-10T14:34:56.123+02:00", "2024-03-10T12:34:56.123Z"),
    ("2024-03-10T07:04:56.123-05:30", "2024-03-10T12:34:56.123Z"),
    ("2024-03-11T00:30:00+01:00", "2024-03-10T23:30:00.000Z"),
])
def test_timestamps_are_normalised_to_utc_with_milliseconds(client, h, conv, user_id, admin_id, given, expected):
    body = message_body("ts", ("admin", admin_id), [("user", user_id)], timestamp=given)
    msg = client.post(f"/resources/conversations/{conv['id']}/messages", json=body, headers=h).get_json()
    assert msg["timestamp"] == expected


@pytest.mark.parametrize("bad", [
    "yesterday", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z", "2024-01-01T25:00:00Z", "2024-01-01",
    "2024-01-01T10:00:00",  # no offset: ambiguous
    "2024-01-01T10:00:00+25:00", "2024-01-01T10:00:00+05:60",
    "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+01:00",  # outside the representable range in UTC
    "",
])
def test_bad_timestamps_are_rejected(client, h, app, conv, user_id, admin_id, bad):
    body = message_body("ts", ("admin", admin_id), [("user", user_id)], timestamp=bad)
    with unchanged(app):
        assert_error(client.post(f"/resources/conversations/{conv['id']}/messages", json=body, headers=h), 400,
                     message="timestamp must be a valid date-time")
        create = conversation_body("t-ts", [body])
        assert_error(client.post("/resources/conversations", json=create, headers=h), 400,
                     message="messages[0].timestamp must be a valid date-time")
        assert_error(client.put(f"/resources/conversations/{conv['id']}", json={"messages": [{"externalId": "m1", "timestamp": bad}]},
                                headers=h), 400, message="messages[0].timestamp must be a valid date-time")


@pytest.mark.parametrize("missing", ["externalId", "message", "from", "to"])
def test_required_message_fields(client, h, app, conv, user_id, admin_id, missing):
    body = message_body("m9", ("admin", admin_id), [("user", user_id)])
    del body[missing]
    with unchanged(app):
        assert_error(client.post(f"/resources/conversations/{conv['id']}/messages", json=body, headers=h), 400,
                     message=f"{missing} is required")


def test_duplicate_external_id_in_a_conversation_is_rejected(client, h, app, conv, user_id, admin_id):
    with unchanged(app):
        assert_error(client.post(f"/resources/conversations/{conv['id']}/messages",
                                 json=message_body("m1", ("user", user_id), [("admin", admin_id)]), headers=h), 400, contains="m1")
    body = conversation_body("t2", [message_body("x", ("admin", admin_id), [("user", user_id)]),
                                    message_body("x", ("user", user_id), [("admin", admin_id)])])
    with unchanged(app):
        assert_error(client.post("/resources/conversations", json=body, headers=h), 400, contains="x")


def test_participants_must_exist(client, h, app, conv, user_id, admin_id):
    url = f"/resources/conversations/{conv['id']}/messages"
    for field, value in (("from", {"type": "user", "id": "ghost"}),
                         ("to", [{"type": "admin", "id": "ghost"}]),
                         ("cc", [{"type": "user", "id": "ghost"}]),
                         ("bcc", [{"type": "admin", "id": "ghost"}])):
        body = message_body("m5", ("admin", admin_id), [("user", user_id)])
        body[field] = value
        with unchanged(app):
            assert_error(client.post(url, json=body, headers=h), 400, contains="ghost")


@pytest.mark.parametrize("field,value,message", [
    ("from", {"type": "account", "id": "x"}, "from.type must be one of admin, user"),
    ("from", "someone", "from must be an object"),
    ("to", {"type": "user", "id": "x"}, "to must be an array"),
    ("cc", [{"type": "user"}], "cc[0].id is required"),
    ("message", 42, "message must be a string"),
    ("externalId", "", "externalId must not be empty"),
])
def test_wrong_types_are_rejected_with_the_path(client, h, app, conv, user_id, admin_id, field, value, message):
    body = message_body("m6", ("admin", admin_id), [("user", user_id)])
    body[field] = value
    with unchanged(app):
        assert_error(client.post(f"/resources/conversations/{conv['id']}/messages", json=body, headers=h), 400, message=message)


def test_post_to_unknown_conversation_is_404(client, h, app, user_id, admin_id):
    with unchanged(app):
        assert_error(client.post("/resources/conversations/nope/messages",
                                 json=message_body("m", ("admin", admin_id), [("user", user_id)]), headers=h), 404)


def test_get_unknown_message_is_404(client, h, app, conv):
    with unchanged(app):
        assert_error(client.get("/resources/messages/00000000-0000-4000-8000-000000000000", headers=h), 404)
        # a message's externalId is not its id
        assert_error(client.get("/resources/messages/m1", headers=h), 404)


def test_delete_message(client, h, app, conv, user_id, admin_id, ids):
    other = ids["users"][3]
    msg = client.post(f"/resources/conversations/{conv['id']}/messages",
                      json=message_body("m2", ("user", other), [("admin", admin_id)]), headers=h).get_json()
    response = client.delete(f"/resources/messages/{msg['id']}", headers=h)
    assert response.status_code == 200 and response.get_json() == {}
    assert_error(client.get(f"/resources/messages/{msg['id']}", headers=h), 404)
    after = client.get(f"/resources/conversations/{conv['id']}", headers=h).get_json()
    assert [m["externalId"] for m in after["messages"]] == ["m1"]
    assert {u["id"] for u in after["users"]} == {user_id}  # the sender of the deleted message is no longer associated
    with unchanged(app):
        assert_error(client.delete(f"/resources/messages/{msg['id']}", headers=h), 404)
    # its externalId can be used again
    again = client.post(f"/resources/conversations/{conv['id']}/messages",
                        json=message_body("m2", ("admin", admin_id), [("user", user_id)]), headers=h)
    assert again.status_code == 200


def test_messages_of_another_workspace_are_invisible(h):
    app = strict_app(vitally_keys=["k1", "k2"])
    client = app.test_client()
    from .conftest import basic, seeded_ids

    k1 = seeded_ids(app, "k1")
    conv_id = k1["conversations"][0]
    msg = client.get(f"/resources/conversations/{conv_id}", headers=basic("k1")).get_json()["messages"][0]
    with unchanged(app, "k1"), unchanged(app, "k2"):
        assert_error(client.get(f"/resources/messages/{msg['id']}", headers=basic("k2")), 404)
        assert_error(client.delete(f"/resources/messages/{msg['id']}", headers=basic("k2")), 404)
        k2_user = seeded_ids(app, "k2")["users"][0]
        # k1's admin is not a participant k2 knows
        body = message_body("x", (msg["from"]["type"], msg["from"]["id"]), [("user", k2_user)])
        k2_conv = seeded_ids(app, "k2")["conversations"][0]
        assert_error(client.post(f"/resources/conversations/{k2_conv}/messages", json=body, headers=basic("k2")), 400)
