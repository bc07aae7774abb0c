"""The control API over HTTP: the index, the journal, fault rules, reset, and switching
it off. Every answer is checked against schemas/control/ (strict mode)."""
from __future__ import annotations

import pytest
import requests
from conftest import VITALLY_KEY, basic
from html_tables import tables

from mockserver import MockServer, create_app
from mockserver.app import state_of

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def strict(**options):
    app = create_app(strict_responses=True, **options)
    app.testing = True
    return app


# -- the index --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/__mockserver/", "/__mockserver"])
def test_the_index_lists_every_control_route_from_the_table(app, client, path):
    r = client.get(path)
    assert r.status_code == 200 and r.mimetype == "application/json"
    routes = r.get_json()["routes"]
    declared = [op for op in state_of(app).operations.values() if op.vendor == "control"]
    assert [(x["id"], x["method"], x["path"]) for x in routes] == [(op.id, op.method, op.full_path) for op in declared]
    listed = {(x["method"], x["path"]) for x in routes}
    for expected in [("GET", "/__mockserver/requests"), ("DELETE", "/__mockserver/requests"), ("POST", "/__mockserver/faults"),
                     ("GET", "/__mockserver/faults"), ("DELETE", "/__mockserver/faults/{fault_id}"), ("POST", "/__mockserver/reset"),
                     ("POST", "/__mockserver/monica/contacts")]:
        assert expected in listed
    assert client.get(path, headers={"Accept": "*/*"}).mimetype == "application/json"  # curl's default


def test_a_browser_gets_a_page_of_tenants_record_counts_and_the_latest_requests(app, client, vitally_headers):
    client.get("/resources/conversations?limit=1", headers=vitally_headers)
    client.get("/resources/<script>", headers=vitally_headers)
    state_of(app).faults.add("GET", "/resources/admins", status=503)
    r = client.get("/__mockserver/", headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert "<script>" not in html  # the client's path is escaped
    found = tables(html)
    assert [row[:3] for row in found["tenants"]] == [["vitally", "/resources", VITALLY_KEY], ["monica", "/api", "mockserver-token"]]
    assert "conversations: 25" in found["tenants"][0][3] and "contacts: 12" in found["tenants"][1][3]
    newest, older = found["requests"]
    assert (newest[2], newest[3], newest[4], newest[5]) == ("GET", "/resources/<script>", "404", "unknown_route")
    assert (older[3], older[4], older[6]) == ("/resources/conversations?limit=1", "200", "vitally.listConversations")
    assert found["faults"][0][1:] == ["GET", "/resources/admins", "status=503", "0 of 1"]


# -- the journal ------------------------------------------------------------------------------


def test_requests_are_listed_with_the_journals_filters_and_a_limit(app, client, vitally_headers):
    for path in ("/resources/admins", "/resources/users", "/resources/nope", "/resources/admins?limit=1"):
        client.get(path, headers=vitally_headers)
    client.get("/api/contacts", headers={"Authorization": "Bearer mockserver-token", "Accept": "application/json"})
    every = client.get("/__mockserver/requests").get_json()
    assert [e["path"] for e in every["requests"]] == ["/resources/admins", "/resources/users", "/resources/nope", "/resources/admins",
                                                      "/api/contacts"]
    assert (every["matched"], every["dropped"]) == (5, 0)
    first = every["requests"][0]
    assert (first["operation"], first["tenant"], first["status"], first["reason"]) == ("vitally.listAdmins", VITALLY_KEY, 200, None)
    assert first["headers"]["Authorization"] == vitally_headers["Authorization"] and first["response_json"]["results"]

    def ids(query: str) -> list[int]:
        r = client.get(f"/__mockserver/requests?{query}")
        assert r.status_code == 200, r.get_json()
        return [e["id"] for e in r.get_json()["requests"]]

    assert ids("path=/resources/admins") == [1, 4]
    assert ids("path=vitally.listAdmins&limit=1") == [4]
    assert ids("operation=vitally.listUsers") == [2]
    assert ids("vendor=monica") == [5]
    assert ids("status=404") == ids("reason=unknown_route") == [3]
    assert ids(f"tenant={VITALLY_KEY}&method=GET&limit=2") == [3, 4]
    assert ids("limit=2") == [4, 5]


@pytest.mark.parametrize("query,message", [
    ("limit=0", "limit must be at least 1"),
    ("limit=ten", "limit must be a whole number"),
    ("status=abc", "status must be a whole number"),
    ("path=vitally.nope", "known operation id"),
    ("pathh=/resources", "unknown parameter(s) pathh"),
])
def test_bad_journal_filters_are_400_in_the_control_apis_format(client, query, message):
    r = client.get(f"/__mockserver/requests?{query}")
    assert r.status_code == 400
    assert r.get_json()["error"] == "Bad Request" and message in r.get_json()["message"]


def test_delete_requests_empties_the_journal(app, client, vitally_headers):
    client.get("/resources/admins", headers=vitally_headers)
    client.get("/resources/users", headers=vitally_headers)
    assert client.delete("/__mockserver/requests").get_json() == {"deleted": 2}
    assert client.get("/__mockserver/requests").get_json()["requests"] == []


# -- fault rules ------------------------------------------------------------------------------


def test_fault_rules_over_http_are_added_listed_and_removed(app, client, vitally_headers):
    created = client.post("/__mockserver/faults", json={"method": "GET", "path": "/resources/admins", "status": 503, "times": 2})
    assert created.status_code == 201
    rule = created.get_json()
    assert rule == {"id": rule["id"], "method": "GET", "path": "/resources/admins", "status": 503, "error": None, "delay": None,
                    "times": 2, "vendor": None, "tenant": None, "fired": 0, "active": True}
    forever = client.post("/__mockserver/faults", json={"method": "*", "path": "vitally.listUsers", "delay": [0, 0.01],
                                                         "status": 500, "times": None}).get_json()
    assert [client.get("/resources/admins", headers=vitally_headers).status_code for _ in range(3)] == [503, 503, 200]
    assert client.get("/resources/users", headers=vitally_headers).status_code == 500
    listed = client.get("/__mockserver/faults").get_json()["faults"]
    assert [(r["id"], r["fired"], r["active"]) for r in listed] == [(rule["id"], 2, False), (forever["id"], 1, True)]
    assert client.get(f"/__mockserver/faults/{forever['id']}").get_json()["delay"] == [0, 0.01]
    assert client.delete(f"/__mockserver/faults/{forever['id']}").get_json() == {"deleted": 1}
    assert client.get("/resources/users", headers=vitally_headers).status_code == 200
    assert client.delete(f"/__mockserver/faults/{forever['id']}").status_code == 404
    assert client.get("/__mockserver/faults/x").status_code == 404
    assert client.delete("/__mockserver/faults").get_json() == {"deleted": 1}
    assert client.get("/__mockserver/faults").get_json() == {"faults": []}


@pytest.mark.parametrize("body,message", [
    ({"path": "/resources/admins", "status": 503}, "method"),
    ({"method": "GET", "path": "/resources/admins", "status": 200}, "status must be at least 400"),
    ({"method": "GET", "path": "/resources/admins", "error": "explode"}, "error must be one of connection_reset, empty_response, malformed_body"),
    ({"method": "GET", "path": "/resources/admins"}, "at least one of status, error or delay"),
    ({"method": "GET", "path": "/resources/admins", "delay": [1]}, "delay"),
    ({"method": "GET", "path": "/resources/admins", "status": 503, "colour": "red"}, "colour"),
    ({"method": "GET", "path": "vitally.noSuch", "status": 503}, "known operation id"),
    ({"method": "GET", "path": "/elsewhere", "status": 503}, "not a path of any vendor"),
])
def test_a_bad_fault_rule_is_400_and_adds_nothing(app, client, body, message):
    r = client.post("/__mockserver/faults", json=body)
    assert r.status_code == 400 and message in r.get_json()["message"]
    assert len(state_of(app).faults) == 0


def test_fault_rules_over_http_apply_to_a_live_server_and_a_requests_client():
    with MockServer(strict_responses=True) as server:
        requests.post(server.url_for("/__mockserver/faults"), json={"method": "GET", "path": "/api/contacts", "error": "connection_reset"},
                      timeout=10).raise_for_status()
        with pytest.raises(requests.ConnectionError):
            requests.get(server.monica.base_url + "/contacts", headers=server.monica.headers, timeout=10)
        assert requests.get(server.monica.base_url + "/contacts", headers=server.monica.headers, timeout=10).status_code == 200


# -- reset and switching off ------------------------------------------------------------------


def test_reset_over_http_clears_the_store_the_journal_and_the_fault_rules(app, client, vitally_headers):
    body = {"externalId": "gone", "subject": "s", "messages": []}
    assert client.post("/resources/conversations", json=body, headers=vitally_headers).status_code == 200
    client.post("/__mockserver/faults", json={"method": "GET", "path": "/resources/admins", "status": 503})
    assert client.post("/__mockserver/reset").get_json() == {"reset": True}
    assert client.get("/__mockserver/requests").get_json() == {"requests": [], "matched": 0, "dropped": 0}
    assert client.get("/__mockserver/faults").get_json() == {"faults": []}
    assert client.get("/resources/conversations/gone", headers=vitally_headers).status_code == 404
    assert client.get("/resources/admins", headers=vitally_headers).status_code == 200


def test_without_the_control_api_its_routes_answer_as_any_unknown_path():
    app = strict(control_api=False)
    client = app.test_client()
    unknown = client.get("/no-such-path")
    assert unknown.status_code == 404
    for method, path in [("GET", "/__mockserver/"), ("POST", "/__mockserver/reset"), ("GET", "/__mockserver/requests"),
                         ("POST", "/__mockserver/faults"), ("GET", "/__mockserver/health"), ("POST", "/__mockserver/monica/contacts")]:
        r = client.open(path, method=method, json={})
        assert r.status_code == 404
        assert r.get_json() == {**unknown.get_json(), "message": f"no route {path}"}
    # ...and, being a client's unknown routes now, they are recorded
    assert [e.reason for e in state_of(app).journal][-1] == "unknown_route"
    assert len(state_of(app).journal) == 7
    # the vendors and the in-process tools are unaffected
    assert client.get("/resources/admins", headers=basic(VITALLY_KEY)).status_code == 200


def test_a_server_without_the_control_api_starts_with_an_empty_journal():
    with MockServer(control_api=False, strict_responses=True) as server:
        assert len(server.journal) == 0
        assert requests.post(server.url_for("/__mockserver/reset"), timeout=10).status_code == 404
        server.reset()  # still there in-process
        assert len(server.journal) == 0


def test_control_api_must_be_a_boolean():
    with pytest.raises(ValueError, match="control_api must be True or False"):
        create_app(control_api="no")
