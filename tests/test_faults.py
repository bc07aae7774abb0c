"""Fault rules: a status with the vendor's own error body, transport errors on both
socket servers, delays that hold no lock, `times`, removal, and retrying clients."""
from __future__ import annotations

import http.client
import json
import socket
import threading
import time

import httpx
import pytest
import requests
from conftest import MONICA_TOKEN, VITALLY_KEY, basic
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from mockserver import MockServer, create_app
from mockserver.app import state_of
from mockserver.transport import served_in_thread

MONICA = {"Authorization": f"Bearer {MONICA_TOKEN}", "Accept": "application/json"}


def strict(**options):
    app = create_app(strict_responses=True, **options)
    app.testing = True
    return app


@pytest.fixture
def faulty():
    app = strict()
    return app, app.test_client(), state_of(app)


# -- status: the vendor's own error body --------------------------------------------------------


def test_a_status_is_answered_with_vitallys_error_body_then_the_real_answer(faulty):
    app, client, state = faulty
    rule = state.faults.add("GET", "/resources/conversations", status=503, times=2)
    answers = [client.get("/resources/conversations", headers=basic(VITALLY_KEY)) for _ in range(3)]
    assert [r.status_code for r in answers] == [503, 503, 200]
    assert answers[0].get_json() == {"statusCode": 503, "error": "Service Unavailable", "message": "Service Unavailable"}
    assert "RateLimit-Limit" not in answers[0].headers  # answered before the rate limiter
    assert answers[2].headers["RateLimit-Remaining"] == "999"  # faulted requests were not counted
    assert (rule.fired, rule.active) == (2, False)
    assert [(e.status, e.reason, e.fault) for e in state.journal] == [(503, "fault", 1), (503, "fault", 1), (200, None, None)]


def test_a_429_carries_each_vendors_rate_limit_headers_and_retry_after(faulty):
    app, client, state = faulty
    state.faults.add("GET", "vitally.listAdmins", status=429)
    state.faults.add("GET", "monica.listContacts", status=429)
    vitally = client.get("/resources/admins", headers=basic(VITALLY_KEY))
    assert vitally.status_code == 429
    assert vitally.get_json() == {"statusCode": 429, "error": "Too Many Requests", "message": "Rate limit exceeded: 1000 requests per minute"}
    assert {k: vitally.headers[k] for k in ("Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")} == {
        "Retry-After": "1", "RateLimit-Limit": "1000, 1000;window=60", "RateLimit-Remaining": "0", "RateLimit-Reset": "1"}
    monica = client.get("/api/contacts", headers=MONICA)
    assert monica.status_code == 429
    assert monica.get_json() == {"error": {"message": "Too many attempts, please slow down the request", "error_code": 34}}
    assert (monica.headers["Retry-After"], monica.headers["X-RateLimit-Limit"], monica.headers["X-RateLimit-Remaining"]) == ("1", "60", "0")
    assert int(monica.headers["X-RateLimit-Reset"]) >= int(time.time())


def test_monica_faults_answer_as_laravel_does_json_or_html(faulty):
    app, client, state = faulty
    state.faults.add("GET", "/api/conversations", status=503, times=2)
    json_answer = client.get("/api/conversations", headers=MONICA)
    assert (json_answer.status_code, json_answer.get_json()) == (503, {"message": "Service Unavailable"})
    page = client.get("/api/conversations", headers={"Authorization": f"Bearer {MONICA_TOKEN}"})
    assert page.status_code == 503 and page.mimetype == "text/html" and "Service Unavailable" in page.get_data(as_text=True)
    state.faults.add("GET", "/api/conversations/{id}", status=404)
    assert client.get("/api/conversations/1", headers=MONICA).get_json() == {
        "error": {"message": "The resource has not been found", "error_code": 31}}


def test_a_faulted_write_leaves_the_store_unchanged(faulty):
    app, client, state = faulty
    state.faults.add("POST", "/resources/conversations", status=500)
    before = len(state.vendor("vitally").workspace().conversations)
    r = client.post("/resources/conversations", json={"externalId": "f", "subject": "s", "messages": []}, headers=basic(VITALLY_KEY))
    assert r.status_code == 500 and r.get_json()["message"] == "An internal server error occurred"
    assert len(state.vendor("vitally").workspace().conversations) == before
    assert state.journal[0].json == {"externalId": "f", "subject": "s", "messages": []}


# -- matching ----------------------------------------------------------------------------------


def test_rules_match_by_template_operation_id_method_vendor_and_tenant():
    app = strict(vitally_keys=["k1", "k2"])
    client, faults = app.test_client(), state_of(app).faults
    faults.add("GET", "/resources/conversations/{id}", status=502, times=None, tenant="k2")
    faults.add("*", "vitally.deleteMessage", status=504, times=None)
    assert client.get("/resources/conversations/x", headers=basic("k1")).status_code == 404
    assert client.get("/resources/conversations/x", headers=basic("k2")).status_code == 502
    assert client.get("/resources/conversations", headers=basic("k2")).status_code == 200
    assert client.delete("/resources/messages/m", headers=basic("k1")).status_code == 504
    assert client.get("/resources/messages/m", headers=basic("k1")).status_code == 404


def test_the_newest_matching_rule_applies_and_times_none_means_every_request(faulty):
    app, client, state = faulty
    always = state.faults.add("GET", "/resources/admins", status=500, times=None)
    once = state.faults.add("GET", "/resources/admins", status=503)
    statuses = [client.get("/resources/admins", headers=basic(VITALLY_KEY)).status_code for _ in range(4)]
    assert statuses == [503, 500, 500, 500]
    assert (once.fired, always.fired, always.active) == (1, 3, True)


def test_a_rule_can_be_removed_alone_or_all_cleared(faulty):
    app, client, state = faulty
    first = state.faults.add("GET", "/resources/admins", status=500, times=None)
    second = state.faults.add("GET", "/resources/users", status=500, times=None)
    state.faults.remove(first)
    assert client.get("/resources/admins", headers=basic(VITALLY_KEY)).status_code == 200
    assert client.get("/resources/users", headers=basic(VITALLY_KEY)).status_code == 500
    assert list(state.faults) == [second]
    with pytest.raises(KeyError):
        state.faults.remove(first)
    assert state.faults.clear() == 1
    assert client.get("/resources/users", headers=basic(VITALLY_KEY)).status_code == 200


def test_reset_removes_every_rule(faulty):
    app, client, state = faulty
    state.faults.add("GET", "/resources/admins", status=500, times=None)
    state.store.reset()
    assert len(state.faults) == 0
    assert client.get("/resources/admins", headers=basic(VITALLY_KEY)).status_code == 200


@pytest.mark.parametrize("kwargs,message", [
    ({}, "at least one of status, error or delay"),
    ({"status": 200}, "error status from 400 to 599"),
    ({"status": True}, "error status"),
    ({"error": "timeout"}, "error must be one of connection_reset, empty_response, malformed_body"),
    ({"error": "connection_reset", "status": 503}, "sends no answer at all"),
    ({"delay": -1}, "non-negative"),
    ({"delay": (2, 1)}, "min \\(2.0\\) is more than max"),
    ({"delay": (1, 2, 3)}, "\\(min, max\\) pair"),
    ({"delay": float("nan")}, "non-negative"),
    ({"status": 500, "times": 0}, "times must be"),
    ({"status": 500, "vendor": "hubspot"}, "no vendor 'hubspot'"),
    ({"status": 500, "vendor": "monica"}, "not a path of monica"),
])
def test_a_rule_that_cannot_work_is_refused(faulty, kwargs, message):
    with pytest.raises(ValueError, match=message):
        faulty[2].faults.add("GET", "/resources/admins", **kwargs)


@pytest.mark.parametrize("method,path,message", [
    ("GET", "/__mockserver/health", "not a path of any vendor"),
    ("GET", "control.health", "known operation id"),
    ("POST", "vitally.listAdmins", "is a GET operation"),
])
def test_rules_apply_to_vendor_requests_only(faulty, method, path, message):
    with pytest.raises(ValueError, match=message):
        faulty[2].faults.add(method, path, status=500)


# -- delays ------------------------------------------------------------------------------------


def test_a_delayed_request_does_not_slow_a_concurrent_one_nor_hold_the_store():
    with MockServer(strict_responses=True) as server:
        vitally = server.vitally
        rule = server.fault("POST", "/resources/conversations", delay=2.0)
        delayed: list[int] = []

        def slow() -> None:
            body = {"externalId": "slow", "subject": "s", "messages": []}
            delayed.append(requests.post(f"{vitally.base_url}/conversations", json=body, auth=vitally.auth, timeout=30).status_code)

        thread = threading.Thread(target=slow)
        thread.start()
        while rule.fired == 0:  # the delayed request is in its delay
            time.sleep(0.01)
        # A concurrent write, which needs the store lock, completes meanwhile.
        body = {"externalId": "fast", "subject": "s", "messages": []}
        fast = requests.post(f"{vitally.base_url}/conversations", json=body, auth=vitally.auth, timeout=30)
        assert fast.status_code == 200
        assert thread.is_alive() and delayed == []  # the delayed one is still pending
        thread.join(timeout=30)
        assert delayed == [200]
        assert [e.json["externalId"] for e in server.journal] == ["fast", "slow"]  # recorded as answered


def test_a_delay_range_draws_within_it_and_combines_with_a_status(faulty):
    app, client, state = faulty
    state.faults.add("GET", "/resources/admins", delay=(0.01, 0.02), times=20)
    delays = []
    for _ in range(20):
        firing = state.faults.take("GET", "/resources/admins", "vitally.listAdmins", "vitally", VITALLY_KEY)
        assert firing is not None
        delays.append(firing.delay)
    assert all(0.01 <= d <= 0.02 for d in delays) and len(set(delays)) > 1
    state.faults.clear()
    state.faults.add("GET", "/resources/admins", delay=0.01, status=504)
    r = client.get("/resources/admins", headers=basic(VITALLY_KEY))
    assert r.status_code == 504
    assert state.journal[-1].reason == "fault"


def test_a_delay_alone_answers_as_usual(faulty):
    app, client, state = faulty
    rule = state.faults.add("GET", "/resources/admins", delay=0.01)
    assert client.get("/resources/admins", headers=basic(VITALLY_KEY)).status_code == 200
    entry = state.journal[-1]
    assert (entry.status, entry.reason, entry.fault, rule.fired) == (200, None, rule.id, 1)


def test_times_holds_exactly_under_concurrent_requests():
    with MockServer(strict_responses=True) as server:
        vitally = server.vitally
        server.fault("GET", "/resources/admins", status=503, times=5)
        barrier = threading.Barrier(8)

        def call(i: int) -> int:
            if i < 8:
                barrier.wait(timeout=10)
            return requests.get(f"{vitally.base_url}/admins", auth=vitally.auth, timeout=10).status_code

        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(call, range(24)))
        assert statuses.count(503) == 5 and statuses.count(200) == 19


# -- transport errors, on both socket servers ---------------------------------------------------


def _raw_get(port: int, path: str, headers: dict[str, str]) -> bytes:
    """Everything the server sends for one request, and how the connection ended."""
    lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n{lines}Connection: close\r\n\r\n".encode())
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            return received + b"<reset>"
    return received + b"<closed>"


@pytest.fixture(params=["werkzeug", "waitress"])
def served(request):
    app = strict()
    with served_in_thread(app, server=request.param) as server:
        yield server, state_of(app)


def test_connection_reset_and_empty_response_send_nothing(served):
    server, state = served
    state.faults.add("GET", "/resources/admins", error="connection_reset")
    assert _raw_get(server.port, "/resources/admins", basic(VITALLY_KEY)) == b"<reset>"
    state.faults.add("GET", "/resources/admins", error="empty_response")
    assert _raw_get(server.port, "/resources/admins", basic(VITALLY_KEY)) == b"<closed>"
    after = _raw_get(server.port, "/resources/admins", basic(VITALLY_KEY))
    assert after.startswith(b"HTTP/1.1 200 ")
    assert [(e.status, e.response_json, e.reason) for e in state.journal][:2] == [(None, None, "fault")] * 2


@pytest.mark.parametrize("status", [None, 503])
def test_malformed_body_is_a_well_formed_response_whose_json_is_cut_short(served, status):
    server, state = served
    state.faults.add("GET", "/resources/admins", error="malformed_body", status=status)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", "/resources/admins", headers=basic(VITALLY_KEY))
    response = conn.getresponse()
    body = response.read()  # the length header matches what is sent: no IncompleteRead
    conn.close()
    assert response.status == (status or 200)
    assert response.getheader("Content-Type") == "application/json"
    assert int(response.getheader("Content-Length")) == len(body) > 0
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)
    full = state.journal[-1].response_json  # the answer the cut body came from
    assert json.dumps(full, separators=(",", ":")).encode().startswith(body)


def test_transport_errors_reach_a_requests_client_as_errors(mockserver):
    v = mockserver.vitally
    mockserver.fault("GET", "/resources/admins", error="connection_reset")
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{v.base_url}/admins", auth=v.auth, timeout=10)
    mockserver.fault("GET", "/resources/admins", error="empty_response")
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{v.base_url}/admins", auth=v.auth, timeout=10)
    mockserver.fault("GET", "/resources/admins", error="malformed_body")
    with pytest.raises(requests.JSONDecodeError):
        requests.get(f"{v.base_url}/admins", auth=v.auth, timeout=10).json()
    assert requests.get(f"{v.base_url}/admins", auth=v.auth, timeout=10).json()["results"]


def test_a_front_end_that_cannot_drop_the_connection_sees_the_vendors_503(faulty):
    app, client, state = faulty  # Flask's test client ignores the transport fault
    state.faults.add("GET", "/resources/admins", error="connection_reset")
    r = client.get("/resources/admins", headers=basic(VITALLY_KEY))
    assert r.status_code == 503 and r.get_json()["error"] == "Service Unavailable"


# -- retrying clients ---------------------------------------------------------------------------


def test_requests_with_urllib3_retry_gets_two_503s_then_the_real_answer(mockserver):
    v = mockserver.vitally
    rule = mockserver.fault("GET", "/resources/conversations", status=503, times=2)
    session = requests.Session()
    retry = Retry(total=3, status_forcelist=[503], backoff_factor=0, allowed_methods=None)
    session.mount("http://", HTTPAdapter(max_retries=retry))
    response = session.get(f"{v.base_url}/conversations", auth=v.auth, timeout=10)
    assert response.status_code == 200 and response.json()["results"]
    assert rule.fired == 2
    assert [e.status for e in mockserver.journal] == [503, 503, 200]


def test_httpx_with_a_retry_loop_gets_two_503s_then_the_real_answer(mockserver):
    m = mockserver.monica
    mockserver.fault("GET", "monica.listConversations", status=503, times=2)
    statuses = []
    with httpx.Client(base_url=m.base_url, headers=m.headers, timeout=10) as client:
        for _attempt in range(5):
            response = client.get("/conversations")
            statuses.append(response.status_code)
            if response.status_code != 503:
                break
    assert statuses == [503, 503, 200]
    assert response.json()["data"]
    mockserver.assert_called("GET", "monica.listConversations", times=3)


def test_httpx_sees_a_reset_connection_as_a_transport_error(mockserver):
    m = mockserver.monica
    mockserver.fault("GET", "/api/contacts", error="connection_reset", times=None)
    with httpx.Client(base_url=m.base_url, headers=m.headers, timeout=10) as client, pytest.raises(httpx.TransportError):
        client.get("/contacts")


def test_a_request_in_flight_across_a_reset_is_not_recorded_after_it():
    with MockServer(strict_responses=True) as server:
        vitally = server.vitally
        rule = server.fault("GET", "/resources/admins", delay=1.0)
        thread = threading.Thread(target=requests.get, args=(f"{vitally.base_url}/admins",), kwargs={"auth": vitally.auth, "timeout": 30})
        thread.start()
        while rule.fired == 0:  # in its delay
            time.sleep(0.01)
        server.reset()  # the next test starts here
        thread.join(timeout=30)
        assert len(server.journal) == 0
