"""What a test holds of one Monica account: where it is, how to authenticate, its data."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..store import Store
from ..surface import BaseUrl
from . import shapes
from .models import MonicaAccount

Json = dict[str, Any]


@dataclass
class MonicaHandle:
    """`base_url` (ending in `/api`), `token`, `headers`, and the account's records as the
    API's JSON objects, read under the store lock; helpers for test setup."""

    server_url: BaseUrl
    token: str
    account: MonicaAccount
    store: Store

    @property
    def base_url(self) -> str:
        return self.server_url() + "/api"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}

    @property
    def account_id(self) -> int:
        return self.account.id

    @property
    def genders(self) -> list[Json]:
        """The account's genders (the defaults Man, Woman, Rather not say), in id order."""
        with self.store.lock:
            return [shapes.gender(g) for g in self.account.genders.values()]

    @property
    def contacts(self) -> list[Json]:
        """Every contact (partial and archived too, not deleted ones), full objects, in id order."""
        with self.store.lock:
            return [shapes.contact(self.account, c, self.server_url()) for c in self.account.contacts.values()]

    @property
    def contact_field_types(self) -> list[Json]:
        with self.store.lock:
            return [shapes.contact_field_type(t) for t in self.account.contact_field_types.values()]

    @property
    def conversations(self) -> list[Json]:
        """Every conversation with its messages, in the API's default order (created_at, id)."""
        with self.store.lock:
            rows = [self.account.conversations[i] for _, i in self.account.conversations_by_created.ascending()]
            return [shapes.conversation(self.account, c, self.server_url()) for c in rows]

    def conversation(self, conversation_id: int) -> Json | None:
        with self.store.lock:
            row = self.account.conversations.get(conversation_id)
            return None if row is None else shapes.conversation(self.account, row, self.server_url())

    def create_contact(self, first_name: str, **fields: Any) -> Json:
        """A contact in this account for test setup, e.g. `create_contact("Ann", is_active=False)`
        or `create_contact("Ann", last_name="Lee", email="ann@example.com", birthdate="1990-05-04")`.

        Made by the same service as `POST /api/contacts` (MonicaAccount.create_contact
        lists the fields); `is_active=False` and `is_starred=True` are set afterwards,
        as the API cannot. ValueError with Monica's messages when Monica would refuse it."""
        with self.store.lock:
            return shapes.contact(self.account, self.account.create_contact(first_name, **fields), self.server_url())

    def add_contact_field(self, contact_id: int, contact_field_type_id: int, data: str) -> Json:
        """A contact field for test setup, e.g. `add_contact_field(contact["id"], 1, "ann@example.com")`:
        the service of `POST /api/contactfields` (an archived contact gets it too)."""
        with self.store.lock:
            field = self.account.add_contact_field(contact_id, contact_field_type_id, data)
            return shapes.contact_field(self.account, field, self.server_url())

    def archive_contact(self, contact_id: int, archived: bool = True) -> Json:
        """Archive (or unarchive) a contact: conversation and message writes on it get 422."""
        with self.store.lock:
            return shapes.contact(self.account, self.account.set_contact_active(contact_id, not archived), self.server_url())


class MonicaHandles:
    """`server.monica` and `server.monica_account(token)` on MockServer."""

    def vendor_handle(self, vendor: str, credential: str | None) -> Any:
        raise NotImplementedError

    @property
    def monica(self) -> MonicaHandle:
        """The first Monica account (default token `mockserver-token`)."""
        return self.monica_account()

    def monica_account(self, token: str | None = None) -> MonicaHandle:
        handle: MonicaHandle = self.vendor_handle("monica", token)
        return handle
