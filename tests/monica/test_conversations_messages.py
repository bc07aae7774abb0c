"""Conversations and messages: success paths, Monica's order of checks, and state after
every rejected request."""
from __future__ import annotations

import re

from .conftest import NOT_FOUND, TIMESTAMP, account, call, error, seeded, unchanged

REQUIRED_MESSAGE_FIELDS = ["The written at field is required.", "The written by me field is required.", "The content field is required."]


def test_list_and_get_show_every_conversation_with_its_messages(client, app):
    acc = account(app)
    body = call(client, "GET", "/api/conversations?limit=100").get_json()
    assert body["meta"]["total"] == len(acc.conversations) == 20
    for item in body["data"]:
        single = call(client, "GET", f"/api/conversations/{item['id']}").get_json()["data"]
        assert single == item
        assert [m["id"] for m in item["messages"]] == sorted(m["id"] for m in item["messages"])
        assert all(m["contact"] == item["contact"] for m in item["messages"])
        assert item["url"] == f"http://localhost/api/conversations/{item['id']}"
        assert re.match(TIMESTAMP, item["happened_at"])


def test_per_contact_list_checks_the_contact_first(client, app, two_accounts):
    s = seeded(app)
    data = call(client, "GET", f"/api/contacts/{s['active'].id}/conversations").get_json()["data"]
    assert data and all(d["contact"]["id"] == s["active"].id for d in data)
    # partial and archived contacts are allowed; missing or non-numeric are 404
    assert call(client, "GET", f"/api/contacts/{s['partial'].id}/conversations").get_json()["data"] == []
    assert call(client, "GET", f"/api/contacts/{s['archived'].id}/conversations").status_code == 200
    for contact_id in ("99999", "abc"):
        r = call(client, "GET", f"/api/contacts/{contact_id}/conversations")
        assert (r.status_code, r.get_json()) == (404, NOT_FOUND)
    foreign = seeded(two_accounts, "b")["active"].id
    r = call(two_accounts.test_client(), "GET", f"/api/contacts/{foreign}/conversations", token="a")
    assert (r.status_code, r.get_json()) == (404, NOT_FOUND)


def test_create_ignores_unknown_keys_and_answers_the_new_conversation(client, app):
    s = seeded(app)
    r = call(client, "POST", "/api/conversations", {"happened_at": "2021-06-01", "contact_id": s["dead"].id, "contact_field_type_id": s["email"].id, "colour": "red", "id": 1})
    assert r.status_code == 201
    data = r.get_json()["data"]
    assert data["id"] == 21 and "colour" not in data  # the next id: unknown keys and `id` ignored
    assert data["contact"]["complete_name"].endswith(" \u26b0")  # a dead contact is writable
    assert data["created_at"] == data["updated_at"] and re.match(TIMESTAMP, data["created_at"])
    assert call(client, "GET", f"/api/conversations/{data['id']}").get_json()["data"] == data


def test_put_and_patch_update_only_happened_at_and_the_type(client, app):
    s = seeded(app)
    conversation = s["conversation"]
    for method, day in (("PUT", "2001-01-01"), ("PATCH", "2002-02-02")):
        r = call(client, method, f"/api/conversations/{conversation.id}", {"happened_at": day, "contact_field_type_id": s["twitter"].id, "contact_id": s["dead"].id})
        assert r.status_code == 200
        data = r.get_json()["data"]
        assert (data["happened_at"], data["contact_field_type"]["name"], data["contact"]["id"]) == (f"{day}T00:00:00Z", "Twitter", conversation.contact_id)


def test_update_with_the_same_values_keeps_updated_at(client, app):
    s = seeded(app)
    conversation = s["conversation"]
    before = call(client, "GET", f"/api/conversations/{conversation.id}").get_json()["data"]
    same = {"happened_at": before["happened_at"].replace("T", " ").rstrip("Z"), "contact_field_type_id": conversation.contact_field_type_id}
    assert call(client, "PUT", f"/api/conversations/{conversation.id}", same).get_json()["data"]["updated_at"] == before["updated_at"]
    changed = call(client, "PUT", f"/api/conversations/{conversation.id}", {**same, "happened_at": "1999-09-09"}).get_json()["data"]
    assert changed["updated_at"] != before["updated_at"]
    # ...and the updated_at order follows
    ids = [d["id"] for d in call(client, "GET", "/api/conversations?sort=-updated_at&limit=1").get_json()["data"]]
    assert ids == [conversation.id]


def test_messages_do_not_touch_the_conversation_updated_at(client, app):
    conversation = seeded(app)["conversation"]
    before = call(client, "GET", f"/api/conversations/{conversation.id}").get_json()["data"]["updated_at"]
    after = call(client, "POST", f"/api/conversations/{conversation.id}/messages", {"written_at": "2020-01-01", "written_by_me": 1, "content": "x"}).get_json()["data"]
    assert after["updated_at"] == before


def test_update_validates_before_looking_at_the_account(client, two_accounts):
    foreign = seeded(two_accounts, "b")["conversation"]
    c = two_accounts.test_client()
    with unchanged(two_accounts, "a"), unchanged(two_accounts, "b"):
        r = call(c, "PUT", f"/api/conversations/{foreign.id}", {}, token="a")
        assert error(r) == (422, 32, ["The happened at field is required.", "The contact field type id field is required."])
        r = call(c, "POST", f"/api/conversations/{foreign.id}/messages", {}, token="a")
        assert error(r) == (422, 32, REQUIRED_MESSAGE_FIELDS)
        r = call(c, "POST", f"/api/conversations/{foreign.id}/messages", {"written_at": "2020-01-01", "written_by_me": 1, "content": "x"}, token="a")
        assert (r.status_code, r.get_json()) == (404, NOT_FOUND)


def test_update_rejects_an_unknown_non_numeric_or_invalid_type(client, app):
    s = seeded(app)
    cid = s["conversation"].id
    with unchanged(app):
        r = call(client, "PUT", f"/api/conversations/{cid}", {"happened_at": "2020-01-01", "contact_field_type_id": "abc"})
        assert error(r) == (422, 32, ["The contact field type id must be an integer."])  # no exists rule on update
        r = call(client, "PUT", "/api/conversations/abc", {"happened_at": "2020-01-01", "contact_field_type_id": 1})
        assert error(r) == (422, 32, ["The conversation id must be an integer.", "The selected conversation id is invalid."])


def test_add_message_to_a_missing_conversation_is_404(client, app):
    with unchanged(app):
        r = call(client, "POST", "/api/conversations/99999/messages", {"written_at": "2020-01-01", "written_by_me": 1, "content": "x"})
        assert (r.status_code, r.get_json()) == (404, NOT_FOUND)
        assert error(call(client, "POST", f"/api/conversations/{seeded(app)['conversation'].id}/messages", {})) == (422, 32, REQUIRED_MESSAGE_FIELDS)


def test_message_update_and_delete_need_the_message_in_that_conversation(client, app):
    acc = account(app)
    s = seeded(app)
    conversation = s["conversation"]
    other = next(c for c in acc.conversations.values() if c.id != conversation.id and acc.contacts[c.contact_id].is_active)
    stranger = other.message_ids[0]
    body = {"written_at": "2020-01-01", "written_by_me": 1, "content": "x"}
    with unchanged(app):
        for method, path in (
            ("PUT", f"/api/conversations/{conversation.id}/messages/{stranger}"),
            ("PATCH", f"/api/conversations/{conversation.id}/messages/{stranger}"),
            ("DELETE", f"/api/conversations/{conversation.id}/messages/{stranger}"),
            ("PUT", f"/api/conversations/{conversation.id}/messages/99999"),
            ("DELETE", f"/api/conversations/99999/messages/{stranger}"),
            ("DELETE", f"/api/conversations/{conversation.id}/messages/99999"),
        ):
            r = call(client, method, path, body if method != "DELETE" else None)
            assert (r.status_code, r.get_json()) == (404, NOT_FOUND), (method, path)
        # Missing ids are 404 before any validation of the body.
        assert call(client, "PUT", f"/api/conversations/{conversation.id}/messages/99999", {}).status_code == 404


def test_message_update_and_delete_success(client, app):
    conversation = seeded(app)["conversation"]
    mid = conversation.message_ids[-1]
    r = call(client, "PATCH", f"/api/conversations/{conversation.id}/messages/{mid}", {"written_at": "2011-11-11 11:11:11", "written_by_me": "0", "content": "patched"})
    message = next(m for m in r.get_json()["data"]["messages"] if m["id"] == mid)
    assert (message["content"], message["written_at"], message["written_by_me"]) == ("patched", "2011-11-11T11:11:11Z", False)
    assert call(client, "DELETE", f"/api/conversations/{conversation.id}/messages/{mid}").get_json() == {"deleted": True, "id": mid}
    remaining = call(client, "GET", f"/api/conversations/{conversation.id}").get_json()["data"]["messages"]
    assert mid not in [m["id"] for m in remaining] and len(remaining) == len(conversation.message_ids) - 1


def test_foreign_messages_are_404_and_untouched(two_accounts):
    c = two_accounts.test_client()
    foreign = seeded(two_accounts, "b")["conversation"]
    mid = foreign.message_ids[0]
    with unchanged(two_accounts, "a"), unchanged(two_accounts, "b"):
        for method in ("PUT", "DELETE"):
            body = {"written_at": "2020-01-01", "written_by_me": 1, "content": "x"} if method == "PUT" else None
            r = call(c, method, f"/api/conversations/{foreign.id}/messages/{mid}", body, token="a")
            assert (r.status_code, r.get_json()) == (404, NOT_FOUND)


def test_delete_conversation_then_it_is_gone_everywhere(client, app):
    s = seeded(app)
    conversation = s["conversation"]
    assert call(client, "DELETE", f"/api/conversations/{conversation.id}").status_code == 200
    assert call(client, "GET", f"/api/conversations/{conversation.id}").status_code == 404
    assert error(call(client, "DELETE", f"/api/conversations/{conversation.id}")) == (422, 32, ["The selected conversation id is invalid."])
    listed = [d["id"] for d in call(client, "GET", "/api/conversations?limit=100").get_json()["data"]]
    assert conversation.id not in listed and len(listed) == 19
    per_contact = [d["id"] for d in call(client, "GET", f"/api/contacts/{conversation.contact_id}/conversations").get_json()["data"]]
    assert conversation.id not in per_contact
