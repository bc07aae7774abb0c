"""Cursor pagination: envelope, limit, from, sortBy, order, stability under writes."""
from __future__ import annotations

import base64

import pytest

from .conftest import assert_error, conversation_body, list_all, strict_app, unchanged, workspace

LISTS = [
    "/resources/conversations",
    "/resources/accounts",
    "/resources/users",
    "/resources/organizations",
    "/resources/admins",
]


def _ordered(items, field):
    keys = [i[field] for i in items]
    return keys == sorted(keys, reverse=True)


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("sort_by", ["updatedAt", "createdAt"])
def test_paging_returns_every_item_once_newest_first(client, h, app, path, sort_by):
    ws = workspace(app)
    table = getattr(ws, path.rsplit("/", 1)[1])
    expected = len(table) if "accounts" not in path else sum(1 for a in table if a.traits.get("churnedAt") is None)
    items = list_all(client, path, h, limit=3, sort_by=sort_by)
    assert len(items) == expected
    assert len({i["id"] for i in items}) == expected
    whole = list_all(client, path, h, limit=100, sort_by=sort_by)
    assert whole == items  # page size does not change the order
    if sort_by in items[0]:  # admins carry no timestamps
        assert _ordered(items, sort_by)


def test_envelope_and_end_of_list(client, h):
    first = client.get("/resources/conversations?limit=10", headers=h).get_json()
    assert set(first) == {"results", "next", "atEnd"}
    assert len(first["results"]) == 10 and first["atEnd"] is False and isinstance(first["next"], str)
    base64.b64decode(first["next"], validate=True)  # an opaque base64 cursor
    last = client.get("/resources/conversations?limit=25", headers=h).get_json()
    assert len(last["results"]) == 25 and last["next"] is None and last["atEnd"] is True  # no empty extra page


def test_default_and_maximum_limit_is_100():
    app = strict_app(vitally_sizes={"users": 130, "conversations": 0})
    client = app.test_client()
    from .conftest import basic

    h = basic("sk_test_mockserver")
    default = client.get("/resources/users", headers=h).get_json()
    assert len(default["results"]) == 100 and default["next"]
    too_big = client.get("/resources/users?limit=500", headers=h).get_json()
    assert len(too_big["results"]) == 100
    rest = client.get("/resources/users", query_string={"from": default["next"]}, headers=h).get_json()
    assert len(rest["results"]) == 30 and rest["next"] is None


@pytest.mark.parametrize("limit,size", [("0", 1), ("-3", 1), ("1", 1), ("7", 7), ("2.9", 2), (" 5 ", 5), ("", 25)])
def test_out_of_range_limits_are_clamped(client, h, limit, size):
    body = client.get("/resources/conversations", query_string={"limit": limit}, headers=h).get_json()
    assert len(body["results"]) == size


@pytest.mark.parametrize("query,contains", [
    ({"limit": "ten"}, "limit"),
    ({"limit": "nan"}, "limit"),
    ({"limit": "1e999"}, "limit"),
    ({"from": "not base64!"}, "from"),
    ({"from": base64.b64encode(b"garbage").decode()}, "from"),
    ({"from": base64.b64encode(b"updatedAt:x:y").decode()}, "from"),
    ({"from": base64.b64encode(b"\xff\xfe").decode()}, "from"),
    ({"sortBy": "name"}, "sortBy"),
])
def test_malformed_parameters_are_400(client, h, app, query, contains):
    with unchanged(app):
        assert_error(client.get("/resources/conversations", query_string=query, headers=h), 400, contains=contains)


def test_cursor_of_another_sort_is_400(client, h, app):
    cursor = client.get("/resources/conversations?limit=2&sortBy=createdAt", headers=h).get_json()["next"]
    with unchanged(app):
        assert_error(client.get("/resources/conversations", query_string={"from": cursor}, headers=h), 400, contains="sortBy")
    ok = client.get("/resources/conversations", query_string={"from": cursor, "sortBy": "createdAt"}, headers=h)
    assert ok.status_code == 200


def test_next_cursor_continues_after_the_last_item(client, h):
    page = client.get("/resources/users?limit=4", headers=h).get_json()
    nxt = client.get("/resources/users", query_string={"from": page["next"], "limit": 4}, headers=h).get_json()
    assert not {u["id"] for u in page["results"]} & {u["id"] for u in nxt["results"]}
    both = client.get("/resources/users?limit=8", headers=h).get_json()["results"]
    assert page["results"] + nxt["results"] == both


def test_unknown_query_parameters_are_ignored(client, h):
    plain = client.get("/resources/conversations?limit=5", headers=h).get_json()
    noisy = client.get("/resources/conversations?limit=5&updatedAt=1700000000.5&archived=true&foo=bar", headers=h).get_json()
    assert noisy == plain


@pytest.mark.parametrize("sort_by", ["updatedAt", "createdAt"])
def test_creating_while_paging_neither_skips_nor_repeats(client, h, app, sort_by):
    before = {c["id"] for c in list_all(client, "/resources/conversations", h)}
    seen: list[str] = []
    query = {"limit": 4, "sortBy": sort_by}
    n = 0
    while True:
        body = client.get("/resources/conversations", query_string=query, headers=h).get_json()
        seen.extend(c["id"] for c in body["results"])
        n += 1
        client.post("/resources/conversations", json=conversation_body(f"during-{sort_by}-{n}"), headers=h)
        if body["next"] is None:
            break
        query["from"] = body["next"]
    assert len(seen) == len(set(seen)), "an item was repeated"
    assert before <= set(seen), "an item that existed when paging started was skipped"


def test_ties_on_the_same_millisecond_are_broken_stably(client, h, app):
    ws = workspace(app)
    ws.clock = lambda: 1_800_000_000.0  # every new record gets the same timestamp
    created = [client.post("/resources/conversations", json=conversation_body(f"tie-{i}"), headers=h).get_json()["id"] for i in range(7)]
    first = [c["id"] for c in list_all(client, "/resources/conversations", h, limit=2)]
    assert first[:7] == created[::-1]  # newest first, by creation sequence
    assert first == [c["id"] for c in list_all(client, "/resources/conversations", h, limit=3)]
    assert first == [c["id"] for c in list_all(client, "/resources/conversations", h, limit=100)]


def test_nested_lists_paginate(client, h):
    org = max(list_all(client, "/resources/organizations", h), key=lambda o: o["usersCount"])
    assert org["usersCount"] > 1
    one_by_one = list_all(client, f"/resources/organizations/{org['id']}/users", h, limit=1)
    assert len(one_by_one) == org["usersCount"] == len({u["id"] for u in one_by_one})
    assert one_by_one == list_all(client, f"/resources/organizations/{org['id']}/users", h)


def test_update_moves_an_item_to_the_front(client, h):
    users = list_all(client, "/resources/users", h)
    oldest = users[-1]
    client.put(f"/resources/users/{oldest['id']}", json={"traits": {"touched": True}}, headers=h)
    assert client.get("/resources/users?limit=1", headers=h).get_json()["results"][0]["id"] == oldest["id"]
    by_created = list_all(client, "/resources/users", h, sort_by="createdAt")
    assert _ordered(by_created, "createdAt")


def test_deleting_the_cursor_item_does_not_break_paging(client, h):
    everything = [c["id"] for c in list_all(client, "/resources/conversations", h)]
    page = client.get("/resources/conversations?limit=5", headers=h).get_json()
    assert client.delete(f"/resources/conversations/{page['results'][-1]['id']}", headers=h).status_code == 200
    rest = list_all(client, "/resources/conversations", h, **{"from": page["next"]})
    assert [c["id"] for c in page["results"]] + [c["id"] for c in rest] == everything
