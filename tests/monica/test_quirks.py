"""The fact sheet's quirks checklist (section 10), one test per item, named after it.
Each fails if the fake loses the quirk."""
from __future__ import annotations

from .conftest import ARCHIVED_MESSAGE, NOT_FOUND, auth, call, error, seeded, strict_app, unchanged

JSON = {"Accept": "application/json"}


def test_quirk_01_create_conversation_is_201_but_add_message_is_200_with_the_conversation(client, app):
    s = seeded(app)
    created = call(client, "POST", "/api/conversations", {"happened_at": "2020-01-01", "contact_id": s["active"].id, "contact_field_type_id": s["email"].id})
    assert created.status_code == 201
    conversation = created.get_json()["data"]
    assert conversation["object"] == "conversation" and conversation["messages"] == []

    added = call(client, "POST", f"/api/conversations/{conversation['id']}/messages", {"written_at": "2020-01-02", "written_by_me": True, "content": "hi"})
    assert added.status_code == 200
    body = added.get_json()["data"]
    assert body["object"] == "conversation" and body["id"] == conversation["id"]
    assert [m["content"] for m in body["messages"]] == ["hi"]

    message_id = body["messages"][0]["id"]
    updated = call(client, "PUT", f"/api/conversations/{conversation['id']}/messages/{message_id}", {"written_at": "2020-01-03", "written_by_me": False, "content": "edited"})
    assert updated.status_code == 200
    body = updated.get_json()["data"]
    assert body["object"] == "conversation"
    assert body["messages"][0]["content"] == "edited" and body["messages"][0]["written_by_me"] is False


def test_quirk_02_missing_conversation_is_404_on_get_but_422_on_put_and_delete(client, app, two_accounts):
    with unchanged(app):
        assert call(client, "GET", "/api/conversations/99999").get_json() == NOT_FOUND
        assert call(client, "GET", "/api/conversations/99999").status_code == 404
        body = {"happened_at": "2020-01-01", "contact_field_type_id": 1}
        assert error(call(client, "PUT", "/api/conversations/99999", body)) == (422, 32, ["The selected conversation id is invalid."])
        assert error(call(client, "DELETE", "/api/conversations/99999")) == (422, 32, ["The selected conversation id is invalid."])
    # Another account's conversation: 404 everywhere.
    other = two_accounts.test_client()
    foreign = seeded(two_accounts, "b")["conversation"]
    with unchanged(two_accounts, "a"), unchanged(two_accounts, "b"):
        for method, body in (("GET", None), ("PUT", {"happened_at": "2020-01-01", "contact_field_type_id": 1}), ("PATCH", {"happened_at": "2020-01-01", "contact_field_type_id": 1}), ("DELETE", None)):
            response = call(other, method, f"/api/conversations/{foreign.id}", body, token="a")
            assert (response.status_code, response.get_json()) == (404, NOT_FOUND), method


def test_quirk_03_unknown_ids_on_create_are_422_foreign_ones_404_and_update_cft_is_404_either_way(client, app, two_accounts):
    s = seeded(app)
    with unchanged(app):
        r = call(client, "POST", "/api/conversations", {"happened_at": "2020-01-01", "contact_id": 99999, "contact_field_type_id": s["email"].id})
        assert error(r) == (422, 32, ["The selected contact id is invalid."])
        r = call(client, "POST", "/api/conversations", {"happened_at": "2020-01-01", "contact_id": s["active"].id, "contact_field_type_id": 99999})
        assert error(r) == (422, 32, ["The selected contact field type id is invalid."])
        r = call(client, "PUT", f"/api/conversations/{s['conversation'].id}", {"happened_at": "2020-01-01", "contact_field_type_id": 99999})
        assert (r.status_code, r.get_json()) == (404, NOT_FOUND)

    a, b = seeded(two_accounts, "a"), seeded(two_accounts, "b")
    c = two_accounts.test_client()
    with unchanged(two_accounts, "a"), unchanged(two_accounts, "b"):
        r = call(c, "POST", "/api/conversations", {"happened_at": "2020-01-01", "contact_id": b["active"].id, "contact_field_type_id": a["email"].id}, token="a")
        assert (r.status_code, r.get_json()) == (404, NOT_FOUND)
        r = call(c, "POST", "/api/conversations", {"happened_at": "2020-01-01", "contact_id": a["active"].id, "contact_field_type_id": b["email"].id}, token="a")
        assert (r.status_code, r.get_json()) == (404, NOT_FOUND)
        r = call(c, "PUT", f"/api/conversations/{a['conversation'].id}", {"happened_at": "2020-01-01", "contact_field_type_id": b["email"].id}, token="a")
        assert (r.status_code, r.get_json()) == (404, NOT_FOUND)


def test_quirk_04_validation_message_is_a_list_other_messages_are_strings_without_trailing_period(client, app):
    r = call(client, "POST", "/api/conversations", {})
    assert isinstance(r.get_json()["error"]["message"], list)
    for response, message in (
        (call(client, "GET", "/api/conversations/99999"), "The resource has not been found"),
        (call(client, "GET", "/api/conversations?limit=1000"), "The limit parameter is too big"),
        (call(client, "GET", "/api/conversations?sort=name"), "The sorting criteria is invalid"),
        (call(client, "GET", "/api/conversations?sort=called_at"), "Invalid query"),
        (call(client, "POST", "/api/conversations", data="null", headers={"Content-Type": "application/json"}), "Problems parsing JSON"),
    ):
        assert response.get_json()["error"]["message"] == message
        assert not message.endswith(".")


def test_quirk_05_limit_default_15_max_100_inclusive_sort_whitelist_and_missing_column(app):
    big = strict_app(monica_sizes={"conversations": 120})
    c = big.test_client()
    assert call(c, "GET", "/api/conversations").get_json()["meta"]["per_page"] == 15
    assert len(call(c, "GET", "/api/conversations").get_json()["data"]) == 15
    assert len(call(c, "GET", "/api/conversations?limit=100").get_json()["data"]) == 100
    assert error(call(c, "GET", "/api/conversations?limit=101")) == (400, 30, "The limit parameter is too big")
    assert error(call(c, "GET", "/api/conversations?sort=happened_at")) == (400, 39, "The sorting criteria is invalid")
    for column in ("completed_at", "-called_at", "favorited_at"):
        assert error(call(c, "GET", f"/api/conversations?sort={column}")) == (500, 40, "Invalid query")


def test_quirk_06_links_drop_limit_and_sort_and_meta_has_previous_next_labels(client):
    body = call(client, "GET", "/api/conversations?limit=5&sort=-created_at&page=2").get_json()
    assert body["links"] == {
        "first": "http://localhost/api/conversations?page=1",
        "last": "http://localhost/api/conversations?page=4",
        "prev": "http://localhost/api/conversations?page=1",
        "next": "http://localhost/api/conversations?page=3",
    }
    labels = [link["label"] for link in body["meta"]["links"]]
    assert labels == ["\u276e Previous", "1", "2", "3", "4", "Next \u276f"]
    assert body["meta"]["path"] == "http://localhost/api/conversations"


def test_quirk_07_error_37_only_for_a_literal_null_body_malformed_json_is_empty_input(client, app):
    with unchanged(app):
        for raw in ("null", "  null\n"):
            r = client.post("/api/conversations", data=raw, headers=auth(**{"Content-Type": "application/json"}))
            assert error(r) == (400, 37, "Problems parsing JSON")
        required = ["The happened at field is required.", "The contact id field is required.", "The contact field type id field is required."]
        for raw in ("{not json", "", "[1, 2]", '"text"', "42", "true"):
            r = client.post("/api/conversations", data=raw, headers=auth(**{"Content-Type": "application/json"}))
            assert error(r) == (422, 32, required), raw
        # The null check reads the raw body whatever the Content-Type, and skips GET and DELETE.
        assert error(client.put("/api/contactfieldtypes/1", data="null", headers=auth())) == (400, 37, "Problems parsing JSON")
        assert client.get("/api/conversations", data="null", headers=auth(**{"Content-Type": "application/json"})).status_code == 200


def test_quirk_08_strings_are_trimmed_and_empty_strings_become_null(client, app):
    s = seeded(app)
    cid = s["conversation"].id
    with unchanged(app):
        r = call(client, "POST", f"/api/conversations/{cid}/messages", {"written_at": "  ", "written_by_me": "", "content": "   "})
        assert error(r) == (422, 32, ["The written at field is required.", "The written by me field is required.", "The content field is required."])
    r = call(client, "POST", f"/api/conversations/{cid}/messages", {"written_at": " 2020-05-05 ", "written_by_me": " 1 ", "content": "  padded  "})
    assert r.status_code == 200
    message = r.get_json()["data"]["messages"][-1]
    assert (message["content"], message["written_at"], message["written_by_me"]) == ("padded", "2020-05-05T00:00:00Z", True)


def test_quirk_09_dates_are_emitted_as_z_timestamps_and_date_only_input_is_midnight(client, app):
    s = seeded(app)
    r = call(client, "POST", "/api/conversations", {"happened_at": "1989-02-02", "contact_id": s["active"].id, "contact_field_type_id": s["email"].id})
    assert r.get_json()["data"]["happened_at"] == "1989-02-02T00:00:00Z"
    cid = r.get_json()["data"]["id"]
    r = call(client, "PUT", f"/api/conversations/{cid}", {"happened_at": "2018-10-11T10:00:00+02:00", "contact_field_type_id": s["email"].id})
    assert r.get_json()["data"]["happened_at"] == "2018-10-11T10:00:00Z"  # the offset is dropped, not applied
    r = call(client, "POST", f"/api/conversations/{cid}/messages", {"written_at": "2018-10-11 07:08:09.123456", "written_by_me": 0, "content": "x"})
    assert r.get_json()["data"]["messages"][0]["written_at"] == "2018-10-11T07:08:09Z"


def test_quirk_10_auth_failure_is_401_json_or_302_and_route_errors_come_before_auth(client, app):
    with unchanged(app):
        r = client.get("/api/conversations", headers=JSON)
        assert (r.status_code, r.get_json()) == (401, {"message": "Unauthenticated."})
        r = client.get("/api/conversations", headers={"Authorization": "Bearer wrong", "Accept": "*/*"})
        assert r.status_code == 302 and r.headers["Location"] == "http://localhost"
        r = client.get("/api/nothing-here", headers=JSON)
        assert (r.status_code, r.get_json()) == (404, {"message": "The route api/nothing-here could not be found."})
        r = client.get("/api/conversations/1/messages", headers=JSON)
        assert r.status_code == 405 and r.headers["Allow"] == "POST"
        assert r.get_json() == {"message": "The GET method is not supported for route api/conversations/1/messages. Supported methods: POST."}


def test_quirk_11_archived_contact_blocks_all_conversation_and_message_writes(client, app):
    s = seeded(app)
    archived, conversation = s["archived"], s["archived_conversation"]
    message_id = conversation.message_ids[0]
    blocked = [
        ("POST", "/api/conversations", {"happened_at": "2020-01-01", "contact_id": archived.id, "contact_field_type_id": s["email"].id}),
        ("PUT", f"/api/conversations/{conversation.id}", {"happened_at": "2020-01-01", "contact_field_type_id": s["email"].id}),
        ("PATCH", f"/api/conversations/{conversation.id}", {"happened_at": "2020-01-01", "contact_field_type_id": s["email"].id}),
        ("DELETE", f"/api/conversations/{conversation.id}", None),
        ("POST", f"/api/conversations/{conversation.id}/messages", {"written_at": "2020-01-01", "written_by_me": True, "content": "x"}),
        ("PUT", f"/api/conversations/{conversation.id}/messages/{message_id}", {"written_at": "2020-01-01", "written_by_me": True, "content": "x"}),
        ("DELETE", f"/api/conversations/{conversation.id}/messages/{message_id}", None),
    ]
    with unchanged(app):
        for method, path, body in blocked:
            assert error(call(client, method, path, body)) == (422, 32, [ARCHIVED_MESSAGE]), (method, path)
    # Reads still work.
    assert call(client, "GET", f"/api/conversations/{conversation.id}").status_code == 200
    assert call(client, "GET", f"/api/contacts/{archived.id}/conversations").status_code == 200


def test_quirk_12_deleting_cascades_conversation_to_messages_and_type_to_conversations(client, app):
    acc = app.extensions["mockserver"].vendors["monica"].account()
    s = seeded(app)
    conversation = s["conversation"]
    message_ids = conversation.message_ids
    assert call(client, "DELETE", f"/api/conversations/{conversation.id}").get_json() == {"deleted": True, "id": conversation.id}
    assert not any(m in acc.messages for m in message_ids)
    for mid in message_ids:
        assert call(client, "DELETE", f"/api/conversations/{conversation.id}/messages/{mid}").status_code == 404

    twitter = s["twitter"]
    using = [c.id for c in acc.conversations.values() if c.contact_field_type_id == twitter.id]
    using_messages = [m for c in using for m in acc.conversations[c].message_ids]
    assert using, "seeded data has conversations over Twitter"
    assert call(client, "DELETE", f"/api/contactfieldtypes/{twitter.id}").get_json() == {"deleted": True, "id": twitter.id}
    for cid in using:
        assert call(client, "GET", f"/api/conversations/{cid}").status_code == 404
    assert not any(m in acc.messages for m in using_messages)
