"""Hostile input to Vitally: bodies nested to any depth, broken text, odd ids.

Every answer is Vitally's error body (or a success the operation declares: the
suite runs strict), nothing is logged as a crash, and every rejected write leaves
the workspace exactly as it was.
"""
from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sweeps import DEPTHS, SHAPES, nested, state, with_field

from mockserver import jsontext
from mockserver.validation import validator
from mockserver.vitally.operations import TABLE

from .conftest import VITALLY_KEY, assert_error, basic, conversation_body, message_body, seeded_ids, strict_app, workspace

JSON = {**basic(VITALLY_KEY), "Content-Type": "application/json"}
WRITES = [op for op in TABLE if op.request is not None]


def _valid_request(app: Any, op_id: str) -> tuple[str, dict[str, Any]]:
    """A path and a body that the operation accepts, using every field of its schema."""
    ids = seeded_ids(app)
    ws = workspace(app)
    user, admin, account, org, conv = ids["users"][0], ids["admins"][0], ids["accounts"][0], ids["organizations"][0], ids["conversations"][0]
    url = "https://example.com/1"
    message = message_body("deep-m", ("user", user), [("admin", admin)], cc=[], bcc=[], timestamp="2021-01-01T00:00:00.000Z",
                           externalUrl=url, conversationId=conv)
    account_body = {"name": "A", "organizationId": org, "accountOwnerId": admin, "traits": {"t": 1}}
    user_body = {"name": "U", "email": "u@example.com", "avatar": url, "traits": {"t": 1}, "accountIds": [account], "organizationIds": [org],
                 "unsubscribedFromConversations": False, "joinDate": "2021-01-01T00:00:00.000Z"}
    org_body = {"name": "O", "organizationOwnerId": admin, "traits": {"t": 1}}
    requests = {
        "createConversation": ("/resources/conversations", conversation_body("deep", [message], traits={"t": 1}, externalUrl=url)),
        "updateConversation": (f"/resources/conversations/{conv}",
                               {"externalId": ws.conversations.rows[conv].external_id, "subject": "s", "messages": [message],
                                "traits": {"t": 1}, "externalUrl": url}),
        "createMessage": (f"/resources/conversations/{conv}/messages", message),
        "createAccount": ("/resources/accounts", {"externalId": "deep-a", **account_body}),
        "updateAccount": (f"/resources/accounts/{account}", {"externalId": ws.accounts.rows[account].external_id, **account_body}),
        "createUser": ("/resources/users", {"externalId": "deep-u", **user_body}),
        "updateUser": (f"/resources/users/{user}", {"externalId": ws.users.rows[user].external_id, **user_body}),
        "createOrganization": ("/resources/organizations", {"externalId": "deep-o", **org_body}),
        "updateOrganization": (f"/resources/organizations/{org}", {"externalId": ws.organizations.rows[org].external_id, **org_body}),
    }
    return requests[op_id.split(".", 1)[1]]


def _crashes(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


def test_the_sweep_covers_every_write_operation():
    app = strict_app()
    for op in WRITES:
        path, body = _valid_request(app, op.id)
        assert set(body) == set(validator("vitally", op.request).schema["properties"]), op.id


@pytest.mark.parametrize("op_id", [op.id for op in WRITES])
def test_every_field_of_every_write_at_every_depth(op_id, caplog):
    """Up to 512 levels a body is read as JSON and each depth from 2 on answers alike;
    deeper, it is `Invalid request payload JSON format`. Never a 500."""
    app = strict_app()
    client = app.test_client()
    store = app.extensions["mockserver"].store
    op = TABLE.get(op_id)
    path, body = _valid_request(app, op_id)
    assert client.open(path, method=op.method, data=json.dumps(body), headers=JSON).status_code == 200, "the sweep starts from a valid body"
    store.reset()
    seeded = state(workspace(app))
    for field in [None, *body]:
        for shape in SHAPES:
            reference: tuple[int, Any] | None = None
            for depth in DEPTHS:
                where = (op_id, field, shape, depth)
                r = client.open(path, method=op.method, data=with_field(body, field, nested(depth, shape)), headers=JSON)
                levels = depth + (field is not None)
                if levels > jsontext.MAX_DEPTH:
                    assert_error(r, 400, message="Invalid request payload JSON format")
                assert r.status_code != 500, where
                if r.status_code >= 400:
                    assert_error(r, r.status_code)
                    assert state(workspace(app)) == seeded, where
                else:
                    if field == "traits" and op.id.startswith("vitally.create"):
                        assert json.dumps(r.get_json()["traits"], separators=(",", ":")) == nested(depth, shape), where
                    store.reset()
                answer = (r.status_code, r.get_json() if r.status_code >= 400 else None)
                if depth == 2:
                    reference = answer
                elif depth > 2 and levels <= jsontext.MAX_DEPTH:
                    assert answer == reference, where  # from 2 levels on, only the depth differs
    assert _crashes(caplog) == []
