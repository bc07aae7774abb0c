"""Both vendors over a real socket, as clients (and broken clients) reach them: slow
uploads, pipelined and lying requests, raw bytes in paths, the Server header.

Each case runs on both servers transport.listen() makes: waitress (behind MockServer and
`mockserver serve`) and werkzeug (`serve --server werkzeug`).
"""
from __future__ import annotations

import base64
import json
import socket
from typing import Any, Iterator

import pytest
from sweeps import state

from mockserver import create_app
from mockserver.app import state_of
from mockserver.transport import served_in_thread

KEYS = ["k1", "k2"]
TOKENS = ["t1", "t2"]
GUARD = 10.0  # seconds: a hang guard only; nothing here measures time


def _basic(key: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


@pytest.fixture(params=["werkzeug", "waitress"])
def server(request: pytest.FixtureRequest) -> Iterator[Any]:
    app = create_app(strict_responses=True, vitally_keys=KEYS, monica_tokens=TOKENS, monica_rate_limit=10_000)
    with served_in_thread(app, server=request.param, threads=4) as served:
        served.app = app  # type: ignore[attr-defined]
        served.kind = request.param  # type: ignore[attr-defined]
        yield served


def _connect(server: Any) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=GUARD)
    return sock


def _request(method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"", length: int | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body or length is not None:
        lines.append(f"Content-Length: {len(body) if length is None else length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Response:
    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def header(self, name: str) -> str | None:
        found = [v for k, v in self.headers if k.lower() == name.lower()]
        return found[0] if found else None

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self) -> Any:
        return json.loads(self.body)


def _read_response(stream: Any) -> Response:
    """One HTTP/1.1 response from a buffered stream (Content-Length bodies only: the fake sends no chunks)."""
    status_line = stream.readline()
    assert status_line.startswith(b"HTTP/1."), status_line
    headers = []
    while True:
        line = stream.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers.append((name.strip(), value.strip()))
    response = Response(int(status_line.split()[1]), headers, b"")
    length = response.header("Content-Length")
    response.body = stream.read(int(length)) if length else b""
    return response


def _exchange(server: Any, raw: bytes) -> Response:
    with _connect(server) as sock:
        sock.sendall(raw)
        return _read_response(sock.makefile("rb"))


VITALLY = {"Authorization": _basic("k1")}
MONICA = {"Authorization": "Bearer t1", "Accept": "application/json"}


def _tenants(server: Any) -> dict[str, Any]:
    s = state_of(server.app)
    vitally, monica = s.vendor("vitally"), s.vendor("monica")
    return {"vitally": [vitally.workspace(k) for k in KEYS], "monica": [monica.account(t) for t in TOKENS], "ids": monica.world.ids}


def _snapshot(server: Any) -> Any:
    tenants = _tenants(server)
    return [state(t) for t in tenants["vitally"] + tenants["monica"] + [tenants["ids"]]]


# -- a slow client stalls nobody ------------------------------------------------------------

def _stalled_upload(server: Any, vendor: str) -> tuple[socket.socket, bytes]:
    """A write whose client sent its headers and half its body, then went quiet."""
    body = json.dumps({"externalId": "slow", "subject": "s", "messages": []} if vendor == "vitally" else {"name": "Slow"}).encode()
    path, headers = ("/resources/conversations", VITALLY) if vendor == "vitally" else ("/api/contactfieldtypes", MONICA)
    sock = _connect(server)
    sock.sendall(_request("POST", path, {**headers, "Content-Type": "application/json"}, length=len(body)) + body[: len(body) // 2])
    return sock, body[len(body) // 2:]


def _still_waiting(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        sock.recv(1)  # an answer, or b"" for a closed connection: either way, not waiting
        return False
    except BlockingIOError:
        return True  # no answer yet, connection open
    finally:
        sock.setblocking(True)
        sock.settimeout(GUARD)


CONCURRENT = [
    ("vitally, same workspace", "POST", "/resources/conversations", {**VITALLY, "Content-Type": "application/json"},
     b'{"externalId": "quick", "subject": "s", "messages": []}', 200),
    ("vitally, other workspace", "GET", "/resources/conversations?limit=1", {"Authorization": _basic("k2")}, b"", 200),
    ("monica, same account", "POST", "/api/contactfieldtypes", {**MONICA, "Content-Type": "application/json"}, b'{"name": "Quick"}', 201),
    ("monica, other account", "GET", "/api/conversations?limit=1", {"Authorization": "Bearer t2", "Accept": "application/json"}, b"", 200),
    ("control", "GET", "/__mockserver/health", {}, b"", 200),
]


@pytest.mark.parametrize("stalled_vendor", ["vitally", "monica"])
def test_a_stalled_upload_delays_no_other_request_of_any_tenant_or_vendor(server, stalled_vendor):
    stalled, rest = _stalled_upload(server, stalled_vendor)
    try:
        for name, method, path, headers, body, status in CONCURRENT:
            answered = _exchange(server, _request(method, path, headers, body))
            assert answered.status == status, (name, answered.body[:200])
            assert _still_waiting(stalled), f"the stalled upload was answered before {name} finished"
        stalled.sendall(rest)
        late = _read_response(stalled.makefile("rb"))
        assert late.status in (200, 201), late.body[:200]
    finally:
        stalled.close()


# -- the Server header -----------------------------------------------------------------------

@pytest.mark.parametrize("method, path, headers", [
    ("GET", "/resources/conversations?limit=1", VITALLY), ("GET", "/api/conversations?limit=1", MONICA),
    ("GET", "/resources/nope", VITALLY), ("DELETE", "/api/conversations", MONICA), ("GET", "/__mockserver/health", {}),
])
def test_every_answer_says_server_mockserver_and_nothing_else(server, method, path, headers):
    response = _exchange(server, _request(method, path, headers))
    assert response.all("Server") == ["mockserver"]


# -- pipelining and a Content-Length that lies -------------------------------------------------

def test_pipelined_requests_are_answered_in_order_or_not_run_at_all(server):
    """waitress answers every pipelined request in order; werkzeug closes the connection
    after the first answer (`Connection: close`) and runs none of the others."""
    requests = [
        _request("GET", "/resources/conversations?limit=2", VITALLY),
        _request("POST", "/api/contactfieldtypes", {**MONICA, "Content-Type": "application/json"}, b'{"name": "Piped"}'),
        _request("GET", "/api/contactfieldtypes?limit=100", MONICA),
        _request("POST", "/resources/conversations", {**VITALLY, "Content-Type": "application/json"}, b"{"),
        _request("GET", "/__mockserver/health"),
    ]
    answers = []
    with _connect(server) as sock:
        sock.sendall(b"".join(requests))
        stream = sock.makefile("rb")
        while len(answers) < len(requests) and stream.peek(1):
            answers.append(_read_response(stream))
    assert [a.status for a in answers] == [200, 201, 200, 400, 200][: len(answers)]
    assert len(answers) == len(requests) or answers[-1].header("Connection") == "close"
    assert len(answers[0].json()["results"]) == 2
    created = [t.name for t in _tenants(server)["monica"][0].contact_field_types.values() if t.name == "Piped"]
    assert len(created) == (len(answers) >= 2)  # run if and only if answered
    if len(answers) == len(requests):
        assert "Piped" in [t["name"] for t in answers[2].json()["data"]]
        assert answers[3].json()["message"] == "Invalid request payload JSON format"
    if server.kind == "waitress":
        assert len(answers) == len(requests)


@pytest.mark.parametrize("vendor", ["vitally", "monica"])
def test_a_content_length_shorter_than_the_body_reads_only_that_much(server, vendor):
    """The rest is the start of the next request on the connection, which is refused."""
    if vendor == "vitally":
        path, headers, body = "/resources/conversations", {**VITALLY, "Content-Type": "application/json"}, b'{"externalId": "short", "subject": "s", "messages": []}'
    else:
        path, headers, body = "/api/contactfieldtypes", {**MONICA, "Content-Type": "application/json"}, b'{"name": "Short"}'
    before = _snapshot(server)
    with _connect(server) as sock:
        sock.sendall(_request("POST", path, headers, body, length=5))
        first = _read_response(sock.makefile("rb"))
    if vendor == "vitally":
        assert (first.status, first.json()["message"]) == (400, "Invalid request payload JSON format")
    else:
        assert first.status == 422 and first.json()["error"]["error_code"] == 32  # `{"nam` is no JSON: empty input
    assert _snapshot(server) == before
    assert _exchange(server, _request("GET", "/__mockserver/health")).status == 200


@pytest.mark.parametrize("vendor", ["vitally", "monica"])
def test_a_content_length_longer_than_the_body_then_hanging_up_changes_nothing(server, vendor):
    if vendor == "vitally":
        path, headers, body = "/resources/conversations", {**VITALLY, "Content-Type": "application/json"}, b'{"externalId": "long", "subject": "s", "messages": []}'
    else:
        path, headers, body = "/api/contactfieldtypes", {**MONICA, "Content-Type": "application/json"}, b'{"name": "Long"}'
    before = _snapshot(server)
    with _connect(server) as sock:
        sock.sendall(_request("POST", path, headers, body, length=len(body) + 100))
        sock.shutdown(socket.SHUT_WR)
        answer = sock.makefile("rb").read()  # an error answer or none at all: the client hung up
    assert not answer or answer.startswith((b"HTTP/1.1 4", b"HTTP/1.0 4")), answer[:200]
    assert _snapshot(server) == before
    assert _exchange(server, _request("GET", "/__mockserver/health")).status == 200


# -- raw bytes in paths and query strings, traversal, unknown methods -------------------------

RAW_PATHS = [
    b"/resources/conversations/%ff", b"/resources/conversations/\xff", b"/resources/conversations/%00", b"/resources/conversations/%ed%a0%80",
    b"/resources/%2e%2e/api/conversations", b"/resources/conversations/..%2f..%2fadmins", b"/resources/../api/contacts",
    b"/resources/conversations?limit=%ff&sortBy=%00&from=%ed%a0%80", b"/resources/users/search?email=\xff\xfe",
    b"/api/conversations/%ff", b"/api/conversations/\xff", b"/api/conversations/%00", b"/api/contacts/%ed%a0%80",
    b"/api/%2e%2e/resources/admins", b"/api/conversations/..%2f..%2fcontacts", b"/api/../resources/admins",
    b"/api/contacts?query=%ff%00&limit=%ff", b"/api/contacts?query=\xff",
]


@pytest.mark.parametrize("raw_path", RAW_PATHS)
def test_raw_bytes_and_traversal_in_paths_get_the_vendors_own_answer(server, raw_path):
    """Percent-escaped, anything reaches the vendor. A raw non-ASCII byte is not HTTP:
    waitress refuses the request line itself (400, text), as a front server would."""
    vitally = raw_path.startswith(b"/resources")
    headers = VITALLY if vitally else MONICA
    before = _snapshot(server)
    head = b"GET " + raw_path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode() + b"\r\n"
    response = _exchange(server, head)
    if not raw_path.isascii() and server.kind == "waitress":
        assert (response.status, response.header("Content-Type")) == (400, "text/plain; charset=utf-8")
        return
    assert response.header("Content-Type") == "application/json"
    body = response.json()
    if vitally:
        assert response.status in (200, 400, 404), (response.status, body)
        assert set(body) in ({"statusCode", "error", "message"}, {"results", "next", "atEnd"}, {"results"}), body
    else:  # 500s here are Monica's own: a TypeError for an int id, PHP arithmetic on a bad limit
        assert response.status in (200, 400, 404, 500) and body != {"message": "Server Error"}, (response.status, body)
        assert set(body) in ({"message"}, {"error"}, {"data", "links", "meta"}), body
    assert _snapshot(server) == before


@pytest.mark.parametrize("method", [b"FOO", b"PROPFIND", b"M-SEARCH", b"BREW"])
def test_unknown_methods_over_the_wire(server, method):
    vitally = _exchange(server, method + b" /resources/conversations HTTP/1.1\r\nHost: x\r\nAuthorization: " + VITALLY["Authorization"].encode() + b"\r\n\r\n")
    monica = _exchange(server, method + b" /api/conversations HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n")
    assert vitally.status == 405 and vitally.json()["statusCode"] == 405
    assert monica.status == 405 and monica.json()["message"].startswith(f"The {method.decode()} method is not supported")
