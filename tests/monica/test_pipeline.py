"""Laravel's pipeline in Monica's order: post size, route match, auth, throttle, the
ApiController middleware, then the controller (PHP int coercion of route parameters)."""
from __future__ import annotations

import pytest

from .conftest import TOKEN, auth, call, error, seeded, strict_app, unchanged

JSON = {"Accept": "application/json"}


# -- auth ------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [
    {},  # no token at all
    {"Authorization": "Bearer nope"},
    {"Authorization": f"Basic {TOKEN}"},
    {"Authorization": f"bearer {TOKEN}"},  # bearerToken() looks for "Bearer " exactly
])
def test_missing_or_wrong_token_is_401_unauthenticated_when_json_is_wanted(client, app, headers):
    with unchanged(app):
        r = client.get("/api/conversations", headers={**headers, **JSON})
    assert (r.status_code, r.get_json()) == (401, {"message": "Unauthenticated."})
    assert "X-RateLimit-Limit" not in r.headers and "X-RateLimit-Remaining" not in r.headers


@pytest.mark.parametrize("accept,xhr,wants_json", [
    ("application/json", None, True),
    ("application/vnd.api+json", None, True),
    ("text/html, application/json", None, False),  # only the first type counts
    ("text/html;q=0.5, application/json", None, True),  # ...after sorting by quality
    ("*/*", None, False),  # what requests and the Python clients send
    (None, None, False),
    ("*/*", "XMLHttpRequest", True),
    (None, "XMLHttpRequest", True),
    ("text/html", "XMLHttpRequest", False),
])
def test_expects_json_decides_between_401_and_the_login_redirect(client, accept, xhr, wants_json):
    headers = {"Authorization": "Bearer wrong"}
    if accept is not None:
        headers["Accept"] = accept
    if xhr is not None:
        headers["X-Requested-With"] = xhr
    r = client.get("/api/contacts", headers=headers)
    if wants_json:
        assert (r.status_code, r.get_json()) == (401, {"message": "Unauthenticated."})
    else:
        assert r.status_code == 302
        assert r.headers["Location"] == "http://localhost"


def test_bearer_token_is_read_after_the_last_bearer_and_up_to_a_comma(client):
    assert client.get("/api/contacts", headers={"Authorization": f"Bearer {TOKEN},extra", **JSON}).status_code == 200
    assert client.get("/api/contacts", headers={"Authorization": f"Token x Bearer {TOKEN}", **JSON}).status_code == 200


# -- route matching ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/foo", "/api/conversations/1/messages/2/extra", "/api/contacts/1/notes", "/api/conversation"])
def test_unknown_routes_are_404_before_auth(client, app, path):
    with unchanged(app):
        for headers in (JSON, auth()):
            r = client.get(path, headers=headers)
            assert r.status_code == 404
            assert r.get_json() == {"message": f"The route {path.strip('/')} could not be found."}
            assert "X-RateLimit-Limit" not in r.headers


def test_unknown_route_without_json_accept_is_an_html_page(client):
    r = client.get("/api/foo", headers={"Accept": "*/*"})
    assert r.status_code == 404 and r.mimetype == "text/html"


@pytest.mark.parametrize("method,path,supported", [
    ("GET", "/api/conversations/1/messages", ["POST"]),
    ("PUT", "/api/conversations/1/messages", ["POST"]),
    ("GET", "/api/conversations/1/messages/2", ["PUT", "PATCH", "DELETE"]),
    ("POST", "/api/conversations/1", ["GET", "HEAD", "PUT", "PATCH", "DELETE"]),
    ("DELETE", "/api/conversations", ["GET", "HEAD", "POST"]),
    ("PATCH", "/api/contactfieldtypes", ["GET", "HEAD", "POST"]),
    ("POST", "/api/contacts/1/conversations", ["GET", "HEAD"]),
    ("POST", "/api", ["GET", "HEAD"]),
])
def test_wrong_method_is_405_before_auth_with_laravels_message_and_allow(client, app, method, path, supported):
    with unchanged(app):
        for headers in (JSON, auth()):
            r = client.open(path, method=method, headers=headers)
            assert r.status_code == 405
            assert r.headers["Allow"] == ", ".join(supported)
            assert r.get_json() == {"message": f"The {method} method is not supported for route {path.strip('/')}. Supported methods: {', '.join(supported)}."}
            assert "X-RateLimit-Limit" not in r.headers


def test_options_on_a_known_uri_is_an_empty_200_with_allow_and_no_auth(client):
    r = client.options("/api/conversations/5")
    assert (r.status_code, r.data, r.headers["Allow"]) == (200, b"", "GET,HEAD,PUT,PATCH,DELETE")
    assert client.options("/api/conversations/5/messages").headers["Allow"] == "POST"
    assert client.options("/api/nope", headers=JSON).status_code == 404


def test_trailing_slash_matches_like_laravel(client):
    assert call(client, "GET", "/api/conversations/").status_code == 200
    r = call(client, "GET", "/api/conversations/?limit=2&page=2")
    assert r.get_json()["meta"]["path"] == "http://localhost/api/conversations"


def test_head_answers_like_get_without_a_body(client):
    r = client.head("/api/conversations", headers=auth())
    assert r.status_code == 200 and r.data == b""


# -- body size -------------------------------------------------------------------------------


def test_bodies_over_the_limit_are_413_in_laravels_format_before_routing_and_auth():
    app = strict_app(max_body_bytes=200)
    c = app.test_client()
    big = {"content": "x" * 500}
    with unchanged(app):
        for path, headers in (("/api/conversations/1/messages", auth()), ("/api/conversations/1/messages", JSON), ("/api/nowhere", JSON)):
            r = c.post(path, json=big, headers=headers)
            assert (r.status_code, r.get_json()) == (413, {"message": ""}), path


# -- ApiController middleware order ---------------------------------------------------------------


def test_sort_is_checked_before_limit_and_limit_before_the_null_body(client, app):
    with unchanged(app):
        r = client.post("/api/conversations?sort=bad&limit=500", data="null", headers=auth(**{"Content-Type": "application/json"}))
        assert error(r)[:2] == (400, 39)
        r = client.post("/api/conversations?limit=500", data="null", headers=auth(**{"Content-Type": "application/json"}))
        assert error(r)[:2] == (400, 30)
        # The middleware runs for every action, writes included.
        assert error(call(client, "DELETE", "/api/conversations/1?sort=nope"))[:2] == (400, 39)


def test_sort_and_limit_are_read_from_the_json_body_too(client):
    r = client.get("/api/conversations", json={"limit": 500}, headers=auth())
    assert error(r)[:2] == (400, 30)
    r = client.get("/api/conversations", json={"limit": 3}, headers=auth())
    assert r.get_json()["meta"]["per_page"] == 3


def test_an_empty_sort_is_invalid(client):
    assert error(call(client, "GET", "/api/conversations?sort="))[:2] == (400, 39)


@pytest.mark.parametrize("limit,outcome", [
    ("abc", 30),  # PHP 8 compares a non-numeric string with 100 as strings: "abc" > "100"
    ("1e3", 30),
    ("100.5", 30),
    ("100", 200),
    ("", 200),  # "" becomes null: the default 15
    ("0", 200),
    ("-5", 200),  # no SQL LIMIT at all
])
def test_limit_compares_as_php_8_does(client, limit, outcome):
    r = call(client, "GET", f"/api/conversations?limit={limit}")
    if outcome == 30:
        assert error(r) == (400, 30, "The limit parameter is too big")
    else:
        assert r.status_code == 200


def test_a_negative_limit_returns_everything_and_echoes_per_page(client, app):
    total = len(app.extensions["mockserver"].vendors["monica"].account().conversations)
    body = call(client, "GET", "/api/conversations?limit=-5").get_json()
    assert len(body["data"]) == total
    assert (body["meta"]["per_page"], body["meta"]["last_page"], body["links"]["next"]) == (-5, 1, None)


def test_a_non_numeric_limit_below_100_as_a_string_crashes_like_php(client):
    r = call(client, "GET", "/api/conversations?limit=0abc")
    assert (r.status_code, r.get_json()) == (500, {"message": "A non-numeric value encountered"})


# -- controller parameters ----------------------------------------------------------------------------


@pytest.mark.parametrize("method,path,controller,argument", [
    ("DELETE", "/api/conversations/abc", "Contact\\ApiConversationController::destroy", "Argument #2 ($conversationId)"),
    ("POST", "/api/conversations/abc/messages", "Contact\\ApiMessageController::store", "Argument #2 ($conversationId)"),
    ("PUT", "/api/conversations/1/messages/x", "Contact\\ApiMessageController::update", "Argument #3 ($messageId)"),
    ("DELETE", "/api/conversations/x/messages/1", "Contact\\ApiMessageController::destroy", "Argument #2 ($conversationId)"),
    ("GET", "/api/contacts/abc", "ApiContactController::show", "Argument #2 ($id)"),
])
def test_non_numeric_ids_on_int_typed_actions_are_a_500_type_error(client, app, method, path, controller, argument):
    with unchanged(app):
        r = client.open(path, method=method, headers=auth(), json={"written_at": "2020-01-01", "written_by_me": 1, "content": "x"})
    assert r.status_code == 500
    message = r.get_json()["message"]
    assert message.startswith(f"App\\Http\\Controllers\\Api\\{controller}(): {argument} must be of type int, string given")
    assert r.headers["X-RateLimit-Limit"] == "60"  # the throttle saw it: it was a handled response
    html = client.open(path, method=method, headers={"Authorization": f"Bearer {TOKEN}", "Accept": "*/*"})
    assert html.status_code == 500 and html.mimetype == "text/html"


def test_untyped_ids_use_mysql_comparison(client, app):
    s = seeded(app)
    cid = s["conversation"].id
    # show($conversationId) is untyped: "12abc" = 12 in MySQL, "abc" = 0 matches nothing.
    assert call(client, "GET", f"/api/conversations/{cid}abc").get_json()["data"]["id"] == cid
    assert call(client, "GET", "/api/conversations/abc").status_code == 404
    assert call(client, "GET", f"/api/contactfieldtypes/{s['email'].id}x").get_json()["data"]["id"] == s["email"].id
    # numeric strings coerce to int-typed parameters
    assert call(client, "GET", f"/api/contacts/{s['active'].id}.0").get_json()["data"]["id"] == s["active"].id


# -- rate limit --------------------------------------------------------------------------------------------


def test_rate_limit_headers_count_down_then_429_with_code_34():
    app = strict_app(monica_rate_limit=3, monica_tokens=["a", "b"])
    c = app.test_client()
    remaining = []
    for path in ("/api/conversations", "/api/conversations/99999", "/api/conversations?sort=bad"):  # 2xx and 4xx all count
        r = call(c, "GET", path, token="a")
        assert r.headers["X-RateLimit-Limit"] == "3"
        remaining.append(r.headers["X-RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]
    r = call(c, "GET", "/api/conversations", token="a")
    assert error(r) == (429, 34, "Too many attempts, please slow down the request")
    assert r.headers["X-RateLimit-Limit"] == "3" and r.headers["X-RateLimit-Remaining"] == "0"
    assert 0 < int(r.headers["Retry-After"]) <= 60
    assert int(r.headers["X-RateLimit-Reset"]) > 0
    # Per token: the other account is not throttled; 401s do not count or carry headers.
    assert call(c, "GET", "/api/conversations", token="b").status_code == 200
    assert "X-RateLimit-Limit" not in call(c, "GET", "/api/conversations", token="zzz").headers


def test_a_throttled_write_changes_nothing():
    app = strict_app(monica_rate_limit=1)
    c = app.test_client()
    call(c, "GET", "/api")
    with unchanged(app):
        r = call(c, "POST", "/api/contactfieldtypes", {"name": "Signal"})
        assert r.status_code == 429


# -- bad input never hurts -------------------------------------------------------------------------------

WEIRD_VALUES = [None, [], {}, [1], {"a": 1}, 1e308, -1, 0, True, False, "x" * 10_000, "\u0000", "2020-01-01", "1", 10**30]


def test_weird_values_in_every_field_get_monicas_answers_and_change_nothing():
    app = strict_app(monica_rate_limit=10_000)
    client = app.test_client()
    s = seeded(app)
    cid, mid, cft = s["conversation"].id, s["conversation"].message_ids[0], s["email"].id
    writes = [
        ("POST", "/api/conversations", ("happened_at", "contact_id", "contact_field_type_id")),
        ("PUT", f"/api/conversations/{cid}", ("happened_at", "contact_field_type_id")),
        ("POST", f"/api/conversations/{cid}/messages", ("written_at", "written_by_me", "content")),
        ("PUT", f"/api/conversations/{cid}/messages/{mid}", ("written_at", "written_by_me", "content")),
        ("PUT", f"/api/contactfieldtypes/{cft}", ("name", "delible")),
    ]
    with unchanged(app):
        for method, path, fields in writes:
            for value in WEIRD_VALUES:
                body = {field: value for field in fields}
                r = call(client, method, path, body)
                assert r.is_json, (method, path, value)
                if r.status_code >= 500:
                    # Only where PHP itself breaks: a list bound into a string column.
                    assert r.get_json() == {"message": "Array to string conversion"}, (method, path, value)
                    assert isinstance(value, (list, dict)) and path.startswith("/api/contactfieldtypes")
                else:
                    assert r.status_code in (200, 404, 422), (method, path, value, r.get_json())
                if r.status_code == 200:
                    app.extensions["mockserver"].store.reset()  # a value that is valid: undo it, keep checking


def test_deeply_nested_json_reads_as_empty_input(client, app):
    deep = "[" * 100_000 + "]" * 100_000
    with unchanged(app):
        r = client.post("/api/conversations", data=deep, headers=auth(**{"Content-Type": "application/json"}))
        assert error(r)[:2] == (422, 32)


def test_oversized_chunked_body_is_413_not_truncated():
    requests = pytest.importorskip("requests")
    from mockserver import MockServer

    with MockServer(strict_responses=True, max_body_bytes=2000) as server:
        monica = server.monica
        cft = monica.contact_field_types[0]["id"]
        valid = b'{"name": "Chunked", "protocol": "x:"}'
        padded = valid + b" " * 5000

        def chunks(data: bytes):
            for i in range(0, len(data), 500):
                yield data[i:i + 500]

        headers = {**monica.headers, "Content-Type": "application/json"}
        r = requests.post(f"{monica.base_url}/contactfieldtypes", data=chunks(padded), headers=headers, timeout=30)
        assert (r.status_code, r.json()) == (413, {"message": ""})
        assert "Chunked" not in [t["name"] for t in monica.contact_field_types]
        ok = requests.put(f"{monica.base_url}/contactfieldtypes/{cft}", data=chunks(valid), headers=headers, timeout=30)
        assert ok.status_code == 200


def test_a_post_can_be_routed_as_another_verb_like_symfony_allows(client, app):
    s = seeded(app)
    cid = s["conversation"].id
    r = client.post(f"/api/conversations/{cid}", headers=auth(**{"X-HTTP-Method-Override": "DELETE"}))
    assert r.get_json() == {"deleted": True, "id": cid}
    r = client.post(f"/api/contactfieldtypes/{s['email'].id}?_method=put", json={"name": "Mail"}, headers=auth())
    assert r.status_code == 200 and r.get_json()["data"]["name"] == "Mail"
    # Only a POST is overridden.
    assert client.get(f"/api/contactfieldtypes/{s['email'].id}", headers=auth(**{"X-HTTP-Method-Override": "DELETE"})).status_code == 200


def test_the_null_check_reads_the_raw_body_of_a_form_too(client, app):
    with unchanged(app):
        r = client.post("/api/contactfieldtypes", data="null", headers=auth(**{"Content-Type": "application/x-www-form-urlencoded"}))
        assert error(r) == (400, 37, "Problems parsing JSON")
