"""pytest plugin (entry point `pytest11`): the `mockserver` fixture.

One server per session (so per xdist worker), reset before each test. A test that
wants other data asks with `@pytest.mark.mockserver(seed=7, vitally_sizes={...})`
and gets a server of its own for that test.

At teardown, a test whose client sent requests the vendor would refuse as a client
bug (an unknown route, a wrong method, invalid input) fails, with those requests
listed; `@pytest.mark.mockserver(allow_rejected=True)` or the ini option
`mockserver_allow_rejected = true` allows them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

import pytest

if TYPE_CHECKING:
    from .server import MockServer


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockserver")
    group.addoption("--mockserver-seed", type=int, default=None, help="seed of the mockserver fixture's data (default 0)")
    parser.addini("mockserver_seed", "seed of the mockserver fixture's data", default="0")
    parser.addini("mockserver_allow_rejected", "do not fail tests whose client sent requests the fake could not route or "
                  "refused as invalid", type="bool", default=False)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "mockserver(**options): a dedicated mockserver for this test, e.g. mockserver(seed=3, vitally_rate_limit=5); "
        "allow_rejected=True lets the test's client send requests the fake refuses as client bugs",
    )


def _seed(config: pytest.Config) -> int:
    option = config.getoption("--mockserver-seed")
    return int(option if option is not None else config.getini("mockserver_seed") or 0)


@pytest.fixture(scope="session")
def mockserver_session(pytestconfig: pytest.Config) -> Iterator["MockServer"]:
    """The session's shared server; prefer `mockserver`, which resets it first."""
    from .server import MockServer

    server = MockServer(seed=_seed(pytestconfig)).start()
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
def mockserver(request: pytest.FixtureRequest, pytestconfig: pytest.Config) -> Iterator["MockServer"]:
    """A started MockServer in its seeded state."""
    marker = request.node.get_closest_marker("mockserver")
    marked: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    allowed = bool(marked.pop("allow_rejected", pytestconfig.getini("mockserver_allow_rejected")))
    if marked:
        from .server import MockServer

        options: dict[str, Any] = {"seed": _seed(pytestconfig), **marked}
        with MockServer(**options) as server:  # the marker's other keywords are MockServer's
            yield server
            _check_rejected(server, allowed)
        return
    server = request.getfixturevalue("mockserver_session")
    server.reset()
    yield server
    _check_rejected(server, allowed)
