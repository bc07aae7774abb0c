"""What a test holds of one Vitally workspace: where it is, how to authenticate, its data."""
from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any, Callable

from ..store import Store, thaw
from ..surface import BaseUrl
from . import shapes
from .errors import NotFound, VitallyError
from .models import Admin, User, VitallyWorkspace, iso_ms

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


    def create_conversation(self, messages: int = 3, *, user: str | None = None, admin: str | None = None,
                            subject: str | None = None, external_id: str | None = None) -> Json:
        """One call for a conversation between an existing admin and user: `messages`
        messages, the admin writing first, one minute apart and ending now, created through
        the API's own rules. `user` is an id or externalId (default: the oldest user),
        `admin` an id or email (default: the oldest active admin). Answers the conversation
        as GET /resources/conversations/:id does."""
        if isinstance(messages, bool) or not isinstance(messages, int) or messages < 0:
            raise ValueError(f"messages must be a whole number of at least 0, not {messages!r}")
        with self.store.lock:
            ws = self.workspace
            customer, agent = self._user(user), self._admin(admin)
            now = int(ws.clock() * 1000)
            number = len(ws.conversations) + 1
            while external_id is None and f"conversation-{number}" in ws.conversations.by_external:
                number += 1
            body: dict[str, Any] = {
                "externalId": external_id or f"conversation-{number}",
                "subject": subject if subject is not None else f"Conversation {number}",
                "messages": [],
            }
            sides = ({"type": "admin", "id": agent.id}, {"type": "user", "id": customer.id})
            for i in range(messages):
                sender, recipient = sides[i % 2], sides[1 - i % 2]
                body["messages"].append({
                    "externalId": f"{body['externalId']}-message-{i + 1}",
                    "message": f"<p>Message {i + 1} of {messages}</p>",
                    "timestamp": iso_ms(now - (messages - 1 - i) * 60_000),
                    "from": sender,
                    "to": [recipient],
                })
            try:
                conversation = ws.create_conversation(body)
            except VitallyError as error:
                raise ValueError(error.message) from None
            return thaw(shapes.conversation(ws, conversation))  # type: ignore[no-any-return]

    def _user(self, ref: str | None) -> User:
        if ref is not None:
            found = self.workspace.users.find(ref)
            if found is None:
                raise ValueError(f"no user {ref!r} in this workspace (give an id or externalId)")
            return found
        oldest = next((self.workspace.users.rows[i] for _, i in self.workspace.users.by_created.ascending()), None)
        if oldest is None:
            raise ValueError("this workspace has no users: create one first (POST /resources/users)")
        return oldest

    def _admin(self, ref: str | None) -> Admin:
        admins = [self.workspace.admins.rows[i] for _, i in self.workspace.admins.by_created.ascending()]
        if ref is not None:
            found = next((a for a in admins if ref in (a.id, a.email) or a.email.lower() == ref.lower()), None)
            if found is None:
                raise ValueError(f"no admin {ref!r} in this workspace (give an id or email)")
            return found
        active = [a for a in admins if a.license_status == "active"] or admins
        if not active:
            raise ValueError("this workspace has no admins (a data set can add them)")
        return active[0]


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
