"""The transport-free core: `create_app()` builds one isolated fake as a WSGI app.

One fake owns its config, store and seeded vendors (`MockState`, in
`app.extensions["mockserver"]`). Its surfaces (each registered vendor, and the
control API) are routed through the one request pipeline (pipeline.py). Socket
servers (server.py, cli.py) wrap this app; nothing here opens a socket.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping

from flask import Flask

from .answers import Answers
from .config import Config
from .control import ControlSurface
from .datasets import load_files
from .faults import Faults
from .journal import Journal
from .operations import Operation
from .pipeline import Pipeline
from .registry import VENDORS, vendor_options
from .seeding import Seeder
from .store import Store
from .surface import Surface, Vendor

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .registry import Options


@dataclass
class MockState:
    """Everything one app instance owns; nothing of it is module-level."""

    config: Config
    seeder: Seeder
    store: Store = field(default_factory=Store)
    vendors: dict[str, Vendor[Any]] = field(default_factory=dict)
    surfaces: list[Surface] = field(default_factory=list)
    operations: dict[str, Operation] = field(default_factory=dict)  # by id, every surface's
    answers: Answers = field(default_factory=Answers)  # kept answers of reads (answers.py)
    journal: Journal = field(init=False)
    faults: Faults = field(init=False)

    def surface_for(self, path: str) -> Surface:
        """The surface owning a path: a vendor by its prefix, else the control API."""
        for surface in self.surfaces:
            if surface.owns(path):
                return surface
        return self.surfaces[-1]

    def vendor(self, name: str) -> Vendor[Any]:
        found = self.vendors.get(name)
        if found is None:
            raise KeyError(f"no vendor {name!r}; known: {', '.join(self.vendors)}")
        return found


def state_of(app: Flask) -> MockState:
    state: MockState = app.extensions["mockserver"]
    return state


class _CollapseSlashes:
    """`//resources/x` -> `/resources/x`: a real Airbyte manifest sends the double slash.

    Leading slashes always go; slashes inside the path only where the owning surface
    says its vendor collapses them (Laravel does not: `/api//x` is no route).
    """

    _many = re.compile("/{2,}")

    def __init__(self, wsgi_app: Callable[..., Any], state: MockState) -> None:
        self.wsgi_app = wsgi_app
        self.state = state

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if "//" in path:
            path = "/" + path.lstrip("/")
            if self.state.surface_for(path).collapse_slashes:
                path = self._many.sub("/", path)
            environ["PATH_INFO"] = path
        return self.wsgi_app(environ, start_response)


def build_config(config: Config | Mapping[str, Any] | None = None, **options: Any) -> Config:
    """A checked Config from a Config, a mapping of keyword options, or keywords."""
    if isinstance(config, Config):
        if options:
            raise TypeError("pass either a Config or keyword options, not both")
        return config.with_vendors(vendor_options())
    return Config.from_options({**dict(config or {}), **options}, vendor_options())


def create_app(config: Config | Mapping[str, Any] | None = None, **options: "Unpack[Options]") -> Flask:
    """Build one isolated fake: its own store, tenants and seeded data."""
    checked = build_config(config, **options)
    app = Flask("mockserver")
    app.config["MAX_CONTENT_LENGTH"] = checked.max_body_bytes
    app.url_map.merge_slashes = False  # no redirect to a merged path: _CollapseSlashes decides, per vendor

    state = MockState(config=checked, seeder=Seeder(checked.seed, checked.locale))
    app.extensions["mockserver"] = state
    for kind in VENDORS:
        state.vendors[kind.name] = kind(checked, state.store, state.seeder)
    state.surfaces = [*state.vendors.values(), ControlSurface(state, enabled=checked.control_api)]
    for surface in state.surfaces:
        state.operations.update((operation.id, operation) for operation in surface.operations())
    state.journal = Journal(checked.journal_size, state.operations)
    state.faults = Faults(state.operations, {vendor.name: vendor.prefix for vendor in state.vendors.values()})
    state.store.register(state.journal)  # reset empties both
    state.store.register(state.faults)
    Pipeline(state).install(app)
    state.store.seal()
    if checked.fixtures:
        load_files(state, checked.fixtures)

    wsgi: Callable[..., Any] = app.wsgi_app
    for surface in state.surfaces:
        wsgi = surface.wrap_wsgi(wsgi)
    app.wsgi_app = _CollapseSlashes(wsgi, state)  # type: ignore[method-assign]
    return app
