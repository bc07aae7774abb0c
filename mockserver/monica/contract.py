"""What the contract check needs of Monica beyond its operation table: numbered pages,
a handle on a real account, and the `--write` round trip on a conversation."""
from __future__ import annotations

import datetime
from typing import ClassVar

from ..probe import BaseUrl, FakeOnly, Json, Probe, VendorContract
from .handle import MonicaHandle

FAKE_ONLY = "the account's records and the setup helpers (create_contact, ...) exist only on the fake, not on the real Monica"


class MonicaContract(VendorContract):
    credential_flag: ClassVar[str] = "token"
    credential_env: ClassVar[str] = "TOKEN"

    def items(self, page: Json) -> list[Json]:
        data = page.get("data") if isinstance(page, dict) else None
        return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []

    def next_page(self, page: Json) -> dict[str, str] | None:
        meta = page.get("meta") if isinstance(page, dict) else None
        if not isinstance(meta, dict):
            return None
        current, last = meta.get("current_page"), meta.get("last_page")
        if isinstance(current, int) and isinstance(last, int) and current < last:
            return {"page": str(current + 1)}
        return None

    def remote_handle(self, root: BaseUrl, credential: str) -> MonicaHandle:
        return MonicaHandle(root, credential, FakeOnly(FAKE_ONLY), FakeOnly(FAKE_ONLY))  # type: ignore[arg-type]

    def round_trip(self, probe: Probe) -> None:
        # Monica conversations have no name: the run's name goes into the messages' content.
        contacts = [c for c in probe.found("monica.listContacts") if not c.get("is_me") and not c.get("is_partial")]
        contacts = contacts or probe.found("monica.listContacts")
        types = probe.found("monica.listContactFieldTypes")
        if not contacts or not types:
            raise ValueError("the round trip needs a contact and a contact field type in the account, and the lists found none")
        today = datetime.date.today().isoformat()
        created = probe.call("monica.createConversation", body={
            "happened_at": today, "contact_id": contacts[0]["id"], "contact_field_type_id": types[0]["id"],
        })["data"]
        conversation = {"conversation_id": str(created["id"])}
        probe.created(f"conversation {created['id']} (messages say {probe.name})", "monica.deleteConversation", conversation)
        probe.call("monica.addMessage", conversation, body={
            "written_at": today, "written_by_me": True, "content": f"{probe.name}: message 1, written by mockserver's contract check",
        })
        probe.call("monica.getConversation", conversation)
        probe.call("monica.updateConversation", conversation, body={"happened_at": today, "contact_field_type_id": types[0]["id"]})
        probe.call("monica.addMessage", conversation, body={
            "written_at": today, "written_by_me": False, "content": f"{probe.name}: message 2, written by mockserver's contract check",
        })
        probe.call("monica.deleteConversation", conversation)
