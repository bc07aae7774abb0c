"""HTTP Basic auth with the API key as user name; one isolated workspace per key."""
from __future__ import annotations

import base64

import pytest

from .conftest import assert_error, basic, conversation_body, dump, seeded_ids, strict_app, unchanged

KEY = "sk_test_mockserver"
B64 = base64.b64encode(f"{KEY}:".encode()).decode()


@pytest.mark.parametrize("header", [
    f"Basic {B64}",  # documented: base64("key:")
    f"basic {B64}",  # scheme is case-insensitive
    f"Basic Basic {B64}",  # the UI's ready-made header value, prefixed again
    f"Basic {B64}:",  # PostHog: stray colon after the base64
    "Basic " + base64.b64encode(f"{KEY}:some-password".encode()).decode(),  # non-empty password is ignored
    "Basic " + base64.b64encode(KEY.encode()).decode(),  # no colon at all
    "Basic " + base64.b64encode(f"{KEY}:".encode()).decode().rstrip("="),  # padding dropped
])
def test_accepted_authorization_headers(client, header):
    response = client.get("/resources/conversations?limit=1", headers={"Authorization": header})
    assert response.status_code == 200
    assert len(response.get_json()["results"]) == 1


@pytest.mark.parametrize("header,message", [
    (None, "Missing authentication"),
    ("", "Missing authentication"),
    ("Basic " + base64.b64encode(b"sk_live_wrong:").decode(), "Invalid API key"),
    (f"Bearer {KEY}", "Invalid API key"),
    (f"Basic {KEY}", "Invalid API key"),  # the raw key, not base64
    ("Basic !!!not-base64!!!", "Invalid API key"),
    ("Basic " + base64.b64encode(b":" + KEY.encode()).decode(), "Invalid API key"),  # key as password
    ("Basic " + base64.b64encode(b"\xff\xfe:").decode(), "Invalid API key"),
    ("Basic", "Invalid API key"),
    ("Basic " + base64.b64encode(f" {KEY}:".encode()).decode(), "Invalid API key"),  # not the same key
])
@pytest.mark.parametrize("method,path", [
    ("GET", "/resources/conversations"),
    ("POST", "/resources/conversations"),
    ("GET", "/resources/users/search?email=x@y.z"),
    ("DELETE", "/resources/conversations/thread-4000"),
])
def test_missing_or_wrong_key_is_401(client, app, header, message, method, path):
    headers = {} if header is None else {"Authorization": header}
    with unchanged(app):
        response = client.open(path, method=method, headers=headers, json=conversation_body("x") if method == "POST" else None)
        assert_error(response, 401, message=message)
    assert "RateLimit-Limit" not in response.headers


def test_each_key_is_its_own_workspace():
    app = strict_app(vitally_keys=["k1", "k2"])
    client = app.test_client()
    k1, k2 = basic("k1"), basic("k2")
    assert dump(app, "k1") != dump(app, "k2")  # seeded independently
    ids1, ids2 = seeded_ids(app, "k1"), seeded_ids(app, "k2")
    assert not set(ids1["conversations"]) & set(ids2["conversations"])
    # the default key is not configured on this app
    assert_error(client.get("/resources/admins", headers=basic(KEY)), 401)
    created = client.post("/resources/conversations", json=conversation_body("only-k1"), headers=k1).get_json()
    with unchanged(app, "k2"):
        assert_error(client.get(f"/resources/conversations/{created['id']}", headers=k2), 404)
        assert_error(client.get("/resources/conversations/only-k1", headers=k2), 404)
        assert created["id"] not in {c["id"] for c in client.get("/resources/conversations", headers=k2).get_json()["results"]}
        for kind in ("accounts", "users", "organizations"):
            assert_error(client.get(f"/resources/{kind}/{ids1[kind][0]}", headers=k2), 404)
        assert_error(client.put(f"/resources/conversations/{created['id']}", json={"subject": "x"}, headers=k2), 404)
        assert_error(client.delete(f"/resources/conversations/{created['id']}", headers=k2), 404)
        assert_error(client.get(f"/resources/accounts/{ids1['accounts'][0]}/conversations", headers=k2), 404)
        # k1's users cannot be linked or messaged from k2
        assert_error(client.post("/resources/users", json={"externalId": "u", "accountIds": [ids1["accounts"][0]]}, headers=k2), 400)
    # the same externalId may exist in both workspaces
    assert client.post("/resources/conversations", json=conversation_body("only-k1"), headers=k2).status_code == 200
