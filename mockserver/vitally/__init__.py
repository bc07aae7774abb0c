"""Vitally's REST API under /resources: one isolated workspace per API key."""
from __future__ import annotations

import base64
import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask

from ..ratelimit import SlidingWindowLimiter
from ..seeding import Seeder

if TYPE_CHECKING:
    from ..app import MockState
    from ..server import MockServer
    from .models import VitallyWorkspace


class VitallyBackend:
    """The workspaces of one server, keyed by API key, and their rate limiter."""

    def __init__(self, state: "MockState", seeder: Seeder) -> None:
        from .models import VitallyWorkspace
        from .seed import seed_workspace

        config = state.config
        self.store = state.store
        self.keys = config.vitally_keys
        self.limiter = SlidingWindowLimiter(config.vitally_rate_limit, config.rate_limit_window)
        self.workspaces: dict[str, VitallyWorkspace] = {}
        for index, key in enumerate(self.keys):
            fake, rng = seeder.for_tenant("vitally", index)
            workspace = VitallyWorkspace(key, rng)
            seed_workspace(workspace, fake, rng, config.vitally_sizes)
            self.workspaces[key] = workspace
            self.store.register(workspace)
        self.store.register(self.limiter)

    def handle(self, server: "MockServer", api_key: str | None = None) -> "VitallyHandle":
        key = api_key or self.keys[0]
        if key not in self.workspaces:
            raise KeyError(f"no Vitally workspace for API key {key!r}; known: {', '.join(self.keys)}")
        return VitallyHandle(server, key, self.workspaces[key], self.store)


@dataclass
class VitallyHandle:
    """What a test needs of one workspace: where, how to authenticate, and its data.

    The data properties return the JSON objects the API would, read under the lock,
    as deep copies: shapes share the stored records' traits, which must never be
    edited in place (the reset snapshot shares them too).
    """

    server: "MockServer"
    api_key: str
    workspace: "VitallyWorkspace"
    store: Any

    @property
    def base_url(self) -> str:
        return self.server.url + "/resources"

    @property
    def auth(self) -> tuple[str, str]:
        """For requests: `requests.get(url, auth=handle.auth)`."""
        return (self.api_key, "")

    @property
    def headers(self) -> dict[str, str]:
        token = base64.b64encode(f"{self.api_key}:".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    def _all(self, table: str, shape: Any) -> list[dict[str, Any]]:
        with self.store.lock:
            rows = getattr(self.workspace, table)
            ordered = [rows.rows[i] for _, i in rows.by_created.descending()]
            return copy.deepcopy([shape(r) for r in ordered])

    @property
    def organizations(self) -> list[dict[str, Any]]:
        from . import shapes

        return self._all("organizations", lambda r: shapes.organization(self.workspace, r))

    @property
    def accounts(self) -> list[dict[str, Any]]:
        from . import shapes

        return self._all("accounts", lambda r: shapes.account(self.workspace, r))

    @property
    def users(self) -> list[dict[str, Any]]:
        from . import shapes

        return self._all("users", lambda r: shapes.user(self.workspace, r))

    @property
    def admins(self) -> list[dict[str, Any]]:
        from . import shapes

        return self._all("admins", shapes.admin)

    @property
    def conversations(self) -> list[dict[str, Any]]:
        """Every conversation with its messages, newest created first."""
        from . import shapes

        return self._all("conversations", lambda r: shapes.conversation(self.workspace, r))

    def conversation(self, id_or_external_id: str) -> dict[str, Any] | None:
        from . import shapes
        from .errors import NotFound

        with self.store.lock:
            try:
                return copy.deepcopy(shapes.conversation(self.workspace, self.workspace.conversation(id_or_external_id)))
            except NotFound:
                return None


def init_app(app: Flask, state: "MockState") -> None:
    from .errors import http_error_response
    from .routes import blueprint

    state.vendors["vitally"] = VitallyBackend(state, state.seeder)
    state.error_formats.append(("/resources", http_error_response))
    app.register_blueprint(blueprint)
