"""Rate limiting: RateLimit-* headers on every authenticated response, 429 past the limit."""
from __future__ import annotations

from .conftest import assert_error, basic, conversation_body, strict_app, unchanged


def test_every_authenticated_response_carries_the_headers(client, h):
    responses = [
        client.get("/resources/conversations?limit=1", headers=h),
        client.get("/resources/conversations/nope", headers=h),  # 404
        client.get("/resources/conversations?sortBy=bad", headers=h),  # 400
        client.post("/resources/conversations", json=conversation_body("rl"), headers=h),
    ]
    remaining = []
    for response in responses:
        assert response.headers["RateLimit-Limit"] == "1000, 1000;window=60"
        reset = int(response.headers["RateLimit-Reset"])
        assert 0 <= reset <= 60
        remaining.append(int(response.headers["RateLimit-Remaining"]))
    assert remaining == [999, 998, 997, 996]


def test_over_the_limit_is_429_with_headers_and_retry_after():
    app = strict_app(vitally_rate_limit=3)
    client = app.test_client()
    h = basic("sk_test_mockserver")
    for expected in (2, 1, 0):
        response = client.get("/resources/admins", headers=h)
        assert response.status_code == 200
        assert response.headers["RateLimit-Remaining"] == str(expected)
        assert response.headers["RateLimit-Limit"] == "3, 3;window=60"
    with unchanged(app):
        limited = client.post("/resources/conversations", json=conversation_body("over"), headers=h)
        assert_error(limited, 429)
    assert limited.headers["RateLimit-Limit"] == "3, 3;window=60"
    assert limited.headers["RateLimit-Remaining"] == "0"
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["Retry-After"] == limited.headers["RateLimit-Reset"]
    assert_error(client.get("/resources/conversations/over", headers=h), 429)


def test_keys_are_limited_independently():
    app = strict_app(vitally_rate_limit=2, vitally_keys=["k1", "k2"])
    client = app.test_client()
    for _ in range(2):
        assert client.get("/resources/admins", headers=basic("k1")).status_code == 200
    assert_error(client.get("/resources/admins", headers=basic("k1")), 429)
    response = client.get("/resources/admins", headers=basic("k2"))
    assert response.status_code == 200 and response.headers["RateLimit-Remaining"] == "1"


def test_unauthenticated_requests_do_not_use_the_budget():
    app = strict_app(vitally_rate_limit=1)
    client = app.test_client()
    for _ in range(3):
        assert_error(client.get("/resources/admins", headers=basic("wrong")), 401)
    assert client.get("/resources/admins", headers=basic("sk_test_mockserver")).status_code == 200


def test_reset_clears_the_window():
    app = strict_app(vitally_rate_limit=1)
    client = app.test_client()
    h = basic("sk_test_mockserver")
    assert client.get("/resources/admins", headers=h).status_code == 200
    assert_error(client.get("/resources/admins", headers=h), 429)
    assert client.post("/__mockserver/reset").status_code == 200
    response = client.get("/resources/admins", headers=h)
    assert response.status_code == 200 and response.headers["RateLimit-Remaining"] == "0"


def test_body_errors_carry_the_headers_too():
    app = strict_app(max_body_bytes=100)
    client = app.test_client()
    h = basic("sk_test_mockserver")
    too_big = client.post("/resources/conversations", data="{" + " " * 200 + "}", headers={**h, "Content-Type": "application/json"})
    wrong_type = client.post("/resources/conversations", data="x", headers={**h, "Content-Type": "text/plain"})
    assert_error(too_big, 413)
    assert_error(wrong_type, 415)
    assert too_big.headers["RateLimit-Remaining"] == "999"
    assert wrong_type.headers["RateLimit-Remaining"] == "998"


RATE_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")


def test_a_request_that_reaches_no_operation_is_not_counted_and_carries_no_headers():
    """An unknown route (404) or a wrong method on a known path (405) is answered before
    authentication and the rate limit: it uses no budget and shows none."""
    app = strict_app(vitally_rate_limit=3)
    client = app.test_client()
    h = basic("sk_test_mockserver")
    for method, path, status in (("PATCH", "/resources/conversations", 405), ("DELETE", "/resources/admins", 405),
                                 ("POST", "/resources/messages/x", 405), ("FOO", "/resources/users", 405),
                                 ("GET", "/resources/nope", 404), ("GET", "/resources/conversations/x/y", 404)):
        for headers in (h, basic("wrong"), {}):  # not authenticated either: a bad key changes nothing
            response = client.open(path, method=method, headers=headers)
            assert_error(response, status)
            assert not any(name in response.headers for name in RATE_HEADERS), (method, path)
    response = client.get("/resources/admins", headers=h)
    assert response.status_code == 200 and response.headers["RateLimit-Remaining"] == "2"  # the first counted request


def test_every_counted_request_carries_the_headers_errors_included():
    app = strict_app(vitally_rate_limit=6, max_body_bytes=100)
    client = app.test_client()
    h = basic("sk_test_mockserver")
    json_headers = {**h, "Content-Type": "application/json"}
    answers = [
        client.get("/resources/admins", headers=h),  # 200
        client.get("/resources/admins?sortBy=bad", headers=h),  # 400
        client.get("/resources/conversations/nope", headers=h),  # 404
        client.post("/resources/conversations", data="{" + " " * 200 + "}", headers=json_headers),  # 413
        client.post("/resources/conversations", data="x", headers={**h, "Content-Type": "text/plain"}),  # 415
        client.post("/resources/conversations", data="{", headers=json_headers),  # 400
        client.get("/resources/admins", headers=h),  # 429
    ]
    assert [a.status_code for a in answers] == [200, 400, 404, 413, 415, 400, 429]
    for answer in answers:
        assert all(name in answer.headers for name in RATE_HEADERS), answer.status_code
    assert [a.headers["RateLimit-Remaining"] for a in answers] == ["5", "4", "3", "2", "1", "0", "0"]
    unauthenticated = client.get("/resources/admins", headers=basic("wrong"))
    assert_error(unauthenticated, 401)
    assert not any(name in unauthenticated.headers for name in RATE_HEADERS)
