"""Laravel's LengthAwarePaginator as Monica emits it: `links`, `meta`, `meta.links` and
its window with "..." gaps, page URLs without `limit` or `sort`."""
from __future__ import annotations

from typing import Any

import pytest

from .conftest import account, call, strict_app

PATH = "http://localhost/api/conversations"
PREV, NEXT = "\u276e Previous", "Next \u276f"


@pytest.fixture(scope="module")
def big() -> Any:
    """20 pages of conversations at limit=2 (40 conversations)."""
    return strict_app(monica_sizes={"conversations": 40})


def labels(body: dict[str, Any]) -> list[str]:
    return [link["label"] for link in body["meta"]["links"]]


def test_exact_meta_and_links_of_a_middle_page():
    app = strict_app(monica_sizes={"conversations": 3})
    body = call(app.test_client(), "GET", "/api/conversations?limit=2").get_json()
    assert body["links"] == {"first": f"{PATH}?page=1", "last": f"{PATH}?page=2", "prev": None, "next": f"{PATH}?page=2"}
    assert body["meta"] == {
        "current_page": 1,
        "from": 1,
        "last_page": 2,
        "links": [
            {"url": None, "label": PREV, "active": False},
            {"url": f"{PATH}?page=1", "label": "1", "active": True},
            {"url": f"{PATH}?page=2", "label": "2", "active": False},
            {"url": f"{PATH}?page=2", "label": NEXT, "active": False},
        ],
        "path": PATH,
        "per_page": 2,
        "to": 2,
        "total": 3,
    }
    assert list(body) == ["data", "links", "meta"]
    assert list(body["meta"]) == ["current_page", "from", "last_page", "links", "path", "per_page", "to", "total"]


def test_window_near_the_start_lists_ten_pages_a_gap_and_the_last_two(big):
    body = call(big.test_client(), "GET", "/api/conversations?limit=2&page=7").get_json()
    assert labels(body) == [PREV, "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "...", "19", "20", NEXT]
    gap = body["meta"]["links"][11]
    assert gap == {"url": None, "label": "...", "active": False}
    assert [link["label"] for link in body["meta"]["links"] if link["active"]] == ["7"]


def test_window_in_the_middle_has_two_gaps(big):
    body = call(big.test_client(), "GET", "/api/conversations?limit=2&page=10").get_json()
    assert labels(body) == [PREV, "1", "2", "...", "7", "8", "9", "10", "11", "12", "13", "...", "19", "20", NEXT]
    assert body["links"]["prev"] == f"{PATH}?page=9" and body["links"]["next"] == f"{PATH}?page=11"


def test_window_near_the_end_lists_the_first_two_a_gap_and_the_last_ten(big):
    body = call(big.test_client(), "GET", "/api/conversations?limit=2&page=14").get_json()
    assert labels(body) == [PREV, "1", "2", "...", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20", NEXT]
    last = call(big.test_client(), "GET", "/api/conversations?limit=2&page=20").get_json()
    assert last["links"]["next"] is None and last["meta"]["links"][-1] == {"url": None, "label": NEXT, "active": False}


def test_under_fourteen_pages_every_page_is_listed(big):
    body = call(big.test_client(), "GET", "/api/conversations?limit=3").get_json()  # 14 pages
    assert "..." in labels(body)
    body = call(big.test_client(), "GET", "/api/conversations?limit=4").get_json()  # 10 pages
    assert labels(body) == [PREV] + [str(n) for n in range(1, 11)] + [NEXT]


def test_a_page_beyond_the_last_is_empty_with_null_from_and_to(big):
    body = call(big.test_client(), "GET", "/api/conversations?limit=2&page=50").get_json()
    assert body["data"] == []
    meta = body["meta"]
    assert (meta["current_page"], meta["from"], meta["to"], meta["last_page"]) == (50, None, None, 20)
    assert body["links"]["prev"] == f"{PATH}?page=49" and body["links"]["next"] is None


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "", "01"])
def test_an_invalid_page_is_page_one(big, page):
    assert call(big.test_client(), "GET", f"/api/conversations?limit=2&page={page}").get_json()["meta"]["current_page"] == 1


def test_pages_follow_created_at_then_id_and_sort_reverses_or_switches_column(big):
    acc = account(big)
    c = big.test_client()
    expected = [cid for _, cid in acc.conversations_by_created.ascending()]
    seen = []
    for page in range(1, 5):
        seen += [d["id"] for d in call(c, "GET", f"/api/conversations?limit=10&page={page}").get_json()["data"]]
    assert seen == expected
    keys = [(acc.conversations[i].created_at, i) for i in seen]
    assert keys == sorted(keys)
    desc = [d["id"] for d in call(c, "GET", "/api/conversations?limit=100&sort=-created_at").get_json()["data"]]
    assert desc == expected[::-1]
    by_updated = [d["id"] for d in call(c, "GET", "/api/conversations?limit=100&sort=updated_at").get_json()["data"]]
    assert by_updated == [i for _, i in acc.conversations_by_updated.ascending()]


def test_from_and_to_count_items_across_pages(big):
    meta = call(big.test_client(), "GET", "/api/conversations?limit=15&page=3").get_json()["meta"]
    assert (meta["from"], meta["to"], meta["total"], meta["last_page"]) == (31, 40, 40, 3)


def test_contact_field_types_are_in_id_order_and_ignore_a_valid_sort(client):
    ids = [d["id"] for d in call(client, "GET", "/api/contactfieldtypes?sort=-created_at").get_json()["data"]]
    assert ids == sorted(ids) and len(ids) == 7
    body = call(client, "GET", "/api/contactfieldtypes?sort=completed_at&limit=3&page=2").get_json()
    assert [d["name"] for d in body["data"]] == ["Twitter", "Whatsapp", "Telegram"]
    assert body["links"]["next"] == "http://localhost/api/contactfieldtypes?page=3"


def test_contacts_search_adds_query_at_the_end_of_meta(client):
    body = call(client, "GET", "/api/contacts?query=a&limit=2").get_json()
    assert list(body["meta"])[-1] == "query" and body["meta"]["query"] == "a"
    assert body["links"]["first"] == "http://localhost/api/contacts?page=1"  # the query is not carried either


@pytest.mark.parametrize("sort", ["created_at", "-created_at", "updated_at", "-updated_at"])
def test_every_page_of_every_order_partitions_the_whole_list(big, sort):
    acc = account(big)
    index = acc.conversations_by_created if sort.lstrip("-") == "created_at" else acc.conversations_by_updated
    expected = [i for _, i in index.ascending()]
    if sort.startswith("-"):
        expected.reverse()
    c = big.test_client()
    seen = []
    for page in range(1, 8):  # 40 rows at 7 a page: 6 pages, the last one partial, then an empty one
        data = call(c, "GET", f"/api/conversations?limit=7&page={page}&sort={sort}").get_json()["data"]
        assert len(data) == (7 if page < 6 else 5 if page == 6 else 0)
        seen += [d["id"] for d in data]
    assert seen == expected
