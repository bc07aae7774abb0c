"""Vendor-verified runs: a user's own `@pytest.mark.vendor_verified` tests, run against
the real vendor (`--mockserver-target=live`), or against the fake and the vendor in turn
(`both`, reporting where their answers differ in shape), optionally recorded into a HAR
file with credentials redacted (`--mockserver-record PATH`).

The pytest plugin loads this module only for such a run and registers a `VerifiedRun`, so
an ordinary run pays nothing for it. In live mode the `mockserver` fixture is a `LiveVendors`: its
handles carry the live base URL and credentials from MOCKSERVER_<VENDOR>_URL and
MOCKSERVER_<VENDOR>_KEY / _TOKEN; what only the fake can do raises FakeOnlyError. To see
every exchange (to record or compare it), handles point at a small recording proxy on
loopback that forwards each request to the real target.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator

import pytest

from ..probe import FakeOnlyError
from ..registry import VENDORS, Handles
from . import har
from .cli import env_names
from .compare import differences, shape_of
from .exchange import Exchange, Secrets, redact
from .http import HOP_BY_HOP, api_root, send
from .recorded import match

if TYPE_CHECKING:
    from ..server import MockServer

OUTPUT = "mockserver_verified"  # key of the data an xdist worker sends its controller


@dataclass
class LiveVendor:
    root: str  # the vendor's URL without its API prefix
    credential: str


@dataclass
class Route:
    """Requests to `/r/<id>/...` on the recorder go to `root/...`."""

    root: str
    target: str  # "fake" or "live"
    test: str
    secrets: Secrets
    exchanges: list[Exchange] = field(default_factory=list)


class Recorder:
    """A forwarding proxy on loopback: every exchange passes, and is kept, per route."""

    def __init__(self) -> None:
        from ..transport import listen

        self.routes: dict[str, Route] = {}
        self._lock = threading.Lock()
        self._server = listen(self._app, "127.0.0.1", 0, server="werkzeug")
        self._thread = threading.Thread(target=self._server.serve_forever, name="mockserver-recorder", daemon=True)
        self._thread.start()

    def add(self, route: Route) -> str:
        """The URL that stands for `route.root`."""
        with self._lock:
            key = str(len(self.routes) + 1)
            self.routes[key] = route
        return f"{self._server.url}/r/{key}"

    def _app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        from werkzeug.wrappers import Request

        request = Request(environ)
        _, _, key, *rest = request.path.split("/", 3) + [""]
        route = self.routes.get(key)
        if route is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"mockserver recorder: no such route\n"]
        url = f"{route.root}/{rest[0]}" + (f"?{request.query_string.decode()}" if request.query_string else "")
        headers = tuple((k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP)
        try:
            exchange = send(request.method, url, headers, request.get_data())
        except OSError as exc:
            start_response("502 Bad Gateway", [("Content-Type", "text/plain")])
            return [f"mockserver recorder: cannot reach {route.root}: {exc}\n".encode()]
        route.exchanges.append(exchange)
        answer = [(k, v) for k, v in exchange.response_headers if k.lower() not in HOP_BY_HOP]
        start_response(f"{exchange.status} {_reason(exchange.status)}", answer + [("Content-Length", str(len(exchange.response_body)))])
        return [exchange.response_body]

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class LiveHandle:
    """A vendor's handle on a real tenant; what only the fake has raises FakeOnlyError naming it."""

    def __init__(self, vendor: str, inner: Any) -> None:
        self._vendor = vendor
        self._inner = inner

    def _fake_only(self, name: str, exc: FakeOnlyError) -> FakeOnlyError:
        return FakeOnlyError(f"mockserver.{self._vendor}.{name} is only available on the fake: {exc} "
                             "(this test runs against the live vendor, --mockserver-target=live)")

    def __getattr__(self, name: str) -> Any:
        try:
            value = getattr(self._inner, name)
        except FakeOnlyError as exc:
            raise self._fake_only(name, exc) from None
        if not callable(value):
            return value

        def guarded(*args: Any, **kwargs: Any) -> Any:  # a setup helper fails when called
            try:
                return value(*args, **kwargs)
            except FakeOnlyError as exc:
                raise self._fake_only(name, exc) from None

        return guarded


class LiveVendors(Handles):
    """The `mockserver` fixture of a test run against the real vendors."""

    def __init__(self, run: "VerifiedRun", test: str) -> None:
        self._run = run
        self._test = test
        self._roots: dict[str, str] = {}
        self.routes: list[Route] = []

    def _vendor_handle(self, vendor: str, credential: str | None) -> Any:
        live = self._run.live.get(vendor)
        if live is None:
            url_env, credential_env = env_names(next(v for v in VENDORS if v.name == vendor))
            pytest.skip(f"no live {vendor} to verify against: set {url_env} and {credential_env}")
        if credential is not None and credential != live.credential:
            raise FakeOnlyError(f"other {vendor} tenants exist only on the fake: a live run has one, from the environment")
        if vendor not in self._roots:
            self._roots[vendor] = live.root
            if self._run.recording:
                route = Route(live.root, "live", self._test, self._run.secrets)
                self.routes.append(route)
                self._roots[vendor] = self._run.recorder().add(route)
        root = self._roots[vendor]
        kind = next(v for v in VENDORS if v.name == vendor)
        return LiveHandle(vendor, kind.contract.remote_handle(lambda: root, live.credential))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise FakeOnlyError(f"mockserver.{name} is only available on the fake: this test runs against the live vendor "
                            "(--mockserver-target=live); reset, seeded data, the journal and faults exist only in the fake")


class RecordedFake(Handles):
    """A MockServer whose handles go through the recorder (to compare it with the vendor)."""

    def __init__(self, server: "MockServer", url: str) -> None:
        self._server = server
        self._url = url

    def _vendor_handle(self, vendor: str, credential: str | None) -> Any:
        from ..app import state_of

        return state_of(self._server.app).vendor(vendor).handle(lambda: self._url, credential)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._server, name)


def _test_key(request: pytest.FixtureRequest) -> str:
    """The test, without the fake/live parameter: both runs of it share the key."""
    node = request.node
    callspec = getattr(node, "callspec", None)
    others = sorted((k, repr(v)) for k, v in (callspec.params.items() if callspec else ()) if k != "mockserver_target")
    base: str = node.nodeid.split("[", 1)[0]
    return base + (f"[{', '.join(f'{k}={v}' for k, v in others)}]" if others else "")


def _operation_of(exchange: Exchange) -> str:
    """The operation id an exchange reached (any vendor's), or its path."""
    for kind in VENDORS:
        operation = match(kind, exchange.method, exchange.path)
        if operation is not None:
            return operation.id
    return exchange.path


def _summary(route: Route) -> list[dict[str, Any]]:
    calls = []
    for exchange in route.exchanges:
        ok, body = exchange.json()
        calls.append({"call": f"{exchange.method} {_operation_of(exchange)}", "status": exchange.status, "shape": shape_of(body) if ok else None})
    return calls


class VerifiedRun:
    """The session's vendor-verified machinery, registered as a pytest plugin."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.target: str = config.getoption("--mockserver-target")
        self.record: str | None = config.getoption("--mockserver-record")
        self.secrets = Secrets()
        self.live: dict[str, LiveVendor] = {}
        for kind in VENDORS:
            url_env, credential_env = env_names(kind)
            url, credential = os.environ.get(url_env), os.environ.get(credential_env)
            if url and credential:
                self.live[kind.name] = LiveVendor(api_root(kind, url), credential)
                self.secrets.add(credential)
        if self.target == "fake" and self.record:
            raise pytest.UsageError("--mockserver-record records a run against the vendor: add --mockserver-target=live (or both)")
        if not self.live:
            wanted = " or ".join(" and ".join(env_names(kind)) for kind in VENDORS)
            raise pytest.UsageError(f"--mockserver-target={self.target} needs a vendor to verify against: set {wanted}")
        self._recorder: Recorder | None = None
        self.entries: list[dict[str, Any]] = []  # HAR entries of the live exchanges, redacted
        self.calls: dict[str, dict[str, list[dict[str, Any]]]] = {}  # test -> target -> calls
        self.compared: list[str] | None = None

    @property
    def recording(self) -> bool:
        """Whether exchanges go through the recorder: to write them down or to compare them."""
        return bool(self.record) or self.target == "both"

    def recorder(self) -> Recorder:
        if self._recorder is None:
            self._recorder = Recorder()
        return self._recorder

    # -- the fixture -------------------------------------------------------------------
    def live_fixture(self, request: pytest.FixtureRequest) -> Iterator[LiveVendors]:
        vendors = LiveVendors(self, _test_key(request))
        try:
            yield vendors
        finally:
            for route in vendors.routes:
                self._keep(route)

    def fake_fixture(self, request: pytest.FixtureRequest, server: "MockServer") -> Iterator[Any]:
        if self.target != "both" or request.node.get_closest_marker("vendor_verified") is None:
            yield server
            return
        route = Route(server.url, "fake", _test_key(request), Secrets())
        try:
            yield RecordedFake(server, self.recorder().add(route))
        finally:
            self._keep(route)

    def _keep(self, route: Route) -> None:
        if route.target == "live" and self.record:
            self.entries += [har.entry(redact(exchange, self.secrets)) for exchange in route.exchanges]
        if self.target == "both":
            self.calls.setdefault(route.test, {}).setdefault(route.target, []).extend(_summary(route))

    # -- pytest hooks ------------------------------------------------------------------
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        if self.target != "live":
            return
        skip = pytest.mark.skip(reason="not marked vendor_verified: --mockserver-target=live runs only those")
        for item in items:
            if item.get_closest_marker("vendor_verified") is None:
                item.add_marker(skip)

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        marked = metafunc.definition.get_closest_marker("vendor_verified") is not None
        if self.target == "both" and marked and "mockserver_target" in metafunc.fixturenames:
            metafunc.parametrize("mockserver_target", ["fake", "live"], indirect=True)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """xdist, on the controller: what a worker kept."""
        sent = getattr(node, "workeroutput", {}).get(OUTPUT)
        if sent:
            self.entries += sent["entries"]
            for test, targets in sent["calls"].items():
                for target, calls in targets.items():
                    self.calls.setdefault(test, {}).setdefault(target, []).extend(calls)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self._recorder is not None:
            self._recorder.stop()
            self._recorder = None
        if hasattr(session.config, "workerinput"):  # an xdist worker: the controller writes and compares
            session.config.workeroutput[OUTPUT] = {"entries": self.entries, "calls": self.calls}  # type: ignore[attr-defined]
            return
        if self.record:
            self.entries.sort(key=lambda e: str(e["startedDateTime"]))
            with open(self.record, "w", encoding="utf-8") as out:
                out.write(har.dumps(self.entries))
        if self.target == "both":
            self.compared = self._compare()

    def _compare(self) -> list[str]:
        lines = []
        for test, targets in sorted(self.calls.items()):
            fake, live = targets.get("fake", []), targets.get("live", [])
            if not fake or not live:
                continue
            if [c["call"] for c in fake] != [c["call"] for c in live]:
                lines.append(f"{test}: made other calls on the fake ({len(fake)}) than on the vendor ({len(live)})")
            for number, (a, b) in enumerate(zip(fake, live, strict=False), 1):  # a different count is said above
                where = f"{test}: call {number} ({a['call']})"
                if a["call"] != b["call"]:
                    continue
                if a["status"] != b["status"]:
                    lines.append(f"{where}: status {a['status']} on the fake, {b['status']} on the vendor")
                elif a["shape"] is not None and b["shape"] is not None:
                    lines += [f"{where}: {line}" for line in differences(a["shape"], b["shape"])]
                elif (a["shape"] is None) != (b["shape"] is None):
                    lines.append(f"{where}: a JSON body on {'the vendor' if a['shape'] is None else 'the fake'} only")
        return lines

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.record:
            terminalreporter.write_line(f"mockserver: {len(self.entries)} exchange(s) with the vendor recorded in {self.record} "
                                        "(credentials redacted)")
        if self.compared is not None:
            compared = sum(1 for targets in self.calls.values() if targets.get("fake") and targets.get("live"))
            terminalreporter.section("mockserver: fake and vendor compared (status, keys, types)")
            for line in self.compared:
                terminalreporter.write_line(line)
            verdict = f"{len(self.compared)} difference(s)" if self.compared else "no difference"
            terminalreporter.write_line(f"{compared} test(s) compared on the fake and the vendor: {verdict}")

