"""Monica through a real MockServer under concurrent load: no write is lost, none is
half done, and no account sees another's."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

TOKENS = ["a", "b"]
pytestmark = pytest.mark.mockserver(monica_tokens=TOKENS, monica_rate_limit=100_000)


def _setup(handle: Any) -> tuple[int, int]:
    contact = next(c for c in handle.contacts if c["is_active"] and not c["is_partial"])
    return contact["id"], handle.contact_field_types[0]["id"]


def _all(session: requests.Session, url: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        body = session.get(url, params={"limit": 100, "page": page}, timeout=30).json()
        items.extend(body["data"])
        if body["meta"]["current_page"] >= body["meta"]["last_page"]:
            return items
        page += 1


def test_concurrent_writes_of_two_accounts_lose_nothing(mockserver):
    threads, per_thread = 8, 6
    handles = {token: mockserver.monica_account(token) for token in TOKENS}
    setup = {token: _setup(h) for token, h in handles.items()}
    before = {token: len(h.conversations) for token, h in handles.items()}

    def work(n: int) -> list[tuple[str, int, int]]:
        token = TOKENS[n % 2]
        handle, (contact_id, type_id) = handles[token], setup[token]
        made = []
        with requests.Session() as session:
            session.headers.update(handle.headers)
            for i in range(per_thread):
                created = session.post(f"{handle.base_url}/conversations", timeout=30,
                                       json={"happened_at": "2020-01-01", "contact_id": contact_id, "contact_field_type_id": type_id})
                assert created.status_code == 201, created.text
                cid = created.json()["data"]["id"]
                content = f"{token}-{n}-{i}"
                added = session.post(f"{handle.base_url}/conversations/{cid}/messages", timeout=30,
                                     json={"written_at": "2020-01-02", "written_by_me": i % 2, "content": content})
                assert added.status_code == 200, added.text
                [message] = added.json()["data"]["messages"]
                updated = session.put(f"{handle.base_url}/conversations/{cid}/messages/{message['id']}", timeout=30,
                                      json={"written_at": "2020-01-03", "written_by_me": 1, "content": content + "!"})
                assert updated.status_code == 200 and updated.json()["data"]["messages"][0]["content"] == content + "!"
                made.append((token, cid, message["id"]))
        return made

    with ThreadPoolExecutor(max_workers=threads) as pool:
        made = [entry for entries in pool.map(work, range(threads)) for entry in entries]
    conversation_ids = [cid for _, cid, _ in made]
    message_ids = [mid for _, _, mid in made]
    assert len(set(conversation_ids)) == len(set(message_ids)) == threads * per_thread  # one id sequence, none handed out twice
    for token, handle in handles.items():
        mine = {cid for t, cid, _ in made if t == token}
        with requests.Session() as session:
            session.headers.update(handle.headers)
            listed = _all(session, f"{handle.base_url}/conversations")
        assert len(listed) == before[token] + len(mine) == len(handle.conversations)
        assert mine <= {c["id"] for c in listed}
        assert all(c["account"]["id"] == handle.account_id for c in listed)
        for conversation in listed:
            if conversation["id"] in mine:
                [message] = conversation["messages"]
                assert message["content"].startswith(f"{token}-") and message["content"].endswith("!")


def test_messages_added_while_their_conversation_is_deleted_are_all_or_nothing(mockserver):
    handle = mockserver.monica_account("a")
    contact_id, type_id = _setup(handle)
    created = requests.post(f"{handle.base_url}/conversations", headers=handle.headers, timeout=30,
                            json={"happened_at": "2020-01-01", "contact_id": contact_id, "contact_field_type_id": type_id})
    cid = created.json()["data"]["id"]
    barrier = threading.Barrier(9)

    def add(n: int) -> int:
        barrier.wait(timeout=10)
        return requests.post(f"{handle.base_url}/conversations/{cid}/messages", headers=handle.headers, timeout=30,
                             json={"written_at": "2020-01-02", "written_by_me": 1, "content": f"m{n}"}).status_code

    def delete() -> int:
        barrier.wait(timeout=10)
        return requests.delete(f"{handle.base_url}/conversations/{cid}", headers=handle.headers, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=9) as pool:
        adds = [pool.submit(add, n) for n in range(8)]
        deleted = pool.submit(delete)
        statuses = [f.result() for f in adds]
    assert deleted.result() == 200
    assert set(statuses) <= {200, 404}  # before the delete, or after it: never in between
    assert handle.conversation(cid) is None
    assert not [m for m in handle.account.messages.values() if m.conversation_id == cid], "a message outlived its conversation"
