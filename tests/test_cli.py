"""`mockserver serve` as a user runs it: the installed console script, a real socket."""
from __future__ import annotations

import shutil
import signal
import socket
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


@pytest.mark.parametrize("server", ["waitress", "werkzeug"])
def test_serve_on_a_taken_port_fails_with_mockservers_message_not_a_traceback(server):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        proc = subprocess.run([*_command(), "serve", "--port", str(port), "--server", server], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"mockserver: cannot listen on 127.0.0.1:{port}: Address already in use", proc.stderr


def test_serve_keeps_monicas_half_made_writes_only_when_asked():
    headers = {"Authorization": "Bearer mockserver-token", "Accept": "application/json"}
    # CreateContact writes the contact, then the birthday service refuses the birthdate.
    half_made = {"first_name": "Half", "is_birthdate_known": True, "is_deceased": False, "is_deceased_date_known": False}
    totals = {}
    for args in ((), ("--monica-partial-writes",)):
        proc, url = _serve("--empty", *args)
        try:
            r = requests.post(url + "/api/contacts", json=half_made, headers=headers, timeout=5)
            assert r.status_code == 422, r.text
            totals[args] = requests.get(url + "/api/contacts?query=Half", headers=headers, timeout=5).json()["meta"]["total"]
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=10)
    assert totals == {(): 0, ("--monica-partial-writes",): 1}


@pytest.mark.skipif(not socket.has_ipv6, reason="no IPv6 on this machine")
def test_an_ipv6_host_is_announced_as_a_usable_url():
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    proc = subprocess.Popen([*_command(), "serve", "--host", "::1", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline().strip()
        assert first.startswith("mockserver listening on http://[::1]:"), (first, proc.stderr.read() if proc.poll() is not None else "")
        url = first.rsplit(" ", 1)[1]
        assert requests.get(url + "/__mockserver/health", timeout=5).json() == {"status": "ok"}
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)


# -- argument errors: argparse's one line, before anything starts (run in-process: main() is the console script) --

def _refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    from mockserver.cli import main

    with pytest.raises(SystemExit) as stopped:
        main(list(argv))
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err.strip().splitlines()[-1]


@pytest.mark.parametrize("argv, message", [
    (["--port", "70000"], "argument --port: 70000 is out of range: it must be from 0 to 65535"),
    (["--port", "-1"], "argument --port: -1 is out of range: it must be from 0 to 65535"),
    (["--port", "http"], "argument --port: 'http' is not a whole number"),
    (["--threads", "0"], "argument --threads: 0 is out of range: it must be at least 1"),
    (["--vitally-rate-limit", "-5"], "argument --vitally-rate-limit: -5 is out of range: it must be at least 1"),
    (["--monica-rate-limit", "0"], "argument --monica-rate-limit: 0 is out of range: it must be at least 1"),
    (["--max-body-bytes", "-1"], "argument --max-body-bytes: -1 is out of range: it must be at least 1"),
    (["--host", "999.1.1.1"], "argument --host: '999.1.1.1' is not an IP address or a name this machine can resolve"),
    (["--server", "gunicorn"], "argument --server: invalid choice: 'gunicorn'"),
    (["--seed", "x"], "argument --seed: invalid int value: 'x'"),
])
def test_bad_serve_arguments_are_argparses_one_line_error(capsys, argv, message):
    last = _refused(capsys, "serve", *argv)
    assert last.startswith("mockserver serve: error: ") and message in last, last


@pytest.mark.parametrize("argv, message", [
    (["--vitally-key", ""], "mockserver: vitally_keys: every credential must be a non-empty string, not ''"),
    (["--monica-token", "a,b"], "mockserver: monica_tokens: 'a,b' cannot be sent as a credential (it has ',')"),
    (["--locale", "xx_YY"], "mockserver: locale 'xx_YY' is not one of Faker's locales"),
])
def test_option_errors_are_one_line_before_anything_listens(capsys, argv, message):
    from mockserver.cli import main

    assert main(["serve", "--port", "0", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() == message and captured.out == ""


def test_version_is_the_packages_version(capsys):
    import importlib.metadata

    import mockserver
    from mockserver.cli import main

    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.strip() == f"mockserver {mockserver.__version__}"
    assert importlib.metadata.version("conversations-mockserver") == mockserver.__version__


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


def test_serve_default_server_loses_no_concurrent_create_logs_no_request_and_stops_within_a_second():
    """What issue 11 asks of whichever server is behind `serve` by default."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    proc, url = _serve("--vitally-rate-limit", "100000")
    auth = ("sk_test_mockserver", "")
    try:
        before = {c["externalId"] for c in _all_conversations(url, auth)}
        user = requests.get(url + "/resources/users?limit=1", auth=auth, timeout=10).json()["results"][0]["id"]
        admin = requests.get(url + "/resources/admins?limit=1", auth=auth, timeout=10).json()["results"][0]["id"]
        messages = [{"externalId": "m1", "message": "<p>Hello</p>", "from": {"type": "user", "id": user},
                     "to": [{"type": "admin", "id": admin}]}]

        def create(n: int) -> list[int]:
            with requests.Session() as session:  # one kept-alive connection per thread
                return [session.post(url + "/resources/conversations", auth=auth, timeout=10,
                                     json={"externalId": f"t{n}-{i}", "subject": "s", "messages": messages}).status_code for i in range(25)]

        with ThreadPoolExecutor(8) as pool:
            statuses = [s for batch in pool.map(create, range(8)) for s in batch]
        assert statuses == [200] * 200
        after = {c["externalId"] for c in _all_conversations(url, auth)}
        assert after - before == {f"t{n}-{i}" for n in range(8) for i in range(25)}

        idle = socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])))  # a client that holds its connection
        began = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
        stopped_in = time.monotonic() - began
        idle.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0 and "mockserver stopped" in out
    assert stopped_in < 1.0, stopped_in
    assert err == "", err  # no line per request, nothing else either


def _all_conversations(url: str, auth: tuple[str, str]) -> list[dict]:
    found, params = [], {"limit": 100}
    while True:
        page = requests.get(url + "/resources/conversations", params=params, auth=auth, timeout=10).json()
        found += page["results"]
        if page["atEnd"]:
            return found
        params["from"] = page["next"]
