"""What the contract check needs of Vitally beyond its operation table: cursor pages,
a handle on a real workspace, and the `--write` round trip on a conversation."""
from __future__ import annotations

from typing import Any, ClassVar

from ..probe import BaseUrl, FakeOnly, Json, Probe, VendorContract
from .handle import VitallyHandle

FAKE_ONLY = "the workspace's records (and reading them) exist only on the fake, not on the real Vitally"


def _message(probe: Probe, number: int, sender: Json, recipient: Json) -> dict[str, Any]:
    return {
        "externalId": f"{probe.name}-message-{number}",
        "message": f"<p>{probe.name}: message {number}, written by mockserver's contract check; safe to delete</p>",
        "from": sender,
        "to": [recipient],
    }


class VitallyContract(VendorContract):
    credential_flag: ClassVar[str] = "api-key"
    credential_env: ClassVar[str] = "KEY"
    inferred_headers = frozenset({"Retry-After"})  # on 429: our inference (README, Vitally)

    def items(self, page: Json) -> list[Json]:
        results = page.get("results") if isinstance(page, dict) else None
        return [item for item in results if isinstance(item, dict)] if isinstance(results, list) else []

    def next_page(self, page: Json) -> dict[str, str] | None:
        cursor = page.get("next") if isinstance(page, dict) else None
        return {"from": cursor} if isinstance(cursor, str) and cursor else None

    def remote_handle(self, root: BaseUrl, credential: str) -> VitallyHandle:
        return VitallyHandle(root, credential, FakeOnly(FAKE_ONLY), FakeOnly(FAKE_ONLY))  # type: ignore[arg-type]

    def round_trip(self, probe: Probe) -> None:
        admins, users = probe.found("vitally.listAdmins"), probe.found("vitally.listUsers")
        if not admins or not users:
            raise ValueError("the round trip needs an admin and a user in the workspace, and the lists found none")
        admin = {"type": "admin", "id": admins[0]["id"]}
        user = {"type": "user", "id": users[0]["id"]}
        created = probe.call("vitally.createConversation", body={
            "externalId": probe.name,
            "subject": probe.name,
            "traits": {"mockserver.contract": True},
            "messages": [_message(probe, 1, admin, user)],
        })
        conversation = {"conversation_id": str(created["id"])}
        probe.created(f"conversation {created['id']} ({probe.name})", "vitally.deleteConversation", conversation)
        probe.call("vitally.getConversation", conversation)
        probe.call("vitally.updateConversation", conversation, body={"subject": f"{probe.name} (updated)"})
        message = probe.call("vitally.createMessage", conversation, body=_message(probe, 2, user, admin))
        probe.call("vitally.getMessage", {"message_id": str(message["id"])})
        probe.call("vitally.deleteConversation", conversation)
