"""Interception of the vendors' real hosts: in-process, no socket, the same answers as over one.

Every test runs under `network`, which records each name lookup and connection and
refuses any that would leave this machine: a test that passes opened no socket to an
intercepted host, and never reached the internet.
"""
from __future__ import annotations

import asyncio
import http.server
import socket
import threading
from typing import Any, Callable, Iterator

import httpx
import pytest
import requests

from mockserver import MockServer

VITALLY_AUTH = ("sk_test_mockserver", "")
MONICA = {"Authorization": "Bearer mockserver-token", "Accept": "application/json"}


class Network:
    """Name lookups and connections made while a test runs."""

    def __init__(self) -> None:
        self.lookups: list[str] = []
        self.connects: list[Any] = []


@pytest.fixture(autouse=True)
def network(monkeypatch: pytest.MonkeyPatch, mockserver_session: MockServer) -> Network:
    seen = Network()  # the session's server is up already: its start-up check is not this test's
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        seen.lookups.append(name)
        if name not in ("127.0.0.1", "localhost", "::1"):
            raise socket.gaierror(socket.EAI_NONAME, f"test network: no lookups of {name}")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(sock: socket.socket, address: Any) -> Any:
        seen.connects.append(address)
        if address[0] not in ("127.0.0.1", "::1"):
            raise OSError(f"test network: no connection to {address}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return seen


@pytest.fixture
def local_site() -> Iterator[str]:
    """A plain HTTP server on this machine: a host nobody intercepts."""

    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"hello from elsewhere"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# -- a client that hard-codes the vendor's host ----------------------------------------------

class AcmeVitally:
    """What a user's integration looks like: the real host, written into the code."""

    BASE = "https://acme.rest.vitally.io/resources"

    def __init__(self, api_key: str) -> None:
        self.session = requests.Session()
        self.session.auth = (api_key, "")

    def conversations(self) -> list[dict[str, Any]]:
        return self.session.get(f"{self.BASE}/conversations", params={"limit": 100}, timeout=10).json()["results"]

    def log(self, external_id: str, subject: str) -> dict[str, Any]:
        r = self.session.post(f"{self.BASE}/conversations", json={"externalId": external_id, "subject": subject, "messages": []}, timeout=10)
        r.raise_for_status()
        return r.json()


def test_a_client_that_hard_codes_acme_rest_vitally_io_talks_to_the_fake(mockserver_intercept, network):
    client = AcmeVitally("sk_test_mockserver")
    assert {c["id"] for c in client.conversations()} == {c["id"] for c in mockserver_intercept.vitally.conversations}
    made = client.log("from-the-client", "Hello")
    assert mockserver_intercept.vitally.conversation("from-the-client")["id"] == made["id"]
    assert network.connects == [] and "acme.rest.vitally.io" not in network.lookups


def test_requests_and_httpx_reach_every_vendor_host_without_a_socket(mockserver, network):
    with mockserver.intercept():
        for host in ("https://acme.rest.vitally.io", "https://other-tenant.rest.vitally.io", "https://rest.vitally-eu.io"):
            assert requests.get(f"{host}/resources/admins", auth=VITALLY_AUTH).json()["results"] == mockserver.vitally.admins
            assert httpx.get(f"{host}/resources/admins", auth=VITALLY_AUTH).json()["results"] == mockserver.vitally.admins
        page = httpx.get("https://app.monicahq.com/api/conversations?limit=2", headers=MONICA).json()
        assert page["links"]["next"] == "https://app.monicahq.com/api/conversations?page=2"  # the intercepted host, not the fake's
        assert page["data"][0]["url"].startswith("https://app.monicahq.com/api/conversations/")
    assert network.connects == [] and network.lookups == []


@pytest.mark.mockserver(allow_rejected=True)  # unknown routes, on purpose
def test_a_vendors_own_host_serves_only_that_vendors_routes(mockserver, network):
    with mockserver.intercept(hosts=["crm.example.com"]):
        on_monica = requests.get("https://app.monicahq.com/resources/admins", auth=VITALLY_AUTH, headers={"Accept": "application/json"})
        assert on_monica.status_code == 404 and on_monica.json() == {"message": "The route resources/admins could not be found."}
        on_vitally = httpx.get("https://acme.rest.vitally.io/api/conversations", headers=MONICA)
        assert on_vitally.status_code == 404 and on_vitally.json() == {"statusCode": 404, "error": "Not Found", "message": "Not Found"}
        # A host the caller adds has no vendor of its own: the path picks it.
        assert requests.get("https://crm.example.com/resources/admins", auth=VITALLY_AUTH).status_code == 200
    assert [e.status for e in mockserver.journal.filter(status=404)] == [404, 404]
    assert network.connects == []


def test_httpx_async_is_intercepted_too(mockserver, network):
    async def calls() -> tuple[Any, ...]:
        async with httpx.AsyncClient(base_url="https://app.monicahq.com/api", headers=MONICA) as monica, \
                httpx.AsyncClient(base_url="https://rest.vitally-eu.io/resources", auth=VITALLY_AUTH) as vitally:
            created = await vitally.post("/conversations", json={"externalId": "async-1", "subject": "s", "messages": []})
            return created.status_code, (await monica.get("/contacts")).json()["meta"]["total"]

    with mockserver.intercept():
        status, total = asyncio.run(calls())
    assert status == 200 and mockserver.vitally.conversation("async-1") is not None
    assert total == len([c for c in mockserver.monica.contacts if not c["is_partial"] and c["is_active"]])
    assert network.connects == []


def test_added_hosts_serve_a_self_hosted_monica_and_the_path_picks_the_vendor(mockserver, network):
    with mockserver.intercept(hosts=["crm.example.com", "*.monica.example", "monica.lan:8080"]):
        r = requests.get("https://crm.example.com/api/conversations?limit=1", headers=MONICA)
        assert r.json()["links"]["first"] == "https://crm.example.com/api/conversations?page=1"
        assert httpx.get("http://team.monica.example/api/contacts", headers=MONICA).status_code == 200
        assert httpx.get("http://monica.lan:8080/api/contacts", headers=MONICA).status_code == 200
        for not_ours in ("http://a.b.monica.example/api/contacts", "http://monica.lan:9090/api/contacts"):  # `*` is one label; the port is fixed
            with pytest.raises(requests.ConnectionError):
                requests.get(not_ours, headers=MONICA)
    assert network.lookups == ["a.b.monica.example", "monica.lan"]


def test_without_the_intercept_extra_the_error_says_what_to_install(monkeypatch, network):
    import mockserver.intercept as intercept

    monkeypatch.setattr(intercept, "_installed", lambda name: name != "respx")
    with pytest.raises(ModuleNotFoundError, match=r"needs 'respx' to route httpx's calls.*\[intercept\]"):
        MockServer().intercept().start()
    with pytest.raises(requests.ConnectionError):  # nothing was left hooked: requests goes out (and the test network refuses)
        requests.get("https://acme.rest.vitally.io/resources/admins", auth=VITALLY_AUTH)
    assert network.lookups == ["acme.rest.vitally.io"]


def test_hosts_must_be_host_names(mockserver):
    with pytest.raises(ValueError, match="not URLs"):
        mockserver.intercept(hosts=["https://crm.example.com/"])


# -- other hosts ---------------------------------------------------------------------------

def test_other_hosts_go_out_as_usual(mockserver, local_site, network):
    with mockserver.intercept():
        assert requests.get(local_site).text == "hello from elsewhere"
        assert httpx.get(local_site).text == "hello from elsewhere"
    assert len(network.connects) == 2 and all(address[0] == "127.0.0.1" for address in network.connects)


def test_block_others_refuses_other_hosts_with_the_clients_connection_error_and_opens_no_socket(mockserver, local_site, network):
    with mockserver.intercept(block_others=True):
        with pytest.raises(requests.ConnectionError, match="refused GET"):
            requests.get(local_site)
        with pytest.raises(httpx.ConnectError, match="refused GET"):
            httpx.get(local_site)

        async def refused() -> None:
            async with httpx.AsyncClient() as client:
                await client.get(local_site)

        with pytest.raises(httpx.ConnectError):
            asyncio.run(refused())
        # the vendors' hosts and the fake's own URL are still answered, in-process
        assert requests.get("https://acme.rest.vitally.io/resources/admins", auth=VITALLY_AUTH).status_code == 200
        assert requests.get(mockserver.url_for("/__mockserver/health")).json() == {"status": "ok"}
    assert network.connects == []


@pytest.mark.mockserver_intercept(block_others=True)
def test_the_fixture_takes_intercept_options_from_its_marker(mockserver_intercept, local_site, network):
    with pytest.raises(requests.ConnectionError):
        requests.get(local_site)
    assert network.connects == []


def test_after_the_block_the_real_hosts_are_real_again(mockserver, network):
    with mockserver.intercept():
        assert requests.get("https://app.monicahq.com/api/contacts", headers=MONICA).status_code == 200
    with pytest.raises(requests.ConnectionError):
        requests.get("https://app.monicahq.com/api/contacts", headers=MONICA)
    assert network.lookups == ["app.monicahq.com"]  # it tried the network: the test network refused


# -- the same behaviour as over a socket -------------------------------------------------------

CASES = [
    ("GET", "/resources/conversations?limit=3", {"auth": VITALLY_AUTH}),
    ("GET", "/resources/conversations", {}),  # 401
    ("POST", "/resources/conversations", {"auth": VITALLY_AUTH, "json": {"subject": "s", "messages": []}}),  # 400
    ("DELETE", "/resources/admins", {"auth": VITALLY_AUTH}),  # 405
    ("GET", "/api/conversations?limit=2&page=2", {"headers": MONICA}),
    ("GET", "/api/nowhere", {"headers": MONICA}),  # Laravel's 404
    ("POST", "/api/conversations", {"headers": MONICA, "data": b"null", }),
    ("GET", "/api/contacts", {}),  # 302 to the login page
]


@pytest.mark.parametrize(("method", "path", "options"), CASES)
def test_intercepted_answers_are_the_socket_answers(method, path, options):
    with MockServer(strict_responses=True) as over_socket, MockServer(strict_responses=True) as in_process:
        host = "https://app.monicahq.com" if path.startswith("/api") else "https://acme.rest.vitally.io"
        root = over_socket.url
        sent = requests.request(method, root + path, allow_redirects=False, **options)
        with in_process.intercept():
            got = requests.request(method, host + path, allow_redirects=False, **options)
    assert got.status_code == sent.status_code
    assert got.content.replace(host.encode(), b"ROOT") == sent.content.replace(root.encode(), b"ROOT")
    assert int(got.headers["Content-Length"]) == len(got.content)
    ignored = {"date", "connection", "location", "content-length"}  # the length follows the host's in Monica's URLs
    assert {k.lower(): v for k, v in got.headers.items() if k.lower() not in ignored} == \
        {k.lower(): v for k, v in sent.headers.items() if k.lower() not in ignored}


def test_reset_applies_to_what_an_intercepted_client_changed(mockserver):
    with mockserver.intercept():
        requests.post("https://acme.rest.vitally.io/resources/conversations", auth=VITALLY_AUTH,
                      json={"externalId": "to-be-reset", "subject": "s", "messages": []})
    assert mockserver.vitally.conversation("to-be-reset") is not None
    mockserver.reset()
    assert mockserver.vitally.conversation("to-be-reset") is None


# -- transport faults and timeouts --------------------------------------------------------------

def _wrap(server: MockServer, middleware: Callable[[Any], Any]) -> None:
    server.app.wsgi_app = middleware(server.app.wsgi_app)  # type: ignore[method-assign]


def _fault(kind: str) -> Callable[[Any], Any]:
    """What the pipeline does for a transport fault: an ordinary answer, the fault named on the environ."""
    def middleware(app: Any) -> Any:
        def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
            environ["mockserver.transport_fault"] = kind
            return app(environ, start_response)
        return wsgi
    return middleware


def test_a_connection_reset_is_the_clients_connection_error():
    server = MockServer()
    _wrap(server, _fault("connection_reset"))
    url = "https://acme.rest.vitally.io/resources/admins"
    with server.intercept():
        with pytest.raises(requests.ConnectionError, match="Connection reset by peer"):
            requests.get(url, auth=VITALLY_AUTH)
        with pytest.raises(httpx.ConnectError):
            httpx.get(url, auth=VITALLY_AUTH)


def test_an_empty_response_is_the_clients_error_for_no_status_line():
    server = MockServer()
    _wrap(server, _fault("empty_response"))
    url = "https://app.monicahq.com/api/contacts"
    with server.intercept():
        with pytest.raises(requests.ConnectionError, match="Remote end closed connection without response"):
            requests.get(url, headers=MONICA)
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            httpx.get(url, headers=MONICA)


def _held(release: threading.Event, outcome: list[str]) -> Callable[[Any], Any]:
    """An app that answers only once `release` is set (or gives up after 10 s, and says so)."""
    def middleware(app: Any) -> Any:
        def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
            outcome.append("released" if release.wait(10) else "gave up")
            return app(environ, start_response)
        return wsgi
    return middleware


def test_the_clients_read_timeout_holds_for_an_answer_that_does_not_come():
    release, outcome = threading.Event(), []
    server = MockServer()
    _wrap(server, _held(release, outcome))
    url = "https://acme.rest.vitally.io/resources/admins"

    async def async_call() -> None:
        async with httpx.AsyncClient(timeout=0.2) as client:
            await client.get(url, auth=VITALLY_AUTH)

    try:
        with server.intercept():
            with pytest.raises(requests.exceptions.ReadTimeout):
                requests.get(url, auth=VITALLY_AUTH, timeout=(5, 0.2))
            with pytest.raises(httpx.ReadTimeout):
                httpx.get(url, auth=VITALLY_AUTH, timeout=0.2)
            with pytest.raises(httpx.ReadTimeout):
                asyncio.run(async_call())
    finally:
        release.set()


def test_an_async_client_waiting_on_the_fake_does_not_block_its_event_loop():
    release, outcome = threading.Event(), []
    server = MockServer()
    _wrap(server, _held(release, outcome))

    async def main() -> int:
        async with httpx.AsyncClient(auth=VITALLY_AUTH) as client:
            pending = asyncio.ensure_future(client.get("https://acme.rest.vitally.io/resources/admins"))
            await asyncio.sleep(0)  # the request is on its way; if it held the loop, the next line would wait 10 s
            release.set()
            return (await pending).status_code

    with server.intercept():
        assert asyncio.run(main()) == 200
    assert outcome == ["released"]
