"""Plain HTTP for the checks (the standard library's http.client: the package does not
depend on an HTTP client), the vendor URL as users give it, and pacing under a rate limit."""
from __future__ import annotations

import email.utils
import http.client
import ssl
import time
from collections import deque
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import urlsplit

from .exchange import CannotRun, Exchange, Headers, header

if TYPE_CHECKING:
    from ..surface import Vendor

# Hop-by-hop headers (RFC 9110 7.6.1) and the ones the connection sets itself.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
                        "host", "content-length", "accept-encoding"})


def api_root(vendor: "type[Vendor[Any]]", url: str) -> str:
    """The vendor's URL without its API prefix and trailing slash: what a client is given,
    with or without the prefix (`https://acme.rest.vitally.io[/resources]`)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CannotRun(f"{vendor.name}: the base URL must be an http(s) URL with a host, e.g. https://host{vendor.prefix}")
    if parts.username or parts.password:
        raise CannotRun(f"{vendor.name}: put the credentials in their own option, not in the base URL")
    if parts.query or parts.fragment:
        raise CannotRun(f"{vendor.name}: the base URL must not carry a query or fragment")
    path = parts.path.rstrip("/")
    if path.endswith(vendor.prefix):
        path = path[: -len(vendor.prefix)]
    return f"{parts.scheme}://{parts.netloc}{path}"


def send(method: str, url: str, headers: Headers = (), body: bytes = b"", timeout: float = 30.0) -> Exchange:
    """One request, no redirect followed, no error raised for an HTTP status; OSError
    (refused, unreachable, timed out, TLS) when there is no answer at all."""
    parts = urlsplit(url)
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(parts.netloc, timeout=timeout, context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(parts.netloc, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    sent = tuple((k, v) for k, v in headers if k.lower() not in HOP_BY_HOP)
    started = time.time()
    clock = time.monotonic()
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in sent:
            connection.putheader(name, value)
        if body or method in ("POST", "PUT", "PATCH"):
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body or None)
        response = connection.getresponse()
        data = response.read()
        answer = tuple(response.getheaders())
        status = response.status
    except http.client.HTTPException as exc:
        raise OSError(f"a broken HTTP answer ({exc.__class__.__name__})") from None
    finally:
        connection.close()
    return Exchange(method, url, status, answer, data, sent, body, started, time.monotonic() - clock)


def retry_after(exchange: Exchange, now: Callable[[], float] = time.time) -> float | None:
    """Seconds a 429 asks to wait: `Retry-After` (seconds or an HTTP date), else Vitally's
    `RateLimit-Reset` (seconds), else Laravel's `X-RateLimit-Reset` (unix time)."""
    value = header(exchange.response_headers, "Retry-After")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            when = email.utils.parsedate_to_datetime(value) if value else None
            if when is not None:
                return max(0.0, when.timestamp() - now())
    for name, absolute in (("RateLimit-Reset", False), ("X-RateLimit-Reset", True)):
        value = header(exchange.response_headers, name)
        if value and value.strip().isdigit():
            seconds = float(value) - now() if absolute else float(value)
            return max(0.0, seconds)
    return None


class Pacer:
    """At most `limit` requests in any `window` seconds (the vendor's limit); waits for
    what a 429 asks. `sleep` and `clock` are injectable so that tests need not wait."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.sleep = sleep
        self.sent: deque[float] = deque()
        self.waited = 0.0

    def pause(self, seconds: float) -> None:
        if seconds > 0:
            self.sleep(seconds)
            self.waited += seconds

    def before(self) -> None:
        """Call before each request: waits while `limit` requests lie in the window."""
        now = self.clock()
        while self.sent and self.sent[0] <= now - self.window:
            self.sent.popleft()
        if len(self.sent) >= self.limit:
            self.pause(self.sent[0] + self.window - now)
            self.sent.popleft()
        self.sent.append(self.clock())
