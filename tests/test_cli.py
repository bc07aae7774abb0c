"""`mockserver serve` as a user runs it: the installed console script, a real socket."""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests


def _command() -> list[str]:
    script = Path(sys.executable).with_name("mockserver")
    if script.exists():
        return [str(script)]
    found = shutil.which("mockserver")
    return [found] if found else [sys.executable, "-m", "mockserver"]


def _as_background_job() -> None:
    # What a shell does to `cmd &` in a script: the job starts with SIGINT ignored.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _serve(*args: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([*_command(), "serve", "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_as_background_job)
    first = proc.stdout.readline().strip()
    assert first.startswith("mockserver listening on http://127.0.0.1:"), (first, proc.stderr.read() if proc.poll() is not None else "")
    return proc, first.rsplit(" ", 1)[1]


@pytest.mark.parametrize("server", ["waitress", "werkzeug"])
def test_serve_prints_the_ready_line_then_credentials_and_stops_on_sigterm(server):
    proc, url = _serve("--server", server, "--vitally-key", "k1", "--vitally-key", "k2")
    try:
        lines = [proc.stdout.readline() for _ in range(4)]
        assert "API key k1" in lines[0] and "API key k2" in lines[1]
        assert "mockserver-token" in lines[2] and "/__mockserver/reset" in lines[3]
        r = requests.get(url + "/resources/conversations", auth=("k2", ""), timeout=5)
        assert r.status_code == 200 and len(r.json()["results"]) == 25
        assert requests.get(url + "/resources/conversations", auth=("sk_test_mockserver", ""), timeout=5).status_code == 401
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "mockserver stopped" in out
    assert "Traceback" not in err


def test_serve_seed_changes_the_data_and_is_deterministic_and_stops_on_sigint_even_as_a_background_job():
    seen = []
    for seed in ("1", "1", "2"):
        proc, url = _serve("--seed", seed)
        try:
            seen.append(requests.get(url + "/resources/accounts?status=activeOrChurned", auth=("sk_test_mockserver", ""), timeout=5).json())
        finally:
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=10)
        assert proc.returncode == 0
    assert seen[0] == seen[1]
    assert seen[0] != seen[2]


def test_serve_on_a_taken_port_fails_with_a_message_not_a_traceback():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        proc = subprocess.run([*_command(), "serve", "--port", str(port)], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1
    assert "cannot listen" in proc.stderr and "Traceback" not in proc.stderr


def _stop(proc: subprocess.Popen) -> tuple[str, str]:
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    return out, err


def test_serve_journal_size_bounds_the_journal_read_over_http():
    proc, url = _serve("--journal-size", "3")
    try:
        for i in range(5):
            requests.get(url + "/resources/admins", params={"i": i}, auth=("sk_test_mockserver", ""), timeout=5)
        journal = requests.get(url + "/__mockserver/requests", timeout=5).json()
    finally:
        _stop(proc)
    assert [e["query"]["i"] for e in journal["requests"]] == [["2"], ["3"], ["4"]]
    assert journal["dropped"] == 2


def test_serve_no_control_api_answers_its_routes_as_unknown_paths():
    proc, url = _serve("--no-control-api")
    try:
        banner = proc.stdout.readline() + proc.stdout.readline()
        unknown = requests.get(url + "/no-such-path", timeout=5)
        for method, path in (("POST", "/__mockserver/reset"), ("GET", "/__mockserver/requests"), ("GET", "/__mockserver/")):
            r = requests.request(method, url + path, timeout=5)
            assert r.status_code == 404 == unknown.status_code
            assert r.json()["error"] == unknown.json()["error"]
        assert requests.get(url + "/resources/admins", auth=("sk_test_mockserver", ""), timeout=5).status_code == 200
    finally:
        out, err = _stop(proc)
    assert "__mockserver" not in banner + out


@pytest.mark.parametrize("extra,warned", [((), True), (("--no-control-api",), False)])
def test_serve_on_a_non_loopback_host_warns_that_the_control_api_is_open(extra, warned):
    proc, url = _serve("--host", "0.0.0.0", *extra)
    try:
        assert requests.get(url + "/resources/admins", auth=("sk_test_mockserver", ""), timeout=5).status_code == 200
    finally:
        _, err = _stop(proc)
    assert ("reachable from other machines without credentials" in err) is warned
    assert "Traceback" not in err


def test_serve_on_loopback_does_not_warn():
    proc, _ = _serve()
    _, err = _stop(proc)
    assert "warning" not in err


def test_is_loopback_knows_addresses_names_and_wildcards():
    from mockserver.cli import is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0") and not is_loopback("::") and not is_loopback("192.168.1.10")
