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
