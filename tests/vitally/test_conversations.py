"""Conversations: list, nested lists, get, create, update (upsert), delete."""
from __future__ import annotations

import re

import pytest

from .conftest import (
    ISO_MS_Z,
    UUID,
    assert_error,
    conversation_body,
    dump,
    list_all,
    message_body,
    strict_app,
    unchanged,
)

LIST_ITEM_KEYS = {"id", "externalId", "externalUrl", "subject", "status", "rating", "source", "traits", "createdAt", "updatedAt"}


def participants(message: dict) -> list[dict]:
    return [message["from"], *message["to"], *message["cc"], *message["bcc"]]


def test_list_items_carry_no_messages_or_associations(client, h):
    items = list_all(client, "/resources/conversations", h)
    assert len(items) == 25
    for item in items:
        assert set(item) == LIST_ITEM_KEYS
        assert re.match(UUID, item["id"])
        assert re.match(ISO_MS_Z, item["createdAt"]) and re.match(ISO_MS_Z, item["updatedAt"])


def test_get_by_id_and_by_external_id_are_the_same_conversation(client, h):
    item = client.get("/resources/conversations?limit=1", headers=h).get_json()["results"][0]
    by_id = client.get(f"/resources/conversations/{item['id']}", headers=h)
    by_external = client.get(f"/resources/conversations/{item['externalId']}", headers=h)
    assert by_id.status_code == by_external.status_code == 200
    assert by_id.get_json() == by_external.get_json()
    full = by_id.get_json()
    assert {k: full[k] for k in LIST_ITEM_KEYS} == item
    assert full["messages"], "a seeded conversation has messages"


def test_get_unknown_conversation_is_404(client, h, app):
    with unchanged(app):
        assert_error(client.get("/resources/conversations/00000000-0000-4000-8000-000000000000", headers=h), 404,
                     contains="00000000-0000-4000-8000-000000000000")


def test_messages_sorted_by_timestamp_and_associations_derived_from_participants(client, h):
    for item in list_all(client, "/resources/conversations", h):
        conv = client.get(f"/resources/conversations/{item['id']}", headers=h).get_json()
        stamps = [m["timestamp"] for m in conv["messages"]]
        assert stamps == sorted(stamps)
        assert all(m["conversationId"] == conv["id"] for m in conv["messages"])
        people = [p for m in conv["messages"] for p in participants(m)]
        user_ids = {p["id"] for p in people if p["type"] == "user"}
        admin_ids = {p["id"] for p in people if p["type"] == "admin"}
        assert {u["id"] for u in conv["users"]} == user_ids
        assert {a["id"] for a in conv["admins"]} == admin_ids
        expected_accounts = {a for u in conv["users"] for a in u["accountIds"]}
        assert {a["id"] for a in conv["accounts"]} == expected_accounts
        # each listed once
        assert len(conv["users"]) == len(user_ids) and len(conv["accounts"]) == len(expected_accounts)


def _associations(client, h):
    """conversation id -> (account ids, organization ids), derived from GET by id."""
    out = {}
    for item in list_all(client, "/resources/conversations", h):
        conv = client.get(f"/resources/conversations/{item['id']}", headers=h).get_json()
        accounts = {a["id"] for a in conv["accounts"]}
        orgs = {a["organizationId"] for a in conv["accounts"] if a["organizationId"]}
        orgs |= {o for u in conv["users"] for o in u["organizationIds"]}
        out[item["id"]] = (accounts, orgs)
    return out


def test_account_and_organization_conversation_lists_follow_the_derived_associations(client, h):
    assoc = _associations(client, h)
    accounts = list_all(client, "/resources/accounts", h, status="activeOrChurned")
    non_empty = 0
    for account in accounts:
        listed = list_all(client, f"/resources/accounts/{account['id']}/conversations", h)
        assert {c["id"] for c in listed} == {cid for cid, (accs, _) in assoc.items() if account["id"] in accs}
        assert all(set(c) == LIST_ITEM_KEYS for c in listed)
        non_empty += bool(listed)
    assert non_empty > 0
    for org in list_all(client, "/resources/organizations", h):
        listed = list_all(client, f"/resources/organizations/{org['id']}/conversations", h)
        assert {c["id"] for c in listed} == {cid for cid, (_, orgs) in assoc.items() if org["id"] in orgs}


def test_nested_conversation_lists_take_only_the_vitally_id(client, h, app):
    account = list_all(client, "/resources/accounts", h)[0]
    org = list_all(client, "/resources/organizations", h)[0]
    with unchanged(app):
        assert_error(client.get(f"/resources/accounts/{account['externalId']}/conversations", headers=h), 404)
        assert_error(client.get(f"/resources/organizations/{org['externalId']}/conversations", headers=h), 404)
        assert_error(client.get("/resources/accounts/nope/conversations", headers=h), 404)


def test_create_returns_the_full_conversation_and_get_agrees(client, h, user_id, admin_id):
    body = conversation_body("thread-new", [
        message_body("m-1", ("admin", admin_id), [("user", user_id)], timestamp="2024-05-01T10:00:00.000Z"),
        message_body("m-2", ("user", user_id), [("admin", admin_id)], timestamp="2024-05-01T09:00:00+00:00"),
    ], traits={"dealArr": 100000, "gone": None})
    response = client.post("/resources/conversations", json=body, headers=h)
    assert response.status_code == 200
    conv = response.get_json()
    assert re.match(UUID, conv["id"])
    assert conv["externalId"] == "thread-new" and conv["subject"] == "Subject thread-new"
    assert conv["traits"] == {"dealArr": 100000}  # null means "no value": not stored
    # sorted by timestamp: m-2 came first
    assert [m["externalId"] for m in conv["messages"]] == ["m-2", "m-1"]
    assert [m["type"] for m in conv["messages"]] == ["inbound", "outbound"]
    assert all(m["cc"] == [] and m["bcc"] == [] for m in conv["messages"])
    assert [u["id"] for u in conv["users"]] == [user_id]
    assert [a["id"] for a in conv["admins"]] == [admin_id]
    assert conv["createdAt"] == conv["updatedAt"]
    assert client.get(f"/resources/conversations/{conv['id']}", headers=h).get_json() == conv
    first = client.get("/resources/conversations?limit=1", headers=h).get_json()["results"][0]
    assert first["id"] == conv["id"]


def test_create_accepts_an_empty_messages_array(client, h):
    response = client.post("/resources/conversations", json=conversation_body("empty"), headers=h)
    assert response.status_code == 200
    conv = response.get_json()
    assert conv["messages"] == [] and conv["users"] == [] and conv["accounts"] == [] and conv["admins"] == []


@pytest.mark.parametrize("missing", ["externalId", "subject", "messages"])
def test_create_requires_external_id_subject_and_messages(client, h, app, missing):
    body = conversation_body("t-1")
    del body[missing]
    with unchanged(app):
        assert_error(client.post("/resources/conversations", json=body, headers=h), 400, message=f"{missing} is required")


def test_duplicate_external_id_is_rejected(client, h, app):
    assert client.post("/resources/conversations", json=conversation_body("dup"), headers=h).status_code == 200
    with unchanged(app):
        assert_error(client.post("/resources/conversations", json=conversation_body("dup"), headers=h), 400, contains="dup")
    # a seeded externalId is taken too
    seeded = client.get("/resources/conversations?limit=1", headers=h).get_json()["results"][0]["externalId"]
    with unchanged(app):
        assert_error(client.post("/resources/conversations", json=conversation_body(seeded), headers=h), 400)


@pytest.mark.parametrize("bad", ["unknown", "admin-as-user", "user-external-id", "admin-as-to"])
def test_unknown_participants_are_rejected_without_consuming_an_id(client, h, app, user_id, admin_id, bad):
    ws_user_ext = client.get(f"/resources/users/{user_id}", headers=h).get_json()["externalId"]
    sender, to = ("admin", admin_id), [("user", user_id)]
    wrong = "00000000-0000-4000-8000-000000000000"
    if bad == "unknown":
        to = [("user", user_id), ("user", wrong)]
    elif bad == "admin-as-user":
        sender = ("user", admin_id)
        wrong = admin_id
    elif bad == "user-external-id":
        to = [("user", ws_user_ext)]
        wrong = ws_user_ext
    else:
        to = [("admin", user_id)]
        wrong = user_id
    body = conversation_body("t-bad", [message_body("m1", sender, to)])
    with unchanged(app):
        assert_error(client.post("/resources/conversations", json=body, headers=h), 400, contains=wrong)
    # the next create gets the id a fresh app gives its first create
    fresh = strict_app()
    good = conversation_body("t-good")
    mine = client.post("/resources/conversations", json=good, headers=h).get_json()
    theirs = fresh.test_client().post("/resources/conversations", json=good, headers=h).get_json()
    assert mine["id"] == theirs["id"]


def test_update_subject_and_merge_traits(client, h, app):
    conv = client.post("/resources/conversations", json=conversation_body("t", traits={"a": 1, "b": "x"}), headers=h).get_json()
    response = client.put(f"/resources/conversations/{conv['id']}", json={"subject": "New", "traits": {"b": None, "c": [1, 2]}}, headers=h)
    assert response.status_code == 200
    updated = response.get_json()
    assert updated["subject"] == "New"
    assert updated["traits"] == {"a": 1, "c": [1, 2]}
    assert updated["createdAt"] == conv["createdAt"]
    assert updated["updatedAt"] >= conv["updatedAt"]
    assert client.get(f"/resources/conversations/{conv['id']}", headers=h).get_json() == updated
    # by externalId too
    again = client.put("/resources/conversations/t", json={"traits": {"a": None}}, headers=h).get_json()
    assert again["id"] == conv["id"] and again["traits"] == {"c": [1, 2]}


def test_update_upserts_messages_by_external_id_and_never_deletes(client, h, user_id, admin_id, ids):
    other_user = ids["users"][1]
    conv = client.post("/resources/conversations", json=conversation_body("t", [
        message_body("m1", ("admin", admin_id), [("user", user_id)], timestamp="2024-01-01T10:00:00.000Z"),
        message_body("m2", ("user", user_id), [("admin", admin_id)], timestamp="2024-01-02T10:00:00.000Z"),
    ]), headers=h).get_json()
    m1 = next(m for m in conv["messages"] if m["externalId"] == "m1")
    response = client.put(f"/resources/conversations/{conv['id']}", json={"messages": [
        {"externalId": "m1", "message": "<p>edited</p>", "timestamp": "2024-01-03T10:00:00.000Z",
         "from": {"type": "user", "id": other_user}},
        message_body("m3", ("admin", admin_id), [("user", user_id)], timestamp="2024-01-01T00:00:00.000Z"),
    ]}, headers=h)
    assert response.status_code == 200
    updated = response.get_json()
    assert [m["externalId"] for m in updated["messages"]] == ["m3", "m2", "m1"]
    edited = updated["messages"][2]
    assert edited["id"] == m1["id"]  # same message, updated in place
    assert edited["message"] == "<p>edited</p>"
    assert edited["type"] == "inbound"  # the sender is a user now
    assert edited["to"] == m1["to"]  # not given: kept
    assert {u["id"] for u in updated["users"]} == {user_id, other_user}
    assert client.get(f"/resources/messages/{m1['id']}", headers=h).get_json() == edited


def test_update_with_changed_external_id_is_rejected(client, h, app):
    conv = client.post("/resources/conversations", json=conversation_body("t"), headers=h).get_json()
    with unchanged(app):
        assert_error(client.put(f"/resources/conversations/{conv['id']}", json={"externalId": "other", "subject": "x"}, headers=h), 400,
                     contains="externalId")
    same = client.put(f"/resources/conversations/{conv['id']}", json={"externalId": "t", "subject": "x"}, headers=h)
    assert same.status_code == 200 and same.get_json()["subject"] == "x"


def test_update_rejections_leave_the_store_unchanged(client, h, app, user_id, admin_id):
    conv = client.post("/resources/conversations", json=conversation_body("t", [
        message_body("m1", ("admin", admin_id), [("user", user_id)])]), headers=h).get_json()
    url = f"/resources/conversations/{conv['id']}"
    cases = [
        ({"messages": [{"externalId": "new", "message": "x", "to": []}]}, "messages[0].from is required"),
        ({"messages": [{"externalId": "m1", "message": "ok"}, {"externalId": "m9", "from": {"type": "user", "id": user_id}, "to": []}]},
         "messages[1].message is required"),
        ({"messages": [{"externalId": "m1", "from": {"type": "user", "id": "nobody"}}]}, "nobody"),
        ({"subject": 5}, "subject must be a string"),
        ({"traits": []}, "traits must be an object"),
        ({"messages": [{"externalId": "m1", "timestamp": "yesterday"}]}, "messages[0].timestamp must be a valid date-time"),
    ]
    for body, message in cases:
        with unchanged(app):
            assert_error(client.put(url, json=body, headers=h), 400, contains=message)


def test_update_rejects_duplicate_message_external_ids_in_one_body(client, h, app, user_id, admin_id):
    conv = client.post("/resources/conversations", json=conversation_body("t", [
        message_body("m1", ("admin", admin_id), [("user", user_id)])]), headers=h).get_json()
    url = f"/resources/conversations/{conv['id']}"
    for dup in ("m1", "m2"):
        body = {"messages": [message_body(dup, ("admin", admin_id), [("user", user_id)]),
                             message_body(dup, ("user", user_id), [("admin", admin_id)])]}
        with unchanged(app):
            assert_error(client.put(url, json=body, headers=h), 400, contains=dup)


def test_update_unknown_conversation_is_404(client, h, app):
    with unchanged(app):
        assert_error(client.put("/resources/conversations/nope", json={"subject": "x"}, headers=h), 404)
        # 404 wins over a bad body
        assert_error(client.put("/resources/conversations/nope", json={"subject": 5}, headers=h), 404)


def test_update_moves_the_conversation_to_the_front_of_updated_at_order(client, h):
    items = list_all(client, "/resources/conversations", h)
    created_before = list_all(client, "/resources/conversations", h, sort_by="createdAt")
    last = items[-1]
    assert client.put(f"/resources/conversations/{last['id']}", json={"subject": "bump"}, headers=h).status_code == 200
    after = list_all(client, "/resources/conversations", h)
    assert after[0]["id"] == last["id"]
    assert [i["id"] for i in after[1:]] == [i["id"] for i in items[:-1]]
    # createdAt order is not affected by an update
    created_after = list_all(client, "/resources/conversations", h, sort_by="createdAt")
    assert [i["id"] for i in created_after] == [i["id"] for i in created_before]


def test_delete_removes_the_conversation_and_its_messages(client, h, app):
    item = client.get("/resources/conversations?limit=1", headers=h).get_json()["results"][0]
    conv = client.get(f"/resources/conversations/{item['id']}", headers=h).get_json()
    account_ids = [a["id"] for a in conv["accounts"]]
    response = client.delete(f"/resources/conversations/{conv['id']}", headers=h)
    assert response.status_code == 200 and response.get_json() == {}
    assert_error(client.get(f"/resources/conversations/{conv['id']}", headers=h), 404)
    assert_error(client.get(f"/resources/conversations/{conv['externalId']}", headers=h), 404)
    for message in conv["messages"]:
        assert_error(client.get(f"/resources/messages/{message['id']}", headers=h), 404)
    assert conv["id"] not in {c["id"] for c in list_all(client, "/resources/conversations", h)}
    for account_id in account_ids:
        assert conv["id"] not in {c["id"] for c in list_all(client, f"/resources/accounts/{account_id}/conversations", h)}
    with unchanged(app):
        assert_error(client.delete(f"/resources/conversations/{conv['id']}", headers=h), 404)
    # the externalId is free again
    assert client.post("/resources/conversations", json=conversation_body(conv["externalId"]), headers=h).status_code == 200


def test_delete_by_external_id(client, h):
    conv = client.post("/resources/conversations", json=conversation_body("to-delete"), headers=h).get_json()
    assert client.delete("/resources/conversations/to-delete", headers=h).status_code == 200
    assert_error(client.get(f"/resources/conversations/{conv['id']}", headers=h), 404)


def test_workspace_dump_changes_on_success(client, h, app):
    """Guards the `unchanged` helper itself: a successful write does change the dump."""
    before = dump(app)
    client.post("/resources/conversations", json=conversation_body("x"), headers=h)
    assert dump(app) != before
