"""What a test holds of one Vitally workspace: where it is, how to authenticate, its data."""
from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any, Callable

from ..store import Store, thaw
from ..surface import BaseUrl
from . import shapes
from .errors import NotFound
from .models import VitallyWorkspace

Json = dict[str, Any]


@dataclass
class VitallyHandle:
    """`base_url`, `api_key`, `auth` and `headers`, and the workspace's records as the
    API's JSON objects, read under the store lock: plain dicts a test may edit (the
    stored records' traits are frozen; the handle gives editable copies)."""

    server_url: BaseUrl
    api_key: str
    workspace: VitallyWorkspace
    store: Store

    @property
    def base_url(self) -> str:
        return self.server_url() + "/resources"

    @property
    def auth(self) -> tuple[str, str]:
        """For requests: `requests.get(url, auth=handle.auth)`."""
        return (self.api_key, "")

    @property
    def headers(self) -> dict[str, str]:
        token = base64.b64encode(f"{self.api_key}:".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    def _all(self, table: str, shape: Callable[[Any], Json]) -> list[Json]:
        with self.store.lock:
            rows = getattr(self.workspace, table)
            return [thaw(shape(rows.rows[i])) for _, i in rows.by_created.descending()]

    @property
    def organizations(self) -> list[Json]:
        return self._all("organizations", lambda r: shapes.organization(self.workspace, r))

    @property
    def accounts(self) -> list[Json]:
        return self._all("accounts", lambda r: shapes.account(self.workspace, r))

    @property
    def users(self) -> list[Json]:
        return self._all("users", lambda r: shapes.user(self.workspace, r))

    @property
    def admins(self) -> list[Json]:
        return self._all("admins", shapes.admin)

    @property
    def conversations(self) -> list[Json]:
        """Every conversation with its messages, newest created first."""
        return self._all("conversations", lambda r: shapes.conversation(self.workspace, r))

    def conversation(self, id_or_external_id: str) -> Json | None:
        with self.store.lock:
            try:
                return thaw(shapes.conversation(self.workspace, self.workspace.conversation(id_or_external_id)))  # type: ignore[no-any-return]
            except NotFound:
                return None


class VitallyHandles:
    """`server.vitally` and `server.vitally_workspace(key)` on MockServer."""

    def _vendor_handle(self, vendor: str, credential: str | None) -> Any:
        raise NotImplementedError

    @property
    def vitally(self) -> VitallyHandle:
        """The first Vitally workspace (default key `sk_test_mockserver`)."""
        return self.vitally_workspace()

    def vitally_workspace(self, api_key: str | None = None) -> VitallyHandle:
        handle: VitallyHandle = self._vendor_handle("vitally", api_key)
        return handle
