"""pytest plugin (entry point `pytest11`): the `mockserver` and `mockserver_intercept` fixtures.

One server per session (so per xdist worker), reset before each test. A test that
wants other data asks with `@pytest.mark.mockserver(seed=7, vitally_sizes={...})`
(or `fixtures="data.json"`, `empty=True`) and gets a server of its own for that test.
`mockserver_intercept` is the same server with the vendors' real hosts routed into it
for the whole test; `@pytest.mark.mockserver_intercept(hosts=[...], block_others=True)`
passes its keywords to `intercept()`. `mockserver_options` (a session fixture to
override) gives options to every server the fixtures start.

Vendor-verified runs (`@pytest.mark.vendor_verified`, `--mockserver-target=live|both`,
`--mockserver-record PATH`) live in mockserver/contract/verified.py, loaded only for them.

At teardown, a test whose client sent requests the vendor would refuse as a client
bug (an unknown route, a wrong method, invalid input) fails, with those requests
listed; `@pytest.mark.mockserver(allow_rejected=True)` or the ini option
`mockserver_allow_rejected = true` allows them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

import pytest

VERIFIED = "mockserver-vendor-verified"  # the plugin name of a vendor-verified run's machinery

if TYPE_CHECKING:
    from .contract.verified import LiveVendors, RecordedFake, VerifiedRun
    from .server import MockServer

    Served = MockServer | LiveVendors | RecordedFake


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockserver")
    group.addoption("--mockserver-seed", type=int, default=None, help="seed of the mockserver fixture's data (default 0)")
    parser.addini("mockserver_seed", "seed of the mockserver fixture's data", default="0")
    group.addoption("--mockserver-target", choices=("fake", "live", "both"), default="fake",
                    help="run @pytest.mark.vendor_verified tests against the fake (default), the real vendor, or both")
    group.addoption("--mockserver-record", metavar="PATH", help="record the exchanges with the real vendor into a HAR file")
    parser.addini("mockserver_allow_rejected", "do not fail tests whose client sent requests the fake could not route or "
                  "refused as invalid", type="bool", default=False)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "mockserver(**options): a dedicated mockserver for this test, e.g. mockserver(seed=3, vitally_rate_limit=5); "
        "allow_rejected=True lets the test's client send requests the fake refuses as client bugs",
    )
    config.addinivalue_line(
        "markers",
        "mockserver_intercept(hosts=(), block_others=False): how the mockserver_intercept fixture intercepts",
    )
    config.addinivalue_line("markers", "vendor_verified: also run this test against the real vendor with --mockserver-target=live|both")
    if config.getoption("--mockserver-target") != "fake" or config.getoption("--mockserver-record"):
        from .contract import verified  # only a vendor-verified run pays for it

        config.pluginmanager.register(verified.VerifiedRun(config), VERIFIED)


def _verified(config: pytest.Config) -> "VerifiedRun | None":
    run: VerifiedRun | None = config.pluginmanager.get_plugin(VERIFIED)
    return run


def _serve(verified: "VerifiedRun | None", request: pytest.FixtureRequest, server: "MockServer") -> Iterator["Served"]:
    if verified is None:
        yield server
    else:
        yield from verified.fake_fixture(request, server)


def _seed(config: pytest.Config) -> int:
    option = config.getoption("--mockserver-seed")
    return int(option if option is not None else config.getini("mockserver_seed") or 0)


@pytest.fixture(scope="session")
def mockserver_options() -> dict[str, Any]:
    """Keyword options of every server the fixtures start (MockServer's, e.g.
    `monica_rate_limit`, `strict_responses`): the session's shared server, and each
    marker's server under the marker's own. Override it in a conftest.py."""
    return {}


@pytest.fixture(scope="session")
def mockserver_session(pytestconfig: pytest.Config, mockserver_options: dict[str, Any]) -> Iterator["MockServer"]:
    """The session's shared server; prefer `mockserver`, which resets it first."""
    from .server import MockServer  # here: the plugin loads in every pytest run, most never use it

    server = MockServer(**{"seed": _seed(pytestconfig), **mockserver_options}).start()
    try:
        yield server
    finally:
        server.stop()


def _check_rejected(server: "MockServer", allowed: bool) -> None:
    report = None if allowed else server.journal.rejected_report()
    if report is not None:
        pytest.fail(f"{report}\nFix the client, or allow these with @pytest.mark.mockserver(allow_rejected=True) "
                    "or `mockserver_allow_rejected = true` in the ini file.", pytrace=False)


@pytest.fixture
def mockserver_target(request: pytest.FixtureRequest, pytestconfig: pytest.Config) -> str:
    """`fake` or `live`: where this test's `mockserver` fixture points (both, in turn, with `both`)."""
    param: str | None = getattr(request, "param", None)
    return param or ("live" if pytestconfig.getoption("--mockserver-target") == "live" else "fake")


@pytest.fixture
def mockserver(request: pytest.FixtureRequest, pytestconfig: pytest.Config, mockserver_target: str,
               mockserver_options: dict[str, Any]) -> Iterator["Served"]:
    """A started MockServer in its seeded state (the real vendors' handles in a live run)."""
    verified = _verified(pytestconfig)
    if verified is not None and mockserver_target == "live":
        yield from verified.live_fixture(request)
        return
    marker = request.node.get_closest_marker("mockserver")
    marked: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    allowed = bool(marked.pop("allow_rejected", pytestconfig.getini("mockserver_allow_rejected")))
    if marked:
        from .server import MockServer  # as above: keep the plugin's import cheap

        options: dict[str, Any] = {"seed": _seed(pytestconfig), **mockserver_options, **marked}
        with MockServer(**options) as server:  # the marker's other keywords are MockServer's
            yield from _serve(verified, request, server)
            _check_rejected(server, allowed)
        return
    server = request.getfixturevalue("mockserver_session")
    server.reset()
    yield from _serve(verified, request, server)
    _check_rejected(server, allowed)


@pytest.fixture
def mockserver_intercept(request: pytest.FixtureRequest, mockserver: "MockServer") -> Iterator["MockServer"]:
    """`mockserver`, with calls to the vendors' real hosts answered by it for the whole test."""
    marker = request.node.get_closest_marker("mockserver_intercept")
    with mockserver.intercept(**(marker.kwargs if marker is not None else {})):
        yield mockserver
