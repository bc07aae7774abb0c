"""Helpers for the contract checks: run the command in-process, and stand up a "vendor"
on loopback: the fake itself, or the fake behind a deliberately drifted WSGI layer."""
from __future__ import annotations

import io
import json
import os
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from mockserver import MockServer, create_app
from mockserver.cli import main
from mockserver.transport import served_in_thread

VITALLY_KEY = "sk_test_mockserver"
MONICA_TOKEN = "mockserver-token"
CREDENTIAL = {"vitally": ("--api-key", VITALLY_KEY), "monica": ("--token", MONICA_TOKEN)}
# The genuine vendor output others recorded: read at run time from ../shared/realdata
# beside the checkout, never copied into the project. MOCKSERVER_REALDATA points elsewhere
# (a git worktree sits away from its main checkout).
REALDATA = Path(os.environ.get("MOCKSERVER_REALDATA") or Path(__file__).resolve().parents[2].parent / "shared" / "realdata")


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    @property
    def report(self) -> Any:
        return json.loads(self.out)

    def failures(self, **match: Any) -> list[dict[str, Any]]:
        return [f for f in self.report["failures"] if all(f[k] == v for k, v in match.items())]

    def warnings(self, **match: Any) -> list[dict[str, Any]]:
        return [f for f in self.report["warnings"] if all(f[k] == v for k, v in match.items())]


def contract(*args: str) -> Outcome:
    """`mockserver contract ...` in this process: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(["contract", *args])
        except SystemExit as exit_:  # argparse's own errors
            code = int(exit_.code or 0)
    return Outcome(code, out.getvalue(), err.getvalue())


def live(vendor: str, url: str, *args: str) -> Outcome:
    flag, credential = CREDENTIAL[vendor]
    return contract(vendor, "--base-url", url, flag, credential, *args)


Rewrite = Callable[[str, str, int, Any], "tuple[int, Any] | None"]


class Drift:
    """WSGI middleware: the fake's answer, rewritten by `rewrite(method, path, status,
    json_body)`, which returns (status, body) to change it or None to leave it."""

    def __init__(self, app: Any, rewrite: Rewrite, drop: tuple[str, ...] = ()) -> None:
        self.app = app
        self.rewrite = rewrite
        self.drop = {name.lower() for name in drop}  # response headers removed from every answer

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return lambda data: None

        chunks = self.app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
        status, headers = int(seen["status"].split()[0]), list(seen["headers"])
        is_json = any(k.lower() == "content-type" and "json" in v for k, v in headers)
        changed = self.rewrite(environ["REQUEST_METHOD"], environ["PATH_INFO"], status, json.loads(body) if is_json and body else None)
        if changed is not None:
            status, payload = changed
            body = json.dumps(payload).encode()
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"] + [("Content-Length", str(len(body)))]
        start_response(f"{status} DRIFTED", [(k, v) for k, v in headers if k.lower() not in self.drop])
        return [body]


@contextmanager
def drifted(rewrite: Rewrite, drop: tuple[str, ...] = (), **options: Any) -> Iterator[str]:
    """A started fake behind `Drift`: its root URL."""
    app = create_app(strict_responses=True, **options)
    with served_in_thread(Drift(app, rewrite, drop)) as server:
        yield server.url


@contextmanager
def fake(**options: Any) -> Iterator[MockServer]:
    with MockServer(strict_responses=True, **options) as server:
        yield server
