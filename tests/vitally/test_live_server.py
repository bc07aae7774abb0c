"""Through a real MockServer over HTTP, as a client library would talk to Vitally."""
from __future__ import annotations

import http.client
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from mockserver import MockServer

from .conftest import conversation_body, message_body


def test_list_create_get_with_requests(mockserver):
    vitally = mockserver.vitally
    with requests.Session() as session:
        session.auth = vitally.auth  # requests sends Basic base64("key:")
        listed = session.get(f"{vitally.base_url}/conversations", params={"limit": 5}, timeout=10)
        assert listed.status_code == 200
        assert listed.headers["Content-Type"] == "application/json"
        assert listed.headers["RateLimit-Limit"] == "1000, 1000;window=60"
        assert len(listed.json()["results"]) == 5
        user, admin = vitally.users[0], vitally.admins[0]
        body = conversation_body("live-1", [message_body("m1", ("admin", admin["id"]), [("user", user["id"])])])
        created = session.post(f"{vitally.base_url}/conversations", json=body, timeout=10)
        assert created.status_code == 200
        conv = created.json()
        assert session.get(f"{vitally.base_url}/conversations/live-1", timeout=10).json() == conv
        assert vitally.conversation("live-1") == conv
        assert session.get(f"{vitally.base_url}/conversations/nope", timeout=10).status_code == 404


def test_the_fixture_resets_the_session_server_before_each_test(request, mockserver_session):
    """What a test leaves behind on the shared server is gone when the next test asks for
    `mockserver`: shown within one test, whatever order pytest-xdist runs tests in."""
    vitally = mockserver_session.vitally
    r = requests.post(f"{vitally.base_url}/conversations", json=conversation_body("leaks?"), auth=vitally.auth, timeout=10)
    assert r.status_code == 200 and vitally.conversation("leaks?") is not None
    server = request.getfixturevalue("mockserver")  # what the next test gets
    assert server is mockserver_session
    assert server.vitally.conversation("leaks?") is None
    r = requests.post(f"{vitally.base_url}/conversations", json=conversation_body("leaks?"), auth=vitally.auth, timeout=10)
    assert r.status_code == 200  # 400 (duplicate externalId) had the first write survived


def test_wrong_key_and_pre_encoded_header(mockserver):
    vitally = mockserver.vitally
    bad = requests.get(f"{vitally.base_url}/users", auth=("sk_live_nope", ""), timeout=10)
    assert bad.status_code == 401 and set(bad.json()) == {"statusCode", "error", "message"}
    token = vitally.headers["Authorization"].split(" ", 1)[1]
    ok = requests.get(f"{vitally.base_url}/users?limit=1", headers={"Authorization": f"Basic Basic {token}"}, timeout=10)
    assert ok.status_code == 200


def test_double_slash_path_over_the_wire(mockserver):
    conn = http.client.HTTPConnection("127.0.0.1", mockserver.port, timeout=10)
    try:
        conn.request("GET", "//resources/conversations?limit=2", headers=mockserver.vitally.headers)
        response = conn.getresponse()
        body = json.loads(response.read())
    finally:
        conn.close()
    assert response.status == 200 and len(body["results"]) == 2


def test_reset_over_http(mockserver):
    vitally = mockserver.vitally
    requests.post(f"{vitally.base_url}/conversations", json=conversation_body("r"), auth=vitally.auth, timeout=10)
    assert len(vitally.conversations) == 26
    assert requests.post(mockserver.url_for("/__mockserver/reset"), timeout=10).status_code == 200
    assert len(vitally.conversations) == 25


def test_concurrent_creates_lose_nothing(mockserver):
    vitally = mockserver.vitally
    user, admin = vitally.users[0]["id"], vitally.admins[0]["id"]
    before = len(vitally.conversations)
    threads, per_thread = 16, 8

    def work(t: int) -> list[str]:
        out = []
        with requests.Session() as session:
            session.auth = vitally.auth
            for i in range(per_thread):
                body = conversation_body(f"c-{t}-{i}", [message_body("m", ("admin", admin), [("user", user)])])
                r = session.post(f"{vitally.base_url}/conversations", json=body, timeout=30)
                assert r.status_code == 200, r.text
                out.append(r.json()["id"])
                # a read in between must see a consistent state
                assert session.get(f"{vitally.base_url}/conversations/c-{t}-{i}", timeout=30).status_code == 200
        return out

    with ThreadPoolExecutor(max_workers=threads) as pool:
        created = [cid for ids in pool.map(work, range(threads)) for cid in ids]
    assert len(created) == len(set(created)) == threads * per_thread
    assert len(vitally.conversations) == before + threads * per_thread
    listed = []
    url, params = f"{vitally.base_url}/conversations", {"limit": 100}
    while True:
        page = requests.get(url, params=params, auth=vitally.auth, timeout=10).json()
        listed.extend(c["id"] for c in page["results"])
        if page["next"] is None:
            break
        params["from"] = page["next"]
    assert len(listed) == len(set(listed)) == before + threads * per_thread
    assert set(created) <= set(listed)


@pytest.mark.mockserver(allow_rejected=True)  # seven of the eight are refused, on purpose
def test_concurrent_duplicate_external_ids_create_exactly_one(mockserver):
    vitally = mockserver.vitally
    barrier = threading.Barrier(8)

    def attempt(_: int) -> int:
        barrier.wait(timeout=10)
        return requests.post(f"{vitally.base_url}/conversations", json=conversation_body("race"), auth=vitally.auth, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(attempt, range(8)))
    assert statuses == [200] + [400] * 7
    assert sum(1 for c in vitally.conversations if c["externalId"] == "race") == 1


def test_two_servers_share_nothing():
    with MockServer(seed=0, strict_responses=True) as a, MockServer(seed=0, strict_responses=True) as b:
        assert a.url != b.url
        assert a.vitally.conversations == b.vitally.conversations
        r = requests.post(f"{a.vitally.base_url}/conversations", json=conversation_body("only-a"), auth=a.vitally.auth, timeout=10)
        assert r.status_code == 200
        assert a.vitally.conversation("only-a") is not None
        assert b.vitally.conversation("only-a") is None
        assert requests.get(f"{b.vitally.base_url}/conversations/only-a", auth=b.vitally.auth, timeout=10).status_code == 404
        # rate-limit windows are per server too: both have had two requests so far
        for _ in range(3):
            requests.get(f"{a.vitally.base_url}/admins", auth=a.vitally.auth, timeout=10)
        ra = requests.get(f"{a.vitally.base_url}/admins", auth=a.vitally.auth, timeout=10)
        rb = requests.get(f"{b.vitally.base_url}/admins", auth=b.vitally.auth, timeout=10)
        assert int(ra.headers["RateLimit-Remaining"]) == int(rb.headers["RateLimit-Remaining"]) - 3
        a.reset()
        assert a.vitally.conversation("only-a") is None
        assert a.vitally.conversations == b.vitally.conversations


@pytest.mark.mockserver(vitally_rate_limit=2, vitally_keys=["k1", "k2"])
def test_rate_limit_over_http(mockserver):
    k1 = mockserver.vitally_workspace("k1")
    for _ in range(2):
        assert requests.get(f"{k1.base_url}/admins", auth=k1.auth, timeout=10).status_code == 200
    limited = requests.get(f"{k1.base_url}/admins", auth=k1.auth, timeout=10)
    assert limited.status_code == 429 and "Retry-After" in limited.headers
    assert limited.json()["statusCode"] == 429
    k2 = mockserver.vitally_workspace("k2")
    assert requests.get(f"{k2.base_url}/admins", auth=k2.auth, timeout=10).status_code == 200
    mockserver.reset()
    assert requests.get(f"{k1.base_url}/admins", auth=k1.auth, timeout=10).status_code == 200


def test_oversized_body_over_the_wire(mockserver):
    vitally = mockserver.vitally
    body = json.dumps(conversation_body("huge", traits={"blob": "x" * 1_200_000}))
    r = requests.post(f"{vitally.base_url}/conversations", data=body, headers={**vitally.headers, "Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 413 and r.json()["statusCode"] == 413
    assert vitally.conversation("huge") is None


@pytest.mark.mockserver(max_body_bytes=2000)
def test_oversized_chunked_body_is_413_not_truncated(mockserver):
    """Without Content-Length the server cuts the stream at the limit; that is still a 413."""
    vitally = mockserver.vitally
    valid = json.dumps(conversation_body("chunked")).encode()
    padded = valid + b" " * 5000  # the first 2000 bytes alone are valid JSON

    def chunks(data: bytes):
        for i in range(0, len(data), 500):
            yield data[i:i + 500]

    headers = {**vitally.headers, "Content-Type": "application/json"}
    r = requests.post(f"{vitally.base_url}/conversations", data=chunks(padded), headers=headers, timeout=30)
    assert r.status_code == 413 and r.json()["statusCode"] == 413
    assert vitally.conversation("chunked") is None
    ok = requests.post(f"{vitally.base_url}/conversations", data=chunks(valid), headers=headers, timeout=30)
    assert ok.status_code == 200
