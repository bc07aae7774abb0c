"""Tenant isolation across tokens, one id space per server, reset and seeding."""
from __future__ import annotations

import json

import pytest

from mockserver import MockServer
from mockserver.monica.seed import ARCHIVED, DEAD, ME, PARTIAL

from .conftest import NOT_FOUND, account, backend, call, dump, error, seeded, strict_app, unchanged


def test_each_token_sees_only_its_own_account(two_accounts):
    c = two_accounts.test_client()
    for token in ("a", "b"):
        own = account(two_accounts, token).id
        for path in ("/api/conversations?limit=100", "/api/contacts?limit=100", "/api/contactfieldtypes?limit=100"):
            data = call(c, "GET", path, token=token).get_json()["data"]
            assert data and all(d["account"]["id"] == own for d in data), (token, path)


def test_ids_are_one_sequence_per_kind_across_accounts(two_accounts):
    a, b = account(two_accounts, "a"), account(two_accounts, "b")
    assert not set(a.conversations) & set(b.conversations)
    assert not set(a.contacts) & set(b.contacts)
    assert not set(a.contact_field_types) & set(b.contact_field_types)
    c = two_accounts.test_client()
    first = call(c, "POST", "/api/contactfieldtypes", {"name": "A"}, token="a").get_json()["data"]["id"]
    second = call(c, "POST", "/api/contactfieldtypes", {"name": "B"}, token="b").get_json()["data"]["id"]
    assert second == first + 1


def test_foreign_ids_answer_as_monica_does_for_another_accounts_ids_and_change_nothing(two_accounts):
    c = two_accounts.test_client()
    a, b = seeded(two_accounts, "a"), seeded(two_accounts, "b")
    foreign = b["conversation"]
    mid = foreign.message_ids[0]
    message = {"written_at": "2020-01-01", "written_by_me": 1, "content": "x"}
    update = {"happened_at": "2020-01-01", "contact_field_type_id": a["email"].id}
    create = {"happened_at": "2020-01-01", "contact_id": b["active"].id, "contact_field_type_id": a["email"].id}
    with unchanged(two_accounts, "a"), unchanged(two_accounts, "b"):
        for method, path, body in (
            ("GET", f"/api/conversations/{foreign.id}", None),
            ("PUT", f"/api/conversations/{foreign.id}", update),
            ("DELETE", f"/api/conversations/{foreign.id}", None),
            ("POST", f"/api/conversations/{foreign.id}/messages", message),
            ("PUT", f"/api/conversations/{foreign.id}/messages/{mid}", message),
            ("DELETE", f"/api/conversations/{foreign.id}/messages/{mid}", None),
            ("POST", "/api/conversations", create),
            ("GET", f"/api/contacts/{b['active'].id}", None),
            ("GET", f"/api/contacts/{b['active'].id}/conversations", None),
            ("GET", f"/api/contactfieldtypes/{b['email'].id}", None),
            ("PUT", f"/api/contactfieldtypes/{b['email'].id}", {"name": "x"}),
            ("DELETE", f"/api/contactfieldtypes/{b['email'].id}", None),
        ):
            r = call(c, method, path, body, token="a")
            assert (r.status_code, r.get_json()) == (404, NOT_FOUND), (method, path)


def test_an_id_in_no_account_is_a_validation_error_but_in_another_account_a_404(two_accounts):
    c = two_accounts.test_client()
    a, b = seeded(two_accounts, "a"), seeded(two_accounts, "b")
    nowhere = max(max(account(two_accounts, t).contacts) for t in ("a", "b")) + 100
    r = call(c, "POST", "/api/conversations", {"happened_at": "2020-01-01", "contact_id": nowhere, "contact_field_type_id": a["email"].id}, token="a")
    assert error(r) == (422, 32, ["The selected contact id is invalid."])
    r = call(c, "POST", "/api/conversations", {"happened_at": "2020-01-01", "contact_id": b["active"].id, "contact_field_type_id": a["email"].id}, token="a")
    assert r.status_code == 404


def test_two_servers_share_nothing():
    one, two = strict_app(), strict_app()
    call(one.test_client(), "POST", "/api/contactfieldtypes", {"name": "Only here"})
    assert "Only here" not in [t.name for t in account(two).contact_field_types.values()]
    assert backend(one).world.ids.next_ids != backend(two).world.ids.next_ids


# -- reset ---------------------------------------------------------------------------------


def test_reset_restores_data_ids_and_the_rate_window():
    app = strict_app(monica_rate_limit=5)
    c = app.test_client()
    seeded_state = dump(app)
    s = seeded(app)
    fresh_next = call(c, "POST", "/api/contactfieldtypes", {"name": "X"}).get_json()["data"]["id"]
    call(c, "DELETE", f"/api/conversations/{s['conversation'].id}")
    call(c, "POST", f"/api/conversations/{seeded(app)['archived_conversation'].id}/messages", {"written_at": "2020-01-01", "written_by_me": 1, "content": "x"})
    call(c, "PUT", f"/api/contactfieldtypes/{s['email'].id}", {"name": "Mail"})
    account(app).create_contact("Extra")
    assert call(c, "GET", "/api/contacts").status_code == 200  # the fifth request of the window
    assert call(c, "GET", "/api/contacts").status_code == 429
    assert dump(app) != seeded_state

    c.post("/__mockserver/reset")
    assert dump(app) == seeded_state
    r = call(c, "POST", "/api/contactfieldtypes", {"name": "X"})
    assert r.headers["X-RateLimit-Remaining"] == "4"  # a new window
    assert r.get_json()["data"]["id"] == fresh_next  # the same id as after a fresh start


# -- seeding ---------------------------------------------------------------------------------


def test_seeding_is_deterministic_per_seed_and_differs_between_seeds():
    assert dump(strict_app(seed=3)) == dump(strict_app(seed=3))
    assert dump(strict_app(seed=3)) != dump(strict_app(seed=4))


def test_each_account_has_its_own_seeded_data():
    app = strict_app(monica_tokens=["a", "b"])
    names = [sorted(c.first_name for c in account(app, t).contacts.values()) for t in ("a", "b")]
    assert names[0] != names[1]


def test_seeded_data_shows_every_state(app):
    acc = account(app)
    contacts = list(acc.contacts.values())
    assert len(contacts) == 12 and len(acc.conversations) == 20
    assert acc.me_contact_id == contacts[ME].id
    assert contacts[ARCHIVED].is_active is False and acc.conversations_by_contact[contacts[ARCHIVED].id]
    assert contacts[PARTIAL].is_partial is True
    assert contacts[DEAD].is_dead is True and contacts[DEAD].deceased_date is not None
    assert [(g.name, g.type) for g in acc.genders.values()] == [("Man", "M"), ("Woman", "F"), ("Rather not say", "O")]
    assert {acc.genders[c.gender_id].type for c in contacts if c.gender_id is not None} >= {"M", "F"}
    assert acc.contact_fields
    used_types = {c.contact_field_type_id for c in acc.conversations.values()}
    assert used_types <= set(acc.contact_field_types)
    for conversation in acc.conversations.values():
        messages = acc.conversation_messages(conversation)
        assert 1 <= len(messages) <= 6
        flags = [m.written_by_me for m in messages]
        assert all(x != y for x, y in zip(flags, flags[1:], strict=False)), "written_by_me alternates"
        assert [m.written_at for m in messages] == sorted(m.written_at for m in messages)
        assert all(m.contact_id == conversation.contact_id for m in messages)


def test_seeded_timestamps_do_not_depend_on_now(app):
    from mockserver.seeding import SEED_EPOCH

    epoch = SEED_EPOCH.replace(tzinfo=None)
    acc = account(app)
    assert all(c.created_at < epoch for c in acc.conversations.values())


# -- the MockServer handle, over a real socket -----------------------------------------------------


def test_handle_exposes_base_url_token_headers_and_data():
    requests = pytest.importorskip("requests")
    with MockServer(seed=0, strict_responses=True, monica_tokens=["t1", "t2"]) as server:
        handle = server.monica
        assert handle.base_url == server.url + "/api" and handle.token == "t1"
        assert handle.headers["Authorization"] == "Bearer t1"
        listed = requests.get(handle.base_url + "/conversations?limit=100", headers=handle.headers).json()
        assert listed["data"] == handle.conversations
        assert len(handle.contact_field_types) == 7
        contact = handle.create_contact("Zed", is_active=False)
        got = requests.get(f"{handle.base_url}/contacts/{contact['id']}", headers=handle.headers).json()["data"]
        assert got == contact
        field = handle.add_contact_field(contact["id"], handle.contact_field_types[0]["id"], "zed@example.com")
        assert field["content"] == "zed@example.com"
        handle.archive_contact(contact["id"], archived=False)
        assert requests.get(f"{handle.base_url}/contacts/{contact['id']}", headers=handle.headers).json()["data"]["is_active"] is True
        other = server.monica_account("t2")
        assert other.token == "t2" and other.account_id != handle.account_id
        assert requests.get(f"{handle.base_url}/contacts/{contact['id']}", headers=other.headers).status_code == 404
        # requests' default Accept is */*: a bad token is the login redirect
        r = requests.get(handle.base_url + "/contacts", headers={"Authorization": "Bearer nope"}, allow_redirects=False)
        assert r.status_code == 302 and r.headers["Location"] == server.url
        with pytest.raises(KeyError):
            server.monica_account("unknown")
        server.reset()
        assert requests.get(f"{handle.base_url}/contacts/{contact['id']}", headers=handle.headers).status_code == 404
        assert json.loads(json.dumps(handle.conversations))  # plain JSON data
