"""requests: every HTTPAdapter's send goes through `responses`, the library built to
answer requests' calls in-process. Intercepted hosts are answered by the fake; others
pass through to the adapter that was in place (a socket, or mocks of your own), or
are refused with requests' own ConnectionError."""
from __future__ import annotations

import re
from http.client import RemoteDisconnected
from typing import TYPE_CHECKING, Any, Iterable, cast
from urllib.parse import urlsplit

import requests
import responses
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ProtocolError
from urllib3.util import Timeout

from .wsgi import InProcessResponse, TimedOut

if TYPE_CHECKING:
    from requests import PreparedRequest

    from . import Interception

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
ANY_URL = re.compile(".*")


def _bytes(body: Any) -> bytes:
    """A prepared body as bytes: bytes, text, or the chunks of a generator (chunked upload)."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    chunks: Iterable[Any] = body
    return b"".join(chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk) for chunk in chunks)


def _read_timeout(timeout: Any) -> float | None:
    """requests' `timeout=`: seconds, a (connect, read) pair, or a urllib3 Timeout."""
    if isinstance(timeout, tuple):
        timeout = timeout[1]
    if isinstance(timeout, Timeout):
        timeout = timeout.read_timeout
    return float(timeout) if isinstance(timeout, (int, float)) else None


class RequestsHook:
    def __init__(self, interception: "Interception") -> None:
        self.interception = interception
        self._mock: responses.RequestsMock | None = None

    def start(self) -> None:
        # Requests we do not answer go to whatever send() is in place now: your own mocks compose.
        mock = responses.RequestsMock(assert_all_requests_are_fired=False, real_adapter_send=cast(Any, HTTPAdapter.send))
        matchers = [] if self.interception.block_others else [self._matches]
        for method in METHODS:
            mock.add_callback(method, ANY_URL, callback=cast(Any, self._answer), content_type=None, match=matchers)
        if not self.interception.block_others:
            mock.add_passthru(ANY_URL)
        mock.start()
        self._mock = mock

    def stop(self) -> None:
        mock, self._mock = self._mock, None
        if mock is not None:
            mock.stop(allow_assert=False)

    def _matches(self, request: "PreparedRequest") -> tuple[bool, str]:
        return self.interception.intercepts(request.url or ""), "not a host mockserver intercepts"

    def _answer(self, request: "PreparedRequest") -> tuple[int, list[tuple[str, str]], bytes]:
        url, method = request.url or "", request.method or "GET"
        if not self.interception.intercepts(url):
            raise requests.ConnectionError(self.interception.refusal(method, url), request=request)
        timeout = _read_timeout(getattr(request, "req_kwargs", {}).get("timeout"))
        try:
            headers = [(name, value.decode("latin-1") if isinstance(value, bytes) else value) for name, value in request.headers.items()]
            answer = self.interception.answer(method, url, headers, _bytes(request.body), timeout)
        except TimedOut:
            parts = urlsplit(url)
            pool = "HTTPSConnectionPool" if parts.scheme == "https" else "HTTPConnectionPool"
            where = f"{pool}(host={parts.hostname!r}, port={parts.port or (443 if parts.scheme == 'https' else 80)})"
            raise requests.exceptions.ReadTimeout(f"{where}: Read timed out. (read timeout={timeout})", request=request) from None
        _raise_fault(answer, request)
        return answer.status, answer.headers, answer.body


def _raise_fault(answer: InProcessResponse, request: "PreparedRequest") -> None:
    """The errors requests raises when a server resets the connection or closes it unanswered."""
    if answer.fault == "connection_reset":
        raise requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset by peer")), request=request)
    if answer.fault == "empty_response":
        reason = RemoteDisconnected("Remote end closed connection without response")
        raise requests.ConnectionError(ProtocolError("Connection aborted.", reason), request=request)
