"""pytest plugin (entry point `pytest11`): the `mockserver` fixture.

One server per session (so per xdist worker), reset before each test. A test that
wants other data asks with `@pytest.mark.mockserver(seed=7, vitally_sizes={...})`
and gets a server of its own for that test. `mockserver_options` (a session fixture
to override) gives options to every server the fixtures start.
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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "mockserver(**options): a dedicated mockserver for this test, e.g. mockserver(seed=3, vitally_rate_limit=5)",
    )


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
    from .server import MockServer

    server = MockServer(**{"seed": _seed(pytestconfig), **mockserver_options}).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mockserver(request: pytest.FixtureRequest, pytestconfig: pytest.Config, mockserver_options: dict[str, Any]) -> Iterator["MockServer"]:
    """A started MockServer in its seeded state."""
    marker = request.node.get_closest_marker("mockserver")
    if marker is not None:
        from .server import MockServer

        options: dict[str, Any] = {"seed": _seed(pytestconfig), **mockserver_options, **marker.kwargs}
        with MockServer(**options) as server:  # the marker's keywords are MockServer's
            yield server
        return
    server = request.getfixturevalue("mockserver_session")
    server.reset()
    yield server
