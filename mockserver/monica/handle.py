"""What a test holds of one Monica account: where it is, how to authenticate, its data."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ..store import Store
from ..surface import BaseUrl
from . import shapes
from .errors import MonicaError
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


    def create_contact_with_conversations(self, first_name: str = "Test", conversations: int = 1, messages: int = 3, *,
                                          contact_field_type_id: int | None = None, **fields: Any) -> Json:
        """One call for a contact with `conversations` conversations of `messages` messages
        each (alternating, `written_by_me` first), made through the API's own rules. The
        channel is `contact_field_type_id` (default: the account's first type, Email).
        `fields` are create_contact's (`is_active=False` archives it once the
        conversations are in). Answers `{"contact": …, "conversations": […]}` as the API shows them.
        ValueError, and nothing made, when a step is refused (an unknown channel, say)."""
        for name, value in (("conversations", conversations), ("messages", messages)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a whole number of at least 0, not {value!r}")
        archived = fields.pop("is_active", True) is False
        with self.store.lock:
            account = self.account
            channel = contact_field_type_id if contact_field_type_id is not None else next(iter(account.contact_field_types), None)
            if channel is None:
                raise ValueError("this account has no contact field types: create one first (POST /api/contactfieldtypes)")
            try:
                with account.all_or_nothing():  # a refused step undoes the ones before it
                    contact = account.create_contact(first_name, **fields)
                    made = []
                    start = account.clock() - timedelta(minutes=conversations * messages)
                    for i in range(conversations):
                        happened = start + timedelta(minutes=i * messages)
                        conversation = account.create_conversation({
                            "happened_at": happened.strftime("%Y-%m-%d %H:%M:%S"), "contact_id": contact.id, "contact_field_type_id": channel,
                        })
                        for j in range(messages):
                            account.add_message(conversation.id, {
                                "written_at": (happened + timedelta(minutes=j)).strftime("%Y-%m-%d %H:%M:%S"),
                                "written_by_me": j % 2 == 0, "content": f"Message {j + 1} of {messages}",
                            })
                        made.append(conversation.id)
                    if archived:
                        contact = account.set_contact_active(contact.id, False)
            except MonicaError as error:
                message = error.message if isinstance(error.message, str) else " ".join(error.message)
                raise ValueError(message) from None
            base = self.server_url()
            return {
                "contact": shapes.contact(account, contact, base),
                "conversations": [shapes.conversation(account, account.conversations[i], base) for i in made],
            }


class MonicaHandles:
    """`server.monica` and `server.monica_account(token)` on MockServer."""

    def _vendor_handle(self, vendor: str, credential: str | None) -> Any:
        raise NotImplementedError

    @property
    def monica(self) -> MonicaHandle:
        """The first Monica account (default token `mockserver-token`)."""
        return self.monica_account()

    def monica_account(self, token: str | None = None) -> MonicaHandle:
        handle: MonicaHandle = self._vendor_handle("monica", token)
        return handle
