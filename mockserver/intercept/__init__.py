"""Interception: calls to the vendors' real hosts answered by the fake, in this process.

`MockServer.intercept()` (and the `mockserver_intercept` fixture) hooks every HTTP
client library that is installed, through a library built for that job: `responses`
for requests, `respx` for httpx (sync and async). Both hand the request to the same
WSGI app the socket server runs (wsgi.py), so the journal, faults and reset apply as
over a socket; no socket is opened and no TLS is spoken for an intercepted host.

Which hosts: every vendor's `hosts` (Vendor.hosts: `*` matches one DNS label), the
hosts the caller adds (self-hosted Monica), and the fake's own URL. A vendor's own host
answers only that vendor's routes (pipeline.HOST_VENDOR); on any other, the path picks the
vendor, as on the fake's own URL (`/resources` Vitally, `/api` Monica), so an added host
needs no vendor of its own. Any other host goes out as usual, or, with
`block_others`, is refused with the client library's connection error.

Hook into your own responses or respx mocks from inside them: enter `intercept()`
after starting them, and their unmatched requests reach it.
"""
from __future__ import annotations

import importlib.util
import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Protocol
from urllib.parse import urlsplit

from ..app import state_of
from .wsgi import InProcessResponse, call_app

if TYPE_CHECKING:
    from flask import Flask

EXTRA_HINT = "pip install 'conversations-mockserver[intercept]'"


@dataclass(frozen=True)
class HostRule:
    """A host pattern: DNS labels where `*` is any one label, and a port or any port."""

    labels: tuple[str, ...]
    port: int | None = None
    vendor: str | None = None  # a vendor's own host answers only that vendor's routes

    def for_vendor(self, vendor: str) -> "HostRule":
        return HostRule(self.labels, self.port, vendor)

    @classmethod
    def parse(cls, text: str) -> "HostRule":
        """`app.monicahq.com`, `*.rest.vitally.io`, `crm.example.com:8443`, `[::1]:8080`."""
        if not isinstance(text, str) or not text.strip() or "/" in text or "@" in text:
            raise ValueError(f"intercept(hosts=...): {text!r} is not a host name: give hosts such as 'crm.example.com' or 'crm.example.com:8443', not URLs")
        parts = urlsplit(f"//{text.strip().lower()}")
        try:
            host, port = parts.hostname, parts.port
        except ValueError:
            raise ValueError(f"intercept(hosts=...): {text!r} has an invalid port") from None
        if not host:
            raise ValueError(f"intercept(hosts=...): {text!r} is not a host name")
        return cls(_labels(host), port)

    def matches(self, host: str, port: int) -> bool:
        if self.port is not None and port != self.port:
            return False
        labels = _labels(host)
        return len(labels) == len(self.labels) and all(want in ("*", got) for want, got in zip(self.labels, labels, strict=True))


def _labels(host: str) -> tuple[str, ...]:
    host = host.strip("[]").lower().rstrip(".")
    try:
        ipaddress.ip_address(host)
        return (host,)  # an address is one label: `*` never matches part of it
    except ValueError:
        return tuple(host.split("."))


class Hook(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...


class Interception:
    """The hooks of one `intercept()`: a context manager, or `start()` / `stop()`."""

    def __init__(self, app: "Flask", hosts: Iterable[str] = (), block_others: bool = False, own_url: str | None = None) -> None:
        if isinstance(hosts, str):
            hosts = [hosts]
        self.app = app
        self.block_others = bool(block_others)
        rules = [HostRule.parse(pattern).for_vendor(vendor.name) for vendor in state_of(app).vendors.values() for pattern in vendor.hosts]
        rules += [HostRule.parse(pattern) for pattern in hosts]
        if own_url is not None:
            own = urlsplit(own_url)
            rules.append(HostRule(_labels(own.hostname or ""), own.port))
        self.rules = tuple(rules)
        self._hooks: list[Hook] = []

    def _rule(self, url: str) -> HostRule | None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return None
        return next((rule for rule in self.rules if rule.matches(parts.hostname, port)), None)

    def intercepts(self, url: str) -> bool:
        """Whether a request to `url` is answered by the fake."""
        return self._rule(url) is not None

    def answer(self, method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes,
               read_timeout: float | None = None) -> InProcessResponse:
        """The fake's answer to an intercepted request. On a vendor's own host only that
        vendor's routes exist (Monica's host answers `/resources/...` with Monica's 404)."""
        rule = self._rule(url)
        return call_app(self.app, method, url, headers, body, read_timeout, vendor=rule.vendor if rule is not None else None)

    def refusal(self, method: str, url: str) -> str:
        """The message of the connection error a refused request gets."""
        return f"mockserver intercept(block_others=True) refused {method} {url}: not a host it intercepts"

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> "Interception":
        if self._hooks:
            return self
        hooks: list[Hook] = []
        # Each hook imports its client library and helper: only those installed, only when started.
        if _installed("requests"):
            _require("responses", "requests")
            from .requests_hook import RequestsHook

            hooks.append(RequestsHook(self))
        if _installed("httpx"):
            _require("respx", "httpx")
            from .httpx_hook import HttpxHook

            hooks.append(HttpxHook(self))
        started: list[Hook] = []
        try:
            for hook in hooks:
                hook.start()
                started.append(hook)
        except BaseException:
            for hook in reversed(started):
                hook.stop()
            raise
        self._hooks = hooks
        return self

    def stop(self) -> None:
        hooks, self._hooks = self._hooks, []
        for hook in reversed(hooks):
            hook.stop()

    def __enter__(self) -> "Interception":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


def _installed(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def _require(helper: str, client: str) -> None:
    if not _installed(helper):
        raise ModuleNotFoundError(f"mockserver intercept() needs {helper!r} to route {client}'s calls into the fake: {EXTRA_HINT}", name=helper)
