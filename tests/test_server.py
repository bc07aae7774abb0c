"""MockServer: lifecycle, readiness, isolation, reset (strict, as every server of this suite)."""
from __future__ import annotations

import http.client
import socket
import threading

import pytest
import requests

from mockserver import MockServer


def test_start_binds_a_free_port_and_answers_at_once():
    with MockServer(strict_responses=True) as server:
        assert server.port != 0
        assert server.url == f"http://127.0.0.1:{server.port}"
        r = requests.get(server.url_for("/__mockserver/health"))
        assert r.status_code == 200 and r.json() == {"status": "ok"}
        assert r.headers["Server"] == "mockserver"  # as `serve` answers; not werkzeug's and Python's versions
    assert not server.running


def test_start_raises_when_the_port_is_taken():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        taken = sock.getsockname()[1]
        server = MockServer(port=taken, strict_responses=True)
        with pytest.raises(OSError):
            server.start()
        assert not server.running


def test_url_before_start_is_an_error_not_a_wrong_url():
    with pytest.raises(RuntimeError):
        _ = MockServer(strict_responses=True).url


def test_stop_returns_while_a_client_holds_an_idle_connection():
    server = MockServer(strict_responses=True).start()
    with requests.Session() as session:
        assert session.get(server.url_for("/__mockserver/health")).status_code == 200
        idle = socket.create_connection(("127.0.0.1", server.port))  # connected, never sends a request
        stopper = threading.Thread(target=server.stop)
        stopper.start()
        stopper.join(timeout=10)
        idle.close()
    assert not stopper.is_alive(), "stop() hung on an idle client connection"
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{server.port}/__mockserver/health", timeout=2)


def test_two_servers_in_one_process_share_nothing():
    with MockServer(strict_responses=True) as one, MockServer(strict_responses=True) as two:
        body = {"externalId": "only-in-one", "subject": "s", "messages": []}
        r = requests.post(one.vitally.base_url + "/conversations", json=body, auth=one.vitally.auth)
        assert r.status_code == 200
        created = r.json()["id"]
        assert requests.get(f"{one.vitally.base_url}/conversations/{created}", auth=one.vitally.auth).status_code == 200
        assert requests.get(f"{two.vitally.base_url}/conversations/{created}", auth=two.vitally.auth).status_code == 404
        # same seed: same seeded data, separately held
        assert one.vitally.accounts == two.vitally.accounts


def test_reset_over_http_and_in_process_restore_the_seeded_state():
    with MockServer(strict_responses=True) as server:
        vitally = server.vitally
        before = vitally.conversations
        for path in ("reset-http", "reset-call"):
            r = requests.post(vitally.base_url + "/conversations", json={"externalId": path, "subject": "s", "messages": []}, auth=vitally.auth)
            assert r.status_code == 200
            assert len(vitally.conversations) == len(before) + 1
            if path == "reset-http":
                assert requests.post(server.url_for("/__mockserver/reset")).json() == {"reset": True}
            else:
                server.reset()
            assert vitally.conversations == before


def test_handles_expose_base_urls_and_credentials():
    with MockServer(vitally_keys=["k1", "k2"], strict_responses=True) as server:
        assert server.vitally.api_key == "k1"
        assert server.vitally.base_url == server.url + "/resources"
        assert server.vitally_workspace("k2").api_key == "k2"
        assert server.vitally.headers == {"Authorization": "Basic azE6"}  # base64("k1:")
        with pytest.raises(KeyError):
            server.vitally_workspace("unknown")


def test_unknown_option_is_refused():
    with pytest.raises(TypeError, match="no_such_option"):
        MockServer(no_such_option=1)


def test_double_slash_paths_are_collapsed_on_a_real_socket():
    with MockServer(strict_responses=True) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        conn.request("GET", "//resources//conversations?limit=1", headers=server.vitally.headers)
        response = conn.getresponse()
        assert response.status == 200
        assert len(__import__("json").loads(response.read())["results"]) == 1
        conn.close()


def test_stop_survives_the_loop_running_its_close_before_the_wake_up(monkeypatch):
    """waitress's loop, woken by an earlier pull (a finished answer's), may run the queued
    close before stop() pulls the trigger itself: the trigger is closed by then."""
    import time

    server = MockServer().start()
    trigger = server._server._server.trigger  # type: ignore[union-attr]
    wake = trigger._physical_pull

    def late_pull() -> None:
        wake()  # the other pull: the loop runs the queued close...
        deadline = time.monotonic() + 5
        while not trigger._closed and time.monotonic() < deadline:
            time.sleep(0.001)
        wake()  # ...and only then this one: the pipe is closed

    monkeypatch.setattr(trigger, "_physical_pull", late_pull)
    server.stop()
    assert not server.running


def test_a_connection_is_kept_open_across_requests():
    with MockServer(strict_responses=True) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        try:
            socks = []
            for _ in range(3):
                conn.request("GET", "/resources/conversations?limit=1", headers=server.vitally.headers)
                response = conn.getresponse()
                assert response.status == 200 and response.getheader("Connection") is None
                response.read()
                socks.append(conn.sock)
            assert socks[0] is not None and socks.count(socks[0]) == 3  # one TCP connection for all three
        finally:
            conn.close()
