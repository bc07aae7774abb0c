"""Seeded data and reset: deterministic per seed, restored by reset with id sequences."""
from __future__ import annotations

import json

from mockserver import MockServer

from .conftest import basic, conversation_body, dump, list_all, strict_app, workspace

H = basic("sk_test_mockserver")


def _api_dump(client) -> str:
    """Everything the API shows, in API order (so order is compared too)."""
    data = {}
    for path in ("conversations", "organizations", "users", "admins"):
        data[path] = list_all(client, f"/resources/{path}", H)
    data["accounts"] = list_all(client, "/resources/accounts", H, status="activeOrChurned")
    data["full"] = [client.get(f"/resources/conversations/{c['id']}", headers=H).get_json() for c in data["conversations"]]
    return json.dumps(data)


def test_same_seed_gives_byte_identical_data():
    a, b = strict_app(seed=42), strict_app(seed=42)
    assert _api_dump(a.test_client()) == _api_dump(b.test_client())
    assert dump(a) == dump(b)


def test_different_seeds_differ():
    a, b = strict_app(seed=1), strict_app(seed=2)
    assert dump(a) != dump(b)
    ids_a = {c["id"] for c in list_all(a.test_client(), "/resources/conversations", H)}
    ids_b = {c["id"] for c in list_all(b.test_client(), "/resources/conversations", H)}
    assert not ids_a & ids_b


def test_default_data_set(client, h):
    orgs = list_all(client, "/resources/organizations", h)
    accounts = list_all(client, "/resources/accounts", h, status="activeOrChurned")
    users = list_all(client, "/resources/users", h)
    admins = list_all(client, "/resources/admins", h)
    convs = list_all(client, "/resources/conversations", h)
    assert (len(orgs), len(accounts), len(users), len(admins), len(convs)) == (3, 10, 30, 5, 25)
    assert any(a["churnedAt"] for a in accounts) and any(not a["churnedAt"] for a in accounts)
    assert any(a["organizationId"] for a in accounts) and any(not a["organizationId"] for a in accounts)
    assert any(len(u["accountIds"]) > 1 for u in users)
    full = [client.get(f"/resources/conversations/{c['id']}", headers=h).get_json() for c in convs]
    counts = [len(c["messages"]) for c in full]
    assert min(counts) >= 1 and max(counts) == 6
    assert any(m["cc"] for c in full for m in c["messages"]) and any(m["bcc"] for c in full for m in c["messages"])
    assert {m["type"] for c in full for m in c["messages"]} == {"inbound", "outbound"}
    assert len({a["email"] for a in admins}) == 5 and len({u["externalId"] for u in users}) == 30


def test_sizes_are_configurable():
    app = strict_app(vitally_sizes={"organizations": 1, "accounts": 4, "users": 7, "admins": 2, "conversations": 3,
                                    "messages_min": 2, "messages_max": 2})
    client = app.test_client()
    assert len(list_all(client, "/resources/organizations", H)) == 1
    assert len(list_all(client, "/resources/accounts", H, status="activeOrChurned")) == 4
    assert len(list_all(client, "/resources/users", H)) == 7
    assert len(list_all(client, "/resources/admins", H)) == 2
    convs = list_all(client, "/resources/conversations", H)
    assert len(convs) == 3
    assert all(len(client.get(f"/resources/conversations/{c['id']}", headers=H).get_json()["messages"]) == 2 for c in convs)


def test_empty_workspace():
    app = strict_app(vitally_sizes={"organizations": 0, "accounts": 0, "users": 0, "admins": 0, "conversations": 0})
    client = app.test_client()
    body = client.get("/resources/conversations", headers=H).get_json()
    assert body == {"results": [], "next": None, "atEnd": True}


def _mutate(client, h):
    conv = list_all(client, "/resources/conversations", h)[0]
    client.put(f"/resources/conversations/{conv['id']}", json={"subject": "changed", "traits": {"x": 1}}, headers=h)
    client.delete(f"/resources/conversations/{list_all(client, '/resources/conversations', h)[-1]['id']}", headers=h)
    client.post("/resources/conversations", json=conversation_body("new-before-reset"), headers=h)
    client.post("/resources/accounts", json={"externalId": "a-new", "name": "A"}, headers=h)
    client.put("/resources/users/user-3000", json={"traits": {"role": None}}, headers=h)


def test_control_reset_restores_data_and_id_sequence(client, h, app):
    seeded = _api_dump(client)
    seeded_state = dump(app)
    _mutate(client, h)
    assert _api_dump(client) != seeded
    response = client.post("/__mockserver/reset")
    assert response.status_code == 200
    assert _api_dump(client) == seeded
    assert dump(app) == seeded_state
    # the next id after reset is the one a fresh start gives
    fresh = strict_app().test_client()
    body = conversation_body("after-reset")
    assert client.post("/resources/conversations", json=body, headers=h).get_json()["id"] == \
        fresh.post("/resources/conversations", json=body, headers=h).get_json()["id"]


def test_mockserver_reset_restores_every_workspace():
    with MockServer(seed=3, vitally_keys=["k1", "k2"], strict_responses=True) as server:
        before = {k: dump(server.app, k) for k in ("k1", "k2")}
        for key in ("k1", "k2"):
            client = server.app.test_client()
            client.post("/resources/conversations", json=conversation_body("x"), headers=basic(key))
        assert dump(server.app, "k1") != before["k1"]
        server.reset()
        assert {k: dump(server.app, k) for k in ("k1", "k2")} == before


def test_reset_restores_ids_even_after_many_resets(client, h):
    first = client.post("/resources/conversations", json=conversation_body("a"), headers=h).get_json()["id"]
    for _ in range(3):
        client.post("/__mockserver/reset")
        again = client.post("/resources/conversations", json=conversation_body("a"), headers=h).get_json()["id"]
        assert again == first


def test_handle_data_is_a_copy(mockserver):
    """Editing what the test handle returns must not edit the server's data (or its reset snapshot)."""
    handle = mockserver.vitally
    account = handle.accounts[0]
    account["traits"]["hacked"] = True
    account["name"] = "hacked"
    conv = handle.conversations[0]
    conv["traits"]["hacked"] = True
    conv["messages"].clear()
    assert "hacked" not in handle.accounts[0]["traits"]
    assert "hacked" not in handle.conversations[0]["traits"]
    assert handle.conversations[0]["messages"]
    import requests

    served = requests.get(f"{handle.base_url}/accounts/{account['id']}", auth=handle.auth, timeout=10).json()
    assert "hacked" not in served["traits"]


def test_handle_matches_the_api(mockserver):
    import requests

    handle = mockserver.vitally
    convs = handle.conversations
    assert len(convs) == 25
    for conv in convs[:5]:
        served = requests.get(f"{handle.base_url}/conversations/{conv['id']}", auth=handle.auth, timeout=10).json()
        assert served == conv
    assert handle.conversation(convs[0]["externalId"]) == convs[0]
    assert handle.conversation("missing") is None
    assert workspace(mockserver.app) is handle.workspace
