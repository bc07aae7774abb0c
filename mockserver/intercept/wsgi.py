"""One request through the fake's WSGI app, in this process: what both clients' hooks share.

The environ is built by werkzeug as its own server builds one (path unquoted, host,
port and scheme of the URL the client asked for, so Monica's `links` and `url`
fields carry the intercepted host), and the answer carries the headers mockserver's
socket servers add (`Server`, `Date`). A transport fault the pipeline set on the
environ (`mockserver.transport_fault`) comes back with the answer, for the client's
hook to turn into the client library's own error.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder, run_wsgi_app

from ..pipeline import HOST_VENDOR
from ..transport import SERVER_HEADER

FAULT_KEY = "mockserver.transport_fault"
FAULTS = ("connection_reset", "empty_response", "malformed_body")  # malformed_body needs nothing: the body is cut already


@dataclass(frozen=True)
class InProcessResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    fault: str | None  # one of FAULTS, or None


class TimedOut(Exception):
    """The app did not answer within the client's read timeout."""


def call_app(app: Callable[..., Any], method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes,
             read_timeout: float | None = None, vendor: str | None = None) -> InProcessResponse:
    """Answer one request; with `read_timeout`, raise TimedOut after that many seconds (the
    answer is then dropped, as a client that gave up would never read it). `vendor`: the
    only vendor whose routes the request's host has (pipeline.HOST_VENDOR)."""
    if read_timeout is None:
        return _answer(app, method, url, list(headers), body, vendor)
    done: list[InProcessResponse | BaseException] = []

    def run() -> None:
        try:
            done.append(_answer(app, method, url, list(headers), body, vendor))
        except BaseException as exc:  # handed to the caller's thread
            done.append(exc)

    worker = threading.Thread(target=run, name="mockserver-intercept", daemon=True)
    worker.start()
    worker.join(read_timeout)
    if not done:
        raise TimedOut()
    result = done[0]
    if isinstance(result, BaseException):
        raise result
    return result


def _answer(app: Callable[..., Any], method: str, url: str, headers: list[tuple[str, str]], body: bytes, vendor: str | None) -> InProcessResponse:
    parts = urlsplit(url)
    sent = Headers(headers)
    chunked = "chunked" in sent.get("Transfer-Encoding", "").lower() and "Content-Length" not in sent
    builder = EnvironBuilder(path=parts.path or "/", base_url=f"{parts.scheme}://{parts.netloc}", query_string=parts.query,
                             method=method, headers=sent, data=body,
                             environ_base={"REMOTE_ADDR": "127.0.0.1", "SERVER_SOFTWARE": SERVER_HEADER, HOST_VENDOR: vendor})
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    if chunked:  # as werkzeug's server hands a chunked body: no length, the stream ends it
        environ.pop("CONTENT_LENGTH", None)
        environ["wsgi.input_terminated"] = True
    seen: dict[str, Any] = {}

    def capture(app_environ: dict[str, Any], start_response: Any) -> Any:
        seen["environ"] = app_environ  # run_wsgi_app hands the app a copy: read the fault from that one
        return app(app_environ, start_response)

    app_iter, status, answer = run_wsgi_app(capture, environ, buffered=True)
    try:
        content = b"".join(app_iter)
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()
    fault = seen.get("environ", environ).get(FAULT_KEY)
    out = [("Server", SERVER_HEADER), ("Date", formatdate(usegmt=True)), *answer.to_wsgi_list()]
    return InProcessResponse(int(status.split(" ", 1)[0]), out, content, fault if fault in FAULTS else None)
