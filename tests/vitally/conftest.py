"""Helpers for the Vitally suite: credentials, bodies, and a full dump of a workspace
so every rejected request can be shown to leave the store exactly as it was."""
from __future__ import annotations

import base64
import json
from contextlib import contextmanager
from typing import Any, Iterator

import pytest

from mockserver import create_app
from mockserver.vitally import shapes

VITALLY_KEY = "sk_test_mockserver"
ERROR_KEYS = {"statusCode", "error", "message"}
REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
}
ISO_MS_Z = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"
UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


def basic(key: str, password: str = "") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:{password}".encode()).decode()}


def strict_app(**options: Any) -> Any:
    """An app like the root `app` fixture (strict responses, testing) with options."""
    app = create_app(strict_responses=True, **options)
    app.testing = True
    return app


def workspace(app: Any, key: str = VITALLY_KEY) -> Any:
    return app.extensions["mockserver"].vendors["vitally"].workspaces[key]


def dump(app: Any, key: str = VITALLY_KEY) -> str:
    """Everything a workspace holds, as the API would show it, plus its id state.

    Includes the id generator and sequence: a rejected write must not consume an id.
    """
    ws = workspace(app, key)
    store = app.extensions["mockserver"].store
    with store.lock:
        data = {
            "organizations": [shapes.organization(ws, r) for r in _by_id(ws.organizations)],
            "accounts": [shapes.account(ws, r) for r in _by_id(ws.accounts)],
            "users": [shapes.user(ws, r) for r in _by_id(ws.users)],
            "admins": [shapes.admin(r) for r in _by_id(ws.admins)],
            "conversations": [shapes.conversation(ws, r) for r in _by_id(ws.conversations)],
            "messages": sorted((shapes.message(m) for m in ws.messages.values()), key=lambda m: m["id"]),
            "orders": {name: [i for _, i in getattr(ws, name).by_updated.descending()]
                       for name in ("organizations", "accounts", "users", "admins", "conversations")},
            "externalIds": {name: dict(getattr(ws, name).by_external)
                            for name in ("organizations", "accounts", "users", "conversations")},
            "seq": ws.seq,
            "rng": repr(ws.rng.getstate()),
        }
    return json.dumps(data, sort_keys=True)


def _by_id(table: Any) -> list[Any]:
    return [table.rows[i] for i in sorted(table.rows)]


@contextmanager
def unchanged(app: Any, key: str = VITALLY_KEY) -> Iterator[None]:
    """Assert the block leaves the workspace exactly as it found it."""
    before = dump(app, key)
    yield
    assert dump(app, key) == before, "a rejected request changed the store"


def assert_error(response: Any, status: int, message: str | None = None, contains: str | None = None) -> dict[str, Any]:
    """Vitally's error body: JSON, exactly statusCode/error/message, never HTML."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == ERROR_KEYS, body
    assert body["statusCode"] == status
    assert body["error"] == REASONS[status]
    assert isinstance(body["message"], str) and body["message"]
    if message is not None:
        assert body["message"] == message
    if contains is not None:
        assert contains in body["message"], body["message"]
    return body


def seeded_ids(app: Any, key: str = VITALLY_KEY) -> dict[str, list[str]]:
    """Ids of seeded records, in a stable order (by id)."""
    ws = workspace(app, key)
    return {name: sorted(getattr(ws, name).rows) for name in ("organizations", "accounts", "users", "admins", "conversations")}


def message_body(external_id: str, sender: tuple[str, str], to: list[tuple[str, str]], **extra: Any) -> dict[str, Any]:
    body = {
        "externalId": external_id,
        "message": f"<p>{external_id}</p>",
        "from": {"type": sender[0], "id": sender[1]},
        "to": [{"type": t, "id": i} for t, i in to],
    }
    body.update(extra)
    return body


def conversation_body(external_id: str, messages: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    body = {"externalId": external_id, "subject": f"Subject {external_id}", "messages": messages or []}
    body.update(extra)
    return body


def list_all(client: Any, path: str, headers: dict[str, str], limit: int = 100, sort_by: str | None = None, **params: Any) -> list[dict[str, Any]]:
    """Follow `next` until it is null; returns every item in order."""
    items: list[dict[str, Any]] = []
    query: dict[str, Any] = {"limit": limit, **params}
    if sort_by:
        query["sortBy"] = sort_by
    for _ in range(1000):
        response = client.get(path, query_string=query, headers=headers)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        items.extend(body["results"])
        assert body["atEnd"] is (body["next"] is None)
        if body["next"] is None:
            return items
        query["from"] = body["next"]
    raise AssertionError("pagination never ended")


@pytest.fixture
def h(vitally_headers: dict[str, str]) -> dict[str, str]:
    return vitally_headers


@pytest.fixture
def ids(app: Any) -> dict[str, list[str]]:
    return seeded_ids(app)


@pytest.fixture
def user_id(ids: dict[str, list[str]]) -> str:
    return ids["users"][0]


@pytest.fixture
def admin_id(ids: dict[str, list[str]]) -> str:
    return ids["admins"][0]
