"""Helpers for the Monica suite: credentials, requests, and a full dump of an account
so every rejected request can be shown to leave the store exactly as it was."""
from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any, Iterator

import pytest

from mockserver import create_app
from mockserver.monica import shapes

TOKEN = "mockserver-token"
BASE = "http://localhost"
JSON_HEADERS = {"Accept": "application/json"}
ARCHIVED_MESSAGE = "Archived contact can\u2019t be edited, please unarchive it first."
NOT_FOUND = {"error": {"message": "The resource has not been found", "error_code": 31}}
TIMESTAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"


def auth(token: str = TOKEN, **extra: str) -> dict[str, str]:
    """What Monica's own tests send: a bearer token and `Accept: application/json`."""
    return {"Authorization": f"Bearer {token}", **JSON_HEADERS, **extra}


def strict_app(**options: Any) -> Any:
    """An app like the root `app` fixture (strict responses, testing) with options."""
    app = create_app(strict_responses=True, **options)
    app.testing = True
    return app


def backend(app: Any) -> Any:
    return app.extensions["mockserver"].vendors["monica"]


def account(app: Any, token: str = TOKEN) -> Any:
    return backend(app).account(token)


def call(client: Any, method: str, path: str, body: Any = None, token: str | None = TOKEN, **kwargs: Any) -> Any:
    """One API call as Monica's tests make it (`$this->json(...)`)."""
    headers = auth(token) if token is not None else dict(JSON_HEADERS)
    headers.update(kwargs.pop("headers", {}))
    if body is not None:
        kwargs["json"] = body
    return client.open(path, method=method, headers=headers, **kwargs)


def error(response: Any) -> tuple[int, int, Any]:
    body = response.get_json()
    return response.status_code, body["error"]["error_code"], body["error"]["message"]


def dump(app: Any, token: str = TOKEN) -> str:
    """Everything one account holds as the API shows it, its orders, and the id sequences."""
    acc = account(app, token)
    with app.extensions["mockserver"].store.lock:
        data = {
            "contacts": [shapes.contact(acc, c, BASE, True) for c in acc.contacts.values()],
            "trashed_contacts": [shapes.contact(acc, c, BASE) for c in acc.trashed_contacts.values()],
            "contact_fields": [shapes.contact_field(acc, f, BASE) for f in acc.contact_fields.values()],
            "contact_field_labels": [shapes.contact_field_label(x) for x in acc.contact_field_labels.values()],
            "genders": [shapes.gender(g) for g in acc.genders.values()],
            "contact_field_types": [shapes.contact_field_type(t) for t in acc.contact_field_types.values()],
            "conversations": [shapes.conversation(acc, c, BASE) for c in acc.conversations.values()],
            "messages": sorted(acc.messages),
            "by_created": [i for _, i in acc.conversations_by_created.ascending()],
            "by_updated": [i for _, i in acc.conversations_by_updated.ascending()],
            "by_contact": {str(k): list(v) for k, v in sorted(acc.conversations_by_contact.items())},
            "ids": dict(backend(app).world.ids.next_ids),
        }
    return json.dumps(data, sort_keys=True)


@contextmanager
def unchanged(app: Any, token: str = TOKEN) -> Iterator[None]:
    """The block's requests leave the account (and the id sequences) exactly as they were."""
    before = dump(app, token)
    yield
    assert dump(app, token) == before


def seeded(app: Any, token: str = TOKEN) -> dict[str, Any]:
    """Handy seeded records: the me, archived, partial and dead contacts, an active
    contact with a conversation, its conversation, and the Email/Twitter types."""
    from mockserver.monica.seed import ARCHIVED, DEAD, ME, PARTIAL

    acc = account(app, token)
    contacts = list(acc.contacts.values())
    active = next(c for c in contacts if c.is_active and not c.is_partial and acc.conversations_by_contact.get(c.id))
    types = {t.name: t for t in acc.contact_field_types.values()}
    archived = contacts[ARCHIVED]
    return {
        "me": contacts[ME],
        "archived": archived,
        "archived_conversation": acc.conversations[acc.conversations_by_contact[archived.id][0]],
        "partial": contacts[PARTIAL],
        "dead": contacts[DEAD],
        "active": active,
        "conversation": acc.conversations[acc.conversations_by_contact[active.id][0]],
        "email": types["Email"],
        "twitter": types["Twitter"],
    }


@pytest.fixture
def two_accounts() -> Any:
    """An app with two Monica accounts, `a` and `b`."""
    return strict_app(monica_tokens=["a", "b"])
