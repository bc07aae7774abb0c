"""The request journal: every request with its answer, rejected ones included; bounded;
filtered by path templates and operation ids; emptied by reset; safe under threads."""
from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from conftest import MONICA_TOKEN, VITALLY_KEY, basic

from mockserver import MockServer, create_app
from mockserver.app import state_of

MONICA = {"Authorization": f"Bearer {MONICA_TOKEN}", "Accept": "application/json"}


def strict(**options):
    app = create_app(strict_responses=True, **options)
    app.testing = True
    return app


def journal_of(app):
    return state_of(app).journal


def test_an_answered_request_is_recorded_with_every_field(app, client, vitally_headers):
    body = {"externalId": "j-1", "subject": "Hello", "messages": []}
    r = client.post("/resources/conversations?source=test&tag=a&tag=b", json=body, headers={**vitally_headers, "X-Trace": "t1"})
    assert r.status_code == 200
    [entry] = journal_of(app)
    assert (entry.id, entry.method, entry.path) == (1, "POST", "/resources/conversations")
    assert entry.query == {"source": ["test"], "tag": ["a", "b"]}
    assert entry.headers["x-trace"] == "t1" and entry.headers["Content-Type"] == "application/json"
    assert entry.json == body and json.loads(entry.body) == body and entry.text == entry.body.decode()
    assert (entry.vendor, entry.tenant, entry.operation) == ("vitally", VITALLY_KEY, "vitally.createConversation")
    assert (entry.status, entry.reason, entry.fault) == (200, None, None)
    assert entry.response_json == r.get_json()


@pytest.mark.parametrize("method,path,headers,body,status,reason,operation", [
    ("GET", "/resources/conversations", {}, None, 401, "auth", "vitally.listConversations"),
    ("GET", "/resources/nope", "vitally", None, 404, "unknown_route", None),
    ("DELETE", "/resources/users", "vitally", None, 405, "method_not_allowed", None),
    ("POST", "/resources/conversations", "vitally", {"subject": "no externalId", "messages": []}, 400, "validation",
     "vitally.createConversation"),
    ("GET", "/resources/conversations/missing", "vitally", None, 404, "not_found", "vitally.getConversation"),
    ("GET", "/api/nope", "monica", None, 404, "unknown_route", None),
    ("POST", "/api/conversations", "monica", {}, 422, "validation", "monica.createConversation"),
    ("GET", "/api/conversations?sort=nope", "monica", None, 400, "validation", "monica.listConversations"),
    ("GET", "/elsewhere", {}, None, 404, "unknown_route", None),
])
def test_rejected_requests_are_recorded_with_why(app, client, method, path, headers, body, status, reason, operation):
    sent = {"vitally": basic(VITALLY_KEY), "monica": MONICA}.get(headers, headers) if isinstance(headers, str) else headers
    r = client.open(path, method=method, json=body, headers=sent)
    assert r.status_code == status
    [entry] = journal_of(app)
    assert (entry.status, entry.reason, entry.operation) == (status, reason, operation)
    assert entry.response_json == r.get_json()
    assert entry.vendor == {"/resources": "vitally", "/api": "monica"}.get("/" + path.split("/")[1])


def test_a_wrong_credential_is_recorded_as_the_tenant_it_claimed(app, client):
    client.get("/resources/admins", headers=basic("sk_wrong"))
    client.get("/api/contacts", headers={"Authorization": "Bearer wrong-token", "Accept": "application/json"})
    assert [(e.tenant, e.status, e.reason) for e in journal_of(app)] == [("sk_wrong", 401, "auth"), ("wrong-token", 401, "auth")]


def test_a_body_over_the_limit_is_recorded_before_routing_without_its_body():
    app = strict(max_body_bytes=100)
    client = app.test_client()
    client.post("/api/conversations", data=b"x" * 500, headers={**MONICA, "Content-Type": "application/json"})
    [entry] = journal_of(app)
    assert (entry.status, entry.reason, entry.body, entry.vendor) == (413, "too_large", b"", "monica")


def test_a_rate_limited_request_is_recorded():
    app = strict(vitally_rate_limit=1)
    client = app.test_client()
    statuses = [client.get("/resources/admins", headers=basic(VITALLY_KEY)).status_code for _ in range(2)]
    assert statuses == [200, 429]
    assert [e.reason for e in journal_of(app)] == [None, "rate_limit"]


def test_a_crash_of_the_fake_is_recorded(monkeypatch):
    app = create_app()  # not testing: a crash is answered, not raised

    def broken(record):
        raise RuntimeError("boom")

    monkeypatch.setattr("mockserver.vitally.shapes.admin", broken)
    r = app.test_client().get("/resources/admins", headers=basic(VITALLY_KEY))
    assert r.status_code == 500
    [entry] = journal_of(app)
    assert (entry.status, entry.operation) == (500, "vitally.listAdmins")


def test_the_control_apis_own_requests_are_not_recorded(app, client):
    client.get("/__mockserver/health")
    client.post("/__mockserver/reset")
    client.get("/__mockserver/requests")
    client.get("/__mockserver/nope")
    assert len(journal_of(app)) == 0


def test_filter_by_template_operation_id_and_more(app, client, vitally_headers):
    conversation = state_of(app).vendor("vitally").handle(lambda: "", None).conversations[0]["id"]
    client.get(f"/resources/conversations/{conversation}", headers=vitally_headers)
    client.get("/resources/conversations/nope", headers=vitally_headers)
    client.get("/resources/conversations", headers=vitally_headers)
    client.get("/api/conversations/1", headers=MONICA)
    journal = journal_of(app)
    by_template = journal.filter(path="/resources/conversations/{id}")
    assert [e.path for e in by_template] == [f"/resources/conversations/{conversation}", "/resources/conversations/nope"]
    assert journal.filter(path="vitally.getConversation") == by_template
    assert journal.filter(operation="vitally.getConversation") == by_template
    assert [e.path for e in journal.filter(path="/resources/conversations")] == ["/resources/conversations"]
    assert [e.status for e in journal.filter(path="/resources/conversations/{id}", status=404)] == [404]
    assert [e.vendor for e in journal.filter(vendor="monica")] == ["monica"]
    assert len(journal.filter(tenant=VITALLY_KEY)) == 3
    assert len(journal.filter(method="get")) == 4
    assert journal.filter(method="POST") == []
    assert [e.id for e in journal] == [1, 2, 3, 4]  # newest last
    assert journal[-1].vendor == "monica" and [e.id for e in journal[1:3]] == [2, 3]


@pytest.mark.parametrize("kwargs,message", [
    ({"path": "vitally.noSuchOperation"}, "known operation id"),
    ({"path": "conversations/{id}"}, "neither a path"),
    ({"method": "GET", "path": "vitally.createConversation"}, "is a POST operation"),
    ({"method": "GET POST"}, "HTTP method"),
    ({"operation": "nope"}, "known operation id"),
])
def test_a_filter_that_could_never_match_is_an_error(app, kwargs, message):
    with pytest.raises(ValueError, match=message):
        journal_of(app).filter(**kwargs)


def test_the_cap_holds_over_a_long_run_dropping_the_oldest():
    app = strict(journal_size=20, vitally_rate_limit=10_000)
    client = app.test_client()
    journal = journal_of(app)
    for i in range(1, 401):
        client.get(f"/resources/admins?i={i}", headers=basic(VITALLY_KEY))
        assert len(journal) == min(i, 20)
    assert [e.query["i"] for e in journal] == [[str(i)] for i in range(381, 401)]
    assert journal.dropped == 380 and journal[0].id == 381


def test_journal_size_zero_records_nothing_and_a_bad_size_is_refused():
    app = strict(journal_size=0)
    app.test_client().get("/resources/nope")
    assert len(journal_of(app)) == 0 and not journal_of(app).enabled
    with pytest.raises(ValueError, match="journal_size"):
        create_app(journal_size=-1)


def test_reset_empties_the_journal_and_numbers_start_again(app, client, vitally_headers):
    client.get("/resources/admins", headers=vitally_headers)
    client.get("/resources/nope", headers=vitally_headers)
    state_of(app).store.reset()
    assert len(journal_of(app)) == 0 and journal_of(app).client_bugs == 0
    client.get("/resources/admins", headers=vitally_headers)
    assert [e.id for e in journal_of(app)] == [1]


def test_concurrent_requests_are_each_recorded_once():
    with MockServer(strict_responses=True) as server:
        vitally = server.vitally
        barrier = threading.Barrier(8)

        def send(i: int) -> int:
            barrier.wait(timeout=10) if i < 8 else None
            return requests.get(f"{vitally.base_url}/admins", params={"n": i}, auth=vitally.auth, timeout=10).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            assert set(pool.map(send, range(64))) == {200}
        entries = list(server.journal)
        assert sorted(int(e.query["n"][0]) for e in entries) == list(range(64))
        assert [e.id for e in entries] == list(range(1, 65))


def test_the_journal_records_over_a_real_socket_and_is_on_the_server(mockserver):
    vitally = mockserver.vitally
    requests.get(f"{vitally.base_url}/conversations", params={"limit": 2}, auth=vitally.auth, timeout=10)
    [entry] = mockserver.journal
    assert (entry.operation, entry.query, entry.tenant) == ("vitally.listConversations", {"limit": ["2"]}, VITALLY_KEY)
    assert len(entry.response_json["results"]) == 2
