"""One HTTP exchange as the checks see it, whether sent live, read from a recording, or
passed through a vendor-verified run's recorder; and redaction of credentials."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field, replace
from typing import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..probe import Json

Headers = tuple[tuple[str, str], ...]
REDACTED = "[redacted]"
# Request headers that carry credentials whatever their value; response headers that set them.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "x-auth-token"})
SECRET_RESPONSE_HEADERS = frozenset({"set-cookie"})


class CannotRun(Exception):
    """The check cannot run (bad input, no connection, rejected credentials): exit 2, one line."""


def header(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    """The first value of a header, case-insensitively."""
    wanted = name.lower()
    return next((value for key, value in headers if key.lower() == wanted), None)


@dataclass(frozen=True)
class Exchange:
    """A request and the answer it got. `url` is absolute, or a path with its query."""

    method: str
    url: str
    status: int
    response_headers: Headers = ()
    response_body: bytes = b""
    request_headers: Headers = ()
    request_body: bytes = b""
    started: float = 0.0  # unix time the request was sent (0 when unknown)
    elapsed: float = 0.0  # seconds until the whole answer was read
    source: str = ""  # where a recorded exchange comes from: "file.har entry 3"

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"

    @property
    def target(self) -> str:
        """Path and query, as a request line shows them (never the host or credentials)."""
        parts = urlsplit(self.url)
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    @property
    def content_type(self) -> str:
        return (header(self.response_headers, "Content-Type") or "").split(";", 1)[0].strip().lower()

    @property
    def is_json(self) -> bool:
        kind = self.content_type
        return kind.endswith("/json") or kind.endswith("+json")

    def json(self) -> tuple[bool, Json]:
        """(True, value) when the body parses as JSON, else (False, None)."""
        if not self.response_body.strip():
            return False, None
        try:
            return True, json.loads(self.response_body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return False, None


@dataclass
class Secrets:
    """The values to keep out of recordings and reports: credentials and their encodings."""

    values: set[str] = field(default_factory=set)

    def add(self, credential: str) -> None:
        if not credential:
            return
        self.values.add(credential)
        # HTTP Basic carries the credential base64-encoded, with and without an empty password.
        for form in (f"{credential}:", credential):
            self.values.add(base64.b64encode(form.encode()).decode())

    def scrub(self, text: str) -> str:
        for value in sorted(self.values, key=len, reverse=True):
            text = text.replace(value, REDACTED)
        return text

    def scrub_bytes(self, data: bytes) -> bytes:
        if not self.values:
            return data
        try:
            return self.scrub(data.decode("utf-8")).encode("utf-8")
        except UnicodeDecodeError:
            return data


def _scrub_url(url: str, secrets: Secrets) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]  # user:password@ never leaves
    query = parts.query
    pairs = parse_qsl(query, keep_blank_values=True)
    if any(secrets.scrub(value) != value for _, value in pairs):
        query = urlencode([(k, REDACTED if secrets.scrub(v) != v else v) for k, v in pairs])
    return secrets.scrub(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))


def _scrub_headers(headers: Headers, names: frozenset[str], secrets: Secrets) -> Headers:
    return tuple((k, REDACTED if k.lower() in names else secrets.scrub(v)) for k, v in headers)


def redact(exchange: Exchange, secrets: Secrets) -> Exchange:
    """The exchange as it may be written down: no credential in headers, URL or bodies."""
    return replace(
        exchange,
        url=_scrub_url(exchange.url, secrets),
        request_headers=_scrub_headers(exchange.request_headers, SECRET_HEADERS, secrets),
        request_body=secrets.scrub_bytes(exchange.request_body),
        response_headers=_scrub_headers(exchange.response_headers, SECRET_RESPONSE_HEADERS, secrets),
        response_body=secrets.scrub_bytes(exchange.response_body),
    )
